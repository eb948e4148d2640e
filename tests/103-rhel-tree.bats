#!/usr/bin/env bats
# A tree in Red Hat's layout (issue 24 item 3): glibc 2.28 (RHEL 8's
# version) built from upstream source with --prefix=/usr and installed into
# a merged tree, so its loader and libraries are in /usr/lib64 behind
# /lib64 and it searches there, not in Debian's multiarch directories;
# ld.so.conf includes ld.so.conf.d; the host's busybox is the shell.  The
# container routes run there through the real OCI runtime: the tree's own
# glibc, our hook injecting a newer one (and libc.so.6 alone, the negative
# control), Toolbx's /run/host and a library registered in ld.so.cache,
# with the image's own getconf judged after each, all as predicted.

load helpers

setup_file() {
	require_tool mmdebstrap mmdebstrap
	ensure_sysroot debian-bullseye-amd64 import bullseye
	ensure_sysroot debian-bookworm-amd64 import bookworm
	# The glibc 2.28 release comes from the local glibc source directory
	# (../shared/glibc-src beside the checkout), as in tests/full/130;
	# without it (and no tree built before) every test skips (setup).
	local src=${GLIBC_MATRIX_GLIBC_SRC:-$TOP/../shared/glibc-src}
	[ -d "$GLIBC_MATRIX_STORE/rootfs/rhel8-style" ] || [ -f "$src/glibc-2.28.tar.xz" ] || return 0
	sha256sum "$(readlink -f /lib64/ld-linux-x86-64.so.2)" \
		"$(readlink -f /lib/x86_64-linux-gnu/libc.so.6)" >"$BATS_FILE_TMPDIR/host-glibc.sha256"
	"$GM" --quiet rootfs build rhel8-style 3>&- || return 1
}

setup() {
	TREE=$GLIBC_MATRIX_STORE/rootfs/rhel8-style/root
	[ -d "$TREE" ] || skip_fact no-glibc-src "glibc-2.28.tar.xz"
}

# cells OUT: "SUBJECT BUILD METHOD PREDICTED OBSERVED IMAGE STDOUT" per cell
# of the tree (stdout's first line, spaces as _).
cells() {
	python3 - "$1/results.json" <<-'PY'
	import json, sys
	for c in json.load(open(sys.argv[1]))["cells"]:
	    if c.get("rootfs") != "rhel8-style":
	        continue
	    i, o = c.get("image"), c["observed"]
	    out = (o.get("stdout") or "-").split("\n")[0].replace(" ", "_") or "-"
	    print(c["subject"], c["build"], c["method"], c["predicted"]["outcome"], o["outcome"],
	          "%d/%d" % (i["intact"], i["programs"]) if i else "-", out)
	PY
}

@test "rhel8-style: glibc 2.28 in /usr/lib64 behind /lib64, its loader searches there, ld.so.conf and cache; the host's glibc untouched" {
	# The build ran confined: whatever its install did, the host's loader
	# and libc are the files they were.
	sha256sum -c --quiet "$BATS_FILE_TMPDIR/host-glibc.sha256"
	run_gm 0 rootfs list --json
	[ "$(json_field "$output" '[r["glibc_version"] + " " + r["libc"] + " " + r["usr"] + " " + r["variant"] for r in d if r["name"] == "rhel8-style"][0]')" = \
		"2.28 /usr/lib64/libc-2.28.so merged glibc" ]
	[ "$(readlink "$TREE/lib64")" = usr/lib64 ]
	[ "$(readlink "$TREE/bin")" = usr/bin ]
	[ -f "$TREE/usr/lib64/libc-2.28.so" ]
	[ ! -e "$TREE/usr/lib/x86_64-linux-gnu" ] && [ ! -e "$TREE/usr/include" ]
	[ -z "$(find "$TREE/usr/lib64/" -maxdepth 1 -name '*.a')" ]
	[ "$(cat "$TREE/etc/ld.so.conf")" = "include ld.so.conf.d/*.conf" ]
	# The loader was configured for /lib64 and /usr/lib64 (the system
	# directories compiled into it), not Debian's multiarch ones.
	strings "$TREE/usr/lib64/ld-2.28.so" | grep -qx '/usr/lib64/'
	[ "$(strings "$TREE/usr/lib64/ld-2.28.so" | grep -cx '/\(usr/\)\?lib/x86_64-linux-gnu/')" -eq 0 ]
	[ "$(strings /lib64/ld-linux-x86-64.so.2 | grep -cx '/\(usr/\)\?lib/x86_64-linux-gnu/')" -ge 2 ]
	# In a container: its own getconf on its own glibc, its ldconfig's cache
	# lists libc in /usr/lib64 (through the /lib64 link), and its loader
	# finds libm without any cache (the compiled-in directories).
	require_runtime
	run_gm 0 rootfs exec rhel8-style -- /usr/bin/getconf GNU_LIBC_VERSION
	[ "$output" = "glibc 2.28" ]
	run_gm 0 rootfs exec rhel8-style -- /sbin/ldconfig -p
	[[ "$output" =~ libc\.so\.6\ \(libc6,x86-64[^\)]*\)\ =\>\ /(usr/)?lib64/libc\.so\.6 ]]
	run_gm 0 rootfs exec rhel8-style -- /lib64/ld-linux-x86-64.so.2 --inhibit-cache --list /usr/bin/getconf
	assert_contains "$output" "libc.so.6 => /lib64/libc.so.6"
}

@test "rhel8-style: the container routes run the probes and the image's getconf as predicted: 0 mismatches" {
	require_runtime
	local out=$BATS_TEST_TMPDIR/out
	run_gm 0 run --case hello --case threads --case nss-getpwnam --case iconv \
		--build debian-bullseye-amd64 --build debian-bookworm-amd64 --run debian-bookworm-amd64 \
		--rootfs rhel8-style -m container -m inject -m inject-libc-only -m toolbox --out "$out"
	assert_contains "$output" " 0 mismatches"
	run cells "$out"
	echo "$output"
	# The tree's own 2.28: bullseye's probes run on it, bookworm's need 2.34.
	assert_contains "$output" "hello debian-bullseye-amd64 container ok ok - glibc=2.28"
	assert_contains "$output" "threads debian-bookworm-amd64 container symbol-version symbol-version"
	# Our hook finds the glibc in /usr/lib64 and replaces it with bookworm's
	# 2.36: bookworm's probes run, and so does the image's getconf, which
	# reports the injected glibc.
	assert_contains "$output" "threads debian-bookworm-amd64 inject ok ok 4/4 glibc=2.36"
	assert_contains "$output" "nss-getpwnam debian-bookworm-amd64 inject ok ok 4/4 glibc=2.36"
	assert_contains "$output" "image:/usr/bin/getconf None inject ok ok 4/4 glibc_2.36"
	# What injection into another layout breaks: Debian's libc looks for its
	# gconv modules in /usr/lib/x86_64-linux-gnu/gconv, which this tree does
	# not have (its own are in /usr/lib64/gconv): iconv_open fails.
	assert_contains "$output" "iconv debian-bookworm-amd64 inject failed failed 4/4"
	grep -q "gconv module ISO8859-15.so not in the running libc's gconv directory" "$out/results.json"
	# libc.so.6 alone breaks the image's dynamic getconf (busybox is static).
	assert_contains "$output" "image:/usr/bin/getconf None inject-libc-only mixed-glibc mixed-glibc 3/4"
	assert_contains "$output" "image:/bin/sh None inject-libc-only ok ok 3/4"
	# Toolbx: the host's loader and libraries at /run/host; the image's own
	# getconf stays on the tree's glibc.
	assert_contains "$output" "threads debian-bookworm-amd64 toolbox ok ok 4/4 glibc=2.36"
	assert_contains "$output" "iconv debian-bookworm-amd64 toolbox ok ok"
	assert_contains "$output" "image:/usr/bin/getconf None toolbox ok ok 4/4 glibc_2.28"
}

@test "rhel8-style: ldcache registers a library in the tree's own ld.so.cache, beside /usr/lib64" {
	require_runtime
	local out=$BATS_TEST_TMPDIR/out
	run_gm 0 run --case extlib --build debian-bullseye-amd64 --run debian-bookworm-amd64 \
		--rootfs rhel8-style -m ldcache --out "$out"
	assert_contains "$output" " 0 mismatches"
	run cells "$out"
	echo "$output"
	# The case's library, built on bookworm, needs pthread_create@GLIBC_2.34,
	# which the tree's 2.28 lacks; the hook's cache (the host's ldconfig,
	# whose own directories are Debian's) lists only the injected library,
	# and the tree's loader still finds its glibc in /lib64 by itself.
	assert_contains "$output" "extlib debian-bullseye-amd64 ldcache symbol-version symbol-version"
	assert_contains "$output" "image:/usr/bin/getconf None ldcache ok ok 4/4 glibc_2.28"
	assert_contains "$output" "image:/sbin/ldconfig None ldcache ok ok 4/4 1_libs_found_in_cache"
}
