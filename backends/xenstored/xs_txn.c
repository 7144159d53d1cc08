/*
 * Transactions: a snapshot, a private version, and the paths touched.
 *
 * TRANSACTION_START takes a reference to the published root (base) and
 * starts a private version (work) from it; requests with the transaction's
 * id read and change work only. Every path a request looks at is recorded
 * once, with its generation in base (0: absent there), and flagged when the
 * transaction changed it; changes that watches should see are flagged too.
 *
 * Commit ("T"): if any recorded path has another generation (or existence)
 * in the published tree than in base, someone else changed what this
 * transaction saw: EAGAIN, nothing applied. Otherwise the changed paths,
 * shallow first, get their state from work in a new version of the
 * published tree: a node absent from work is removed; a present one takes
 * work's content and keeps those of its published children that work
 * still has (children work created are changed paths of their own, handled
 * after it). Untouched subtrees keep any change committed meanwhile, which
 * cannot matter to this transaction: it never looked at them. The new
 * version counts nodes again (ENOSPC if the domain's quota no longer
 * allows what it created), and is published only when all of it was built;
 * then watches fire for the flagged paths. "F", a failed commit and closing
 * the connection discard the transaction.
 */
#include "xs_core.h"

static void xs_txn_free(struct xsd *d, struct xs_txn *t)
{
    xs_node_put(d, t->base);
    xs_node_put(d, t->work);
    for (uint32_t i = 0; i < t->nr_entries; i++)
        xs_free(d, t->entries[i]);
    if (t->entries)
        xs_free(d, t->entries);
    xs_free(d, t);
}

struct xs_txn *xs_txn_find(struct xsd_conn *c, uint32_t id)
{
    for (struct xs_txn *t = c->txns; t; t = t->next)
        if (t->id == id)
            return t;
    return NULL;
}

int xs_txn_start(struct xsd_conn *c, uint32_t *id)
{
    struct xsd *d = c->d;
    struct xs_txn *t;

    if (c->nr_txns >= d->lim.transactions_per_conn)
        return XSD_ENOSPC;
    t = xs_alloc(d, sizeof(*t));
    if (!t)
        return XSD_ENOMEM;
    memset(t, 0, sizeof(*t));
    do
        t->id = ++d->last_txn_id;
    while (t->id == 0 || xs_txn_find(c, t->id));
    t->base = xs_node_get(d->root);
    t->work = xs_node_get(d->root);
    t->domid = c->domid;
    t->next = c->txns;
    c->txns = t;
    c->nr_txns++;
    d->nr_txns++;
    *id = t->id;
    return 0;
}

static struct xs_txn_entry *xs_txn_entry(struct xs_txn *t, const char *path, size_t len)
{
    for (uint32_t i = 0; i < t->nr_entries; i++)
        if (t->entries[i]->len == len && memcmp(t->entries[i]->path, path, len) == 0)
            return t->entries[i];
    return NULL;
}

/* Records path (flagged if modified); ENOSPC past txn_nodes_max paths. */
int xs_txn_touch(struct xsd *d, struct xs_txn *t, const char *path, size_t len, bool modified)
{
    struct xs_txn_entry *e = xs_txn_entry(t, path, len);
    struct xs_node *n;

    if (e) {
        e->modified |= modified;
        return 0;
    }
    if (t->nr_entries >= d->lim.txn_nodes_max)
        return XSD_ENOSPC;
    if (t->nr_entries == t->cap_entries) {
        uint32_t cap = MIN(MAX(t->cap_entries * 2, 8u), d->lim.txn_nodes_max);
        struct xs_txn_entry **na = xs_alloc(d, cap * sizeof(*na));

        if (!na)
            return XSD_ENOMEM;
        if (t->entries) {
            memcpy(na, t->entries, t->nr_entries * sizeof(*na));
            xs_free(d, t->entries);
        }
        t->entries = na;
        t->cap_entries = cap;
    }
    e = xs_alloc(d, sizeof(*e) + len + 1);
    if (!e)
        return XSD_ENOMEM;
    n = xs_node_lookup(t->base, path, len);
    e->base_gen = n ? n->gen : 0;
    e->modified = modified;
    e->event = e->event_rm = false;
    e->len = (uint32_t)len;
    memcpy(e->path, path, len);
    e->path[len] = '\0';
    t->entries[t->nr_entries++] = e;
    return 0;
}

/* A change of path that watchers are told about at commit. */
void xs_txn_event(struct xs_txn *t, const char *path, size_t len, bool rm)
{
    struct xs_txn_entry *e = xs_txn_entry(t, path, len);

    if (e) {
        e->event = true;
        e->event_rm |= rm;
    }
}

static uint32_t xs_txn_depth(const struct xs_txn_entry *e)
{
    uint32_t n = 0;

    for (uint32_t i = 1; i < e->len; i++)
        n += e->path[i] == '/';
    return e->len > 1 ? n + 1 : 0;
}

/* Gives the node at e's path in *root the state it has in t->work. */
static int xs_txn_merge(struct xsd *d, struct xs_txn *t, struct xs_node **root,
                        const struct xs_txn_entry *e, struct xs_acct *a)
{
    struct xs_chain *ch = d->chain;
    struct xs_node *w = xs_node_lookup(t->work, e->path, e->len), *m, *n, *nr;
    uint32_t kept = 0, j = 0;

    xs_chain_walk(ch, *root, e->path, e->len);
    m = ch->exist == ch->depth + 1 ? ch->nodes[ch->depth] : NULL;
    if (!w && !m)
        return 0;
    if (!w) {
        if (xs_acct_subtree(a, m))
            return XSD_ENOMEM;
        nr = xs_chain_rebuild(d, ch, ch->depth, NULL);
    } else {
        if (!m && ch->exist != ch->depth)
            return XSD_EAGAIN; /* no parent: only a conflict could do this */
        for (uint32_t i = 0; m && i < m->nr_children; i++) {
            const struct xs_content *c = m->children[i]->c;

            kept += xs_node_child(w, c->name, c->name_len, NULL) != NULL;
        }
        w->c->refcnt++;
        n = xs_node_new(d, w->c, ++d->gen, kept);
        if (!n)
            return XSD_ENOMEM;
        for (uint32_t i = 0; m && i < m->nr_children; i++) {
            struct xs_node *ch_m = m->children[i];

            if (xs_node_child(w, ch_m->c->name, ch_m->c->name_len, NULL))
                n->children[j++] = xs_node_get(ch_m);
            else if (xs_acct_subtree(a, ch_m))
                goto nomem;
        }
        if (m && xs_node_owner(m) != xs_node_owner(w) && xs_acct_add(a, xs_node_owner(m), -1))
            goto nomem;
        if ((!m || xs_node_owner(m) != xs_node_owner(w)) && xs_acct_add(a, xs_node_owner(w), 1))
            goto nomem;
        nr = xs_chain_rebuild(d, ch, ch->depth, n);
    }
    if (!nr)
        return XSD_ENOMEM;
    xs_node_put(d, *root);
    *root = nr;
    return 0;

nomem:
    n->nr_children = j; /* only those taken so far are released */
    xs_node_put(d, n);
    return XSD_ENOMEM;
}

static int xs_txn_commit(struct xsd *d, struct xs_txn *t)
{
    struct xs_acct a = { d, NULL };
    struct xs_txn_entry **order;
    struct xs_node *root, *old;
    uint32_t nmod = 0;
    int err = 0;

    for (uint32_t i = 0; i < t->nr_entries; i++) {
        const struct xs_txn_entry *e = t->entries[i];
        const struct xs_node *cur = xs_node_lookup(d->root, e->path, e->len);

        if ((cur ? cur->gen : 0) != e->base_gen)
            return XSD_EAGAIN;
        nmod += e->modified;
    }
    if (nmod == 0)
        return 0;
    order = xs_alloc(d, nmod * sizeof(*order));
    if (!order)
        return XSD_ENOMEM;
    nmod = 0;
    for (uint32_t i = 0; i < t->nr_entries; i++) {
        struct xs_txn_entry *e = t->entries[i];
        uint32_t k;

        if (!e->modified)
            continue;
        k = nmod++;
        for (; k > 0 && xs_txn_depth(order[k - 1]) > xs_txn_depth(e); k--)
            order[k] = order[k - 1];
        order[k] = e;
    }

    root = xs_node_get(d->root);
    for (uint32_t i = 0; i < nmod && !err; i++)
        err = xs_txn_merge(d, t, &root, order[i], &a);
    xs_free(d, order);
    if (!err && t->domid != 0) {
        const struct xs_domain *x = xs_domain_find(d, t->domid);

        if (x && x->pending > 0 && (int64_t)x->nr_nodes + x->pending > d->lim.nodes_per_domain)
            err = XSD_ENOSPC;
    }
    if (err) {
        xs_node_put(d, root);
        xs_acct_drop(&a);
        return err;
    }

    old = d->root;
    d->root = root;
    xs_acct_apply(&a);
    for (uint32_t i = 0; i < t->nr_entries; i++) {
        const struct xs_txn_entry *e = t->entries[i];

        if (e->event)
            xs_watch_fire(d, old, root, e->path, e->len, e->event_rm);
    }
    xs_node_put(d, old);
    return 0;
}

/* Ends t (commit or discard); it is gone either way. */
int xs_txn_end(struct xsd_conn *c, struct xs_txn *t, bool commit)
{
    struct xs_txn **pp = &c->txns;
    int err;

    while (*pp != t)
        pp = &(*pp)->next;
    *pp = t->next;
    c->nr_txns--;
    c->d->nr_txns--;
    err = commit ? xs_txn_commit(c->d, t) : 0;
    xs_txn_free(c->d, t);
    return err;
}

void xs_txn_free_all(struct xsd_conn *c)
{
    while (c->txns)
        xs_txn_end(c, c->txns, false);
}
