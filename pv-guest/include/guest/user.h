/*
 * Guest user mode: one user address space, one program at a time.
 *
 * The user L4 holds a single entry, slot 0, pointing at the same L3 as
 * slot 0 of the kernel L4; the kernel's own slots are absent, so user code
 * cannot reach kernel memory, while the kernel reads user memory directly.
 * The user L4 is pinned and installed with MMUEXT_NEW_USER_BASEPTR; the
 * hypervisor switches to it on an iret to a user cs (RPL 3) and back to
 * the kernel L4 on every trap, event or `syscall` from user mode, which it
 * delivers on the stack given with stack_switch.
 *
 * A program is position-independent code copied to USER_BASE, with one
 * stack page below USER_STACK_TOP and demand-zero pages mapped on first
 * touch in [USER_DEMAND_BASE, USER_DEMAND_END). It enters with %rdi = arg.
 * System calls use Linux's numbers and registers (rax; rdi, rsi, rdx) and
 * return in rax: write(fd 1|2, buf, len), getpid(), sched_yield(),
 * exit(status); anything else returns -ENOSYS. exit() and any fault the
 * kernel does not resolve end the program and return to user_run().
 */
#ifndef PVG_GUEST_USER_H
#define PVG_GUEST_USER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "arch/traps.h"

#define SYS_write       1
#define SYS_sched_yield 24
#define SYS_getpid      39
#define SYS_exit        60

#define USER_MAX_PROGRAM_PAGES 4
#define USER_MAX_DEMAND_PAGES  16

struct user_result {
    int status;              /* exit status, if !killed */
    bool killed;             /* ended by a fault */
    uint64_t fault_vector, fault_addr, fault_rip;
    unsigned syscalls;
    unsigned demand_faults;  /* pages mapped on first touch */
};

/* 0, or -errno if the user page tables cannot be built. */
int user_init(void);
/* Run a program to its end: 0 and *res filled, or -errno (too large, no
 * memory, another program running). */
int user_run(const void *code, size_t len, uint64_t arg, struct user_result *res);

/* From traps.c / entry.S. */
bool user_fault(struct trap_frame *f, uint64_t cr2);
void syscall_dispatch(struct trap_frame *f);

/* The demo program (user_prog.S): arg 0 runs the normal path, 1 touches
 * kernel memory and must be killed. Exit status 42 means every check in it
 * passed; other values name the failed check (see user_prog.S). */
extern const char user_prog_start[], user_prog_end[];
#define USER_PROG_OK 42

#endif /* PVG_GUEST_USER_H */
