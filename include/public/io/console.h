/*
 * PV console page: two byte-stream rings in the page whose frame the domain
 * builder gives the guest (start_info.console), binary-compatible with Xen.
 *
 *      0  in[1024]    bytes typed at the console, backend -> guest
 *   1024  out[2048]   bytes the guest prints, guest -> backend
 *   3072  in_cons     written by the guest
 *   3076  in_prod     written by the backend
 *   3080  out_cons    written by the backend
 *   3084  out_prod    written by the guest
 *
 * Each ring is a byte stream with free-running u32 indices: byte i is at
 * ring[i & (size - 1)], prod - cons bytes are pending and a correct producer
 * never has more than size pending. The producer copies bytes in, write
 * barrier, then stores prod; the consumer loads prod, read barrier, copies the
 * bytes out, full barrier, then stores cons (so the space is not reused
 * while it is still reading). Either side notifies the other through the
 * console event channel after making progress; there is no hold-off.
 */
#ifndef XENIA_PUBLIC_IO_CONSOLE_H
#define XENIA_PUBLIC_IO_CONSOLE_H

#include <stddef.h>
#include <stdint.h>

#define XENCONS_IN_SIZE 1024u
#define XENCONS_OUT_SIZE 2048u

typedef uint32_t XENCONS_RING_IDX;

struct xencons_interface {
    char in[XENCONS_IN_SIZE];
    char out[XENCONS_OUT_SIZE];
    XENCONS_RING_IDX in_cons, in_prod;
    XENCONS_RING_IDX out_cons, out_prod;
};

/* Position of index idx in ring (the in or out array). */
#define MASK_XENCONS_IDX(idx, ring) ((idx) & (sizeof(ring) - 1))

_Static_assert(offsetof(struct xencons_interface, in) == 0, "in @0");
_Static_assert(offsetof(struct xencons_interface, out) == 1024, "out @1024");
_Static_assert(offsetof(struct xencons_interface, in_cons) == 3072, "in_cons @3072");
_Static_assert(offsetof(struct xencons_interface, in_prod) == 3076, "in_prod @3076");
_Static_assert(offsetof(struct xencons_interface, out_cons) == 3080, "out_cons @3080");
_Static_assert(offsetof(struct xencons_interface, out_prod) == 3084, "out_prod @3084");
_Static_assert(sizeof(struct xencons_interface) == 3088, "console page uses 3088 bytes");

#endif /* XENIA_PUBLIC_IO_CONSOLE_H */
