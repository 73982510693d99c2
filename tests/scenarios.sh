#!/usr/bin/env bash
# scenarios.sh BINARY [MODE]: drives the real binary. Every scenario runs twice with one
# seed (byte-identical JSON and CSV) and once with another (different bytes); `check`
# passes on every scenario; exit codes 0/1/2; every file under tests/bad/ is refused with
# exit 2 and the message its .expect file gives.
set -u
bin=$1
mode=${2:-release}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
passed=0
failed=0
ok() { passed=$((passed + 1)); }
bad() { failed=$((failed + 1)); echo "FAIL: $*"; }

# Short runs: determinism does not need long ones (and ASan is slower).
short=(--duration 3s --set warmup=1s --replications 2)
web=scenarios/examples/web-tier.json

for f in scenarios/*/*.json; do
    "$bin" check "$f" >/dev/null 2>"$tmp/err" && ok || bad "check $f: $(cat "$tmp/err")"
    for i in 1 2; do
        "$bin" run "$f" "${short[@]}" --quiet --json "$tmp/a$i.json" --timeline "$tmp/a$i.csv" \
            2>"$tmp/err"
        code=$?
        [ $code -le 1 ] || bad "run $f exited $code: $(cat "$tmp/err")"
    done
    cmp -s "$tmp/a1.json" "$tmp/a2.json" && ok || bad "$f: JSON differs between two runs with one seed"
    cmp -s "$tmp/a1.csv" "$tmp/a2.csv" && ok || bad "$f: timeline differs between two runs with one seed"
    "$bin" run "$f" "${short[@]}" --seed 987654 --quiet --json "$tmp/b.json" 2>/dev/null
    cmp -s "$tmp/a1.json" "$tmp/b.json" && bad "$f: another seed gave the same JSON" || ok
done

# Every example tells its story: at full length its expectations hold (exit 0). Release
# only: the examples take about ten seconds together.
if [ "$mode" != asan ]; then
    for f in scenarios/examples/*.json; do
        "$bin" run "$f" --quiet >/dev/null 2>"$tmp/err"
        code=$?
        [ $code -eq 0 ] && ok || bad "$f at full length exited $code (its expectations should hold): $(cat "$tmp/err")"
    done
fi

# Every drill tells its story: at full length its expectations hold, and `archsim drill`
# prints what to expect and, for a drill that injects a fault, what happened. Release
# only: a few seconds.
if [ "$mode" != asan ]; then
    for f in scenarios/drills/*.json; do
        "$bin" run "$f" --quiet >/dev/null 2>"$tmp/err"
        code=$?
        [ $code -eq 0 ] && ok || bad "$f at full length exited $code (its expectations should hold): $(cat "$tmp/err")"
        "$bin" drill "$f" >"$tmp/drill.txt" 2>"$tmp/err"
        code=$?
        grep -q '"faults"' "$f" && told="^what happened" || told="injects no faults"
        [ $code -eq 0 ] && grep -q "^what to expect" "$tmp/drill.txt" && grep -q "$told" "$tmp/drill.txt" &&
            ok || bad "drill $f exited $code, or printed no story: $(cat "$tmp/err")"
    done
fi

# Replications on one thread or several: the same bytes.
for f in scenarios/examples/*.json scenarios/validation/tandem.json; do
    "$bin" run "$f" "${short[@]}" --replications 4 -j 1 --quiet --json "$tmp/j1.json" 2>/dev/null
    "$bin" run "$f" "${short[@]}" --replications 4 -j 3 --quiet --json "$tmp/j3.json" 2>/dev/null
    cmp -s "$tmp/j1.json" "$tmp/j3.json" && ok || bad "$f: -j 1 and -j 3 differ"
done

# compare: a table with a verdict per figure, JSON, and usage errors.
"$bin" compare $web scenarios/validation/tandem.json --duration 3s --set warmup=1s --replications 3 \
    --json "$tmp/cmp.json" >"$tmp/cmp.txt" 2>"$tmp/err"
[ $? -eq 0 ] && grep -q "latency.p99" "$tmp/cmp.txt" && grep -q '"verdict"' "$tmp/cmp.json" && ok ||
    bad "compare should print a table and write JSON: $(cat "$tmp/err")"
"$bin" compare $web --duration 3s >/dev/null 2>&1; [ $? -eq 2 ] && ok || bad "compare with one file should exit 2"
"$bin" compare $web $web --replications 1 >/dev/null 2>"$tmp/err"
[ $? -eq 2 ] && grep -q "2 or more replications" "$tmp/err" && ok || bad "compare with one replication should exit 2"
"$bin" compare $web $web --duration 2s --set warmup=1s --replications 2 --metric nodes.nope.x >/dev/null 2>"$tmp/err"
[ $? -eq 2 ] && grep -q "no such figure" "$tmp/err" && ok || bad "compare --metric of no figure should exit 2"
"$bin" check $web --json x.json >/dev/null 2>&1; [ $? -eq 2 ] && ok || bad "check --json should exit 2"

# Pictures: with gnuplot, PNG files and their data; without it, one note and the data.
if command -v gnuplot >/dev/null; then
    "$bin" run $web --duration 8s --set warmup=2s --replications 2 --quiet --plot "$tmp/plots" >"$tmp/out" 2>"$tmp/err"
    [ $? -eq 0 ] && [ -s "$tmp/plots/latency-timeline.png" ] && [ -s "$tmp/plots/latency-cdf.png" ] &&
        [ -s "$tmp/plots/throughput-timeline.png" ] && [ -s "$tmp/plots/queues-timeline.png" ] &&
        grep -q "^archsim: wrote $tmp/plots/latency-cdf.png" "$tmp/err" && [ ! -s "$tmp/out" ] && ok ||
        bad "run --plot: $(cat "$tmp/err")"
    "$bin" sweep $web --vary workload.arrivals.rate=600,1200 --duration 4s --set warmup=1s \
        --replications 2 --quiet --plot "$tmp/sweep" --svg >/dev/null 2>"$tmp/err"
    [ $? -eq 0 ] && [ -s "$tmp/sweep/sweep-latency.p99.svg" ] && ok || bad "sweep --plot --svg: $(cat "$tmp/err")"
    "$bin" run scenarios/examples/autoscaling.json --duration 300s --set warmup=10s --replications 2 --quiet \
        --plot "$tmp/asplot" >/dev/null 2>"$tmp/err"
    [ $? -le 1 ] && [ -s "$tmp/asplot/queues-timeline.png" ] && ! grep -qv "^archsim: wrote " "$tmp/err" && ok ||
        bad "run --plot with an autoscaled service (instances on the right axis): $(cat "$tmp/err")"
    "$bin" compare $web scenarios/examples/web-tier-bigger-db.json --duration 4s --set warmup=1s \
        --replications 2 --quiet --plot "$tmp/cmpplot" >/dev/null 2>"$tmp/err"
    [ $? -eq 0 ] && [ -s "$tmp/cmpplot/compare-latency.png" ] && ok || bad "compare --plot: $(cat "$tmp/err")"
fi
PATH=/nonexistent "$bin" run $web --duration 4s --set warmup=1s --quiet --plot "$tmp/noplot" >/dev/null 2>"$tmp/err"
[ $? -eq 0 ] && [ -s "$tmp/noplot/timeline.csv" ] && [ "$(grep -c 'gnuplot is not installed' "$tmp/err")" = 1 ] &&
    ok || bad "without gnuplot, run --plot should say so once and keep the data: $(cat "$tmp/err")"

# sweep: the table, CSV and JSON; -j 1 and -j 2 give the same bytes.
"$bin" sweep $web --vary workload.arrivals.rate=800:1200:200 --vary nodes.db.workers=12,16 \
    --duration 3s --set warmup=1s --replications 2 -j 1 --csv "$tmp/s1.csv" --json "$tmp/s1.json" >"$tmp/s1.txt" 2>"$tmp/err"
[ $? -eq 0 ] && [ "$(wc -l <"$tmp/s1.csv")" = 7 ] && grep -q '"points"' "$tmp/s1.json" && ok ||
    bad "sweep over a 3 x 2 grid: $(cat "$tmp/err")"
"$bin" sweep $web --vary workload.arrivals.rate=800:1200:200 --vary nodes.db.workers=12,16 \
    --duration 3s --set warmup=1s --replications 2 -j 2 --csv "$tmp/s2.csv" --json "$tmp/s2.json" >"$tmp/s2.txt" 2>/dev/null
cmp -s "$tmp/s1.csv" "$tmp/s2.csv" && cmp -s "$tmp/s1.json" "$tmp/s2.json" && cmp -s "$tmp/s1.txt" "$tmp/s2.txt" &&
    ok || bad "sweep -j 1 and -j 2 differ"
"$bin" sweep $web --vary workload.arrivals.rate=5:1:1 >/dev/null 2>"$tmp/err"
[ $? -eq 2 ] && grep -q "FROM <= TO" "$tmp/err" && ok || bad "a backwards --vary range should exit 2"
"$bin" sweep $web --vary nodes.api.wokers=1,2 --duration 2s --set warmup=1s >/dev/null 2>"$tmp/err"
[ $? -eq 2 ] && grep -q "^archsim: --vary nodes.api.wokers=1: unknown field (did you mean 'workers'?)" "$tmp/err" && ok ||
    bad "a misspelt --vary path should exit 2 with a did-you-mean: $(cat "$tmp/err")"

# limit: M/M/1 with mu = 1000/s meets a 5 ms mean response up to lambda = 800/s.
"$bin" limit scenarios/validation/mm1-rho50.json --vary workload.arrivals.rate --slo 'latency.mean<5ms' \
    --duration 50s --set warmup=2s --json "$tmp/limit.json" >"$tmp/limit.txt" 2>"$tmp/err"
found=$(awk '$1 == "\"limit\":" { gsub(/,/, "", $2); print $2 }' "$tmp/limit.json")
[ -n "$found" ] && awk -v x="$found" 'BEGIN { exit !(x > 776 && x < 824) }' && grep -q "saturates first: server" "$tmp/limit.txt" &&
    ok || bad "limit on M/M/1 should find about 800/s, found '$found': $(cat "$tmp/err")"
"$bin" limit $web --minimise nodes.db.workers --slo 'latency.p99<60ms' --duration 10s --set warmup=2s \
    >"$tmp/min.txt" 2>"$tmp/err"
[ $? -eq 0 ] && grep -q "the smallest value" "$tmp/min.txt" && ok || bad "limit --minimise: $(cat "$tmp/err")"
"$bin" limit $web --vary workload.arrivals.rate >/dev/null 2>&1; [ $? -eq 2 ] && ok || bad "limit without --slo should exit 2"
"$bin" limit $web --vary workload.arrivals.rate --slo 'latency.p99~3' >/dev/null 2>"$tmp/err"
[ $? -eq 2 ] && grep -q "expected METRIC<VALUE" "$tmp/err" && ok || bad "a malformed --slo should exit 2"
"$bin" limit $web --vary workload.mix.read --slo 'latency.p99<1us' --duration 2s --set warmup=1s >/dev/null 2>&1
[ $? -eq 1 ] && ok || bad "a limit that is never met should exit 1"

# theory: on the validation scenarios every formula sits inside the simulated interval;
# on the default scenario the Allen-Cunneen approximation is named where it misses.
# (Under ASan one of them: the long runs are the release build's job.)
theory_cases="mmck mm1-rho80 mmc16 md1 cache-lru-s08-c1 cache-ttl cache-fifo-s08-c10 db-quorum-miss-n5w2r2 db-async-stale-lag20"
[ "$mode" = asan ] && theory_cases=mmck
for f in $theory_cases; do
    "$bin" theory scenarios/validation/$f.json --json "$tmp/th.json" >"$tmp/th.txt" 2>"$tmp/err"
    [ $? -eq 0 ] && grep -q " formula " "$tmp/th.txt" && ! grep -q "   outside$" "$tmp/th.txt" && grep -q '"inside":\s*true' "$tmp/th.json" &&
        ok || bad "theory $f: a formula outside its interval: $(cat "$tmp/th.txt" "$tmp/err")"
done
"$bin" theory $web --duration 20s >"$tmp/th.txt" 2>&1
grep -q "no closed form applies" "$tmp/th.txt" && grep -q "capacity estimate" "$tmp/th.txt" && ok ||
    bad "theory on web-tier: $(cat "$tmp/th.txt")"

# CI: a run against its own baseline passes; a smaller database fails it, in JUnit too.
"$bin" run $web --duration 10s --set warmup=2s --quiet --json "$tmp/base.json" 2>/dev/null
"$bin" run $web --duration 10s --set warmup=2s --baseline "$tmp/base.json" --junit "$tmp/same.xml" >"$tmp/same.txt" 2>&1
[ $? -eq 0 ] && grep -q "0 changed significantly" "$tmp/same.txt" && grep -q 'failures="0"' "$tmp/same.xml" &&
    ok || bad "a run against its own baseline should pass: $(cat "$tmp/same.txt")"
"$bin" run $web --duration 10s --set warmup=2s --set nodes.db.workers=13 --set "expect=[]" --baseline "$tmp/base.json" \
    --tolerance 5% --junit "$tmp/worse.xml" >"$tmp/worse.txt" 2>&1
[ $? -eq 1 ] && grep -q "FAIL     latency.mean" "$tmp/worse.txt" && grep -q '<failure message=' "$tmp/worse.xml" &&
    ok || bad "a smaller database should fail its baseline: $(cat "$tmp/worse.txt")"
"$bin" run $web --duration 10s --set warmup=2s --set nodes.db.workers=13 --set "expect=[]" --baseline "$tmp/base.json" \
    --tolerance 1000% --metric latency.p99 >"$tmp/tol.txt" 2>&1
[ $? -eq 0 ] && grep -q "0 of them for the worse" "$tmp/tol.txt" && ok || bad "a wide tolerance should pass: $(cat "$tmp/tol.txt")"
"$bin" run $web --baseline scenarios/examples/web-tier.json >/dev/null 2>"$tmp/err"
[ $? -eq 2 ] && grep -q "expected a JSON report written by archsim run --json" "$tmp/err" && ok ||
    bad "a baseline that is not a report should exit 2"

# The progress line: on a terminal for a run over a second, never into a pipe.
progress_run=20000s
[ "$mode" = asan ] && progress_run=12000s
if command -v script >/dev/null; then
    script -qc "$bin run scenarios/bench/mm1-bench.json --duration $progress_run >/dev/null" /dev/null >"$tmp/tty" 2>&1
    grep -q "events/s, [0-9]*s left" "$tmp/tty" && ok || bad "no progress line on a terminal: $(tr '\r' '\n' <"$tmp/tty" | tail -2)"
fi
"$bin" run scenarios/bench/mm1-bench.json --duration $progress_run >/dev/null 2>"$tmp/err"
! grep -q "left" "$tmp/err" && ok || bad "a progress line went into a pipe"

# Exit codes.
"$bin" run $web --duration 3s --set warmup=1s --quiet >/dev/null 2>&1
[ $? -eq 0 ] && ok || bad "web-tier expectations should hold (exit 0)"
"$bin" run $web --duration 3s --set warmup=1s --set expect.0.below=1us --quiet >/dev/null 2>&1
[ $? -eq 1 ] && ok || bad "a failing expectation should exit 1"
"$bin" run $web --set expect.0.metric=latncy.p99 --duration 2s --set warmup=1s >/dev/null 2>"$tmp/err"
[ $? -eq 2 ] && grep -q "expect.0.metric: no reported figure named 'latncy.p99' (did you mean 'latency.p99'?)" "$tmp/err" && ok ||
    bad "an unknown expect metric should exit 2 with a did-you-mean: $(cat "$tmp/err")"
"$bin" >/dev/null 2>&1; [ $? -eq 2 ] && ok || bad "no arguments should exit 2"
"$bin" --help >/dev/null; [ $? -eq 0 ] && ok || bad "--help should exit 0"
"$bin" run >/dev/null 2>&1; [ $? -eq 2 ] && ok || bad "run without a file should exit 2"
"$bin" run $web --bogus >/dev/null 2>&1; [ $? -eq 2 ] && ok || bad "an unknown option should exit 2"
"$bin" fly $web >/dev/null 2>&1; [ $? -eq 2 ] && ok || bad "an unknown command should exit 2"
"$bin" run no/such/file.json >/dev/null 2>"$tmp/err"
[ $? -eq 2 ] && grep -q "no/such/file.json" "$tmp/err" && ok || bad "a missing file should exit 2 naming it"
"$bin" run $web --duration 2s --set warmup=1s --quiet --json /no/such/dir/x.json >/dev/null 2>"$tmp/err"
[ $? -eq 2 ] && grep -q "cannot write /no/such/dir/x.json" "$tmp/err" && ok || bad "an unwritable --json should exit 2"
"$bin" run $web --set nodes.app.workers=4 >/dev/null 2>"$tmp/err"
[ $? -eq 2 ] && grep -q "nodes.app" "$tmp/err" && ok || bad "--set into a missing node should exit 2 naming the path: $(cat "$tmp/err")"
"$bin" run $web --duration 2s --set warmup=1s --set nodes.api.workers=8 --quiet --json "$tmp/w8.json" 2>/dev/null
[ $? -le 1 ] && ok || bad "--set nodes.api.workers=8 should run"

# Faults from the command line, and the drill's story.
"$bin" run $web --duration 6s --set warmup=1s --fault 'db:crash@2s+1s' --fault 'api.1:slow*4@3s+1s' \
    --quiet --json "$tmp/fault.json" 2>"$tmp/err"
[ $? -le 1 ] && grep -q '"faults"' "$tmp/fault.json" && grep -q '"rpo_writes"' "$tmp/fault.json" && ok ||
    bad "run --fault should report faults.*: $(cat "$tmp/err")"
"$bin" run $web --fault 'db:crash' >/dev/null 2>"$tmp/err"
[ $? -eq 2 ] && grep -q "expected TARGET:KIND@AT" "$tmp/err" && ok || bad "a malformed --fault should exit 2"
"$bin" run $web --fault 'dbx:crash@1s' >/dev/null 2>"$tmp/err"
[ $? -eq 2 ] && grep -q "^archsim: --fault 'dbx:crash@1s': target: no node named 'dbx' (did you mean 'db'?)" "$tmp/err" &&
    ok || bad "--fault on an unknown node should exit 2 naming the flag and the target: $(cat "$tmp/err")"
"$bin" drill $web --duration 6s --set warmup=1s --fault 'db:crash@2s+1s' >"$tmp/drill.txt" 2>"$tmp/err"
[ $? -le 1 ] && grep -q "what happened" "$tmp/drill.txt" && grep -q "fault 0 begins: db crash" "$tmp/drill.txt" &&
    grep -q "clients: back at the 99% objective after 1s (service_recover)" "$tmp/drill.txt" &&
    grep -q "target: back, or restored by a failover, after 1s (recover, the RTO)" "$tmp/drill.txt" &&
    ok || bad "drill should tell the story: $(cat "$tmp/err")"
"$bin" drill $web --duration 3s --set warmup=1s >"$tmp/drill.txt" 2>&1
[ $? -le 1 ] && grep -q "injects no faults" "$tmp/drill.txt" && ok || bad "drill without faults should say so"
if command -v gnuplot >/dev/null; then
    "$bin" drill $web --duration 6s --set warmup=1s --fault 'db:crash@2s+1s' --quiet --plot "$tmp/dplots" >/dev/null 2>"$tmp/err"
    [ -s "$tmp/dplots/availability-timeline.png" ] && grep -q "faults.0.on" "$tmp/dplots/timeline.csv" && ok ||
        bad "drill --plot should draw the availability timeline: $(cat "$tmp/err")"
fi

# Bad input: exit 2 and the expected message.
for f in tests/bad/*.json; do
    [ -e "$f" ] || continue
    want=$(cat "${f%.json}.expect")
    "$bin" run "$f" --quiet >/dev/null 2>"$tmp/err"
    code=$?
    if [ $code -eq 2 ] && grep -qF -- "$f: $want" "$tmp/err"; then ok; else
        bad "$f: exit $code, wanted 2 with '$want', got: $(cat "$tmp/err")"
    fi
done

# Further checks, one file per theme (edges, verdicts...): each is sourced here and uses
# $bin, $mode, $tmp, ok and bad.
for part in tests/scenarios.d/*.sh; do
    [ -e "$part" ] || continue
    # shellcheck source=/dev/null
    . "$part"
done

echo "scenario tests ($mode): $passed passed, $failed failed"
[ $failed -eq 0 ]
