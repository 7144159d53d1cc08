/*
 * Hypercalls of the x86_64 PV ABI (public/xen.h): number in %rax,
 * arguments in %rdi, %rsi, %rdx, %r10, %r8; result in %rax; %rcx, %r11 and
 * the argument registers are clobbered (a debug Xen scribbles over unused
 * argument registers too, so %r9 is listed as clobbered as well).
 *
 * Two ways in, both always available:
 *   xen_hypercall_page()   `call hypercall_page + nr * 32`: the stub the
 *                          hypervisor wrote into our HYPERCALL_PAGE note's
 *                          page (it saves %rcx/%r11 itself).
 *   xen_hypercall_direct() `syscall` inline, as modern Linux does.
 * xen_hypercall() is the page unless the kernel is compiled with
 * -DPVG_HYPERCALL_DIRECT; the HYPERVISOR_* wrappers use xen_hypercall().
 * The iret hypercall is not here: it never returns and is jumped to from
 * entry.S with its frame on the stack.
 */
#ifndef PVG_ARCH_HYPERCALL_H
#define PVG_ARCH_HYPERCALL_H

#include <stdint.h>

#include "public/xen.h"
#include "public/callback.h"
#include "public/domctl.h"
#include "public/event_channel.h"
#include "public/grant_table.h"
#include "public/memory.h"
#include "public/sched.h"
#include "public/vcpu.h"
#include "public/version.h"

extern char hypercall_page[XEN_PAGE_SIZE];

#define HC_STR_(x) #x
#define HC_STR(x) HC_STR_(x)

#define HC_INSN_PAGE(nr) "call hypercall_page + " HC_STR(nr) " * " HC_STR(XEN_HYPERCALL_STUB_SIZE)
#define HC_INSN_DIRECT(nr) "syscall"

#define HC_ASM(insn, nr, a1, a2, a3, a4, a5) __extension__({                    \
    register uint64_t hc_a1_ __asm__("rdi") = (uint64_t)(a1);                  \
    register uint64_t hc_a2_ __asm__("rsi") = (uint64_t)(a2);                  \
    register uint64_t hc_a3_ __asm__("rdx") = (uint64_t)(a3);                  \
    register uint64_t hc_a4_ __asm__("r10") = (uint64_t)(a4);                  \
    register uint64_t hc_a5_ __asm__("r8") = (uint64_t)(a5);                   \
    long hc_ret_;                                                              \
    __asm__ volatile(insn(nr)                                                  \
                     : "=a"(hc_ret_), "+r"(hc_a1_), "+r"(hc_a2_), "+r"(hc_a3_), \
                       "+r"(hc_a4_), "+r"(hc_a5_)                              \
                     : "0"((uint64_t)(nr))                                     \
                     : "rcx", "r11", "r9", "memory");                          \
    hc_ret_;                                                                   \
})

#define xen_hypercall_page(nr, a1, a2, a3, a4, a5) HC_ASM(HC_INSN_PAGE, nr, a1, a2, a3, a4, a5)
#define xen_hypercall_direct(nr, a1, a2, a3, a4, a5) HC_ASM(HC_INSN_DIRECT, nr, a1, a2, a3, a4, a5)

#ifdef PVG_HYPERCALL_DIRECT
#define xen_hypercall xen_hypercall_direct
#define PVG_HYPERCALL_MODE "direct syscall"
#else
#define xen_hypercall xen_hypercall_page
#define PVG_HYPERCALL_MODE "hypercall page"
#endif

static inline long HYPERVISOR_set_trap_table(const struct trap_info *table)
{
    return xen_hypercall(__HYPERVISOR_set_trap_table, table, 0, 0, 0, 0);
}

static inline long HYPERVISOR_mmu_update(const struct mmu_update *req, unsigned count,
                                         unsigned *done, domid_t dom)
{
    return xen_hypercall(__HYPERVISOR_mmu_update, req, count, done, dom, 0);
}

static inline long HYPERVISOR_mmuext_op(const struct mmuext_op *op, unsigned count,
                                        unsigned *done, domid_t dom)
{
    return xen_hypercall(__HYPERVISOR_mmuext_op, op, count, done, dom, 0);
}

static inline long HYPERVISOR_update_va_mapping(uint64_t va, uint64_t pte, uint64_t flags)
{
    return xen_hypercall(__HYPERVISOR_update_va_mapping, va, pte, flags, 0, 0);
}

static inline long HYPERVISOR_stack_switch(uint64_t ss, uint64_t sp)
{
    return xen_hypercall(__HYPERVISOR_stack_switch, ss, sp, 0, 0, 0);
}

static inline long HYPERVISOR_set_callbacks(uint64_t event, uint64_t failsafe, uint64_t syscall)
{
    return xen_hypercall(__HYPERVISOR_set_callbacks, event, failsafe, syscall, 0, 0);
}

static inline long HYPERVISOR_callback_op(unsigned cmd, const void *arg)
{
    return xen_hypercall(__HYPERVISOR_callback_op, cmd, arg, 0, 0, 0);
}

static inline long HYPERVISOR_sched_op(unsigned cmd, void *arg)
{
    return xen_hypercall(__HYPERVISOR_sched_op, cmd, arg, 0, 0, 0);
}

static inline long HYPERVISOR_set_timer_op(uint64_t deadline_ns)
{
    return xen_hypercall(__HYPERVISOR_set_timer_op, deadline_ns, 0, 0, 0, 0);
}

static inline long HYPERVISOR_xen_version(unsigned cmd, void *arg)
{
    return xen_hypercall(__HYPERVISOR_xen_version, cmd, arg, 0, 0, 0);
}

static inline long HYPERVISOR_console_io(unsigned cmd, unsigned count, const char *buf)
{
    return xen_hypercall(__HYPERVISOR_console_io, cmd, count, buf, 0, 0);
}

static inline long HYPERVISOR_event_channel_op(unsigned cmd, void *arg)
{
    return xen_hypercall(__HYPERVISOR_event_channel_op, cmd, arg, 0, 0, 0);
}

static inline long HYPERVISOR_memory_op(unsigned cmd, void *arg)
{
    return xen_hypercall(__HYPERVISOR_memory_op, cmd, arg, 0, 0, 0);
}

static inline long HYPERVISOR_vcpu_op(unsigned cmd, unsigned vcpu, void *arg)
{
    return xen_hypercall(__HYPERVISOR_vcpu_op, cmd, vcpu, arg, 0, 0);
}

static inline long HYPERVISOR_set_segment_base(unsigned which, uint64_t base)
{
    return xen_hypercall(__HYPERVISOR_set_segment_base, which, base, 0, 0, 0);
}

static inline long HYPERVISOR_grant_table_op(unsigned cmd, void *ops, unsigned count)
{
    return xen_hypercall(__HYPERVISOR_grant_table_op, cmd, ops, count, 0, 0);
}

/* Xenia's toolstack hypercall (public/domctl.h); dom0 only. */
static inline long HYPERVISOR_domctl(struct xenia_domctl *op)
{
    return xen_hypercall(__HYPERVISOR_domctl, op, 0, 0, 0, 0);
}

#endif /* PVG_ARCH_HYPERCALL_H */
