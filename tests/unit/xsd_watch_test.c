/*
 * xenstored: watches. The first event at registration; events for writes,
 * mkdir, rm and set-perms of the node or below it (rm of an ancestor
 * reported at the watch's own path); relative watches report relative
 * paths; nothing for nodes the watcher may not read; unwatch, duplicates,
 * the quota; the special @introduceDomain/@releaseDomain watches for
 * domain 0 only; oversized events dropped; RESET_WATCHES.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xsd_helpers.h"

static char p[XENSTORE_PAYLOAD_MAX + 1], tok[XENSTORE_PAYLOAD_MAX + 1];

#define expect_event(c, path, token)                     \
    do {                                                 \
        ck_assert_msg(xt_event(c, p, tok), "no event");  \
        ck_assert_str_eq(p, path);                       \
        ck_assert_str_eq(tok, token);                    \
    } while (0)

#define expect_none(c) ck_assert_msg(!xt_event(c, p, tok), "unexpected event %s", p)

static void make_home(struct xt *t, uint16_t id)
{
    char path[32], perms[16];
    int n = snprintf(perms, sizeof(perms), "n%u", id);

    snprintf(path, sizeof(path), "/local/domain/%u", id);
    ck_assert_int_eq(xsd_tool_mkdir(t->d, path), 0);
    ck_assert_int_eq(xsd_tool_set_perms(t->d, path, perms, (size_t)n + 1), 0);
}

START_TEST(fires_at_once_then_on_changes)
{
    struct xt t;
    struct xsd_conn *w, *c;

    xt_init(&t, NULL);
    w = xsd_conn_new(t.d, 0);
    c = xsd_conn_new(t.d, 0);
    ck_assert_int_eq(xt_watch(w, "/a/b", "T1"), 0);
    expect_event(w, "/a/b", "T1"); /* even though /a/b does not exist */
    expect_none(w);
    ck_assert_int_eq(xt_write(c, 0, "/a/b", "1"), 0);
    expect_event(w, "/a/b", "T1");
    ck_assert_int_eq(xt_write(c, 0, "/a/b/c/d", "1"), 0);
    expect_event(w, "/a/b/c/d", "T1");
    ck_assert_int_eq(xt_write(c, 0, "/a/bb", "1"), 0); /* a sibling, not a child */
    ck_assert_int_eq(xt_write(c, 0, "/a", "1"), 0);    /* an ancestor */
    expect_none(w);
    ck_assert_int_eq(xt_mkdir(c, 0, "/a/b/c"), 0); /* exists: no change */
    expect_none(w);
    ck_assert_int_eq(xt_mkdir(c, 0, "/a/b/e"), 0);
    expect_event(w, "/a/b/e", "T1");
    ck_assert_int_eq(xt_set_perms(c, 0, "/a/b", "n0,r1"), 0);
    expect_event(w, "/a/b", "T1");
    ck_assert_int_eq(xt_rm(c, 0, "/a/b/c"), 0);
    expect_event(w, "/a/b/c", "T1");
    ck_assert_int_eq(xt_rm(c, 0, "/a/b/gone"), 0); /* absent: no change */
    expect_none(w);
    /* rm of an ancestor: reported at the watch's path */
    ck_assert_int_eq(xt_rm(c, 0, "/a"), 0);
    expect_event(w, "/a/b", "T1");
    expect_none(w);
    /* the tool API fires too; the writer itself hears its own change */
    ck_assert_int_eq(xsd_tool_write(t.d, "/a/b", "x", 1), 0);
    expect_event(w, "/a/b", "T1");
    ck_assert_int_eq(xt_watch(c, "/", "root"), 0);
    expect_event(c, "/", "root");
    ck_assert_int_eq(xt_write(c, 0, "/z", "1"), 0);
    expect_event(c, "/z", "root");
    expect_none(w);
    xt_fini(&t);
}
END_TEST

START_TEST(several_watches_and_tokens)
{
    struct xt t;
    struct xsd_conn *w;

    xt_init(&t, NULL);
    w = xsd_conn_new(t.d, 0);
    ck_assert_int_eq(xt_watch(w, "/x", "one"), 0);
    ck_assert_int_eq(xt_watch(w, "/x", "two"), 0);
    ck_assert_int_eq(xt_watch(w, "/x/y", "three"), 0);
    ck_assert_int_eq(xt_watch(w, "/x", "one"), -XSD_EEXIST);
    ck_assert_uint_eq(xsd_nr_watches(t.d), 3);
    xt_drain_events(w);
    ck_assert_int_eq(xsd_tool_write(t.d, "/x/y", "", 0), 0);
    expect_event(w, "/x/y", "one");
    expect_event(w, "/x/y", "two");
    expect_event(w, "/x/y", "three");
    expect_none(w);
    ck_assert_int_eq(xt_unwatch(w, "/x", "two"), 0);
    ck_assert_int_eq(xt_unwatch(w, "/x", "two"), -XSD_ENOENT);
    ck_assert_int_eq(xt_unwatch(w, "/x", "nope"), -XSD_ENOENT);
    ck_assert_int_eq(xt_unwatch(w, "/x/y/z", "three"), -XSD_ENOENT);
    ck_assert_int_eq(xsd_tool_write(t.d, "/x/y", "1", 1), 0);
    expect_event(w, "/x/y", "one");
    expect_event(w, "/x/y", "three");
    expect_none(w);
    ck_assert_uint_eq(xsd_nr_watches(t.d), 2);
    xt_fini(&t);
}
END_TEST

START_TEST(relative_watch_reports_relative_paths)
{
    struct xt t;
    struct xsd_conn *d4;

    xt_init(&t, NULL);
    make_home(&t, 4);
    d4 = xsd_conn_new(t.d, 4);
    ck_assert_int_eq(xt_watch(d4, "control/shutdown", "sd"), 0);
    expect_event(d4, "control/shutdown", "sd");
    ck_assert_int_eq(xt_watch(d4, "/local/domain/4/control", "abs"), 0);
    expect_event(d4, "/local/domain/4/control", "abs");
    ck_assert_int_eq(xsd_tool_write(t.d, "/local/domain/4/control/shutdown", "poweroff", 8), 0);
    expect_event(d4, "control/shutdown", "sd");
    expect_event(d4, "/local/domain/4/control/shutdown", "abs");
    ck_assert_int_eq(xsd_tool_rm(t.d, "/local/domain/4/control"), 0);
    expect_event(d4, "control/shutdown", "sd");
    expect_event(d4, "/local/domain/4/control", "abs");
    /* unwatch takes the same relative form */
    ck_assert_int_eq(xt_unwatch(d4, "control/shutdown", "sd"), 0);
    xt_fini(&t);
}
END_TEST

START_TEST(no_events_for_unreadable_nodes)
{
    struct xt t;
    struct xsd_conn *d1, *d2;

    xt_init(&t, NULL);
    make_home(&t, 1);
    make_home(&t, 2);
    d1 = xsd_conn_new(t.d, 1);
    d2 = xsd_conn_new(t.d, 2);
    ck_assert_int_eq(xt_watch(d2, "/local/domain/1", "spy"), 0);
    ck_assert_int_eq(xt_watch(d2, "/", "all"), 0);
    xt_drain_events(d2);
    ck_assert_int_eq(xt_write(d1, 0, "/local/domain/1/secret", "s"), 0);
    ck_assert_int_eq(xt_rm(d1, 0, "/local/domain/1/secret"), 0);
    ck_assert_int_eq(xsd_tool_write(t.d, "/tool/x", "1", 1), 0);
    expect_none(d2);
    /* readable once granted: writes, perms changes and removal are seen */
    ck_assert_int_eq(xt_write(d1, 0, "/local/domain/1/pub", "p"), 0);
    expect_none(d2);
    ck_assert_int_eq(xt_set_perms(d1, 0, "/local/domain/1/pub", "n1,r2"), 0);
    expect_event(d2, "/local/domain/1/pub", "spy");
    expect_event(d2, "/local/domain/1/pub", "all");
    ck_assert_int_eq(xt_write(d1, 0, "/local/domain/1/pub", "q"), 0);
    expect_event(d2, "/local/domain/1/pub", "spy");
    expect_event(d2, "/local/domain/1/pub", "all");
    ck_assert_int_eq(xt_rm(d1, 0, "/local/domain/1/pub"), 0);
    expect_event(d2, "/local/domain/1/pub", "spy");
    expect_event(d2, "/local/domain/1/pub", "all");
    /* watch below a removed ancestor: its deepest readable node counts */
    ck_assert_int_eq(xt_write(d1, 0, "/local/domain/1/dir/leaf", "l"), 0);
    ck_assert_int_eq(xt_set_perms(d1, 0, "/local/domain/1/dir/leaf", "n1,r2"), 0);
    ck_assert_int_eq(xt_watch(d2, "/local/domain/1/dir/leaf", "leaf"), 0);
    ck_assert_int_eq(xt_watch(d2, "/local/domain/1/dir/other", "other"), 0);
    xt_drain_events(d2);
    ck_assert_int_eq(xt_rm(d1, 0, "/local/domain/1/dir"), 0);
    expect_event(d2, "/local/domain/1/dir/leaf", "leaf");
    expect_none(d2);
    xt_fini(&t);
}
END_TEST

START_TEST(watch_quota_and_reset)
{
    struct xsd_limits l = XSD_LIMITS_DEFAULT;
    struct xt t;
    struct xsd_conn *c;
    char tk[16];
    uint32_t id;

    l.watches_per_conn = 4;
    xt_init(&t, &l);
    c = xsd_conn_new(t.d, 7);
    for (int i = 0; i < 4; i++) {
        snprintf(tk, sizeof(tk), "t%d", i);
        ck_assert_int_eq(xt_watch(c, "/w", tk), 0);
    }
    ck_assert_int_eq(xt_watch(c, "/w", "t4"), -XSD_E2BIG);
    ck_assert_uint_eq(xsd_nr_watches(t.d), 4);
    ck_assert_int_eq(xt_unwatch(c, "/w", "t0"), 0);
    ck_assert_int_eq(xt_watch(c, "/w", "t4"), 0);
    ck_assert_int_eq(xt_txn_start(c, &id), 0);
    ck_assert_int_eq(xt_req(c, XS_RESET_WATCHES, 0, "", NULL, NULL), 0);
    ck_assert_uint_eq(xsd_nr_watches(t.d), 0);
    ck_assert_uint_eq(xsd_nr_transactions(t.d), 0);
    xt_drain_events(c);
    ck_assert_int_eq(xsd_tool_write(t.d, "/w", "1", 1), 0);
    expect_none(c);
    xt_fini(&t);
}
END_TEST

START_TEST(special_watches_for_dom0_only)
{
    struct xt t;
    struct xsd_conn *d0, *d3;
    struct xt_msg r;

    xt_init(&t, NULL);
    d0 = xsd_conn_new(t.d, 0);
    d3 = xsd_conn_new(t.d, 3);
    ck_assert_int_eq(xt_watch(d0, "@introduceDomain", "in"), 0);
    ck_assert_int_eq(xt_watch(d0, "@releaseDomain", "out"), 0);
    ck_assert_int_eq(xt_watch(d3, "@releaseDomain", "d3"), 0);
    expect_event(d0, "@introduceDomain", "in");
    expect_event(d0, "@releaseDomain", "out");
    expect_event(d3, "@releaseDomain", "d3"); /* the first event only */
    xsd_domain_introduced(t.d, 5);
    expect_event(d0, "@introduceDomain", "in");
    expect_none(d0);
    xsd_domain_released(t.d, 5);
    expect_event(d0, "@releaseDomain", "out");
    expect_none(d0);
    expect_none(d3);
    /* over the wire from dom0 */
    ck_assert_int_eq(xt_req(d0, XS_INTRODUCE, 0, "6", NULL, &r), -XSD_EINVAL); /* 3 args */
    {
        uint8_t msg[64];
        static const char args[] = "6\0" "99\0" "3\0";
        struct xsd_sockmsg h = { XS_INTRODUCE, 1, 0, sizeof(args) - 1 };

        memcpy(msg, &h, sizeof(h));
        memcpy(msg + sizeof(h), args, sizeof(args) - 1);
        xt_input(d0, msg, sizeof(h) + sizeof(args) - 1);
        ck_assert(xt_pop_reply(d0, &r));
        ck_assert_uint_eq(r.h.type, XS_INTRODUCE);
    }
    expect_event(d0, "@introduceDomain", "in");
    ck_assert_int_eq(xt_req(d0, XS_RELEASE, 0, "6", NULL, &r), 0);
    expect_event(d0, "@releaseDomain", "out");
    /* a normal change never matches a special watch */
    ck_assert_int_eq(xsd_tool_write(t.d, "/x", "1", 1), 0);
    expect_none(d0);
    ck_assert_int_eq(xt_unwatch(d0, "@releaseDomain", "out"), 0);
    xsd_domain_released(t.d, 6);
    expect_none(d0);
    xt_fini(&t);
}
END_TEST

START_TEST(oversized_events_dropped)
{
    struct xt t;
    struct xsd_conn *w;
    static char token[3001], path[1200];

    xt_init(&t, NULL);
    w = xsd_conn_new(t.d, 0);
    memset(token, 'k', sizeof(token) - 1);
    ck_assert_int_eq(xt_watch(w, "/", token), 0);
    expect_event(w, "/", token);
    memset(path, 'p', sizeof(path) - 1);
    path[0] = '/';
    ck_assert_int_eq(xsd_tool_write(t.d, path, "", 0), 0); /* 1199 + 3000 + 2 > 4096 */
    expect_none(w);
    ck_assert_uint_eq(xsd_conn_events_dropped(w), 1);
    path[900] = '\0';
    ck_assert_int_eq(xsd_tool_write(t.d, path, "", 0), 0);
    expect_event(w, path, token);
    xt_fini(&t);
}
END_TEST

START_TEST(event_flood_bounded_per_connection)
{
    struct xsd_limits l = XSD_LIMITS_DEFAULT;
    struct xt t;
    struct xsd_conn *slow, *fast;
    char path[32];

    l.output_max_bytes = 2048;
    xt_init(&t, &l);
    slow = xsd_conn_new(t.d, 0);
    fast = xsd_conn_new(t.d, 0);
    ck_assert_int_eq(xt_watch(slow, "/f", "s"), 0);
    ck_assert_int_eq(xt_watch(fast, "/f", "f"), 0);
    xt_drain_events(fast);
    for (int i = 0; i < 1000; i++) {
        snprintf(path, sizeof(path), "/f/%d", i % 10);
        ck_assert_int_eq(xsd_tool_write(t.d, path, "v", 1), 0);
        ck_assert_uint_le(xsd_conn_pending(slow), l.output_max_bytes);
        ck_assert_uint_eq(xt_drain_events(fast), 1);
    }
    ck_assert_uint_gt(xsd_conn_events_dropped(slow), 900);
    ck_assert_uint_eq(xsd_conn_events_dropped(fast), 0);
    /* the slow reader still gets replies */
    ck_assert_int_eq(xt_read(slow, 0, "/f/1", p), 0);
    xt_fini(&t);
}
END_TEST

Suite *xsd_watch_suite(void);
Suite *xsd_watch_suite(void)
{
    Suite *s = suite_create("xsd_watch");
    TCase *tc = tcase_create("watch");

    tcase_add_test(tc, fires_at_once_then_on_changes);
    tcase_add_test(tc, several_watches_and_tokens);
    tcase_add_test(tc, relative_watch_reports_relative_paths);
    tcase_add_test(tc, no_events_for_unreadable_nodes);
    tcase_add_test(tc, watch_quota_and_reset);
    tcase_add_test(tc, special_watches_for_dom0_only);
    tcase_add_test(tc, oversized_events_dropped);
    tcase_add_test(tc, event_flood_bounded_per_connection);
    suite_add_tcase(s, tc);
    return s;
}
