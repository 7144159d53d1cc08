/* Memory helpers: the p2m, the M2P, page-table walks, spare pages. */
#include "pvtest.h"

#define VIRT_BASE 0xffffffff80000000ull
#define M2P ((const uint64_t *)0xFFFF800000000000ull)

uint64_t pfn_to_mfn(uint64_t pfn)
{
    return ((const uint64_t *)pvtest_si->mfn_list)[pfn];
}

uint64_t va_to_mfn(uint64_t va)
{
    return pfn_to_mfn((va - VIRT_BASE) >> 12);
}

uint64_t mfn_to_va(uint64_t mfn)
{
    return VIRT_BASE + (M2P[mfn] << 12);
}

/* Machine address of the level-`level` entry that maps va (4 = L4). */
uint64_t pte_maddr(uint64_t va, unsigned level)
{
    uint64_t table = va_to_mfn(pvtest_si->pt_base);     /* the L4 */
    for (unsigned l = 4; l > level; l--) {
        const uint64_t *t = (const uint64_t *)mfn_to_va(table);
        uint64_t e = t[(va >> (12 + 9 * (l - 1))) & 511];
        table = (e & 0x000ffffffffff000ull) >> 12;
    }
    return (table << 12) + 8 * ((va >> (12 + 9 * (level - 1))) & 511);
}

uint64_t pte_read(uint64_t va, unsigned level)
{
    uint64_t ma = pte_maddr(va, level);
    return ((const uint64_t *)mfn_to_va(ma >> 12))[(ma & 0xfff) / 8];
}

/* Spare pages: after the boot stack, inside the initial mapping. */
uint64_t spare_page(unsigned n)
{
    uint64_t first = pvtest_si->pt_base + (pvtest_si->nr_pt_frames + 1) * 4096;
    return first + (uint64_t)n * 4096;
}

long update_va(uint64_t va, uint64_t pte, uint64_t flags)
{
    return HYPERCALL3(__HYPERVISOR_update_va_mapping, va, pte, flags);
}

long mmu_update1(uint64_t ptr, uint64_t val, uint64_t *done)
{
    struct mmu_update u = { ptr, val };
    return HYPERCALL4(__HYPERVISOR_mmu_update, &u, 1, done, DOMID_SELF);
}

long mmuext1(unsigned cmd, uint64_t arg1, uint64_t arg2)
{
    struct mmuext_op op = { .cmd = cmd };
    op.arg1.mfn = arg1;
    op.arg2.src_mfn = arg2;
    return HYPERCALL4(__HYPERVISOR_mmuext_op, &op, 1, 0, DOMID_SELF);
}

volatile struct shared_info *shared_info;

void map_shared_info(void)
{
    uint64_t va = spare_page(120);
    long rc = update_va(va, pvtest_si->shared_info | PTE_P | PTE_RW | PTE_US, UVMF_INVLPG);
    if (rc) {
        printf("cannot map shared_info: %ld\n", rc);
        pvtest_finish(RESULT_ERROR);
    }
    shared_info = (volatile struct shared_info *)va;
}
