#!/usr/bin/env python3
"""An independent implementation of the prolly-tree node format and boundary
rule (format-spec/prolly-tree.md), used to compute vectors/trees.tsv.
Needs the `blake3` Python package. Run: python3 gen_trees.py > trees.tsv"""
import blake3

MIN, MAX, K2 = 512, 16384, 8179600


def varint(v):
    out = bytearray()
    while v >= 0x80:
        out.append((v & 0x7F) | 0x80)
        v >>= 7
    out.append(v)
    return bytes(out)


def oid(kind, payload):
    return blake3.blake3(kind.encode() + b" " + str(len(payload)).encode() + b"\0" + payload).digest()


def leaf(name, mode, id_):
    return (name, varint(len(name)) + name + varint(mode) + id_ + varint(0), 1)


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


def lines(spec):
    out = []
    for item in spec.split(";"):
        mode, kind, content, name = item.split(" ")
        if kind == "tree":
            id_ = oid("tree", bytes([1, 0, 0]))
        else:
            id_ = blob(content.encode())
        out.append(leaf(name.encode(), int(mode, 8), id_))
    out.sort(key=lambda e: e[0])
    return out


print("# name\tinput\texpected tree id (computed by format-spec/vectors/gen_trees.py, an independent implementation)")
print("# lines:MODE TYPE CONTENT NAME;... — TYPE blob: id = blob of CONTENT; TYPE tree: id = the empty tree")
print("# gen:N — N entries f000000.., mode 100644, id = blob of the name followed by LF")
cases = [
    ("empty", "gen:0"),
    ("one-file", "lines:100644 blob hello hello.txt"),
    ("modes", "lines:100644 blob a a;100755 blob #!/bin/sh run.sh;120777 blob a link;040755 tree - sub"),
    ("gen-10", "gen:10"),
    ("gen-1000", "gen:1000"),
    ("gen-100000", "gen:100000"),
]
for name, spec in cases:
    kind, arg = spec.split(":", 1)
    entries = gen(int(arg)) if kind == "gen" else lines(arg)
    print("%s\t%s\t%s" % (name, spec, build(entries).hex()))
