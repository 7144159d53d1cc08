/* printf to the hypervisor console (console_io) and small string helpers. */
#include "pvtest.h"
#include "core/fmt.h"

unsigned pvtest_failures;

size_t str_len(const char *s)
{
    size_t n = 0;
    while (s[n])
        n++;
    return n;
}

int str_starts(const char *s, const char *prefix)
{
    while (*prefix)
        if (*s++ != *prefix++)
            return 0;
    return 1;
}

int printf(const char *fmt, ...)
{
    char buf[512];
    va_list ap;
    va_start(ap, fmt);
    int n = fmt_vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    size_t len = n < (int)sizeof(buf) ? (size_t)n : sizeof(buf) - 1;
    HYPERCALL3(__HYPERVISOR_console_io, CONSOLEIO_write, len, buf);
    return n;
}

/* The formatter and the compiler want these (no libc here). */
void *memcpy(void *d, const void *s, size_t n)
{
    uint8_t *dd = d;
    const uint8_t *ss = s;
    while (n--)
        *dd++ = *ss++;
    return d;
}

void *memset(void *d, int c, size_t n)
{
    uint8_t *dd = d;
    while (n--)
        *dd++ = (uint8_t)c;
    return d;
}

size_t strlen(const char *s)
{
    return str_len(s);
}

size_t strnlen(const char *s, size_t max)
{
    size_t n = 0;
    while (n < max && s[n])
        n++;
    return n;
}

int memcmp(const void *a, const void *b, size_t n)
{
    const uint8_t *x = a, *y = b;
    for (size_t i = 0; i < n; i++)
        if (x[i] != y[i])
            return x[i] - y[i];
    return 0;
}

__attribute__((noreturn)) void core_bug(const char *file, int line, const char *cond);
void core_bug(const char *file, int line, const char *cond)
{
    printf("BUG at %s:%d: %s\n", file, line, cond);
    pvtest_finish(RESULT_ERROR);
}
