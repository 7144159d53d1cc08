/*
 * Node permissions: the list of "<c><domid>" entries of a node.
 *
 * Entry 0 names the owner and gives the access of every domain not listed
 * afterwards; entries 1.. give the access of one domain each (the first
 * match counts). The owner has full access whatever its entry says, and
 * domain 0 has full access everywhere. c is n (none), r (read), w (write)
 * or b (both). On the wire each entry is followed by a NUL.
 */
#include "xs_core.h"

#define XS_PERM_ENTRY_MAX 7u /* "b65535\0" */

static int xs_perm_letter(char c, uint8_t *access)
{
    switch (c) {
    case 'n': *access = 0; return 0;
    case 'r': *access = XS_PERM_READ; return 0;
    case 'w': *access = XS_PERM_WRITE; return 0;
    case 'b': *access = XS_PERM_BOTH; return 0;
    default: return XSD_EINVAL;
    }
}

/*
 * s[0..len): one or more NUL-terminated entries, nothing else. At most max
 * entries (ENOSPC beyond), stored in out[0..*nr).
 */
int xs_perms_parse(const char *s, size_t len, struct xs_perm *out, uint32_t max, uint32_t *nr)
{
    size_t pos = 0;
    uint32_t n = 0;

    if (len == 0 || s[len - 1] != '\0')
        return XSD_EINVAL;
    while (pos < len) {
        size_t elen = strnlen(s + pos, len - pos);
        uint32_t domid;
        uint8_t access;

        if (elen < 2 || xs_perm_letter(s[pos], &access) ||
            xs_u32_parse(s + pos + 1, elen - 1, 0xffff, &domid))
            return XSD_EINVAL;
        if (n == max)
            return XSD_ENOSPC;
        out[n].domid = (uint16_t)domid;
        out[n].access = access;
        out[n].pad = 0;
        n++;
        pos += elen + 1;
    }
    *nr = n;
    return 0;
}

/* The wire form of p[0..nr) in buf; its length, or 0 if room is too small. */
size_t xs_perms_format(const struct xs_perm *p, uint32_t nr, char *buf, size_t room)
{
    static const char letters[] = { 'n', 'r', 'w', 'b' };
    size_t n = 0;

    for (uint32_t i = 0; i < nr; i++) {
        if (room - n < XS_PERM_ENTRY_MAX)
            return 0;
        buf[n++] = letters[p[i].access & XS_PERM_BOTH];
        n += xs_u32_format(p[i].domid, buf + n) + 1; /* keeps the NUL */
    }
    return n;
}

unsigned xs_perms_access(const struct xs_perm *p, uint32_t nr, uint16_t domid)
{
    if (domid == 0 || p[0].domid == domid)
        return XS_PERM_BOTH;
    for (uint32_t i = 1; i < nr; i++)
        if (p[i].domid == domid)
            return p[i].access;
    return p[0].access;
}
