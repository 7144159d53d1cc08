/*
 * Test world for the grant table core (see gnttab_world.h). Also provides
 * the hosted gnttab_arch_cmpxchg(), the one arch hook of the core.
 */
#include <stdlib.h>
#include <string.h>

#include "gnttab_world.h"

/* --- Hosted arch hook with an optional racing granter --------------------- */

static gw_race_fn race_fn;
static void *race_arg;
static unsigned race_left;
static unsigned long cmpxchg_calls;

uint32_t gnttab_arch_cmpxchg(uint32_t *word, uint32_t expected, uint32_t desired)
{
    __atomic_fetch_add(&cmpxchg_calls, 1, __ATOMIC_RELAXED);
    if (race_fn != NULL && race_left > 0) {
        race_left--;
        race_fn(word, race_arg);
    }
    __atomic_compare_exchange_n(word, &expected, desired, false, __ATOMIC_SEQ_CST,
                                __ATOMIC_SEQ_CST);
    return expected;
}

void gw_set_race(gw_race_fn fn, void *arg, unsigned times)
{
    race_fn = fn;
    race_arg = arg;
    race_left = times;
    cmpxchg_calls = 0;
}

unsigned long gw_cmpxchg_calls(void)
{
    return __atomic_load_n(&cmpxchg_calls, __ATOMIC_RELAXED);
}

/* --- Domains -------------------------------------------------------------- */

uint64_t gw_mfn(const struct gw_dom *d, uint32_t frame_index)
{
    return 0x10000u + (uint64_t)d->id * 0x100u + frame_index;
}

int gw_grow(struct gw_dom *d)
{
    uint32_t i = d->gt.nr_frames;

    if (i >= d->max_frames)
        return gnttab_table_add_frame(&d->gt, NULL, 0);
    memset(&d->frames[i * GNTTAB_PER_FRAME], 0, GNTTAB_PAGE_SIZE);
    return gnttab_table_add_frame(&d->gt, &d->frames[i * GNTTAB_PER_FRAME], gw_mfn(d, i));
}

void gw_reset_table(struct gw_dom *d, uint32_t init_frames)
{
    gnttab_table_init(&d->gt, d->id, d->active, d->max_frames);
    /* Garbage in the active array: the core must initialise what it uses. */
    memset(d->active, 0xA5, d->max_frames * GNTTAB_PER_FRAME * sizeof(*d->active));
    for (uint32_t i = 0; i < init_frames; i++)
        ck_assert_int_eq(gw_grow(d), GNTST_okay);
}

void gw_reset_maptrack(struct gw_dom *d)
{
    /* Garbage too: the maptrack needs no initialised storage. */
    memset(d->maps, 0x5A, d->nr_maps * sizeof(*d->maps));
    gnttab_maptrack_init(&d->mt, d->id, d->maps, d->nr_maps);
}

struct gw_dom *gw_dom_new(domid_t id, uint32_t init_frames, uint32_t max_frames,
                          uint32_t nr_maps)
{
    struct gw_dom *d = calloc(1, sizeof(*d));

    ck_assert_ptr_nonnull(d);
    d->id = id;
    d->max_frames = max_frames;
    d->active = calloc(max_frames * GNTTAB_PER_FRAME, sizeof(*d->active));
    d->frames = aligned_alloc(GNTTAB_PAGE_SIZE, max_frames * GNTTAB_PAGE_SIZE);
    d->nr_maps = nr_maps;
    d->maps = calloc(nr_maps ? nr_maps : 1, sizeof(*d->maps));
    ck_assert_ptr_nonnull(d->active);
    ck_assert_ptr_nonnull(d->frames);
    ck_assert_ptr_nonnull(d->maps);
    gw_reset_table(d, init_frames);
    gw_reset_maptrack(d);
    return d;
}

void gw_dom_free(struct gw_dom *d)
{
    free(d->active);
    free(d->frames);
    free(d->maps);
    free(d);
}

/* --- The granter, as guest code -------------------------------------------- */

struct grant_entry_v1 *gw_entry(struct gw_dom *d, grant_ref_t ref)
{
    GW_ASSERT(ref < d->max_frames * GNTTAB_PER_FRAME, "ref %u outside d%u's frames", ref, d->id);
    return &d->frames[ref];
}

uint16_t gw_flags(struct gw_dom *d, grant_ref_t ref)
{
    return __atomic_load_n(&gw_entry(d, ref)->flags, __ATOMIC_SEQ_CST);
}

void gw_grant(struct gw_dom *d, grant_ref_t ref, domid_t grantee, uint32_t frame,
              uint16_t extra)
{
    struct grant_entry_v1 *e = gw_entry(d, ref);

    __atomic_store_n(&e->domid, grantee, __ATOMIC_RELAXED);
    __atomic_store_n(&e->frame, frame, __ATOMIC_RELAXED);
    __atomic_store_n(&e->flags, (uint16_t)(GTF_permit_access | extra), __ATOMIC_RELEASE);
}

static bool gw_flags_cas(struct gw_dom *d, grant_ref_t ref, uint16_t busy,
                         uint16_t clear, uint16_t set)
{
    uint16_t *f = &gw_entry(d, ref)->flags;
    uint16_t old = __atomic_load_n(f, __ATOMIC_SEQ_CST);

    for (;;) {
        if (old & busy)
            return false;
        uint16_t want = (uint16_t)((old & ~clear) | set);
        if (__atomic_compare_exchange_n(f, &old, want, false, __ATOMIC_SEQ_CST,
                                        __ATOMIC_SEQ_CST))
            return true;
    }
}

bool gw_revoke(struct gw_dom *d, grant_ref_t ref)
{
    return gw_flags_cas(d, ref, GTF_reading | GTF_writing, 0xFFFF, 0);
}

bool gw_make_readonly(struct gw_dom *d, grant_ref_t ref)
{
    return gw_flags_cas(d, ref, GTF_writing, 0, GTF_readonly);
}

/* --- Invariants ------------------------------------------------------------ */

static bool gw_live(const struct gnttab_maptrack *mt, uint32_t h)
{
    return h < mt->used && mt->map[h].table != NULL;
}

unsigned gw_count_handles(const struct gw_dom *mapper, const struct gnttab_table *gt,
                          grant_ref_t ref, bool readonly)
{
    unsigned n = 0;

    for (uint32_t h = 0; h < mapper->mt.used; h++) {
        const struct gnttab_mapping *m = &mapper->mt.map[h];
        if (gw_live(&mapper->mt, h) && m->table == gt && m->ref == ref &&
            !!(m->flags & GNTMAP_readonly) == readonly)
            n++;
    }
    return n;
}

void gw_check(struct gw_dom *const *doms, unsigned n)
{
    /* Live handles of every maptrack, counted per granter table and ref. */
    unsigned *cnt[16];

    GW_ASSERT(n <= 16, "too many domains");
    for (unsigned g = 0; g < n; g++) {
        cnt[g] = calloc(2u * gnttab_nr_entries(&doms[g]->gt) + 1, sizeof(unsigned));
        GW_ASSERT(cnt[g] != NULL, "out of memory");
    }
    for (unsigned d = 0; d < n; d++) {
        const struct gnttab_maptrack *mt = &doms[d]->mt;
        uint32_t live = 0;

        GW_ASSERT(mt->used <= mt->nr, "d%u: used %u > nr %u", doms[d]->id, mt->used, mt->nr);
        for (uint32_t h = 0; h < mt->used; h++) {
            if (!gw_live(mt, h))
                continue;
            live++;
            const struct gnttab_mapping *m = &mt->map[h];
            unsigned g = 0;
            while (g < n && m->table != &doms[g]->gt)
                g++;
            GW_ASSERT(g < n, "handle %u of d%u names an unknown table", h, doms[d]->id);
            GW_ASSERT(m->ref < gnttab_nr_entries(m->table), "handle %u: ref %u", h, m->ref);
            GW_ASSERT(m->granter == doms[g]->id, "handle %u: granter %u", h, m->granter);
            GW_ASSERT(m->flags & GNTMAP_host_map, "handle %u: flags %#x", h, m->flags);

            const struct gnttab_active *act = gnttab_active_of(m->table, m->ref);
            GW_ASSERT(act->domid == doms[d]->id, "d%u ref %u pinned by d%u, mapped by d%u",
                      doms[g]->id, m->ref, act->domid, doms[d]->id);
            GW_ASSERT(act->frame == m->frame, "d%u ref %u: frame %#llx, handle has %#llx",
                      doms[g]->id, m->ref, (unsigned long long)act->frame,
                      (unsigned long long)m->frame);
            cnt[g][2u * m->ref + !!(m->flags & GNTMAP_readonly)]++;
        }
        GW_ASSERT(live == mt->nr_live, "d%u: %u live handles, nr_live %u", doms[d]->id, live,
                  mt->nr_live);
    }
    for (unsigned g = 0; g < n; g++) {
        struct gw_dom *gd = doms[g];
        uint64_t pins = 0;

        for (grant_ref_t r = 0; r < gnttab_nr_entries(&gd->gt); r++) {
            const struct gnttab_active *act = gnttab_active_of(&gd->gt, r);
            uint16_t flags = gw_flags(gd, r);
            unsigned rw = cnt[g][2u * r], ro = cnt[g][2u * r + 1];

            GW_ASSERT(act->pin[GNTTAB_PIN_MAP_RW] == rw && act->pin[GNTTAB_PIN_MAP_RO] == ro,
                          "d%u ref %u: pins rw %u ro %u, handles rw %u ro %u", gd->id, r,
                          act->pin[GNTTAB_PIN_MAP_RW], act->pin[GNTTAB_PIN_MAP_RO], rw, ro);
            GW_ASSERT(act->pin[GNTTAB_PIN_COPY_RO] == 0 && act->pin[GNTTAB_PIN_COPY_RW] == 0,
                      "d%u ref %u: copy pins left", gd->id, r);
            GW_ASSERT(!!(flags & GTF_reading) == (rw + ro > 0),
                          "d%u ref %u: flags %#x with %u pins", gd->id, r, flags, rw + ro);
            GW_ASSERT(!!(flags & GTF_writing) == (rw > 0),
                          "d%u ref %u: flags %#x with %u rw pins", gd->id, r, flags, rw);
            pins += rw + ro;
        }
        GW_ASSERT(gd->gt.nr_pins == pins, "d%u: nr_pins %llu, counted %llu", gd->id,
                  (unsigned long long)gd->gt.nr_pins, (unsigned long long)pins);
        GW_ASSERT(gnttab_table_idle(&gd->gt) == (pins == 0), "d%u: idle wrong", gd->id);
        free(cnt[g]);
    }
}
