/*
 * The store object: creation, teardown, the toolstack's operations and the
 * domain life-cycle events.
 *
 * A store always holds "/", "/local", "/local/domain" and "/tool" (nobody
 * may remove "/", and domain 0 owns the rest unless it chooses otherwise).
 * All memory comes from the caller's allocator; the scratch areas used by
 * tree walks are allocated here, once, so that no operation needs stack
 * space proportional to a path's depth.
 */
#include "xs_core.h"

void *xs_alloc(struct xsd *d, size_t n)
{
    return d->a.alloc(d->a.ctx, n);
}

void xs_free(struct xsd *d, void *p)
{
    d->a.free(d->a.ctx, p);
}

static void xsd_limits_fill(struct xsd_limits *lim, const struct xsd_limits *l)
{
    *lim = XSD_LIMITS_DEFAULT;
    if (!l)
        return;
#define XSD_TAKE(f) if (l->f) lim->f = l->f
    XSD_TAKE(nodes_per_domain);
    XSD_TAKE(watches_per_conn);
    XSD_TAKE(transactions_per_conn);
    XSD_TAKE(output_max_bytes);
    XSD_TAKE(txn_nodes_max);
    XSD_TAKE(perms_per_node);
#undef XSD_TAKE
}

static void xsd_free_scratch(struct xsd *d)
{
    if (d->chain)
        xs_free(d, d->chain);
    if (d->path)
        xs_free(d, d->path);
    if (d->walk_path)
        xs_free(d, d->walk_path);
    if (d->walk)
        xs_free(d, d->walk);
}

void xsd_free(struct xsd *d)
{
    while (d->conns)
        xsd_conn_free(d->conns);
    xs_node_put(d, d->root);
    while (d->domains) {
        struct xs_domain *x = d->domains;

        d->domains = x->next;
        xs_free(d, x);
    }
    xsd_free_scratch(d);
    xs_free(d, d);
}

struct xsd *xsd_new(const struct xsd_alloc *a, const struct xsd_limits *l)
{
    static const struct xs_perm dom0_only = { .domid = 0, .access = 0 };
    struct xs_view v = { NULL, NULL, 0 };
    struct xs_content *rc;
    struct xs_domain *x;
    struct xsd *d = a->alloc(a->ctx, sizeof(*d));

    if (!d)
        return NULL;
    memset(d, 0, sizeof(*d));
    d->a = *a;
    xsd_limits_fill(&d->lim, l);
    d->chain = xs_alloc(d, sizeof(*d->chain));
    d->path = xs_alloc(d, XS_PATH_MAX + 1);
    d->walk_path = xs_alloc(d, XS_PATH_MAX + 1);
    d->walk = xs_alloc(d, (XS_DEPTH_MAX + 2) * sizeof(*d->walk));
    x = xs_domain_get(d, 0);
    rc = xs_content_new(d, "", 0, NULL, 0, &dom0_only, 1);
    d->root = rc ? xs_node_new(d, rc, ++d->gen, 0) : NULL;
    if (!d->chain || !d->path || !d->walk_path || !d->walk || !x || !d->root)
        goto fail;
    x->nr_nodes = 1;
    v.d = d;
    if (xs_store_write(&v, "/local/domain", 13, NULL, 0, true) ||
        xs_store_write(&v, "/tool", 5, NULL, 0, true))
        goto fail;
    return d;

fail:
    xsd_free(d);
    return NULL;
}

/* A toolstack path into d->path. */
static int xsd_tool_path(struct xsd *d, const char *path, size_t *plen)
{
    if (!path)
        return XSD_EINVAL;
    return xs_path_resolve(path, strnlen(path, XENSTORE_REL_PATH_MAX + 1), 0, d->path, plen);
}

int xsd_tool_write(struct xsd *d, const char *path, const char *value, size_t len)
{
    const struct xs_view v = { d, NULL, 0 };
    size_t plen;
    int err;

    if (len > XENSTORE_PAYLOAD_MAX)
        return -XSD_E2BIG;
    if ((err = xsd_tool_path(d, path, &plen)))
        return -err;
    return -xs_store_write(&v, d->path, plen, value, len, false);
}

int xsd_tool_mkdir(struct xsd *d, const char *path)
{
    const struct xs_view v = { d, NULL, 0 };
    size_t plen;
    int err;

    if ((err = xsd_tool_path(d, path, &plen)))
        return -err;
    return -xs_store_write(&v, d->path, plen, NULL, 0, true);
}

int xsd_tool_rm(struct xsd *d, const char *path)
{
    const struct xs_view v = { d, NULL, 0 };
    size_t plen;
    int err;

    if ((err = xsd_tool_path(d, path, &plen)))
        return -err;
    return -xs_store_rm(&v, d->path, plen);
}

int xsd_tool_read(struct xsd *d, const char *path, char *buf, size_t *len)
{
    const struct xs_view v = { d, NULL, 0 };
    struct xs_node *n;
    size_t plen;
    int err;

    if ((err = xsd_tool_path(d, path, &plen)) || (err = xs_store_get(&v, d->path, plen, &n)))
        return -err;
    if (n->c->value_len > *len) {
        *len = n->c->value_len;
        return -XSD_E2BIG;
    }
    if (n->c->value_len)
        memcpy(buf, n->c->value, n->c->value_len);
    *len = n->c->value_len;
    return 0;
}

int xsd_tool_set_perms(struct xsd *d, const char *path, const char *perms, size_t len)
{
    const struct xs_view v = { d, NULL, 0 };
    struct xs_perm *p;
    size_t plen;
    uint32_t nr;
    int err;

    if (!perms)
        return -XSD_EINVAL;
    if ((err = xsd_tool_path(d, path, &plen)))
        return -err;
    p = xs_alloc(d, d->lim.perms_per_node * sizeof(*p));
    if (!p)
        return -XSD_ENOMEM;
    err = xs_perms_parse(perms, len, p, d->lim.perms_per_node, &nr);
    if (!err)
        err = xs_store_set_perms(&v, d->path, plen, p, nr);
    xs_free(d, p);
    return -err;
}

void xsd_domain_introduced(struct xsd *d, uint16_t domid)
{
    struct xs_domain *x = domid ? xs_domain_get(d, domid) : NULL;

    if (x)
        x->introduced = true;
    xs_watch_fire_special(d, "@introduceDomain");
}

void xsd_domain_released(struct xsd *d, uint16_t domid)
{
    struct xs_domain *x;

    if (domid == 0)
        return;
    /* Out of memory midway leaves some behind; the next release retries. */
    (void)xs_store_drop_domain(d, domid);
    x = xs_domain_find(d, domid);
    if (x) {
        x->introduced = false;
        xs_domain_gc(d);
    }
    xs_watch_fire_special(d, "@releaseDomain");
}

bool xsd_domain_is_introduced(const struct xsd *d, uint16_t domid)
{
    const struct xs_domain *x = xs_domain_find(d, domid);

    return domid == 0 || (x && x->introduced);
}

size_t xsd_nr_nodes(const struct xsd *d)
{
    size_t n = 0;

    for (const struct xs_domain *x = d->domains; x; x = x->next)
        n += x->nr_nodes;
    return n;
}

size_t xsd_domain_nr_nodes(const struct xsd *d, uint16_t domid)
{
    const struct xs_domain *x = xs_domain_find(d, domid);

    return x ? x->nr_nodes : 0;
}

size_t xsd_nr_watches(const struct xsd *d) { return d->nr_watches; }
size_t xsd_nr_transactions(const struct xsd *d) { return d->nr_txns; }
size_t xsd_nr_conns(const struct xsd *d) { return d->nr_conns; }
