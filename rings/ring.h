/*
 * Slot rings: the request/response ring logic shared by the pv-guest
 * frontends, the dom0 backends and the host tests (page layout and protocol:
 * public/io/ring.h).
 *
 * One generic core works on any protocol given its slot size; typed wrappers
 * (RING_DEFINE_OPS below, instantiated in ring_protocols.h) give each
 * protocol its own type-checked put/take calls.
 *
 * Invariants kept by this file for each end (f = front, b = back):
 *   f->rsp_cons <= f->req_published <= f->req_prod_pvt
 *                 and f->req_prod_pvt - f->rsp_cons <= nr_slots
 *   b->rsp_published <= b->rsp_prod_pvt <= b->req_cons
 *                 and b->req_cons - b->rsp_published <= nr_slots
 * ("<=" modulo 2^32: a <= b means (u32)(b - a) is the distance.)
 * An end never reads back an index it writes itself from the shared page: it
 * keeps its own copy, so a peer scribbling on our fields changes nothing.
 *
 * The peer is untrusted. Everything it writes is read once per use: its
 * producer index is checked against the window a correct peer can reach
 * (outside it, the ring is broken), its event index only decides whether to
 * notify, and slot contents are copied out whole before anyone looks at
 * them. A broken ring is halted: every later call returns RING_ERR_BROKEN
 * and the shared page is never touched again. Nothing the peer does reaches
 * BUG_ON.
 *
 * Not thread-safe per end: one thread (or one lock) per end. The two ends
 * may run concurrently on different CPUs or in different domains.
 */
#ifndef XENIA_RINGS_RING_H
#define XENIA_RINGS_RING_H

#include "core/env.h"
#include "public/io/ring.h"

/* Results besides counts (>= 0). */
#define RING_ERR_BROKEN (-1) /* the peer broke the protocol; ring halted */
#define RING_ERR_FULL (-2)   /* no slot free for this put */
#define RING_ERR_INVAL (-3)  /* bad attach parameters (caller's mistake) */

/* Geometry of one attached ring page. */
struct ring_geom {
    struct ring_shared *sh; /* the shared page */
    uint8_t *slots;         /* sh + RING_HEADER_SIZE */
    uint32_t slot_size;     /* bytes per slot (size of the entry union) */
    uint32_t nr_slots;      /* power of two */
};

/* Frontend: produces requests, consumes responses. */
struct ring_front {
    struct ring_geom g;
    ring_idx_t req_prod_pvt;  /* next request slot to fill */
    ring_idx_t req_published; /* last value stored to sh->req_prod */
    ring_idx_t rsp_cons;      /* next response to consume */
    bool broken;
};

/* Backend: consumes requests, produces responses. */
struct ring_back {
    struct ring_geom g;
    ring_idx_t req_cons;      /* next request to consume */
    ring_idx_t rsp_prod_pvt;  /* next response slot to fill */
    ring_idx_t rsp_published; /* last value stored to sh->rsp_prod */
    bool broken;
};

/* Slots of slot_size bytes in a ring area of `bytes` (0 if none fit). */
uint32_t ring_slots_for(size_t bytes, size_t slot_size);

/* The notification rule: did the consumer ask to hear about (old, new]? */
static inline bool ring_need_notify(ring_idx_t old, ring_idx_t new_prod, ring_idx_t event)
{
    return (ring_idx_t)(new_prod - event) < (ring_idx_t)(new_prod - old);
}

/*
 * Set up a fresh shared page (the front does this, before it advertises the
 * page): both producer indices = start, both events = start + 1, reserved
 * bytes zero. Slots are left alone.
 */
void ring_shared_init(struct ring_shared *sh, ring_idx_t start);

/*
 * Attach an end to a ring page of `bytes` bytes with slots of slot_size
 * bytes, private indices at `start` (0 for a fresh ring; must match the
 * shared indices). 0, or RING_ERR_INVAL if the page is misaligned or too
 * small for one slot.
 */
int ring_front_attach(struct ring_front *f, void *page, size_t bytes, size_t slot_size,
                      ring_idx_t start);
int ring_back_attach(struct ring_back *b, void *page, size_t bytes, size_t slot_size,
                     ring_idx_t start);

/* Front: requests. */
uint32_t ring_front_free(const struct ring_front *f); /* slots free for new requests */
int ring_front_put(struct ring_front *f, const void *req, size_t len); /* 0/FULL/BROKEN */
ring_idx_t ring_front_publish(struct ring_front *f); /* returns the old req_prod */
bool ring_front_notify_check(struct ring_front *f, ring_idx_t old);
bool ring_front_push(struct ring_front *f); /* publish + check: true = notify */

/* Front: responses. Counts (>= 0) or RING_ERR_BROKEN. */
int ring_front_unconsumed(struct ring_front *f);
int ring_front_take(struct ring_front *f, void *rsp, size_t len); /* 1 taken, 0 none */
void ring_front_arm(struct ring_front *f);
int ring_front_final_check(struct ring_front *f); /* 1 work pending, 0 may sleep */

/* Back: requests. Counts (>= 0) or RING_ERR_BROKEN. */
int ring_back_unconsumed(struct ring_back *b);
int ring_back_take(struct ring_back *b, void *req, size_t len); /* 1 taken, 0 none */
void ring_back_arm(struct ring_back *b);
int ring_back_final_check(struct ring_back *b); /* 1 work pending, 0 may sleep */

/* Back: responses. */
uint32_t ring_back_unanswered(const struct ring_back *b); /* requests awaiting a response */
int ring_back_put(struct ring_back *b, const void *rsp, size_t len); /* 0/FULL/BROKEN */
ring_idx_t ring_back_publish(struct ring_back *b); /* returns the old rsp_prod */
bool ring_back_notify_check(struct ring_back *b, ring_idx_t old);
bool ring_back_push(struct ring_back *b); /* publish + check: true = notify */

static inline bool ring_front_broken(const struct ring_front *f) { return f->broken; }
static inline bool ring_back_broken(const struct ring_back *b) { return b->broken; }
static inline uint32_t ring_front_slots(const struct ring_front *f) { return f->g.nr_slots; }
static inline uint32_t ring_back_slots(const struct ring_back *b) { return b->g.nr_slots; }

/*
 * Typed wrappers for one protocol declared with RING_DECLARE_PAGE(name, ...):
 *
 *     RING_DEFINE_OPS(blkif, struct blkif_request, struct blkif_response)
 *
 * defines name_front_init(f, page, bytes) (initialises the shared page and
 * attaches), name_back_init(b, page, bytes), name_put_request(f, req),
 * name_take_request(b, req), name_put_response(b, rsp) and
 * name_take_response(f, rsp), each a call into the core with the right
 * sizes and the compiler checking the message types.
 */
#define RING_DEFINE_OPS(name, req_type, rsp_type)                                       \
    static inline int name##_front_init(struct ring_front *f,                          \
                                        struct name##_ring_page *page, size_t bytes)   \
    {                                                                                  \
        if (bytes < RING_HEADER_SIZE)                                                  \
            return RING_ERR_INVAL;                                                     \
        ring_shared_init(&page->hdr, 0);                                               \
        return ring_front_attach(f, page, bytes, sizeof(union name##_ring_entry), 0); \
    }                                                                                  \
    static inline int name##_back_init(struct ring_back *b,                            \
                                       struct name##_ring_page *page, size_t bytes)    \
    {                                                                                  \
        return ring_back_attach(b, page, bytes, sizeof(union name##_ring_entry), 0);  \
    }                                                                                  \
    static inline int name##_put_request(struct ring_front *f, const req_type *req)    \
    {                                                                                  \
        return ring_front_put(f, req, sizeof(*req));                                   \
    }                                                                                  \
    static inline int name##_take_request(struct ring_back *b, req_type *req)          \
    {                                                                                  \
        return ring_back_take(b, req, sizeof(*req));                                   \
    }                                                                                  \
    static inline int name##_put_response(struct ring_back *b, const rsp_type *rsp)    \
    {                                                                                  \
        return ring_back_put(b, rsp, sizeof(*rsp));                                    \
    }                                                                                  \
    static inline int name##_take_response(struct ring_front *f, rsp_type *rsp)        \
    {                                                                                  \
        return ring_front_take(f, rsp, sizeof(*rsp));                                  \
    }

#endif /* XENIA_RINGS_RING_H */
