/*
 * Page-table updates through mmu_update, mmuext_op and update_va_mapping.
 * The rules are in arch/pgtable.h. State: the kernel L4 (root) and one
 * batch of queued L1 writes. Callers are kernel threads of one vCPU and
 * never preempted, so the batch needs no lock; trap handlers that map
 * (user page faults) commit before they return and run with events masked.
 */
#include "arch/pgtable.h"
#include "arch/hypercall.h"
#include "arch/layout.h"
#include "guest/console.h"
#include "guest/kernel.h"
#include "guest/mm.h"

#define PT_LEVELS 4
#define PT_ENOENT 2
#define PT_EFAULT 14
#define PT_EINVAL 22
#define PT_ENOMEM 12

static uint64_t root_mfn;
static const volatile uint64_t *root_va;
static struct mmu_update batch[PT_BATCH];
static unsigned batch_len;
static domid_t batch_dom = DOMID_SELF;      /* foreigndom of the queued requests */
static struct pt_stats stats;

void pt_init(uint64_t l4_va)
{
    root_va = (const volatile uint64_t *)(uintptr_t)l4_va;
    root_mfn = virt_to_mfn((const void *)(uintptr_t)l4_va);
}

uint64_t pt_root_mfn(void)
{
    return root_mfn;
}

void pt_get_stats(struct pt_stats *s)
{
    *s = stats;
}

static unsigned index_at(uint64_t va, unsigned level)
{
    return (unsigned)(va >> (PAGE_SHIFT + 9 * (level - 1))) & 511;
}

/* A table's entries through the direct map (read-only there). */
static const volatile uint64_t *table_va(uint64_t mfn)
{
    return (const volatile uint64_t *)mfn_to_virt(mfn);
}

int pt_commit(void)
{
    unsigned done = 0;
    long rc;

    if (batch_len == 0)
        return 0;
    rc = HYPERVISOR_mmu_update(batch, batch_len, &done, batch_dom);
    stats.mmu_update_calls++;
    stats.mmu_update_entries += done;
    if (rc == 0 && done != batch_len)
        rc = -PT_EINVAL;
    if (rc < 0)
        printk("pt: mmu_update of %u entries failed after %u: %ld\n", batch_len, done, rc);
    batch_len = 0;
    return (int)rc;
}

/* Queue one request; a batch holds requests of one foreigndom only. */
static int queue_raw(uint64_t ptr, uint64_t val, domid_t dom)
{
    if (batch_len == PT_BATCH || (batch_len != 0 && batch_dom != dom)) {
        int rc = pt_commit();
        if (rc < 0)
            return rc;
    }
    batch_dom = dom;
    batch[batch_len].ptr = ptr;
    batch[batch_len].val = val;
    batch_len++;
    return 0;
}

static int queue(uint64_t table_mfn, unsigned index, uint64_t val)
{
    return queue_raw((table_mfn << PAGE_SHIFT) + index * sizeof(uint64_t) + MMU_NORMAL_PT_UPDATE,
                     val, DOMID_SELF);
}

/*
 * A new, empty table of `level` hooked at entry `index` of the table
 * `parent_mfn`: allocate, zero while writable, map read-only, hook.
 */
static int new_table(uint64_t parent_mfn, unsigned index, uint64_t *entry)
{
    int rc = pt_commit();
    if (rc < 0)
        return rc;
    void *page = mm_alloc_zeroed(1);
    if (page == NULL)
        return -PT_ENOMEM;
    uint64_t mfn = virt_to_mfn(page);
    long hrc = HYPERVISOR_update_va_mapping((uint64_t)(uintptr_t)page,
                                            (mfn << PAGE_SHIFT) | PTE_KERNEL_RO, UVMF_INVLPG);
    if (hrc < 0) {
        printk("pt: cannot make table page %p read-only: %ld\n", page, hrc);
        mm_free_pages(page, 1);
        return (int)hrc;
    }
    uint64_t val = (mfn << PAGE_SHIFT) | PTE_TABLE;
    rc = queue(parent_mfn, index, val);
    if (rc == 0)
        rc = pt_commit();
    if (rc < 0) {
        printk("pt: cannot hook new table %#lx: %d\n", (unsigned long)mfn, rc);
        return rc;      /* the page stays read-only and allocated: leaked */
    }
    stats.tables_created++;
    *entry = val;
    return 0;
}

/*
 * Walk from the root to the L1 table covering va. With `create`, missing
 * tables are made on the way. Returns the L1's machine frame.
 */
static int walk_to_l1(uint64_t va, bool create, uint64_t *l1_mfn)
{
    uint64_t mfn = root_mfn;
    const volatile uint64_t *table = root_va;

    for (unsigned level = PT_LEVELS; level > 1; level--) {
        unsigned idx = index_at(va, level);
        uint64_t e = table[idx];
        if (!(e & XEN_PTE_PRESENT)) {
            if (!create)
                return -PT_ENOENT;
            int rc = new_table(mfn, idx, &e);
            if (rc < 0)
                return rc;
        }
        if (e & XEN_PTE_PSE)
            return -PT_EINVAL;          /* superpages are not ours */
        mfn = (e & XEN_PTE_ADDR_MASK) >> PAGE_SHIFT;
        table = table_va(mfn);
        if (table == NULL)
            return -PT_EFAULT;
    }
    *l1_mfn = mfn;
    return 0;
}

int pt_queue_map(uint64_t va, uint64_t mfn, uint64_t flags)
{
    uint64_t l1;
    int rc = walk_to_l1(va, true, &l1);
    if (rc < 0)
        return rc;
    return queue(l1, index_at(va, 1), (mfn << PAGE_SHIFT) | flags);
}

int pt_queue_map_foreign(uint64_t va, uint64_t mfn, uint64_t flags, domid_t dom)
{
    uint64_t l1;
    int rc = walk_to_l1(va, true, &l1);
    if (rc < 0)
        return rc;
    return queue_raw((l1 << PAGE_SHIFT) + index_at(va, 1) * sizeof(uint64_t) +
                     MMU_NORMAL_PT_UPDATE, (mfn << PAGE_SHIFT) | flags, dom);
}

int pt_queue_machphys(uint64_t mfn, uint64_t pfn, domid_t dom)
{
    return queue_raw((mfn << PAGE_SHIFT) | MMU_MACHPHYS_UPDATE, pfn, dom);
}

int pt_map(uint64_t va, uint64_t mfn, uint64_t flags)
{
    int rc = pt_queue_map(va, mfn, flags);
    return rc < 0 ? rc : pt_commit();
}

int pt_prepare(uint64_t va)
{
    uint64_t l1;
    return walk_to_l1(va, true, &l1);
}

bool pt_lookup(uint64_t va, uint64_t *pte)
{
    uint64_t l1;
    if (walk_to_l1(va, false, &l1) < 0)
        return false;
    const volatile uint64_t *t = table_va(l1);
    if (t == NULL)
        return false;
    *pte = t[index_at(va, 1)];
    return true;
}

uint64_t pt_l4_entry(unsigned slot)
{
    return slot < 512 ? root_va[slot] : 0;
}

int pt_unmap(uint64_t va)
{
    int rc = pt_commit();
    if (rc < 0)
        return rc;
    return (int)HYPERVISOR_update_va_mapping(va, 0, UVMF_INVLPG);
}

int pt_set_flags(uint64_t va, uint64_t flags)
{
    uint64_t pte;
    if (!pt_lookup(va, &pte) || !(pte & XEN_PTE_PRESENT))
        return -PT_ENOENT;
    return (int)HYPERVISOR_update_va_mapping(va, (pte & XEN_PTE_ADDR_MASK) | flags, UVMF_INVLPG);
}

static int mmuext(unsigned cmd, uint64_t arg1)
{
    struct mmuext_op op = { .cmd = cmd };
    unsigned done = 0;

    op.arg1.mfn = arg1;
    long rc = HYPERVISOR_mmuext_op(&op, 1, &done, DOMID_SELF);
    if (rc == 0 && done != 1)
        rc = -PT_EINVAL;
    return (int)rc;
}

int pt_pin(uint64_t mfn, unsigned level)
{
    static const unsigned cmds[] = { MMUEXT_PIN_L1_TABLE, MMUEXT_PIN_L2_TABLE,
                                     MMUEXT_PIN_L3_TABLE, MMUEXT_PIN_L4_TABLE };
    if (level < 1 || level > 4)
        return -PT_EINVAL;
    return mmuext(cmds[level - 1], mfn);
}

int pt_unpin(uint64_t mfn)
{
    return mmuext(MMUEXT_UNPIN_TABLE, mfn);
}

int pt_flush_tlb(void)
{
    return mmuext(MMUEXT_TLB_FLUSH_LOCAL, 0);
}

int pt_invlpg(uint64_t va)
{
    return mmuext(MMUEXT_INVLPG_LOCAL, va);
}
