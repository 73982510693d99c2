#!/usr/bin/env bash
# bench.sh BINARY: the speed benchmark. M/M/1 at utilisation 0.9 loaded from JSON,
# 10^7 then 10^8 arrivals on one core; prints events and simulated requests per second
# and peak resident memory, three runs each (the median counts: this machine is shared).
# Every statistic is on; no --timeline, whose rows (about 50 bytes per interval) are output
# that grows with the run by design, and would hide whether the simulation's memory does.
set -eu
bin=$1
scenario=scenarios/bench/mm1-bench.json
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

field() { awk -v k="\"$1\":" '$1 == k { gsub(/,/, "", $2); print $2; exit }' "$2"; }

run() { # arrivals label
    local arrivals=$1 dur
    dur=$(awk -v n="$arrivals" 'BEGIN { printf "%.1fs", n / 900 }')
    for i in 1 2 3; do
        "$bin" run "$scenario" --duration "$dur" --quiet --timing --json "$tmp/r$i.json"
        echo "$(field events_per_second "$tmp/r$i.json") $(field requests_per_second "$tmp/r$i.json") $(field peak_rss_bytes "$tmp/r$i.json") $(field events "$tmp/r$i.json") $(field count "$tmp/r$i.json")"
    done | sort -n -k2 | sed -n 2p
}

echo "M/M/1, utilisation 0.9, loaded from $scenario, one core, median of 3 runs"
echo "an event is one dispatched calendar entry: an arrival, a call reaching the server,"
echo "a service completion, an answer reaching the client"
printf '%-12s %14s %18s %16s %14s\n' arrivals events/s requests/s peak_rss_MiB events
for n in 10000000 100000000; do
    read -r eps rps rss events count <<<"$(run $n)"
    printf '%-12s %14.4g %18.4g %16.1f %14s\n' "$n" "$eps" "$rps" "$(awk -v b="$rss" 'BEGIN{print b/1048576}')" "$events"
done
