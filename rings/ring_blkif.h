/*
 * Checks of a blkif request that need no I/O: everything a backend must
 * verify in its private copy of a request before acting on it (the list is
 * in public/io/blkif.h). Grant references are not checked here: the grant
 * table decides when they are mapped.
 *
 * Works on the copy only; the verdict is the status to send back, so a bad
 * request costs the front one error response and nothing else.
 */
#ifndef XENIA_RINGS_RING_BLKIF_H
#define XENIA_RINGS_RING_BLKIF_H

#include "core/env.h"
#include "public/io/blkif.h"

/* What the backend offers for one virtual disk. */
struct ring_blkif_disk {
    uint64_t sectors; /* size in 512-byte sectors */
    bool read_only;
    bool barrier; /* "feature-barrier" advertised */
    bool flush;   /* "feature-flush-cache" advertised */
    bool discard; /* "feature-discard" advertised */
};

/*
 * BLKIF_RSP_OKAY, BLKIF_RSP_ERROR (malformed, out of range, or a write to a
 * read-only disk) or BLKIF_RSP_EOPNOTSUPP (operation unknown or not
 * advertised). On OKAY, *nr_sectors is the number of sectors the request
 * covers starting at sector_number (0 for a flush without data).
 */
int ring_blkif_check(const struct blkif_request *req, const struct ring_blkif_disk *disk,
                     uint64_t *nr_sectors);

#endif /* XENIA_RINGS_RING_BLKIF_H */
