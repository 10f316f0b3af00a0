#!/usr/bin/env python3
"""Fan one real run record out into a run history of N records, for scripts/bench-history.

    bench_history_records.py SEED_HISTORY OUT_HISTORY N

SEED_HISTORY holds one record written by `loadgate check --history`. Each of the N records is
that record with its time moved (one an hour) and every latency, throughput and count figure of
every scenario, endpoint and total scaled by its own factor within ±4 % (a seeded generator:
the same N gives the same files), written compactly as loadgate writes records, under a name
that sorts by time. The marker file is copied. Standard library only.
"""
import datetime
import json
import pathlib
import random
import shutil
import sys

LATENCY = ("median_ms", "avg_ms", "min_ms", "max_ms")


def jitter(stats, f):
    for key in LATENCY:
        if isinstance(stats.get(key), (int, float)):
            stats[key] = round(stats[key] * f, 3)
    for label, v in list((stats.get("percentiles_ms") or {}).items()):
        if isinstance(v, (int, float)):
            stats["percentiles_ms"][label] = round(v * f)
    if isinstance(stats.get("rps"), (int, float)):
        stats["rps"] = stats["rps"] / f


def main():
    seed_dir, out_dir, n = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2]), int(sys.argv[3])
    seeds = sorted(p for p in seed_dir.glob("*.json") if not p.name.startswith("."))
    if len(seeds) != 1:
        sys.exit(f"{seed_dir}: expected one record, found {len(seeds)}")
    record = json.loads(seeds[0].read_text())
    out_dir.mkdir(parents=True, exist_ok=True)
    shutil.copy(seed_dir / "LOADGATE-HISTORY.txt", out_dir / "LOADGATE-HISTORY.txt")
    rng = random.Random(1)
    start = datetime.datetime(2026, 1, 1, tzinfo=datetime.timezone.utc)
    for i in range(n):
        r = json.loads(json.dumps(record))
        t = start + datetime.timedelta(hours=i)
        r["generated_at"] = t.strftime("%Y-%m-%dT%H:%M:%SZ")
        r["run"]["label"] = f"build-{i + 1}"
        for s in r["scenarios"]:
            f = 1 + rng.uniform(-0.04, 0.04)
            if s.get("totals"):
                jitter(s["totals"], f)
            for e in s.get("endpoints", []):
                jitter(e, f)
        name = f"{t.strftime('%Y%m%dT%H%M%SZ')}-bench-{i + 1:05d}.json"
        (out_dir / name).write_text(json.dumps(r, separators=(",", ":")) + "\n")


if __name__ == "__main__":
    main()
