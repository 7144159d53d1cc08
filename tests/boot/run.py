#!/usr/bin/env python3
"""Boot scenarios: boot Xenia under QEMU, check the serial log and the exit
status. One PASS/FAIL line per scenario, then "N passed, N failed".

Usage: run.py BUILD_DIR [scenario-name-substring ...]

Each scenario boots either the GRUB ISO path (Multiboot2) or `qemu -kernel`
(Multiboot1). Exit statuses: 33 = testexit success, 35 = panic in testexit
mode, 0 = QEMU saw a reset (-no-reboot), 124 = wall-clock timeout.
"""
import os
import re
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b[()][A-Za-z0-9]|\r")

MODULE_TEXT = b"Xenia boot-test module\n"

# name, boot path, command line, expected exit status, must-match regexes,
# must-not-match regexes, timeout seconds
SCENARIOS = [
    dict(name="grub-boot-to-idle", path="iso",
         cmdline="testexit loglvl=all com1=115200,8n1 dom0_mem=512M,max:1G",
         status=33,
         expect=[r"^\(XEN\) Xenia \d+\.\d+ \(x86_64 PV hypervisor\)",
                 r"^\(XEN\) Boot loader: GRUB .*\(Multiboot2\)$",
                 r"^\(XEN\) Command line: testexit loglvl=all com1=115200,8n1 dom0_mem=512M,max:1G$",
                 r"^\(XEN\) Memory map:$",
                 r"^\(XEN\)  0000000000100000 - [0-9a-f]{16} \(usable\)$",
                 r"^\(XEN\) Modules: 1$",
                 r"^\(XEN\)  module 0: 0x[0-9a-f]+ - 0x[0-9a-f]+ \(1 KiB\) 'testmod role=check answer=42'$",
                 r"^\(XEN\) Memory: \d+ MiB usable",
                 r"^\(XEN\) Heap: self-check passed, \d+ frames free$",
                 r"^\(XEN\) APIC: periodic tick at 100 Hz",
                 r"^\(XEN\) Idle loop: halting until the next interrupt$",
                 r"^\(XEN\) Timer: \d+ ticks taken in idle at 100 Hz$"],
         reject=[r"Panic", r"unknown option", r"exception"]),
    dict(name="direct-kernel-boot-to-idle", path="kernel",
         cmdline="testexit loglvl=all",
         status=33,
         expect=[r"^\(XEN\) Boot loader: qemu \(Multiboot1\)$",
                 r"^\(XEN\) Command line: testexit loglvl=all$",
                 r"^\(XEN\) Modules: 1$",
                 # QEMU, unlike GRUB, puts the file name into a module's command line
                 r"^\(XEN\)  module 0: .* \(1 KiB\) '/.*/testmod\.txt testmod role=check answer=42'$",
                 r"^\(XEN\) Timer: \d+ ticks taken in idle at 100 Hz$"],
         reject=[r"Panic", r"unknown option"]),
    dict(name="unknown-options-reported-not-fatal", path="kernel",
         cmdline="testexit bogus=1 com1=9600,9z9 loglvl=warning",
         status=33,
         expect=[r"^\(XEN\) Command line: unknown option 'bogus' \(ignored\)$",
                 r"^\(XEN\) Command line: .*com1.* \(ignored\)$"],
         # loglvl=warning keeps informational lines off the serial line
         reject=[r"Memory map:", r"Idle loop", r"Panic"]),
    dict(name="exception-ud-dumps-and-panics", path="iso",
         cmdline="testexit testfault=ud",
         status=35,
         expect=[r"^\(XEN\) \*\*\* Hypervisor exception: vector 6, invalid opcode \(#UD\), error code 0 \*\*\*$",
                 r"^\(XEN\) rip: e008:ffff82[0-9a-f]{10}   rflags: [0-9a-f]{16}$",
                 r"^\(XEN\) rsp: e010:[0-9a-f]{16}   cr2: [0-9a-f]{16}   cr3: [0-9a-f]{16}$",
                 r"^\(XEN\) rax: [0-9a-f]{16}   rbx: [0-9a-f]{16}   rcx: [0-9a-f]{16}$",
                 r"^\(XEN\) r13: [0-9a-f]{16}   r14: [0-9a-f]{16}   r15: [0-9a-f]{16}$",
                 r"^\(XEN\) Panic: fatal exception 6 in the hypervisor$"],
         reject=[r"Timer: \d+ ticks"]),
    dict(name="exception-pf-reports-cr2", path="kernel",
         cmdline="testexit testfault=pf",
         status=35,
         expect=[r"vector 14, page fault \(#PF\), error code 0 ",
                 r"cr2: 0000000000001000",
                 r"^\(XEN\) Panic: fatal exception 14 in the hypervisor$"]),
    dict(name="exception-gp-noncanonical", path="kernel",
         cmdline="testexit testfault=gp",
         status=35,
         expect=[r"vector 13, general protection \(#GP\)",
                 r"^\(XEN\) Panic: fatal exception 13"]),
    dict(name="exception-de-divide", path="kernel",
         cmdline="testexit testfault=de",
         status=35,
         expect=[r"vector 0, divide error \(#DE\)",
                 r"^\(XEN\) Panic: fatal exception 0 "]),
    dict(name="panic-without-testexit-reboots", path="kernel",
         cmdline="testfault=ud",
         status=0,
         expect=[r"^\(XEN\) Panic: fatal exception 6", r"^\(XEN\) Rebooting\.$"]),
    dict(name="panic-with-noreboot-halts", path="kernel",
         cmdline="testfault=ud noreboot",
         status=124, timeout=8,
         expect=[r"^\(XEN\) Panic: fatal exception 6", r"^\(XEN\) Halting \(noreboot\)\.$"],
         reject=[r"Rebooting"]),
]


def pvtest(case, expect=(), reject=(), status=33, path="kernel", timeout=60):
    """A dom0 scenario: the pvtest kernel runs one case and reports its verdict."""
    return dict(name="dom0-" + case, path=path, cmdline="testexit loglvl=all", status=status,
                modules=[("tests/pvtest.elf", "case=" + case)], timeout=timeout,
                expect=[r"^\(d0\) pvtest: case " + re.escape(case) + "$"] + list(expect)
                + ([r"^\(d0\) Test result: SUCCESS$"] if status == 33 else []),
                reject=[r"Panic", r"^\(d0\) FAIL "] + list(reject))


ALIVE = r"^\(XEN\) Domain 0 shut down: reason poweroff \(0\)$"
SCENARIOS += [
    pvtest("hello", [r"^\(d0\) hello from pvtest: hypervisor version 4\.17$",
                     r"^\(XEN\) dom0: pvtest kernel 0xffffffff80000000-", ALIVE]),
    pvtest("hello", path="iso"),
    pvtest("entry_regs", [r"^\(d0\) ok   r14 = 0$", r"^\(d0\) ok   rsi = start_info = 1$"]),
    pvtest("regs", [r"^\(d0\) ok   callee register preserved across a hypercall = 26214$"]),
    pvtest("version", [r"^\(d0\) ok   capabilities = xen-3\.0-x86_64 = 1$"]),
    pvtest("traps", [r"^\(d0\) ok   traps taken = 4$"]),
    pvtest("pagefault", [r"^\(d0\) ok   cr2 in vcpu_info = faulting address = 1$"]),
    pvtest("mmu_update", [r"^\(d0\) ok   batch done = 100$"]),
    pvtest("time", [r"^\(d0\) ok   woken after the deadline = 1$"]),
    pvtest("usermode", [r"^\(d0\) user says: hello from user mode \(cs 0xe033\)$",
                        r"^\(d0\) ok   exit code = 42$"]),
    # hostile cases: exact errors inside, and the hypervisor still in charge
    pvtest("hostile_mmu", [r"^\(d0\) ok   writable map of the pinned L4 = -22$",
                           r"^\(d0\) ok   write hypervisor L4 slot 256 = -22$", ALIVE]),
    pvtest("hostile_batch", [r"^\(d0\) ok   exactly the readable requests done = 2$",
                             r"^\(d0\) ok   all done = 4096$", ALIVE]),
    pvtest("hostile_multicall", [r"^\(d0\) ok   the mmu_update after it did not run = 57005$", ALIVE]),
    pvtest("hostile_entry", [r"^\(d0\) ok   hypercall after mov-ss single-step = 4096$", ALIVE]),
    pvtest("hostile_gdt", [r"^\(d0\) ok   a guest data selector loads = 19$",
                           r"^\(d0\) ok   set_gdt with a DPL 0 code segment inside = -22$", ALIVE]),
    pvtest("hostile_batch_1m", [r"^\(d0\) ok   done = 1048576$", ALIVE]),
    pvtest("failsafe", [r"^\(d0\) ok   failed selector reported = 19$"]),
    pvtest("hostile_review", [r"^\(d0\) ok   all 1024 done = 1024$", ALIVE]),
    pvtest("domctl_cycles", [r"^\(d0\) ok   free pages back to the start = \d+$"]),
    pvtest("hostile_domctl", [r"^\(d0\) ok   destroy while dom0 maps its page = -16$",
                              r"^\(d0\) ok   free pages back = \d+$", ALIVE]),
    pvtest("events", [r"^\(d0\) ok   timer event delivered = 1$", r"^\(d0\) ok   peer unbound again = 1$"]),
    pvtest("hostile_events", [r"^\(d0\) ok   exhaustion = -28$", ALIVE]),
    pvtest("grants", [r"^\(d0\) ok   double unmap = -4$", r"^\(d0\) ok   copied = 4277009102$", ALIVE]),
    pvtest("walk_tables", [r"^\(d0\) ok   writable mappings of page-table frames = 0$"]),
    pvtest("hostile_user_top", [r"^\(d0\) #GP for the return to 0x800000000000 from user mode", ALIVE]),
    # no handler at all: the domain is crashed, the hypervisor reports it
    pvtest("hostile_int80_unhandled", status=35,
           expect=[r"^\(XEN\) d0v0: unhandled #GP \(vector 13, error 0x[0-9a-f]+\) at e033:",
                   r"^\(XEN\) Domain 0 crashed: fault with no handler$",
                   r"^\(XEN\) Domain 0 shut down: reason crash \(3\)$"]),
]


def guest_kernel(test, options="", expect=()):
    """A tests/guest test kernel (pv-guest sources) booted as dom0, with extra
    hypervisor options and expected lines if it needs them."""
    return dict(name="guest-" + test, path="kernel",
                cmdline="testexit loglvl=all" + (" " + options if options else ""), status=33,
                modules=[("tests/guest/%s.elf" % test, "")],
                expect=[r"^\(d0\) Test result: SUCCESS$", ALIVE] + list(expect),
                reject=[r"Panic", r"Test result: (FAILURE|ERROR)"])


DOMU_LINES = [
    r"^\(d0\) dom0: started domain 1 \(hello1\) from /etc/xen/auto/hello1\.cfg$",
    r"^\(d0\) dom0: started domain 2 \(hello2\) from /etc/xen/auto/hello2\.cfg$",
    r"^\(d0\) dom0: 2 of 2 autostart domains running$",
    r"^\(d1\) domU: all checks passed, powering off$",
    r"^\(d2\) domU: all checks passed, powering off$",
    r"^\(d2\) domU: 2 vCPUs, vCPU 1 up and running$",
    r"^\(d1\) domU: xenstore says we are hello1, domain 1$",
    r"^\(d2\) domU: xenstore says we are hello2, domain 2$",
    r"^\(d0\) dom0: domain 1 \(hello1\) shut down: poweroff$",
    r"^\(d0\) dom0: domain 1 \(hello1\) destroyed$",
    r"^\(d0\) dom0: domain 2 \(hello2\) shut down: poweroff$",
    r"^\(d0\) dom0: domain 2 \(hello2\) destroyed$",
    r"^\(d0\) dom0: all domains reaped; hypervisor free pages (\d+) before them, \1 after$",
    r"^\(d0\) dom0: done$", ALIVE]

# dom0 reaped every domU and the hypervisor's free pages and xenstore's
# nodes, watches and connections are back where they were before them
REAPED_CLEAN = [
    r"^\(d0\) dom0: all domains reaped; hypervisor free pages (\d+) before them, \1 after$",
    r"^\(d0\) dom0: xenstore nodes (\d+) before them, \1 after; watches (\d+), \2; connections 0, 0$",
    ALIVE]

GUEST_TESTS = ["console", "traps", "user", "pagefault", "mmu", "time", "version",
               "hypercall_direct", "newlib", "threads", "evtchn", "gnttab"]
# several vCPUs in dom0: Xen's dom0_max_vcpus option gives it 4
SCENARIOS += [guest_kernel("smp", "dom0_max_vcpus=4",
                           [r"^\(d0\) test: 4 vCPUs$",
                            r"^\(d0\) test: vCPU 3 running, time \d+ ns$",
                            r"^\(d0\) test: 1000 IPI round trips between vCPU 0 and vCPU 1$"])]
SCENARIOS += [guest_kernel(t) for t in GUEST_TESTS] + [
    # the real dom0: GRUB -> Xenia -> pv-guest dom0 (user mode, threads, newlib)
    dict(name="dom0-pv-guest", path="iso", cmdline="testexit loglvl=all", status=33,
         modules=[("pv-guest/dom0.elf", "poweroff"), ("boot/hello.mod", "ramdisk")],
         expect=[r"^\(XEN\) dom0: Xenia kernel 0xffffffff80000000-",
                 r"^\(d0\) dom0: newlib printf works: newlib-33  3\.14 0xdeadbeefcafe$",
                 r"^\(d0\) dom0: user program exited with 42 ",
                 r"^\(d0\) dom0: done$", ALIVE],
         reject=[r"Panic", r"crash"]),
    # dom0 builds the two autostart domUs of its ramdisk, they run and power
    # off, dom0 reaps them, and the hypervisor's free memory is back
    dict(name="dom0-starts-domus", path="kernel", cmdline="testexit loglvl=all", status=33,
         modules=[("pv-guest/dom0.elf", "poweroff"), ("pv-guest/ramdisk.tar", "")],
         expect=DOMU_LINES, reject=[r"Panic", r"FAIL", r"crash", r"failed"]),
    dict(name="dom0-starts-domus", path="iso", cmdline="testexit loglvl=all", status=33,
         modules=[("pv-guest/dom0.elf", "poweroff"), ("pv-guest/ramdisk.tar", "ramdisk")],
         expect=DOMU_LINES, reject=[r"Panic", r"FAIL", r"crash", r"failed"]),
    # two CPU-bound domUs with cpu_weight 256 and 512 share the CPU 1:2 (credit scheduler)
    dict(name="sched-weights-1-to-2", path="kernel", cmdline="testexit", status=33, timeout=120,
         modules=[("pv-guest/dom0.elf", "poweroff measure=3"), ("pv-guest/ramdisk-sched.tar", "")],
         expect=[r"^\(d0\) dom0: measure: domain 1 \(spin1\) cpu_weight 256: \d+ ms of CPU",
                 r"^\(d0\) dom0: measure: domain 2 \(spin2\) cpu_weight 512: \d+ ms of CPU",
                 r"^\(d0\) dom0: measure: CPU shares are within 10% of the weight shares$",
                 r"^\(d0\) dom0: measured 2 domains$", ALIVE],
         reject=[r"Panic", r"are NOT"]),
    # a domU capped at 25% stays at 25% while an uncapped one takes the rest
    dict(name="sched-cap-25", path="kernel", cmdline="testexit", status=33, timeout=120,
         modules=[("pv-guest/dom0.elf", "poweroff measure=3"), ("pv-guest/ramdisk-cap.tar", "")],
         expect=[r"^\(d0\) dom0: measure: domain 1 \(capped\) cap 25%: 2[0-5]\.\d% of \d+ ms$",
                 r"^\(d0\) dom0: measure: domain 2 \(free\) cpu_weight 256: \d+ ms of CPU, (7[0-9]|80)\.\d%$",
                 r"^\(d0\) dom0: measure: caps respected$", ALIVE],
         reject=[r"Panic", r"EXCEEDED"]),
    # two domUs meet through xenstore, then 10,000 checked messages over an
    # interdomain event channel and a granted page
    dict(name="domus-ping-pong", path="kernel", cmdline="testexit", status=33, timeout=180,
         modules=[("pv-guest/dom0.elf", "poweroff"), ("pv-guest/ramdisk-pingpong.tar", "")],
         expect=[r"^\(d0\) dom0: xenstored up$",
                 r"^\(d1\) ping: offered port \d+ and grant \d+ to domain 2$",
                 r"^\(d2\) pong: bound port \d+ to domain 1 port \d+, mapped grant \d+$",
                 r"^\(d1\) ping: 10000 messages exchanged with domain 2, every answer checked",
                 r"^\(d2\) pong: 10000 messages answered for domain 1, 0 bad$",
                 r"^\(d0\) dom0: domain 1 \(ping\) shut down: poweroff$",
                 r"^\(d0\) dom0: domain 2 \(pong\) shut down: poweroff$"] + REAPED_CLEAN,
         reject=[r"Panic", r"FAIL", r"crash"]),
    # 1000 domUs created by dom0's toolstack, booted to idle and destroyed,
    # one at a time: free memory, dom0's ports and xenstore back where they were
    dict(name="dom0-create-destroy-1000", path="kernel", cmdline="testexit", status=33,
         timeout=240,
         modules=[("pv-guest/dom0.elf", "poweroff cycles=1000"), ("pv-guest/ramdisk.tar", "")],
         expect=[r"^\(d0\) dom0: cycles: 1000 of 1000 domains created, booted and destroyed$",
                 ALIVE],
         equal=[(r"^\(d0\) dom0: cycles: before: (free pages \d+, dom0 ports \d+, xenstore nodes \d+, connections 0)$",
                 r"^\(d0\) dom0: cycles: after: (free pages \d+, dom0 ports \d+, xenstore nodes \d+, connections 0)$")],
         reject=[r"Panic", r"never wrote", r"failed"]),
    # on_reboot = "restart" (the default): dom0 destroys the rebooting domU
    # and builds it again from its config, as a new domain id
    dict(name="domu-reboot-restarts", path="kernel", cmdline="testexit", status=33, timeout=120,
         modules=[("pv-guest/dom0.elf", "poweroff"), ("pv-guest/ramdisk-restart.tar", "")],
         expect=[r"^\(d1\) domU: domain 1 rebooting$",
                 r"^\(d0\) dom0: domain 1 \(rebooter\) shut down: reboot$",
                 r"^\(d0\) dom0: domain 1 \(rebooter\) restarted as domain 2$",
                 r"^\(d2\) domU: domain 2 rebooting$",
                 r"^\(d0\) dom0: domain 2 \(rebooter\) restarted as domain 3$",
                 r"^\(d3\) domU: domain 3 up, not rebooting again, taking down its only vCPU$",
                 r"^\(d0\) dom0: domain 3 \(rebooter\) shut down: poweroff$"] + REAPED_CLEAN,
         reject=[r"Panic", r"FAIL", r"crash", r"failed"]),
    # a hostile domU against a victim domU: security.md's event and grant
    # cases with exact errors, a notification storm at dom0 while a canary
    # keeps going, and death with a live grant mapping
    dict(name="domu-hostile", path="kernel", cmdline="testexit", status=33, timeout=240,
         modules=[("pv-guest/dom0.elf", "poweroff"), ("pv-guest/ramdisk-hostile.tar", "")],
         expect=[r"^\(d\d\) victim: revoke refused while mapped \(-EBUSY\)$",
                 r"^\(d\d\) hostile: (\d+) of \1 cases passed$",
                 r"^\(d\d\) hostile: storm: \d{7,} notifications to dom0's xenstore port",
                 r"^\(d\d\) canary: 200 xenstore round trips and sleeps during the storm",
                 r"^\(d0\) dom0: domain \d \(hostile\) shut down: crash$",
                 r"^\(d0\) dom0: xenstored: domain \d: request ring indices corrupt: connection closed$",
                 r"^\(d\d\) victim: grant revoked once the hostile domain was destroyed; pages intact, xenstore answers"] + REAPED_CLEAN,
         reject=[r"Panic", r"FAIL", r"\(d[1-9]\) .*crash(?!.*live grant mapping)"]),
    # a domU reading xenstore back to back (tests/guest/test_xs_flood.c)
    # while another powers off: dom0 must still reap that one during the
    # flood (xenstored lets dom0's other threads run between passes)
    dict(name="domu-xenstore-flood", path="kernel", cmdline="testexit", status=33, timeout=120,
         modules=[("pv-guest/dom0.elf", "poweroff"), ("pv-guest/ramdisk-xs-flood.tar", "")],
         expect=[r"^\(d2\) test: quitter: powering off$",
                 r"^\(d0\) dom0: domain 2 \(quitter\) destroyed$",
                 r"^\(d1\) test: flood: \d+ back-to-back reads until domain 2 was reaped",
                 r"^\(d1\) Test result: SUCCESS$"] + REAPED_CLEAN,
         reject=[r"Panic", r"FAIL", r"crash"]),
    # without `poweroff` dom0 idles: the run ends at the wall-clock limit
    dict(name="dom0-pv-guest-idles", path="kernel", cmdline="loglvl=all", status=124, timeout=12,
         modules=[("pv-guest/dom0.elf", ""), ("boot/hello.mod", "ramdisk")],
         expect=[r"^\(d0\) dom0: done$", r"^\(d0\) dom0: idle$"],
         reject=[r"Panic", r"Domain 0 shut down"]),
]


def boot(build, sc, workdir):
    log = os.path.join(workdir, sc["name"] + "-" + sc["path"] + ".log")
    module = os.path.join(workdir, "testmod.txt")
    with open(module, "wb") as f:
        f.write(MODULE_TEXT)
    mods = [(os.path.join(build, m), a) for m, a in sc["modules"]] if "modules" in sc \
        else [(module, "testmod role=check answer=42")]
    env = dict(os.environ, LOG=log, TIMEOUT=str(sc.get("timeout", 60)), ACCEL="tcg")
    runner = os.path.join(ROOT, "tools", "qemu-run.sh")
    if sc["path"] == "iso":
        iso = os.path.join(workdir, sc["name"] + ".iso")
        subprocess.run(["bash", os.path.join(ROOT, "tools", "mkiso.sh"), iso,
                        os.path.join(build, "xenia"), sc["cmdline"]]
                       + [x for m in mods for x in m], check=True)
        cmd = ["bash", runner, "iso", iso]
    else:
        cmd = ["bash", runner, "kernel", os.path.join(build, "xenia32"), sc["cmdline"],
               ",".join(m + " " + a for m, a in mods)]
    status = subprocess.run(cmd, env=env, stdin=subprocess.DEVNULL).returncode
    with open(log, "rb") as f:
        text = ANSI.sub("", f.read().decode("utf-8", "replace"))
    return status, text.splitlines()


def check(sc, status, lines):
    problems = []
    if status != sc["status"]:
        problems.append("exit status %d, expected %d" % (status, sc["status"]))
    for pat in sc.get("expect", []):
        if not any(re.search(pat, l) for l in lines):
            problems.append("missing line /%s/" % pat)
    for pat in sc.get("reject", []):
        hit = [l for l in lines if re.search(pat, l)]
        if hit:
            problems.append("unexpected line /%s/: %s" % (pat, hit[0]))
    # "equal": pairs of patterns whose first group must be the same text
    # (counts before and after a run, printed on two lines)
    for pa, pb in sc.get("equal", []):
        ma = next((m for m in (re.search(pa, l) for l in lines) if m), None)
        mb = next((m for m in (re.search(pb, l) for l in lines) if m), None)
        if not ma or not mb:
            problems.append("missing line /%s/ or /%s/" % (pa, pb))
        elif ma.group(1) != mb.group(1):
            problems.append("'%s' != '%s'" % (ma.group(1), mb.group(1)))
    return problems


def main():
    build = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else "build")
    wanted = sys.argv[2:]
    workdir = os.path.join(build, "tests", "boot")
    os.makedirs(workdir, exist_ok=True)
    passed = failed = 0
    for sc in SCENARIOS:
        if wanted and not any(w in sc["name"] for w in wanted):
            continue
        try:
            status, lines = boot(build, sc, workdir)
            problems = check(sc, status, lines)
        except (subprocess.CalledProcessError, OSError) as e:
            problems = ["could not boot: %s" % e]
        label = "%s [%s]" % (sc["name"], "grub" if sc["path"] == "iso" else "qemu -kernel")
        if problems:
            failed += 1
            print("FAIL %s" % label)
            for p in problems:
                print("     %s" % p)
            print("     log: %s" % os.path.join(workdir, sc["name"] + "-" + sc["path"] + ".log"))
        else:
            passed += 1
            print("PASS %s" % label)
        sys.stdout.flush()
    print("%d passed, %d failed" % (passed, failed))
    return 0 if failed == 0 and passed > 0 else 1


if __name__ == "__main__":
    sys.exit(main())
