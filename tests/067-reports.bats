#!/usr/bin/env bats
# The results document (reports/schema.json) and `glibc-matrix report`:
# every format checked by the tool its readers use (a JSON Schema
# validator, xmllint against a JUnit schema, Perl's TAP parser, headless
# Chromium for the HTML page).

load helpers

setup_file() {
	ensure_sysroot debian-bullseye-amd64 import bullseye
	ensure_sysroot debian-trixie-amd64 import trixie
	local d=$BATS_FILE_TMPDIR
	# A program that prints what JSON cannot carry as is: a UTF-16
	# byte-order mark, a NUL, then 3000 bytes; one that fails on its own;
	# one that hangs.
	cat >"$d/noisy.c" <<-'EOF'
	#include <stdio.h>
	#include <string.h>
	#include <unistd.h>
	int main(int argc, char **argv)
	{
		if (argc > 1 && strcmp(argv[1], "fail") == 0)
			return 3;
		if (argc > 1 && strcmp(argv[1], "hang") == 0)
			pause();
		fwrite("\376\377a\0b caf\303\251\n", 1, 12, stdout);
		for (int i = 0; i < 3000; i++)
			putchar('x');
		return 0;
	}
	EOF
	cc -o "$d/noisy" "$d/noisy.c"
	cp "$d/noisy" "$d/failing"
	cp "$d/noisy" "$d/hanging"
	# Each exit status is what the cells say: noisy (built here, on a
	# glibc >= 2.34) lacks GLIBC_2.34 on bullseye, failing exits 3, hanging
	# times out: findings, 1.  The run has no mismatch: 0.
	run_gm 1 -q check "$d/noisy" --against bullseye --against trixie -m loader -m interp \
		--out "$d/check"
	run_gm 1 -q check "$d/failing" --args fail --against trixie -m loader --out "$d/failing-out"
	run_gm 1 -q check "$d/hanging" --args hang --timeout 1 --against trixie -m loader \
		--out "$d/hanging-out"
	run_gm 0 -q run --build debian-bullseye-amd64 --build debian-trixie-amd64 \
		--run debian-bullseye-amd64 --run debian-trixie-amd64 -m loader -m interp -m env \
		--case hello --case relr --case static --out "$d/run"
}

# validate FILE...: each is a results document by reports/schema.json.
validate() {
	python3 - "$TOP/reports/schema.json" "$@" <<-'PY'
	import json, sys
	import jsonschema
	schema = json.load(open(sys.argv[1]))
	jsonschema.Draft202012Validator.check_schema(schema)
	v = jsonschema.Draft202012Validator(schema)
	bad = 0
	for path in sys.argv[2:]:
	    for e in v.iter_errors(json.load(open(path))):
	        print(path, e.json_path, e.message[:300])
	        bad += 1
	sys.exit(1 if bad else 0)
	PY
}

@test "results documents of check and run validate against reports/schema.json" {
	require_python jsonschema python3-jsonschema
	local d=$BATS_FILE_TMPDIR
	validate "$d/check/results.json" "$d/run/results.json" "$d/failing-out/results.json" \
		"$d/hanging-out/results.json"
	# What the schema cannot say: identities and the missing symbols.
	python3 - "$d/run/results.json" "$d/noisy" "$d/check/results.json" <<-'PY'
	import hashlib, json, sys
	run = json.load(open(sys.argv[1]))
	assert run["tool"]["name"] == "glibc-matrix" and run["command_line"][1] == "-q"
	assert {s["name"] for s in run["sysroots"]} == {"debian-bullseye-amd64", "debian-trixie-amd64"}
	sv = [c for c in run["cells"] if c["observed"]["outcome"] == "symbol-version"]
	assert sv, "no symbol-version cell"
	for c in sv:
	    assert any(p["node"] for p in c["predicted"]["problems"]), c
	    assert "not found" in c["observed"]["loader_message"], c
	# hello built on trixie needs __libc_start_main@GLIBC_2.34 (start-up code).
	hello = [p for c in sv if c["subject"] == "hello" for p in c["predicted"]["problems"]]
	assert any(p["node"] == "GLIBC_2.34" and "__libc_start_main" in p["symbols"] for p in hello), hello
	check = json.load(open(sys.argv[3]))
	# A user's program reports nothing: the libc it ran on is what the real
	# loader maps for the same command in trace mode.
	versions = {"debian-bullseye-amd64": "2.31", "debian-trixie-amd64": "2.41"}
	for c in check["cells"]:
	    assert c["observed"]["glibc"] == versions[c["run"]], c["observed"]
	    assert "/sysroots/%s/" % c["run"] in c["observed"]["libc"], c["observed"]
	subj = check["subjects"][0]
	assert subj["kind"] == "dynamic executable"
	assert subj["sha256"] == hashlib.sha256(open(sys.argv[2], "rb").read()).hexdigest()
	PY
	# The manifests' hashes are those of the store's files.
	local name sum
	for name in debian-bullseye-amd64 debian-trixie-amd64; do
		sum=$(sha256sum <"$GLIBC_MATRIX_STORE/sysroots/$name/sysroot.json" | cut -d' ' -f1)
		grep -q "\"manifest_sha256\":\"$sum\"" <(tr -d ' \n' <"$BATS_FILE_TMPDIR/run/results.json")
	done
}

@test "captured output is valid UTF-8: foreign bytes escaped, NULs kept, long output capped with a marker" {
	python3 - "$BATS_FILE_TMPDIR/check/results.json" <<-'PY'
	import json, sys
	raw = open(sys.argv[1], "rb").read()
	raw.decode("utf-8")  # strict: raises on invalid UTF-8
	d = json.loads(raw)
	ok = [c for c in d["cells"] if c["observed"]["outcome"] == "ok"]
	assert ok
	for c in ok:
	    out = c["observed"]["stdout"]
	    assert out.startswith("\\xFE\\xFFa\x00b café\n"), repr(out[:20])
	    assert "x" * 1980 in out
	    assert out.endswith("[... %d more bytes not shown]" % (12 + 3000 - 2000)), repr(out[-60:])
	PY
}

@test "a program that loads and then fails or hangs is not a prediction mismatch, but is not as expected" {
	python3 - "$BATS_FILE_TMPDIR/failing-out/results.json" "$BATS_FILE_TMPDIR/hanging-out/results.json" <<-'PY'
	import json, sys
	for path, outcome in zip(sys.argv[1:], ["failed", "timeout"]):
	    d = json.load(open(path))
	    (c,) = d["cells"]
	    assert c["predicted"]["outcome"] == "ok", c["predicted"]
	    assert c["observed"]["outcome"] == outcome, c["observed"]
	    assert c["mismatch"] is False and c["unexpected"] is True, c
	    assert c["expected"] == {"outcome": "ok", "exit": 0}, c["expected"]
	    assert d["summary"]["mismatches"] == 0 and d["summary"]["unexpected"] == 1
	PY
}

@test "report: Markdown, JUnit valid against the JUnit schema, TAP 14 that a TAP parser reads, JSON" {
	local d=$BATS_FILE_TMPDIR out=$BATS_TEST_TMPDIR
	run_gm 0 report "$d/run/results.json" "$d/check/results.json" -o "$out/r.md"
	run cat "$out/r.md"
	assert_contains "$output" "## glibc-matrix: "
	assert_contains "$output" "| built against \\ run against | debian-bullseye-amd64 | debian-trixie-amd64 |"
	assert_contains "$output" "### Not as expected"
	run_gm 0 report "$d/check/results.json"
	assert_contains "$output" "| file \\ run against | debian-bullseye-amd64 | debian-trixie-amd64 |"
	# JUnit: one testcase per cell, failures where the cells were not as
	# expected, valid against the schema the common readers share.
	run_gm 0 report "$d/run/results.json" "$d/check/results.json" --format junit -o "$out/r.xml"
	require_tool xmllint libxml2-utils
	run xmllint --noout --schema "$TOP/tests/fixtures/junit.xsd" "$out/r.xml"
	echo "$output"
	[ "$status" -eq 0 ]
	local cells unexpected
	cells=$(python3 -c 'import json,sys; print(sum(len(json.load(open(p))["cells"]) for p in sys.argv[1:]))' \
		"$d/run/results.json" "$d/check/results.json")
	unexpected=$(python3 -c 'import json,sys; print(sum(json.load(open(p))["summary"]["unexpected"] for p in sys.argv[1:]))' \
		"$d/run/results.json" "$d/check/results.json")
	[ "$(grep -c '<testcase ' "$out/r.xml")" -eq "$cells" ]
	[ "$(grep -c '<failure ' "$out/r.xml")" -eq "$unexpected" ]
	grep -q "<testsuites name=\"glibc-matrix\" tests=\"$cells\" failures=\"$unexpected\"" "$out/r.xml"
	grep -q "reproduce: glibc-matrix check $d/noisy --against debian-bullseye-amd64 --method loader" "$out/r.xml"
	grep -q "GLIBC_2.34: __libc_start_main" "$out/r.xml"
	# TAP 14 (Perl's parser knows 13, which 14 extends compatibly).
	run_gm 0 report "$d/run/results.json" "$d/check/results.json" --format tap -o "$out/r.tap"
	[ "$(head -n 1 "$out/r.tap")" = "TAP version 14" ]
	run perl -MTAP::Parser -e '
		my $p = TAP::Parser->new({tap => join("", <STDIN>)});
		while (my $r = $p->next) {}
		my @e = $p->parse_errors;
		print "tests=", $p->tests_run, " failed=", scalar($p->failed), " errors=", scalar(@e), "\n"' \
		< <(sed '1s/14/13/' "$out/r.tap")
	echo "$output"
	[ "$output" = "tests=$cells failed=$unexpected errors=0" ]
	# JSON: the merged document is a valid document of every cell.
	run_gm 0 report "$d/run/results.json" "$d/check/results.json" --format json -o "$out/merged.json"
	if python3 -c 'import jsonschema' 2>/dev/null; then validate "$out/merged.json"; fi
	python3 - "$out/merged.json" "$cells" <<-'PY'
	import json, sys
	d = json.load(open(sys.argv[1]))
	assert [c["id"] for c in d["cells"]] == list(range(int(sys.argv[2])))
	assert d["summary"]["cells"] == int(sys.argv[2])
	PY
}

@test "report --format html: one self-contained page, rendered by headless Chromium, a cell per cell" {
	require_tool chromium chromium
	local d=$BATS_FILE_TMPDIR out=$BATS_TEST_TMPDIR
	run_gm 0 report "$d/run/results.json" "$d/check/results.json" -o "$out/r.html"
	# Nothing to fetch: no scripts, styles, fonts or images from elsewhere.
	run ! grep -Eqi '<script|<link|src=|url\(|https?://' "$out/r.html"
	local cells
	cells=$(python3 -c 'import json,sys; print(sum(len(json.load(open(p))["cells"]) for p in sys.argv[1:]))' \
		"$d/run/results.json" "$d/check/results.json")
	# Chromium parses and lays it out; the DOM it ends with is asserted on.
	timeout 120 chromium --headless --no-sandbox --disable-gpu --enable-logging=stderr --v=0 \
		--screenshot="$out/r.png" --window-size=390,844 "file://$out/r.html" \
		>"$out/shot.log" 2>&1 3>&-
	[ -s "$out/r.png" ]
	# Kept for people to look at (reports/*/ is not tracked).
	mkdir -p "$TOP/reports/tests"
	cp "$out/r.png" "$TOP/reports/tests/report-phone.png"
	run ! grep -E 'CONSOLE|Uncaught' "$out/shot.log"
	timeout 120 chromium --headless --no-sandbox --disable-gpu --dump-dom "file://$out/r.html" \
		>"$out/dom.html" 2>/dev/null 3>&-
	python3 - "$out/dom.html" "$cells" <<-'PY'
	import sys
	from html.parser import HTMLParser
	class P(HTMLParser):
	    def __init__(self):
	        super().__init__()
	        self.cells = self.squares = self.square_cells = 0
	        self.grids = 0
	    def handle_starttag(self, tag, attrs):
	        a = dict(attrs)
	        cls = a.get("class", "").split()
	        if tag == "li" and "cell" in cls:
	            self.cells += 1
	        if tag == "td" and "sq" in cls and "empty" not in cls:
	            self.squares += 1
	            self.square_cells += int(a["data-cells"])
	        if tag == "table" and "grid" in cls:
	            self.grids += 1
	p = P()
	p.feed(open(sys.argv[1]).read())
	want = int(sys.argv[2])
	assert p.cells == want and p.square_cells == want, (p.cells, p.square_cells, want)
	assert p.grids == 3, p.grids  # loader, interp, env
	PY
	grep -q 'id="unexpected"' "$out/dom.html"
	grep -q '<code>glibc-matrix check' "$out/dom.html"
}

@test "report: bad input is exit 2 naming the file and the cause; nothing half-written" {
	local out=$BATS_TEST_TMPDIR
	printf 'not json' >"$out/x.json"
	run_gm 2 report "$out/x.json" -o "$out/r.html"
	assert_contains "$output" "'$out/x.json':"
	[ ! -e "$out/r.html" ]
	printf '{"schema": 1, "tool": "glibc-matrix", "cells": []}' >"$out/old.json"
	run_gm 2 report "$out/old.json"
	assert_contains "$output" "not a glibc-matrix results document"
	printf '{"schema": 1, "tool": {"name": "glibc-matrix"}, "cells": []}' >"$out/old.json"
	run_gm 2 report "$out/old.json"
	assert_contains "$output" "another schema"
	run_gm 2 report "$out/no-such.json"
	assert_contains "$output" "no-such.json"
	run_gm 2 report "$BATS_FILE_TMPDIR/run/results.json" --format pdf
	assert_contains "$output" "unknown format 'pdf'"
	run_gm 3 report "$BATS_FILE_TMPDIR/run/results.json" -o "$out/no/such/dir/r.md"
	[ ! -e "$out/no" ]
	run_gm 2 report
}

@test "check --baseline gates on regressions only; report --baseline lists them first" {
	local d=$BATS_TEST_TMPDIR prog=$BATS_TEST_TMPDIR/app
	printf '#include <stdio.h>\nint main(void) { puts("hi"); return 0; }\n' >"$d/app.c"
	# shellcheck disable=SC2046 # flags prints words meant to be split
	gcc $("$GM" flags --sysroot bullseye 3>&-) -o "$prog" "$d/app.c"
	# The baseline: the host's ls fails on bullseye, the program runs.
	run_gm 1 check /usr/bin/ls "$prog" --against bullseye -m loader --out "$d/old"
	# A failure already in the baseline does not fail the gate ...
	run_gm 0 check /usr/bin/ls "$prog" --against bullseye -m loader --baseline "$d/old/results.json" \
		--out "$d/same"
	assert_contains "$output" "0 regressions"
	# ... nor does a new cell that works; a new one that fails does.
	cp "$prog" "$d/app2"
	run_gm 0 check /usr/bin/ls "$prog" "$d/app2" --against bullseye -m loader \
		--baseline "$d/old/results.json" --out "$d/more"
	assert_contains "$output" "1 new"
	run_gm 1 check /usr/bin/ls "$prog" --against bullseye -m loader -m interp \
		--baseline "$d/old/results.json" --out "$d/more2"
	assert_contains "$output" "1 regression,"
	# ... a cell that worked and no longer does does: the same program built
	# on the host needs GLIBC_2.34.
	gcc -o "$prog" "$d/app.c"
	run_gm 1 check /usr/bin/ls "$prog" --against bullseye -m loader --baseline "$d/old/results.json" \
		--out "$d/new"
	assert_contains "$output" "1 regression,"
	run_gm 1 report --baseline "$d/old/results.json" "$d/new/results.json"
	assert_contains "$output" "### Regressions"
	assert_contains "$output" "| $prog | - | debian-bullseye-amd64 | loader | ok | symbol-version (GLIBC_2.34) |"
	assert_contains "$output" "1 regression against $d/old/results.json"
	run_gm 0 report --baseline "$d/new/results.json" "$d/old/results.json" --format json
	python3 -c 'import json, sys; c = json.loads(sys.argv[1][:sys.argv[1].rindex("]") + 1]); assert [x["change"] for x in c] == ["fixed"], c' "$output"
	run_gm 2 check "$prog" --against bullseye --baseline "$d/no-such.json"
	run_gm 2 report --baseline "$d/old/results.json" "$d/new/results.json" --format junit
}

@test "run --shard I/N: three slices, balanced, together the unsharded plan; report merge equals the unsharded run" {
	local d=$BATS_TEST_TMPDIR i
	local args=(--build debian-bullseye-amd64 --build debian-trixie-amd64 --run debian-bullseye-amd64
		--run debian-trixie-amd64 -m loader -m interp -m env)
	for i in 1 2 3; do
		run_gm 0 -q run "${args[@]}" --shard "$i/3" --out "$d/s$i"
	done
	run_gm 0 -q run "${args[@]}" --out "$d/all"
	run_gm 0 report merge "$d/s1/results.json" "$d/s2/results.json" "$d/s3/results.json" -o "$d/merged.json"
	python3 - "$d" <<-'PY'
	import json, sys
	d = sys.argv[1]
	key = lambda c: (c["subject"], c["build"], c["run"], c["method"], c["rootfs"], c["arch"])
	view = lambda c: (c["predicted"]["outcome"], c["predicted"]["detail"], c["observed"]["outcome"],
	                  c["mismatch"], c["unexpected"], c["expected"]["outcome"])
	shards = [json.load(open(f"{d}/s{i}/results.json"))["cells"] for i in (1, 2, 3)]
	sizes = [len(s) for s in shards]
	assert max(sizes) - min(sizes) <= max(sizes) // 5, sizes
	keys = [key(c) for s in shards for c in s]
	assert len(keys) == len(set(keys)), "a cell in two shards"
	merged = json.load(open(f"{d}/merged.json"))
	full = json.load(open(f"{d}/all/results.json"))
	a = {key(c): view(c) for c in merged["cells"]}
	b = {key(c): view(c) for c in full["cells"]}
	assert a == b, [k for k in set(a) | set(b) if a.get(k) != b.get(k)][:5]
	assert merged["summary"]["cells"] == full["summary"]["cells"] == sum(sizes)
	assert merged["summary"]["observed"] == full["summary"]["observed"]
	print(sizes)
	PY
	run_gm 2 run --shard 4/3
	run_gm 2 run --shard 0/3
	run_gm 2 run --shard x
}

@test "CI templates: GitHub Actions and GitLab CI parse, fan out over a job matrix and merge the shards" {
	require_python yaml python3-yaml
	python3 - "$TOP/ci/github/glibc-matrix.yml" "$TOP/ci/gitlab/glibc-matrix.gitlab-ci.yml" <<-'PY'
	import re, sys, yaml
	gh = yaml.safe_load(open(sys.argv[1]))
	jobs = gh["jobs"]
	shards = jobs["shard"]["strategy"]["matrix"]["shard"]
	assert shards == list(range(1, len(shards) + 1)), shards
	assert str(len(shards)) == str(gh["env"]["SHARDS"])
	run = " ".join(s.get("run", "") for s in jobs["shard"]["steps"])
	assert "--shard \"${{ matrix.shard }}/$SHARDS\"" in run, run
	assert jobs["merge"]["needs"] == "shard"
	merge = " ".join(s.get("run", "") for s in jobs["merge"]["steps"])
	for want in ("report merge shards/*/results.json", "GITHUB_STEP_SUMMARY", "--format junit"):
	    assert want in merge, want
	uses = [s["uses"] for j in jobs.values() for s in j["steps"] if "uses" in s]
	assert all(re.fullmatch(r"actions/[a-z-]+@v\d+", u) for u in uses), uses
	gl = yaml.safe_load(open(sys.argv[2]))
	shard = gl["glibc-matrix-shard"]
	assert isinstance(shard["parallel"], int) and shard["parallel"] > 1
	assert any('--shard "$CI_NODE_INDEX/$CI_NODE_TOTAL"' in l for l in shard["script"]), shard["script"]
	rep = gl["glibc-matrix-report"]
	assert rep["needs"][0]["job"] == "glibc-matrix-shard"
	assert rep["artifacts"]["reports"]["junit"] == "junit.xml"
	assert any("report merge shard-*/results.json" in l for l in rep["script"])
	assert set(gl["stages"]) == {shard["stage"], rep["stage"]}
	PY
	if command -v yamllint >/dev/null; then
		yamllint -d '{extends: relaxed, rules: {line-length: {max: 140}}}' \
			"$TOP/ci/github/glibc-matrix.yml" "$TOP/ci/gitlab/glibc-matrix.gitlab-ci.yml"
	fi
	# The option the templates pass through to run exists.
	run_gm 0 run --help
	assert_contains "$output" "--shard I/N"
	grep -q 'RUN-ARGS' "$TOP/ci/default-sysroots.sh"
}

@test "golden files: every format of a fixed document is byte for byte what it was" {
	local fx=$TOP/tests/fixtures/report f ext
	for f in html md junit tap json; do
		case $f in junit) ext=xml ;; *) ext=$f ;; esac
		run_gm 0 report "$fx/results.json" --format "$f" -o "$BATS_TEST_TMPDIR/out.$ext"
		if [ "${GM_UPDATE_GOLDEN:-}" = 1 ]; then
			cp "$BATS_TEST_TMPDIR/out.$ext" "$fx/golden.$ext"
			continue
		fi
		# Never regenerated silently: a difference fails, shown.
		diff -u "$fx/golden.$ext" "$BATS_TEST_TMPDIR/out.$ext"
	done
}

# hostile FILE: the fixed document with strings that try to break out of
# every format: markup, quotes, a pipe and a '#', a line break, bytes that
# are not UTF-8 and a NUL (written raw: the document itself is damaged).
hostile() {
	python3 - "$TOP/tests/fixtures/report/results.json" "$1" <<-'PY'
	import json, sys
	d = json.load(open(sys.argv[1]))
	c = d["cells"]
	c[0]["subject"] = "</script><script>alert(1)</script>"
	c[1]["observed"]["detail"] = "a \"quoted\" 's & <b>bold</b> | pipe # hash\nnew line ]]> -->"
	c[1]["unexpected"] = True
	c[2]["observed"]["stderr"] = "before\u0000after"
	c[2]["observed"]["loader_message"] = "BADBYTES"
	c[2]["unexpected"] = True
	c[3]["method"] = "loader\u0007bell"
	text = json.dumps(d).replace("BADBYTES", "\\u00ffBADBYTES").encode()
	# Raw bytes no UTF-8 decoder accepts, inside a JSON string.
	text = text.replace(b"\\u00ffBADBYTES", b"\xff\xfe\xc0\xaf bad")
	open(sys.argv[2], "wb").write(text)
	PY
}

@test "hostile strings in a document render safely in every format" {
	local out=$BATS_TEST_TMPDIR
	hostile "$out/hostile.json"
	for f in html md junit tap json; do
		run_gm 0 report "$out/hostile.json" --format "$f" -o "$out/h.$f"
		python3 -c 'import sys; open(sys.argv[1], "rb").read().decode("utf-8")' "$out/h.$f"
	done
	# HTML: the markup is text, not elements.
	python3 - "$out/h.html" <<-'PY'
	import sys
	from html.parser import HTMLParser
	class P(HTMLParser):
	    tags = []
	    def handle_starttag(self, tag, attrs):
	        self.tags.append(tag)
	p = P()
	text = open(sys.argv[1]).read()
	p.feed(text)
	assert "script" not in p.tags, p.tags
	assert "&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;" in text
	assert "&lt;b&gt;bold&lt;/b&gt;" in text
	assert "\\xFF\\xFE\\xC0\\xAF bad" in text
	PY
	if command -v chromium >/dev/null; then
		timeout 120 chromium --headless --no-sandbox --disable-gpu --enable-logging=stderr --v=0 \
			--dump-dom "file://$out/h.html" >"$out/dom.html" 2>"$out/log" 3>&-
		run ! grep -q '<script' "$out/dom.html"
		run ! grep -E 'CONSOLE|Uncaught' "$out/log"
	fi
	# JUnit: still valid XML of the schema.
	if command -v xmllint >/dev/null; then
		xmllint --noout --schema "$TOP/tests/fixtures/junit.xsd" "$out/h.junit"
	fi
	# TAP: every line a test point, a plan, or diagnostics; nothing broke a line.
	run perl -MTAP::Parser -e '
		my $p = TAP::Parser->new({tap => join("", <STDIN>)});
		while (my $r = $p->next) {}
		print "tests=", $p->tests_run, " errors=", scalar($p->parse_errors), "\n"' < <(sed '1s/14/13/' "$out/h.tap")
	[ "$output" = "tests=11 errors=0" ]
	# Markdown: every table row has its columns, the pipe escaped.
	python3 - "$out/h.md" <<-'PY'
	import re, sys
	for line in open(sys.argv[1]):
	    if line.startswith("| subject |"):
	        width = len(re.findall(r"(?<!\\)\|", line))
	    elif line.startswith("| ") and "hash" in line:
	        assert len(re.findall(r"(?<!\\)\|", line)) == width, line
	        assert "<b>" not in line and "&lt;b&gt;" in line, line
	PY
	# JSON: a valid document again, the bad bytes escaped.
	python3 - "$out/h.json" <<-'PY'
	import json, sys
	d = json.loads(open(sys.argv[1], "rb").read().decode("utf-8"))
	assert d["cells"][2]["observed"]["loader_message"] == "\\xFF\\xFE\\xC0\\xAF bad", d["cells"][2]["observed"]
	assert d["cells"][2]["observed"]["stderr"] == "before\u0000after"
	PY
}

@test "report --format html: a big document lists what needs a look first, within bounds; the counts stay complete" {
	local out=$BATS_TEST_TMPDIR
	python3 - "$TOP/tests/fixtures/report/results.json" "$out/big.json" <<-'PY'
	import json, sys
	d = json.load(open(sys.argv[1]))
	cells = []
	for k in range(400):
	    for c in d["cells"]:
	        c = dict(c, id=len(cells))
	        cells.append(c)
	d["cells"] = cells
	json.dump(d, open(sys.argv[2], "w"))
	PY
	run_gm 0 report "$out/big.json" -o "$out/big.html"
	python3 - "$out/big.html" <<-'PY'
	import sys
	from html.parser import HTMLParser
	class P(HTMLParser):
	    def __init__(self):
	        super().__init__()
	        self.li = self.looks = self.more = self.counted = 0
	        self.per_square = []
	    def handle_starttag(self, tag, attrs):
	        a = dict(attrs)
	        cls = a.get("class", "").split()
	        if tag == "td" and "sq" in cls and "empty" not in cls:
	            self.counted += int(a["data-cells"])
	            self.per_square.append(0)
	        if tag == "li" and "cell" in cls:
	            self.li += 1
	            self.per_square[-1] += 1
	            self.looks += "unexpected" in cls
	        if tag == "li" and "more" in cls:
	            self.more += 1
	p = P()
	p.feed(open(sys.argv[1]).read())
	assert p.counted == 4400, p.counted
	assert p.li <= 3000 and max(p.per_square) <= 25, (p.li, max(p.per_square))
	assert p.more > 0
	# Each square that holds cells not as expected lists them first: 800 such
	# cells in the document, in few squares, each listing 25 of them.
	assert p.looks >= 25, p.looks
	PY
}

@test "report --format text is what run printed: one grid builder for the terminal and the reports" {
	local d=$BATS_TEST_TMPDIR
	run_gm 0 run --build debian-bullseye-amd64 --build debian-trixie-amd64 \
		--run debian-bullseye-amd64 --run debian-trixie-amd64 -m loader -m interp \
		--case hello --case gettid --out "$d/r"
	grep -v '^results: \|^report: \|^glibc-matrix: ' <<<"$output" | sed -n '/^method /,$p' >"$d/printed"
	run_gm 0 report "$d/r/results.json" --format text
	sed -n '/^method /,$p' <<<"$output" >"$d/again"
	diff "$d/printed" "$d/again"
	# Both end with the count line, grids above it.
	grep -q '^16 cells in .* s: .* 0 mismatches$' "$d/again"
	[ "$(grep -c '^method ' "$d/again")" -eq 2 ]
}
