/*
 * Xenia guest ABI: hypercall numbers, error codes and the memory a guest
 * shares with the hypervisor from its first instruction (start_info,
 * shared_info, vcpu_info).
 *
 * This is the specification, byte for byte compatible with Xen's x86_64 PV
 * ABI (see arch-x86_64.h for the conventions: fixed-width types, guest
 * handles as uint64_t addresses, every layout pinned by static asserts).
 *
 * Calling convention: hypercall number in %rax, arguments in %rdi, %rsi,
 * %rdx, %r10, %r8 (%r9), result in %rax; the instruction is `syscall` from
 * guest kernel mode, either inline or through the hypercall page (128 stubs
 * of 32 bytes, stub N at page + N * 32). Guests must assume %rcx, %r11 and
 * the argument registers clobbered. Failures return a negative XEN_E* value.
 */
#ifndef XENIA_PUBLIC_XEN_H
#define XENIA_PUBLIC_XEN_H

#include <stddef.h>
#include <stdint.h>

#include "arch-x86_64.h"

typedef uint16_t domid_t;
typedef uint64_t xen_pfn_t;     /* a frame number (machine or pseudo-physical) */
typedef uint64_t xen_ulong_t;

/* ---- Hypercall numbers (unused numbers, e.g. 11, return -XEN_ENOSYS) ---- */

#define __HYPERVISOR_set_trap_table          0
#define __HYPERVISOR_mmu_update              1
#define __HYPERVISOR_set_gdt                 2
#define __HYPERVISOR_stack_switch            3
#define __HYPERVISOR_set_callbacks           4
#define __HYPERVISOR_fpu_taskswitch          5
#define __HYPERVISOR_sched_op_compat         6
#define __HYPERVISOR_platform_op             7
#define __HYPERVISOR_set_debugreg            8
#define __HYPERVISOR_get_debugreg            9
#define __HYPERVISOR_update_descriptor      10
#define __HYPERVISOR_memory_op              12
#define __HYPERVISOR_multicall              13
#define __HYPERVISOR_update_va_mapping      14
#define __HYPERVISOR_set_timer_op           15
#define __HYPERVISOR_event_channel_op_compat 16
#define __HYPERVISOR_xen_version            17
#define __HYPERVISOR_console_io             18
#define __HYPERVISOR_physdev_op_compat      19
#define __HYPERVISOR_grant_table_op         20
#define __HYPERVISOR_vm_assist              21
#define __HYPERVISOR_update_va_mapping_otherdomain 22
#define __HYPERVISOR_iret                   23
#define __HYPERVISOR_vcpu_op                24
#define __HYPERVISOR_set_segment_base       25
#define __HYPERVISOR_mmuext_op              26
#define __HYPERVISOR_xsm_op                 27
#define __HYPERVISOR_nmi_op                 28
#define __HYPERVISOR_sched_op               29
#define __HYPERVISOR_callback_op            30
#define __HYPERVISOR_xenoprof_op            31
#define __HYPERVISOR_event_channel_op       32
#define __HYPERVISOR_physdev_op             33
#define __HYPERVISOR_hvm_op                 34
#define __HYPERVISOR_sysctl                 35
#define __HYPERVISOR_domctl                 36
#define __HYPERVISOR_kexec_op               37
#define __HYPERVISOR_tmem_op                38
#define __HYPERVISOR_argo_op                39
#define __HYPERVISOR_xenpmu_op              40
#define __HYPERVISOR_dm_op                  41
#define __HYPERVISOR_hypfs_op               42
#define __HYPERVISOR_arch_0                 48
#define __HYPERVISOR_arch_1                 49
#define __HYPERVISOR_arch_2                 50
#define __HYPERVISOR_arch_3                 51
#define __HYPERVISOR_arch_4                 52
#define __HYPERVISOR_arch_5                 53
#define __HYPERVISOR_arch_6                 54
#define __HYPERVISOR_arch_7                 55

#define XEN_HYPERCALL_PAGE_STUBS  128   /* stubs in the hypercall page */
#define XEN_HYPERCALL_STUB_SIZE   32

/*
 * ---- Error codes ----
 * Hypercalls return -XEN_Exxx; the values are x86 Linux's errno numbers.
 * XEN_EINTR and XEN_ERESTART are internal to Xen (a preempted hypercall is
 * continued, never failed with them), listed so our hypervisor can use the
 * same numbering.
 */
#define XEN_EPERM          1
#define XEN_ENOENT         2
#define XEN_ESRCH          3
#define XEN_EINTR          4
#define XEN_EIO            5
#define XEN_ENXIO          6
#define XEN_E2BIG          7
#define XEN_ENOEXEC        8
#define XEN_EBADF          9
#define XEN_ECHILD        10
#define XEN_EAGAIN        11
#define XEN_EWOULDBLOCK   11
#define XEN_ENOMEM        12
#define XEN_EACCES        13
#define XEN_EFAULT        14
#define XEN_EBUSY         16
#define XEN_EEXIST        17
#define XEN_EXDEV         18
#define XEN_ENODEV        19
#define XEN_EISDIR        21
#define XEN_EINVAL        22
#define XEN_ENFILE        23
#define XEN_EMFILE        24
#define XEN_ENOSPC        28
#define XEN_EROFS         30
#define XEN_EMLINK        31
#define XEN_EDOM          33
#define XEN_ERANGE        34
#define XEN_EDEADLK       35
#define XEN_EDEADLOCK     35
#define XEN_ENAMETOOLONG  36
#define XEN_ENOLCK        37
#define XEN_ENOSYS        38
#define XEN_ENOTEMPTY     39
#define XEN_ENODATA       61
#define XEN_ETIME         62
#define XEN_EBADMSG       74
#define XEN_EOVERFLOW     75
#define XEN_EILSEQ        84
#define XEN_ERESTART      85
#define XEN_ENOTSOCK      88
#define XEN_EOPNOTSUPP    95
#define XEN_EADDRINUSE    98
#define XEN_EADDRNOTAVAIL 99
#define XEN_ENOBUFS      105
#define XEN_EISCONN      106
#define XEN_ENOTCONN     107
#define XEN_ETIMEDOUT    110

/*
 * ---- Virtual interrupts (bound with EVTCHNOP_bind_virq) ----
 * Per-vCPU VIRQs can be bound once on each vCPU; global ones once per
 * domain, on vCPU 0, and may be moved later with EVTCHNOP_bind_vcpu.
 */
#define VIRQ_TIMER       0   /* per vCPU: timer expired */
#define VIRQ_DEBUG       1   /* per vCPU: dump debug state */
#define VIRQ_CONSOLE     2   /* global, dom0: emergency console input */
#define VIRQ_DOM_EXC     3   /* global, dom0: some domain needs attention */
#define VIRQ_TBUF        4   /* global, dom0: trace buffer */
#define VIRQ_DEBUGGER    6   /* global, dom0: a domain paused for debugging */
#define VIRQ_XENOPROF    7   /* per vCPU */
#define VIRQ_CON_RING    8   /* global, dom0: hypervisor console ring */
#define VIRQ_PCPU_STATE  9   /* global, dom0 */
#define VIRQ_MEM_EVENT  10   /* global, dom0 */
#define VIRQ_ENOMEM     12   /* global, dom0: hypervisor heap is low */
#define VIRQ_XENPMU     13   /* per vCPU */
#define VIRQ_ARCH_0     16
#define VIRQ_ARCH_1     17
#define VIRQ_ARCH_2     18
#define VIRQ_ARCH_3     19
#define VIRQ_ARCH_4     20
#define VIRQ_ARCH_5     21
#define VIRQ_ARCH_6     22
#define VIRQ_ARCH_7     23
#define NR_VIRQS        24

/*
 * ---- Domain ids ----
 * Real domains are 0 .. DOMID_FIRST_RESERVED - 1; the rest name special
 * owners or "the caller".
 */
#define DOMID_FIRST_RESERVED 0x7FF0U
#define DOMID_SELF           0x7FF0U   /* the calling domain */
#define DOMID_IO             0x7FF1U   /* owner of I/O memory */
#define DOMID_XEN            0x7FF2U   /* owner of hypervisor pages (M2P...) */
#define DOMID_COW            0x7FF3U   /* owner of shared copy-on-write pages */
#define DOMID_INVALID        0x7FF4U
#define DOMID_IDLE           0x7FFFU

/*
 * ---- mmu_update(reqs, count, done_out, foreigndom) ----
 * Each request's ptr has the command in bits 1:0 and an address above:
 *  MMU_NORMAL_PT_UPDATE: ptr is the machine address of a PTE, val the new
 *    entry; validated like any page-table write.
 *  MMU_MACHPHYS_UPDATE: M2P[ptr >> 12] := val, for a frame the caller owns.
 *  MMU_PT_UPDATE_PRESERVE_AD: as NORMAL, but the A/D bits already in the
 *    entry are kept.
 * foreigndom bits 15:0 name the owner expected of mapped data frames
 * (DOMID_SELF for none); bits 31:16 hold 1 + the owner of the page tables
 * being written, or 0 for the caller.
 */
#define MMU_NORMAL_PT_UPDATE      0
#define MMU_MACHPHYS_UPDATE       1
#define MMU_PT_UPDATE_PRESERVE_AD 2
#define MMU_UPDATE_CMD_MASK       3ULL

struct mmu_update {
    uint64_t ptr;
    uint64_t val;
};
XENIA_ABI_SIZE(struct mmu_update, 16);
XENIA_ABI_OFFSET(struct mmu_update, ptr, 0);
XENIA_ABI_OFFSET(struct mmu_update, val, 8);

/*
 * ---- mmuext_op(ops, count, done_out, foreigndom) ----
 * arg1: PIN/UNPIN/NEW_BASEPTR/NEW_USER_BASEPTR/CLEAR_PAGE/COPY_PAGE/
 *       [UN]MARK_SUPER: a machine frame; INVLPG_*, SET_LDT: a linear address.
 * arg2: SET_LDT: number of LDT entries; *_MULTI: guest address of a vCPU
 *       bitmap; COPY_PAGE: source machine frame.
 */
#define MMUEXT_PIN_L1_TABLE        0
#define MMUEXT_PIN_L2_TABLE        1
#define MMUEXT_PIN_L3_TABLE        2
#define MMUEXT_PIN_L4_TABLE        3
#define MMUEXT_UNPIN_TABLE         4
#define MMUEXT_NEW_BASEPTR         5
#define MMUEXT_TLB_FLUSH_LOCAL     6
#define MMUEXT_INVLPG_LOCAL        7
#define MMUEXT_TLB_FLUSH_MULTI     8
#define MMUEXT_INVLPG_MULTI        9
#define MMUEXT_TLB_FLUSH_ALL      10
#define MMUEXT_INVLPG_ALL         11
#define MMUEXT_FLUSH_CACHE        12
#define MMUEXT_SET_LDT            13
#define MMUEXT_NEW_USER_BASEPTR   15
#define MMUEXT_CLEAR_PAGE         16
#define MMUEXT_COPY_PAGE          17
#define MMUEXT_FLUSH_CACHE_GLOBAL 18
#define MMUEXT_MARK_SUPER         19
#define MMUEXT_UNMARK_SUPER       20

struct mmuext_op {
    uint32_t cmd;
    uint32_t pad0;
    union {
        xen_pfn_t mfn;
        uint64_t  linear_addr;
    } arg1;
    union {
        uint32_t  nr_ents;
        uint64_t  vcpumask;          /* guest address of the bitmap */
        xen_pfn_t src_mfn;
    } arg2;
};
XENIA_ABI_SIZE(struct mmuext_op, 24);
XENIA_ABI_OFFSET(struct mmuext_op, cmd, 0);
XENIA_ABI_OFFSET(struct mmuext_op, arg1, 8);
XENIA_ABI_OFFSET(struct mmuext_op, arg2, 16);

/*
 * ---- update_va_mapping(va, pte, flags) ----
 * flags bits 1:0 choose the flush, bit 2 its scope. With UVMF_MULTI the
 * guest ORs the (8-byte aligned) address of a vCPU bitmap into flags.
 */
#define UVMF_NONE           0x0UL
#define UVMF_TLB_FLUSH      0x1UL
#define UVMF_INVLPG         0x2UL
#define UVMF_FLUSHTYPE_MASK 0x3UL
#define UVMF_MULTI          0x0UL
#define UVMF_LOCAL          0x0UL
#define UVMF_ALL            0x4UL

/* ---- console_io(cmd, count, buffer) ---- */
#define CONSOLEIO_write 0
#define CONSOLEIO_read  1

/* ---- vm_assist(cmd, type) ---- */
#define VMASST_CMD_enable               0
#define VMASST_CMD_disable              1
#define VMASST_TYPE_4gb_segments        0    /* 32-bit guests only */
#define VMASST_TYPE_4gb_segments_notify 1    /* 32-bit guests only */
#define VMASST_TYPE_writable_pagetables 2    /* trap-and-validate L1 writes */
#define VMASST_TYPE_pae_extended_cr3    3    /* 32-bit guests only */
#define VMASST_TYPE_m2p_strict          32   /* hide the M2P from user mode */

/*
 * ---- multicall(calls, nr_calls) ----
 * Each entry is run as hypercall `op` with args[]; its return value lands
 * in `result`.
 */
struct multicall_entry {
    uint64_t op;
    uint64_t result;
    uint64_t args[6];
};
XENIA_ABI_SIZE(struct multicall_entry, 64);
XENIA_ABI_OFFSET(struct multicall_entry, op, 0);
XENIA_ABI_OFFSET(struct multicall_entry, result, 8);
XENIA_ABI_OFFSET(struct multicall_entry, args, 16);

/*
 * ---- Time ----
 * Readers retry while version is odd or changed during the read. Current
 * system time (ns since boot):
 *   system_time + ((((tsc - tsc_timestamp) << tsc_shift) * tsc_to_system_mul) >> 32)
 * with a right shift when tsc_shift is negative.
 */
#define XEN_PVCLOCK_TSC_STABLE_BIT (1U << 0)
#define XEN_PVCLOCK_GUEST_STOPPED  (1U << 1)

struct vcpu_time_info {
    uint32_t version;
    uint32_t pad0;
    uint64_t tsc_timestamp;
    uint64_t system_time;
    uint32_t tsc_to_system_mul;
    int8_t   tsc_shift;
    uint8_t  flags;                /* XEN_PVCLOCK_* */
    uint8_t  pad1[2];
};
XENIA_ABI_SIZE(struct vcpu_time_info, 32);
XENIA_ABI_OFFSET(struct vcpu_time_info, version, 0);
XENIA_ABI_OFFSET(struct vcpu_time_info, tsc_timestamp, 8);
XENIA_ABI_OFFSET(struct vcpu_time_info, system_time, 16);
XENIA_ABI_OFFSET(struct vcpu_time_info, tsc_to_system_mul, 24);
XENIA_ABI_OFFSET(struct vcpu_time_info, tsc_shift, 28);
XENIA_ABI_OFFSET(struct vcpu_time_info, flags, 29);

/*
 * ---- Per-vCPU event state ----
 * The hypervisor sets evtchn_upcall_pending and bits of evtchn_pending_sel
 * (bit i: word i of shared_info.evtchn_pending may have work); the guest
 * clears them before scanning. While evtchn_upcall_mask is non-zero no
 * upcall is delivered; the guest may write both bytes without atomics.
 */
struct vcpu_info {
    uint8_t  evtchn_upcall_pending;
    uint8_t  evtchn_upcall_mask;
    uint8_t  pad0[6];
    uint64_t evtchn_pending_sel;
    struct arch_vcpu_info arch;
    struct vcpu_time_info time;
};
XENIA_ABI_SIZE(struct vcpu_info, 64);
XENIA_ABI_OFFSET(struct vcpu_info, evtchn_upcall_pending, 0);
XENIA_ABI_OFFSET(struct vcpu_info, evtchn_upcall_mask, 1);
XENIA_ABI_OFFSET(struct vcpu_info, evtchn_pending_sel, 8);
XENIA_ABI_OFFSET(struct vcpu_info, arch, 16);
XENIA_ABI_OFFSET(struct vcpu_info, arch.cr2, 16);
XENIA_ABI_OFFSET(struct vcpu_info, time, 32);

/*
 * ---- The shared-info page ----
 * Not mapped at boot: the guest maps the machine address start_info gives it.
 * vCPUs beyond the first 32 need VCPUOP_register_vcpu_info. The 2-level
 * event channel bitmaps cover 64 * 64 = 4096 ports: a port is pending when
 * its bit in evtchn_pending is set, and its 0->1 transition raises an upcall
 * only while its evtchn_mask bit is clear. wc_* is the wall-clock time at
 * system time 0 (seconds: wc_sec_hi:wc_sec), versioned like vcpu_time_info.
 */
#define XEN_LEGACY_MAX_VCPUS 32
#define MAX_VIRT_CPUS        XEN_LEGACY_MAX_VCPUS
#define XEN_EVTCHN_2L_WORDS  64

struct shared_info {
    struct vcpu_info vcpu_info[XEN_LEGACY_MAX_VCPUS];
    uint64_t evtchn_pending[XEN_EVTCHN_2L_WORDS];
    uint64_t evtchn_mask[XEN_EVTCHN_2L_WORDS];
    uint32_t wc_version;
    uint32_t wc_sec;
    uint32_t wc_nsec;
    uint32_t wc_sec_hi;
    struct arch_shared_info arch;
};
XENIA_ABI_SIZE(struct shared_info, 3136);
XENIA_ABI_OFFSET(struct shared_info, vcpu_info, 0);
XENIA_ABI_OFFSET(struct shared_info, evtchn_pending, 2048);
XENIA_ABI_OFFSET(struct shared_info, evtchn_mask, 2560);
XENIA_ABI_OFFSET(struct shared_info, wc_version, 3072);
XENIA_ABI_OFFSET(struct shared_info, wc_sec, 3076);
XENIA_ABI_OFFSET(struct shared_info, wc_nsec, 3080);
XENIA_ABI_OFFSET(struct shared_info, wc_sec_hi, 3084);
XENIA_ABI_OFFSET(struct shared_info, arch, 3088);
_Static_assert(sizeof(struct shared_info) <= 4096, "shared_info fits its page");

/*
 * ---- start_info: the page %rsi points at on entry ----
 * Layout of the initial mapping, from VIRT_BASE upwards, each piece 4 KiB
 * aligned and mapped 1:1 onto the first pseudo-physical frames: kernel,
 * initrd [mod_start, mod_len], p2m list [mfn_list, nr_pages u64 entries],
 * this page (dom0: followed by console info at console.dom0.info_off),
 * domU only: xenstore page, console page; then the boot page tables
 * [pt_base, nr_pt_frames] (read-only), then the boot stack. The region ends
 * on a 4 MiB boundary with at least 512 KiB to spare.
 * Fields up to `console` are rewritten on resume; the rest only at boot.
 */
#define XEN_START_INFO_MAGIC_X86_64 "xen-3.0-x86_64"
#define MAX_GUEST_CMDLINE 1024

#define SIF_PRIVILEGED      (1U << 0)   /* domain may do privileged operations */
#define SIF_INITDOMAIN      (1U << 1)   /* this is dom0 */
#define SIF_MULTIBOOT_MOD   (1U << 2)   /* the module is a multiboot module list */
#define SIF_MOD_START_PFN   (1U << 3)   /* mod_start is a PFN, not a virtual address */
#define SIF_VIRT_P2M_4TOOLS (1U << 4)   /* tools understand a virtually mapped p2m */
#define SIF_PM_MASK         (0xFFU << 8)

struct start_info {
    char     magic[32];             /* XEN_START_INFO_MAGIC_X86_64, NUL padded */
    uint64_t nr_pages;
    uint64_t shared_info;           /* machine address */
    uint32_t flags;                 /* SIF_* */
    uint32_t pad0;
    xen_pfn_t store_mfn;
    uint32_t store_evtchn;
    uint32_t pad1;
    union {
        struct {
            xen_pfn_t mfn;
            uint32_t  evtchn;
            uint32_t  pad;
        } domU;
        struct {
            uint32_t info_off;      /* offset of dom0 console info in this page */
            uint32_t info_size;
        } dom0;
    } console;
    uint64_t pt_base;               /* virtual address of the boot L4 */
    uint64_t nr_pt_frames;
    uint64_t mfn_list;              /* virtual address of the p2m list */
    uint64_t mod_start;             /* virtual address (or PFN, SIF_MOD_START_PFN) */
    uint64_t mod_len;               /* bytes */
    int8_t   cmd_line[MAX_GUEST_CMDLINE];
    uint64_t first_p2m_pfn;         /* pfns of the initial page tables + p2m */
    uint64_t nr_p2m_frames;
};
XENIA_ABI_SIZE(struct start_info, 1168);
XENIA_ABI_OFFSET(struct start_info, magic, 0);
XENIA_ABI_OFFSET(struct start_info, nr_pages, 32);
XENIA_ABI_OFFSET(struct start_info, shared_info, 40);
XENIA_ABI_OFFSET(struct start_info, flags, 48);
XENIA_ABI_OFFSET(struct start_info, store_mfn, 56);
XENIA_ABI_OFFSET(struct start_info, store_evtchn, 64);
XENIA_ABI_OFFSET(struct start_info, console, 72);
XENIA_ABI_OFFSET(struct start_info, console.domU.mfn, 72);
XENIA_ABI_OFFSET(struct start_info, console.domU.evtchn, 80);
XENIA_ABI_OFFSET(struct start_info, console.dom0.info_off, 72);
XENIA_ABI_OFFSET(struct start_info, console.dom0.info_size, 76);
XENIA_ABI_OFFSET(struct start_info, pt_base, 88);
XENIA_ABI_OFFSET(struct start_info, nr_pt_frames, 96);
XENIA_ABI_OFFSET(struct start_info, mfn_list, 104);
XENIA_ABI_OFFSET(struct start_info, mod_start, 112);
XENIA_ABI_OFFSET(struct start_info, mod_len, 120);
XENIA_ABI_OFFSET(struct start_info, cmd_line, 128);
XENIA_ABI_OFFSET(struct start_info, first_p2m_pfn, 1152);
XENIA_ABI_OFFSET(struct start_info, nr_p2m_frames, 1160);

/*
 * A multiboot module list (SIF_MULTIBOOT_MOD): descriptors at the start of
 * the module, addresses relative to the module, ended by mod_start == 0.
 */
struct xen_multiboot_mod_list {
    uint32_t mod_start;
    uint32_t mod_end;               /* last byte, inclusive */
    uint32_t cmdline;
    uint32_t pad;
};
XENIA_ABI_SIZE(struct xen_multiboot_mod_list, 16);

typedef uint8_t xen_domain_handle_t[16];

#endif /* XENIA_PUBLIC_XEN_H */
