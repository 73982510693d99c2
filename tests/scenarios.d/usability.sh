# shellcheck shell=bash disable=SC2154,SC2015
# usability.sh (sourced by tests/scenarios.sh; uses $bin, $mode, $tmp, ok, bad): per-command
# help against the options the parsers accept, the help's examples, the man page, bash
# completion, and make install / uninstall.

example=scenarios/examples/web-tier.json
commands=(run check compare sweep limit theory drill estimate fields)
declare -A letter_command=([r]=run [c]=check [C]=compare [s]=sweep [l]=limit [t]=theory [d]=drill)

# Both spellings print the same help, with options and two examples.
for c in "${commands[@]}"; do
    "$bin" help "$c" >"$tmp/h1" 2>&1 && "$bin" "$c" --help >"$tmp/h2" 2>&1 &&
        cmp -s "$tmp/h1" "$tmp/h2" && [ "$(grep -c '^  archsim ' "$tmp/h1")" -eq 2 ] &&
        { [ "$c" = fields ] || grep -q '^options:' "$tmp/h1"; } && ok || bad "help $c / $c --help differ or lack options and two examples"
done
"$bin" run scenarios/examples/web-tier.json --help >"$tmp/h2" 2>&1 && "$bin" help run | cmp -s - "$tmp/h2" &&
    ok || bad "run FILE --help does not print run's help"
"$bin" help nosuch >/dev/null 2>"$tmp/err"
[ $? -eq 2 ] && grep -q "unknown command 'nosuch'" "$tmp/err" && ok || bad "help nosuch: $(cat "$tmp/err")"

# Every option main.c's table gives a command is in that command's help, and so is every
# field estimate.c reads; every option a help lists is one its parser accepts.
grep -o '{"-[-a-z]*", *\(true\|false\), *"[a-zA-Z]*"}' sim/cli/main.c |
    sed 's/{"\([^"]*\)", *[a-z]*, *"\([^"]*\)"}/\1 \2/' >"$tmp/option-specs"
[ "$(wc -l <"$tmp/option-specs")" -ge 20 ] && ok || bad "main.c's option table no longer parses here: update this check"
while read -r opt letters; do
    for ((k = 0; k < ${#letters}; k++)); do
        c=${letter_command[${letters:k:1}]:-}
        [ -n "$c" ] || { bad "main.c gives $opt to command letter '${letters:k:1}', unknown here"; continue; }
        "$bin" help "$c" | grep -qE -- "^  $opt( |$)" && ok || bad "$c takes $opt but its help does not list it (add it to the options table in sim/cli/help.c)"
    done
done <"$tmp/option-specs"
estimate_fields=$(grep -o '^    {"[a-z_]*", [A-Z_]*, offsetof' sim/cli/estimate.c | cut -d'"' -f2 | tr _ -)
[ "$(echo "$estimate_fields" | wc -w)" -ge 10 ] && ok || bad "estimate.c's field table no longer parses here: update this check"
for f in $estimate_fields json scenario quiet; do
    "$bin" help estimate | grep -qE -- "^  --$f( |$)" && ok || bad "estimate takes --$f but its help does not list it (add it to sim/cli/help.c)"
done
for c in "${commands[@]}"; do
    for opt in $("$bin" help "$c" | sed -n 's/^  \(--*[a-z][-a-z]*\).*/\1/p' | sort -u); do
        "$bin" "$c" "$opt" >/dev/null 2>"$tmp/err"
        grep -qE "unknown option|does not take" "$tmp/err" && bad "$c --help lists $opt, which $c refuses: $(cat "$tmp/err")" || ok
    done
done

# The man page is made from the same text, and is well-formed roff.
"$bin" --man >"$tmp/archsim.1" && grep -q '^\.SS limit' "$tmp/archsim.1" && ok || bad "archsim --man"
if command -v groff >/dev/null; then
    groff -ww -z -man "$tmp/archsim.1" 2>"$tmp/err" && [ ! -s "$tmp/err" ] && ok || bad "man page: $(cat "$tmp/err")"
fi

# Completion: commands, a command's options, scenario paths, nothing after a valued option.
complete_words() { # complete_words WORD...: what completing the last word offers
    bash -c 'source tools/archsim-completion.bash; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _archsim; echo "${COMPREPLY[*]}"' _ "$@"
}
[ "$(complete_words archsim ru)" = run ] && ok || bad "completion of 'ru': $(complete_words archsim ru)"
[ "$(complete_words "$bin" limit --prec)" = --precision ] && ok || bad "completion of limit --prec"
[ "$(complete_words "$bin" estimate --peak)" = "--peak-factor --peak-qps" ] && ok || bad "completion of estimate --peak"
[ "$(complete_words "$bin" run scenarios/examples/web-tier-b)" = scenarios/examples/web-tier-bigger-db.json ] &&
    ok || bad "completion of a scenario path: $(complete_words "$bin" run scenarios/examples/web-tier-b)"
[ -z "$(complete_words "$bin" run --seed "")" ] && ok || bad "completion offers values after --seed"
[ "$(complete_words "$bin" run "$example" --set nodes.db.wo)" = nodes.db.workers= ] &&
    ok || bad "completion of a --set path: $(complete_words "$bin" run "$example" --set nodes.db.wo)"
[ "$(complete_words "$bin" limit "$example" --vary workload.arrivals.ra)" = workload.arrivals.rate ] &&
    ok || bad "completion of a limit --vary path: $(complete_words "$bin" limit "$example" --vary workload.arrivals.ra)"
# fields --paths lists the fields (and map keys) as dotted paths, as --set names them.
"$bin" fields "$example" --paths >"$tmp/paths" && grep -qx nodes.api.service_time.p99 "$tmp/paths" &&
    grep -qx workload.mix.read "$tmp/paths" && ok || bad "fields --paths: $(head -3 "$tmp/paths")"

# Release only (a minute together): every example in every help runs from the repository's
# root (in a copy of its layout), with short runs, and exits 0 or 1.
if [ "$mode" != asan ]; then
    abs_bin=$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")
    mkdir -p "$tmp/root/build"
    ln -sfn "$PWD/scenarios" "$tmp/root/scenarios"
    for c in "${commands[@]}"; do
        while read -r line; do
            args=${line#archsim }
            case $c in
            estimate | fields) ;;
            check) args="$args --duration 4s --set warmup=1s --replications 2" ;;
            *) args="$args --duration 4s --set warmup=1s --replications 2 --quiet" ;;
            esac
            (cd "$tmp/root" && eval "\"$abs_bin\" $args" >/dev/null 2>"$tmp/err")
            code=$?
            [ $code -le 1 ] && ok || bad "help example '$line' exited $code: $(cat "$tmp/err")"
        done < <("$bin" help "$c" | sed -n 's/^  \(archsim .*\)/\1/p')
    done
fi

# make install into a staging root: the installed binary, run from elsewhere, finds its
# plots; make uninstall removes every file it installed. Release only.
if [ "$mode" = release ]; then
    stage=$tmp/stage
    make --no-print-directory -s install PREFIX=/usr DESTDIR="$stage" >/dev/null 2>"$tmp/err" &&
        ok || bad "make install: $(cat "$tmp/err")"
    for f in usr/bin/archsim usr/share/man/man1/archsim.1 usr/share/bash-completion/completions/archsim \
        usr/share/archsim/plots/latency-cdf.gp usr/share/archsim/scenarios/examples/web-tier.json \
        usr/share/archsim/scenario.schema.json; do
        [ -f "$stage/$f" ] && ok || bad "make install did not install $f"
    done
    if command -v gnuplot >/dev/null; then
        (cd / && env -u ARCHSIM_PLOTS "$stage/usr/bin/archsim" run "$stage/usr/share/archsim/scenarios/examples/web-tier.json" \
            --duration 4s --set warmup=1s --replications 2 --quiet --plot "$tmp/installed-plots" >/dev/null 2>"$tmp/err")
        [ -s "$tmp/installed-plots/latency-cdf.png" ] && ok || bad "installed archsim drew no plot: $(cat "$tmp/err")"
    fi
    # ARCHSIM_PLOTS overrides, and a wrong one is reported rather than replaced.
    ARCHSIM_PLOTS=$tmp/nowhere "$stage/usr/bin/archsim" run scenarios/examples/web-tier.json \
        --duration 2s --set warmup=1s --quiet --plot "$tmp/no-plots" >/dev/null 2>"$tmp/err"
    grep -q "$tmp/nowhere/latency-cdf.gp not found" "$tmp/err" && [ ! -e "$tmp/no-plots/latency-cdf.png" ] &&
        ok || bad "a wrong ARCHSIM_PLOTS was not reported: $(cat "$tmp/err")"
    make --no-print-directory -s uninstall PREFIX=/usr DESTDIR="$stage" >/dev/null 2>"$tmp/err" &&
        [ -z "$(find "$stage" -type f)" ] && ok || bad "make uninstall left: $(find "$stage" -type f | head -3)"
fi

# The scenario schema is what tools/schema.py makes from the loader today; every scenario
# validates against it; a misspelt field is refused by it as by the loader; the loader takes
# a "$schema" key. Release only (it runs `archsim fields` on every scenario).
if [ "$mode" = release ]; then
    /usr/bin/python3 tools/schema.py "$bin" >"$tmp/schema.json" 2>"$tmp/err" &&
        cmp -s "$tmp/schema.json" docs/scenario.schema.json &&
        ok || bad "docs/scenario.schema.json is out of date (make schema): $(cat "$tmp/err")"
    /usr/bin/python3 tools/validate-scenarios.py docs/scenario.schema.json scenarios/*/*.json \
        tests/scenarios/*.json tools/schema-corpus/*.json >"$tmp/err" 2>&1 && ok || bad "scenarios the schema refuses: $(cat "$tmp/err")"
    /usr/bin/python3 tools/schema.py --missing docs/scenario.schema.json >"$tmp/err" 2>&1 &&
        ok || bad "fields the schema lacks: $(cat "$tmp/err")"
    /usr/bin/python3 tools/validate-scenarios.py docs/scenario.schema.json tests/bad/misspelt-field.json \
        >"$tmp/err" 2>&1
    [ $? -eq 1 ] && grep -q "wokers" "$tmp/err" && ok || bad "the schema takes a misspelt field: $(cat "$tmp/err")"
    # shellcheck disable=SC2016
    sed '1s|{|{"$schema": "../docs/scenario.schema.json",|' scenarios/examples/web-tier.json >"$tmp/with-schema.json"
    "$bin" check "$tmp/with-schema.json" >/dev/null 2>"$tmp/err" && ok || bad "\$schema key refused: $(cat "$tmp/err")"
fi
