/*
 * Requests: decode each message, run it, reply.
 *
 * One table, one line per message type. A handler decodes and validates
 * its payload, calls the store (which checks before it changes anything),
 * and queues its own reply on success; on failure it returns an XSD_E*
 * code and the dispatcher replies XS_ERROR with the code's name. Every
 * reply echoes the request's req_id and tx_id.
 *
 * Payload rules: a single argument is exactly "arg\0"; WRITE is
 * "path\0value" (the value is the rest, NULs and all); WATCH and UNWATCH
 * are "path\0token\0" (further strings ignored); SET_PERMS is
 * "path\0perm\0perm\0...". A request in a transaction names it in tx_id
 * (unknown: ENOENT); types that do not take part in transactions ignore
 * tx_id. Types outside the table: ENOSYS; WATCH_EVENT and ERROR are not
 * requests: EINVAL.
 */
#include "xs_core.h"

#define XS_HDR sizeof(struct xsd_sockmsg)
#define XS_DOMID_FIRST_RESERVED 0x7ff0u /* DOMID_FIRST_RESERVED */

struct xs_req {
    const struct xsd_sockmsg *hdr;
    const char *p; /* payload */
    uint32_t len;
    struct xs_txn *txn;
};

static const char xs_ok[] = "OK";

static void xs_reply_ok(struct xsd_conn *c, const struct xs_req *r)
{
    xs_reply(c, r->hdr, r->hdr->type, xs_ok, sizeof(xs_ok));
}

static struct xs_view xs_req_view(struct xsd_conn *c, const struct xs_req *r)
{
    return (struct xs_view){ c->d, r->txn, c->domid };
}

/* The payload is exactly one NUL-terminated string; its length. */
static int xs_one_arg(const struct xs_req *r, size_t *len)
{
    if (r->len == 0 || r->p[r->len - 1] != '\0' || strnlen(r->p, r->len) != r->len - 1)
        return XSD_EINVAL;
    *len = r->len - 1;
    return 0;
}

/* Resolves a path argument into d->path. */
static int xs_path_arg(struct xsd_conn *c, const char *s, size_t len, size_t *plen)
{
    return xs_path_resolve(s, len, c->domid, c->d->path, plen);
}

static int xs_domid_arg(const char *s, size_t len, bool real, uint16_t *domid)
{
    uint32_t v;

    if (xs_u32_parse(s, len, 0xffff, &v))
        return XSD_EINVAL;
    if (real && (v == 0 || v >= XS_DOMID_FIRST_RESERVED))
        return XSD_EINVAL;
    *domid = (uint16_t)v;
    return 0;
}

/* Looks up the request's path argument for reading. */
static int xs_get_node(struct xsd_conn *c, const struct xs_req *r, struct xs_node **n)
{
    struct xs_view v = xs_req_view(c, r);
    size_t alen, plen;
    int err;

    if ((err = xs_one_arg(r, &alen)) || (err = xs_path_arg(c, r->p, alen, &plen)))
        return err;
    return xs_store_get(&v, c->d->path, plen, n);
}

static int xs_do_read(struct xsd_conn *c, const struct xs_req *r)
{
    struct xs_node *n;
    int err = xs_get_node(c, r, &n);

    if (!err)
        xs_reply(c, r->hdr, XS_READ, n->c->value, n->c->value_len);
    return err;
}

static int xs_do_directory(struct xsd_conn *c, const struct xs_req *r)
{
    struct xs_node *n;
    struct xs_outmsg *m;
    size_t len = 0, at = XS_HDR;
    int err = xs_get_node(c, r, &n);

    if (err)
        return err;
    for (uint32_t i = 0; i < n->nr_children; i++)
        len += n->children[i]->c->name_len + 1;
    if (len > XENSTORE_PAYLOAD_MAX)
        return XSD_E2BIG;
    if (!(m = xs_out_alloc(c, XS_DIRECTORY, r->hdr->req_id, r->hdr->tx_id, len)))
        return XSD_ENOMEM;
    for (uint32_t i = 0; i < n->nr_children; i++) {
        const struct xs_content *cc = n->children[i]->c;

        memcpy(m->data + at, cc->name, cc->name_len + 1);
        at += cc->name_len + 1;
    }
    xs_out_queue(c, m);
    return 0;
}

static int xs_do_get_perms(struct xsd_conn *c, const struct xs_req *r)
{
    struct xs_node *n;
    struct xs_outmsg *m;
    size_t room, len;
    int err = xs_get_node(c, r, &n);

    if (err)
        return err;
    room = MIN((size_t)n->c->nr_perms * 7, (size_t)XENSTORE_PAYLOAD_MAX);
    if (!(m = xs_out_alloc(c, XS_GET_PERMS, r->hdr->req_id, r->hdr->tx_id, room)))
        return XSD_ENOMEM;
    len = xs_perms_format(n->c->perms, n->c->nr_perms, (char *)m->data + XS_HDR, room);
    if (len == 0) {
        xs_free(c->d, m);
        return XSD_E2BIG;
    }
    m->len = (uint32_t)(XS_HDR + len);
    memcpy(m->data + offsetof(struct xsd_sockmsg, len), &(uint32_t){ (uint32_t)len }, 4);
    xs_out_queue(c, m);
    return 0;
}

static int xs_do_write(struct xsd_conn *c, const struct xs_req *r)
{
    struct xs_view v = xs_req_view(c, r);
    size_t alen = strnlen(r->p, r->len), plen;
    int err;

    if (alen == r->len)
        return XSD_EINVAL; /* no NUL after the path */
    if ((err = xs_path_arg(c, r->p, alen, &plen)))
        return err;
    err = xs_store_write(&v, c->d->path, plen, r->p + alen + 1, r->len - alen - 1, false);
    if (!err)
        xs_reply_ok(c, r);
    return err;
}

static int xs_do_mkdir(struct xsd_conn *c, const struct xs_req *r)
{
    struct xs_view v = xs_req_view(c, r);
    size_t alen, plen;
    int err;

    if ((err = xs_one_arg(r, &alen)) || (err = xs_path_arg(c, r->p, alen, &plen)))
        return err;
    err = xs_store_write(&v, c->d->path, plen, NULL, 0, true);
    if (!err)
        xs_reply_ok(c, r);
    return err;
}

static int xs_do_rm(struct xsd_conn *c, const struct xs_req *r)
{
    struct xs_view v = xs_req_view(c, r);
    size_t alen, plen;
    int err;

    if ((err = xs_one_arg(r, &alen)) || (err = xs_path_arg(c, r->p, alen, &plen)))
        return err;
    err = xs_store_rm(&v, c->d->path, plen);
    if (!err)
        xs_reply_ok(c, r);
    return err;
}

static int xs_do_set_perms(struct xsd_conn *c, const struct xs_req *r)
{
    struct xs_view v = xs_req_view(c, r);
    size_t alen = strnlen(r->p, r->len), plen;
    struct xs_perm *perms;
    uint32_t nr;
    int err;

    if (alen == r->len)
        return XSD_EINVAL;
    if ((err = xs_path_arg(c, r->p, alen, &plen)))
        return err;
    perms = xs_alloc(c->d, c->d->lim.perms_per_node * sizeof(*perms));
    if (!perms)
        return XSD_ENOMEM;
    err = xs_perms_parse(r->p + alen + 1, r->len - alen - 1, perms, c->d->lim.perms_per_node, &nr);
    if (!err)
        err = xs_store_set_perms(&v, c->d->path, plen, perms, nr);
    xs_free(c->d, perms);
    if (!err)
        xs_reply_ok(c, r);
    return err;
}

/* WATCH and UNWATCH: "path\0token\0"; the watch path resolved in d->path. */
static int xs_watch_args(struct xsd_conn *c, const struct xs_req *r, size_t *plen,
                         bool *relative, const char **token, size_t *tlen)
{
    size_t alen = strnlen(r->p, r->len);

    if (alen == r->len || alen == 0)
        return XSD_EINVAL;
    *token = r->p + alen + 1;
    *tlen = strnlen(*token, r->len - alen - 1);
    if (*tlen == r->len - alen - 1)
        return XSD_EINVAL; /* token not terminated */
    *relative = r->p[0] != '/' && r->p[0] != '@';
    if (r->p[0] != '@')
        return xs_path_arg(c, r->p, alen, plen);
    if (alen > XENSTORE_REL_PATH_MAX)
        return XSD_EINVAL;
    memcpy(c->d->path, r->p, alen + 1);
    *plen = alen;
    return 0;
}

static int xs_do_watch(struct xsd_conn *c, const struct xs_req *r)
{
    struct xs_watch *w;
    const char *token;
    size_t plen, tlen;
    bool relative;
    int err;

    if ((err = xs_watch_args(c, r, &plen, &relative, &token, &tlen)) ||
        (err = xs_watch_add(c, c->d->path, plen, relative, token, tlen, &w)))
        return err;
    xs_reply_ok(c, r);
    xs_watch_event(c, w, w->path, w->path_len); /* fires once at once */
    return 0;
}

static int xs_do_unwatch(struct xsd_conn *c, const struct xs_req *r)
{
    const char *token;
    size_t plen, tlen;
    bool relative;
    int err;

    if ((err = xs_watch_args(c, r, &plen, &relative, &token, &tlen)) ||
        (err = xs_watch_del(c, c->d->path, plen, token, tlen)))
        return err;
    xs_reply_ok(c, r);
    return 0;
}

static int xs_do_transaction_start(struct xsd_conn *c, const struct xs_req *r)
{
    char id_str[11];
    uint32_t id;
    int err;

    if (r->hdr->tx_id != 0)
        return XSD_EINVAL;
    if ((err = xs_txn_start(c, &id)))
        return err;
    xs_reply(c, r->hdr, XS_TRANSACTION_START, id_str, xs_u32_format(id, id_str) + 1);
    return 0;
}

static int xs_do_transaction_end(struct xsd_conn *c, const struct xs_req *r)
{
    size_t alen;
    int err;

    if (!r->txn)
        return XSD_ENOENT;
    if ((err = xs_one_arg(r, &alen)) || alen != 1 || (r->p[0] != 'T' && r->p[0] != 'F'))
        return XSD_EINVAL;
    if ((err = xs_txn_end(c, r->txn, r->p[0] == 'T')))
        return err;
    xs_reply_ok(c, r);
    return 0;
}

static int xs_do_get_domain_path(struct xsd_conn *c, const struct xs_req *r)
{
    char path[XS_HOME_MAX + 1];
    uint16_t domid;
    size_t alen;
    int err;

    if ((err = xs_one_arg(r, &alen)) || (err = xs_domid_arg(r->p, alen, false, &domid)))
        return err;
    xs_reply(c, r->hdr, XS_GET_DOMAIN_PATH, path, xs_path_home(domid, path) + 1);
    return 0;
}

/* INTRODUCE "domid\0mfn\0evtchn\0...": the glue maps rings; here: the event. */
static int xs_do_introduce(struct xsd_conn *c, const struct xs_req *r)
{
    size_t pos = 0, alen = 0;
    unsigned strings = 0;
    uint16_t domid;

    if (c->domid != 0)
        return XSD_EACCES;
    if (r->len == 0 || r->p[r->len - 1] != '\0')
        return XSD_EINVAL;
    for (; pos < r->len; pos += strnlen(r->p + pos, r->len - pos) + 1)
        strings++;
    alen = strnlen(r->p, r->len);
    if (strings < 3 || xs_domid_arg(r->p, alen, true, &domid))
        return XSD_EINVAL;
    xsd_domain_introduced(c->d, domid);
    xs_reply_ok(c, r);
    return 0;
}

/* RELEASE, RESUME and IS_DOMAIN_INTRODUCED: domain 0 only, "domid\0". */
static int xs_domain_req(struct xsd_conn *c, const struct xs_req *r, uint16_t *domid)
{
    size_t alen;
    int err;

    if (c->domid != 0)
        return XSD_EACCES;
    if ((err = xs_one_arg(r, &alen)))
        return err;
    return xs_domid_arg(r->p, alen, true, domid);
}

static int xs_do_release(struct xsd_conn *c, const struct xs_req *r)
{
    uint16_t domid;
    int err = xs_domain_req(c, r, &domid);

    if (err)
        return err;
    xsd_domain_released(c->d, domid);
    xs_reply_ok(c, r);
    return 0;
}

static int xs_do_resume(struct xsd_conn *c, const struct xs_req *r)
{
    uint16_t domid;
    int err = xs_domain_req(c, r, &domid);

    if (!err)
        xs_reply_ok(c, r); /* no shutdown state is kept: nothing to re-arm */
    return err;
}

static int xs_do_is_domain_introduced(struct xsd_conn *c, const struct xs_req *r)
{
    uint16_t domid;
    int err = xs_domain_req(c, r, &domid);

    if (!err)
        xs_reply(c, r->hdr, XS_IS_DOMAIN_INTRODUCED,
                 xsd_domain_is_introduced(c->d, domid) ? "T" : "F", 2);
    return err;
}

static int xs_do_reset_watches(struct xsd_conn *c, const struct xs_req *r)
{
    xs_watch_free_all(c);
    xs_txn_free_all(c);
    xs_reply_ok(c, r);
    return 0;
}

static int xs_do_not_request(struct xsd_conn *c, const struct xs_req *r)
{
    return XSD_EINVAL;
}

typedef int (*xs_handler_fn)(struct xsd_conn *c, const struct xs_req *r);

static const struct xs_handler {
    xs_handler_fn fn;
    bool txn; /* runs in the transaction named by tx_id */
} xs_handlers[XS_TYPE_COUNT] = {
    [XS_DIRECTORY]            = { xs_do_directory, true },
    [XS_READ]                 = { xs_do_read, true },
    [XS_GET_PERMS]            = { xs_do_get_perms, true },
    [XS_WATCH]                = { xs_do_watch, false },
    [XS_UNWATCH]              = { xs_do_unwatch, false },
    [XS_TRANSACTION_START]    = { xs_do_transaction_start, false },
    [XS_TRANSACTION_END]      = { xs_do_transaction_end, true },
    [XS_INTRODUCE]            = { xs_do_introduce, false },
    [XS_RELEASE]              = { xs_do_release, false },
    [XS_GET_DOMAIN_PATH]      = { xs_do_get_domain_path, false },
    [XS_WRITE]                = { xs_do_write, true },
    [XS_MKDIR]                = { xs_do_mkdir, true },
    [XS_RM]                   = { xs_do_rm, true },
    [XS_SET_PERMS]            = { xs_do_set_perms, true },
    [XS_WATCH_EVENT]          = { xs_do_not_request, false },
    [XS_ERROR]                = { xs_do_not_request, false },
    [XS_IS_DOMAIN_INTRODUCED] = { xs_do_is_domain_introduced, false },
    [XS_RESUME]               = { xs_do_resume, false },
    [XS_RESET_WATCHES]        = { xs_do_reset_watches, false },
    /* CONTROL, SET_TARGET, DIRECTORY_PART, GET/SET_FEATURE, GET/SET_QUOTA:
     * not supported (ENOSYS) */
};

void xs_dispatch(struct xsd_conn *c, const struct xsd_sockmsg *hdr, const uint8_t *payload)
{
    const struct xs_handler *h = hdr->type < XS_TYPE_COUNT ? &xs_handlers[hdr->type] : NULL;
    struct xs_req r = { .hdr = hdr, .p = (const char *)payload, .len = hdr->len };
    int err;

    if (!h || !h->fn) {
        xs_reply_error(c, hdr, XSD_ENOSYS);
        return;
    }
    if (h->txn && hdr->tx_id != 0 && !(r.txn = xs_txn_find(c, hdr->tx_id))) {
        xs_reply_error(c, hdr, XSD_ENOENT);
        return;
    }
    err = h->fn(c, &r);
    if (err)
        xs_reply_error(c, hdr, err);
}
