//! What the readers of one-file result sets share (a JTL, an Artillery
//! report, an autocannon, oha or Vegeta summary, a hey CSV): `NAME.SUFFIX`
//! is scenario `NAME`; a plain `NAME.json` or `NAME.csv` is claimed by its
//! content; the first bytes of a file for telling formats apart; a JSON
//! document read through the guard into typed structs, an error naming its
//! line and key path; the one read into an [`Ingested`].

use std::fs::File;
use std::io::Read;
use std::path::Path;

use serde::de::DeserializeOwned;

use crate::ingest::guard::{self, Guarded};
use crate::ingest::{Ingested, InputError};
use crate::model::{ResultFiles, Role, ScenarioData};

/// `NAME{suffix}` → (`NAME`, stats): the file is the whole set.
pub fn claim_suffix(file_name: &str, suffix: &str) -> Option<(String, Role)> {
    let prefix = file_name.strip_suffix(suffix)?;
    (!prefix.is_empty()).then(|| (prefix.to_string(), Role::Stats))
}

/// A plain `NAME{ext}` whose content `recognises` → (`NAME`, stats).
pub fn claim_stem(
    path: &Path,
    ext: &str,
    recognises: impl FnOnce(&Path) -> bool,
) -> Option<(String, Role)> {
    let stem = path.file_name()?.to_str()?.strip_suffix(ext)?;
    (!stem.is_empty() && recognises(path)).then(|| (stem.to_string(), Role::Stats))
}

/// The first `bytes` of a file (empty when unreadable).
pub fn head(path: &Path, bytes: u64) -> Vec<u8> {
    let mut buf = Vec::new();
    let _ = File::open(path).and_then(|f| f.take(bytes).read_to_end(&mut buf));
    buf
}

/// The first `bytes` of a file as text, lossily ("" when unreadable).
pub fn head_text(path: &Path, bytes: u64) -> String {
    String::from_utf8_lossy(&head(path, bytes)).into_owned()
}

/// Whether JSON text (the start of a file) is an object holding every one
/// of `keys`, each given with what follows its colon (`"latency":{`), white
/// space aside.
pub fn json_object_with(text: &str, keys: &[&str]) -> bool {
    let compact: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    compact.trim_start_matches('\u{feff}').starts_with('{')
        && keys.iter().all(|key| compact.contains(key))
}

/// A whole file as text through the guard (NUL bytes, UTF-16, overlong
/// lines refused), at most `max_bytes`, its byte-order mark dropped.
pub fn read_text(path: &Path, max_bytes: u64) -> Result<String, InputError> {
    let mut file =
        File::open(path).map_err(|e| InputError::file(path, format!("cannot open: {e}")))?;
    let head = guard::sniff_file(path, &mut file)?;
    let mut text = String::new();
    Guarded::new(guard::sniffed(head, file).take(max_bytes), 0)
        .read_to_string(&mut text)
        .map_err(|e| match guard::pathology(&e) {
            Some(p) => InputError::file(path, p.message()),
            None => InputError::file(path, format!("cannot read: {e}")),
        })?;
    if let Some(rest) = text.strip_prefix('\u{feff}') {
        text = rest.to_string();
    }
    Ok(text)
}

/// The start of a JSON document that must be an object (serde would read a
/// list as a struct's fields, one by one): an error, located, for an empty
/// file or another value. `what` names the format: "an oha JSON summary
/// (oha --output-format json)".
pub fn json_object_start(path: &Path, text: &str, what: &str) -> Result<(), InputError> {
    if text.trim().is_empty() {
        return Err(InputError::file(path, format!("an empty file, not {what}")));
    }
    let body = text.trim_start();
    if body.starts_with('{') {
        return Ok(());
    }
    let line = text[..text.len() - body.len()].matches('\n').count() + 1;
    Err(InputError {
        path: path.to_path_buf(),
        line: Some(line as u64),
        column: None,
        message: format!(
            "not {what}: expected a JSON object, found {}",
            body.chars()
                .next()
                .map_or("nothing".to_string(), |c| format!("`{c}`"))
        ),
    })
}

/// A JSON error at its line (serde's 0 is "no line") and key path; serde's
/// own " at line L column C" is dropped, the line being the error's.
pub fn json_error(path: &Path, what: &str, at: &str, e: &serde_json::Error) -> InputError {
    let text = e.to_string();
    let text = match text.rfind(" at line ") {
        Some(i) if e.line() > 0 => &text[..i],
        _ => &text,
    };
    InputError {
        path: path.to_path_buf(),
        line: Some(e.line() as u64).filter(|l| *l > 0),
        column: None,
        message: if at.is_empty() || at == "." {
            format!("not {what}: {text}")
        } else {
            format!("not {what}: at {at}: {text}")
        },
    }
}

/// A file holding one JSON object, read into `T` (see [`read_text`] and
/// [`json_object_start`]); nothing may follow the object.
pub fn read_json_object<T: DeserializeOwned>(
    path: &Path,
    max_bytes: u64,
    what: &str,
) -> Result<T, InputError> {
    let text = read_text(path, max_bytes)?;
    json_object_start(path, &text, what)?;
    let mut de = serde_json::Deserializer::from_str(&text);
    let value: T = serde_path_to_error::deserialize(&mut de).map_err(|e| {
        let at = e.path().to_string();
        json_error(path, what, &at, &e.into_inner())
    })?;
    de.end().map_err(|e| json_error(path, what, "", &e))?;
    Ok(value)
}

/// A one-file set's read: its data and warnings, or its error.
pub fn read_one(
    files: &ResultFiles,
    read: impl FnOnce(&Path) -> Result<(ScenarioData, Vec<String>), InputError>,
) -> Ingested {
    let mut out = Ingested::default();
    let Some(path) = &files.stats else {
        return out;
    };
    match read(path) {
        Ok((data, warnings)) => {
            out.data = Some(data);
            out.warnings = warnings;
        }
        Err(e) => out.errors.push(e),
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_claim_by_suffix_and_by_stem() {
        assert_eq!(
            claim_suffix("a.oha.json", ".oha.json"),
            Some(("a".to_string(), Role::Stats))
        );
        assert_eq!(claim_suffix(".oha.json", ".oha.json"), None);
        assert_eq!(claim_suffix("a.json", ".oha.json"), None);
        let path = Path::new("dir/run.json");
        assert_eq!(
            claim_stem(path, ".json", |_| true),
            Some(("run".to_string(), Role::Stats))
        );
        assert_eq!(claim_stem(path, ".json", |_| false), None);
        assert_eq!(claim_stem(Path::new(".json"), ".json", |_| true), None);
    }

    #[test]
    fn json_objects_are_told_by_their_keys() {
        let text = "\u{feff} {\n \"latency\": {\"p50\": 1}, \"non2xx\": 0 }";
        assert!(json_object_with(text, &["\"latency\":{", "\"non2xx\":"]));
        assert!(!json_object_with(text, &["\"timeouts\":"]));
        assert!(!json_object_with("[{\"latency\":{}}]", &["\"latency\":{"]));
    }

    #[test]
    fn a_json_document_that_is_not_one_object_is_located() {
        let path = Path::new("x.json");
        let what = "a test summary";
        assert!(json_object_start(path, " {}", what).is_ok());
        let empty = json_object_start(path, " \n", what).unwrap_err();
        assert_eq!(
            empty.to_string(),
            "x.json: an empty file, not a test summary"
        );
        let list = json_object_start(path, "\n\n [1]", what).unwrap_err();
        assert_eq!(
            list.to_string(),
            "x.json:3: not a test summary: expected a JSON object, found `[`"
        );
    }
}
