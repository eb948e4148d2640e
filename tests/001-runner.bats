#!/usr/bin/env bats
# tests/run.sh itself: a unit binary's exit status and its TAP plan count,
# so a test that stops before (or between) its points cannot pass.  The
# producers are small scripts in tests/fixtures/runner.

load helpers

F=$TOP/tests/fixtures/runner

# runner PRODUCER...: tests/run.sh on those unit "binaries", no suites.
runner() {
	run bash "$TOP/tests/run.sh" "${@/#/$F/}" --
	echo "$output"
}

@test "run.sh: a passing unit with its plan passes" {
	runner passing
	[ "$status" -eq 0 ]
	[ "${lines[-1]}" = "1 passed, 0 failed, 1 skipped" ]
}

@test "run.sh: a unit that exits 1 before its first point is a failure" {
	runner early-exit
	[ "$status" -eq 1 ]
	[ "${lines[-1]}" = "0 passed, 2 failed, 0 skipped" ]
	assert_contains "$output" "early-exit: 0 TAP plans (1..N), not one; 0 test points"
	assert_contains "$output" "early-exit: exited with status 1"
}

@test "run.sh: a plan that does not match the points is a failure" {
	runner plan-mismatch
	[ "$status" -eq 1 ]
	[ "${lines[-1]}" = "2 passed, 1 failed, 0 skipped" ]
	assert_contains "$output" "plan-mismatch: plan 1..3 but 2 test points"
}

@test "run.sh: points without a plan are a failure" {
	runner no-plan
	[ "$status" -eq 1 ]
	[ "${lines[-1]}" = "1 passed, 1 failed, 0 skipped" ]
	assert_contains "$output" "no-plan: 0 TAP plans (1..N), not one; 1 test points"
}

@test "run.sh: a nonzero exit fails even when every point passed" {
	runner status-only
	[ "$status" -eq 1 ]
	[ "${lines[-1]}" = "1 passed, 1 failed, 0 skipped" ]
	assert_contains "$output" "status-only: exited with status 1"
}

@test "run.sh: a failing point and its exit status 1 are one failure" {
	runner failing-point passing
	[ "$status" -eq 1 ]
	[ "${lines[-1]}" = "2 passed, 1 failed, 1 skipped" ]
	assert_not_contains "$output" "exited with status"
}

# skips [STRICT]: the TAP of tests/fixtures/runner/skips.bats, GM_STRICT=STRICT.
skips() {
	run env GM_STRICT="${1:-}" bats --tap "$F/skips.bats"
	echo "$output"
}

@test "helpers: without GM_STRICT a missing tool skips, a fact skips, an unknown fact fails" {
	skips
	[ "$status" -eq 1 ]
	assert_contains "$output" "ok 1 a missing program # skip gm-no-such-program is not installed (Debian package gm-no-such-package"
	assert_contains "$output" "ok 2 a missing python module # skip python3's gm_no_such_module is not installed"
	assert_contains "$output" "ok 3 a missing tool found otherwise # skip the thing is not built"
	assert_contains "$output" "ok 4 a fact of the machine # skip binfmt_misc has no qemu entries with the F flag (as root: ci/binfmt.sh): what the driver said"
	assert_contains "$output" "not ok 5 a fact not in the list"
	assert_contains "$output" "'gm-no-such-fact' is not a fact"
	assert_contains "$output" "ok 6 a program that is there"
	[ "$(grep -c '^not ok' <<<"$output")" -eq 1 ]
}

@test "helpers: GM_STRICT=1 turns a missing tool into a failure, not a fact" {
	skips 1
	[ "$status" -eq 1 ]
	assert_contains "$output" "not ok 1 a missing program"
	assert_contains "$output" "not ok 2 a missing python module"
	assert_contains "$output" "not ok 3 a missing tool found otherwise"
	assert_contains "$output" "# GM_STRICT=1: a missing tool fails: the thing is not built"
	assert_contains "$output" "ok 4 a fact of the machine # skip binfmt_misc"
	assert_contains "$output" "not ok 5 a fact not in the list"
	assert_contains "$output" "ok 6 a program that is there"
	[ "$(grep -c '^not ok' <<<"$output")" -eq 4 ]
}

# ci_run STATUS SUMMARY: .ci/run in a copy of its tree where make matrix
# exits STATUS after printing SUMMARY (tests/fixtures/runner/make).
ci_run() {
	local t=$BATS_TEST_TMPDIR/tree
	mkdir -p "$t/.ci" "$t/ci" "$t/bin"
	cp "$TOP/.ci/run" "$t/.ci/run"
	printf '#!/bin/sh\nexit 0\n' >"$t/ci/install-deps.sh"
	ln -sf "$F/make" "$t/bin/make"
	run env PATH="$t/bin:$PATH" FAKE_STATUS="$1" FAKE_SUMMARY="$2" bash "$t/.ci/run"
	echo "$output"
}

@test ".ci/run: a matrix with 0 mismatches and status 0 passes" {
	ci_run 0 "900 cells in 80.0 s: 800 ok, 100 skipped, 0 mismatches"
	[ "$status" -eq 0 ]
	assert_contains "$output" "ok - make matrix: 900 cells"
	# The last line is make check's count with the matrix as one more test.
	[ "${lines[-1]}" = "2 passed, 0 failed, 0 skipped" ]
}

@test ".ci/run: make matrix failing or with mismatches fails" {
	ci_run 1 "900 cells in 80.0 s: 790 ok, 100 skipped, 10 mismatches"
	[ "$status" -eq 1 ]
	assert_contains "$output" "not ok - make matrix exited with status 1: 900 cells"
	[ "${lines[-1]}" = "1 passed, 1 failed, 0 skipped" ]
	ci_run 3 ""
	[ "$status" -eq 1 ]
	assert_contains "$output" "make matrix exited with status 3"
	# A status of 0 does not hide a summary that says otherwise.
	ci_run 0 "900 cells in 80.0 s: 790 ok, 100 skipped, 10 mismatches"
	[ "$status" -eq 1 ]
	ci_run 0 "3 cells in 1.0 s: 3 ok, 0 mismatches (INCOMPLETE: interrupted)"
	[ "$status" -eq 1 ]
	ci_run 0 ""
	[ "$status" -eq 1 ]
	assert_contains "$output" "no summary line"
}

@test "helpers: marked_procs sees this test's marked processes only, and wait_until fails when its process ends" {
	env GM_TEST_MARK="$BATS_TEST_TMPDIR" sleep 300 3>&- &
	local mine=$!
	env GM_TEST_MARK="$BATS_TEST_TMPDIR-other" sleep 300 3>&- &
	local other=$!
	wait_until "$mine" "the marked sleep runs" marked_running "sleep 300"
	local seen
	seen=$(marked_procs "sleep 300")
	kill "$mine" "$other"
	[ "$seen" = "$mine" ]
	wait "$mine" "$other" || [ $? -eq 143 ]
	[ -z "$(marked_procs)" ]
	# The process it watches has ended: the wait fails, at once.
	run wait_until "$mine" "never" false
	[ "$status" -eq 1 ]
	assert_contains "$output" "never happened while $mine ran: never"
}

@test "helpers: sigint_caught tells a process that handles SIGINT from one that does not" {
	# Python sets its handler even where the shell left SIGINT ignored (a
	# background job of a non-interactive shell), as the driver does.
	python3 -c 'import signal, sys, time
signal.signal(signal.SIGINT, lambda *a: sys.exit(0))
open(sys.argv[1], "w").close()
time.sleep(300)' "$BATS_TEST_TMPDIR/in" 3>&- &
	local handles=$!
	sleep 300 3>&- &
	local ignores=$!
	wait_until "$handles" "the trap is set" test -e "$BATS_TEST_TMPDIR/in"
	sigint_caught "$handles"
	run sigint_caught "$ignores"
	[ "$status" -ne 0 ]
	kill "$handles" "$ignores"
}
