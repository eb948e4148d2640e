#!/usr/bin/env bash
# The main job on its built-in default: one glibc built from source and three
# Debian suites imported (all cached in the store after the first run), then
# the matrix over them: every probe, built against each, run against each by
# every route.  results.json lands in reports/<UTC time>/.
#   ci/default-sysroots.sh [GLIBC-MATRIX]
set -euo pipefail
gm=${1:-./glibc-matrix}
source_version=${GM_SOURCE_VERSION:-2.42}
suites=${GM_SUITES:-bullseye bookworm trixie}
arch=$(dpkg --print-architecture 2>/dev/null || echo amd64)

"$gm" sysroot build "$source_version"
args=(--build "glibc-$source_version" --run "glibc-$source_version")
for s in $suites; do
	"$gm" sysroot import "$s"
	args+=(--build "debian-$s-$arch" --run "debian-$s-$arch")
done
"$gm" sysroot list
"$gm" run "${args[@]}"
