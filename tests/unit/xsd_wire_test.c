/*
 * xenstored: the wire. Every message type gets an answer that echoes
 * req_id and tx_id; malformed requests get ERROR replies and leave the
 * connection usable; framing survives any split of the stream; a header
 * announcing more than XENSTORE_PAYLOAD_MAX breaks only its own
 * connection; output is bounded (stall, then resume); the client helpers
 * of xs_msg.h check their bounds.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xsd_helpers.h"

#define HDR sizeof(struct xsd_sockmsg)

static char buf[XENSTORE_PAYLOAD_MAX + 1];

/* A raw message: header then exactly len payload bytes. */
static size_t raw_msg(uint8_t *out, uint32_t type, uint32_t req_id, uint32_t tx_id,
                      const void *payload, uint32_t len)
{
    struct xsd_sockmsg h = { type, req_id, tx_id, len };

    memcpy(out, &h, HDR);
    memcpy(out + HDR, payload, len);
    return HDR + len;
}

/* Sends a raw message and returns the reply's error (0: reply of its type). */
static int raw_req(struct xsd_conn *c, uint32_t type, uint32_t tx_id, const void *payload,
                   uint32_t len, struct xt_msg *r)
{
    static uint32_t id = 5000;
    uint8_t msg[HDR + XENSTORE_PAYLOAD_MAX];
    size_t n = raw_msg(msg, type, ++id, tx_id, payload, len);

    ck_assert_int_eq(xt_input(c, msg, n), (int)n);
    ck_assert(xt_pop(c, r));
    ck_assert_uint_eq(r->h.req_id, id);
    ck_assert_uint_eq(r->h.tx_id, tx_id);
    if (r->h.type == XS_ERROR)
        return xs_msg_error(r->p, r->h.len);
    ck_assert_uint_eq(r->h.type, type);
    return 0;
}

START_TEST(every_type_answered)
{
    struct xt t;
    struct xsd_conn *c;
    struct xt_msg r;

    xt_init(&t, NULL);
    c = xsd_conn_new(t.d, 0);
    ck_assert_int_eq(raw_req(c, XS_WRITE, 0, "/a\0v", 4, &r), 0);
    ck_assert_int_eq(raw_req(c, XS_READ, 0, "/a", 3, &r), 0);
    ck_assert_int_eq(raw_req(c, XS_MKDIR, 0, "/b", 3, &r), 0);
    ck_assert_int_eq(raw_req(c, XS_DIRECTORY, 0, "/", 2, &r), 0);
    ck_assert_int_eq(raw_req(c, XS_GET_PERMS, 0, "/a", 3, &r), 0);
    ck_assert_int_eq(raw_req(c, XS_SET_PERMS, 0, "/a\0n0\0", 6, &r), 0);
    ck_assert_int_eq(raw_req(c, XS_WATCH, 0, "/a\0tok\0", 7, &r), 0);
    xt_pop(c, &r); /* the watch's first event */
    ck_assert_uint_eq(r.h.type, XS_WATCH_EVENT);
    ck_assert_int_eq(raw_req(c, XS_UNWATCH, 0, "/a\0tok\0", 7, &r), 0);
    ck_assert_int_eq(raw_req(c, XS_TRANSACTION_START, 0, "", 1, &r), 0);
    {
        uint32_t id = (uint32_t)strtoul(r.p, NULL, 10);

        ck_assert_int_eq(raw_req(c, XS_READ, id, "/a", 3, &r), 0);
        ck_assert_int_eq(raw_req(c, XS_TRANSACTION_END, id, "T", 2, &r), 0);
    }
    ck_assert_int_eq(raw_req(c, XS_INTRODUCE, 0, "4\0" "1234\0" "5\0", 9, &r), 0);
    ck_assert_int_eq(raw_req(c, XS_IS_DOMAIN_INTRODUCED, 0, "4", 2, &r), 0);
    ck_assert_str_eq(r.p, "T");
    ck_assert_int_eq(raw_req(c, XS_RESUME, 0, "4", 2, &r), 0);
    ck_assert_int_eq(raw_req(c, XS_RELEASE, 0, "4", 2, &r), 0);
    ck_assert_int_eq(raw_req(c, XS_IS_DOMAIN_INTRODUCED, 0, "4", 2, &r), 0);
    ck_assert_str_eq(r.p, "F");
    ck_assert_int_eq(raw_req(c, XS_GET_DOMAIN_PATH, 0, "4", 2, &r), 0);
    ck_assert_int_eq(raw_req(c, XS_RESET_WATCHES, 0, "", 1, &r), 0);
    ck_assert_int_eq(raw_req(c, XS_RM, 0, "/a", 3, &r), 0);
    /* unsupported and unknown types: ENOSYS; replies sent as requests: EINVAL */
    ck_assert_int_eq(raw_req(c, XS_CONTROL, 0, "print\0x\0", 8, &r), -XSD_ENOSYS);
    ck_assert_int_eq(raw_req(c, XS_SET_TARGET, 0, "1\0" "2\0", 4, &r), -XSD_ENOSYS);
    ck_assert_int_eq(raw_req(c, 20, 0, "", 0, &r), -XSD_ENOSYS);
    ck_assert_int_eq(raw_req(c, XS_DIRECTORY_PART, 0, "/\0" "0\0", 4, &r), -XSD_ENOSYS);
    ck_assert_int_eq(raw_req(c, XS_GET_FEATURE, 0, "", 0, &r), -XSD_ENOSYS);
    ck_assert_int_eq(raw_req(c, XS_SET_QUOTA, 0, "", 0, &r), -XSD_ENOSYS);
    ck_assert_int_eq(raw_req(c, XS_TYPE_COUNT, 0, "", 0, &r), -XSD_ENOSYS);
    ck_assert_int_eq(raw_req(c, 0xffffffffu, 7, "", 0, &r), -XSD_ENOSYS);
    ck_assert_int_eq(raw_req(c, XS_WATCH_EVENT, 0, "/a\0t\0", 5, &r), -XSD_EINVAL);
    ck_assert_int_eq(raw_req(c, XS_ERROR, 0, "EINVAL", 7, &r), -XSD_EINVAL);
    /* still fine afterwards */
    ck_assert_int_eq(xt_write(c, 0, "/ok", "1"), 0);
    ck_assert(!xsd_conn_bad(c));
    xt_fini(&t);
}
END_TEST

START_TEST(domain_requests_are_dom0_only)
{
    struct xt t;
    struct xsd_conn *c;
    struct xt_msg r;

    xt_init(&t, NULL);
    c = xsd_conn_new(t.d, 3);
    ck_assert_int_eq(raw_req(c, XS_INTRODUCE, 0, "4\0" "1\0" "5\0", 6, &r), -XSD_EACCES);
    ck_assert_int_eq(raw_req(c, XS_RELEASE, 0, "4", 2, &r), -XSD_EACCES);
    ck_assert_int_eq(raw_req(c, XS_RESUME, 0, "4", 2, &r), -XSD_EACCES);
    ck_assert_int_eq(raw_req(c, XS_IS_DOMAIN_INTRODUCED, 0, "4", 2, &r), -XSD_EACCES);
    ck_assert(!xsd_domain_is_introduced(t.d, 4));
    c = xsd_conn_new(t.d, 0);
    /* not a real domain id, or missing arguments */
    ck_assert_int_eq(raw_req(c, XS_INTRODUCE, 0, "0\0" "1\0" "5\0", 6, &r), -XSD_EINVAL);
    ck_assert_int_eq(raw_req(c, XS_INTRODUCE, 0, "32752\0" "1\0" "5\0", 10, &r), -XSD_EINVAL);
    ck_assert_int_eq(raw_req(c, XS_INTRODUCE, 0, "4\0" "1\0", 4, &r), -XSD_EINVAL);
    ck_assert_int_eq(raw_req(c, XS_RELEASE, 0, "0", 2, &r), -XSD_EINVAL);
    ck_assert_int_eq(raw_req(c, XS_RELEASE, 0, "x", 2, &r), -XSD_EINVAL);
    xt_fini(&t);
}
END_TEST

START_TEST(malformed_requests_get_errors)
{
    struct xt t;
    struct xsd_conn *c;
    struct xt_msg r;
    static char longp[XENSTORE_REL_PATH_MAX + 2];

    xt_init(&t, NULL);
    c = xsd_conn_new(t.d, 0);
    /* no NUL, extra bytes after the argument, empty payload */
    ck_assert_int_eq(raw_req(c, XS_READ, 0, "/tool", 5, &r), -XSD_EINVAL);
    ck_assert_int_eq(raw_req(c, XS_READ, 0, "/tool\0x", 7, &r), -XSD_EINVAL);
    ck_assert_int_eq(raw_req(c, XS_READ, 0, "/tool\0\0", 7, &r), -XSD_EINVAL);
    ck_assert_int_eq(raw_req(c, XS_READ, 0, "", 0, &r), -XSD_EINVAL);
    ck_assert_int_eq(raw_req(c, XS_MKDIR, 0, "/x", 2, &r), -XSD_EINVAL);
    ck_assert_int_eq(raw_req(c, XS_RM, 0, "", 0, &r), -XSD_EINVAL);
    ck_assert_int_eq(raw_req(c, XS_WRITE, 0, "/no-nul", 7, &r), -XSD_EINVAL);
    ck_assert_int_eq(raw_req(c, XS_SET_PERMS, 0, "/tool", 5, &r), -XSD_EINVAL);
    ck_assert_int_eq(raw_req(c, XS_SET_PERMS, 0, "/tool\0", 6, &r), -XSD_EINVAL);
    ck_assert_int_eq(raw_req(c, XS_SET_PERMS, 0, "/tool\0n0", 8, &r), -XSD_EINVAL);
    ck_assert_int_eq(raw_req(c, XS_SET_PERMS, 0, "/tool\0z0\0", 9, &r), -XSD_EINVAL);
    ck_assert_int_eq(raw_req(c, XS_SET_PERMS, 0, "/tool\0n99999\0", 13, &r), -XSD_EINVAL);
    ck_assert_int_eq(raw_req(c, XS_SET_PERMS, 0, "/tool\0n0\0\0", 10, &r), -XSD_EINVAL);
    ck_assert_int_eq(raw_req(c, XS_WATCH, 0, "/a\0tok", 6, &r), -XSD_EINVAL);
    ck_assert_int_eq(raw_req(c, XS_WATCH, 0, "/a\0", 3, &r), -XSD_EINVAL);
    ck_assert_int_eq(raw_req(c, XS_WATCH, 0, "\0tok\0", 5, &r), -XSD_EINVAL);
    ck_assert_int_eq(raw_req(c, XS_TRANSACTION_END, 0, "T", 2, &r), -XSD_ENOENT);
    /* bad paths */
    static const char *const bad[] = { "", "//", "/a/", "/a//b", "/a b", "/a\tb", "/a.b",
                                       "/a:b", "/\xc3\xa9", "a/", "/a/./b" };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        ck_assert_int_eq(xt_write(c, 0, bad[i], "v"), -XSD_EINVAL);
        ck_assert_int_eq(xt_read(c, 0, bad[i], buf), -XSD_EINVAL);
    }
    /* length: 2048 bytes fine, 2049 not, absolute or relative */
    memset(longp, 'a', sizeof(longp) - 1);
    longp[0] = '/';
    longp[XENSTORE_REL_PATH_MAX] = '\0';
    ck_assert_int_eq(xt_write(c, 0, longp, "v"), 0);
    ck_assert_int_eq(xt_read(c, 0, longp, buf), 0);
    longp[XENSTORE_REL_PATH_MAX] = 'a';
    ck_assert_int_eq(xt_write(c, 0, longp, "v"), -XSD_EINVAL);
    ck_assert_int_eq(xt_mkdir(c, 0, longp), -XSD_EINVAL);
    ck_assert_int_eq(xt_watch(c, longp, "t"), -XSD_EINVAL);
    longp[0] = '@'; /* special watch names have the same limit */
    ck_assert_int_eq(xt_watch(c, longp, "t"), -XSD_EINVAL);
    longp[0] = 'a';
    ck_assert_int_eq(xt_write(c, 0, longp, "v"), -XSD_EINVAL);
    longp[XENSTORE_REL_PATH_MAX] = '\0';
    ck_assert_int_eq(xt_write(c, 0, longp, "v"), 0); /* relative: 2068 resolved */
    ck_assert(!xsd_conn_bad(c));
    xt_fini(&t);
}
END_TEST

/* A stream of requests and the replies it must produce. */
static size_t build_stream(uint8_t *s)
{
    size_t n = 0;

    n += raw_msg(s + n, XS_WRITE, 1, 0, "/s/a\0value-a", 12);
    n += raw_msg(s + n, XS_READ, 2, 0, "/s/a", 5);
    n += raw_msg(s + n, XS_MKDIR, 3, 0, "/s/b", 5);
    n += raw_msg(s + n, XS_DIRECTORY, 4, 0, "/s", 3);
    n += raw_msg(s + n, XS_READ, 5, 0, "/nope", 6);
    n += raw_msg(s + n, XS_WRITE, 6, 0, "/s/empty\0", 9);
    n += raw_msg(s + n, XS_GET_DOMAIN_PATH, 7, 0, "9", 2);
    return n;
}

static void check_stream_replies(struct xsd_conn *c)
{
    struct xt_msg r;
    static const struct {
        uint32_t type;
        const char *p;
        uint32_t len;
    } want[] = {
        { XS_WRITE, "OK", 3 }, { XS_READ, "value-a", 7 }, { XS_MKDIR, "OK", 3 },
        { XS_DIRECTORY, "a\0b", 4 }, { XS_ERROR, "ENOENT", 7 }, { XS_WRITE, "OK", 3 },
        { XS_GET_DOMAIN_PATH, "/local/domain/9", 16 },
    };

    for (uint32_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
        ck_assert(xt_pop(c, &r));
        ck_assert_uint_eq(r.h.req_id, i + 1);
        ck_assert_uint_eq(r.h.type, want[i].type);
        ck_assert_uint_eq(r.h.len, want[i].len);
        ck_assert_mem_eq(r.p, want[i].p, want[i].len);
    }
    ck_assert(!xt_pop(c, &r));
}

START_TEST(framing_split_at_every_byte)
{
    uint8_t s[512];
    size_t n = build_stream(s);

    for (size_t k = 0; k <= n; k++) {
        struct xt t;
        struct xsd_conn *c;

        xt_init(&t, NULL);
        c = xsd_conn_new(t.d, 0);
        ck_assert_int_eq(xt_input(c, s, k), (int)k);
        ck_assert_int_eq(xt_input(c, s + k, n - k), (int)(n - k));
        check_stream_replies(c);
        xt_fini(&t);
    }
    {
        struct xt t;
        struct xsd_conn *c;

        xt_init(&t, NULL);
        c = xsd_conn_new(t.d, 0);
        for (size_t i = 0; i < n; i++)
            ck_assert_int_eq(xt_input(c, s + i, 1), 1);
        ck_assert_int_eq(xsd_conn_input(c, NULL, 0), 0);
        check_stream_replies(c);
        xt_fini(&t);
    }
}
END_TEST

START_TEST(oversized_header_breaks_only_its_connection)
{
    struct xt t;
    struct xsd_conn *bad, *good;
    uint8_t msg[HDR + 8];
    struct xt_msg r;
    struct xsd_sockmsg h = { XS_READ, 1, 0, XENSTORE_PAYLOAD_MAX + 1 };

    xt_init(&t, NULL);
    bad = xsd_conn_new(t.d, 0);
    good = xsd_conn_new(t.d, 2);
    ck_assert_int_eq(xt_watch(bad, "/tool", "t"), 0);
    xt_drain_events(bad);
    /* exactly 4096 is allowed (then needs its payload) */
    h.len = XENSTORE_PAYLOAD_MAX;
    memcpy(msg, &h, HDR);
    ck_assert_int_eq(xsd_conn_input(good, msg, HDR), (int)HDR);
    ck_assert(!xsd_conn_bad(good));
    /* 4097, delivered in two pieces */
    h.len = XENSTORE_PAYLOAD_MAX + 1;
    memcpy(msg, &h, HDR);
    ck_assert_int_eq(xsd_conn_input(bad, msg, 10), 10);
    ck_assert(!xsd_conn_bad(bad));
    ck_assert_int_eq(xsd_conn_input(bad, msg + 10, HDR - 10), -XSD_EIO);
    ck_assert(xsd_conn_bad(bad));
    /* later input ignored, no replies, no events */
    raw_msg(msg, XS_READ, 2, 0, "/", 2);
    ck_assert_int_eq(xsd_conn_input(bad, msg, HDR + 2), -XSD_EIO);
    ck_assert(!xsd_conn_has_output(bad));
    ck_assert_int_eq(xsd_tool_write(t.d, "/tool/x", "1", 1), 0);
    ck_assert(!xsd_conn_has_output(bad));
    /* the other connection is unaffected */
    {
        struct xt t2;
        struct xsd_conn *c2;
        static uint8_t big[HDR + XENSTORE_PAYLOAD_MAX];

        xt_init(&t2, NULL);
        c2 = xsd_conn_new(t2.d, 0);
        memset(big + HDR, 'a', XENSTORE_PAYLOAD_MAX);
        memcpy(big + HDR, "/big", 5);
        h = (struct xsd_sockmsg){ XS_WRITE, 77, 0, XENSTORE_PAYLOAD_MAX };
        memcpy(big, &h, HDR);
        ck_assert_int_eq(xt_input(c2, big, sizeof(big)), (int)sizeof(big));
        ck_assert(xt_pop(c2, &r));
        ck_assert_uint_eq(r.h.type, XS_WRITE);
        ck_assert_int_eq(xt_read(c2, 0, "/big", buf), 0);
        ck_assert_uint_eq(strlen(buf), XENSTORE_PAYLOAD_MAX - 5);
        xt_fini(&t2);
    }
    xt_conn_free(good); /* with its half-received message */
    good = xsd_conn_new(t.d, 0);
    ck_assert_int_eq(xt_write(good, 0, "/tool/y", "2"), 0);
    ck_assert_int_eq(xt_read(good, 0, "/tool/y", buf), 0);
    xt_fini(&t);
}
END_TEST

START_TEST(output_quota_stalls_then_resumes)
{
    struct xsd_limits l = XSD_LIMITS_DEFAULT;
    struct xt t;
    struct xsd_conn *c, *other;
    uint8_t s[HDR * 64 + 64 * 8];
    size_t n = 0;
    int got, total = 0, replies = 0;
    struct xt_msg r;

    l.output_max_bytes = 1024;
    xt_init(&t, &l);
    c = xsd_conn_new(t.d, 0);
    other = xsd_conn_new(t.d, 0);
    memset(buf, 'v', 400);
    ck_assert_int_eq(xsd_tool_write(t.d, "/v", buf, 400), 0);
    for (int i = 0; i < 64; i++)
        n += raw_msg(s + n, XS_READ, (uint32_t)i, 0, "/v", 3);
    /* 64 reads of 400 bytes, nothing read back: it stops taking input */
    got = xsd_conn_input(c, s, n);
    ck_assert_int_gt(got, 0);
    ck_assert_int_lt(got, (int)n);
    ck_assert(xsd_conn_stalled(c));
    ck_assert_uint_le(xsd_conn_pending(c), l.output_max_bytes + HDR + 400);
    ck_assert_int_eq(xsd_conn_input(c, s + got, n - (size_t)got), 0);
    /* the others are not held up */
    ck_assert_int_eq(xt_read(other, 0, "/v", NULL), 0);
    /* drain, feed the rest, in turns, until all 64 came back in order */
    total = got;
    while (replies < 64) {
        ck_assert(xt_pop(c, &r));
        ck_assert_uint_eq(r.h.req_id, (uint32_t)replies);
        ck_assert_uint_eq(r.h.len, 400);
        replies++;
        got = xsd_conn_input(c, s + total, n - (size_t)total);
        ck_assert_int_ge(got, 0);
        total += got;
        ck_assert_uint_le(xsd_conn_pending(c), l.output_max_bytes + HDR + 400);
    }
    ck_assert_int_eq(total, (int)n);
    ck_assert(!xsd_conn_stalled(c));
    ck_assert(!xsd_conn_has_output(c));
    xt_fini(&t);
}
END_TEST

START_TEST(output_chunks_and_partial_consume)
{
    struct xt t;
    struct xsd_conn *c;
    uint8_t msg[64];
    const void *p;
    size_t n, k;

    xt_init(&t, NULL);
    c = xsd_conn_new(t.d, 0);
    ck_assert_uint_eq(xsd_conn_output(c, &p), 0);
    n = raw_msg(msg, XS_READ, 1, 0, "/local", 7);
    xt_input(c, msg, n);
    xt_input(c, msg, n);
    ck_assert_uint_eq(xsd_conn_pending(c), 2 * HDR);
    k = xsd_conn_output(c, &p);
    ck_assert_uint_eq(k, HDR); /* one message per chunk */
    xsd_conn_consume(c, 5);
    ck_assert_uint_eq(xsd_conn_output(c, &p), HDR - 5);
    xsd_conn_consume(c, HDR - 5);
    ck_assert_uint_eq(xsd_conn_output(c, &p), HDR);
    xsd_conn_consume(c, 1000); /* more than pending: clamps */
    ck_assert(!xsd_conn_has_output(c));
    ck_assert_uint_eq(xsd_conn_pending(c), 0);
    xt_fini(&t);
}
END_TEST

START_TEST(client_helpers_bounds)
{
    uint8_t b[HDR + XENSTORE_PAYLOAD_MAX + 8];
    static char big[XENSTORE_PAYLOAD_MAX + 2];
    const char *argv[2] = { "/a", "tok" };
    struct xsd_sockmsg h;
    size_t sl;
    const char *s;

    ck_assert_int_eq(xs_msg_build(b, sizeof(b), XS_WATCH, 9, 3, argv, 2), (int)HDR + 7);
    ck_assert_int_eq(xs_msg_parse_header(b, HDR, &h), 0);
    ck_assert_uint_eq(h.type, XS_WATCH);
    ck_assert_uint_eq(h.req_id, 9);
    ck_assert_uint_eq(h.tx_id, 3);
    ck_assert_uint_eq(h.len, 7);
    ck_assert_mem_eq(b + HDR, "/a\0tok\0", 7);
    ck_assert_int_eq(xs_msg_build(b, HDR + 6, XS_WATCH, 9, 3, argv, 2), -XSD_E2BIG);
    ck_assert_int_eq(xs_msg_build(b, 3, XS_WATCH, 9, 3, argv, 0), -XSD_E2BIG);
    ck_assert_int_eq(xs_msg_build(b, sizeof(b), XS_ERROR, 9, 3, argv, 1), -XSD_EINVAL);
    ck_assert_int_eq(xs_msg_build(b, sizeof(b), XS_TYPE_COUNT, 9, 3, argv, 1), -XSD_EINVAL);
    argv[1] = NULL;
    ck_assert_int_eq(xs_msg_build(b, sizeof(b), XS_WATCH, 9, 3, argv, 2), -XSD_EINVAL);
    memset(big, 'a', XENSTORE_PAYLOAD_MAX - 1);
    argv[0] = big;
    ck_assert_int_eq(xs_msg_build(b, sizeof(b), XS_READ, 1, 0, argv, 1),
                     (int)(HDR + XENSTORE_PAYLOAD_MAX));
    big[XENSTORE_PAYLOAD_MAX - 1] = 'a';
    ck_assert_int_eq(xs_msg_build(b, sizeof(b), XS_READ, 1, 0, argv, 1), -XSD_E2BIG);
    ck_assert_int_eq(xs_msg_build_write(b, sizeof(b), 1, 0, "/p", "xyz", 3), (int)HDR + 6);
    ck_assert_mem_eq(b + HDR, "/p\0xyz", 6);
    ck_assert_int_eq(xs_msg_build_write(b, sizeof(b), 1, 0, "/p", big, XENSTORE_PAYLOAD_MAX - 3),
                     (int)(HDR + XENSTORE_PAYLOAD_MAX));
    ck_assert_int_eq(xs_msg_build_write(b, sizeof(b), 1, 0, "/p", big, XENSTORE_PAYLOAD_MAX - 2),
                     -XSD_E2BIG);
    ck_assert_int_eq(xs_msg_build_write(b, HDR + 5, 1, 0, "/p", "xyz", 3), -XSD_E2BIG);
    ck_assert_int_eq(xs_msg_build_write(b, sizeof(b), 1, 0, NULL, "", 0), -XSD_EINVAL);
    /* reply headers */
    h = (struct xsd_sockmsg){ XS_READ, 1, 0, XENSTORE_PAYLOAD_MAX + 1 };
    memcpy(b, &h, HDR);
    ck_assert_int_eq(xs_msg_parse_header(b, HDR, &h), -XSD_EINVAL);
    h = (struct xsd_sockmsg){ XS_TYPE_COUNT, 1, 0, 0 };
    memcpy(b, &h, HDR);
    ck_assert_int_eq(xs_msg_parse_header(b, HDR, &h), -XSD_EINVAL);
    ck_assert_int_eq(xs_msg_parse_header(b, HDR - 1, &h), -XSD_EAGAIN);
    /* error payloads and strings */
    ck_assert_int_eq(xs_msg_error("EACCES", 7), -XSD_EACCES);
    ck_assert_int_eq(xs_msg_error("EPERM", 6), -XSD_EPERM);
    ck_assert_int_eq(xs_msg_error("EACCES", 6), -XSD_EIO);
    ck_assert_int_eq(xs_msg_error("EWHAT", 6), -XSD_EIO);
    ck_assert_int_eq(xs_msg_error("", 0), -XSD_EIO);
    s = xs_msg_string("a\0bc\0d", 6, 1, &sl);
    ck_assert_ptr_nonnull(s);
    ck_assert_uint_eq(sl, 2);
    ck_assert_ptr_null(xs_msg_string("a\0bc\0d", 6, 2, &sl));
    ck_assert_ptr_null(xs_msg_string("", 0, 0, &sl));
}
END_TEST

START_TEST(transaction_ids_checked)
{
    struct xt t;
    struct xsd_conn *c, *other;
    struct xt_msg r;
    uint32_t id;

    xt_init(&t, NULL);
    c = xsd_conn_new(t.d, 0);
    other = xsd_conn_new(t.d, 0);
    ck_assert_int_eq(xt_txn_start(c, &id), 0);
    /* a transaction is its connection's own */
    ck_assert_int_eq(xt_read(other, id, "/tool", buf), -XSD_ENOENT);
    ck_assert_int_eq(xt_txn_end(other, id, true), -XSD_ENOENT);
    ck_assert_int_eq(xt_read(c, id + 1000, "/tool", buf), -XSD_ENOENT);
    ck_assert_int_eq(xt_req(c, XS_TRANSACTION_START, id, "", NULL, &r), -XSD_EINVAL);
    ck_assert_int_eq(xt_req(c, XS_TRANSACTION_END, id, "X", NULL, &r), -XSD_EINVAL);
    ck_assert_int_eq(xt_req(c, XS_TRANSACTION_END, id, "TT", NULL, &r), -XSD_EINVAL);
    /* GET_DOMAIN_PATH and WATCH ignore tx_id (echoed all the same) */
    ck_assert_int_eq(xt_req(c, XS_GET_DOMAIN_PATH, 4242, "1", NULL, &r), 0);
    ck_assert_int_eq(xt_txn_end(c, id, false), 0);
    ck_assert_int_eq(xt_txn_end(c, id, false), -XSD_ENOENT);
    ck_assert_uint_eq(xsd_nr_transactions(t.d), 0);
    xt_fini(&t);
}
END_TEST

Suite *xsd_wire_suite(void);
Suite *xsd_wire_suite(void)
{
    Suite *s = suite_create("xsd_wire");
    TCase *tc = tcase_create("wire");

    tcase_add_test(tc, every_type_answered);
    tcase_add_test(tc, domain_requests_are_dom0_only);
    tcase_add_test(tc, malformed_requests_get_errors);
    tcase_add_test(tc, framing_split_at_every_byte);
    tcase_add_test(tc, oversized_header_breaks_only_its_connection);
    tcase_add_test(tc, output_quota_stalls_then_resumes);
    tcase_add_test(tc, output_chunks_and_partial_consume);
    tcase_add_test(tc, client_helpers_bounds);
    tcase_add_test(tc, transaction_ids_checked);
    suite_add_tcase(s, tc);
    return s;
}
