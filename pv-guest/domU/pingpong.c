/*
 * Two domUs that meet through xenstore and talk over an interdomain event
 * channel and a granted page (modes `ping` and `pong`).
 *
 * Rendezvous (dom0 writes each one's peer-domid, see dom0/domains.c):
 *   ping: alloc_unbound(remote = pong), grant a zeroed page to pong
 *         (read-write), write "<port> <ref>" to data/pingpong and make that
 *         node readable by pong (SET_PERMS n<ping> r<pong>)
 *   pong: read /local/domain/<ping>/data/pingpong (retrying while it is
 *         missing or unreadable), bind_interdomain, map the grant, notify
 * Then PP_MESSAGES rounds: ping writes message n (seq n, 56 bytes derived
 * from n, their checksum) into its half of the page and notifies; pong
 * checks it, answers with seq n and the bytes inverted, notifies; ping
 * checks the answer. Events only wake the other side; the seq fields in
 * the page say what is there. Any bad message, missing event (timeout) or
 * failed setup step crashes the domain, which the test sees.
 * At the end pong sets `bye`, notifies and unmaps; ping revokes the grant
 * (refused while still mapped: it retries) and both close their ports.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "domU.h"
#include "arch/hypercall.h"
#include "guest/console.h"
#include "guest/events.h"
#include "guest/gnttab.h"
#include "guest/kernel.h"
#include "guest/mm.h"
#include "guest/thread.h"
#include "guest/time.h"
#include "guest/xenbus.h"

#define PP_MESSAGES 10000u
#define PP_WAIT_NS (10 * NSEC_PER_SEC)

struct pp_msg {
    uint32_t seq;               /* 0: nothing yet */
    uint32_t sum;
    uint8_t data[56];
};

struct pp_page {
    struct pp_msg ping;         /* written by ping */
    struct pp_msg pong;         /* written by pong */
    uint32_t bye;               /* pong: unmapped, about to close */
};

static struct peer_wait pp;

/* Wait until *word == want (written by the peer), woken by its events. */
static bool pp_wait(const volatile uint32_t *word, uint32_t want)
{
    return peer_wait_for(&pp, word, want, time_now_ns() + PP_WAIT_NS);
}

static void pp_fill(struct pp_msg *m, uint32_t seq, uint8_t flip)
{
    uint32_t sum = seq;
    for (unsigned i = 0; i < sizeof(m->data); i++) {
        m->data[i] = (uint8_t)((seq * 31u + i * 7u) ^ flip);
        sum = sum * 33u + m->data[i];
    }
    m->sum = sum;
    __atomic_store_n(&m->seq, seq, __ATOMIC_RELEASE);
}

static bool pp_check(const volatile struct pp_msg *m, uint32_t seq, uint8_t flip)
{
    uint32_t sum = seq;
    if (__atomic_load_n(&m->seq, __ATOMIC_ACQUIRE) != seq)
        return false;
    for (unsigned i = 0; i < sizeof(m->data); i++) {
        uint8_t want = (uint8_t)((seq * 31u + i * 7u) ^ flip);
        if (m->data[i] != want)
            return false;
        sum = sum * 33u + want;
    }
    return m->sum == sum;
}

/* Our peer's domain id from /local/domain/<us>/peer-domid (dom0 writes it). */
static domid_t pp_peer(const char *who)
{
    char val[16];
    long rc = -XEN_ENOENT;
    int xrc = xenbus_init();
    if (xrc < 0) {
        printk("%s: no xenstore (%d)\n", who, xrc);
        guest_crash("no xenstore");
    }
    uint64_t deadline = time_now_ns() + PP_WAIT_NS;
    (void)xenbus_watch("peer-domid", "peer");
    while ((rc = xenbus_read("peer-domid", val, sizeof(val))) == -XEN_ENOENT) {
        char p[64], t[16];
        if (xenbus_wait_watch(deadline, p, sizeof(p), t, sizeof(t)) < 0)
            break;
    }
    (void)xenbus_unwatch("peer-domid", "peer");
    if (rc < 0) {
        printk("%s: reading peer-domid: %ld\n", who, rc);
        guest_crash("no peer");
    }
    return (domid_t)strtoul(val, NULL, 10);
}

static void pp_fail(const char *who, const char *what, long rc)
{
    printk("%s: FAIL %s (%ld)\n", who, what, rc);
    guest_crash(what);
}

void pingpong_ping(void)
{
    char node[32], self[8];
    domid_t peer = pp_peer("ping");
    long rc = xenbus_read("domid", self, sizeof(self));
    if (rc < 0)
        pp_fail("ping", "reading our domid", rc);

    struct pp_page *page = mm_alloc_zeroed(1);
    if (page == NULL)
        pp_fail("ping", "page allocation", -XEN_ENOMEM);
    if ((rc = gnttab_init()) < 0)
        pp_fail("ping", "grant table", rc);
    long port = evtchn_alloc_unbound(peer, peer_wait_event, &pp);
    if (port < 0)
        pp_fail("ping", "alloc_unbound", port);
    long ref = gnttab_grant_access(peer, virt_to_mfn(page), false);
    if (ref < 0)
        pp_fail("ping", "grant_access", ref);

    snprintf(node, sizeof(node), "%ld %ld", port, ref);
    if ((rc = xenbus_write("data/pingpong", node)) < 0)
        pp_fail("ping", "xenstore write", rc);
    char owner[8], reader[8];
    snprintf(owner, sizeof(owner), "n%s", self);
    snprintf(reader, sizeof(reader), "r%u", peer);
    const char *perms[] = { owner, reader };
    if ((rc = xenbus_set_perms("data/pingpong", perms, 2)) < 0)
        pp_fail("ping", "xenstore set_perms", rc);
    printk("ping: offered port %ld and grant %ld to domain %u\n", port, ref, peer);

    /* pong says hello by writing seq 0xffffffff into its half. */
    if (!pp_wait(&page->pong.seq, 0xffffffffu))
        pp_fail("ping", "no hello from pong", -XEN_ETIME);
    uint64_t t0 = time_now_ns(), tsc0 = rdtsc();
    unsigned ev0 = pp.events;
    for (uint32_t n = 1; n <= PP_MESSAGES; n++) {
        pp_fill(&page->ping, n, 0);
        if ((rc = evtchn_notify((evtchn_port_t)port)) < 0)
            pp_fail("ping", "notify", rc);
        if (!pp_wait(&page->pong.seq, n) || !pp_check(&page->pong, n, 0xff)) {
            printk("ping: message %u: bad or missing answer (seq %u)\n", n, page->pong.seq);
            pp_fail("ping", "answer", n);
        }
    }
    uint64_t us = (time_now_ns() - t0) / 1000, ticks = rdtsc() - tsc0;
    if (!pp_wait(&page->bye, 1))
        pp_fail("ping", "no goodbye from pong", -XEN_ETIME);
    /* pong unmaps before it says goodbye; the revoke may still race its
       unmap hypercall by a little. */
    uint64_t deadline = time_now_ns() + PP_WAIT_NS;
    while ((rc = gnttab_end_access((grant_ref_t)ref)) == -XEN_EBUSY && time_now_ns() < deadline)
        thread_sleep_ns(NSEC_PER_MSEC);
    if (rc < 0)
        pp_fail("ping", "revoking the grant", rc);
    (void)evtchn_close((evtchn_port_t)port);
    (void)xenbus_rm("data/pingpong");
    mm_free_pages(page, 1);
    printk("ping: %u messages exchanged with domain %u, every answer checked, %u events, "
           "%lu us\n", PP_MESSAGES, peer, pp.events - ev0, (unsigned long)us);
    /* Under QEMU -icount shift=0 a TSC tick is an instruction (make bench). */
    printk("ping: interdomain round trip (message, notify, upcall, answer, notify, upcall): "
           "%lu TSC ticks\n", (unsigned long)(ticks / PP_MESSAGES));
}

void pingpong_pong(void)
{
    char path[64], val[32];
    domid_t peer = pp_peer("pong");
    long rc;

    /* ping publishes its offer when it is ready; retry until then. */
    snprintf(path, sizeof(path), "/local/domain/%u/data/pingpong", peer);
    uint64_t deadline = time_now_ns() + PP_WAIT_NS;
    while ((rc = xenbus_read(path, val, sizeof(val))) < 0 && time_now_ns() < deadline) {
        if (rc != -XEN_ENOENT && rc != -XEN_EACCES)
            break;
        thread_sleep_ns(2 * NSEC_PER_MSEC);
    }
    if (rc < 0)
        pp_fail("pong", "reading ping's offer", rc);
    char *end;
    unsigned long rport = strtoul(val, &end, 10);
    unsigned long ref = strtoul(end, NULL, 10);
    if ((rc = gnttab_init()) < 0)
        pp_fail("pong", "grant table", rc);
    long port = evtchn_bind_interdomain(peer, (evtchn_port_t)rport, peer_wait_event, &pp);
    if (port < 0)
        pp_fail("pong", "bind_interdomain", port);
    struct gnttab_mapping m;
    if ((rc = gnttab_map(peer, (grant_ref_t)ref, false, &m)) < 0)
        pp_fail("pong", "mapping the grant", rc);
    struct pp_page *page = m.va;
    printk("pong: bound port %ld to domain %u port %lu, mapped grant %lu\n", port, peer, rport,
           ref);

    __atomic_store_n(&page->pong.seq, 0xffffffffu, __ATOMIC_RELEASE);
    (void)evtchn_notify((evtchn_port_t)port);
    unsigned bad = 0;
    for (uint32_t n = 1; n <= PP_MESSAGES; n++) {
        if (!pp_wait(&page->ping.seq, n) || !pp_check(&page->ping, n, 0)) {
            printk("pong: message %u: bad or missing (seq %u)\n", n, page->ping.seq);
            bad++;
            pp_fail("pong", "message", n);
        }
        pp_fill(&page->pong, n, 0xff);
        if ((rc = evtchn_notify((evtchn_port_t)port)) < 0)
            pp_fail("pong", "notify", rc);
    }
    /* Goodbye, then unmap: ping's revoke is refused until the unmap. */
    __atomic_store_n(&page->bye, 1, __ATOMIC_RELEASE);
    (void)evtchn_notify((evtchn_port_t)port);
    if ((rc = gnttab_unmap(&m)) < 0)
        pp_fail("pong", "unmap", rc);
    (void)evtchn_close((evtchn_port_t)port);
    printk("pong: %u messages answered for domain %u, %u bad\n", PP_MESSAGES, peer, bad);
}
