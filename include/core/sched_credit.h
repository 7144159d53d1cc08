/*
 * Credit scheduler policy: proportional share of a CPU among domains, by
 * weight, with optional caps. Pure policy: the hypervisor glue owns the
 * clock, the timers and the context switch; this module only decides who
 * runs next and for how long. It reads no clock (every call takes `now`,
 * nanoseconds, monotonic) and allocates nothing (the caller embeds the
 * structs below in its own per-CPU, domain and vCPU objects).
 *
 * Model (after the ideas of Xen's credit scheduler, much smaller):
 *   - Credit is measured in nanoseconds of CPU time. A running vCPU is
 *     debited exactly the time it ran ("burn"), whenever the glue calls in
 *     (tick, pick, sleep, wake, account).
 *   - Every accounting period (30 ms) a run queue hands out one period of
 *     CPU time as credit among its ACTIVE vCPUs: those runnable now or that
 *     ran during the period. Each active domain gets a share proportional
 *     to its weight, split evenly among its active vCPUs on this run queue.
 *     What a capped domain cannot use (above its cap) goes to the uncapped
 *     domains, by weight. Credit is then clamped to
 *     [-credit_max_ns, +credit_max_ns]; what the top clamp cuts off (a vCPU
 *     that blocks a lot does not use its share) is handed once more to the
 *     vCPUs below it, by weight. A vCPU blocked during a whole period
 *     leaves the active set: it gets no credit and keeps what it had.
 *   - Priority: BOOST > UNDER (credit > 0) > OVER (credit <= 0). The queue
 *     is FIFO within a priority. A vCPU that wakes with credit is BOOSTed
 *     (when params.boost) and preempts an UNDER or OVER vCPU; the boost ends
 *     at its first tick or when it is descheduled.
 *   - Caps: a domain with cap C (percent of one CPU, 0 = none) may run at
 *     most C * period_ns / 100 ns in each accounting window [k*period,
 *     (k+1)*period), summed over all its vCPUs on all run queues. Once it
 *     has, its vCPUs are PARKED (stay queued, never picked) until the next
 *     window. A capped vCPU's slice ends where its budget does, so on one
 *     CPU a cap is exact; with several CPUs a window may overshoot by what
 *     the domain's other vCPUs ran since they were last charged (at most
 *     one tick per CPU), and the overshoot is taken from the next window.
 *   - Work conserving except caps: pick returns NULL only when nothing is
 *     queued or everything queued is parked.
 *
 * Invariants (checked by the unit tests after every simulated event):
 *   - A vCPU is in exactly one state (enum sched_credit_state below):
 *     DETACHED (rq NULL, on no list), BLOCKED, QUEUED (on runq[prio] of its
 *     rq), RUNNING (rq->curr, on no run queue). rq->curr is RUNNING or NULL.
 *   - nr_queued counts the vCPUs on the runq lists; nr_active the vCPUs on
 *     the active list; every QUEUED or RUNNING vCPU is active.
 *   - A queued vCPU's prio is BOOST, or UNDER iff credit > 0, else OVER.
 *   - Scheduling order depends only on the sequence of calls and times,
 *     never on addresses: same inputs, same schedule.
 *
 * Weight is the domain's claim on each run queue where it has active
 * vCPUs (on one CPU: its share of the CPU). set_params() is the only entry
 * point for untrusted values (a domctl from the toolstack); it validates
 * and returns -SCHED_CREDIT_EINVAL. Every other misuse is a bug of the
 * glue and trips BUG_ON.
 *
 * Locking: none here. The caller holds the run queue's lock for every call
 * taking an rq. struct sched_credit_dom is shared by the run queues of all
 * the domain's vCPUs (cap window, accounting scratch): with more than one
 * CPU, calls that burn or account must also be serialised per domain (a
 * scheduler-wide lock, or accounting done by one CPU at a time). All run
 * queues must use the same period_ns.
 *
 * Typical glue:
 *   wake:    if (sched_credit_wake(rq, v, now)) raise the schedule softirq
 *   block:   sched_credit_sleep(rq, v, now); then schedule
 *   tick:    need = sched_credit_tick(rq, now);
 *            if (now is a multiple of period_ns) need |= sched_credit_account(rq, now);
 *            if (need) schedule
 *   schedule: next = sched_credit_pick(rq, now, &slice); switch to next (or
 *            idle); arm a one-shot timer for now + slice when slice != 0
 *            and call schedule again when it fires.
 */
#ifndef XENIA_CORE_SCHED_CREDIT_H
#define XENIA_CORE_SCHED_CREDIT_H

#include "core/env.h"

/* Returned negated by the functions that validate input (Linux/Xen EINVAL). */
#define SCHED_CREDIT_EINVAL 22

#define SCHED_CREDIT_WEIGHT_MIN 1u
#define SCHED_CREDIT_WEIGHT_MAX 65535u
#define SCHED_CREDIT_WEIGHT_DEFAULT 256u
/* Limits that keep every product in 64 bits. */
#define SCHED_CREDIT_MAX_VCPUS 4096u
#define SCHED_CREDIT_PARAM_MAX_NS 10000000000ull /* 10 s */

struct sched_credit_params {
    uint64_t tick_ns;       /* the glue calls sched_credit_tick this often */
    uint64_t period_ns;     /* accounting period and cap window; a multiple of tick_ns */
    uint64_t tslice_ns;     /* longest slice pick hands out */
    uint64_t credit_max_ns; /* credit is clamped to [-this, +this] at accounting */
    bool boost;             /* waking vCPUs with credit preempt */
};

#define SCHED_CREDIT_PARAMS_DEFAULT                                           \
    ((struct sched_credit_params){ .tick_ns = 10000000ull,                    \
                                   .period_ns = 30000000ull,                  \
                                   .tslice_ns = 30000000ull,                  \
                                   .credit_max_ns = 30000000ull,              \
                                   .boost = true })

/* Intrusive circular doubly linked list node (a head is a node too). */
struct sched_credit_link {
    struct sched_credit_link *prev, *next;
};

/* Run queue order: higher value runs first. */
enum sched_credit_prio {
    SCHED_CREDIT_OVER = 0,  /* credit <= 0 */
    SCHED_CREDIT_UNDER = 1, /* credit > 0 */
    SCHED_CREDIT_BOOST = 2, /* woke with credit, not yet ticked */
    SCHED_CREDIT_NR_PRIO = 3,
};

/*
 * vCPU states and the calls that move between them (every other (state,
 * call) pair leaves the state alone, or is a BUG when it names another rq):
 *   DETACHED --wake(rq)--> QUEUED          (attaches to rq)
 *   BLOCKED  --wake--> QUEUED
 *   QUEUED   --sleep--> BLOCKED    QUEUED  --pick--> RUNNING
 *   RUNNING  --sleep--> BLOCKED    RUNNING --pick--> QUEUED or RUNNING
 *   any      --remove--> DETACHED
 */
enum sched_credit_state {
    SCHED_CREDIT_DETACHED = 0, /* on no run queue (initial; after remove) */
    SCHED_CREDIT_BLOCKED,      /* attached, not runnable */
    SCHED_CREDIT_QUEUED,       /* runnable, waiting on rq->runq[prio] */
    SCHED_CREDIT_RUNNING,      /* rq->curr */
};

/* Per domain; shared by all its vCPUs. Fields are read-only to the caller. */
struct sched_credit_dom {
    uint32_t weight;     /* 1..65535 */
    uint32_t cap;        /* percent of one CPU, 0 = none, <= 100 * max_vcpus */
    uint32_t max_vcpus;  /* 1..SCHED_CREDIT_MAX_VCPUS, bound for cap */
    uint64_t cap_window; /* index (now / period_ns) of the window cap_used_ns is for */
    uint64_t cap_used_ns;
    /* Scratch of sched_credit_account, meaningful only during one call. */
    const struct sched_credit *acct_rq;
    uint32_t acct_pass;
    uint32_t acct_nr;     /* active vCPUs of the domain on acct_rq */
    uint64_t acct_share;  /* credit for the domain this period */
};

/* Per vCPU; embedded in the caller's vCPU. Fields are read-only to the caller. */
struct sched_credit_vcpu {
    struct sched_credit_link run_link;    /* on rq->runq[prio] while QUEUED */
    struct sched_credit_link active_link; /* on rq->active while active */
    struct sched_credit_dom *dom;
    struct sched_credit *rq;              /* NULL iff DETACHED */
    enum sched_credit_state state;
    enum sched_credit_prio prio;
    bool active;
    bool yielding;        /* let every other queued vCPU go first, once */
    int64_t credit;       /* ns */
    uint64_t start_ns;    /* RUNNING: charged up to this time */
    uint64_t ran_ns;      /* statistics: total time charged */
};

/* Per CPU run queue. */
struct sched_credit {
    struct sched_credit_params p;
    struct sched_credit_link runq[SCHED_CREDIT_NR_PRIO]; /* FIFO per priority */
    struct sched_credit_link active;                     /* active vCPUs */
    struct sched_credit_vcpu *curr;                      /* RUNNING, or NULL (idle) */
    uint32_t nr_queued;
    uint32_t nr_active;
};

/*
 * Empty run queue with parameters p: 0, or -SCHED_CREDIT_EINVAL (rq left
 * untouched) unless 0 < tick_ns <= period_ns, period_ns is a multiple of
 * tick_ns, tslice_ns and credit_max_ns are non-zero and all are at most
 * SCHED_CREDIT_PARAM_MAX_NS.
 */
int sched_credit_init(struct sched_credit *rq, const struct sched_credit_params *p);

/*
 * A domain of up to max_vcpus vCPUs: 0, or -SCHED_CREDIT_EINVAL (dom left
 * untouched) for max_vcpus outside 1..SCHED_CREDIT_MAX_VCPUS or parameters
 * that set_params refuses.
 */
int sched_credit_dom_init(struct sched_credit_dom *dom, uint32_t max_vcpus, uint32_t weight,
                          uint32_t cap);

/*
 * Untrusted input (domctl): weight in 1..65535, cap in 0..100*max_vcpus.
 * Validates both, then sets both: 0, or -SCHED_CREDIT_EINVAL and nothing
 * changed. A new weight counts from the next accounting; a new cap at once.
 */
int sched_credit_set_params(struct sched_credit_dom *dom, uint32_t weight, uint32_t cap);

/* A DETACHED vCPU of dom with no credit. */
void sched_credit_vcpu_init(struct sched_credit_vcpu *v, struct sched_credit_dom *dom);

/*
 * v becomes runnable on rq (attaching it if DETACHED; a vCPU attached to
 * another rq must be removed from it first: BUG). Queued at the tail of its
 * priority, BOOSTed if it has credit. No-op when already QUEUED or RUNNING.
 * Returns true if the caller should call pick now (v, or anything queued,
 * should preempt rq->curr, or the CPU is idle and v may run).
 */
bool sched_credit_wake(struct sched_credit *rq, struct sched_credit_vcpu *v, uint64_t now);

/*
 * v blocks: charged for its run if RUNNING (then rq->curr becomes NULL and
 * the caller must call pick), taken off the queue if QUEUED, no-op if
 * BLOCKED or DETACHED. It stays active, and so gets credit, until the next
 * accounting.
 */
void sched_credit_sleep(struct sched_credit *rq, struct sched_credit_vcpu *v, uint64_t now);

/*
 * v leaves rq in any state (vCPU destroyed, or migrating: wake it on the
 * new rq afterwards); it keeps its credit. If it was RUNNING, rq->curr
 * becomes NULL and the caller must call pick. No-op if DETACHED.
 */
void sched_credit_remove(struct sched_credit *rq, struct sched_credit_vcpu *v, uint64_t now);

/*
 * Schedule: charges rq->curr, puts it back at the tail of its priority (if
 * still runnable), and returns the first queued vCPU in priority order
 * whose domain is not parked, now RUNNING, with *slice_ns set to how long it
 * may run before the caller calls pick again (tslice_ns, shortened to a
 * capped domain's remaining budget). NULL means idle; *slice_ns is then the
 * time until the next cap window when a parked vCPU waits, else 0 (nothing
 * to do until a wake). A yielding vCPU is picked only if nothing else is.
 */
struct sched_credit_vcpu *sched_credit_pick(struct sched_credit *rq, uint64_t now,
                                            uint64_t *slice_ns);

/*
 * Periodic tick: charges rq->curr and ends its boost. True if the caller
 * should call pick: curr is parked, or a queued vCPU outranks it, or the
 * CPU is idle while an unparked vCPU is queued.
 */
bool sched_credit_tick(struct sched_credit *rq, uint64_t now);

/*
 * Accounting, once per period (now a multiple of period_ns, after that
 * tick): charges rq->curr, hands out one period of credit among the active
 * vCPUs by weight and caps, clamps, re-sorts the queue and drops the
 * vCPUs blocked since the last accounting from the active set. Returns
 * what sched_credit_tick would.
 */
bool sched_credit_account(struct sched_credit *rq, uint64_t now);

/* rq->curr will let every other queued vCPU go first at the next pick. */
void sched_credit_yield(struct sched_credit *rq);

static inline struct sched_credit_vcpu *sched_credit_curr(const struct sched_credit *rq)
{
    return rq->curr;
}

#endif /* XENIA_CORE_SCHED_CREDIT_H */
