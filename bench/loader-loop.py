#!/usr/bin/env python3
"""The floor a user would script for the loader method: one shell line per
cell of a results.json that ran (not skipped), exec'ing the run sysroot's
ld.so --inhibit-cache --library-path DIRS on the probe, under EMULATOR when
given (qemu-aarch64-static for a foreign sysroot).  With --nul, the same
commands for bench/spawn-loop.c: each argument ended by a NUL, each command
by an empty argument.
  bench/loader-loop.py [--nul] RESULTS.json GLIBC-MATRIX [EMULATOR] > loop.sh"""
import json
import shlex
import subprocess
import sys

args = sys.argv[1:]
nul = args[:1] == ["--nul"]
if nul:
    args = args[1:]
res, gm = args[:2]
emulator = args[2] if len(args) > 2 else None
cells = [c for c in json.load(open(res))["cells"] if c["observed"]["outcome"] != "skipped"]
info = {}
for c in cells:
    if c["run"] not in info:
        out = subprocess.run([gm, "sysroot", "show", c["run"]], capture_output=True,
                             text=True, check=True).stdout
        loader = [l.split(None, 1)[1] for l in out.splitlines() if l.startswith("loader:")][0]
        dirs = ":".join(l.split(None, 1)[1] for l in out.splitlines() if l.startswith("libdir:"))
        info[c["run"]] = (loader, dirs)
    loader, dirs = info[c["run"]]
    if nul:
        argv = ([emulator] if emulator else []) + [loader, "--inhibit-cache", "--library-path",
                                                  dirs, c["binary"]]
        sys.stdout.write("".join(a + "\0" for a in argv) + "\0")
        continue
    prefix = shlex.quote(emulator) + " " if emulator else ""
    print("%s%s --inhibit-cache --library-path %s %s >/dev/null 2>&1 || true" %
          (prefix, shlex.quote(loader), shlex.quote(dirs), shlex.quote(c["binary"])))
