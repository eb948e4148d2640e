#!/usr/bin/env bats
# The libFuzzer targets, built by `make fuzz`: one per parser of input the
# harness does not control.  Each runs for GM_FUZZ_SECONDS (default 30) on its
# seed corpus, tests/fuzz/corpus/<target> (the ELF targets: the ELF fixtures
# and the malformed corpus), under an RSS limit; every past finding in
# tests/fuzz/regress/<target> is replayed.  Any crash, leak, timeout, out of
# memory or sanitizer report fails the test and leaves the input in
# $BATS_TEST_TMPDIR.  fuzz-package unpacks into /tmp/fuzz-package-*, removed after
# each input.

load helpers

FUZZ_SECONDS=${GM_FUZZ_SECONDS:-30}
# A parser needs a few MB; the limit catches blow-ups such as the 76 KB ELF
# file that once drove the reader to 282 MB.  ASan's quarantine of freed
# memory (256 MB by default) would grow to that by itself in a long run: at
# 16 MB, measured peaks are 74 MB (debindex) and 75 MB (elfinfo, 4 MiB
# inputs) over 40 s.  -malloc_limit_mb follows -rss_limit_mb.
FUZZ_RSS_MB=${GM_FUZZ_RSS_MB:-192}
export ASAN_OPTIONS=${ASAN_OPTIONS:-quarantine_size_mb=16}

setup_file() {
	make -C "$TOP" --no-print-directory fuzz >&2
}

run_fuzzer() {
	local name=$1 target=$TOP/build/fuzz/fuzz-$1 seeds=$BATS_TEST_TMPDIR/seeds max_len=65536
	[ -x "$target" ] || { echo "no $target (make fuzz failed?)"; return 1; }
	mkdir -p "$seeds"
	if [ -d "$TOP/tests/fuzz/corpus/$name" ]; then
		cp "$TOP/tests/fuzz/corpus/$name"/* "$seeds/"
	fi
	if [[ $name == elf* ]]; then
		# The reader maps whole files: a few MiB reaches real libraries' sizes.
		max_len=4194304
		cp "$TOP"/tests/fixtures/elf/hello-pie "$TOP"/tests/fixtures/elf/hello-nopie \
			"$TOP"/tests/fixtures/elf/libfix.so "$seeds/"
		python3 "$TOP/tests/fixtures/elf/make-corrupt.py" "$seeds" >/dev/null
	fi
	[ -n "$(ls -A "$seeds")" ] || { echo "no seeds for $name"; return 1; }
	cd "$BATS_TEST_TMPDIR"
	run timeout -k 10 $((FUZZ_SECONDS + 60)) "$target" \
		-max_total_time="$FUZZ_SECONDS" -max_len=$max_len -rss_limit_mb="$FUZZ_RSS_MB" \
		-timeout=10 -artifact_prefix="$BATS_TEST_TMPDIR/" "$seeds"
	echo "$output" | tail -n 5
	[ "$status" -eq 0 ]
	assert_contains "$output" "Done "
	no_findings
}

no_findings() {
	local findings
	findings=$(ls "$BATS_TEST_TMPDIR"/crash-* "$BATS_TEST_TMPDIR"/leak-* \
		"$BATS_TEST_TMPDIR"/timeout-* "$BATS_TEST_TMPDIR"/oom-* 2>/dev/null || true)
	[ -z "$findings" ] || { echo "# findings: $findings" >&2; return 1; }
}

@test "fuzz: every target has a test here" {
	local t
	for t in "$TOP"/tests/fuzz/fuzz-*.c; do
		t=${t##*/fuzz-}
		t=${t%.c}
		grep -q "^	run_fuzzer $t\$" "$BATS_TEST_FILENAME" || { echo "# no test runs fuzz-$t"; return 1; }
	done
}

@test "fuzz: every past finding stays fixed (tests/fuzz/regress)" {
	local d t files n=0
	for d in "$TOP"/tests/fuzz/regress/*/; do
		t=$(basename "$d")
		files=("$d"*)
		[ -e "${files[0]}" ] || continue
		cd "$BATS_TEST_TMPDIR"
		# Given files, libFuzzer runs each once; any finding exits non-zero.
		run timeout -k 10 300 "$TOP/build/fuzz/fuzz-$t" -rss_limit_mb="$FUZZ_RSS_MB" -timeout=10 \
			-artifact_prefix="$BATS_TEST_TMPDIR/" "${files[@]}"
		echo "$output" | tail -n 3
		[ "$status" -eq 0 ] || { echo "# fuzz-$t fails on a regression input"; return 1; }
		n=$((n + ${#files[@]}))
	done
	echo "# $n regression inputs replayed"
	[ "$n" -gt 0 ]
	no_findings
}

@test "fuzz: the ELF reader survives $FUZZ_SECONDS s of libFuzzer" {
	run_fuzzer elfinfo
}

@test "fuzz: the patcher survives $FUZZ_SECONDS s of libFuzzer" {
	run_fuzzer elfpatch
}

@test "fuzz: the Release and Packages parsers survive $FUZZ_SECONDS s of libFuzzer" {
	run_fuzzer debindex
}

@test "fuzz: Debian version comparison survives $FUZZ_SECONDS s of libFuzzer (and stays an order)" {
	run_fuzzer debversion
}

@test "fuzz: the apt sources parsers survive $FUZZ_SECONDS s of libFuzzer" {
	run_fuzzer mirror
}

@test "fuzz: the cases.ini parser survives $FUZZ_SECONDS s of libFuzzer" {
	run_fuzzer cases
}

@test "fuzz: the versions.tsv and quirks.tsv parsers survive $FUZZ_SECONDS s of libFuzzer" {
	run_fuzzer recipes
}

@test "fuzz: the container image JSON parsers survive $FUZZ_SECONDS s of libFuzzer" {
	run_fuzzer image
}

@test "fuzz: the sysroot manifest reader and validator survive $FUZZ_SECONDS s of libFuzzer" {
	run_fuzzer sysroot
}

@test "fuzz: unpacking a user's package (.deb, tarballs) survives $FUZZ_SECONDS s of libFuzzer, nothing escaping" {
	run_fuzzer package
}
