/*
 * Test world for the grant table core: domains that are granters (a table
 * with shared frames in test memory) and mappers (a maptrack), a granter
 * playing the guest protocol (or breaking it), a hosted
 * gnttab_arch_cmpxchg() that can run a "racing granter" callback just before
 * the exchange, and gw_check(), which recomputes every pin count and flag
 * from the maptracks.
 */
#ifndef XENIA_TESTS_GNTTAB_WORLD_H
#define XENIA_TESTS_GNTTAB_WORLD_H

#include <check.h>

#include "core/gnttab.h"

struct gw_dom {
    domid_t id;
    struct gnttab_table gt;
    struct gnttab_active *active;
    struct grant_entry_v1 *frames;       /* max_frames pages, page-aligned */
    uint32_t max_frames;
    struct gnttab_maptrack mt;
    struct gnttab_mapping *maps;
    uint32_t nr_maps;
};

/* A domain with a table of init_frames (of max_frames) and nr_maps handles. */
struct gw_dom *gw_dom_new(domid_t id, uint32_t init_frames, uint32_t max_frames,
                          uint32_t nr_maps);
void gw_dom_free(struct gw_dom *d);
/* Grow the table by one frame (setup_table's work on the glue side). */
int gw_grow(struct gw_dom *d);
/* Fresh table and maptrack, as for a new domain (storage reused). */
void gw_reset_table(struct gw_dom *d, uint32_t init_frames);
void gw_reset_maptrack(struct gw_dom *d);
uint64_t gw_mfn(const struct gw_dom *d, uint32_t frame_index);

/* The granter, as guest code. */
struct grant_entry_v1 *gw_entry(struct gw_dom *d, grant_ref_t ref);
uint16_t gw_flags(struct gw_dom *d, grant_ref_t ref);
/* Offer: domid and frame, then flags (GTF_permit_access | extra). */
void gw_grant(struct gw_dom *d, grant_ref_t ref, domid_t grantee, uint32_t frame,
              uint16_t extra);
/* Protocol revoke / make read-only: only when reading / writing are clear. */
bool gw_revoke(struct gw_dom *d, grant_ref_t ref);
bool gw_make_readonly(struct gw_dom *d, grant_ref_t ref);

/* Racing granter: fn(word, arg) runs before the next `times` exchanges. */
typedef void (*gw_race_fn)(uint32_t *word, void *arg);
void gw_set_race(gw_race_fn fn, void *arg, unsigned times);
unsigned long gw_cmpxchg_calls(void);

/* Number of live handles of d's maptrack naming (table, ref, readonly). */
unsigned gw_count_handles(const struct gw_dom *mapper, const struct gnttab_table *gt,
                          grant_ref_t ref, bool readonly);
/* The invariants of core/gnttab.h over doms[0..n), recomputed from scratch;
 * `stale` tables (closed, not yet freed) are passed in the same array. */
void gw_check(struct gw_dom *const *doms, unsigned n);

/* ck_assert marks a point through a pipe on every call (fork mode): too slow
 * for loops over every entry after every step. This one costs nothing until
 * it fails. */
#define GW_ASSERT(cond, ...)                 \
    do {                                     \
        if (!(cond))                         \
            ck_abort_msg(__VA_ARGS__);       \
    } while (0)

#define GW_VA(i) (0x400000000ull + (uint64_t)(i) * GNTTAB_PAGE_SIZE)

#endif /* XENIA_TESTS_GNTTAB_WORLD_H */
