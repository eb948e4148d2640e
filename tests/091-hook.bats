#!/usr/bin/env bats
# glibc-inject, the OCI hook (build/glibc-inject), through a real runc and a
# hand-written bundle, and through podman with the hooks.d file `make hooks`
# writes: Debian trixie's glibc (2.41) injected into a bullseye tree (2.31),
# a libc alone (--partial) failing as a mixed glibc, newer and glibc-free
# trees left alone, a library registered in the container's ld.so cache,
# hostile trees whose links lead out of the root, and the hook's own
# refusals.  The store's trees are shared and never written: every
# container runs on an overlay (the test's upper layer takes every change),
# which the test unmounts.

load helpers

# The hook of this build (make check passes GLIBC_INJECT: build-asan/ with SANITIZE=1).
HOOK=${GLIBC_INJECT:-$TOP/build/glibc-inject}
TRIPLET=x86_64-linux-gnu

setup_file() {
	[ "$HOST_ARCH" = amd64 ] || skip_fact not-amd64
	[ -x "$HOOK" ] || { echo "# $HOOK is missing (make builds it)" >&2; return 1; }
	require_tool mmdebstrap mmdebstrap
	"$GM" --quiet rootfs build bullseye trixie busybox 3>&- || return 1
	ensure_sysroot debian-trixie-amd64 import trixie || return 1
	ensure_sysroot debian-bookworm-amd64 import bookworm || return 1
	# The test's programs, mounted read-only at /gm in every container.
	local d=$BATS_FILE_TMPDIR/gm l=$BATS_FILE_TMPDIR/lib
	mkdir -p "$d" "$l"
	# pthread_create@GLIBC_2.34: libpthread merged into libc in 2.34.
	printf '#include <pthread.h>\n#include <stdio.h>\nstatic void *f(void *a){return a;}\nint main(void){pthread_t t; pthread_create(&t, 0, f, 0); pthread_join(t, 0); puts("ran");return 0;}\n' >"$d/needs234.c"
	gcc -O1 -o "$d/needs234" "$d/needs234.c" -pthread
	objdump -T "$d/needs234" | grep -q 'GLIBC_2.34'
	# A library of our own (NVIDIA-style injection) and a program that
	# needs it by DT_NEEDED alone: no RUNPATH, no LD_LIBRARY_PATH.
	printf '#include <stdio.h>\nvoid gmhook_hello(void){puts("hello from libgmhook");}\n' >"$l/gmhook.c"
	gcc -O1 -shared -fPIC -Wl,-soname,libgmhook.so.1 -o "$l/libgmhook.so.1" "$l/gmhook.c"
	printf '#include <gnu/libc-version.h>\n#include <stdio.h>\nvoid gmhook_hello(void);\nint main(void){gmhook_hello(); printf("libc %%s\\n", gnu_get_libc_version()); return 0;}\n' >"$d/uselib.c"
	gcc -O1 -o "$d/uselib" "$d/uselib.c" "$l/libgmhook.so.1"
	[ -z "$(readelf -d "$d/uselib" | grep -E 'RPATH|RUNPATH')" ]
	# Static: the size of each file named, as the container sees it, or
	# with -w whether it can be opened for writing, with -c created.
	cat >"$d/fsize.c" <<-'EOF'
	#include <errno.h>
	#include <fcntl.h>
	#include <stdio.h>
	#include <string.h>
	#include <sys/stat.h>
	int main(int c, char **v)
	{
		struct stat s;
		if (c == 3 && strcmp(v[1], "-w") == 0) {
			int fd = open(v[2], O_WRONLY);
			printf("%s: %s\n", v[2], fd < 0 ? strerror(errno) : "writable");
			return 0;
		}
		if (c == 3 && strcmp(v[1], "-c") == 0) {
			int fd = open(v[2], O_WRONLY | O_CREAT | O_EXCL, 0644);
			printf("%s: %s\n", v[2], fd < 0 ? strerror(errno) : "created");
			return 0;
		}
		for (int i = 1; i < c; i++)
			if (stat(v[i], &s))
				printf("%s missing\n", v[i]);
			else
				printf("%s %lld\n", v[i], (long long)s.st_size);
		return 0;
	}
	EOF
	gcc -static -O1 -o "$d/fsize" "$d/fsize.c"
	# Does an OCI runtime run a container here at all?  (The driver's
	# detection, as 090 uses it; exit 77 carries the reason.)
	local rc=0
	"$GM" rootfs exec busybox -- /bin/true >"$BATS_FILE_TMPDIR/no-runc" 2>&1 3>&- || rc=$?
	[ "$rc" -eq 77 ] || rm -f "$BATS_FILE_TMPDIR/no-runc"
	command -v runc >/dev/null || echo "runc is not installed (ci/install-deps.sh)" >"$BATS_FILE_TMPDIR/no-runc"
	return 0
}

setup() {
	RUNC_ROOT=$BATS_TEST_TMPDIR/runc
	GM_DIR=$BATS_FILE_TMPDIR/gm
	LIB=$BATS_FILE_TMPDIR/lib/libgmhook.so.1
	LOG=$BATS_TEST_TMPDIR/hook.log
	GLIBC_LIBS=
	n_containers=0
}

teardown() {
	local id
	for id in $(runc --root "$RUNC_ROOT" list -q 2>/dev/null); do
		runc --root "$RUNC_ROOT" delete -f "$id" || true
	done
	if [ -f "$BATS_TEST_TMPDIR/overlays" ]; then
		tac "$BATS_TEST_TMPDIR/overlays" | while read -r m; do umount "$m"; done
	fi
}

skip_unless_runc() {
	[ ! -e "$BATS_FILE_TMPDIR/no-runc" ] || { require_tool runc runc && skip_fact no-oci-runtime "runc: $(tail -n 1 "$BATS_FILE_TMPDIR/no-runc")"; }
}

# mounts: the mount points of this machine, sorted (mountinfo field 5),
# but those of other users of this machine that come and go meanwhile:
# glibc-matrix's own containers (the store's bundles/) and other bats runs.
mounts() {
	awk -v store="$GLIBC_MATRIX_STORE/bundles/" -v own="${BATS_TEST_TMPDIR%/test/*}" \
		'{ m = $5 } index(m, store) != 1 && (index(m, "/tmp/bats-run-") != 1 || index(m, own) == 1) { print m }' \
		/proc/self/mountinfo | sort
}

# same TEXT-BEFORE TEXT-NOW: equal, else the difference is shown.
same() {
	diff <(echo "$1") <(echo "$2")
}

# upper NAME: the overlay's upper directory for tree NAME (prepare hostile
# entries there before `overlay NAME` mounts it).
upper() {
	mkdir -p "$BATS_TEST_TMPDIR/ov-$1/upper" "$BATS_TEST_TMPDIR/ov-$1/work" "$BATS_TEST_TMPDIR/ov-$1/root"
	echo "$BATS_TEST_TMPDIR/ov-$1/upper"
}

# overlay NAME [ro]: mounts a writable (or read-only) view of the store's
# tree NAME (lower, never written) and prints its path; teardown unmounts it.
overlay() {
	local d=$BATS_TEST_TMPDIR/ov-$1
	upper "$1" >/dev/null
	mount -t overlay overlay -o "${2:+$2,}lowerdir=$GLIBC_MATRIX_STORE/rootfs/$1/root,upperdir=$d/upper,workdir=$d/work" "$d/root" ||
		return 1
	echo "$d/root" >>"$BATS_TEST_TMPDIR/overlays"
	echo "$d/root"
}

jstr() {
	local s=${1//\\/\\\\}
	printf '"%s"' "${s//\"/\\\"}"
}

jarr() {
	local sep="" a
	printf '['
	for a in "$@"; do
		printf '%s%s' "$sep" "$(jstr "$a")"
		sep=", "
	done
	printf ']'
}

# write_config BUNDLE ROOT hook|- [HOOK-ARG...] -- PROG [ARG...]: an OCI
# config.json running PROG on ROOT with the test's programs at /gm; with
# "hook", glibc-inject is its createRuntime hook (or $HOOK_STAGE's) with
# HOOK-ARGs, --log $LOG and GLIBC_LIBS=$GLIBC_LIBS in its environment.
write_config() {
	local bundle=$1 root=$2 inject=$3 hookargs=()
	shift 3
	while [ "$1" != "--" ]; do hookargs+=("$1"); shift; done
	shift
	mkdir -p "$bundle"
	local hooks=""
	if [ "$inject" = hook ]; then
		hooks=", \"hooks\": {\"${HOOK_STAGE:-createRuntime}\": [{\"path\": $(jstr "$HOOK"), \"args\": $(jarr glibc-inject --log "$LOG" "${hookargs[@]}"), \"env\": $(jarr "GLIBC_LIBS=$GLIBC_LIBS")}]}"
	fi
	cat >"$bundle/config.json" <<-EOF
	{"ociVersion": "1.0.2",
	 "process": {"terminal": false, "user": {"uid": 0, "gid": 0}, "args": $(jarr "$@"),
	  "env": ["PATH=/usr/sbin:/usr/bin:/sbin:/bin"], "cwd": "/",
	  "rlimits": [{"type": "RLIMIT_NOFILE", "hard": 1024, "soft": 1024}], "noNewPrivileges": true},
	 "root": {"path": $(jstr "$root"), "readonly": false},
	 "hostname": "glibc-inject-test",
	 "mounts": [{"destination": "/proc", "type": "proc", "source": "proc"},
	  {"destination": "/dev", "type": "tmpfs", "source": "tmpfs", "options": ["nosuid", "mode=755", "size=1m"]},
	  {"destination": "/gm", "type": "bind", "source": $(jstr "${GM_DIR:-/nonexistent}"), "options": ["rbind", "ro", "nosuid", "nodev"]}],
	 "linux": {"namespaces": [{"type": "pid"}, {"type": "network"}, {"type": "ipc"}, {"type": "uts"}, {"type": "mount"}]}
	 $hooks}
	EOF
}

# run_in ROOT hook|- [HOOK-ARG...] -- PROG [ARG...]: runs PROG in a runc
# container on ROOT (see write_config); $output and $status are runc's
# (the program's, or runc's error when the hook failed), but 127 (the
# loader's "cannot open shared object file") is 227: bats 1.8 loses a test
# whose `run` ends with status 127.
run_in() {
	n_containers=$((n_containers + 1))
	local b=$BATS_TEST_TMPDIR/bundle-$n_containers
	write_config "$b" "$@"
	echo "\$ [$1] ${*:2}"
	run not127 timeout --foreground -v --kill-after=10 60 runc --root "$RUNC_ROOT" run \
		--bundle "$b" "gm-hook-$BATS_TEST_NUMBER-$n_containers" 3>&-
	echo "$output"
	[ ! -f "$LOG" ] || { echo "# hook log:"; cat "$LOG"; }
}

not127() {
	local rc=0
	"$@" || rc=$?
	[ "$rc" -ne 127 ] || rc=227
	return "$rc"
}

# glibc_set SYSROOT: the colon-separated glibc files of a sysroot: the files
# of its loader's directory named like sonames (lib*.so.N), but the GCC
# runtime Debian sysroots carry beside glibc (libgcc_s, libstdc++).
glibc_set() {
	local loader dir f out=""
	loader=$(sed -n 's/^ *"loader": "\(.*\)",*$/\1/p' "$GLIBC_MATRIX_STORE/sysroots/$1/sysroot.json")
	dir=${loader%/*}
	for f in "$loader" "$dir"/lib*.so.[0-9]*; do
		case ${f##*/} in libgcc_s.* | libstdc++.*) continue ;; esac
		out+=${out:+:}$f
	done
	echo "$out"
}

libc_sum() {
	sha256sum "$GLIBC_MATRIX_STORE/rootfs/$1/root/lib/$TRIPLET/libc.so.6" | cut -d' ' -f1
}

@test "inject: bullseye's loader runs trixie's libc (2.41), a GLIBC_2.34 program runs; without the hook 2.31 and the version error" {
	skip_unless_runc
	local root before store_sum
	store_sum=$(libc_sum bullseye)
	root=$(overlay bullseye)
	before=$(mounts)
	run_in "$root" - -- /lib64/ld-linux-x86-64.so.2 /lib/$TRIPLET/libc.so.6
	[ "$status" -eq 0 ]
	assert_contains "$output" "release version 2.31."
	run_in "$root" - -- /gm/needs234
	[ "$status" -ne 0 ]
	assert_contains "$output" "/lib/$TRIPLET/libc.so.6: version \`GLIBC_2.34' not found (required by /gm/needs234)"

	GLIBC_LIBS=$(glibc_set debian-trixie-amd64)
	run_in "$root" hook -- /lib64/ld-linux-x86-64.so.2 /lib/$TRIPLET/libc.so.6
	[ "$status" -eq 0 ]
	assert_contains "$output" "release version 2.41."
	assert_contains "$(cat "$LOG")" "glibc-inject: injected glibc 2.41 ($(tr : '\n' <<<"$GLIBC_LIBS" | wc -l) files) over glibc 2.31 in $root"
	run_in "$root" hook -- /gm/needs234
	[ "$status" -eq 0 ]
	[ "$output" = ran ]
	# The same as a prestart hook (the deprecated stage, run at the same
	# point by runc).
	HOOK_STAGE=prestart run_in "$root" hook -- /gm/needs234
	[ "$status" -eq 0 ]
	[ "$output" = ran ]
	grep -q '"prestart": \[{' "$BATS_TEST_TMPDIR/bundle-$n_containers/config.json"
	# The bind mounts are read-only (mount_setattr), the container is root.
	run_in "$root" hook -- /gm/fsize -w /lib/$TRIPLET/libc.so.6
	[ "$output" = "/lib/$TRIPLET/libc.so.6: Read-only file system" ]
	# The one file the set has and bullseye lacks is there, the host's,
	# in a scratch overlay on the directory: nothing of the injection
	# reaches the host, the store's tree or even the image (the test's
	# overlay upper layer stands for a plain directory bundle).
	local mdsize
	mdsize=$(stat -c %s "$GLIBC_MATRIX_STORE/sysroots/debian-trixie-amd64/usr/lib/$TRIPLET/libc_malloc_debug.so.0")
	run_in "$root" hook -- /gm/fsize /lib/$TRIPLET/libc_malloc_debug.so.0
	[ "$output" = "/lib/$TRIPLET/libc_malloc_debug.so.0 $mdsize" ]
	same "$before" "$(mounts)"
	[ "$(libc_sum bullseye)" = "$store_sum" ]
	[ -z "$(find "$BATS_TEST_TMPDIR/ov-bullseye/upper" -mindepth 1 -not -type d)" ]
	[ ! -e "$GLIBC_MATRIX_STORE/rootfs/bullseye/root/lib/$TRIPLET/libc_malloc_debug.so.0" ]
}

@test "a whole set of two files (loader, libc): each library of bullseye's glibc it lacks is one warning, left in place" {
	skip_unless_runc
	local root d
	root=$(overlay bullseye)
	d=$GLIBC_MATRIX_STORE/sysroots/debian-trixie-amd64/usr/lib/$TRIPLET
	GLIBC_LIBS=$d/ld-linux-x86-64.so.2:$d/libc.so.6
	run_in "$root" hook -- /gm/needs234
	[ "$status" -eq 0 ]
	[ "$output" = ran ]
	local w
	w=$(grep -c "warning: '/lib/$TRIPLET/lib.*' stays the container's glibc 2.31: the injected set has no" "$LOG")
	# libBrokenLocale anl dl m mvec nsl nss_compat nss_dns nss_files nss_hesiod pthread resolv rt thread_db util
	[ "$w" -eq 15 ]
	grep -q "warning: '/lib/$TRIPLET/libm.so.6' stays the container's glibc 2.31: the injected set has no libm.so.6 (a program using it mixes two glibcs)" "$LOG"
	assert_contains "$(cat "$LOG")" "injected glibc 2.41 (2 files) over glibc 2.31"
}

@test "a read-only tree (Sarus's squashfs images): every file is bound, the one it lacks in a read-only scratch overlay" {
	skip_unless_runc
	local root
	root=$(overlay bullseye ro)
	GLIBC_LIBS=$(glibc_set debian-trixie-amd64)
	run_in "$root" hook -- /gm/needs234
	[ "$status" -eq 0 ]
	[ "$output" = ran ]
	local n
	n=$(tr : '\n' <<<"$GLIBC_LIBS" | wc -l)
	assert_contains "$(cat "$LOG")" "injected glibc 2.41 ($n files) over glibc 2.31"
	# The directory stays read-only in the container.
	run_in "$root" hook -- /gm/fsize -c /lib/$TRIPLET/libgm-new.so.1
	[ "$output" = "/lib/$TRIPLET/libgm-new.so.1: Read-only file system" ]
	run_in "$root" hook -- /gm/fsize /lib/$TRIPLET/libc_malloc_debug.so.0
	assert_contains "$output" "/lib/$TRIPLET/libc_malloc_debug.so.0 "
	[ -z "$(ls -A "$BATS_TEST_TMPDIR/ov-bullseye/upper")" ]
	# A --lib: its directory and file are made in a scratch overlay on the
	# deepest directory the tree has, read-only too; the image is untouched.
	rm -f "$LOG"
	run_in "$root" hook --lib "$LIB" -- /gm/fsize /usr/local/lib/glibc-inject/libgmhook.so.1
	[ "$status" -eq 0 ]
	[ "$output" = "/usr/local/lib/glibc-inject/libgmhook.so.1 $(stat -c %s "$LIB")" ]
	[ -z "$(ls -A "$BATS_TEST_TMPDIR/ov-bullseye/upper")" ]
}

@test "--partial with libc.so.6 alone: bullseye's loader and trixie's libc fail as a mixed glibc; without --partial refused" {
	skip_unless_runc
	local root before
	root=$(overlay bullseye)
	before=$(mounts)
	GLIBC_LIBS=$GLIBC_MATRIX_STORE/sysroots/debian-trixie-amd64/usr/lib/$TRIPLET/libc.so.6
	run_in "$root" hook -- /gm/needs234
	[ "$status" -ne 0 ]
	assert_contains "$(cat "$LOG")" "error: the glibc set: the glibc set lacks ld-linux-x86-64.so.2: a loader and a libc.so.6 of two builds are a mixed glibc"
	[ -z "$(ls -A "$BATS_TEST_TMPDIR/ov-bullseye/upper")" ]
	rm -f "$LOG"
	run_in "$root" hook --partial -- /gm/needs234
	[ "$status" -ne 0 ]
	# The 2.41 libc needs a node of its own loader that 2.31's lacks.
	assert_contains "$output" "/lib64/ld-linux-x86-64.so.2: version \`GLIBC_2.35' not found (required by /lib/$TRIPLET/libc.so.6)"
	assert_contains "$(cat "$LOG")" "warning: '/lib/$TRIPLET/ld-linux-x86-64.so.2' stays the container's glibc 2.31"
	assert_contains "$(cat "$LOG")" "injected glibc 2.41 (1 file) over glibc 2.31"
	same "$before" "$(mounts)"
}

@test "not older: trixie (2.41) keeps its glibc against bookworm's (2.36); busybox (no glibc) is left untouched" {
	skip_unless_runc
	local root
	root=$(overlay trixie)
	GLIBC_LIBS=$(glibc_set debian-bookworm-amd64)
	run_in "$root" hook -- /lib64/ld-linux-x86-64.so.2 /lib/$TRIPLET/libc.so.6
	[ "$status" -eq 0 ]
	assert_contains "$output" "release version 2.41."
	assert_contains "$(cat "$LOG")" "glibc-inject: the container's glibc 2.41 is not older than the injected glibc 2.36: glibc left as it is in $root"
	[ -z "$(grep -- '<-' "$LOG")" ]
	[ -z "$(ls -A "$BATS_TEST_TMPDIR/ov-trixie/upper")" ]

	rm -f "$LOG"
	root=$(overlay busybox)
	GLIBC_LIBS=$(glibc_set debian-trixie-amd64)
	run_in "$root" hook --lib "$LIB" --update-cache -- /bin/true
	[ "$status" -eq 0 ]
	assert_contains "$(cat "$LOG")" "glibc-inject: no glibc in the container ($root): nothing injected"
	[ -z "$(ls -A "$BATS_TEST_TMPDIR/ov-busybox/upper")" ]
}

@test "--lib and --update-cache: a library found through the container's ld.so cache, and only with --update-cache" {
	skip_unless_runc
	local root before u
	root=$(overlay bullseye)
	u=$BATS_TEST_TMPDIR/ov-bullseye/upper
	before=$(mounts)
	# The test's programs are built here (glibc 2.36): they need the
	# injected glibc in bullseye.
	GLIBC_LIBS=$(glibc_set debian-trixie-amd64)
	run_in "$root" hook --lib "$LIB" -- /gm/uselib
	[ "$status" -ne 0 ]
	assert_contains "$output" "libgmhook.so.1: cannot open shared object file"
	assert_contains "$(cat "$LOG")" "injected 1 library into /usr/local/lib/glibc-inject in $root"
	[ ! -e "$u/etc/ld.so.conf.d" ]

	run_in "$root" hook --lib "$LIB" --update-cache -- /gm/uselib
	[ "$status" -eq 0 ]
	[ "$output" = "hello from libgmhook
libc 2.41" ]
	assert_contains "$(cat "$LOG")" "/usr/local/lib/glibc-inject is in the container's ld.so cache"
	[ "$(grep -v '^#' "$u/etc/ld.so.conf.d/000-glibc-inject.conf")" = /usr/local/lib/glibc-inject ]
	[ -f "$u/etc/ld.so.cache" ]
	# The injected file is an empty mount point in the tree; its content
	# was the host's only inside the container.
	[ ! -s "$u/usr/local/lib/glibc-inject/libgmhook.so.1" ]

	# Another --lib-dir: the cache names the new directory.
	run_in "$root" hook --lib "$LIB" --lib-dir /opt/drivers//lib/ --update-cache -- /gm/uselib
	[ "$status" -eq 0 ]
	[ "$output" = "hello from libgmhook
libc 2.41" ]
	[ "$(grep -v '^#' "$u/etc/ld.so.conf.d/000-glibc-inject.conf")" = /opt/drivers/lib ]
	# bullseye's image has /opt: the new directories are made on a scratch
	# overlay of it and nothing reaches the tree; a tree without /opt gets
	# them as mount points in the tree (its root takes no overlay).
	if [ -d "$GLIBC_MATRIX_STORE/rootfs/bullseye/root/opt" ]; then
		[ ! -e "$u/opt/drivers" ]
		assert_contains "$(cat "$LOG")" "'/opt/drivers/lib/libgmhook.so.1' <- $LIB"
	else
		[ -e "$u/opt/drivers/lib/libgmhook.so.1" ]
	fi
	same "$before" "$(mounts)"
}

@test "a failure after the mounts (ldconfig fails) takes every mount, file and directory back" {
	skip_unless_runc
	local root u
	root=$(overlay bullseye)
	u=$BATS_TEST_TMPDIR/ov-bullseye/upper
	GLIBC_LIBS=$(glibc_set debian-trixie-amd64)
	# /bin/false passes the trust rules (root's, 0755) and fails.
	run_in "$root" hook --lib "$LIB" --update-cache --ldconfig /bin/false -- /gm/uselib
	[ "$status" -ne 0 ]
	assert_contains "$(cat "$LOG")" "error: ldconfig -r <root> failed with exit 1"
	[ -z "$(grep 'cannot undo' "$LOG")" ]
	# Created files (the file bullseye lacks, the library, the drop-in) and
	# directories are gone; only directories the overlay copied up stay.
	[ -z "$(find "$u" -type f)" ]
	[ ! -e "$u/usr/local/lib/glibc-inject" ]
	[ ! -e "$u/etc/ld.so.conf.d/000-glibc-inject.conf" ]
}

# Hostile trees: host files the hook could reach if it followed links the
# way a plain open() of a joined path does.
hostile_setup() {
	H=$BATS_TEST_TMPDIR/host
	mkdir -p "$H/lib64" "$H/libdir" "$H/confd"
	echo SENTINEL >"$H/lib64/ld-linux-x86-64.so.2"
	cp "$GLIBC_MATRIX_STORE/rootfs/bullseye/root/lib/$TRIPLET/libc-2.31.so" "$H/libc.so.6"
	echo CACHE >"$H/ld.so.cache"
	echo CONF >"$H/confd-file"
	host_state_before=$(host_state)
}

# host_state: sums and listings of everything a hostile tree points at.
host_state() {
	sha256sum /lib64/ld-linux-x86-64.so.2 /etc/ld.so.cache "$H/lib64/ld-linux-x86-64.so.2" \
		"$H/libc.so.6" "$H/ld.so.cache" "$H/confd-file"
	ls -lA /etc/ld.so.conf.d "$H" "$H/lib64" "$H/libdir" "$H/confd"
}

@test "hostile tree: lib64 and libc.so.6 linking out of the root are resolved inside it" {
	skip_unless_runc
	hostile_setup
	local root u before
	GLIBC_LIBS=$(glibc_set debian-trixie-amd64)

	# lib64 -> the host's /lib64: inside the root that is lib64 itself, a
	# loop: refused, nothing of the set stays.
	u=$(upper bullseye)
	ln -s /lib64 "$u/lib64"
	root=$(overlay bullseye)
	before=$(mounts)
	run_in "$root" hook -- /gm/fsize /lib64/ld-linux-x86-64.so.2
	[ "$status" -ne 0 ]
	assert_contains "$(cat "$LOG")" "error: '/lib64/ld-linux-x86-64.so.2' in the container: Too many levels of symbolic links"
	[ -z "$(find "$u" -type f)" ]
	umount "$root"
	sed -i '$d' "$BATS_TEST_TMPDIR/overlays"

	# lib64 -> /proc/1/root/lib64: runc has mounted the container's proc in
	# the tree by then, pid 1 there is runc's init, not yet pivoted, and
	# that magic link would name the host's root: refused.
	rm -rf "$BATS_TEST_TMPDIR/ov-bullseye"
	rm -f "$LOG"
	u=$(upper bullseye)
	ln -s /proc/1/root/lib64 "$u/lib64"
	root=$(overlay bullseye)
	run_in "$root" hook -- /gm/fsize /lib64/ld-linux-x86-64.so.2
	[ "$status" -ne 0 ]
	assert_contains "$(cat "$LOG")" "error: '/lib64/ld-linux-x86-64.so.2' in the container: Too many levels of symbolic links"
	[ -z "$(find "$u" -type f)" ]
	umount "$root"
	sed -i '$d' "$BATS_TEST_TMPDIR/overlays"

	# lib64 -> a host directory holding a loader-named file: inside the
	# root that path holds a copy; the copy is covered, the host's file
	# is not.
	rm -rf "$BATS_TEST_TMPDIR/ov-bullseye"
	rm -f "$LOG"
	u=$(upper bullseye)
	ln -s "$H/lib64" "$u/lib64"
	mkdir -p "$u$H/lib64"
	echo COPY >"$u$H/lib64/ld-linux-x86-64.so.2"
	root=$(overlay bullseye)
	run_in "$root" hook -- /gm/fsize /lib64/ld-linux-x86-64.so.2 "$H/lib64/ld-linux-x86-64.so.2"
	[ "$status" -eq 0 ]
	local size
	size=$(stat -c %s "$GLIBC_MATRIX_STORE/sysroots/debian-trixie-amd64/usr/lib/$TRIPLET/ld-linux-x86-64.so.2")
	[ "$output" = "/lib64/ld-linux-x86-64.so.2 $size
$H/lib64/ld-linux-x86-64.so.2 $size" ]
	assert_contains "$(cat "$LOG")" "'/lib64/ld-linux-x86-64.so.2' <- "
	[ "$(cat "$u$H/lib64/ld-linux-x86-64.so.2")" = COPY ]
	umount "$root"
	sed -i '$d' "$BATS_TEST_TMPDIR/overlays"

	# libc.so.6 -> ../../..<host file>: inside the root the path
	# does not exist, so the tree has no glibc at all; then the same path
	# inside the root holds a libc, which is injected over.
	rm -rf "$BATS_TEST_TMPDIR/ov-bullseye"
	rm -f "$LOG"
	u=$(upper bullseye)
	mkdir -p "$u/lib/$TRIPLET"
	# Enough ".." to reach the host's / from the overlay's mount point.
	ln -s "$(printf '../%.0s' {1..20})${H#/}/libc.so.6" "$u/lib/$TRIPLET/libc.so.6"
	root=$(overlay bullseye)
	run_in "$root" hook -- /gm/fsize /lib/$TRIPLET/libc.so.6
	[ "$status" -eq 0 ]
	assert_contains "$(cat "$LOG")" "no glibc in the container ($root): nothing injected"
	umount "$root"
	sed -i '$d' "$BATS_TEST_TMPDIR/overlays"
	rm -f "$LOG"
	mkdir -p "$u$H"
	cp "$H/libc.so.6" "$u$H/libc.so.6"
	root=$(overlay bullseye)
	run_in "$root" hook -- /gm/fsize "$H/libc.so.6"
	[ "$status" -eq 0 ]
	size=$(stat -c %s "$GLIBC_MATRIX_STORE/sysroots/debian-trixie-amd64/usr/lib/$TRIPLET/libc.so.6")
	[ "$output" = "$H/libc.so.6 $size" ]
	assert_contains "$(cat "$LOG")" "injected glibc 2.41"

	same "$host_state_before" "$(host_state)"
	same "$before" "$(mounts)"
}

@test "hostile tree: ld.so.conf.d, ld.so.cache, the drop-in and --lib-dir linking out are refused or stay inside" {
	skip_unless_runc
	hostile_setup
	local root u before
	GLIBC_LIBS=$(glibc_set debian-trixie-amd64)

	# Each case: a fresh overlay with one planted link; refused (exit 1)
	# or, for ld.so.cache, replaced inside the root by ldconfig.
	try_link() { # try_link LINK TARGET EXPECTED-STATUS LOG-TEXT [HOOK-ARG...]
		local link=$1 target=$2 want=$3 text=$4
		shift 4
		rm -rf "$BATS_TEST_TMPDIR/ov-bullseye"
		rm -f "$LOG"
		u=$(upper bullseye)
		mkdir -p "$u/$(dirname "$link")"
		ln -s "$target" "$u/$link"
		root=$(overlay bullseye)
		before=$(mounts)
		run_in "$root" hook --lib "$LIB" --update-cache "$@" -- /gm/uselib
		if [ "$want" -eq 0 ]; then [ "$status" -eq 0 ]; else [ "$status" -ne 0 ]; fi
		assert_contains "$(cat "$LOG")" "$text"
		same "$before" "$(mounts)"
		umount "$root"
		sed -i '$d' "$BATS_TEST_TMPDIR/overlays"
	}
	try_link etc/ld.so.conf.d /etc/ld.so.conf.d 1 \
		"error: cannot write the ld.so.conf drop-in: '/etc/ld.so.conf.d' in the container: Too many levels of symbolic links"
	[ -z "$(find "$u" -type f)" ]
	try_link etc/ld.so.conf.d "$H/confd" 1 \
		"error: cannot write the ld.so.conf drop-in: '/etc/ld.so.conf.d' in the container is a symbolic link to nothing"
	try_link etc/ld.so.conf.d/000-glibc-inject.conf "$H/confd-file" 1 \
		"error: cannot write '/etc/ld.so.conf.d/000-glibc-inject.conf' in the container: it is a symbolic link"
	try_link usr/local/lib/glibc-inject "$H/libdir" 1 \
		"error: the library directory: '/usr/local/lib/glibc-inject' in the container is a symbolic link to nothing"
	[ -z "$(find "$u" -type f)" ]
	# ldconfig runs chrooted into the tree: it replaces the link, inside.
	try_link etc/ld.so.cache /etc/ld.so.cache 0 "is in the container's ld.so cache"
	[ -f "$u/etc/ld.so.cache" ] && [ ! -L "$u/etc/ld.so.cache" ]
	try_link etc/ld.so.cache "$H/ld.so.cache" 0 "is in the container's ld.so cache"
	[ "$output" = "hello from libgmhook
libc 2.41" ]

	same "$host_state_before" "$(host_state)"
	[ -z "$(find "$H/libdir" "$H/confd" -mindepth 1)" ]
}

@test "run by hand: missing or malformed state, a missing bundle, config.json without root.path, bad options" {
	local before b=$BATS_TEST_TMPDIR/b
	before=$(mounts)
	export GLIBC_LIBS=$(glibc_set debian-trixie-amd64)
	hook() { # hook EXPECTED-STATUS STATE [ARG...]
		local want=$1 state=$2
		shift 2
		echo "\$ glibc-inject $* <<<'$state'"
		run timeout 30 "$HOOK" "$@" <<<"$state"
		echo "$output"
		[ "$status" -eq "$want" ]
	}
	hook 1 ""
	assert_contains "$output" "glibc-inject: error: the container state on standard input is empty"
	hook 1 '{"pid": 1, "bundle": '
	assert_contains "$output" "glibc-inject: error: the container state on standard input is not valid JSON (it ends too early)"
	hook 1 '{"pid": 1} x'
	assert_contains "$output" "is not valid JSON (text after the document)"
	hook 1 '{"bundle": "/tmp"}'
	assert_contains "$output" "has no pid (a positive integer)"
	hook 1 '{"pid": 1}'
	assert_contains "$output" "the container state on standard input has no bundle"
	hook 1 "{\"pid\": 1, \"bundle\": \"$b/none\"}"
	assert_contains "$output" "glibc-inject: error: the bundle '$b/none': No such file or directory"
	mkdir -p "$b"
	hook 1 "{\"pid\": 1, \"bundle\": \"$b\"}"
	assert_contains "$output" "error: the bundle's configuration: cannot open '$b/config.json': No such file or directory"
	echo '{"root": ' >"$b/config.json"
	hook 1 "{\"pid\": 1, \"bundle\": \"$b\"}"
	assert_contains "$output" "error: '$b/config.json' is not valid JSON (it ends too early)"
	echo '{"root": {"readonly": true}}' >"$b/config.json"
	hook 1 "{\"pid\": 1, \"bundle\": \"$b\"}"
	assert_contains "$output" "error: '$b/config.json' has no root.path: no root filesystem to inject into"
	# Usage errors: exit 2.
	hook 2 "" --bogus
	assert_contains "$output" "glibc-inject: unknown option or missing value: '--bogus'"
	hook 2 "" --lib-dir usr/lib
	hook 2 "" --lib-dir /usr/../etc
	hook 2 "" extra
	hook 0 "" --help
	assert_contains "$output" "Exit status: 0 injected"
	same "$before" "$(mounts)"
}

@test "refused before entering the container: incomplete or foreign sets, --lib of glibc, an untrusted ldconfig" {
	local b=$BATS_TEST_TMPDIR/b d
	d=$GLIBC_MATRIX_STORE/sysroots/debian-trixie-amd64/usr/lib/$TRIPLET
	mkdir -p "$b"
	echo '{"root": {"path": "rootfs"}}' >"$b/config.json"
	# pid 1 is this machine's init: the hook must refuse before it would
	# enter any namespace (a refusal after that would say so).
	local state="{\"pid\": 1, \"bundle\": \"$b\"}"
	refused() { # refused MESSAGE ARG...
		local text=$1
		shift
		run "$HOOK" "$@" <<<"$state"
		echo "$output"
		[ "$status" -eq 1 ]
		assert_contains "$output" "$text"
	}
	refused "the glibc set lacks libc.so.6" --glibc-libs "$d/ld-linux-x86-64.so.2"
	refused "'$d/libgcc_s.so.1' (libgcc_s.so.1) is not a library of glibc: inject it with --lib" \
		--glibc-libs "$d/ld-linux-x86-64.so.2:$d/libc.so.6:$d/libgcc_s.so.1"
	refused "'lib/libc.so.6' is not an absolute path" --glibc-libs lib/libc.so.6
	refused "'/bin/true' has no DT_SONAME: not a library of a glibc" --glibc-libs /bin/true:"$d/libc.so.6"
	refused "'$d/libm.so.6' (libm.so.6) is a library of glibc: inject it with --glibc-libs" --lib "$d/libm.so.6"
	refused "cannot open '$b/none'" --lib "$b/none"
	local arm=$GLIBC_MATRIX_STORE/sysroots/debian-bookworm-arm64/lib/aarch64-linux-gnu/libc.so.6
	if [ -f "$arm" ]; then
		refused "is for aarch64, '$d/ld-linux-x86-64.so.2' for x86_64: one set is one machine" \
			--glibc-libs "$d/ld-linux-x86-64.so.2:$arm"
	fi
	cp /sbin/ldconfig "$b/ldconfig"
	chmod 0777 "$b/ldconfig"
	refused "ldconfig '$b/ldconfig' is writable by others (mode 0777): refusing to run it" \
		--update-cache --ldconfig "$b/ldconfig"
	chmod 0775 "$b/ldconfig"
	LDCONFIG_PATH=$b/ldconfig refused "is writable by its group" --update-cache
	chmod 0755 "$b/ldconfig"
	chown 1:1 "$b/ldconfig"
	refused "ldconfig '$b/ldconfig' is owned by uid 1, not root" --update-cache --ldconfig "$b/ldconfig"
	refused "ldconfig 'ldconfig' is not an absolute path" --update-cache --ldconfig ldconfig
	# Nothing to do is not an error, whatever the state's pid.
	GLIBC_LIBS= run "$HOOK" <<<"$state"
	[ "$status" -eq 0 ]
	assert_contains "$output" "nothing to do"
}

@test "podman: the hooks.d file make writes injects trixie's glibc into a bullseye image when annotated" {
	require_tool podman podman
	local p=$BATS_TEST_TMPDIR/podman hooks=$BATS_TEST_TMPDIR/hooks.d
	pm() {
		podman --cgroup-manager=cgroupfs --runtime=runc --storage-driver=vfs \
			--root "$p/root" --runroot "$p/run" "$@" 3>&-
	}
	# The file `make` writes, with the site's set given at make time.
	make -s -C "$TOP" hooks HOOKS_DIR="$hooks" GLIBC_INJECT_PATH="$HOOK" \
		GLIBC_INJECT_LIBS="$(glibc_set debian-trixie-amd64)"
	grep -q "\"path\": \"$HOOK\"" "$hooks/glibc-inject.json"
	# What `make` wrote beside the hook names it.
	grep -q "\"path\": \"$HOOK\"" "${HOOK%/*}/hooks.d/glibc-inject.json"
	pm import "$GLIBC_MATRIX_STORE/rootfs/bullseye/rootfs.tar" gm-hook-bullseye >/dev/null
	local args=(run --rm --hooks-dir "$hooks" --ulimit nofile=1024:1024 --ulimit nproc=1024:1024
		--network none)
	# Without the annotation podman does not run the hook: bullseye's own
	# glibc.  Where podman cannot run a container at all, this says why.
	run pm "${args[@]}" gm-hook-bullseye /lib64/ld-linux-x86-64.so.2 /lib/$TRIPLET/libc.so.6
	echo "$output"
	if [ "$status" -ne 0 ]; then
		pm rmi -af >/dev/null 2>&1 || true
		skip_fact no-oci-runtime "podman: $(tail -n 1 <<<"$output")"
	fi
	assert_contains "$output" "release version 2.31."
	run pm "${args[@]}" --annotation com.hooks.glibc.enabled=true gm-hook-bullseye \
		/lib64/ld-linux-x86-64.so.2 /lib/$TRIPLET/libc.so.6
	echo "$output"
	[ "$status" -eq 0 ]
	assert_contains "$output" "release version 2.41."
	run pm "${args[@]}" --annotation com.hooks.glibc.enabled=false gm-hook-bullseye \
		/lib64/ld-linux-x86-64.so.2 /lib/$TRIPLET/libc.so.6
	echo "$output"
	assert_contains "$output" "release version 2.31."
	pm rmi -af >/dev/null
	[ -z "$(pm ps -aq)" ]
	# vfs layers are plain directories; podman leaves no mount behind.
	[ -z "$(grep -F "$p" /proc/self/mountinfo)" ]
}

@test "hostile tree: ld.so.conf naming /proc/1/root/<host dir> and a soname '../../proc/1/root/<host link>' cannot reach the host" {
	skip_unless_runc
	hostile_setup
	local root u
	GLIBC_LIBS=$(glibc_set debian-trixie-amd64)
	# A host directory with a library in it: ldconfig scanning it through
	# /proc/1/root would create its soname link there.
	mkdir -p "$H/ldhost"
	printf 'int victim(void){return 1;}\n' >"$H/victim.c"
	gcc -shared -fPIC -Wl,-soname,libvictim.so.1 -o "$H/ldhost/libvictim.so.1.0" "$H/victim.c"
	# A host symbolic link an image library's soname names.
	ln -s ORIGINAL "$H/victim-link"
	host_state_before=$(host_state)
	u=$(upper bullseye)
	mkdir -p "$u/etc" "$u/opt/evil"
	printf '/proc/1/root%s/ldhost\n/opt/evil\n' "$H" >"$u/etc/ld.so.conf"
	gcc -shared -fPIC -Wl,-soname,"../../proc/1/root${H}/victim-link" -o "$u/opt/evil/libevil.so.1" "$H/victim.c"
	root=$(overlay bullseye)
	before=$(ls -lA "$H" "$H/ldhost")
	run_in "$root" hook --lib "$LIB" --update-cache -- /gm/uselib
	[ "$status" -eq 0 ]
	[ "$output" = "hello from libgmhook
libc 2.41" ]
	# The host directory and link are as they were.
	[ "$(readlink "$H/victim-link")" = ORIGINAL ]
	[ ! -e "$H/ldhost/libvictim.so.1" ] && [ ! -L "$H/ldhost/libvictim.so.1" ]
	same "$before" "$(ls -lA "$H" "$H/ldhost")"
	same "$host_state_before" "$(host_state)"
}

@test "hostile tree: a libc.so.6 of 2 GiB (sparse) is refused unread" {
	skip_unless_runc
	local root u
	GLIBC_LIBS=$(glibc_set debian-trixie-amd64)
	u=$(upper bullseye)
	mkdir -p "$u/lib/$TRIPLET"
	cp "$GLIBC_MATRIX_STORE/rootfs/bullseye/root/lib/$TRIPLET/libc-2.31.so" "$u/lib/$TRIPLET/libc.so.6"
	truncate -s 2G "$u/lib/$TRIPLET/libc.so.6"
	root=$(overlay bullseye)
	run_in "$root" hook -- /gm/fsize /lib/$TRIPLET/libc.so.6
	[ "$status" -ne 0 ]
	assert_contains "$(cat "$LOG")" "error: the container's glibc: '/lib/$TRIPLET/libc.so.6' in the container is 2147483648 bytes: no libc.so.6 is that large (the limit is 256 MiB)"
	[ -z "$(find "$u" -type f ! -path "*/lib/$TRIPLET/libc.so.6")" ]
}

@test "a tree whose libc directory is swapped while the hook runs: one directory gets the whole set, never a split" {
	skip_unless_runc
	local root u lib=lib/$TRIPLET f name i n_a n_b split=0 whole=0 refused=0
	GLIBC_LIBS=$(glibc_set debian-trixie-amd64)
	u=$(upper bullseye)
	mkdir -p "$u/lib"
	cp -a "$GLIBC_MATRIX_STORE/rootfs/bullseye/root/$lib" "$u/$lib.A"
	cp -a "$GLIBC_MATRIX_STORE/rootfs/bullseye/root/$lib" "$u/$lib.B"
	root=$(overlay bullseye)
	rm -rf "${root:?}/$lib"
	ln -s "$TRIPLET.A" "$root/$lib"
	# Each file of the set, in both directories, with the size the host's
	# (trixie's) file has: a file of that size was bound there.
	local paths=() sizes=()
	for f in ${GLIBC_LIBS//:/ }; do
		name=${f##*/}
		[ "$name" != ld-linux-x86-64.so.2 ] || continue
		paths+=("/$lib.A/$name" "/$lib.B/$name")
		sizes+=("$(stat -L -c %s "$f")")
	done
	# The swapper: lib/<triplet> flips between the two, atomically.
	touch "$BATS_TEST_TMPDIR/swapping"
	(
		while [ -e "$BATS_TEST_TMPDIR/swapping" ]; do
			for t in B A; do
				ln -sfn "$TRIPLET.$t" "$root/lib/.next" && mv -T "$root/lib/.next" "$root/$lib"
			done
		done
	) 3>&- &
	local swapper=$!
	for i in $(seq 40); do
		run_in "$root" hook -- /gm/fsize "${paths[@]}"
		if [ "$status" -ne 0 ]; then
			refused=$((refused + 1))
			continue
		fi
		n_a=0 n_b=0
		for k in "${!sizes[@]}"; do
			grep -qx "/$lib.A/[^ ]* ${sizes[$k]}" <<<"$(sed -n "$((2 * k + 1))p" <<<"$output")" && n_a=$((n_a + 1))
			grep -qx "/$lib.B/[^ ]* ${sizes[$k]}" <<<"$(sed -n "$((2 * k + 2))p" <<<"$output")" && n_b=$((n_b + 1))
		done
		echo "# run $i: $n_a in A, $n_b in B"
		if [ "$n_a" -gt 0 ] && [ "$n_b" -gt 0 ]; then split=$((split + 1)); else whole=$((whole + 1)); fi
		[ $((n_a + n_b)) -eq "${#sizes[@]}" ] || split=$((split + 1))
		rm -f "$LOG"
	done
	rm -f "$BATS_TEST_TMPDIR/swapping"
	wait "$swapper"
	echo "# $whole whole, $split split, $refused refused"
	[ "$split" -eq 0 ]
	[ "$whole" -gt 0 ]
}
