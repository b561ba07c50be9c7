#!/usr/bin/env python3
"""Build the seed corpora fuzz/corpus/<target>/ (one directory per target of
src/fuzzing.rs) from format-spec/vectors and from objects, packs and files
made by real hako commands in a scratch workspace.

usage: fuzz/seed.py [HAKO]    (HAKO: the binary, default target/debug/hako)

Each seed is named by the BLAKE2 hash of its bytes, so re-running adds only
what is new. Seeds over 64 KiB are left out (the corpora stay small)."""

import gzip
import hashlib
import io
import os
import random
import struct
import subprocess
import sys
import tarfile
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
VEC = os.path.join(ROOT, "format-spec", "vectors")
OUT = os.path.join(ROOT, "fuzz", "corpus")
HAKO = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "target", "debug", "hako"))
MAX_SEED = 64 << 10


def put(target, data):
    if len(data) > MAX_SEED:
        return
    d = os.path.join(OUT, target)
    os.makedirs(d, exist_ok=True)
    name = hashlib.blake2b(data, digest_size=10).hexdigest()
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


def vec(name):
    with open(os.path.join(VEC, name), "rb") as f:
        return f.read()


def hako(*args, cwd=None, stdin=None):
    env = dict(os.environ, HAKO_AUTHOR_NAME="Fuzz Seed", HAKO_AUTHOR_EMAIL="seed@example.org",
               HAKO_COMMITTER_NAME="Fuzz Seed", HAKO_COMMITTER_EMAIL="seed@example.org")
    return subprocess.run([HAKO, *args], cwd=cwd, input=stdin, env=env,
                          stdout=subprocess.PIPE, check=True).stdout


def varint(n):
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        if n:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def get_varint(buf, pos):
    v, shift = 0, 0
    while True:
        b = buf[pos]
        pos += 1
        v |= (b & 0x7F) << shift
        shift += 7
        if not b & 0x80:
            return v, pos


def records(pack):
    """(offset, kind byte, size, base id or None, record bytes) of a pack."""
    count = struct.unpack(">I", pack[12:16])[0]
    pos, out = 16, []
    for _ in range(count):
        start, code = pos, pack[pos]
        size, pos = get_varint(pack, pos + 1)
        base = None
        if code & 0x10:
            base, pos = pack[pos:pos + 32], pos + 32
        stored, pos = get_varint(pack, pos)
        pos += stored
        out.append((start, code, size, base, pack[start:pos]))
    return out


def pkt(line):
    if isinstance(line, str):
        line = line.encode()
    return b"%04x" % (len(line) + 4) + line


def tar_layer(entries):
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as t:
        for name, kind, data, extra in entries:
            ti = tarfile.TarInfo(name)
            ti.mtime = 1700000000
            ti.type = kind
            ti.mode = extra.get("mode", 0o644)
            ti.linkname = extra.get("link", "")
            ti.pax_headers = extra.get("pax", {})
            ti.size = len(data) if kind == tarfile.REGTYPE else 0
            t.addfile(ti, io.BytesIO(data) if kind == tarfile.REGTYPE else None)
    return buf.getvalue()


def from_vectors():
    for name in ["pack-small", "pack-delta"]:
        idx, pack = vec(name + ".idx"), vec(name + ".pack")
        put("pack_stream", pack)
        put("pack_index", idx + pack)
    put("pack_stream", vec("pack-thin.pack"))
    put("compact_stream", vec("pack-compact.pack"))
    for line in vec("pkt.tsv").decode().splitlines():
        if line.startswith("#") or not line.strip():
            continue
        hexed = line.split("\t")[-1]
        # {XX*N}: N copies of the byte XX; kept short in a seed.
        while "{" in hexed:
            a = hexed.index("{")
            b = hexed.index("}", a)
            xx, n = hexed[a + 1:b].split("*")
            hexed = hexed[:a] + xx * min(int(n), 300) + hexed[b + 1:]
        put("pkt_line", bytes.fromhex(hexed))
    put("dumb_http", vec("dumb-http-refs"))
    put("dumb_http", vec("shallow"))
    for line in vec("objects.tsv").decode().splitlines():
        if line.startswith("#"):
            continue
        kind, payload = line.split("\t")[:2]
        data = bytes.fromhex(payload)
        if kind in ("commit", "tag"):
            put("commit_tag", data)
        elif kind == "tree":
            put("tree_node", data)
        elif kind == "file":
            put("chunk_list", data)


def from_workspace(tmp):
    ws = os.path.join(tmp, "ws")
    host = os.path.join(tmp, "host")
    rnd = random.Random(7)
    os.makedirs(os.path.join(host, "etc", "deep", "er"))
    with open(os.path.join(host, "etc", "hosts"), "w") as f:
        f.write("127.0.0.1 localhost\n")
    with open(os.path.join(host, "big"), "wb") as f:
        f.write(bytes(rnd.getrandbits(8) for _ in range(300 << 10)))
    os.makedirs(os.path.join(host, "many"))
    for i in range(1200):
        with open(os.path.join(host, "many", "f%05d" % i), "w") as f:
            f.write("%d\n" % i)
    os.symlink("etc/hosts", os.path.join(host, "link"))
    hako("init", "-q", "--empty", ws)
    hako("import", host, "/", cwd=ws)
    hako("commit", "-q", "-m", "first\n\nwith a body", cwd=ws)
    hako("write", "/etc/hosts", "127.0.0.1 localhost changed\n", cwd=ws)
    hako("commit", "-q", "-m", "second", cwd=ws)
    hako("tag", "-a", "v1", "-m", "a tag", cwd=ws)
    objdir = os.path.join(ws, ".hako", "objects")
    for fan in sorted(os.listdir(objdir)):
        if len(fan) != 2:
            continue
        for rest in sorted(os.listdir(os.path.join(objdir, fan))):
            path = os.path.join(objdir, fan, rest)
            with open(path, "rb") as f:
                raw = f.read()
            if len(raw) <= 4096:
                put("loose", raw)
    hako("repack", "-a", "-d", cwd=ws)
    packdir = os.path.join(objdir, "pack")
    kinds = {}
    for f in sorted(os.listdir(packdir)):
        if f.endswith(".idx"):
            for line in hako("verify-pack", "-v", os.path.join(packdir, f), cwd=ws).decode().splitlines():
                w = line.split(" ")
                if len(w) >= 2 and len(w[0]) == 64:
                    kinds[w[0]] = w[1]
    for oid, kind in sorted(kinds.items()):
        payload = hako("cat-file", kind, oid, cwd=ws)
        target = {"commit": "commit_tag", "tag": "commit_tag", "tree": "tree_node",
                  "file": "chunk_list"}.get(kind)
        if target:
            put(target, payload)
    # Packs small enough to be seeds: a workspace of a few files and two
    # commits (its trees' second versions are deltas), a thin pack, the
    # vectors' delta pack stored here so that its bases can be read back.
    ws = os.path.join(tmp, "small")
    hako("init", "-q", "--empty", ws)
    hako("import", os.path.join(host, "etc"), "/etc", cwd=ws)
    hako("write", "/a", "a line\n" * 50, cwd=ws)
    hako("commit", "-q", "-m", "first", cwd=ws)
    hako("write", "/a", "a line\n" * 51, cwd=ws)
    hako("write", "/etc/deep/er/b", "b\n", cwd=ws)
    hako("commit", "-q", "-m", "second", cwd=ws)
    hako("index-pack", "--stdin", cwd=ws, stdin=vec("pack-delta.pack"))
    objdir = os.path.join(ws, ".hako", "objects")
    pack = hako("pack-objects", "--revs", "--stdout", cwd=ws, stdin=b"HEAD\n")
    put("pack_stream", pack)
    thin = hako("pack-objects", "--revs", "--thin", "--stdout", cwd=ws, stdin=b"HEAD\n^HEAD~1\n")
    put("pack_stream", thin)
    compact = hako("pack-objects", "--revs", "--thin", "--compact", "--stdout", cwd=ws,
                   stdin=b"HEAD\n^HEAD~1\n")
    put("compact_stream", compact)
    put("compact_stream", hako("pack-objects", "--revs", "--compact", "--stdout", cwd=ws, stdin=b"HEAD\n"))
    hako("update-server-info", cwd=ws)
    packdir = os.path.join(objdir, "pack")
    for f in sorted(os.listdir(packdir)):
        if f.endswith(".idx"):
            idx = open(os.path.join(packdir, f), "rb").read()
            data = open(os.path.join(packdir, f[:-4] + ".pack"), "rb").read()
            put("pack_index", idx + data)
            put("pack_stream", data)
    for p in [pack, thin, vec("pack-delta.pack")]:
        for _, code, _, base, rec in records(p):
            if base is None:
                continue
            try:
                bkind = hako("cat-file", "-t", base.hex(), cwd=ws).decode().strip()
                bdata = hako("cat-file", bkind, base.hex(), cwd=ws)
            except subprocess.CalledProcessError:
                continue
            put("delta", varint(len(bdata)) + bdata + rec)
    for f in ["info/refs", "objects/info/packs", "config"]:
        data = open(os.path.join(ws, ".hako", f), "rb").read()
        put("config" if f == "config" else "dumb_http", data)
    # The protocol: an advertisement, and requests an upload-pack serves.
    head = hako("rev-parse", "HEAD", cwd=ws).decode().strip()
    adv = hako("upload-pack", ".", cwd=ws, stdin=pkt("0000")[:0] + b"0000")
    put("pkt_line", adv)
    for req in [
        [pkt("want %s side-band thin-pack shallow agent=seed\n" % head), b"0000", pkt("done\n")],
        [pkt("want %s side-band\n" % head), pkt("deepen 1\n"), b"0000", pkt("have %s\n" % head), b"0000", pkt("done\n")],
        [pkt("want %s\n" % head), pkt("shallow %s\n" % head), b"0000", pkt("done\n")],
    ]:
        put("pkt_line", b"".join(req))
    put("pkt_line", pkt(b"\x01" + pack[:1000]) + pkt(b"\x02progress\n") + pkt(b"\x03an error\n") + b"0000")


def handmade():
    d = "sha256:" + "ab" * 32
    put("oci_manifest", b'{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json",'
        b'"config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"' + d.encode() +
        b'","size":7},"layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","digest":"' +
        d.encode() + b'","size":32}]}')
    put("oci_manifest", b'{"schemaVersion":2,"manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json",'
        b'"digest":"' + d.encode() + b'","size":7,"platform":{"architecture":"arm64","os":"linux","variant":"v8"}}]}')
    put("oci_manifest", b'{"schemaVersion":2,"mediaType":"application/vnd.docker.distribution.manifest.list.v2+json",'
        b'"manifests":[]}')
    put("oci_manifest", b'{"architecture":"amd64","os":"linux","config":{"Env":["PATH=/bin"],"Cmd":["sh"],'
        b'"Entrypoint":null,"WorkingDir":"/","User":"1000:1000","ExposedPorts":{"80/tcp":{}},"Labels":{"a":"b"}}}')
    put("oci_manifest", b'Bearer realm="https://auth.example/token",service="registry",scope="repository:x:pull"')
    put("oci_manifest", b"linux/arm/v7")
    layer1 = tar_layer([
        ("etc", tarfile.DIRTYPE, b"", {"mode": 0o755}),
        ("etc/passwd", tarfile.REGTYPE, b"root:x:0:0::/root:/bin/sh\n", {"pax": {"SCHILY.xattr.user.k": "v"}}),
        ("bin/sh", tarfile.SYMTYPE, b"", {"link": "busybox"}),
        ("bin/busybox", tarfile.REGTYPE, b"\x7fELF" + bytes(100), {"mode": 0o4755}),
        ("bin/ls", tarfile.LNKTYPE, b"", {"link": "bin/busybox"}),
        ("dev/null", tarfile.CHRTYPE, b"", {}),
        ("fifo", tarfile.FIFOTYPE, b"", {}),
    ])
    layer2 = tar_layer([
        ("etc/.wh.passwd", tarfile.REGTYPE, b"", {}),
        ("bin/.wh..wh..opq", tarfile.REGTYPE, b"", {}),
        ("bin/true", tarfile.REGTYPE, b"", {"pax": {"LIBARCHIVE.xattr.user%2Ex": "dg=="}}),
    ])
    for layer in [layer1, layer2]:
        put("oci_layer", layer)
        put("oci_layer", gzip.compress(layer, mtime=0))
    put("hako_toml", b'name = "app"\nimage = "docker.io/library/alpine:3"\nsetup = [\n  "echo one >/one",\n]\n'
        b'run = "/bin/sh"\nworkspace = "ro"\nenv = { A = "1", B = "two" }\nenv_pass = ["TERM"]\n'
        b'autocommit = false\nnet = "pasta"\nbinds = ["~/src:/src:ro"]\nrlimits = { nofile = 1024 }\n'
        b'\n[dev]\nnet = "host"\nsetup = ["echo dev"]\n')
    put("hako_toml", b'include = ["hako.toml"]\nname = "cycle"\n')
    put("config", b'[core]\n\tformatversion = 1\n[remote "origin"]\n\turl = ssh://host/path\n\tfetch = +refs/*\n'
        b'[transfer]\n\tmaxPackSize = 8g\n; comment\n# comment\n[user]\nname = "A U Thor"\n')
    put("dumb_http", b"bytes 2-4/10\tmultipart/byteranges; boundary=XYZ\n\r\n--XYZ\r\nContent-Range: bytes 2-4/10\r\n\r\n"
        b"cde\r\n--XYZ\r\ncontent-range: bytes 7-8/10\r\n\r\nhi\r\n--XYZ--\r\n")


def main():
    from_vectors()
    handmade()
    with tempfile.TemporaryDirectory() as tmp:
        from_workspace(tmp)
    for t in sorted(os.listdir(OUT)):
        files = os.listdir(os.path.join(OUT, t))
        size = sum(os.path.getsize(os.path.join(OUT, t, f)) for f in files)
        print("%-14s %4d seeds %8d bytes" % (t, len(files), size))


if __name__ == "__main__":
    main()
