/*
 * The boot CPU's GDT and TSS. The TSS has no I/O bitmap (iomap_base past its
 * limit), so every in/out from ring 3 traps to the hypervisor. Double fault,
 * NMI and machine check run on their own IST stacks so that a corrupt kernel
 * stack still yields an exception dump; so does #DB, which a guest can make
 * arrive in ring 0 on the first instruction of the syscall entry, while %rsp
 * is still the guest's (mov ss + single-step + syscall).
 */
#include <asm/desc.h>
#include <asm/regs.h>
#include <xenia/layout.h>
#include "core/env.h"

uint64_t gdt_table[GDT_ENTRIES] __attribute__((aligned(PAGE_SIZE)));
#define gdt gdt_table
static struct tss64 tss __attribute__((aligned(64)));
extern uint8_t boot_stack[], boot_stack_top[];

/* Top of IST stack n (1-based) inside this CPU's stack block. */
static uint64_t ist_top(unsigned n)
{
    return (uint64_t)boot_stack + n * IST_STACK_SIZE;
}

/* Flat segment descriptors: base 0, limit 4 GiB. */
#define DESC_CODE64(dpl) (0x00AF9A000000FFFFull | ((uint64_t)(dpl) << 45))
#define DESC_CODE32(dpl) (0x00CF9A000000FFFFull | ((uint64_t)(dpl) << 45))
#define DESC_DATA(dpl)   (0x00CF92000000FFFFull | ((uint64_t)(dpl) << 45))

static void gdt_set_tss(unsigned idx, const struct tss64 *t)
{
    uint64_t base = (uint64_t)t;
    uint64_t limit = sizeof(*t) - 1;
    gdt[idx] = (limit & 0xffff) | ((base & 0xffffff) << 16) | (0x89ull << 40) |
               (((limit >> 16) & 0xf) << 48) | (((base >> 24) & 0xff) << 56);
    gdt[idx + 1] = base >> 32;
}

void desc_set_rsp0(uint64_t rsp0);

void desc_init(void)
{
    struct {
        uint16_t limit;
        uint64_t base;
    } __attribute__((packed)) gdtr = { sizeof(gdt) - 1, (uint64_t)gdt };

    gdt[SEL_HV_CS >> 3] = DESC_CODE64(0);
    gdt[SEL_HV_DS >> 3] = DESC_DATA(0);
    gdt[SEL_GUEST_CS32 >> 3] = DESC_CODE32(3);
    gdt[SEL_GUEST_DS >> 3] = DESC_DATA(3);
    gdt[SEL_GUEST_CS64 >> 3] = DESC_CODE64(3);

    tss.rsp[0] = (uint64_t)boot_stack_top - CPU_INFO_SIZE;    /* pv_cpu_init: the guest frame */
    tss.ist[IST_DF - 1] = ist_top(IST_DF);
    tss.ist[IST_NMI - 1] = ist_top(IST_NMI);
    tss.ist[IST_MC - 1] = ist_top(IST_MC);
    tss.ist[IST_DB - 1] = ist_top(IST_DB);
    tss.iomap_base = sizeof(tss);
    gdt_set_tss(SEL_TSS >> 3, &tss);

    /* Load the GDT, reload CS with a far return and the data selectors. */
    __asm__ volatile("lgdt %0\n\t"
                     "pushq %1\n\t"
                     "leaq 1f(%%rip), %%rax\n\t"
                     "pushq %%rax\n\t"
                     "lretq\n"
                     "1:\n\t"
                     "movl %2, %%eax\n\t"
                     "movl %%eax, %%ds\n\t"
                     "movl %%eax, %%es\n\t"
                     "movl %%eax, %%ss\n\t"
                     "ltr %w3\n\t"
                     :
                     : "m"(gdtr), "i"(SEL_HV_CS), "i"(SEL_HV_DS), "r"(SEL_TSS)
                     : "rax", "memory");
}

void desc_set_rsp0(uint64_t rsp0)
{
    tss.rsp[0] = rsp0;
}
