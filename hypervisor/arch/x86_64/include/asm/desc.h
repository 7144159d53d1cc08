/*
 * GDT layout, Xen-compatible: entries 0..7167 (the first 14 pages) belong to
 * the guest (filled per vCPU by set_gdt later); the hypervisor's descriptors
 * start at entry 7168 (selector 0xe000). The ring-3 flat selectors are the
 * PV ABI's FLAT_RING3_* values, ordered so that STAR can serve syscall and
 * sysret: STAR[47:32] = HV_CS (syscall: CS = HV_CS, SS = HV_DS) and
 * STAR[63:48] = GUEST_CS32 (sysret: SS = +8 = GUEST_DS, CS64 = +16 = GUEST_CS64).
 */
#ifndef ASM_DESC_H
#define ASM_DESC_H

#define GDT_ENTRIES         8192
#define GDT_FIRST_HV_ENTRY  7168
#define SEL_HV_CS           0xe008      /* 64-bit code, DPL 0 */
#define SEL_HV_DS           0xe010      /* data, DPL 0 */
#define SEL_GUEST_CS32      0xe023      /* FLAT_RING3_CS32 */
#define SEL_GUEST_DS        0xe02b      /* FLAT_RING3_DS32 / SS */
#define SEL_GUEST_CS64      0xe033      /* FLAT_RING3_CS64 */
#define SEL_TSS             0xe040

#define IST_DF              1
#define IST_NMI             2
#define IST_MC              3
#define IST_DB              4      /* #DB may hit the syscall entry before its stack switch */

#ifndef __ASSEMBLY__
#include <stdint.h>

struct tss64 {
    uint32_t reserved0;
    uint64_t rsp[3];
    uint64_t reserved1;
    uint64_t ist[7];
    uint64_t reserved2;
    uint16_t reserved3;
    uint16_t iomap_base;
} __attribute__((packed));
_Static_assert(sizeof(struct tss64) == 104, "TSS size");

void desc_init(void);
void idt_init(void);
#endif

#endif
