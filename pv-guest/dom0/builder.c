/*
 * Building a PV domU through the domctl ABI, following the steps of
 * public/domctl.h and the layout of the hypervisor's dom0 builder
 * (core/dombuild.h computes and writes it; this file moves the bytes).
 *
 *   check the kernel (core/elf) and the layout   nothing created yet
 *   CREATE, SET_MAX_MEM, POPULATE                 the domain exists, paused
 *   map the initial region into our foreign window (mmu_update with
 *     foreigndom), set the M2P of every frame, load the kernel and ramdisk,
 *     allocate the console and xenstore ports (alloc_unbound for the domU,
 *     remote dom0), write p2m, start_info and page tables
 *   unmap the window: no writable mapping of a page-table frame may be left
 *     when the L4 is pinned
 *   HYPERCALL_PAGE (before the pin: see domu_build), pin the L4 (mmuext
 *     PIN_L4_TABLE with foreigndom), SET_VCPU_CONTEXT, UNPAUSE
 * Any failure after CREATE destroys the domain (one exit path), so no
 * half-built domain outlives domu_build().
 */
#include <stdlib.h>

#include "dom0.h"
#include "arch/hypercall.h"
#include "arch/layout.h"
#include "arch/pgtable.h"
#include "core/dombuild.h"
#include "core/elf.h"
#include "guest/console.h"
#include "guest/events.h"

#define MIB (1ULL << 20)

struct build {
    const struct xlcfg *cfg;
    struct dombuild_layout l;
    uint8_t *region;            /* the initial region in our foreign window */
    uint64_t mapped;            /* pages of it mapped */
};

static void *load_dest(void *ctx, uint64_t vaddr, uint64_t len)
{
    const struct build *b = ctx;
    if (vaddr < b->l.v_start || vaddr >= b->l.kern_end || len > b->l.kern_end - vaddr)
        return NULL;
    return b->region + (vaddr - b->l.v_start);
}

static int map_region(struct build *b, domid_t domid, const uint64_t *mfns)
{
    uint64_t pages = dombuild_region_pages(&b->l);
    int rc = 0;

    if (pages > FOREIGN_VA_PAGES)
        return -XEN_E2BIG;
    for (uint64_t pfn = 0; pfn < pages && rc == 0; pfn++) {
        rc = pt_queue_map_foreign(FOREIGN_VA_BASE + pfn * PAGE_SIZE, mfns[pfn], PTE_KERNEL_RW,
                                  domid);
        if (rc == 0)
            b->mapped = pfn + 1;
    }
    if (rc == 0)
        rc = pt_commit();
    b->region = (uint8_t *)(uintptr_t)FOREIGN_VA_BASE;
    return rc;
}

static int unmap_region(struct build *b)
{
    int rc = 0;

    for (uint64_t pfn = 0; pfn < b->mapped && rc == 0; pfn++)
        rc = pt_queue_map(FOREIGN_VA_BASE + pfn * PAGE_SIZE, 0, 0);
    if (rc == 0)
        rc = pt_commit();
    if (rc == 0)
        rc = pt_flush_tlb();
    if (rc == 0)
        b->mapped = 0;
    return rc;
}

/* M2P entries of every frame of the domain: pfn i is mfns[i]. */
static int set_m2p(domid_t domid, const uint64_t *mfns, uint64_t nr)
{
    int rc = 0;
    for (uint64_t pfn = 0; pfn < nr && rc == 0; pfn++)
        rc = pt_queue_machphys(mfns[pfn], pfn, domid);
    return rc == 0 ? pt_commit() : rc;
}

static int pin_l4(domid_t domid, uint64_t mfn)
{
    struct mmuext_op op = { .cmd = MMUEXT_PIN_L4_TABLE, .arg1.mfn = mfn };
    unsigned done = 0;
    long rc = HYPERVISOR_mmuext_op(&op, 1, &done, domid);
    return (int)(rc == 0 && done != 1 ? -XEN_EINVAL : rc);
}

#define FAIL(step, err) do { what = (step); rc = (err); goto out; } while (0)

int domu_build(const struct xlcfg *cfg, const struct domu_image *img, struct domu_built *out)
{
    struct build b = { .cfg = cfg };
    struct elf_image elf;
    const char *err = NULL, *what = NULL;
    uint64_t *mfns = NULL, nr_pages = (uint64_t)cfg->memory_mib * (MIB / PAGE_SIZE);
    domid_t domid = DOMID_INVALID;
    bool created = false;
    int rc = 0;

    /* Everything that can be checked before a domain exists. */
    if (elf_parse(img->kernel, img->kernel_len, &elf, &err) < 0 ||
        elf_check_xen_guest(&elf, &err) < 0) {
        printk("dom0: %s: kernel %s refused: %s\n", cfg->name, cfg->kernel, err);
        return -XEN_EINVAL;
    }
    uint64_t virt_base = (elf.notes.present & (1u << XEN_ELFNOTE_VIRT_BASE))
                             ? elf.notes.virt_base : ALIGN_DOWN(elf.vstart, 4 * MIB);
    rc = dombuild_layout(&b.l, virt_base, elf.vend, img->ramdisk_len, nr_pages, true);
    if (rc < 0) {
        printk("dom0: %s: %s\n", cfg->name,
               rc == -DOMBUILD_ENOMEM ? "memory too small for the kernel's initial mapping"
                                      : "kernel virtual layout does not fit");
        return rc;
    }
    uint64_t hc_page = elf.notes.hypercall_page;
    if (hc_page != 0 && (hc_page < b.l.v_start || hc_page >= b.l.kern_end))
        FAIL("hypercall page outside the kernel", -XEN_EINVAL);
    mfns = calloc(nr_pages, sizeof(*mfns));
    if (mfns == NULL)
        FAIL("p2m allocation", -XEN_ENOMEM);

    rc = domctl_create(cfg->vcpus, &domid);
    if (rc < 0)
        FAIL("create", rc);
    created = true;
    if ((rc = domctl_set_max_mem(domid, nr_pages)) < 0)
        FAIL("set_max_mem", rc);
    if ((rc = domctl_populate(domid, nr_pages, mfns)) < 0)
        FAIL("populate", rc);
    if ((rc = set_m2p(domid, mfns, nr_pages)) < 0)
        FAIL("M2P update", rc);
    if ((rc = map_region(&b, domid, mfns)) < 0)
        FAIL("mapping its memory", rc);

    memset(b.region, 0, b.l.p2m_start - b.l.v_start);
    if (elf_load(&elf, load_dest, &b, &err) < 0) {
        printk("dom0: %s: loading the kernel: %s\n", cfg->name, err);
        FAIL("kernel load", -XEN_EINVAL);
    }
    if (img->ramdisk_len != 0)
        memcpy(b.region + (b.l.ramdisk_start - b.l.v_start), img->ramdisk, img->ramdisk_len);

    /* A hypervisor without event channels (-ENOSYS) still gets a domain,
       with ports 0: its kernel can print, not talk to backends. */
    long console_port = evtchn_alloc_unbound_for(domid, 0);
    long store_port = evtchn_alloc_unbound_for(domid, 0);
    if (console_port == -XEN_ENOSYS && store_port == -XEN_ENOSYS) {
        printk("dom0: %s: no event channels: console and xenstore ports left 0\n", cfg->name);
        console_port = store_port = 0;
    }
    if (console_port < 0)
        FAIL("console event channel", (int)console_port);
    if (store_port < 0)
        FAIL("xenstore event channel", (int)store_port);
    struct xenia_domctl_info info;
    if ((rc = domctl_get_info(domid, &info)) < 0 || info.domain != domid)
        FAIL("get_info", rc < 0 ? rc : -XEN_ESRCH);

    struct dombuild_params params = {
        .p2m = mfns,
        .shared_info_maddr = info.shared_info_mfn << PAGE_SHIFT,
        .flags = 0,
        .store_evtchn = (uint32_t)store_port,
        .console_evtchn = (uint32_t)console_port,
        .cmdline = cfg->extra,
    };
    if ((rc = dombuild_write(&b.l, b.region, &params)) < 0)
        FAIL("writing start_info and page tables", rc);
    if ((rc = unmap_region(&b)) < 0)
        FAIL("unmapping its memory", rc);

    /* The hypercall page before the pin: the hypervisor fills only a frame
       that no page table maps yet (type count 0). */
    if (hc_page != 0 && (rc = domctl_hypercall_page(domid, mfns[dombuild_pfn(&b.l, hc_page)])) < 0)
        FAIL("hypercall page", rc);
    uint64_t l4_mfn = mfns[dombuild_pfn(&b.l, b.l.pt_start)];
    if ((rc = pin_l4(domid, l4_mfn)) < 0)
        FAIL("pinning its page tables", rc);
    struct xenia_domctl_vcpu_context ctx = {
        .vcpu = 0,
        .rip = elf.entry,
        .rsp = b.l.stack_start + PAGE_SIZE,
        .rsi = b.l.si_start,
        .kernel_l4_mfn = l4_mfn,
    };
    if ((rc = domctl_set_vcpu_context(domid, &ctx)) < 0)
        FAIL("vcpu context", rc);
    printk("dom0: domain %u (%s): kernel %#lx-%#lx, %u MiB, start_info %#lx, page tables "
           "%#lx (%lu), console port %ld, xenstore port %ld\n",
           domid, cfg->name, (unsigned long)b.l.v_start, (unsigned long)b.l.kern_end,
           cfg->memory_mib, (unsigned long)b.l.si_start, (unsigned long)b.l.pt_start,
           (unsigned long)b.l.nr_pt_frames, console_port, store_port);
    if ((rc = domctl_unpause(domid)) < 0)
        FAIL("unpause", rc);
    out->domid = domid;
    out->store_mfn = mfns[dombuild_pfn(&b.l, b.l.store_start)];
    out->store_port = (uint32_t)store_port;
    out->console_mfn = mfns[dombuild_pfn(&b.l, b.l.console_start)];
    out->console_port = (uint32_t)console_port;

out:
    if (b.mapped != 0 && unmap_region(&b) < 0)
        printk("dom0: %s: cannot unmap the foreign window\n", cfg->name);
    if (rc < 0) {
        printk("dom0: %s: building failed at %s: %d\n", cfg->name, what, rc);
        if (created) {
            int drc = domctl_destroy(domid);
            if (drc < 0)
                printk("dom0: %s: destroying the half-built domain %u failed: %d\n", cfg->name,
                       domid, drc);
        }
    }
    free(mfns);
    return rc;
}
