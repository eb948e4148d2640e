#!/usr/bin/env bats
# The command line: help, usage errors and their exit codes.

load helpers

@test "glibc-matrix --help lists the commands and exit codes" {
	run_gm --help
	assert_contains "$output" "sysroot"
	assert_contains "$output" "Exit codes"
}

@test "every sysroot subcommand has --help" {
	for c in build import list show remove; do
		run_gm sysroot "$c" --help
		assert_contains "$output" "usage: glibc-matrix sysroot $c"
	done
}

@test "an unknown command is a usage error (exit 2), with one prefix and a near name" {
	run_gm 2 frobnicate
	[ "$output" = "glibc-matrix: error: unknown command 'glibc-matrix frobnicate' (try 'glibc-matrix --help')" ]
	run_gm 2 chek
	assert_contains "$output" "did you mean 'glibc-matrix check'?"
	run_gm 2 sysroot lst
	assert_contains "$output" "did you mean 'glibc-matrix sysroot list'?"
	run_gm 2
}

@test "help works as a command: 'help CMD' is 'CMD --help'" {
	run_gm 0 help
	assert_contains "$output" "Commands:"
	run_gm 0 help sysroot build
	expected=$("$GM" sysroot build --help)
	[ "$output" = "$expected" ]
	run_gm 0 help check
	assert_contains "$output" "usage: glibc-matrix check"
}

@test "a bad option is a usage error (exit 2) in our words only, naming the option" {
	run_gm 2 sysroot build --jobs zero 2.42
	assert_contains "$output" "--jobs 'zero'"
	run_gm 2 sysroot list --bogus
	[ "$output" = "glibc-matrix: error: sysroot list: unknown option '--bogus' (see --help)" ]
	run_gm 2 explain --against
	[ "$output" = "glibc-matrix: error: explain: option '--against' needs an argument (see --help)" ]
	run_gm 2 inspect -Z /bin/true
	[ "$output" = "glibc-matrix: error: inspect: unknown option '-Z' (see --help)" ]
	run_gm 2 explain --json=yes /bin/true
	assert_contains "$output" "option '--json' takes no argument"
	run_gm 2 run --t
	assert_contains "$output" "option '--t' is ambiguous"
	run_gm 2 --bogus
	[ "$output" = "glibc-matrix: error: unknown option '--bogus' (see --help)" ]
}

@test "-q works after the command as before it and silences notes" {
	use_scratch_store
	run_gm 0 sysroot list
	assert_contains "$output" "no sysroots"
	run_gm 0 sysroot list -q
	[ -z "$output" ]
	run_gm 0 sysroot list --quiet
	[ -z "$output" ]
	run_gm 0 -q sysroot list
	[ -z "$output" ]
}

@test "show of a missing sysroot names it (exit 2)" {
	use_scratch_store
	run_gm 2 sysroot show no-such-sysroot
	assert_contains "$output" "no sysroot named 'no-such-sysroot'"
	run_gm 2 sysroot show ../etc
	assert_contains "$output" "not a valid sysroot name"
}

@test "list of an empty store says so (not with -q) and --json is an empty array" {
	use_scratch_store
	run_gm sysroot list
	assert_contains "$output" "no sysroots in the store yet"
	run_gm rootfs list
	assert_contains "$output" "no root filesystems in the store yet"
	run_gm sysroot list -q
	[ -z "$output" ]
	run "$GM" sysroot list --json
	[ "$output" = "[]" ]
}

@test "a FIFO named as input is refused at once, not waited on (exit 2)" {
	local fifo=$BATS_TEST_TMPDIR/fifo
	mkfifo "$fifo"
	# Without the regular-file check each of these blocks in open() until
	# run_gm's timeout kills it (status 124), which fails the test.
	GM_TIMEOUT=20 run_gm 2 inspect "$fifo"
	assert_contains "$output" "is a FIFO, not a regular file"
	GM_TIMEOUT=20 run_gm 2 patch "$fifo" -o "$BATS_TEST_TMPDIR/out" --remove-runpath
	assert_contains "$output" "'$fifo' is a FIFO"
	[ ! -e "$BATS_TEST_TMPDIR/out" ]
	ensure_sysroot "$GM_SOURCE_NAME" build "$GM_SOURCE_VERSION"
	GM_TIMEOUT=20 run_gm 2 check "$fifo" --against "$GM_SOURCE_NAME"
	assert_contains "$output" "'$fifo' is a FIFO"
	GM_TIMEOUT=20 run_gm 2 explain "$fifo" --against "$GM_SOURCE_NAME"
}

@test "a store path the methods cannot carry is refused before anything is written (exit 2)" {
	local base=$BATS_TEST_TMPDIR
	for bad in "$base/a:b" "$base/a;b" "$base/a b" "$base/a\$b"; do
		GLIBC_MATRIX_STORE=$bad run_gm 2 sysroot import bookworm
		assert_contains "$output" "store path '$bad' contains"
		[ ! -e "$bad" ]
	done
	touch "$base/file"
	GLIBC_MATRIX_STORE=$base/file run_gm 2 sysroot list
	assert_contains "$output" "exists and is not a directory"
	# Commands that never touch the store do not care.
	GLIBC_MATRIX_STORE="$base/a:b" run_gm 2 inspect /etc/passwd
}

@test "a sysroot name starting with '-' is refused (it would read as an option)" {
	use_scratch_store
	run_gm 2 sysroot import bookworm --name -x
	assert_contains "$output" "invalid sysroot name '-x'"
	run_gm 2 sysroot build 2.31 --name=-rf --download-only
	assert_contains "$output" "'-rf'"
}

@test "patch refuses an interpreter path longer than the kernel executes (PATH_MAX)" {
	local long ok
	long=/$(printf 'a%.0s' $(seq 4095))
	ok=/$(printf 'a%.0s' $(seq 4094))
	run_gm 2 patch "$TOP/tests/fixtures/elf/hello-pie" -o "$BATS_TEST_TMPDIR/x" --interp "$long"
	assert_contains "$output" "interpreter path is 4096 bytes"
	[ ! -e "$BATS_TEST_TMPDIR/x" ]
	run_gm patch "$TOP/tests/fixtures/elf/hello-pie" -o "$BATS_TEST_TMPDIR/x" --interp "$ok"
	run readelf -l "$BATS_TEST_TMPDIR/x"
	assert_contains "$output" "Requesting program interpreter: /aaaa"
}

@test "a command that finishes after SIGTERM arrived exits 130, not 0" {
	use_scratch_store
	# opendir() made slow (2 s) by a preloaded wrapper, so the signal
	# reliably arrives while `sysroot list` runs; the wrapper then calls the
	# real opendir and list completes normally.
	cat >"$BATS_TEST_TMPDIR/slow.c" <<-'C'
	#define _GNU_SOURCE
	#include <dirent.h>
	#include <dlfcn.h>
	#include <unistd.h>
	DIR *opendir(const char *p)
	{
		DIR *(*real)(const char *) = (DIR *(*)(const char *))dlsym(RTLD_NEXT, "opendir");
		sleep(2);
		return real(p);
	}
	C
	gcc -shared -fPIC -o "$BATS_TEST_TMPDIR/slow.so" "$BATS_TEST_TMPDIR/slow.c" -ldl
	LD_PRELOAD=$BATS_TEST_TMPDIR/slow.so "$GM" sysroot list 2>"$BATS_TEST_TMPDIR/err" 3>&- &
	local pid=$! rc=0
	sleep 0.5
	kill -TERM "$pid"
	wait "$pid" || rc=$?
	cat "$BATS_TEST_TMPDIR/err"
	[ "$rc" -eq 130 ]
	grep -q "interrupted" "$BATS_TEST_TMPDIR/err"
}
