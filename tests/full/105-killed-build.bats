#!/usr/bin/env bats
# A glibc build killed with SIGKILL, then built again to the end under the
# same name (make check-full: a second whole build of the suite's glibc;
# tests/020-build.bats follows the rerun to its make phase only).

load ../helpers

setup_file() {
	export GM_TEST_KILL_NAME=gm-test-killed-full-$$
}

teardown_file() {
	rm -rf "$GLIBC_MATRIX_STORE/build/$GM_TEST_KILL_NAME" "$GLIBC_MATRIX_STORE/locks/$GM_TEST_KILL_NAME.lock"
	"$GM" --quiet sysroot remove "$GM_TEST_KILL_NAME" 2>/dev/null || true
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

@test "a build killed with -9 leaves nothing listed, and a rerun builds it whole" {
	"$GM" sysroot build "$GM_SOURCE_VERSION" --name "$GM_TEST_KILL_NAME" 3>&- &
	pid=$!
	wait_for_make "$GM_TEST_KILL_NAME"
	sleep 5
	kill -KILL "$pid"
	wait "$pid" || true
	run "$GM" sysroot list
	assert_not_contains "$output" "$GM_TEST_KILL_NAME"
	run_gm 2 sysroot show "$GM_TEST_KILL_NAME"

	run_gm sysroot build "$GM_SOURCE_VERSION" --name "$GM_TEST_KILL_NAME"
	assert_contains "$output" "$GM_TEST_KILL_NAME: glibc $GM_SOURCE_VERSION built in"
	run_gm sysroot show "$GM_TEST_KILL_NAME"
	loader=$(sed -n 's/^loader: *//p' <<<"$output")
	run libc_banner "$loader"
	assert_contains "$output" "release version $GM_SOURCE_VERSION."
	[ ! -e "$GLIBC_MATRIX_STORE/build/$GM_TEST_KILL_NAME/obj" ]

	run_gm sysroot remove "$GM_TEST_KILL_NAME"
	run "$GM" sysroot list
	assert_not_contains "$output" "$GM_TEST_KILL_NAME"
	[ ! -e "$GLIBC_MATRIX_STORE/sysroots/$GM_TEST_KILL_NAME" ]
}
