#!/usr/bin/env bats
# The sanitized build (make SANITIZE=1: AddressSanitizer, UndefinedBehavior-
# Sanitizer with every report fatal, LeakSanitizer) on every unit test, a
# matrix subset through the spawner, patcher, predictor, classifier and
# report, and the commands that parse user files.  Last in `make check`, so
# the sysroots it uses exist.  A sanitizer report exits 99 (Makefile
# SAN_ENV), a status no command here is expected to return.

load helpers

ASAN=$TOP/glibc-matrix-asan
export ASAN_OPTIONS=exitcode=99:detect_leaks=1:abort_on_error=0
export UBSAN_OPTIONS=exitcode=99:print_stacktrace=1
export LSAN_OPTIONS=exitcode=99

setup_file() {
	make -C "$TOP" --no-print-directory -j2 SANITIZE=1 glibc-matrix units >&2
}

# no_report: the output of the last `run` holds no sanitizer report.
no_report() {
	assert_not_contains "$output" "ERROR: AddressSanitizer"
	assert_not_contains "$output" "ERROR: LeakSanitizer"
	assert_not_contains "$output" "runtime error:"
}

@test "sanitized: every unit test passes under ASan, UBSan and LSan" {
	local t n=0 failed=()
	cd "$TOP"
	for t in build-asan/tests/test-*; do
		n=$((n + 1))
		run "$t"
		if [ "$status" -ne 0 ] || ! no_report; then
			echo "$output" | tail -n 30
			failed+=("${t##*/}: exit $status")
		fi
	done
	echo "$n unit test programs"
	[ "$n" -ge 15 ]
	[ "${#failed[@]}" -eq 0 ] || { printf '# %s\n' "${failed[@]}"; false; }
}

@test "sanitized: 7 cases x 4 sysroots x 5 methods (126 cells), no report, no mismatch" {
	ensure_sysroot "$GM_SOURCE_NAME" build "$GM_SOURCE_VERSION"
	ensure_sysroot debian-bullseye-amd64 import bullseye
	ensure_sysroot debian-bookworm-amd64 import bookworm
	ensure_sysroot debian-trixie-amd64 import trixie
	# plain, static, dlopen, C++ exceptions, NSS, a new symbol; hang: the
	# timeout path kills a group under ASan too.
	GM=$ASAN run_gm '?' --quiet run --build "$GM_SOURCE_NAME" --build debian-bullseye-amd64 \
		--run debian-trixie-amd64 --run debian-bookworm-amd64 --case hello --case static \
		--case dlopen --case cxx-exception --case nss-getpwnam --case gettid --case hang \
		--test-cases --timeout 5 -j 2 --out "$BATS_TEST_TMPDIR/run"
	no_report
	[ "$status" -eq 0 ]
	python3 - "$BATS_TEST_TMPDIR/run/results.json" <<-'PY'
	import json, sys
	d = json.load(open(sys.argv[1]))
	assert d["complete"] is True
	print(len(d["cells"]), "cells")
	assert len(d["cells"]) >= 120, len(d["cells"])
	PY
}

@test "sanitized: inspect, explain, check, patch, flags and sysroot list/show on real files" {
	local fix=$TOP/tests/fixtures/elf
	GM=$ASAN run_gm inspect --json "$fix/hello-pie" "$fix/libfix.so" /usr/bin/ls
	no_report
	GM=$ASAN run_gm inspect -r "$TOP/tests/fixtures"
	no_report
	python3 "$fix/make-corrupt.py" "$BATS_TEST_TMPDIR/corrupt" >/dev/null
	GM=$ASAN run_gm '?' inspect -r "$BATS_TEST_TMPDIR/corrupt"
	no_report
	[ "$status" -eq 2 ]
	GM=$ASAN run_gm 1 explain /usr/bin/ls --against debian-bullseye-amd64
	no_report
	GM=$ASAN run_gm check /bin/true --against debian-bookworm-amd64 --out "$BATS_TEST_TMPDIR/check"
	no_report
	GM=$ASAN run_gm patch /usr/bin/ls -o "$BATS_TEST_TMPDIR/ls" --interp /lib64/../lib64/ld-linux-x86-64.so.2 \
		--runpath /a/long/runpath/that/does/not/fit/in/place
	no_report
	"$BATS_TEST_TMPDIR/ls" / >/dev/null
	GM=$ASAN run_gm flags --sysroot debian-bookworm-amd64
	no_report
	GM=$ASAN run_gm sysroot list --json
	no_report
	GM=$ASAN run_gm sysroot show "$GM_SOURCE_NAME"
	no_report
}

@test "sanitized: ThreadSanitizer on the spawner and the job pool (make check-tsan)" {
	cd "$TOP"
	run make --no-print-directory -j2 check-tsan
	echo "$output" | tail -n 20
	[ "$status" -eq 0 ]
	assert_not_contains "$output" "WARNING: ThreadSanitizer"
	assert_contains "$output" " passed, 0 failed"
}
