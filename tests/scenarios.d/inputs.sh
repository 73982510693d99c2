# inputs.sh (sourced by scenarios.sh: $bin, $mode, $tmp, ok, bad): memory flat in run
# length, inputs taken exactly or refused, outputs written safely, signals stop cleanly.

in_dir="$tmp/inputs"
mkdir -p "$in_dir"
cat >"$in_dir/tiny.json" <<'JSON'
{
  "name": "tiny", "seed": 1, "duration": "10ms", "replications": 1,
  "workload": {"entry": "app", "arrivals": {"process": "poisson", "rate": 2000}},
  "nodes": {"app": {"type": "service", "workers": 1,
                    "service_time": {"dist": "exp", "mean": "0.2ms"}}}
}
JSON
cat >"$in_dir/timeline.json" <<'JSON'
{
  "name": "timeline-1us", "seed": 1, "duration": "20ms", "replications": 1,
  "timeline": {"interval": "1us"},
  "workload": {"entry": "app", "arrivals": {"process": "poisson", "rate": 10}},
  "nodes": {"app": {"type": "service", "workers": 1, "service_time": "1ms"}}
}
JSON
cat >"$in_dir/mtbf.json" <<'JSON'
{
  "name": "mtbf", "seed": 1, "duration": "10000s", "replications": 1,
  "workload": {"entry": "app", "arrivals": {"process": "poisson", "rate": 0.01}},
  "nodes": {"app": {"type": "service", "instances": 2, "workers": 1, "service_time": "1ms"}},
  "faults": [{"target": "app", "kind": "crash", "mtbf": {"dist": "exp", "mean": "2s"},
              "mttr": {"dist": "exp", "mean": "1s"}}]
}
JSON
long="$in_dir/long.json"
sed 's/"duration": "10ms"/"duration": "100000s"/' "$in_dir/tiny.json" >"$long"

# Peak resident memory (KB) of one command, through GNU time; empty when it is missing.
peak_kb() {
    [ -x /usr/bin/time ] || return 0
    /usr/bin/time -f "%M" -o "$in_dir/rss" "$@" >/dev/null 2>&1
    cat "$in_dir/rss"
}
# Flat: ten times the run length adds less than 3 MB (a row or an occurrence kept per
# interval would add tens of megabytes here).
flat() { [ -z "$1" ] || [ $(($2 - $1)) -lt 3072 ]; }

# A timeline at 1us, 20ms against 200ms: 20,000 against 200,000 rows, streamed to the file.
a=$(peak_kb "$bin" run "$in_dir/timeline.json" --quiet --timeline "$in_dir/t1.csv")
b=$(peak_kb "$bin" run "$in_dir/timeline.json" --quiet --duration 200ms --timeline "$in_dir/t2.csv")
flat "$a" "$b" && ok || bad "a 1us timeline grows with the run: ${a}KB at 20ms, ${b}KB at 200ms"
[ "$(wc -l <"$in_dir/t2.csv")" -eq 200001 ] && ok || bad "a 200ms run at 1us should have 200,000 rows"
# Streamed from replication 0 alone: -j 1 and -j 4 give the same bytes.
"$bin" run "$in_dir/timeline.json" --quiet --replications 4 -j 1 --timeline "$in_dir/j1.csv" \
    --json "$in_dir/j1.json" 2>/dev/null
"$bin" run "$in_dir/timeline.json" --quiet --replications 4 -j 4 --timeline "$in_dir/j4.csv" \
    --json "$in_dir/j4.json" 2>/dev/null
cmp -s "$in_dir/j1.csv" "$in_dir/j4.csv" && cmp -s "$in_dir/j1.json" "$in_dir/j4.json" && ok ||
    bad "a streamed timeline differs between -j 1 and -j 4"

# A fault drawn from mtbf/mttr at 10^4 s and 10^5 s: about 6,700 against 67,000 occurrences.
a=$(peak_kb "$bin" run "$in_dir/mtbf.json" --quiet)
b=$(peak_kb "$bin" drill "$in_dir/mtbf.json" --duration 100000s)
flat "$a" "$b" && ok || bad "an mtbf fault grows with the run: ${a}KB at 10^4 s, ${b}KB at 10^5 s"
"$bin" drill "$in_dir/mtbf.json" --duration 100000s 2>/dev/null | grep -q "the story stops after 1000 lines" &&
    ok || bad "a long drill story should say where it stops"

# A sweep list is taken whole: 10,000 values, the last one wrong, reaches the last one
# (a 1 KiB buffer cut it at 1,023 characters and ran a prefix; ASan: 3,000, as slow); 200
# values (1.4 KB) all run.
values=9999
[ "$mode" = asan ] && values=2999
list=$(seq -s, 1 $values)
"$bin" sweep "$in_dir/tiny.json" --vary "seed=$list,-1" --quiet >/dev/null 2>"$in_dir/err"
[ $? -eq 2 ] && grep -q "archsim: --vary seed=-1: expected an integer from 0 to 18446744073709551615, got -1" "$in_dir/err" &&
    ok || bad "a 10,000-value sweep list should reach its last value: $(head -c 300 "$in_dir/err")"
list=$(seq -s, 100001 100200)
"$bin" sweep "$in_dir/tiny.json" --vary "seed=$list" --quiet --csv "$in_dir/sweep.csv" 2>"$in_dir/err"
[ "$(wc -l <"$in_dir/sweep.csv")" -eq 201 ] && tail -1 "$in_dir/sweep.csv" | grep -q "^100200," && ok ||
    bad "a 200-value sweep list (1.4 KB) should run every value: $(cat "$in_dir/err")"
"$bin" sweep "$in_dir/tiny.json" --vary "seed=1,,2" --quiet >/dev/null 2>"$in_dir/err"
[ $? -eq 2 ] && grep -q "value 2 is empty" "$in_dir/err" && ok || bad "an empty sweep value should be refused"

# Seeds: any 64-bit value, exactly, printed with every digit.
seed_json() { "$bin" run "$in_dir/tiny.json" --quiet --seed "$1" --json "$in_dir/s$1.json" 2>/dev/null; }
seed_json 18446744073709551615 && grep -q '"seed":	18446744073709551615,' "$in_dir/s18446744073709551615.json" &&
    ok || bad "seed 2^64-1 should run and be printed exactly"
seed_json 9007199254740992 && seed_json 9007199254740993 &&
    grep -q '"seed":	9007199254740993,' "$in_dir/s9007199254740993.json" &&
    ! cmp -s <(grep -v '"seed"' "$in_dir/s9007199254740992.json") <(grep -v '"seed"' "$in_dir/s9007199254740993.json") &&
    ok || bad "seeds 2^53 and 2^53+1 should give different figures"
sed 's/"seed": 1/"seed": "9007199254740993"/' "$in_dir/tiny.json" >"$in_dir/strseed.json"
"$bin" run "$in_dir/strseed.json" --quiet --json "$in_dir/strseed.out.json" 2>/dev/null
cmp -s <(grep -v scenario_hash "$in_dir/strseed.out.json") <(grep -v scenario_hash "$in_dir/s9007199254740993.json") &&
    ok || bad "a string seed in the file should equal --seed with the same digits"
"$bin" run "$in_dir/tiny.json" --quiet --seed 18446744073709551616 2>"$in_dir/err"
[ $? -eq 2 ] && grep -q 'archsim: --seed 18446744073709551616: expected an integer from 0 to 18446744073709551615 (a number, or a string of digits), got "18446744073709551616"' "$in_dir/err" &&
    ok || bad "seed 2^64 should be refused: $(cat "$in_dir/err")"

# Bad input on the command line: a precise message and exit 2.
refused() { # MESSAGE ARGS...: the run exits 2 saying MESSAGE
    local want=$1
    shift
    "$bin" run "$in_dir/tiny.json" --quiet "$@" >/dev/null 2>"$in_dir/err"
    local code=$?
    [ $code -eq 2 ] && grep -qF -- "$want" "$in_dir/err" && ok || bad "$*: exit $code, wanted '$want', got: $(cat "$in_dir/err")"
}
refused "archsim: --fault 'app:crash@5s': begins at 5s, at or after the end of the run (10ms): it would never happen" \
    --fault 'app:crash@5s'
# an error in what a flag wrote names the flag and its argument, not the file
refused "archsim: --fault 'app|app:partition@1ms': to: 'app' is on both sides of the partition" \
    --fault 'app|app:partition@1ms'
refused "archsim: --set workload.arrivals.rate=1e-400: a number too small for a double" \
    --set workload.arrivals.rate=1e-400
refused 'archsim: --set name=caf\xe9: bytes that are not UTF-8' --set "name=$(printf 'caf\351')"
refused 'archsim: --set warmup=-1s: expected a non-negative duration, got "-1s"' --set warmup=-1s
"$bin" run "$in_dir/tiny.json" --quiet --set workload.arrivals.rate=1e-300 >/dev/null 2>&1
[ $? -eq 0 ] && ok || bad "a rate of 1e-300 (no arrival in the run) should run"

# Outputs: a symlink is followed (the link kept, the target's mode kept), a FIFO and
# /dev/null are written directly, a directory is refused.
echo old >"$in_dir/target.json"
chmod 640 "$in_dir/target.json"
ln -s target.json "$in_dir/link.json"
"$bin" run "$in_dir/tiny.json" --quiet --json "$in_dir/link.json" 2>/dev/null
[ -L "$in_dir/link.json" ] && grep -q '"reproducibility"' "$in_dir/target.json" &&
    [ "$(stat -c %a "$in_dir/target.json")" = 640 ] && ok || bad "--json on a symlink should write its target, keep the link and the mode"
mkfifo "$in_dir/fifo"
cat "$in_dir/fifo" >"$in_dir/from-fifo" &
reader=$!
"$bin" run "$in_dir/tiny.json" --quiet --json "$in_dir/fifo" 2>/dev/null
code=$?
# the reader ends at end of file; one left blocked (the FIFO replaced by a file) is ended
for _ in 1 2 3 4 5 6 7 8 9 10; do kill -0 $reader 2>/dev/null || break; sleep 0.2; done
kill $reader 2>/dev/null
wait $reader 2>/dev/null
[ $code -eq 0 ] && [ -p "$in_dir/fifo" ] && grep -q '"reproducibility"' "$in_dir/from-fifo" && ok ||
    bad "--json on a FIFO should write into it (exit $code)"
# A device: as root, a null device made here, so that a writer that replaces the path (as
# archsim once did) cannot replace the system's /dev/null; otherwise /dev/null itself.
dev=/dev/null
if [ "$(id -u)" = 0 ]; then
    dev="$in_dir/null"
    mknod -m 666 "$dev" c 1 3 2>/dev/null || dev=
fi
if [ -n "$dev" ]; then
    "$bin" run "$in_dir/tiny.json" --quiet --json "$dev" --timeline "$dev" 2>/dev/null
    [ $? -eq 0 ] && [ -c "$dev" ] && ok || bad "--json $dev should write to the device"
    rm -f "$in_dir/null"
fi
"$bin" run "$in_dir/tiny.json" --quiet --json "$in_dir" >/dev/null 2>"$in_dir/err"
[ $? -eq 2 ] && grep -q "cannot write $in_dir: Is a directory" "$in_dir/err" && ok || bad "--json DIR should be refused"
ls "$in_dir" | grep -q '\.tmp\.' && bad "a temporary file was left behind: $(ls "$in_dir")" || ok

# SIGINT and SIGTERM mid-run: exit 130 and 143, earlier outputs untouched, no temporary
# left. Job control gives the background run the default dispositions (a shell without it
# starts background jobs with SIGINT ignored, and archsim keeps an ignored SIGINT ignored).
for sig in INT TERM; do
    echo old >"$in_dir/kept.json"
    echo old >"$in_dir/kept.csv"
    code=$(
        set -m
        "$bin" run "$long" --quiet --json "$in_dir/kept.json" --timeline "$in_dir/kept.csv" 2>"$in_dir/err" &
        pid=$!
        sleep 0.5
        kill -$sig $pid
        wait $pid
        echo $?
    )
    want=130
    [ $sig = TERM ] && want=143
    [ "$code" = $want ] && [ "$(cat "$in_dir/kept.json")" = old ] && [ "$(cat "$in_dir/kept.csv")" = old ] &&
        grep -q "archsim: stopped by SIG$sig" "$in_dir/err" && ! ls "$in_dir" | grep -q '\.tmp\.' && ok ||
        bad "SIG$sig mid-run: exit $code (wanted $want), $(cat "$in_dir/err"), files: $(ls "$in_dir" | tr '\n' ' ')"
done
