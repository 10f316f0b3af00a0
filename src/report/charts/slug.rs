//! File-name slugs of scenario names: for chart file names and HTML anchors,
//! unique within a run and stable across runs.

/// A file-name-safe slug of a scenario name: ASCII letters (lowercased),
/// digits, `-` and `_` are kept, every other character becomes `-`, runs of
/// `-` collapse to one and are trimmed from the ends. Never empty (`scenario`
/// stands in), and at most 100 bytes, so that the chart file names stay
/// below common file-name limits.
///
/// Different names can share a slug (`a b` and `a-b`); callers that need
/// unique file names must check.
pub fn slug(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for c in name.chars() {
        let c = if c.is_ascii_alphanumeric() || c == '_' {
            c.to_ascii_lowercase()
        } else {
            '-'
        };
        if !(c == '-' && out.ends_with('-')) {
            out.push(c);
        }
    }
    let mut out = out.trim_matches('-').to_string();
    // All ASCII, so any byte index is a char boundary.
    out.truncate(100);
    let out = out.trim_end_matches('-');
    if out.is_empty() {
        "scenario".to_string()
    } else {
        out.to_string()
    }
}

/// One slug per name, unique within the run and stable across runs: the
/// plain [`slug`] where no other name of the run has the same one, else the
/// slug plus the first 8 hex digits of an FNV-1a hash of the full name
/// (`api-v1-3f2a9c01`). Slugs are lower case, so names that differ only in
/// case (`Checkout`, `checkout`) never share a file on a case-insensitive
/// file system either. Used for chart file names and HTML anchors.
pub fn unique_slugs<'a>(names: impl IntoIterator<Item = &'a str>) -> Vec<String> {
    let names: Vec<&str> = names.into_iter().collect();
    let plain: Vec<String> = names.iter().map(|n| slug(n)).collect();
    let mut count: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
    for p in &plain {
        *count.entry(p.as_str()).or_default() += 1;
    }
    // A hashed slug could itself equal another name's plain slug; such a
    // name gets its hash too (checked once more, to be sure).
    let hashed = |name: &str, plain: &str| format!("{plain}-{:08x}", fnv1a(name) >> 32);
    let mut out: Vec<String> = names
        .iter()
        .zip(&plain)
        .map(|(n, p)| match count[p.as_str()] {
            1 => p.clone(),
            _ => hashed(n, p),
        })
        .collect();
    let taken: std::collections::HashSet<String> = out
        .iter()
        .enumerate()
        .filter(|(i, s)| **s != plain[*i])
        .map(|(_, s)| s.clone())
        .collect();
    for (i, s) in out.iter_mut().enumerate() {
        if *s == plain[i] && taken.contains(s) {
            *s = hashed(names[i], &plain[i]);
        }
    }
    out
}

/// 64-bit FNV-1a: a small, fixed hash (not `DefaultHasher`, whose output
/// may change between Rust releases), so slugs are stable across runs.
fn fnv1a(text: &str) -> u64 {
    text.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}
