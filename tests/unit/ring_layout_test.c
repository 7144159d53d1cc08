/*
 * Ring conformance, property group "layout": the byte-level shape of every
 * shared page (entry sizes, slots per 4 KiB page, header offsets, console
 * and xenstore pages), checked both on the declared types and on the bytes
 * an implementation actually writes. The numbers here are the ABI (Xen's
 * public io/ headers); the implementation is reached through ring_adapter.h.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "public/io/blkif.h"
#include "public/io/console.h"
#include "public/io/netif.h"
#include "public/io/ring.h"
#include "public/io/xs_wire.h"
#include "ring_adapter.h"

/* The ABI facts per protocol, independent of the implementation. */
static const struct {
    const char *name;
    size_t slot, req, rsp;
    uint32_t slots_per_page;
} abi[RA_NR_PROTOS] = {
    [RA_BLKIF] = { "blkif", 112, 112, 16, 32 },
    [RA_NETIF_TX] = { "netif_tx", 12, 12, 4, 256 },
    [RA_NETIF_RX] = { "netif_rx", 8, 8, 8, 256 },
};

static uint32_t le32_at(const void *page, size_t off)
{
    const uint8_t *p = (const uint8_t *)page + off;
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void *page_alloc(size_t bytes, int fill)
{
    void *p = malloc(bytes);
    ck_assert_ptr_nonnull(p);
    memset(p, fill, bytes);
    return p;
}

START_TEST(test_entry_sizes_match_the_abi)
{
    const struct ra_proto *p = ra_proto((unsigned)_i);
    ck_assert_str_eq(p->name, abi[_i].name);
    ck_assert_uint_eq(p->slot_size, abi[_i].slot);
    ck_assert_uint_eq(p->req_size, abi[_i].req);
    ck_assert_uint_eq(p->rsp_size, abi[_i].rsp);
}
END_TEST

START_TEST(test_slots_per_4k_page_match_the_abi)
{
    const struct ra_proto *p = ra_proto((unsigned)_i);
    ck_assert_uint_eq(ra_slots_for(RING_PAGE_SIZE, p->slot_size), abi[_i].slots_per_page);
    ck_assert_uint_eq(BLKIF_RING_SLOTS, 32);
    ck_assert_uint_eq(NETIF_TX_RING_SLOTS, 256);
    ck_assert_uint_eq(NETIF_RX_RING_SLOTS, 256);
}
END_TEST

/* An attached ring reports the ABI slot count and puts slot k at 64 + k * size. */
START_TEST(test_slots_start_at_byte_64_and_are_contiguous)
{
    const struct ra_proto *p = ra_proto((unsigned)_i);
    uint8_t *page = page_alloc(RING_PAGE_SIZE, 0);
    uint8_t msg[128];
    ra_front f;

    ra_shared_init(page, 0);
    ck_assert_int_eq(ra_front_attach(&f, page, RING_PAGE_SIZE, p->slot_size, 0), 0);
    ck_assert_uint_eq(ra_front_slots(&f), abi[_i].slots_per_page);
    for (unsigned k = 0; k < 3; k++) {
        memset(msg, 0xA0 + k, p->req_size);
        ck_assert_int_eq(ra_front_put(&f, msg, p->req_size), 0);
    }
    for (unsigned k = 0; k < 3; k++) {
        const uint8_t *slot = page + RING_HEADER_SIZE + k * p->slot_size;
        for (size_t b = 0; b < p->req_size; b++)
            ck_assert_uint_eq(slot[b], 0xA0 + k);
    }
    /* Putting does not publish: req_prod is still 0. */
    ck_assert_uint_eq(le32_at(page, 0), 0);
    free(page);
}
END_TEST

/* For any slot size the count is the largest power of two that fits. */
START_TEST(test_slot_count_is_largest_power_of_two_that_fits)
{
    static const size_t sizes[] = { 64 + 1, 128, RING_PAGE_SIZE, 2 * RING_PAGE_SIZE, 16 * RING_PAGE_SIZE };
    for (size_t si = 0; si < sizeof(sizes) / sizeof(sizes[0]); si++) {
        size_t bytes = sizes[si];
        for (size_t s = 1; s <= 300; s++) {
            uint32_t n = ra_slots_for(bytes, s);
            if (bytes - RING_HEADER_SIZE < s) {
                ck_assert_uint_eq(n, 0);
                continue;
            }
            ck_assert_msg(n != 0 && (n & (n - 1)) == 0, "%u slots is not a power of two", n);
            ck_assert(RING_HEADER_SIZE + (size_t)n * s <= bytes);
            ck_assert(RING_HEADER_SIZE + (size_t)2 * n * s > bytes);
            ck_assert_uint_eq(n, RING_SLOTS(bytes, s));
        }
    }
    ck_assert_uint_eq(ra_slots_for(RING_HEADER_SIZE, 8), 0);
    ck_assert_uint_eq(ra_slots_for(RING_PAGE_SIZE, 0), 0);
}
END_TEST

START_TEST(test_pow2_floor_constant_matches_definition)
{
    ck_assert_uint_eq(RING_POW2_FLOOR(0u), 0);
    for (uint32_t n = 1; n < (1u << 17); n++) {
        uint32_t want = 1;
        while (want * 2 <= n)
            want *= 2;
        ck_assert_uint_eq(RING_POW2_FLOOR(n), want);
    }
}
END_TEST

START_TEST(test_header_offsets_match_the_abi)
{
    ck_assert_uint_eq(sizeof(struct ring_shared), 64);
    ck_assert_uint_eq(offsetof(struct ring_shared, req_prod), 0);
    ck_assert_uint_eq(offsetof(struct ring_shared, req_event), 4);
    ck_assert_uint_eq(offsetof(struct ring_shared, rsp_prod), 8);
    ck_assert_uint_eq(offsetof(struct ring_shared, rsp_event), 12);
    ck_assert_uint_eq(offsetof(struct blkif_ring_page, slot), 64);
    ck_assert_uint_eq(offsetof(struct netif_tx_ring_page, slot), 64);
    ck_assert_uint_eq(offsetof(struct netif_rx_ring_page, slot), 64);
}
END_TEST

/* Init: indices 0, both events 1, bytes 16..63 zero, slots untouched. */
START_TEST(test_init_zeroes_indices_sets_events_to_one)
{
    uint8_t *page = page_alloc(RING_PAGE_SIZE, 0xAA);
    ra_shared_init(page, 0);
    ck_assert_uint_eq(le32_at(page, 0), 0);
    ck_assert_uint_eq(le32_at(page, 4), 1);
    ck_assert_uint_eq(le32_at(page, 8), 0);
    ck_assert_uint_eq(le32_at(page, 12), 1);
    for (size_t b = 16; b < 64; b++)
        ck_assert_uint_eq(page[b], 0);
    for (size_t b = 64; b < RING_PAGE_SIZE; b++)
        ck_assert_uint_eq(page[b], 0xAA);
    free(page);
}
END_TEST

/* Each end writes exactly its own fields at their ABI offsets. */
START_TEST(test_each_end_writes_its_own_header_fields)
{
    const struct ra_proto *p = ra_proto((unsigned)_i);
    uint8_t *page = page_alloc(RING_PAGE_SIZE, 0);
    uint8_t msg[128] = { 0 };
    ra_front f;
    ra_back b;

    ra_shared_init(page, 0);
    ck_assert_int_eq(ra_front_attach(&f, page, RING_PAGE_SIZE, p->slot_size, 0), 0);
    ck_assert_int_eq(ra_back_attach(&b, page, RING_PAGE_SIZE, p->slot_size, 0), 0);
    ck_assert_int_eq(ra_front_put(&f, msg, p->req_size), 0);
    ck_assert_int_eq(ra_front_put(&f, msg, p->req_size), 0);
    ck_assert(ra_front_push(&f));
    ck_assert_uint_eq(le32_at(page, 0), 2);                 /* req_prod by the front */
    ck_assert_int_eq(ra_back_take(&b, msg, p->req_size), 1);
    ck_assert_int_eq(ra_back_take(&b, msg, p->req_size), 1);
    ck_assert_int_eq(ra_back_final_check(&b), 0);
    ck_assert_uint_eq(le32_at(page, 4), 3);                 /* req_event by the back */
    ck_assert_int_eq(ra_back_put(&b, msg, p->rsp_size), 0);
    ck_assert(ra_back_push(&b));
    ck_assert_uint_eq(le32_at(page, 8), 1);                 /* rsp_prod by the back */
    ck_assert_int_eq(ra_front_take(&f, msg, p->rsp_size), 1);
    ck_assert_int_eq(ra_front_final_check(&f), 0);
    ck_assert_uint_eq(le32_at(page, 12), 2);                /* rsp_event by the front */
    for (size_t k = 16; k < 64; k++)
        ck_assert_uint_eq(page[k], 0);
    free(page);
}
END_TEST

/* The response to request k is written into slot k, over the request. */
START_TEST(test_response_shares_the_slot_of_its_request)
{
    const struct ra_proto *p = ra_proto((unsigned)_i);
    uint8_t *page = page_alloc(RING_PAGE_SIZE, 0);
    uint8_t msg[128];
    ra_front f;
    ra_back b;

    ra_shared_init(page, 0);
    ra_front_attach(&f, page, RING_PAGE_SIZE, p->slot_size, 0);
    ra_back_attach(&b, page, RING_PAGE_SIZE, p->slot_size, 0);
    for (int k = 0; k < 2; k++) {
        memset(msg, 0x11, p->req_size);
        ra_front_put(&f, msg, p->req_size);
    }
    ra_front_push(&f);
    ra_back_take(&b, msg, p->req_size);
    ra_back_take(&b, msg, p->req_size);
    memset(msg, 0x77, p->rsp_size);
    ck_assert_int_eq(ra_back_put(&b, msg, p->rsp_size), 0);
    for (size_t k = 0; k < p->rsp_size; k++)
        ck_assert_uint_eq(page[RING_HEADER_SIZE + k], 0x77);
    ck_assert_uint_eq(page[RING_HEADER_SIZE + p->slot_size], 0x11);
    free(page);
}
END_TEST

START_TEST(test_blkif_and_netif_constants_match_the_abi)
{
    ck_assert_int_eq(BLKIF_OP_READ, 0);
    ck_assert_int_eq(BLKIF_OP_WRITE, 1);
    ck_assert_int_eq(BLKIF_OP_WRITE_BARRIER, 2);
    ck_assert_int_eq(BLKIF_OP_FLUSH_DISKCACHE, 3);
    ck_assert_int_eq(BLKIF_OP_DISCARD, 5);
    ck_assert_int_eq(BLKIF_OP_INDIRECT, 6);
    ck_assert_int_eq(BLKIF_RSP_OKAY, 0);
    ck_assert_int_eq(BLKIF_RSP_ERROR, -1);
    ck_assert_int_eq(BLKIF_RSP_EOPNOTSUPP, -2);
    ck_assert_int_eq(BLKIF_MAX_SEGMENTS_PER_REQUEST, 11);
    ck_assert_uint_eq(offsetof(struct blkif_request, seg[10]), 24 + 10 * 8);
    ck_assert_uint_eq(offsetof(struct blkif_response, status), 10);
    ck_assert_int_eq(NETIF_RSP_OKAY, 0);
    ck_assert_int_eq(NETIF_RSP_ERROR, -1);
    ck_assert_int_eq(NETIF_RSP_DROPPED, -2);
    ck_assert_int_eq(NETIF_RSP_NULL, 1);
    ck_assert_uint_eq(NETTXF_more_data, 4);
    ck_assert_uint_eq(NETTXF_extra_info, 8);
    ck_assert_uint_eq(offsetof(struct netif_tx_request, size), 10);
    ck_assert_uint_eq(offsetof(struct netif_rx_response, status), 6);
}
END_TEST

START_TEST(test_console_page_layout)
{
    struct xencons_interface *c = page_alloc(RING_PAGE_SIZE, 0);
    uint8_t *raw = (uint8_t *)c;
    ra_byte_pair front, back;
    char buf[8];

    ck_assert_uint_eq(offsetof(struct xencons_interface, out), 1024);
    ck_assert_uint_eq(offsetof(struct xencons_interface, in_cons), 3072);
    ck_assert_uint_eq(offsetof(struct xencons_interface, out_prod), 3084);
    ck_assert_int_eq(ra_console_attach(&front, c, true), 0);
    ck_assert_int_eq(ra_console_attach(&back, c, false), 0);
    /* The guest prints into out and advances out_prod. */
    ck_assert_int_eq(ra_bytes_write(&front.tx, "hello", 5), 5);
    ck_assert_mem_eq(raw + 1024, "hello", 5);
    ck_assert_uint_eq(le32_at(raw, 3084), 5);
    ck_assert_int_eq(ra_bytes_space(&front.tx), 2048 - 5);
    ck_assert_int_eq(ra_bytes_read(&back.rx, buf, sizeof(buf)), 5);
    ck_assert_uint_eq(le32_at(raw, 3080), 5);  /* out_cons by the backend */
    /* Typed input goes into in at offset 0 and advances in_prod. */
    ck_assert_int_eq(ra_bytes_write(&back.tx, "ls\n", 3), 3);
    ck_assert_mem_eq(raw, "ls\n", 3);
    ck_assert_uint_eq(le32_at(raw, 3076), 3);
    ck_assert_int_eq(ra_bytes_space(&back.tx), 1024 - 3);
    ck_assert_int_eq(ra_bytes_read(&front.rx, buf, sizeof(buf)), 3);
    ck_assert_uint_eq(le32_at(raw, 3072), 3);  /* in_cons by the guest */
    free(c);
}
END_TEST

START_TEST(test_xenstore_page_layout)
{
    struct xenstore_domain_interface *x = page_alloc(RING_PAGE_SIZE, 0);
    uint8_t *raw = (uint8_t *)x;
    ra_byte_pair front, back;
    struct xsd_sockmsg hdr = { .type = XS_READ, .req_id = 7, .tx_id = 0, .len = 0 }, got;

    ck_assert_uint_eq(sizeof(struct xsd_sockmsg), 16);
    ck_assert_uint_eq(offsetof(struct xenstore_domain_interface, req_prod), 2052);
    ck_assert_uint_eq(offsetof(struct xenstore_domain_interface, evtchn_port), 2076);
    ck_assert_int_eq(ra_xenstore_attach(&front, x, true), 0);
    ck_assert_int_eq(ra_xenstore_attach(&back, x, false), 0);
    ck_assert_int_eq(ra_bytes_write(&front.tx, &hdr, sizeof(hdr)), 16);
    ck_assert_mem_eq(raw, &hdr, 16);             /* req at offset 0 */
    ck_assert_uint_eq(le32_at(raw, 2052), 16);   /* req_prod by the guest */
    ck_assert_int_eq(ra_bytes_read(&back.rx, &got, sizeof(got)), 16);
    ck_assert_uint_eq(le32_at(raw, 2048), 16);   /* req_cons by xenstored */
    ck_assert_int_eq(ra_bytes_write(&back.tx, &got, sizeof(got)), 16);
    ck_assert_mem_eq(raw + 1024, &hdr, 16);      /* rsp at offset 1024 */
    ck_assert_uint_eq(le32_at(raw, 2060), 16);   /* rsp_prod by xenstored */
    ck_assert_int_eq(ra_bytes_read(&front.rx, &got, sizeof(got)), 16);
    ck_assert_uint_eq(le32_at(raw, 2056), 16);   /* rsp_cons by the guest */
    /* The fields after the rings are not ring state: untouched. */
    for (size_t b = 2064; b < 2080; b++)
        ck_assert_uint_eq(raw[b], 0);
    free(x);
}
END_TEST

START_TEST(test_xenstore_message_types_match_the_abi)
{
    ck_assert_int_eq(XS_DIRECTORY, 1);
    ck_assert_int_eq(XS_READ, 2);
    ck_assert_int_eq(XS_WATCH, 4);
    ck_assert_int_eq(XS_TRANSACTION_START, 6);
    ck_assert_int_eq(XS_INTRODUCE, 8);
    ck_assert_int_eq(XS_WRITE, 11);
    ck_assert_int_eq(XS_SET_PERMS, 14);
    ck_assert_int_eq(XS_WATCH_EVENT, 15);
    ck_assert_int_eq(XS_ERROR, 16);
    ck_assert_int_eq(XS_IS_DOMAIN_INTRODUCED, 17);
    ck_assert_int_eq(XS_RESUME, 18);
    ck_assert_int_eq(XS_RESET_WATCHES, 21);
    ck_assert_int_eq(XS_INVALID, 0xffff);
    ck_assert_uint_eq(XENSTORE_PAYLOAD_MAX, 4096);
    ck_assert_uint_eq(XENSTORE_RING_SIZE, 1024);
    ck_assert_uint_eq(XENSTORE_ERROR_RINGIDX, 2);
}
END_TEST

Suite *ring_layout_suite(void);
Suite *ring_layout_suite(void)
{
    Suite *s = suite_create("ring_layout");
    TCase *tc = tcase_create("slot_rings");
    tcase_add_loop_test(tc, test_entry_sizes_match_the_abi, 0, RA_NR_PROTOS);
    tcase_add_loop_test(tc, test_slots_per_4k_page_match_the_abi, 0, RA_NR_PROTOS);
    tcase_add_loop_test(tc, test_slots_start_at_byte_64_and_are_contiguous, 0, RA_NR_PROTOS);
    tcase_add_loop_test(tc, test_each_end_writes_its_own_header_fields, 0, RA_NR_PROTOS);
    tcase_add_loop_test(tc, test_response_shares_the_slot_of_its_request, 0, RA_NR_PROTOS);
    tcase_add_test(tc, test_slot_count_is_largest_power_of_two_that_fits);
    tcase_add_test(tc, test_pow2_floor_constant_matches_definition);
    tcase_add_test(tc, test_header_offsets_match_the_abi);
    tcase_add_test(tc, test_init_zeroes_indices_sets_events_to_one);
    tcase_add_test(tc, test_blkif_and_netif_constants_match_the_abi);
    suite_add_tcase(s, tc);

    tc = tcase_create("byte_pages");
    tcase_add_test(tc, test_console_page_layout);
    tcase_add_test(tc, test_xenstore_page_layout);
    tcase_add_test(tc, test_xenstore_message_types_match_the_abi);
    suite_add_tcase(s, tc);
    return s;
}
