/*
 * Grant table core, the flags protocol on the shared entry: GTF_reading set
 * at the first pin and cleared at the last, GTF_writing only for write pins,
 * the granter's other bits never disturbed; the frame taken once at the
 * first pin. Then the granter racing the hypervisor: a write landing
 * between our check and our compare-exchange (played deterministically by
 * the world's arch hook), a granter that never stops writing, and a real
 * granter thread revoking and regranting while we map and unmap.
 */
#include <check.h>
#include <pthread.h>
#include <time.h>

#include "gnttab_world.h"

enum { DG = 1, DM = 2, DX = 3 };

static struct gw_dom *g, *m;

static void setup(void)
{
    g = gw_dom_new(DG, 1, 1, 1);
    m = gw_dom_new(DM, 1, 1, 64);
    gw_set_race(NULL, NULL, 0);
}

static void teardown(void)
{
    gw_set_race(NULL, NULL, 0);
    gw_dom_free(g);
    gw_dom_free(m);
}

static void check_all(void)
{
    struct gw_dom *all[] = { g, m };
    gw_check(all, 2);
}

static int map(grant_ref_t ref, uint32_t flags, unsigned slot, grant_handle_t *h,
               uint64_t *frame)
{
    return gnttab_map(&g->gt, &m->mt, ref, GNTMAP_host_map | flags, GW_VA(slot), h, frame);
}

static void unmap(grant_handle_t h, unsigned slot)
{
    struct gnttab_mapping out;

    ck_assert_int_eq(gnttab_unmap_check(&m->mt, h, GW_VA(slot), &out), GNTST_okay);
    gnttab_unmap_commit(&m->mt, h);
}

START_TEST(readonly_pins_set_reading_only)
{
    grant_handle_t a, b;
    uint64_t f;

    gw_grant(g, 10, DM, 0xA, 0);
    ck_assert_int_eq(map(10, GNTMAP_readonly, 0, &a, &f), GNTST_okay);
    ck_assert_uint_eq(gw_flags(g, 10), GTF_permit_access | GTF_reading);
    ck_assert_int_eq(map(10, GNTMAP_readonly, 1, &b, &f), GNTST_okay);
    ck_assert_uint_eq(gw_flags(g, 10), GTF_permit_access | GTF_reading);
    unmap(a, 0);
    ck_assert_uint_eq(gw_flags(g, 10), GTF_permit_access | GTF_reading);  /* b left */
    check_all();
    unmap(b, 1);
    ck_assert_uint_eq(gw_flags(g, 10), GTF_permit_access);
    check_all();
}
END_TEST

START_TEST(write_pins_set_writing_until_the_last)
{
    grant_handle_t w1, w2, r;
    uint64_t f;

    gw_grant(g, 11, DM, 0xB, 0);
    ck_assert_int_eq(map(11, 0, 0, &w1, &f), GNTST_okay);
    ck_assert_uint_eq(gw_flags(g, 11), GTF_permit_access | GTF_reading | GTF_writing);
    ck_assert_int_eq(map(11, GNTMAP_readonly, 1, &r, &f), GNTST_okay);
    ck_assert_int_eq(map(11, 0, 2, &w2, &f), GNTST_okay);
    unmap(w1, 0);
    ck_assert_uint_eq(gw_flags(g, 11), GTF_permit_access | GTF_reading | GTF_writing);
    unmap(w2, 2);
    ck_assert_uint_eq(gw_flags(g, 11), GTF_permit_access | GTF_reading);
    check_all();
    /* A write pin after read pins sets writing again (grant still rw). */
    ck_assert_int_eq(map(11, 0, 3, &w1, &f), GNTST_okay);
    ck_assert_uint_eq(gw_flags(g, 11), GTF_permit_access | GTF_reading | GTF_writing);
    unmap(r, 1);
    ck_assert_uint_eq(gw_flags(g, 11), GTF_permit_access | GTF_reading | GTF_writing);
    unmap(w1, 3);
    ck_assert_uint_eq(gw_flags(g, 11), GTF_permit_access);
    check_all();
}
END_TEST

START_TEST(granter_bits_domid_and_frame_are_left_alone)
{
    const uint16_t extra = GTF_PWT | GTF_PCD | GTF_PAT;
    grant_handle_t h;
    uint64_t f;

    gw_grant(g, 12, DM, 0xC0FFEE, extra);
    ck_assert_int_eq(map(12, 0, 0, &h, &f), GNTST_okay);
    ck_assert_uint_eq(f, 0xC0FFEE);
    struct grant_entry_v1 *e = gw_entry(g, 12);
    ck_assert_uint_eq(e->flags, GTF_permit_access | extra | GTF_reading | GTF_writing);
    ck_assert_uint_eq(e->domid, DM);
    ck_assert_uint_eq(e->frame, 0xC0FFEE);
    unmap(h, 0);
    ck_assert_uint_eq(e->flags, GTF_permit_access | extra);
    ck_assert_uint_eq(e->domid, DM);
    ck_assert_uint_eq(e->frame, 0xC0FFEE);
    /* Neighbours untouched. */
    ck_assert_uint_eq(gw_flags(g, 11), 0);
    ck_assert_uint_eq(gw_flags(g, 13), 0);
}
END_TEST

START_TEST(frame_is_taken_at_first_pin)
{
    grant_handle_t a, b, c;
    uint64_t f;

    gw_grant(g, 14, DM, 0x111, 0);
    ck_assert_int_eq(map(14, GNTMAP_readonly, 0, &a, &f), GNTST_okay);
    ck_assert_uint_eq(f, 0x111);
    /* The granter (illegally) points the pinned entry at another frame. */
    __atomic_store_n(&gw_entry(g, 14)->frame, 0x222, __ATOMIC_SEQ_CST);
    ck_assert_int_eq(map(14, GNTMAP_readonly, 1, &b, &f), GNTST_okay);
    ck_assert_uint_eq(f, 0x111);
    ck_assert_int_eq(map(14, 0, 2, &c, &f), GNTST_okay);
    ck_assert_uint_eq(f, 0x111);
    check_all();
    unmap(a, 0);
    unmap(b, 1);
    unmap(c, 2);
    /* Unpinned: the next first pin reads the frame again. */
    ck_assert_int_eq(map(14, 0, 3, &a, &f), GNTST_okay);
    ck_assert_uint_eq(f, 0x222);
    check_all();
}
END_TEST

/* --- The granter writing between our check and our exchange --------------- */

static void race_revoke(uint32_t *word, void *arg)
{
    (void)arg;
    /* Legal: reading/writing are clear at this point. */
    __atomic_store_n((uint16_t *)(void *)word, (uint16_t)0, __ATOMIC_SEQ_CST);
}

static void race_regrant(uint32_t *word, void *arg)
{
    domid_t to = (domid_t)(uintptr_t)arg;
    __atomic_store_n((uint16_t *)(void *)word + 1, to, __ATOMIC_SEQ_CST);
}

static void race_set_bits(uint32_t *word, void *arg)
{
    __atomic_fetch_or((uint16_t *)(void *)word, (uint16_t)(uintptr_t)arg, __ATOMIC_SEQ_CST);
}

static void race_flip_pwt(uint32_t *word, void *arg)
{
    (void)arg;
    __atomic_fetch_xor((uint16_t *)(void *)word, (uint16_t)GTF_PWT, __ATOMIC_SEQ_CST);
}

START_TEST(race_revoke_before_exchange)
{
    grant_handle_t h;
    uint64_t f;

    gw_grant(g, 20, DM, 0x20, 0);
    gw_set_race(race_revoke, NULL, 1);
    ck_assert_int_eq(map(20, 0, 0, &h, &f), GNTST_permission_denied);
    ck_assert_uint_eq(gw_cmpxchg_calls(), 1);      /* re-checked, not retried */
    ck_assert_uint_eq(gw_flags(g, 20), 0);         /* we set nothing */
    ck_assert_uint_eq(m->mt.nr_live, 0);
    ck_assert_uint_eq(m->mt.used, 0);
    check_all();

    gw_grant(g, 20, DM, 0x20, 0);
    gw_set_race(race_revoke, NULL, 1);
    ck_assert_int_eq(map(20, GNTMAP_readonly, 0, &h, &f), GNTST_permission_denied);
    check_all();
}
END_TEST

START_TEST(race_regrant_to_other_before_exchange)
{
    grant_handle_t h;
    uint64_t f;

    gw_grant(g, 21, DM, 0x21, 0);
    gw_set_race(race_regrant, (void *)(uintptr_t)DX, 1);
    ck_assert_int_eq(map(21, GNTMAP_readonly, 0, &h, &f), GNTST_permission_denied);
    ck_assert_uint_eq(gw_flags(g, 21), GTF_permit_access);
    ck_assert_uint_eq(gw_entry(g, 21)->domid, DX);
    check_all();
}
END_TEST

START_TEST(race_make_readonly_before_exchange)
{
    grant_handle_t h, r;
    uint64_t f;

    gw_grant(g, 22, DM, 0x22, 0);
    gw_set_race(race_set_bits, (void *)(uintptr_t)GTF_readonly, 1);
    ck_assert_int_eq(map(22, 0, 0, &h, &f), GNTST_permission_denied);
    ck_assert_uint_eq(gw_flags(g, 22), GTF_permit_access | GTF_readonly);
    check_all();

    /* Same race on a read-pinned entry, when the first write pin comes. */
    gw_grant(g, 23, DM, 0x23, 0);
    ck_assert_int_eq(map(23, GNTMAP_readonly, 1, &r, &f), GNTST_okay);
    gw_set_race(race_set_bits, (void *)(uintptr_t)GTF_readonly, 1);
    ck_assert_int_eq(map(23, 0, 2, &h, &f), GNTST_permission_denied);
    ck_assert_uint_eq(gw_flags(g, 23), GTF_permit_access | GTF_readonly | GTF_reading);
    ck_assert_uint_eq(g->gt.active[23].pin[GNTTAB_PIN_MAP_RO], 1);
    ck_assert_uint_eq(g->gt.active[23].pin[GNTTAB_PIN_MAP_RW], 0);
    check_all();

    /* A read-only map does not care. */
    gw_grant(g, 24, DM, 0x24, 0);
    gw_set_race(race_set_bits, (void *)(uintptr_t)GTF_readonly, 1);
    ck_assert_int_eq(map(24, GNTMAP_readonly, 3, &h, &f), GNTST_okay);
    ck_assert_uint_eq(gw_flags(g, 24), GTF_permit_access | GTF_readonly | GTF_reading);
    check_all();
}
END_TEST

START_TEST(race_harmless_change_is_retried)
{
    grant_handle_t h;
    uint64_t f;

    gw_grant(g, 25, DM, 0x25, 0);
    gw_set_race(race_flip_pwt, NULL, 1);
    ck_assert_int_eq(map(25, 0, 0, &h, &f), GNTST_okay);
    ck_assert_uint_eq(gw_cmpxchg_calls(), 2);
    ck_assert_uint_eq(gw_flags(g, 25),
                      GTF_permit_access | GTF_PWT | GTF_reading | GTF_writing);
    check_all();
}
END_TEST

START_TEST(race_unstable_entry_gives_up)
{
    grant_handle_t h;
    uint64_t f;

    /* Changes before each of the first ATTEMPTS - 1 exchanges: still okay. */
    gw_grant(g, 26, DM, 0x26, 0);
    gw_set_race(race_flip_pwt, NULL, GNTTAB_ENTRY_ATTEMPTS - 1);
    ck_assert_int_eq(map(26, 0, 0, &h, &f), GNTST_okay);
    ck_assert_uint_eq(gw_cmpxchg_calls(), GNTTAB_ENTRY_ATTEMPTS);
    check_all();

    /* A granter that never stops: a bounded number of attempts, no pin. */
    gw_grant(g, 27, DM, 0x27, 0);
    gw_set_race(race_flip_pwt, NULL, 1000);
    ck_assert_int_eq(map(27, 0, 1, &h, &f), GNTST_general_error);
    ck_assert_uint_eq(gw_cmpxchg_calls(), GNTTAB_ENTRY_ATTEMPTS);
    ck_assert_uint_eq(gw_flags(g, 27) & (GTF_reading | GTF_writing), 0);
    ck_assert_uint_eq(m->mt.nr_live, 1);
    ck_assert_uint_eq(g->gt.nr_pins, 1);
    check_all();
}
END_TEST

START_TEST(race_on_copy_pin)
{
    uint64_t f;

    gw_grant(g, 28, DM, 0x28, 0);
    gw_set_race(race_revoke, NULL, 1);
    ck_assert_int_eq(gnttab_copy_pin(&g->gt, 28, DM, false, &f), GNTST_permission_denied);
    ck_assert_uint_eq(gw_flags(g, 28), 0);
    ck_assert(gnttab_table_idle(&g->gt));
}
END_TEST

/* --- A real granter thread ---------------------------------------------------
 * The granter follows the protocol: revoke only with reading/writing clear,
 * then regrant with a new frame (domid, frame, release-store of flags). So
 * whenever our map succeeds, the frame it returned is the one in the entry
 * and stays there until we unmap. */

struct granter_thread {
    struct gw_dom *g;
    grant_ref_t ref;
    volatile bool stop;
    unsigned long cycles;
};

static void *granter_main(void *arg)
{
    struct granter_thread *t = arg;
    uint32_t frame = 0x1000;

    while (!__atomic_load_n(&t->stop, __ATOMIC_ACQUIRE)) {
        if (!gw_revoke(t->g, t->ref))
            continue;
        frame++;
        gw_grant(t->g, t->ref, DM, frame, (frame & 1) ? GTF_readonly : 0);
        __atomic_fetch_add(&t->cycles, 1, __ATOMIC_RELAXED);
    }
    return NULL;
}

START_TEST(granter_thread_revoking_and_regranting)
{
    struct granter_thread t = { .g = g, .ref = 30, .stop = false, .cycles = 0 };
    unsigned long ok = 0, denied = 0;
    pthread_t th;
    time_t start = time(NULL);

    gw_grant(g, 30, DM, 0x1000, 0);
    ck_assert_int_eq(pthread_create(&th, NULL, granter_main, &t), 0);
    for (unsigned long i = 0; i < 2000000; i++) {
        grant_handle_t h;
        uint64_t f;
        uint32_t fl = (i & 1) ? GNTMAP_readonly : 0;
        int rc = map(30, fl, 0, &h, &f);

        if (rc == GNTST_okay) {
            const struct grant_entry_v1 *e = gw_entry(g, 30);
            uint16_t flags = __atomic_load_n(&e->flags, __ATOMIC_ACQUIRE);
            ck_assert_uint_eq(__atomic_load_n(&e->frame, __ATOMIC_ACQUIRE), f);
            ck_assert(flags & GTF_reading);
            ck_assert(!!(flags & GTF_writing) == !fl);
            ck_assert(fl || !(flags & GTF_readonly));
            unmap(h, 0);
            ok++;
        } else {
            /* Denied (revoked, or read-only for a writable map), or, when
               the granter rewrote the entry through every attempt (a busy
               machine can line that up), the documented general_error of
               an unstable entry. Either way nothing may be mapped. */
            ck_assert(rc == GNTST_permission_denied || rc == GNTST_general_error);
            ck_assert_uint_eq(m->mt.nr_live, 0);
            denied++;
        }
        /* Enough of both outcomes, or a loaded machine: stop after 5 s. */
        if (ok >= 5000 && denied >= 5000 && __atomic_load_n(&t.cycles, __ATOMIC_RELAXED) >= 5000)
            break;
        if ((i & 0xFFF) == 0 && time(NULL) - start >= 5)
            break;
    }
    __atomic_store_n(&t.stop, true, __ATOMIC_RELEASE);
    ck_assert_int_eq(pthread_join(th, NULL), 0);
    ck_assert_uint_gt(ok, 0);
    ck_assert_uint_gt(__atomic_load_n(&t.cycles, __ATOMIC_RELAXED), 0);
    ck_assert(gnttab_table_idle(&g->gt));
    ck_assert_uint_eq(gw_flags(g, 30) & (GTF_reading | GTF_writing), 0);
    check_all();
}
END_TEST

Suite *gnttab_flags_suite(void); /* called by tests/unit/main.c */

Suite *gnttab_flags_suite(void)
{
    Suite *s = suite_create("gnttab_flags");
    TCase *t = tcase_create("protocol");
    TCase *r = tcase_create("race");

    tcase_add_checked_fixture(t, setup, teardown);
    tcase_add_test(t, readonly_pins_set_reading_only);
    tcase_add_test(t, write_pins_set_writing_until_the_last);
    tcase_add_test(t, granter_bits_domid_and_frame_are_left_alone);
    tcase_add_test(t, frame_is_taken_at_first_pin);
    suite_add_tcase(s, t);

    tcase_add_checked_fixture(r, setup, teardown);
    tcase_set_timeout(r, 30);
    tcase_add_test(r, race_revoke_before_exchange);
    tcase_add_test(r, race_regrant_to_other_before_exchange);
    tcase_add_test(r, race_make_readonly_before_exchange);
    tcase_add_test(r, race_harmless_change_is_retried);
    tcase_add_test(r, race_unstable_entry_gives_up);
    tcase_add_test(r, race_on_copy_pin);
    tcase_add_test(r, granter_thread_revoking_and_regranting);
    suite_add_tcase(s, r);
    return s;
}
