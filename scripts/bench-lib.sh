# Shared by scripts/bench and scripts/bench-jtl (sourced, not run): timing a command over
# $RUNS runs with its peak RSS, under limits, and the medians and ratios of the results.
# Expects WORK (a scratch folder), RUNS, HAVE_TIME (1 when /usr/bin/time exists), LIMIT_S and
# LIMIT_KB to be set by the caller.

median() { sort -g | awk '{a[NR]=$1} END {if (NR==0) print "n/a"; else if (NR%2) printf "%.3f\n", a[(NR+1)/2]; else printf "%.3f\n", (a[NR/2]+a[NR/2+1])/2}'; }
max_of() { sort -g | tail -n 1; }

# Kill the measured process (a child of /usr/bin/time or of timeout) when its RSS passes the limit.
rss_guard() {
    local parent="$1" flag="$2" kids c rss
    while kill -0 "$parent" 2>/dev/null; do
        kids="$(cat /proc/"$parent"/task/*/children 2>/dev/null || true)"
        for c in $kids $(for k in $kids; do cat /proc/"$k"/task/*/children 2>/dev/null || true; done); do
            rss="$(awk '/^VmRSS:/ {print $2}' /proc/"$c"/status 2>/dev/null || echo 0)"
            if [[ -n "$rss" ]] && (( rss > LIMIT_KB )); then
                echo "RSS ${rss} kB > ${LIMIT_KB} kB" > "$flag"
                kill -TERM "$c" 2>/dev/null || true
            fi
        done
        sleep 0.2
    done
}

# measure TAG CMD...: run CMD $RUNS times; append "seconds rss_kb rc user_s sys_s cpu_pct" lines
# to $WORK/TAG.runs (the last three from /usr/bin/time -v, else 0). stdout goes to $WORK/TAG.out,
# stderr to $WORK/TAG.err (of the last run). If BEFORE_RUN is set, it is eval'd before each run,
# untimed (e.g. to give each run an empty output folder).
measure() {
    local tag="$1"; shift
    local i t0 t1 rc rss cpu
    : > "$WORK/$tag.runs"
    for ((i = 1; i <= RUNS; i++)); do
        rm -f "$WORK/$tag.time" "$WORK/$tag.killed"
        if [[ -n "${BEFORE_RUN:-}" ]]; then eval "$BEFORE_RUN"; fi
        t0=$(date +%s%N)
        if (( HAVE_TIME )); then
            set +e
            timeout "$LIMIT_S" /usr/bin/time -v -o "$WORK/$tag.time" "$@" > "$WORK/$tag.out" 2> "$WORK/$tag.err" &
            local pid=$!
            rss_guard "$pid" "$WORK/$tag.killed" &
            local guard=$!
            wait "$pid"; rc=$?
            t1=$(date +%s%N)
            kill "$guard" 2>/dev/null
            wait "$guard" 2>/dev/null
            set -e
            rss=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$WORK/$tag.time" 2>/dev/null || true)
            cpu=$(awk -F': ' '/User time/ {u=$2} /System time/ {s=$2} /Percent of CPU/ {p=$2; sub("%", "", p)} END {printf "%s %s %s", u+0, s+0, p+0}' "$WORK/$tag.time" 2>/dev/null || true)
        else
            set +e
            timeout "$LIMIT_S" "$@" > "$WORK/$tag.out" 2> "$WORK/$tag.err"; rc=$?
            t1=$(date +%s%N)
            set -e
            rss=""
            cpu=""
        fi
        echo "$(( (t1 - t0) / 1000000 )) ${rss:-0} $rc ${cpu:-0 0 0}" | awk '{printf "%.3f %s %s %s %s %s\n", $1/1000, $2, $3, $4, $5, $6}' >> "$WORK/$tag.runs"
        if (( rc == 124 )); then echo "    $tag: stopped after ${LIMIT_S} s (limit)" >&2; break; fi
        if [[ -f "$WORK/$tag.killed" ]]; then echo "    $tag: stopped: $(cat "$WORK/$tag.killed") (limit)" >&2; break; fi
    done
}
secs() { awk '{print $1}' "$WORK/$1.runs" | median; }
# The median user and system seconds and CPU % of TAG's runs (0 without /usr/bin/time).
user_s() { awk '{print $4}' "$WORK/$1.runs" | median; }
sys_s() { awk '{print $5}' "$WORK/$1.runs" | median; }
cpu_pct() { awk '{print $6}' "$WORK/$1.runs" | median | awk '{printf "%.0f%%\n", $1}'; }

# gen_folders DIR N SOURCE_PREFIX: N scenario folders in DIR (DIR/s0001/s0001_stats.csv, …), each a
# copy of the Locust result set SOURCE_PREFIX_*.csv under its own prefix; reused when DIR already
# holds the same (stamped in DIR/.gen-folders).
gen_folders() {
    local dir="$1" n="$2" source="$3" i name kind
    local stamp="folders=$n source=$source $(cat "$source"_*.csv | sha1sum | cut -c1-12)"
    if [[ -f "$dir/.gen-folders" && "$(cat "$dir/.gen-folders")" == "$stamp" ]]; then
        echo "==> reusing the $n folders in $dir"
        return
    fi
    echo "==> $n scenario folders in $dir (copies of ${source}_*.csv)"
    rm -rf "$dir"
    mkdir -p "$dir"
    for ((i = 1; i <= n; i++)); do
        name="$(printf 's%04d' "$i")"
        mkdir "$dir/$name"
        for kind in stats stats_history failures exceptions; do
            [[ -f "${source}_$kind.csv" ]] && cp "${source}_$kind.csv" "$dir/$name/${name}_$kind.csv"
        done
    done
    echo "$stamp" > "$dir/.gen-folders"
}
rss_mb() {
    if (( HAVE_TIME )); then awk '{print $2}' "$WORK/$1.runs" | max_of | awk '{printf "%.1f\n", $1/1024}'; else echo "n/a"; fi
}
rcs() { awk '{print $3}' "$WORK/$1.runs" | sort -u | paste -sd, -; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0 && a != "n/a") printf "%.1fx", a / b; else print "n/a" }'; }
