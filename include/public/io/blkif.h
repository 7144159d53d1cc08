/*
 * Block device protocol (vbd): requests from blkfront, responses from
 * blkback, over one ring page (see ring.h). Binary-compatible with Xen's
 * blkif on x86_64.
 *
 * A read or write names up to 11 segments; each segment is one granted 4 KiB
 * page and an inclusive range [first_sect, last_sect] of 512-byte sectors
 * inside it (so last_sect <= 7). The segments together cover consecutive
 * disk sectors starting at sector_number. Sector numbers, the xenstore
 * "sectors" node and first/last_sect are always in 512-byte units.
 *
 * The id is the front's cookie: the back copies it into the response
 * unchanged and never interprets it. Responses come back in slot order,
 * which need not be the order of ids.
 *
 * What a backend must check (every field is chosen by a hostile front):
 * operation known and advertised; for READ/WRITE 1 <= nr_segments <= 11
 * (FLUSH_DISKCACHE and WRITE_BARRIER may have 0); first_sect <= last_sect
 * <= 7 per segment; the sector range inside the disk without overflow; no
 * modification of a read-only disk; each gref mapped and checked by the
 * grant table. Any failure is an error response for that request only.
 */
#ifndef XENIA_PUBLIC_IO_BLKIF_H
#define XENIA_PUBLIC_IO_BLKIF_H

#include <stddef.h>
#include <stdint.h>

#include "ring.h"

/* Same typedef as public/grant_table.h: an index into a grant table. */
typedef uint32_t grant_ref_t;

typedef uint16_t blkif_vdev_t;
typedef uint64_t blkif_sector_t;

/* operation */
#define BLKIF_OP_READ 0
#define BLKIF_OP_WRITE 1
#define BLKIF_OP_WRITE_BARRIER 2   /* optional: "feature-barrier" */
#define BLKIF_OP_FLUSH_DISKCACHE 3 /* optional: "feature-flush-cache" */
#define BLKIF_OP_RESERVED_1 4      /* never valid */
#define BLKIF_OP_DISCARD 5         /* optional: "feature-discard" */
#define BLKIF_OP_INDIRECT 6        /* optional: "feature-max-indirect-segments" */

/* status in a response */
#define BLKIF_RSP_EOPNOTSUPP (-2)
#define BLKIF_RSP_ERROR (-1)
#define BLKIF_RSP_OKAY 0

#define BLKIF_MAX_SEGMENTS_PER_REQUEST 11
#define BLKIF_MAX_INDIRECT_PAGES_PER_REQUEST 8
#define BLKIF_SECTOR_SIZE 512u
#define BLKIF_SECTORS_PER_PAGE 8u /* last_sect is at most 7 */

/* Flag of a discard request: the discarded data must be unrecoverable. */
#define BLKIF_DISCARD_SECURE 1

/* Values of the backend's "info" node. */
#define VDISK_CDROM 0x1
#define VDISK_REMOVABLE 0x2
#define VDISK_READONLY 0x4

struct blkif_request_segment {
    grant_ref_t gref;   /* page holding the data */
    uint8_t first_sect; /* first 512-byte sector of the page used, inclusive */
    uint8_t last_sect;  /* last one, inclusive; first <= last <= 7 */
    uint8_t _pad[2];
};

/* READ, WRITE, WRITE_BARRIER, FLUSH_DISKCACHE */
struct blkif_request {
    uint8_t operation;
    uint8_t nr_segments;
    blkif_vdev_t handle;
    uint8_t _pad[4];
    uint64_t id;
    blkif_sector_t sector_number;
    struct blkif_request_segment seg[BLKIF_MAX_SEGMENTS_PER_REQUEST];
};

/* DISCARD: the same slot read through this layout. */
struct blkif_request_discard {
    uint8_t operation;
    uint8_t flag; /* BLKIF_DISCARD_SECURE or 0 */
    blkif_vdev_t handle;
    uint8_t _pad[4];
    uint64_t id;
    blkif_sector_t sector_number;
    uint64_t nr_sectors;
};

/* INDIRECT: the segments live in up to 8 granted pages of segment arrays. */
struct blkif_request_indirect {
    uint8_t operation;   /* BLKIF_OP_INDIRECT */
    uint8_t indirect_op; /* BLKIF_OP_READ or BLKIF_OP_WRITE */
    uint16_t nr_segments;
    uint8_t _pad1[4];
    uint64_t id;
    blkif_sector_t sector_number;
    blkif_vdev_t handle;
    uint8_t _pad2[2];
    grant_ref_t indirect_grefs[BLKIF_MAX_INDIRECT_PAGES_PER_REQUEST];
    uint8_t _pad3[4];
};

struct blkif_response {
    uint64_t id;       /* copied from the request */
    uint8_t operation; /* copied from the request */
    uint8_t _pad1;
    int16_t status;    /* BLKIF_RSP_* */
    uint8_t _pad2[4];
};

RING_DECLARE_PAGE(blkif, struct blkif_request, struct blkif_response);

#define BLKIF_RING_SLOTS RING_SLOTS(RING_PAGE_SIZE, sizeof(union blkif_ring_entry))

_Static_assert(sizeof(struct blkif_request_segment) == 8, "segment is 8 bytes");
_Static_assert(offsetof(struct blkif_request_segment, first_sect) == 4, "first_sect @4");
_Static_assert(offsetof(struct blkif_request_segment, last_sect) == 5, "last_sect @5");
_Static_assert(sizeof(struct blkif_request) == 112, "request is 112 bytes");
_Static_assert(offsetof(struct blkif_request, operation) == 0, "operation @0");
_Static_assert(offsetof(struct blkif_request, nr_segments) == 1, "nr_segments @1");
_Static_assert(offsetof(struct blkif_request, handle) == 2, "handle @2");
_Static_assert(offsetof(struct blkif_request, id) == 8, "id @8");
_Static_assert(offsetof(struct blkif_request, sector_number) == 16, "sector_number @16");
_Static_assert(offsetof(struct blkif_request, seg) == 24, "seg @24");
_Static_assert(sizeof(struct blkif_request_discard) == 32, "discard request is 32 bytes");
_Static_assert(offsetof(struct blkif_request_discard, flag) == 1, "flag @1");
_Static_assert(offsetof(struct blkif_request_discard, nr_sectors) == 24, "nr_sectors @24");
_Static_assert(sizeof(struct blkif_request_indirect) == 64, "indirect request is 64 bytes");
_Static_assert(offsetof(struct blkif_request_indirect, nr_segments) == 2, "nr_segments @2");
_Static_assert(offsetof(struct blkif_request_indirect, id) == 8, "id @8");
_Static_assert(offsetof(struct blkif_request_indirect, sector_number) == 16, "sector @16");
_Static_assert(offsetof(struct blkif_request_indirect, handle) == 24, "handle @24");
_Static_assert(offsetof(struct blkif_request_indirect, indirect_grefs) == 28, "grefs @28");
_Static_assert(sizeof(struct blkif_response) == 16, "response is 16 bytes");
_Static_assert(offsetof(struct blkif_response, operation) == 8, "operation @8");
_Static_assert(offsetof(struct blkif_response, status) == 10, "status @10");
_Static_assert(sizeof(union blkif_ring_entry) == 112, "blkif slot is 112 bytes");
_Static_assert(BLKIF_RING_SLOTS == 32, "32 blkif slots per 4 KiB page");

#endif /* XENIA_PUBLIC_IO_BLKIF_H */
