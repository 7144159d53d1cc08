/*
 * console_io(CONSOLEIO_write): whole lines, several lines in one call,
 * a message longer than printk's buffer, a zero-length write, and hostile
 * arguments (a buffer pointer the guest does not map, a buffer running off
 * the end of the mapped memory), which must fail with an error and not
 * crash the domain.
 */
#include "test.h"
#include "arch/hypercall.h"
#include "arch/layout.h"

const char test_title[] = "console: console_io writes, long and hostile buffers";

enum test_result test_main(void)
{
    static char longmsg[PRINTK_MAX * 2];
    long rc;

    rc = HYPERVISOR_console_io(CONSOLEIO_write, 26, "test: console line one ok\n");
    test_check(rc >= 0, "plain write returned %ld", rc);
    rc = HYPERVISOR_console_io(CONSOLEIO_write, 40, "test: two lines ...\ntest: ... in one call\n");
    test_check(rc >= 0, "two-line write returned %ld", rc);
    rc = HYPERVISOR_console_io(CONSOLEIO_write, 0, "");
    test_check(rc >= 0, "empty write returned %ld", rc);

    memset(longmsg, 'x', sizeof(longmsg) - 1);
    int n = printk("test: long %s\n", longmsg);
    test_check(n == (int)sizeof(longmsg) - 1 + 12, "printk returned %d", n);
    printk("test: formats %d %u %#x %s %c %5d|%-5d| %lld\n", -42, 42u, 0xbeefu, "str", 'c', 7, 7,
           -1234567890123LL);

    /* Nothing is mapped at 0x1000: the hypervisor's copy must fail. */
    rc = HYPERVISOR_console_io(CONSOLEIO_write, 16, (const char *)0x1000);
    test_check(rc < 0, "write from an unmapped buffer returned %ld", rc);
    /* A non-canonical pointer. */
    rc = HYPERVISOR_console_io(CONSOLEIO_write, 16, (const char *)0x0000800000000000ULL);
    test_check(rc < 0, "write from a non-canonical buffer returned %ld", rc);
    /* The hypervisor's own memory. */
    rc = HYPERVISOR_console_io(CONSOLEIO_write, 16, (const char *)HYPERVISOR_VIRT_END - 4096);
    test_check(rc < 0, "write from hypervisor memory returned %ld", rc);
    /* Unknown console_io command. */
    rc = HYPERVISOR_console_io(77, 1, "x");
    test_check(rc < 0, "unknown console_io command returned %ld", rc);
    test_note("console survived hostile buffers");
    return TEST_SUCCESS;
}
