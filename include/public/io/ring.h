/*
 * Shared I/O rings: the page a frontend (in a guest) and a backend (in dom0 or
 * a driver domain) use to exchange fixed-size requests and responses.
 * Binary-compatible with the ring page of Xen's PV device protocols.
 *
 * Page layout (byte offsets, every index a little-endian u32):
 *
 *     0  req_prod    written by the front: requests [.., req_prod) exist
 *     4  req_event   written by the back:  "notify me when req_prod passes this"
 *     8  rsp_prod    written by the back:  responses [.., rsp_prod) exist
 *    12  rsp_event   written by the front: "notify me when rsp_prod passes this"
 *    16  reserved    48 bytes, zeroed by the front at init; byte 16 is an
 *                    optional per-protocol flag byte that we never use
 *    64  slots       N entries, each a union of one request and one response;
 *                    N is the largest power of two with 64 + N * entry <= size
 *
 * Indices are free-running counters: they only ever increase and wrap at
 * 2^32. Index i lives in slot i & (N - 1). All index arithmetic is modulo
 * 2^32, so "how many" is always (u32)(later - earlier).
 *
 * A slot carries a request first, then the response to it: the back writes
 * response k into the slot that held request k (responses are produced in
 * slot order, not necessarily in request-id order). The front therefore never
 * has more than N requests whose responses it has not consumed, and a correct
 * producer is never more than N entries ahead of its consumer.
 *
 * The protocol in each direction (front->back requests, back->front
 * responses) is the same single-producer single-consumer algorithm:
 *
 *  Producer
 *   1. write the new entries into their slots;
 *   2. write barrier, then store the new producer index (new); the previous
 *      published value is old;
 *   3. full barrier, then load the event index (event) the consumer armed;
 *   4. send an event-channel notification iff
 *          (u32)(new - event) < (u32)(new - old)
 *      i.e. iff event lies in (old, new]: the consumer asked to be woken by
 *      one of the entries just published.
 *
 *  Consumer
 *   1. load the producer index (prod), then read barrier;
 *   2. reject the peer as broken if prod is further ahead than any correct
 *      producer can be (more than N ahead, or behind us);
 *   3. copy each entry into private memory before looking at it: the peer
 *      can rewrite a slot at any time, so a field read twice from the page
 *      may differ the second time (double fetch);
 *   4. before sleeping, the final check: if nothing is pending, store
 *      event = cons + 1, full barrier, then load prod again; sleep only if
 *      it is still equal to cons. Either the producer sees the new event in
 *      its step 3, or this second load sees its new index: no wake-up lost.
 *
 *  Initialisation: the front zeroes the header, sets req_event and rsp_event
 *  to 1 (notify on the first entry) before it tells the back where the page
 *  is. Both ends start their private indices at 0.
 */
#ifndef XENIA_PUBLIC_IO_RING_H
#define XENIA_PUBLIC_IO_RING_H

#include <stddef.h>
#include <stdint.h>

typedef uint32_t ring_idx_t;

/* Ring protocols use 4 KiB pages whatever the guest's own page size. */
#define RING_PAGE_SIZE 4096u
/* Bytes before the first slot. */
#define RING_HEADER_SIZE 64u

/* The first 64 bytes of every ring page. */
struct ring_shared {
    ring_idx_t req_prod;
    ring_idx_t req_event;
    ring_idx_t rsp_prod;
    ring_idx_t rsp_event;
    uint8_t reserved[48];
};

_Static_assert(sizeof(struct ring_shared) == RING_HEADER_SIZE, "ring header is 64 bytes");
_Static_assert(offsetof(struct ring_shared, req_prod) == 0, "req_prod @0");
_Static_assert(offsetof(struct ring_shared, req_event) == 4, "req_event @4");
_Static_assert(offsetof(struct ring_shared, rsp_prod) == 8, "rsp_prod @8");
_Static_assert(offsetof(struct ring_shared, rsp_event) == 12, "rsp_event @12");
_Static_assert(offsetof(struct ring_shared, reserved) == 16, "reserved @16");

/*
 * Largest power of two <= n, as a constant expression, for 1 <= n < 2^17
 * (0 for n == 0). Larger n are clamped to 2^16 slots, more than any ring
 * of up to 16 pages can hold with entries of 8 bytes or more.
 */
#define RING_POW2_FLOOR(n)                      \
    ((n) >= 65536u ? 65536u :                   \
     (n) >= 32768u ? 32768u :                   \
     (n) >= 16384u ? 16384u :                   \
     (n) >= 8192u ? 8192u :                     \
     (n) >= 4096u ? 4096u :                     \
     (n) >= 2048u ? 2048u :                     \
     (n) >= 1024u ? 1024u :                     \
     (n) >= 512u ? 512u :                       \
     (n) >= 256u ? 256u :                       \
     (n) >= 128u ? 128u :                       \
     (n) >= 64u ? 64u :                         \
     (n) >= 32u ? 32u :                         \
     (n) >= 16u ? 16u :                         \
     (n) >= 8u ? 8u :                           \
     (n) >= 4u ? 4u :                           \
     (n) >= 2u ? 2u :                           \
     (n) >= 1u ? 1u : 0u)

/* Number of slots of entry_size bytes in a ring area of `bytes` bytes. */
#define RING_SLOTS(bytes, entry_size) \
    RING_POW2_FLOOR(((bytes) - RING_HEADER_SIZE) / (entry_size))

/*
 * Declare the page type of one protocol:
 *
 *     RING_DECLARE_PAGE(blkif, struct blkif_request, struct blkif_response);
 *
 * gives `union blkif_ring_entry` (one slot: a request or a response) and
 * `struct blkif_ring_page` (the header followed by the slots). The slot
 * count is not part of the type: it depends on the page size, see
 * RING_SLOTS().
 */
#define RING_DECLARE_PAGE(name, req_type, rsp_type) \
    union name##_ring_entry {                      \
        req_type req;                              \
        rsp_type rsp;                              \
    };                                             \
    struct name##_ring_page {                      \
        struct ring_shared hdr;                    \
        union name##_ring_entry slot[];            \
    }

#endif /* XENIA_PUBLIC_IO_RING_H */
