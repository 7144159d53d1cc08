/*
 * Guest memory: pseudo-physical frames, their machine frames, and the page
 * allocator.
 *
 * The p2m list (start_info.mfn_list, one machine frame per pfn) is ours;
 * the M2P table (machine -> pfn) is the hypervisor's, read-only. Every
 * usable pfn below DIRECTMAP_MAX_PAGES is mapped at KERNEL_VIRT_BASE +
 * (pfn << 12) once mm_init() has run, so a frame's kernel address is a sum.
 * Frames the builder used (kernel image, ramdisk, p2m, start_info, boot
 * page tables, boot stack) are never handed out. Pages from the allocator
 * are not zeroed unless asked.
 */
#ifndef PVG_GUEST_MM_H
#define PVG_GUEST_MM_H

#include <stdbool.h>
#include <stdint.h>

#include "arch/layout.h"
#include "public/xen.h"

#define INVALID_MFN (~0ULL)

extern uint64_t *mm_p2m;          /* start_info.mfn_list */
extern uint64_t mm_nr_pages;      /* frames usable through the direct map */

static inline uint64_t pfn_to_mfn(uint64_t pfn)
{
    return mm_p2m[pfn];
}

static inline uint64_t mfn_to_pfn(uint64_t mfn)
{
    return ((const volatile uint64_t *)MACH2PHYS_VIRT_START)[mfn];
}

static inline void *pfn_to_virt(uint64_t pfn)
{
    return (void *)(uintptr_t)(KERNEL_VIRT_BASE + (pfn << PAGE_SHIFT));
}

static inline uint64_t virt_to_pfn(const void *va)
{
    return ((uint64_t)(uintptr_t)va - KERNEL_VIRT_BASE) >> PAGE_SHIFT;
}

static inline uint64_t virt_to_mfn(const void *va)
{
    return pfn_to_mfn(virt_to_pfn(va));
}

/* Direct-map address of a machine frame we own, or NULL. */
void *mfn_to_virt(uint64_t mfn);

/* Find the free frames, map every frame into the direct map. */
void mm_init(void);
void *mm_alloc_pages(uint64_t n);
void *mm_alloc_zeroed(uint64_t n);
void mm_free_pages(void *va, uint64_t n);
uint64_t mm_free_count(void);
/* First pfn the allocator may hand out (the builder's data ends there). */
uint64_t mm_first_free_pfn(void);

#endif /* PVG_GUEST_MM_H */
