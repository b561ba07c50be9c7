#!/usr/bin/env python3
"""An independent implementation of the prolly-tree node format and boundary
rule (format-spec/prolly-tree.md), used to compute vectors/trees.tsv.
Needs the `blake3` Python package. Run: python3 gen_trees.py > trees.tsv"""
import os
import sys

import blake3

# The varint of objects.md, written once for the hand-made objects of the
# t/ tests (t/helpers/hostile.py, also free of hako code).
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "t", "helpers"))
from hostile import varint  # noqa: E402

MIN, MAX, K2 = 512, 16384, 8179600


def oid(kind, payload):
    return blake3.blake3(kind.encode() + b" " + str(len(payload)).encode() + b"\0" + payload).digest()


def record(tag, value):
    return bytes([tag]) + varint(len(value)) + value


def meta(fields):
    """Metadata records (format-spec/prolly-tree.md, Metadata) from
    `key=value,...`: uid, gid, rdev=MAJOR:MINOR, xattr=HEXNAME:HEXVALUE,
    mtime=SECONDS[.FRACTION] (1-9 digits of a second: .5 = 500000000 ns), link=HEXPATH."""
    kv = [f.split("=", 1) for f in fields.split(",")] if fields else []
    get = lambda k: [v for key, v in kv if key == k]
    out = b""
    for v in get("uid"):
        if int(v):
            out += record(1, varint(int(v)))
    for v in get("gid"):
        if int(v):
            out += record(2, varint(int(v)))
    for v in get("rdev"):
        ma, mi = v.split(":")
        out += record(3, varint(int(ma)) + varint(int(mi)))
    for n, v in sorted(tuple(bytes.fromhex(x) for x in v.split(":")) for v in get("xattr")):
        out += record(4, varint(len(n)) + n + v)
    for v in get("mtime"):
        secs, _, ns = v.partition(".")
        out += record(5, varint(int(secs)))
        if ns and int(ns):
            out += record(6, varint(int(ns.ljust(9, "0"))))
    for v in get("link"):
        out += record(7, bytes.fromhex(v))
    return out


def leaf(name, mode, id_, fields=""):
    m = meta(fields)
    return (name, varint(len(name)) + name + varint(mode) + id_ + varint(len(m)) + m, 1)


def cut(level, key, e, s):
    if s < MIN:
        return False
    x = int.from_bytes(blake3.blake3(bytes([level]) + key).digest()[:4], "little")
    return x * K2 < (e * (s - MIN)) << 32


def chunk(level, entries):
    nodes, cur, s = [], [], 0
    for ent in entries:
        e = len(ent[1])
        if cur and s + e > MAX:
            nodes.append(cur)
            cur, s = [], 0
        s += e
        cur.append(ent)
        if cut(level, ent[0], e, s):
            nodes.append(cur)
            cur, s = [], 0
    if cur:
        nodes.append(cur)
    return nodes


def payload(level, node):
    return bytes([1, level]) + varint(len(node)) + b"".join(e[1] for e in node)


def build(entries):
    level = 0
    while True:
        nodes = chunk(level, entries)
        if len(nodes) <= 1:
            return oid("tree", payload(level, nodes[0] if nodes else []))
        parents = []
        for n in nodes:
            cid = oid("tree", payload(level, n))
            key, count = n[-1][0], sum(e[2] for e in n)
            parents.append((key, varint(len(key)) + key + varint(count) + cid, count))
        entries, level = parents, level + 1


def blob(data):
    return oid("blob", data)


def gen(n):
    out = []
    for i in range(n):
        name = b"f%06d" % i
        out.append(leaf(name, 0o100644, blob(name + b"\n")))
    return out


def maxclose(arg):
    # N entries t029-000000.., id = blob of "x"; every 400th (i % 400 == 399)
    # carries an 8000-byte xattr user.x = "v"*8000, so some nodes are closed
    # by the size limit (rule 1); "N-K" leaves entry K out.
    n, _, skip = arg.partition("-")
    out = []
    for i in range(int(n)):
        if skip and i == int(skip):
            continue
        fields = ""
        if i % 400 == 399:
            fields = "xattr=" + b"user.x".hex() + ":" + (b"v" * 8000).hex()
        out.append(leaf(b"t029-%06d" % i, 0o100644, blob(b"x"), fields))
    return out


def lines(spec):
    out = []
    for item in spec.split(";"):
        mode, kind, content, name, *fields = item.split(" ")
        if kind == "tree":
            id_ = oid("tree", bytes([1, 0, 0]))
        elif kind == "none":
            id_ = bytes(32)
        else:
            id_ = blob(content.encode())
        out.append(leaf(name.encode(), int(mode, 8), id_, fields[0] if fields else ""))
    out.sort(key=lambda e: e[0])
    return out


print("# name\tinput\texpected tree id (computed by format-spec/vectors/gen_trees.py, an independent implementation)")
print("# lines:MODE TYPE CONTENT NAME [META];... — TYPE blob: id = blob of CONTENT (no LF added); TYPE tree: id = the empty tree; TYPE none: the zero id")
print("# META: key=value,... — uid, gid, rdev=MAJOR:MINOR, xattr=HEXNAME:HEXVALUE, mtime=SECONDS[.FRACTION] (1-9 digits of a second: .5 = 500000000 ns), link=HEXPATH (hardlink)")
print("# gen:N — N entries f000000.., mode 100644, id = blob of the name followed by LF")
print("# maxclose:N[-K] — N entries t029-000000.., mode 100644, id = blob of x, every 400th (i % 400 == 399) with xattr user.x = 8000 bytes v; -K leaves entry K out")
cases = [
    ("empty", "gen:0"),
    ("one-file", "lines:100644 blob hello hello.txt"),
    ("modes", "lines:100644 blob a a;100755 blob #!/bin/sh run.sh;120777 blob a link;040755 tree - sub"),
    ("gen-10", "gen:10"),
    ("gen-1000", "gen:1000"),
    ("gen-100000", "gen:100000"),
    ("metadata", "lines:040700 none - . uid=1000,gid=1000,mtime=1700000000.5;"
     "100644 blob a f uid=1000,gid=42,mtime=1700000000.123456789,xattr=757365722e62:32,xattr=757365722e61:31;"
     "100644 blob a g uid=1000,gid=42,mtime=1700000000.123456789,xattr=757365722e61:31,xattr=757365722e62:32,link=66;"
     "120777 blob f l mtime=1600000000,link=2e2e2f782f79;"
     "020666 none - null rdev=1:3;"
     "060660 none - sda gid=6,rdev=8:0;"
     "104755 blob su su mtime=0"),
    ("maxclose", "maxclose:8000"),
    ("maxclose-without-1199", "maxclose:8000-1199"),
]
for name, spec in cases:
    kind, arg = spec.split(":", 1)
    entries = gen(int(arg)) if kind == "gen" else maxclose(arg) if kind == "maxclose" else lines(arg)
    print("%s\t%s\t%s" % (name, spec, build(entries).hex()))
