#!/usr/bin/env bash
# Fill fuzz/corpus/<target>/ with seeds taken from the committed fixtures.
# Run from anywhere; existing corpus files are kept (libFuzzer adds to them).
set -euo pipefail
cd "$(dirname "$0")"
fx=../fixtures
mkdir -p corpus/stats_csv corpus/history_csv corpus/threshold corpus/config_toml corpus/other_files

seed() { # seed TARGET FILE...: copy each file under a name made from its path
  local target=$1; shift
  for f in "$@"; do
    [ -f "$f" ] && cp "$f" "corpus/$target/$(echo "${f#"$fx"/}" | tr '/' '_')"
  done
  return 0
}

shopt -s globstar nullglob
seed stats_csv "$fx"/**/*_stats.csv
seed history_csv "$fx"/**/*_stats_history.csv
seed other_files "$fx"/**/*_failures.csv "$fx"/**/*_exceptions.csv "$fx"/**/*.json
seed config_toml "$fx"/**/loadgate.toml

# Thresholds, durations and tolerances: every quoted string in the fixtures' configs,
# plus the examples of README.md's threshold grammar.
n=0
for f in "$fx"/**/loadgate.toml; do
  { grep -ao '"[^"]*"' "$f" || true; } | tr -d '"' | while IFS= read -r t; do
    printf '%s' "$t" > "corpus/threshold/$(printf '%s' "$t" | cksum | cut -d' ' -f1)"
  done
done
for t in "p99 < 1s" "success_rate >= 99%" "rps >= 50" "median < 200" "p99.9<1.5 s" \
         "error_rate == 0%" "failures_per_s <= 0.5" "requests > 1000" "4m" "1h30m" "500ms" \
         "+10%" "-0.5" "+5ms"; do
  printf '%s' "$t" > "corpus/threshold/builtin_$n"; n=$((n + 1))
done
for d in corpus/*/; do echo "$d: $(ls "$d" | wc -l) seeds"; done
