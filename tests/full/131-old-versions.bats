#!/usr/bin/env bats
# make check-full: the other releases people target that Debian's archive no
# longer has (2.17: CentOS 7 / manylinux2014, 2.27: Ubuntu 18.04, 2.34:
# RHEL 9, 2.35: Ubuntu 22.04, 2.39: Ubuntu 24.04) build from the local glibc
# source directory with this machine's toolchain and the quirks of
# sysroots/quirks.tsv, pass the build's own verification (the loader runs its
# libc, which names the version), run a program built against them, and the
# probe matrix built and run on each has no mismatch with its prediction.
# 130-old-source.bats does the same build for 2.28.  Each version is skipped
# where the local source directory has no tarball of it.

load ../helpers

src_dir() {
	echo "${GLIBC_MATRIX_GLIBC_SRC:-$TOP/../shared/glibc-src}"
}

# old_release VERSION: build (or reuse) glibc-VERSION, check it, run the probes on it.
old_release() {
	local v=$1 out=$BATS_TEST_TMPDIR/matrix-$1
	[ -f "$(src_dir)/glibc-$v.tar.xz" ] || skip "no glibc-$v.tar.xz in $(src_dir)"
	ensure_sysroot "glibc-$v" build "$v"
	check_source_sysroot "glibc-$v" "$v"
	run_gm 0 run --build "glibc-$v" --run "glibc-$v" --out "$out"
	assert_contains "$output" " 0 mismatches"
	python3 - "$out/results.json" <<-'PY'
	import json, sys
	d = json.load(open(sys.argv[1]))
	assert d["complete"], "incomplete"
	assert d["summary"]["mismatches"] == 0
	# Probes whose headers need a newer glibc are skipped; the rest ran.
	ran = [c for c in d["cells"] if c["observed"]["outcome"] != "skipped"]
	assert len(ran) >= 20, len(ran)
	assert any(c["observed"]["outcome"] == "ok" for c in ran)
	PY
}

@test "glibc 2.34 (RHEL 9) builds from the local source, verified, and its probe matrix has no mismatch" {
	old_release 2.34
}

@test "glibc 2.35 (Ubuntu 22.04) builds from the local source, verified, and its probe matrix has no mismatch" {
	old_release 2.35
}

@test "glibc 2.39 (Ubuntu 24.04) builds from the local source, verified, and its probe matrix has no mismatch" {
	old_release 2.39
}

@test "glibc 2.27 (Ubuntu 18.04) builds from the local source, verified, and its probe matrix has no mismatch" {
	old_release 2.27
}

@test "glibc 2.17 (CentOS 7, manylinux2014) builds with its quirks, verified, and its probe matrix has no mismatch" {
	old_release 2.17
}

@test "the old releases and 2.28 against each other: every probe built on each, run on each, no mismatch" {
	local args=() v
	for v in 2.17 2.27 2.28 2.34 2.35 2.39; do
		[ -f "$(src_dir)/glibc-$v.tar.xz" ] || skip "no glibc-$v.tar.xz in $(src_dir)"
		ensure_sysroot "glibc-$v" build "$v"
		args+=(--build "glibc-$v" --run "glibc-$v")
	done
	run_gm 0 run "${args[@]}" --out "$BATS_TEST_TMPDIR/matrix"
	assert_contains "$output" " 0 mismatches"
	python3 - "$BATS_TEST_TMPDIR/matrix/results.json" <<-'PY'
	import json, sys
	d = json.load(open(sys.argv[1]))
	assert d["complete"] and d["summary"]["mismatches"] == 0
	seen = {c["observed"]["outcome"] for c in d["cells"]}
	# A newer build on an older glibc, two builds mixed, and 2.17's explicit loader on a PIE.
	for want in ("ok", "symbol-version", "mixed-glibc", "crash"):
	    assert want in seen, want
	PY
}
