/*
 * The initial image of a PV domain (layout rules in core/dombuild.h).
 *
 * All arithmetic is done on offsets from v_start, bounded first so that no
 * sum can wrap; only then is the region placed in the address space and
 * checked against the canonical halves and the hypervisor's L4 slots.
 * The writers touch only [p2m_start, v_end) of the region, and check every
 * machine frame before they write anything.
 */
#include "core/dombuild.h"

#define MIB (1ULL << 20)
#define MAX_IMAGE (1ULL << 40)                  /* kernel or ramdisk bytes */
#define MAX_PAGES (1ULL << 36)
#define MAX_PT_FRAMES 4096
#define LOWER_HALF_END 0x0000800000000000ULL
#define HV_SLOTS_END   0xFFFF880000000000ULL    /* L4 slots 256..271 end here */
#define PTES_PER_PAGE 512

static uint64_t page_up(uint64_t x)
{
    return ALIGN_UP(x, DOMBUILD_PAGE);
}

/* Tables needed to map [start, end): one L4 plus the L3s, L2s and L1s. */
static uint64_t tables_needed(uint64_t start, uint64_t end)
{
    uint64_t n = 1;
    for (unsigned shift = 39; shift >= 21; shift -= 9)
        n += ((end - 1) >> shift) - (start >> shift) + 1;
    return n;
}

int dombuild_layout(struct dombuild_layout *l, uint64_t virt_base, uint64_t image_end,
                    uint64_t ramdisk_len, uint64_t nr_pages, bool domu)
{
    memset(l, 0, sizeof(*l));
    if (!IS_ALIGNED(virt_base, DOMBUILD_PAGE) || image_end <= virt_base ||
        image_end - virt_base > MAX_IMAGE || ramdisk_len > MAX_IMAGE || nr_pages > MAX_PAGES)
        return -DOMBUILD_EINVAL;

    /* Offsets from virt_base: each stays below 2^43. */
    uint64_t kern_end = page_up(image_end - virt_base);
    uint64_t p2m = page_up(kern_end + ramdisk_len);
    uint64_t si = page_up(p2m + nr_pages * 8);
    uint64_t pt = si + DOMBUILD_PAGE * (domu ? 3 : 1);
    uint64_t n, stack = 0, end = 0;
    /* v_end is a 4 MiB boundary of the address space, whatever VIRT_BASE is. */
    uint64_t misalign = virt_base & (4 * MIB - 1);

    /* The table count depends on v_end, which depends on the count. */
    for (n = 1; n <= MAX_PT_FRAMES; n++) {
        stack = pt + n * DOMBUILD_PAGE;
        uint64_t used_end = stack + DOMBUILD_PAGE;
        end = ALIGN_UP(used_end + misalign, 4 * MIB) - misalign;
        if (end - used_end < 512 * 1024)
            end += 4 * MIB;
        /* Tables are counted on real addresses: alignment matters. */
        if (virt_base > UINT64_MAX - end + 1)
            return -DOMBUILD_EINVAL;            /* the region would wrap */
        if (tables_needed(virt_base, virt_base + end) <= n)
            break;
    }
    if (n > MAX_PT_FRAMES)
        return -DOMBUILD_EINVAL;

    /* The region lies in one canonical half, clear of the hypervisor. */
    bool lower = virt_base < LOWER_HALF_END && end <= LOWER_HALF_END - virt_base;
    bool upper = virt_base >= HV_SLOTS_END;
    if (!lower && !upper)
        return -DOMBUILD_EINVAL;

    l->v_start = virt_base;
    l->kern_end = virt_base + kern_end;
    l->ramdisk_start = virt_base + kern_end;
    l->ramdisk_len = ramdisk_len;
    l->p2m_start = virt_base + p2m;
    l->si_start = virt_base + si;
    if (domu) {
        l->store_start = l->si_start + DOMBUILD_PAGE;
        l->console_start = l->store_start + DOMBUILD_PAGE;
    }
    l->pt_start = virt_base + pt;
    l->nr_pt_frames = n;
    l->stack_start = virt_base + stack;
    l->v_end = virt_base + end;                 /* 0 if the region ends at 2^64 */
    l->nr_pages = nr_pages;
    return end / DOMBUILD_PAGE > nr_pages ? -DOMBUILD_ENOMEM : 0;
}

static uint64_t pte(uint64_t mfn, uint64_t flags)
{
    return (mfn << 12) | flags;
}

static void write_start_info(const struct dombuild_layout *l, dombuild_page_fn page, void *ctx,
                             const struct dombuild_params *p)
{
    struct start_info *si = page(ctx, dombuild_pfn(l, l->si_start));

    memcpy(si->magic, XEN_START_INFO_MAGIC_X86_64, sizeof(XEN_START_INFO_MAGIC_X86_64));
    si->nr_pages = l->nr_pages;
    si->shared_info = p->shared_info_maddr;
    si->flags = p->flags;
    if (l->store_start != 0) {
        si->store_mfn = p->p2m[dombuild_pfn(l, l->store_start)];
        si->store_evtchn = p->store_evtchn;
        si->console.domU.mfn = p->p2m[dombuild_pfn(l, l->console_start)];
        si->console.domU.evtchn = p->console_evtchn;
    }
    si->pt_base = l->pt_start;
    si->nr_pt_frames = l->nr_pt_frames;
    si->mfn_list = l->p2m_start;
    si->mod_start = l->ramdisk_len != 0 ? l->ramdisk_start : 0;
    si->mod_len = l->ramdisk_len;
    if (p->cmdline != NULL) {
        size_t n = strnlen(p->cmdline, MAX_GUEST_CMDLINE - 1);
        memcpy(si->cmd_line, p->cmdline, n);
    }
}

/*
 * Tables are handed out from pt_start in walk order. cur[level] is the span
 * index (va >> shift) of the table in use at that level, tab[level] its
 * pfn and map[level] the caller's view of it; a new span means a new
 * table, hooked into its parent. The order is that of a walk which
 * allocates a table wherever it finds a non-present entry.
 */
static void write_page_tables(const struct dombuild_layout *l, dombuild_page_fn page, void *ctx,
                              const uint64_t *p2m)
{
    uint64_t next = dombuild_pfn(l, l->pt_start);
    uint64_t pt_first = next, pt_end = next + l->nr_pt_frames;
    uint64_t tab[5], cur[5];
    uint64_t *map[5];

    tab[4] = next++;
    map[4] = page(ctx, tab[4]);
    for (unsigned lv = 1; lv <= 3; lv++)
        cur[lv] = UINT64_MAX;
    for (uint64_t va = l->v_start; va != l->v_end; va += DOMBUILD_PAGE) {
        for (unsigned lv = 3; lv >= 1; lv--) {
            uint64_t span = va >> (12 + 9 * lv);
            if (span == cur[lv])
                continue;
            BUG_ON(next >= pt_end);             /* dombuild_layout counted them */
            cur[lv] = span;
            tab[lv] = next++;
            map[lv] = page(ctx, tab[lv]);
            map[lv + 1][span & (PTES_PER_PAGE - 1)] = pte(p2m[tab[lv]], DOMBUILD_LN_PROT);
        }
        uint64_t pfn = dombuild_pfn(l, va);
        bool is_table = pfn >= pt_first && pfn < pt_end;
        map[1][(va >> 12) & (PTES_PER_PAGE - 1)] =
            pte(p2m[pfn], is_table ? DOMBUILD_L1_PROT_RO : DOMBUILD_L1_PROT);
    }
}

int dombuild_write_pages(const struct dombuild_layout *l, dombuild_page_fn page, void *ctx,
                         const struct dombuild_params *p)
{
    uint64_t first = dombuild_pfn(l, l->p2m_start), region_pages = dombuild_region_pages(l);

    for (uint64_t pfn = 0; pfn < l->nr_pages; pfn++)
        if (p->p2m[pfn] > (XEN_PTE_ADDR_MASK >> 12))
            return -DOMBUILD_EINVAL;
    for (uint64_t pfn = first; pfn < region_pages; pfn++)
        memset(page(ctx, pfn), 0, DOMBUILD_PAGE);
    /* The list starts on a page and 512 entries fill one exactly. */
    uint64_t *list = NULL;
    for (uint64_t pfn = 0; pfn < l->nr_pages; pfn++) {
        if (pfn % PTES_PER_PAGE == 0)
            list = page(ctx, first + pfn / PTES_PER_PAGE);
        list[pfn % PTES_PER_PAGE] = p->p2m[pfn];
    }
    write_start_info(l, page, ctx, p);
    write_page_tables(l, page, ctx, p->p2m);
    return 0;
}

static void *contiguous_page(void *region, uint64_t pfn)
{
    return (uint8_t *)region + pfn * DOMBUILD_PAGE;
}

int dombuild_write(const struct dombuild_layout *l, uint8_t *region,
                   const struct dombuild_params *p)
{
    return dombuild_write_pages(l, contiguous_page, region, p);
}
