#!/usr/bin/env bats
# make check-full: glibc 2.28, a release Debian's archive no longer has,
# builds from the local glibc source directory (its tarball checked against
# versions.tsv's sha256) with this machine's toolchain and the quirks of
# sysroots/quirks.tsv, passes the build's own verification (its loader runs
# its libc, which names 2.28), and runs a program built against it.  Skipped
# where the local source directory has no glibc-2.28.tar.xz.

load ../helpers

src_dir() {
	echo "${GLIBC_MATRIX_GLIBC_SRC:-$TOP/../shared/glibc-src}"
}

@test "glibc 2.28 builds from the local source, verified: its loader runs its libc, which names 2.28" {
	[ -f "$(src_dir)/glibc-2.28.tar.xz" ] || skip "no glibc-2.28.tar.xz in $(src_dir)"
	ensure_sysroot glibc-2.28 build 2.28
	check_source_sysroot glibc-2.28 2.28
	# The same inputs again are a cache hit, by the version's name.
	run_gm sysroot build 2.28
	assert_contains "$output" "up to date (cached"
}
