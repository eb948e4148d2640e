#!/usr/bin/env bats
# Real images as root filesystems (rootfs import): an image built here by
# podman from the bookworm tree plus a layer that deletes a file, replaces
# one and makes a directory opaque, saved as oci-archive, docker-archive and
# an OCI directory, and taken from podman's own store; each imported tree
# equals what podman mounts for the image, byte for byte.  Hostile archives
# (a "../" entry, a file through an absolute symbolic link, a hard link out
# of the tree, blobs that do not match their digests) are refused with
# exit 2 and write nothing outside the store.  The imported tree then runs
# the image's own programs (rootfs exec) and a real program by the
# container method of check.  Also `rootfs build --with`.
# The imports go to a store of this file's own: a tree left in the shared
# store would join every `--rootfs all` of the other suites.

load helpers

# pm ARGS...: podman with a store of this file's own.  The overlay driver:
# a directory removed and made again in a container is what makes podman
# write an opaque whiteout (.wh..wh..opq) in the committed layer.
pm() {
	podman --cgroup-manager=cgroupfs --runtime=runc --storage-driver=overlay \
		--root "$BATS_FILE_TMPDIR/podman/root" --runroot "$BATS_FILE_TMPDIR/podman/run" "$@" 3>&-
}

# The mount points glibc-matrix adds to every tree it publishes.
IGNORE=(--ignore gm --ignore gm-batch --ignore proc --ignore dev --ignore sys --ignore tmp)

setup_file() {
	require_tool mmdebstrap mmdebstrap
	require_tool podman podman
	# The bookworm tree of the shared store (a cache hit after its first build).
	"$GM" --quiet rootfs build bookworm 3>&- || return 1
	local tar=$GLIBC_MATRIX_STORE/rootfs/bookworm/rootfs.tar d=$BATS_FILE_TMPDIR c m
	export GLIBC_MATRIX_STORE=$d/store
	mkdir -p "$GLIBC_MATRIX_STORE"
	pm import -q "$tar" gm-base >/dev/null || return 1
	c=$(pm create gm-base /bin/true) || return 1
	m=$(pm mount "$c") || return 1
	# The second layer: a deleted file, a replaced file, an opaque directory.
	rm "$m/etc/issue"
	printf 'replaced by the second layer\n' >"$m/etc/motd"
	rm -rf "$m/usr/share/doc/bash"
	mkdir "$m/usr/share/doc/bash"
	printf 'new\n' >"$m/usr/share/doc/bash/NEW"
	pm umount "$c" >/dev/null
	pm commit -q "$c" gm-image >/dev/null || return 1
	pm rm "$c" >/dev/null
	pm save -q --format oci-archive -o "$d/image-oci.tar" gm-image || return 1
	pm save -q --format docker-archive -o "$d/image-docker.tar" gm-image || return 1
	pm save -q --format oci-dir -o "$d/image-dir" gm-image || return 1
}

teardown_file() {
	pm image umount -a >/dev/null 2>&1 || true
	pm rmi -af >/dev/null 2>&1 || true
}

# The podman view of gm-image, mounted until teardown_file.
image_root() {
	pm image mount gm-image
}

@test "image: podman's second layer has the whiteouts it is meant to test" {
	local d=$BATS_FILE_TMPDIR/layers
	mkdir -p "$d"
	tar -xf "$BATS_FILE_TMPDIR/image-docker.tar" -C "$d"
	local layer
	layer=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))[0]["Layers"][-1])' "$d/manifest.json")
	run tar -tf "$d/$layer"
	echo "$output"
	assert_contains "$output" "etc/.wh.issue"
	assert_contains "$output" "usr/share/doc/bash/.wh..wh..opq"
	assert_contains "$output" "etc/motd"
}

@test "rootfs import: oci-archive, docker-archive, oci dir and podman image each equal what podman mounts" {
	local root src
	root=$(image_root)
	for src in "oci-archive:$BATS_FILE_TMPDIR/image-oci.tar" \
		"docker-archive:$BATS_FILE_TMPDIR/image-docker.tar" "oci:$BATS_FILE_TMPDIR/image-dir" \
		podman:gm-image; do
		local name=img-${src%%:*}
		run_gm 0 rootfs import "$name" "$src" \
			--podman-opt=--storage-driver=overlay --podman-opt=--cgroup-manager=cgroupfs \
			--podman-opt=--root="$BATS_FILE_TMPDIR/podman/root" \
			--podman-opt=--runroot="$BATS_FILE_TMPDIR/podman/run"
		assert_contains "$output" "$name: glibc 2.36 imported"
		# Device nodes are left out of every tree (the runtime makes /dev).
		run python3 "$TOP/tests/tree-diff.py" "${IGNORE[@]}" --no-devices "$root" \
			"$GLIBC_MATRIX_STORE/rootfs/$name/root"
		echo "$output"
		[ "$status" -eq 0 ]
		assert_contains "$output" " 0 differences"
	done
	# What the second layer did, seen in the tree.
	local t=$GLIBC_MATRIX_STORE/rootfs/img-oci-archive/root
	[ ! -e "$t/etc/issue" ] && [ -e "$root/etc/os-release" ]
	[ "$(cat "$t/etc/motd")" = "replaced by the second layer" ]
	[ "$(ls -A "$t/usr/share/doc/bash")" = NEW ]
	# Merged-/usr as the bookworm image is, and a manifest like a built tree's.
	[ "$(readlink "$t/lib")" = usr/lib ]
	run_gm 0 rootfs list --json
	python3 - "$output" <<-'EOF'
		import json, sys
		trees = {t["name"]: t for t in json.loads(sys.argv[1])}
		t = trees["img-oci-archive"]
		assert t["variant"] == "image" and t["glibc_version"] == "2.36", t
		assert t["source"].startswith("oci-archive:") and t["usr"] == "merged", t
		assert t["libc"].endswith("/x86_64-linux-gnu/libc.so.6"), t
		# One image, one key (its manifest's digest), whichever way it came.
		assert trees["img-podman"]["key"] == trees["img-oci"]["key"] == t["key"], trees
	EOF
}

@test "rootfs import: the image's own programs run in it, and check --rootfs runs ls by the container method with 0 mismatches" {
	require_runtime
	run_gm 0 rootfs import img oci-archive:"$BATS_FILE_TMPDIR/image-oci.tar"
	run_gm 0 rootfs exec img -- /bin/sh -c 'ls / >/dev/null && /sbin/ldconfig -p | head -n 1 && apt-get --version | head -n 1 && cat /etc/motd'
	assert_contains "$output" "libs found in cache"
	assert_contains "$output" "apt 2."
	assert_contains "$output" "replaced by the second layer"
	"$GM" --quiet sysroot import bookworm 3>&- >/dev/null
	run_gm 0 check /usr/bin/ls --against bookworm -m container --rootfs img --out "$BATS_TEST_TMPDIR/out"
	assert_contains "$output" "1 cells"
	assert_contains "$output" "1 ok, 0 mismatches"
	# The routes that change the image, with its own programs counted:
	# trixie's glibc injected into this bookworm image keeps it intact.
	"$GM" --quiet sysroot import trixie 3>&- >/dev/null
	run_gm 0 check /usr/bin/ls --against trixie -m inject -m toolbox --rootfs img \
		--out "$BATS_TEST_TMPDIR/inj"
	assert_contains "$output" "0 mismatches"
	python3 - "$BATS_TEST_TMPDIR/inj/results.json" <<-'EOF'
		import json, sys
		cells = json.load(open(sys.argv[1]))["cells"]
		ls = [c for c in cells if c["subject"] == "/usr/bin/ls"]
		own = [c for c in cells if c["subject"].startswith("image:")]
		assert len(ls) == 2 and all(c["observed"]["outcome"] == "ok" for c in ls), ls
		assert {"image:/bin/sh", "image:/bin/ls", "image:/usr/bin/apt-get"} <= {c["subject"] for c in own}, own
		assert all(c["image"]["intact"] == c["image"]["programs"] >= 3 for c in ls), ls
	EOF
}

# forge KIND OUT SPEC...: a two-layer image (a harmless base, then a layer
# of SPEC entries: tests/image-forge.py layer) in KIND (oci, docker).
forge() {
	local kind=$1 out=$2 d=$BATS_TEST_TMPDIR
	shift 2
	python3 "$TOP/tests/image-forge.py" layer "$d/base.tar" d:etc f:etc/a:hello
	python3 "$TOP/tests/image-forge.py" layer "$d/evil.tar" "$@"
	python3 "$TOP/tests/image-forge.py" "$kind" "$out" "$d/base.tar" "$d/evil.tar" ${LIE:+--lie "$LIE"}
}

# refused NAME SOURCE MESSAGE: the import fails with exit 2 and MESSAGE,
# nothing of it is listed or left in the store's build directory.
refused() {
	run_gm 2 rootfs import "$1" "$2"
	assert_contains "$output" "$3"
	[ ! -e "$GLIBC_MATRIX_STORE/rootfs/$1" ]
	[ -z "$(ls -A "$GLIBC_MATRIX_STORE/build" 2>/dev/null)" ]
}

@test "rootfs import: hostile archives are refused with exit 2 and nothing is written outside the store" {
	local d=$BATS_TEST_TMPDIR kind
	# A host directory an absolute link in the image names; a host file a
	# "../" entry would reach from the tree.
	mkdir -p "$d/host"
	for kind in oci docker; do
		forge $kind "$d/dotdot.tar" "f:../../../../../../../$d/host/escaped:x"
		refused hostile $kind-archive:"$d/dotdot.tar" "leaves the tree ('..')"
		forge $kind "$d/link.tar" "l:evil:$d/host" "f:evil/through:x"
		refused hostile $kind-archive:"$d/link.tar" "entry 'evil/through' goes through the symbolic link 'evil'"
		forge $kind "$d/hard.tar" "h:hl:../../../../../../etc/passwd"
		refused hostile $kind-archive:"$d/hard.tar" "is a hard link to '../../../../../../etc/passwd', which leaves the tree"
		LIE=2 forge $kind "$d/lie.tar" f:etc/b:x
		refused hostile $kind-archive:"$d/lie.tar" "has digest sha256:"
	done
	[ -z "$(ls -A "$d/host")" ]
	# The outer archive: an entry that is not a plain file name, a file
	# that is not JSON where JSON is due.
	python3 - "$d/odd.tar" <<-'EOF'
		import io, sys, tarfile
		with tarfile.open(sys.argv[1], "w") as t:
		    ti = tarfile.TarInfo("../index.json"); ti.size = 2
		    t.addfile(ti, io.BytesIO(b"{}"))
	EOF
	refused hostile oci-archive:"$d/odd.tar" "entry '../index.json' is not a name an image archive has"
	printf 'not json' >"$d/index.json"
	tar -cf "$d/notjson.tar" -C "$d" index.json
	refused hostile oci-archive:"$d/notjson.tar" "index.json is not valid JSON"
	# An absolute name is re-rooted: it lands inside the tree.
	forge oci "$d/abs.tar" "f:/$d/host/abs:x"
	run_gm 0 rootfs import absolute oci-archive:"$d/abs.tar"
	[ -f "$GLIBC_MATRIX_STORE/rootfs/absolute/root/$d/host/abs" ]
	[ -z "$(ls -A "$d/host")" ]
}

@test "rootfs import: bad sources and names are exit 2 with the cause" {
	run_gm 2 rootfs import x nosuchkind:/tmp
	assert_contains "$output" "unknown kind 'nosuchkind'"
	run_gm 2 rootfs import x oci-archive:"$BATS_TEST_TMPDIR/none.tar"
	assert_contains "$output" "is not a file"
	run_gm 2 rootfs import x oci:"$BATS_TEST_TMPDIR/none"
	assert_contains "$output" "is not a directory"
	run_gm 2 rootfs import ../x oci:/tmp
	assert_contains "$output" "not a valid root filesystem name"
	run_gm 2 rootfs import x
	run_gm 2 rootfs import x podman:gm-no-such-image --podman-opt=--storage-driver=overlay \
		--podman-opt=--root="$BATS_FILE_TMPDIR/podman/root" \
		--podman-opt=--runroot="$BATS_FILE_TMPDIR/podman/run"
	assert_contains "$output" "podman save failed"
	run_gm 0 rootfs import --help
	assert_contains "$output" "docker-archive:FILE"
}

@test "rootfs build --with: the packages are in the tree and its manifest, and a later build keeps them" {
	run_gm 0 rootfs build trixie-libc6 --with zlib1g
	ls "$GLIBC_MATRIX_STORE"/rootfs/trixie-libc6/root/usr/lib/x86_64-linux-gnu/libz.so.1
	run_gm 0 rootfs list --json
	python3 - "$output" <<-'EOF'
		import json, sys
		t = {t["name"]: t for t in json.loads(sys.argv[1])}["trixie-libc6"]
		assert t["with"] == ["zlib1g"] and "zlib1g" in t["packages"], t
	EOF
	run_gm 0 rootfs build trixie-libc6
	assert_contains "$output" "cached"
	run_gm 2 rootfs build busybox --with zlib1g
	assert_contains "$output" "not a Debian tree"
	run_gm 2 rootfs build trixie-libc6 --with 'bad name'
	run_gm 2 rootfs build --all --with zlib1g
}
