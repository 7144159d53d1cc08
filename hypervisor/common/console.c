/*
 * printk, the console ring and line prefixes.
 *
 * Invariants: the ring holds exactly the bytes that were emitted (prefixes
 * included, whether or not loglvl let them reach the serial line), the last
 * CONSOLE_RING_SIZE of them; ring_head counts every byte ever written so that
 * readers can resume. One CPU for now: the lock is an interrupt-disable.
 */
#include <asm/x86.h>
#include <xenia/console.h>
#include <xenia/serial.h>
#include "core/fmt.h"

static char ring[CONSOLE_RING_SIZE];
static uint64_t ring_head;          /* total bytes ever written */
static int loglvl = LOG_INFO;
static bool xen_at_line_start = true;

static uint64_t console_lock(void)
{
    uint64_t flags = read_rflags();
    local_irq_disable();
    return flags;
}

static void console_unlock(uint64_t flags)
{
    if (flags & (1u << 9))
        local_irq_enable();
}

void console_init(void)
{
    ring_head = 0;
}

void console_set_loglvl(int lvl)
{
    loglvl = lvl;
}

static void emit(char c, bool to_serial)
{
    ring[ring_head % CONSOLE_RING_SIZE] = c;
    ring_head++;
    if (to_serial)
        serial_putc(c);
}

void console_write_prefixed(const char *prefix, bool *at_line_start, const char *s, size_t n,
                            int lvl)
{
    bool to_serial = lvl <= loglvl;
    uint64_t flags = console_lock();

    for (size_t i = 0; i < n; i++) {
        if (*at_line_start) {
            for (const char *p = prefix; *p; p++)
                emit(*p, to_serial);
            *at_line_start = false;
        }
        emit(s[i], to_serial);
        if (s[i] == '\n')
            *at_line_start = true;
    }
    console_unlock(flags);
}

static void vprintk_lvl(int lvl, const char *fmt, va_list ap)
{
    char buf[512];
    int n = fmt_vsnprintf(buf, sizeof(buf), fmt, ap);
    size_t len = n < (int)sizeof(buf) ? (size_t)n : sizeof(buf) - 1;
    console_write_prefixed("(XEN) ", &xen_at_line_start, buf, len, lvl);
}

void printk_lvl(int lvl, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vprintk_lvl(lvl, fmt, ap);
    va_end(ap);
}

void printk(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vprintk_lvl(LOG_INFO, fmt, ap);
    va_end(ap);
}

size_t console_ring_read(char *buf, size_t size, uint64_t *pos)
{
    uint64_t flags = console_lock();
    uint64_t oldest = ring_head > CONSOLE_RING_SIZE ? ring_head - CONSOLE_RING_SIZE : 0;
    uint64_t p = *pos < oldest ? oldest : *pos;
    size_t n = 0;

    while (p < ring_head && n < size)
        buf[n++] = ring[p++ % CONSOLE_RING_SIZE];
    *pos = p;
    console_unlock(flags);
    return n;
}
