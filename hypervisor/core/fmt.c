/*
 * fmt_vsnprintf: the formatter behind printk and snprintf.
 *
 * Invariant: nothing is ever written at or past buf[size - 1] except the
 * terminating NUL at buf[min(len, size - 1)]; out() counts every character
 * so the return value is the untruncated length.
 */
#include "core/fmt.h"

struct fmt_out {
    char *buf;
    size_t size;
    size_t len;
};

static void out(struct fmt_out *o, char c)
{
    if (o->len + 1 < o->size)
        o->buf[o->len] = c;
    o->len++;
}

static void out_pad(struct fmt_out *o, char c, int n)
{
    while (n-- > 0)
        out(o, c);
}

enum {
    F_LEFT = 1, F_ZERO = 2, F_SPACE = 4, F_PLUS = 8, F_ALT = 16, F_UPPER = 32,
};

static void out_number(struct fmt_out *o, uint64_t v, bool negative, unsigned base,
                       int flags, int width, int prec)
{
    const char *digits = (flags & F_UPPER) ? "0123456789ABCDEF" : "0123456789abcdef";
    char tmp[24];
    int n = 0;
    char sign = 0;
    const char *prefix = "";

    if (negative)
        sign = '-';
    else if (flags & F_PLUS)
        sign = '+';
    else if (flags & F_SPACE)
        sign = ' ';
    if ((flags & F_ALT) && v != 0)
        prefix = base == 16 ? ((flags & F_UPPER) ? "0X" : "0x") : base == 8 ? "0" : "";

    do {
        tmp[n++] = digits[v % base];
        v /= base;
    } while (v != 0);
    if (prec == 0 && n == 1 && tmp[0] == '0')
        n = 0;                                  /* "%.0d" of 0 prints nothing */

    int zeros = prec > n ? prec - n : 0;
    int plen = (int)strlen(prefix) + (sign ? 1 : 0);
    int pad = width - n - zeros - plen;
    if (prec < 0 && (flags & F_ZERO) && !(flags & F_LEFT)) {
        zeros += pad > 0 ? pad : 0;
        pad = 0;
    }
    if (!(flags & F_LEFT))
        out_pad(o, ' ', pad);
    if (sign)
        out(o, sign);
    for (const char *p = prefix; *p; p++)
        out(o, *p);
    out_pad(o, '0', zeros);
    while (n > 0)
        out(o, tmp[--n]);
    if (flags & F_LEFT)
        out_pad(o, ' ', pad);
}

static void out_string(struct fmt_out *o, const char *s, int flags, int width, int prec)
{
    if (!s)
        s = "(null)";
    size_t n = prec >= 0 ? strnlen(s, (size_t)prec) : strlen(s);
    int pad = width > (int)n ? width - (int)n : 0;
    if (!(flags & F_LEFT))
        out_pad(o, ' ', pad);
    for (size_t i = 0; i < n; i++)
        out(o, s[i]);
    if (flags & F_LEFT)
        out_pad(o, ' ', pad);
}

int fmt_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
    struct fmt_out o = { buf, size, 0 };

    for (const char *p = fmt; *p; p++) {
        if (*p != '%') {
            out(&o, *p);
            continue;
        }
        int flags = 0, width = 0, prec = -1, len = 0;
        for (;; p++) {
            char f = p[1];
            if (f == '-') flags |= F_LEFT;
            else if (f == '0') flags |= F_ZERO;
            else if (f == ' ') flags |= F_SPACE;
            else if (f == '+') flags |= F_PLUS;
            else if (f == '#') flags |= F_ALT;
            else break;
        }
        p++;
        if (*p == '*') {
            width = va_arg(ap, int);
            if (width < 0) {
                flags |= F_LEFT;
                width = width == (-2147483647 - 1) ? 0 : -width;
            }
            p++;
        } else {
            while (*p >= '0' && *p <= '9' && width < 100000)
                width = width * 10 + (*p++ - '0');
        }
        if (*p == '.') {
            p++;
            prec = 0;
            if (*p == '*') {
                prec = va_arg(ap, int);
                if (prec < 0)
                    prec = -1;
                p++;
            } else {
                while (*p >= '0' && *p <= '9' && prec < 100000)
                    prec = prec * 10 + (*p++ - '0');
            }
        }
        /* len: 0 int, 1 long, 2 long long, -1 short, -2 char, 3 size_t/ptrdiff/intmax */
        if (*p == 'h') { len = -1; if (p[1] == 'h') { len = -2; p++; } p++; }
        else if (*p == 'l') { len = 1; if (p[1] == 'l') { len = 2; p++; } p++; }
        else if (*p == 'z' || *p == 't' || *p == 'j') { len = 3; p++; }

        uint64_t u;
        int64_t s;
        switch (*p) {
        case 'd':
        case 'i':
            if (len == 0) s = va_arg(ap, int);
            else if (len == -1) s = (short)va_arg(ap, int);
            else if (len == -2) s = (signed char)va_arg(ap, int);
            else s = va_arg(ap, int64_t);
            out_number(&o, s < 0 ? (uint64_t)0 - (uint64_t)s : (uint64_t)s, s < 0, 10, flags, width, prec);
            break;
        case 'u':
        case 'x':
        case 'X':
        case 'o':
            if (len == 0) u = va_arg(ap, unsigned int);
            else if (len == -1) u = (unsigned short)va_arg(ap, unsigned int);
            else if (len == -2) u = (unsigned char)va_arg(ap, unsigned int);
            else u = va_arg(ap, uint64_t);
            if (*p == 'X')
                flags |= F_UPPER;
            out_number(&o, u, false, *p == 'u' ? 10 : *p == 'o' ? 8 : 16,
                       flags & ~(F_PLUS | F_SPACE), width, prec);
            break;
        case 'p':
            out_number(&o, (uint64_t)(uintptr_t)va_arg(ap, void *), false, 16, F_ALT, width, prec);
            break;
        case 's':
            out_string(&o, va_arg(ap, const char *), flags, width, prec);
            break;
        case 'c': {
            char c[2] = { (char)va_arg(ap, int), 0 };
            if (c[0] == 0) {
                out(&o, 0);
                break;
            }
            out_string(&o, c, flags, width, -1);
            break;
        }
        case '%':
            out(&o, '%');
            break;
        case '\0':
            p--;                                /* a lone '%' at the end */
            break;
        default:
            out(&o, '%');                       /* unknown: print it as written */
            out(&o, *p);
            break;
        }
    }
    if (size > 0)
        buf[o.len < size ? o.len : size - 1] = '\0';
    return o.len > 0x7FFFFFFF ? 0x7FFFFFFF : (int)o.len;
}

int fmt_snprintf(char *buf, size_t size, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = fmt_vsnprintf(buf, size, fmt, ap);
    va_end(ap);
    return n;
}
