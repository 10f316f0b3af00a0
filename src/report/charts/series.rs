//! From a history's columns to series ready to draw: times as seconds since
//! the first point on a [`TimeAxis`], missing data and pauses as breaks, and
//! long runs downsampled.
//!
//! Long runs: a 24 h soak test has 86,400 points per series, which
//! [`downsample_min_max`] cuts to at most [`MAX_POINTS`] while keeping every
//! spike. Missing data is never bridged: a value Locust wrote as `N/A`, and a
//! pause in the history longer than [`GAP_FACTOR`] times its usual tick,
//! both break the line.

use std::ops::Range;

use crate::model::History;

/// The most points one series is drawn with (see [`downsample_min_max`]):
/// above one per pixel of the plot, so nothing visible is lost.
pub const MAX_POINTS: usize = 1000;
/// A pause longer than this many median tick intervals breaks the lines.
pub const GAP_FACTOR: f64 = 3.0;

/// Reduce a time series to at most `max_points` points, keeping its shape and
/// every spike.
///
/// Method (min/max bucketing): the time span is cut into equal buckets; each
/// bucket keeps only its lowest and its highest value, in their time order,
/// at their own times. The global maximum and minimum therefore always
/// survive, and a one-point spike is drawn at full height. Buckets are
/// `max_points / 2`; if gaps (below) would push the result over budget, it is
/// redone with `(max_points - 1) / 4` buckets, which always fits.
///
/// Gaps: a `None` value is missing data, and the result keeps a `None` between
/// any two kept points that had one between them in the input, so a line
/// drawn through the result never bridges missing data. A bucket without any
/// value becomes one `None`; consecutive `None`s collapse into one.
///
/// Edge cases: a series no longer than `max_points` comes back unchanged
/// (non-finite values turned into `None`, as everywhere); `max_points` below
/// 5 counts as 5; points out of time order are sorted first (stably);
/// non-finite values count as missing; a series whose points all share one
/// time is one bucket.
pub fn downsample_min_max(
    points: &[(f64, Option<f64>)],
    max_points: usize,
) -> Vec<(f64, Option<f64>)> {
    let max_points = max_points.max(5);
    let mut points: Vec<(f64, Option<f64>)> = points
        .iter()
        .map(|&(t, v)| (t, v.filter(|v| v.is_finite())))
        .collect();
    if points.len() <= max_points {
        return points;
    }
    if !points.is_sorted_by(|a, b| a.0 <= b.0) {
        points.sort_by(|a, b| a.0.total_cmp(&b.0));
    }
    let fine = bucket_min_max(&points, max_points / 2);
    if fine.len() <= max_points {
        return fine;
    }
    // Each bucket gives at most None, min, None, max, None, and its leading
    // None merges with the previous bucket's trailing one: 4 per bucket + 1.
    bucket_min_max(&points, (max_points - 1) / 4)
}

/// [`downsample_min_max`] with a given bucket count, on points in time order.
fn bucket_min_max(points: &[(f64, Option<f64>)], buckets: usize) -> Vec<(f64, Option<f64>)> {
    let buckets = buckets.max(1);
    let (Some(first), Some(last)) = (points.first(), points.last()) else {
        return Vec::new();
    };
    let (t0, width) = (first.0, (last.0 - first.0) / buckets as f64);
    let bucket_of = |t: f64| -> usize {
        if width > 0.0 && width.is_finite() {
            // `as` saturates: a NaN time lands in bucket 0.
            (((t - t0) / width) as usize).min(buckets - 1)
        } else {
            0
        }
    };
    let mut out = Vec::with_capacity(buckets * 2 + 1);
    let mut start = 0;
    while start < points.len() {
        let bucket = bucket_of(points[start].0);
        let len = points[start..]
            .iter()
            .take_while(|p| bucket_of(p.0) == bucket)
            .count();
        keep_min_max(&points[start..start + len], &mut out);
        start += len;
    }
    out
}

/// Append the lowest and highest value of `bucket` (in time order) to `out`,
/// with a `None` wherever `bucket` had one before, between or after them.
fn keep_min_max(bucket: &[(f64, Option<f64>)], out: &mut Vec<(f64, Option<f64>)>) {
    let mut low: Option<(usize, f64)> = None;
    let mut high: Option<(usize, f64)> = None;
    for (i, &(_, v)) in bucket.iter().enumerate() {
        let Some(v) = v else { continue };
        if low.is_none_or(|(_, m)| v < m) {
            low = Some((i, v));
        }
        if high.is_none_or(|(_, m)| v > m) {
            high = Some((i, v));
        }
    }
    let (Some((a, _)), Some((b, _))) = (low, high) else {
        if let Some(&(t, _)) = bucket.first() {
            push_gap(out, t);
        }
        return;
    };
    let mut keep = vec![a.min(b), a.max(b)];
    keep.dedup();
    let mut from = 0;
    for k in keep {
        if let Some(&(t, _)) = bucket[from..k].iter().find(|p| p.1.is_none()) {
            push_gap(out, t);
        }
        out.push(bucket[k]);
        from = k + 1;
    }
    if let Some(&(t, _)) = bucket[from..].iter().find(|p| p.1.is_none()) {
        push_gap(out, t);
    }
}

fn push_gap(out: &mut Vec<(f64, Option<f64>)>, t: f64) {
    if out.last().is_none_or(|p| p.1.is_some()) {
        out.push((t, None));
    }
}

/// Insert a `None` (at the midpoint) wherever two consecutive points are more
/// than `max_gap` apart, so that the line breaks there.
pub(super) fn mark_time_gaps(
    points: &[(f64, Option<f64>)],
    max_gap: Option<f64>,
) -> Vec<(f64, Option<f64>)> {
    let mut out = Vec::with_capacity(points.len());
    let mut prev: Option<f64> = None;
    for &p in points {
        if let (Some(max_gap), Some(prev)) = (max_gap, prev)
            && p.0 - prev > max_gap
        {
            out.push((prev + (p.0 - prev) / 2.0, None));
        }
        out.push(p);
        prev = Some(p.0);
    }
    out
}

/// The median of the positive intervals between consecutive times, if any.
pub(super) fn median_interval(times: &[f64]) -> Option<f64> {
    let mut steps: Vec<f64> = times
        .windows(2)
        .map(|w| w[1] - w[0])
        .filter(|d| *d > 0.0)
        .collect();
    steps.sort_by(f64::total_cmp);
    steps.get(steps.len() / 2).copied()
}

/// The lines (two or more points) and lone dots of a prepared series, with
/// times converted to the axis unit.
pub(super) type Pieces = (Vec<Vec<(f64, f64)>>, Vec<(f64, f64)>);

pub(super) fn pieces(points: &[(f64, Option<f64>)], axis: TimeAxis) -> Pieces {
    let (mut lines, mut dots) = (Vec::new(), Vec::new());
    for run in points.split(|p| p.1.is_none()) {
        let run: Vec<(f64, f64)> = run
            .iter()
            .filter_map(|&(t, v)| Some((axis.x(t), v?)))
            .collect();
        match run.len() {
            0 => {}
            1 => dots.push(run[0]),
            _ => lines.push(run),
        }
    }
    (lines, dots)
}

/// The time axis: elapsed time since the first point, in seconds for runs up
/// to 3 minutes, minutes up to 3 hours, hours beyond, so that ticks are round
/// numbers in a unit people read at a glance.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct TimeAxis {
    seconds_per_unit: f64,
    pub(super) desc: &'static str,
    /// The axis end, in the unit.
    pub(super) end: f64,
    /// The time the history covers, in seconds.
    pub(super) span_s: f64,
}

impl TimeAxis {
    pub(super) fn for_span(span_s: f64) -> TimeAxis {
        let (seconds_per_unit, desc) = if span_s <= 180.0 {
            (1.0, "elapsed (s)")
        } else if span_s <= 3.0 * 3600.0 {
            (60.0, "elapsed (min)")
        } else {
            (3600.0, "elapsed (h)")
        };
        let end = span_s / seconds_per_unit;
        TimeAxis {
            seconds_per_unit,
            desc,
            end: if end > 0.0 && end.is_finite() {
                end
            } else {
                1.0
            },
            span_s,
        }
    }

    /// The x coordinate of a time in seconds since the first point: the one
    /// transform for series and marks alike.
    pub(super) fn x(&self, seconds: f64) -> f64 {
        seconds / self.seconds_per_unit
    }
}

/// The times of a history, and how to turn one of its columns into a series
/// ready to draw.
pub(super) struct TimeSeries {
    /// The first point's time (unix s).
    pub(super) t0: i64,
    /// Seconds since the first point.
    elapsed_s: Vec<f64>,
    max_gap_s: Option<f64>,
    pub(super) axis: TimeAxis,
}

impl TimeSeries {
    pub(super) fn new(history: &History) -> TimeSeries {
        let t0 = history.points.first().map_or(0, |p| p.timestamp);
        let elapsed_s: Vec<f64> = history
            .points
            .iter()
            .map(|p| elapsed_s(t0, p.timestamp))
            .collect();
        let span_s = elapsed_s.iter().copied().fold(0.0, f64::max);
        TimeSeries {
            t0,
            max_gap_s: median_interval(&elapsed_s).map(|step| step * GAP_FACTOR),
            axis: TimeAxis::for_span(span_s),
            elapsed_s,
        }
    }

    /// The part of `start..end` (unix s) that the history covers, in seconds
    /// since the first point; `None` when there is none.
    pub(super) fn plotted(&self, start: i64, end: i64) -> Option<Range<f64>> {
        let from = elapsed_s(self.t0, start).max(0.0);
        let to = elapsed_s(self.t0, end).min(self.axis.span_s);
        (from < to).then_some(from..to)
    }

    /// Pair values with times, break at pauses, and downsample.
    pub(super) fn prepare(
        &self,
        values: impl Iterator<Item = Option<f64>>,
    ) -> Vec<(f64, Option<f64>)> {
        let points: Vec<(f64, Option<f64>)> = self.elapsed_s.iter().copied().zip(values).collect();
        downsample_min_max(&mark_time_gaps(&points, self.max_gap_s), MAX_POINTS)
    }
}

/// Seconds from `t0` to `t` (unix s), negative before it.
fn elapsed_s(t0: i64, t: i64) -> f64 {
    t.saturating_sub(t0) as f64
}
