/*
 * grant_table_op (v1): the glue around core/gnttab.
 *
 * Each domain has a granter table (shared frames it maps writable, the
 * hypervisor-private active entries) and, from its first map, a maptrack of
 * the mappings it holds. A host mapping is installed as an ordinary L1
 * entry through the PV MMU core with the granter as the page owner, so the
 * entry holds the same general (and, read-write, PGT_WRITABLE) references
 * any mapping does; unmapping clears the entry (if it still maps the
 * granted frame), flushes, and only then drops the pin [XSA-224/234/380].
 *
 * The L1 entry is written only in a VALID L1: with GNTMAP_contains_pte the
 * guest names any L1 of its own, and one that another of its vCPUs is
 * validating (a preempted pin) is busy until that vCPU runs again, which
 * it cannot while this one waits in the hypervisor: such an op fails with
 * GNTST_eagain and changes nothing (the maptrack entry of an unmap stays,
 * so it can be retried). In a VALID L1 the write is O(1), with no walk.
 *
 * Teardown: a dying granter closes its table (no new pins) and keeps it
 * while other domains' mappings pin it; a dying mapper's page tables are
 * released first (dropping the page references), then its maptrack.
 */
#include <asm/current.h>
#include <asm/x86.h>
#include <xenia/console.h>
#include <xenia/domain.h>
#include <xenia/errno.h>
#include <xenia/grant.h>
#include <xenia/guest_access.h>
#include <xenia/hypercall.h>
#include <xenia/mm.h>
#include "core/gnttab.h"

#define MAPTRACK_SIZE 16384u
#define BATCH 64                            /* ops per round before a continuation */

struct domain_grants {
    struct gnttab_table table;
    struct gnttab_maptrack maptrack;
    struct gnttab_mapping *maps;            /* NULL until the first map */
    struct gnttab_active active[GNTTAB_DEFAULT_MAX_FRAMES * GNTTAB_PER_FRAME];
    uint32_t release_cursor;
};

int grant_domain_init(struct domain *d)
{
    struct domain_grants *g = xzalloc(sizeof(*g));
    if (!g)
        return -ENOMEM;
    gnttab_table_init(&g->table, d->id, g->active, GNTTAB_DEFAULT_MAX_FRAMES);
    d->grants = g;
    return 0;
}

static struct domain_grants *grants_of(domid_t id)
{
    struct domain *d = id == DOMID_SELF ? current->domain : domain_lookup(id);
    return d ? d->grants : NULL;
}

static struct gnttab_maptrack *maptrack_of(struct domain *d)
{
    struct domain_grants *g = d->grants;
    if (!g->maps) {
        g->maps = xmalloc(MAPTRACK_SIZE * sizeof(*g->maps));
        if (!g->maps)
            return NULL;
        gnttab_maptrack_init(&g->maptrack, d->id, g->maps, MAPTRACK_SIZE);
    }
    return &g->maptrack;
}

/* The L1 table and index of the mapper's entry for host_addr. */
static int pte_slot(uint32_t flags, uint64_t host_addr, uint64_t *l1, unsigned *idx)
{
    struct domain *d = current->domain;
    if (flags & GNTMAP_contains_pte) {
        *l1 = host_addr >> PAGE_SHIFT;
        *idx = (host_addr & (PAGE_SIZE - 1)) / 8;
    } else {
        if (!guest_range_ok(host_addr, PAGE_SIZE))
            return GNTST_bad_virt_addr;
        uint64_t mfn = read_cr3() >> PAGE_SHIFT;
        for (unsigned level = 4; level > 1; level--) {
            uint64_t e = ((uint64_t *)phys_to_virt(mfn << PAGE_SHIFT))
                [(host_addr >> (12 + 9 * (level - 1))) & 511];
            if (!(e & PGT_PTE_P) || (e & PGT_PTE_PSE))
                return GNTST_bad_virt_addr;
            mfn = pgt_pte_mfn(e);
            if (mfn >= mm_max_pfn)
                return GNTST_bad_virt_addr;
        }
        *l1 = mfn;
        *idx = (host_addr >> 12) & 511;
    }
    if (*l1 >= mm_max_pfn || frame_table[*l1].owner != d->id || frame_table[*l1].type != PGT_L1 ||
        frame_table[*l1].type_count == 0)
        return GNTST_bad_virt_addr;
    if (frame_table[*l1].state != PGT_VALID)
        return GNTST_eagain;                /* another vCPU's walk is validating it */
    return GNTST_okay;
}

/*
 * Entry idx of the VALID L1 l1 (pte_slot) := pte, mapping frames of
 * pg_owner. That is O(1) and never preempted; were it ever to ask for a
 * retry (a busy frame), the op is abandoned, not retried in a loop that
 * could wait for ever.
 */
static int pte_write(uint64_t l1, unsigned idx, uint64_t pte, uint16_t pg_owner)
{
    struct vcpu *v = current;
    int rc = pgt_mod_entry(&pgt_env_hv, &v->pgt_cont, l1, idx, pte, v->domain->id, pg_owner);
    if (rc == -ERESTART) {
        (void)pgt_cont_abort(&pgt_env_hv, &v->pgt_cont);
        rc = -EBUSY;
    }
    return rc;
}

static int16_t map_one(struct gnttab_map_grant_ref *op)
{
    struct domain *d = current->domain;
    struct domain *granter = op->dom == DOMID_SELF ? d : domain_lookup(op->dom);
    struct gnttab_maptrack *mt;
    grant_handle_t handle;
    uint64_t frame, l1;
    unsigned idx;
    int rc;

    if (!granter || !granter->grants)
        return GNTST_bad_domain;
    if (!(mt = maptrack_of(d)))
        return GNTST_no_device_space;
    rc = gnttab_check_host_addr(op->flags, op->host_addr);
    if (rc)
        return (int16_t)rc;
    if (op->flags & GNTMAP_host_map) {
        rc = pte_slot(op->flags, op->host_addr, &l1, &idx);
        if (rc)
            return (int16_t)rc;
    }
    rc = gnttab_map(&granter->grants->table, mt, op->ref, op->flags, op->host_addr, &handle,
                    &frame);
    if (rc)
        return (int16_t)rc;
    uint64_t pte = pgt_pte_make(frame, PGT_PTE_P | PGT_PTE_US | PGT_PTE_A | PGT_PTE_NX |
                                           ((op->flags & GNTMAP_readonly) ? 0 : PGT_PTE_RW | PGT_PTE_D));
    int prc = pte_write(l1, idx, pte, granter->id);
    if (prc) {
        gnttab_unmap_commit(mt, handle);
        return GNTST_general_error;
    }
    if (!(op->flags & GNTMAP_contains_pte))
        invlpg((const void *)op->host_addr);
    op->handle = handle;
    op->dev_bus_addr = frame << PAGE_SHIFT;
    return GNTST_okay;
}

static int16_t unmap_one(struct gnttab_unmap_grant_ref *op)
{
    struct domain *d = current->domain;
    struct gnttab_mapping m;
    uint64_t l1;
    unsigned idx;

    if (!d->grants->maps)
        return GNTST_bad_handle;
    int rc = gnttab_unmap_check(&d->grants->maptrack, op->handle, op->host_addr, &m);
    if (rc)
        return (int16_t)rc;
    if (m.flags & GNTMAP_host_map) {
        rc = pte_slot(m.flags, m.host_addr, &l1, &idx);
        if (rc == GNTST_eagain)
            return GNTST_eagain;            /* mapping kept: retry once the L1 is valid */
        if (rc == GNTST_okay) {
            uint64_t cur = ((uint64_t *)phys_to_virt(l1 << PAGE_SHIFT))[idx];
            /* Clear the entry only if it still maps the granted frame; if the
               guest already changed it, that change dropped the references. */
            if ((cur & PGT_PTE_P) && pgt_pte_mfn(cur) == m.frame &&
                pte_write(l1, idx, 0, d->id))
                return GNTST_general_error;
        }
        write_cr3(read_cr3());              /* the granter may reuse the frame next */
    }
    gnttab_unmap_commit(&d->grants->maptrack, op->handle);
    return GNTST_okay;
}

/*
 * One side of a copy: the frame must belong to the side's owner (the granter
 * for a grant, the caller for a frame number), and a destination is held as
 * PGT_WRITABLE for the copy, so no page table or descriptor page is ever
 * written this way. *pinned / *typed record what to release.
 */
static int16_t copy_side(const struct gnttab_copy_ptr *p, bool is_gref, bool write,
                         uint64_t *frame, struct gnttab_table **pinned, uint16_t *typed)
{
    struct domain *self = current->domain;
    uint16_t owner = self->id;
    *pinned = NULL;
    *typed = PGT_OWNER_NONE;
    if (is_gref) {
        struct domain *gd = p->domid == DOMID_SELF ? self : domain_lookup(p->domid);
        if (!gd || !gd->grants)
            return GNTST_bad_domain;
        int rc = gnttab_copy_pin(&gd->grants->table, p->u.ref, self->id, write, frame);
        if (rc)
            return (int16_t)rc;
        *pinned = &gd->grants->table;
        owner = gd->id;
    } else {
        /* As Xen: copy by frame number only from/to the caller's own frames. */
        if (p->domid != DOMID_SELF)
            return GNTST_permission_denied;
        *frame = p->u.gmfn;                 /* PV: a gmfn is a machine frame */
    }
    if (*frame >= mm_max_pfn || frame_table[*frame].owner != owner)
        return GNTST_bad_page;
    if (write) {
        struct pgt_cont c;
        pgt_cont_init(&c, PGT_BUDGET_DEFAULT);
        if (pgt_get_type(&pgt_env_hv, &c, *frame, PGT_WRITABLE, owner))
            return GNTST_bad_page;
        *typed = owner;
    }
    return GNTST_okay;
}

static void copy_release(const struct gnttab_copy_ptr *p, bool write, uint64_t frame,
                         struct gnttab_table *pinned, uint16_t typed)
{
    if (typed != PGT_OWNER_NONE) {
        struct pgt_cont c;
        pgt_cont_init(&c, PGT_BUDGET_DEFAULT);
        pgt_put_type(&pgt_env_hv, &c, frame, typed);
    }
    if (pinned)
        gnttab_copy_unpin(pinned, p->u.ref, write);
}

static int16_t copy_one(struct gnttab_copy *op)
{
    struct gnttab_table *st, *dt;
    uint16_t stype, dtype;
    uint64_t sf = 0, df = 0;
    int rc = gnttab_copy_check(op);
    if (rc)
        return (int16_t)rc;
    rc = copy_side(&op->source, op->flags & GNTCOPY_source_gref, false, &sf, &st, &stype);
    if (rc == GNTST_okay) {
        int rc2 = copy_side(&op->dest, op->flags & GNTCOPY_dest_gref, true, &df, &dt, &dtype);
        if (rc2 == GNTST_okay)
            memmove((uint8_t *)phys_to_virt(df << PAGE_SHIFT) + op->dest.offset,
                    (uint8_t *)phys_to_virt(sf << PAGE_SHIFT) + op->source.offset, op->len);
        copy_release(&op->dest, true, df, dt, dtype);
        rc = rc2;
    }
    copy_release(&op->source, false, sf, st, stype);
    return (int16_t)rc;
}

static long setup_table(struct gnttab_setup_table *op)
{
    struct domain *self = current->domain;
    struct domain *d = op->dom == DOMID_SELF || op->dom == self->id ? self
                     : self->privileged ? domain_lookup(op->dom) : NULL;
    if (!d) {
        op->status = GNTST_bad_domain;
        return 0;
    }
    struct gnttab_table *gt = &d->grants->table;
    op->status = (int16_t)gnttab_setup_check(gt, op->nr_frames);
    if (op->status)
        return 0;
    while (gt->nr_frames < op->nr_frames) {
        void *va = alloc_page();
        if (!va) {
            op->status = GNTST_general_error;
            return 0;
        }
        uint64_t mfn = virt_to_phys(va) >> PAGE_SHIFT;
        /* Owned by the granter, mapped writable by it, written by us: a
           permanent writable reference keeps it from becoming anything else. */
        struct pgt_cont c;
        pgt_cont_init(&c, PGT_BUDGET_DEFAULT);
        if (pgt_assign(&pgt_env_hv, mfn, d->id) ||
            pgt_get_type(&pgt_env_hv, &c, mfn, PGT_WRITABLE, d->id)) {
            free_page(va);
            op->status = GNTST_general_error;
            return 0;
        }
        gnttab_table_add_frame(gt, va, mfn);
    }
    for (uint32_t i = 0; i < op->nr_frames; i++) {
        uint64_t mfn = gnttab_frame_mfn(gt, i);
        if (copy_to_guest(op->frame_list + i * 8, &mfn, 8))
            return -EFAULT;
    }
    return 0;
}

long do_grant_table_op(uint64_t cmd, uint64_t uop, uint64_t count)
{
    uint64_t i;

    if (count > 0xffffffffull)
        return -EINVAL;
    switch (cmd) {
    case GNTTABOP_map_grant_ref:
    case GNTTABOP_unmap_grant_ref:
    case GNTTABOP_copy:
        for (i = 0; i < count; i++) {
            if (i && i % BATCH == 0)
                return hypercall_continuation(__HYPERVISOR_grant_table_op, cmd,
                                              uop + i * (cmd == GNTTABOP_map_grant_ref
                                                         ? sizeof(struct gnttab_map_grant_ref)
                                                         : cmd == GNTTABOP_unmap_grant_ref
                                                         ? sizeof(struct gnttab_unmap_grant_ref)
                                                         : sizeof(struct gnttab_copy)),
                                              count - i, 0, 0);
            if (cmd == GNTTABOP_map_grant_ref) {
                struct gnttab_map_grant_ref op;
                uint64_t va = uop + i * sizeof(op);
                if (copy_from_guest(&op, va, sizeof(op)))
                    return -EFAULT;
                op.status = map_one(&op);
                if (copy_to_guest(va, &op, sizeof(op)))
                    return -EFAULT;
            } else if (cmd == GNTTABOP_unmap_grant_ref) {
                struct gnttab_unmap_grant_ref op;
                uint64_t va = uop + i * sizeof(op);
                if (copy_from_guest(&op, va, sizeof(op)))
                    return -EFAULT;
                op.status = unmap_one(&op);
                if (copy_to_guest(va, &op, sizeof(op)))
                    return -EFAULT;
            } else {
                struct gnttab_copy op;
                uint64_t va = uop + i * sizeof(op);
                if (copy_from_guest(&op, va, sizeof(op)))
                    return -EFAULT;
                op.status = copy_one(&op);
                if (copy_to_guest(va, &op, sizeof(op)))
                    return -EFAULT;
            }
        }
        return 0;
    case GNTTABOP_setup_table: {
        struct gnttab_setup_table op;
        if (count != 1)
            return -EINVAL;
        if (copy_from_guest(&op, uop, sizeof(op)))
            return -EFAULT;
        long rc = setup_table(&op);
        if (rc)
            return rc;
        return copy_to_guest(uop, &op, sizeof(op));
    }
    case GNTTABOP_query_size: {
        struct gnttab_query_size op;
        if (count != 1)
            return -EINVAL;
        if (copy_from_guest(&op, uop, sizeof(op)))
            return -EFAULT;
        struct domain_grants *g = op.dom == DOMID_SELF || op.dom == current->domain->id
                                      ? current->domain->grants
                                  : current->domain->privileged ? grants_of(op.dom) : NULL;
        if (!g) {
            op.status = GNTST_bad_domain;
        } else {
            gnttab_query_size(&g->table, &op.nr_frames, &op.max_nr_frames);
            op.status = GNTST_okay;
        }
        return copy_to_guest(uop, &op, sizeof(op));
    }
    case GNTTABOP_set_version: {
        uint32_t version;
        if (copy_from_guest(&version, uop, sizeof(version)))
            return -EFAULT;
        return gnttab_set_version(&current->domain->grants->table, version);
    }
    default:
        return -ENOSYS;
    }
}

static void put_nothing(void *ctx, const struct gnttab_mapping *m)
{
    (void)ctx, (void)m;                     /* the page-table teardown dropped the refs */
}

int grant_domain_release_maps(struct domain *d)
{
    struct domain_grants *g = d->grants;
    gnttab_table_close(&g->table);
    if (!g->maps)
        return 0;
    return gnttab_maptrack_release(&g->maptrack, &g->release_cursor, 1024, put_nothing, NULL);
}

bool grant_domain_idle(const struct domain *d)
{
    return gnttab_table_idle(&d->grants->table);
}

void grant_domain_free(struct domain *d)
{
    struct domain_grants *g = d->grants;
    for (uint32_t i = 0; i < g->table.nr_frames; i++) {
        uint64_t mfn = gnttab_frame_mfn(&g->table, i);
        struct pgt_cont c;
        pgt_cont_init(&c, PGT_BUDGET_DEFAULT);
        pgt_put_type(&pgt_env_hv, &c, mfn, d->id);
        if (pgt_free(&pgt_env_hv, mfn, d->id) == 0)
            free_frame(mfn);
    }
    xfree(g->maps);
    xfree(g);
    d->grants = NULL;
}

bool grant_is_table_frame(const struct domain *d, uint64_t mfn)
{
    const struct gnttab_table *gt = &d->grants->table;
    for (uint32_t i = 0; i < gt->nr_frames; i++)
        if (gnttab_frame_mfn(gt, i) == mfn)
            return true;
    return false;
}
