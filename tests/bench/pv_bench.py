#!/usr/bin/env python3
"""PV path lengths: boots the pvtest kernel's `bench` case as dom0 under QEMU
with -icount shift=0,sleep=off (rdtsc then counts retired instructions), twice,
and prints one table. The figures must be identical across the two runs;
the script fails otherwise.

Usage: pv_bench.py BUILD_DIR
"""
import os
import re
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def run_once(build, n):
    log = os.path.join(build, "bench", "pv-run%d.log" % n)
    os.makedirs(os.path.dirname(log), exist_ok=True)
    env = dict(os.environ, LOG=log, TIMEOUT="120", ACCEL="tcg")
    cmd = ["bash", os.path.join(ROOT, "tools", "qemu-run.sh"), "kernel",
           os.path.join(build, "xenia32"), "testexit",
           os.path.join(build, "tests", "pvtest.elf") + " case=bench",
           "--", "-icount", "shift=0,sleep=off"]
    status = subprocess.run(cmd, env=env, stdin=subprocess.DEVNULL).returncode
    text = open(log, "rb").read().decode("utf-8", "replace")
    rows = re.findall(r"\(d0\) bench: (.+?)\s+(\d+) instructions", text)
    if status != 33 or "bench: done" not in text or not rows:
        sys.exit("pv-bench: run %d failed (status %d), see %s" % (n, status, log))
    return rows


def main():
    build = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else "build")
    a, b = run_once(build, 1), run_once(build, 2)
    print("PV paths, instructions per operation (QEMU TCG -icount shift=0):")
    print("  %-30s %12s %12s" % ("operation", "run 1", "run 2"))
    for (name, x), (_, y) in zip(a, b):
        print("  %-30s %12s %12s%s" % (name, x, y, "" if x == y else "   <- DIFFERS"))
    if a != b:
        sys.exit("pv-bench: the two runs differ")
    print("pv-bench: identical across two runs")


if __name__ == "__main__":
    main()
