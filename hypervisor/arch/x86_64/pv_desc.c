/*
 * Guest descriptor tables: set_gdt and update_descriptor.
 *
 * The CPU's GDT lives at HV_PERDOMAIN_BASE (L4 slot 257) as 16 pages: pages
 * 0-13 (entries 0-7167) show the current vCPU's guest GDT frames read-only,
 * or a zero page past the guest's table; pages 14-15 are the hypervisor's own
 * entries (its selectors from 0xe000, the flat ring-3 selectors, the TSS).
 * A frame becomes a guest GDT frame only by taking the PGT_SEG_DESC type,
 * which validates every descriptor in it (desc_check) and can never coexist
 * with a writable mapping; update_descriptor changes one descriptor under
 * the same type and the same check.
 *
 * desc_check: a present descriptor must be a code or data segment (S = 1)
 * with DPL 3; system descriptors (call gates, TSS, LDT) are refused. A
 * segment a guest loads can therefore never carry ring-0 privilege.
 * Validated present descriptors get their accessed bit set (see below).
 */
#include <asm/current.h>
#include <asm/x86.h>
#include <xenia/console.h>
#include <xenia/domain.h>
#include <xenia/errno.h>
#include <xenia/guest_access.h>
#include <xenia/hypercalls.h>
#include <xenia/mm.h>
#include <xenia/pv.h>

#define GDT_GUEST_PAGES FIRST_RESERVED_GDT_PAGE     /* 14 */
#define GDT_PAGES 16
#define DESC_P (1ull << 47)
#define DESC_S (1ull << 44)
#define DESC_A (1ull << 40)
#define DESC_DPL(d) (((d) >> 45) & 3)

extern uint64_t gdt_table[];                        /* desc.c: the 16-page array */
static uint64_t zero_mfn;

bool desc_check(uint64_t d)
{
    if (!(d & DESC_P))
        return true;                                /* not present: loads fault */
    return (d & DESC_S) && DESC_DPL(d) == 3;
}

/*
 * The accessed bit: the CPU sets it in the descriptor on the first load, a
 * write our read-only mapping would turn into a fault; so every present
 * segment descriptor gets it set once it is validated.
 */
static int check_seg_desc_frame(void *ctx, uint64_t mfn)
{
    (void)ctx;
    uint64_t *d = phys_to_virt(mfn << PAGE_SHIFT);
    for (unsigned i = 0; i < PAGE_SIZE / 8; i++)
        if (!desc_check(d[i]))
            return -EINVAL;
    for (unsigned i = 0; i < PAGE_SIZE / 8; i++)
        if (d[i] & DESC_P)
            d[i] |= DESC_A;
    return 0;
}

static void gdt_map_page(unsigned i, uint64_t mfn, bool writable)
{
    uint64_t va = HV_PERDOMAIN_BASE + (uint64_t)i * PAGE_SIZE;
    BUG_ON(paging_map_frame(va, mfn, (writable ? PGT_PTE_RW : 0) | PGT_PTE_NX));
    invlpg((const void *)va);
}

/* Switch the CPU to the GDT area; guest pages empty. */
void gdt_area_init(void)
{
    void *z = alloc_page();
    BUG_ON(!z);
    zero_mfn = virt_to_phys(z) >> PAGE_SHIFT;
    for (unsigned i = 0; i < GDT_GUEST_PAGES; i++)
        gdt_map_page(i, zero_mfn, false);
    for (unsigned i = GDT_GUEST_PAGES; i < GDT_PAGES; i++)
        gdt_map_page(i, virt_to_phys((uint8_t *)gdt_table + i * PAGE_SIZE) >> PAGE_SHIFT, true);
    pgt_env_hv.check_seg_desc = check_seg_desc_frame;

    struct {
        uint16_t limit;
        uint64_t base;
    } __attribute__((packed)) gdtr = { GDT_PAGES * PAGE_SIZE - 1, HV_PERDOMAIN_BASE };
    __asm__ volatile("lgdt %0" ::"m"(gdtr) : "memory");
}

void gdt_load_vcpu(const struct vcpu *v)
{
    for (unsigned i = 0; i < GDT_GUEST_PAGES; i++)
        gdt_map_page(i, i < v->gdt_nr_frames ? v->gdt_frames[i] : zero_mfn, false);
}

/* Drop the type references of a vCPU's guest GDT frames. */
static void gdt_release(struct vcpu *v)
{
    for (unsigned i = 0; i < v->gdt_nr_frames; i++)
        pgt_put_type(&pgt_env_hv, &v->pgt_cont, v->gdt_frames[i], v->domain->id);
    v->gdt_nr_frames = 0;
}

long do_set_gdt(uint64_t frame_list, uint64_t entries)
{
    struct vcpu *v = current;
    uint64_t frames[GDT_GUEST_PAGES];
    unsigned n, taken = 0;

    if (entries > FIRST_RESERVED_GDT_ENTRY)
        return -EINVAL;
    if (!pgt_cont_idle(&v->pgt_cont))
        return -EBUSY;                              /* a page-table walk is pending */
    n = (unsigned)((entries * 8 + PAGE_SIZE - 1) / PAGE_SIZE);
    if (n && copy_from_guest(frames, frame_list, n * sizeof(frames[0])))
        return -EFAULT;
    for (; taken < n; taken++) {
        int rc = frames[taken] < mm_max_pfn
                     ? pgt_get_type(&pgt_env_hv, &v->pgt_cont, frames[taken], PGT_SEG_DESC,
                                    v->domain->id)
                     : -EINVAL;
        if (rc) {
            while (taken--)
                pgt_put_type(&pgt_env_hv, &v->pgt_cont, frames[taken], v->domain->id);
            return rc == -ERESTART ? -EINVAL : rc;
        }
    }
    gdt_release(v);
    memcpy(v->gdt_frames, frames, n * sizeof(frames[0]));
    v->gdt_nr_frames = n;
    gdt_load_vcpu(v);
    return 0;
}

long do_update_descriptor(uint64_t maddr, uint64_t desc)
{
    struct vcpu *v = current;
    uint64_t mfn = maddr >> PAGE_SHIFT;

    if ((maddr & 7) || mfn >= mm_max_pfn || !desc_check(desc))
        return -EINVAL;
    if (!pgt_cont_idle(&v->pgt_cont))
        return -EBUSY;
    int rc = pgt_get_type(&pgt_env_hv, &v->pgt_cont, mfn, PGT_SEG_DESC, v->domain->id);
    if (rc)
        return rc == -ERESTART ? -EINVAL : rc;
    ((uint64_t *)phys_to_virt(mfn << PAGE_SHIFT))[(maddr & (PAGE_SIZE - 1)) / 8] =
        (desc & DESC_P) ? desc | DESC_A : desc;
    pgt_put_type(&pgt_env_hv, &v->pgt_cont, mfn, v->domain->id);
    return 0;
}
