/*
 * map_grant_ref and unmap_grant_ref on the core's state: a pin on the
 * granter's active entry plus a handle in the mapper's maptrack, created
 * and destroyed together, so invariant 1 of core/gnttab.h (pins == live
 * handles per table, ref and kind) holds after every call.
 *
 * Map: every check that needs no shared memory comes first, with no side
 * effect; then the pin, whose only failure (the shared entry refusing)
 * happens before anything changes; then the handle, which cannot fail
 * because room was checked. Unmap is split at the point where the glue
 * must act: gnttab_unmap_check() validates (handle live, same address),
 * the glue removes the PTE and flushes, gnttab_unmap_commit() drops the pin
 * and the handle. Unmap is all-or-nothing: a refused unmap changes nothing.
 */
#include "gnttab_priv.h"

int gnttab_check_host_addr(uint32_t flags, uint64_t host_addr)
{
    if (flags & GNTMAP_contains_pte)
        return IS_ALIGNED(host_addr, sizeof(uint64_t)) ? GNTST_okay : GNTST_bad_virt_addr;

    bool canonical = (uint64_t)((int64_t)(host_addr << 16) >> 16) == host_addr;
    if (!canonical || !IS_ALIGNED(host_addr, (uint64_t)GNTTAB_PAGE_SIZE))
        return GNTST_bad_virt_addr;
    return GNTST_okay;
}

static int gnttab_map_flags_check(uint32_t flags)
{
    if (!(flags & GNTMAP_host_map))
        return GNTST_bad_gntref;
    if (flags & GNTMAP_device_map)
        return GNTST_general_error;
    return GNTST_okay;
}

int gnttab_map(struct gnttab_table *gt, struct gnttab_maptrack *mt, grant_ref_t ref,
               uint32_t flags, uint64_t host_addr, grant_handle_t *handle,
               uint64_t *frame)
{
    enum gnttab_pin_kind kind = gnttab_map_kind(flags);
    uint64_t mapped;
    int rc;

    rc = gnttab_map_flags_check(flags);
    if (rc == GNTST_okay)
        rc = gnttab_check_host_addr(flags, host_addr);
    if (rc != GNTST_okay)
        return rc;
    if (mt->closed)
        return GNTST_general_error;
    if (gt->closed)
        return GNTST_bad_domain;
    if (!gnttab_maptrack_room(mt))
        return GNTST_no_device_space;
    rc = gnttab_pin_check(gt, ref, mt->owner, kind);
    if (rc != GNTST_okay)
        return rc;

    rc = gnttab_pin(gt, ref, mt->owner, kind, &mapped);
    if (rc != GNTST_okay)
        return rc;

    grant_handle_t h = gnttab_maptrack_alloc(mt);
    struct gnttab_mapping *m = &mt->map[h];
    m->table = gt;
    m->host_addr = host_addr;
    m->frame = mapped;
    m->ref = ref;
    m->granter = gt->owner;
    m->flags = (uint16_t)(flags & GNTTAB_MAP_FLAGS_KEPT);

    *handle = h;
    *frame = mapped;
    return GNTST_okay;
}

int gnttab_unmap_check(const struct gnttab_maptrack *mt, grant_handle_t handle,
                       uint64_t host_addr, struct gnttab_mapping *out)
{
    const struct gnttab_mapping *m = gnttab_maptrack_get(mt, handle);

    if (m == NULL)
        return GNTST_bad_handle;
    if (m->host_addr != host_addr)
        return GNTST_bad_virt_addr;
    *out = *m;
    return GNTST_okay;
}

void gnttab_unmap_commit(struct gnttab_maptrack *mt, grant_handle_t handle)
{
    const struct gnttab_mapping *m = gnttab_maptrack_get(mt, handle);

    BUG_ON(m == NULL);
    gnttab_unpin(m->table, m->ref, gnttab_map_kind(m->flags));
    gnttab_maptrack_free(mt, handle);
}
