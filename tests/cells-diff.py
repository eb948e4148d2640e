#!/usr/bin/env python3
"""Compares two results.json cell by cell, times and the ids a probe prints
(tid=, pid=) excluded: the same cells
(subject, build, run, method, rootfs, arch), each with the same prediction,
observation, expectation and verdict.  Each run's own directory (--out) is
written as OUT in both, since patched copies and work files live there.
  tests/cells-diff.py OLD.json NEW.json   exit 0 when equal, 1 with the
differences listed (at most 20 shown), 2 on a bad argument."""
import json
import os
import re
import sys

TIMES = {"duration_s"}
# What a probe prints that differs from run to run: thread and process ids.
VOLATILE = re.compile(r"\b(tid|pid)=[0-9]+")


def load(path):
    with open(path) as f:
        doc = json.load(f)
    out = os.path.dirname(os.path.abspath(path))
    cells = {}
    for c in doc["cells"]:
        key = (c["subject"], c["build"], c["run"], c["method"], c["rootfs"], c["arch"])
        if key in cells:
            raise SystemExit(f"{path}: cell {key} twice")
        c = dict(c)
        c.pop("id", None)
        obs = {k: v for k, v in c["observed"].items() if k not in TIMES}
        for k in ("stdout", "stderr"):
            if isinstance(obs.get(k), str):
                obs[k] = VOLATILE.sub(r"\1=N", obs[k])
        c["observed"] = obs
        cells[key] = json.loads(json.dumps(c).replace(out, "OUT"))
    return cells


def main():
    if len(sys.argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    old, new = load(sys.argv[1]), load(sys.argv[2])
    diffs = [f"only in {sys.argv[1]}: {k}" for k in old if k not in new]
    diffs += [f"only in {sys.argv[2]}: {k}" for k in new if k not in old]
    for k in old.keys() & new.keys():
        for field in sorted(old[k].keys() | new[k].keys()):
            if old[k].get(field) != new[k].get(field):
                diffs.append(f"{k} {field}: {old[k].get(field)!r} != {new[k].get(field)!r}")
    for d in diffs[:20]:
        print(d)
    print(f"{len(old)} and {len(new)} cells, {len(diffs)} differences")
    return 1 if diffs else 0


if __name__ == "__main__":
    sys.exit(main())
