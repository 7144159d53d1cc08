/*
 * Per-CPU state at the top of each CPU's stack (Xen's model): the stack is
 * STACK_SIZE-aligned and struct cpu_info occupies its last bytes, so any
 * code finds it from %rsp. guest_regs is where a guest's registers land on
 * every entry from ring 3 (TSS.rsp0 points just past it, and the syscall
 * entry builds the same frame there): while a vCPU runs on this CPU, that
 * frame IS its register state.
 */
#ifndef ASM_CURRENT_H
#define ASM_CURRENT_H

#include <asm/traps.h>
#include <xenia/layout.h>

struct vcpu;

struct cpu_info {
    struct cpu_regs guest_regs;
    struct vcpu *curr;
    unsigned cpu_id;
    unsigned pad;
};
_Static_assert(sizeof(struct cpu_info) % 16 == 0, "rsp0 stays 16-byte aligned");

static inline struct cpu_info *get_cpu_info(void)
{
    uint64_t sp;
    __asm__("mov %%rsp, %0" : "=r"(sp));
    return (struct cpu_info *)((sp | (STACK_SIZE - 1)) + 1 - sizeof(struct cpu_info));
}

#define current (get_cpu_info()->curr)
#define guest_regs() (&get_cpu_info()->guest_regs)

#endif
