//! Runs for the tests of this module: Locust result sets written to a
//! temporary folder and judged by the library pipeline, as `lib::check`
//! does.

use std::fmt::Write as _;
use std::path::Path;

use crate::config::Config;
use crate::evaluate::{ScenarioInput, ScenarioResult};
use crate::report::Summary;

const HEADER: &str = "Type,Name,Request Count,Failure Count,Median Response Time,Average Response Time,Min Response Time,Max Response Time,Average Content Size,Requests/s,Failures/s,50%,66%,75%,80%,90%,95%,98%,99%,99.9%,99.99%,100%";
const HISTORY_HEADER: &str = "Timestamp,User Count,Type,Name,Requests/s,Failures/s,50%,66%,75%,80%,90%,95%,98%,99%,99.9%,99.99%,100%,Total Request Count,Total Failure Count,Total Median Response Time,Total Average Response Time,Total Min Response Time,Total Max Response Time,Total Average Content Size";

/// A stats row: `median` ms median, `10 * median` ms from p90 up.
fn stats_row(method: &str, name: &str, requests: u64, median: u64) -> String {
    let mut w = csv::Writer::from_writer(Vec::new());
    let slow = (median * 10).to_string();
    let m = median.to_string();
    w.write_record([
        method,
        name,
        &requests.to_string(),
        "0",
        &m,
        &m,
        "1",
        &slow,
        "10",
        // Requests over the 299 s that a 300-tick history spans.
        &(requests as f64 / 299.0).to_string(),
        "0.0",
        &m,
        &m,
        &m,
        &m,
        &slow,
        &slow,
        &slow,
        &slow,
        &slow,
        &slow,
        &slow,
    ])
    .unwrap();
    String::from_utf8(w.into_inner().unwrap()).unwrap()
}

/// One Locust result set: `endpoints` endpoints and `ticks` history rows a second apart.
pub(super) fn write_scenario(dir: &Path, name: &str, endpoints: usize, ticks: u64) {
    let mut stats = format!("{HEADER}\n");
    for i in 0..endpoints {
        stats.push_str(&stats_row(
            "GET",
            &format!("/api/items/{i}"),
            600,
            5 + i as u64 % 7,
        ));
    }
    stats.push_str(&stats_row(
        "",
        "Aggregated",
        600 * endpoints.max(1) as u64,
        8,
    ));
    std::fs::write(dir.join(format!("{name}_stats.csv")), stats).unwrap();
    let mut history = format!("{HISTORY_HEADER}\n");
    for t in 0..ticks {
        let _ = writeln!(
            history,
            "{},10,,Aggregated,{}.5,0.0,8,9,10,11,12,13,14,15,16,17,18,{},0,8,9.0,1,18,10",
            1_795_824_570 + t,
            20 + t % 13,
            // Cumulative, ending at the stats file's total (a consistent run).
            (t + 1) * 600 * endpoints.max(1) as u64 / ticks.max(1)
        );
    }
    std::fs::write(dir.join(format!("{name}_stats_history.csv")), history).unwrap();
}

/// discover → ingest → evaluate on a folder, as `lib::check` does.
pub(super) fn judge_folder(dir: &Path, config: &Config) -> Vec<ScenarioResult> {
    let found = crate::discover::discover(&[dir.to_path_buf()], None);
    let inputs = found
        .sets
        .iter()
        .map(|set| {
            let ingested = crate::ingest::locust::read_result_set(&set.files, None);
            ScenarioInput {
                name: set.name.clone(),
                files: set.files.clone(),
                data: ingested.data,
                warnings: ingested.warnings,
                errors: ingested.errors.iter().map(ToString::to_string).collect(),
                probes: None,
                scenario: None,
            }
        })
        .collect();
    crate::evaluate::evaluate(config, inputs, None).results
}

pub(super) fn summarise(results: &[ScenarioResult], warnings: Vec<String>) -> Summary<'_> {
    Summary::new(
        "Release 2026.11 load tests".into(),
        "loadgate.toml".into(),
        "2026-01-22T00:00:00Z".into(),
        results,
        None,
        warnings,
        Vec::new(),
    )
}

pub(super) fn config(text: &str) -> Config {
    Config::from_toml(text, Path::new("loadgate.toml")).unwrap()
}

/// A run with one scenario `s` whose endpoint checks all failed.
pub(super) fn failing_endpoints(dir: &Path, endpoints: usize) -> Vec<ScenarioResult> {
    write_scenario(dir, "s", endpoints, 300);
    let config = config(
        "[defaults]\nthresholds = []\n[scenarios.s]\n[[scenarios.s.endpoint]]\nname = \"*\"\nthresholds = [\"p99 < 20ms\"]\n",
    );
    judge_folder(dir, &config)
}
