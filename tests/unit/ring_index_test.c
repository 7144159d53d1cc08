/*
 * Ring conformance, property group "indices": free-running u32 indices and
 * the counts derived from them (free slots, unconsumed entries, full,
 * empty), for every protocol and for rings whose indices start at 0, in the
 * middle of the range, and just below 2^32 so that they wrap mid-test.
 */
#include <check.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ring_adapter.h"

static const ring_idx_t starts[] = { 0, 0x7fffffffu, UINT32_MAX - 2, UINT32_MAX };
#define NR_STARTS (sizeof(starts) / sizeof(starts[0]))

/* One ring of one protocol with both ends attached at `start`. */
struct rig {
    const struct ra_proto *p;
    uint8_t *page;
    ra_front f;
    ra_back b;
    uint32_t n;
    ring_idx_t start;
};

static void rig_init(struct rig *r, int combo)
{
    r->p = ra_proto((unsigned)combo % RA_NR_PROTOS);
    r->start = starts[(unsigned)combo / RA_NR_PROTOS];
    r->page = calloc(1, RING_PAGE_SIZE);
    ck_assert_ptr_nonnull(r->page);
    ra_shared_init(r->page, r->start);
    ck_assert_int_eq(ra_front_attach(&r->f, r->page, RING_PAGE_SIZE, r->p->slot_size, r->start), 0);
    ck_assert_int_eq(ra_back_attach(&r->b, r->page, RING_PAGE_SIZE, r->p->slot_size, r->start), 0);
    r->n = ra_front_slots(&r->f);
}

/* Messages carry a 32-bit sequence number in their first bytes. */
static void put_req(struct rig *r, uint32_t seq)
{
    uint8_t m[128];
    memset(m, 0x5a, sizeof(m));
    memcpy(m, &seq, sizeof(seq) <= r->p->req_size ? sizeof(seq) : r->p->req_size);
    ck_assert_int_eq(ra_front_put(&r->f, m, r->p->req_size), 0);
}

static uint32_t take_req(struct rig *r)
{
    uint8_t m[128] = { 0 };
    uint32_t seq;
    ck_assert_int_eq(ra_back_take(&r->b, m, r->p->req_size), 1);
    memcpy(&seq, m, sizeof(seq));
    return seq;
}

static void put_rsp(struct rig *r, uint32_t seq)
{
    uint8_t m[128] = { 0 };
    /* netif tx responses are 4 bytes: keep the low 16 bits of seq there. */
    memcpy(m, &seq, sizeof(seq) <= r->p->rsp_size ? sizeof(seq) : r->p->rsp_size);
    ck_assert_int_eq(ra_back_put(&r->b, m, r->p->rsp_size), 0);
}

static uint32_t take_rsp(struct rig *r)
{
    uint8_t m[128] = { 0 };
    uint32_t seq = 0;
    ck_assert_int_eq(ra_front_take(&r->f, m, r->p->rsp_size), 1);
    memcpy(&seq, m, r->p->rsp_size < sizeof(seq) ? r->p->rsp_size : sizeof(seq));
    return seq;
}

static uint32_t rsp_mask(const struct rig *r)
{
    return r->p->rsp_size >= 4 ? UINT32_MAX : (1u << (8 * r->p->rsp_size)) - 1;
}

static void rig_free(struct rig *r) { free(r->page); }

START_TEST(test_fresh_ring_is_empty)
{
    struct rig r;
    uint8_t m[128];
    rig_init(&r, _i);
    ck_assert_uint_eq(ra_front_free(&r.f), r.n);
    ck_assert_int_eq(ra_back_unconsumed(&r.b), 0);
    ck_assert_int_eq(ra_front_unconsumed(&r.f), 0);
    ck_assert_int_eq(ra_back_take(&r.b, m, r.p->req_size), 0);
    ck_assert_int_eq(ra_front_take(&r.f, m, r.p->rsp_size), 0);
    ck_assert_int_eq(ra_back_put(&r.b, m, r.p->rsp_size), RA_FULL); /* nothing to answer */
    ck_assert(!ra_front_push(&r.f));                              /* nothing to publish */
    rig_free(&r);
}
END_TEST

START_TEST(test_full_after_ring_size_requests)
{
    struct rig r;
    rig_init(&r, _i);
    for (uint32_t k = 0; k < r.n; k++)
        put_req(&r, k);
    ck_assert_uint_eq(ra_front_free(&r.f), 0);
    uint8_t m[128] = { 0 };
    ck_assert_int_eq(ra_front_put(&r.f, m, r.p->req_size), RA_FULL);
    ra_front_push(&r.f);
    ck_assert_int_eq(ra_back_unconsumed(&r.b), (int)r.n);
    /* Consuming requests frees nothing: only consumed responses free slots. */
    for (uint32_t k = 0; k < r.n; k++)
        ck_assert_uint_eq(take_req(&r), k);
    ck_assert_uint_eq(ra_front_free(&r.f), 0);
    ck_assert_int_eq(ra_front_put(&r.f, m, r.p->req_size), RA_FULL);
    ck_assert(!ra_front_broken(&r.f) && !ra_back_broken(&r.b));
    rig_free(&r);
}
END_TEST

START_TEST(test_one_before_full_accepts_exactly_one_more)
{
    struct rig r;
    rig_init(&r, _i);
    for (uint32_t k = 0; k + 1 < r.n; k++)
        put_req(&r, k);
    ck_assert_uint_eq(ra_front_free(&r.f), 1);
    put_req(&r, r.n - 1);
    ck_assert_uint_eq(ra_front_free(&r.f), 0);
    ra_front_push(&r.f);
    ck_assert_int_eq(ra_back_unconsumed(&r.b), (int)r.n);
    rig_free(&r);
}
END_TEST

/* Counts follow every step of a round trip; a consumed response frees its slot. */
START_TEST(test_counts_track_each_step)
{
    struct rig r;
    rig_init(&r, _i);
    for (uint32_t k = 0; k < 5; k++)
        put_req(&r, k);
    ck_assert_uint_eq(ra_front_free(&r.f), r.n - 5);
    ck_assert_int_eq(ra_back_unconsumed(&r.b), 0); /* not yet published */
    ra_front_push(&r.f);
    ck_assert_int_eq(ra_back_unconsumed(&r.b), 5);
    take_req(&r);
    take_req(&r);
    ck_assert_int_eq(ra_back_unconsumed(&r.b), 3);
    put_rsp(&r, 0);
    ck_assert_int_eq(ra_front_unconsumed(&r.f), 0); /* not yet published */
    ra_back_push(&r.b);
    ck_assert_int_eq(ra_front_unconsumed(&r.f), 1);
    put_rsp(&r, 1);
    ck_assert_int_eq(ra_back_put(&r.b, "", 0), RA_FULL); /* only two were consumed */
    ra_back_push(&r.b);
    ck_assert_int_eq(ra_front_unconsumed(&r.f), 2);
    take_rsp(&r);
    ck_assert_uint_eq(ra_front_free(&r.f), r.n - 4);
    take_rsp(&r);
    ck_assert_uint_eq(ra_front_free(&r.f), r.n - 3);
    ck_assert_int_eq(ra_front_unconsumed(&r.f), 0);
    rig_free(&r);
}
END_TEST

/*
 * Three full laps of the ring in uneven batches: every request and response
 * arrives once, in order, and the shared indices end at start + 3N modulo
 * 2^32 (for the starts near UINT32_MAX they have wrapped).
 */
START_TEST(test_laps_preserve_order_across_wraparound)
{
    struct rig r;
    rig_init(&r, _i);
    uint32_t total = 3 * r.n, sent = 0, served = 0, answered = 0, got = 0;
    uint32_t batch = 1;
    while (got < total) {
        for (uint32_t k = 0; k < batch && sent < total && ra_front_free(&r.f) > 0; k++)
            put_req(&r, sent++);
        ra_front_push(&r.f);
        while (ra_back_unconsumed(&r.b) > 0)
            ck_assert_uint_eq(take_req(&r), served++);
        while (answered < served)
            put_rsp(&r, answered++);
        ra_back_push(&r.b);
        while (ra_front_unconsumed(&r.f) > 0)
            ck_assert_uint_eq(take_rsp(&r), got++ & rsp_mask(&r));
        batch = batch % 7 + 3;
    }
    const struct ring_shared *sh = (const struct ring_shared *)r.page;
    ck_assert_uint_eq(sh->req_prod, (ring_idx_t)(r.start + total));
    ck_assert_uint_eq(sh->rsp_prod, (ring_idx_t)(r.start + total));
    ck_assert_uint_eq(ra_front_free(&r.f), r.n);
    ck_assert(!ra_front_broken(&r.f) && !ra_back_broken(&r.b));
    rig_free(&r);
}
END_TEST

/* Index i lives in slot i mod N, also when i has wrapped past 2^32. */
START_TEST(test_index_maps_to_slot_modulo_ring_size)
{
    struct rig r;
    rig_init(&r, _i);
    for (uint32_t k = 0; k < r.n + 3; k++) {
        if (ra_front_free(&r.f) == 0) {
            ra_front_push(&r.f);
            take_req(&r);
            put_rsp(&r, 0);
            ra_back_push(&r.b);
            take_rsp(&r);
        }
        ring_idx_t idx = r.start + k;
        put_req(&r, 0xC0DE0000u + k);
        const uint8_t *slot = r.page + RING_HEADER_SIZE + (size_t)(idx & (r.n - 1)) * r.p->slot_size;
        uint32_t seen = 0;
        memcpy(&seen, slot, r.p->req_size < 4 ? r.p->req_size : 4);
        ck_assert_uint_eq(seen, 0xC0DE0000u + k);
    }
    rig_free(&r);
}
END_TEST

/* Attaching at a start index is consistent with init at the same index. */
START_TEST(test_attach_at_start_matches_shared_indices)
{
    struct rig r;
    rig_init(&r, _i);
    const struct ring_shared *sh = (const struct ring_shared *)r.page;
    ck_assert_uint_eq(sh->req_prod, r.start);
    ck_assert_uint_eq(sh->rsp_prod, r.start);
    ck_assert_uint_eq(sh->req_event, (ring_idx_t)(r.start + 1));
    ck_assert_uint_eq(sh->rsp_event, (ring_idx_t)(r.start + 1));
    put_req(&r, 1);
    ck_assert(ra_front_push(&r.f)); /* event start + 1 asks for the first request */
    rig_free(&r);
}
END_TEST

START_TEST(test_attach_rejects_unusable_pages)
{
    ra_front f;
    ra_back b;
    static uint32_t page[RING_PAGE_SIZE / 4];
    ck_assert_int_eq(ra_front_attach(&f, NULL, RING_PAGE_SIZE, 112, 0), RING_ERR_INVAL);
    ck_assert_int_eq(ra_front_attach(&f, page, 64 + 111, 112, 0), RING_ERR_INVAL);
    ck_assert_int_eq(ra_back_attach(&b, (uint8_t *)page + 1, RING_PAGE_SIZE - 4, 8, 0), RING_ERR_INVAL);
    ck_assert_int_eq(ra_back_attach(&b, page, RING_PAGE_SIZE, 0, 0), RING_ERR_INVAL);
    /* A failed attach leaves an end that refuses to work rather than one that crashes. */
    ck_assert_int_eq(ra_back_take(&b, page, 0), RA_BROKEN);
    ck_assert_int_eq(ra_front_attach(&f, page, 64 + 112, 112, 0), 0);
    ck_assert_uint_eq(ra_front_slots(&f), 1);
}
END_TEST

Suite *ring_index_suite(void);
Suite *ring_index_suite(void)
{
    Suite *s = suite_create("ring_index");
    int combos = (int)(RA_NR_PROTOS * NR_STARTS);
    TCase *tc = tcase_create("empty_full");
    tcase_add_loop_test(tc, test_fresh_ring_is_empty, 0, combos);
    tcase_add_loop_test(tc, test_full_after_ring_size_requests, 0, combos);
    tcase_add_loop_test(tc, test_one_before_full_accepts_exactly_one_more, 0, combos);
    tcase_add_loop_test(tc, test_counts_track_each_step, 0, combos);
    tcase_add_test(tc, test_attach_rejects_unusable_pages);
    suite_add_tcase(s, tc);

    tc = tcase_create("wraparound");
    tcase_add_loop_test(tc, test_laps_preserve_order_across_wraparound, 0, combos);
    tcase_add_loop_test(tc, test_index_maps_to_slot_modulo_ring_size, 0, combos);
    tcase_add_loop_test(tc, test_attach_at_start_matches_shared_indices, 0, combos);
    suite_add_tcase(s, tc);
    return s;
}
