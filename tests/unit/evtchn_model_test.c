/*
 * Randomized model test of the event channel table. Several domains run
 * random operations -- good and hostile arguments, interdomain traffic,
 * resets, bursts up to port exhaustion, preemptible destruction
 * interleaved with the other domains' operations, domain ids reused with a
 * fresh table -- and every result is compared with the reference model of
 * evtchn_ref.c. After each operation the real tables must equal the model
 * field by field, ew_check() must find every invariant of core/evtchn.h
 * intact, and a FREE port must have no pending bit left in its domain's
 * shared_info (sends are delivered with the 2-level code, as the glue
 * would). Seeds are fixed: every run is the same.
 */
#include <check.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "evtchn_ref.h"

#define NDOM REF_NDOM
#define NPORTS EVTCHN_NR_PORTS
#define STEPS 2500

static const uint16_t pool_ids[NDOM] = {0, 1, 2, 5};
static const unsigned pool_vcpus[] = {1, 2, 3, 32};

static struct mref *m;
static struct mdom *md;          /* m->dom */
static struct ew *w;
static uint64_t rs;
static unsigned long stat_ok, stat_err, stat_nospc;

static uint64_t rnd(void)
{
    rs ^= rs << 13;
    rs ^= rs >> 7;
    rs ^= rs << 17;
    return rs;
}
static unsigned below(unsigned n) { return (unsigned)(rnd() % n); }

/* Check's assertions cost a system call each in fork mode (every passed
 * point is reported), far too slow for 16k ports per step: compare with
 * plain code and fail explicitly. */
static void compare(const char *what)
{
    const char *err = ew_check(w);
    if (err)
        ck_abort_msg("after %s: invariant broken: %s", what, err);
    err = ref_differs(m, w);
    if (err)
        ck_abort_msg("after %s: table differs from the model: %s", what, err);
}

static void check_rc(const char *what, int got, int want)
{
    if (got != want)
        ck_abort_msg("%s: got %d, model says %d", what, got, want);
    stat_nospc += got == -ENOSPC;
    if (got < 0)
        stat_err++;
    else
        stat_ok++;
}

/* ---- Random arguments, biased towards the interesting ---- */

static struct mdom *pick_dom(void)
{
    for (;;) {
        struct mdom *d = &md[below(NDOM)];
        if (d->present)
            return d;
    }
}

static uint16_t pick_domid(void)
{
    static const uint16_t absent[] = {3, 9, 100};
    static const uint16_t reserved[] = {DOMID_SELF, DOMID_INVALID, 0xFFFF};
    unsigned r = below(10);
    if (r < 7)
        return pick_dom()->domid;
    if (r < 9)
        return absent[below(ARRAY_SIZE(absent))];
    return reserved[below(ARRAY_SIZE(reserved))];
}

static uint32_t pick_port(const struct mdom *d)
{
    static const uint32_t bad[] = {0, NPORTS, 65536, 0xFFFFFFFFu};
    unsigned r = below(20);
    if (r < 15) {
        unsigned start = 1 + below(NPORTS - 1);
        for (unsigned k = 0; k < NPORTS - 1; k++) {
            unsigned p = 1 + (start - 1 + k) % (NPORTS - 1);
            if (d->port[p].state != M_FREE)
                return p;
        }
    }
    if (r < 18)
        return 1 + below(NPORTS - 1);
    return bad[below(ARRAY_SIZE(bad))];
}

/* A port of r that is UNBOUND for `me`, if one exists, most of the time. */
static uint32_t pick_remote_port(const struct mdom *r, uint16_t me)
{
    if (r && below(10) < 7) {
        unsigned start = 1 + below(NPORTS - 1);
        for (unsigned k = 0; k < NPORTS - 1; k++) {
            unsigned p = 1 + (start - 1 + k) % (NPORTS - 1);
            if (r->port[p].state == M_UNBOUND && r->port[p].dom == me)
                return p;
        }
    }
    return r ? pick_port(r) : below(NPORTS + 2);
}

static uint32_t pick_vcpu(const struct mdom *d)
{
    static const uint32_t bad[] = {EVTCHN_MAX_VCPUS, 255, 0xFFFFFFFFu};
    if (below(20) < 17)
        return below(d->nr_vcpus);
    if (below(2))
        return d->nr_vcpus;
    return bad[below(ARRAY_SIZE(bad))];
}

static uint32_t pick_virq(void)
{
    static const uint32_t bad[] = {NR_VIRQS, 255, 0xFFFFFFFFu};
    if (below(10) < 9)
        return below(NR_VIRQS);
    return bad[below(ARRAY_SIZE(bad))];
}

/* ---- Operations on both ---- */

static void deliver(const struct evtchn_target *tg)
{
    if (!tg->table)
        return;
    struct shared_info *si = ew_si(w, tg->table->domid);
    ck_assert_uint_lt(tg->vcpu, tg->table->nr_vcpus);
    evtchn_2l_set_pending(si, &si->vcpu_info[tg->vcpu], tg->port);
}

static void op_send(struct mdom *d, struct evtchn_table *t)
{
    uint32_t p = pick_port(d);
    struct evtchn_target tg = {NULL, 0, 0};
    int tdom = -1;
    unsigned tport = 0, tvcpu = 0;
    int want = ref_send(m, d, p, &tdom, &tport, &tvcpu);
    check_rc("send", evtchn_send(&w->env, t, p, &tg), want);
    if (want < 0)
        return;
    if (tdom < 0) {
        ck_assert_ptr_null(tg.table);
        return;
    }
    ck_assert_ptr_eq(tg.table, ew_get(w, (uint16_t)tdom));
    ck_assert_uint_eq(tg.port, tport);
    ck_assert_uint_eq(tg.vcpu, tvcpu);
    deliver(&tg);
}

static void op_status(struct mdom *d, struct evtchn_table *t)
{
    static const uint32_t stat_of[] = {
        [M_FREE] = EVTCHNSTAT_closed, [M_UNBOUND] = EVTCHNSTAT_unbound,
        [M_INTER] = EVTCHNSTAT_interdomain, [M_VIRQ] = EVTCHNSTAT_virq, [M_IPI] = EVTCHNSTAT_ipi,
    };
    uint32_t p = pick_port(d);
    struct evtchn_status st;
    memset(&st, 0xcc, sizeof(st));
    bool valid = p >= 1 && p < NPORTS;
    check_rc("status", evtchn_status(t, p, &st), valid ? 0 : -EINVAL);
    if (!valid)
        return;
    const struct mport *mp = &d->port[p];
    ck_assert_uint_eq(st.status, stat_of[mp->state]);
    ck_assert_uint_eq(st.vcpu, mp->vcpu);
    if (mp->state == M_UNBOUND)
        ck_assert_uint_eq(st.u.unbound.dom, mp->dom);
    if (mp->state == M_INTER) {
        ck_assert_uint_eq(st.u.interdomain.dom, mp->dom);
        ck_assert_uint_eq(st.u.interdomain.port, mp->rport);
    }
    if (mp->state == M_VIRQ)
        ck_assert_uint_eq(st.u.virq, mp->virq);
}

static void op_unmask(struct mdom *d, struct evtchn_table *t)
{
    uint32_t p = pick_port(d);
    struct evtchn_target tg;
    int want = ref_used(d, p) ? 0 : -EINVAL;
    check_rc("unmask", evtchn_unmask(t, p, &tg), want);
    if (want == 0) {
        ck_assert_ptr_eq(tg.table, t);
        ck_assert_uint_eq(tg.port, p);
        ck_assert_uint_eq(tg.vcpu, d->port[p].vcpu);
        struct shared_info *si = ew_si(w, d->domid);
        evtchn_2l_unmask(si, &si->vcpu_info[tg.vcpu], p);
    }
}

static void op_virq_target(struct mdom *d, struct evtchn_table *t)
{
    uint32_t virq = pick_virq(), vcpu = pick_vcpu(d);
    struct evtchn_target tg;
    int want;
    unsigned port = 0;
    if (virq >= NR_VIRQS || (!ref_global(virq) && vcpu >= d->nr_vcpus)) {
        want = -EINVAL;
    } else {
        port = d->virq[ref_global(virq) ? 0 : vcpu][virq];
        want = port ? 0 : -ENOENT;
    }
    check_rc("virq_target", evtchn_virq_target(t, virq, vcpu, &tg), want);
    if (want == 0) {
        ck_assert_uint_eq(tg.port, port);
        ck_assert_uint_eq(tg.vcpu, d->port[port].vcpu);
        deliver(&tg);
    }
}

static void op_burst(struct mdom *d, struct evtchn_table *t)
{
    /* Fill the table (or hit the dying refusal), then close a few. */
    for (;;) {
        uint32_t vcpu = below(d->nr_vcpus);
        int want = ref_bind_ipi(d, vcpu);
        check_rc("burst", evtchn_bind_ipi(t, vcpu), want);
        if (want < 0)
            break;
    }
    for (unsigned k = 0; k < 20; k++) {
        uint32_t p = pick_port(d);
        check_rc("burst close", evtchn_close(&w->env, t, p), ref_close(m, d, p));
    }
}

static void op_destroy_step(struct mdom *d, struct evtchn_table *t)
{
    unsigned budget = 1 + below(400);
    int want = ref_destroy(m, d, budget);
    check_rc("destroy", evtchn_destroy(&w->env, t, budget), want);
    if (want == 0) {
        compare("destroy done");
        ew_remove(w, d->domid);
        d->present = false;
    }
}

static void create(struct mdom *d)
{
    memset(d, 0, sizeof(*d));
    d->domid = pool_ids[d - md];
    d->nr_vcpus = pool_vcpus[below(ARRAY_SIZE(pool_vcpus))];
    d->present = true;
    ew_add(w, d->domid, d->nr_vcpus);
}

static const char *step(void)
{
    struct mdom *d = pick_dom();
    struct evtchn_table *t = ew_get(w, d->domid);
    unsigned r = below(1000);

    if (r < 150) {
        uint16_t rd = pick_domid();
        check_rc("alloc_unbound", evtchn_alloc_unbound(t, rd), ref_alloc_unbound(d, rd));
        return "alloc_unbound";
    }
    if (r < 300) {
        uint16_t rd = pick_domid();
        uint32_t rp = pick_remote_port(ref_find(m, rd), d->domid);
        int want = ref_bind_interdomain(m, d, rd, rp);
        int got = evtchn_bind_interdomain(&w->env, t, rd, rp);
        check_rc("bind_interdomain", got, want);
        if (got > 0) {
            /* The glue marks the new port pending, as Xen does. */
            struct shared_info *si = ew_si(w, d->domid);
            evtchn_2l_set_pending(si, &si->vcpu_info[0], (evtchn_port_t)got);
        }
        return "bind_interdomain";
    }
    if (r < 380) {
        uint32_t virq = pick_virq(), vcpu = pick_vcpu(d);
        check_rc("bind_virq", evtchn_bind_virq(t, virq, vcpu), ref_bind_virq(d, virq, vcpu));
        return "bind_virq";
    }
    if (r < 460) {
        uint32_t vcpu = pick_vcpu(d);
        check_rc("bind_ipi", evtchn_bind_ipi(t, vcpu), ref_bind_ipi(d, vcpu));
        return "bind_ipi";
    }
    if (r < 620) {
        uint32_t p = pick_port(d);
        check_rc("close", evtchn_close(&w->env, t, p), ref_close(m, d, p));
        return "close";
    }
    if (r < 760) {
        op_send(d, t);
        return "send";
    }
    if (r < 800) {
        op_status(d, t);
        return "status";
    }
    if (r < 840) {
        op_unmask(d, t);
        return "unmask";
    }
    if (r < 900) {
        uint32_t p = pick_port(d), vcpu = pick_vcpu(d);
        check_rc("bind_vcpu", evtchn_bind_vcpu(t, p, vcpu), ref_bind_vcpu(d, p, vcpu));
        return "bind_vcpu";
    }
    if (r < 930) {
        op_virq_target(d, t);
        return "virq_target";
    }
    if (r < 934) {
        evtchn_reset(&w->env, t);
        ref_reset(m, d);
        return "reset";
    }
    if (r < 936) {
        op_burst(d, t);
        return "burst";
    }
    if (r < 944) {
        if (!d->dying) {
            unsigned live = 0;
            for (unsigned i = 0; i < NDOM; i++)
                live += md[i].present && !md[i].dying;
            if (live > 1)
                op_destroy_step(d, t);    /* starts destruction */
        }
        return "destroy start";
    }
    /* Continue a destruction, or bring a domain id back with a fresh table. */
    for (unsigned i = 0; i < NDOM; i++) {
        if (md[i].present && md[i].dying) {
            op_destroy_step(&md[i], ew_get(w, md[i].domid));
            return "destroy step";
        }
    }
    for (unsigned i = 0; i < NDOM; i++) {
        if (!md[i].present) {
            create(&md[i]);
            return "create";
        }
    }
    return "nothing";
}

START_TEST(random_domains)
{
    m = calloc(1, sizeof(*m));
    ck_assert_ptr_nonnull(m);
    md = m->dom;
    w = ew_new();
    rs = 0x2545F4914F6CDD1Dull * (uint64_t)(_i + 1);
    stat_ok = stat_err = stat_nospc = 0;
    for (unsigned i = 0; i < NDOM; i++)
        create(&md[i]);
    compare("start");

    unsigned destroys = 0, creates = 0, bursts = 0;
    for (unsigned n = 0; n < STEPS; n++) {
        const char *what = step();
        destroys += strcmp(what, "destroy step") == 0;
        creates += strcmp(what, "create") == 0;
        bursts += strcmp(what, "burst") == 0;
        compare(what);
    }
    /* The run exercised what it claims to. */
    ck_assert_uint_gt(stat_ok, STEPS / 4);
    ck_assert_uint_gt(stat_err, STEPS / 10);
    ck_assert_uint_gt(destroys, 0);
    ck_assert_uint_gt(creates, 0);
    ck_assert_uint_gt(bursts, 0);
    ck_assert_uint_gt(stat_nospc, 0);
    ew_free(w);
    free(m);
}
END_TEST

Suite *evtchn_model_suite(void);
Suite *evtchn_model_suite(void)
{
    Suite *s = suite_create("evtchn_model");
    TCase *tc = tcase_create("model");
    tcase_add_loop_test(tc, random_domains, 0, 4);
    tcase_set_timeout(tc, 120);
    suite_add_tcase(s, tc);
    return s;
}
