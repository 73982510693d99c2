# arrivals.sh (sourced by tests/scenarios.sh: $bin, $mode, $tmp, ok, bad): the arrival
# processes whose rate varies, at their edges: 10,000 points load and run in time linear in
# them, a curve or a source that never sends again ends the run cleanly (no endless search
# for the next arrival), and a peak of 1e9/s meets the memory budget like any overload.

python3 - "$tmp/arr-points.json" <<'PY'
import json, sys
pts = [{"at": "%ds" % (i * 9), "rate": 50 + (i % 100)} for i in range(10000)]
sc = {"name": "points", "seed": 1, "duration": "90000s", "warmup": "0s",
      "workload": {"entry": "hop", "arrivals": {"process": "curve", "points": pts, "repeat": "90000s"}},
      "nodes": {"hop": {"type": "delay", "time": "1ms"}}}
json.dump(sc, open(sys.argv[1], "w"))
PY
"$bin" run "$tmp/arr-points.json" --duration 2000s --quiet --json "$tmp/arr.json" 2>"$tmp/err" &&
    /usr/bin/python3 -c 'import json,sys; r = json.load(open(sys.argv[1])); assert 90 < r["requests"]["offered"] < 110, r["requests"]["offered"]' "$tmp/arr.json" 2>>"$tmp/err" &&
    ok || bad "a curve of 10,000 points: $(cat "$tmp/err")"

for a in '{"process": "curve", "points": [{"at": "0s", "rate": 0}], "repeat": "1s"}' \
         '{"process": "curve", "points": [{"at": "0s", "rate": 5}, {"at": "1s", "rate": 0}]}' \
         '{"process": "sinusoid", "peak": 0, "trough": 0}' \
         '{"process": "mmpp", "states": [{"rate": 0, "stay": "1us"}, {"rate": 0, "stay": "1us"}]}'; do
    cat >"$tmp/arr-silent.json" <<JSON
{"name": "silent", "seed": 1, "duration": "1000s", "warmup": "0s",
 "workload": {"entry": "hop", "arrivals": $a},
 "nodes": {"hop": {"type": "delay", "time": "1ms"}}}
JSON
    timeout 20 "$bin" run "$tmp/arr-silent.json" --quiet 2>"$tmp/err"
    [ $? -le 1 ] && ok || bad "a silent source ($a) did not end cleanly: $(cat "$tmp/err")"
done

cat >"$tmp/arr-peak.json" <<'JSON'
{"name": "peak", "seed": 1, "duration": "10s",
 "workload": {"entry": "app", "arrivals": {"process": "sinusoid", "peak": 1e9, "trough": 0, "period": "10s"}},
 "nodes": {"app": {"type": "service", "workers": 1, "io": "async", "service_time": "1ms"}}}
JSON
timeout 60 "$bin" run "$tmp/arr-peak.json" --max-memory 32MB --quiet 2>"$tmp/err"
[ $? -eq 4 ] && grep -q "unstable: offered" "$tmp/err" && ok || bad "a 1e9/s peak: $(cat "$tmp/err")"

# A trace is read as it is replayed: 10^6 lines (10^5 under ASan) replay exactly in flat
# memory; a device is refused, and a bad line is named by file and line.
arr_lines=1000000
[ "$mode" = asan ] && arr_lines=100000
python3 - "$tmp/arr-big.csv" $arr_lines <<'PY'
import sys
with open(sys.argv[1], "w") as out:
    out.write("time,op,key\n")
    for i in range(int(sys.argv[2])):
        out.write("%.6f,%s,%d\n" % (i * 0.001, "read" if i % 3 else "write", i % 1000))
PY
cat >"$tmp/arr-trace.json" <<JSON
{"name": "big-trace", "seed": 1, "duration": "$((arr_lines / 1000))s", "warmup": "0s",
 "workload": {"entry": "hop", "arrivals": {"process": "trace", "file": "arr-big.csv"}},
 "nodes": {"hop": {"type": "delay", "time": "1ms"}}}
JSON
/usr/bin/time -f "%M" -o "$tmp/arr.rss" "$bin" run "$tmp/arr-trace.json" --quiet --json "$tmp/arr.json" 2>"$tmp/err" &&
    /usr/bin/python3 -c 'import json,sys; r = json.load(open(sys.argv[1])); assert r["requests"]["finished"] == int(sys.argv[2]), r["requests"]' \
        "$tmp/arr.json" $arr_lines 2>>"$tmp/err" &&
    { [ "$mode" = asan ] || [ "$(tail -n 1 "$tmp/arr.rss")" -le 60000 ]; } &&
    ok || bad "a trace of $arr_lines lines: $(cat "$tmp/err") peak $(tail -n 1 "$tmp/arr.rss") kB"
sed 's|"arr-big.csv"|"/dev/zero"|' "$tmp/arr-trace.json" >"$tmp/arr-dev.json"
"$bin" check "$tmp/arr-dev.json" >/dev/null 2>"$tmp/err"
[ $? -eq 2 ] && grep -q "/dev/zero: expected a regular file" "$tmp/err" && ok || bad "a trace on /dev/zero: $(cat "$tmp/err")"
printf 'time,op\n1,read\n2,read\nsoon,read\n' >"$tmp/arr-bad.csv"
sed 's|"arr-big.csv"|"arr-bad.csv"|' "$tmp/arr-trace.json" >"$tmp/arr-bad.json"
"$bin" run "$tmp/arr-bad.json" --quiet 2>"$tmp/err"
[ $? -eq 2 ] && grep -q "workload.arrivals.file: .*arr-bad.csv:4: time: expected seconds" "$tmp/err" && ok ||
    bad "a bad trace line: $(cat "$tmp/err")"
