#!/usr/bin/env bash
# Benchmark: a root filesystem built by `glibc-matrix rootfs build NAME` and
# by the plain mmdebstrap command for the same tree (variant, merged-/usr
# hook, packages, suite, the archive apt uses), in the same run, each from
# nothing (a scratch store; mmdebstrap into an empty directory).  Prints
# both wall times and their ratio: what the harness adds is the suite's
# Release date for the cache key, the mount points, the tarball beside the
# tree and the atomic publish.  Then the cache hit of a second build.
#   bench/rootfs-build.sh [NAME...]   (default: bullseye bookworm trixie sid,
#                                      the trees made as the images are)
# Root (mmdebstrap --mode=root, as the harness runs it).
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
gm=$top/glibc-matrix
names=${*:-bullseye bookworm trixie sid}
work=$(mktemp -d /tmp/gm-bench.XXXXXX)
trap 'rm -rf "$work"' EXIT
recipes=${GLIBC_MATRIX_CONTAINERS:-$top/containers}/rootfs.tsv
# The archive apt uses, as the harness reads it (GLIBC_MATRIX_MIRROR overrides).
# shellcheck disable=SC2016 # apt's own $(FIELD) syntax
mirror=${GLIBC_MATRIX_MIRROR:-$(apt-get indextargets --format '$(REPO_URI)' 2>/dev/null |
	grep -v -- '-security/' | head -n 1)}
mirror=${mirror%/}
[ -n "$mirror" ] || { echo "bench/rootfs-build.sh: no Debian archive in apt's sources" >&2; exit 3; }

now() { date +%s.%N; }

export GLIBC_MATRIX_STORE=$work/store
printf '%-22s %10s %10s %8s %10s\n' tree mmdebstrap rootfs-build ratio cache-hit
for n in $names; do
	IFS=$'\t' read -r _ suite variant packages usr arch < <(awk -F'\t' -v n="$n" '!/^#/ && $1 == n' "$recipes")
	if [ -z "${suite:-}" ] || [ "$suite" = - ]; then
		echo "bench/rootfs-build.sh: no Debian recipe '$n'" >&2
		exit 2
	fi
	args=(--mode=root --variant="$variant" --architectures="${arch:-$(dpkg --print-architecture)}"
		'--aptopt=Acquire::Check-Valid-Until "false"')
	[ "$usr" != merged ] || args+=(--hook-dir=/usr/share/mmdebstrap/hooks/merged-usr)
	[ "$packages" = - ] || for p in ${packages//,/ }; do args+=(--include="$p"); done
	start=$(now)
	mmdebstrap --quiet "${args[@]}" "$suite" "$work/plain-$n" "$mirror" >"$work/plain.log" 2>&1 ||
		{ cat "$work/plain.log" >&2; exit 3; }
	plain=$(echo "$(now) - $start" | bc)
	rm -rf "$work/plain-$n"
	start=$(now)
	"$gm" --quiet rootfs build "$n" >/dev/null
	ours=$(echo "$(now) - $start" | bc)
	start=$(now)
	"$gm" --quiet rootfs build "$n" >/dev/null
	hit=$(echo "$(now) - $start" | bc)
	"$gm" --quiet rootfs remove "$n" >/dev/null
	printf '%-22s %9.1fs %11.1fs %8.2f %9.2fs\n' "$n" "$plain" "$ours" "$(echo "$ours / $plain" | bc -l)" "$hit"
done
