#!/usr/bin/env bats
# make check-full: every version known by name builds from source, and its
# loader runs a program built on the host where the host's needs allow it.

load ../helpers

@test "every known version builds from source and its loader reports it" {
	versions=$(awk '!/^#/ && NF == 3 { print $1 }' "$TOP/sysroots/versions.tsv")
	cc -o "$BATS_TEST_TMPDIR/version" "$TOP/tests/fixtures/version.c"
	for v in $versions; do
		ensure_sysroot "glibc-$v" build "$v"
		loader=$("$GM" sysroot show "glibc-$v" | sed -n 's/^loader: *//p')
		run "$loader" --version
		assert_contains "$output" "version $v"
		libdir=$(dirname "$loader")
		run "$loader" --inhibit-cache --library-path "$libdir" "$BATS_TEST_TMPDIR/version"
		if [ "$(printf '%s\n' "$v" "$(ldd --version | awk 'NR==1 {print $NF}')" | sort -V | head -n 1)" = "$v" ] &&
			[ "$v" != "$(ldd --version | awk 'NR==1 {print $NF}')" ]; then
			# Older than the host: the host-built program needs newer nodes.
			assert_contains "$output" "not found"
		else
			assert_contains "$output" "glibc=$v"
		fi
	done
}
