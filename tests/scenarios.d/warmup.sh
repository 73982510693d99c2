# warmup.sh (sourced by scenarios.sh): the warm-up is checked against the transient MSER
# finds in replication 0, --warmup auto takes it, and a duration shorter than the warm-up
# is told what to do. Runs of a few seconds.

# The README's tour at 1,900/s builds its queue for a while: MSER on replication 0 puts the
# end of the transient at 11.5 s at seed 42 (10 to 17 s at seeds 1-9; 16.8 s at seed 42 on
# the earlier MT19937 streams); the 5 s warm-up is short.
"$bin" run "$web" --set workload.arrivals.rate=1900 --replications 1 --quiet 2>"$tmp/err"
grep -q "warning: .*latency settles only after about 1[0-4].*s (MSER.*--warmup auto" "$tmp/err" &&
    ok || bad "a warm-up shorter than the transient should be warned about: $(cat "$tmp/err")"
# At 1,500/s there is no long transient: no warning.
"$bin" run "$web" --set workload.arrivals.rate=1500 --replications 1 --quiet 2>"$tmp/err"
grep -q "warning" "$tmp/err" && bad "a settled run was warned about: $(cat "$tmp/err")" || ok

# --warmup auto deletes the detected transient, and then has nothing to warn about.
"$bin" run "$web" --set workload.arrivals.rate=1900 --replications 1 --warmup auto \
    --json "$tmp/auto.json" >"$tmp/out" 2>"$tmp/err"
warm=$(sed -n 's/^[[:space:]]*"warmup":[[:space:]]*\([0-9.e+-]*\),*$/\1/p' "$tmp/auto.json")
awk -v w="$warm" 'BEGIN { exit !(w >= 10 && w <= 16) }' && ok ||
    bad "--warmup auto should take the ~11.5 s transient, took '$warm'"
grep -q "warning" "$tmp/err" && bad "--warmup auto still warned: $(cat "$tmp/err")" || ok
"$bin" run "$web" --warmup 2s --replications 1 --quiet --json "$tmp/w2.json" 2>/dev/null
[ "$(sed -n 's/^[[:space:]]*"warmup":[[:space:]]*\([0-9.e+-]*\),*$/\1/p' "$tmp/w2.json")" = 2 ] && ok ||
    bad "--warmup 2s was not applied"

# Faults change latency on purpose: auto refuses, and says what to do.
"$bin" run scenarios/drills/cache-down.json --warmup auto --quiet 2>"$tmp/err"
[ $? -eq 2 ] && grep -q "give the warm-up as a duration" "$tmp/err" && ok ||
    bad "--warmup auto on a drill should exit 2 with advice: $(cat "$tmp/err")"

# A duration shorter than the warm-up: exit 2, and what to change.
"$bin" run "$web" --duration 3s --quiet 2>"$tmp/err"
[ $? -eq 2 ] && grep -q "got 5s of a 3s run.*--duration.*--warmup" "$tmp/err" && ok ||
    bad "--duration under the warm-up should say what to do: $(cat "$tmp/err")"
