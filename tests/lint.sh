#!/usr/bin/env bash
# Source lint (pax-utils style): banned calls, C++ comments, and no package
# archive host names in tracked files.  Prints findings; exit 1 if any.
set -uo pipefail
cd "$(dirname "$0")/.."
found=0
report() { echo "lint: $*"; found=1; }

c_files=$(git ls-files 'harness/*.c' 'harness/*.h' 'tests/unit/*.c' 'tests/unit/*.h' 2>/dev/null ||
	ls harness/*.[ch] tests/unit/*.[ch])
for f in $c_files; do
	grep -nE '\b(sprintf|vsprintf|strcpy|strcat|gets|system|popen)\s*\(' "$f" |
		grep -v 'snprintf\|vsnprintf' | while IFS= read -r l; do echo "lint: $f:$l: banned call"; done |
		grep . && found=1
	grep -nE '^\s*//|[;{}]\s*//' "$f" | while IFS= read -r l; do echo "lint: $f:$l: C++ comment"; done |
		grep . && found=1
	grep -nE '\b(if|while|for|switch)\(' "$f" | while IFS= read -r l; do echo "lint: $f:$l: keyword without space"; done |
		grep . && found=1
done

# The archive's address is read from apt's configuration at run time; no
# tracked file may name the host of any configured package archive.
hosts=$({ cat /etc/apt/sources.list 2>/dev/null; cat /etc/apt/sources.list.d/*.sources 2>/dev/null;
	cat /etc/apt/sources.list.d/*.list 2>/dev/null; } | grep -oE 'https?://[^/ ]+' |
	sed -E 's#https?://##' | sort -u)
for h in $hosts; do
	hits=$(git grep -lF "$h" 2>/dev/null | head -n 3)
	[ -z "$hits" ] || report "tracked files name the archive host $h: $hits"
done
exit $found
