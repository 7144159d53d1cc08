/*
 * The store operations, on the published tree or inside a transaction.
 *
 * Each operation first checks everything (existence, permissions, quota)
 * without side effects, then builds the new tree version, which can only
 * fail for lack of memory and then leaves everything as it was, then
 * publishes it. Publishing the published tree fires the watches of the
 * change; inside a transaction it replaces the transaction's own version
 * and records the change for the commit.
 *
 * Rules (Xen's xenstore.txt, Xenia's security.md):
 *  - read, directory, get-perms need read access to the node;
 *  - write needs write access to the node, or to its nearest existing
 *    ancestor when it creates it (and the missing parents);
 *  - created nodes inherit the permissions of that ancestor, owned by the
 *    creating domain unless that is domain 0;
 *  - rm needs write access to the node; "/" cannot be removed;
 *  - set-perms is for the owner and domain 0; only domain 0 may change
 *    the owner (EPERM).
 * Paths here are resolved and valid (xs_path_resolve).
 */
#include "xs_core.h"

static struct xs_node *xs_view_root(const struct xs_view *v)
{
    return v->txn ? v->txn->work : v->d->root;
}

/* root becomes the published tree; watches see old and new versions. */
void xs_store_publish(struct xsd *d, struct xs_node *root, struct xs_acct *a,
                      const char *epath, size_t elen, bool rm)
{
    struct xs_node *old = d->root;

    d->root = root;
    xs_acct_apply(a);
    if (epath)
        xs_watch_fire(d, old, root, epath, elen, rm);
    xs_node_put(d, old);
}

static void xs_view_publish(const struct xs_view *v, struct xs_node *root, struct xs_acct *a,
                            const char *path, size_t len, bool rm)
{
    if (!v->txn) {
        xs_store_publish(v->d, root, a, path, len, rm);
        return;
    }
    xs_node_put(v->d, v->txn->work);
    v->txn->work = root;
    xs_acct_apply(a);
    xs_txn_event(v->txn, path, len, rm);
}

/* A copy of n with content c (reference taken over) and a new generation. */
static struct xs_node *xs_node_recontent(struct xsd *d, const struct xs_node *n, struct xs_content *c)
{
    struct xs_node *nn;

    if (!c)
        return NULL;
    nn = xs_node_new(d, c, ++d->gen, n->nr_children);
    if (!nn)
        return NULL;
    for (uint32_t i = 0; i < n->nr_children; i++)
        nn->children[i] = xs_node_get(n->children[i]);
    return nn;
}

int xs_store_get(const struct xs_view *v, const char *path, size_t len, struct xs_node **out)
{
    struct xs_node *n;
    int err;

    if (v->txn && (err = xs_txn_touch(v->d, v->txn, path, len, false)))
        return err;
    n = xs_node_lookup(xs_view_root(v), path, len);
    if (!n)
        return XSD_ENOENT;
    if (!(xs_node_access(n, v->caller) & XS_PERM_READ))
        return XSD_EACCES;
    *out = n;
    return 0;
}

/* Touches the chain's levels from..depth of path. */
static int xs_touch_levels(const struct xs_view *v, const struct xs_chain *ch, const char *path,
                           uint32_t from, bool modified)
{
    int err = 0;

    for (uint32_t l = from; l <= ch->depth && !err; l++)
        err = xs_txn_touch(v->d, v->txn, path, ch->prefix[l], modified);
    return err;
}

static int xs_store_update(const struct xs_view *v, const char *path, size_t len,
                           const void *value, size_t vlen)
{
    struct xsd *d = v->d;
    const struct xs_chain *ch = d->chain;
    struct xs_node *target = ch->nodes[ch->depth], *n, *root;
    struct xs_acct a = { d, v->txn };
    const struct xs_content *tc = target->c;
    int err;

    if (!(xs_node_access(target, v->caller) & XS_PERM_WRITE))
        return XSD_EACCES;
    if (v->txn && (err = xs_txn_touch(d, v->txn, path, len, true)))
        return err;
    n = xs_node_recontent(d, target, xs_content_new(d, tc->name, tc->name_len, value, vlen,
                                                    tc->perms, tc->nr_perms));
    if (!n)
        return XSD_ENOMEM;
    root = xs_chain_rebuild(d, ch, ch->depth, n);
    if (!root)
        return XSD_ENOMEM;
    xs_view_publish(v, root, &a, path, len, false);
    return 0;
}

int xs_store_write(const struct xs_view *v, const char *path, size_t len, const void *value,
                   size_t vlen, bool mkdir)
{
    struct xsd *d = v->d;
    struct xs_chain *ch = d->chain;
    struct xs_acct a = { d, v->txn };
    struct xs_node *anc, *cur = NULL, *root;
    const struct xs_perm *perms = NULL;
    uint16_t owner;
    uint32_t more;
    int err;

    xs_chain_walk(ch, xs_view_root(v), path, len);
    if (ch->exist == ch->depth + 1) {
        if (!mkdir)
            return xs_store_update(v, path, len, value, vlen);
        return v->txn ? xs_txn_touch(d, v->txn, path, len, false) : 0;
    }
    anc = ch->nodes[ch->exist - 1];
    if (!(xs_node_access(anc, v->caller) & XS_PERM_WRITE))
        return XSD_EACCES;
    more = ch->depth - ch->exist + 1;
    if ((err = xs_acct_quota(&a, v->caller, more)))
        return err;
    if (v->txn && (err = xs_touch_levels(v, ch, path, ch->exist - 1, true)))
        return err;

    owner = v->caller ? v->caller : xs_node_owner(anc);
    perms = anc->c->perms;
    for (uint32_t l = ch->depth; l >= ch->exist; l--) {
        bool leaf = l == ch->depth && !mkdir;
        struct xs_content *c = xs_content_new(d, ch->comp[l], ch->comp_len[l], leaf ? value : NULL,
                                              leaf ? vlen : 0, perms, anc->c->nr_perms);
        struct xs_node *n;

        if (c)
            c->perms[0].domid = owner;
        n = c ? xs_node_new(d, c, ++d->gen, cur ? 1 : 0) : NULL;
        if (!n) {
            xs_node_put(d, cur);
            return XSD_ENOMEM;
        }
        if (cur)
            n->children[0] = cur;
        cur = n;
    }
    if (xs_acct_add(&a, owner, (int32_t)more)) {
        xs_node_put(d, cur);
        return XSD_ENOMEM;
    }
    root = xs_chain_rebuild(d, ch, ch->exist, cur);
    if (!root) {
        xs_acct_drop(&a);
        return XSD_ENOMEM;
    }
    xs_view_publish(v, root, &a, path, len, false);
    return 0;
}

int xs_store_rm(const struct xs_view *v, const char *path, size_t len)
{
    struct xsd *d = v->d;
    struct xs_chain *ch = d->chain;
    struct xs_acct a = { d, v->txn };
    struct xs_node *target, *root;
    int err;

    if (len == 1)
        return XSD_EINVAL; /* "/" */
    xs_chain_walk(ch, xs_view_root(v), path, len);
    if (ch->exist <= ch->depth) {
        if (v->txn && (err = xs_touch_levels(v, ch, path, ch->depth - 1, false)))
            return err;
        /* absent: fine if its parent exists */
        return ch->exist == ch->depth ? 0 : XSD_ENOENT;
    }
    target = ch->nodes[ch->depth];
    if (!(xs_node_access(target, v->caller) & XS_PERM_WRITE))
        return XSD_EACCES;
    if (v->txn && (err = xs_touch_levels(v, ch, path, ch->depth - 1, true)))
        return err;
    if (xs_acct_subtree(&a, target)) {
        xs_acct_drop(&a);
        return XSD_ENOMEM;
    }
    root = xs_chain_rebuild(d, ch, ch->depth, NULL);
    if (!root) {
        xs_acct_drop(&a);
        return XSD_ENOMEM;
    }
    xs_view_publish(v, root, &a, path, len, true);
    return 0;
}

int xs_store_set_perms(const struct xs_view *v, const char *path, size_t len,
                       const struct xs_perm *perms, uint32_t nr)
{
    struct xsd *d = v->d;
    struct xs_chain *ch = d->chain;
    struct xs_acct a = { d, v->txn };
    struct xs_node *target, *n, *root;
    uint16_t owner;
    int err;

    xs_chain_walk(ch, xs_view_root(v), path, len);
    if (ch->exist <= ch->depth) {
        if (v->txn && (err = xs_txn_touch(d, v->txn, path, len, false)))
            return err;
        return XSD_ENOENT;
    }
    target = ch->nodes[ch->depth];
    owner = xs_node_owner(target);
    if (v->caller != 0 && v->caller != owner)
        return XSD_EACCES;
    if (v->caller != 0 && perms[0].domid != owner)
        return XSD_EPERM;
    if (nr == 0)
        return XSD_EINVAL;
    if (nr > d->lim.perms_per_node)
        return XSD_ENOSPC;
    if (v->txn && (err = xs_txn_touch(d, v->txn, path, len, true)))
        return err;
    n = xs_node_recontent(d, target, xs_content_new(d, target->c->name, target->c->name_len,
                                                    target->c->value, target->c->value_len,
                                                    perms, nr));
    if (!n)
        return XSD_ENOMEM;
    if (perms[0].domid != owner &&
        (xs_acct_add(&a, owner, -1) || xs_acct_add(&a, perms[0].domid, 1))) {
        xs_acct_drop(&a);
        xs_node_put(d, n);
        return XSD_ENOMEM;
    }
    root = xs_chain_rebuild(d, ch, ch->depth, n);
    if (!root) {
        xs_acct_drop(&a);
        return XSD_ENOMEM;
    }
    xs_view_publish(v, root, &a, path, len, false);
    return 0;
}

/*
 * Depth-first search of the published tree for the first node that
 * matches; its path is left in d->walk_path (length *len).
 */
static bool xs_store_find(struct xsd *d, bool (*match)(const struct xs_node *, uint16_t),
                          uint16_t domid, size_t *len)
{
    struct xs_walk_frame *w = d->walk;
    char *p = d->walk_path;
    uint32_t sp = 0;

    p[0] = '/';
    w[sp].n = d->root;
    w[sp].next = 0;
    w[sp++].path_len = 1;
    while (sp) {
        struct xs_walk_frame *top = &w[sp - 1];

        if (top->next == 0 && match(top->n, domid)) {
            *len = top->path_len;
            return true;
        }
        if (top->next < top->n->nr_children) {
            const struct xs_content *c = top->n->children[top->next++]->c;
            uint32_t at = top->path_len == 1 ? 1 : top->path_len + 1;

            BUG_ON(sp > XS_DEPTH_MAX || at + c->name_len > XS_PATH_MAX);
            p[at - 1] = '/';
            memcpy(p + at, c->name, c->name_len);
            w[sp].n = top->n->children[top->next - 1];
            w[sp].next = 0;
            w[sp++].path_len = at + c->name_len;
        } else {
            sp--;
        }
    }
    return false;
}

static bool xs_owned_by(const struct xs_node *n, uint16_t domid)
{
    return xs_node_owner(n) == domid;
}

static bool xs_names(const struct xs_node *n, uint16_t domid)
{
    for (uint32_t i = 1; i < n->c->nr_perms; i++)
        if (n->c->perms[i].domid == domid)
            return true;
    return false;
}

/*
 * n's permissions without the entries naming domid (from entry 1 on), and
 * with owner domain 0 if chown.
 */
static int xs_store_strip(struct xsd *d, size_t len, uint16_t domid, bool chown)
{
    const struct xs_view v = { d, NULL, 0 };
    const struct xs_content *c = xs_node_lookup(d->root, d->walk_path, len)->c;
    struct xs_perm *keep = xs_alloc(d, c->nr_perms * sizeof(*keep));
    uint32_t nr = 0;
    int err;

    if (!keep)
        return XSD_ENOMEM;
    for (uint32_t i = 0; i < c->nr_perms; i++)
        if (i == 0 || c->perms[i].domid != domid)
            keep[nr++] = c->perms[i];
    if (chown)
        keep[0].domid = 0;
    err = xs_store_set_perms(&v, d->walk_path, len, keep, nr);
    xs_free(d, keep);
    return err;
}

/*
 * A released domain leaves nothing a later domain with its id could use:
 * its nodes go (but "/", which domain 0 takes back), and so do the entries
 * naming it in other nodes' lists.
 */
int xs_store_drop_domain(struct xsd *d, uint16_t domid)
{
    const struct xs_view v = { d, NULL, 0 };
    size_t len;
    int err;

    while (xs_store_find(d, xs_owned_by, domid, &len)) {
        err = len == 1 ? xs_store_strip(d, len, domid, true) : xs_store_rm(&v, d->walk_path, len);
        if (err)
            return err;
    }
    while (xs_store_find(d, xs_names, domid, &len))
        if ((err = xs_store_strip(d, len, domid, false)))
            return err;
    return 0;
}
