#!/usr/bin/env bash
# Registers Debian's qemu-user-static binfmt_misc entries (flags OPF: the F
# flag makes the kernel open the emulator now, so foreign programs start
# inside container root filesystems that have no emulator) for the foreign
# architectures glibc-matrix proves: aarch64 and riscv64.  What systemd-binfmt
# does at boot on a systemd machine; needs root, changes nothing already
# registered, and says what it could not do.
#   ci/binfmt.sh            register (as root)
#   ci/binfmt.sh --status   print what is registered, change nothing
# Exit: 0 both registered with F, 1 something is missing (stated), 77 not root.
set -uo pipefail
dir=/proc/sys/fs/binfmt_misc
arches="aarch64 riscv64"

show() {
	local rc=0
	for a in $arches; do
		if [ -r "$dir/qemu-$a" ]; then
			printf '%s: %s\n' "$a" "$(tr '\n' ' ' <"$dir/qemu-$a")"
			grep -q '^flags:.*F' "$dir/qemu-$a" || rc=1
		else
			echo "$a: not registered"
			rc=1
		fi
	done
	return $rc
}

if [ "${1:-}" = --status ]; then
	[ -e "$dir/status" ] || { echo "binfmt_misc is not mounted at $dir"; exit 1; }
	show
	exit
fi
if [ "$(id -u)" -ne 0 ]; then
	echo "ci/binfmt.sh: registering binfmt_misc entries needs root" >&2
	exit 77
fi
if [ ! -e "$dir/status" ]; then
	mount -t binfmt_misc binfmt_misc "$dir" || {
		echo "ci/binfmt.sh: cannot mount binfmt_misc at $dir" >&2
		exit 1
	}
fi
for a in $arches; do
	conf=/usr/lib/binfmt.d/qemu-$a.conf
	[ -e "$dir/qemu-$a" ] && continue
	if [ ! -r "$conf" ]; then
		echo "ci/binfmt.sh: no $conf (install qemu-user-static)" >&2
		continue
	fi
	# One registration line per file; comments are allowed in binfmt.d.
	grep -v '^[#;]' "$conf" | grep -m1 . >"$dir/register" ||
		echo "ci/binfmt.sh: the kernel refused $conf" >&2
done
show
