# mva.sh (sourced by scenarios.sh): theory solves closed-loop users through a network of
# services by mean value analysis where it is product form, labels the approximations and
# names the reason where it cannot. Short runs: a few seconds.

# front -> app -> db (half the time), 20 users thinking 100 ms: X(N) 138.224/s, 44.69 ms.
"$bin" theory scenarios/validation/closed-network.json --duration 60s >"$tmp/mva.txt" 2>"$tmp/err"
grep -q "X(N) = 138.224/s, response N/X - Z = 44.6923 ms" "$tmp/mva.txt" &&
    grep -q "latency.mean  *44.69ms" "$tmp/mva.txt" && ! grep -q "approximation" "$tmp/mva.txt" && ok ||
    bad "theory on a closed network should be exact MVA: $(cat "$tmp/mva.txt" "$tmp/err")"
# Blocking io is not product form: named, and no formula for any node of the network.
"$bin" theory scenarios/validation/closed-network.json --duration 10s --set nodes.app.io=blocking \
    >"$tmp/mva.txt" 2>"$tmp/err"
grep -q "at app, blocking io holds a worker through its downstream calls" "$tmp/mva.txt" &&
    ! grep -q "utilisation  " "$tmp/mva.txt" && ok ||
    bad "a blocking node should stop the MVA with its reason: $(cat "$tmp/mva.txt" "$tmp/err")"
# Two instances dealt round robin: separate queues, labelled an approximation.
"$bin" theory scenarios/validation/closed-network.json --duration 10s --set nodes.app.instances=2 \
    >"$tmp/mva.txt" 2>"$tmp/err"
grep -q "2 instances taken as 2 separate queues.*an approximation" "$tmp/mva.txt" &&
    grep -q "an approximation elsewhere in the closed network (app's 2 instances" "$tmp/mva.txt" && ok ||
    bad "several instances should be labelled an approximation: $(cat "$tmp/mva.txt" "$tmp/err")"
# Two multi-worker queues: Seidmann's approximation, and no P(wait) for them.
"$bin" theory scenarios/validation/closed-network.json --duration 10s --set nodes.app.workers=2 \
    --set nodes.db.workers=2 >"$tmp/mva.txt" 2>"$tmp/err"
grep -q "Seidmann's approximation" "$tmp/mva.txt" && ok ||
    bad "two multi-worker queues should be Seidmann's approximation: $(cat "$tmp/mva.txt" "$tmp/err")"
