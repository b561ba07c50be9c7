#!/usr/bin/env python3
"""mktar.py OUT.tar: write a tar from lines on stdin, one entry each, in order:

    f PATH [CONTENT] [MODE]   regular file (CONTENT without spaces, default empty)
    d PATH [MODE]             directory
    l PATH TARGET             symlink
    h PATH TARGET             hardlink (TARGET written verbatim)
    c PATH MAJOR MINOR        character device
    p PATH                    fifo

PATH and TARGET are written verbatim (`../x` and `/x` too): the tests use it
to build malicious layers no archiver would make. MODE is octal."""
import io
import sys
import tarfile

with tarfile.open(sys.argv[1], "w", format=tarfile.PAX_FORMAT) as t:
    for line in sys.stdin:
        w = line.split()
        if not w:
            continue
        kind, path, rest = w[0], w[1], w[2:]
        i = tarfile.TarInfo(path)
        i.mtime = 1700000000
        i.uid = i.gid = 0
        data = b""
        if kind == "f":
            data = (rest[0] if rest else "").encode()
            i.mode = int(rest[1], 8) if len(rest) > 1 else 0o644
            i.size = len(data)
        elif kind == "d":
            i.type = tarfile.DIRTYPE
            i.mode = int(rest[0], 8) if rest else 0o755
        elif kind == "l":
            i.type = tarfile.SYMTYPE
            i.linkname = rest[0]
            i.mode = 0o777
        elif kind == "h":
            i.type = tarfile.LNKTYPE
            i.linkname = rest[0]
            i.mode = 0o644
        elif kind == "c":
            i.type = tarfile.CHRTYPE
            i.devmajor, i.devminor = int(rest[0]), int(rest[1])
            i.mode = 0o666
        elif kind == "p":
            i.type = tarfile.FIFOTYPE
            i.mode = 0o644
        else:
            sys.exit("mktar.py: unknown kind %r" % kind)
        t.addfile(i, io.BytesIO(data) if kind == "f" else None)
