/*
 * Hypercall dispatch. One table, one line per hypercall; numbers without a
 * handler return -ENOSYS. A handler gets the five argument registers
 * (rdi, rsi, rdx, r10, r8) and returns the value for rax, unless it called
 * hypercall_continuation(): then the guest re-executes the same `syscall`
 * with the updated arguments (long operations are preemptible that way).
 */
#ifndef XENIA_HYPERCALL_H
#define XENIA_HYPERCALL_H

#include <asm/traps.h>
#include "core/env.h"

typedef long (*hypercall_fn)(uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5);

void hypercall_dispatch(struct cpu_regs *regs);
/* Arrange for the current hypercall to be restarted with these arguments. */
long hypercall_continuation(unsigned nr, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4,
                            uint64_t a5);
/* Number of hypercalls handled (for the console summary and tests). */
extern uint64_t hypercall_count;

#endif
