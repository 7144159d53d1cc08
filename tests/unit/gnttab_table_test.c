/*
 * Grant table core, the bookkeeping: table size (setup_table, query_size,
 * set_version), the hypervisor's seeding of reserved entries, host address
 * rules, copy argument checks, and maptrack handle allocation.
 */
#include <check.h>
#include <stdlib.h>

#include "gnttab_world.h"

enum { D0 = 0, D1 = 1, D2 = 2 };

START_TEST(table_sizes_and_growth)
{
    struct gw_dom *g = gw_dom_new(D1, 1, 4, 8);
    uint32_t nr, max;

    ck_assert_uint_eq(GNTTAB_PER_FRAME, 512);
    ck_assert_uint_eq(gnttab_nr_entries(&g->gt), 512);
    gnttab_query_size(&g->gt, &nr, &max);
    ck_assert_uint_eq(nr, 1);
    ck_assert_uint_eq(max, 4);

    /* setup_table: up to max_frames is fine (even fewer than present). */
    ck_assert_int_eq(gnttab_setup_check(&g->gt, 0), GNTST_okay);
    ck_assert_int_eq(gnttab_setup_check(&g->gt, 4), GNTST_okay);
    ck_assert_int_eq(gnttab_setup_check(&g->gt, 5), GNTST_general_error);
    ck_assert_int_eq(gnttab_setup_check(&g->gt, UINT32_MAX), GNTST_general_error);

    for (uint32_t i = 1; i < 4; i++)
        ck_assert_int_eq(gw_grow(g), GNTST_okay);
    ck_assert_uint_eq(gnttab_nr_entries(&g->gt), 2048);
    for (uint32_t i = 0; i < 4; i++)
        ck_assert_uint_eq(gnttab_frame_mfn(&g->gt, i), gw_mfn(g, i));
    /* A fifth frame is refused, the table unchanged. */
    ck_assert_int_eq(gw_grow(g), GNTST_general_error);
    ck_assert_int_eq(gnttab_table_add_frame(&g->gt, NULL, 7), GNTST_general_error);
    gnttab_query_size(&g->gt, &nr, &max);
    ck_assert_uint_eq(nr, 4);
    ck_assert_ptr_null(gnttab_active_of(&g->gt, 2048));
    ck_assert_ptr_nonnull(gnttab_active_of(&g->gt, 2047));
    gw_dom_free(g);
}
END_TEST

START_TEST(grown_refs_become_valid_and_start_unpinned)
{
    struct gw_dom *g = gw_dom_new(D1, 1, 2, 8), *m = gw_dom_new(D2, 1, 1, 8);
    grant_handle_t h;
    uint64_t frame;

    gw_grant(g, 600, D2, 0x600, 0);   /* the guest writes past the table */
    ck_assert_int_eq(gnttab_map(&g->gt, &m->mt, 600, GNTMAP_host_map, GW_VA(0), &h, &frame),
                     GNTST_bad_gntref);
    ck_assert_int_eq(gw_grow(g), GNTST_okay);
    gw_grant(g, 600, D2, 0x600, 0);   /* gw_grow zeroed the new frame */
    /* The active entries of the new frame were garbage before (world). */
    for (grant_ref_t r = 512; r < 1024; r++)
        for (unsigned k = 0; k < GNTTAB_PIN_KINDS; k++)
            ck_assert_uint_eq(gnttab_active_of(&g->gt, r)->pin[k], 0);
    ck_assert_int_eq(gnttab_map(&g->gt, &m->mt, 600, GNTMAP_host_map, GW_VA(0), &h, &frame),
                     GNTST_okay);
    ck_assert_uint_eq(frame, 0x600);
    struct gw_dom *all[] = { g, m };
    gw_check(all, 2);
    gw_dom_free(g);
    gw_dom_free(m);
}
END_TEST

START_TEST(set_version_v1_only)
{
    struct gw_dom *g = gw_dom_new(D1, 1, 1, 1);

    ck_assert_int_eq(gnttab_set_version(&g->gt, 1), 0);
    ck_assert_int_eq(gnttab_set_version(&g->gt, 2), -XEN_ENOSYS);
    ck_assert_int_eq(gnttab_set_version(&g->gt, 0), -XEN_EINVAL);
    ck_assert_int_eq(gnttab_set_version(&g->gt, 3), -XEN_EINVAL);
    gw_dom_free(g);
}
END_TEST

START_TEST(seed_reserved_entries)
{
    struct gw_dom *g = gw_dom_new(D1, 1, 1, 1), *back = gw_dom_new(D0, 1, 1, 4);
    grant_handle_t h;
    uint64_t frame;

    ck_assert_int_eq(gnttab_seed(&g->gt, GNTTAB_RESERVED_CONSOLE, D0, 0x1234, false),
                     GNTST_okay);
    ck_assert_int_eq(gnttab_seed(&g->gt, GNTTAB_RESERVED_XENSTORE, D0, 0x5678, true),
                     GNTST_okay);
    ck_assert_int_eq(gnttab_seed(&g->gt, 512, D0, 1, false), GNTST_bad_gntref);
    ck_assert_int_eq(gnttab_seed(&g->gt, 2, D0, 1ull << 32, false), GNTST_address_too_big);
    ck_assert_uint_eq(gw_flags(g, 2), 0);

    struct grant_entry_v1 *e = gw_entry(g, 0);
    ck_assert_uint_eq(e->flags, GTF_permit_access);
    ck_assert_uint_eq(e->domid, D0);
    ck_assert_uint_eq(e->frame, 0x1234);
    ck_assert_uint_eq(gw_entry(g, 1)->flags, GTF_permit_access | GTF_readonly);

    /* Entries 0 and 1 are ordinary refs for mapping. */
    ck_assert_int_eq(gnttab_map(&g->gt, &back->mt, 0, GNTMAP_host_map, GW_VA(1), &h, &frame),
                     GNTST_okay);
    ck_assert_uint_eq(frame, 0x1234);
    ck_assert_int_eq(gnttab_map(&g->gt, &back->mt, 1, GNTMAP_host_map, GW_VA(2), &h, &frame),
                     GNTST_permission_denied);
    ck_assert_int_eq(gnttab_map(&g->gt, &back->mt, 1, GNTMAP_host_map | GNTMAP_readonly,
                                GW_VA(2), &h, &frame),
                     GNTST_okay);
    ck_assert_uint_eq(frame, 0x5678);
    gw_dom_free(g);
    gw_dom_free(back);
}
END_TEST

START_TEST(host_addr_rules)
{
    /* contains_pte: the PTE's machine address, 8-byte aligned. */
    ck_assert_int_eq(gnttab_check_host_addr(GNTMAP_host_map | GNTMAP_contains_pte, 0x1008),
                     GNTST_okay);
    ck_assert_int_eq(gnttab_check_host_addr(GNTMAP_contains_pte, 0xFFFFFFFFFFFFFFF8ull),
                     GNTST_okay);
    for (unsigned off = 1; off < 8; off++)
        ck_assert_int_eq(gnttab_check_host_addr(GNTMAP_contains_pte, 0x1000 + off),
                         GNTST_bad_virt_addr);
    /* Virtual address: page-aligned and canonical. */
    ck_assert_int_eq(gnttab_check_host_addr(GNTMAP_host_map, 0), GNTST_okay);
    ck_assert_int_eq(gnttab_check_host_addr(GNTMAP_host_map, 0x00007FFFFFFFF000ull),
                     GNTST_okay);
    ck_assert_int_eq(gnttab_check_host_addr(GNTMAP_host_map, 0xFFFF800000000000ull),
                     GNTST_okay);
    ck_assert_int_eq(gnttab_check_host_addr(GNTMAP_host_map, 0x1008), GNTST_bad_virt_addr);
    ck_assert_int_eq(gnttab_check_host_addr(GNTMAP_host_map, 0x0000800000000000ull),
                     GNTST_bad_virt_addr);
    ck_assert_int_eq(gnttab_check_host_addr(GNTMAP_host_map, 0xFFFF7FFFFFFFF000ull),
                     GNTST_bad_virt_addr);
}
END_TEST

static struct gnttab_copy copy_op(uint16_t flags, domid_t sd, uint16_t soff, domid_t dd,
                                  uint16_t doff, uint16_t len)
{
    struct gnttab_copy op = { 0 };

    op.flags = flags;
    op.source.domid = sd;
    op.source.offset = soff;
    op.dest.domid = dd;
    op.dest.offset = doff;
    op.len = len;
    return op;
}

START_TEST(copy_argument_checks)
{
    const uint16_t both = GNTCOPY_source_gref | GNTCOPY_dest_gref;
    struct gnttab_copy op;

    op = copy_op(both, D1, 0, D2, 0, 4096);
    ck_assert_int_eq(gnttab_copy_check(&op), GNTST_okay);
    op = copy_op(both, D1, 4095, D2, 0, 1);
    ck_assert_int_eq(gnttab_copy_check(&op), GNTST_okay);
    op = copy_op(both, D1, 0, D2, 0, 0);
    ck_assert_int_eq(gnttab_copy_check(&op), GNTST_okay);
    /* Ranges leaving the page, on either side, even by one byte. */
    op = copy_op(both, D1, 4095, D2, 0, 2);
    ck_assert_int_eq(gnttab_copy_check(&op), GNTST_bad_copy_arg);
    op = copy_op(both, D1, 0, D2, 1, 4096);
    ck_assert_int_eq(gnttab_copy_check(&op), GNTST_bad_copy_arg);
    op = copy_op(both, D1, 0xFFFF, D2, 0, 0xFFFF);
    ck_assert_int_eq(gnttab_copy_check(&op), GNTST_bad_copy_arg);
    op = copy_op(both, D1, 0, D2, 0, 4097);
    ck_assert_int_eq(gnttab_copy_check(&op), GNTST_bad_copy_arg);
    /* Unknown flags. */
    op = copy_op(both | 4, D1, 0, D2, 0, 8);
    ck_assert_int_eq(gnttab_copy_check(&op), GNTST_bad_copy_arg);
    /* A frame number reaches only the caller's own memory. */
    op = copy_op(GNTCOPY_dest_gref, DOMID_SELF, 0, D2, 0, 8);
    ck_assert_int_eq(gnttab_copy_check(&op), GNTST_okay);
    op = copy_op(GNTCOPY_dest_gref, D1, 0, D2, 0, 8);
    ck_assert_int_eq(gnttab_copy_check(&op), GNTST_permission_denied);
    op = copy_op(GNTCOPY_source_gref, D1, 0, D0, 0, 8);
    ck_assert_int_eq(gnttab_copy_check(&op), GNTST_permission_denied);
    op = copy_op(0, DOMID_SELF, 0, DOMID_SELF, 0, 8);
    ck_assert_int_eq(gnttab_copy_check(&op), GNTST_okay);
}
END_TEST

START_TEST(copy_pins_set_and_clear_flags)
{
    struct gw_dom *g = gw_dom_new(D1, 1, 1, 1);
    uint64_t frame;

    gw_grant(g, 5, D2, 0x55, 0);
    gw_grant(g, 6, D2, 0x66, GTF_readonly);

    ck_assert_int_eq(gnttab_copy_pin(&g->gt, 5, D2, false, &frame), GNTST_okay);
    ck_assert_uint_eq(frame, 0x55);
    ck_assert_uint_eq(gw_flags(g, 5), GTF_permit_access | GTF_reading);
    ck_assert_int_eq(gnttab_copy_pin(&g->gt, 5, D2, true, &frame), GNTST_okay);
    ck_assert_uint_eq(gw_flags(g, 5), GTF_permit_access | GTF_reading | GTF_writing);
    ck_assert(!gw_revoke(g, 5));
    gnttab_copy_unpin(&g->gt, 5, true);
    ck_assert_uint_eq(gw_flags(g, 5), GTF_permit_access | GTF_reading);
    gnttab_copy_unpin(&g->gt, 5, false);
    ck_assert_uint_eq(gw_flags(g, 5), GTF_permit_access);
    ck_assert(gnttab_table_idle(&g->gt));

    /* A read-only grant is a copy source, never a destination. */
    ck_assert_int_eq(gnttab_copy_pin(&g->gt, 6, D2, true, &frame), GNTST_permission_denied);
    ck_assert_uint_eq(gw_flags(g, 6), GTF_permit_access | GTF_readonly);
    ck_assert_int_eq(gnttab_copy_pin(&g->gt, 6, D2, false, &frame), GNTST_okay);
    ck_assert_uint_eq(frame, 0x66);
    /* Somebody else cannot copy it, the copier cannot copy past the table. */
    ck_assert_int_eq(gnttab_copy_pin(&g->gt, 6, D0, false, &frame), GNTST_permission_denied);
    ck_assert_int_eq(gnttab_copy_pin(&g->gt, 512, D2, false, &frame), GNTST_bad_gntref);
    gnttab_copy_unpin(&g->gt, 6, false);
    ck_assert_uint_eq(gw_flags(g, 6), GTF_permit_access | GTF_readonly);
    ck_assert_uint_eq(g->gt.nr_pins, 0);

    gnttab_table_close(&g->gt);
    ck_assert_int_eq(gnttab_copy_pin(&g->gt, 5, D2, false, &frame), GNTST_bad_domain);
    gw_dom_free(g);
}
END_TEST

START_TEST(maptrack_handles_fifo_and_bounded)
{
    struct gw_dom *g = gw_dom_new(D1, 1, 1, 1), *m = gw_dom_new(D2, 1, 1, 4);
    struct gnttab_mapping out;
    grant_handle_t h[4], x;
    uint64_t frame;

    gw_grant(g, 9, D2, 0x99, 0);
    for (unsigned i = 0; i < 4; i++) {
        ck_assert_int_eq(gnttab_map(&g->gt, &m->mt, 9, GNTMAP_host_map | GNTMAP_readonly,
                                    GW_VA(i), &h[i], &frame),
                         GNTST_okay);
        ck_assert_uint_eq(h[i], i);   /* never-used entries first, in order */
    }
    ck_assert_uint_eq(gnttab_maptrack_live(&m->mt), 4);
    ck_assert_int_eq(gnttab_map(&g->gt, &m->mt, 9, GNTMAP_host_map | GNTMAP_readonly,
                                GW_VA(9), &x, &frame),
                     GNTST_no_device_space);

    /* Freed handles come back first-freed first. */
    unsigned order[] = { 2, 0, 3 };
    for (unsigned i = 0; i < 3; i++) {
        ck_assert_int_eq(gnttab_unmap_check(&m->mt, h[order[i]], GW_VA(order[i]), &out),
                         GNTST_okay);
        gnttab_unmap_commit(&m->mt, h[order[i]]);
    }
    for (unsigned i = 0; i < 3; i++) {
        ck_assert_int_eq(gnttab_map(&g->gt, &m->mt, 9, GNTMAP_host_map | GNTMAP_readonly,
                                    GW_VA(10 + i), &x, &frame),
                         GNTST_okay);
        ck_assert_uint_eq(x, order[i]);
    }
    ck_assert_uint_eq(g->gt.active[9].pin[GNTTAB_PIN_MAP_RO], 4);
    struct gw_dom *all[] = { g, m };
    gw_check(all, 2);
    gw_dom_free(g);
    gw_dom_free(m);
}
END_TEST

START_TEST(maptrack_of_size_zero)
{
    struct gw_dom *g = gw_dom_new(D1, 1, 1, 1), *m = gw_dom_new(D2, 1, 1, 0);
    grant_handle_t h;
    uint64_t frame;
    uint32_t cursor = 0;

    gw_grant(g, 3, D2, 0x33, 0);
    ck_assert_int_eq(gnttab_map(&g->gt, &m->mt, 3, GNTMAP_host_map, GW_VA(0), &h, &frame),
                     GNTST_no_device_space);
    ck_assert_uint_eq(gw_flags(g, 3), GTF_permit_access);
    ck_assert_int_eq(gnttab_maptrack_release(&m->mt, &cursor, 1, NULL, NULL), 0);
    gw_dom_free(g);
    gw_dom_free(m);
}
END_TEST

Suite *gnttab_table_suite(void); /* called by tests/unit/main.c */

Suite *gnttab_table_suite(void)
{
    Suite *s = suite_create("gnttab_table");
    TCase *t = tcase_create("table");

    tcase_add_test(t, table_sizes_and_growth);
    tcase_add_test(t, grown_refs_become_valid_and_start_unpinned);
    tcase_add_test(t, set_version_v1_only);
    tcase_add_test(t, seed_reserved_entries);
    tcase_add_test(t, host_addr_rules);
    tcase_add_test(t, copy_argument_checks);
    tcase_add_test(t, copy_pins_set_and_clear_flags);
    tcase_add_test(t, maptrack_handles_fifo_and_bounded);
    tcase_add_test(t, maptrack_of_size_zero);
    suite_add_tcase(s, t);
    return s;
}
