/*
 * Validation of a private copy of a blkif request (see ring_blkif.h).
 * Unsigned arithmetic throughout; the range check is written so that it
 * cannot overflow: start <= size && count <= size - start.
 */
#include "core/env.h"
#include "ring_blkif.h"

static bool range_ok(uint64_t start, uint64_t count, uint64_t size)
{
    return start <= size && count <= size - start;
}

/* Segments 0..nr-1: each within its page; returns the sector total or -1. */
static int64_t segment_sectors(const struct blkif_request *req)
{
    int64_t total = 0;

    for (unsigned i = 0; i < req->nr_segments; i++) {
        const struct blkif_request_segment *s = &req->seg[i];
        if (s->first_sect > s->last_sect || s->last_sect >= BLKIF_SECTORS_PER_PAGE)
            return -1;
        total += s->last_sect - s->first_sect + 1;
    }
    return total;
}

static int check_data(const struct blkif_request *req, const struct ring_blkif_disk *disk,
                      unsigned min_segments, bool writes, uint64_t *nr_sectors)
{
    if (req->nr_segments < min_segments || req->nr_segments > BLKIF_MAX_SEGMENTS_PER_REQUEST)
        return BLKIF_RSP_ERROR;
    if (writes && req->nr_segments > 0 && disk->read_only)
        return BLKIF_RSP_ERROR;
    int64_t total = segment_sectors(req);
    if (total < 0 || !range_ok(req->sector_number, (uint64_t)total, disk->sectors))
        return BLKIF_RSP_ERROR;
    *nr_sectors = (uint64_t)total;
    return BLKIF_RSP_OKAY;
}

int ring_blkif_check(const struct blkif_request *req, const struct ring_blkif_disk *disk,
                     uint64_t *nr_sectors)
{
    struct blkif_request_discard d;

    *nr_sectors = 0;
    switch (req->operation) {
    case BLKIF_OP_READ:
        return check_data(req, disk, 1, false, nr_sectors);
    case BLKIF_OP_WRITE:
        return check_data(req, disk, 1, true, nr_sectors);
    case BLKIF_OP_WRITE_BARRIER:
        if (!disk->barrier)
            return BLKIF_RSP_EOPNOTSUPP;
        return check_data(req, disk, 0, true, nr_sectors);
    case BLKIF_OP_FLUSH_DISKCACHE:
        if (!disk->flush)
            return BLKIF_RSP_EOPNOTSUPP;
        return check_data(req, disk, 0, true, nr_sectors);
    case BLKIF_OP_DISCARD:
        if (!disk->discard)
            return BLKIF_RSP_EOPNOTSUPP;
        memcpy(&d, req, sizeof(d)); /* the same slot, discard layout */
        if ((d.flag & ~BLKIF_DISCARD_SECURE) != 0 || disk->read_only ||
            !range_ok(d.sector_number, d.nr_sectors, disk->sectors))
            return BLKIF_RSP_ERROR;
        *nr_sectors = d.nr_sectors;
        return BLKIF_RSP_OKAY;
    default: /* INDIRECT (not offered), RESERVED_1, unknown */
        return BLKIF_RSP_EOPNOTSUPP;
    }
}
