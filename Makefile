# glibc-matrix.  `make` builds the driver, `make check` runs every test,
# `make matrix` runs the main job on the built-in default.  V=1 shows commands.

CC ?= gcc
PKGS := libelf libarchive libcurl json-c libcrypto
WARN := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
	-Werror=implicit-function-declaration -Wformat=2 -Wno-format-nonliteral
CFLAGS ?= -O2 -g
GM_CFLAGS := -std=gnu11 $(WARN) -D_FILE_OFFSET_BITS=64 -iquote harness
# O=DIR GM_BIN=DIR/glibc-matrix puts every output under DIR, the rest of
# the tree untouched (debian/rules builds the package so).
O := build
GM_BIN := glibc-matrix

# SANITIZE=1: AddressSanitizer and UBSan (every UB report fatal) in build-asan/,
# so sanitized and plain objects never mix; the driver is ./glibc-matrix-asan,
# beside cases/ and sysroots/ like the plain one, and the tests run it through
# GM (tests/helpers.bash).  SANITIZE=thread: ThreadSanitizer in build-tsan/, for
# the spawner and the pool (make check-tsan).
# The spawner's clone(CLONE_VM | CLONE_VFORK) child (harness/exec/proc.c):
# ASan does not intercept clone, and the child only runs child() on its own
# heap stack until exec, so ASan and LSan work (test-proc, test-pool, every
# sanitized suite pass).  TSan does intercept clone and resets its state in
# the child, which is the parent's memory: see tests/unit/test-pool.c.
ifeq ($(SANITIZE),1)
  O := build-asan
  GM_BIN := glibc-matrix-asan
  SAN_FLAGS := -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer
  # A report exits 99: never 1 (findings) or 3, which tests may expect.  A test
  # preloads a library of its own (010-cli: a slow opendir), which ASan would
  # refuse for not coming after its runtime: verify_asan_link_order=0.
  SAN_ENV := ASAN_OPTIONS=exitcode=99:detect_leaks=1:abort_on_error=0:verify_asan_link_order=0 \
	UBSAN_OPTIONS=exitcode=99:print_stacktrace=1 LSAN_OPTIONS=exitcode=99
else ifeq ($(SANITIZE),thread)
  O := build-tsan
  GM_BIN := glibc-matrix-tsan
  SAN_FLAGS := -fsanitize=thread -fno-omit-frame-pointer
  SAN_ENV := TSAN_OPTIONS=exitcode=99:halt_on_error=1
endif
GM_CFLAGS += $(SAN_FLAGS)
LDFLAGS += $(SAN_FLAGS)

# Every build needs the libraries, and the test goals need bats.  make never
# installs them: it names what is missing and stops (status 2); `make deps`
# (ci/install-deps.sh) installs them from the Debian archive.  Goals that
# build nothing check nothing; `make matrix` installs them first (below).
# The Debian package that provides each pkg-config name, for the message.
deb_of.libelf := libelf-dev
deb_of.libarchive := libarchive-dev
deb_of.libcurl := libcurl4-openssl-dev
deb_of.json-c := libjson-c-dev
deb_of.libcrypto := libssl-dev
NO_DEPS_GOALS := clean deps lint matrix uninstall
ifneq ($(MAKECMDGOALS),)
ifeq ($(filter-out $(NO_DEPS_GOALS),$(MAKECMDGOALS)),)
  SKIP_DEPS := yes
endif
endif
ifneq ($(SKIP_DEPS),yes)
ifeq ($(shell command -v pkg-config 2>/dev/null),)
  MISSING_DEPS := pkg-config (Debian: pkg-config)
else
  MISSING_DEPS := $(foreach p,$(PKGS),$(if $(shell pkg-config --exists $(p) 2>/dev/null && echo y),,$(p) (Debian: $(deb_of.$(p)))))
endif
ifneq ($(filter check%,$(MAKECMDGOALS)),)
  MISSING_DEPS += $(if $(shell command -v bats 2>/dev/null),,bats (Debian: bats))
endif
ifneq ($(strip $(MISSING_DEPS)),)
  $(error missing build dependencies: $(strip $(MISSING_DEPS)); `make deps` installs them (ci/install-deps.sh, as root or with sudo))
endif
endif
PKG_CFLAGS := $(if $(SKIP_DEPS),,$(shell pkg-config --cflags $(PKGS)))
# libarchive and libcurl are opened on first use (harness/base/lazylib.h): linking
# them would load ~40 libraries at every start.  Their sonames come from the
# development symlinks, so the build follows the installed versions.
LAZY_PKGS := libarchive libcurl
soname = $(if $(SKIP_DEPS),,$(shell readelf -d $$($(CC) -print-file-name=$(1) 2>/dev/null) 2>/dev/null | sed -n 's/.*soname: \[\(.*\)\]/\1/p'))
GM_CFLAGS += -DGM_LIBARCHIVE_SONAME='"$(call soname,libarchive.so)"' -DGM_LIBCURL_SONAME='"$(call soname,libcurl.so)"'
PKG_LIBS := $(if $(SKIP_DEPS),,$(shell pkg-config --libs $(filter-out $(LAZY_PKGS),$(PKGS)))) -ldl -pthread

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
LAYERS := base exec elf hook store verdict probes acquire container methods matrix plan report cli
LIB_LAYERS := $(filter-out cli,$(LAYERS))
# The hook folder's main is its own program ($(O)/glibc-inject), never part of
# gm-hook.a; nothing in glibc-matrix refers to the hook's archive, so none of
# it is linked there.
HOOK_MAIN := harness/hook/glibc-inject.c
layer_objs = $(patsubst harness/%.c,$(O)/harness/%.o,$(filter-out $(HOOK_MAIN),$(wildcard harness/$(1)/*.c)))
LAYER_LIBS := $(foreach l,$(LIB_LAYERS),$(O)/gm-$(l).a)
LINK_LIBS := $(foreach l,$(call reverse,$(LIB_LAYERS)),$(O)/gm-$(l).a)
CLI_OBJS := $(call layer_objs,cli)
HOOK_MAIN_OBJ := $(HOOK_MAIN:harness/%.c=$(O)/harness/%.o)
ALL_OBJS := $(foreach l,$(LAYERS),$(call layer_objs,$(l))) $(HOOK_MAIN_OBJ)
HEADERS := $(wildcard harness/*/*.h)
UNIT_SRCS := $(wildcard tests/unit/test-*.c)
UNIT_BINS := $(UNIT_SRCS:tests/unit/%.c=$(O)/tests/%)

all: glibc-matrix $(O)/gm-batch $(O)/glibc-inject hooks

# The batch helper runs inside containers of every root filesystem, with or
# without a glibc: static, from the host compiler (containers/gm-batch.c),
# with the one drain of every spawner compiled in (harness/base/drain.c,
# libc only).
GM_BATCH_SRCS := containers/gm-batch.c harness/base/drain.c
$(O)/gm-batch: $(GM_BATCH_SRCS) harness/base/drain.h
	@mkdir -p $(O)
	@echo "  CC    $@ (static)"
	$(Q)$(CC) -static -std=gnu11 $(WARN) -O2 -g -iquote harness -o $@ $(GM_BATCH_SRCS)

# The OCI hook (harness/hook): the base and elf layers, its own archive,
# libelf and json-c, nothing else; runtimes start it for every container.
HOOK_LIBS := $(O)/gm-hook.a $(O)/gm-elf.a $(O)/gm-base.a
$(O)/glibc-inject: $(HOOK_MAIN_OBJ) $(HOOK_LIBS)
	@echo "  LINK  $@"
	$(Q)$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $(HOOK_MAIN_OBJ) $(HOOK_LIBS) $(shell pkg-config --libs libelf json-c)

# hooks.d for podman and CRI-O: containers/hooks.d/glibc-inject.json with the
# hook's absolute path (known only here) and the site's glibc set:
#   make hooks GLIBC_INJECT_LIBS=/opt/glibc/lib/ld-linux-x86-64.so.2:/opt/glibc/lib/libc.so.6:...
# HOOKS_DIR picks another directory (tests write theirs to a temporary one),
# GLIBC_INJECT_PATH another hook binary.  Rewritten on every make (cheap), so a
# changed GLIBC_INJECT_LIBS takes effect; it only names the binary, which
# `all` builds.
HOOKS_DIR ?= $(O)/hooks.d
GLIBC_INJECT_PATH ?= $(abspath $(O)/glibc-inject)
GLIBC_INJECT_LIBS ?=
GLIBC_INJECT_LDCONFIG ?= /sbin/ldconfig
hook_subst = $(if $(findstring |,$(1))$(findstring &,$(1))$(findstring ",$(1))$(findstring \,$(1)),\
	$(error $(2) may not contain | & " or \),$(1))
hooks:
	$(Q)mkdir -p $(HOOKS_DIR)
	$(Q)sed -e 's|@GLIBC_INJECT@|$(call hook_subst,$(GLIBC_INJECT_PATH),GLIBC_INJECT_PATH)|' \
		-e 's|@GLIBC_LIBS@|$(call hook_subst,$(GLIBC_INJECT_LIBS),GLIBC_INJECT_LIBS)|' \
		-e 's|@LDCONFIG_PATH@|$(call hook_subst,$(GLIBC_INJECT_LDCONFIG),GLIBC_INJECT_LDCONFIG)|' \
		containers/hooks.d/glibc-inject.json >$(HOOKS_DIR)/.glibc-inject.json.tmp
	$(Q)mv $(HOOKS_DIR)/.glibc-inject.json.tmp $(HOOKS_DIR)/glibc-inject.json

$(GM_BIN): $(CLI_OBJS) $(LAYER_LIBS)
	@echo "  LINK  $@"
	$(Q)$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $(CLI_OBJS) $(LINK_LIBS) $(PKG_LIBS)
ifneq ($(GM_BIN),glibc-matrix)
glibc-matrix: $(GM_BIN)
.PHONY: glibc-matrix
endif

define layer_rule
$(O)/gm-$(1).a: $(call layer_objs,$(1))
	$$(Q)rm -f $$@ && ar rcs $$@ $$^
endef
$(foreach l,$(LIB_LAYERS),$(eval $(call layer_rule,$(l))))

$(O)/harness/%.o: harness/%.c $(HEADERS)
	@mkdir -p $(dir $@)
	@echo "  CC    $<"
	$(Q)$(CC) $(GM_CFLAGS) $(CPPFLAGS) $(CFLAGS) $(PKG_CFLAGS) -MMD -MP -c -o $@ $<

$(O)/tests/%: tests/unit/%.c tests/unit/tap.h $(LAYER_LIBS) | $(O)/tests
	@echo "  CC    $<"
	$(Q)$(CC) $(GM_CFLAGS) $(CFLAGS) $(LDFLAGS) $(PKG_CFLAGS) -Itests/unit -o $@ $< $(LINK_LIBS) $(PKG_LIBS)

$(O)/tests:
	$(Q)mkdir -p $@

units: $(UNIT_BINS)

# The whole suite: C unit tests (TAP) and bats suites; the last line is
# "N passed, N failed, N skipped".
# The tests run the driver of this build ($(GM_BIN)).
RUN_TESTS := GM=$(CURDIR)/$(GM_BIN) GLIBC_INJECT=$(CURDIR)/$(O)/glibc-inject $(SAN_ENV) bash tests/run.sh
check: glibc-matrix $(O)/gm-batch $(O)/glibc-inject hooks units
	$(Q)$(RUN_TESTS) $(UNIT_BINS) -- tests/*.bats

check-unit: glibc-matrix units
	$(Q)$(RUN_TESTS) $(UNIT_BINS) --

check-bats: glibc-matrix $(O)/gm-batch $(O)/glibc-inject hooks
	$(Q)$(RUN_TESTS) -- tests/*.bats

# The sanitized unit tests and a sanitized subset of the suites: the CLI, the
# ELF reader, manifest validation and a small matrix run.  Any ASan or UBSan
# report fails (the exit code; halt_on_error).  Leak checking is on for the
# unit tests; for the driver, see SAN_ENV.
SANITIZE_SUITES := tests/010-cli.bats tests/040-elf.bats tests/047-validate.bats
check-sanitize:
	$(Q)$(MAKE) --no-print-directory SANITIZE=1 glibc-matrix units
	$(Q)$(MAKE) --no-print-directory SANITIZE=1 check-unit-bats-sanitized

# The matrix subset: 2 x 2 sysroots (the sysroots make check uses: the oldest
# version from source, three Debian suites), 6 cases
# (plain, static, dlopen, C++ exceptions, NSS, a new symbol), all 5 methods:
# 108 cells through the spawner, patcher, classifier and report.  Exit 0 or 1
# (mismatches) is the harness's business; 99 is a sanitizer report.
SANITIZE_RUN = run --build $(GM_SOURCE_NAME) --build debian-bullseye-amd64 \
	--run debian-trixie-amd64 --run debian-bookworm-amd64 --case hello --case static \
	--case dlopen --case cxx-exception --case nss-getpwnam --case gettid -j2 --out $(O)/run
GM_SOURCE_NAME = glibc-$(shell awk '$$1 ~ /^[0-9]/ && NF == 3 { print $$1; exit }' sysroots/versions.tsv)
check-unit-bats-sanitized:
	$(Q)$(RUN_TESTS) $(UNIT_BINS) -- $(SANITIZE_SUITES)
	@echo "# sanitized: glibc-matrix $(SANITIZE_RUN)"
	$(Q)rm -rf $(O)/run; $(SAN_ENV) ./$(GM_BIN) --quiet $(SANITIZE_RUN) >$(O)/run.log 2>&1; \
		st=$$?; tail -n 2 $(O)/run.log; \
		if [ $$st -gt 1 ]; then cat $(O)/run.log; echo "not ok - sanitized run exited $$st"; exit 1; fi

# ThreadSanitizer on the spawner and the job pool, the two threaded modules.
TSAN_UNITS := test-proc test-pool
check-tsan:
	$(Q)$(MAKE) --no-print-directory SANITIZE=thread $(TSAN_UNITS:%=build-tsan/tests/%)
	$(Q)TSAN_OPTIONS=exitcode=99:halt_on_error=1 bash tests/run.sh $(TSAN_UNITS:%=build-tsan/tests/%) --

# Builds every known version from source, then runs the suite.
check-full: glibc-matrix $(O)/gm-batch $(O)/glibc-inject hooks units
	$(Q)$(RUN_TESTS) $(UNIT_BINS) -- tests/*.bats tests/full/*.bats

# The main job on its built-in default: the default sysroots (one glibc built
# from source, three Debian suites imported), then their listing.
# It installs the build dependencies first (deps), so the driver is built by
# a second make that sees them.
matrix: deps
	$(Q)$(MAKE) --no-print-directory all
	$(Q)bash ci/default-sysroots.sh ./glibc-matrix

# The quick benchmarks; bench/sysroot-build.sh (two full glibc builds) runs
# with `make bench-build`.
bench: glibc-matrix $(O)/gm-batch
	$(Q)bash bench/inspect.sh
	$(Q)bash bench/gate.sh
	$(Q)bash bench/patch.sh
	$(Q)bash bench/matrix.sh
	$(Q)bash bench/container.sh
	$(Q)bash bench/check.sh
	$(Q)bash bench/package.sh
	$(Q)bash bench/report.sh
	$(Q)bash bench/qemu.sh

bench-build: glibc-matrix
	$(Q)bash bench/sysroot-build.sh

# libFuzzer targets (clang), with ASan and UBSan: one per parser of input the
# harness does not control.  tests/045-fuzz.bats runs each for a bounded time
# on its seed corpus (tests/fuzz/corpus/<t>) and replays tests/fuzz/regress/<t>;
# long runs: build/fuzz/<t> -max_total_time=600 tests/fuzz/corpus/<t>.
# Each target lists the sources it links, the lowest layers it needs (base/
# always): a new target is a fuzz-<t>.c plus one FUZZ_SRCS_fuzz-<t> line.
FUZZ_CC := clang
FUZZ_FLAGS := -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined
FUZZ_BASE := $(wildcard harness/base/*.c)
FUZZ_ELF := harness/elf/elfinfo.c harness/elf/glibcver.c
FUZZ_SRCS_fuzz-elfinfo := $(FUZZ_ELF)
FUZZ_SRCS_fuzz-elfpatch := $(FUZZ_ELF) $(wildcard harness/elf/elfpatch*.c)
FUZZ_SRCS_fuzz-debindex := harness/acquire/debindex.c harness/acquire/debversion.c
FUZZ_SRCS_fuzz-debversion := harness/acquire/debversion.c
FUZZ_SRCS_fuzz-package := harness/acquire/archive.c harness/acquire/debindex.c \
	harness/acquire/debversion.c harness/store/rootpath.c
FUZZ_SRCS_fuzz-mirror := harness/acquire/mirror.c
FUZZ_SRCS_fuzz-cases := harness/probes/cases.c harness/verdict/outcome.c harness/store/store.c
FUZZ_SRCS_fuzz-recipes := harness/store/recipes.c
FUZZ_SRCS_fuzz-image := harness/acquire/image-parse.c
FUZZ_SRCS_fuzz-sysroot := harness/store/sysroot.c harness/store/store.c \
	harness/elf/glibcbuild.c harness/elf/elfcache.c $(FUZZ_ELF)
FUZZ_NAMES := $(patsubst tests/fuzz/%.c,%,$(wildcard tests/fuzz/fuzz-*.c))
# Always build/fuzz/ (tests/045-fuzz.bats looks there): the targets carry their
# own sanitizers, and a `make check SANITIZE=1` passes SANITIZE to 045's make.
FUZZ_TARGETS := $(FUZZ_NAMES:%=build/fuzz/%)

fuzz: $(FUZZ_TARGETS)

define fuzz_rule
build/fuzz/$(1): tests/fuzz/$(1).c tests/fuzz/fuzz-text.h $$(FUZZ_SRCS_$(1)) $$(FUZZ_BASE) $$(HEADERS)
	@mkdir -p build/fuzz
	@echo "  FUZZ  $$@"
	$$(Q)$$(FUZZ_CC) $$(FUZZ_FLAGS) -std=gnu11 -iquote harness $$(PKG_CFLAGS) \
		-DGM_LIBARCHIVE_SONAME='"$$(call soname,libarchive.so)"' -o $$@ $$< \
		$$(FUZZ_SRCS_$(1)) $$(FUZZ_BASE) $$(PKG_LIBS)
endef
$(foreach t,$(FUZZ_NAMES),$(eval $(call fuzz_rule,$(t))))

# Installs what the build, the tests and the matrix need from the Debian
# archive (apt-get, as root or through sudo); nothing else here runs apt.
deps:
	$(Q)bash ci/install-deps.sh

lint:
	$(Q)bash tests/lint.sh && bash tests/layering.sh

clean:
	rm -rf build build-asan build-tsan glibc-matrix glibc-matrix-asan glibc-matrix-tsan

# The manual pages, made from the programs' --help texts (ci/man.sh), so
# they cannot drift from them.
MAN_PAGES := $(O)/man/glibc-matrix.1 $(O)/man/glibc-inject.1
man: $(MAN_PAGES)
$(MAN_PAGES) &: glibc-matrix $(O)/glibc-inject ci/man.sh
	$(Q)bash ci/man.sh $(abspath $(GM_BIN)) $(O)/glibc-inject $(O)/man \
		"$$($(abspath $(GM_BIN)) --version | awk '{ print $$2 }')"

# make install [PREFIX=/usr/local] [DESTDIR=]: the driver in bin/, the hook
# and gm-batch in libexec/glibc-matrix/, the data (cases/, sysroots/,
# containers/) in share/glibc-matrix/, hooks.d for podman and CRI-O with
# the installed hook's path, the manual pages and the bash completion
# (completion/glibc-matrix.bash).  The layout is relative: the driver finds its
# data from its own place (harness/base/config.c), so a staged DESTDIR tree
# or a moved PREFIX works as installed.  make uninstall removes exactly that.
PREFIX ?= /usr/local
BINDIR = $(PREFIX)/bin
LIBEXECDIR = $(PREFIX)/libexec/glibc-matrix
DATADIR = $(PREFIX)/share/glibc-matrix
OCIHOOKSDIR = $(PREFIX)/share/containers/oci/hooks.d
MANDIR = $(PREFIX)/share/man/man1
COMPLETIONDIR = $(PREFIX)/share/bash-completion/completions
# The tracked files; outside a git checkout (an unpacked source package),
# every file there.
INSTALL_DATA_DIRS := cases sysroots containers/rootfs.tsv containers/own-programs.tsv containers/hooks.d
INSTALL_DATA = $(shell git ls-files $(INSTALL_DATA_DIRS) 2>/dev/null || find $(INSTALL_DATA_DIRS) -type f | LC_ALL=C sort)
install: all man
	$(Q)install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(LIBEXECDIR) $(DESTDIR)$(DATADIR) \
		$(DESTDIR)$(MANDIR)
	$(Q)install -m 644 $(MAN_PAGES) $(DESTDIR)$(MANDIR)/
	$(Q)install -D -m 644 completion/glibc-matrix.bash $(DESTDIR)$(COMPLETIONDIR)/glibc-matrix
	$(Q)install -m 755 $(GM_BIN) $(DESTDIR)$(BINDIR)/glibc-matrix
	$(Q)install -m 755 $(O)/gm-batch $(O)/glibc-inject $(DESTDIR)$(LIBEXECDIR)/
	$(Q)for f in $(or $(INSTALL_DATA),$(error install: no data files in $(INSTALL_DATA_DIRS))); do \
		install -D -m 644 "$$f" "$(DESTDIR)$(DATADIR)/$$f" || exit 1; done
	$(Q)$(MAKE) --no-print-directory hooks HOOKS_DIR=$(DESTDIR)$(OCIHOOKSDIR) \
		GLIBC_INJECT_PATH=$(LIBEXECDIR)/glibc-inject
	@echo "installed glibc-matrix under $(DESTDIR)$(PREFIX)"

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/glibc-matrix $(DESTDIR)$(OCIHOOKSDIR)/glibc-inject.json \
		$(DESTDIR)$(MANDIR)/glibc-matrix.1 $(DESTDIR)$(MANDIR)/glibc-inject.1 \
		$(DESTDIR)$(COMPLETIONDIR)/glibc-matrix
	rm -rf $(DESTDIR)$(LIBEXECDIR) $(DESTDIR)$(DATADIR)

.PHONY: all hooks units check check-unit check-bats check-full matrix bench bench-build deps lint clean fuzz \
	install uninstall man \
	check-sanitize check-unit-bats-sanitized check-tsan
-include $(ALL_OBJS:.o=.d)
