#!/usr/bin/env bats
# inspect --max-glibc VERSION and --profile NAME: the ELF-only gate, on
# small programs the host's gcc builds here (bookworm: glibc 2.36, so every
# dynamic executable needs __libc_start_main@GLIBC_2.34).

load helpers

setup() {
	require_tool gcc gcc
	W=$BATS_TEST_TMPDIR
	printf 'int main(void) { return 0; }\n' > "$W/main.c"
	# A library that calls nothing of glibc's newer than 2.2.5.
	printf 'int gate_add(int x) { return x + 1; }\n' > "$W/add.c"
	gcc -o "$W/new" "$W/main.c"
	gcc -shared -fPIC -o "$W/libplain.so" "$W/add.c"
}

# json_get JSON PYTHON-EXPRESSION (over d, the parsed array)
json_get() {
	python3 -c 'import json, sys; d = json.loads(sys.argv[1]); print(eval(sys.argv[2]))' "$1" "$2"
}

@test "a program built against 2.36 is over 2.33: the node and the symbol are named, exit 1" {
	run_gm 1 inspect --max-glibc 2.33 "$W/new"
	assert_contains "$output" "$W/new: GLIBC_2.34 from libc.so.6 (__libc_start_main)"
	assert_contains "$output" "1 of 1 ELF file over glibc 2.33"
	run_gm 0 inspect --max-glibc 2.34 "$W/new"
	assert_contains "$output" "0 of 1 ELF file over glibc 2.34"
	assert_not_contains "$output" "__libc_start_main"
	# A library that needs nothing new passes even 2.17.
	run_gm 0 inspect --max-glibc 2.17 "$W/libplain.so"
}

@test "--json: one object per ELF file with file, floor, over and the nodes over the limit" {
	run_gm 1 inspect --max-glibc 2.28 --json "$W/new" "$W/libplain.so"
	[ "$(json_get "$output" 'len(d)')" = 2 ]
	[ "$(json_get "$output" 'd[0]["file"]')" = "$W/new" ]
	[ "$(json_get "$output" 'd[0]["floor"]')" = 2.34 ]
	[ "$(json_get "$output" 'd[0]["over"]')" = True ]
	[ "$(json_get "$output" 'd[0]["static"]')" = False ]
	[ "$(json_get "$output" '[n["node"] for n in d[0]["nodes"]]')" = "['GLIBC_2.34']" ]
	[ "$(json_get "$output" 'd[0]["nodes"][0]["symbols"]')" = "['__libc_start_main']" ]
	[ "$(json_get "$output" 'd[0]["nodes"][0]["library"]')" = libc.so.6 ]
	[ "$(json_get "$output" 'd[0]["nodes"][0]["reason"]')" = newer ]
	[ "$(json_get "$output" 'd[1]["over"]')" = False ]
	[ "$(json_get "$output" 'd[1]["nodes"]')" = "[]" ]
	# Nothing but the array on stdout: no summary line.
	run --separate-stderr "$GM" inspect --max-glibc 2.36 --json "$W/new"
	[ "$status" -eq 0 ]
	[ "$(json_get "$output" 'd[0]["over"]')" = False ]
}

@test "-r over a directory: non-ELF files skipped, a static executable said so, never over" {
	mkdir -p "$W/tree/sub"
	cp "$W/new" "$W/tree/sub/"
	cp "$W/libplain.so" "$W/tree/"
	cp "$W/main.c" "$W/tree/notes.txt"
	gcc -static -o "$W/tree/static" "$W/main.c" 2>/dev/null ||
		missing_tool "gcc -static needs glibc's libc.a (Debian package libc6-dev)"
	run_gm 1 inspect --max-glibc 2.28 -r "$W/tree"
	assert_contains "$output" "tree/sub/new: GLIBC_2.34 from libc.so.6 (__libc_start_main)"
	assert_contains "$output" "tree/static: static executable, no version needs"
	assert_not_contains "$output" "notes.txt"
	assert_not_contains "$output" "libplain.so:"
	assert_contains "$output" "1 of 3 ELF files over glibc 2.28; 1 static executable without version needs"
	run_gm 1 inspect --max-glibc 2.28 -r --json "$W/tree"
	[ "$(json_get "$output" 'sorted((o["file"].split("/")[-1], o["over"], o["static"]) for o in d)')" = \
		"[('libplain.so', False, False), ('new', True, False), ('static', False, True)]" ]
	# Without -r, only the directory's own files.
	run_gm 0 inspect --max-glibc 2.28 "$W/tree"
	assert_contains "$output" "0 of 2 ELF files over"
}

@test "a malformed file keeps inspect's exit 2, the others are still judged" {
	mkdir -p "$W/tree"
	cp "$W/new" "$W/tree/"
	head -c 100 "$W/new" > "$W/tree/broken"
	run_gm 2 inspect --max-glibc 2.28 "$W/tree"
	assert_contains "$output" "broken': program headers lie outside the file"
	assert_contains "$output" "tree/new: GLIBC_2.34"
	assert_contains "$output" "1 of 1 ELF file over glibc 2.28; 1 file not judged (malformed or unreadable)"
}

@test "the malformed corpus under the gate (symbols read too): a clear error, exit 2, never a crash" {
	python3 "$BATS_TEST_DIRNAME/fixtures/elf/make-corrupt.py" "$W/corpus" > "$W/names"
	[ "$(wc -l < "$W/names")" -ge 30 ]
	while read -r name; do
		run "$GM" inspect --max-glibc 2.28 "$W/corpus/$name"
		echo "$name: $status: $output"
		[ "$status" -eq 2 ]
		assert_contains "$output" "$W/corpus/$name"
		run "$GM" inspect --profile manylinux_2_28 --json "$W/corpus/$name"
		[ "$status" -eq 2 ]
	done < "$W/names"
}

@test "GLIBC_ABI_DT_RELR is over a limit before 2.36, with its own word" {
	gcc -o "$W/relr" "$W/main.c" -Wl,-z,pack-relative-relocs 2>/dev/null || skip_fact old-binutils
	readelf -V "$W/relr" | grep -q GLIBC_ABI_DT_RELR || skip_fact old-host-glibc
	run_gm 1 inspect --max-glibc 2.35 "$W/relr"
	assert_contains "$output" "GLIBC_ABI_DT_RELR from libc.so.6 [glibc >= 2.36]"
	run_gm 0 inspect --max-glibc 2.36 "$W/relr"
	run_gm 1 inspect --max-glibc 2.35 --json "$W/relr"
	[ "$(json_get "$output" '[(n["node"], n["reason"], n["since"]) for n in d[0]["nodes"] if n["reason"] == "abi"]')" = \
		"[('GLIBC_ABI_DT_RELR', 'abi', '2.36')]" ]
}

@test "--profile: a library outside the manylinux list is a violation, named" {
	gcc -shared -fPIC -Wl,-soname,libgatefoo.so.1 -o "$W/libgatefoo.so.1" "$W/add.c"
	ln -s libgatefoo.so.1 "$W/libgatefoo.so"
	printf 'int gate_add(int);\nint main(void) { return gate_add(1) - 2; }\n' > "$W/usefoo.c"
	gcc -o "$W/usefoo" "$W/usefoo.c" -L"$W" -lgatefoo
	run_gm 1 inspect --profile manylinux_2_35 "$W/usefoo"
	assert_contains "$output" "libgatefoo.so.1 is not in manylinux_2_35's allowed libraries"
	assert_not_contains "$output" "GLIBC_2.34"
	assert_contains "$output" "1 of 1 ELF file over manylinux_2_35 (glibc 2.35)"
	run_gm 1 inspect --profile manylinux_2_35 --json "$W/usefoo"
	[ "$(json_get "$output" 'd[0]["libraries"]')" = "['libgatefoo.so.1']" ]
	# Only libc: within manylinux_2_35, over manylinux_2_28 (glibc) and
	# manylinux2014 (the alias of manylinux_2_17).
	run_gm 0 inspect --profile manylinux_2_35 "$W/new"
	run_gm 1 inspect --profile manylinux_2_28 "$W/new"
	assert_contains "$output" "GLIBC_2.34 from libc.so.6 (__libc_start_main)"
	run_gm 1 inspect --profile manylinux2014 "$W/new"
	assert_contains "$output" "over manylinux_2_17 (glibc 2.17)"
}

@test "--profile: libstdc++ nodes beyond the profile's GLIBCXX limit" {
	require_tool g++ g++
	printf '#include <string>\nint main(int c, char **v) { std::string s(v[0]); return s.size() == 0; }\n' > "$W/s.cc"
	g++ -o "$W/cxx" "$W/s.cc"
	readelf -V "$W/cxx" | grep -q 'GLIBCXX_3\.4\.2[1-9]'
	run_gm 1 inspect --profile manylinux2014 "$W/cxx"
	assert_contains "$output" "from libstdc++.so.6 [manylinux_2_17 allows up to GLIBCXX_3.4.19]"
	assert_contains "$output" "_ZNSt7__cxx1112basic_string"
	run_gm 1 inspect --profile manylinux2014 --json "$W/cxx"
	[ "$(json_get "$output" 'sorted({n["limit"] for n in d[0]["nodes"] if n["reason"] == "profile"})')" = \
		"['GLIBCXX_3.4.19']" ]
}

@test "usage errors are exit 2: a bad version, an unknown profile, both at once, --closure" {
	run_gm 2 inspect --max-glibc 2 "$W/new"
	assert_contains "$output" "'2' is not a glibc version"
	run_gm 2 inspect --max-glibc GLIBC_2.28 "$W/new"
	run_gm 2 inspect --profile manylinux_2_99 "$W/new"
	assert_contains "$output" "unknown profile 'manylinux_2_99'"
	assert_contains "$output" "manylinux_2_17 (manylinux2014), manylinux_2_28"
	run_gm 2 inspect --profile manylinux_2_28 --max-glibc 2.28 "$W/new"
	run_gm 2 inspect --closure --max-glibc 2.28 "$W/new"
}
