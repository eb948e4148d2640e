#!/usr/bin/env bats
# Untrusted manifests.  A sysroot.json in the store and the case manifest are
# data: a name that climbs out of the store, a loader that is /bin/sh, a
# case named ../../x must be refused with an error naming the file, and
# nothing may be written outside the store.  Each test works on a copy of a
# real small sysroot in a scratch store.

load helpers

SRC_NAME=debian-bullseye-amd64

setup_file() {
	export SHARED_STORE=$GLIBC_MATRIX_STORE
	[ -f "$SHARED_STORE/sysroots/$SRC_NAME/sysroot.json" ] ||
		"$GM" --quiet sysroot import bullseye --name "$SRC_NAME" 3>&-
}

setup() {
	# setup_file imported it; a failed import failed setup_file.
	[ -f "$SHARED_STORE/sysroots/$SRC_NAME/sysroot.json" ]
	use_scratch_store
	# Where an escaping name would land: store/probes/../../outside.
	OUTSIDE=$BATS_TEST_TMPDIR/outside
}

# copy_sysroot NAME: the shared bullseye sysroot as scratch sysroot NAME,
# its manifest rewritten to its new place and name (valid).
copy_sysroot() {
	local src=$SHARED_STORE/sysroots/$SRC_NAME dst=$GLIBC_MATRIX_STORE/sysroots/$1
	mkdir -p "$GLIBC_MATRIX_STORE/sysroots"
	cp -a "$src" "$dst"
	sed -i "s#$src#$dst#g; s#\"$SRC_NAME\"#\"$1\"#" "$dst/sysroot.json"
}

# set_field NAME FIELD JSON-VALUE: replaces one field of NAME's manifest.
set_field() {
	python3 - "$GLIBC_MATRIX_STORE/sysroots/$1/sysroot.json" "$2" "$3" <<-'PY'
	import json, sys
	p, k, v = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
	m = json.load(open(p))
	m[k] = v
	open(p, "w").write(json.dumps(m, indent=2))
	PY
}

# Nothing outside the scratch store and the test's own files.
assert_nothing_outside() {
	[ ! -e "$OUTSIDE" ] || { echo "# written outside the store: $OUTSIDE" >&2; return 1; }
	[ ! -e "$BATS_TEST_TMPDIR/outside.lock" ] || { echo "# lock outside the store" >&2; return 1; }
}

@test "validate: a copied sysroot with a rewritten manifest is valid" {
	copy_sysroot good
	run_gm 0 sysroot list
	assert_contains "$output" "good "
	assert_not_contains "$output" "warning"
}

@test "validate: a manifest name climbing out of the store is refused, nothing written outside" {
	copy_sysroot good
	copy_sysroot evil
	set_field evil name '"../../outside"'
	run_gm 0 sysroot list
	assert_contains "$output" "warning: skipping a sysroot"
	assert_contains "$output" "$GLIBC_MATRIX_STORE/sysroots/evil/sysroot.json': name '../../outside' is not a valid sysroot name"
	assert_contains "$output" "good "   # the valid one is still listed
	run_gm 3 sysroot show evil
	assert_contains "$output" "name '../../outside' is not a valid sysroot name"
	run_gm 3 probes build --sysroot evil --case hello
	assert_contains "$output" "evil/sysroot.json"
	assert_nothing_outside
	# It can still be removed, by its directory's name; its lock file (in the store) goes with it.
	run_gm 0 sysroot remove evil
	[ ! -e "$GLIBC_MATRIX_STORE/sysroots/evil" ]
	[ ! -e "$GLIBC_MATRIX_STORE/locks/evil.lock" ]
	assert_nothing_outside
}

@test "validate: a manifest name that differs from its directory is refused" {
	copy_sysroot other
	set_field other name '"good"'
	run_gm 0 sysroot list
	assert_contains "$output" "name 'good' differs from its directory's name 'other'"
	run_gm 3 probes build --sysroot other --case hello
	[ ! -e "$GLIBC_MATRIX_STORE/probes/good" ]
}

@test "validate: a loader outside the sysroot is refused, never executed" {
	copy_sysroot evil
	# A loader that would leave a mark if run.
	printf '#!/bin/sh\ntouch %s\n' "$OUTSIDE" > "$BATS_TEST_TMPDIR/fake-ld"
	chmod +x "$BATS_TEST_TMPDIR/fake-ld"
	set_field evil loader "\"$BATS_TEST_TMPDIR/fake-ld\""
	run_gm 0 sysroot list
	assert_contains "$output" "loader '$BATS_TEST_TMPDIR/fake-ld' is not inside the sysroot directory"
	run_gm 3 exec --sysroot evil -- /bin/true
	assert_contains "$output" "is not inside the sysroot directory"
	assert_nothing_outside
}

@test "validate: a loader spelled inside but linked outside is refused" {
	copy_sysroot evil
	ld=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["loader"])' \
		"$GLIBC_MATRIX_STORE/sysroots/evil/sysroot.json")
	rm -f "$ld"
	ln -s /bin/sh "$ld"
	run_gm 0 sysroot list
	assert_contains "$output" "resolves to '$(readlink -f /bin/sh)'"
	assert_contains "$output" "outside the sysroot"
}

@test "validate: library directories outside, bad version, unknown arch are refused" {
	copy_sysroot a; set_field a libdirs '["/usr/lib/x86_64-linux-gnu"]'
	copy_sysroot b; set_field b glibc_version '"latest"'
	copy_sysroot c; set_field c arch '"vax"'
	copy_sysroot d; set_field d includedirs "[\"$GLIBC_MATRIX_STORE/sysroots/d/../a/usr/include\"]"
	run_gm 0 sysroot list
	assert_contains "$output" "library directory '/usr/lib/x86_64-linux-gnu' is not inside"
	assert_contains "$output" "glibc_version 'latest' is not a version"
	assert_contains "$output" "arch 'vax' is not a known architecture"
	assert_contains "$output" "header directory '$GLIBC_MATRIX_STORE/sysroots/d/../a/usr/include' is not inside"
}

@test "validate: a corrupt manifest is named with its cause, not silently dropped" {
	copy_sysroot good
	copy_sysroot broken
	printf '{"name": "broken", ' > "$GLIBC_MATRIX_STORE/sysroots/broken/sysroot.json"
	copy_sysroot array
	echo '[]' > "$GLIBC_MATRIX_STORE/sysroots/array/sysroot.json"
	run_gm 0 sysroot list
	assert_contains "$output" "sysroots/broken/sysroot.json': not a JSON object (truncated)"
	assert_contains "$output" "sysroots/array/sysroot.json': not a JSON object (another JSON value)"
	assert_contains "$output" "good "
	# --json output stays one parseable JSON document on stdout.
	run_gm 0 --quiet sysroot list --json
	run bash -c "'$GM' sysroot list --json 2>/dev/null | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))'"
	[ "$output" = 1 ]
	copy_sysroot trailing
	printf '{}{}' >> "$GLIBC_MATRIX_STORE/sysroots/trailing/sysroot.json"
	run_gm 0 sysroot list
	assert_contains "$output" "sysroots/trailing/sysroot.json': not a JSON object (text after the object)"
	# A run over every sysroot and explain say so too, then go on with the good one.
	run_gm '?' probes build --case hello
	assert_contains "$output" "warning: skipping a sysroot"
	assert_contains "$output" "sysroots/broken/sysroot.json'"
	run_gm '?' explain /bin/true --against 2.31
	assert_contains "$output" "sysroots/array/sysroot.json'"
}

@test "validate: a case name climbing out of the store is refused" {
	copy_sysroot good
	cases=$BATS_TEST_TMPDIR/cases
	cp -a "$TOP/cases" "$cases"
	printf '\n[../../../outside]\nsources = hello.c\n' >> "$cases/cases.ini"
	line=$(wc -l < "$cases/cases.ini")
	GLIBC_MATRIX_CASES=$cases run_gm 3 probes build --sysroot good
	assert_contains "$output" "'$cases/cases.ini':$((line - 1)): case name '../../../outside' is not valid"
	GLIBC_MATRIX_CASES=$cases run_gm 3 probes list
	assert_nothing_outside
	[ ! -e "$GLIBC_MATRIX_STORE/probes" ] || [ -z "$(ls -A "$GLIBC_MATRIX_STORE/probes")" ]
}

@test "validate: a probe build record with a null status is rebuilt, not a crash" {
	copy_sysroot good
	run_gm 0 probes build --sysroot good --case hello
	record=$(ls "$GLIBC_MATRIX_STORE"/probes/good/hello-*/build.json)
	# Used to be a segmentation fault (strcmp of NULL), exit 139.
	echo '{"status": null}' > "$record"
	run_gm 0 probes build --sysroot good --case hello
	echo '[1]' > "$record"
	run_gm 0 probes build --sysroot good --case hello
	# A reason that is not a string is not copied as one.
	echo '{"status": "failed", "reason": null}' > "$record"
	run_gm 1 probes build --sysroot good --case hello
	assert_contains "$output" "FAILED hello against good"
}
