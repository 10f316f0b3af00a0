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

# measure TAG CMD...: run CMD $RUNS times; append "seconds rss_kb rc" lines to $WORK/TAG.runs.
# stdout goes to $WORK/TAG.out, stderr to $WORK/TAG.err (of the last run).
measure() {
    local tag="$1"; shift
    local i t0 t1 rc rss
    : > "$WORK/$tag.runs"
    for ((i = 1; i <= RUNS; i++)); do
        rm -f "$WORK/$tag.time" "$WORK/$tag.killed"
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
        else
            set +e
            timeout "$LIMIT_S" "$@" > "$WORK/$tag.out" 2> "$WORK/$tag.err"; rc=$?
            t1=$(date +%s%N)
            set -e
            rss=""
        fi
        echo "$(( (t1 - t0) / 1000000 )) ${rss:-0} $rc" | awk '{printf "%.3f %s %s\n", $1/1000, $2, $3}' >> "$WORK/$tag.runs"
        if (( rc == 124 )); then echo "    $tag: stopped after ${LIMIT_S} s (limit)" >&2; break; fi
        if [[ -f "$WORK/$tag.killed" ]]; then echo "    $tag: stopped: $(cat "$WORK/$tag.killed") (limit)" >&2; break; fi
    done
}
secs() { awk '{print $1}' "$WORK/$1.runs" | median; }
rss_mb() {
    if (( HAVE_TIME )); then awk '{print $2}' "$WORK/$1.runs" | max_of | awk '{printf "%.1f\n", $1/1024}'; else echo "n/a"; fi
}
rcs() { awk '{print $3}' "$WORK/$1.runs" | sort -u | paste -sd, -; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0 && a != "n/a") printf "%.1fx", a / b; else print "n/a" }'; }
