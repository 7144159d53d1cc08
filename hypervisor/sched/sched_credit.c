/*
 * Credit scheduler policy: run queues, credit burning, periodic accounting
 * and caps. The model, the vCPU state machine and the locking rules are
 * written down in include/core/sched_credit.h; this file keeps:
 *
 *   - runq[p] holds exactly the QUEUED vCPUs of priority p, oldest first;
 *     nr_queued is their number. rq->curr is on no runq list.
 *   - The active list holds every QUEUED and RUNNING vCPU, plus BLOCKED
 *     ones that blocked since the last accounting (they ran or waited in
 *     this period, so they get its credit); nr_active is its length.
 *   - A vCPU's prio is recomputed from its credit whenever the credit
 *     changes (burn, accounting), except that BOOST sticks until a tick, a
 *     deschedule or a block; a QUEUED vCPU whose prio changes moves to the
 *     tail of its new list.
 *   - Nothing iterates in address order: every list is FIFO, so the
 *     schedule is a function of the calls and their times alone.
 *
 * Accounting hands out exactly one period of CPU time per run queue, in
 * three steps: (1) each active domain gets period * weight / total weight,
 * at most its cap budget; what caps cut off goes to the uncapped domains by
 * weight; (2) each vCPU gets its domain's share divided by the domain's
 * active vCPUs on this run queue; (3) what a vCPU cannot keep because of
 * the +credit_max clamp (it does not use its share: it blocks a lot) is
 * handed once more to the vCPUs below the clamp, by weight, so that the
 * CPU-bound ones keep their ratios instead of all sinking to -credit_max
 * and sharing round robin. What is still left over after that is dropped.
 */
#include "core/sched_credit.h"

#define container_of(ptr, type, member) ((type *)((char *)(ptr) - offsetof(type, member)))
#define RUN_VCPU(l) container_of(l, struct sched_credit_vcpu, run_link)
#define ACTIVE_VCPU(l) container_of(l, struct sched_credit_vcpu, active_link)

/* ---- intrusive lists ---- */

static void link_init(struct sched_credit_link *l)
{
    l->prev = l;
    l->next = l;
}

static void link_add_tail(struct sched_credit_link *head, struct sched_credit_link *l)
{
    l->prev = head->prev;
    l->next = head;
    head->prev->next = l;
    head->prev = l;
}

static void link_del(struct sched_credit_link *l)
{
    l->prev->next = l->next;
    l->next->prev = l->prev;
    link_init(l);
}

/* ---- caps ---- */

static uint64_t cap_budget(const struct sched_credit *rq, const struct sched_credit_dom *d)
{
    return (uint64_t)d->cap * rq->p.period_ns / 100;
}

/*
 * Starts a fresh window when now has entered a later one. What the domain
 * ran beyond its budget in the window just ended (only possible with
 * several CPUs, each charging at its own ticks) is carried into the next
 * one, so that over time a cap holds on average too.
 */
static void cap_refresh(const struct sched_credit *rq, struct sched_credit_dom *d, uint64_t now)
{
    uint64_t w = now / rq->p.period_ns;
    uint64_t budget = cap_budget(rq, d);

    if (w <= d->cap_window)
        return;
    if (w == d->cap_window + 1 && d->cap_used_ns > budget)
        d->cap_used_ns -= budget;
    else
        d->cap_used_ns = 0;
    d->cap_window = w;
}

/* Run time left to a capped domain in the window of now. */
static uint64_t cap_left(const struct sched_credit *rq, struct sched_credit_dom *d, uint64_t now)
{
    uint64_t budget = cap_budget(rq, d);

    cap_refresh(rq, d, now);
    return d->cap_used_ns >= budget ? 0 : budget - d->cap_used_ns;
}

static bool parked(const struct sched_credit *rq, struct sched_credit_dom *d, uint64_t now)
{
    return d->cap != 0 && cap_left(rq, d, now) == 0;
}

/* ---- priorities and the queue ---- */

static enum sched_credit_prio credit_prio(const struct sched_credit_vcpu *v)
{
    return v->credit > 0 ? SCHED_CREDIT_UNDER : SCHED_CREDIT_OVER;
}

static void enqueue(struct sched_credit *rq, struct sched_credit_vcpu *v)
{
    link_add_tail(&rq->runq[v->prio], &v->run_link);
    v->state = SCHED_CREDIT_QUEUED;
    rq->nr_queued++;
}

static void dequeue(struct sched_credit *rq, struct sched_credit_vcpu *v)
{
    BUG_ON(v->state != SCHED_CREDIT_QUEUED || rq->nr_queued == 0);
    link_del(&v->run_link);
    rq->nr_queued--;
}

/* Sets v's prio to p, moving it to the tail of runq[p] if it is queued. */
static void set_prio(struct sched_credit *rq, struct sched_credit_vcpu *v, enum sched_credit_prio p)
{
    if (v->prio == p)
        return;
    v->prio = p;
    if (v->state == SCHED_CREDIT_QUEUED) {
        link_del(&v->run_link);
        link_add_tail(&rq->runq[p], &v->run_link);
    }
}

/* Recomputes prio from credit, keeping a boost. */
static void update_prio(struct sched_credit *rq, struct sched_credit_vcpu *v)
{
    if (v->prio != SCHED_CREDIT_BOOST)
        set_prio(rq, v, credit_prio(v));
}

static void unboost(struct sched_credit *rq, struct sched_credit_vcpu *v)
{
    set_prio(rq, v, credit_prio(v));
}

static void activate(struct sched_credit *rq, struct sched_credit_vcpu *v)
{
    if (v->active)
        return;
    link_add_tail(&rq->active, &v->active_link);
    v->active = true;
    rq->nr_active++;
}

static void deactivate(struct sched_credit *rq, struct sched_credit_vcpu *v)
{
    if (!v->active)
        return;
    BUG_ON(rq->nr_active == 0);
    link_del(&v->active_link);
    v->active = false;
    rq->nr_active--;
}

/*
 * Charges the running vCPU for [start_ns, now): its credit, and the cap
 * window of now for the part of the run inside that window (earlier
 * windows are over and forgotten).
 */
static void burn(struct sched_credit *rq, struct sched_credit_vcpu *v, uint64_t now)
{
    struct sched_credit_dom *d = v->dom;
    uint64_t delta;

    BUG_ON(v->state != SCHED_CREDIT_RUNNING || rq->curr != v);
    if (now <= v->start_ns)
        return;
    delta = now - v->start_ns;
    if (d->cap != 0) {
        cap_refresh(rq, d, now);
        uint64_t from = MAX(v->start_ns, d->cap_window * rq->p.period_ns);
        if (now > from)
            d->cap_used_ns += now - from;
    }
    /* Keeps credit far from INT64_MIN whatever the gap (accounting clamps it). */
    v->credit -= (int64_t)MIN(delta, (uint64_t)INT64_MAX / 4);
    v->start_ns = now;
    v->ran_ns += delta;
    update_prio(rq, v);
}

/* The first queued vCPU in priority order that may run, other than skip. */
static struct sched_credit_vcpu *first_runnable(const struct sched_credit *rq, uint64_t now,
                                                const struct sched_credit_vcpu *skip)
{
    for (int p = SCHED_CREDIT_NR_PRIO - 1; p >= 0; p--) {
        const struct sched_credit_link *head = &rq->runq[p];
        for (struct sched_credit_link *l = head->next; l != head; l = l->next) {
            struct sched_credit_vcpu *v = RUN_VCPU(l);
            if (v != skip && !parked(rq, v->dom, now))
                return v;
        }
    }
    return NULL;
}

static bool need_resched(const struct sched_credit *rq, uint64_t now)
{
    const struct sched_credit_vcpu *c = rq->curr;
    const struct sched_credit_vcpu *best = first_runnable(rq, now, NULL);

    if (!c)
        return best != NULL;
    if (parked(rq, c->dom, now))
        return true;
    return best && best->prio > c->prio;
}

/* ---- set-up and parameters ---- */

int sched_credit_init(struct sched_credit *rq, const struct sched_credit_params *p)
{
    const uint64_t max = SCHED_CREDIT_PARAM_MAX_NS;

    if (p->tick_ns == 0 || p->tick_ns > p->period_ns || p->period_ns > max ||
        p->period_ns % p->tick_ns != 0 || p->tslice_ns == 0 || p->tslice_ns > max ||
        p->credit_max_ns == 0 || p->credit_max_ns > max)
        return -SCHED_CREDIT_EINVAL;

    memset(rq, 0, sizeof(*rq));
    rq->p = *p;
    for (unsigned i = 0; i < SCHED_CREDIT_NR_PRIO; i++)
        link_init(&rq->runq[i]);
    link_init(&rq->active);
    return 0;
}

static bool params_ok(uint32_t max_vcpus, uint32_t weight, uint32_t cap)
{
    return weight >= SCHED_CREDIT_WEIGHT_MIN && weight <= SCHED_CREDIT_WEIGHT_MAX &&
           (uint64_t)cap <= 100ull * max_vcpus;
}

int sched_credit_dom_init(struct sched_credit_dom *dom, uint32_t max_vcpus, uint32_t weight,
                          uint32_t cap)
{
    if (max_vcpus == 0 || max_vcpus > SCHED_CREDIT_MAX_VCPUS ||
        !params_ok(max_vcpus, weight, cap))
        return -SCHED_CREDIT_EINVAL;

    memset(dom, 0, sizeof(*dom));
    dom->max_vcpus = max_vcpus;
    dom->weight = weight;
    dom->cap = cap;
    return 0;
}

int sched_credit_set_params(struct sched_credit_dom *dom, uint32_t weight, uint32_t cap)
{
    if (!params_ok(dom->max_vcpus, weight, cap))
        return -SCHED_CREDIT_EINVAL;
    dom->weight = weight;
    dom->cap = cap;
    return 0;
}

void sched_credit_vcpu_init(struct sched_credit_vcpu *v, struct sched_credit_dom *dom)
{
    memset(v, 0, sizeof(*v));
    link_init(&v->run_link);
    link_init(&v->active_link);
    v->dom = dom;
    v->state = SCHED_CREDIT_DETACHED;
    v->prio = SCHED_CREDIT_OVER;
}

/* ---- state transitions ---- */

bool sched_credit_wake(struct sched_credit *rq, struct sched_credit_vcpu *v, uint64_t now)
{
    BUG_ON(v->rq != NULL && v->rq != rq);
    if (v->state == SCHED_CREDIT_QUEUED || v->state == SCHED_CREDIT_RUNNING)
        return false;

    if (rq->curr)
        burn(rq, rq->curr, now);
    v->rq = rq;
    v->yielding = false;
    v->prio = credit_prio(v);
    if (rq->p.boost && v->prio == SCHED_CREDIT_UNDER && !parked(rq, v->dom, now))
        v->prio = SCHED_CREDIT_BOOST;
    activate(rq, v);
    enqueue(rq, v);
    return need_resched(rq, now);
}

void sched_credit_sleep(struct sched_credit *rq, struct sched_credit_vcpu *v, uint64_t now)
{
    if (v->state == SCHED_CREDIT_DETACHED)
        return;
    BUG_ON(v->rq != rq);

    switch (v->state) {
    case SCHED_CREDIT_QUEUED:
        dequeue(rq, v);
        break;
    case SCHED_CREDIT_RUNNING:
        burn(rq, v, now);
        rq->curr = NULL;
        break;
    default:
        return; /* already BLOCKED */
    }
    v->state = SCHED_CREDIT_BLOCKED;
    v->yielding = false;
    v->prio = credit_prio(v);
}

void sched_credit_remove(struct sched_credit *rq, struct sched_credit_vcpu *v, uint64_t now)
{
    if (v->state == SCHED_CREDIT_DETACHED)
        return;
    BUG_ON(v->rq != rq);

    sched_credit_sleep(rq, v, now);
    deactivate(rq, v);
    v->rq = NULL;
    v->state = SCHED_CREDIT_DETACHED;
}

struct sched_credit_vcpu *sched_credit_pick(struct sched_credit *rq, uint64_t now,
                                            uint64_t *slice_ns)
{
    struct sched_credit_vcpu *prev = rq->curr, *next, *yielder = NULL;

    if (prev) {
        burn(rq, prev, now);
        rq->curr = NULL;
        prev->prio = credit_prio(prev);
        enqueue(rq, prev);
        if (prev->yielding) {
            prev->yielding = false;
            yielder = prev;
        }
    }

    next = first_runnable(rq, now, yielder);
    if (!next && yielder && !parked(rq, yielder->dom, now))
        next = yielder;
    if (!next) {
        /* Whatever is still queued is parked until the next window. */
        *slice_ns = rq->nr_queued ? rq->p.period_ns - now % rq->p.period_ns : 0;
        return NULL;
    }

    dequeue(rq, next);
    next->state = SCHED_CREDIT_RUNNING;
    next->start_ns = now;
    rq->curr = next;
    *slice_ns = rq->p.tslice_ns;
    if (next->dom->cap != 0)
        *slice_ns = MIN(*slice_ns, cap_left(rq, next->dom, now));
    return next;
}

bool sched_credit_tick(struct sched_credit *rq, uint64_t now)
{
    struct sched_credit_vcpu *c = rq->curr;

    if (c) {
        burn(rq, c, now);
        unboost(rq, c);
    }
    return need_resched(rq, now);
}

void sched_credit_yield(struct sched_credit *rq)
{
    if (rq->curr)
        rq->curr->yielding = true;
}

/* ---- accounting ---- */

/* Adds amount to v's credit; returns what the upper clamp cut off. */
static uint64_t give_credit(struct sched_credit *rq, struct sched_credit_vcpu *v, uint64_t amount)
{
    const int64_t max = (int64_t)rq->p.credit_max_ns;
    uint64_t cut = 0;

    v->credit += (int64_t)amount;
    if (v->credit > max) {
        cut = (uint64_t)(v->credit - max);
        v->credit = max;
    }
    if (v->credit < -max)
        v->credit = -max;
    update_prio(rq, v);
    return cut;
}

/* v's weight as a fraction of its domain's: weight / active vCPUs, scaled. */
static uint64_t vcpu_weight(const struct sched_credit_vcpu *v)
{
    return (uint64_t)v->dom->weight * SCHED_CREDIT_MAX_VCPUS / v->dom->acct_nr;
}

#define FOR_EACH_ACTIVE(rq, l, nxt)                                        \
    for (struct sched_credit_link *l = (rq)->active.next, *nxt = l->next; \
         l != &(rq)->active; l = nxt, nxt = l->next)

bool sched_credit_account(struct sched_credit *rq, uint64_t now)
{
    const uint64_t period = rq->p.period_ns;
    const int64_t max = (int64_t)rq->p.credit_max_ns;
    uint64_t total_w = 0, uncapped_w = 0, excess = 0, surplus = 0, below_w = 0;

    if (rq->curr)
        burn(rq, rq->curr, now);

    /* Pass 0: forget whatever earlier accountings left in the scratch. */
    FOR_EACH_ACTIVE(rq, l, nxt)
        ACTIVE_VCPU(l)->dom->acct_rq = NULL;

    /* Pass 1: active vCPUs per domain, total weight of active domains. */
    FOR_EACH_ACTIVE(rq, l, nxt) {
        struct sched_credit_dom *d = ACTIVE_VCPU(l)->dom;
        if (d->acct_rq != rq) {
            d->acct_rq = rq;
            d->acct_pass = 1;
            d->acct_nr = 0;
            total_w += d->weight;
        }
        d->acct_nr++;
    }

    /* Pass 2: fair share of each domain, cut to its cap budget. */
    FOR_EACH_ACTIVE(rq, l, nxt) {
        struct sched_credit_dom *d = ACTIVE_VCPU(l)->dom;
        if (d->acct_pass != 1)
            continue;
        d->acct_pass = 2;
        d->acct_share = period * d->weight / total_w;
        if (d->cap == 0) {
            uncapped_w += d->weight;
        } else if (d->acct_share > cap_budget(rq, d)) {
            excess += d->acct_share - cap_budget(rq, d);
            d->acct_share = cap_budget(rq, d);
        }
    }

    /* Pass 3: the capped-off excess to uncapped domains; credit to vCPUs. */
    FOR_EACH_ACTIVE(rq, l, nxt) {
        struct sched_credit_vcpu *v = ACTIVE_VCPU(l);
        struct sched_credit_dom *d = v->dom;
        if (d->acct_pass == 2) {
            d->acct_pass = 3;
            if (d->cap == 0 && uncapped_w != 0)
                d->acct_share += excess * d->weight / uncapped_w;
        }
        surplus += give_credit(rq, v, d->acct_share / d->acct_nr);
        if (v->credit < max)
            below_w += vcpu_weight(v);
    }

    /* Pass 4: one more round for what the clamp cut off; drop the blocked. */
    FOR_EACH_ACTIVE(rq, l, nxt) {
        struct sched_credit_vcpu *v = ACTIVE_VCPU(l);
        if (surplus != 0 && below_w != 0 && v->credit < max)
            give_credit(rq, v, surplus * vcpu_weight(v) / below_w);
        if (v->state == SCHED_CREDIT_BLOCKED)
            deactivate(rq, v);
    }

    return need_resched(rq, now);
}
