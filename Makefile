# hato - top-level, non-recursive build.  Each folder's module.mk lists its
# program; libutil becomes build/libutil.a; -MMD tracks headers.
#   make            build everything into build/bin and build/libexec
#   make check      every test (unit tests under ASan+UBSan, CLI, scenarios),
#                   TEST_JOBS (default 2) at once
#   make deps       install the Debian packages the build and tests need
#   make fuzz       libFuzzer targets, FUZZ_SECONDS each (default 60)
#   make stress     the long robustness tests (tests/robust) with counts
#   make bench      hato against a private Postfix and Dovecot (bench/), QUICK=1 short
#   make install    DESTDIR= PREFIX=/usr/local (and make uninstall)
#   make deb        the Debian package into build/deb (debian/module.mk)

.DEFAULT_GOAL := all
PREFIX ?= /usr/local
DESTDIR ?=
BUILD := build
FUZZ_SECONDS ?= 60
TEST_JOBS ?= 2

CFLAGS ?= -O2 -g
WARNINGS := -std=c11 -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wformat=2 -Wno-format-nonliteral
CPPFLAGS += -D_FORTIFY_SOURCE=2 -D_GNU_SOURCE \
	-DHATO_PREFIX='"$(PREFIX)"' -DHATO_VERSION='"$(VERSION)"'
# full RELRO: symbols bound at start, the GOT read-only (a delivery child
# then neither resolves symbols again nor copies the GOT page)
LDFLAGS ?= -Wl,-z,relro,-z,now
LDLIBS := -llmdb -lpcre2-8 -lresolv -lssl -lcrypto -lsasl2 -lcrypt -largon2 -lz
VERSION := 0.1

ALL_CFLAGS = $(WARNINGS) $(CFLAGS) $(CPPFLAGS) -MMD -MP
SAN_FLAGS := -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer

# V=1 shows full command lines
Q := $(if $(V),,@)
PROGRAMS :=
TARGETS :=
FUZZERS :=

# program NAME DIR(bin|libexec) - build NAME/*.c (minus tests, fuzzers) into build/DIR/NAME
# The library layers, lowest first (docs/architecture.md): libutil/
# (generic), global/ (mail-aware), store/ (the mail store).  Each is
# compiled with the include paths of itself and the layers below it and
# nothing else, so a libutil/ file that includes a global/ header does not
# compile (tests/style/layering.sh shows it).  Programs see all three.
LAYERS := libutil global store
INC_libutil := -Ilibutil
INC_global := -Iglobal $(INC_libutil)
INC_store := -Istore $(INC_global)
INC = $(INC_store)
$(foreach l,$(LAYERS),$(eval $(BUILD)/obj/$(l)/%.o $(BUILD)/asan/$(l)/%.o $(BUILD)/fuzzobj/$(l)/%.o: INC = $$(INC_$(l))))
LIBS := $(BUILD)/libstore.a $(BUILD)/libglobal.a $(BUILD)/libutil.a
layer-inc-%: ; @echo $(INC_$*)

define layer
$(1)_LIB_SRCS := $$(filter-out %_test.c $(1)/test.c $(1)/fuzz_%.c,$$(wildcard $(1)/*.c))
$(1)_LIB_OBJS := $$(patsubst %.c,$(BUILD)/obj/%.o,$$($(1)_LIB_SRCS))
LAYER_SRCS += $$($(1)_LIB_SRCS)
$(BUILD)/lib$(1:lib%=%).a: $$($(1)_LIB_OBJS)
	@rm -f $$@
	$$(AR) rcs $$@ $$^
$$(foreach f,$$(wildcard $(1)/fuzz_*.c),$$(eval $$(call fuzzer,$$(f))))
endef

define program
$(1)_SRCS := $$(filter-out %_test.c $(1)/fuzz_%.c,$$(wildcard $(1)/*.c))
$(1)_OBJS := $$(patsubst %.c,$(BUILD)/obj/%.o,$$($(1)_SRCS))
$(BUILD)/$(2)/$(1): $$($(1)_OBJS) $(LIBS)
	@mkdir -p $$(@D)
	$$(CC) $$(LDFLAGS) -o $$@ $$^ $$(LDLIBS)
TARGETS += $(BUILD)/$(2)/$(1)
PROGRAMS += $(2)/$(1)
endef

# fuzzer FILE - a libFuzzer target built with clang from FILE and libutil
define fuzzer
FUZZERS += $(BUILD)/fuzz/$$(basename $$(notdir $(1)))
endef

$(foreach l,$(LAYERS),$(eval $(call layer,$(l))))
include $(filter-out $(LAYERS:%=%/module.mk),$(wildcard */module.mk))
include $(wildcard tests/*/module.mk)

all: $(TARGETS) $(EXTRA_TARGETS)

# --- objects ------------------------------------------------------------
$(BUILD)/obj/%.o: %.c
	@mkdir -p $(@D)
	$(if $(Q),@echo "  CC      $<")
	$(Q)$(CC) $(ALL_CFLAGS) $(INC) -c -o $@ $<

# objects that compile PREFIX in are rebuilt when it changes
$(BUILD)/prefix.stamp: FORCE
	@mkdir -p $(@D); echo '$(PREFIX) $(VERSION)' | cmp -s - $@ || echo '$(PREFIX) $(VERSION)' > $@
$(BUILD)/obj/global/params.o $(BUILD)/obj/hato/hato_init.o $(BUILD)/obj/hato/hato_import_write.o: $(BUILD)/prefix.stamp
FORCE:

# --- unit tests under ASan + UBSan --------------------------------------
UNIT_SRCS := $(wildcard libutil/*_test.c */*_test.c)
# a program's own modules are unit-tested too: link them (not main.c) in
UNIT_PROG_DIRS := $(sort $(dir $(filter-out libutil/%,$(UNIT_SRCS))))
UNIT_PROG_SRCS := $(foreach d,$(UNIT_PROG_DIRS),$(filter-out $(d)main.c %_test.c $(d)fuzz_%.c,$(wildcard $(d)*.c)))
UNIT_OBJS := $(patsubst %.c,$(BUILD)/asan/%.o,$(UNIT_SRCS) $(LAYER_SRCS) $(UNIT_PROG_SRCS) libutil/test.c)

$(BUILD)/unit_tests.def: $(UNIT_SRCS) Makefile
	@mkdir -p $(@D)
	@for f in $(sort $(UNIT_SRCS)); do b=$${f##*/}; echo "T($${b%_test.c})"; done > $@.tmp
	@cmp -s $@.tmp $@ || mv $@.tmp $@; rm -f $@.tmp

$(BUILD)/asan/%.o: %.c
	@mkdir -p $(@D)
	$(if $(Q),@echo "  CC-SAN  $<")
	$(Q)$(CC) $(WARNINGS) -O1 -g $(SAN_FLAGS) $(CPPFLAGS) $(INC) -I$(BUILD) -MMD -MP -c -o $@ $<

$(BUILD)/asan/libutil/test.o: $(BUILD)/unit_tests.def

$(BUILD)/asan/unit: $(UNIT_OBJS)
	$(CC) $(SAN_FLAGS) -o $@ $^ $(LDLIBS)

unit: $(BUILD)/asan/unit

# --- fuzzing (clang, libFuzzer, ASan + UBSan) ---------------------------
FUZZ_CC ?= clang
FUZZ_LIB_OBJS := $(patsubst %.c,$(BUILD)/fuzzobj/%.o,$(LAYER_SRCS))

$(BUILD)/fuzzobj/%.o: %.c
	@mkdir -p $(@D)
	$(if $(Q),@echo "  CC-FUZZ $<")
	$(Q)$(FUZZ_CC) $(WARNINGS) -O1 -g -fsanitize=fuzzer-no-link,address,undefined $(CPPFLAGS) $(INC) -MMD -MP -c -o $@ $<

# a library layer's fuzz target: its own object and the layers
define layer_fuzzer
$(BUILD)/fuzz/$$(basename $$(notdir $(1))): $(BUILD)/fuzzobj/$$(basename $(1)).o $(FUZZ_LIB_OBJS)
	@mkdir -p $$(@D)
	$$(FUZZ_CC) -fsanitize=fuzzer,address,undefined -o $$@ $$^ $$(LDLIBS)
endef
$(foreach f,$(wildcard $(LAYERS:%=%/fuzz_*.c)),$(eval $(call layer_fuzzer,$(f))))

# a program's fuzz target (DIR/fuzz_NAME.c) links the program's modules too
define prog_fuzzer
FUZZERS += $(BUILD)/fuzz/$$(basename $$(notdir $(1)))
$(BUILD)/fuzz/$$(basename $$(notdir $(1))): $(BUILD)/fuzzobj/$$(basename $(1)).o \
		$$(patsubst %.c,$(BUILD)/fuzzobj/%.o,$$(filter-out $$(dir $(1))main.c %_test.c $$(dir $(1))fuzz_%.c,$$(wildcard $$(dir $(1))*.c))) $(FUZZ_LIB_OBJS)
	@mkdir -p $$(@D)
	$$(FUZZ_CC) -fsanitize=fuzzer,address,undefined -o $$@ $$^ $$(LDLIBS)
endef
$(foreach f,$(filter-out $(LAYERS:%=%/%),$(wildcard */fuzz_*.c)),$(eval $(call prog_fuzzer,$(f))))

fuzz-build: $(FUZZERS)

fuzz: fuzz-build
	@for f in $(FUZZERS); do \
	  n=$${f##*/}; corpus=tests/fuzz/$$n; mkdir -p $(BUILD)/fuzz-corpus/$$n; \
	  echo "== $$n ($(FUZZ_SECONDS)s)"; \
	  $$f -max_total_time=$(FUZZ_SECONDS) -max_len=4096 -print_final_stats=0 \
	      $$( [ -f $$corpus.dict ] && echo -dict=$$corpus.dict ) \
	      -artifact_prefix=$(BUILD)/fuzz/$$n- $(BUILD)/fuzz-corpus/$$n $$corpus 2>&1 \
	      | grep -E '^(#[0-9]+ +DONE|==[0-9]+==|SUMMARY|.*crash-)' ; \
	  [ $${PIPESTATUS[0]} = 0 ] || { echo "FUZZ FAILURE in $$n"; exit 1; }; \
	done

# --- check, deps, install -----------------------------------------------
deps:
	@mk/deps.sh

run: deps
	$(MAKE) all
	@mk/run.sh

check: deps
	$(MAKE) all unit
	@tests/run -j$(TEST_JOBS)

install: all
	install -d $(DESTDIR)$(PREFIX)/sbin $(DESTDIR)$(PREFIX)/libexec/hato
	for p in $(filter $(BUILD)/bin/%,$(TARGETS)); do install -m 0755 $$p $(DESTDIR)$(PREFIX)/sbin/; done
	for p in $(filter $(BUILD)/libexec/%,$(TARGETS)); do install -m 0755 $$p $(DESTDIR)$(PREFIX)/libexec/hato/; done
	$(INSTALL_EXTRA)

# uninstall - what install put there; the configuration, the queue and
# the users hato init made stay (remove them by hand: README)
uninstall:
	for p in $(notdir $(filter $(BUILD)/bin/%,$(TARGETS) $(EXTRA_TARGETS))); do \
		rm -f $(DESTDIR)$(PREFIX)/sbin/$$p; done
	rm -rf $(DESTDIR)$(PREFIX)/libexec/hato
	$(UNINSTALL_EXTRA)

clean:
	rm -rf $(BUILD)

.PHONY: all unit layer-inc-% fuzz fuzz-build deps check install uninstall clean run
SHELL := /bin/bash

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
