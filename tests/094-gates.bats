#!/usr/bin/env bats
# Release gates that must not pass by accident: a check or run in which no
# cell ran, results documents of the wrong shape, a policy naming what does
# not exist, a corrupt sysroot manifest; and the store's locks and work
# directories (no lock file left behind, a live run's work never swept).

load helpers

setup_file() {
	ensure_sysroot debian-bookworm-amd64 import bookworm
	ensure_sysroot debian-trixie-amd64 import trixie
	cc -static -o "$BATS_FILE_TMPDIR/static" "$TOP/tests/fixtures/version.c"
}

@test "check: a static executable whose every cell is skipped is exit 77 (nothing ran), 0 with --allow-empty" {
	local f=$BATS_FILE_TMPDIR/static
	run_gm 77 check "$f" --against bookworm --against trixie --out "$BATS_TEST_TMPDIR/a"
	assert_contains "$output" "no cell ran: all 4 were skipped (static executable: it carries its own libc"
	assert_contains "$output" "--allow-empty"
	# The document is still written: the skips are the record.
	[ -s "$BATS_TEST_TMPDIR/a/results.json" ]
	run_gm 0 check "$f" --against bookworm --against trixie --allow-empty --out "$BATS_TEST_TMPDIR/b"
	assert_contains "$output" "4 skipped"
	# One cell that runs (the host route runs it directly) is a gate again.
	run_gm 0 check "$f" --against bookworm --against trixie -m host -m loader --out "$BATS_TEST_TMPDIR/c"
}

@test "run: every cell skipped is exit 77, 0 with --allow-empty; --help says so within 80 columns" {
	run_gm 77 run --build debian-bookworm-amd64 --run debian-trixie-amd64 --case static \
		-m loader -m interp --out "$BATS_TEST_TMPDIR/a"
	assert_contains "$output" "no cell ran: all 2 were skipped (static executable"
	run_gm 0 run --build debian-bookworm-amd64 --run debian-trixie-amd64 --case static \
		-m loader -m interp --allow-empty --out "$BATS_TEST_TMPDIR/b"
	for c in run check; do
		run_gm 0 "$c" --help
		assert_contains "$output" "--allow-empty"
		assert_contains "$output" "77 no cell ran"
		run awk 'length > 80' <<<"$output"
		[ -z "$output" ]
	done
}
