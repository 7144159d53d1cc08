/*
 * Xenstore path syntax and resolution.
 *
 * A path as sent is either absolute ("/a/b", or "/" alone) or relative to
 * the caller's home /local/domain/<domid> ("a/b" means
 * "/local/domain/<domid>/a/b"). As sent it is 1..XENSTORE_REL_PATH_MAX
 * bytes: Xen lets absolute paths reach 3072 bytes, Xenia keeps every path
 * a guest names to 2048 (security.md), so a resolved path has at most
 * XS_PATH_MAX bytes. A valid resolved path uses only [A-Za-z0-9_@/-], has
 * no empty component ("//") and no trailing '/' unless it is "/".
 *
 * Internal functions of backends/xenstored return 0 or a positive XSD_E*
 * code; only the public API negates them.
 */
#include "xs_core.h"

static bool xs_path_char_ok(char ch)
{
    return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
           ch == '-' || ch == '/' || ch == '_' || ch == '@';
}

bool xs_path_valid_abs(const char *p, size_t len)
{
    if (len == 0 || len > XS_PATH_MAX || p[0] != '/')
        return false;
    if (len == 1)
        return true;
    if (p[len - 1] == '/')
        return false;
    for (size_t i = 0; i < len; i++) {
        if (!xs_path_char_ok(p[i]))
            return false;
        if (p[i] == '/' && i + 1 < len && p[i + 1] == '/')
            return false;
    }
    return true;
}

size_t xs_u32_format(uint32_t v, char *buf)
{
    char tmp[10];
    size_t n = 0;

    do {
        tmp[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    for (size_t i = 0; i < n; i++)
        buf[i] = tmp[n - 1 - i];
    buf[n] = '\0';
    return n;
}

int xs_u32_parse(const char *s, size_t len, uint32_t max, uint32_t *out)
{
    uint64_t v = 0;

    if (len == 0)
        return XSD_EINVAL;
    for (size_t i = 0; i < len; i++) {
        if (s[i] < '0' || s[i] > '9')
            return XSD_EINVAL;
        v = v * 10 + (uint64_t)(s[i] - '0');
        if (v > max)
            return XSD_EINVAL;
    }
    *out = (uint32_t)v;
    return 0;
}

size_t xs_path_home(uint16_t domid, char *buf)
{
    static const char prefix[] = "/local/domain/";
    size_t n = sizeof(prefix) - 1;

    memcpy(buf, prefix, n);
    return n + xs_u32_format(domid, buf + n);
}

/*
 * in[0..len) as sent by domid -> out (XS_PATH_MAX + 1 bytes, NUL-terminated),
 * *out_len its length. EINVAL for anything but a valid path.
 */
int xs_path_resolve(const char *in, size_t len, uint16_t domid, char *out, size_t *out_len)
{
    size_t n = 0;

    if (len == 0 || len > XENSTORE_REL_PATH_MAX)
        return XSD_EINVAL;
    if (in[0] != '/') {
        n = xs_path_home(domid, out);
        out[n++] = '/';
    }
    memcpy(out + n, in, len);
    n += len;
    out[n] = '\0';
    if (!xs_path_valid_abs(out, n))
        return XSD_EINVAL;
    *out_len = n;
    return 0;
}

/* child names parent itself or a node below it ("/" is everyone's parent). */
bool xs_path_is_child(const char *child, size_t clen, const char *parent, size_t plen)
{
    if (clen == plen)
        return memcmp(child, parent, clen) == 0;
    if (plen == 1 && parent[0] == '/')
        return clen > 0 && child[0] == '/';
    return clen > plen && memcmp(child, parent, plen) == 0 && child[plen] == '/';
}
