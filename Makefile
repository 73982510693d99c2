# archsim: one flat Makefile. `make help` lists the targets.
# Sources are found by wildcard: a new model is models/<name>.c plus a line in
# models/models.def, with no edit here.

MODE ?= release
CC ?= cc
WARN := -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes
OPT_release := -O2 -g -flto=auto -ffat-lto-objects # whole-program inlining: the models call the engine per event
OPT_debug := -O0 -g
OPT_asan := -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
BUILD := build/$(MODE)
CPPFLAGS := -Isim -Imodels -D_DEFAULT_SOURCE
CFLAGS := -std=c11 -pthread $(WARN) $(OPT_$(MODE)) -MMD -MP
LDFLAGS := $(filter -fsanitize%,$(OPT_$(MODE)))
LDLIBS := -lgsl -lgslcblas -lcjson -lm -pthread

LIB_SRC := $(filter-out sim/cli/main.c,$(wildcard sim/*/*.c models/*.c))
LIB_OBJ := $(LIB_SRC:%.c=$(BUILD)/%.o)
UNIT_SRC := $(wildcard tests/test_*.c)
UNIT_BIN := $(UNIT_SRC:tests/%.c=$(BUILD)/tests/%)
VALIDATE_SRC := $(wildcard tests/validate_*.c)
VALIDATE_BIN := $(VALIDATE_SRC:tests/%.c=$(BUILD)/tests/%)
DEB_PKGS := libgsl-dev libcjson-dev libcmocka-dev gnuplot-nox python3-jsonschema
FUZZ_TIME ?= 600
FUZZ_MODE ?= loader

.PHONY: all archsim demo test unit unit-bins validate validate-bins scenario-test golden bench fuzz deps clean help install uninstall schema
.DEFAULT_GOAL := all
.SECONDARY:

all: archsim

help:
	@echo "make            build ./archsim (release)"
	@echo "make demo       install what is missing, build, run the default scenario"
	@echo "make test       install what is missing, build, run every test (release and ASan+UBSan)"
	@echo "make golden     rewrite tests/golden/ (fixed-seed reports) and show what changed"
	@echo "make schema     rewrite docs/scenario.schema.json from what the loader accepts"
	@echo "make bench      archsim against a hand-written C M/M/1 (CPU time, ratio, peak memory),"
	@echo "                the calendar's hold benchmark, a cache and database stack's events/s"
	@echo "make fuzz       fuzz the scenario loader with libFuzzer for FUZZ_TIME seconds ($(FUZZ_TIME))"
	@echo "                (FUZZ_MODE=numbers: mutate numbers and list lengths, 5e5 events, 2 GB)"
	@echo "make deps       install the Debian packages archsim needs: $(DEB_PKGS)"
	@echo "make install    install into PREFIX ($(PREFIX)), under DESTDIR if given; make uninstall"
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

$(BUILD)/archsim: $(BUILD)/sim/cli/main.o $(LIB_OBJ)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) -c -o $@ $<

# Unit tests link the fat objects' plain code (-fno-lto): a whole-program LTO per test
# binary cost most of make test's build time. The theory validation and archsim keep LTO.
$(BUILD)/tests/%: $(BUILD)/tests/%.o $(LIB_OBJ)
	$(CC) $(LDFLAGS) $(if $(filter test_%,$*),-fno-lto) -o $@ $^ $(LDLIBS) -lcmocka

# The speed references: a hand-written M/M/1 (no archsim code) and the calendar's hold loop.
$(BUILD)/bench/mm1_ref: $(BUILD)/bench/mm1_ref.o
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/bench/hold: $(BUILD)/bench/hold.o $(LIB_OBJ)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

demo: deps
	@$(MAKE) --no-print-directory archsim
	./archsim run scenarios/examples/web-tier.json --plot build/demo

unit-bins: $(UNIT_BIN)
validate-bins: $(VALIDATE_BIN)

unit: $(UNIT_BIN)
	@set -e; for t in $(UNIT_BIN); do echo "== $$t"; $$t; done

validate: $(VALIDATE_BIN)
	@set -e; for t in $(VALIDATE_BIN); do echo "== $$t"; $$t; done

scenario-test: $(BUILD)/archsim
	@tests/scenarios.sh $(BUILD)/archsim $(MODE)

# Builds run on every core; the tests themselves run one after another (timing-sensitive
# checks and readable output). Release: unit tests, theory validation, scenario tests
# (determinism, -O0 against -O2, bad input), golden reports. ASan+UBSan: unit and scenario
# tests; the long validation runs stay in release.
JOBS ?= $(shell nproc 2>/dev/null || echo 2)
test: deps
	@$(MAKE) --no-print-directory -j$(JOBS) MODE=release archsim unit-bins validate-bins
	@$(MAKE) --no-print-directory -j$(JOBS) MODE=debug build/debug/archsim
	@$(MAKE) --no-print-directory -j$(JOBS) MODE=asan build/asan/archsim unit-bins
	@$(MAKE) --no-print-directory MODE=release unit validate scenario-test
	@tests/golden.sh build/release/archsim
	@tests/compare-builds.sh build/release/archsim build/debug/archsim
	@$(MAKE) --no-print-directory MODE=asan unit scenario-test
	@tests/fuzz-replay.sh
	@echo "all tests passed"

# Rewrites tests/golden/ from this build and shows what changed: a deliberate step, with
# the reason in the commit message.
golden: archsim
	@tests/golden.sh build/release/archsim --update

# The scenario schema, from `archsim fields` over every scenario (tools/schema.py); make
# test fails when it is out of date.
schema: archsim
	/usr/bin/python3 tools/schema.py build/release/archsim > docs/scenario.schema.json.new
	mv docs/scenario.schema.json.new docs/scenario.schema.json
	@git diff --stat -- docs/scenario.schema.json 2>/dev/null || true

bench: deps
	@$(MAKE) --no-print-directory MODE=release archsim build/release/bench/mm1_ref build/release/bench/hold
	@tests/bench.sh build/release/archsim build/release/bench

fuzz: deps
	@tests/fuzz.sh $(FUZZ_TIME) $(FUZZ_MODE)

clean:
	rm -rf build archsim

# make install PREFIX=/usr/local DESTDIR=...: the binary, the gnuplot scripts (the binary
# finds them at ../share/archsim/plots), the man page (written by archsim --man from the
# help text, so no help2man is needed), bash completion, the scenarios and their schema.
PREFIX ?= /usr/local
BINDIR := $(PREFIX)/bin
SHAREDIR := $(PREFIX)/share/archsim
MAN1DIR := $(PREFIX)/share/man/man1
COMPDIR := $(PREFIX)/share/bash-completion/completions
SCENARIO_DIRS := examples drills validation

install: $(BUILD)/archsim
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(SHAREDIR)/plots $(DESTDIR)$(MAN1DIR) $(DESTDIR)$(COMPDIR)
	install -m 755 $(BUILD)/archsim $(DESTDIR)$(BINDIR)/archsim
	install -m 644 plots/*.gp $(DESTDIR)$(SHAREDIR)/plots/
	install -m 644 scenarios/README.md $(DESTDIR)$(SHAREDIR)/README.scenarios.md
	for d in $(SCENARIO_DIRS); do install -d $(DESTDIR)$(SHAREDIR)/scenarios/$$d && \
	  install -m 644 scenarios/$$d/*.json $(DESTDIR)$(SHAREDIR)/scenarios/$$d/ || exit 1; done
	install -d $(DESTDIR)$(SHAREDIR)/scenarios/traces
	install -m 644 scenarios/traces/*.csv $(DESTDIR)$(SHAREDIR)/scenarios/traces/
	$(BUILD)/archsim --man > $(DESTDIR)$(MAN1DIR)/archsim.1
	install -m 644 tools/archsim-completion.bash $(DESTDIR)$(COMPDIR)/archsim
	install -m 644 docs/scenario.schema.json $(DESTDIR)$(SHAREDIR)/scenario.schema.json

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/archsim $(DESTDIR)$(MAN1DIR)/archsim.1 $(DESTDIR)$(COMPDIR)/archsim
	rm -rf $(DESTDIR)$(SHAREDIR)

-include $(shell find build -name '*.d' 2>/dev/null)
