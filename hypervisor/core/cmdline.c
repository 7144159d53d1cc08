/*
 * Table-driven hypervisor command-line parser and the custom value parsers
 * the hypervisor needs (dom0_mem, com1/com2, loglvl, console). The syntax
 * is described in include/core/cmdline.h.
 *
 * Invariants:
 *  - The command line is read-only: each option token is copied (bounded by
 *    CMDLINE_TOKEN_MAX) into a stack buffer, split there at the first '=',
 *    and handlers see NUL-terminated name and value strings.
 *  - A variable is written only after its whole value has been validated
 *    (custom parsers keep the same rule), so a bad value leaves the old
 *    setting in force. The one exception is an over-long STRING, which
 *    receives its cut prefix and is reported.
 *  - Every problem is reported once and counted once; nothing here calls
 *    BUG_ON on command-line content. BUG_ON only fires for a malformed
 *    parameter table (our own bug): a BOOL/UINT/SIZE var_size other than
 *    1, 2, 4, 8, a STRING of size 0, a CUSTOM without a function.
 *  - Report formats use only %s and %u, so any printk can render them.
 *  - Integer parsing is overflow-checked; sizes are checked before scaling.
 */
#include "core/env.h"
#include "core/cmdline.h"

#define CL_REPORT_NAME_MAX 40 /* bytes of an over-long token echoed back */

static bool cl_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static char cl_lower(char c)
{
    return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

/* Value of c as a digit of base, or -1. */
static int cl_digit(char c, unsigned base)
{
    int d;

    if (c >= '0' && c <= '9')
        d = c - '0';
    else if (cl_lower(c) >= 'a' && cl_lower(c) <= 'f')
        d = cl_lower(c) - 'a' + 10;
    else
        return -1;
    return (unsigned)d < base ? d : -1;
}

/* Decimal/hex/octal digits from s in a fixed base. */
static int cl_parse_base(const char *s, unsigned base, uint64_t *out, const char **end)
{
    uint64_t v = 0;
    int d;

    if (cl_digit(*s, base) < 0)
        return -1;
    for (; (d = cl_digit(*s, base)) >= 0; s++) {
        if (v > (UINT64_MAX - (uint64_t)d) / base)
            return -1;
        v = v * base + (uint64_t)d;
    }
    *out = v;
    if (end)
        *end = s;
    return 0;
}

int cmdline_parse_uint(const char *s, uint64_t *out, const char **end)
{
    if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X') && cl_digit(s[2], 16) >= 0)
        return cl_parse_base(s + 2, 16, out, end);
    if (s[0] == '0')
        return cl_parse_base(s, 8, out, end);
    return cl_parse_base(s, 10, out, end);
}

int cmdline_parse_size(const char *s, uint64_t *out, const char **end)
{
    const char *p;
    uint64_t v;
    unsigned shift;

    if (cmdline_parse_uint(s, &v, &p) < 0)
        return -1;
    switch (cl_lower(*p)) {
    case 't': shift = 40; p++; break;
    case 'g': shift = 30; p++; break;
    case 'm': shift = 20; p++; break;
    case 'k': shift = 10; p++; break;
    case 'b': shift = 0; p++; break;
    default: shift = 10; break; /* Xen: no suffix means KiB */
    }
    if (v > (UINT64_MAX >> shift))
        return -1;
    if (end)
        *end = p;
    else if (*p != '\0')
        return -1;
    *out = v << shift;
    return 0;
}

/* Xen's boolean spellings; -1 for anything else. */
static int cl_parse_bool(const char *s)
{
    static const char *const yes[] = { "1", "yes", "true", "on", "enable" };
    static const char *const no[] = { "0", "no", "false", "off", "disable" };

    for (size_t i = 0; i < ARRAY_SIZE(yes); i++) {
        if (strcmp(s, yes[i]) == 0)
            return 1;
        if (strcmp(s, no[i]) == 0)
            return 0;
    }
    return -1;
}

/* Name equality with '-' and '_' treated as the same character. */
static bool cl_name_eq(const char *a, const char *b)
{
    for (;; a++, b++) {
        char ca = *a == '_' ? '-' : *a, cb = *b == '_' ? '-' : *b;
        if (ca != cb)
            return false;
        if (ca == '\0')
            return true;
    }
}

static const struct cmdline_param *cl_find(const struct cmdline_param *params, size_t nr,
                                           const char *name)
{
    for (size_t i = 0; i < nr; i++)
        if (cl_name_eq(params[i].name, name))
            return &params[i];
    return NULL;
}

/* Store v in an unsigned variable of p->var_size bytes; -1 if it does not fit. */
static int cl_store(const struct cmdline_param *p, uint64_t v)
{
    switch (p->var_size) {
    case 1: {
        uint8_t x = (uint8_t)v;
        if (v > UINT8_MAX)
            return -1;
        memcpy(p->var, &x, sizeof(x));
        return 0;
    }
    case 2: {
        uint16_t x = (uint16_t)v;
        if (v > UINT16_MAX)
            return -1;
        memcpy(p->var, &x, sizeof(x));
        return 0;
    }
    case 4: {
        uint32_t x = (uint32_t)v;
        if (v > UINT32_MAX)
            return -1;
        memcpy(p->var, &x, sizeof(x));
        return 0;
    }
    case 8:
        memcpy(p->var, &v, sizeof(v));
        return 0;
    default:
        BUG_ON(1); /* malformed parameter table */
        return -1;
    }
}

#define CL_REPORT(...)                  \
    do {                                \
        if (report)                     \
            report(ctx, __VA_ARGS__);   \
    } while (0)

/*
 * Apply one token "name" or "name=value" held in the writable buffer tok.
 * Returns the number of problems (0 or 1).
 */
static int cl_apply(char *tok, const struct cmdline_param *params, size_t nr,
                    cmdline_report_fn report, void *ctx)
{
    char *val = NULL;
    bool negate = false;
    uint64_t v;

    for (char *c = tok; *c; c++) {
        if (*c == '=') {
            *c = '\0';
            val = c + 1;
            break;
        }
    }
    const struct cmdline_param *p = cl_find(params, nr, tok);
    if (!p && (strncmp(tok, "no-", 3) == 0 || strncmp(tok, "no_", 3) == 0)) {
        p = cl_find(params, nr, tok + 3);
        if (p && p->kind != CMDLINE_BOOL)
            p = NULL;
        negate = p != NULL;
    }
    if (!p) {
        CL_REPORT("unknown option '%s'", tok);
        return 1;
    }
    if (!val && p->kind != CMDLINE_BOOL && p->kind != CMDLINE_CUSTOM) {
        CL_REPORT("option '%s' needs a value", tok);
        return 1;
    }

    switch (p->kind) {
    case CMDLINE_BOOL: {
        int b = negate ? 0 : 1;
        if (val) /* "no-name=value" is undefined in Xen: refused */
            b = negate ? -1 : cl_parse_bool(val);
        if (b < 0) {
            CL_REPORT("bad value '%s' for option '%s'", val, tok);
            return 1;
        }
        cl_store(p, (uint64_t)b);
        return 0;
    }
    case CMDLINE_UINT:
    case CMDLINE_SIZE: {
        const char *end;
        int rc = p->kind == CMDLINE_UINT ? cmdline_parse_uint(val, &v, &end)
                                         : cmdline_parse_size(val, &v, &end);
        if (rc < 0 || *end != '\0' || cl_store(p, v) < 0) {
            CL_REPORT("bad value '%s' for option '%s'", val, tok);
            return 1;
        }
        return 0;
    }
    case CMDLINE_STRING: {
        BUG_ON(p->var_size == 0);
        size_t len = strlen(val);
        size_t n = MIN(len, p->var_size - 1);
        memcpy(p->var, val, n);
        ((char *)p->var)[n] = '\0';
        if (len > n) {
            CL_REPORT("value of option '%s' is longer than %u characters, cut", tok,
                      (unsigned)(p->var_size - 1));
            return 1;
        }
        return 0;
    }
    case CMDLINE_CUSTOM:
        BUG_ON(!p->custom);
        if (p->custom(val, p->var) < 0) {
            if (val)
                CL_REPORT("bad value '%s' for option '%s'", val, tok);
            else
                CL_REPORT("option '%s' needs a value", tok);
            return 1;
        }
        return 0;
    }
    BUG_ON(1); /* malformed parameter table: unknown kind */
    return 1;
}

int cmdline_parse(const char *cmdline, const struct cmdline_param *params, size_t nr,
                  cmdline_report_fn report, void *ctx)
{
    char buf[CMDLINE_TOKEN_MAX];
    const char *s = cmdline ? cmdline : "";
    int problems = 0;

    for (;;) {
        while (cl_blank(*s))
            s++;
        if (*s == '\0')
            break;
        const char *tok = s;
        while (*s && !cl_blank(*s))
            s++;
        size_t len = (size_t)(s - tok);
        if (len == 2 && tok[0] == '-' && tok[1] == '-')
            break; /* the rest belongs to dom0 */
        if (len >= sizeof(buf)) {
            memcpy(buf, tok, CL_REPORT_NAME_MAX);
            buf[CL_REPORT_NAME_MAX] = '\0';
            CL_REPORT("option '%s...' is longer than %u characters, ignored", buf,
                      (unsigned)(sizeof(buf) - 1));
            problems++;
            continue;
        }
        memcpy(buf, tok, len);
        buf[len] = '\0';
        problems += cl_apply(buf, params, nr, report, ctx);
    }
    return problems;
}

const char *cmdline_dom0_args(const char *cmdline)
{
    const char *s = cmdline;

    if (!s)
        return NULL;
    for (;;) {
        while (cl_blank(*s))
            s++;
        if (*s == '\0')
            return NULL;
        const char *tok = s;
        while (*s && !cl_blank(*s))
            s++;
        if (s - tok == 2 && tok[0] == '-' && tok[1] == '-') {
            while (cl_blank(*s))
                s++;
            return s;
        }
    }
}

/* ---------------------------------------------------------------- dom0_mem */

int cmdline_parse_dom0_mem(const char *val, void *var)
{
    struct cmdline_dom0_mem r = { 0 };
    const char *s = val;

    if (!s)
        return -1;
    for (;;) {
        uint64_t *amount = &r.amount;
        bool *has = &r.has_amount, *neg = &r.amount_negative;
        const char *end;
        uint64_t v;

        if (strncmp(s, "min:", 4) == 0) {
            amount = &r.min, has = &r.has_min, neg = &r.min_negative;
            s += 4;
        } else if (strncmp(s, "max:", 4) == 0) {
            amount = &r.max, has = &r.has_max, neg = &r.max_negative;
            s += 4;
        }
        bool negative = *s == '-';
        if (negative)
            s++;
        if (cmdline_parse_size(s, &v, &end) < 0 || (*end != ',' && *end != '\0'))
            return -1;
        *amount = v, *has = true, *neg = negative;
        if (*end == '\0')
            break;
        s = end + 1; /* an empty item after ',' fails in the next round */
    }
    *(struct cmdline_dom0_mem *)var = r;
    return 0;
}

/* ---------------------------------------------------------------- com1/com2 */

#define CL_COM_DEFAULT_BASE_BAUD 115200u

void cmdline_com_defaults(struct cmdline_com *com, unsigned index)
{
    *com = (struct cmdline_com){
        .baud = 115200,
        .data_bits = 8,
        .parity = 'n',
        .stop_bits = 1,
        .io_base = index == 2 ? 0x2f8 : 0x3f8,
        .irq = index == 2 ? 3 : 4,
    };
}

/* True if s is at the end of a com field (',' or end of value). */
static bool cl_field_end(const char *s)
{
    return *s == ',' || *s == '\0';
}

/* Parse an optional numeric field in [lo, hi]; empty keeps *out. */
static int cl_com_number(const char **sp, uint64_t lo, uint64_t hi, uint64_t *out)
{
    const char *end;
    uint64_t v;

    if (cl_field_end(*sp))
        return 0;
    if (cmdline_parse_uint(*sp, &v, &end) < 0 || !cl_field_end(end) || v < lo || v > hi)
        return -1;
    *out = v;
    *sp = end;
    return 0;
}

/* Step over the ',' ending a field; false when the value is finished. */
static bool cl_com_next(const char **sp)
{
    if (**sp == '\0')
        return false;
    (*sp)++;
    return true;
}

static int cl_parse_com(const char *val, void *var, unsigned index)
{
    struct cmdline_com c;
    const char *s = val, *end;
    uint64_t v;

    if (!s || *s == '\0')
        return -1;
    cmdline_com_defaults(&c, index);

    /* <baud>[/<base-baud>] */
    if (strncmp(s, "auto", 4) == 0) {
        c.baud = CMDLINE_COM_BAUD_AUTO;
        s += 4;
    } else if (*s != '/' && !cl_field_end(s)) {
        if (cl_parse_base(s, 10, &v, &end) < 0 || v == 0 || v > UINT32_MAX)
            return -1;
        c.baud = (uint32_t)v;
        s = end;
    }
    if (*s == '/') {
        if (cl_parse_base(s + 1, 10, &v, &end) < 0 || v == 0 || v > UINT32_MAX)
            return -1;
        c.base_baud = (uint32_t)v;
        s = end;
    }
    if (!cl_field_end(s))
        return -1;
    if (c.baud != CMDLINE_COM_BAUD_AUTO) {
        uint32_t base = c.base_baud ? c.base_baud : CL_COM_DEFAULT_BASE_BAUD;
        if (c.baud > base || base / c.baud > 0xffff)
            return -1;
    }

    /* <data bits><parity><stop bits> */
    if (cl_com_next(&s) && !cl_field_end(s)) {
        char parity = cl_lower(s[1]);
        bool parity_ok = parity == 'n' || parity == 'o' || parity == 'e' || parity == 'm' ||
                         parity == 's';
        /* Each test fails on a NUL, so s[1] and s[2] are only read in bounds. */
        if (s[0] < '5' || s[0] > '8' || !parity_ok || (s[2] != '1' && s[2] != '2') ||
            !cl_field_end(s + 3))
            return -1;
        c.data_bits = (uint8_t)(s[0] - '0');
        c.parity = parity;
        c.stop_bits = (uint8_t)(s[2] - '0');
        s += 3;
    }

    /* <io-base>, then <irq>, then nothing more */
    if (cl_com_next(&s)) {
        v = c.io_base;
        if (cl_com_number(&s, 1, 0xffff, &v) < 0)
            return -1;
        c.io_base = (uint16_t)v;
        if (cl_com_next(&s)) {
            v = c.irq;
            if (cl_com_number(&s, 0, 15, &v) < 0 || *s != '\0')
                return -1;
            c.irq = (uint8_t)v;
        }
    }
    c.present = true;
    *(struct cmdline_com *)var = c;
    return 0;
}

int cmdline_parse_com1(const char *val, void *var)
{
    return cl_parse_com(val, var, 1);
}

int cmdline_parse_com2(const char *val, void *var)
{
    return cl_parse_com(val, var, 2);
}

/* ---------------------------------------------------------------- loglvl */

/* A level name followed by '/' or the end of the value; -1 otherwise. */
static int cl_log_level(const char *s, const char **end)
{
    static const char *const names[] = {
        [CMDLINE_LOG_NONE] = "none",   [CMDLINE_LOG_ERROR] = "error",
        [CMDLINE_LOG_WARNING] = "warning", [CMDLINE_LOG_INFO] = "info",
        [CMDLINE_LOG_DEBUG] = "debug", [CMDLINE_LOG_ALL] = "all",
    };

    for (size_t i = 0; i < ARRAY_SIZE(names); i++) {
        size_t n = strlen(names[i]);
        if (strncmp(s, names[i], n) == 0 && (s[n] == '/' || s[n] == '\0')) {
            *end = s + n;
            return (int)i;
        }
    }
    return -1;
}

int cmdline_parse_loglvl(const char *val, void *var)
{
    struct cmdline_loglvl r;
    const char *s;

    if (!val || (r.level = cl_log_level(val, &s)) < 0)
        return -1;
    r.rate_limited = r.level;
    if (*s == '/' && (r.rate_limited = cl_log_level(s + 1, &s)) < 0)
        return -1;
    if (*s != '\0')
        return -1;
    r.rate_limited = MAX(r.rate_limited, r.level);
    *(struct cmdline_loglvl *)var = r;
    return 0;
}

/* ---------------------------------------------------------------- console */

int cmdline_parse_console(const char *val, void *var)
{
    unsigned mask = 0, items = 0;
    bool none = false;
    const char *s = val;

    if (!s)
        return -1;
    for (;;) {
        const char *item = s;
        while (!cl_field_end(s))
            s++;
        size_t len = (size_t)(s - item);
        if (len == 4 && strncmp(item, "com1", 4) == 0)
            mask |= CMDLINE_CONSOLE_COM1;
        else if (len == 3 && strncmp(item, "vga", 3) == 0)
            mask |= CMDLINE_CONSOLE_VGA;
        else if (len == 4 && strncmp(item, "none", 4) == 0)
            none = true;
        else
            return -1; /* unknown or empty item */
        items++;
        if (*s == '\0')
            break;
        s++;
    }
    if (none && items != 1)
        return -1;
    *(unsigned *)var = mask;
    return 0;
}
