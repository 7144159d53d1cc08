/*
 * Hypercalls made with an inline `syscall` instead of the hypercall page.
 * This test kernel is built with -DPVG_HYPERCALL_DIRECT, so every
 * hypercall of the kernel itself (boot, traps, the iret path, user mode)
 * already went the direct way before test_main runs. Here: the same
 * queries through both paths give the same answers, and the iret path
 * (direct `syscall` with the iret frame) works for a kernel trap and for a
 * user program's syscalls.
 */
#include "test.h"
#include "arch/hypercall.h"
#include "arch/traps.h"
#include "guest/user.h"

const char test_title[] = "hypercall_direct: `syscall` without the hypercall page";

static unsigned int3_hits;

static bool on_int3(struct trap_frame *f, uint64_t cr2)
{
    (void)f;
    (void)cr2;
    int3_hits++;
    return true;
}

enum test_result test_main(void)
{
    static xen_capabilities_info_t c1, c2;
    long v1, v2, rc;

    test_check(strcmp(PVG_HYPERCALL_MODE, "direct syscall") == 0,
               "kernel built for \"%s\", want the direct syscall", PVG_HYPERCALL_MODE);
    v1 = xen_hypercall_page(__HYPERVISOR_xen_version, XENVER_version, 0, 0, 0, 0);
    v2 = xen_hypercall_direct(__HYPERVISOR_xen_version, XENVER_version, 0, 0, 0, 0);
    test_check(v1 == v2 && v1 >= 0, "version: page %ld, direct %ld", v1, v2);
    rc = xen_hypercall_page(__HYPERVISOR_xen_version, XENVER_capabilities, c1, 0, 0, 0);
    test_check(rc == 0, "capabilities via the page returned %ld", rc);
    rc = xen_hypercall_direct(__HYPERVISOR_xen_version, XENVER_capabilities, c2, 0, 0, 0);
    test_check(rc == 0, "capabilities direct returned %ld", rc);
    test_check(memcmp(c1, c2, sizeof(c1)) == 0, "capabilities differ: \"%s\" / \"%s\"", c1, c2);

    static const char msg[] = "test: console write through a direct syscall\n";
    rc = xen_hypercall_direct(__HYPERVISOR_console_io, CONSOLEIO_write, sizeof(msg) - 1, msg, 0,
                              0);
    test_check(rc >= 0, "direct console_io returned %ld", rc);

    /* Argument registers: a 5-argument hypercall with all of them used. */
    struct mmu_update none[1] = { { 0, 0 } };
    unsigned done = 99;
    rc = xen_hypercall_direct(__HYPERVISOR_mmu_update, none, 0, &done, DOMID_SELF, 0);
    test_check(rc == 0, "direct empty mmu_update returned %ld", rc);

    trap_set_hook(TRAP_BP, on_int3);
    for (int i = 0; i < 10; i++)
        __asm__ volatile("int3" ::: "memory");
    test_check(int3_hits == 10, "int3 through the direct iret: %u hits", int3_hits);

    struct user_result res;
    int urc = user_run(user_prog_start, (size_t)(user_prog_end - user_prog_start), 0, &res);
    test_check(urc == 0 && !res.killed && res.status == USER_PROG_OK,
               "user program: rc %d killed %d status %d", urc, res.killed, res.status);
    return TEST_SUCCESS;
}
