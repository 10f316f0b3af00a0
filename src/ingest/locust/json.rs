//! `--json-file` output: each endpoint's response-time histogram.

use std::io::BufReader;
use std::path::Path;

use super::rows::*;
use crate::ingest::InputError;
use crate::ingest::guard;
use crate::model::{Histogram, Histograms};

/// One entry of Locust's `--json-file` output; other fields are ignored.
#[derive(serde::Deserialize)]
pub(super) struct JsonEntry {
    pub(super) name: String,
    pub(super) method: Option<String>,
    /// Bucket (ms, as a string key) → count.
    pub(super) response_times: std::collections::BTreeMap<String, u64>,
}

/// Read `PREFIX.json` (Locust's `--json-file`): the response-time histogram of
/// each endpoint, and their sum, which is exact because buckets are shared.
pub fn read_json(path: &Path) -> Result<Histograms, InputError> {
    // JSON has no lines to bound; a NUL or junk start is still refused at once.
    let mut file = open(path)?;
    let head = guard::sniff_file(path, &mut file)?;
    let reader = BufReader::new(guard::sniffed(head, file));
    let entries: Vec<JsonEntry> = serde_json::from_reader(reader).map_err(|e| InputError {
        path: path.to_path_buf(),
        line: Some(e.line() as u64).filter(|l| *l > 0),
        column: None,
        message: format!("not Locust's --json-file output: {e}"),
    })?;
    let mut out = Histograms::default();
    // Counts are added up per endpoint, across endpoints and, in the rank
    // test, over a whole histogram: every sum is checked here, so a file
    // whose counts do not fit in 64 bits is an error, not a wrapped number.
    let too_many = |name: &str| {
        InputError::file(
            path,
            format!(
                "the response_times counts of `{}` add up to more than {} (the largest count loadgate can hold)",
                crate::format::display(name),
                crate::format::count(u64::MAX)
            ),
        )
    };
    let mut grand_total: u64 = 0;
    for entry in entries {
        let mut histogram = Histogram::new();
        let mut entry_total: u64 = 0;
        for (bucket, count) in entry.response_times {
            let ms = bucket.parse::<f64>().ok().filter(|v| v.is_finite() && *v >= 0.0).ok_or_else(|| {
                InputError::file(
                    path,
                    format!("response_times of `{}` has a bucket `{bucket}` that is not a time in ms", crate::format::display(&entry.name)),
                )
            })?;
            entry_total = entry_total
                .checked_add(count)
                .ok_or_else(|| too_many(&entry.name))?;
            // Locust's buckets are whole milliseconds.
            *histogram.entry(ms.round() as u64).or_default() += count;
        }
        grand_total = grand_total
            .checked_add(entry_total)
            .ok_or_else(|| too_many("all endpoints together"))?;
        for (bucket, count) in &histogram {
            *out.total.entry(*bucket).or_default() += count;
        }
        out.endpoints
            .insert((entry.method.unwrap_or_default(), entry.name), histogram);
    }
    Ok(out)
}
