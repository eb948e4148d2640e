#!/usr/bin/env bats
# sysroot import: sysroots from Debian suites' binary packages.  Uses the
# Debian archive this machine's apt uses (or $GLIBC_MATRIX_MIRROR).  The
# suites' sysroots go into the shared store, where a rerun finds them
# cached; tests that break or remove things use a scratch store.

load helpers

# load_manifest NAME: reads a sysroot's manifest into the associative array
# M (lists joined by ':'), in one python start (they are slow here).
declare -gA M
load_manifest() {
	M=()
	local k v
	while IFS=$'\t' read -r k v; do
		M[$k]=$v
	done < <(python3 - "$GLIBC_MATRIX_STORE/sysroots/$1/sysroot.json" <<'EOF'
import json, sys
for k, v in json.load(open(sys.argv[1])).items():
    print(k, ":".join(v) if isinstance(v, list) else v, sep="\t")
EOF
	)
	[ -n "${M[name]:-}" ]
}

# import_ok SUITE VERSION [ARGS...]: imports (or finds) SUITE and checks its
# manifest: version, origin, arch, every path under the sysroot's own dir.
import_ok() {
	local suite=$1 version=$2
	shift 2
	run_gm sysroot import "$suite" "$@"
	assert_contains "$output" ": glibc $version ("
	local line name
	line=$(grep -E '^(imported|have) ' <<<"$output")
	name=${line#* }
	name=${name%%:*}
	IMPORTED=$name
	local dir=$GLIBC_MATRIX_STORE/sysroots/$name
	load_manifest "$name"
	[ "${M[name]}" = "$name" ]
	[ "${M[glibc_version]}" = "$version" ]
	[ "${M[origin]}" = "debian:$suite" ]
	[ "${M[prefix]}" = "$dir" ]
	[[ "${M[loader]}" == "$dir/"* ]]
	[ -n "${M[package_version]}" ]
	[ "${#M[source_sha256]}" -eq 64 ]
	local d
	IFS=: read -ra dirs <<<"${M[libdirs]}:${M[includedirs]}"
	for d in "${dirs[@]}"; do
		[[ "$d" == "$dir/"* ]]
		[ -d "$d" ]
	done
	# A complete sysroot: no staging directory left behind.
	[ ! -e "$GLIBC_MATRIX_STORE/build/$name/stage" ]
}

# The sysroot's own loader loads its own libc.so.6, which prints its banner.
check_banner() {
	local name=$1 version=$2
	local loader libdirs libc
	load_manifest "$name"
	loader=${M[loader]}
	libdirs=${M[libdirs]}
	libc=${libdirs%%:*}/libc.so.6
	run "$loader" --inhibit-cache --library-path "$libdirs" "$libc"
	echo "$output"
	[ "$status" -eq 0 ]
	assert_contains "$output" "release version $version"
}

# Every symlink is relative and stays inside the sysroot (one python start
# for the ~1000 links of linux-libc-dev, not one realpath each).
check_symlinks() {
	python3 - "$GLIBC_MATRIX_STORE/sysroots/$1" <<'EOF'
import os, sys
root = os.path.realpath(sys.argv[1])
bad = []
for d, dirs, files in os.walk(root):
    for n in dirs + files:
        p = os.path.join(d, n)
        if not os.path.islink(p):
            continue
        t = os.readlink(p)
        real = os.path.normpath(os.path.join(d, t))
        if t.startswith("/") or not (real + "/").startswith(root + "/"):
            bad.append(f"{p} -> {t}")
print("\n".join(bad))
sys.exit(1 if bad else 0)
EOF
}

skip_unless_amd64() {
	[ "$HOST_ARCH" = amd64 ] || skip "needs an amd64 host (this is $HOST_ARCH)"
}

# A hello world built by the host compiler against the host glibc.
build_hello() {
	command -v gcc >/dev/null || skip "no gcc"
	printf '#include <stdio.h>\nint main(void) { puts("hello"); return 0; }\n' \
		>"$BATS_TEST_TMPDIR/hello.c"
	gcc -o "$BATS_TEST_TMPDIR/hello" "$BATS_TEST_TMPDIR/hello.c"
}

# A scratch store seeded with the shared store's downloads (copies, not
# links: some tests corrupt them), so the scratch imports stay fast.
scratch_store_with_downloads() {
	local shared=$GLIBC_MATRIX_STORE
	use_scratch_store
	if [ -d "$shared/downloads" ]; then
		mkdir -p "$GLIBC_MATRIX_STORE/downloads"
		cp "$shared"/downloads/*bookworm-amd64* "$shared"/downloads/*_2.36-*_amd64.deb \
			"$GLIBC_MATRIX_STORE/downloads/" 2>/dev/null || true
	fi
}

@test "import: bookworm amd64 is glibc 2.36 and its loader runs its libc" {
	import_ok bookworm 2.36 --arch amd64
	[ "$IMPORTED" = debian-bookworm-amd64 ]
	[ "${M[arch]}" = x86_64 ]
	check_banner "$IMPORTED" 2.36
	check_symlinks "$IMPORTED"
}

@test "import: bullseye amd64 is glibc 2.31, lib64 loader link made relative" {
	import_ok bullseye 2.31 --arch amd64
	check_banner "$IMPORTED" 2.31
	check_symlinks "$IMPORTED"
	# bullseye ships /lib64/ld-linux-x86-64.so.2 -> /lib/x86_64-linux-gnu/ld-2.31.so.
	local dir=$GLIBC_MATRIX_STORE/sysroots/$IMPORTED
	[ "$(readlink "$dir/lib64/ld-linux-x86-64.so.2")" = ../lib/x86_64-linux-gnu/ld-2.31.so ]
	[ -f "$dir/lib64/ld-linux-x86-64.so.2" ]
}

@test "import: trixie amd64 is glibc 2.41, usr-merged with /lib compat links" {
	import_ok trixie 2.41 --arch amd64
	check_banner "$IMPORTED" 2.41
	check_symlinks "$IMPORTED"
	local dir=$GLIBC_MATRIX_STORE/sysroots/$IMPORTED
	[ "$(readlink "$dir/lib")" = usr/lib ]
	[ "$(readlink "$dir/lib64")" = usr/lib64 ]
	# Every path the libc.so linker script names exists under the sysroot.
	local p
	while read -r p; do
		[ -e "$dir$p" ] || { echo "libc.so names $p, missing"; return 1; }
	done < <(grep -o '/[^ )]*' "$dir/usr/lib/x86_64-linux-gnu/libc.so" | grep -v '^/\*')
}

@test "import: a host-built binary needs GLIBC_2.34, fails on bullseye, runs on trixie" {
	skip_unless_amd64
	build_hello
	import_ok bullseye 2.31 --arch amd64
	local old_loader=${M[loader]} old_libdirs=${M[libdirs]}
	import_ok trixie 2.41 --arch amd64

	run "$old_loader" --inhibit-cache --library-path "$old_libdirs" "$BATS_TEST_TMPDIR/hello"
	echo "$output"
	[ "$status" -ne 0 ]
	assert_contains "$output" "GLIBC_2.34' not found"

	run "${M[loader]}" --inhibit-cache --library-path "${M[libdirs]}" "$BATS_TEST_TMPDIR/hello"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$output" = hello ]
}

@test "import: bookworm arm64 has an aarch64 libc" {
	import_ok bookworm 2.36 --arch arm64
	[ "$IMPORTED" = debian-bookworm-arm64 ]
	[ "${M[arch]}" = aarch64 ]
	[[ "${M[loader]}" == */ld-linux-aarch64.so.1 ]]
	local libc=${M[libdirs]%%:*}/libc.so.6
	run readelf -h "$libc"
	assert_contains "$output" "AArch64"
	check_symlinks "$IMPORTED"
}

@test "import: trixie riscv64 has a riscv64 libc" {
	import_ok trixie 2.41 --arch riscv64
	[ "${M[arch]}" = riscv64 ]
	[[ "${M[loader]}" == */ld-linux-riscv64-lp64d.so.1 ]]
	local libc=${M[libdirs]%%:*}/libc.so.6
	run readelf -h "$libc"
	assert_contains "$output" "RISC-V"
}

@test "import: bookworm has no riscv64; exit 2, nothing left behind" {
	use_scratch_store
	run_gm 2 sysroot import bookworm --arch riscv64
	assert_contains "$output" "suite 'bookworm' has no architecture 'riscv64'"
	[ ! -e "$GLIBC_MATRIX_STORE/sysroots/debian-bookworm-riscv64" ]
	[ ! -e "$GLIBC_MATRIX_STORE/build/debian-bookworm-riscv64" ]
}

@test "import: an unknown suite is a usage error naming it" {
	use_scratch_store
	run_gm 2 sysroot import no-such-suite-zz
	assert_contains "$output" "no suite 'no-such-suite-zz' in the Debian archive at "
	[ ! -e "$GLIBC_MATRIX_STORE/sysroots/debian-no-such-suite-zz-$HOST_ARCH" ]
}

@test "import: bad arguments are usage errors" {
	use_scratch_store
	run_gm 2 sysroot import 'Bad/Suite'
	assert_contains "$output" "invalid suite name"
	run_gm 2 sysroot import bookworm --arch i386
	assert_contains "$output" "unsupported architecture 'i386'"
	run_gm 2 sysroot import
	assert_contains "$output" "missing SUITE"
	run_gm 2 sysroot import bookworm trixie
	run_gm 2 sysroot import bookworm --bogus
	run_gm 2 sysroot import bookworm --name '../x'
	assert_contains "$output" "invalid sysroot name"
	run_gm sysroot import --help
	assert_contains "$output" "usage: glibc-matrix sysroot import SUITE"
}

@test "import: a second import is a cache hit, with no network" {
	import_ok bookworm 2.36 --arch amd64
	local t0=$EPOCHREALTIME
	# An unusable mirror proves nothing is fetched.
	GLIBC_MATRIX_MIRROR=http://127.0.0.1:9/nothing run_gm sysroot import bookworm --arch amd64
	local ms=$(( (${EPOCHREALTIME/./} - ${t0/./}) / 1000 ))
	echo "# cache hit took ${ms} ms" >&3
	assert_contains "$output" "debian-bookworm-amd64 is already imported"
	assert_not_contains "$output" "download"
	[ "$ms" -lt 1000 ]
}

@test "import: --refresh keeps an unchanged sysroot and replaces a stale one" {
	scratch_store_with_downloads
	import_ok bookworm 2.36 --arch amd64
	local dir=$GLIBC_MATRIX_STORE/sysroots/$IMPORTED key=${M[cache_key]}

	run_gm sysroot import bookworm --arch amd64 --refresh
	assert_contains "$output" "is up to date with the archive"
	load_manifest "$IMPORTED"
	[ "${M[cache_key]}" = "$key" ]

	# A manifest from other inputs (an older importer, an older revision).
	sed -i 's/"cache_key": "[0-9a-f]*"/"cache_key": "stale"/' "$dir/sysroot.json"
	run_gm sysroot import bookworm --arch amd64 --refresh
	assert_contains "$output" "replaced"
	load_manifest "$IMPORTED"
	[ "${M[cache_key]}" = "$key" ]
	check_banner "$IMPORTED" 2.36
	# The old tree went to the trash and was deleted; no staging left.
	[ -z "$(ls -A "$GLIBC_MATRIX_STORE/trash")" ]
	[ ! -e "$GLIBC_MATRIX_STORE/build/$IMPORTED" ]
}

@test "import: a corrupted .deb in the download cache is fetched again" {
	scratch_store_with_downloads
	import_ok bookworm 2.36 --arch amd64
	local deb
	deb=$(ls "$GLIBC_MATRIX_STORE"/downloads/libc6_2.36-*_amd64.deb)
	echo "this is not a Debian package" >"$deb"
	rm -rf "$GLIBC_MATRIX_STORE/sysroots/$IMPORTED"

	run_gm sysroot import bookworm --arch amd64
	assert_contains "$output" "does not match the index's sha256, downloading again"
	assert_contains "$output" "imported debian-bookworm-amd64: glibc 2.36"
	load_manifest "$IMPORTED"
	[ "$(sha256sum <"$deb" | cut -d' ' -f1)" = "${M[source_sha256]}" ]
	check_banner "$IMPORTED" 2.36
}

@test "import: --name, and a name taken by another sysroot" {
	scratch_store_with_downloads
	run_gm sysroot import bookworm --arch amd64 --name my-bookworm
	assert_contains "$output" "imported my-bookworm: glibc 2.36"
	load_manifest my-bookworm
	[ "${M[prefix]}" = "$GLIBC_MATRIX_STORE/sysroots/my-bookworm" ]
	run_gm 2 sysroot import trixie --arch amd64 --name my-bookworm
	assert_contains "$output" "a sysroot named 'my-bookworm' already exists"
	load_manifest my-bookworm
	[ "${M[glibc_version]}" = 2.36 ]
}

@test "import: an interrupted import leaves no sysroot and no staging directory" {
	use_scratch_store
	"$GM" sysroot import bookworm --arch amd64 3>&- &
	local pid=$!
	sleep 1.5
	kill -INT "$pid" 2>/dev/null || true
	local rc=0
	wait "$pid" || rc=$?
	echo "exit $rc"
	if [ "$rc" -eq 0 ]; then
		skip "the import finished before the interruption"
	fi
	[ "$rc" -eq 130 ]
	[ ! -e "$GLIBC_MATRIX_STORE/sysroots/debian-bookworm-amd64" ]
	[ ! -e "$GLIBC_MATRIX_STORE/build/debian-bookworm-amd64/stage" ]
}

@test "remove leaves an empty trash, and sweeps what a killed harness left there" {
	use_scratch_store
	run_gm sysroot import bookworm --arch amd64
	# A dead owner's leftover (pid 4000000 does not exist: pid_max is lower).
	mkdir -p "$GLIBC_MATRIX_STORE/trash/4000000.abcdef/usr/lib"
	run_gm sysroot remove debian-bookworm-amd64
	[ -z "$(ls -A "$GLIBC_MATRIX_STORE/trash")" ]
	[ -z "$(ls -A "$GLIBC_MATRIX_STORE/sysroots")" ]
}
