#!/usr/bin/env bash
# Benchmark: the same glibc tarball built by `glibc-matrix sysroot build` and
# by the plain recipe a user would otherwise type (tar x; configure; make -j;
# make install), in one run.  Prints both wall times, their ratio (goal
# <= 1.05) and the cache-hit time of a second `sysroot build` (goal < 0.5 s).
#   bench/sysroot-build.sh [VERSION]   (default 2.42)
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
gm=$top/glibc-matrix
version=${1:-2.42}
jobs=$(nproc)
work=$(mktemp -d /tmp/gm-bench.XXXXXX)
trap 'rm -rf "$work"' EXIT

# The tarball, fetched and verified once through the shared store.
store=${GLIBC_MATRIX_STORE:-${XDG_CACHE_HOME:-$HOME/.cache}/glibc-matrix}
tarball=$(GLIBC_MATRIX_STORE=$store "$gm" --quiet sysroot build "$version" --download-only)
echo "tarball: $tarball"

now() { date +%s.%N; }

# 1. The plain recipe (with the manual/ stub every Debian orig tarball needs).
plain_prefix=$work/plain-prefix
start=$(now)
mkdir "$work/plain-src" "$work/plain-obj"
tar -xf "$tarball" -C "$work/plain-src" --strip-components=1
if [ ! -d "$work/plain-src/manual" ]; then
	mkdir "$work/plain-src/manual"
	printf 'subdir := manual\ninclude ../Makeconfig\ninclude ../Rules\n' > "$work/plain-src/manual/Makefile"
fi
(cd "$work/plain-obj" && "$work/plain-src/configure" --prefix="$plain_prefix" --disable-werror \
	>"$work/plain.log" 2>&1 && make -j"$jobs" >>"$work/plain.log" 2>&1 &&
	make -j"$jobs" install DESTDIR="$work/plain-stage" >>"$work/plain.log" 2>&1)
plain=$(echo "$(now) - $start" | bc)
rm -rf "$work/plain-src" "$work/plain-obj" "$work/plain-stage"

# 2. glibc-matrix, on a scratch store so nothing is cached.
export GLIBC_MATRIX_STORE=$work/store
start=$(now)
"$gm" --quiet sysroot build "$tarball" --name bench --jobs "$jobs" >/dev/null
ours=$(echo "$(now) - $start" | bc)

# 3. The cache hit.
start=$(now)
"$gm" --quiet sysroot build "$tarball" --name bench --jobs "$jobs" >/dev/null
hit=$(echo "$(now) - $start" | bc)

printf 'plain configure+make+install: %8.1f s\n' "$plain"
printf 'glibc-matrix sysroot build:   %8.1f s\n' "$ours"
printf 'ratio (goal <= 1.05):         %8.3f\n' "$(echo "$ours / $plain" | bc -l)"
printf 'cache hit (goal < 0.5 s):     %8.3f s\n' "$hit"
