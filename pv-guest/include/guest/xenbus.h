/*
 * The xenstore client (the guest's side of the xenstore page).
 *
 * Requests go one at a time: a caller writes the whole message into the
 * request ring, notifies, and waits for the reply with the same req_id.
 * Watch events that arrive meanwhile are queued (XENBUS_WATCH_QUEUE, the
 * oldest dropped when full, counted) for xenbus_wait_watch(). Everything
 * runs in threads (never in event handlers); the store port's handler only
 * wakes the waiters. A reply later than XENBUS_TIMEOUT_NS gives -XEN_ETIME
 * and the client stays usable (the late reply is discarded by req_id).
 * A response ring whose indices the server corrupts makes every later
 * request fail with -XEN_EIO.
 *
 * Errors: a server ERROR reply ("ENOENT" ...) becomes -XEN_ENOENT etc.;
 * -XEN_ENODEV without a store page or port; -XEN_E2BIG for a request over
 * XENSTORE_PAYLOAD_MAX or a reply bigger than the caller's buffer.
 */
#ifndef PVG_GUEST_XENBUS_H
#define PVG_GUEST_XENBUS_H

#include <stddef.h>
#include <stdint.h>

#include "public/io/xs_wire.h"

#define XENBUS_TIMEOUT_NS (5ULL * 1000000000ULL)
#define XENBUS_WATCH_QUEUE 16

/* Attach to start_info's store page and port. */
int xenbus_init(void);

/*
 * One raw request: payload of len bytes; the reply's payload (at most
 * rsize bytes) is copied to reply and NUL-terminated when room allows.
 * Returns the reply's length, or -errno (ERROR replies translated).
 */
long xenbus_request(uint32_t type, uint32_t tx, const void *payload, uint32_t len, void *reply,
                    size_t rsize);

/* Value of path into buf (NUL-terminated); its length or -errno. */
long xenbus_read(const char *path, char *buf, size_t size);
int xenbus_write(const char *path, const char *value);
int xenbus_mkdir(const char *path);
int xenbus_rm(const char *path);
/* perms: "n1", "r2", ... (the first is the owner and everyone's default). */
int xenbus_set_perms(const char *path, const char *const *perms, unsigned n);
int xenbus_watch(const char *path, const char *token);
int xenbus_unwatch(const char *path, const char *token);
/* Next queued watch event, waiting until deadline (system time): 0 or -XEN_ETIME. */
int xenbus_wait_watch(uint64_t deadline_ns, char *path, size_t plen, char *token, size_t tlen);
/* Watch events dropped because the queue was full. */
uint64_t xenbus_watch_dropped(void);

#endif /* PVG_GUEST_XENBUS_H */
