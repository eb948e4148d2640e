#!/usr/bin/env bash
# Benchmark: the container part of the default matrix (the container,
# inject, inject-libc-only and toolbox methods over every tree of the
# store) against what a batched plan cannot avoid, measured in the same run:
#   floor = starts x (one bare `runc run` of /bin/true on the busybox tree)
#         + hook starts x the hook's own run (glibc-inject, measured as a
#           one-case plan of the inject methods with it and with /bin/true
#           as the hook, per start)
#         + the same programs exec'd on the host by a shell loop (their own
#           run time, which no container plan removes)
# and against the naive plan a user would script: one `runc run` per cell
# (cells x bare start + the same programs).  The loop and the -j 1 run are
# measured in turn BENCH_REPEAT times (default 3), each pair giving a ratio;
# the median is the verdict.  Prints cells per second, the ratio to the floor
# (goal <= 1.3: met or NOT met), where the time goes (in the containers,
# from the cells' own durations, against the floor; outside them: planning,
# prediction, staging, results) and the speed-up over the naive plan.
#   bench/container.sh [SYSROOT...]   (default: glibc-2.31 and three Debian suites)
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
gm=$top/glibc-matrix
sysroots=("$@")
[ ${#sysroots[@]} -gt 0 ] || sysroots=(glibc-2.31 debian-bullseye-amd64 debian-bookworm-amd64 debian-trixie-amd64)
work=$(mktemp -d /tmp/gm-bench-container.XXXXXX)
trap 'rm -rf "$work"' EXIT
args=()
for s in "${sysroots[@]}"; do args+=(--build "$s" --run "$s"); done
methods=(--method container --method inject --method inject-libc-only --method toolbox)
runtime=$(command -v runc || command -v crun)
store=${GLIBC_MATRIX_STORE:-${XDG_CACHE_HOME:-$HOME/.cache}/glibc-matrix}

now() { date +%s.%N; }
median() { sort -n | awk '{v[NR] = $1} END {print v[int((NR + 1) / 2)]}'; }
repeat=${BENCH_REPEAT:-3}

"$gm" --quiet rootfs build --all >/dev/null
# Probes built once (cached), the cells and the starts of the plan.
"$gm" --quiet run "${args[@]}" "${methods[@]}" --rootfs all -j 1 --out "$work/warm" >/dev/null || true
read -r cells starts hook_starts < <(python3 - "$work/warm/results.json" <<'PY'
import json, sys
cells = [c for c in json.load(open(sys.argv[1]))["cells"] if c["observed"]["outcome"] != "skipped"]
starts = {(c["method"], c["run"], c["rootfs"]) if c["method"] != "container" else ("c", c["rootfs"])
          for c in cells}
# The methods whose starts run a hook (glibc-inject).
hooked = [s for s in starts if s[0] in ("inject", "inject-libc-only", "ldcache")]
print(len(cells), len(starts), len(hooked))
PY
)
# The same programs on the host (the loader method's shell loop of bench/matrix.sh).
python3 - "$work/warm/results.json" "$gm" > "$work/loop.sh" <<'PY'
import json, shlex, subprocess, sys
res, gm = sys.argv[1:3]
info = {}
for c in json.load(open(res))["cells"]:
    if c["observed"]["outcome"] == "skipped":
        continue
    # The container method's run is the tree: any Debian loader stands in.
    run = "debian-trixie-amd64" if c["run"].startswith("rootfs-") else c["run"]
    if run not in info:
        out = subprocess.run([gm, "sysroot", "show", run], capture_output=True, text=True).stdout
        loader = [l.split(None, 1)[1] for l in out.splitlines() if l.startswith("loader:")][0]
        dirs = ":".join(l.split(None, 1)[1] for l in out.splitlines() if l.startswith("libdir:"))
        info[run] = (loader, dirs)
    loader, dirs = info[run]
    print("%s --inhibit-cache --library-path %s %s >/dev/null 2>&1 || true" %
          (shlex.quote(loader), shlex.quote(dirs), shlex.quote(c["binary"])))
PY

# One bare start: runc's own default spec, the busybox tree, /bin/true.
mkdir -p "$work/bundle"
(cd "$work/bundle" && "$runtime" spec)
python3 - "$work/bundle/config.json" "$store/rootfs/busybox/root" <<'PY'
import json, sys
p, root = sys.argv[1:3]
c = json.load(open(p))
c["root"] = {"path": root, "readonly": True}
c["process"]["args"] = ["/bin/true"]
c["process"]["terminal"] = False
json.dump(c, open(p, "w"))
PY
bare=()
for i in 1 2 3 4 5 6 7; do
	start=$(now)
	"$runtime" run --bundle "$work/bundle" "gm-bench-$$-$i" >/dev/null 2>&1 || true
	bare+=("$(echo "$(now) - $start" | bc)")
done
start_s=$(printf '%s\n' "${bare[@]}" | sort -n | sed -n 4p)

# The hook's own run per start: a one-case plan of the inject methods with
# glibc-inject, then with /bin/true as the hook (same starts, same cells).
hook_args=()
for s in "${sysroots[@]}"; do hook_args+=(--run "$s"); done
hook_plan=(--build "${sysroots[0]}" "${hook_args[@]}" --method inject --method inject-libc-only
	   --case hello --rootfs all -j 1)
hook_d=()
for i in $(seq 1 "$repeat"); do
	start=$(now); "$gm" --quiet run "${hook_plan[@]}" --out "$work/hook" >/dev/null || true
	with=$(echo "$(now) - $start" | bc)
	start=$(now); "$gm" --quiet run "${hook_plan[@]}" --hook /bin/true --out "$work/nohook" >/dev/null || true
	without=$(echo "$(now) - $start" | bc)
	hook_d+=("$(echo "$with - $without" | bc -l)")
done
# One cell per start in that plan; a skipped cell started nothing.
hook_cells=$(python3 -c 'import json,sys; print(max(1, sum(c["observed"]["outcome"] != "skipped" for c in json.load(open(sys.argv[1]))["cells"])))' "$work/hook/results.json")
hook_s=$(printf '%s\n' "${hook_d[@]}" | median)
hook_s=$(echo "h = $hook_s / $hook_cells; if (h < 0) h = 0; h" | bc -l)

# The loop and the -j 1 run in turn, so that both see the same machine.
ratios=() progs_v=() j1_v=() inside_v=()
for i in $(seq 1 "$repeat"); do
	start=$(now); bash "$work/loop.sh"; progs=$(echo "$(now) - $start" | bc)
	start=$(now); "$gm" --quiet run "${args[@]}" "${methods[@]}" --rootfs all -j 1 --out "$work/j1" >/dev/null || true
	j1=$(echo "$(now) - $start" | bc)
	# A container cell's duration is its share of its start's run.
	inside=$(python3 -c 'import json,sys; print(sum(c["observed"].get("duration_s") or 0 for c in json.load(open(sys.argv[1]))["cells"]))' "$work/j1/results.json")
	floor=$(echo "$starts * $start_s + $hook_starts * $hook_s + $progs" | bc -l)
	ratios+=("$(echo "$j1 / $floor" | bc -l)")
	progs_v+=("$progs") j1_v+=("$j1") inside_v+=("$inside")
done
ratio=$(printf '%s\n' "${ratios[@]}" | median)
progs=$(printf '%s\n' "${progs_v[@]}" | median)
j1=$(printf '%s\n' "${j1_v[@]}" | median)
inside=$(printf '%s\n' "${inside_v[@]}" | median)
start=$(now); "$gm" --quiet run "${args[@]}" "${methods[@]}" --rootfs all -j 2 --out "$work/j2" >/dev/null || true
j2=$(echo "$(now) - $start" | bc)

floor=$(echo "$starts * $start_s + $hook_starts * $hook_s + $progs" | bc -l)
naive=$(echo "$cells * $start_s + $progs" | bc -l)
printf 'container cells (4 methods, %d sysroots, every tree): %d in %d container starts (%d with a hook)\n' \
	"${#sysroots[@]}" "$cells" "$starts" "$hook_starts"
printf 'bare %s run of /bin/true (median of 7): %.3f s\n' "$(basename "$runtime")" "$start_s"
printf 'the hook (glibc-inject) per start:      %.4f s (median of %d)\n' "$hook_s" "$repeat"
printf 'the same programs on the host (loop):   %7.2f s (median of %d)\n' "$progs" "$repeat"
printf 'floor: starts x bare + hooks + programs:%7.2f s\n' "$floor"
printf 'naive: one start per cell + programs:   %7.2f s\n' "$naive"
printf 'glibc-matrix run -j 1:                  %7.2f s  %7.1f cells/s (median of %d)\n' "$j1" "$(echo "$cells / $j1" | bc -l)" "$repeat"
printf 'glibc-matrix run -j 2:                  %7.2f s  %7.1f cells/s\n' "$j2" "$(echo "$cells / $j2" | bc -l)"
printf 'ratio -j 1 / floor (median of %d: %s): %.2f\n' "$repeat" \
	"$(printf '%.2f ' "${ratios[@]}" | sed 's/ $//')" "$ratio"
if [ "$(echo "$ratio <= 1.3" | bc -l)" = 1 ]; then
	echo "goal (ratio <= 1.3): met"
else
	echo "goal (ratio <= 1.3): NOT met"
fi
# Where the -j 1 time goes: in the containers (the cells' durations: each
# start's runtime, hook, helper and programs) against the floor, and
# outside them (start-up, planning, prediction, staging, classification,
# results.json).
printf 'where the -j 1 time goes: in the containers %.2f s (floor %.2f s: %+.2f s = %+.1f ms per start),\n' \
	"$inside" "$floor" "$(echo "$inside - $floor" | bc -l)" "$(echo "($inside - $floor) * 1000 / $starts" | bc -l)"
printf '  outside them %.2f s (%.3f ms per cell: start-up, planning, prediction, staging, results)\n' \
	"$(echo "$j1 - $inside" | bc -l)" "$(echo "($j1 - $inside) * 1000 / $cells" | bc -l)"
printf 'speed-up over the naive plan (-j 1): %.1f\n' "$(echo "$naive / $j1" | bc -l)"
