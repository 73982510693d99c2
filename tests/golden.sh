#!/usr/bin/env bash
# golden.sh BINARY [--update]: the JSON reports of a few fixed-seed runs, diffed byte for
# byte against tests/golden/. They catch an unintended change in the numbers; --update
# (`make golden`) rewrites them deliberately and shows what changed, for the commit message.
set -u
bin=$1
update=${2:-}
dir=tests/golden
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# name, then the command's arguments (the JSON goes to --json).
cases=(
    "service-mm1|run scenarios/validation/mm1-rho80.json --duration 20s --replications 4"
    "cache-database|run scenarios/examples/web-tier.json --duration 20s --replications 3"
    "drill-db-failover|run scenarios/drills/primary-db-down-async.json"
    "sweep-mm1|sweep scenarios/validation/mm1-rho80.json --vary workload.arrivals.rate=400:800:200 --duration 10s --replications 3"
)

passed=0
failed=0
for c in "${cases[@]}"; do
    name=${c%%|*}
    read -r -a args <<<"${c#*|}"
    "$bin" "${args[@]}" --quiet --json "$tmp/$name.json" >/dev/null 2>"$tmp/err"
    code=$?
    if [ $code -gt 1 ]; then
        echo "FAIL: golden $name: archsim ${args[*]} exited $code: $(cat "$tmp/err")"
        failed=$((failed + 1))
        continue
    fi
    if cmp -s "$tmp/$name.json" "$dir/$name.json"; then
        passed=$((passed + 1))
    elif [ "$update" = --update ]; then
        if [ -f "$dir/$name.json" ]; then
            echo "== $name changed (archsim ${args[*]}):"
            diff -U0 "$dir/$name.json" "$tmp/$name.json" | grep -v '^@@' | head -60
        else
            echo "== $name: new"
        fi
        cp "$tmp/$name.json" "$dir/$name.json"
        passed=$((passed + 1))
    else
        echo "FAIL: golden $name differs from $dir/$name.json (archsim ${args[*]}):"
        diff -U0 "$dir/$name.json" "$tmp/$name.json" | grep -v '^@@' | head -20
        echo "  if the change is intended, run 'make golden' and say why in the commit"
        failed=$((failed + 1))
    fi
done
echo "golden outputs: $passed passed, $failed failed"
[ $failed -eq 0 ]
