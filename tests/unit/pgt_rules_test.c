/*
 * PV MMU rules of docs/security.md ("Invariants: PV MMU", "Hostile tests:
 * MMU"), one named test each, plus failure atomicity, preemption and
 * teardown. Every test ends with the oracle (w_check) and, where it tears
 * everything down, with every counter back at zero.
 *
 * Frames of the test world: D1 0..39, D2 40..49, dom0 50..53, hypervisor
 * 54..57 (56 and 57 guest-readable, like the M2P), free 58..63.
 */
#include <check.h>

#include "pgt_world.h"

#define PTE(m, f) ((((uint64_t)(m) << 12) & PGT_PTE_ADDR) | (f))
#define CHECK(w)                                       \
    do {                                               \
        const char *e_ = w_check(w);                   \
        ck_assert_msg(e_ == NULL, "%s", e_);           \
    } while (0)

static struct pgt_world *world(void)
{
    struct pgt_world *w = w_new(W_MAX);

    w_assign(w, 0, 40, W_D1);
    w_assign(w, 40, 10, W_D2);
    w_assign(w, 50, 4, W_D0);
    w_assign(w, 54, 4, PGT_OWNER_XEN);
    ck_assert_int_eq(pgt_share_ro(&w->env, 56), 0);
    ck_assert_int_eq(pgt_share_ro(&w->env, 57), 0);
    return w;
}

/*
 * A D1 hierarchy rooted at L4 10, with repeated and shared entries:
 *   L4 10: [0] -> L3 11 rw, [1] -> L3 11 ro, [2] -> itself ro, [511] -> L3 16
 *   L3 11: [0] -> L2 12, [5] -> L2 12 ro       L3 16: empty
 *   L2 12: [0] -> L1 13, [1] -> L1 14, [2] -> L1 13
 *   L1 13: [0..19] -> data 20..24, even entries writable
 *   L1 14: [0..9] -> data 25..29 ro, [10] -> L1 13 ro, [11] -> M2P frame 56 ro
 */
static void build_tree(struct pgt_world *w)
{
    w->page[10][0] = PTE(11, W_P | W_RW);
    w->page[10][1] = PTE(11, W_P);
    w->page[10][2] = PTE(10, W_P);
    w->page[10][511] = PTE(16, W_P | W_RW);
    w->page[11][0] = PTE(12, W_P | W_RW);
    w->page[11][5] = PTE(12, W_P);
    w->page[12][0] = PTE(13, W_P | W_RW);
    w->page[12][1] = PTE(14, W_P | W_RW);
    w->page[12][2] = PTE(13, W_P);
    for (unsigned i = 0; i < 20; i++)
        w->page[13][i] = PTE(20 + i % 5, W_P | (i % 2 ? 0 : W_RW) | PGT_PTE_US);
    for (unsigned i = 0; i < 10; i++)
        w->page[14][i] = PTE(25 + i % 5, W_P | PGT_PTE_NX);
    w->page[14][10] = PTE(13, W_P);
    w->page[14][11] = PTE(56, W_P);
}

/* --- Hostile tests: MMU ---------------------------------------------------- */

START_TEST(writable_mapping_of_pinned_table)
{
    unsigned level = (unsigned)_i;
    struct pgt_world *w = world();
    struct pgt_frame snap[W_MAX];

    ck_assert_int_eq(w_pin(w, 1, 1, W_D1), 0);
    ck_assert_int_eq(w_pin(w, 2, level, W_D1), 0);
    w_snapshot(w, snap);
    ck_assert_int_eq(w_mod(w, 1, 0, PTE(2, W_P | W_RW), W_D1, W_D1), -EINVAL);
    ck_assert_uint_eq(w->page[1][0], 0);
    ck_assert(w_same_counts(w, snap));
    /* Read-only is how a PV guest looks at its page tables. */
    ck_assert_int_eq(w_mod(w, 1, 0, PTE(2, W_P), W_D1, W_D1), 0);
    ck_assert_uint_eq(w->frames[2].count, 2);
    CHECK(w);
    ck_assert_int_eq(w_mod(w, 1, 0, 0, W_D1, W_D1), 0);
    ck_assert_int_eq(w_unpin(w, 1, W_D1), 0);
    ck_assert_int_eq(w_unpin(w, 2, W_D1), 0);
    ck_assert(w_all_zero(w));
    w_free(w);
}
END_TEST

START_TEST(toggling_rw_of_readonly_map_of_own_l1)
{
    struct pgt_world *w = world();
    struct pgt_frame snap[W_MAX];

    ck_assert_int_eq(w_pin(w, 1, 1, W_D1), 0);
    ck_assert_int_eq(w_pin(w, 2, 1, W_D1), 0);
    ck_assert_int_eq(w_mod(w, 1, 3, PTE(1, W_P | PGT_PTE_A), W_D1, W_D1), 0);
    ck_assert_int_eq(w_mod(w, 1, 4, PTE(2, W_P), W_D1, W_D1), 0);
    w_snapshot(w, snap);
    ck_assert_int_eq(w_mod(w, 1, 3, PTE(1, W_P | W_RW | PGT_PTE_A), W_D1, W_D1),
                     -EINVAL);
    ck_assert_int_eq(w_mod(w, 1, 3, PTE(1, W_P | W_RW | PGT_PTE_A | PGT_PTE_D),
                           W_D1, W_D1), -EINVAL);
    ck_assert_int_eq(w_mod(w, 1, 4, PTE(2, W_P | W_RW), W_D1, W_D1), -EINVAL);
    ck_assert_uint_eq(w->page[1][3], PTE(1, W_P | PGT_PTE_A));
    ck_assert_uint_eq(w->page[1][4], PTE(2, W_P));
    ck_assert(w_same_counts(w, snap));
    CHECK(w);
    ck_assert_int_eq(w_unpin(w, 1, W_D1), 0);
    ck_assert_int_eq(w_unpin(w, 2, W_D1), 0);
    ck_assert(w_all_zero(w));
    w_free(w);
}
END_TEST

START_TEST(writable_self_referencing_l4)
{
    struct pgt_world *w = world();
    struct pgt_frame snap[W_MAX];

    ck_assert_int_eq(w_pin(w, 0, 4, W_D1), 0);
    w_snapshot(w, snap);
    ck_assert_int_eq(w_mod(w, 0, 5, PTE(0, W_P | W_RW), W_D1, W_D1), -EINVAL);
    ck_assert_uint_eq(w->page[0][5], 0);
    ck_assert(w_same_counts(w, snap));
    ck_assert_int_eq(w_unpin(w, 0, W_D1), 0);
    /* The same entry found by validation. */
    w->page[3][7] = PTE(3, W_P | W_RW);
    ck_assert_int_eq(w_pin(w, 3, 4, W_D1), -EINVAL);
    ck_assert(w_all_zero(w));
    /* Same-level maps below L4 are plain type conflicts. */
    w->page[4][0] = PTE(4, W_P);
    ck_assert_int_eq(w_pin(w, 4, 3, W_D1), -EINVAL);
    ck_assert_int_eq(w_pin(w, 4, 2, W_D1), -EINVAL);
    ck_assert(w_all_zero(w));
    w_free(w);
}
END_TEST

START_TEST(readonly_self_referencing_l4)
{
    struct pgt_world *w = world();

    ck_assert_int_eq(w_pin(w, 0, 4, W_D1), 0);
    ck_assert_int_eq(w_mod(w, 0, 5, PTE(0, W_P), W_D1, W_D1), 0);
    ck_assert_uint_eq(w->frames[0].count, 1);        /* the pin's only */
    ck_assert_int_eq(w_mod(w, 0, 5, PTE(0, W_P | PGT_PTE_A), W_D1, W_D1), 0);
    ck_assert_int_eq(w_mod(w, 0, 6, PTE(0, W_P | PGT_PTE_US), W_D1, W_D1), 0);
    CHECK(w);
    ck_assert_int_eq(w_unpin(w, 0, W_D1), 0);
    ck_assert(w_all_zero(w));
    /* Found by validation: still no reference on itself. */
    w->page[3][7] = PTE(3, W_P);
    ck_assert_int_eq(w_pin(w, 3, 4, W_D1), 0);
    ck_assert_uint_eq(w->frames[3].count, 1);
    CHECK(w);
    ck_assert_int_eq(w_unpin(w, 3, W_D1), 0);
    ck_assert(w_all_zero(w));
    w_free(w);
}
END_TEST

START_TEST(linear_l4_rules)
{
    struct pgt_world *w = world();
    struct pgt_cont x;

    for (uint64_t m = 0; m < 3; m++)
        ck_assert_int_eq(w_pin(w, m, 4, W_D1), 0);
    ck_assert_int_eq(w_mod(w, 0, 1, PTE(1, W_P), W_D1, W_D1), 0);
    ck_assert_uint_eq(w->frames[1].count, 2);
    ck_assert_int_eq(w->frames[0].linear, 1);
    ck_assert_int_eq(w->frames[1].linear, -1);
    /* Writable linear maps, and chains in either direction, are refused. */
    ck_assert_int_eq(w_mod(w, 0, 2, PTE(1, W_P | W_RW), W_D1, W_D1), -EINVAL);
    ck_assert_int_eq(w_mod(w, 1, 1, PTE(2, W_P), W_D1, W_D1), -EINVAL);
    ck_assert_int_eq(w_mod(w, 2, 1, PTE(0, W_P), W_D1, W_D1), -EINVAL);
    ck_assert_int_eq(w_mod(w, 1, 1, PTE(0, W_P), W_D1, W_D1), -EINVAL);
    /* Two linear users of one target are fine. */
    ck_assert_int_eq(w_mod(w, 2, 1, PTE(1, W_P), W_D1, W_D1), 0);
    ck_assert_int_eq(w->frames[1].linear, -2);
    CHECK(w);
    /* A target that is not yet VALID is refused at once, never waited for. */
    w->page[6][0] = PTE(7, W_P);
    pgt_cont_init(&x, 1);
    ck_assert_int_eq(pgt_pin(&w->env, &x, 6, 4, W_D1), -ERESTART);
    ck_assert_int_eq(w_mod(w, 0, 3, PTE(6, W_P), W_D1, W_D1), -EINVAL);
    ck_assert_int_eq(w_finish(w, &x, -ERESTART), 0);
    ck_assert_int_eq(w_mod(w, 0, 3, PTE(6, W_P), W_D1, W_D1), 0);
    CHECK(w);
    /* The target outlives its pin while mapped linearly. */
    ck_assert_int_eq(w_unpin(w, 1, W_D1), 0);
    ck_assert_uint_eq(w->frames[1].state, PGT_VALID);
    ck_assert_int_eq(w_mod(w, 2, 1, 0, W_D1, W_D1), 0);
    ck_assert_int_eq(w_mod(w, 0, 1, 0, W_D1, W_D1), 0);
    ck_assert_uint_eq(w->frames[1].state, PGT_INVALID);
    CHECK(w);
    ck_assert_int_eq(w_unpin(w, 6, W_D1), 0);
    ck_assert_uint_eq(w->frames[6].state, PGT_VALID);   /* still mapped by 0 */
    ck_assert_int_eq(w_unpin(w, 0, W_D1), 0);
    ck_assert_int_eq(w_unpin(w, 2, W_D1), 0);
    ck_assert(w_all_zero(w));
    w_free(w);
}
END_TEST

START_TEST(pte_naming_foreign_hypervisor_or_free_frame)
{
    struct pgt_world *w = world();
    struct pgt_frame snap[W_MAX];
    static const struct {
        uint64_t pte;
        int rc;
    } l1_cases[] = {
        { PTE(40, W_P), -EPERM },                 /* another domain's */
        { PTE(40, W_P | W_RW), -EPERM },
        { PTE(54, W_P), -EPERM },                 /* hypervisor, private */
        { PTE(56, W_P | W_RW), -EPERM },          /* M2P, writable */
        { PTE(58, W_P), -EPERM },                 /* free */
        { PTE(W_MAX, W_P), -EINVAL },             /* no such frame */
        { PTE(0xFFFFFFFFFFull, W_P), -EINVAL },
    };

    ck_assert_int_eq(w_pin(w, 1, 1, W_D1), 0);
    ck_assert_int_eq(w_pin(w, 2, 2, W_D1), 0);
    ck_assert_int_eq(w_pin(w, 41, 1, W_D2), 0);
    w_snapshot(w, snap);
    for (size_t i = 0; i < ARRAY_SIZE(l1_cases); i++) {
        ck_assert_int_eq(w_mod(w, 1, 0, l1_cases[i].pte, W_D1, W_D1), l1_cases[i].rc);
        ck_assert_uint_eq(w->page[1][0], 0);
        ck_assert(w_same_counts(w, snap));
    }
    /* The M2P may be mapped read-only, by any domain's L1. */
    ck_assert_int_eq(w_mod(w, 1, 0, PTE(56, W_P), W_D1, W_D1), 0);
    ck_assert_int_eq(w_mod(w, 41, 0, PTE(56, W_P), W_D2, W_D2), 0);
    ck_assert_uint_eq(w->frames[56].count, 2);
    /* Upper levels name only the domain's own frames: never the M2P. */
    ck_assert_int_eq(w_mod(w, 2, 0, PTE(41, W_P), W_D1, W_D1), -EPERM);
    ck_assert_int_eq(w_mod(w, 2, 0, PTE(56, W_P), W_D1, W_D1), -EPERM);
    ck_assert_int_eq(w_mod(w, 2, 0, PTE(41, W_P), W_D1, W_D2), -EPERM);
    ck_assert_int_eq(w_mod(w, 2, 0, PTE(58, W_P), W_D1, W_D1), -EPERM);
    /* Tables of another domain cannot be updated at all. */
    ck_assert_int_eq(w_mod(w, 41, 1, PTE(42, W_P), W_D1, W_D1), -EPERM);
    ck_assert_int_eq(w_mod(w, 41, 1, PTE(42, W_P), W_D1, W_D2), -EPERM);
    CHECK(w);
    /* Found by validation. */
    w->page[3][9] = PTE(40, W_P);
    w_snapshot(w, snap);
    ck_assert_int_eq(w_pin(w, 3, 1, W_D1), -EPERM);
    ck_assert(w_same_counts(w, snap));
    ck_assert_int_eq(w_unpin(w, 1, W_D1), 0);
    ck_assert_int_eq(w_unpin(w, 2, W_D1), 0);
    ck_assert_int_eq(w_unpin(w, 41, W_D2), 0);
    ck_assert(w_all_zero(w));
    w_free(w);
}
END_TEST

/* dom0 maps another domain's frames through pg_owner (privileged mapping). */
START_TEST(foreign_mappings_of_dom0)
{
    struct pgt_world *w = world();

    ck_assert_int_eq(w_pin(w, 50, 1, W_D0), 0);
    ck_assert_int_eq(w_pin(w, 41, 1, W_D2), 0);
    ck_assert_int_eq(w_mod(w, 50, 0, PTE(40, W_P | W_RW), W_D0, W_D2), 0);
    ck_assert_uint_eq(w->frames[40].type, PGT_WRITABLE);
    ck_assert_int_eq(w_mod(w, 50, 1, PTE(40, W_P), W_D0, W_D0), -EPERM);
    ck_assert_int_eq(w_mod(w, 50, 1, PTE(51, W_P), W_D0, W_D2), -EPERM);
    ck_assert_int_eq(w_mod(w, 50, 1, PTE(41, W_P | W_RW), W_D0, W_D2), -EINVAL);
    ck_assert_int_eq(w_mod(w, 50, 1, PTE(41, W_P), W_D0, W_D2), 0);
    /* The foreign frame cannot become a table while dom0 writes it. */
    ck_assert_int_eq(w_pin(w, 40, 1, W_D2), -EINVAL);
    CHECK(w);
    /* Validation accepts only the table owner's frames (as Xen does). */
    ck_assert_int_eq(w_unpin(w, 50, W_D0), 0);
    ck_assert_int_eq(w_pin(w, 50, 1, W_D0), -EPERM);
    ck_assert_int_eq(w_unpin(w, 41, W_D2), 0);
    ck_assert(w_all_zero(w));
    w_free(w);
}
END_TEST

START_TEST(superpages_and_reserved_bits)
{
    struct pgt_world *w = world();
    struct pgt_frame snap[W_MAX];
    static const struct {
        unsigned level;
        uint64_t bits;
    } bad[] = {
        { 2, PGT_PTE_PSE }, { 3, PGT_PTE_PSE }, { 4, PGT_PTE_PSE },
        { 2, PGT_PTE_PCD }, { 3, PGT_PTE_PWT }, { 4, PGT_PTE_G },
        { 1, PGT_PTE_PAT }, { 1, PGT_PTE_PCD }, { 1, PGT_PTE_PWT },
        { 1, PGT_PTE_GNTTAB },
    };
    /* Pinned tables of each level, and a valid target for each. */
    static const uint64_t table[5] = { 0, 1, 2, 3, 4 }, target[5] = { 0, 9, 5, 6, 7 };

    for (unsigned l = 1; l <= 4; l++)
        ck_assert_int_eq(w_pin(w, table[l], l, W_D1), 0);
    w_snapshot(w, snap);
    for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
        unsigned l = bad[i].level;
        uint64_t good = PTE(target[l], W_P);

        ck_assert_int_eq(w_mod(w, table[l], 0, good | bad[i].bits, W_D1, W_D1), -EINVAL);
        ck_assert(w_same_counts(w, snap));
        /* Also as a change of an existing entry to the same frame. */
        ck_assert_int_eq(w_mod(w, table[l], 1, good, W_D1, W_D1), 0);
        ck_assert_int_eq(w_mod(w, table[l], 1, good | bad[i].bits, W_D1, W_D1), -EINVAL);
        ck_assert_uint_eq(w->page[table[l]][1], good);
        ck_assert_int_eq(w_mod(w, table[l], 1, 0, W_D1, W_D1), 0);
        ck_assert(w_same_counts(w, snap));
        /* Also found by validation. */
        w->page[20 + l][0] = good | bad[i].bits;
        ck_assert_int_eq(w_pin(w, 20 + l, l, W_D1), -EINVAL);
        ck_assert(w_same_counts(w, snap));
        w->page[20 + l][0] = 0;
    }
    /* NX is fine everywhere. */
    for (unsigned l = 1; l <= 4; l++)
        ck_assert_int_eq(w_mod(w, table[l], 2, PTE(target[l], W_P | PGT_PTE_NX), W_D1, W_D1), 0);
    CHECK(w);
    for (unsigned l = 1; l <= 4; l++)
        ck_assert_int_eq(w_unpin(w, table[l], W_D1), 0);
    ck_assert(w_all_zero(w));
    w_free(w);
}
END_TEST

START_TEST(hypervisor_l4_slots)
{
    struct pgt_world *w = world();
    struct pgt_frame snap[W_MAX];

    /* Guest garbage there is ignored by validation, then overwritten. */
    w->page[0][W_HV_FIRST] = PTE(40, W_P | W_RW | PGT_PTE_PCD);
    w->page[0][W_HV_LAST] = ~0ull;
    ck_assert_int_eq(w_pin(w, 0, 4, W_D1), 0);
    ck_assert_uint_eq(w->installs, 1);
    for (unsigned i = W_HV_FIRST; i <= W_HV_LAST; i++)
        ck_assert_uint_eq(w->page[0][i], W_HV_PATTERN(i));
    ck_assert_int_eq(w_pin(w, 1, 3, W_D1), 0);
    w_snapshot(w, snap);
    ck_assert_int_eq(w_mod(w, 0, W_HV_FIRST, 0, W_D1, W_D1), -EINVAL);
    ck_assert_int_eq(w_mod(w, 0, W_HV_FIRST + 3, PTE(1, W_P), W_D1, W_D1), -EINVAL);
    ck_assert_int_eq(w_mod(w, 0, W_HV_LAST, PTE(0, W_P), W_D1, W_D1), -EINVAL);
    ck_assert_int_eq(w_mod(w, 0, W_HV_LAST, W_HV_PATTERN(W_HV_LAST) | PGT_PTE_A,
                           W_D1, W_D1), -EINVAL);
    ck_assert(w_same_counts(w, snap));
    ck_assert_uint_eq(w->page[0][W_HV_FIRST + 3], W_HV_PATTERN(W_HV_FIRST + 3));
    /* Their neighbours are the guest's. */
    ck_assert_int_eq(w_mod(w, 0, W_HV_FIRST - 1, PTE(1, W_P), W_D1, W_D1), 0);
    ck_assert_int_eq(w_mod(w, 0, W_HV_LAST + 1, PTE(1, W_P), W_D1, W_D1), 0);
    /* Index out of the table. */
    ck_assert_int_eq(w_mod(w, 0, PGT_ENTRIES, 0, W_D1, W_D1), -EINVAL);
    CHECK(w);
    ck_assert_int_eq(w_unpin(w, 1, W_D1), 0);
    ck_assert_int_eq(w_unpin(w, 0, W_D1), 0);
    /* Gone with the L4, so they never show through a writable mapping. */
    for (unsigned i = W_HV_FIRST; i <= W_HV_LAST; i++)
        ck_assert_uint_eq(w->page[0][i], 0);
    ck_assert(w_all_zero(w));
    w_free(w);
}
END_TEST

START_TEST(pin_rules)
{
    struct pgt_world *w = world();
    struct pgt_frame snap[W_MAX];

    ck_assert_int_eq(w_pin(w, 1, 1, W_D1), 0);
    ck_assert_int_eq(w_mod(w, 1, 0, PTE(2, W_P | W_RW), W_D1, W_D1), 0);
    w_snapshot(w, snap);
    for (unsigned l = 1; l <= 4; l++)          /* writable-mapped page */
        ck_assert_int_eq(w_pin(w, 2, l, W_D1), -EINVAL);
    ck_assert_int_eq(w_pin(w, 1, 1, W_D1), -EINVAL);     /* double pin */
    ck_assert_int_eq(w_pin(w, 1, 2, W_D1), -EINVAL);
    ck_assert_int_eq(w_unpin(w, 3, W_D1), -EINVAL);      /* never pinned */
    ck_assert_int_eq(w_unpin(w, 2, W_D1), -EINVAL);
    ck_assert(w_same_counts(w, snap));
    /* Once the writable mapping is gone the page may become a table. */
    ck_assert_int_eq(w_mod(w, 1, 0, 0, W_D1, W_D1), 0);
    w->flushes = 0;
    ck_assert_int_eq(w_pin(w, 2, 1, W_D1), 0);
    ck_assert_uint_eq(w->flushes, 1);
    ck_assert_uint_eq(w->last_flush, 2);
    ck_assert_int_eq(w_unpin(w, 2, W_D1), 0);
    ck_assert_int_eq(w_unpin(w, 2, W_D1), -EINVAL);      /* unpin twice */
    ck_assert_int_eq(w_unpin(w, 1, W_D1), 0);
    ck_assert(w_all_zero(w));
    w_free(w);
}
END_TEST

START_TEST(releasing_pinned_or_mapped_page_refused)
{
    struct pgt_world *w = world();

    ck_assert_int_eq(w_pin(w, 1, 1, W_D1), 0);
    ck_assert_int_eq(w_mod(w, 1, 0, PTE(2, W_P), W_D1, W_D1), 0);
    ck_assert_int_eq(w_mod(w, 1, 1, PTE(3, W_P | W_RW), W_D1, W_D1), 0);
    ck_assert_int_eq(pgt_get_page(&w->env, 4, W_D1), 0);
    for (uint64_t m = 1; m <= 4; m++) {
        ck_assert_int_eq(pgt_can_free(&w->env, m), -EBUSY);
        ck_assert_int_eq(pgt_free(&w->env, m, W_D1), -EBUSY);
        ck_assert_uint_eq(w->frames[m].owner, W_D1);
    }
    ck_assert_int_eq(pgt_free(&w->env, 5, W_D2), -EPERM);
    ck_assert_int_eq(pgt_free(&w->env, 5, W_D1), 0);
    ck_assert_uint_eq(w->frames[5].owner, PGT_OWNER_NONE);
    ck_assert_int_eq(pgt_free(&w->env, 5, W_D1), -EPERM);
    ck_assert_int_eq(pgt_free(&w->env, 5, PGT_OWNER_NONE), -EPERM);
    ck_assert_int_eq(pgt_share_ro(&w->env, 6), -EPERM);   /* not Xen's */
    ck_assert_int_eq(pgt_share_ro(&w->env, W_MAX), -EINVAL);
    ck_assert_int_eq(pgt_put_page(&w->env, 4), 0);
    ck_assert_int_eq(w_mod(w, 1, 1, 0, W_D1, W_D1), 0);
    ck_assert_int_eq(w_unpin(w, 1, W_D1), 0);
    CHECK(w);
    for (uint64_t m = 1; m <= 4; m++)
        ck_assert_int_eq(pgt_free(&w->env, m, W_D1), 0);
    /* The last type stays sticky: the next owner's retyping flushes. */
    ck_assert_int_eq(pgt_assign(&w->env, 1, W_D2), 0);
    w->flushes = 0;
    ck_assert_int_eq(w_get_type(w, 1, PGT_WRITABLE, W_D2), 0);
    ck_assert_uint_eq(w->flushes, 1);
    ck_assert_int_eq(w_put_type(w, 1, W_D2), 0);
    ck_assert(w_all_zero(w));
    w_free(w);
}
END_TEST

/* --- Fast path and plain updates ------------------------------------------- */

/* Only Accessed/Dirty/available changes skip validation: shown by a frame
 * that would no longer pass it (its M2P share revoked behind pgt's back). */
START_TEST(fast_path_only_for_whitelisted_bits)
{
    struct pgt_world *w = world();

    ck_assert_int_eq(w_pin(w, 1, 1, W_D1), 0);
    ck_assert_int_eq(w_mod(w, 1, 0, PTE(56, W_P), W_D1, W_D1), 0);
    w->frames[56].guest_ro = 0;
    ck_assert_int_eq(w_mod(w, 1, 0, PTE(56, W_P | PGT_PTE_A | PGT_PTE_D), W_D1, W_D1), 0);
    ck_assert_int_eq(w_mod(w, 1, 0, PTE(56, W_P | PGT_PTE_A | (1ull << 9) | (1ull << 60)),
                           W_D1, W_D1), 0);
    ck_assert_int_eq(w_mod(w, 1, 0, PTE(56, W_P | PGT_PTE_US), W_D1, W_D1), -EPERM);
    ck_assert_int_eq(w_mod(w, 1, 0, PTE(56, W_P | PGT_PTE_NX), W_D1, W_D1), -EPERM);
    ck_assert_int_eq(w_mod(w, 1, 0, PTE(56, W_P | PGT_PTE_G), W_D1, W_D1), -EPERM);
    ck_assert_uint_eq(w->frames[56].count, 1);
    w->frames[56].guest_ro = 1;
    CHECK(w);
    /* Changing the frame moves the references. */
    ck_assert_int_eq(w_mod(w, 1, 0, PTE(2, W_P | W_RW), W_D1, W_D1), 0);
    ck_assert_uint_eq(w->frames[56].count, 0);
    ck_assert_uint_eq(w->frames[2].type_count, 1);
    ck_assert_int_eq(w_mod(w, 1, 0, PTE(2, W_P), W_D1, W_D1), 0);    /* RW off */
    ck_assert_uint_eq(w->frames[2].type_count, 0);
    ck_assert_uint_eq(w->frames[2].count, 1);
    CHECK(w);
    ck_assert_int_eq(w_unpin(w, 1, W_D1), 0);
    ck_assert(w_all_zero(w));
    w_free(w);
}
END_TEST

START_TEST(not_present_entries_are_free_form)
{
    struct pgt_world *w = world();

    for (unsigned l = 1; l <= 4; l++) {
        ck_assert_int_eq(w_pin(w, l, l, W_D1), 0);
        ck_assert_int_eq(w_mod(w, l, 7, ~PGT_PTE_P, W_D1, W_D1), 0);
        ck_assert_uint_eq(w->page[l][7], ~PGT_PTE_P);
    }
    CHECK(w);
    ck_assert_int_eq(w_mod(w, 1, 7, PTE(9, W_P), W_D1, W_D1), 0);
    ck_assert_uint_eq(w->frames[9].count, 1);
    ck_assert_int_eq(w_mod(w, 1, 7, 0x2ull, W_D1, W_D1), 0);   /* RW, not present */
    ck_assert_uint_eq(w->frames[9].count, 0);
    for (unsigned l = 1; l <= 4; l++)
        ck_assert_int_eq(w_unpin(w, l, W_D1), 0);
    ck_assert(w_all_zero(w));
    w_free(w);
}
END_TEST

START_TEST(mod_entry_needs_a_table_in_use)
{
    struct pgt_world *w = world();

    ck_assert_int_eq(w_get_type(w, 1, PGT_WRITABLE, W_D1), 0);
    ck_assert_int_eq(w_mod(w, 1, 0, PTE(2, W_P), W_D1, W_D1), -EINVAL);
    ck_assert_int_eq(w_put_type(w, 1, W_D1), 0);
    ck_assert_int_eq(w_get_type(w, 3, PGT_L1, W_D1), 0);
    ck_assert_int_eq(w_put_type(w, 3, W_D1), 0);          /* sticky L1, unused */
    ck_assert_int_eq(w_mod(w, 3, 0, PTE(2, W_P), W_D1, W_D1), -EINVAL);
    ck_assert_int_eq(w_mod(w, 4, 0, PTE(2, W_P), W_D1, W_D1), -EINVAL);   /* NONE */
    ck_assert_int_eq(w_mod(w, W_MAX, 0, PTE(2, W_P), W_D1, W_D1), -EINVAL);
    ck_assert_int_eq(w_mod(w, 58, 0, PTE(2, W_P), PGT_OWNER_NONE, W_D1), -EPERM);
    ck_assert_int_eq(w_mod(w, 54, 0, PTE(2, W_P), W_D1, W_D1), -EPERM);
    ck_assert(w_all_zero(w));
    w_free(w);
}
END_TEST

/* --- Failure atomicity ------------------------------------------------------ */

/* One bad entry somewhere in build_tree(), and the error it must give. */
static const struct {
    uint64_t table;
    unsigned index;
    uint64_t pte;
    int rc;
} poison[] = {
    { 14, 511, PTE(40, W_P), -EPERM },              /* last entry, deepest */
    { 13, 0, PTE(54, W_P), -EPERM },                /* first entry */
    { 13, 100, PTE(12, W_P | W_RW), -EINVAL },      /* its own parent, rw */
    { 14, 200, PTE(W_MAX + 5, W_P), -EINVAL },
    { 12, 511, PTE(20, W_P | PGT_PTE_PSE), -EINVAL },
    { 11, 511, PTE(13, W_P), -EINVAL },             /* an L1 as an L2 */
    { 10, 255, PTE(10, W_P | W_RW), -EINVAL },      /* after all subtrees */
    { 10, 510, PTE(58, W_P), -EPERM },
};

START_TEST(failed_validation_leaves_counts_as_before)
{
    static const uint32_t budgets[] = { 1, 3, 64, 0 };

    for (size_t p = 0; p < ARRAY_SIZE(poison); p++) {
        for (size_t b = 0; b < ARRAY_SIZE(budgets); b++) {
            struct pgt_world *w = world();
            static uint64_t pages[W_MAX][PGT_ENTRIES];
            struct pgt_frame snap[W_MAX];
            struct pgt_cont c;

            build_tree(w);
            /* Some references from before, which must survive. */
            ck_assert_int_eq(w_pin(w, 30, 1, W_D1), 0);
            ck_assert_int_eq(w_mod(w, 30, 0, PTE(20, W_P | W_RW), W_D1, W_D1), 0);
            ck_assert_int_eq(w_mod(w, 30, 1, PTE(13, W_P), W_D1, W_D1), 0);
            w->page[poison[p].table][poison[p].index] = poison[p].pte;
            w_snapshot(w, snap);
            memcpy(pages, w->page, sizeof(pages));
            pgt_cont_init(&c, budgets[b]);
            ck_assert_int_eq(w_finish(w, &c, pgt_pin(&w->env, &c, 10, 4, W_D1)),
                             poison[p].rc);
            ck_assert_msg(w_same_counts(w, snap), "poison %zu budget %u", p, budgets[b]);
            ck_assert(memcmp(pages, w->page, sizeof(pages)) == 0);
            ck_assert_uint_eq(w->installs, 0);
            CHECK(w);
            ck_assert_int_eq(w_unpin(w, 30, W_D1), 0);
            ck_assert(w_all_zero(w));
            w_free(w);
        }
    }
}
END_TEST

START_TEST(failed_update_leaves_counts_as_before)
{
    for (size_t p = 0; p < ARRAY_SIZE(poison); p++) {
        struct pgt_world *w;
        struct pgt_frame snap[W_MAX];
        struct pgt_cont c;

        if (poison[p].table == 10)
            continue;                    /* not under the L3 updated below */
        w = world();
        build_tree(w);
        w->page[poison[p].table][poison[p].index] = poison[p].pte;
        ck_assert_int_eq(w_pin(w, 31, 4, W_D1), 0);
        ck_assert_int_eq(w_mod(w, 31, 0, PTE(16, W_P), W_D1, W_D1), 0);
        w_snapshot(w, snap);
        pgt_cont_init(&c, 5);
        ck_assert_int_eq(w_finish(w, &c, pgt_mod_entry(&w->env, &c, 31, 0,
                                                       PTE(11, W_P | W_RW), W_D1, W_D1)),
                         poison[p].rc);
        ck_assert_uint_eq(w->page[31][0], PTE(16, W_P));
        ck_assert(w_same_counts(w, snap));
        CHECK(w);
        ck_assert_int_eq(w_unpin(w, 31, W_D1), 0);
        ck_assert(w_all_zero(w));
        w_free(w);
    }
}
END_TEST

START_TEST(aborted_validation_leaves_counts_as_before)
{
    for (unsigned steps = 0; steps < 40; steps += 3) {
        struct pgt_world *w = world();
        struct pgt_frame snap[W_MAX];
        struct pgt_cont c;
        int rc;

        build_tree(w);
        w_snapshot(w, snap);
        pgt_cont_init(&c, 37);
        rc = pgt_pin(&w->env, &c, 10, 4, W_D1);
        for (unsigned i = 0; i < steps && rc == -ERESTART; i++)
            rc = pgt_cont_resume(&w->env, &c);
        ck_assert_int_eq(rc, -ERESTART);
        while ((rc = pgt_cont_abort(&w->env, &c)) == -ERESTART)
            ;
        ck_assert_int_eq(rc, 0);
        ck_assert(pgt_cont_idle(&c));
        ck_assert(w_same_counts(w, snap));
        ck_assert(w_all_zero(w));
        w_free(w);
    }
}
END_TEST

/* --- Preemption ------------------------------------------------------------- */

START_TEST(validation_and_release_are_bounded_per_call)
{
    struct pgt_world *w = world();
    struct pgt_cont c;
    unsigned calls = 0;
    unsigned long before;
    int rc;

    build_tree(w);
    for (unsigned i = 0; i < PGT_ENTRIES; i++)
        w->page[14][i] = PTE(25 + i % 5, W_P);
    pgt_cont_init(&c, 16);
    before = w->table_calls;
    rc = pgt_pin(&w->env, &c, 10, 4, W_D1);
    for (;;) {
        calls++;
        ck_assert_uint_le(w->table_calls - before, 16 + 1);
        if (rc != -ERESTART)
            break;
        before = w->table_calls;
        rc = pgt_cont_resume(&w->env, &c);
    }
    ck_assert_int_eq(rc, 0);
    /* Six tables of 512 entries, 16 per call. */
    ck_assert_uint_ge(calls, 6 * 512 / 16);
    ck_assert_uint_le(calls, 6 * 512 / 16 + 8);
    CHECK(w);
    calls = 0;
    before = w->table_calls;
    rc = pgt_unpin(&w->env, &c, 10, W_D1);
    for (;;) {
        calls++;
        ck_assert_uint_le(w->table_calls - before, 16 + 1);
        if (rc != -ERESTART)
            break;
        before = w->table_calls;
        rc = pgt_cont_resume(&w->env, &c);
    }
    ck_assert_int_eq(rc, 0);
    ck_assert_uint_ge(calls, 6 * 512 / 16);
    ck_assert(w_all_zero(w));
    w_free(w);
}
END_TEST

/* While an update's new subtree is validated across calls, the table it
 * goes into is held: unpinning it meanwhile cannot pull it away. */
START_TEST(preempted_update_holds_its_table)
{
    struct pgt_world *w = world();
    struct pgt_cont a;

    build_tree(w);
    ck_assert_int_eq(w_pin(w, 31, 3, W_D1), 0);
    pgt_cont_init(&a, 8);
    ck_assert_int_eq(pgt_mod_entry(&w->env, &a, 31, 0, PTE(12, W_P | W_RW), W_D1, W_D1),
                     -ERESTART);
    ck_assert_int_eq(w_unpin(w, 31, W_D1), 0);
    ck_assert_uint_eq(w->frames[31].state, PGT_VALID);
    /* Another vCPU asking for the L2 being validated waits for it. */
    {
        struct pgt_cont b;

        pgt_cont_init(&b, 0);
        ck_assert_int_eq(pgt_pin(&w->env, &b, 12, 2, W_D1), -ERESTART);
        ck_assert_int_eq(w_finish(w, &a, -ERESTART), 0);
        ck_assert_int_eq(w_finish(w, &b, -ERESTART), 0);
    }
    /* The update landed, then the table went with its last reference. */
    ck_assert_uint_eq(w->page[31][0], PTE(12, W_P | W_RW));
    ck_assert_uint_eq(w->frames[31].state, PGT_INVALID);
    CHECK(w);
    ck_assert_int_eq(w_unpin(w, 12, W_D1), 0);
    ck_assert(w_all_zero(w));
    w_free(w);
}
END_TEST

/* Two updates of the same entry overlap: the later commit wins and the
 * references of the overwritten value are dropped. */
START_TEST(overlapping_updates_of_one_entry)
{
    struct pgt_world *w = world();
    struct pgt_cont a;

    build_tree(w);
    ck_assert_int_eq(w_pin(w, 31, 3, W_D1), 0);
    pgt_cont_init(&a, 8);
    ck_assert_int_eq(pgt_mod_entry(&w->env, &a, 31, 0, PTE(12, W_P), W_D1, W_D1),
                     -ERESTART);
    ck_assert_int_eq(w_mod(w, 31, 0, PTE(15, W_P), W_D1, W_D1), 0);   /* empty L2 */
    ck_assert_uint_eq(w->frames[15].state, PGT_VALID);
    ck_assert_int_eq(w_finish(w, &a, -ERESTART), 0);
    ck_assert_uint_eq(w->page[31][0], PTE(12, W_P));
    ck_assert_uint_eq(w->frames[15].state, PGT_INVALID);
    CHECK(w);
    ck_assert_int_eq(w_unpin(w, 31, W_D1), 0);
    ck_assert(w_all_zero(w));
    w_free(w);
}
END_TEST

START_TEST(replacing_a_subtree)
{
    struct pgt_world *w = world();
    struct pgt_cont c;

    build_tree(w);
    w->page[15][3] = PTE(17, W_P | W_RW);
    for (unsigned i = 0; i < PGT_ENTRIES; i++)
        w->page[17][i] = PTE(18, W_P | W_RW);
    ck_assert_int_eq(w_pin(w, 10, 4, W_D1), 0);
    CHECK(w);
    pgt_cont_init(&c, 4);
    ck_assert_int_eq(w_finish(w, &c, pgt_mod_entry(&w->env, &c, 11, 0,
                                                   PTE(15, W_P | W_RW), W_D1, W_D1)), 0);
    ck_assert_int_eq(w_finish(w, &c, pgt_mod_entry(&w->env, &c, 11, 5, 0, W_D1, W_D1)), 0);
    ck_assert_uint_eq(w->frames[12].state, PGT_INVALID);
    ck_assert_uint_eq(w->frames[13].state, PGT_INVALID);
    ck_assert_uint_eq(w->frames[20].count, 0);
    ck_assert_uint_eq(w->frames[18].count, PGT_ENTRIES);
    ck_assert_uint_eq(w->frames[18].type_count, PGT_ENTRIES);
    CHECK(w);
    ck_assert_int_eq(w_finish(w, &c, pgt_unpin(&w->env, &c, 10, W_D1)), 0);
    ck_assert(w_all_zero(w));
    w_free(w);
}
END_TEST

/* dom0 never waits for a domU: a domU table being released is simply not
 * writable-mappable yet. */
START_TEST(other_domains_busy_frames_never_wait)
{
    struct pgt_world *w = world();
    struct pgt_cont a;

    ck_assert_int_eq(w_pin(w, 3, 1, W_D1), 0);
    ck_assert_int_eq(w_pin(w, 50, 1, W_D0), 0);
    pgt_cont_init(&a, 1);
    ck_assert_int_eq(pgt_unpin(&w->env, &a, 3, W_D1), -ERESTART);
    ck_assert_int_eq(w_mod(w, 50, 0, PTE(3, W_P | W_RW), W_D0, W_D1), -EINVAL);
    ck_assert_int_eq(w_mod(w, 50, 0, PTE(3, W_P), W_D0, W_D1), 0);
    ck_assert_int_eq(w_finish(w, &a, -ERESTART), 0);
    ck_assert_int_eq(w_mod(w, 50, 0, PTE(3, W_P | W_RW), W_D0, W_D1), 0);
    ck_assert_uint_eq(w->frames[3].type, PGT_WRITABLE);
    CHECK(w);
    ck_assert_int_eq(w_unpin(w, 50, W_D0), 0);
    ck_assert(w_all_zero(w));
    w_free(w);
}
END_TEST

/* Releasing an L4 whose linear target has no other reference releases the
 * target's whole hierarchy too: the deepest release stack. */
START_TEST(linear_release_chain)
{
    struct pgt_world *w = world();
    struct pgt_cont c;

    w->page[1][0] = PTE(2, W_P | W_RW);
    w->page[2][0] = PTE(3, W_P | W_RW);
    w->page[3][0] = PTE(4, W_P | W_RW);
    w->page[4][0] = PTE(5, W_P | W_RW);
    ck_assert_int_eq(w_pin(w, 1, 4, W_D1), 0);
    ck_assert_int_eq(w_pin(w, 0, 4, W_D1), 0);
    ck_assert_int_eq(w_mod(w, 0, 1, PTE(1, W_P), W_D1, W_D1), 0);
    ck_assert_int_eq(w_unpin(w, 1, W_D1), 0);
    CHECK(w);
    pgt_cont_init(&c, 1);
    ck_assert_int_eq(w_finish(w, &c, pgt_unpin(&w->env, &c, 0, W_D1)), 0);
    ck_assert(w_all_zero(w));
    w_free(w);
}
END_TEST

/* --- Counters never wrap ---------------------------------------------------- */

START_TEST(counter_overflow_is_an_error)
{
    struct pgt_world *w = world();

    ck_assert_int_eq(w_pin(w, 1, 1, W_D1), 0);
    w->frames[5].count = UINT32_MAX;
    ck_assert_int_eq(pgt_get_page(&w->env, 5, W_D1), -EINVAL);
    ck_assert_int_eq(w_mod(w, 1, 0, PTE(5, W_P), W_D1, W_D1), -EINVAL);
    ck_assert_int_eq(w_mod(w, 1, 0, PTE(5, W_P | W_RW), W_D1, W_D1), -EINVAL);
    ck_assert_int_eq(w_get_type(w, 5, PGT_WRITABLE, W_D1), -EINVAL);
    ck_assert_int_eq(w_pin(w, 5, 1, W_D1), -EINVAL);
    ck_assert_uint_eq(w->frames[5].count, UINT32_MAX);
    w->frames[5].count = 0;
    /* The table's own hold during an update. */
    w->frames[1].count = UINT32_MAX;
    ck_assert_int_eq(w_mod(w, 1, 0, PTE(5, W_P), W_D1, W_D1), -EINVAL);
    w->frames[1].count = 1;
    /* Linear counters. */
    ck_assert_int_eq(w_pin(w, 6, 4, W_D1), 0);
    ck_assert_int_eq(w_pin(w, 7, 4, W_D1), 0);
    w->frames[7].linear = INT16_MIN;
    ck_assert_int_eq(w_mod(w, 6, 0, PTE(7, W_P), W_D1, W_D1), -EINVAL);
    w->frames[7].linear = 0;
    w->frames[6].linear = INT16_MAX;
    ck_assert_int_eq(w_mod(w, 6, 0, PTE(7, W_P), W_D1, W_D1), -EINVAL);
    w->frames[6].linear = 0;
    CHECK(w);
    ck_assert_int_eq(w_unpin(w, 1, W_D1), 0);
    ck_assert_int_eq(w_unpin(w, 6, W_D1), 0);
    ck_assert_int_eq(w_unpin(w, 7, W_D1), 0);
    ck_assert(w_all_zero(w));
    w_free(w);
}
END_TEST

/* --- Teardown --------------------------------------------------------------- */

START_TEST(relinquish_frees_one_domain_only)
{
    struct pgt_world *w = world();
    struct pgt_cont c;
    uint64_t cursor = 0;
    unsigned calls = 0;
    int rc;

    build_tree(w);
    ck_assert_int_eq(w_pin(w, 30, 1, W_D1), 0);
    ck_assert_int_eq(w_mod(w, 30, 0, PTE(31, W_P | W_RW), W_D1, W_D1), 0);
    ck_assert_int_eq(w_pin(w, 41, 1, W_D2), 0);
    ck_assert_int_eq(w_mod(w, 41, 0, PTE(42, W_P | W_RW), W_D2, W_D2), 0);
    /* A validation left half done in the cont is abandoned first. */
    pgt_cont_init(&c, 4);
    ck_assert_int_eq(pgt_pin(&w->env, &c, 10, 4, W_D1), -ERESTART);
    do {
        rc = pgt_relinquish(&w->env, &c, W_D1, &cursor);
        calls++;
    } while (rc == -ERESTART);
    ck_assert_int_eq(rc, 0);
    ck_assert_uint_ge(calls, W_MAX / 4);
    ck_assert(pgt_cont_idle(&c));
    for (uint64_t m = 0; m < 40; m++) {
        ck_assert_uint_eq(w->frames[m].count, 0);
        ck_assert_int_eq(pgt_free(&w->env, m, W_D1), 0);
    }
    ck_assert_uint_eq(w->frames[41].type_count, 1);
    ck_assert_uint_eq(w->frames[42].type, PGT_WRITABLE);
    CHECK(w);
    cursor = 0;
    while ((rc = pgt_relinquish(&w->env, &c, W_D2, &cursor)) == -ERESTART)
        ;
    ck_assert_int_eq(rc, 0);
    ck_assert(w_all_zero(w));
    w_free(w);
}
END_TEST

Suite *pgt_rules_suite(void); /* called by tests/unit/main.c */
Suite *pgt_rules_suite(void)
{
    Suite *s = suite_create("pgt_rules");
    TCase *hostile = tcase_create("hostile");
    TCase *updates = tcase_create("updates");
    TCase *atomic = tcase_create("atomicity");
    TCase *preempt = tcase_create("preemption");

    tcase_add_loop_test(hostile, writable_mapping_of_pinned_table, 1, 5);
    tcase_add_test(hostile, toggling_rw_of_readonly_map_of_own_l1);
    tcase_add_test(hostile, writable_self_referencing_l4);
    tcase_add_test(hostile, readonly_self_referencing_l4);
    tcase_add_test(hostile, linear_l4_rules);
    tcase_add_test(hostile, pte_naming_foreign_hypervisor_or_free_frame);
    tcase_add_test(hostile, foreign_mappings_of_dom0);
    tcase_add_test(hostile, superpages_and_reserved_bits);
    tcase_add_test(hostile, hypervisor_l4_slots);
    tcase_add_test(hostile, pin_rules);
    tcase_add_test(hostile, releasing_pinned_or_mapped_page_refused);
    tcase_add_test(hostile, counter_overflow_is_an_error);
    tcase_add_test(updates, fast_path_only_for_whitelisted_bits);
    tcase_add_test(updates, not_present_entries_are_free_form);
    tcase_add_test(updates, mod_entry_needs_a_table_in_use);
    tcase_add_test(updates, overlapping_updates_of_one_entry);
    tcase_add_test(updates, replacing_a_subtree);
    tcase_add_test(atomic, failed_validation_leaves_counts_as_before);
    tcase_add_test(atomic, failed_update_leaves_counts_as_before);
    tcase_add_test(atomic, aborted_validation_leaves_counts_as_before);
    tcase_add_test(preempt, validation_and_release_are_bounded_per_call);
    tcase_add_test(preempt, preempted_update_holds_its_table);
    tcase_add_test(preempt, other_domains_busy_frames_never_wait);
    tcase_add_test(preempt, linear_release_chain);
    tcase_add_test(preempt, relinquish_frees_one_domain_only);
    suite_add_tcase(s, hostile);
    suite_add_tcase(s, updates);
    suite_add_tcase(s, atomic);
    suite_add_tcase(s, preempt);
    return s;
}
