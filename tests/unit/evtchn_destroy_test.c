/*
 * Domain destruction: the preemptible evtchn_destroy() with a tiny budget
 * while three peers are connected to the victim in every way and keep
 * operating between its calls; what a dying table refuses; and a fresh
 * table for a reused domain id, which must inherit nothing.
 */
#include <check.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "evtchn_world.h"

#define DA 1
#define DB 2

static struct ew *w;
static struct evtchn_table *ta, *tb;
static struct ew_snap *snap;

static void setup(void)
{
    w = ew_new();
    ta = ew_add(w, DA, 2);
    tb = ew_add(w, DB, 2);
    snap = malloc(sizeof(*snap));
    ck_assert_ptr_nonnull(snap);
}

static void teardown(void)
{
    ew_free(w);
    free(snap);
}

/* Run `call`, expect `rc`, and prove nothing changed. */
#define EXPECT_REFUSED(call, rc)                                       \
    do {                                                               \
        ew_snap_take(w, snap);                                         \
        int got_ = (call);                                             \
        ck_assert_msg(got_ == (rc), "%s: %d, expected %d", #call, got_, (rc)); \
        ck_assert_msg(ew_snap_same(w, snap), "%s changed a table", #call); \
    } while (0)

/* Destruction with a tiny budget while every other domain is connected to
 * it in every way; peers stay consistent at every preemption point. */
START_TEST(preemptible_destroy_small_budget)
{
    struct evtchn_table *victim = ew_add(w, 7, 4);
    struct evtchn_table *peer[3];
    for (unsigned i = 0; i < 3; i++)
        peer[i] = ew_add(w, (uint16_t)(10 + i), 2);

    /* 3 x 600 channels each way, VIRQs, IPIs, unbound ports both ways. */
    for (unsigned i = 0; i < 3; i++) {
        for (unsigned k = 0; k < 600; k++) {
            int u = evtchn_alloc_unbound(peer[i], 7);
            ck_assert_int_gt(u, 0);
            ck_assert_int_gt(evtchn_bind_interdomain(&w->env, victim, peer[i]->domid,
                                                     (evtchn_port_t)u), 0);
            int v = evtchn_alloc_unbound(victim, peer[i]->domid);
            ck_assert_int_gt(v, 0);
            ck_assert_int_gt(evtchn_bind_interdomain(&w->env, peer[i], 7, (evtchn_port_t)v), 0);
        }
        ck_assert_int_gt(evtchn_alloc_unbound(peer[i], 7), 0);
        ck_assert_int_gt(evtchn_alloc_unbound(victim, peer[i]->domid), 0);
    }
    ck_assert_int_gt(evtchn_bind_virq(victim, VIRQ_TIMER, 3), 0);
    ck_assert_int_gt(evtchn_bind_virq(victim, VIRQ_CONSOLE, 0), 0);
    ck_assert_int_gt(evtchn_bind_ipi(victim, 2), 0);
    EW_ASSERT_OK(w);
    unsigned used = victim->nr_used;
    ck_assert_uint_eq(used, 3 * 1200 + 3 + 3);

    unsigned calls = 0, peer_closes = 0, closed_by[3] = {0, 0, 0};
    int rc;
    while ((rc = evtchn_destroy(&w->env, victim, 5)) == -ERESTART) {
        calls++;
        const char *err = ew_check(w);
        ck_assert_msg(err == NULL, "after call %u: %s", calls, err);
        /* Peers keep working meanwhile: a peer closes one of its channels
         * to the victim, and nobody can open a new one. */
        if (calls % 50 == 0) {
            struct evtchn_table *p = peer[calls % 3];
            for (evtchn_port_t q = EVTCHN_NR_PORTS - 1; q > 0; q--) {
                if (p->chan[q].state == EVTCHN_INTERDOMAIN) {
                    ck_assert_int_eq(evtchn_close(&w->env, p, q), 0);
                    peer_closes++;
                    closed_by[calls % 3]++;
                    break;
                }
            }
            int u = evtchn_alloc_unbound(p, 7);
            ck_assert_int_eq(evtchn_bind_interdomain(&w->env, p, 7, 1), -ESRCH);
            ck_assert_int_eq(evtchn_close(&w->env, p, (evtchn_port_t)u), 0);
        }
    }
    ck_assert_int_eq(rc, 0);
    ck_assert_uint_eq(calls, (EVTCHN_NR_PORTS - 1 + 4) / 5 - 1);   /* 5 ports per call */
    ck_assert_uint_gt(peer_closes, 0);
    ck_assert_uint_eq(victim->nr_used, 0);
    EW_ASSERT_OK(w);
    /* Every peer port that pointed at the victim and was not closed by the
     * peer now waits for id 7. */
    for (unsigned i = 0; i < 3; i++) {
        unsigned waiting = 0;
        for (evtchn_port_t q = 1; q < EVTCHN_NR_PORTS; q++) {
            ck_assert_int_ne(peer[i]->chan[q].state, EVTCHN_INTERDOMAIN);
            waiting += peer[i]->chan[q].state == EVTCHN_UNBOUND && peer[i]->chan[q].domid == 7;
        }
        ck_assert_uint_eq(waiting, 1201 - closed_by[i]);
    }
    ew_remove(w, 7);
    EW_ASSERT_OK(w);
}
END_TEST


START_TEST(dying_domain)
{
    struct evtchn_target tg;
    int u = evtchn_alloc_unbound(tb, DA);
    int b_to_a = evtchn_alloc_unbound(ta, DB);
    int a = evtchn_bind_interdomain(&w->env, ta, DB, (evtchn_port_t)u);
    ck_assert_int_eq(evtchn_bind_interdomain(&w->env, tb, DA, (evtchn_port_t)b_to_a), 2);
    ck_assert_int_eq(evtchn_destroy(&w->env, tb, 1), -ERESTART);   /* port 1 closed */
    ck_assert(tb->dying);
    ck_assert_int_eq(ta->chan[a].state, EVTCHN_UNBOUND);
    EW_ASSERT_OK(w);

    /* Nothing new in or to a dying table. */
    int u2 = evtchn_alloc_unbound(ta, DB);
    EXPECT_REFUSED(evtchn_alloc_unbound(tb, DA), -EINVAL);
    EXPECT_REFUSED(evtchn_bind_ipi(tb, 0), -EINVAL);
    EXPECT_REFUSED(evtchn_bind_virq(tb, VIRQ_TIMER, 0), -EINVAL);
    EXPECT_REFUSED(evtchn_bind_interdomain(&w->env, tb, DA, (evtchn_port_t)u2), -EINVAL);
    EXPECT_REFUSED(evtchn_bind_interdomain(&w->env, ta, DB, 2), -ESRCH);
    /* A still-connected peer sends into the void. */
    ck_assert_int_eq(evtchn_send(&w->env, ta, (evtchn_port_t)b_to_a, &tg), 0);
    ck_assert_ptr_null(tg.table);

    while (evtchn_destroy(&w->env, tb, 1) == -ERESTART)
        EW_ASSERT_OK(w);
    ck_assert_uint_eq(tb->nr_used, 0);
    ck_assert_int_eq(ta->chan[b_to_a].state, EVTCHN_UNBOUND);
    ck_assert_int_eq(evtchn_destroy(&w->env, tb, 1), 0);   /* idempotent */
    ew_remove(w, DB);
    EW_ASSERT_OK(w);
    EXPECT_REFUSED(evtchn_bind_interdomain(&w->env, ta, DB, 1), -ESRCH);
}
END_TEST

START_TEST(reused_domid_inherits_nothing)
{
    ck_assert_int_eq(evtchn_bind_virq(tb, VIRQ_TIMER, 1), 1);
    ck_assert_int_eq(evtchn_bind_ipi(tb, 1), 2);
    int u = evtchn_alloc_unbound(ta, DB);
    ck_assert_int_eq(evtchn_bind_interdomain(&w->env, tb, DA, (evtchn_port_t)u), 3);
    ck_assert_int_eq(evtchn_destroy(&w->env, tb, 1000000), 0);
    ew_remove(w, DB);

    struct evtchn_table *nb = ew_add(w, DB, 1);
    ck_assert_uint_eq(nb->nr_used, 0);
    ck_assert(!nb->dying);
    for (unsigned p = 0; p < EVTCHN_NR_PORTS; p++)
        ck_assert_int_eq(nb->chan[p].state, EVTCHN_FREE);
    for (unsigned v = 0; v < EVTCHN_MAX_VCPUS; v++)
        for (unsigned q = 0; q < NR_VIRQS; q++)
            ck_assert_uint_eq(nb->virq_port[v][q], 0);
    EW_ASSERT_OK(w);
    ck_assert_int_eq(evtchn_bind_virq(nb, VIRQ_TIMER, 0), 1);
    ck_assert_int_eq(evtchn_bind_ipi(nb, 0), 2);
    EXPECT_REFUSED(evtchn_bind_ipi(nb, 1), -ENOENT);   /* only 1 vCPU now */
    /* A's port went back to UNBOUND for the id, as in Xen. */
    ck_assert_int_eq(ta->chan[u].state, EVTCHN_UNBOUND);
    ck_assert_uint_eq(ta->chan[u].domid, DB);
}
END_TEST

Suite *evtchn_destroy_suite(void);
Suite *evtchn_destroy_suite(void)
{
    Suite *s = suite_create("evtchn_destroy");
    TCase *tc = tcase_create("destroy");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, preemptible_destroy_small_budget);
    tcase_add_test(tc, dying_domain);
    tcase_add_test(tc, reused_domid_inherits_nothing);
    suite_add_tcase(s, tc);
    return s;
}
