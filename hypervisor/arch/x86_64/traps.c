/*
 * IDT and exception handling. Every vector has an entry; the 32 CPU
 * exceptions taken in the hypervisor are fatal: they print a full register
 * dump and panic. Device interrupts go to the handler registered for their
 * vector; an interrupt with no handler is logged and acknowledged.
 */
#include <asm/current.h>
#include <asm/desc.h>
#include <asm/traps.h>
#include <asm/x86.h>
#include <xenia/apic.h>
#include <xenia/console.h>
#include <xenia/guest_access.h>
#include <xenia/pv.h>
#include <xenia/shutdown.h>
#include "core/env.h"

struct idt_gate {
    uint16_t offset_lo, selector;
    uint8_t ist, type_attr;
    uint16_t offset_mid;
    uint32_t offset_hi, reserved;
} __attribute__((packed));

static struct idt_gate idt[256] __attribute__((aligned(16)));
static irq_handler_t irq_handlers[256];
extern const uint8_t trap_stubs[];

static const char *const exception_names[32] = {
    "divide error (#DE)", "debug (#DB)", "NMI", "breakpoint (#BP)", "overflow (#OF)",
    "bound range (#BR)", "invalid opcode (#UD)", "device not available (#NM)",
    "double fault (#DF)", "coprocessor segment overrun", "invalid TSS (#TS)",
    "segment not present (#NP)", "stack fault (#SS)", "general protection (#GP)",
    "page fault (#PF)", "reserved 15", "x87 FPU error (#MF)", "alignment check (#AC)",
    "machine check (#MC)", "SIMD exception (#XM)", "virtualization (#VE)",
    "control protection (#CP)", "reserved 22", "reserved 23", "reserved 24", "reserved 25",
    "reserved 26", "reserved 27", "hypervisor injection (#HV)", "VMM communication (#VC)",
    "security (#SX)", "reserved 31",
};

static void idt_set(unsigned vec, unsigned ist, unsigned dpl)
{
    uint64_t addr = (uint64_t)(trap_stubs + vec * 16);
    idt[vec] = (struct idt_gate){
        .offset_lo = addr & 0xffff,
        .selector = SEL_HV_CS,
        .ist = (uint8_t)ist,
        .type_attr = (uint8_t)(0x8e | (dpl << 5)), /* present, 64-bit interrupt gate */
        .offset_mid = (addr >> 16) & 0xffff,
        .offset_hi = (uint32_t)(addr >> 32),
    };
}

void idt_init(void)
{
    struct {
        uint16_t limit;
        uint64_t base;
    } __attribute__((packed)) idtr = { sizeof(idt) - 1, (uint64_t)idt };

    for (unsigned v = 0; v < 256; v++)
        idt_set(v, 0, 0);
    idt_set(VEC_DF, IST_DF, 0);
    idt_set(VEC_NMI, IST_NMI, 0);
    idt_set(VEC_MC, IST_MC, 0);
    idt_set(VEC_DB, IST_DB, 0);
    /* int3 and into from a guest arrive as #BP/#OF, not #GP (as on Xen). */
    idt_set(VEC_BP, 0, 3);
    idt_set(4, 0, 3);
    __asm__ volatile("lidt %0" ::"m"(idtr) : "memory");
}

void irq_register(unsigned vector, irq_handler_t fn)
{
    BUG_ON(vector < 32 || vector > 255);
    irq_handlers[vector] = fn;
}

void trap_dump(const struct cpu_regs *r)
{
    const char *name = r->vector < 32 ? exception_names[r->vector] : "interrupt";

    pr_err("*** Hypervisor exception: vector %lu, %s, error code %#lx ***\n", r->vector, name,
           r->error_code);
    regs_dump(r);
}

void regs_dump(const struct cpu_regs *r)
{
    pr_err("rip: %04lx:%016lx   rflags: %016lx\n", r->cs & 0xffff, r->rip, r->rflags);
    pr_err("rsp: %04lx:%016lx   cr2: %016lx   cr3: %016lx\n", r->ss & 0xffff, r->rsp, read_cr2(),
           read_cr3());
    pr_err("rax: %016lx   rbx: %016lx   rcx: %016lx\n", r->rax, r->rbx, r->rcx);
    pr_err("rdx: %016lx   rsi: %016lx   rdi: %016lx\n", r->rdx, r->rsi, r->rdi);
    pr_err("rbp: %016lx   r8:  %016lx   r9:  %016lx\n", r->rbp, r->r8, r->r9);
    pr_err("r10: %016lx   r11: %016lx   r12: %016lx\n", r->r10, r->r11, r->r12);
    pr_err("r13: %016lx   r14: %016lx   r15: %016lx\n", r->r13, r->r14, r->r15);
    pr_err("cr0: %016lx   cr4: %016lx\n", read_cr0(), read_cr4());
}

void trap_dispatch(struct cpu_regs *regs)
{
    unsigned vec = (unsigned)regs->vector;

    if (vec >= 32) {
        if (irq_handlers[vec]) {
            irq_handlers[vec](regs);
        } else if (vec != VEC_SPURIOUS) {
            pr_warn("unexpected interrupt on vector %#x\n", vec);
            apic_eoi();
        }
        return;
    }
    if (vec == VEC_NMI) {
        /* A host NMI (no NMI source is set up): note it, never deliver it
           to whichever guest happened to run. */
        pr_warn("NMI received (rip %#lx)\n", regs->rip);
        return;
    }
    if (vec == VEC_MC) {
        trap_dump(regs);
        panic("machine check");
    }
    if (regs->cs & 3) {
        /* A guest's fault: bounce or crash it. Faults taken on an IST stack
           move to the CPU's guest frame, where the exit path expects it. */
        struct cpu_regs *g = guest_regs();
        if (regs != g)
            *g = *regs;
        pv_guest_exception(g);
        return;
    }
    /* A fault on a guest access with a fixup (copy_to/from_guest). */
    uint64_t fixup = (vec >= 10 && vec <= 14) ? ex_table_fixup(regs->rip) : 0;  /* #TS..#PF */
    if (fixup) {
        regs->rip = fixup;
        return;
    }
    if (vec == VEC_DB) {
        /* A single-step carried into the syscall entry by a guest's
           mov-ss shadow: nothing of ours is being debugged; drop it. */
        __asm__ volatile("mov %0, %%dr6" ::"r"(0xffff0ff0ull));
        return;
    }
    trap_dump(regs);
    panic("fatal exception %u in the hypervisor", vec);
}
