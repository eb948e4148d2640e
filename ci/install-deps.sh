#!/usr/bin/env bash
# Installs the Debian packages glibc-matrix needs to build, test and run.
# Run by `make deps` (which .ci/run and `make matrix` run); a plain `make`
# only names what is missing (Makefile).  Idempotent:
# installs only what dpkg does not already report as installed.
set -euo pipefail

packages=(
	# build the driver
	gcc make pkg-config libc6-dev
	libelf-dev libarchive-dev libcurl4-openssl-dev libssl-dev libjson-c-dev
	# sysroot import: Release signatures (gpgv, the Debian archive keyring)
	gpgv debian-archive-keyring
	# tests
	bats patchelf binutils file
	# a throwaway signing key (030-import.bats)
	gnupg
	# exec under a pseudo-terminal (script)
	bsdutils
	# lld's output, which leaves no spare DT_NULL (050-patch.bats)
	lld
	# make fuzz (libFuzzer)
	clang
	# build glibc from source (configure checks for these)
	gawk bison python3 xz-utils binutils g++
	ca-certificates
	# containers (090-containers.bats): root filesystems and an OCI runtime
	mmdebstrap runc busybox-static
	# the glibc-inject hook through podman's hooks.d (091-hook.bats), and the images
	# rootfs import takes (092-images.bats)
	podman
	# libraries named like glibc's that are not glibc's, beside the host's
	# glibc that Sarus's case injects (093-container-methods.bats)
	libnsl2 libnss-systemd
	# reports (067-reports.bats): the results document against its JSON
	# Schema, JUnit against its XML schema, the HTML page in a real browser
	python3-jsonschema libxml2-utils chromium
	# the manual pages rendered and checked (016-man.bats); the installed
	# driver run with the checkout hidden (015-install.bats: unshare)
	groff-base man-db util-linux
	# the Debian package built, linted, installed and removed (018-deb.bats)
	dpkg-dev debhelper lintian
	# the CI templates of ci/github and ci/gitlab: parsed and linted
	python3-yaml yamllint
	# foreign architectures (068-foreign.bats): qemu-user and Debian's cross
	# compilers for the probes
	qemu-user-static gcc-aarch64-linux-gnu g++-aarch64-linux-gnu
	gcc-riscv64-linux-gnu g++-riscv64-linux-gnu
	# build --for around the build systems people use (101-build.bats)
	cmake cargo golang-go
)

missing=()
for p in "${packages[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
		missing+=("$p")
done
# Real npm native modules under node (065-subjects.bats): Debian's nodejs and
# npm, unless a node and an npm are there already (a machine with NodeSource's
# nodejs, which bundles npm and conflicts with Debian's npm package).
command -v node >/dev/null && command -v npm >/dev/null || missing+=(nodejs npm)
# Foreign programs in container root filesystems: Debian's qemu binfmt_misc
# entries, registered with the F flag where no systemd did (as root only;
# elsewhere those cells are skipped with the reason).
binfmt() {
	[ "$(id -u)" -ne 0 ] || bash "$(dirname "$0")/binfmt.sh" >/dev/null ||
		echo "ci/install-deps.sh: binfmt_misc entries incomplete (ci/binfmt.sh --status)" >&2
}
if [ ${#missing[@]} -eq 0 ]; then
	binfmt
	exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
	sudo=sudo
	command -v sudo >/dev/null || {
		echo "ci/install-deps.sh: need root to install: ${missing[*]}" >&2
		exit 3
	}
else
	sudo=
fi
echo "ci/install-deps.sh: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq >&2 || true
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
binfmt
