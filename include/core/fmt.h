/*
 * printf-style formatting for core code and the kernels (no libc there).
 * Supports %d %i %u %x %X %o %p %s %c %% with flags '-' '0' ' ' '+' '#',
 * width and precision (also '*'), and the length modifiers hh h l ll z t j.
 * Output is always NUL-terminated when size > 0; the return value is the
 * length the full output would have had (C99 semantics), so callers detect
 * truncation by comparing it with size.
 */
#ifndef CORE_FMT_H
#define CORE_FMT_H

#include <stdarg.h>
#include "core/env.h"

int fmt_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap) __printf(3, 0);
int fmt_snprintf(char *buf, size_t size, const char *fmt, ...) __printf(3, 4);

#endif
