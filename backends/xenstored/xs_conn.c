/*
 * Connections: framing of the request stream and the queue of output.
 *
 * Input is a byte stream of messages (16-byte header, then len bytes); it
 * arrives in arbitrary pieces and is reassembled in the connection's own
 * buffer, one message at a time. A header with len > XENSTORE_PAYLOAD_MAX
 * cannot be framed past: the connection becomes bad for good (no more
 * input, no more output), which is Xen's answer too. Nothing else a peer
 * sends makes it bad.
 *
 * Output is a queue of whole messages, each its own allocation. A request
 * is processed only while out_bytes < output_max_bytes; a complete request
 * found otherwise waits in the input buffer (stalled) and no further byte
 * is consumed, so a peer that does not read its replies gets at most one
 * reply past the limit. Watch events never take out_bytes past the limit
 * (xs_watch_event). If a reply cannot be allocated, the connection's
 * preallocated "ENOMEM" error reply goes instead; if that one is still
 * queued, the connection becomes bad (the peer would otherwise wait for
 * ever for a reply that cannot come).
 */
#include "xs_core.h"

#define XS_HDR sizeof(struct xsd_sockmsg)

struct xsd_conn *xsd_conn_new(struct xsd *d, uint16_t domid)
{
    struct xsd_conn *c = xs_alloc(d, sizeof(*c));

    if (!c)
        return NULL;
    memset(c, 0, offsetof(struct xsd_conn, in_payload));
    c->d = d;
    c->domid = domid;
    c->nomem.is_static = true;
    c->nomem.data = c->nomem_bytes;
    c->nomem.len = sizeof(c->nomem_bytes);
    c->next = d->conns;
    if (d->conns)
        d->conns->prev = c;
    d->conns = c;
    d->nr_conns++;
    return c;
}

static void xs_out_pop(struct xsd_conn *c)
{
    struct xs_outmsg *m = c->out_head;

    c->out_head = m->next;
    if (!c->out_head)
        c->out_tail = NULL;
    c->out_bytes -= m->len - m->off;
    if (m->is_static)
        c->nomem_queued = false;
    else
        xs_free(c->d, m);
}

void xsd_conn_free(struct xsd_conn *c)
{
    struct xsd *d = c->d;

    xs_txn_free_all(c);
    xs_watch_free_all(c);
    while (c->out_head)
        xs_out_pop(c);
    if (c->prev)
        c->prev->next = c->next;
    else
        d->conns = c->next;
    if (c->next)
        c->next->prev = c->prev;
    d->nr_conns--;
    xs_free(d, c);
}

uint16_t xsd_conn_domid(const struct xsd_conn *c) { return c->domid; }
bool xsd_conn_bad(const struct xsd_conn *c) { return c->bad; }
bool xsd_conn_stalled(const struct xsd_conn *c) { return c->stalled; }
bool xsd_conn_has_output(const struct xsd_conn *c) { return c->out_head != NULL; }
size_t xsd_conn_pending(const struct xsd_conn *c) { return c->out_bytes; }
uint64_t xsd_conn_events_dropped(const struct xsd_conn *c) { return c->events_dropped; }

static void xs_hdr_fill(uint8_t *p, uint32_t type, uint32_t req_id, uint32_t tx_id, uint32_t len)
{
    const struct xsd_sockmsg h = { .type = type, .req_id = req_id, .tx_id = tx_id, .len = len };

    memcpy(p, &h, sizeof(h));
}

/* A message with its header filled in; the caller writes len payload bytes. */
struct xs_outmsg *xs_out_alloc(struct xsd_conn *c, uint32_t type, uint32_t req_id,
                               uint32_t tx_id, size_t len)
{
    struct xs_outmsg *m = xs_alloc(c->d, sizeof(*m) + XS_HDR + len);

    if (!m)
        return NULL;
    m->next = NULL;
    m->len = (uint32_t)(XS_HDR + len);
    m->off = 0;
    m->is_static = false;
    m->data = (uint8_t *)(m + 1);
    xs_hdr_fill(m->data, type, req_id, tx_id, (uint32_t)len);
    return m;
}

void xs_out_queue(struct xsd_conn *c, struct xs_outmsg *m)
{
    if (c->out_tail)
        c->out_tail->next = m;
    else
        c->out_head = m;
    c->out_tail = m;
    c->out_bytes += m->len;
}

void xs_reply(struct xsd_conn *c, const struct xsd_sockmsg *req, uint32_t type,
              const void *payload, size_t len)
{
    struct xs_outmsg *m;

    if (c->bad)
        return;
    m = xs_out_alloc(c, type, req->req_id, req->tx_id, len);
    if (m) {
        if (len)
            memcpy(m->data + XS_HDR, payload, len);
        xs_out_queue(c, m);
        return;
    }
    if (c->nomem_queued) {
        c->bad = true;
        return;
    }
    xs_hdr_fill(c->nomem_bytes, XS_ERROR, req->req_id, req->tx_id, sizeof("ENOMEM"));
    memcpy(c->nomem_bytes + XS_HDR, "ENOMEM", sizeof("ENOMEM"));
    c->nomem.next = NULL;
    c->nomem.off = 0;
    c->nomem_queued = true;
    xs_out_queue(c, &c->nomem);
}

void xs_reply_error(struct xsd_conn *c, const struct xsd_sockmsg *req, int err)
{
    const char *name = xsd_error_name(err);

    xs_reply(c, req, XS_ERROR, name, strlen(name) + 1);
}

int xsd_conn_input(struct xsd_conn *c, const void *buf, size_t len)
{
    const uint8_t *in = buf;
    size_t done = 0;

    if (c->bad)
        return -XSD_EIO;
    len = MIN(len, (size_t)0x7fffffff);
    for (;;) {
        size_t n;

        if (c->in_have >= XS_HDR && c->in_have == XS_HDR + c->in_hdr.len) {
            if (c->out_bytes >= c->d->lim.output_max_bytes) {
                c->stalled = true;
                break;
            }
            c->stalled = false;
            c->in_have = 0;
            xs_dispatch(c, &c->in_hdr, c->in_payload);
            continue;
        }
        if (done == len)
            break;
        if (c->in_have < XS_HDR) {
            n = MIN(XS_HDR - c->in_have, len - done);
            memcpy((uint8_t *)&c->in_hdr + c->in_have, in + done, n);
            c->in_have += (uint32_t)n;
            done += n;
            if (c->in_have == XS_HDR && c->in_hdr.len > XENSTORE_PAYLOAD_MAX) {
                c->bad = true;
                return -XSD_EIO;
            }
        } else {
            n = MIN(XS_HDR + c->in_hdr.len - c->in_have, len - done);
            memcpy(c->in_payload + (c->in_have - XS_HDR), in + done, n);
            c->in_have += (uint32_t)n;
            done += n;
        }
    }
    return (int)done;
}

size_t xsd_conn_output(struct xsd_conn *c, const void **buf)
{
    struct xs_outmsg *m = c->out_head;

    if (!m)
        return 0;
    *buf = m->data + m->off;
    return m->len - m->off;
}

void xsd_conn_consume(struct xsd_conn *c, size_t n)
{
    while (n && c->out_head) {
        struct xs_outmsg *m = c->out_head;
        size_t k = MIN(n, (size_t)(m->len - m->off));

        m->off += (uint32_t)k;
        c->out_bytes -= k;
        n -= k;
        if (m->off == m->len)
            xs_out_pop(c);
    }
}
