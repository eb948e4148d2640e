#!/usr/bin/env bats
# "Runs on trixie" means with trixie's libraries (issue 23): check and
# explain against a suite take the libraries beyond glibc from the
# packages of that suite that ship them (its Contents index, signed through
# Release; when a mirror's index does not verify, the packages the
# library-naming policy and this machine's dpkg name, kept only if they
# hold the library), kept apart in the sysroot (suite-libs/), and the
# sysroot's loader finds them where a system of the suite keeps them.  Real
# programs nobody here wrote (trixie's jq, sqlite3, python3.13), each
# verdict checked against the real loader.

load helpers

setup_file() {
	ensure_sysroot debian-bullseye-amd64 import bullseye
	ensure_sysroot debian-bookworm-amd64 import bookworm
	ensure_sysroot debian-trixie-amd64 import trixie
	# trixie's own programs, from the verified index, by a throwaway import
	local d=$BATS_FILE_TMPDIR tools=gm-test-trixie-tools
	"$GM" --quiet sysroot import trixie --name "$tools" --with jq,sqlite3,python3.13-minimal 3>&-
	local dir=$GLIBC_MATRIX_STORE/sysroots/$tools
	mkdir -p "$d/bin"
	cp "$dir/usr/bin/jq" "$dir/usr/bin/sqlite3" "$dir/usr/bin/python3.13" "$d/bin/"
	"$GM" --quiet sysroot remove "$tools" 3>&-
	printf '#include <openssl/crypto.h>\n#include <stdio.h>\nint main(void) { puts(OpenSSL_version(OPENSSL_VERSION)); return 0; }\n' >"$d/ssl.c"
	cc -O2 -o "$d/ssl" "$d/ssl.c" -lcrypto
}

# cells DIR: "METHOD RUN PREDICTED OBSERVED DETAIL" for each cell.
cells() {
	python3 - "$1" <<-'PY'
	import json, sys
	for c in json.load(open(sys.argv[1] + "/results.json"))["cells"]:
	    print(c["subject"].rsplit("/", 1)[-1], c["method"], c["run"], c["predicted"]["outcome"],
	          c["observed"]["outcome"], c["observed"]["detail"])
	PY
}

# index_version SUITE PACKAGE: PACKAGE's version in SUITE's verified index.
index_version() {
	xz -dc "$GLIBC_MATRIX_STORE/downloads/debian-$1-amd64-Packages.xz" |
		awk -v p="$2" '$1 == "Package:" { on = ($2 == p) } on && $1 == "Version:" { print $2; exit }'
}

@test "trixie's jq, sqlite3 and python3.13 run on trixie with trixie's libraries, each named with its package" {
	local d=$BATS_FILE_TMPDIR out=$BATS_TEST_TMPDIR/out
	run_gm 0 check "$d/bin/jq" "$d/bin/sqlite3" "$d/bin/python3.13" --args --version \
		--against trixie -m loader -m interp --out "$out"
	assert_contains "$output" "6 ok, 0 mismatches"
	assert_contains "$output" "against debian-trixie-amd64: libjq.so.1 from trixie's libjq1 $(index_version trixie libjq1)"
	assert_contains "$output" "libexpat.so.1 from trixie's libexpat1"
	assert_contains "$output" "libsqlite3.so.0 from trixie's libsqlite3-0"
	assert_not_contains "$output" "from the host"
	python3 - "$out/results.json" "$(index_version trixie libjq1)" <<-'PY'
	import json, sys
	d = json.load(open(sys.argv[1]))
	s = [s for s in d["sysroots"] if s["name"] == "debian-trixie-amd64"][0]
	assert s["libraries"]["libjq.so.1"] == {"package": "libjq1", "version": sys.argv[2]}, s
	assert s["unshipped"] == [], s
	for c in d["cells"]:
	    libs = [l for l in c["libraries"] if "libjq" in l["path"] or "libexpat" in l["path"]]
	    assert all(l["from"] == "sysroot" and "/suite-libs/" in l["path"] for l in libs), libs
	PY
	# The suite's libraries are kept apart: the manifest names them, the
	# glibc directories do not hold them.
	local dir=$GLIBC_MATRIX_STORE/sysroots/debian-trixie-amd64
	run python3 -c 'import json, sys; m = json.load(open(sys.argv[1])); print(m.get("with"), m["suite_with"], m["suite_libdirs"])' "$dir/sysroot.json"
	assert_contains "$output" "libjq1"
	assert_contains "$output" "suite-libs/usr/lib/x86_64-linux-gnu"
	[ ! -e "$dir/usr/lib/x86_64-linux-gnu/libjq.so.1" ]
	# The real loader, given trixie's directories, agrees.
	run "$dir/lib64/ld-linux-x86-64.so.2" --inhibit-cache --library-path \
		"$dir/usr/lib/x86_64-linux-gnu:$dir/suite-libs/usr/lib/x86_64-linux-gnu" "$d/bin/jq" --version
	[ "$status" -eq 0 ]
	assert_contains "$output" "jq-1.7"
}

@test "--host-libs: this machine's libraries instead, and a suite's earlier imports do not leak into it" {
	local d=$BATS_FILE_TMPDIR out=$BATS_TEST_TMPDIR/out
	# trixie's jq with this machine's libjq: bookworm's 1.6 lacks a symbol
	# trixie's jq needs (or, without libjq here, it is missing).
	local want=missing-library
	[ -e /usr/lib/x86_64-linux-gnu/libjq.so.1 ] && want=missing-symbol
	run_gm 1 check "$d/bin/jq" --args --version --against trixie -m loader --host-libs --out "$out"
	assert_contains "$output" "0 mismatches"
	run cells "$out"
	echo "$output"
	assert_contains "$output" "jq loader debian-trixie-amd64 $want $want"
	# Both ways, as the real loader says (host directories after trixie's).
	run_gm 0 explain "$d/bin/jq" --against trixie
	run_gm 1 explain "$d/bin/jq" --against trixie --host-libs
	assert_contains "$output" "libjq.so.1 from the host"
}

@test "a library no package of the suite ships is missing there, as the real loader says on that layout" {
	local d=$BATS_FILE_TMPDIR out=$BATS_TEST_TMPDIR/out
	# OpenSSL 3's libcrypto.so.3: bullseye ships 1.1 only.
	run_gm 1 check "$d/ssl" --against bullseye -m loader -m interp -m env --out "$out"
	assert_contains "$output" "no package of bullseye ships libcrypto.so.3: missing there"
	assert_contains "$output" "0 mismatches"
	run cells "$out"
	echo "$output"
	assert_contains "$output" "ssl loader debian-bullseye-amd64 missing-library missing-library libcrypto.so.3; no package of bullseye ships libcrypto.so.3"
	assert_contains "$output" "ssl interp debian-bullseye-amd64 missing-library missing-library"
	python3 - "$out/results.json" <<-'PY'
	import json, sys
	s = [s for s in json.load(open(sys.argv[1]))["sysroots"] if s["name"] == "debian-bullseye-amd64"][0]
	assert s["unshipped"] == ["libcrypto.so.3"], s
	PY
	# The real loader on bullseye's layout (its directories where this
	# machine keeps its libraries, in a mount namespace of its own): the
	# same message.
	local dir=$GLIBC_MATRIX_STORE/sysroots/debian-bullseye-amd64 libs
	libs=$(realpath /usr/lib/x86_64-linux-gnu)
	run -127 unshare -m sh -c "mount --make-rslave / && mount -t overlay gm -o ro,lowerdir=$dir/lib/x86_64-linux-gnu:$dir/usr/lib/x86_64-linux-gnu $libs && exec $dir/lib64/ld-linux-x86-64.so.2 --inhibit-cache --library-path $dir/lib/x86_64-linux-gnu $d/ssl"
	assert_contains "$output" "libcrypto.so.3: cannot open shared object file"
	# Lent by this machine (--host-libs), it needs a newer glibc.
	run_gm 1 check "$d/ssl" --against bullseye -m loader --host-libs --out "$out-host"
	run cells "$out-host"
	assert_contains "$output" "ssl loader debian-bullseye-amd64 symbol-version symbol-version"
}

@test "explain --against a suite: the package of each library, in text and --json; --against-all" {
	local d=$BATS_FILE_TMPDIR
	run_gm 0 explain "$d/bin/jq" --against trixie
	assert_contains "$output" "libjq.so.1 from sysroot debian-trixie-amd64 (trixie's libjq1 $(index_version trixie libjq1))"
	run_gm 1 explain "$d/bin/jq" --against bookworm --json
	python3 - "$output" "$(index_version bookworm libjq1)" <<-'PY'
	import json, sys
	o = json.loads(sys.argv[1][sys.argv[1].index("{"):])
	assert o["suite_libraries"]["libjq.so.1"] == {"package": "libjq1", "version": sys.argv[2]}, o
	# bookworm's libjq 1.6 lacks what trixie's jq needs, besides glibc 2.38
	assert o["outcome"] == "symbol-version", o
	assert any("jq_set_stderr_cb" in p["symbols"] for p in o["problems"]), o["problems"]
	PY
	# --against-all: each suite with its own libraries; trixie is the
	# oldest that runs trixie's jq (it was "none" with this machine's libjq).
	run_gm 1 explain "$d/bin/jq" --against-all
	assert_contains "$output" "loader: the oldest glibc that runs it: 2.41 (debian-trixie-amd64)"
	assert_contains "$output" "interp: the oldest glibc that runs it: 2.41 (debian-trixie-amd64)"
}

@test "a RUNPATH naming the system's directory (coreutils' expr: /usr/lib/<triplet>) is the suite's there, not a bundle" {
	local out=$BATS_TEST_TMPDIR/out
	run readelf -d /usr/bin/expr
	assert_contains "$output" "Library runpath: [/usr/lib/x86_64-linux-gnu]"
	run_gm 0 check /usr/bin/expr --args "1 + 1" --against trixie -m loader -m interp --out "$out"
	assert_contains "$output" "libgmp.so.10 from trixie's libgmp10"
	assert_contains "$output" "0 mismatches"
	run cells "$out"
	echo "$output"
	[ "$(grep -c '^expr .* ok ok' <<<"$output")" -eq 2 ]
}
