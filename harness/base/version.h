/* The version of glibc-matrix: --version, and every results document. */
#ifndef GM_VERSION_H
#define GM_VERSION_H

#ifndef GM_VERSION
#define GM_VERSION "0.2"
#endif

#endif
