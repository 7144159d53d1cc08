/*
 * GNTTABOP_copy, the core's part: argument checks for one segment, and a
 * pin held on each side given by grant reference for as long as the glue
 * copies. The pin sets GTF_reading (source) or GTF_reading | GTF_writing
 * (dest) like a mapping does, so the granter cannot revoke or reuse the
 * frame in the middle of the copy; the glue unpins right after copying,
 * so copy pins are never held across hypercalls.
 *
 * A side given by frame number must be DOMID_SELF (Xen's rule: only grants
 * reach other domains' memory); the glue checks the frame is the caller's.
 */
#include "gnttab_priv.h"

#define GNTTAB_COPY_FLAGS (GNTCOPY_source_gref | GNTCOPY_dest_gref)

int gnttab_copy_check(const struct gnttab_copy *op)
{
    if (op->flags & ~GNTTAB_COPY_FLAGS)
        return GNTST_bad_copy_arg;
    if ((uint32_t)op->source.offset + op->len > GNTTAB_PAGE_SIZE ||
        (uint32_t)op->dest.offset + op->len > GNTTAB_PAGE_SIZE)
        return GNTST_bad_copy_arg;
    if (!(op->flags & GNTCOPY_source_gref) && op->source.domid != DOMID_SELF)
        return GNTST_permission_denied;
    if (!(op->flags & GNTCOPY_dest_gref) && op->dest.domid != DOMID_SELF)
        return GNTST_permission_denied;
    return GNTST_okay;
}

int gnttab_copy_pin(struct gnttab_table *gt, grant_ref_t ref, domid_t copier,
                    bool write, uint64_t *frame)
{
    enum gnttab_pin_kind kind = write ? GNTTAB_PIN_COPY_RW : GNTTAB_PIN_COPY_RO;
    int rc = gnttab_pin_check(gt, ref, copier, kind);

    if (rc != GNTST_okay)
        return rc;
    return gnttab_pin(gt, ref, copier, kind, frame);
}

void gnttab_copy_unpin(struct gnttab_table *gt, grant_ref_t ref, bool write)
{
    gnttab_unpin(gt, ref, write ? GNTTAB_PIN_COPY_RW : GNTTAB_PIN_COPY_RO);
}
