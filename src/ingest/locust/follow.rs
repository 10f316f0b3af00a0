//! The history's endpoint rows when a windowed endpoint check follows them:
//! each endpoint named to the observer once ([`Endpoints`]: Locust writes
//! the endpoints in the same order every tick, so the next row's endpoint
//! is guessed and confirmed by its bytes, with no UTF-8 check or hashing),
//! and a row whose figures are all plain read straight from its fields
//! ([`plain_row`]); anything else takes the general path, which reports
//! what is wrong with it.

use std::collections::HashMap;

use super::history::{HistoryColumns, unix_seconds};
use super::rows::{Fields, plain_count, plain_decimal};
use crate::ingest::HistoryObserver;

/// One endpoint (method, name) and what the observer said of it.
struct Endpoint {
    method: String,
    name: String,
    /// The observer wants its rows.
    wanted: bool,
    /// Its number for [`HistoryObserver::observe_endpoint`], if the observer has one.
    id: Option<usize>,
    /// The endpoint whose row followed this one's last time.
    next: Option<usize>,
}

/// The endpoints seen so far, in order of first appearance.
#[derive(Default)]
pub(super) struct Endpoints {
    known: Vec<Endpoint>,
    /// Name → the indices of its methods' entries.
    by_name: HashMap<String, Vec<usize>>,
    /// The previous row's endpoint.
    last: Option<usize>,
}

impl Endpoints {
    /// The endpoint of a row's `Type` and `Name` fields, asked of `observer`
    /// when new; `None` when a field is not UTF-8 (the general path reports it).
    pub(super) fn find<O: HistoryObserver + ?Sized>(
        &mut self,
        method: &[u8],
        name: &[u8],
        observer: &mut O,
    ) -> Option<usize> {
        let is = |e: &Endpoint| e.name.as_bytes() == name && e.method.as_bytes() == method;
        let guess = self.last.and_then(|l| self.known[l].next);
        let found = match guess {
            Some(g) if is(&self.known[g]) => g,
            _ => {
                let (method, name) = (
                    std::str::from_utf8(method).ok()?,
                    std::str::from_utf8(name).ok()?,
                );
                let known = self.by_name.get(name).and_then(|ids| {
                    ids.iter()
                        .copied()
                        .find(|&i| self.known[i].method == method)
                });
                let found = known.unwrap_or_else(|| self.add(method, name, observer));
                if let Some(l) = self.last {
                    self.known[l].next = Some(found);
                }
                found
            }
        };
        self.last = Some(found);
        Some(found)
    }

    fn add<O: HistoryObserver + ?Sized>(&mut self, method: &str, name: &str, o: &mut O) -> usize {
        let wanted = o.wants_endpoint(method, name);
        let i = self.known.len();
        self.known.push(Endpoint {
            method: method.to_string(),
            name: name.to_string(),
            wanted,
            id: if wanted {
                o.endpoint_id(method, name)
            } else {
                None
            },
            next: None,
        });
        self.by_name.entry(name.to_string()).or_default().push(i);
        i
    }

    /// Whether the observer wants the rows of endpoint `i`.
    pub(super) fn wanted(&self, i: usize) -> bool {
        self.known[i].wanted
    }

    /// Endpoint `i`'s method, name and observer's number.
    pub(super) fn get(&self, i: usize) -> (&str, &str, Option<usize>) {
        let e = &self.known[i];
        (&e.method, &e.name, e.id)
    }
}

/// The figures of an endpoint row when every one it needs is plain (digits
/// with an optional fraction; `N/A` for a percentile): its timestamp,
/// users, requests/s and failures/s, and the `percentiles` columns' values
/// into `out`. `None` for anything else.
pub(super) fn plain_row(
    fields: Fields<'_>,
    cols: &HistoryColumns,
    percentiles: &[(usize, String, f64)],
    out: &mut Vec<(f64, Option<f64>)>,
) -> Option<(i64, u64, f64, f64)> {
    let ts = unix_seconds(fields.get(cols.timestamp)?)?;
    let users = match cols.users {
        Some(col) => plain_count(fields.get(col)?)?,
        None => 0,
    };
    let rps = plain_decimal(fields.get(cols.rps)?)?;
    let fps = plain_decimal(fields.get(cols.fps)?)?;
    out.clear();
    for (col, _, level) in percentiles {
        let field = fields.get(*col)?;
        let value = match field {
            b"N/A" => None,
            _ => Some(plain_decimal(field)?),
        };
        out.push((*level, value));
    }
    Some((ts, users, rps, fps))
}

/// The percentile columns an endpoint row needs: the probes' `levels`
/// (all when `None`), and the top level, which tells old Locust's zeros
/// for an empty window (all are zero exactly when it is).
pub(super) fn endpoint_percentiles(
    cols: &HistoryColumns,
    levels: Option<&[f64]>,
) -> Vec<(usize, String, f64)> {
    let Some(levels) = levels else {
        return cols.percentiles.clone();
    };
    let top = cols
        .percentiles
        .iter()
        .map(|(_, _, l)| *l)
        .fold(f64::MIN, f64::max);
    cols.percentiles
        .iter()
        .filter(|(_, _, level)| levels.contains(level) || *level == top)
        .cloned()
        .collect()
}
