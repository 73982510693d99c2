#!/usr/bin/env bash
# bench.sh ARCHSIM BENCHDIR: the speed benchmark (`make bench`), in CPU time (user + system,
# from /usr/bin/time), never wall time: the machine may be shared. Each figure is the median
# of 3 runs; archsim and the reference run in pairs, one after the other.
#  1. M/M/1 at utilisation 0.9: archsim from scenarios/bench/mm1-bench.json beside
#     BENCHDIR/mm1_ref, a hand-written C M/M/1 with the same generator, streams and
#     sampling. Both must serve the same customers with the same mean latency (checked);
#     the ratio archsim / C says how close the engine is to the raw limit.
#  2. The calendar's hold benchmark (BENCHDIR/hold) at 10^3, 10^5 and 10^6 pending events.
#  3. The rest of the engine: a load balancer, a service, a cache and a replicated database
#     (stack-bench.json), and a cache alone (cache-bench.json), in events per second.
# BENCH_CUSTOMERS (default "10000000 100000000") and BENCH_HOLDS (default 5000000) shorten
# a trial run.
set -eu
bin=$1
dir=$2
customers=${BENCH_CUSTOMERS:-10000000 100000000}
holds=${BENCH_HOLDS:-5000000}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# The first value of "key" in a JSON report (the reports put latency before the nodes).
field() { awk -v k="\"$1\":" '$1 == k { gsub(/,/, "", $2); print $2; exit }' "$2"; }
# Runs a command; prints "cpu_seconds peak_rss_kib", its stdout going to $tmp/out.
cpu() {
    /usr/bin/time -f '%U %S %M' -o "$tmp/time" "$@" >"$tmp/out"
    awk '{ printf "%.3f %d\n", $1 + $2, $3 }' "$tmp/time"
}
median() { sort -g | sed -n 2p; }

echo "== M/M/1, utilisation 0.9: archsim from JSON beside the hand-written C reference"
echo "   (customers per CPU second; peak resident memory; median of 3 paired runs)"
printf '%-11s %13s %13s %7s %13s %10s %10s\n' customers archsim/s C/s arch/C archsim_ev/s archsim_MiB C_MiB
for n in $customers; do
    dur=$(awk -v n="$n" 'BEGIN { printf "%.1f", n / 900 }')
    : >"$tmp/a"
    : >"$tmp/c"
    for i in 1 2 3; do
        read -r acpu arss <<<"$(cpu "$bin" run scenarios/bench/mm1-bench.json --duration "${dur}s" \
            --quiet --json "$tmp/r.json")"
        count=$(field count "$tmp/r.json")
        mean=$(field mean "$tmp/r.json")
        events=$(field events "$tmp/r.json")
        read -r ccpu crss <<<"$(cpu "$dir/mm1_ref" "$dur")"
        read -r ccount cmean <"$tmp/out"
        # The same double, compared as numbers: archsim prints the shortest form that reads
        # back exactly, the reference %.17g (0.0099656412672883 vs 0.0099656412672882999).
        if [ "$count" != "$ccount" ] || ! awk -v a="$mean" -v b="$cmean" 'BEGIN { exit !(a + 0 == b + 0) }'; then
            echo "bench: archsim and the reference differ at $n customers: count $count vs" \
                 "$ccount, mean latency $mean vs $cmean" >&2
            exit 1
        fi
        echo "$acpu $arss $events $count" >>"$tmp/a"
        echo "$ccpu $crss" >>"$tmp/c"
    done
    read -r acpu arss events count <<<"$(sort -g "$tmp/a" | sed -n 2p)"
    read -r ccpu crss <<<"$(sort -g "$tmp/c" | sed -n 2p)"
    awk -v n="$count" -v a="$acpu" -v c="$ccpu" -v e="$events" -v ar="$arss" -v cr="$crss" 'BEGIN {
        printf "%-11d %13.4g %13.4g %7.3f %13.4g %10.1f %10.1f\n",
               n, n / a, n / c, c / a, e / a, ar / 1024, cr / 1024 }'
done
echo "   an event is one dispatched calendar entry: per request an arrival, the call reaching"
echo "   the server, the service completion, the answer reaching the client (docs/engine.md)"

echo
echo "== The calendar's hold benchmark: pop the earliest event, push it back later (exp increment)"
printf '%-11s %12s %13s\n' pending ns/hold holds/s
for n in 1000 100000 1000000; do
    for i in 1 2 3; do "$dir/hold" "$n" "$holds" | awk '{ print $4 }'; done >"$tmp/h"
    ns=$(median <"$tmp/h")
    awk -v n="$n" -v ns="$ns" 'BEGIN { printf "%-11d %12.1f %13.4g\n", n, ns, 1e9 / ns }'
done

echo
echo "== The rest of the engine (events and finished requests per CPU second, median of 3)"
printf '%-13s %12s %12s %12s %10s\n' scenario events events/s requests/s peak_MiB
for s in stack-bench cache-bench; do
    : >"$tmp/s"
    for i in 1 2 3; do
        read -r scpu srss <<<"$(cpu "$bin" run "scenarios/bench/$s.json" --quiet --json "$tmp/r.json")"
        echo "$scpu $srss $(field events "$tmp/r.json") $(field finished "$tmp/r.json")" >>"$tmp/s"
    done
    read -r scpu srss events finished <<<"$(sort -g "$tmp/s" | sed -n 2p)"
    awk -v s="$s" -v c="$scpu" -v e="$events" -v f="$finished" -v r="$srss" 'BEGIN {
        printf "%-13s %12d %12.4g %12.4g %10.1f\n", s, e, e / c, f / c, r / 1024 }'
done
