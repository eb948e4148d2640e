#!/usr/bin/env bats
# make check-full: glibc 2.28, a release Debian's archive no longer has,
# builds from the local glibc source directory (its tarball checked against
# versions.tsv's sha256) with this machine's toolchain and the quirks of
# sysroots/quirks.tsv, passes the build's own verification (its loader runs
# its libc, which names 2.28), and runs a program built against it.  Skipped
# where the local source directory has no glibc-2.28.tar.xz.

load ../helpers

setup_file() {
	src=${GLIBC_MATRIX_GLIBC_SRC:-$TOP/../shared/glibc-src}
	[ -f "$src/glibc-2.28.tar.xz" ] || return 0
	ensure_sysroot glibc-2.28 build 2.28
}

@test "glibc 2.28 builds from the local source, verified: its loader runs its libc, which names 2.28" {
	src=${GLIBC_MATRIX_GLIBC_SRC:-$TOP/../shared/glibc-src}
	[ -f "$src/glibc-2.28.tar.xz" ] || skip "no glibc-2.28.tar.xz in $src"
	run_gm sysroot show glibc-2.28
	assert_contains "$output" "glibc:     2.28"
	assert_contains "$output" "origin:    source"
	assert_contains "$output" "GLIBC_2.28"
	loader=$(sed -n 's/^loader: *//p' <<<"$output")
	libdir=$(sed -n 's/^libdir: *//p' <<<"$output" | head -n 1)
	[ -x "$loader" ]
	run libc_banner "$loader"
	assert_contains "$output" "release version 2.28."
	# A 2.28 loader has no --version: it takes it for a file name.
	output=$("$loader" --version 2>&1) || true
	assert_contains "$output" "cannot open shared object file"

	# Built against it, the program runs on it through its loader.
	# shellcheck disable=SC2046
	cc $("$GM" flags --sysroot glibc-2.28) -o "$BATS_TEST_TMPDIR/version" \
		"$TOP/tests/fixtures/version.c"
	run "$loader" --inhibit-cache --library-path "$libdir" "$BATS_TEST_TMPDIR/version"
	echo "$output"
	[ "$status" -eq 0 ]
	assert_contains "$output" "glibc=2.28"

	# The same inputs again are a cache hit, by the version's name.
	run_gm sysroot build 2.28
	assert_contains "$output" "up to date (cached"
}
