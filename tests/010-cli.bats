#!/usr/bin/env bats
# The command line: help, usage errors and their exit codes.

load helpers

@test "glibc-matrix --help lists the commands and exit codes" {
	run_gm --help
	assert_contains "$output" "sysroot"
	assert_contains "$output" "Exit codes"
}

@test "every sysroot subcommand has --help" {
	for c in build import list show remove; do
		run_gm sysroot "$c" --help
		assert_contains "$output" "usage: glibc-matrix sysroot $c"
	done
}

@test "an unknown command is a usage error (exit 2)" {
	run_gm 2 frobnicate
	assert_contains "$output" "unknown command 'frobnicate'"
	run_gm 2 sysroot frobnicate
	run_gm 2
}

@test "a bad option is a usage error (exit 2)" {
	run_gm 2 sysroot build --jobs zero 2.42
	assert_contains "$output" "--jobs 'zero'"
	run_gm 2 sysroot list --bogus
}

@test "show of a missing sysroot names it (exit 2)" {
	use_scratch_store
	run_gm 2 sysroot show no-such-sysroot
	assert_contains "$output" "no sysroot named 'no-such-sysroot'"
	run_gm 2 sysroot show ../etc
	assert_contains "$output" "not a valid sysroot name"
}

@test "list of an empty store prints nothing and --json an empty array" {
	use_scratch_store
	run_gm sysroot list
	[ -z "$output" ]
	run "$GM" sysroot list --json
	[ "$output" = "[]" ]
}
