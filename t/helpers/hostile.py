#!/usr/bin/env python3
"""Hostile peers and hand-made objects for the t/ tests of issue 27.

Written from the format specs alone (objects.md, prolly-tree.md, packs.md,
protocol.md), with no hako code: BLAKE3 in pure Python, zstd frames made of
raw blocks, packs, tree nodes and pkt-lines.

  hostile.py deep-pack N OUT [TEXT]   a pack of N nested one-entry trees,
                                      a blob (TEXT, backslash escapes read;
                                      default "bottom\n") and a
                                      commit; prints the commit id
  hostile.py huge-pack SIZE OUT       a pack with one blob record declaring
                                      SIZE bytes (a small zstd frame of zeros)
  hostile.py loose-huge SIZE DIR      a loose object file declaring SIZE bytes;
                                      prints its (claimed) id
  hostile.py typed-pack KIND OUT      a pack whose tree or ref is mistyped
                                      (KIND: commit-as-file, tree-as-link,
                                      tree-branch, blob-tag); prints lines
                                      "NAME ID"
  hostile.py push WS REF ID PACK      speaks to `hako receive-pack WS` on a
                                      pipe: pushes PACK ("endless": a pack
                                      without end) setting REF to ID; prints
                                      the report lines
  hostile.py push-endless WS          push commands without a flush
  hostile.py fetch-endless WS MODE    wants (MODE wants) or haves (haves)
                                      without end to `hako upload-pack WS`
  hostile.py upload-pack MODE ARGS    a fake `upload-pack` on stdin/stdout
                                      (MODE: pack PACK TIP, endless-pack,
                                      stall, endless-refs, err-ctl, ref-ctl,
                                      long-line, head-elsewhere TIP);
                                      HOSTILE_BRANCHES=N adds N branches,
                                      HOSTILE_PROGRESS=TEXT a progress line
  hostile.py serve-dumb ROOT MODE PORTFILE
                                      a dumb-HTTP mirror of ROOT (MODE:
                                      endless-pack, endless-refs)
HOSTILE_RSS=FILE makes push/fetch-endless run the server under
/usr/bin/time, its peak memory in FILE.
"""

import os
import struct
import subprocess
import sys

# --- BLAKE3 (the reference algorithm, one thread) ---------------------------

IV = [0x6A09E667, 0xBB67AE85, 0x3C6EF372, 0xA54FF53A,
      0x510E527F, 0x9B05688C, 0x1F83D9AB, 0x5BE0CD19]
PERM = [2, 6, 3, 10, 7, 0, 4, 13, 1, 11, 12, 5, 9, 14, 15, 8]
CHUNK_START, CHUNK_END, PARENT, ROOT = 1, 2, 4, 8
M32 = 0xFFFFFFFF


def _g(s, a, b, c, d, x, y):
    s[a] = (s[a] + s[b] + x) & M32
    v = s[d] ^ s[a]
    s[d] = ((v >> 16) | (v << 16)) & M32
    s[c] = (s[c] + s[d]) & M32
    v = s[b] ^ s[c]
    s[b] = ((v >> 12) | (v << 20)) & M32
    s[a] = (s[a] + s[b] + y) & M32
    v = s[d] ^ s[a]
    s[d] = ((v >> 8) | (v << 24)) & M32
    s[c] = (s[c] + s[d]) & M32
    v = s[b] ^ s[c]
    s[b] = ((v >> 7) | (v << 25)) & M32


def _compress(cv, block, counter, blen, flags):
    m = list(struct.unpack("<16I", block))
    s = cv[:] + IV[:4] + [counter & M32, (counter >> 32) & M32, blen, flags]
    for r in range(7):
        _g(s, 0, 4, 8, 12, m[0], m[1])
        _g(s, 1, 5, 9, 13, m[2], m[3])
        _g(s, 2, 6, 10, 14, m[4], m[5])
        _g(s, 3, 7, 11, 15, m[6], m[7])
        _g(s, 0, 5, 10, 15, m[8], m[9])
        _g(s, 1, 6, 11, 12, m[10], m[11])
        _g(s, 2, 7, 8, 13, m[12], m[13])
        _g(s, 3, 4, 9, 14, m[14], m[15])
        if r < 6:
            m = [m[i] for i in PERM]
    return [s[i] ^ s[i + 8] for i in range(8)]


def _chunk_output(data, counter):
    """(cv, last block, its length, flags) of one chunk, before ROOT."""
    cv = IV[:]
    blocks = [data[i:i + 64] for i in range(0, len(data), 64)] or [b""]
    for i, b in enumerate(blocks):
        flags = (CHUNK_START if i == 0 else 0)
        if i == len(blocks) - 1:
            return cv, b.ljust(64, b"\0"), len(b), flags | CHUNK_END, counter
        cv = _compress(cv, b, counter, 64, flags)


def blake3(data):
    chunks = [data[i:i + 1024] for i in range(0, len(data), 1024)] or [b""]
    stack = []
    outs = None
    for n, c in enumerate(chunks):
        cv, blk, blen, flags, ctr = _chunk_output(c, n)
        if n == len(chunks) - 1:
            outs = (cv, blk, blen, flags, ctr)
            break
        cv = _compress(cv, blk, ctr, blen, flags)
        total = n + 1
        while total & 1 == 0:
            left = stack.pop()
            cv = _compress(IV[:], struct.pack("<8I", *left) + struct.pack("<8I", *cv), 0, 64, PARENT)
            total >>= 1
        stack.append(cv)
    cv, blk, blen, flags, ctr = outs
    while stack:
        right = _compress(cv, blk, ctr, blen, flags)
        left = stack.pop()
        cv, blk, blen, flags, ctr = IV[:], struct.pack("<8I", *left) + struct.pack("<8I", *right), 64, PARENT, 0
    return struct.pack("<8I", *_compress(cv, blk, ctr, blen, flags | ROOT))


# --- encodings ---------------------------------------------------------------

def varint(v):
    out = bytearray()
    while v >= 0x80:
        out.append((v & 0x7F) | 0x80)
        v >>= 7
    out.append(v)
    return bytes(out)


def zstd_frame(payload, declared=None):
    """One zstd frame of raw blocks holding `payload`; its header declares
    `declared` bytes of content (the real length unless told otherwise)."""
    size = len(payload) if declared is None else declared
    out = bytearray(struct.pack("<I", 0xFD2FB528))
    out.append(0xE0)  # FCS field 8 bytes, single segment
    out += struct.pack("<Q", size)
    blocks = [payload[i:i + 65536] for i in range(0, len(payload), 65536)] or [b""]
    for i, b in enumerate(blocks):
        last = 1 if i == len(blocks) - 1 else 0
        hdr = (len(b) << 3) | last  # type 0: raw block
        out += struct.pack("<I", hdr)[:3] + b
    return bytes(out)


def zstd_zeros_frame(declared, real, head=b""):
    """A frame declaring `declared` bytes: `head` in a raw block, then RLE
    blocks of zeros totalling `real` bytes (a few bytes per 128 KiB: a
    compression bomb)."""
    out = bytearray(struct.pack("<I", 0xFD2FB528))
    out += b"\xC0\x38"  # FCS 8 bytes, a 128 KiB window, no checksum
    out += struct.pack("<Q", declared)
    if head:
        out += struct.pack("<I", len(head) << 3)[:3] + head
    left = real
    while True:
        n = min(left, 131072)
        left -= n
        last = 1 if left == 0 else 0
        hdr = (n << 3) | (1 << 1) | last  # type 1: RLE block
        out += struct.pack("<I", hdr)[:3] + b"\0"
        if last:
            return bytes(out)


TYPES = {"blob": 1, "file": 2, "tree": 3, "commit": 4, "tag": 5}


def object_id(kind, payload):
    return blake3(kind.encode() + b" " + str(len(payload)).encode() + b"\0" + payload)


def tree_node(entries):
    """A leaf node of (name, mode, id) entries, sorted by name."""
    out = bytearray(b"\x01\x00" + varint(len(entries)))
    for name, mode, oid in sorted(entries):
        out += varint(len(name)) + name + varint(mode) + oid + varint(0)
    return bytes(out)


def commit_payload(tree, parents=()):
    ident = b"A U Thor <author@example.com> 1112911993 +0000"
    out = b"tree " + tree.hex().encode() + b"\n"
    for p in parents:
        out += b"parent " + p.hex().encode() + b"\n"
    return out + b"author " + ident + b"\ncommitter " + ident + b"\n\nhostile\n"


def tag_payload(target, kind):
    ident = b"A U Thor <author@example.com> 1112911993 +0000"
    return (b"object " + target.hex().encode() + b"\ntype " + kind.encode() +
            b"\ntag t\ntagger " + ident + b"\n\nhostile\n")


def record(kind, payload, frame=None, size=None):
    frame = zstd_frame(payload) if frame is None else frame
    size = len(payload) if size is None else size
    return bytes([TYPES[kind]]) + varint(size) + varint(len(frame)) + frame


def pack(records):
    body = b"HAKOPACK" + struct.pack(">II", 2, len(records)) + b"".join(records)
    return body + blake3(body)


def compact_record(kind, body, size, form=0, base=b"", body_form=0):
    """A version 3 record (packs.md, "The compact stream"): head, base
    field (already encoded), size, length (not for a raw body), body."""
    head = bytes([TYPES[kind] | form << 3 | body_form << 5])
    length = b"" if body_form == 0 else varint(len(body))
    return head + base + varint(size) + length + body


def compact_pack(records):
    body = b"HAKOPACK" + struct.pack(">II", 3, len(records)) + b"".join(records)
    return body + blake3(body)


def ops_insert(data):
    return varint(len(data) << 2) + data


def ops_copy(offset, n):
    return varint(n << 2 | 1) + varint(offset)


def compact_case(case):
    """A compact stream with valid framing and trailer, hostile as CASE says."""
    base = b"a base blob of some length\n"
    raw = compact_record("blob", base, len(base))
    by_record = lambda back: varint(back)
    if case == "huge":
        frame = zstd_zeros_frame(4294967296, 4294967296)[4:]
        return compact_pack([compact_record("blob", frame, 4294967296, body_form=1)])
    if case == "copy-past":
        ops = ops_copy(20, 30)
        return compact_pack([raw, compact_record("blob", ops, 30, 2, by_record(1), 2)])
    if case == "overbuild":
        ops = ops_insert(b"x" * 10)
        return compact_pack([raw, compact_record("blob", ops, 5, 2, by_record(1), 2)])
    if case == "back":
        ops = ops_insert(b"x")
        return compact_pack([raw, compact_record("blob", ops, 1, 2, by_record(5), 2)])
    if case == "slot-past":
        # Record 1 is a delta against a blob (no slots); record 2 names slot 0 of it.
        d1 = compact_record("blob", ops_copy(0, 4), 4, 2, by_record(1), 2)
        d2 = compact_record("blob", ops_insert(b"y"), 1, 3, varint(1) + varint(0), 2)
        return compact_pack([raw, d1, d2])
    if case == "slot-of-full":
        d = compact_record("blob", ops_insert(b"y"), 1, 3, varint(1) + varint(0), 2)
        return compact_pack([raw, d])
    if case == "deep":
        recs = [raw]
        for i in range(17):
            recs.append(compact_record("blob", ops_copy(0, 4) + ops_insert(b"%02d" % i), 6, 2,
                                       by_record(1), 2))
        return compact_pack(recs)
    if case == "unknown-base":
        ops = ops_insert(b"x")
        return compact_pack([compact_record("blob", ops, 1, 1, b"\x42" * 32, 2)])
    if case == "bad-head":
        return compact_pack([b"\x83" + varint(1) + b"x"])
    if case == "raw-with-base":
        return compact_pack([raw, compact_record("blob", b"x", 1, 2, by_record(1), 0)])
    raise SystemExit("unknown compact case " + case)


# --- objects of the tests ----------------------------------------------------

def deep_objects(depth, blob=b"bottom\n"):
    """(records, commit id): DEPTH nested directories `d`, a file at the bottom."""
    recs = [record("blob", blob)]
    child = tree_node([(b"f", 0o100644, object_id("blob", blob))])
    recs.append(record("tree", child))
    cid = object_id("tree", child)
    for _ in range(depth):
        node = tree_node([(b"d", 0o040755, cid)])
        recs.append(record("tree", node))
        cid = object_id("tree", node)
    c = commit_payload(cid)
    recs.append(record("commit", c))
    return recs, object_id("commit", c)


def typed_objects(kind):
    """Records and named ids of a store whose types do not match their use."""
    blob = b"x\n"
    bid = object_id("blob", blob)
    recs = [record("blob", blob)]
    names = {}
    if kind in ("commit-as-file", "tree-as-link"):
        empty = tree_node([])
        eid = object_id("tree", empty)
        c = commit_payload(eid)
        cid = object_id("commit", c)
        recs += [record("tree", empty), record("commit", c)]
        ent = (b"f", 0o100644, cid) if kind == "commit-as-file" else (b"l", 0o120777, eid)
        node = tree_node([ent])
        recs.append(record("tree", node))
        c2 = commit_payload(object_id("tree", node))
        recs.append(record("commit", c2))
        names["commit"] = object_id("commit", c2)
    elif kind == "tree-branch":
        node = tree_node([(b"f", 0o100644, bid)])
        recs.append(record("tree", node))
        names["tree"] = object_id("tree", node)
    elif kind == "blob-tag":
        names["blob"] = bid
    elif kind == "tag-of-blob":
        t = tag_payload(bid, "blob")
        recs.append(record("tag", t))
        names["tag"] = object_id("tag", t)
    return recs, names


# --- pkt-lines ---------------------------------------------------------------

def pkt(line):
    if isinstance(line, str):
        line = line.encode()
    return b"%04x" % (len(line) + 4) + line


FLUSH = b"0000"


def read_pkt(f):
    h = f.read(4)
    if len(h) < 4:
        return None
    n = int(h, 16)
    if n < 4:
        return b""
    return f.read(n - 4)


def read_section(f):
    out = []
    while True:
        p = read_pkt(f)
        if p is None or p == b"":
            return out
        out.append(p)


# --- commands ----------------------------------------------------------------

def spawn(program, ws):
    """`hako PROGRAM WS` on pipes; HOSTILE_RSS=FILE measures its peak memory."""
    cmd = ["hako", program, ws]
    rss = os.environ.get("HOSTILE_RSS")
    if rss:
        cmd = ["/usr/bin/time", "-f", "%M", "-o", rss] + cmd
    return subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE)


def answered(p):
    """Print what the server P answered, a line a packet; its exit status."""
    while True:
        line = read_pkt(p.stdout)
        if line is None:
            break
        if line:
            print(line.decode(errors="replace").rstrip("\n"))
    return p.wait()


def fake_upload_pack(mode, args):
    """Advertise one branch, take the wants and haves, send what MODE says."""
    out = sys.stdout.buffer
    inp = sys.stdin.buffer
    caps = "side-band object-format=blake3 agent=hostile/1"
    out.write(pkt("version 1\n"))
    if mode == "err-ctl":
        out.write(pkt("ERR \x1b[31mred\x07 and \x1b]0;title\x07\n"))
        return 0
    if mode == "ref-ctl":
        out.write(pkt("%s containers/main/refs/heads/\x1b[2Jx\0%s\n" % ("1" * 64, caps)))
        out.write(FLUSH)
        out.flush()
        inp.read()
        return 0
    if mode == "head-elsewhere":
        tip = args[0]
        out.write(pkt("%s containers/main/HEAD symref-target:containers/other/refs/heads/x\0%s\n"
                      % (tip, caps)))
        out.write(pkt("%s containers/main/refs/heads/main\n" % tip))
        out.write(pkt("%s containers/other/HEAD symref-target:containers/other/refs/heads/x\n" % tip))
        out.write(pkt("%s containers/other/refs/heads/x\n" % tip) + FLUSH)
        out.flush()
        inp.read()
        return 0
    if mode == "long-line":
        out.write(pkt("%s %s\n" % ("1" * 64, "x" * 65000)))
        out.write(FLUSH)
        out.flush()
        inp.read()
        return 0
    if mode == "endless-refs":
        out.write(pkt("%s containers/main/refs/heads/a\0%s\n" % ("1" * 64, caps)))
        n = 0
        try:
            while True:
                out.write(b"".join(pkt("%s containers/main/refs/heads/b%09d\n" % ("1" * 64, n + i))
                                   for i in range(1000)))
                n += 1000
        except (BrokenPipeError, OSError):
            return 0
    if mode in ("endless-pack", "stall"):
        tip = "1" * 64
        data = None
    else:
        with open(args[0], "rb") as f:
            data = f.read()
        tip = args[1]
    out.write(pkt("%s containers/main/HEAD symref-target:containers/main/refs/heads/main\0%s\n"
                  % (tip, caps)))
    out.write(pkt("%s containers/main/refs/heads/main\n" % tip))
    for i in range(int(os.environ.get("HOSTILE_BRANCHES", "0"))):
        out.write(pkt("%s containers/main/refs/heads/many/b%06d\n" % (tip, i)))
    out.write(FLUSH)
    out.flush()
    if not read_section(inp):
        return 0
    while True:
        line = read_pkt(inp)
        if line is None or line.startswith(b"done"):
            break
        if line == b"":
            out.write(FLUSH)
            out.flush()
    out.write(pkt("packfile\n"))
    if os.environ.get("HOSTILE_PROGRESS"):
        out.write(pkt(b"\x02" + os.environ["HOSTILE_PROGRESS"].encode() + b"\n"))

    def band(b):
        for i in range(0, len(b), 65515):
            out.write(pkt(b"\x01" + b[i:i + 65515]))
    try:
        if mode == "stall":
            band(b"HAKOPACK" + struct.pack(">II", 2, 1) + record("blob", b"z" * 1000)[:500])
            out.flush()
            inp.read()  # until the client is gone
            return 0
        if data is None:
            band(b"HAKOPACK" + struct.pack(">II", 2, 1))
            rec = record("blob", b"y" * 60000)
            while True:
                band(rec)
        band(data)
        out.write(FLUSH)
        out.flush()
    except (BrokenPipeError, OSError):
        pass
    return 0


def serve_dumb(root, mode, port_file):
    """A dumb-HTTP mirror of ROOT on 127.0.0.1 (its port written to
    PORT_FILE) that, as MODE says, sends every .pack followed by bytes
    without end (endless-pack) or an info/refs without end (endless-refs)."""
    import http.server

    class Handler(http.server.BaseHTTPRequestHandler):
        def log_message(self, *a):
            pass

        def do_GET(self):
            path = os.path.join(root, self.path.lstrip("/"))
            endless = (mode == "endless-pack" and path.endswith(".pack")) or \
                (mode == "endless-refs" and path.endswith("info/refs"))
            if not os.path.isfile(path):
                self.send_error(404)
                return
            with open(path, "rb") as f:
                data = f.read()
            self.send_response(200)
            if not endless:
                self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            try:
                self.wfile.write(data)
                if mode == "endless-refs":
                    line = ("1" * 64 + " containers/main/refs/heads/x\n").encode()
                    block = line * 1000
                else:
                    block = b"\0" * 65536
                while endless:
                    self.wfile.write(block)
            except (BrokenPipeError, ConnectionResetError):
                pass
            self.close_connection = True

    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    with open(port_file + ".tmp", "w") as f:
        f.write(str(srv.server_address[1]))
    os.rename(port_file + ".tmp", port_file)
    srv.serve_forever()


def write_out(path, data):
    if path == "-":
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
    else:
        with open(path, "wb") as f:
            f.write(data)


def main(argv):
    cmd = argv[1]
    if cmd == "deep-pack":
        recs, cid = deep_objects(int(argv[2]), *[a.encode().decode("unicode_escape").encode() for a in argv[4:5]])
        write_out(argv[3], pack(recs))
        print(cid.hex())
    elif cmd == "compact-pack":
        write_out(argv[3], compact_case(argv[2]))
    elif cmd == "huge-pack":
        size = int(argv[2])
        frame = zstd_zeros_frame(size, size)
        write_out(argv[3], pack([record("blob", b"", frame=frame, size=size)]))
    elif cmd == "loose-huge":
        size = int(argv[2])
        head = b"blob " + str(size).encode() + b"\0"
        oid = blake3(head + b"claimed")
        frame = zstd_zeros_frame(size + len(head), size, head)
        d = os.path.join(argv[3], oid.hex()[:2])
        os.makedirs(d, exist_ok=True)
        with open(os.path.join(d, oid.hex()[2:]), "wb") as f:
            f.write(frame)
        print(oid.hex())
    elif cmd == "typed-pack":
        recs, names = typed_objects(argv[2])
        write_out(argv[3], pack(recs))
        for k, v in names.items():
            print(k, v.hex())
    elif cmd == "push":
        ws, ref, new, pack_path = argv[2:6]
        p = spawn("receive-pack", ws)
        read_section(p.stdout)
        zero = "0" * 64
        p.stdin.write(pkt("%s %s %s\0report-status\n" % (zero, new, ref)) + FLUSH)
        if pack_path == "endless":
            data = None
        else:
            with open(pack_path, "rb") as f:
                data = f.read()
        try:
            if data is None:
                p.stdin.write(pkt(b"HAKOPACK" + struct.pack(">II", 2, 1)))
                rec = record("blob", b"y" * 60000)
                while True:
                    p.stdin.write(pkt(rec))
            for i in range(0, len(data), 65516):
                p.stdin.write(pkt(data[i:i + 65516]))
            p.stdin.write(FLUSH)
            p.stdin.close()
        except BrokenPipeError:
            pass  # the server stopped reading: its report says why
        return answered(p)
    elif cmd == "fetch-endless":
        # Speak to `hako upload-pack WS`: wants (or, after one want, haves)
        # without end; print what the server answered.
        p = spawn("upload-pack", argv[2])
        adv = read_section(p.stdout)
        tip = adv[1].split(b" ")[0].decode()
        try:
            if argv[3] == "wants":
                while True:
                    p.stdin.write(pkt("want %s\n" % tip) * 1000)
            p.stdin.write(pkt("want %s\n" % tip) + FLUSH)
            while True:
                p.stdin.write(pkt("have %s\n" % tip) * 1000)
        except (BrokenPipeError, OSError):
            pass
        return answered(p)
    elif cmd == "push-endless":
        p = spawn("receive-pack", argv[2])
        read_section(p.stdout)
        zero = "0" * 64
        n = 0
        try:
            while True:
                p.stdin.write(b"".join(
                    pkt("%s %s containers/default/refs/heads/b%d\n" % (zero, "1" * 64, n + i))
                    for i in range(1000)))
                n += 1000
        except (BrokenPipeError, OSError):
            pass
        return answered(p)
    elif cmd == "serve-dumb":
        return serve_dumb(argv[2], argv[3], argv[4])
    elif cmd == "upload-pack":
        return fake_upload_pack(argv[2], argv[3:])
    else:
        sys.exit("unknown command " + cmd)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv) or 0)
