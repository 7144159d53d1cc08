/*
 * Multiboot 1 and Multiboot2 boot-information parsers (see
 * include/core/multiboot.h for the decisions the specs leave open).
 *
 * Invariants:
 *  - Every byte read lies inside a range that the phys accessor returned a
 *    pointer for, and every offset is checked against that range's length
 *    before the read. Fields are read with memcpy, so unaligned loader data
 *    is never dereferenced through a wider pointer.
 *  - All sizes from the loader are unsigned; a sum is formed only after a
 *    check that it cannot wrap (MB2 offsets stay below MB2_INFO_MAX, MB1
 *    addresses are 32-bit values held in 64-bit variables).
 *  - Every loop is bounded by a loader-given length that it consumes by at
 *    least 8 bytes per step, or by a compile-time array size.
 *  - Strings are copied NUL-terminated into fixed buffers; a string is only
 *    accepted if its NUL lies inside its tag (MB2) or inside accessible
 *    memory (MB1).
 *  - Nothing reaches BUG_ON: bad input returns -1 with a message.
 */
#include "core/env.h"
#include "core/multiboot.h"

/* Multiboot 1 information structure: flags bits and field offsets. */
#define MB1_F_MEM (1u << 0)
#define MB1_F_CMDLINE (1u << 2)
#define MB1_F_MODS (1u << 3)
#define MB1_F_AOUT_SYMS (1u << 4)
#define MB1_F_ELF_SHDR (1u << 5)
#define MB1_F_MMAP (1u << 6)
#define MB1_F_LOADER (1u << 9)

#define MB1_OFF_FLAGS 0
#define MB1_OFF_MEM_LOWER 4
#define MB1_OFF_MEM_UPPER 8
#define MB1_OFF_CMDLINE 16
#define MB1_OFF_MODS_COUNT 20
#define MB1_OFF_MODS_ADDR 24
#define MB1_OFF_MMAP_LENGTH 44
#define MB1_OFF_MMAP_ADDR 48
#define MB1_OFF_LOADER 64

#define MB1_MOD_ENTRY_SIZE 16u  /* mod_start, mod_end, string, reserved */
#define MB1_MMAP_MIN_SIZE 20u   /* base_addr, length, type after `size` */

/* Multiboot2 tag types and layouts. */
#define MB2_TAG_END 0
#define MB2_TAG_CMDLINE 1
#define MB2_TAG_LOADER 2
#define MB2_TAG_MODULE 3
#define MB2_TAG_BASIC_MEM 4
#define MB2_TAG_MMAP 6

#define MB2_HDR_SIZE 8u         /* total_size, reserved */
#define MB2_TAG_HDR_SIZE 8u     /* type, size */
#define MB2_TAG_ALIGN 8u
#define MB2_MODULE_FIXED 16u    /* header, mod_start, mod_end */
#define MB2_BASIC_MEM_SIZE 16u  /* header, mem_lower, mem_upper */
#define MB2_MMAP_FIXED 16u      /* header, entry_size, entry_version */
#define MB2_MMAP_ENTRY_MIN 24u  /* base_addr, length, type, reserved */

#define MB_PAGE_SIZE 4096u
#define MB_HIGH_MEM_BASE 0x100000u /* mem_upper counts from 1 MiB */

struct mb_parse {
    mb_phys_fn phys;
    void *ctx;
    struct mb_info *out;
    const char **err;
    uint32_t mem_lower, mem_upper;
    bool have_basic;
};

static uint32_t mb_rd32(const uint8_t *p, size_t off)
{
    uint32_t v;

    memcpy(&v, p + off, sizeof(v));
    return v;
}

static uint64_t mb_rd64(const uint8_t *p, size_t off)
{
    uint64_t v;

    memcpy(&v, p + off, sizeof(v));
    return v;
}

/* Append src to buf[*pos], always leaving room for the NUL. */
static void mb_put(char *buf, size_t *pos, const char *src, size_t n)
{
    while (n-- && *pos + 1 < MB_ERR_MAX)
        buf[(*pos)++] = *src++;
}

/*
 * Record a failure. fmt may hold one conversion, "%x" (lower-case hex, the
 * template supplies any "0x") or "%u" (decimal), replaced by val.
 */
static int mb_fail(struct mb_parse *p, const char *fmt, uint64_t val)
{
    char *buf = p->out->errbuf;
    char digits[20];
    size_t pos = 0;

    for (; *fmt; fmt++) {
        if (fmt[0] != '%' || (fmt[1] != 'x' && fmt[1] != 'u')) {
            mb_put(buf, &pos, fmt, 1);
            continue;
        }
        unsigned base = fmt[1] == 'x' ? 16 : 10;
        size_t n = 0;
        uint64_t v = val;
        do {
            digits[n++] = "0123456789abcdef"[v % base];
            v /= base;
        } while (v);
        while (n)
            mb_put(buf, &pos, &digits[--n], 1);
        fmt++;
    }
    buf[pos] = '\0';
    if (p->err)
        *p->err = buf;
    return -1;
}

/* Length of the string at src if its NUL lies inside src[0, len), else -1. */
static long mb_strlen_in(const uint8_t *src, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if (src[i] == '\0')
            return (long)i;
    return -1;
}

/* Copy n bytes plus a NUL, cutting (and counting) what does not fit. */
static void mb_copy_cut(struct mb_parse *p, char *dst, size_t dst_size, const uint8_t *src,
                        size_t n)
{
    if (n >= dst_size) {
        n = dst_size - 1;
        p->out->truncated++;
    }
    memcpy(dst, src, n);
    dst[n] = '\0';
}

/*
 * Copy the string in src[0, len) (a tag's payload). Returns -1 if its NUL
 * is not inside the payload.
 */
static int mb_copy_bounded(struct mb_parse *p, char *dst, size_t dst_size,
                           const uint8_t *src, size_t len)
{
    long n = mb_strlen_in(src, len);

    if (n < 0)
        return -1;
    mb_copy_cut(p, dst, dst_size, src, (size_t)n);
    return 0;
}

/*
 * Copy a NUL-terminated string at physical address pa, reading at most
 * dst_size bytes, one accessible page piece at a time. No NUL within
 * dst_size bytes: cut and counted. Inaccessible memory before the NUL: -1.
 */
static int mb_copy_phys_string(struct mb_parse *p, char *dst, size_t dst_size, uint64_t pa)
{
    size_t i = 0;

    while (i < dst_size) {
        uint64_t at = pa + i; /* pa < 2^32, i < dst_size: no wrap */
        size_t chunk = MB_PAGE_SIZE - (size_t)(at & (MB_PAGE_SIZE - 1));
        chunk = MIN(chunk, dst_size - i);
        const uint8_t *src = p->phys(p->ctx, at, chunk);
        if (!src)
            return -1;
        for (size_t j = 0; j < chunk; j++) {
            dst[i + j] = (char)src[j];
            if (src[j] == '\0')
                return 0;
        }
        i += chunk;
    }
    dst[dst_size - 1] = '\0';
    p->out->truncated++;
    return 0;
}

static int mb_add_region(struct mb_parse *p, uint64_t base, uint64_t len, uint32_t type,
                         const char *wrap_msg)
{
    struct mb_info *out = p->out;

    if (len == 0)
        return 0;
    if (base + len - 1 < base)
        return mb_fail(p, wrap_msg, base);
    if (out->nr_regions == MB_MAX_REGIONS) {
        out->truncated++;
        return 0;
    }
    out->regions[out->nr_regions++] = (struct mb_region){ base, len, type };
    return 0;
}

/* Queue a module; the caller has checked start <= end. */
static struct mb_module *mb_add_module(struct mb_parse *p, uint64_t start, uint64_t end)
{
    struct mb_info *out = p->out;

    if (out->nr_modules == MB_MAX_MODULES) {
        out->truncated++;
        return NULL;
    }
    struct mb_module *m = &out->modules[out->nr_modules++];
    m->start = start;
    m->end = end;
    m->cmdline[0] = '\0';
    return m;
}

/* Common final checks: memory information present, modules sane. */
static int mb_finish(struct mb_parse *p, const char *msg_none, const char *msg_overlap,
                     const char *msg_access)
{
    struct mb_info *out = p->out;

    if (out->nr_regions == 0) {
        if (!p->have_basic)
            return mb_fail(p, msg_none, 0);
        /* KiB counts from the loader: 32-bit values, so * 1024 cannot wrap. */
        mb_add_region(p, 0, (uint64_t)p->mem_lower * 1024, MB_REGION_USABLE, "");
        mb_add_region(p, MB_HIGH_MEM_BASE, (uint64_t)p->mem_upper * 1024,
                      MB_REGION_USABLE, "");
        if (out->nr_regions == 0)
            return mb_fail(p, msg_none, 0);
    }
    for (unsigned i = 0; i < out->nr_modules; i++) {
        const struct mb_module *a = &out->modules[i];
        if (a->start == a->end)
            continue;
        if (!p->phys(p->ctx, a->start, a->end - a->start))
            return mb_fail(p, msg_access, i);
        for (unsigned j = 0; j < i; j++) {
            const struct mb_module *b = &out->modules[j];
            if (b->start != b->end && a->start < b->end && b->start < a->end)
                return mb_fail(p, msg_overlap, i);
        }
    }
    return 0;
}

static void mb_begin(struct mb_parse *p, unsigned proto, mb_phys_fn phys, void *ctx,
                     struct mb_info *out, const char **err)
{
    memset(out, 0, sizeof(*out));
    out->proto = proto;
    *p = (struct mb_parse){ .phys = phys, .ctx = ctx, .out = out, .err = err };
}

/* ---------------------------------------------------------------- MB2 */

static int mb2_tag_module(struct mb_parse *p, const uint8_t *tag, uint32_t size, uint32_t off)
{
    if (size < MB2_MODULE_FIXED)
        return mb_fail(p, "mb2: module tag at offset 0x%x is shorter than 16 bytes", off);
    uint32_t start = mb_rd32(tag, 8), end = mb_rd32(tag, 12);
    if (start > end)
        return mb_fail(p, "mb2: module tag at offset 0x%x has mod_start above mod_end", off);
    const uint8_t *str = tag + MB2_MODULE_FIXED;
    long len = mb_strlen_in(str, size - MB2_MODULE_FIXED);
    if (len < 0)
        return mb_fail(p, "mb2: module tag at offset 0x%x has no NUL in its string", off);
    struct mb_module *m = mb_add_module(p, start, end);
    if (m)
        mb_copy_cut(p, m->cmdline, sizeof(m->cmdline), str, (size_t)len);
    return 0;
}

static int mb2_tag_mmap(struct mb_parse *p, const uint8_t *tag, uint32_t size, uint32_t off)
{
    if (size < MB2_MMAP_FIXED)
        return mb_fail(p, "mb2: memory-map tag at offset 0x%x is shorter than 16 bytes", off);
    uint32_t esize = mb_rd32(tag, 8);
    if (esize < MB2_MMAP_ENTRY_MIN || esize % 8 != 0)
        return mb_fail(p, "mb2: memory-map tag at offset 0x%x has a bad entry_size", off);
    if ((size - MB2_MMAP_FIXED) % esize != 0)
        return mb_fail(p, "mb2: memory-map tag at offset 0x%x is not a whole number of entries",
                       off);
    /* entry_version only grows compatibly (spec); the reserved field is ignored. */
    for (uint32_t e = MB2_MMAP_FIXED; e < size; e += esize) {
        int rc = mb_add_region(p, mb_rd64(tag, e), mb_rd64(tag, e + 8), mb_rd32(tag, e + 16),
                               "mb2: memory-map entry at 0x%x wraps past 2^64");
        if (rc < 0)
            return rc;
    }
    return 0;
}

static int mb2_tag(struct mb_parse *p, uint32_t type, const uint8_t *tag, uint32_t size,
                   uint32_t off)
{
    struct mb_info *out = p->out;

    switch (type) {
    case MB2_TAG_CMDLINE:
        if (mb_copy_bounded(p, out->cmdline, sizeof(out->cmdline), tag + MB2_TAG_HDR_SIZE,
                            size - MB2_TAG_HDR_SIZE) < 0)
            return mb_fail(p, "mb2: command-line tag at offset 0x%x has no NUL", off);
        return 0;
    case MB2_TAG_LOADER:
        if (mb_copy_bounded(p, out->loader, sizeof(out->loader), tag + MB2_TAG_HDR_SIZE,
                            size - MB2_TAG_HDR_SIZE) < 0)
            return mb_fail(p, "mb2: loader-name tag at offset 0x%x has no NUL", off);
        return 0;
    case MB2_TAG_MODULE:
        return mb2_tag_module(p, tag, size, off);
    case MB2_TAG_BASIC_MEM:
        if (size < MB2_BASIC_MEM_SIZE)
            return mb_fail(p, "mb2: basic-memory tag at offset 0x%x is shorter than 16 bytes",
                           off);
        p->mem_lower = mb_rd32(tag, 8);
        p->mem_upper = mb_rd32(tag, 12);
        p->have_basic = true;
        return 0;
    case MB2_TAG_MMAP:
        return mb2_tag_mmap(p, tag, size, off);
    default:
        return 0; /* unknown or unused tag: skipped */
    }
}

int mb2_parse(uint32_t info_pa, mb_phys_fn phys, void *ctx, struct mb_info *out,
              const char **err)
{
    struct mb_parse p;

    mb_begin(&p, 2, phys, ctx, out, err);
    if (info_pa % MB2_TAG_ALIGN != 0)
        return mb_fail(&p, "mb2: information block at 0x%x is not 8-byte aligned", info_pa);
    const uint8_t *hdr = phys(ctx, info_pa, MB2_HDR_SIZE);
    if (!hdr)
        return mb_fail(&p, "mb2: information block at 0x%x is not accessible", info_pa);
    uint32_t total = mb_rd32(hdr, 0);
    if (total < MB2_HDR_SIZE + MB2_TAG_HDR_SIZE)
        return mb_fail(&p, "mb2: total_size %u is below 16", total);
    if (total % MB2_TAG_ALIGN != 0)
        return mb_fail(&p, "mb2: total_size %u is not a multiple of 8", total);
    if (total > MB2_INFO_MAX)
        return mb_fail(&p, "mb2: total_size %u is implausibly large", total);
    const uint8_t *base = phys(ctx, info_pa, total);
    if (!base)
        return mb_fail(&p, "mb2: information block of %u bytes is not accessible", total);
    out->info_start = info_pa;
    out->info_end = (uint64_t)info_pa + total;

    /* off and total are multiples of 8, so total - off >= 8 inside the loop. */
    for (uint32_t off = MB2_HDR_SIZE; off < total;) {
        uint32_t type = mb_rd32(base, off), size = mb_rd32(base, off + 4);
        if (size < MB2_TAG_HDR_SIZE)
            return mb_fail(&p, "mb2: tag at offset 0x%x is shorter than 8 bytes", off);
        if (size > total - off)
            return mb_fail(&p, "mb2: tag at offset 0x%x runs past total_size", off);
        if (type == MB2_TAG_END) {
            if (size != MB2_TAG_HDR_SIZE)
                return mb_fail(&p, "mb2: end tag at offset 0x%x does not have size 8", off);
            if (total - off != MB2_TAG_HDR_SIZE)
                return mb_fail(&p, "mb2: end tag at offset 0x%x is not at total_size", off);
            return mb_finish(&p, "mb2: no memory map and no basic memory information",
                             "mb2: module %u overlaps an earlier module",
                             "mb2: module %u is not accessible");
        }
        int rc = mb2_tag(&p, type, base + off, size, off);
        if (rc < 0)
            return rc;
        /* size <= total - off and total - off is a multiple of 8. */
        off += ALIGN_UP(size, MB2_TAG_ALIGN);
    }
    return mb_fail(&p, "mb2: no end tag within total_size %u", total);
}

/* ---------------------------------------------------------------- MB1 */

static int mb1_mmap(struct mb_parse *p, uint32_t addr, uint32_t len)
{
    if (len == 0)
        return 0;
    const uint8_t *map = p->phys(p->ctx, addr, len);
    if (!map)
        return mb_fail(p, "mb1: memory map at 0x%x is not accessible", addr);
    for (uint32_t off = 0; off < len;) {
        if (len - off < 4)
            return mb_fail(p, "mb1: memory-map entry at offset 0x%x is cut short", off);
        uint32_t size = mb_rd32(map, off);
        if (size < MB1_MMAP_MIN_SIZE)
            return mb_fail(p, "mb1: memory-map entry at offset 0x%x has size below 20", off);
        if (size > len - off - 4)
            return mb_fail(p, "mb1: memory-map entry at offset 0x%x runs past mmap_length", off);
        int rc = mb_add_region(p, mb_rd64(map, off + 4), mb_rd64(map, off + 12),
                               mb_rd32(map, off + 20),
                               "mb1: memory-map entry at 0x%x wraps past 2^64");
        if (rc < 0)
            return rc;
        off += 4 + size; /* <= len: checked above */
    }
    return 0;
}

static int mb1_modules(struct mb_parse *p, uint32_t count, uint32_t addr)
{
    uint32_t keep = MIN(count, (uint32_t)MB_MAX_MODULES);

    if (keep == 0)
        return 0;
    const uint8_t *tbl = p->phys(p->ctx, addr, (uint64_t)keep * MB1_MOD_ENTRY_SIZE);
    if (!tbl)
        return mb_fail(p, "mb1: module list at 0x%x is not accessible", addr);
    for (uint32_t i = 0; i < keep; i++) {
        const uint8_t *e = tbl + (size_t)i * MB1_MOD_ENTRY_SIZE;
        uint32_t start = mb_rd32(e, 0), end = mb_rd32(e, 4);
        if (start > end)
            return mb_fail(p, "mb1: module %u has mod_start above mod_end", i);
        struct mb_module *m = mb_add_module(p, start, end);
        if (mb_copy_phys_string(p, m->cmdline, sizeof(m->cmdline), mb_rd32(e, 8)) < 0)
            return mb_fail(p, "mb1: string of module %u runs into inaccessible memory", i);
    }
    p->out->truncated += count - keep;
    return 0;
}

int mb1_parse(uint32_t info_pa, mb_phys_fn phys, void *ctx, struct mb_info *out,
              const char **err)
{
    struct mb_parse p;

    mb_begin(&p, 1, phys, ctx, out, err);
    const uint8_t *info = phys(ctx, info_pa, MB1_INFO_READ_SIZE);
    if (!info)
        return mb_fail(&p, "mb1: information structure at 0x%x is not accessible", info_pa);
    out->info_start = info_pa;
    out->info_end = (uint64_t)info_pa + MB1_INFO_READ_SIZE;

    uint32_t flags = mb_rd32(info, MB1_OFF_FLAGS);
    if ((flags & MB1_F_AOUT_SYMS) && (flags & MB1_F_ELF_SHDR))
        return mb_fail(&p, "mb1: flags 0x%x set both bit 4 and bit 5", flags);
    if (flags & MB1_F_MEM) {
        p.mem_lower = mb_rd32(info, MB1_OFF_MEM_LOWER);
        p.mem_upper = mb_rd32(info, MB1_OFF_MEM_UPPER);
        p.have_basic = true;
    }
    if ((flags & MB1_F_CMDLINE) &&
        mb_copy_phys_string(&p, out->cmdline, sizeof(out->cmdline),
                            mb_rd32(info, MB1_OFF_CMDLINE)) < 0)
        return mb_fail(&p, "mb1: command line at 0x%x runs into inaccessible memory",
                       mb_rd32(info, MB1_OFF_CMDLINE));
    if ((flags & MB1_F_LOADER) &&
        mb_copy_phys_string(&p, out->loader, sizeof(out->loader),
                            mb_rd32(info, MB1_OFF_LOADER)) < 0)
        return mb_fail(&p, "mb1: loader name at 0x%x runs into inaccessible memory",
                       mb_rd32(info, MB1_OFF_LOADER));
    if (flags & MB1_F_MODS) {
        int rc = mb1_modules(&p, mb_rd32(info, MB1_OFF_MODS_COUNT),
                             mb_rd32(info, MB1_OFF_MODS_ADDR));
        if (rc < 0)
            return rc;
    }
    if (flags & MB1_F_MMAP) {
        int rc = mb1_mmap(&p, mb_rd32(info, MB1_OFF_MMAP_ADDR),
                          mb_rd32(info, MB1_OFF_MMAP_LENGTH));
        if (rc < 0)
            return rc;
    }
    return mb_finish(&p, "mb1: no memory map (flags bit 6) and no mem_lower/mem_upper (bit 0)",
                     "mb1: module %u overlaps an earlier module",
                     "mb1: module %u is not accessible");
}
