#!/usr/bin/env bats
# The target distribution's own libraries beyond glibc: the C++ runtime every
# imported sysroot carries, `flags --c++` compiling against it, and
# `sysroot import --with` for the rest (a real bullseye program, less, whose
# libtinfo the host has only in a version that needs a newer glibc).  Every
# verdict is checked against the real loader.

load helpers

setup_file() {
	ensure_sysroot debian-bullseye-amd64 import bullseye
	ensure_sysroot debian-bookworm-amd64 import bookworm
	command -v g++ >/dev/null || return 0
	local d=$BATS_FILE_TMPDIR
	g++ -O2 -o "$d/cxx-host" "$TOP/tests/fixtures/cxx-app.cc"
	# shellcheck disable=SC2046 # flags prints words meant to be split
	g++ $("$GM" flags --sysroot bullseye --c++ 3>&-) -O2 -o "$d/cxx-bullseye" \
		"$TOP/tests/fixtures/cxx-app.cc"
}

# glibcxx FILE: the newest GLIBCXX_ version FILE needs.
glibcxx() {
	objdump -T "$1" | grep -o 'GLIBCXX_3\.4\.[0-9]*' | sort -uV | tail -n 1
}

@test "import: the C++ runtime comes with every suite, from the verified index, listed in the manifest" {
	local dir=$GLIBC_MATRIX_STORE/sysroots/debian-bullseye-amd64 deb sha want
	run python3 -c 'import json, sys; print("\n".join(json.load(open(sys.argv[1]))["packages"]))' \
		"$dir/sysroot.json"
	echo "$output"
	assert_contains "$output" "libc6 2.31-"
	assert_contains "$output" "libstdc++6 10."
	assert_contains "$output" "libstdc++-10-dev 10."
	assert_contains "$output" "gcc-10-base 10."
	# The sysroot's libstdc++ is the one in the suite's .deb, whose hash is
	# the one the signed index lists.
	deb=$(ls "$GLIBC_MATRIX_STORE"/downloads/libstdc++6_10.*_amd64.deb)
	want=$(xz -dc "$GLIBC_MATRIX_STORE/downloads/debian-bullseye-amd64-Packages.xz" |
		awk -v f="${deb##*/}" '$1 == "Filename:" { on = ($2 ~ "/" f "$") } on && $1 == "SHA256:" { print $2; exit }')
	sha=$(sha256sum <"$deb" | cut -d' ' -f1)
	[ -n "$want" ] && [ "$sha" = "$want" ]
	dpkg-deb --fsys-tarfile "$deb" | tar -xO ./usr/lib/x86_64-linux-gnu/libstdc++.so.6.0.28 |
		cmp - "$dir/usr/lib/x86_64-linux-gnu/libstdc++.so.6.0.28"
	[ -f "$dir/usr/include/c++/10/vector" ]
	# bookworm has its own (GCC 12).
	[ -f "$GLIBC_MATRIX_STORE/sysroots/debian-bookworm-amd64/usr/lib/x86_64-linux-gnu/libstdc++.so.6.0.30" ]
}

@test "flags --c++: built against bullseye's libstdc++, the program needs nothing newer than bullseye has" {
	require_tool g++ g++
	local d=$BATS_FILE_TMPDIR
	# The host's GCC 12 headers make it need GLIBCXX_3.4.29, which
	# bullseye's libstdc++ (GCC 10: 3.4.28) does not define ...
	[ "$(glibcxx "$d/cxx-host")" = GLIBCXX_3.4.29 ]
	run_gm 1 explain "$d/cxx-host" --against bullseye
	assert_contains "$output" "needs GLIBCXX_3.4.29 from libstdc++.so.6"
	# With the flags: bullseye's headers, bullseye's library.
	run_gm 0 flags --sysroot bullseye --c++ --cflags
	assert_contains "$output" "debian-bullseye-amd64/usr/include/c++/10"
	assert_not_contains "$output" " /usr/include/c++/"
	run glibcxx "$d/cxx-bullseye"
	[ "$(printf '%s\n' "$output" GLIBCXX_3.4.28 | sort -V | tail -n 1)" = GLIBCXX_3.4.28 ]
	# It runs as built: its PT_INTERP is bullseye's ld.so.
	run "$d/cxx-bullseye" 3 b b
	[ "$status" -eq 0 ]
	[ "$output" = "caught thrown, 2 distinct words, 7" ]
	run_gm 0 explain "$d/cxx-bullseye" --against bullseye
	assert_contains "$output" ": loads"
	assert_contains "$output" "libstdc++.so.6 from sysroot debian-bullseye-amd64:"
}

@test "a C++ program built for bullseye, by every method against bullseye: each cell as the real loader says, predicted" {
	require_tool g++ g++
	local d=$BATS_FILE_TMPDIR out=$BATS_TEST_TMPDIR/out
	run_gm 1 check "$d/cxx-bullseye" --args "3 b b" --against bullseye -m host -m loader \
		-m interp -m rpath -m env --host-libs --out "$out"
	assert_contains "$output" "0 mismatches"
	run method_cells "$out"
	echo "$output"
	# As built (its own PT_INTERP and RPATH), by the explicit loader, and
	# with LD_LIBRARY_PATH (the binary's RPATH outranks it): bullseye's
	# libstdc++ on bullseye's glibc.
	assert_contains "$output" "host host ok ok"
	assert_contains "$output" "loader debian-bullseye-amd64 ok ok"
	assert_contains "$output" "env debian-bullseye-amd64 ok ok"
	# patchelf's recipe turns the RPATH into a RUNPATH, which does not reach
	# libstdc++'s own libm: the loader takes the host's, which needs
	# GLIBC_ABI_DT_RELR from bullseye's libc.  The same for rpath.
	assert_contains "$output" "interp debian-bullseye-amd64 mixed-glibc mixed-glibc GLIBC_ABI_DT_RELR of libc.so.6, required by libm.so.6"
	assert_contains "$output" "rpath debian-bullseye-amd64 mixed-glibc mixed-glibc"
	# With bullseye's own libraries (the default), bullseye's loader finds
	# bullseye's libm where a bullseye system keeps it: interp runs, as on
	# bullseye.  rpath keeps this machine's loader, which still finds the
	# host's libm.
	run_gm 1 check "$d/cxx-bullseye" --args "3 b b" --against bullseye -m loader -m interp \
		-m rpath --out "$out-own"
	assert_contains "$output" "0 mismatches"
	run method_cells "$out-own"
	echo "$output"
	assert_contains "$output" "loader debian-bullseye-amd64 ok ok"
	assert_contains "$output" "interp debian-bullseye-amd64 ok ok"
	assert_contains "$output" "rpath debian-bullseye-amd64 mixed-glibc mixed-glibc"
	run_gm 0 exec --sysroot bullseye -- "$d/cxx-bullseye" 3 b b
	assert_contains "$output" "caught thrown, 2 distinct words, 7"
}

# A scratch store holding bullseye twice: as imported by default, and with
# less (a real bullseye program) and the libraries it needs.
bullseye_with_less() {
	local shared=$GLIBC_MATRIX_STORE
	use_scratch_store
	mkdir -p "$GLIBC_MATRIX_STORE/downloads"
	cp "$shared"/downloads/*bullseye-amd64* "$shared"/downloads/*_2.31-*_amd64.deb \
		"$shared"/downloads/*_10.2.1-*_amd64.deb "$shared"/downloads/linux-libc-dev_5.10.*_amd64.deb \
		"$GLIBC_MATRIX_STORE/downloads/" 2>/dev/null || true
	run_gm 0 sysroot import bullseye --name plain-bullseye
	run_gm 0 sysroot import bullseye --with less
}

@test "import --with: the package and the run-time libraries it depends on; kept, cached, errors name the package" {
	bullseye_with_less
	assert_contains "$output" "imported debian-bullseye-amd64: glibc 2.31"
	local dir=$GLIBC_MATRIX_STORE/sysroots/debian-bullseye-amd64
	[ -x "$dir/usr/bin/less" ] || [ -x "$dir/bin/less" ]
	[ -f "$dir/lib/x86_64-linux-gnu/libtinfo.so.6" ]
	[ ! -e "$GLIBC_MATRIX_STORE/sysroots/plain-bullseye/lib/x86_64-linux-gnu/libtinfo.so.6" ]
	run python3 -c 'import json, sys; m = json.load(open(sys.argv[1])); print(m["with"], m["packages"])' \
		"$dir/sysroot.json"
	assert_contains "$output" "['less']"
	assert_contains "$output" "'libtinfo6 6.2"
	local key
	key=$(grep '"cache_key"' "$dir/sysroot.json")
	# Asked again, with or without the dependency by name: cached, no
	# network (the mirror is unreachable now), nothing lost.
	GLIBC_MATRIX_MIRROR=http://127.0.0.1:9/ run_gm 0 sysroot import bullseye
	assert_contains "$output" "already imported"
	GLIBC_MATRIX_MIRROR=http://127.0.0.1:9/ run_gm 0 sysroot import bullseye --with libtinfo6,less
	assert_contains "$output" "already imported"
	[ "$(grep '"cache_key"' "$dir/sysroot.json")" = "$key" ]
	# A package the suite does not have: exit 2, naming it; the sysroot stays.
	run_gm 2 sysroot import bullseye --with zlib1g,no-such-package-gm
	assert_contains "$output" "suite 'bullseye' has no package 'no-such-package-gm' for amd64"
	[ "$(grep '"cache_key"' "$dir/sysroot.json")" = "$key" ]
	run_gm 2 sysroot import bullseye --with 'Bad_Name'
	assert_contains "$output" "invalid package name 'Bad_Name'"
	# Adding one keeps what an earlier import was asked for; what a
	# library needs beyond run-time libraries (debconf, for its
	# maintainer scripts) stays out, and the note says so.
	run_gm 0 sysroot import bullseye --with libssl1.1
	assert_contains "$output" "imported again with more packages"
	assert_contains "$output" "libssl1.1 depends on debconf, which is not a run-time library"
	run python3 -c 'import json, sys; m = json.load(open(sys.argv[1])); print(m["with"], m["packages"])' \
		"$dir/sysroot.json"
	assert_contains "$output" "['less', 'libssl1.1']"
	assert_not_contains "$output" "debconf"
	[ -f "$dir/usr/lib/x86_64-linux-gnu/libssl.so.1.1" ]
	[ -x "$dir/usr/bin/less" ] || [ -x "$dir/bin/less" ]
}

@test "bullseye's less: with the host's libtinfo it fails naming it, with bullseye's own it runs; as predicted" {
	bullseye_with_less
	local dir=$GLIBC_MATRIX_STORE/sysroots/debian-bullseye-amd64 less=$BATS_TEST_TMPDIR/less
	cp "$dir/usr/bin/less" "$less" 2>/dev/null || cp "$dir/bin/less" "$less"
	# The host's libtinfo needs a newer glibc than bullseye's.
	run_gm 1 explain "$less" --against plain-bullseye --host-libs
	assert_contains "$output" "libtinfo.so.6 from the host: /lib/x86_64-linux-gnu/libtinfo.so.6"
	assert_contains "$output" "/lib/x86_64-linux-gnu/libtinfo.so.6 needs GLIBC_2.33"
	run_gm 0 explain "$less" --against debian-bullseye-amd64
	assert_contains "$output" "libtinfo.so.6 from sysroot debian-bullseye-amd64 (bullseye's libtinfo6 6.2"
	assert_contains "$output" "$dir/lib/x86_64-linux-gnu/libtinfo.so.6"
	run_gm 1 explain "$less" --against plain-bullseye --host-libs
	run_gm 1 check "$less" --args --version --against plain-bullseye --host-libs \
		--against debian-bullseye-amd64 -m loader -m interp --out "$BATS_TEST_TMPDIR/out"
	assert_contains "$output" "0 mismatches"
	run method_cells "$BATS_TEST_TMPDIR/out"
	echo "$output"
	assert_contains "$output" "loader plain-bullseye symbol-version symbol-version GLIBC_2.33"
	assert_contains "$output" "interp plain-bullseye symbol-version symbol-version GLIBC_2.33"
	assert_contains "$output" "loader debian-bullseye-amd64 ok ok"
	assert_contains "$output" "interp debian-bullseye-amd64 ok ok"
	# results.json says where each cell's libtinfo came from.
	python3 - "$BATS_TEST_TMPDIR/out/results.json" <<-'PY'
	import json, sys
	for c in json.load(open(sys.argv[1]))["cells"]:
	    tinfo = [l for l in c["libraries"] if "libtinfo" in l["path"]]
	    want = "host" if c["run"] == "plain-bullseye" else "sysroot"
	    assert [l["from"] for l in tinfo] == [want], (c["run"], c["method"], tinfo)
	PY
	# The real loader, by hand, agrees and names the host's library.
	run "$dir/lib64/ld-linux-x86-64.so.2" --library-path \
		"$GLIBC_MATRIX_STORE/sysroots/plain-bullseye/lib/x86_64-linux-gnu:/lib/x86_64-linux-gnu" "$less" --version
	assert_contains "$output" "version \`GLIBC_2.33' not found (required by /lib/x86_64-linux-gnu/libtinfo.so.6)"
	run_gm 0 exec --sysroot debian-bullseye-amd64 -- "$less" --version
	assert_contains "$output" "less 551"
}
