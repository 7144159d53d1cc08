/*
 * Model-based random test of the PV MMU. A world of 64 frames (D1 0..27,
 * D2 28..55, hypervisor 56..59 with 58/59 guest-readable, free 60..63) and
 * four vCPU continuations (two per domain, small random budgets) receives
 * random operations from a seeded, deterministic generator: pins, unpins,
 * PTE updates (D1 also maps D2's frames, as dom0 would), type and general
 * references, guest writes to frames it could write, frees and
 * re-assignments, resumes and aborts of preempted operations, and hostile
 * variants of all (wrong domain, bad bits, frames out of range).
 *
 * After every step the cheap invariants hold (type_count <= count, states
 * consistent); whenever every cont is idle the oracle w_check() recomputes
 * every reference from scratch. At the end both domains are relinquished
 * and every reference the test holds dropped: every counter must be zero.
 */
#include <check.h>

#include "pgt_world.h"

#define NR_CONT 4

enum kind { K_NONE, K_PIN, K_UNPIN, K_MOD, K_GET, K_PUT };

struct model {
    struct pgt_world *w;
    uint64_t rng;
    struct pgt_cont cont[NR_CONT];
    enum kind pend[NR_CONT];
    uint64_t pend_mfn[NR_CONT];
    /* Coverage, so the test cannot quietly become trivial. */
    unsigned pins_ok[5], mods_ok, restarts, eperm, einval, checks, frees, linear_seen;
};

static uint64_t rnd64(struct model *m)
{
    /* xorshift64* */
    m->rng ^= m->rng >> 12;
    m->rng ^= m->rng << 25;
    m->rng ^= m->rng >> 27;
    return m->rng * 0x2545F4914F6CDD1Dull;
}

static unsigned rnd(struct model *m, unsigned n)
{
    return (unsigned)((rnd64(m) >> 33) % n);
}

static uint16_t cont_dom(unsigned ci)
{
    return ci < 2 ? W_D1 : W_D2;
}

/* Mostly a frame of dom (tables in use preferred when asked), else any. */
static uint64_t pick_frame(struct model *m, uint16_t dom, bool tables)
{
    for (unsigned tries = 0; tries < 16; tries++) {
        uint64_t f = rnd(m, W_MAX);
        const struct pgt_frame *fr = &m->w->frames[f];

        if (fr->owner != dom)
            continue;
        if (tables && (fr->type < PGT_L1 || fr->type > PGT_L4 || fr->type_count == 0) &&
            tries < 12)
            continue;
        return f;
    }
    return rnd(m, W_MAX);
}

static uint64_t rand_pte(struct model *m, uint16_t dom)
{
    static const uint64_t bad[] = {
        PGT_PTE_PSE, PGT_PTE_PCD, PGT_PTE_PWT, PGT_PTE_G, PGT_PTE_GNTTAB,
    };
    unsigned r = rnd(m, 100);
    uint64_t mfn, flags = W_P;

    if (r < 8)
        return rnd64(m) & ~W_P;                       /* swap-entry garbage */
    if (r < 12)
        return 0;
    if (r < 85)
        mfn = pick_frame(m, dom, false);
    else if (r < 95)
        mfn = rnd(m, W_MAX);
    else
        mfn = W_MAX + rnd(m, 8);
    if (rnd(m, 2))
        flags |= W_RW;
    if (rnd(m, 2))
        flags |= PGT_PTE_US;
    if (rnd(m, 4) == 0)
        flags |= PGT_PTE_A | PGT_PTE_D;
    if (rnd(m, 8) == 0)
        flags |= PGT_PTE_NX;
    if (rnd(m, 16) == 0)
        flags |= bad[rnd(m, ARRAY_SIZE(bad))];
    return pgt_pte_make(mfn, flags);
}

static unsigned rand_index(struct model *m)
{
    static const unsigned idx[] = { 0, 1, 2, 3, 4, 5, 255, 256, 263, 271, 272, 511 };

    return idx[rnd(m, ARRAY_SIZE(idx))];
}

/* Cheap invariants that hold even in the middle of preempted walks. */
static void check_always(const struct model *m)
{
    for (uint64_t f = 0; f < W_MAX; f++) {
        const struct pgt_frame *fr = &m->w->frames[f];
        bool table = fr->type >= PGT_L1 && fr->type <= PGT_L4;

        ck_assert_uint_le(fr->type_count, fr->count);
        switch (fr->state) {
        case PGT_INVALID:
            ck_assert_uint_eq(fr->type_count, 0);
            ck_assert(!fr->pinned);
            break;
        case PGT_VALIDATING:
            ck_assert(table && fr->type_count == 1);
            break;
        case PGT_VALID:
            ck_assert_uint_gt(fr->type_count, 0);
            break;
        default:
            ck_assert(table && fr->type_count == 0 && fr->count > 0);
        }
        if (fr->owner == PGT_OWNER_NONE)
            ck_assert_uint_eq(fr->count, 0);
    }
}

static bool all_idle(const struct model *m)
{
    for (unsigned i = 0; i < NR_CONT; i++)
        if (!pgt_cont_idle(&m->cont[i]))
            return false;
    return true;
}

static void oracle(struct model *m)
{
    const char *err = w_check(m->w);

    ck_assert_msg(err == NULL, "seed state %#llx: %s", (unsigned long long)m->rng, err);
    m->checks++;
}

/* The final result of an operation of cont ci. */
static void complete(struct model *m, unsigned ci, int rc)
{
    uint64_t f = m->pend_mfn[ci];

    if (rc == -EPERM)
        m->eperm++;
    if (rc == -EINVAL)
        m->einval++;
    switch (m->pend[ci]) {
    case K_GET:
        if (rc == 0)
            m->w->ext_typed[f]++;
        break;
    case K_PUT:
        ck_assert_int_eq(rc, 0);        /* only references we hold are put */
        break;
    case K_PIN:
        if (rc == 0) {
            ck_assert(m->w->frames[f].pinned);
            m->pins_ok[m->w->frames[f].type - PGT_L1 + 1]++;
        }
        break;
    case K_MOD:
        if (rc == 0)
            m->mods_ok++;
        break;
    default:
        break;
    }
    m->pend[ci] = K_NONE;
}

/* Issue an operation on idle cont ci; an immediate result completes it. */
static void issue(struct model *m, unsigned ci, enum kind k, uint64_t f, int rc,
                  bool wrong_owner)
{
    m->pend[ci] = k;
    m->pend_mfn[ci] = f;
    if (wrong_owner) {
        ck_assert_int_eq(rc, f < W_MAX ? -EPERM : -EINVAL);
        ck_assert(pgt_cont_idle(&m->cont[ci]));
    }
    if (rc == -ERESTART) {
        m->restarts++;
        return;
    }
    ck_assert(pgt_cont_idle(&m->cont[ci]));
    complete(m, ci, rc);
}

static void step(struct model *m)
{
    struct pgt_world *w = m->w;
    const struct pgt_env *env = &w->env;
    unsigned ci = rnd(m, NR_CONT), r;
    struct pgt_cont *c = &m->cont[ci];
    uint16_t dom = cont_dom(ci), other = dom == W_D1 ? W_D2 : W_D1;
    uint64_t f;
    int rc;

    if (!pgt_cont_idle(c)) {
        if (rnd(m, 8) == 0) {
            do {
                rc = pgt_cont_abort(env, c);
            } while (rc == -ERESTART && rnd(m, 4) != 0);
            if (pgt_cont_idle(c))
                m->pend[ci] = K_NONE;
        } else if ((rc = pgt_cont_resume(env, c)) != -ERESTART) {
            complete(m, ci, rc);
        }
        return;
    }
    /* A hostile caller now and then: the other domain's id. */
    if (rnd(m, 16) == 0)
        dom = other;
    r = rnd(m, 100);
    if (r < 18) {
        unsigned level = rnd(m, 30) == 0 ? rnd(m, 8) : 1 + rnd(m, 4);

        f = pick_frame(m, cont_dom(ci), false);
        issue(m, ci, K_PIN, f, pgt_pin(env, c, f, level, dom), w->frames[f].owner != dom);
    } else if (r < 26) {
        f = pick_frame(m, cont_dom(ci), true);
        issue(m, ci, K_UNPIN, f, pgt_unpin(env, c, f, dom), w->frames[f].owner != dom);
    } else if (r < 56) {
        uint16_t pg = dom;
        unsigned i = rand_index(m);
        uint64_t pte;

        if (dom == W_D1 && rnd(m, 4) == 0)
            pg = W_D2;                               /* dom0-style foreign map */
        f = pick_frame(m, cont_dom(ci), true);
        pte = rand_pte(m, pg);
        rc = pgt_mod_entry(env, c, f, i, pte, dom, pg);
        if (rc == 0)
            ck_assert_uint_eq(w->page[f][i], pte);
        if (rc == 0 && w->frames[f].type == PGT_L4 && (pte & W_P) &&
            w->frames[pgt_pte_mfn(pte)].type == PGT_L4)
            m->linear_seen++;
        issue(m, ci, K_MOD, f, rc, w->frames[f].owner != dom);
    } else if (r < 66) {
        enum pgt_type t = (enum pgt_type)rnd(m, PGT_NR_TYPES + 1);

        f = pick_frame(m, cont_dom(ci), false);
        issue(m, ci, K_GET, f, pgt_get_type(env, c, f, t, dom), w->frames[f].owner != dom);
    } else if (r < 72) {
        f = rnd(m, W_MAX);
        if (w->ext_typed[f] == 0 || w->frames[f].owner != cont_dom(ci))
            return;
        w->ext_typed[f]--;
        issue(m, ci, K_PUT, f, pgt_put_type(env, c, f, cont_dom(ci)), false);
    } else if (r < 76) {
        f = rnd(m, W_MAX);
        if (rnd(m, 2)) {
            rc = pgt_get_page(env, f, dom);
            ck_assert_int_eq(rc == 0, w->frames[f].owner == dom);
            if (rc == 0)
                w->ext_general[f]++;
        } else if (w->ext_general[f] > 0) {
            ck_assert_int_eq(pgt_put_page(env, f), 0);
            w->ext_general[f]--;
        }
    } else if (r < 90) {
        /* The guest writing a frame it may write (preparing a table). */
        f = pick_frame(m, cont_dom(ci), false);
        w_guest_write(w, f, rand_index(m), rand_pte(m, cont_dom(ci)));
    } else if (r < 95) {
        f = rnd(m, W_MAX);
        if (w->frames[f].owner != W_D1 && w->frames[f].owner != W_D2)
            return;
        rc = pgt_free(env, f, w->frames[f].owner);
        ck_assert_int_eq(rc == 0, w->frames[f].count == 0);
        ck_assert_int_eq(rc, pgt_can_free(env, f) == 0 ? rc : -EBUSY);
        if (rc == 0) {
            m->frees++;
            memset(w->page[f], 0, sizeof(w->page[f]));
        }
    } else if (r < 98) {
        f = rnd(m, W_MAX);
        rc = pgt_assign(env, f, rnd(m, 2) ? W_D1 : W_D2);
        ck_assert_int_eq(rc == 0 || rc == -EBUSY, true);
    } else {
        static const uint32_t budgets[] = { 1, 2, 7, 64, 300, 0 };

        pgt_cont_init(c, budgets[rnd(m, ARRAY_SIZE(budgets))]);
    }
}

/* Round-robin every pending cont to completion: walkers make progress, so
 * waiters do too. */
static void drain(struct model *m)
{
    for (unsigned round = 0; !all_idle(m); round++) {
        ck_assert_uint_lt(round, 100000);
        for (unsigned ci = 0; ci < NR_CONT; ci++) {
            int rc;

            if (pgt_cont_idle(&m->cont[ci]))
                continue;
            rc = pgt_cont_resume(&m->w->env, &m->cont[ci]);
            if (rc != -ERESTART)
                complete(m, ci, rc);
        }
    }
}

static void teardown(struct model *m)
{
    struct pgt_world *w = m->w;
    struct pgt_cont c;
    static const uint16_t doms[] = { W_D1, W_D2 };

    drain(m);
    oracle(m);
    pgt_cont_init(&c, 5);
    for (size_t d = 0; d < ARRAY_SIZE(doms); d++) {
        uint64_t cursor = 0;
        int rc;

        while ((rc = pgt_relinquish(&w->env, &c, doms[d], &cursor)) == -ERESTART)
            ;
        ck_assert_int_eq(rc, 0);
    }
    oracle(m);
    for (uint64_t f = 0; f < W_MAX; f++) {
        while (w->ext_typed[f]) {
            ck_assert_int_eq(w_put_type(w, f, w->frames[f].owner), 0);
        }
        while (w->ext_general[f]) {
            ck_assert_int_eq(pgt_put_page(&w->env, f), 0);
            w->ext_general[f]--;
        }
    }
    oracle(m);
    ck_assert(w_all_zero(w));
    for (uint64_t f = 0; f < W_MAX; f++)
        if (w->frames[f].owner == W_D1 || w->frames[f].owner == W_D2)
            ck_assert_int_eq(pgt_free(&w->env, f, w->frames[f].owner), 0);
}

static void run_seed(uint64_t seed, unsigned steps, struct model *total)
{
    struct model m = { .rng = seed * 0x9E3779B97F4A7C15ull + 1 };

    m.w = w_new(W_MAX);
    w_assign(m.w, 0, 28, W_D1);
    w_assign(m.w, 28, 28, W_D2);
    w_assign(m.w, 56, 4, PGT_OWNER_XEN);
    ck_assert_int_eq(pgt_share_ro(&m.w->env, 58), 0);
    ck_assert_int_eq(pgt_share_ro(&m.w->env, 59), 0);
    for (unsigned i = 0; i < NR_CONT; i++)
        pgt_cont_init(&m.cont[i], 1 + rnd(&m, 200));
    for (unsigned s = 0; s < steps; s++) {
        step(&m);
        check_always(&m);
        if (s % 16 == 15)
            drain(&m);
        if (all_idle(&m))
            oracle(&m);
    }
    teardown(&m);
    for (unsigned l = 1; l <= 4; l++)
        total->pins_ok[l] += m.pins_ok[l];
    total->mods_ok += m.mods_ok;
    total->restarts += m.restarts;
    total->eperm += m.eperm;
    total->einval += m.einval;
    total->checks += m.checks;
    total->frees += m.frees;
    total->linear_seen += m.linear_seen;
    w_free(m.w);
}

START_TEST(random_operations_keep_every_invariant)
{
    struct model total = { 0 };

    for (uint64_t seed = 1; seed <= 8; seed++)
        run_seed(seed, 1500, &total);
    /* The generator must actually reach the interesting places. */
    for (unsigned l = 1; l <= 4; l++)
        ck_assert_msg(total.pins_ok[l] >= 20, "only %u L%u pins", total.pins_ok[l], l);
    ck_assert_uint_ge(total.mods_ok, 1000);
    ck_assert_uint_ge(total.restarts, 500);
    ck_assert_uint_ge(total.eperm, 200);
    ck_assert_uint_ge(total.einval, 200);
    ck_assert_uint_ge(total.frees, 50);
    ck_assert_uint_ge(total.linear_seen, 1);
    ck_assert_uint_ge(total.checks, 6000);
}
END_TEST

Suite *pgt_model_suite(void); /* called by tests/unit/main.c */
Suite *pgt_model_suite(void)
{
    Suite *s = suite_create("pgt_model");
    TCase *tc = tcase_create("random");

    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, random_operations_keep_every_invariant);
    suite_add_tcase(s, tc);
    return s;
}
