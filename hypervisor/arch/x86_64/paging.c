/*
 * The hypervisor's own page tables, built once the frame allocator works:
 * the direct map of [0, max_pa) with 2 MiB pages (cache-disabled where the
 * memory map says there is no RAM, for MMIO such as the local APIC), and the
 * image at HV_IMAGE_BASE with 4 KiB pages and W^X permissions (text RX,
 * rodata R, data and bss RW). The identity map of early boot is not carried
 * over: the lower half belongs to guests.
 */
#include <asm/x86.h>
#include <xenia/console.h>
#include <xenia/mm.h>

#define PTE_P   (1ull << 0)
#define PTE_RW  (1ull << 1)
#define PTE_PWT (1ull << 3)
#define PTE_PCD (1ull << 4)
#define PTE_US  (1ull << 2)
#define PTE_PS  (1ull << 7)
#define PTE_G   (1ull << 8)
#define PTE_NX  (1ull << 63)
#define PTE_ADDR_MASK 0x000ffffffffff000ull

extern uint8_t __image_start[], __text_end[], __rodata_end[], __image_end[];

static uint64_t *hv_l4;
static uint64_t nx_bit;

/*
 * Intermediate entries below L4 carry the user bit so that the one guest-
 * readable region (the M2P in slot 256) works; every other hypervisor slot
 * has a supervisor-only L4 entry, which is what keeps guests out.
 */
static uint64_t *table_next(uint64_t *table, unsigned idx, bool is_l4)
{
    if (!(table[idx] & PTE_P)) {
        void *page = alloc_page();
        if (!page)
            return NULL;
        table[idx] = virt_to_phys(page) | PTE_P | PTE_RW;
        if (is_l4 && idx == HV_SLOT_M2P)
            table[idx] = virt_to_phys(page) | PTE_P | PTE_US;   /* read-only for guests */
        else if (!is_l4)
            table[idx] |= PTE_US;
    }
    return phys_to_virt(table[idx] & PTE_ADDR_MASK);
}

/* Walk to the L1 (level 1) or L2 (level 2) table covering va, allocating. */
static uint64_t *walk_alloc(uint64_t va, int level)
{
    uint64_t *t = hv_l4;
    for (int l = 4; l > level && t; l--)
        t = table_next(t, (va >> (12 + 9 * (l - 1))) & 511, l == 4);
    return t;
}

static bool pa_is_ram(const struct mb_info *mb, uint64_t pa, uint64_t len)
{
    for (unsigned i = 0; i < mb->nr_regions; i++) {
        const struct mb_region *r = &mb->regions[i];
        if (r->type == MB_REGION_USABLE && pa < r->base + r->len && r->base < pa + len)
            return true;
    }
    return false;
}

int paging_map_frame(uint64_t va, uint64_t mfn, uint64_t l1_flags)
{
    uint64_t *l1 = walk_alloc(va, 1);
    if (!l1)
        return -12;
    l1[(va >> 12) & 511] = (mfn << 12) | PTE_P | PTE_G | (l1_flags & ~(nx_bit ? 0 : PTE_NX));
    return 0;
}

uint64_t paging_idle_l4_mfn(void)
{
    return virt_to_phys(hv_l4) >> 12;
}

void paging_copy_hv_slots(uint64_t *l4)
{
    for (unsigned i = HV_SLOT_FIRST; i <= HV_SLOT_LAST; i++)
        l4[i] = hv_l4[i];
}

void flush_tlb_all(void)
{
    uint64_t cr4 = read_cr4();
    write_cr4(cr4 & ~(1ull << 7));          /* toggling PGE drops global entries too */
    write_cr4(cr4);
}

int paging_map_zeroed(uint64_t va, uint64_t size)
{
    for (uint64_t off = 0; off < size; off += PAGE_SIZE) {
        uint64_t *l1 = walk_alloc(va + off, 1);
        void *page = alloc_page();
        if (!l1 || !page)
            return -12;
        l1[((va + off) >> 12) & 511] = virt_to_phys(page) | PTE_P | PTE_RW | PTE_G | nx_bit;
    }
    return 0;
}

void paging_init(uint64_t max_pa, const struct mb_info *mb)
{
    if (rdmsr(MSR_EFER) & (1u << 11))
        nx_bit = PTE_NX;
    hv_l4 = alloc_page();
    BUG_ON(!hv_l4);

    /* Direct map, 2 MiB pages; at least the first 4 GiB so that MMIO there
       (local APIC, IO-APIC) is reachable. */
    uint64_t end = ALIGN_UP(max_pa < (4ull << 30) ? (4ull << 30) : max_pa, 2ull << 20);
    for (uint64_t pa = 0; pa < end; pa += 2ull << 20) {
        uint64_t *l2 = walk_alloc(HV_DIRECTMAP_BASE + pa, 2);
        uint64_t flags = PTE_P | PTE_RW | PTE_PS | PTE_G | nx_bit;
        BUG_ON(!l2);
        if (!pa_is_ram(mb, pa, 2ull << 20))
            flags |= PTE_PCD | PTE_PWT;
        l2[((HV_DIRECTMAP_BASE + pa) >> 21) & 511] = pa | flags;
    }

    /* The image, 4 KiB pages with section permissions. */
    for (uint8_t *va = __image_start; va < __image_end; va += PAGE_SIZE) {
        uint64_t *l1 = walk_alloc((uint64_t)va, 1);
        uint64_t flags = PTE_P | PTE_G;
        BUG_ON(!l1);
        if (va >= __text_end)
            flags |= nx_bit;
        if (va >= __rodata_end)
            flags |= PTE_RW;
        l1[((uint64_t)va >> 12) & 511] = virt_to_phys(va) | flags;
    }

    write_cr4(read_cr4() | (1u << 7));      /* PGE: global hypervisor mappings */
    write_cr3(virt_to_phys(hv_l4));
    printk("Paging: direct map of %lu MiB at %#lx, image at %p-%p (W^X%s)\n", end >> 20,
           (uint64_t)HV_DIRECTMAP_BASE, (void *)__image_start, (void *)__image_end,
           nx_bit ? ", NX" : "");
}
