/*
 * The initial image of a PV domain (layout rules in guest/dombuild.h).
 *
 * All arithmetic is done on offsets from v_start, bounded first so that no
 * sum can wrap; only then is the region placed in the address space and
 * checked against the canonical halves and the hypervisor's L4 slots.
 * dombuild_write() touches only [p2m_start, v_end) of the region.
 */
#include "guest/dombuild.h"

#define MIB (1ULL << 20)
#define MAX_IMAGE (1ULL << 40)                  /* kernel or ramdisk bytes */
#define MAX_PAGES (1ULL << 36)
#define MAX_PT_FRAMES 4096
#define LOWER_HALF_END 0x0000800000000000ULL
#define HV_SLOTS_END   0xFFFF880000000000ULL    /* L4 slots 256..271 end here */

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

    /* The table count depends on v_end, which depends on the count. */
    for (n = 1; n <= MAX_PT_FRAMES; n++) {
        stack = pt + n * DOMBUILD_PAGE;
        uint64_t used_end = stack + DOMBUILD_PAGE;
        end = ALIGN_UP(used_end, 4 * MIB);
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
    if (end / DOMBUILD_PAGE > nr_pages)
        return -DOMBUILD_ENOMEM;

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
    return 0;
}

static uint8_t *page_at(const struct dombuild_layout *l, uint8_t *region, uint64_t va)
{
    return region + dombuild_pfn(l, va) * DOMBUILD_PAGE;
}

static uint64_t pte(uint64_t mfn, uint64_t flags)
{
    return (mfn << 12) | flags;
}

static void write_start_info(const struct dombuild_layout *l, uint8_t *region,
                             const struct dombuild_params *p)
{
    struct start_info *si = (struct start_info *)(void *)page_at(l, region, l->si_start);

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
 * index (va >> shift) of the table in use at that level and tab[level] its
 * pfn; a new span means a new table, hooked into its parent.
 */
static void write_page_tables(const struct dombuild_layout *l, uint8_t *region,
                              const uint64_t *p2m)
{
    uint64_t next = dombuild_pfn(l, l->pt_start);
    uint64_t pt_first = next, pt_end = next + l->nr_pt_frames;
    uint64_t tab[5], cur[5];

    tab[4] = next++;
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
            uint64_t *parent = (uint64_t *)(void *)(region + tab[lv + 1] * DOMBUILD_PAGE);
            parent[(va >> (12 + 9 * lv)) & 511] = pte(p2m[tab[lv]], DOMBUILD_LN_PROT);
        }
        uint64_t pfn = dombuild_pfn(l, va);
        bool is_table = pfn >= pt_first && pfn < pt_end;
        uint64_t *l1 = (uint64_t *)(void *)(region + tab[1] * DOMBUILD_PAGE);
        l1[(va >> 12) & 511] = pte(p2m[pfn], is_table ? DOMBUILD_L1_PROT_RO : DOMBUILD_L1_PROT);
    }
}

int dombuild_write(const struct dombuild_layout *l, uint8_t *region,
                   const struct dombuild_params *p)
{
    uint64_t region_pages = dombuild_region_pages(l);

    for (uint64_t pfn = 0; pfn < l->nr_pages; pfn++)
        if (p->p2m[pfn] > (XEN_PTE_ADDR_MASK >> 12))
            return -DOMBUILD_EINVAL;
    uint64_t first = dombuild_pfn(l, l->p2m_start);
    memset(region + first * DOMBUILD_PAGE, 0, (region_pages - first) * DOMBUILD_PAGE);
    uint64_t *list = (uint64_t *)(void *)page_at(l, region, l->p2m_start);
    for (uint64_t pfn = 0; pfn < l->nr_pages; pfn++)
        list[pfn] = p->p2m[pfn];
    write_start_info(l, region, p);
    write_page_tables(l, region, p->p2m);
    return 0;
}
