# Shared by every tests/*.bats suite (podman's and Toolbx's helpers.bash).
# shellcheck shell=bash

bats_require_minimum_version 1.5.0

# The repository: the directory above this file (suites live in tests/ and tests/full/).
TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
GM=${GM:-$TOP/glibc-matrix}
# The store is shared with the user's own runs and CI, so sysroots built by
# one run are cache hits in the next.
export GLIBC_MATRIX_STORE=${GLIBC_MATRIX_STORE:-${XDG_CACHE_HOME:-$HOME/.cache}/glibc-matrix}
# The glibc the suite builds from source: the oldest known version (the
# first line of sysroots/versions.tsv), which is also the quickest to build;
# make check-full builds every one.
GM_SOURCE_VERSION=${GM_SOURCE_VERSION:-$(awk '!/^#/ && NF == 3 { print $1; exit }' "$TOP/sysroots/versions.tsv")}
GM_SOURCE_NAME=glibc-$GM_SOURCE_VERSION
HOST_ARCH=$(dpkg --print-architecture 2>/dev/null || echo amd64)

# run_gm [EXPECTED-STATUS|'?'] ARGS...: runs glibc-matrix under a timeout
# with fd 3 closed, logs the command, and fails on an unexpected status.
# The output is in $output (stdout and stderr), the status in $status.
run_gm() {
	local expected=0
	if [[ "${1:-}" =~ ^([0-9]+|\?)$ ]]; then
		expected=$1
		shift
	fi
	echo "\$ glibc-matrix $*"
	# bats warns (BW01) about a status of 127 unless run is told to expect
	# it, and writes that warning to fd 3, closed here: the test would die.
	local expect_flag=()
	[ "$expected" != 127 ] || expect_flag=(-127)
	run "${expect_flag[@]}" timeout --foreground -v --kill-after=10 "${GM_TIMEOUT:-3600}" "$GM" "$@" 3>&-
	echo "$output"
	if [ "$expected" != "?" ] && [ "$status" -ne "$expected" ]; then
		echo "# expected exit status $expected, got $status" >&2
		return 1
	fi
	return 0
}

# assert_contains HAYSTACK NEEDLE
assert_contains() {
	if [[ "$1" != *"$2"* ]]; then
		echo "# expected to find: $2" >&2
		echo "# in: $1" >&2
		return 1
	fi
}

assert_not_contains() {
	if [[ "$1" == *"$2"* ]]; then
		echo "# did not expect: $2" >&2
		return 1
	fi
}

# A scratch store for tests that must not touch the shared one.
use_scratch_store() {
	export GLIBC_MATRIX_STORE=$BATS_TEST_TMPDIR/store
	mkdir -p "$GLIBC_MATRIX_STORE"
}

# Ensures the shared store holds sysroot NAME, creating it with ARGS... .
# Cheap when cached (that is the point of the store).  An import always
# runs: without network when the sysroot has everything, and it brings a
# store made by an older importer up to date (the C++ runtime).
ensure_sysroot() {
	local name=$1
	shift
	if [ "$1" = import ] || ! "$GM" sysroot show "$name" >/dev/null 2>&1; then
		"$GM" --quiet sysroot "$@" --name "$name" 3>&- || return 1
	fi
}

# Two kinds of test that cannot run here, and only two:
#  - a tool is missing (require_tool, require_python, missing_tool): a skip,
#    but a failure in strict mode (GM_STRICT=1, set by .ci/run), where
#    ci/install-deps.sh has installed every tool and a missing one means a
#    broken CI, not a green run;
#  - a fact of the machine that no package changes (skip_fact, its keys
#    in machine_fact): a skip even in strict mode.

# missing_tool WHAT: WHAT is missing; skip, or fail when strict.
missing_tool() {
	if [ "${GM_STRICT:-}" = 1 ]; then
		echo "# GM_STRICT=1: a missing tool fails: $1" >&2
		return 1
	fi
	skip "$1"
}

# require_tool PROGRAM PACKAGE: PROGRAM on PATH (from Debian's PACKAGE).
require_tool() {
	command -v "$1" >/dev/null ||
		missing_tool "$1 is not installed (Debian package $2, ci/install-deps.sh)"
}

# require_python MODULE PACKAGE: python3 can import MODULE.
require_python() {
	python3 -c "import $1" 2>/dev/null ||
		missing_tool "python3's $1 is not installed (Debian package $2, ci/install-deps.sh)"
}

# machine_fact KEY: the reason for a skip that strict mode allows; fails
# for a key not in this list (the one list of them).
machine_fact() {
	case $1 in
	not-root) echo "needs root" ;;
	no-mount) echo "cannot mount here (no mount namespace or no CAP_SYS_ADMIN)" ;;
	not-amd64) echo "the suite's sysroots, probes and root filesystems are amd64 (this is $HOST_ARCH)" ;;
	asan) echo "AddressSanitizer reserves more address space than ulimit -v allows" ;;
	old-binutils) echo "this binutils predates 2.38 (no -z pack-relative-relocs)" ;;
	old-host-glibc) echo "the host's libc.so.6 predates 2.36 (no GLIBC_ABI_DT_RELR)" ;;
	no-cgroups) echo "cells are not in cgroups here (GLIBC_MATRIX_CONTAINMENT=rlimit-only)" ;;
	no-oci-runtime) echo "no OCI runtime can run a container here" ;;
	no-binfmt) echo "binfmt_misc has no qemu entries with the F flag (as root: ci/binfmt.sh)" ;;
	no-network) echo "the network cannot be reached" ;;
	no-glibc-src) echo "the local glibc source directory (GLIBC_MATRIX_GLIBC_SRC, else ../shared/glibc-src beside the checkout) lacks this release" ;;
	*) return 1 ;;
	esac
}

# skip_fact KEY [DETAIL]: skips for a fact of the machine (machine_fact).
skip_fact() {
	local why
	why=$(machine_fact "$1") || {
		echo "# skip_fact: '$1' is not a fact in machine_fact (tests/helpers.bash)" >&2
		return 1
	}
	skip "$why${2:+: $2}"
}

# require_runtime: an OCI runtime runs a container here (the driver's own
# detection; exit 77 carries its reason); runc itself is a tool.
require_runtime() {
	local out rc=0
	require_tool runc runc
	out=$("$GM" rootfs exec busybox -- /bin/true 2>&1 3>&-) || rc=$?
	[ "$rc" -ne 77 ] || skip_fact no-oci-runtime "$out"
}

# check_source_sysroot NAME VERSION: the source-built sysroot NAME is glibc
# VERSION as the build verified it (its loader runs its libc, whose banner
# names VERSION; loaders answer --version from 2.33 on, older ones take it
# for a file name), and a program built against it runs on it.  Sets loader
# and libdir for the caller.
check_source_sysroot() {
	local name=$1 v=$2
	run_gm sysroot show "$name"
	assert_contains "$output" "glibc:     $v"
	assert_contains "$output" "origin:    source"
	assert_contains "$output" "libc.so.6: GLIBC_2.2.5"
	assert_contains "$output" "GLIBC_$v"
	loader=$(sed -n 's/^loader: *//p' <<<"$output")
	libdir=$(sed -n 's/^libdir: *//p' <<<"$output" | head -n 1)
	[ -x "$loader" ]
	run libc_banner "$loader"
	# "release version 2.28." from 2.18 on; 2.17's banner goes on "version 2.17, by".
	[[ "$output" == *"release version $v."* || "$output" == *"release version $v, by"* ]] ||
		{ echo "# no 'release version $v' in: $output"; false; }
	output=$("$loader" --version 2>&1) || true
	if [ "$(printf '%s\n' 2.33 "$v" | sort -V | head -n 1)" = 2.33 ]; then
		assert_contains "$output" "version $v"
	else
		assert_contains "$output" "cannot open shared object file"
	fi
	# Built against the sysroot: a host-built program needs the host's newest nodes.
	# shellcheck disable=SC2046
	cc $("$GM" flags --sysroot "$name") -o "$BATS_TEST_TMPDIR/version-$name" \
		"$TOP/tests/fixtures/version.c"
	run "$loader" --inhibit-cache --library-path "$libdir" "$BATS_TEST_TMPDIR/version-$name"
	echo "$output"
	[ "$status" -eq 0 ]
	assert_contains "$output" "glibc=$v"
	assert_contains "$output" "libc=$libdir/libc.so.6"
}

# libc_banner LOADER: the release banner libc.so.6 prints when the loader
# runs it as a program (the libc beside the loader).  Works for every glibc;
# loaders before 2.33 have no --version.
libc_banner() {
	local dir
	dir=$(dirname "$(readlink -f "$1")")
	"$1" --inhibit-cache --library-path "$dir" "$dir/libc.so.6"
}

# path_without GLOB...: $NO_PATH, a PATH with every program of this machine
# but those whose names match a GLOB (qemu-*: a machine without an emulator).
path_without() {
	local dir=$BATS_TEST_TMPDIR/no-path f g skip
	rm -rf "$dir"
	mkdir -p "$dir"
	for f in /usr/local/bin/* /usr/bin/* /usr/sbin/*; do
		skip=
		for g in "$@"; do
			# shellcheck disable=SC2053 # a glob on purpose
			[[ ${f##*/} == $g ]] && skip=1
		done
		[ -n "$skip" ] || [ -e "$dir/${f##*/}" ] || ln -s "$f" "$dir/${f##*/}"
	done
	NO_PATH=$dir
}

# method_cells OUT: "method run predicted observed detail" per cell of
# OUT/results.json.
method_cells() {
	python3 - "$1" <<-'PY'
	import json, sys
	for c in json.load(open(sys.argv[1] + "/results.json"))["cells"]:
	    print(c["method"], c["run"], c["predicted"]["outcome"], c["observed"]["outcome"],
	          c["observed"]["detail"])
	PY
}

# A test's own processes, told apart from other jobs' on a shared machine
# (a probe has the same path in the shared store for every run): start the
# driver with GM_TEST_MARK=$BATS_TEST_TMPDIR in its environment; it passes
# its environment on to what it runs (proc.c), and nothing else has it.
# marked_procs [PATTERN]: the pids of this test's marked processes whose
# command line holds PATTERN.
marked_procs() {
	local f p
	grep -lszxF "GM_TEST_MARK=$BATS_TEST_TMPDIR" /proc/[0-9]*/environ | while read -r f; do
		p=${f#/proc/}
		p=${p%/environ}
		[ -z "${1:-}" ] || tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null | grep -qF -- "$1" || continue
		echo "$p"
	done
}

# marked_running PATTERN: a marked process with PATTERN in its command line runs.
marked_running() {
	[ -n "$(marked_procs "$1")" ]
}

# sigint_caught PID: PID catches SIGINT (its handler is in: bit 2 of SigCgt).
sigint_caught() {
	local mask
	mask=$(awk '$1 == "SigCgt:" { print $2 }' "/proc/$1/status" 2>/dev/null) &&
		[ -n "$mask" ] && ((0x$mask & 2))
}

# wait_until PID WHAT COMMAND...: polls COMMAND until it succeeds (waits
# for the condition, not for a time); fails if PID ends first, or after
# 5 minutes so that it cannot hang.  WHAT names the condition.
wait_until() {
	local pid=$1 what=$2 _
	shift 2
	for _ in $(seq 1 3000); do
		"$@" && return 0
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	echo "# never happened while $pid ran: $what" >&2
	return 1
}

# json_field JSON PYTHON-EXPRESSION: the expression's value, with d the parsed JSON.
json_field() {
	python3 -c "import json,sys; d=json.load(sys.stdin); print($2)" <<<"$1"
}
