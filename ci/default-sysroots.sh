#!/usr/bin/env bash
# The main job on its built-in default: the newest glibc that
# sysroots/versions.tsv knows, built from source (the one no Debian suite
# ships; the imported suites span the rest, and make check proves the oldest
# source build: issue 24), and three Debian suites imported, the root filesystems of containers/rootfs.tsv (all cached in the
# store after the first run), then the matrix over them: every probe, built
# against each, run against each by every method, the container methods in
# every tree.  results.json lands in reports/<UTC time>/.
# The foreign section: Debian's arm64 (bullseye, bookworm, trixie) and
# riscv64 (trixie, sid) glibcs, the same probes cross-built against them and
# run under qemu-user-static by every method that can (cells of one
# architecture only meet sysroots and trees of the same one).
# GM_ROOTFS=none leaves the container methods out (no OCI runtime here);
# GM_ROOTFS="NAME..." or "all" picks the trees (default: below).
#   ci/default-sysroots.sh [GLIBC-MATRIX [RUN-ARGS...]]
# RUN-ARGS go to `glibc-matrix run` (a CI job matrix passes --shard I/N and
# --out DIR: ci/github, ci/gitlab).
# GM_SOURCE_VERSIONS, GM_SUITES and GM_FOREIGN ("ARCH:SUITE,SUITE ...";
# "none" leaves the foreign section out) override the defaults.
set -euo pipefail
gm=${1:-./glibc-matrix}
[ $# -eq 0 ] || shift
here=$(cd "$(dirname "$0")/.." && pwd)
# Versions from Debian's archive only (a path in column 3): those from the local glibc
# source directory (a bare file name) are not defaults, GM_SOURCE_VERSIONS names them.
known=$(awk '!/^#/ && NF == 3 && $3 ~ /\// { print $1 }' "$here/sysroots/versions.tsv" | sort -V)
source_versions=${GM_SOURCE_VERSIONS:-$(tail -n 1 <<<"$known")}
suites=${GM_SUITES:-bullseye bookworm trixie}
arch=$(dpkg --print-architecture 2>/dev/null || echo amd64)
foreign=${GM_FOREIGN:-arm64:bullseye,bookworm,trixie riscv64:trixie,sid}
[ "$foreign" != none ] || foreign=

# The source builds run side by side, and beside the imports and the root
# filesystems: one glibc build leaves a core idle for a good part of its
# time (configure, serial links, the make recursion), so two at once finish
# sooner than one after the other.  Each build's output goes to a log,
# printed when it ends; a failed build fails the job (its exit status).
args=()
logs=$(mktemp -d)
pids=()
stop() {
	for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
	rm -rf "$logs"
}
trap 'stop; exit 130' INT TERM
for v in $source_versions; do
	"$gm" sysroot build "$v" >"$logs/$v" 2>&1 &
	pids+=($!)
	args+=(--build "glibc-$v" --run "glibc-$v")
done
for s in $suites; do
	"$gm" sysroot import "$s"
	args+=(--build "debian-$s-$arch" --run "debian-$s-$arch")
done
for af in $foreign; do
	a=${af%%:*}
	list=${af#*:}
	for s in ${list//,/ }; do
		"$gm" sysroot import "$s" --arch "$a"
		args+=(--build "debian-$s-$a" --run "debian-$s-$a")
	done
done
# The trees: those made as the images are (minbase: bullseye, bookworm,
# trixie, sid), busybox, and the foreign ones (libc6 alone: the only trees
# of their architectures); the host's -libc6 trees are the tests' quick
# ones and would only repeat the suites' cells; a tree of the glibc variant
# (RHEL's layout) costs a glibc build, which a cold start cannot afford.  GM_ROOTFS names others
# ("all": every recipe, every tree of the store).
rootfs=${GM_ROOTFS:-$(awk -F'\t' '!/^#/ && NF >= 5 && !(NF == 5 && $1 ~ /-libc6$/) && $3 != "glibc" { print $1 }' "$here/containers/rootfs.tsv")}
if [ "$rootfs" = all ]; then
	"$gm" rootfs build --all
	args+=(--rootfs all)
elif [ "$rootfs" != none ]; then
	# shellcheck disable=SC2086 # a list of names
	"$gm" rootfs build $rootfs
	for r in $rootfs; do args+=(--rootfs "$r"); done
fi
i=0
for v in $source_versions; do
	rc=0
	wait "${pids[$i]}" || rc=$?
	cat "$logs/$v"
	if [ "$rc" -ne 0 ]; then
		echo "ci/default-sysroots.sh: sysroot build $v failed (exit $rc)" >&2
		stop
		exit "$rc"
	fi
	i=$((i + 1))
done
trap - INT TERM
rm -rf "$logs"
"$gm" sysroot list
"$gm" run "${args[@]}" "$@"
