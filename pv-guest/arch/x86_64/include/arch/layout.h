/*
 * The guest kernel's virtual address space (x86_64, 4-level paging).
 *
 *   0x0000000000000000 - 0x0000007fffffffff  L4 slot 0: user space. Its L3
 *        is shared by the kernel L4 and the user L4, so the kernel reads
 *        user buffers directly; only the user L4 is missing the kernel.
 *   0xffff800000000000 - 0xffff87ffffffffff  the hypervisor's (slots
 *        256..271); the M2P table is readable at its start.
 *   0xffffffff80000000 - 0xffffffffbfffffff  direct map: pseudo-physical
 *        frame pfn at KERNEL_VIRT_BASE + (pfn << 12). The domain builder
 *        maps the kernel image and the boot data there (the VIRT_BASE note,
 *        PADDR_OFFSET 0); mm_init() maps the rest of the guest's memory.
 *   0xffffffffc0000000 - ...                 fixed mappings (shared_info,
 *        scratch slots for tests).
 *   0xffffffffd0000000 - 0xffffffffd3ffffff  foreign window: dom0 maps a new
 *        domain's initial region here while it builds it (64 MiB).
 *   0xffffffffd4000000 - 0xffffffffd403ffff  xenstore pages: dom0's xenstored
 *        maps each domU's store page here (one page per connection slot).
 *   0xffffffffe0000000 - 0xffffffffe001ffff  our grant table frames.
 *   0xffffffffe0200000 - 0xffffffffe03fffff  grant mapping slots: foreign
 *        grants mapped with GNTTABOP_map_grant_ref (one L1's worth).
 */
#ifndef PVG_ARCH_LAYOUT_H
#define PVG_ARCH_LAYOUT_H

#define KERNEL_VIRT_BASE    0xFFFFFFFF80000000ULL
#define DIRECTMAP_MAX_PAGES (1ULL << 18)              /* 1 GiB */
#define FIXMAP_BASE         0xFFFFFFFFC0000000ULL
#define FIXMAP_SHARED_INFO  (FIXMAP_BASE + 0x0000)
#define FIXMAP_SCRATCH(n)   (FIXMAP_BASE + 0x10000 + (unsigned long long)(n) * 0x1000)
#define FIXMAP_NR_SCRATCH   16
#define FOREIGN_VA_BASE     0xFFFFFFFFD0000000ULL
#define FOREIGN_VA_PAGES    16384ULL
#define STORE_VA_BASE       0xFFFFFFFFD4000000ULL
#define STORE_VA_PAGES      64ULL
#define GNTTAB_VA_BASE      0xFFFFFFFFE0000000ULL
#define GNTTAB_MAX_FRAMES   32
#define GNTMAP_VA_BASE      0xFFFFFFFFE0200000ULL
#define GNTMAP_SLOTS        512

#define USER_BASE           0x0000000000400000ULL     /* user program text */
#define USER_STACK_TOP      0x0000000000800000ULL
#define USER_DEMAND_BASE    0x0000000001000000ULL     /* mapped on first touch */
#define USER_DEMAND_END     0x0000000002000000ULL
#define USER_TOP            0x0000008000000000ULL     /* end of L4 slot 0 */

#define PAGE_SIZE  4096ULL
#define PAGE_SHIFT 12

#endif /* PVG_ARCH_LAYOUT_H */
