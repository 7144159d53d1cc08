/*
 * The dom0 builder: lays out a PV kernel from Multiboot module 0 (ramdisk
 * from module 1) exactly as pv-abi.md and Xen do, so a third-party PV kernel
 * finds what it expects.
 *
 * The layout and the bytes of the p2m list, start_info and the initial page
 * tables are core/dombuild's, shared with dom0's domU builder; dom0 gets no
 * xenstore or console page, SIF_PRIVILEGED | SIF_INITDOMAIN, and mod_start
 * as a virtual address. What is the hypervisor's own: sizing dom0 from
 * dom0_mem=, allocating its frames, copying the kernel and ramdisk in
 * through the direct map, the hypercall page, then validating and pinning
 * the L4 through the PV MMU core (pgt), so that what the builder wrote must
 * pass the same checks as anything a guest writes, and the vCPU's entry
 * state.
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
#include "core/dombuild.h"
#include "core/elf.h"

#define MIB (1ull << 20)
#define DOM0_DEFAULT_MEM (64 * MIB)

/* The builder's own view of dom0's memory: pfn -> mfn, reached through the
   direct map (the frames are scattered). */
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

static void *region_page(void *ctx, uint64_t pfn)
{
    return pfn_ptr(ctx, pfn);
}

static void *elf_dest(void *ctx, uint64_t vaddr, uint64_t len)
{
    const struct builder *b = ctx;
    if (vaddr < b->v_start || ((vaddr - b->v_start) >> PAGE_SHIFT) >= b->nr_pages ||
        (vaddr & (PAGE_SIZE - 1)) + len > PAGE_SIZE)
        return NULL;
    return va_ptr(b, vaddr);
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

/*
 * Size dom0 and lay it out. The region grows with the p2m, which grows with
 * the page count: a first guess with an empty p2m, a second with 1024 pages
 * more than that region, then the configured amount, at least the second
 * guess's region. -DOMBUILD_ENOMEM leaves the final layout in *l.
 */
static int dom0_layout(struct dombuild_layout *l, const struct elf_image *img,
                       uint64_t initrd_len)
{
    uint64_t base = img->notes.virt_base;
    int rc = dombuild_layout(l, base, img->vend, initrd_len, 0, false);

    if (rc != -DOMBUILD_EINVAL)
        rc = dombuild_layout(l, base, img->vend, initrd_len, dombuild_region_pages(l) + 1024,
                             false);
    if (rc != -DOMBUILD_EINVAL)
        rc = dombuild_layout(l, base, img->vend, initrd_len,
                             dom0_pages(dombuild_region_pages(l)), false);
    return rc;
}

int dom0_build(const struct mb_module *kernel, const struct mb_module *initrd,
               const char *cmdline)
{
    struct elf_image img;
    struct dombuild_layout l;
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
       and stay in one canonical half, clear of the hypervisor's slots (the
       layout checks the region it computes; this bound is dom0's own). */
    int rc = -DOMBUILD_EINVAL;
    if (IS_ALIGNED(img.notes.virt_base, PAGE_SIZE) && img.vstart >= img.notes.virt_base &&
        img.vend <= ~0ull - initrd_len - (64 * MIB) &&
        guest_range_ok(img.notes.virt_base, img.vend + initrd_len + 64 * MIB - img.notes.virt_base))
        rc = dom0_layout(&l, &img, initrd_len);
    if (rc == -DOMBUILD_EINVAL) {
        pr_err("dom0: kernel virtual layout %#lx-%#lx does not fit\n", img.vstart, img.vend);
        return -EINVAL;
    }
    uint64_t nr_pages = l.nr_pages;
    if (rc == -DOMBUILD_ENOMEM || nr_pages > mm_free_frames()) {
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
        memcpy(va_ptr(&b, l.ramdisk_start + off), phys_to_virt(initrd->start + off),
               MIN(PAGE_SIZE, initrd_len - off));

    struct dombuild_params params = {
        .p2m = b.p2m,
        .shared_info_maddr = d->shared_info_mfn << PAGE_SHIFT,
        .flags = SIF_PRIVILEGED | SIF_INITDOMAIN,
        .cmdline = cmdline,
    };
    rc = dombuild_write_pages(&l, region_page, &b, &params);
    if (rc) {
        pr_err("dom0: cannot write the initial page tables (%d)\n", rc);
        return -EINVAL;
    }
    if (img.notes.hypercall_page) {
        if (img.notes.hypercall_page < l.v_start || img.notes.hypercall_page >= l.kern_end) {
            pr_err("dom0: hypercall page %#lx is outside the kernel\n", img.notes.hypercall_page);
            return -EINVAL;
        }
        hypercall_page_fill(va_ptr(&b, img.notes.hypercall_page));
    }

    /* Validate and pin the L4: every reference the tables imply is taken. */
    struct vcpu *v = d->vcpus[0];
    uint64_t l4_mfn = b.p2m[dombuild_pfn(&l, l.pt_start)];
    rc = pgt_pin(&pgt_env_hv, &v->pgt_cont, l4_mfn, 4, d->id);
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
           "stack %#lx, mapped to %#lx\n", l.ramdisk_start, initrd_len, l.p2m_start,
           l.si_start, l.pt_start, l.nr_pt_frames, l.stack_start, l.v_end);
    return 0;
}
