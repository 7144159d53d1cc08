/*
 * xenstored core: Xenia's xenstore daemon without its I/O.
 *
 * This is portable core code. It owns the store (a tree of nodes with
 * values and permissions), the connections' protocol state (framing,
 * watches, transactions, pending output) and the quotas; it does no I/O
 * and allocates only through the caller's struct xsd_alloc. The glue that
 * links it (dom0) moves bytes between the shared xenstore pages and
 * xsd_conn_input()/xsd_conn_output(), and reports domain arrival and
 * departure. Single-threaded: one caller at a time per struct xsd.
 *
 * Semantics follow Xen's docs/misc/xenstore.txt (see README.md beside this
 * file for the details, the limits and what is not supported):
 *  - paths: absolute ("/a/b") or relative to the caller's home
 *    /local/domain/<domid>; characters [A-Za-z0-9_@/-], no "//", no
 *    trailing '/', at most XENSTORE_REL_PATH_MAX (2048) bytes as sent.
 *  - permissions: a list "<c><domid>" with c = n (none), r (read),
 *    w (write), b (both); the first entry names the owner (who has full
 *    access) and the access of every domain not listed. Domain 0 bypasses
 *    every check. A created node inherits its parent's list, and a domain
 *    other than 0 owns what it creates.
 *  - watches fire once at registration, then for every change of the
 *    watched path or a descendant that the watcher may read.
 *
 * Glue protocol, per connection:
 *
 *      n = xsd_conn_input(c, bytes, len)   n < 0: the peer broke the framing,
 *                                          stop serving it; else n bytes
 *                                          were consumed (n < len: the
 *                                          connection is stalled, see below)
 *      while ((k = xsd_conn_output(c, &p)))  copy up to k bytes of p to the
 *          xsd_conn_consume(c, sent);        response ring, report them sent
 *
 * A request is taken only while the connection's pending output is below
 * output_max_bytes; otherwise the complete request stays buffered, input
 * stops (xsd_conn_stalled() is true), and the peer's further bytes stay in
 * its ring until the glue drained output and calls xsd_conn_input again
 * (with len 0 to just retry the buffered request). So a domain that does
 * not read its replies stops itself, not the daemon.
 */
#ifndef XENIA_BACKENDS_XENSTORED_H
#define XENIA_BACKENDS_XENSTORED_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "public/io/xs_wire.h"
#include "xs_msg.h" /* enum xsd_error, xsd_error_name() */

/*
 * Memory. alloc returns n bytes aligned for any object, or NULL; free takes
 * a pointer alloc returned (never NULL). Every failure of alloc is handled:
 * the operation that needed it fails with ENOMEM and changes nothing (the
 * exceptions: a change whose reply alone could not be allocated is answered
 * ENOMEM all the same, and xsd_domain_released is best effort; README.md).
 */
struct xsd_alloc {
    void *(*alloc)(void *ctx, size_t n);
    void (*free)(void *ctx, void *p);
    void *ctx;
};

/*
 * Quotas. Domain 0 is exempt from nodes_per_domain; every other limit
 * applies to every connection. What happens at each limit:
 *  nodes_per_domain       nodes a domain may own; creating more: ENOSPC
 *  watches_per_conn       WATCH beyond it: E2BIG
 *  transactions_per_conn  open transactions; TRANSACTION_START: ENOSPC
 *  output_max_bytes       pending output of a connection: watch events that
 *                         would exceed it are dropped (counted, see
 *                         xsd_conn_events_dropped); requests wait (stall)
 *                         while it is reached, so the pending output of a
 *                         connection never exceeds it by more than one reply
 *  txn_nodes_max          distinct paths one transaction may touch; beyond
 *                         it the request fails with ENOSPC
 *  perms_per_node         entries of a permission list; more: ENOSPC
 */
struct xsd_limits {
    uint32_t nodes_per_domain;
    uint32_t watches_per_conn;
    uint32_t transactions_per_conn;
    uint32_t output_max_bytes;
    uint32_t txn_nodes_max;
    uint32_t perms_per_node;
};

#define XSD_LIMITS_DEFAULT                                                   \
    ((const struct xsd_limits){ .nodes_per_domain = 1000,                    \
                                .watches_per_conn = 128,                     \
                                .transactions_per_conn = 10,                 \
                                .output_max_bytes = 64 * 1024,               \
                                .txn_nodes_max = 256,                        \
                                .perms_per_node = 32 })

struct xsd;
struct xsd_conn;

/*
 * A new store holding "/", "/local", "/local/domain" and "/tool", all owned
 * by domain 0 with no access for others ("n0"). l NULL: XSD_LIMITS_DEFAULT;
 * a zero field of *l is taken from the defaults. NULL when out of memory.
 * The allocator structure is copied.
 */
struct xsd *xsd_new(const struct xsd_alloc *a, const struct xsd_limits *l);

/* Frees the store and every connection still open on it. */
void xsd_free(struct xsd *d);

/*
 * A connection for domain domid (0: privileged, e.g. the toolstack). Several
 * connections may share a domid. NULL when out of memory.
 */
struct xsd_conn *xsd_conn_new(struct xsd *d, uint16_t domid);

/* Closes c: its watches go, its open transactions are discarded. */
void xsd_conn_free(struct xsd_conn *c);

uint16_t xsd_conn_domid(const struct xsd_conn *c);

/*
 * Feeds bytes read from the connection's request ring, split anywhere.
 * Every request completed by them is processed in order, as long as the
 * pending output allows (see the top of this file). Returns the number of
 * bytes consumed (at most len, and at most INT_MAX per call), or -XSD_EIO
 * if the connection is bad: a header announced len > XENSTORE_PAYLOAD_MAX,
 * now or earlier. A bad connection ignores all later input and produces no
 * more output; its pending output can still be read. Malformed requests in
 * good framing (bad path, missing NUL, unknown type...) get an XS_ERROR
 * reply instead. buf may be NULL when len is 0.
 */
int xsd_conn_input(struct xsd_conn *c, const void *buf, size_t len);

bool xsd_conn_bad(const struct xsd_conn *c);

/* A complete request waits for pending output to drain. */
bool xsd_conn_stalled(const struct xsd_conn *c);

/*
 * The next contiguous chunk of pending output (replies and watch events,
 * whole messages, in order; one chunk never spans two messages): sets *buf
 * and returns its length, 0 if nothing is pending. The chunk stays valid
 * until the next call on this connection or on the store.
 */
size_t xsd_conn_output(struct xsd_conn *c, const void **buf);

/* The first n bytes of the chunk last returned were sent (n <= its length). */
void xsd_conn_consume(struct xsd_conn *c, size_t n);

bool xsd_conn_has_output(const struct xsd_conn *c);

/* Bytes of output pending on c. */
size_t xsd_conn_pending(const struct xsd_conn *c);

/* Watch events dropped for c because its output was full or too large. */
uint64_t xsd_conn_events_dropped(const struct xsd_conn *c);

/*
 * Toolstack operations: as domain 0 (no permission checks, no quota), no
 * transaction, watches fire as for the same request over the wire. Paths
 * as on the wire (relative ones resolve under /local/domain/0). Return 0 or
 * -XSD_E*:
 *  xsd_tool_write      value of len bytes (<= XENSTORE_PAYLOAD_MAX, else
 *                      E2BIG); creates missing parents
 *  xsd_tool_mkdir      creates path and missing parents, keeps an existing one
 *  xsd_tool_set_perms  perms as on the wire: len bytes of NUL-terminated
 *                      entries, e.g. "n1\0r2\0" (len 6); may change the owner
 *  xsd_tool_read       *len: in, room in buf; out, the value's length. Room
 *                      too small: E2BIG with *len the length needed. The
 *                      value is not NUL-terminated.
 *  xsd_tool_rm         removes path and its descendants; absent path with
 *                      an existing parent: 0; absent parent: ENOENT
 */
int xsd_tool_write(struct xsd *d, const char *path, const char *value, size_t len);
int xsd_tool_mkdir(struct xsd *d, const char *path);
int xsd_tool_set_perms(struct xsd *d, const char *path, const char *perms, size_t len);
int xsd_tool_read(struct xsd *d, const char *path, char *buf, size_t *len);
int xsd_tool_rm(struct xsd *d, const char *path);

/*
 * Domain life cycle, reported by the glue (the same as INTRODUCE and
 * RELEASE from domain 0 over the wire).
 *  introduced: the domain counts as introduced (IS_DOMAIN_INTRODUCED "T"),
 *              @introduceDomain watches fire.
 *  released:   a reused domain id must inherit nothing, so every node the
 *              domain owns is removed with its descendants, and its entries
 *              are dropped from every other node's permissions; then
 *              @releaseDomain watches fire. Free the domain's connections
 *              first (xsd_conn_free); domid 0 is ignored.
 * Special watches fire on connections of domain 0 only.
 */
void xsd_domain_introduced(struct xsd *d, uint16_t domid);
void xsd_domain_released(struct xsd *d, uint16_t domid);
bool xsd_domain_is_introduced(const struct xsd *d, uint16_t domid);

/* Counts for leak checks: nodes in the store, watches and open
 * transactions over all connections, nodes owned by one domain. */
size_t xsd_nr_nodes(const struct xsd *d);
size_t xsd_nr_watches(const struct xsd *d);
size_t xsd_nr_transactions(const struct xsd *d);
size_t xsd_nr_conns(const struct xsd *d);
size_t xsd_domain_nr_nodes(const struct xsd *d, uint16_t domid);

#endif /* XENIA_BACKENDS_XENSTORED_H */
