#!/usr/bin/env python3
"""Writes an image archive from layer tarballs, as podman save would, for
the tests of `rootfs import` with images no tool would make.
  tests/image-forge.py oci|docker OUT LAYER.tar... [--lie N]
oci: an oci-archive (index.json, one manifest, the config, the layers as
blobs named by their sha256); docker: a docker-archive (manifest.json, the
config named by its sha256, the layers, their sha256 in rootfs.diff_ids).
--lie N: the digest recorded for layer N (1-based) is another file's, so
the blob does not match what names it.
Also: tests/image-forge.py layer OUT SPEC... writes a layer tarball whose
entries are SPEC: "f:NAME:TEXT" a file, "d:NAME" a directory, "l:NAME:TARGET"
a symbolic link, "h:NAME:TARGET" a hard link; names are written as given
(".." and "/" included)."""
import hashlib
import io
import json
import sys
import tarfile


def sha(b):
    return hashlib.sha256(b).hexdigest()


def layer(out, specs):
    with tarfile.open(out, "w", format=tarfile.PAX_FORMAT) as t:
        for s in specs:
            kind, name, *rest = s.split(":", 2)
            ti = tarfile.TarInfo(name)
            ti.mode = 0o755 if kind == "d" else 0o644
            data = None
            if kind == "f":
                data = rest[0].encode()
                ti.size = len(data)
            elif kind == "d":
                ti.type = tarfile.DIRTYPE
            elif kind == "l":
                ti.type, ti.linkname = tarfile.SYMTYPE, rest[0]
            elif kind == "h":
                ti.type, ti.linkname = tarfile.LNKTYPE, rest[0]
            t.addfile(ti, io.BytesIO(data) if data is not None else None)


def add(t, name, data):
    ti = tarfile.TarInfo(name)
    ti.size = len(data)
    ti.mode = 0o644
    t.addfile(ti, io.BytesIO(data))


def image(fmt, out, layers, lie):
    blobs = [open(p, "rb").read() for p in layers]
    digests = [sha(b) for b in blobs]
    named = list(digests)
    if lie:
        named[lie - 1] = sha(b"another file")
    config = json.dumps({"architecture": "amd64", "os": "linux",
                         "rootfs": {"type": "layers", "diff_ids": ["sha256:" + d for d in named]}},
                        sort_keys=True).encode()
    with tarfile.open(out, "w") as t:
        if fmt == "docker":
            add(t, sha(config) + ".json", config)
            for d, b in zip(digests, blobs):
                add(t, d + ".tar", b)
            add(t, "manifest.json", json.dumps([{"Config": sha(config) + ".json",
                                                 "Layers": [d + ".tar" for d in digests]}]).encode())
            return
        manifest = json.dumps({
            "schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
            "config": {"mediaType": "application/vnd.oci.image.config.v1+json",
                       "digest": "sha256:" + sha(config), "size": len(config)},
            "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar",
                        "digest": "sha256:" + n, "size": len(b)} for n, b in zip(named, blobs)],
        }).encode()
        index = json.dumps({"schemaVersion": 2, "manifests": [{
            "mediaType": "application/vnd.oci.image.manifest.v1+json",
            "digest": "sha256:" + sha(manifest), "size": len(manifest),
            "platform": {"architecture": "amd64", "os": "linux"}}]}).encode()
        add(t, "oci-layout", b'{"imageLayoutVersion": "1.0.0"}')
        add(t, "index.json", index)
        for b in [config, manifest]:
            add(t, "blobs/sha256/" + sha(b), b)
        # A lying manifest names a blob that exists but holds this layer.
        for n, b in zip(named, blobs):
            add(t, "blobs/sha256/" + n, b)


def main(argv):
    if len(argv) >= 2 and argv[0] == "layer":
        layer(argv[1], argv[2:])
        return 0
    lie = 0
    if len(argv) >= 2 and argv[-2] == "--lie":
        lie = int(argv[-1])
        argv = argv[:-2]
    if len(argv) < 3 or argv[0] not in ("oci", "docker"):
        print(__doc__, file=sys.stderr)
        return 2
    image(argv[0], argv[1], argv[2:], lie)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
