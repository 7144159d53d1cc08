/*
 * The whole environment that portable core code may see.
 *
 * Core files (hypervisor/core, rings, parsers) compile unchanged in two
 * worlds: freestanding inside the hypervisor or a guest kernel, and hosted
 * inside the check unit tests (XENIA_HOSTED defined). They include only this
 * header and the compiler's freestanding headers, take all state through
 * explicit pointers and allocate nothing.
 *
 * BUG_ON() is for broken invariants of our own code only: no value that a
 * guest, a boot loader or a peer controls may ever reach it.
 */
#ifndef XENIA_CORE_ENV_H
#define XENIA_CORE_ENV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define ALIGN_UP(x, a) (((x) + ((a) - 1)) & ~((__typeof__(x))(a) - 1))
#define ALIGN_DOWN(x, a) ((x) & ~((__typeof__(x))(a) - 1))
#define IS_ALIGNED(x, a) (((x) & ((__typeof__(x))(a) - 1)) == 0)
#define MIN(a, b) ((a) < (b) ? (a) : (b))
#define MAX(a, b) ((a) > (b) ? (a) : (b))
#define likely(x) __builtin_expect(!!(x), 1)
#define unlikely(x) __builtin_expect(!!(x), 0)
#define __unused __attribute__((unused))
#define __packed __attribute__((packed))
#define __noreturn __attribute__((noreturn))
#define __printf(a, b) __attribute__((format(printf, a, b)))

#ifdef XENIA_HOSTED
#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#define BUG_ON(c)                                                          \
    do {                                                                   \
        if (unlikely(c)) {                                                 \
            fprintf(stderr, "BUG at %s:%d: %s\n", __FILE__, __LINE__, #c); \
            abort();                                                       \
        }                                                                  \
    } while (0)
#else
/* Provided by the kernel that links the core file. */
__noreturn void core_bug(const char *file, int line, const char *cond);
#define BUG_ON(c)                                        \
    do {                                                 \
        if (unlikely(c))                                 \
            core_bug(__FILE__, __LINE__, #c);            \
    } while (0)
void *memcpy(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
void *memmove(void *dst, const void *src, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
size_t strnlen(const char *s, size_t max);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);
#endif

#define ASSERT(c) BUG_ON(!(c))

#endif /* XENIA_CORE_ENV_H */
