/*
 * Page faults resolved by mapping a page, then the faulting instruction is
 * retried by the iret:
 *  - kernel mode: a #PF hook maps a fresh page at an unmapped scratch
 *    address on the first write; the write then lands in that page. The
 *    hook checks cr2 (vcpu_info.arch.cr2) and the error code (write,
 *    not-present);
 *  - user mode: the demo program's two demand-zero pages (user.c's handler).
 */
#include "test.h"
#include "arch/layout.h"
#include "arch/pgtable.h"
#include "arch/traps.h"
#include "guest/mm.h"
#include "guest/user.h"

const char test_title[] = "pagefault: kernel and user faults resolved by mapping";

#define PF_WRITE   2ULL
#define PF_PRESENT 1ULL

static uint64_t target, seen_cr2, seen_error;
static unsigned faults;
static void *page;

static bool on_pf(struct trap_frame *f, uint64_t cr2)
{
    if (trap_from_user(f) || (cr2 & ~(PAGE_SIZE - 1)) != target || faults > 0)
        return false;
    faults++;
    seen_cr2 = cr2;
    seen_error = f->error_code;
    return pt_map(target, virt_to_mfn(page), PTE_KERNEL_RW) == 0;
}

enum test_result test_main(void)
{
    uint64_t pte;

    page = mm_alloc_zeroed(1);
    target = FIXMAP_SCRATCH(5);
    if (page == NULL || pt_prepare(target) < 0) {
        test_note("setup failed");
        return TEST_ERROR;
    }
    test_check(pt_lookup(target, &pte) && !(pte & XEN_PTE_PRESENT), "scratch page is mapped");

    trap_set_hook(TRAP_PF, on_pf);
    volatile uint64_t *p = (volatile uint64_t *)(uintptr_t)(target + 0x88);
    *p = 0x0123456789abcdefULL;
    trap_set_hook(TRAP_PF, NULL);

    test_check(faults == 1, "%u faults, want 1", faults);
    test_check(seen_cr2 == target + 0x88, "cr2 %#lx, want %#lx", (unsigned long)seen_cr2,
               (unsigned long)(target + 0x88));
    test_check((seen_error & (PF_WRITE | PF_PRESENT)) == PF_WRITE, "error code %#lx",
               (unsigned long)seen_error);
    test_check(((volatile uint64_t *)page)[0x88 / 8] == 0x0123456789abcdefULL,
               "the retried write did not reach the mapped page");
    test_check(pt_unmap(target) == 0, "unmap failed");

    struct user_result res;
    int rc = user_run(user_prog_start, (size_t)(user_prog_end - user_prog_start), 0, &res);
    test_check(rc == 0 && !res.killed && res.status == USER_PROG_OK,
               "user program: rc %d killed %d status %d", rc, res.killed, res.status);
    test_check(res.demand_faults == 2, "user demand faults %u, want 2", res.demand_faults);
    mm_free_pages(page, 1);
    return TEST_SUCCESS;
}
