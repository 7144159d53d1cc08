/*
 * Ring conformance, property group "byte rings": the console (in 1024 /
 * out 2048) and xenstore (req 1024 / rsp 1024) byte streams. Round trips,
 * wrap of the buffer and of the u32 indices, full and partial transfers,
 * and overflow detection: a peer index outside [our index - size, our index]
 * (producer) or [our index, our index + size] (consumer) is a broken peer.
 * Every (page, ring, side) combination runs through one table.
 */
#include <check.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ring_adapter.h"

/* One ring of one page: where its indices live and how big it is. */
struct ring_case {
    const char *name;
    bool xenstore;
    bool front_produces; /* direction of this ring */
    uint32_t size;
    size_t prod_off, cons_off, buf_off;
};

static const struct ring_case cases[] = {
    { "console out", false, true, 2048, 3084, 3080, 1024 },
    { "console in", false, false, 1024, 3076, 3072, 0 },
    { "xenstore req", true, true, 1024, 2052, 2048, 0 },
    { "xenstore rsp", true, false, 1024, 2060, 2056, 1024 },
};
#define NR_CASES (int)(sizeof(cases) / sizeof(cases[0]))

struct byte_rig {
    const struct ring_case *c;
    uint8_t *page;
    ra_byte_pair front, back;
    ra_bytes *prod, *cons;
};

static ring_idx_t *idx_at(struct byte_rig *r, size_t off) { return (ring_idx_t *)(r->page + off); }

static int attach(struct byte_rig *r, bool front)
{
    if (r->c->xenstore)
        return ra_xenstore_attach(front ? &r->front : &r->back, (void *)r->page, front);
    return ra_console_attach(front ? &r->front : &r->back, (void *)r->page, front);
}

/* Page with both indices of the ring under test at `start`; both sides attached. */
static void rig_init(struct byte_rig *r, int i, ring_idx_t start)
{
    r->c = &cases[i];
    r->page = calloc(1, RING_PAGE_SIZE);
    ck_assert_ptr_nonnull(r->page);
    *idx_at(r, r->c->prod_off) = start;
    *idx_at(r, r->c->cons_off) = start;
    ck_assert_int_eq(attach(r, true), 0);
    ck_assert_int_eq(attach(r, false), 0);
    r->prod = r->c->front_produces ? &r->front.tx : &r->back.tx;
    r->cons = r->c->front_produces ? &r->back.rx : &r->front.rx;
}

static uint8_t pattern(uint32_t k) { return (uint8_t)(k * 31u + 7u); }

START_TEST(test_round_trip_lands_at_the_ring_offset)
{
    struct byte_rig r;
    rig_init(&r, _i, 0);
    uint8_t msg[40], got[40];
    for (uint32_t k = 0; k < sizeof(msg); k++)
        msg[k] = pattern(k);
    ck_assert_int_eq(ra_bytes_write(r.prod, msg, sizeof(msg)), 40);
    ck_assert_mem_eq(r.page + r.c->buf_off, msg, sizeof(msg));
    ck_assert_uint_eq(*idx_at(&r, r.c->prod_off), 40);
    ck_assert_int_eq(ra_bytes_pending(r.cons), 40);
    ck_assert_int_eq(ra_bytes_read(r.cons, got, sizeof(got)), 40);
    ck_assert_mem_eq(got, msg, sizeof(msg));
    ck_assert_uint_eq(*idx_at(&r, r.c->cons_off), 40);
    ck_assert_int_eq(ra_bytes_read(r.cons, got, sizeof(got)), 0);
    free(r.page);
}
END_TEST

/* Writes stop at size pending bytes; reads free exactly what they consume. */
START_TEST(test_full_ring_accepts_nothing_more)
{
    struct byte_rig r;
    rig_init(&r, _i, 5);
    uint32_t size = r.c->size;
    uint8_t *big = malloc(size + 100), *got = malloc(size + 100);
    for (uint32_t k = 0; k < size + 100; k++)
        big[k] = pattern(k);
    ck_assert_int_eq(ra_bytes_write(r.prod, big, size + 100), (int)size);
    ck_assert_int_eq(ra_bytes_space(r.prod), 0);
    ck_assert_int_eq(ra_bytes_write(r.prod, big, 1), 0);
    ck_assert_int_eq(ra_bytes_read(r.cons, got, 100), 100);
    ck_assert_int_eq(ra_bytes_space(r.prod), 100);
    ck_assert_int_eq(ra_bytes_write(r.prod, big + size, 100), 100);
    ck_assert_int_eq(ra_bytes_read(r.cons, got + 100, size + 100), (int)size);
    ck_assert_mem_eq(got, big, size + 100);
    ck_assert(!ra_bytes_broken(r.prod) && !ra_bytes_broken(r.cons));
    free(big);
    free(got);
    free(r.page);
}
END_TEST

/* Data straddling the end of the buffer and indices crossing 2^32 stay intact. */
START_TEST(test_wrap_of_buffer_and_indices_keeps_bytes_in_order)
{
    struct byte_rig r;
    rig_init(&r, _i, UINT32_MAX - 700);
    uint8_t chunk[1000], got[1000];
    uint32_t sent = 0, recv = 0, len = 3;
    while (recv < 20000) {
        len = len * 29 % 997 + 1;
        for (uint32_t k = 0; k < len; k++)
            chunk[k] = pattern(sent + k);
        sent += (uint32_t)ra_bytes_write(r.prod, chunk, len);
        int n = ra_bytes_read(r.cons, got, len * 3 % 1000 + 1);
        ck_assert_int_ge(n, 0);
        for (int k = 0; k < n; k++)
            ck_assert_uint_eq(got[k], pattern(recv + (uint32_t)k));
        recv += (uint32_t)n;
    }
    ck_assert_uint_eq(*idx_at(&r, r.c->cons_off), (ring_idx_t)(UINT32_MAX - 700 + recv));
    ck_assert(!ra_bytes_broken(r.prod) && !ra_bytes_broken(r.cons));
    free(r.page);
}
END_TEST

/* A xenstore message written across the wrap point reads back whole. */
START_TEST(test_xenstore_message_straddling_the_wrap_reads_back_whole)
{
    struct byte_rig r;
    rig_init(&r, 2, 1020);
    struct xsd_sockmsg hdr = { .type = XS_WRITE, .req_id = 77, .tx_id = 3, .len = 12 }, h;
    char body[13] = "/local/a\0v1";
    char got[12];
    ck_assert_int_eq(ra_bytes_write(r.prod, &hdr, sizeof(hdr)), 16);
    ck_assert_int_eq(ra_bytes_write(r.prod, body, 12), 12);
    ck_assert_int_eq(ra_bytes_read(r.cons, &h, sizeof(h)), 16);
    ck_assert_mem_eq(&h, &hdr, sizeof(h));
    ck_assert_int_eq(ra_bytes_read(r.cons, got, h.len), 12);
    ck_assert_mem_eq(got, body, 12);
    free(r.page);
}
END_TEST

/* Consumer side: the producer index may be at most size ahead, never behind. */
START_TEST(test_consumer_detects_producer_overflow)
{
    struct byte_rig r;
    uint8_t buf[8];
    rig_init(&r, _i, UINT32_MAX - 10);
    ring_idx_t base = UINT32_MAX - 10;
    *idx_at(&r, r.c->prod_off) = base + r.c->size;   /* exactly full: fine */
    ck_assert_int_eq(ra_bytes_pending(r.cons), (int)r.c->size);
    *idx_at(&r, r.c->prod_off) = base + r.c->size + 1;
    ck_assert_int_eq(ra_bytes_read(r.cons, buf, sizeof(buf)), RA_BROKEN);
    ck_assert(ra_bytes_broken(r.cons));
    *idx_at(&r, r.c->prod_off) = base;              /* sticky */
    ck_assert_int_eq(ra_bytes_pending(r.cons), RA_BROKEN);
    free(r.page);

    rig_init(&r, _i, 100);
    *idx_at(&r, r.c->prod_off) = 99;                /* behind us */
    ck_assert_int_eq(ra_bytes_read(r.cons, buf, sizeof(buf)), RA_BROKEN);
    free(r.page);
}
END_TEST

/* Producer side: the consumer index may trail by at most size, never lead. */
START_TEST(test_producer_detects_consumer_overflow)
{
    struct byte_rig r;
    uint8_t buf[8] = { 0 };
    rig_init(&r, _i, 50);
    *idx_at(&r, r.c->cons_off) = 51;                 /* claims to have read unwritten bytes */
    ck_assert_int_eq(ra_bytes_write(r.prod, buf, sizeof(buf)), RA_BROKEN);
    ck_assert(ra_bytes_broken(r.prod));
    free(r.page);

    rig_init(&r, _i, 50);
    ck_assert_int_eq(ra_bytes_write(r.prod, buf, 8), 8);
    *idx_at(&r, r.c->cons_off) = 50 + 8 - r.c->size - 1; /* more than size behind */
    ck_assert_int_eq(ra_bytes_space(r.prod), RA_BROKEN);
    free(r.page);
}
END_TEST

/* Attaching to a page whose indices are already impossible fails at once. */
START_TEST(test_attach_to_corrupt_page_reports_broken)
{
    struct byte_rig r = { .c = &cases[_i] };
    r.page = calloc(1, RING_PAGE_SIZE);
    *idx_at(&r, r.c->prod_off) = 5000;
    *idx_at(&r, r.c->cons_off) = 1;
    ck_assert_int_eq(attach(&r, true), RA_BROKEN);
    ck_assert_int_eq(attach(&r, false), RA_BROKEN);
    free(r.page);
}
END_TEST

/* The peer overwriting our own index changes nothing: we never read it back. */
START_TEST(test_peer_scribbling_our_index_is_ignored)
{
    struct byte_rig r;
    uint8_t buf[4] = { 1, 2, 3, 4 }, got[4];
    rig_init(&r, _i, 0);
    ck_assert_int_eq(ra_bytes_write(r.prod, buf, 4), 4);
    ck_assert_int_eq(ra_bytes_read(r.cons, got, 2), 2);
    *idx_at(&r, r.c->cons_off) = 0xbeef;             /* producer trashes the consumer's index */
    ck_assert_int_eq(ra_bytes_read(r.cons, got + 2, 2), 2);
    ck_assert_mem_eq(got, buf, 4);
    ck_assert_uint_eq(*idx_at(&r, r.c->cons_off), 4); /* rewritten from the private copy */
    *idx_at(&r, r.c->prod_off) = 0x1234;             /* consumer trashes the producer's index */
    ck_assert_int_eq(ra_bytes_write(r.prod, buf, 1), 1);
    ck_assert_uint_eq(*idx_at(&r, r.c->prod_off), 5); /* rewritten from the private copy */
    ck_assert_int_eq(ra_bytes_read(r.cons, got, 4), 1);
    ck_assert_uint_eq(got[0], 1);
    free(r.page);
}
END_TEST

START_TEST(test_wrong_direction_calls_are_refused)
{
    struct byte_rig r;
    uint8_t buf[4] = { 0 };
    rig_init(&r, _i, 0);
    ck_assert_int_eq(ra_bytes_read(r.prod, buf, 4), RA_BROKEN);
    ck_assert_int_eq(ra_bytes_write(r.cons, buf, 4), RA_BROKEN);
    free(r.page);
}
END_TEST

Suite *ring_byte_suite(void);
Suite *ring_byte_suite(void)
{
    Suite *s = suite_create("ring_byte");
    TCase *tc = tcase_create("transfer");
    tcase_add_loop_test(tc, test_round_trip_lands_at_the_ring_offset, 0, NR_CASES);
    tcase_add_loop_test(tc, test_full_ring_accepts_nothing_more, 0, NR_CASES);
    tcase_add_loop_test(tc, test_wrap_of_buffer_and_indices_keeps_bytes_in_order, 0, NR_CASES);
    tcase_add_test(tc, test_xenstore_message_straddling_the_wrap_reads_back_whole);
    tcase_add_loop_test(tc, test_wrong_direction_calls_are_refused, 0, NR_CASES);
    suite_add_tcase(s, tc);

    tc = tcase_create("overflow");
    tcase_add_loop_test(tc, test_consumer_detects_producer_overflow, 0, NR_CASES);
    tcase_add_loop_test(tc, test_producer_detects_consumer_overflow, 0, NR_CASES);
    tcase_add_loop_test(tc, test_attach_to_corrupt_page_reports_broken, 0, NR_CASES);
    tcase_add_loop_test(tc, test_peer_scribbling_our_index_is_ignored, 0, NR_CASES);
    suite_add_tcase(s, tc);
    return s;
}
