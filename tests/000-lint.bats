#!/usr/bin/env bats
# Source lint as a test: banned calls, comment style, no archive host names.

load helpers

@test "source lint is clean" {
	run bash "$TOP/tests/lint.sh"
	echo "$output"
	[ "$status" -eq 0 ]
}

@test "the driver builds without warnings under -Werror" {
	run make -C "$TOP" --no-print-directory glibc-matrix
	echo "$output"
	[ "$status" -eq 0 ]
}

@test "harness/ layers include downwards only" {
	run bash "$TOP/tests/layering.sh"
	echo "$output"
	[ "$status" -eq 0 ]
}

@test "the layering check catches an upward include and a file outside every layer" {
	copy=$BATS_TEST_TMPDIR/tree
	mkdir -p "$copy/tests"
	cp -r "$TOP/harness" "$TOP/Makefile" "$copy/"
	cp "$TOP/tests/layering.sh" "$copy/tests/"
	echo '#include "cli/cmd.h"' >>"$copy/harness/base/util.c"
	echo '#include "util.h"' >>"$copy/harness/elf/elfinfo.c"
	touch "$copy/harness/stray.c"
	run bash "$copy/tests/layering.sh"
	echo "$output"
	[ "$status" -eq 1 ]
	assert_contains "$output" "harness/base/util.c:"
	assert_contains "$output" "includes cli/cmd.h, a higher layer (cli)"
	assert_contains "$output" "names no layer"
	assert_contains "$output" "harness/stray.c lies outside every layer"
}
