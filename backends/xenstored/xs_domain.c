/*
 * Per-domain records: how many nodes of the published tree each domain
 * owns (the node quota), and whether it was introduced.
 *
 * Invariant: every domain that owns a node of the published tree has a
 * record whose nr_nodes counts exactly those nodes. A change in progress
 * adds to `pending` (creating records as needed, the only step that can
 * fail); publishing the change applies pending, dropping it zeroes it. A
 * record with nothing to count and not introduced is freed.
 *
 * Inside a transaction only the transaction's own domain is counted
 * (node_delta: nodes it created minus those it removed); its commit counts
 * again against the published tree.
 */
#include "xs_core.h"

struct xs_domain *xs_domain_find(const struct xsd *d, uint16_t domid)
{
    for (struct xs_domain *x = d->domains; x; x = x->next)
        if (x->domid == domid)
            return x;
    return NULL;
}

struct xs_domain *xs_domain_get(struct xsd *d, uint16_t domid)
{
    struct xs_domain *x = xs_domain_find(d, domid);

    if (x)
        return x;
    x = xs_alloc(d, sizeof(*x));
    if (!x)
        return NULL;
    x->domid = domid;
    x->introduced = false;
    x->nr_nodes = 0;
    x->pending = 0;
    x->next = d->domains;
    d->domains = x;
    return x;
}

void xs_domain_gc(struct xsd *d)
{
    struct xs_domain **pp = &d->domains;

    while (*pp) {
        struct xs_domain *x = *pp;

        if (x->nr_nodes == 0 && x->pending == 0 && !x->introduced) {
            *pp = x->next;
            xs_free(d, x);
        } else {
            pp = &x->next;
        }
    }
}

int xs_acct_add(struct xs_acct *a, uint16_t owner, int32_t delta)
{
    struct xs_domain *x;

    if (a->txn) {
        if (owner == a->txn->domid)
            a->txn->pending += delta;
        return 0;
    }
    x = xs_domain_get(a->d, owner);
    if (!x)
        return XSD_ENOMEM;
    x->pending += delta;
    return 0;
}

/* Counts the removal of n and every node below it. */
int xs_acct_subtree(struct xs_acct *a, struct xs_node *n)
{
    struct xs_walk_frame *w = a->d->walk;
    uint32_t sp = 0;
    int err = 0;

    w[sp].n = n;
    w[sp++].next = 0;
    while (sp) {
        struct xs_walk_frame *top = &w[sp - 1];

        if (top->next == 0 && !err)
            err = xs_acct_add(a, xs_node_owner(top->n), -1);
        if (top->next < top->n->nr_children) {
            BUG_ON(sp > XS_DEPTH_MAX); /* no node is deeper */
            w[sp].n = top->n->children[top->next++];
            w[sp++].next = 0;
        } else {
            sp--;
        }
    }
    return err;
}

void xs_acct_apply(struct xs_acct *a)
{
    if (a->txn) {
        a->txn->node_delta += a->txn->pending;
        a->txn->pending = 0;
        return;
    }
    for (struct xs_domain *x = a->d->domains; x; x = x->next) {
        x->nr_nodes = (uint32_t)((int64_t)x->nr_nodes + x->pending);
        x->pending = 0;
    }
    xs_domain_gc(a->d);
}

void xs_acct_drop(struct xs_acct *a)
{
    if (a->txn) {
        a->txn->pending = 0;
        return;
    }
    for (struct xs_domain *x = a->d->domains; x; x = x->next)
        x->pending = 0;
    xs_domain_gc(a->d);
}

/* ENOSPC if creator (not domain 0) may not own `more` further nodes. */
int xs_acct_quota(struct xs_acct *a, uint16_t creator, uint32_t more)
{
    const struct xs_domain *x;
    int64_t owned;

    if (creator == 0)
        return 0;
    x = xs_domain_find(a->d, creator);
    owned = x ? (int64_t)x->nr_nodes + x->pending : 0;
    if (a->txn && a->txn->domid == creator)
        owned += (int64_t)a->txn->node_delta + a->txn->pending;
    if (owned + more > (int64_t)a->d->lim.nodes_per_domain)
        return XSD_ENOSPC;
    return 0;
}
