/*
 * Xenia guest ABI: the x86_64 machine layer of the PV interface.
 *
 * Everything here is binary-compatible with Xen's 64-bit PV ABI: a guest
 * built against Xen's public headers finds every selector, address, struct
 * size and field offset it expects. xen.h includes this file; it can also be
 * included on its own.
 *
 * Conventions for all of include/public/:
 *  - Only fixed-width types. Every field Xen declares as `unsigned long` or
 *    `xen_ulong_t` is a uint64_t here; the ABI is x86_64-only.
 *  - A guest pointer inside an argument struct (Xen's XEN_GUEST_HANDLE,
 *    which on x86_64 is a struct holding one plain pointer) is a uint64_t
 *    holding the guest virtual address. Guests fill it with xen_gaddr();
 *    the hypervisor never dereferences it, it copies through the guest's
 *    page tables.
 *  - The size of every struct and the offset of every field is pinned below
 *    its definition with XENIA_ABI_SIZE / XENIA_ABI_OFFSET; tests/abi checks
 *    the same numbers again at run time from a readable table.
 */
#ifndef XENIA_PUBLIC_ARCH_X86_64_H
#define XENIA_PUBLIC_ARCH_X86_64_H

#include <stddef.h>
#include <stdint.h>

#define XENIA_ABI_SIZE(type, n) \
    _Static_assert(sizeof(type) == (n), "ABI: size of " #type)
#define XENIA_ABI_OFFSET(type, field, n) \
    _Static_assert(offsetof(type, field) == (n), "ABI: offset of " #type "." #field)

_Static_assert(sizeof(void *) == 8 && _Alignof(uint64_t) == 8,
               "the Xenia guest ABI is defined for x86_64 (LP64) only");

/* A guest virtual address as stored in a handle field. */
static inline uint64_t xen_gaddr(const volatile void *p)
{
    return (uint64_t)(uintptr_t)p;
}

/* ---- Pages and page-table entries (4-level long-mode paging) ---- */

#define XEN_PAGE_SHIFT      12
#define XEN_PAGE_SIZE       4096UL
#define XEN_PTES_PER_TABLE  512

#define XEN_PTE_PRESENT     (1ULL << 0)
#define XEN_PTE_RW          (1ULL << 1)
#define XEN_PTE_USER        (1ULL << 2)
#define XEN_PTE_PWT         (1ULL << 3)
#define XEN_PTE_PCD         (1ULL << 4)
#define XEN_PTE_ACCESSED    (1ULL << 5)
#define XEN_PTE_DIRTY       (1ULL << 6)
#define XEN_PTE_PSE         (1ULL << 7)   /* L2/L3: large page */
#define XEN_PTE_PAT         (1ULL << 7)   /* L1: PAT index bit 2 */
#define XEN_PTE_GLOBAL      (1ULL << 8)
#define XEN_PTE_AVAIL_MASK  (7ULL << 9)   /* bits 9-11 are the guest's */
#define XEN_PTE_NX          (1ULL << 63)
#define XEN_PTE_ADDR_MASK   0x000FFFFFFFFFF000ULL

/* cr3 <-> frame number, as guests encode it in vcpu_guest_context.ctrlreg. */
#define xen_pfn_to_cr3(pfn) ((uint64_t)(pfn) << XEN_PAGE_SHIFT)
#define xen_cr3_to_pfn(cr3) ((uint64_t)(cr3) >> XEN_PAGE_SHIFT)

/*
 * ---- The hypervisor hole ----
 * L4 slots 256..271 of every guest address space belong to the hypervisor.
 * Its start holds the read-only machine-to-physical table: one uint64_t per
 * machine frame, holding the pseudo-physical frame the owner maps it at.
 */
#define HYPERVISOR_VIRT_START   0xFFFF800000000000ULL
#define HYPERVISOR_VIRT_END     0xFFFF880000000000ULL   /* exclusive */
#define MACH2PHYS_VIRT_START    0xFFFF800000000000ULL
#define MACH2PHYS_VIRT_END      0xFFFF804000000000ULL   /* exclusive */
#define MACH2PHYS_NR_ENTRIES    ((MACH2PHYS_VIRT_END - MACH2PHYS_VIRT_START) >> 3)

/*
 * ---- Flat segments ----
 * Guest kernel and guest user space both run in ring 3. The hypervisor owns
 * GDT pages 14 and up (entries 7168..); its flat descriptors are there, so a
 * guest can run without a GDT of its own. 64-bit data selectors are null.
 */
#define FIRST_RESERVED_GDT_PAGE  14
#define FIRST_RESERVED_GDT_BYTE  (FIRST_RESERVED_GDT_PAGE * 4096)
#define FIRST_RESERVED_GDT_ENTRY (FIRST_RESERVED_GDT_BYTE / 8)

#define FLAT_RING3_CS32  0xe023   /* GDT entry 7172, RPL 3 */
#define FLAT_RING3_CS64  0xe033   /* GDT entry 7174, RPL 3 */
#define FLAT_RING3_DS32  0xe02b   /* GDT entry 7173, RPL 3 */
#define FLAT_RING3_DS64  0x0000
#define FLAT_RING3_SS32  0xe02b
#define FLAT_RING3_SS64  0xe02b

#define FLAT_KERNEL_CS64 FLAT_RING3_CS64
#define FLAT_KERNEL_CS32 FLAT_RING3_CS32
#define FLAT_KERNEL_CS   FLAT_KERNEL_CS64
#define FLAT_KERNEL_DS64 FLAT_RING3_DS64
#define FLAT_KERNEL_DS32 FLAT_RING3_DS32
#define FLAT_KERNEL_DS   FLAT_KERNEL_DS64
#define FLAT_KERNEL_SS64 FLAT_RING3_SS64
#define FLAT_KERNEL_SS32 FLAT_RING3_SS32
#define FLAT_KERNEL_SS   FLAT_KERNEL_SS64

#define FLAT_USER_CS64   FLAT_RING3_CS64
#define FLAT_USER_CS32   FLAT_RING3_CS32
#define FLAT_USER_CS     FLAT_USER_CS64
#define FLAT_USER_DS64   FLAT_RING3_DS64
#define FLAT_USER_DS32   FLAT_RING3_DS32
#define FLAT_USER_DS     FLAT_USER_DS64
#define FLAT_USER_SS64   FLAT_RING3_SS64
#define FLAT_USER_SS32   FLAT_RING3_SS32
#define FLAT_USER_SS     FLAT_USER_SS64

/* set_segment_base(which, base): which base register to load. */
#define SEGBASE_FS          0
#define SEGBASE_GS_USER     1
#define SEGBASE_GS_KERNEL   2
#define SEGBASE_GS_USER_SEL 3   /* base[15:0] is a selector to load in user %gs */

/*
 * Forced-emulation prefix: `ud2; .ascii "xen"` before `cpuid` makes the
 * hypervisor emulate the CPUID that follows (PV guests cannot otherwise
 * see the hypervisor's filtered CPUID).
 */
#define XEN_EMULATE_PREFIX_BYTES { 0x0f, 0x0b, 0x78, 0x65, 0x6e }
#define XEN_EMULATE_PREFIX_LEN   5

/* Callback addresses are plain 64-bit virtual addresses. */
typedef uint64_t xen_callback_t;

/*
 * ---- Virtual IDT: set_trap_table ----
 * An array of trap_info, ended by an entry whose address is 0. flags bits
 * 0-1 are the DPL checked for software `int N` (0: nobody, 1 or 2: kernel
 * only, 3: everyone); bit 2 set masks events (sets the upcall mask) on entry.
 */
#define TRAP_INFO_DPL_MASK     0x3
#define TRAP_INFO_MASK_EVENTS  0x4

struct trap_info {
    uint8_t  vector;
    uint8_t  flags;
    uint16_t cs;
    uint32_t pad0;
    uint64_t address;
};
XENIA_ABI_SIZE(struct trap_info, 16);
XENIA_ABI_OFFSET(struct trap_info, vector, 0);
XENIA_ABI_OFFSET(struct trap_info, flags, 1);
XENIA_ABI_OFFSET(struct trap_info, cs, 2);
XENIA_ABI_OFFSET(struct trap_info, address, 8);

/*
 * ---- The iret hypercall (#23) ----
 * The guest pushes this frame and executes the hypercall with %rsp pointing
 * at rax (the hypercall page stub pushes rcx, r11, rax itself). When flags
 * has VGCF_in_syscall, only rax, rip, rflags and rsp are restored (return
 * from a syscall: rcx, r11, cs and ss are dropped); otherwise everything in
 * the frame is. An RPL-3 user cs switches the vCPU to user mode and the user
 * L4. The new upcall mask is !rflags.IF.
 */
#define _VGCF_in_syscall 8
#define VGCF_in_syscall  (1U << _VGCF_in_syscall)
#define VGCF_IN_SYSCALL  VGCF_in_syscall

struct iret_context {
    uint64_t rax;      /* lowest address: %rsp at the hypercall */
    uint64_t r11;
    uint64_t rcx;
    uint64_t flags;    /* VGCF_in_syscall */
    uint64_t rip;
    uint64_t cs;
    uint64_t rflags;
    uint64_t rsp;
    uint64_t ss;
};
XENIA_ABI_SIZE(struct iret_context, 72);
XENIA_ABI_OFFSET(struct iret_context, rax, 0);
XENIA_ABI_OFFSET(struct iret_context, r11, 8);
XENIA_ABI_OFFSET(struct iret_context, rcx, 16);
XENIA_ABI_OFFSET(struct iret_context, flags, 24);
XENIA_ABI_OFFSET(struct iret_context, rip, 32);
XENIA_ABI_OFFSET(struct iret_context, cs, 40);
XENIA_ABI_OFFSET(struct iret_context, rflags, 48);
XENIA_ABI_OFFSET(struct iret_context, rsp, 56);
XENIA_ABI_OFFSET(struct iret_context, ss, 64);

/*
 * ---- Register file, as exchanged in vcpu_guest_context ----
 * error_code and entry_vector are the hypervisor's scratch space. The upper
 * half of the cs slot carries the saved upcall mask (byte 140), which is
 * what lets a bounce frame restore the mask on iret.
 */
struct cpu_user_regs {
    uint64_t r15, r14, r13, r12;
    uint64_t rbp, rbx;
    uint64_t r11, r10, r9, r8;
    uint64_t rax, rcx, rdx, rsi, rdi;
    uint32_t error_code;
    uint32_t entry_vector;
    uint64_t rip;
    uint16_t cs;
    uint16_t pad0;
    uint8_t  saved_upcall_mask;
    uint8_t  pad1[3];
    uint64_t rflags;        /* IF == !saved_upcall_mask */
    uint64_t rsp;
    uint16_t ss, pad2[3];
    uint16_t es, pad3[3];
    uint16_t ds, pad4[3];
    uint16_t fs, pad5[3];   /* non-zero: wins over fs_base */
    uint16_t gs, pad6[3];   /* non-zero: wins over gs_base_user */
};
XENIA_ABI_SIZE(struct cpu_user_regs, 200);
XENIA_ABI_OFFSET(struct cpu_user_regs, r15, 0);
XENIA_ABI_OFFSET(struct cpu_user_regs, rbp, 32);
XENIA_ABI_OFFSET(struct cpu_user_regs, rbx, 40);
XENIA_ABI_OFFSET(struct cpu_user_regs, r11, 48);
XENIA_ABI_OFFSET(struct cpu_user_regs, r8, 72);
XENIA_ABI_OFFSET(struct cpu_user_regs, rax, 80);
XENIA_ABI_OFFSET(struct cpu_user_regs, rcx, 88);
XENIA_ABI_OFFSET(struct cpu_user_regs, rdx, 96);
XENIA_ABI_OFFSET(struct cpu_user_regs, rsi, 104);
XENIA_ABI_OFFSET(struct cpu_user_regs, rdi, 112);
XENIA_ABI_OFFSET(struct cpu_user_regs, error_code, 120);
XENIA_ABI_OFFSET(struct cpu_user_regs, entry_vector, 124);
XENIA_ABI_OFFSET(struct cpu_user_regs, rip, 128);
XENIA_ABI_OFFSET(struct cpu_user_regs, cs, 136);
XENIA_ABI_OFFSET(struct cpu_user_regs, saved_upcall_mask, 140);
XENIA_ABI_OFFSET(struct cpu_user_regs, rflags, 144);
XENIA_ABI_OFFSET(struct cpu_user_regs, rsp, 152);
XENIA_ABI_OFFSET(struct cpu_user_regs, ss, 160);
XENIA_ABI_OFFSET(struct cpu_user_regs, es, 168);
XENIA_ABI_OFFSET(struct cpu_user_regs, ds, 176);
XENIA_ABI_OFFSET(struct cpu_user_regs, fs, 184);
XENIA_ABI_OFFSET(struct cpu_user_regs, gs, 192);

/*
 * ---- Complete vCPU state: VCPUOP_initialise (and the toolstack) ----
 * The user L4 of a 64-bit PV vCPU travels in ctrlreg[1], the kernel L4 in
 * ctrlreg[3], both as xen_pfn_to_cr3(mfn). kernel_ss/kernel_sp is the stack
 * the hypervisor switches to on a ring change (stack_switch).
 */
#define VGCF_I387_VALID                (1U << 0)
#define VGCF_IN_KERNEL                 (1U << 2)
#define _VGCF_i387_valid               0
#define VGCF_i387_valid                (1U << _VGCF_i387_valid)
#define _VGCF_in_kernel                2
#define VGCF_in_kernel                 (1U << _VGCF_in_kernel)
#define _VGCF_failsafe_disables_events 3
#define VGCF_failsafe_disables_events  (1U << _VGCF_failsafe_disables_events)
#define _VGCF_syscall_disables_events  4
#define VGCF_syscall_disables_events   (1U << _VGCF_syscall_disables_events)
#define _VGCF_online                   5
#define VGCF_online                    (1U << _VGCF_online)

struct vcpu_guest_context {
    uint8_t  fpu_ctxt[512];            /* FXSAVE image */
    uint64_t flags;                    /* VGCF_* */
    struct cpu_user_regs user_regs;
    struct trap_info trap_ctxt[256];
    uint64_t ldt_base, ldt_ents;
    uint64_t gdt_frames[16], gdt_ents;
    uint64_t kernel_ss, kernel_sp;
    uint64_t ctrlreg[8];
    uint64_t debugreg[8];
    uint64_t event_callback_eip;
    uint64_t failsafe_callback_eip;
    uint64_t syscall_callback_eip;
    uint64_t vm_assist;                /* bitmap of VMASST_TYPE_* */
    uint64_t fs_base;
    uint64_t gs_base_kernel;
    uint64_t gs_base_user;
};
XENIA_ABI_SIZE(struct vcpu_guest_context, 5168);
XENIA_ABI_OFFSET(struct vcpu_guest_context, fpu_ctxt, 0);
XENIA_ABI_OFFSET(struct vcpu_guest_context, flags, 512);
XENIA_ABI_OFFSET(struct vcpu_guest_context, user_regs, 520);
XENIA_ABI_OFFSET(struct vcpu_guest_context, trap_ctxt, 720);
XENIA_ABI_OFFSET(struct vcpu_guest_context, ldt_base, 4816);
XENIA_ABI_OFFSET(struct vcpu_guest_context, ldt_ents, 4824);
XENIA_ABI_OFFSET(struct vcpu_guest_context, gdt_frames, 4832);
XENIA_ABI_OFFSET(struct vcpu_guest_context, gdt_ents, 4960);
XENIA_ABI_OFFSET(struct vcpu_guest_context, kernel_ss, 4968);
XENIA_ABI_OFFSET(struct vcpu_guest_context, kernel_sp, 4976);
XENIA_ABI_OFFSET(struct vcpu_guest_context, ctrlreg, 4984);
XENIA_ABI_OFFSET(struct vcpu_guest_context, debugreg, 5048);
XENIA_ABI_OFFSET(struct vcpu_guest_context, event_callback_eip, 5112);
XENIA_ABI_OFFSET(struct vcpu_guest_context, failsafe_callback_eip, 5120);
XENIA_ABI_OFFSET(struct vcpu_guest_context, syscall_callback_eip, 5128);
XENIA_ABI_OFFSET(struct vcpu_guest_context, vm_assist, 5136);
XENIA_ABI_OFFSET(struct vcpu_guest_context, fs_base, 5144);
XENIA_ABI_OFFSET(struct vcpu_guest_context, gs_base_kernel, 5152);
XENIA_ABI_OFFSET(struct vcpu_guest_context, gs_base_user, 5160);

/* ---- Architecture parts of vcpu_info and shared_info ---- */

struct arch_vcpu_info {
    uint64_t cr2;      /* written on every page fault bounced to the guest */
    uint64_t pad;
};
XENIA_ABI_SIZE(struct arch_vcpu_info, 16);
XENIA_ABI_OFFSET(struct arch_vcpu_info, cr2, 0);

/*
 * The p2m description that tools read: max_pfn entries, reachable through
 * the 3-level frame list (0: not set up, ~0: too large, use p2m_vaddr) or,
 * when p2m_cr3 != 0, through the linear list at p2m_vaddr in the address
 * space p2m_cr3. p2m_generation is odd while the guest changes the mapping.
 */
struct arch_shared_info {
    uint64_t max_pfn;
    uint64_t pfn_to_mfn_frame_list_list;
    uint64_t nmi_reason;               /* XEN_NMIREASON_* */
    uint64_t p2m_cr3;
    uint64_t p2m_vaddr;
    uint64_t p2m_generation;
};
XENIA_ABI_SIZE(struct arch_shared_info, 48);
XENIA_ABI_OFFSET(struct arch_shared_info, max_pfn, 0);
XENIA_ABI_OFFSET(struct arch_shared_info, pfn_to_mfn_frame_list_list, 8);
XENIA_ABI_OFFSET(struct arch_shared_info, nmi_reason, 16);
XENIA_ABI_OFFSET(struct arch_shared_info, p2m_cr3, 24);
XENIA_ABI_OFFSET(struct arch_shared_info, p2m_vaddr, 32);
XENIA_ABI_OFFSET(struct arch_shared_info, p2m_generation, 40);

#endif /* XENIA_PUBLIC_ARCH_X86_64_H */
