#!/usr/bin/env bats
# Injection judged on the whole image (issue 23 item 3): after inject,
# inject-libc-only and toolbox, the image's own programs (its shell, ls,
# ldconfig -p, apt-get --version, getconf: containers/own-programs.tsv) run in the
# same container, each a cell; the subject's cells record "image intact
# N/M"; the libc-only negative control breaks the image, and a user's
# program that ran there still fails the gate.  On bullseye's tree as the
# official images are made (minbase: a shell, coreutils, apt).

load helpers

setup_file() {
	require_tool mmdebstrap mmdebstrap
	ensure_sysroot debian-bookworm-amd64 import bookworm
	"$GM" --quiet rootfs build bullseye 3>&- || return 1
}

setup() {
	require_runtime
}

# cells OUT: "SUBJECT METHOD PREDICTED OBSERVED UNEXPECTED IMAGE" per cell.
cells() {
	python3 - "$1/results.json" <<-'PY'
	import json, sys
	for c in json.load(open(sys.argv[1]))["cells"]:
	    i = c.get("image")
	    print(c["subject"], c["method"], c["predicted"]["outcome"], c["observed"]["outcome"],
	          "unexpected" if c["unexpected"] else "expected",
	          "%d/%d" % (i["intact"], i["programs"]) if i else "-")
	PY
}

@test "inject keeps bullseye's image intact; libc.so.6 alone breaks it, and the program that ran fails the gate too" {
	local out=$BATS_TEST_TMPDIR/out
	run_gm 1 check /usr/bin/true --against bookworm --rootfs bullseye -m inject \
		-m inject-libc-only -m toolbox --out "$out"
	assert_contains "$output" "0 mismatches"
	assert_contains "$output" "image intact"
	run cells "$out"
	echo "$output"
	# The whole set over the older glibc: the image's programs and ours run.
	assert_contains "$output" "/usr/bin/true inject ok ok expected 5/5"
	assert_contains "$output" "image:/bin/ls inject ok ok expected 5/5"
	assert_contains "$output" "image:/usr/bin/apt-get inject ok ok expected 5/5"
	# Toolbx changes nothing of the image.
	assert_contains "$output" "/usr/bin/true toolbox ok ok expected 5/5"
	# libc.so.6 alone: every dynamic program of the image is a mixed glibc
	# (ldconfig is static: it runs); true itself fails the same way.
	assert_contains "$output" "image:/bin/sh inject-libc-only mixed-glibc mixed-glibc unexpected 1/5"
	assert_contains "$output" "image:/bin/ls inject-libc-only mixed-glibc mixed-glibc unexpected 1/5"
	assert_contains "$output" "image:/sbin/ldconfig inject-libc-only ok ok expected 1/5"
	assert_contains "$output" "image:/usr/bin/getconf inject-libc-only mixed-glibc mixed-glibc unexpected 1/5"
	assert_contains "$output" "/usr/bin/true inject-libc-only mixed-glibc mixed-glibc unexpected 1/5"
	python3 - "$out/results.json" "$TOP/reports/schema.json" <<-'PY'
	import json, sys, jsonschema
	jsonschema.validate(json.load(open(sys.argv[1])), json.load(open(sys.argv[2])))
	PY
}

@test "the probe matrix judges the image's programs by their prediction: the negative control's broken image is expected there" {
	local out=$BATS_TEST_TMPDIR/out
	run_gm 0 run --case hello --build debian-bookworm-amd64 --run debian-bookworm-amd64 \
		--rootfs bullseye -m inject-libc-only -m inject --out "$out"
	# the grid names each of the image's programs
	assert_contains "$output" "image:/sbin/ldconfig"
	assert_contains "$output" "0 mismatches"
	run cells "$out"
	echo "$output"
	assert_contains "$output" "image:/bin/ls inject-libc-only mixed-glibc mixed-glibc expected 1/5"
	assert_contains "$output" "image:/bin/ls inject ok ok expected 5/5"
	# ldcache: the image's programs beside the case's library the hook
	# registered in the tree's cache.
	run_gm 0 run --case extlib --build debian-bookworm-amd64 --run debian-bookworm-amd64 \
		--rootfs bullseye -m ldcache --out "$out-ldcache"
	assert_contains "$output" "image:/bin/ls"
	assert_contains "$output" "0 mismatches"
	run cells "$out-ldcache"
	echo "$output"
	assert_contains "$output" "image:/bin/ls ldcache ok ok expected 5/5"
}
