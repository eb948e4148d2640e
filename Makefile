# glibc-matrix.  `make` builds the driver, `make check` runs every test,
# `make matrix` runs the main job on the built-in default.  V=1 shows commands.

CC ?= gcc
PKGS := libelf libarchive libcurl json-c libcrypto
WARN := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
	-Werror=implicit-function-declaration -Wformat=2 -Wno-format-nonliteral
CFLAGS ?= -O2 -g
GM_CFLAGS := -std=gnu11 $(WARN) -D_FILE_OFFSET_BITS=64 -iquote harness
O := build

# Every target needs the libraries; a fresh machine gets them from ci/install-deps.sh.
# Goals that need nothing installed do not install anything.
NO_DEPS_GOALS := clean deps lint
ifneq ($(MAKECMDGOALS),)
ifeq ($(filter-out $(NO_DEPS_GOALS),$(MAKECMDGOALS)),)
  SKIP_DEPS := yes
endif
endif
ifneq ($(SKIP_DEPS),yes)
DEPS_OK := $(shell pkg-config --exists $(PKGS) 2>/dev/null && command -v bats >/dev/null && echo yes)
ifneq ($(DEPS_OK),yes)
  $(info glibc-matrix: installing missing build dependencies (ci/install-deps.sh))
  DEPS_RC := $(shell bash ci/install-deps.sh >&2; echo $$?)
  ifneq ($(DEPS_RC),0)
    $(error ci/install-deps.sh failed (status $(DEPS_RC)); run it by hand to see why)
  endif
endif
endif
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS))
# libarchive and libcurl are opened on first use (harness/base/lazylib.h): linking
# them would load ~40 libraries at every start.  Their sonames come from the
# development symlinks, so the build follows the installed versions.
LAZY_PKGS := libarchive libcurl
soname = $(shell readelf -d $$($(CC) -print-file-name=$(1)) 2>/dev/null | sed -n 's/.*soname: \[\(.*\)\]/\1/p')
GM_CFLAGS += -DGM_LIBARCHIVE_SONAME='"$(call soname,libarchive.so)"' -DGM_LIBCURL_SONAME='"$(call soname,libcurl.so)"'
PKG_LIBS := $(shell pkg-config --libs $(filter-out $(LAZY_PKGS),$(PKGS))) -ldl -pthread

ifeq ($(V),1)
  Q :=
else
  Q := @
endif

# harness/ is layered: one folder per subsystem, each built into its own
# static archive, lower folders never including higher ones
# (harness/README; tests/layering.sh checks it).  The link order is the
# layer order, highest first.
reverse = $(if $(1),$(call reverse,$(wordlist 2,$(words $(1)),$(1))) $(firstword $(1)))
LAYERS := base exec elf store verdict probes acquire container routes matrix report cli
LIB_LAYERS := $(filter-out cli,$(LAYERS))
layer_objs = $(patsubst harness/%.c,$(O)/harness/%.o,$(wildcard harness/$(1)/*.c))
LAYER_LIBS := $(foreach l,$(LIB_LAYERS),$(O)/gm-$(l).a)
LINK_LIBS := $(foreach l,$(call reverse,$(LIB_LAYERS)),$(O)/gm-$(l).a)
CLI_OBJS := $(call layer_objs,cli)
ALL_OBJS := $(foreach l,$(LAYERS),$(call layer_objs,$(l)))
HEADERS := $(wildcard harness/*/*.h)
UNIT_SRCS := $(wildcard tests/unit/test-*.c)
UNIT_BINS := $(UNIT_SRCS:tests/unit/%.c=$(O)/tests/%)

all: glibc-matrix $(O)/gm-batch

# The batch helper runs inside containers of every root filesystem, with or
# without a glibc: static, from the host compiler (containers/gm-batch.c).
$(O)/gm-batch: containers/gm-batch.c
	@mkdir -p $(O)
	@echo "  CC    $@ (static)"
	$(Q)$(CC) -static -std=gnu11 $(WARN) -O2 -o $@ $<

glibc-matrix: $(CLI_OBJS) $(LAYER_LIBS)
	@echo "  LINK  $@"
	$(Q)$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $(CLI_OBJS) $(LINK_LIBS) $(PKG_LIBS)

define layer_rule
$(O)/gm-$(1).a: $(call layer_objs,$(1))
	$$(Q)rm -f $$@ && ar rcs $$@ $$^
endef
$(foreach l,$(LIB_LAYERS),$(eval $(call layer_rule,$(l))))

$(O)/harness/%.o: harness/%.c $(HEADERS)
	@mkdir -p $(dir $@)
	@echo "  CC    $<"
	$(Q)$(CC) $(GM_CFLAGS) $(CFLAGS) $(PKG_CFLAGS) -MMD -MP -c -o $@ $<

$(O)/tests/%: tests/unit/%.c tests/unit/tap.h $(LAYER_LIBS) | $(O)/tests
	@echo "  CC    $<"
	$(Q)$(CC) $(GM_CFLAGS) $(CFLAGS) $(PKG_CFLAGS) -Itests/unit -o $@ $< $(LINK_LIBS) $(PKG_LIBS)

$(O)/tests:
	$(Q)mkdir -p $@

units: $(UNIT_BINS)

# The whole suite: C unit tests (TAP) and bats suites; the last line is
# "N passed, N failed, N skipped".
check: glibc-matrix $(O)/gm-batch units
	$(Q)bash tests/run.sh $(UNIT_BINS) -- tests/*.bats

check-unit: glibc-matrix units
	$(Q)bash tests/run.sh $(UNIT_BINS) --

check-bats: glibc-matrix $(O)/gm-batch
	$(Q)bash tests/run.sh -- tests/*.bats

# Builds every known version from source, then runs the suite.
check-full: glibc-matrix units
	$(Q)bash tests/run.sh $(UNIT_BINS) -- tests/*.bats tests/full/*.bats

# The main job on its built-in default: the default sysroots (one glibc built
# from source, three Debian suites imported), then their listing.
matrix: glibc-matrix
	$(Q)bash ci/default-sysroots.sh ./glibc-matrix

# The quick benchmarks; bench/sysroot-build.sh (two full glibc builds) runs
# with `make bench-build`.
bench: glibc-matrix
	$(Q)bash bench/inspect.sh
	$(Q)bash bench/patch.sh
	$(Q)bash bench/matrix.sh

bench-build: glibc-matrix
	$(Q)bash bench/sysroot-build.sh

# libFuzzer targets (clang), with ASan and UBSan.  tests/050-fuzz.bats runs
# them for a bounded time; `bench`-style long runs: build/fuzz/<t> -max_total_time=600.
FUZZ_CC := clang
FUZZ_FLAGS := -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined
# The ELF targets link the two lowest layers' sources only: base and elf.
FUZZ_COMMON := harness/elf/elfinfo.c harness/elf/glibcver.c $(wildcard harness/base/*.c)
FUZZ_TARGETS := $(patsubst tests/fuzz/%.c,$(O)/fuzz/%,$(wildcard tests/fuzz/fuzz-*.c))

fuzz: $(FUZZ_TARGETS)

$(O)/fuzz/fuzz-elfinfo: tests/fuzz/fuzz-elfinfo.c $(FUZZ_COMMON) $(HEADERS)
	@mkdir -p $(O)/fuzz
	@echo "  FUZZ  $@"
	$(Q)$(FUZZ_CC) $(FUZZ_FLAGS) -std=gnu11 -iquote harness $(PKG_CFLAGS) -o $@ $< $(FUZZ_COMMON) $(PKG_LIBS)

$(O)/fuzz/fuzz-elfpatch: tests/fuzz/fuzz-elfpatch.c $(wildcard harness/elf/elfpatch*.c) $(FUZZ_COMMON) $(HEADERS)
	@mkdir -p $(O)/fuzz
	@echo "  FUZZ  $@"
	$(Q)$(FUZZ_CC) $(FUZZ_FLAGS) -std=gnu11 -iquote harness $(PKG_CFLAGS) -o $@ $< $(wildcard harness/elf/elfpatch*.c) $(FUZZ_COMMON) $(PKG_LIBS)

deps:
	$(Q)bash ci/install-deps.sh

lint:
	$(Q)bash tests/lint.sh && bash tests/layering.sh

clean:
	rm -rf $(O) glibc-matrix

.PHONY: all units check check-unit check-bats check-full matrix bench bench-build deps lint clean fuzz
-include $(ALL_OBJS:.o=.d)
