/*
 * The PV MMU as the guest kernel uses it:
 *  - mmu_update maps a page; its contents are visible at both addresses,
 *    writes through one show through the other;
 *  - remapping a present entry plus MMUEXT_INVLPG_LOCAL shows the new page;
 *  - update_va_mapping(va, 0, UVMF_INVLPG) unmaps: the next access faults
 *    with cr2 = va;
 *  - a batch of 100 mappings goes in ceil(100 / PT_BATCH) hypercalls;
 *  - page tables may be mapped read-only (and read), never writable;
 *  - mmu_update into a frame that is not a page table is a plain write
 *    (Xen's rule);
 *  - refused: mmu_update on a frame that does not exist or with an unknown
 *    command, pinning an L4 twice, pinning a writable page as an L1,
 *    update_va_mapping in the hypervisor's range.
 */
#include "test.h"
#include "arch/hypercall.h"
#include "arch/layout.h"
#include "arch/pgtable.h"
#include "arch/traps.h"
#include "guest/mm.h"

const char test_title[] = "mmu: mmu_update, update_va_mapping, mmuext_op and refusals";

#define BATCH_VA(i) (FIXMAP_BASE + 0x100000ULL + (uint64_t)(i) * PAGE_SIZE)
#define BATCH_PAGES 100

/* A read whose fault the #PF hook turns into "probe_faulted". */
uint64_t mmu_probe_read(uint64_t va);
extern const char mmu_probe_insn[], mmu_probe_resume[];
__asm__(".pushsection .text\n"
        ".globl mmu_probe_read\n"
        "mmu_probe_read:\n"
        "    xorl %eax, %eax\n"
        ".globl mmu_probe_insn\n"
        "mmu_probe_insn:\n"
        "    movq (%rdi), %rax\n"
        ".globl mmu_probe_resume\n"
        "mmu_probe_resume:\n"
        "    ret\n"
        ".popsection\n");

static bool probe_faulted;
static uint64_t probe_cr2;

static bool on_pf(struct trap_frame *f, uint64_t cr2)
{
    if (f->rip != (uint64_t)(uintptr_t)mmu_probe_insn)
        return false;
    probe_faulted = true;
    probe_cr2 = cr2;
    f->rip = (uint64_t)(uintptr_t)mmu_probe_resume;
    return true;
}

static void fill(void *page, uint64_t tag)
{
    uint64_t *w = page;
    for (unsigned i = 0; i < PAGE_SIZE / 8; i++)
        w[i] = tag ^ i;
}

static bool check_fill(uint64_t va, uint64_t tag)
{
    const volatile uint64_t *w = (const volatile uint64_t *)(uintptr_t)va;
    for (unsigned i = 0; i < PAGE_SIZE / 8; i++)
        if (w[i] != (tag ^ i))
            return false;
    return true;
}

static void map_and_remap(void *a, void *b)
{
    uint64_t s0 = FIXMAP_SCRATCH(0);

    test_check(pt_map(s0, virt_to_mfn(a), PTE_KERNEL_RW) == 0, "map a at scratch 0");
    test_check(check_fill(s0, 0xa0a0a0a0ULL), "scratch 0 does not show page a");
    *(volatile uint64_t *)(uintptr_t)(s0 + 8) = 0x5eed;
    test_check(((volatile uint64_t *)a)[1] == 0x5eed, "write through scratch 0 not in page a");
    ((uint64_t *)a)[1] = 0xa0a0a0a0ULL ^ 1;

    test_check(pt_queue_map(s0, virt_to_mfn(b), PTE_KERNEL_RW) == 0 && pt_commit() == 0,
               "remap scratch 0 to b");
    test_check(pt_invlpg(s0) == 0, "MMUEXT_INVLPG_LOCAL failed");
    test_check(check_fill(s0, 0xb0b0b0b0ULL), "scratch 0 does not show page b after remap");

    test_check(pt_unmap(s0) == 0, "unmap of scratch 0 failed");
    probe_faulted = false;
    (void)mmu_probe_read(s0);
    test_check(probe_faulted && probe_cr2 == s0, "read after unmap: faulted %d cr2 %#lx",
               probe_faulted, (unsigned long)probe_cr2);
}

static void batch(void)
{
    static void *pages[BATCH_PAGES];
    struct pt_stats before, after;
    unsigned got = 0;

    for (unsigned i = 0; i < BATCH_PAGES; i++) {
        pages[i] = mm_alloc_pages(1);
        if (pages[i] == NULL)
            break;
        fill(pages[i], 0x1000 + i);
        got++;
    }
    if (!test_check(got == BATCH_PAGES, "only %u pages for the batch", got))
        return;
    test_check(pt_prepare(BATCH_VA(0)) == 0, "tables for the batch");
    pt_get_stats(&before);
    for (unsigned i = 0; i < BATCH_PAGES; i++)
        test_check(pt_queue_map(BATCH_VA(i), virt_to_mfn(pages[i]), PTE_KERNEL_RO) == 0,
                   "queue %u", i);
    test_check(pt_commit() == 0, "batch commit failed");
    pt_get_stats(&after);
    test_check(after.mmu_update_calls - before.mmu_update_calls ==
                   (BATCH_PAGES + PT_BATCH - 1) / PT_BATCH,
               "batch took %lu hypercalls",
               (unsigned long)(after.mmu_update_calls - before.mmu_update_calls));
    test_check(after.mmu_update_entries - before.mmu_update_entries == BATCH_PAGES,
               "batch applied %lu entries",
               (unsigned long)(after.mmu_update_entries - before.mmu_update_entries));
    for (unsigned i = 0; i < BATCH_PAGES; i++) {
        test_check(check_fill(BATCH_VA(i), 0x1000 + i), "batch page %u wrong", i);
        test_check(pt_unmap(BATCH_VA(i)) == 0, "unmap batch page %u", i);
        mm_free_pages(pages[i], 1);
    }
}

static void page_tables_stay_read_only(void)
{
    uint64_t s1 = FIXMAP_SCRATCH(1);
    uint64_t l4 = pt_root_mfn();

    test_check(pt_map(s1, l4, PTE_KERNEL_RW) < 0, "the L4 was mapped writable");
    test_check(pt_map(s1, l4, PTE_KERNEL_RO) == 0, "the L4 could not be mapped read-only");
    test_check(((const volatile uint64_t *)(uintptr_t)s1)[511] == pt_l4_entry(511),
               "read-only view of the L4 differs");
    test_check(pt_unmap(s1) == 0, "unmap of the L4 view failed");
}

static void refusals(void *a)
{
    /* Xen's rule: an mmu_update aimed at a frame that is not a page table
     * is a plain (checked) memory write into one of our own frames. */
    struct mmu_update req = {
        .ptr = (virt_to_mfn(a) << PAGE_SHIFT) + 8 + MMU_NORMAL_PT_UPDATE,
        .val = 0x1234,
    };
    unsigned done = 7;
    long rc = HYPERVISOR_mmu_update(&req, 1, &done, DOMID_SELF);
    test_check(rc == 0 && done == 1 && ((volatile uint64_t *)a)[1] == 0x1234,
               "mmu_update into a data page: rc %ld done %u", rc, done);

    /* A frame far beyond any RAM, and an unknown command in the low bits. */
    req.ptr = (0xFFFFFFFFFULL << PAGE_SHIFT) + MMU_NORMAL_PT_UPDATE;
    rc = HYPERVISOR_mmu_update(&req, 1, &done, DOMID_SELF);
    test_check(rc < 0, "mmu_update on a nonexistent frame returned %ld", rc);
    req.ptr = (virt_to_mfn(a) << PAGE_SHIFT) + 16 + 3;
    rc = HYPERVISOR_mmu_update(&req, 1, &done, DOMID_SELF);
    test_check(rc < 0 && ((volatile uint64_t *)a)[2] == (0xa0a0a0a0ULL ^ 2),
               "mmu_update with command 3 returned %ld", rc);

    rc = pt_pin(pt_root_mfn(), 4);
    test_check(rc < 0, "pinning the pinned L4 again returned %ld", rc);
    rc = pt_pin(virt_to_mfn(a), 1);
    test_check(rc < 0, "pinning a writable page as an L1 returned %ld", rc);
    if (rc == 0)
        pt_unpin(virt_to_mfn(a));

    rc = HYPERVISOR_update_va_mapping(HYPERVISOR_VIRT_START + 0x10000,
                                      (virt_to_mfn(a) << PAGE_SHIFT) | PTE_KERNEL_RW,
                                      UVMF_INVLPG);
    test_check(rc < 0, "update_va_mapping into the hypervisor's range returned %ld", rc);
    rc = HYPERVISOR_mmu_update(&req, 0, &done, DOMID_SELF);
    test_check(rc == 0, "an empty mmu_update returned %ld", rc);
}

enum test_result test_main(void)
{
    void *a = mm_alloc_pages(1), *b = mm_alloc_pages(1);

    if (a == NULL || b == NULL || pt_prepare(FIXMAP_SCRATCH(0)) < 0) {
        test_note("setup failed");
        return TEST_ERROR;
    }
    fill(a, 0xa0a0a0a0ULL);
    fill(b, 0xb0b0b0b0ULL);
    trap_set_hook(TRAP_PF, on_pf);

    map_and_remap(a, b);
    batch();
    page_tables_stay_read_only();
    refusals(a);
    test_check(pt_flush_tlb() == 0, "MMUEXT_TLB_FLUSH_LOCAL failed");

    trap_set_hook(TRAP_PF, NULL);
    return TEST_SUCCESS;
}
