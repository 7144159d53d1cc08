/*
 * libFuzzer harness: xenstored's connections, fed by hostile guests.
 *
 * The input is a program over four connections (domains 0, 1, 2 and 1
 * again) of a store with small quotas: send a request built from a
 * vocabulary of paths, tokens and permission strings (so that requests
 * reach past validation), send raw bytes, split anywhere; read some or all
 * output; close and reopen a connection; introduce or release a domain;
 * make one of the next allocations fail. After every step the harness
 * checks what must always hold:
 *  - every output chunk is a whole message with a valid header, and a
 *    connection's pending output stays within its limit plus one reply;
 *  - the store's own bookkeeping matches the tree: per-domain node counts,
 *    children sorted and unique, reference counts sane;
 *  - closing every connection drops every watch and transaction, and
 *    freeing the store returns every byte to the allocator.
 * Any violation aborts (a crash for libFuzzer); so do ASan and UBSan.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xs_core.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define NCONN 4
#define HDR sizeof(struct xsd_sockmsg)

static const uint16_t conn_domid[NCONN] = { 0, 1, 2, 1 };

static const struct xsd_limits limits = {
    .nodes_per_domain = 40,
    .watches_per_conn = 6,
    .transactions_per_conn = 3,
    .output_max_bytes = 2048,
    .txn_nodes_max = 24,
    .perms_per_node = 4,
};

struct input {
    const uint8_t *p;
    size_t n;
};

static uint8_t next8(struct input *in)
{
    if (in->n == 0)
        return 0;
    in->n--;
    return *in->p++;
}

static void check(int ok, const char *what)
{
    if (!ok) {
        fprintf(stderr, "xsd fuzz: invariant broken: %s\n", what);
        abort();
    }
}

/* ---- allocator: counts, and fails one chosen allocation ---- */
struct mem {
    size_t live;
    long countdown; /* fail when it reaches 0; < 0: never */
};

static void *mem_alloc(void *ctx, size_t n)
{
    struct mem *m = ctx;

    if (m->countdown >= 0 && m->countdown-- == 0)
        return NULL;
    m->live++;
    return malloc(n);
}

static void mem_free(void *ctx, void *p)
{
    struct mem *m = ctx;

    check(p != NULL && m->live > 0, "free of nothing");
    m->live--;
    free(p);
}

/* ---- the store's bookkeeping against its tree ---- */
static struct {
    uint16_t domid;
    uint32_t nodes;
} owned[16];
static unsigned nr_owned;

static void count_owner(uint16_t domid)
{
    for (unsigned i = 0; i < nr_owned; i++)
        if (owned[i].domid == domid) {
            owned[i].nodes++;
            return;
        }
    check(nr_owned < ARRAY_SIZE(owned), "few owners");
    owned[nr_owned].domid = domid;
    owned[nr_owned++].nodes = 1;
}

static void count_tree(const struct xs_node *n, uint32_t depth)
{
    check(depth <= XS_DEPTH_MAX, "tree too deep");
    check(n->refcnt >= 1 && n->c->refcnt >= 1 && n->c->nr_perms >= 1, "refcounts/perms");
    count_owner(xs_node_owner(n));
    for (uint32_t i = 0; i < n->nr_children; i++) {
        const struct xs_content *a = n->children[i]->c;

        if (i > 0) {
            const struct xs_content *b = n->children[i - 1]->c;

            check(xs_name_cmp(b->name, b->name_len, a->name, a->name_len) < 0,
                  "children sorted and unique");
        }
        check(a->name_len > 0, "child has a name");
        count_tree(n->children[i], depth + 1);
    }
}

static void check_store(const struct xsd *d, struct xsd_conn *const *c)
{
    size_t watches = 0, txns = 0;
    unsigned records = 0;

    nr_owned = 0;
    count_tree(d->root, 0);
    for (const struct xs_domain *x = d->domains; x; x = x->next) {
        bool found = false;

        check(x->pending == 0, "no pending count outside a change");
        for (unsigned i = 0; i < nr_owned; i++)
            if (owned[i].domid == x->domid) {
                check(x->nr_nodes == owned[i].nodes, "per-domain node count");
                found = true;
                records++;
            }
        check(found || x->nr_nodes == 0, "a count of nothing is 0");
    }
    check(records == nr_owned, "every owner has a record");
    for (int i = 0; i < NCONN; i++) {
        if (!c[i])
            continue;
        watches += c[i]->nr_watches;
        txns += c[i]->nr_txns;
        check(c[i]->nr_watches <= limits.watches_per_conn, "watch quota");
        check(c[i]->nr_txns <= limits.transactions_per_conn, "transaction quota");
        check(xsd_conn_pending(c[i]) <= limits.output_max_bytes + HDR + XENSTORE_PAYLOAD_MAX,
              "output bound");
    }
    check(watches == xsd_nr_watches(d) && txns == xsd_nr_transactions(d), "totals");
}

/* ---- requests ---- */
static const char *const words[] = {
    "/", "/a", "/a/b", "/a/b/c", "a", "a/b", "data/x", "/local/domain/1", "/local/domain/2",
    "/local/domain/1/data", "/local/domain/2/x/y", "/tool", "@releaseDomain",
    "@introduceDomain", "T", "F", "0", "1", "2", "3", "n0", "n1", "r2", "b1", "w2", "b0",
    "tok", "t2", "", "//", "/a/", "x y", "99999", "OK", "b2",
};

static size_t build_request(struct input *in, const struct xsd_conn *c, uint8_t *out)
{
    static const uint32_t common[] = {
        XS_READ, XS_WRITE, XS_MKDIR, XS_RM, XS_DIRECTORY, XS_WATCH, XS_UNWATCH,
        XS_TRANSACTION_START, XS_TRANSACTION_END, XS_SET_PERMS, XS_GET_PERMS,
        XS_GET_DOMAIN_PATH, XS_RESET_WATCHES, XS_INTRODUCE, XS_RELEASE,
    };
    uint8_t sel = next8(in);
    struct xsd_sockmsg h;
    unsigned nargs = next8(in) % 5;
    size_t len = 0;

    h.type = sel & 0x80 ? sel % (XS_TYPE_COUNT + 1) : common[sel % ARRAY_SIZE(common)];
    h.req_id = next8(in);
    h.tx_id = 0;
    sel = next8(in);
    if (sel & 0x80) /* one of the connection's open transactions, or a guess */
        for (const struct xs_txn *t = c->txns; t; t = t->next, sel--) {
            h.tx_id = (sel & 0x40) ? sel % 8 : t->id;
            if ((sel & 3) == 0)
                break;
        }
    for (unsigned i = 0; i < nargs; i++) {
        uint8_t w = next8(in);
        const char *s = words[w % ARRAY_SIZE(words)];
        size_t sl = strlen(s);

        memcpy(out + HDR + len, s, sl);
        len += sl;
        if (!(w & 0x80) || i + 1 < nargs)
            out[HDR + len++] = '\0';
    }
    h.len = (uint32_t)len;
    memcpy(out, &h, HDR);
    return HDR + len;
}

/* Feeds msg in pieces the input chooses; stalls and bad framing allowed. */
static void feed(struct input *in, struct xsd_conn *c, const uint8_t *msg, size_t n)
{
    size_t off = 0;

    while (off < n) {
        size_t piece = 1 + next8(in) % (n - off);
        int r = xsd_conn_input(c, msg + off, piece);

        if (r < 0) {
            check(xsd_conn_bad(c), "error only when bad");
            return;
        }
        check((size_t)r <= piece, "consumed at most what was given");
        if ((size_t)r < piece) {
            check(xsd_conn_stalled(c), "short only when stalled");
            return; /* the rest stays in the "ring" */
        }
        off += piece;
    }
}

static void drain(struct input *in, struct xsd_conn *c)
{
    unsigned budget = next8(in);
    const void *p;
    size_t n;

    while (budget-- && (n = xsd_conn_output(c, &p)) > 0) {
        struct xsd_sockmsg h;

        if (c->out_head->off == 0) { /* a chunk starting a message: all of it */
            check(n >= HDR, "whole header");
            check(xs_msg_parse_header(p, n, &h) == 0, "valid header");
            check(n == HDR + h.len, "one whole message per chunk");
        }
        xsd_conn_consume(c, 1 + next8(in) % n);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct input in = { data, size };
    struct mem m = { 0, -1 };
    const struct xsd_alloc a = { mem_alloc, mem_free, &m };
    struct xsd_conn *c[NCONN] = { NULL };
    static uint8_t msg[HDR + XENSTORE_PAYLOAD_MAX + 64];
    struct xsd *d = xsd_new(&a, &limits);
    unsigned steps = 0;

    check(d != NULL, "store");
    xsd_tool_mkdir(d, "/local/domain/1");
    xsd_tool_set_perms(d, "/local/domain/1", "n1\0r2\0", 6);
    xsd_tool_mkdir(d, "/local/domain/2");
    xsd_tool_set_perms(d, "/local/domain/2", "n2\0", 3);
    for (int i = 0; i < NCONN; i++)
        c[i] = xsd_conn_new(d, conn_domid[i]);

    while (in.n && steps++ < 2000) {
        uint8_t op = next8(&in);
        int k = op % NCONN;

        switch ((op >> 2) % 8) {
        case 0: case 1: case 2: case 3:
            if (c[k])
                feed(&in, c[k], msg, build_request(&in, c[k], msg));
            break;
        case 4: { /* raw bytes, header included */
            size_t n = next8(&in);

            for (size_t i = 0; i < n; i++)
                msg[i] = next8(&in);
            if (c[k])
                feed(&in, c[k], msg, n);
            break;
        }
        case 5:
            if (c[k])
                drain(&in, c[k]);
            break;
        case 6: /* a domain goes and comes back */
            if (c[k] && !(op & 0x20)) {
                xsd_conn_free(c[k]);
                c[k] = NULL;
            } else if (!c[k]) {
                c[k] = xsd_conn_new(d, conn_domid[k]);
            }
            if (op & 0x40)
                xsd_domain_released(d, (uint16_t)(1 + op % 3));
            else
                xsd_domain_introduced(d, (uint16_t)(1 + op % 3));
            break;
        case 7: /* one of the next allocations fails */
            m.countdown = next8(&in) % 24;
            break;
        }
        check_store(d, c);
    }
    m.countdown = -1;
    for (int i = 0; i < NCONN; i++)
        if (c[i])
            xsd_conn_free(c[i]);
    check(xsd_nr_watches(d) == 0 && xsd_nr_transactions(d) == 0 && xsd_nr_conns(d) == 0,
          "close drops everything");
    xsd_free(d);
    check(m.live == 0, "every allocation returned");
    return 0;
}
