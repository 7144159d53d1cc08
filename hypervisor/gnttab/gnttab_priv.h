/*
 * Grant table internals shared by gnttab_entry.c (the only code that touches
 * the granter's shared entries), gnttab_table.c (pins on active entries),
 * gnttab_maptrack.c, gnttab_map.c and gnttab_copy.c.
 *
 * A pin is taken in two steps so that callers can check everything else
 * first: gnttab_pin_check() (no side effects), then gnttab_pin(), whose only
 * possible failure is the shared entry refusing, before anything changes.
 */
#ifndef XENIA_GNTTAB_PRIV_H
#define XENIA_GNTTAB_PRIV_H

#include "core/gnttab.h"

_Static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__,
               "the {flags, domid} word puts flags in its low half");
_Static_assert(sizeof(struct grant_entry_v1) == 8, "v1 entries are 8 bytes");

static inline bool gnttab_kind_writes(enum gnttab_pin_kind kind)
{
    return kind == GNTTAB_PIN_MAP_RW || kind == GNTTAB_PIN_COPY_RW;
}

static inline unsigned gnttab_pins(const struct gnttab_active *act)
{
    return (unsigned)act->pin[GNTTAB_PIN_MAP_RO] + act->pin[GNTTAB_PIN_MAP_RW] +
           act->pin[GNTTAB_PIN_COPY_RO] + act->pin[GNTTAB_PIN_COPY_RW];
}

static inline unsigned gnttab_write_pins(const struct gnttab_active *act)
{
    return (unsigned)act->pin[GNTTAB_PIN_MAP_RW] + act->pin[GNTTAB_PIN_COPY_RW];
}

/* --- gnttab_entry.c: the shared entry ------------------------------------ */

/*
 * Set GTF_reading (and GTF_writing if `write`) in a shared entry. With
 * `first` (no pin held yet) the entry must be GTF_permit_access, not
 * sub-page, for `grantee`; with `write` it must not be GTF_readonly.
 * GNTST_okay, GNTST_permission_denied, or GNTST_general_error when the
 * entry kept changing under us.
 */
int gnttab_entry_acquire(struct grant_entry_v1 *e, domid_t grantee, bool first,
                         bool write);
/* Clear the given GTF_reading / GTF_writing bits, nothing else. */
void gnttab_entry_clear(struct grant_entry_v1 *e, uint16_t bits);
/* The granted frame, read once. */
uint32_t gnttab_entry_frame(const struct grant_entry_v1 *e);
/* The granter's offer, in the protocol's order (gnttab_seed). */
void gnttab_entry_offer(struct grant_entry_v1 *e, domid_t grantee, uint32_t frame,
                        uint16_t flags);

/* --- gnttab_table.c: pins ------------------------------------------------ */

struct grant_entry_v1 *gnttab_shared_entry(const struct gnttab_table *gt,
                                           grant_ref_t ref);
/* Everything but the shared entry: GNTST_bad_domain (closed),
 * GNTST_bad_gntref, GNTST_permission_denied (pinned by another domain),
 * GNTST_general_error (count at its maximum). */
int gnttab_pin_check(const struct gnttab_table *gt, grant_ref_t ref, domid_t grantee,
                     enum gnttab_pin_kind kind);
/* After gnttab_pin_check() returned GNTST_okay: update the shared entry if
 * this pin needs a bit not yet set, then count the pin. */
int gnttab_pin(struct gnttab_table *gt, grant_ref_t ref, domid_t grantee,
               enum gnttab_pin_kind kind, uint64_t *frame);
void gnttab_unpin(struct gnttab_table *gt, grant_ref_t ref, enum gnttab_pin_kind kind);

/* --- gnttab_maptrack.c: handles ----------------------------------------- */

#define GNTTAB_MT_NONE UINT32_MAX         /* end of the free list */

bool gnttab_maptrack_room(const struct gnttab_maptrack *mt);
/* After gnttab_maptrack_room(): an entry, to fill in. */
grant_handle_t gnttab_maptrack_alloc(struct gnttab_maptrack *mt);
void gnttab_maptrack_free(struct gnttab_maptrack *mt, grant_handle_t handle);
/* The live mapping of handle, or NULL (out of range, never used, freed). */
const struct gnttab_mapping *gnttab_maptrack_get(const struct gnttab_maptrack *mt,
                                                 grant_handle_t handle);

static inline enum gnttab_pin_kind gnttab_map_kind(uint32_t flags)
{
    return (flags & GNTMAP_readonly) ? GNTTAB_PIN_MAP_RO : GNTTAB_PIN_MAP_RW;
}

#endif /* XENIA_GNTTAB_PRIV_H */
