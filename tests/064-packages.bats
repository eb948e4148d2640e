#!/usr/bin/env bats
# Whole packages (issue 23 item 5): `check PKG` on real packages nobody here
# wrote, fetched now: a .deb from the Debian archive apt is configured with,
# an npm application (sharp's .node add-on and the libvips it bundles, found
# through $ORIGIN) as a tarball and as a directory.  Every verdict is
# compared with the real loader run by hand, the floor file with objdump -T
# over the unpacked files.  Hostile packages are refused with exit 2.

load helpers

setup_file() {
	ensure_sysroot debian-bullseye-amd64 import bullseye
	ensure_sysroot debian-bookworm-amd64 import bookworm
}

# deb_download PKG: $DEB, the path of PKG's .deb fetched now by apt from
# the archive it is configured with (skips where it cannot be reached).
deb_download() {
	require_tool apt-get apt
	local d=$BATS_TEST_TMPDIR/debs
	mkdir -p "$d"
	(cd "$d" && timeout 300 apt-get download "$1" >/dev/null 2>&1) ||
		skip_fact no-network "apt-get download $1 failed"
	DEB=$(ls "$d/$1"_*.deb)
}

# npm_fetch PKG DIR: the package's files in DIR (npm pack, unpacked).
npm_fetch() {
	require_tool npm npm
	local t=$BATS_TEST_TMPDIR/npm tgz
	mkdir -p "$t" "$2"
	tgz=$(cd "$t" && timeout 120 npm pack "$1" --silent 2>/dev/null | tail -n 1) ||
		skip_fact no-network "npm pack $1 failed"
	[ -n "$tgz" ] && tar xzf "$t/$tgz" -C "$2" --strip-components=1
}

# sharp_app DIR: node_modules/@img/ as `npm install sharp` lays it out on
# x86_64 Linux: the add-on and the libvips version it was built with.
sharp_app() {
	local m=$1/node_modules/@img vips
	npm_fetch @img/sharp-linux-x64 "$m/sharp-linux-x64"
	vips=$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["optionalDependencies"]["@img/sharp-libvips-linux-x64"])' \
		"$m/sharp-linux-x64/package.json")
	npm_fetch "@img/sharp-libvips-linux-x64@$vips" "$m/sharp-libvips-linux-x64"
}

# sysroot_path NAME: "LOADER LIBDIRS" of sysroot NAME (libdirs joined by ':').
sysroot_path() {
	local out
	out=$("$GM" sysroot show "$1" 3>&-)
	echo "$(sed -n 's/^loader: *//p' <<<"$out") $(sed -n 's/^libdir: *//p' <<<"$out" | paste -sd:)"
}

# real_class LOADER LIBPATH ARGS...: what the real loader says of running
# ARGS with LIBPATH: ok, symbol-version NODE, missing-library, or exit N.
real_class() {
	local loader=$1 libpath=$2 out rc=0
	shift 2
	out=$("$loader" --inhibit-cache --library-path "$libpath" "$@" 2>&1 </dev/null) || rc=$?
	if [ "$rc" -eq 0 ]; then
		echo ok
	elif [[ $out =~ version\ \`(GLIBC_[0-9.]+)\'\ not\ found ]]; then
		echo "symbol-version ${BASH_REMATCH[1]}"
	elif [[ $out == *"cannot open shared object file"* ]]; then
		echo missing-library
	else
		echo "exit $rc"
	fi
}

# pkg_cells OUT [KIND]: "subject run observed predicted path detail" per
# cell (of subjects of KIND only: "dynamic executable", "shared object").
pkg_cells() {
	python3 - "$1/results.json" "${2:-}" <<-'PY'
	import json, sys
	d = json.load(open(sys.argv[1]))
	paths = {s["name"]: s["path"] for s in d["subjects"]}
	kinds = {s["name"]: s["kind"] for s in d["subjects"]}
	for c in d["cells"]:
	    if sys.argv[2] and kinds[c["subject"]] != sys.argv[2]:
	        continue
	    print(c["subject"], c["run"], c["observed"]["outcome"], c["predicted"]["outcome"],
	          paths[c["subject"]], (c["observed"]["detail"].split() or ["-"])[0])
	PY
}

# floor_by_objdump DIR: "NODE FILE" of every ELF file under DIR whose
# highest GLIBC_x.y (as objdump -T lists it) is the highest of them all,
# FILE relative to DIR, sorted as C sorts bytes.
floor_by_objdump() {
	local dir=$1 f rel node
	(cd "$dir" && find . -type f | sed 's|^\./||' | LC_ALL=C sort) | while read -r rel; do
		f=$dir/$rel
		[ "$(head -c 4 "$f" | od -An -c | tr -d ' ')" = '177ELF' ] || continue
		node=$(objdump -T "$f" 2>/dev/null | grep -o 'GLIBC_2\.[0-9.]*[0-9]' | sort -uV | tail -n 1)
		[ -n "$node" ] && echo "$node $rel"
	done | awk '{ split(substr($1, 7), v, "."); k = v[1] * 10000 + v[2] * 100 + v[3]; print k, $0 }' |
		sort -s -k1,1nr | awk 'NR == 1 { top = $1 } $1 == top { print $2, $3 }'
}

@test "a real .deb (coreutils, from apt's archive): every ELF file one subject, each verdict as the real loader says" {
	require_tool objdump binutils
	deb_download coreutils
	local out=$BATS_TEST_TMPDIR/out name
	name=$(basename "$DEB")
	# --host-libs: the loader by hand below takes the host's libraries
	# beyond glibc (libacl, libselinux, libgmp), as these cells do.
	run_gm '?' check "$DEB" --args --version --against bullseye --against bookworm -m loader \
		--host-libs --out "$out"
	[ "$status" -eq 0 ] || [ "$status" -eq 1 ]
	assert_contains "$output" "package $DEB (deb coreutils "
	assert_contains "$output" "0 mismatches"
	# Unpacked below the run's directory, never beside the .deb.
	[ -x "$out/packages/1-$name/bin/cat" ] || [ -x "$out/packages/1-$name/usr/bin/cat" ]
	[ "$(ls "$(dirname "$DEB")")" = "$name" ]
	# Its one shared object (libstdbuf.so, for LD_PRELOAD) is loaded by
	# load-object, built against each sysroot.
	run pkg_cells "$out" "shared object"
	echo "$output"
	[ "$(grep -c . <<<"$output")" -eq 2 ]
	assert_contains "$output" "libstdbuf.so debian-bullseye-amd64 ok ok"
	run pkg_cells "$out" "dynamic executable"
	local cells=$output n=0 subject runname observed predicted path detail loader libpath want
	[ "$(grep -c . <<<"$cells")" -gt 150 ]
	# The real loader, by hand, on each file as unpacked: the host's
	# directories after the sysroot's, for libacl, libselinux, libgmp.
	while read -r subject runname observed predicted path detail; do
		[[ $subject == "$DEB:"* ]]
		[ "$observed" = "$predicted" ] || [ "$observed" = failed ]
		read -r loader libpath < <(sysroot_path "$runname")
		want=$(real_class "$loader" "$libpath:/lib/x86_64-linux-gnu:/usr/lib/x86_64-linux-gnu" \
			"$path" --version)
		case $observed in
		ok) [ "$want" = ok ] ;;
		symbol-version) [ "$want" = "symbol-version $detail" ] ;;
		# false --version: the program's own status, not the loader's.
		failed) [[ $subject == *bin/false ]] && [ "$want" = "exit 1" ] ;;
		*) false ;;
		esac || { echo "# $subject on $runname: check says $observed $detail, the loader $want"; return 1; }
		n=$((n + 1))
	done <<<"$cells"
	echo "# $n cells agree with the real loader"
	assert_contains "$cells" "debian-bullseye-amd64 symbol-version symbol-version"
	assert_contains "$cells" "debian-bookworm-amd64 ok ok"
}

@test "a .deb's floor: the file objdump -T says needs the highest node, with the symbol; its Depends as clauses" {
	require_tool objdump binutils
	deb_download coreutils
	local out=$BATS_TEST_TMPDIR/out root
	run_gm '?' check "$DEB" --args --version --against bookworm -m loader --out "$out"
	root=$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["packages"][0]["root"])' \
		"$out/results.json")
	run floor_by_objdump "$root"
	echo "$output"
	local node file symbol
	read -r node file <<<"$(head -n 1 <<<"$output")"
	[ -n "$node" ]
	run python3 - "$out/results.json" <<-'PY'
	import json, sys
	p = json.load(open(sys.argv[1]))["packages"][0]
	f = p["glibc_floor"]
	print("GLIBC_" + f["version"], f["file"].split(":", 1)[1], f["symbol"], f["library"])
	print(p["kind"], p["deb"]["package"], p["deb"]["architecture"])
	print(" ".join("|".join(c) for c in p["deb"]["depends"]))
	PY
	echo "$output"
	# The first file (sorted) that needs the highest node, as objdump says.
	[ "$(sed -n 1p <<<"$output" | cut -d' ' -f1-2)" = "$node $file" ]
	symbol=$(sed -n 1p <<<"$output" | cut -d' ' -f3)
	objdump -T "$root/$file" | grep -E "\($node\)|$node " | grep -qw -- "$symbol"
	assert_contains "$(sed -n 1p <<<"$output")" " libc.so.6"
	[ "$(sed -n 2p <<<"$output")" = "deb coreutils amd64" ]
	# coreutils' Pre-Depends and Depends, as dpkg-deb reads them.
	local want
	want=$(dpkg-deb -f "$DEB" Pre-Depends Depends | sed 's/^[A-Za-z-]*: //' | tr ',' '\n' |
		sed 's/([^)]*)//g; s/ //g' | grep . | paste -sd' ')
	[ "$(sed -n 3p <<<"$output")" = "$want" ]
	run_gm '?' check "$DEB" --args --version --against bookworm -m loader --out "$BATS_TEST_TMPDIR/o2"
	assert_contains "$output" "glibc floor: $node, set by $DEB:$file ($symbol@$node from libc.so.6"
	# Read back: the document by reports/schema.json, the summaries from it.
	require_python jsonschema python3-jsonschema
	python3 - "$TOP/reports/schema.json" "$out/results.json" <<-'PY'
	import json, sys, jsonschema
	jsonschema.Draft202012Validator(json.load(open(sys.argv[1]))).validate(json.load(open(sys.argv[2])))
	PY
	run_gm 0 report "$out/results.json" --format text
	assert_contains "$output" "glibc floor: $node, set by $DEB:$file ($symbol@$node from libc.so.6"
	run_gm 0 report "$out/results.json" --format md
	assert_contains "$output" "| $DEB | deb | 106 | $node | $DEB:$file ($symbol) |"
}

@test "PKG:PATH checks one file of a package, and a package cell's reproduce command gives its class again" {
	deb_download coreutils
	local out=$BATS_TEST_TMPDIR/out line cmd
	run_gm 1 check "$DEB" --args --version --against bullseye -m loader --host-libs --out "$out"
	line=$(grep -m1 -E "reproduce: .*bin/ls --against" "$out/results.tap")
	cmd=${line#*reproduce: \"glibc-matrix }
	cmd=${cmd%\"}
	echo "# $cmd"
	assert_contains "$cmd" "check $DEB:"
	eval "run_gm 1 $cmd --out $BATS_TEST_TMPDIR/one"
	assert_contains "$output" "1 cells in"
	assert_contains "$output" "1 symbol-version"
	run_gm 2 check "$DEB:usr/bin/no-such-program" --against bullseye --out "$BATS_TEST_TMPDIR/none"
	assert_contains "$output" "has no ELF file 'usr/bin/no-such-program'"
	[ ! -e "$BATS_TEST_TMPDIR/none/packages" ]
}

@test "an npm application as one tarball: sharp's .node finds its bundled libvips through \$ORIGIN, loaded by node, as the real loader says" {
	require_tool node nodejs
	require_tool objdump binutils
	local d=$BATS_TEST_TMPDIR node
	sharp_app "$d/app"
	tar czf "$d/app.tgz" -C "$d/app" node_modules
	node=$(readlink -f "$(command -v node)")
	run_gm 0 check "$d/app.tgz" --against bullseye --against bookworm -m loader --out "$d/out"
	assert_contains "$output" "package $d/app.tgz (tarball): 2 ELF files"
	assert_contains "$output" "is a node add-on (napi_* undefined): loaded by $node"
	run pkg_cells "$d/out"
	echo "$output"
	[ "$(grep -c ' ok ok ' <<<"$output")" -eq 4 ]
	# The add-on's libvips is the package's own, found through its RPATH
	# ($ORIGIN/../../sharp-libvips-linux-x64/lib) inside the unpacked tree.
	python3 - "$d/out/results.json" <<-'PY'
	import json, os, sys
	d = json.load(open(sys.argv[1]))
	root = d["packages"][0]["root"]
	assert all(s["package"] == d["packages"][0]["name"] for s in d["subjects"]), d["subjects"]
	for c in d["cells"]:
	    if c["subject"].endswith(".node"):
	        vips = [l for l in c["libraries"] if "libvips-cpp" in l["path"]]
	        assert [l["from"] for l in vips] == ["bundle"], vips
	        assert os.path.normpath(vips[0]["path"]).startswith(root + "/node_modules/@img/sharp-libvips-linux-x64/lib/"), vips
	PY
	# The real loader runs node, which loads the add-on from the tree.
	local mod loader libpath runname
	mod=$(ls "$d/out/packages/1-app.tgz/node_modules/@img/sharp-linux-x64/lib/"*.node)
	for runname in debian-bullseye-amd64 debian-bookworm-amd64; do
		read -r loader libpath < <(sysroot_path "$runname")
		run real_class "$loader" "$libpath:/lib/x86_64-linux-gnu:/usr/lib/x86_64-linux-gnu" \
			"$node" -e 'require(process.argv[1])' "$mod"
		[ "$output" = ok ]
	done
	# The floor: the file objdump -T names, with the symbol.
	run floor_by_objdump "$d/out/packages/1-app.tgz"
	echo "$output"
	local node_v file
	read -r node_v file <<<"$(head -n 1 <<<"$output")"
	run_gm 0 check "$d/app.tgz" --against bookworm -m loader --out "$d/out2"
	assert_contains "$output" "glibc floor: $node_v, set by $d/app.tgz:$file ("
	# Without libvips beside it (the add-on's package alone) the same
	# .node is missing-library, predicted and by the real loader.
	tar czf "$d/addon.tgz" -C "$d/app" node_modules/@img/sharp-linux-x64
	run_gm 1 check "$d/addon.tgz" --against bookworm -m loader --out "$d/out3"
	run pkg_cells "$d/out3"
	echo "$output"
	assert_contains "$output" "debian-bookworm-amd64 missing-library missing-library"
	read -r loader libpath < <(sysroot_path debian-bookworm-amd64)
	mod=$(ls "$d/out3/packages/1-addon.tgz/node_modules/@img/sharp-linux-x64/lib/"*.node)
	run real_class "$loader" "$libpath:/lib/x86_64-linux-gnu:/usr/lib/x86_64-linux-gnu" \
		"$node" -e 'require(process.argv[1])' "$mod"
	[ "$output" = missing-library ]
	run "$loader" --inhibit-cache --library-path "$libpath" "$node" -e 'require(process.argv[1])' "$mod"
	assert_contains "$output" "libvips-cpp.so.8"
	assert_contains "$output" "cannot open shared object file"
}

@test "a directory is a package too: checked where it is, named DIR:path, the same verdicts" {
	require_tool node nodejs
	local d=$BATS_TEST_TMPDIR
	sharp_app "$d/app"
	run_gm 0 check "$d/app/" --against bookworm -m loader --out "$d/out"
	assert_contains "$output" "package $d/app (directory): 2 ELF files"
	[ ! -e "$d/out/packages" ]
	run pkg_cells "$d/out"
	echo "$output"
	assert_contains "$output" "$d/app:node_modules/@img/sharp-linux-x64/lib/"
	assert_contains "$output" " $d/app/node_modules/@img/sharp-linux-x64/lib/"
	[ "$(grep -c ' ok ok ' <<<"$output")" -eq 2 ]
	# An archive given too is unpacked below the run's directory; inside
	# the directory given, that is passed over, never checked twice.
	tar czf "$d/app/addon.tgz" -C "$d/app" node_modules/@img/sharp-linux-x64
	# (the add-on alone lacks its libvips: missing-library, exit 1)
	run_gm 1 check "$d/app/addon.tgz" "$d/app" --against bookworm -m loader --out "$d/app/rep"
	assert_contains "$output" "package $d/app (directory): 2 ELF files"
	assert_contains "$output" "package $d/app/addon.tgz (tarball): 1 ELF file"
}

@test "hostile packages: escaping entries, corrupt, truncated, over the bounds: exit 2 naming the file and the cause, nothing written outside, no results" {
	local d=$BATS_TEST_TMPDIR
	cd "$d"
	mkdir -p outside
	python3 - "$(readlink -f /bin/true)" "$d/outside" <<-'PY'
	import io, sys, tarfile
	elf = open(sys.argv[1], "rb").read()
	def mk(name, entries, mode="w:gz"):
	    with tarfile.open(name, mode) as t:
	        for path, kind, arg in entries:
	            ti = tarfile.TarInfo(path)
	            ti.mode = 0o755
	            if kind == "file":
	                ti.size = len(arg)
	                t.addfile(ti, io.BytesIO(arg))
	                continue
	            ti.type = {"sym": tarfile.SYMTYPE, "hard": tarfile.LNKTYPE, "fifo": tarfile.FIFOTYPE}[kind]
	            ti.linkname = arg
	            t.addfile(ti)
	mk("dotdot.tgz", [("a/true", "file", elf), ("a/../../escaped", "file", b"x")])
	mk("hard.tgz", [("a/true", "file", elf), ("a/h", "hard", "../../etc/passwd")])
	mk("through.tgz", [("a/true", "file", elf), ("a/l", "sym", sys.argv[2]),
	                   ("a/l/escaped", "file", b"x")])
	mk("noelf.tgz", [("a/README", "file", b"hello")])
	mk("badelf.tgz", [("a/true", "file", elf), ("a/broken", "file", elf[:200])])
	mk("many.tgz", [("f%d" % i, "fifo", "") for i in range(200001)])
	PY
	deb_download coreutils
	cd "$d"
	head -c 60000 "$DEB" >short.deb
	printf '!<arch>\ngarbage' >junk.deb
	printf 'not a tarball' >junk.tgz
	mkdir -p sparse
	cp "$(readlink -f /bin/true)" sparse/
	truncate -s 9G sparse/big
	tar --sparse -czf sparse.tgz -C sparse .
	rm -rf sparse
	local f
	for f in dotdot.tgz hard.tgz noelf.tgz badelf.tgz many.tgz short.deb junk.deb junk.tgz sparse.tgz; do
		run_gm 2 check "$f" --against bookworm --out "$d/out-$f"
		assert_contains "$output" "$f"
		[ ! -e "$d/out-$f/results.json" ] && [ ! -e "$d/out-$f/packages" ]
	done
	run_gm 2 check dotdot.tgz --against bookworm --out "$d/o"
	assert_contains "$output" "entry 'a/../../escaped' escapes the directory: refused"
	run_gm 2 check hard.tgz --against bookworm --out "$d/o"
	assert_contains "$output" "linked to ../../etc/passwd escapes the directory: refused"
	run_gm 2 check many.tgz --against bookworm --out "$d/o"
	assert_contains "$output" "more than 200000 entries: refused, the bound of a package"
	run_gm 2 check sparse.tgz --against bookworm --out "$d/o"
	assert_contains "$output" "more than 8589934592 bytes unpacked"
	run_gm 2 check short.deb --against bookworm --out "$d/o"
	assert_contains "$output" "'short.deb': cannot read member data.tar"
	assert_contains "$output" "runcated"
	run_gm 2 check badelf.tgz --against bookworm --out "$d/o"
	assert_contains "$output" "package 'badelf.tgz': '$d/o/packages/1-badelf.tgz/a/broken': "
	run_gm 2 check noelf.tgz --against bookworm --out "$d/o"
	assert_contains "$output" "package 'noelf.tgz' holds no ELF program or shared object"
	# A symlink on the way is replaced, never written through.
	run_gm 0 check through.tgz --against bookworm -m loader --out "$d/o2"
	[ -z "$(ls -A "$d/outside")" ]
	[ -d "$d/o2/packages/1-through.tgz/a/l" ] && [ ! -L "$d/o2/packages/1-through.tgz/a/l" ]
	[ ! -e "$d/escaped" ] && [ ! -e "$d/../escaped" ]
}

@test "packages checked together are installed together: jq's .deb finds libjq in libjq1's, before the host's" {
	deb_download jq
	local jq=$DEB
	deb_download libjq1
	local out=$BATS_TEST_TMPDIR/out
	run_gm 0 check "$jq" "$DEB" --args --version --against bookworm -m loader --host-libs --out "$out"
	assert_contains "$output" "package $jq (deb jq "
	assert_contains "$output" "package $DEB (deb libjq1 "
	python3 - "$out/results.json" <<-'PY'
	import json, os, sys
	d = json.load(open(sys.argv[1]))
	lib = d["packages"][1]["root"] + "/usr/lib/x86_64-linux-gnu"
	assert d["packages"][1]["library_dirs"] == [lib], d["packages"][1]["library_dirs"]
	for c in d["cells"]:
	    if c["subject"].endswith(":usr/bin/jq"):
	        jq = [l["path"] for l in c["libraries"] if "/libjq.so" in l["path"]]
	        assert [os.path.dirname(p) for p in jq] == [lib], jq
	        assert c["observed"]["outcome"] == "ok", c["observed"]
	PY
}

@test "inspect PKG: each ELF file as PKG:path, the floor and who sets it, the gate; nothing left behind" {
	deb_download coreutils
	local t=$BATS_TEST_TMPDIR/tmp
	mkdir -p "$t"
	TMPDIR=$t run_gm 0 inspect "$DEB"
	assert_contains "$output" "$DEB:bin/cat: ELF64 x86_64 PIE executable"
	assert_contains "$output" "$DEB: package floor GLIBC_2.34, set by $DEB:bin/cat (__libc_start_main@GLIBC_2.34 from libc.so.6)"
	[ "$(grep -c ": ELF64 " <<<"$output")" -eq 106 ]
	TMPDIR=$t run_gm 1 inspect --max-glibc 2.33 "$DEB"
	assert_contains "$output" "$DEB:bin/cat: GLIBC_2.34 from libc.so.6 (__libc_start_main)"
	TMPDIR=$t run_gm 0 inspect --json "$DEB"
	[ "$(python3 -c 'import json, sys; print(len(json.load(sys.stdin)))' <<<"$output")" -eq 106 ]
	printf 'not a tarball' >"$t/junk.tgz"
	TMPDIR=$t run_gm 2 inspect "$t/junk.tgz"
	assert_contains "$output" "junk.tgz': Unrecognized archive format"
	rm "$t/junk.tgz"
	[ -z "$(ls -A "$t")" ]
}

@test "explain PKG:PATH: one file of a package, shown by its name; a package of one ELF file is that file, one of many is refused" {
	deb_download jq
	local t=$BATS_TEST_TMPDIR/tmp
	mkdir -p "$t"
	TMPDIR=$t run_gm 1 explain "$DEB:usr/bin/jq" --against bullseye
	assert_contains "$output" "$DEB:usr/bin/jq against debian-bullseye-amd64 (glibc 2.31, x86_64): will NOT load"
	assert_contains "$output" "glibc floor of $DEB:usr/bin/jq: GLIBC_2.34"
	# A package of one ELF file is that file.
	TMPDIR=$t run_gm 1 explain "$DEB" --against bullseye --json
	assert_contains "$output" "\"file\":\"$DEB:usr/bin/jq\""
	deb_download coreutils
	TMPDIR=$t run_gm 2 explain "$DEB" --against bullseye
	assert_contains "$output" "is a package of 106 ELF files; name one as $DEB:PATH"
	[ -z "$(ls -A "$t")" ]
}
