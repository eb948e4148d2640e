#!/usr/bin/env bats
# The manual pages (make man, ci/man.sh) are the programs' own --help texts:
# every command and subcommand is in glibc-matrix(1), each with its whole
# --help, and groff renders both pages without a warning.

load helpers

setup_file() {
	make -C "$TOP" --no-print-directory man >/dev/null 3>&- || return 1
}

# The rendered page as plain words (man's hyphenation and line breaks undone).
rendered() {
	MANWIDTH=200 man -l "$1" 2>/dev/null | sed 's/\x08.//g; s/‐//g' | tr -s ' \n' ' '
}

@test "glibc-matrix(1) holds every command's and subcommand's --help, whole; groff has no warning" {
	require_tool groff groff-base
	local page=$TOP/build/man/glibc-matrix.1 text help c s
	run groff -ww -z -man "$page"
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	text=$(rendered "$page")
	for c in $("$GM" --help | awk '/^Commands:/ { on = 1; next } on && /^  [a-z]/ { print $1 } on && /^$/ { on = 0 }'); do
		grep -q "^\.SS $c\$" "$page"
		help=$("$GM" "$c" --help 3>&- | tr -s ' \n' ' ')
		[[ $text == *"$help"* ]] || { echo "the page lacks '$c --help'"; return 1; }
	done
	for s in "sysroot build" "sysroot import" "sysroot list" "sysroot show" "sysroot remove" \
		"rootfs build" "rootfs import" "rootfs exec" "probes list" "report merge"; do
		grep -q "^\.SS \"$s\"\$" "$page"
	done
	# The overview's environment and exit codes are in it too.
	assert_contains "$text" "GLIBC_MATRIX_STORE"
	assert_contains "$text" "130 interrupted"
}

@test "glibc-inject(1) is the hook's --help; a --help that changes changes the page" {
	require_tool groff groff-base
	run groff -ww -z -man "$TOP/build/man/glibc-inject.1"
	[ -z "$output" ]
	text=$(rendered "$TOP/build/man/glibc-inject.1")
	help=$("$TOP/build/glibc-inject" --help 3>&- | tr -s ' \n' ' ')
	[[ $text == *"$help"* ]]
	# Made from whatever --help says: a stand-in program's text is the page.
	printf '#!/bin/sh\nprintf "usage: x\\n\\n.starts with a dot and a back\\\\\\\\slash\\n"\n' \
		>"$BATS_TEST_TMPDIR/fake"
	chmod +x "$BATS_TEST_TMPDIR/fake"
	bash "$TOP/ci/man.sh" "$GM" "$BATS_TEST_TMPDIR/fake" "$BATS_TEST_TMPDIR/man" 9.9 3>&-
	run groff -ww -z -man "$BATS_TEST_TMPDIR/man/glibc-inject.1"
	[ -z "$output" ]
	text=$(rendered "$BATS_TEST_TMPDIR/man/glibc-inject.1")
	assert_contains "$text" '.starts with a dot and a back\slash'
}
