/*
 * Unit tests of the bitmap frame allocator: initial state, clamping and
 * overlap accounting of add_free/reserve, exhaustion, aligned contiguous
 * runs, free/realloc, BUG_ON on caller bugs, a seeded random run against a
 * one-byte-per-frame reference model, and the Multiboot region helper.
 */
#include <check.h>
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "core/env.h"
#include "core/frame_alloc.h"

#define NR 1000 /* deliberately not a multiple of 64 */

static uint64_t bitmap[FRAME_ALLOC_BITMAP_WORDS(NR) + 1]; /* +1: canary word */
static struct frame_alloc fa;

#define CANARY 0x5a5a5a5a5a5a5a5aull

static void setup(void)
{
    memset(bitmap, 0xff, sizeof(bitmap)); /* garbage that init must clear */
    bitmap[FRAME_ALLOC_BITMAP_WORDS(NR)] = CANARY;
    frame_alloc_init(&fa, bitmap, NR);
}

static void check_canary(void)
{
    ck_assert_uint_eq(bitmap[FRAME_ALLOC_BITMAP_WORDS(NR)], CANARY);
}

static uint64_t count_free(void)
{
    uint64_t n = 0;
    for (uint64_t p = 0; p < NR; p++)
        n += frame_alloc_is_free(&fa, p);
    return n;
}

START_TEST(errno_values_match_the_brief)
{
    ck_assert_int_eq(FRAME_ALLOC_ENOMEM, ENOMEM);
    ck_assert_int_eq(FRAME_ALLOC_EINVAL, EINVAL);
    ck_assert_int_eq(-FRAME_ALLOC_ENOMEM, -12);
}
END_TEST

START_TEST(init_all_used)
{
    uint64_t pfn = 77;

    ck_assert_uint_eq(fa.nr_frames, NR);
    ck_assert_uint_eq(fa.nr_free, 0);
    ck_assert_uint_eq(count_free(), 0);
    ck_assert_int_eq(frame_alloc_alloc(&fa, &pfn), -ENOMEM);
    ck_assert_uint_eq(pfn, 77);
    ck_assert_int_eq(frame_alloc_alloc_contig(&fa, 1, 1, &pfn), -ENOMEM);
    check_canary();
}
END_TEST

START_TEST(init_zero_frames)
{
    struct frame_alloc z;
    uint64_t word = CANARY, pfn;

    frame_alloc_init(&z, &word, 0);
    ck_assert_uint_eq(word, CANARY); /* zero words to clear */
    frame_alloc_add_free(&z, 0, 100);
    ck_assert_uint_eq(z.nr_free, 0);
    ck_assert_int_eq(frame_alloc_alloc(&z, &pfn), -ENOMEM);
    ck_assert(!frame_alloc_is_free(&z, 0));
}
END_TEST

START_TEST(add_free_overlaps_counted_once)
{
    frame_alloc_add_free(&fa, 10, 100);
    ck_assert_uint_eq(fa.nr_free, 100);
    frame_alloc_add_free(&fa, 50, 100); /* 50 of these already free */
    ck_assert_uint_eq(fa.nr_free, 140);
    frame_alloc_add_free(&fa, 10, 140); /* all already free */
    ck_assert_uint_eq(fa.nr_free, 140);
    ck_assert_uint_eq(count_free(), 140);
    ck_assert(!frame_alloc_is_free(&fa, 9));
    ck_assert(frame_alloc_is_free(&fa, 10));
    ck_assert(frame_alloc_is_free(&fa, 149));
    ck_assert(!frame_alloc_is_free(&fa, 150));
    frame_alloc_add_free(&fa, 0, 0); /* empty range: nothing */
    ck_assert_uint_eq(fa.nr_free, 140);
}
END_TEST

START_TEST(reserve_overlaps_counted_once)
{
    frame_alloc_add_free(&fa, 0, 200);
    frame_alloc_reserve(&fa, 100, 50);
    ck_assert_uint_eq(fa.nr_free, 150);
    frame_alloc_reserve(&fa, 120, 100); /* 30 already used, 50 past the free part */
    ck_assert_uint_eq(fa.nr_free, 100);
    frame_alloc_reserve(&fa, 500, 100); /* never freed */
    ck_assert_uint_eq(fa.nr_free, 100);
    ck_assert_uint_eq(count_free(), 100);
    ck_assert(frame_alloc_is_free(&fa, 99));
    ck_assert(!frame_alloc_is_free(&fa, 100));
}
END_TEST

START_TEST(ranges_clamped)
{
    frame_alloc_add_free(&fa, 990, 100);
    ck_assert_uint_eq(fa.nr_free, 10);
    frame_alloc_add_free(&fa, NR, 5);
    frame_alloc_add_free(&fa, UINT64_MAX, UINT64_MAX);
    frame_alloc_add_free(&fa, 995, UINT64_MAX); /* pfn + count wraps */
    ck_assert_uint_eq(fa.nr_free, 10);
    frame_alloc_add_free(&fa, 0, UINT64_MAX);
    ck_assert_uint_eq(fa.nr_free, NR);
    ck_assert(!frame_alloc_is_free(&fa, NR));
    ck_assert(!frame_alloc_is_free(&fa, UINT64_MAX));
    check_canary();
    /* Tail bits of the last word stay clear. */
    ck_assert_uint_eq(bitmap[NR / 64] >> (NR % 64), 0);

    frame_alloc_reserve(&fa, 998, UINT64_MAX);
    ck_assert_uint_eq(fa.nr_free, NR - 2);
    frame_alloc_reserve(&fa, UINT64_MAX, 1);
    frame_alloc_reserve(&fa, NR, UINT64_MAX);
    ck_assert_uint_eq(fa.nr_free, NR - 2);
    frame_alloc_reserve(&fa, 0, UINT64_MAX);
    ck_assert_uint_eq(fa.nr_free, 0);
    check_canary();
}
END_TEST

START_TEST(exhaustion_returns_enomem)
{
    static bool seen[NR];
    uint64_t pfn;

    frame_alloc_add_free(&fa, 0, UINT64_MAX);
    for (unsigned i = 0; i < NR; i++) {
        ck_assert_int_eq(frame_alloc_alloc(&fa, &pfn), 0);
        ck_assert_uint_lt(pfn, NR);
        ck_assert(!seen[pfn]);
        seen[pfn] = true;
        ck_assert(!frame_alloc_is_free(&fa, pfn));
    }
    ck_assert_uint_eq(fa.nr_free, 0);
    ck_assert_int_eq(frame_alloc_alloc(&fa, &pfn), -ENOMEM);
    ck_assert_int_eq(frame_alloc_alloc(&fa, &pfn), -ENOMEM);
    ck_assert_int_eq(frame_alloc_alloc_contig(&fa, 1, 1, &pfn), -ENOMEM);
}
END_TEST

START_TEST(free_and_realloc)
{
    uint64_t a, b, c;

    frame_alloc_add_free(&fa, 100, 3);
    ck_assert_int_eq(frame_alloc_alloc(&fa, &a), 0);
    ck_assert_int_eq(frame_alloc_alloc(&fa, &b), 0);
    ck_assert_int_eq(frame_alloc_alloc(&fa, &c), 0);
    ck_assert_uint_eq(a, 100);
    ck_assert_uint_eq(b, 101);
    ck_assert_uint_eq(c, 102);
    ck_assert_int_eq(frame_alloc_alloc(&fa, &a), -ENOMEM);
    frame_alloc_free(&fa, 101);
    ck_assert_uint_eq(fa.nr_free, 1);
    ck_assert(frame_alloc_is_free(&fa, 101));
    ck_assert_int_eq(frame_alloc_alloc(&fa, &a), 0); /* search wraps past the hint */
    ck_assert_uint_eq(a, 101);
    ck_assert_uint_eq(fa.nr_free, 0);
}
END_TEST

START_TEST(hint_spreads_then_wraps)
{
    uint64_t p;

    frame_alloc_add_free(&fa, 0, NR);
    ck_assert_int_eq(frame_alloc_alloc(&fa, &p), 0);
    ck_assert_uint_eq(p, 0);
    frame_alloc_free(&fa, 0);
    ck_assert_int_eq(frame_alloc_alloc(&fa, &p), 0);
    ck_assert_uint_eq(p, 1); /* next-fit: does not reuse 0 at once */
    frame_alloc_reserve(&fa, 2, NR);
    ck_assert_int_eq(frame_alloc_alloc(&fa, &p), 0);
    ck_assert_uint_eq(p, 0);
}
END_TEST

START_TEST(contig_with_alignment)
{
    uint64_t p;

    /* Free: [3, 11) and [17, 41) and [64, 200). */
    frame_alloc_add_free(&fa, 3, 8);
    frame_alloc_add_free(&fa, 17, 24);
    frame_alloc_add_free(&fa, 64, 136);
    ck_assert_int_eq(frame_alloc_alloc_contig(&fa, 8, 1, &p), 0);
    ck_assert_uint_eq(p, 3); /* first fit, unaligned */
    ck_assert_int_eq(frame_alloc_alloc_contig(&fa, 8, 8, &p), 0);
    ck_assert_uint_eq(p, 24); /* 16 is not free, 24..31 is */
    ck_assert_int_eq(frame_alloc_alloc_contig(&fa, 10, 1, &p), 0);
    ck_assert_uint_eq(p, 64); /* 17..23 (7) and 32..40 (9) are too short */
    ck_assert_int_eq(frame_alloc_alloc_contig(&fa, 64, 64, &p), 0);
    ck_assert_uint_eq(p, 128);
    for (uint64_t i = 128; i < 192; i++)
        ck_assert(!frame_alloc_is_free(&fa, i));
    ck_assert_uint_eq(fa.nr_free, 8 + 24 + 136 - 8 - 8 - 10 - 64);
    ck_assert_uint_eq(count_free(), fa.nr_free);
    ck_assert_int_eq(frame_alloc_alloc_contig(&fa, 64, 64, &p), -ENOMEM);
    ck_assert_int_eq(frame_alloc_alloc_contig(&fa, 55, 1, &p), -ENOMEM);
    ck_assert_int_eq(frame_alloc_alloc_contig(&fa, 54, 1, &p), 0); /* exactly 74..127 */
    ck_assert_uint_eq(p, 74);
    ck_assert_uint_eq(fa.nr_free, 7 + 9 + 8);
}
END_TEST

START_TEST(contig_bad_arguments)
{
    uint64_t p = 5;

    frame_alloc_add_free(&fa, 0, NR);
    ck_assert_int_eq(frame_alloc_alloc_contig(&fa, 0, 1, &p), -EINVAL);
    ck_assert_int_eq(frame_alloc_alloc_contig(&fa, 1, 3, &p), -EINVAL);
    ck_assert_int_eq(frame_alloc_alloc_contig(&fa, 1, 0x30, &p), -EINVAL);
    ck_assert_uint_eq(p, 5);
    ck_assert_uint_eq(fa.nr_free, NR);
    ck_assert_int_eq(frame_alloc_alloc_contig(&fa, NR + 1, 1, &p), -ENOMEM);
    ck_assert_int_eq(frame_alloc_alloc_contig(&fa, UINT64_MAX, 1, &p), -ENOMEM);
    ck_assert_int_eq(frame_alloc_alloc_contig(&fa, 1, 0, &p), 0); /* align 0 = 1 */
    ck_assert_uint_eq(p, 0);
    /* A huge alignment leaves only frame 0, which is now used. */
    ck_assert_int_eq(frame_alloc_alloc_contig(&fa, 1, 1ull << 63, &p), -ENOMEM);
    frame_alloc_free(&fa, 0);
    ck_assert_int_eq(frame_alloc_alloc_contig(&fa, 1, 1ull << 63, &p), 0);
    ck_assert_uint_eq(p, 0);
    ck_assert_uint_eq(fa.nr_free, NR - 1);
}
END_TEST

START_TEST(contig_whole_range_and_tail)
{
    uint64_t p;

    frame_alloc_add_free(&fa, 0, NR);
    ck_assert_int_eq(frame_alloc_alloc_contig(&fa, NR, 1, &p), 0);
    ck_assert_uint_eq(p, 0);
    ck_assert_uint_eq(fa.nr_free, 0);
    frame_alloc_add_free(&fa, NR - 8, 8);
    ck_assert_int_eq(frame_alloc_alloc_contig(&fa, 8, 8, &p), 0);
    ck_assert_uint_eq(p, NR - 8);
    frame_alloc_add_free(&fa, NR - 7, 7);
    ck_assert_int_eq(frame_alloc_alloc_contig(&fa, 7, 8, &p), -ENOMEM); /* would pass the end */
    ck_assert_int_eq(frame_alloc_alloc_contig(&fa, 7, 1, &p), 0);
    ck_assert_uint_eq(p, NR - 7);
    check_canary();
}
END_TEST

START_TEST(double_free_is_a_bug)
{
    uint64_t p;

    frame_alloc_add_free(&fa, 0, 10);
    ck_assert_int_eq(frame_alloc_alloc(&fa, &p), 0);
    frame_alloc_free(&fa, p);
    frame_alloc_free(&fa, p); /* BUG_ON -> abort() */
}
END_TEST

START_TEST(free_of_free_frame_is_a_bug)
{
    frame_alloc_add_free(&fa, 0, 10);
    frame_alloc_free(&fa, 3);
}
END_TEST

START_TEST(free_out_of_range_is_a_bug)
{
    frame_alloc_free(&fa, NR);
}
END_TEST

/* ------------------------------------------------------------ random vs model */

static uint64_t rng_state;

static uint64_t rng(void)
{
    /* xorshift64*: deterministic for a given seed */
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * 2685821657736338717ull;
}

START_TEST(random_ops_match_model)
{
    static bool model[NR]; /* true = free */
    uint64_t model_free = 0, p;

    rng_state = 0x9e3779b97f4a7c15ull + (uint64_t)_i;
    memset(model, 0, sizeof(model));
    for (unsigned step = 0; step < 20000; step++) {
        uint64_t op = rng() % 100;
        uint64_t a = rng() % (NR + 50), n = rng() % 80;
        if (rng() % 64 == 0)
            n = UINT64_MAX - rng() % 3; /* clamping */

        if (op < 20) {
            frame_alloc_add_free(&fa, a, n);
            for (uint64_t i = a; i < NR && i - a < n; i++)
                if (!model[i])
                    model[i] = true, model_free++;
        } else if (op < 35) {
            frame_alloc_reserve(&fa, a, n);
            for (uint64_t i = a; i < NR && i - a < n; i++)
                if (model[i])
                    model[i] = false, model_free--;
        } else if (op < 70) {
            int rc = frame_alloc_alloc(&fa, &p);
            if (model_free == 0) {
                ck_assert_int_eq(rc, -ENOMEM);
            } else {
                ck_assert_int_eq(rc, 0);
                ck_assert_uint_lt(p, NR);
                ck_assert(model[p]);
                model[p] = false, model_free--;
            }
        } else if (op < 80) {
            uint64_t count = 1 + rng() % 24, align = 1ull << (rng() % 5);
            uint64_t first_fit = UINT64_MAX;
            for (uint64_t s = 0; first_fit == UINT64_MAX && s + count <= NR; s += align) {
                uint64_t i = s;
                while (i < s + count && model[i])
                    i++;
                if (i == s + count)
                    first_fit = s;
            }
            int rc = frame_alloc_alloc_contig(&fa, count, align, &p);
            ck_assert_int_eq(rc, first_fit != UINT64_MAX ? 0 : -ENOMEM);
            if (rc == 0) {
                ck_assert_uint_eq(p, first_fit);
                for (uint64_t i = p; i < p + count; i++) {
                    ck_assert(model[i]);
                    model[i] = false, model_free--;
                }
            }
        } else {
            /* free a used frame, if the model has one near a */
            for (uint64_t k = 0; k < NR; k++) {
                uint64_t f = (a + k) % NR;
                if (!model[f]) {
                    frame_alloc_free(&fa, f);
                    model[f] = true, model_free++;
                    break;
                }
            }
        }
        ck_assert_uint_eq(fa.nr_free, model_free);
        if (step % 500 == 0)
            for (uint64_t i = 0; i < NR; i++)
                ck_assert(frame_alloc_is_free(&fa, i) == model[i]);
    }
    for (uint64_t i = 0; i < NR; i++)
        ck_assert(frame_alloc_is_free(&fa, i) == model[i]);
    ck_assert_uint_eq(count_free(), model_free);
    check_canary();
}
END_TEST

/* ------------------------------------------------------------ add_regions */

static struct mb_info mbi;

static void region(uint64_t base, uint64_t len, uint32_t type)
{
    ck_assert_uint_lt(mbi.nr_regions, MB_MAX_REGIONS);
    mbi.regions[mbi.nr_regions++] = (struct mb_region){ base, len, type };
}

START_TEST(add_regions_interior_only)
{
    memset(&mbi, 0, sizeof(mbi));
    region(0x1800, 0x4000, MB_REGION_USABLE);  /* [0x1800, 0x5800): frames 2..4 */
    region(0x10000, 0x10000, MB_REGION_USABLE); /* frames 16..31 exactly */
    region(0x20000, 0x10000, MB_REGION_ACPI);   /* not usable */
    region(0x30000, 0x10000, MB_REGION_RESERVED);
    region(0x40000, 0x10000, MB_REGION_NVS);
    region(0x50000, 0x10000, MB_REGION_BAD);
    region(0x60000, 0x10000, 7);                /* unknown type: not usable */
    region(0x70000, 0xFFF, MB_REGION_USABLE);   /* less than a page */
    region(0x80000, 0, MB_REGION_USABLE);       /* empty */
    frame_alloc_add_regions(&fa, &mbi);

    ck_assert_uint_eq(fa.nr_free, 3 + 16);
    ck_assert(!frame_alloc_is_free(&fa, 1));
    ck_assert(frame_alloc_is_free(&fa, 2));
    ck_assert(frame_alloc_is_free(&fa, 4));
    ck_assert(!frame_alloc_is_free(&fa, 5));
    ck_assert(frame_alloc_is_free(&fa, 16));
    ck_assert(frame_alloc_is_free(&fa, 31));
    ck_assert(!frame_alloc_is_free(&fa, 32));
    ck_assert(!frame_alloc_is_free(&fa, 0x70));
}
END_TEST

START_TEST(add_regions_non_usable_wins)
{
    memset(&mbi, 0, sizeof(mbi));
    region(0x0, 0x100000, MB_REGION_USABLE);     /* frames 0..255 */
    region(0x9fc00, 0x400, MB_REGION_RESERVED);  /* EBDA inside: frame 0x9f */
    region(0x50010, 0x10, MB_REGION_ACPI);       /* 16 bytes inside frame 0x50 */
    region(0xfffff, 0x2, MB_REGION_RESERVED);    /* straddles frames 0xff and 0x100 */
    frame_alloc_add_regions(&fa, &mbi);

    ck_assert_uint_eq(fa.nr_free, 256 - 3);
    ck_assert(!frame_alloc_is_free(&fa, 0x9f));
    ck_assert(frame_alloc_is_free(&fa, 0x9e));
    ck_assert(!frame_alloc_is_free(&fa, 0x50));
    ck_assert(!frame_alloc_is_free(&fa, 0xff));
    ck_assert(frame_alloc_is_free(&fa, 0xfe));
}
END_TEST

START_TEST(add_regions_clamped_and_extreme)
{
    memset(&mbi, 0, sizeof(mbi));
    region((uint64_t)(NR - 2) << FRAME_SHIFT, 100ull << FRAME_SHIFT, MB_REGION_USABLE);
    region(0xFFFFFFFFFFFFF000ull, 0x2000, MB_REGION_USABLE); /* wraps: parser rejects, helper copes */
    region(UINT64_MAX - 10, 5, MB_REGION_USABLE);
    region(0, UINT64_MAX, MB_REGION_RESERVED);
    region(5ull << FRAME_SHIFT, 3ull << FRAME_SHIFT, MB_REGION_USABLE);
    frame_alloc_add_regions(&fa, &mbi);
    ck_assert_uint_eq(fa.nr_free, 0); /* the all-covering reservation wins */

    memset(&mbi, 0, sizeof(mbi));
    region(0, UINT64_MAX, MB_REGION_USABLE);
    frame_alloc_add_regions(&fa, &mbi);
    ck_assert_uint_eq(fa.nr_free, NR);
    check_canary();

    memset(&mbi, 0, sizeof(mbi));
    region(0xFFFFFFFFFFFFF000ull, 0x2000, MB_REGION_BAD);
    frame_alloc_add_regions(&fa, &mbi);
    ck_assert_uint_eq(fa.nr_free, NR);
}
END_TEST

START_TEST(add_regions_from_parsed_style_map)
{
    uint64_t p;

    memset(&mbi, 0, sizeof(mbi));
    region(0x0, 0x9fc00, MB_REGION_USABLE);
    region(0x9fc00, 0x400, MB_REGION_RESERVED);
    region(0xf0000, 0x10000, MB_REGION_RESERVED);
    region(0x100000, 0x7ee0000, MB_REGION_USABLE);
    frame_alloc_add_regions(&fa, &mbi);
    /* frames 0..0x9e, then 0x100..NR-1 */
    ck_assert_uint_eq(fa.nr_free, 0x9f + (NR - 0x100));
    frame_alloc_reserve(&fa, 0x100, 0x80); /* e.g. the hypervisor image */
    ck_assert_int_eq(frame_alloc_alloc_contig(&fa, 16, 16, &p), 0);
    ck_assert_uint_eq(p, 0);
    ck_assert_int_eq(frame_alloc_alloc_contig(&fa, 0x100, 1, &p), 0);
    ck_assert_uint_eq(p, 0x180);
}
END_TEST

Suite *frame_alloc_suite(void);

Suite *frame_alloc_suite(void)
{
    Suite *s = suite_create("frame_alloc");
    TCase *t = tcase_create("core");
    TCase *b = tcase_create("bugs");
    TCase *r = tcase_create("random");
    TCase *m = tcase_create("regions");

    tcase_add_checked_fixture(t, setup, NULL);
    tcase_add_checked_fixture(b, setup, NULL);
    tcase_add_checked_fixture(r, setup, NULL);
    tcase_add_checked_fixture(m, setup, NULL);

    tcase_add_test(t, errno_values_match_the_brief);
    tcase_add_test(t, init_all_used);
    tcase_add_test(t, init_zero_frames);
    tcase_add_test(t, add_free_overlaps_counted_once);
    tcase_add_test(t, reserve_overlaps_counted_once);
    tcase_add_test(t, ranges_clamped);
    tcase_add_test(t, exhaustion_returns_enomem);
    tcase_add_test(t, free_and_realloc);
    tcase_add_test(t, hint_spreads_then_wraps);
    tcase_add_test(t, contig_with_alignment);
    tcase_add_test(t, contig_bad_arguments);
    tcase_add_test(t, contig_whole_range_and_tail);

    tcase_add_test_raise_signal(b, double_free_is_a_bug, SIGABRT);
    tcase_add_test_raise_signal(b, free_of_free_frame_is_a_bug, SIGABRT);
    tcase_add_test_raise_signal(b, free_out_of_range_is_a_bug, SIGABRT);

    tcase_add_loop_test(r, random_ops_match_model, 0, 4);
    tcase_set_timeout(r, 60);

    tcase_add_test(m, add_regions_interior_only);
    tcase_add_test(m, add_regions_non_usable_wins);
    tcase_add_test(m, add_regions_clamped_and_extreme);
    tcase_add_test(m, add_regions_from_parsed_style_map);

    suite_add_tcase(s, t);
    suite_add_tcase(s, b);
    suite_add_tcase(s, r);
    suite_add_tcase(s, m);
    return s;
}
