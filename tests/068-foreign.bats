#!/usr/bin/env bats
# Foreign architectures through qemu-user-static: aarch64 and riscv64
# sysroots imported from Debian, probes cross-built with Debian's cross
# compilers, the methods that can run them under the emulator (loader,
# interp; rpath and env keep the standard PT_INTERP, which this machine
# does not have), predicted as any other cell.

load helpers

setup_file() {
	command -v qemu-aarch64-static >/dev/null || return 0
	ensure_sysroot debian-bullseye-arm64 import bullseye --arch arm64
	ensure_sysroot debian-bookworm-arm64 import bookworm --arch arm64
	ensure_sysroot debian-trixie-arm64 import trixie --arch arm64
	ensure_sysroot debian-trixie-riscv64 import trixie --arch riscv64
	ensure_sysroot debian-sid-riscv64 import sid --arch riscv64
}

setup() {
	require_tool qemu-aarch64-static qemu-user-static
	require_tool aarch64-linux-gnu-gcc gcc-aarch64-linux-gnu
}

# cells OUT: "subject build run method predicted observed detail" per cell.
cells() {
	python3 - "$1" <<-'PY'
	import json, sys
	for c in json.load(open(sys.argv[1] + "/results.json"))["cells"]:
	    print(c["subject"], c["build"], c["run"], c["method"], c["predicted"]["outcome"],
	          c["observed"]["outcome"], c["observed"]["detail"])
	PY
}

@test "aarch64: strlcpy built on trixie fails on bookworm with GLIBC_2.38 by the loader method and runs on trixie; as predicted" {
	local out=$BATS_TEST_TMPDIR/out
	run_gm 0 run --build debian-trixie-arm64 --run debian-bookworm-arm64 --run debian-trixie-arm64 \
		-m loader -m interp --case strlcpy --case hello --out "$out"
	assert_contains "$output" "0 mismatches"
	run cells "$out"
	echo "$output"
	assert_contains "$output" "strlcpy debian-trixie-arm64 debian-bookworm-arm64 loader symbol-version symbol-version GLIBC_2.38"
	assert_contains "$output" "strlcpy debian-trixie-arm64 debian-trixie-arm64 loader ok ok"
	assert_contains "$output" "strlcpy debian-trixie-arm64 debian-bookworm-arm64 interp symbol-version symbol-version GLIBC_2.38"
	assert_contains "$output" "hello debian-trixie-arm64 debian-bookworm-arm64 loader ok ok"
	# The probe is an aarch64 file, and the glibc it reported is the run sysroot's.
	python3 - "$out/results.json" <<-'PY'
	import json, subprocess, sys
	d = json.load(open(sys.argv[1]))
	for c in d["cells"]:
	    assert c["arch"] == "aarch64", c
	    if c["observed"]["outcome"] == "ok":
	        assert c["observed"]["glibc"] == {"debian-bookworm-arm64": "2.36", "debian-trixie-arm64": "2.41"}[c["run"]], c
	b = d["cells"][0]["binary"]
	assert "AArch64" in subprocess.run(["readelf", "-h", b], capture_output=True, text=True).stdout
	PY
}

@test "aarch64: every probe built on bullseye runs on trixie by each method that can run it; rpath and env name the missing interpreter" {
	local out=$BATS_TEST_TMPDIR/out
	run_gm 0 run --build debian-bullseye-arm64 --run debian-trixie-arm64 --out "$out"
	assert_contains "$output" "0 mismatches"
	python3 - "$out/results.json" <<-'PY'
	import json, sys
	cells = json.load(open(sys.argv[1]))["cells"]
	by = {}
	for c in cells:
	    by.setdefault(c["method"], []).append(c)
	assert sorted(by) == ["env", "interp", "loader", "rpath"], sorted(by)  # no host, no containers
	for m in ("loader", "interp"):
	    ran = [c for c in by[m] if c["observed"]["outcome"] != "skipped"]
	    assert ran and all(c["observed"]["outcome"] in ("ok", "failed") and not c["mismatch"] for c in ran), \
	        [(c["subject"], c["observed"]) for c in ran if c["observed"]["outcome"] not in ("ok", "failed")]
	    assert sum(c["observed"]["outcome"] == "ok" for c in ran) >= 30, m
	for m in ("rpath", "env"):
	    ran = [c for c in by[m] if c["observed"]["outcome"] != "skipped"]
	    assert all(c["observed"]["outcome"] == "exec-failed" and "ld-linux-aarch64.so.1" in c["observed"]["detail"]
	               for c in ran), ran[0]
	PY
}

@test "riscv64: termios built on sid (2.43) fails on trixie (2.41) with GLIBC_2.42 and runs on sid; as predicted" {
	require_tool qemu-riscv64-static qemu-user-static
	require_tool riscv64-linux-gnu-gcc gcc-riscv64-linux-gnu
	local out=$BATS_TEST_TMPDIR/out
	run_gm 0 run --build debian-sid-riscv64 --build debian-trixie-riscv64 --run debian-trixie-riscv64 \
		--run debian-sid-riscv64 -m loader --case termios --case hello --out "$out"
	assert_contains "$output" "0 mismatches"
	run cells "$out"
	echo "$output"
	assert_contains "$output" "termios debian-sid-riscv64 debian-trixie-riscv64 loader symbol-version symbol-version GLIBC_2.42"
	assert_contains "$output" "termios debian-sid-riscv64 debian-sid-riscv64 loader ok ok"
	assert_contains "$output" "hello debian-trixie-riscv64 debian-sid-riscv64 loader ok ok"
}

@test "flags, exec and check of an aarch64 program: the cross compiler, qemu-user, the file's architecture for suite names" {
	local d=$BATS_TEST_TMPDIR
	run_gm 0 flags --sysroot debian-bookworm-arm64 --cc
	[ "$output" = "aarch64-linux-gnu-gcc" ]
	printf '#include <stdio.h>\n#include <string.h>\nint main(int c, char **v) { char b[8]; strlcpy(b, "hi", sizeof b); puts(b); return c - 1; }\n' >"$d/app.c"
	# shellcheck disable=SC2046 # flags prints words meant to be split
	"$("$GM" flags --sysroot debian-trixie-arm64 --cc 3>&-)" $("$GM" flags --sysroot debian-trixie-arm64 3>&-) \
		-o "$d/app.built" "$d/app.c"
	# As it would ship: the standard loader path, no RPATH into the store.
	run_gm 0 patch "$d/app.built" -o "$d/app" --interp /lib/ld-linux-aarch64.so.1 --remove-runpath
	run readelf -h "$d/app"
	assert_contains "$output" "AArch64"
	# exec: under qemu-aarch64-static, the status passed through; on
	# bookworm the loader refuses it (strlcpy is 2.38): 127.
	run_gm 1 exec --sysroot trixie -- "$d/app" a
	assert_contains "$output" "hi"
	run -127 "$GM" exec --sysroot bookworm -- "$d/app" 3>&-
	assert_contains "$output" "GLIBC_2.38' not found"
	# check: "bookworm" and "trixie" are the arm64 sysroots for an aarch64 file.
	run_gm 1 check "$d/app" --against bookworm --against trixie -m loader -m interp -m host \
		--out "$d/out"
	assert_contains "$output" "0 mismatches"
	assert_contains "$output" "method host runs programs of this x86_64 machine only"
	run cells "$d/out"
	echo "$output"
	assert_contains "$output" "$d/app None debian-bookworm-arm64 loader symbol-version symbol-version GLIBC_2.38"
	assert_contains "$output" "$d/app None debian-trixie-arm64 interp ok ok"
}

@test "run --arch arm64: the architecture's sysroots by default, suite names meaning them; an unknown one is exit 2" {
	local out=$BATS_TEST_TMPDIR/out
	run_gm 0 run --arch arm64 --build bullseye --run trixie -m loader --case hello --out "$out"
	run cells "$out"
	echo "$output"
	[ "$output" = "hello debian-bullseye-arm64 debian-trixie-arm64 loader ok ok " ]
	run_gm 0 -q probes build --arch aarch64 --case hello
	assert_contains "$output" "probes:"
	run_gm 2 run --arch sparc
	assert_contains "$output" "--arch 'sparc': want one of amd64, arm64, riscv64"
}

# A foreign tree runs its programs through binfmt_misc: skip, with the
# reason the harness itself gives, where no entry with the F flag exists.
need_binfmt() {
	require_tool mmdebstrap mmdebstrap
	require_runtime
	bash "$BATS_TEST_DIRNAME/../ci/binfmt.sh" --status >/dev/null ||
		skip_fact no-binfmt
	"$GM" --quiet rootfs build bullseye-arm64-libc6 3>&- >/dev/null
}

@test "aarch64 in a bullseye arm64 container (binfmt_misc): trixie's probe fails on the tree's glibc, runs with trixie's injected, is mixed with libc.so.6 alone; as predicted" {
	need_binfmt
	local out=$BATS_TEST_TMPDIR/out
	run_gm 0 run --build debian-trixie-arm64 --run debian-trixie-arm64 --rootfs bullseye-arm64-libc6 \
		-m container -m inject -m inject-libc-only -m ldcache -m toolbox \
		--case strlcpy --case hello --case dlopen --out "$out"
	assert_contains "$output" "0 mismatches"
	run cells "$out"
	echo "$output"
	assert_contains "$output" "strlcpy debian-trixie-arm64 rootfs-bullseye-arm64-libc6 container symbol-version symbol-version GLIBC_2.38"
	assert_contains "$output" "strlcpy debian-trixie-arm64 debian-trixie-arm64 inject ok ok"
	assert_contains "$output" "dlopen debian-trixie-arm64 debian-trixie-arm64 inject ok ok"
	assert_contains "$output" "hello debian-trixie-arm64 debian-trixie-arm64 inject-libc-only mixed-glibc mixed-glibc"
	# ldcache (the host's ldconfig refuses aarch64 libraries) and toolbox
	# (this machine's loader) do not apply to a foreign tree.
	assert_not_contains "$output" " ldcache "
	assert_not_contains "$output" " toolbox "
	# The programs ran in the tree: the glibc they reported is the tree's
	# 2.31, or trixie's 2.41 where it was injected.
	python3 - "$out/results.json" <<-'PY'
	import json, sys
	for c in json.load(open(sys.argv[1]))["cells"]:
	    if c["observed"]["outcome"] == "ok":
	        assert c["observed"]["glibc"] == "2.41" and c["method"] == "inject", c
	PY
}

@test "riscv64 in a trixie riscv64 container: sid's libc.so.6 alone over trixie's loader is a mixed process even where the program exits 0" {
	need_binfmt
	require_tool riscv64-linux-gnu-gcc gcc-riscv64-linux-gnu
	"$GM" --quiet rootfs build trixie-riscv64-libc6 3>&- >/dev/null
	local out=$BATS_TEST_TMPDIR/out
	run_gm 0 run --build debian-sid-riscv64 --run debian-sid-riscv64 --rootfs trixie-riscv64-libc6 \
		-m container -m inject -m inject-libc-only --case hello --case termios --out "$out"
	assert_contains "$output" "0 mismatches"
	run cells "$out"
	echo "$output"
	assert_contains "$output" "termios debian-sid-riscv64 rootfs-trixie-riscv64-libc6 container symbol-version symbol-version GLIBC_2.42"
	assert_contains "$output" "termios debian-sid-riscv64 debian-sid-riscv64 inject ok ok"
	# The loader accepts sid's libc here (no private symbol is missing), so
	# only the process's make-up shows the mix.
	assert_contains "$output" "hello debian-sid-riscv64 debian-sid-riscv64 inject-libc-only mixed-glibc mixed-glibc"
	assert_contains "$output" "two glibc builds (exit 0)"
}

@test "a foreign tree without binfmt_misc: its container cells are skipped with the reason" {
	need_binfmt
	local out=$BATS_TEST_TMPDIR/out
	mkdir "$BATS_TEST_TMPDIR/no-binfmt"
	GLIBC_MATRIX_BINFMT_DIR=$BATS_TEST_TMPDIR/no-binfmt run_gm 0 run --build debian-trixie-arm64 \
		--run debian-trixie-arm64 --rootfs bullseye-arm64-libc6 -m container -m loader --case hello --out "$out"
	run cells "$out"
	echo "$output"
	assert_contains "$output" "hello debian-trixie-arm64 rootfs-bullseye-arm64-libc6 container skipped skipped binfmt_misc is not mounted at $BATS_TEST_TMPDIR/no-binfmt"
	assert_contains "$output" "hello debian-trixie-arm64 debian-trixie-arm64 loader ok ok"
	# This machine's own entries with the F flag taken out: read as such.
	local b=$BATS_TEST_TMPDIR/no-f
	mkdir "$b"
	cp /proc/sys/fs/binfmt_misc/status "$b/"
	for e in /proc/sys/fs/binfmt_misc/qemu-*; do
		sed 's/^flags: \(.*\)F\(.*\)$/flags: \1\2/' "$e" >"$b/${e##*/}"
	done
	GLIBC_MATRIX_BINFMT_DIR=$b run_gm 77 run --build debian-trixie-arm64 --run debian-trixie-arm64 \
		--rootfs bullseye-arm64-libc6 -m container --case hello --out "$out.2"
	run cells "$out.2"
	assert_contains "$output" "skipped skipped binfmt_misc entry 'qemu-aarch64' runs aarch64 programs without the F flag"
}

@test "sysroot build --arch: exit 77 naming the missing cross compiler or emulator, before any download; exit 2 for an unknown architecture" {
	path_without '*-linux-gnu-gcc*'
	PATH=$NO_PATH GLIBC_MATRIX_MIRROR=http://127.0.0.1:9 run_gm 77 sysroot build 2.42 --arch riscv64
	assert_contains "$output" "no riscv64-linux-gnu-gcc in PATH to cross-build glibc for riscv64 (Debian package gcc-riscv64-linux-gnu)"
	path_without 'qemu-*'
	PATH=$NO_PATH GLIBC_MATRIX_MIRROR=http://127.0.0.1:9 run_gm 77 sysroot build 2.42 --arch arm64
	assert_contains "$output" "no qemu-aarch64-static in PATH to verify a glibc built for aarch64"
	run_gm 2 sysroot build 2.42 --arch mips
	assert_contains "$output" "--arch 'mips': want one of amd64, arm64, riscv64"
	run_gm 0 sysroot list
	assert_not_contains "$output" "glibc-2.42-riscv64"
}

@test "a system call qemu does not implement: the cell is failed and names the emulator's gap, not a glibc outcome" {
	local d=$BATS_TEST_TMPDIR
	# kexec_load: qemu-user answers ENOSYS without passing it to the kernel.
	printf '%s\n' '#include <stdio.h>' '#include <unistd.h>' '#include <sys/syscall.h>' \
		'int main(void) { long r = syscall(__NR_kexec_load, 0, 0, 0, 0); perror("kexec_load"); return r < 0; }' \
		>"$d/gap.c"
	# shellcheck disable=SC2046 # flags prints words meant to be split
	"$("$GM" flags --sysroot debian-bullseye-arm64 --cc 3>&-)" $("$GM" flags --sysroot debian-bullseye-arm64 3>&-) \
		-o "$d/gap.built" "$d/gap.c"
	run_gm 0 patch "$d/gap.built" -o "$d/gap" --interp /lib/ld-linux-aarch64.so.1 --remove-runpath
	run_gm 1 check "$d/gap" --against trixie -m loader --out "$d/out"
	run cells "$d/out"
	echo "$output"
	assert_contains "$output" "debian-trixie-arm64 loader ok failed exit 1 under the emulator, which does not implement syscall 104"
	# rseq (293), which glibc registers at every start and does without, is not blamed.
	assert_not_contains "$output" "293"
	# The same in a bullseye arm64 tree (built there, it loads on the
	# tree's glibc), where binfmt_misc starts qemu.
	need_binfmt
	run_gm 1 check "$d/gap" --against trixie -m container -m inject --rootfs bullseye-arm64-libc6 --out "$d/out2"
	run cells "$d/out2"
	echo "$output"
	assert_contains "$output" "rootfs-bullseye-arm64-libc6 container ok failed exit 1 under the emulator, which does not implement syscall 104"
	assert_contains "$output" "debian-trixie-arm64 inject ok failed exit 1 under the emulator"
}
