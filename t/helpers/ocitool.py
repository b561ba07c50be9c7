#!/usr/bin/env python3
"""ocitool.py: rewrite images in an OCI layout, for tests.

    ocitool.py decompress LAYOUT TAG NEWTAG        layers as plain tar
    ocitool.py mediatype LAYOUT TAG NEWTAG TYPE    every layer's media type set to TYPE
    ocitool.py index LAYOUT NEWTAG TAG=OS/ARCH[/VARIANT]...
                                                   an image index of those images
    ocitool.py push LAYOUT TAG HOST:PORT REPO:TAG  push one image verbatim over
                                                   plain HTTP (blobs as they are,
                                                   the manifest byte for byte)
"""
import gzip
import hashlib
import json
import os
import sys


def blob_path(layout, digest):
    return os.path.join(layout, "blobs", "sha256", digest.split(":", 1)[1])


def put_blob(layout, data):
    d = "sha256:" + hashlib.sha256(data).hexdigest()
    with open(blob_path(layout, d), "wb") as f:
        f.write(data)
    return d


def read_index(layout):
    with open(os.path.join(layout, "index.json")) as f:
        return json.load(f)


def descriptor(layout, tag):
    for m in read_index(layout)["manifests"]:
        if m.get("annotations", {}).get("org.opencontainers.image.ref.name") == tag:
            return m
    sys.exit("ocitool.py: no tag %r" % tag)


def add_tag(layout, tag, media_type, data):
    d = put_blob(layout, data)
    idx = read_index(layout)
    idx["manifests"] = [m for m in idx["manifests"]
                        if m.get("annotations", {}).get("org.opencontainers.image.ref.name") != tag]
    idx["manifests"].append({"mediaType": media_type, "digest": d, "size": len(data),
                             "annotations": {"org.opencontainers.image.ref.name": tag}})
    with open(os.path.join(layout, "index.json"), "w") as f:
        json.dump(idx, f)


def manifest(layout, tag):
    with open(blob_path(layout, descriptor(layout, tag)["digest"]), "rb") as f:
        return json.load(f)


def main():
    cmd, layout = sys.argv[1], sys.argv[2]
    if cmd in ("decompress", "mediatype"):
        tag, new = sys.argv[3], sys.argv[4]
        m = manifest(layout, tag)
        for l in m["layers"]:
            if cmd == "decompress":
                with open(blob_path(layout, l["digest"]), "rb") as f:
                    data = gzip.decompress(f.read())
                l["digest"] = put_blob(layout, data)
                l["size"] = len(data)
                l["mediaType"] = "application/vnd.oci.image.layer.v1.tar"
            else:
                l["mediaType"] = sys.argv[5]
        m["mediaType"] = "application/vnd.oci.image.manifest.v1+json"
        add_tag(layout, new, m["mediaType"], json.dumps(m).encode())
    elif cmd == "index":
        new = sys.argv[3]
        ms = []
        for arg in sys.argv[4:]:
            tag, plat = arg.split("=")
            parts = plat.split("/")
            d = dict(descriptor(layout, tag))
            d.pop("annotations", None)
            d["platform"] = {"os": parts[0], "architecture": parts[1]}
            if len(parts) > 2:
                d["platform"]["variant"] = parts[2]
            ms.append(d)
        idx = {"schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json",
               "manifests": ms}
        add_tag(layout, new, idx["mediaType"], json.dumps(idx).encode())
    elif cmd == "push":
        import urllib.request
        tag, host, dest = sys.argv[3], sys.argv[4], sys.argv[5]
        repo, rtag = dest.rsplit(":", 1)
        desc = descriptor(layout, tag)
        with open(blob_path(layout, desc["digest"]), "rb") as f:
            body = f.read()
        m = json.loads(body)
        for b in [m["config"]] + m["layers"]:
            with open(blob_path(layout, b["digest"]), "rb") as f:
                data = f.read()
            r = urllib.request.urlopen(urllib.request.Request(
                "http://%s/v2/%s/blobs/uploads/" % (host, repo), method="POST", data=b""))
            loc = r.headers["Location"]
            if loc.startswith("/"):
                loc = "http://%s%s" % (host, loc)
            loc += ("&" if "?" in loc else "?") + "digest=" + b["digest"]
            urllib.request.urlopen(urllib.request.Request(
                loc, method="PUT", data=data,
                headers={"Content-Type": "application/octet-stream"}))
        urllib.request.urlopen(urllib.request.Request(
            "http://%s/v2/%s/manifests/%s" % (host, repo, rtag), method="PUT", data=body,
            headers={"Content-Type": desc["mediaType"]}))
    else:
        sys.exit("ocitool.py: unknown command %r" % cmd)


main()
