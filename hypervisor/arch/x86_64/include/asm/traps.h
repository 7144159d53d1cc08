/* Saved register frame of an interrupt or exception (built by entry.S). */
#ifndef ASM_TRAPS_H
#define ASM_TRAPS_H

#include <stdint.h>

struct cpu_regs {
    uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
    uint64_t rbp, rdi, rsi, rdx, rcx, rbx, rax;
    uint64_t vector, error_code;
    uint64_t rip, cs, rflags, rsp, ss;      /* pushed by the CPU */
};
_Static_assert(sizeof(struct cpu_regs) == 22 * 8, "cpu_regs matches entry.S");

#define VEC_DE   0
#define VEC_DB   1
#define VEC_NMI  2
#define VEC_BP   3
#define VEC_UD   6
#define VEC_DF   8
#define VEC_GP   13
#define VEC_PF   14
#define VEC_MC   18
#define VEC_TIMER    0xf0               /* local APIC timer */
#define VEC_SPURIOUS 0xff

typedef void (*irq_handler_t)(struct cpu_regs *regs);
void irq_register(unsigned vector, irq_handler_t fn);
void trap_dispatch(struct cpu_regs *regs);
void trap_dump(const struct cpu_regs *regs);
void regs_dump(const struct cpu_regs *regs);      /* GPRs, rip, rsp, flags, cr0/2/3/4 */

#endif
