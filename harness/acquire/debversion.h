/* Debian package versions: dpkg's ordering, and the upstream glibc version a
 * libc6 package carries. */
#ifndef GM_DEBVERSION_H
#define GM_DEBVERSION_H

/* Compares two Debian versions ([epoch:]upstream[-revision]) the way
 * `dpkg --compare-versions` does: <0, 0 or >0.  A missing epoch is 0, a
 * missing revision is "", and '~' sorts before everything, even the end of
 * the string ("2.41~rc1" < "2.41"). */
int debversion_cmp(const char *a, const char *b);

/* The upstream glibc version ("N.NN") of a libc6 package version:
 * "2.36-9+deb12u14" -> "2.36", "1:2.41-12" -> "2.41", "2.42~rc1-1" ->
 * "2.42".  NULL if the upstream part does not start with N.N. */
char *debversion_glibc_upstream(const char *version);

#endif
