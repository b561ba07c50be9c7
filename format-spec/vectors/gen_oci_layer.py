#!/usr/bin/env python3
"""oci-layer.tsv from format-spec/oci.md ("A layer: the diff as a tar"),
written from the spec alone. Each vector is a layer of a diff from the
empty tree; members are given as path, kind, mode, uid, gid, mtime, content
or link target, and xattrs. Prints: name TAB diffID (sha256 of the tar)."""
import hashlib

def octal(v, width):
    s = "%0*o" % (width - 1, v)
    assert len(s) == width - 1
    return s.encode() + b"\0"

def header(name, mode, uid, gid, size, mtime, kind, link=b"", dev=(0, 0)):
    h = bytearray(512)
    h[0:len(name[:100])] = name[:100]
    h[100:108] = octal(mode, 8)
    h[108:116] = octal(uid, 8)
    h[116:124] = octal(gid, 8)
    h[124:136] = octal(size, 12)
    h[136:148] = octal(mtime, 12)
    h[156:157] = kind
    h[157:157 + len(link[:100])] = link[:100]
    h[257:263] = b"ustar\0"
    h[263:265] = b"00"
    h[329:337] = octal(dev[0], 8)
    h[337:345] = octal(dev[1], 8)
    h[148:156] = b" " * 8
    s = sum(h)
    h[148:156] = ("%06o" % s).encode() + b"\0 "
    return bytes(h)

def pad(n):
    return b"\0" * ((512 - n % 512) % 512)

def record(k, v):
    body = len(k) + len(v) + 3
    n = body + 1
    while n != body + len(str(n)):
        n = body + len(str(n))
    return str(n).encode() + b" " + k + b"=" + v + b"\n"

def member(name, mode, uid, gid, mtime, kind, content=b"", link=b"", xattrs=()):
    recs = b""
    if len(name) > 100:
        recs += record(b"path", name)
    if len(link) > 100:
        recs += record(b"linkpath", link)
    for k, v in sorted((b"SCHILY.xattr." + k, v) for k, v in xattrs):
        recs += record(k, v)
    out = b""
    if recs:
        out += header(b"././@PaxHeader", 0o644, 0, 0, len(recs), 0, b"x") + recs + pad(len(recs))
    out += header(name, mode, uid, gid, len(content), mtime, kind, link) + content + pad(len(content))
    return out

END = b"\0" * 1024
long_dir = b"d" * 60 + b"/" + b"e" * 60
vectors = {
    # d/ (0755), d/f "hi\n" 0644 without mtime (commit time 1000), l -> d/f
    "small": member(b"d/", 0o755, 0, 0, 1000, b"5")
             + member(b"d/f", 0o644, 0, 0, 1000, b"0", b"hi\n")
             + member(b"l", 0o777, 0, 0, 1000, b"2", link=b"d/f"),
    # an owner, an xattr, a long path (PAX path)
    "pax": member(b"d" * 60 + b"/", 0o750, 7, 8, 1234567890, b"5")
           + member(long_dir, 0o600, 7, 8, 1234567890, b"0", b"x", xattrs=[(b"user.k", b"v1")]),
}
for name, tar in vectors.items():
    print("%s\tsha256:%s" % (name, hashlib.sha256(tar + END).hexdigest()))
