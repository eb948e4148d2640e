#!/usr/bin/env bats
# The libFuzzer targets, built by `make fuzz`, each run for a bounded time on
# a seed corpus of the fixtures and the malformed corpus.  Any crash, leak or
# sanitizer report fails the test and leaves the input in $BATS_TEST_TMPDIR.

load helpers

setup_file() {
	make -C "$TOP" --no-print-directory fuzz >&2
}

run_fuzzer() {
	local target=$TOP/build/fuzz/$1 seeds=$BATS_TEST_TMPDIR/seeds
	[ -x "$target" ] || { echo "no $target (make fuzz failed?)"; return 1; }
	mkdir -p "$seeds"
	cp "$TOP"/tests/fixtures/elf/hello-pie "$TOP"/tests/fixtures/elf/hello-nopie \
		"$TOP"/tests/fixtures/elf/libfix.so "$seeds/"
	python3 "$TOP/tests/fixtures/elf/make-corrupt.py" "$seeds" >/dev/null
	cd "$BATS_TEST_TMPDIR"
	run timeout -k 10 $(( ${GM_FUZZ_SECONDS:-60} + 60 )) "$target" \
		-max_total_time="${GM_FUZZ_SECONDS:-60}" -max_len=65536 -timeout=10 \
		-artifact_prefix="$BATS_TEST_TMPDIR/" "$seeds"
	echo "$output" | tail -n 5
	[ "$status" -eq 0 ]
	assert_contains "$output" "Done "
	local findings
	findings=$(ls "$BATS_TEST_TMPDIR"/crash-* "$BATS_TEST_TMPDIR"/leak-* \
		"$BATS_TEST_TMPDIR"/timeout-* "$BATS_TEST_TMPDIR"/oom-* 2>/dev/null || true)
	[ -z "$findings" ] || { echo "# findings: $findings" >&2; return 1; }
}

@test "fuzz: the ELF reader survives ${GM_FUZZ_SECONDS:-60} s of libFuzzer" {
	run_fuzzer fuzz-elfinfo
}

@test "fuzz: the patcher survives ${GM_FUZZ_SECONDS:-60} s of libFuzzer" {
	run_fuzzer fuzz-elfpatch
}
