/*
 * The ring conformance suite's only window onto a ring implementation.
 *
 * The tests in tests/unit/ring_*_test.c and the fuzz harnesses call ra_*()
 * and touch the shared page only through the public ABI headers under public/io/;
 * they never see struct ring_front's fields or call ring_*() directly. To
 * run the suite against another implementation, write another header with
 * the same name that defines the same types and functions on top of it and
 * build with RING_ADAPTER_DIR pointing at its directory (see
 * rings/README.md). Everything here is a one-line forward.
 *
 * Contract the suite assumes (each function's comment in rings/ring.h):
 *  - counts are >= 0, RA_BROKEN / RA_FULL are negative;
 *  - take returns 1 with a private copy, 0 when nothing is pending;
 *  - push = publish (returns the previous producer index) followed by
 *    notify_check; final_check = unconsumed, arm, unconsumed. The model test
 *    calls the halves separately to interleave them with the peer.
 */
#ifndef XENIA_RINGS_RING_ADAPTER_H
#define XENIA_RINGS_RING_ADAPTER_H

#include "public/io/blkif.h"
#include "public/io/netif.h"
#include "ring.h"
#include "ring_blkif.h"
#include "ring_byte.h"

#define RA_IMPLEMENTATION "xenia rings/"
#define RA_BROKEN RING_ERR_BROKEN
#define RA_FULL RING_ERR_FULL

typedef struct ring_front ra_front;
typedef struct ring_back ra_back;
typedef struct ring_byte ra_bytes;
typedef struct ring_byte_pair ra_byte_pair;

/* The slot-ring protocols the implementation offers, as it declares them. */
struct ra_proto {
    const char *name;
    size_t slot_size;
    size_t req_size;
    size_t rsp_size;
};

enum { RA_BLKIF, RA_NETIF_TX, RA_NETIF_RX, RA_NR_PROTOS };

static inline const struct ra_proto *ra_proto(unsigned i)
{
    static const struct ra_proto protos[RA_NR_PROTOS] = {
        [RA_BLKIF] = { "blkif", sizeof(union blkif_ring_entry), sizeof(struct blkif_request),
                       sizeof(struct blkif_response) },
        [RA_NETIF_TX] = { "netif_tx", sizeof(union netif_tx_ring_entry),
                          sizeof(struct netif_tx_request), sizeof(struct netif_tx_response) },
        [RA_NETIF_RX] = { "netif_rx", sizeof(union netif_rx_ring_entry),
                          sizeof(struct netif_rx_request), sizeof(struct netif_rx_response) },
    };
    return &protos[i];
}

static inline uint32_t ra_slots_for(size_t bytes, size_t slot) { return ring_slots_for(bytes, slot); }
static inline bool ra_need_notify(ring_idx_t old, ring_idx_t new_prod, ring_idx_t event)
{
    return ring_need_notify(old, new_prod, event);
}
static inline void ra_shared_init(void *page, ring_idx_t start) { ring_shared_init(page, start); }

/* front */
static inline int ra_front_attach(ra_front *f, void *page, size_t bytes, size_t slot, ring_idx_t start)
{
    return ring_front_attach(f, page, bytes, slot, start);
}
static inline uint32_t ra_front_slots(const ra_front *f) { return ring_front_slots(f); }
static inline uint32_t ra_front_free(const ra_front *f) { return ring_front_free(f); }
static inline int ra_front_put(ra_front *f, const void *m, size_t n) { return ring_front_put(f, m, n); }
static inline ring_idx_t ra_front_publish(ra_front *f) { return ring_front_publish(f); }
static inline bool ra_front_notify_check(ra_front *f, ring_idx_t old) { return ring_front_notify_check(f, old); }
static inline bool ra_front_push(ra_front *f) { return ring_front_push(f); }
static inline int ra_front_unconsumed(ra_front *f) { return ring_front_unconsumed(f); }
static inline int ra_front_take(ra_front *f, void *m, size_t n) { return ring_front_take(f, m, n); }
static inline void ra_front_arm(ra_front *f) { ring_front_arm(f); }
static inline int ra_front_final_check(ra_front *f) { return ring_front_final_check(f); }
static inline bool ra_front_broken(const ra_front *f) { return ring_front_broken(f); }

/* back */
static inline int ra_back_attach(ra_back *b, void *page, size_t bytes, size_t slot, ring_idx_t start)
{
    return ring_back_attach(b, page, bytes, slot, start);
}
static inline uint32_t ra_back_slots(const ra_back *b) { return ring_back_slots(b); }
static inline int ra_back_unconsumed(ra_back *b) { return ring_back_unconsumed(b); }
static inline int ra_back_take(ra_back *b, void *m, size_t n) { return ring_back_take(b, m, n); }
static inline void ra_back_arm(ra_back *b) { ring_back_arm(b); }
static inline int ra_back_final_check(ra_back *b) { return ring_back_final_check(b); }
static inline int ra_back_put(ra_back *b, const void *m, size_t n) { return ring_back_put(b, m, n); }
static inline ring_idx_t ra_back_publish(ra_back *b) { return ring_back_publish(b); }
static inline bool ra_back_notify_check(ra_back *b, ring_idx_t old) { return ring_back_notify_check(b, old); }
static inline bool ra_back_push(ra_back *b) { return ring_back_push(b); }
static inline bool ra_back_broken(const ra_back *b) { return ring_back_broken(b); }

/* byte rings (console, xenstore) */
static inline int ra_console_attach(ra_byte_pair *p, struct xencons_interface *c, bool front)
{
    return ring_console_attach(p, c, front ? RING_SIDE_FRONT : RING_SIDE_BACK);
}
static inline int ra_xenstore_attach(ra_byte_pair *p, struct xenstore_domain_interface *x, bool front)
{
    return ring_xenstore_attach(p, x, front ? RING_SIDE_FRONT : RING_SIDE_BACK);
}
static inline int ra_bytes_write(ra_bytes *r, const void *s, uint32_t n) { return ring_byte_write(r, s, n); }
static inline int ra_bytes_read(ra_bytes *r, void *d, uint32_t n) { return ring_byte_read(r, d, n); }
static inline int ra_bytes_space(ra_bytes *r) { return ring_byte_space(r); }
static inline int ra_bytes_pending(ra_bytes *r) { return ring_byte_pending(r); }
static inline bool ra_bytes_broken(const ra_bytes *r) { return ring_byte_broken(r); }

/* blkif request checks */
typedef struct ring_blkif_disk ra_blkif_disk;
static inline int ra_blkif_check(const struct blkif_request *r, const ra_blkif_disk *d, uint64_t *n)
{
    return ring_blkif_check(r, d, n);
}

#endif /* XENIA_RINGS_RING_ADAPTER_H */
