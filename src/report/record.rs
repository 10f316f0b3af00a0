//! A run record: this run's summary.json with its metadata (`run`) added,
//! one file per run in a history folder (`check --history DIR`). The same
//! serialisation as summary.json ([`super::json`]), so a record is read back
//! by the same reader and versioned by the same schema id.

use serde::Serialize;

use super::Summary;
use crate::model::RunMeta;

/// The summary's keys, then `run`.
#[derive(Serialize)]
struct RecordFile<'a> {
    #[serde(flatten)]
    summary: &'a Summary<'a>,
    run: &'a RunMeta,
}

/// The record's bytes: compact JSON (half the size of summary.json's
/// indented form, and as quick to read back) with a trailing newline.
pub fn render(summary: &Summary<'_>, meta: &RunMeta) -> anyhow::Result<Vec<u8>> {
    let mut bytes = serde_json::to_vec(&RecordFile { summary, run: meta })?;
    bytes.push(b'\n');
    Ok(bytes)
}

/// The start of a record's file name: its time (`20261128T001146123456Z`,
/// the record's own to the microsecond, so a listing sorts by time), then the CI
/// run and attempt, then the process id. The writer adds a random part, so
/// parallel jobs of one matrix never pick the same name. Only ASCII letters,
/// digits and `-`: nothing in it can leave the folder.
pub fn file_stem(generated_at: &str, meta: &RunMeta, pid: u32) -> String {
    let safe = |s: &str| -> String {
        s.chars()
            .filter(char::is_ascii_alphanumeric)
            .take(40)
            .collect()
    };
    let mut stem = safe(generated_at);
    if stem.is_empty() {
        stem.push_str("run");
    }
    for part in [meta.ci_run_id.as_deref(), meta.ci_run_attempt.as_deref()]
        .into_iter()
        .flatten()
        .map(safe)
        .filter(|p| !p.is_empty())
    {
        stem.push('-');
        stem.push_str(&part);
    }
    stem.push_str(&format!("-{pid}"));
    stem
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn record_names_start_with_the_time_and_keep_only_safe_characters() {
        let meta = RunMeta {
            ci_run_id: Some("123/../x".into()),
            ci_run_attempt: Some("2".into()),
            ..RunMeta::default()
        };
        assert_eq!(
            file_stem("2026-11-28T00:11:46Z", &meta, 77),
            "20261128T001146Z-123x-2-77"
        );
        assert_eq!(
            file_stem("2026-11-28T00:11:46Z", &RunMeta::default(), 77),
            "20261128T001146Z-77"
        );
    }
}
