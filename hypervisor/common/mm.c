/*
 * Boot-time memory setup and the frame allocator glue.
 *
 * Order (each step needs the previous one): find room for the allocator's
 * bitmap in usable RAM that nothing reserved overlaps; seed the allocator
 * with the usable map minus [0, 1 MiB), the image, the boot information,
 * every module and the bitmap itself; build the final page tables; map the
 * frame table. Until paging_init() switches tables, allocated frames are
 * reached through the early map, so early allocations come from below 4 GiB
 * (the allocator hands out the lowest free frame first).
 */
#include <xenia/console.h>
#include <xenia/mm.h>
#include <xenia/shutdown.h>
#include "core/frame_alloc.h"

extern uint8_t __load_start_hv[], __image_end[];

#define LOW_MEMORY_END   (1ull << 20)
#define MAX_PHYS_END     (HV_DIRECTMAP_END - HV_DIRECTMAP_BASE)

uint64_t mm_max_pfn;
static struct frame_alloc frames;

static uint64_t *pgt_table(void *ctx, uint64_t mfn)
{
    (void)ctx;
    return phys_to_virt(mfn << PAGE_SHIFT);
}

static void pgt_flush(void *ctx, uint64_t mfn)
{
    (void)ctx, (void)mfn;
    flush_tlb_all();
}

static void pgt_install_hv_slots(void *ctx, uint64_t mfn, uint64_t *l4)
{
    (void)ctx, (void)mfn;
    paging_copy_hv_slots(l4);
}

struct pgt_env pgt_env_hv = {
    .frames = frame_table,
    .table = pgt_table,
    .flush = pgt_flush,
    .install_hv_slots = pgt_install_hv_slots,
    .hv_slot_first = HV_SLOT_FIRST,
    .hv_slot_last = HV_SLOT_LAST,
};

/*
 * The M2P: one u64 per machine frame, M2P_INVALID unless a domain owns the
 * frame. Its frames belong to the hypervisor and are marked guest-readable;
 * guests see them read-only at HV_M2P_BASE (L4 slot 256 carries the user
 * bit there and nowhere else in the hypervisor range).
 */
static void m2p_init(void)
{
    uint64_t bytes = ALIGN_UP(mm_max_pfn * 8, PAGE_SIZE);
    for (uint64_t off = 0; off < bytes; off += PAGE_SIZE) {
        uint64_t mfn;
        if (alloc_frame(&mfn))
            panic("no memory for the M2P table");
        memset(phys_to_virt(mfn << PAGE_SHIFT), 0xff, PAGE_SIZE);
        if (paging_map_frame(HV_M2P_RW_BASE + off, mfn, PGT_PTE_RW | PGT_PTE_NX) ||
            paging_map_frame(HV_M2P_BASE + off, mfn, PGT_PTE_US | PGT_PTE_NX))
            panic("cannot map the M2P table");
        BUG_ON(pgt_assign(&pgt_env_hv, mfn, PGT_OWNER_XEN) || pgt_share_ro(&pgt_env_hv, mfn));
    }
}

void m2p_set(uint64_t mfn, uint64_t pfn)
{
    BUG_ON(mfn >= mm_max_pfn);
    ((uint64_t *)HV_M2P_RW_BASE)[mfn] = pfn;
}

uint64_t m2p_get(uint64_t mfn)
{
    return mfn < mm_max_pfn ? ((uint64_t *)HV_M2P_RW_BASE)[mfn] : M2P_INVALID;
}

struct pa_range {
    uint64_t start, end;
};

static unsigned reserved_ranges(const struct mb_info *mb, struct pa_range *out)
{
    unsigned n = 0;
    out[n++] = (struct pa_range){ 0, LOW_MEMORY_END };
    out[n++] = (struct pa_range){ virt_to_phys(__load_start_hv), virt_to_phys(__image_end) };
    out[n++] = (struct pa_range){ mb->info_start, mb->info_end };
    for (unsigned i = 0; i < mb->nr_modules; i++)
        out[n++] = (struct pa_range){ mb->modules[i].start, mb->modules[i].end };
    return n;
}

/* First page-aligned spot of `size` bytes in usable RAM below 4 GiB that no
   reserved range touches. */
static uint64_t find_free_spot(const struct mb_info *mb, uint64_t size)
{
    struct pa_range res[3 + MB_MAX_MODULES];
    unsigned nres = reserved_ranges(mb, res);

    for (unsigned i = 0; i < mb->nr_regions; i++) {
        const struct mb_region *r = &mb->regions[i];
        if (r->type != MB_REGION_USABLE)
            continue;
        uint64_t pa = ALIGN_UP(r->base, PAGE_SIZE);
        uint64_t end = MIN(r->base + r->len, 4ull << 30);
        while (pa + size <= end) {
            bool clash = false;
            for (unsigned j = 0; j < nres; j++) {
                if (pa < res[j].end && res[j].start < pa + size) {
                    pa = ALIGN_UP(res[j].end, PAGE_SIZE);
                    clash = true;
                    break;
                }
            }
            if (!clash)
                return pa;
        }
    }
    return 0;
}

static void reserve_range(uint64_t start, uint64_t end)
{
    if (end > start)
        frame_alloc_reserve(&frames, start >> PAGE_SHIFT,
                            (ALIGN_UP(end, PAGE_SIZE) >> PAGE_SHIFT) - (start >> PAGE_SHIFT));
}

void mm_init(const struct mb_info *mb)
{
    uint64_t max_pa = 0, usable = 0;

    for (unsigned i = 0; i < mb->nr_regions; i++) {
        const struct mb_region *r = &mb->regions[i];
        if (r->type != MB_REGION_USABLE)
            continue;
        usable += r->len;
        max_pa = MAX(max_pa, MIN(r->base + r->len, MAX_PHYS_END));
    }
    mm_max_pfn = ALIGN_UP(max_pa, PAGE_SIZE) >> PAGE_SHIFT;

    uint64_t bitmap_bytes = ALIGN_UP(FRAME_ALLOC_BITMAP_WORDS(mm_max_pfn) * 8, PAGE_SIZE);
    uint64_t bitmap_pa = find_free_spot(mb, bitmap_bytes);
    if (!bitmap_pa)
        panic("no room for the frame allocator's bitmap (%lu KiB)", bitmap_bytes >> 10);

    frame_alloc_init(&frames, phys_to_virt(bitmap_pa), mm_max_pfn);
    frame_alloc_add_regions(&frames, mb);
    struct pa_range res[3 + MB_MAX_MODULES];
    unsigned nres = reserved_ranges(mb, res);
    for (unsigned i = 0; i < nres; i++)
        reserve_range(res[i].start, res[i].end);
    reserve_range(bitmap_pa, bitmap_pa + bitmap_bytes);

    paging_init(max_pa, mb);

    uint64_t ft_bytes = ALIGN_UP(mm_max_pfn * sizeof(struct pgt_frame), PAGE_SIZE);
    if (paging_map_zeroed(HV_FRAMETABLE_BASE, ft_bytes))
        panic("cannot map the frame table (%lu KiB)", ft_bytes >> 10);
    pgt_env_hv.nr_frames = mm_max_pfn;
    pgt_frames_init(&pgt_env_hv);
    m2p_init();

    printk("Memory: %lu MiB usable, max pfn %#lx, %lu MiB free; frame table %lu KiB\n",
           usable >> 20, mm_max_pfn, (frames.nr_free * PAGE_SIZE) >> 20, ft_bytes >> 10);
}

int alloc_frame(uint64_t *mfn)
{
    return frame_alloc_alloc(&frames, mfn);
}

int alloc_frames_contig(uint64_t count, uint64_t *first_mfn)
{
    return frame_alloc_alloc_contig(&frames, count, 1, first_mfn);
}

void free_frame(uint64_t mfn)
{
    frame_alloc_free(&frames, mfn);
}

uint64_t mm_free_frames(void)
{
    return frames.nr_free;
}

void *alloc_page(void)
{
    uint64_t mfn;
    if (alloc_frame(&mfn))
        return NULL;
    void *va = phys_to_virt(mfn << PAGE_SHIFT);
    memset(va, 0, PAGE_SIZE);
    return va;
}

void free_page(void *va)
{
    free_frame(virt_to_phys(va) >> PAGE_SHIFT);
}
