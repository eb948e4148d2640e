#!/usr/bin/env bash
# Benchmark: the ELF-only gate `glibc-matrix inspect --max-glibc 2.28 -r` over
# /usr/bin and /usr/lib/<multiarch> versus what a user scripts for the same
# question, an auditwheel-style symbol scan: `readelf -V` on every file, its
# version-needs section read by awk, each GLIBC_ node over the limit (a newer
# GLIBC_x.y, GLIBC_PRIVATE, GLIBC_ABI_DT_RELR of 2.36) flagged.  auditwheel
# itself reads the same section (pyelftools' GNUVerNeedSection), but it is
# not installed here and there is no PyPI access, so the script stands in for
# it; unlike auditwheel, both sides count ld.so's nodes too (the loader
# refuses them like libc's); a second loop, `objdump -T` per file, names the
# undefined symbols of each newer GLIBC_x.y.  Checks that the scripts and the
# gate flag the same files, (file, node) pairs and (file, node, symbol)
# triples, prints the counts, the times and the ratios.
# Usage: bench/gate.sh [LIMIT]  (default 2.28)
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
gm=$top/glibc-matrix
limit=${1:-2.28}
multiarch=$(gcc -print-multiarch 2>/dev/null || echo x86_64-linux-gnu)
dirs=(/usr/bin "/usr/lib/$multiarch")
work=$(mktemp -d /tmp/gm-bench-gate.XXXXXX)
trap 'rm -rf "$work"' EXIT

now() { date +%s.%N; }

# Warm the page cache so both sides read from memory.
find "${dirs[@]}" -type f -print0 | xargs -0 cat >/dev/null 2>&1 || true

# 1. The script: one readelf -V per regular file (symlinks not followed,
#    as inspect -r), every GLIBC_ node it needs judged against the limit.
start=$(now)
find "${dirs[@]}" -type f | sort | while IFS= read -r f; do
	readelf -V "$f" 2>/dev/null | awk -v f="$f" -v limit="$limit" '
		function newer(v, l,   a, b, n, m, i) {
			n = split(v, a, "."); m = split(l, b, ".")
			for (i = 1; i <= (n > m ? n : m); i++) {
				if ((a[i] + 0) != (b[i] + 0)) return (a[i] + 0) > (b[i] + 0)
			}
			return 0
		}
		/Version needs section/ { inneed = 1; next }
		/Version (definition|symbols) section/ { inneed = 0 }
		inneed && /Name: GLIBC_/ {
			node = $0; sub(/.*Name: /, "", node); sub(/ .*/, "", node)
			v = node; sub(/^GLIBC_/, "", v)
			if (v ~ /^[0-9.]+$/) { if (newer(v, limit)) print f, node }
			else if (node == "GLIBC_ABI_DT_RELR") { if (newer("2.36", limit)) print f, node }
			else if (node == "GLIBC_ABI_GNU2_TLS") { if (newer("2.43", limit)) print f, node }
			else print f, node
		}' || true
done | sort -u > "$work/script.txt"
script=$(echo "$(now) - $start" | bc)

# 1b. The symbol scan: objdump -T per file, each undefined symbol whose
#     GLIBC_x.y version is over the limit (what names the symbols to fix;
#     nodes without symbols, GLIBC_ABI_DT_RELR, are only in readelf -V).
start=$(now)
find "${dirs[@]}" -type f | sort | while IFS= read -r f; do
	objdump -T "$f" 2>/dev/null | awk -v f="$f" -v limit="$limit" '
		function newer(v, l,   a, b, n, m, i) {
			n = split(v, a, "."); m = split(l, b, ".")
			for (i = 1; i <= (n > m ? n : m); i++) {
				if ((a[i] + 0) != (b[i] + 0)) return (a[i] + 0) > (b[i] + 0)
			}
			return 0
		}
		/\*UND\*/ && /\(GLIBC_[0-9.]+\)/ {
			node = $0; sub(/.*\(/, "", node); sub(/\).*/, "", node)
			v = node; sub(/^GLIBC_/, "", v)
			if (newer(v, limit)) print f, node, $NF
		}' || true
done | sort -u > "$work/symbols.txt"
symscan=$(echo "$(now) - $start" | bc)

# 2. glibc-matrix: exit 1 when a file is over, 2 when one is malformed
#    (reported on stderr; the others are still judged).
start=$(now)
rc=0
"$gm" inspect --max-glibc "$limit" -r --json "${dirs[@]}" > "$work/gm.json" 2>"$work/gm.err" || rc=$?
ours=$(echo "$(now) - $start" | bc)
[ "$rc" -le 2 ] || { cat "$work/gm.err"; exit "$rc"; }

python3 - "$work/gm.json" "$work/gm-symbols.txt" <<'PY' | sort -u > "$work/gm.txt"
import json, sys
with open(sys.argv[2], "w") as syms:
    for o in json.load(open(sys.argv[1])):
        for n in o["nodes"]:
            print(o["file"], n["node"])
            if n["reason"] == "newer":
                for s in n["symbols"]:
                    print(o["file"], n["node"], s, file=syms)
PY
sort -u -o "$work/gm-symbols.txt" "$work/gm-symbols.txt"
cut -d' ' -f1 "$work/script.txt" | sort -u > "$work/script-files.txt"
cut -d' ' -f1 "$work/gm.txt" | sort -u > "$work/gm-files.txt"
elf=$(python3 -c 'import json, sys; print(len(json.load(open(sys.argv[1]))))' "$work/gm.json")
flagged=$(wc -l < "$work/gm-files.txt")
status=0
if diff -q "$work/script-files.txt" "$work/gm-files.txt" >/dev/null &&
	diff -q "$work/script.txt" "$work/gm.txt" >/dev/null; then
	agree="yes: $flagged of $elf ELF files flagged, $(wc -l < "$work/gm.txt") (file, node) pairs"
else
	agree="NO: $(diff "$work/script.txt" "$work/gm.txt" | grep -c '^[<>]') (file, node) lines differ"
	diff "$work/script.txt" "$work/gm.txt" | head -n 10
	status=1
fi
if diff -q "$work/symbols.txt" "$work/gm-symbols.txt" >/dev/null; then
	symagree="yes: $(wc -l < "$work/gm-symbols.txt") (file, node, symbol) triples"
else
	symagree="NO: $(diff "$work/symbols.txt" "$work/gm-symbols.txt" | grep -c '^[<>]') triples differ"
	diff "$work/symbols.txt" "$work/gm-symbols.txt" | head -n 10
	status=1
fi

printf 'limit: glibc %s; malformed files: %s\n' "$limit" "$(grep -c . "$work/gm.err" || true)"
printf 'readelf -V + awk per file:        %8.2f s\n' "$script"
printf 'objdump -T + awk per file:        %8.2f s\n' "$symscan"
printf 'glibc-matrix inspect --max-glibc: %8.2f s\n' "$ours"
printf 'speed-up over readelf, objdump:   %8.1f %8.1f\n' "$(echo "$script / $ours" | bc -l)" \
	"$(echo "$symscan / $ours" | bc -l)"
printf 'same files and nodes (readelf):   %s\n' "$agree"
printf 'same symbols (objdump):           %s\n' "$symagree"
exit "$status"
