/*
 * PV MMU PTE rules (hypervisor/mm/pgt_pte.c): which bits each level
 * accepts, which updates may take the fast path, which L4 slots are the
 * hypervisor's. Pure functions: every expectation is written out.
 */
#include <check.h>

#include "pgt_world.h"

#define OK 0
#define NO (-EINVAL)

/* One bit (plus Present) and the verdict at L1, L2, L3, L4. */
static const struct {
    const char *name;
    uint64_t bits;
    int rc[4];
} bit_rules[] = {
    { "present only", 0, { OK, OK, OK, OK } },
    { "RW", PGT_PTE_RW, { OK, OK, OK, OK } },
    { "User", PGT_PTE_US, { OK, OK, OK, OK } },
    { "PWT", PGT_PTE_PWT, { NO, NO, NO, NO } },
    { "PCD", PGT_PTE_PCD, { NO, NO, NO, NO } },
    { "Accessed", PGT_PTE_A, { OK, OK, OK, OK } },
    { "Dirty", PGT_PTE_D, { OK, OK, OK, OK } },
    { "PSE/PAT (bit 7)", PGT_PTE_PSE, { NO, NO, NO, NO } },
    { "Global", PGT_PTE_G, { OK, NO, NO, NO } },
    { "avail bit 9", 1ull << 9, { OK, OK, OK, OK } },
    { "avail bit 11", 1ull << 11, { OK, OK, OK, OK } },
    { "avail bit 52", 1ull << 52, { OK, OK, OK, OK } },
    { "avail bit 61", 1ull << 61, { OK, OK, OK, OK } },
    { "bit 62 (grant marker)", PGT_PTE_GNTTAB, { NO, OK, OK, OK } },
    { "NX", PGT_PTE_NX, { OK, OK, OK, OK } },
    { "address bit 51", 1ull << 51, { OK, OK, OK, OK } },
    { "all guest bits", PGT_PTE_RW | PGT_PTE_US | PGT_PTE_A | PGT_PTE_D |
          PGT_PTE_NX | PGT_PTE_AVAIL, { OK, OK, OK, OK } },
};

START_TEST(bits_per_level)
{
    for (size_t i = 0; i < ARRAY_SIZE(bit_rules); i++) {
        for (unsigned level = 1; level <= 4; level++) {
            uint64_t pte = pgt_pte_make(0x1234, PGT_PTE_P | bit_rules[i].bits);

            ck_assert_msg(pgt_pte_check(pte, level) == bit_rules[i].rc[level - 1],
                          "%s at L%u", bit_rules[i].name, level);
        }
    }
}
END_TEST

START_TEST(bad_level)
{
    ck_assert_int_eq(pgt_pte_check(PGT_PTE_P, 0), -EINVAL);
    ck_assert_int_eq(pgt_pte_check(PGT_PTE_P, 5), -EINVAL);
    ck_assert_int_eq(pgt_pte_check(PGT_PTE_P, ~0u), -EINVAL);
}
END_TEST

START_TEST(make_and_mfn)
{
    ck_assert_uint_eq(pgt_pte_mfn(pgt_pte_make(0x12345, W_P | W_RW)), 0x12345);
    ck_assert_uint_eq(pgt_pte_make(1, W_P), 0x1001);
    /* Flag bits never leak into the frame number and vice versa. */
    ck_assert_uint_eq(pgt_pte_mfn(~0ull), 0xFFFFFFFFFFull);
    ck_assert_uint_eq(pgt_pte_make(~0ull, 0), PGT_PTE_ADDR);
}
END_TEST

START_TEST(fast_path_whitelist)
{
    uint64_t base = pgt_pte_make(7, W_P | PGT_PTE_US);
    static const struct {
        uint64_t flip;
        bool fast;
    } flips[] = {
        { 0, true },
        { PGT_PTE_A, true },
        { PGT_PTE_D, true },
        { PGT_PTE_A | PGT_PTE_D, true },
        { 1ull << 10, true },
        { 1ull << 55, true },
        { PGT_PTE_RW, false },
        { PGT_PTE_US, false },
        { PGT_PTE_PWT, false },
        { PGT_PTE_PCD, false },
        { PGT_PTE_PSE, false },
        { PGT_PTE_G, false },
        { PGT_PTE_NX, false },
        { 1ull << 12, false },         /* another frame */
        { 1ull << 40, false },
        { PGT_PTE_A | PGT_PTE_RW, false },
    };

    for (size_t i = 0; i < ARRAY_SIZE(flips); i++)
        ck_assert_msg(pgt_pte_fast_ok(base, base ^ flips[i].flip) == flips[i].fast,
                      "flip %#llx", (unsigned long long)flips[i].flip);
    /* Present -> not present, or the reverse, is never "fast". */
    ck_assert(!pgt_pte_fast_ok(base, base & ~W_P));
    ck_assert(!pgt_pte_fast_ok(base & ~W_P, base));
    ck_assert(!pgt_pte_fast_ok(0, PGT_PTE_A));
}
END_TEST

START_TEST(hypervisor_slots)
{
    struct pgt_world *w = w_new(4);

    ck_assert(!pgt_hv_slot(&w->env, 4, 255));
    ck_assert(pgt_hv_slot(&w->env, 4, 256));
    ck_assert(pgt_hv_slot(&w->env, 4, 271));
    ck_assert(!pgt_hv_slot(&w->env, 4, 272));
    ck_assert(!pgt_hv_slot(&w->env, 3, 256));
    ck_assert(!pgt_hv_slot(&w->env, 1, 260));
    w->env.hv_slot_first = 1;        /* first > last: no hypervisor slot */
    w->env.hv_slot_last = 0;
    ck_assert(!pgt_hv_slot(&w->env, 4, 0));
    ck_assert(!pgt_hv_slot(&w->env, 4, 1));
    w_free(w);
}
END_TEST

Suite *pgt_pte_suite(void); /* called by tests/unit/main.c */
Suite *pgt_pte_suite(void)
{
    Suite *s = suite_create("pgt_pte");
    TCase *tc = tcase_create("rules");

    tcase_add_test(tc, bits_per_level);
    tcase_add_test(tc, bad_level);
    tcase_add_test(tc, make_and_mfn);
    tcase_add_test(tc, fast_path_whitelist);
    tcase_add_test(tc, hypervisor_slots);
    suite_add_tcase(s, tc);
    return s;
}
