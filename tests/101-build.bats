#!/usr/bin/env bats
# build --for (issue 26): the user's own build system (make, CMake) run with
# the environment that builds against the oldest target, then every ELF
# file it wrote checked against every target.  The same builds run plainly
# fail on bullseye with the node the tool predicts; each verdict is checked
# by the real loader.

load helpers

setup_file() {
	ensure_sysroot debian-bullseye-amd64 import bullseye
	ensure_sysroot debian-trixie-amd64 import trixie
}

# A threaded C program that links as `cc app.c` against glibc >= 2.34 (no
# -lpthread), with a Makefile that uses $(CC) as projects do.
make_project() {
	mkdir -p "$1"
	cat >"$1/app.c" <<-'C'
	#include <pthread.h>
	#include <stdio.h>
	static void *run(void *a) { return a; }
	int main(void)
	{
		pthread_t t;
		void *r;
		pthread_create(&t, NULL, run, (void *)7);
		pthread_join(t, &r);
		printf("thread %ld\n", (long)r);
		return 0;
	}
	C
	printf 'app: app.c\n\t$(CC) -O2 -o app app.c\n' >"$1/Makefile"
}

# on_bullseye FILE ARGS...: FILE run by bullseye's own loader and libraries.
on_bullseye() {
	local dir=$GLIBC_MATRIX_STORE/sysroots/debian-bullseye-amd64
	"$dir/lib64/ld-linux-x86-64.so.2" --inhibit-cache --library-path \
		"$dir/lib/x86_64-linux-gnu:$dir/usr/lib/x86_64-linux-gnu" "$@"
}

@test "build --for bullseye --for trixie -- make: runs on both, by the real loader; the plain build does not" {
	local p=$BATS_TEST_TMPDIR/p
	make_project "$p"
	cd "$p"
	run_gm 0 build --for bullseye --for trixie --report "$BATS_TEST_TMPDIR/r" -- make
	assert_contains "$output" "building against debian-bullseye-amd64 (glibc 2.31), the oldest of 2 targets"
	assert_contains "$output" "0 mismatches"
	[ -f "$BATS_TEST_TMPDIR/r/results.json" ]
	run on_bullseye "$p/app"
	[ "$status" -eq 0 ]
	[ "$output" = "thread 7" ]
	run objdump -T "$p/app"
	assert_not_contains "$output" "GLIBC_2.34"
	# The same project built plainly: bullseye's loader refuses it, for
	# the node the tool names.
	make -s clean 2>/dev/null || rm -f app
	make -s CC=cc
	run on_bullseye "$p/app"
	assert_contains "$output" "GLIBC_2.34' not found"
	run_gm 1 explain "$p/app" --against bullseye --why
	assert_contains "$output" "GLIBC_2.34"
	assert_contains "$output" "glibc-matrix build --for"
}

@test "build --for: a failed build, no output, usage errors each say so with their exit code" {
	local p=$BATS_TEST_TMPDIR/p
	make_project "$p"
	cd "$p"
	run_gm 1 build --for bullseye -- false
	assert_contains "$output" "build: 'false' failed (exit 1)"
	run_gm 0 build --for bullseye --report "$BATS_TEST_TMPDIR/r1" -- make
	# Up to date: nothing written, nothing to gate.
	run_gm 77 build --for bullseye --report "$BATS_TEST_TMPDIR/r2" -- make
	assert_contains "$output" "the build wrote no ELF file under the current directory (up to date?"
	run_gm 2 build -- make
	assert_contains "$output" "want at least one --for S"
	run_gm 2 build --for bullseye --out "$BATS_TEST_TMPDIR/none" -- true
	assert_contains "$output" "--out '$BATS_TEST_TMPDIR/none': not a directory after the build"
	run_gm 2 build --for no-such-suite-gm -- make
	run_gm 2 build --for bullseye -- /nonexistent/gm-build-tool
	assert_contains "$output" "cannot run '/nonexistent/gm-build-tool'"
}

@test "build --print-env: the environment a build you drive yourself takes; CMake with it, C++ too" {
	require_tool cmake cmake
	local p=$BATS_TEST_TMPDIR/cm
	mkdir -p "$p"
	cat >"$p/CMakeLists.txt" <<-'CM'
	cmake_minimum_required(VERSION 3.13)
	project(gm CXX)
	add_executable(words words.cc)
	CM
	cp "$TOP/tests/fixtures/cxx-app.cc" "$p/words.cc"
	run_gm 0 build --for bullseye --print-env
	assert_contains "$output" "export CC="
	assert_contains "$output" "export CGO_LDFLAGS="
	assert_contains "$output" "export PKG_CONFIG_SYSROOT_DIR=$GLIBC_MATRIX_STORE/sysroots/debian-bullseye-amd64"
	# shellcheck disable=SC1090 # the output is the environment
	(eval "$("$GM" build --for bullseye --print-env 3>&-)" &&
		cmake -S "$p" -B "$p/b" >/dev/null && cmake --build "$p/b" >/dev/null)
	run on_bullseye "$p/b/words" 3 b b
	[ "$status" -eq 0 ]
	assert_contains "$output" "caught thrown, 2 distinct words, 7"
	# Driven by build itself: the same, gated.
	rm -rf "$p/b2"
	run_gm 0 build --for bullseye --out "$p/b2" --report "$BATS_TEST_TMPDIR/r" -- \
		sh -c "cmake -S '$p' -B '$p/b2' >/dev/null && cmake --build '$p/b2' >/dev/null"
	assert_contains "$output" "0 mismatches"
}

@test "build --for with cargo and with go (cgo): each program runs on bullseye by the real loader; explain --why speaks their language" {
	require_tool cargo cargo
	require_tool go golang-go
	local p=$BATS_TEST_TMPDIR
	# Rust: std's threads, no crate from the network.
	mkdir -p "$p/rs/src"
	printf '[package]\nname = "gmr"\nversion = "0.1.0"\nedition = "2021"\n' >"$p/rs/Cargo.toml"
	printf 'use std::thread;\nfn main() { let h = thread::spawn(|| 6 * 7); println!("rust {}", h.join().unwrap()); }\n' \
		>"$p/rs/src/main.rs"
	cd "$p/rs"
	run_gm 0 build --for bullseye --for trixie --report "$p/r-rs" -- cargo build --release --offline -q
	assert_contains "$output" "0 mismatches"
	run on_bullseye "$p/rs/target/release/gmr"
	[ "$output" = "rust 42" ]
	# Built plainly, it needs this machine's glibc; --why says how in cargo's terms.
	cargo build --release --offline -q --target-dir "$p/rs/plain"
	run_gm 1 explain "$p/rs/plain/release/gmr" --against bullseye --why
	assert_contains "$output" "remedy for this program's language: Rust:"
	assert_contains "$output" "glibc-matrix build --for S -- cargo build"
	# Go with cgo (libc's getpid through C).
	mkdir -p "$p/go"
	printf 'module gmgo\n\ngo 1.19\n' >"$p/go/go.mod"
	printf 'package main\n\n// #include <unistd.h>\nimport "C"\nimport "fmt"\n\nfunc main() { fmt.Println("go", C.getpid() > 0) }\n' \
		>"$p/go/main.go"
	cd "$p/go"
	export GOCACHE=$p/gocache GOFLAGS=-mod=mod
	run_gm 0 build --for bullseye --report "$p/r-go" -- go build -o gmgo .
	assert_contains "$output" "0 mismatches"
	run on_bullseye "$p/go/gmgo"
	[ "$output" = "go true" ]
	CGO_ENABLED=1 go build -o gmgo-plain .
	run_gm 1 explain "$p/go/gmgo-plain" --against bullseye --why
	assert_contains "$output" "remedy for this program's language: Go: a Go program needs glibc only through cgo"
}
