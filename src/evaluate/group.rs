//! Endpoint groups (`[[scenarios.X.group]]`): the endpoints whose names
//! match a pattern become one endpoint, before anything is judged, so a run
//! that named every URL on its own (`/item/1`, `/item/2`, …) is checked,
//! compared and reported as `/item/*`.
//!
//! An endpoint belongs to the first group (in config order) that admits it;
//! a group holds one merged endpoint per method. Counts merge exactly:
//! requests, failures and their rates are sums (every endpoint's rate is
//! over the same run), min and max the lowest and highest, the mean the
//! request-weighted mean. Percentiles merge exactly only from every
//! request's time: where the scenario has a response-time histogram for
//! every member (JMeter, k6 samples, Gatling, hey, Locust's `--json-file`),
//! the group's percentiles are nearest-rank values of their sum, to the
//! whole millisecond the histograms are kept in. Otherwise they are
//! [`Exactness::Approximate`]: see [`approximate`]. The failures and the
//! histograms are merged the same way.

use std::collections::{BTreeMap, HashMap};

use serde::Serialize;

use crate::config::{Config, GroupConfig};
use crate::format;
use crate::model::{
    Endpoint, FailureRow, Histogram, Histograms, RunSnapshot, ScenarioData, Stats, success_rate,
};

/// What a check or a report says of a group's estimated percentiles.
pub const APPROXIMATE_NOTE: &str =
    "≈: a group's percentiles estimated from its endpoints' own, which lean high";

/// How a group's percentiles were obtained.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Exactness {
    /// From every member's histogram, or the one member's own figures.
    Exact,
    /// Estimated from the members' own percentiles (see [`approximate`]).
    Approximate,
}

/// One merged endpoint (summary.json `groups`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GroupResult {
    pub method: String,
    pub name: String,
    /// The group table, e.g. `scenarios.api.group[0]`.
    pub config_key: String,
    /// How many endpoints it merged.
    pub endpoints: usize,
    /// `exact` or `approximate`.
    pub percentiles: Exactness,
}

/// What grouping did to a scenario.
#[derive(Debug, Default)]
pub struct Grouped {
    pub groups: Vec<GroupResult>,
    pub warnings: Vec<String>,
    pub errors: Vec<String>,
}

/// Above this many distinct endpoint names a scenario gets a warning: its
/// load script most likely named every URL on its own.
pub const UNGROUPED_ABOVE: usize = 1_000;

/// The warning for a scenario with more than [`UNGROUPED_ABOVE`] distinct
/// endpoint names: an example that looks like an id in a URL, how the tool
/// names requests, and the group table that would merge them. `key` is the
/// scenario's config table, if it has one.
pub fn ungrouped(scenario: &str, key: Option<&str>, data: &ScenarioData) -> Option<String> {
    if data.endpoints.len() <= UNGROUPED_ABOVE {
        return None;
    }
    let distinct = distinct_names(&data.endpoints);
    if distinct <= UNGROUPED_ABOVE {
        return None;
    }
    let example = data
        .endpoints
        .iter()
        .map(|e| e.name.as_str())
        .find(|n| n.bytes().any(|b| b.is_ascii_digit()))
        .unwrap_or(data.endpoints[0].name.as_str());
    let table = key.map_or_else(|| toml_key(scenario), toml_key);
    Some(format!(
        "scenario `{scenario}` has {} distinct endpoint names: names like `{}` look ungrouped (one per URL). {}; or merge them in loadgate.toml with [[scenarios.{table}.group]] pattern = \"{}\"",
        format::count(distinct as u64),
        format::clipped(example, 80),
        capitalised(crate::ingest::naming_hint(data.tool.name)),
        // As a TOML basic string.
        format::clipped(&digits_as_stars(example), 80)
            .replace('\\', "\\\\")
            .replace('"', "\\\"")
    ))
}

/// How many names the endpoints have: counted in one pass when they are in
/// name order (Locust sorts them so), else through a set.
fn distinct_names(endpoints: &[Endpoint]) -> usize {
    if endpoints.is_sorted_by(|a, b| a.name <= b.name) {
        1 + endpoints
            .windows(2)
            .filter(|w| w[0].name != w[1].name)
            .count()
    } else {
        endpoints
            .iter()
            .map(|e| e.name.as_str())
            .collect::<std::collections::HashSet<_>>()
            .len()
    }
}

/// `/item/123/part/4` → `/item/*/part/*`.
fn digits_as_stars(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut in_digits = false;
    for c in name.chars() {
        let digit = c.is_ascii_digit();
        if !digit {
            out.push(c);
        } else if !in_digits {
            out.push('*');
        }
        in_digits = digit;
    }
    out
}

fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    chars
        .next()
        .map_or_else(String::new, |c| c.to_uppercase().chain(chars).collect())
}

/// A scenario key as a dotted TOML path writes it.
fn toml_key(key: &str) -> String {
    if !key.is_empty()
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
    {
        key.to_string()
    } else {
        format!("{key:?}")
    }
}

/// The group (index in `groups`) an endpoint belongs to: the first that admits it.
fn group_of(groups: &[GroupConfig], method: &str, name: &str) -> Option<usize> {
    groups.iter().position(|g| g.admits(method, name))
}

/// The config's groups applied to a run read for comparison (a baseline,
/// or `compare`'s two runs), so its endpoints meet this run's merged ones.
/// Its unmatched groups are not warned about again.
pub fn apply_to_run(config: &Config, run: &mut RunSnapshot) {
    for s in &mut run.scenarios {
        if let Ok(Some(sc)) = config.scenario_for(&s.name)
            && !sc.groups.is_empty()
        {
            apply(
                &sc.groups,
                &s.name,
                &mut s.endpoints,
                None,
                s.histograms.as_mut(),
            );
        }
    }
}

/// Merge a scenario's endpoints by its groups, in place: each merged
/// endpoint takes the place of its first member; the failures and the
/// histograms follow. `scenario` names it in messages.
pub fn apply(
    groups: &[GroupConfig],
    scenario: &str,
    endpoints: &mut Vec<Endpoint>,
    failures: Option<&mut Vec<FailureRow>>,
    mut histograms: Option<&mut Histograms>,
) -> Grouped {
    let mut out = Grouped::default();
    if groups.is_empty() {
        return out;
    }
    // Slots: one per (group name, method), in order of their first member.
    // Which endpoints are members is one bit each: there may be a million.
    let mut slots: Vec<Slot<'_>> = Vec::new();
    let mut slot_of: HashMap<(&str, &str), usize> = HashMap::new();
    let mut is_member: Vec<bool> = Vec::with_capacity(endpoints.len());
    for (i, e) in endpoints.iter().enumerate() {
        let slot = group_of(groups, &e.method, &e.name).map(|g| {
            let key = (groups[g].name.as_str(), e.method.as_str());
            *slot_of.entry(key).or_insert_with(|| {
                slots.push(Slot {
                    group: g,
                    method: e.method.clone(),
                    first: i,
                    members: Vec::new(),
                });
                slots.len() - 1
            })
        });
        if let Some(s) = slot {
            slots[s].members.push(e);
        }
        is_member.push(slot.is_some());
    }
    drop(slot_of);
    for (g, group) in groups.iter().enumerate() {
        if !slots.iter().any(|s| s.group == g) {
            out.warnings.push(format!(
                "{}: {} (pattern = \"{}\") matches no endpoint of scenario `{scenario}`{}",
                group.key,
                group.method.as_ref().map_or_else(
                    || "the group".to_string(),
                    |m| format!("the group of {m} requests")
                ),
                group.pattern,
                format::did_you_mean(
                    &group.pattern.to_string(),
                    endpoints.iter().map(|e| e.name.as_str())
                )
            ));
        }
    }
    let mut merged: Vec<Endpoint> = Vec::with_capacity(slots.len());
    for slot in &slots {
        let group = &groups[slot.group];
        let members = &slot.members;
        let member_histograms: Option<Vec<&Histogram>> = histograms.as_deref().and_then(|h| {
            members
                .iter()
                .filter(|e| e.stats.requests > 0)
                .map(|e| h.endpoints.get(&(e.method.clone(), e.name.clone())))
                .collect()
        });
        let (stats, exactness) = match merge(members, member_histograms.as_deref()) {
            Ok(v) => v,
            Err(e) => {
                out.errors.push(format!("{}: {e}", group.key));
                continue;
            }
        };
        if let Some(h) = histograms.as_deref_mut() {
            let mut sum = Histogram::new();
            for e in members {
                if let Some(one) = h.endpoints.remove(&(e.method.clone(), e.name.clone())) {
                    for (k, n) in one {
                        *sum.entry(k).or_default() += n;
                    }
                }
            }
            if exactness == Exactness::Exact && !sum.is_empty() {
                h.endpoints
                    .insert((slot.method.clone(), group.name.clone()), sum);
            }
        }
        out.groups.push(GroupResult {
            method: slot.method.clone(),
            name: group.name.clone(),
            config_key: group.key.clone(),
            endpoints: members.len(),
            percentiles: exactness,
        });
        merged.push(Endpoint {
            method: slot.method.clone(),
            name: group.name.clone(),
            stats,
        });
    }
    // Each merged endpoint in place of its first member; the rest go. In
    // place: a scenario may have a million endpoints.
    let firsts: Vec<usize> = slots.iter().map(|s| s.first).collect();
    drop(slots);
    let mut i = 0;
    endpoints.retain(|_| {
        let keep = !is_member[i];
        i += 1;
        keep
    });
    let mut kept_before = 0;
    let mut at = 0;
    let mut places: Vec<usize> = Vec::with_capacity(firsts.len());
    for (index, member) in is_member.iter().enumerate() {
        if firsts.get(at) == Some(&index) {
            places.push(kept_before + at);
            at += 1;
        }
        kept_before += usize::from(!member);
    }
    for (place, endpoint) in places.into_iter().zip(merged) {
        endpoints.insert(place, endpoint);
    }
    if let Some(failures) = failures {
        merge_failures(groups, failures, &mut out.errors);
    }
    out
}

/// A merged endpoint being built: its group, method, first member's index
/// and members.
struct Slot<'a> {
    group: usize,
    method: String,
    first: usize,
    members: Vec<&'a Endpoint>,
}

/// Rename the failures of group members to their group and add up those
/// that become one row (method, name, error), keeping the first's place.
fn merge_failures(
    groups: &[GroupConfig],
    failures: &mut Vec<FailureRow>,
    errors: &mut Vec<String>,
) {
    let mut first: HashMap<(String, String, String), usize> = HashMap::new();
    let mut keep = vec![true; failures.len()];
    for i in 0..failures.len() {
        let Some(g) = group_of(groups, &failures[i].method, &failures[i].name) else {
            continue;
        };
        failures[i].name = groups[g].name.clone();
        let f = &failures[i];
        let key = (f.method.clone(), f.name.clone(), f.error.clone());
        match first.get(&key) {
            Some(&j) => {
                let n = failures[i].occurrences;
                match failures[j].occurrences.checked_add(n) {
                    Some(sum) => failures[j].occurrences = sum,
                    None => errors.push(format!(
                        "{}: the failures of `{}` add up to more than {}",
                        groups[g].key,
                        format::display(&groups[g].name),
                        format::count(u64::MAX)
                    )),
                }
                keep[i] = false;
            }
            None => {
                first.insert(key, i);
            }
        }
    }
    let mut i = 0;
    failures.retain(|_| {
        let k = keep[i];
        i += 1;
        k
    });
}

/// The merged stats of `members`, and whether their percentiles are exact.
/// `histograms`: every member's with requests, when there are all of them.
fn merge(
    members: &[&Endpoint],
    histograms: Option<&[&Histogram]>,
) -> Result<(Stats, Exactness), String> {
    // The members that ran: a group may have a million.
    let ran = || members.iter().map(|e| &e.stats).filter(|s| s.requests > 0);
    let mut first_two = ran();
    if let (Some(one), None) = (first_two.next(), first_two.next()) {
        // One member that ran: its own figures, as the tool computed them.
        let mut stats = one.clone();
        stats.rps = members.iter().map(|e| e.stats.rps).sum();
        stats.failures_per_s = members.iter().map(|e| e.stats.failures_per_s).sum();
        return Ok((stats, Exactness::Exact));
    }
    let overflow = || {
        format!(
            "the group's counts add up to more than {}",
            format::count(u64::MAX)
        )
    };
    let mut requests: u64 = 0;
    let mut failures: u64 = 0;
    for e in members {
        requests = requests
            .checked_add(e.stats.requests)
            .ok_or_else(overflow)?;
        failures = failures
            .checked_add(e.stats.failures)
            .ok_or_else(overflow)?;
    }
    let lowest = |f: fn(&Stats) -> Option<f64>| ran().filter_map(f).reduce(f64::min);
    let highest = |f: fn(&Stats) -> Option<f64>| ran().filter_map(f).reduce(f64::max);
    let (weight, sum) = ran()
        .filter_map(|s| Some((s.requests, s.avg_ms?)))
        .fold((0u64, 0.0), |(w, sum), (n, avg)| {
            (w.saturating_add(n), sum + avg * n as f64)
        });
    let avg_ms = (weight > 0).then(|| sum / weight as f64);
    let any_ran = ran().next().is_some();
    // The columns of the first member that has any.
    let columns = members
        .iter()
        .map(|e| &e.stats.percentiles_ms)
        .find(|p| !p.labels().is_empty())
        .cloned()
        .unwrap_or_default();
    let levels: Vec<(&str, f64)> = columns.iter().map(|(l, level, _)| (l, level)).collect();
    let (median_ms, values, exactness) = match histograms {
        Some(hs) if any_ran => {
            let mut sum = Histogram::new();
            for h in hs {
                for (&k, &n) in *h {
                    let slot = sum.entry(k).or_default();
                    *slot = slot.checked_add(n).ok_or_else(overflow)?;
                }
            }
            let n = sum
                .values()
                .try_fold(0u64, |a, &c| a.checked_add(c))
                .ok_or_else(overflow)?;
            let at = |label: &str, level: f64| nearest_rank(&sum, n, label, level);
            let values: Vec<Option<f64>> = levels.iter().map(|&(l, level)| at(l, level)).collect();
            (at("50", 50.0), values, Exactness::Exact)
        }
        _ if !any_ran => (None, vec![None; levels.len()], Exactness::Exact),
        _ => {
            let estimate = approximate(ran());
            let values = levels
                .iter()
                .map(|&(_, level)| estimate.at(level))
                .collect();
            (estimate.at(50.0), values, Exactness::Approximate)
        }
    };
    Ok((
        Stats {
            requests,
            failures,
            success_rate: success_rate(requests, failures),
            rps: members.iter().map(|e| e.stats.rps).sum(),
            failures_per_s: members.iter().map(|e| e.stats.failures_per_s).sum(),
            median_ms,
            avg_ms,
            min_ms: lowest(|s| s.min_ms),
            max_ms: highest(|s| s.max_ms),
            percentiles_ms: columns.with_values(values),
        },
        exactness,
    ))
}

/// The nearest-rank percentile of a per-millisecond histogram holding `n`
/// requests: the smallest time with at least `level` % of them at or below
/// it. The rank is computed from the label's decimal digits (`99.9` is
/// 999/1000), so no float rounding moves it; a label that is not plain
/// decimal digits uses `level`.
fn nearest_rank(h: &Histogram, n: u64, label: &str, level: f64) -> Option<f64> {
    if n == 0 {
        return None;
    }
    // level % = num / den; the rank is ceil(n × num / den), at least 1.
    let (num, den) = decimal(label).unwrap_or(((level * 10_000.0).round() as u128, 1_000_000));
    let rank = (u128::from(n) * num).div_ceil(den).max(1);
    let mut seen: u128 = 0;
    for (&ms, &count) in h {
        seen += u128::from(count);
        if seen >= rank {
            return Some(ms as f64);
        }
    }
    h.keys().next_back().map(|&ms| ms as f64)
}

/// A percent label as a fraction: `99.9` → (999, 1000 × 10).
fn decimal(label: &str) -> Option<(u128, u128)> {
    let (int, frac) = label.split_once('.').unwrap_or((label, ""));
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if !digits(int) || !(frac.is_empty() || digits(frac)) || frac.len() > 12 {
        return None;
    }
    let num: u128 = format!("{int}{frac}").parse().ok()?;
    Some((num, 100 * 10u128.pow(frac.len() as u32)))
}

/// The merged percentiles estimated from the members' own: each member's
/// requests are spread over its percentile steps, the share between two
/// neighbouring columns placed at the upper one's value (the requests
/// between its p95 and p98 at its p98, those below its p50 at its p50, the
/// last share at its max), and the merged percentile at N % is the smallest
/// of those values with N % of the spread requests at or below it. Every
/// request is placed at or above its true time, so the estimate leans high:
/// it is not below the exact figure (but for the members' own rounding, such
/// as Locust's buckets), and it can be above it by up to the gap between a
/// member's neighbouring columns. The values are kept at 0.01 ms.
pub fn approximate<'a>(members: impl IntoIterator<Item = &'a Stats>) -> Estimate {
    let mut weights: BTreeMap<u64, f64> = BTreeMap::new();
    for s in members {
        let mut points: Vec<(f64, f64)> = s
            .percentiles_ms
            .iter()
            .filter_map(|(_, level, v)| Some((level, v?)))
            .collect();
        if !points.iter().any(|(l, _)| *l == 50.0)
            && let Some(m) = s.median_ms
        {
            points.push((50.0, m));
        }
        if !points.iter().any(|(l, _)| *l >= 100.0)
            && let Some(max) = s.max_ms
        {
            points.push((100.0, max));
        }
        points.sort_by(|a, b| a.0.total_cmp(&b.0));
        let mut below = 0.0;
        for (level, ms) in points {
            let share = (level.min(100.0) - below).max(0.0);
            below = below.max(level.min(100.0));
            if share > 0.0 {
                *weights.entry((ms * 100.0).round() as u64).or_default() +=
                    s.requests as f64 * share / 100.0;
            }
        }
    }
    Estimate { weights }
}

/// Spread requests by time (0.01 ms): what [`approximate`] reads percentiles from.
pub struct Estimate {
    weights: BTreeMap<u64, f64>,
}

impl Estimate {
    /// The smallest time with at least `level` % of the weight at or below it.
    pub fn at(&self, level: f64) -> Option<f64> {
        let total: f64 = self.weights.values().sum();
        if total <= 0.0 {
            return None;
        }
        // A relative tolerance: the shares are sums of floats.
        let target = total * level / 100.0 * (1.0 - 1e-12);
        let mut seen = 0.0;
        for (&key, &w) in &self.weights {
            seen += w;
            if seen >= target {
                return Some(key as f64 / 100.0);
            }
        }
        self.weights.keys().next_back().map(|&k| k as f64 / 100.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Glob;
    use crate::model::{Percentile, Percentiles};

    fn group(pattern: &str, key: usize) -> GroupConfig {
        GroupConfig {
            pattern: Glob::new(pattern),
            name: pattern.to_string(),
            method: None,
            key: format!("scenarios.s.group[{key}]"),
        }
    }

    /// An endpoint with `times` as its requests, Locust-style figures.
    fn endpoint(method: &str, name: &str, times: &[u64], failures: u64) -> Endpoint {
        let n = times.len() as u64;
        let mut h = Histogram::new();
        times.iter().for_each(|&t| *h.entry(t).or_default() += 1);
        let levels = [("50", 50.0), ("95", 95.0), ("99", 99.0), ("100", 100.0)];
        Endpoint {
            method: method.into(),
            name: name.into(),
            stats: Stats {
                requests: n,
                failures,
                success_rate: success_rate(n, failures),
                rps: n as f64 / 10.0,
                failures_per_s: failures as f64 / 10.0,
                median_ms: nearest_rank(&h, n, "50", 50.0),
                avg_ms: (n > 0).then(|| times.iter().sum::<u64>() as f64 / n as f64),
                min_ms: times.iter().min().map(|&t| t as f64),
                max_ms: times.iter().max().map(|&t| t as f64),
                percentiles_ms: Percentiles(
                    levels
                        .iter()
                        .map(|&(label, level)| Percentile {
                            label: label.into(),
                            level,
                            value_ms: nearest_rank(&h, n, label, level),
                        })
                        .collect(),
                ),
            },
        }
    }

    fn histograms(endpoints: &[(&Endpoint, &[u64])]) -> Histograms {
        let mut out = Histograms::default();
        for (e, times) in endpoints {
            let h = out
                .endpoints
                .entry((e.method.clone(), e.name.clone()))
                .or_default();
            times.iter().for_each(|&t| *h.entry(t).or_default() += 1);
        }
        out
    }

    #[test]
    fn counts_merge_exactly_and_percentiles_exactly_from_histograms() {
        let a: Vec<u64> = (1..=60).collect();
        let b: Vec<u64> = (100..=139).collect();
        let ea = endpoint("GET", "/item/1", &a, 3);
        let eb = endpoint("GET", "/item/2", &b, 1);
        let other = endpoint("GET", "/health", &[5, 5], 0);
        let mut h = histograms(&[(&ea, &a), (&eb, &b), (&other, &[5, 5])]);
        let mut endpoints = vec![other.clone(), ea.clone(), eb.clone()];
        let mut failures = vec![
            FailureRow {
                method: "GET".into(),
                name: "/item/1".into(),
                error: "500".into(),
                occurrences: 3,
            },
            FailureRow {
                method: "GET".into(),
                name: "/item/2".into(),
                error: "500".into(),
                occurrences: 1,
            },
        ];
        let g = apply(
            &[group("/item/*", 0)],
            "s",
            &mut endpoints,
            Some(&mut failures),
            Some(&mut h),
        );
        assert_eq!(g.warnings, Vec::<String>::new());
        assert_eq!(endpoints.len(), 2);
        assert_eq!(endpoints[0], other);
        let m = &endpoints[1];
        assert_eq!((m.method.as_str(), m.name.as_str()), ("GET", "/item/*"));
        assert_eq!((m.stats.requests, m.stats.failures), (100, 4));
        assert_eq!(m.stats.success_rate, Some(96.0));
        assert!((m.stats.rps - 10.0).abs() < 1e-9);
        assert_eq!((m.stats.min_ms, m.stats.max_ms), (Some(1.0), Some(139.0)));
        let all: Vec<u64> = a.iter().chain(&b).copied().collect();
        let mean = all.iter().sum::<u64>() as f64 / 100.0;
        assert!((m.stats.avg_ms.unwrap() - mean).abs() < 1e-9);
        // The 50th of 100 sorted times is 50; the 95th is 134; the 99th 138.
        assert_eq!(m.stats.median_ms, Some(50.0));
        assert_eq!(m.stats.percentiles_ms.get(95.0), Some(Some(134.0)));
        assert_eq!(m.stats.percentiles_ms.get(99.0), Some(Some(138.0)));
        assert_eq!(m.stats.percentiles_ms.get(100.0), Some(Some(139.0)));
        assert_eq!(
            g.groups,
            vec![GroupResult {
                method: "GET".into(),
                name: "/item/*".into(),
                config_key: "scenarios.s.group[0]".into(),
                endpoints: 2,
                percentiles: Exactness::Exact,
            }]
        );
        assert_eq!(failures.len(), 1);
        assert_eq!(
            (failures[0].name.as_str(), failures[0].occurrences),
            ("/item/*", 4)
        );
        let merged = &h.endpoints[&("GET".to_string(), "/item/*".to_string())];
        assert_eq!(merged.values().sum::<u64>(), 100);
        assert!(
            !h.endpoints
                .contains_key(&("GET".to_string(), "/item/1".to_string()))
        );
    }

    #[test]
    fn without_histograms_percentiles_are_an_estimate_that_leans_high() {
        let a: Vec<u64> = (1..=60).collect();
        let b: Vec<u64> = (100..=139).collect();
        let mut endpoints = vec![
            endpoint("GET", "/item/1", &a, 0),
            endpoint("GET", "/item/2", &b, 0),
        ];
        let g = apply(&[group("/item/*", 0)], "s", &mut endpoints, None, None);
        assert_eq!(g.groups[0].percentiles, Exactness::Approximate);
        let m = &endpoints[0].stats;
        assert_eq!(m.requests, 100);
        // Exact: p50 50, p95 134, p99 138. Estimated from the members' own
        // p50/p95/p99/p100, never below the exact figure.
        let p = |l: f64| m.percentiles_ms.get(l).flatten().unwrap();
        assert_eq!(m.median_ms, Some(57.0)); // a's p95: its 50–95 % share
        assert!(p(95.0) >= 134.0 && p(95.0) <= 139.0, "{}", p(95.0));
        assert!(p(99.0) >= 138.0 && p(99.0) <= 139.0, "{}", p(99.0));
        assert_eq!(p(100.0), 139.0);
    }

    #[test]
    fn groups_take_the_first_members_place_per_method_and_unmatched_groups_warn() {
        let e = |m: &str, n: &str| endpoint(m, n, &[10, 20], 0);
        let mut endpoints = vec![
            e("GET", "/a"),
            e("GET", "/item/1"),
            e("POST", "/item/1"),
            e("GET", "/b"),
            e("GET", "/item/2"),
            e("GET", "/user/1"),
        ];
        let groups = [
            group("/item/?", 0),
            group("/nothing/*", 1),
            group("/user/*", 2),
        ];
        let g = apply(&groups, "s", &mut endpoints, None, None);
        let names: Vec<String> = endpoints.iter().map(Endpoint::label).collect();
        assert_eq!(
            names,
            [
                "GET /a",
                "GET /item/?",
                "POST /item/?",
                "GET /b",
                "GET /user/*"
            ]
        );
        assert_eq!(g.groups.len(), 3);
        assert_eq!(g.groups[0].endpoints, 2);
        // One member: its own figures, exact.
        assert_eq!(g.groups[1].percentiles, Exactness::Exact);
        assert_eq!(g.warnings.len(), 1, "{:?}", g.warnings);
        assert!(
            g.warnings[0].starts_with(
                "scenarios.s.group[1]: the group (pattern = \"/nothing/*\") matches no endpoint of scenario `s`"
            ),
            "{}",
            g.warnings[0]
        );
    }

    #[test]
    fn the_ungrouped_warning_suggests_a_pattern_with_stars_for_the_numbers() {
        assert_eq!(digits_as_stars("/item/123/part/4"), "/item/*/part/*");
        assert_eq!(digits_as_stars("/v2/x"), "/v*/x");
        let mut data = crate::model::ScenarioData {
            tool: crate::model::ToolInfo {
                name: "locust",
                version: None,
            },
            totals: endpoint("", "Aggregated", &[1], 0).stats,
            endpoints: (0..=UNGROUPED_ABOVE)
                .map(|i| endpoint("GET", &format!("/a\"b/{i}"), &[1], 0))
                .collect(),
            history: None,
            failures: Vec::new(),
            exceptions: Vec::new(),
            histograms: None,
        };
        let w = ungrouped("s 1", None, &data).unwrap();
        assert!(w.starts_with("scenario `s 1` has 1,001 distinct endpoint names: names like `/a\"b/0` look ungrouped"), "{w}");
        assert!(w.contains("`name=`"), "{w}");
        assert!(
            w.ends_with("[[scenarios.\"s 1\".group]] pattern = \"/a\\\"b/*\""),
            "{w}"
        );
        // Two methods of one name are one name.
        data.endpoints.truncate(UNGROUPED_ABOVE);
        data.endpoints.push(endpoint("POST", "/a\"b/0", &[1], 0));
        assert_eq!(ungrouped("s", None, &data), None);
    }

    #[test]
    fn ranks_come_from_the_labels_digits() {
        let h: Histogram = (1..=1000).map(|t| (t, 1)).collect();
        // 99.9 % of 1,000 is the 999th exactly; a float rank would say 1,000.
        assert_eq!(nearest_rank(&h, 1000, "99.9", 99.9), Some(999.0));
        assert_eq!(nearest_rank(&h, 1000, "50", 50.0), Some(500.0));
        assert_eq!(nearest_rank(&h, 1000, "99.99", 99.99), Some(1000.0));
        assert_eq!(decimal("99.9"), Some((999, 1000)));
        assert_eq!(decimal("1e2"), None);
        assert_eq!(nearest_rank(&Histogram::new(), 0, "50", 50.0), None);
    }
}
