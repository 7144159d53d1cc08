#!/usr/bin/env python3
"""Seed programs for tests/fuzz/xsd_conn_fuzz.c, written into the directory
given as argument. Each seed is a short, meaningful session (the encoding
is the harness's: keep WORDS and COMMON in step with it), from which the
fuzzer's mutations start deeper than from nothing."""
import os
import sys

HDR = 16
WORDS = ["/", "/a", "/a/b", "/a/b/c", "a", "a/b", "data/x", "/local/domain/1",
         "/local/domain/2", "/local/domain/1/data", "/local/domain/2/x/y", "/tool",
         "@releaseDomain", "@introduceDomain", "T", "F", "0", "1", "2", "3", "n0", "n1",
         "r2", "b1", "w2", "b0", "tok", "t2", "", "//", "/a/", "x y", "99999", "OK", "b2"]
COMMON = ["READ", "WRITE", "MKDIR", "RM", "DIRECTORY", "WATCH", "UNWATCH", "TSTART",
          "TEND", "SETPERMS", "GETPERMS", "GDP", "RESETW", "INTRO", "REL"]


def req(conn, typ, args, txn=False):
    """conn 0..3 (domains 0, 1, 2, 1); txn: use the connection's open one."""
    out = [conn, COMMON.index(typ), len(args), 7, 0x80 if txn else 0]
    size = HDR
    for a in args:
        out.append(WORDS.index(a))
        size += len(a) + 1
    out.append(size - 1)  # fed in one piece
    return out


def drain(conn):
    return [conn | (5 << 2), 255] + [255] * 64


SEEDS = {
    "rw": req(0, "WRITE", ["/a/b"]) + req(0, "READ", ["/a/b"]) + req(0, "DIRECTORY", ["/a"]) +
          req(0, "RM", ["/a"]) + drain(0),
    "txn-rm-commit": req(0, "WRITE", ["/a/b"]) + req(0, "TSTART", [""]) +
                     req(0, "RM", ["/a/b"], True) + req(0, "TEND", ["T"], True),
    "txn-race": req(0, "WRITE", ["/a"]) + req(0, "TSTART", [""]) + req(0, "READ", ["/a"], True) +
                req(0, "WRITE", ["/a", "1"], True) + req(0, "WRITE", ["/a", "2"]) +
                req(0, "TEND", ["T"], True) + drain(0),
    "domu-txn": req(1, "TSTART", [""]) + req(1, "WRITE", ["data/x", "1"], True) +
                req(1, "MKDIR", ["a/b"], True) + req(1, "SETPERMS", ["a", "n1", "r2"], True) +
                req(1, "TEND", ["T"], True) + req(2, "READ", ["/local/domain/1/data"]),
    "watch": req(0, "WATCH", ["/a", "tok"]) + req(2, "WATCH", ["/", "t2"]) +
             req(0, "WRITE", ["/a/b/c", "1"]) + req(0, "RM", ["/a"]) + drain(0) + drain(2) +
             req(0, "UNWATCH", ["/a", "tok"]),
    "perms": req(1, "WRITE", ["data/x", "2"]) + req(1, "SETPERMS", ["data/x", "n1", "b2"]) +
             req(2, "WRITE", ["/local/domain/1/data", "3"]) + req(2, "GETPERMS",
             ["/local/domain/1/data"]) + drain(1) + drain(2),
    "special": req(0, "WATCH", ["@releaseDomain", "tok"]) + [(6 << 2) | 0x60] +
               req(0, "INTRO", ["2", "1", "3"]) + req(0, "REL", ["2"]) + drain(0),
    "nomem": [(7 << 2), 3] + req(0, "WRITE", ["/a/b/c", "1"]) + [(7 << 2), 5] +
             req(0, "TSTART", [""]) + req(0, "WRITE", ["/a", "x y"], True) + [(7 << 2), 2] +
             req(0, "TEND", ["T"], True) + drain(0),
    "bad-frame": [(4 << 2) | 1, 16] + [2, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0, 0] +
                 [15] + req(3, "READ", ["data/x"]),
}


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    for name, prog in SEEDS.items():
        with open(os.path.join(out, "seed-" + name), "wb") as f:
            f.write(bytes(b & 0xff for b in prog))


if __name__ == "__main__":
    main()
