/*
 * The dom0 builder: lays out a PV kernel from Multiboot module 0 (ramdisk
 * from module 1) exactly as pv-abi.md and Xen do, so a third-party PV kernel
 * finds what it expects.
 *
 * From VIRT_BASE, every piece 4 KiB aligned and mapped 1:1 onto pseudo-
 * physical frames 0, 1, ...: kernel image, ramdisk, p2m list (u64 mfn per
 * pfn), start_info, initial page tables, boot stack; the mapped region ends
 * on a 4 MiB boundary with at least 512 KiB to spare. L1 entries are
 * P|RW|A|U except those mapping the page-table frames themselves (P|A|U,
 * read-only); L2-L4 entries P|RW|A|D|U. The tables are then validated and
 * the L4 pinned through the PV MMU core (pgt): what the builder wrote must
 * pass the same checks as anything a guest writes.
 */
#include <asm/current.h>
#include <asm/x86.h>
#include <xenia/console.h>
#include <xenia/dom0.h>
#include <xenia/domain.h>
#include <xenia/errno.h>
#include <xenia/guest_access.h>
#include <xenia/mm.h>
#include <xenia/params.h>
#include <xenia/pv.h>
#include <xenia/shutdown.h>
#include <xenia/time.h>
#include <public/elfnote.h>
#include "core/elf.h"

#define L1_PROT (PGT_PTE_P | PGT_PTE_RW | PGT_PTE_A | PGT_PTE_US)
#define L1_PROT_RO (PGT_PTE_P | PGT_PTE_A | PGT_PTE_US)
#define LN_PROT (PGT_PTE_P | PGT_PTE_RW | PGT_PTE_A | PGT_PTE_D | PGT_PTE_US)
#define MIB (1ull << 20)
#define DOM0_DEFAULT_MEM (64 * MIB)

struct layout {
    uint64_t v_start, kern_end;
    uint64_t initrd_start, initrd_len;
    uint64_t p2m_start, si_start, pt_start, stack_start, v_end;
    uint64_t nr_pt_frames;
};

static uint64_t page_up(uint64_t x)
{
    return ALIGN_UP(x, PAGE_SIZE);
}

/* Tables needed to map [start, end): one L4 plus L3s, L2s, L1s. */
static uint64_t tables_needed(uint64_t start, uint64_t end)
{
    uint64_t n = 1;
    for (unsigned shift = 39; shift >= 21; shift -= 9)
        n += ((end - 1) >> shift) - (start >> shift) + 1;
    return n;
}

static void compute_layout(struct layout *l, const struct elf_image *img, uint64_t initrd_len,
                           uint64_t nr_pages)
{
    l->v_start = img->notes.virt_base;
    l->kern_end = page_up(img->vend);
    l->initrd_start = l->kern_end;
    l->initrd_len = initrd_len;
    l->p2m_start = page_up(l->initrd_start + initrd_len);
    l->si_start = page_up(l->p2m_start + nr_pages * 8);
    l->pt_start = l->si_start + PAGE_SIZE;
    /* The table count depends on v_end, which depends on the count. */
    for (l->nr_pt_frames = 1; l->nr_pt_frames < 4096; l->nr_pt_frames++) {
        l->stack_start = l->pt_start + l->nr_pt_frames * PAGE_SIZE;
        uint64_t used_end = l->stack_start + PAGE_SIZE;
        l->v_end = ALIGN_UP(used_end, 4 * MIB);
        if (l->v_end - used_end < 512 * 1024)
            l->v_end += 4 * MIB;
        if (tables_needed(l->v_start, l->v_end) <= l->nr_pt_frames)
            break;
    }
}

struct builder {
    struct domain *d;
    uint64_t *p2m;              /* hypervisor copy: pfn -> mfn */
    uint64_t nr_pages;
    uint64_t v_start;
};

static void *pfn_ptr(const struct builder *b, uint64_t pfn)
{
    return phys_to_virt(b->p2m[pfn] << PAGE_SHIFT);
}

static void *va_ptr(const struct builder *b, uint64_t va)
{
    return (uint8_t *)pfn_ptr(b, (va - b->v_start) >> PAGE_SHIFT) + (va & (PAGE_SIZE - 1));
}

static void *elf_dest(void *ctx, uint64_t vaddr, uint64_t len)
{
    const struct builder *b = ctx;
    if (vaddr < b->v_start || ((vaddr - b->v_start) >> PAGE_SHIFT) >= b->nr_pages ||
        (vaddr & (PAGE_SIZE - 1)) + len > PAGE_SIZE)
        return NULL;
    return va_ptr(b, vaddr);
}

static void build_page_tables(const struct builder *b, const struct layout *l)
{
    uint64_t next_pt = l->pt_start;
    uint64_t *l4 = va_ptr(b, next_pt);
    next_pt += PAGE_SIZE;

    for (uint64_t va = l->v_start; va < l->v_end; va += PAGE_SIZE) {
        uint64_t *t = l4;
        for (unsigned level = 4; level > 1; level--) {
            unsigned idx = (va >> (12 + 9 * (level - 1))) & 511;
            if (!(t[idx] & PGT_PTE_P)) {
                uint64_t pfn = (next_pt - l->v_start) >> PAGE_SHIFT;
                t[idx] = pgt_pte_make(b->p2m[pfn], LN_PROT);
                next_pt += PAGE_SIZE;
            }
            t = phys_to_virt(t[idx] & PGT_PTE_ADDR);
        }
        uint64_t pfn = (va - l->v_start) >> PAGE_SHIFT;
        bool is_table = va >= l->pt_start && va < l->pt_start + l->nr_pt_frames * PAGE_SIZE;
        t[(va >> 12) & 511] = pgt_pte_make(b->p2m[pfn], is_table ? L1_PROT_RO : L1_PROT);
    }
    BUG_ON(next_pt > l->pt_start + l->nr_pt_frames * PAGE_SIZE);
}

static uint64_t dom0_pages(uint64_t min_pages)
{
    uint64_t free_pages = mm_free_frames();
    uint64_t want = DOM0_DEFAULT_MEM >> PAGE_SHIFT;
    uint64_t reserve = MIN(free_pages / 16, (128 * MIB) >> PAGE_SHIFT);

    if (opt_dom0_mem.has_amount)
        want = opt_dom0_mem.amount_negative
                   ? (free_pages > (opt_dom0_mem.amount >> PAGE_SHIFT)
                          ? free_pages - (opt_dom0_mem.amount >> PAGE_SHIFT) : 0)
                   : opt_dom0_mem.amount >> PAGE_SHIFT;
    if (opt_dom0_mem.has_max && !opt_dom0_mem.max_negative)
        want = MIN(want, opt_dom0_mem.max >> PAGE_SHIFT);
    if (opt_dom0_mem.has_min && !opt_dom0_mem.min_negative)
        want = MAX(want, opt_dom0_mem.min >> PAGE_SHIFT);
    want = MIN(want, free_pages > reserve ? free_pages - reserve : 0);
    return MAX(want, min_pages);
}

int dom0_build(const struct mb_module *kernel, const struct mb_module *initrd,
               const char *cmdline)
{
    struct elf_image img;
    const char *err;
    uint64_t kernel_len = kernel->end - kernel->start;
    uint64_t initrd_len = initrd ? initrd->end - initrd->start : 0;

    if (elf_parse(phys_to_virt(kernel->start), kernel_len, &img, &err) ||
        elf_check_xen_guest(&img, &err)) {
        pr_err("dom0: kernel rejected: %s\n", err);
        return -EINVAL;
    }
    if (!(img.notes.present & (1u << XEN_ELFNOTE_VIRT_BASE)))
        img.notes.virt_base = ALIGN_DOWN(img.vstart, 4 * MIB);
    /* The whole initial mapping must fit below the top of the address space
       and stay in one canonical half, clear of the hypervisor's slots. */
    if (!IS_ALIGNED(img.notes.virt_base, PAGE_SIZE) || img.vstart < img.notes.virt_base ||
        img.vend > ~0ull - initrd_len - (64 * MIB) ||
        !guest_range_ok(img.notes.virt_base, img.vend + initrd_len + 64 * MIB - img.notes.virt_base)) {
        pr_err("dom0: kernel virtual layout %#lx-%#lx does not fit\n", img.vstart, img.vend);
        return -EINVAL;
    }

    /* Size the layout with a first guess of the page count, then for real. */
    struct layout l;
    compute_layout(&l, &img, initrd_len, 0);
    uint64_t min_pages = (l.v_end - l.v_start) >> PAGE_SHIFT;
    compute_layout(&l, &img, initrd_len, min_pages + 1024);
    min_pages = (l.v_end - l.v_start) >> PAGE_SHIFT;
    uint64_t nr_pages = dom0_pages(min_pages);
    compute_layout(&l, &img, initrd_len, nr_pages);
    if ((l.v_end - l.v_start) >> PAGE_SHIFT > nr_pages || nr_pages > mm_free_frames()) {
        pr_err("dom0: %lu KiB of memory cannot hold the initial mapping (%lu KiB)\n",
               nr_pages * 4, (l.v_end - l.v_start) >> 10);
        return -ENOMEM;
    }

    struct domain *d = domain_create(0, true);
    if (!d)
        return -ENOMEM;
    struct builder b = { d, xmalloc(nr_pages * 8), nr_pages, l.v_start };
    if (!b.p2m)
        return -ENOMEM;
    d->max_pages = nr_pages;
    for (uint64_t pfn = 0; pfn < nr_pages; pfn++)
        if (domain_add_page(d, pfn, &b.p2m[pfn]))
            return -ENOMEM;

    if (elf_load(&img, elf_dest, &b, &err)) {
        pr_err("dom0: kernel load failed: %s\n", err);
        return -EINVAL;
    }
    for (uint64_t off = 0; off < initrd_len; off += PAGE_SIZE)
        memcpy(va_ptr(&b, l.initrd_start + off), phys_to_virt(initrd->start + off),
               MIN(PAGE_SIZE, initrd_len - off));
    for (uint64_t pfn = 0; pfn < nr_pages; pfn++)       /* entries never straddle pages */
        *(uint64_t *)va_ptr(&b, l.p2m_start + pfn * 8) = b.p2m[pfn];

    struct start_info *si = va_ptr(&b, l.si_start);
    memcpy(si->magic, XEN_START_INFO_MAGIC_X86_64, sizeof(XEN_START_INFO_MAGIC_X86_64));
    si->nr_pages = nr_pages;
    si->shared_info = d->shared_info_mfn << PAGE_SHIFT;
    si->flags = SIF_PRIVILEGED | SIF_INITDOMAIN;
    si->pt_base = l.pt_start;
    si->nr_pt_frames = l.nr_pt_frames;
    si->mfn_list = l.p2m_start;
    si->mod_start = initrd_len ? l.initrd_start : 0;
    si->mod_len = initrd_len;
    for (size_t i = 0; cmdline && cmdline[i] && i < sizeof(si->cmd_line) - 1; i++)
        si->cmd_line[i] = cmdline[i];

    build_page_tables(&b, &l);
    if (img.notes.hypercall_page) {
        if (img.notes.hypercall_page < l.v_start || img.notes.hypercall_page >= l.kern_end) {
            pr_err("dom0: hypercall page %#lx is outside the kernel\n", img.notes.hypercall_page);
            return -EINVAL;
        }
        hypercall_page_fill(va_ptr(&b, img.notes.hypercall_page));
    }

    /* Validate and pin the L4: every reference the tables imply is taken. */
    struct vcpu *v = d->vcpus[0];
    uint64_t l4_mfn = b.p2m[(l.pt_start - l.v_start) >> PAGE_SHIFT];
    int rc = pgt_pin(&pgt_env_hv, &v->pgt_cont, l4_mfn, 4, d->id);
    while (rc == -ERESTART)
        rc = pgt_cont_resume(&pgt_env_hv, &v->pgt_cont);
    if (rc) {
        pr_err("dom0: initial page tables failed validation (%d)\n", rc);
        return -EINVAL;
    }
    /* The vCPU's cr3 holds its own type reference (NEW_BASEPTR drops it). */
    rc = pgt_get_type(&pgt_env_hv, &v->pgt_cont, l4_mfn, PGT_L4, d->id);
    if (rc) {
        pr_err("dom0: cannot reference the initial L4 (%d)\n", rc);
        return -EINVAL;
    }
    v->kernel_l4_mfn = l4_mfn;

    memset(&v->regs, 0, sizeof(v->regs));
    v->regs.rip = img.entry;
    v->regs.rsp = l.stack_start + PAGE_SIZE;
    v->regs.rsi = l.si_start;
    v->regs.rflags = X86_EFLAGS_IF | 2;
    v->regs.cs = FLAT_KERNEL_CS;
    v->regs.ss = FLAT_KERNEL_SS;
    v->kernel_mode = true;
    sched_vcpu_set_state(v, VCPU_RUNNABLE);
    xfree(b.p2m);

    printk("dom0: %s kernel %#lx-%#lx, entry %#lx, %lu MiB (%lu pages)\n",
           img.notes.guest_os[0] ? img.notes.guest_os : "PV", l.v_start, l.kern_end, img.entry,
           (nr_pages * PAGE_SIZE) >> 20, nr_pages);
    printk("dom0: initrd %#lx+%#lx, p2m %#lx, start_info %#lx, page tables %#lx (%lu), "
           "stack %#lx, mapped to %#lx\n", l.initrd_start, initrd_len, l.p2m_start,
           l.si_start, l.pt_start, l.nr_pt_frames, l.stack_start, l.v_end);
    return 0;
}
