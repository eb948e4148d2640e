#!/usr/bin/env bats
# Root filesystems (rootfs build/list/remove) and containers through a real
# OCI runtime (rootfs exec): Debian suites with three glibc versions made by
# mmdebstrap, as the images are (minbase) and libc6 alone (the -libc6
# trees), one tree without glibc (busybox-static), batches of programs
# in one container start, and nothing left behind (runtime state, bundles,
# mounts), also after Ctrl-C.  Cold, the suite builds ten trees (about
# 2 min, README "Root filesystems"); warm, their cache hits take a second.

load helpers

setup_file() {
	require_tool mmdebstrap mmdebstrap
	# The shared store: the trees are cache hits for every later run.
	"$GM" --quiet rootfs build --all 3>&- || return 1
}

# mounts: the mount points of this machine, sorted (mountinfo field 5).
mounts() {
	awk '{ print $5 }' /proc/self/mountinfo | sort
}

# our_containers: ids of runtime state left by glibc-matrix ("gm-<pid>-<n>").
our_containers() {
	runc list -q 2>/dev/null | grep '^gm-' || true
}

# interrupt_when CONDITION CMD...: starts glibc-matrix CMD... in the
# background, sends SIGINT once CONDITION (a command) succeeds (within
# 30 s), and sets $rc to its exit status; its output is printed.
interrupt_when() {
	local cond=$1 i
	shift
	"$GM" "$@" >"$BATS_TEST_TMPDIR/log" 2>&1 3>&- &
	local pid=$!
	for i in $(seq 1 300); do
		"$cond" && break
		sleep 0.1
	done
	"$cond" || { kill -KILL "$pid"; echo "# never saw: $cond" >&2; return 1; }
	kill -INT "$pid" || { echo "# $* ended before the interrupt" >&2; return 1; }
	rc=0
	wait "$pid" || rc=$?
	cat "$BATS_TEST_TMPDIR/log"
}

@test "rootfs build: a second build of every recipe is a cache hit" {
	run_gm rootfs build --all
	for n in bullseye bookworm trixie sid bullseye-libc6 bookworm-libc6 trixie-libc6 busybox \
		bullseye-arm64-libc6 trixie-riscv64-libc6; do
		assert_contains "$output" "$n: glibc"
	done
	# rhel8-style: built from the local glibc source, else skipped (tests/103).
	[ "$(grep -c 'is up to date (cached\|^rhel8-style: skipped: glibc 2.28 comes from the local' <<<"$output")" -eq 11 ]
	# Offline (an archive nobody serves), the built tree is kept, with a note.
	GLIBC_MATRIX_MIRROR=http://127.0.0.1:9/debian run_gm 0 rootfs build bookworm
	assert_contains "$output" "cannot check whether bookworm changed"
	assert_contains "$output" "bookworm: glibc 2.36 is up to date (cached"
}

@test "rootfs list: glibc versions read from each tree's libc.so.6 (2.31, 2.36, 2.41, sid's, none)" {
	run_gm rootfs list --json
	local j=$output v
	# One python3 for all fields (it takes most of a second to start here).
	v=$(json_field "$j" '" ".join(r["name"] + "=" + r["glibc_version"] + "/" + r["glibc_node"] for r in d)')
	assert_contains " $v " " bullseye=2.31/2.30 "
	assert_contains " $v " " bookworm=2.36/2.36 "
	assert_contains " $v " " trixie=2.41/2.41 "
	assert_contains " $v " " bullseye-libc6=2.31/2.30 "
	assert_contains " $v " " bookworm-libc6=2.36/2.36 "
	assert_contains " $v " " trixie-libc6=2.41/2.41 "
	assert_contains " $v " " busybox=none/none "
	# Unpacked for arm64 and riscv64: the glibc of their own libc.so.6.
	assert_contains " $v " " bullseye-arm64-libc6=2.31/2.30 "
	assert_contains " $v " " trixie-riscv64-libc6=2.41/2.41 "
	# sid moves on: whatever it ships, newer than trixie's.
	json_field "$j" '[r for r in d if r["name"] == "sid"][0]["glibc_version"]' | awk -F. '{ exit !($1 == 2 && $2 > 41) }'
	# (2.31 defines no node of its own: the newest is GLIBC_2.30, the banner says 2.31.)
	# Each is a tarball too, and its tree has the mount points containers need.
	for n in bullseye bookworm trixie sid bullseye-libc6 bookworm-libc6 trixie-libc6 busybox; do
		tar tf "$GLIBC_MATRIX_STORE/rootfs/$n/rootfs.tar" | grep -qx './gm-batch/'
	done
	run_gm rootfs list
	[ "$(awk '$1 == "bullseye" { print $2, $3, $4, $5 }' <<<"$output")" = "2.31 x86_64 bullseye minbase" ]
	[ "$(awk '$1 == "bullseye-libc6" { print $2, $5 }' <<<"$output")" = "2.31 extract" ]
	[ "$(awk '$1 == "busybox" { print $2, $5 }' <<<"$output")" = "none busybox" ]
}

@test "rootfs: usage errors and remove (scratch store)" {
	use_scratch_store
	run_gm 2 rootfs build
	run_gm 2 rootfs build nosuch
	assert_contains "$output" "no root filesystem recipe 'nosuch' (known: bullseye, bookworm, trixie, sid, bullseye-libc6, bookworm-libc6, trixie-libc6, busybox, bullseye-arm64-libc6, trixie-riscv64-libc6, rhel8-style)"
	run_gm 2 rootfs build bullseye --all
	run_gm 0 rootfs build busybox
	assert_contains "$output" "busybox: glibc none built in"
	run_gm rootfs list
	assert_contains "$output" "busybox"
	run_gm rootfs remove busybox
	assert_contains "$output" "removed busybox"
	run_gm rootfs list --json
	[ "$(json_field "$output" 'len(d)')" -eq 0 ]
	run_gm 2 rootfs remove busybox
	assert_contains "$output" "no root filesystem 'busybox' in the store"
	run_gm 2 rootfs remove ../x
	run_gm 2 rootfs exec busybox -- /bin/true
	assert_contains "$output" "no root filesystem 'busybox'"
	run_gm 0 rootfs build --help
	assert_contains "$output" "130 interrupted"
	# A suite the archive does not have is the recipe's mistake (exit 2);
	# a malformed recipe file is an infrastructure error naming its line.
	mkdir -p "$BATS_TEST_TMPDIR/recipes"
	printf 'odd\tnosuchsuite\textract\tlibc6\t-\n' >"$BATS_TEST_TMPDIR/recipes/rootfs.tsv"
	GLIBC_MATRIX_CONTAINERS=$BATS_TEST_TMPDIR/recipes run_gm 2 rootfs build odd
	assert_contains "$output" "no suite 'nosuchsuite' in the Debian archive"
	printf 'odd\tbookworm\n' >"$BATS_TEST_TMPDIR/recipes/rootfs.tsv"
	GLIBC_MATRIX_CONTAINERS=$BATS_TEST_TMPDIR/recipes run_gm 3 rootfs build odd
	assert_contains "$output" "rootfs.tsv:1: want NAME, SUITE, VARIANT, PACKAGES, USR, [ARCH] (5 to 6 tab-separated fields, none empty), found 2"
	# Merged-/usr or not is said for a configured tree, and only for it.
	printf 'odd\tbookworm\tminbase\t-\t-\n' >"$BATS_TEST_TMPDIR/recipes/rootfs.tsv"
	GLIBC_MATRIX_CONTAINERS=$BATS_TEST_TMPDIR/recipes run_gm 3 rootfs build odd
	assert_contains "$output" "USR '-': 'merged' or 'split' for a configured variant"
	printf 'odd\tbookworm\textract\tlibc6\tmerged\n' >"$BATS_TEST_TMPDIR/recipes/rootfs.tsv"
	GLIBC_MATRIX_CONTAINERS=$BATS_TEST_TMPDIR/recipes run_gm 3 rootfs build odd
	# A tree of a glibc from source takes a version (RHEL's layout, tests/103),
	# one that sysroots/versions.tsv pins.
	printf 'odd\tbookworm\tglibc\t-\tmerged\n' >"$BATS_TEST_TMPDIR/recipes/rootfs.tsv"
	GLIBC_MATRIX_CONTAINERS=$BATS_TEST_TMPDIR/recipes run_gm 3 rootfs build odd
	assert_contains "$output" "rootfs.tsv:1: the glibc variant takes a glibc version for SUITE ('bookworm'), '-' for PACKAGES and no ARCH"
	printf 'odd\t2.99\tglibc\t-\tmerged\n' >"$BATS_TEST_TMPDIR/recipes/rootfs.tsv"
	GLIBC_MATRIX_CONTAINERS=$BATS_TEST_TMPDIR/recipes run_gm 2 rootfs build odd
	assert_contains "$output" "the glibc tree wants glibc 2.99, which sysroots/versions.tsv does not pin"
	[ -z "$(ls -A "$GLIBC_MATRIX_STORE/build" 2>/dev/null)" ]
}

@test "rootfs build: Ctrl-C during mmdebstrap leaves nothing listed, no build tree, no mount" {
	use_scratch_store
	local before tmps
	before=$(mounts)
	tmps=$(ls -d /tmp/mmdebstrap.* 2>/dev/null || true)
	# Interrupt while mmdebstrap is running and has begun its tree (it
	# populates dev/ first, then downloads for seconds; the whole build
	# takes about 4 s after that here, so no fixed delay is safe).
	mmdebstrap_busy() {
		[ -d "$GLIBC_MATRIX_STORE/build/rootfs-bullseye/stage/root/dev" ] &&
			pgrep -x mmdebstrap >/dev/null
	}
	interrupt_when mmdebstrap_busy rootfs build bullseye
	[ "$rc" -eq 130 ]
	run_gm rootfs list --json
	[ "$(json_field "$output" 'len(d)')" -eq 0 ]
	[ ! -e "$GLIBC_MATRIX_STORE/rootfs/bullseye" ]
	[ ! -e "$GLIBC_MATRIX_STORE/build/rootfs-bullseye" ]
	[ "$(mounts)" = "$before" ]
	# mmdebstrap's temporaries lived in the build directory, not in /tmp.
	[ "$(ls -d /tmp/mmdebstrap.* 2>/dev/null || true)" = "$tmps" ]
}

@test "rootfs exec: the loader of each tree runs its libc, whose banner names the version" {
	require_runtime
	local n v
	for n in bullseye:2.31 bookworm:2.36 trixie:2.41 bullseye-libc6:2.31 trixie-libc6:2.41; do
		v=${n#*:}
		n=${n%:*}
		run_gm rootfs exec "$n" -- /lib64/ld-linux-x86-64.so.2 /lib/x86_64-linux-gnu/libc.so.6
		assert_contains "$output" "release version $v."
	done
	# RHEL's layout: the libraries in /lib64 (tests/103; where it was built).
	if [ -d "$GLIBC_MATRIX_STORE/rootfs/rhel8-style" ]; then
		run_gm rootfs exec rhel8-style -- /lib64/ld-linux-x86-64.so.2 /lib64/libc.so.6
		assert_contains "$output" "release version 2.28."
	fi
	run_gm 0 rootfs exec busybox -- /bin/true
	run_gm 1 rootfs exec busybox -- /bin/false
	# No glibc at all in the busybox tree.  (--json: bats 1.8 loses a test
	# whose `run` ends with status 127.)
	run_gm 0 rootfs exec busybox --json -- /lib64/ld-linux-x86-64.so.2
	[ "$(json_field "$output" 'd[0]["exit"]')" -eq 127 ]
	[ "$(json_field "$output" 'd[0]["outcome"]')" = "exec failed: No such file or directory" ]
}

@test "rootfs: the trees named by their suite are as the images are: merged-/usr from bookworm on, a shell, ls, ldconfig, apt" {
	require_runtime
	local n
	# bullseye's image keeps /lib a directory; bookworm's and later link it.
	[ -d "$GLIBC_MATRIX_STORE/rootfs/bullseye/root/lib" ] && [ ! -L "$GLIBC_MATRIX_STORE/rootfs/bullseye/root/lib" ]
	for n in bookworm trixie sid; do
		[ "$(readlink "$GLIBC_MATRIX_STORE/rootfs/$n/root/lib")" = usr/lib ]
		[ "$(readlink "$GLIBC_MATRIX_STORE/rootfs/$n/root/bin")" = usr/bin ]
	done
	run_gm 0 rootfs list --json
	[ "$(json_field "$output" '" ".join(r["name"] + "=" + r["usr"] for r in d if r["variant"] == "minbase")')" = \
		"bookworm=merged bullseye=split sid=merged trixie=merged" ]
	for n in bullseye bookworm trixie sid; do
		run_gm 0 rootfs exec "$n" -- /bin/sh -c 'ls /usr >/dev/null && /sbin/ldconfig -p | head -n 1 && apt-get --version | head -n 1'
		assert_contains "$output" "libs found in cache"
		assert_contains "$output" "apt "
	done
	# A -libc6 tree has the loader and libc, and no shell.
	run_gm 0 rootfs exec trixie-libc6 --json -- /bin/sh -c true
	[ "$(json_field "$output" 'd[0]["exit"]')" -eq 127 ]
}

@test "rootfs exec: own network namespace, read-only root, read-only /gm, no capabilities" {
	require_runtime
	run_gm rootfs exec busybox -- /bin/cat /proc/net/dev
	assert_contains "$output" "lo:"
	[ "$(grep -c ':' <<<"$output")" -eq 1 ] # only the loopback device
	echo data >"$BATS_TEST_TMPDIR/file"
	run_gm 1 rootfs exec busybox --dir "$BATS_TEST_TMPDIR" -- /bin/touch /x
	assert_contains "$output" "Read-only file system"
	run_gm 1 rootfs exec busybox --dir "$BATS_TEST_TMPDIR" -- /bin/touch /gm/new
	assert_contains "$output" "Read-only file system"
	run_gm 0 rootfs exec busybox --dir "$BATS_TEST_TMPDIR" -- /bin/cat /gm/file
	assert_contains "$output" "data"
	run_gm 0 rootfs exec busybox -- /bin/grep CapEff /proc/self/status
	assert_contains "$output" "0000000000000000"
	[ ! -e "$BATS_TEST_TMPDIR/new" ]
}

@test "rootfs exec: a batch of ok, segfault and hang in one start reports each" {
	require_runtime
	local d=$BATS_TEST_TMPDIR/p
	mkdir -p "$d"
	printf '#include <stdio.h>\nint main(void){puts("ok-output");return 0;}\n' >"$d/ok.c"
	printf 'int main(void){volatile int *p = 0; return *p;}\n' >"$d/segv.c"
	printf '#include <unistd.h>\nint main(void){for (;;) pause();}\n' >"$d/hang.c"
	for p in ok segv hang; do gcc -static -O0 -o "$d/$p" "$d/$p.c"; done
	local v
	run_gm rootfs exec bookworm --dir "$d" --timeout 2 --json -- /gm/hang --- /gm/segv --- /gm/ok
	v=$(json_field "$output" '"|".join("%s %s %s %s %r" % (p["exit"], p["signal"], p["timed_out"], p["outcome"], p["stdout"]) for p in d)')
	echo "$v"
	[ "$v" = "-1 9 True timed out after 2 s ''|-1 11 False killed by SIGSEGV ''|0 0 False exit 0 'ok-output\\n'" ]
	# The same in the tree without glibc (the programs are static).
	run_gm rootfs exec busybox --dir "$d" --timeout 2 -- /gm/ok --- /gm/segv --- /gm/hang --- /gm/none
	assert_contains "$output" "1 /gm/ok: exit 0"
	assert_contains "$output" "2 /gm/segv: killed by SIGSEGV"
	assert_contains "$output" "3 /gm/hang: timed out after 2 s"
	assert_contains "$output" "4 /gm/none: exec failed: No such file or directory"
}

@test "rootfs exec: a host binary needing GLIBC_2.34 fails on bullseye's own loader, runs on trixie" {
	require_runtime
	local d=$BATS_TEST_TMPDIR/p
	mkdir -p "$d"
	# pthread_create@GLIBC_2.34 (libpthread merged into libc in 2.34).
	printf '#include <pthread.h>\n#include <stdio.h>\nstatic void *f(void *a){return a;}\nint main(void){pthread_t t; pthread_create(&t, 0, f, 0); pthread_join(t, 0); puts("ran");return 0;}\n' >"$d/host.c"
	gcc -O1 -o "$d/host" "$d/host.c" -pthread
	objdump -T "$d/host" | grep -q 'GLIBC_2.34'
	run_gm 1 rootfs exec bullseye --dir "$d" -- /gm/host
	assert_contains "$output" "/lib/x86_64-linux-gnu/libc.so.6: version \`GLIBC_2.34' not found (required by /gm/host)"
	run_gm 0 rootfs exec trixie --dir "$d" -- /gm/host
	assert_contains "$output" "ran"
}

@test "rootfs exec: no runtime state, bundle or mount is left, also after a timeout and Ctrl-C" {
	require_runtime
	local before
	before=$(mounts)
	run_gm 124 rootfs exec busybox --timeout 1 -- /bin/sleep 30
	# Interrupt once the container runs.
	running() { [ -n "$(our_containers)" ]; }
	interrupt_when running rootfs exec busybox --timeout 100 -- /bin/sleep 60
	[ "$rc" -eq 130 ]
	[ -z "$(our_containers)" ]
	[ -z "$(ls -A "$GLIBC_MATRIX_STORE/bundles")" ]
	[ "$(mounts)" = "$before" ]
}

@test "rootfs exec: no working OCI runtime is exit 77 with the reason" {
	GLIBC_MATRIX_OCI_RUNTIME=/nonexistent/runc run_gm 77 rootfs exec busybox -- /bin/true
	assert_contains "$output" "no OCI runtime works here (/nonexistent/runc: not installed)"
}

@test "rootfs exec: a container left by a harness killed with SIGKILL is deleted by the next run" {
	require_runtime
	"$GM" rootfs exec busybox --timeout 100 -- /bin/sleep 60 >/dev/null 2>&1 3>&- &
	local pid=$! i
	for i in $(seq 1 100); do
		[ -n "$(our_containers)" ] && break
		sleep 0.1
	done
	local id
	id=$(our_containers)
	[[ "$id" == "gm-$pid-"* ]]
	kill -KILL "$pid"
	wait "$pid" || true
	# Killed: nothing could clean up; the container is still there.
	runc list -q | grep -qx "$id"
	[ -d "$GLIBC_MATRIX_STORE/bundles/$id" ]
	run_gm 0 rootfs exec busybox -- /bin/true
	[ -z "$(runc list -q | grep -x "$id")" ]
	[ ! -e "$GLIBC_MATRIX_STORE/bundles/$id" ]
}
