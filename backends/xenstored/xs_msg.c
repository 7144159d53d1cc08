/*
 * The client's side of the xenstore wire (see xs_msg.h). Every write into
 * the caller's buffer is bounded by the room it gave, every read of a
 * payload by its length; nothing here trusts a length it did not check.
 */
#include "core/env.h"
#include "xs_msg.h"

#define XS_HDR sizeof(struct xsd_sockmsg)

#define XSD_ERROR_NAME_ENTRY(name) [XSD_##name] = #name,
static const char *const xsd_error_names[XSD_NR_ERRORS] = {
    XSD_ERROR_NAMES(XSD_ERROR_NAME_ENTRY)
};
#undef XSD_ERROR_NAME_ENTRY

const char *xsd_error_name(int err)
{
    if (err < 0)
        err = -err;
    if (err <= 0 || err >= XSD_NR_ERRORS)
        return "EIO";
    return xsd_error_names[err];
}

static bool xs_msg_is_request(uint32_t type)
{
    return type < XS_TYPE_COUNT && type != XS_WATCH_EVENT && type != XS_ERROR;
}

static void xs_msg_header(uint8_t *p, uint32_t type, uint32_t req_id, uint32_t tx_id, size_t len)
{
    const struct xsd_sockmsg h = {
        .type = type, .req_id = req_id, .tx_id = tx_id, .len = (uint32_t)len
    };

    memcpy(p, &h, sizeof(h));
}

int xs_msg_build(void *buf, size_t room, uint32_t type, uint32_t req_id, uint32_t tx_id,
                 const char *const *argv, unsigned argc)
{
    uint8_t *p = buf;
    size_t len = 0;

    if (!xs_msg_is_request(type))
        return -XSD_EINVAL;
    for (unsigned i = 0; i < argc; i++) {
        if (!argv[i])
            return -XSD_EINVAL;
        len += strnlen(argv[i], XENSTORE_PAYLOAD_MAX + 1) + 1;
        if (len > XENSTORE_PAYLOAD_MAX)
            return -XSD_E2BIG;
    }
    if (room < XS_HDR || room - XS_HDR < len)
        return -XSD_E2BIG;
    xs_msg_header(p, type, req_id, tx_id, len);
    len = XS_HDR;
    for (unsigned i = 0; i < argc; i++) {
        size_t n = strlen(argv[i]) + 1;

        memcpy(p + len, argv[i], n);
        len += n;
    }
    return (int)len;
}

int xs_msg_build_write(void *buf, size_t room, uint32_t req_id, uint32_t tx_id,
                       const char *path, const void *value, size_t vlen)
{
    uint8_t *p = buf;
    size_t plen, len;

    if (!path || (vlen && !value))
        return -XSD_EINVAL;
    plen = strnlen(path, XENSTORE_PAYLOAD_MAX + 1) + 1;
    if (plen > XENSTORE_PAYLOAD_MAX || vlen > XENSTORE_PAYLOAD_MAX - plen)
        return -XSD_E2BIG;
    len = plen + vlen;
    if (room < XS_HDR || room - XS_HDR < len)
        return -XSD_E2BIG;
    xs_msg_header(p, XS_WRITE, req_id, tx_id, len);
    memcpy(p + XS_HDR, path, plen);
    if (vlen)
        memcpy(p + XS_HDR + plen, value, vlen);
    return (int)(XS_HDR + len);
}

int xs_msg_parse_header(const void *buf, size_t avail, struct xsd_sockmsg *out)
{
    struct xsd_sockmsg h;

    if (avail < XS_HDR)
        return -XSD_EAGAIN;
    memcpy(&h, buf, sizeof(h));
    if (h.type >= XS_TYPE_COUNT || h.len > XENSTORE_PAYLOAD_MAX)
        return -XSD_EINVAL;
    *out = h;
    return 0;
}

int xs_msg_error(const void *payload, size_t len)
{
    const char *s = payload;
    size_t n = len ? strnlen(s, len) : 0;

    if (n == 0 || n == len)
        return -XSD_EIO;
    for (int e = 1; e < XSD_NR_ERRORS; e++)
        if (strcmp(s, xsd_error_names[e]) == 0)
            return -e;
    return -XSD_EIO;
}

const char *xs_msg_string(const void *payload, size_t len, unsigned idx, size_t *slen)
{
    const char *s = payload;
    size_t pos = 0;

    for (;;) {
        size_t n;

        if (pos >= len)
            return NULL;
        n = strnlen(s + pos, len - pos);
        if (n == len - pos)
            return NULL; /* not terminated */
        if (idx-- == 0) {
            if (slen)
                *slen = n;
            return s + pos;
        }
        pos += n + 1;
    }
}
