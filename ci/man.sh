#!/usr/bin/env bash
# The manual pages, made from the programs' own --help texts so that they
# cannot drift from them: glibc-matrix(1) (the overview, then every command
# and subcommand's --help in full) and glibc-inject(1).
#   ci/man.sh GLIBC-MATRIX GLIBC-INJECT OUTDIR VERSION
# tests/016-man.bats checks that every command is in the page and that groff
# renders it without a warning.
set -euo pipefail
gm=$1 hook=$2 out=$3 version=$4
mkdir -p "$out"

# roff-safe preformatted text: backslashes doubled, a leading . or ' escaped.
esc() { sed -e 's/\\/\\e/g' -e "s/^\\([.']\\)/\\\\\\&\\1/"; }
block() { printf '.nf\n'; esc; printf '.fi\n'; }

# The commands: the words under "Commands:" in the overview; those that
# have subcommands list them as "  word ..." lines of their own help.
commands() { "$gm" --help | awk '/^Commands:/ { on = 1; next } on && /^  [a-z]/ { print $1 } on && /^$/ { on = 0 }'; }
# A command's subcommands: "glibc-matrix C WORD" in its usage lines (probes
# list, report merge), or, for a dispatcher ("glibc-matrix C <command>"),
# the "  word ..." lines that list them.
subcommands() {
	"$gm" "$1" --help | awk -v top="$1" '
		NR == 1 && /<command>/ { dispatch = 1 }
		{ for (i = 1; i < NF; i++)
			if ($i == "glibc-matrix" && $(i + 1) == top && $(i + 2) ~ /^[a-z][a-z-]*$/)
				print $(i + 2) }
		dispatch && /^  [a-z][a-z-]* / { print $1 }' | sort -u
}

{
	printf '.TH GLIBC-MATRIX 1 "" "glibc-matrix %s" "User Commands"\n' "$version"
	printf '.SH NAME\nglibc-matrix \\- will a binary built against one glibc run against another, and by which method\n'
	printf '.SH SYNOPSIS\n'
	"$gm" --help | sed -n '1,/^$/p' | block
	printf '.SH DESCRIPTION\n'
	"$gm" --help | sed '1,/^$/d' | block
	printf '.SH COMMANDS\n'
	for c in $(commands); do
		printf '.SS %s\n' "$c"
		"$gm" "$c" --help | block
		for s in $(subcommands "$c"); do
			text=$("$gm" "$c" "$s" --help 2>/dev/null) || continue
			printf '.SS "%s %s"\n' "$c" "$s"
			printf '%s\n' "$text" | block
		done
	done
	printf '.SH SEE ALSO\nglibc-inject(1); the README of the source tree.\n'
} >"$out/glibc-matrix.1"

{
	printf '.TH GLIBC-INJECT 1 "" "glibc-matrix %s" "User Commands"\n' "$version"
	printf '.SH NAME\nglibc-inject \\- an OCI hook that injects a host glibc into a container\n'
	printf '.SH DESCRIPTION\n'
	"$hook" --help | block
	printf '.SH SEE ALSO\nglibc-matrix(1)\n'
} >"$out/glibc-inject.1"
