/*
 * Multiboot 1 (spec 0.6.96) and Multiboot2 (spec 2.0) boot information,
 * parsed into one loader-independent summary.
 *
 * The boot loader is not trusted to be correct: every offset, size and
 * string it hands over is checked before use, all arithmetic on its values
 * is unsigned and overflow-checked, and malformed information is refused
 * with a message instead of being half-used. The parsers read
 * physical memory only through the caller's accessor, never outside a range
 * the accessor agreed to, and copy everything they keep into struct mb_info,
 * so the loader's structures may be reused once parsing returns (only the
 * module contents stay where the loader put them).
 *
 * Decisions the specs leave open:
 *  - A module with start == end is an empty module and is accepted (Xen does
 *    the same); start > end is malformed. Two non-empty modules that share a
 *    byte are malformed. Non-empty modules must be readable through the
 *    accessor.
 *  - Memory-map entries of zero length are dropped silently; an entry whose
 *    base + length wraps past 2^64 is malformed.
 *  - Without a memory map (MB1 flags bit 6, MB2 tag 6), or with one that has
 *    no entry of non-zero length, the basic mem_lower / mem_upper values
 *    (MB1 bit 0, MB2 tag 4) become two usable regions, [0, mem_lower KiB)
 *    and [1 MiB, 1 MiB + mem_upper KiB); with neither the information is
 *    malformed.
 *  - More regions or modules than the arrays hold: the first ones are kept,
 *    the rest counted in `truncated`. A string longer than its buffer is cut
 *    (still NUL-terminated) and counted there too.
 *  - MB2: the info block must be 8-byte aligned, total_size a multiple of 8,
 *    at least 16 and at most MB2_INFO_MAX; the end tag (type 0, size 8) must
 *    be the last 8 bytes of total_size; a memory-map tag must hold a whole
 *    number of entries. A later command-line or loader-name tag replaces an
 *    earlier one; several memory-map tags are concatenated. Unknown tag
 *    types are skipped.
 *  - MB1: the parser reads the fixed structure up to and including
 *    boot_loader_name (MB1_INFO_READ_SIZE bytes); flags bits 4 and 5 (a.out
 *    and ELF symbols) are mutually exclusive per the spec and both set is
 *    malformed. A memory-map entry whose `size` is below 20 is malformed.
 *    A command line or module string with no NUL within its maximum length
 *    is cut and counted; one that runs into inaccessible memory first is
 *    malformed.
 */
#ifndef XENIA_CORE_MULTIBOOT_H
#define XENIA_CORE_MULTIBOOT_H

#include <stdint.h>

#define MB_MAX_REGIONS 128
#define MB_MAX_MODULES 16
#define MB_CMDLINE_MAX 1024    /* hypervisor command line, NUL included */
#define MB_MOD_CMDLINE_MAX 256 /* each module's command line */
#define MB_LOADER_MAX 64
#define MB_ERR_MAX 96          /* error message buffer, NUL included */

/* Region types as both specs number them. */
#define MB_REGION_USABLE 1
#define MB_REGION_RESERVED 2
#define MB_REGION_ACPI 3
#define MB_REGION_NVS 4
#define MB_REGION_BAD 5

#define MB1_BOOTLOADER_MAGIC 0x2BADB002u
#define MB2_BOOTLOADER_MAGIC 0x36d76289u

/* Largest MB2 information block accepted (a sanity bound on total_size). */
#define MB2_INFO_MAX (1u << 20)
/* Bytes of the MB1 information structure the parser reads. */
#define MB1_INFO_READ_SIZE 68u

struct mb_region {
    uint64_t base, len;
    uint32_t type;
};

struct mb_module {
    uint64_t start, end; /* physical, end exclusive */
    char cmdline[MB_MOD_CMDLINE_MAX];
};

struct mb_info {
    unsigned proto; /* 1 or 2 */
    char cmdline[MB_CMDLINE_MAX];
    char loader[MB_LOADER_MAX]; /* boot loader name, "" if none */
    unsigned nr_regions;
    struct mb_region regions[MB_MAX_REGIONS];
    unsigned nr_modules;
    struct mb_module modules[MB_MAX_MODULES];
    /* Physical range of the main info structure: MB2 [info_pa, +total_size),
       MB1 the MB1_INFO_READ_SIZE bytes read. */
    uint64_t info_start, info_end;
    unsigned truncated; /* strings/entries that did not fit and were cut/dropped */
    char errbuf[MB_ERR_MAX]; /* holds the message *err points to after a failure */
};

/*
 * Physical-memory accessor: returns a pointer through which [pa, pa+len) can
 * be read, or NULL if that range is not accessible. In the hypervisor it maps
 * to the direct map; in tests, a fake RAM. The parsers never call it with a
 * range that wraps past 2^64.
 */
typedef const void *(*mb_phys_fn)(void *ctx, uint64_t pa, uint64_t len);

/*
 * Parse the information block at physical address info_pa. Return 0 and fill
 * *out, or return -1 with *err pointing to a message naming the rule that was
 * broken and where (for example "mb2: tag at offset 0x48 is shorter than 8
 * bytes"). The message lives in out->errbuf, so it stays valid as long as
 * *out does; the rest of *out is then partially written and must not be
 * used. err may be NULL. Neither function allocates or keeps state.
 */
int mb1_parse(uint32_t info_pa, mb_phys_fn phys, void *ctx, struct mb_info *out,
              const char **err);
int mb2_parse(uint32_t info_pa, mb_phys_fn phys, void *ctx, struct mb_info *out,
              const char **err);

#endif /* XENIA_CORE_MULTIBOOT_H */
