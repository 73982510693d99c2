# theory.sh (sourced by scenarios.sh): theory's exact formulas for round-robin dealing
# (GI/M/1 with Erlang-n gaps) and the token bucket (M/D/1/K) sit inside the simulated
# intervals, with the hand-computed figures. Short runs: a few seconds.

# 4 instances at 0.85: sigma 0.7677, mean wait 6.608 ms, response 8.608 ms (M/M/1: 13.3 ms);
# theory feeds the formula the simulated rate, 1701.24/s here, hence 76.86% and 8.643 ms
# (sigma 0.76860; the rate is the seed's, xoshiro256++ streams).
"$bin" theory scenarios/validation/round-robin-erlang4.json --duration 40s >"$tmp/th.txt" 2>"$tmp/err"
grep -q "wait.probability  *76.86%" "$tmp/th.txt" && grep -q "latency.mean  *8.643ms" "$tmp/th.txt" &&
    ! grep -q "   outside$\|approximation" "$tmp/th.txt" && ok ||
    bad "theory on round robin should be GI/M/1 and inside: $(cat "$tmp/th.txt" "$tmp/err")"
# Several workers per instance under round robin: Allen-Cunneen, and it says so.
"$bin" theory scenarios/validation/round-robin-erlang4.json --duration 20s \
    --set nodes.server.workers=2 --set workload.arrivals.rate=3000 >"$tmp/th.txt" 2>"$tmp/err"
grep -q "Erlang-4 gaps: the wait is the Allen-Cunneen approximation" "$tmp/th.txt" &&
    ! grep -q "wait.probability" "$tmp/th.txt" && ok ||
    bad "round robin to 2-worker instances should be labelled an approximation: $(cat "$tmp/th.txt")"
# Token bucket rate 1000/s, burst 5: M/D/1/5 blocking 6.465% at the simulated 900.85/s.
"$bin" theory scenarios/validation/token-bucket-rho90.json --duration 60s >"$tmp/th.txt" 2>"$tmp/err"
grep -q "throttled_ratio  *6.465%" "$tmp/th.txt" && ! grep -q "   outside$" "$tmp/th.txt" && ok ||
    bad "theory on the token bucket: $(cat "$tmp/th.txt" "$tmp/err")"
# Closed-loop users: 10 users, think 50 ms, one 5 ms server is M/M/1//10, solved exactly
# (response 13.66 ms where the open formula said 23.6 ms).
"$bin" theory scenarios/validation/machine-repairman.json --duration 40s >"$tmp/th.txt" 2>"$tmp/err"
grep -q "latency.mean  *13.66ms" "$tmp/th.txt" && ! grep -q "   outside$" "$tmp/th.txt" && ok ||
    bad "theory on closed-loop users should be M/M/1//N and inside: $(cat "$tmp/th.txt" "$tmp/err")"
