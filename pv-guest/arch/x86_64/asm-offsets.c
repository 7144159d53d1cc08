/*
 * Constants for the assembly files, taken from the public headers so that
 * entry.S and head.S never carry a private copy of an ABI number. The build
 * compiles this file to assembly and turns each "->NAME value" marker into
 * "#define NAME value" (build/pv-guest/include/asm-offsets.h).
 */
#include "arch/layout.h"
#include "arch/traps.h"
#include "guest/user.h"
#include "public/elfnote.h"
#include "public/sched.h"
#include "public/xen.h"

#define DEFINE(sym, val) __asm__ volatile("\n.ascii \"->" #sym " %c0\"" : : "i"((long)(val)))

void asm_offsets(void);

void asm_offsets(void)
{
    DEFINE(HC_NR_IRET, __HYPERVISOR_iret);
    DEFINE(HC_OFF_IRET, __HYPERVISOR_iret * XEN_HYPERCALL_STUB_SIZE);
    DEFINE(VGCF_IN_SYSCALL, VGCF_in_syscall);
    DEFINE(USER_CS, FLAT_USER_CS64);
    DEFINE(USER_SS, FLAT_USER_SS64);
    DEFINE(TRAP_VEC_EVENT, TRAP_VEC_EVENT);
    DEFINE(TRAP_VEC_SYSCALL, TRAP_VEC_SYSCALL);
    DEFINE(TF_SIZE, sizeof(struct trap_frame));
    DEFINE(A_KERNEL_VIRT_BASE, KERNEL_VIRT_BASE);
    DEFINE(A_USER_DEMAND_BASE, USER_DEMAND_BASE);
    DEFINE(A_USER_BASE, USER_BASE);
    DEFINE(A_SYS_WRITE, SYS_write);
    DEFINE(A_SYS_GETPID, SYS_getpid);
    DEFINE(A_SYS_SCHED_YIELD, SYS_sched_yield);
    DEFINE(A_SYS_EXIT, SYS_exit);
    DEFINE(A_USER_PROG_OK, USER_PROG_OK);
    DEFINE(ELFNOTE_ENTRY, XEN_ELFNOTE_ENTRY);
    DEFINE(ELFNOTE_HYPERCALL_PAGE, XEN_ELFNOTE_HYPERCALL_PAGE);
    DEFINE(ELFNOTE_VIRT_BASE, XEN_ELFNOTE_VIRT_BASE);
    DEFINE(ELFNOTE_PADDR_OFFSET, XEN_ELFNOTE_PADDR_OFFSET);
    DEFINE(ELFNOTE_XEN_VERSION, XEN_ELFNOTE_XEN_VERSION);
    DEFINE(ELFNOTE_GUEST_OS, XEN_ELFNOTE_GUEST_OS);
    DEFINE(ELFNOTE_GUEST_VERSION, XEN_ELFNOTE_GUEST_VERSION);
    DEFINE(ELFNOTE_LOADER, XEN_ELFNOTE_LOADER);
    DEFINE(ELFNOTE_FEATURES, XEN_ELFNOTE_FEATURES);
}
