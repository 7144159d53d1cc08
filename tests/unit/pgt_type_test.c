/*
 * The page-type state machine, every (state, operation) pair, as tables.
 *
 * A state is (type, type_count, pinned) of one frame of D1 holding an empty
 * page; "sticky" states have type_count 0 but keep the last type. An
 * operation either succeeds and leads to the state written in the cell, or
 * fails with -EINVAL and changes nothing (E). KF cells must ask for a TLB
 * flush (the type changes away from a type other than NONE).
 * A second table covers the busy states (a walk of another cont is
 * validating or releasing the frame).
 */
#include <check.h>

#include "pgt_world.h"

enum st {
    NONE0,
    L1_0, L2_0, L3_0, L4_0,     /* sticky, type_count 0 */
    L1_1, L2_1, L3_1, L4_1,     /* one reference from pgt_get_type */
    L1_P, L2_P, L3_P, L4_P,     /* pinned */
    W_0, W_1, SD_0, SD_1,
    NR_ST
};

enum op {
    G_NONE, G_L1, G_L2, G_L3, G_L4, G_W, G_SD, PUT,
    PIN1, PIN2, PIN3, PIN4, UNPIN,
    NR_OPS
};

static const char *const st_name[NR_ST] = {
    "NONE/0", "L1/0", "L2/0", "L3/0", "L4/0", "L1/1", "L2/1", "L3/1", "L4/1",
    "L1/pin", "L2/pin", "L3/pin", "L4/pin", "W/0", "W/1", "SD/0", "SD/1",
};
static const char *const op_name[NR_OPS] = {
    "get NONE", "get L1", "get L2", "get L3", "get L4", "get WRITABLE",
    "get SEG_DESC", "put", "pin L1", "pin L2", "pin L3", "pin L4", "unpin",
};

struct cell {
    int rc;
    bool same;          /* failure: state unchanged */
    uint8_t type;
    uint8_t tc;
    bool pinned;
    bool flush;
};

#define E { .rc = -EINVAL, .same = true }
#define K(t, n, p) { .rc = 0, .type = PGT_##t, .tc = n, .pinned = p }
#define KF(t, n, p) { .rc = 0, .type = PGT_##t, .tc = n, .pinned = p, .flush = true }

static const struct cell table[NR_ST][NR_OPS] = {
    /*          get NONE  get L1       get L2       get L3       get L4       get W              get SD             put               pin L1       pin L2       pin L3       pin L4       unpin */
    [NONE0] = { E, K(L1, 1, 0),  K(L2, 1, 0),  K(L3, 1, 0),  K(L4, 1, 0),  K(WRITABLE, 1, 0),  K(SEG_DESC, 1, 0),  E,                K(L1, 1, 1),  K(L2, 1, 1),  K(L3, 1, 1),  K(L4, 1, 1),  E },
    [L1_0] =  { E, K(L1, 1, 0),  KF(L2, 1, 0), KF(L3, 1, 0), KF(L4, 1, 0), KF(WRITABLE, 1, 0), KF(SEG_DESC, 1, 0), E,                K(L1, 1, 1),  KF(L2, 1, 1), KF(L3, 1, 1), KF(L4, 1, 1), E },
    [L2_0] =  { E, KF(L1, 1, 0), K(L2, 1, 0),  KF(L3, 1, 0), KF(L4, 1, 0), KF(WRITABLE, 1, 0), KF(SEG_DESC, 1, 0), E,                KF(L1, 1, 1), K(L2, 1, 1),  KF(L3, 1, 1), KF(L4, 1, 1), E },
    [L3_0] =  { E, KF(L1, 1, 0), KF(L2, 1, 0), K(L3, 1, 0),  KF(L4, 1, 0), KF(WRITABLE, 1, 0), KF(SEG_DESC, 1, 0), E,                KF(L1, 1, 1), KF(L2, 1, 1), K(L3, 1, 1),  KF(L4, 1, 1), E },
    [L4_0] =  { E, KF(L1, 1, 0), KF(L2, 1, 0), KF(L3, 1, 0), K(L4, 1, 0),  KF(WRITABLE, 1, 0), KF(SEG_DESC, 1, 0), E,                KF(L1, 1, 1), KF(L2, 1, 1), KF(L3, 1, 1), K(L4, 1, 1),  E },
    [L1_1] =  { E, K(L1, 2, 0),  E,            E,            E,            E,                  E,                  K(L1, 0, 0),      K(L1, 2, 1),  E,            E,            E,            E },
    [L2_1] =  { E, E,            K(L2, 2, 0),  E,            E,            E,                  E,                  K(L2, 0, 0),      E,            K(L2, 2, 1),  E,            E,            E },
    [L3_1] =  { E, E,            E,            K(L3, 2, 0),  E,            E,                  E,                  K(L3, 0, 0),      E,            E,            K(L3, 2, 1),  E,            E },
    [L4_1] =  { E, E,            E,            E,            K(L4, 2, 0),  E,                  E,                  K(L4, 0, 0),      E,            E,            E,            K(L4, 2, 1),  E },
    [L1_P] =  { E, K(L1, 2, 1),  E,            E,            E,            E,                  E,                  E,                E,            E,            E,            E,            K(L1, 0, 0) },
    [L2_P] =  { E, E,            K(L2, 2, 1),  E,            E,            E,                  E,                  E,                E,            E,            E,            E,            K(L2, 0, 0) },
    [L3_P] =  { E, E,            E,            K(L3, 2, 1),  E,            E,                  E,                  E,                E,            E,            E,            E,            K(L3, 0, 0) },
    [L4_P] =  { E, E,            E,            E,            K(L4, 2, 1),  E,                  E,                  E,                E,            E,            E,            E,            K(L4, 0, 0) },
    [W_0] =   { E, KF(L1, 1, 0), KF(L2, 1, 0), KF(L3, 1, 0), KF(L4, 1, 0), K(WRITABLE, 1, 0),  KF(SEG_DESC, 1, 0), E,                KF(L1, 1, 1), KF(L2, 1, 1), KF(L3, 1, 1), KF(L4, 1, 1), E },
    [W_1] =   { E, E,            E,            E,            E,            K(WRITABLE, 2, 0),  E,                  K(WRITABLE, 0, 0), E,           E,            E,            E,            E },
    [SD_0] =  { E, KF(L1, 1, 0), KF(L2, 1, 0), KF(L3, 1, 0), KF(L4, 1, 0), KF(WRITABLE, 1, 0), K(SEG_DESC, 1, 0),  E,                KF(L1, 1, 1), KF(L2, 1, 1), KF(L3, 1, 1), KF(L4, 1, 1), E },
    [SD_1] =  { E, E,            E,            E,            E,            E,                  K(SEG_DESC, 2, 0),  K(SEG_DESC, 0, 0), E,           E,            E,            E,            E },
};

static const enum pgt_type get_type_of[] = {
    [G_NONE] = PGT_NONE, [G_L1] = PGT_L1, [G_L2] = PGT_L2, [G_L3] = PGT_L3,
    [G_L4] = PGT_L4, [G_W] = PGT_WRITABLE, [G_SD] = PGT_SEG_DESC,
};

/* Bring frame 0 of a fresh world into state s, using only the API. */
static void reach(struct pgt_world *w, enum st s)
{
    static const enum pgt_type types[] = { PGT_L1, PGT_L2, PGT_L3, PGT_L4 };

    if (s >= L1_0 && s <= L4_0) {
        ck_assert_int_eq(w_get_type(w, 0, types[s - L1_0], W_D1), 0);
        ck_assert_int_eq(w_put_type(w, 0, W_D1), 0);
    } else if (s >= L1_1 && s <= L4_1) {
        ck_assert_int_eq(w_get_type(w, 0, types[s - L1_1], W_D1), 0);
    } else if (s >= L1_P && s <= L4_P) {
        ck_assert_int_eq(w_pin(w, 0, s - L1_P + 1, W_D1), 0);
    } else if (s == W_0 || s == W_1 || s == SD_0 || s == SD_1) {
        enum pgt_type t = (s == W_0 || s == W_1) ? PGT_WRITABLE : PGT_SEG_DESC;

        ck_assert_int_eq(w_get_type(w, 0, t, W_D1), 0);
        if (s == W_0 || s == SD_0)
            ck_assert_int_eq(w_put_type(w, 0, W_D1), 0);
    }
    w->flushes = 0;
}

static int apply(struct pgt_world *w, enum op op)
{
    switch (op) {
    case PUT:
        return w_put_type(w, 0, W_D1);
    case PIN1: case PIN2: case PIN3: case PIN4:
        return w_pin(w, 0, op - PIN1 + 1, W_D1);
    case UNPIN:
        return w_unpin(w, 0, W_D1);
    default:
        return w_get_type(w, 0, get_type_of[op], W_D1);
    }
}

START_TEST(every_state_every_op)
{
    for (int s = 0; s < NR_ST; s++) {
        for (int op = 0; op < NR_OPS; op++) {
            struct pgt_world *w = w_new(2);
            const struct cell *want = &table[s][op];
            struct pgt_frame before;
            const struct pgt_frame *f = &w->frames[0];
            const char *err;
            int rc;

            w_assign(w, 0, 2, W_D1);
            reach(w, s);
            before = *f;
            rc = apply(w, op);
            ck_assert_msg(rc == want->rc, "%s, %s: rc %d, want %d", st_name[s],
                          op_name[op], rc, want->rc);
            if (want->same) {
                ck_assert_msg(memcmp(&before, f, sizeof(before)) == 0,
                              "%s, %s changed the frame", st_name[s], op_name[op]);
            } else {
                ck_assert_msg(f->type == want->type && f->type_count == want->tc &&
                              f->pinned == want->pinned,
                              "%s, %s: got type %u tc %u pinned %u", st_name[s],
                              op_name[op], f->type, f->type_count, f->pinned);
            }
            ck_assert_msg(w->flushes == (want->flush ? 1u : 0u),
                          "%s, %s: %u flushes", st_name[s], op_name[op], w->flushes);
            ck_assert_uint_eq(f->count, f->type_count);
            err = w_check(w);
            ck_assert_msg(err == NULL, "%s, %s: %s", st_name[s], op_name[op], err);
            w_free(w);
        }
    }
}
END_TEST

/* The same operations from another domain: only ownership is looked at. */
START_TEST(every_op_from_another_domain)
{
    for (int s = 0; s < NR_ST; s++) {
        for (int op = 0; op < NR_OPS; op++) {
            struct pgt_world *w = w_new(2);
            struct pgt_frame before;
            struct pgt_cont c;
            int rc;

            w_assign(w, 0, 2, W_D1);
            reach(w, s);
            before = w->frames[0];
            pgt_cont_init(&c, 0);
            if (op == PUT)
                rc = pgt_put_type(&w->env, &c, 0, W_D2);
            else if (op == UNPIN)
                rc = pgt_unpin(&w->env, &c, 0, W_D2);
            else if (op >= PIN1 && op <= PIN4)
                rc = pgt_pin(&w->env, &c, 0, op - PIN1 + 1, W_D2);
            else
                rc = pgt_get_type(&w->env, &c, 0, get_type_of[op], W_D2);
            ck_assert_msg(rc == -EPERM, "%s, %s by d2: rc %d", st_name[s],
                          op_name[op], rc);
            ck_assert(pgt_cont_idle(&c));
            ck_assert(memcmp(&before, &w->frames[0], sizeof(before)) == 0);
            w_free(w);
        }
    }
}
END_TEST

/*
 * Busy states. Frame 0 is an L2 whose entry 0 names the L1 in frame 1;
 * cont A (budget 1) is stopped in the middle of validating it (pin) or of
 * releasing it (unpin). Another cont of the same domain asking for L2 waits
 * (-ERESTART); anything else is refused (-EINVAL); nothing changes.
 */
enum busy { VALIDATING, RELEASING, NR_BUSY };

static const int busy_table[NR_BUSY][NR_OPS] = {
    /*             get NONE get L1     get L2     get L3     get L4     get W      get SD     put      pin L1     pin L2     pin L3     pin L4     unpin */
    [VALIDATING] = { -EINVAL, -EINVAL, -ERESTART, -EINVAL, -EINVAL, -EINVAL, -EINVAL, -EINVAL, -EINVAL, -ERESTART, -EINVAL, -EINVAL, -EINVAL },
    [RELEASING] =  { -EINVAL, -EINVAL, -ERESTART, -EINVAL, -EINVAL, -EINVAL, -EINVAL, -EINVAL, -EINVAL, -ERESTART, -EINVAL, -EINVAL, -EINVAL },
};

static void make_busy(struct pgt_world *w, struct pgt_cont *a, enum busy b)
{
    w_assign(w, 0, 2, W_D1);
    w->page[0][0] = pgt_pte_make(1, W_P | W_RW);
    pgt_cont_init(a, 1);
    if (b == VALIDATING) {
        ck_assert_int_eq(pgt_pin(&w->env, a, 0, 2, W_D1), -ERESTART);
        ck_assert_uint_eq(w->frames[0].state, PGT_VALIDATING);
    } else {
        ck_assert_int_eq(w_pin(w, 0, 2, W_D1), 0);
        ck_assert_int_eq(pgt_unpin(&w->env, a, 0, W_D1), -ERESTART);
        ck_assert_uint_eq(w->frames[0].state, PGT_RELEASING);
    }
}

START_TEST(busy_state_every_op)
{
    for (int b = 0; b < NR_BUSY; b++) {
        for (int op = 0; op < NR_OPS; op++) {
            struct pgt_world *w = w_new(2);
            struct pgt_frame before[2];
            struct pgt_cont a, c;
            const char *err;
            int rc;

            make_busy(w, &a, b);
            w_snapshot(w, before);
            pgt_cont_init(&c, 0);
            if (op == PUT)
                rc = pgt_put_type(&w->env, &c, 0, W_D1);
            else if (op == UNPIN)
                rc = pgt_unpin(&w->env, &c, 0, W_D1);
            else if (op >= PIN1 && op <= PIN4)
                rc = pgt_pin(&w->env, &c, 0, op - PIN1 + 1, W_D1);
            else
                rc = pgt_get_type(&w->env, &c, 0, get_type_of[op], W_D1);
            ck_assert_msg(rc == busy_table[b][op], "busy %d, %s: rc %d", b,
                          op_name[op], rc);
            ck_assert(w_same_counts(w, before));
            /* A waiting operation holds nothing: giving it up is free. */
            ck_assert_int_eq(pgt_cont_abort(&w->env, &c), 0);
            ck_assert(pgt_cont_idle(&c));
            ck_assert(w_same_counts(w, before));
            ck_assert_int_eq(w_finish(w, &a, -ERESTART), 0);
            if (b == VALIDATING)
                ck_assert_int_eq(w_unpin(w, 0, W_D1), 0);
            err = w_check(w);
            ck_assert_msg(err == NULL, "%s", err);
            ck_assert(w_all_zero(w));
            w_free(w);
        }
    }
}
END_TEST

/* A waiter resumed after the walker is done gets its normal result. */
START_TEST(waiter_completes_after_walker)
{
    for (int b = 0; b < NR_BUSY; b++) {
        struct pgt_world *w = w_new(2);
        struct pgt_cont a, c;

        make_busy(w, &a, b);
        pgt_cont_init(&c, 0);
        ck_assert_int_eq(pgt_get_type(&w->env, &c, 0, PGT_L2, W_D1), -ERESTART);
        ck_assert_int_eq(pgt_cont_resume(&w->env, &c), -ERESTART);   /* still busy */
        ck_assert_int_eq(w_finish(w, &a, -ERESTART), 0);
        ck_assert_int_eq(pgt_cont_resume(&w->env, &c), 0);
        w->ext_typed[0]++;
        ck_assert_ptr_null(w_check(w));
        ck_assert_int_eq(w_put_type(w, 0, W_D1), 0);
        if (b == VALIDATING)
            ck_assert_int_eq(w_unpin(w, 0, W_D1), 0);
        ck_assert(w_all_zero(w));
        w_free(w);
    }
}
END_TEST

/* A busy cont refuses a second operation; an idle one refuses resume. */
START_TEST(cont_misuse)
{
    struct pgt_world *w = w_new(2);
    struct pgt_cont a;

    make_busy(w, &a, VALIDATING);
    ck_assert_int_eq(pgt_pin(&w->env, &a, 1, 1, W_D1), -EBUSY);
    ck_assert_int_eq(pgt_get_type(&w->env, &a, 1, PGT_L1, W_D1), -EBUSY);
    ck_assert_int_eq(w_finish(w, &a, -ERESTART), 0);
    ck_assert(pgt_cont_idle(&a));
    ck_assert_int_eq(pgt_cont_resume(&w->env, &a), -EINVAL);
    ck_assert_int_eq(pgt_cont_abort(&w->env, &a), 0);
    ck_assert_int_eq(w_unpin(w, 0, W_D1), 0);
    ck_assert(w_all_zero(w));
    w_free(w);
}
END_TEST

/* Arguments out of range, before any state is looked at. */
START_TEST(bad_arguments)
{
    struct pgt_world *w = w_new(2);
    struct pgt_cont c;

    w_assign(w, 0, 2, W_D1);
    pgt_cont_init(&c, 0);
    ck_assert_int_eq(pgt_get_type(&w->env, &c, 2, PGT_L1, W_D1), -EINVAL);
    ck_assert_int_eq(pgt_get_type(&w->env, &c, ~0ull, PGT_L1, W_D1), -EINVAL);
    ck_assert_int_eq(pgt_get_type(&w->env, &c, 0, PGT_NR_TYPES, W_D1), -EINVAL);
    ck_assert_int_eq(pgt_get_type(&w->env, &c, 0, (enum pgt_type)0x101, W_D1), -EINVAL);
    ck_assert_int_eq(pgt_pin(&w->env, &c, 0, 0, W_D1), -EINVAL);
    ck_assert_int_eq(pgt_pin(&w->env, &c, 0, 5, W_D1), -EINVAL);
    ck_assert_int_eq(pgt_pin(&w->env, &c, 0, 0x101, W_D1), -EINVAL);
    ck_assert_int_eq(pgt_pin(&w->env, &c, 2, 1, W_D1), -EINVAL);
    ck_assert_int_eq(pgt_unpin(&w->env, &c, 2, W_D1), -EINVAL);
    ck_assert_int_eq(pgt_put_type(&w->env, &c, 2, W_D1), -EINVAL);
    ck_assert_int_eq(pgt_pin(&w->env, &c, 0, 1, PGT_OWNER_NONE), -EPERM);
    ck_assert_int_eq(pgt_get_page(&w->env, 2, W_D1), -EINVAL);
    ck_assert_int_eq(pgt_put_page(&w->env, 2), -EINVAL);
    ck_assert_int_eq(pgt_can_free(&w->env, 2), -EINVAL);
    ck_assert_int_eq(pgt_assign(&w->env, 2, W_D1), -EINVAL);
    ck_assert_int_eq(pgt_assign(&w->env, 0, PGT_OWNER_NONE), -EINVAL);
    ck_assert_int_eq(pgt_assign(&w->env, 0, W_D2), -EBUSY);
    ck_assert(w_all_zero(w));
    ck_assert(pgt_cont_idle(&c));
    w_free(w);
}
END_TEST

/* General references: owner checked, never below the type references. */
START_TEST(general_refs)
{
    struct pgt_world *w = w_new(2);

    w_assign(w, 0, 1, W_D1);
    ck_assert_int_eq(pgt_get_page(&w->env, 0, W_D2), -EPERM);
    ck_assert_int_eq(pgt_get_page(&w->env, 1, W_D1), -EPERM);      /* free */
    ck_assert_int_eq(pgt_put_page(&w->env, 0), -EINVAL);            /* none held */
    ck_assert_int_eq(pgt_get_page(&w->env, 0, W_D1), 0);
    ck_assert_int_eq(w_get_type(w, 0, PGT_WRITABLE, W_D1), 0);
    ck_assert_uint_eq(w->frames[0].count, 2);
    ck_assert_int_eq(pgt_put_page(&w->env, 0), 0);
    ck_assert_int_eq(pgt_put_page(&w->env, 0), -EINVAL);            /* the type's */
    ck_assert_uint_eq(w->frames[0].count, 1);
    ck_assert_int_eq(w_put_type(w, 0, W_D1), 0);
    ck_assert(w_all_zero(w));
    w_free(w);
}
END_TEST

/* SEG_DESC asks env->check_seg_desc and takes nothing when refused. */
START_TEST(seg_desc_check)
{
    struct pgt_world *w = w_new(1);

    w_assign(w, 0, 1, W_D1);
    w->seg_desc_rc = -EINVAL;
    ck_assert_int_eq(w_get_type(w, 0, PGT_SEG_DESC, W_D1), -EINVAL);
    ck_assert(w_all_zero(w));
    w->seg_desc_rc = 1;                   /* a bogus positive answer */
    ck_assert_int_eq(w_get_type(w, 0, PGT_SEG_DESC, W_D1), -EINVAL);
    w->seg_desc_rc = 0;
    ck_assert_int_eq(w_get_type(w, 0, PGT_SEG_DESC, W_D1), 0);
    ck_assert_uint_eq(w->frames[0].state, PGT_VALID);
    ck_assert_int_eq(w_put_type(w, 0, W_D1), 0);
    ck_assert(w_all_zero(w));
    w_free(w);
}
END_TEST

Suite *pgt_type_suite(void); /* called by tests/unit/main.c */
Suite *pgt_type_suite(void)
{
    Suite *s = suite_create("pgt_type");
    TCase *tc = tcase_create("state_machine");

    tcase_add_test(tc, every_state_every_op);
    tcase_add_test(tc, every_op_from_another_domain);
    tcase_add_test(tc, busy_state_every_op);
    tcase_add_test(tc, waiter_completes_after_walker);
    tcase_add_test(tc, cont_misuse);
    tcase_add_test(tc, bad_arguments);
    tcase_add_test(tc, general_refs);
    tcase_add_test(tc, seg_desc_check);
    suite_add_tcase(s, tc);
    return s;
}
