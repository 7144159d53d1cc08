/*
 * Xenstore wire protocol: the message format and the shared page through
 * which a domain talks to xenstored, binary-compatible with Xen.
 *
 * Message: a 16-byte header, then len bytes of payload (len <= 4096).
 * Payloads are NUL-separated strings; a reply echoes type (or is
 * XS_ERROR with an error name such as "EINVAL\0" as payload), req_id and
 * tx_id of its request. Watch events (XS_WATCH_EVENT, payload
 * "path\0token\0") arrive unsolicited on the response ring.
 *
 * Shared page (the frame given in start_info.store_mfn):
 *
 *      0  req[1024]        guest -> xenstored
 *   1024  rsp[1024]        xenstored -> guest
 *   2048  req_cons         written by xenstored
 *   2052  req_prod         written by the guest
 *   2056  rsp_cons         written by the guest
 *   2060  rsp_prod         written by xenstored
 *   2064  server_features  XENSTORE_SERVER_FEATURE_*, written by xenstored
 *   2068  connection       XENSTORE_CONNECTED / XENSTORE_RECONNECT
 *   2072  error            XENSTORE_ERROR_*, why xenstored gave up on us
 *   2076  evtchn_port      event channel to signal, if filled in at build
 *
 * The rings are byte streams exactly like the console's (see console.h):
 * free-running u32 indices, ring[idx & 1023], pending = prod - cons, which a
 * correct producer keeps <= 1024; a larger value is a broken peer
 * (XENSTORE_ERROR_RINGIDX). Messages may straddle the wrap point and may
 * arrive in pieces.
 */
#ifndef XENIA_PUBLIC_IO_XS_WIRE_H
#define XENIA_PUBLIC_IO_XS_WIRE_H

#include <stddef.h>
#include <stdint.h>

enum xsd_sockmsg_type {
    XS_CONTROL = 0, /* formerly XS_DEBUG */
    XS_DIRECTORY = 1,
    XS_READ = 2,
    XS_GET_PERMS = 3,
    XS_WATCH = 4,
    XS_UNWATCH = 5,
    XS_TRANSACTION_START = 6,
    XS_TRANSACTION_END = 7,
    XS_INTRODUCE = 8,
    XS_RELEASE = 9,
    XS_GET_DOMAIN_PATH = 10,
    XS_WRITE = 11,
    XS_MKDIR = 12,
    XS_RM = 13,
    XS_SET_PERMS = 14,
    XS_WATCH_EVENT = 15,
    XS_ERROR = 16,
    XS_IS_DOMAIN_INTRODUCED = 17,
    XS_RESUME = 18,
    XS_SET_TARGET = 19,
    /* 20 was XS_RESTRICT, withdrawn */
    XS_RESET_WATCHES = 21,
    XS_DIRECTORY_PART = 22,
    XS_GET_FEATURE = 23,
    XS_SET_FEATURE = 24,
    XS_GET_QUOTA = 25,
    XS_SET_QUOTA = 26,
    XS_TYPE_COUNT,
    XS_INVALID = 0xffff /* never a valid type */
};
#define XS_DEBUG XS_CONTROL

struct xsd_sockmsg {
    uint32_t type;   /* enum xsd_sockmsg_type */
    uint32_t req_id; /* chosen by the requester, echoed in the reply */
    uint32_t tx_id;  /* transaction, 0 for none */
    uint32_t len;    /* payload bytes that follow */
};

/*
 * Error names carried as the payload of XS_ERROR (with a trailing NUL). The
 * names, not the numbers, are the wire format: X(name) for each.
 */
#define XSD_ERROR_NAMES(X) \
    X(EINVAL) X(EACCES) X(EEXIST) X(EISDIR) X(ENOENT) X(ENOMEM) X(ENOSPC) \
    X(EIO) X(ENOTEMPTY) X(ENOSYS) X(EROFS) X(EBUSY) X(EAGAIN) X(EISCONN)   \
    X(E2BIG) X(EPERM)

/* Second string of an XS_WATCH_EVENT payload, by position. */
enum xs_watch_type {
    XS_WATCH_PATH = 0,
    XS_WATCH_TOKEN = 1
};

#define XENSTORE_RING_SIZE 1024u
typedef uint32_t XENSTORE_RING_IDX;
#define MASK_XENSTORE_IDX(idx) ((idx) & (XENSTORE_RING_SIZE - 1))

struct xenstore_domain_interface {
    char req[XENSTORE_RING_SIZE];
    char rsp[XENSTORE_RING_SIZE];
    XENSTORE_RING_IDX req_cons, req_prod;
    XENSTORE_RING_IDX rsp_cons, rsp_prod;
    uint32_t server_features;
    uint32_t connection;
    uint32_t error;
    uint32_t evtchn_port;
};

#define XENSTORE_PAYLOAD_MAX 4096u  /* larger: protocol error */
#define XENSTORE_ABS_PATH_MAX 3072u /* larger: EINVAL */
#define XENSTORE_REL_PATH_MAX 2048u /* larger: EINVAL */

/* server_features bits */
#define XENSTORE_SERVER_FEATURE_RECONNECTION 1u
#define XENSTORE_SERVER_FEATURE_ERROR 2u

/* connection */
#define XENSTORE_CONNECTED 0u
#define XENSTORE_RECONNECT 1u

/* error */
#define XENSTORE_ERROR_NONE 0u
#define XENSTORE_ERROR_COMM 1u    /* communication problem */
#define XENSTORE_ERROR_RINGIDX 2u /* invalid ring index */
#define XENSTORE_ERROR_PROTO 3u   /* protocol violation, e.g. payload too long */

_Static_assert(sizeof(struct xsd_sockmsg) == 16, "xenstore header is 16 bytes");
_Static_assert(offsetof(struct xsd_sockmsg, req_id) == 4, "req_id @4");
_Static_assert(offsetof(struct xsd_sockmsg, tx_id) == 8, "tx_id @8");
_Static_assert(offsetof(struct xsd_sockmsg, len) == 12, "len @12");
_Static_assert(offsetof(struct xenstore_domain_interface, rsp) == 1024, "rsp @1024");
_Static_assert(offsetof(struct xenstore_domain_interface, req_cons) == 2048, "req_cons @2048");
_Static_assert(offsetof(struct xenstore_domain_interface, req_prod) == 2052, "req_prod @2052");
_Static_assert(offsetof(struct xenstore_domain_interface, rsp_cons) == 2056, "rsp_cons @2056");
_Static_assert(offsetof(struct xenstore_domain_interface, rsp_prod) == 2060, "rsp_prod @2060");
_Static_assert(offsetof(struct xenstore_domain_interface, server_features) == 2064,
               "server_features @2064");
_Static_assert(offsetof(struct xenstore_domain_interface, connection) == 2068, "connection @2068");
_Static_assert(offsetof(struct xenstore_domain_interface, error) == 2072, "error @2072");
_Static_assert(offsetof(struct xenstore_domain_interface, evtchn_port) == 2076,
               "evtchn_port @2076");
_Static_assert(sizeof(struct xenstore_domain_interface) == 2080, "xenstore page uses 2080 bytes");

#endif /* XENIA_PUBLIC_IO_XS_WIRE_H */
