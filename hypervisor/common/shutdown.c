/*
 * panic() and the ways a run ends. A panic prints its message, then ends the
 * run as a failure: test exit code in testexit mode, otherwise halt
 * (noreboot) or reboot. Nested panics skip straight to the end.
 */
#include <asm/x86.h>
#include <xenia/console.h>
#include <xenia/params.h>
#include <xenia/shutdown.h>
#include "core/fmt.h"
#include <public/sched.h>

static bool in_panic;

__noreturn void machine_halt(void)
{
    local_irq_disable();
    printk("Halting (noreboot).\n");
    for (;;)
        halt();
}

__noreturn void machine_restart(void)
{
    printk("Rebooting.\n");
    arch_reset();
}

__noreturn void machine_finish(bool success)
{
    local_irq_disable();
    if (opt_testexit)
        arch_qemu_exit(success ? XENIA_EXIT_SUCCESS : XENIA_EXIT_FAILURE);
    if (opt_noreboot)
        machine_halt();
    machine_restart();
}

__noreturn void panic(const char *fmt, ...)
{
    char msg[256];
    va_list ap;

    local_irq_disable();
    if (in_panic)
        machine_finish(false);
    in_panic = true;
    va_start(ap, fmt);
    fmt_vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    pr_err("****************************************\n");
    pr_err("Panic: %s\n", msg);
    pr_err("****************************************\n");
    machine_finish(false);
}

__noreturn void core_bug(const char *file, int line, const char *cond)
{
    panic("BUG at %s:%d: %s", file, line, cond);
}

__noreturn void dom0_shutdown_action(unsigned reason)
{
    local_irq_disable();
    switch (reason) {
    case SHUTDOWN_poweroff:
        printk("Domain 0 halted: halting machine\n");
        if (opt_testexit)
            arch_qemu_exit(XENIA_EXIT_SUCCESS);
        machine_halt();
    case SHUTDOWN_reboot:
        printk("Domain 0 shutdown: rebooting machine\n");
        if (opt_testexit)
            arch_qemu_exit(XENIA_EXIT_SUCCESS);
        machine_restart();
    default:
        pr_err("Domain 0 crashed: %s\n", opt_testexit ? "ending the test run as a failure"
                                          : opt_noreboot ? "halting (noreboot)" : "rebooting");
        machine_finish(false);
    }
}
