#!/usr/bin/env bash
# Benchmark: `glibc-matrix check` of 100 real ELF files of this host (50
# coreutils programs run with --version, 50 shared libraries of
# /usr/lib/<multiarch>) against three Debian suites' glibc by the loader
# method, versus the shell loop a user would write for the same cells: each
# program through the sysroot's ld.so --library-path, each library through
# a dlopen helper built against the sysroot with `glibc-matrix flags`.  Both
# sides run each cell once, one at a time (check -j 1); the loop's exit
# statuses must agree with check's observed outcomes (ok or not).  Prints
# the times and the ratio (goal: check at most 1.2 times the loop).
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
gm=$top/glibc-matrix
multiarch=$(gcc -print-multiarch 2>/dev/null || echo x86_64-linux-gnu)
work=$(mktemp -d /tmp/gm-bench-check.XXXXXX)
trap 'rm -rf "$work"' EXIT
suites=(bullseye bookworm trixie)

now() { date +%s.%N; }
is_elf() { [ "$(head -c 4 "$1" 2>/dev/null | od -An -c | tr -d ' ')" = '177ELF' ]; }

for s in "${suites[@]}"; do "$gm" -q sysroot import "$s" >/dev/null; done

# 50 programs that take --version and exit (coreutils), 50 libraries that
# are not glibc's own.
progs=()
while IFS= read -r f; do
	[ -f "$f" ] && [ ! -L "$f" ] && is_elf "$f" && progs+=("$f")
	[ "${#progs[@]}" -lt 50 ] || break
done < <(dpkg -L coreutils | grep '^/usr/bin/' | sort)
libs=()
while IFS= read -r f; do
	case "${f##*/}" in libc.so*|libm.so*|libpthread*|libdl.so*|librt.so*|ld-linux*|libnss_*|libresolv*|libanl*|libutil*|libmvec*|libBrokenLocale*|libthread_db*|libmemusage*|libpcprofile*|libSegFault*|libc_malloc*) continue ;; esac
	is_elf "$f" && libs+=("$f")
	[ "${#libs[@]}" -lt 50 ] || break
done < <(find "/usr/lib/$multiarch" -maxdepth 1 -type f -name 'lib*.so.[0-9]*' | sort)
echo "subjects: ${#progs[@]} programs, ${#libs[@]} shared objects, ${#suites[@]} sysroots (loader method)"

# The helper the loop loads libraries with, built against each sysroot.
cat >"$work/dlopen.c" <<'EOF'
#include <dlfcn.h>
#include <stdio.h>
int main(int argc, char **argv)
{
	if (argc != 2 || !dlopen(argv[1], RTLD_NOW | RTLD_GLOBAL)) {
		fprintf(stderr, "%s\n", dlerror());
		return 127;
	}
	return 0;
}
EOF
for s in "${suites[@]}"; do
	# shellcheck disable=SC2046
	cc $("$gm" flags --sysroot "$s") -o "$work/dlopen-$s" "$work/dlopen.c" -ldl
done
# Warm both sides: page cache, and check's own helper build (cached in the store).
"$gm" -q check "${libs[0]}" --against "${suites[0]}" -m loader --out "$work/warm" >/dev/null 2>&1 || true
cat "${progs[@]}" "${libs[@]}" >/dev/null

# 1. The shell loop.
start=$(now)
for s in "${suites[@]}"; do
	loader=$("$gm" sysroot show "$s" | sed -n 's/^loader: *//p')
	dirs=$("$gm" sysroot show "$s" | sed -n 's/^libdir: *//p' | paste -sd:)
	dirs=$dirs:/lib/$multiarch:/usr/lib/$multiarch
	for f in "${progs[@]}"; do
		rc=0
		LD_BIND_NOW=1 timeout 60 "$loader" --inhibit-cache --library-path "$dirs" "$f" --version \
			</dev/null >/dev/null 2>&1 || rc=$?
		echo "$f $s $rc"
	done
	for f in "${libs[@]}"; do
		rc=0
		LD_BIND_NOW=1 timeout 60 "$loader" --inhibit-cache --library-path "$dirs" \
			"$work/dlopen-$s" "$f" </dev/null >/dev/null 2>&1 || rc=$?
		echo "$f $s $rc"
	done
done >"$work/loop.txt"
loop=$(echo "$(now) - $start" | bc)

# 2. glibc-matrix check, the same cells (programs with --version).
start=$(now)
"$gm" -q check "${progs[@]}" --args --version -j 1 -m loader \
	--against bullseye --against bookworm --against trixie --out "$work/p" >/dev/null 2>&1 || true
"$gm" -q check "${libs[@]}" -j 1 -m loader \
	--against bullseye --against bookworm --against trixie --out "$work/l" >/dev/null 2>&1 || true
ours=$(echo "$(now) - $start" | bc)

python3 - "$work/loop.txt" "$work/p/results.json" "$work/l/results.json" <<'PY'
import json, sys
names = {"debian-bullseye-amd64": "bullseye", "debian-bookworm-amd64": "bookworm",
         "debian-trixie-amd64": "trixie"}
loop = {}
for line in open(sys.argv[1]):
    f, s, rc = line.split()
    loop[(f, s)] = rc == "0"
cells = agree = mism = 0
for path in sys.argv[2:]:
    for c in json.load(open(path))["cells"]:
        key = (c["subject"], names.get(c["run"], c["run"]))
        if key not in loop:
            continue
        cells += 1
        ok = c["observed"]["outcome"] == "ok"
        agree += ok == loop[key]
        mism += c["predicted"]["outcome"] != c["observed"]["outcome"]
        if ok != loop[key]:
            print("  differs:", key, c["observed"]["outcome"], c["observed"]["detail"][:80])
print(f"cells: {cells}; loop and check agree on {agree}; check's prediction mismatches: {mism}")
PY
printf 'shell loop (ld.so per cell):  %8.2f s\n' "$loop"
printf 'glibc-matrix check -j 1:      %8.2f s\n' "$ours"
ratio=$(echo "$ours / $loop" | bc -l)
printf 'ratio check/loop (goal <= 1.2): %6.2f: %s\n' "$ratio" \
	"$([ "$(echo "$ratio <= 1.2" | bc -l)" = 1 ] && echo met || echo 'NOT met')"
