/*
 * libFuzzer harness: the dom0 end of a console or xenstore page whose guest
 * end is hostile and owns the whole page.
 *
 * The input is a program for the guest: rewrite an index, write bytes
 * anywhere, or append well-formed data; in between, the dom0 end reads
 * (xenstore: header, then payload of at most 4096 bytes, then an echoed
 * reply) and writes. Before each dom0 operation the harness poisons every
 * byte of the page that operation has no business touching:
 *  - of the ring it reads, all but the pending bytes [cons, prod) (all of
 *    it if prod is out of window): a read past what the guest produced, or
 *    of bytes already consumed, is reported by ASan;
 *  - of the ring it writes, all but the free space [prod, cons + size);
 *  - the rest of the page beyond the rings' indices.
 * It also checks each result against its own model: counts within the
 * window, bytes read equal to the bytes that were pending, bytes written
 * where they belong, and a broken verdict that is exact and sticky.
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

/* Where one ring lives in the page. */
struct ring_loc {
    size_t buf, prod, cons;
    uint32_t size;
};

struct harness {
    bool xenstore;
    struct ring_loc rx, tx; /* from the dom0 end's point of view */
    size_t end;             /* first byte after the indices */
    ra_byte_pair back;
    ring_idx_t rx_pos, tx_pos; /* where the dom0 end must be */
    bool rx_broken, tx_broken;
    /* xenstore message assembly */
    uint8_t msg[sizeof(struct xsd_sockmsg) + XENSTORE_PAYLOAD_MAX];
    uint32_t have;
    bool proto_error;
};

static void die(void) { abort(); }

static ring_idx_t idx(size_t off)
{
    ring_idx_t v;
    memcpy(&v, page + off, sizeof(v));
    return v;
}

/* Make exactly [from, from + len) (mod size) of the ring addressable. */
static void expose(const struct ring_loc *r, ring_idx_t from, uint32_t len)
{
    uint32_t at = from & (r->size - 1), first = MIN(len, r->size - at);
    ASAN_POISON_MEMORY_REGION(page + r->buf, r->size);
    ASAN_UNPOISON_MEMORY_REGION(page + r->buf + at, first);
    ASAN_UNPOISON_MEMORY_REGION(page + r->buf, len - first);
}

static void hostile_write(const struct harness *h, size_t off, const void *src, size_t len)
{
    if (off >= h->end)
        return;
    len = MIN(len, h->end - off);
    ASAN_UNPOISON_MEMORY_REGION(page + off, len);
    memcpy(page + off, src, len);
}

/* Broken is reported as such and sticks; returns whether it was already. */
static bool check_sticky(const ra_bytes *r, bool *broken, int rc)
{
    bool was = *broken;
    if (was && rc != RA_BROKEN)
        die();
    if (rc == RA_BROKEN && !ra_bytes_broken(r))
        die();
    *broken = ra_bytes_broken(r);
    return was;
}

/* dom0 reads up to max bytes; returns the count read. */
static uint32_t back_read(struct harness *h, uint8_t *dst, uint32_t max)
{
    static uint8_t expect[XENSTORE_RING_SIZE > XENCONS_OUT_SIZE ? XENSTORE_RING_SIZE : XENCONS_OUT_SIZE];
    ring_idx_t pending = idx(h->rx.prod) - h->rx_pos;
    bool in_window = pending <= h->rx.size;

    ASAN_UNPOISON_MEMORY_REGION(page + h->rx.buf, h->rx.size);
    for (uint32_t k = 0; in_window && k < pending; k++)
        expect[k] = page[h->rx.buf + ((h->rx_pos + k) & (h->rx.size - 1))];
    expose(&h->rx, h->rx_pos, in_window ? pending : 0);
    int n = ra_bytes_read(&h->back.rx, dst, max);
    bool was = check_sticky(&h->back.rx, &h->rx_broken, n);
    if (n == RA_BROKEN) {
        if (in_window && !was) /* a correct peer called broken */
            die();
        return 0;
    }
    if (!in_window || n < 0 || (uint32_t)n > MIN(max, pending) || memcmp(dst, expect, (size_t)n) != 0)
        die();
    h->rx_pos += (uint32_t)n;
    return (uint32_t)n;
}

/* dom0 writes len bytes (or fewer, if the ring is full). */
static void back_write(struct harness *h, const uint8_t *src, uint32_t len)
{
    ring_idx_t used = h->tx_pos - idx(h->tx.cons);
    bool in_window = used <= h->tx.size;
    uint32_t space = in_window ? h->tx.size - used : 0;

    expose(&h->tx, h->tx_pos, space);
    int n = ra_bytes_write(&h->back.tx, src, len);
    bool was = check_sticky(&h->back.tx, &h->tx_broken, n);
    if (n == RA_BROKEN) {
        if (in_window && !was) /* a correct peer called broken */
            die();
        return;
    }
    if (!in_window || n < 0 || (uint32_t)n != MIN(len, space))
        die();
    for (uint32_t k = 0; k < (uint32_t)n; k++)
        if (page[h->tx.buf + ((h->tx_pos + k) & (h->tx.size - 1))] != src[k])
            die();
    h->tx_pos += (uint32_t)n;
    if (n > 0 && idx(h->tx.prod) != h->tx_pos) /* published from the private index */
        die();
}

/* xenstored's side: assemble one message, answer it with an echo. */
static void xenstore_step(struct harness *h, uint32_t max)
{
    if (h->proto_error)
        return;
    const uint32_t hdr = sizeof(struct xsd_sockmsg);
    uint32_t want = hdr;
    if (h->have >= hdr) {
        struct xsd_sockmsg m;
        memcpy(&m, h->msg, hdr);
        if (m.len > XENSTORE_PAYLOAD_MAX) { /* XENSTORE_ERROR_PROTO */
            h->proto_error = true;
            return;
        }
        want = hdr + m.len;
    }
    h->have += back_read(h, h->msg + h->have, MIN(max, want - h->have));
    if (h->have >= hdr && h->have == want) {
        back_write(h, h->msg, h->have);
        h->have = 0;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct harness h;
    struct input in = { data, size };

    memset(&h, 0, sizeof(h));
    ASAN_UNPOISON_MEMORY_REGION(page, sizeof(page));
    memset(page, 0, sizeof(page));
    h.xenstore = next8(&in) & 1;
    if (h.xenstore) {
        struct xenstore_domain_interface *x = (void *)page;
        h.rx = (struct ring_loc){ offsetof(struct xenstore_domain_interface, req),
                                  offsetof(struct xenstore_domain_interface, req_prod),
                                  offsetof(struct xenstore_domain_interface, req_cons),
                                  XENSTORE_RING_SIZE };
        h.tx = (struct ring_loc){ offsetof(struct xenstore_domain_interface, rsp),
                                  offsetof(struct xenstore_domain_interface, rsp_prod),
                                  offsetof(struct xenstore_domain_interface, rsp_cons),
                                  XENSTORE_RING_SIZE };
        h.end = offsetof(struct xenstore_domain_interface, server_features);
        x->req_prod = next32(&in); /* the guest chose the starting indices */
        x->req_cons = x->req_prod - next8(&in) % 4;
        x->rsp_prod = next32(&in);
        x->rsp_cons = x->rsp_prod;
    } else {
        struct xencons_interface *c = (void *)page;
        h.rx = (struct ring_loc){ offsetof(struct xencons_interface, out),
                                  offsetof(struct xencons_interface, out_prod),
                                  offsetof(struct xencons_interface, out_cons), XENCONS_OUT_SIZE };
        h.tx = (struct ring_loc){ offsetof(struct xencons_interface, in),
                                  offsetof(struct xencons_interface, in_prod),
                                  offsetof(struct xencons_interface, in_cons), XENCONS_IN_SIZE };
        h.end = sizeof(struct xencons_interface);
        c->out_prod = next32(&in);
        c->out_cons = c->out_prod - next8(&in) % 4;
        c->in_prod = next32(&in);
        c->in_cons = c->in_prod;
    }
    h.rx_pos = idx(h.rx.cons);
    h.tx_pos = idx(h.tx.prod);
    int rc = h.xenstore ? ra_xenstore_attach(&h.back, (void *)page, false)
                        : ra_console_attach(&h.back, (void *)page, false);
    if (rc != 0)
        die(); /* indices were chosen in window */
    ASAN_POISON_MEMORY_REGION(page + h.end, RING_PAGE_SIZE - h.end);

    for (int steps = 0; in.n > 0 && steps < 2048; steps++) {
        switch (next8(&in) % 6) {
        case 0: { /* one of the four indices, garbage or near its window */
            const size_t offs[4] = { h.rx.prod, h.rx.cons, h.tx.prod, h.tx.cons };
            size_t off = offs[next8(&in) % 4];
            ring_idx_t v = (next8(&in) & 1) ? next32(&in)
                                            : idx(off) + (ring_idx_t)(int16_t)(next8(&in) << 4);
            hostile_write(&h, off, &v, sizeof(v));
            break;
        }
        case 1: { /* guest appends well-formed data to the ring dom0 reads */
            uint8_t buf[64];
            uint32_t len = next8(&in) % sizeof(buf);
            ring_idx_t prod = idx(h.rx.prod);
            for (uint32_t k = 0; k < len; k++)
                buf[k] = next8(&in);
            if (h.xenstore && len >= sizeof(struct xsd_sockmsg)) { /* keep lengths sane */
                uint32_t plen = buf[12] % 32;
                memcpy(buf + 12, &plen, sizeof(plen));
            }
            for (uint32_t k = 0; k < len; k++)
                hostile_write(&h, h.rx.buf + ((prod + k) & (h.rx.size - 1)), &buf[k], 1);
            prod += len;
            hostile_write(&h, h.rx.prod, &prod, sizeof(prod));
            break;
        }
        case 2: { /* guest consumes what dom0 wrote */
            ring_idx_t cons = idx(h.tx.cons) + next8(&in) % 64;
            hostile_write(&h, h.tx.cons, &cons, sizeof(cons));
            break;
        }
        case 3: { /* up to 16 bytes anywhere in the shared part */
            uint8_t buf[16];
            size_t off = ((size_t)next8(&in) << 8 | next8(&in)) % h.end;
            size_t len = next8(&in) % sizeof(buf);
            for (size_t k = 0; k < len; k++)
                buf[k] = next8(&in);
            hostile_write(&h, off, buf, len);
            break;
        }
        case 4: {
            uint32_t max = 1 + next8(&in) * 9u;
            if (h.xenstore) {
                xenstore_step(&h, max);
            } else {
                static uint8_t line[2304];
                uint32_t got = back_read(&h, line, MIN(max, sizeof(line)));
                back_write(&h, line, got); /* the console daemon echoes */
            }
            break;
        }
        default: {
            uint8_t buf[32];
            uint32_t len = next8(&in) % sizeof(buf);
            for (uint32_t k = 0; k < len; k++)
                buf[k] = next8(&in);
            back_write(&h, buf, len);
            break;
        }
        }
    }
    ASAN_UNPOISON_MEMORY_REGION(page, sizeof(page));
    return 0;
}
