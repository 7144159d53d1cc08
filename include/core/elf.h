/*
 * ELF64 loader core for PV kernels: validate an in-memory ELF64 x86_64
 * executable, collect its "Xen" notes, check them against the PV boot rules,
 * and copy its PT_LOAD segments into place.
 *
 * The image is hostile input (a dom0 kernel from the boot loader, a domU
 * kernel from the toolstack). elf_parse() checks every offset, size and
 * count against the buffer with overflow-safe unsigned arithmetic before it
 * reads, bounds every loop, NUL-checks every string, and either fills
 * *img completely or returns -22 (-XEN_EINVAL) with a static message in
 * *err and *img zeroed. Nothing here allocates or keeps pointers other than
 * img->data.
 *
 * What elf_parse() accepts:
 *  - ELFCLASS64, little-endian, EI_VERSION 1, ET_EXEC, EM_X86_64;
 *    e_phentsize 56 and the program headers inside the buffer.
 *  - 1..ELF_MAX_LOAD loadable segments (PT_LOAD with any of PF_R/W/X and
 *    p_memsz != 0; others are ignored, as Xen ignores them), each with its
 *    file bytes inside the buffer, filesz <= memsz, address + memsz not
 *    wrapping, the whole range canonical (one half of the address space),
 *    and no two segments sharing a byte.
 *  - The entry point (ENTRY note, else e_entry) canonical and inside a
 *    loaded segment.
 *  - Notes from PT_NOTE segments; only if those hold no "Xen" note, from
 *    SHT_NOTE sections (then e_shentsize must be 64 and the section table
 *    inside the buffer). Each note's name and descriptor must lie inside its
 *    segment (the 4-byte padding after the last one may be cut off); at most
 *    ELF_MAX_NOTES notes are looked at in all. A "Xen" note of a numeric
 *    type must be 1, 2, 4 or 8 bytes (L1_MFN_VALID: pairs of 8-byte values;
 *    SUPPORTED_FEATURES: 32-bit words); a string one must be NUL-terminated
 *    within its descriptor and fit its field here. A later note of the same
 *    type replaces an earlier one (SUPPORTED_FEATURES words are ORed).
 *    Unknown types are recorded in `present` (if < 32) and otherwise ignored.
 *
 * elf_check_xen_guest() then applies the PV domain-builder rules; see
 * elf.c. elf_load() copies the segments through a callback.
 */
#ifndef XENIA_CORE_ELF_H
#define XENIA_CORE_ELF_H

#include "core/env.h"
#include "public/elfnote.h"

#define ELF_MAX_LOAD   16          /* loaded segments */
#define ELF_MAX_NOTES  65536       /* notes examined, all segments together */

/* What the "Xen" notes said; numbers are XEN_ELFNOTE_* from public/elfnote.h. */
struct elf_xen_notes {
    uint64_t entry, hypercall_page, virt_base, paddr_offset, hv_start_low,
             init_p2m, mod_start_pfn;
    char xen_version[16], guest_os[32], guest_version[32], loader[16],
         pae_mode[16], features[256];
    uint32_t supported_features;   /* SUPPORTED_FEATURES, first word */
    uint64_t l1_mfn_valid[2];      /* first (mask, value) pair */
    bool suspend_cancel;
    uint32_t present;              /* bit N: a note of type N was seen */
};

/*
 * A validated view of an in-memory ELF64 file. Addresses are where the
 * segments are loaded: p_paddr + VIRT_BASE - PADDR_OFFSET, as Xen does it
 * (equal to p_vaddr for most kernels, but not for x86_64 Linux's per-CPU
 * segment, linked at p_vaddr 0).
 */
struct elf_image {
    const uint8_t *data;
    uint64_t size;
    uint64_t entry;                /* the ENTRY note if present, else e_entry */
    uint64_t vstart, vend;         /* hull of the loaded segments, vend exclusive */
    unsigned nr_load;              /* loaded segments */
    struct elf_xen_notes notes;
    uint64_t phoff;                /* program header table (for elf_load) */
    unsigned phnum;
};

int elf_parse(const void *data, uint64_t size, struct elf_image *img, const char **err);

/* The PV accept rules on a parsed image: 0 or -22, *err says why. */
int elf_check_xen_guest(const struct elf_image *img, const char **err);

/*
 * Copy every loaded segment: filesz bytes from the file, then
 * zeros up to memsz. `dest` is asked for a writable pointer to
 * [vaddr, vaddr + len); it is called once per piece, a piece never crosses a
 * 4 KiB boundary, and NULL makes elf_load fail with -22 ("destination
 * refused"), leaving earlier pieces written. The image must not change after
 * elf_parse; bounds are re-checked anyway, so a change cannot make elf_load
 * read outside img->data.
 */
typedef void *(*elf_dest_fn)(void *ctx, uint64_t vaddr, uint64_t len);
int elf_load(const struct elf_image *img, elf_dest_fn dest, void *ctx, const char **err);

#endif /* XENIA_CORE_ELF_H */
