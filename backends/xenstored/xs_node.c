/*
 * Store nodes: immutable, reference-counted, shared between tree versions.
 *
 * A node is a header with its sorted child pointers, plus a content (name,
 * value, permissions) that copies of the node share. Nothing here changes
 * a node reachable from a published root: xs_chain_rebuild() builds new
 * ancestors for a replaced node and returns a new root; the caller publishes
 * it or drops it.
 */
#include "xs_core.h"

struct xs_content *xs_content_new(struct xsd *d, const char *name, size_t name_len,
                                  const void *value, size_t value_len,
                                  const struct xs_perm *perms, uint32_t nr_perms)
{
    size_t perms_bytes = (size_t)nr_perms * sizeof(struct xs_perm);
    struct xs_content *c;
    uint8_t *tail;

    c = xs_alloc(d, sizeof(*c) + perms_bytes + name_len + 1 + value_len);
    if (!c)
        return NULL;
    tail = (uint8_t *)(c + 1);
    c->refcnt = 1;
    c->name_len = (uint32_t)name_len;
    c->value_len = (uint32_t)value_len;
    c->nr_perms = nr_perms;
    c->perms = (struct xs_perm *)tail;
    memcpy(c->perms, perms, perms_bytes);
    c->name = (char *)tail + perms_bytes;
    memcpy(c->name, name, name_len);
    c->name[name_len] = '\0';
    c->value = (uint8_t *)c->name + name_len + 1;
    if (value_len)
        memcpy(c->value, value, value_len);
    return c;
}

void xs_content_put(struct xsd *d, struct xs_content *c)
{
    if (--c->refcnt == 0)
        xs_free(d, c);
}

/* Takes over the caller's reference to c, even when it fails. */
struct xs_node *xs_node_new(struct xsd *d, struct xs_content *c, uint64_t gen, uint32_t nr_children)
{
    struct xs_node *n = xs_alloc(d, sizeof(*n) + (size_t)nr_children * sizeof(n->children[0]));

    if (!n) {
        xs_content_put(d, c);
        return NULL;
    }
    n->refcnt = 1;
    n->nr_children = nr_children;
    n->gen = gen;
    n->c = c;
    n->free_next = NULL;
    return n;
}

struct xs_node *xs_node_get(struct xs_node *n)
{
    n->refcnt++;
    return n;
}

/* Drops one reference; frees n and whatever only it held, without recursion. */
void xs_node_put(struct xsd *d, struct xs_node *n)
{
    struct xs_node *todo;

    if (!n || --n->refcnt)
        return;
    n->free_next = NULL;
    todo = n;
    while (todo) {
        struct xs_node *x = todo;

        todo = x->free_next;
        for (uint32_t i = 0; i < x->nr_children; i++) {
            struct xs_node *ch = x->children[i];

            if (--ch->refcnt == 0) {
                ch->free_next = todo;
                todo = ch;
            }
        }
        xs_content_put(d, x->c);
        xs_free(d, x);
    }
}

int xs_name_cmp(const char *a, size_t alen, const char *b, size_t blen)
{
    int r = memcmp(a, b, MIN(alen, blen));

    if (r)
        return r;
    return alen < blen ? -1 : alen > blen ? 1 : 0;
}

/* The child called name, or NULL; *slot: its index, or where it would go. */
struct xs_node *xs_node_child(const struct xs_node *n, const char *name, size_t len, uint32_t *slot)
{
    uint32_t lo = 0, hi = n->nr_children;

    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        const struct xs_content *c = n->children[mid]->c;
        int r = xs_name_cmp(name, len, c->name, c->name_len);

        if (r == 0) {
            if (slot)
                *slot = mid;
            return n->children[mid];
        }
        if (r < 0)
            hi = mid;
        else
            lo = mid + 1;
    }
    if (slot)
        *slot = lo;
    return NULL;
}

/* Next component of an absolute path at *pos (start: 1); false at the end. */
static bool xs_next_comp(const char *path, size_t len, size_t *pos, size_t *start, size_t *clen)
{
    size_t p = *pos, e;

    if (p >= len)
        return false;
    for (e = p; e < len && path[e] != '/'; e++)
        ;
    *start = p;
    *clen = e - p;
    *pos = e + 1;
    return true;
}

/* The node at a valid absolute path, or NULL. */
struct xs_node *xs_node_lookup(struct xs_node *root, const char *path, size_t len)
{
    struct xs_node *n = root;
    size_t pos = 1, start, clen;

    while (n && xs_next_comp(path, len, &pos, &start, &clen))
        n = xs_node_child(n, path + start, clen, NULL);
    return n;
}

void xs_chain_walk(struct xs_chain *ch, struct xs_node *root, const char *path, size_t len)
{
    size_t pos = 1, start, clen;
    uint32_t i = 0;

    ch->nodes[0] = root;
    ch->comp[0] = path;
    ch->comp_len[0] = 0;
    ch->prefix[0] = 1;
    ch->exist = 0;
    while (xs_next_comp(path, len, &pos, &start, &clen)) {
        i++;
        BUG_ON(i > XS_DEPTH_MAX); /* paths are validated: <= XS_PATH_MAX bytes */
        ch->comp[i] = path + start;
        ch->comp_len[i] = (uint32_t)clen;
        ch->prefix[i] = (uint32_t)(start + clen);
        if (!ch->exist) {
            ch->nodes[i] = xs_node_child(ch->nodes[i - 1], path + start, clen, NULL);
            if (!ch->nodes[i])
                ch->exist = i;
        }
    }
    ch->depth = i;
    if (!ch->exist)
        ch->exist = i + 1;
}

/*
 * A new root in which the node at `level` of the chain is repl (NULL: that
 * node removed), sharing everything else. Levels 0..level-1 must exist.
 * Takes over the reference to repl; NULL when out of memory (nothing kept).
 * A parent whose set of children changes gets a new generation; one whose
 * child pointer is merely replaced keeps its own.
 */
struct xs_node *xs_chain_rebuild(struct xsd *d, const struct xs_chain *ch, uint32_t level,
                                 struct xs_node *repl)
{
    struct xs_node *cur = repl;

    BUG_ON(level >= ch->exist + 1 || (level == 0 && !repl));
    for (uint32_t i = level; i >= 1; i--) {
        const struct xs_node *parent = ch->nodes[i - 1];
        uint32_t slot, nr = parent->nr_children, j = 0;
        struct xs_node *old = xs_node_child(parent, ch->comp[i], ch->comp_len[i], &slot);
        uint64_t gen = parent->gen;
        struct xs_node *np;

        BUG_ON(!cur && !old);
        if (!cur)
            nr--;
        else if (!old)
            nr++;
        if (!cur || !old)
            gen = ++d->gen;
        parent->c->refcnt++;
        np = xs_node_new(d, parent->c, gen, nr);
        if (!np) {
            xs_node_put(d, cur);
            return NULL;
        }
        for (uint32_t k = 0; k < parent->nr_children; k++) {
            if (k == slot && !old)
                np->children[j++] = cur;
            if (k == slot && old) {
                if (cur)
                    np->children[j++] = cur;
                continue;
            }
            np->children[j++] = xs_node_get(parent->children[k]);
        }
        if (slot == parent->nr_children && !old)
            np->children[j++] = cur;
        BUG_ON(j != nr);
        cur = np;
    }
    return cur;
}
