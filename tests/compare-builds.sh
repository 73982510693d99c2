#!/usr/bin/env bash
# compare-builds.sh OPTIMISED UNOPTIMISED: the same scenario and seed give the same bytes
# whatever the optimisation level (no fast-math, no contraction: C11 mode).
set -u
a=$1
b=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
passed=0
failed=0
for f in scenarios/*/*.json; do
    args=(run "$f" --duration 3s --set warmup=1s --replications 2 --quiet)
    "$a" "${args[@]}" --json "$tmp/a.json" --timeline "$tmp/a.csv" 2>/dev/null
    "$b" "${args[@]}" --json "$tmp/b.json" --timeline "$tmp/b.csv" 2>/dev/null
    if cmp -s "$tmp/a.json" "$tmp/b.json" && cmp -s "$tmp/a.csv" "$tmp/b.csv"; then
        passed=$((passed + 1))
    else
        failed=$((failed + 1))
        echo "FAIL: $f differs between $a and $b"
    fi
done
echo "-O2 against -O0: $passed passed, $failed failed"
[ $failed -eq 0 ]
