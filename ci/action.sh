#!/usr/bin/env bash
# The steps of the glibc-matrix GitHub Action (action.yml) and GitLab
# template (ci/gitlab/check.gitlab-ci.yml), as one script so they run the
# same anywhere, and here (tests/019-action.bats):
#   ci/action.sh deps     install what the inputs need, nothing more
#   ci/action.sh build    build the driver
#   ci/action.sh targets  import each target (a Debian suite or a profile)
#   ci/action.sh check    check the files; writes the reports; its status
#                         is the gate's (0 pass, 1 fail, 2 usage, 3 infra,
#                         77 nothing ran)
#   ci/action.sh summary  the Markdown summary onto $GITHUB_STEP_SUMMARY
# Inputs, from the environment (as GitHub passes a composite action's
# inputs through `env:`):
#   GM_FILES     files, packages or directories to check (whitespace-separated)
#   GM_TARGETS   suites, versions or profiles (default: bookworm)
#   GM_METHODS   methods (default: check's)
#   GM_POLICY    a policy file;  GM_BASELINE  an earlier results.json
#   GM_MIRROR    a Debian archive's URL, needed when apt's sources are not
#                Debian's (an Ubuntu runner): never a default written here
#   GM_OUT       where the reports go (default: $RUNNER_TEMP or /tmp, /glibc-matrix)
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
gm=$top/glibc-matrix
out=${GM_OUT:-${RUNNER_TEMP:-/tmp}/glibc-matrix}
read -r -a targets <<<"${GM_TARGETS:-bookworm}"
read -r -a methods <<<"${GM_METHODS:-}"
[ -z "${GM_MIRROR:-}" ] || export GLIBC_MATRIX_MIRROR=$GM_MIRROR

# needs_containers: a method that runs in a root filesystem was asked for.
needs_containers() {
	local m
	for m in "${methods[@]}"; do
		case $m in container | inject | inject-libc-only | ldcache | toolbox) return 0 ;; esac
	done
	return 1
}

deps() {
	local pkgs=(gcc make pkg-config libc6-dev libelf-dev libarchive-dev
		libcurl4-openssl-dev libssl-dev libjson-c-dev gpgv debian-archive-keyring
		ca-certificates xz-utils)
	needs_containers && pkgs+=(runc mmdebstrap)
	local missing=() p
	for p in "${pkgs[@]}"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
			missing+=("$p")
	done
	if [ ${#missing[@]} -eq 0 ]; then
		echo "glibc-matrix action: every package needed is installed"
		return
	fi
	local sudo=
	[ "$(id -u)" -eq 0 ] || sudo=sudo
	$sudo apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends \
		"${missing[@]}"
}

build() {
	make -C "$top" -s glibc-matrix
}

targets() {
	local t
	for t in "${targets[@]}"; do
		# Versions and sysroot names need no import (a version is built
		# by `sysroot build`, long: name a suite or a profile instead).
		case $t in
		[0-9]*.[0-9]*) continue ;;
		esac
		"$gm" sysroot import "$t" || {
			local s=$?
			# A profile or a name that is not a suite: resolved by check.
			[ $s -eq 2 ] && continue
			return $s
		}
	done
}

check() {
	local files=() args=() t m
	read -r -a files <<<"${GM_FILES:?GM_FILES: the files to check, input files of the action}"
	for t in "${targets[@]}"; do args+=(--against "$t"); done
	for m in "${methods[@]}"; do args+=(--method "$m"); done
	[ -z "${GM_POLICY:-}" ] || args+=(--policy "$GM_POLICY")
	[ -z "${GM_BASELINE:-}" ] || args+=(--baseline "$GM_BASELINE")
	rm -rf "$out"
	"$gm" check "${files[@]}" "${args[@]}" --out "$out"
}

summary() {
	[ -f "$out/summary.md" ] || {
		echo "glibc-matrix action: no $out/summary.md (check did not run)" >&2
		return 1
	}
	if [ -n "${GITHUB_STEP_SUMMARY:-}" ]; then
		cat "$out/summary.md" >>"$GITHUB_STEP_SUMMARY"
	else
		cat "$out/summary.md"
	fi
}

case ${1:-} in
deps | build | targets | check | summary) "$1" ;;
*)
	echo "usage: ci/action.sh deps|build|targets|check|summary" >&2
	exit 2
	;;
esac
