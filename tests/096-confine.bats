#!/usr/bin/env bats
# Hooks under test are confined: the OCI runtime and the hooks it starts run
# where the host's files are read-only (harness/exec/confine.h), so a
# careless hook cannot damage the machine that gates it, and the cell says
# the hook tried to write the host.  Our own glibc-inject (also with
# --update-cache) and a well-behaved hook still pass.  The careless hooks
# only ever aim at a scratch file this suite creates under /var/tmp.

load helpers

setup_file() {
	require_tool mmdebstrap mmdebstrap
	ensure_sysroot debian-trixie-amd64 import trixie
	ensure_sysroot debian-bullseye-amd64 import bullseye
	"$GM" --quiet rootfs build bullseye trixie busybox 3>&- || return 1
}

setup() {
	require_runtime
	SCRATCH=$(mktemp -d /var/tmp/gm-confine.XXXXXXXX)
	VICTIM=$SCRATCH/victim
	head -c 4096 /dev/urandom >"$VICTIM"
	BEFORE=$(sha256sum <"$VICTIM")
}

teardown() {
	[ -z "${SCRATCH:-}" ] || rm -rf "$SCRATCH"
}

# observed OUT SUBJECT: "outcome glibc detail" of the one cell of SUBJECT (a
# case, or a file given to check) in OUT/results.json
observed() {
	python3 - "$@" <<-'PY'
	import json, sys
	cells = [c for c in json.load(open(sys.argv[1] + "/results.json"))["cells"]
	         if c["subject"] == sys.argv[2]]
	assert len(cells) == 1, cells
	o = cells[0]["observed"]
	print(o["outcome"], o.get("glibc") or "-", o["detail"])
	PY
}

# careless HOOK: gates /bin/true by HOOK; the scratch file must come out
# unchanged and the cell must name the refused write.  $detail is the cell's.
careless() {
	local out=$BATS_TEST_TMPDIR/out-$1
	run_gm 1 check /bin/true --against debian-trixie-amd64 --method inject --rootfs bullseye \
		--hook "$BATS_TEST_DIRNAME/fixtures/hooks/$1" --hook-env "GM_CONFINE_VICTIM=$VICTIM" \
		--out "$out"
	[ "$(sha256sum <"$VICTIM")" = "$BEFORE" ]
	read -r obs _ detail <<<"$(observed "$out" /bin/true)"
	[ "$obs" = exec-failed ]
	assert_contains "$detail" "Read-only file system"
}

@test "a careless hook writing the host through /proc/<pid>/root: refused, the host file unchanged, the cell says so" {
	careless careless-proc-root-hook
	assert_contains "$detail" "the hook tried to write the host (/proc/"
	assert_contains "$detail" "/root$VICTIM): "
}

@test "a careless hook writing a host path directly: refused, the host file unchanged, the cell says so" {
	careless careless-host-hook
	assert_contains "$detail" "the hook tried to write the host ($VICTIM): "
}

@test "our glibc-inject still injects, and still rebuilds the tree's ld.so.cache (--update-cache)" {
	out=$BATS_TEST_TMPDIR/out
	run_gm 0 run --build debian-bullseye-amd64 --run debian-trixie-amd64 --method inject \
		--rootfs bullseye --case threads --out "$out"
	assert_contains "$output" "0 mismatches"
	[ "$(observed "$out" threads)" = "ok 2.41 " ]
	run_gm 0 run --build debian-bullseye-amd64 --run debian-trixie-amd64 --method ldcache \
		--rootfs trixie --case extlib --out "$out.ldcache"
	assert_contains "$output" "0 mismatches"
	[ "$(observed "$out.ldcache" extlib)" = "ok 2.41 " ]
}

@test "a well-behaved hook that writes only in the container's root passes" {
	out=$BATS_TEST_TMPDIR/out
	run_gm 0 run --build debian-bullseye-amd64 --run debian-bullseye-amd64 --method inject \
		--rootfs bullseye --case hello --hook "$BATS_TEST_DIRNAME/fixtures/hooks/well-behaved-hook" \
		--out "$out"
	assert_contains "$output" "0 mismatches"
	[ "$(observed "$out" hello)" = "ok 2.31 " ]
	[ "$(sha256sum <"$VICTIM")" = "$BEFORE" ]
}
