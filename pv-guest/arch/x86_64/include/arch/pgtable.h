/*
 * The kernel's page tables, changed only through the PV MMU hypercalls.
 *
 * Rules this code keeps (pv-abi.md, "Memory management"):
 *  - A page that becomes a page table is zeroed while still writable, then
 *    its own direct-map entry is made read-only (update_va_mapping), and
 *    only then is it hooked into its parent with mmu_update, which makes
 *    the hypervisor validate it. Tables are never mapped writable again.
 *  - Leaf (L1) entries are written with mmu_update requests collected in a
 *    batch (PT_BATCH entries per hypercall); pt_commit() submits it. A
 *    mapping is usable only after pt_commit(). New tables are created at
 *    once (their hooking must precede the L1 writes below them), after
 *    flushing the batch.
 *  - Entries of the tables above L1 are P|RW|A|D|U, as the domain builder
 *    writes them; kernel leaves have no U bit (the kernel runs in ring 3
 *    but the user L4 lacks the kernel's slots, so that is safe), user
 *    leaves have it.
 *  - Writing a new leaf where none was present needs no TLB flush; callers
 *    that replace or remove a present mapping use pt_unmap() or flush.
 * Tables are reached through the M2P (machine frame -> pfn) and the direct
 * map; a table frame that does not map back through the p2m is refused.
 */
#ifndef PVG_ARCH_PGTABLE_H
#define PVG_ARCH_PGTABLE_H

#include <stdbool.h>
#include <stdint.h>

#include "public/xen.h"

#define PTE_KERNEL_RW (XEN_PTE_PRESENT | XEN_PTE_RW | XEN_PTE_ACCESSED)
#define PTE_KERNEL_RO (XEN_PTE_PRESENT | XEN_PTE_ACCESSED)
#define PTE_USER_RW   (XEN_PTE_PRESENT | XEN_PTE_RW | XEN_PTE_ACCESSED | XEN_PTE_USER)
#define PTE_USER_RO   (XEN_PTE_PRESENT | XEN_PTE_ACCESSED | XEN_PTE_USER)
#define PTE_TABLE     (XEN_PTE_PRESENT | XEN_PTE_RW | XEN_PTE_ACCESSED | \
                       XEN_PTE_DIRTY | XEN_PTE_USER)

#define PT_BATCH 64

/* Record the boot L4 (start_info.pt_base). */
void pt_init(uint64_t l4_va);
uint64_t pt_root_mfn(void);

/* Queue va -> mfn (one L1 entry), creating missing tables now. */
int pt_queue_map(uint64_t va, uint64_t mfn, uint64_t flags);
/* Submit the queued L1 writes: 0 or the hypercall's error. */
int pt_commit(void);
/*
 * The same for a frame of domain `dom` (dom0 building a domain: mmu_update
 * with foreigndom = dom). Unmap by queueing mfn 0, flags 0 with DOMID_SELF,
 * then flush the TLB.
 */
int pt_queue_map_foreign(uint64_t va, uint64_t mfn, uint64_t flags, domid_t dom);
/* Queue M2P[mfn] := pfn for a frame of `dom` (MMU_MACHPHYS_UPDATE). */
int pt_queue_machphys(uint64_t mfn, uint64_t pfn, domid_t dom);
/* pt_queue_map + pt_commit. */
int pt_map(uint64_t va, uint64_t mfn, uint64_t flags);
/* Remove the mapping of va and flush it from the TLB (update_va_mapping). */
int pt_unmap(uint64_t va);
/* Make sure an L1 table covers va (for update_va_mapping users). */
int pt_prepare(uint64_t va);
/* The L1 entry for va, if the tables down to it exist. */
bool pt_lookup(uint64_t va, uint64_t *pte);
/* Entry `slot` of the kernel L4. */
uint64_t pt_l4_entry(unsigned slot);

/* Change the flags of one present kernel mapping (update_va_mapping). */
int pt_set_flags(uint64_t va, uint64_t flags);
/* mmuext_op helpers. */
int pt_pin(uint64_t mfn, unsigned level);
int pt_unpin(uint64_t mfn);
int pt_flush_tlb(void);
int pt_invlpg(uint64_t va);

/* Statistics: hypercalls and entries, for the boot banner and tests. */
struct pt_stats {
    uint64_t mmu_update_calls, mmu_update_entries, tables_created;
};
void pt_get_stats(struct pt_stats *s);

#endif /* PVG_ARCH_PGTABLE_H */
