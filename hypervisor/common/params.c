/*
 * The hypervisor's option table: one line per option. Unknown options and
 * bad values are reported after the console is up and otherwise ignored.
 */
#include <xenia/console.h>
#include <xenia/domain.h>
#include <xenia/params.h>
#include "core/fmt.h"

unsigned opt_console = CMDLINE_CONSOLE_COM1;
struct cmdline_com opt_com1 = { 115200, 8, 'n', 1, 0x3f8, 4, 0, false };
struct cmdline_loglvl opt_loglvl = { CMDLINE_LOG_INFO, CMDLINE_LOG_INFO };
struct cmdline_dom0_mem opt_dom0_mem;
bool opt_noreboot;
bool opt_testexit;
char opt_testfault[16];
unsigned opt_dom0_max_vcpus = 1;

/*
 * dom0_max_vcpus=<n> or <min>-<max> (Xen's syntax): dom0 gets <n> (or <max>)
 * vCPUs, 1..MAX_VCPUS_PER_DOMAIN; vCPU 0 runs, the others start down until
 * dom0 brings them up. A range whose max is larger is cut to the limit if
 * its min allows it. With one physical CPU they take turns on it.
 */
static int parse_dom0_max_vcpus(const char *val, void *var)
{
    uint64_t min, max;
    const char *end;
    if (!val || cmdline_parse_uint(val, &min, &end))
        return -1;
    max = min;
    if (*end == '-' && cmdline_parse_uint(end + 1, &max, &end))
        return -1;
    if (*end || min == 0 || min > max || min > MAX_VCPUS_PER_DOMAIN)
        return -1;
    *(unsigned *)var = (unsigned)MIN(max, MAX_VCPUS_PER_DOMAIN);
    return 0;
}

static const struct cmdline_param params[] = {
    { "console", CMDLINE_CUSTOM, &opt_console, sizeof(opt_console), cmdline_parse_console },
    { "com1", CMDLINE_CUSTOM, &opt_com1, sizeof(opt_com1), cmdline_parse_com1 },
    { "loglvl", CMDLINE_CUSTOM, &opt_loglvl, sizeof(opt_loglvl), cmdline_parse_loglvl },
    { "dom0_mem", CMDLINE_CUSTOM, &opt_dom0_mem, sizeof(opt_dom0_mem), cmdline_parse_dom0_mem },
    { "noreboot", CMDLINE_BOOL, &opt_noreboot, sizeof(opt_noreboot), NULL },
    { "testexit", CMDLINE_BOOL, &opt_testexit, sizeof(opt_testexit), NULL },
    { "testfault", CMDLINE_STRING, opt_testfault, sizeof(opt_testfault), NULL },
    { "dom0_max_vcpus", CMDLINE_CUSTOM, &opt_dom0_max_vcpus, sizeof(opt_dom0_max_vcpus),
      parse_dom0_max_vcpus },
};

/* Problems are collected here while parsing (the console may not be up yet)
   and printed by params_report(). */
static char problems[8][96];
static unsigned nr_problems;
static int nr_reported;

static void collect(void *ctx, const char *fmt, ...)
{
    va_list ap;
    (void)ctx;
    if (nr_problems >= ARRAY_SIZE(problems))
        return;
    va_start(ap, fmt);
    fmt_vsnprintf(problems[nr_problems++], sizeof(problems[0]), fmt, ap);
    va_end(ap);
}

void params_parse(const char *cmdline)
{
    nr_problems = 0;
    nr_reported = cmdline_parse(cmdline, params, ARRAY_SIZE(params), collect, NULL);
    console_set_loglvl(opt_loglvl.level);
}

void params_report(void)
{
    for (unsigned i = 0; i < nr_problems; i++)
        pr_warn("Command line: %s (ignored)\n", problems[i]);
    if (nr_reported > (int)nr_problems)
        pr_warn("Command line: %d more problem(s)\n", nr_reported - (int)nr_problems);
}
