#!/usr/bin/env bats
# make check-full: every version known by name (sysroots/versions.tsv)
# builds from source, passes the build's own verification, and runs a
# program built against it.  A version added to versions.tsv that does not
# build fails here.

load ../helpers

# Those from the local glibc source directory (a bare file name in column 3)
# only where that directory holds their tarball (tests/full/130 names them).
versions() {
	awk -v src="${GLIBC_MATRIX_GLIBC_SRC:-$TOP/../shared/glibc-src}" \
		'!/^#/ && NF == 3 && ($3 ~ /\// || system("test -f \"" src "/" $3 "\"") == 0) { print $1 }' \
		"$TOP/sysroots/versions.tsv"
}

@test "every known version builds from source, verified, and runs a program built against it" {
	failed=()
	for v in $(versions); do
		start=$SECONDS
		if ! ensure_sysroot "glibc-$v" build "$v"; then
			failed+=("$v: build failed")
			continue
		fi
		echo "# glibc-$v ready in $((SECONDS - start)) s" >&3
		loader=$("$GM" sysroot show "glibc-$v" | sed -n 's/^loader: *//p')
		banner=$(libc_banner "$loader" 2>&1) || true
		# 2.17's banner reads "release version 2.17, by ...".
		[[ "$banner" == *"release version $v."* || "$banner" == *"release version $v, by"* ]] ||
			failed+=("$v: libc banner: $banner")
		# shellcheck disable=SC2046
		cc $("$GM" flags --sysroot "glibc-$v") -o "$BATS_TEST_TMPDIR/version-$v" \
			"$TOP/tests/fixtures/version.c"
		out=$("$BATS_TEST_TMPDIR/version-$v" 2>&1) || true
		[[ "$out" == *"glibc=$v"* ]] || failed+=("$v: program built against it printed: $out")
	done
	[ "${#failed[@]}" -eq 0 ] || { printf '# %s\n' "${failed[@]}"; false; }
	[ "$(versions | wc -l)" -ge 7 ]
}
