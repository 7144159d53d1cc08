/*
 * Console output: console_io(CONSOLEIO_write, len, buf).
 *
 * The hypervisor may write fewer bytes than asked (it returns the count it
 * took) or fail; the loop keeps going while it makes progress and gives up
 * on an error or a zero-byte write, since there is nowhere else to report
 * it. printk() formats into a stack buffer (PRINTK_MAX bytes, longer
 * messages are cut and end in "...\n") and writes it with one call.
 */
#include "guest/console.h"
#include "arch/hypercall.h"
#include "core/fmt.h"

void console_write(const char *s, size_t len)
{
    while (len > 0) {
        unsigned chunk = len > 4096 ? 4096 : (unsigned)len;
        long rc = HYPERVISOR_console_io(CONSOLEIO_write, chunk, s);
        if (rc < 0)
            return;
        /* Xen returns 0 for a complete write; a positive count is partial. */
        size_t done = (rc == 0 || (unsigned long)rc > chunk) ? chunk : (size_t)rc;
        s += done;
        len -= done;
    }
}

int vprintk(const char *fmt, va_list ap)
{
    char buf[PRINTK_MAX];
    int n = fmt_vsnprintf(buf, sizeof(buf), fmt, ap);
    size_t len;

    if (n < 0)
        return n;
    len = (size_t)n;
    if (len >= sizeof(buf)) {
        memcpy(buf + sizeof(buf) - 5, "...\n", 5);
        len = sizeof(buf) - 1;
    }
    console_write(buf, len);
    return n;
}

int printk(const char *fmt, ...)
{
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = vprintk(fmt, ap);
    va_end(ap);
    return n;
}
