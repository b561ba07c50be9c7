#!/usr/bin/env python3
"""Bytes of a pack by what they carry: commits (and tags), tree nodes, file
content (blobs and chunk lists), and framing (pack header and trailer,
record headers, delta base ids, the compression's frame and block headers).
A delta counts as the kind of object it rebuilds. Usage:
pack-bytes.py hako PACK (version 2, or 3: the compact stream), or
pack-bytes.py git PACK GIT_DIR (where the bases
of a thin pack's deltas are, to tell their kinds) -> one line
"commit=N tree=N content=N framing=N total=N"."""
import subprocess, sys, zlib

def varint(b, i):
    v = s = 0
    while True:
        c = b[i]; i += 1
        v |= (c & 0x7f) << s; s += 7
        if not c & 0x80:
            return v, i

def zstd_overhead(frame):
    """Frame header + block headers + checksum of one zstd frame: what is not payload."""
    i = 0
    if frame[:4] == b"\x28\xb5\x2f\xfd":
        i = 4
    fhd = frame[i]; i += 1
    single = fhd >> 5 & 1
    fcs = {0: 1 if single else 0, 1: 2, 2: 4, 3: 8}[fhd >> 6]
    did = {0: 0, 1: 1, 2: 2, 3: 4}[fhd & 3]
    i += (0 if single else 1) + did + fcs
    over = i
    while True:
        bh = int.from_bytes(frame[i:i + 3], "little"); i += 3; over += 3
        last, btype, bsize = bh & 1, bh >> 1 & 3, bh >> 3
        i += 1 if btype == 1 else bsize
        if last:
            break
    if fhd >> 2 & 1:
        over += 4
    return over

KINDS = {1: "content", 2: "content", 3: "tree", 4: "commit", 5: "commit"}

def tally(b, n, i, framing, record):
    """Bytes by kind of the N records of B from offset I (FRAMING bytes of
    header and trailer): record(i) -> (kind, payload bytes, end of the
    record); what a record holds beyond its payload is framing."""
    out = dict(commit=0, tree=0, content=0, framing=framing)
    for _ in range(n):
        kind, body, end = record(i)
        out[kind] += body
        out["framing"] += (end - i) - body
        i = end
    return out

def compact(b):
    """Version 3, the compact stream: head, base (an id, or back [and slot]),
    size, length (not for a raw record), body (raw, ops, or a zstd frame
    without its magic). Ops and raw bodies count as their object's kind."""
    def record(i):
        head = b[i]; i += 1
        form, body = head >> 3 & 3, head >> 5 & 3
        if form == 1:
            i += 32
        for _ in range(max(form - 1, 0)):
            _, i = varint(b, i)
        size, i = varint(b, i)
        length = size
        if body != 0:
            length, i = varint(b, i)
        over = zstd_overhead(b[i:i + length]) if body == 1 else 0
        return KINDS[head & 7], length - over, i + length
    return tally(b, int.from_bytes(b[12:16], "big"), 16, 16 + 32, record)

def hako(b):
    if int.from_bytes(b[8:12], "big") == 3:
        return compact(b)
    def record(i):
        k = b[i]; i += 1
        _, i = varint(b, i)
        if k & 0x10:
            i += 32
        stored, i = varint(b, i)
        over = zstd_overhead(b[i:i + stored])
        return KINDS[k & 0x0f], stored - over, i + stored
    return tally(b, int.from_bytes(b[12:16], "big"), 16, 16 + 32, record)

def git(b, git_dir):
    names = {1: "commit", 2: "tree", 3: "content", 4: "commit"}
    kind_at = {}
    def record(start):
        i = start
        c = b[i]; i += 1
        t = c >> 4 & 7
        while c & 0x80:
            c = b[i]; i += 1
        if t == 6:
            c = b[i]; i += 1
            rel = c & 0x7f
            while c & 0x80:
                c = b[i]; i += 1
                rel = ((rel + 1) << 7) | (c & 0x7f)
            name = kind_at[start - rel]
        elif t == 7:
            base = b[i:i + 20].hex(); i += 20
            kind = subprocess.run(["git", "--git-dir", git_dir, "cat-file", "-t", base],
                                  capture_output=True, text=True, check=True).stdout.strip()
            name = {"commit": "commit", "tag": "commit", "tree": "tree"}.get(kind, "content")
        else:
            name = names[t]
        kind_at[start] = name
        d = zlib.decompressobj()
        d.decompress(b[i:])
        used = len(b) - i - len(d.unused_data)
        return name, used - 6, i + used  # zlib: a 2-byte header, a 4-byte adler32
    return tally(b, int.from_bytes(b[8:12], "big"), 12, 12 + 20, record)

if __name__ == "__main__":
    which, path = sys.argv[1], sys.argv[2]
    data = open(path, "rb").read()
    r = hako(data) if which == "hako" else git(data, sys.argv[3])
    total = sum(r.values())
    assert total == len(data), (total, len(data))
    print(" ".join("%s=%d" % (k, r[k]) for k in ("commit", "tree", "content", "framing")) + " total=%d" % total)
