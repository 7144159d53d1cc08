/*
 * Byte-stream rings: the console page (in 1024 / out 2048 bytes) and the
 * xenstore page (req 1024 / rsp 1024 bytes); layouts in public/io/console.h
 * and public/io/xs_wire.h.
 *
 * A struct ring_byte is one end of one ring: either the producer or the
 * consumer. Invariants, for a ring of `size` bytes (a power of two):
 *   producer: 0 <= pos - peer_cons <= size   (pos = our prod)
 *   consumer: 0 <= peer_prod - pos <= size   (pos = our cons)
 * An end keeps its own index privately (pos) and only writes it to the
 * page; the page copy is read once, at attach. A peer index outside the
 * window above marks the ring broken: every later call returns
 * RING_ERR_BROKEN and the page is not touched again.
 *
 * There is no notification hold-off on these rings: after a read or write
 * that moved at least one byte, notify the peer.
 */
#ifndef XENIA_RINGS_RING_BYTE_H
#define XENIA_RINGS_RING_BYTE_H

#include "core/env.h"
#include "public/io/console.h"
#include "public/io/xs_wire.h"
#include "ring.h"

struct ring_byte {
    uint8_t *buf;     /* the ring's bytes inside the shared page */
    uint32_t size;    /* power of two */
    ring_idx_t *own;  /* shared index we write (prod or cons) */
    ring_idx_t *peer; /* shared index the peer writes */
    ring_idx_t pos;   /* our index; *own is only ever written from it */
    bool producer;
    bool broken;
};

/* The two rings of one page, seen from one side. */
struct ring_byte_pair {
    struct ring_byte tx; /* we produce */
    struct ring_byte rx; /* we consume */
};

/* Which end of a page: the guest's, or the dom0 service's. */
enum ring_side {
    RING_SIDE_FRONT, /* the guest */
    RING_SIDE_BACK,  /* console daemon / xenstored */
};

/*
 * Attach one end. Adopts the current value of *own as our position and checks
 * it against *peer (RING_ERR_BROKEN if already out of window). size must be
 * a power of two (RING_ERR_INVAL otherwise).
 */
int ring_byte_attach(struct ring_byte *r, void *buf, uint32_t size, ring_idx_t *own,
                     ring_idx_t *peer, bool producer);

/* Producer: copy up to len bytes in; bytes written (maybe 0) or BROKEN. */
int ring_byte_write(struct ring_byte *r, const void *src, uint32_t len);
/* Producer: bytes of free space; or BROKEN. */
int ring_byte_space(struct ring_byte *r);
/* Consumer: copy up to max bytes out; bytes read (maybe 0) or BROKEN. */
int ring_byte_read(struct ring_byte *r, void *dst, uint32_t max);
/* Consumer: bytes pending; or BROKEN. */
int ring_byte_pending(struct ring_byte *r);

static inline bool ring_byte_broken(const struct ring_byte *r) { return r->broken; }

/* Both rings of a console or xenstore page, for one side. */
int ring_console_attach(struct ring_byte_pair *p, struct xencons_interface *page,
                        enum ring_side side);
int ring_xenstore_attach(struct ring_byte_pair *p, struct xenstore_domain_interface *page,
                         enum ring_side side);

#endif /* XENIA_RINGS_RING_BYTE_H */
