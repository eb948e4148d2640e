# Source packages from the Debian archive for the tests that build real
# projects (102-build-projects.bats): the suite's InRelease checked by gpgv
# against Debian's archive keyring, its Sources index and every file of
# the package checked against the sha256 it lists.  The archive is the one
# apt is configured with (or GLIBC_MATRIX_MIRROR): never a name written here.

# debsrc_mirror: the archive's URL.
debsrc_mirror() {
	if [ -n "${GLIBC_MATRIX_MIRROR:-}" ]; then
		echo "${GLIBC_MATRIX_MIRROR%/}"
		return
	fi
	local u
	u=$(cat /etc/apt/sources.list.d/*.sources 2>/dev/null |
		awk '$1 == "URIs:" && $2 !~ /security/ { print $2; exit }')
	[ -n "$u" ] || u=$(awk '$1 == "deb" && $0 !~ /security/ { print $2; exit }' \
		/etc/apt/sources.list 2>/dev/null)
	[ -n "$u" ] || { echo "debsrc: no Debian archive in apt's sources" >&2; return 1; }
	echo "${u%/}"
}

# debsrc_index SUITE DIR: DIR/Sources, verified; DIR/mirror holds the URL.
debsrc_index() {
	local suite=$1 dir=$2 m sha size
	mkdir -p "$dir"
	m=$(debsrc_mirror) || return 1
	echo "$m" >"$dir/mirror"
	curl -fsS -o "$dir/InRelease" "$m/dists/$suite/InRelease" || return 1
	gpgv --keyring /usr/share/keyrings/debian-archive-keyring.gpg \
		--output "$dir/Release" "$dir/InRelease" 2>/dev/null || {
		echo "debsrc: $suite's InRelease does not verify" >&2
		return 1
	}
	read -r sha size < <(awk '/^SHA256:/ { on = 1; next } /^[^ ]/ { on = 0 }
		on && $3 == "main/source/Sources.xz" { print $1, $2 }' "$dir/Release")
	curl -fsS -o "$dir/Sources.xz" "$m/dists/$suite/main/source/Sources.xz" || return 1
	echo "$sha  $dir/Sources.xz" | sha256sum -c --quiet || return 1
	xz -dc "$dir/Sources.xz" >"$dir/Sources"
}

# debsrc_fetch INDEXDIR PACKAGE DEST: the package's upstream tarball
# (*.orig.tar.*, or the whole *.tar.* of a native package) unpacked into
# DEST, its top directory dropped; each file's sha256 as Sources lists it.
debsrc_fetch() {
	local idx=$1 pkg=$2 dest=$3 m dir line sha name tarball=
	m=$(cat "$idx/mirror")
	local stanza
	stanza=$(awk -v p="$pkg" '$1 == "Package:" { on = ($2 == p) } on' RS= "$idx/Sources" | head -n 200)
	[ -n "$stanza" ] || { echo "debsrc: no source package $pkg" >&2; return 1; }
	dir=$(awk '$1 == "Directory:" { print $2; exit }' <<<"$stanza")
	while read -r line; do
		sha=${line%% *}
		name=${line##* }
		case $name in
		*.orig.tar.*|*.tar.gz|*.tar.xz|*.tar.bz2)
			case $name in *.debian.tar.*|*.asc) continue ;; esac
			curl -fsS -o "$idx/$name" "$m/$dir/$name" || return 1
			echo "$sha  $idx/$name" | sha256sum -c --quiet || return 1
			tarball=$idx/$name
			;;
		esac
	done < <(awk '/^Checksums-Sha256:/ { on = 1; next } /^[^ ]/ { on = 0 } on { print $1, $3 }' <<<"$stanza")
	[ -n "$tarball" ] || { echo "debsrc: $pkg has no tarball" >&2; return 1; }
	mkdir -p "$dest"
	tar -xf "$tarball" -C "$dest" --strip-components=1
}
