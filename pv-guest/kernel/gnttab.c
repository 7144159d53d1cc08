/*
 * Grant table client (protocol in guest/gnttab.h).
 *
 * State: the mapped table (`table`, nr_entries v1 entries), a free list of
 * references threaded through `next_free` (FREE_END ends it), and a bitmap
 * of the GNTMAP slots in use. Callers are threads of one vCPU and never
 * preempted, so none of it needs a lock; the hypervisor writes only the
 * status bits of entry flags, which the revoke path reads with a
 * compare-and-swap.
 */
#include "guest/gnttab.h"
#include "arch/cpu.h"
#include "arch/hypercall.h"
#include "arch/layout.h"
#include "arch/pgtable.h"
#include "guest/console.h"
#include "guest/kernel.h"
#include "guest/mm.h"

#define ENTRIES_PER_FRAME (PAGE_SIZE / sizeof(struct grant_entry_v1))
#define MAX_ENTRIES (GNTTAB_MAX_FRAMES * ENTRIES_PER_FRAME)
#define WANT_FRAMES 4
#define FREE_END UINT32_MAX

static volatile struct grant_entry_v1 *table;
static unsigned nr_entries;
static uint32_t next_free[MAX_ENTRIES];
static uint32_t free_head = FREE_END;
static uint64_t slots_used[GNTMAP_SLOTS / 64];

bool gnttab_ready(void)
{
    return table != NULL;
}

unsigned gnttab_nr_entries(void)
{
    return nr_entries;
}

int gnttab_init(void)
{
    struct gnttab_query_size q = { .dom = DOMID_SELF };
    static uint64_t frames[GNTTAB_MAX_FRAMES];
    long rc;

    rc = HYPERVISOR_grant_table_op(GNTTABOP_query_size, &q, 1);
    if (rc == 0 && q.status != GNTST_okay)
        rc = q.status;
    if (rc < 0)
        return (int)rc;
    unsigned want = MIN(MIN((unsigned)WANT_FRAMES, q.max_nr_frames), (unsigned)GNTTAB_MAX_FRAMES);
    if (want == 0)
        return -XEN_ENODEV;
    struct gnttab_setup_table st = { .dom = DOMID_SELF, .nr_frames = want,
                                     .frame_list = (uint64_t)(uintptr_t)frames };
    rc = HYPERVISOR_grant_table_op(GNTTABOP_setup_table, &st, 1);
    if (rc == 0 && st.status != GNTST_okay)
        rc = st.status;
    if (rc < 0)
        return (int)rc;
    for (unsigned i = 0; i < want; i++) {
        int prc = pt_map(GNTTAB_VA_BASE + i * PAGE_SIZE, frames[i], PTE_KERNEL_RW);
        if (prc < 0) {
            printk("gnttab: cannot map table frame %u (mfn %#lx): %d\n", i,
                   (unsigned long)frames[i], prc);
            return prc;
        }
    }
    nr_entries = want * ENTRIES_PER_FRAME;
    /* Free list in increasing order, reserved entries left out. */
    free_head = FREE_END;
    for (unsigned r = nr_entries; r-- > GNTTAB_NR_RESERVED_ENTRIES;) {
        next_free[r] = free_head;
        free_head = r;
    }
    table = (volatile struct grant_entry_v1 *)(uintptr_t)GNTTAB_VA_BASE;
    return 0;
}

long gnttab_grant_access(domid_t domid, uint64_t mfn, bool readonly)
{
    if (table == NULL)
        return -XEN_ENODEV;
    if (free_head == FREE_END)
        return -XEN_ENOSPC;
    if (mfn > UINT32_MAX)
        return -XEN_EINVAL;             /* v1 entries hold 32-bit frames */
    grant_ref_t ref = free_head;
    free_head = next_free[ref];
    table[ref].domid = domid;
    table[ref].frame = (uint32_t)mfn;
    wmb();
    table[ref].flags = (uint16_t)(GTF_permit_access | (readonly ? GTF_readonly : 0));
    return (long)ref;
}

int gnttab_end_access(grant_ref_t ref)
{
    if (table == NULL || ref < GNTTAB_NR_RESERVED_ENTRIES || ref >= nr_entries)
        return -XEN_EINVAL;
    volatile uint16_t *flags = &table[ref].flags;
    uint16_t old = *flags;
    do {
        if ((old & GTF_type_mask) != GTF_permit_access)
            return -XEN_EINVAL;         /* not granted (or freed twice) */
        if (old & (GTF_reading | GTF_writing))
            return -XEN_EBUSY;
    } while (!__atomic_compare_exchange_n(flags, &old, 0, false, __ATOMIC_SEQ_CST,
                                          __ATOMIC_SEQ_CST));
    table[ref].domid = 0;
    table[ref].frame = 0;
    next_free[ref] = free_head;
    free_head = ref;
    return 0;
}

uint16_t gnttab_entry_flags(grant_ref_t ref)
{
    return (table != NULL && ref < nr_entries) ? table[ref].flags : 0;
}

static int slot_get(void)
{
    for (unsigned w = 0; w < ARRAY_SIZE(slots_used); w++)
        if (~slots_used[w] != 0) {
            unsigned b = (unsigned)__builtin_ctzll(~slots_used[w]);
            slots_used[w] |= 1ULL << b;
            return (int)(w * 64 + b);
        }
    return -XEN_ENOSPC;
}

static void slot_put(unsigned slot)
{
    slots_used[slot / 64] &= ~(1ULL << (slot % 64));
}

int gnttab_map(domid_t granter, grant_ref_t ref, bool readonly, struct gnttab_mapping *m)
{
    int slot = slot_get();

    m->status = GNTST_okay;
    if (slot < 0)
        return slot;
    uint64_t va = GNTMAP_VA_BASE + (uint64_t)slot * PAGE_SIZE;
    int rc = pt_prepare(va);
    if (rc < 0) {
        slot_put((unsigned)slot);
        return rc;
    }
    struct gnttab_map_grant_ref op = {
        .host_addr = va,
        .flags = GNTMAP_host_map | (readonly ? GNTMAP_readonly : 0),
        .ref = ref,
        .dom = granter,
    };
    long hrc = HYPERVISOR_grant_table_op(GNTTABOP_map_grant_ref, &op, 1);
    if (hrc == 0 && op.status != GNTST_okay) {
        m->status = op.status;
        hrc = -XEN_EIO;
    }
    if (hrc < 0) {
        slot_put((unsigned)slot);
        return (int)hrc;
    }
    m->va = (void *)(uintptr_t)va;
    m->handle = op.handle;
    m->slot = (unsigned)slot;
    return 0;
}

int gnttab_unmap(struct gnttab_mapping *m)
{
    struct gnttab_unmap_grant_ref op = {
        .host_addr = (uint64_t)(uintptr_t)m->va,
        .handle = m->handle,
    };
    long rc = HYPERVISOR_grant_table_op(GNTTABOP_unmap_grant_ref, &op, 1);

    m->status = GNTST_okay;
    if (rc == 0 && op.status != GNTST_okay) {
        m->status = op.status;
        rc = -XEN_EIO;
    }
    if (rc == 0 && m->slot < GNTMAP_SLOTS) {
        slot_put(m->slot);
        m->va = NULL;
    }
    return (int)rc;
}

static int copy(domid_t granter, grant_ref_t ref, unsigned offset, const void *local,
                unsigned len, bool in, int16_t *status)
{
    uint64_t va = (uint64_t)(uintptr_t)local;
    struct gnttab_copy_ptr remote = { .u.ref = ref, .domid = granter, .offset = (uint16_t)offset };
    struct gnttab_copy_ptr mine = { .u.gmfn = virt_to_mfn(local), .domid = DOMID_SELF,
                                    .offset = (uint16_t)(va & (PAGE_SIZE - 1)) };

    *status = GNTST_okay;
    if (len == 0 || len > PAGE_SIZE || offset >= PAGE_SIZE || offset + len > PAGE_SIZE ||
        (va & (PAGE_SIZE - 1)) + len > PAGE_SIZE)
        return -XEN_EINVAL;
    struct gnttab_copy op = {
        .source = in ? remote : mine,
        .dest = in ? mine : remote,
        .len = (uint16_t)len,
        .flags = in ? GNTCOPY_source_gref : GNTCOPY_dest_gref,
    };
    long rc = HYPERVISOR_grant_table_op(GNTTABOP_copy, &op, 1);
    if (rc == 0 && op.status != GNTST_okay) {
        *status = op.status;
        rc = -XEN_EIO;
    }
    return (int)rc;
}

int gnttab_copy_in(domid_t granter, grant_ref_t ref, unsigned offset, void *buf, unsigned len,
                   int16_t *status)
{
    return copy(granter, ref, offset, buf, len, true, status);
}

int gnttab_copy_out(domid_t granter, grant_ref_t ref, unsigned offset, const void *buf,
                    unsigned len, int16_t *status)
{
    return copy(granter, ref, offset, buf, len, false, status);
}

const char *gnttab_status_name(int st)
{
    static const char *const names[] = {
        "okay", "general_error", "bad_domain", "bad_gntref", "bad_handle", "bad_virt_addr",
        "bad_dev_addr", "no_device_space", "permission_denied", "bad_page", "bad_copy_arg",
        "address_too_big", "eagain",
    };
    return (st <= 0 && -st < (int)ARRAY_SIZE(names)) ? names[-st] : "unknown";
}
