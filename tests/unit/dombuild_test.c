/*
 * dombuild (hypervisor/core): the initial image of a PV domain, shared by
 * the hypervisor's dom0 builder and dom0's domU builder.
 *
 * - dom0's layout matches real dom0 boot logs to the byte, and over a sweep
 *   of sizes (an empty p2m, too little memory, L3 and L4 spans crossed) it
 *   equals a reference model of the hypervisor's former private builder;
 *   so do the written p2m, start_info and page tables, through a page
 *   accessor over scattered frames as the hypervisor's direct map gives
 *   them (each page its own allocation: ASan sees any overrun).
 * - dom0 differs from a domU: no xenstore or console page, SIF flags,
 *   mod_start a virtual address; domUs get their two pages after start_info.
 * - every layout keeps the 4 MiB / 512 KiB rule and its order; tables
 *   walked back from the L4 map every page to its p2m frame with the right
 *   flags, table frames read-only; hostile placements and frames are
 *   refused with nothing written.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "core/dombuild.h"

#define VBASE 0xFFFFFFFF80000000ULL
#define MFN_BASE 0x100000ULL
#define MIB (1ULL << 20)
#define PG 4096ULL

/* For the hot loops: ck_assert records its location on every call (a pipe
   write per check), this only on failure. */
#define CHECK_EQ(a, b)                                                                     \
    do {                                                                                   \
        uint64_t a_ = (a), b_ = (b);                                                       \
        if (a_ != b_)                                                                      \
            ck_abort_msg("%s == %s failed: %#lx != %#lx", #a, #b, (unsigned long)a_,       \
                         (unsigned long)b_);                                               \
    } while (0)
#define CHECK(c)                                                                           \
    do {                                                                                   \
        if (!(c))                                                                          \
            ck_abort_msg("%s failed", #c);                                                 \
    } while (0)

static uint64_t mfn_of(uint64_t pfn)
{
    return MFN_BASE + pfn * 3;          /* scattered, and reversible */
}

static uint64_t pfn_of(uint64_t mfn)
{
    CHECK(mfn >= MFN_BASE);
    CHECK_EQ((mfn - MFN_BASE) % 3, 0);
    return (mfn - MFN_BASE) / 3;
}

static uint64_t *make_p2m(uint64_t pages)
{
    uint64_t *p2m = malloc((pages ? pages : 1) * 8);
    for (uint64_t i = 0; i < pages; i++)
        p2m[i] = mfn_of(i);
    return p2m;
}

/* ---- Reference model: the hypervisor's dom0 builder before it shared this
   core (compute_layout, the p2m and start_info stores, build_page_tables). */

struct ref_layout {
    uint64_t v_start, kern_end, initrd_start, p2m_start, si_start, pt_start, stack_start, v_end;
    uint64_t nr_pt_frames;
};

static uint64_t ref_tables_needed(uint64_t start, uint64_t end)
{
    uint64_t n = 1;
    for (unsigned shift = 39; shift >= 21; shift -= 9)
        n += ((end - 1) >> shift) - (start >> shift) + 1;
    return n;
}

static void ref_layout(struct ref_layout *r, uint64_t virt_base, uint64_t vend,
                       uint64_t initrd_len, uint64_t nr_pages)
{
    r->v_start = virt_base;
    r->kern_end = ALIGN_UP(vend, PG);
    r->initrd_start = r->kern_end;
    r->p2m_start = ALIGN_UP(r->initrd_start + initrd_len, PG);
    r->si_start = ALIGN_UP(r->p2m_start + nr_pages * 8, PG);
    r->pt_start = r->si_start + PG;
    for (r->nr_pt_frames = 1; r->nr_pt_frames < 4096; r->nr_pt_frames++) {
        r->stack_start = r->pt_start + r->nr_pt_frames * PG;
        uint64_t used_end = r->stack_start + PG;
        r->v_end = ALIGN_UP(used_end, 4 * MIB);
        if (r->v_end - used_end < 512 * 1024)
            r->v_end += 4 * MIB;
        if (ref_tables_needed(r->v_start, r->v_end) <= r->nr_pt_frames)
            break;
    }
}

/* The frames of a domain as the hypervisor sees them: one allocation per
   page, found from its mfn. */
struct frames {
    uint8_t **page;
    uint64_t n;
    uint64_t lowest_asked;              /* by the writer, through the accessor */
};

static void frames_init(struct frames *f, uint64_t n, int fill)
{
    f->page = calloc(n, sizeof(*f->page));
    f->n = n;
    f->lowest_asked = UINT64_MAX;
    for (uint64_t i = 0; i < n; i++) {
        f->page[i] = malloc(PG);
        memset(f->page[i], fill, PG);
    }
}

static void frames_free(struct frames *f)
{
    for (uint64_t i = 0; i < f->n; i++)
        free(f->page[i]);
    free(f->page);
}

static void *frames_page(void *ctx, uint64_t pfn)
{
    struct frames *f = ctx;
    CHECK(pfn < f->n);
    if (pfn < f->lowest_asked)
        f->lowest_asked = pfn;
    return f->page[pfn];
}

static uint8_t *ref_va(const struct frames *f, const struct ref_layout *r, uint64_t va)
{
    return f->page[(va - r->v_start) / PG] + (va & (PG - 1));
}

static void ref_write(struct frames *f, const struct ref_layout *r, uint64_t nr_pages,
                      uint64_t initrd_len, uint64_t si_maddr, const char *cmdline)
{
    for (uint64_t pfn = 0; pfn < nr_pages; pfn++)
        *(uint64_t *)(void *)ref_va(f, r, r->p2m_start + pfn * 8) = mfn_of(pfn);

    struct start_info *si = (void *)ref_va(f, r, r->si_start);
    memcpy(si->magic, XEN_START_INFO_MAGIC_X86_64, sizeof(XEN_START_INFO_MAGIC_X86_64));
    si->nr_pages = nr_pages;
    si->shared_info = si_maddr;
    si->flags = SIF_PRIVILEGED | SIF_INITDOMAIN;
    si->pt_base = r->pt_start;
    si->nr_pt_frames = r->nr_pt_frames;
    si->mfn_list = r->p2m_start;
    si->mod_start = initrd_len ? r->initrd_start : 0;
    si->mod_len = initrd_len;
    for (size_t i = 0; cmdline && cmdline[i] && i < sizeof(si->cmd_line) - 1; i++)
        si->cmd_line[i] = cmdline[i];

    /* A walk that allocates a table wherever an entry is not present. */
    uint64_t next_pt = r->pt_start;
    uint64_t *l4 = (void *)ref_va(f, r, next_pt);
    next_pt += PG;
    for (uint64_t va = r->v_start; va < r->v_end; va += PG) {
        uint64_t *t = l4;
        for (unsigned level = 4; level > 1; level--) {
            unsigned idx = (va >> (12 + 9 * (level - 1))) & 511;
            if (!(t[idx] & XEN_PTE_PRESENT)) {
                t[idx] = (mfn_of((next_pt - r->v_start) / PG) << 12) | DOMBUILD_LN_PROT;
                next_pt += PG;
            }
            t = (void *)f->page[pfn_of((t[idx] & XEN_PTE_ADDR_MASK) >> 12)];
        }
        uint64_t pfn = (va - r->v_start) / PG;
        bool is_table = va >= r->pt_start && va < r->pt_start + r->nr_pt_frames * PG;
        t[(va >> 12) & 511] = (mfn_of(pfn) << 12) |
                              (is_table ? DOMBUILD_L1_PROT_RO : DOMBUILD_L1_PROT);
    }
    ck_assert_uint_le(next_pt, r->pt_start + r->nr_pt_frames * PG);
}

static void assert_same_layout(const struct dombuild_layout *l, const struct ref_layout *r)
{
    ck_assert_uint_eq(l->v_start, r->v_start);
    ck_assert_uint_eq(l->kern_end, r->kern_end);
    ck_assert_uint_eq(l->ramdisk_start, r->initrd_start);
    ck_assert_uint_eq(l->p2m_start, r->p2m_start);
    ck_assert_uint_eq(l->si_start, r->si_start);
    ck_assert_uint_eq(l->pt_start, r->pt_start);
    ck_assert_uint_eq(l->nr_pt_frames, r->nr_pt_frames);
    ck_assert_uint_eq(l->stack_start, r->stack_start);
    ck_assert_uint_eq(l->v_end, r->v_end);
    ck_assert_uint_eq(l->store_start, 0);
    ck_assert_uint_eq(l->console_start, 0);
}

/* ---- dom0: the hypervisor's builder ---- */

START_TEST(dombuild_dom0_matches_boot_logs)
{
    struct dombuild_layout l;

    /* (XEN) dom0: Xenia kernel 0xffffffff80000000-0xffffffff8003a000, 64 MiB
       (XEN) dom0: initrd 0xffffffff8003a000+0x3e, p2m 0xffffffff8003b000,
             start_info 0xffffffff8005b000, page tables 0xffffffff8005c000 (5),
             stack 0xffffffff80061000, mapped to 0xffffffff80400000 */
    ck_assert_int_eq(dombuild_layout(&l, VBASE, VBASE + 0x39abc, 0x3e, 16384, false), 0);
    ck_assert_uint_eq(l.kern_end, 0xffffffff8003a000);
    ck_assert_uint_eq(l.ramdisk_start, 0xffffffff8003a000);
    ck_assert_uint_eq(l.p2m_start, 0xffffffff8003b000);
    ck_assert_uint_eq(l.si_start, 0xffffffff8005b000);
    ck_assert_uint_eq(l.pt_start, 0xffffffff8005c000);
    ck_assert_uint_eq(l.nr_pt_frames, 5);
    ck_assert_uint_eq(l.stack_start, 0xffffffff80061000);
    ck_assert_uint_eq(l.v_end, 0xffffffff80400000);
    ck_assert_uint_eq(l.nr_pages, 16384);

    /* pvtest, no initrd: (XEN) dom0: initrd 0xffffffff80033000+0, p2m
       0xffffffff80033000, start_info 0xffffffff80053000, page tables
       0xffffffff80054000 (5), stack 0xffffffff80059000 */
    ck_assert_int_eq(dombuild_layout(&l, VBASE, VBASE + 0x32f10, 0, 16384, false), 0);
    ck_assert_uint_eq(l.p2m_start, 0xffffffff80033000);
    ck_assert_uint_eq(l.si_start, 0xffffffff80053000);
    ck_assert_uint_eq(l.pt_start, 0xffffffff80054000);
    ck_assert_uint_eq(l.stack_start, 0xffffffff80059000);
    ck_assert_uint_eq(l.v_end, 0xffffffff80400000);

    /* a 250 KiB ramdisk: initrd 0xffffffff80058000+0x3e800, p2m
       0xffffffff80097000, start_info 0xffffffff800b7000, page tables
       0xffffffff800b8000 (5), stack 0xffffffff800bd000 */
    ck_assert_int_eq(dombuild_layout(&l, VBASE, VBASE + 0x58000, 0x3e800, 16384, false), 0);
    ck_assert_uint_eq(l.ramdisk_start, 0xffffffff80058000);
    ck_assert_uint_eq(l.p2m_start, 0xffffffff80097000);
    ck_assert_uint_eq(l.si_start, 0xffffffff800b7000);
    ck_assert_uint_eq(l.pt_start, 0xffffffff800b8000);
    ck_assert_uint_eq(l.stack_start, 0xffffffff800bd000);
    ck_assert_uint_eq(l.v_end, 0xffffffff80400000);
}
END_TEST

/* The layout equals the former builder's, for every page count the
   hypervisor's sizing asks about (an empty p2m first, too few pages too). */
START_TEST(dombuild_dom0_layout_matches_reference)
{
    static const uint64_t bases[] = { VBASE, 0xFFFFFF7FFFC00000ULL, 0x400000,
                                      0x00007F7FFFE00000ULL };
    struct dombuild_layout l;
    struct ref_layout r;

    for (unsigned b = 0; b < ARRAY_SIZE(bases); b++)
        for (uint64_t img = 0x1abc; img < 12 * MIB; img += 517 * PG + 33)
            for (uint64_t rd = 0; rd < 5 * MIB; rd += 2 * MIB + 0x3e)
                for (uint64_t pages = 0; pages <= 1 << 18; pages = pages * 4 + 1024) {
                    int rc = dombuild_layout(&l, bases[b], bases[b] + img, rd, pages, false);
                    ref_layout(&r, bases[b], bases[b] + img, rd, pages);
                    bool fits = (r.v_end - r.v_start) / PG <= pages;
                    ck_assert_int_eq(rc, fits ? 0 : -DOMBUILD_ENOMEM);
                    assert_same_layout(&l, &r);     /* filled even on ENOMEM */
                    ck_assert_uint_eq(l.nr_pages, pages);
                }
}
END_TEST

/* A VIRT_BASE off a 4 MiB boundary: v_end is still one of the address space
   (Xen rounds the address, not the size), for dom0 and domU alike. */
START_TEST(dombuild_unaligned_virt_base)
{
    struct dombuild_layout l;

    ck_assert_int_eq(dombuild_layout(&l, VBASE + 0x201000, VBASE + 0x23a000, 0, 16384, false), 0);
    ck_assert_uint_eq(l.p2m_start, VBASE + 0x23a000);
    ck_assert_uint_eq(l.stack_start, l.pt_start + l.nr_pt_frames * PG);
    ck_assert_uint_eq(l.v_end, VBASE + 4 * MIB);        /* 1.2 MiB spare: enough */
    ck_assert_int_eq(dombuild_layout(&l, VBASE + 0x381000, VBASE + 0x3a0000, 0, 4096, true), 0);
    ck_assert_uint_eq(l.v_end, VBASE + 8 * MIB);        /* < 512 KiB to spare: one more */
    ck_assert_uint_eq(dombuild_region_pages(&l), (8 * MIB - 0x381000) / PG);
}
END_TEST

/* The hypervisor's sizing: empty p2m, then 1024 pages over that region,
   then the wanted amount; every step reads the region of the one before. */
START_TEST(dombuild_dom0_sizing_steps)
{
    struct dombuild_layout l;

    ck_assert_int_eq(dombuild_layout(&l, VBASE, VBASE + 0x39abc, 0x3e, 0, false),
                     -DOMBUILD_ENOMEM);
    ck_assert_uint_eq(l.si_start, l.p2m_start);         /* an empty list */
    ck_assert_uint_eq(dombuild_region_pages(&l), 1024);
    ck_assert_int_eq(dombuild_layout(&l, VBASE, VBASE + 0x39abc, 0x3e,
                                     dombuild_region_pages(&l) + 1024, false), 0);
    ck_assert_uint_eq(l.si_start, l.p2m_start + 4 * PG);
    ck_assert_uint_eq(dombuild_region_pages(&l), 1024);
    /* dom0_mem=2M: less than the region, which the message prints */
    ck_assert_int_eq(dombuild_layout(&l, VBASE, VBASE + 0x39abc, 0x3e, 512, false),
                     -DOMBUILD_ENOMEM);
    ck_assert_uint_eq((l.v_end - l.v_start) >> 10, 4096);
    ck_assert_uint_eq(l.nr_pages, 512);
}
END_TEST

/* Scattered frames, written page by page, hold the same bytes as the former
   builder wrote; only [p2m_start, v_end) is touched. */
static void dom0_write_matches(uint64_t vbase, uint64_t img, uint64_t rd, uint64_t pages,
                               const char *cmdline)
{
    struct dombuild_layout l;
    struct ref_layout r;
    struct frames got, want;
    uint64_t *p2m = make_p2m(pages);

    ck_assert_int_eq(dombuild_layout(&l, vbase, vbase + img, rd, pages, false), 0);
    ref_layout(&r, vbase, vbase + img, rd, pages);
    assert_same_layout(&l, &r);
    uint64_t npages = dombuild_region_pages(&l);      /* the rest is never touched */
    frames_init(&got, npages, 0);
    frames_init(&want, npages, 0);
    memset(got.page[0], 0xa5, PG);                      /* "the kernel" */
    memset(want.page[0], 0xa5, PG);

    /* store_evtchn and console_evtchn have no place in dom0's start_info */
    struct dombuild_params p = { .p2m = p2m, .shared_info_maddr = 0x37f000,
                                 .flags = SIF_PRIVILEGED | SIF_INITDOMAIN,
                                 .store_evtchn = 7, .console_evtchn = 8, .cmdline = cmdline };
    ck_assert_int_eq(dombuild_write_pages(&l, frames_page, &got, &p), 0);
    ref_write(&want, &r, pages, rd, 0x37f000, cmdline);
    ck_assert_uint_eq(got.lowest_asked, dombuild_pfn(&l, l.p2m_start));
    for (uint64_t pfn = 0; pfn < npages; pfn++)
        if (memcmp(got.page[pfn], want.page[pfn], PG) != 0)
            ck_abort_msg("pfn %lu differs", (unsigned long)pfn);

    const struct start_info *si = (const void *)got.page[dombuild_pfn(&l, l.si_start)];
    ck_assert_uint_eq(si->flags, SIF_PRIVILEGED | SIF_INITDOMAIN);
    ck_assert_uint_eq(si->store_mfn, 0);
    ck_assert_uint_eq(si->store_evtchn, 0);
    ck_assert_uint_eq(si->console.domU.mfn, 0);
    ck_assert_uint_eq(si->console.domU.evtchn, 0);
    ck_assert_uint_eq(si->mod_start, rd ? vbase + ALIGN_UP(img, PG) : 0);   /* virtual */
    ck_assert_uint_eq(si->mod_len, rd);
    ck_assert_str_eq((const char *)si->cmd_line, cmdline ? cmdline : "");
    frames_free(&got);
    frames_free(&want);
    free(p2m);
}

START_TEST(dombuild_dom0_write_matches_reference)
{
    dom0_write_matches(VBASE, 0x39abc, 0x3e, 16384, "console=hvc0 loglevel=8");
    dom0_write_matches(VBASE, 0x33000, 0, 16384, NULL);
    dom0_write_matches(VBASE, 0x58000, 0x3e800, 16384, "");
    dom0_write_matches(VBASE, 3 * MIB + 5, 5 * MIB, 8192, "x");                 /* L2 spans */
    dom0_write_matches(0xFFFFFF7FFFC00000ULL, 0x1000, 0, 4096, "l4");          /* L4 slots */
    dom0_write_matches(0x7FC0000000ULL - 2 * MIB, 0x1000, 0, 4096, "l3");      /* L3 spans */
}
END_TEST

/* ---- domU: dom0's builder ---- */

START_TEST(dombuild_domu_pages)
{
    struct dombuild_layout l;

    /* 16 MiB domU, no ramdisk: p2m 32 KiB. */
    ck_assert_int_eq(dombuild_layout(&l, VBASE, VBASE + 0x3a000, 0, 4096, true), 0);
    ck_assert_uint_eq(l.p2m_start, VBASE + 0x3a000);
    ck_assert_uint_eq(l.si_start, VBASE + 0x42000);
    ck_assert_uint_eq(l.store_start, VBASE + 0x43000);
    ck_assert_uint_eq(l.console_start, VBASE + 0x44000);
    ck_assert_uint_eq(l.pt_start, VBASE + 0x45000);
    ck_assert_uint_eq(l.stack_start, l.pt_start + l.nr_pt_frames * 4096);
    ck_assert_uint_eq(l.v_end, VBASE + 4 * MIB);
    ck_assert_uint_eq(dombuild_region_pages(&l), 1024);

    /* the same kernel as dom0: two pages later, nothing else moves */
    struct dombuild_layout d0;
    ck_assert_int_eq(dombuild_layout(&d0, VBASE, VBASE + 0x3a000, 0, 4096, false), 0);
    ck_assert_uint_eq(d0.si_start, l.si_start);
    ck_assert_uint_eq(d0.pt_start + 2 * PG, l.pt_start);
}
END_TEST

/* Every layout keeps its order, alignment and the spare rule. */
START_TEST(dombuild_layout_sweep)
{
    struct dombuild_layout l;

    for (uint64_t img = 4096; img < 20 * MIB; img += 123 * 4096 + 17) {
        for (uint64_t rd = 0; rd < 6 * MIB; rd += 3 * MIB + 5) {
            for (uint64_t pages = 1024; pages <= 65536; pages *= 4) {
                bool domu = (img & 1) != 0;
                int rc = dombuild_layout(&l, VBASE, VBASE + img, rd, pages, domu);
                uint64_t need = 0;
                ck_assert(rc == 0 || rc == -DOMBUILD_ENOMEM);
                ck_assert_int_eq(rc == -DOMBUILD_ENOMEM, dombuild_region_pages(&l) > pages);
                ck_assert(IS_ALIGNED(l.v_end, 4 * MIB));
                ck_assert_uint_ge(l.v_end - (l.stack_start + 4096), 512 * 1024);
                ck_assert_uint_lt(l.v_end - (l.stack_start + 4096), 512 * 1024 + 4 * MIB);
                ck_assert_uint_le(l.kern_end, l.ramdisk_start);
                ck_assert_uint_le(l.ramdisk_start + l.ramdisk_len, l.p2m_start);
                ck_assert_uint_le(l.p2m_start + pages * 8, l.si_start);
                ck_assert_uint_eq(l.pt_start, l.si_start + (domu ? 3 : 1) * PG);
                /* enough tables for the region, as the walk will count */
                for (unsigned shift = 39; shift >= 21; shift -= 9)
                    need += ((l.v_end - 1) >> shift) - (l.v_start >> shift) + 1;
                ck_assert_uint_ge(l.nr_pt_frames, need + 1);
            }
        }
    }
}
END_TEST

START_TEST(dombuild_hostile_placement)
{
    struct dombuild_layout l;

    ck_assert_int_eq(dombuild_layout(&l, VBASE + 1, VBASE + 4096, 0, 4096, true), -DOMBUILD_EINVAL);
    ck_assert_int_eq(dombuild_layout(&l, VBASE, VBASE, 0, 4096, false), -DOMBUILD_EINVAL);
    ck_assert_int_eq(dombuild_layout(&l, VBASE, VBASE - 4096, 0, 4096, true), -DOMBUILD_EINVAL);
    /* in the hypervisor's slots */
    ck_assert_int_eq(dombuild_layout(&l, 0xFFFF800000000000ULL, 0xFFFF800000100000ULL, 0, 4096,
                                     true), -DOMBUILD_EINVAL);
    ck_assert_int_eq(dombuild_layout(&l, 0xFFFF87FFFFC00000ULL, 0xFFFF87FFFFD00000ULL, 0, 4096,
                                     false), -DOMBUILD_EINVAL);
    /* crossing the top of the lower half, or wrapping past 2^64 */
    ck_assert_int_eq(dombuild_layout(&l, 0x00007FFFFFE00000ULL, 0x00007FFFFFFC0000ULL, 0, 4096,
                                     true), -DOMBUILD_EINVAL);
    ck_assert_int_eq(dombuild_layout(&l, 0xFFFFFFFFFFE00000ULL, 0xFFFFFFFFFFFC0000ULL, 0, 4096,
                                     false), -DOMBUILD_EINVAL);
    /* a p2m that pushes the region of a fitting kernel past the lower half */
    ck_assert_int_eq(dombuild_layout(&l, 0x00007FFFF0000000ULL, 0x00007FFFF0001000ULL, 0,
                                     1ULL << 26, false), -DOMBUILD_EINVAL);
    /* absurd sizes */
    ck_assert_int_eq(dombuild_layout(&l, VBASE, VBASE + 4096, ~0ULL, 4096, true), -DOMBUILD_EINVAL);
    ck_assert_int_eq(dombuild_layout(&l, 0, ~0ULL, 0, 4096, true), -DOMBUILD_EINVAL);
    ck_assert_int_eq(dombuild_layout(&l, VBASE, VBASE + 4096, 0, ~0ULL, false), -DOMBUILD_EINVAL);
    ck_assert_uint_eq(l.v_end, 0);                  /* EINVAL: nothing filled */
    ck_assert_uint_eq(l.nr_pages, 0);
    /* too little memory for the region: the layout is there to report */
    ck_assert_int_eq(dombuild_layout(&l, VBASE, VBASE + 8 * MIB, 0, 2048, true), -DOMBUILD_ENOMEM);
    ck_assert_uint_eq(dombuild_region_pages(&l), 3072);
    /* the lower half is fine for a kernel that wants it, to its last page */
    ck_assert_int_eq(dombuild_layout(&l, 0x400000, 0x480000, 0, 4096, true), 0);
    ck_assert_uint_eq(l.v_end, 0x800000);
    ck_assert_int_eq(dombuild_layout(&l, 0x00007FFFFFE00000ULL, 0x00007FFFFFE01000ULL, 0, 4096,
                                     true), 0);
    ck_assert_uint_eq(l.v_end, 0x0000800000000000ULL);
    /* and so is the top of the upper half: v_end wraps to 0 */
    ck_assert_int_eq(dombuild_layout(&l, 0xFFFFFFFFFFE00000ULL, 0xFFFFFFFFFFE01000ULL, 0, 4096,
                                     false), 0);
    ck_assert_uint_eq(l.v_end, 0);
    ck_assert_uint_eq(dombuild_region_pages(&l), 512);
}
END_TEST

static uint64_t *table(uint8_t *region, uint64_t mfn)
{
    return (uint64_t *)(void *)(region + pfn_of(mfn) * 4096);
}

static void build_and_walk(uint64_t vbase, uint64_t img, uint64_t rd, uint64_t pages, bool domu)
{
    struct dombuild_layout l;
    uint64_t *p2m = make_p2m(pages);
    ck_assert_int_eq(dombuild_layout(&l, vbase, vbase + img, rd, pages, domu), 0);
    uint64_t npages = dombuild_region_pages(&l);
    uint8_t *region = malloc(npages * 4096);
    memset(region, 0xa5, npages * 4096);           /* the builder must zero its pages */
    char cmdline[1500];
    memset(cmdline, 'c', sizeof(cmdline) - 1);
    cmdline[sizeof(cmdline) - 1] = '\0';
    struct dombuild_params p = { .p2m = p2m, .shared_info_maddr = 0x37f000,
                                 .flags = domu ? 0 : SIF_PRIVILEGED | SIF_INITDOMAIN,
                                 .store_evtchn = 1, .console_evtchn = 2, .cmdline = cmdline };
    ck_assert_int_eq(dombuild_write(&l, region, &p), 0);
    /* the kernel's and the ramdisk's part is the caller's */
    for (uint64_t off = 0; off < l.p2m_start - l.v_start; off += 997)
        CHECK_EQ(region[off], 0xa5);

    const struct start_info *si = (const void *)(region + dombuild_pfn(&l, l.si_start) * 4096);
    ck_assert_str_eq(si->magic, "xen-3.0-x86_64");
    ck_assert_uint_eq(si->nr_pages, pages);
    ck_assert_uint_eq(si->shared_info, 0x37f000);
    ck_assert_uint_eq(si->flags, domu ? 0 : SIF_PRIVILEGED | SIF_INITDOMAIN);
    ck_assert_uint_eq(si->pt_base, l.pt_start);
    ck_assert_uint_eq(si->nr_pt_frames, l.nr_pt_frames);
    ck_assert_uint_eq(si->mfn_list, l.p2m_start);
    ck_assert_uint_eq(si->mod_start, rd ? l.ramdisk_start : 0);
    ck_assert_uint_eq(si->mod_len, rd);
    ck_assert_uint_eq(strlen((const char *)si->cmd_line), MAX_GUEST_CMDLINE - 1);
    ck_assert_uint_eq(si->first_p2m_pfn, 0);
    ck_assert_uint_eq(si->nr_p2m_frames, 0);
    if (domu) {
        ck_assert_uint_eq(si->store_mfn, mfn_of(dombuild_pfn(&l, l.store_start)));
        ck_assert_uint_eq(si->store_evtchn, 1);
        ck_assert_uint_eq(si->console.domU.mfn, mfn_of(dombuild_pfn(&l, l.console_start)));
        ck_assert_uint_eq(si->console.domU.evtchn, 2);
        const uint8_t *store = region + dombuild_pfn(&l, l.store_start) * 4096;
        for (unsigned i = 0; i < 8192; i++)
            CHECK_EQ(store[i], 0);         /* xenstore and console pages */
    } else {
        ck_assert_uint_eq(si->store_mfn, 0);
        ck_assert_uint_eq(si->store_evtchn, 0);
        ck_assert_uint_eq(si->console.domU.mfn, 0);
        ck_assert_uint_eq(si->console.domU.evtchn, 0);
    }
    const uint64_t *list = (const void *)(region + dombuild_pfn(&l, l.p2m_start) * 4096);
    for (uint64_t i = 0; i < pages; i++)
        CHECK_EQ(list[i], p2m[i]);
    const uint8_t *stack = region + dombuild_pfn(&l, l.stack_start) * 4096;
    for (uint64_t off = 0; off < l.v_end - l.stack_start; off += 61)
        CHECK_EQ(stack[off], 0);           /* stack and spare zeroed */

    /* Walk every page of the region from the L4. */
    uint64_t pt_first = dombuild_pfn(&l, l.pt_start), pt_end = pt_first + l.nr_pt_frames;
    uint64_t l4_mfn = p2m[pt_first], present_l1 = 0;
    for (uint64_t va = l.v_start; va != l.v_end; va += 4096) {
        uint64_t mfn = l4_mfn;
        for (unsigned lv = 4; lv > 1; lv--) {
            uint64_t e = table(region, mfn)[(va >> (12 + 9 * (lv - 1))) & 511];
            CHECK_EQ(e & 0xfff, DOMBUILD_LN_PROT);
            mfn = (e & XEN_PTE_ADDR_MASK) >> 12;
            uint64_t pfn = pfn_of(mfn);
            CHECK(pfn >= pt_first && pfn < pt_end);
        }
        uint64_t e = table(region, mfn)[(va >> 12) & 511];
        uint64_t pfn = dombuild_pfn(&l, va);
        CHECK_EQ(e >> 12, p2m[pfn]);
        CHECK_EQ(e & 0xfff, (pfn >= pt_first && pfn < pt_end) ? DOMBUILD_L1_PROT_RO
                                                              : DOMBUILD_L1_PROT);
    }
    /* Nothing mapped beyond the region: count the present L1 entries. */
    for (uint64_t pfn = pt_first; pfn < pt_end; pfn++) {
        const uint64_t *t = (const void *)(region + pfn * 4096);
        for (unsigned i = 0; i < 512; i++)
            if ((t[i] & XEN_PTE_PRESENT) && (t[i] & 0xfff) != DOMBUILD_LN_PROT)
                present_l1++;
    }
    ck_assert_uint_eq(present_l1, npages);
    free(region);
    free(p2m);
}

START_TEST(dombuild_tables_walk_back)
{
    build_and_walk(VBASE, 0x3a000, 0, 4096, true);              /* the demo domU */
    build_and_walk(VBASE, 0x39abc, 0x3e, 16384, false);         /* dom0 */
    build_and_walk(VBASE, 3 * MIB + 5, 5 * MIB, 8192, true);    /* crosses L2 spans */
    build_and_walk(0xFFFFFF7FFFC00000ULL, 0x1000, 0, 4096, true); /* crosses an L4 slot */
    build_and_walk(0xFFFFFF7FFFC00000ULL, 0x1000, 0x2345, 4096, false);
    build_and_walk(0xFFFFFFFFFFC00000ULL, 0x1000, 0, 4096, true);   /* ends at 2^64 */
    build_and_walk(VBASE + 0x381000, 0x1f000, 0, 4096, true);        /* unaligned base */
}
END_TEST

START_TEST(dombuild_refuses_bad_frames)
{
    struct dombuild_layout l;
    static uint64_t p2m[1024];
    static uint8_t region[1024 * 4096];
    struct frames f;

    for (unsigned i = 0; i < 1024; i++)
        p2m[i] = mfn_of(i);
    p2m[1000] = 1ULL << 40;                                     /* past a PTE's address bits */
    ck_assert_int_eq(dombuild_layout(&l, VBASE, VBASE + 0x10000, 0, 1024, true), 0);
    memset(region, 0x5a, sizeof(region));
    struct dombuild_params p = { .p2m = p2m };
    ck_assert_int_eq(dombuild_write(&l, region, &p), -DOMBUILD_EINVAL);
    for (size_t i = 0; i < sizeof(region); i += 509)
        ck_assert_uint_eq(region[i], 0x5a);                     /* nothing written */
    /* the page accessor is not even asked */
    frames_init(&f, 1024, 0x5a);
    p2m[1023] = ~0ULL;
    ck_assert_int_eq(dombuild_write_pages(&l, frames_page, &f, &p), -DOMBUILD_EINVAL);
    ck_assert_uint_eq(f.lowest_asked, UINT64_MAX);
    p2m[1000] = mfn_of(1000);
    p2m[1023] = XEN_PTE_ADDR_MASK >> 12;                        /* the highest that fits */
    ck_assert_int_eq(dombuild_write_pages(&l, frames_page, &f, &p), 0);
    const uint64_t *list = (const void *)f.page[dombuild_pfn(&l, l.p2m_start) + 1];
    ck_assert_uint_eq(list[1023 - 512], XEN_PTE_ADDR_MASK >> 12);
    frames_free(&f);
    ck_assert_int_eq(dombuild_write(&l, region, &p), 0);
}
END_TEST

Suite *dombuild_suite(void);
Suite *dombuild_suite(void)
{
    Suite *s = suite_create("dombuild");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 30);
    tcase_add_test(tc, dombuild_dom0_matches_boot_logs);
    tcase_add_test(tc, dombuild_dom0_layout_matches_reference);
    tcase_add_test(tc, dombuild_unaligned_virt_base);
    tcase_add_test(tc, dombuild_dom0_sizing_steps);
    tcase_add_test(tc, dombuild_dom0_write_matches_reference);
    tcase_add_test(tc, dombuild_domu_pages);
    tcase_add_test(tc, dombuild_layout_sweep);
    tcase_add_test(tc, dombuild_hostile_placement);
    tcase_add_test(tc, dombuild_tables_walk_back);
    tcase_add_test(tc, dombuild_refuses_bad_frames);
    suite_add_tcase(s, tc);
    return s;
}
