/*
 * The hypervisor's gnttab_arch_cmpxchg(): a locked cmpxchg on guest memory
 * (a full barrier on x86). Kept out of the other gnttab files so that the
 * unit tests can link a version that plays a racing granter instead.
 */
#include "core/gnttab.h"

uint32_t gnttab_arch_cmpxchg(uint32_t *word, uint32_t expected, uint32_t desired)
{
    __atomic_compare_exchange_n(word, &expected, desired, false, __ATOMIC_SEQ_CST,
                                __ATOMIC_SEQ_CST);
    return expected;
}
