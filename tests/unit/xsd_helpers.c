/*
 * Helpers of the xsd_* suites (see xsd_helpers.h).
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "xsd_helpers.h"

struct xt_hdr {
    size_t size;
    size_t pad;
};

static void *xt_alloc(void *ctx, size_t n)
{
    struct xt_mem *m = ctx;
    struct xt_hdr *h;

    if (m->fail_after >= 0 && m->count >= (size_t)m->fail_after) {
        m->failed++;
        return NULL;
    }
    m->count++;
    h = malloc(sizeof(*h) + n);
    ck_assert_ptr_nonnull(h);
    h->size = n;
    memset(h + 1, 0xa5, n); /* no reliance on zeroed memory */
    m->live++;
    m->bytes += n;
    return h + 1;
}

static void xt_free(void *ctx, void *p)
{
    struct xt_mem *m = ctx;
    struct xt_hdr *h = (struct xt_hdr *)p - 1;

    ck_assert_ptr_nonnull(p);
    ck_assert_uint_gt(m->live, 0);
    m->live--;
    m->bytes -= h->size;
    free(h);
}

static unsigned xt_nstash;

void xt_init(struct xt *t, const struct xsd_limits *l)
{
    xt_nstash = 0;
    memset(t, 0, sizeof(*t));
    t->mem.fail_after = -1;
    t->a.alloc = xt_alloc;
    t->a.free = xt_free;
    t->a.ctx = &t->mem;
    t->d = xsd_new(&t->a, l);
    ck_assert_ptr_nonnull(t->d);
}

void xt_fini(struct xt *t)
{
    xsd_free(t->d);
    ck_assert_uint_eq(t->mem.live, 0);
    ck_assert_uint_eq(t->mem.bytes, 0);
}

/* ---- events kept while waiting for replies ---- */
#define XT_STASH 512

static struct xt_event {
    struct xsd_conn *c;
    char path[XENSTORE_PAYLOAD_MAX + 1];
    char token[XENSTORE_PAYLOAD_MAX + 1];
} xt_stash[XT_STASH];

static void xt_stash_event(struct xsd_conn *c, const struct xt_msg *m)
{
    size_t plen, tlen;
    const char *p = xs_msg_string(m->p, m->h.len, 0, &plen);
    const char *tok = xs_msg_string(m->p, m->h.len, 1, &tlen);

    ck_assert_ptr_nonnull(p);
    ck_assert_ptr_nonnull(tok);
    ck_assert_uint_eq(m->h.len, plen + tlen + 2);
    ck_assert_uint_eq(m->h.req_id, 0);
    ck_assert_uint_eq(m->h.tx_id, 0);
    ck_assert_uint_lt(xt_nstash, XT_STASH);
    xt_stash[xt_nstash].c = c;
    memcpy(xt_stash[xt_nstash].path, p, plen + 1);
    memcpy(xt_stash[xt_nstash].token, tok, tlen + 1);
    xt_nstash++;
}

int xt_input(struct xsd_conn *c, const void *buf, size_t len)
{
    int r = xsd_conn_input(c, buf, len);

    if (r >= 0)
        ck_assert_int_eq(r, (int)len);
    return r;
}

bool xt_pop(struct xsd_conn *c, struct xt_msg *m)
{
    uint8_t raw[sizeof(struct xsd_sockmsg) + XENSTORE_PAYLOAD_MAX];
    size_t have = 0, want = sizeof(struct xsd_sockmsg);

    if (!xsd_conn_has_output(c))
        return false;
    while (have < want) {
        const void *p;
        size_t n = xsd_conn_output(c, &p);

        ck_assert_uint_gt(n, 0);
        n = n < want - have ? n : want - have;
        memcpy(raw + have, p, n);
        xsd_conn_consume(c, n);
        have += n;
        if (have == sizeof(struct xsd_sockmsg)) {
            ck_assert_int_eq(xs_msg_parse_header(raw, have, &m->h), 0);
            want += m->h.len;
        }
    }
    memcpy(m->p, raw + sizeof(struct xsd_sockmsg), m->h.len);
    m->p[m->h.len] = '\0';
    return true;
}

bool xt_pop_reply(struct xsd_conn *c, struct xt_msg *m)
{
    while (xt_pop(c, m)) {
        if (m->h.type != XS_WATCH_EVENT)
            return true;
        xt_stash_event(c, m);
    }
    return false;
}

void xt_conn_free(struct xsd_conn *c)
{
    unsigned j = 0;

    for (unsigned i = 0; i < xt_nstash; i++)
        if (xt_stash[i].c != c)
            xt_stash[j++] = xt_stash[i];
    xt_nstash = j;
    xsd_conn_free(c);
}

static uint32_t xt_next_req_id = 100;

/* Sends msg (built, len bytes) and returns the reply, stashing events. */
static int xt_roundtrip(struct xsd_conn *c, uint8_t *msg, int len, struct xt_msg *reply)
{
    struct xsd_sockmsg h;
    struct xt_msg local;

    if (!reply)
        reply = &local;
    ck_assert_int_gt(len, 0);
    memcpy(&h, msg, sizeof(h));
    ck_assert_int_eq(xt_input(c, msg, (size_t)len), len);
    ck_assert_msg(xt_pop_reply(c, reply), "no reply to type %u", h.type);
    ck_assert_uint_eq(reply->h.req_id, h.req_id);
    ck_assert_uint_eq(reply->h.tx_id, h.tx_id);
    if (reply->h.type == XS_ERROR) {
        int e = xs_msg_error(reply->p, reply->h.len);

        ck_assert_int_ne(e, -XSD_EIO);
        return e;
    }
    ck_assert_uint_eq(reply->h.type, h.type);
    return 0;
}

int xt_req(struct xsd_conn *c, uint32_t type, uint32_t tx, const char *a0, const char *a1,
           struct xt_msg *reply)
{
    uint8_t msg[sizeof(struct xsd_sockmsg) + XENSTORE_PAYLOAD_MAX];
    const char *argv[2] = { a0, a1 };
    unsigned argc = a0 ? (a1 ? 2 : 1) : 0;

    return xt_roundtrip(c, msg,
                        xs_msg_build(msg, sizeof(msg), type, xt_next_req_id++, tx, argv, argc),
                        reply);
}

int xt_write(struct xsd_conn *c, uint32_t tx, const char *path, const char *value)
{
    uint8_t msg[sizeof(struct xsd_sockmsg) + XENSTORE_PAYLOAD_MAX];
    struct xt_msg r;
    int err = xt_roundtrip(c, msg,
                           xs_msg_build_write(msg, sizeof(msg), xt_next_req_id++, tx, path, value,
                                              strlen(value)),
                           &r);

    if (!err)
        ck_assert_str_eq(r.p, "OK");
    return err;
}

static int xt_ok_req(struct xsd_conn *c, uint32_t type, uint32_t tx, const char *a0, const char *a1)
{
    struct xt_msg r;
    int err = xt_req(c, type, tx, a0, a1, &r);

    if (!err) {
        ck_assert_uint_eq(r.h.len, 3);
        ck_assert_str_eq(r.p, "OK");
    }
    return err;
}

int xt_read(struct xsd_conn *c, uint32_t tx, const char *path, char *out)
{
    struct xt_msg r;
    int err = xt_req(c, XS_READ, tx, path, NULL, &r);

    if (!err && out)
        memcpy(out, r.p, r.h.len + 1);
    return err;
}

int xt_mkdir(struct xsd_conn *c, uint32_t tx, const char *path)
{
    return xt_ok_req(c, XS_MKDIR, tx, path, NULL);
}

int xt_rm(struct xsd_conn *c, uint32_t tx, const char *path)
{
    return xt_ok_req(c, XS_RM, tx, path, NULL);
}

/* The strings of a reply joined by ','. */
static void xt_join(const struct xt_msg *r, char *out)
{
    size_t n = 0, slen;
    const char *s;

    out[0] = '\0';
    for (unsigned i = 0; (s = xs_msg_string(r->p, r->h.len, i, &slen)); i++) {
        if (i)
            out[n++] = ',';
        memcpy(out + n, s, slen + 1);
        n += slen;
    }
}

int xt_dir(struct xsd_conn *c, uint32_t tx, const char *path, char *out)
{
    struct xt_msg r;
    int err = xt_req(c, XS_DIRECTORY, tx, path, NULL, &r);

    if (!err)
        xt_join(&r, out);
    return err;
}

int xt_get_perms(struct xsd_conn *c, uint32_t tx, const char *path, char *out)
{
    struct xt_msg r;
    int err = xt_req(c, XS_GET_PERMS, tx, path, NULL, &r);

    if (!err)
        xt_join(&r, out);
    return err;
}

int xt_set_perms(struct xsd_conn *c, uint32_t tx, const char *path, const char *perms_csv)
{
    char perms[512];
    const char *argv[1] = { path };
    uint8_t msg[sizeof(struct xsd_sockmsg) + XENSTORE_PAYLOAD_MAX];
    size_t plen = strlen(perms_csv);
    struct xsd_sockmsg h;
    struct xt_msg r;
    int len, err;

    ck_assert_uint_lt(plen, sizeof(perms));
    memcpy(perms, perms_csv, plen + 1);
    for (size_t i = 0; i < plen; i++)
        if (perms[i] == ',')
            perms[i] = '\0';
    /* path\0 then the perms, each NUL-terminated */
    len = xs_msg_build(msg, sizeof(msg), XS_SET_PERMS, xt_next_req_id++, tx, argv, 1);
    ck_assert_int_gt(len, 0);
    memcpy(msg + len, perms, plen + 1);
    len += (int)plen + 1;
    memcpy(&h, msg, sizeof(h));
    h.len += (uint32_t)plen + 1;
    memcpy(msg, &h, sizeof(h));
    err = xt_roundtrip(c, msg, len, &r);
    if (!err)
        ck_assert_str_eq(r.p, "OK");
    return err;
}

int xt_watch(struct xsd_conn *c, const char *path, const char *token)
{
    return xt_ok_req(c, XS_WATCH, 0, path, token);
}

int xt_unwatch(struct xsd_conn *c, const char *path, const char *token)
{
    return xt_ok_req(c, XS_UNWATCH, 0, path, token);
}

int xt_txn_start(struct xsd_conn *c, uint32_t *id)
{
    struct xt_msg r;
    int err = xt_req(c, XS_TRANSACTION_START, 0, "", NULL, &r);

    if (!err) {
        char *end;
        unsigned long v = strtoul(r.p, &end, 10);

        ck_assert(*end == '\0' && end != r.p);
        ck_assert_uint_eq(r.h.len, strlen(r.p) + 1);
        ck_assert_uint_ne(v, 0);
        *id = (uint32_t)v;
    }
    return err;
}

int xt_txn_end(struct xsd_conn *c, uint32_t id, bool commit)
{
    return xt_ok_req(c, XS_TRANSACTION_END, id, commit ? "T" : "F", NULL);
}

bool xt_event(struct xsd_conn *c, char *path, char *token)
{
    struct xt_msg m;

    while (xt_pop(c, &m)) {
        ck_assert_uint_eq(m.h.type, XS_WATCH_EVENT);
        xt_stash_event(c, &m);
    }
    for (unsigned i = 0; i < xt_nstash; i++) {
        if (xt_stash[i].c != c)
            continue;
        strcpy(path, xt_stash[i].path);
        strcpy(token, xt_stash[i].token);
        memmove(&xt_stash[i], &xt_stash[i + 1], (xt_nstash - i - 1) * sizeof(xt_stash[0]));
        xt_nstash--;
        return true;
    }
    return false;
}

unsigned xt_drain_events(struct xsd_conn *c)
{
    char p[XENSTORE_PAYLOAD_MAX + 1], t[XENSTORE_PAYLOAD_MAX + 1];
    unsigned n = 0;

    while (xt_event(c, p, t))
        n++;
    return n;
}
