#!/usr/bin/env bats
# Verdicts on users' programs: what a program prints is its own business
# (only our probes speak the glibc=/libc=/ld= protocol), a process the
# loader's trace shows made of two glibc builds is mixed-glibc whatever its
# signal, and a static executable is not a subject of the methods that swap
# the glibc, in every command that predicts.

load helpers

setup_file() {
	ensure_sysroot debian-bullseye-amd64 import bullseye
}

@test "check: a user's program that prints libc= of another glibc and glibc=2.99 is judged by how it ran: ok, not mixed-glibc" {
	local d=$BATS_TEST_TMPDIR other
	other=$GLIBC_MATRIX_STORE/sysroots/debian-bullseye-amd64/lib/x86_64-linux-gnu/libc.so.6
	[ -f "$other" ]
	cat >"$d/liar.c" <<-EOF
	#include <stdio.h>
	int main(void)
	{
		puts("glibc=2.99");
		puts("libc=$other");
		puts("ld=/lib64/ld-linux-x86-64.so.2");
		return 0;
	}
	EOF
	cc -o "$d/liar" "$d/liar.c"
	run_gm 0 check "$d/liar" --against host --method host --out "$d/out"
	assert_contains "$output" "0 mismatches"
	run method_cells "$d/out"
	assert_contains "$output" "host host ok ok"
	assert_not_contains "$output" "mixed-glibc"
	# What it ran on is what the loader mapped, not what it printed.
	run python3 -c 'import json, sys
c = json.load(open(sys.argv[1]))["cells"][0]["observed"]
print(c["glibc"], c["libc"])' "$d/out/results.json"
	assert_not_contains "$output" "2.99"
	assert_not_contains "$output" "debian-bullseye"
}

@test "check: a C++ program built with flags --portable for bullseye, by env on bullseye, is mixed-glibc (the trace saw two builds), not a crash and not a mismatch" {
	require_tool g++ g++
	local d=$BATS_TEST_TMPDIR flags
	# Without the merged libraries' specs: libstdc++'s weak pthread
	# references then stay unbound, no libpthread is needed, and only the
	# trace can see bullseye's libc beside the host's loader.
	flags=$("$GM" flags --sysroot bullseye --portable --c++ 3>&-)
	flags=${flags/ -specs=*merged-libs.specs/}
	# shellcheck disable=SC2086 # flags holds words meant to be split
	g++ $flags -O2 -o "$d/cxx" "$TOP/tests/fixtures/cxx-app.cc"
	run readelf -d "$d/cxx"
	assert_not_contains "$output" "libpthread"
	# Not as expected (a gate finding: exit 1), but as predicted.
	run_gm 1 check "$d/cxx" --against bullseye --method env --out "$d/out"
	assert_contains "$output" "0 mismatches"
	run method_cells "$d/out"
	assert_contains "$output" "env debian-bullseye-amd64 mixed-glibc mixed-glibc"
	assert_contains "$output" "two glibc builds"
	assert_contains "$output" "seen by the loader's trace mode"
}

@test "explain and explain --against-all: a static executable (static and static-pie) is skipped by loader and interp, as check skips it, never ok" {
	local d=$BATS_TEST_TMPDIR kind
	printf 'int main(void) { return 0; }\n' >"$d/s.c"
	for kind in static static-pie; do
		cc "-$kind" -o "$d/$kind" "$d/s.c"
		run_gm 0 explain "$d/$kind" --against bullseye
		assert_contains "$output" "(glibc 2.31, x86_64): skipped"
		assert_contains "$output" "outcome: skipped (static executable: it carries its own libc; methods that swap the glibc do not apply)"
		run_gm 0 explain "$d/$kind" --against-all
		assert_contains "$output" "debian-bullseye-amd64      skipped                          skipped"
		assert_contains "$output" "loader: skipped (static executable: it carries its own libc"
		assert_contains "$output" "interp: skipped (static executable: it carries its own libc"
		assert_not_contains "$output" " ok "
		run_gm 0 explain "$d/$kind" --against-all --json
		run python3 -c 'import json, sys
d = json.load(open(sys.argv[1]))
print(sorted({c["outcome"] for r in d["sysroots"] for c in r["methods"].values()}))
print(d["by_method"])' /dev/stdin <<<"$output"
		assert_contains "$output" "['skipped']"
		assert_contains "$output" "'oldest_that_runs': None, 'newest_that_does_not': None"
		# check's words for the same cells (host runs it: a cell ran).
		run_gm 0 check "$d/$kind" --against bullseye -m loader -m interp -m host \
			--out "$d/out-$kind"
		assert_contains "$output" "by loader: skipped (static executable: it carries its own libc; methods that swap the glibc do not apply)"
	done
}

@test "container method: a program's NUL bytes are kept, by length, in rootfs exec --json and in results.json" {
	require_tool mmdebstrap mmdebstrap
	"$GM" --quiet rootfs build bookworm busybox 3>&- || return 1
	local d=$BATS_TEST_TMPDIR/p
	require_runtime
	mkdir -p "$d"
	printf '#include <unistd.h>\nint main(void)\n{\n\twrite(1, "a\\0b\\n", 4);\n\twrite(2, "e\\0f", 3);\n\treturn 0;\n}\n' >"$d/nul.c"
	gcc -o "$d/nul" "$d/nul.c"
	run_gm rootfs exec bookworm --dir "$d" --json -- /gm/nul
	run python3 -c 'import json, sys
p = json.load(sys.stdin)[0]
print(repr(p["stdout"]), repr(p["stderr"]))' <<<"$output"
	[ "$output" = "'a\\x00b\\n' 'e\\x00f'" ]
	run_gm 0 check "$d/nul" --against bookworm --method container --rootfs bookworm --out "$d/out"
	run python3 -c 'import json, sys
c = json.load(open(sys.argv[1]))["cells"][0]["observed"]
print(c["outcome"], repr(c["stdout"]), repr(c["stderr"]))' "$d/out/results.json"
	[ "$output" = "ok 'a\\x00b\\n' 'e\\x00f'" ]
}
