# shellcheck shell=bash disable=SC2154,SC2015
# pictures.sh (sourced by tests/scenarios.sh; uses $bin, $mode, $tmp, ok, bad, $short, $web):
# what the gnuplot pictures show, read from their SVG text: labels in plain text, the latency
# tail, failures on the latency timeline, every node type's queues, the sweep's expectation
# line and units, compare's paired differences; and no legend inside a plot.

# Legends sit outside the data in every script (below the plot).
for gp in plots/*.gp; do
    grep -q 'set key' "$gp" || continue
    grep 'set key' "$gp" | grep -vqE 'set key (below|outside)' && bad "$gp: a legend inside the plot" || ok
done

if command -v gnuplot >/dev/null; then
    # Plain text: a name with '_', '&', braces and '<' prints as written (gnuplot's enhanced
    # text made "hit_{r}atio" of "hit_ratio"); the drill shows failures and every node type.
    python3 - "$tmp/pic.json" <<'EOF'
import json, sys
s = json.load(open("scenarios/drills/primary-db-down-async.json"))
s["name"] = "db_down & {x} <y>"
json.dump(s, open(sys.argv[1], "w"))
EOF
    "$bin" drill "$tmp/pic.json" --duration 20s --set warmup=2s --replications 2 \
        --set 'faults.0.at=8s' --plot "$tmp/pics" --svg --quiet >/dev/null 2>"$tmp/err"
    grep -qF '<text>db_down &amp; {x} &lt;y>: latency tail' "$tmp/pics/latency-cdf.svg" &&
        ok || bad "picture titles are not plain text: $(grep -m1 'db_down\|db<' "$tmp/pics/latency-cdf.svg")"
    # the tail view: a complementary CDF with p99 and p999 marked, its x axis on the data
    grep -q 'share of requests slower' "$tmp/pics/latency-cdf.svg" && grep -q '>p999<' "$tmp/pics/latency-cdf.svg" &&
        ok || bad "latency-cdf.svg is not the tail view"
    grep -q 'failed or timed out' "$tmp/pics/latency-timeline.svg" && ok || bad "latency timeline does not show failures"
    # db is a database: its backlog is in the queues picture beside the service's queue
    grep -q 'db.unreplicated_writes' "$tmp/pics/queues-timeline.svg" && grep -q 'api.queue' "$tmp/pics/queues-timeline.svg" &&
        ok || bad "queues picture lacks a node type: $(grep -o 'title>[^<]*' "$tmp/pics/queues-timeline.svg" | head -5)"
    # a service's capacity lines: workers x instances (8 x 2), from the scenario and --set
    "$bin" run scenarios/examples/quickstart.json "${short[@]}" --set nodes.db.queue=50 --plot "$tmp/cap-pics" \
        --svg --quiet >/dev/null 2>"$tmp/err"
    grep -q 'api.busy limit 16<' "$tmp/cap-pics/queues-timeline.svg" && grep -q 'db.queue limit 50<' "$tmp/cap-pics/queues-timeline.svg" &&
        ok || bad "queues picture: no capacity lines: $(cat "$tmp/err")"
    grep -q "errors (right axis)" "$tmp/pics/throughput-timeline.svg" && grep -q '>20%<\|>10%<\|>5%<' "$tmp/pics/throughput-timeline.svg" &&
        ok || bad "throughput picture: its right axis is not in percent"

    # Sweep: the expectation's line, a duration axis in its unit, a list of names as labels.
    "$bin" sweep scenarios/examples/quickstart.json --vary nodes.cache.hit_time=100us,1ms "${short[@]}" \
        --plot "$tmp/sweep-pics" --svg --quiet >/dev/null 2>"$tmp/err"
    grep -q 'expect below 50ms' "$tmp/sweep-pics/sweep-latency.p99.svg" &&
        grep -q 'nodes.cache.hit_time (ms)' "$tmp/sweep-pics/sweep-latency.p99.svg" &&
        ok || bad "sweep picture: no expectation line or no unit on x: $(cat "$tmp/err")"
    "$bin" sweep "$web" --vary nodes.api.io=blocking,async "${short[@]}" --plot "$tmp/sweep-names" --svg \
        --quiet >/dev/null 2>"$tmp/err"
    [ -s "$tmp/sweep-names/sweep-latency.p99.svg" ] && grep -q '>blocking<' "$tmp/sweep-names/sweep-latency.p99.svg" &&
        ! grep -qv "^archsim: wrote " "$tmp/err" && ok || bad "sweep over names: $(cat "$tmp/err")"

    # Compare: each figure's paired difference from A with its interval.
    "$bin" compare "$web" scenarios/examples/web-tier-bigger-db.json "${short[@]}" --plot "$tmp/cmp-pics" --svg \
        --quiet >/dev/null 2>"$tmp/err"
    grep -q 'paired difference from design A' "$tmp/cmp-pics/compare-differences.svg" &&
        grep -q '>latency.p99<' "$tmp/cmp-pics/compare-differences.svg" && ok ||
        bad "compare: no paired differences picture: $(cat "$tmp/err")"
fi
