/*
 * A domU that floods dom0's xenstored must not stop dom0's other work
 * (booted as a domU by the `domu-xenstore-flood` boot scenario; as dom0 it
 * is SKIP).
 *
 * Two copies of this kernel, told apart by the first word of the command
 * line (the config's `extra`; `peer=NAME` makes dom0 write the other's id
 * to our `peer-domid`):
 *   quitter  publishes data/alive, readable by its peer, waits 300 ms and
 *            powers off;
 *   flood    reads the quitter's data/alive back to back, with no pause,
 *            until the read says ENOENT: dom0 removes a domain's nodes when
 *            it reaps it, and reaping is done by a dom0 thread other than
 *            xenstored's. If xenstored served our stream without ever
 *            letting dom0's other threads run (each reply wakes us at once,
 *            each request finds xenstored still in its loop), the node
 *            would stay for as long as we flood; after FLOOD_LIMIT_NS
 *            that is a failure.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "test.h"
#include "arch/hypercall.h"
#include "guest/events.h"
#include "guest/kernel.h"
#include "guest/mm.h"
#include "guest/thread.h"
#include "guest/time.h"
#include "guest/xenbus.h"
#include "rings/ring_byte.h"

const char test_title[] = "xs_flood: a xenstore flood from a domU leaves dom0 reaping domains";

#define SETUP_LIMIT_NS (10 * NSEC_PER_SEC)
#define FLOOD_LIMIT_NS (20 * NSEC_PER_SEC)
#define QUITTER_LIFE_NS (300 * NSEC_PER_MSEC)

/* A node's value, retried every millisecond until it exists or the limit. */
static long read_when_there(const char *path, char *buf, size_t size, uint64_t until)
{
    long rc;
    while ((rc = xenbus_read(path, buf, size)) == -XEN_ENOENT && time_now_ns() < until)
        thread_sleep_ns(NSEC_PER_MSEC);
    return rc;
}

static long peer_domid(void)
{
    char id[16];
    long rc = read_when_there("peer-domid", id, sizeof(id), time_now_ns() + SETUP_LIMIT_NS);
    if (!test_check(rc > 0, "read peer-domid: %ld", rc))
        return -1;
    return strtol(id, NULL, 10);
}

static enum test_result quitter(void)
{
    char self[16], reader[16];
    long peer = peer_domid();
    if (peer < 0 || !test_check(xenbus_read("domid", self, sizeof(self)) > 0, "read domid"))
        return TEST_ERROR;
    char owner[20];
    snprintf(owner, sizeof(owner), "n%s", self);
    snprintf(reader, sizeof(reader), "r%ld", peer);
    const char *perms[] = { owner, reader };
    if (!test_check(xenbus_write("data/alive", "yes") == 0, "write data/alive") ||
        !test_check(xenbus_set_perms("data/alive", perms, 2) == 0, "make it readable by %ld",
                    peer))
        return TEST_ERROR;
    test_note("quitter: data/alive published for domain %ld", peer);
    thread_sleep_ns(QUITTER_LIFE_NS);
    test_note("quitter: powering off");
    return TEST_SUCCESS;
}

/*
 * The flood goes straight to the ring, not through the xenbus client, so
 * that we spend as little CPU per request as we can (the client is idle by
 * then: our ring ends start where it left off). One request in flight:
 * write it, notify, block until the whole reply is there.
 */
static struct ring_byte_pair raw;

static bool raw_wait(uint32_t bytes, uint64_t until)
{
    unsigned flags = irq_save();
    int n;
    while ((n = ring_byte_pending(&raw.rx)) >= 0 && (uint32_t)n < bytes && time_now_ns() < until)
        time_block_masked(until);
    irq_restore(flags);
    return n >= 0 && (uint32_t)n >= bytes;
}

/* XS_READ of path: 0 for a value, -XEN_ENOENT, or -XEN_EIO for anything else. */
static long raw_read(const char *path, uint32_t req_id, uint64_t until)
{
    static char body[XENSTORE_RING_SIZE];
    uint32_t len = (uint32_t)strlen(path) + 1;
    struct xsd_sockmsg h = { .type = XS_READ, .req_id = req_id, .tx_id = 0, .len = len };
    if (ring_byte_write(&raw.tx, &h, sizeof(h)) != (int)sizeof(h) ||
        ring_byte_write(&raw.tx, path, len) != (int)len)
        return -XEN_EIO;                        /* one request at a time: room for it */
    (void)evtchn_notify(start_info.store_evtchn);
    if (!raw_wait(sizeof(h), until) || ring_byte_read(&raw.rx, &h, sizeof(h)) != (int)sizeof(h))
        return -XEN_EIO;
    if (h.len > sizeof(body) || !raw_wait(h.len, until) ||
        ring_byte_read(&raw.rx, body, h.len) != (int)h.len || h.req_id != req_id)
        return -XEN_EIO;
    if (h.type == XS_READ)
        return 0;
    return h.type == XS_ERROR && h.len == 7 && memcmp(body, "ENOENT", 7) == 0 ? -XEN_ENOENT
                                                                              : -XEN_EIO;
}

static enum test_result flood(void)
{
    char path[64], val[16];
    long peer = peer_domid();
    if (peer < 0)
        return TEST_ERROR;
    snprintf(path, sizeof(path), "/local/domain/%ld/data/alive", peer);
    long rc = read_when_there(path, val, sizeof(val), time_now_ns() + SETUP_LIMIT_NS);
    if (!test_check(rc == 3, "read %s: %ld", path, rc))
        return TEST_ERROR;
    rc = ring_xenstore_attach(&raw, mfn_to_virt(start_info.store_mfn), RING_SIDE_FRONT);
    if (!test_check(rc == 0, "attach to the xenstore ring: %ld", rc))
        return TEST_ERROR;

    uint64_t t0 = time_now_ns(), until = t0 + FLOOD_LIMIT_NS, reads = 0;
    while ((rc = raw_read(path, 0x10000 + (uint32_t)reads, until)) == 0 && time_now_ns() < until)
        reads++;
    uint64_t ms = (time_now_ns() - t0) / NSEC_PER_MSEC;
    test_check(rc == -XEN_ENOENT, "domain %ld still there after %lu ms of flooding (%lu reads, "
               "last %ld): dom0 did not reap it", peer, (unsigned long)ms, (unsigned long)reads,
               rc);
    test_note("flood: %lu back-to-back reads until domain %ld was reaped, %lu ms",
              (unsigned long)reads, peer, (unsigned long)ms);
    return TEST_SUCCESS;
}

enum test_result test_main(void)
{
    const char *cmd = (const char *)start_info.cmd_line;
    if (start_info.flags & SIF_INITDOMAIN) {
        test_note("runs as a domU (domu-xenstore-flood)");
        return TEST_SKIP;
    }
    int rc = xenbus_init();
    if (!test_check(rc == 0, "xenbus_init: %d", rc))
        return TEST_ERROR;
    if (strncmp(cmd, "quitter", 7) == 0)
        return quitter();
    if (strncmp(cmd, "flood", 5) == 0)
        return flood();
    test_note("unknown role \"%s\"", cmd);
    return TEST_ERROR;
}
