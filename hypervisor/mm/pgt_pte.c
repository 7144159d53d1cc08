/*
 * PV MMU: which bits a guest may set in a present PTE, per level.
 *
 * These are pure functions of the entry's bits; whether the frame it names
 * may be referenced is decided in pgt_walk.c. Rules (all levels are x86_64
 * 4-level paging):
 *   - allowed everywhere: Present, RW, User, Accessed, Dirty, the available
 *     bits 9..11 and 52..62, NX, and the address field (bits 12..51; that the
 *     frame exists, and so that no bit above MAXPHYADDR is set, is checked
 *     against the frame table);
 *   - L1 also allows Global; it refuses the cache attributes PWT, PCD, PAT
 *     (no PV domain of Xenia owns I/O memory) and bit 62, which the
 *     hypervisor reserves to mark grant mappings;
 *   - L2..L4 refuse PWT, PCD, Global and bit 7: PSE in an L2/L3 (PV guests
 *     get no superpages), must-be-zero in an L4.
 * The fast path (an update applied without validation) accepts only changes
 * of Accessed, Dirty and the available bits on a present entry that keeps
 * its frame: anything else, RW, User, NX, PSE or a cache bit included, goes
 * through full validation [XSA-148, XSA-182].
 */
#include "core/pgt.h"

#define PGT_ALLOWED_ANY                                                     \
    (PGT_PTE_P | PGT_PTE_RW | PGT_PTE_US | PGT_PTE_A | PGT_PTE_D |           \
     PGT_PTE_AVAIL | PGT_PTE_ADDR | PGT_PTE_AVAIL_HIGH | PGT_PTE_NX)
#define PGT_ALLOWED_L1 ((PGT_ALLOWED_ANY | PGT_PTE_G) & ~PGT_PTE_GNTTAB)
#define PGT_ALLOWED_UPPER PGT_ALLOWED_ANY

#define PGT_FAST_BITS (PGT_PTE_A | PGT_PTE_D | PGT_PTE_AVAIL | PGT_PTE_AVAIL_HIGH)

int pgt_pte_check(uint64_t pte, unsigned level)
{
    uint64_t allowed;

    if (level < 1 || level > 4)
        return -EINVAL;
    allowed = level == 1 ? PGT_ALLOWED_L1 : PGT_ALLOWED_UPPER;
    return (pte & ~allowed) ? -EINVAL : 0;
}

bool pgt_pte_fast_ok(uint64_t old_pte, uint64_t new_pte)
{
    if (!(old_pte & PGT_PTE_P) || !(new_pte & PGT_PTE_P))
        return false;
    return ((old_pte ^ new_pte) & ~PGT_FAST_BITS) == 0;
}

bool pgt_hv_slot(const struct pgt_env *env, unsigned level, unsigned index)
{
    return level == 4 && index >= env->hv_slot_first && index <= env->hv_slot_last;
}
