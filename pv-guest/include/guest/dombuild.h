/*
 * dombuild: the initial memory image of a PV domain, laid out exactly as
 * the hypervisor's dom0 builder does it (pv-abi.md, "Entry to a new PV
 * domain"), so dom0 builds domUs that look like Xen's to their kernels.
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
 * dombuild_layout() computes the addresses; dombuild_write() fills the p2m
 * list, start_info and the page tables into `region`, a writable view of
 * the region's frames in pfn order (pfn N at region + N * 4096), which the
 * caller maps (dom0: a foreign mapping of the new domain's frames; tests:
 * a buffer). The kernel and ramdisk bytes are the caller's to copy.
 *
 * Portable core code: built into the guest kernel and into the host tests.
 */
#ifndef PVG_GUEST_DOMBUILD_H
#define PVG_GUEST_DOMBUILD_H

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
 * ramdisk_len bytes and nr_pages frames in all. -DOMBUILD_EINVAL if the
 * region would not be canonical, page-aligned or clear of the
 * hypervisor's slots; -DOMBUILD_ENOMEM if nr_pages cannot hold it.
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
    uint32_t store_evtchn, console_evtchn;
    const char *cmdline;                /* cut to MAX_GUEST_CMDLINE - 1 */
};

/*
 * Zero and fill the p2m, start_info, xenstore and console pages and the
 * page tables. -DOMBUILD_EINVAL if a machine frame does not fit a PTE.
 */
int dombuild_write(const struct dombuild_layout *l, uint8_t *region,
                   const struct dombuild_params *p);

/* PTE flags the builder uses, as the hypervisor's dom0 builder does. */
#define DOMBUILD_L1_PROT    (XEN_PTE_PRESENT | XEN_PTE_RW | XEN_PTE_ACCESSED | XEN_PTE_USER)
#define DOMBUILD_L1_PROT_RO (XEN_PTE_PRESENT | XEN_PTE_ACCESSED | XEN_PTE_USER)
#define DOMBUILD_LN_PROT    (XEN_PTE_PRESENT | XEN_PTE_RW | XEN_PTE_ACCESSED | XEN_PTE_DIRTY | \
                             XEN_PTE_USER)

#endif /* PVG_GUEST_DOMBUILD_H */
