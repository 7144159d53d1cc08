/*
 * pfn_alloc: the guest kernel's page-frame allocator, one bit per
 * pseudo-physical frame in [0, nr_pfns).
 *
 * Invariants:
 *  - bit set = frame in use, or never handed to the allocator; a fresh
 *    allocator has every frame in use, and frames become allocatable only
 *    through pfn_alloc_free();
 *  - nr_free equals the number of clear bits below nr_pfns; bits of the
 *    last word at or above nr_pfns stay set;
 *  - every clear bit lies at or above `hint`.
 * Allocation is first fit from the lowest frame: the boot code relies on
 * that, because low frames are the ones already mapped while it extends
 * the kernel's direct map. Bad requests (zero or too large counts, ranges
 * outside the map, freeing a free frame) fail with an error code and leave
 * the allocator unchanged.
 *
 * Portable core code: built into the guest kernel and into the host tests.
 */
#ifndef PVG_GUEST_PFN_ALLOC_H
#define PVG_GUEST_PFN_ALLOC_H

#include "core/env.h"

#define PFN_ALLOC_ENOMEM 12
#define PFN_ALLOC_EINVAL 22

/* Words of storage for a map of n frames. */
#define PFN_ALLOC_WORDS(n) (((n) + 63) / 64)

struct pfn_alloc {
    uint64_t *bits;          /* PFN_ALLOC_WORDS(nr_pfns) words, caller's */
    uint64_t nr_pfns;
    uint64_t nr_free;
    uint64_t hint;           /* no free frame below this one */
};

/* Every frame starts in use. */
void pfn_alloc_init(struct pfn_alloc *a, uint64_t *bits, uint64_t nr_pfns);

/* count contiguous frames, lowest first: the first pfn, or -ENOMEM
 * (nothing that large is free) / -EINVAL (count 0 or > nr_pfns). */
int64_t pfn_alloc_get(struct pfn_alloc *a, uint64_t count);

/* Return [first, first + count): -EINVAL, changing nothing, if the range is
 * empty, leaves the map, or holds a frame that is already free. */
int pfn_alloc_free(struct pfn_alloc *a, uint64_t first, uint64_t count);

/* True if pfn is in the map and in use. */
bool pfn_alloc_in_use(const struct pfn_alloc *a, uint64_t pfn);

#endif /* PVG_GUEST_PFN_ALLOC_H */
