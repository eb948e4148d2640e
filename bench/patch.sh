#!/usr/bin/env bash
# Benchmark: a new 200+ character PT_INTERP (so both tools must grow every
# file) for every dynamically linked ELF executable in /usr/bin, by
# `glibc-matrix patch --interp` versus the usual `cp IN OUT; patchelf
# --set-interpreter X OUT`, in one run: once with one process per file for
# both tools, once with one process for all files for both.
# Prints both totals, the ratio (goal: faster than patchelf) and a
# corruption check of every output of ours (readelf -l -d without warnings,
# the interpreter reads back); patchelf's outputs get the same check, for
# information.  Exit 1 if any output of ours is corrupt.
#   bench/patch.sh [DIR]   (default /usr/bin)
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
gm=$top/glibc-matrix
dir=${1:-/usr/bin}
work=$(mktemp -d /tmp/gm-bench-patch.XXXXXX)
trap 'rm -rf "$work"' EXIT
command -v patchelf >/dev/null || { echo "patchelf is not installed" >&2; exit 77; }

now() { date +%s.%N; }

interp=/opt/glibc-matrix-bench/$(printf 'x%.0s' {1..100})/$(printf 'y%.0s' {1..100})/ld.so

# The inputs: regular ELF files with a PT_INTERP (static ones have nothing
# to patch), each read once here so both tools find them in the page cache.
mapfile -t files < <(find "$dir" -maxdepth 1 -type f | sort | while IFS= read -r f; do
	[ "$(head -c 4 "$f" 2>/dev/null)" = $'\x7fELF' ] || continue
	readelf -lW "$f" 2>/dev/null | grep -q 'Requesting program interpreter' && echo "$f"
done)
[ "${#files[@]}" -gt 0 ] || { echo "no dynamically linked ELF executables in $dir" >&2; exit 77; }
cat "${files[@]}" >/dev/null
# Per file: one process per input for both tools (how scripts call them).
mkdir "$work/ours" "$work/patchelf" "$work/ours-batch" "$work/patchelf-batch"
# 1. patchelf, the way its users call it: it edits in place, so copy first.
start=$(now)
for i in "${!files[@]}"; do
	cp "${files[$i]}" "$work/patchelf/$i"
	patchelf --set-interpreter "$interp" "$work/patchelf/$i"
done
pe=$(echo "$(now) - $start" | bc)

# 2. glibc-matrix: writes, re-reads, verifies, fsyncs and renames each output.
start=$(now)
for i in "${!files[@]}"; do
	"$gm" --quiet patch "${files[$i]}" -o "$work/ours/$i" --interp "$interp"
done
ours=$(echo "$(now) - $start" | bc)

# Batch: one process for all inputs, for both tools (process start-up,
# 45 shared libraries for glibc-matrix, no longer counts).
start=$(now)
cp -t "$work/patchelf-batch" "${files[@]}"
patchelf --set-interpreter "$interp" "$work/patchelf-batch"/*
pe_batch=$(echo "$(now) - $start" | bc)
start=$(now)
"$gm" --quiet patch "${files[@]}" -o "$work/ours-batch" --interp "$interp"
ours_batch=$(echo "$(now) - $start" | bc)

# 3. Corruption check, outside the timings.
corrupt() {
	local f=$1 err got
	err=$(readelf -lW -dW "$f" 2>&1 >/dev/null) || return 0
	[ -z "$err" ] || return 0
	got=$(readelf -lW "$f" | sed -n 's/.*\[Requesting program interpreter: \(.*\)\]$/\1/p')
	[ "$got" = "$interp" ] || return 0
	return 1
}
bad_ours=0 bad_pe=0
for f in "$work"/ours/* "$work"/ours-batch/*; do
	if corrupt "$f"; then
		bad_ours=$((bad_ours + 1))
		echo "corrupt (ours): $f"
	fi
done
for f in "$work"/patchelf/* "$work"/patchelf-batch/*; do
	corrupt "$f" && bad_pe=$((bad_pe + 1))
done

n=${#files[@]}
ms() { echo "$1 * 1000 / $n" | bc -l; }
printf 'files (ELF executables with PT_INTERP in %s): %d\n' "$dir" "$n"
echo "one process per file:"
printf '  cp + patchelf --set-interpreter:  %8.3f s  (%.2f ms/file)\n' "$pe" "$(ms "$pe")"
printf '  glibc-matrix patch --interp:      %8.3f s  (%.2f ms/file)\n' "$ours" "$(ms "$ours")"
printf '  ratio ours/patchelf (goal < 1):   %8.3f\n' "$(echo "$ours / $pe" | bc -l)"
echo "one process for all files:"
printf '  cp -t + patchelf --set-interpreter: %8.3f s  (%.2f ms/file)\n' "$pe_batch" "$(ms "$pe_batch")"
printf '  glibc-matrix patch FILE... -o DIR:  %8.3f s  (%.2f ms/file)\n' "$ours_batch" "$(ms "$ours_batch")"
printf '  ratio ours/patchelf (goal < 1):     %8.3f\n' "$(echo "$ours_batch / $pe_batch" | bc -l)"
printf 'corrupt outputs (of %d each): ours %d (goal 0), patchelf %d\n' "$((2 * n))" "$bad_ours" "$bad_pe"
[ "$bad_ours" -eq 0 ]
