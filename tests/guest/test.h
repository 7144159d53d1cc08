/*
 * In-guest test kernels: each test is one file defining test_title and
 * test_main(); harness.c boots it like dom0 (same kernel objects) and
 * prints exactly one result line:
 *     Test result: SUCCESS | FAILURE | ERROR | SKIP
 * then shuts the domain down: poweroff for SUCCESS and SKIP, crash for
 * FAILURE and ERROR. A trap nobody handles (or any guest_crash) before the
 * result is printed makes the result ERROR.
 *
 * test_check() records a failure and keeps going, so one run reports every
 * broken expectation; any recorded failure turns SUCCESS into FAILURE.
 */
#ifndef PVG_TESTS_GUEST_TEST_H
#define PVG_TESTS_GUEST_TEST_H

#include <stdbool.h>

#include "guest/console.h"

enum test_result { TEST_SUCCESS, TEST_FAILURE, TEST_ERROR, TEST_SKIP };

extern const char test_title[];
enum test_result test_main(void);

/* printk with a "test: " prefix. */
void test_note(const char *fmt, ...) __printf(1, 2);
/* Record a failure (printed with file and line) if !cond; returns cond. */
bool test_check_at(bool cond, const char *file, int line, const char *fmt, ...)
    __printf(4, 5);
#define test_check(cond, ...) test_check_at((cond), __FILE__, __LINE__, __VA_ARGS__)
unsigned test_failures(void);

#endif /* PVG_TESTS_GUEST_TEST_H */
