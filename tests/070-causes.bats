#!/usr/bin/env bats
# Causes and remedies as data (sysroots/causes.tsv): every row's remedy is
# proven by its probe pair against the real loader, and explain --why names
# the cause of each needed node, for our probes and for a real program of
# Debian's archive that nobody here wrote.

load helpers

setup_file() {
	ensure_sysroot debian-bullseye-amd64 import bullseye
	ensure_sysroot debian-bookworm-amd64 import bookworm
	ensure_sysroot debian-trixie-amd64 import trixie
	ensure_sysroot debian-sid-amd64 import sid
}

teardown_file() {
	"$GM" --quiet sysroot remove gm-why-trixie >/dev/null 2>&1 3>&- || true
}

# proofs: the rows of causes.tsv as "id kind P PB R RB OLD" (OLD "-" for removes).
proofs() {
	python3 - "$TOP/sysroots/causes.tsv" <<-'PY'
	import sys
	for line in open(sys.argv[1]):
	    if line.startswith("#") or not line.strip():
	        continue
	    f = line.rstrip("\n").split("\t")
	    p = f[5].split()
	    if p[0] == "pair" and len(p) == 4:
	        (pc, pb), (rc, rb) = p[1].split("@"), p[2].split("@")
	        print(f[0], "pair", pc, pb, rc, rb, p[3])
	    elif p[0] == "removes" and len(p) == 3:
	        (pc, pb), (rc, rb) = p[1].split("@"), p[2].split("@")
	        print(f[0], "removes", pc, pb, rc, rb, "-")
	    else:
	        print(f[0], "NO-PROOF")
	PY
}

@test "causes.tsv: every row has a proof, and covers the boundaries of glibc-facts" {
	run proofs
	echo "$output"
	assert_not_contains "$output" "NO-PROOF"
	[ "${#lines[@]}" -ge 14 ]
	for id in start-main libpthread-merge file-offset-bits c23-redirect fortify dt-relr memcpy-2.14 \
		new-api cxa-thread-atexit libstdc++-headers unwinder; do
		assert_contains "$output" "$id "
	done
	# A malformed row is an error naming the file and the line.
	mkdir "$BATS_TEST_TMPDIR/recipes"
	cp "$TOP"/sysroots/*.tsv "$BATS_TEST_TMPDIR/recipes/"
	printf 'broken\tonly two fields\n' >>"$BATS_TEST_TMPDIR/recipes/causes.tsv"
	GLIBC_MATRIX_RECIPES=$BATS_TEST_TMPDIR/recipes run_gm 3 explain /usr/bin/true --against bookworm --why
	# The appended line's own number, in the one wording of every data file.
	assert_contains "$output" "causes.tsv:$(wc -l <"$BATS_TEST_TMPDIR/recipes/causes.tsv"): want id, symbols, nodes, cause, remedy, proof (6 tab-separated fields, none empty), found 2"
}

@test "every remedy is proven: the pair built as the row says, run by the real loader, the node gone" {
	local out=$BATS_TEST_TMPDIR/out args=() seen=" "
	while read -r id kind pc pb rc rb old; do
		for x in "--case $pc" "--case $rc" "--build $pb" "--build $rb" "--run $pb" "--run $rb"; do
			[[ $seen == *" $x "* ]] || { args+=($x); seen+="$x "; }
		done
		[ "$old" = - ] || [[ $seen == *" --run $old "* ]] || { args+=(--run "$old"); seen+="--run $old "; }
	done < <(proofs)
	run_gm 0 run "${args[@]}" -m loader --out "$out"
	assert_contains "$output" "0 mismatches"
	proofs >"$BATS_TEST_TMPDIR/proofs"
	run python3 - "$out/results.json" "$BATS_TEST_TMPDIR/proofs" "$TOP/sysroots/causes.tsv" "$GM" <<-'PY'
	import fnmatch, json, re, subprocess, sys
	res, proofs, table, gm = sys.argv[1:5]
	rows = {}
	for line in open(table):
	    if line.startswith("#") or not line.strip():
	        continue
	    f = line.rstrip("\n").split("\t")
	    rows[f[0]] = (f[1].split(","), f[2].split(","))
	name = {}
	def full(s):
	    if s not in name:
	        out = subprocess.run([gm, "sysroot", "show", s], capture_output=True, text=True).stdout
	        name[s] = re.search(r"^name: *(\S+)", out, re.M).group(1)
	    return name[s]
	cells = {(c["subject"], c["build"], c["run"]): c for c in json.load(open(res))["cells"]}
	def needs(binary, sym_globs, node_globs):
	    """(node, symbol) pairs of binary that the row's globs match."""
	    out = subprocess.run(["objdump", "-T", binary], capture_output=True, text=True).stdout
	    found = []
	    for m in re.finditer(r"\*UND\*\s+\S+\s+(?:Base\s+)?\(?([A-Z_]+[0-9.]*)\)?\s+(\S+)$", out, re.M):
	        node, sym = m.groups()
	        if any(fnmatch.fnmatch(node, g) for g in node_globs) and \
	           any(g == "*" or fnmatch.fnmatch(sym, g) for g in sym_globs):
	            found.append((node, sym))
	    vr = subprocess.run(["readelf", "-V", binary], capture_output=True, text=True).stdout
	    for node in re.findall(r"Name: (\S+)\s+Flags", vr):
	        if any(fnmatch.fnmatch(node, g) for g in node_globs) and "*" in sym_globs:
	            found.append((node, None))
	    return found
	bad = []
	for line in open(proofs):
	    rid, kind, pc, pb, rc, rb, old = line.split()
	    syms, nodes = rows[rid]
	    P = cells[(pc, full(pb), full(old if kind == "pair" else pb))]
	    R = cells[(rc, full(rb), full(old if kind == "pair" else rb))]
	    p_needs, r_needs = needs(P["binary"], syms, nodes), needs(R["binary"], syms, nodes)
	    # The node in question: the newest the row matches in P.  R may keep
	    # older ones of the row (exp10@GLIBC_2.2.5, GLIBCXX_3.4).
	    key = lambda n: [int(x) for x in re.findall(r"[0-9]+", n)] or [1 << 30]
	    top = max((n for n, _ in p_needs), key=key) if p_needs else None
	    r_has = [x for x in r_needs if x[0] == top]
	    ok = bool(p_needs) and not r_has and R["observed"]["outcome"] == "ok"
	    if kind == "pair":
	        ok = ok and P["observed"]["outcome"] == "symbol-version"
	    else:
	        ok = ok and P["observed"]["outcome"] == "ok"
	    print(rid, kind, top, P["observed"]["outcome"], R["observed"]["outcome"], r_has)
	    if not ok:
	        bad.append(rid)
	assert not bad, bad
	PY
	echo "$output"
	[ "$status" -eq 0 ]
}

@test "explain --why: each needed node with its cause and remedy, text and JSON; a node without a known cause says so" {
	ensure_sysroot debian-trixie-amd64 import trixie
	local probe
	run_gm 0 probes build --sysroot trixie --case strtol-c23
	probe=$(find "$GLIBC_MATRIX_STORE/probes/debian-trixie-amd64" -path '*strtol-c23-*/probe' | head -n 1)
	[ -x "$probe" ]
	run_gm 1 explain "$probe" --against bookworm --why
	echo "$output"
	assert_contains "$output" "__isoc23_strtol@GLIBC_2.38"
	assert_contains "$output" "why __isoc23_strtol [c23-redirect]: C23 mode"
	assert_contains "$output" "remedy: compile as C17"
	run_gm 1 explain "$probe" --against bookworm --why --json
	[ "$(python3 -c 'import json,sys; p=[p for p in json.load(sys.stdin)["problems"] if p["node"] == "GLIBC_2.38"][0]; print(p["why"][0]["id"], p["why"][0]["symbols"])' <<<"$output")" = "c23-redirect ['__isoc23_strtol']" ]
	# A table without the row: the node's cause is unknown, and it says so.
	mkdir "$BATS_TEST_TMPDIR/recipes"
	cp "$TOP"/sysroots/*.tsv "$BATS_TEST_TMPDIR/recipes/"
	grep -v '^c23-redirect' "$TOP/sysroots/causes.tsv" >"$BATS_TEST_TMPDIR/recipes/causes.tsv"
	GLIBC_MATRIX_RECIPES=$BATS_TEST_TMPDIR/recipes run_gm 1 explain "$probe" --against bookworm --why
	assert_contains "$output" "why __isoc23_strtol: no known cause ($BATS_TEST_TMPDIR/recipes/causes.tsv has no row for it)"
}

@test "explain --why on Debian trixie's jq (fetched from the archive): C23's __isoc23_strtol against bookworm, start-up code against bullseye; the real loader agrees" {
	run_gm 0 sysroot import trixie --with jq --name gm-why-trixie
	local jq=$GLIBC_MATRIX_STORE/sysroots/gm-why-trixie/usr/bin/jq
	[ -x "$jq" ]
	run_gm 1 explain "$jq" --against bookworm --why
	echo "$output"
	assert_contains "$output" "why __isoc23_strtol [c23-redirect]"
	run_gm 1 explain "$jq" --against bullseye --why
	echo "$output"
	assert_contains "$output" "why __libc_start_main [start-main]"
	run_gm 1 check "$jq" --against bookworm -m loader --library-path "$GLIBC_MATRIX_STORE/sysroots/gm-why-trixie/usr/lib/x86_64-linux-gnu" --out "$BATS_TEST_TMPDIR/out"
	assert_contains "$output" "0 mismatches"
	run method_cells "$BATS_TEST_TMPDIR/out"
	echo "$output"
	assert_contains "$output" "loader debian-bookworm-amd64 symbol-version symbol-version GLIBC_2.38"
	# check's results.json carries the cause of each needed node.
	run python3 -c 'import json,sys; print([w["id"] for c in json.load(open(sys.argv[1]))["cells"] for p in c["predicted"]["problems"] for w in p.get("why", [])])' "$BATS_TEST_TMPDIR/out/results.json"
	assert_contains "$output" "'c23-redirect'"
	# and the reports show it beside the symbols.
	grep -q "__isoc23_strtol@GLIBC_2.38</code> (why: c23-redirect)" "$BATS_TEST_TMPDIR/out/report.html"
	grep -q "__isoc23_strtol (why: c23-redirect)" "$BATS_TEST_TMPDIR/out/junit.xml"
}
