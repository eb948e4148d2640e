/* Remedy for memcpy@GLIBC_2.14 (causes.tsv "memcpy"): the call is bound to
 * the old version by name, so the binary needs no GLIBC_2.14 node.  Old
 * memcpy may not overlap either, which this copy respects.  x86_64 only:
 * GLIBC_2.2.5 is that architecture's baseline (elsewhere the plain call is
 * already the oldest version). */
#if defined(__x86_64__)
__asm__(".symver memcpy,memcpy@GLIBC_2.2.5");
#endif
#include "../string/memcpy.c"
