#!/usr/bin/env python3
"""fslist.py [--mtime] DIR: describe every path under DIR (DIR itself is `.`),
one line per path in sorted order, never following symlinks:

    path type mode uid gid size sha256 target rdev xattrs link [mtime]

type is one of reg dir lnk chr blk fifo sock; mode is the 12 permission bits
in octal; sha256 is of a regular file's content (`-` otherwise); target is a
symlink's target (`-` otherwise); rdev is major:minor of a device (`-`
otherwise); xattrs is name=hexvalue,... sorted (`-` when none); link is the
first path (in this listing's order) of the path's hardlink group among the
listed paths (`-` when the inode appears once); mtime is seconds.nanoseconds.
Two directories compare equal, as trees on disk, when their listings do."""
import hashlib
import os
import stat
import sys

KINDS = [
    (stat.S_ISREG, "reg"), (stat.S_ISDIR, "dir"), (stat.S_ISLNK, "lnk"),
    (stat.S_ISCHR, "chr"), (stat.S_ISBLK, "blk"), (stat.S_ISFIFO, "fifo"),
    (stat.S_ISSOCK, "sock"),
]


def quote(b):
    """Paths and targets as escaped text: one line, no spaces."""
    return b.decode("utf-8", "backslashreplace").encode("unicode_escape").decode().replace(" ", "\\x20")


def sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def xattrs(path):
    try:
        names = os.listxattr(path, follow_symlinks=False)
    except OSError:
        return "-"
    out = []
    for n in sorted(names):
        v = os.getxattr(path, n, follow_symlinks=False)
        out.append("%s=%s" % (n, v.hex()))
    return ",".join(out) or "-"


def main():
    args = sys.argv[1:]
    with_mtime = "--mtime" in args
    args = [a for a in args if a != "--mtime"]
    root = os.fsencode(args[0])
    paths = [b"."]
    for d, dirs, files in os.walk(root):
        rel = os.path.relpath(d, root)
        for n in dirs + files:
            paths.append(os.path.normpath(os.path.join(os.fsencode(rel), n)))
    paths.sort()
    st = {p: os.lstat(os.path.join(root, p)) for p in paths}
    groups = {}
    for p in paths:
        s = st[p]
        if not stat.S_ISDIR(s.st_mode):
            groups.setdefault((s.st_dev, s.st_ino), []).append(p)
    for p in paths:
        s = st[p]
        full = os.path.join(root, p)
        kind = next(k for f, k in KINDS if f(s.st_mode))
        digest = sha256(full) if kind == "reg" else "-"
        target = quote(os.readlink(full)) if kind == "lnk" else "-"
        rdev = "%d:%d" % (os.major(s.st_rdev), os.minor(s.st_rdev)) if kind in ("chr", "blk") else "-"
        size = s.st_size if kind in ("reg", "lnk") else "-"
        link = "-"
        if kind != "dir":
            g = groups[(s.st_dev, s.st_ino)]
            if len(g) > 1:
                link = quote(g[0])
        fields = [quote(p), kind, "%04o" % stat.S_IMODE(s.st_mode), str(s.st_uid),
                  str(s.st_gid), str(size), digest, target, rdev, xattrs(full), link]
        if with_mtime:
            fields.append("%d.%09d" % (s.st_mtime_ns // 10**9, s.st_mtime_ns % 10**9))
        print(" ".join(fields))


main()
