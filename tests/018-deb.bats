#!/usr/bin/env bats
# The Debian package (debian/): dpkg-buildpackage -b -us -uc builds
# glibc-matrix_<version>_amd64.deb in a copy of this tree, writing only
# under debian/ (and `debian/rules clean` removes it all); lintian finds no
# error; installed on this host, /usr/bin/glibc-matrix runs check on a real
# file against two suites with its data from /usr/share; dpkg -r leaves none
# of its files.

load helpers

setup_file() {
	ensure_sysroot debian-bookworm-amd64 import bookworm
	ensure_sysroot debian-trixie-amd64 import trixie
	command -v dpkg-buildpackage >/dev/null && command -v dh >/dev/null || return 0
	# The tree as it is (tracked files and new ones, not the ignored
	# outputs), copied, so the package lands beside the copy.
	local src=$BATS_FILE_TMPDIR/src
	mkdir -p "$src"
	(cd "$TOP" && git ls-files -co --exclude-standard -z) | (cd "$TOP" && tar --null -T - -c) |
		tar -x -C "$src"
	(cd "$src" && find . -type f | LC_ALL=C sort) >"$BATS_FILE_TMPDIR/before"
	(cd "$src" && dpkg-buildpackage -b -us -uc) >"$BATS_FILE_TMPDIR/build.log" 2>&1 3>&-
	echo $? >"$BATS_FILE_TMPDIR/build.rc"
	(cd "$src" && find . -type f | LC_ALL=C sort) >"$BATS_FILE_TMPDIR/after"
}

teardown_file() {
	# A failed test must not leave the package installed on the host.
	if dpkg-query -W -f='${Status}' glibc-matrix 2>/dev/null | grep -q installed; then
		dpkg -P glibc-matrix >/dev/null 2>&1
	fi
}

require_build() {
	require_tool dpkg-buildpackage dpkg-dev
	require_tool dh debhelper
	if [ "$(cat "$BATS_FILE_TMPDIR/build.rc")" != 0 ]; then
		tail -n 40 "$BATS_FILE_TMPDIR/build.log"
		return 1
	fi
	VERSION=$("$GM" --version | awk '{ print $2 }')
	DEB=$BATS_FILE_TMPDIR/glibc-matrix_${VERSION}_$(dpkg --print-architecture).deb
}

@test "dpkg-buildpackage -b builds glibc-matrix_<version>_<arch>.deb of the driver's version, writing only under debian/, all of it removed by clean" {
	require_build
	[ -f "$DEB" ]
	[ "$(dpkg-deb -f "$DEB" Version)" = "$VERSION" ]
	[ "$(cd "$TOP" && dpkg-parsechangelog -S Version)" = "$VERSION" ]
	# The build wrote only under debian/: the tree's own build/ and
	# ./glibc-matrix were neither made nor used.
	run comm -13 "$BATS_FILE_TMPDIR/before" "$BATS_FILE_TMPDIR/after"
	[ -n "$output" ]
	[ -z "$(grep -v '^\./debian/' <<<"$output")" ]
	run comm -23 "$BATS_FILE_TMPDIR/before" "$BATS_FILE_TMPDIR/after"
	[ -z "$output" ]
	(cd "$BATS_FILE_TMPDIR/src" && debian/rules clean) >/dev/null 2>&1 3>&-
	run diff "$BATS_FILE_TMPDIR/before" <(cd "$BATS_FILE_TMPDIR/src" && find . -type f | LC_ALL=C sort)
	echo "$output"
	[ "$status" -eq 0 ]
}

@test "lintian: no error" {
	require_build
	require_tool lintian lintian
	run lintian "$BATS_FILE_TMPDIR/glibc-matrix_${VERSION}_$(dpkg --print-architecture).changes" 3>&-
	echo "$output"
	echo "# lintian: $(grep -c '^E:' <<<"$output") errors, $(grep -c '^W:' <<<"$output") warnings" >&3
	[ "$(grep -c '^E:' <<<"$output")" -eq 0 ]
}

@test "the package's dependencies: the linked libraries' and the dlopened libarchive's and libcurl's packages; runtimes and qemu recommended" {
	require_build
	local dep lib pkg
	dep=$(dpkg-deb -f "$DEB" Depends)
	echo "Depends: $dep"
	# Each library the driver opens, by the package that holds its soname.
	for lib in libelf.so.1 libjson-c.so.5 libcrypto.so.3 libarchive.so.13 libcurl.so.4; do
		pkg=$(dpkg -S "/usr/lib/$(dpkg-architecture -qDEB_HOST_MULTIARCH)/$lib" | cut -d: -f1)
		assert_contains "$dep" "$pkg ("
	done
	assert_contains "$dep" "gpgv"
	assert_contains "$dep" "debian-archive-keyring"
	run dpkg-deb -f "$DEB" Recommends
	assert_contains "$output" "runc | crun"
	assert_contains "$output" "qemu-user-static"
	assert_contains "$output" "mmdebstrap"
}

@test "installed on the host: /usr/bin/glibc-matrix checks a real file against two suites, man and completion in place; dpkg -r leaves none of its files" {
	require_build
	[ "$(id -u)" -eq 0 ] || skip_fact not-root "dpkg -i"
	if [ -e /usr/bin/glibc-matrix ] && ! dpkg -S /usr/bin/glibc-matrix >/dev/null 2>&1; then
		echo "# /usr/bin/glibc-matrix exists and no package owns it: not overwriting it"
		return 1
	fi
	run dpkg -i "$DEB" 3>&-
	echo "$output"
	[ "$status" -eq 0 ]
	local files
	files=$(dpkg -L glibc-matrix)
	# From / with no variable naming the data: it comes from /usr/share.
	run env -u GLIBC_MATRIX_RECIPES -u GLIBC_MATRIX_CASES -u GLIBC_MATRIX_CONTAINERS \
		-u GLIBC_MATRIX_LIBEXEC sh -c 'cd / && exec /usr/bin/glibc-matrix check /usr/bin/true \
		--against bookworm --against trixie --out "$1"' sh "$BATS_TEST_TMPDIR/out" 3>&-
	echo "$output"
	[ "$status" -eq 0 ]
	assert_contains "$output" "4 cells in"
	assert_contains "$output" "4 ok, 0 mismatches"
	run /usr/bin/glibc-matrix --version
	[ "$output" = "glibc-matrix $VERSION" ]
	[ "$(man -w glibc-matrix)" = /usr/share/man/man1/glibc-matrix.1.gz ]
	run bash -c 'source /usr/share/bash-completion/completions/glibc-matrix
		COMP_WORDS=(glibc-matrix check --against trix) COMP_CWORD=3; _glibc_matrix; echo "${COMPREPLY[*]}"' 3>&-
	[ "$output" = trixie ]
	run dpkg -r glibc-matrix 3>&-
	[ "$status" -eq 0 ]
	local f left=
	while IFS= read -r f; do
		[ -d "$f" ] || [ ! -e "$f" ] || left+=" $f"
	done <<<"$files"
	[ -z "$left" ] || { echo "# left after dpkg -r:$left"; return 1; }
	dpkg -P glibc-matrix >/dev/null
}
