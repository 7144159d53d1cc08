/*
 * Xenia guest ABI: the ELF notes a PV kernel carries to tell the domain
 * builder how to load and start it.
 *
 * Each note has name "Xen" (namesz 4, including the NUL) and one of the
 * types below, in a PT_NOTE segment (or, failing that, an SHT_NOTE section).
 * Name and descriptor are each padded to 4 bytes. A numeric note's
 * descriptor is a little-endian integer of 1, 2, 4 or 8 bytes; a string
 * note's is NUL-terminated ASCII.
 *
 *  type                  kind     meaning
 *  0  INFO               string   NAME=VALUE pair, informational
 *  1  ENTRY              numeric  virtual entry point (else e_entry)
 *  2  HYPERCALL_PAGE     numeric  virtual address the hypervisor fills with
 *                                 the hypercall stubs
 *  3  VIRT_BASE          numeric  virtual address of the initial mapping
 *                                 (default 0)
 *  4  PADDR_OFFSET       numeric  segments load at p_paddr + VIRT_BASE -
 *                                 PADDR_OFFSET (default 0; needs VIRT_BASE)
 *  5  XEN_VERSION        string   must start with "xen-3.0"
 *  6  GUEST_OS           string   e.g. "linux", "Mini-OS"
 *  7  GUEST_VERSION      string
 *  8  LOADER             string   "generic"
 *  9  PAE_MODE           string   32-bit guests only ("yes", "bimodal")
 * 10  FEATURES           string   XENFEAT_ names without prefix, '|'
 *                                 separated; '!' in front: required
 * 11  BSD_SYMTAB         string   "yes": load the symbol table too
 * 12  HV_START_LOW       numeric  32-bit guests: lowest hole start accepted
 * 13  L1_MFN_VALID       numeric  list of 8-byte (mask, value) pairs that
 *                                 identify non-present L1 entries holding mfns
 * 14  SUSPEND_CANCEL     numeric  non-zero: supports cooperative suspend cancel
 * 15  INIT_P2M           numeric  virtual address for the initial p2m list,
 *                                 outside the initial mapping
 * 16  MOD_START_PFN      numeric  non-zero: accepts an unmapped initrd
 *                                 (start_info.mod_start as a PFN)
 * 17  SUPPORTED_FEATURES numeric  XENFEAT_* bitmap, 32-bit words
 * 18  PHYS32_ENTRY       numeric  PVH only: 32-bit physical entry point
 * 19  PHYS32_RELOC       numeric  PVH only: relocation constraints
 *
 * A domain builder accepts a PV kernel whose LOADER starts with "generic" or
 * whose GUEST_OS starts with "linux", and whose XEN_VERSION starts with
 * "xen-3.0".
 */
#ifndef XENIA_PUBLIC_ELFNOTE_H
#define XENIA_PUBLIC_ELFNOTE_H

#define XEN_ELFNOTE_INFO                0
#define XEN_ELFNOTE_ENTRY               1
#define XEN_ELFNOTE_HYPERCALL_PAGE      2
#define XEN_ELFNOTE_VIRT_BASE           3
#define XEN_ELFNOTE_PADDR_OFFSET        4
#define XEN_ELFNOTE_XEN_VERSION         5
#define XEN_ELFNOTE_GUEST_OS            6
#define XEN_ELFNOTE_GUEST_VERSION       7
#define XEN_ELFNOTE_LOADER              8
#define XEN_ELFNOTE_PAE_MODE            9
#define XEN_ELFNOTE_FEATURES           10
#define XEN_ELFNOTE_BSD_SYMTAB         11
#define XEN_ELFNOTE_HV_START_LOW       12
#define XEN_ELFNOTE_L1_MFN_VALID       13
#define XEN_ELFNOTE_SUSPEND_CANCEL     14
#define XEN_ELFNOTE_INIT_P2M           15
#define XEN_ELFNOTE_MOD_START_PFN      16
#define XEN_ELFNOTE_SUPPORTED_FEATURES 17
#define XEN_ELFNOTE_PHYS32_ENTRY       18
#define XEN_ELFNOTE_PHYS32_RELOC       19
#define XEN_ELFNOTE_MAX                XEN_ELFNOTE_PHYS32_RELOC

#define XEN_ELFNOTE_NAME      "Xen"
#define XEN_ELFNOTE_NAMESZ    4     /* with the NUL */

#endif /* XENIA_PUBLIC_ELFNOTE_H */
