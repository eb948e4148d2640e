#!/usr/bin/env bats
# The container methods of the matrix through a real OCI runtime: the tree's
# own glibc (container), the run sysroot's glibc injected by our OCI hook
# (inject) or libc.so.6 alone (inject-libc-only), Toolbx's /run/host
# (toolbox), a library registered in the tree's ld.so.cache (ldcache);
# somebody else's hook gated by the same matrix (--hook).  The
# trees: bullseye (2.31), bookworm (2.36), trixie (2.41) and sid as the
# images are and libc6 alone (-libc6), busybox (none).

load helpers

setup_file() {
	require_tool mmdebstrap mmdebstrap
	ensure_sysroot debian-bullseye-amd64 import bullseye
	ensure_sysroot debian-bookworm-amd64 import bookworm
	ensure_sysroot debian-trixie-amd64 import trixie
	ensure_sysroot "$GM_SOURCE_NAME" build "$GM_SOURCE_VERSION"
	"$GM" --quiet rootfs build --all 3>&- || return 1
}

setup() {
	require_runtime
}

BUILDS=(--build debian-bullseye-amd64 --build debian-bookworm-amd64 --build debian-trixie-amd64)

# cell OUT CASE BUILD RUN METHOD ROOTFS -> "predicted observed glibc detail"
cell() {
	python3 - "$@" <<-'PY'
	import json, sys
	out, case, build, run, method, rootfs = sys.argv[1:7]
	for c in json.load(open(out + "/results.json"))["cells"]:
	    if (c["subject"], c["build"], c["run"], c["method"], c.get("rootfs")) == \
	       (case, build, run, method, rootfs):
	        o = c["observed"]
	        print(c["predicted"]["outcome"], o["outcome"], o.get("glibc") or "-", o["detail"])
	        break
	else:
	    print("no-such-cell")
	PY
}

# count OUT METHOD: the cells of a method in results.json
count() {
	python3 -c 'import json,sys; print(sum(c["method"] == sys.argv[2] and not c["subject"].startswith("image:") for c in json.load(open(sys.argv[1] + "/results.json"))["cells"]))' "$1" "$2"
}

our_containers() {
	runc list -q 2>/dev/null | grep '^gm-' || true
}

@test "container: every case in every tree, zero mismatches; newer binaries fail on older trees, nothing runs without a glibc but static" {
	out=$BATS_TEST_TMPDIR/out
	before=$(awk '{ print $5 }' /proc/self/mountinfo | sort)
	run_gm 0 run "${BUILDS[@]}" --method container --rootfs all --out "$out"
	assert_contains "$output" "0 mismatches"
	[ "$(count "$out" container)" -gt 150 ]
	[ "$(cell "$out" hello debian-trixie-amd64 rootfs-bullseye container bullseye)" = \
		"symbol-version symbol-version - GLIBC_2.34" ]
	[ "$(cell "$out" hello debian-bullseye-amd64 rootfs-trixie container trixie)" = "ok ok 2.41 " ]
	read -r pred obs _ <<<"$(cell "$out" hello debian-bullseye-amd64 rootfs-busybox container busybox)"
	[ "$pred $obs" = "exec-failed exec-failed" ]
	[ "$(cell "$out" static debian-trixie-amd64 rootfs-busybox container busybox | cut -d' ' -f1-3)" = \
		"ok ok 2.41" ]
	# Nothing left: runtime state, bundles, overlays.
	[ -z "$(our_containers)" ]
	[ -z "$(ls "${GLIBC_MATRIX_STORE:-$HOME/.cache/glibc-matrix}/bundles")" ]
	[ "$(awk '{ print $5 }' /proc/self/mountinfo | sort)" = "$before" ]
}

@test "inject: an older tree runs newer binaries on the injected glibc; a newer tree keeps its own; a loader built from source finds nothing in the tree" {
	out=$BATS_TEST_TMPDIR/out
	run_gm 0 run "${BUILDS[@]}" --run debian-trixie-amd64 --run debian-bookworm-amd64 \
		--run "$GM_SOURCE_NAME" --method inject --rootfs bullseye --rootfs trixie \
		--case hello --case threads --case dlopen --case nss-getpwnam --case getaddrinfo --out "$out"
	assert_contains "$output" "0 mismatches"
	# bullseye (2.31) gets trixie's 2.41: a binary built on trixie runs.
	[ "$(cell "$out" threads debian-trixie-amd64 debian-trixie-amd64 inject bullseye)" = "ok ok 2.41 " ]
	[ "$(cell "$out" nss-getpwnam debian-trixie-amd64 debian-trixie-amd64 inject bullseye)" = "ok ok 2.41 " ]
	# trixie (2.41) is newer than bookworm's 2.36: the hook leaves it.
	[ "$(cell "$out" hello debian-trixie-amd64 debian-bookworm-amd64 inject trixie)" = "ok ok 2.41 " ]
	# The same version (2.31 from source over bullseye's 2.31): untouched.
	[ "$(cell "$out" hello debian-bullseye-amd64 "$GM_SOURCE_NAME" inject bullseye)" = "ok ok 2.31 " ]
}

@test "inject-libc-only: libc.so.6 alone beside the tree's loader is mixed-glibc, as predicted" {
	out=$BATS_TEST_TMPDIR/out
	run_gm 0 run "${BUILDS[@]}" --run debian-trixie-amd64 --run debian-bookworm-amd64 \
		--method inject-libc-only --rootfs bullseye --case hello --case threads --out "$out"
	assert_contains "$output" "0 mismatches"
	read -r pred obs _ <<<"$(cell "$out" hello debian-bullseye-amd64 debian-trixie-amd64 inject-libc-only bullseye)"
	[ "$pred $obs" = "mixed-glibc mixed-glibc" ]
	read -r pred obs _ <<<"$(cell "$out" hello debian-bookworm-amd64 debian-bookworm-amd64 inject-libc-only bullseye)"
	[ "$pred $obs" = "mixed-glibc mixed-glibc" ]
}

@test "toolbox: /run/host glibc runs in every tree, also the one without glibc" {
	out=$BATS_TEST_TMPDIR/out
	run_gm 0 run "${BUILDS[@]}" --run debian-trixie-amd64 --method toolbox --rootfs bullseye \
		--rootfs busybox --case hello --case threads --case dlopen --case iconv --case nss-getpwnam \
		--out "$out"
	assert_contains "$output" "0 mismatches"
	for tree in bullseye busybox; do
		[ "$(cell "$out" threads debian-trixie-amd64 debian-trixie-amd64 toolbox $tree)" = "ok ok 2.41 " ]
		[ "$(cell "$out" iconv debian-bullseye-amd64 debian-trixie-amd64 toolbox $tree)" = "ok ok 2.41 " ]
	done
	# The probe's libc is the one under /run/host.
	python3 - "$out" <<-'PY'
	import json, sys
	libs = {c["observed"]["libc"] for c in json.load(open(sys.argv[1] + "/results.json"))["cells"]
	        if c["observed"]["outcome"] == "ok" and not c["subject"].startswith("image:")}
	assert libs and all(l.startswith("/run/host/") for l in libs), libs
	PY
}

@test "ldcache: the library found only through the rebuilt ld.so.cache, its own floor against the tree's glibc" {
	out=$BATS_TEST_TMPDIR/out
	run_gm 0 run --build debian-bullseye-amd64 --build debian-trixie-amd64 --run debian-bullseye-amd64 \
		--run debian-trixie-amd64 --method ldcache --method container --rootfs bullseye \
		--rootfs trixie --rootfs busybox --case extlib --case hello --out "$out"
	assert_contains "$output" "0 mismatches"
	# Only the case with a library gets ldcache cells.
	[ "$(count "$out" ldcache)" -eq 12 ]
	[ "$(cell "$out" extlib debian-bullseye-amd64 debian-bullseye-amd64 ldcache bullseye)" = "ok ok 2.31 " ]
	# The library built on trixie starts a thread: pthread_create@GLIBC_2.34, not in bullseye.
	[ "$(cell "$out" extlib debian-bullseye-amd64 debian-trixie-amd64 ldcache bullseye)" = \
		"symbol-version symbol-version - GLIBC_2.34" ]
	[ "$(cell "$out" extlib debian-bullseye-amd64 debian-trixie-amd64 ldcache trixie)" = "ok ok 2.41 " ]
	# Without the injection and the cache the tree has no such library.
	read -r pred obs _ detail <<<"$(cell "$out" extlib debian-bullseye-amd64 rootfs-trixie container trixie)"
	[ "$pred $obs $detail" = "missing-library missing-library libgmext.so.1" ]
	run_gm 2 check /bin/true --against debian-trixie-amd64 --method ldcache --rootfs bullseye
	assert_contains "$output" "method ldcache injects a probe's own library; use run"
}

@test "a third-party hook that injects libc.so.6 alone fails the gate with mixed-glibc cells" {
	out=$BATS_TEST_TMPDIR/out
	hook=$BATS_TEST_DIRNAME/fixtures/hooks/libc-only-hook
	run_gm 1 run --build debian-bookworm-amd64 --run debian-trixie-amd64 --method inject \
		--rootfs bullseye --case hello --case threads --hook "$hook" --out "$out"
	# the two probes, and the image's own dynamic programs the hook broke
	python3 - "$out/results.json" <<-'PY'
	import json, sys
	cells = json.load(open(sys.argv[1]))["cells"]
	probes = [c for c in cells if not c["subject"].startswith("image:")]
	assert sum(c["mismatch"] for c in probes) == 2, probes
	own = [c for c in cells if c["subject"].startswith("image:")]
	assert own and all(c["image"]["intact"] < c["image"]["programs"] for c in own), own
	assert any(c["observed"]["outcome"] == "mixed-glibc" for c in own), own
	PY
	[ "$(cell "$out" hello debian-bookworm-amd64 debian-trixie-amd64 inject bullseye | cut -d' ' -f1-2)" = \
		"ok mixed-glibc" ]
	# check gates a hook's release on somebody's own binary the same way.
	cc -O2 -o "$BATS_TEST_TMPDIR/hello" -x c - <<<'int main(void) { return 0; }'
	run_gm 1 check "$BATS_TEST_TMPDIR/hello" --against debian-trixie-amd64 --method inject \
		--rootfs bullseye --hook "$hook" --out "$out.check"
	assert_contains "$output" "by inject in bullseye: mixed-glibc (GLIBC_2.35 of ld-linux-x86-64.so.2, required by libc.so.6)"
	# Our own hook named the same way passes the same gate.
	run_gm 0 run --build debian-bookworm-amd64 --run debian-trixie-amd64 --method inject \
		--rootfs bullseye --case hello --case threads --hook "$(dirname "$GM")/build/glibc-inject" \
		--out "$out.ours"
	assert_contains "$output" "0 mismatches"
}

@test "a hook that fails: the container does not start, the cells say why, nothing is left" {
	out=$BATS_TEST_TMPDIR/out
	run_gm 1 run --build debian-bookworm-amd64 --run debian-trixie-amd64 --method inject \
		--rootfs bullseye --case hello --hook "$BATS_TEST_DIRNAME/fixtures/hooks/failing-hook" --out "$out"
	read -r pred obs _ detail <<<"$(cell "$out" hello debian-bookworm-amd64 debian-trixie-amd64 inject bullseye)"
	[ "$pred $obs" = "ok exec-failed" ]
	assert_contains "$detail" "failing-hook: refusing on purpose"
	[ -z "$(our_containers)" ]
	run_gm 2 run --method inject --hook /nonexistent/hook
	assert_contains "$output" "--hook '/nonexistent/hook': not an executable file"
	run_gm 2 run --method loader --rootfs bullseye
	assert_contains "$output" "--rootfs: no container method is selected"
	run_gm 2 run --method container --rootfs nosuchtree
	assert_contains "$output" "no root filesystem 'nosuchtree'"
}

@test "container cells are skipped with the reason where no OCI runtime works" {
	out=$BATS_TEST_TMPDIR/out
	# Its only cell skipped: nothing ran (77), unless --allow-empty.
	GLIBC_MATRIX_OCI_RUNTIME=/bin/false run_gm 77 run --build debian-bookworm-amd64 \
		--method container --rootfs bullseye --case hello --out "$out.77"
	assert_contains "$output" "no cell ran: all 1 were skipped"
	GLIBC_MATRIX_OCI_RUNTIME=/bin/false run_gm 0 run --build debian-bookworm-amd64 \
		--method container --rootfs bullseye --case hello --out "$out" --allow-empty
	python3 - "$out" <<-'PY'
	import json, sys
	cells = json.load(open(sys.argv[1] + "/results.json"))["cells"]
	assert len(cells) == 1 and cells[0]["observed"]["outcome"] == "skipped", cells
	assert "no OCI runtime works here" in cells[0]["observed"]["detail"], cells[0]
	PY
}

@test "check --policy: the Sarus-like policy passes with our hook and fails with a libc-only one, naming the rule" {
	local d=$BATS_TEST_TMPDIR policy=$TOP/ci/policies/sarus-hook.policy
	printf '#include <stdio.h>\nint main(void) { puts("hi"); return 0; }\n' >"$d/hi.c"
	cc -o "$d/hi" "$d/hi.c" # the host's 2.36: needs GLIBC_2.34, older than bullseye's
	run_gm 0 check "$d/hi" --against trixie -m inject --rootfs all --policy "$policy" --out "$d/a"
	assert_contains "$output" "policy: 0 violations, 1 allowed failure"
	assert_contains "$output" "by inject in busybox: exec-failed (no glibc in the tree to replace)"
	# A hook that injects libc.so.6 alone: every older tree is a mixed glibc.
	run_gm 1 check "$d/hi" --against trixie -m inject --rootfs all \
		--hook "$BATS_TEST_DIRNAME/fixtures/hooks/libc-only-hook" --policy "$policy" --out "$d/b"
	assert_contains "$output" "FAIL $d/hi on debian-trixie-amd64 by inject in bullseye: mixed-glibc (required by line 7)"
	assert_contains "$output" "FAIL $d/hi on debian-trixie-amd64 by inject in bookworm: mixed-glibc (required by line 8)"
	# A method the policy requires that the run did not cover fails too.
	run_gm 1 check "$d/hi" --against trixie -m inject --rootfs trixie --policy "$policy" --out "$d/c"
	assert_contains "$output" "FAIL line 7 requires * by inject against debian-trixie-amd64 in bullseye: no cell of this run matches it"
}

@test "check --policy: the Toolbx-like policy: /run/host with the host's own glibc works in every tree" {
	local d=$BATS_TEST_TMPDIR policy=$TOP/ci/policies/toolbx.policy
	printf '#include <stdio.h>\nint main(void) { puts("hi"); return 0; }\n' >"$d/hi.c"
	cc -o "$d/hi" "$d/hi.c"
	run_gm 0 check "$d/hi" --against host -m toolbox -m loader --rootfs all --policy "$policy" \
		--out "$d/a"
	assert_contains "$output" "policy: 0 violations"
	python3 - "$d/a/results.json" <<-'PY'
	import json, sys
	cells = [c for c in json.load(open(sys.argv[1]))["cells"]
	         if c["method"] == "toolbox" and not c["subject"].startswith("image:")]
	# Every tree of this machine's recipes (the store may hold more: imports).
	want = {"bookworm", "bullseye", "busybox", "sid", "trixie", "bullseye-libc6", "bookworm-libc6",
	        "trixie-libc6"}
	assert want <= {c["rootfs"] for c in cells}, cells
	assert all(c["observed"]["outcome"] == "ok" and not c["mismatch"] for c in cells), cells
	PY
	run_gm 1 check "$d/hi" --against host -m loader --policy "$policy" --out "$d/b"
	assert_contains "$output" "FAIL line 7 requires * by toolbox against * in *: no cell of this run matches it"
}

@test "check --policy: a malformed policy is exit 2 naming the file, the line and the cause" {
	local d=$BATS_TEST_TMPDIR
	printf 'require * by loader against *\nallow * by env against *\n' >"$d/p"
	run_gm 2 check /usr/bin/true --against host --policy "$d/p"
	assert_contains "$output" "$d/p:2: an allow rule needs a reason after ': '"
	printf '# ok\n\nrequire * by loader\n' >"$d/p"
	run_gm 2 check /usr/bin/true --against host --policy "$d/p"
	assert_contains "$output" "$d/p:3: want SUBJECT by METHODS against RUN"
	printf 'must * by loader against *\n' >"$d/p"
	run_gm 2 check /usr/bin/true --against host --policy "$d/p"
	assert_contains "$output" "$d/p:1: a line starts with require, allow or default"
	run_gm 2 check /usr/bin/true --against host --policy "$d/none"
}

@test "inject --against host (Sarus's case): this host's glibc goes into bullseye though libnsl2 and libnss-systemd sit beside it" {
	# Libraries named like glibc's that are not glibc's: the glibc set is
	# chosen by exact sonames, so neither is taken in (two files of
	# soname libnsl.so.2 were refused by the hook before).
	[ -e "/usr/lib/$(gcc -dumpmachine)/libnsl.so.2" ]
	[ -e "/usr/lib/$(gcc -dumpmachine)/libnss_systemd.so.2" ]
	local d=$BATS_TEST_TMPDIR ver
	ver=$(getconf GNU_LIBC_VERSION | cut -d' ' -f2)
	# Exits 0 only on this host's glibc; pthread_create@GLIBC_2.34 keeps
	# it from loading on bullseye's own 2.31.
	printf '#include <gnu/libc-version.h>\n#include <pthread.h>\n#include <string.h>\nstatic void *f(void *a){return a;}\nint main(void){pthread_t t; pthread_create(&t, 0, f, 0); pthread_join(t, 0); return strcmp(gnu_get_libc_version(), "%s") != 0;}\n' "$ver" >"$d/hostver.c"
	gcc -O1 -o "$d/hostver" "$d/hostver.c" -pthread
	run_gm 0 check "$d/hostver" /usr/bin/dash --against host --method inject --rootfs bullseye \
		--out "$d/out"
	# both, and the image's own programs beside them, ok
	assert_contains "$output" " 0 mismatches"
	python3 - "$d/out/results.json" <<-'PY'
	import json, sys
	cells = json.load(open(sys.argv[1]))["cells"]
	assert len([c for c in cells if not c["subject"].startswith("image:")]) == 2, cells
	assert all(c["observed"]["outcome"] == "ok" for c in cells), cells
	PY
}
