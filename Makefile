# diwan build: `make` builds build/diwan, `make test` runs the whole suite under
# ASan/UBSan, `make demo` installs what is missing and runs the sample pipeline.
# Libraries are found with pkg-config; Debian's libcsv-dev ships no .pc file.

BUILD    ?= build
PREFIX   ?= /usr/local
CC       ?= cc
PKGS     := sqlite3 libzstd libutf8proc libxxhash jansson
VERSION  := 0.2.0

WARN     := -Wall -Wextra -Werror -Wformat=2 -Wshadow -Wvla -Wstrict-prototypes
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null)
CFLAGS   ?= -O2 -g
ALL_CFLAGS = -std=gnu11 $(WARN) $(CFLAGS) $(PKG_CFLAGS) -Isrc -I$(BUILD)/gen \
             -DDW_VERSION=\"$(VERSION)\" -MMD -MP
LDLIBS   := $(PKG_LIBS) -lcsv -lpthread -lm

# Sanitized build used by `make test` (a separate tree, so it never mixes objects).
SAN      := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
TBUILD   := $(BUILD)/san

CORE_SRC   := $(sort $(wildcard src/core/*.c))
INGEST_SRC := $(sort $(wildcard src/ingest/*.c))
CMD_SRC    := $(sort $(wildcard src/cmd/*.c))
STATS_SRC  := $(sort $(wildcard src/stats/*.c))
DATA_SRC   := $(sort $(wildcard src/datasets/*.c))
REPORT_SRC := $(sort $(wildcard src/report/*.c))
LIB_SRC    := $(CORE_SRC) $(INGEST_SRC) $(STATS_SRC) $(DATA_SRC) $(REPORT_SRC)
TEST_SRC   := $(sort $(wildcard tests/unit/*.c))

LIB_OBJ  = $(LIB_SRC:%.c=$(BUILD)/obj/%.o) $(BUILD)/obj/gen/schema.o $(BUILD)/obj/gen/sources.o
CMD_OBJ  = $(CMD_SRC:%.c=$(BUILD)/obj/%.o) $(BUILD)/obj/src/main.o

.PHONY: all test unit cli demo install uninstall clean deps lint bench
all: $(BUILD)/diwan

deps:
	scripts/install-deps

# The schema and the built-in outlet registry are embedded as C strings, as jq
# embeds builtin.jq.
$(BUILD)/gen/schema.c: src/core/schema.sql scripts/embed-sql
	@mkdir -p $(dir $@)
	scripts/embed-sql dw_schema_sql < $< > $@.tmp && mv $@.tmp $@

$(BUILD)/gen/sources.c: src/ingest/sources.tsv scripts/embed-sql
	@mkdir -p $(dir $@)
	scripts/embed-sql dw_sources_tsv < $< > $@.tmp && mv $@.tmp $@

# Objects are rebuilt when the compile flags change (VERSION and CFLAGS among
# them): $(BUILD)/cflags holds the last ones and is rewritten only when they
# differ, so an unchanged build stays up to date.
FLAGS_STAMP = $(BUILD)/cflags
$(FLAGS_STAMP): FORCE
	@mkdir -p $(dir $@)
	@printf '%s\n' '$(CC) $(ALL_CFLAGS)' | cmp -s - $@ || printf '%s\n' '$(CC) $(ALL_CFLAGS)' > $@

.PHONY: FORCE
FORCE:

$(BUILD)/obj/gen/%.o: $(BUILD)/gen/%.c $(FLAGS_STAMP)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(BUILD)/obj/%.o: %.c $(FLAGS_STAMP)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(BUILD)/libdiwan.a: $(LIB_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(BUILD)/diwan: $(CMD_OBJ) $(BUILD)/libdiwan.a
	$(CC) $(CFLAGS) -o $@ $(CMD_OBJ) $(BUILD)/libdiwan.a $(LDLIBS)

# One Criterion binary holds unit and CLI tests, so the last line of
# `make test` is Criterion's synthesis line.
$(BUILD)/tests: $(TEST_SRC:%.c=$(BUILD)/obj/%.o) $(BUILD)/libdiwan.a
	$(CC) $(CFLAGS) -o $@ $(filter %.o,$^) $(BUILD)/libdiwan.a $(LDLIBS) -lcriterion

# Single-module test binary for development: make build/t_norm
$(BUILD)/t_%: $(BUILD)/obj/tests/unit/test_%.o $(BUILD)/obj/tests/unit/helpers.o $(BUILD)/libdiwan.a
	$(CC) $(CFLAGS) -o $@ $^ $(LDLIBS) -lcriterion

test:
	@scripts/install-deps --check
	@$(MAKE) --no-print-directory lint-quick
	@$(MAKE) --no-print-directory -j2 BUILD=$(TBUILD) CFLAGS="-O1 -g $(SAN)" $(TBUILD)/diwan $(TBUILD)/tests
	@DW_BIN=$(abspath $(TBUILD)/diwan) DW_BIN_PLAIN=$(abspath $(BUILD)/clang/diwan) DW_ROOT=$(CURDIR) \
	  ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	  $(TBUILD)/tests --jobs 2

# gcc builds the sanitized tree; clang must compile the tree warning-free too.
lint-quick:
	@if command -v clang >/dev/null; then \
	  $(MAKE) --no-print-directory -j2 BUILD=$(BUILD)/clang CC=clang CFLAGS="-O1" $(BUILD)/clang/diwan >/dev/null || exit 1; fi

lint: lint-quick
	cppcheck --quiet --error-exitcode=1 --enable=warning,performance,portability \
	  --inline-suppr --suppress=missingIncludeSystem -Isrc src

demo: 
	scripts/install-deps
	$(MAKE) --no-print-directory $(BUILD)/diwan
	scripts/demo $(BUILD)

bench: $(BUILD)/diwan
	scripts/bench-ingest

install: $(BUILD)/diwan
	install -d $(DESTDIR)$(PREFIX)/bin
	install -m 755 $(BUILD)/diwan $(DESTDIR)$(PREFIX)/bin/diwan

uninstall:
	rm -f $(DESTDIR)$(PREFIX)/bin/diwan

clean:
	rm -rf $(BUILD)

-include $(shell find $(BUILD)/obj -name '*.d' 2>/dev/null)

# ---- fuzzing (issue 7) ----
# make fuzz [FUZZ_SECONDS=60] [FUZZ_TARGETS="page json date norm"]: builds each
# tests/fuzz/fuzz_NAME.c with clang's libFuzzer, ASan and UBSan against the
# library sources, then runs the targets one after the other, FUZZ_SECONDS
# each, on tests/fuzz/corpus-NAME (kept, git-ignored) seeded by
# tests/fuzz/seeds/NAME, with tests/fuzz/NAME.dict when present. A crash stops
# with its input saved as $(BUILD)/fuzz/crash-NAME-*.
FUZZ_SECONDS ?= 60
FUZZ_CC      ?= clang
FUZZ_ALL     := $(patsubst tests/fuzz/fuzz_%.c,%,$(sort $(wildcard tests/fuzz/fuzz_*.c)))
FUZZ_TARGETS ?= $(FUZZ_ALL)
FUZZ_FLAGS   := -std=gnu11 -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
                -fno-omit-frame-pointer $(PKG_CFLAGS) -Isrc -I$(BUILD)/gen -DDW_VERSION=\"$(VERSION)\"
# fuzz_json shrinks the reader's buffers so that small inputs slide and grow them
FUZZ_DEFS_json := -DJR_CHUNK=64 -DJR_FIRST_CAP=16 -DJR_MIN_READ=8 -DDW_ZIO_TSRC_CAP=16 -DDW_ZIO_TOUT_CAP=16

.PHONY: fuzz fuzz-build
$(BUILD)/fuzz/fuzz_%: tests/fuzz/fuzz_%.c $(LIB_SRC) $(BUILD)/gen/schema.c $(BUILD)/gen/sources.c
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_FLAGS) $(FUZZ_DEFS_$*) -o $@ $^ $(LDLIBS)

fuzz-build: $(FUZZ_TARGETS:%=$(BUILD)/fuzz/fuzz_%)

fuzz: fuzz-build
	@for t in $(FUZZ_TARGETS); do \
	  mkdir -p tests/fuzz/corpus-$$t; \
	  dict=; if [ -f tests/fuzz/$$t.dict ]; then dict=-dict=tests/fuzz/$$t.dict; fi; \
	  echo "fuzz_$$t: $(FUZZ_SECONDS) s"; \
	  $(BUILD)/fuzz/fuzz_$$t -max_total_time=$(FUZZ_SECONDS) -print_final_stats=1 $$dict \
	    -artifact_prefix=$(BUILD)/fuzz/crash-$$t- tests/fuzz/corpus-$$t tests/fuzz/seeds/$$t || exit 1; \
	done
