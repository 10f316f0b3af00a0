//! The layering rule, checked on the source: a top-level module of `src/`
//! imports only the modules below it.
//!
//! Bottom to top: `model`, `format` → `config` → `ingest` → `discover` →
//! `evaluate` → `report` → `init`, `schema`, `cli` → `app`. `lib.rs` and
//! `main.rs` are the crate root and may use anything. In the bottom layer
//! `format` may use `model`, not the other way round; otherwise the modules
//! of one layer do not use each other.
//!
//! An import is `crate::X` anywhere in the code: `use crate::X::…`,
//! `use crate::{X::…, …}`, or an inline path such as `crate::X::f()`;
//! comments and string literals do not count. Test code is not checked:
//! files named `tests.rs` or `test_support.rs`, files under a `tests/`
//! folder, and the item that follows a `#[cfg(test)]` line (the
//! `mod tests { … }` that ends a file, or a `mod test_support;`).

use std::path::Path;

use crate::util::root;

/// The layers, bottom first.
const LAYERS: &[&[&str]] = &[
    &["model", "format"],
    &["config"],
    &["ingest"],
    &["discover"],
    &["evaluate"],
    &["report"],
    &["init", "schema", "cli"],
    &["app"],
];

/// Imports between modules of one layer that the order allows, as
/// (importer, imported).
const SIDEWAYS: &[(&str, &str)] = &[("format", "model")];

/// Imports the order forbids that the code still has: (file, imported
/// module, why it is there). Each should go; the test fails when an entry
/// matches nothing, so the list shows exactly what remains.
const ALLOWED_TODAY: &[(&str, &str, &str)] = &[];

/// One `crate::X` in a file of module `from`.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Import {
    file: String,
    line: usize,
    from: String,
    to: String,
}

/// What the check found.
#[derive(Debug, Default, PartialEq, Eq)]
struct Findings {
    /// `file:line: A imports B`, for each import against the order.
    offending: Vec<String>,
    /// `ALLOWED_TODAY` entries that match no import.
    stale: Vec<String>,
}

/// The index of the layer of `module`, bottom 0.
fn layer(module: &str) -> Option<usize> {
    LAYERS.iter().position(|layer| layer.contains(&module))
}

/// The top-level module of a file under `src/` (`src/report/github/mod.rs`
/// is `report`); `None` for the crate root, `src/lib.rs` and `src/main.rs`.
fn module_of(path: &str) -> Option<&str> {
    let rest = path.strip_prefix("src/")?;
    match rest.split_once('/') {
        Some((dir, _)) => Some(dir),
        None if rest == "lib.rs" || rest == "main.rs" => None,
        None => rest.strip_suffix(".rs"),
    }
}

/// Whether a file under `src/` holds only tests.
fn is_test_file(path: &str) -> bool {
    let mut parts: Vec<&str> = path.split('/').collect();
    let name = parts.pop().unwrap_or_default();
    name == "tests.rs" || name == "test_support.rs" || parts.contains(&"tests")
}

fn is_ident(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// `text` with its comments and the contents of its string and character
/// literals blanked out; newlines are kept, so line numbers still hold.
fn code_only(text: &str) -> String {
    let mut l = Lexer {
        chars: text.chars().collect(),
        i: 0,
        out: String::with_capacity(text.len()),
    };
    while let Some(c) = l.at(0) {
        match (c, l.at(1)) {
            ('/', Some('/')) => l.line_comment(),
            ('/', Some('*')) => l.block_comment(),
            ('"', _) => {
                l.blank(1);
                l.string();
            }
            ('\'', _) => l.quote(),
            _ if is_ident(c) => l.word(),
            _ => {
                l.out.push(c);
                l.i += 1;
            }
        }
    }
    l.out
}

/// The state of [`code_only`]: the text, where it is, and what it kept.
struct Lexer {
    chars: Vec<char>,
    i: usize,
    out: String,
}

impl Lexer {
    fn at(&self, ahead: usize) -> Option<char> {
        self.chars.get(self.i + ahead).copied()
    }

    /// Blank the next `n` characters (fewer at the end), keeping newlines.
    fn blank(&mut self, n: usize) {
        for _ in 0..n {
            let Some(c) = self.at(0) else { return };
            self.out.push(if c == '\n' { '\n' } else { ' ' });
            self.i += 1;
        }
    }

    fn line_comment(&mut self) {
        while self.at(0).is_some_and(|c| c != '\n') {
            self.blank(1);
        }
    }

    /// `/* … */`; block comments nest.
    fn block_comment(&mut self) {
        let mut depth = 0;
        while let Some(c) = self.at(0) {
            match (c, self.at(1)) {
                ('/', Some('*')) => depth += 1,
                ('*', Some('/')) => depth -= 1,
                _ => {
                    self.blank(1);
                    continue;
                }
            }
            self.blank(2);
            if depth == 0 {
                return;
            }
        }
    }

    /// The rest of a `"…"` string, after its opening quote.
    fn string(&mut self) {
        while let Some(c) = self.at(0) {
            self.blank(if c == '\\' { 2 } else { 1 });
            if c == '"' {
                return;
            }
        }
    }

    /// A whole word, so that `r"…"`, `r#"…"#` and `br"…"` are seen as raw
    /// strings, and `for"` is not.
    fn word(&mut self) {
        let start = self.i;
        while self.at(0).is_some_and(is_ident) {
            self.i += 1;
        }
        let word: String = self.chars[start..self.i].iter().collect();
        self.out.push_str(&word);
        let hashes = self.chars[self.i..]
            .iter()
            .take_while(|&&c| c == '#')
            .count();
        if (word == "r" || word == "br") && self.at(hashes) == Some('"') {
            let close: Vec<char> = std::iter::once('"')
                .chain(std::iter::repeat_n('#', hashes))
                .collect();
            self.blank(hashes + 1);
            while self.i < self.chars.len() && !self.chars[self.i..].starts_with(&close) {
                self.blank(1);
            }
            self.blank(close.len());
        }
    }

    /// `'x'`, `'"'` or `'\''` is a character, blanked; `'a` a lifetime or a
    /// label, kept.
    fn quote(&mut self) {
        let end = match (self.at(1), self.at(2)) {
            (Some('\\'), _) => (3..self.chars.len() - self.i).find(|&j| self.at(j) == Some('\'')),
            (Some(_), Some('\'')) => Some(2),
            _ => None,
        };
        match end {
            Some(end) => self.blank(end + 1),
            None => {
                self.out.push('\'');
                self.i += 1;
            }
        }
    }
}

/// `code` (from [`code_only`]) with each item after a `#[cfg(test)]` line
/// blanked out: up to its first `;` outside brackets (`mod test_support;`),
/// or through the `}` that closes its first `{` (`mod tests { … }`), or else
/// to the end of the file.
fn without_test_items(code: &str) -> String {
    let mut cut: Vec<std::ops::Range<usize>> = Vec::new();
    let mut line_start = 0;
    for line in code.split_inclusive('\n') {
        let start = line_start;
        line_start += line.len();
        if cut.last().is_some_and(|r| r.end > start) || !line.trim().starts_with("#[cfg(test)]") {
            continue;
        }
        let after = start + line.find(']').map_or(0, |i| i + 1);
        let (mut depth, mut parens) = (0, 0);
        let mut end = code.len();
        for (i, b) in code.bytes().enumerate().skip(after) {
            match b {
                b'(' | b'[' => parens += 1,
                b')' | b']' => parens -= 1,
                b';' if depth == 0 && parens == 0 => {
                    end = i + 1;
                    break;
                }
                b'{' => depth += 1,
                b'}' => {
                    depth -= 1;
                    if depth == 0 {
                        end = i + 1;
                        break;
                    }
                }
                _ => {}
            }
        }
        cut.push(start..end);
    }
    code.char_indices()
        .map(|(i, c)| match c {
            '\n' => '\n',
            _ if cut.iter().any(|r| r.contains(&i)) => ' ',
            _ => c,
        })
        .collect()
}

/// Every `crate::X` in the non-test code of the file `path` (under `src/`)
/// with the text `text`, where X is another top-level module (or a name of
/// the crate root). Nothing for the root files and for test files.
fn imports(path: &str, text: &str) -> Vec<Import> {
    let Some(from) = module_of(path) else {
        return Vec::new();
    };
    if is_test_file(path) {
        return Vec::new();
    }
    let code = without_test_items(&code_only(text));
    let line_of = |offset: usize| code[..offset].matches('\n').count() + 1;
    let ident_at = |offset: usize| -> &str {
        let rest = &code[offset..];
        &rest[..rest.find(|c: char| !is_ident(c)).unwrap_or(rest.len())]
    };
    let mut found = Vec::new();
    let mut add = |offset: usize, to: &str| {
        if !to.is_empty() && to != from && to != "self" {
            found.push(Import {
                file: path.to_string(),
                line: line_of(offset),
                from: from.to_string(),
                to: to.to_string(),
            });
        }
    };
    for (at, _) in code.match_indices("crate::") {
        if code[..at].chars().next_back().is_some_and(is_ident) {
            continue; // `mycrate::`
        }
        let after = at + "crate::".len();
        if !code[after..].starts_with('{') {
            add(after, ident_at(after));
            continue;
        }
        // `crate::{a::B, c, d::{E, F}}`: the first name of each item.
        let mut depth = 0;
        let mut item_start = true;
        for (i, c) in code[after..].char_indices() {
            let offset = after + i;
            match c {
                '{' => {
                    depth += 1;
                    item_start = depth == 1;
                }
                '}' => {
                    depth -= 1;
                    if depth == 0 {
                        break;
                    }
                }
                ',' if depth == 1 => item_start = true,
                c if c.is_whitespace() => {}
                _ if item_start => {
                    add(offset, ident_at(offset));
                    item_start = false;
                }
                _ => {}
            }
        }
    }
    found
}

/// Whether a module of `from` may import `to`.
fn allowed(from: &str, to: &str) -> bool {
    match (layer(from), layer(to)) {
        (Some(a), Some(b)) => b < a || SIDEWAYS.contains(&(from, to)),
        _ => false,
    }
}

/// Check the files (path under the repository, text) against the order,
/// leaving out the imports that `allowed_today` lists.
fn check(files: &[(String, String)], allowed_today: &[(&str, &str, &str)]) -> Findings {
    let mut findings = Findings::default();
    let mut used = vec![false; allowed_today.len()];
    for (path, text) in files {
        if let Some(module) = module_of(path)
            && layer(module).is_none()
            && !is_test_file(path)
        {
            findings.offending.push(format!(
                "{path}: `{module}` is in no layer; place it in LAYERS in tests/layers.rs"
            ));
            continue;
        }
        for import in imports(path, text) {
            if allowed(&import.from, &import.to) {
                continue;
            }
            if let Some(i) = allowed_today
                .iter()
                .position(|&(file, to, _)| file == import.file && to == import.to)
            {
                used[i] = true;
                continue;
            }
            let what = if layer(&import.to).is_some() {
                import.to.clone()
            } else {
                format!("`crate::{}`, which is not a layered module", import.to)
            };
            findings.offending.push(format!(
                "{}:{}: {} imports {what}",
                import.file, import.line, import.from
            ));
        }
    }
    for (&(file, to, _), used) in allowed_today.iter().zip(used) {
        if !used {
            findings.stale.push(format!("{file} imports {to}"));
        }
    }
    findings
}

/// Every `.rs` file under `dir`, as (path relative to the repository with
/// `/` separators, text), in path order.
fn read_sources(dir: &Path, files: &mut Vec<(String, String)>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("reading {}: {e}", dir.display()))
        .map(|entry| entry.unwrap().path())
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            read_sources(&path, files);
        } else if path.extension().is_some_and(|ext| ext == "rs") {
            let rel = path.strip_prefix(root()).unwrap();
            let rel: Vec<String> = rel
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect();
            let text = std::fs::read_to_string(&path).unwrap();
            files.push((rel.join("/"), text));
        }
    }
}

fn order() -> String {
    LAYERS
        .iter()
        .map(|layer| layer.join(", "))
        .collect::<Vec<_>>()
        .join(" → ")
}

#[test]
fn top_level_modules_import_only_the_modules_below_them() {
    let mut files = Vec::new();
    read_sources(&root().join("src"), &mut files);
    assert!(
        files.iter().any(|(path, _)| path == "src/lib.rs"),
        "no src/lib.rs under {}",
        root().display()
    );
    let findings = check(&files, ALLOWED_TODAY);
    let mut problems = String::new();
    if !findings.offending.is_empty() {
        problems.push_str(&format!(
            "imports against the layer order (bottom to top: {}; format may use model):\n  {}\n",
            order(),
            findings.offending.join("\n  ")
        ));
    }
    if !findings.stale.is_empty() {
        problems.push_str(&format!(
            "ALLOWED_TODAY in tests/layers.rs lists imports the code no longer has; remove them:\n  {}\n",
            findings.stale.join("\n  ")
        ));
    }
    assert!(problems.is_empty(), "{problems}");
}

fn fixture(files: &[(&str, &str)]) -> Vec<(String, String)> {
    files
        .iter()
        .map(|(path, text)| (path.to_string(), text.to_string()))
        .collect()
}

#[test]
fn the_check_finds_upward_and_sideways_imports() {
    let files = fixture(&[
        // Upward, and the bottom layer's one forbidden direction.
        (
            "src/model.rs",
            "use std::fmt;\nuse crate::report::view;\nuse crate::format;\n",
        ),
        // The allowed direction.
        ("src/format.rs", "use crate::model::Stats;\n"),
        // Inline, in the middle of an expression.
        (
            "src/config/mod.rs",
            "fn f() {\n    let x = crate::evaluate::judge(1);\n}\n",
        ),
        // A group across lines: `format` is below ingest, `app` is not.
        (
            "src/ingest/mod.rs",
            "use crate::{\n    format::{ms, percent},\n    app::run,\n};\n",
        ),
        // Within one layer.
        ("src/init.rs", "use crate::schema::describe;\n"),
        // A name of the crate root, not a module.
        ("src/discover.rs", "use crate::Outcome;\n"),
        // A module in no layer.
        ("src/plugins.rs", "use crate::model;\n"),
        // The root and the top may use anything below.
        ("src/lib.rs", "pub use crate::app::Outcome;\n"),
        (
            "src/app/mod.rs",
            "use crate::cli::Cli;\nuse crate::model;\n",
        ),
    ]);
    assert_eq!(
        check(&files, &[]).offending,
        [
            "src/model.rs:2: model imports report",
            "src/model.rs:3: model imports format",
            "src/config/mod.rs:2: config imports evaluate",
            "src/ingest/mod.rs:3: ingest imports app",
            "src/init.rs:1: init imports schema",
            "src/discover.rs:1: discover imports `crate::Outcome`, which is not a layered module",
            "src/plugins.rs: `plugins` is in no layer; place it in LAYERS in tests/layers.rs",
        ]
    );
}

#[test]
fn the_check_skips_tests_comments_and_strings() {
    let files = fixture(&[
        (
            "src/evaluate/mod.rs",
            concat!(
                "//! Uses [`crate::app`] in a doc comment.\n",
                "// crate::app in a comment\n",
                "/* crate::app /* nested */ crate::app */\n",
                "const S: &str = \"crate::app \\\" crate::app\";\n",
                "const R: &str = r#\"crate::app \"quoted\" crate::app\"#;\n",
                "const Q: char = '\"'; fn f<'a>(x: &'a str) {}\n",
                "use mycrate::app;\n",
                "#[cfg(test)]\n",
                "mod test_support;\n",
                "use crate::app::run;\n",
                "#[cfg(test)]\n",
                "mod tests {\n",
                "    use crate::app;\n",
                "    fn f() { if true { crate::app::run(); } }\n",
                "}\n",
            ),
        ),
        ("src/report/charts/tests/mod.rs", "use crate::app;\n"),
        ("src/ingest/locust/tests.rs", "use crate::app;\n"),
        ("src/report/github/test_support.rs", "use crate::app;\n"),
    ]);
    // Only the import after the one-line test module is code.
    assert_eq!(
        check(&files, &[]).offending,
        ["src/evaluate/mod.rs:10: evaluate imports app"]
    );
}

#[test]
fn allowed_imports_are_left_out_until_they_are_gone() {
    let files = fixture(&[("src/model.rs", "use crate::report::view;\n")]);
    let allowed = [
        ("src/model.rs", "report", "the reason"),
        ("src/model.rs", "app", "fixed since"),
    ];
    assert_eq!(
        check(&files, &allowed),
        Findings {
            offending: vec![],
            stale: vec!["src/model.rs imports app".to_string()],
        }
    );
}
