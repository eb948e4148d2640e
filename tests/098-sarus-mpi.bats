#!/usr/bin/env bats
# Sarus's MPI case with our hook (issue 23 item 3): a host library built
# on a newer glibc (here libgmmpi.so.12, calling pthread_create@GLIBC_2.34,
# standing in for the host's MPI) is injected with the glibc into an older
# image and found by the image's program through the rebuilt ld.so.cache
# (check --inject-lib).  The program, built for bullseye against a
# link-time copy of the same library built there (as MPI programs are built
# in their image), runs; where
# the glibc is not replaced (the image's is not older) the library's
# GLIBC_2.34 fails, as predicted.

load helpers

setup_file() {
	require_tool mmdebstrap mmdebstrap
	ensure_sysroot debian-bullseye-amd64 import bullseye
	ensure_sysroot debian-bookworm-amd64 import bookworm
	"$GM" --quiet rootfs build bullseye 3>&- || return 1
	local d=$BATS_FILE_TMPDIR
	mkdir -p "$d/linkwith"
	printf '#include <pthread.h>\nstatic void *f(void *a) { return a; }\nint gm_mpi_init(void) { pthread_t t; void *r; if (pthread_create(&t, 0, f, (void *)12)) return -1; pthread_join(t, &r); return (int)(long)r; }\n' >"$d/mpi.c"
	printf '#include <stdio.h>\nint gm_mpi_init(void);\nint main(void) { printf("mpi %%d\\n", gm_mpi_init()); return 0; }\n' >"$d/app.c"
	# The host's library, built on this machine's glibc.
	cc -shared -fPIC -Wl,-soname,libgmmpi.so.12 -o "$d/libgmmpi.so.12" "$d/mpi.c"
	# The image's program, linked for bullseye against its own build of it.
	local flags
	flags=$("$GM" flags --sysroot bullseye --portable 3>&-)
	# shellcheck disable=SC2086 # flags are words
	cc $flags -shared -fPIC -Wl,-soname,libgmmpi.so.12 -o "$d/linkwith/libgmmpi.so.12" "$d/mpi.c"
	# shellcheck disable=SC2086
	cc $flags -o "$d/app" "$d/app.c" "$d/linkwith/libgmmpi.so.12"
}

setup() {
	require_runtime
}

# cells OUT: "METHOD RUN PREDICTED OBSERVED" per cell of the program.
cells() {
	python3 - "$1/results.json" <<-'PY'
	import json, sys
	for c in json.load(open(sys.argv[1]))["cells"]:
	    if not c["subject"].startswith("image:"):
	        print(c["method"], c["run"], c["predicted"]["outcome"], c["observed"]["outcome"])
	PY
}

@test "MPI case: the host library and the newer glibc injected together run the image's program; alone, the library's GLIBC_2.34 fails" {
	local d=$BATS_FILE_TMPDIR out=$BATS_TEST_TMPDIR/out
	run objdump -T "$d/libgmmpi.so.12"
	assert_contains "$output" "GLIBC_2.34"
	run_gm 1 check "$d/app" --against bookworm --against bullseye --rootfs bullseye -m inject \
		--inject-lib "$d/libgmmpi.so.12" --out "$out"
	assert_contains "$output" "0 mismatches"
	run cells "$out"
	echo "$output"
	# bookworm's glibc replaces bullseye's (older): the library's needs are met.
	assert_contains "$output" "inject debian-bookworm-amd64 ok ok"
	# bullseye's own glibc stays (not older): the library is found through
	# the cache and refused for GLIBC_2.34.
	assert_contains "$output" "inject debian-bullseye-amd64 symbol-version symbol-version"
	run python3 -c 'import json,sys; print([c["observed"]["stdout"] for c in json.load(open(sys.argv[1]))["cells"] if c["run"] == "debian-bookworm-amd64" and not c["subject"].startswith("image:")])' "$out/results.json"
	assert_contains "$output" "mpi 12"
	# The hook was told to register it (the reproduce command carries it).
	run python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["cells"][0]["options"])' "$out/results.json"
	assert_contains "$output" "--inject-lib"
}

@test "--inject-lib: not a file, or with somebody else's hook, is a usage error" {
	run_gm 2 check "$BATS_FILE_TMPDIR/app" --against bookworm --rootfs bullseye -m inject \
		--inject-lib /nonexistent/libx.so.1 --out "$BATS_TEST_TMPDIR/o"
	assert_contains "$output" "--inject-lib '/nonexistent/libx.so.1': not a file"
	run_gm 2 check "$BATS_FILE_TMPDIR/app" --against bookworm --rootfs bullseye -m inject \
		--inject-lib "$BATS_FILE_TMPDIR/libgmmpi.so.12" --hook /bin/true --out "$BATS_TEST_TMPDIR/o"
	assert_contains "$output" "--inject-lib is for our hook"
}
