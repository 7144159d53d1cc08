/*
 * Grant tables from both sides, dom0 granting to itself: setup_table and
 * the table mapped; a grant mapped back (GNTMAP_host_map) shows the page
 * and takes writes; while mapped the entry carries GTF_reading/GTF_writing
 * and revoking is refused, after the unmap it succeeds and the reference
 * is reused; a read-only grant maps read-only only; GNTTABOP_copy in and
 * out. Hostile: a reference past the table, an entry never granted, a
 * revoked entry, a double unmap and a made-up handle are refused with
 * their GNTST codes; reserved references are never handed out. Without
 * grant tables (-ENOSYS) the test is SKIP.
 */
#include "test.h"
#include "arch/hypercall.h"
#include "guest/gnttab.h"
#include "guest/kernel.h"
#include "guest/mm.h"

const char test_title[] = "gnttab: grant, map, revoke, copy, hostile refs";

#define SELF 0      /* test kernels run as dom0 */

static void expect_status(int rc, int16_t st, int16_t want, const char *what)
{
    test_check(rc == -XEN_EIO && st == want, "%s: rc %d status %d (%s), expected %s", what, rc,
               st, gnttab_status_name(st), gnttab_status_name(want));
}

enum test_result test_main(void)
{
    struct gnttab_mapping m, m2;
    int16_t st;
    int rc = gnttab_init();

    if (rc == -XEN_ENOSYS) {
        test_note("grant tables are not implemented (-ENOSYS)");
        return TEST_SKIP;
    }
    if (!test_check(rc == 0, "gnttab_init: %d", rc))
        return TEST_FAILURE;
    test_note("%u entries", gnttab_nr_entries());

    uint32_t *page = mm_alloc_zeroed(1), *other = mm_alloc_zeroed(1);
    if (!test_check(page != NULL && other != NULL, "no pages"))
        return TEST_ERROR;
    page[0] = 0x12345678;

    long ref = gnttab_grant_access(SELF, virt_to_mfn(page), false);
    test_check(ref >= GNTTAB_NR_RESERVED_ENTRIES, "first reference %ld is reserved", ref);
    if (ref < 0)
        return TEST_FAILURE;
    test_check(gnttab_entry_flags((grant_ref_t)ref) == GTF_permit_access, "flags %#x",
               gnttab_entry_flags((grant_ref_t)ref));

    rc = gnttab_map(SELF, (grant_ref_t)ref, false, &m);
    if (!test_check(rc == 0, "map: %d (%s)", rc, gnttab_status_name(m.status)))
        return TEST_FAILURE;
    volatile uint32_t *alias = m.va;
    test_check(alias[0] == 0x12345678, "the mapping shows %#x", alias[0]);
    alias[1] = 0xabcdef01;
    test_check(page[1] == 0xabcdef01, "a write through the mapping did not land");
    uint16_t f = gnttab_entry_flags((grant_ref_t)ref);
    test_check((f & (GTF_reading | GTF_writing)) == (GTF_reading | GTF_writing),
               "flags while mapped writable: %#x", f);
    test_check(gnttab_end_access((grant_ref_t)ref) == -XEN_EBUSY, "revoke while mapped");
    test_check(gnttab_entry_flags((grant_ref_t)ref) & GTF_permit_access,
               "a refused revoke changed the entry");

    /* copy through the grant, both ways */
    uint32_t buf[4] = { 0 };
    rc = gnttab_copy_in(SELF, (grant_ref_t)ref, 0, buf, sizeof(buf), &st);
    test_check(rc == 0 && buf[0] == 0x12345678 && buf[1] == 0xabcdef01, "copy in: %d (%s)", rc,
               gnttab_status_name(st));
    buf[2] = 0x55aa55aa;
    rc = gnttab_copy_out(SELF, (grant_ref_t)ref, 64, buf, sizeof(buf), &st);
    test_check(rc == 0 && page[16 + 2] == 0x55aa55aa, "copy out: %d (%s)", rc,
               gnttab_status_name(st));
    test_check(gnttab_copy_in(SELF, (grant_ref_t)ref, 4090, buf, 16, &st) == -XEN_EINVAL,
               "a copy crossing the page end was sent");

    m2 = m;
    m2.slot = ~0u;                  /* keeps the slot bitmap out of the replays */
    rc = gnttab_unmap(&m);
    test_check(rc == 0, "unmap: %d (%s)", rc, gnttab_status_name(m.status));
    f = gnttab_entry_flags((grant_ref_t)ref);
    test_check((f & (GTF_reading | GTF_writing)) == 0, "flags after the unmap: %#x", f);
    /* the same handle again */
    rc = gnttab_unmap(&m2);
    expect_status(rc, m2.status, GNTST_bad_handle, "double unmap");
    m2.handle = 0xdead;
    rc = gnttab_unmap(&m2);
    expect_status(rc, m2.status, GNTST_bad_handle, "made-up handle");

    test_check(gnttab_end_access((grant_ref_t)ref) == 0, "revoke after the unmap");
    test_check(gnttab_end_access((grant_ref_t)ref) == -XEN_EINVAL, "revoke twice");
    rc = gnttab_map(SELF, (grant_ref_t)ref, false, &m);
    test_check(rc != 0, "a revoked entry was mapped");
    if (rc == 0)
        (void)gnttab_unmap(&m);
    long again = gnttab_grant_access(SELF, virt_to_mfn(other), true);
    test_check(again == ref, "the freed reference %ld was not reused (%ld)", ref, again);

    /* read-only grant */
    rc = gnttab_map(SELF, (grant_ref_t)again, false, &m);
    expect_status(rc, m.status, GNTST_permission_denied, "writable map of a read-only grant");
    if (rc == 0)
        (void)gnttab_unmap(&m);
    rc = gnttab_map(SELF, (grant_ref_t)again, true, &m);
    test_check(rc == 0, "read-only map: %d (%s)", rc, gnttab_status_name(m.status));
    if (rc == 0) {
        f = gnttab_entry_flags((grant_ref_t)again);
        test_check((f & GTF_reading) && !(f & GTF_writing), "flags while mapped read-only: %#x", f);
        test_check(gnttab_unmap(&m) == 0, "unmap the read-only mapping");
    }
    test_check(gnttab_end_access((grant_ref_t)again) == 0, "revoke the read-only grant");

    /* hostile references */
    rc = gnttab_map(SELF, gnttab_nr_entries() + 5, false, &m);
    expect_status(rc, m.status, GNTST_bad_gntref, "reference past the table");
    rc = gnttab_map(SELF, gnttab_nr_entries() - 1, false, &m);
    test_check(rc == -XEN_EIO && m.status != GNTST_okay, "an entry never granted was mapped");
    rc = gnttab_map(0x7000, 8, false, &m);
    expect_status(rc, m.status, GNTST_bad_domain, "a domain that does not exist");
    test_check(gnttab_end_access(0) == -XEN_EINVAL, "revoke of a reserved entry");
    test_check(gnttab_end_access(gnttab_nr_entries()) == -XEN_EINVAL, "revoke past the table");

    /* every reference until the table is full: none reserved, all distinct */
    unsigned n = 0, reserved = 0;
    long r;
    while ((r = gnttab_grant_access(SELF, virt_to_mfn(other), true)) >= 0) {
        n++;
        reserved += r < GNTTAB_NR_RESERVED_ENTRIES;
    }
    test_check(r == -XEN_ENOSPC && n == gnttab_nr_entries() - GNTTAB_NR_RESERVED_ENTRIES &&
                   reserved == 0, "%u references, %u reserved, then %ld", n, reserved, r);
    for (grant_ref_t g = GNTTAB_NR_RESERVED_ENTRIES; g < gnttab_nr_entries(); g++)
        (void)gnttab_end_access(g);
    mm_free_pages(page, 1);
    mm_free_pages(other, 1);
    return test_failures() ? TEST_FAILURE : TEST_SUCCESS;
}
