/*
 * Unit tests of the Multiboot 1 / Multiboot2 parsers.
 *
 * Boot information is built byte by byte in a staging buffer and copied
 * into a fake RAM: a heap block of exactly RAM_SIZE bytes that the phys
 * accessor exposes at physical RAM_BASE, so ASan catches any read past the
 * ranges the parser asked for. One test per rule of the specs and of
 * include/core/multiboot.h, plus a brute-force corruption pass over a
 * valid Multiboot2 block placed flush against the end of the fake RAM.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "core/env.h"
#include "core/multiboot.h"

#define RAM_BASE 0x100000u
#define RAM_SIZE 0x40000u
#define INFO_PA (RAM_BASE + 0x1000u)
#define MOD0_PA (RAM_BASE + 0x20000u)
#define MOD1_PA (RAM_BASE + 0x21000u)
#define MOD1_END (RAM_BASE + 0x23800u)

struct fake_ram {
    uint8_t *mem;
    uint64_t base, size;
};

static struct fake_ram ram;
static struct mb_info info; /* large: keep it off the stack */
static const char *err;

static const void *ram_phys(void *ctx, uint64_t pa, uint64_t len)
{
    struct fake_ram *r = ctx;

    if (pa < r->base || pa - r->base > r->size || len > r->size - (pa - r->base))
        return NULL;
    return r->mem + (pa - r->base);
}

static void ram_setup(void)
{
    ram.base = RAM_BASE;
    ram.size = RAM_SIZE;
    ram.mem = malloc(RAM_SIZE);
    ck_assert_ptr_nonnull(ram.mem);
    memset(ram.mem, 0xA5, RAM_SIZE);
    memset(&info, 0x5A, sizeof(info));
    err = NULL;
}

static void ram_teardown(void)
{
    free(ram.mem);
    ram.mem = NULL;
}

static void ram_put(uint64_t pa, const void *data, size_t len)
{
    ck_assert(pa >= RAM_BASE && pa - RAM_BASE + len <= RAM_SIZE);
    memcpy(ram.mem + (pa - RAM_BASE), data, len);
}

static void put32(uint8_t *p, uint32_t v)
{
    memcpy(p, &v, 4);
}

static void put64(uint8_t *p, uint64_t v)
{
    memcpy(p, &v, 8);
}

static uint32_t get32(const uint8_t *p)
{
    uint32_t v;
    memcpy(&v, p, 4);
    return v;
}

/* ------------------------------------------------------------ MB2 builder */

struct mb2b {
    uint8_t buf[16384];
    uint32_t len;
};

static struct mb2b b2;

static void mb2_begin(void)
{
    memset(b2.buf, 0, sizeof(b2.buf));
    b2.len = 8;
}

/* Append a tag with the given payload; returns its offset. */
static uint32_t mb2_tag(uint32_t type, const void *payload, uint32_t plen)
{
    uint32_t off = b2.len;

    ck_assert_uint_le(off + 8 + plen + 8, sizeof(b2.buf));
    put32(b2.buf + off, type);
    put32(b2.buf + off + 4, 8 + plen);
    if (plen)
        memcpy(b2.buf + off + 8, payload, plen);
    b2.len = ALIGN_UP(off + 8 + plen, 8u);
    return off;
}

static uint32_t mb2_str(uint32_t type, const char *s)
{
    return mb2_tag(type, s, (uint32_t)strlen(s) + 1);
}

static uint32_t mb2_module(uint32_t start, uint32_t end, const char *s)
{
    uint8_t p[512];
    size_t n = strlen(s) + 1;

    ck_assert_uint_le(n + 8, sizeof(p));
    put32(p, start);
    put32(p + 4, end);
    memcpy(p + 8, s, n);
    return mb2_tag(3, p, (uint32_t)(8 + n));
}

static uint32_t mb2_basic_mem(uint32_t lower, uint32_t upper)
{
    uint8_t p[8];

    put32(p, lower);
    put32(p + 4, upper);
    return mb2_tag(4, p, 8);
}

struct ent {
    uint64_t base, len;
    uint32_t type;
};

static uint32_t mb2_mmap(uint32_t entry_size, const struct ent *e, unsigned n)
{
    static uint8_t p[8192];

    ck_assert_uint_le(8 + (size_t)entry_size * n, sizeof(p));
    memset(p, 0, sizeof(p));
    put32(p, entry_size);
    put32(p + 4, 0);
    for (unsigned i = 0; i < n; i++) {
        uint8_t *q = p + 8 + (size_t)i * entry_size;
        put64(q, e[i].base);
        put64(q + 8, e[i].len);
        put32(q + 16, e[i].type);
    }
    return mb2_tag(6, p, 8 + entry_size * n);
}

/* Close with the end tag, fix total_size and copy to pa. */
static void mb2_finish_at(uint64_t pa)
{
    put32(b2.buf + b2.len, 0);
    put32(b2.buf + b2.len + 4, 8);
    b2.len += 8;
    put32(b2.buf, b2.len);
    put32(b2.buf + 4, 0);
    ram_put(pa, b2.buf, b2.len);
}

static void mb2_finish(void)
{
    mb2_finish_at(INFO_PA);
}

static int parse2(void)
{
    return mb2_parse(INFO_PA, ram_phys, &ram, &info, &err);
}

static const struct ent std_map[] = {
    { 0x0, 0x9fc00, MB_REGION_USABLE },
    { 0x9fc00, 0x400, MB_REGION_RESERVED },
    { 0xf0000, 0x10000, MB_REGION_RESERVED },
    { 0x100000, 0x7ee0000, MB_REGION_USABLE },
    { 0x7fe0000, 0x20000, MB_REGION_ACPI },
    { 0xfffc0000, 0x40000, MB_REGION_NVS },
};

/* The block GRUB would hand over: every tag kind we read, plus an unknown one. */
static void mb2_standard(void)
{
    static const uint8_t load_base[4] = { 0x00, 0x00, 0x20, 0x00 };

    mb2_begin();
    mb2_str(1, "console=com1 loglvl=all dom0_mem=512M");
    mb2_str(2, "GRUB 2.06");
    mb2_tag(21, load_base, sizeof(load_base)); /* unknown to us, 12 bytes: padded */
    mb2_basic_mem(639, 130048);
    mb2_module(MOD0_PA, MOD1_PA, "dom0.elf console=hvc0");
    mb2_module(MOD1_PA, MOD1_END, "initrd");
    mb2_mmap(24, std_map, ARRAY_SIZE(std_map));
}

static void expect_fail(int rc, const char *needle)
{
    ck_assert_int_eq(rc, -1);
    ck_assert_ptr_nonnull(err);
    ck_assert_msg(strstr(err, needle) != NULL, "message '%s' lacks '%s'", err, needle);
}

/* ------------------------------------------------------------ MB2: good */

START_TEST(mb2_well_formed)
{
    mb2_standard();
    mb2_finish();
    ck_assert_int_eq(parse2(), 0);
    ck_assert_uint_eq(info.proto, 2);
    ck_assert_str_eq(info.cmdline, "console=com1 loglvl=all dom0_mem=512M");
    ck_assert_str_eq(info.loader, "GRUB 2.06");
    ck_assert_uint_eq(info.nr_regions, ARRAY_SIZE(std_map));
    for (unsigned i = 0; i < ARRAY_SIZE(std_map); i++) {
        ck_assert_uint_eq(info.regions[i].base, std_map[i].base);
        ck_assert_uint_eq(info.regions[i].len, std_map[i].len);
        ck_assert_uint_eq(info.regions[i].type, std_map[i].type);
    }
    ck_assert_uint_eq(info.nr_modules, 2);
    ck_assert_uint_eq(info.modules[0].start, MOD0_PA);
    ck_assert_uint_eq(info.modules[0].end, MOD1_PA);
    ck_assert_str_eq(info.modules[0].cmdline, "dom0.elf console=hvc0");
    ck_assert_uint_eq(info.modules[1].start, MOD1_PA);
    ck_assert_uint_eq(info.modules[1].end, MOD1_END);
    ck_assert_str_eq(info.modules[1].cmdline, "initrd");
    ck_assert_uint_eq(info.info_start, INFO_PA);
    ck_assert_uint_eq(info.info_end, INFO_PA + b2.len);
    ck_assert_uint_eq(info.truncated, 0);
}
END_TEST

START_TEST(mb2_err_may_be_null)
{
    mb2_begin();
    mb2_finish();
    ck_assert_int_eq(mb2_parse(INFO_PA, ram_phys, &ram, &info, NULL), -1);
}
END_TEST

START_TEST(mb2_larger_entry_size_is_stepped_over)
{
    mb2_begin();
    mb2_mmap(32, std_map, ARRAY_SIZE(std_map));
    mb2_finish();
    ck_assert_int_eq(parse2(), 0);
    ck_assert_uint_eq(info.nr_regions, ARRAY_SIZE(std_map));
    ck_assert_uint_eq(info.regions[3].base, 0x100000);
    ck_assert_uint_eq(info.regions[5].type, MB_REGION_NVS);
    ck_assert_str_eq(info.cmdline, "");
    ck_assert_str_eq(info.loader, "");
    ck_assert_uint_eq(info.nr_modules, 0);
}
END_TEST

START_TEST(mb2_zero_length_region_dropped)
{
    static const struct ent map[] = {
        { 0x1000, 0, MB_REGION_USABLE },
        { 0x100000, 0x100000, MB_REGION_USABLE },
    };
    mb2_begin();
    mb2_mmap(24, map, 2);
    mb2_finish();
    ck_assert_int_eq(parse2(), 0);
    ck_assert_uint_eq(info.nr_regions, 1);
    ck_assert_uint_eq(info.regions[0].base, 0x100000);
}
END_TEST

START_TEST(mb2_region_ending_at_top_accepted)
{
    static const struct ent map[] = { { 0xFFFFFFFFFFFFF000ull, 0x1000, MB_REGION_RESERVED } };
    mb2_begin();
    mb2_mmap(24, map, 1);
    mb2_finish();
    ck_assert_int_eq(parse2(), 0);
    ck_assert_uint_eq(info.nr_regions, 1);
}
END_TEST

START_TEST(mb2_basic_meminfo_fallback)
{
    mb2_begin();
    mb2_basic_mem(639, 65536);
    mb2_finish();
    ck_assert_int_eq(parse2(), 0);
    ck_assert_uint_eq(info.nr_regions, 2);
    ck_assert_uint_eq(info.regions[0].base, 0);
    ck_assert_uint_eq(info.regions[0].len, 639 * 1024);
    ck_assert_uint_eq(info.regions[0].type, MB_REGION_USABLE);
    ck_assert_uint_eq(info.regions[1].base, 0x100000);
    ck_assert_uint_eq(info.regions[1].len, 65536ull * 1024);
    ck_assert_uint_eq(info.regions[1].type, MB_REGION_USABLE);
}
END_TEST

START_TEST(mb2_no_memory_information)
{
    mb2_begin();
    mb2_str(1, "x");
    mb2_finish();
    expect_fail(parse2(), "no memory map");
}
END_TEST

START_TEST(mb2_empty_module_accepted)
{
    mb2_standard();
    mb2_module(MOD0_PA + 0x100, MOD0_PA + 0x100, "empty, inside module 0");
    mb2_finish();
    ck_assert_int_eq(parse2(), 0);
    ck_assert_uint_eq(info.nr_modules, 3);
    ck_assert_uint_eq(info.modules[2].start, info.modules[2].end);
}
END_TEST

START_TEST(mb2_too_many_regions_truncated)
{
    static struct ent map[MB_MAX_REGIONS + 3];
    for (unsigned i = 0; i < ARRAY_SIZE(map); i++)
        map[i] = (struct ent){ (uint64_t)i << 20, 1u << 20, i % 2 ? 2 : 1 };
    mb2_begin();
    mb2_mmap(24, map, ARRAY_SIZE(map));
    mb2_finish();
    ck_assert_int_eq(parse2(), 0);
    ck_assert_uint_eq(info.nr_regions, MB_MAX_REGIONS);
    ck_assert_uint_eq(info.truncated, 3);
    ck_assert_uint_eq(info.regions[MB_MAX_REGIONS - 1].base, (uint64_t)(MB_MAX_REGIONS - 1) << 20);
}
END_TEST

START_TEST(mb2_too_many_modules_truncated)
{
    mb2_begin();
    mb2_basic_mem(0, 1024);
    for (unsigned i = 0; i < MB_MAX_MODULES + 2; i++)
        mb2_module(MOD0_PA + i * 0x100, MOD0_PA + i * 0x100 + 0x80, i == 0 ? "first" : "m");
    mb2_finish();
    ck_assert_int_eq(parse2(), 0);
    ck_assert_uint_eq(info.nr_modules, MB_MAX_MODULES);
    ck_assert_uint_eq(info.truncated, 2);
    ck_assert_str_eq(info.modules[0].cmdline, "first");
}
END_TEST

START_TEST(mb2_long_strings_cut_and_counted)
{
    static char big[MB_CMDLINE_MAX + 100];
    memset(big, 'c', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    mb2_begin();
    mb2_basic_mem(0, 1024);
    mb2_str(1, big);
    big[MB_MOD_CMDLINE_MAX] = '\0'; /* exactly one too long */
    mb2_module(MOD0_PA, MOD1_PA, big);
    big[MB_LOADER_MAX + 5] = '\0';
    mb2_str(2, big);
    mb2_finish();
    ck_assert_int_eq(parse2(), 0);
    ck_assert_uint_eq(strlen(info.cmdline), MB_CMDLINE_MAX - 1);
    ck_assert_uint_eq(strlen(info.loader), MB_LOADER_MAX - 1);
    ck_assert_uint_eq(strlen(info.modules[0].cmdline), MB_MOD_CMDLINE_MAX - 1);
    ck_assert_uint_eq(info.truncated, 3);
}
END_TEST

START_TEST(mb2_later_cmdline_replaces_earlier)
{
    mb2_begin();
    mb2_basic_mem(0, 1024);
    mb2_str(1, "first");
    mb2_str(1, "second");
    mb2_finish();
    ck_assert_int_eq(parse2(), 0);
    ck_assert_str_eq(info.cmdline, "second");
}
END_TEST

/* ------------------------------------------------------------ MB2: malformed */

START_TEST(mb2_total_size_below_16)
{
    uint8_t hdr[16] = { 0 };
    put32(hdr, 8); /* header only: no room for an end tag */
    ram_put(INFO_PA, hdr, sizeof(hdr));
    expect_fail(parse2(), "below 16");
}
END_TEST

START_TEST(mb2_total_size_zero)
{
    uint8_t hdr[16] = { 0 };
    ram_put(INFO_PA, hdr, sizeof(hdr));
    expect_fail(parse2(), "below 16");
}
END_TEST

START_TEST(mb2_total_size_unaligned)
{
    mb2_standard();
    mb2_finish();
    put32(ram.mem + (INFO_PA - RAM_BASE), b2.len + 4);
    expect_fail(parse2(), "multiple of 8");
}
END_TEST

START_TEST(mb2_total_size_huge)
{
    mb2_standard();
    mb2_finish();
    put32(ram.mem + (INFO_PA - RAM_BASE), 0xFFFFFFF8u);
    expect_fail(parse2(), "implausibly large");
}
END_TEST

START_TEST(mb2_total_size_past_accessible_memory)
{
    mb2_standard();
    mb2_finish();
    put32(ram.mem + (INFO_PA - RAM_BASE), RAM_SIZE);
    expect_fail(parse2(), "not accessible");
}
END_TEST

START_TEST(mb2_info_unaligned)
{
    mb2_standard();
    mb2_finish_at(INFO_PA + 4);
    expect_fail(mb2_parse(INFO_PA + 4, ram_phys, &ram, &info, &err), "8-byte aligned");
}
END_TEST

START_TEST(mb2_info_inaccessible)
{
    expect_fail(mb2_parse(0x1000, ram_phys, &ram, &info, &err), "not accessible");
    expect_fail(mb2_parse(RAM_BASE + RAM_SIZE, ram_phys, &ram, &info, &err), "not accessible");
}
END_TEST

START_TEST(mb2_tag_shorter_than_8)
{
    mb2_begin();
    mb2_basic_mem(0, 1024);
    uint32_t off = mb2_str(1, "abc");
    mb2_finish();
    put32(ram.mem + (INFO_PA - RAM_BASE) + off + 4, 4);
    expect_fail(parse2(), "shorter than 8 bytes");
    ck_assert_str_eq(err, "mb2: tag at offset 0x18 is shorter than 8 bytes");
}
END_TEST

START_TEST(mb2_tag_size_zero)
{
    mb2_begin();
    uint32_t off = mb2_basic_mem(0, 1024);
    mb2_finish();
    put32(ram.mem + (INFO_PA - RAM_BASE) + off + 4, 0);
    expect_fail(parse2(), "shorter than 8 bytes");
}
END_TEST

START_TEST(mb2_tag_past_end)
{
    mb2_begin();
    mb2_basic_mem(0, 1024);
    uint32_t off = mb2_str(1, "abc");
    mb2_finish();
    put32(ram.mem + (INFO_PA - RAM_BASE) + off + 4, b2.len - off + 1);
    expect_fail(parse2(), "runs past total_size");
}
END_TEST

START_TEST(mb2_missing_end_tag)
{
    mb2_begin();
    mb2_basic_mem(0, 1024);
    mb2_finish();
    /* Turn the end tag into an (unknown) type-99 tag of size 8. */
    put32(ram.mem + (INFO_PA - RAM_BASE) + b2.len - 8, 99);
    expect_fail(parse2(), "no end tag");
}
END_TEST

START_TEST(mb2_end_tag_bad_size)
{
    mb2_begin();
    mb2_basic_mem(0, 1024);
    mb2_finish();
    put32(ram.mem + (INFO_PA - RAM_BASE) + b2.len - 4, 16);
    expect_fail(parse2(), "runs past total_size"); /* 16 > the 8 bytes left */
    put32(ram.mem + (INFO_PA - RAM_BASE) + b2.len - 4, 4);
    expect_fail(parse2(), "shorter than 8 bytes");

    /* An end tag of size 16 that does fit: still not size 8. */
    mb2_begin();
    mb2_basic_mem(0, 1024);
    uint8_t z[8] = { 0 };
    uint32_t off = mb2_tag(0, z, 8);
    put32(b2.buf, b2.len);
    ram_put(INFO_PA, b2.buf, b2.len);
    ck_assert_uint_eq(off + 16, b2.len);
    expect_fail(parse2(), "does not have size 8");
}
END_TEST

START_TEST(mb2_end_tag_not_last)
{
    mb2_begin();
    mb2_basic_mem(0, 1024);
    mb2_finish();
    /* Claim 8 more bytes after the end tag. */
    put32(ram.mem + (INFO_PA - RAM_BASE), b2.len + 8);
    expect_fail(parse2(), "not at total_size");
}
END_TEST

START_TEST(mb2_mmap_entry_size_below_24)
{
    mb2_begin();
    mb2_mmap(16, std_map, 2);
    mb2_finish();
    expect_fail(parse2(), "bad entry_size");
}
END_TEST

START_TEST(mb2_mmap_entry_size_zero)
{
    mb2_begin();
    mb2_mmap(24, std_map, 2);
    mb2_finish();
    put32(ram.mem + (INFO_PA - RAM_BASE) + 8 + 8, 0);
    expect_fail(parse2(), "bad entry_size");
}
END_TEST

START_TEST(mb2_mmap_entry_size_not_multiple_of_8)
{
    mb2_begin();
    mb2_mmap(28, std_map, 2);
    mb2_finish();
    expect_fail(parse2(), "bad entry_size");
}
END_TEST

START_TEST(mb2_mmap_partial_entry)
{
    mb2_begin();
    uint32_t off = mb2_mmap(24, std_map, 2);
    mb2_finish();
    /* Shrink the tag by 8 bytes: 1.66 entries. */
    put32(ram.mem + (INFO_PA - RAM_BASE) + off + 4, 16 + 24 * 2 - 8);
    expect_fail(parse2(), "whole number of entries");
}
END_TEST

START_TEST(mb2_mmap_tag_shorter_than_16)
{
    mb2_begin();
    uint8_t p[4] = { 24, 0, 0, 0 };
    mb2_tag(6, p, 4);
    mb2_finish();
    expect_fail(parse2(), "shorter than 16 bytes");
}
END_TEST

START_TEST(mb2_mmap_entry_wraps)
{
    static const struct ent map[] = { { 0xFFFFFFFFFFFFF000ull, 0x2000, MB_REGION_USABLE } };
    mb2_begin();
    mb2_mmap(24, map, 1);
    mb2_finish();
    expect_fail(parse2(), "wraps");
}
END_TEST

START_TEST(mb2_module_start_above_end)
{
    mb2_standard();
    mb2_module(MOD1_END + 1, MOD1_END, "backwards by one byte");
    mb2_finish();
    expect_fail(parse2(), "mod_start above mod_end");
}
END_TEST

START_TEST(mb2_modules_overlap)
{
    mb2_standard();
    mb2_module(MOD1_PA - 1, MOD1_PA + 0x10, "overlaps both");
    mb2_finish();
    expect_fail(parse2(), "module 2 overlaps");
}
END_TEST

START_TEST(mb2_modules_identical_overlap)
{
    mb2_begin();
    mb2_basic_mem(0, 1024);
    mb2_module(MOD0_PA, MOD1_PA, "a");
    mb2_module(MOD0_PA, MOD1_PA, "b");
    mb2_finish();
    expect_fail(parse2(), "overlaps");
}
END_TEST

START_TEST(mb2_module_inaccessible)
{
    mb2_standard();
    mb2_module(RAM_BASE + RAM_SIZE - 0x10, RAM_BASE + RAM_SIZE + 0x10, "past RAM end");
    mb2_finish();
    expect_fail(parse2(), "module 2 is not accessible");
}
END_TEST

START_TEST(mb2_module_tag_shorter_than_16)
{
    mb2_begin();
    mb2_basic_mem(0, 1024);
    uint8_t p[4] = { 0 };
    mb2_tag(3, p, 4);
    mb2_finish();
    expect_fail(parse2(), "shorter than 16 bytes");
}
END_TEST

START_TEST(mb2_module_string_without_nul)
{
    mb2_begin();
    mb2_basic_mem(0, 1024);
    uint8_t p[8 + 8];
    put32(p, MOD0_PA);
    put32(p + 4, MOD1_PA);
    memset(p + 8, 'x', 8); /* padding after the tag is zero: must not count */
    mb2_tag(3, p, sizeof(p) - 3);
    mb2_finish();
    expect_fail(parse2(), "no NUL");
}
END_TEST

START_TEST(mb2_module_without_string_bytes)
{
    mb2_begin();
    mb2_basic_mem(0, 1024);
    uint8_t p[8];
    put32(p, MOD0_PA);
    put32(p + 4, MOD1_PA);
    mb2_tag(3, p, 8); /* size 16: no room for even the NUL */
    mb2_finish();
    expect_fail(parse2(), "no NUL");
}
END_TEST

START_TEST(mb2_cmdline_without_nul)
{
    mb2_begin();
    mb2_basic_mem(0, 1024);
    mb2_tag(1, "abcde", 5);
    mb2_finish();
    expect_fail(parse2(), "command-line tag at offset 0x18 has no NUL");
}
END_TEST

START_TEST(mb2_empty_cmdline_tag_without_nul)
{
    mb2_begin();
    mb2_basic_mem(0, 1024);
    mb2_tag(1, NULL, 0);
    mb2_finish();
    expect_fail(parse2(), "has no NUL");
}
END_TEST

START_TEST(mb2_loader_name_without_nul)
{
    mb2_begin();
    mb2_basic_mem(0, 1024);
    mb2_tag(2, "GRUB", 4);
    mb2_finish();
    expect_fail(parse2(), "loader-name tag");
}
END_TEST

START_TEST(mb2_basic_mem_tag_short)
{
    mb2_begin();
    uint8_t p[4] = { 0 };
    mb2_tag(4, p, 4);
    mb2_finish();
    expect_fail(parse2(), "basic-memory tag");
}
END_TEST

/*
 * Corrupt every byte offset of a valid block with a few values, both as a
 * single byte and as a little-endian 32-bit word, and parse. The block ends
 * exactly at the end of the fake RAM so any over-read trips ASan. Each
 * parse must return 0 or -1 (with a message), and successes must still be
 * internally consistent.
 */
START_TEST(mb2_bruteforce_corruption)
{
    static const uint32_t values[] = { 0, 0xFF, 7, 8, 0x7FFFFFFF };
    static uint8_t pristine[16384];
    unsigned ok = 0, bad = 0;

    mb2_standard();
    mb2_str(1, "second cmdline");
    mb2_finish();
    uint32_t total = b2.len;
    uint64_t pa = RAM_BASE + RAM_SIZE - total;
    memcpy(pristine, b2.buf, total);

    for (uint32_t off = 0; off < total; off++) {
        for (unsigned v = 0; v < ARRAY_SIZE(values); v++) {
            for (unsigned width = 1; width <= 4; width += 3) {
                uint8_t *dst = ram.mem + (pa - RAM_BASE);
                memcpy(dst, pristine, total);
                uint32_t val = values[v];
                for (unsigned k = 0; k < width && off + k < total; k++)
                    dst[off + k] = (uint8_t)(val >> (8 * k));
                err = NULL;
                int rc = mb2_parse((uint32_t)pa, ram_phys, &ram, &info, &err);
                ck_assert(rc == 0 || rc == -1);
                if (rc < 0) {
                    ck_assert_ptr_nonnull(err);
                    ck_assert_uint_gt(strlen(err), 5);
                    ck_assert_uint_lt(strlen(err), MB_ERR_MAX);
                    bad++;
                    continue;
                }
                ok++;
                ck_assert_uint_le(info.nr_regions, MB_MAX_REGIONS);
                ck_assert_uint_ge(info.nr_regions, 1);
                ck_assert_uint_le(info.nr_modules, MB_MAX_MODULES);
                ck_assert_uint_lt(strnlen(info.cmdline, MB_CMDLINE_MAX), MB_CMDLINE_MAX);
                ck_assert_uint_lt(strnlen(info.loader, MB_LOADER_MAX), MB_LOADER_MAX);
                for (unsigned i = 0; i < info.nr_modules; i++) {
                    const struct mb_module *m = &info.modules[i];
                    ck_assert_uint_le(m->start, m->end);
                    ck_assert_uint_lt(strnlen(m->cmdline, MB_MOD_CMDLINE_MAX),
                                      MB_MOD_CMDLINE_MAX);
                }
                for (unsigned i = 0; i < info.nr_regions; i++)
                    ck_assert_uint_ge(info.regions[i].base + info.regions[i].len - 1,
                                      info.regions[i].base);
            }
        }
    }
    /* Both outcomes must occur, or the pass proved nothing. */
    ck_assert_uint_gt(ok, 100);
    ck_assert_uint_gt(bad, 100);
    ck_assert_uint_eq(get32(pristine), total);
}
END_TEST

/* ------------------------------------------------------------ MB1 builder */

#define MB1_F_MEM (1u << 0)
#define MB1_F_CMDLINE (1u << 2)
#define MB1_F_MODS (1u << 3)
#define MB1_F_AOUT (1u << 4)
#define MB1_F_ELF (1u << 5)
#define MB1_F_MMAP (1u << 6)
#define MB1_F_LOADER (1u << 9)

#define MB1_INFO_PA (RAM_BASE + 0x1000u)
#define MB1_CMDLINE_PA (RAM_BASE + 0x2000u)
#define MB1_LOADER_PA (RAM_BASE + 0x2400u)
#define MB1_MODS_PA (RAM_BASE + 0x3000u)
#define MB1_MODSTR_PA (RAM_BASE + 0x3800u)
#define MB1_MMAP_PA (RAM_BASE + 0x4000u)

static uint8_t mb1[116];

static void mb1_set(uint32_t off, uint32_t v)
{
    put32(mb1 + off, v);
}

static void mb1_commit(void)
{
    ram_put(MB1_INFO_PA, mb1, sizeof(mb1));
}

static void ram_str(uint64_t pa, const char *s)
{
    ram_put(pa, s, strlen(s) + 1);
}

/* Write a module list of n entries with their strings. */
static void mb1_modules(const uint32_t (*range)[2], const char *const *names, unsigned n)
{
    uint8_t e[16];
    uint64_t str = MB1_MODSTR_PA;

    for (unsigned i = 0; i < n; i++) {
        put32(e, range[i][0]);
        put32(e + 4, range[i][1]);
        put32(e + 8, (uint32_t)str);
        put32(e + 12, 0);
        ram_put(MB1_MODS_PA + 16 * i, e, 16);
        ram_str(str, names[i]);
        str += strlen(names[i]) + 1;
    }
}

/* Write an mmap with the given per-entry size fields; returns mmap_length. */
static uint32_t mb1_mmap(const struct ent *e, const uint32_t *sizes, unsigned n)
{
    uint8_t buf[4096];
    uint32_t off = 0;

    memset(buf, 0xEE, sizeof(buf));
    for (unsigned i = 0; i < n; i++) {
        put32(buf + off, sizes[i]);
        put64(buf + off + 4, e[i].base);
        put64(buf + off + 12, e[i].len);
        put32(buf + off + 20, e[i].type);
        off += 4 + sizes[i];
    }
    ram_put(MB1_MMAP_PA, buf, off);
    return off;
}

static int parse1(void)
{
    return mb1_parse(MB1_INFO_PA, ram_phys, &ram, &info, &err);
}

static const uint32_t std_mods[2][2] = { { MOD0_PA, MOD1_PA }, { MOD1_PA, MOD1_END } };
static const char *const std_mod_names[2] = { "dom0.elf console=hvc0", "initrd" };

static void mb1_standard(void)
{
    static const uint32_t sizes[] = { 20, 20, 28, 20, 20, 20 }; /* one entry with extra bytes */

    memset(mb1, 0, sizeof(mb1));
    mb1_set(0, MB1_F_MEM | MB1_F_CMDLINE | MB1_F_MODS | MB1_F_MMAP | MB1_F_LOADER);
    mb1_set(4, 639);
    mb1_set(8, 130048);
    mb1_set(16, MB1_CMDLINE_PA);
    ram_str(MB1_CMDLINE_PA, "console=com1 loglvl=all");
    mb1_set(20, 2);
    mb1_set(24, MB1_MODS_PA);
    mb1_modules(std_mods, std_mod_names, 2);
    mb1_set(44, mb1_mmap(std_map, sizes, ARRAY_SIZE(std_map)));
    mb1_set(48, MB1_MMAP_PA);
    mb1_set(64, MB1_LOADER_PA);
    ram_str(MB1_LOADER_PA, "GRUB 0.97");
    mb1_commit();
}

/* ------------------------------------------------------------ MB1 tests */

START_TEST(mb1_well_formed)
{
    mb1_standard();
    ck_assert_int_eq(parse1(), 0);
    ck_assert_uint_eq(info.proto, 1);
    ck_assert_str_eq(info.cmdline, "console=com1 loglvl=all");
    ck_assert_str_eq(info.loader, "GRUB 0.97");
    ck_assert_uint_eq(info.nr_regions, ARRAY_SIZE(std_map));
    for (unsigned i = 0; i < ARRAY_SIZE(std_map); i++) {
        ck_assert_uint_eq(info.regions[i].base, std_map[i].base);
        ck_assert_uint_eq(info.regions[i].len, std_map[i].len);
        ck_assert_uint_eq(info.regions[i].type, std_map[i].type);
    }
    ck_assert_uint_eq(info.nr_modules, 2);
    ck_assert_uint_eq(info.modules[0].start, MOD0_PA);
    ck_assert_uint_eq(info.modules[0].end, MOD1_PA);
    ck_assert_str_eq(info.modules[0].cmdline, "dom0.elf console=hvc0");
    ck_assert_uint_eq(info.modules[1].end, MOD1_END);
    ck_assert_str_eq(info.modules[1].cmdline, "initrd");
    ck_assert_uint_eq(info.info_start, MB1_INFO_PA);
    ck_assert_uint_eq(info.info_end, MB1_INFO_PA + MB1_INFO_READ_SIZE);
    ck_assert_uint_eq(info.truncated, 0);
}
END_TEST

START_TEST(mb1_flags_select_fields)
{
    mb1_standard();
    mb1_set(0, MB1_F_MMAP); /* cmdline, modules, loader present in memory but not flagged */
    mb1_commit();
    ck_assert_int_eq(parse1(), 0);
    ck_assert_str_eq(info.cmdline, "");
    ck_assert_str_eq(info.loader, "");
    ck_assert_uint_eq(info.nr_modules, 0);
    ck_assert_uint_eq(info.nr_regions, ARRAY_SIZE(std_map));
}
END_TEST

START_TEST(mb1_mem_fallback)
{
    mb1_standard();
    mb1_set(0, MB1_F_MEM);
    mb1_commit();
    ck_assert_int_eq(parse1(), 0);
    ck_assert_uint_eq(info.nr_regions, 2);
    ck_assert_uint_eq(info.regions[0].base, 0);
    ck_assert_uint_eq(info.regions[0].len, 639 * 1024);
    ck_assert_uint_eq(info.regions[1].base, 0x100000);
    ck_assert_uint_eq(info.regions[1].len, 130048ull * 1024);
    ck_assert_uint_eq(info.regions[1].type, MB_REGION_USABLE);
}
END_TEST

START_TEST(mb1_empty_mmap_falls_back)
{
    mb1_standard();
    mb1_set(0, MB1_F_MEM | MB1_F_MMAP);
    mb1_set(44, 0);
    mb1_commit();
    ck_assert_int_eq(parse1(), 0);
    ck_assert_uint_eq(info.nr_regions, 2);
}
END_TEST

START_TEST(mb1_no_memory_information)
{
    mb1_standard();
    mb1_set(0, MB1_F_CMDLINE);
    mb1_commit();
    expect_fail(parse1(), "no memory map");
}
END_TEST

START_TEST(mb1_zero_mem_fields)
{
    mb1_standard();
    mb1_set(0, MB1_F_MEM);
    mb1_set(4, 0);
    mb1_set(8, 0);
    mb1_commit();
    expect_fail(parse1(), "no memory map");
}
END_TEST

START_TEST(mb1_info_inaccessible)
{
    expect_fail(mb1_parse(0x2000, ram_phys, &ram, &info, &err), "not accessible");
    expect_fail(mb1_parse(RAM_BASE + RAM_SIZE - 32, ram_phys, &ram, &info, &err),
                "not accessible");
}
END_TEST

START_TEST(mb1_syms_bits_exclusive)
{
    mb1_standard();
    mb1_set(0, MB1_F_MMAP | MB1_F_AOUT | MB1_F_ELF);
    mb1_commit();
    expect_fail(parse1(), "bit 4 and bit 5");
}
END_TEST

START_TEST(mb1_mmap_entry_size_below_20)
{
    static const uint32_t sizes[] = { 20, 16 };
    mb1_standard();
    mb1_set(44, mb1_mmap(std_map, sizes, 2) + 4);
    mb1_commit();
    expect_fail(parse1(), "size below 20");
}
END_TEST

START_TEST(mb1_mmap_entry_past_length)
{
    static const uint32_t sizes[] = { 20, 20 };
    mb1_standard();
    mb1_set(44, mb1_mmap(std_map, sizes, 2) - 1);
    mb1_commit();
    expect_fail(parse1(), "runs past mmap_length");
}
END_TEST

START_TEST(mb1_mmap_trailing_bytes)
{
    static const uint32_t sizes[] = { 20, 20 };
    mb1_standard();
    mb1_set(44, mb1_mmap(std_map, sizes, 2) + 3);
    mb1_commit();
    expect_fail(parse1(), "cut short");
}
END_TEST

START_TEST(mb1_mmap_inaccessible)
{
    mb1_standard();
    mb1_set(48, RAM_BASE + RAM_SIZE - 8);
    mb1_commit();
    expect_fail(parse1(), "memory map at 0x");
}
END_TEST

START_TEST(mb1_mmap_entry_wraps)
{
    static const struct ent map[] = { { 0xFFFFFFFFFFFFFFFFull, 2, MB_REGION_USABLE } };
    static const uint32_t sizes[] = { 20 };
    mb1_standard();
    mb1_set(44, mb1_mmap(map, sizes, 1));
    mb1_commit();
    expect_fail(parse1(), "wraps");
}
END_TEST

START_TEST(mb1_cmdline_runs_into_inaccessible_memory)
{
    mb1_standard();
    uint64_t pa = RAM_BASE + RAM_SIZE - 10;
    ram_put(pa, "0123456789", 10); /* no NUL before the end of RAM */
    mb1_set(16, (uint32_t)pa);
    mb1_commit();
    expect_fail(parse1(), "command line at 0x");
}
END_TEST

START_TEST(mb1_cmdline_near_end_of_ram_ok)
{
    mb1_standard();
    uint64_t pa = RAM_BASE + RAM_SIZE - 6;
    ram_put(pa, "short", 6);
    mb1_set(16, (uint32_t)pa);
    mb1_commit();
    ck_assert_int_eq(parse1(), 0);
    ck_assert_str_eq(info.cmdline, "short");
}
END_TEST

START_TEST(mb1_cmdline_pointer_outside_ram)
{
    mb1_standard();
    mb1_set(16, 0x500);
    mb1_commit();
    expect_fail(parse1(), "inaccessible memory");
}
END_TEST

START_TEST(mb1_long_cmdline_cut)
{
    static char big[MB_CMDLINE_MAX * 2];
    memset(big, 'q', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    mb1_standard();
    ram_put(RAM_BASE + 0x8000, big, sizeof(big));
    mb1_set(16, RAM_BASE + 0x8000);
    mb1_commit();
    ck_assert_int_eq(parse1(), 0);
    ck_assert_uint_eq(strlen(info.cmdline), MB_CMDLINE_MAX - 1);
    ck_assert_uint_eq(info.truncated, 1);
}
END_TEST

START_TEST(mb1_cmdline_of_exact_max_fits)
{
    static char s[MB_CMDLINE_MAX];
    memset(s, 'q', sizeof(s) - 1);
    s[sizeof(s) - 1] = '\0';
    mb1_standard();
    ram_put(RAM_BASE + 0x8FF0, s, sizeof(s)); /* crosses a page boundary */
    mb1_set(16, RAM_BASE + 0x8FF0);
    mb1_commit();
    ck_assert_int_eq(parse1(), 0);
    ck_assert_str_eq(info.cmdline, s);
    ck_assert_uint_eq(info.truncated, 0);
}
END_TEST

START_TEST(mb1_module_start_above_end)
{
    static const uint32_t mods[2][2] = { { MOD0_PA, MOD1_PA }, { MOD1_END, MOD1_PA } };
    mb1_standard();
    mb1_modules(mods, std_mod_names, 2);
    expect_fail(parse1(), "module 1 has mod_start above mod_end");
}
END_TEST

START_TEST(mb1_modules_overlap)
{
    static const uint32_t mods[2][2] = { { MOD0_PA, MOD1_PA + 1 }, { MOD1_PA, MOD1_END } };
    mb1_standard();
    mb1_modules(mods, std_mod_names, 2);
    expect_fail(parse1(), "module 1 overlaps");
}
END_TEST

START_TEST(mb1_empty_modules_accepted)
{
    static const uint32_t mods[2][2] = { { MOD0_PA, MOD0_PA }, { MOD0_PA, MOD0_PA } };
    mb1_standard();
    mb1_modules(mods, std_mod_names, 2);
    ck_assert_int_eq(parse1(), 0);
    ck_assert_uint_eq(info.nr_modules, 2);
}
END_TEST

START_TEST(mb1_module_list_inaccessible)
{
    mb1_standard();
    mb1_set(24, RAM_BASE + RAM_SIZE - 16);
    mb1_commit();
    expect_fail(parse1(), "module list");
}
END_TEST

START_TEST(mb1_module_contents_inaccessible)
{
    static const uint32_t mods[1][2] = { { RAM_BASE + RAM_SIZE - 0x100, RAM_BASE + RAM_SIZE + 1 } };
    mb1_standard();
    mb1_modules(mods, std_mod_names, 1);
    mb1_set(20, 1);
    mb1_commit();
    expect_fail(parse1(), "module 0 is not accessible");
}
END_TEST

START_TEST(mb1_module_string_inaccessible)
{
    uint8_t e[16];
    mb1_standard();
    put32(e, MOD0_PA);
    put32(e + 4, MOD1_PA);
    put32(e + 8, 0x10); /* below the fake RAM */
    put32(e + 12, 0);
    ram_put(MB1_MODS_PA, e, 16);
    expect_fail(parse1(), "string of module 0");
}
END_TEST

START_TEST(mb1_too_many_modules_truncated)
{
    static uint32_t mods[MB_MAX_MODULES][2];
    static const char *names[MB_MAX_MODULES];
    for (unsigned i = 0; i < MB_MAX_MODULES; i++) {
        mods[i][0] = MOD0_PA + i * 0x100;
        mods[i][1] = MOD0_PA + i * 0x100 + 0x100;
        names[i] = "mod";
    }
    mb1_standard();
    mb1_modules((const uint32_t(*)[2])mods, names, MB_MAX_MODULES);
    /* Only 16 entries exist in memory; a count of 0xFFFFFFFF must not read more. */
    mb1_set(20, 0xFFFFFFFFu);
    mb1_commit();
    ck_assert_int_eq(parse1(), 0);
    ck_assert_uint_eq(info.nr_modules, MB_MAX_MODULES);
    ck_assert_uint_eq(info.truncated, 0xFFFFFFFFu - MB_MAX_MODULES);
}
END_TEST

START_TEST(mb1_too_many_regions_truncated)
{
    static struct ent map[MB_MAX_REGIONS + 5];
    static uint32_t sizes[MB_MAX_REGIONS + 5];
    for (unsigned i = 0; i < ARRAY_SIZE(map); i++) {
        map[i] = (struct ent){ (uint64_t)i << 16, 1u << 16, 1 };
        sizes[i] = 20;
    }
    mb1_standard();
    mb1_set(44, mb1_mmap(map, sizes, ARRAY_SIZE(map)));
    mb1_commit();
    ck_assert_int_eq(parse1(), 0);
    ck_assert_uint_eq(info.nr_regions, MB_MAX_REGIONS);
    ck_assert_uint_eq(info.truncated, 5);
}
END_TEST

Suite *multiboot_suite(void);

Suite *multiboot_suite(void)
{
    Suite *s = suite_create("multiboot");
    TCase *t2 = tcase_create("mb2");
    TCase *t1 = tcase_create("mb1");

    tcase_add_checked_fixture(t2, ram_setup, ram_teardown);
    tcase_add_checked_fixture(t1, ram_setup, ram_teardown);

    tcase_add_test(t2, mb2_well_formed);
    tcase_add_test(t2, mb2_err_may_be_null);
    tcase_add_test(t2, mb2_larger_entry_size_is_stepped_over);
    tcase_add_test(t2, mb2_zero_length_region_dropped);
    tcase_add_test(t2, mb2_region_ending_at_top_accepted);
    tcase_add_test(t2, mb2_basic_meminfo_fallback);
    tcase_add_test(t2, mb2_no_memory_information);
    tcase_add_test(t2, mb2_empty_module_accepted);
    tcase_add_test(t2, mb2_too_many_regions_truncated);
    tcase_add_test(t2, mb2_too_many_modules_truncated);
    tcase_add_test(t2, mb2_long_strings_cut_and_counted);
    tcase_add_test(t2, mb2_later_cmdline_replaces_earlier);
    tcase_add_test(t2, mb2_total_size_below_16);
    tcase_add_test(t2, mb2_total_size_zero);
    tcase_add_test(t2, mb2_total_size_unaligned);
    tcase_add_test(t2, mb2_total_size_huge);
    tcase_add_test(t2, mb2_total_size_past_accessible_memory);
    tcase_add_test(t2, mb2_info_unaligned);
    tcase_add_test(t2, mb2_info_inaccessible);
    tcase_add_test(t2, mb2_tag_shorter_than_8);
    tcase_add_test(t2, mb2_tag_size_zero);
    tcase_add_test(t2, mb2_tag_past_end);
    tcase_add_test(t2, mb2_missing_end_tag);
    tcase_add_test(t2, mb2_end_tag_bad_size);
    tcase_add_test(t2, mb2_end_tag_not_last);
    tcase_add_test(t2, mb2_mmap_entry_size_below_24);
    tcase_add_test(t2, mb2_mmap_entry_size_zero);
    tcase_add_test(t2, mb2_mmap_entry_size_not_multiple_of_8);
    tcase_add_test(t2, mb2_mmap_partial_entry);
    tcase_add_test(t2, mb2_mmap_tag_shorter_than_16);
    tcase_add_test(t2, mb2_mmap_entry_wraps);
    tcase_add_test(t2, mb2_module_start_above_end);
    tcase_add_test(t2, mb2_modules_overlap);
    tcase_add_test(t2, mb2_modules_identical_overlap);
    tcase_add_test(t2, mb2_module_inaccessible);
    tcase_add_test(t2, mb2_module_tag_shorter_than_16);
    tcase_add_test(t2, mb2_module_string_without_nul);
    tcase_add_test(t2, mb2_module_without_string_bytes);
    tcase_add_test(t2, mb2_cmdline_without_nul);
    tcase_add_test(t2, mb2_empty_cmdline_tag_without_nul);
    tcase_add_test(t2, mb2_loader_name_without_nul);
    tcase_add_test(t2, mb2_basic_mem_tag_short);
    tcase_add_test(t2, mb2_bruteforce_corruption);
    tcase_set_timeout(t2, 60);

    tcase_add_test(t1, mb1_well_formed);
    tcase_add_test(t1, mb1_flags_select_fields);
    tcase_add_test(t1, mb1_mem_fallback);
    tcase_add_test(t1, mb1_empty_mmap_falls_back);
    tcase_add_test(t1, mb1_no_memory_information);
    tcase_add_test(t1, mb1_zero_mem_fields);
    tcase_add_test(t1, mb1_info_inaccessible);
    tcase_add_test(t1, mb1_syms_bits_exclusive);
    tcase_add_test(t1, mb1_mmap_entry_size_below_20);
    tcase_add_test(t1, mb1_mmap_entry_past_length);
    tcase_add_test(t1, mb1_mmap_trailing_bytes);
    tcase_add_test(t1, mb1_mmap_inaccessible);
    tcase_add_test(t1, mb1_mmap_entry_wraps);
    tcase_add_test(t1, mb1_cmdline_runs_into_inaccessible_memory);
    tcase_add_test(t1, mb1_cmdline_near_end_of_ram_ok);
    tcase_add_test(t1, mb1_cmdline_pointer_outside_ram);
    tcase_add_test(t1, mb1_long_cmdline_cut);
    tcase_add_test(t1, mb1_cmdline_of_exact_max_fits);
    tcase_add_test(t1, mb1_module_start_above_end);
    tcase_add_test(t1, mb1_modules_overlap);
    tcase_add_test(t1, mb1_empty_modules_accepted);
    tcase_add_test(t1, mb1_module_list_inaccessible);
    tcase_add_test(t1, mb1_module_contents_inaccessible);
    tcase_add_test(t1, mb1_module_string_inaccessible);
    tcase_add_test(t1, mb1_too_many_modules_truncated);
    tcase_add_test(t1, mb1_too_many_regions_truncated);

    suite_add_tcase(s, t2);
    suite_add_tcase(s, t1);
    return s;
}
