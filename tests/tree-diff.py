#!/usr/bin/env python3
"""Compares two directory trees entry by entry, symbolic links never
followed: the same paths, each of the same type, permission bits (with
setuid, setgid, sticky), owner and group, symlink target and, for regular
files, the same bytes.  Times are not compared (a runtime and a tarball
keep them differently).
  tests/tree-diff.py [--ignore NAME]... [--no-devices] A B   exit 0 when equal, 1 with
the differences listed (at most 30 shown), 2 on a bad argument.
--ignore NAME leaves the top-level entry NAME of B (and what is under it)
out when A has no such entry: the mount points glibc-matrix adds to a tree.
--no-devices leaves A's device nodes out (an imported tree has none: the
runtime makes /dev in every container)."""
import hashlib
import os
import stat
import sys


def digest(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def walk(top, devices=True):
    out = {}
    for d, dirs, files in os.walk(top):
        for n in dirs + files:
            p = os.path.join(d, n)
            rel = os.path.relpath(p, top)
            st = os.lstat(p)
            if not devices and (stat.S_ISCHR(st.st_mode) or stat.S_ISBLK(st.st_mode)):
                continue
            what = [stat.S_IFMT(st.st_mode), stat.S_IMODE(st.st_mode), st.st_uid, st.st_gid]
            if stat.S_ISLNK(st.st_mode):
                what.append(os.readlink(p))
            elif stat.S_ISREG(st.st_mode):
                what += [st.st_size, digest(p)]
            out[rel] = what
    return out


def main(argv):
    ignore, devices = [], True
    while len(argv) > 2 and argv[0] in ("--ignore", "--no-devices"):
        if argv[0] == "--no-devices":
            devices, argv = False, argv[1:]
            continue
        ignore.append(argv[1])
        argv = argv[2:]
    if len(argv) != 2 or not all(os.path.isdir(a) for a in argv):
        print(__doc__, file=sys.stderr)
        return 2
    a, b = walk(argv[0], devices), walk(argv[1])
    for n in ignore:
        if n not in a:
            b = {k: v for k, v in b.items() if k != n and not k.startswith(n + "/")}
    diffs = []
    for k in sorted(set(a) | set(b)):
        if k not in b:
            diffs.append("only in A: %s" % k)
        elif k not in a:
            diffs.append("only in B: %s" % k)
        elif a[k] != b[k]:
            diffs.append("%s: %r != %r" % (k, a[k], b[k]))
    for d in diffs[:30]:
        print(d)
    print("%d entries in A, %d in B, %d differences" % (len(a), len(b), len(diffs)))
    return 1 if diffs else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
