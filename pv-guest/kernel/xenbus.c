/*
 * The xenstore client (see guest/xenbus.h).
 *
 * State: the page's two rings (rings/ring_byte: we produce requests and
 * consume responses), one partly received message (hdr + body), at most one
 * request in flight (busy; cooperative threads, so a flag is a lock), the
 * reply slot for it, and a queue of watch events. pump() moves every byte
 * the server produced into messages and files each one; only threads call
 * it. The port's handler sets `kicked` and wakes the two possible waiters.
 */
#include <stdio.h>
#include <string.h>

#include "guest/xenbus.h"
#include "arch/hypercall.h"
#include "guest/console.h"
#include "guest/events.h"
#include "guest/kernel.h"
#include "guest/mm.h"
#include "guest/thread.h"
#include "guest/time.h"
#include "rings/ring_byte.h"

struct watch_event {
    char path[256];
    char token[64];
};

static struct ring_byte_pair ring;
static evtchn_port_t port;
static bool ready, broken;
static volatile bool kicked;
static struct thread *req_waiter, *watch_waiter;

/* The message being received. */
static struct xsd_sockmsg in_hdr;
static uint32_t in_have;                        /* bytes of header + body so far */
static char in_body[XENSTORE_PAYLOAD_MAX];

/* The request in flight. */
static bool busy;
static uint32_t next_req_id = 1, want_req_id;
static bool reply_done;
static struct xsd_sockmsg reply_hdr;
static char reply_body[XENSTORE_PAYLOAD_MAX];

static struct watch_event watches[XENBUS_WATCH_QUEUE];
static unsigned watch_head, watch_count;
static uint64_t watch_dropped;

static void store_event(evtchn_port_t p, struct trap_frame *f, void *arg)
{
    (void)p, (void)f, (void)arg;
    kicked = true;
    if (req_waiter)
        thread_wake(req_waiter);
    if (watch_waiter)
        thread_wake(watch_waiter);
}

int xenbus_init(void)
{
    if (start_info.store_mfn == 0 || start_info.store_evtchn == 0)
        return -XEN_ENODEV;
    void *page = mfn_to_virt(start_info.store_mfn);
    if (page == NULL)
        return -XEN_ENODEV;
    if (ring_xenstore_attach(&ring, page, RING_SIDE_FRONT) < 0)
        return -XEN_EIO;
    port = start_info.store_evtchn;
    long rc = evtchn_attach(port, store_event, NULL);
    if (rc < 0)
        return (int)rc;
    ready = true;
    return 0;
}

uint64_t xenbus_watch_dropped(void)
{
    return watch_dropped;
}

static void queue_watch(void)
{
    /* Payload: path NUL token NUL. */
    const char *path = in_body;
    size_t plen = strnlen(path, in_hdr.len);
    if (plen >= in_hdr.len)
        return;                                 /* malformed: dropped */
    const char *token = in_body + plen + 1;
    size_t tlen = strnlen(token, in_hdr.len - plen - 1);
    if (watch_count == XENBUS_WATCH_QUEUE) {
        watch_head = (watch_head + 1) % XENBUS_WATCH_QUEUE;
        watch_count--;
        watch_dropped++;
    }
    struct watch_event *w = &watches[(watch_head + watch_count) % XENBUS_WATCH_QUEUE];
    snprintf(w->path, sizeof(w->path), "%.*s", (int)plen, path);
    snprintf(w->token, sizeof(w->token), "%.*s", (int)tlen, token);
    watch_count++;
    if (watch_waiter)
        thread_wake(watch_waiter);
}

static void file_message(void)
{
    if (in_hdr.type == XS_WATCH_EVENT) {
        queue_watch();
        return;
    }
    if (!busy || reply_done || in_hdr.req_id != want_req_id)
        return;                                 /* late or unsolicited: dropped */
    reply_hdr = in_hdr;
    memcpy(reply_body, in_body, in_hdr.len);
    reply_done = true;
    if (req_waiter)
        thread_wake(req_waiter);
}

/* Receive what the server produced; notify it if we consumed anything. */
static void pump(void)
{
    bool moved = false;

    while (!broken) {
        int n;
        if (in_have < sizeof(in_hdr)) {
            n = ring_byte_read(&ring.rx, (char *)&in_hdr + in_have,
                               (uint32_t)(sizeof(in_hdr) - in_have));
        } else {
            if (in_hdr.len > XENSTORE_PAYLOAD_MAX) {
                printk("xenbus: the server sent a %u-byte payload: connection broken\n",
                       in_hdr.len);
                broken = true;
                break;
            }
            uint32_t got = in_have - (uint32_t)sizeof(in_hdr);
            n = ring_byte_read(&ring.rx, in_body + got, in_hdr.len - got);
        }
        if (n < 0) {
            printk("xenbus: response ring indices corrupt: connection broken\n");
            broken = true;
            break;
        }
        in_have += (uint32_t)n;
        moved |= n > 0;
        if (in_have >= sizeof(in_hdr) && in_hdr.len <= XENSTORE_PAYLOAD_MAX &&
            in_have == sizeof(in_hdr) + in_hdr.len) {
            file_message();
            in_have = 0;
            continue;
        }
        if (n == 0)
            break;
    }
    if (moved)
        (void)evtchn_notify(port);
}

/* Wait for an event on the store port (or the deadline); false on timeout. */
static bool wait_kick(struct thread **slot, uint64_t deadline)
{
    unsigned flags = irq_save();
    *slot = thread_current();
    if (!kicked)
        (void)thread_wait(deadline);
    kicked = false;
    *slot = NULL;
    irq_restore(flags);
    return time_now_ns() < deadline;
}

static int send_all(const void *buf, uint32_t len, uint64_t deadline)
{
    const char *p = buf;
    while (len != 0) {
        int n = ring_byte_write(&ring.tx, p, len);
        if (n < 0) {
            broken = true;
            return -XEN_EIO;
        }
        if (n > 0) {
            (void)evtchn_notify(port);
            p += n;
            len -= (uint32_t)n;
            continue;
        }
        pump();
        if (!wait_kick(&req_waiter, deadline))
            return -XEN_ETIME;
    }
    return 0;
}

static long error_code(const char *name, uint32_t len)
{
    static const struct {
        const char *name;
        long err;
    } codes[] = {
        { "EINVAL", XEN_EINVAL }, { "EACCES", XEN_EACCES }, { "EEXIST", XEN_EEXIST },
        { "EISDIR", XEN_EISDIR }, { "ENOENT", XEN_ENOENT }, { "ENOMEM", XEN_ENOMEM },
        { "ENOSPC", XEN_ENOSPC }, { "EIO", XEN_EIO }, { "ENOTEMPTY", XEN_ENOTEMPTY },
        { "ENOSYS", XEN_ENOSYS }, { "EROFS", XEN_EROFS }, { "EBUSY", XEN_EBUSY },
        { "EAGAIN", XEN_EAGAIN }, { "EISCONN", XEN_EISCONN }, { "E2BIG", XEN_E2BIG },
        { "EPERM", XEN_EPERM },
    };
    for (size_t i = 0; i < ARRAY_SIZE(codes); i++)
        if (strnlen(name, len) == strlen(codes[i].name) &&
            strncmp(name, codes[i].name, len) == 0)
            return -codes[i].err;
    return -XEN_EIO;
}

/* A piece of a request's payload. */
struct part {
    const void *data;
    uint32_t len;
};

/*
 * Send one request whose payload is the n parts back to back, and wait for
 * its reply (see xenbus_request). The parts go straight into the ring, in
 * the request slot: no copy that another thread could overwrite.
 */
static long transact(uint32_t type, uint32_t tx, const struct part *parts, unsigned n,
                     void *reply, size_t rsize)
{
    uint64_t len = 0;
    for (unsigned i = 0; i < n; i++)
        len += parts[i].len;
    if (!ready)
        return -XEN_ENODEV;
    if (len > XENSTORE_PAYLOAD_MAX)
        return -XEN_E2BIG;
    while (busy)
        thread_yield();
    if (broken)
        return -XEN_EIO;
    busy = true;
    reply_done = false;
    want_req_id = next_req_id++;

    uint64_t deadline = time_now_ns() + XENBUS_TIMEOUT_NS;
    struct xsd_sockmsg hdr = { .type = type, .req_id = want_req_id, .tx_id = tx,
                               .len = (uint32_t)len };
    long rc = send_all(&hdr, sizeof(hdr), deadline);
    for (unsigned i = 0; i < n && rc == 0; i++)
        rc = send_all(parts[i].data, parts[i].len, deadline);
    while (rc == 0) {
        pump();
        if (reply_done)
            break;
        if (broken)
            rc = -XEN_EIO;
        else if (!wait_kick(&req_waiter, deadline))
            rc = -XEN_ETIME;
    }
    if (rc == 0) {
        if (reply_hdr.type == XS_ERROR)
            rc = error_code(reply_body, reply_hdr.len);
        else if (reply_hdr.type != type)
            rc = -XEN_EIO;
        else if (reply_hdr.len > rsize)
            rc = -XEN_E2BIG;
        else {
            memcpy(reply, reply_body, reply_hdr.len);
            if (reply_hdr.len < rsize)
                ((char *)reply)[reply_hdr.len] = '\0';
            rc = reply_hdr.len;
        }
    }
    busy = false;
    return rc;
}

long xenbus_request(uint32_t type, uint32_t tx, const void *payload, uint32_t len, void *reply,
                    size_t rsize)
{
    struct part p = { payload, len };
    return transact(type, tx, &p, 1, reply, rsize);
}

/* A request of NUL-terminated strings (the last one's NUL optional: WRITE's
   value has none); 0 or -errno. */
static long simple(uint32_t type, const char *const *strs, unsigned n, bool last_nul)
{
    struct part parts[9];
    char ack[8];
    if (n > ARRAY_SIZE(parts))
        return -XEN_EINVAL;
    for (unsigned i = 0; i < n; i++) {
        size_t l = strlen(strs[i]) + (i + 1 < n || last_nul);
        if (l > XENSTORE_PAYLOAD_MAX)
            return -XEN_E2BIG;
        parts[i] = (struct part){ strs[i], (uint32_t)l };
    }
    long rc = transact(type, 0, parts, n, ack, sizeof(ack));
    return rc < 0 ? rc : 0;
}

long xenbus_read(const char *path, char *buf, size_t size)
{
    size_t l = strlen(path) + 1;
    if (l > XENSTORE_PAYLOAD_MAX)
        return -XEN_E2BIG;
    long rc = xenbus_request(XS_READ, 0, path, (uint32_t)l, buf, size);
    if (rc >= 0 && (size_t)rc == size)
        return -XEN_E2BIG;                      /* no room for the NUL */
    return rc;
}

int xenbus_write(const char *path, const char *value)
{
    const char *parts[] = { path, value };
    return (int)simple(XS_WRITE, parts, 2, false);
}

int xenbus_mkdir(const char *path)
{
    return (int)simple(XS_MKDIR, &path, 1, true);
}

int xenbus_rm(const char *path)
{
    return (int)simple(XS_RM, &path, 1, true);
}

int xenbus_set_perms(const char *path, const char *const *perms, unsigned n)
{
    const char *parts[9];
    if (n == 0 || n >= ARRAY_SIZE(parts))
        return -XEN_EINVAL;
    parts[0] = path;
    for (unsigned i = 0; i < n; i++)
        parts[i + 1] = perms[i];
    return (int)simple(XS_SET_PERMS, parts, n + 1, true);
}

int xenbus_watch(const char *path, const char *token)
{
    const char *parts[] = { path, token };
    return (int)simple(XS_WATCH, parts, 2, true);
}

int xenbus_unwatch(const char *path, const char *token)
{
    const char *parts[] = { path, token };
    return (int)simple(XS_UNWATCH, parts, 2, true);
}

int xenbus_wait_watch(uint64_t deadline_ns, char *path, size_t plen, char *token, size_t tlen)
{
    for (;;) {
        pump();
        if (watch_count != 0) {
            const struct watch_event *w = &watches[watch_head];
            snprintf(path, plen, "%s", w->path);
            snprintf(token, tlen, "%s", w->token);
            watch_head = (watch_head + 1) % XENBUS_WATCH_QUEUE;
            watch_count--;
            return 0;
        }
        if (broken)
            return -XEN_EIO;
        if (!wait_kick(&watch_waiter, deadline_ns))
            return -XEN_ETIME;
    }
}
