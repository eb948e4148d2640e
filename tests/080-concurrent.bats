#!/usr/bin/env bats
# Two glibc-matrix processes sharing one store (two CI jobs on one runner):
# importing, building probes and running the same things at the same time
# must give both the right answer and leave the store as one process would.
# SIGTERM is an interruption like SIGINT; a full disk is a clear error.

load helpers

# A dozen cases across the kinds the builder handles (C, C++, static,
# dlopen plugin, flags variants): enough to race on every code path of the
# probe cache, a quarter of the full set's time.
CASES=(--case hello --case static --case threads --case dlopen --case tls-dlopen
	--case fcntl64 --case libm-exp --case strlcpy --case fortify3 --case cxx-exception
	--case cxx-thread-local --case arc4random)

setup_file() {
	# One scratch store for the file, seeded with the shared store's verified
	# downloads (the import still fetches the signed index; the .debs and
	# Packages files are reused by hash).
	export GLIBC_MATRIX_STORE=$BATS_FILE_TMPDIR/store
	mkdir -p "$GLIBC_MATRIX_STORE"
	local shared=${XDG_CACHE_HOME:-$HOME/.cache}/glibc-matrix
	[ -d "$shared/downloads" ] && cp -a "$shared/downloads" "$GLIBC_MATRIX_STORE/" || true
}

# both JOB-A JOB-B: waits for two background jobs of this shell (not in a
# subshell: it cannot wait for its parent's children) and sets $st to their
# statuses as "A B".
both() {
	local a=0 b=0
	wait "$1" || a=$?
	wait "$2" || b=$?
	st="$a $b"
}

@test "concurrent: two imports of one suite give one sysroot, no leftovers" {
	"$GM" --quiet sysroot import bookworm >"$BATS_TEST_TMPDIR/a" 2>&1 3>&- &
	local pa=$!
	"$GM" --quiet sysroot import bookworm >"$BATS_TEST_TMPDIR/b" 2>&1 3>&- &
	local pb=$!
	both $pa $pb
	cat "$BATS_TEST_TMPDIR/a" "$BATS_TEST_TMPDIR/b"
	[ "$st" = "0 0" ]
	run_gm sysroot list
	[ "$(grep -c '^debian-' <<<"$output")" -eq 1 ]
	[ "$(ls "$GLIBC_MATRIX_STORE/sysroots")" = "debian-bookworm-amd64" ]
	# No staging directory or trash left by the loser of the race.
	[ -z "$(ls -A "$GLIBC_MATRIX_STORE/trash" 2>/dev/null)" ]
	[ -z "$(find "$GLIBC_MATRIX_STORE/build" -mindepth 2 -maxdepth 2 -type d 2>/dev/null)" ]
	[ -z "$(find "$GLIBC_MATRIX_STORE" -name '*.part.*' -o -name '*.tmp*')" ]
	# Both see the same manifest, and its loader runs its libc.
	loader=$("$GM" sysroot show debian-bookworm-amd64 | sed -n 's/^loader: *//p')
	assert_contains "$(libc_banner "$loader")" "release version 2.36"
}

@test "concurrent: two probe builds of the same sysroot agree on every key" {
	"$GM" --quiet sysroot show debian-bookworm-amd64 >/dev/null # made by the import test
	for i in 1 2; do
		"$GM" --quiet probes build --sysroot debian-bookworm-amd64 -j 2 "${CASES[@]}" \
			>"$BATS_TEST_TMPDIR/p$i" 2>&1 3>&- &
	done
	both %1 %2
	cat "$BATS_TEST_TMPDIR/p1" "$BATS_TEST_TMPDIR/p2"
	[ "$st" = "0 0" ]
	# One directory per case: a second key for a case means a wrong hash.
	local dir=$GLIBC_MATRIX_STORE/probes/debian-bookworm-amd64 dirs
	dirs=$(find "$dir" -mindepth 1 -maxdepth 1 -type d ! -name '.*' | wc -l)
	local avail
	avail=$(sed -n 's/.*probes: \([0-9]*\) built, \([0-9]*\) cached.*/\1 \2/p' "$BATS_TEST_TMPDIR/p1" |
		awk '{ print $1 + $2 }')
	echo "available cases $avail, directories $dirs"
	[ "$avail" -ge 10 ]
	[ "$dirs" -eq "$avail" ]
	[ "$(find "$dir" -mindepth 1 -maxdepth 1 -type d ! -name '.*' | sed 's/-[0-9a-f]*$//' | sort | uniq -d)" = "" ]
	# A third build finds everything cached.
	run_gm probes build --sysroot debian-bookworm-amd64 -j 2 "${CASES[@]}"
	assert_contains "$output" "0 built"
	[ "$(find "$dir" -mindepth 1 -maxdepth 1 -type d ! -name '.*' | wc -l)" -eq "$dirs" ]
}

@test "concurrent: two runs at once give the same cells, each in its own results" {
	"$GM" --quiet sysroot show debian-bookworm-amd64 >/dev/null # made by the import test
	for x in a b; do
		"$GM" --quiet run --build debian-bookworm-amd64 --run debian-bookworm-amd64 -j 2 \
			"${CASES[@]}" --out "$BATS_TEST_TMPDIR/$x" >"$BATS_TEST_TMPDIR/$x.log" 2>&1 3>&- &
	done
	both %1 %2
	cat "$BATS_TEST_TMPDIR/a.log"
	[ "$st" = "0 0" ]
	python3 - "$BATS_TEST_TMPDIR/a/results.json" "$BATS_TEST_TMPDIR/b/results.json" <<-'PY'
	import json, sys
	def cells(p):
	    d = json.load(open(p))
	    assert d["complete"] is True, p
	    return {(c["subject"], c["method"]): c["observed"]["outcome"] for c in d["cells"]}
	a, b = cells(sys.argv[1]), cells(sys.argv[2])
	assert len(a) >= 50, len(a)
	diff = {k: (a[k], b.get(k)) for k in a if a[k] != b.get(k)}
	assert a == b, diff
	print(len(a), "cells agree")
	PY
}

@test "concurrent: a second run given the same --out is refused while the first runs" {
	"$GM" --quiet sysroot show debian-bookworm-amd64 >/dev/null # made by the import test
	local out=$BATS_TEST_TMPDIR/same pid rc=0
	run_gm probes build --sysroot debian-bookworm-amd64 --case hang --test-cases
	GM_TEST_MARK=$BATS_TEST_TMPDIR "$GM" --quiet run --build debian-bookworm-amd64 \
		--run debian-bookworm-amd64 --case hang --method loader --timeout 20 --test-cases \
		--out "$out" 3>&- &
	pid=$!
	wait_until "$pid" "the hang probe runs" marked_running "probes/debian-bookworm-amd64/hang-"
	run_gm 2 run --build debian-bookworm-amd64 --run debian-bookworm-amd64 --case hello \
		--method loader --out "$out"
	assert_contains "$output" "--out '$out' is in use by another glibc-matrix run"
	wait "$pid" || rc=$?
	# The first run's results are its own: one cell, the hang, complete.
	python3 - "$out/results.json" <<-'PY'
	import json, sys
	d = json.load(open(sys.argv[1]))
	assert d["complete"] is True
	assert [c["subject"] for c in d["cells"]] == ["hang"], [c["subject"] for c in d["cells"]]
	PY
	# Once it is done, the directory can be used again.
	run_gm run --build debian-bookworm-amd64 --run debian-bookworm-amd64 --case hello \
		--method loader --out "$out"
}

@test "SIGTERM during probes build and during a run at -j2: exit 130, nothing half-made" {
	"$GM" --quiet sysroot show debian-bookworm-amd64 >/dev/null # made by the import test
	rm -rf "$GLIBC_MATRIX_STORE/probes"
	GM_TEST_MARK=$BATS_TEST_TMPDIR "$GM" --quiet probes build --sysroot debian-bookworm-amd64 \
		-j 2 "${CASES[@]}" 3>&- 2>"$BATS_TEST_TMPDIR/err" &
	local pid=$! rc=0
	# Once a compiler runs, terminate the harness.
	wait_until "$pid" "a compiler runs" marked_running "$GLIBC_MATRIX_STORE/probes"
	kill -TERM "$pid"
	wait "$pid" || rc=$?
	cat "$BATS_TEST_TMPDIR/err"
	[ "$rc" -eq 130 ]
	# It reaped its compilers and killed their groups before it exited.
	[ -z "$(marked_procs)" ]
	# Every probe directory present is complete: a rebuild reuses it or
	# builds the missing ones, and then all of them run.
	run_gm probes build --sysroot debian-bookworm-amd64 -j 2 "${CASES[@]}"
	run_gm run --build debian-bookworm-amd64 --run debian-bookworm-amd64 --method loader \
		"${CASES[@]}" --out "$BATS_TEST_TMPDIR/ok"

	# Built first, so that the pattern below matches the running probe, not
	# its compiler.
	run_gm probes build --sysroot debian-bookworm-amd64 --case hang --test-cases
	GM_TEST_MARK=$BATS_TEST_TMPDIR "$GM" --quiet run --build debian-bookworm-amd64 \
		--run debian-bookworm-amd64 --case hang --method loader --method interp --timeout 300 \
		-j 2 --test-cases --out "$BATS_TEST_TMPDIR/out" 3>&- &
	pid=$!
	# The hang probe is compiled first (--test-cases): wait until it runs.
	wait_until "$pid" "the hang probe runs" marked_running "probes/debian-bookworm-amd64/hang-"
	kill -TERM "$pid"
	for _ in $(seq 1 300); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
	kill -0 "$pid" 2>/dev/null && { kill -KILL "$pid"; echo "# still running 30 s after SIGTERM"; false; }
	rc=0
	wait "$pid" || rc=$?
	[ "$rc" -eq 130 ]
	python3 -c 'import json,sys; assert json.load(open(sys.argv[1]))["complete"] is False' \
		"$BATS_TEST_TMPDIR/out/results.json"
	[ -z "$(marked_procs)" ]
}

@test "a full disk while writing the results is a clear error, and no half-written results.json" {
	[ "$(id -u)" -eq 0 ] || skip_fact not-root "to mount a small tmpfs"
	"$GM" --quiet sysroot show debian-bookworm-amd64 >/dev/null # made by the import test
	local small=$BATS_TEST_TMPDIR/small
	mkdir -p "$small"
	mount -t tmpfs -o size=64k tmpfs "$small" || skip_fact no-mount "mount -t tmpfs fails"
	# Fill it but for a few KB: the results of ~250 cells need far more.
	head -c 56k /dev/zero >"$small/filler" || true
	run_gm 3 run --build debian-bookworm-amd64 --run debian-bookworm-amd64 "${CASES[@]}" \
		--out "$small/out"
	ls -la "$small/out" || true
	local left
	left=$(find "$small/out" -name 'results.json*' 2>/dev/null)
	umount "$small"
	[ -z "$left" ]
	assert_contains "$output" "No space left on device"
	assert_contains "$output" "$small/out"
}
