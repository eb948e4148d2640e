#!/usr/bin/env bats
# Two builds of one glibc version, glibc 2.36 from source and Debian
# bookworm's 2.36, are told apart wherever a sysroot is shown, and a process
# that mixes them (the host's Debian ld.so with the source-built libc.so.6)
# is predicted and observed as mixed-glibc, not "same version, ok".

load ../helpers

setup_file() {
	ensure_sysroot glibc-2.36 build 2.36
	ensure_sysroot debian-bookworm-amd64 import bookworm
}

@test "sysroot list and show tell glibc 2.36 from source and Debian's 2.36 apart" {
	run_gm sysroot list
	src=$(awk '$1 == "glibc-2.36" { print $2, $4, $5 }' <<<"$output")
	deb=$(awk '$1 == "debian-bookworm-amd64" { print $2, $4, $5 }' <<<"$output")
	read -r v1 o1 b1 <<<"$src"
	read -r v2 o2 b2 <<<"$deb"
	[ "$v1" = 2.36 ] && [ "$v2" = 2.36 ]
	[ "$o1" = source ] && [ "$o2" = debian:bookworm ]
	[[ "$b1" =~ ^[0-9a-f]{12}$ ]] && [[ "$b2" =~ ^[0-9a-f]{12}$ ]]
	[ "$b1" != "$b2" ]
	run_gm sysroot show glibc-2.36
	assert_contains "$output" "build:     $b1"
}

@test "the host's ld.so with the source-built 2.36 libc is mixed-glibc, predicted and observed" {
	out=$BATS_TEST_TMPDIR/out
	run_gm 0 run --build debian-bookworm-amd64 --build glibc-2.36 --run glibc-2.36 \
		--run debian-bookworm-amd64 --out "$out"
	assert_contains "$output" " 0 mismatches"
	python3 - "$out/results.json" <<-'PY'
	import json, sys
	d = json.load(open(sys.argv[1]))
	ids = {s["name"]: s["libc_build_id"] for s in d["sysroots"]}
	assert ids["glibc-2.36"] != ids["debian-bookworm-amd64"], ids
	mixed = [c for c in d["cells"] if c["method"] in ("rpath", "env") and c["run"] == "glibc-2.36"
	         and c["observed"]["outcome"] != "skipped"]
	assert mixed
	for c in mixed:
	    assert c["predicted"]["outcome"] == "mixed-glibc", c
	    assert c["observed"]["outcome"] == "mixed-glibc", c
	threads = [c for c in mixed if c["subject"] == "threads"]
	assert threads and "two glibc builds" in threads[0]["observed"]["detail"], threads
	# The same methods into Debian's own 2.36 pair the host's loader with its own build.
	same = [c for c in d["cells"] if c["method"] == "rpath" and c["run"] == "debian-bookworm-amd64"
	        and c["subject"] == "hello"]
	assert same and all(c["observed"]["outcome"] == "ok" for c in same), same
	PY
}
