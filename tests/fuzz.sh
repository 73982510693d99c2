#!/usr/bin/env bash
# fuzz.sh SECONDS [loader|numbers]: fuzzes the scenario loader with libFuzzer (clang, ASan,
# UBSan), seeded with every scenario in the repository and the regression corpus. New
# crashing inputs land in build/fuzz/ (build/fuzz-numbers/); copy them to
# tests/fuzz-regressions/ once fixed.
#   loader   byte mutations, inputs up to 8 KB, 20,000 events each
#   numbers  tests/fuzz_numbers.c mutates the numbers, durations and list lengths of
#            well-formed scenarios (up to 1 MB), 500,000 events each, 2 GB of memory;
#            seeded also with tests/gen-scale.py's big scenarios (issue 12)
set -eu
seconds=${1:-600}
mode=${2:-loader}
if ! command -v clang >/dev/null; then
    if [ "$(id -u)" = 0 ]; then sudo=""; else sudo=sudo; fi
    $sudo apt-get install -y -qq clang libclang-rt-dev >/dev/null || $sudo apt-get install -y -qq clang >/dev/null
fi
case $mode in
loader) out=build/fuzz extra=() ;;
numbers) out=build/fuzz-numbers extra=(-DFUZZ_EVENTS=500000 tests/fuzz_numbers.c) ;;
*) echo "fuzz.sh: unknown mode $mode (loader or numbers)" >&2; exit 2 ;;
esac
mkdir -p "$out/corpus"
src=$(ls sim/*/*.c models/*.c | grep -v sim/cli/main.c)
clang -std=c11 -D_DEFAULT_SOURCE -g -O1 -fsanitize=fuzzer,address,undefined \
    -fno-sanitize-recover=undefined -Isim -Imodels tests/fuzz_loader.c "${extra[@]}" $src \
    -lgsl -lgslcblas -lcjson -lm -pthread -o "$out/fuzz_loader"
cp scenarios/*/*.json "$out/corpus/" 2>/dev/null || true
cp tests/bad/*.json "$out/corpus/" 2>/dev/null || true
cp tests/fuzz-regressions/* "$out/corpus/" 2>/dev/null || true
if [ "$mode" = numbers ]; then
    for seed in nodes:2000 chain:2000 cycle:2000 faults:5000 schedule:5000 fleet:5000; do
        python3 tests/gen-scale.py "${seed%%:*}" "${seed##*:}" >"$out/corpus/scale-${seed%%:*}.json"
    done
    cd "$out"
    ./fuzz_loader -max_total_time="$seconds" -max_len=1048576 -timeout=60 -rss_limit_mb=2048 \
        -malloc_limit_mb=2048 corpus
    exit
fi
cd "$out"
./fuzz_loader -max_total_time="$seconds" -max_len=8192 -timeout=10 -rss_limit_mb=2048 \
    -dict=../../tests/fuzz.dict corpus
