/*
 * The xenstore wire seen from a client (a guest's xenbus driver, a test):
 * build requests, check what comes back. Portable core code; no state.
 *
 * A request is a struct xsd_sockmsg header followed by len payload bytes:
 * NUL-terminated strings, except that a WRITE's value (the last part) has
 * no NUL of its own. A reply (or watch event) must have a known type and
 * len <= XENSTORE_PAYLOAD_MAX; anything else is a broken daemon.
 */
#ifndef XENIA_BACKENDS_XS_MSG_H
#define XENIA_BACKENDS_XS_MSG_H

#include <stddef.h>
#include <stdint.h>

#include "public/io/xs_wire.h"

/*
 * Error codes of the xenstore backends and helpers: 0 or the negative of
 * one of these. The numbers are Xenia's; on the wire the names travel
 * ("EINVAL\0" as the payload of an XS_ERROR reply).
 */
#define XSD_ERROR_ENUM_ENTRY(name) XSD_##name,
enum xsd_error {
    XSD_OK = 0,
    XSD_ERROR_NAMES(XSD_ERROR_ENUM_ENTRY)
    XSD_NR_ERRORS
};
#undef XSD_ERROR_ENUM_ENTRY

/* "EINVAL" for XSD_EINVAL (either sign), "EIO" for an unknown code. */
const char *xsd_error_name(int err);

/*
 * Builds a request in buf[0..room): header {type, req_id, tx_id, len}, then
 * argv[0..argc) each followed by a NUL. Returns the message's total size,
 * or -XSD_E2BIG if the payload would exceed XENSTORE_PAYLOAD_MAX or the
 * message room, -XSD_EINVAL for a NULL argument or a type that is not a
 * request (>= XS_TYPE_COUNT, XS_WATCH_EVENT, XS_ERROR).
 */
int xs_msg_build(void *buf, size_t room, uint32_t type, uint32_t req_id, uint32_t tx_id,
                 const char *const *argv, unsigned argc);

/* XS_WRITE: "path\0" then vlen bytes of value, no NUL added. Same returns. */
int xs_msg_build_write(void *buf, size_t room, uint32_t req_id, uint32_t tx_id,
                       const char *path, const void *value, size_t vlen);

/*
 * Checks the header at the start of buf[0..avail) (a reply or watch event)
 * and copies it to *out: 0, -XSD_EAGAIN if fewer than 16 bytes are there,
 * -XSD_EINVAL for an unknown type or len > XENSTORE_PAYLOAD_MAX.
 */
int xs_msg_parse_header(const void *buf, size_t avail, struct xsd_sockmsg *out);

/* The code an XS_ERROR payload names ("EACCES\0" -> -XSD_EACCES); -XSD_EIO
 * for a name it does not know or a payload that is no NUL-terminated name. */
int xs_msg_error(const void *payload, size_t len);

/* The idx-th NUL-terminated string of payload[0..len) and its length, or
 * NULL if there are fewer (an unterminated tail does not count). */
const char *xs_msg_string(const void *payload, size_t len, unsigned idx, size_t *slen);

#endif /* XENIA_BACKENDS_XS_MSG_H */
