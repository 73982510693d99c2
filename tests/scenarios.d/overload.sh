# overload.sh (sourced by tests/scenarios.sh: $bin, $mode, $tmp, ok, bad): overload never
# crashes. Huge populations and rates end with a clean result or the "unstable" verdict
# (exit 4) within seconds and in bounded memory, and `limit` ends: "no limit found below
# X" when every value meets the SLOs, exit 1 when none does, exit 2 on a unitless duration.

ov_time=""
[ -x /usr/bin/time ] && ov_time=/usr/bin/time

# Runs "$@" and sets ov_code, ov_secs (CPU seconds, user and system, rounded up: the
# machine is shared, so wall time is no measure; wall seconds without GNU time) and ov_kb
# (peak resident memory; 0 when unmeasured).
ov_run() {
    local t0=$SECONDS
    if [ -n "$ov_time" ]; then
        "$ov_time" -f "%M %U %S" -o "$tmp/ov.rss" "$@" >"$tmp/ov.out" 2>"$tmp/ov.err"
        ov_code=$?
        read -r ov_kb ov_secs <<<"$(tail -n 1 "$tmp/ov.rss" | awk '{ printf "%d %d", $1, $2 + $3 + 0.999 }')"
    else
        "$@" >"$tmp/ov.out" 2>"$tmp/ov.err"
        ov_code=$?
        ov_kb=0
        ov_secs=$((SECONDS - t0))
    fi
}

# Release bounds: seconds, and resident kB for a 32MB budget (ASan's shadow memory is not
# the program's, so it checks the verdicts only).
ov_max_secs=30
[ "$mode" = asan ] && ov_max_secs=300
ov_bounded() { # what, max_kb
    [ $ov_secs -le $ov_max_secs ] || { bad "$1 took ${ov_secs}s"; return; }
    [ "$mode" = asan ] || [ "$ov_kb" -le "$2" ] || { bad "$1 peaked at ${ov_kb} kB"; return; }
    ok
}

cat >"$tmp/ov-one-worker.json" <<'JSON'
{"name": "one-worker", "seed": 1, "duration": "10s",
 "workload": {"entry": "app", "arrivals": {"process": "poisson", "rate": 1e9}},
 "nodes": {"app": {"type": "service", "workers": 1, "io": "async",
                   "service_time": {"dist": "exp", "mean": "1ms"}}}}
JSON
cat >"$tmp/ov-users.json" <<'JSON'
{"name": "many-users", "seed": 2, "duration": "100ms",
 "workload": {"entry": "app", "users": {"count": 10, "think": {"dist": "exp", "mean": "1000s"}}},
 "nodes": {"app": {"type": "service", "workers": 8, "io": "async",
                   "service_time": {"dist": "exp", "mean": "1ms"}}}}
JSON
cat >"$tmp/ov-wide.json" <<'JSON'
{"name": "no-bottleneck", "seed": 3, "duration": "2s", "warmup": "0.5s", "replications": 2,
 "workload": {"entry": "app", "arrivals": {"process": "poisson", "rate": 100}},
 "nodes": {"app": {"type": "service", "workers": 100000, "io": "async",
                   "service_time": {"dist": "exp", "mean": "1ms"}}}}
JSON

# A rate of 1e9 on one worker: the queue grows until the budget stops the run, naming the
# node, the offered rate and the capacity.
ov_run "$bin" run "$tmp/ov-one-worker.json" --max-memory 32MB --quiet --json "$tmp/ov.json"
[ $ov_code -eq 4 ] && grep -q "unstable: offered 1.0e9/s, capacity 1000/s at nodes.app" "$tmp/ov.err" &&
    grep -q '"unstable"' "$tmp/ov.json" && ok ||
    bad "rate 1e9, one worker: exit $ov_code, $(cat "$tmp/ov.err")"
ov_bounded "rate 1e9, one worker, 32MB" 120000

# The same with the default budget (a quarter of physical memory, at most 2GiB): it fills
# 2GiB and stops within seconds. Release only.
if [ "$mode" != asan ]; then
    ov_run "$bin" run "$tmp/ov-one-worker.json" --quiet -j 1 --json "$tmp/ov.json"
    [ $ov_code -eq 4 ] && grep -q "unstable: offered 1.0e9/s, capacity 1000/s at nodes.app" "$tmp/ov.err" &&
        /usr/bin/python3 -c 'import json,sys; u = json.load(open(sys.argv[1]))["unstable"]
assert 0 < u["max_memory"] <= 2**31, u' "$tmp/ov.json" && ok ||
        bad "rate 1e9 under the default budget: exit $ov_code, $(cat "$tmp/ov.err")"
    ov_bounded "rate 1e9 under the default budget" 2400000
fi
# Half the address-space limit when that is lower: capped here at 1 GiB of address space,
# so it stops near 512MB. Release only.
if [ "$mode" != asan ]; then
    ( ulimit -v 1048576 && ov_run "$bin" run "$tmp/ov-one-worker.json" --quiet &&
      echo "$ov_code $ov_secs $ov_kb" >"$tmp/ov.sub" ) 2>/dev/null
    read -r c s k <"$tmp/ov.sub"
    [ "$c" = 4 ] && [ "$s" -le $ov_max_secs ] && [ "$k" -le 700000 ] && ok ||
        bad "rate 1e9 under the default budget: exit $c in ${s}s, ${k} kB"
fi

# sweep, compare and theory print their tables, then the verdict, and exit 4.
"$bin" sweep "$tmp/ov-one-worker.json" --vary workload.arrivals.rate=100,1e9 --duration 1s \
    --max-memory 32MB >"$tmp/ov.out" 2>"$tmp/ov.err"
[ $? -eq 4 ] && grep -q "unstable: offered 1.0e9/s" "$tmp/ov.err" && [ -s "$tmp/ov.out" ] && ok ||
    bad "sweep into instability: $(cat "$tmp/ov.err")"

# 3.3 million users (past the old pool's wrap at about 3.2 million objects) run to a clean
# result; 10 million with a small budget stop before the first event, in bounded memory.
if [ "$mode" != asan ]; then
    ov_run "$bin" run "$tmp/ov-users.json" --set workload.users.count=3300000 --quiet
    [ $ov_code -eq 0 ] && ok || bad "3.3M users: exit $ov_code, $(cat "$tmp/ov.err")"
    ov_bounded "3.3M users" 1000000
fi
ov_run "$bin" run "$tmp/ov-users.json" --set workload.users.count=10000000 --max-memory 32MB --quiet
[ $ov_code -eq 4 ] && grep -q "memory budget (32MB for this replication) ran out before the first event" "$tmp/ov.err" && ok ||
    bad "10M users, 32MB: exit $ov_code, $(cat "$tmp/ov.err")"
ov_bounded "10M users, 32MB" 120000
"$bin" run "$tmp/ov-users.json" --max-memory 12 --quiet 2>"$tmp/ov.err"
[ $? -eq 2 ] && grep -q "^archsim: --max-memory 12: expected a size from 1MB" "$tmp/ov.err" && ok ||
    bad "--max-memory 12 was not refused: $(cat "$tmp/ov.err")"

# limit: every value meets the SLO, and nothing saturates: the bracket stops at 1024 times.
ov_run "$bin" limit "$tmp/ov-wide.json" --vary workload.arrivals.rate --slo 'latency.p99 < 1h' \
    --max-memory 64MB
[ $ov_code -eq 0 ] && grep -q "^no limit found below 102400" "$tmp/ov.out" && ok ||
    bad "limit, SLO always met: exit $ov_code, $(cat "$tmp/ov.out" "$tmp/ov.err")"
ov_bounded "limit, SLO always met" 200000

# limit: the SLO is always met but the queue grows: an unstable value misses.
m=scenarios/validation/mm1-rho50.json
ov_run "$bin" limit $m --vary workload.arrivals.rate --slo 'latency.p99<1h' --duration 3s \
    --set warmup=1s --replications 2 --max-memory 16MB
[ $ov_code -eq 0 ] && grep -q "^limit: workload.arrivals.rate" "$tmp/ov.out" &&
    grep -q "unstable: offered" "$tmp/ov.out" && ok ||
    bad "limit into instability: exit $ov_code, $(cat "$tmp/ov.out" "$tmp/ov.err")"

# A duration without its unit is refused, with the unit suggested; spaces are fine.
"$bin" limit $m --vary workload.arrivals.rate --slo 'latency.p99<50' --quiet 2>"$tmp/ov.err"
[ $? -eq 2 ] && grep -q "give its unit, e.g. 50ms" "$tmp/ov.err" && ok ||
    bad "unitless SLO: $(cat "$tmp/ov.err")"

# Nothing measured is never a pass: p99 under 1ns misses, and lower rates measure too few.
ov_run "$bin" limit $m --vary workload.arrivals.rate --slo 'latency.p99<1ns' --duration 5s \
    --set warmup=1s --replications 2
[ $ov_code -eq 1 ] && grep -q "^no value meets the SLOs" "$tmp/ov.out" &&
    grep -q "not measured" "$tmp/ov.out" && ok ||
    bad "limit, p99 < 1ns: exit $ov_code, $(cat "$tmp/ov.out" "$tmp/ov.err")"

# --minimise with no value that meets the SLOs: exit 1, inside the bracket's cap.
ov_run "$bin" limit $m --minimise nodes.server.workers --slo 'latency.p99<1ns' --duration 5s \
    --set warmup=1s --replications 2 --json "$tmp/ov.json"
[ $ov_code -eq 1 ] && grep -q "^no value meets the SLOs: nodes.server.workers tried from 1 to 1024" "$tmp/ov.out" &&
    grep -q '"limit":[[:space:]]*null' "$tmp/ov.json" && ok ||
    bad "--minimise, no value meets: exit $ov_code, $(cat "$tmp/ov.out" "$tmp/ov.err")"
