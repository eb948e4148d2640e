#!/usr/bin/env bash
# Benchmark: per-cell cost of `glibc-matrix run --method loader` against the
# floor a user would otherwise script: a shell loop that execs
# `ld.so --inhibit-cache --library-path DIRS probe` for the same cells, in one
# run.  Prints cells per second, the single-job ratio to the loop (goal
# <= 1.5) and the speed-up of -j 2 over -j 1.  The harness's cells also
# predict, classify and write results.json; the loop only execs.
#   bench/matrix.sh [SYSROOT...]   (default: glibc-2.31 and three Debian suites)
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
gm=$top/glibc-matrix
sysroots=("$@")
[ ${#sysroots[@]} -gt 0 ] || sysroots=(glibc-2.31 debian-bullseye-amd64 debian-bookworm-amd64 debian-trixie-amd64)
work=$(mktemp -d /tmp/gm-bench-matrix.XXXXXX)
trap 'rm -rf "$work"' EXIT
args=()
for s in "${sysroots[@]}"; do args+=(--build "$s" --run "$s"); done

now() { date +%s.%N; }

# Probes built once (cached), and the list of cells.
"$gm" --quiet run "${args[@]}" --method loader -j 2 --out "$work/warm" >/dev/null || true
python3 "$top/bench/loader-loop.py" "$work/warm/results.json" "$gm" > "$work/loop.sh"
cells=$(wc -l < "$work/loop.sh")

start=$(now); bash "$work/loop.sh"; loop=$(echo "$(now) - $start" | bc)
start=$(now); "$gm" --quiet run "${args[@]}" --method loader -j 1 --out "$work/j1" >/dev/null || true
j1=$(echo "$(now) - $start" | bc)
start=$(now); "$gm" --quiet run "${args[@]}" --method loader -j 2 --out "$work/j2" >/dev/null || true
j2=$(echo "$(now) - $start" | bc)

printf 'cells (loader method, %d sysroots): %d\n' "${#sysroots[@]}" "$cells"
printf 'shell loop of ld.so execs:   %7.2f s  %7.1f cells/s\n' "$loop" "$(echo "$cells / $loop" | bc -l)"
printf 'glibc-matrix run -j 1:       %7.2f s  %7.1f cells/s\n' "$j1" "$(echo "$cells / $j1" | bc -l)"
printf 'glibc-matrix run -j 2:       %7.2f s  %7.1f cells/s\n' "$j2" "$(echo "$cells / $j2" | bc -l)"
printf 'ratio -j 1 / loop (goal <= 1.5): %.2f\n' "$(echo "$j1 / $loop" | bc -l)"
printf 'speed-up -j 2 over -j 1:         %.2f\n' "$(echo "$j1 / $j2" | bc -l)"
