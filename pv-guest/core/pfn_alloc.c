/*
 * pfn_alloc: first-fit bitmap allocator of pseudo-physical frames.
 * See guest/pfn_alloc.h for the invariants. Every loop is bounded by
 * nr_pfns; ranges are checked with subtraction so no sum can wrap.
 */
#include "guest/pfn_alloc.h"

static bool bit(const struct pfn_alloc *a, uint64_t pfn)
{
    return (a->bits[pfn / 64] >> (pfn % 64)) & 1;
}

static void set_range(struct pfn_alloc *a, uint64_t first, uint64_t count, bool used)
{
    for (uint64_t p = first; p < first + count; p++) {
        uint64_t m = 1ull << (p % 64);
        if (used)
            a->bits[p / 64] |= m;
        else
            a->bits[p / 64] &= ~m;
    }
}

void pfn_alloc_init(struct pfn_alloc *a, uint64_t *bits, uint64_t nr_pfns)
{
    a->bits = bits;
    a->nr_pfns = nr_pfns;
    a->nr_free = 0;
    a->hint = nr_pfns;
    memset(bits, 0xff, PFN_ALLOC_WORDS(nr_pfns) * sizeof(uint64_t));
}

/* Lowest free frame at or above `from`, or nr_pfns. Skips full words. */
static uint64_t next_free(const struct pfn_alloc *a, uint64_t from)
{
    while (from < a->nr_pfns) {
        uint64_t w = ~a->bits[from / 64] >> (from % 64);
        if (w != 0) {
            uint64_t p = from + (uint64_t)__builtin_ctzll(w);
            return p < a->nr_pfns ? p : a->nr_pfns;
        }
        from = (from / 64 + 1) * 64;
    }
    return a->nr_pfns;
}

int64_t pfn_alloc_get(struct pfn_alloc *a, uint64_t count)
{
    if (count == 0 || count > a->nr_pfns)
        return -PFN_ALLOC_EINVAL;
    if (count > a->nr_free)
        return -PFN_ALLOC_ENOMEM;
    uint64_t start = next_free(a, a->hint);
    while (start < a->nr_pfns && a->nr_pfns - start >= count) {
        uint64_t run = 1;
        while (run < count && !bit(a, start + run))
            run++;
        if (run == count) {
            set_range(a, start, count, true);
            a->nr_free -= count;
            if (start == a->hint || a->nr_free == 0)
                a->hint = next_free(a, start + count);
            return (int64_t)start;
        }
        start = next_free(a, start + run);
    }
    return -PFN_ALLOC_ENOMEM;
}

int pfn_alloc_free(struct pfn_alloc *a, uint64_t first, uint64_t count)
{
    if (count == 0 || first >= a->nr_pfns || count > a->nr_pfns - first)
        return -PFN_ALLOC_EINVAL;
    for (uint64_t p = first; p < first + count; p++)
        if (!bit(a, p))
            return -PFN_ALLOC_EINVAL;
    set_range(a, first, count, false);
    a->nr_free += count;
    if (first < a->hint)
        a->hint = first;
    return 0;
}

bool pfn_alloc_in_use(const struct pfn_alloc *a, uint64_t pfn)
{
    return pfn < a->nr_pfns && bit(a, pfn);
}
