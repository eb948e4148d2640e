#!/usr/bin/env bats
# check, explain and exec on the kinds of files people ship, not only our
# probes: a library outside glibc missing a symbol (versioned or not), a
# static executable, a shared object, a file of another architecture;
# sysroots named by suite or glibc version; one exit-code table for input
# that is not what a command needs.  Fixtures are built here, by the
# compiler, and every verdict is checked against the real loader.

load helpers

setup_file() {
	ensure_sysroot debian-bullseye-amd64 import bullseye
	ensure_sysroot debian-bookworm-amd64 import bookworm
	ensure_sysroot debian-bookworm-arm64 import bookworm --arch arm64
	ensure_sysroot "$GM_SOURCE_NAME" build "$GM_SOURCE_VERSION"
	local d=$BATS_FILE_TMPDIR
	mkdir -p "$d/v1" "$d/v2"
	# Programs linked against v2 of a library find v1 through their
	# RUNPATH, as an application finds an older copy on the target system.
	cat >"$d/lib.c" <<-'EOF'
	int old_fn(void) { return 1; }
	int other_fn(void) { return 4; }
	#ifdef V2
	int new_fn(void) { return 2; }
	int new_ver_fn(void) { return 3; }
	#endif
	EOF
	# v1 defines node LIBGMSYM_2 too, without new_ver_fn: the node exists,
	# the symbol does not (as a distribution's older build of a library).
	printf 'LIBGMSYM_1 { global: old_fn; local: *; };\nLIBGMSYM_2 { global: other_fn; } LIBGMSYM_1;\n' >"$d/v1.map"
	printf 'LIBGMSYM_1 { global: old_fn; local: *; };\nLIBGMSYM_2 { global: other_fn; new_ver_fn; } LIBGMSYM_1;\n' >"$d/v2.map"
	cc -shared -fPIC -Wl,-soname,libgmsym.so.1 -Wl,--version-script,"$d/v1.map" \
		-o "$d/v1/libgmsym.so.1" "$d/lib.c"
	cc -DV2 -shared -fPIC -Wl,-soname,libgmsym.so.1 -Wl,--version-script,"$d/v2.map" \
		-o "$d/v2/libgmsym.so.1" "$d/lib.c"
	ln -sf libgmsym.so.1 "$d/v2/libgmsym.so"
	printf '#include <stdio.h>\nint new_ver_fn(void);\nint main(void) { printf("%%d\\n", new_ver_fn()); return 0; }\n' >"$d/ver.c"
	cc -o "$d/needs-ver" "$d/ver.c" -L"$d/v2" -lgmsym -Wl,-rpath,"$d/v1"
	# Unversioned: a library built without a version script at all.
	mkdir -p "$d/u1" "$d/u2"
	cc -shared -fPIC -Wl,-soname,libgmplain.so.1 -o "$d/u1/libgmplain.so.1" "$d/lib.c"
	cc -DV2 -shared -fPIC -Wl,-soname,libgmplain.so.1 -o "$d/u2/libgmplain.so.1" "$d/lib.c"
	ln -sf libgmplain.so.1 "$d/u2/libgmplain.so"
	printf '#include <stdio.h>\nint new_fn(void);\nint main(void) { printf("%%d\\n", new_fn()); return 0; }\n' >"$d/plain.c"
	cc -o "$d/needs-plain" "$d/plain.c" -L"$d/u2" -lgmplain -Wl,-rpath,"$d/u1"
	cc -static -o "$d/static" "$TOP/tests/fixtures/version.c" 2>/dev/null || true
	# An application that ships its own libz.so.1 (newer than the host's:
	# it defines gm_bundled_fn) in $ORIGIN/../lib, and also needs a library
	# only the host has (libbz2), so the host's directory, which holds the
	# host's older libz.so.1, is searched too.
	mkdir -p "$d/app/bin" "$d/app/lib"
	printf 'int gm_bundled_fn(void) { return 7; }\n' >"$d/bundled.c"
	cc -shared -fPIC -Wl,-soname,libz.so.1 -o "$d/app/lib/libz.so.1" "$d/bundled.c"
	printf '#include <stdio.h>\nint gm_bundled_fn(void);\nextern const char *BZ2_bzlibVersion(void);\nint main(void) { printf("%%d %%s\\n", gm_bundled_fn(), BZ2_bzlibVersion()); return 0; }\n' >"$d/app.c"
	cc -o "$d/app/bin/app" "$d/app.c" "$d/app/lib/libz.so.1" /lib/x86_64-linux-gnu/libbz2.so.1.0 \
		-Wl,-rpath,'$ORIGIN/../lib' -Wl,--enable-new-dtags
	printf 'int gm_host_fn(void);\nint plugin_fn(void) { return gm_host_fn(); }\n' >"$d/needs-host.c"
	cc -shared -fPIC -o "$d/needs-host.so" "$d/needs-host.c"
	# A Python extension's way of needing its host program: PyLong_FromLong.
	printf 'void *PyLong_FromLong(long);\nvoid *gm_answer(void) { return PyLong_FromLong(42); }\n' >"$d/needs-python.c"
	cc -shared -fPIC -o "$d/needs-python.so" "$d/needs-python.c"
	printf '#include <string.h>\nint main(int c, char **v) { return c == 3 && !strcmp(v[1], "a b") && !strcmp(v[2], "it'"'"'s") ? 0 : 3; }\n' >"$d/args.c"
	cc -o "$d/args" "$d/args.c"
	# A program that needs libgcc_s, which Debian sysroots carry themselves.
	cc -o "$d/gcc-s" "$TOP/tests/fixtures/version.c" -Wl,--no-as-needed -lgcc_s
	printf 'not an ELF file\n' >"$d/text"
	head -c 200 /bin/true >"$d/truncated"
}

# field OUT KEY: KEY of the only cell of OUT/results.json ("observed.outcome").
cells() {
	python3 - "$1" <<-'PY'
	import json, sys
	for c in json.load(open(sys.argv[1] + "/results.json"))["cells"]:
	    print(c["method"], c["predicted"]["outcome"], c["observed"]["outcome"], c["observed"]["detail"])
	PY
}

# missing_symbol FILE SYMBOL LOADER-DETAIL: the real loader refuses FILE
# naming SYMBOL; explain predicts missing-symbol; check observes and
# predicts it by the loader method, with the loader's detail.
missing_symbol() {
	local f=$1 sym=$2 detail=$3
	run -127 "$f"
	echo "$output"
	assert_contains "$output" "undefined symbol: $sym"
	run_gm 1 explain "$f" --against bookworm
	assert_contains "$output" "outcome: missing-symbol (${sym%%,*})"
	assert_not_contains "$output" "mixed-glibc"
	run_gm 1 check "$f" --against bookworm -m loader --out "$BATS_TEST_TMPDIR/out"
	run cells "$BATS_TEST_TMPDIR/out"
	echo "$output"
	[ "$output" = "loader missing-symbol missing-symbol $detail" ]
}

@test "a library outside glibc missing an unversioned symbol: missing-symbol, predicted, as the loader says" {
	missing_symbol "$BATS_FILE_TMPDIR/needs-plain" new_fn new_fn
	run_gm 1 explain "$BATS_FILE_TMPDIR/needs-plain" --against bookworm
	assert_contains "$output" "needs symbols that no object of the process defines"
}

@test "a missing symbol at a library's own version node is missing-symbol, not mixed-glibc" {
	missing_symbol "$BATS_FILE_TMPDIR/needs-ver" "new_ver_fn, version LIBGMSYM_2" \
		new_ver_fn@LIBGMSYM_2
}

@test "exec reports a load failure as 127 with the outcome; a program's own failure keeps its status" {
	run_gm 127 exec --sysroot bookworm -- "$BATS_FILE_TMPDIR/needs-plain"
	assert_contains "$output" "did not load by method loader: missing-symbol (new_fn)"
	# ls of this host needs GLIBC_2.33+: the loader exits 1, exec says 127.
	run_gm 127 exec --sysroot bullseye -- /usr/bin/ls /
	assert_contains "$output" "did not load by method loader: symbol-version (GLIBC_2.3"
	run_gm 127 exec --sysroot bullseye --method interp -- /usr/bin/ls /
	run_gm 3 exec --sysroot bookworm -- sh -c 'echo own failure >&2; exit 3'
	assert_contains "$output" "own failure"
	assert_not_contains "$output" "did not load"
}

@test "a static executable: check skips the methods that swap glibc, says why, runs it directly" {
	local f=$BATS_FILE_TMPDIR/static
	[ -x "$f" ] || missing_tool "cc -static does not link here (libc.a: Debian package libc6-dev)"
	run_gm 0 check "$f" --against bullseye -m loader -m interp -m host --out "$BATS_TEST_TMPDIR/out"
	assert_contains "$output" "skipped (static executable: it carries its own libc"
	run cells "$BATS_TEST_TMPDIR/out"
	echo "$output"
	assert_contains "$output" "loader skipped skipped static executable"
	assert_contains "$output" "interp skipped skipped static executable"
	assert_contains "$output" "host ok ok"
	run_gm 0 explain "$f" --against bullseye
	assert_contains "$output" "static"
	run_gm 0 exec --sysroot bullseye -- "$f"
	assert_contains "$output" "is a static executable: it carries its own libc"
	assert_contains "$output" "glibc=$(ldd --version | sed -n '1s/.* //p')"
}

@test "a shared object is loaded (dlopen, RTLD_NOW) by our program built against each sysroot, never run" {
	# This host's libselinux (Debian's, nobody here wrote it) needs glibc
	# nodes bullseye lacks; the real dlopen says which.
	local so=/lib/x86_64-linux-gnu/libselinux.so.1
	run_gm 1 check "$so" --against bullseye --against bookworm -m loader -m interp -m host \
		--out "$BATS_TEST_TMPDIR/out"
	run cells "$BATS_TEST_TMPDIR/out"
	echo "$output"
	assert_contains "$output" "loader symbol-version symbol-version GLIBC_2.3"
	assert_contains "$output" "interp symbol-version symbol-version GLIBC_2.3"
	[ "$(grep -c ' ok ok' <<<"$output")" -eq 2 ]
	assert_contains "$output" "host skipped skipped shared object: method host runs programs"
	# A plugin that expects its host program to define gm_host_fn.
	run_gm 1 check "$BATS_FILE_TMPDIR/needs-host.so" --against bookworm -m loader \
		--out "$BATS_TEST_TMPDIR/out2"
	run cells "$BATS_TEST_TMPDIR/out2"
	[ "$output" = "loader missing-symbol missing-symbol gm_host_fn" ]
	run_gm 2 exec --sysroot bookworm -- "$so"
	assert_contains "$output" "is a shared object, not a program"
	run_gm 0 explain "$so" --against bookworm
}

@test "--host-program loads a shared object in the user's program; --args splits as a shell does" {
	local py
	py=$(readlink -f /usr/bin/python3)
	local load="$py -c 'import ctypes, sys; ctypes.CDLL(sys.argv[1], mode=ctypes.RTLD_GLOBAL)'"
	# python3 defines PyLong_FromLong: loads; our load-object does not.
	run_gm 0 check "$BATS_FILE_TMPDIR/needs-python.so" --host-program "$load" --against bookworm \
		-m loader -m host --out "$BATS_TEST_TMPDIR/out"
	run cells "$BATS_TEST_TMPDIR/out"
	echo "$output"
	[ "$(grep -c ' ok ok' <<<"$output")" -eq 2 ]
	# Without --host-program, a Python extension (Py* undefined) is loaded
	# by python3, found in PATH, not by load-object (which lacks Py*).
	run_gm 0 check "$BATS_FILE_TMPDIR/needs-python.so" --against bookworm -m loader \
		--out "$BATS_TEST_TMPDIR/out2"
	assert_contains "$output" "is a Python extension (Py* undefined): loaded by $py"
	run cells "$BATS_TEST_TMPDIR/out2"
	[ "$output" = "loader ok ok " ]
	# gm_host_fn is nowhere: python's ctypes raises, with the loader's words.
	run_gm 1 check "$BATS_FILE_TMPDIR/needs-host.so" --host-program "$load" --against bookworm \
		-m host --out "$BATS_TEST_TMPDIR/out3"
	run cells "$BATS_TEST_TMPDIR/out3"
	assert_contains "$output" "host missing-symbol missing-symbol gm_host_fn"
	printf '#!/bin/sh\nexec python3 "$@"\n' >"$BATS_TEST_TMPDIR/wrapper"
	chmod +x "$BATS_TEST_TMPDIR/wrapper"
	run_gm 2 check "$BATS_FILE_TMPDIR/needs-python.so" --host-program "$BATS_TEST_TMPDIR/wrapper -c x" \
		--against bookworm --out "$BATS_TEST_TMPDIR/out5"
	assert_contains "$output" "not an ELF program"
	run_gm 2 check "$BATS_FILE_TMPDIR/args" --args "'unterminated" --against bookworm
	assert_contains "$output" "an unterminated quote"
	run_gm 0 check "$BATS_FILE_TMPDIR/args" --args "'a b' \"it's\"" --against bookworm \
		--out "$BATS_TEST_TMPDIR/out4"
}

@test "a file of another architecture without an emulator is never executed: skipped with the reason, exec 77, no /bin/sh" {
	local loader
	loader=$("$GM" sysroot show debian-bookworm-arm64 | sed -n 's/^loader: *//p')
	# The arm64 libc.so.6 is a runnable aarch64 program (it prints its banner).
	local libc=${loader%/*}/libc.so.6
	[ -e "$libc" ] || libc=$(find "$(dirname "$loader")" -name libc.so.6 | head -1)
	run readelf -h "$libc"
	assert_contains "$output" "AArch64"
	# This machine as one without qemu-user and cross compilers.
	path_without 'qemu-*' '*-linux-gnu-gcc*' '*-linux-gnu-g++*'
	PATH=$NO_PATH run_gm 77 check "$libc" --against debian-bookworm-arm64 -m loader --out "$BATS_TEST_TMPDIR/out"
	assert_contains "$output" "a aarch64 file on a x86_64 machine: no qemu-aarch64-static here to run it"
	PATH=$NO_PATH run_gm 77 exec --sysroot debian-bookworm-arm64 -- "$libc"
	assert_contains "$output" "is a aarch64 program; this x86_64 machine runs it only under qemu-aarch64-static"
	PATH=$NO_PATH run_gm 77 flags --sysroot debian-bookworm-arm64
	assert_contains "$output" "no aarch64-linux-gnu-gcc on this machine"
	# An x86_64 program against the arm64 sysroot is a mistake, whatever
	# this machine has: its ld.so is never run.
	run_gm 2 exec --sysroot debian-bookworm-arm64 -- /usr/bin/true
	assert_contains "$output" "sysroot debian-bookworm-arm64 is aarch64"
	# Nothing printed bytes of an ELF file as shell commands.
	assert_not_contains "$output" "not found"
	assert_not_contains "$output" "Syntax error"
}

@test "bundled libraries (\$ORIGIN/../lib) win over the host's copy by every method, as the loader decides" {
	local app=$BATS_FILE_TMPDIR/app/bin/app
	run "$app"
	[ "$status" -eq 0 ]
	assert_contains "$output" "7 "
	run readelf -d "$app"
	assert_contains "$output" 'RUNPATH'
	run_gm 0 check "$app" --against bookworm --against trixie -m loader -m interp \
		--host-libs --out "$BATS_TEST_TMPDIR/out"
	assert_contains "$output" "libbz2.so.1.0 from the host"
	assert_not_contains "$output" "libz.so.1 from the host"
	run cells "$BATS_TEST_TMPDIR/out"
	echo "$output"
	[ "$(grep -c '^[a-z]* ok ok' <<<"$output")" -eq 4 ]
	# With the suites' own libraries (the default): libbz2 is each suite's,
	# libz still the bundled copy, even where the suite's sysroot has one.
	run_gm 0 check "$app" --against bookworm --against trixie -m loader -m interp \
		--out "$BATS_TEST_TMPDIR/own"
	assert_contains "$output" "against debian-bookworm-amd64: libbz2.so.1.0 from bookworm's libbz2-1.0"
	assert_contains "$output" "against debian-trixie-amd64: libbz2.so.1.0 from trixie's libbz2-1.0"
	assert_not_contains "$output" "libz.so.1 from"
	run cells "$BATS_TEST_TMPDIR/own"
	echo "$output"
	[ "$(grep -c '^[a-z]* ok ok' <<<"$output")" -eq 4 ]
	run_gm 0 explain "$app" --against bookworm --host-libs
	assert_contains "$output" "libbz2.so.1.0 from the host: /lib/x86_64-linux-gnu/libbz2.so.1.0"
	assert_contains "$output" "libz.so.1 from the binary's own search path: $BATS_FILE_TMPDIR/app/bin/../lib/libz.so.1"
	assert_not_contains "$output" "libz.so.1 from the host"
	run_gm 0 exec --sysroot trixie --method interp -- "$app"
	assert_contains "$output" "7 "
}

@test "a sysroot's own libraries are not called the host's" {
	run_gm 0 explain "$BATS_FILE_TMPDIR/gcc-s" --against bookworm --json
	python3 - "$output" <<-'PY'
	import json, sys
	d = json.loads(sys.argv[1][sys.argv[1].index("{"):])
	assert not any("libgcc_s" in h for h in d["host_libraries"]), d["host_libraries"]
	PY
	# On the host's own glibc it is the host's.
	run_gm 0 explain "$BATS_FILE_TMPDIR/gcc-s" --against host
	assert_contains "$output" "from the host: /lib/x86_64-linux-gnu/libgcc_s.so.1"
}

@test "every command: not ELF or truncated ELF input is exit 2, naming the file" {
	local d=$BATS_FILE_TMPDIR
	for f in "$d/text" "$d/truncated"; do
		run_gm 2 inspect "$f"
		assert_contains "$output" "$f"
		run_gm 2 explain "$f" --against bookworm
		assert_contains "$output" "$f"
		run_gm 2 check "$f" --against bookworm --out "$BATS_TEST_TMPDIR/out"
		assert_contains "$output" "$f"
		[ ! -e "$BATS_TEST_TMPDIR/out" ]
		run_gm 2 exec --sysroot bookworm -- "$f"
		assert_contains "$output" "$f"
		run_gm 2 patch "$f" -o "$BATS_TEST_TMPDIR/p" --interp /x
		assert_contains "$output" "$f"
		[ ! -e "$BATS_TEST_TMPDIR/p" ]
	done
}

@test "sysroots by suite and by glibc version, in every command; a miss says how to get it" {
	run_gm 0 explain /usr/bin/true --against bookworm
	assert_contains "$output" "against debian-bookworm-amd64 (glibc 2.36"
	run_gm 0 flags --sysroot bullseye
	assert_contains "$output" "debian-bullseye-amd64"
	# The oldest version exists twice (built and imported): the source build
	# wins, and a note names both.
	# (this host's true needs GLIBC_2.34: exit 1 where the version is older)
	run_gm "?" explain /usr/bin/true --against bookworm --against "$GM_SOURCE_VERSION" --json
	assert_contains "$output" "\"sysroot\":\"$GM_SOURCE_NAME\""
	assert_contains "$output" "\"sysroot\":\"debian-bookworm-amd64\""
	if [ "$GM_SOURCE_VERSION" = 2.31 ]; then
		assert_contains "$output" "glibc 2.31 for x86_64 is debian-bullseye-amd64 (debian:bullseye), $GM_SOURCE_NAME (source)"
	fi
	run_gm 0 exec --sysroot bookworm -- /usr/bin/true
	run_gm 0 sysroot show bookworm
	assert_contains "$output" "debian-bookworm-amd64"
	run_gm 2 explain /usr/bin/true --against bookwrm
	assert_contains "$output" "did you mean 'bookworm' (debian-bookworm-amd64)?"
	use_scratch_store
	run_gm 2 explain /usr/bin/true --against 2.36
	assert_contains "$output" "glibc-matrix sysroot import bookworm"
	assert_contains "$output" "sysroot build 2.36"
	run_gm 2 explain /usr/bin/true --against trixie
	assert_contains "$output" "import it with 'glibc-matrix sysroot import trixie' (glibc 2.41)"
}

@test "profiles (sysroots/profiles.tsv): every command takes them, says what stands for them, a miss names the profile and how to get it" {
	run_gm 0 exec --sysroot debian12 -- /usr/bin/true
	assert_contains "$output" "debian12 stands for glibc 2.36: Debian 12: bookworm's own glibc"
	run_gm "?" explain /usr/bin/true --against debian11 --json
	assert_contains "$output" "\"sysroot\":\"debian-bullseye-amd64\""
	run_gm 0 check /usr/bin/true --against debian12 --out "$BATS_TEST_TMPDIR/out"
	assert_contains "$output" "using debian-bookworm-amd64"
	run_gm 0 sysroot show debian12
	# ubuntu-20.04 is glibc 2.31: the source build where there is one.
	run_gm "?" explain /usr/bin/true --against ubuntu-20.04
	assert_contains "$output" "ubuntu-20.04 stands for glibc 2.31"
	# Every profile's stand-in is a glibc version or a suite of suites.tsv,
	# of the profile's version.
	while IFS=$'\t' read -r name glibc stand words; do
		[ -n "$words" ]
		if [[ $stand == [0-9]* ]]; then
			[ "$stand" = "$glibc" ]
		else
			[ "$(awk -v s="$stand" '$1 == s { print $2 }' "$TOP/sysroots/suites.tsv")" = "$glibc" ]
		fi
	done < <(grep -v '^#' "$TOP/sysroots/profiles.tsv")
	use_scratch_store
	run_gm 2 explain /usr/bin/true --against rhel9
	assert_contains "$output" "rhel9 (glibc 2.34; RHEL 9: glibc 2.34 as upstream released it; Red Hat's backports are not in it): no sysroot with glibc 2.34"
	run_gm 2 explain /usr/bin/true --against debian13
	assert_contains "$output" "import it with 'glibc-matrix sysroot import trixie'"
	# A malformed row is named with its file and line (exit 3, as every data file).
	mkdir -p "$BATS_TEST_TMPDIR/recipes"
	cp "$TOP"/sysroots/*.tsv "$BATS_TEST_TMPDIR/recipes/"
	printf 'bad\tnot-a-version\t2.17\twords\n' >>"$BATS_TEST_TMPDIR/recipes/profiles.tsv"
	GLIBC_MATRIX_RECIPES=$BATS_TEST_TMPDIR/recipes run_gm 3 explain /usr/bin/true --against zzz
	assert_contains "$output" "profiles.tsv:"
	assert_contains "$output" "'not-a-version' is not a glibc version"
}

@test "sysroots/suites.tsv agrees with the suites the tests import" {
	for suite in bullseye bookworm; do
		want=$(awk -v s="$suite" '$1 == s { print $2 }' "$TOP/sysroots/suites.tsv")
		have=$("$GM" sysroot show "debian-$suite-amd64" | awk '$1 == "glibc:" { print $2 }')
		echo "$suite: table $want, imported $have"
		[ -n "$want" ] && [ "$want" = "$have" ]
	done
}

# npm_pack PKG DIR: the package's files in DIR/package, fetched from the npm
# registry now (skips the test where the registry cannot be reached).
npm_pack() {
	require_tool npm npm
	mkdir -p "$2"
	local tgz
	tgz=$(cd "$2" && timeout 120 npm pack "$1" --silent 2>/dev/null | tail -n 1) ||
		skip_fact no-network "npm pack $1 failed"
	[ -n "$tgz" ] && tar xzf "$2/$tgz" -C "$2"
}

@test "real npm native files (rollup's .node module, esbuild's static binary): every cell as predicted" {
	local d=$BATS_TEST_TMPDIR
	npm_pack @rollup/rollup-linux-x64-gnu "$d/rollup"
	npm_pack @esbuild/linux-x64 "$d/esbuild"
	local node mod=$d/rollup/package/rollup.linux-x64-gnu.node
	require_tool node nodejs
	node=$(readlink -f "$(command -v node)")
	run_gm 1 check "$mod" --host-program "$node -e 'require(process.argv[1])'" \
		--against bullseye --against bookworm -m loader -m interp -m host --out "$d/out"
	run cells "$d/out"
	echo "$output"
	# node runs on bullseye's glibc with bullseye's libstdc++ (the host's
	# needs GLIBC_2.36) by the explicit loader; patchelf's RUNPATH does not
	# reach what the libraries need in turn (librt), so the interp copy
	# gets the host's, which needs GLIBC_ABI_DT_RELR from bullseye's libc.
	[ "$(grep -c ' ok ok' <<<"$output")" -eq 4 ]
	assert_contains "$output" "interp mixed-glibc mixed-glibc GLIBC_ABI_DT_RELR of libc.so.6, required by librt.so.1"
	# Without --host-program a node add-on (napi_* undefined) is loaded by
	# node, found in PATH, as the note says; never by load-object, which
	# lacks node's napi_* (every cell missing-symbol, whatever the glibc).
	run_gm 0 check "$mod" --against bookworm -m loader -m host --out "$d/out2"
	assert_contains "$output" "is a node add-on (napi_* undefined): loaded by $node"
	run cells "$d/out2"
	[ "$(grep -c ' ok ok' <<<"$output")" -eq 2 ]
	python3 - "$d/out2/results.json" "$node" <<-'PY'
	import json, sys
	for c in json.load(open(sys.argv[1]))["cells"]:
	    assert c["binary"] == sys.argv[2], c["binary"]
	PY
	# Where node is not installed, the cells say which --host-program to give.
	path_without node 'node*'
	PATH=$NO_PATH run_gm 77 check "$mod" --against bookworm -m loader -m host --out "$d/out4"
	assert_contains "$output" "skipped (a node add-on (napi_* undefined): no node here to load it; give --host-program \"node -e 'require(process.argv[1])'\")"
	run_gm 0 check "$d/esbuild/package/bin/esbuild" --args --version --against bullseye \
		-m loader -m host --out "$d/out3"
	run cells "$d/out3"
	assert_contains "$output" "loader skipped skipped static executable"
	assert_contains "$output" "host ok ok"
}
