#!/usr/bin/env bash
# Benchmark: the glibc floor of every ELF file under /usr/bin, /usr/sbin and
# /usr/lib/<multiarch>, by `glibc-matrix inspect -r --json` versus the usual
# script (readelf -V per file, its version-needs section parsed by awk), in one
# run.  Checks that both give the same floor for every file, then prints the
# times and the ratio (goal: at least 20 times faster).
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
gm=$top/glibc-matrix
multiarch=$(gcc -print-multiarch 2>/dev/null || echo x86_64-linux-gnu)
dirs=(/usr/bin /usr/sbin "/usr/lib/$multiarch")
work=$(mktemp -d /tmp/gm-bench-inspect.XXXXXX)
trap 'rm -rf "$work"' EXIT

now() { date +%s.%N; }

# Warm the page cache so both sides read from memory.
find "${dirs[@]}" -type f -print0 | xargs -0 cat >/dev/null 2>&1 || true

# 1. The usual script: readelf -V on each file, highest GLIBC_x.y required
#    from glibc's own libraries.
start=$(now)
find "${dirs[@]}" -type f | sort | while IFS= read -r f; do
	floor=$(readelf -V "$f" 2>/dev/null | awk '
		/Version needs section/ { inneed = 1; next }
		/Version (definition|symbols) section/ { inneed = 0 }
		inneed && /File:/ { lib = $0; sub(/.*File: /, "", lib); sub(/ .*/, "", lib) }
		inneed && /Name: GLIBC_[0-9]/ {
			if (lib ~ /^(libc|libm|libpthread|libdl|librt|libutil|libanl|libresolv)\.so/ || lib ~ /^ld-linux/ || lib ~ /^ld64\.so/ || lib ~ /^ld\.so/) {
				v = $0; sub(/.*Name: GLIBC_/, "", v); sub(/ .*/, "", v); print v
			}
		}' | sort -V | tail -n 1) || true
	if [ -n "$floor" ]; then printf "%s %s\n" "$f" "$floor"; fi
done > "$work/script.txt"
script=$(echo "$(now) - $start" | bc)

# 2. glibc-matrix.
start=$(now)
"$gm" inspect -r --json "${dirs[@]}" > "$work/gm.json" 2>"$work/gm.err" || true
ours=$(echo "$(now) - $start" | bc)

python3 - "$work/gm.json" > "$work/gm.txt" <<'PY'
import json, sys
for o in json.load(open(sys.argv[1])):
    if o.get("glibc_floor"):
        print(o["path"], o["glibc_floor"])
PY
sort -o "$work/gm.txt" "$work/gm.txt"
sort -o "$work/script.txt" "$work/script.txt"
files=$(wc -l < "$work/gm.txt")
if diff -q "$work/script.txt" "$work/gm.txt" >/dev/null; then
	agree="yes ($files files with a glibc floor)"
else
	agree="NO: $(diff "$work/script.txt" "$work/gm.txt" | grep -c '^[<>]') lines differ"
	diff "$work/script.txt" "$work/gm.txt" | head -n 10
fi

printf 'readelf -V + awk per file:   %8.2f s\n' "$script"
printf 'glibc-matrix inspect -r:     %8.2f s\n' "$ours"
printf 'speed-up (goal >= 20):       %8.1f\n' "$(echo "$script / $ours" | bc -l)"
printf 'same floors:                 %s\n' "$agree"
