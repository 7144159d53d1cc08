/*
 * dombuild: the initial memory image of a PV domain, as pv-abi.md ("Entry
 * to a new PV domain") prescribes and Xen builds it. One implementation for
 * both builders: the hypervisor's dom0 builder (hypervisor/arch/x86_64/
 * dom0_build.c) and dom0's domU builder (pv-guest/dom0/builder.c), so a
 * kernel finds the same picture whoever started it.
 *
 * From v_start (the kernel's VIRT_BASE), each piece 4 KiB aligned and mapped
 * 1:1 onto pseudo-physical frames 0, 1, ...:
 *   kernel image | ramdisk | p2m (u64 mfn per pfn) | start_info |
 *   [domU: xenstore page | console page] | page tables | boot stack
 * and the mapped region [v_start, v_end) ends on a 4 MiB boundary with at
 * least 512 KiB to spare. Page tables are allocated in address order (L4
 * first, then for each new span an L3, L2, L1 as the walk needs them); L1
 * entries are P|RW|A|U except those mapping the page-table frames, which
 * are read-only; L2..L4 entries P|RW|A|D|U.
 *
 * dombuild_layout() computes the addresses. The writers then zero
 * [p2m_start, v_end) and fill the p2m list, start_info and the page tables;
 * they never touch the kernel and ramdisk bytes, which are the caller's to
 * copy (before or after). The caller supplies the region's frames either as
 * one contiguous writable view in pfn order (dombuild_write: dom0's foreign
 * mapping of a new domU, a test buffer) or page by page (dombuild_write_pages:
 * the hypervisor, whose frames are scattered in its direct map).
 *
 * Portable core code: built into the hypervisor, into the guest kernel and
 * into the host tests. The layout is computed from values the caller
 * controls (a kernel image, a configured memory size): every bad one gets an
 * error code, none reaches BUG_ON.
 */
#ifndef XENIA_CORE_DOMBUILD_H
#define XENIA_CORE_DOMBUILD_H

#include "core/env.h"
#include "public/xen.h"

#define DOMBUILD_ENOMEM 12
#define DOMBUILD_EINVAL 22
#define DOMBUILD_PAGE   4096ULL

struct dombuild_layout {
    uint64_t v_start, kern_end;         /* kern_end: page-aligned end of the image */
    uint64_t ramdisk_start, ramdisk_len;
    uint64_t p2m_start, si_start;
    uint64_t store_start, console_start; /* domU only, else 0 */
    uint64_t pt_start, nr_pt_frames;
    uint64_t stack_start, v_end;
    uint64_t nr_pages;                  /* the domain's, >= the region's */
};

/*
 * Layout for a kernel occupying [virt_base, image_end) with a ramdisk of
 * ramdisk_len bytes and a p2m of nr_pages entries (the domain's frames).
 *   0                 *l is the layout.
 *   -DOMBUILD_EINVAL  the region would not be page-aligned, canonical, or
 *                     clear of the hypervisor's slots; *l is zeroed.
 *   -DOMBUILD_ENOMEM  the region needs more than nr_pages frames; *l is the
 *                     layout all the same, so that a caller may size the
 *                     domain from dombuild_region_pages() and print it.
 */
int dombuild_layout(struct dombuild_layout *l, uint64_t virt_base, uint64_t image_end,
                    uint64_t ramdisk_len, uint64_t nr_pages, bool domu);

/* Pages of the mapped region. */
static inline uint64_t dombuild_region_pages(const struct dombuild_layout *l)
{
    return (l->v_end - l->v_start) / DOMBUILD_PAGE;
}

static inline uint64_t dombuild_pfn(const struct dombuild_layout *l, uint64_t va)
{
    return (va - l->v_start) / DOMBUILD_PAGE;
}

struct dombuild_params {
    const uint64_t *p2m;                /* nr_pages machine frames */
    uint64_t shared_info_maddr;
    uint32_t flags;                     /* SIF_*: 0 for a domU */
    uint32_t store_evtchn, console_evtchn; /* domU only */
    const char *cmdline;                /* NULL or cut to MAX_GUEST_CMDLINE - 1 */
};

/*
 * Zero [p2m_start, v_end) and fill the p2m list, start_info, the xenstore
 * and console pages (zeroed) and the page tables. region is a writable view
 * of the region's frames in pfn order (pfn N at region + N * 4096).
 * -DOMBUILD_EINVAL, with nothing written, if a machine frame does not fit a
 * PTE.
 */
int dombuild_write(const struct dombuild_layout *l, uint8_t *region,
                   const struct dombuild_params *p);

/* The same through a page accessor: page(ctx, pfn) is a writable pointer to
   the 4 KiB of frame pfn of the region; the writer asks for each page it
   writes, in any order, possibly more than once. */
typedef void *(*dombuild_page_fn)(void *ctx, uint64_t pfn);
int dombuild_write_pages(const struct dombuild_layout *l, dombuild_page_fn page, void *ctx,
                         const struct dombuild_params *p);

/* PTE flags of the initial page tables (pv-abi.md). */
#define DOMBUILD_L1_PROT    (XEN_PTE_PRESENT | XEN_PTE_RW | XEN_PTE_ACCESSED | XEN_PTE_USER)
#define DOMBUILD_L1_PROT_RO (XEN_PTE_PRESENT | XEN_PTE_ACCESSED | XEN_PTE_USER)
#define DOMBUILD_LN_PROT    (XEN_PTE_PRESENT | XEN_PTE_RW | XEN_PTE_ACCESSED | XEN_PTE_DIRTY | \
                             XEN_PTE_USER)

#endif /* XENIA_CORE_DOMBUILD_H */
