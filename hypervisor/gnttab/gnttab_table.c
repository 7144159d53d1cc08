/*
 * A granter's grant table: its size (setup_table, query_size) and the
 * active entries, which count the pins the hypervisor holds on each
 * reference.
 *
 * Pin rules (invariants 2 and 3 of core/gnttab.h):
 *   - the first pin of an entry takes it from the shared entry: permit
 *     access to this grantee, GTF_reading set by us, the frame read once;
 *     the grantee and frame are recorded and used by every later pin;
 *   - a later pin never looks at the granter's frame or domid again; it
 *     touches the shared entry only when it needs GTF_writing and no write
 *     pin holds it yet (the entry must then not be GTF_readonly: a granter
 *     may make an entry read-only while it is only read-pinned);
 *   - the last pin needing a bit clears it: GTF_writing with the last write
 *     pin, GTF_reading with the last pin.
 * Pin counts are 16-bit per kind and saturate at GNTTAB_PIN_MAX (refused).
 */
#include "gnttab_priv.h"

void gnttab_table_init(struct gnttab_table *gt, domid_t owner,
                       struct gnttab_active *active, uint32_t max_frames)
{
    BUG_ON(max_frames == 0 || max_frames > GNTTAB_MAX_FRAMES || active == NULL);
    memset(gt, 0, sizeof(*gt));
    gt->active = active;
    gt->max_frames = max_frames;
    gt->owner = owner;
}

int gnttab_table_add_frame(struct gnttab_table *gt, struct grant_entry_v1 *va,
                           uint64_t mfn)
{
    if (gt->nr_frames >= gt->max_frames || va == NULL)
        return GNTST_general_error;
    /* New refs start empty and unpinned: a frame inherits nothing. */
    memset(va, 0, GNTTAB_PAGE_SIZE);
    memset(&gt->active[gt->nr_frames * GNTTAB_PER_FRAME], 0,
           GNTTAB_PER_FRAME * sizeof(struct gnttab_active));
    gt->shared[gt->nr_frames] = va;
    gt->shared_mfn[gt->nr_frames] = mfn;
    gt->nr_frames++;
    return GNTST_okay;
}

uint32_t gnttab_nr_entries(const struct gnttab_table *gt)
{
    return gt->nr_frames * (uint32_t)GNTTAB_PER_FRAME;
}

int gnttab_setup_check(const struct gnttab_table *gt, uint32_t nr_frames)
{
    return nr_frames <= gt->max_frames ? GNTST_okay : GNTST_general_error;
}

uint64_t gnttab_frame_mfn(const struct gnttab_table *gt, uint32_t index)
{
    BUG_ON(index >= gt->nr_frames);
    return gt->shared_mfn[index];
}

void gnttab_query_size(const struct gnttab_table *gt, uint32_t *nr_frames,
                       uint32_t *max_frames)
{
    *nr_frames = gt->nr_frames;
    *max_frames = gt->max_frames;
}

int gnttab_set_version(const struct gnttab_table *gt, uint32_t version)
{
    (void)gt;
    if (version == 1)
        return 0;
    return version == 2 ? -XEN_ENOSYS : -XEN_EINVAL;
}

struct grant_entry_v1 *gnttab_shared_entry(const struct gnttab_table *gt,
                                           grant_ref_t ref)
{
    BUG_ON(ref >= gnttab_nr_entries(gt));
    return &gt->shared[ref / GNTTAB_PER_FRAME][ref % GNTTAB_PER_FRAME];
}

int gnttab_seed(struct gnttab_table *gt, grant_ref_t ref, domid_t grantee,
                uint64_t frame, bool readonly)
{
    if (ref >= gnttab_nr_entries(gt))
        return GNTST_bad_gntref;
    if (frame > UINT32_MAX)
        return GNTST_address_too_big;
    gnttab_entry_offer(gnttab_shared_entry(gt, ref), grantee, (uint32_t)frame,
                       (uint16_t)(GTF_permit_access | (readonly ? GTF_readonly : 0)));
    return GNTST_okay;
}

const struct gnttab_active *gnttab_active_of(const struct gnttab_table *gt,
                                             grant_ref_t ref)
{
    return ref < gnttab_nr_entries(gt) ? &gt->active[ref] : NULL;
}

void gnttab_table_close(struct gnttab_table *gt)
{
    gt->closed = true;
}

bool gnttab_table_idle(const struct gnttab_table *gt)
{
    return gt->nr_pins == 0;
}

int gnttab_pin_check(const struct gnttab_table *gt, grant_ref_t ref, domid_t grantee,
                     enum gnttab_pin_kind kind)
{
    if (gt->closed)
        return GNTST_bad_domain;
    if (ref >= gnttab_nr_entries(gt))
        return GNTST_bad_gntref;

    const struct gnttab_active *act = &gt->active[ref];
    if (gnttab_pins(act) != 0 && act->domid != grantee)
        return GNTST_permission_denied;
    if (act->pin[kind] == GNTTAB_PIN_MAX)
        return GNTST_general_error;
    return GNTST_okay;
}

int gnttab_pin(struct gnttab_table *gt, grant_ref_t ref, domid_t grantee,
               enum gnttab_pin_kind kind, uint64_t *frame)
{
    struct gnttab_active *act = &gt->active[ref];
    bool first = gnttab_pins(act) == 0;
    bool write = gnttab_kind_writes(kind);

    ASSERT(gnttab_pin_check(gt, ref, grantee, kind) == GNTST_okay);
    if (first || (write && gnttab_write_pins(act) == 0)) {
        struct grant_entry_v1 *e = gnttab_shared_entry(gt, ref);
        int rc = gnttab_entry_acquire(e, grantee, first, write);

        if (rc != GNTST_okay)
            return rc;
        if (first) {
            act->frame = gnttab_entry_frame(e);
            act->domid = grantee;
        }
    }
    act->pin[kind]++;
    gt->nr_pins++;
    *frame = act->frame;
    return GNTST_okay;
}

void gnttab_unpin(struct gnttab_table *gt, grant_ref_t ref, enum gnttab_pin_kind kind)
{
    BUG_ON(ref >= gnttab_nr_entries(gt));

    struct gnttab_active *act = &gt->active[ref];
    uint16_t clear = 0;

    BUG_ON(act->pin[kind] == 0 || gt->nr_pins == 0);
    act->pin[kind]--;
    gt->nr_pins--;
    if (gnttab_kind_writes(kind) && gnttab_write_pins(act) == 0)
        clear |= GTF_writing;
    if (gnttab_pins(act) == 0)
        clear |= GTF_reading;
    if (clear)
        gnttab_entry_clear(gnttab_shared_entry(gt, ref), clear);
}
