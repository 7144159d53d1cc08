/*
 * Ring conformance, property group "hostile peer": whatever the other end
 * writes into the shared page, an end either keeps working correctly or
 * declares the peer broken and halts; it never reads outside the page,
 * never acts on a slot after copying it, and never crashes. Request
 * contents that are garbage get a per-request error (blkif) instead.
 *
 * Rings here are allocated with exactly 64 + N * slot bytes, so ASan
 * reports any read or write past the last slot.
 */
#include <check.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ring_adapter.h"

static uint64_t rng_state;
static uint64_t rnd(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

struct rig {
    const struct ra_proto *p;
    uint8_t *page;
    size_t bytes;
    ra_front f;
    ra_back b;
    uint32_t n;
    ring_idx_t start;
};

/* Exactly-sized ring of the protocol's 4 KiB slot count, indices at start. */
static void rig_init(struct rig *r, unsigned proto, ring_idx_t start)
{
    r->p = ra_proto(proto);
    r->n = ra_slots_for(RING_PAGE_SIZE, r->p->slot_size);
    r->bytes = RING_HEADER_SIZE + (size_t)r->n * r->p->slot_size;
    r->page = calloc(1, r->bytes);
    ck_assert_ptr_nonnull(r->page);
    r->start = start;
    ra_shared_init(r->page, start);
    ck_assert_int_eq(ra_front_attach(&r->f, r->page, r->bytes, r->p->slot_size, start), 0);
    ck_assert_int_eq(ra_back_attach(&r->b, r->page, r->bytes, r->p->slot_size, start), 0);
    ck_assert_uint_eq(ra_front_slots(&r->f), r->n);
}

static struct ring_shared *sh(struct rig *r) { return (struct ring_shared *)r->page; }

static void put_n(struct rig *r, uint32_t k)
{
    uint8_t m[128] = { 0 };
    for (uint32_t i = 0; i < k; i++)
        ck_assert_int_eq(ra_front_put(&r->f, m, r->p->req_size), 0);
    ra_front_push(&r->f);
}

static void take_n(struct rig *r, uint32_t k)
{
    uint8_t m[128];
    for (uint32_t i = 0; i < k; i++)
        ck_assert_int_eq(ra_back_take(&r->b, m, r->p->req_size), 1);
}

static void answer_n(struct rig *r, uint32_t k)
{
    uint8_t m[128] = { 0 };
    for (uint32_t i = 0; i < k; i++)
        ck_assert_int_eq(ra_back_put(&r->b, m, r->p->rsp_size), 0);
    ra_back_push(&r->b);
}

static const ring_idx_t starts[] = { 0, UINT32_MAX - 3 };
#define COMBOS (int)(RA_NR_PROTOS * 2)
#define PROTO(i) ((unsigned)(i) % RA_NR_PROTOS)
#define START(i) starts[(unsigned)(i) / RA_NR_PROTOS]

/* A request index more than N ahead of the published responses is impossible. */
START_TEST(test_req_prod_jumped_past_ring_marks_back_broken)
{
    struct rig r;
    uint8_t m[128];
    rig_init(&r, PROTO(_i), START(_i));
    sh(&r)->req_prod = r.start + r.n; /* exactly full: legal */
    ck_assert_int_eq(ra_back_unconsumed(&r.b), (int)r.n);
    sh(&r)->req_prod = r.start + r.n + 1;
    ck_assert_int_eq(ra_back_take(&r.b, m, r.p->req_size), RA_BROKEN);
    ck_assert(ra_back_broken(&r.b));
    /* Sticky: putting the index back does not revive the ring. */
    sh(&r)->req_prod = r.start;
    ck_assert_int_eq(ra_back_unconsumed(&r.b), RA_BROKEN);
    free(r.page);
}
END_TEST

/* Unanswered requests still occupy their slots: the window shrinks with them. */
START_TEST(test_req_prod_past_unanswered_window_marks_back_broken)
{
    struct rig r;
    rig_init(&r, PROTO(_i), START(_i));
    put_n(&r, 5);
    take_n(&r, 5);
    answer_n(&r, 2);            /* 3 consumed but unanswered */
    sh(&r)->req_prod = r.start + 2 + r.n;  /* front reused the 2 answered slots... */
    ck_assert_int_eq(ra_back_unconsumed(&r.b), (int)r.n - 3);
    sh(&r)->req_prod = r.start + 2 + r.n + 1; /* ...and one it cannot have */
    ck_assert_int_eq(ra_back_unconsumed(&r.b), RA_BROKEN);
    free(r.page);
}
END_TEST

START_TEST(test_req_prod_moved_backwards_marks_back_broken)
{
    struct rig r;
    rig_init(&r, PROTO(_i), START(_i));
    put_n(&r, 6);
    take_n(&r, 6);
    answer_n(&r, 6);
    sh(&r)->req_prod = r.start + 6;
    ck_assert_int_eq(ra_back_unconsumed(&r.b), 0);
    sh(&r)->req_prod = r.start + 5;
    ck_assert_int_eq(ra_back_unconsumed(&r.b), RA_BROKEN);
    free(r.page);
}
END_TEST

/* More responses than published requests is impossible. */
START_TEST(test_rsp_prod_ahead_of_requests_marks_front_broken)
{
    struct rig r;
    uint8_t m[128];
    rig_init(&r, PROTO(_i), START(_i));
    put_n(&r, 2);
    ck_assert_int_eq(ra_front_put(&r.f, m, r.p->req_size), 0); /* a third, unpublished */
    sh(&r)->rsp_prod = r.start + 2;
    ck_assert_int_eq(ra_front_unconsumed(&r.f), 2);
    sh(&r)->rsp_prod = r.start + 3;
    ck_assert_int_eq(ra_front_take(&r.f, m, r.p->rsp_size), RA_BROKEN);
    ck_assert(ra_front_broken(&r.f));
    free(r.page);
}
END_TEST

START_TEST(test_rsp_prod_moved_backwards_marks_front_broken)
{
    struct rig r;
    uint8_t m[128];
    rig_init(&r, PROTO(_i), START(_i));
    put_n(&r, 4);
    take_n(&r, 4);
    answer_n(&r, 4);
    for (int k = 0; k < 4; k++)
        ck_assert_int_eq(ra_front_take(&r.f, m, r.p->rsp_size), 1);
    sh(&r)->rsp_prod = r.start + 1;
    ck_assert_int_eq(ra_front_final_check(&r.f), RA_BROKEN);
    free(r.page);
}
END_TEST

/* A broken end never touches the page again and refuses every operation. */
START_TEST(test_broken_ring_is_halted_and_page_left_alone)
{
    struct rig r;
    uint8_t m[128] = { 0 };
    rig_init(&r, PROTO(_i), START(_i));
    put_n(&r, 3);
    take_n(&r, 1);
    ck_assert_int_eq(ra_back_put(&r.b, m, r.p->rsp_size), 0); /* queued, not yet published */
    sh(&r)->req_prod = r.start - 1;
    ck_assert_int_eq(ra_back_take(&r.b, m, r.p->req_size), RA_BROKEN);
    uint8_t *before = malloc(r.bytes);
    memcpy(before, r.page, r.bytes);
    ck_assert_int_eq(ra_back_put(&r.b, m, r.p->rsp_size), RA_BROKEN);
    ck_assert(!ra_back_push(&r.b));   /* the queued response stays unpublished */
    ra_back_arm(&r.b);
    ck_assert_int_eq(ra_back_final_check(&r.b), RA_BROKEN);
    ck_assert_int_eq(ra_back_unconsumed(&r.b), RA_BROKEN);
    ck_assert_mem_eq(before, r.page, r.bytes);

    ck_assert_int_eq(ra_front_put(&r.f, m, r.p->req_size), 0); /* queued, not yet published */
    sh(&r)->rsp_prod = r.start + 4;   /* and the same for a front */
    ck_assert_int_eq(ra_front_unconsumed(&r.f), RA_BROKEN);
    memcpy(before, r.page, r.bytes);
    ck_assert_int_eq(ra_front_put(&r.f, m, r.p->req_size), RA_BROKEN);
    ck_assert(!ra_front_push(&r.f));
    ra_front_arm(&r.f);
    ck_assert_int_eq(ra_front_take(&r.f, m, r.p->rsp_size), RA_BROKEN);
    ck_assert_int_eq(ra_front_final_check(&r.f), RA_BROKEN);
    ck_assert_mem_eq(before, r.page, r.bytes);
    free(before);
    free(r.page);
}
END_TEST

/* Scribbles over the indices an end owns change nothing it does. */
START_TEST(test_peer_scribbling_our_own_indices_is_ignored)
{
    struct rig r;
    uint8_t m[128] = { 0 };
    rig_init(&r, PROTO(_i), START(_i));
    put_n(&r, 3);
    sh(&r)->rsp_prod = 0x12345678;  /* the back's own fields, trashed by the front */
    sh(&r)->req_event = 0x9abcdef0;
    take_n(&r, 3);
    answer_n(&r, 3);
    ck_assert_uint_eq(sh(&r)->rsp_prod, (ring_idx_t)(r.start + 3));
    sh(&r)->req_prod = 0x0badf00d;  /* the front's own field, trashed by the back */
    ck_assert_int_eq(ra_front_put(&r.f, m, r.p->req_size), 0);
    ra_front_push(&r.f);
    ck_assert_uint_eq(sh(&r)->req_prod, (ring_idx_t)(r.start + 4));
    ck_assert(!ra_front_broken(&r.f) && !ra_back_broken(&r.b));
    free(r.page);
}
END_TEST

/* The copy taken is what the consumer keeps, whatever the slot becomes later. */
START_TEST(test_take_copies_slot_once_and_keeps_copy)
{
    struct rig r;
    uint8_t sent[128], copy[128];
    rig_init(&r, PROTO(_i), START(_i));
    for (size_t k = 0; k < sizeof(sent); k++)
        sent[k] = (uint8_t)(k * 13 + 1);
    ck_assert_int_eq(ra_front_put(&r.f, sent, r.p->req_size), 0);
    ra_front_push(&r.f);
    ck_assert_int_eq(ra_back_take(&r.b, copy, r.p->req_size), 1);
    uint8_t *slot = r.page + RING_HEADER_SIZE + (size_t)(r.start & (r.n - 1)) * r.p->slot_size;
    memset(slot, 0xEE, r.p->slot_size);  /* front rewrites after the copy */
    ck_assert_mem_eq(copy, sent, r.p->req_size);
    ck_assert_int_eq(ra_back_take(&r.b, copy, r.p->req_size), 0);
    ck_assert_mem_eq(copy, sent, r.p->req_size);
    free(r.page);
}
END_TEST

static const ra_blkif_disk disk_rw = { .sectors = 1u << 20, .barrier = true, .flush = true,
                                       .discard = true };

/* blkif: after the copy, the front turns the request into garbage; the back answers the copy. */
START_TEST(test_blkif_request_rewritten_after_copy_is_served_from_copy)
{
    struct rig r;
    struct blkif_request req = { .operation = BLKIF_OP_READ, .nr_segments = 1, .id = 42,
                                 .sector_number = 100 };
    req.seg[0] = (struct blkif_request_segment){ .gref = 9, .first_sect = 0, .last_sect = 7 };
    rig_init(&r, RA_BLKIF, 0);
    ra_front_put(&r.f, &req, sizeof(req));
    ra_front_push(&r.f);

    struct blkif_request copy;
    ck_assert_int_eq(ra_back_take(&r.b, &copy, sizeof(copy)), 1);
    struct blkif_request *slot = (struct blkif_request *)(r.page + RING_HEADER_SIZE);
    slot->operation = 0xff;
    slot->nr_segments = 200;
    slot->id = 666;
    slot->seg[0].last_sect = 0xff;

    uint64_t nsec;
    ck_assert_int_eq(ra_blkif_check(&copy, &disk_rw, &nsec), BLKIF_RSP_OKAY);
    ck_assert_uint_eq(nsec, 8);
    struct blkif_response rsp = { .id = copy.id, .operation = copy.operation,
                                  .status = BLKIF_RSP_OKAY };
    ck_assert_int_eq(ra_back_put(&r.b, &rsp, sizeof(rsp)), 0);
    ra_back_push(&r.b);
    struct blkif_response got;
    ck_assert_int_eq(ra_front_take(&r.f, &got, sizeof(got)), 1);
    ck_assert_uint_eq(got.id, 42);
    ck_assert_int_eq(got.status, BLKIF_RSP_OKAY);
    free(r.page);
}
END_TEST

/* Garbage written before the copy costs that request an error, nothing more. */
START_TEST(test_blkif_garbage_request_gets_error_and_ring_continues)
{
    struct rig r;
    struct blkif_request req = { .operation = BLKIF_OP_WRITE, .nr_segments = 1, .id = 1 };
    rig_init(&r, RA_BLKIF, UINT32_MAX);
    ra_front_put(&r.f, &req, sizeof(req));
    req.id = 2;
    ra_front_put(&r.f, &req, sizeof(req));
    ra_front_push(&r.f);
    memset(r.page + RING_HEADER_SIZE + (size_t)(UINT32_MAX & (r.n - 1)) * r.p->slot_size, 0xA5,
           r.p->slot_size);

    struct blkif_request copy;
    uint64_t nsec;
    ck_assert_int_eq(ra_back_take(&r.b, &copy, sizeof(copy)), 1);
    ck_assert_int_ne(ra_blkif_check(&copy, &disk_rw, &nsec), BLKIF_RSP_OKAY);
    ck_assert_int_eq(ra_back_take(&r.b, &copy, sizeof(copy)), 1);
    ck_assert_uint_eq(copy.id, 2);
    ck_assert_int_eq(ra_blkif_check(&copy, &disk_rw, &nsec), BLKIF_RSP_OKAY);
    ck_assert(!ra_back_broken(&r.b));
    free(r.page);
}
END_TEST

/*
 * Random garbage in every header field, over random legitimate states: each
 * end reports broken exactly when the peer's producer index is outside the
 * window a correct peer can reach, otherwise a count inside the window, and
 * taking everything it reports stays inside the page (ASan).
 */
START_TEST(test_random_header_garbage_is_detected_exactly)
{
    rng_state = 0x9e3779b97f4a7c15ull ^ (uint64_t)_i;
    for (int iter = 0; iter < 400; iter++) {
        struct rig r;
        uint8_t m[128] = { 0 };
        rig_init(&r, PROTO(_i), (ring_idx_t)rnd());
        uint32_t k = (uint32_t)(rnd() % (r.n + 1)), j = k ? (uint32_t)(rnd() % (k + 1)) : 0;
        uint32_t i = j ? (uint32_t)(rnd() % (j + 1)) : 0;
        put_n(&r, k);
        take_n(&r, j);
        answer_n(&r, i);
        /* Producer indices near the window edges half the time. */
        ring_idx_t req_prod = (rnd() & 1) ? (ring_idx_t)rnd()
                                          : r.start + i + r.n + (ring_idx_t)(rnd() % 5) - 2;
        ring_idx_t rsp_prod = (rnd() & 1) ? (ring_idx_t)rnd()
                                          : r.start + k + (ring_idx_t)(rnd() % 5) - 2;
        for (size_t b = 0; b < RING_HEADER_SIZE; b++)
            r.page[b] = (uint8_t)rnd();
        sh(&r)->req_prod = req_prod;
        sh(&r)->rsp_prod = rsp_prod;

        ring_idx_t back_window = r.n - (j - i);
        bool back_bad = (ring_idx_t)(req_prod - (r.start + j)) > back_window;
        int n = ra_back_unconsumed(&r.b);
        if (back_bad) {
            ck_assert_int_eq(n, RA_BROKEN);
        } else {
            ck_assert_int_eq(n, (int)(ring_idx_t)(req_prod - (r.start + j)));
            while (ra_back_take(&r.b, m, r.p->req_size) == 1)
                ;
        }
        bool front_bad = (ring_idx_t)(rsp_prod - r.start) > k;
        n = ra_front_unconsumed(&r.f);
        if (front_bad) {
            ck_assert_int_eq(n, RA_BROKEN);
        } else {
            ck_assert_int_eq(n, (int)(ring_idx_t)(rsp_prod - r.start));
            while (ra_front_take(&r.f, m, r.p->rsp_size) == 1)
                ;
            ck_assert_int_ge(ra_front_final_check(&r.f), 0);
        }
        free(r.page);
    }
}
END_TEST

/* ---- blkif request contents: an independent statement of the rules ---- */

static uint64_t le64(const uint8_t *p)
{
    uint64_t v = 0;
    for (int k = 7; k >= 0; k--)
        v = v << 8 | p[k];
    return v;
}

static int reference_verdict(const uint8_t *raw, const ra_blkif_disk *d)
{
    uint8_t op = raw[0], nseg = raw[1];
    unsigned __int128 first = le64(raw + 16), count = 0;
    unsigned min_seg;
    bool writes;

    switch (op) {
    case BLKIF_OP_READ: min_seg = 1; writes = false; break;
    case BLKIF_OP_WRITE: min_seg = 1; writes = true; break;
    case BLKIF_OP_WRITE_BARRIER:
        if (!d->barrier)
            return BLKIF_RSP_EOPNOTSUPP;
        min_seg = 0; writes = true; break;
    case BLKIF_OP_FLUSH_DISKCACHE:
        if (!d->flush)
            return BLKIF_RSP_EOPNOTSUPP;
        min_seg = 0; writes = true; break;
    case BLKIF_OP_DISCARD:
        if (!d->discard)
            return BLKIF_RSP_EOPNOTSUPP;
        if (raw[1] > 1 || d->read_only)
            return BLKIF_RSP_ERROR;
        return first + le64(raw + 24) <= d->sectors ? BLKIF_RSP_OKAY : BLKIF_RSP_ERROR;
    default:
        return BLKIF_RSP_EOPNOTSUPP;
    }
    if (nseg < min_seg || nseg > 11 || (writes && nseg > 0 && d->read_only))
        return BLKIF_RSP_ERROR;
    for (unsigned s = 0; s < nseg; s++) {
        uint8_t lo = raw[24 + 8 * s + 4], hi = raw[24 + 8 * s + 5];
        if (lo > hi || hi > 7)
            return BLKIF_RSP_ERROR;
        count += hi - lo + 1u;
    }
    return first + count <= d->sectors ? BLKIF_RSP_OKAY : BLKIF_RSP_ERROR;
}

START_TEST(test_blkif_garbage_in_every_field_matches_reference_rules)
{
    rng_state = 0x2545f4914f6cdd1dull;
    unsigned ok = 0;
    for (int iter = 0; iter < 40000; iter++) {
        uint8_t raw[sizeof(struct blkif_request)];
        for (size_t b = 0; b < sizeof(raw); b++)
            raw[b] = (uint8_t)rnd();
        /* Steer half the cases close to valid so both verdicts are common. */
        if (rnd() & 1) {
            raw[0] = (uint8_t)(rnd() % 8);
            raw[1] = (uint8_t)(rnd() % 14);
            for (unsigned s = 0; s < 11; s++) {
                raw[24 + 8 * s + 4] = (uint8_t)(rnd() % 9);
                raw[24 + 8 * s + 5] = (uint8_t)(rnd() % 9);
            }
            uint64_t sector = rnd() % (1u << 21);
            memcpy(raw + 16, &sector, 8);
            uint64_t nr = rnd() % (1u << 20);
            memcpy(raw + 24, &nr, 8);
        }
        ra_blkif_disk d = { .sectors = rnd() % 2 ? 1u << 20 : UINT64_MAX - (rnd() % 64),
                            .read_only = rnd() % 4 == 0, .barrier = rnd() & 1,
                            .flush = rnd() & 1, .discard = rnd() & 1 };
        struct blkif_request req;
        memcpy(&req, raw, sizeof(req));
        uint64_t nsec = 0;
        int v = ra_blkif_check(&req, &d, &nsec);
        ck_assert_int_eq(v, reference_verdict(raw, &d));
        ok += v == BLKIF_RSP_OKAY;
    }
    ck_assert_uint_gt(ok, 500); /* the generator does reach valid requests */
}
END_TEST

/* The hostile blkif requests listed in docs/security.md, one by one. */
START_TEST(test_blkif_hostile_requests_get_error_responses)
{
    static const struct {
        const char *what;
        uint8_t op, nseg, first, last;
        uint64_t sector;
        bool ro;
        int want;
    } cases[] = {
        { "read with 0 segments", BLKIF_OP_READ, 0, 0, 7, 0, false, BLKIF_RSP_ERROR },
        { "write with 12 segments", BLKIF_OP_WRITE, 12, 0, 7, 0, false, BLKIF_RSP_ERROR },
        { "255 segments", BLKIF_OP_READ, 255, 0, 7, 0, false, BLKIF_RSP_ERROR },
        { "last_sect 8", BLKIF_OP_READ, 1, 0, 8, 0, false, BLKIF_RSP_ERROR },
        { "last < first", BLKIF_OP_READ, 1, 5, 4, 0, false, BLKIF_RSP_ERROR },
        { "past the disk end", BLKIF_OP_READ, 1, 0, 7, (1u << 20) - 7, false, BLKIF_RSP_ERROR },
        { "ends at the disk end", BLKIF_OP_READ, 1, 0, 7, (1u << 20) - 8, false, BLKIF_RSP_OKAY },
        { "sector wraps 2^64", BLKIF_OP_READ, 2, 0, 7, UINT64_MAX - 3, false, BLKIF_RSP_ERROR },
        { "write to read-only", BLKIF_OP_WRITE, 1, 0, 0, 0, true, BLKIF_RSP_ERROR },
        { "read from read-only", BLKIF_OP_READ, 1, 0, 0, 0, true, BLKIF_RSP_OKAY },
        { "unknown op 7", 7, 1, 0, 0, 0, false, BLKIF_RSP_EOPNOTSUPP },
        { "unknown op 255", 255, 1, 0, 0, 0, false, BLKIF_RSP_EOPNOTSUPP },
        { "reserved op 4", BLKIF_OP_RESERVED_1, 1, 0, 0, 0, false, BLKIF_RSP_EOPNOTSUPP },
        { "indirect not offered", BLKIF_OP_INDIRECT, 1, 0, 0, 0, false, BLKIF_RSP_EOPNOTSUPP },
        { "flush without data", BLKIF_OP_FLUSH_DISKCACHE, 0, 0, 0, 0, false, BLKIF_RSP_OKAY },
    };
    for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
        struct blkif_request req = { .operation = cases[c].op, .nr_segments = cases[c].nseg,
                                     .sector_number = cases[c].sector };
        for (int s = 0; s < BLKIF_MAX_SEGMENTS_PER_REQUEST; s++)
            req.seg[s] = (struct blkif_request_segment){ 1, cases[c].first, cases[c].last, { 0 } };
        ra_blkif_disk d = disk_rw;
        d.read_only = cases[c].ro;
        uint64_t nsec;
        ck_assert_msg(ra_blkif_check(&req, &d, &nsec) == cases[c].want, "%s", cases[c].what);
    }
    /* Discard whose range wraps, and one with an unknown flag. */
    struct blkif_request_discard dis = { .operation = BLKIF_OP_DISCARD, .sector_number = 8,
                                         .nr_sectors = UINT64_MAX - 4 };
    struct blkif_request req;
    uint64_t nsec;
    memset(&req, 0, sizeof(req));
    memcpy(&req, &dis, sizeof(dis));
    ck_assert_int_eq(ra_blkif_check(&req, &disk_rw, &nsec), BLKIF_RSP_ERROR);
    dis.nr_sectors = 8;
    dis.flag = 0x80;
    memcpy(&req, &dis, sizeof(dis));
    ck_assert_int_eq(ra_blkif_check(&req, &disk_rw, &nsec), BLKIF_RSP_ERROR);
    dis.flag = BLKIF_DISCARD_SECURE;
    memcpy(&req, &dis, sizeof(dis));
    ck_assert_int_eq(ra_blkif_check(&req, &disk_rw, &nsec), BLKIF_RSP_OKAY);
    ck_assert_uint_eq(nsec, 8);
}
END_TEST

Suite *ring_hostile_suite(void);
Suite *ring_hostile_suite(void)
{
    Suite *s = suite_create("ring_hostile");
    TCase *tc = tcase_create("producer_index");
    tcase_add_loop_test(tc, test_req_prod_jumped_past_ring_marks_back_broken, 0, COMBOS);
    tcase_add_loop_test(tc, test_req_prod_past_unanswered_window_marks_back_broken, 0, COMBOS);
    tcase_add_loop_test(tc, test_req_prod_moved_backwards_marks_back_broken, 0, COMBOS);
    tcase_add_loop_test(tc, test_rsp_prod_ahead_of_requests_marks_front_broken, 0, COMBOS);
    tcase_add_loop_test(tc, test_rsp_prod_moved_backwards_marks_front_broken, 0, COMBOS);
    tcase_add_loop_test(tc, test_broken_ring_is_halted_and_page_left_alone, 0, COMBOS);
    tcase_add_loop_test(tc, test_peer_scribbling_our_own_indices_is_ignored, 0, COMBOS);
    suite_add_tcase(s, tc);

    tc = tcase_create("double_fetch");
    tcase_add_loop_test(tc, test_take_copies_slot_once_and_keeps_copy, 0, COMBOS);
    tcase_add_test(tc, test_blkif_request_rewritten_after_copy_is_served_from_copy);
    tcase_add_test(tc, test_blkif_garbage_request_gets_error_and_ring_continues);
    suite_add_tcase(s, tc);

    tc = tcase_create("garbage");
    tcase_set_timeout(tc, 30);
    tcase_add_loop_test(tc, test_random_header_garbage_is_detected_exactly, 0, COMBOS);
    tcase_add_test(tc, test_blkif_garbage_in_every_field_matches_reference_rules);
    tcase_add_test(tc, test_blkif_hostile_requests_get_error_responses);
    suite_add_tcase(s, tc);
    return s;
}
