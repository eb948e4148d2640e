#!/usr/bin/env bats
# A policy's RUN names a sysroot as --against does: "against bookworm"
# matches debian-bookworm-amd64, a profile its stand-in; globs stay globs.

load helpers

setup_file() {
	ensure_sysroot debian-bullseye-amd64 import bullseye
	ensure_sysroot debian-bookworm-amd64 import bookworm
}

@test "check --policy: 'against bookworm' and a profile's name match the sysroots --against resolves them to" {
	local d=$BATS_TEST_TMPDIR
	# The host's true needs GLIBC_2.34: bookworm's 2.36 runs it, bullseye's
	# 2.31 (debian11's stand-in) does not.
	cat >"$d/names.policy" <<-'P'
	require * by loader,interp against bookworm
	allow * by * against debian11: bullseye's glibc is older than our floor
	P
	run_gm 0 check /usr/bin/true --against bookworm --against bullseye -m loader -m interp \
		--policy "$d/names.policy" --out "$d/a"
	assert_contains "$output" "allowed /usr/bin/true on debian-bullseye-amd64 by loader: symbol-version (bullseye's glibc is older than our floor)"
	assert_contains "$output" "policy: 0 violations, 2 allowed failures"
	# A name resolved but not run is named with what it resolved to.
	printf 'require * by loader against bullseye\n' >"$d/missing.policy"
	run_gm 1 check /usr/bin/true --against bookworm -m loader --policy "$d/missing.policy" --out "$d/b"
	assert_contains "$output" "FAIL line 1 requires * by loader against bullseye (debian-bullseye-amd64): no cell of this run matches it"
	# A glob is a glob: "bookworm*" is not a name and matches no sysroot name.
	printf 'require * by loader against bookworm*\n' >"$d/glob.policy"
	run_gm 1 check /usr/bin/true --against bookworm -m loader --policy "$d/glob.policy" --out "$d/c"
	assert_contains "$output" "FAIL line 1 requires * by loader against bookworm*: no cell"
}
