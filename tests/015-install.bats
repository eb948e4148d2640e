#!/usr/bin/env bats
# make install / make uninstall: the driver, the OCI hook, gm-batch and the
# data under a PREFIX (or staged under DESTDIR), found by the installed
# driver from its own place, with the checkout hidden; uninstall removes
# exactly what install wrote.

load helpers

setup_file() {
	ensure_sysroot debian-bookworm-amd64 import bookworm
	"$GM" --quiet rootfs build bookworm 3>&- || return 1
}

@test "make install into a scratch prefix: the installed driver, hook and gm-batch run check (loader and inject in a tree) with the checkout hidden; make uninstall removes them" {
	require_tool unshare util-linux
	require_runtime
	local p=$BATS_TEST_TMPDIR/prefix
	run make -C "$TOP" --no-print-directory install PREFIX="$p" 3>&-
	echo "$output"
	[ "$status" -eq 0 ]
	[ -x "$p/bin/glibc-matrix" ]
	[ -x "$p/libexec/glibc-matrix/glibc-inject" ]
	[ -x "$p/libexec/glibc-matrix/gm-batch" ]
	[ -f "$p/share/glibc-matrix/cases/cases.ini" ]
	[ -f "$p/share/glibc-matrix/sysroots/versions.tsv" ]
	# The bash completion, where bash-completion looks for it by name,
	# completing with the installed driver.
	[ -f "$p/share/bash-completion/completions/glibc-matrix" ]
	run bash -c 'source "$1/share/bash-completion/completions/glibc-matrix"
		COMP_WORDS=("$1/bin/glibc-matrix" sysroot sh) COMP_CWORD=2; _glibc_matrix; echo "${COMPREPLY[*]}"' sh "$p"
	[ "$output" = show ]
	run grep '"path"' "$p/share/containers/oci/hooks.d/glibc-inject.json"
	assert_contains "$output" "\"$p/libexec/glibc-matrix/glibc-inject\""
	# The checkout under an empty tmpfs: nothing of it can be read.
	run unshare -m sh -c 'mount -t tmpfs none "$1" && [ -z "$(ls "$1")" ] &&
		"$2/bin/glibc-matrix" check /usr/bin/true --against bookworm -m loader -m inject \
			--rootfs bookworm --out "$3"' sh "$TOP" "$p" "$BATS_TEST_TMPDIR/out" 3>&-
	echo "$output"
	[ "$status" -eq 0 ]
	# true by two methods, then the tree's own programs after inject
	# (containers/own-programs.tsv, installed with the data)
	assert_contains "$output" "image:/bin/ls"
	assert_contains "$output" " 0 mismatches"
	python3 - "$BATS_TEST_TMPDIR/out/results.json" <<-'PY'
	import json, sys
	cells = json.load(open(sys.argv[1]))["cells"]
	mine = [c for c in cells if c["subject"] == "/usr/bin/true"]
	assert len(mine) == 2 and all(c["observed"]["outcome"] == "ok" for c in mine), mine
	assert all(c["observed"]["outcome"] == "ok" for c in cells), cells
	PY
	run make -C "$TOP" --no-print-directory uninstall PREFIX="$p" 3>&-
	[ "$status" -eq 0 ]
	[ -z "$(find "$p" -type f)" ]
}

@test "make install DESTDIR=STAGE PREFIX=/usr: a staged tree whose hooks.d names the final path, and whose driver already works where it lies" {
	local s=$BATS_TEST_TMPDIR/stage
	run make -C "$TOP" --no-print-directory install PREFIX=/usr DESTDIR="$s" 3>&-
	[ "$status" -eq 0 ]
	run grep '"path"' "$s/usr/share/containers/oci/hooks.d/glibc-inject.json"
	assert_contains "$output" '"/usr/libexec/glibc-matrix/glibc-inject"'
	run "$s/usr/bin/glibc-matrix" explain /usr/bin/true --against bookworm 3>&-
	[ "$status" -eq 0 ]
	assert_contains "$output" "against debian-bookworm-amd64"
	run "$s/usr/bin/glibc-matrix" run --help 3>&-
	assert_contains "$output" "Methods:"
}
