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
