#!/usr/bin/env python3
"""mkramdisk: build dom0's ramdisk, a POSIX ustar archive.

Usage: mkramdisk.py OUT.tar ARCHIVE_PATH=HOST_FILE ...

Each argument puts HOST_FILE into the archive at ARCHIVE_PATH (relative,
e.g. boot/domU.elf). Parent directories get their own members. The output
is reproducible: members sorted by path, mtime 0, owner root:root (0:0),
mode 0755 for directories, 0644 for files. Paths must be relative, without
"." or ".." components, and fit ustar's name (100) and prefix (155) fields;
anything else is an error, as is a path given twice.

dom0 reads the archive with pv-guest/core/ustar.c: /boot holds domU
kernels, /etc/xen domain configs, /etc/xen/auto the ones started at boot.
"""
import io
import os
import sys
import tarfile


def fail(msg):
    sys.stderr.write("mkramdisk: %s\n" % msg)
    sys.exit(1)


def check_path(path):
    parts = path.split("/")
    if path.startswith("/") or any(p in ("", ".", "..") for p in parts):
        fail("bad archive path '%s' (relative, no '.', '..' or empty parts)" % path)
    return parts


def member(name, kind, size=0):
    info = tarfile.TarInfo(name)
    info.type = kind
    info.size = size
    info.mtime = 0
    info.uid = info.gid = 0
    info.uname = info.gname = "root"
    info.mode = 0o755 if kind == tarfile.DIRTYPE else 0o644
    return info


def main(argv):
    if len(argv) < 2:
        fail("usage: mkramdisk.py OUT.tar ARCHIVE_PATH=HOST_FILE ...")
    out, specs = argv[0], argv[1:]
    files, dirs = {}, set()
    for spec in specs:
        dest, sep, src = spec.partition("=")
        if not sep or not dest or not src:
            fail("expected ARCHIVE_PATH=HOST_FILE, got '%s'" % spec)
        parts = check_path(dest)
        if dest in files:
            fail("'%s' given twice" % dest)
        if not os.path.isfile(src):
            fail("'%s' is not a file" % src)
        files[dest] = src
        for i in range(1, len(parts)):
            dirs.add("/".join(parts[:i]))
    clash = dirs & set(files)
    if clash:
        fail("'%s' is both a file and a directory" % sorted(clash)[0])

    buf = io.BytesIO()
    try:
        with tarfile.open(fileobj=buf, mode="w", format=tarfile.USTAR_FORMAT) as tar:
            for d in sorted(dirs):
                tar.addfile(member(d, tarfile.DIRTYPE))
            for dest in sorted(files):
                with open(files[dest], "rb") as f:
                    data = f.read()
                tar.addfile(member(dest, tarfile.REGTYPE, len(data)), io.BytesIO(data))
    except ValueError as e:                 # a name that ustar cannot hold
        fail(str(e))
    tmp = out + ".tmp"
    with open(tmp, "wb") as f:
        f.write(buf.getvalue())
    os.replace(tmp, out)


if __name__ == "__main__":
    main(sys.argv[1:])
