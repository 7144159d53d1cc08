#!/usr/bin/env python3
"""PV path lengths: boots the pvtest kernel's `bench` case as dom0 under QEMU
with -icount shift=0,sleep=off (rdtsc then counts retired instructions), twice,
and prints one table; then boots dom0 with bench-create=50 the same way,
twice, for the cost of creating a domain (the 1st and the 50th concurrent
domU). The figures must be identical across the two runs; the script fails
otherwise.

Usage: pv_bench.py BUILD_DIR
"""
import os
import re
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def boot(build, what, n, modules, mem="256", timeout="300"):
    """One QEMU run under -icount; returns (exit status, serial text, log)."""
    log = os.path.join(build, "bench", "%s-run%d.log" % (what, n))
    os.makedirs(os.path.dirname(log), exist_ok=True)
    env = dict(os.environ, LOG=log, TIMEOUT=timeout, ACCEL="tcg", MEM=mem)
    mods = ",".join("%s %s" % (os.path.join(build, m), a) for m, a in modules)
    cmd = ["bash", os.path.join(ROOT, "tools", "qemu-run.sh"), "kernel",
           os.path.join(build, "xenia32"), "testexit", mods,
           "--", "-icount", "shift=0,sleep=off"]
    status = subprocess.run(cmd, env=env, stdin=subprocess.DEVNULL).returncode
    return status, open(log, "rb").read().decode("utf-8", "replace"), log


def run_once(build, n):
    """The pvtest kernel's bench case: one row per PV path."""
    status, text, log = boot(build, "pv", n, [("tests/pvtest.elf", "case=bench")], timeout="120")
    rows = re.findall(r"\(d0\) bench: (.+?)\s+(\d+) instructions", text)
    if status != 33 or "bench: done" not in text or not rows:
        sys.exit("pv-bench: run %d failed (status %d), see %s" % (n, status, log))
    return rows


def pingpong_once(build, n):
    """Interdomain round trip: the ping-pong domUs (10,000 messages, each
    answered: notify -> the peer's upcall -> its answer -> our upcall)."""
    status, text, log = boot(build, "pingpong", n, [("pv-guest/dom0.elf", "poweroff"),
                                                    ("pv-guest/ramdisk-pingpong.tar", "")])
    m = re.search(r"\(d\d\) ping: interdomain round trip .*: (\d+) TSC ticks", text)
    if status != 33 or not m:
        sys.exit("pv-bench: ping-pong run %d failed (status %d), see %s" % (n, status, log))
    return [("interdomain round trip (2 domUs)", m.group(1))]


CREATE_DOMUS = 50


def create_once(build, n):
    """Domain creation cost: dom0 starts CREATE_DOMUS idle domUs one after
    the other (bench-create=N) and reports the first's and the last's
    instructions from the create call to the domain's first console line."""
    status, text, log = boot(build, "create", n,
                             [("pv-guest/dom0.elf", "poweroff bench-create=%d" % CREATE_DOMUS),
                              ("pv-guest/ramdisk.tar", "")], mem="1024")
    rows = re.findall(r"\(d0\) dom0: bench: domain creation, (domU \d+ of \d+) concurrent: "
                      r"(\d+) instructions", text)
    if status != 33 or len(rows) != 2 or \
            "dom0: bench: 0 domains left after destroying them" not in text:
        sys.exit("pv-bench: creation run %d failed (status %d), see %s" % (n, status, log))
    return [("create -> first line, " + k, v) for k, v in rows]


def main():
    build = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else "build")
    a, b = run_once(build, 1), run_once(build, 2)
    a += pingpong_once(build, 1) + create_once(build, 1)
    b += pingpong_once(build, 2) + create_once(build, 2)
    print("PV paths, instructions per operation (QEMU TCG -icount shift=0):")
    print("  %-42s %12s %12s" % ("operation", "run 1", "run 2"))
    for (name, x), (_, y) in zip(a, b):
        print("  %-42s %12s %12s%s" % (name, x, y, "" if x == y else "   <- DIFFERS"))
    if a != b:
        sys.exit("pv-bench: the two runs differ")
    print("pv-bench: identical across two runs")


if __name__ == "__main__":
    main()
