#!/usr/bin/env bash
# The built-in default set of sysroots: one glibc built from source and three
# Debian suites imported, all cached in the store after the first run.
#   ci/default-sysroots.sh [GLIBC-MATRIX]
set -euo pipefail
gm=${1:-./glibc-matrix}
source_version=${GM_SOURCE_VERSION:-2.42}
suites=${GM_SUITES:-bullseye bookworm trixie}

"$gm" sysroot build "$source_version"
for s in $suites; do
	"$gm" sysroot import "$s"
done
"$gm" sysroot list
