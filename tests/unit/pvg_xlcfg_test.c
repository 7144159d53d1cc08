/*
 * xlcfg (pv-guest/core): the xl.cfg subset dom0 reads. Well-formed configs
 * with every key, defaults, comments, quotes, escapes, lists and unknown
 * keys; every malformed config is refused with the right line and a
 * message, leaving the result zeroed; random bytes never crash the parser.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "guest/xlcfg.h"

static struct xlcfg cfg;
static struct xlcfg_error err;

static int parse(const char *text)
{
    return xlcfg_parse(text, strlen(text), &cfg, &err);
}

START_TEST(pvg_xlcfg_full_config)
{
    const char *text =
        "# a demo domain\n"
        "name = \"hello1\"\n"
        "kernel = \"/boot/domU.elf\"   # the pv-guest kernel\n"
        "ramdisk='/boot/rd.tar';\n"
        "memory = 16\n"
        "vcpus=1\n"
        "\n"
        "   extra = \"hello count=3 msg=\\\"hi\\\"\"\n"
        "on_crash = \"preserve\"\n"
        "on_poweroff = 'destroy'\n"
        "on_reboot = \"coredump-restart\"\n"
        "disk = [ 'phy:/dev/x,xvda,w', \"y\", ]\n"
        "vif = []\n"
        "builder = \"generic\"\r\n";
    ck_assert_int_eq(parse(text), 0);
    ck_assert_str_eq(cfg.name, "hello1");
    ck_assert_str_eq(cfg.kernel, "/boot/domU.elf");
    ck_assert_str_eq(cfg.ramdisk, "/boot/rd.tar");
    ck_assert_uint_eq(cfg.memory_mib, 16);
    ck_assert_uint_eq(cfg.vcpus, 1);
    ck_assert_str_eq(cfg.extra, "hello count=3 msg=\"hi\"");
    ck_assert_int_eq(cfg.on_crash, XLCFG_PRESERVE);
    ck_assert_int_eq(cfg.on_poweroff, XLCFG_DESTROY);
    ck_assert_int_eq(cfg.on_reboot, XLCFG_COREDUMP_RESTART);
    ck_assert_uint_eq(cfg.ignored, 3);
    ck_assert_uint_eq(err.line, 0);
    ck_assert_str_eq(xlcfg_action_name(cfg.on_crash), "preserve");
}
END_TEST

START_TEST(pvg_xlcfg_defaults)
{
    ck_assert_int_eq(parse("name=\"a\"\nkernel=\"/k\""), 0);      /* no final newline */
    ck_assert_uint_eq(cfg.memory_mib, XLCFG_DEFAULT_MEMORY_MIB);
    ck_assert_uint_eq(cfg.vcpus, 1);
    ck_assert_str_eq(cfg.extra, "");
    ck_assert_str_eq(cfg.ramdisk, "");
    ck_assert_int_eq(cfg.on_poweroff, XLCFG_DESTROY);
    ck_assert_int_eq(cfg.on_reboot, XLCFG_RESTART);
    ck_assert_int_eq(cfg.on_crash, XLCFG_DESTROY);
    ck_assert_uint_eq(cfg.weight, 256);
    ck_assert_uint_eq(cfg.cap, 0);
    ck_assert_int_eq(parse("name=\"a\"\nkernel=\"/k\"\ncpu_weight = 512\ncap = 25\n"), 0);
    ck_assert_uint_eq(cfg.weight, 512);
    ck_assert_uint_eq(cfg.cap, 25);
    ck_assert_int_eq(parse("cmdline = \"x y\"\nname='n-1.b_c'\nkernel='/k'\n"), 0);
    ck_assert_str_eq(cfg.extra, "x y");
    ck_assert_str_eq(cfg.name, "n-1.b_c");
    ck_assert_str_eq(xlcfg_action_name((enum xlcfg_action)99), "?");
}
END_TEST

struct bad {
    const char *text;
    unsigned line;
    const char *msg;
};

static const struct bad bad_configs[] = {
    { "name = \"a\"\nkernel = \"/k\"\nmemory = \"16\"\n", 3, "expected a number" },
    { "name = \"a\"\nkernel = \"/k\"\nmemory = 0\n", 3, "memory out of range" },
    { "name = \"a\"\nkernel = \"/k\"\nmemory = 1048577\n", 3, "memory out of range" },
    { "name = \"a\"\nkernel = \"/k\"\nmemory = 99999999999999999999999\n", 3, "number too large" },
    { "name = \"a\"\nkernel = \"/k\"\nmemory = 16M\n", 3, "not a number" },
    { "name = \"a\"\nkernel = \"/k\"\nvcpus = 33\n", 3, "vcpus out of range" },
    { "name = \"a\"\nkernel = \"/k\"\ncpu_weight = 0\n", 3, "cpu_weight out of range (1-65535)" },
    { "name = \"a\"\nkernel = \"/k\"\ncpu_weight = 65536\n", 3, "cpu_weight out of range (1-65535)" },
    { "name = \"a\"\nkernel = \"/k\"\ncap = 101\n", 3, "cap out of range (0-100)" },
    { "name = \"a\"\nkernel = \"/k\"\ncap = \"x\"\n", 3, "expected a number" },
    { "name = \"a\"\nkernel = \"/k\"\nvcpus = -1\n", 3, "expected a string, a number or a list" },
    { "name = \"a\nkernel = \"/k\"\n", 1, "unterminated string" },
    { "name = \"a\"\nkernel = \"/k", 2, "unterminated string" },
    { "name = \"a\\q\"\nkernel = \"/k\"\n", 1, "unknown escape in a string" },
    { "name = \"a\"\n\nkernel = \"k\"\n", 3, "path is not absolute" },
    { "name = \"a\"\nkernel = \"/k\"\nramdisk = \"rd\"\n", 3, "path is not absolute" },
    { "name = \"a b\"\nkernel = \"/k\"\n", 1, "name has a character outside [A-Za-z0-9_.-]" },
    { "name = \"\"\nkernel = \"/k\"\n", 1, "name is empty" },
    { "name = \"a\"\nkernel = \"/k\"\nname = \"b\"\n", 3, "key given twice" },
    { "name = \"a\"\nkernel = \"/k\"\nextra = \"x\"\ncmdline = \"y\"\n", 4, "key given twice" },
    { "name \"a\"\n", 1, "expected '=' after the key" },
    { "= \"a\"\n", 1, "expected a key" },
    { "name = \"a\" \"b\"\n", 1, "junk after the value" },
    { "name = \"a\";;\n", 1, "junk after the value" },
    { "name = 12\nkernel = \"/k\"\n", 1, "expected a string" },
    { "name = [\"a\"]\n", 1, "expected a string" },
    { "name = \"a\"\nkernel = \"/k\"\non_crash = \"explode\"\n", 3, "unknown action" },
    { "name = \"a\"\nkernel = \"/k\"\non_crash = 3\n", 3, "expected a string" },
    { "name = \"a\"\nkernel = \"/k\"\ndisk = [ 'a' 'b' ]\n", 3, "expected ',' or ']' in a list" },
    { "name = \"a\"\nkernel = \"/k\"\ndisk = [ 'a',\n 'b' ]\n", 3,
      "expected a string, a number or a list" },
    { "name = \"a\"\nkernel = \"/k\"\nvif = [\n", 3, "expected a string, a number or a list" },
    { "kernel = \"/k\"\n", 0, "no name" },
    { "name = \"a\"\n# kernel = \"/k\"\n", 0, "no kernel" },
    { "", 0, "no name" },
};

START_TEST(pvg_xlcfg_malformed)
{
    const struct bad *b = &bad_configs[_i];

    ck_assert_int_eq(parse(b->text), -XLCFG_EINVAL);
    ck_assert_msg(err.line == b->line, "config %d: line %u, expected %u", _i, err.line, b->line);
    ck_assert_ptr_nonnull(err.msg);
    ck_assert_str_eq(err.msg, b->msg);
    /* Nothing half-parsed survives. */
    ck_assert_str_eq(cfg.name, "");
    ck_assert_str_eq(cfg.kernel, "");
    ck_assert_uint_eq(cfg.memory_mib, 0);
}
END_TEST

START_TEST(pvg_xlcfg_embedded_nul_and_length)
{
    static const char nul_in_string[] = "name = \"a\0b\"\nkernel = \"/k\"\n";
    static const char nul_in_comment[] = "name = \"a\"\nkernel = \"/k\" # x\0y\n";
    static const char nul_line[] = "name = \"a\"\nkernel = \"/k\"\n\0\n";

    ck_assert_int_eq(xlcfg_parse(nul_in_string, sizeof(nul_in_string) - 1, &cfg, &err),
                     -XLCFG_EINVAL);
    ck_assert_uint_eq(err.line, 1);
    ck_assert_str_eq(err.msg, "NUL byte in a string");
    ck_assert_int_eq(xlcfg_parse(nul_in_comment, sizeof(nul_in_comment) - 1, &cfg, &err),
                     -XLCFG_EINVAL);
    ck_assert_uint_eq(err.line, 2);
    ck_assert_int_eq(xlcfg_parse(nul_line, sizeof(nul_line) - 1, &cfg, &err), -XLCFG_EINVAL);
    ck_assert_uint_eq(err.line, 3);
    ck_assert_str_eq(err.msg, "NUL byte");

    /* The length bounds the parse: the text after it is never looked at. */
    const char *text = "name = \"a\"\nkernel = \"/k\"\nmemory = oops\n";
    ck_assert_int_eq(xlcfg_parse(text, 25, &cfg, &err), 0);
    ck_assert_int_eq(xlcfg_parse(text, 23, &cfg, &err), -XLCFG_EINVAL);
    ck_assert_str_eq(err.msg, "unterminated string");

    /* Strings at and over their field sizes. */
    char big[3000];
    int n = snprintf(big, sizeof(big), "name = \"%063d\"\nkernel = \"/k\"\n", 0);
    ck_assert_int_eq(xlcfg_parse(big, (size_t)n, &cfg, &err), 0);
    n = snprintf(big, sizeof(big), "name = \"%064d\"\nkernel = \"/k\"\n", 0);
    ck_assert_int_eq(xlcfg_parse(big, (size_t)n, &cfg, &err), -XLCFG_EINVAL);
    ck_assert_str_eq(err.msg, "string too long");
    n = snprintf(big, sizeof(big), "name = \"a\"\nkernel = \"/k\"\nextra = \"%01024d\"\n", 0);
    ck_assert_int_eq(xlcfg_parse(big, (size_t)n, &cfg, &err), -XLCFG_EINVAL);
    ck_assert_uint_eq(err.line, 3);
    n = snprintf(big, sizeof(big), "name = \"a\"\nkernel = \"/k\"\nextra = \"%01023d\"\n", 0);
    ck_assert_int_eq(xlcfg_parse(big, (size_t)n, &cfg, &err), 0);
    ck_assert_uint_eq(strlen(cfg.extra), 1023);
}
END_TEST

START_TEST(pvg_xlcfg_random_bytes)
{
    static const char alphabet[] = "namekrl=\"'[],;#\\\n 0123456789/_-.\0\t\r";
    srand(99);
    for (int round = 0; round < 5000; round++) {
        size_t len = (size_t)rand() % 200;
        char *buf = malloc(len ? len : 1);
        for (size_t i = 0; i < len; i++)
            buf[i] = alphabet[(size_t)rand() % (sizeof(alphabet) - 1)];
        int rc = xlcfg_parse(buf, len, &cfg, &err);
        if (rc == 0) {
            ck_assert(cfg.name[0] != '\0' && cfg.kernel[0] == '/');
        } else {
            ck_assert_int_eq(rc, -XLCFG_EINVAL);
            ck_assert_ptr_nonnull(err.msg);
            ck_assert_uint_le(err.line, len + 1);
        }
        free(buf);
    }
}
END_TEST

Suite *pvg_xlcfg_suite(void);
Suite *pvg_xlcfg_suite(void)
{
    Suite *s = suite_create("pvg_xlcfg");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, pvg_xlcfg_full_config);
    tcase_add_test(tc, pvg_xlcfg_defaults);
    tcase_add_loop_test(tc, pvg_xlcfg_malformed, 0, (int)ARRAY_SIZE(bad_configs));
    tcase_add_test(tc, pvg_xlcfg_embedded_nul_and_length);
    tcase_add_test(tc, pvg_xlcfg_random_bytes);
    suite_add_tcase(s, tc);
    return s;
}
