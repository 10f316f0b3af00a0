//! The trend section of the job summary, kept small: per scenario a Mermaid
//! line chart of its median and p95 over the runs, and a table of the runs
//! (this run last, in bold) with the baseline's median under them. The
//! section goes with the charts when the summary sheds detail.

use std::fmt::Write as _;

use super::md;
use super::mermaid::{mermaid_label, number_list, quoted_list};
use crate::evaluate::trend::{Figure, Trend};
use crate::format;
use crate::report::Summary;

/// Labels of runs on a chart's axis are cut to this many characters.
const RUN_LABEL_CHARS: usize = 16;

/// The section's heading and note, then one piece per scenario; nothing
/// without a history.
pub(super) fn trend_sections(summary: &Summary<'_>) -> Vec<String> {
    let Some(trend) = summary.trend else {
        return Vec::new();
    };
    let mut pieces = vec![heading(trend)];
    pieces.extend(trend.scenarios.iter().map(|s| {
        let mut out = format!("### {}: the last runs\n\n", md(&s.name));
        let drawable: Vec<usize> = (0..s.runs.len())
            .filter(|&i| s.runs[i].values[0].is_some() && s.runs[i].values[1].is_some())
            .collect();
        if drawable.len() >= 2 {
            // Run labels repeat (a rerun of one commit): number them.
            let labels: Vec<String> = drawable
                .iter()
                .map(|&i| {
                    format!(
                        "{} {}",
                        i + 1,
                        mermaid_label(&s.runs[i].label, RUN_LABEL_CHARS)
                    )
                })
                .collect();
            out.push_str("```mermaid\nxychart-beta\n");
            let _ = writeln!(
                out,
                "    title \"{} - median and p95 (ms), oldest first\"",
                mermaid_label(&s.name, super::mermaid::MAX_LABEL_CHARS)
            );
            let _ = writeln!(out, "    x-axis [{}]", quoted_list(&labels));
            out.push_str("    y-axis \"ms\"\n");
            for f in [0, 1] {
                let _ = writeln!(
                    out,
                    "    line [{}]",
                    number_list(drawable.iter().filter_map(|&i| s.runs[i].values[f]))
                );
            }
            out.push_str("```\n\n");
        }
        out.push_str("| Run | Date | Median | p95 | Throughput | Success rate | Status |\n|---|---|---:|---:|---:|---:|---|\n");
        for (i, r) in s.runs.iter().enumerate() {
            let values: Vec<String> = Figure::ALL
                .iter()
                .zip(r.values)
                .map(|(f, v)| v.map_or_else(|| "–".to_string(), |v| format::value(f.kind(), v)))
                .collect();
            let label = match r.current {
                true => format!("**{} {}** (this run)", i + 1, md(&r.label)),
                false => format!("{} {}", i + 1, md(&r.label)),
            };
            let _ = writeln!(
                out,
                "| {label} | {} | {} | {} |",
                r.recorded_at.get(..10).unwrap_or("–"),
                values.join(" | "),
                if r.failed { "❌ FAIL" } else { "✅ pass" }
            );
        }
        let baseline: Vec<String> = Figure::ALL
            .iter()
            .zip(&s.bands)
            .map(|(f, b)| b.map_or_else(|| "–".to_string(), |b| format::value(f.kind(), b.baseline)))
            .collect();
        let _ = writeln!(out, "| baseline (median) | | {} | |\n", baseline.join(" | "));
        out
    }));
    pieces
}

fn heading(trend: &Trend) -> String {
    let how = trend.info.describe();
    let source = md(&trend.source);
    match trend.judged {
        true => format!(
            "## Trend\n\nBaseline: {}, from the run history {source}.\n\n",
            md(&how)
        ),
        false => format!(
            "## Trend\n\nFrom the run history {source}: {}. Not the gate's baseline.\n\n",
            md(&how)
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::evaluate::trend::{Band, HistoryInfo, ScenarioTrend, TrendRun};
    use crate::report::github::test_support::{config, judge_folder, summarise, write_scenario};
    use crate::report::github::{PR_COMMENT_BUDGET, STEP_SUMMARY_BUDGET, job_summary};
    use crate::report::view;

    fn run(k: usize, current: bool) -> TrendRun {
        TrendRun {
            label: format!("release-2026.{k:02}-candidate"),
            commit: Some("0123456789abcdef".into()),
            branch: Some("main".into()),
            recorded_at: format!("2026-01-{:02}T10:00:00Z", k + 1),
            file: (!current).then(|| format!("r{k}.json")),
            current,
            failed: k == 2,
            values: [Some(100.0 + k as f64), Some(250.0), Some(42.5), Some(99.95)],
        }
    }

    /// A trend of `n` scenarios of `runs` runs each (this run last).
    fn trend(names: &[String], runs: usize) -> Trend {
        let band = Band {
            baseline: 101.0,
            mad: 1.0,
            low: 91.0,
            high: 111.0,
        };
        Trend {
            source: "perf-history".into(),
            judged: true,
            info: HistoryInfo {
                window: runs - 1,
                branch: Some("main".into()),
                runs: (0..runs - 1).map(|k| format!("r{k}.json")).collect(),
                looked_at: runs - 1,
                skipped: Default::default(),
                other_branches: 0,
                left_out: 0,
            },
            scenarios: names
                .iter()
                .map(|n| ScenarioTrend {
                    name: n.clone(),
                    runs: (0..runs).map(|k| run(k, k == runs - 1)).collect(),
                    bands: [Some(band), Some(band), None, None],
                })
                .collect(),
        }
    }

    #[test]
    fn the_trend_section_is_compact_and_goes_with_the_charts_when_space_runs_short() {
        let dir = tempfile::tempdir().unwrap();
        for i in 0..200 {
            write_scenario(dir.path(), &format!("scenario{i:03}_checkout_flow"), 2, 60);
        }
        let results = judge_folder(dir.path(), &config("[defaults]\nthresholds = []\n"));
        let names: Vec<String> = results.iter().map(|r| r.name.clone()).collect();

        // One scenario, a window of 5: a few KB.
        let one = trend(&names[..1], 6);
        let mut summary = summarise(&results[..1], Vec::new());
        summary.trend = Some(&one);
        let view = view::build(&summary, false).unwrap();
        let text = job_summary(&summary, &view, "out", None, STEP_SUMMARY_BUDGET);
        let section = &text[text.find("## Trend").expect("a trend section")..];
        let section = &section[..section.find("\n---\n").unwrap_or(section.len())];
        assert!(section.len() < 2500, "{} bytes:\n{section}", section.len());
        assert!(section.contains("Baseline: the median of the last 5 comparable runs on main, from the run history perf-history."));
        assert!(section.contains("| **6 release-2026.05-candidate** (this run) | 2026-01-06 | 105 ms | 250 ms | 42.5/s | 99.95% | ✅ pass |"), "{section}");
        assert!(section.contains("| 3 release-2026.02-candidate | 2026-01-03 | 102 ms | 250 ms | 42.5/s | 99.95% | ❌ FAIL |"), "{section}");
        assert!(
            section.contains("| baseline (median) | | 101 ms | 101 ms | – | – | |"),
            "{section}"
        );
        assert_eq!(section.matches("```mermaid").count(), 1);

        // 20 scenarios with a window of 5: whole in the step summary.
        let twenty = trend(&names[..20], 6);
        let mut summary = summarise(&results[..20], Vec::new());
        summary.trend = Some(&twenty);
        let view = view::build(&summary, false).unwrap();
        let step = job_summary(&summary, &view, "out", None, STEP_SUMMARY_BUDGET);
        assert!(step.contains("## Trend") && !step.contains("Shortened"));
        let section = &step[step.find("## Trend").unwrap()..step.find("\n---\n").unwrap()];
        eprintln!(
            "20 scenarios × 6 runs: trend section {} bytes",
            section.len()
        );
        assert!(section.len() < 50_000, "{}", section.len());

        // 200 scenarios: within each budget, the trend left out where it
        // does not fit, and the summary says so.
        for runs in [6, 101] {
            let big = trend(&names, runs);
            let mut summary = summarise(&results, Vec::new());
            summary.trend = Some(&big);
            let view = view::build(&summary, false).unwrap();
            for budget in [STEP_SUMMARY_BUDGET, PR_COMMENT_BUDGET] {
                let text = job_summary(&summary, &view, "out", None, budget);
                assert!(text.len() <= budget, "{runs} runs: {}", text.len());
                if !text.contains("## Trend") {
                    assert!(text.contains("the trend of the run history (200 scenarios)"));
                }
            }
        }
    }
}
