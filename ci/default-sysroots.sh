#!/usr/bin/env bash
# The main job on its built-in default: the oldest and the newest glibc that
# sysroots/versions.tsv knows, built from source, and three Debian suites
# imported, the root filesystems of containers/rootfs.tsv (all cached in the
# store after the first run), then the matrix over them: every probe, built
# against each, run against each by every route, the container routes in
# every tree.  results.json lands in reports/<UTC time>/.
# GM_ROOTFS=none leaves the container routes out (no OCI runtime here).
#   ci/default-sysroots.sh [GLIBC-MATRIX]
# GM_SOURCE_VERSIONS and GM_SUITES override the defaults.
set -euo pipefail
gm=${1:-./glibc-matrix}
here=$(cd "$(dirname "$0")/.." && pwd)
known=$(awk '!/^#/ && NF == 3 { print $1 }' "$here/sysroots/versions.tsv" | sort -V)
source_versions=${GM_SOURCE_VERSIONS:-$(head -n 1 <<<"$known") $(tail -n 1 <<<"$known")}
suites=${GM_SUITES:-bullseye bookworm trixie}
arch=$(dpkg --print-architecture 2>/dev/null || echo amd64)

args=()
for v in $source_versions; do
	"$gm" sysroot build "$v"
	args+=(--build "glibc-$v" --run "glibc-$v")
done
for s in $suites; do
	"$gm" sysroot import "$s"
	args+=(--build "debian-$s-$arch" --run "debian-$s-$arch")
done
if [ "${GM_ROOTFS:-all}" != none ]; then
	"$gm" rootfs build --all
	args+=(--rootfs "${GM_ROOTFS:-all}")
fi
"$gm" sysroot list
"$gm" run "${args[@]}"
