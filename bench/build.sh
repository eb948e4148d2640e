#!/usr/bin/env bash
# Benchmark: `glibc-matrix build --for bullseye --for trixie -- make` against
# what a user runs without it for the same answer: the same make with the
# flags `flags --portable` prints, then `check` of the output against both
# suites.  Also the plain make alone (no portability, no gate), to show the
# wrapper's own share.  A small C project of 8 files, rebuilt from clean
# each round.  Prints the medians and the ratios.
# Usage: bench/build.sh [ROUNDS]  (default 5)
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
gm=$top/glibc-matrix
rounds=${1:-5}
work=$(mktemp -d /tmp/gm-bench-build.XXXXXX)
trap 'rm -rf "$work"' EXIT
cd "$work"
for i in 1 2 3 4 5 6 7; do
	printf 'int f%d(int x) { return x * %d; }\n' "$i" "$i" >"f$i.c"
done
printf '#include <pthread.h>\n#include <stdio.h>\nint f1(int);\nstatic void *run(void *a) { return a; }\nint main(void) { pthread_t t; void *r; pthread_create(&t, 0, run, 0); pthread_join(t, &r); printf("%%d\\n", f1(6)); return 0; }\n' >main.c
printf 'OBJ = main.o f1.o f2.o f3.o f4.o f5.o f6.o f7.o\napp: $(OBJ)\n\t$(CC) -o app $(OBJ)\nclean:\n\trm -f app $(OBJ)\n' >Makefile

now() { date +%s.%N; }
median() { sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

plain=() byhand=() wrapped=()
for ((r = 0; r < rounds; r++)); do
	make -s clean
	s=$(now); make -s >/dev/null; e=$(now)
	plain+=("$(echo "$e - $s" | bc)")
	make -s clean
	s=$(now)
	make -s CC="gcc $("$gm" flags --sysroot bullseye --portable)" >/dev/null
	"$gm" -q check ./app --against bullseye --against trixie --out "$work/hand-$r" >/dev/null
	e=$(now)
	byhand+=("$(echo "$e - $s" | bc)")
	make -s clean
	s=$(now)
	"$gm" -q build --for bullseye --for trixie --report "$work/wrap-$r" -- make -s >/dev/null
	e=$(now)
	wrapped+=("$(echo "$e - $s" | bc)")
done
p=$(printf '%s\n' "${plain[@]}" | median)
h=$(printf '%s\n' "${byhand[@]}" | median)
w=$(printf '%s\n' "${wrapped[@]}" | median)
echo "plain make (no portability, no gate):        ${p} s"
echo "by hand (make with flags --portable + check): ${h} s"
echo "build --for bullseye --for trixie -- make:   ${w} s"
echo "ratio build --for / by hand: $(echo "scale=2; $w / $h" | bc)"
echo "ratio build --for / plain make: $(echo "scale=2; $w / $p" | bc)"
