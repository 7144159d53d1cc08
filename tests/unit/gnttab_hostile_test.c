/*
 * Grant table core, the hostile cases of docs/security.md ("Grants"), one
 * test each, with the exact GNTST code, and each time the proof that the
 * refused operation changed nothing: pin counts, flags and handles are as
 * before (gw_check recomputes them, snapshots compare them).
 */
#include <check.h>
#include <string.h>

#include "gnttab_world.h"

enum { D0 = 0, DG = 1, DM = 2, DX = 3 };   /* dom0, granter, mapper, other */

struct snap {
    struct gnttab_active act[8];
    uint16_t flags[8];
    uint64_t pins;
    uint32_t live, used;
};

static struct gw_dom *g, *m, *x;

static void setup(void)
{
    g = gw_dom_new(DG, 1, 2, 16);
    m = gw_dom_new(DM, 1, 1, 64);
    x = gw_dom_new(DX, 1, 1, 16);
    gw_grant(g, 2, DM, 0x202, 0);              /* rw grant to m */
    gw_grant(g, 3, DM, 0x303, GTF_readonly);   /* ro grant to m */
    gw_grant(g, 4, DX, 0x404, 0);              /* rw grant to x */
}

static void teardown(void)
{
    gw_dom_free(g);
    gw_dom_free(m);
    gw_dom_free(x);
}

static void check_all(void)
{
    struct gw_dom *all[] = { g, m, x };
    gw_check(all, 3);
}

static void take(struct snap *s)
{
    for (grant_ref_t r = 0; r < 8; r++) {
        s->act[r] = *gnttab_active_of(&g->gt, r);
        s->flags[r] = gw_flags(g, r);
    }
    s->pins = g->gt.nr_pins;
    s->live = m->mt.nr_live;
    s->used = m->mt.used;
}

static void unchanged(const struct snap *s)
{
    struct snap now;

    take(&now);
    ck_assert_mem_eq(now.act, s->act, sizeof(now.act));
    ck_assert_mem_eq(now.flags, s->flags, sizeof(now.flags));
    ck_assert_uint_eq(now.pins, s->pins);
    ck_assert_uint_eq(now.live, s->live);
    ck_assert_uint_eq(now.used, s->used);
    check_all();
}

static int map(struct gw_dom *mapper, grant_ref_t ref, uint32_t flags, uint64_t addr,
               grant_handle_t *h)
{
    uint64_t frame;
    return gnttab_map(&g->gt, &mapper->mt, ref, flags | GNTMAP_host_map, addr, h, &frame);
}

static void unmap(grant_handle_t h, uint64_t addr)
{
    struct gnttab_mapping out;

    ck_assert_int_eq(gnttab_unmap_check(&m->mt, h, addr, &out), GNTST_okay);
    gnttab_unmap_commit(&m->mt, h);
}

START_TEST(ref_beyond_table_is_bad_gntref)
{
    grant_handle_t h;
    struct snap s;

    ck_assert_int_eq(map(m, 2, 0, GW_VA(0), &h), GNTST_okay);
    take(&s);
    const grant_ref_t bad[] = { 512, 513, 1023, 1024, 0x7FFFFFFF, 0xFFFFFFFF };
    for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        ck_assert_int_eq(map(m, bad[i], 0, GW_VA(1), &h), GNTST_bad_gntref);
        ck_assert_int_eq(map(m, bad[i], GNTMAP_readonly, GW_VA(1), &h), GNTST_bad_gntref);
    }
    unchanged(&s);
}
END_TEST

START_TEST(entry_not_granted_to_us_is_denied)
{
    grant_handle_t h;
    struct snap s;

    gw_grant(g, 5, DM, 0x505, 0);
    take(&s);
    ck_assert_int_eq(map(m, 4, 0, GW_VA(0), &h), GNTST_permission_denied);  /* x's */
    ck_assert_int_eq(map(m, 6, 0, GW_VA(0), &h), GNTST_permission_denied);  /* empty */
    ck_assert_int_eq(map(x, 2, GNTMAP_readonly, GW_VA(0), &h), GNTST_permission_denied);
    unchanged(&s);

    /* Other entry types and modifiers: transfer, transitive, sub-page. */
    const uint16_t types[] = { GTF_accept_transfer, GTF_transitive,
                               GTF_permit_access | GTF_sub_page, GTF_invalid | GTF_readonly };
    for (unsigned i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
        __atomic_store_n(&gw_entry(g, 5)->flags, types[i], __ATOMIC_SEQ_CST);
        take(&s);
        ck_assert_int_eq(map(m, 5, GNTMAP_readonly, GW_VA(0), &h), GNTST_permission_denied);
        unchanged(&s);
    }
}
END_TEST

START_TEST(writable_map_of_readonly_grant_is_denied)
{
    grant_handle_t h;
    struct snap s;

    take(&s);
    ck_assert_int_eq(map(m, 3, 0, GW_VA(0), &h), GNTST_permission_denied);
    unchanged(&s);
    ck_assert_int_eq(map(m, 3, GNTMAP_readonly, GW_VA(0), &h), GNTST_okay);
    /* Already read-pinned: still no write pin. */
    take(&s);
    ck_assert_int_eq(map(m, 3, 0, GW_VA(1), &h), GNTST_permission_denied);
    unchanged(&s);
    ck_assert_uint_eq(gw_flags(g, 3), GTF_permit_access | GTF_readonly | GTF_reading);
}
END_TEST

START_TEST(bogus_unmap_is_bad_handle)
{
    struct gnttab_mapping out;
    grant_handle_t h;
    struct snap s;

    ck_assert_int_eq(map(m, 2, 0, GW_VA(0), &h), GNTST_okay);
    take(&s);
    /* Beyond the maptrack, never handed out, and the reserved-looking ones. */
    const grant_handle_t bad[] = { 1, 2, 63, 64, 65, 0xFFFF, 0x7FFFFFFF, 0xFFFFFFFF };
    for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        ck_assert_int_eq(gnttab_unmap_check(&m->mt, bad[i], GW_VA(0), &out),
                         GNTST_bad_handle);
    /* Another domain's handle number means nothing in ours. */
    ck_assert_int_eq(gnttab_unmap_check(&x->mt, h, GW_VA(0), &out), GNTST_bad_handle);
    unchanged(&s);
}
END_TEST

START_TEST(double_unmap_is_bad_handle)
{
    struct gnttab_mapping out;
    grant_handle_t h, h2;

    ck_assert_int_eq(map(m, 2, 0, GW_VA(0), &h), GNTST_okay);
    ck_assert_int_eq(map(m, 2, GNTMAP_readonly, GW_VA(1), &h2), GNTST_okay);
    unmap(h, GW_VA(0));

    struct snap s;
    take(&s);
    ck_assert_int_eq(gnttab_unmap_check(&m->mt, h, GW_VA(0), &out), GNTST_bad_handle);
    unchanged(&s);
    ck_assert_uint_eq(g->gt.active[2].pin[GNTTAB_PIN_MAP_RO], 1);
    ck_assert_uint_eq(g->gt.active[2].pin[GNTTAB_PIN_MAP_RW], 0);
    ck_assert_uint_eq(gw_flags(g, 2), GTF_permit_access | GTF_reading);

    unmap(h2, GW_VA(1));
    take(&s);
    ck_assert_int_eq(gnttab_unmap_check(&m->mt, h2, GW_VA(1), &out), GNTST_bad_handle);
    ck_assert_int_eq(gnttab_unmap_check(&m->mt, h, GW_VA(0), &out), GNTST_bad_handle);
    unchanged(&s);
    ck_assert_uint_eq(gw_flags(g, 2), GTF_permit_access);
}
END_TEST

START_TEST(misaligned_pte_address_is_bad_virt_addr)
{
    const uint32_t pte = GNTMAP_contains_pte;
    grant_handle_t h;
    struct snap s;

    take(&s);
    for (unsigned off = 1; off < 8; off++) {
        ck_assert_int_eq(map(m, 2, pte, 0x123000 + off, &h), GNTST_bad_virt_addr);
        ck_assert_int_eq(map(m, 3, pte | GNTMAP_readonly, 0x123000 + off, &h),
                         GNTST_bad_virt_addr);
    }
    /* A misaligned virtual address, too. */
    ck_assert_int_eq(map(m, 2, 0, GW_VA(1) + 8, &h), GNTST_bad_virt_addr);
    unchanged(&s);
    ck_assert_int_eq(map(m, 2, pte, 0x123008, &h), GNTST_okay);
}
END_TEST

START_TEST(unmap_at_other_address_is_refused)
{
    struct gnttab_mapping out;
    grant_handle_t h;

    ck_assert_int_eq(map(m, 2, 0, GW_VA(7), &h), GNTST_okay);
    struct snap s;
    take(&s);
    ck_assert_int_eq(gnttab_unmap_check(&m->mt, h, GW_VA(8), &out), GNTST_bad_virt_addr);
    ck_assert_int_eq(gnttab_unmap_check(&m->mt, h, 0, &out), GNTST_bad_virt_addr);
    ck_assert_int_eq(gnttab_unmap_check(&m->mt, h, GW_VA(7) + 8, &out), GNTST_bad_virt_addr);
    unchanged(&s);
    ck_assert_int_eq(gnttab_unmap_check(&m->mt, h, GW_VA(7), &out), GNTST_okay);
    ck_assert_uint_eq(out.frame, 0x202);
    ck_assert_uint_eq(out.granter, DG);
    ck_assert_uint_eq(out.ref, 2);
    ck_assert_uint_eq(out.host_addr, GW_VA(7));
    ck_assert_uint_eq(out.flags, GNTMAP_host_map);
}
END_TEST

START_TEST(revoke_while_mapped_is_refused)
{
    grant_handle_t ro, rw;

    ck_assert_int_eq(map(m, 2, GNTMAP_readonly, GW_VA(0), &ro), GNTST_okay);
    ck_assert(!gw_revoke(g, 2));
    /* Read-only pin only: the granter may still make it read-only ... */
    ck_assert_int_eq(map(m, 2, 0, GW_VA(1), &rw), GNTST_okay);
    /* ... but not while a write pin holds GTF_writing. */
    ck_assert(!gw_make_readonly(g, 2));
    ck_assert(!gw_revoke(g, 2));
    unmap(rw, GW_VA(1));
    ck_assert(!gw_revoke(g, 2));
    ck_assert(gw_make_readonly(g, 2));
    ck_assert_int_eq(map(m, 2, 0, GW_VA(1), &rw), GNTST_permission_denied);
    unmap(ro, GW_VA(0));
    ck_assert(gw_revoke(g, 2));
    ck_assert_uint_eq(gw_flags(g, 2), 0);
    check_all();
    ck_assert_int_eq(map(m, 2, GNTMAP_readonly, GW_VA(0), &ro), GNTST_permission_denied);
}
END_TEST

START_TEST(forced_revoke_while_mapped_does_not_break_accounting)
{
    grant_handle_t h1, h2, hx;

    ck_assert_int_eq(map(m, 2, 0, GW_VA(0), &h1), GNTST_okay);
    /* A granter ignoring the protocol: clears permit_access, regrants the
     * entry to x with another frame, keeps our status bits. */
    struct grant_entry_v1 *e = gw_entry(g, 2);
    __atomic_store_n(&e->domid, DX, __ATOMIC_SEQ_CST);
    __atomic_store_n(&e->frame, 0xBAD, __ATOMIC_SEQ_CST);
    __atomic_store_n(&e->flags, (uint16_t)(GTF_reading | GTF_writing), __ATOMIC_SEQ_CST);

    /* x does not get the entry; our pins still name the frame we pinned. */
    ck_assert_int_eq(map(x, 2, 0, GW_VA(0), &hx), GNTST_permission_denied);
    ck_assert_int_eq(map(m, 2, GNTMAP_readonly, GW_VA(1), &h2), GNTST_okay);
    ck_assert_uint_eq(m->mt.map[h2].frame, 0x202);
    check_all();

    /* The unmaps clear our bits and nothing else of what the granter wrote. */
    __atomic_fetch_or(&e->flags, (uint16_t)GTF_PWT, __ATOMIC_SEQ_CST);
    unmap(h1, GW_VA(0));
    ck_assert_uint_eq(gw_flags(g, 2), GTF_reading | GTF_PWT);
    unmap(h2, GW_VA(1));
    ck_assert_uint_eq(gw_flags(g, 2), GTF_PWT);
    ck_assert_uint_eq(e->domid, DX);
    ck_assert_uint_eq(e->frame, 0xBAD);
    check_all();
}
END_TEST

START_TEST(pinned_entry_belongs_to_one_grantee)
{
    grant_handle_t h;
    uint64_t frame;

    ck_assert_int_eq(map(m, 2, GNTMAP_readonly, GW_VA(0), &h), GNTST_okay);
    /* The granter (legally: reading is set, so only the domid changes in
     * its eyes) cannot hand the pinned entry to x as well. */
    __atomic_store_n(&gw_entry(g, 2)->domid, DX, __ATOMIC_SEQ_CST);
    ck_assert_int_eq(map(x, 2, GNTMAP_readonly, GW_VA(0), &h), GNTST_permission_denied);
    ck_assert_int_eq(gnttab_copy_pin(&g->gt, 2, DX, false, &frame), GNTST_permission_denied);
    check_all();
}
END_TEST

START_TEST(bad_flags)
{
    grant_handle_t h;
    uint64_t frame;
    struct snap s;

    take(&s);
    /* Neither host nor device map: bad_gntref, as Xen. */
    ck_assert_int_eq(gnttab_map(&g->gt, &m->mt, 2, 0, GW_VA(0), &h, &frame), GNTST_bad_gntref);
    ck_assert_int_eq(gnttab_map(&g->gt, &m->mt, 2, GNTMAP_readonly, GW_VA(0), &h, &frame),
                     GNTST_bad_gntref);
    /* Device mappings are not supported. */
    ck_assert_int_eq(gnttab_map(&g->gt, &m->mt, 2, GNTMAP_device_map, GW_VA(0), &h, &frame),
                     GNTST_bad_gntref);
    ck_assert_int_eq(gnttab_map(&g->gt, &m->mt, 2, GNTMAP_device_map | GNTMAP_host_map,
                                GW_VA(0), &h, &frame),
                     GNTST_general_error);
    unchanged(&s);
    /* Guest-available bits are the guest's business; they are not kept. */
    ck_assert_int_eq(gnttab_map(&g->gt, &m->mt, 2,
                                GNTMAP_host_map | GNTMAP_guest_avail_mask | GNTMAP_can_fail,
                                GW_VA(0), &h, &frame),
                     GNTST_okay);
    ck_assert_uint_eq(m->mt.map[h].flags, GNTMAP_host_map);
}
END_TEST

START_TEST(maptrack_full_is_no_device_space)
{
    grant_handle_t h;
    struct snap s;

    for (unsigned i = 0; i < 64; i++)
        ck_assert_int_eq(map(m, 3, GNTMAP_readonly, GW_VA(i), &h), GNTST_okay);
    take(&s);
    ck_assert_int_eq(map(m, 2, 0, GW_VA(64), &h), GNTST_no_device_space);
    ck_assert_int_eq(map(m, 3, GNTMAP_readonly, GW_VA(64), &h), GNTST_no_device_space);
    unchanged(&s);
    ck_assert_uint_eq(gw_flags(g, 2), GTF_permit_access);   /* never touched */
    unmap(17, GW_VA(17));
    ck_assert_int_eq(map(m, 2, 0, GW_VA(64), &h), GNTST_okay);
    ck_assert_uint_eq(h, 17);
}
END_TEST

START_TEST(pin_count_saturates)
{
    struct gw_dom *big = gw_dom_new(DM + 10, 1, 1, GNTTAB_PIN_MAX + 2);
    grant_handle_t h;
    uint64_t frame;

    gw_grant(g, 7, big->id, 0x707, 0);
    for (unsigned i = 0; i < GNTTAB_PIN_MAX; i++)
        ck_assert_int_eq(map(big, 7, GNTMAP_readonly, GW_VA(i), &h), GNTST_okay);
    ck_assert_uint_eq(g->gt.active[7].pin[GNTTAB_PIN_MAP_RO], GNTTAB_PIN_MAX);
    ck_assert_int_eq(map(big, 7, GNTMAP_readonly, GW_VA(0), &h), GNTST_general_error);
    ck_assert_int_eq(gnttab_copy_pin(&g->gt, 7, big->id, false, &frame), GNTST_okay);
    gnttab_copy_unpin(&g->gt, 7, false);
    ck_assert_uint_eq(g->gt.active[7].pin[GNTTAB_PIN_MAP_RO], GNTTAB_PIN_MAX);
    ck_assert_uint_eq(big->mt.nr_live, GNTTAB_PIN_MAX);
    /* Other kinds are counted on their own. */
    ck_assert_int_eq(map(big, 7, 0, GW_VA(0), &h), GNTST_okay);

    uint32_t cursor = 0;
    while (gnttab_maptrack_release(&big->mt, &cursor, 4096, NULL, NULL) == -XEN_ERESTART)
        ;
    ck_assert(gnttab_table_idle(&g->gt));
    ck_assert_uint_eq(gw_flags(g, 7), GTF_permit_access);
    gw_dom_free(big);
}
END_TEST

START_TEST(closed_sides_refuse_new_work)
{
    grant_handle_t h;
    uint64_t frame;

    ck_assert_int_eq(map(m, 2, 0, GW_VA(0), &h), GNTST_okay);
    gnttab_table_close(&g->gt);
    ck_assert_int_eq(map(m, 2, 0, GW_VA(1), &h), GNTST_bad_domain);
    ck_assert_int_eq(map(m, 3, GNTMAP_readonly, GW_VA(1), &h), GNTST_bad_domain);
    ck_assert_int_eq(gnttab_copy_pin(&g->gt, 2, DM, false, &frame), GNTST_bad_domain);
    ck_assert(!gnttab_table_idle(&g->gt));
    /* What is mapped can still be unmapped. */
    unmap(0, GW_VA(0));
    ck_assert(gnttab_table_idle(&g->gt));

    /* A maptrack being released takes no new mapping. */
    uint32_t cursor = 0;
    gw_reset_table(g, 1);
    gw_grant(g, 2, DM, 0x202, 0);
    ck_assert_int_eq(gnttab_maptrack_release(&m->mt, &cursor, 1, NULL, NULL), 0);
    ck_assert_int_eq(map(m, 2, 0, GW_VA(1), &h), GNTST_general_error);
    ck_assert_uint_eq(gw_flags(g, 2), GTF_permit_access);
}
END_TEST

/* security.md: destroying either side with 10k live mappings -> no leak. */
struct put_log {
    unsigned calls;
    uint64_t frame_sum;
};

static void put_count(void *ctx, const struct gnttab_mapping *mp)
{
    struct put_log *log = ctx;
    log->calls++;
    log->frame_sum += mp->frame;
}

static void map_10k(struct gw_dom *gr, struct gw_dom *mp, uint64_t *frame_sum)
{
    *frame_sum = 0;
    for (grant_ref_t r = 0; r < 1024; r++)
        gw_grant(gr, r, mp->id, 0x1000 + r, 0);
    for (unsigned i = 0; i < 10000; i++) {
        grant_handle_t h;
        uint64_t frame;
        grant_ref_t r = (i * 7) % 1024;
        uint32_t fl = GNTMAP_host_map | ((i % 3) ? GNTMAP_readonly : 0);

        ck_assert_int_eq(gnttab_map(&gr->gt, &mp->mt, r, fl, GW_VA(i), &h, &frame),
                         GNTST_okay);
        *frame_sum += frame;
    }
}

START_TEST(destroy_mapper_with_10k_mappings)
{
    struct gw_dom *gr = gw_dom_new(DG + 20, 2, 2, 1), *mp = gw_dom_new(DM + 20, 1, 1, 12000);
    struct gw_dom *all[] = { gr, mp };
    struct put_log log = { 0, 0 };
    uint64_t sum;
    unsigned restarts = 0;
    uint32_t cursor = 0;
    int rc;

    map_10k(gr, mp, &sum);
    gw_check(all, 2);
    while ((rc = gnttab_maptrack_release(&mp->mt, &cursor, 64, put_count, &log)) ==
           -XEN_ERESTART)
        restarts++;
    ck_assert_int_eq(rc, 0);
    ck_assert_uint_ge(restarts, 10000 / 64);
    ck_assert_uint_eq(log.calls, 10000);
    ck_assert_uint_eq(log.frame_sum, sum);
    ck_assert_uint_eq(gnttab_maptrack_live(&mp->mt), 0);
    ck_assert(gnttab_table_idle(&gr->gt));
    for (grant_ref_t r = 0; r < 1024; r++)
        ck_assert_uint_eq(gw_flags(gr, r), GTF_permit_access);
    gw_check(all, 2);
    gw_dom_free(gr);
    gw_dom_free(mp);
}
END_TEST

START_TEST(destroy_granter_with_10k_mappings)
{
    struct gw_dom *gr = gw_dom_new(DG + 20, 2, 2, 1), *mp = gw_dom_new(DM + 20, 1, 1, 12000);
    struct gw_dom *all[] = { gr, mp };
    struct gnttab_mapping out;
    grant_handle_t h;
    uint64_t sum, frame;
    uint32_t cursor = 0;

    map_10k(gr, mp, &sum);
    gnttab_table_close(&gr->gt);
    /* The granter is gone for new work, its table stays for the mappings. */
    ck_assert_int_eq(gnttab_map(&gr->gt, &mp->mt, 0, GNTMAP_host_map, GW_VA(0), &h, &frame),
                     GNTST_bad_domain);
    ck_assert(!gnttab_table_idle(&gr->gt));
    ck_assert_uint_eq(gr->gt.nr_pins, 10000);
    /* The mapper unmaps some itself, then dies with the rest. */
    for (grant_handle_t i = 0; i < 5000; i += 2) {
        ck_assert_int_eq(gnttab_unmap_check(&mp->mt, i, GW_VA(i), &out), GNTST_okay);
        gnttab_unmap_commit(&mp->mt, i);
    }
    ck_assert_uint_eq(gr->gt.nr_pins, 7500);
    gw_check(all, 2);
    struct put_log log = { 0, 0 };
    while (gnttab_maptrack_release(&mp->mt, &cursor, 3, put_count, &log) == -XEN_ERESTART)
        ;
    ck_assert_uint_eq(log.calls, 7500);
    ck_assert(gnttab_table_idle(&gr->gt));
    gw_check(all, 2);
    gw_dom_free(gr);
    gw_dom_free(mp);
}
END_TEST

Suite *gnttab_hostile_suite(void); /* called by tests/unit/main.c */

Suite *gnttab_hostile_suite(void)
{
    Suite *s = suite_create("gnttab_hostile");
    TCase *t = tcase_create("hostile");

    tcase_add_checked_fixture(t, setup, teardown);
    tcase_add_test(t, ref_beyond_table_is_bad_gntref);
    tcase_add_test(t, entry_not_granted_to_us_is_denied);
    tcase_add_test(t, writable_map_of_readonly_grant_is_denied);
    tcase_add_test(t, bogus_unmap_is_bad_handle);
    tcase_add_test(t, double_unmap_is_bad_handle);
    tcase_add_test(t, misaligned_pte_address_is_bad_virt_addr);
    tcase_add_test(t, unmap_at_other_address_is_refused);
    tcase_add_test(t, revoke_while_mapped_is_refused);
    tcase_add_test(t, forced_revoke_while_mapped_does_not_break_accounting);
    tcase_add_test(t, pinned_entry_belongs_to_one_grantee);
    tcase_add_test(t, bad_flags);
    tcase_add_test(t, maptrack_full_is_no_device_space);
    tcase_add_test(t, pin_count_saturates);
    tcase_add_test(t, closed_sides_refuse_new_work);
    tcase_add_test(t, destroy_mapper_with_10k_mappings);
    tcase_add_test(t, destroy_granter_with_10k_mappings);
    suite_add_tcase(s, t);
    return s;
}
