# archsim: one flat Makefile. `make help` lists the targets.
# Sources are found by wildcard: a new model is models/<name>.c plus a line in
# models/models.def, with no edit here.

MODE ?= release
CC ?= cc
WARN := -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes
OPT_release := -O2 -g -flto=auto # whole-program inlining: the models call the engine per event
OPT_debug := -O0 -g
OPT_asan := -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
BUILD := build/$(MODE)
CPPFLAGS := -Isim -Imodels -D_DEFAULT_SOURCE
CFLAGS := -std=c11 -pthread $(WARN) $(OPT_$(MODE)) -MMD -MP
LDFLAGS := $(filter -fsanitize%,$(OPT_$(MODE)))
LDLIBS := -lgsl -lgslcblas -lcjson -lm -pthread

LIB_SRC := $(filter-out sim/main.c,$(wildcard sim/*.c models/*.c))
LIB_OBJ := $(LIB_SRC:%.c=$(BUILD)/%.o)
UNIT_SRC := $(wildcard tests/test_*.c)
UNIT_BIN := $(UNIT_SRC:tests/%.c=$(BUILD)/tests/%)
VALIDATE_SRC := $(wildcard tests/validate_*.c)
VALIDATE_BIN := $(VALIDATE_SRC:tests/%.c=$(BUILD)/tests/%)
DEB_PKGS := libgsl-dev libcjson-dev libcmocka-dev gnuplot-nox
FUZZ_TIME ?= 600
FUZZ_MODE ?= loader

.PHONY: all archsim demo test unit validate scenario-test bench fuzz deps clean help
.DEFAULT_GOAL := all
.SECONDARY:

all: archsim

help:
	@echo "make            build ./archsim (release)"
	@echo "make demo       install what is missing, build, run the default scenario"
	@echo "make test       install what is missing, build, run every test (release and ASan+UBSan)"
	@echo "make bench      events and requests per second, peak memory, at 10^7 and 10^8 arrivals"
	@echo "make fuzz       fuzz the scenario loader with libFuzzer for FUZZ_TIME seconds ($(FUZZ_TIME))"
	@echo "                (FUZZ_MODE=numbers: mutate numbers and list lengths, 5e5 events, 2 GB)"
	@echo "make deps       install the Debian packages archsim needs: $(DEB_PKGS)"
	@echo "make clean      remove build/ and ./archsim"
	@echo "MODE=release|debug|asan selects the build (build/MODE/)"

# Installs whatever Debian package is missing (apt-get, as root or through sudo).
deps:
	@missing=""; for p in $(DEB_PKGS); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  if [ "$$(id -u)" = 0 ]; then sudo=""; else sudo=sudo; fi; \
	  $$sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$sudo apt-get install -y -qq $$missing >/dev/null || \
	  { echo "could not install:$$missing" >&2; exit 1; }; \
	fi

archsim: $(BUILD)/archsim
	@if [ "$(MODE)" = release ]; then cp $(BUILD)/archsim archsim; fi

$(BUILD)/archsim: $(BUILD)/sim/main.o $(LIB_OBJ)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) -c -o $@ $<

$(BUILD)/tests/%: $(BUILD)/tests/%.o $(LIB_OBJ)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS) -lcmocka

demo: deps
	@$(MAKE) --no-print-directory archsim
	./archsim run scenarios/examples/web-tier.json --plot build/demo

unit: $(UNIT_BIN)
	@set -e; for t in $(UNIT_BIN); do echo "== $$t"; $$t; done

validate: $(VALIDATE_BIN)
	@set -e; for t in $(VALIDATE_BIN); do echo "== $$t"; $$t; done

scenario-test: $(BUILD)/archsim
	@tests/scenarios.sh $(BUILD)/archsim $(MODE)

# Release: unit tests, theory validation, scenario tests (determinism, -O0 against -O2,
# bad input). ASan+UBSan: unit and scenario tests; the long validation runs stay in release.
test: deps
	@$(MAKE) --no-print-directory MODE=release archsim unit validate scenario-test
	@$(MAKE) --no-print-directory MODE=debug build/debug/archsim
	@tests/compare-builds.sh build/release/archsim build/debug/archsim
	@$(MAKE) --no-print-directory MODE=asan unit scenario-test
	@tests/fuzz-replay.sh
	@echo "all tests passed"

bench: deps
	@$(MAKE) --no-print-directory MODE=release archsim
	@tests/bench.sh build/release/archsim

fuzz: deps
	@tests/fuzz.sh $(FUZZ_TIME) $(FUZZ_MODE)

clean:
	rm -rf build archsim

-include $(shell find build -name '*.d' 2>/dev/null)
