/*
 * The test kernels' kernel_main(): run test_main(), print the one result
 * line, shut down. See test.h.
 */
#include <stdarg.h>

#include "test.h"
#include "core/fmt.h"
#include "guest/kernel.h"

static unsigned failures;
static bool result_printed;

static const char *const result_names[] = {
    [TEST_SUCCESS] = "SUCCESS",
    [TEST_FAILURE] = "FAILURE",
    [TEST_ERROR] = "ERROR",
    [TEST_SKIP] = "SKIP",
};

static void print_result(enum test_result r)
{
    if (result_printed)
        return;
    result_printed = true;
    printk("Test result: %s\n", result_names[r]);
}

void kernel_on_crash(void)
{
    print_result(TEST_ERROR);
}

void test_note(const char *fmt, ...)
{
    char buf[PRINTK_MAX];
    va_list ap;

    va_start(ap, fmt);
    fmt_vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    printk("test: %s\n", buf);
}

bool test_check_at(bool cond, const char *file, int line, const char *fmt, ...)
{
    char buf[PRINTK_MAX];
    va_list ap;

    if (cond)
        return true;
    failures++;
    va_start(ap, fmt);
    fmt_vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    printk("test: FAIL %s:%d: %s\n", file, line, buf);
    return false;
}

unsigned test_failures(void)
{
    return failures;
}

void kernel_main(void)
{
    printk("test: %s\n", test_title);
    enum test_result r = test_main();
    if (r > TEST_SKIP)
        r = TEST_ERROR;
    if (r == TEST_SUCCESS && failures != 0)
        r = TEST_FAILURE;
    print_result(r);
    if (r == TEST_SUCCESS || r == TEST_SKIP)
        guest_poweroff();
    guest_crash("test did not succeed");
}
