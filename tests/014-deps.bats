#!/usr/bin/env bats
# make and its build dependencies: a missing library (pkg-config) or bats
# is named with its Debian package and stops make with status 2; make itself
# never installs anything (only `make deps` runs ci/install-deps.sh).

load helpers

# A PATH where bats is absent and apt-get and sudo only leave a trace, and a
# pkg-config directory without json-c's file: the machine as a fresh one
# without those looks to make.
setup() {
	local d f
	FARM=$BATS_TEST_TMPDIR/bin PC=$BATS_TEST_TMPDIR/pc TRACE=$BATS_TEST_TMPDIR/trace
	mkdir -p "$FARM" "$PC"
	for f in /usr/bin/*; do
		case ${f##*/} in bats | apt | apt-get | sudo) continue ;; esac
		ln -s "$f" "$FARM/"
	done
	for f in apt apt-get sudo; do
		printf '#!/bin/sh\necho "%s $*" >>"%s"\nexit 1\n' "$f" "$TRACE" >"$FARM/$f"
		chmod +x "$FARM/$f"
	done
	IFS=: read -ra dirs <<<"$(pkg-config --variable pc_path pkg-config)"
	for d in "${dirs[@]}"; do
		[ -d "$d" ] || continue
		for f in "$d"/*.pc; do
			[ -e "$f" ] && [ "${f##*/}" != json-c.pc ] && [ ! -e "$PC/${f##*/}" ] && cp "$f" "$PC/"
		done
	done
	DPKG_BEFORE=$(cksum </var/lib/dpkg/status)
}

# make_in ARGS...: make in the checkout with that PATH and pkg-config directory.
make_in() {
	run env PATH="$FARM:/usr/sbin" PKG_CONFIG_LIBDIR="$PC" make -C "$TOP" --no-print-directory "$@" 3>&-
	echo "$output"
}

nothing_installed() {
	[ ! -e "$TRACE" ] || { cat "$TRACE"; return 1; }
	[ "$(cksum </var/lib/dpkg/status)" = "$DPKG_BEFORE" ]
	assert_not_contains "$output" "install-deps.sh: installing"
}

@test "make with json-c's development files missing names json-c and libjson-c-dev, stops with status 2 and installs nothing" {
	make_in -n all
	[ "$status" -eq 2 ]
	assert_contains "$output" "missing build dependencies: json-c (Debian: libjson-c-dev)"
	assert_contains "$output" '`make deps` installs them'
	assert_not_contains "$output" "libelf (Debian"
	assert_not_contains "$output" "bats (Debian"
	nothing_installed
}

@test "make check without bats names bats too; make without bats (no tests) builds" {
	make_in -n check
	[ "$status" -eq 2 ]
	assert_contains "$output" "json-c (Debian: libjson-c-dev) bats (Debian: bats);"
	nothing_installed
	cp "$(pkg-config --variable pcfiledir json-c)/json-c.pc" "$PC/"
	make_in -n all
	[ "$status" -eq 0 ]
	nothing_installed
	make_in -n check-bats
	[ "$status" -eq 2 ]
	assert_contains "$output" "missing build dependencies: bats (Debian: bats);"
}

@test "make without pkg-config names pkg-config; make clean and lint need nothing" {
	rm "$FARM/pkg-config"
	make_in -n
	[ "$status" -eq 2 ]
	assert_contains "$output" "missing build dependencies: pkg-config (Debian: pkg-config);"
	make_in -n clean lint
	[ "$status" -eq 0 ]
	nothing_installed
}

@test "make deps runs ci/install-deps.sh; make matrix runs it before the build, .ci/run through make deps before make check" {
	run make -C "$TOP" --no-print-directory -n deps 3>&-
	[ "$status" -eq 0 ]
	[ "$output" = "bash ci/install-deps.sh" ]
	# On a machine with none of the build tools yet, make deps says only that.
	rm -f "$FARM"/{gcc,cc,pkg-config,pkgconf,readelf,git}
	make_in -n deps
	[ "$status" -eq 0 ]
	[ "$output" = "bash ci/install-deps.sh" ]
	# -n runs the recursive make (so the sub-make's -n plan follows).
	run make -C "$TOP" --no-print-directory -n matrix 3>&-
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "bash ci/install-deps.sh" ]
	assert_contains "$output" "bash ci/default-sysroots.sh ./glibc-matrix"
	run grep -n '^make deps$\|^make check ' "$TOP/.ci/run"
	[ "${#lines[@]}" -eq 2 ]
	[[ ${lines[0]} == *"make deps" ]]
}
