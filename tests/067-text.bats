#!/usr/bin/env bats
# The grids as people read them.  The terminal grid (report/render-text.c):
# a long path keeps its file name (its directories cut from the left, marked
# "..."), a square of one cell is its class alone, and a symbol-version
# square names the newest version missing ("sv2.34", not "1sv").  The HTML
# page's legend and README describe a square's colour in the same words.

load helpers

setup_file() {
	ensure_sysroot debian-bullseye-amd64 import bullseye
	ensure_sysroot debian-bookworm-amd64 import bookworm
}

@test "text grid: long paths keep the file name, columns stay aligned; squares say sv2.34 and ok" {
	local d=$BATS_TEST_TMPDIR/node_modules/@esbuild/linux-x64/bin long
	mkdir -p "$d"
	# The host's true: GLIBC_2.34 (__libc_start_main), which bullseye's 2.31 lacks.
	cp /usr/bin/true "$d/esbuild"
	long=$BATS_TEST_TMPDIR/node_modules/a-program-whose-file-name-is-long
	cp /usr/bin/true "$long"
	run_gm 1 check "$d/esbuild" "$long" --against bullseye --against bookworm -m loader \
		--out "$BATS_TEST_TMPDIR/out"
	local grid
	grid=$(sed -n '/^method loader/,/^$/p' <<<"$output")
	echo "$grid"
	# A file name longer than 24 columns widens the column to hold it whole
	# after ".../"; the other path fills that width with the end of its
	# directories after "...".
	grep -q '^  \.\.\./a-program-whose-file-name-is-long sv2\.34  *ok *$' <<<"$grid"
	grep -q '^  \.\.\.[^ ]*/linux-x64/bin/esbuild sv2\.34  *ok *$' <<<"$grid"
	# Alone, the esbuild path takes the 24 columns: "..." and its last 21.
	run_gm 1 check "$d/esbuild" --against bullseye --against bookworm -m loader \
		--out "$BATS_TEST_TMPDIR/out1"
	grep -q '^  \.\.\.linux-x64/bin/esbuild sv2\.34  *ok *$' <<<"$output"
	# Every square starts in the same column, the header's too.
	[ "$(awk 'NR > 1 { print index($0, " debian-") + index($0, " sv2.34") }' <<<"$grid" | sort -u | wc -l)" -eq 1 ]
	[ -z "$(grep '1sv\|1ok' <<<"$grid")" ]
	assert_contains "$output" "sv2.34: GLIBC_2.34 the newest version missing"
}

@test "text grid: a square of several cells counts each class, the symbol-version count with its newest missing version" {
	# Built on bookworm (2.36), run on bullseye (2.31): hello needs
	# GLIBC_2.34 (__libc_start_main), close-range 2.34, arc4random 2.36.
	run_gm 0 run --build debian-bookworm-amd64 --build debian-bullseye-amd64 \
		--run debian-bullseye-amd64 -m loader --case hello --case close-range --case arc4random \
		--out "$BATS_TEST_TMPDIR/r"
	grep -q '^  debian-bookworm-amd64  *3sv2\.36  *$' <<<"$output"
	# Built on bullseye: hello runs; close-range and arc4random cannot be
	# built there (skipped).
	grep -q '^  debian-bullseye-amd64  *1ok 2sk  *$' <<<"$output"
}

@test "the HTML legend and README say the same of a square's colour" {
	local phrase="the colour of the class most of its cells that ran have (a tie goes to the failure; skipped when none ran)"
	run_gm 0 report "$TOP/tests/fixtures/report/results.json" --format html
	assert_contains "$(tr -s ' \n' ' ' <<<"$output")" "$phrase"
	assert_contains "$(tr -s ' \n' ' ' <"$TOP/README.md")" "$phrase"
}
