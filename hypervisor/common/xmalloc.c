/*
 * The hypervisor heap. Small blocks (up to XMALLOC_SMALL_MAX) come from
 * per-size-class pages: each page starts with a header naming its class and
 * holds equal slots; freed slots go on the class's free list. Larger blocks
 * take whole contiguous pages from the frame allocator with a header in the
 * first page. Either way the header sits at the start of the page holding
 * the returned pointer, so xfree() finds it by rounding down.
 */
#include <xenia/console.h>
#include <xenia/mm.h>

#define XMALLOC_MAGIC_SMALL 0x58534d4cu
#define XMALLOC_MAGIC_LARGE 0x584c5247u
#define XMALLOC_HDR 16
#define XMALLOC_MIN_SHIFT 4
#define XMALLOC_CLASSES 8                   /* 16 .. 2048 bytes */
#define XMALLOC_SMALL_MAX (16u << (XMALLOC_CLASSES - 1))

struct xmalloc_hdr {
    uint32_t magic;
    uint32_t class_or_pages;
    uint64_t reserved;
};
_Static_assert(sizeof(struct xmalloc_hdr) == XMALLOC_HDR, "header keeps 16-byte alignment");

struct free_slot {
    struct free_slot *next;
};

static struct free_slot *free_lists[XMALLOC_CLASSES];

static unsigned size_class(size_t size)
{
    unsigned c = 0;
    while ((16u << c) < size)
        c++;
    return c;
}

static void *small_alloc(unsigned c)
{
    if (!free_lists[c]) {
        uint8_t *page = alloc_page();
        if (!page)
            return NULL;
        *(struct xmalloc_hdr *)page = (struct xmalloc_hdr){ XMALLOC_MAGIC_SMALL, c, 0 };
        size_t slot = 16u << c;
        for (size_t off = XMALLOC_HDR; off + slot <= PAGE_SIZE; off += slot) {
            struct free_slot *s = (struct free_slot *)(page + off);
            s->next = free_lists[c];
            free_lists[c] = s;
        }
    }
    struct free_slot *s = free_lists[c];
    free_lists[c] = s->next;
    return s;
}

void *xmalloc(size_t size)
{
    if (size == 0)
        size = 1;
    if (size <= XMALLOC_SMALL_MAX)
        return small_alloc(size_class(size));
    if (size > (1ull << 30))
        return NULL;
    uint64_t pages = ALIGN_UP(size + XMALLOC_HDR, PAGE_SIZE) / PAGE_SIZE;
    void *p = NULL;
    uint64_t first;
    if (alloc_frames_contig(pages, &first) == 0) {
        p = phys_to_virt(first << PAGE_SHIFT);
        *(struct xmalloc_hdr *)p = (struct xmalloc_hdr){ XMALLOC_MAGIC_LARGE, (uint32_t)pages, 0 };
        p = (uint8_t *)p + XMALLOC_HDR;
    }
    return p;
}

void *xzalloc(size_t size)
{
    void *p = xmalloc(size);
    if (p)
        memset(p, 0, size);
    return p;
}

void xfree(void *p)
{
    if (!p)
        return;
    struct xmalloc_hdr *h = (struct xmalloc_hdr *)ALIGN_DOWN((uint64_t)p, PAGE_SIZE);
    if (h->magic == XMALLOC_MAGIC_SMALL) {
        BUG_ON(h->class_or_pages >= XMALLOC_CLASSES);
        struct free_slot *s = p;
        s->next = free_lists[h->class_or_pages];
        free_lists[h->class_or_pages] = s;
        return;
    }
    BUG_ON(h->magic != XMALLOC_MAGIC_LARGE || (uint8_t *)p != (uint8_t *)h + XMALLOC_HDR);
    uint64_t first = virt_to_phys(h) >> PAGE_SHIFT;
    uint64_t pages = h->class_or_pages;
    h->magic = 0;
    for (uint64_t i = 0; i < pages; i++)
        free_frame(first + i);
}

/*
 * Boot-time check of the heap against the frame allocator: blocks of every
 * class and a multi-page block are allocated, written, freed, and the large
 * block's frames must come back. Returns 0 or a negative errno.
 */
int xmalloc_selftest(void)
{
    static const size_t sizes[] = { 1, 16, 17, 100, 512, 2048, 3 * PAGE_SIZE + 5 };
    void *blocks[ARRAY_SIZE(sizes)];
    uint64_t free_before = mm_free_frames();

    for (size_t i = 0; i < ARRAY_SIZE(sizes); i++) {
        blocks[i] = xzalloc(sizes[i]);
        if (!blocks[i] || ((uint64_t)blocks[i] & 15))
            return -12;
        memset(blocks[i], 0xa5, sizes[i]);
    }
    for (size_t i = 0; i < ARRAY_SIZE(sizes); i++)
        for (size_t j = i + 1; j < ARRAY_SIZE(sizes); j++)
            if ((uint8_t *)blocks[i] < (uint8_t *)blocks[j] + sizes[j] &&
                (uint8_t *)blocks[j] < (uint8_t *)blocks[i] + sizes[i])
                return -22;                 /* overlapping blocks */
    for (size_t i = 0; i < ARRAY_SIZE(sizes); i++)
        xfree(blocks[i]);
    /* Small-class pages stay on their free lists; only the large block's
       four pages must be back, and nothing more than the class pages used. */
    uint64_t free_after = mm_free_frames();
    if (free_after > free_before || free_before - free_after > XMALLOC_CLASSES)
        return -14;
    void *again = xmalloc(3 * PAGE_SIZE + 5);
    bool same = again == blocks[ARRAY_SIZE(sizes) - 1];
    xfree(again);
    return same ? 0 : -14;
}
