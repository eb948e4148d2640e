#!/usr/bin/env bats
# sysroot import: sysroots from Debian suites' binary packages.  Uses the
# Debian archive this machine's apt uses (or $GLIBC_MATRIX_MIRROR).  The
# suites' sysroots go into the shared store, where a rerun finds them
# cached; tests that break or remove things use a scratch store.

load helpers

# load_manifest NAME: reads a sysroot's manifest into the associative array
# M (lists joined by ':'), in one python start (they are slow here).
declare -gA M
load_manifest() {
	M=()
	local k v
	while IFS=$'\t' read -r k v; do
		M[$k]=$v
	done < <(python3 - "$GLIBC_MATRIX_STORE/sysroots/$1/sysroot.json" <<'EOF'
import json, sys
for k, v in json.load(open(sys.argv[1])).items():
    print(k, ":".join(v) if isinstance(v, list) else v, sep="\t")
EOF
	)
	[ -n "${M[name]:-}" ]
}

# import_ok SUITE VERSION [ARGS...]: imports (or finds) SUITE and checks its
# manifest: version, origin, arch, every path under the sysroot's own dir.
import_ok() {
	local suite=$1 version=$2
	shift 2
	run_gm sysroot import "$suite" "$@"
	assert_contains "$output" ": glibc $version ("
	local line name
	line=$(grep -E '^(imported|have) ' <<<"$output")
	name=${line#* }
	name=${name%%:*}
	IMPORTED=$name
	local dir=$GLIBC_MATRIX_STORE/sysroots/$name
	load_manifest "$name"
	[ "${M[name]}" = "$name" ]
	[ "${M[glibc_version]}" = "$version" ]
	[ "${M[origin]}" = "debian:$suite" ]
	[ "${M[prefix]}" = "$dir" ]
	[[ "${M[loader]}" == "$dir/"* ]]
	[ -n "${M[package_version]}" ]
	[ "${#M[source_sha256]}" -eq 64 ]
	local d
	IFS=: read -ra dirs <<<"${M[libdirs]}:${M[includedirs]}"
	for d in "${dirs[@]}"; do
		[[ "$d" == "$dir/"* ]]
		[ -d "$d" ]
	done
	# A complete sysroot: no staging directory left behind.
	[ ! -e "$GLIBC_MATRIX_STORE/build/$name/stage" ]
}

# The sysroot's own loader loads its own libc.so.6, which prints its banner.
check_banner() {
	local name=$1 version=$2
	local loader libdirs libc
	load_manifest "$name"
	loader=${M[loader]}
	libdirs=${M[libdirs]}
	libc=${libdirs%%:*}/libc.so.6
	run "$loader" --inhibit-cache --library-path "$libdirs" "$libc"
	echo "$output"
	[ "$status" -eq 0 ]
	assert_contains "$output" "release version $version"
}

# Every symlink is relative and stays inside the sysroot (one python start
# for the ~1000 links of linux-libc-dev, not one realpath each).
check_symlinks() {
	python3 - "$GLIBC_MATRIX_STORE/sysroots/$1" <<'EOF'
import os, sys
root = os.path.realpath(sys.argv[1])
bad = []
for d, dirs, files in os.walk(root):
    for n in dirs + files:
        p = os.path.join(d, n)
        if not os.path.islink(p):
            continue
        t = os.readlink(p)
        real = os.path.normpath(os.path.join(d, t))
        if t.startswith("/") or not (real + "/").startswith(root + "/"):
            bad.append(f"{p} -> {t}")
print("\n".join(bad))
sys.exit(1 if bad else 0)
EOF
}

skip_unless_amd64() {
	[ "$HOST_ARCH" = amd64 ] || skip_fact not-amd64
}

# A hello world built by the host compiler against the host glibc.
build_hello() {
	require_tool gcc gcc
	printf '#include <stdio.h>\nint main(void) { puts("hello"); return 0; }\n' \
		>"$BATS_TEST_TMPDIR/hello.c"
	gcc -o "$BATS_TEST_TMPDIR/hello" "$BATS_TEST_TMPDIR/hello.c"
}

# A scratch store seeded with the shared store's downloads (copies, not
# links: some tests corrupt them), so the scratch imports stay fast.
scratch_store_with_downloads() {
	local shared=$GLIBC_MATRIX_STORE
	use_scratch_store
	if [ -d "$shared/downloads" ]; then
		mkdir -p "$GLIBC_MATRIX_STORE/downloads"
		cp "$shared"/downloads/*bookworm-amd64* "$shared"/downloads/*_2.36-*_amd64.deb \
			"$GLIBC_MATRIX_STORE/downloads/" 2>/dev/null || true
	fi
}

@test "import: bookworm amd64 is glibc 2.36 and its loader runs its libc" {
	import_ok bookworm 2.36 --arch amd64
	[ "$IMPORTED" = debian-bookworm-amd64 ]
	[ "${M[arch]}" = x86_64 ]
	check_banner "$IMPORTED" 2.36
	check_symlinks "$IMPORTED"
}

@test "import: bullseye amd64 is glibc 2.31, lib64 loader link made relative" {
	import_ok bullseye 2.31 --arch amd64
	check_banner "$IMPORTED" 2.31
	check_symlinks "$IMPORTED"
	# bullseye ships /lib64/ld-linux-x86-64.so.2 -> /lib/x86_64-linux-gnu/ld-2.31.so.
	local dir=$GLIBC_MATRIX_STORE/sysroots/$IMPORTED
	[ "$(readlink "$dir/lib64/ld-linux-x86-64.so.2")" = ../lib/x86_64-linux-gnu/ld-2.31.so ]
	[ -f "$dir/lib64/ld-linux-x86-64.so.2" ]
}

@test "import: trixie amd64 is glibc 2.41, usr-merged with /lib compat links" {
	import_ok trixie 2.41 --arch amd64
	check_banner "$IMPORTED" 2.41
	check_symlinks "$IMPORTED"
	local dir=$GLIBC_MATRIX_STORE/sysroots/$IMPORTED
	[ "$(readlink "$dir/lib")" = usr/lib ]
	[ "$(readlink "$dir/lib64")" = usr/lib64 ]
	# Every path the libc.so linker script names exists under the sysroot.
	local p
	while read -r p; do
		[ -e "$dir$p" ] || { echo "libc.so names $p, missing"; return 1; }
	done < <(grep -o '/[^ )]*' "$dir/usr/lib/x86_64-linux-gnu/libc.so" | grep -v '^/\*')
}

@test "import: a host-built binary needs GLIBC_2.34, fails on bullseye, runs on trixie" {
	skip_unless_amd64
	build_hello
	import_ok bullseye 2.31 --arch amd64
	local old_loader=${M[loader]} old_libdirs=${M[libdirs]}
	import_ok trixie 2.41 --arch amd64

	run "$old_loader" --inhibit-cache --library-path "$old_libdirs" "$BATS_TEST_TMPDIR/hello"
	echo "$output"
	[ "$status" -ne 0 ]
	assert_contains "$output" "GLIBC_2.34' not found"

	run "${M[loader]}" --inhibit-cache --library-path "${M[libdirs]}" "$BATS_TEST_TMPDIR/hello"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$output" = hello ]
}

@test "import: bookworm arm64 has an aarch64 libc" {
	import_ok bookworm 2.36 --arch arm64
	[ "$IMPORTED" = debian-bookworm-arm64 ]
	[ "${M[arch]}" = aarch64 ]
	[[ "${M[loader]}" == */ld-linux-aarch64.so.1 ]]
	local libc=${M[libdirs]%%:*}/libc.so.6
	run readelf -h "$libc"
	assert_contains "$output" "AArch64"
	check_symlinks "$IMPORTED"
}

@test "import: trixie riscv64 has a riscv64 libc" {
	import_ok trixie 2.41 --arch riscv64
	[ "${M[arch]}" = riscv64 ]
	[[ "${M[loader]}" == */ld-linux-riscv64-lp64d.so.1 ]]
	local libc=${M[libdirs]%%:*}/libc.so.6
	run readelf -h "$libc"
	assert_contains "$output" "RISC-V"
}

@test "import: bookworm has no riscv64; exit 2, nothing left behind" {
	use_scratch_store
	run_gm 2 sysroot import bookworm --arch riscv64
	assert_contains "$output" "suite 'bookworm' has no architecture 'riscv64'"
	[ ! -e "$GLIBC_MATRIX_STORE/sysroots/debian-bookworm-riscv64" ]
	[ ! -e "$GLIBC_MATRIX_STORE/build/debian-bookworm-riscv64" ]
}

@test "import: an unknown suite is a usage error naming it" {
	use_scratch_store
	run_gm 2 sysroot import no-such-suite-zz
	assert_contains "$output" "no suite 'no-such-suite-zz' in the Debian archive at "
	[ ! -e "$GLIBC_MATRIX_STORE/sysroots/debian-no-such-suite-zz-$HOST_ARCH" ]
}

@test "import: bad arguments are usage errors" {
	use_scratch_store
	run_gm 2 sysroot import 'Bad/Suite'
	assert_contains "$output" "invalid suite name"
	run_gm 2 sysroot import bookworm --arch i386
	assert_contains "$output" "unsupported architecture 'i386'"
	run_gm 2 sysroot import
	assert_contains "$output" "missing SUITE"
	run_gm 2 sysroot import bookworm trixie
	run_gm 2 sysroot import bookworm --bogus
	run_gm 2 sysroot import bookworm --name '../x'
	assert_contains "$output" "invalid sysroot name"
	run_gm sysroot import --help
	assert_contains "$output" "usage: glibc-matrix sysroot import SUITE"
}

@test "import: a second import is a cache hit, with no network" {
	import_ok bookworm 2.36 --arch amd64
	local t0=$EPOCHREALTIME
	# An unusable mirror proves nothing is fetched.
	GLIBC_MATRIX_MIRROR=http://127.0.0.1:9/nothing run_gm sysroot import bookworm --arch amd64
	local ms=$(( (${EPOCHREALTIME/./} - ${t0/./}) / 1000 ))
	echo "# cache hit took ${ms} ms" >&3
	assert_contains "$output" "debian-bookworm-amd64 is already imported"
	assert_not_contains "$output" "download"
	[ "$ms" -lt 1000 ]
}

@test "import: --refresh keeps an unchanged sysroot and replaces a stale one" {
	scratch_store_with_downloads
	import_ok bookworm 2.36 --arch amd64
	local dir=$GLIBC_MATRIX_STORE/sysroots/$IMPORTED key=${M[cache_key]}

	run_gm sysroot import bookworm --arch amd64 --refresh
	assert_contains "$output" "is up to date with the archive"
	load_manifest "$IMPORTED"
	[ "${M[cache_key]}" = "$key" ]

	# A manifest from other inputs (an older importer, an older revision).
	sed -i 's/"cache_key": "[0-9a-f]*"/"cache_key": "stale"/' "$dir/sysroot.json"
	run_gm sysroot import bookworm --arch amd64 --refresh
	assert_contains "$output" "replaced"
	load_manifest "$IMPORTED"
	[ "${M[cache_key]}" = "$key" ]
	check_banner "$IMPORTED" 2.36
	# The old tree went to the trash and was deleted; no staging left.
	[ -z "$(ls -A "$GLIBC_MATRIX_STORE/trash")" ]
	[ ! -e "$GLIBC_MATRIX_STORE/build/$IMPORTED" ]
}

@test "import: a corrupted .deb in the download cache is fetched again" {
	scratch_store_with_downloads
	import_ok bookworm 2.36 --arch amd64
	local deb
	deb=$(ls "$GLIBC_MATRIX_STORE"/downloads/libc6_2.36-*_amd64.deb)
	echo "this is not a Debian package" >"$deb"
	rm -rf "$GLIBC_MATRIX_STORE/sysroots/$IMPORTED"

	run_gm sysroot import bookworm --arch amd64
	assert_contains "$output" "does not match the index's sha256, downloading again"
	assert_contains "$output" "imported debian-bookworm-amd64: glibc 2.36"
	load_manifest "$IMPORTED"
	[ "$(sha256sum <"$deb" | cut -d' ' -f1)" = "${M[source_sha256]}" ]
	check_banner "$IMPORTED" 2.36
}

@test "import: --name, and a name taken by another sysroot" {
	scratch_store_with_downloads
	run_gm sysroot import bookworm --arch amd64 --name my-bookworm
	assert_contains "$output" "imported my-bookworm: glibc 2.36"
	load_manifest my-bookworm
	[ "${M[prefix]}" = "$GLIBC_MATRIX_STORE/sysroots/my-bookworm" ]
	run_gm 2 sysroot import trixie --arch amd64 --name my-bookworm
	assert_contains "$output" "a sysroot named 'my-bookworm' already exists"
	load_manifest my-bookworm
	[ "${M[glibc_version]}" = 2.36 ]
}

@test "import: an interrupted import leaves no sysroot, no staging directory, no part file" {
	use_scratch_store
	local m=$BATS_TEST_TMPDIR/mirror deb port pid rc=0
	make_mirror "$m" localtest
	deb=$(deb_path "$m" libc6)
	# The libc6 download stalls: the interruption always comes mid-download,
	# never after the import finished.
	serve_mirror "$m" stall "${deb##*/}"
	port=$PORT
	GLIBC_MATRIX_MIRROR=http://127.0.0.1:$port "$GM" sysroot import localtest --arch amd64 \
		--insecure 3>&- &
	pid=$!
	for _ in $(seq 600); do [ -e "$BATS_TEST_TMPDIR/stalled" ] && break; sleep 0.1; done
	[ -e "$BATS_TEST_TMPDIR/stalled" ]
	kill -INT "$pid"
	for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
	kill -0 "$pid" 2>/dev/null && { kill -KILL "$pid"; echo "# still running 10 s after SIGINT"; false; }
	wait "$pid" || rc=$?
	echo "exit $rc"
	[ "$rc" -eq 130 ]
	[ ! -e "$GLIBC_MATRIX_STORE/sysroots/debian-localtest-amd64" ]
	[ ! -e "$GLIBC_MATRIX_STORE/build/debian-localtest-amd64/stage" ]
	[ -z "$(find "$GLIBC_MATRIX_STORE" -name '*.part.*')" ]
}

@test "remove leaves an empty trash, and sweeps what a killed harness left there" {
	use_scratch_store
	run_gm sysroot import bookworm --arch amd64
	# A dead owner's leftover (pid 4000000 does not exist: pid_max is lower).
	mkdir -p "$GLIBC_MATRIX_STORE/trash/4000000.abcdef/usr/lib"
	run_gm sysroot remove debian-bookworm-amd64
	[ -z "$(ls -A "$GLIBC_MATRIX_STORE/trash")" ]
	[ -z "$(ls -A "$GLIBC_MATRIX_STORE/sysroots")" ]
}

# ---- authenticated imports, local mirrors ----------------------------------

# The shared store, whatever a test's use_scratch_store makes current.
SHARED_STORE=$GLIBC_MATRIX_STORE

# seed_bookworm: once per file, a real (verified) import of bookworm amd64
# into $SEED/store, seeded with the shared store's downloads so that it
# costs little network; $SEED/Packages gets the four packages' stanzas of
# the real index, verbatim (their real Size and SHA256).
seed_bookworm() {
	SEED=$BATS_FILE_TMPDIR/seed
	[ -s "$SEED/Packages" ] && return 0
	mkdir -p "$SEED/store/downloads"
	cp "$SHARED_STORE"/downloads/*bookworm-amd64* "$SHARED_STORE"/downloads/*_2.36-*_amd64.deb \
		"$SHARED_STORE"/downloads/linux-libc-dev_6.1.*_amd64.deb \
		"$SHARED_STORE"/downloads/libgcc-s1_12.*_amd64.deb "$SEED/store/downloads/" 2>/dev/null || true
	GLIBC_MATRIX_STORE=$SEED/store "$GM" sysroot import bookworm --arch amd64 \
		>"$SEED/import.log" 2>&1 3>&- || { cat "$SEED/import.log"; return 1; }
	python3 - "$SEED/store/downloads/debian-bookworm-amd64-Packages.xz" >"$SEED/Packages.new" <<'EOF2'
import lzma, sys
want = ["libc6", "libc6-dev", "linux-libc-dev", "libgcc-s1"]
found = {}
for st in lzma.open(sys.argv[1], "rt").read().split("\n\n"):
    f = dict(l.split(": ", 1) for l in st.splitlines() if ": " in l and not l.startswith(" "))
    if f.get("Package") in want and f.get("Architecture") in ("amd64", "all"):
        found[f["Package"]] = st.strip("\n")
assert len(found) == len(want), found.keys()
print("\n\n".join(found[p] for p in want))
EOF2
	mv "$SEED/Packages.new" "$SEED/Packages"
}

# make_mirror DIR SUITE: a local Debian mirror at DIR serving bookworm
# amd64's four real packages as suite SUITE, with an unsigned Release
# (write_release).  $MIRROR_URL is its file:// address.
make_mirror() {
	local dir=$1 suite=$2 f
	seed_bookworm
	mkdir -p "$dir/dists/$suite/main/binary-amd64"
	cp "$SEED/Packages" "$dir/dists/$suite/main/binary-amd64/Packages"
	while read -r f; do
		mkdir -p "$dir/${f%/*}"
		cp "$SEED/store/downloads/${f##*/}" "$dir/$f"
	done < <(sed -n 's/^Filename: //p' "$SEED/Packages")
	write_release "$dir" "$suite"
	MIRROR_URL=file://$dir
}

# write_release DIR SUITE [CODENAME]: an unsigned Release listing the
# Packages index's SHA256 and size; removes any signature.
write_release() {
	local d=$1/dists/$2 codename=${3:-$2} p=main/binary-amd64/Packages
	{
		echo "Origin: glibc-matrix test"
		echo "Codename: $codename"
		echo "Architectures: amd64"
		echo "Components: main"
		echo "SHA256:"
		echo " $(sha256sum <"$d/$p" | cut -d' ' -f1) $(stat -c %s "$d/$p") $p"
	} >"$d/Release"
	rm -f "$d/InRelease" "$d/Release.gpg"
}

# deb_path DIR PACKAGE: the mirror's file of PACKAGE.
deb_path() {
	echo "$1/$(awk -v p="$2" '$1 == "Package:" { on = ($2 == p) } on && $1 == "Filename:" { print $2; exit }' \
		"$SEED/Packages")"
}

# make_key: a throwaway signing key; $KEYRING is it exported as a keyring
# (what GLIBC_MATRIX_KEYRING takes), $FPR its fingerprint.  GNUPGHOME is
# short-lived and short (gpg-agent's socket path has a length limit).
make_key() {
	require_tool gpg gnupg
	GNUPGHOME=$(mktemp -d /tmp/gm-gpg.XXXXXX)
	export GNUPGHOME
	gpg --batch --quiet --passphrase '' --quick-gen-key 'glibc-matrix test <test@invalid>' \
		ed25519 sign never
	FPR=$(gpg --with-colons --list-keys | awk -F: '$1 == "fpr" { print $10; exit }')
	KEYRING=$BATS_TEST_TMPDIR/keyring.gpg
	gpg --export >"$KEYRING"
	[ "${#FPR}" -eq 40 ]
}

# sign_release DIR SUITE clear|detached: signs the Release with make_key's key.
sign_release() {
	local d=$1/dists/$2
	if [ "$3" = clear ]; then
		gpg --batch --yes --clearsign -o "$d/InRelease" "$d/Release"
	else
		gpg --batch --yes --detach-sign -o "$d/Release.gpg" "$d/Release"
	fi
}

# serve_mirror DIR MODE FILE: serves DIR over HTTP on 127.0.0.1; the port is
# in PORT, the server's pid in SERVER_PID (stopped by teardown; so never
# call this in a subshell).  FILE is served
# abnormally: MODE "endless" streams zeros forever, "stall" sends the
# headers, creates $BATS_TEST_TMPDIR/stalled and never sends the body.
serve_mirror() {
	python3 - "$1" "$BATS_TEST_TMPDIR/port" "$3" "$2" "$BATS_TEST_TMPDIR/stalled" 3>&- <<'EOF2' &
import functools, http.server, os, sys, time
root, portfile, special, mode, marker = sys.argv[1:]
class H(http.server.SimpleHTTPRequestHandler):
    def do_GET(self):
        if not self.path.endswith("/" + special):
            return super().do_GET()
        self.send_response(200)
        self.end_headers()
        try:
            if mode == "stall":
                self.wfile.flush()
                open(marker, "w").close()
                time.sleep(600)
            block = b"\0" * 65536
            while True:
                self.wfile.write(block)
        except OSError:
            pass
    def log_message(self, *args):
        pass
srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(H, directory=root))
srv.daemon_threads = True
with open(portfile + ".tmp", "w") as f:
    f.write(str(srv.server_address[1]))
os.rename(portfile + ".tmp", portfile)
srv.serve_forever()
EOF2
	SERVER_PID=$!
	local i
	for i in $(seq 100); do
		[ -s "$BATS_TEST_TMPDIR/port" ] && break
		sleep 0.1
	done
	PORT=$(cat "$BATS_TEST_TMPDIR/port")
}

teardown() {
	if [ -n "${SERVER_PID:-}" ]; then
		kill "$SERVER_PID" 2>/dev/null || true
		wait "$SERVER_PID" 2>/dev/null || true
	fi
	if [ -n "${GNUPGHOME:-}" ] && [[ "$GNUPGHOME" == /tmp/gm-gpg.* ]]; then
		gpgconf --kill gpg-agent 2>/dev/null || true
		rm -rf "$GNUPGHOME"
	fi
}

@test "import: the Release signature is verified; the manifest records the Debian keys" {
	seed_bookworm
	cat "$SEED/import.log"
	assert_contains "$(cat "$SEED/import.log")" "/dists/bookworm/InRelease"
	GLIBC_MATRIX_STORE=$SEED/store load_manifest debian-bookworm-amd64
	local sig=${M[signature]} keys f
	echo "signature: $sig"
	[ -n "$sig" ]
	keys=$(gpg --show-keys --with-colons /usr/share/keyrings/debian-archive-keyring.gpg |
		awk -F: '$1 == "pub" { p = 1; next } $1 == "fpr" && p { print $10; p = 0 }')
	for f in $sig; do
		grep -qx "$f" <<<"$keys" || { echo "$f is not a primary key of the keyring"; return 1; }
	done
	GLIBC_MATRIX_STORE=$SEED/store run_gm sysroot show debian-bookworm-amd64
	assert_contains "$output" "signature: $sig"
}

@test "import: bullseye, bookworm, trixie and sid Release files verify against the Debian keyring" {
	use_scratch_store
	local s
	# No riscv64 in bullseye and bookworm: the import stops right after the
	# Release file, which must have verified to get there.
	for s in bullseye bookworm; do
		run_gm 2 sysroot import "$s" --arch riscv64
		assert_contains "$output" "suite '$s' has no architecture 'riscv64'"
	done
	# trixie and sid: whole imports, their signatures in the manifests.
	scratch_store_with_downloads
	cp "$SHARED_STORE"/downloads/*trixie-amd64* "$SHARED_STORE"/downloads/*_2.41-*_amd64.deb \
		"$GLIBC_MATRIX_STORE/downloads/" 2>/dev/null || true
	for s in trixie sid; do
		run_gm sysroot import "$s" --arch amd64
		load_manifest "debian-$s-amd64"
		echo "$s: ${M[signature]}"
		[[ "${M[signature]}" =~ ^[0-9A-F]{40}( [0-9A-F]{40})*$ ]]
	done
}

@test "import: an unsigned mirror fails (exit 3); --insecure imports it, stale parts swept; a signed --refresh replaces it" {
	use_scratch_store
	make_mirror "$BATS_TEST_TMPDIR/mirror" localtest
	GLIBC_MATRIX_MIRROR=$MIRROR_URL run_gm 3 sysroot import localtest --arch amd64
	assert_contains "$output" "dists/localtest/Release' is not signed: neither"
	assert_contains "$output" "needs --insecure"
	[ ! -e "$GLIBC_MATRIX_STORE/sysroots/debian-localtest-amd64" ]
	[ ! -e "$GLIBC_MATRIX_STORE/build/debian-localtest-amd64" ]

	# What a killed harness left: a dead pid's part file and a 2-day-old
	# one; a live process's recent part file stays.
	local dead
	bash -c 'exit 0' &
	dead=$!
	wait "$dead" || true
	mkdir -p "$GLIBC_MATRIX_STORE/downloads"
	touch "$GLIBC_MATRIX_STORE/downloads/x.deb.part.$dead" "$GLIBC_MATRIX_STORE/downloads/z.deb.part.$$"
	touch -d '2 days ago' "$GLIBC_MATRIX_STORE/downloads/y.deb.part.$$"

	GLIBC_MATRIX_MIRROR=$MIRROR_URL run_gm --quiet sysroot import localtest --arch amd64 --insecure
	assert_contains "$output" "WARNING: --insecure: the signature of the suite's Release file is NOT checked"
	assert_contains "$output" "imported debian-localtest-amd64: glibc 2.36"
	load_manifest debian-localtest-amd64
	[ "${M[signature]}" = unchecked ]
	run_gm sysroot show debian-localtest-amd64
	assert_contains "$output" "signature: unchecked (imported with --insecure)"
	[ "${M[origin]}" = debian:localtest ]
	check_banner debian-localtest-amd64 2.36
	[ ! -e "$GLIBC_MATRIX_STORE/downloads/x.deb.part.$dead" ]
	[ ! -e "$GLIBC_MATRIX_STORE/downloads/y.deb.part.$$" ]
	[ -e "$GLIBC_MATRIX_STORE/downloads/z.deb.part.$$" ]

	# Once the mirror is signed, a verified --refresh replaces the
	# unchecked sysroot, though its packages are the same.
	make_key
	sign_release "$BATS_TEST_TMPDIR/mirror" localtest clear
	GLIBC_MATRIX_KEYRING=$KEYRING GLIBC_MATRIX_MIRROR=$MIRROR_URL \
		run_gm sysroot import localtest --arch amd64 --refresh
	assert_contains "$output" "debian-localtest-amd64 replaced"
	assert_not_contains "$output" "WARNING"
	load_manifest debian-localtest-amd64
	[ "${M[signature]}" = "$FPR" ]
}

@test "import: a tampered InRelease fails with gpgv's reason; a throwaway key via GLIBC_MATRIX_KEYRING passes" {
	use_scratch_store
	make_key
	local m=$BATS_TEST_TMPDIR/mirror d
	make_mirror "$m" localtest
	d=$m/dists/localtest
	sign_release "$m" localtest clear

	# The Debian keyring does not hold the throwaway key.
	GLIBC_MATRIX_MIRROR=$MIRROR_URL run_gm 3 sysroot import localtest --arch amd64
	assert_contains "$output" "signature check of '$MIRROR_URL/dists/localtest/InRelease' failed"
	assert_contains "$output" "no public key in the keyring for key"

	# One hex digit of the Packages hash changed, the signature kept.
	python3 - "$d/InRelease" <<'EOF2'
import re, sys
t = open(sys.argv[1]).read()
m = re.search(r"^ ([0-9a-f])[0-9a-f]{63} ", t, re.M)
t = t[:m.start(1)] + ("b" if m.group(1) == "a" else "a") + t[m.end(1):]
open(sys.argv[1], "w").write(t)
EOF2
	GLIBC_MATRIX_KEYRING=$KEYRING GLIBC_MATRIX_MIRROR=$MIRROR_URL \
		run_gm 3 sysroot import localtest --arch amd64
	assert_contains "$output" "BAD signature from"
	assert_contains "$output" "gpgv: BAD signature"
	assert_not_contains "$output" "sha256 mismatch"
	[ ! -e "$GLIBC_MATRIX_STORE/sysroots/debian-localtest-amd64" ]

	# A good signature, another suite's Release: refused all the same.
	write_release "$m" localtest othersuite
	sign_release "$m" localtest clear
	GLIBC_MATRIX_KEYRING=$KEYRING GLIBC_MATRIX_MIRROR=$MIRROR_URL \
		run_gm 3 sysroot import localtest --arch amd64
	assert_contains "$output" "the Release file served for 'localtest' is another suite's (Suite: none, Codename: othersuite)"

	# Release + Release.gpg (no InRelease), signed by the key the override names.
	write_release "$m" localtest
	sign_release "$m" localtest detached
	GLIBC_MATRIX_KEYRING=$KEYRING GLIBC_MATRIX_MIRROR=$MIRROR_URL \
		run_gm sysroot import localtest --arch amd64
	assert_contains "$output" "no InRelease; reading $MIRROR_URL/dists/localtest/Release and its Release.gpg"
	load_manifest debian-localtest-amd64
	[ "${M[signature]}" = "$FPR" ]
}

@test "import: a truncated .deb is refused by its size, and reported by name when the index agrees" {
	use_scratch_store
	local m=$BATS_TEST_TMPDIR/mirror deb p size sha
	make_mirror "$m" localtest
	deb=$(deb_path "$m" libc6)
	head -c 100000 "$deb" >"$deb.cut"
	mv "$deb.cut" "$deb"
	GLIBC_MATRIX_MIRROR=$MIRROR_URL run_gm 3 sysroot import localtest --arch amd64 --insecure
	assert_contains "$output" "is 100000 bytes, expected"

	# An index that matches the cut file lets it reach extraction.
	p=$m/dists/localtest/main/binary-amd64/Packages
	size=$(stat -c %s "$deb")
	sha=$(sha256sum <"$deb" | cut -d' ' -f1)
	python3 - "$p" "${deb##*/}" "$size" "$sha" <<'EOF2'
import sys
path, name, size, sha = sys.argv[1:]
out = []
for st in open(path).read().split("\n\n"):
    if ("/" + name + "\n") in st + "\n":
        st = "\n".join("Size: " + size if l.startswith("Size: ") else
                       "SHA256: " + sha if l.startswith("SHA256: ") else l
                       for l in st.splitlines())
    out.append(st)
open(path, "w").write("\n\n".join(out))
EOF2
	write_release "$m" localtest
	GLIBC_MATRIX_MIRROR=$MIRROR_URL run_gm 3 sysroot import localtest --arch amd64 --insecure
	assert_contains "$output" "downloads/${deb##*/}'"
	assert_contains "$output" "Truncated ar archive"
	assert_not_contains "$output" "(null)"
	[ ! -e "$GLIBC_MATRIX_STORE/sysroots/debian-localtest-amd64" ]
	[ ! -e "$GLIBC_MATRIX_STORE/build/debian-localtest-amd64/stage" ]
}

@test "import: a mirror streaming an endless .deb is cut off at the index's size, nothing kept" {
	use_scratch_store
	local m=$BATS_TEST_TMPDIR/mirror deb port
	make_mirror "$m" localtest
	deb=$(deb_path "$m" libc6)
	serve_mirror "$m" endless "${deb##*/}"
	port=$PORT
	GM_TIMEOUT=120 GLIBC_MATRIX_MIRROR=http://127.0.0.1:$port \
		run_gm 3 sysroot import localtest --arch amd64 --insecure
	assert_contains "$output" "${deb##*/}' sends more than the $(stat -c %s "$deb") bytes expected; download aborted, nothing kept"
	[ -z "$(find "$GLIBC_MATRIX_STORE/downloads" -name "libc6_*")" ]
	[ -z "$(find "$GLIBC_MATRIX_STORE/downloads" -name "*.part.*")" ]
}
