#!/usr/bin/env bash
# fuzz-replay.sh: replays the fuzzing regression corpus and every scenario through the
# fuzz target's code under ASan and UBSan (gcc; no clang needed).
set -eu
shopt -s nullglob
out=build/asan
mkdir -p "$out"
src=$(ls sim/*/*.c models/*.c | grep -v sim/cli/main.c)
cc -std=c11 -D_DEFAULT_SOURCE -DFUZZ_REPLAY -g -O1 -fsanitize=address,undefined \
    -fno-sanitize-recover=all -Isim -Imodels tests/fuzz_loader.c $src \
    -lgsl -lgslcblas -lcjson -lm -pthread -o "$out/fuzz_replay"
"$out/fuzz_replay" tests/fuzz-regressions/* scenarios/*/*.json tests/bad/*.json
