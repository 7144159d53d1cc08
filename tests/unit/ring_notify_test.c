/*
 * Ring conformance, property group "notification".
 *
 * 1. Hold-off: a push notifies exactly when the consumer asked for it, i.e.
 *    when its event index lies in (old, new]. Checked exhaustively over small
 *    windows of old / new / event around 0, 2^31 and the 2^32 wrap, for
 *    every protocol and both directions, against the reference formula
 *    (u32)(new - event) < (u32)(new - old).
 *
 * 2. No lost wake-up: a model checker runs a producer and a consumer as two
 *    step machines, each step being one access to the shared page (put,
 *    publish, read event; read prod, take, arm event), and explores every
 *    interleaving depth-first (each distinct state once). A consumer that goes to sleep must be woken
 *    by a pending notification; a schedule that ends with the producer done
 *    and the consumer asleep short of all entries is a lost wake-up. The
 *    checker is shown to find the bug in two broken consumers, so a pass
 *    means something.
 *
 * 3. The composed operations (final_check, push) keep that order: the page is
 *    made read-only so that the first store of the operation faults, and the
 *    SIGSEGV handler runs the peer right there, between the store and the
 *    load of the Dekker pair, before letting the store complete.
 */
#include <check.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "ring_adapter.h"

static const ring_idx_t bases[] = { 0, 0x80000000u, UINT32_MAX - 5 };

/* Reference semantics: did the consumer ask to be told about (old, new]? */
static bool asked(ring_idx_t old, ring_idx_t new_prod, ring_idx_t event)
{
    for (ring_idx_t k = 1; k <= (ring_idx_t)(new_prod - old); k++)
        if ((ring_idx_t)(old + k) == event)
            return true;
    return false;
}

static bool reference_formula(ring_idx_t old, ring_idx_t new_prod, ring_idx_t event)
{
    return (ring_idx_t)(new_prod - event) < (ring_idx_t)(new_prod - old);
}

START_TEST(test_reference_formula_means_event_in_new_window)
{
    for (size_t bi = 0; bi < sizeof(bases) / sizeof(bases[0]); bi++)
        for (ring_idx_t d = 0; d < 12; d++)
            for (ring_idx_t len = 0; len <= 20; len++)
                for (int ev = -30; ev <= 40; ev++) {
                    ring_idx_t old = bases[bi] + d, nw = old + len, e = old + (ring_idx_t)ev;
                    ck_assert_int_eq(reference_formula(old, nw, e), asked(old, nw, e));
                    ck_assert_int_eq(ra_need_notify(old, nw, e), asked(old, nw, e));
                }
}
END_TEST

struct pair {
    const struct ra_proto *p;
    uint8_t *page;
    ra_front f;
    ra_back b;
};

static void pair_init(struct pair *r, unsigned proto, ring_idx_t start)
{
    r->p = ra_proto(proto);
    r->page = calloc(1, RING_PAGE_SIZE);
    ck_assert_ptr_nonnull(r->page);
    ra_shared_init(r->page, start);
    ra_front_attach(&r->f, r->page, RING_PAGE_SIZE, r->p->slot_size, start);
    ra_back_attach(&r->b, r->page, RING_PAGE_SIZE, r->p->slot_size, start);
}

static struct ring_shared *shared(struct pair *r) { return (struct ring_shared *)r->page; }

/*
 * One push of `len` entries after `old` with the consumer's event index set
 * to `event`: requests (front to back) or responses (back to front).
 * Returns whether the producer decided to notify.
 */
static bool push_decision(unsigned proto, bool responses, ring_idx_t old, ring_idx_t len,
                          ring_idx_t event)
{
    uint8_t m[128] = { 0 };
    struct pair r;
    pair_init(&r, proto, old);
    for (ring_idx_t k = 0; k < len; k++)
        ra_front_put(&r.f, m, r.p->req_size);
    if (responses) {
        ra_front_push(&r.f);
        for (ring_idx_t k = 0; k < len; k++) {
            ck_assert_int_eq(ra_back_take(&r.b, m, r.p->req_size), 1);
            ck_assert_int_eq(ra_back_put(&r.b, m, r.p->rsp_size), 0);
        }
        shared(&r)->rsp_event = event;
    } else {
        shared(&r)->req_event = event;
    }
    bool notify = responses ? ra_back_push(&r.b) : ra_front_push(&r.f);
    free(r.page);
    return notify;
}

/* Every old in 4 steps past each base, 0..6 new entries, events old-4..old+10. */
static void check_push_decisions(unsigned proto, bool responses)
{
    for (size_t bi = 0; bi < sizeof(bases) / sizeof(bases[0]); bi++) {
        for (ring_idx_t old = bases[bi]; old != bases[bi] + 4; old++) {
            for (ring_idx_t len = 0; len <= 6; len++) {
                for (int ev = -4; ev <= 10; ev++) {
                    ring_idx_t event = old + (ring_idx_t)ev;
                    bool notify = push_decision(proto, responses, old, len, event);
                    ck_assert_msg(notify == reference_formula(old, old + len, event),
                                  "%s %s: old %u len %u event %+d", ra_proto(proto)->name,
                                  responses ? "responses" : "requests", old, len, ev);
                    ck_assert_int_eq(notify, asked(old, old + len, event));
                }
            }
        }
    }
}

START_TEST(test_request_push_notifies_iff_back_asked)
{
    check_push_decisions((unsigned)_i, false);
}
END_TEST

START_TEST(test_response_push_notifies_iff_front_asked)
{
    check_push_decisions((unsigned)_i, true);
}
END_TEST

/* Final check on an empty ring arms event = cons + 1 and reports no work. */
START_TEST(test_final_check_arms_event_at_cons_plus_one)
{
    uint8_t m[128] = { 0 };
    struct pair r;
    pair_init(&r, (unsigned)_i, UINT32_MAX - 1);
    for (int k = 0; k < 3; k++)
        ra_front_put(&r.f, m, r.p->req_size);
    ra_front_push(&r.f);
    for (int k = 0; k < 3; k++)
        ra_back_take(&r.b, m, r.p->req_size);
    ck_assert_int_eq(ra_back_final_check(&r.b), 0);
    ck_assert_uint_eq(shared(&r)->req_event, (ring_idx_t)(UINT32_MAX - 1 + 3 + 1));
    for (int k = 0; k < 3; k++)
        ra_back_put(&r.b, m, r.p->rsp_size);
    ra_back_push(&r.b);
    for (int k = 0; k < 3; k++)
        ra_front_take(&r.f, m, r.p->rsp_size);
    ck_assert_int_eq(ra_front_final_check(&r.f), 0);
    ck_assert_uint_eq(shared(&r)->rsp_event, (ring_idx_t)(UINT32_MAX - 1 + 3 + 1));
    free(r.page);
}
END_TEST

/* With work pending, final check says so and leaves the event alone. */
START_TEST(test_final_check_with_work_pending_does_not_rearm)
{
    uint8_t m[128] = { 0 };
    struct pair r;
    pair_init(&r, (unsigned)_i, 0);
    ra_front_put(&r.f, m, r.p->req_size);
    ra_front_push(&r.f);
    shared(&r)->req_event = 0xdeadbeef;
    ck_assert_int_eq(ra_back_final_check(&r.b), 1);
    ck_assert_uint_eq(shared(&r)->req_event, 0xdeadbeef);
    free(r.page);
}
END_TEST

/*
 * Hold-off in practice: after one notification, further pushes stay silent
 * until the consumer has drained the ring and re-armed.
 */
START_TEST(test_busy_consumer_is_not_notified_again_until_rearmed)
{
    uint8_t m[128] = { 0 };
    struct pair r;
    pair_init(&r, (unsigned)_i, 0);
    ra_front_put(&r.f, m, r.p->req_size);
    ck_assert(ra_front_push(&r.f));  /* event 1 asked for the first request */
    ck_assert_int_eq(ra_back_take(&r.b, m, r.p->req_size), 1);
    for (int k = 0; k < 4; k++) {   /* back is busy: no re-arm */
        ra_front_put(&r.f, m, r.p->req_size);
        ck_assert(!ra_front_push(&r.f));
    }
    while (ra_back_take(&r.b, m, r.p->req_size) == 1)
        ;
    ck_assert_int_eq(ra_back_final_check(&r.b), 0);
    ra_front_put(&r.f, m, r.p->req_size);
    ck_assert(ra_front_push(&r.f));  /* re-armed: the next one notifies */
    free(r.page);
}
END_TEST

/* ---- the model checker ---- */

enum { P_PUT, P_PUBLISH, P_CHECK_EVENT, P_DONE };
enum { C_CHECK, C_TAKE, C_ARM, C_RECHECK, C_SLEEP };
enum consumer_kind {
    CONSUMER_CORRECT,      /* final check: arm, then look again */
    CONSUMER_NO_RECHECK,   /* bug: arms, then sleeps without looking again */
    CONSUMER_ARMS_AT_CONS, /* bug: arms event = cons instead of cons + 1 */
};

#define MODEL_SLOTS 8
#define MODEL_SLOT_SIZE 8 /* netif rx: the smallest slot */
#define MODEL_BYTES (RING_HEADER_SIZE + MODEL_SLOTS * MODEL_SLOT_SIZE)

/*
 * Everything one interleaving changes, in one struct: the DFS saves and
 * restores it by value. The ring ends point into `page`, which stays at the
 * same address because only the single live copy is ever used.
 */
struct model {
    uint8_t page[MODEL_BYTES] __attribute__((aligned(64)));
    ra_front f;
    ra_back b;
    int p_pc, c_pc;
    uint32_t sent, got;
    ring_idx_t old;
    bool pending; /* the event channel's pending bit */
    bool misordered;
};

struct model_cfg {
    bool responses; /* direction: false = front->back requests */
    enum consumer_kind kind;
    uint32_t total, batch;
    ring_idx_t start;
};

struct model_result {
    unsigned long states, finals, lost, misordered;
};

static struct model live;
static const struct model_cfg *cfg;

/*
 * Visited states, by 64-bit FNV-1a hash of the whole model struct (padding
 * included: the struct is zeroed at init and only ever copied whole). A
 * state reached along two schedules is explored once: everything reachable
 * from it was already checked.
 */
#define SEEN_BITS 16
static uint64_t *seen;

static bool seen_before(void)
{
    const uint8_t *p = (const uint8_t *)&live;
    uint64_t h = 0xcbf29ce484222325ull;
    for (size_t k = 0; k < sizeof(live); k++)
        h = (h ^ p[k]) * 0x100000001b3ull;
    h |= 1; /* 0 marks an empty bucket */
    for (size_t at = h & ((1u << SEEN_BITS) - 1);; at = (at + 1) & ((1u << SEEN_BITS) - 1)) {
        if (seen[at] == h)
            return true;
        if (seen[at] == 0) {
            seen[at] = h;
            return false;
        }
    }
}

static void model_init(void)
{
    uint8_t m[MODEL_SLOT_SIZE] = { 0 };
    memset(&live, 0, sizeof(live));
    ra_shared_init(live.page, cfg->start);
    ck_assert_int_eq(ra_front_attach(&live.f, live.page, MODEL_BYTES, MODEL_SLOT_SIZE, cfg->start), 0);
    ck_assert_int_eq(ra_back_attach(&live.b, live.page, MODEL_BYTES, MODEL_SLOT_SIZE, cfg->start), 0);
    if (cfg->responses) { /* give the back requests to answer */
        for (uint32_t k = 0; k < cfg->total; k++)
            ra_front_put(&live.f, m, sizeof(m));
        ra_front_push(&live.f);
        for (uint32_t k = 0; k < cfg->total; k++)
            ck_assert_int_eq(ra_back_take(&live.b, m, sizeof(m)), 1);
        ra_front_arm(&live.f); /* as after init: event = cons + 1 */
    }
}

static void step_producer(void)
{
    uint8_t m[MODEL_SLOT_SIZE] = { 0 };
    switch (live.p_pc) {
    case P_PUT:
        memcpy(m, &live.sent, sizeof(live.sent));
        ck_assert_int_eq(cfg->responses ? ra_back_put(&live.b, m, sizeof(m))
                                        : ra_front_put(&live.f, m, sizeof(m)), 0);
        live.sent++;
        live.p_pc = (live.sent % cfg->batch == 0 || live.sent == cfg->total) ? P_PUBLISH : P_PUT;
        break;
    case P_PUBLISH:
        live.old = cfg->responses ? ra_back_publish(&live.b) : ra_front_publish(&live.f);
        live.p_pc = P_CHECK_EVENT;
        break;
    case P_CHECK_EVENT:
        if (cfg->responses ? ra_back_notify_check(&live.b, live.old)
                           : ra_front_notify_check(&live.f, live.old))
            live.pending = true;
        live.p_pc = live.sent == cfg->total ? P_DONE : P_PUT;
        break;
    }
}

static int consumer_unconsumed(void)
{
    int n = cfg->responses ? ra_front_unconsumed(&live.f) : ra_back_unconsumed(&live.b);
    ck_assert_int_ge(n, 0);
    return n;
}

static void step_consumer(void)
{
    uint8_t m[MODEL_SLOT_SIZE] = { 0 };
    uint32_t seq;
    switch (live.c_pc) {
    case C_CHECK:
        live.c_pc = consumer_unconsumed() > 0 ? C_TAKE : C_ARM;
        break;
    case C_TAKE:
        ck_assert_int_eq(cfg->responses ? ra_front_take(&live.f, m, sizeof(m))
                                        : ra_back_take(&live.b, m, sizeof(m)), 1);
        memcpy(&seq, m, sizeof(seq));
        live.misordered |= seq != live.got;
        live.got++;
        live.c_pc = C_CHECK;
        break;
    case C_ARM:
        if (cfg->kind == CONSUMER_ARMS_AT_CONS) {
            struct ring_shared *sh = (struct ring_shared *)live.page;
            __atomic_store_n(cfg->responses ? &sh->rsp_event : &sh->req_event,
                             cfg->start + live.got, __ATOMIC_SEQ_CST);
        } else if (cfg->responses) {
            ra_front_arm(&live.f);
        } else {
            ra_back_arm(&live.b);
        }
        live.c_pc = cfg->kind == CONSUMER_NO_RECHECK ? C_SLEEP : C_RECHECK;
        break;
    case C_RECHECK:
        live.c_pc = consumer_unconsumed() > 0 ? C_TAKE : C_SLEEP;
        break;
    case C_SLEEP: /* only runnable with a notification pending */
        live.pending = false;
        live.c_pc = C_CHECK;
        break;
    }
}

static void explore(struct model_result *res)
{
    bool p_can = live.p_pc != P_DONE;
    bool c_can = live.c_pc != C_SLEEP || live.pending;

    if (seen_before())
        return;
    ck_assert_uint_lt(++res->states, (1u << SEEN_BITS) / 2);
    if (!p_can && !c_can) {
        res->finals++;
        res->lost += live.got != cfg->total;
        res->misordered += live.misordered;
        return;
    }
    struct model saved = live;
    if (p_can) {
        step_producer();
        explore(res);
        live = saved;
    }
    if (c_can) {
        step_consumer();
        explore(res);
        live = saved;
    }
}

static struct model_result run_model(const struct model_cfg *c)
{
    struct model_result res = { 0, 0, 0, 0 };
    cfg = c;
    seen = calloc(1u << SEEN_BITS, sizeof(*seen));
    ck_assert_ptr_nonnull(seen);
    model_init();
    explore(&res);
    free(seen);
    return res;
}

static const struct { uint32_t total, batch; ring_idx_t start; } shapes[] = {
    { 3, 1, 0 }, { 4, 1, UINT32_MAX - 1 }, { 6, 1, UINT32_MAX - 2 }, { 6, 2, UINT32_MAX },
    { 7, 3, 0x7fffffffu }, { 8, 4, UINT32_MAX - 5 }, { 8, 1, 0 },
};
#define NR_SHAPES (int)(sizeof(shapes) / sizeof(shapes[0]))

static void check_correct(bool responses, int shape)
{
    struct model_cfg c = { responses, CONSUMER_CORRECT, shapes[shape].total, shapes[shape].batch,
                           shapes[shape].start };
    struct model_result r = run_model(&c);
    ck_assert_msg(r.states > 100, "only %lu states explored", r.states);
    ck_assert_msg(r.lost == 0, "%lu of %lu final states lost a wake-up", r.lost, r.finals);
    ck_assert_uint_eq(r.misordered, 0);
}

START_TEST(test_no_interleaving_loses_a_request)
{
    check_correct(false, _i);
}
END_TEST

START_TEST(test_no_interleaving_loses_a_response)
{
    check_correct(true, _i);
}
END_TEST

/* The checker finds lost wake-ups in broken consumers: its passes mean something. */
START_TEST(test_model_catches_final_check_without_recheck)
{
    for (int dir = 0; dir < 2; dir++) {
        struct model_cfg c = { dir == 1, CONSUMER_NO_RECHECK, 3, 1, 0 };
        ck_assert_uint_gt(run_model(&c).lost, 0);
    }
}
END_TEST

START_TEST(test_model_catches_event_armed_at_cons)
{
    for (int dir = 0; dir < 2; dir++) {
        struct model_cfg c = { dir == 1, CONSUMER_ARMS_AT_CONS, 3, 1, UINT32_MAX };
        ck_assert_uint_gt(run_model(&c).lost, 0);
    }
}
END_TEST

/* ---- the peer injected at the first store of an operation ---- */

static uint8_t *inj_page;
static struct pair inj;
static int inj_faults;
static void (*inj_peer)(void);

static void on_store_fault(int sig, siginfo_t *si, void *uctx)
{
    (void)sig;
    (void)uctx;
    uint8_t *at = si->si_addr;
    if (at < inj_page || at >= inj_page + RING_PAGE_SIZE || inj_faults++ > 0)
        abort(); /* not the store we were waiting for */
    mprotect(inj_page, RING_PAGE_SIZE, PROT_READ | PROT_WRITE);
    inj_peer();
}

/* Both ends on a page-aligned page at `start` (so it can be write-protected). */
static void inj_setup(unsigned proto, ring_idx_t start)
{
    inj_page = mmap(NULL, RING_PAGE_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    ck_assert(inj_page != MAP_FAILED);
    inj.p = ra_proto(proto);
    inj.page = inj_page;
    ra_shared_init(inj_page, start);
    ra_front_attach(&inj.f, inj_page, RING_PAGE_SIZE, inj.p->slot_size, start);
    ra_back_attach(&inj.b, inj_page, RING_PAGE_SIZE, inj.p->slot_size, start);
    inj_faults = 0;
}

/* Run op with the peer injected at its first store to the page. */
static void inj_run(void (*peer)(void), void (*op)(void))
{
    struct sigaction sa, old;
    memset(&sa, 0, sizeof(sa));
    sa.sa_sigaction = on_store_fault;
    sa.sa_flags = SA_SIGINFO;
    sigemptyset(&sa.sa_mask);
    ck_assert_int_eq(sigaction(SIGSEGV, &sa, &old), 0);
    inj_peer = peer;
    mprotect(inj_page, RING_PAGE_SIZE, PROT_READ);
    op();
    mprotect(inj_page, RING_PAGE_SIZE, PROT_READ | PROT_WRITE);
    sigaction(SIGSEGV, &old, NULL);
    ck_assert_int_eq(inj_faults, 1);
}

static int inj_result;
static bool inj_notify;
static uint8_t inj_msg[128];

static void peer_front_sends_one(void)
{
    ck_assert_int_eq(ra_front_put(&inj.f, inj_msg, inj.p->req_size), 0);
    inj_notify = ra_front_push(&inj.f);
}

static void peer_back_answers_one(void)
{
    ck_assert_int_eq(ra_back_put(&inj.b, inj_msg, inj.p->rsp_size), 0);
    inj_notify = ra_back_push(&inj.b);
}

static void peer_back_final_check(void) { inj_result = ra_back_final_check(&inj.b); }
static void peer_front_final_check(void) { inj_result = ra_front_final_check(&inj.f); }
static void op_back_final_check(void) { inj_result = ra_back_final_check(&inj.b); }
static void op_front_final_check(void) { inj_result = ra_front_final_check(&inj.f); }
static void op_front_push(void) { inj_notify = ra_front_push(&inj.f); }
static void op_back_push(void) { inj_notify = ra_back_push(&inj.b); }

/*
 * A request published after the back's first look but before its event
 * store: the front cannot know (no notification), so the back's final check
 * must see it on its second look.
 */
START_TEST(test_final_check_sees_work_published_while_arming)
{
    inj_setup((unsigned)_i, UINT32_MAX - 1);
    ra_front_put(&inj.f, inj_msg, inj.p->req_size);
    ra_front_push(&inj.f);
    ck_assert_int_eq(ra_back_take(&inj.b, inj_msg, inj.p->req_size), 1);
    inj_run(peer_front_sends_one, op_back_final_check);
    ck_assert(!inj_notify);             /* the window was hit: no notification... */
    ck_assert_int_eq(inj_result, 1);    /* ...so the recheck must report the request */

    /* The same for responses, with the front as consumer. */
    ck_assert_int_eq(ra_back_take(&inj.b, inj_msg, inj.p->req_size), 1);
    ck_assert_int_eq(ra_back_put(&inj.b, inj_msg, inj.p->rsp_size), 0);
    ra_back_push(&inj.b);
    ck_assert_int_eq(ra_front_take(&inj.f, inj_msg, inj.p->rsp_size), 1);
    inj_faults = 0;
    inj_run(peer_back_answers_one, op_front_final_check);
    ck_assert(!inj_notify);
    ck_assert_int_eq(inj_result, 1);
    munmap(inj_page, RING_PAGE_SIZE);
}
END_TEST

/*
 * The consumer arms and goes to sleep while the producer's index store is
 * in flight: its recheck cannot see the entry, so the producer's event load,
 * which must come after its store, must see the new event and notify.
 */
START_TEST(test_push_notifies_consumer_that_armed_during_publish)
{
    inj_setup((unsigned)_i, UINT32_MAX);
    ra_front_put(&inj.f, inj_msg, inj.p->req_size);
    ck_assert(ra_front_push(&inj.f));
    ck_assert_int_eq(ra_back_take(&inj.b, inj_msg, inj.p->req_size), 1); /* busy: not re-armed */
    ra_front_put(&inj.f, inj_msg, inj.p->req_size);
    inj_run(peer_back_final_check, op_front_push);
    ck_assert_int_eq(inj_result, 0); /* the back went to sleep... */
    ck_assert(inj_notify);           /* ...and is woken */

    ck_assert_int_eq(ra_back_take(&inj.b, inj_msg, inj.p->req_size), 1);
    ck_assert_int_eq(ra_back_put(&inj.b, inj_msg, inj.p->rsp_size), 0);
    ck_assert(ra_back_push(&inj.b));  /* front's event is still the initial one */
    ck_assert_int_eq(ra_front_take(&inj.f, inj_msg, inj.p->rsp_size), 1); /* not re-armed */
    ck_assert_int_eq(ra_back_put(&inj.b, inj_msg, inj.p->rsp_size), 0);
    inj_faults = 0;
    inj_run(peer_front_final_check, op_back_push);
    ck_assert_int_eq(inj_result, 0);
    ck_assert(inj_notify);
    munmap(inj_page, RING_PAGE_SIZE);
}
END_TEST

Suite *ring_notify_suite(void);
Suite *ring_notify_suite(void)
{
    Suite *s = suite_create("ring_notify");
    TCase *tc = tcase_create("hold_off");
    tcase_add_test(tc, test_reference_formula_means_event_in_new_window);
    tcase_add_loop_test(tc, test_request_push_notifies_iff_back_asked, 0, RA_NR_PROTOS);
    tcase_add_loop_test(tc, test_response_push_notifies_iff_front_asked, 0, RA_NR_PROTOS);
    tcase_add_loop_test(tc, test_final_check_arms_event_at_cons_plus_one, 0, RA_NR_PROTOS);
    tcase_add_loop_test(tc, test_final_check_with_work_pending_does_not_rearm, 0, RA_NR_PROTOS);
    tcase_add_loop_test(tc, test_busy_consumer_is_not_notified_again_until_rearmed, 0, RA_NR_PROTOS);
    suite_add_tcase(s, tc);

    tc = tcase_create("no_lost_wakeup_model");
    tcase_set_timeout(tc, 60);
    tcase_add_loop_test(tc, test_no_interleaving_loses_a_request, 0, NR_SHAPES);
    tcase_add_loop_test(tc, test_no_interleaving_loses_a_response, 0, NR_SHAPES);
    tcase_add_test(tc, test_model_catches_final_check_without_recheck);
    tcase_add_test(tc, test_model_catches_event_armed_at_cons);
    suite_add_tcase(s, tc);

    tc = tcase_create("injected_interleaving");
    tcase_add_loop_test(tc, test_final_check_sees_work_published_while_arming, 0, RA_NR_PROTOS);
    tcase_add_loop_test(tc, test_push_notifies_consumer_that_armed_during_publish, 0, RA_NR_PROTOS);
    suite_add_tcase(s, tc);
    return s;
}
