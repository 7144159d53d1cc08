/*
 * pvclock (pv-guest/core): TSC scaling against 128-bit arithmetic done
 * here by hand, the version protocol (odd versions and a version that
 * changes during the read are retried; a record that never settles fails
 * after a bounded number of tries) and wall-clock assembly.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "guest/pvclock.h"

START_TEST(pvg_pvclock_scale_matches_formula)
{
    /* mul 2^31 = 0.5 ns per tick. */
    ck_assert_uint_eq(pvclock_scale(1000, 1u << 31, 0), 500);
    ck_assert_uint_eq(pvclock_scale(1000, 1u << 31, 1), 1000);
    ck_assert_uint_eq(pvclock_scale(1000, 1u << 31, -1), 250);
    /* A 3 GHz TSC: mul = 2^32 / 3 (rounded down), shift 0. */
    ck_assert_uint_eq(pvclock_scale(3000000000ull, 1431655765u, 0), 999999999);
    /* No 64-bit overflow in the product: delta near 2^40 with a big mul. */
    uint64_t d = 1ull << 40;
    ck_assert_uint_eq(pvclock_scale(d, 0xFFFFFFFFu, 0), d - 256);
    ck_assert_uint_eq(pvclock_scale(0, 0xFFFFFFFFu, 5), 0);
}
END_TEST

struct fake {
    struct vcpu_time_info *t;
    uint64_t tsc;
    int reads;
    int bump_until;          /* change the version on reads below this */
    bool keep_odd;
};

static uint64_t fake_tsc(void *ctx)
{
    struct fake *f = ctx;
    f->reads++;
    if (f->keep_odd)
        f->t->version |= 1;
    else if (f->reads <= f->bump_until)
        f->t->version += 2;       /* an update happened during the read */
    return f->tsc;
}

START_TEST(pvg_pvclock_system_time_and_retries)
{
    struct vcpu_time_info t;
    struct fake f = { .t = &t, .tsc = 5000 };
    uint64_t ns = 0;

    memset(&t, 0, sizeof(t));
    t.version = 2;
    t.tsc_timestamp = 1000;
    t.system_time = 7000000;
    t.tsc_to_system_mul = 1u << 31;
    ck_assert(pvclock_system_time(&t, fake_tsc, &f, &ns));
    ck_assert_uint_eq(ns, 7000000 + 2000);
    ck_assert_int_eq(f.reads, 1);

    /* Two updates during reads: the third read counts. */
    f.reads = 0;
    f.bump_until = 2;
    ck_assert(pvclock_system_time(&t, fake_tsc, &f, &ns));
    ck_assert_int_eq(f.reads, 3);
    ck_assert_uint_eq(ns, 7002000);

    /* A TSC behind the stamp counts as no time. */
    f.bump_until = 0;
    f.tsc = 10;
    ck_assert(pvclock_system_time(&t, fake_tsc, &f, &ns));
    ck_assert_uint_eq(ns, 7000000);
}
END_TEST

START_TEST(pvg_pvclock_never_settles_fails)
{
    struct vcpu_time_info t;
    struct fake f = { .t = &t, .keep_odd = true };
    uint64_t ns = 12345;

    memset(&t, 0, sizeof(t));
    t.version = 3;
    ck_assert(!pvclock_system_time(&t, fake_tsc, &f, &ns));
    ck_assert_uint_eq(ns, 12345);
    /* Odd versions are skipped before the TSC is read at all. */
    ck_assert_int_eq(f.reads, 0);

    struct shared_info *s = calloc(1, sizeof(*s));
    uint64_t sec = 9;
    uint32_t nsec = 9;
    s->wc_version = 1;
    ck_assert(!pvclock_wallclock_base(s, &sec, &nsec));
    ck_assert_uint_eq(sec, 9);
    free(s);
}
END_TEST

START_TEST(pvg_pvclock_wallclock)
{
    struct shared_info *s = calloc(1, sizeof(*s));
    uint64_t sec;
    uint32_t nsec;

    s->wc_version = 4;
    s->wc_sec = 0x89abcdef;
    s->wc_sec_hi = 0x1;
    s->wc_nsec = 999999999;
    ck_assert(pvclock_wallclock_base(s, &sec, &nsec));
    ck_assert_uint_eq(sec, 0x189abcdefull);
    ck_assert_uint_eq(nsec, 999999999);

    pvclock_add_ns(sec, nsec, 1, &sec, &nsec);
    ck_assert_uint_eq(sec, 0x189abcdf0ull);
    ck_assert_uint_eq(nsec, 0);
    pvclock_add_ns(100, 500000000, 2700000000ull, &sec, &nsec);
    ck_assert_uint_eq(sec, 103);
    ck_assert_uint_eq(nsec, 200000000);
    /* A hostile nsec >= 1e9 is folded, not carried as an invalid value. */
    pvclock_add_ns(100, 3500000000u, 0, &sec, &nsec);
    ck_assert_uint_eq(sec, 103);
    ck_assert_uint_eq(nsec, 500000000);
    free(s);
}
END_TEST

Suite *pvg_pvclock_suite(void);

Suite *pvg_pvclock_suite(void)
{
    Suite *s = suite_create("pvg_pvclock");
    TCase *tc = tcase_create("pvclock");
    tcase_add_test(tc, pvg_pvclock_scale_matches_formula);
    tcase_add_test(tc, pvg_pvclock_system_time_and_retries);
    tcase_add_test(tc, pvg_pvclock_never_settles_fails);
    tcase_add_test(tc, pvg_pvclock_wallclock);
    suite_add_tcase(s, tc);
    return s;
}
