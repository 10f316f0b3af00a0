//! A million endpoint names (issue 16): runs whose load script named every
//! URL on its own. Result sets stretched from the rows of real Locust and
//! JMeter fixtures with numbered names (as `scripts/gen-endpoints` does):
//! the reports list the slowest, the most failing and the busiest and say
//! how many more there are; a scenario with more than 1,000 names gets a
//! warning that says how to name requests; `[[scenarios.X.group]]` merges
//! names, exactly where every request's time is known and marked ≈ where
//! not; 100,000 endpoints give bounded reports and a summary.json of every
//! endpoint, one a line.

use std::collections::BTreeMap;
use std::path::Path;

use crate::util::{check, csv_rows, fixture, nearest_rank, scenario};

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// A source row's name, numbered: `[id]` becomes `i`, else `/i` is appended.
fn numbered(name: &str, i: usize) -> String {
    if name.contains("[id]") {
        name.replace("[id]", &i.to_string())
    } else {
        format!("{name}/{i}")
    }
}

/// Write `DIR/NAME_stats.csv` (and `_failures.csv`) with `n` endpoints, row
/// i a copy of the real row i mod R of each `sources` stats file (their rows
/// in turn), numbered; the `Aggregated` row sums the counts and rates.
fn numbered_set(dir: &Path, name: &str, n: usize, sources: &[&str]) {
    let mut header: Option<csv::StringRecord> = None;
    let mut rows: Vec<csv::StringRecord> = Vec::new();
    let mut failures: Vec<(String, String, csv::StringRecord)> = Vec::new();
    let mut failures_header: Option<csv::StringRecord> = None;
    let mut total: Option<csv::StringRecord> = None;
    for source in sources {
        let mut r = csv::Reader::from_path(fixture(&format!("{source}_stats.csv"))).unwrap();
        header = Some(r.headers().unwrap().clone());
        for row in r.records() {
            let row = row.unwrap();
            if &row[1] == "Aggregated" {
                total = Some(row);
            } else {
                rows.push(row);
            }
        }
        let path = fixture(&format!("{source}_failures.csv"));
        let mut r = csv::Reader::from_path(path).unwrap();
        failures_header = Some(r.headers().unwrap().clone());
        for row in r.records() {
            let row = row.unwrap();
            failures.push((row[0].to_string(), row[1].to_string(), row));
        }
    }
    let header = header.unwrap();
    let col = |h: &str| header.iter().position(|c| c == h).unwrap();
    let mut stats = csv::Writer::from_path(dir.join(format!("{name}_stats.csv"))).unwrap();
    let mut fails = csv::Writer::from_path(dir.join(format!("{name}_failures.csv"))).unwrap();
    stats.write_record(&header).unwrap();
    fails
        .write_record(failures_header.as_ref().unwrap())
        .unwrap();
    let (mut requests, mut failed, mut rps, mut fps) = (0u64, 0u64, 0f64, 0f64);
    for i in 0..n {
        let src = &rows[i % rows.len()];
        let new_name = numbered(&src[1], i);
        let mut row: Vec<&str> = src.iter().collect();
        row[1] = &new_name;
        stats.write_record(&row).unwrap();
        requests += src[col("Request Count")].parse::<u64>().unwrap();
        failed += src[col("Failure Count")].parse::<u64>().unwrap();
        rps += src[col("Requests/s")].parse::<f64>().unwrap();
        fps += src[col("Failures/s")].parse::<f64>().unwrap();
        for (method, fname, f) in &failures {
            if method == &src[0] && fname == &src[1] {
                let mut f: Vec<&str> = f.iter().collect();
                f[1] = &new_name;
                fails.write_record(&f).unwrap();
            }
        }
    }
    let total = total.unwrap();
    let (requests, failed, rps, fps) = (
        requests.to_string(),
        failed.to_string(),
        rps.to_string(),
        fps.to_string(),
    );
    let mut row: Vec<&str> = total.iter().collect();
    row[col("Request Count")] = &requests;
    row[col("Failure Count")] = &failed;
    row[col("Requests/s")] = &rps;
    row[col("Failures/s")] = &fps;
    stats.write_record(&row).unwrap();
}

/// The names in report.md's endpoint table of its only scenario, in order.
fn listed_names(md: &str) -> Vec<String> {
    md.split("#### Endpoints")
        .nth(1)
        .unwrap_or_else(|| panic!("no endpoint table:\n{md}"))
        .lines()
        .skip(4)
        .take_while(|l| l.starts_with('|'))
        .map(|l| l.split(" | ").nth(1).unwrap().to_string())
        .collect()
}

/// The rule as README states it, computed here over the stats file's rows:
/// the slowest (p95, else the median), the most failing and the busiest,
/// in turn, each once; listed in file order.
fn expected_listing(rows: &[BTreeMap<String, String>], max: usize) -> Vec<String> {
    let num = |r: &BTreeMap<String, String>, c: &str| r[c].parse::<f64>().ok();
    let by_name = |a: &usize, b: &usize| {
        (&rows[*a]["Name"], &rows[*a]["Type"]).cmp(&(&rows[*b]["Name"], &rows[*b]["Type"]))
    };
    let mut slowest: Vec<usize> = (0..rows.len())
        .filter(|&i| {
            num(&rows[i], "95%")
                .or(num(&rows[i], "Median Response Time"))
                .is_some()
        })
        .collect();
    let slow = |i: usize| {
        num(&rows[i], "95%")
            .or(num(&rows[i], "Median Response Time"))
            .unwrap()
    };
    slowest.sort_by(|a, b| slow(*b).total_cmp(&slow(*a)).then(by_name(a, b)));
    let count = |i: usize, c: &str| rows[i][c].parse::<u64>().unwrap();
    let mut failing: Vec<usize> = (0..rows.len())
        .filter(|&i| count(i, "Failure Count") > 0)
        .collect();
    failing.sort_by(|a, b| {
        count(*b, "Failure Count")
            .cmp(&count(*a, "Failure Count"))
            .then(by_name(a, b))
    });
    let mut busiest: Vec<usize> = (0..rows.len()).collect();
    busiest.sort_by(|a, b| {
        count(*b, "Request Count")
            .cmp(&count(*a, "Request Count"))
            .then(by_name(a, b))
    });
    let mut chosen: Vec<usize> = Vec::new();
    let mut lists = [slowest, failing, busiest];
    while chosen.len() < max && lists.iter().any(|l| !l.is_empty()) {
        for list in &mut lists {
            while let Some(i) = (!list.is_empty()).then(|| list.remove(0)) {
                if !chosen.contains(&i) {
                    if chosen.len() < max {
                        chosen.push(i);
                    }
                    break;
                }
            }
        }
    }
    chosen.sort();
    chosen.iter().map(|&i| rows[i]["Name"].clone()).collect()
}

fn stats_rows(path: &Path) -> Vec<BTreeMap<String, String>> {
    csv_rows(path)
        .into_iter()
        .map(|r| r.into_iter().collect::<BTreeMap<_, _>>())
        .filter(|r| r["Name"] != "Aggregated")
        .collect()
}

#[test]
fn reports_list_the_slowest_the_most_failing_and_the_busiest_and_say_how_many_more() {
    let dir = tempfile::tempdir().unwrap();
    numbered_set(
        dir.path(),
        "many",
        300,
        &[
            "demo/scenario1_concurrent_deployments",
            "demo/scenario3_connector_scaling",
            "demo/scenario4_burst_load",
        ],
    );
    std::fs::write(
        dir.path().join("loadgate.toml"),
        "[report]\nmax_endpoints = 12\n",
    )
    .unwrap();
    let out = dir.path().join("out");
    let run = check(&[dir.path().to_str().unwrap(), "--no-fail"], &out);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let rows = stats_rows(&dir.path().join("many_stats.csv"));
    assert_eq!(rows.len(), 300);
    let expected = expected_listing(&rows, 12);
    assert_eq!(expected.len(), 12);
    let md = read(&out.join("report.md"));
    assert_eq!(listed_names(&md), expected);
    let more = "12 of 300 endpoints shown: the slowest (by p95), the most failing and the busiest, in turn; the other 288 are in summary.json.";
    assert!(md.contains(&format!("\n{more}\n")), "{md}");
    let html = read(&out.join("report.html"));
    assert!(html.contains(&format!("<p class=\"note\">{more}</p>")));
    let table = html
        .split("<table class=\"endpoints\">")
        .nth(1)
        .and_then(|t| t.split("</table>").next())
        .unwrap();
    // report.html escapes every `/` as `&#x2f;`.
    let html_names: Vec<String> = table
        .split("<td class=\"name\">")
        .skip(1)
        .map(|c| c.split("</td>").next().unwrap().replace("&#x2f;", "/"))
        .collect();
    assert_eq!(html_names, expected);
    // summary.json keeps all of them, in file order.
    let summary = run.summary.unwrap();
    let names: Vec<&str> = summary["scenarios"][0]["endpoints"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["name"].as_str().unwrap())
        .collect();
    let all: Vec<&str> = rows.iter().map(|r| r["Name"].as_str()).collect();
    assert_eq!(names, all);

    // The job summary lists the same endpoints and says the same.
    let step = dir.path().join("step.md");
    let output = crate::util::loadgate()
        .args(["check", dir.path().to_str().unwrap(), "--out"])
        .arg(dir.path().join("out2"))
        .args(["--github", "--no-fail"])
        .env("GITHUB_STEP_SUMMARY", &step)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0));
    let step = read(&step);
    assert!(step.contains("<summary>300 endpoints</summary>"), "{step}");
    assert!(step.contains(more), "{step}");
    for name in &expected {
        assert!(step.contains(&format!("| {name} |")), "{name}\n{step}");
    }

    // Up to the limit, every endpoint is listed and nothing is said.
    std::fs::write(
        dir.path().join("loadgate.toml"),
        "[report]\nmax_endpoints = 300\n",
    )
    .unwrap();
    let run = check(&[dir.path().to_str().unwrap(), "--no-fail"], &out);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let md = read(&out.join("report.md"));
    assert_eq!(listed_names(&md), all);
    assert!(!md.contains("endpoints shown"), "{md}");
}

#[test]
fn more_than_1000_distinct_names_are_a_warning_that_says_how_to_name_requests() {
    let dir = tempfile::tempdir().unwrap();
    numbered_set(
        dir.path(),
        "ungrouped",
        1001,
        &["demo/scenario3_connector_scaling"],
    );
    numbered_set(
        dir.path(),
        "grouped",
        1000,
        &["demo/scenario3_connector_scaling"],
    );
    let out = dir.path().join("out");
    let run = check(&[dir.path().to_str().unwrap(), "--no-fail"], &out);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let warning = run
        .stderr
        .lines()
        .find(|l| l.contains("distinct endpoint names"))
        .unwrap_or_else(|| panic!("{}", run.stderr));
    assert_eq!(
        warning,
        "warning: scenario `ungrouped` has 1,001 distinct endpoint names: names like `/api/connectors/ansible/sync/0` look ungrouped (one per URL). Name the requests in the locustfile with `name=`, as in self.client.get(f\"/item/{id}\", name=\"/item/[id]\"); or merge them in loadgate.toml with [[scenarios.ungrouped.group]] pattern = \"/api/connectors/ansible/sync/*\""
    );
    assert_eq!(run.stderr.matches("distinct endpoint names").count(), 1);
    let summary = run.summary.unwrap();
    assert!(
        scenario(&summary, "ungrouped")["warnings"][0]
            .as_str()
            .unwrap()
            .contains("1,001 distinct endpoint names")
    );
    assert_eq!(
        scenario(&summary, "grouped")["warnings"],
        serde_json::json!([])
    );
    // The report's data notes have it too.
    assert!(read(&out.join("report.md")).contains("has 1,001 distinct endpoint names"));
}

#[test]
fn a_jtl_with_more_than_1000_labels_says_how_jmeter_names_samples() {
    // The real JTL's rows, each copy of a label numbered.
    let dir = tempfile::tempdir().unwrap();
    let jtl = read(&fixture("jmeter/checkout.jtl"));
    let mut lines = jtl.lines();
    let mut out = format!("{}\n", lines.next().unwrap());
    let rows: Vec<&str> = lines.collect();
    for (i, row) in rows.iter().cycle().take(1200).enumerate() {
        let mut fields: Vec<String> = row.split(',').map(String::from).collect();
        fields[2] = format!("/item/{i}");
        out.push_str(&fields.join(","));
        out.push('\n');
    }
    std::fs::write(dir.path().join("items.jtl"), out).unwrap();
    let run = check(
        &[dir.path().to_str().unwrap(), "--no-fail"],
        &dir.path().join("out"),
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stderr.contains("scenario `items` has 1,200 distinct endpoint names: names like `/item/0` look ungrouped (one per URL). JMeter labels a sample with its sampler's name: give each HTTP Request sampler a fixed name, not one made from the URL or a variable such as /item/${id}; or merge them in loadgate.toml with [[scenarios.items.group]] pattern = \"/item/*\""),
        "{}",
        run.stderr
    );
}

/// The samples' times of the labels of a JTL that `keep` admits.
fn jtl_elapsed(path: &Path, keep: impl Fn(&str) -> bool) -> (Vec<u64>, u64) {
    let mut elapsed = Vec::new();
    let mut failures = 0;
    for r in csv_rows(path) {
        if keep(&r["label"]) {
            elapsed.push(r["elapsed"].parse::<u64>().unwrap());
            failures += u64::from(r["success"] != "true");
        }
    }
    (elapsed, failures)
}

#[test]
fn a_group_of_jtl_labels_merges_counts_and_percentiles_exactly() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(
        fixture("jmeter/checkout_full.jtl"),
        dir.path().join("checkout_full.jtl"),
    )
    .unwrap();
    std::fs::write(
        dir.path().join("loadgate.toml"),
        "[defaults]\nthresholds = []\n[scenarios.checkout_full]\n[[scenarios.checkout_full.group]]\npattern = \"* deployment?\"\nname = \"deployments\"\n[[scenarios.checkout_full.endpoint]]\nname = \"deployments\"\nthresholds = [\"p99 < 10s\"]\n",
    )
    .unwrap();
    let out = dir.path().join("out");
    let run = check(&[dir.path().to_str().unwrap()], &out);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let summary = run.summary.unwrap();
    let s = scenario(&summary, "checkout_full");
    // "* deployment?": "list deployments" only ("create deployment" has no
    // character after "deployment").
    let jtl = fixture("jmeter/checkout_full.jtl");
    let (elapsed, failures) = jtl_elapsed(&jtl, |l| l == "list deployments");
    let names: Vec<&str> = s["endpoints"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["name"].as_str().unwrap())
        .collect();
    assert!(names.contains(&"deployments") && !names.contains(&"list deployments"));
    assert!(names.contains(&"create deployment"), "{names:?}");
    let merged = |s: &serde_json::Value| {
        s["endpoints"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["name"] == "deployments")
            .unwrap()
            .clone()
    };
    assert_eq!(merged(s)["requests"].as_u64(), Some(elapsed.len() as u64));
    assert_eq!(merged(s)["failures"].as_u64(), Some(failures));

    // Two labels in one group: `*` spans the rest of the name.
    std::fs::write(
        dir.path().join("loadgate.toml"),
        "[defaults]\nthresholds = []\n[scenarios.checkout_full]\n[[scenarios.checkout_full.group]]\npattern = \"* deployment*\"\nname = \"deployments\"\n[[scenarios.checkout_full.endpoint]]\nname = \"deployments\"\nthresholds = [\"p99 < 10s\"]\n",
    )
    .unwrap();
    let run = check(&[dir.path().to_str().unwrap()], &out);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let summary = run.summary.unwrap();
    let s = scenario(&summary, "checkout_full");
    let (elapsed, failures) = jtl_elapsed(&jtl, |l| {
        l.ends_with("deployment") || l.ends_with("deployments")
    });
    let m = merged(s);
    assert_eq!(m["requests"].as_u64(), Some(elapsed.len() as u64));
    assert_eq!(m["failures"].as_u64(), Some(failures));
    assert_eq!(
        m["min_ms"].as_f64(),
        Some(*elapsed.iter().min().unwrap() as f64)
    );
    assert_eq!(
        m["max_ms"].as_f64(),
        Some(*elapsed.iter().max().unwrap() as f64)
    );
    let mean = elapsed.iter().sum::<u64>() as f64 / elapsed.len() as f64;
    assert!((m["avg_ms"].as_f64().unwrap() - mean).abs() < 1e-9);
    assert_eq!(
        m["median_ms"].as_f64(),
        Some(nearest_rank(&elapsed, 5000) as f64)
    );
    for (label, hundredths) in crate::util::LEVELS {
        assert_eq!(
            m["percentiles_ms"][label].as_f64(),
            Some(nearest_rank(&elapsed, hundredths) as f64),
            "p{label}"
        );
    }
    assert_eq!(
        s["groups"],
        serde_json::json!([{ "method": "", "name": "deployments", "config_key": "scenarios.checkout_full.group[0]", "endpoints": 2, "percentiles": "exact" }])
    );
    // The check on the group is on the exact figures: no ≈.
    let c = &s["checks"][0];
    assert_eq!(c["endpoint"], "deployments");
    assert!(!c["message"].as_str().unwrap().contains('≈'), "{c}");
    assert!(!read(&out.join("report.md")).contains('≈'));
}

#[test]
fn a_group_of_locust_endpoints_with_json_histograms_is_exact_and_compares_with_the_baseline() {
    let config = "[defaults]\nthresholds = []\n[regression]\np99 = \"+15%\"\n[scenarios.checkout_api]\n[[scenarios.checkout_api.group]]\npattern = \"/api/*\"\nmethod = \"GET\"\nname = \"GET pages\"\n";
    let dir = tempfile::tempdir().unwrap();
    let toml = dir.path().join("loadgate.toml");
    std::fs::write(&toml, config).unwrap();
    let out = dir.path().join("out");
    let base = fixture("baseline/base");
    let slow = fixture("baseline/slow");
    let run = check(
        &[
            slow.to_str().unwrap(),
            "--config",
            toml.to_str().unwrap(),
            "--baseline",
            base.to_str().unwrap(),
            "--no-fail",
        ],
        &out,
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let summary = run.summary.unwrap();
    let s = scenario(&summary, "checkout_api");
    let rows = stats_rows(&slow.join("checkout_api_stats.csv"));
    let get: Vec<&BTreeMap<String, String>> = rows.iter().filter(|r| r["Type"] == "GET").collect();
    let sum = |c: &str| {
        get.iter()
            .map(|r| r[c].parse::<u64>().unwrap())
            .sum::<u64>()
    };
    let m = s["endpoints"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["name"] == "GET pages")
        .unwrap();
    assert_eq!(m["method"], "GET");
    assert_eq!(m["requests"].as_u64(), Some(sum("Request Count")));
    assert_eq!(m["failures"].as_u64(), Some(sum("Failure Count")));
    assert_eq!(
        s["endpoints"].as_array().unwrap().len(),
        2,
        "the POST stays"
    );
    // Percentiles from the --json-file histograms of both GET endpoints.
    let json: serde_json::Value =
        serde_json::from_str(&read(&slow.join("checkout_api.json"))).unwrap();
    let mut times: Vec<u64> = Vec::new();
    for entry in json
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["method"] == "GET")
    {
        for (ms, n) in entry["response_times"].as_object().unwrap() {
            let ms = ms.parse::<f64>().unwrap().round() as u64;
            times.extend(std::iter::repeat_n(ms, n.as_u64().unwrap() as usize));
        }
    }
    for (label, hundredths) in crate::util::LEVELS {
        assert_eq!(
            m["percentiles_ms"][label].as_f64(),
            Some(nearest_rank(&times, hundredths) as f64),
            "p{label}"
        );
    }
    assert_eq!(s["groups"][0]["percentiles"], "exact");
    // The baseline's endpoints were grouped the same way: the group is
    // compared, with the rank test on the merged histograms.
    let compared: Vec<&serde_json::Value> = s["comparisons"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["endpoint"] == "GET GET pages")
        .collect();
    assert!(!compared.is_empty(), "{}", s["comparisons"]);
    assert!(
        compared
            .iter()
            .all(|c| c["significance"]["test"] == "mann_whitney_u")
    );
    assert_eq!(s["new_endpoints"], serde_json::json!([]));
    assert_eq!(s["vanished_endpoints"], serde_json::json!([]));
}

#[test]
fn a_group_without_histograms_is_marked_approximate_and_a_group_that_matches_nothing_warns() {
    let dir = tempfile::tempdir().unwrap();
    for f in ["stats.csv", "failures.csv"] {
        std::fs::copy(
            fixture(&format!("demo/scenario3_connector_scaling_{f}")),
            dir.path().join(format!("connectors_{f}")),
        )
        .unwrap();
    }
    std::fs::write(
        dir.path().join("loadgate.toml"),
        "[defaults]\nthresholds = []\n[scenarios.connectors]\n[[scenarios.connectors.group]]\npattern = \"/api/connectors/*/sync\"\n[[scenarios.connectors.group]]\npattern = \"/api/healt?\"\nname = \"health\"\n[[scenarios.connectors.group]]\npattern = \"/api/conectors/*\"\n[[scenarios.connectors.endpoint]]\nname = \"/api/connectors/*/sync\"\nthresholds = [\"p95 < 1s\"]\n",
    )
    .unwrap();
    let out = dir.path().join("out");
    let run = check(&[dir.path().to_str().unwrap()], &out);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stderr.contains("warning: scenarios.connectors.group[2]: the group (pattern = \"/api/conectors/*\") matches no endpoint of scenario `connectors`"),
        "{}",
        run.stderr
    );
    let summary = run.summary.unwrap();
    let s = scenario(&summary, "connectors");
    let rows = stats_rows(&dir.path().join("connectors_stats.csv"));
    let sync: Vec<&BTreeMap<String, String>> = rows
        .iter()
        .filter(|r| r["Name"].ends_with("/sync"))
        .collect();
    assert_eq!(sync.len(), 5);
    let endpoints = s["endpoints"].as_array().unwrap();
    let names: Vec<&str> = endpoints
        .iter()
        .map(|e| e["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["/api/connectors/*/sync", "health"]);
    let m = &endpoints[0];
    let num = |r: &BTreeMap<String, String>, c: &str| r[c].parse::<f64>().unwrap();
    let n: u64 = sync
        .iter()
        .map(|r| r["Request Count"].parse::<u64>().unwrap())
        .sum();
    assert_eq!(m["requests"].as_u64(), Some(n));
    let rps: f64 = sync.iter().map(|r| num(r, "Requests/s")).sum();
    assert!((m["rps"].as_f64().unwrap() - rps).abs() < 1e-9);
    let min = sync
        .iter()
        .map(|r| num(r, "Min Response Time"))
        .fold(f64::MAX, f64::min);
    let max = sync
        .iter()
        .map(|r| num(r, "Max Response Time"))
        .fold(0.0, f64::max);
    assert_eq!(
        (m["min_ms"].as_f64(), m["max_ms"].as_f64()),
        (Some(min), Some(max))
    );
    let mean = sync
        .iter()
        .map(|r| num(r, "Average Response Time") * num(r, "Request Count"))
        .sum::<f64>()
        / n as f64;
    assert!((m["avg_ms"].as_f64().unwrap() - mean).abs() < 1e-9);
    // An estimate: between the lowest and the highest member's own value at
    // every level (the merged percentile of a mix always is).
    for (label, value) in m["percentiles_ms"].as_object().unwrap() {
        let members: Vec<f64> = sync.iter().map(|r| num(r, &format!("{label}%"))).collect();
        let v = value.as_f64().unwrap();
        let lo = members.iter().copied().fold(f64::MAX, f64::min);
        let hi = members.iter().copied().fold(0.0, f64::max);
        assert!(lo <= v && v <= hi, "p{label} {v} outside {lo}..{hi}");
    }
    assert_eq!(
        s["groups"],
        serde_json::json!([
            { "method": "POST", "name": "/api/connectors/*/sync", "config_key": "scenarios.connectors.group[0]", "endpoints": 5, "percentiles": "approximate" },
            { "method": "GET", "name": "health", "config_key": "scenarios.connectors.group[1]", "endpoints": 1, "percentiles": "exact" }
        ])
    );
    // The one-member group keeps the endpoint's own figures.
    let health = rows.iter().find(|r| r["Name"] == "/api/health").unwrap();
    assert_eq!(
        endpoints[1]["percentiles_ms"]["99"].as_f64(),
        Some(num(health, "99%"))
    );
    // The check on the estimate, the report's row and its data note say so.
    let c = &s["checks"][0];
    assert_eq!(c["endpoint"], "POST /api/connectors/*/sync");
    assert!(c["message"].as_str().unwrap().ends_with(
        "(≈: a group's percentiles estimated from its endpoints' own, which lean high)"
    ));
    let md = read(&out.join("report.md"));
    let row = md
        .lines()
        .find(|l| l.starts_with("| POST | /api/connectors/\\*/sync |"))
        .unwrap_or_else(|| panic!("{md}"));
    assert_eq!(row.matches("≈ ").count(), 3, "median, p95, p99: {row}");
    assert!(md.contains(
        "(a group of 5 endpoints, scenarios.connectors.group\\[0\\]) are estimated (≈) and lean high"
    ));
    let html = read(&out.join("report.html"));
    assert_eq!(html.matches("<td class=\"num\">≈ ").count(), 3);
}

#[test]
fn a_hundred_thousand_endpoints_give_bounded_reports_and_every_endpoint_one_a_line() {
    let dir = tempfile::tempdir().unwrap();
    let n = 100_000;
    numbered_set(
        dir.path(),
        "many",
        n,
        &["demo/scenario1_concurrent_deployments"],
    );
    let out = dir.path().join("out");
    let step = dir.path().join("step.md");
    let output = crate::util::loadgate()
        .args([
            "check",
            dir.path().to_str().unwrap(),
            "--no-fail",
            "--github",
            "--out",
        ])
        .arg(&out)
        .env("GITHUB_STEP_SUMMARY", &step)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0));
    let size = |name: &str| std::fs::metadata(out.join(name)).unwrap().len();
    let input = std::fs::metadata(dir.path().join("many_stats.csv"))
        .unwrap()
        .len()
        + std::fs::metadata(dir.path().join("many_failures.csv"))
            .unwrap()
            .len();
    assert!(size("report.html") < 2_000_000, "{}", size("report.html"));
    assert!(size("report.md") < 100_000, "{}", size("report.md"));
    assert!(std::fs::metadata(&step).unwrap().len() < 512 * 1024);
    // Every endpoint and failure, one a line: about twice the CSVs' bytes.
    assert!(
        size("summary.json") < 3 * input,
        "{} for {input}",
        size("summary.json")
    );
    let text = read(&out.join("summary.json"));
    let one_line = text
        .lines()
        .filter(|l| l.starts_with("        {\"method\":"))
        .count();
    let failures = csv_rows(&dir.path().join("many_failures.csv")).len();
    assert_eq!(one_line, n + failures);
    let summary: serde_json::Value = serde_json::from_str(&text).unwrap();
    let s = &summary["scenarios"][0];
    assert_eq!(s["endpoints"].as_array().unwrap().len(), n);
    assert_eq!(s["failures"].as_array().unwrap().len(), failures);
    let md = read(&out.join("report.md"));
    assert_eq!(listed_names(&md).len(), 50);
    assert!(md.contains("50 of 100,000 endpoints shown"));
}
