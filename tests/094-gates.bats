#!/usr/bin/env bats
# Release gates that must not pass by accident: a check or run in which no
# cell ran, results documents of the wrong shape, a policy naming what does
# not exist, a corrupt sysroot manifest; and the store's locks and work
# directories (no lock file left behind, a live run's work never swept).

load helpers

# Processes a test started in the background and has not waited for yet
# (it failed midway): ended, so no hanging cell outlives the test.
teardown() {
	local p
	for p in ${BG_PIDS:-}; do
		kill -KILL "$p" 2>/dev/null || :
	done
}

setup_file() {
	ensure_sysroot debian-bookworm-amd64 import bookworm
	ensure_sysroot debian-trixie-amd64 import trixie
	cc -static -o "$BATS_FILE_TMPDIR/static" "$TOP/tests/fixtures/version.c"
}

@test "check: a static executable whose every cell is skipped is exit 77 (nothing ran), 0 with --allow-empty" {
	local f=$BATS_FILE_TMPDIR/static
	run_gm 77 check "$f" --against bookworm --against trixie --out "$BATS_TEST_TMPDIR/a"
	assert_contains "$output" "no cell ran: all 4 were skipped (static executable: it carries its own libc"
	assert_contains "$output" "--allow-empty"
	# The document is still written: the skips are the record.
	[ -s "$BATS_TEST_TMPDIR/a/results.json" ]
	run_gm 0 check "$f" --against bookworm --against trixie --allow-empty --out "$BATS_TEST_TMPDIR/b"
	assert_contains "$output" "4 skipped"
	# One cell that runs (the host method runs it directly) is a gate again.
	run_gm 0 check "$f" --against bookworm --against trixie -m host -m loader --out "$BATS_TEST_TMPDIR/c"
}

@test "run: every cell skipped is exit 77, 0 with --allow-empty; --help says so within 80 columns" {
	run_gm 77 run --build debian-bookworm-amd64 --run debian-trixie-amd64 --case static \
		-m loader -m interp --out "$BATS_TEST_TMPDIR/a"
	assert_contains "$output" "no cell ran: all 2 were skipped (static executable"
	run_gm 0 run --build debian-bookworm-amd64 --run debian-trixie-amd64 --case static \
		-m loader -m interp --allow-empty --out "$BATS_TEST_TMPDIR/b"
	# A plan without a cell (ldcache injects a case's own library; hello has none).
	run_gm 77 run --build debian-bookworm-amd64 --run debian-trixie-amd64 --case hello \
		-m ldcache --out "$BATS_TEST_TMPDIR/c"
	assert_contains "$output" "no cell ran: the plan has none"
	for c in run check; do
		run_gm 0 "$c" --help
		assert_contains "$output" "--allow-empty"
		assert_contains "$output" "77 no cell ran"
		run awk 'length > 80' <<<"$output"
		[ -z "$output" ]
	done
}

# malformed DOC DIR: copies of the results document DOC with one field of
# the wrong type each, DIR/NAME.json; prints "NAME<tab>the error's words".
malformed() {
	python3 - "$1" "$2" <<-'PY'
	import json, sys
	src, out = sys.argv[1:]
	d = json.load(open(src))
	cases = {
	    "command-line-string": ("command_line: want an array, not a string",
	                            lambda d: d.__setitem__("command_line", "glibc-matrix check x")),
	    "problems-object": ("cells[0].predicted.problems: want an array or null, not an object",
	                        lambda d: d["cells"][0]["predicted"].__setitem__("problems", {"kind": "ok"})),
	    "problems-odd": ("cells[1].predicted.problems[0].symbols: missing",
	                     lambda d: d["cells"][1]["predicted"].__setitem__("problems", [{"why": 1}, 7])),
	    "symbols-string": ("cells[1].predicted.problems[0].symbols: want an array, not a string",
	                       lambda d: d["cells"][1]["predicted"].__setitem__("problems", [{"symbols": "x"}])),
	    "why-string": ("cells[0].predicted.problems[0].why: want an array, not a string",
	                   lambda d: d["cells"][0]["predicted"].__setitem__("problems", [{"symbols": [], "why": "x"}])),
	    "cell-string": ("cells[1]: want an object, not a string",
	                    lambda d: d["cells"].__setitem__(1, "a cell")),
	    "exit-string": ("cells[0].observed.exit: want an integer or null, not a string",
	                    lambda d: d["cells"][0]["observed"].__setitem__("exit", "0")),
	    "host-array": ("host: want an object, not an array",
	                   lambda d: d.__setitem__("host", ["x86_64"])),
	    "subjects-strings": ("subjects[0]: want an object, not a string",
	                         lambda d: d.__setitem__("subjects", ["a"])),
	    "mismatch-string": ("cells[0].mismatch: want a boolean, not a string",
	                        lambda d: d["cells"][0].__setitem__("mismatch", "false")),
	}
	for name, (msg, mutate) in cases.items():
	    x = json.loads(json.dumps(d))
	    mutate(x)
	    json.dump(x, open(f"{out}/{name}.json", "w"))
	    print(name, msg, sep="\t")
	PY
}

@test "report: a results document with a field of the wrong type is exit 2 from every format and merge, naming the file and the field; nothing written" {
	local d=$BATS_TEST_TMPDIR f
	# A real document with two cells that ran (and a problem list to break).
	run_gm 0 check /usr/bin/true --against bookworm --against trixie -m loader --out "$d/real"
	malformed "$d/real/results.json" "$d" >"$d/cases"
	[ "$(wc -l <"$d/cases")" -eq 10 ]
	while IFS=$'\t' read -r name msg; do
		for f in html md junit tap json; do
			run_gm 2 report "$d/$name.json" --format "$f" -o "$d/out.$f"
			assert_contains "$output" "'$d/$name.json': $msg"
			[ ! -e "$d/out.$f" ]
		done
		run_gm 2 report merge "$d/real/results.json" "$d/$name.json" -o "$d/merged.json"
		assert_contains "$output" "'$d/$name.json': $msg"
		[ ! -e "$d/merged.json" ]
		run_gm 2 report --baseline "$d/$name.json" "$d/real/results.json" --format md
		assert_contains "$output" "'$d/$name.json': $msg"
	done <"$d/cases"
	# The unbroken document still renders in every format.
	for f in html md junit tap json; do
		run_gm 0 report "$d/real/results.json" --format "$f" -o "$d/ok.$f"
	done
}

@test "check --policy: a rule naming an unknown method is malformed (exit 2, file:line, the name) before anything runs" {
	local d=$BATS_TEST_TMPDIR
	printf '# loader by its name, misspelt\nrequire * by loader,lodaer against *\n' >"$d/typo.policy"
	run_gm 2 check /usr/bin/true --against bookworm -m loader --policy "$d/typo.policy" --out "$d/a"
	assert_contains "$output" "$d/typo.policy:2: unknown method 'lodaer' (host, loader,"
	# Nothing ran: no summary, no report directory.
	assert_not_contains "$output" "cells in"
	[ ! -e "$d/a" ]
	printf 'allow * by , against *: no method at all\n' >"$d/none.policy"
	run_gm 2 check /usr/bin/true --against bookworm -m loader --policy "$d/none.policy" --out "$d/b"
	assert_contains "$output" "$d/none.policy:1: no method after 'by'"
	[ ! -e "$d/b" ]
	# Names and * are what a rule may hold; such a policy gates the run.
	printf 'require * by loader,* against debian-*\n' >"$d/good.policy"
	run_gm 0 check /usr/bin/true --against bookworm -m loader --policy "$d/good.policy" --out "$d/c"
	assert_contains "$output" "policy: 0 violations"
}

# manifest NAME TEXT: a scratch store's sysroot NAME whose sysroot.json is TEXT.
manifest() {
	mkdir -p "$GLIBC_MATRIX_STORE/sysroots/$1"
	printf '%s' "$2" >"$GLIBC_MATRIX_STORE/sysroots/$1/sysroot.json"
}

@test "exec: a sysroot.json that is not a manifest is malformed input (exit 2, the file and the cause); a refused one stays 3" {
	use_scratch_store
	local s=$GLIBC_MATRIX_STORE/sysroots
	manifest truncated '{"name": "truncated", '
	manifest array '[]'
	manifest numbers '{"name": 7, "glibc_version": "2.36", "arch": "x86_64"}'
	manifest dirs "{\"name\": \"dirs\", \"glibc_version\": \"2.36\", \"arch\": \"x86_64\", \"origin\": \"host\", \"prefix\": \"$s/dirs\", \"loader\": \"$s/dirs/ld.so\", \"libdirs\": \"$s/dirs/lib\"}"
	run_gm 2 exec --sysroot truncated -- /bin/true
	assert_contains "$output" "'$s/truncated/sysroot.json': not a JSON object (truncated)"
	run_gm 2 exec --sysroot array -- /bin/true
	assert_contains "$output" "'$s/array/sysroot.json': not a JSON object (another JSON value)"
	run_gm 2 exec --sysroot numbers -- /bin/true
	assert_contains "$output" "'$s/numbers/sysroot.json': field 'name' missing or not a string"
	run_gm 2 exec --sysroot dirs -- /bin/true
	assert_contains "$output" "'$s/dirs/sysroot.json': field 'libdirs' is not an array"
	# Every command that names it says the same.
	run_gm 2 sysroot show truncated
	assert_contains "$output" "not a JSON object (truncated)"
	# A well-formed manifest the store refuses (its loader outside the
	# sysroot, never run) is not the user's input: 3, as tests/047 has it.
	manifest outside "{\"name\": \"outside\", \"glibc_version\": \"2.36\", \"arch\": \"x86_64\", \"origin\": \"host\", \"prefix\": \"$s/outside\", \"loader\": \"/bin/sh\"}"
	run_gm 3 exec --sysroot outside -- /bin/true
	assert_contains "$output" "loader '/bin/sh' is not inside the sysroot directory"
	# Listings still leave them out with a warning.
	run_gm 0 sysroot list
	assert_contains "$output" "warning: skipping a sysroot"
}

# wait_for FILE TEXT [COUNT]: until FILE holds TEXT COUNT times (default 1);
# fails after a minute (a hang, not a timing assert).
wait_for() {
	local i
	for i in $(seq 600); do
		[ "$(grep -c -- "$2" "$1" 2>/dev/null)" -ge "${3:-1}" ] && return 0
		sleep 0.1
	done
	echo "# never saw '$2' in $1:" >&2
	cat "$1" >&2
	return 1
}

@test "store: sysroot remove and a failed import leave no lock file" {
	use_scratch_store
	local locks=$GLIBC_MATRIX_STORE/locks
	manifest gone '{}'
	run_gm 0 sysroot remove gone
	[ ! -e "$GLIBC_MATRIX_STORE/sysroots/gone" ]
	[ ! -e "$locks/gone.lock" ]
	# An import that fails under its lock (the archive unreachable).
	GLIBC_MATRIX_MIRROR=http://127.0.0.1:9 run_gm 3 sysroot import bookworm
	assert_contains "$output" "cannot download"
	[ ! -e "$GLIBC_MATRIX_STORE/sysroots/debian-bookworm-amd64" ]
	[ ! -e "$locks/debian-bookworm-amd64.lock" ]
	GLIBC_MATRIX_MIRROR=http://127.0.0.1:9 run_gm 3 sysroot import nosuchsuite
	[ -z "$(ls -A "$locks" 2>/dev/null)" ]
}

@test "store: a waiter whose lock file was removed while it waited locks the file at the path again" {
	use_scratch_store
	local locks=$GLIBC_MATRIX_STORE/locks log=$BATS_TEST_TMPDIR/remove.log
	manifest x '{}'
	mkdir -p "$locks"
	# A holder that removes the lock file while it holds it, as store_unlock does.
	exec {old}>"$locks/x.lock"
	flock "$old"
	# (It must not inherit the fd: a flock belongs to the open file.)
	"$GM" sysroot remove x >"$log" 2>&1 3>&- {old}>&- &
	local pid=$!
	BG_PIDS=$pid
	wait_for "$log" "waiting for another build of 'x'"
	rm "$locks/x.lock"
	# Someone else locks the new file at the path before the old one goes.
	exec {new}>"$locks/x.lock"
	flock "$new"
	exec {old}>&-
	# The waiter got the old file, saw it unlinked, and now waits for the new one.
	wait_for "$log" "waiting for another build of 'x'" 2
	[ -e "$GLIBC_MATRIX_STORE/sysroots/x" ]
	exec {new}>&-
	wait "$pid"
	BG_PIDS=
	cat "$log"
	[ ! -e "$GLIBC_MATRIX_STORE/sysroots/x" ]
	[ ! -e "$locks/x.lock" ]
}

# in_pid_ns CMD...: CMD in a pid namespace of its own (its own /proc), as a
# harness in another container shares the store.
# claim_held FILE: FILE exists and someone holds its flock.
claim_held() {
	[ -e "$1" ] || return 1
	if flock -n "$1" true; then return 1; fi
}

in_pid_ns() {
	unshare --pid --mount-proc --kill-child=SIGKILL "$@"
}

@test "runs: a live run's work directory survives a harness in another pid namespace; a dead run's is swept" {
	[ "$(id -u)" -eq 0 ] || skip_fact not-root "pid namespaces"
	use_scratch_store
	# The work directories alone: cells outside cgroups (the run groups'
	# own liveness has the test below).
	export GLIBC_MATRIX_CONTAINMENT=rlimit-only
	local d=$BATS_TEST_TMPDIR
	# Run A (the harness is pid 2 of its namespace) with a cell that hangs.
	# (unshare itself in the background: $! is what the kill below ends.)
	unshare --pid --mount-proc --kill-child=SIGKILL \
		sh -c '"$0" check /bin/sleep --args 600 --against host -m host --timeout 900 \
		--out "$1"; :' "$GM" "$d/a" >"$d/a.log" 2>&1 3>&- &
	local a=$! i
	BG_PIDS=$a
	for i in $(seq 600); do
		[ -d "$d/a/work" ] && [ -n "$(ls -A "$GLIBC_MATRIX_STORE/runs" 2>/dev/null)" ] && break
		sleep 0.1
	done
	[ -d "$d/a/work" ]
	# Harness B in a namespace of its own, where pid 2 does not exist (its
	# sh spawns two before it), sweeps the store as every run does.
	in_pid_ns sh -c ':; :; (:); (:); exec "$0" check /usr/bin/true --against host -m host --out "$1"' \
		"$GM" "$d/b" 3>&-
	[ -d "$d/a/work" ]
	# A dies (SIGKILL: no cleanup of its own); the next harness sweeps it.
	kill -KILL "$a"
	wait "$a" || [ $? -eq 137 ]
	BG_PIDS=
	# The namespace's processes die after unshare: until A's flock is free.
	local claim
	claim=$(ls "$GLIBC_MATRIX_STORE"/runs/2.*)
	for i in $(seq 600); do
		flock -n "$claim" true && break
		sleep 0.1
	done
	flock -n "$claim" true
	run_gm 0 check /usr/bin/true --against host -m host --out "$d/c"
	assert_contains "$output" "removed 1 work directories of killed runs"
	[ ! -e "$d/a/work" ]
	[ -z "$(ls -A "$GLIBC_MATRIX_STORE/runs")" ]
}

@test "cgroups: a live run's cell group survives a harness in another pid namespace; a dead run's is swept" {
	[ "$(id -u)" -eq 0 ] || skip_fact not-root "pid namespaces"
	use_scratch_store
	local d=$BATS_TEST_TMPDIR mode
	mode=$("$GM" check /usr/bin/true --against host -m host --out "$d/probe" 2>&1 3>&- |
		sed -n 's/.*containment: \(rlimit-only\).*/\1/p')
	[ -z "$mode" ] || skip_fact no-cgroups
	# Run A, pid 2 of its namespace, with a cell that sleeps (a length no
	# other process here uses, so it can be found).
	unshare --pid --mount-proc --kill-child=SIGKILL \
		sh -c '"$0" check /bin/sleep --args 6137 --against host -m host --timeout 900 \
		--out "$1"; :' "$GM" "$d/a" >"$d/a.log" 2>&1 3>&- &
	local a=$! i cell=
	BG_PIDS=$a
	for i in $(seq 600); do
		cell=$(pgrep -x -f "/usr/bin/sleep 6137" | head -n 1)
		[ -n "$cell" ] && break
		sleep 0.1
	done
	[ -n "$cell" ]
	# Harness B in a namespace of its own, where A's pid and start time name
	# nothing: before, it took A's cgroup for a dead run's and killed its cell.
	in_pid_ns sh -c ':; :; (:); (:); exec "$0" check /usr/bin/true --against host -m host --out "$1"' \
		"$GM" "$d/b" >"$d/b.log" 2>&1 3>&-
	cat "$d/b.log"
	run ! grep -q "cgroups of killed runs" "$d/b.log"
	kill -0 "$cell"
	# A dies without cleaning up; the next harness sweeps its group.
	kill -KILL "$a"
	wait "$a" || [ $? -eq 137 ]
	BG_PIDS=
	for i in $(seq 600); do
		kill -0 "$cell" 2>/dev/null || break
		sleep 0.1
	done
	run_gm 0 check /usr/bin/true --against host -m host --out "$d/c"
	assert_contains "$output" "cgroups of killed runs"
}

@test "bundles: a container bundle whose owner holds a claim on the store is left alone; once the claim is free it is swept" {
	local shared=$GLIBC_MATRIX_STORE
	"$GM" --quiet rootfs build busybox 3>&- || return 1
	use_scratch_store
	mkdir -p "$GLIBC_MATRIX_STORE/rootfs"
	cp -a "$shared/rootfs/busybox" "$GLIBC_MATRIX_STORE/rootfs/"
	run_gm '?' rootfs exec busybox -- /bin/true
	[ "$status" -ne 77 ] || skip_fact no-oci-runtime "$output"
	[ "$status" -eq 0 ]
	# The bundle of a harness numbered P (no process has that number here:
	# pid_max), which holds its claim: a harness in another pid namespace.
	local p b
	p=$(cat /proc/sys/kernel/pid_max)
	b=$GLIBC_MATRIX_STORE/bundles/gm-$p-1
	mkdir -p "$b" "$GLIBC_MATRIX_STORE/runs"
	: >"$b/config.json"
	# (The subshell becomes sleep, which holds the flock: $! ends it.)
	(exec 9>"$GLIBC_MATRIX_STORE/runs/$p.claim" && flock 9 && exec sleep 600) 3>&- &
	local holder=$!
	BG_PIDS=$holder
	local i
	for i in $(seq 600); do
		claim_held "$GLIBC_MATRIX_STORE/runs/$p.claim" && break
		sleep 0.1
	done
	claim_held "$GLIBC_MATRIX_STORE/runs/$p.claim"
	run_gm 0 rootfs exec busybox -- /bin/true
	[ -e "$b/config.json" ]
	kill "$holder"
	wait "$holder" || [ $? -eq 143 ]
	BG_PIDS=
	run_gm 0 rootfs exec busybox -- /bin/true
	[ ! -e "$b" ]
	# Each harness removed its own claim when it ended; the dead one's
	# goes with the next run's sweep (it would name that run's work).
	[ "$(ls -A "$GLIBC_MATRIX_STORE/runs")" = "$p.claim" ]
	run_gm 0 check /usr/bin/true --against host -m host --out "$BATS_TEST_TMPDIR/c"
	[ -z "$(ls -A "$GLIBC_MATRIX_STORE/runs")" ]
}
