#!/usr/bin/env bash
# Runs the C unit tests and the bats suites, all in TAP, and ends with one
# line: "N passed, N failed, N skipped".
#   tests/run.sh [UNIT-BINARY...] -- [SUITE.bats...]
# A producer passes only when its stream holds exactly one plan ("1..N")
# that matches the test points it printed and it exits 0: a unit test that
# returns early, or a suite that dies half-way, prints no "not ok" line and
# would otherwise pass with fewer tests.
set -uo pipefail

units=()
while [ $# -gt 0 ] && [ "$1" != "--" ]; do units+=("$1"); shift; done
[ "${1:-}" = "--" ] && shift
suites=("$@")

passed=0 failed=0 skipped=0
failures=()

# fail WHAT: one failure that no "not ok" line of the producer reported.
fail() {
	echo "not ok - $1"
	failed=$((failed + 1))
	failures+=("$1")
}

# Reads TAP on stdin, echoes it, and counts.  Sets points, notok (failing
# points), plans (the number of plan lines), plan (the last N) and status
# (the producer's exit status, from the "# run.sh-status N" line appended
# after it).
count() {
	local what=$1 line
	points=0 notok=0 plans=0 plan='' status=''
	while IFS= read -r line; do
		case "$line" in
		"# run.sh-status "*) status=${line#\# run.sh-status }; continue ;;
		esac
		printf '%s\n' "$line"
		case "$line" in
		"not ok "*"# skip"* | "not ok "*"# SKIP"*) skipped=$((skipped + 1)) ;;
		"ok "*"# skip"* | "ok "*"# SKIP"*) skipped=$((skipped + 1)) ;;
		"ok "*) passed=$((passed + 1)) ;;
		"not ok "*)
			failed=$((failed + 1)) notok=$((notok + 1))
			failures+=("$what: ${line#not ok }")
			;;
		1..[0-9]*) plans=$((plans + 1)); plan=${line#1..}; plan=${plan%%[!0-9]*} ;;
		esac
		case "$line" in "ok "* | "not ok "*) points=$((points + 1)) ;; esac
	done
}

# verdict WHAT: the failures the stream of WHAT did not show.
verdict() {
	local what=$1
	if [ "$plans" -ne 1 ]; then
		fail "$what: $plans TAP plans (1..N), not one; $points test points"
	elif [ "$plan" -ne "$points" ]; then
		fail "$what: plan 1..$plan but $points test points"
	fi
	# A nonzero exit fails the run even when every point passed; a status
	# above 1 (a crash, a sanitizer report) fails it even next to "not ok".
	if [ "$status" != 0 ] && { [ "$notok" -eq 0 ] || [ "$status" -gt 1 ]; }; then
		fail "$what: exited with status $status"
	fi
}

for u in "${units[@]}"; do
	echo "# unit: $u"
	count "$u" < <("$u" 2>&1; echo "# run.sh-status $?")
	verdict "$u"
done

if [ ${#suites[@]} -gt 0 ]; then
	command -v bats >/dev/null || fail "bats is not installed (make deps)"
	for s in "${suites[@]}"; do
		echo "# suite: $s"
		# Streamed as it runs; a suite that cannot run (missing file,
		# syntax error, failing setup_file) may print no "not ok" line.
		count "$s" < <(bats --tap "$s" 2>&1; echo "# run.sh-status $?")
		verdict "$s"
	done
fi

if [ ${#failures[@]} -gt 0 ]; then
	echo "# failures:"
	printf '#   %s\n' "${failures[@]}"
fi
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
