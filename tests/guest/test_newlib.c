/*
 * newlib on the guest kernel: printf (integers, strings, floating point)
 * reaches the console through our write(); snprintf/strtod/qsort work;
 * malloc and free reuse memory through sbrk; time() and gettimeofday()
 * follow the wall clock; open() fails with ENOENT.
 */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>

#include "test.h"

const char test_title[] = "newlib: stdio, malloc, strings, math, time";

static int cmp_int(const void *a, const void *b)
{
    int x = *(const int *)a, y = *(const int *)b;
    return (x > y) - (x < y);
}

enum test_result test_main(void)
{
    char buf[128];
    int n = printf("test: newlib printf %d %s %.3f %llx\n", 42, "ok", 2.5,
                   (unsigned long long)0xfeedfaceULL);
    fflush(stdout);
    test_check(n == 41, "printf returned %d", n);

    snprintf(buf, sizeof(buf), "%08.3f|%-6s|%+d|%e", 3.14159, "ab", 5, 12345.678);
    test_check(strcmp(buf, "0003.142|ab    |+5|1.234568e+04") == 0, "snprintf gave \"%s\"", buf);
    test_check(fabs(strtod("2.75e2", NULL) - 275.0) < 1e-9, "strtod");
    test_check(fabs(sqrt(2.0) * sqrt(2.0) - 2.0) < 1e-12, "sqrt");

    int v[8] = { 5, -1, 9, 3, 3, 0, 7, -8 };
    qsort(v, 8, sizeof(int), cmp_int);
    test_check(v[0] == -8 && v[1] == -1 && v[7] == 9, "qsort");

    /* malloc: many blocks, written, freed, allocated again. */
    void *blocks[64];
    for (int round = 0; round < 4; round++) {
        for (int i = 0; i < 64; i++) {
            blocks[i] = malloc((size_t)(i + 1) * 100);
            if (!test_check(blocks[i] != NULL, "malloc round %d block %d", round, i))
                return TEST_FAILURE;
            memset(blocks[i], i, (size_t)(i + 1) * 100);
        }
        for (int i = 0; i < 64; i++) {
            const unsigned char *p = blocks[i];
            test_check(p[0] == i && p[(i + 1) * 100 - 1] == i, "block %d corrupted", i);
            free(blocks[i]);
        }
    }
    void *big = malloc(4 << 20);
    test_check(big != NULL, "a 4 MiB malloc failed");
    free(big);

    struct timeval tv;
    test_check(gettimeofday(&tv, NULL) == 0 && tv.tv_sec > 1577836800,
               "gettimeofday: %lld", (long long)tv.tv_sec);
    time_t now = time(NULL);
    test_check(now >= tv.tv_sec && now - tv.tv_sec < 5, "time() %lld vs %lld", (long long)now,
               (long long)tv.tv_sec);

    errno = 0;
    test_check(open("/nonexistent", O_RDONLY) == -1 && errno == ENOENT, "open: errno %d", errno);
    test_check(fputs("test: fputs to stderr\n", stderr) >= 0, "fputs to stderr");
    return TEST_SUCCESS;
}
