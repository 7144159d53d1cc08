/*
 * Hypervisor command-line parsing with Xen's option names and syntax.
 *
 * Syntax: options separated by blanks (space, tab, CR, LF; runs of blanks
 * are one separator); each is `name` or `name=value`. Parsing stops at a
 * standalone `--`: what follows belongs to dom0 (Xen's convention; see
 * cmdline_dom0_args()). There is no quoting. Names are case-sensitive and
 * '-' and '_' are the same character in names ("sync_console" matches
 * "sync-console"). A later occurrence of an option overrides an earlier one.
 *
 * Kinds of option:
 *  BOOL    `name` sets, `no-name` (or `no_name`) clears, `name=<b>` with <b>
 *          one of 1 yes true on enable / 0 no false off disable. `no-name=x`
 *          is reported as a bad value. var is an unsigned integer of
 *          var_size 1, 2, 4 or 8 bytes (a C bool is size 1) receiving 0 or 1.
 *  UINT    `name=<integer>`: decimal, 0x-prefixed hex, or octal with a
 *          leading 0 (Xen's integer syntax), no sign; it must fit var_size
 *          (1, 2, 4 or 8) bytes.
 *  SIZE    `name=<size>` (see cmdline_parse_size) into a uint64_t.
 *  STRING  `name=<text>` copied NUL-terminated into var[var_size]; a longer
 *          value is cut and reported. `name=` gives the empty string.
 *  CUSTOM  custom(value, var): value is NULL for a bare `name`; it returns 0,
 *          or < 0 for a bad value, which is reported.
 * A `no-` prefix on a non-boolean option (that has no exact match) is
 * reported as an unknown option.
 *
 * Nothing here fails hard: unknown options, bad values, values on options
 * that take none and over-long tokens are reported through the callback and
 * counted; the variable of a bad option is left untouched (except a cut
 * STRING, which receives its prefix).
 */
#ifndef XENIA_CORE_CMDLINE_H
#define XENIA_CORE_CMDLINE_H

#include "core/env.h"

/* Longest single option token (name=value) accepted; the whole hypervisor
   command line is at most 1023 characters (MB_CMDLINE_MAX). */
#define CMDLINE_TOKEN_MAX 1024

enum cmdline_kind { CMDLINE_BOOL, CMDLINE_UINT, CMDLINE_SIZE, CMDLINE_STRING, CMDLINE_CUSTOM };

struct cmdline_param {
    const char *name;
    enum cmdline_kind kind;
    void *var;
    size_t var_size; /* BOOL/UINT: 1, 2, 4, 8; STRING: buffer size */
    int (*custom)(const char *val, void *var); /* CUSTOM: val NULL when no '=' given; 0 ok, <0 bad value */
};

typedef void (*cmdline_report_fn)(void *ctx, const char *fmt, ...) __printf(2, 3);

/*
 * Apply every option of cmdline to the matching entry of params[0, nr).
 * report may be NULL. Returns the number of problems reported (unknown
 * options, bad values); never fails hard.
 */
int cmdline_parse(const char *cmdline, const struct cmdline_param *params, size_t nr,
                  cmdline_report_fn report, void *ctx);

/* The text after the first standalone `--` (blanks skipped), or NULL. */
const char *cmdline_dom0_args(const char *cmdline);

/*
 * Unsigned integer in Xen's syntax: decimal, 0x/0X hex, leading-0 octal.
 * Stops at the first character that is not a digit of the base; *end (if
 * not NULL) points there. Returns 0, or -1 with no digit or on overflow.
 */
int cmdline_parse_uint(const char *s, uint64_t *out, const char **end);

/*
 * Size in Xen's syntax: an integer as cmdline_parse_uint, then at most one
 * suffix, case-insensitive: T (2^40), G (2^30), M (2^20), K (2^10) or B
 * (bytes). As in Xen's parse_size_and_unit, a number WITHOUT suffix counts
 * KiB: "123" is 123 * 1024 bytes. With end == NULL the whole string must
 * be consumed; otherwise *end points past the suffix. Returns 0, or -1
 * (no digits, overflow of the number or of the scaled result, or trailing
 * garbage when end is NULL).
 */
int cmdline_parse_size(const char *s, uint64_t *out, const char **end);

/* ---- ready custom parsers (for struct cmdline_param.custom) ---- */

/*
 * dom0_mem=<item>[,<item>...] with items `min:<sz>`, `max:<sz>` or `<sz>`,
 * in any order (a later item of the same kind wins). <sz> is a size, or
 * `-<size>`, meaning all available memory but that much: the *_negative
 * flag is set and the value holds the size to leave out. Xen's percentage
 * form (`[<size>+]<frac>%`) is not supported and is a bad value, as are
 * empty items. var: struct cmdline_dom0_mem (reset by each dom0_mem=).
 */
struct cmdline_dom0_mem {
    uint64_t amount, min, max;
    bool has_amount, has_min, has_max;
    bool amount_negative, min_negative, max_negative;
};
int cmdline_parse_dom0_mem(const char *val, void *var);

/*
 * com1=<baud>[/<base-baud>][,[<DPS>][,[<io-base>][,[<irq>]]]]  (com2 alike)
 *  <baud>       decimal rate, or `auto` (baud = 0: keep what firmware set)
 *  <base-baud>  the UART clock divided by 16 (Xen's name for the value after
 *               '/'), 0 if not given (meaning the PC default 115200); a baud
 *               above it, or one giving a divisor above 0xffff, is bad
 *  <DPS>        data bits 5-8, parity n/o/e/m/s (either case, stored
 *               lower-case), stop bits 1 or 2: e.g. `8n1`
 *  <io-base>    port in 1..0xffff (Xen's `pci`/`amt` are not supported)
 *  <irq>        0..15, 0 meaning polled mode (Xen's `msi` not supported)
 * An empty field keeps its default: com1 115200,8n1,0x3f8,4 and
 * com2 115200,8n1,0x2f8,3. A bare `com1` or an empty value is a bad value.
 * var: struct cmdline_com, fully rewritten on success, untouched on error.
 */
#define CMDLINE_COM_BAUD_AUTO 0u
struct cmdline_com {
    uint32_t baud;
    uint8_t data_bits;
    char parity;
    uint8_t stop_bits;
    uint16_t io_base;
    uint8_t irq;
    uint32_t base_baud; /* 0: not given */
    bool present;       /* set by a successful parse */
};
void cmdline_com_defaults(struct cmdline_com *com, unsigned index); /* index 1 or 2 */
int cmdline_parse_com1(const char *val, void *var);
int cmdline_parse_com2(const char *val, void *var);

/*
 * loglvl=<level>[/<rate-limited level>] (also guest_loglvl), level one of
 * none 0, error 1, warning 2, info 3, debug 4, all 5 (CMDLINE_LOG_*).
 * A message of severity s (error 1 ... debug 4) is always printed when
 * s <= level, printed subject to rate limiting when level < s <=
 * rate_limited, and dropped otherwise (Xen's lower/upper thresholds).
 * Without '/', rate_limited equals level; a rate-limited level below
 * `level` is raised to it (as Xen does). var: struct cmdline_loglvl.
 */
enum {
    CMDLINE_LOG_NONE = 0,
    CMDLINE_LOG_ERROR = 1,
    CMDLINE_LOG_WARNING = 2,
    CMDLINE_LOG_INFO = 3,
    CMDLINE_LOG_DEBUG = 4,
    CMDLINE_LOG_ALL = 5,
};
struct cmdline_loglvl {
    int level;
    int rate_limited;
};
int cmdline_parse_loglvl(const char *val, void *var);

/*
 * console=<item>[,<item>...] with items com1, vga, none: an unsigned int
 * bitmask of CMDLINE_CONSOLE_*. `none` must stand alone (mask 0). Xen's
 * other items (com2, com1H/L, dbgp, ...) are bad values.
 */
#define CMDLINE_CONSOLE_COM1 (1u << 0)
#define CMDLINE_CONSOLE_VGA (1u << 1)
int cmdline_parse_console(const char *val, void *var);

#endif /* XENIA_CORE_CMDLINE_H */
