/*
 * Physical memory of the hypervisor: the frame allocator over usable RAM,
 * the direct map, the frame table and the heap.
 *
 * Invariants: every byte of RAM is reachable at HV_DIRECTMAP_BASE + pa once
 * mm_init() has run (before it, the early map covers [0, 4 GiB)); the frame
 * allocator never hands out a frame of the hypervisor image, the boot
 * information, a boot module, or below 1 MiB.
 */
#ifndef XENIA_MM_H
#define XENIA_MM_H

#include <xenia/layout.h>
#include "core/env.h"
#include "core/multiboot.h"
#include "core/pgt.h"

static inline void *phys_to_virt(uint64_t pa) { return (void *)(HV_DIRECTMAP_BASE + pa); }
static inline uint64_t virt_to_phys(const void *va)
{
    uint64_t v = (uint64_t)va;
    return v >= HV_IMAGE_BASE && v < HV_DIRECTMAP_BASE ? v - HV_IMAGE_BASE : v - HV_DIRECTMAP_BASE;
}

/* One descriptor per machine frame, at HV_FRAMETABLE_BASE: owner, type and
   reference counts for the PV MMU (core/pgt.h). */
#define frame_table ((struct pgt_frame *)HV_FRAMETABLE_BASE)
extern struct pgt_env pgt_env_hv;           /* the frame table as pgt sees it */

/* The machine-to-physical table: hypervisor-writable at HV_M2P_RW_BASE,
   guest-readable at HV_M2P_BASE. */
#define M2P_INVALID (~0ull)
void m2p_set(uint64_t mfn, uint64_t pfn);
uint64_t m2p_get(uint64_t mfn);

void mm_init(const struct mb_info *mb);
extern uint64_t mm_max_pfn;                 /* frames [0, mm_max_pfn) have descriptors */

int alloc_frame(uint64_t *mfn);             /* 0 or -ENOMEM */
int alloc_frames_contig(uint64_t count, uint64_t *first_mfn);
void free_frame(uint64_t mfn);
uint64_t mm_free_frames(void);
void *alloc_page(void);                     /* zeroed, direct-map address, or NULL */
void free_page(void *va);

void *xmalloc(size_t size);                 /* 16-byte aligned, or NULL */
void *xzalloc(size_t size);
void xfree(void *p);
int xmalloc_selftest(void);                  /* boot-time heap check, 0 or -errno */

/* Arch: build the final page tables (direct map of [0, max_pa), the image)
   and switch to them. Page-table frames come from alloc_page(). */
void paging_init(uint64_t max_pa, const struct mb_info *mb);
/* Arch: map [va, va+size) to freshly allocated zeroed frames (hypervisor only). */
int paging_map_zeroed(uint64_t va, uint64_t size);
/* Arch: map one frame at va with the given L1 flags (P added). */
int paging_map_frame(uint64_t va, uint64_t mfn, uint64_t l1_flags);
/* Arch: the hypervisor's own L4 (no guest), and its slot entries for guests. */
uint64_t paging_idle_l4_mfn(void);
#define paging_idle_cr3() (paging_idle_l4_mfn() << PAGE_SHIFT)
void paging_copy_hv_slots(uint64_t *l4);
/* Arch: flush this CPU's TLB, global entries included. */
void flush_tlb_all(void);

#endif
