/*
 * xenstored internals shared by the files of backends/xenstored/.
 *
 * The store is a persistent tree: a node never changes once published.
 * A change builds new versions of the changed node and of its ancestors
 * (path copying) that share every untouched subtree with the old version,
 * then publishes the new root. So a transaction's snapshot is one reference
 * to a root, and a change that runs out of memory half way drops what it
 * built and leaves the published tree as it was.
 *
 * Reference counts: nodes and their contents are shared between versions;
 * each parent, published root, snapshot and working tree holds one
 * reference. Releasing a node is iterative (no recursion on tree depth).
 *
 * Generations: every node version whose own content (value, permissions or
 * set of child names) differs from its predecessor gets a new generation
 * from xsd.gen; a copy made only because a descendant changed keeps it. A
 * transaction conflicts when a path it touched has another generation (or
 * existence) in the published tree than in its snapshot.
 *
 * Depth: every path is at most XS_PATH_MAX bytes once resolved, so no node
 * is deeper than XS_DEPTH_MAX; walks use fixed scratch arrays of that size
 * allocated with the store (not the stack, which is small in dom0).
 */
#ifndef XENIA_BACKENDS_XS_CORE_H
#define XENIA_BACKENDS_XS_CORE_H

#include "core/env.h"
#include "xenstored.h"

/* "/local/domain/65535" + '/' + a relative path of the maximum length. */
#define XS_HOME_MAX 19u
#define XS_PATH_MAX (XS_HOME_MAX + 1u + XENSTORE_REL_PATH_MAX)
#define XS_DEPTH_MAX (XS_PATH_MAX / 2u + 1u)

_Static_assert(XS_PATH_MAX <= XENSTORE_ABS_PATH_MAX, "resolved paths fit Xen's limit");

/* ---- permissions (xs_perms.c) ---- */
#define XS_PERM_READ 1u
#define XS_PERM_WRITE 2u
#define XS_PERM_BOTH (XS_PERM_READ | XS_PERM_WRITE)

struct xs_perm {
    uint16_t domid;
    uint8_t access; /* XS_PERM_* */
    uint8_t pad;
};

int xs_perms_parse(const char *s, size_t len, struct xs_perm *out, uint32_t max, uint32_t *nr);
size_t xs_perms_format(const struct xs_perm *p, uint32_t nr, char *buf, size_t room);
unsigned xs_perms_access(const struct xs_perm *p, uint32_t nr, uint16_t domid);

/* ---- paths (xs_path.c) ---- */
int xs_path_resolve(const char *in, size_t len, uint16_t domid, char *out, size_t *out_len);
bool xs_path_valid_abs(const char *p, size_t len);
bool xs_path_is_child(const char *child, size_t clen, const char *parent, size_t plen);
size_t xs_path_home(uint16_t domid, char *buf);
size_t xs_u32_format(uint32_t v, char *buf);
int xs_u32_parse(const char *s, size_t len, uint32_t max, uint32_t *out);

/* ---- nodes (xs_node.c) ---- */
struct xs_content {
    uint32_t refcnt;
    uint32_t name_len;
    uint32_t value_len;
    uint32_t nr_perms;
    struct xs_perm *perms;
    char *name; /* NUL-terminated; "" for the root */
    uint8_t *value;
};

struct xs_node {
    uint32_t refcnt;
    uint32_t nr_children;
    uint64_t gen;
    struct xs_content *c;
    struct xs_node *free_next;   /* only while being released */
    struct xs_node *children[];  /* sorted by name (xs_name_cmp) */
};

/*
 * A path looked up in a root: nodes[0] is the root, nodes[i] the node named
 * by the first i components (comp[i], prefix[i] bytes of the path). exist
 * levels exist (1 <= exist <= depth + 1); the path itself exists iff
 * exist == depth + 1.
 */
struct xs_chain {
    uint32_t depth, exist;
    struct xs_node *nodes[XS_DEPTH_MAX + 1];
    const char *comp[XS_DEPTH_MAX + 1];
    uint32_t comp_len[XS_DEPTH_MAX + 1];
    uint32_t prefix[XS_DEPTH_MAX + 1];
};

struct xs_content *xs_content_new(struct xsd *d, const char *name, size_t name_len,
                                  const void *value, size_t value_len,
                                  const struct xs_perm *perms, uint32_t nr_perms);
void xs_content_put(struct xsd *d, struct xs_content *c);
struct xs_node *xs_node_new(struct xsd *d, struct xs_content *c, uint64_t gen, uint32_t nr_children);
struct xs_node *xs_node_get(struct xs_node *n);
void xs_node_put(struct xsd *d, struct xs_node *n);
int xs_name_cmp(const char *a, size_t alen, const char *b, size_t blen);
struct xs_node *xs_node_child(const struct xs_node *n, const char *name, size_t len, uint32_t *slot);
struct xs_node *xs_node_lookup(struct xs_node *root, const char *path, size_t len);
void xs_chain_walk(struct xs_chain *ch, struct xs_node *root, const char *path, size_t len);
struct xs_node *xs_chain_rebuild(struct xsd *d, const struct xs_chain *ch, uint32_t level,
                                 struct xs_node *repl);
static inline uint16_t xs_node_owner(const struct xs_node *n) { return n->c->perms[0].domid; }
static inline unsigned xs_node_access(const struct xs_node *n, uint16_t domid)
{
    return xs_perms_access(n->c->perms, n->c->nr_perms, domid);
}

/* ---- accounting of owned nodes (xs_domain.c) ---- */
struct xs_domain {
    struct xs_domain *next;
    uint16_t domid;
    bool introduced;
    uint32_t nr_nodes;  /* nodes of the published tree it owns */
    int32_t pending;    /* change being built, not yet published */
};

/*
 * Where node counts of a change go: the store's domain records (published
 * tree) or one transaction's own count of its domain's nodes. Changes
 * accumulate as pending and are applied or dropped with the change.
 */
struct xs_acct {
    struct xsd *d;
    struct xs_txn *txn; /* NULL: the published tree */
};

struct xs_domain *xs_domain_find(const struct xsd *d, uint16_t domid);
struct xs_domain *xs_domain_get(struct xsd *d, uint16_t domid);
void xs_domain_gc(struct xsd *d);
int xs_acct_add(struct xs_acct *a, uint16_t owner, int32_t delta);
int xs_acct_subtree(struct xs_acct *a, struct xs_node *n);
void xs_acct_apply(struct xs_acct *a);
void xs_acct_drop(struct xs_acct *a);
int xs_acct_quota(struct xs_acct *a, uint16_t creator, uint32_t more);

/* ---- transactions (xs_txn.c) ---- */
struct xs_txn_entry {
    uint64_t base_gen; /* generation in the snapshot, 0: absent there */
    bool modified;
    bool event, event_rm;
    uint32_t len;
    char path[];
};

struct xs_txn {
    struct xs_txn *next;
    uint32_t id;
    struct xs_node *base;   /* the published root when it started */
    struct xs_node *work;   /* its own version */
    int32_t node_delta;     /* net nodes created for the connection's domain */
    int32_t pending;        /* of the change being built */
    uint16_t domid;
    uint32_t nr_entries, cap_entries;
    struct xs_txn_entry **entries;
};

int xs_txn_start(struct xsd_conn *c, uint32_t *id);
struct xs_txn *xs_txn_find(struct xsd_conn *c, uint32_t id);
int xs_txn_end(struct xsd_conn *c, struct xs_txn *t, bool commit);
void xs_txn_free_all(struct xsd_conn *c);
int xs_txn_touch(struct xsd *d, struct xs_txn *t, const char *path, size_t len, bool modified);
void xs_txn_event(struct xs_txn *t, const char *path, size_t len, bool rm);

/* ---- the store operations on a view (xs_store.c) ---- */
struct xs_view {
    struct xsd *d;
    struct xs_txn *txn; /* NULL: the published tree */
    uint16_t caller;
};

int xs_store_get(const struct xs_view *v, const char *path, size_t len, struct xs_node **out);
int xs_store_write(const struct xs_view *v, const char *path, size_t len, const void *value,
                   size_t vlen, bool mkdir);
int xs_store_rm(const struct xs_view *v, const char *path, size_t len);
int xs_store_set_perms(const struct xs_view *v, const char *path, size_t len,
                       const struct xs_perm *perms, uint32_t nr);
void xs_store_publish(struct xsd *d, struct xs_node *root, struct xs_acct *a,
                      const char *epath, size_t elen, bool rm);
int xs_store_drop_domain(struct xsd *d, uint16_t domid);

/* ---- watches (xs_watch.c) ---- */
struct xs_watch {
    struct xs_watch *next;
    bool relative; /* registered relative: events are reported relative */
    uint32_t path_len, token_len;
    char *path;    /* resolved, or "@..." */
    char *token;
};

int xs_watch_add(struct xsd_conn *c, const char *path, size_t plen, bool relative,
                 const char *token, size_t tlen, struct xs_watch **out);
int xs_watch_del(struct xsd_conn *c, const char *path, size_t plen, const char *token, size_t tlen);
void xs_watch_free_all(struct xsd_conn *c);
void xs_watch_fire(struct xsd *d, struct xs_node *old_root, struct xs_node *new_root,
                   const char *path, size_t len, bool rm);
void xs_watch_fire_special(struct xsd *d, const char *name);
void xs_watch_event(struct xsd_conn *c, const struct xs_watch *w, const char *path, size_t len);

/* ---- connections (xs_conn.c) and requests (xs_dispatch.c) ---- */
struct xs_outmsg {
    struct xs_outmsg *next;
    uint32_t len, off;
    bool is_static; /* conn->nomem, not allocated */
    uint8_t *data;  /* header and payload */
};

struct xsd_conn {
    struct xsd *d;
    struct xsd_conn *next, *prev;
    uint16_t domid;
    bool bad;
    bool stalled;
    uint32_t in_have; /* bytes of the current message received */
    struct xsd_sockmsg in_hdr;
    struct xs_outmsg *out_head, *out_tail;
    size_t out_bytes;
    uint64_t events_dropped;
    struct xs_watch *watches;
    uint32_t nr_watches;
    struct xs_txn *txns;
    uint32_t nr_txns;
    /* the reply when no other reply could be allocated */
    bool nomem_queued;
    struct xs_outmsg nomem;
    uint8_t nomem_bytes[sizeof(struct xsd_sockmsg) + sizeof("ENOMEM")];
    uint8_t in_payload[XENSTORE_PAYLOAD_MAX];
};

struct xs_outmsg *xs_out_alloc(struct xsd_conn *c, uint32_t type, uint32_t req_id,
                               uint32_t tx_id, size_t len);
void xs_out_queue(struct xsd_conn *c, struct xs_outmsg *m);
void xs_reply(struct xsd_conn *c, const struct xsd_sockmsg *req, uint32_t type,
              const void *payload, size_t len);
void xs_reply_error(struct xsd_conn *c, const struct xsd_sockmsg *req, int err);
void xs_dispatch(struct xsd_conn *c, const struct xsd_sockmsg *hdr, const uint8_t *payload);

/* ---- the store (xsd.c) ---- */
struct xsd {
    struct xsd_alloc a;
    struct xsd_limits lim;
    struct xs_node *root;  /* published tree */
    uint64_t gen;          /* last generation handed out */
    uint32_t last_txn_id;
    struct xs_domain *domains;
    struct xsd_conn *conns;
    size_t nr_conns, nr_watches, nr_txns;
    /* scratch, one user at a time (see the top of this file) */
    struct xs_chain *chain;
    char *path;                   /* a resolved request path */
    char *walk_path;              /* the path of the node a walk is at */
    struct xs_walk_frame {
        struct xs_node *n;
        uint32_t next;            /* next child to visit */
        uint32_t path_len;        /* walk_path length for n */
    } *walk;
};

void *xs_alloc(struct xsd *d, size_t n);
void xs_free(struct xsd *d, void *p);

#endif /* XENIA_BACKENDS_XS_CORE_H */
