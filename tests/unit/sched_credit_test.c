/*
 * Unit tests of the credit scheduler policy, driven by a small simulator:
 * one or two CPUs, each with its own run queue, a simulated clock in
 * nanoseconds, ticks every tick_ns, accounting every period_ns, the slice
 * timer that pick asks for, and vCPUs that are either CPU-bound (HOG) or
 * run a burst then block for a while (IO). The simulator plays the glue's
 * part exactly as the header describes it and measures CPU time on its own
 * (not through the policy's counters). After every event it checks the
 * run queue invariants from scratch.
 *
 * Covered: parameter validation (init, dom_init, set_params, as hostile
 * domctl input), every (state, call) pair of the vCPU state machine, caller
 * bugs (BUG_ON), fairness by weight (1:2, equal, 1:1:2, multi-vCPU
 * domains, weight changes), caps (alone, with competitors, above the fair
 * share, across two CPUs), blocked vCPUs (no credit used or gained, no
 * unbounded credit, wake latency with and without wake preemption),
 * boost and yield, vCPUs added, removed and migrated while running, idle
 * slices, and determinism (same inputs, same schedule, whatever the
 * addresses). Set SCHED_CREDIT_VERBOSE=1 to print the measured shares.
 */
#include <check.h>
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/env.h"
#include "core/sched_credit.h"

#define MS 1000000ull
#define SEC 1000000000ull
#define NO_TIME UINT64_MAX
#define SIM_CPUS 2
#define SIM_DOMS 8
#define SIM_VCPUS 8
#define SIM_TRACE 8192

#define container_of(ptr, type, member) ((type *)((char *)(ptr) - offsetof(type, member)))

enum work { HOG, IO };

struct sim_vcpu {
    struct sched_credit_vcpu sv;
    int id, cpu;
    enum work work;
    uint64_t burst_ns, sleep_ns; /* IO: run burst_ns of CPU, then block sleep_ns */
    bool present;                /* added and not removed */
    bool blocked;                /* waiting for wake_at */
    uint64_t left_ns, wake_at;
    uint64_t woke_at;            /* last wake not yet followed by a pick */
    bool woke_with_credit;       /* ... and it had credit then */
    uint64_t ran_ns, nr_wakes, nr_credit_wakes;
    uint64_t max_latency_ns;        /* wake to pick, worst case */
    uint64_t max_credit_latency_ns; /* the same, over wakes with credit */
};

struct sim_dom {
    struct sched_credit_dom sd;
    uint64_t ran_ns;
    uint64_t window, window_ns, max_window_ns; /* run time per accounting window */
};

struct sim_cpu {
    struct sched_credit rq;
    struct sim_vcpu *cur;
    uint64_t slice_end; /* NO_TIME: no slice timer armed */
    uint64_t idle_ns;
};

struct sim_trace {
    uint64_t now;
    int cpu, id;
};

struct sim {
    struct sched_credit_params p;
    struct sim_cpu cpu[SIM_CPUS];
    struct sim_dom dom[SIM_DOMS];
    struct sim_vcpu v[SIM_VCPUS];
    int ncpu, ndom, nv;
    uint64_t now;
    bool honour_wake; /* preempt at once when wake says so (else wait for a tick) */
    uint64_t hash, nr_picks;
    struct sim_trace trace[SIM_TRACE];
};

__printf(1, 2) static void report(const char *fmt, ...)
{
    va_list ap;

    if (!getenv("SCHED_CREDIT_VERBOSE"))
        return;
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
}

/* ---- run queue invariants, recomputed from scratch ---- */

static void check_rq(const struct sched_credit *rq)
{
    uint32_t n = 0;

    for (int p = 0; p < SCHED_CREDIT_NR_PRIO; p++) {
        const struct sched_credit_link *head = &rq->runq[p];
        ck_assert_ptr_eq(head->next->prev, head);
        for (const struct sched_credit_link *l = head->next; l != head; l = l->next) {
            const struct sched_credit_vcpu *v =
                container_of((struct sched_credit_link *)(uintptr_t)l, struct sched_credit_vcpu,
                             run_link);
            ck_assert_ptr_eq(l->next->prev, l);
            ck_assert_int_eq(v->state, SCHED_CREDIT_QUEUED);
            ck_assert_int_eq(v->prio, p);
            ck_assert_ptr_eq(v->rq, rq);
            ck_assert(v->active);
            ck_assert_ptr_ne(v, rq->curr);
            if (p != SCHED_CREDIT_BOOST)
                ck_assert_int_eq(p, v->credit > 0 ? SCHED_CREDIT_UNDER : SCHED_CREDIT_OVER);
            ck_assert_uint_le(++n, 64);
        }
    }
    ck_assert_uint_eq(n, rq->nr_queued);

    n = 0;
    ck_assert_ptr_eq(rq->active.next->prev, &rq->active);
    for (const struct sched_credit_link *l = rq->active.next; l != &rq->active; l = l->next) {
        const struct sched_credit_vcpu *v = container_of(
            (struct sched_credit_link *)(uintptr_t)l, struct sched_credit_vcpu, active_link);
        ck_assert_ptr_eq(l->next->prev, l);
        ck_assert(v->active);
        ck_assert_ptr_eq(v->rq, rq);
        ck_assert_int_ne(v->state, SCHED_CREDIT_DETACHED);
        ck_assert_uint_le(++n, 64);
    }
    ck_assert_uint_eq(n, rq->nr_active);

    if (rq->curr) {
        ck_assert_int_eq(rq->curr->state, SCHED_CREDIT_RUNNING);
        ck_assert_ptr_eq(rq->curr->rq, rq);
        ck_assert(rq->curr->active);
    }
}

/* ---- the simulator ---- */

static struct sim_vcpu *to_sim(struct sched_credit_vcpu *sv)
{
    return sv ? container_of(sv, struct sim_vcpu, sv) : NULL;
}

static struct sim *sim_new(int ncpu, const struct sched_credit_params *p)
{
    struct sim *s = calloc(1, sizeof(*s));

    ck_assert_ptr_nonnull(s);
    s->p = p ? *p : SCHED_CREDIT_PARAMS_DEFAULT;
    s->ncpu = ncpu;
    s->honour_wake = true;
    s->hash = 14695981039346656037ull;
    for (int c = 0; c < ncpu; c++) {
        ck_assert_int_eq(sched_credit_init(&s->cpu[c].rq, &s->p), 0);
        s->cpu[c].slice_end = NO_TIME;
    }
    return s;
}

static int sim_dom(struct sim *s, uint32_t max_vcpus, uint32_t weight, uint32_t cap)
{
    ck_assert_int_lt(s->ndom, SIM_DOMS);
    ck_assert_int_eq(sched_credit_dom_init(&s->dom[s->ndom].sd, max_vcpus, weight, cap), 0);
    return s->ndom++;
}

static struct sim_vcpu *sim_vcpu(struct sim *s, int dom, int cpu, enum work work, uint64_t burst,
                                 uint64_t sleep)
{
    struct sim_vcpu *v = &s->v[s->nv];

    ck_assert_int_lt(s->nv, SIM_VCPUS);
    ck_assert(work == HOG || burst > 0);
    sched_credit_vcpu_init(&v->sv, &s->dom[dom].sd);
    v->id = s->nv++;
    v->cpu = cpu;
    v->work = work;
    v->burst_ns = burst;
    v->sleep_ns = sleep;
    v->woke_at = NO_TIME;
    return v;
}

static struct sim_dom *dom_of(struct sim *s, const struct sim_vcpu *v)
{
    return container_of(v->sv.dom, struct sim_dom, sd);
}

static void sim_check(struct sim *s)
{
    for (int c = 0; c < s->ncpu; c++) {
        check_rq(&s->cpu[c].rq);
        ck_assert_ptr_eq(s->cpu[c].rq.curr, s->cpu[c].cur ? &s->cpu[c].cur->sv : NULL);
    }
    for (int i = 0; i < s->nv; i++) {
        const struct sim_vcpu *v = &s->v[i];
        if (!v->present)
            ck_assert_int_eq(v->sv.state, SCHED_CREDIT_DETACHED);
        else if (v->blocked)
            ck_assert_int_eq(v->sv.state, SCHED_CREDIT_BLOCKED);
        else
            ck_assert(v->sv.state == SCHED_CREDIT_QUEUED || v->sv.state == SCHED_CREDIT_RUNNING);
    }
}

static void sim_pick(struct sim *s, int c)
{
    struct sim_cpu *cpu = &s->cpu[c];
    uint64_t slice = 0xdead;
    struct sim_vcpu *v = to_sim(sched_credit_pick(&cpu->rq, s->now, &slice));

    cpu->cur = v;
    cpu->slice_end = slice ? s->now + slice : NO_TIME;
    if (v) {
        ck_assert_int_eq(v->cpu, c);
        ck_assert_uint_gt(slice, 0);
        ck_assert_uint_le(slice, s->p.tslice_ns);
        if (v->woke_at != NO_TIME) {
            v->max_latency_ns = MAX(v->max_latency_ns, s->now - v->woke_at);
            if (v->woke_with_credit)
                v->max_credit_latency_ns = MAX(v->max_credit_latency_ns, s->now - v->woke_at);
            v->woke_at = NO_TIME;
        }
    }
    if (s->nr_picks < SIM_TRACE)
        s->trace[s->nr_picks] = (struct sim_trace){ s->now, c, v ? v->id : -1 };
    s->nr_picks++;
    uint64_t words[3] = { s->now, (uint64_t)c, v ? (uint64_t)v->id : 99 };
    for (unsigned i = 0; i < 3; i++)
        s->hash = (s->hash ^ words[i]) * 1099511628211ull;
}

static void sim_resched(struct sim *s, const bool *resched)
{
    for (int c = 0; c < s->ncpu; c++)
        if (resched[c])
            sim_pick(s, c);
}

static void sim_wake(struct sim *s, struct sim_vcpu *v, bool *resched)
{
    bool idle = s->cpu[v->cpu].cur == NULL;

    v->blocked = false;
    v->left_ns = v->burst_ns;
    v->woke_at = s->now;
    v->woke_with_credit = v->sv.credit > 0;
    v->nr_wakes++;
    v->nr_credit_wakes += v->woke_with_credit;
    /* An idle CPU is always woken up; a busy one only if honour_wake. */
    if (sched_credit_wake(&s->cpu[v->cpu].rq, &v->sv, s->now) && (s->honour_wake || idle))
        resched[v->cpu] = true;
}

static void sim_add(struct sim *s, struct sim_vcpu *v)
{
    bool resched[SIM_CPUS] = { false };

    v->present = true;
    sim_wake(s, v, resched);
    sim_resched(s, resched);
    sim_check(s);
}

static void sim_block(struct sim *s, struct sim_vcpu *v, uint64_t duration)
{
    bool resched[SIM_CPUS] = { false };

    ck_assert(v->present && !v->blocked);
    sched_credit_sleep(&s->cpu[v->cpu].rq, &v->sv, s->now);
    v->blocked = true;
    v->wake_at = s->now + duration;
    if (s->cpu[v->cpu].cur == v) {
        s->cpu[v->cpu].cur = NULL;
        resched[v->cpu] = true;
    }
    sim_resched(s, resched);
    sim_check(s);
}

static void sim_remove(struct sim *s, struct sim_vcpu *v)
{
    bool resched[SIM_CPUS] = { false };

    sched_credit_remove(&s->cpu[v->cpu].rq, &v->sv, s->now);
    v->present = false;
    v->blocked = false;
    if (s->cpu[v->cpu].cur == v) {
        s->cpu[v->cpu].cur = NULL;
        resched[v->cpu] = true;
    }
    sim_resched(s, resched);
    sim_check(s);
}

/* Time passes: [now, now + dt) lies inside one tick, so inside one window. */
static void sim_advance(struct sim *s, uint64_t dt)
{
    for (int c = 0; c < s->ncpu; c++) {
        struct sim_vcpu *v = s->cpu[c].cur;
        if (!v) {
            s->cpu[c].idle_ns += dt;
            continue;
        }
        struct sim_dom *d = dom_of(s, v);
        uint64_t w = s->now / s->p.period_ns;
        v->ran_ns += dt;
        if (v->work == IO) {
            ck_assert_uint_le(dt, v->left_ns);
            v->left_ns -= dt;
        }
        d->ran_ns += dt;
        if (w != d->window) {
            d->window = w;
            d->window_ns = 0;
        }
        d->window_ns += dt;
        d->max_window_ns = MAX(d->max_window_ns, d->window_ns);
    }
}

static void sim_run(struct sim *s, uint64_t until)
{
    const uint64_t tick = s->p.tick_ns;

    while (s->now < until) {
        uint64_t next = (s->now / tick + 1) * tick;
        bool resched[SIM_CPUS] = { false };

        for (int c = 0; c < s->ncpu; c++) {
            next = MIN(next, s->cpu[c].slice_end);
            if (s->cpu[c].cur && s->cpu[c].cur->work == IO)
                next = MIN(next, s->now + s->cpu[c].cur->left_ns);
        }
        for (int i = 0; i < s->nv; i++)
            if (s->v[i].present && s->v[i].blocked)
                next = MIN(next, s->v[i].wake_at);
        next = MIN(next, until);
        ck_assert_uint_gt(next, s->now);
        sim_advance(s, next - s->now);
        s->now = next;

        for (int c = 0; c < s->ncpu; c++) {
            struct sim_vcpu *v = s->cpu[c].cur;
            if (v && v->work == IO && v->left_ns == 0) {
                sched_credit_sleep(&s->cpu[c].rq, &v->sv, s->now);
                v->blocked = true;
                v->wake_at = s->now + v->sleep_ns;
                s->cpu[c].cur = NULL;
                resched[c] = true;
            }
        }
        for (int i = 0; i < s->nv; i++)
            if (s->v[i].present && s->v[i].blocked && s->v[i].wake_at <= s->now)
                sim_wake(s, &s->v[i], resched);
        if (s->now % tick == 0) {
            for (int c = 0; c < s->ncpu; c++)
                resched[c] |= sched_credit_tick(&s->cpu[c].rq, s->now);
            if (s->now % s->p.period_ns == 0) {
                for (int c = 0; c < s->ncpu; c++)
                    resched[c] |= sched_credit_account(&s->cpu[c].rq, s->now);
                /* Accounting leaves every credit inside the clamp. */
                for (int i = 0; i < s->nv; i++) {
                    ck_assert_int_le(s->v[i].sv.credit, (int64_t)s->p.credit_max_ns);
                    ck_assert_int_ge(s->v[i].sv.credit, -(int64_t)s->p.credit_max_ns);
                }
            }
        }
        for (int c = 0; c < s->ncpu; c++)
            if (s->cpu[c].slice_end <= s->now)
                resched[c] = true;
        sim_resched(s, resched);
        sim_check(s);
    }
}

static uint64_t idle_of(const struct sim *s)
{
    uint64_t n = 0;
    for (int c = 0; c < s->ncpu; c++)
        n += s->cpu[c].idle_ns;
    return n;
}

static double ratio(uint64_t a, uint64_t b)
{
    ck_assert_uint_gt(b, 0);
    return (double)a / (double)b;
}

/* got is within rel (e.g. 0.05 = 5%) of want. */
static void assert_near(const char *what, double got, double want, double rel)
{
    ck_assert_msg(got >= want * (1 - rel) && got <= want * (1 + rel),
                  "%s: got %.4f, want %.4f +- %.1f%%", what, got, want, rel * 100);
}

/* ---- parameter validation (untrusted input gets -EINVAL, nothing changes) ---- */

START_TEST(errno_matches_linux)
{
    ck_assert_int_eq(SCHED_CREDIT_EINVAL, EINVAL);
}
END_TEST

START_TEST(init_validates_params)
{
    const struct sched_credit_params good = SCHED_CREDIT_PARAMS_DEFAULT;
    struct sched_credit rq, pristine;
    struct sched_credit_params bad[9];

    for (unsigned i = 0; i < ARRAY_SIZE(bad); i++)
        bad[i] = good;
    bad[0].tick_ns = 0;
    bad[1].tick_ns = bad[1].period_ns + 1;              /* tick longer than period */
    bad[2].period_ns = 25 * MS;                         /* not a multiple of the tick */
    bad[3].tslice_ns = 0;
    bad[4].credit_max_ns = 0;
    bad[5].period_ns = SCHED_CREDIT_PARAM_MAX_NS + 10 * MS;
    bad[6].tslice_ns = SCHED_CREDIT_PARAM_MAX_NS + 1;
    bad[7].credit_max_ns = UINT64_MAX;
    bad[8].tick_ns = UINT64_MAX;
    for (unsigned i = 0; i < ARRAY_SIZE(bad); i++) {
        memset(&rq, 0xab, sizeof(rq));
        memcpy(&pristine, &rq, sizeof(rq));
        ck_assert_msg(sched_credit_init(&rq, &bad[i]) == -EINVAL, "bad[%u] accepted", i);
        ck_assert_msg(memcmp(&rq, &pristine, sizeof(rq)) == 0, "bad[%u] touched rq", i);
    }

    memset(&rq, 0xab, sizeof(rq));
    ck_assert_int_eq(sched_credit_init(&rq, &good), 0);
    ck_assert_uint_eq(rq.nr_queued, 0);
    ck_assert_uint_eq(rq.nr_active, 0);
    ck_assert_ptr_null(rq.curr);
    check_rq(&rq);

    struct sched_credit_params edge = good;
    edge.tick_ns = edge.period_ns = edge.tslice_ns = edge.credit_max_ns = SCHED_CREDIT_PARAM_MAX_NS;
    ck_assert_int_eq(sched_credit_init(&rq, &edge), 0);
    edge.tick_ns = edge.period_ns = edge.tslice_ns = edge.credit_max_ns = 1;
    ck_assert_int_eq(sched_credit_init(&rq, &edge), 0);
}
END_TEST

START_TEST(dom_init_validates)
{
    struct sched_credit_dom d, pristine;

    memset(&d, 0x5c, sizeof(d));
    memcpy(&pristine, &d, sizeof(d));
    ck_assert_int_eq(sched_credit_dom_init(&d, 0, 256, 0), -EINVAL);
    ck_assert_int_eq(sched_credit_dom_init(&d, SCHED_CREDIT_MAX_VCPUS + 1, 256, 0), -EINVAL);
    ck_assert_int_eq(sched_credit_dom_init(&d, UINT32_MAX, 256, 0), -EINVAL);
    ck_assert_int_eq(sched_credit_dom_init(&d, 1, 0, 0), -EINVAL);
    ck_assert_int_eq(sched_credit_dom_init(&d, 1, 65536, 0), -EINVAL);
    ck_assert_int_eq(sched_credit_dom_init(&d, 1, 256, 101), -EINVAL);
    ck_assert_int_eq(sched_credit_dom_init(&d, 2, 256, 201), -EINVAL);
    ck_assert(memcmp(&d, &pristine, sizeof(d)) == 0);

    ck_assert_int_eq(sched_credit_dom_init(&d, SCHED_CREDIT_MAX_VCPUS, 65535,
                                           100 * SCHED_CREDIT_MAX_VCPUS), 0);
    ck_assert_uint_eq(d.weight, 65535);
    ck_assert_uint_eq(d.cap, 100 * SCHED_CREDIT_MAX_VCPUS);
    ck_assert_int_eq(sched_credit_dom_init(&d, 2, 1, 200), 0);
    ck_assert_uint_eq(d.max_vcpus, 2);
    ck_assert_uint_eq(d.cap_used_ns, 0);
}
END_TEST

START_TEST(set_params_validates)
{
    static const struct {
        uint32_t max_vcpus, weight, cap;
        int ret;
    } cases[] = {
        { 1, 0, 0, -EINVAL },          { 1, 1, 0, 0 },
        { 1, 65535, 0, 0 },            { 1, 65536, 0, -EINVAL },
        { 1, UINT32_MAX, 0, -EINVAL }, { 1, 256, 100, 0 },
        { 1, 256, 101, -EINVAL },      { 2, 256, 200, 0 },
        { 2, 256, 201, -EINVAL },      { 4, 256, UINT32_MAX, -EINVAL },
        { 4, 0, 50, -EINVAL },         { 4, 512, 0, 0 },
        { SCHED_CREDIT_MAX_VCPUS, 256, UINT32_MAX, -EINVAL },
    };
    struct sched_credit_dom d;

    for (unsigned i = 0; i < ARRAY_SIZE(cases); i++) {
        ck_assert_int_eq(sched_credit_dom_init(&d, cases[i].max_vcpus, 77, 1), 0);
        int r = sched_credit_set_params(&d, cases[i].weight, cases[i].cap);
        ck_assert_msg(r == cases[i].ret, "case %u: %d", i, r);
        ck_assert_uint_eq(d.weight, r == 0 ? cases[i].weight : 77);
        ck_assert_uint_eq(d.cap, r == 0 ? cases[i].cap : 1);
        ck_assert_uint_eq(d.max_vcpus, cases[i].max_vcpus);
    }
}
END_TEST

/* A new weight counts from the next accounting on. */
START_TEST(set_params_changes_the_share)
{
    struct sim *s = sim_new(1, NULL);
    int a = sim_dom(s, 1, 256, 0), b = sim_dom(s, 1, 256, 0);
    struct sim_vcpu *va = sim_vcpu(s, a, 0, HOG, 0, 0), *vb = sim_vcpu(s, b, 0, HOG, 0, 0);

    sim_add(s, va);
    sim_add(s, vb);
    sim_run(s, 2 * SEC);
    assert_near("equal phase", ratio(vb->ran_ns, va->ran_ns), 1.0, 0.02);
    ck_assert_int_eq(sched_credit_set_params(&s->dom[b].sd, 768, 0), 0);
    uint64_t a0 = va->ran_ns, b0 = vb->ran_ns;
    sim_run(s, 10 * SEC);
    double r = ratio(vb->ran_ns - b0, va->ran_ns - a0);
    report("sched_credit: weight 256 -> 768: B/A = %.4f (want 3)\n", r);
    assert_near("after set_params 1:3", r, 3.0, 0.05);
    free(s);
}
END_TEST

/* ---- the vCPU state machine: every (state, call) pair ---- */

enum op { OP_WAKE, OP_SLEEP, OP_REMOVE, OP_PICK, NR_OPS };

/* Puts v (on rq, other vCPU w of another domain) in state st at time 0. */
static void enter_state(struct sched_credit *rq, struct sched_credit_vcpu *v,
                        struct sched_credit_vcpu *w, enum sched_credit_state st)
{
    uint64_t slice;

    switch (st) {
    case SCHED_CREDIT_DETACHED:
        break;
    case SCHED_CREDIT_BLOCKED:
        sched_credit_wake(rq, v, 0);
        sched_credit_sleep(rq, v, 0);
        break;
    case SCHED_CREDIT_QUEUED:
        sched_credit_wake(rq, w, 0);
        ck_assert_ptr_eq(sched_credit_pick(rq, 0, &slice), w);
        sched_credit_wake(rq, v, 0);
        break;
    case SCHED_CREDIT_RUNNING:
        sched_credit_wake(rq, v, 0);
        ck_assert_ptr_eq(sched_credit_pick(rq, 0, &slice), v);
        break;
    }
    ck_assert_int_eq(v->state, st);
    check_rq(rq);
}

START_TEST(state_machine_every_pair)
{
    /* expected[state][op] */
    static const enum sched_credit_state expected[4][NR_OPS] = {
        [SCHED_CREDIT_DETACHED] = { SCHED_CREDIT_QUEUED, SCHED_CREDIT_DETACHED,
                                    SCHED_CREDIT_DETACHED, SCHED_CREDIT_DETACHED },
        [SCHED_CREDIT_BLOCKED] = { SCHED_CREDIT_QUEUED, SCHED_CREDIT_BLOCKED,
                                   SCHED_CREDIT_DETACHED, SCHED_CREDIT_BLOCKED },
        [SCHED_CREDIT_QUEUED] = { SCHED_CREDIT_QUEUED, SCHED_CREDIT_BLOCKED,
                                  SCHED_CREDIT_DETACHED, SCHED_CREDIT_RUNNING },
        [SCHED_CREDIT_RUNNING] = { SCHED_CREDIT_RUNNING, SCHED_CREDIT_BLOCKED,
                                   SCHED_CREDIT_DETACHED, SCHED_CREDIT_RUNNING },
    };
    const struct sched_credit_params p = SCHED_CREDIT_PARAMS_DEFAULT;

    for (int st = 0; st < 4; st++) {
        for (int op = 0; op < NR_OPS; op++) {
            struct sched_credit rq;
            struct sched_credit_dom dv, dw;
            struct sched_credit_vcpu v, w;
            uint64_t slice;
            const uint64_t t = 1 * MS;

            ck_assert_int_eq(sched_credit_init(&rq, &p), 0);
            ck_assert_int_eq(sched_credit_dom_init(&dv, 1, 256, 0), 0);
            ck_assert_int_eq(sched_credit_dom_init(&dw, 1, 256, 0), 0);
            sched_credit_vcpu_init(&v, &dv);
            sched_credit_vcpu_init(&w, &dw);
            enter_state(&rq, &v, &w, (enum sched_credit_state)st);
            uint64_t ran_before = v.ran_ns;

            switch (op) {
            case OP_WAKE: {
                bool r = sched_credit_wake(&rq, &v, t);
                /* Only a vCPU that becomes runnable can ask for a reschedule. */
                if (st == SCHED_CREDIT_QUEUED || st == SCHED_CREDIT_RUNNING)
                    ck_assert(!r);
                break;
            }
            case OP_SLEEP:
                sched_credit_sleep(&rq, &v, t);
                break;
            case OP_REMOVE:
                sched_credit_remove(&rq, &v, t);
                break;
            case OP_PICK:
                sched_credit_pick(&rq, t, &slice);
                break;
            }
            ck_assert_msg(v.state == expected[st][op], "state %d op %d: got %d want %d", st, op,
                          v.state, expected[st][op]);
            check_rq(&rq);
            ck_assert_int_eq(v.rq == NULL, v.state == SCHED_CREDIT_DETACHED);
            ck_assert_int_eq(rq.curr == &v, v.state == SCHED_CREDIT_RUNNING);
            if (v.state == SCHED_CREDIT_DETACHED)
                ck_assert(!v.active);
            /* A RUNNING vCPU is charged for the 1 ms it ran, whatever ends it. */
            if (st == SCHED_CREDIT_RUNNING && op != OP_WAKE) {
                ck_assert_uint_eq(v.ran_ns, ran_before + t);
                ck_assert_int_eq(v.credit, -(int64_t)t);
            }
        }
    }
}
END_TEST

/* Caller bugs: a vCPU attached to one run queue used with another. */
static void two_queues(struct sched_credit *rq1, struct sched_credit *rq2,
                       struct sched_credit_dom *d, struct sched_credit_vcpu *v)
{
    const struct sched_credit_params p = SCHED_CREDIT_PARAMS_DEFAULT;

    ck_assert_int_eq(sched_credit_init(rq1, &p), 0);
    ck_assert_int_eq(sched_credit_init(rq2, &p), 0);
    ck_assert_int_eq(sched_credit_dom_init(d, 1, 256, 0), 0);
    sched_credit_vcpu_init(v, d);
    sched_credit_wake(rq1, v, 0);
    sched_credit_sleep(rq1, v, 0); /* BLOCKED, still attached to rq1 */
}

START_TEST(wake_on_other_queue_is_a_bug)
{
    struct sched_credit rq1, rq2;
    struct sched_credit_dom d;
    struct sched_credit_vcpu v;

    two_queues(&rq1, &rq2, &d, &v);
    sched_credit_wake(&rq2, &v, 0);
}
END_TEST

START_TEST(sleep_on_other_queue_is_a_bug)
{
    struct sched_credit rq1, rq2;
    struct sched_credit_dom d;
    struct sched_credit_vcpu v;

    two_queues(&rq1, &rq2, &d, &v);
    sched_credit_sleep(&rq2, &v, 0);
}
END_TEST

START_TEST(remove_from_other_queue_is_a_bug)
{
    struct sched_credit rq1, rq2;
    struct sched_credit_dom d;
    struct sched_credit_vcpu v;

    two_queues(&rq1, &rq2, &d, &v);
    sched_credit_remove(&rq2, &v, 0);
}
END_TEST

/* ---- fairness ---- */

START_TEST(alone_gets_everything)
{
    struct sim *s = sim_new(1, NULL);
    struct sim_vcpu *v = sim_vcpu(s, sim_dom(s, 1, 1, 0), 0, HOG, 0, 0);

    sim_add(s, v);
    sim_run(s, 10 * SEC);
    ck_assert_uint_eq(v->ran_ns, 10 * SEC);
    ck_assert_uint_eq(v->sv.ran_ns, 10 * SEC); /* the policy's own count agrees */
    ck_assert_uint_eq(idle_of(s), 0);
    /* It gets exactly what it uses: credit neither drifts nor runs away. */
    ck_assert_int_le(v->sv.credit, (int64_t)s->p.credit_max_ns);
    ck_assert_int_ge(v->sv.credit, -(int64_t)s->p.credit_max_ns);
    free(s);
}
END_TEST

START_TEST(weights_one_to_two)
{
    struct sim *s = sim_new(1, NULL);
    struct sim_vcpu *a = sim_vcpu(s, sim_dom(s, 1, 256, 0), 0, HOG, 0, 0);
    struct sim_vcpu *b = sim_vcpu(s, sim_dom(s, 1, 512, 0), 0, HOG, 0, 0);

    sim_add(s, a);
    sim_add(s, b);
    sim_run(s, 10 * SEC);
    double r = ratio(b->ran_ns, a->ran_ns);
    report("sched_credit: weights 256:512 over 10 s: %.3f s : %.3f s, ratio %.4f (want 2)\n",
           a->ran_ns / 1e9, b->ran_ns / 1e9, r);
    assert_near("512/256", r, 2.0, 0.05);
    ck_assert_uint_eq(a->ran_ns + b->ran_ns, 10 * SEC);
    ck_assert_uint_eq(idle_of(s), 0);
    free(s);
}
END_TEST

START_TEST(equal_weights_equal_time)
{
    struct sim *s = sim_new(1, NULL);
    struct sim_vcpu *v[4];

    for (int i = 0; i < 4; i++)
        v[i] = sim_vcpu(s, sim_dom(s, 1, 300, 0), 0, HOG, 0, 0);
    sim_add(s, v[0]);
    sim_add(s, v[1]);
    sim_run(s, 10 * SEC);
    double r = ratio(v[1]->ran_ns, v[0]->ran_ns);
    report("sched_credit: equal weights, 2 vCPUs: %.3f s / %.3f s = %.4f\n", v[0]->ran_ns / 1e9,
           v[1]->ran_ns / 1e9, r);
    assert_near("equal pair", r, 1.0, 0.02);

    uint64_t base[4];
    sim_add(s, v[2]);
    sim_add(s, v[3]);
    for (int i = 0; i < 4; i++)
        base[i] = v[i]->ran_ns;
    sim_run(s, 20 * SEC);
    for (int i = 0; i < 4; i++) {
        double share = ratio(v[i]->ran_ns - base[i], 10 * SEC);
        report("sched_credit: equal weights, 4 vCPUs: vCPU %d share %.4f\n", i, share);
        assert_near("equal quarter", share, 0.25, 0.02);
    }
    ck_assert_uint_eq(idle_of(s), 0);
    free(s);
}
END_TEST

START_TEST(three_domains_one_one_two)
{
    struct sim *s = sim_new(1, NULL);
    static const uint32_t w[3] = { 100, 100, 200 };
    static const double want[3] = { 0.25, 0.25, 0.5 };
    struct sim_vcpu *v[3];

    for (int i = 0; i < 3; i++) {
        v[i] = sim_vcpu(s, sim_dom(s, 1, w[i], 0), 0, HOG, 0, 0);
        sim_add(s, v[i]);
    }
    sim_run(s, 10 * SEC);
    for (int i = 0; i < 3; i++) {
        double share = ratio(v[i]->ran_ns, 10 * SEC);
        report("sched_credit: 1:1:2, domain %d share %.4f (want %.2f)\n", i, share, want[i]);
        assert_near("1:1:2", share, want[i], 0.05);
    }
    ck_assert_uint_eq(idle_of(s), 0);
    free(s);
}
END_TEST

/* Weight belongs to the domain: two vCPUs share one domain's weight. */
START_TEST(weight_is_per_domain)
{
    struct sim *s = sim_new(1, NULL);
    int two = sim_dom(s, 2, 256, 0), one = sim_dom(s, 1, 256, 0);
    struct sim_vcpu *a0 = sim_vcpu(s, two, 0, HOG, 0, 0), *a1 = sim_vcpu(s, two, 0, HOG, 0, 0);
    struct sim_vcpu *b = sim_vcpu(s, one, 0, HOG, 0, 0);

    sim_add(s, a0);
    sim_add(s, a1);
    sim_add(s, b);
    sim_run(s, 10 * SEC);
    report("sched_credit: 2-vCPU domain vs 1-vCPU domain, equal weight: %.4f / %.4f\n",
           ratio(s->dom[two].ran_ns, 10 * SEC), ratio(s->dom[one].ran_ns, 10 * SEC));
    assert_near("domain totals", ratio(s->dom[two].ran_ns, s->dom[one].ran_ns), 1.0, 0.05);
    assert_near("vCPUs of one domain", ratio(a1->ran_ns, a0->ran_ns), 1.0, 0.05);
    free(s);
}
END_TEST

/* ---- caps ---- */

START_TEST(cap_holds_when_alone)
{
    struct sim *s = sim_new(1, NULL);
    int d = sim_dom(s, 1, 256, 25);
    struct sim_vcpu *v = sim_vcpu(s, d, 0, HOG, 0, 0);
    const uint64_t budget = s->p.period_ns / 4;

    sim_add(s, v);
    sim_run(s, 10 * SEC);
    report("sched_credit: cap 25%% alone: %.4f of the CPU, worst window %.3f ms of %.3f\n",
           ratio(v->ran_ns, 10 * SEC), s->dom[d].max_window_ns / 1e6, budget / 1e6);
    ck_assert_uint_le(v->ran_ns, 10 * SEC / 4 + s->p.tick_ns);
    ck_assert_uint_ge(v->ran_ns, 10 * SEC / 4 - s->p.tick_ns);
    /* On one CPU the slice ends with the budget: exact, not just within a tick. */
    ck_assert_uint_eq(s->dom[d].max_window_ns, budget);
    ck_assert_uint_eq(idle_of(s), 10 * SEC - v->ran_ns);
    free(s);
}
END_TEST

START_TEST(cap_with_uncapped_competitor)
{
    struct sim *s = sim_new(1, NULL);
    int capped = sim_dom(s, 1, 256, 25), free_dom = sim_dom(s, 1, 256, 0);
    struct sim_vcpu *c = sim_vcpu(s, capped, 0, HOG, 0, 0);
    struct sim_vcpu *u = sim_vcpu(s, free_dom, 0, HOG, 0, 0);

    sim_add(s, c);
    sim_add(s, u);
    sim_run(s, 10 * SEC);
    report("sched_credit: cap 25%% vs uncapped: %.4f / %.4f, idle %llu ns\n",
           ratio(c->ran_ns, 10 * SEC), ratio(u->ran_ns, 10 * SEC),
           (unsigned long long)idle_of(s));
    ck_assert_uint_le(c->ran_ns, 10 * SEC / 4 + s->p.tick_ns);
    ck_assert_uint_ge(c->ran_ns, 10 * SEC / 4 - s->p.tick_ns); /* below its fair 50% */
    ck_assert_uint_le(s->dom[capped].max_window_ns, s->p.period_ns / 4);
    ck_assert_uint_eq(idle_of(s), 0); /* work conserving */
    ck_assert_uint_eq(c->ran_ns + u->ran_ns, 10 * SEC);
    free(s);
}
END_TEST

/* A cap above the fair share changes nothing; capped-off credit is not lost. */
START_TEST(cap_above_fair_share_and_redistribution)
{
    struct sim *s = sim_new(1, NULL);
    int a = sim_dom(s, 1, 256, 50), b = sim_dom(s, 1, 768, 0);
    struct sim_vcpu *va = sim_vcpu(s, a, 0, HOG, 0, 0), *vb = sim_vcpu(s, b, 0, HOG, 0, 0);

    sim_add(s, va);
    sim_add(s, vb);
    sim_run(s, 10 * SEC);
    assert_near("capped 50, fair 25", ratio(va->ran_ns, 10 * SEC), 0.25, 0.05);
    assert_near("uncapped 75", ratio(vb->ran_ns, 10 * SEC), 0.75, 0.05);
    free(s);

    /* Capped at 10% with the biggest weight: the two others split the rest 1:2. */
    s = sim_new(1, NULL);
    int c = sim_dom(s, 1, 1000, 10), x = sim_dom(s, 1, 100, 0), y = sim_dom(s, 1, 200, 0);
    struct sim_vcpu *vc = sim_vcpu(s, c, 0, HOG, 0, 0);
    struct sim_vcpu *vx = sim_vcpu(s, x, 0, HOG, 0, 0), *vy = sim_vcpu(s, y, 0, HOG, 0, 0);
    sim_add(s, vc);
    sim_add(s, vx);
    sim_add(s, vy);
    sim_run(s, 10 * SEC);
    double r = ratio(vy->ran_ns, vx->ran_ns);
    report("sched_credit: cap 10%% + 1:2 uncapped: %.4f, then %.4f : %.4f (ratio %.4f)\n",
           ratio(vc->ran_ns, 10 * SEC), ratio(vx->ran_ns, 10 * SEC), ratio(vy->ran_ns, 10 * SEC),
           r);
    ck_assert_uint_le(vc->ran_ns, 10 * SEC / 10 + s->p.tick_ns);
    assert_near("uncapped 1:2 beside a cap", r, 2.0, 0.05);
    ck_assert_uint_eq(idle_of(s), 0);
    free(s);
}
END_TEST

/* A domain-wide cap over vCPUs on two run queues. */
START_TEST(cap_across_two_cpus)
{
    struct sim *s = sim_new(2, NULL);
    int capped = sim_dom(s, 2, 256, 50), other = sim_dom(s, 2, 256, 0);
    struct sim_vcpu *c0 = sim_vcpu(s, capped, 0, HOG, 0, 0), *c1 = sim_vcpu(s, capped, 1, HOG, 0, 0);
    struct sim_vcpu *o0 = sim_vcpu(s, other, 0, HOG, 0, 0), *o1 = sim_vcpu(s, other, 1, HOG, 0, 0);
    const uint64_t budget = s->p.period_ns / 2;

    sim_add(s, c0);
    sim_add(s, c1);
    sim_add(s, o0);
    sim_add(s, o1);
    sim_run(s, 10 * SEC);
    report("sched_credit: cap 50%% over 2 CPUs: %.4f of one CPU, worst window %.1f ms of %.1f\n",
           ratio(s->dom[capped].ran_ns, 10 * SEC), s->dom[capped].max_window_ns / 1e6,
           budget / 1e6);
    /* On average the cap holds (overshoots are carried); each window within a tick per CPU. */
    ck_assert_uint_le(s->dom[capped].ran_ns, 10 * SEC / 2 + budget + 2 * s->p.tick_ns);
    ck_assert_uint_ge(s->dom[capped].ran_ns, 10 * SEC / 2 - budget);
    ck_assert_uint_le(s->dom[capped].max_window_ns, budget + 2 * s->p.tick_ns);
    ck_assert_uint_eq(idle_of(s), 0);
    free(s);
}
END_TEST

/* ---- blocking, credit and latency ---- */

/* IO: 1 ms of CPU, then blocks sleep_ns; with a CPU-bound competitor. */
static void io_vs_hog(bool honour, uint64_t sleep_ns, uint64_t *latency, uint64_t *credit_latency,
                      double *io_share)
{
    struct sim *s = sim_new(1, NULL);
    struct sim_vcpu *io = sim_vcpu(s, sim_dom(s, 1, 256, 0), 0, IO, 1 * MS, sleep_ns);
    struct sim_vcpu *hog = sim_vcpu(s, sim_dom(s, 1, 256, 0), 0, HOG, 0, 0);

    s->honour_wake = honour;
    sim_add(s, hog);
    sim_run(s, 5 * MS);
    sim_add(s, io); /* wakes mid-tick */
    sim_run(s, 10 * SEC);
    *latency = io->max_latency_ns;
    *credit_latency = io->max_credit_latency_ns;
    *io_share = ratio(io->ran_ns, 10 * SEC);
    ck_assert_uint_gt(io->nr_wakes, 400);
    ck_assert_uint_ge(io->nr_credit_wakes, io->nr_wakes - 1); /* all but the first */
    /* It got every burst it asked for, and the hog all the rest. */
    ck_assert_uint_ge(io->ran_ns, (io->nr_wakes - 1) * io->burst_ns);
    ck_assert_uint_eq(io->ran_ns + hog->ran_ns, 10 * SEC);
    ck_assert_uint_eq(idle_of(s), 0);
    /* Its unused share does not pile up. */
    ck_assert_int_le(io->sv.credit, (int64_t)s->p.credit_max_ns);
    free(s);
}

START_TEST(io_vcpu_gets_what_it_asks_at_once)
{
    const struct sched_credit_params p = SCHED_CREDIT_PARAMS_DEFAULT;
    uint64_t latency, credit_latency;
    double share;

    io_vs_hog(true, 9 * MS, &latency, &credit_latency, &share);
    report("sched_credit: IO vCPU (1 ms run / 9 ms block) vs hog, wake preemption: share %.4f, "
           "worst latency %llu ns with credit, %.3f ms overall\n", share,
           (unsigned long long)credit_latency, latency / 1e6);
    ck_assert_uint_eq(credit_latency, 0);
    /* Its very first wake, without credit yet, waits for the hog's slice at most. */
    ck_assert_uint_le(latency, p.tslice_ns);
    assert_near("asks 10%", share, 0.10, 0.01);
}
END_TEST

START_TEST(io_vcpu_latency_within_a_tick)
{
    const struct sched_credit_params p = SCHED_CREDIT_PARAMS_DEFAULT;
    uint64_t latency, credit_latency;
    double share;

    /* 1 ms run, 4.2 ms block: it wakes between ticks. */
    io_vs_hog(false, 4200 * 1000, &latency, &credit_latency, &share);
    report("sched_credit: IO vCPU (1 ms / 4.2 ms) vs hog, preempting at ticks only: share %.4f, "
           "worst latency %.3f ms with credit\n", share, credit_latency / 1e6);
    ck_assert_uint_gt(credit_latency, 0); /* it did wait for a tick */
    ck_assert_uint_le(credit_latency, p.tick_ns);
    ck_assert_uint_le(latency, p.tslice_ns);
    ck_assert(share > 1.0 / (1 + 4.2 + 10) && share < 1.0 / (1 + 4.2));
}
END_TEST

/* The I/O vCPU's unused share goes to the CPU-bound ones, in their ratio. */
START_TEST(io_vcpu_leaves_hog_ratio_intact)
{
    struct sim *s = sim_new(1, NULL);
    struct sim_vcpu *io = sim_vcpu(s, sim_dom(s, 1, 256, 0), 0, IO, 1 * MS, 9 * MS);
    struct sim_vcpu *a = sim_vcpu(s, sim_dom(s, 1, 256, 0), 0, HOG, 0, 0);
    struct sim_vcpu *b = sim_vcpu(s, sim_dom(s, 1, 512, 0), 0, HOG, 0, 0);

    sim_add(s, io);
    sim_add(s, a);
    sim_add(s, b);
    sim_run(s, 10 * SEC);
    double r = ratio(b->ran_ns, a->ran_ns);
    report("sched_credit: IO + hogs 256:512: IO %.4f, hogs ratio %.4f, IO worst latency %llu\n",
           ratio(io->ran_ns, 10 * SEC), r, (unsigned long long)io->max_credit_latency_ns);
    assert_near("hogs 1:2 beside an IO vCPU", r, 2.0, 0.05);
    assert_near("IO share", ratio(io->ran_ns, 10 * SEC), 0.10, 0.01);
    ck_assert_uint_eq(io->max_credit_latency_ns, 0);
    /* Only wakes in the first period, before any accounting, lack credit. */
    ck_assert_uint_ge(io->nr_credit_wakes, io->nr_wakes - 3);
    free(s);
}
END_TEST

START_TEST(blocked_vcpu_uses_and_gains_no_credit)
{
    struct sim *s = sim_new(1, NULL);
    struct sim_vcpu *a = sim_vcpu(s, sim_dom(s, 1, 256, 0), 0, HOG, 0, 0);
    struct sim_vcpu *b = sim_vcpu(s, sim_dom(s, 1, 256, 0), 0, HOG, 0, 0);
    const int64_t max = (int64_t)s->p.credit_max_ns;

    sim_add(s, a);
    sim_add(s, b);
    sim_run(s, 1 * SEC);
    sim_block(s, b, 5 * SEC); /* back at 6 s */
    sim_run(s, 1 * SEC + 2 * s->p.period_ns);
    ck_assert(!b->sv.active); /* left the active set at the first accounting */
    const int64_t b_credit = b->sv.credit;
    ck_assert_int_le(b_credit, max);
    sim_run(s, 2010 * MS);
    const int64_t a_credit = a->sv.credit;
    uint64_t a0 = a->ran_ns;
    sim_run(s, 5970 * MS);
    /* B gained nothing while blocked; A got exactly what it used (no dilution). */
    ck_assert_int_eq(b->sv.credit, b_credit);
    ck_assert_int_eq(a->sv.credit, a_credit);
    ck_assert_int_gt(a_credit, -max);
    ck_assert_uint_eq(a->ran_ns - a0, 5970 * MS - 2010 * MS);
    report("sched_credit: blocked B keeps %lld ns of credit, A alone stays at %lld ns\n",
           (long long)b_credit, (long long)a_credit);

    /* Woken after 5 s it does not cash in 5 s of credit. */
    sim_run(s, 6 * SEC);
    ck_assert_int_eq(b->sv.state, SCHED_CREDIT_QUEUED + (s->cpu[0].cur == b));
    uint64_t a1 = a->ran_ns, b1 = b->ran_ns;
    sim_run(s, 7 * SEC);
    report("sched_credit: after a 5 s block, first second: %.4f / %.4f\n",
           ratio(b->ran_ns - b1, SEC), ratio(a->ran_ns - a1, SEC));
    ck_assert_uint_le(b->ran_ns - b1, SEC / 2 + 2 * s->p.credit_max_ns);
    ck_assert_uint_ge(b->ran_ns - b1, SEC / 2 - 2 * s->p.credit_max_ns);
    free(s);
}
END_TEST

/* Wake preemption rules, boost and tick, through the API directly. */
START_TEST(boost_and_preemption)
{
    for (int boost = 0; boost <= 1; boost++) {
        struct sched_credit_params p = SCHED_CREDIT_PARAMS_DEFAULT;
        struct sched_credit rq;
        struct sched_credit_dom dh, dv;
        struct sched_credit_vcpu h, v;
        uint64_t slice;

        p.boost = boost;
        ck_assert_int_eq(sched_credit_init(&rq, &p), 0);
        ck_assert_int_eq(sched_credit_dom_init(&dh, 1, 256, 0), 0);
        ck_assert_int_eq(sched_credit_dom_init(&dv, 1, 256, 0), 0);
        sched_credit_vcpu_init(&h, &dh);
        sched_credit_vcpu_init(&v, &dv);

        ck_assert(sched_credit_wake(&rq, &h, 0)); /* idle CPU */
        ck_assert_ptr_eq(sched_credit_pick(&rq, 0, &slice), &h);
        ck_assert_uint_eq(slice, p.tslice_ns);
        ck_assert(!sched_credit_wake(&rq, &v, 0)); /* both OVER: no preemption */
        ck_assert_int_eq(v.prio, SCHED_CREDIT_OVER);
        sched_credit_sleep(&rq, &v, 0);
        ck_assert(v.active); /* blocked in this period: still gets its credit */

        ck_assert(!sched_credit_tick(&rq, 10 * MS));
        ck_assert(!sched_credit_tick(&rq, 20 * MS));
        ck_assert(!sched_credit_tick(&rq, 30 * MS));
        sched_credit_account(&rq, 30 * MS);
        ck_assert_int_eq(h.credit, -15 * (int64_t)MS);
        ck_assert_int_eq(v.credit, 15 * (int64_t)MS);
        ck_assert(!v.active);
        ck_assert_int_eq(h.prio, SCHED_CREDIT_OVER);

        /* v wakes with credit: it outranks the OVER hog either way. */
        ck_assert(sched_credit_wake(&rq, &v, 35 * MS));
        ck_assert_int_eq(v.prio, boost ? SCHED_CREDIT_BOOST : SCHED_CREDIT_UNDER);
        check_rq(&rq);
        /* A glue that waits for the tick preempts then. */
        ck_assert(sched_credit_tick(&rq, 40 * MS));
        ck_assert_ptr_eq(sched_credit_pick(&rq, 40 * MS, &slice), &v);
        ck_assert_int_eq(h.credit, -25 * (int64_t)MS);
        /* The boost ends at the first tick. */
        ck_assert(!sched_credit_tick(&rq, 50 * MS));
        ck_assert_int_eq(v.prio, SCHED_CREDIT_UNDER);
        ck_assert_int_eq(v.credit, 5 * (int64_t)MS);
        /* Out of credit, the hog (also OVER) does not preempt it before its slice ends. */
        ck_assert(!sched_credit_tick(&rq, 60 * MS));
        ck_assert_int_eq(v.prio, SCHED_CREDIT_OVER);
        ck_assert_ptr_eq(sched_credit_pick(&rq, 70 * MS, &slice), &h);
        check_rq(&rq);
    }
}
END_TEST

START_TEST(boosted_wake_preempts_under)
{
    struct sched_credit_params p = SCHED_CREDIT_PARAMS_DEFAULT;
    struct sched_credit rq;
    struct sched_credit_dom da, db;
    struct sched_credit_vcpu a, b;
    uint64_t slice;

    ck_assert_int_eq(sched_credit_init(&rq, &p), 0);
    ck_assert_int_eq(sched_credit_dom_init(&da, 1, 256, 0), 0);
    ck_assert_int_eq(sched_credit_dom_init(&db, 1, 256, 0), 0);
    sched_credit_vcpu_init(&a, &da);
    sched_credit_vcpu_init(&b, &db);
    sched_credit_wake(&rq, &a, 0);
    sched_credit_wake(&rq, &b, 0);
    ck_assert_ptr_eq(sched_credit_pick(&rq, 0, &slice), &a);
    sched_credit_sleep(&rq, &b, 0);
    sched_credit_account(&rq, 0); /* both get 15 ms: UNDER */
    ck_assert_int_eq(a.prio, SCHED_CREDIT_UNDER);
    ck_assert(sched_credit_wake(&rq, &b, 1 * MS)); /* BOOST > UNDER */
    ck_assert_ptr_eq(sched_credit_pick(&rq, 1 * MS, &slice), &b);
    /* Without boost, UNDER does not preempt UNDER. */
    p.boost = false;
    ck_assert_int_eq(sched_credit_init(&rq, &p), 0);
    sched_credit_vcpu_init(&a, &da);
    sched_credit_vcpu_init(&b, &db);
    sched_credit_wake(&rq, &a, 0);
    sched_credit_wake(&rq, &b, 0);
    ck_assert_ptr_eq(sched_credit_pick(&rq, 0, &slice), &a);
    sched_credit_sleep(&rq, &b, 0);
    sched_credit_account(&rq, 0);
    ck_assert(!sched_credit_wake(&rq, &b, 1 * MS));
    ck_assert(!sched_credit_tick(&rq, 10 * MS));
}
END_TEST

/* Accounting clamps credit both ways; what the top clamp cuts goes to others. */
START_TEST(credit_is_clamped)
{
    struct sched_credit_params p = SCHED_CREDIT_PARAMS_DEFAULT;
    struct sched_credit rq;
    struct sched_credit_dom da, db;
    struct sched_credit_vcpu a, b;
    uint64_t slice;

    p.credit_max_ns = 10 * MS;
    ck_assert_int_eq(sched_credit_init(&rq, &p), 0);
    ck_assert_int_eq(sched_credit_dom_init(&da, 1, 256, 0), 0);
    ck_assert_int_eq(sched_credit_dom_init(&db, 1, 256, 0), 0);
    sched_credit_vcpu_init(&a, &da);
    sched_credit_vcpu_init(&b, &db);
    sched_credit_wake(&rq, &a, 0);
    ck_assert_ptr_eq(sched_credit_pick(&rq, 0, &slice), &a);
    sched_credit_wake(&rq, &b, 0);
    sched_credit_sleep(&rq, &b, 0);
    /* The glue missed accountings: a ran 200 ms on 0 credit. */
    for (uint64_t t = 10 * MS; t <= 200 * MS; t += 10 * MS)
        sched_credit_tick(&rq, t);
    ck_assert_int_eq(a.credit, -200 * (int64_t)MS);
    sched_credit_account(&rq, 200 * MS);
    /* a: -200 + 15 share, clamped to -10, plus the 5 ms b could not keep. */
    ck_assert_int_eq(a.credit, -5 * (int64_t)MS);
    ck_assert_int_eq(b.credit, 10 * (int64_t)MS); /* 15 ms share, 5 cut off */
    ck_assert_uint_eq(a.ran_ns, 200 * MS);
    /* b blocked the whole next period: nothing more for it; a gets it all. */
    sched_credit_tick(&rq, 210 * MS);
    sched_credit_account(&rq, 210 * MS);
    ck_assert_int_eq(b.credit, 10 * (int64_t)MS);
    ck_assert_int_eq(a.credit, 10 * (int64_t)MS); /* -5 - 10 + 30, clamped */
}
END_TEST

START_TEST(yield_lets_others_go_first)
{
    const struct sched_credit_params p = SCHED_CREDIT_PARAMS_DEFAULT;
    struct sched_credit rq;
    struct sched_credit_dom da, db;
    struct sched_credit_vcpu a, b;
    uint64_t slice;

    ck_assert_int_eq(sched_credit_init(&rq, &p), 0);
    ck_assert_int_eq(sched_credit_dom_init(&da, 1, 256, 0), 0);
    ck_assert_int_eq(sched_credit_dom_init(&db, 1, 256, 0), 0);
    sched_credit_vcpu_init(&a, &da);
    sched_credit_vcpu_init(&b, &db);

    sched_credit_wake(&rq, &a, 0);
    ck_assert_ptr_eq(sched_credit_pick(&rq, 0, &slice), &a);
    sched_credit_yield(&rq); /* alone: it runs on */
    ck_assert_ptr_eq(sched_credit_pick(&rq, 1 * MS, &slice), &a);
    ck_assert(!a.yielding);

    /* a runs the first period through; then a is OVER and b UNDER. */
    sched_credit_wake(&rq, &b, 1 * MS);
    ck_assert(!sched_credit_tick(&rq, 10 * MS));
    ck_assert(!sched_credit_tick(&rq, 20 * MS));
    ck_assert(!sched_credit_tick(&rq, 30 * MS));
    ck_assert(sched_credit_account(&rq, 30 * MS));
    ck_assert_int_eq(a.prio, SCHED_CREDIT_OVER);
    ck_assert_int_eq(b.prio, SCHED_CREDIT_UNDER);
    ck_assert_ptr_eq(sched_credit_pick(&rq, 30 * MS, &slice), &b);
    /* b yields even to a lower-priority vCPU, once. */
    sched_credit_yield(&rq);
    ck_assert_ptr_eq(sched_credit_pick(&rq, 30 * MS, &slice), &a);
    ck_assert(!b.yielding);
    ck_assert_int_eq(b.state, SCHED_CREDIT_QUEUED);
    check_rq(&rq);
    ck_assert(sched_credit_tick(&rq, 31 * MS));
    ck_assert_ptr_eq(sched_credit_pick(&rq, 31 * MS, &slice), &b);
    /* With nothing else runnable a yielder runs on. */
    sched_credit_sleep(&rq, &a, 32 * MS);
    sched_credit_yield(&rq);
    ck_assert_ptr_eq(sched_credit_pick(&rq, 32 * MS, &slice), &b);
    check_rq(&rq);
}
END_TEST

START_TEST(idle_slices)
{
    struct sim *s = sim_new(1, NULL);
    int d = sim_dom(s, 1, 256, 10);
    struct sim_vcpu *v = sim_vcpu(s, d, 0, HOG, 0, 0);
    struct sched_credit *rq = &s->cpu[0].rq;
    uint64_t slice = 1;

    ck_assert_ptr_null(sched_credit_pick(rq, 0, &slice));
    ck_assert_uint_eq(slice, 0); /* nothing to do until a wake */

    sim_add(s, v);
    ck_assert_uint_eq(s->cpu[0].slice_end, 3 * MS); /* slice = cap budget */
    sim_run(s, 5 * MS);
    /* Parked: idle until the next window, and pick says so. */
    ck_assert_ptr_null(s->cpu[0].cur);
    ck_assert_ptr_null(sched_credit_pick(rq, 5 * MS, &slice));
    ck_assert_uint_eq(slice, 25 * MS);
    ck_assert(!sched_credit_tick(rq, 10 * MS));
    ck_assert_ptr_null(sched_credit_pick(rq, 29 * MS, &slice));
    ck_assert_uint_eq(slice, 1 * MS);
    ck_assert(sched_credit_account(rq, 30 * MS)); /* new window: unparked */
    ck_assert_ptr_eq(sched_credit_pick(rq, 30 * MS, &slice), &v->sv);
    ck_assert_uint_eq(slice, 3 * MS);
    /* Lifting the cap takes effect at once. */
    ck_assert_int_eq(sched_credit_set_params(&s->dom[d].sd, 256, 0), 0);
    ck_assert_ptr_eq(sched_credit_pick(rq, 33 * MS, &slice), &v->sv);
    ck_assert_uint_eq(slice, s->p.tslice_ns);
    free(s);
}
END_TEST

/* ---- vCPUs come and go ---- */

START_TEST(vcpus_added_and_removed_while_running)
{
    struct sim *s = sim_new(1, NULL);
    struct sim_vcpu *v[3];
    uint64_t mark[3];

    for (int i = 0; i < 3; i++)
        v[i] = sim_vcpu(s, sim_dom(s, 1, 256, 0), 0, HOG, 0, 0);
    sim_add(s, v[0]);
    sim_add(s, v[1]);
    sim_run(s, 3 * SEC + 5 * MS);
    assert_near("two", ratio(v[1]->ran_ns, v[0]->ran_ns), 1.0, 0.02);

    sim_add(s, v[2]);
    for (int i = 0; i < 3; i++)
        mark[i] = v[i]->ran_ns;
    sim_run(s, 6 * SEC + 7 * MS);
    for (int i = 0; i < 3; i++)
        assert_near("three", ratio(v[i]->ran_ns - mark[i], 3 * SEC + 2 * MS), 1.0 / 3, 0.05);

    /* Remove whichever vCPU is running right now. */
    struct sim_vcpu *gone = s->cpu[0].cur;
    ck_assert_ptr_nonnull(gone);
    sim_remove(s, gone);
    ck_assert_int_eq(gone->sv.state, SCHED_CREDIT_DETACHED);
    ck_assert_ptr_null(gone->sv.rq);
    ck_assert_uint_eq(s->cpu[0].rq.nr_active, 2);
    ck_assert_ptr_nonnull(s->cpu[0].cur); /* the CPU went straight on */
    for (int i = 0; i < 3; i++)
        mark[i] = v[i]->ran_ns;
    sim_run(s, 10 * SEC);
    for (int i = 0; i < 3; i++) {
        if (v[i] == gone)
            ck_assert_uint_eq(v[i]->ran_ns, mark[i]);
        else
            assert_near("two again", ratio(v[i]->ran_ns - mark[i], 10 * SEC - 6 * SEC - 7 * MS),
                        0.5, 0.02);
    }
    ck_assert_uint_eq(idle_of(s), 0);

    /* Removing twice is harmless. */
    sched_credit_remove(&s->cpu[0].rq, &gone->sv, s->now);
    sim_check(s);
    free(s);
}
END_TEST

START_TEST(migrate_between_run_queues)
{
    struct sim *s = sim_new(2, NULL);
    struct sim_vcpu *a = sim_vcpu(s, sim_dom(s, 1, 256, 0), 0, HOG, 0, 0);
    struct sim_vcpu *m = sim_vcpu(s, sim_dom(s, 1, 256, 0), 0, HOG, 0, 0);

    sim_add(s, a);
    sim_add(s, m);
    sim_run(s, 1 * SEC);
    assert_near("shared CPU 0", ratio(m->ran_ns, a->ran_ns), 1.0, 0.05);
    ck_assert_uint_eq(s->cpu[1].idle_ns, 1 * SEC);

    sim_remove(s, m);
    m->cpu = 1;
    sim_add(s, m);
    ck_assert_ptr_eq(m->sv.rq, &s->cpu[1].rq);
    ck_assert_ptr_eq(s->cpu[1].cur, m);
    uint64_t a0 = a->ran_ns, m0 = m->ran_ns;
    sim_run(s, 3 * SEC);
    ck_assert_uint_eq(a->ran_ns - a0, 2 * SEC);
    ck_assert_uint_eq(m->ran_ns - m0, 2 * SEC);
    free(s);
}
END_TEST

/* ---- determinism ---- */

static void mixed_scenario(struct sim *s)
{
    int d0 = sim_dom(s, 2, 256, 0), d1 = sim_dom(s, 1, 512, 0), d2 = sim_dom(s, 2, 128, 60);
    int d3 = sim_dom(s, 1, 256, 0);
    struct sim_vcpu *v[6] = {
        sim_vcpu(s, d0, 0, HOG, 0, 0),          sim_vcpu(s, d0, 1, HOG, 0, 0),
        sim_vcpu(s, d1, 0, IO, 3 * MS, 4 * MS), sim_vcpu(s, d2, 0, HOG, 0, 0),
        sim_vcpu(s, d2, 1, IO, 7 * MS, 2 * MS), sim_vcpu(s, d3, 1, HOG, 0, 0),
    };

    for (int i = 0; i < 5; i++)
        sim_add(s, v[i]);
    sim_run(s, 1234567);
    sim_add(s, v[5]);
    sim_run(s, 2 * SEC + 333);
    sim_remove(s, v[0]);
    sim_run(s, 3 * SEC);
    ck_assert_int_eq(sched_credit_set_params(&s->dom[d1].sd, 1000, 50), 0);
    s->honour_wake = false;
    sim_run(s, 4 * SEC);
}

START_TEST(same_inputs_same_schedule)
{
    struct sim *s1 = sim_new(2, NULL);
    void *spacer = malloc(12345); /* different addresses for the second run */
    struct sim *s2 = sim_new(2, NULL);

    mixed_scenario(s1);
    mixed_scenario(s2);
    ck_assert_uint_gt(s1->nr_picks, 1000);
    ck_assert_uint_eq(s1->nr_picks, s2->nr_picks);
    ck_assert_uint_eq(s1->hash, s2->hash);
    ck_assert(memcmp(s1->trace, s2->trace, sizeof(s1->trace)) == 0);
    for (int i = 0; i < s1->nv; i++) {
        ck_assert_uint_eq(s1->v[i].ran_ns, s2->v[i].ran_ns);
        ck_assert_int_eq(s1->v[i].sv.credit, s2->v[i].sv.credit);
    }
    /* And the trace does depend on the inputs. */
    struct sim *s3 = sim_new(2, NULL);
    mixed_scenario(s3);
    ck_assert_uint_eq(s3->hash, s1->hash);
    free(s3);
    s3 = sim_new(2, NULL);
    s3->p.tslice_ns = 20 * MS;
    for (int c = 0; c < 2; c++)
        ck_assert_int_eq(sched_credit_init(&s3->cpu[c].rq, &s3->p), 0);
    mixed_scenario(s3);
    ck_assert_uint_ne(s3->hash, s1->hash);
    free(s3);
    free(spacer);
    free(s1);
    free(s2);
}
END_TEST

Suite *sched_credit_suite(void);
Suite *sched_credit_suite(void)
{
    Suite *s = suite_create("sched_credit");
    TCase *api = tcase_create("api");
    TCase *bugs = tcase_create("bugs");
    TCase *sim = tcase_create("simulation");

    tcase_add_test(api, errno_matches_linux);
    tcase_add_test(api, init_validates_params);
    tcase_add_test(api, dom_init_validates);
    tcase_add_test(api, set_params_validates);
    tcase_add_test(api, state_machine_every_pair);
    tcase_add_test(api, boost_and_preemption);
    tcase_add_test(api, boosted_wake_preempts_under);
    tcase_add_test(api, credit_is_clamped);
    tcase_add_test(api, yield_lets_others_go_first);
    tcase_add_test(api, idle_slices);
    suite_add_tcase(s, api);

    tcase_add_test_raise_signal(bugs, wake_on_other_queue_is_a_bug, SIGABRT);
    tcase_add_test_raise_signal(bugs, sleep_on_other_queue_is_a_bug, SIGABRT);
    tcase_add_test_raise_signal(bugs, remove_from_other_queue_is_a_bug, SIGABRT);
    suite_add_tcase(s, bugs);

    tcase_add_test(sim, alone_gets_everything);
    tcase_add_test(sim, weights_one_to_two);
    tcase_add_test(sim, equal_weights_equal_time);
    tcase_add_test(sim, three_domains_one_one_two);
    tcase_add_test(sim, weight_is_per_domain);
    tcase_add_test(sim, set_params_changes_the_share);
    tcase_add_test(sim, cap_holds_when_alone);
    tcase_add_test(sim, cap_with_uncapped_competitor);
    tcase_add_test(sim, cap_above_fair_share_and_redistribution);
    tcase_add_test(sim, cap_across_two_cpus);
    tcase_add_test(sim, io_vcpu_gets_what_it_asks_at_once);
    tcase_add_test(sim, io_vcpu_latency_within_a_tick);
    tcase_add_test(sim, io_vcpu_leaves_hog_ratio_intact);
    tcase_add_test(sim, blocked_vcpu_uses_and_gains_no_credit);
    tcase_add_test(sim, vcpus_added_and_removed_while_running);
    tcase_add_test(sim, migrate_between_run_queues);
    tcase_add_test(sim, same_inputs_same_schedule);
    tcase_set_timeout(sim, 60);
    suite_add_tcase(s, sim);
    return s;
}
