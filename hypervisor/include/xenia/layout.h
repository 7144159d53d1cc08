/*
 * The hypervisor's virtual and physical memory map. Usable from C and from
 * assembly (only plain constants here).
 *
 * Invariant: every hypervisor virtual address lies in L4 slots 256..271,
 * 0xFFFF800000000000 - 0xFFFF87FFFFFFFFFF. Those 16 slots are copied into
 * every guest L4 and guests can neither write them nor map over them; the
 * rest of the 48-bit space belongs to guests (Linux PV kernels live at
 * 0xFFFFFFFF80000000, user space in the lower half).
 *
 *  slot  virtual range                               contents
 *  256   FFFF8000_00000000 - FFFF807F_FFFFFFFF        M2P table, u64 per machine frame,
 *                                                    read-only to guests (pv-abi.md)
 *  257   FFFF8080_00000000 - FFFF80FF_FFFFFFFF        reserved: per-domain mappings
 *                                                    (guest GDT/LDT shadows)
 *  258   FFFF8100_00000000 - FFFF817F_FFFFFFFF        frame table, one descriptor per frame
 *  259   FFFF8180_00000000 - FFFF81FF_FFFFFFFF        the M2P again, writable, hypervisor only
 *  260   FFFF8200_00000000 - FFFF827F_FFFFFFFF        hypervisor image: text, data, bss
 *                                                    (boot, IST and per-CPU stacks, per-CPU
 *                                                    data live in bss), mapped at
 *                                                    HV_IMAGE_BASE + physical address
 *  261   FFFF8280_00000000 - FFFF82FF_FFFFFFFF        reserved
 *  262-269 FFFF8300_00000000 - FFFF86FF_FFFFFFFF      direct map of all RAM (4 TiB):
 *                                                    HV_DIRECTMAP_BASE + physical address;
 *                                                    the heap (xmalloc) and page-table frames
 *                                                    are reached through it
 *  270-271 FFFF8700_00000000 - FFFF87FF_FFFFFFFF      reserved (guard)
 *
 * Physical: the image is loaded at HV_LOAD_PHYS (2 MiB). The 32-bit boot stub
 * (section .boot) is linked at its physical address because it runs before
 * paging; everything else is linked at HV_IMAGE_BASE + physical address.
 * Early boot maps the first 4 GiB three times with 2 MiB pages: identity
 * (dropped once the real direct map is up), at HV_IMAGE_BASE and at
 * HV_DIRECTMAP_BASE.
 */
#ifndef XENIA_LAYOUT_H
#define XENIA_LAYOUT_H

#define HV_SLOT_FIRST       256
#define HV_SLOT_LAST        271
#define HV_VIRT_START       0xFFFF800000000000
#define HV_VIRT_END         0xFFFF880000000000 /* exclusive */

#define HV_M2P_BASE         0xFFFF800000000000
#define HV_PERDOMAIN_BASE   0xFFFF808000000000
#define HV_FRAMETABLE_BASE  0xFFFF810000000000
#define HV_M2P_RW_BASE      0xFFFF818000000000
#define HV_IMAGE_BASE       0xFFFF820000000000
#define HV_DIRECTMAP_BASE   0xFFFF830000000000
#define HV_DIRECTMAP_END    0xFFFF870000000000 /* exclusive: 4 TiB of RAM */

#define HV_LOAD_PHYS        0x200000
#define HV_EARLY_MAP_GIB    4                  /* early boot maps [0, 4 GiB) */

#define HV_SLOT_M2P         256
#define HV_SLOT_FRAMETABLE  258
#define HV_SLOT_M2P_RW      259
#define HV_SLOT_IMAGE       260
#define HV_SLOT_DIRECTMAP   262

#define PAGE_SHIFT          12
#define PAGE_SIZE           4096
/* Per-CPU stack block, STACK_SIZE-aligned: the IST stacks (#DF, NMI, #MC,
   #DB) at the bottom, IST_STACK_SIZE each, the primary stack above them and
   struct cpu_info at the very top, so every stack finds it from %rsp. */
#define STACK_SIZE          65536
#define IST_STACK_SIZE      8192
#define NR_IST_STACKS       4

#endif /* XENIA_LAYOUT_H */
