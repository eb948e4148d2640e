#!/usr/bin/env bats
# make check-full: glibc 2.42 cross-built from source for aarch64 with
# Debian's cross compiler (about 10 minutes on two cores), verified under
# qemu-user, then the probes cross-built against it run against it and
# against Debian's arm64 glibcs: a probe of 2.42's new symbols fails on
# trixie (2.41) with GLIBC_2.42, as predicted.

load ../helpers

setup() {
	require_tool qemu-aarch64-static qemu-user-static
	require_tool aarch64-linux-gnu-gcc gcc-aarch64-linux-gnu
}

@test "glibc 2.42 cross-built for aarch64: verified by qemu, cached, and its probes predicted on Debian's arm64 glibcs" {
	start=$SECONDS
	ensure_sysroot glibc-2.42-arm64 build 2.42 --arch arm64
	echo "# glibc-2.42-arm64 ready in $((SECONDS - start)) s" >&3
	ensure_sysroot debian-trixie-arm64 import trixie --arch arm64
	run_gm 0 sysroot show glibc-2.42-arm64
	assert_contains "$output" "arch:      aarch64"
	assert_contains "$output" "origin:    source"
	assert_contains "$output" "--host=aarch64-linux-gnu"
	assert_contains "$output" "compiler:  aarch64-linux-gnu-gcc"
	assert_contains "$output" "ld-linux-aarch64.so.1: GLIBC_2.17"
	# The same inputs are a cache hit, with no network.
	GLIBC_MATRIX_MIRROR=http://127.0.0.1:9 run_gm 0 sysroot build 2.42 --arch arm64
	assert_contains "$output" "up to date (cached"
	local out=$BATS_TEST_TMPDIR/out
	run_gm 0 run --build glibc-2.42-arm64 --run glibc-2.42-arm64 --run debian-trixie-arm64 \
		-m loader -m interp --out "$out"
	assert_contains "$output" "0 mismatches"
	python3 - "$out/results.json" <<-'PY'
	import json, sys
	cells = json.load(open(sys.argv[1]))["cells"]
	by = {(c["subject"], c["run"], c["method"]): c for c in cells}
	t = by[("termios", "debian-trixie-arm64", "loader")]
	assert t["observed"]["outcome"] == "symbol-version" and "GLIBC_2.42" in t["observed"]["detail"], t
	ok = [c for c in cells if c["run"] == "glibc-2.42-arm64" and c["observed"]["outcome"] == "ok"]
	assert len(ok) >= 80, len(ok)
	assert all(c["observed"]["glibc"] == "2.42" for c in ok)
	PY
}
