#!/usr/bin/env bats
# From diagnosis to remedy: binaries built to ship for an older glibc
# (`flags --portable`), and a binary pointed at a sysroot in one step
# (`patch --sysroot`).  Every claim is a run on the real loaders.

load helpers

setup_file() {
	ensure_sysroot debian-bullseye-amd64 import bullseye
	ensure_sysroot debian-bookworm-amd64 import bookworm
	ensure_sysroot debian-trixie-amd64 import trixie
}

# newest PREFIX FILE: the newest PREFIX version node FILE needs (GLIBC_, GLIBCXX_).
newest() {
	objdump -T "$2" | grep -o "$1[0-9.]*[0-9]" | sort -uV | tail -n 1
}

@test "flags --portable: a multi-file program built against bullseye ships: standard loader, no store path, runs on bullseye, bookworm, trixie and the host" {
	local src=$BATS_TEST_TMPDIR/proj
	mkdir -p "$src"
	cat >"$src/lib.c" <<-'EOF2'
	#define _FILE_OFFSET_BITS 64
	#include <fcntl.h>
	#include <gnu/libc-version.h>
	#include <unistd.h>
	const char *runtime_glibc(void) { return gnu_get_libc_version(); }
	int lock_probe(const char *path) {
		int fd = open(path, O_RDONLY);
		struct flock l = {.l_type = F_RDLCK, .l_whence = SEEK_SET};
		int r = fd < 0 ? -1 : fcntl(fd, F_GETLK, &l);
		if (fd >= 0)
			close(fd);
		return r;
	}
	EOF2
	cat >"$src/main.c" <<-'EOF2'
	#include <stdio.h>
	const char *runtime_glibc(void);
	int lock_probe(const char *path);
	int main(int argc, char **argv) {
		(void)argc;
		printf("glibc=%s lock=%d\n", runtime_glibc(), lock_probe(argv[0]));
		return 0;
	}
	EOF2
	local flags
	flags=$("$GM" flags --sysroot bullseye --portable 3>&-)
	# shellcheck disable=SC2086 # flags prints words meant to be split
	cc $flags -O2 -c -o "$src/lib.o" "$src/lib.c"
	# shellcheck disable=SC2086
	cc $flags -O2 -o "$src/app" "$src/main.c" "$src/lib.o"
	run readelf -l -d "$src/app"
	assert_contains "$output" "[Requesting program interpreter: /lib64/ld-linux-x86-64.so.2]"
	assert_not_contains "$output" "RUNPATH"
	assert_not_contains "$output" "RPATH"
	assert_not_contains "$output" "$GLIBC_MATRIX_STORE"
	# bullseye's floor: 2.31 defines no node of its own, so GLIBC_2.30 at most
	# (built on the host it would need GLIBC_2.34 for its start-up code).
	run newest GLIBC_ "$src/app"
	echo "$output"
	[ "$(printf '%s\nGLIBC_2.30\n' "$output" | sort -V | tail -n 1)" = GLIBC_2.30 ]
	run "$src/app"
	assert_contains "$output" "glibc=2.36 lock=0"
	run_gm 0 check "$src/app" --against bullseye --against bookworm --against trixie \
		-m loader -m interp -m host --out "$BATS_TEST_TMPDIR/out"
	assert_contains "$output" "0 mismatches"
	run method_cells "$BATS_TEST_TMPDIR/out"
	echo "$output"
	assert_contains "$output" "loader debian-bullseye-amd64 ok ok"
	assert_contains "$output" "interp debian-trixie-amd64 ok ok"
	[ "$(grep -c ' ok ok' <<<"$output")" -eq 7 ]
}

@test "flags --portable --c++: bullseye's libstdc++ headers and library, so no GLIBCXX newer than bullseye's; it runs there" {
	require_tool g++ g++
	local d=$BATS_TEST_TMPDIR
	# shellcheck disable=SC2046 # flags prints words meant to be split
	g++ $("$GM" flags --sysroot bullseye --portable --c++ 3>&-) -O2 -o "$d/cxx" \
		"$TOP/tests/fixtures/cxx-app.cc"
	run readelf -d "$d/cxx"
	assert_not_contains "$output" "RUNPATH"
	run newest GLIBCXX_ "$d/cxx"
	echo "$output"
	[ "$(printf '%s\nGLIBCXX_3.4.28\n' "$output" | sort -V | tail -n 1)" = GLIBCXX_3.4.28 ]
	run_gm 0 check "$d/cxx" --against bullseye --against trixie -m loader --out "$d/out"
	assert_contains "$output" "0 mismatches"
	run method_cells "$d/out"
	assert_contains "$output" "loader debian-bullseye-amd64 ok ok"
	assert_contains "$output" "loader debian-trixie-amd64 ok ok"
}

@test "flags --portable for a glibc before 2.34: a threaded program that links against trixie as it is links against bullseye too (libpthread as needed), and a plain one needs no libpthread" {
	local d=$BATS_TEST_TMPDIR
	printf '%s\n' '#include <pthread.h>' '#include <dlfcn.h>' \
		'static void *f(void *a) { return a; }' \
		'int main(void) { pthread_t t; void *h = dlopen("libm.so.6", RTLD_NOW);' \
		'  if (pthread_create(&t, 0, f, 0) || pthread_join(t, 0) || !h) return 1; return 0; }' \
		>"$d/thr.c"
	printf 'int main(void) { return 0; }\n' >"$d/plain.c"
	# shellcheck disable=SC2046 # flags prints words meant to be split
	cc $("$GM" flags --sysroot trixie --portable 3>&-) -o "$d/thr-trixie" "$d/thr.c"
	# The same line against bullseye: pthread_create and dlopen are in
	# libpthread and libdl there, which the flags link as needed.
	# shellcheck disable=SC2046
	cc $("$GM" flags --sysroot bullseye --portable 3>&-) -o "$d/thr" "$d/thr.c"
	# shellcheck disable=SC2046
	cc $("$GM" flags --sysroot bullseye --portable 3>&-) -o "$d/plain" "$d/plain.c"
	run readelf -d "$d/thr"
	assert_contains "$output" "[libpthread.so.0]"
	assert_contains "$output" "[libdl.so.2]"
	run readelf -d "$d/plain"
	assert_not_contains "$output" "libpthread"
	run_gm 0 check "$d/thr" --against bullseye --against bookworm --against trixie --out "$d/out"
	assert_contains "$output" "6 ok, 0 mismatches"
}

@test "patch --sysroot: the sysroot's loader and library directories in one step; the architecture and --interp are checked" {
	local d=$BATS_TEST_TMPDIR
	# shellcheck disable=SC2046 # flags prints words meant to be split
	cc $("$GM" flags --sysroot bullseye --portable 3>&-) -o "$d/version" "$TOP/tests/fixtures/version.c"
	run_gm 0 patch "$d/version" -o "$d/on-bullseye" --sysroot bullseye
	run "$d/on-bullseye"
	assert_contains "$output" "glibc=2.31"
	assert_contains "$output" "$GLIBC_MATRIX_STORE/sysroots/debian-bullseye-amd64/"
	run_gm 0 patch "$d/version" -o "$d/on-trixie" --sysroot trixie
	run "$d/on-trixie"
	assert_contains "$output" "glibc=2.41"
	run readelf -d "$d/on-trixie"
	assert_contains "$output" "Library runpath: [$GLIBC_MATRIX_STORE/sysroots/debian-trixie-amd64/"
	# A path option of the user's wins over the sysroot's directories.
	run_gm 0 patch "$d/version" -o "$d/no-path" --sysroot trixie --remove-runpath
	run readelf -d "$d/no-path"
	assert_not_contains "$output" "RUNPATH"
	run_gm 2 patch "$d/version" -o "$d/x" --sysroot trixie --interp /lib64/ld-linux-x86-64.so.2
	assert_contains "$output" "--sysroot sets the interpreter"
	ensure_sysroot debian-trixie-arm64 import trixie --arch arm64
	run_gm 2 patch "$d/version" -o "$d/x" --sysroot debian-trixie-arm64
	assert_contains "$output" "is a x86_64 file and sysroot debian-trixie-arm64 is aarch64"
	[ ! -e "$d/x" ]
}

# A bundle as applications ship: bin/app finds lib/ through
# RUNPATH=$ORIGIN/../lib; lib/libnew.so (built on trixie, exp10@GLIBC_2.39)
# needs lib/libdep.so through its own RUNPATH=$ORIGIN.
make_bundle() {
	local b=$1 flags
	mkdir -p "$b/bin" "$b/lib" "$b/src"
	flags=$("$GM" flags --sysroot trixie --portable 3>&-)
	printf '%s\n' 'int dep(int x) { return x + 1; }' >"$b/src/dep.c"
	printf '%s\n' '#define _GNU_SOURCE' '#include <math.h>' 'int dep(int);' \
		'double scaled(double x) { return exp10(x) + dep(0); }' >"$b/src/new.c"
	printf '%s\n' '#include <stdio.h>' '#include <string.h>' 'double scaled(double);' \
		'int main(void) { char b[8]; strlcpy(b, "ok", sizeof b); printf("%s %.0f\n", b, scaled(2)); return 0; }' \
		>"$b/src/app.c"
	# shellcheck disable=SC2086 # flags prints words meant to be split
	cc $flags -shared -fPIC -o "$b/lib/libdep.so" "$b/src/dep.c"
	# shellcheck disable=SC2086,SC2016
	cc $flags -shared -fPIC -o "$b/lib/libnew.so" "$b/src/new.c" -L"$b/lib" -ldep -lm \
		-Wl,-rpath,'$ORIGIN' -Wl,--enable-new-dtags
	# shellcheck disable=SC2086,SC2016
	cc $flags -o "$b/bin/app" "$b/src/app.c" -L"$b/lib" -lnew -Wl,-rpath,'$ORIGIN/../lib' \
		-Wl,--enable-new-dtags
}

@test "inspect --closure: the floor of a bundle is its library's GLIBC_2.39, not the program's GLIBC_2.38; explain --closure names both, the real loader agrees" {
	local b=$BATS_TEST_TMPDIR/bundle
	make_bundle "$b"
	run_gm 0 inspect "$b/bin/app"
	assert_contains "$output" "glibc floor: GLIBC_2.38"
	run_gm 0 inspect --closure "$b/bin/app"
	echo "$output"
	assert_contains "$output" "$b/bin/app: closure of 3 objects, glibc floor GLIBC_2.39 set by $b/lib/libnew.so"
	assert_contains "$output" "GLIBC_2.39   $b/lib/libnew.so (libnew.so, needed by $b/bin/app)"
	assert_contains "$output" "$b/lib/libdep.so (libdep.so, needed by $b/lib/libnew.so)"
	assert_contains "$output" "from the target system: libc.so.6 libm.so.6"
	run_gm 0 inspect --closure --json "$b/bin/app"
	[ "$(python3 -c 'import json,sys; d=json.load(sys.stdin)[0]; print(d["glibc_floor"], d["set_by"].split("/")[-1], len(d["objects"]))' <<<"$output")" = "2.39 libnew.so 3" ]
	# Against bookworm (2.36) both nodes are missing, each named with its object.
	run_gm 1 explain "$b/bin/app" --against bookworm --closure
	echo "$output"
	assert_contains "$output" "glibc floor GLIBC_2.39 set by $b/lib/libnew.so"
	assert_contains "$output" "$b/bin/app needs GLIBC_2.38 from libc.so.6"
	assert_contains "$output" "/lib/libnew.so needs GLIBC_2.39 from libm.so.6"
	assert_contains "$output" "exp10@GLIBC_2.39"
	# The real loader: runs on trixie (2.41), not on bookworm.
	run_gm 1 check "$b/bin/app" --against bookworm --against trixie -m loader --out "$BATS_TEST_TMPDIR/out"
	assert_contains "$output" "0 mismatches"
	run method_cells "$BATS_TEST_TMPDIR/out"
	echo "$output"
	assert_contains "$output" "loader debian-trixie-amd64 ok ok"
	assert_contains "$output" "loader debian-bookworm-amd64 symbol-version symbol-version"
	# Errors: a directory, a non-ELF file.
	run_gm 2 inspect --closure "$b/bin"
	assert_contains "$output" "is a directory"
	run_gm 2 inspect --closure "$b/src/app.c"
	assert_contains "$output" "is not an ELF file"
}

@test "explain --against-all: the bundle against every x86_64 sysroot, oldest first; the oldest that runs it and the newest that does not, confirmed by the real loader" {
	local b=$BATS_TEST_TMPDIR/bundle
	make_bundle "$b"
	run_gm 1 explain "$b/bin/app" --against-all
	echo "$output"
	assert_contains "$output" "against every x86_64 sysroot in the store, oldest glibc first"
	assert_contains "$output" "debian-bookworm-amd64      symbol-version GLIBC_2.38"
	assert_contains "$output" "debian-trixie-amd64        ok"
	run_gm 1 explain "$b/bin/app" --against-all --json
	local j=$output
	# Sorted by version; the loader method runs it exactly from 2.39 on (its
	# closure's floor), and the summary names the boundary on either side.
	run python3 - <<-PY
	import json
	d = json.loads('''$j''')
	v = lambda s: tuple(int(x) for x in s.split("."))
	rows = d["sysroots"]
	assert [v(r["glibc_version"]) for r in rows] == sorted(v(r["glibc_version"]) for r in rows)
	for r in rows:
	    ok = r["methods"]["loader"]["outcome"] == "ok"
	    assert ok == (v(r["glibc_version"]) >= (2, 39)), r
	by = {r["sysroot"]: r["glibc_version"] for r in rows}
	s = d["by_method"]["loader"]
	assert v(by[s["oldest_that_runs"]]) >= (2, 39) and v(by[s["newest_that_does_not"]]) < (2, 39), s
	print(s["oldest_that_runs"], s["newest_that_does_not"])
	PY
	echo "$output"
	[ "$status" -eq 0 ]
	local ok=${output% *} bad=${output#* }
	run_gm 1 check "$b/bin/app" --against "$ok" --against "$bad" -m loader --out "$BATS_TEST_TMPDIR/out"
	assert_contains "$output" "0 mismatches"
	run method_cells "$BATS_TEST_TMPDIR/out"
	assert_contains "$output" "loader $ok ok ok"
	assert_contains "$output" "loader $bad symbol-version symbol-version"
	run_gm 2 explain "$b/bin/app" --against-all --against trixie
	assert_contains "$output" "--against-all takes no --against"
}
