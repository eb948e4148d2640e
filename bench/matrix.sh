#!/usr/bin/env bash
# Benchmark: per-cell cost of `glibc-matrix run --method loader` against two
# loops over the same cells, in one run:
#  - the loop a user would script: a shell line per cell that execs
#    `ld.so --inhibit-cache --library-path DIRS probe` (bench/loader-loop.py);
#  - the floor: bench/spawn-loop.c, a C loop that posix_spawns the same
#    commands one at a time with stdout and stderr to pipes it drains, what
#    the harness must do at minimum for a cell.
# Prints each side's seconds (the median of BENCH_REPEAT rounds, default 3,
# each round running all four in turn), the ratio of `run -j 1` to the floor
# (goal <= 1.3) and the speed-up of -j 2 over -j 1 (goal >= 1.8 on two or
# more cores), each goal "met" or "NOT met".  The harness's cells also
# predict, classify and write results.json and its reports; the loops only
# exec.
#   bench/matrix.sh [SYSROOT...]   (default: glibc-2.31 and three Debian suites)
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
gm=$top/glibc-matrix
sysroots=("$@")
[ ${#sysroots[@]} -gt 0 ] || sysroots=(glibc-2.31 debian-bullseye-amd64 debian-bookworm-amd64 debian-trixie-amd64)
reps=${BENCH_REPEAT:-3}
work=$(mktemp -d /tmp/gm-bench-matrix.XXXXXX)
trap 'rm -rf "$work"' EXIT
args=()
for s in "${sysroots[@]}"; do args+=(--build "$s" --run "$s"); done

now() { date +%s.%N; }
median() { printf '%s\n' "$@" | sort -g | awk '{v[NR] = $1} END {print v[int((NR + 1) / 2)]}'; }
goal() { # LABEL VALUE OP LIMIT
	local met; met=$(echo "$2 $3 $4" | bc -l)
	printf '%-40s %5.2f  goal %s %s: %s\n' "$1" "$2" "$3" "$4" "$([ "$met" = 1 ] && echo met || echo 'NOT met')"
}

# Probes built once (cached), and the list of cells.
"$gm" --quiet run "${args[@]}" --method loader -j 2 --out "$work/warm" >/dev/null || true
python3 "$top/bench/loader-loop.py" "$work/warm/results.json" "$gm" > "$work/loop.sh"
python3 "$top/bench/loader-loop.py" --nul "$work/warm/results.json" "$gm" > "$work/loop.nul"
cc -O2 -o "$work/spawn-loop" "$top/bench/spawn-loop.c"
cells=$(wc -l < "$work/loop.sh")

timed() { # OUT-VAR COMMAND...
	local start; start=$(now)
	"${@:2}" >/dev/null || true
	printf -v "$1" '%s' "$(echo "$(now) - $start" | bc)"
}
loops=() floors=() j1s=() j2s=()
for ((r = 0; r < reps; r++)); do
	timed t bash "$work/loop.sh"; loops+=("$t")
	timed t "$work/spawn-loop" "$work/loop.nul"; floors+=("$t")
	rm -rf "$work/j1" "$work/j2"
	timed t "$gm" --quiet run "${args[@]}" --method loader -j 1 --out "$work/j1"; j1s+=("$t")
	timed t "$gm" --quiet run "${args[@]}" --method loader -j 2 --out "$work/j2"; j2s+=("$t")
done
loop=$(median "${loops[@]}") floor=$(median "${floors[@]}")
j1=$(median "${j1s[@]}") j2=$(median "${j2s[@]}")

line() { printf '%-28s %7.2f s  %7.1f cells/s  %5.2f ms/cell\n' "$1" "$2" \
	"$(echo "$cells / $2" | bc -l)" "$(echo "$2 * 1000 / $cells" | bc -l)"; }
printf 'cells (loader method, %d sysroots): %d; medians of %d rounds, %d cores\n' \
	"${#sysroots[@]}" "$cells" "$reps" "$(nproc)"
line 'shell loop of ld.so execs:' "$loop"
line 'floor (C posix_spawn loop):' "$floor"
line 'glibc-matrix run -j 1:' "$j1"
line 'glibc-matrix run -j 2:' "$j2"
printf '%-40s %5.2f\n' 'ratio -j 1 / shell loop:' "$(echo "$j1 / $loop" | bc -l)"
goal 'ratio -j 1 / floor:' "$(echo "$j1 / $floor" | bc -l)" '<=' 1.3
goal 'speed-up -j 2 over -j 1:' "$(echo "$j1 / $j2" | bc -l)" '>=' 1.8
