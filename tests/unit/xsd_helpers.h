/*
 * Shared by the xsd_* suites: a counting allocator that can be told to
 * fail, a store built on it, and a test client that speaks the wire
 * through xs_msg.h (requests in, replies and watch events out).
 *
 * Every xt_* request checks that its reply echoes req_id and tx_id and
 * returns 0 (reply of the request's own type) or -XSD_E* (XS_ERROR).
 * Watch events that arrive while waiting for a reply are kept per
 * connection and handed out, in order, by xt_event().
 */
#ifndef XENIA_TESTS_XSD_HELPERS_H
#define XENIA_TESTS_XSD_HELPERS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "xenstored.h"
#include "xs_msg.h"

struct xt_mem {
    size_t live;      /* allocations not freed */
    size_t bytes;     /* bytes not freed */
    size_t count;     /* allocations made */
    long fail_after;  /* < 0: never fail; else fail once count reaches it */
    size_t failed;    /* allocations refused */
};

struct xt {
    struct xt_mem mem;
    struct xsd_alloc a;
    struct xsd *d;
};

struct xt_msg {
    struct xsd_sockmsg h;
    char p[XENSTORE_PAYLOAD_MAX + 1]; /* payload, NUL added */
};

void xt_init(struct xt *t, const struct xsd_limits *l);
void xt_fini(struct xt *t); /* frees the store, asserts no allocation is left */

/* Raw bytes in, all of them consumed and processed; returns the result. */
int xt_input(struct xsd_conn *c, const void *buf, size_t len);
/* Next whole output message of c (events included); false if none. */
bool xt_pop(struct xsd_conn *c, struct xt_msg *m);

/* Next message of c that is not a watch event (events are kept); false if none. */
bool xt_pop_reply(struct xsd_conn *c, struct xt_msg *m);
/* xsd_conn_free, forgetting the events kept for c. */
void xt_conn_free(struct xsd_conn *c);

int xt_req(struct xsd_conn *c, uint32_t type, uint32_t tx, const char *a0, const char *a1,
           struct xt_msg *reply);
int xt_write(struct xsd_conn *c, uint32_t tx, const char *path, const char *value);
int xt_read(struct xsd_conn *c, uint32_t tx, const char *path, char *out);
int xt_mkdir(struct xsd_conn *c, uint32_t tx, const char *path);
int xt_rm(struct xsd_conn *c, uint32_t tx, const char *path);
int xt_dir(struct xsd_conn *c, uint32_t tx, const char *path, char *out); /* names joined by ',' */
int xt_get_perms(struct xsd_conn *c, uint32_t tx, const char *path, char *out); /* joined by ',' */
int xt_set_perms(struct xsd_conn *c, uint32_t tx, const char *path, const char *perms_csv);
int xt_watch(struct xsd_conn *c, const char *path, const char *token);
int xt_unwatch(struct xsd_conn *c, const char *path, const char *token);
int xt_txn_start(struct xsd_conn *c, uint32_t *id);
int xt_txn_end(struct xsd_conn *c, uint32_t id, bool commit);

/* The next watch event of c: true and path/token filled, or false. */
bool xt_event(struct xsd_conn *c, char *path, char *token);
/* Drops every pending event of c; returns how many. */
unsigned xt_drain_events(struct xsd_conn *c);

#endif /* XENIA_TESTS_XSD_HELPERS_H */
