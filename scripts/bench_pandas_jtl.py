#!/usr/bin/env python3
"""The pandas side of scripts/bench-jtl: per-label statistics of a JMeter JTL.

    python3 scripts/bench_pandas_jtl.py FILE.jtl

What it computes (what loadgate's summary has for a JTL, in a notebook's way):
  * pandas.read_csv of the columns loadgate reads (timeStamp, elapsed, label, success,
    responseCode, allThreads), default C engine;
  * per label and in total: samples, failures (success is false), min/mean/max elapsed, the
    nearest-rank p50, p90, p95 and p99 (numpy's `inverted_cdf`, the same definition);
  * the run: first timeStamp to last timeStamp + elapsed, requests/s, peak allThreads.
Prints one line per label and a totals line (the totals line is what scripts/bench-jtl compares
with loadgate's summary.json). No thresholds, reports or charts: a lower bound for loadgate's work.
"""

import sys

import numpy as np
import pandas as pd

LEVELS = [50, 90, 95, 99]


def describe(frame):
    elapsed = frame["elapsed"].to_numpy()
    p = np.percentile(elapsed, LEVELS, method="inverted_cdf")
    return {
        "samples": len(frame),
        "failures": int((~frame["success"]).sum()),
        "min": int(elapsed.min()),
        "mean": float(elapsed.mean()),
        "max": int(elapsed.max()),
        **{f"p{level}": int(v) for level, v in zip(LEVELS, p)},
    }


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__.strip().splitlines()[2].strip())
    cols = ["timeStamp", "elapsed", "label", "success", "responseCode", "allThreads"]
    df = pd.read_csv(sys.argv[1], usecols=lambda c: c in cols)
    df["success"] = df["success"].astype(str).str.lower() == "true"
    for label, frame in df.groupby("label", sort=True):
        print(label, describe(frame))
    total = describe(df)
    start = int(df["timeStamp"].min())
    end = int((df["timeStamp"] + df["elapsed"]).max())
    duration = (end - start) / 1000
    peak = int(df["allThreads"].max()) if "allThreads" in df else None
    print(
        f"TOTAL requests={total['samples']} failures={total['failures']} p50={total['p50']} "
        f"p95={total['p95']} p99={total['p99']} max={total['max']} duration_s={duration} "
        f"rps={total['samples'] / duration:.3f} peak_users={peak}"
    )


if __name__ == "__main__":
    main()
