/*
 * Access to guest virtual memory from hypercalls and trap bounces.
 *
 * Every guest pointer is hostile: the whole range [va, va + len) must be
 * canonical, must not wrap, and must lie outside the hypervisor's slots
 * (0xFFFF800000000000 - 0xFFFF87FFFFFFFFFF), checked at the range's actual
 * bounds; the copy itself runs with a fault fixup, so an unmapped or
 * read-only guest page yields -EFAULT instead of a hypervisor fault.
 * Accesses go through the current page tables (the running vCPU's).
 */
#ifndef XENIA_GUEST_ACCESS_H
#define XENIA_GUEST_ACCESS_H

#include "core/env.h"

bool guest_range_ok(uint64_t va, uint64_t len);
int copy_from_guest(void *dst, uint64_t src_va, uint64_t len);   /* 0 or -EFAULT */
int copy_to_guest(uint64_t dst_va, const void *src, uint64_t len);
/* Exception fixup: the address to resume at after a fault at `rip`, or 0. */
uint64_t ex_table_fixup(uint64_t rip);

#endif
