/*
 * fmt_vsnprintf against the host C library's snprintf as the oracle, plus
 * the truncation rules printk relies on.
 */
#include <check.h>
#include <stdio.h>
#include <string.h>
#include "core/fmt.h"

#define SAME(...)                                                           \
    do {                                                                    \
        char want[256], got[256];                                           \
        int nw = snprintf(want, sizeof(want), __VA_ARGS__);                 \
        int ng = fmt_snprintf(got, sizeof(got), __VA_ARGS__);               \
        ck_assert_str_eq(got, want);                                        \
        ck_assert_int_eq(ng, nw);                                           \
    } while (0)

START_TEST(fmt_integers_match_libc)
{
    SAME("%d %i %u", 0, -1, 4000000000u);
    SAME("%d", -2147483647 - 1);
    SAME("%ld %lu %lld %llu", -9223372036854775807L - 1, 18446744073709551615UL, -5LL, 5ULL);
    SAME("%x %X %#x %#X %o %#o", 0xbeefu, 0xbeefu, 0xbeefu, 0u, 8u, 8u);
    SAME("%hhd %hhu %hd %hu", 300, 300, 70000, 70000);
    SAME("%zu %zx %td %jd", (size_t)123, (size_t)0xabc, (ptrdiff_t)-7, (intmax_t)42);
    SAME("%016lx|%-8d|%8d|%08d|%+d|% d", 0x1234UL, 42, 42, -42, 5, 5);
    SAME("%.3d|%.0d|%5.3d|%-5.3d|%05d", 7, 0, 7, 7, -7);
    SAME("%*d|%-*d|%.*d", 6, 1, 6, 1, 4, 1);
    SAME("%*d", -6, 1);
}
END_TEST

START_TEST(fmt_strings_chars_pointers_match_libc)
{
    SAME("[%s] [%10s] [%-10s] [%.2s] [%c] [%5c] [%%]", "abc", "abc", "abc", "abc", 'x', 'y');
    SAME("%p", (void *)0xffff830000001000UL);
    SAME("%s%s", "", "tail");
}
END_TEST

START_TEST(fmt_truncation_keeps_nul_and_reports_full_length)
{
    char buf[8];
    memset(buf, 'Z', sizeof(buf));
    int n = fmt_snprintf(buf, 5, "%s", "abcdefgh");
    ck_assert_int_eq(n, 8);
    ck_assert_str_eq(buf, "abcd");
    ck_assert_int_eq(buf[5], 'Z');          /* nothing written past size */
    ck_assert_int_eq(fmt_snprintf(NULL, 0, "%d", 12345), 5);
    n = fmt_snprintf(buf, 1, "xyz");
    ck_assert_int_eq(n, 3);
    ck_assert_int_eq(buf[0], '\0');
}
END_TEST

/* The cases below are malformed on purpose. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat"
#pragma GCC diagnostic ignored "-Wformat-extra-args"
#pragma GCC diagnostic ignored "-Wformat-overflow"
START_TEST(fmt_odd_formats_do_not_overrun)
{
    char buf[32];
    ck_assert_int_eq(fmt_snprintf(buf, sizeof(buf), "100%"), 3);
    ck_assert_str_eq(buf, "100");
    fmt_snprintf(buf, sizeof(buf), "%q%d", 3);
    ck_assert_str_eq(buf, "%q3");
    fmt_snprintf(buf, sizeof(buf), "%s", (char *)NULL);
    ck_assert_str_eq(buf, "(null)");
}
END_TEST
#pragma GCC diagnostic pop

Suite *fmt_suite(void);

Suite *fmt_suite(void)
{
    Suite *s = suite_create("fmt");
    TCase *tc = tcase_create("format");
    tcase_add_test(tc, fmt_integers_match_libc);
    tcase_add_test(tc, fmt_strings_chars_pointers_match_libc);
    tcase_add_test(tc, fmt_truncation_keeps_nul_and_reports_full_length);
    tcase_add_test(tc, fmt_odd_formats_do_not_overrun);
    suite_add_tcase(s, tc);
    return s;
}
