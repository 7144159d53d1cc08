/*
 * Unit tests of the hypervisor command-line parser: the generic table
 * driver (every kind, boolean spellings, name equivalence, reporting of
 * unknown options and bad values) and the ready custom parsers (dom0_mem,
 * com1/com2, loglvl, console), plus the integer and size syntax.
 */
#include <check.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "core/env.h"
#include "core/cmdline.h"

/* ------------------------------------------------------------ report capture */

#define MAX_MSGS 16

struct msgs {
    unsigned n;
    char text[MAX_MSGS][256];
};

static struct msgs msgs;

static __printf(2, 3) void capture(void *ctx, const char *fmt, ...)
{
    struct msgs *m = ctx;
    va_list ap;

    ck_assert_uint_lt(m->n, MAX_MSGS);
    va_start(ap, fmt);
    vsnprintf(m->text[m->n++], sizeof(m->text[0]), fmt, ap);
    va_end(ap);
}

/* ------------------------------------------------------------ a parameter table */

static bool opt_flag;
static uint8_t opt_b8;
static uint16_t opt_b16;
static uint32_t opt_b32;
static uint64_t opt_b64;
static uint8_t opt_u8;
static uint16_t opt_u16;
static uint32_t opt_u32;
static uint64_t opt_u64;
static uint64_t opt_size;
static char opt_str[8];
static unsigned custom_calls;
static const char *custom_seen;
static int custom_var;

static int custom_probe(const char *val, void *var)
{
    custom_calls++;
    custom_seen = val;
    if (val && strcmp(val, "bad") == 0)
        return -1;
    *(int *)var = val ? (int)strlen(val) : -1;
    return 0;
}

static struct cmdline_dom0_mem dom0_mem;
static struct cmdline_com com1, com2;
static struct cmdline_loglvl loglvl, guest_loglvl;
static unsigned console_mask;

static const struct cmdline_param params[] = {
    { "flag", CMDLINE_BOOL, &opt_flag, sizeof(opt_flag), NULL },
    { "sync_console", CMDLINE_BOOL, &opt_b8, sizeof(opt_b8), NULL },
    { "b16", CMDLINE_BOOL, &opt_b16, sizeof(opt_b16), NULL },
    { "b32", CMDLINE_BOOL, &opt_b32, sizeof(opt_b32), NULL },
    { "b64", CMDLINE_BOOL, &opt_b64, sizeof(opt_b64), NULL },
    { "u8", CMDLINE_UINT, &opt_u8, sizeof(opt_u8), NULL },
    { "u16", CMDLINE_UINT, &opt_u16, sizeof(opt_u16), NULL },
    { "u32", CMDLINE_UINT, &opt_u32, sizeof(opt_u32), NULL },
    { "max-cpus", CMDLINE_UINT, &opt_u64, sizeof(opt_u64), NULL },
    { "conring_size", CMDLINE_SIZE, &opt_size, sizeof(opt_size), NULL },
    { "str", CMDLINE_STRING, opt_str, sizeof(opt_str), NULL },
    { "probe", CMDLINE_CUSTOM, &custom_var, sizeof(custom_var), custom_probe },
    { "dom0_mem", CMDLINE_CUSTOM, &dom0_mem, sizeof(dom0_mem), cmdline_parse_dom0_mem },
    { "com1", CMDLINE_CUSTOM, &com1, sizeof(com1), cmdline_parse_com1 },
    { "com2", CMDLINE_CUSTOM, &com2, sizeof(com2), cmdline_parse_com2 },
    { "loglvl", CMDLINE_CUSTOM, &loglvl, sizeof(loglvl), cmdline_parse_loglvl },
    { "guest_loglvl", CMDLINE_CUSTOM, &guest_loglvl, sizeof(guest_loglvl), cmdline_parse_loglvl },
    { "console", CMDLINE_CUSTOM, &console_mask, sizeof(console_mask), cmdline_parse_console },
};

static void reset(void)
{
    memset(&msgs, 0, sizeof(msgs));
    opt_flag = false;
    opt_b8 = 0;
    opt_b16 = 0;
    opt_b32 = 0;
    opt_b64 = 0;
    opt_u8 = 0;
    opt_u16 = 0;
    opt_u32 = 0;
    opt_u64 = 0;
    opt_size = 0;
    memset(opt_str, 'z', sizeof(opt_str));
    custom_calls = 0;
    custom_seen = NULL;
    custom_var = 0;
    memset(&dom0_mem, 0, sizeof(dom0_mem));
    cmdline_com_defaults(&com1, 1);
    cmdline_com_defaults(&com2, 2);
    loglvl = (struct cmdline_loglvl){ CMDLINE_LOG_WARNING, CMDLINE_LOG_WARNING };
    guest_loglvl = loglvl;
    console_mask = 0xdead;
}

static int parse(const char *line)
{
    return cmdline_parse(line, params, ARRAY_SIZE(params), capture, &msgs);
}

/* ------------------------------------------------------------ generic parser */

START_TEST(empty_and_blank_lines)
{
    ck_assert_int_eq(parse(""), 0);
    ck_assert_int_eq(parse("   \t  "), 0);
    ck_assert_int_eq(cmdline_parse(NULL, params, ARRAY_SIZE(params), capture, &msgs), 0);
    ck_assert_uint_eq(msgs.n, 0);
    ck_assert(!opt_flag);
    ck_assert_uint_eq(custom_calls, 0);
}
END_TEST

START_TEST(multiple_spaces_and_tabs)
{
    ck_assert_int_eq(parse("   flag   \t u8=7\n\r  u16=300   "), 0);
    ck_assert(opt_flag);
    ck_assert_uint_eq(opt_u8, 7);
    ck_assert_uint_eq(opt_u16, 300);
}
END_TEST

START_TEST(bool_bare_and_no_prefix)
{
    ck_assert_int_eq(parse("flag"), 0);
    ck_assert(opt_flag);
    ck_assert_int_eq(parse("no-flag"), 0);
    ck_assert(!opt_flag);
    ck_assert_int_eq(parse("flag no_flag"), 0); /* '_' and '-' are equivalent */
    ck_assert(!opt_flag);
    ck_assert_uint_eq(msgs.n, 0);
}
END_TEST

START_TEST(bool_spellings)
{
    static const char *const on[] = { "1", "yes", "true", "on", "enable" };
    static const char *const off[] = { "0", "no", "false", "off", "disable" };
    char line[64];

    for (size_t i = 0; i < ARRAY_SIZE(on); i++) {
        opt_flag = false;
        snprintf(line, sizeof(line), "flag=%s", on[i]);
        ck_assert_int_eq(parse(line), 0);
        ck_assert_msg(opt_flag, "%s", line);
        snprintf(line, sizeof(line), "flag=%s", off[i]);
        ck_assert_int_eq(parse(line), 0);
        ck_assert_msg(!opt_flag, "%s", line);
    }
    ck_assert_uint_eq(msgs.n, 0);
}
END_TEST

START_TEST(bool_bad_values_reported)
{
    opt_flag = true;
    ck_assert_int_eq(parse("flag=maybe flag=YES flag= no-flag=1"), 4);
    ck_assert(opt_flag); /* untouched by bad values */
    ck_assert_uint_eq(msgs.n, 4);
    ck_assert_str_eq(msgs.text[0], "bad value 'maybe' for option 'flag'");
    ck_assert_str_eq(msgs.text[1], "bad value 'YES' for option 'flag'");
    ck_assert_str_eq(msgs.text[2], "bad value '' for option 'flag'");
    ck_assert_str_eq(msgs.text[3], "bad value '1' for option 'no-flag'");
}
END_TEST

START_TEST(bool_var_sizes)
{
    opt_b16 = 0xffff;
    opt_b32 = 0xffffffff;
    ck_assert_int_eq(parse("sync-console b16=0 b32=off b64=1"), 0);
    ck_assert_uint_eq(opt_b8, 1);
    ck_assert_uint_eq(opt_b16, 0);
    ck_assert_uint_eq(opt_b32, 0);
    ck_assert_uint_eq(opt_b64, 1);
    ck_assert_int_eq(parse("no-b64 b16"), 0);
    ck_assert_uint_eq(opt_b64, 0);
    ck_assert_uint_eq(opt_b16, 1);
}
END_TEST

START_TEST(name_dash_underscore_equivalent)
{
    ck_assert_int_eq(parse("sync-console max_cpus=4 conring-size=16K"), 0);
    ck_assert_uint_eq(opt_b8, 1);
    ck_assert_uint_eq(opt_u64, 4);
    ck_assert_uint_eq(opt_size, 16384);
}
END_TEST

START_TEST(names_are_case_sensitive)
{
    ck_assert_int_eq(parse("FLAG"), 1);
    ck_assert_str_eq(msgs.text[0], "unknown option 'FLAG'");
    ck_assert(!opt_flag);
}
END_TEST

START_TEST(uint_values)
{
    ck_assert_int_eq(parse("u8=255 u16=0x1234 u32=017 max-cpus=18446744073709551615"), 0);
    ck_assert_uint_eq(opt_u8, 255);
    ck_assert_uint_eq(opt_u16, 0x1234);
    ck_assert_uint_eq(opt_u32, 15);
    ck_assert_uint_eq(opt_u64, UINT64_MAX);
    ck_assert_int_eq(parse("u8=0 u32=0X10"), 0);
    ck_assert_uint_eq(opt_u8, 0);
    ck_assert_uint_eq(opt_u32, 16);
}
END_TEST

START_TEST(uint_bad_values_reported)
{
    opt_u8 = 9;
    ck_assert_int_eq(parse("u8=256 u8=-1 u8=12x u8= u8=0x u8=08 max-cpus=18446744073709551616"), 7);
    ck_assert_uint_eq(opt_u8, 9);
    ck_assert_uint_eq(opt_u64, 0);
    ck_assert_str_eq(msgs.text[0], "bad value '256' for option 'u8'");
    ck_assert_str_eq(msgs.text[6], "bad value '18446744073709551616' for option 'max-cpus'");
    ck_assert_int_eq(parse("u16=65536 u32=4294967296"), 2);
}
END_TEST

START_TEST(value_required)
{
    ck_assert_int_eq(parse("u8 str conring_size dom0_mem"), 4);
    ck_assert_str_eq(msgs.text[0], "option 'u8' needs a value");
    ck_assert_str_eq(msgs.text[1], "option 'str' needs a value");
    ck_assert_str_eq(msgs.text[2], "option 'conring_size' needs a value");
    ck_assert_str_eq(msgs.text[3], "option 'dom0_mem' needs a value");
}
END_TEST

START_TEST(size_option)
{
    ck_assert_int_eq(parse("conring_size=64k"), 0);
    ck_assert_uint_eq(opt_size, 64 << 10);
    ck_assert_int_eq(parse("conring_size=99999999999999999999G"), 1);
    ck_assert_str_eq(msgs.text[0], "bad value '99999999999999999999G' for option 'conring_size'");
    ck_assert_uint_eq(opt_size, 64 << 10);
}
END_TEST

START_TEST(string_values)
{
    ck_assert_int_eq(parse("str=abc"), 0);
    ck_assert_str_eq(opt_str, "abc");
    ck_assert_int_eq(parse("str=1234567"), 0); /* exactly fills the 8-byte buffer */
    ck_assert_str_eq(opt_str, "1234567");
    ck_assert_int_eq(parse("str="), 0);
    ck_assert_str_eq(opt_str, "");
    ck_assert_int_eq(parse("str=a=b"), 0); /* only the first '=' splits */
    ck_assert_str_eq(opt_str, "a=b");
    ck_assert_uint_eq(msgs.n, 0);
}
END_TEST

START_TEST(long_string_cut_and_reported)
{
    ck_assert_int_eq(parse("str=0123456789abcdef"), 1);
    ck_assert_str_eq(opt_str, "0123456");
    ck_assert_str_eq(msgs.text[0], "value of option 'str' is longer than 7 characters, cut");
}
END_TEST

START_TEST(custom_called_with_value_or_null)
{
    ck_assert_int_eq(parse("probe=hello"), 0);
    ck_assert_uint_eq(custom_calls, 1);
    ck_assert_int_eq(custom_var, 5);
    ck_assert_int_eq(parse("probe"), 0);
    ck_assert_uint_eq(custom_calls, 2);
    ck_assert_ptr_null(custom_seen);
    ck_assert_int_eq(custom_var, -1);
    ck_assert_int_eq(parse("probe=bad"), 1);
    ck_assert_str_eq(msgs.text[0], "bad value 'bad' for option 'probe'");
}
END_TEST

START_TEST(unknown_options_reported)
{
    ck_assert_int_eq(parse("foo flag bar=1 no-u8 =x"), 4);
    ck_assert(opt_flag);
    ck_assert_uint_eq(msgs.n, 4);
    ck_assert_str_eq(msgs.text[0], "unknown option 'foo'");
    ck_assert_str_eq(msgs.text[1], "unknown option 'bar'");
    ck_assert_str_eq(msgs.text[2], "unknown option 'no-u8'"); /* 'no-' only for booleans */
    ck_assert_str_eq(msgs.text[3], "unknown option ''");
}
END_TEST

START_TEST(report_may_be_null)
{
    ck_assert_int_eq(cmdline_parse("foo flag u8=999", params, ARRAY_SIZE(params), NULL, NULL), 2);
    ck_assert(opt_flag);
}
END_TEST

START_TEST(later_option_wins)
{
    ck_assert_int_eq(parse("u8=1 u8=2 flag no-flag flag"), 0);
    ck_assert_uint_eq(opt_u8, 2);
    ck_assert(opt_flag);
}
END_TEST

START_TEST(overlong_token_reported)
{
    static char line[CMDLINE_TOKEN_MAX + 64];
    memset(line, 0, sizeof(line));
    strcpy(line, "flag str=");
    size_t n = strlen(line);
    memset(line + n, 'x', CMDLINE_TOKEN_MAX);
    strcat(line, " u8=3");
    ck_assert_int_eq(parse(line), 1);
    ck_assert(opt_flag);
    ck_assert_uint_eq(opt_u8, 3);
    ck_assert_uint_eq(opt_str[0], 'z'); /* untouched */
    ck_assert_ptr_nonnull(strstr(msgs.text[0], "is longer than 1023 characters, ignored"));
    ck_assert_ptr_nonnull(strstr(msgs.text[0], "'str=xxx"));
}
END_TEST

START_TEST(long_line_many_tokens)
{
    static char line[8192];
    line[0] = '\0';
    for (int i = 0; i < 400; i++)
        strcat(line, i % 2 ? " flag " : "u8=7\t");
    ck_assert_int_eq(parse(line), 0);
    ck_assert_uint_eq(opt_u8, 7);
    ck_assert(opt_flag);
}
END_TEST

START_TEST(double_dash_ends_hypervisor_options)
{
    const char *line = "flag  --  u8=5 console=hvc0";
    ck_assert_int_eq(parse(line), 0);
    ck_assert(opt_flag);
    ck_assert_uint_eq(opt_u8, 0);
    ck_assert_str_eq(cmdline_dom0_args(line), "u8=5 console=hvc0");
    ck_assert_ptr_null(cmdline_dom0_args("flag u8=5"));
    ck_assert_ptr_null(cmdline_dom0_args("flag --x"));
    ck_assert_ptr_null(cmdline_dom0_args(NULL));
    ck_assert_str_eq(cmdline_dom0_args("--"), "");
    ck_assert_int_eq(parse("--x"), 1); /* not a separator */
}
END_TEST

START_TEST(xen_style_full_line)
{
    ck_assert_int_eq(parse("console=com1,vga com1=115200,8n1 loglvl=all guest_loglvl=info/debug "
                           "dom0_mem=512M,max:1G sync_console -- root=/dev/xvda1"),
                     0);
    ck_assert_uint_eq(console_mask, CMDLINE_CONSOLE_COM1 | CMDLINE_CONSOLE_VGA);
    ck_assert(com1.present);
    ck_assert_int_eq(loglvl.level, CMDLINE_LOG_ALL);
    ck_assert_int_eq(guest_loglvl.level, CMDLINE_LOG_INFO);
    ck_assert_int_eq(guest_loglvl.rate_limited, CMDLINE_LOG_DEBUG);
    ck_assert_uint_eq(dom0_mem.amount, 512ull << 20);
    ck_assert_uint_eq(dom0_mem.max, 1ull << 30);
    ck_assert_uint_eq(opt_b8, 1);
}
END_TEST

static const struct cmdline_param bad_table[] = {
    { "odd", CMDLINE_UINT, &opt_u32, 3, NULL },
};

START_TEST(bad_table_size_is_a_bug)
{
    cmdline_parse("odd=1", bad_table, ARRAY_SIZE(bad_table), NULL, NULL);
}
END_TEST

START_TEST(bad_table_not_used_is_harmless)
{
    ck_assert_int_eq(cmdline_parse("other=1", bad_table, ARRAY_SIZE(bad_table), NULL, NULL), 1);
}
END_TEST

/* ------------------------------------------------------------ integers and sizes */

START_TEST(parse_uint_syntax)
{
    uint64_t v;
    const char *end;

    ck_assert_int_eq(cmdline_parse_uint("123abc", &v, &end), 0);
    ck_assert_uint_eq(v, 123);
    ck_assert_str_eq(end, "abc");
    ck_assert_int_eq(cmdline_parse_uint("0x1fG", &v, &end), 0);
    ck_assert_uint_eq(v, 0x1f);
    ck_assert_str_eq(end, "G");
    ck_assert_int_eq(cmdline_parse_uint("0755", &v, &end), 0);
    ck_assert_uint_eq(v, 0755);
    ck_assert_int_eq(cmdline_parse_uint("0", &v, &end), 0);
    ck_assert_uint_eq(v, 0);
    ck_assert_int_eq(cmdline_parse_uint("0xg", &v, &end), 0); /* "0", then "xg" */
    ck_assert_str_eq(end, "xg");
    ck_assert_int_eq(cmdline_parse_uint("", &v, &end), -1);
    ck_assert_int_eq(cmdline_parse_uint("-1", &v, &end), -1);
    ck_assert_int_eq(cmdline_parse_uint("x", &v, NULL), -1);
    ck_assert_int_eq(cmdline_parse_uint("0xffffffffffffffff", &v, NULL), 0);
    ck_assert_uint_eq(v, UINT64_MAX);
    ck_assert_int_eq(cmdline_parse_uint("0x10000000000000000", &v, NULL), -1);
    ck_assert_int_eq(cmdline_parse_uint("2000000000000000000000", &v, NULL), -1);
}
END_TEST

START_TEST(size_suffixes)
{
    static const struct {
        const char *s;
        uint64_t v;
    } ok[] = {
        { "512M", 512ull << 20 }, { "512m", 512ull << 20 }, { "1G", 1ull << 30 },
        { "1g", 1ull << 30 },     { "4096K", 4096ull << 10 }, { "4096k", 4096ull << 10 },
        { "2T", 2ull << 40 },     { "2t", 2ull << 40 },       { "123", 123ull << 10 },
        { "123B", 123 },          { "123b", 123 },            { "0", 0 },
        { "0x10M", 16ull << 20 }, { "16777215T", 16777215ull << 40 },
        { "17179869183G", 17179869183ull << 30 },
    };
    uint64_t v;

    for (size_t i = 0; i < ARRAY_SIZE(ok); i++) {
        ck_assert_msg(cmdline_parse_size(ok[i].s, &v, NULL) == 0, "%s", ok[i].s);
        ck_assert_msg(v == ok[i].v, "%s -> %llu", ok[i].s, (unsigned long long)v);
    }
}
END_TEST

START_TEST(size_rejects)
{
    static const char *const bad[] = {
        "", "M", "12X", "12MB", "1P", "-1M", "99999999999999999999G",
        "16777216T",   /* 2^24 TiB = 2^64 bytes */
        "17179869184G", "18014398509481984K", "18446744073709551616B",
        "0x", "1 M",
    };
    uint64_t v = 77;

    for (size_t i = 0; i < ARRAY_SIZE(bad); i++)
        ck_assert_msg(cmdline_parse_size(bad[i], &v, NULL) == -1, "%s", bad[i]);
    ck_assert_uint_eq(v, 77);
}
END_TEST

START_TEST(size_with_end_pointer)
{
    uint64_t v;
    const char *end;

    ck_assert_int_eq(cmdline_parse_size("512M,max:1G", &v, &end), 0);
    ck_assert_uint_eq(v, 512ull << 20);
    ck_assert_str_eq(end, ",max:1G");
    ck_assert_int_eq(cmdline_parse_size("64,", &v, &end), 0);
    ck_assert_uint_eq(v, 64 << 10);
    ck_assert_str_eq(end, ",");
}
END_TEST

/* ------------------------------------------------------------ dom0_mem */

START_TEST(dom0_mem_forms)
{
    struct cmdline_dom0_mem m;

    ck_assert_int_eq(cmdline_parse_dom0_mem("512M", &m), 0);
    ck_assert(m.has_amount && !m.has_min && !m.has_max && !m.amount_negative);
    ck_assert_uint_eq(m.amount, 512ull << 20);

    ck_assert_int_eq(cmdline_parse_dom0_mem("512M,max:1G", &m), 0);
    ck_assert(m.has_amount && m.has_max && !m.has_min);
    ck_assert_uint_eq(m.amount, 512ull << 20);
    ck_assert_uint_eq(m.max, 1ull << 30);

    ck_assert_int_eq(cmdline_parse_dom0_mem("max:2G,min:128M,256M", &m), 0);
    ck_assert(m.has_amount && m.has_max && m.has_min);
    ck_assert_uint_eq(m.min, 128ull << 20);
    ck_assert_uint_eq(m.max, 2ull << 30);
    ck_assert_uint_eq(m.amount, 256ull << 20);

    ck_assert_int_eq(cmdline_parse_dom0_mem("min:64M", &m), 0);
    ck_assert(!m.has_amount && m.has_min && !m.has_max);

    ck_assert_int_eq(cmdline_parse_dom0_mem("-256M", &m), 0);
    ck_assert(m.has_amount && m.amount_negative);
    ck_assert_uint_eq(m.amount, 256ull << 20);

    ck_assert_int_eq(cmdline_parse_dom0_mem("min:-1G,max:-512M", &m), 0);
    ck_assert(m.min_negative && m.max_negative && !m.amount_negative);
    ck_assert_uint_eq(m.min, 1ull << 30);

    ck_assert_int_eq(cmdline_parse_dom0_mem("1G,512M", &m), 0); /* later wins */
    ck_assert_uint_eq(m.amount, 512ull << 20);

    ck_assert_int_eq(cmdline_parse_dom0_mem("262144", &m), 0); /* plain number: KiB */
    ck_assert_uint_eq(m.amount, 256ull << 20);
}
END_TEST

START_TEST(dom0_mem_rejects)
{
    static const char *const bad[] = {
        "", ",", "512M,", ",512M", "512M,,max:1G", "max:", "min:", "max:-", "-",
        "10%", "1G+25%", "512X", "512M,foo:1G", "max=1G", "512M max:1G",
        "99999999999999999999G", "--1G",
    };
    struct cmdline_dom0_mem m = { .amount = 42, .has_amount = true };

    for (size_t i = 0; i < ARRAY_SIZE(bad); i++)
        ck_assert_msg(cmdline_parse_dom0_mem(bad[i], &m) == -1, "%s", bad[i]);
    ck_assert_int_eq(cmdline_parse_dom0_mem(NULL, &m), -1);
    ck_assert_uint_eq(m.amount, 42); /* untouched */
}
END_TEST

START_TEST(dom0_mem_through_parser)
{
    ck_assert_int_eq(parse("dom0_mem=512M,max:1G"), 0);
    ck_assert_uint_eq(dom0_mem.amount, 512ull << 20);
    ck_assert_uint_eq(dom0_mem.max, 1ull << 30);
    ck_assert_int_eq(parse("dom0-mem=1G%"), 1);
    ck_assert_str_eq(msgs.text[0], "bad value '1G%' for option 'dom0-mem'");
    ck_assert_uint_eq(dom0_mem.amount, 512ull << 20);
}
END_TEST

/* ------------------------------------------------------------ com1 */

static void expect_com(const struct cmdline_com *c, uint32_t baud, uint8_t data, char parity,
                       uint8_t stop, uint16_t io, uint8_t irq)
{
    ck_assert(c->present);
    ck_assert_uint_eq(c->baud, baud);
    ck_assert_uint_eq(c->data_bits, data);
    ck_assert_int_eq(c->parity, parity);
    ck_assert_uint_eq(c->stop_bits, stop);
    ck_assert_uint_eq(c->io_base, io);
    ck_assert_uint_eq(c->irq, irq);
}

START_TEST(com_defaults)
{
    struct cmdline_com c;

    cmdline_com_defaults(&c, 1);
    ck_assert(!c.present);
    ck_assert_uint_eq(c.baud, 115200);
    ck_assert_uint_eq(c.io_base, 0x3f8);
    ck_assert_uint_eq(c.irq, 4);
    cmdline_com_defaults(&c, 2);
    ck_assert_uint_eq(c.io_base, 0x2f8);
    ck_assert_uint_eq(c.irq, 3);
}
END_TEST

START_TEST(com_forms)
{
    struct cmdline_com c;

    ck_assert_int_eq(cmdline_parse_com1("115200,8n1", &c), 0);
    expect_com(&c, 115200, 8, 'n', 1, 0x3f8, 4);
    ck_assert_uint_eq(c.base_baud, 0);

    ck_assert_int_eq(cmdline_parse_com1("9600,7e2,0x2f8,3", &c), 0);
    expect_com(&c, 9600, 7, 'e', 2, 0x2f8, 3);

    ck_assert_int_eq(cmdline_parse_com1("auto", &c), 0);
    expect_com(&c, CMDLINE_COM_BAUD_AUTO, 8, 'n', 1, 0x3f8, 4);

    ck_assert_int_eq(cmdline_parse_com1("auto,5O1", &c), 0);
    expect_com(&c, CMDLINE_COM_BAUD_AUTO, 5, 'o', 1, 0x3f8, 4);

    ck_assert_int_eq(cmdline_parse_com1("115200/230400,8s1", &c), 0);
    expect_com(&c, 115200, 8, 's', 1, 0x3f8, 4);
    ck_assert_uint_eq(c.base_baud, 230400);

    ck_assert_int_eq(cmdline_parse_com1("38400,,0x2e8", &c), 0);
    expect_com(&c, 38400, 8, 'n', 1, 0x2e8, 4);

    ck_assert_int_eq(cmdline_parse_com1("19200,8m1,,0", &c), 0);
    expect_com(&c, 19200, 8, 'm', 1, 0x3f8, 0);

    ck_assert_int_eq(cmdline_parse_com1(",8n1", &c), 0);
    expect_com(&c, 115200, 8, 'n', 1, 0x3f8, 4);

    ck_assert_int_eq(cmdline_parse_com1("2", &c), 0); /* divisor 57600 */
    ck_assert_uint_eq(c.baud, 2);

    ck_assert_int_eq(cmdline_parse_com2("57600", &c), 0);
    expect_com(&c, 57600, 8, 'n', 1, 0x2f8, 3);

    ck_assert_int_eq(cmdline_parse_com1("115200,8n1,1016,15", &c), 0); /* decimal port */
    expect_com(&c, 115200, 8, 'n', 1, 1016, 15);
}
END_TEST

START_TEST(com_rejects)
{
    static const char *const bad[] = {
        "", "0", "abc", "autox", "115200x", "230400", "1", "115200/0", "115200/",
        "115200,9n1", "115200,4n1", "115200,8x1", "115200,8n3", "115200,8n0", "115200,8n",
        "115200,8", "115200,8n1x", "115200,8n1,0x10000", "115200,8n1,0", "115200,8n1,pci",
        "115200,8n1,0x3f8,16", "115200,8n1,0x3f8,msi", "115200,8n1,0x3f8,4,0:1.0",
        "115200,8n1,0x3f8,4,", "99999999999", "-9600", "115200,8n1,0x3f8z",
    };
    struct cmdline_com c;

    cmdline_com_defaults(&c, 1);
    c.baud = 1234;
    for (size_t i = 0; i < ARRAY_SIZE(bad); i++)
        ck_assert_msg(cmdline_parse_com1(bad[i], &c) == -1, "%s", bad[i]);
    ck_assert_int_eq(cmdline_parse_com1(NULL, &c), -1);
    ck_assert_uint_eq(c.baud, 1234);
    ck_assert(!c.present);
}
END_TEST

START_TEST(com_through_parser)
{
    ck_assert_int_eq(parse("com1=9600,7e2,0x2f8,3 com2=auto"), 0);
    expect_com(&com1, 9600, 7, 'e', 2, 0x2f8, 3);
    expect_com(&com2, 0, 8, 'n', 1, 0x2f8, 3);
    ck_assert_int_eq(parse("com1"), 1);
    ck_assert_str_eq(msgs.text[0], "option 'com1' needs a value");
}
END_TEST

/* ------------------------------------------------------------ loglvl */

START_TEST(loglvl_forms)
{
    static const struct {
        const char *s;
        int level, rate_limited;
    } ok[] = {
        { "none", 0, 0 },          { "error", 1, 1 },       { "warning", 2, 2 },
        { "info", 3, 3 },          { "debug", 4, 4 },       { "all", 5, 5 },
        { "info/debug", 3, 4 },    { "none/all", 0, 5 },    { "error/warning", 1, 2 },
        { "debug/info", 4, 4 },    /* rate-limited level raised to level */
        { "all/none", 5, 5 },
    };
    struct cmdline_loglvl l;

    for (size_t i = 0; i < ARRAY_SIZE(ok); i++) {
        ck_assert_msg(cmdline_parse_loglvl(ok[i].s, &l) == 0, "%s", ok[i].s);
        ck_assert_msg(l.level == ok[i].level && l.rate_limited == ok[i].rate_limited,
                      "%s -> %d/%d", ok[i].s, l.level, l.rate_limited);
    }
}
END_TEST

START_TEST(loglvl_rejects)
{
    static const char *const bad[] = {
        "", "warn", "Info", "info/", "/info", "info/debug/all", "alll", "info debug",
        "3", "info,debug", "debugx",
    };
    struct cmdline_loglvl l = { 7, 7 };

    for (size_t i = 0; i < ARRAY_SIZE(bad); i++)
        ck_assert_msg(cmdline_parse_loglvl(bad[i], &l) == -1, "%s", bad[i]);
    ck_assert_int_eq(cmdline_parse_loglvl(NULL, &l), -1);
    ck_assert_int_eq(l.level, 7);
}
END_TEST

START_TEST(loglvl_through_parser)
{
    ck_assert_int_eq(parse("loglvl=debug/all guest-loglvl=bogus"), 1);
    ck_assert_int_eq(loglvl.level, CMDLINE_LOG_DEBUG);
    ck_assert_int_eq(loglvl.rate_limited, CMDLINE_LOG_ALL);
    ck_assert_int_eq(guest_loglvl.level, CMDLINE_LOG_WARNING);
    ck_assert_str_eq(msgs.text[0], "bad value 'bogus' for option 'guest-loglvl'");
}
END_TEST

/* ------------------------------------------------------------ console */

START_TEST(console_forms)
{
    unsigned m = 99;

    ck_assert_int_eq(cmdline_parse_console("com1", &m), 0);
    ck_assert_uint_eq(m, CMDLINE_CONSOLE_COM1);
    ck_assert_int_eq(cmdline_parse_console("vga", &m), 0);
    ck_assert_uint_eq(m, CMDLINE_CONSOLE_VGA);
    ck_assert_int_eq(cmdline_parse_console("vga,com1", &m), 0);
    ck_assert_uint_eq(m, CMDLINE_CONSOLE_VGA | CMDLINE_CONSOLE_COM1);
    ck_assert_int_eq(cmdline_parse_console("com1,com1", &m), 0);
    ck_assert_uint_eq(m, CMDLINE_CONSOLE_COM1);
    ck_assert_int_eq(cmdline_parse_console("none", &m), 0);
    ck_assert_uint_eq(m, 0);
}
END_TEST

START_TEST(console_rejects)
{
    static const char *const bad[] = {
        "", ",", "com1,", ",vga", "com2", "com1H", "dbgp", "none,vga", "com1,none", "VGA",
        "com1,,vga",
    };
    unsigned m = 99;

    for (size_t i = 0; i < ARRAY_SIZE(bad); i++)
        ck_assert_msg(cmdline_parse_console(bad[i], &m) == -1, "%s", bad[i]);
    ck_assert_int_eq(cmdline_parse_console(NULL, &m), -1);
    ck_assert_uint_eq(m, 99);
}
END_TEST

START_TEST(console_through_parser)
{
    ck_assert_int_eq(parse("console=com1 console=xyz"), 1);
    ck_assert_uint_eq(console_mask, CMDLINE_CONSOLE_COM1);
    ck_assert_str_eq(msgs.text[0], "bad value 'xyz' for option 'console'");
}
END_TEST

Suite *cmdline_suite(void);

Suite *cmdline_suite(void)
{
    Suite *s = suite_create("cmdline");
    TCase *g = tcase_create("generic");
    TCase *n = tcase_create("numbers");
    TCase *c = tcase_create("custom");

    tcase_add_checked_fixture(g, reset, NULL);
    tcase_add_checked_fixture(c, reset, NULL);

    tcase_add_test(g, empty_and_blank_lines);
    tcase_add_test(g, multiple_spaces_and_tabs);
    tcase_add_test(g, bool_bare_and_no_prefix);
    tcase_add_test(g, bool_spellings);
    tcase_add_test(g, bool_bad_values_reported);
    tcase_add_test(g, bool_var_sizes);
    tcase_add_test(g, name_dash_underscore_equivalent);
    tcase_add_test(g, names_are_case_sensitive);
    tcase_add_test(g, uint_values);
    tcase_add_test(g, uint_bad_values_reported);
    tcase_add_test(g, value_required);
    tcase_add_test(g, size_option);
    tcase_add_test(g, string_values);
    tcase_add_test(g, long_string_cut_and_reported);
    tcase_add_test(g, custom_called_with_value_or_null);
    tcase_add_test(g, unknown_options_reported);
    tcase_add_test(g, report_may_be_null);
    tcase_add_test(g, later_option_wins);
    tcase_add_test(g, overlong_token_reported);
    tcase_add_test(g, long_line_many_tokens);
    tcase_add_test(g, double_dash_ends_hypervisor_options);
    tcase_add_test(g, xen_style_full_line);
    tcase_add_test_raise_signal(g, bad_table_size_is_a_bug, SIGABRT);
    tcase_add_test(g, bad_table_not_used_is_harmless);

    tcase_add_test(n, parse_uint_syntax);
    tcase_add_test(n, size_suffixes);
    tcase_add_test(n, size_rejects);
    tcase_add_test(n, size_with_end_pointer);

    tcase_add_test(c, dom0_mem_forms);
    tcase_add_test(c, dom0_mem_rejects);
    tcase_add_test(c, dom0_mem_through_parser);
    tcase_add_test(c, com_defaults);
    tcase_add_test(c, com_forms);
    tcase_add_test(c, com_rejects);
    tcase_add_test(c, com_through_parser);
    tcase_add_test(c, loglvl_forms);
    tcase_add_test(c, loglvl_rejects);
    tcase_add_test(c, loglvl_through_parser);
    tcase_add_test(c, console_forms);
    tcase_add_test(c, console_rejects);
    tcase_add_test(c, console_through_parser);

    suite_add_tcase(s, g);
    suite_add_tcase(s, n);
    suite_add_tcase(s, c);
    return s;
}
