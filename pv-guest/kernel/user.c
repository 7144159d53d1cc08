/*
 * Guest user mode (see guest/user.h for the model).
 *
 * State machine of the single program slot: IDLE -> RUNNING (user_run
 * saved its context with setjmp and entered user mode) -> IDLE (exit
 * syscall or fatal fault longjmps back). While RUNNING, every entry from
 * user mode lands on user_trap_stack. Pages of the program (code, stack,
 * demand pages) are recorded so user_run unmaps and frees them at the end.
 *
 * Untrusted input: everything user code passes. write() checks that the
 * whole buffer lies in user space and is mapped user-accessible before the
 * hypervisor reads it; faults are resolved only for not-present pages in
 * the demand window.
 */
#include "guest/user.h"
#include "arch/hypercall.h"
#include "arch/layout.h"
#include "arch/pgtable.h"
#include "guest/console.h"
#include "guest/events.h"
#include "guest/kernel.h"
#include "guest/mm.h"
#include "guest/thread.h"

#include <setjmp.h>

#define USER_TRAP_STACK_PAGES 4
#define U_EFAULT 14
#define U_EBUSY 16
#define U_ENOMEM 12
#define U_E2BIG 7
#define U_ENOSYS 38
#define U_EBADF 9

static bool ready, running;
static void *trap_stack;
static uint64_t user_l4_mfn;
static jmp_buf kernel_ctx;
static struct user_result *result;
static struct {
    uint64_t va;
    void *page;
} mapped[USER_MAX_PROGRAM_PAGES + 1 + USER_MAX_DEMAND_PAGES];
static unsigned nr_mapped;

int user_init(void)
{
    long rc;

    if (ready)
        return 0;
    trap_stack = mm_alloc_pages(USER_TRAP_STACK_PAGES);
    if (trap_stack == NULL)
        return -U_ENOMEM;
    /* Make the kernel L4's slot 0 point at an L3 (and build the tables
     * down to the program's L1). */
    rc = pt_prepare(USER_BASE);
    if (rc < 0)
        return (int)rc;
    uint64_t *l4 = mm_alloc_zeroed(1);
    if (l4 == NULL)
        return -U_ENOMEM;
    l4[0] = pt_l4_entry(0);
    user_l4_mfn = virt_to_mfn(l4);
    rc = HYPERVISOR_update_va_mapping((uint64_t)(uintptr_t)l4,
                                      (user_l4_mfn << PAGE_SHIFT) | PTE_KERNEL_RO, UVMF_INVLPG);
    if (rc == 0)
        rc = pt_pin(user_l4_mfn, 4);
    if (rc == 0) {
        struct mmuext_op op = { .cmd = MMUEXT_NEW_USER_BASEPTR };
        unsigned done = 0;
        op.arg1.mfn = user_l4_mfn;
        rc = HYPERVISOR_mmuext_op(&op, 1, &done, DOMID_SELF);
    }
    if (rc < 0) {
        printk("user: cannot install the user L4 (mfn %#lx): %ld\n",
               (unsigned long)user_l4_mfn, rc);
        return (int)rc;
    }
    ready = true;
    return 0;
}

static int map_user_page(uint64_t va, void *page, uint64_t flags)
{
    if (nr_mapped == ARRAY_SIZE(mapped))
        return -U_ENOMEM;
    int rc = pt_map(va, virt_to_mfn(page), flags);
    if (rc < 0)
        return rc;
    mapped[nr_mapped].va = va;
    mapped[nr_mapped].page = page;
    nr_mapped++;
    return 0;
}

static void unmap_all(void)
{
    while (nr_mapped > 0) {
        nr_mapped--;
        if (pt_unmap(mapped[nr_mapped].va) < 0)
            guest_crash("user: cannot unmap a user page");
        mm_free_pages(mapped[nr_mapped].page, 1);
    }
}

__attribute__((noreturn)) static void end_program(void)
{
    longjmp(kernel_ctx, 1);
}

int user_run(const void *code, size_t len, uint64_t arg, struct user_result *res)
{
    int rc;

    if (running)
        return -U_EBUSY;
    if (len == 0 || len > USER_MAX_PROGRAM_PAGES * PAGE_SIZE)
        return -U_E2BIG;
    rc = user_init();
    if (rc < 0)
        return rc;

    for (size_t off = 0; off < len && rc == 0; off += PAGE_SIZE) {
        void *page = mm_alloc_zeroed(1);
        if (page == NULL) {
            rc = -U_ENOMEM;
            break;
        }
        memcpy(page, (const char *)code + off, MIN(len - off, PAGE_SIZE));
        rc = map_user_page(USER_BASE + off, page, PTE_USER_RO);
        if (rc < 0)
            mm_free_pages(page, 1);
    }
    if (rc == 0) {
        void *stack = mm_alloc_zeroed(1);
        rc = stack == NULL ? -U_ENOMEM : map_user_page(USER_STACK_TOP - PAGE_SIZE, stack, PTE_USER_RW);
        if (rc < 0 && stack != NULL)
            mm_free_pages(stack, 1);
    }
    if (rc == 0)
        rc = (int)HYPERVISOR_stack_switch(FLAT_KERNEL_SS,
                                          (uint64_t)(uintptr_t)trap_stack +
                                              USER_TRAP_STACK_PAGES * PAGE_SIZE);
    if (rc < 0) {
        unmap_all();
        return rc;
    }

    memset(res, 0, sizeof(*res));
    result = res;
    running = true;
    unsigned mask = irq_save();
    if (setjmp(kernel_ctx) == 0)
        arch_enter_user(USER_BASE, USER_STACK_TOP, arg);
    /* Back from exit() or a fatal fault, in kernel mode on our own stack. */
    running = false;
    result = NULL;
    unmap_all();
    irq_restore(mask);
    return 0;
}

/* Is [va, va + len) in user space and mapped user-accessible (and
 * writable, if asked)? */
static bool user_range_ok(uint64_t va, uint64_t len, bool write)
{
    uint64_t need = XEN_PTE_PRESENT | XEN_PTE_USER | (write ? XEN_PTE_RW : 0);

    if (va >= USER_TOP || len > USER_TOP - va)
        return false;
    for (uint64_t p = va & ~(PAGE_SIZE - 1); p < va + len; p += PAGE_SIZE) {
        uint64_t pte;
        if (!pt_lookup(p, &pte) || (pte & need) != need)
            return false;
    }
    return true;
}

static long sys_write(uint64_t fd, uint64_t buf, uint64_t len)
{
    if (fd != 1 && fd != 2)
        return -U_EBADF;
    if (len > PAGE_SIZE)
        len = PAGE_SIZE;
    if (!user_range_ok(buf, len, false))
        return -U_EFAULT;
    console_write((const char *)(uintptr_t)buf, len);
    return (long)len;
}

void syscall_dispatch(struct trap_frame *f)
{
    if (!running)
        guest_crash("user: syscall with no program running");
    result->syscalls++;
    switch (f->rax) {
    case SYS_write:
        f->rax = (uint64_t)sys_write(f->rdi, f->rsi, f->rdx);
        break;
    case SYS_getpid:
        f->rax = 1;
        break;
    case SYS_sched_yield:
        thread_yield();
        f->rax = 0;
        break;
    case SYS_exit:
        result->status = (int)f->rdi;
        end_program();
    default:
        f->rax = (uint64_t)-U_ENOSYS;
        break;
    }
}

bool user_fault(struct trap_frame *f, uint64_t cr2)
{
    if (!running)
        return false;
    if (f->vector == TRAP_PF && !(f->error_code & 1) && cr2 >= USER_DEMAND_BASE &&
        cr2 < USER_DEMAND_END) {
        void *page = mm_alloc_zeroed(1);
        if (page != NULL && map_user_page(cr2 & ~(PAGE_SIZE - 1), page, PTE_USER_RW) == 0) {
            result->demand_faults++;
            return true;
        }
        if (page != NULL)
            mm_free_pages(page, 1);
    }
    printk("user: program killed by %s at rip %#lx (address %#lx)\n", trap_name(f->vector),
           (unsigned long)f->rip, (unsigned long)cr2);
    result->killed = true;
    result->fault_vector = f->vector;
    result->fault_addr = cr2;
    result->fault_rip = f->rip;
    end_program();
}
