#!/usr/bin/env bats
# Building glibc from source: bad input, checksums, a real build, the
# cache, and interrupted builds.

load helpers

setup_file() {
	export GM_TEST_KILL_NAME=gm-test-killed-$$
	export GM_TEST_INT_NAME=gm-test-interrupted-$$
}

# The build logs these tests leave (deliberately) are theirs to remove.
teardown_file() {
	rm -rf "$GLIBC_MATRIX_STORE/build/$GM_TEST_KILL_NAME" "$GLIBC_MATRIX_STORE/build/$GM_TEST_INT_NAME" \
		"$GLIBC_MATRIX_STORE/locks/$GM_TEST_KILL_NAME.lock" "$GLIBC_MATRIX_STORE/locks/$GM_TEST_INT_NAME.lock"
	"$GM" --quiet sysroot remove "$GM_TEST_KILL_NAME" 2>/dev/null || true
}

@test "an unknown version is a usage error that lists the known ones (exit 2)" {
	use_scratch_store
	run_gm 2 sysroot build 9.99
	assert_contains "$output" "unknown glibc version '9.99'"
	assert_contains "$output" "2.31"
	[ ! -d "$GLIBC_MATRIX_STORE/sysroots" ] || [ -z "$(ls "$GLIBC_MATRIX_STORE/sysroots")" ]
}

@test "a missing path is a usage error (exit 2)" {
	use_scratch_store
	run_gm 2 sysroot build "$BATS_TEST_TMPDIR/nope.tar.xz"
	assert_contains "$output" "nope.tar.xz"
}

@test "a directory that is not a glibc tree is a usage error (exit 2)" {
	use_scratch_store
	mkdir "$BATS_TEST_TMPDIR/notglibc"
	run_gm 2 sysroot build "$BATS_TEST_TMPDIR/notglibc"
	assert_contains "$output" "not a glibc source tree"
}

@test "a tarball whose name tells no version is a usage error (exit 2)" {
	use_scratch_store
	echo junk > "$BATS_TEST_TMPDIR/source.tar.xz"
	run_gm 2 sysroot build "$BATS_TEST_TMPDIR/source.tar.xz"
	assert_contains "$output" "cannot tell the glibc version"
}

@test "a corrupt tarball fails clearly and installs nothing (exit 3)" {
	use_scratch_store
	head -c 4096 /dev/urandom > "$BATS_TEST_TMPDIR/glibc-2.99.tar.xz"
	run_gm 3 sysroot build "$BATS_TEST_TMPDIR/glibc-2.99.tar.xz"
	assert_contains "$output" "glibc-2.99.tar.xz"
	run "$GM" sysroot list --json
	[ "$output" = "[]" ]
}

@test "a sha256 mismatch is an error and installs nothing (exit 3)" {
	use_scratch_store
	# Recipes identical to the project's but for one wrong checksum.
	export GLIBC_MATRIX_RECIPES=$BATS_TEST_TMPDIR/recipes
	cp -r "$TOP/sysroots" "$GLIBC_MATRIX_RECIPES"
	sed -i -E "s/^2\.31[[:space:]]+[0-9a-f]{64}/2.31\t$(printf '0%.0s' {1..64})/" \
		"$GLIBC_MATRIX_RECIPES/versions.tsv"
	run_gm 3 sysroot build 2.31
	assert_contains "$output" "sha256 mismatch"
	assert_contains "$output" "expected 0000000000"
	# Neither the download nor a sysroot was kept.
	[ -z "$(ls "$GLIBC_MATRIX_STORE/downloads")" ]
	run "$GM" sysroot list --json
	[ "$output" = "[]" ]
	[ ! -e "$GLIBC_MATRIX_STORE/sysroots/glibc-2.31" ]
}

@test "glibc builds from source and its loader runs a program on it" {
	ensure_sysroot "$GM_SOURCE_NAME" build "$GM_SOURCE_VERSION"
	check_source_sysroot "$GM_SOURCE_NAME" "$GM_SOURCE_VERSION"

	# Headers, kernel headers included, are enough to compile against it.
	run cc -nostdinc -isystem "$(dirname "$libdir")/include" \
		-isystem "$(cc -print-file-name=include)" -fsyntax-only -x c - <<<'#include <stdio.h>
#include <linux/limits.h>
int main(void) { return PATH_MAX > 0 ? 0 : 1; }'
	echo "$output"
	[ "$status" -eq 0 ]
}

@test "the same inputs are a cache hit" {
	ensure_sysroot "$GM_SOURCE_NAME" build "$GM_SOURCE_VERSION"
	created=$("$GM" sysroot list | awk -v n="$GM_SOURCE_NAME" '$1 == n { print $NF }')
	run_gm sysroot build "$GM_SOURCE_VERSION"
	assert_contains "$output" "up to date (cached"
	[ "$("$GM" sysroot list | awk -v n="$GM_SOURCE_NAME" '$1 == n { print $NF }')" = "$created" ]
	# Other configure arguments are other inputs: another name, not a hit.
	run_gm 2 sysroot build "$GM_SOURCE_VERSION" --name "$GM_SOURCE_NAME" --configure-arg --enable-foo
	assert_contains "$output" "built from other inputs"
}

# Waits until the build log of NAME shows the make phase.
wait_for_make() {
	local log=$GLIBC_MATRIX_STORE/build/$1/build.log
	for _ in $(seq 1 240); do
		grep -q '^== make' "$log" 2>/dev/null && return 0
		sleep 0.5
	done
	return 1
}

@test "an interrupted build (SIGINT) stops, cleans up and exits 130" {
	"$GM" sysroot build "$GM_SOURCE_VERSION" --name "$GM_TEST_INT_NAME" 3>&- &
	pid=$!
	wait_for_make "$GM_TEST_INT_NAME"
	sleep 2
	kill -INT "$pid"
	# Not `run wait`: run's subshell cannot wait for this shell's child.
	rc=0
	wait "$pid" || rc=$?
	echo "exit status $rc"
	[ "$rc" -eq 130 ]
	run "$GM" sysroot list
	assert_not_contains "$output" "$GM_TEST_INT_NAME"
	[ ! -e "$GLIBC_MATRIX_STORE/sysroots/$GM_TEST_INT_NAME" ]
	[ ! -e "$GLIBC_MATRIX_STORE/build/$GM_TEST_INT_NAME/obj" ]
	[ -s "$GLIBC_MATRIX_STORE/build/$GM_TEST_INT_NAME/build.log" ]
	# No compiler of that build is left running.
	sleep 1
	[ -z "$(pgrep -f "build/$GM_TEST_INT_NAME/")" ]
}

# Waits until the build log of NAME shows a make phase started after the
# log's last "building glibc" line: the run that wrote that line got there.
wait_for_rerun_make() {
	local log=$GLIBC_MATRIX_STORE/build/$1/build.log
	for _ in $(seq 1 480); do
		awk '/^glibc-matrix: building glibc/ { b = NR } /^== make/ { m = NR } END { exit !(b && m > b) }' \
			"$log" 2>/dev/null && return 0
		sleep 0.5
	done
	return 1
}

# The rerun is followed to its make phase, past all the killed run left
# (its lock, src/, obj/), then interrupted: a whole second build of the
# same glibc costs 13 minutes here, and tests/full/105-killed-build.bats
# (make check-full) runs it to the end.
@test "a build killed with -9 leaves nothing listed, and a rerun gets past what it left" {
	"$GM" sysroot build "$GM_SOURCE_VERSION" --name "$GM_TEST_KILL_NAME" 3>&- &
	pid=$!
	wait_for_make "$GM_TEST_KILL_NAME"
	sleep 5
	kill -KILL "$pid"
	wait "$pid" || true
	run "$GM" sysroot list
	assert_not_contains "$output" "$GM_TEST_KILL_NAME"
	run_gm 2 sysroot show "$GM_TEST_KILL_NAME"
	# SIGKILL leaves the killed run's compilers running on (nothing can
	# stop them from inside); they would write into the rerun's tree.
	# The name is this test's own, so these are its processes.
	local i
	for i in $(seq 600); do
		[ -z "$(pgrep -f "build/$GM_TEST_KILL_NAME/")" ] && break
		sleep 0.5
	done
	[ -z "$(pgrep -f "build/$GM_TEST_KILL_NAME/")" ]

	# Appended to the killed run's log or a new one: either way a second
	# "building glibc" line, then its own make phase.
	"$GM" sysroot build "$GM_SOURCE_VERSION" --name "$GM_TEST_KILL_NAME" 3>&- &
	pid=$!
	wait_for_rerun_make "$GM_TEST_KILL_NAME"
	# Interrupted while its make runs, as the SIGINT test above.
	for i in $(seq 600); do
		[ -n "$(pgrep -f "build/$GM_TEST_KILL_NAME/")" ] && break
		sleep 0.1
	done
	kill -INT "$pid"
	rc=0
	wait "$pid" || rc=$?
	[ "$rc" -eq 130 ]
	run "$GM" sysroot list
	assert_not_contains "$output" "$GM_TEST_KILL_NAME"
	[ ! -e "$GLIBC_MATRIX_STORE/build/$GM_TEST_KILL_NAME/obj" ]
}

@test "a full disk fails the build clearly and leaves no sysroot (exit 3)" {
	[ "$(id -u)" -eq 0 ] || skip_fact not-root "to mount a small tmpfs"
	unshare -m true 2>/dev/null || skip_fact no-mount "unshare -m fails"
	tarball=$("$GM" --quiet sysroot build "$GM_SOURCE_VERSION" --download-only)
	# 64 MiB holds the tarball but not its unpacked tree.
	run unshare -m bash -c '
		store=$1; gm=$2; tarball=$3
		mkdir -p "$store" && mount -t tmpfs -o size=64m tmpfs "$store" || exit 99
		cp "$tarball" "$store/glibc-'"$GM_SOURCE_VERSION"'.tar.xz"
		GLIBC_MATRIX_STORE=$store "$gm" sysroot build "$store/glibc-'"$GM_SOURCE_VERSION"'.tar.xz" --name full
		echo "status=$?"
		GLIBC_MATRIX_STORE=$store "$gm" sysroot list --json
		ls "$store/build/full"
	' _ "$BATS_TEST_TMPDIR/small" "$GM" "$tarball"
	echo "$output"
	assert_contains "$output" "No space left on device"
	assert_contains "$output" "status=3"
	assert_contains "$output" "[]"
	assert_not_contains "$output" "src"
}

@test "2.28 is known from the local glibc source directory, its tarball checked before use (exit 3)" {
	use_scratch_store
	run_gm 2 sysroot build 9.99
	assert_contains "$output" "2.28"
	# A corrupted copy of the pinned tarball is refused, named, and nothing is built.
	export GLIBC_MATRIX_GLIBC_SRC=$BATS_TEST_TMPDIR/glibc-src
	mkdir "$GLIBC_MATRIX_GLIBC_SRC"
	head -c 4096 /dev/urandom > "$GLIBC_MATRIX_GLIBC_SRC/glibc-2.28.tar.xz"
	run_gm 3 sysroot build 2.28
	assert_contains "$output" "sha256 mismatch for '$GLIBC_MATRIX_GLIBC_SRC/glibc-2.28.tar.xz'"
	assert_contains "$output" "expected 0041b1fb5d6de9d0"
	[ ! -e "$GLIBC_MATRIX_STORE/sysroots/glibc-2.28" ]
	[ ! -e "$GLIBC_MATRIX_STORE/build/glibc-2.28" ]
	# No tarball there: the error names the path it looked for.
	rm "$GLIBC_MATRIX_GLIBC_SRC/glibc-2.28.tar.xz"
	run_gm 3 sysroot build 2.28
	assert_contains "$output" "no '$GLIBC_MATRIX_GLIBC_SRC/glibc-2.28.tar.xz'"
}

@test "a replace quirk rewrites the private copy (mode kept), and one whose text is missing fails, naming both (exit 3)" {
	use_scratch_store
	tree=$BATS_TEST_TMPDIR/glibc-2.17
	mkdir "$tree"
	echo '#define VERSION "2.17"' > "$tree/version.h"
	# A configure that shows what it was given and stops the build there.
	printf '#!/bin/sh\necho "make pattern: 3.79* | 3.[89]*)"\nexit 1\n' > "$tree/configure"
	chmod 755 "$tree/configure"
	export GLIBC_MATRIX_RECIPES=$BATS_TEST_TMPDIR/recipes
	mkdir "$GLIBC_MATRIX_RECIPES"
	cp "$TOP/sysroots/versions.tsv" "$GLIBC_MATRIX_RECIPES/"
	printf '<2.18\treplace\tconfigure\t3.79* | 3.[89]*)\t3.79* | 3.[89]* | [4-9].*)\n' \
		> "$GLIBC_MATRIX_RECIPES/quirks.tsv"
	run_gm 3 sysroot build "$tree"
	assert_contains "$output" "failed in 'configure'"
	assert_contains "$output" "make pattern: 3.79* | 3.[89]* | [4-9].*)"
	# The user's tree is never modified.
	grep -qF 'make pattern: 3.79* | 3.[89]*)"' "$tree/configure"
	printf '<2.18\treplace\tconfigure\tno such text anywhere\tx\n' > "$GLIBC_MATRIX_RECIPES/quirks.tsv"
	run_gm 3 sysroot build "$tree"
	assert_contains "$output" "quirk replace: 'configure' does not contain 'no such text anywhere'"
	assert_not_contains "$output" "make pattern"
	# A path out of the tree is refused when the file is read, naming its line.
	printf '*\treplace\t../../etc/passwd\troot\tx\n' > "$GLIBC_MATRIX_RECIPES/quirks.tsv"
	run_gm 3 sysroot build "$tree"
	assert_contains "$output" "quirks.tsv:1: replace: '../../etc/passwd' is not a relative path inside the source tree"
	[ -z "$(ls "$GLIBC_MATRIX_STORE/sysroots" 2>/dev/null)" ]
}
