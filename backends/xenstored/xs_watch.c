/*
 * Watches and watch events.
 *
 * A watch is (path, token) on one connection; path is resolved when it was
 * given relative (events then name paths relative to the same home), or
 * special ("@introduceDomain", "@releaseDomain"). A change of path P
 * (write, mkdir, rm, set-perms, or a committed transaction's) fires every
 * watch whose path is P or an ancestor of P, with P as event path; an rm of
 * P also fires the watches below P, each with its own path (xenstore.txt).
 *
 * Events carry no data, but their existence tells that a node changed, so
 * (security.md, XSA-115) a watcher only hears of nodes it may read: the
 * node after the change or, if it is gone, before; for a watch below a
 * removed node, the deepest node of the watched path that existed. Special
 * events go to domain 0's connections only: they tell of other domains.
 *
 * An event larger than XENSTORE_PAYLOAD_MAX (XSA-324), or one that would
 * take the connection's pending output past output_max_bytes, is dropped
 * and counted; watches may miss events, as in Xen, but memory stays bound.
 */
#include "xs_core.h"

int xs_watch_add(struct xsd_conn *c, const char *path, size_t plen, bool relative,
                 const char *token, size_t tlen, struct xs_watch **out)
{
    struct xsd *d = c->d;
    struct xs_watch *w, **tail = &c->watches;

    for (; *tail; tail = &(*tail)->next) {
        w = *tail;
        if (w->path_len == plen && w->token_len == tlen && memcmp(w->path, path, plen) == 0 &&
            memcmp(w->token, token, tlen) == 0)
            return XSD_EEXIST;
    }
    if (c->nr_watches >= d->lim.watches_per_conn)
        return XSD_E2BIG;
    w = xs_alloc(d, sizeof(*w) + plen + 1 + tlen + 1);
    if (!w)
        return XSD_ENOMEM;
    w->next = NULL;
    w->relative = relative;
    w->path_len = (uint32_t)plen;
    w->token_len = (uint32_t)tlen;
    w->path = (char *)(w + 1);
    memcpy(w->path, path, plen);
    w->path[plen] = '\0';
    w->token = w->path + plen + 1;
    memcpy(w->token, token, tlen);
    w->token[tlen] = '\0';
    *tail = w;
    *out = w;
    c->nr_watches++;
    d->nr_watches++;
    return 0;
}

int xs_watch_del(struct xsd_conn *c, const char *path, size_t plen, const char *token, size_t tlen)
{
    for (struct xs_watch **pp = &c->watches; *pp; pp = &(*pp)->next) {
        struct xs_watch *w = *pp;

        if (w->path_len == plen && w->token_len == tlen && memcmp(w->path, path, plen) == 0 &&
            memcmp(w->token, token, tlen) == 0) {
            *pp = w->next;
            xs_free(c->d, w);
            c->nr_watches--;
            c->d->nr_watches--;
            return 0;
        }
    }
    return XSD_ENOENT;
}

void xs_watch_free_all(struct xsd_conn *c)
{
    while (c->watches) {
        struct xs_watch *w = c->watches;

        c->watches = w->next;
        xs_free(c->d, w);
        c->nr_watches--;
        c->d->nr_watches--;
    }
}

/* Queues one event of w for (absolute or special) path, or counts a drop. */
void xs_watch_event(struct xsd_conn *c, const struct xs_watch *w, const char *path, size_t len)
{
    struct xs_outmsg *m;
    size_t plen;
    char home[XS_HOME_MAX + 1];

    if (c->bad)
        return;
    if (w->relative) {
        size_t hl = xs_path_home(c->domid, home);

        if (len > hl + 1 && memcmp(path, home, hl) == 0 && path[hl] == '/') {
            path += hl + 1;
            len -= hl + 1;
        }
    }
    plen = len + 1 + w->token_len + 1;
    if (plen > XENSTORE_PAYLOAD_MAX ||
        c->out_bytes + sizeof(struct xsd_sockmsg) + plen > c->d->lim.output_max_bytes ||
        !(m = xs_out_alloc(c, XS_WATCH_EVENT, 0, 0, plen))) {
        c->events_dropped++;
        return;
    }
    memcpy(m->data + sizeof(struct xsd_sockmsg), path, len);
    m->data[sizeof(struct xsd_sockmsg) + len] = '\0';
    memcpy(m->data + sizeof(struct xsd_sockmsg) + len + 1, w->token, w->token_len + 1);
    xs_out_queue(c, m);
}

/* The deepest node of path that exists in root. */
static struct xs_node *xs_deepest(struct xs_node *root, const char *path, size_t len)
{
    struct xs_node *n = root, *next;
    size_t pos = 1;

    while (pos < len) {
        size_t e = pos;

        while (e < len && path[e] != '/')
            e++;
        next = xs_node_child(n, path + pos, e - pos, NULL);
        if (!next)
            break;
        n = next;
        pos = e + 1;
    }
    return n;
}

static bool xs_may_read(const struct xs_node *n, uint16_t domid)
{
    return n && (xs_node_access(n, domid) & XS_PERM_READ);
}

void xs_watch_fire(struct xsd *d, struct xs_node *old_root, struct xs_node *new_root,
                   const char *path, size_t len, bool rm)
{
    const struct xs_node *n = xs_node_lookup(new_root, path, len);

    if (!n)
        n = xs_node_lookup(old_root, path, len);
    for (struct xsd_conn *c = d->conns; c; c = c->next) {
        for (struct xs_watch *w = c->watches; w; w = w->next) {
            if (w->path[0] == '@')
                continue;
            if (xs_path_is_child(path, len, w->path, w->path_len)) {
                if (xs_may_read(n, c->domid))
                    xs_watch_event(c, w, path, len);
            } else if (rm && xs_path_is_child(w->path, w->path_len, path, len)) {
                if (xs_may_read(xs_deepest(old_root, w->path, w->path_len), c->domid))
                    xs_watch_event(c, w, w->path, w->path_len);
            }
        }
    }
}

void xs_watch_fire_special(struct xsd *d, const char *name)
{
    size_t len = strlen(name);

    for (struct xsd_conn *c = d->conns; c; c = c->next) {
        if (c->domid != 0)
            continue;
        for (struct xs_watch *w = c->watches; w; w = w->next)
            if (w->path_len == len && memcmp(w->path, name, len) == 0)
                xs_watch_event(c, w, name, len);
    }
}
