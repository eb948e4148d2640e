#!/usr/bin/env bats
# The GitHub Action (action.yml) and the GitLab template
# (ci/gitlab/check.gitlab-ci.yml) for users' artifacts: their steps are
# ci/action.sh, run here as a script with apt sources that are not
# Debian's (an Ubuntu runner's, through GLIBC_MATRIX_APT_DIR) and with the
# mirror input given.  The mirror is the one apt is configured with here,
# read at run time; the Ubuntu-like sources name a host under .invalid.

load helpers
load debsrc

setup_file() {
	ensure_sysroot debian-bullseye-amd64 import bullseye
	ensure_sysroot debian-bookworm-amd64 import bookworm
	ensure_sysroot debian-trixie-amd64 import trixie
}

setup() {
	APT=$BATS_TEST_TMPDIR/apt
	mkdir -p "$APT/sources.list.d"
	printf 'Types: deb\nURIs: http://ubuntu-archive.invalid/ubuntu/\nSuites: noble noble-updates noble-security\nComponents: main universe\n' \
		>"$APT/sources.list.d/ubuntu.sources"
	# A fresh store with the shared one's downloads: the Release files come
	# from the mirror (signatures checked), the packages from the cache.
	local shared=$GLIBC_MATRIX_STORE
	use_scratch_store
	mkdir -p "$GLIBC_MATRIX_STORE/downloads"
	cp "$shared"/downloads/debian-{bullseye,bookworm,trixie}-amd64-Packages.xz \
		"$shared"/downloads/*_amd64.deb "$GLIBC_MATRIX_STORE/downloads/"
	export GLIBC_MATRIX_APT_DIR=$APT GM_OUT=$BATS_TEST_TMPDIR/report
}

@test "action: apt sources that are not Debian's and no mirror input: the targets step fails naming the input" {
	GM_TARGETS="bookworm" run "$TOP/ci/action.sh" targets
	echo "$output"
	[ "$status" -eq 3 ]
	assert_contains "$output" "name no Debian suite"
	assert_contains "$output" "the GitHub Action's input 'mirror'"
}

@test "action: with the mirror input, every step passes as a script: a real program checked against two suites, the summary written" {
	local mirror
	mirror=$(debsrc_mirror)
	export GM_MIRROR=$mirror GM_TARGETS="bookworm trixie" GM_FILES=/usr/bin/true
	export GITHUB_STEP_SUMMARY=$BATS_TEST_TMPDIR/step-summary.md
	run "$TOP/ci/action.sh" deps
	[ "$status" -eq 0 ]
	assert_contains "$output" "every package needed is installed"
	run "$TOP/ci/action.sh" build
	[ "$status" -eq 0 ]
	run "$TOP/ci/action.sh" targets
	echo "$output"
	[ "$status" -eq 0 ]
	[ -f "$GLIBC_MATRIX_STORE/sysroots/debian-bookworm-amd64/sysroot.json" ]
	[ -f "$GLIBC_MATRIX_STORE/sysroots/debian-trixie-amd64/sysroot.json" ]
	run "$TOP/ci/action.sh" check
	echo "$output"
	[ "$status" -eq 0 ]
	assert_contains "$output" "0 mismatches"
	[ -f "$GM_OUT/junit.xml" ] && [ -f "$GM_OUT/report.html" ]
	run "$TOP/ci/action.sh" summary
	[ "$status" -eq 0 ]
	assert_contains "$(cat "$GITHUB_STEP_SUMMARY")" "debian-trixie-amd64"
}

@test "action: the gate fails the job when a file does not run on a target; usage errors are 2" {
	printf 'int main(void) { return 0; }\n' >"$BATS_TEST_TMPDIR/app.c"
	cc -o "$BATS_TEST_TMPDIR/app" "$BATS_TEST_TMPDIR/app.c"
	local mirror
	mirror=$(debsrc_mirror)
	export GM_MIRROR=$mirror GM_TARGETS="bullseye bookworm" GM_FILES=$BATS_TEST_TMPDIR/app
	export GITHUB_STEP_SUMMARY=$BATS_TEST_TMPDIR/step-summary.md
	run "$TOP/ci/action.sh" targets
	[ "$status" -eq 0 ]
	# Built on this machine's glibc (2.36): __libc_start_main@GLIBC_2.34
	# is not on bullseye.
	run "$TOP/ci/action.sh" check
	echo "$output"
	[ "$status" -eq 1 ]
	assert_contains "$output" "against debian-bullseye-amd64 by loader: symbol-version (GLIBC_2.34)"
	run "$TOP/ci/action.sh" summary
	[ "$status" -eq 0 ]
	assert_contains "$(cat "$GITHUB_STEP_SUMMARY")" "GLIBC_2.34"
	GM_TARGETS="bookworm no-such-target-gm" run "$TOP/ci/action.sh" check
	[ "$status" -eq 2 ]
	GM_FILES= run "$TOP/ci/action.sh" check
	[ "$status" -ne 0 ]
	assert_contains "$output" "input files of the action"
	run "$TOP/ci/action.sh" nonsense
	[ "$status" -eq 2 ]
}

@test "action.yml and the GitLab template: every input reaches ci/action.sh, every step it names exists" {
	require_python yaml python3-yaml
	python3 - "$TOP/action.yml" "$TOP/ci/gitlab/check.gitlab-ci.yml" "$TOP/ci/action.sh" <<-'PY'
	import re, sys, yaml
	a = yaml.safe_load(open(sys.argv[1]))
	script = open(sys.argv[3]).read()
	steps = set(re.findall(r"^(\w+)\(\) \{", script, re.M))
	assert a["runs"]["using"] == "composite"
	assert set(a["inputs"]) == {"files", "targets", "methods", "policy", "baseline", "mirror"}, a["inputs"]
	used = " ".join(str(s) for s in a["runs"]["steps"])
	for i in a["inputs"]:
	    assert "inputs.%s" % i in used, i
	for s in a["runs"]["steps"]:
	    for m in re.findall(r"ci/action.sh\"? (\w+)", s.get("run", "")):
	        assert m in steps, m
	g = yaml.safe_load(open(sys.argv[2]))["glibc-matrix-check"]
	for m in re.findall(r"ci/action.sh (\w+)", " ".join(g["script"])):
	    assert m in steps, m
	assert g["artifacts"]["reports"]["junit"].endswith("junit.xml")
	for v in ("GM_TARGETS", "GM_METHODS", "GM_POLICY", "GM_BASELINE", "GM_MIRROR"):
	    assert v in g["variables"], v
	PY
	require_tool yamllint yamllint
	yamllint -d '{extends: relaxed, rules: {line-length: {max: 140}}}' \
		"$TOP/action.yml" "$TOP/ci/gitlab/check.gitlab-ci.yml"
}
