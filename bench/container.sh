#!/usr/bin/env bash
# Benchmark: the container part of the default matrix (the container,
# inject, inject-libc-only and toolbox methods over every tree of the
# store) against what a batched plan cannot avoid, measured in the same run:
#   floor = starts x (one bare `runc run` of /bin/true on the busybox tree)
#         + the same programs exec'd on the host by a shell loop (their own
#           run time, which no container plan removes)
# and against the naive plan a user would script: one `runc run` per cell
# (cells x bare start + the same programs).  Prints cells per second, the
# ratio to the floor (goal <= 1.3) and the speed-up over the naive plan.
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

"$gm" --quiet rootfs build --all >/dev/null
# Probes built once (cached), the cells and the starts of the plan.
"$gm" --quiet run "${args[@]}" "${methods[@]}" --rootfs all -j 1 --out "$work/warm" >/dev/null || true
read -r cells starts < <(python3 - "$work/warm/results.json" <<'PY'
import json, sys
cells = [c for c in json.load(open(sys.argv[1]))["cells"] if c["observed"]["outcome"] != "skipped"]
starts = {(c["method"], c["run"], c["rootfs"]) if c["method"] != "container" else ("c", c["rootfs"])
          for c in cells}
print(len(cells), len(starts))
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

start=$(now); bash "$work/loop.sh"; progs=$(echo "$(now) - $start" | bc)
start=$(now); "$gm" --quiet run "${args[@]}" "${methods[@]}" --rootfs all -j 1 --out "$work/j1" >/dev/null || true
j1=$(echo "$(now) - $start" | bc)
start=$(now); "$gm" --quiet run "${args[@]}" "${methods[@]}" --rootfs all -j 2 --out "$work/j2" >/dev/null || true
j2=$(echo "$(now) - $start" | bc)

floor=$(echo "$starts * $start_s + $progs" | bc -l)
naive=$(echo "$cells * $start_s + $progs" | bc -l)
printf 'container cells (4 methods, %d sysroots, every tree): %d in %d container starts\n' \
	"${#sysroots[@]}" "$cells" "$starts"
printf 'bare %s run of /bin/true (median of 7): %.3f s\n' "$(basename "$runtime")" "$start_s"
printf 'the same programs on the host (loop):   %7.2f s\n' "$progs"
printf 'floor: starts x bare + programs:        %7.2f s\n' "$floor"
printf 'naive: one start per cell + programs:   %7.2f s\n' "$naive"
printf 'glibc-matrix run -j 1:                  %7.2f s  %7.1f cells/s\n' "$j1" "$(echo "$cells / $j1" | bc -l)"
printf 'glibc-matrix run -j 2:                  %7.2f s  %7.1f cells/s\n' "$j2" "$(echo "$cells / $j2" | bc -l)"
printf 'ratio -j 1 / floor (goal <= 1.3): %.2f\n' "$(echo "$j1 / $floor" | bc -l)"
printf 'speed-up over the naive plan (-j 1): %.1f\n' "$(echo "$naive / $j1" | bc -l)"
