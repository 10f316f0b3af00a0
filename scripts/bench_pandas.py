#!/usr/bin/env python3
"""The pandas side of scripts/bench: a per-endpoint summary of a Locust full-history file.

    python3 scripts/bench_pandas.py RESULTS/NAME_stats_history.csv

What it computes (the work a person would do in a notebook to get the numbers loadgate reports
from the history file):
  * pandas.read_csv of the whole file, default C engine and dtypes (`N/A` becomes NaN);
  * per-endpoint rows = rows with a Type (the `Aggregated` row has an empty Type);
  * groupby (Type, Name): number of rows, requests and failures (the last = largest cumulative
    `Total Request Count` / `Total Failure Count`), mean and max of `Requests/s`, the median of
    the windowed `50%` column, the max of `95%`, `99%` and `100%`, first and last Timestamp;
  * from the `Aggregated` rows: duration (last - first Timestamp), peak `User Count`, total
    requests and failures (last row), mean and max `Requests/s`, max `99%`.
Prints one line per endpoint and a totals line. It does not read _stats.csv, evaluate
thresholds or draw anything, so it is a lower bound for what loadgate does.
"""

import sys

import pandas as pd


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__.strip().splitlines()[2].strip())
    df = pd.read_csv(sys.argv[1])
    agg_mask = df["Type"].isna() & (df["Name"] == "Aggregated")
    ep = df[~agg_mask]
    agg = df[agg_mask]
    g = ep.groupby(["Type", "Name"], sort=True)
    summary = g.agg(
        rows=("Timestamp", "size"),
        requests=("Total Request Count", "max"),
        failures=("Total Failure Count", "max"),
        rps_mean=("Requests/s", "mean"),
        rps_max=("Requests/s", "max"),
        p50_median=("50%", "median"),
        p95_max=("95%", "max"),
        p99_max=("99%", "max"),
        max_ms=("100%", "max"),
        first=("Timestamp", "min"),
        last=("Timestamp", "max"),
    )
    with pd.option_context("display.width", 200, "display.max_rows", 500):
        print(summary.to_string())
    duration = int(agg["Timestamp"].max() - agg["Timestamp"].min())
    print(
        f"Aggregated: {len(agg)} rows, duration {duration} s, peak users {int(agg['User Count'].max())}, "
        f"requests {int(agg['Total Request Count'].iloc[-1])}, failures {int(agg['Total Failure Count'].iloc[-1])}, "
        f"rps mean {agg['Requests/s'].mean():.2f} max {agg['Requests/s'].max():.2f}, "
        f"p99 max {agg['99%'].max():.0f} ms; endpoint requests sum {int(summary['requests'].sum())}"
    )


if __name__ == "__main__":
    main()
