/*
 * Byte-stream rings for the console and xenstore pages (see ring_byte.h for
 * the invariants and public/io/console.h for the protocol).
 *
 * Ordering: each call reads the peer's index once with acquire, moves bytes,
 * then publishes our index once with release.
 *  - producer: acquire on cons orders the consumer's reads of the space it
 *    freed before our overwrites of it; release on prod makes the bytes
 *    visible before the index that covers them;
 *  - consumer: acquire on prod makes the bytes visible to our copy; release
 *    on cons completes our reads before the producer may reuse the space.
 * Each byte is copied out exactly once, into the caller's buffer.
 */
#include "core/env.h"
#include "ring_byte.h"

static inline ring_idx_t peer_load_acquire(const ring_idx_t *p)
{
    return __atomic_load_n(p, __ATOMIC_ACQUIRE);
}

static inline void own_store_release(ring_idx_t *p, ring_idx_t v)
{
    __atomic_store_n(p, v, __ATOMIC_RELEASE);
}

/* Distance the peer's index allows us to move, or -1 if out of window. */
static int64_t window(struct ring_byte *r)
{
    ring_idx_t peer = peer_load_acquire(r->peer);
    /* producer: bytes still unread; consumer: bytes readable */
    ring_idx_t used = r->producer ? (ring_idx_t)(r->pos - peer) : (ring_idx_t)(peer - r->pos);
    if (used > r->size) {
        r->broken = true;
        return -1;
    }
    return r->producer ? (int64_t)(r->size - used) : (int64_t)used;
}

int ring_byte_attach(struct ring_byte *r, void *buf, uint32_t size, ring_idx_t *own,
                     ring_idx_t *peer, bool producer)
{
    memset(r, 0, sizeof(*r));
    r->broken = true;
    if (!buf || !own || !peer || size == 0 || (size & (size - 1)) != 0 || size > (1u << 30))
        return RING_ERR_INVAL;
    r->buf = buf;
    r->size = size;
    r->own = own;
    r->peer = peer;
    r->producer = producer;
    /* The only read of our own index: adopt where the ring stands now. */
    r->pos = __atomic_load_n(own, __ATOMIC_ACQUIRE);
    r->broken = false;
    return window(r) < 0 ? RING_ERR_BROKEN : 0;
}

int ring_byte_space(struct ring_byte *r)
{
    if (r->broken || !r->producer)
        return RING_ERR_BROKEN;
    int64_t n = window(r);
    return n < 0 ? RING_ERR_BROKEN : (int)n;
}

int ring_byte_pending(struct ring_byte *r)
{
    if (r->broken || r->producer)
        return RING_ERR_BROKEN;
    int64_t n = window(r);
    return n < 0 ? RING_ERR_BROKEN : (int)n;
}

int ring_byte_write(struct ring_byte *r, const void *src, uint32_t len)
{
    int space = ring_byte_space(r);
    if (space < 0)
        return space;
    uint32_t n = MIN(len, (uint32_t)space);
    if (n == 0)
        return 0;
    uint32_t at = r->pos & (r->size - 1);
    uint32_t first = MIN(n, r->size - at);
    memcpy(r->buf + at, src, first);
    memcpy(r->buf, (const uint8_t *)src + first, n - first);
    r->pos += n;
    own_store_release(r->own, r->pos);
    return (int)n;
}

int ring_byte_read(struct ring_byte *r, void *dst, uint32_t max)
{
    int avail = ring_byte_pending(r);
    if (avail < 0)
        return avail;
    uint32_t n = MIN(max, (uint32_t)avail);
    if (n == 0)
        return 0;
    uint32_t at = r->pos & (r->size - 1);
    uint32_t first = MIN(n, r->size - at);
    memcpy(dst, r->buf + at, first);
    memcpy((uint8_t *)dst + first, r->buf, n - first);
    r->pos += n;
    own_store_release(r->own, r->pos);
    return (int)n;
}

/* Attach both rings of a page; the first error wins, both ends stay safe. */
static int pair_attach(struct ring_byte_pair *p, void *tx_buf, uint32_t tx_size,
                       ring_idx_t *tx_prod, ring_idx_t *tx_cons, void *rx_buf, uint32_t rx_size,
                       ring_idx_t *rx_prod, ring_idx_t *rx_cons)
{
    int rc_tx = ring_byte_attach(&p->tx, tx_buf, tx_size, tx_prod, tx_cons, true);
    int rc_rx = ring_byte_attach(&p->rx, rx_buf, rx_size, rx_cons, rx_prod, false);
    return rc_tx != 0 ? rc_tx : rc_rx;
}

int ring_console_attach(struct ring_byte_pair *p, struct xencons_interface *c,
                        enum ring_side side)
{
    if (side == RING_SIDE_FRONT) /* guest prints to out, reads typed input from in */
        return pair_attach(p, c->out, XENCONS_OUT_SIZE, &c->out_prod, &c->out_cons, c->in,
                           XENCONS_IN_SIZE, &c->in_prod, &c->in_cons);
    return pair_attach(p, c->in, XENCONS_IN_SIZE, &c->in_prod, &c->in_cons, c->out,
                       XENCONS_OUT_SIZE, &c->out_prod, &c->out_cons);
}

int ring_xenstore_attach(struct ring_byte_pair *p, struct xenstore_domain_interface *x,
                         enum ring_side side)
{
    if (side == RING_SIDE_FRONT) /* guest sends requests, receives replies and events */
        return pair_attach(p, x->req, XENSTORE_RING_SIZE, &x->req_prod, &x->req_cons, x->rsp,
                           XENSTORE_RING_SIZE, &x->rsp_prod, &x->rsp_cons);
    return pair_attach(p, x->rsp, XENSTORE_RING_SIZE, &x->rsp_prod, &x->rsp_cons, x->req,
                       XENSTORE_RING_SIZE, &x->req_prod, &x->req_cons);
}
