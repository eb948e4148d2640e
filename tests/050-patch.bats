#!/usr/bin/env bats
# patch: our own PT_INTERP / DT_RUNPATH / DT_RPATH rewriter, tested
# differentially against patchelf on real binaries.  Every output must mean
# what patchelf's output means (readelf -l -d: interpreter, search paths,
# needed libraries), read warning-free, keep the input byte-identical, and
# run (or load) exactly like the input.

load helpers

LD64=/lib64/ld-linux-x86-64.so.2

setup_file() {
	local f=$BATS_FILE_TMPDIR
	require_tool patchelf patchelf
	printf '#include <stdio.h>\nint main(void) { puts("hello"); return 3; }\n' >"$f/hello.c"
	printf 'const char *greet(void) { return "greetings"; }\n' >"$f/greet.c"
	cat >"$f/loadlib.c" <<'EOF'
/* loadlib LIB SYMBOL: dlopen LIB, call SYMBOL as const char *(void), print it. */
#include <dlfcn.h>
#include <stdio.h>
int main(int argc, char **argv)
{
	void *h = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL);
	const char *(*fn)(void);
	if (argc != 3 || !h) {
		printf("dlopen failed: %s\n", dlerror());
		return 1;
	}
	fn = (const char *(*)(void))dlsym(h, argv[2]);
	printf("%s\n", fn ? fn() : "no symbol");
	return 0;
}
EOF
	gcc -o "$f/hello-pie" -fPIE -pie "$f/hello.c"
	gcc -o "$f/hello-nopie" -fno-pie -no-pie "$f/hello.c"
	gcc -o "$f/hello-rpath" -Wl,--disable-new-dtags,-rpath,/opt/glibc-matrix/an/old/style/rpath "$f/hello.c"
	gcc -o "$f/hello-runpath" -Wl,--enable-new-dtags,-rpath,/opt/glibc-matrix/a/runpath/dir "$f/hello.c"
	gcc -shared -fPIC -Wl,-soname,libgreet.so -o "$f/libgreet.so" "$f/greet.c"
	gcc -o "$f/loadlib" "$f/loadlib.c" -ldl
	gcc -o "$f/version" "$TOP/tests/fixtures/version.c"
	# lld leaves no spare DT_NULL slot: adding an entry must move .dynamic.
	if command -v ld.lld >/dev/null; then
		gcc -fuse-ld=lld -o "$f/hello-lld" "$f/hello.c"
		gcc -fuse-ld=lld -fno-pie -no-pie -o "$f/hello-lld-nopie" "$f/hello.c"
	fi
	gcc -static -o "$f/hello-static" "$f/hello.c" 2>/dev/null || rm -f "$f/hello-static"
	# A short interpreter path that fits into every PT_INTERP here.
	SHORT_DIR=$(mktemp -d /tmp/gmi.XXXXXX)
	ln -s "$LD64" "$SHORT_DIR/ld"
	export SHORT_DIR
}

teardown_file() {
	[ -z "${SHORT_DIR:-}" ] || rm -rf "$SHORT_DIR"
}

# long_interp: a path of 200+ characters to a symlink to the real loader.
long_interp() {
	local d
	d=$BATS_TEST_TMPDIR/$(printf 'l%.0s' {1..70})/$(printf 'o%.0s' {1..70})/$(printf 'n%.0s' {1..70})
	mkdir -p "$d"
	ln -sf "$LD64" "$d/ld-linux-x86-64.so.2"
	echo "$d/ld-linux-x86-64.so.2"
}

# meaning FILE [strict]: interpreter, search paths, needed libraries and
# soname as readelf shows them; strict: readelf must not warn.
meaning() {
	local err
	err=$(readelf -lW -dW "$1" 2>&1 >/dev/null)
	if [ "${2:-}" = strict ] && [ -n "$err" ]; then
		echo "# readelf warns about $1: $err" >&2
		return 1
	fi
	readelf -lW "$1" | sed -n 's/.*\[Requesting program interpreter: \(.*\)\]$/interp=\1/p'
	# By tag, in a fixed order: where a tool puts a new entry means nothing,
	# the order of DT_NEEDED does.
	local dyn tag
	dyn=$(readelf -dW "$1")
	for tag in RUNPATH RPATH SONAME NEEDED; do
		sed -n -E "s/.*\(($tag)\) +[^[]*\[(.*)\]\$/\1=\2/p" <<<"$dyn"
	done
}

# runs_like IN OUT ARGS...: OUT prints the same and exits the same as IN.
runs_like() {
	local in=$1 out=$2 want got
	shift 2
	want=$("$in" "$@" 2>&1; echo "rc=$?")
	got=$("$out" "$@" 2>&1; echo "rc=$?")
	if [ "$want" != "$got" ]; then
		printf '# %s %s\n# expected: %s\n# got: %s\n' "$out" "$*" "$want" "$got" >&2
		return 1
	fi
}

# loads_like IN OUT SYMBOL: dlopen of OUT gives what dlopen of IN gives.
loads_like() {
	local want got
	want=$("$BATS_FILE_TMPDIR/loadlib" "$1" "$3" 2>&1)
	got=$("$BATS_FILE_TMPDIR/loadlib" "$2" "$3" 2>&1)
	[ "$want" = "$got" ] || { echo "# loads '$got', want '$want'" >&2; return 1; }
	[[ "$got" != "dlopen failed"* ]]
}

# differential IN CHECK [ARGS...] -- OUR-ARGS... -- PATCHELF-ARGS...
# Patches IN with both tools and compares; then runs CHECK IN OUT ARGS....  Leaves our output in $OUT and patchelf's in $REF.
N=0
differential() {
	local in=$1 check=() ours=() pe=() before
	shift
	while [ "$1" != "--" ]; do check+=("$1"); shift; done
	shift
	while [ "$1" != "--" ]; do ours+=("$1"); shift; done
	shift
	pe=("$@")
	N=$((N + 1))
	OUT=$BATS_TEST_TMPDIR/ours-$N-$(basename "$in")
	REF=$BATS_TEST_TMPDIR/patchelf-$N-$(basename "$in")
	before=$(sha256sum <"$in")
	run_gm patch "$in" -o "$OUT" "${ours[@]}"
	[ "$(sha256sum <"$in")" = "$before" ]
	cp "$in" "$REF"
	chmod u+w "$REF"
	patchelf "${pe[@]}" "$REF"
	local m_ours m_ref
	m_ours=$(meaning "$OUT" strict)
	m_ref=$(meaning "$REF")
	if [ "$m_ours" != "$m_ref" ]; then
		echo "# meaning differs from patchelf's (< patchelf, > ours):" >&2
		diff <(echo "$m_ref") <(echo "$m_ours") >&2
		return 1
	fi
	[ "$(stat -L -c %a "$OUT")" = "$(stat -L -c %a "$in")" ]
	# No temporary file is left beside the output.
	[ -z "$(find "$BATS_TEST_TMPDIR" -maxdepth 1 -name '.*.tmp.*')" ]
	"${check[0]}" "$in" "$OUT" "${check[@]:1}"
}

# every_op IN RUN-CHECK...: the operations of the brief on one executable.
every_op() {
	local in=$1 long size
	shift
	long=$(long_interp)
	size=$(stat -L -c %s "$in")
	# (a) an interpreter that fits: written in place, the file keeps its size
	differential "$in" "$@" -- --interp "$SHORT_DIR/ld" -- --set-interpreter "$SHORT_DIR/ld"
	assert_contains "$(meaning "$OUT")" "interp=$SHORT_DIR/ld"
	[ "$(stat -L -c %s "$OUT")" -eq "$size" ]
	# (b) a 200+ character interpreter: a new segment
	differential "$in" "$@" -- --interp "$long" -- --set-interpreter "$long"
	assert_contains "$(meaning "$OUT")" "interp=$long"
	[ "$(stat -L -c %s "$OUT")" -gt "$size" ]
	# (c) runpath, short and long, and an rpath
	differential "$in" "$@" -- --runpath /opt/x -- --set-rpath /opt/x
	assert_contains "$(meaning "$OUT")" "RUNPATH=/opt/x"
	differential "$in" "$@" -- --runpath "$long:/usr/lib" -- --set-rpath "$long:/usr/lib"
	assert_contains "$(meaning "$OUT")" "RUNPATH=$long:/usr/lib"
	differential "$in" "$@" -- --rpath /opt/y -- --force-rpath --set-rpath /opt/y
	assert_contains "$(meaning "$OUT")" "RPATH=/opt/y"
	# (d) removal
	differential "$in" "$@" -- --remove-runpath -- --remove-rpath
	assert_not_contains "$(meaning "$OUT")" "RUNPATH="
	assert_not_contains "$(meaning "$OUT")" "RPATH="
	# both at once, long: interpreter and .dynstr in the new segment
	differential "$in" "$@" -- --interp "$long" --runpath "$long" -- \
		--set-interpreter "$long" --set-rpath "$long"
}

@test "patch --help, and usage errors exit 2 without output" {
	run_gm patch --help
	assert_contains "$output" "usage: glibc-matrix patch FILE -o OUT"
	local o=$BATS_TEST_TMPDIR/o
	run_gm 2 patch /usr/bin/ls --interp /x
	assert_contains "$output" "missing -o OUT"
	run_gm 2 patch /usr/bin/ls -o "$o"
	assert_contains "$output" "nothing to do"
	run_gm 2 patch /usr/bin/ls -o "$o" --runpath /a --rpath /b
	assert_contains "$output" "exclude each other"
	run_gm 2 patch /usr/bin/ls -o "$o" --runpath /a --remove-runpath
	run_gm 2 patch /usr/bin/ls -o "$o" --bogus
	run_gm 2 patch -o "$o" --interp /x
	assert_contains "$output" "missing FILE"
	run_gm 2 patch /usr/bin/ls /usr/bin/cat -o "$o" --interp /x
	run_gm 2 patch /usr/bin/ls -o "$o" --interp ''
	run_gm 2 patch "$BATS_TEST_TMPDIR/no-such-file" -o "$o" --interp /x
	assert_contains "$output" "no-such-file"
	run_gm 2 patch /usr/bin/ls -o "$BATS_TEST_TMPDIR/no/such/dir/o" --interp /x
	[ ! -e "$o" ]
	# The output may not be the input: FILE is never modified.
	cp /usr/bin/ls "$BATS_TEST_TMPDIR/ls"
	run_gm 2 patch "$BATS_TEST_TMPDIR/ls" -o "$BATS_TEST_TMPDIR/ls" --interp /x
	assert_contains "$output" "never modified"
	cmp /usr/bin/ls "$BATS_TEST_TMPDIR/ls"
}

@test "/usr/bin/ls: interp, runpath, rpath, removal match patchelf and run" {
	every_op /usr/bin/ls runs_like --version
}

@test "/usr/bin/bash: interp, runpath, rpath, removal match patchelf and run" {
	every_op /usr/bin/bash runs_like --version
}

@test "PIE hello: interp, runpath, rpath, removal match patchelf and run" {
	every_op "$BATS_FILE_TMPDIR/hello-pie" runs_like
}

@test "non-PIE hello: interp, runpath, rpath, removal match patchelf and run" {
	readelf -h "$BATS_FILE_TMPDIR/hello-nopie" | grep -q 'EXEC'
	every_op "$BATS_FILE_TMPDIR/hello-nopie" runs_like
}

@test "existing DT_RPATH and DT_RUNPATH: in place when shorter, converted, removed" {
	local f
	for f in hello-rpath hello-runpath; do
		f=$BATS_FILE_TMPDIR/$f
		# shorter: in place, same size
		differential "$f" runs_like -- --runpath /opt/short -- --set-rpath /opt/short
		assert_contains "$(meaning "$OUT")" "RUNPATH=/opt/short"
		assert_not_contains "$(meaning "$OUT")" "RPATH="
		[ "$(stat -L -c %s "$OUT")" -eq "$(stat -L -c %s "$f")" ]
		differential "$f" runs_like -- --rpath /opt/short -- --force-rpath --set-rpath /opt/short
		assert_contains "$(meaning "$OUT")" "RPATH=/opt/short"
		assert_not_contains "$(meaning "$OUT")" "RUNPATH="
		# longer: .dynstr moves
		differential "$f" runs_like -- --runpath "$(long_interp)" -- --set-rpath "$(long_interp)"
		differential "$f" runs_like -- --remove-runpath -- --remove-rpath
		assert_not_contains "$(meaning "$OUT")" "PATH="
	done
}

@test "shared libraries: libz and a test-built library keep loading" {
	local long lib checked=0
	long=$(long_interp)
	for lib in /usr/lib/x86_64-linux-gnu/libz.so.1:zlibVersion "$BATS_FILE_TMPDIR/libgreet.so:greet"; do
		local f=${lib%%:*} sym=${lib##*:}
		[ -e "$f" ] || continue
		checked=$((checked + 1))
		differential "$f" loads_like "$sym" -- --runpath /opt/x -- --set-rpath /opt/x
		differential "$f" loads_like "$sym" -- --runpath "$long" -- --set-rpath "$long"
		differential "$f" loads_like "$sym" -- --rpath "$long" -- --force-rpath --set-rpath "$long"
		differential "$f" loads_like "$sym" -- --remove-runpath -- --remove-rpath
		# A shared library has no PT_INTERP to replace: bad input, no output.
		run_gm 2 patch "$f" -o "$BATS_TEST_TMPDIR/nointerp" --interp "$long"
		assert_contains "$output" "no PT_INTERP"
		assert_contains "$output" "'$f'"
		[ ! -e "$BATS_TEST_TMPDIR/nointerp" ]
	done
	[ "$checked" -eq 2 ]
}

@test "no spare DT_NULL (lld): .dynamic moves to the new segment" {
	require_tool ld.lld lld
	[ -e "$BATS_FILE_TMPDIR/hello-lld" ]
	local f
	for f in hello-lld hello-lld-nopie; do
		f=$BATS_FILE_TMPDIR/$f
		differential "$f" runs_like -- --runpath /opt/x -- --set-rpath /opt/x
		assert_contains "$output" ".dynamic"
		# PT_DYNAMIC and the .dynamic section moved together, into a
		# writable segment (old loaders relocate .dynamic in place).
		readelf -lW "$OUT" | grep -E '^ +LOAD' | tail -n 1 | grep -q 'RW '
		differential "$f" runs_like -- --interp "$(long_interp)" --runpath "$(long_interp)" -- \
			--set-interpreter "$(long_interp)" --set-rpath "$(long_interp)"
	done
}

@test "a patched output can be patched again" {
	local long out2=$BATS_TEST_TMPDIR/twice
	long=$(long_interp)
	differential "$BATS_FILE_TMPDIR/hello-pie" runs_like -- --interp "$long" --runpath "$long" -- \
		--set-interpreter "$long" --set-rpath "$long"
	local again=${long%/*}/./ld-linux-x86-64.so.2
	run_gm patch "$OUT" -o "$out2" --interp "$again" --runpath "$long:/x"
	runs_like "$BATS_FILE_TMPDIR/hello-pie" "$out2"
	assert_contains "$(meaning "$out2" strict)" "interp=$again"
	assert_contains "$(meaning "$out2" strict)" "RUNPATH=$long:/x"
	run_gm patch "$out2" -o "$out2.short" --interp "$SHORT_DIR/ld" --remove-runpath
	runs_like "$BATS_FILE_TMPDIR/hello-pie" "$out2.short"
}

@test "a search path tail-merged into another .dynstr string is never overwritten in place" {
	local d=$BATS_TEST_TMPDIR rp out
	printf 'int x_new(void) { return 2; }\n' >"$d/x.c"
	printf 'int x_new(void);\nint main(void) { return x_new() == 2 ? 0 : 1; }\n' >"$d/m.c"
	gcc -shared -fPIC -Wl,-soname,libx.so -o "$d/libx.so" "$d/x.c"
	# ld stores each of these RUNPATHs as the tail of another string: the
	# needed library's name, a symbol name, a version name.
	for rp in x.so new _2.34; do
		gcc -o "$d/m-$rp" "$d/m.c" -L"$d" -lx -Wl,--enable-new-dtags,-rpath,"$rp"
		# Proof that the string is shared: .dynstr has no entry of its own.
		[ -z "$(readelf -p .dynstr "$d/m-$rp" | grep -E "\]  $rp\$")" ]
		out=$d/m-$rp.patched
		run_gm patch "$d/m-$rp" -o "$out" --runpath /y
		run readelf -dW "$out"
		assert_contains "$output" "Shared library: [libx.so]"
		assert_contains "$output" "Library runpath: [/y]"
		run readelf -VW "$out"
		assert_contains "$output" "Name: GLIBC_2.34"
		run readelf --dyn-syms -W "$out"
		assert_contains "$output" " x_new"
		LD_LIBRARY_PATH=$d run "$out"
		[ "$status" -eq 0 ]
	done
}

@test "malformed input: clear error, exit 2, no output, input untouched" {
	local d=$BATS_TEST_TMPDIR o=$BATS_TEST_TMPDIR/out n
	local src=$BATS_FILE_TMPDIR/hello-pie size
	size=$(stat -L -c %s "$src")
	for n in 0 3 4 16 52 63 64 100 500 1000 4096 $((size / 2)) $((size - 100)); do
		head -c "$n" "$src" >"$d/trunc-$n"
		run_gm 2 patch "$d/trunc-$n" -o "$o" --interp "$(long_interp)" --runpath /x
		assert_contains "$output" "'$d/trunc-$n'"
		[ ! -e "$o" ]
	done
	echo 'not an ELF file at all' >"$d/text"
	run_gm 2 patch "$d/text" -o "$o" --interp /x
	assert_contains "$output" "not an ELF file"
	# Program headers pointing past the end of the file (e_phoff = 2^40).
	cp "$src" "$d/badph"
	printf '\x00\x00\x00\x00\x00\x01\x00\x00' | dd of="$d/badph" bs=1 seek=32 conv=notrunc 2>/dev/null
	run_gm 2 patch "$d/badph" -o "$o" --interp /x
	# PT_INTERP (program header 1 of a gcc PIE) claiming a size past the end.
	cp "$src" "$d/badinterp"
	printf '\x00\x00\x00\x00\x00\x01\x00\x00' |
		dd of="$d/badinterp" bs=1 seek=$((64 + 56 + 32)) conv=notrunc 2>/dev/null
	run_gm 2 patch "$d/badinterp" -o "$o" --interp "$(long_interp)"
	assert_contains "$output" "outside the file"
	[ ! -e "$o" ]
	[ -z "$(find "$d" -maxdepth 1 -name '.*.tmp.*')" ]
}

@test "a static executable has no PT_INTERP: exit 2, no output" {
	[ -e "$BATS_FILE_TMPDIR/hello-static" ] || missing_tool "gcc -static does not link here (libc.a: Debian package libc6-dev)"
	local o=$BATS_TEST_TMPDIR/out
	run_gm 2 patch "$BATS_FILE_TMPDIR/hello-static" -o "$o" --interp "$LD64"
	assert_contains "$output" "no PT_INTERP"
	run_gm 2 patch "$BATS_FILE_TMPDIR/hello-static" -o "$o" --runpath /x
	assert_contains "$output" "no dynamic section"
	[ ! -e "$o" ]
}

# sysroot_field NAME FIELD: one line of 'sysroot show', or all libdirs
# joined by ':'.
sysroot_field() {
	"$GM" sysroot show "$1" | sed -n "s/^$2: *//p" | paste -sd:
}

@test "glibc method: PT_INTERP and RUNPATH into debian-trixie-amd64 run glibc 2.41" {
	[ "$HOST_ARCH" = amd64 ] || skip_fact not-amd64
	"$GM" sysroot show debian-trixie-amd64 >/dev/null 2>&1 || run_gm sysroot import trixie
	local loader libdirs dir v=$BATS_TEST_TMPDIR/version-trixie
	loader=$(sysroot_field debian-trixie-amd64 loader)
	libdirs=$(sysroot_field debian-trixie-amd64 libdir)
	dir=$(sysroot_field debian-trixie-amd64 directory)
	[ -x "$loader" ] && [ -n "$libdirs" ]
	run_gm patch "$BATS_FILE_TMPDIR/version" -o "$v" --interp "$loader" --runpath "$libdirs"
	run "$v"
	echo "$output"
	[ "$status" -eq 0 ]
	assert_contains "$output" "glibc=2.41"
	local libc
	libc=$(sed -n 's/^libc=//p' <<<"$output")
	[[ "$libc" == "$dir/"* ]]
	assert_contains "$(meaning "$v" strict)" "interp=$loader"
}

@test "moved .dynamic under a pre-2.35 loader (bullseye, glibc 2.31)" {
	[ "$HOST_ARCH" = amd64 ] || skip_fact not-amd64
	require_tool ld.lld lld
	"$GM" sysroot show debian-bullseye-amd64 >/dev/null 2>&1 || run_gm sysroot import bullseye
	local dir lib v=$BATS_TEST_TMPDIR/v31
	dir=$(sysroot_field debian-bullseye-amd64 directory)
	lib=$dir/usr/lib/x86_64-linux-gnu
	# Linked against bullseye's libc itself (its libc.so script names host paths).
	gcc -nostdlib -fuse-ld=lld -o "$v" "$lib/Scrt1.o" "$lib/crti.o" \
		"$TOP/tests/fixtures/version.c" "$dir/lib/x86_64-linux-gnu/libc.so.6" \
		"$lib/libc_nonshared.a" "$lib/crtn.o" -Wl,--dynamic-linker="$LD64"
	run_gm patch "$v" -o "$v.p" --interp "$(sysroot_field debian-bullseye-amd64 loader)" \
		--runpath "$(sysroot_field debian-bullseye-amd64 libdir)"
	assert_contains "$output" ".dynamic"
	run "$v.p"
	echo "$output"
	[ "$status" -eq 0 ]
	assert_contains "$output" "glibc=2.31"
	assert_contains "$output" "libc=$dir/"
}

@test "aarch64 (debian-bookworm-arm64): same meaning as patchelf, checked statically" {
	"$GM" sysroot show debian-bookworm-arm64 >/dev/null 2>&1 ||
		run_gm sysroot import bookworm --arch arm64
	local dir libc ld long
	dir=$(sysroot_field debian-bookworm-arm64 directory)
	libc=$(find "$dir" -name libc.so.6 -type f | head -n 1)
	ld=$(sysroot_field debian-bookworm-arm64 loader)
	long=/opt/$(printf 'a%.0s' {1..120})/$(printf 'b%.0s' {1..100})/ld-linux-aarch64.so.1
	[ -f "$libc" ] && [ -f "$ld" ]
	readelf -h "$libc" | grep -q AArch64
	# libc.so.6 is also an executable (it prints its banner): it has PT_INTERP.
	differential "$libc" true -- --interp "$long" -- --set-interpreter "$long"
	assert_contains "$(meaning "$OUT")" "interp=$long"
	differential "$libc" true -- --interp /lib/ld.so.1 -- --set-interpreter /lib/ld.so.1
	[ "$(stat -L -c %s "$OUT")" -eq "$(stat -L -c %s "$libc")" ]
	differential "$libc" true -- --runpath "$long" -- --set-rpath "$long"
	differential "$libc" true -- --interp "$long" --rpath /x:/y -- \
		--set-interpreter "$long" --force-rpath --set-rpath /x:/y
	# The new segment keeps arm64's 64 KiB alignment and offset/address congruence.
	readelf -lW "$OUT" | awk '$1 == "LOAD" && (strtonum($2) - strtonum($3)) % strtonum($NF) != 0 { bad = 1 }
		END { exit bad }'
	# The patched libc still runs (under qemu-user, through the sysroot's
	# own loader: its PT_INTERP now names a path that does not exist).
	if command -v qemu-aarch64 >/dev/null || command -v qemu-aarch64-static >/dev/null; then
		local q
		q=$(command -v qemu-aarch64 || command -v qemu-aarch64-static)
		run "$q" "$ld" --library-path "${libc%/*}" "$OUT"
		assert_contains "$output" "GNU C Library"
	fi
	differential "$ld" true -- --remove-runpath -- --remove-rpath
}
