/*
 * Physical frame allocator: one bit per 4 KiB frame over [0, nr_frames).
 *
 * The caller provides the bitmap storage (FRAME_ALLOC_BITMAP_WORDS(n)
 * words) and the allocator never allocates. Every frame starts USED; boot
 * code then adds the usable RAM (frame_alloc_add_regions) and reserves
 * what is already taken (hypervisor image, modules, boot structures).
 *
 * Invariants (checked by the tests against a reference model):
 *  - nr_free equals the number of free frames in [0, nr_frames) at all
 *    times; add_free of a free frame and reserve of a used frame change
 *    nothing.
 *  - Bits for positions >= nr_frames in the last word are never set, so
 *    out-of-range frames are never handed out.
 *  - Ranges passed to add_free/reserve are clamped to [0, nr_frames); they
 *    may overlap anything.
 *  - Freeing a frame that is free or out of range is a bug of the caller
 *    (hypervisor code, never guest input: callers validate guest frame
 *    numbers first) and trips BUG_ON.
 *
 * Allocation is first-fit from a rotating hint (single frames) or from
 * frame 0 (contiguous runs, so large aligned runs are found low and
 * deterministically). Not thread-safe: the caller holds its lock.
 */
#ifndef XENIA_CORE_FRAME_ALLOC_H
#define XENIA_CORE_FRAME_ALLOC_H

#include "core/env.h"
#include "core/multiboot.h"

#define FRAME_SHIFT 12
#define FRAME_SIZE (1ull << FRAME_SHIFT)

/* Error codes returned (negated), Xen/Linux errno values. */
#define FRAME_ALLOC_ENOMEM 12
#define FRAME_ALLOC_EINVAL 22

struct frame_alloc {
    uint64_t *bitmap;   /* bit set = frame free */
    uint64_t nr_frames;
    uint64_t nr_free;
    uint64_t hint;      /* where the next single-frame search starts */
};

#define FRAME_ALLOC_BITMAP_WORDS(n) (((n) + 63) / 64)

/* Every frame starts USED. bitmap holds FRAME_ALLOC_BITMAP_WORDS(nr_frames) words. */
void frame_alloc_init(struct frame_alloc *fa, uint64_t *bitmap, uint64_t nr_frames);
/* Mark [pfn, pfn+count) free, clamped to the range. */
void frame_alloc_add_free(struct frame_alloc *fa, uint64_t pfn, uint64_t count);
/* Mark [pfn, pfn+count) used, clamped to the range. */
void frame_alloc_reserve(struct frame_alloc *fa, uint64_t pfn, uint64_t count);
/* One frame: 0 and *pfn, or -FRAME_ALLOC_ENOMEM (-12). */
int frame_alloc_alloc(struct frame_alloc *fa, uint64_t *pfn);
/*
 * count contiguous frames starting at a multiple of align (a power of two;
 * 0 means 1): 0 and *pfn, -FRAME_ALLOC_ENOMEM if no such run is free, or
 * -FRAME_ALLOC_EINVAL for count 0 or an align that is not a power of two.
 */
int frame_alloc_alloc_contig(struct frame_alloc *fa, uint64_t count, uint64_t align,
                             uint64_t *pfn);
/* Freeing a free or out-of-range frame is a caller bug: BUG_ON. */
void frame_alloc_free(struct frame_alloc *fa, uint64_t pfn);
/* False for used or out-of-range frames. */
bool frame_alloc_is_free(const struct frame_alloc *fa, uint64_t pfn);
/*
 * Boot helper: add the page-aligned interior of every usable region of mb
 * (partial pages at region edges are not usable), then reserve every frame
 * that a non-usable region touches even partly, so that where the map
 * overlaps itself the non-usable type wins (as Xen's e820 sanitising does).
 * Frames at or above nr_frames are ignored.
 */
void frame_alloc_add_regions(struct frame_alloc *fa, const struct mb_info *mb);

#endif /* XENIA_CORE_FRAME_ALLOC_H */
