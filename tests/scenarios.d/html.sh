# shellcheck shell=bash disable=SC2154,SC2015
# html.sh (sourced by tests/scenarios.sh; uses $bin, $mode, $tmp, ok, bad): --html on run,
# drill, compare and sweep writes one well-formed, self-contained page (no script, no
# network reference), with the headline figures, the verdicts and the SVG pictures inline,
# every user string escaped; without gnuplot it is written and says the pictures are
# missing; where Debian's chromium is installed, it renders.

# check_page FILE WORD...: well-formed (XML parser: the page is XHTML-compatible), no
# <script>, no on* handler, no src/href/url() leaving the page, and each WORD in its text.
check_page() {
    python3 - "$@" <<'EOF'
import re, sys, xml.etree.ElementTree as ET
path, words = sys.argv[1], sys.argv[2:]
text = open(path, encoding="utf-8").read()
root = ET.fromstring(text)  # raises on a tag left open or a stray '&'
problems = []
for el in root.iter():
    tag = el.tag.split("}")[-1]
    if tag in ("script", "iframe", "object", "embed", "link", "img"):
        problems.append("element <%s>" % tag)
    for name, value in el.attrib.items():
        name = name.split("}")[-1]
        if name.startswith("on"):
            problems.append("handler %s" % name)
        if name in ("src", "href") and not value.startswith("#"):
            problems.append("%s=%r" % (name, value))
        if "url(" in value and "url(#" not in value:
            problems.append("url() in %s" % name)
if re.search(r"url\((?!#)", text) or re.search(r"@import", text):
    problems.append("a url() or @import in the style")
content = " ".join(root.itertext())
for w in words:
    if w not in content:
        problems.append("no %r in the page's text" % w)
if problems:
    print("; ".join(problems[:5]))
    sys.exit(1)
EOF
}

svgs() { grep -c '<svg' "$1"; }

# A scenario whose name and description try to break out of the page.
python3 - "$tmp/hostile.json" <<'EOF'
import json, sys
s = json.load(open("scenarios/examples/quickstart.json"))
s["name"] = "q<b>&\"x' {y}_z"
s["description"] = "<script>alert(1)</script> & \"quoted\" 'single' </p><img src=\"http://evil.example/x.png\">"
json.dump(s, open(sys.argv[1], "w"))
EOF
hshort=(--duration 3s --warmup 1s --replications 2)
"$bin" run "$tmp/hostile.json" "${hshort[@]}" --html "$tmp/run.html" --quiet 2>"$tmp/err"
code=$?
run_code=$("$bin" run "$tmp/hostile.json" "${hshort[@]}" --quiet 2>/dev/null; echo $?)
[ "$code" = "$run_code" ] && [ -s "$tmp/run.html" ] && ok || bad "run --html: exit $code (without: $run_code): $(cat "$tmp/err")"
msg=$(check_page "$tmp/run.html" "latency.p99" "[" "Expectations" "ok" "nodes" "db (service)" \
      "<script>alert(1)</script> & \"quoted\" 'single'" "q<b>&\"x' {y}_z") &&
    ok || bad "run --html page: $msg"
grep -q '<script' "$tmp/run.html" && bad "run --html: a raw <script in the page" || ok
grep -q 'evil\.example' "$tmp/run.html" && ! grep -q '&quot;http://evil' "$tmp/run.html" &&
    bad "run --html: the hostile img src is not escaped" || ok
[ "$(svgs "$tmp/run.html")" -ge 3 ] && ok || bad "run --html: $(svgs "$tmp/run.html") inline pictures, expected 3 or more"
# several pictures on one page: each one's ids (and the references to them) carry its own
# prefix, so that no two pictures share one (gnuplot repeats some within a picture)
bare=$(grep -oE " id=[\"'][^\"']*|href=[\"']#[^\"']*|url\(#[^)]*" "$tmp/run.html" | grep -vE "[\"'#]p[0-9]+-" | head -3)
[ -z "$bare" ] && [ "$(grep -c 'id="p3-gnuplot_canvas"' "$tmp/run.html")" -eq 1 ] && ok ||
    bad "run --html: ids not prefixed per picture: $bare"

# The temporary pictures folder is removed; stdout has no "wrote" line for it.
mkdir -p "$tmp/tmpdir"
TMPDIR=$tmp/tmpdir "$bin" run "$web" "${short[@]}" --html "$tmp/web.html" >"$tmp/out" 2>"$tmp/err"
[ -z "$(ls -A "$tmp/tmpdir")" ] && ok || bad "--html left $(ls "$tmp/tmpdir") in TMPDIR"
grep -q "archsim-html" "$tmp/out" "$tmp/err" && bad "--html names its temporary folder: $(cat "$tmp/out" "$tmp/err")" || ok
grep -q "wrote $tmp/web.html" "$tmp/err" && ok || bad "--html does not say it wrote the page"

# Without gnuplot: the page is written, well-formed, and says the pictures are missing.
abs_bin=$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")
PATH=/nonexistent "$abs_bin" run "$web" "${short[@]}" --html "$tmp/nognuplot.html" --quiet 2>"$tmp/err"
[ $? -eq 0 ] && msg=$(check_page "$tmp/nognuplot.html" "pictures are missing" "latency.p99") &&
    [ "$(svgs "$tmp/nognuplot.html")" -eq 0 ] && grep -q "gnuplot is not installed" "$tmp/err" &&
    ok || bad "--html without gnuplot: $msg $(cat "$tmp/err")"

# Drill: the story and the fault's table.
"$bin" drill "$web" "${short[@]}" --fault db:crash@1s+1s --html "$tmp/drill.html" --quiet 2>"$tmp/err"
msg=$(check_page "$tmp/drill.html" "story" "what happened" "Fault 0: db:crash" "latency.p99") &&
    [ "$(svgs "$tmp/drill.html")" -ge 3 ] && ok || bad "drill --html: $msg $(cat "$tmp/err")"

# Compare: the paired differences, their intervals and the verdicts; the picture.
"$bin" compare "$web" scenarios/examples/web-tier-bigger-db.json "${short[@]}" --html "$tmp/compare.html" \
    --quiet 2>"$tmp/err"
msg=$(check_page "$tmp/compare.html" "B - A" "latency.p99" "web-tier-bigger-db" "verdict") &&
    grep -qE '<td( class="[a-z]*")?>(better|worse|higher|lower|no significant difference)</td>' "$tmp/compare.html" &&
    [ "$(svgs "$tmp/compare.html")" -ge 1 ] && ok || bad "compare --html: $msg $(cat "$tmp/err")"

# Sweep: the table and a picture per figure.
"$bin" sweep "$web" "${short[@]}" --vary workload.arrivals.rate=600,1200 --html "$tmp/sweep.html" \
    --quiet 2>"$tmp/err"
msg=$(check_page "$tmp/sweep.html" "workload.arrivals.rate" "1200" "latency.p99" "goodput") &&
    [ "$(svgs "$tmp/sweep.html")" -ge 4 ] && ok || bad "sweep --html: $msg $(cat "$tmp/err")"

# Written like every output: a directory is refused, an old page stays whole; check refuses it.
mkdir -p "$tmp/adir"
"$bin" run "$web" "${short[@]}" --html "$tmp/adir" --quiet 2>"$tmp/err"
[ $? -eq 2 ] && grep -q "cannot write $tmp/adir" "$tmp/err" && ok || bad "--html DIR: $(cat "$tmp/err")"
"$bin" check "$web" --html "$tmp/x.html" 2>"$tmp/err"
[ $? -eq 2 ] && grep -q "does not take --html" "$tmp/err" && ok || bad "check --html: $(cat "$tmp/err")"

# A browser renders it (only where Debian's chromium is installed: it is not a dependency).
if [ -x /usr/bin/chromium ]; then
    timeout 60 /usr/bin/chromium --headless --no-sandbox --disable-gpu --user-data-dir="$tmp/chromium" \
        --dump-dom "file://$tmp/run.html" >"$tmp/dom" 2>"$tmp/err"
    grep -q '<svg' "$tmp/dom" && grep -q 'latency.p99' "$tmp/dom" && ! grep -q '<script' "$tmp/dom" &&
        ok || bad "chromium does not render the page: $(tail -3 "$tmp/err")"
fi
