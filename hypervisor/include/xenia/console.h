/*
 * Hypervisor console: every line goes to the serial port (when its level is
 * within loglvl) and into the console ring, which keeps the last
 * CONSOLE_RING_SIZE bytes for `xl dmesg`. Hypervisor lines are prefixed
 * "(XEN) "; guest lines (console_io) get "(d<N>) ".
 */
#ifndef XENIA_CONSOLE_H
#define XENIA_CONSOLE_H

#include "core/env.h"

#define CONSOLE_RING_SIZE 16384

enum log_level {
    LOG_NONE = 0,
    LOG_ERR = 1,
    LOG_WARN = 2,
    LOG_INFO = 3,
    LOG_DEBUG = 4,
    LOG_ALL = 5,
};

void console_init(void);
void console_set_loglvl(int lvl);
void printk(const char *fmt, ...) __printf(1, 2);
void printk_lvl(int lvl, const char *fmt, ...) __printf(2, 3);
#define pr_err(...) printk_lvl(LOG_ERR, __VA_ARGS__)
#define pr_warn(...) printk_lvl(LOG_WARN, __VA_ARGS__)
#define pr_info(...) printk_lvl(LOG_INFO, __VA_ARGS__)
#define pr_debug(...) printk_lvl(LOG_DEBUG, __VA_ARGS__)

/* Raw bytes from a source whose lines begin with `prefix` (e.g. "(d1) "). */
void console_write_prefixed(const char *prefix, bool *at_line_start, const char *s, size_t n,
                            int lvl);

/* Copy out up to `size` bytes of the ring starting at byte index `*pos`
   (monotonic; 0 = oldest kept). Returns bytes copied; *pos advances. */
size_t console_ring_read(char *buf, size_t size, uint64_t *pos);

#endif
