#!/usr/bin/env bats
# inspect and explain: static answers from the ELF data, checked against the
# fixtures, against real system binaries and against what real loaders do.

load helpers

FIX=$BATS_TEST_DIRNAME/fixtures/elf

@test "inspect reports interpreter, needs, runpath and the glibc floor of a fixture" {
	run_gm inspect "$FIX/hello-nopie"
	assert_contains "$output" "ELF64 x86_64 executable"
	assert_contains "$output" "interpreter: /lib64/ld-linux-x86-64.so.2"
	assert_contains "$output" "runpath:     /opt/fixture/lib"
	assert_contains "$output" "glibc floor: GLIBC_2.34"
	assert_contains "$output" "requires libc.so.6:"
	assert_contains "$output" "GLIBC_2.33"
}

@test "inspect --json agrees with readelf on real system binaries" {
	local checked=0
	for f in /usr/bin/ls /usr/bin/bash /usr/lib/x86_64-linux-gnu/libz.so.1; do
		[ -e "$f" ] || continue
		checked=$((checked + 1))
		run "$GM" inspect --json "$f"
		[ "$status" -eq 0 ]
		json=$output
		# The highest GLIBC_x.y readelf lists among libc's needs.
		want=$(readelf -V "$f" | awk '/File: libc.so.6/ { inlibc = 1; next } /File:/ { inlibc = 0 }
			inlibc && /Name: GLIBC_[0-9]/ { sub(/.*Name: GLIBC_/, ""); sub(/ .*/, ""); print }' |
			sort -V | tail -n 1)
		got=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])[0]["glibc_floor"] or "")' "$json")
		echo "$f: readelf $want, inspect $got"
		[ "$got" = "$want" ]
		interp=$(readelf -l "$f" | sed -n 's/.*Requesting program interpreter: \(.*\)]/\1/p')
		got=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])[0]["interpreter"] or "")' "$json")
		[ "$got" = "$interp" ]
		id=$(readelf -n "$f" | sed -n 's/.*Build ID: *//p')
		got=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])[0]["build_id"] or "")' "$json")
		echo "$f: build id readelf $id, inspect $got"
		[ -n "$id" ]
		[ "$got" = "$id" ]
	done
	[ "$checked" -ge 2 ]
}

@test "inspect flags GLIBC_ABI_DT_RELR in a -z pack-relative-relocs binary" {
	printf 'int main(void) { return 0; }\n' > "$BATS_TEST_TMPDIR/relr.c"
	cc -o "$BATS_TEST_TMPDIR/relr" "$BATS_TEST_TMPDIR/relr.c" -Wl,-z,pack-relative-relocs 2>/dev/null ||
		skip_fact old-binutils
	readelf -V "$BATS_TEST_TMPDIR/relr" | grep -q GLIBC_ABI_DT_RELR || skip_fact old-host-glibc
	run_gm inspect "$BATS_TEST_TMPDIR/relr"
	assert_contains "$output" "special:     GLIBC_ABI_DT_RELR from libc.so.6 (glibc >= 2.36)"
}

@test "inspect -r scans a directory, skips non-ELF files and reports bad ones without stopping" {
	mkdir -p "$BATS_TEST_TMPDIR/tree/sub"
	cp "$FIX/hello-pie" "$BATS_TEST_TMPDIR/tree/"
	cp "$FIX/libfix.so" "$BATS_TEST_TMPDIR/tree/sub/"
	cp "$FIX/hello.c" "$BATS_TEST_TMPDIR/tree/"
	head -c 100 "$FIX/hello-pie" > "$BATS_TEST_TMPDIR/tree/sub/broken"
	run_gm 2 inspect -r "$BATS_TEST_TMPDIR/tree"
	assert_contains "$output" "tree/hello-pie: ELF64"
	assert_contains "$output" "tree/sub/libfix.so: ELF64 x86_64 shared object"
	assert_contains "$output" "broken': program headers lie outside the file"
	assert_not_contains "$output" "hello.c"
	# Without -r only the directory's own files.
	run_gm 0 inspect "$BATS_TEST_TMPDIR/tree"
	assert_not_contains "$output" "libfix.so"
}

@test "inspect never executes its input" {
	# A "binary" whose interpreter would leave a mark if anything ran it.
	cat > "$BATS_TEST_TMPDIR/mark.sh" <<-EOS
	#!/bin/sh
	touch "$BATS_TEST_TMPDIR/executed"
	EOS
	chmod +x "$BATS_TEST_TMPDIR/mark.sh"
	cp "$FIX/hello-pie" "$BATS_TEST_TMPDIR/trap"
	run_gm 2 inspect "$BATS_TEST_TMPDIR/trap" "$BATS_TEST_TMPDIR/mark.sh"
	assert_contains "$output" "mark.sh': not an ELF file"
	[ ! -e "$BATS_TEST_TMPDIR/executed" ]
}

@test "every file of the malformed corpus gives a clear error, never a crash" {
	python3 "$FIX/make-corrupt.py" "$BATS_TEST_TMPDIR/corpus" > "$BATS_TEST_TMPDIR/names"
	[ "$(wc -l < "$BATS_TEST_TMPDIR/names")" -ge 30 ]
	while read -r name; do
		f=$BATS_TEST_TMPDIR/corpus/$name
		run "$GM" inspect "$f"
		echo "$name: $status: $output"
		[ "$status" -eq 2 ]
		assert_contains "$output" "$f"
		run "$GM" inspect --json "$f"
		[ "$status" -eq 2 ]
	done < "$BATS_TEST_TMPDIR/names"
}

@test "a small file claiming N x N version nodes is refused within a small memory bound" {
	python3 "$FIX/make-corrupt.py" "$BATS_TEST_TMPDIR/corpus" >/dev/null
	f=$BATS_TEST_TMPDIR/corpus/verneed-nodes-quadratic
	[ "$(stat -c %s "$f")" -lt 100000 ]
	# ASan maps terabytes of shadow memory up front (make check-sanitize).
	[[ "$GM" != *-asan ]] || skip_fact asan
	# 128 MiB of address space is plenty for an 89 KB file; the quadratic
	# claim (4863 entries x 4863 nodes) would need gigabytes.
	run bash -c 'ulimit -v 131072; exec "$1" inspect "$2"' _ "$GM" "$f"
	echo "$output"
	[ "$status" -eq 2 ]
	assert_contains "$output" "claim more nodes than the section holds"
}

@test "a missing file is a usage error (exit 2)" {
	run_gm 2 inspect "$BATS_TEST_TMPDIR/nothing"
	run_gm 2 explain "$BATS_TEST_TMPDIR/nothing" --against 2.36
	run_gm 2 explain "$FIX/hello-pie"
}

@test "explain: a host binary against bullseye (2.31) names every failing symbol, like the loader" {
	ensure_sysroot debian-bullseye-amd64 import bullseye
	# This machine's libraries beyond glibc (--host-libs), as the loader
	# below is given glibc's directories only.
	run_gm 1 explain /usr/bin/ls --against debian-bullseye-amd64 --host-libs
	assert_contains "$output" "will NOT load"
	assert_contains "$output" "outcome: symbol-version"
	assert_contains "$output" "__libc_start_main@GLIBC_2.34"
	assert_contains "$output" "stat@GLIBC_2.33"
	assert_contains "$output" "libselinux.so.1 needs GLIBC_2.34 from libc.so.6"
	# The real loader refuses exactly those nodes for exactly those objects.
	loader=$("$GM" sysroot show debian-bullseye-amd64 | sed -n 's/^loader: *//p')
	libdirs=$("$GM" sysroot show debian-bullseye-amd64 | sed -n 's/^libdir: *//p' | paste -sd:)
	run "$loader" --inhibit-cache --library-path "$libdirs" /usr/bin/ls
	[ "$status" -ne 0 ]
	loader_says=$(grep -o "version \`GLIBC_[0-9.]*' not found (required by [^)]*)" <<<"$output" | sort)
	run "$GM" explain --json /usr/bin/ls --against debian-bullseye-amd64 --host-libs
	we_say=$(python3 -c '
import json, sys
for p in json.loads(sys.argv[1])["problems"]:
    print("version `%s'"'"' not found (required by %s)" % (p["node"], p["object"]))' "$output" | sort)
	echo "loader: $loader_says"
	echo "we:     $we_say"
	[ "$loader_says" = "$we_say" ]
}

@test "explain: the same binary loads against newer glibcs, by name or by version" {
	ensure_sysroot debian-trixie-amd64 import trixie
	run_gm 0 explain /usr/bin/ls --against debian-trixie-amd64 --host-libs
	assert_contains "$output" "loads"
	assert_contains "$output" "from the host: /lib/x86_64-linux-gnu/libselinux.so.1"
	# By default trixie's own libselinux, named with its package.
	run_gm 0 explain /usr/bin/ls --against debian-trixie-amd64
	assert_contains "$output" "libselinux.so.1 from sysroot debian-trixie-amd64 (trixie's libselinux1"
	run_gm 0 explain "$FIX/hello-pie" --against 2.41
	run_gm 2 explain "$FIX/hello-pie" --against 1.99
	assert_contains "$output" "no sysroot with glibc 1.99"
}

@test "explain decides from what the sysroot defines, not from version numbers" {
	ensure_sysroot debian-bullseye-amd64 import bullseye
	# A copy of bullseye's sysroot whose libc has had GLIBC_2.30 renamed:
	# same version number, one node fewer.  explain must notice.
	src=$GLIBC_MATRIX_STORE/sysroots/debian-bullseye-amd64
	printf '#define _GNU_SOURCE\n#include <unistd.h>\n#include <stdio.h>\nint main(void) { printf("%%d\\n", (int)gettid()); return 0; }\n' > "$BATS_TEST_TMPDIR/tid.c"
	# Built against bullseye itself, so that GLIBC_2.30 is its newest need.
	cc --sysroot="$src" -B "$src/usr/lib/x86_64-linux-gnu" -L "$src/lib/x86_64-linux-gnu" \
		-L "$src/usr/lib/x86_64-linux-gnu" -o "$BATS_TEST_TMPDIR/tid" "$BATS_TEST_TMPDIR/tid.c"
	# Bullseye (2.31) has gettid@GLIBC_2.30 and nothing newer it could bind to.
	readelf -V "$BATS_TEST_TMPDIR/tid" | grep -q "GLIBC_2.30"
	run_gm 0 explain "$BATS_TEST_TMPDIR/tid" --against debian-bullseye-amd64
	export GLIBC_MATRIX_STORE=$BATS_TEST_TMPDIR/store
	mkdir -p "$GLIBC_MATRIX_STORE/sysroots"
	cp -a "$src" "$GLIBC_MATRIX_STORE/sysroots/patched"
	sed -i "s#$src#$GLIBC_MATRIX_STORE/sysroots/patched#g; s#\"debian-bullseye-amd64\"#\"patched\"#" \
		"$GLIBC_MATRIX_STORE/sysroots/patched/sysroot.json"
	libc=$(readlink -f "$GLIBC_MATRIX_STORE/sysroots/patched/lib/x86_64-linux-gnu/libc.so.6")
	python3 - "$libc" <<-'PY'
	import sys
	p = sys.argv[1]
	b = open(p, "rb").read()
	# The node's name lives in .dynstr; same length keeps every offset valid.
	assert b.count(b"GLIBC_2.30\0") >= 1
	open(p, "wb").write(b.replace(b"GLIBC_2.30\0", b"GLIBC_2.3X\0"))
	PY
	run_gm 1 explain "$BATS_TEST_TMPDIR/tid" --against patched
	assert_contains "$output" "gettid@GLIBC_2.30"
	# And the loader agrees.
	run "$GLIBC_MATRIX_STORE/sysroots/patched/lib64/ld-linux-x86-64.so.2" --inhibit-cache \
		--library-path "$GLIBC_MATRIX_STORE/sysroots/patched/lib/x86_64-linux-gnu" "$BATS_TEST_TMPDIR/tid"
	assert_contains "$output" "GLIBC_2.30' not found"
}
