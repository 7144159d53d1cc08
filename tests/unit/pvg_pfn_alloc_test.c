/*
 * pfn_alloc (pv-guest/core): first-fit order, contiguous runs, the free
 * count, and refusal of bad requests without changing anything; plus a
 * randomized run checked against a plain array model.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "guest/pfn_alloc.h"

#define N 300

static uint64_t bits[PFN_ALLOC_WORDS(N)];
static struct pfn_alloc a;

static void fresh(uint64_t first_free, uint64_t count)
{
    pfn_alloc_init(&a, bits, N);
    if (count != 0)
        ck_assert_int_eq(pfn_alloc_free(&a, first_free, count), 0);
}

START_TEST(pvg_pfn_starts_all_used)
{
    fresh(0, 0);
    ck_assert_uint_eq(a.nr_free, 0);
    ck_assert_int_eq(pfn_alloc_get(&a, 1), -PFN_ALLOC_ENOMEM);
    for (uint64_t p = 0; p < N; p++)
        ck_assert(pfn_alloc_in_use(&a, p));
    ck_assert(!pfn_alloc_in_use(&a, N));
    /* Bits of the last word beyond N stay set. */
    ck_assert_uint_eq(bits[PFN_ALLOC_WORDS(N) - 1] >> (N % 64), ~0ull >> (N % 64));
}
END_TEST

START_TEST(pvg_pfn_first_fit_lowest_first)
{
    fresh(10, 100);
    ck_assert_int_eq(pfn_alloc_get(&a, 1), 10);
    ck_assert_int_eq(pfn_alloc_get(&a, 1), 11);
    ck_assert_int_eq(pfn_alloc_get(&a, 5), 12);
    ck_assert_uint_eq(a.nr_free, 93);
    ck_assert_int_eq(pfn_alloc_free(&a, 11, 1), 0);
    ck_assert_int_eq(pfn_alloc_get(&a, 1), 11);
    /* A hole too small for 3 is skipped. */
    ck_assert_int_eq(pfn_alloc_free(&a, 13, 2), 0);
    ck_assert_int_eq(pfn_alloc_get(&a, 3), 17);
    ck_assert_int_eq(pfn_alloc_get(&a, 2), 13);
}
END_TEST

START_TEST(pvg_pfn_runs_across_words)
{
    fresh(60, 10);
    ck_assert_int_eq(pfn_alloc_get(&a, 10), 60);
    ck_assert_int_eq(pfn_alloc_get(&a, 1), -PFN_ALLOC_ENOMEM);
    ck_assert_int_eq(pfn_alloc_free(&a, 60, 10), 0);
    fresh(0, N);
    ck_assert_int_eq(pfn_alloc_get(&a, N), 0);
    ck_assert_uint_eq(a.nr_free, 0);
    ck_assert_int_eq(pfn_alloc_free(&a, 0, N), 0);
    ck_assert_uint_eq(a.nr_free, N);
}
END_TEST

START_TEST(pvg_pfn_fragmented_enomem)
{
    fresh(0, N);
    /* Take every other frame: 150 free, no run of 2. */
    for (uint64_t p = 0; p < N; p++)
        ck_assert_int_eq(pfn_alloc_get(&a, 1), (int64_t)p);
    for (uint64_t p = 0; p < N; p += 2)
        ck_assert_int_eq(pfn_alloc_free(&a, p, 1), 0);
    ck_assert_uint_eq(a.nr_free, N / 2);
    ck_assert_int_eq(pfn_alloc_get(&a, 2), -PFN_ALLOC_ENOMEM);
    ck_assert_uint_eq(a.nr_free, N / 2);
    ck_assert_int_eq(pfn_alloc_get(&a, 1), 0);
}
END_TEST

START_TEST(pvg_pfn_bad_requests_change_nothing)
{
    uint64_t copy[PFN_ALLOC_WORDS(N)];

    fresh(5, 50);
    ck_assert_int_eq(pfn_alloc_get(&a, 0), -PFN_ALLOC_EINVAL);
    ck_assert_int_eq(pfn_alloc_get(&a, N + 1), -PFN_ALLOC_EINVAL);
    ck_assert_int_eq(pfn_alloc_get(&a, 51), -PFN_ALLOC_ENOMEM);
    memcpy(copy, bits, sizeof(bits));
    /* Double free, partly free range, out of range, wrapping range, empty. */
    ck_assert_int_eq(pfn_alloc_free(&a, 5, 1), -PFN_ALLOC_EINVAL);
    ck_assert_int_eq(pfn_alloc_free(&a, 0, 10), -PFN_ALLOC_EINVAL);
    ck_assert_int_eq(pfn_alloc_free(&a, N, 1), -PFN_ALLOC_EINVAL);
    ck_assert_int_eq(pfn_alloc_free(&a, N - 1, 2), -PFN_ALLOC_EINVAL);
    ck_assert_int_eq(pfn_alloc_free(&a, 100, UINT64_MAX), -PFN_ALLOC_EINVAL);
    ck_assert_int_eq(pfn_alloc_free(&a, UINT64_MAX, 2), -PFN_ALLOC_EINVAL);
    ck_assert_int_eq(pfn_alloc_free(&a, 100, 0), -PFN_ALLOC_EINVAL);
    ck_assert_mem_eq(copy, bits, sizeof(bits));
    ck_assert_uint_eq(a.nr_free, 50);
}
END_TEST

/* Random gets and frees against a byte-per-frame model. */
START_TEST(pvg_pfn_random_against_model)
{
    uint8_t used[N];
    struct { int64_t first; uint64_t n; } held[64];
    unsigned nheld = 0;

    srand(1234);
    fresh(0, N);
    memset(used, 0, sizeof(used));
    for (int step = 0; step < 5000; step++) {
        if (nheld < 64 && (rand() % 3 != 0 || nheld == 0)) {
            uint64_t n = 1 + (uint64_t)(rand() % 12);
            int64_t got = pfn_alloc_get(&a, n);
            /* Model: lowest run of n free frames. */
            int64_t want = -PFN_ALLOC_ENOMEM;
            for (uint64_t s = 0; s + n <= N && want < 0; s++) {
                uint64_t k = 0;
                while (k < n && !used[s + k])
                    k++;
                if (k == n)
                    want = (int64_t)s;
            }
            ck_assert_int_eq(got, want);
            if (got >= 0) {
                memset(used + got, 1, n);
                held[nheld].first = got;
                held[nheld].n = n;
                nheld++;
            }
        } else {
            unsigned i = (unsigned)rand() % nheld;
            ck_assert_int_eq(pfn_alloc_free(&a, (uint64_t)held[i].first, held[i].n), 0);
            memset(used + held[i].first, 0, held[i].n);
            held[i] = held[--nheld];
        }
        uint64_t free_model = 0;
        for (uint64_t p = 0; p < N; p++)
            free_model += !used[p];
        ck_assert_uint_eq(a.nr_free, free_model);
    }
}
END_TEST

Suite *pvg_pfn_alloc_suite(void);

Suite *pvg_pfn_alloc_suite(void)
{
    Suite *s = suite_create("pvg_pfn_alloc");
    TCase *tc = tcase_create("alloc");
    tcase_add_test(tc, pvg_pfn_starts_all_used);
    tcase_add_test(tc, pvg_pfn_first_fit_lowest_first);
    tcase_add_test(tc, pvg_pfn_runs_across_words);
    tcase_add_test(tc, pvg_pfn_fragmented_enomem);
    tcase_add_test(tc, pvg_pfn_bad_requests_change_nothing);
    tcase_add_test(tc, pvg_pfn_random_against_model);
    suite_add_tcase(s, tc);
    return s;
}
