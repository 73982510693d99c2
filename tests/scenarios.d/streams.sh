# shellcheck shell=bash disable=SC2154,SC2015
# streams.sh (sourced by tests/scenarios.sh; uses $bin, $mode, $tmp, $web, $short, ok, bad):
# results on stdout, everything else on stderr; --quiet leaves stdout empty; '-' is stdin
# for a scenario (read once) and stdout for an output; compare --csv; errors in what a flag
# wrote name the flag, not the file.

st=$tmp/streams
mkdir -p "$st"
st_short=(--duration 2s --set warmup=1s --replications 2)

# --quiet: nothing on stdout, for every command that reports.
for cmd in "run $web" "drill $web" "check $web" "theory $web" "compare $web $web" \
    "sweep $web --vary workload.arrivals.rate=600,900"; do
    # shellcheck disable=SC2086
    "$bin" $cmd "${st_short[@]}" --quiet >"$st/out" 2>"$st/err"
    code=$?
    [ $code -le 1 ] && [ ! -s "$st/out" ] && ok ||
        bad "$cmd --quiet: exit $code, stdout should be empty: $(head -c 300 "$st/out") $(head -c 300 "$st/err")"
done
"$bin" limit $web --vary workload.arrivals.rate --slo 'errors.ratio<50%' --duration 1s --set warmup=0s \
    --replications 2 --set workload.arrivals.rate=4000 --quiet >"$st/out" 2>"$st/err"
[ $? -le 1 ] && [ ! -s "$st/out" ] && [ ! -s "$st/err" ] && ok ||
    bad "limit --quiet should print nothing at all: $(head -c 300 "$st/out") $(head -c 300 "$st/err")"
"$bin" estimate --qps 100 --server-qps 50 --quiet --scenario "$st/sized.json" >"$st/out" 2>"$st/err"
[ $? -eq 0 ] && [ ! -s "$st/out" ] && [ -s "$st/sized.json" ] && ok ||
    bad "estimate --quiet --scenario should print nothing on stdout: $(cat "$st/out" "$st/err")"

# Progress and the events line go to stderr; the report to stdout.
"$bin" run $web "${st_short[@]}" >"$st/out" 2>"$st/err"
grep -q "events in" "$st/err" && ! grep -q "events in" "$st/out" && grep -q "latency" "$st/out" &&
    ok || bad "run: the events line belongs on stderr, the report on stdout"
"$bin" estimate --qps 100 --server-qps 50 --scenario "$st/sized.json" >"$st/out" 2>"$st/err"
grep -q "^archsim: wrote $st/sized.json" "$st/err" && ! grep -q wrote "$st/out" &&
    grep -q "peak" "$st/out" && ok || bad "estimate: 'wrote' belongs on stderr: $(cat "$st/out" "$st/err")"
if command -v gnuplot >/dev/null; then
    "$bin" run $web "${st_short[@]}" --plot "$st/plots" >"$st/out" 2>"$st/err"
    grep -q "^archsim: wrote $st/plots/latency" "$st/err" && ! grep -q "wrote" "$st/out" &&
        ok || bad "run --plot: 'wrote FILE' lines belong on stderr: $(head -c 300 "$st/out")"
    "$bin" sweep $web --vary workload.arrivals.rate=600,900 "${st_short[@]}" --plot "$st/splots" \
        --quiet >"$st/out" 2>"$st/err"
    [ ! -s "$st/out" ] && grep -q "wrote" "$st/err" && ok ||
        bad "sweep --plot --quiet: stdout should be empty: $(head -c 300 "$st/out")"
fi

# '-' for the scenario: stdin, read once, called <stdin> in messages.
"$bin" run $web "${st_short[@]}" --quiet --json "$st/file.json" 2>/dev/null
"$bin" run - "${st_short[@]}" --quiet --json "$st/stdin.json" <$web 2>/dev/null
cmp -s "$st/file.json" "$st/stdin.json" && ok || bad "run - < FILE should give FILE's JSON report"
"$bin" check - <$web >"$st/out" 2>&1 && grep -q "^<stdin>: ok" "$st/out" && ok ||
    bad "check - should read stdin: $(head -3 "$st/out")"
printf '{"name": "x",\n' | "$bin" run - >/dev/null 2>"$st/err"
[ $? -eq 2 ] && grep -q "^<stdin>: line 2, column 1: invalid JSON" "$st/err" && ok ||
    bad "a bad scenario on stdin should be named <stdin>: $(cat "$st/err")"
"$bin" run - --set nodes.nope.x=1 <$web >/dev/null 2>"$st/err"
[ $? -eq 2 ] && grep -q "^archsim: --set nodes.nope.x=1: nodes has no field 'nope'" "$st/err" && ok ||
    bad "--set on a scenario from stdin: $(cat "$st/err")"
# sweep and limit load the scenario at every point: stdin must be read once and reused
"$bin" sweep - --vary workload.arrivals.rate=600,900,1200 "${st_short[@]}" --quiet \
    --csv "$st/sweep.csv" <$web 2>"$st/err"
[ $? -eq 0 ] && [ "$(wc -l <"$st/sweep.csv")" -eq 4 ] && ok ||
    bad "sweep - should run every point from one read of stdin: $(cat "$st/err")"
"$bin" limit - --vary workload.arrivals.rate --slo 'errors.ratio<50%' --duration 1s --set warmup=0s \
    --replications 2 --set workload.arrivals.rate=4000 --json - <$web 2>"$st/err" >"$st/limit.json"
[ $? -le 1 ] && python3 -m json.tool "$st/limit.json" >/dev/null && grep -q '"evaluations"' "$st/limit.json" &&
    ok || bad "limit - --json -: $(head -c 300 "$st/err")"
"$bin" compare - $web "${st_short[@]}" --quiet --json "$st/cmp.json" <$web 2>"$st/err"
[ $? -eq 0 ] && grep -q '"file":[[:space:]]*"<stdin>"' "$st/cmp.json" && ok || bad "compare - FILE: $(cat "$st/err")"
"$bin" compare - - "${st_short[@]}" <$web >/dev/null 2>"$st/err"
[ $? -eq 2 ] && grep -q "only one input can come from stdin" "$st/err" && ok ||
    bad "stdin given twice should be refused: $(cat "$st/err")"
"$bin" fields - --paths <$web >"$st/out" 2>"$st/err" && grep -q "^nodes.db" "$st/out" && ok ||
    bad "fields - should read stdin: $(cat "$st/err")"
"$bin" estimate --qps 100 --server-qps 50 --scenario - 2>"$st/err" | "$bin" run - --duration 20s --quiet \
    2>>"$st/err"
[ $? -le 1 ] && ok || bad "estimate --scenario - | run - should run: $(cat "$st/err")"

# '-' for an output: stdout, alone (no text report around it); two are refused.
"$bin" run $web "${st_short[@]}" --json - >"$st/out" 2>"$st/err"
[ $? -le 1 ] && python3 -m json.tool "$st/out" >/dev/null && cmp -s "$st/out" "$st/file.json" && ok ||
    bad "run --json - should write only the JSON report on stdout: $(head -c 300 "$st/out")"
ls "$st" | grep -q '\.tmp\.' && bad "--json - left a temporary file" || ok
"$bin" drill $web "${st_short[@]}" --json - 2>/dev/null | python3 -m json.tool >/dev/null &&
    ok || bad "drill --json -: stdout should be the JSON alone"
"$bin" theory $web "${st_short[@]}" --json - 2>/dev/null | python3 -m json.tool >/dev/null &&
    ok || bad "theory --json -: stdout should be the JSON alone"
"$bin" estimate --qps 100 --server-qps 50 --json - 2>/dev/null | python3 -m json.tool >/dev/null &&
    ok || bad "estimate --json -: stdout should be the JSON alone"
"$bin" sweep $web --vary workload.arrivals.rate=600,900 "${st_short[@]}" --csv - >"$st/out" 2>/dev/null
[ "$(wc -l <"$st/out")" -eq 3 ] && head -1 "$st/out" | grep -q "^workload.arrivals.rate," && ok ||
    bad "sweep --csv - should write only the CSV on stdout: $(head -c 300 "$st/out")"
"$bin" run $web "${st_short[@]}" --timeline - >"$st/out" 2>/dev/null
head -1 "$st/out" | grep -q "^t," && ! grep -q "latency.*\[" "$st/out" && ok ||
    bad "run --timeline - should write only the CSV on stdout: $(head -c 200 "$st/out")"
"$bin" run $web "${st_short[@]}" --junit - >"$st/out" 2>/dev/null
head -1 "$st/out" | grep -q "^<?xml" && ok || bad "run --junit - should write the XML on stdout"
"$bin" run $web "${st_short[@]}" --html - >"$st/out" 2>"$st/err"
head -1 "$st/out" | grep -q "^<!DOCTYPE html>" && tail -1 "$st/out" | grep -q "</html>" && ! grep -q wrote "$st/err" &&
    ok || bad "run --html - should write the page alone on stdout: $(head -c 200 "$st/out")"
for pair in "--json - --timeline -" "--json - --junit -" "--html - --junit -"; do
    # shellcheck disable=SC2086
    "$bin" run $web "${st_short[@]}" $pair >"$st/out" 2>"$st/err"
    [ $? -eq 2 ] && [ ! -s "$st/out" ] && grep -q "only one output can go to stdout" "$st/err" && ok ||
        bad "run $pair should be refused with exit 2: $(cat "$st/err")"
done
"$bin" compare $web $web "${st_short[@]}" --json - --csv - >/dev/null 2>"$st/err"
[ $? -eq 2 ] && grep -q "^archsim: --json - and --csv -: only one output" "$st/err" && ok ||
    bad "compare --json - --csv - should be refused: $(cat "$st/err")"
"$bin" estimate --qps 1 --server-qps 1 --json - --scenario - >/dev/null 2>"$st/err"
[ $? -eq 2 ] && ok || bad "estimate --json - --scenario - should be refused: $(cat "$st/err")"
"$bin" run $web --plot - >/dev/null 2>"$st/err"
[ $? -eq 2 ] && grep -q "plot takes a directory" "$st/err" && ok || bad "--plot - should be refused"
# --baseline - reads the report from stdin
"$bin" run $web "${st_short[@]}" --quiet --baseline - <"$st/file.json" >/dev/null 2>"$st/err"
[ $? -le 1 ] && ok || bad "--baseline - should read the report from stdin: $(cat "$st/err")"
"$bin" run - "${st_short[@]}" --baseline - <$web >/dev/null 2>"$st/err"
[ $? -eq 2 ] && grep -q "only one input can come from stdin" "$st/err" && ok ||
    bad "run - --baseline - should be refused: $(cat "$st/err")"

# compare --csv: a header, then one row per figure and design with units, the paired
# difference, its interval and the verdict.
"$bin" compare $web scenarios/examples/web-tier-bigger-db.json "${st_short[@]}" --metric nodes.db.utilisation \
    --csv "$st/cmp.csv" >"$st/out" 2>"$st/err"
header="figure,unit,design,file,a,a.low,a.high,b,b.low,b.high,difference,difference.low,difference.high,verdict"
[ "$(head -1 "$st/cmp.csv")" = "$header" ] && ok || bad "compare --csv header: $(head -1 "$st/cmp.csv")"
[ "$(wc -l <"$st/cmp.csv")" -eq 11 ] && ok || bad "compare --csv: 10 figures, got $(($(wc -l <"$st/cmp.csv") - 1)) rows"
grep -q "^latency.p99,s,B,scenarios/examples/web-tier-bigger-db.json," "$st/cmp.csv" &&
    grep -q "^throughput,1/s,B," "$st/cmp.csv" && grep -q "^errors.ratio,ratio,B," "$st/cmp.csv" &&
    grep -q "^nodes.db.utilisation,ratio,B," "$st/cmp.csv" && ok || bad "compare --csv rows: $(cat "$st/cmp.csv")"
awk -F, 'NR > 1 && (NF != 14 || $14 !~ /^(better|worse|higher|lower|no significant difference)$/ ||
    $11 < $12 || $11 > $13) { bad = 1 } END { exit bad }' "$st/cmp.csv" && ok ||
    bad "compare --csv: each row has 14 fields, a verdict, and the difference inside its interval"
grep -q "latency.p99" "$st/out" && ok || bad "compare --csv FILE keeps the text report on stdout"
"$bin" compare $web $web $web "${st_short[@]}" --csv - 2>/dev/null | cut -d, -f3 | sort | uniq -c |
    awk '{ printf "%s%s ", $1, $2 }' | grep -q "9B 9C 1design" && ok ||
    bad "compare --csv with three designs: a row per figure for B and for C"

# An error in what a flag wrote names the flag and its argument, not the file (exit 2).
flag_error() { # MESSAGE ARGS...
    local want=$1
    shift
    "$bin" "$@" >"$st/out" 2>"$st/err"
    local code=$?
    [ $code -eq 2 ] && [ "$(head -1 "$st/err")" = "$want" ] && ok ||
        bad "$*: exit $code, wanted '$want', got: $(cat "$st/err")"
}
flag_error "archsim: --set workload.arrivals.rate=abc: expected a number from 0 to 1000000000, got \"abc\"" \
    run $web --set workload.arrivals.rate=abc
flag_error "archsim: --set nodes.api.instances=0: expected an integer from 1 to 100000, got 0" \
    check $web --set nodes.api.instances=0
flag_error "archsim: --set nodes.api={\"type\":\"service\",\"instances\":\"x\"}: instances: expected an integer from 1 to 100000, got \"x\"" \
    check $web --set 'nodes.api={"type":"service","instances":"x"}'
flag_error "archsim: --set nodes.nope.x=1: nodes has no field 'nope'" check $web --set nodes.nope.x=1
flag_error "archsim: --set foo: expected PATH=VALUE, such as nodes.app.instances=6" check $web --set foo
flag_error "archsim: --seed abc: expected an integer from 0 to 18446744073709551615 (a number, or a string of digits), got \"abc\"" \
    run $web --seed abc
flag_error "archsim: --replications 0: expected an integer from 1 to 10000, got 0" run $web --replications 0
flag_error "archsim: --fault 'nosuch:crash@1s': target: no node named 'nosuch'" run $web --fault 'nosuch:crash@1s'
flag_error "archsim: --vary nodes.api.instances=0: expected an integer from 1 to 100000, got 0" \
    sweep $web --vary nodes.api.instances=0,1
# a field the file wrote, left alone by the flags, still names the file
sed 's/"instances": 4/"instances": 0/' $web >"$st/bad.json"
grep -q '"instances": 0' "$st/bad.json" &&
    flag_error "$st/bad.json: nodes.api.instances: expected an integer from 1 to 100000, got 0" \
        check "$st/bad.json" --set nodes.db.workers=8
unset st st_short header flag_error
