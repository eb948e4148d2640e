#!/usr/bin/env bash
# Benchmark: `glibc-matrix check PKG.deb` versus what a user does without
# it: unpack the package by hand (dpkg-deb -x), find its ELF files (find +
# file), then `check` them, in one command with every file, and in a loop
# of one `check` per file.  The package is coreutils' .deb of the suite apt
# is configured with, fetched now (apt-get download); every ELF program is
# run with --version against bullseye and bookworm by the loader method.
# Both sides must give the same class for every cell.  Prints the times and
# the ratios (goal: check PKG at most 1.1 times the hand-made one command,
# which does less: no floor file, no Depends, no library directories).
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
gm=$top/glibc-matrix
work=$(mktemp -d /tmp/gm-bench-package.XXXXXX)
trap 'rm -rf "$work"' EXIT
against=(--against bullseye --against bookworm)

now() { date +%s.%N; }

for s in bullseye bookworm; do "$gm" -q sysroot import "$s" >/dev/null; done
(cd "$work" && apt-get download coreutils >/dev/null 2>&1) || {
	echo "bench/package.sh: apt-get download coreutils failed (no archive reachable)" >&2
	exit 77
}
deb=$(ls "$work"/coreutils_*.deb)
echo "package: ${deb##*/} ($(du -k "$deb" | cut -f1) KiB)"
# Warm: page cache, load-object built against both sysroots (in the store).
"$gm" -q check "$deb" --args --version "${against[@]}" -m loader --out "$work/warm" \
	>/dev/null 2>&1 || true
rm -rf "$work/warm"

# 1. check PKG.
start=$(now)
"$gm" -q check "$deb" --args --version "${against[@]}" -m loader --out "$work/pkg" \
	>/dev/null 2>&1 || true
ours=$(echo "$(now) - $start" | bc)

# 2. By hand: unpack, find the ELF files, one check of them all.
start=$(now)
mkdir "$work/x"
dpkg-deb -x "$deb" "$work/x"
mapfile -t files < <(find "$work/x" -type f -exec file {} + | grep ': *ELF' | cut -d: -f1 | sort)
"$gm" -q check "${files[@]}" --args --version "${against[@]}" -m loader --out "$work/hand" \
	>/dev/null 2>&1 || true
hand=$(echo "$(now) - $start" | bc)

# 3. By hand, one check per file (the unpacked tree of 2).
start=$(now)
for f in "${files[@]}"; do
	"$gm" -q check "$f" --args --version "${against[@]}" -m loader --out "$work/one/${f##*/}" \
		>/dev/null 2>&1 || true
done
loop=$(echo "$(now) - $start" | bc)

python3 - "$work" "${#files[@]}" <<'PY'
import glob, json, sys
work, n = sys.argv[1], int(sys.argv[2])
def classes(paths, strip):
    out = {}
    for p in paths:
        for c in json.load(open(p))["cells"]:
            out[(strip(c["subject"]), c["run"])] = c["observed"]["outcome"]
    return out
pkg = classes([work + "/pkg/results.json"], lambda s: s.split(":", 1)[1])
hand = classes([work + "/hand/results.json"], lambda s: s.split("/x/", 1)[1])
one = classes(glob.glob(work + "/one/*/results.json"), lambda s: s.split("/x/", 1)[1])
doc = json.load(open(work + "/pkg/results.json"))
f = doc["packages"][0]["glibc_floor"]
print(f"ELF files: check PKG {len(doc['packages'][0]['files'])} (+{len(doc['packages'][0]['passed_over'])} passed over), find+file {n}")
print(f"cells: check PKG {len(pkg)}, by hand {len(hand)}, one per file {len(one)}; "
      f"same class: {sum(pkg.get(k) == v for k, v in hand.items())} of {len(hand)}, "
      f"{sum(pkg.get(k) == v for k, v in one.items())} of {len(one)}")
print(f"floor: GLIBC_{f['version']} set by {f['file']} ({f['symbol']})")
PY
printf 'check PKG:                          %7.2f s\n' "$ours"
printf 'dpkg-deb -x + find/file + 1 check:  %7.2f s\n' "$hand"
printf 'the same, one check per file:       %7.2f s\n' "$loop"
ratio=$(echo "$ours / $hand" | bc -l)
printf 'ratio check PKG / by hand (goal <= 1.1): %5.2f: %s\n' "$ratio" \
	"$([ "$(echo "$ratio <= 1.1" | bc -l)" = 1 ] && echo met || echo 'NOT met')"
printf 'ratio check PKG / one check per file:   %5.2f\n' "$(echo "$ours / $loop" | bc -l)"
