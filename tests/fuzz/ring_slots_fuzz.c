/*
 * libFuzzer harness: a backend consuming a slot ring (blkif, netif tx or
 * netif rx) whose frontend is hostile and owns the whole shared page.
 *
 * The input is a program for the hostile front: each step either rewrites
 * part of the page (an index, a slot, any bytes) or lets the backend run one
 * of its operations (take and serve one request, drain, final check, push).
 * The backend is the ring library (through ring_adapter.h) plus a small
 * request handler that validates its private copy and answers it.
 *
 * What would make the fuzzer report a crash:
 *  - any read of a consumed slot (double fetch): the library poisons each
 *    slot right after copying it (tests/fuzz/ring_fuzz_hooks.h);
 *  - any access to the reserved header bytes or to the page beyond the last
 *    slot: both are poisoned for the whole run;
 *  - a broken-peer verdict that is not sticky, a count outside the ring, or
 *    a response that cannot be queued for a request just taken (abort()).
 *
 * Built a second time with -DRING_FUZZ_PLANT_DOUBLE_FETCH, the blkif
 * handler re-reads nr_segments from the shared slot (the XSA-155 pattern);
 * the self-test requires the fuzzer to find that within 60 seconds.
 */
#include <sanitizer/asan_interface.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ring_adapter.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct input {
    const uint8_t *p;
    size_t n;
};

static uint8_t next8(struct input *in)
{
    if (in->n == 0)
        return 0;
    in->n--;
    return *in->p++;
}

static uint32_t next32(struct input *in)
{
    uint32_t v = 0;
    for (int k = 0; k < 4; k++)
        v = v << 8 | next8(in);
    return v;
}

static uint8_t page[RING_PAGE_SIZE] __attribute__((aligned(RING_PAGE_SIZE)));

struct harness {
    const struct ra_proto *p;
    unsigned proto;
    ra_back b;
    uint32_t n;        /* slots */
    size_t used;       /* 64 + n * slot_size */
    ring_idx_t cons;   /* requests the backend has taken, as it told us */
    ring_idx_t prod;   /* the hostile front's own notion of req_prod */
    uint32_t next_id;
};

static void die(void) { abort(); }

/* Bytes no consumer may touch: reserved header part and the unused tail. */
static void poison_forbidden(const struct harness *h)
{
    ASAN_POISON_MEMORY_REGION(page + 16, RING_HEADER_SIZE - 16);
    ASAN_POISON_MEMORY_REGION(page + h->used, RING_PAGE_SIZE - h->used);
}

/* The hostile front writes: it may write anywhere, like a real peer. */
static void hostile_write(const struct harness *h, size_t off, const void *src, size_t len)
{
    if (off >= RING_PAGE_SIZE)
        return;
    len = MIN(len, RING_PAGE_SIZE - off);
    ASAN_UNPOISON_MEMORY_REGION(page + off, len);
    memcpy(page + off, src, len);
    poison_forbidden(h);
}

static void hostile_index(const struct harness *h, size_t off, ring_idx_t v)
{
    hostile_write(h, off, &v, sizeof(v));
}

static uint8_t *slot_of(const struct harness *h, ring_idx_t idx)
{
    return page + RING_HEADER_SIZE + (size_t)(idx & (h->n - 1)) * h->p->slot_size;
}

/* A plausible request built from input bytes, so valid traffic is easy to reach. */
static void hostile_good_request(struct harness *h, struct input *in)
{
    union {
        struct blkif_request blk;
        struct netif_tx_request tx;
        struct netif_rx_request rx;
    } m;
    memset(&m, 0, sizeof(m));
    switch (h->proto) {
    case RA_BLKIF:
        m.blk.operation = next8(in) % 4;
        m.blk.nr_segments = 1 + next8(in) % BLKIF_MAX_SEGMENTS_PER_REQUEST;
        m.blk.id = h->next_id;
        m.blk.sector_number = (uint64_t)next8(in) * 8;
        for (unsigned s = 0; s < m.blk.nr_segments; s++) {
            uint8_t first = next8(in) % 8;
            m.blk.seg[s] = (struct blkif_request_segment){ next8(in), first,
                                                           (uint8_t)(first + next8(in) % (8 - first)),
                                                           { 0 } };
        }
        break;
    case RA_NETIF_TX:
        m.tx = (struct netif_tx_request){ .gref = next8(in), .offset = next8(in),
                                          .flags = next8(in) & 0xf, .id = (uint16_t)h->next_id,
                                          .size = (uint16_t)(next8(in) * 8) };
        break;
    default:
        m.rx = (struct netif_rx_request){ .id = (uint16_t)h->next_id, .gref = next8(in) };
        break;
    }
    h->next_id++;
    hostile_write(h, (size_t)(slot_of(h, h->prod) - page), &m, h->p->req_size);
    h->prod++;
    hostile_index(h, offsetof(struct ring_shared, req_prod), h->prod);
}

static const ra_blkif_disk disk = { .sectors = 2048, .flush = true, .barrier = false };

/* Serve one request from its private copy; returns false if none was taken. */
static bool serve_one(struct harness *h)
{
    union {
        struct blkif_request blk;
        struct netif_tx_request tx;
        struct netif_rx_request rx;
    } req;
    union {
        struct blkif_response blk;
        struct netif_tx_response tx;
        struct netif_rx_response rx;
    } rsp;
    bool was_broken = ra_back_broken(&h->b);
    int t = ra_back_take(&h->b, &req, h->p->req_size);

    if (t < 0 || was_broken) {
        if (t != RA_BROKEN || !ra_back_broken(&h->b))
            die(); /* broken must be reported, and stay so */
        return false;
    }
    if (t == 0)
        return false;
    ring_idx_t idx = h->cons++;
    memset(&rsp, 0, sizeof(rsp));
    switch (h->proto) {
    case RA_BLKIF: {
        uint64_t nsec;
        int status = ra_blkif_check(&req.blk, &disk, &nsec);
        if (status == BLKIF_RSP_OKAY) {
#ifdef RING_FUZZ_PLANT_DOUBLE_FETCH
            /* Planted bug: the count is fetched again from shared memory. */
            unsigned nseg = ((const struct blkif_request *)slot_of(h, idx))->nr_segments;
#else
            unsigned nseg = req.blk.nr_segments;
#endif
            uint32_t grefs = 0;
            for (unsigned s = 0; s < nseg; s++)
                grefs += req.blk.seg[s].gref; /* stands for mapping each one */
            if (grefs == 0xffffffffu)
                status = BLKIF_RSP_ERROR;
        }
        rsp.blk = (struct blkif_response){ .id = req.blk.id, .operation = req.blk.operation,
                                           .status = (int16_t)status };
        break;
    }
    case RA_NETIF_TX: {
        bool fits = (uint32_t)req.tx.offset + req.tx.size <= RING_PAGE_SIZE;
        rsp.tx = (struct netif_tx_response){ req.tx.id, fits ? NETIF_RSP_OKAY : NETIF_RSP_ERROR };
        break;
    }
    default:
        rsp.rx = (struct netif_rx_response){ .id = req.rx.id, .status = 0 };
        break;
    }
    (void)idx;
    if (ra_back_put(&h->b, &rsp, h->p->rsp_size) != 0)
        die(); /* every request taken has a slot for its response */
    return true;
}

static void check_counts(struct harness *h)
{
    int n = ra_back_unconsumed(&h->b);
    if (n != RA_BROKEN && (n < 0 || (uint32_t)n > h->n))
        die();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct input in = { data, size };
    struct harness h;

    memset(&h, 0, sizeof(h));
    ASAN_UNPOISON_MEMORY_REGION(page, sizeof(page));
    memset(page, 0, sizeof(page));
    h.proto = next8(&in) % RA_NR_PROTOS;
    h.p = ra_proto(h.proto);
    ring_idx_t start = (next8(&in) & 1) ? UINT32_MAX - next8(&in) : 0;
    ra_shared_init(page, start);
    if (ra_back_attach(&h.b, page, RING_PAGE_SIZE, h.p->slot_size, start) != 0)
        die();
    h.n = ra_slots_for(RING_PAGE_SIZE, h.p->slot_size);
    h.used = RING_HEADER_SIZE + (size_t)h.n * h.p->slot_size;
    h.cons = h.prod = start;
    poison_forbidden(&h);

    for (int steps = 0; in.n > 0 && steps < 4096; steps++) {
        switch (next8(&in) % 8) {
        case 0: { /* one header index: garbage, or near the window edges */
            size_t off = 4u * (next8(&in) % 4);
            uint8_t mode = next8(&in) % 3;
            ring_idx_t v = mode == 0 ? next32(&in)
                         : h.prod + (ring_idx_t)(int8_t)next8(&in) + (mode == 2 ? h.n : 0);
            hostile_index(&h, off, v);
            if (off == 0)
                h.prod = v;
            break;
        }
        case 1: { /* some bytes of one slot */
            uint8_t buf[128];
            size_t off = next8(&in) % h.p->slot_size;
            size_t len = next8(&in) % (h.p->slot_size - off + 1);
            for (size_t k = 0; k < len; k++)
                buf[k] = next8(&in);
            hostile_write(&h, (size_t)(slot_of(&h, next8(&in)) - page) + off, buf, len);
            break;
        }
        case 2:
            if (!ra_back_broken(&h.b))
                hostile_good_request(&h, &in);
            break;
        case 3:
            serve_one(&h);
            break;
        case 4: /* drain, as a backend does on a notification */
            for (uint32_t k = 0; k <= h.n && serve_one(&h); k++)
                ;
            ra_back_push(&h.b);
            break;
        case 5:
            if (ra_back_final_check(&h.b) < 0 && !ra_back_broken(&h.b))
                die();
            break;
        case 6: { /* up to 16 bytes anywhere in the page */
            uint8_t buf[16];
            size_t off = ((size_t)next8(&in) << 8 | next8(&in)) % RING_PAGE_SIZE;
            size_t len = next8(&in) % sizeof(buf);
            for (size_t k = 0; k < len; k++)
                buf[k] = next8(&in);
            hostile_write(&h, off, buf, len);
            break;
        }
        default:
            ra_back_push(&h.b);
            break;
        }
        check_counts(&h);
    }
    for (uint32_t k = 0; k <= h.n && serve_one(&h); k++)
        ;
    ra_back_push(&h.b);
    ASAN_UNPOISON_MEMORY_REGION(page, sizeof(page));
    return 0;
}
