#!/usr/bin/env bats
# The reproduce commands of the reports: each runs its one cell again with
# every option that shaped it (--args, --library-path, --host-program,
# --expect-exit, --timeout, --hook, the tree), and the cell comes out of
# the same class.  Every option here changes some cell's class when it is
# left out: a program that aborts unless its arguments arrive intact, needs
# a library only --library-path finds and exits 0 where 7 is expected; a
# shared object that node refuses (it registers no module) but load-object
# loads; a hook that injects nothing.

load helpers

setup_file() {
	require_tool mmdebstrap mmdebstrap
	ensure_sysroot debian-bullseye-amd64 import bullseye
	ensure_sysroot debian-trixie-amd64 import trixie
	"$GM" --quiet rootfs build bullseye 3>&- || return 1
	local d=$BATS_FILE_TMPDIR
	mkdir -p "$d/lib"
	cat >"$d/args.c" <<-'EOF'
	#include <stdlib.h>
	#include <string.h>
	int extra(void);
	int main(int argc, char **argv)
	{
		if (argc != 4 || strcmp(argv[2], "a b") != 0 || strcmp(argv[3], "$HOME") != 0)
			abort();
		return atoi(argv[1]) + EXTRA;
	}
	EOF
	cc -shared -fPIC -o "$d/lib/libextra.so" -x c - <<<'int extra(void) { return 0; }'
	cc -DEXTRA='extra()' -o "$d/prog" "$d/args.c" -L"$d/lib" -lextra
	cc -DEXTRA=0 -o "$d/plain" "$d/args.c"
	cc -shared -fPIC -o "$d/mod.node" -x c - <<<'int f(void) { return 0; }'
}

@test "every reproduce command of a report runs its cell again, with the options that shaped it, into the same class" {
	require_runtime
	require_tool node nodejs
	local d=$BATS_FILE_TMPDIR out=$BATS_TEST_TMPDIR
	local hook=$BATS_TEST_DIRNAME/fixtures/hooks/well-behaved-hook
	run_gm 1 -q check "$d/prog" "$d/plain" --against bullseye --against trixie \
		-m loader -m interp -m inject -m container --rootfs bullseye \
		--args "0 'a b' \$HOME" --library-path "$d/lib" --expect-exit 7 --timeout 30 \
		--hook "$hook" --out "$out/a"
	run_gm 1 -q check "$d/mod.node" --against trixie -m loader \
		--host-program "node -e 'require(process.argv[1])'" --out "$out/b"
	run_gm 0 report "$out/a/results.json" "$out/b/results.json" --format tap -o "$out/r.tap"
	# Every cell is not as expected, so each has its reproduce command.
	python3 - "$out/r.tap" "$out/a/results.json" "$out/b/results.json" >"$out/cmds" <<-'PY'
	import json, sys
	# (the image's own programs, cells beside inject's, ran as expected)
	cells = sum(1 for p in sys.argv[2:] for c in json.load(open(p))["cells"]
	            if not c["subject"].startswith("image:"))
	points, observed = [], None
	for line in open(sys.argv[1]):
	    line = line.rstrip("\n")
	    if line.startswith("  observed: "):
	        observed = json.loads(line[len("  observed: "):])
	    elif line.startswith("  reproduce: "):
	        points.append((observed, json.loads(line[len("  reproduce: "):])))
	assert len(points) == cells, (len(points), cells)
	for observed, cmd in points:
	    print(observed + "\t" + cmd)
	PY
	cat "$out/cmds"
	# Each runs one cell, of the class the report has.
	glibc-matrix() { "$GM" -q "$@"; }
	local n=0 class cmd got
	while IFS=$'\t' read -r class cmd; do
		n=$((n + 1))
		eval "$cmd --out \"\$out/r$n\"" 3>&- >"$out/r$n.log" 2>&1 || :
		got=$(python3 -c 'import json, sys; (c,) = [c for c in json.load(open(sys.argv[1]))["cells"] if not c["subject"].startswith("image:")]; print(c["observed"]["outcome"])' \
			"$out/r$n/results.json") || { cat "$out/r$n.log"; false; }
		echo "$class -> $got: $cmd"
		[ "$got" = "$class" ]
	done <"$out/cmds"
	[ "$n" -ge 15 ]
	# What shaped a cell is in its command, and nothing of another's.
	python3 - "$out/cmds" "$hook" "$d/lib" <<-'PY'
	import os, shlex, sys
	cmds, hook, lib = sys.argv[1:4]
	for line in open(cmds):
	    w = shlex.split(line.rstrip("\n").split("\t", 1)[1])
	    opt = lambda o: w[w.index(o) + 1] if o in w else None
	    assert w[:2] == ["glibc-matrix", "check"] and w.count("--against") == 1, w
	    assert (opt("--hook") == hook) == (opt("--method") == "inject"), w
	    if w[2].endswith("mod.node"):
	        hp = shlex.split(opt("--host-program"))
	        assert os.path.basename(hp[0]).startswith("node"), w
	        assert hp[1:] == ["-e", "require(process.argv[1])"], w
	        assert "--args" not in w and "--expect-exit" not in w, w
	    else:
	        assert shlex.split(opt("--args")) == ["0", "a b", "$HOME"], w
	        assert opt("--library-path") == os.path.realpath(lib), w
	        assert opt("--expect-exit") == "7" and opt("--timeout") == "30", w
	        assert "--host-program" not in w, w
	        assert opt("--method") not in ("inject", "container") or opt("--rootfs") == "bullseye", w
	PY
}

@test "a document written before cells carried their options still reports a reproduce command, with the expected exit status" {
	local d=$BATS_FILE_TMPDIR out=$BATS_TEST_TMPDIR
	run_gm 1 -q check "$d/plain" --against trixie -m loader --args "0 'a b' \$HOME" --expect-exit 7 \
		--out "$out/a"
	python3 - "$out/a/results.json" "$out/old.json" <<-'PY'
	import json, sys
	d = json.load(open(sys.argv[1]))
	assert all(c["options"] for c in d["cells"]), d["cells"]
	for c in d["cells"]:
	    del c["options"]
	json.dump(d, open(sys.argv[2], "w"))
	PY
	run_gm 0 report "$out/old.json" --format tap
	assert_contains "$output" "reproduce: \"glibc-matrix check $d/plain --against debian-trixie-amd64 --method loader --expect-exit 7\""
}
