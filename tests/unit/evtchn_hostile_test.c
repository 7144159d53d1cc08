/*
 * The hostile list of security.md for event channels, and the semantic
 * corners around it: bad ports on every operation, binding to ports not
 * meant for us, unknown and dying domains, port exhaustion and recovery,
 * interdomain teardown from either side, reset, reuse of a domain id, the
 * VIRQ map, and "an error changes nothing" on every refused call.
 */
#include <check.h>
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "evtchn_world.h"

#define DA 1
#define DB 2
#define DC 3

static struct ew *w;
static struct evtchn_table *ta, *tb, *tc;
static struct ew_snap *snap;

static void setup(void)
{
    w = ew_new();
    ta = ew_add(w, DA, 2);
    tb = ew_add(w, DB, 2);
    tc = ew_add(w, DC, 1);
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
        unsigned freed_ = w->freed;                                    \
        ew_snap_take(w, snap);                                         \
        int got_ = (call);                                             \
        ck_assert_msg(got_ == (rc), "%s: %d, expected %d", #call, got_, (rc)); \
        ck_assert_msg(ew_snap_same(w, snap), "%s changed a table", #call); \
        ck_assert_uint_eq(w->freed, freed_);                           \
    } while (0)

START_TEST(errno_values_are_xens)
{
    ck_assert_int_eq(XEN_EINVAL, EINVAL);
    ck_assert_int_eq(XEN_ENOENT, ENOENT);
    ck_assert_int_eq(XEN_ESRCH, ESRCH);
    ck_assert_int_eq(XEN_EEXIST, EEXIST);
    ck_assert_int_eq(XEN_ENOSPC, ENOSPC);
    ck_assert_int_eq(XEN_ERESTART, 85);
}
END_TEST

START_TEST(bad_ports_on_every_op)
{
    static const evtchn_port_t bad[] = {0, 4096, 4097, 65535, 65536, 0x80000000u, 0xFFFFFFFFu,
                                        17 /* in range, never allocated */};
    struct evtchn_target tg;
    struct evtchn_status st;

    ck_assert_int_eq(evtchn_bind_ipi(ta, 0), 1);   /* something in the table */
    for (unsigned i = 0; i < ARRAY_SIZE(bad); i++) {
        evtchn_port_t p = bad[i];
        EXPECT_REFUSED(evtchn_send(&w->env, ta, p, &tg), -EINVAL);
        EXPECT_REFUSED(evtchn_close(&w->env, ta, p), -EINVAL);
        EXPECT_REFUSED(evtchn_unmask(ta, p, &tg), -EINVAL);
        EXPECT_REFUSED(evtchn_bind_vcpu(ta, p, 0), -EINVAL);
        EXPECT_REFUSED(evtchn_bind_interdomain(&w->env, ta, DB, p), -EINVAL);
        if (p != 17)
            EXPECT_REFUSED(evtchn_status(ta, p, &st), -EINVAL);
        ck_assert_uint_eq(evtchn_peer(ta, p), DA);
    }
    /* An unallocated port in range has a status: closed, vCPU 0. */
    memset(&st, 0xff, sizeof(st));
    ck_assert_int_eq(evtchn_status(ta, 17, &st), 0);
    ck_assert_uint_eq(st.status, EVTCHNSTAT_closed);
    ck_assert_uint_eq(st.vcpu, 0);
    ck_assert_uint_eq(st.u.interdomain.port, 0);
    EW_ASSERT_OK(w);
}
END_TEST

START_TEST(closed_port_is_refused_again)
{
    struct evtchn_target tg;
    int p = evtchn_bind_ipi(ta, 1);
    ck_assert_int_eq(p, 1);
    ck_assert_int_eq(evtchn_close(&w->env, ta, (evtchn_port_t)p), 0);
    EXPECT_REFUSED(evtchn_close(&w->env, ta, (evtchn_port_t)p), -EINVAL);
    EXPECT_REFUSED(evtchn_send(&w->env, ta, (evtchn_port_t)p, &tg), -EINVAL);
    EXPECT_REFUSED(evtchn_unmask(ta, (evtchn_port_t)p, &tg), -EINVAL);
}
END_TEST

START_TEST(bind_interdomain_refusals)
{
    int for_c = evtchn_alloc_unbound(tb, DC);   /* B waits for C, not A */
    int ipi = evtchn_bind_ipi(tb, 0);
    int for_a = evtchn_alloc_unbound(tb, DA);
    ck_assert_int_eq(for_c, 1);
    ck_assert_int_eq(ipi, 2);
    ck_assert_int_eq(for_a, 3);

    EXPECT_REFUSED(evtchn_bind_interdomain(&w->env, ta, DB, (evtchn_port_t)for_c), -EINVAL);
    EXPECT_REFUSED(evtchn_bind_interdomain(&w->env, ta, DB, (evtchn_port_t)ipi), -EINVAL);
    EXPECT_REFUSED(evtchn_bind_interdomain(&w->env, ta, DB, 4), -EINVAL);    /* FREE */
    EXPECT_REFUSED(evtchn_bind_interdomain(&w->env, ta, DB, 0), -EINVAL);
    EXPECT_REFUSED(evtchn_bind_interdomain(&w->env, ta, DB, 4096), -EINVAL);
    /* Unknown domains, including reserved ids and an unresolved DOMID_SELF. */
    EXPECT_REFUSED(evtchn_bind_interdomain(&w->env, ta, 9, 1), -ESRCH);
    EXPECT_REFUSED(evtchn_bind_interdomain(&w->env, ta, DOMID_SELF, 1), -ESRCH);
    EXPECT_REFUSED(evtchn_bind_interdomain(&w->env, ta, 0xFFFF, 1), -ESRCH);
    /* C may bind B's port 1, once; A's may then not take it over. */
    ck_assert_int_eq(evtchn_bind_interdomain(&w->env, tc, DB, (evtchn_port_t)for_c), 1);
    EXPECT_REFUSED(evtchn_bind_interdomain(&w->env, tc, DB, (evtchn_port_t)for_c), -EINVAL);
    EXPECT_REFUSED(evtchn_bind_interdomain(&w->env, ta, DB, (evtchn_port_t)for_c), -EINVAL);
    /* A binds the port meant for it. */
    ck_assert_int_eq(evtchn_bind_interdomain(&w->env, ta, DB, (evtchn_port_t)for_a), 1);
    EW_ASSERT_OK(w);
}
END_TEST

START_TEST(alloc_unbound_refuses_reserved_ids)
{
    EXPECT_REFUSED(evtchn_alloc_unbound(ta, DOMID_SELF), -EINVAL);
    EXPECT_REFUSED(evtchn_alloc_unbound(ta, DOMID_INVALID), -EINVAL);
    EXPECT_REFUSED(evtchn_alloc_unbound(ta, 0xFFFF), -EINVAL);
    /* Any real id is fine, even one with no domain (yet). */
    ck_assert_int_eq(evtchn_alloc_unbound(ta, DOMID_FIRST_RESERVED - 1), 1);
    ck_assert_int_eq(evtchn_alloc_unbound(ta, 0), 2);
}
END_TEST

START_TEST(bind_to_oneself)
{
    int u = evtchn_alloc_unbound(ta, DA);
    ck_assert_int_eq(u, 1);
    int p = evtchn_bind_interdomain(&w->env, ta, DA, (evtchn_port_t)u);
    ck_assert_int_eq(p, 2);
    EW_ASSERT_OK(w);

    struct evtchn_target tg;
    ck_assert_int_eq(evtchn_send(&w->env, ta, 2, &tg), 0);
    ck_assert_ptr_eq(tg.table, ta);
    ck_assert_uint_eq(tg.port, 1);
    ck_assert_int_eq(evtchn_send(&w->env, ta, 1, &tg), 0);
    ck_assert_uint_eq(tg.port, 2);

    ck_assert_int_eq(evtchn_close(&w->env, ta, 1), 0);
    ck_assert_int_eq(ta->chan[2].state, EVTCHN_UNBOUND);
    ck_assert_uint_eq(ta->chan[2].domid, DA);
    EW_ASSERT_OK(w);
}
END_TEST

static void fill(struct evtchn_table *t, unsigned kind)
{
    for (unsigned p = t->nr_used + 1; p < EVTCHN_NR_PORTS; p++) {
        int rc = kind == 0 ? evtchn_bind_ipi(t, 0) : evtchn_alloc_unbound(t, DA);
        ck_assert_int_eq(rc, (int)p);
    }
}

START_TEST(exhaustion_then_recovery)
{
    struct evtchn_target tg;
    int u = evtchn_alloc_unbound(tb, DA);
    ck_assert_int_eq(u, 1);
    fill(ta, 0);
    ck_assert_uint_eq(ta->nr_used, EVTCHN_NR_PORTS - 1);

    EXPECT_REFUSED(evtchn_bind_ipi(ta, 0), -ENOSPC);
    EXPECT_REFUSED(evtchn_alloc_unbound(ta, DB), -ENOSPC);
    EXPECT_REFUSED(evtchn_bind_virq(ta, VIRQ_TIMER, 0), -ENOSPC);
    EXPECT_REFUSED(evtchn_bind_virq(ta, VIRQ_CONSOLE, 0), -ENOSPC);
    /* The remote port stays UNBOUND: nothing half-done. */
    EXPECT_REFUSED(evtchn_bind_interdomain(&w->env, ta, DB, (evtchn_port_t)u), -ENOSPC);
    ck_assert_int_eq(tb->chan[u].state, EVTCHN_UNBOUND);
    /* Ports of a full table still work. */
    ck_assert_int_eq(evtchn_send(&w->env, ta, 4095, &tg), 0);
    ck_assert_uint_eq(tg.port, 4095);

    ck_assert_int_eq(evtchn_close(&w->env, ta, 1234), 0);
    ck_assert_int_eq(evtchn_bind_interdomain(&w->env, ta, DB, (evtchn_port_t)u), 1234);
    EXPECT_REFUSED(evtchn_bind_ipi(ta, 0), -ENOSPC);
    ck_assert_int_eq(evtchn_close(&w->env, ta, 7), 0);
    ck_assert_int_eq(evtchn_close(&w->env, ta, 3000), 0);
    ck_assert_int_eq(evtchn_bind_ipi(ta, 1), 7);       /* lowest first */
    ck_assert_int_eq(evtchn_bind_virq(ta, VIRQ_TIMER, 1), 3000);
    EXPECT_REFUSED(evtchn_bind_ipi(ta, 0), -ENOSPC);
    EW_ASSERT_OK(w);
}
END_TEST

START_TEST(exhaustion_of_unbound_ports)
{
    fill(tb, 1);
    EXPECT_REFUSED(evtchn_alloc_unbound(tb, DA), -ENOSPC);
    /* A can still bind every one of them, and then runs out itself. */
    for (evtchn_port_t p = 1; p < EVTCHN_NR_PORTS; p++)
        ck_assert_int_eq(evtchn_bind_interdomain(&w->env, ta, DB, p), (int)p);
    EXPECT_REFUSED(evtchn_bind_ipi(ta, 0), -ENOSPC);
    EW_ASSERT_OK(w);
    /* Resetting A frees all of A and hands every port of B back. */
    evtchn_reset(&w->env, ta);
    ck_assert_uint_eq(ta->nr_used, 0);
    ck_assert_uint_eq(tb->nr_used, EVTCHN_NR_PORTS - 1);
    ck_assert_uint_eq(w->freed, EVTCHN_NR_PORTS - 1);
    for (evtchn_port_t p = 1; p < EVTCHN_NR_PORTS; p++)
        ck_assert_int_eq(tb->chan[p].state, EVTCHN_UNBOUND);
    EW_ASSERT_OK(w);
    ck_assert_int_eq(evtchn_bind_interdomain(&w->env, ta, DB, 4095), 1);
}
END_TEST

START_TEST(interdomain_close_from_either_side)
{
    struct evtchn_target tg;
    int u = evtchn_alloc_unbound(tb, DA);
    ck_assert_int_eq(evtchn_bind_vcpu(tb, (evtchn_port_t)u, 1), 0);
    int a = evtchn_bind_interdomain(&w->env, ta, DB, (evtchn_port_t)u);
    ck_assert_int_eq(evtchn_bind_vcpu(ta, (evtchn_port_t)a, 1), 0);
    ck_assert_uint_eq(evtchn_peer(ta, (evtchn_port_t)a), DB);
    ck_assert_uint_eq(evtchn_peer(tb, (evtchn_port_t)u), DA);

    /* A closes: B's end is UNBOUND for A (vCPU kept); A may bind it again. */
    ck_assert_int_eq(evtchn_close(&w->env, ta, (evtchn_port_t)a), 0);
    ck_assert_int_eq(tb->chan[u].state, EVTCHN_UNBOUND);
    ck_assert_uint_eq(tb->chan[u].domid, DA);
    ck_assert_uint_eq(tb->chan[u].vcpu, 1);
    ck_assert_int_eq(evtchn_send(&w->env, tb, (evtchn_port_t)u, &tg), 0);
    ck_assert_ptr_null(tg.table);                       /* dropped */
    ck_assert_int_eq(evtchn_bind_interdomain(&w->env, ta, DB, (evtchn_port_t)u), a);
    ck_assert_uint_eq(ta->chan[a].vcpu, 0);             /* the new port starts on vCPU 0 */

    /* B closes: A's end is UNBOUND for B; C may not take it. */
    ck_assert_int_eq(evtchn_close(&w->env, tb, (evtchn_port_t)u), 0);
    ck_assert_int_eq(ta->chan[a].state, EVTCHN_UNBOUND);
    ck_assert_uint_eq(ta->chan[a].domid, DB);
    EXPECT_REFUSED(evtchn_bind_interdomain(&w->env, tc, DA, (evtchn_port_t)a), -EINVAL);
    ck_assert_int_eq(evtchn_bind_interdomain(&w->env, tb, DA, (evtchn_port_t)a), (int)u);
    EW_ASSERT_OK(w);
}
END_TEST

START_TEST(freed_port_starts_clean)
{
    struct shared_info *si = ew_si(w, DA);
    int p = evtchn_bind_ipi(ta, 1);
    ck_assert_uint_eq(evtchn_2l_set_pending(si, &si->vcpu_info[1], (evtchn_port_t)p),
                      EVTCHN_2L_NEWLY_PENDING | EVTCHN_2L_KICK);
    ck_assert(evtchn_2l_is_pending(si, (evtchn_port_t)p));
    ck_assert_int_eq(evtchn_close(&w->env, ta, (evtchn_port_t)p), 0);
    ck_assert(!evtchn_2l_is_pending(si, (evtchn_port_t)p));   /* hook cleared it */
    ck_assert_int_eq(evtchn_alloc_unbound(ta, DB), p);
    ck_assert_uint_eq(ta->chan[p].vcpu, 0);
}
END_TEST

START_TEST(virq_rules)
{
    struct evtchn_target tg;
    EXPECT_REFUSED(evtchn_bind_virq(ta, NR_VIRQS, 0), -EINVAL);
    EXPECT_REFUSED(evtchn_bind_virq(ta, 0xFFFFFFFFu, 0), -EINVAL);
    EXPECT_REFUSED(evtchn_bind_virq(ta, VIRQ_CONSOLE, 1), -EINVAL);   /* global on vCPU 1 */
    EXPECT_REFUSED(evtchn_bind_virq(ta, VIRQ_ARCH_0, 1), -EINVAL);
    EXPECT_REFUSED(evtchn_bind_virq(ta, VIRQ_TIMER, 2), -ENOENT);    /* 2 vCPUs */
    EXPECT_REFUSED(evtchn_bind_virq(ta, VIRQ_TIMER, 0xFFFFFFFFu), -ENOENT);
    EXPECT_REFUSED(evtchn_bind_ipi(ta, 2), -ENOENT);
    EXPECT_REFUSED(evtchn_bind_ipi(ta, 0xFFFFFFFFu), -ENOENT);

    /* Per-vCPU VIRQs: once per vCPU. */
    ck_assert_int_eq(evtchn_bind_virq(ta, VIRQ_TIMER, 0), 1);
    ck_assert_int_eq(evtchn_bind_virq(ta, VIRQ_TIMER, 1), 2);
    EXPECT_REFUSED(evtchn_bind_virq(ta, VIRQ_TIMER, 1), -EEXIST);
    ck_assert_int_eq(evtchn_bind_virq(ta, VIRQ_XENPMU, 1), 3);
    /* Global: once per domain; it can move, and stays found via vCPU 0. */
    ck_assert_int_eq(evtchn_bind_virq(ta, VIRQ_DOM_EXC, 0), 4);
    EXPECT_REFUSED(evtchn_bind_virq(ta, VIRQ_DOM_EXC, 0), -EEXIST);
    ck_assert_int_eq(evtchn_bind_vcpu(ta, 4, 1), 0);
    EXPECT_REFUSED(evtchn_bind_virq(ta, VIRQ_DOM_EXC, 0), -EEXIST);
    EXPECT_REFUSED(evtchn_bind_vcpu(ta, 2, 0), -EINVAL);   /* per-vCPU cannot move */
    EXPECT_REFUSED(evtchn_bind_vcpu(ta, 4, 2), -ENOENT);
    EXPECT_REFUSED(evtchn_bind_vcpu(ta, 9999, 2), -ENOENT); /* vCPU checked first */
    EW_ASSERT_OK(w);

    /* Where raised VIRQs go. */
    ck_assert_int_eq(evtchn_virq_target(ta, VIRQ_TIMER, 1, &tg), 0);
    ck_assert_ptr_eq(tg.table, ta);
    ck_assert_uint_eq(tg.port, 2);
    ck_assert_uint_eq(tg.vcpu, 1);
    ck_assert_int_eq(evtchn_virq_target(ta, VIRQ_TIMER, 0, &tg), 0);
    ck_assert_uint_eq(tg.port, 1);
    ck_assert_uint_eq(tg.vcpu, 0);
    ck_assert_int_eq(evtchn_virq_target(ta, VIRQ_DOM_EXC, 0, &tg), 0);
    ck_assert_uint_eq(tg.port, 4);
    ck_assert_uint_eq(tg.vcpu, 1);                           /* moved */
    ck_assert_int_eq(evtchn_virq_target(ta, VIRQ_DOM_EXC, 31, &tg), 0);  /* vcpu ignored */
    ck_assert_uint_eq(tg.port, 4);
    ck_assert_int_eq(evtchn_virq_target(ta, VIRQ_DEBUG, 0, &tg), -ENOENT);
    ck_assert_int_eq(evtchn_virq_target(ta, VIRQ_CONSOLE, 0, &tg), -ENOENT);
    ck_assert_int_eq(evtchn_virq_target(ta, VIRQ_TIMER, 2, &tg), -EINVAL);
    ck_assert_int_eq(evtchn_virq_target(ta, NR_VIRQS, 0, &tg), -EINVAL);

    /* Send on a VIRQ port is refused; closing unbinds; rebinding works. */
    EXPECT_REFUSED(evtchn_send(&w->env, ta, 4, &tg), -EINVAL);
    ck_assert_int_eq(evtchn_close(&w->env, ta, 4), 0);
    ck_assert_int_eq(evtchn_virq_target(ta, VIRQ_DOM_EXC, 0, &tg), -ENOENT);
    ck_assert_int_eq(evtchn_close(&w->env, ta, 2), 0);
    ck_assert_int_eq(evtchn_virq_target(ta, VIRQ_TIMER, 1, &tg), -ENOENT);
    ck_assert_int_eq(evtchn_bind_virq(ta, VIRQ_DOM_EXC, 0), 2);
    ck_assert_int_eq(evtchn_bind_virq(ta, VIRQ_TIMER, 1), 4);
    EW_ASSERT_OK(w);
}
END_TEST

START_TEST(virq_globality)
{
    static const uint32_t per_vcpu[] = {VIRQ_TIMER, VIRQ_DEBUG, VIRQ_XENOPROF, VIRQ_XENPMU};
    unsigned n = 0;
    for (uint32_t v = 0; v < NR_VIRQS; v++) {
        bool expect_global = true;
        for (unsigned i = 0; i < ARRAY_SIZE(per_vcpu); i++)
            if (per_vcpu[i] == v)
                expect_global = false;
        ck_assert_int_eq(evtchn_virq_is_global(v), expect_global);
        n += !expect_global;
    }
    ck_assert_uint_eq(n, 4);
}
END_TEST

START_TEST(reset_keeps_table_usable)
{
    struct evtchn_target tg;
    ck_assert_int_eq(evtchn_bind_virq(ta, VIRQ_TIMER, 1), 1);
    ck_assert_int_eq(evtchn_bind_virq(ta, VIRQ_CON_RING, 0), 2);
    int u = evtchn_alloc_unbound(tb, DA);
    ck_assert_int_eq(evtchn_bind_interdomain(&w->env, ta, DB, (evtchn_port_t)u), 3);
    ck_assert_int_eq(evtchn_alloc_unbound(ta, DC), 4);
    evtchn_reset(&w->env, ta);
    ck_assert_uint_eq(ta->nr_used, 0);
    ck_assert_uint_eq(w->freed, 4);
    ck_assert_int_eq(tb->chan[u].state, EVTCHN_UNBOUND);
    ck_assert_int_eq(evtchn_virq_target(ta, VIRQ_TIMER, 1, &tg), -ENOENT);
    EW_ASSERT_OK(w);
    ck_assert(!ta->dying);
    ck_assert_int_eq(evtchn_bind_virq(ta, VIRQ_TIMER, 1), 1);
    evtchn_reset(&w->env, tc);                      /* empty: nothing to do */
    ck_assert_uint_eq(tc->nr_used, 0);
}
END_TEST

START_TEST(optional_hook)
{
    struct evtchn_env env = w->env;
    env.port_freed = NULL;
    ck_assert_int_eq(evtchn_bind_ipi(ta, 0), 1);
    ck_assert_int_eq(evtchn_close(&env, ta, 1), 0);
    ck_assert_uint_eq(w->freed, 0);
}
END_TEST

/* Only glue bugs reach BUG_ON: arguments the glue computes itself. */
START_TEST(glue_bug_nr_vcpus_zero)
{
    struct evtchn_table *t = malloc(sizeof(*t));
    evtchn_table_init(t, 5, 0);
}
END_TEST

START_TEST(glue_bug_reserved_domid)
{
    struct evtchn_table *t = malloc(sizeof(*t));
    evtchn_table_init(t, DOMID_SELF, 1);
}
END_TEST

START_TEST(glue_bug_2l_port_range)
{
    struct shared_info *si = ew_si(w, DA);
    evtchn_2l_set_pending(si, &si->vcpu_info[0], EVTCHN_NR_PORTS);
}
END_TEST

Suite *evtchn_hostile_suite(void);
Suite *evtchn_hostile_suite(void)
{
    Suite *s = suite_create("evtchn_hostile");
    TCase *tc_ = tcase_create("hostile");
    tcase_add_checked_fixture(tc_, setup, teardown);
    tcase_add_test(tc_, errno_values_are_xens);
    tcase_add_test(tc_, bad_ports_on_every_op);
    tcase_add_test(tc_, closed_port_is_refused_again);
    tcase_add_test(tc_, bind_interdomain_refusals);
    tcase_add_test(tc_, alloc_unbound_refuses_reserved_ids);
    tcase_add_test(tc_, bind_to_oneself);
    tcase_add_test(tc_, exhaustion_then_recovery);
    tcase_add_test(tc_, exhaustion_of_unbound_ports);
    tcase_add_test(tc_, interdomain_close_from_either_side);
    tcase_add_test(tc_, freed_port_starts_clean);
    tcase_add_test(tc_, virq_rules);
    tcase_add_test(tc_, virq_globality);
    tcase_add_test(tc_, reset_keeps_table_usable);
    tcase_add_test(tc_, optional_hook);
    tcase_add_test_raise_signal(tc_, glue_bug_nr_vcpus_zero, SIGABRT);
    tcase_add_test_raise_signal(tc_, glue_bug_reserved_domid, SIGABRT);
    tcase_add_test_raise_signal(tc_, glue_bug_2l_port_range, SIGABRT);
    suite_add_tcase(s, tc_);
    return s;
}
