#ifndef PVTEST_H
#define PVTEST_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <public/xen.h>
#include <public/sched.h>
#include <public/version.h>
#include <public/callback.h>
#include "hypercall.h"

enum result { RESULT_SUCCESS, RESULT_FAILURE, RESULT_ERROR, RESULT_SKIP };

struct pvtest_case {
    const char *name;
    enum result (*run)(void);
};
extern const struct pvtest_case pvtest_cases[];     /* ends with { NULL } */
extern const struct start_info *pvtest_si;

__attribute__((noreturn)) void pvtest_finish(enum result r);
int printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
size_t str_len(const char *s);
int str_starts(const char *s, const char *prefix);

/* Expect an exact value; on mismatch print and count a failure. */
extern unsigned pvtest_failures;
#define EXPECT_EQ(what, got, want)                                                  \
    do {                                                                            \
        long __g = (long)(got), __w = (long)(want);                                 \
        if (__g != __w) {                                                           \
            printf("FAIL %s: got %ld, expected %ld\n", what, __g, __w);             \
            pvtest_failures++;                                                      \
        } else {                                                                    \
            printf("ok   %s = %ld\n", what, __g);                                   \
        }                                                                           \
    } while (0)
#define VERDICT() (pvtest_failures ? RESULT_FAILURE : RESULT_SUCCESS)

#endif
