# verdicts.sh (sourced by scenarios.sh): --baseline's false alarms and its power, and
# its refusals. An unchanged scenario run at another seed must pass its baseline at least
# 19 times in 20 seed pairs; a database 10% slower must fail it, paired or not.
vd_web=scenarios/examples/web-tier.json
vd_short=(--duration 10s --replications 5)
vd_pairs=20
[ "$mode" = asan ] && vd_pairs=3 # the sanitizer build checks the path, not the rate
vd_pass=0
for i in $(seq 1 $vd_pairs); do
    "$bin" run $vd_web "${vd_short[@]}" --seed $((1000 + i)) --quiet --json "$tmp/vd-base$i.json" 2>/dev/null
    "$bin" run $vd_web "${vd_short[@]}" --seed $((5000 + i)) --quiet --baseline "$tmp/vd-base$i.json" 2>/dev/null &&
        vd_pass=$((vd_pass + 1))
done
[ $vd_pass -ge $((vd_pairs - vd_pairs / 20)) ] && ok ||
    bad "an unchanged scenario passed its baseline $vd_pass times in $vd_pairs seed pairs"
vd_slow=(--set nodes.db.service_time.mean=8.8ms --set nodes.db.service_time_by_op.write.mean=16.5ms)
"$bin" run $vd_web "${vd_short[@]}" --seed 1001 "${vd_slow[@]}" --baseline "$tmp/vd-base1.json" >"$tmp/vd.txt" 2>&1
[ $? -eq 1 ] && grep -q "paired replications" "$tmp/vd.txt" && grep -q "FAIL     latency.mean" "$tmp/vd.txt" && ok ||
    bad "a 10% slower database should fail its baseline (paired): $(cat "$tmp/vd.txt")"
"$bin" run $vd_web "${vd_short[@]}" --seed 5001 "${vd_slow[@]}" --baseline "$tmp/vd-base1.json" >"$tmp/vd.txt" 2>&1
[ $? -eq 1 ] && grep -q "Welch" "$tmp/vd.txt" && grep -q "FAIL     latency.mean" "$tmp/vd.txt" && ok ||
    bad "a 10% slower database should fail its baseline (Welch): $(cat "$tmp/vd.txt")"

# The issue's case at the example's own length: 12 database workers instead of 16. Latency
# is worse (a failure); the API's utilisation is neutral: "changed", never a failure.
"$bin" run $vd_web --quiet --set 'expect=[]' --json "$tmp/vd-16.json" 2>/dev/null
"$bin" run $vd_web --set nodes.db.workers=12 --set 'expect=[]' --baseline "$tmp/vd-16.json" >"$tmp/vd.txt" 2>&1
[ $? -eq 1 ] && grep -q "FAIL     latency.p50" "$tmp/vd.txt" && grep -q "changed  nodes.api.utilisation" "$tmp/vd.txt" &&
    [ "$(grep -c "^  FAIL" "$tmp/vd.txt")" -le 3 ] && ok ||
    bad "12 database workers: latency should fail, utilisation only change: $(cat "$tmp/vd.txt")"

# Refusals: exit 2 and a message that says what is wrong.
"$bin" run $vd_web "${vd_short[@]}" --baseline "$tmp/vd-base1.json" --metric latency.mena >/dev/null 2>"$tmp/err"
[ $? -eq 2 ] && grep -q "did you mean 'latency.mean'" "$tmp/err" && ok ||
    bad "an unknown --metric should exit 2 with did-you-mean: $(cat "$tmp/err")"
"$bin" run $vd_web --baseline "$tmp/vd-base1.json" --tolerance 5 >/dev/null 2>"$tmp/err"
[ $? -eq 2 ] && grep -q "a bare number is a share from 0 to 1" "$tmp/err" && ok ||
    bad "--tolerance 5 should be refused: $(cat "$tmp/err")"
"$bin" run $vd_web "${vd_short[@]}" --seed 1001 --quiet --baseline "$tmp/vd-base1.json" --tolerance 0.05 >/dev/null 2>&1 &&
    "$bin" run $vd_web "${vd_short[@]}" --seed 1001 --quiet --baseline "$tmp/vd-base1.json" --tolerance 5% >/dev/null 2>&1 &&
    ok || bad "--tolerance 0.05 and 5% should both be taken"
"$bin" run $vd_web --baseline "$tmp/no-such.json" >/dev/null 2>"$tmp/err"
[ $? -eq 2 ] && grep -q "no-such.json: no such file" "$tmp/err" && ok || bad "a missing baseline: $(cat "$tmp/err")"
"$bin" run scenarios/validation/mm1-rho80.json --duration 2s --set warmup=0.5s --replications 2 --baseline "$tmp/vd-base1.json" \
    >/dev/null 2>"$tmp/err"
[ $? -eq 2 ] && grep -q "is a report of scenario 'web-tier'" "$tmp/err" && ok ||
    bad "a baseline of another scenario should be refused: $(cat "$tmp/err")"
sed 's/"rate": 1200/"rate": 1201/' $vd_web >"$tmp/vd-edited.json"
"$bin" run "$tmp/vd-edited.json" "${vd_short[@]}" --seed 1001 --baseline "$tmp/vd-base1.json" >"$tmp/vd.txt" 2>&1
grep -q "note: the baseline was written from another version of the scenario file" "$tmp/vd.txt" && ok ||
    bad "an edited scenario file should be noted: $(cat "$tmp/vd.txt")"

# Run-length control: replications are added until every headline figure's 95% interval is
# within the target, the report names the figure that decided, the cap holds, and the
# thread count changes nothing. The target is 2%: at 3% the first 5 replications of this
# seed (xoshiro256++ streams) already meet it, and the check is that replications are added.
"$bin" run $vd_web --duration 6s --set warmup=1s --precision 2% -j 1 --json "$tmp/vd-p1.json" >"$tmp/vd-p1.txt" 2>/dev/null
vd_used=$(awk '/"scenario":/ {s = 1} s && /"replications":/ { gsub(/[^0-9]/, "", $2); print $2; exit }' "$tmp/vd-p1.json")
grep -q "^precision 2%: met after $vd_used replications (cap 100); latency.p99 decided" "$tmp/vd-p1.txt" &&
    [ "$vd_used" -gt 5 ] && grep -q '"decided_by":\s*"latency.p99"' "$tmp/vd-p1.json" && ok ||
    bad "--precision 2% should add replications and name the deciding figure: $(head -3 "$tmp/vd-p1.txt")"
"$bin" run $vd_web --duration 6s --set warmup=1s --precision 2% -j 2 --json "$tmp/vd-p2.json" >"$tmp/vd-p2.txt" 2>/dev/null
cmp -s "$tmp/vd-p1.json" "$tmp/vd-p2.json" && cmp -s "$tmp/vd-p1.txt" "$tmp/vd-p2.txt" && ok ||
    bad "--precision: -j 1 and -j 2 differ"
# Each watched figure meets the target: its half-width over its mean.
awk -v want="$vd_used" '
    /"ci95":/ { ci = 1 }
    ci && /"p99":/ { getline lo; getline hi; gsub(/[^0-9.e-]/, "", lo); gsub(/[^0-9.e-]/, "", hi); exit !((hi - lo) / (hi + lo) <= 0.02) }
' "$tmp/vd-p1.json" && ok || bad "--precision 2%: latency.p99's interval is wider than 2% of its mean"
"$bin" run $vd_web --duration 6s --set warmup=1s --precision 0.1% --set max_replications=7 --quiet \
    --json "$tmp/vd-p3.json" 2>/dev/null
grep -q '"met":\s*false' "$tmp/vd-p3.json" && grep -q '"replications":\s*7,' "$tmp/vd-p3.json" && ok ||
    bad "--precision should stop at max_replications"
"$bin" run $vd_web --duration 6s --set warmup=1s --precision 5% --metric nodes.db.utilisaton >/dev/null 2>"$tmp/err"
[ $? -eq 2 ] && grep -q "did you mean 'nodes.db.utilisation'" "$tmp/err" && ok ||
    bad "--precision with an unknown --metric should exit 2: $(cat "$tmp/err")"
# compare --precision: replications are added to both designs until each verdict is decided
# (significant, or the difference known to within the target); the same bytes at any -j.
vd_cmp=(compare $vd_web scenarios/examples/web-tier-bigger-db.json --duration 6s --set warmup=1s --precision 0.2%)
"$bin" "${vd_cmp[@]}" -j 1 --json "$tmp/vd-c1.json" >"$tmp/vd-c1.txt" 2>/dev/null
"$bin" "${vd_cmp[@]}" -j 2 --json "$tmp/vd-c2.json" >"$tmp/vd-c2.txt" 2>/dev/null
grep -q "^precision 0.2%: every verdict decided after" "$tmp/vd-c1.txt" && ! grep -q '"replications":\s*5,' "$tmp/vd-c1.json" &&
    cmp -s "$tmp/vd-c1.json" "$tmp/vd-c2.json" && cmp -s "$tmp/vd-c1.txt" "$tmp/vd-c2.txt" && ok ||
    bad "compare --precision should add replications until decided, the same at -j 1 and 2: $(head -3 "$tmp/vd-c1.txt")"
