/*
 * Per-vCPU data, reached through the kernel GS base.
 *
 * Each vCPU's kernel GS base points at its own struct percpu: vCPU 0's is
 * set with set_segment_base(SEGBASE_GS_KERNEL) as the first thing at boot,
 * a secondary vCPU's comes with its vcpu_guest_context (kernel/smp.c). The
 * hypervisor swaps it with the user base on every kernel <-> user switch,
 * so in kernel mode %gs:0 is always this vCPU's struct. The fields never
 * change once the vCPU runs, and code never moves between vCPUs (threads
 * stay on vCPU 0), so reading them needs no barrier; the reads are volatile
 * only so that none is moved before the boot code sets the base.
 */
#ifndef PVG_ARCH_PERCPU_H
#define PVG_ARCH_PERCPU_H

#include <stddef.h>
#include <stdint.h>

struct percpu {
    struct percpu *self;     /* %gs:0 */
    uint32_t vcpu_id;        /* %gs:8 */
    uint32_t pad;
};
_Static_assert(offsetof(struct percpu, vcpu_id) == 8, "read as %gs:8");

static inline unsigned percpu_vcpu_id(void)
{
    unsigned id;
    __asm__ volatile("movl %%gs:%c1, %0" : "=r"(id) : "i"(offsetof(struct percpu, vcpu_id)));
    return id;
}

static inline struct percpu *percpu_self(void)
{
    struct percpu *p;
    __asm__ volatile("movq %%gs:0, %0" : "=r"(p));
    return p;
}

#endif /* PVG_ARCH_PERCPU_H */
