/*
 * xenstored in dom0: the daemon's core (backends/xenstored) served over
 * each domU's xenstore page.
 *
 * A connection slot per domU (FREE -> LIVE -> FREE): its store page mapped
 * at STORE_VA_BASE + slot * PAGE_SIZE (foreign mapping, dom0 is the page's
 * only other user), our end of its store port (bind_interdomain to the port
 * the builder allocated), the rings (we consume requests, produce
 * responses) and the core's connection. The ports' handler only sets
 * `kicked` and wakes the daemon thread; the thread moves bytes both ways
 * for every slot until nothing moves, then waits.
 *
 * Fairness: dom0's threads are cooperative, and a domain can keep bytes
 * moving for as long as it likes (each reply wakes it at once, its next
 * request is there before we look again). So one pass over the slots
 * gives each at most SERVICE_ROUNDS rounds, and the thread yields between
 * passes: no domain keeps the others' connections, or dom0's other threads
 * (the toolstack reaping domains, the backends, the shell), waiting.
 *
 * A slot whose ring indices the domain corrupts, or that breaks the wire
 * protocol, is marked bad (the page's `error` field says which) and never
 * read again; the other slots are unaffected. dom0 itself uses the store
 * directly (xsd_tool_*), not through a ring.
 *
 * Paths written for each domain (as a Xen toolstack does):
 *   /local/domain/<id>            owner dom0, readable by <id>
 *   /local/domain/<id>/name       the config's name
 *   /local/domain/<id>/domid
 *   /local/domain/<id>/data       owned by <id>: its own writable subtree
 * and @introduceDomain / @releaseDomain fire as domains come and go.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dom0.h"
#include "arch/hypercall.h"
#include "arch/layout.h"
#include "arch/pgtable.h"
#include "backends/xenstored/xenstored.h"
#include "guest/console.h"
#include "guest/events.h"
#include "guest/thread.h"
#include "rings/ring_byte.h"

struct store_conn {
    bool used, bad;
    domid_t domid;
    evtchn_port_t port;             /* our end */
    struct xenstore_domain_interface *page;
    struct ring_byte_pair ring;
    struct xsd_conn *conn;
    char in[XENSTORE_RING_SIZE];    /* read from the ring, not yet taken by the core */
    size_t in_len;
};

/* Rounds per slot and pass; a round flushes replies, feeds the core what
   was read, and reads at most one ring's worth (1 KiB) of requests. */
#define SERVICE_ROUNDS 4

static struct store_conn conns[STORE_VA_PAGES];
static struct xsd *xsd;
static struct thread *daemon_thread;
static volatile bool kicked;

static void *xs_alloc(void *ctx, size_t n)
{
    (void)ctx;
    return malloc(n);
}

static void xs_free(void *ctx, void *p)
{
    (void)ctx;
    free(p);
}

static void store_event(evtchn_port_t port, struct trap_frame *f, void *arg)
{
    (void)port, (void)f, (void)arg;
    kicked = true;
    if (daemon_thread)
        thread_wake(daemon_thread);
}

static void mark_bad(struct store_conn *c, uint32_t error, const char *why)
{
    if (c->bad)
        return;
    c->bad = true;
    c->page->error = error;
    printk("dom0: xenstored: domain %u: %s: connection closed\n", c->domid, why);
}

/* Pending output into the response ring; true if any moved. */
static bool flush(struct store_conn *c)
{
    const void *out;
    size_t len;
    bool moved = false;

    while ((len = xsd_conn_output(c->conn, &out)) != 0) {
        int n = ring_byte_write(&c->ring.tx, out, (uint32_t)MIN(len, XENSTORE_RING_SIZE));
        if (n < 0) {
            mark_bad(c, XENSTORE_ERROR_RINGIDX, "response ring indices corrupt");
            break;
        }
        if (n == 0)
            break;                      /* ring full: the rest waits for the domain */
        xsd_conn_consume(c->conn, (size_t)n);
        moved = true;
    }
    return moved;
}

/*
 * Move bytes both ways on one connection, for at most SERVICE_ROUNDS
 * rounds; true if any moved (then there may be more: the caller comes
 * back). Requests are read from the ring only once the core took every
 * byte read before: while the connection is stalled (its replies not read)
 * the domain's requests stay in its own ring.
 */
static bool service(struct store_conn *c)
{
    bool moved = false;

    if (c->bad)
        return false;
    for (unsigned round = 0; round < SERVICE_ROUNDS; round++) {
        bool progress = flush(c);
        if (c->bad)
            break;
        if (c->in_len != 0 || xsd_conn_stalled(c->conn)) {
            int n = xsd_conn_input(c->conn, c->in, c->in_len);
            if (n < 0) {
                mark_bad(c, XENSTORE_ERROR_PROTO, "protocol violation");
                break;
            }
            if (n > 0) {
                memmove(c->in, c->in + n, c->in_len - (size_t)n);
                c->in_len -= (size_t)n;
                progress = true;
            }
        }
        if (c->in_len == 0 && !xsd_conn_stalled(c->conn)) {
            int n = ring_byte_read(&c->ring.rx, c->in, sizeof(c->in));
            if (n < 0) {
                mark_bad(c, XENSTORE_ERROR_RINGIDX, "request ring indices corrupt");
                break;
            }
            c->in_len = (size_t)n;
            progress |= n > 0;
        }
        if (!progress)
            break;
        moved = true;
    }
    if (moved)
        (void)evtchn_notify(c->port);
    return moved;
}

static void daemon_main(void *arg)
{
    (void)arg;
    for (;;) {
        bool moved = false;
        for (unsigned i = 0; i < ARRAY_SIZE(conns); i++)
            if (conns[i].used)
                moved |= service(&conns[i]);
        if (moved) {
            thread_yield();             /* dom0's other threads, then another pass */
            continue;
        }
        unsigned flags = irq_save();
        if (!kicked)
            (void)thread_wait(UINT64_MAX);
        kicked = false;
        irq_restore(flags);
    }
}

int xenstore_start(void)
{
    static const struct xsd_alloc alloc = { .alloc = xs_alloc, .free = xs_free };
    struct xsd_limits limits = XSD_LIMITS_DEFAULT;

    xsd = xsd_new(&alloc, &limits);
    if (xsd == NULL)
        return -XEN_ENOMEM;
    daemon_thread = thread_create("xenstored", daemon_main, NULL);
    if (daemon_thread == NULL) {
        xsd_free(xsd);
        xsd = NULL;
        return -XEN_ENOMEM;
    }
    printk("dom0: xenstored up\n");
    return 0;
}

bool xenstore_running(void)
{
    return xsd != NULL;
}

static struct store_conn *find(domid_t domid)
{
    for (unsigned i = 0; i < ARRAY_SIZE(conns); i++)
        if (conns[i].used && conns[i].domid == domid)
            return &conns[i];
    return NULL;
}

static uint64_t slot_va(const struct store_conn *c)
{
    return STORE_VA_BASE + (uint64_t)(c - conns) * PAGE_SIZE;
}

/* Drop our mapping of the slot's store page (the domain's destroy waits
   for it: nobody may map a dying domain's pages). */
static void unmap_slot(const struct store_conn *c)
{
    (void)pt_queue_map(slot_va(c), 0, 0);
    (void)pt_commit();
    (void)pt_invlpg(slot_va(c));
}

static void rm_domain_nodes(domid_t domid)
{
    char path[32];
    snprintf(path, sizeof(path), "/local/domain/%u", domid);
    (void)xsd_tool_rm(xsd, path);
}

static int write_nodes(domid_t domid, const char *name)
{
    char path[64], val[16], perms[32];
    int rc;

    /* Permission entries travel NUL-separated: "n0\0r<id>\0". */
    int plen = snprintf(perms, sizeof(perms), "n0%cr%u", '\0', domid) + 1;
    snprintf(path, sizeof(path), "/local/domain/%u", domid);
    if ((rc = xsd_tool_mkdir(xsd, path)) < 0 ||
        (rc = xsd_tool_set_perms(xsd, path, perms, (size_t)plen)) < 0)
        return rc;
    snprintf(path, sizeof(path), "/local/domain/%u/name", domid);
    if ((rc = xsd_tool_write(xsd, path, name, strlen(name))) < 0)
        return rc;
    snprintf(path, sizeof(path), "/local/domain/%u/domid", domid);
    snprintf(val, sizeof(val), "%u", domid);
    if ((rc = xsd_tool_write(xsd, path, val, strlen(val))) < 0)
        return rc;
    snprintf(path, sizeof(path), "/local/domain/%u/data", domid);
    plen = snprintf(perms, sizeof(perms), "n%u", domid) + 1;
    if ((rc = xsd_tool_mkdir(xsd, path)) < 0 ||
        (rc = xsd_tool_set_perms(xsd, path, perms, (size_t)plen)) < 0)
        return rc;
    return 0;
}

int xenstore_domain_add(domid_t domid, const char *name, uint64_t store_mfn, uint32_t store_port)
{
    struct store_conn *c = NULL;
    int rc;

    if (xsd == NULL)
        return -XEN_ENODEV;
    for (unsigned i = 0; i < ARRAY_SIZE(conns) && c == NULL; i++)
        if (!conns[i].used)
            c = &conns[i];
    if (c == NULL)
        return -XEN_ENOSPC;
    memset(c, 0, sizeof(*c));
    c->domid = domid;
    rc = pt_queue_map_foreign(slot_va(c), store_mfn, PTE_KERNEL_RW, domid);
    if (rc == 0)
        rc = pt_commit();
    if (rc < 0)
        return rc;
    c->page = (struct xenstore_domain_interface *)(uintptr_t)slot_va(c);
    c->page->server_features = 0;
    c->page->connection = XENSTORE_CONNECTED;
    c->page->error = XENSTORE_ERROR_NONE;
    if (ring_xenstore_attach(&c->ring, c->page, RING_SIDE_BACK) < 0)
        c->bad = true;
    c->conn = xsd_conn_new(xsd, domid);
    if (c->conn == NULL) {
        rc = -XEN_ENOMEM;
        goto unmap;
    }
    if ((rc = write_nodes(domid, name)) < 0)
        goto free_conn;
    long port = evtchn_bind_interdomain(domid, store_port, store_event, NULL);
    if (port < 0) {
        rc = (int)port;
        goto free_conn;
    }
    c->port = (evtchn_port_t)port;
    c->used = true;
    xsd_domain_introduced(xsd, domid);
    /* Requests written before we bound the port raised no event. */
    kicked = true;
    thread_wake(daemon_thread);
    return 0;

free_conn:
    xsd_conn_free(c->conn);
    rm_domain_nodes(domid);
unmap:
    unmap_slot(c);
    return rc;
}

void xenstore_domain_remove(domid_t domid)
{
    struct store_conn *c = find(domid);

    if (xsd == NULL)
        return;
    if (c != NULL) {
        (void)evtchn_close(c->port);
        xsd_conn_free(c->conn);
        unmap_slot(c);
        c->used = false;
    }
    rm_domain_nodes(domid);
    xsd_domain_released(xsd, domid);
}

int xenstore_write(const char *path, const char *value)
{
    if (xsd == NULL)
        return -XEN_ENODEV;
    int rc = xsd_tool_write(xsd, path, value, strlen(value));
    kicked = true;                      /* watch events may be waiting */
    thread_wake(daemon_thread);
    return rc;
}

void xenstore_counts(struct xenstore_counts *n)
{
    memset(n, 0, sizeof(*n));
    if (xsd == NULL)
        return;
    n->nodes = xsd_nr_nodes(xsd);
    n->watches = xsd_nr_watches(xsd);
    n->transactions = xsd_nr_transactions(xsd);
    for (unsigned i = 0; i < ARRAY_SIZE(conns); i++)
        n->connections += conns[i].used;
}
