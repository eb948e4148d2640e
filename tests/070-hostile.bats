#!/usr/bin/env bats
# Hostile programs (tests/fixtures/hostile/hostile.c, one binary per
# behaviour): each cell is classified, bounded in time and memory, leaves no
# process behind, and a normal program in the same invocation keeps its
# real result.  Every fixture caps itself (3000 children, 50 GiB, 100 GiB of
# output); the harness's limits are what is tested.  The harness runs inside
# a memory cgroup of 4 GiB made here (ulimit -v 8 GiB where none can be
# made): a second safety net should the per-cell limit fail.

load helpers

S=debian-bookworm-amd64

setup_file() {
	ensure_sysroot "$S" import bookworm
	export HX=$BATS_FILE_TMPDIR/hx
	mkdir -p "$HX"
	for m in normal forkbomb forkwait flood noterm stopself closeout escape hog; do
		gcc -O1 -DHOSTILE=$m -o "$HX/$m" "$TOP/tests/fixtures/hostile/hostile.c"
	done
	# The safety net: a memory cgroup beside ours, or ulimit -v.
	local own
	own=$(awk -F: '$2 == "memory" { print $3 }' /proc/self/cgroup)
	GUARD_CG=/sys/fs/cgroup/memory${own%/}/gm-test-guard-$$
	if mkdir "$GUARD_CG" 2>/dev/null && echo $((4 << 30)) >"$GUARD_CG/memory.limit_in_bytes"; then
		export GUARD_CG
	else
		rmdir "$GUARD_CG" 2>/dev/null || true
		export GUARD_CG=
	fi
	export REAL_GM=$GM
	cat >"$HX/gm-guarded" <<-'SH'
	#!/bin/sh
	if [ -z "$GUARD_CG" ] || ! echo $$ >"$GUARD_CG/cgroup.procs"; then
		ulimit -v 8388608 || exit 99
	fi
	exec "$REAL_GM" "$@"
	SH
	chmod +x "$HX/gm-guarded"
}

teardown_file() {
	if [ -n "${GUARD_CG:-}" ]; then
		for _ in $(seq 1 50); do rmdir "$GUARD_CG" 2>/dev/null && break; sleep 0.1; done
	fi
}

setup() {
	GM=$HX/gm-guarded
	MARK=GMHOSTILE-$$-$BATS_TEST_NUMBER
}

# field OUT SUBJECT-BASENAME KEY: observed KEY of that binary's cell.
field() {
	python3 - "$@" <<-'PY'
	import json, os, sys
	out, subject, key = sys.argv[1:4]
	for c in json.load(open(out + "/results.json"))["cells"]:
	    if os.path.basename(c["subject"]) == subject:
	        print(c["observed"][key])
	        break
	else:
	    print("no-such-cell")
	PY
}

containment() {
	python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["containment"]["mode"])' \
		"$1/results.json"
}

# Live (non-zombie) processes whose argv holds the marker (one grep over
# /proc, then the state of each match read without forking).
marked() {
	local n=0 f stat
	for f in $(grep -lsa -- "$1" /proc/[0-9]*/cmdline); do
		read -r stat <"${f%cmdline}stat" 2>/dev/null || continue
		stat=${stat##*) }
		[ "${stat:0:1}" = Z ] || n=$((n + 1))
	done
	echo $n
}

# no_marked_left MARKER: none after the run (a moment for SIGKILL to land).
no_marked_left() {
	local n
	for _ in $(seq 1 20); do
		n=$(marked "$1")
		[ "$n" -eq 0 ] && return 0
		sleep 0.1
	done
	echo "# $n processes with $1 survived" >&2
	pkill -KILL -f -- "$1" || true
	return 1
}

@test "a 3000-child fork bomb is held by the cell's pids limit and leaves no process" {
	GLIBC_MATRIX_CELL_PIDS=500 run_gm 0 check "$HX/forkbomb" "$HX/normal" --against $S \
		--method loader --args "$MARK 3000" --timeout 60 --out "$BATS_TEST_TMPDIR/o"
	local out=$BATS_TEST_TMPDIR/o forked
	[ "$(field "$out" normal outcome)" = ok ]
	forked=$(field "$out" forkbomb stdout | awk '/^forked/ { print $2 }')
	if [ "$(containment "$out")" != rlimit-only ]; then
		# pids.max 500 for the whole cell: the loader, the bomb, 498 children
		[ "$forked" -lt 500 ]
	fi
	[ "$forked" -gt 0 ]
	no_marked_left "$MARK"
}

@test "gigabytes on stdout, SIGTERM ignored, SIGSTOP, closed stdout: timeouts, none left, normal ok" {
	run_gm 1 check "$HX/flood" "$HX/noterm" "$HX/stopself" "$HX/closeout" "$HX/normal" \
		--against $S --method loader --args "$MARK" --timeout 3 -j 2 --out "$BATS_TEST_TMPDIR/o"
	local out=$BATS_TEST_TMPDIR/o
	for p in flood noterm stopself closeout; do
		[ "$(field "$out" $p outcome)" = timeout ] || { echo "# $p" >&2; return 1; }
	done
	[ "$(field "$out" normal outcome)" = ok ]
	# the capture is capped: results.json keeps an excerpt, not gigabytes
	[ "$(stat -c %s "$out/results.json")" -lt 100000 ]
	no_marked_left "$MARK"
}

@test "a setsid + double fork daemon does not outlive its ok cell (loader and interp methods)" {
	run_gm 0 check "$HX/escape" "$HX/normal" --against $S --method loader --method interp \
		--args "$MARK" --timeout 30 --out "$BATS_TEST_TMPDIR/o"
	[ "$(field "$BATS_TEST_TMPDIR/o" escape outcome)" = ok ]
	no_marked_left "$MARK"
}

@test "touching 50 GiB is stopped by the cell's memory limit, not the machine" {
	run_gm 1 check "$HX/hog" "$HX/normal" --against $S --method loader --args "$MARK" \
		--timeout 120 --out "$BATS_TEST_TMPDIR/o"
	local out=$BATS_TEST_TMPDIR/o
	[ "$(field "$out" normal outcome)" = ok ]
	if [ "$(containment "$out")" = rlimit-only ]; then
		[ "$(field "$out" hog outcome)" = failed ]
		assert_contains "$(field "$out" hog stdout)" "ENOMEM"
	else
		[ "$(field "$out" hog outcome)" = crash ]
		assert_contains "$(field "$out" hog detail)" "memory limit (1024 MiB) was reached"
	fi
	no_marked_left "$MARK"
}

@test "results.json says how cells were contained: cgroup v1 here, rlimit-only with its reason when forced" {
	run_gm 0 check "$HX/normal" --against $S --method loader --out "$BATS_TEST_TMPDIR/o"
	local mode
	mode=$(containment "$BATS_TEST_TMPDIR/o")
	case $mode in cgroup-v1 | cgroup-v2 | rlimit-only) ;; *) return 1 ;; esac
	if [ -z "${GLIBC_MATRIX_CONTAINMENT:-}" ] && [ -w /sys/fs/cgroup/pids ] &&
		[ -w /sys/fs/cgroup/memory ] && ! [ -e /sys/fs/cgroup/cgroup.controllers ]; then
		[ "$mode" = cgroup-v1 ]
	fi
	# the run group of a finished run is gone
	[ -z "$(ls -d /sys/fs/cgroup/pids/glibc-matrix-* 2>/dev/null)" ]
	GLIBC_MATRIX_CONTAINMENT=rlimit-only run_gm 0 check "$HX/normal" --against $S \
		--method loader --out "$BATS_TEST_TMPDIR/o2"
	assert_contains "$output" "containment: rlimit-only (GLIBC_MATRIX_CONTAINMENT=rlimit-only)"
	[ "$(containment "$BATS_TEST_TMPDIR/o2")" = rlimit-only ]
	python3 -c 'import json,sys; c=json.load(open(sys.argv[1]))["containment"]; assert c["cell_memory_bytes"] == 1 << 30 and "GLIBC_MATRIX_CONTAINMENT" in c["note"], c' \
		"$BATS_TEST_TMPDIR/o2/results.json"
}

@test "kill -9 of the harness during a 300-child cell: the next run kills the leftovers and removes their cgroups and work/" {
	local out=$BATS_TEST_TMPDIR/o pid n=0
	# Without cgroups only the cell's leader dies with the harness
	# (PR_SET_PDEATHSIG): its children cannot be found by the next run.
	[ "${GLIBC_MATRIX_CONTAINMENT:-}" != rlimit-only ] || skip_fact no-cgroups
	"$GM" --quiet check "$HX/forkwait" --against $S --method loader --args "$MARK 300" \
		--timeout 120 --out "$out" >/dev/null 2>&1 3>&- &
	pid=$!
	for _ in $(seq 1 300); do
		n=$(marked "$MARK")
		[ "$n" -ge 301 ] && break
		sleep 0.1
	done
	kill -KILL "$pid"
	wait "$pid" || true
	# the wrapper exec'd the harness: $pid was glibc-matrix itself
	sleep 0.5
	n=$(marked "$MARK")
	echo "# $n marked processes survived the harness"
	[ "$n" -ge 300 ]          # the leftovers exist: what follows has work to do
	[ -d "$out/work" ]
	run_gm 0 check "$HX/normal" --against $S --method loader --out "$BATS_TEST_TMPDIR/o2"
	no_marked_left "$MARK"
	if [ "$(containment "$BATS_TEST_TMPDIR/o2")" = cgroup-v1 ]; then
		assert_contains "$output" "cgroups of killed runs"
		[ -z "$(ls -d /sys/fs/cgroup/{pids,freezer}/glibc-matrix-"$pid"* 2>/dev/null)" ]
	fi
	[ ! -e "$out/work" ]
	assert_contains "$output" "work directories of killed runs"
}

@test "default out directories are created exclusively: a taken second gets -2; parallel runs never share one" {
	cd "$BATS_TEST_TMPDIR"
	local now i
	now=$(date -u +%s)
	for i in 0 1 2 3 4 5; do
		mkdir -p "reports/check-$(date -u -d "@$((now + i))" +%Y%m%d-%H%M%S)"
	done
	run_gm 0 check "$HX/normal" --against $S --method loader
	assert_contains "$output" "-2/results.json"
	[ -z "$(find reports -mindepth 2 -path '*/check-*' ! -path '*-2/*' -name results.json)" ]
	# two at once, no --out: two directories, each with its own complete results
	rm -rf reports
	"$REAL_GM" --quiet check "$HX/normal" --against $S --method loader >a.log 2>&1 3>&- &
	"$REAL_GM" --quiet check "$HX/normal" --against $S --method loader >b.log 2>&1 3>&-
	wait $!
	local a b
	a=$(sed -n 's/^results: //p' a.log)
	b=$(sed -n 's/^results: //p' b.log)
	[ -n "$a" ] && [ -n "$b" ] && [ "$a" != "$b" ]
	python3 -c 'import json,sys; [json.load(open(p))["complete"] or sys.exit(1) for p in sys.argv[1:]]' "$a" "$b"
}

@test "--out empty or naming a regular file is a usage error, not an interrupted run" {
	run_gm 2 check "$HX/normal" --against $S --out ""
	assert_contains "$output" "--out"
	touch "$BATS_TEST_TMPDIR/file"
	run_gm 2 check "$HX/normal" --against $S --out "$BATS_TEST_TMPDIR/file"
	assert_contains "$output" "exists and is not a directory"
	assert_not_contains "$output" "INCOMPLETE"
	run_gm 2 run --case hello --out "$BATS_TEST_TMPDIR/file"
	assert_contains "$output" "exists and is not a directory"
	# a usage error creates no (empty) default report directory
	cd "$BATS_TEST_TMPDIR"
	run_gm 2 check "$HX/normal" --against no-such-sysroot
	[ ! -e reports ]
}

# fake_sysroot SRC NAME: a copy of sysroot directory SRC (of $S) in the
# scratch store under NAME, paths rewritten; the test then breaks it.
fake_sysroot() {
	local src=$1 dst=$GLIBC_MATRIX_STORE/sysroots/$2
	mkdir -p "$GLIBC_MATRIX_STORE/sysroots"
	cp -a "$src" "$dst"
	sed -i "s|$src|$dst|g; s|\"name\": \"$S\"|\"name\": \"$2\"|" "$dst/sysroot.json"
}

@test "a probe whose loader is a script printing a line is not ok; a sysroot without libc.so.6 is predicted as not running on it" {
	local src
	src=$("$REAL_GM" sysroot show $S | awk '$1 == "directory:" { print $2 }')
	[ -d "$src" ]
	use_scratch_store
	fake_sysroot "$src" $S
	fake_sysroot "$src" fake-script
	fake_sysroot "$src" fake-nolibc
	local ld=$GLIBC_MATRIX_STORE/sysroots/fake-script/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2
	rm "$ld"
	printf '#!/bin/sh\necho I am not a loader\n' >"$ld"
	chmod +x "$ld"
	rm "$GLIBC_MATRIX_STORE/sysroots/fake-nolibc/lib/x86_64-linux-gnu/libc.so.6"
	run_gm 1 run --case hello --build $S --run fake-script --run fake-nolibc --run $S \
		--method loader --out "$BATS_TEST_TMPDIR/o"
	python3 - "$BATS_TEST_TMPDIR/o/results.json" <<-'PY'
	import json, sys
	cells = {c["run"]: c for c in json.load(open(sys.argv[1]))["cells"]}
	script, nolibc = cells["fake-script"], cells["fake-nolibc"]
	assert script["observed"]["outcome"] == "wrong-libc", script
	assert "no probe report" in script["observed"]["detail"], script
	assert nolibc["predicted"]["outcome"] != "ok", nolibc
	assert "outside the sysroot" in nolibc["predicted"]["detail"] or \
	    nolibc["predicted"]["outcome"] == "missing-library", nolibc
	assert nolibc["observed"]["outcome"] != "ok", nolibc
	assert cells["debian-bookworm-amd64"]["observed"]["outcome"] == "ok"
	PY
}

@test "exec: a setsid daemon and a fork bomb's children do not outlive the program" {
	run_gm 0 exec --sysroot $S -- "$HX/escape" "$MARK"
	assert_contains "$output" "escape: daemon started"
	no_marked_left "$MARK"
	GLIBC_MATRIX_CELL_PIDS=100 run_gm 0 exec --sysroot $S -- "$HX/forkbomb" "$MARK" 3000
	local forked
	forked=$(awk '/^forked/ { print $2 }' <<<"$output")
	[ "$forked" -gt 0 ]
	if [ -z "${GLIBC_MATRIX_CONTAINMENT:-}" ] && [ -w /sys/fs/cgroup/pids ] &&
		[ -w /sys/fs/cgroup/memory ]; then
		[ "$forked" -lt 100 ]
	fi
	no_marked_left "$MARK"
}
