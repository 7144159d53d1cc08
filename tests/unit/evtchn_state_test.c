/*
 * Every (state, operation) pair of the event channel state machine, as one
 * table of expected results written out by hand.
 *
 * Setup for each pair: domains A (d1) and B (d2), 2 vCPUs each, ports 1..3
 * of both used as fillers, then port X = 4 of A and port Y = 4 of B put in
 * the row's state (INTERDOMAIN: X and Y connected to each other; UNBOUND:
 * X waits for B, Y waits for A; Y's vCPU is 1 where it can be moved).
 * The operation is applied by A to X (bind_interdomain: by A to B's Y).
 * A new port is therefore 4 in the FREE row and 5 in every other row.
 * Failed operations must leave both tables bit-for-bit unchanged, and the
 * world's invariants must hold after every operation.
 */
#include <check.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "evtchn_world.h"

#define DA 1
#define DB 2
#define X 4
#define Y 4

enum row { R_FREE, R_UNBOUND, R_INTERDOMAIN, R_VIRQ_VCPU, R_VIRQ_GLOBAL, R_IPI, NR_ROWS };
enum op {
    O_ALLOC_UNBOUND, O_BIND_INTERDOMAIN, O_BIND_VIRQ, O_BIND_IPI, O_CLOSE,
    O_SEND, O_STATUS, O_UNMASK, O_BIND_VCPU, NR_OPS
};
/* What happens to X (and Y) besides the return value. */
enum post {
    P_SAME,      /* X and Y unchanged (a new port may appear elsewhere) */
    P_TAKEN,     /* FREE row: the new port is X itself */
    P_FREED,     /* X is FREE again */
    P_VCPU,      /* X now notifies vCPU 1 */
    P_BOUND,     /* a new local port 5 is connected to Y */
};

struct expect {
    int rc;
    enum post post;
};

static const struct expect expected[NR_ROWS][NR_OPS] = {
    [R_FREE] = {
        [O_ALLOC_UNBOUND] = {X, P_TAKEN},      [O_BIND_INTERDOMAIN] = {-EINVAL, P_SAME},
        [O_BIND_VIRQ] = {X, P_TAKEN},          [O_BIND_IPI] = {X, P_TAKEN},
        [O_CLOSE] = {-EINVAL, P_SAME},         [O_SEND] = {-EINVAL, P_SAME},
        [O_STATUS] = {0, P_SAME},              [O_UNMASK] = {-EINVAL, P_SAME},
        [O_BIND_VCPU] = {-EINVAL, P_SAME},
    },
    [R_UNBOUND] = {
        [O_ALLOC_UNBOUND] = {5, P_SAME},       [O_BIND_INTERDOMAIN] = {5, P_BOUND},
        [O_BIND_VIRQ] = {5, P_SAME},           [O_BIND_IPI] = {5, P_SAME},
        [O_CLOSE] = {0, P_FREED},              [O_SEND] = {0, P_SAME},
        [O_STATUS] = {0, P_SAME},              [O_UNMASK] = {0, P_SAME},
        [O_BIND_VCPU] = {0, P_VCPU},
    },
    [R_INTERDOMAIN] = {
        [O_ALLOC_UNBOUND] = {5, P_SAME},       [O_BIND_INTERDOMAIN] = {-EINVAL, P_SAME},
        [O_BIND_VIRQ] = {5, P_SAME},           [O_BIND_IPI] = {5, P_SAME},
        [O_CLOSE] = {0, P_FREED},              [O_SEND] = {0, P_SAME},
        [O_STATUS] = {0, P_SAME},              [O_UNMASK] = {0, P_SAME},
        [O_BIND_VCPU] = {0, P_VCPU},
    },
    [R_VIRQ_VCPU] = {
        [O_ALLOC_UNBOUND] = {5, P_SAME},       [O_BIND_INTERDOMAIN] = {-EINVAL, P_SAME},
        [O_BIND_VIRQ] = {-EEXIST, P_SAME},     [O_BIND_IPI] = {5, P_SAME},
        [O_CLOSE] = {0, P_FREED},              [O_SEND] = {-EINVAL, P_SAME},
        [O_STATUS] = {0, P_SAME},              [O_UNMASK] = {0, P_SAME},
        [O_BIND_VCPU] = {-EINVAL, P_SAME},
    },
    [R_VIRQ_GLOBAL] = {
        [O_ALLOC_UNBOUND] = {5, P_SAME},       [O_BIND_INTERDOMAIN] = {-EINVAL, P_SAME},
        [O_BIND_VIRQ] = {-EEXIST, P_SAME},     [O_BIND_IPI] = {5, P_SAME},
        [O_CLOSE] = {0, P_FREED},              [O_SEND] = {-EINVAL, P_SAME},
        [O_STATUS] = {0, P_SAME},              [O_UNMASK] = {0, P_SAME},
        [O_BIND_VCPU] = {0, P_VCPU},
    },
    [R_IPI] = {
        [O_ALLOC_UNBOUND] = {5, P_SAME},       [O_BIND_INTERDOMAIN] = {-EINVAL, P_SAME},
        [O_BIND_VIRQ] = {5, P_SAME},           [O_BIND_IPI] = {5, P_SAME},
        [O_CLOSE] = {0, P_FREED},              [O_SEND] = {0, P_SAME},
        [O_STATUS] = {0, P_SAME},              [O_UNMASK] = {0, P_SAME},
        [O_BIND_VCPU] = {-EINVAL, P_SAME},
    },
};

/* The VIRQ (and vCPU) that O_BIND_VIRQ binds: the row's own for VIRQ rows. */
static const struct { uint32_t virq, vcpu; } row_virq[NR_ROWS] = {
    [R_FREE] = {VIRQ_TIMER, 1},      [R_UNBOUND] = {VIRQ_TIMER, 1},
    [R_INTERDOMAIN] = {VIRQ_TIMER, 1}, [R_VIRQ_VCPU] = {VIRQ_TIMER, 1},
    [R_VIRQ_GLOBAL] = {VIRQ_DOM_EXC, 0}, [R_IPI] = {VIRQ_TIMER, 1},
};

/* What status(X) answers in each row. */
static const struct { uint32_t status, vcpu, dom, port, virq; } row_status[NR_ROWS] = {
    [R_FREE] = {EVTCHNSTAT_closed, 0, 0, 0, 0},
    [R_UNBOUND] = {EVTCHNSTAT_unbound, 0, DB, 0, 0},
    [R_INTERDOMAIN] = {EVTCHNSTAT_interdomain, 0, DB, Y, 0},
    [R_VIRQ_VCPU] = {EVTCHNSTAT_virq, 1, 0, 0, VIRQ_TIMER},
    [R_VIRQ_GLOBAL] = {EVTCHNSTAT_virq, 0, 0, 0, VIRQ_DOM_EXC},
    [R_IPI] = {EVTCHNSTAT_ipi, 1, 0, 0, 0},
};

/* Where send(X) goes: domain 0 = nowhere. */
static const struct { uint16_t dom; uint32_t port, vcpu; } row_send[NR_ROWS] = {
    [R_UNBOUND] = {0, 0, 0},
    [R_INTERDOMAIN] = {DB, Y, 1},
    [R_IPI] = {DA, X, 1},
};

static struct ew *w;
static struct evtchn_table *ta, *tb;
static struct ew_snap *snap;

static void put_in_state(struct evtchn_table *t, struct evtchn_table *other, enum row r)
{
    for (int i = 1; i <= 3; i++)
        ck_assert_int_eq(evtchn_bind_ipi(t, 0), i);
    switch (r) {
    case R_FREE:
        ck_assert_int_eq(evtchn_bind_ipi(t, 0), 4);
        ck_assert_int_eq(evtchn_close(&w->env, t, 4), 0);
        break;
    case R_UNBOUND:
        ck_assert_int_eq(evtchn_alloc_unbound(t, other->domid), 4);
        break;
    case R_INTERDOMAIN:
        break;   /* done once both fillers exist, below */
    case R_VIRQ_VCPU:
        ck_assert_int_eq(evtchn_bind_virq(t, VIRQ_TIMER, 1), 4);
        break;
    case R_VIRQ_GLOBAL:
        ck_assert_int_eq(evtchn_bind_virq(t, VIRQ_DOM_EXC, 0), 4);
        break;
    case R_IPI:
        ck_assert_int_eq(evtchn_bind_ipi(t, 1), 4);
        break;
    default:
        ck_abort();
    }
}

static void setup_row(enum row r)
{
    w = ew_new();
    ta = ew_add(w, DA, 2);
    tb = ew_add(w, DB, 2);
    put_in_state(ta, tb, r);
    put_in_state(tb, ta, r);
    if (r == R_INTERDOMAIN) {
        ck_assert_int_eq(evtchn_alloc_unbound(tb, DA), Y);
        ck_assert_int_eq(evtchn_bind_vcpu(tb, Y, 1), 0);
        ck_assert_int_eq(evtchn_bind_interdomain(&w->env, ta, DB, Y), X);
    } else if (r == R_UNBOUND) {
        ck_assert_int_eq(evtchn_bind_vcpu(tb, Y, 1), 0);
    }
    EW_ASSERT_OK(w);
}

static void check_new_port(enum row r, enum op op, int port)
{
    const struct evtchn_chan *c = &ta->chan[port];
    switch (op) {
    case O_ALLOC_UNBOUND:
        ck_assert_int_eq(c->state, EVTCHN_UNBOUND);
        ck_assert_uint_eq(c->domid, DB);
        break;
    case O_BIND_VIRQ:
        ck_assert_int_eq(c->state, EVTCHN_VIRQ);
        ck_assert_uint_eq(c->virq, row_virq[r].virq);
        ck_assert_uint_eq(c->vcpu, row_virq[r].vcpu);
        ck_assert_uint_eq(ta->virq_port[row_virq[r].vcpu][row_virq[r].virq], port);
        break;
    case O_BIND_IPI:
        ck_assert_int_eq(c->state, EVTCHN_IPI);
        ck_assert_uint_eq(c->vcpu, 1);
        break;
    case O_BIND_INTERDOMAIN:
        ck_assert_int_eq(c->state, EVTCHN_INTERDOMAIN);
        ck_assert_uint_eq(c->domid, DB);
        ck_assert_uint_eq(c->port, Y);
        ck_assert_uint_eq(c->vcpu, 0);
        ck_assert_int_eq(tb->chan[Y].state, EVTCHN_INTERDOMAIN);
        ck_assert_uint_eq(tb->chan[Y].domid, DA);
        ck_assert_uint_eq(tb->chan[Y].port, port);
        ck_assert_uint_eq(tb->chan[Y].vcpu, 1);   /* kept across the bind */
        break;
    default:
        ck_abort_msg("op %d made a port", op);
    }
}

static int apply(enum row r, enum op op, struct evtchn_status *st, struct evtchn_target *tg)
{
    switch (op) {
    case O_ALLOC_UNBOUND: return evtchn_alloc_unbound(ta, DB);
    case O_BIND_INTERDOMAIN: return evtchn_bind_interdomain(&w->env, ta, DB, Y);
    case O_BIND_VIRQ: return evtchn_bind_virq(ta, row_virq[r].virq, row_virq[r].vcpu);
    case O_BIND_IPI: return evtchn_bind_ipi(ta, 1);
    case O_CLOSE: return evtchn_close(&w->env, ta, X);
    case O_SEND: return evtchn_send(&w->env, ta, X, tg);
    case O_STATUS: return evtchn_status(ta, X, st);
    case O_UNMASK: return evtchn_unmask(ta, X, tg);
    case O_BIND_VCPU: return evtchn_bind_vcpu(ta, X, 1);
    default: ck_abort(); return 0;
    }
}

START_TEST(state_op_pair)
{
    enum row r = (enum row)(_i / NR_OPS);
    enum op op = (enum op)(_i % NR_OPS);
    const struct expect *e = &expected[r][op];
    struct evtchn_status st;
    struct evtchn_target tg = {(void *)1, 0xdead, 0xdead};

    setup_row(r);
    struct evtchn_chan x_before = ta->chan[X], y_before = tb->chan[Y];
    unsigned used_a = ta->nr_used, used_b = tb->nr_used, freed = w->freed;
    ew_snap_take(w, snap);
    memset(&st, 0x5a, sizeof(st));
    st.dom = DA;
    st.port = X;

    int rc = apply(r, op, &st, &tg);
    ck_assert_msg(rc == e->rc, "row %d op %d: rc %d, expected %d", r, op, rc, e->rc);
    EW_ASSERT_OK(w);

    if (rc < 0) {
        ck_assert_msg(ew_snap_same(w, snap), "row %d op %d: failure changed a table", r, op);
        ck_assert_uint_eq(w->freed, freed);
        return;
    }
    /* The port that was free or taken, the counts. */
    if (rc > 0) {
        check_new_port(r, op, rc);
        ck_assert_uint_eq(ta->nr_used, used_a + 1);
    } else if (e->post == P_FREED) {
        ck_assert_uint_eq(ta->nr_used, used_a - 1);
    } else {
        ck_assert_uint_eq(ta->nr_used, used_a);
    }
    ck_assert_uint_eq(tb->nr_used, used_b);

    switch (e->post) {
    case P_SAME:
        ck_assert_mem_eq(&ta->chan[X], &x_before, sizeof(x_before));
        ck_assert_mem_eq(&tb->chan[Y], &y_before, sizeof(y_before));
        break;
    case P_TAKEN:
        ck_assert_int_eq(rc, X);
        break;
    case P_BOUND:
        ck_assert_mem_eq(&ta->chan[X], &x_before, sizeof(x_before));
        break;
    case P_VCPU:
        ck_assert_uint_eq(ta->chan[X].vcpu, 1);
        ck_assert_uint_eq(ta->chan[X].state, x_before.state);
        ck_assert_mem_eq(&tb->chan[Y], &y_before, sizeof(y_before));
        break;
    case P_FREED:
        ck_assert_int_eq(ta->chan[X].state, EVTCHN_FREE);
        ck_assert_uint_eq(w->freed, freed + 1);
        ck_assert_ptr_eq(w->last_freed_table, ta);
        ck_assert_uint_eq(w->last_freed_port, X);
        if (r == R_INTERDOMAIN) {
            /* The peer waits for us again, on the vCPU it had. */
            ck_assert_int_eq(tb->chan[Y].state, EVTCHN_UNBOUND);
            ck_assert_uint_eq(tb->chan[Y].domid, DA);
            ck_assert_uint_eq(tb->chan[Y].vcpu, 1);
        } else {
            ck_assert_mem_eq(&tb->chan[Y], &y_before, sizeof(y_before));
        }
        if (r == R_VIRQ_VCPU)
            ck_assert_uint_eq(ta->virq_port[1][VIRQ_TIMER], 0);
        if (r == R_VIRQ_GLOBAL)
            ck_assert_uint_eq(ta->virq_port[0][VIRQ_DOM_EXC], 0);
        break;
    }

    if (op == O_STATUS) {
        ck_assert_uint_eq(st.dom, DA);   /* IN fields untouched */
        ck_assert_uint_eq(st.port, X);
        ck_assert_uint_eq(st.status, row_status[r].status);
        ck_assert_uint_eq(st.vcpu, row_status[r].vcpu);
        if (r == R_VIRQ_VCPU || r == R_VIRQ_GLOBAL) {
            ck_assert_uint_eq(st.u.virq, row_status[r].virq);
        } else {
            ck_assert_uint_eq(st.u.interdomain.dom, row_status[r].dom);
            ck_assert_uint_eq(st.u.interdomain.pad0, 0);
            ck_assert_uint_eq(st.u.interdomain.port, row_status[r].port);
        }
    }
    if (op == O_SEND) {
        if (row_send[r].dom == 0) {
            ck_assert_ptr_null(tg.table);
        } else {
            ck_assert_ptr_eq(tg.table, ew_get(w, row_send[r].dom));
            ck_assert_uint_eq(tg.port, row_send[r].port);
            ck_assert_uint_eq(tg.vcpu, row_send[r].vcpu);
        }
    }
    if (op == O_UNMASK) {
        ck_assert_ptr_eq(tg.table, ta);
        ck_assert_uint_eq(tg.port, X);
        ck_assert_uint_eq(tg.vcpu, ta->chan[X].vcpu);
    }
}
END_TEST

/* The table above names rows and ops by number: make sure it is complete
 * (every entry written, the only 0/P_SAME pairs are the ones meant). */
START_TEST(table_is_complete)
{
    unsigned zero_same = 0;
    for (int r = 0; r < NR_ROWS; r++)
        for (int op = 0; op < NR_OPS; op++)
            if (expected[r][op].rc == 0 && expected[r][op].post == P_SAME)
                zero_same++;
    /* status x6, unmask x5, send on UNBOUND/INTERDOMAIN/IPI */
    ck_assert_uint_eq(zero_same, 6 + 5 + 3);
}
END_TEST

static void fixture_setup(void)
{
    snap = malloc(sizeof(*snap));
    ck_assert_ptr_nonnull(snap);
}

static void teardown(void)
{
    if (w)
        ew_free(w);
    w = NULL;
    free(snap);
}

Suite *evtchn_state_suite(void);
Suite *evtchn_state_suite(void)
{
    Suite *s = suite_create("evtchn_state");
    TCase *tc = tcase_create("pairs");
    tcase_add_checked_fixture(tc, fixture_setup, teardown);
    tcase_add_loop_test(tc, state_op_pair, 0, NR_ROWS * NR_OPS);
    tcase_add_test(tc, table_is_complete);
    suite_add_tcase(s, tc);
    return s;
}
