/*
 * Console output through console_io(CONSOLEIO_write). The hypervisor
 * prefixes each line with the domain's tag, "(d0) ". printk() formats the
 * whole message first and writes it with one hypercall, so messages from
 * different threads never interleave within a call.
 */
#ifndef PVG_GUEST_CONSOLE_H
#define PVG_GUEST_CONSOLE_H

#include <stdarg.h>
#include <stddef.h>

#include "core/env.h"

#define PRINTK_MAX 512

void console_write(const char *s, size_t len);
int printk(const char *fmt, ...) __printf(1, 2);
int vprintk(const char *fmt, va_list ap) __printf(1, 0);

#endif /* PVG_GUEST_CONSOLE_H */
