/*
 * xenstored: transactions. Isolation (a transaction sees its own changes,
 * nobody else does until commit), read-modify-write races (one commits,
 * the other EAGAIN), abort, conflicts on absent nodes and directories,
 * no conflict on untouched paths (whose concurrent changes survive the
 * commit), watches at commit only, permissions and quotas inside
 * transactions, the per-connection limits, and connection close.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xsd_helpers.h"

static char buf[XENSTORE_PAYLOAD_MAX + 1];
static char p[XENSTORE_PAYLOAD_MAX + 1], tok[XENSTORE_PAYLOAD_MAX + 1];

START_TEST(isolation_and_commit)
{
    struct xt t;
    struct xsd_conn *a, *b;
    uint32_t id;

    xt_init(&t, NULL);
    a = xsd_conn_new(t.d, 0);
    b = xsd_conn_new(t.d, 0);
    ck_assert_int_eq(xt_write(a, 0, "/k/old", "0"), 0);
    ck_assert_int_eq(xt_txn_start(a, &id), 0);
    ck_assert_uint_eq(xsd_nr_transactions(t.d), 1);
    ck_assert_int_eq(xt_write(a, id, "/k/new/deep", "1"), 0);
    ck_assert_int_eq(xt_write(a, id, "/k/old", "changed"), 0);
    ck_assert_int_eq(xt_rm(a, id, "/k/old"), 0);
    ck_assert_int_eq(xt_write(a, id, "/k/old", "again"), 0);
    ck_assert_int_eq(xt_set_perms(a, id, "/k/new", "n0,r3"), 0);
    /* inside: its own version */
    ck_assert_int_eq(xt_read(a, id, "/k/new/deep", buf), 0);
    ck_assert_str_eq(buf, "1");
    ck_assert_int_eq(xt_dir(a, id, "/k", buf), 0);
    ck_assert_str_eq(buf, "new,old");
    ck_assert_int_eq(xt_get_perms(a, id, "/k/new", buf), 0);
    ck_assert_str_eq(buf, "n0,r3");
    /* outside: nothing yet */
    ck_assert_int_eq(xt_read(b, 0, "/k/new/deep", buf), -XSD_ENOENT);
    ck_assert_int_eq(xt_read(a, 0, "/k/old", buf), 0);
    ck_assert_str_eq(buf, "0");
    ck_assert_uint_eq(xsd_nr_nodes(t.d), 6);
    ck_assert_int_eq(xt_txn_end(a, id, true), 0);
    ck_assert_uint_eq(xsd_nr_transactions(t.d), 0);
    ck_assert_int_eq(xt_read(b, 0, "/k/new/deep", buf), 0);
    ck_assert_str_eq(buf, "1");
    ck_assert_int_eq(xt_read(b, 0, "/k/old", buf), 0);
    ck_assert_str_eq(buf, "again");
    ck_assert_int_eq(xt_get_perms(b, 0, "/k/new", buf), 0);
    ck_assert_str_eq(buf, "n0,r3");
    ck_assert_uint_eq(xsd_nr_nodes(t.d), 8);
    /* the id is gone */
    ck_assert_int_eq(xt_read(a, id, "/k/old", buf), -XSD_ENOENT);
    xt_fini(&t);
}
END_TEST

START_TEST(abort_discards)
{
    struct xt t;
    struct xsd_conn *a;
    uint32_t id;

    xt_init(&t, NULL);
    a = xsd_conn_new(t.d, 0);
    ck_assert_int_eq(xt_write(a, 0, "/keep", "k"), 0);
    ck_assert_int_eq(xt_watch(a, "/", "w"), 0);
    xt_drain_events(a);
    ck_assert_int_eq(xt_txn_start(a, &id), 0);
    ck_assert_int_eq(xt_write(a, id, "/gone/x", "1"), 0);
    ck_assert_int_eq(xt_rm(a, id, "/keep"), 0);
    ck_assert_int_eq(xt_txn_end(a, id, false), 0);
    ck_assert_int_eq(xt_read(a, 0, "/gone", buf), -XSD_ENOENT);
    ck_assert_int_eq(xt_read(a, 0, "/keep", buf), 0);
    ck_assert_str_eq(buf, "k");
    ck_assert_uint_eq(xt_drain_events(a), 0);
    ck_assert_uint_eq(xsd_nr_nodes(t.d), 5);
    xt_fini(&t);
}
END_TEST

/* Reads the counter at path inside tx and writes counter + 1 there. */
static void increment(struct xsd_conn *c, uint32_t tx, const char *path)
{
    char v[32];

    ck_assert_int_eq(xt_read(c, tx, path, v), 0);
    snprintf(v, sizeof(v), "%ld", strtol(v, NULL, 10) + 1);
    ck_assert_int_eq(xt_write(c, tx, path, v), 0);
}

START_TEST(read_modify_write_race)
{
    struct xt t;
    struct xsd_conn *a, *b;
    uint32_t ta, tb;

    xt_init(&t, NULL);
    a = xsd_conn_new(t.d, 0);
    b = xsd_conn_new(t.d, 0);
    ck_assert_int_eq(xt_write(a, 0, "/counter", "10"), 0);
    ck_assert_int_eq(xt_txn_start(a, &ta), 0);
    ck_assert_int_eq(xt_txn_start(b, &tb), 0);
    increment(a, ta, "/counter");
    increment(b, tb, "/counter");
    ck_assert_int_eq(xt_txn_end(a, ta, true), 0);
    ck_assert_int_eq(xt_txn_end(b, tb, true), -XSD_EAGAIN);
    ck_assert_int_eq(xt_read(a, 0, "/counter", buf), 0);
    ck_assert_str_eq(buf, "11");
    /* the loser retries and wins */
    ck_assert_int_eq(xt_txn_start(b, &tb), 0);
    increment(b, tb, "/counter");
    ck_assert_int_eq(xt_txn_end(b, tb, true), 0);
    ck_assert_int_eq(xt_read(a, 0, "/counter", buf), 0);
    ck_assert_str_eq(buf, "12");
    /* a plain write in between also makes a transaction fail */
    ck_assert_int_eq(xt_txn_start(a, &ta), 0);
    increment(a, ta, "/counter");
    ck_assert_int_eq(xt_write(b, 0, "/counter", "100"), 0);
    ck_assert_int_eq(xt_txn_end(a, ta, true), -XSD_EAGAIN);
    ck_assert_int_eq(xt_read(a, 0, "/counter", buf), 0);
    ck_assert_str_eq(buf, "100");
    /* so does a removal of what it read */
    ck_assert_int_eq(xt_txn_start(a, &ta), 0);
    ck_assert_int_eq(xt_read(a, ta, "/counter", buf), 0);
    ck_assert_int_eq(xt_write(a, ta, "/other", "1"), 0);
    ck_assert_int_eq(xt_rm(b, 0, "/counter"), 0);
    ck_assert_int_eq(xt_txn_end(a, ta, true), -XSD_EAGAIN);
    ck_assert_int_eq(xt_read(a, 0, "/other", buf), -XSD_ENOENT);
    xt_fini(&t);
}
END_TEST

START_TEST(conflicts_on_absence_and_directories)
{
    struct xt t;
    struct xsd_conn *a, *b;
    uint32_t id;

    xt_init(&t, NULL);
    a = xsd_conn_new(t.d, 0);
    b = xsd_conn_new(t.d, 0);
    /* it saw /lock absent; someone created it */
    ck_assert_int_eq(xt_txn_start(a, &id), 0);
    ck_assert_int_eq(xt_read(a, id, "/lock", buf), -XSD_ENOENT);
    ck_assert_int_eq(xt_write(a, id, "/lock", "a"), 0);
    ck_assert_int_eq(xt_write(b, 0, "/lock", "b"), 0);
    ck_assert_int_eq(xt_txn_end(a, id, true), -XSD_EAGAIN);
    ck_assert_int_eq(xt_read(a, 0, "/lock", buf), 0);
    ck_assert_str_eq(buf, "b");
    /* it listed /dir; someone added a child */
    ck_assert_int_eq(xt_mkdir(a, 0, "/dir"), 0);
    ck_assert_int_eq(xt_txn_start(a, &id), 0);
    ck_assert_int_eq(xt_dir(a, id, "/dir", buf), 0);
    ck_assert_int_eq(xt_write(a, id, "/summary", "empty"), 0);
    ck_assert_int_eq(xt_mkdir(b, 0, "/dir/new"), 0);
    ck_assert_int_eq(xt_txn_end(a, id, true), -XSD_EAGAIN);
    ck_assert_int_eq(xt_read(a, 0, "/summary", buf), -XSD_ENOENT);
    xt_fini(&t);
}
END_TEST

START_TEST(untouched_paths_do_not_conflict)
{
    struct xt t;
    struct xsd_conn *a, *b;
    uint32_t id;

    xt_init(&t, NULL);
    a = xsd_conn_new(t.d, 0);
    b = xsd_conn_new(t.d, 0);
    ck_assert_int_eq(xt_write(a, 0, "/d/x", "x0"), 0);
    ck_assert_int_eq(xt_write(a, 0, "/d/y", "y0"), 0);
    ck_assert_int_eq(xt_write(a, 0, "/d/z/deep", "z0"), 0);
    ck_assert_int_eq(xt_txn_start(a, &id), 0);
    ck_assert_int_eq(xt_write(a, id, "/d/x", "x1"), 0);
    ck_assert_int_eq(xt_rm(a, id, "/d/z"), 0);
    /* meanwhile, outside: a sibling value and something elsewhere */
    ck_assert_int_eq(xt_write(b, 0, "/d/y", "y1"), 0);
    ck_assert_int_eq(xt_write(b, 0, "/elsewhere", "e"), 0);
    ck_assert_int_eq(xt_write(b, 0, "/d/z/deep", "z1"), 0); /* under what it removes */
    ck_assert_int_eq(xt_txn_end(a, id, true), 0);
    ck_assert_int_eq(xt_read(b, 0, "/d/x", buf), 0);
    ck_assert_str_eq(buf, "x1");
    ck_assert_int_eq(xt_read(b, 0, "/d/y", buf), 0);
    ck_assert_str_eq(buf, "y1"); /* kept */
    ck_assert_int_eq(xt_read(b, 0, "/elsewhere", buf), 0);
    ck_assert_int_eq(xt_read(b, 0, "/d/z", buf), -XSD_ENOENT);
    ck_assert_uint_eq(xsd_nr_nodes(t.d), 4 + 4);
    /* a read-only transaction commits whatever happened elsewhere */
    ck_assert_int_eq(xt_txn_start(a, &id), 0);
    ck_assert_int_eq(xt_read(a, id, "/d/x", buf), 0);
    ck_assert_int_eq(xt_write(b, 0, "/d/y", "y2"), 0);
    ck_assert_int_eq(xt_txn_end(a, id, true), 0);
    xt_fini(&t);
}
END_TEST

START_TEST(events_only_at_commit)
{
    struct xt t;
    struct xsd_conn *a, *w;
    uint32_t id;

    xt_init(&t, NULL);
    a = xsd_conn_new(t.d, 0);
    w = xsd_conn_new(t.d, 0);
    ck_assert_int_eq(xt_write(a, 0, "/e/old", "1"), 0);
    ck_assert_int_eq(xt_watch(w, "/e", "tok"), 0);
    xt_drain_events(w);
    ck_assert_int_eq(xt_txn_start(a, &id), 0);
    ck_assert_int_eq(xt_write(a, id, "/e/new", "1"), 0);
    ck_assert_int_eq(xt_rm(a, id, "/e/old"), 0);
    ck_assert_int_eq(xt_read(a, id, "/e", buf), 0);
    ck_assert(!xt_event(w, p, tok));
    ck_assert_int_eq(xt_txn_end(a, id, true), 0);
    ck_assert(xt_event(w, p, tok));
    ck_assert_str_eq(p, "/e/new");
    ck_assert(xt_event(w, p, tok));
    ck_assert_str_eq(p, "/e/old");
    ck_assert(!xt_event(w, p, tok));
    xt_fini(&t);
}
END_TEST

START_TEST(permissions_inside_transactions)
{
    struct xt t;
    struct xsd_conn *d1, *d2;
    uint32_t id;

    xt_init(&t, NULL);
    ck_assert_int_eq(xsd_tool_mkdir(t.d, "/local/domain/1"), 0);
    ck_assert_int_eq(xsd_tool_set_perms(t.d, "/local/domain/1", "n1\0", 3), 0);
    d1 = xsd_conn_new(t.d, 1);
    d2 = xsd_conn_new(t.d, 2);
    ck_assert_int_eq(xt_txn_start(d2, &id), 0);
    ck_assert_int_eq(xt_read(d2, id, "/local/domain/1", buf), -XSD_EACCES);
    ck_assert_int_eq(xt_write(d2, id, "/local/domain/1/x", "1"), -XSD_EACCES);
    ck_assert_int_eq(xt_set_perms(d2, id, "/local/domain/1", "n2"), -XSD_EACCES);
    ck_assert_int_eq(xt_txn_end(d2, id, true), 0);
    ck_assert_int_eq(xt_txn_start(d1, &id), 0);
    ck_assert_int_eq(xt_write(d1, id, "x/y", "1"), 0); /* relative in a transaction */
    ck_assert_int_eq(xt_set_perms(d1, id, "x", "n2"), -XSD_EPERM);
    ck_assert_int_eq(xt_txn_end(d1, id, true), 0);
    ck_assert_int_eq(xt_get_perms(d1, 0, "x/y", buf), 0);
    ck_assert_str_eq(buf, "n1");
    ck_assert_uint_eq(xsd_domain_nr_nodes(t.d, 1), 3);
    xt_fini(&t);
}
END_TEST

START_TEST(limits_inside_transactions)
{
    struct xsd_limits l = XSD_LIMITS_DEFAULT;
    struct xt t;
    struct xsd_conn *d1;
    uint32_t ids[3], id;
    char path[32];

    l.transactions_per_conn = 2;
    l.txn_nodes_max = 8;
    l.nodes_per_domain = 8;
    xt_init(&t, &l);
    ck_assert_int_eq(xsd_tool_mkdir(t.d, "/local/domain/1"), 0);
    ck_assert_int_eq(xsd_tool_set_perms(t.d, "/local/domain/1", "n1\0", 3), 0);
    d1 = xsd_conn_new(t.d, 1);
    ck_assert_int_eq(xt_mkdir(d1, 0, "a"), 0);
    ck_assert_int_eq(xt_mkdir(d1, 0, "b"), 0);
    ck_assert_uint_eq(xsd_domain_nr_nodes(t.d, 1), 3);
    ck_assert_int_eq(xt_txn_start(d1, &ids[0]), 0);
    ck_assert_int_eq(xt_txn_start(d1, &ids[1]), 0);
    ck_assert_int_ne(ids[0], ids[1]);
    ck_assert_int_eq(xt_txn_start(d1, &ids[2]), -XSD_ENOSPC);
    ck_assert_uint_eq(xsd_nr_transactions(t.d), 2);
    /* both create 4 nodes in different places: each fits alone, not both */
    for (int k = 0; k < 2; k++)
        for (int i = 0; i < 4; i++) {
            snprintf(path, sizeof(path), "%c/%d", 'a' + k, i);
            ck_assert_int_eq(xt_write(d1, ids[k], path, "v"), 0);
        }
    ck_assert_int_eq(xt_write(d1, ids[0], "a/4", "v"), 0);
    ck_assert_int_eq(xt_write(d1, ids[0], "a/5", "v"), -XSD_ENOSPC); /* 3 + 5 + 1 */
    ck_assert_int_eq(xt_txn_end(d1, ids[0], true), 0);
    ck_assert_uint_eq(xsd_domain_nr_nodes(t.d, 1), 8);
    ck_assert_int_eq(xt_txn_end(d1, ids[1], true), -XSD_ENOSPC);
    ck_assert_uint_eq(xsd_domain_nr_nodes(t.d, 1), 8);
    ck_assert_int_eq(xt_read(d1, 0, "b/0", buf), -XSD_ENOENT);
    ck_assert_uint_eq(xsd_nr_transactions(t.d), 0);
    /* paths touched per transaction */
    ck_assert_int_eq(xt_txn_start(d1, &id), 0);
    for (int i = 0; i < 8; i++) {
        snprintf(path, sizeof(path), "r%d", i);
        ck_assert_int_eq(xt_read(d1, id, path, buf), -XSD_ENOENT);
    }
    ck_assert_int_eq(xt_read(d1, id, "r0", buf), -XSD_ENOENT); /* already counted */
    ck_assert_int_eq(xt_read(d1, id, "r8", buf), -XSD_ENOSPC);
    ck_assert_int_eq(xt_txn_end(d1, id, false), 0);
    xt_fini(&t);
}
END_TEST

START_TEST(close_discards_transactions)
{
    struct xt t;
    struct xsd_conn *a;
    uint32_t id;
    size_t live;

    xt_init(&t, NULL);
    live = t.mem.live;
    for (int i = 0; i < 3; i++) {
        a = xsd_conn_new(t.d, 0);
        ck_assert_int_eq(xt_txn_start(a, &id), 0);
        ck_assert_int_eq(xt_write(a, id, "/t/x", "1"), 0);
        ck_assert_int_eq(xt_txn_start(a, &id), 0);
        ck_assert_int_eq(xt_rm(a, id, "/tool"), 0);
        ck_assert_uint_eq(xsd_nr_transactions(t.d), 2);
        xt_conn_free(a);
        ck_assert_uint_eq(xsd_nr_transactions(t.d), 0);
        ck_assert_uint_eq(xsd_nr_nodes(t.d), 4);
        ck_assert_uint_eq(t.mem.live, live);
    }
    ck_assert_int_eq(xsd_tool_read(t.d, "/tool", buf, &(size_t){ 8 }), 0);
    xt_fini(&t);
}
END_TEST

START_TEST(many_transactions_interleaved)
{
    struct xt t;
    struct xsd_conn *c[4];
    uint32_t id[4];
    int committed = 0, again = 0;

    xt_init(&t, NULL);
    for (int i = 0; i < 4; i++)
        c[i] = xsd_conn_new(t.d, 0);
    ck_assert_int_eq(xt_write(c[0], 0, "/n", "0"), 0);
    for (int round = 0; round < 50; round++) {
        for (int i = 0; i < 4; i++) {
            ck_assert_int_eq(xt_txn_start(c[i], &id[i]), 0);
            increment(c[i], id[i], "/n");
        }
        for (int i = 0; i < 4; i++) {
            int e = xt_txn_end(c[i], id[i], true);

            ck_assert(e == 0 || e == -XSD_EAGAIN);
            committed += e == 0;
            again += e != 0;
        }
    }
    /* exactly one per round wins; the counter counts the winners */
    ck_assert_int_eq(committed, 50);
    ck_assert_int_eq(again, 150);
    ck_assert_int_eq(xt_read(c[0], 0, "/n", buf), 0);
    ck_assert_str_eq(buf, "50");
    xt_fini(&t);
}
END_TEST

START_TEST(large_transaction)
{
    struct xt t;
    struct xsd_conn *a, *w;
    uint32_t id;
    char path[32];

    xt_init(&t, NULL);
    a = xsd_conn_new(t.d, 0);
    w = xsd_conn_new(t.d, 0);
    ck_assert_int_eq(xt_watch(w, "/big", "w"), 0);
    xt_drain_events(w);
    ck_assert_int_eq(xt_txn_start(a, &id), 0);
    for (int i = 0; i < 100; i++) {
        snprintf(path, sizeof(path), "/big/%d/v", i);
        ck_assert_int_eq(xt_write(a, id, path, path), 0);
    }
    for (int i = 0; i < 100; i += 2) {
        snprintf(path, sizeof(path), "/big/%d", i);
        ck_assert_int_eq(xt_rm(a, id, path), 0);
    }
    ck_assert_int_eq(xt_txn_end(a, id, true), 0);
    ck_assert_uint_eq(xsd_nr_nodes(t.d), 4 + 1 + 50 * 2);
    for (int i = 0; i < 100; i++) {
        snprintf(path, sizeof(path), "/big/%d/v", i);
        ck_assert_int_eq(xt_read(a, 0, path, buf), i % 2 ? 0 : -XSD_ENOENT);
        if (i % 2)
            ck_assert_str_eq(buf, path);
    }
    /* one event per node that came to be; nodes created and removed inside
     * the transaction were never there for anyone to see */
    ck_assert_uint_eq(xt_drain_events(w), 50);
    xt_fini(&t);
}
END_TEST

Suite *xsd_txn_suite(void);
Suite *xsd_txn_suite(void)
{
    Suite *s = suite_create("xsd_txn");
    TCase *tc = tcase_create("txn");

    tcase_add_test(tc, isolation_and_commit);
    tcase_add_test(tc, abort_discards);
    tcase_add_test(tc, read_modify_write_race);
    tcase_add_test(tc, conflicts_on_absence_and_directories);
    tcase_add_test(tc, untouched_paths_do_not_conflict);
    tcase_add_test(tc, events_only_at_commit);
    tcase_add_test(tc, permissions_inside_transactions);
    tcase_add_test(tc, limits_inside_transactions);
    tcase_add_test(tc, close_discards_transactions);
    tcase_add_test(tc, many_transactions_interleaved);
    tcase_add_test(tc, large_transaction);
    suite_add_tcase(s, tc);
    return s;
}
