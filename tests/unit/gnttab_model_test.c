/*
 * Model-based random test of the grant table core. Three domains, each a
 * granter (a table of 1..2 frames) and a mapper (a small maptrack, so it
 * fills up), receive random operations from a seeded generator: granters
 * offer, revoke and make read-only by the protocol, or rewrite entries
 * against it (domid, frame, type, readonly, keeping only the hypervisor's
 * status bits), and grow their tables; mappers map (read-only or not, good
 * and bad refs, bad flags and addresses), unmap (their own handles, at the
 * right or a wrong address, stale and random handles), copy through grants,
 * and die (preemptible release with a tiny budget, then a fresh maptrack);
 * granters die too (close; the table is recreated once idle).
 *
 * Every map, copy pin and unmap is predicted by an oracle written from the
 * rules in core/gnttab.h, independently of the implementation; after every
 * step gw_check() recomputes pins and flags from the maptracks. At the end
 * every mapper dies and every table must be idle with its flags clear.
 */
#include <check.h>
#include <string.h>

#include "gnttab_world.h"

#define NDOM 3
#define MAPS 8
#define REFS 12          /* refs used most of the time */

struct model {
    struct gw_dom *d[NDOM];
    uint64_t rng;
    unsigned steps;
    /* Coverage, so the test cannot quietly become trivial. */
    unsigned map_ok, map_ro_ok, map_denied, map_badref, map_full, map_baddom, map_other;
    unsigned unmap_ok, unmap_badh, unmap_badaddr, copies, revoked, revoke_refused;
    unsigned hostile, kills, restarts, closes, rebirths, grows;
};

static uint64_t rnd64(struct model *m)
{
    m->rng ^= m->rng >> 12;
    m->rng ^= m->rng << 25;
    m->rng ^= m->rng >> 27;
    return m->rng * 0x2545F4914F6CDD1Dull;
}

static unsigned rnd(struct model *m, unsigned n)
{
    return (unsigned)((rnd64(m) >> 33) % n);
}

static grant_ref_t pick_ref(struct model *m, const struct gw_dom *g)
{
    unsigned r = rnd(m, 100);

    if (r < 85)
        return rnd(m, REFS);
    if (r < 92)
        return 500 + rnd(m, 30);                /* around the first frame's end */
    if (r < 97)
        return gnttab_nr_entries(&g->gt) + rnd(m, 4);
    return (grant_ref_t)rnd64(m);
}

/* Mostly a ref the granter offered to `who`, else anything. */
static grant_ref_t pick_ref_for(struct model *m, const struct gw_dom *g, domid_t who)
{
    if (rnd(m, 100) < 60) {
        unsigned start = rnd(m, REFS);
        for (unsigned i = 0; i < REFS; i++) {
            grant_ref_t r = (start + i) % REFS;
            if (g->frames[r].domid == who && (g->frames[r].flags & GTF_type_mask) != 0)
                return r;
        }
    }
    return pick_ref(m, g);
}

/* --- The oracle --------------------------------------------------------------- */

static int expect_pin(const struct gw_dom *g, grant_ref_t ref, domid_t who, bool write)
{
    if (g->gt.closed)
        return GNTST_bad_domain;
    if (ref >= gnttab_nr_entries(&g->gt))
        return GNTST_bad_gntref;

    const struct gnttab_active *act = gnttab_active_of(&g->gt, ref);
    unsigned pins = 0, wpins = act->pin[GNTTAB_PIN_MAP_RW] + act->pin[GNTTAB_PIN_COPY_RW];
    for (unsigned k = 0; k < GNTTAB_PIN_KINDS; k++)
        pins += act->pin[k];

    const struct grant_entry_v1 *e = &g->frames[ref];
    if (pins > 0 && act->domid != who)
        return GNTST_permission_denied;
    if (pins == 0 && ((e->flags & (GTF_type_mask | GTF_sub_page)) != GTF_permit_access ||
                      e->domid != who))
        return GNTST_permission_denied;
    if (write && wpins == 0 && (e->flags & GTF_readonly))
        return GNTST_permission_denied;
    return GNTST_okay;
}

static int expect_map(const struct gw_dom *g, const struct gw_dom *mp, grant_ref_t ref,
                      uint32_t flags, uint64_t addr)
{
    if (!(flags & GNTMAP_host_map))
        return GNTST_bad_gntref;
    if (flags & GNTMAP_device_map)
        return GNTST_general_error;
    if ((flags & GNTMAP_contains_pte) ? (addr & 7) != 0 : (addr & 0xFFF) != 0)
        return GNTST_bad_virt_addr;
    if (mp->mt.closed)
        return GNTST_general_error;
    if (g->gt.closed)
        return GNTST_bad_domain;
    if (mp->mt.nr_live == mp->mt.nr)
        return GNTST_no_device_space;
    return expect_pin(g, ref, mp->id, !(flags & GNTMAP_readonly));
}

/* --- Operations ------------------------------------------------------------- */

static void op_map(struct model *m)
{
    struct gw_dom *mp = m->d[rnd(m, NDOM)], *g = m->d[rnd(m, NDOM)];
    grant_ref_t ref = pick_ref_for(m, g, mp->id);
    uint32_t flags = GNTMAP_host_map | (rnd(m, 2) ? GNTMAP_readonly : 0);
    uint64_t addr = GW_VA(rnd(m, 4096));
    unsigned r = rnd(m, 100);

    if (r < 3)
        flags &= ~GNTMAP_host_map;
    else if (r < 5)
        flags |= GNTMAP_device_map;
    else if (r < 15) {
        flags |= GNTMAP_contains_pte;
        addr = 0x200000 + 8 * rnd(m, 512) + (rnd(m, 4) == 0 ? 1 + rnd(m, 7) : 0);
    } else if (r < 17)
        addr += 8;

    const struct gnttab_active *act = gnttab_active_of(&g->gt, ref);
    bool first = act == NULL || act->pin[0] + act->pin[1] + act->pin[2] + act->pin[3] == 0;
    uint64_t want_frame = act == NULL ? 0 : first ? g->frames[ref].frame : act->frame;
    int want = expect_map(g, mp, ref, flags, addr);
    grant_handle_t h = UINT32_MAX;
    uint64_t frame = UINT64_MAX;
    int rc = gnttab_map(&g->gt, &mp->mt, ref, flags, addr, &h, &frame);

    ck_assert_msg(rc == want, "step %u: d%u maps d%u ref %u flags %#x: %d, oracle %d",
                  m->steps, mp->id, g->id, ref, flags, rc, want);
    switch (rc) {
    case GNTST_okay:
        ck_assert_uint_eq(frame, want_frame);
        ck_assert_uint_lt(h, mp->mt.nr);
        ck_assert_ptr_eq(mp->mt.map[h].table, &g->gt);
        ck_assert_uint_eq(mp->mt.map[h].host_addr, addr);
        m->map_ok++;
        m->map_ro_ok += !!(flags & GNTMAP_readonly);
        break;
    case GNTST_permission_denied: m->map_denied++; break;
    case GNTST_bad_gntref: m->map_badref++; break;
    case GNTST_no_device_space: m->map_full++; break;
    case GNTST_bad_domain: m->map_baddom++; break;
    default: m->map_other++; break;
    }
}

static void op_unmap(struct model *m)
{
    struct gw_dom *mp = m->d[rnd(m, NDOM)];
    struct gnttab_mapping out;
    grant_handle_t h;
    unsigned r = rnd(m, 100);

    if (r < 80 && mp->mt.nr_live > 0) {
        do
            h = rnd(m, mp->mt.used);
        while (mp->mt.map[h].table == NULL);
    } else if (r < 90) {
        h = rnd(m, mp->mt.nr + 4);      /* maybe free, stale or out of range */
    } else {
        h = (grant_handle_t)rnd64(m);
    }

    bool live = h < mp->mt.used && mp->mt.map[h].table != NULL;
    uint64_t addr = live ? mp->mt.map[h].host_addr : GW_VA(0);
    bool wrong = rnd(m, 10) == 0;
    if (wrong)
        addr += 8u << rnd(m, 12);
    int want = !live ? GNTST_bad_handle : wrong ? GNTST_bad_virt_addr : GNTST_okay;
    int rc = gnttab_unmap_check(&mp->mt, h, addr, &out);

    ck_assert_msg(rc == want, "step %u: d%u unmaps %u: %d, oracle %d", m->steps, mp->id, h,
                  rc, want);
    if (rc == GNTST_okay) {
        ck_assert_mem_eq(&out, &mp->mt.map[h], sizeof(out));
        gnttab_unmap_commit(&mp->mt, h);
        m->unmap_ok++;
    } else {
        m->unmap_badh += rc == GNTST_bad_handle;
        m->unmap_badaddr += rc == GNTST_bad_virt_addr;
    }
}

static void op_copy(struct model *m)
{
    struct gw_dom *cp = m->d[rnd(m, NDOM)];
    struct gw_dom *src = m->d[rnd(m, NDOM)], *dst = m->d[rnd(m, NDOM)];
    grant_ref_t sref = pick_ref_for(m, src, cp->id), dref = pick_ref_for(m, dst, cp->id);
    bool sgref = rnd(m, 4) != 0, dgref = rnd(m, 4) != 0;
    uint64_t sf, df;
    int want, rc;

    /* A side given by frame is the glue's business: only grants pin. */
    if (sgref) {
        want = expect_pin(src, sref, cp->id, false);
        rc = gnttab_copy_pin(&src->gt, sref, cp->id, false, &sf);
        ck_assert_int_eq(rc, want);
        if (rc != GNTST_okay)
            return;
        GW_ASSERT(gw_flags(src, sref) & GTF_reading, "copy source not reading");
    }
    if (dgref) {
        want = expect_pin(dst, dref, cp->id, true);
        rc = gnttab_copy_pin(&dst->gt, dref, cp->id, true, &df);
        ck_assert_int_eq(rc, want);
        if (rc == GNTST_okay) {
            GW_ASSERT((gw_flags(dst, dref) & (GTF_reading | GTF_writing)) ==
                          (GTF_reading | GTF_writing), "copy dest not writing");
            gnttab_copy_unpin(&dst->gt, dref, true);
            m->copies++;
        }
    } else if (sgref) {
        m->copies++;
    }
    if (sgref)
        gnttab_copy_unpin(&src->gt, sref, false);
}

static void op_granter(struct model *m)
{
    struct gw_dom *g = m->d[rnd(m, NDOM)];
    grant_ref_t ref = rnd(m, 100) < 90 ? rnd(m, REFS) : 500 + rnd(m, 24);
    uint16_t status = gw_flags(g, ref) & (GTF_reading | GTF_writing);
    unsigned r = rnd(m, 100);

    if (ref >= gnttab_nr_entries(&g->gt))
        return;   /* the granter writes only its table */
    if (r < 40) {
        /* Protocol: revoke, then offer to a random domain. */
        if (!gw_revoke(g, ref)) {
            ck_assert_uint_ne(status, 0);
            m->revoke_refused++;
            return;
        }
        ck_assert_uint_eq(status, 0);
        m->revoked++;
        gw_grant(g, ref, m->d[rnd(m, NDOM)]->id, 0x100000u + rnd(m, 1u << 20),
                 rnd(m, 3) == 0 ? GTF_readonly : 0);
    } else if (r < 55) {
        bool ok = gw_make_readonly(g, ref);
        ck_assert(ok == !(status & GTF_writing));
    } else if (r < 75) {
        /* Against the protocol: rewrite everything but our status bits. */
        struct grant_entry_v1 *e = gw_entry(g, ref);
        uint16_t junk = (uint16_t)(rnd64(m) & ~(GTF_reading | GTF_writing));
        if (rnd(m, 2))
            junk = (uint16_t)((junk & ~(GTF_type_mask | GTF_sub_page)) | GTF_permit_access);
        __atomic_store_n(&e->domid, m->d[rnd(m, NDOM)]->id, __ATOMIC_SEQ_CST);
        __atomic_store_n(&e->frame, (uint32_t)rnd64(m), __ATOMIC_SEQ_CST);
        __atomic_store_n(&e->flags, (uint16_t)(junk | status), __ATOMIC_SEQ_CST);
        m->hostile++;
    } else if (r < 78 && !g->gt.closed) {
        bool room = g->gt.nr_frames < g->max_frames;
        int rc = gw_grow(g);
        ck_assert_int_eq(rc, room ? GNTST_okay : GNTST_general_error);
        m->grows += room;
    } else if (r < 80 && !g->gt.closed) {
        gnttab_table_close(&g->gt);
        m->closes++;
    }
}

struct put_log {
    unsigned calls;
    domid_t mapper;
};

static void put_check(void *ctx, const struct gnttab_mapping *mp)
{
    struct put_log *log = ctx;

    ck_assert_ptr_nonnull(mp->table);
    ck_assert(mp->flags & GNTMAP_host_map);
    log->calls++;
}

static void kill_mapper(struct model *m, struct gw_dom *mp)
{
    struct put_log log = { 0, mp->id };
    uint32_t live = mp->mt.nr_live, cursor = 0;
    int rc;

    while ((rc = gnttab_maptrack_release(&mp->mt, &cursor, 1 + rnd(m, 5), put_check, &log)) ==
           -XEN_ERESTART) {
        m->restarts++;
        struct gw_dom *const *all = m->d;
        gw_check(all, NDOM);     /* consistent at every preemption point */
    }
    ck_assert_int_eq(rc, 0);
    ck_assert_uint_eq(log.calls, live);
    ck_assert_uint_eq(mp->mt.nr_live, 0);
    gw_reset_maptrack(mp);
    m->kills++;
}

static void step(struct model *m)
{
    unsigned r = rnd(m, 100);

    if (r < 45)
        op_map(m);
    else if (r < 65)
        op_unmap(m);
    else if (r < 72)
        op_copy(m);
    else if (r < 99)
        op_granter(m);
    else if (rnd(m, 3) == 0)
        kill_mapper(m, m->d[rnd(m, NDOM)]);

    /* A closed granter's table is freed once idle; the domain comes back. */
    for (unsigned i = 0; i < NDOM; i++) {
        struct gw_dom *g = m->d[i];
        if (g->gt.closed && gnttab_table_idle(&g->gt) && rnd(m, 4) == 0) {
            gw_reset_table(g, 1);
            m->rebirths++;
        }
    }
    gw_check(m->d, NDOM);
}

static void run_model(uint64_t seed, unsigned nsteps)
{
    struct model m;

    memset(&m, 0, sizeof(m));
    m.rng = seed;
    for (unsigned i = 0; i < NDOM; i++)
        m.d[i] = gw_dom_new((domid_t)(i + 1), 1, 2, MAPS);
    for (m.steps = 0; m.steps < nsteps; m.steps++)
        step(&m);

    for (unsigned i = 0; i < NDOM; i++)
        kill_mapper(&m, m.d[i]);
    for (unsigned i = 0; i < NDOM; i++) {
        struct gw_dom *g = m.d[i];
        ck_assert(gnttab_table_idle(&g->gt));
        for (grant_ref_t r = 0; r < gnttab_nr_entries(&g->gt); r++)
            GW_ASSERT((gw_flags(g, r) & (GTF_reading | GTF_writing)) == 0,
                      "d%u ref %u: status bits left", g->id, r);
    }
    gw_check(m.d, NDOM);

    /* Every kind of outcome happened. */
    ck_assert_uint_gt(m.map_ok, 500);
    ck_assert_uint_gt(m.map_ro_ok, 200);
    ck_assert_uint_gt(m.map_denied, 500);
    ck_assert_uint_gt(m.map_badref, 100);
    ck_assert_uint_gt(m.map_full, 50);
    ck_assert_uint_gt(m.map_baddom, 100);
    ck_assert_uint_gt(m.map_other, 100);
    ck_assert_uint_gt(m.unmap_ok, 500);
    ck_assert_uint_gt(m.unmap_badh, 200);
    ck_assert_uint_gt(m.unmap_badaddr, 50);
    ck_assert_uint_gt(m.copies, 50);
    ck_assert_uint_gt(m.revoked, 300);
    ck_assert_uint_gt(m.revoke_refused, 50);
    ck_assert_uint_gt(m.hostile, 200);
    ck_assert_uint_gt(m.kills, 15);
    ck_assert_uint_gt(m.restarts, 20);
    ck_assert_uint_gt(m.closes, 10);
    ck_assert_uint_gt(m.rebirths, 10);
    ck_assert_uint_gt(m.grows, 5);

    for (unsigned i = 0; i < NDOM; i++)
        gw_dom_free(m.d[i]);
}

START_TEST(model_random)
{
    static const uint64_t seeds[] = {
        0x9E3779B97F4A7C15ull, 0x0123456789ABCDEFull, 0xDEADBEEFCAFEF00Dull, 42,
    };
    run_model(seeds[_i], 10000);
}
END_TEST

Suite *gnttab_model_suite(void); /* called by tests/unit/main.c */

Suite *gnttab_model_suite(void)
{
    Suite *s = suite_create("gnttab_model");
    TCase *t = tcase_create("model");

    tcase_set_timeout(t, 60);
    tcase_add_loop_test(t, model_random, 0, 4);
    suite_add_tcase(s, t);
    return s;
}
