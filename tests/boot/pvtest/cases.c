/* The test cases. Each returns its verdict; hostile ones check exact errors. */
#include "pvtest.h"

static enum result case_hello(void)
{
    long v = HYPERCALL2(__HYPERVISOR_xen_version, XENVER_version, 0);
    printf("hello from pvtest: hypervisor version %ld.%ld\n", v >> 16, v & 0xffff);
    EXPECT_EQ("start_info magic ok", str_starts((const char *)pvtest_si->magic, "xen-3.0-x86_64"), 1);
    return VERDICT();
}

const struct pvtest_case pvtest_cases[] = {
    { "hello", case_hello },
    { NULL, NULL },
};
