#!/usr/bin/env bash
# Runs the C unit tests and the bats suites, all in TAP, and ends with one
# line: "N passed, N failed, N skipped".
#   tests/run.sh [UNIT-BINARY...] -- [SUITE.bats...]
set -uo pipefail

units=()
while [ $# -gt 0 ] && [ "$1" != "--" ]; do units+=("$1"); shift; done
[ "${1:-}" = "--" ] && shift
suites=("$@")

passed=0 failed=0 skipped=0
failures=()

# Reads TAP on stdin, echoes it, and counts.
count() {
	local what=$1 line
	while IFS= read -r line; do
		printf '%s\n' "$line"
		case "$line" in
		"not ok "*"# skip"* | "not ok "*"# SKIP"*) skipped=$((skipped + 1)) ;;
		"ok "*"# skip"* | "ok "*"# SKIP"*) skipped=$((skipped + 1)) ;;
		"ok "*) passed=$((passed + 1)) ;;
		"not ok "*) failed=$((failed + 1)); failures+=("$what: ${line#not ok }") ;;
		"# bats-status "*) bats_status=${line#\# bats-status } ;;
		esac
	done
}

for u in "${units[@]}"; do
	echo "# unit: $u"
	count "$u" < <("$u" 2>&1; rc=$?; [ $rc -gt 1 ] && echo "not ok - $u exited with $rc")
done

if [ ${#suites[@]} -gt 0 ]; then
	command -v bats >/dev/null || { echo "not ok - bats is not installed (make deps)"; failed=$((failed + 1)); }
	for s in "${suites[@]}"; do
		echo "# suite: $s"
		before=$failed
		bats_status=0
		# Streamed as it runs; the last line carries bats's own status.
		count "$s" < <(bats --tap "$s" 2>&1; echo "# bats-status $?")
		# A suite that cannot run (missing file, syntax error, failing
		# setup_file) reports no "not ok" line; its status still counts.
		if [ "$bats_status" -ne 0 ] && [ "$failed" -eq "$before" ]; then
			echo "not ok - $s: bats exited with status $bats_status"
			failed=$((failed + 1))
			failures+=("$s: bats exited with status $bats_status")
		fi
	done
fi

if [ ${#failures[@]} -gt 0 ]; then
	echo "# failures:"
	printf '#   %s\n' "${failures[@]}"
fi
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
