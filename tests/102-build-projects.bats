#!/usr/bin/env bats
# build --for on real projects nobody here wrote (issue 26): GNU hello
# (autotools) and cJSON (CMake) from trixie's source packages, fetched and
# verified at test time (tests/debsrc.bash), and the Go authors' cgo "life"
# program (misc/cgo/life of Debian's golang-go), each built for bullseye
# with its own build system.  Each output runs on bullseye, bookworm and
# trixie by the real loader and check agrees; the same build run plainly
# fails on bullseye with the node the tool predicts.

load helpers
load debsrc

setup_file() {
	ensure_sysroot debian-bullseye-amd64 import bullseye
	ensure_sysroot debian-bookworm-amd64 import bookworm
	ensure_sysroot debian-trixie-amd64 import trixie
	debsrc_index trixie "$BATS_FILE_TMPDIR/idx"
}

# on SUITE FILE ARGS...: FILE run by SUITE's own loader and glibc.
on() {
	local dir=$GLIBC_MATRIX_STORE/sysroots/debian-$1-amd64
	shift
	local ld=$dir/lib64/ld-linux-x86-64.so.2
	"$ld" --inhibit-cache --library-path \
		"$dir/lib/x86_64-linux-gnu:$dir/usr/lib/x86_64-linux-gnu" "$@"
}

# gated SRC OUT CMD...: build --for bullseye, bookworm and trixie in SRC,
# report in OUT; exit 0 and 0 mismatches wanted.
gated() {
	local src=$1 out=$2
	shift 2
	cd "$src"
	run_gm 0 build --for bullseye --for bookworm --for trixie --report "$out" -- "$@"
	assert_contains "$output" "building against debian-bullseye-amd64 (glibc 2.31)"
	assert_contains "$output" "0 mismatches"
}

# cells OUT: "FILE METHOD RUN PREDICTED OBSERVED" per cell.
cells() {
	python3 - "$1/results.json" <<-'PY'
	import json, sys
	for c in json.load(open(sys.argv[1]))["cells"]:
	    print(c["subject"].rsplit("/", 1)[-1], c["method"], c["run"], c["predicted"]["outcome"],
	          c["observed"]["outcome"])
	PY
}

@test "GNU hello (autotools, trixie's source) built for bullseye runs on bullseye, bookworm, trixie; the plain build needs GLIBC_2.34" {
	local src=$BATS_TEST_TMPDIR/hello
	debsrc_fetch "$BATS_FILE_TMPDIR/idx" hello "$src"
	gated "$src" "$BATS_TEST_TMPDIR/r" sh -c './configure -q && make -s'
	run cells "$BATS_TEST_TMPDIR/r"
	echo "$output"
	[ "$(grep -c '^hello .* ok ok$' <<<"$output")" -eq 6 ]
	for s in bullseye bookworm trixie; do
		run on "$s" "$src/hello" --greeting=portable
		[ "$status" -eq 0 ]
		[ "$output" = "portable" ]
	done
	# Plainly, with this machine's glibc: bullseye's loader refuses it, as
	# explain predicts.
	make -s distclean >/dev/null
	./configure -q && make -s >/dev/null
	run on bullseye "$src/hello" --version
	assert_contains "$output" "GLIBC_2.34' not found"
	run_gm 1 explain "$src/hello" --against bullseye
	assert_contains "$output" "symbol-version (GLIBC_2.34)"
}

@test "cJSON (CMake, trixie's source): its library and program built for bullseye, gated; the plain program needs GLIBC_2.34" {
	local src=$BATS_TEST_TMPDIR/cjson
	debsrc_fetch "$BATS_FILE_TMPDIR/idx" cjson "$src"
	gated "$src" "$BATS_TEST_TMPDIR/r" sh -c \
		'cmake -S . -B b -DENABLE_CJSON_TEST=ON >/dev/null && cmake --build b --target cJSON_test >/dev/null'
	run cells "$BATS_TEST_TMPDIR/r"
	echo "$output"
	[ "$(grep -c ' ok ok$' <<<"$output")" -eq 12 ]
	for s in bullseye bookworm trixie; do
		run on "$s" "$src/b/cJSON_test"
		[ "$status" -eq 0 ]
		assert_contains "$output" '"name":'
	done
	cmake -S . -B plain -DENABLE_CJSON_TEST=ON >/dev/null
	cmake --build plain --target cJSON_test >/dev/null
	run on bullseye "$src/plain/cJSON_test"
	assert_contains "$output" "GLIBC_2.34' not found"
	run_gm 1 check "$src/plain/cJSON_test" --against bullseye -m loader --out "$BATS_TEST_TMPDIR/p"
	assert_contains "$output" "symbol-version (GLIBC_2.34)"
	assert_contains "$output" "0 mismatches"
}

@test "the Go authors' cgo life program built for bullseye runs there with its expected output" {
	require_tool go golang-go
	local root
	root=$(go env GOROOT)
	local td=$root/misc/cgo/life/testdata src=$BATS_TEST_TMPDIR/life
	[ -d "$td" ] || root=/usr/share/go-$(go env GOVERSION | sed 's/^go\([0-9]*\.[0-9]*\).*/\1/')
	td=$root/misc/cgo/life/testdata
	mkdir -p "$src/cmd"
	cp "$td/life.go" "$td/c-life.c" "$td/life.h" "$src/"
	cp "$td/main.go" "$src/cmd/"
	printf 'module cgolife\n' >"$src/go.mod"
	export GOCACHE=$BATS_TEST_TMPDIR/gocache GOFLAGS=-mod=mod GOPATH=$BATS_TEST_TMPDIR/gopath
	gated "$src" "$BATS_TEST_TMPDIR/r" go build -tags test_run -o life ./cmd
	for s in bullseye bookworm trixie; do
		run on "$s" "$src/life"
		[ "$status" -eq 0 ]
		[ "$output" = "$(cat "$td/main.out")" ]
	done
	CGO_ENABLED=1 go build -tags test_run -o life-plain ./cmd
	run on bullseye "$src/life-plain"
	assert_contains "$output" "GLIBC_2.34' not found"
	run_gm 1 explain "$src/life-plain" --against bullseye --why
	assert_contains "$output" "remedy for this program's language: Go:"
}
