#!/usr/bin/env bats
# The matrix: real probes, real loaders, real sysroots.  Cells are read back
# from results.json and checked against what glibc's history fixes.

load helpers

setup_file() {
	ensure_sysroot debian-bullseye-amd64 import bullseye
	ensure_sysroot debian-bookworm-amd64 import bookworm
	ensure_sysroot debian-trixie-amd64 import trixie
	ensure_sysroot "$GM_SOURCE_NAME" build "$GM_SOURCE_VERSION"
}

# cell OUTDIR CASE BUILD RUN METHOD -> "predicted observed detail" ("-": no build)
cell() {
	python3 - "$@" <<-'PY'
	import json, sys
	out, case, build, run, method = sys.argv[1:6]
	build = None if build == "-" else build  # a user's binary has no build sysroot
	for c in json.load(open(out + "/results.json"))["cells"]:
	    if (c["subject"], c["build"], c["run"], c["method"]) == (case, build, run, method):
	        print(c["predicted"]["outcome"], c["observed"]["outcome"], c["observed"]["detail"])
	        break
	else:
	    print("no-such-cell")
	PY
}

# interrupt_hanging_run PID OUT: once a hang probe of this test runs (PID
# was started with GM_TEST_MARK: marked_procs), SIGINT the run PID; it must
# end well before any cell's own timeout (30 s), exit 130, write
# results.json marked incomplete and leave no process of this test running.
interrupt_hanging_run() {
	local pid=$1 out=$2 rc=0
	wait_until "$pid" "a hang probe runs" marked_running "probes/debian-bookworm-amd64/hang-" ||
		return 1
	kill -INT "$pid"
	for _ in $(seq 1 300); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
	if kill -0 "$pid" 2>/dev/null; then
		kill -KILL "$pid"
		echo "# still running 30 s after SIGINT" >&2
		return 1
	fi
	wait "$pid" || rc=$?
	[ "$rc" -eq 130 ] || { echo "# exit $rc, not 130" >&2; return 1; }
	python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["complete"] is False' \
		"$out/results.json" || return 1
	# proc_run reaps every child and kills its group before it returns.
	[ -z "$(marked_procs)" ]
}

@test "probes list: at least 25 cases cross the known boundaries" {
	run_gm probes list
	[ "$(grep -vc '\[test only\]\|^CASE' <<<"$output")" -ge 25 ]
	for c in hello threads pthread-sigmask stat fcntl64 libm-exp libm-expf dlopen strtol-c23 \
		strlcpy arc4random close-range getrandom reallocarray memfd-create fortify2 fortify3 \
		relr nss-getpwnam getaddrinfo iconv setlocale tls-dlopen cxx-thread-local static; do
		assert_contains "$output" "$c "
	done
}

@test "hello built on 2.36 runs on 2.36 and 2.41 by loader and interp, fails on 2.31 naming GLIBC_2.34" {
	out=$BATS_TEST_TMPDIR/out
	run_gm 0 run --build debian-bookworm-amd64 --run debian-bookworm-amd64 --run debian-trixie-amd64 \
		--run debian-bullseye-amd64 --case hello --method loader --method interp --out "$out"
	for m in loader interp; do
		[ "$(cell "$out" hello debian-bookworm-amd64 debian-bookworm-amd64 $m)" = "ok ok " ]
		[ "$(cell "$out" hello debian-bookworm-amd64 debian-trixie-amd64 $m)" = "ok ok " ]
		[ "$(cell "$out" hello debian-bookworm-amd64 debian-bullseye-amd64 $m)" = \
			"symbol-version symbol-version GLIBC_2.34" ]
	done
	# The probe really ran on the run sysroot's libc.
	python3 - "$out/results.json" <<-'PY'
	import json, sys
	for c in json.load(open(sys.argv[1]))["cells"]:
	    if c["run"] == "debian-trixie-amd64":
	        assert c["observed"]["glibc"] == "2.41", c
	        assert "/debian-trixie-amd64/" in c["observed"]["libc"], c
	PY
}

@test "env against another glibc is mixed-glibc; rpath alone fails as predicted" {
	out=$BATS_TEST_TMPDIR/out
	run_gm 0 run --build debian-bookworm-amd64 --run debian-trixie-amd64 --run "$GM_SOURCE_NAME" \
		--case hello --case threads --method env --method rpath --out "$out"
	[ "$(cell "$out" hello debian-bookworm-amd64 debian-trixie-amd64 env)" = \
		"mixed-glibc mixed-glibc __tunable_is_initialized@GLIBC_PRIVATE" ]
	read -r pred obs _ <<<"$(cell "$out" threads debian-bookworm-amd64 "$GM_SOURCE_NAME" rpath)"
	[ "$obs" != ok ]
	[ "$pred" = "$obs" ]
}

@test "a segfaulting probe is crash with SIGSEGV; a hanging one is timeout and leaves nothing behind" {
	out=$BATS_TEST_TMPDIR/out
	GM_TEST_MARK=$BATS_TEST_TMPDIR run_gm 0 run --build debian-bookworm-amd64 \
		--run debian-bookworm-amd64 --case crash --case hang --case fails --method loader \
		--method host --timeout 2 --out "$out"
	[ "$(cell "$out" crash debian-bookworm-amd64 debian-bookworm-amd64 loader | cut -d' ' -f2-)" = \
		"crash SIGSEGV" ]
	read -r _ obs _ <<<"$(cell "$out" hang debian-bookworm-amd64 debian-bookworm-amd64 loader)"
	[ "$obs" = timeout ]
	read -r _ obs _ <<<"$(cell "$out" fails debian-bookworm-amd64 host host)"
	[ "$obs" = failed ]
	# Nothing the run started is left (it reaps before it returns).
	[ -z "$(marked_procs)" ]
}

@test "the default matrix has no mismatch" {
	out=$BATS_TEST_TMPDIR/out
	run_gm 0 run --build "$GM_SOURCE_NAME" --build debian-bullseye-amd64 --build debian-bookworm-amd64 \
		--build debian-trixie-amd64 --run "$GM_SOURCE_NAME" --run debian-bullseye-amd64 \
		--run debian-bookworm-amd64 --run debian-trixie-amd64 --out "$out"
	assert_contains "$output" " 0 mismatches"
	python3 - "$out/results.json" <<-'PY'
	import json, sys
	d = json.load(open(sys.argv[1]))
	assert d["complete"], "incomplete"
	assert d["summary"]["mismatches"] == 0
	assert d["summary"]["cells"] >= 25 * 4 * 17, d["summary"]["cells"]
	seen = {c["observed"]["outcome"] for c in d["cells"]}
	for want in ("ok", "symbol-version", "mixed-glibc"):
	    assert want in seen, want
	PY
}

@test "Ctrl-C during a run writes partial results marked incomplete and exits 130" {
	out=$BATS_TEST_TMPDIR/out
	GM_TEST_MARK=$BATS_TEST_TMPDIR "$GM" --quiet run --build debian-bookworm-amd64 --run debian-bookworm-amd64 --case hang \
		--case hello --case threads --method loader --method interp --method env --timeout 30 \
		-j 1 --out "$out" 3>&- &
	interrupt_hanging_run $! "$out"
}

@test "Ctrl-C with two workers stops the hanging cells at once, not at their timeout" {
	out=$BATS_TEST_TMPDIR/out
	# Two hanging cells, one per worker: the signal reaches one thread only.
	GM_TEST_MARK=$BATS_TEST_TMPDIR "$GM" --quiet run --build debian-bookworm-amd64 --run debian-bookworm-amd64 --case hang \
		--method loader --method interp --timeout 300 -j 2 --test-cases --out "$out" 3>&- &
	interrupt_hanging_run $! "$out"
}

# interrupt_early ERR ENV...: a run of the hang probe, SIGINT once the
# condition that wait_early (a shell function) waits for is met; exit 130
# and the driver's message.
interrupt_early() {
	local err=$1 pid rc=0
	shift
	env "$@" "$GM" run --build debian-bookworm-amd64 --run debian-bookworm-amd64 --case hang \
		--timeout 300 -j 2 --out "$BATS_TEST_TMPDIR/out" 3>&- 2>"$err" &
	pid=$!
	wait_early "$pid" || { kill -KILL "$pid"; return 1; }
	kill -INT "$pid"
	wait "$pid" || rc=$?
	echo "exit $rc: $(cat "$err")"
	[ "$rc" -eq 130 ] && grep -q "glibc-matrix: error: .*interrupted" "$err"
}

@test "Ctrl-C before the cells run (while probes are prepared) exits 130 with a message, no crash" {
	# At the first moment the driver can handle it: its handler is in.
	wait_early() { wait_until "$1" "a SIGINT handler" sigint_caught "$1"; }
	interrupt_early "$BATS_TEST_TMPDIR/err1"
	# While the probe is compiled: a compiler of this test's own, whose
	# version line makes the probe a new one (no cache hit), says when it
	# compiles and then waits to be interrupted.
	local cc=$BATS_TEST_TMPDIR/cc mark=$BATS_TEST_TMPDIR/compiling
	cat >"$cc" <<-EOF
	#!/bin/sh
	case " \$* " in
	*" --version "*) echo "gm-test-cc $BATS_TEST_TMPDIR"; exit 0 ;;
	*" -o "*) touch "$mark"; exec sleep 300 ;;
	esac
	exec gcc "\$@"
	EOF
	chmod +x "$cc"
	wait_early() { wait_until "$1" "a probe compiles" test -e "$mark"; }
	interrupt_early "$BATS_TEST_TMPDIR/err2" CC="$cc"
}

@test "flags: a multi-file program and its test binary built for glibc newer than the host run directly" {
	src=$BATS_TEST_TMPDIR/proj
	mkdir -p "$src"
	cat > "$src/lib.c" <<-'EOF2'
	#include <gnu/libc-version.h>
	#include <string.h>
	const char *runtime_glibc(void) { return gnu_get_libc_version(); }
	size_t copy(char *d, const char *s, size_t n) { return strlcpy(d, s, n); }
	EOF2
	cat > "$src/test.c" <<-'EOF2'
	#include <stdio.h>
	#include <string.h>
	const char *runtime_glibc(void);
	size_t copy(char *d, const char *s, size_t n);
	int main(void) {
		char b[4];
		size_t n = copy(b, "hello", sizeof b);
		printf("glibc=%s copied=%s n=%zu\n", runtime_glibc(), b, n);
		return strcmp(b, "hel") != 0 || n != 5;
	}
	EOF2
	flags=$("$GM" flags --sysroot debian-trixie-amd64)
	# shellcheck disable=SC2086
	cc $flags -c -o "$src/lib.o" "$src/lib.c"
	# shellcheck disable=SC2086
	cc $flags -o "$src/test" "$src/test.c" "$src/lib.o"
	run "$src/test"
	echo "$output"
	[ "$status" -eq 0 ]
	assert_contains "$output" "glibc=2.41 copied=hel n=5"
	# strlcpy@GLIBC_2.38 is newer than the host's glibc: only the sysroot has it.
	readelf -V "$src/test" | grep -q GLIBC_2.38
}

@test "flags: a program built for the source-built glibc runs on it directly" {
	src=$BATS_TEST_TMPDIR/proj
	mkdir -p "$src"
	printf '%s\n' '#include <gnu/libc-version.h>' '#include <stdio.h>' \
		'int main(void) { printf("glibc=%s\n", gnu_get_libc_version()); return 0; }' > "$src/v.c"
	# shellcheck disable=SC2046
	cc $("$GM" flags --sysroot "$GM_SOURCE_NAME") -o "$src/v" "$src/v.c"
	run "$src/v"
	[ "$status" -eq 0 ]
	[ "$output" = "glibc=$GM_SOURCE_VERSION" ]
}

@test "exec passes the exit status through, by loader and by interp" {
	for method in loader interp; do
		run "$GM" exec --sysroot debian-trixie-amd64 --method $method -- sh -c 'exit 7'
		[ "$status" -eq 7 ]
		run "$GM" exec --sysroot debian-trixie-amd64 --method $method -- sh -c 'kill -TERM $$'
		[ "$status" -eq 143 ]
	done
	run -127 "$GM" exec --sysroot debian-bullseye-amd64 -- /usr/bin/ls /
	assert_contains "$output" "GLIBC_2.34' not found"
	run_gm 2 exec --sysroot debian-trixie-amd64 -- no-such-program-here
}

@test "exec on a terminal: the program reads the terminal, and Ctrl-C reaches it (130)" {
	require_tool script bsdutils
	# script(1) gives the command a pseudo-terminal and types what we pipe in.
	run bash -c '(sleep 1.5; printf "typed-line\n"; sleep 3) |
		timeout 20 script -qec "$1 exec --sysroot debian-trixie-amd64 -- head -n1; echo status=\$?" /dev/null' \
		_ "$GM"
	echo "$output"
	[ "$(grep -c typed-line <<<"$output")" -ge 2 ] # the echo, then head's own line
	assert_contains "$output" "status=0"
	run bash -c '(sleep 1.5; printf "\003"; sleep 3) |
		timeout 20 script -qec "$1 exec --sysroot debian-trixie-amd64 -- sleep 60; echo status=\$?" /dev/null' \
		_ "$GM"
	echo "$output"
	assert_contains "$output" "status=130"
}

@test "check: a host binary against 2.31 and 2.41, with the host libraries it needs named" {
	out=$BATS_TEST_TMPDIR/out
	run_gm 1 check /usr/bin/ls --against debian-bullseye-amd64 --against debian-trixie-amd64 \
		--args / --host-libs --out "$out"
	assert_contains "$output" "needs /lib/x86_64-linux-gnu/libselinux.so.1 from the host"
	assert_contains "$output" "against debian-bullseye-amd64 by loader: symbol-version (GLIBC_2.33)"
	assert_contains "$output" " 0 mismatches"
	[ "$(cell "$out" /usr/bin/ls - debian-trixie-amd64 loader)" = "ok ok " ]
	python3 - "$out/results.json" <<-'PY'
	import json, sys
	cells = json.load(open(sys.argv[1]))["cells"]
	ok = [c for c in cells if c["run"] == "debian-trixie-amd64"]
	assert ok and all(c["observed"]["outcome"] == "ok" for c in ok), ok
	assert any("libselinux" in h for c in ok for h in c["host_libraries"])
	PY
	run_gm 0 check /usr/bin/true --against debian-trixie-amd64 --method loader --out "$out/t"
	run_gm 1 check /usr/bin/false --against debian-trixie-amd64 --method loader --out "$out/f"
	run_gm 0 check /usr/bin/false --against debian-trixie-amd64 --method loader --expect-exit 1 \
		--out "$out/f1"
	# A relative --out works for every method (patched copies run from below it).
	cd "$BATS_TEST_TMPDIR"
	run_gm 0 check /usr/bin/true --against debian-trixie-amd64 --method interp \
		--method loader --expect-exit 0 --out rel
	[ -f "$BATS_TEST_TMPDIR/rel/results.json" ]
}

@test "unknown methods, cases and sysroots are usage errors (exit 2)" {
	run_gm 2 run --method teleport --out "$BATS_TEST_TMPDIR/o"
	assert_contains "$output" "unknown method 'teleport'"
	run_gm 2 run --case no-such-case --out "$BATS_TEST_TMPDIR/o"
	run_gm 2 run --build no-such-sysroot --out "$BATS_TEST_TMPDIR/o"
	run_gm 2 check /usr/bin/true --out "$BATS_TEST_TMPDIR/o"
	run_gm 2 flags --sysroot no-such-sysroot
}
