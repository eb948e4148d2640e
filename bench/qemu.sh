#!/usr/bin/env bash
# Benchmark: foreign-architecture cells under qemu-user-static.
#  1. Overhead: `glibc-matrix run --method loader -j 1` over Debian's arm64
#     sysroots against the loop a user would otherwise script, in the same
#     run: `qemu-aarch64-static ld.so --inhibit-cache --library-path DIRS
#     probe` per cell (bench/loader-loop.py).  Goal: ratio <= 1.2.
#  2. Cost of emulation: seconds per emulated cell against seconds per
#     native cell (the same probes, the same suites, amd64), both run -j 1.
# The harness's cells also predict, classify and write results.json; the
# loop only execs.
#   bench/qemu.sh [SUITE...]   (default: bullseye bookworm trixie)
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
gm=$top/glibc-matrix
suites=("$@")
[ ${#suites[@]} -gt 0 ] || suites=(bullseye bookworm trixie)
qemu=$(command -v qemu-aarch64-static) || {
	echo "bench/qemu.sh: no qemu-aarch64-static (Debian package qemu-user-static)" >&2
	exit 77
}
native=$(dpkg --print-architecture)
work=$(mktemp -d /tmp/gm-bench-qemu.XXXXXX)
trap 'rm -rf "$work"' EXIT
foreign_args=() native_args=()
for s in "${suites[@]}"; do
	"$gm" --quiet sysroot import "$s" --arch arm64 >/dev/null
	"$gm" --quiet sysroot import "$s" >/dev/null
	foreign_args+=(--build "debian-$s-arm64" --run "debian-$s-arm64")
	native_args+=(--build "debian-$s-$native" --run "debian-$s-$native")
done

now() { date +%s.%N; }
# Seconds of one `run` (its exit status is the matrix's, not ours).
timed_run() {
	local out=$1; shift
	local start; start=$(now)
	"$gm" --quiet run "$@" --method loader -j 1 --out "$work/$out" >/dev/null || true
	echo "$(now) - $start" | bc
}
ran() { python3 -c 'import json,sys; print(sum(c["observed"]["outcome"] != "skipped" for c in json.load(open(sys.argv[1]))["cells"]))' "$1"; }

# Probes cross-built and built once (cached), and the list of cells.
"$gm" --quiet run "${foreign_args[@]}" --method loader -j 2 --out "$work/warm" >/dev/null || true
"$gm" --quiet run "${native_args[@]}" --method loader -j 2 --out "$work/warm-native" >/dev/null || true
python3 "$top/bench/loader-loop.py" "$work/warm/results.json" "$gm" "$qemu" > "$work/loop.sh"
cells=$(wc -l < "$work/loop.sh")

start=$(now); bash "$work/loop.sh"; loop=$(echo "$(now) - $start" | bc)
emulated=$(timed_run j1 "${foreign_args[@]}")
natived=$(timed_run native "${native_args[@]}")
ncells=$(ran "$work/native/results.json")
mism=$(python3 -c 'import json,sys; print(sum(bool(c["mismatch"]) for c in json.load(open(sys.argv[1]))["cells"]))' "$work/j1/results.json")

per() { echo "$1 / $2 * 1000" | bc -l; }
printf 'emulated cells (loader method, arm64, %d suites): %d (%d mismatches)\n' "${#suites[@]}" "$cells" "$mism"
printf 'loop of %s ld.so execs: %7.2f s  %6.1f ms/cell\n' "$(basename "$qemu")" "$loop" "$(per "$loop" "$cells")"
printf 'glibc-matrix run -j 1 (arm64):       %7.2f s  %6.1f ms/cell\n' "$emulated" "$(per "$emulated" "$cells")"
printf 'glibc-matrix run -j 1 (%s, %d cells): %7.2f s  %6.1f ms/cell\n' "$native" "$ncells" "$natived" "$(per "$natived" "$ncells")"
ratio=$(echo "$emulated / $loop" | bc -l)
printf 'ratio run / loop under qemu (goal <= 1.2): %.2f: %s\n' "$ratio" \
	"$([ "$(echo "$ratio <= 1.2" | bc -l)" = 1 ] && echo met || echo 'NOT met')"
printf 'emulated / native cost per cell:           %.1f\n' \
	"$(echo "($emulated / $cells) / ($natived / $ncells)" | bc -l)"
