/*
 * Ending a run. With `noreboot` the hypervisor halts instead of rebooting.
 * With `testexit` (test harness) it leaves QEMU through the isa-debug-exit
 * device: XENIA_EXIT_SUCCESS for a clean end, XENIA_EXIT_FAILURE for a panic.
 * QEMU exits with (code << 1) | 1, i.e. 33 and 35; 0 and 1 stay failures
 * (a triple fault exits 0, a QEMU error 1).
 */
#ifndef XENIA_SHUTDOWN_H
#define XENIA_SHUTDOWN_H

#include "core/env.h"

#define XENIA_EXIT_SUCCESS 0x10
#define XENIA_EXIT_FAILURE 0x11

__noreturn void panic(const char *fmt, ...) __printf(1, 2);
__noreturn void machine_halt(void);
__noreturn void machine_restart(void);
/* End the run after success: test exit, halt (noreboot) or restart. */
__noreturn void machine_finish(bool success);

/* dom0 shut down with a SHUTDOWN_* reason: end the run accordingly
   (testexit: poweroff and reboot succeed, anything else fails). */
__noreturn void dom0_shutdown_action(unsigned reason);

/* Arch. */
void arch_qemu_exit(unsigned code);         /* returns only if no debug-exit device */
__noreturn void arch_reset(void);

#endif
