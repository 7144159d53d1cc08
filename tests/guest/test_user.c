/*
 * Guest user mode: the demo program (pv-guest/arch/x86_64/user_prog.S)
 * enters ring 3 through HYPERVISOR_iret with a user cs, makes syscalls
 * that the hypervisor bounces to our syscall callback (write, getpid, an
 * unknown number, write of a kernel pointer, sched_yield) and checks their
 * results and that callee-saved registers survive; it takes two demand
 * faults and exits with USER_PROG_OK. A second program reads kernel memory,
 * which the user L4 does not map, and must be killed by the page fault.
 * Running the good program again shows the teardown left no mappings or
 * leaked pages behind (counted after the first run, which also creates the
 * page tables for the stack and the demand window; those stay).
 */
#include "test.h"
#include "arch/layout.h"
#include "guest/mm.h"
#include "guest/user.h"

const char test_title[] = "user: ring-3 program, syscalls, isolation from the kernel";

static bool run_good(const char *what)
{
    struct user_result res;
    size_t len = (size_t)(user_prog_end - user_prog_start);
    int rc = user_run(user_prog_start, len, 0, &res);

    return test_check(rc == 0, "%s: user_run returned %d", what, rc) &&
           test_check(!res.killed, "%s: killed by vector %lu at %#lx (address %#lx)", what,
                      (unsigned long)res.fault_vector, (unsigned long)res.fault_rip,
                      (unsigned long)res.fault_addr) &&
           test_check(res.status == USER_PROG_OK, "%s: exit status %d (see user_prog.S)", what,
                      res.status) &&
           test_check(res.syscalls == 7, "%s: %u syscalls, want 7", what, res.syscalls) &&
           test_check(res.demand_faults == 2, "%s: %u demand faults, want 2", what,
                      res.demand_faults);
}

enum test_result test_main(void)
{
    struct user_result res;
    size_t len = (size_t)(user_prog_end - user_prog_start);

    if (user_init() < 0) {
        test_note("cannot build the user page tables");
        return TEST_ERROR;
    }
    run_good("first run");
    uint64_t free_before = mm_free_count();

    int rc = user_run(user_prog_start, len, 1, &res);
    test_check(rc == 0, "kernel-read program: user_run returned %d", rc);
    test_check(res.killed, "kernel-read program was not killed (status %d)", res.status);
    test_check(res.fault_vector == 14, "kernel-read program: vector %lu, want 14",
               (unsigned long)res.fault_vector);
    test_check(res.fault_addr == KERNEL_VIRT_BASE, "kernel-read program: cr2 %#lx",
               (unsigned long)res.fault_addr);

    run_good("second run");
    test_check(mm_free_count() == free_before, "free pages %lu before, %lu after",
               (unsigned long)free_before, (unsigned long)mm_free_count());

    /* Hostile program sizes are refused before anything is mapped. */
    test_check(user_run(user_prog_start, 0, 0, &res) < 0, "empty program accepted");
    test_check(user_run(user_prog_start, (USER_MAX_PROGRAM_PAGES + 1) * PAGE_SIZE, 0, &res) < 0,
               "oversized program accepted");
    return TEST_SUCCESS;
}
