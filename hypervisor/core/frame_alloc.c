/*
 * Bitmap physical frame allocator (see include/core/frame_alloc.h).
 *
 * Representation: bit (pfn % 64) of bitmap[pfn / 64] is set when the frame
 * is free. Invariants:
 *  - nr_free == number of set bits; every update goes through
 *    fa_update_range() or a single-bit change that adjusts nr_free by
 *    exactly the bits that changed, so overlapping add_free/reserve calls
 *    keep it exact.
 *  - Bits at positions >= nr_frames are never set (all updates are clamped
 *    to [0, nr_frames) first), so searches may scan whole words.
 *  - hint <= nr_frames.
 * Only compiler builtins that never become library calls are used (ctz
 * becomes bsf/tzcnt; popcount is written out, since without POPCNT GCC
 * would call libgcc).
 */
#include "core/env.h"
#include "core/frame_alloc.h"

static unsigned fa_popcount(uint64_t x)
{
    x = x - ((x >> 1) & 0x5555555555555555ull);
    x = (x & 0x3333333333333333ull) + ((x >> 2) & 0x3333333333333333ull);
    x = (x + (x >> 4)) & 0x0f0f0f0f0f0f0f0full;
    return (unsigned)((x * 0x0101010101010101ull) >> 56);
}

/* Bits [lo, lo + n) of a word, 0 <= lo < 64, 1 <= n <= 64 - lo. */
static uint64_t fa_word_mask(unsigned lo, unsigned n)
{
    uint64_t m = n == 64 ? ~0ull : (1ull << n) - 1;

    return m << lo;
}

/* Clamp [*pfn, *pfn + *count) to the range; false if nothing remains. */
static bool fa_clamp(const struct frame_alloc *fa, uint64_t *pfn, uint64_t *count)
{
    if (*pfn >= fa->nr_frames || *count == 0)
        return false;
    *count = MIN(*count, fa->nr_frames - *pfn);
    return true;
}

/* Set (free) or clear (used) an in-range run, keeping nr_free exact. */
static void fa_update_range(struct frame_alloc *fa, uint64_t pfn, uint64_t count, bool free)
{
    uint64_t end = pfn + count; /* in range: no wrap */

    while (pfn < end) {
        unsigned lo = (unsigned)(pfn % 64);
        unsigned n = (unsigned)MIN((uint64_t)(64 - lo), end - pfn);
        uint64_t m = fa_word_mask(lo, n);
        uint64_t *w = &fa->bitmap[pfn / 64];

        if (free) {
            fa->nr_free += fa_popcount(m & ~*w);
            *w |= m;
        } else {
            fa->nr_free -= fa_popcount(m & *w);
            *w &= ~m;
        }
        pfn += n;
    }
}

/*
 * First frame in [from, limit) that is free (want_free) or used, or limit.
 * limit <= nr_frames.
 */
static uint64_t fa_find(const struct frame_alloc *fa, uint64_t from, uint64_t limit,
                        bool want_free)
{
    while (from < limit) {
        uint64_t w = fa->bitmap[from / 64];
        if (!want_free)
            w = ~w;
        w &= ~0ull << (from % 64);
        if (w) {
            uint64_t at = (from & ~63ull) + (uint64_t)__builtin_ctzll(w);
            return MIN(at, limit);
        }
        from = (from & ~63ull) + 64;
    }
    return limit;
}

void frame_alloc_init(struct frame_alloc *fa, uint64_t *bitmap, uint64_t nr_frames)
{
    fa->bitmap = bitmap;
    fa->nr_frames = nr_frames;
    fa->nr_free = 0;
    fa->hint = 0;
    memset(bitmap, 0, FRAME_ALLOC_BITMAP_WORDS(nr_frames) * sizeof(uint64_t));
}

void frame_alloc_add_free(struct frame_alloc *fa, uint64_t pfn, uint64_t count)
{
    if (fa_clamp(fa, &pfn, &count))
        fa_update_range(fa, pfn, count, true);
}

void frame_alloc_reserve(struct frame_alloc *fa, uint64_t pfn, uint64_t count)
{
    if (fa_clamp(fa, &pfn, &count))
        fa_update_range(fa, pfn, count, false);
}

int frame_alloc_alloc(struct frame_alloc *fa, uint64_t *pfn)
{
    if (fa->nr_free == 0)
        return -FRAME_ALLOC_ENOMEM;
    uint64_t p = fa_find(fa, fa->hint, fa->nr_frames, true);
    if (p == fa->nr_frames)
        p = fa_find(fa, 0, fa->hint, true);
    BUG_ON(p >= fa->nr_frames); /* nr_free > 0 promised a free bit */
    fa->bitmap[p / 64] &= ~(1ull << (p % 64));
    fa->nr_free--;
    fa->hint = p + 1 == fa->nr_frames ? 0 : p + 1;
    *pfn = p;
    return 0;
}

int frame_alloc_alloc_contig(struct frame_alloc *fa, uint64_t count, uint64_t align,
                             uint64_t *pfn)
{
    uint64_t nr = fa->nr_frames;

    if (align == 0)
        align = 1;
    if (count == 0 || (align & (align - 1)) != 0)
        return -FRAME_ALLOC_EINVAL;
    if (count > fa->nr_free)
        return -FRAME_ALLOC_ENOMEM;

    /* Each round moves start strictly forward, so the loop ends. */
    for (uint64_t start = 0;;) {
        start = fa_find(fa, start, nr, true);
        if (start >= nr || start > UINT64_MAX - (align - 1))
            return -FRAME_ALLOC_ENOMEM;
        start = ALIGN_UP(start, align);
        if (start >= nr || count > nr - start)
            return -FRAME_ALLOC_ENOMEM;
        uint64_t used = fa_find(fa, start, start + count, false);
        if (used == start + count) {
            fa_update_range(fa, start, count, false);
            *pfn = start;
            return 0;
        }
        start = used + 1;
    }
}

void frame_alloc_free(struct frame_alloc *fa, uint64_t pfn)
{
    BUG_ON(pfn >= fa->nr_frames);
    BUG_ON(fa->bitmap[pfn / 64] & (1ull << (pfn % 64))); /* double free */
    fa->bitmap[pfn / 64] |= 1ull << (pfn % 64);
    fa->nr_free++;
}

bool frame_alloc_is_free(const struct frame_alloc *fa, uint64_t pfn)
{
    return pfn < fa->nr_frames && (fa->bitmap[pfn / 64] & (1ull << (pfn % 64)));
}

/* Frames wholly inside [base, base+len) (len > 0; a wrap ends at 2^64). */
static void fa_interior(const struct mb_region *r, uint64_t *first, uint64_t *end)
{
    uint64_t last = r->base + r->len - 1;

    if (last < r->base)
        last = UINT64_MAX;
    *first = (r->base >> FRAME_SHIFT) + ((r->base & (FRAME_SIZE - 1)) != 0);
    *end = last == UINT64_MAX ? 1ull << (64 - FRAME_SHIFT) : (last + 1) >> FRAME_SHIFT;
}

/* Frames touched at all by [base, base+len) (len > 0). */
static void fa_touched(const struct mb_region *r, uint64_t *first, uint64_t *end)
{
    uint64_t last = r->base + r->len - 1;

    if (last < r->base)
        last = UINT64_MAX;
    *first = r->base >> FRAME_SHIFT;
    *end = (last >> FRAME_SHIFT) + 1;
}

void frame_alloc_add_regions(struct frame_alloc *fa, const struct mb_info *mb)
{
    unsigned n = MIN(mb->nr_regions, (unsigned)MB_MAX_REGIONS);
    uint64_t first, end;

    for (unsigned i = 0; i < n; i++) {
        const struct mb_region *r = &mb->regions[i];
        if (r->len == 0 || r->type != MB_REGION_USABLE)
            continue;
        fa_interior(r, &first, &end);
        if (first < end)
            frame_alloc_add_free(fa, first, end - first);
    }
    for (unsigned i = 0; i < n; i++) {
        const struct mb_region *r = &mb->regions[i];
        if (r->len == 0 || r->type == MB_REGION_USABLE)
            continue;
        fa_touched(r, &first, &end);
        frame_alloc_reserve(fa, first, end - first);
    }
}
