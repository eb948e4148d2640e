#!/usr/bin/env bash
# The one-way dependency rule of harness/ (harness/README): each folder is a
# layer, in the order of LAYERS in the Makefile, and a file may include
# headers of its own layer or lower ones only.  Prints every violation and
# exits 1 if there is any.
set -uo pipefail
cd "$(dirname "$0")/.."
read -r -a layers <<<"$(sed -n 's/^LAYERS := //p' Makefile)"
[ ${#layers[@]} -gt 0 ] || { echo "layering: no LAYERS line in the Makefile"; exit 1; }
declare -A rank
for i in "${!layers[@]}"; do rank[${layers[$i]}]=$i; done
found=0
for d in harness/*/; do
	d=${d#harness/}
	d=${d%/}
	[ -n "${rank[$d]:-}" ] || { echo "layering: harness/$d is not a layer in the Makefile's LAYERS"; found=1; }
done
for f in harness/*.[ch]; do
	[ -e "$f" ] && { echo "layering: $f lies outside every layer"; found=1; }
done
# check FILE LAYER-RANK ALLOWED-DESCRIPTION
check() {
	local f=$1 own=$2 n=0 line inc dir
	while IFS= read -r line; do
		n=$((n + 1))
		[[ "$line" =~ ^[[:space:]]*#[[:space:]]*include[[:space:]]+\"([^\"]+)\" ]] || continue
		inc=${BASH_REMATCH[1]}
		case "$inc" in
		*/*) ;;
		tap.h | probe.h | fuzz-*.h | ../*) continue ;;
		*) echo "layering: $f:$n: #include \"$inc\" names no layer (write \"<layer>/$inc\")"; found=1; continue ;;
		esac
		dir=${inc%%/*}
		if [ -z "${rank[$dir]:-}" ]; then
			[ -e "harness/$inc" ] || continue
			echo "layering: $f:$n: $inc is in no layer"; found=1
		elif [ "${rank[$dir]}" -gt "$own" ]; then
			echo "layering: $f:$n: includes $inc, a higher layer ($dir)"; found=1
		fi
	done <"$f"
}
for f in harness/*/*.[ch]; do
	d=${f#harness/}
	d=${d%%/*}
	[ -n "${rank[$d]:-}" ] && check "$f" "${rank[$d]}"
done
# The fuzz targets test parsers, which live in acquire/ and below; each links
# only the sources its FUZZ_SRCS_<target> line in the Makefile names (the
# linker refuses anything else), never methods, matrix, report or cli.
for f in tests/fuzz/*.c; do
	[ -e "$f" ] && check "$f" "${rank[acquire]}"
done
exit $found
