/*
 * dombuild (pv-guest/core): the initial domain image. The layout matches
 * the hypervisor's dom0 builder to the byte (numbers from a real dom0 boot
 * log), domUs get the xenstore and console pages after start_info, every
 * layout over a sweep of sizes keeps the 4 MiB / 512 KiB rule and its
 * order; the page tables written into a buffer are walked back and map
 * every page of the region to its p2m frame with the right flags, table
 * frames read-only; hostile placements and frames are refused.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "guest/dombuild.h"

#define VBASE 0xFFFFFFFF80000000ULL
#define MFN_BASE 0x100000ULL
#define MIB (1ULL << 20)

static uint64_t mfn_of(uint64_t pfn)
{
    return MFN_BASE + pfn * 3;          /* scattered, and reversible */
}

static uint64_t pfn_of(uint64_t mfn)
{
    ck_assert_uint_ge(mfn, MFN_BASE);
    ck_assert_uint_eq((mfn - MFN_BASE) % 3, 0);
    return (mfn - MFN_BASE) / 3;
}

START_TEST(pvg_dombuild_matches_hypervisor_dom0)
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
    ck_assert_uint_eq(l.store_start, 0);
    ck_assert_uint_eq(l.console_start, 0);
}
END_TEST

START_TEST(pvg_dombuild_domu_pages)
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
}
END_TEST

/* Every layout keeps its order, alignment and the spare rule. */
START_TEST(pvg_dombuild_layout_sweep)
{
    struct dombuild_layout l;

    for (uint64_t img = 4096; img < 20 * MIB; img += 123 * 4096 + 17) {
        for (uint64_t rd = 0; rd < 6 * MIB; rd += 3 * MIB + 5) {
            for (uint64_t pages = 1024; pages <= 65536; pages *= 4) {
                int rc = dombuild_layout(&l, VBASE, VBASE + img, rd, pages, (img & 1) != 0);
                uint64_t need = 0;
                if (rc == -DOMBUILD_ENOMEM)
                    continue;
                ck_assert_int_eq(rc, 0);
                ck_assert(IS_ALIGNED(l.v_end, 4 * MIB));
                ck_assert_uint_ge(l.v_end - (l.stack_start + 4096), 512 * 1024);
                ck_assert_uint_lt(l.v_end - (l.stack_start + 4096), 512 * 1024 + 4 * MIB);
                ck_assert_uint_le(l.kern_end, l.ramdisk_start);
                ck_assert_uint_le(l.ramdisk_start + l.ramdisk_len, l.p2m_start);
                ck_assert_uint_le(l.p2m_start + pages * 8, l.si_start);
                ck_assert_uint_le(dombuild_region_pages(&l), pages);
                /* enough tables for the region, as the walk will count */
                for (unsigned shift = 39; shift >= 21; shift -= 9)
                    need += ((l.v_end - 1) >> shift) - (l.v_start >> shift) + 1;
                ck_assert_uint_ge(l.nr_pt_frames, need + 1);
            }
        }
    }
}
END_TEST

START_TEST(pvg_dombuild_hostile_placement)
{
    struct dombuild_layout l;

    ck_assert_int_eq(dombuild_layout(&l, VBASE + 1, VBASE + 4096, 0, 4096, true), -DOMBUILD_EINVAL);
    ck_assert_int_eq(dombuild_layout(&l, VBASE, VBASE, 0, 4096, true), -DOMBUILD_EINVAL);
    ck_assert_int_eq(dombuild_layout(&l, VBASE, VBASE - 4096, 0, 4096, true), -DOMBUILD_EINVAL);
    /* in the hypervisor's slots */
    ck_assert_int_eq(dombuild_layout(&l, 0xFFFF800000000000ULL, 0xFFFF800000100000ULL, 0, 4096,
                                     true), -DOMBUILD_EINVAL);
    ck_assert_int_eq(dombuild_layout(&l, 0xFFFF87FFFFC00000ULL, 0xFFFF87FFFFD00000ULL, 0, 4096,
                                     true), -DOMBUILD_EINVAL);
    /* crossing the top of the lower half, or wrapping past 2^64 */
    ck_assert_int_eq(dombuild_layout(&l, 0x00007FFFFFE00000ULL, 0x00007FFFFFE01000ULL, 0, 4096,
                                     true), -DOMBUILD_EINVAL);
    ck_assert_int_eq(dombuild_layout(&l, 0xFFFFFFFFFFE00000ULL, 0xFFFFFFFFFFE01000ULL, 0, 4096,
                                     true), -DOMBUILD_EINVAL);
    /* absurd sizes */
    ck_assert_int_eq(dombuild_layout(&l, VBASE, VBASE + 4096, ~0ULL, 4096, true), -DOMBUILD_EINVAL);
    ck_assert_int_eq(dombuild_layout(&l, 0, ~0ULL, 0, 4096, true), -DOMBUILD_EINVAL);
    ck_assert_int_eq(dombuild_layout(&l, VBASE, VBASE + 4096, 0, ~0ULL, true), -DOMBUILD_EINVAL);
    /* too little memory for the region */
    ck_assert_int_eq(dombuild_layout(&l, VBASE, VBASE + 8 * MIB, 0, 2048, true), -DOMBUILD_ENOMEM);
    ck_assert_uint_eq(l.v_end, 0);                  /* nothing half-filled */
    /* the lower half is fine for a kernel that wants it */
    ck_assert_int_eq(dombuild_layout(&l, 0x400000, 0x480000, 0, 4096, true), 0);
    ck_assert_uint_eq(l.v_end, 0x800000);
}
END_TEST

static uint64_t *table(uint8_t *region, uint64_t mfn)
{
    return (uint64_t *)(void *)(region + pfn_of(mfn) * 4096);
}

static void build_and_walk(uint64_t vbase, uint64_t img, uint64_t rd, uint64_t pages, bool domu)
{
    struct dombuild_layout l;
    uint64_t *p2m = malloc(pages * 8);
    for (uint64_t i = 0; i < pages; i++)
        p2m[i] = mfn_of(i);
    ck_assert_int_eq(dombuild_layout(&l, vbase, vbase + img, rd, pages, domu), 0);
    uint64_t npages = dombuild_region_pages(&l);
    uint8_t *region = malloc(npages * 4096);
    memset(region, 0xa5, npages * 4096);           /* the builder must zero its pages */
    char cmdline[1500];
    memset(cmdline, 'c', sizeof(cmdline) - 1);
    cmdline[sizeof(cmdline) - 1] = '\0';
    struct dombuild_params p = { .p2m = p2m, .shared_info_maddr = 0x37f000, .flags = 0,
                                 .store_evtchn = 1, .console_evtchn = 2, .cmdline = cmdline };
    ck_assert_int_eq(dombuild_write(&l, region, &p), 0);
    /* the kernel's part is the caller's */
    ck_assert_uint_eq(region[0], 0xa5);

    const struct start_info *si = (const void *)(region + dombuild_pfn(&l, l.si_start) * 4096);
    ck_assert_str_eq(si->magic, "xen-3.0-x86_64");
    ck_assert_uint_eq(si->nr_pages, pages);
    ck_assert_uint_eq(si->shared_info, 0x37f000);
    ck_assert_uint_eq(si->flags, 0);
    ck_assert_uint_eq(si->pt_base, l.pt_start);
    ck_assert_uint_eq(si->nr_pt_frames, l.nr_pt_frames);
    ck_assert_uint_eq(si->mfn_list, l.p2m_start);
    ck_assert_uint_eq(si->mod_start, rd ? l.ramdisk_start : 0);
    ck_assert_uint_eq(si->mod_len, rd);
    ck_assert_uint_eq(strlen((const char *)si->cmd_line), MAX_GUEST_CMDLINE - 1);
    if (domu) {
        ck_assert_uint_eq(si->store_mfn, mfn_of(dombuild_pfn(&l, l.store_start)));
        ck_assert_uint_eq(si->store_evtchn, 1);
        ck_assert_uint_eq(si->console.domU.mfn, mfn_of(dombuild_pfn(&l, l.console_start)));
        ck_assert_uint_eq(si->console.domU.evtchn, 2);
        const uint8_t *store = region + dombuild_pfn(&l, l.store_start) * 4096;
        for (unsigned i = 0; i < 8192; i++)
            ck_assert_uint_eq(store[i], 0);         /* xenstore and console pages */
    }
    const uint64_t *list = (const void *)(region + dombuild_pfn(&l, l.p2m_start) * 4096);
    for (uint64_t i = 0; i < pages; i++)
        ck_assert_uint_eq(list[i], p2m[i]);

    /* Walk every page of the region from the L4. */
    uint64_t pt_first = dombuild_pfn(&l, l.pt_start), pt_end = pt_first + l.nr_pt_frames;
    uint64_t l4_mfn = p2m[pt_first], present_l1 = 0;
    for (uint64_t va = l.v_start; va != l.v_end; va += 4096) {
        uint64_t mfn = l4_mfn;
        for (unsigned lv = 4; lv > 1; lv--) {
            uint64_t e = table(region, mfn)[(va >> (12 + 9 * (lv - 1))) & 511];
            ck_assert_uint_eq(e & 0xfff, DOMBUILD_LN_PROT);
            mfn = (e & XEN_PTE_ADDR_MASK) >> 12;
            uint64_t pfn = pfn_of(mfn);
            ck_assert(pfn >= pt_first && pfn < pt_end);
        }
        uint64_t e = table(region, mfn)[(va >> 12) & 511];
        uint64_t pfn = dombuild_pfn(&l, va);
        ck_assert_uint_eq(e >> 12, p2m[pfn]);
        ck_assert_uint_eq(e & 0xfff, (pfn >= pt_first && pfn < pt_end) ? DOMBUILD_L1_PROT_RO
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

START_TEST(pvg_dombuild_tables_walk_back)
{
    build_and_walk(VBASE, 0x3a000, 0, 4096, true);              /* the demo domU */
    build_and_walk(VBASE, 0x39abc, 0x3e, 16384, false);         /* dom0 */
    build_and_walk(VBASE, 3 * MIB + 5, 5 * MIB, 8192, true);    /* crosses L2 spans */
    build_and_walk(0xFFFFFF7FFFC00000ULL, 0x1000, 0, 4096, true); /* crosses an L4 slot */
}
END_TEST

START_TEST(pvg_dombuild_refuses_bad_frames)
{
    struct dombuild_layout l;
    static uint64_t p2m[1024];
    static uint8_t region[1024 * 4096];

    for (unsigned i = 0; i < 1024; i++)
        p2m[i] = mfn_of(i);
    p2m[1000] = 1ULL << 40;                                     /* past a PTE's address bits */
    ck_assert_int_eq(dombuild_layout(&l, VBASE, VBASE + 0x10000, 0, 1024, true), 0);
    memset(region, 0x5a, sizeof(region));
    struct dombuild_params p = { .p2m = p2m };
    ck_assert_int_eq(dombuild_write(&l, region, &p), -DOMBUILD_EINVAL);
    ck_assert_uint_eq(region[sizeof(region) - 1], 0x5a);        /* nothing written */
    p2m[1000] = mfn_of(1000);
    ck_assert_int_eq(dombuild_write(&l, region, &p), 0);
}
END_TEST

Suite *pvg_dombuild_suite(void);
Suite *pvg_dombuild_suite(void)
{
    Suite *s = suite_create("pvg_dombuild");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 30);
    tcase_add_test(tc, pvg_dombuild_matches_hypervisor_dom0);
    tcase_add_test(tc, pvg_dombuild_domu_pages);
    tcase_add_test(tc, pvg_dombuild_layout_sweep);
    tcase_add_test(tc, pvg_dombuild_hostile_placement);
    tcase_add_test(tc, pvg_dombuild_tables_walk_back);
    tcase_add_test(tc, pvg_dombuild_refuses_bad_frames);
    suite_add_tcase(s, tc);
    return s;
}
