#!/usr/bin/env bash
# fuzz.sh SECONDS: fuzzes the scenario loader with libFuzzer (clang, ASan, UBSan), seeded
# with every scenario in the repository and the regression corpus. New crashing inputs
# land in build/fuzz/; copy them to tests/fuzz-regressions/ once fixed.
set -eu
seconds=${1:-600}
if ! command -v clang >/dev/null; then
    if [ "$(id -u)" = 0 ]; then sudo=""; else sudo=sudo; fi
    $sudo apt-get install -y -qq clang libclang-rt-dev >/dev/null || $sudo apt-get install -y -qq clang >/dev/null
fi
out=build/fuzz
mkdir -p "$out/corpus"
src=$(ls sim/*/*.c models/*.c | grep -v sim/cli/main.c)
clang -std=c11 -D_DEFAULT_SOURCE -g -O1 -fsanitize=fuzzer,address,undefined \
    -fno-sanitize-recover=undefined -Isim -Imodels tests/fuzz_loader.c $src \
    -lgsl -lgslcblas -lcjson -lm -pthread -o "$out/fuzz_loader"
cp scenarios/*/*.json "$out/corpus/" 2>/dev/null || true
cp tests/bad/*.json "$out/corpus/" 2>/dev/null || true
cp tests/fuzz-regressions/* "$out/corpus/" 2>/dev/null || true
cd "$out"
./fuzz_loader -max_total_time="$seconds" -max_len=8192 -timeout=10 -rss_limit_mb=2048 \
    -dict=../../tests/fuzz.dict corpus
