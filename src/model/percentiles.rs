//! A row's percentiles: the columns a file has (shared by its rows) and
//! a row's values, and how they read from and write to summary.json.

use std::sync::Arc;

use serde::ser::SerializeMap;
use serde::{Deserialize, Serialize};

/// One percentile column of a stats or history row, e.g. `99.9%`: what a
/// reader hands to [`Percentiles()`] (a row's percentiles are stored more
/// compactly, see [`Percentiles`]).
#[derive(Debug, Clone, PartialEq)]
pub struct Percentile {
    /// The column label without the `%` sign, exactly as Locust wrote it (`"99.9"`).
    pub label: String,
    /// The label as a number, for matching `p99.9` against `99.9%`.
    pub level: f64,
    /// The response time in ms, `None` where Locust wrote `N/A`.
    pub value_ms: Option<f64>,
}

/// A percentile column's label and level, shared by every row that has it.
#[derive(Debug, PartialEq)]
struct Column {
    label: Box<str>,
    level: f64,
}

/// The percentile columns of one row, in the order the file wrote them.
///
/// A scenario with a million endpoints has a million of these, so they are
/// kept small: the columns (label and level) are one shared list for all
/// the rows built one after another with the same columns (the rows of one
/// file), and each row holds only its values (`NaN` for no value; readers
/// never produce a NaN time). Build one with [`Percentiles()`] or `collect()`.
#[derive(Clone)]
pub struct Percentiles {
    columns: Arc<[Column]>,
    values: Box<[f64]>,
}

thread_local! {
    /// The columns of the last row built on this thread: the next row of
    /// the same file shares them instead of copying every label.
    static LAST_COLUMNS: std::cell::RefCell<Option<Arc<[Column]>>> =
        const { std::cell::RefCell::new(None) };
}

/// A row's percentiles from its columns, in file order; the constructor
/// every reader calls, spelt like the tuple struct `Percentiles` once was so
/// that readers build one as they always did.
#[allow(non_snake_case)]
pub fn Percentiles(list: Vec<Percentile>) -> Percentiles {
    list.into_iter().collect()
}

impl FromIterator<Percentile> for Percentiles {
    fn from_iter<I: IntoIterator<Item = Percentile>>(iter: I) -> Percentiles {
        let list: Vec<Percentile> = iter.into_iter().collect();
        let values = list
            .iter()
            .map(|p| p.value_ms.unwrap_or(f64::NAN))
            .collect();
        let columns = LAST_COLUMNS.with(|last| {
            let mut last = last.borrow_mut();
            let same = |columns: &[Column]| {
                columns.len() == list.len()
                    && columns
                        .iter()
                        .zip(&list)
                        .all(|(c, p)| *c.label == *p.label && c.level == p.level)
            };
            match last.as_ref() {
                Some(columns) if same(columns) => columns.clone(),
                _ => {
                    let columns: Arc<[Column]> = list
                        .into_iter()
                        .map(|p| Column {
                            label: p.label.into_boxed_str(),
                            level: p.level,
                        })
                        .collect();
                    *last = Some(columns.clone());
                    columns
                }
            }
        });
        Percentiles { columns, values }
    }
}

impl Default for Percentiles {
    fn default() -> Percentiles {
        Percentiles(Vec::new())
    }
}

impl PartialEq for Percentiles {
    fn eq(&self, other: &Percentiles) -> bool {
        self.iter().eq(other.iter())
    }
}

impl std::fmt::Debug for Percentiles {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

fn value(v: f64) -> Option<f64> {
    (!v.is_nan()).then_some(v)
}

impl Percentiles {
    /// The percentile at `level` (e.g. `99.0`), if the data has that column.
    /// The outer `Option` says whether the column exists, the inner one whether it has a value.
    pub fn get(&self, level: f64) -> Option<Option<f64>> {
        self.columns
            .iter()
            .position(|c| c.level == level)
            .map(|i| value(self.values[i]))
    }

    /// The labels present, e.g. `["50", "95", "99"]`.
    pub fn labels(&self) -> Vec<&str> {
        self.columns.iter().map(|c| &*c.label).collect()
    }

    /// Every column as (label, level, value in ms), in file order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, f64, Option<f64>)> + '_ {
        self.columns
            .iter()
            .zip(self.values.iter())
            .map(|(c, &v)| (&*c.label, c.level, value(v)))
    }

    /// The same columns with other values, in column order (a value for a
    /// column that `values` does not reach is none).
    pub fn with_values(&self, values: impl IntoIterator<Item = Option<f64>>) -> Percentiles {
        let mut values = values.into_iter();
        Percentiles {
            columns: self.columns.clone(),
            values: self
                .columns
                .iter()
                .map(|_| values.next().flatten().unwrap_or(f64::NAN))
                .collect(),
        }
    }
}

impl<'de> Deserialize<'de> for Percentiles {
    // From summary.json: `{"50": 8, "99.9": null, …}` in document order.
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl<'de> serde::de::Visitor<'de> for Visitor {
            type Value = Percentiles;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("an object of percentile labels to milliseconds")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> Result<Percentiles, A::Error> {
                let mut out = Vec::new();
                while let Some((label, value_ms)) = map.next_entry::<String, Option<f64>>()? {
                    let level = label.parse::<f64>().map_err(|_| {
                        serde::de::Error::custom(format!("`{label}` is not a percentile label"))
                    })?;
                    out.push(Percentile {
                        label,
                        level,
                        value_ms,
                    });
                }
                Ok(Percentiles(out))
            }
        }
        deserializer.deserialize_map(Visitor)
    }
}

impl Serialize for Percentiles {
    // A JSON object keyed by label, in column order (not sorted: "100" would
    // otherwise come before "50").
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.columns.len()))?;
        for (label, _, value_ms) in self.iter() {
            map.serialize_entry(label, &value_ms.map(Num))?;
        }
        map.end()
    }
}

/// A float that serialises as a JSON integer when it holds a whole number,
/// so `5` stays `5` (as Locust wrote it) instead of becoming `5.0`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Num(pub f64);

impl Serialize for Num {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let v = self.0;
        // 2^53: beyond it not every integer is representable, keep the float.
        if v.fract() == 0.0 && v.abs() < 9_007_199_254_740_992.0 {
            serializer.serialize_i64(v as i64)
        } else {
            serializer.serialize_f64(v)
        }
    }
}

/// Serialise an `Option<f64>` through [`Num`].
pub(crate) fn ser_opt_num<S: serde::Serializer>(
    v: &Option<f64>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    v.map(Num).serialize(serializer)
}

/// Serialise an `f64` through [`Num`].
pub(crate) fn ser_num<S: serde::Serializer>(v: &f64, serializer: S) -> Result<S::Ok, S::Error> {
    Num(*v).serialize(serializer)
}
