/*
 * xenstored under hostile peers and scarce memory: connection churn
 * without leaks, close releasing everything, every allocation failing in
 * turn (the store is then unchanged or fully changed, never half, and
 * nothing leaks), a peer flooding requests without reading replies (memory
 * stays bounded, others unaffected), random and malformed streams on
 * several connections at once, and paths as deep as the length limit
 * allows.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xsd_helpers.h"

#define HDR sizeof(struct xsd_sockmsg)

static char buf[XENSTORE_PAYLOAD_MAX + 1];

/* Appends "path=value perms\n" for path and everything below, via dom0. */
static size_t dump(struct xsd_conn *c0, const char *path, char *out, size_t at, size_t *nodes)
{
    char names[XENSTORE_PAYLOAD_MAX + 1], perms[XENSTORE_PAYLOAD_MAX + 1], child[4200];
    struct xt_msg r;

    ck_assert_int_eq(xt_req(c0, XS_READ, 0, path, NULL, &r), 0);
    ck_assert_int_eq(xt_get_perms(c0, 0, path, perms), 0);
    at += (size_t)sprintf(out + at, "%s=%.*s %s\n", path, (int)r.h.len, r.p, perms);
    ck_assert_uint_lt(at, 1 << 20);
    (*nodes)++;
    ck_assert_int_eq(xt_req(c0, XS_DIRECTORY, 0, path, NULL, &r), 0);
    memcpy(names, r.p, r.h.len);
    for (size_t pos = 0; pos < r.h.len; pos += strlen(names + pos) + 1) {
        snprintf(child, sizeof(child), "%s/%s", strcmp(path, "/") ? path : "", names + pos);
        at = dump(c0, child, out, at, nodes);
    }
    return at;
}

static char dump_a[1 << 20], dump_b[1 << 20];

/* The whole store as text; checks xsd_nr_nodes against what it saw. */
static void snapshot(struct xt *t, char *out)
{
    struct xsd_conn *c0 = xsd_conn_new(t->d, 0);
    size_t nodes = 0;

    ck_assert_ptr_nonnull(c0);
    dump(c0, "/", out, 0, &nodes);
    ck_assert_uint_eq(nodes, xsd_nr_nodes(t->d));
    xt_conn_free(c0);
}

static void home(struct xt *t, uint16_t id)
{
    char path[32], perms[16];
    int n = snprintf(perms, sizeof(perms), "n%u", id);

    snprintf(path, sizeof(path), "/local/domain/%u", id);
    ck_assert_int_eq(xsd_tool_mkdir(t->d, path), 0);
    ck_assert_int_eq(xsd_tool_set_perms(t->d, path, perms, (size_t)n + 1), 0);
}

START_TEST(connect_disconnect_cycles_leak_free)
{
    struct xt t;
    size_t live, nodes;

    xt_init(&t, NULL);
    nodes = xsd_nr_nodes(t.d);
    live = t.mem.live;
    for (int i = 0; i < 1000; i++) {
        uint16_t id = (uint16_t)(1 + i % 7);
        struct xsd_conn *c;
        uint32_t tx;

        home(&t, id);
        xsd_domain_introduced(t.d, id);
        c = xsd_conn_new(t.d, id);
        ck_assert_ptr_nonnull(c);
        ck_assert_int_eq(xt_write(c, 0, "device/vbd/51712/state", "1"), 0);
        ck_assert_int_eq(xt_watch(c, "control/shutdown", "sd"), 0);
        ck_assert_int_eq(xt_watch(c, "device", "dev"), 0);
        ck_assert_int_eq(xt_txn_start(c, &tx), 0);
        ck_assert_int_eq(xt_write(c, tx, "data/x", "y"), 0);
        ck_assert_int_eq(xt_txn_start(c, &tx), 0);
        ck_assert_int_eq(xt_read(c, tx, "device/vbd/51712/state", buf), 0);
        /* leave output unread, then go away as a domain does */
        ck_assert_int_eq(xsd_tool_write(t.d, "/local/domain/0/backend/x", "1", 1), 0);
        xt_conn_free(c);
        ck_assert_uint_eq(xsd_nr_watches(t.d), 0);
        ck_assert_uint_eq(xsd_nr_transactions(t.d), 0);
        xsd_domain_released(t.d, id);
        ck_assert_uint_eq(xsd_domain_nr_nodes(t.d, id), 0);
        ck_assert_int_eq(xsd_tool_rm(t.d, "/local/domain/0"), 0);
        ck_assert_uint_eq(xsd_nr_nodes(t.d), nodes);
        ck_assert_uint_eq(xsd_nr_conns(t.d), 0);
        ck_assert_uint_eq(t.mem.live, live);
    }
    xt_fini(&t);
}
END_TEST

START_TEST(conn_free_releases_everything)
{
    struct xt t;
    struct xsd_conn *c, *other;
    size_t live;
    uint8_t half[HDR + 2];
    uint32_t tx;
    struct xsd_sockmsg h = { XS_READ, 1, 0, 100 };

    xt_init(&t, NULL);
    other = xsd_conn_new(t.d, 0);
    ck_assert_int_eq(xt_watch(other, "/", "o"), 0);
    xt_drain_events(other);
    live = t.mem.live;
    c = xsd_conn_new(t.d, 0);
    for (int i = 0; i < 10; i++) {
        char tk[16];

        snprintf(tk, sizeof(tk), "%d", i);
        ck_assert_int_eq(xt_watch(c, "/tool", tk), 0);
        ck_assert_int_eq(xt_txn_start(c, &tx), 0);
        ck_assert_int_eq(xt_write(c, tx, "/tool/a/b", tk), 0);
    }
    ck_assert_uint_eq(xsd_nr_watches(t.d), 11);
    ck_assert_uint_eq(xsd_nr_transactions(t.d), 10);
    ck_assert_int_eq(xsd_tool_write(t.d, "/tool/ev", "", 0), 0); /* queue events */
    memcpy(half, &h, HDR);
    ck_assert_int_eq(xsd_conn_input(c, half, sizeof(half)), (int)sizeof(half));
    ck_assert_int_eq(xsd_tool_rm(t.d, "/tool/ev"), 0);
    xt_drain_events(other);
    xt_conn_free(c);
    ck_assert_uint_eq(xsd_nr_watches(t.d), 1);
    ck_assert_uint_eq(xsd_nr_transactions(t.d), 0);
    ck_assert_uint_eq(xsd_nr_nodes(t.d), 4);
    ck_assert_uint_eq(t.mem.live, live);
    xt_fini(&t);
}
END_TEST

/* One request whose every allocation is made to fail in turn. */
struct nomem_case {
    const char *name;
    void (*setup)(struct xt *t, struct xsd_conn *c, uint32_t *tx);
    uint32_t type;
    const char *payload;
    uint32_t len;
};

static void setup_plain(struct xt *t, struct xsd_conn *c, uint32_t *tx)
{
    ck_assert_int_eq(xsd_tool_write(t->d, "/x/y/z", "old", 3), 0);
    ck_assert_int_eq(xsd_tool_set_perms(t->d, "/x/y", "n0\0r3\0", 6), 0);
    ck_assert_int_eq(xt_watch(c, "/x", "w"), 0);
    xt_drain_events(c);
    *tx = 0;
}

static void setup_txn(struct xt *t, struct xsd_conn *c, uint32_t *tx)
{
    setup_plain(t, c, tx);
    ck_assert_int_eq(xt_txn_start(c, tx), 0);
    ck_assert_int_eq(xt_write(c, *tx, "/x/new/deep", "v"), 0);
    ck_assert_int_eq(xt_rm(c, *tx, "/x/y"), 0);
    ck_assert_int_eq(xt_write(c, *tx, "/x", "top"), 0);
    ck_assert_int_eq(xt_read(c, *tx, "/tool", buf), 0);
}

static const struct nomem_case nomem_cases[] = {
    { "write-new", setup_plain, XS_WRITE, "/x/a/b/c\0val", 12 },
    { "write-old", setup_plain, XS_WRITE, "/x/y/z\0new", 10 },
    { "mkdir", setup_plain, XS_MKDIR, "/x/m/n", 7 },
    { "rm", setup_plain, XS_RM, "/x/y", 5 },
    { "set-perms", setup_plain, XS_SET_PERMS, "/x/y/z\0n5\0b0\0", 13 },
    { "directory", setup_plain, XS_DIRECTORY, "/x", 3 },
    { "get-perms", setup_plain, XS_GET_PERMS, "/x/y", 5 },
    { "watch", setup_plain, XS_WATCH, "/x/y\0tok\0", 9 },
    { "txn-start", setup_plain, XS_TRANSACTION_START, "", 1 },
    { "txn-commit", setup_txn, XS_TRANSACTION_END, "T", 2 },
    { "release", setup_plain, XS_RELEASE, "3", 2 },
};

static char dump_ok[1 << 20];

/* Sets up a case and sends its request, allocation k failing (k < 0: none). */
static int run_case(struct xt *t, const struct nomem_case *nc, long k, char *before, bool *hit)
{
    struct xsd_conn *c = xsd_conn_new(t->d, 0);
    uint8_t msg[HDR + 64];
    struct xsd_sockmsg h = { nc->type, 42, 0, nc->len };
    struct xt_msg r;
    int err;

    nc->setup(t, c, &h.tx_id);
    snapshot(t, before);
    memcpy(msg, &h, HDR);
    memcpy(msg + HDR, nc->payload, nc->len);
    t->mem.failed = 0;
    t->mem.fail_after = k < 0 ? -1 : (long)t->mem.count + k;
    ck_assert_int_eq(xsd_conn_input(c, msg, HDR + nc->len), (int)(HDR + nc->len));
    t->mem.fail_after = -1;
    *hit = t->mem.failed != 0;
    ck_assert(xt_pop_reply(c, &r));
    ck_assert_uint_eq(r.h.req_id, 42);
    err = r.h.type == XS_ERROR ? xs_msg_error(r.p, r.h.len) : 0;
    ck_assert_msg(err == 0 || err == -XSD_ENOMEM, "%s k=%ld: %s", nc->name, k, r.p);
    if (err == 0)
        ck_assert_uint_eq(r.h.type, nc->type);
    xt_drain_events(c);
    /* still fully working */
    ck_assert_int_eq(xt_write(c, 0, "/after", "1"), 0);
    ck_assert_int_eq(xt_rm(c, 0, "/after"), 0);
    return err;
}

START_TEST(every_allocation_may_fail)
{
    const struct nomem_case *nc = &nomem_cases[_i];
    struct xt t;
    bool hit = true;

    xt_init(&t, NULL);
    ck_assert_int_eq(run_case(&t, nc, -1, dump_a, &hit), 0);
    snapshot(&t, dump_ok);
    xt_fini(&t);
    ck_assert(!hit);
    hit = true;
    for (long k = 0; hit; k++) {
        int err;

        ck_assert_int_lt(k, 1000);
        xt_init(&t, NULL);
        err = run_case(&t, nc, k, dump_a, &hit);
        snapshot(&t, dump_b);
        /* all or nothing: the state before or the state of success (an
         * ENOMEM reply may follow a complete change when only the reply
         * could not be allocated; RELEASE is best effort, see README) */
        ck_assert_msg(strcmp(dump_b, dump_a) == 0 || strcmp(dump_b, dump_ok) == 0,
                      "%s k=%ld: half-done state", nc->name, k);
        if (!err && nc->type != XS_RELEASE)
            ck_assert_str_eq(dump_b, dump_ok);
        if (!hit)
            ck_assert_int_eq(err, 0);
        xt_fini(&t); /* nothing leaked */
        if (getenv("XSD_TEST_VERBOSE") && !hit)
            fprintf(stderr, "%s: %ld allocations failed in turn\n", nc->name, k);
    }
}
END_TEST

START_TEST(no_memory_for_replies)
{
    struct xt t;
    struct xsd_conn *c, *other;
    uint8_t msg[HDR + 8];
    struct xsd_sockmsg h = { XS_READ, 1, 0, 6 };
    struct xt_msg r;

    xt_init(&t, NULL);
    c = xsd_conn_new(t.d, 0);
    other = xsd_conn_new(t.d, 0);
    memcpy(msg, &h, HDR);
    memcpy(msg + HDR, "/tool", 6);
    t.mem.fail_after = (long)t.mem.count;
    /* the preallocated ENOMEM reply answers the first request */
    ck_assert_int_eq(xsd_conn_input(c, msg, HDR + 6), (int)(HDR + 6));
    ck_assert(!xsd_conn_bad(c));
    /* a second one while that is unread cannot be answered: bad */
    ck_assert_int_eq(xsd_conn_input(c, msg, HDR + 6), (int)(HDR + 6));
    ck_assert(xsd_conn_bad(c));
    t.mem.fail_after = -1;
    ck_assert(xt_pop(c, &r));
    ck_assert_uint_eq(r.h.type, XS_ERROR);
    ck_assert_int_eq(xs_msg_error(r.p, r.h.len), -XSD_ENOMEM);
    ck_assert(!xt_pop(c, &r));
    /* with memory back, a connection that read its ENOMEM goes on */
    t.mem.fail_after = (long)t.mem.count;
    ck_assert_int_eq(xsd_conn_input(other, msg, HDR + 6), (int)(HDR + 6));
    t.mem.fail_after = -1;
    ck_assert(xt_pop(other, &r));
    ck_assert_int_eq(xs_msg_error(r.p, r.h.len), -XSD_ENOMEM);
    ck_assert_int_eq(xt_read(other, 0, "/tool", buf), 0);
    /* no store at all without memory */
    t.mem.fail_after = (long)t.mem.count;
    ck_assert_ptr_null(xsd_new(&t.a, NULL));
    ck_assert_ptr_null(xsd_conn_new(t.d, 0));
    t.mem.fail_after = -1;
    for (long k = 1; k < 40; k++) { /* fails part way: nothing left behind */
        struct xsd *d;
        size_t live = t.mem.live;

        t.mem.fail_after = (long)t.mem.count + k;
        d = xsd_new(&t.a, NULL);
        t.mem.fail_after = -1;
        if (d)
            xsd_free(d);
        ck_assert_uint_eq(t.mem.live, live);
    }
    xt_fini(&t);
}
END_TEST

START_TEST(flood_without_reading_stays_bounded)
{
    struct xt t;
    struct xsd_conn *flood, *other;
    static uint8_t s[2000 * (HDR + 2)];
    size_t n = 0, total = 0, peak = 0, base;
    int got;

    xt_init(&t, NULL);
    home(&t, 1);
    flood = xsd_conn_new(t.d, 1);
    other = xsd_conn_new(t.d, 2);
    memset(buf, 'v', 1000);
    ck_assert_int_eq(xt_write(flood, 0, "x", buf), 0);
    base = t.mem.bytes;
    for (int i = 0; i < 2000; i++) {
        struct xsd_sockmsg h = { XS_READ, (uint32_t)i, 0, 2 };

        memcpy(s + n, &h, HDR);
        memcpy(s + n + HDR, "x", 2);
        n += HDR + 2;
    }
    /* the glue keeps offering what is in the ring; nothing is read back */
    for (int round = 0; round < 50; round++) {
        got = xsd_conn_input(flood, s + total, n - total);
        ck_assert_int_ge(got, 0);
        total += (size_t)got;
        peak = t.mem.bytes > peak ? t.mem.bytes : peak;
        ck_assert_int_eq(xt_read(other, 0, "/tool", buf), -XSD_EACCES); /* served */
    }
    ck_assert(xsd_conn_stalled(flood));
    ck_assert_uint_lt(total, n);
    ck_assert_uint_le(xsd_conn_pending(flood), 64 * 1024 + HDR + 1000);
    /* the limit plus messages' bookkeeping, not 2000 replies' worth */
    ck_assert_uint_lt(peak - base, 64 * 1024 * 2);
    xt_fini(&t);
}
END_TEST

static uint64_t rng_state;

static uint32_t rng(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return (uint32_t)rng_state;
}

/* A request that is plausible enough to reach deep into the daemon. */
static size_t random_request(uint8_t *out)
{
    static const char *const words[] = {
        "/", "/a", "/a/b", "a", "a/b/c", "/local/domain/1", "/local/domain/2/x", "data",
        "@releaseDomain", "@introduceDomain", "T", "F", "1", "2", "n1", "r2", "b0", "w1",
        "", "//", "/a/", "tok", "0", "65535", "99999", "/tool", "x y"
    };
    struct xsd_sockmsg h;
    size_t len = 0;
    unsigned nargs = rng() % 4;

    h.type = rng() % (XS_TYPE_COUNT + 2);
    if (rng() % 3)
        h.type = (uint32_t[]){ XS_READ, XS_WRITE, XS_MKDIR, XS_RM, XS_DIRECTORY, XS_WATCH,
                               XS_UNWATCH, XS_TRANSACTION_START, XS_TRANSACTION_END,
                               XS_SET_PERMS, XS_GET_PERMS }[rng() % 11];
    h.req_id = rng();
    h.tx_id = rng() % 4 ? 0 : rng() % 8;
    for (unsigned i = 0; i < nargs; i++) {
        const char *w = words[rng() % (sizeof(words) / sizeof(words[0]))];
        size_t wl = strlen(w);

        memcpy(out + HDR + len, w, wl);
        len += wl;
        if (i + 1 < nargs || rng() % 4)
            out[HDR + len++] = '\0';
    }
    if (rng() % 16 == 0) { /* raw garbage payload */
        len = rng() % 64;
        for (size_t i = 0; i < len; i++)
            out[HDR + i] = (uint8_t)rng();
    }
    h.len = (uint32_t)len;
    memcpy(out, &h, HDR);
    return HDR + len;
}

START_TEST(random_streams_on_many_connections)
{
    struct xt t;
    struct xsd_conn *c[4];
    static const uint16_t ids[4] = { 0, 1, 2, 1 };
    uint8_t msg[HDR + 256];

    rng_state = 0x9e3779b97f4a7c15ull;
    xt_init(&t, NULL);
    home(&t, 1);
    home(&t, 2);
    for (int i = 0; i < 4; i++)
        c[i] = xsd_conn_new(t.d, ids[i]);
    for (int step = 0; step < 20000; step++) {
        int k = (int)(rng() % 4);
        size_t n = random_request(msg), off = 0;

        while (off < n) { /* random split */
            size_t piece = 1 + rng() % (n - off);
            int r = xsd_conn_input(c[k], msg + off, piece);

            ck_assert_int_eq(r, (int)piece); /* default quota never stalls here */
            off += piece;
        }
        if (rng() % 2) {
            const void *p;
            size_t avail;

            while ((avail = xsd_conn_output(c[k], &p)) > 0) {
                struct xsd_sockmsg h;

                if (avail >= HDR) {
                    ck_assert_int_eq(xs_msg_parse_header(p, avail, &h), 0);
                    ck_assert_uint_eq(avail, HDR + h.len);
                }
                xsd_conn_consume(c[k], avail);
            }
        }
        if (step % 5000 == 4999)
            xsd_domain_released(t.d, 2);
    }
    for (int i = 0; i < 4; i++)
        ck_assert(!xsd_conn_bad(c[i]));
    snapshot(&t, dump_a); /* the node count matches the tree */
    for (int i = 0; i < 4; i++)
        xt_conn_free(c[i]);
    ck_assert_uint_eq(xsd_nr_watches(t.d), 0);
    ck_assert_uint_eq(xsd_nr_transactions(t.d), 0);
    xt_fini(&t);
}
END_TEST

START_TEST(deepest_paths)
{
    struct xt t;
    struct xsd_conn *c, *w;
    static char path[XENSTORE_REL_PATH_MAX + 1];
    uint32_t tx;

    xt_init(&t, NULL);
    c = xsd_conn_new(t.d, 0);
    w = xsd_conn_new(t.d, 0);
    for (size_t i = 0; i < XENSTORE_REL_PATH_MAX; i += 2) {
        path[i] = '/';
        path[i + 1] = 'd';
    }
    ck_assert_uint_eq(strlen(path), XENSTORE_REL_PATH_MAX);
    ck_assert_int_eq(xt_watch(w, "/d", "deep"), 0);
    xt_drain_events(w);
    ck_assert_int_eq(xt_write(c, 0, path, "bottom"), 0);
    ck_assert_uint_eq(xsd_nr_nodes(t.d), 4 + XENSTORE_REL_PATH_MAX / 2);
    ck_assert_uint_eq(xt_drain_events(w), 1);
    ck_assert_int_eq(xt_read(c, 0, path, buf), 0);
    ck_assert_str_eq(buf, "bottom");
    ck_assert_int_eq(xt_txn_start(c, &tx), 0);
    ck_assert_int_eq(xt_write(c, tx, path, "txn"), 0);
    ck_assert_int_eq(xt_txn_end(c, tx, true), 0);
    ck_assert_int_eq(xt_read(c, 0, path, buf), 0);
    ck_assert_str_eq(buf, "txn");
    ck_assert_int_eq(xsd_tool_set_perms(t.d, path, "n7\0", 3), 0);
    xsd_domain_released(t.d, 7); /* finds it at the bottom and removes it */
    ck_assert_int_eq(xt_read(c, 0, path, buf), -XSD_ENOENT);
    ck_assert_int_eq(xt_rm(c, 0, "/d"), 0);
    ck_assert_uint_eq(xsd_nr_nodes(t.d), 4);
    xt_fini(&t);
}
END_TEST

Suite *xsd_hostile_suite(void);
Suite *xsd_hostile_suite(void)
{
    Suite *s = suite_create("xsd_hostile");
    TCase *tc = tcase_create("hostile");

    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, connect_disconnect_cycles_leak_free);
    tcase_add_test(tc, conn_free_releases_everything);
    tcase_add_loop_test(tc, every_allocation_may_fail, 0,
                        (int)(sizeof(nomem_cases) / sizeof(nomem_cases[0])));
    tcase_add_test(tc, no_memory_for_replies);
    tcase_add_test(tc, flood_without_reading_stays_bounded);
    tcase_add_test(tc, random_streams_on_many_connections);
    tcase_add_test(tc, deepest_paths);
    suite_add_tcase(s, tc);
    return s;
}
