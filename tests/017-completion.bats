#!/usr/bin/env bats
# The bash completion (completion/glibc-matrix.bash), driven as bash drives
# it: COMP_WORDS and COMP_CWORD set, _glibc_matrix called, COMPREPLY read.
# Its commands and options come from the driver's own tables, its names from
# the store and the recipes the driver reads.

load helpers

setup_file() {
	ensure_sysroot debian-bookworm-amd64 import bookworm
}

setup() {
	# shellcheck source=../completion/glibc-matrix.bash
	source "$TOP/completion/glibc-matrix.bash"
}

# comp WORD...: the candidates for the last WORD (a line each), with the
# driver under test as the command word.
comp() {
	COMP_WORDS=("$GM" "$@")
	COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
	COMPREPLY=()
	_glibc_matrix 3>&-
	output=$(printf '%s\n' "${COMPREPLY[@]}")
}

# has WORD...: each WORD is a whole line of $output.
has() {
	local w
	for w; do
		grep -qxF -- "$w" <<<"$output" || { echo "# no '$w' in: $(tr '\n' ' ' <<<"$output")" >&2; return 1; }
	done
}

@test "commands, subcommands and help COMMAND: the driver's command tables" {
	local c
	comp ""
	has help
	# Every command of --help, and nothing else but help.
	for c in $("$GM" --help | awk '/^Commands:/ { on = 1; next } on && /^  [a-z]/ { print $1 } on && /^$/ { on = 0 }'); do
		has "$c"
	done
	[ "$(wc -l <<<"$output")" -eq $(($("$GM" --help | awk '/^Commands:/ { on = 1; next } on && /^  [a-z]/ { n++ } on && /^$/ { on = 0 } END { print n }') + 1)) ]
	comp ch
	[ "$output" = check ]
	comp -q sys
	[ "$output" = sysroot ]
	comp sysroot ""
	[ "$(tr '\n' ' ' <<<"$output")" = "build import list show remove " ]
	comp rootfs ""
	has build list exec remove
	comp probes ""
	has list build
	comp help ""
	has run check
	comp help run ""
	[ -z "$output" ]
	complete -p glibc-matrix | grep -q -- '-F _glibc_matrix'
}

@test "each command's options are its parser's: every option of each usage line, and none it rejects" {
	local p c u
	for p in "sysroot build" "sysroot import" "sysroot list" "sysroot show" "rootfs build" \
		"rootfs list" "rootfs exec" inspect explain "probes build" run check exec report patch flags \
		build; do
		read -ra c <<<"$p"
		comp "${c[@]}" --
		has --help
		# The usage lines: from "usage:" to the first blank line.
		u=$("$GM" "${c[@]}" --help | awk '/^usage:/ { on = 1 } on && /^$/ { exit } on' |
			grep -o -- '--[a-z][a-z0-9+-]*' | sort -u)
		for o in $u; do
			has "$o" || { echo "# '$p': usage names $o, completion lacks it"; return 1; }
		done
	done
	comp check --
	has --against --method --policy --baseline --rootfs --hook-env --allow-empty
	# remove takes no --json, and its parser says so: completion does not offer it.
	comp sysroot remove --
	run ! has --json
	comp sysroot show --
	has --json
	comp check -a bookworm ./a.out --m
	[ "$output" = --method ]
}

@test "asking a command for its words runs nothing: no cell, no results written; __complete names a bad kind" {
	local out=$BATS_TEST_TMPDIR/out
	run_gm 0 check /usr/bin/true --against bookworm --out "$out" --gm-complete-words
	assert_contains "$output" "--against= -a="
	assert_not_contains "$output" "cells"
	[ ! -e "$out" ]
	run_gm 0 run --case hello --out "$out" --gm-complete-words
	assert_contains "$output" "--build= -b="
	[ ! -e "$out" ]
	run_gm 0 sysroot remove debian-bookworm-amd64 --gm-complete-words
	"$GM" sysroot show debian-bookworm-amd64 >/dev/null
	run_gm 2 __complete colours
	assert_contains "$output" "__complete: unknown kind 'colours'"
}

@test "option values: targets from the store and profiles.tsv, methods from the method table, trees, cases" {
	comp check --against b
	has bookworm
	comp check --against deb
	has debian-bookworm-amd64 debian12
	# --against=VALUE as bash splits it at '='.
	comp check --against = ""
	has debian-bookworm-amd64 bookworm 2.36 rhel8 manylinux_2_28 host
	comp check --against = rh
	[ "$(tr '\n' ' ' <<<"$output")" = "rhel7 rhel8 rhel9 " ]
	comp explain -a ""
	has debian-bookworm-amd64
	run ! has host
	comp run --method ""
	has host loader interp rpath env container inject inject-libc-only toolbox ldcache
	[ "$(wc -l <<<"$output")" -eq "$("$GM" run --help | awk '/^Methods:/ { on = 1; next } on && /^  [a-z]/ { n++ } on && /^$/ { exit } END { print n }')" ]
	comp run --rootfs ""
	has bookworm busybox all
	comp probes build --case fortify
	has fortify2 fortify3 fortify-fdset
	comp inspect --profile many
	has manylinux2014 manylinux_2_28
	comp report --format ""
	has html md junit tap json text
	comp sysroot import --arch ""
	has amd64 arm64 riscv64
	comp build --for = deb
	has debian-bookworm-amd64 debian12
	comp flags --sysroot debian-bookworm
	has debian-bookworm-amd64
	! has bookworm
}

@test "positional names: sysroots to show, suites to import, trees; files elsewhere and after --" {
	comp sysroot show debian-book
	has debian-bookworm-amd64
	comp sysroot import ""
	has bullseye bookworm trixie sid
	comp rootfs build ""
	has bullseye bookworm busybox
	comp rootfs exec bookworm -- /usr/bin/tru
	has /usr/bin/true /usr/bin/truncate
	comp check "$TOP/tests/017-comp"
	[ "$output" = "$TOP/tests/017-completion.bats" ]
	comp check --out "$TOP/tes"
	[ "$output" = "$TOP/tests" ]
	comp report ""
	has merge
}

@test "names follow the data the driver reads: a tree of rootfs.tsv and a profile of profiles.tsv, and the store's sysroots" {
	local d=$BATS_TEST_TMPDIR
	mkdir -p "$d/containers" "$d/recipes"
	cp "$TOP/containers/rootfs.tsv" "$d/containers/"
	printf 'gm-test-tree\tbookworm\textract\tlibc6\t-\n' >>"$d/containers/rootfs.tsv"
	cp "$TOP"/sysroots/*.tsv "$d/recipes/"
	printf 'gm-test-os-1\t2.36\tbookworm\ta test name\n' >>"$d/recipes/profiles.tsv"
	export GLIBC_MATRIX_CONTAINERS=$d/containers GLIBC_MATRIX_RECIPES=$d/recipes
	comp rootfs build gm-
	[ "$output" = gm-test-tree ]
	comp check --against gm-
	[ "$output" = gm-test-os-1 ]
	# An empty store: no sysroot names, the profiles still.
	use_scratch_store
	comp sysroot show ""
	[ -z "$output" ]
	comp check --against = ""
	has gm-test-os-1 host
	! has debian-bookworm-amd64
}
