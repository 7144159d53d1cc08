/*
 * Guest memory: the direct map and the page allocator.
 *
 * At entry only the builder's initial region is mapped: kernel image,
 * ramdisk, p2m list, start_info, boot page tables, boot stack, and spare
 * pages up to a 4 MiB boundary (at least 512 KiB). mm_init():
 *   1. marks every frame in use, then frees the mapped frames after the
 *      last piece of boot data;
 *   2. maps every other frame into the direct map with batched mmu_update
 *      requests; the page tables this needs come from the allocator, which
 *      hands out the lowest free frames, i.e. the already-mapped spare ones;
 *   3. frees the newly mapped frames.
 * Frames whose p2m entry is invalid, and frames beyond DIRECTMAP_MAX_PAGES,
 * are never used.
 */
#include "guest/mm.h"
#include "arch/pgtable.h"
#include "guest/console.h"
#include "guest/kernel.h"
#include "guest/pfn_alloc.h"

extern char _end[];

uint64_t *mm_p2m;
uint64_t mm_nr_pages;

static uint64_t p2m_entries;          /* start_info.nr_pages */
static uint64_t first_free_pfn;
static uint64_t bitmap[PFN_ALLOC_WORDS(DIRECTMAP_MAX_PAGES)];
static struct pfn_alloc allocator;

void *mfn_to_virt(uint64_t mfn)
{
    uint64_t pfn = mfn_to_pfn(mfn);
    if (pfn >= mm_nr_pages || mm_p2m[pfn] != mfn)
        return NULL;
    return pfn_to_virt(pfn);
}

static uint64_t pfn_up(uint64_t va)
{
    return (va - KERNEL_VIRT_BASE + PAGE_SIZE - 1) >> PAGE_SHIFT;
}

/* The first pfn after everything the builder put in the initial region. */
static uint64_t boot_data_end(const struct start_info *si)
{
    uint64_t end = pfn_up((uint64_t)(uintptr_t)_end);

    end = MAX(end, pfn_up(si->mfn_list + si->nr_pages * sizeof(uint64_t)));
    end = MAX(end, pfn_up((uint64_t)(uintptr_t)start_info_page + PAGE_SIZE));
    end = MAX(end, pfn_up(si->pt_base + si->nr_pt_frames * PAGE_SIZE));
    if (si->mod_len != 0 && !(si->flags & SIF_MOD_START_PFN))
        end = MAX(end, pfn_up(si->mod_start + si->mod_len));
    else if (si->mod_len != 0)
        end = MAX(end, si->mod_start + ((si->mod_len + PAGE_SIZE - 1) >> PAGE_SHIFT));
    return end + 1;     /* the boot stack above the page tables */
}

static bool mapped(uint64_t pfn)
{
    uint64_t pte;
    return pt_lookup((uint64_t)(uintptr_t)pfn_to_virt(pfn), &pte) && (pte & XEN_PTE_PRESENT) &&
           ((pte & XEN_PTE_ADDR_MASK) >> PAGE_SHIFT) == mm_p2m[pfn];
}

void mm_init(void)
{
    const struct start_info *si = &start_info;
    uint64_t mapped_end, pfn, added = 0;

    mm_p2m = (uint64_t *)(uintptr_t)si->mfn_list;
    p2m_entries = si->nr_pages;
    mm_nr_pages = MIN(si->nr_pages, DIRECTMAP_MAX_PAGES);
    pt_init(si->pt_base);
    first_free_pfn = boot_data_end(si);
    if (first_free_pfn >= mm_nr_pages)
        guest_crash("mm: no free memory after the boot data");

    pfn_alloc_init(&allocator, bitmap, mm_nr_pages);
    for (mapped_end = first_free_pfn; mapped_end < mm_nr_pages && mapped(mapped_end); mapped_end++)
        ;
    if (mapped_end == first_free_pfn)
        guest_crash("mm: no mapped spare pages after the boot data");
    pfn_alloc_free(&allocator, first_free_pfn, mapped_end - first_free_pfn);

    /* One L1's worth at a time, so later tables can come from pages mapped
     * by earlier rounds once the spare pages are used up. */
    for (pfn = mapped_end; pfn < mm_nr_pages;) {
        uint64_t first = pfn, end = MIN(ALIGN_UP(pfn + 1, 512), mm_nr_pages);
        for (; pfn < end; pfn++) {
            if (mm_p2m[pfn] == INVALID_MFN)
                continue;
            if (pt_queue_map((uint64_t)(uintptr_t)pfn_to_virt(pfn), mm_p2m[pfn],
                             PTE_KERNEL_RW) < 0)
                guest_crash("mm: cannot extend the direct map");
        }
        if (pt_commit() < 0)
            guest_crash("mm: cannot extend the direct map");
        for (uint64_t p = first; p < end; p++)
            if (mm_p2m[p] != INVALID_MFN && pfn_alloc_free(&allocator, p, 1) == 0)
                added++;
    }
    printk("mm: %lu pages (p2m %lu), boot data up to pfn %#lx, builder mapped up to %#lx, "
           "%lu mapped now, %lu free\n",
           (unsigned long)mm_nr_pages, (unsigned long)p2m_entries,
           (unsigned long)first_free_pfn, (unsigned long)mapped_end, (unsigned long)added,
           (unsigned long)allocator.nr_free);
}

uint64_t mm_first_free_pfn(void)
{
    return first_free_pfn;
}

void *mm_alloc_pages(uint64_t n)
{
    int64_t pfn = pfn_alloc_get(&allocator, n);
    return pfn < 0 ? NULL : pfn_to_virt((uint64_t)pfn);
}

void *mm_alloc_zeroed(uint64_t n)
{
    void *p = mm_alloc_pages(n);
    if (p != NULL)
        memset(p, 0, n * PAGE_SIZE);
    return p;
}

void mm_free_pages(void *va, uint64_t n)
{
    if (pfn_alloc_free(&allocator, virt_to_pfn(va), n) < 0) {
        printk("mm: bad free of %lu pages at %p\n", (unsigned long)n, va);
        guest_crash("mm: bad free");
    }
}

uint64_t mm_free_count(void)
{
    return allocator.nr_free;
}
