/*
 * ustar (pv-guest/core): walking and finding members of archives built
 * here block by block, the GNU and POSIX magics, and refusal of every kind
 * of hostile header (checksum, magic, size, torn blocks, data past the end,
 * "..", empty names, base-256 sizes); random corruption never reads
 * outside the buffer (ASan would stop the run).
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "guest/ustar.h"

#define MAXBLOCKS 64

struct tar {
    uint8_t buf[MAXBLOCKS * USTAR_BLOCK];
    size_t len;
};

static void put_octal(uint8_t *f, size_t len, uint64_t v)
{
    char tmp[32];
    snprintf(tmp, sizeof(tmp), "%0*llo", (int)len - 1, (unsigned long long)v);
    memcpy(f, tmp, len - 1);
    f[len - 1] = '\0';
}

static void seal(uint8_t *h)
{
    unsigned sum = 0;
    memset(h + 148, ' ', 8);
    for (unsigned i = 0; i < USTAR_BLOCK; i++)
        sum += h[i];
    char tmp[8];
    snprintf(tmp, sizeof(tmp), "%06o", sum);
    memcpy(h + 148, tmp, 6);
    h[154] = '\0';
    h[155] = ' ';
}

/* Append a member; returns its header for further tampering. */
static uint8_t *add(struct tar *t, const char *prefix, const char *name, char type,
                    const void *data, size_t size)
{
    uint8_t *h = t->buf + t->len;
    ck_assert_uint_le(t->len + USTAR_BLOCK + ALIGN_UP(size, USTAR_BLOCK), sizeof(t->buf));
    memset(h, 0, USTAR_BLOCK);
    memcpy(h, name, strnlen(name, 100));
    if (prefix)
        memcpy(h + 345, prefix, strnlen(prefix, 155));
    put_octal(h + 100, 8, 0644);
    put_octal(h + 108, 8, 0);
    put_octal(h + 116, 8, 0);
    put_octal(h + 124, 12, size);
    put_octal(h + 136, 12, 0);
    h[156] = (uint8_t)type;
    memcpy(h + 257, "ustar\0" "00", 8);
    seal(h);
    t->len += USTAR_BLOCK;
    if (size) {
        memcpy(t->buf + t->len, data, size);
        memset(t->buf + t->len + size, 0, ALIGN_UP(size, USTAR_BLOCK) - size);
        t->len += ALIGN_UP(size, USTAR_BLOCK);
    }
    return h;
}

static void finish(struct tar *t)
{
    memset(t->buf + t->len, 0, 2 * USTAR_BLOCK);
    t->len += 2 * USTAR_BLOCK;
}

static struct tar t;

static void sample(void)
{
    memset(&t, 0, sizeof(t));
    add(&t, NULL, "boot/", '5', NULL, 0);
    add(&t, NULL, "boot/domU.elf", '0', "ELFDATA", 7);
    add(&t, NULL, "./etc/xen/auto/hello1.cfg", '0', "name = \"a\"\n", 11);
    add(&t, NULL, "etc/xen/hello.cfg", '\0', "x", 1);
    finish(&t);
}

START_TEST(pvg_ustar_walks_members)
{
    struct ustar_iter it;
    struct ustar_entry e;

    sample();
    ustar_iter_init(&it, t.buf, t.len);
    ck_assert_int_eq(ustar_next(&it, &e), 1);
    ck_assert_str_eq(e.path, "boot");
    ck_assert_int_eq(e.type, USTAR_DIR);
    ck_assert_int_eq(ustar_next(&it, &e), 1);
    ck_assert_str_eq(e.path, "boot/domU.elf");
    ck_assert_int_eq(e.type, USTAR_FILE);
    ck_assert_uint_eq(e.size, 7);
    ck_assert(memcmp(e.data, "ELFDATA", 7) == 0);
    ck_assert_ptr_eq(e.data, t.buf + 2 * USTAR_BLOCK);
    ck_assert_int_eq(ustar_next(&it, &e), 1);
    ck_assert_str_eq(e.path, "etc/xen/auto/hello1.cfg");
    ck_assert_int_eq(ustar_next(&it, &e), 1);
    ck_assert_str_eq(e.path, "etc/xen/hello.cfg");
    ck_assert_int_eq(ustar_next(&it, &e), 0);
    ck_assert_int_eq(ustar_next(&it, &e), 0);     /* stays ended */
    ck_assert_int_eq(ustar_check(t.buf, t.len), 0);
}
END_TEST

START_TEST(pvg_ustar_find_normalises)
{
    struct ustar_entry e;

    sample();
    ck_assert_int_eq(ustar_find(t.buf, t.len, "/boot/domU.elf", &e), 0);
    ck_assert_uint_eq(e.size, 7);
    ck_assert_int_eq(ustar_find(t.buf, t.len, "boot/domU.elf", &e), 0);
    ck_assert_int_eq(ustar_find(t.buf, t.len, "./boot/domU.elf", &e), 0);
    ck_assert_int_eq(ustar_find(t.buf, t.len, "//etc/xen/auto/hello1.cfg", &e), 0);
    ck_assert_int_eq(ustar_find(t.buf, t.len, "/boot/nothere", &e), -USTAR_ENOENT);
    /* A directory is not a file. */
    ck_assert_int_eq(ustar_find(t.buf, t.len, "/boot", &e), -USTAR_ENOENT);
    ck_assert_int_eq(ustar_find(t.buf, t.len, "/boot/../etc/xen/hello.cfg", &e), -USTAR_EINVAL);
    ck_assert_int_eq(ustar_find(t.buf, t.len, "/", &e), -USTAR_EINVAL);
    ck_assert_int_eq(ustar_find(t.buf, t.len, "a//b", &e), -USTAR_EINVAL);
}
END_TEST

START_TEST(pvg_ustar_later_member_wins)
{
    struct ustar_entry e;

    memset(&t, 0, sizeof(t));
    add(&t, NULL, "f", '0', "old", 3);
    add(&t, NULL, "f", '0', "newer", 5);
    finish(&t);
    ck_assert_int_eq(ustar_find(t.buf, t.len, "f", &e), 0);
    ck_assert_uint_eq(e.size, 5);
}
END_TEST

START_TEST(pvg_ustar_in_dir)
{
    struct ustar_entry e = { .type = USTAR_FILE };

    strcpy(e.path, "etc/xen/auto/a.cfg");
    ck_assert(ustar_in_dir(&e, "etc/xen/auto", ".cfg"));
    ck_assert(!ustar_in_dir(&e, "etc/xen", ".cfg"));        /* not directly inside */
    ck_assert(!ustar_in_dir(&e, "etc/xen/aut", ".cfg"));
    strcpy(e.path, "etc/xen/auto/.cfg");
    ck_assert(!ustar_in_dir(&e, "etc/xen/auto", ".cfg"));   /* nothing before the suffix */
    strcpy(e.path, "etc/xen/auto/a.cfg.bak");
    ck_assert(!ustar_in_dir(&e, "etc/xen/auto", ".cfg"));
    strcpy(e.path, "etc/xen/auto/b.cfg");
    e.type = USTAR_DIR;
    ck_assert(!ustar_in_dir(&e, "etc/xen/auto", ".cfg"));
}
END_TEST

START_TEST(pvg_ustar_gnu_magic_prefix_and_full_name)
{
    struct ustar_entry e;
    char name[101];

    memset(&t, 0, sizeof(t));
    uint8_t *h = add(&t, NULL, "gnu", '0', "g", 1);
    memcpy(h + 257, "ustar  \0", 8);
    seal(h);
    add(&t, "some/long/prefix", "file", '0', "p", 1);
    memset(name, 'n', 100);
    name[100] = '\0';
    add(&t, NULL, name, '0', "q", 1);              /* 100 bytes, no NUL in the field */
    /* no end marker: the archive simply stops */
    ck_assert_int_eq(ustar_find(t.buf, t.len, "gnu", &e), 0);
    ck_assert_int_eq(ustar_find(t.buf, t.len, "some/long/prefix/file", &e), 0);
    ck_assert_int_eq(ustar_find(t.buf, t.len, name, &e), 0);
    ck_assert_uint_eq(strlen(e.path), 100);
}
END_TEST

START_TEST(pvg_ustar_skips_links)
{
    struct ustar_iter it;
    struct ustar_entry e;

    memset(&t, 0, sizeof(t));
    add(&t, NULL, "link", '2', NULL, 0);
    add(&t, NULL, "pax", 'x', "12 path=x\n", 10);
    add(&t, NULL, "real", '0', "r", 1);
    finish(&t);
    ustar_iter_init(&it, t.buf, t.len);
    ck_assert_int_eq(ustar_next(&it, &e), 1);
    ck_assert_str_eq(e.path, "real");
    ck_assert_int_eq(ustar_next(&it, &e), 0);
}
END_TEST

/* Each hostile change to the second member's header fails the walk. */
static void expect_refused(void (*spoil)(uint8_t *h), bool reseal)
{
    struct ustar_iter it;
    struct ustar_entry e;

    memset(&t, 0, sizeof(t));
    add(&t, NULL, "first", '0', "1", 1);
    uint8_t *h = add(&t, NULL, "second", '0', "22", 2);
    add(&t, NULL, "third", '0', "3", 1);
    finish(&t);
    spoil(h);
    if (reseal)
        seal(h);
    ustar_iter_init(&it, t.buf, t.len);
    ck_assert_int_eq(ustar_next(&it, &e), 1);
    ck_assert_int_eq(ustar_next(&it, &e), -USTAR_EINVAL);
    ck_assert_int_eq(ustar_next(&it, &e), 0);       /* nothing after a bad header */
    ck_assert_int_eq(ustar_check(t.buf, t.len), -USTAR_EINVAL);
    ck_assert_int_eq(ustar_find(t.buf, t.len, "first", &e), -USTAR_EINVAL);
}

static void spoil_checksum(uint8_t *h) { h[0] ^= 1; }
static void spoil_magic(uint8_t *h) { memcpy(h + 257, "ustaR", 5); }
static void spoil_size_digit(uint8_t *h) { h[124 + 3] = '8'; }
static void spoil_size_empty(uint8_t *h) { memset(h + 124, 0, 12); }
static void spoil_size_base256(uint8_t *h) { memset(h + 124, 0, 12); h[124] = 0x80; h[135] = 2; }
static void spoil_size_huge(uint8_t *h) { memcpy(h + 124, "77777777777", 11); }
static void spoil_size_past_end(uint8_t *h) { put_octal(h + 124, 12, 5 * USTAR_BLOCK + 1); }
static void spoil_dotdot(uint8_t *h) { memcpy(h, "../evil\0", 8); }
static void spoil_mid_dotdot(uint8_t *h) { memcpy(h, "a/../../b\0", 10); }
static void spoil_dot(uint8_t *h) { memcpy(h, "a/./b\0", 6); }
static void spoil_empty_name(uint8_t *h) { memset(h, 0, 100); }
static void spoil_root_file(uint8_t *h) { memcpy(h, "./\0", 3); }
static void spoil_chksum_text(uint8_t *h) { memcpy(h + 148, "zz", 2); }
static void spoil_trailing_junk(uint8_t *h) { h[124 + 11] = 'x'; }

START_TEST(pvg_ustar_hostile_headers)
{
    expect_refused(spoil_checksum, false);
    expect_refused(spoil_chksum_text, false);
    expect_refused(spoil_magic, true);
    expect_refused(spoil_size_digit, true);
    expect_refused(spoil_size_empty, true);
    expect_refused(spoil_size_base256, true);
    expect_refused(spoil_size_huge, true);
    expect_refused(spoil_size_past_end, true);
    expect_refused(spoil_dotdot, true);
    expect_refused(spoil_mid_dotdot, true);
    expect_refused(spoil_dot, true);
    expect_refused(spoil_empty_name, true);
    expect_refused(spoil_root_file, true);
    expect_refused(spoil_trailing_junk, true);
}
END_TEST

START_TEST(pvg_ustar_torn_archives)
{
    struct ustar_entry e;

    sample();
    /* Cut inside a header, inside data, or before the data ends. */
    ck_assert_int_eq(ustar_check(t.buf, 100), -USTAR_EINVAL);
    ck_assert_int_eq(ustar_check(t.buf, USTAR_BLOCK + 100), -USTAR_EINVAL);
    ck_assert_int_eq(ustar_check(t.buf, 2 * USTAR_BLOCK), -USTAR_EINVAL);
    ck_assert_int_eq(ustar_find(t.buf, 2 * USTAR_BLOCK + 3, "boot/domU.elf", &e), -USTAR_EINVAL);
    /* Cut on a block boundary after whole members: what is there is fine. */
    ck_assert_int_eq(ustar_check(t.buf, 3 * USTAR_BLOCK), 0);
    ck_assert_int_eq(ustar_find(t.buf, 3 * USTAR_BLOCK, "boot/domU.elf", &e), 0);
    ck_assert_int_eq(ustar_check(t.buf, 0), 0);
    /* Not an archive at all. */
    static const char text[600] = "Xenia demo module: loaded by GRUB as module2\n";
    ck_assert_int_eq(ustar_check(text, sizeof(text)), -USTAR_EINVAL);
    ck_assert_int_eq(ustar_check(text, 62), -USTAR_EINVAL);
}
END_TEST

START_TEST(pvg_ustar_normalise_rules)
{
    char out[USTAR_PATH_MAX];
    char longp[400];

    ck_assert_int_eq(ustar_normalise("/a/b/", 5, out), 0);
    ck_assert_str_eq(out, "a/b");
    ck_assert_int_eq(ustar_normalise("././a", 5, out), 0);
    ck_assert_str_eq(out, "a");
    ck_assert_int_eq(ustar_normalise(".", 1, out), 0);
    ck_assert_str_eq(out, "");
    ck_assert_int_eq(ustar_normalise("a..", 3, out), 0);         /* only ".." itself */
    ck_assert_str_eq(out, "a..");
    ck_assert_int_eq(ustar_normalise("a/..", 4, out), -USTAR_EINVAL);
    ck_assert_int_eq(ustar_normalise("a\0b", 3, out), -USTAR_EINVAL);
    memset(longp, 'x', sizeof(longp));
    ck_assert_int_eq(ustar_normalise(longp, USTAR_PATH_MAX - 1, out), 0);
    ck_assert_int_eq(ustar_normalise(longp, USTAR_PATH_MAX, out), -USTAR_EINVAL);
    ck_assert_int_eq(ustar_normalise(longp, sizeof(longp), out), -USTAR_EINVAL);
}
END_TEST

static bool no_dot_components(const char *p)
{
    char copy[USTAR_PATH_MAX];
    strcpy(copy, p);
    for (char *c = strtok(copy, "/"); c != NULL; c = strtok(NULL, "/"))
        if (strcmp(c, ".") == 0 || strcmp(c, "..") == 0)
            return false;
    return p[0] != '/';
}

/* Random byte flips: every outcome is a result or an error, never a read
 * outside the archive; a copy sized exactly to the data lets ASan see it. */
START_TEST(pvg_ustar_random_corruption)
{
    srand(1234);
    sample();
    for (int round = 0; round < 3000; round++) {
        uint8_t *copy = malloc(t.len);
        memcpy(copy, t.buf, t.len);
        for (int k = 0; k < 1 + round % 4; k++) {
            size_t at = (size_t)rand() % t.len;
            copy[at] = (uint8_t)rand();
            if (round % 3 == 0 && at / USTAR_BLOCK * USTAR_BLOCK + USTAR_BLOCK <= t.len)
                seal(copy + at / USTAR_BLOCK * USTAR_BLOCK);
        }
        size_t len = round % 5 == 0 ? (size_t)rand() % t.len : t.len;
        struct ustar_iter it;
        struct ustar_entry e;
        int rc, n = 0;
        ustar_iter_init(&it, copy, len);
        while ((rc = ustar_next(&it, &e)) > 0) {
            ck_assert(e.data >= copy && e.data + e.size <= copy + len);
            ck_assert_uint_lt(strlen(e.path), USTAR_PATH_MAX);
            ck_assert(no_dot_components(e.path));
            n++;
        }
        ck_assert_int_le(n, (int)(len / USTAR_BLOCK));
        free(copy);
    }
}
END_TEST

Suite *pvg_ustar_suite(void);
Suite *pvg_ustar_suite(void)
{
    Suite *s = suite_create("pvg_ustar");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, pvg_ustar_walks_members);
    tcase_add_test(tc, pvg_ustar_find_normalises);
    tcase_add_test(tc, pvg_ustar_later_member_wins);
    tcase_add_test(tc, pvg_ustar_in_dir);
    tcase_add_test(tc, pvg_ustar_gnu_magic_prefix_and_full_name);
    tcase_add_test(tc, pvg_ustar_skips_links);
    tcase_add_test(tc, pvg_ustar_hostile_headers);
    tcase_add_test(tc, pvg_ustar_torn_archives);
    tcase_add_test(tc, pvg_ustar_normalise_rules);
    tcase_add_test(tc, pvg_ustar_random_corruption);
    suite_add_tcase(s, tc);
    return s;
}
