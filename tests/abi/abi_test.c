/*
 * The guest ABI, restated as tables of numbers and checked at run time.
 *
 * The headers pin the same facts with _Static_assert; this file is the
 * readable copy of the specification (each number checked against Xen's
 * public headers), and a failure names the struct, field or constant that
 * moved. Beyond the tables, a few tests check relations between constants
 * (selectors inside the reserved GDT area, flags not overlapping, ...).
 */
#include <check.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "public/callback.h"
#include "public/elfnote.h"
#include "public/event_channel.h"
#include "public/features.h"
#include "public/grant_table.h"
#include "public/memory.h"
#include "public/nmi.h"
#include "public/physdev.h"
#include "public/sched.h"
#include "public/vcpu.h"
#include "public/version.h"
#include "public/xen.h"

struct abi_row {
    const char *what;
    long long got;
    long long want;
};

#define SIZE(type, n)        { "sizeof(" #type ")", (long long)sizeof(type), n }
#define OFF(type, field, n)  { #type "." #field, (long long)offsetof(type, field), n }
#define VAL(name, n)         { #name, (long long)(name), n }

static const struct abi_row layout_rows[] = {
    /* xen.h */
    SIZE(struct mmu_update, 16),
    OFF(struct mmu_update, ptr, 0),
    OFF(struct mmu_update, val, 8),
    SIZE(struct mmuext_op, 24),
    OFF(struct mmuext_op, cmd, 0),
    OFF(struct mmuext_op, arg1.mfn, 8),
    OFF(struct mmuext_op, arg1.linear_addr, 8),
    OFF(struct mmuext_op, arg2.nr_ents, 16),
    OFF(struct mmuext_op, arg2.vcpumask, 16),
    OFF(struct mmuext_op, arg2.src_mfn, 16),
    SIZE(struct multicall_entry, 64),
    OFF(struct multicall_entry, op, 0),
    OFF(struct multicall_entry, result, 8),
    OFF(struct multicall_entry, args, 16),
    SIZE(struct vcpu_time_info, 32),
    OFF(struct vcpu_time_info, version, 0),
    OFF(struct vcpu_time_info, tsc_timestamp, 8),
    OFF(struct vcpu_time_info, system_time, 16),
    OFF(struct vcpu_time_info, tsc_to_system_mul, 24),
    OFF(struct vcpu_time_info, tsc_shift, 28),
    OFF(struct vcpu_time_info, flags, 29),
    SIZE(struct vcpu_info, 64),
    OFF(struct vcpu_info, evtchn_upcall_pending, 0),
    OFF(struct vcpu_info, evtchn_upcall_mask, 1),
    OFF(struct vcpu_info, evtchn_pending_sel, 8),
    OFF(struct vcpu_info, arch.cr2, 16),
    OFF(struct vcpu_info, time, 32),
    OFF(struct vcpu_info, time.tsc_timestamp, 40),
    SIZE(struct arch_vcpu_info, 16),
    SIZE(struct arch_shared_info, 48),
    OFF(struct arch_shared_info, max_pfn, 0),
    OFF(struct arch_shared_info, pfn_to_mfn_frame_list_list, 8),
    OFF(struct arch_shared_info, nmi_reason, 16),
    OFF(struct arch_shared_info, p2m_cr3, 24),
    OFF(struct arch_shared_info, p2m_vaddr, 32),
    OFF(struct arch_shared_info, p2m_generation, 40),
    SIZE(struct shared_info, 3136),
    OFF(struct shared_info, vcpu_info, 0),
    OFF(struct shared_info, vcpu_info[1], 64),
    OFF(struct shared_info, vcpu_info[31].time, 2016),
    OFF(struct shared_info, evtchn_pending, 2048),
    OFF(struct shared_info, evtchn_mask, 2560),
    OFF(struct shared_info, wc_version, 3072),
    OFF(struct shared_info, wc_sec, 3076),
    OFF(struct shared_info, wc_nsec, 3080),
    OFF(struct shared_info, wc_sec_hi, 3084),
    OFF(struct shared_info, arch, 3088),
    OFF(struct shared_info, arch.p2m_generation, 3128),
    SIZE(struct start_info, 1168),
    OFF(struct start_info, magic, 0),
    OFF(struct start_info, nr_pages, 32),
    OFF(struct start_info, shared_info, 40),
    OFF(struct start_info, flags, 48),
    OFF(struct start_info, store_mfn, 56),
    OFF(struct start_info, store_evtchn, 64),
    OFF(struct start_info, console.domU.mfn, 72),
    OFF(struct start_info, console.domU.evtchn, 80),
    OFF(struct start_info, console.dom0.info_off, 72),
    OFF(struct start_info, console.dom0.info_size, 76),
    OFF(struct start_info, pt_base, 88),
    OFF(struct start_info, nr_pt_frames, 96),
    OFF(struct start_info, mfn_list, 104),
    OFF(struct start_info, mod_start, 112),
    OFF(struct start_info, mod_len, 120),
    OFF(struct start_info, cmd_line, 128),
    OFF(struct start_info, first_p2m_pfn, 1152),
    OFF(struct start_info, nr_p2m_frames, 1160),
    SIZE(struct xen_multiboot_mod_list, 16),

    /* arch-x86_64.h */
    SIZE(struct trap_info, 16),
    OFF(struct trap_info, vector, 0),
    OFF(struct trap_info, flags, 1),
    OFF(struct trap_info, cs, 2),
    OFF(struct trap_info, address, 8),
    SIZE(struct iret_context, 72),
    OFF(struct iret_context, rax, 0),
    OFF(struct iret_context, r11, 8),
    OFF(struct iret_context, rcx, 16),
    OFF(struct iret_context, flags, 24),
    OFF(struct iret_context, rip, 32),
    OFF(struct iret_context, cs, 40),
    OFF(struct iret_context, rflags, 48),
    OFF(struct iret_context, rsp, 56),
    OFF(struct iret_context, ss, 64),
    SIZE(struct cpu_user_regs, 200),
    OFF(struct cpu_user_regs, r15, 0),
    OFF(struct cpu_user_regs, r14, 8),
    OFF(struct cpu_user_regs, r13, 16),
    OFF(struct cpu_user_regs, r12, 24),
    OFF(struct cpu_user_regs, rbp, 32),
    OFF(struct cpu_user_regs, rbx, 40),
    OFF(struct cpu_user_regs, r11, 48),
    OFF(struct cpu_user_regs, r10, 56),
    OFF(struct cpu_user_regs, r9, 64),
    OFF(struct cpu_user_regs, r8, 72),
    OFF(struct cpu_user_regs, rax, 80),
    OFF(struct cpu_user_regs, rcx, 88),
    OFF(struct cpu_user_regs, rdx, 96),
    OFF(struct cpu_user_regs, rsi, 104),
    OFF(struct cpu_user_regs, rdi, 112),
    OFF(struct cpu_user_regs, error_code, 120),
    OFF(struct cpu_user_regs, entry_vector, 124),
    OFF(struct cpu_user_regs, rip, 128),
    OFF(struct cpu_user_regs, cs, 136),
    OFF(struct cpu_user_regs, saved_upcall_mask, 140),
    OFF(struct cpu_user_regs, rflags, 144),
    OFF(struct cpu_user_regs, rsp, 152),
    OFF(struct cpu_user_regs, ss, 160),
    OFF(struct cpu_user_regs, es, 168),
    OFF(struct cpu_user_regs, ds, 176),
    OFF(struct cpu_user_regs, fs, 184),
    OFF(struct cpu_user_regs, gs, 192),
    SIZE(struct vcpu_guest_context, 5168),
    OFF(struct vcpu_guest_context, fpu_ctxt, 0),
    OFF(struct vcpu_guest_context, flags, 512),
    OFF(struct vcpu_guest_context, user_regs, 520),
    OFF(struct vcpu_guest_context, user_regs.rip, 648),
    OFF(struct vcpu_guest_context, trap_ctxt, 720),
    OFF(struct vcpu_guest_context, trap_ctxt[255], 4800),
    OFF(struct vcpu_guest_context, ldt_base, 4816),
    OFF(struct vcpu_guest_context, ldt_ents, 4824),
    OFF(struct vcpu_guest_context, gdt_frames, 4832),
    OFF(struct vcpu_guest_context, gdt_ents, 4960),
    OFF(struct vcpu_guest_context, kernel_ss, 4968),
    OFF(struct vcpu_guest_context, kernel_sp, 4976),
    OFF(struct vcpu_guest_context, ctrlreg, 4984),
    OFF(struct vcpu_guest_context, ctrlreg[3], 5008),
    OFF(struct vcpu_guest_context, debugreg, 5048),
    OFF(struct vcpu_guest_context, event_callback_eip, 5112),
    OFF(struct vcpu_guest_context, failsafe_callback_eip, 5120),
    OFF(struct vcpu_guest_context, syscall_callback_eip, 5128),
    OFF(struct vcpu_guest_context, vm_assist, 5136),
    OFF(struct vcpu_guest_context, fs_base, 5144),
    OFF(struct vcpu_guest_context, gs_base_kernel, 5152),
    OFF(struct vcpu_guest_context, gs_base_user, 5160),

    /* event_channel.h */
    SIZE(struct evtchn_alloc_unbound, 8),
    OFF(struct evtchn_alloc_unbound, dom, 0),
    OFF(struct evtchn_alloc_unbound, remote_dom, 2),
    OFF(struct evtchn_alloc_unbound, port, 4),
    SIZE(struct evtchn_bind_interdomain, 12),
    OFF(struct evtchn_bind_interdomain, remote_dom, 0),
    OFF(struct evtchn_bind_interdomain, remote_port, 4),
    OFF(struct evtchn_bind_interdomain, local_port, 8),
    SIZE(struct evtchn_bind_virq, 12),
    OFF(struct evtchn_bind_virq, virq, 0),
    OFF(struct evtchn_bind_virq, vcpu, 4),
    OFF(struct evtchn_bind_virq, port, 8),
    SIZE(struct evtchn_bind_pirq, 12),
    OFF(struct evtchn_bind_pirq, port, 8),
    SIZE(struct evtchn_bind_ipi, 8),
    OFF(struct evtchn_bind_ipi, vcpu, 0),
    OFF(struct evtchn_bind_ipi, port, 4),
    SIZE(struct evtchn_close, 4),
    SIZE(struct evtchn_send, 4),
    SIZE(struct evtchn_status, 24),
    OFF(struct evtchn_status, dom, 0),
    OFF(struct evtchn_status, port, 4),
    OFF(struct evtchn_status, status, 8),
    OFF(struct evtchn_status, vcpu, 12),
    OFF(struct evtchn_status, u.unbound.dom, 16),
    OFF(struct evtchn_status, u.interdomain.dom, 16),
    OFF(struct evtchn_status, u.interdomain.port, 20),
    OFF(struct evtchn_status, u.pirq, 16),
    OFF(struct evtchn_status, u.virq, 16),
    SIZE(struct evtchn_bind_vcpu, 8),
    OFF(struct evtchn_bind_vcpu, vcpu, 4),
    SIZE(struct evtchn_unmask, 4),
    SIZE(struct evtchn_reset, 2),
    SIZE(struct evtchn_init_control, 24),
    OFF(struct evtchn_init_control, control_gfn, 0),
    OFF(struct evtchn_init_control, offset, 8),
    OFF(struct evtchn_init_control, vcpu, 12),
    OFF(struct evtchn_init_control, link_bits, 16),
    SIZE(struct evtchn_expand_array, 8),
    SIZE(struct evtchn_set_priority, 8),

    /* grant_table.h */
    SIZE(struct grant_entry_v1, 8),
    OFF(struct grant_entry_v1, flags, 0),
    OFF(struct grant_entry_v1, domid, 2),
    OFF(struct grant_entry_v1, frame, 4),
    SIZE(struct gnttab_map_grant_ref, 32),
    OFF(struct gnttab_map_grant_ref, host_addr, 0),
    OFF(struct gnttab_map_grant_ref, flags, 8),
    OFF(struct gnttab_map_grant_ref, ref, 12),
    OFF(struct gnttab_map_grant_ref, dom, 16),
    OFF(struct gnttab_map_grant_ref, status, 18),
    OFF(struct gnttab_map_grant_ref, handle, 20),
    OFF(struct gnttab_map_grant_ref, dev_bus_addr, 24),
    SIZE(struct gnttab_unmap_grant_ref, 24),
    OFF(struct gnttab_unmap_grant_ref, host_addr, 0),
    OFF(struct gnttab_unmap_grant_ref, dev_bus_addr, 8),
    OFF(struct gnttab_unmap_grant_ref, handle, 16),
    OFF(struct gnttab_unmap_grant_ref, status, 20),
    SIZE(struct gnttab_setup_table, 24),
    OFF(struct gnttab_setup_table, dom, 0),
    OFF(struct gnttab_setup_table, nr_frames, 4),
    OFF(struct gnttab_setup_table, status, 8),
    OFF(struct gnttab_setup_table, frame_list, 16),
    SIZE(struct gnttab_dump_table, 4),
    SIZE(struct gnttab_transfer, 24),
    OFF(struct gnttab_transfer, mfn, 0),
    OFF(struct gnttab_transfer, domid, 8),
    OFF(struct gnttab_transfer, ref, 12),
    OFF(struct gnttab_transfer, status, 16),
    SIZE(struct gnttab_copy_ptr, 16),
    OFF(struct gnttab_copy_ptr, u.ref, 0),
    OFF(struct gnttab_copy_ptr, u.gmfn, 0),
    OFF(struct gnttab_copy_ptr, domid, 8),
    OFF(struct gnttab_copy_ptr, offset, 10),
    SIZE(struct gnttab_copy, 40),
    OFF(struct gnttab_copy, source, 0),
    OFF(struct gnttab_copy, dest, 16),
    OFF(struct gnttab_copy, len, 32),
    OFF(struct gnttab_copy, flags, 34),
    OFF(struct gnttab_copy, status, 36),
    SIZE(struct gnttab_query_size, 16),
    OFF(struct gnttab_query_size, dom, 0),
    OFF(struct gnttab_query_size, nr_frames, 4),
    OFF(struct gnttab_query_size, max_nr_frames, 8),
    OFF(struct gnttab_query_size, status, 12),
    SIZE(struct gnttab_unmap_and_replace, 24),
    OFF(struct gnttab_unmap_and_replace, new_addr, 8),
    OFF(struct gnttab_unmap_and_replace, handle, 16),
    OFF(struct gnttab_unmap_and_replace, status, 20),
    SIZE(struct gnttab_set_version, 4),
    SIZE(struct gnttab_get_version, 8),
    OFF(struct gnttab_get_version, version, 4),
    SIZE(struct gnttab_get_status_frames, 16),
    OFF(struct gnttab_get_status_frames, dom, 4),
    OFF(struct gnttab_get_status_frames, status, 6),
    OFF(struct gnttab_get_status_frames, frame_list, 8),

    /* memory.h */
    SIZE(struct xen_memory_reservation, 32),
    OFF(struct xen_memory_reservation, extent_start, 0),
    OFF(struct xen_memory_reservation, nr_extents, 8),
    OFF(struct xen_memory_reservation, extent_order, 16),
    OFF(struct xen_memory_reservation, mem_flags, 20),
    OFF(struct xen_memory_reservation, domid, 24),
    SIZE(struct xen_memory_exchange, 72),
    OFF(struct xen_memory_exchange, in, 0),
    OFF(struct xen_memory_exchange, out, 32),
    OFF(struct xen_memory_exchange, nr_exchanged, 64),
    SIZE(struct xen_machphys_mfn_list, 24),
    OFF(struct xen_machphys_mfn_list, max_extents, 0),
    OFF(struct xen_machphys_mfn_list, extent_start, 8),
    OFF(struct xen_machphys_mfn_list, nr_extents, 16),
    SIZE(struct xen_machphys_mapping, 24),
    OFF(struct xen_machphys_mapping, v_start, 0),
    OFF(struct xen_machphys_mapping, v_end, 8),
    OFF(struct xen_machphys_mapping, max_mfn, 16),
    SIZE(struct xen_add_to_physmap, 24),
    OFF(struct xen_add_to_physmap, domid, 0),
    OFF(struct xen_add_to_physmap, size, 2),
    OFF(struct xen_add_to_physmap, space, 4),
    OFF(struct xen_add_to_physmap, idx, 8),
    OFF(struct xen_add_to_physmap, gpfn, 16),
    SIZE(struct xen_remove_from_physmap, 16),
    OFF(struct xen_remove_from_physmap, gpfn, 8),
    SIZE(struct xen_memory_map, 16),
    OFF(struct xen_memory_map, nr_entries, 0),
    OFF(struct xen_memory_map, buffer, 8),
    SIZE(struct xen_foreign_memory_map, 24),
    OFF(struct xen_foreign_memory_map, map, 8),
    SIZE(struct xen_e820_entry, 20),
    OFF(struct xen_e820_entry, addr, 0),
    OFF(struct xen_e820_entry, size, 8),
    OFF(struct xen_e820_entry, type, 16),

    /* sched.h */
    SIZE(struct sched_shutdown, 4),
    SIZE(struct sched_poll, 24),
    OFF(struct sched_poll, ports, 0),
    OFF(struct sched_poll, nr_ports, 8),
    OFF(struct sched_poll, timeout, 16),
    SIZE(struct sched_remote_shutdown, 8),
    OFF(struct sched_remote_shutdown, reason, 4),
    SIZE(struct sched_watchdog, 8),
    OFF(struct sched_watchdog, timeout, 4),

    /* vcpu.h */
    SIZE(struct vcpu_runstate_info, 48),
    OFF(struct vcpu_runstate_info, state, 0),
    OFF(struct vcpu_runstate_info, state_entry_time, 8),
    OFF(struct vcpu_runstate_info, time, 16),
    SIZE(struct vcpu_register_runstate_memory_area, 8),
    SIZE(struct vcpu_set_periodic_timer, 8),
    SIZE(struct vcpu_set_singleshot_timer, 16),
    OFF(struct vcpu_set_singleshot_timer, timeout_abs_ns, 0),
    OFF(struct vcpu_set_singleshot_timer, flags, 8),
    SIZE(struct vcpu_register_vcpu_info, 16),
    OFF(struct vcpu_register_vcpu_info, mfn, 0),
    OFF(struct vcpu_register_vcpu_info, offset, 8),
    OFF(struct vcpu_register_vcpu_info, rsvd, 12),
    SIZE(struct vcpu_get_physid, 8),
    SIZE(struct vcpu_register_time_memory_area, 8),

    /* callback.h, physdev.h, nmi.h, version.h */
    SIZE(struct callback_register, 16),
    OFF(struct callback_register, type, 0),
    OFF(struct callback_register, flags, 2),
    OFF(struct callback_register, address, 8),
    SIZE(struct callback_unregister, 4),
    SIZE(struct physdev_set_iopl, 4),
    SIZE(struct physdev_set_iobitmap, 16),
    OFF(struct physdev_set_iobitmap, bitmap, 0),
    OFF(struct physdev_set_iobitmap, nr_ports, 8),
    SIZE(struct xennmi_callback, 16),
    SIZE(xen_extraversion_t, 16),
    SIZE(struct xen_compile_info, 144),
    OFF(struct xen_compile_info, compiler, 0),
    OFF(struct xen_compile_info, compile_by, 64),
    OFF(struct xen_compile_info, compile_domain, 80),
    OFF(struct xen_compile_info, compile_date, 112),
    SIZE(xen_capabilities_info_t, 1024),
    SIZE(xen_changeset_info_t, 64),
    SIZE(struct xen_platform_parameters, 8),
    SIZE(struct xen_feature_info, 8),
    OFF(struct xen_feature_info, submap_idx, 0),
    OFF(struct xen_feature_info, submap, 4),
    SIZE(xen_commandline_t, 1024),
    SIZE(xen_domain_handle_t, 16),

    /* scalar types */
    SIZE(domid_t, 2),
    SIZE(evtchn_port_t, 4),
    SIZE(grant_ref_t, 4),
    SIZE(grant_handle_t, 4),
    SIZE(xen_pfn_t, 8),
    SIZE(xen_callback_t, 8),
};

static const struct abi_row constant_rows[] = {
    /* hypercall numbers */
    VAL(__HYPERVISOR_set_trap_table, 0),
    VAL(__HYPERVISOR_mmu_update, 1),
    VAL(__HYPERVISOR_set_gdt, 2),
    VAL(__HYPERVISOR_stack_switch, 3),
    VAL(__HYPERVISOR_set_callbacks, 4),
    VAL(__HYPERVISOR_fpu_taskswitch, 5),
    VAL(__HYPERVISOR_sched_op_compat, 6),
    VAL(__HYPERVISOR_platform_op, 7),
    VAL(__HYPERVISOR_set_debugreg, 8),
    VAL(__HYPERVISOR_get_debugreg, 9),
    VAL(__HYPERVISOR_update_descriptor, 10),
    VAL(__HYPERVISOR_memory_op, 12),
    VAL(__HYPERVISOR_multicall, 13),
    VAL(__HYPERVISOR_update_va_mapping, 14),
    VAL(__HYPERVISOR_set_timer_op, 15),
    VAL(__HYPERVISOR_event_channel_op_compat, 16),
    VAL(__HYPERVISOR_xen_version, 17),
    VAL(__HYPERVISOR_console_io, 18),
    VAL(__HYPERVISOR_physdev_op_compat, 19),
    VAL(__HYPERVISOR_grant_table_op, 20),
    VAL(__HYPERVISOR_vm_assist, 21),
    VAL(__HYPERVISOR_update_va_mapping_otherdomain, 22),
    VAL(__HYPERVISOR_iret, 23),
    VAL(__HYPERVISOR_vcpu_op, 24),
    VAL(__HYPERVISOR_set_segment_base, 25),
    VAL(__HYPERVISOR_mmuext_op, 26),
    VAL(__HYPERVISOR_xsm_op, 27),
    VAL(__HYPERVISOR_nmi_op, 28),
    VAL(__HYPERVISOR_sched_op, 29),
    VAL(__HYPERVISOR_callback_op, 30),
    VAL(__HYPERVISOR_xenoprof_op, 31),
    VAL(__HYPERVISOR_event_channel_op, 32),
    VAL(__HYPERVISOR_physdev_op, 33),
    VAL(__HYPERVISOR_hvm_op, 34),
    VAL(__HYPERVISOR_sysctl, 35),
    VAL(__HYPERVISOR_domctl, 36),
    VAL(__HYPERVISOR_kexec_op, 37),
    VAL(__HYPERVISOR_tmem_op, 38),
    VAL(__HYPERVISOR_argo_op, 39),
    VAL(__HYPERVISOR_xenpmu_op, 40),
    VAL(__HYPERVISOR_dm_op, 41),
    VAL(__HYPERVISOR_hypfs_op, 42),
    VAL(__HYPERVISOR_arch_0, 48),
    VAL(__HYPERVISOR_arch_7, 55),
    VAL(XEN_HYPERCALL_PAGE_STUBS, 128),
    VAL(XEN_HYPERCALL_STUB_SIZE, 32),

    /* error numbers */
    VAL(XEN_EPERM, 1),
    VAL(XEN_ENOENT, 2),
    VAL(XEN_ESRCH, 3),
    VAL(XEN_EINTR, 4),
    VAL(XEN_EIO, 5),
    VAL(XEN_ENXIO, 6),
    VAL(XEN_E2BIG, 7),
    VAL(XEN_ENOEXEC, 8),
    VAL(XEN_EBADF, 9),
    VAL(XEN_ECHILD, 10),
    VAL(XEN_EAGAIN, 11),
    VAL(XEN_EWOULDBLOCK, 11),
    VAL(XEN_ENOMEM, 12),
    VAL(XEN_EACCES, 13),
    VAL(XEN_EFAULT, 14),
    VAL(XEN_EBUSY, 16),
    VAL(XEN_EEXIST, 17),
    VAL(XEN_EXDEV, 18),
    VAL(XEN_ENODEV, 19),
    VAL(XEN_EISDIR, 21),
    VAL(XEN_EINVAL, 22),
    VAL(XEN_ENFILE, 23),
    VAL(XEN_EMFILE, 24),
    VAL(XEN_ENOSPC, 28),
    VAL(XEN_EROFS, 30),
    VAL(XEN_EMLINK, 31),
    VAL(XEN_EDOM, 33),
    VAL(XEN_ERANGE, 34),
    VAL(XEN_EDEADLK, 35),
    VAL(XEN_ENAMETOOLONG, 36),
    VAL(XEN_ENOLCK, 37),
    VAL(XEN_ENOSYS, 38),
    VAL(XEN_ENOTEMPTY, 39),
    VAL(XEN_ENODATA, 61),
    VAL(XEN_ETIME, 62),
    VAL(XEN_EBADMSG, 74),
    VAL(XEN_EOVERFLOW, 75),
    VAL(XEN_EILSEQ, 84),
    VAL(XEN_ERESTART, 85),
    VAL(XEN_ENOTSOCK, 88),
    VAL(XEN_EOPNOTSUPP, 95),
    VAL(XEN_EADDRINUSE, 98),
    VAL(XEN_EADDRNOTAVAIL, 99),
    VAL(XEN_ENOBUFS, 105),
    VAL(XEN_EISCONN, 106),
    VAL(XEN_ENOTCONN, 107),
    VAL(XEN_ETIMEDOUT, 110),

    /* VIRQs */
    VAL(VIRQ_TIMER, 0),
    VAL(VIRQ_DEBUG, 1),
    VAL(VIRQ_CONSOLE, 2),
    VAL(VIRQ_DOM_EXC, 3),
    VAL(VIRQ_TBUF, 4),
    VAL(VIRQ_DEBUGGER, 6),
    VAL(VIRQ_XENOPROF, 7),
    VAL(VIRQ_CON_RING, 8),
    VAL(VIRQ_PCPU_STATE, 9),
    VAL(VIRQ_MEM_EVENT, 10),
    VAL(VIRQ_ENOMEM, 12),
    VAL(VIRQ_XENPMU, 13),
    VAL(VIRQ_ARCH_0, 16),
    VAL(VIRQ_ARCH_7, 23),
    VAL(NR_VIRQS, 24),

    /* domain ids */
    VAL(DOMID_FIRST_RESERVED, 0x7FF0),
    VAL(DOMID_SELF, 0x7FF0),
    VAL(DOMID_IO, 0x7FF1),
    VAL(DOMID_XEN, 0x7FF2),
    VAL(DOMID_COW, 0x7FF3),
    VAL(DOMID_INVALID, 0x7FF4),
    VAL(DOMID_IDLE, 0x7FFF),

    /* mmu_update, mmuext_op, update_va_mapping, console, vm_assist */
    VAL(MMU_NORMAL_PT_UPDATE, 0),
    VAL(MMU_MACHPHYS_UPDATE, 1),
    VAL(MMU_PT_UPDATE_PRESERVE_AD, 2),
    VAL(MMUEXT_PIN_L1_TABLE, 0),
    VAL(MMUEXT_PIN_L2_TABLE, 1),
    VAL(MMUEXT_PIN_L3_TABLE, 2),
    VAL(MMUEXT_PIN_L4_TABLE, 3),
    VAL(MMUEXT_UNPIN_TABLE, 4),
    VAL(MMUEXT_NEW_BASEPTR, 5),
    VAL(MMUEXT_TLB_FLUSH_LOCAL, 6),
    VAL(MMUEXT_INVLPG_LOCAL, 7),
    VAL(MMUEXT_TLB_FLUSH_MULTI, 8),
    VAL(MMUEXT_INVLPG_MULTI, 9),
    VAL(MMUEXT_TLB_FLUSH_ALL, 10),
    VAL(MMUEXT_INVLPG_ALL, 11),
    VAL(MMUEXT_FLUSH_CACHE, 12),
    VAL(MMUEXT_SET_LDT, 13),
    VAL(MMUEXT_NEW_USER_BASEPTR, 15),
    VAL(MMUEXT_CLEAR_PAGE, 16),
    VAL(MMUEXT_COPY_PAGE, 17),
    VAL(MMUEXT_FLUSH_CACHE_GLOBAL, 18),
    VAL(MMUEXT_MARK_SUPER, 19),
    VAL(MMUEXT_UNMARK_SUPER, 20),
    VAL(UVMF_NONE, 0),
    VAL(UVMF_TLB_FLUSH, 1),
    VAL(UVMF_INVLPG, 2),
    VAL(UVMF_FLUSHTYPE_MASK, 3),
    VAL(UVMF_MULTI, 0),
    VAL(UVMF_LOCAL, 0),
    VAL(UVMF_ALL, 4),
    VAL(CONSOLEIO_write, 0),
    VAL(CONSOLEIO_read, 1),
    VAL(VMASST_CMD_enable, 0),
    VAL(VMASST_CMD_disable, 1),
    VAL(VMASST_TYPE_4gb_segments, 0),
    VAL(VMASST_TYPE_4gb_segments_notify, 1),
    VAL(VMASST_TYPE_writable_pagetables, 2),
    VAL(VMASST_TYPE_pae_extended_cr3, 3),
    VAL(VMASST_TYPE_m2p_strict, 32),

    /* start_info, shared_info, time */
    VAL(SIF_PRIVILEGED, 1),
    VAL(SIF_INITDOMAIN, 2),
    VAL(SIF_MULTIBOOT_MOD, 4),
    VAL(SIF_MOD_START_PFN, 8),
    VAL(SIF_VIRT_P2M_4TOOLS, 16),
    VAL(SIF_PM_MASK, 0xFF00),
    VAL(MAX_GUEST_CMDLINE, 1024),
    VAL(MAX_VIRT_CPUS, 32),
    VAL(XEN_LEGACY_MAX_VCPUS, 32),
    VAL(XEN_PVCLOCK_TSC_STABLE_BIT, 1),
    VAL(XEN_PVCLOCK_GUEST_STOPPED, 2),

    /* x86_64 machine layer */
    VAL(FLAT_RING3_CS32, 0xe023),
    VAL(FLAT_RING3_CS64, 0xe033),
    VAL(FLAT_RING3_DS32, 0xe02b),
    VAL(FLAT_RING3_DS64, 0),
    VAL(FLAT_RING3_SS32, 0xe02b),
    VAL(FLAT_RING3_SS64, 0xe02b),
    VAL(FLAT_KERNEL_CS, 0xe033),
    VAL(FLAT_KERNEL_DS, 0),
    VAL(FLAT_KERNEL_SS, 0xe02b),
    VAL(FLAT_USER_CS, 0xe033),
    VAL(FLAT_USER_CS32, 0xe023),
    VAL(FLAT_USER_DS, 0),
    VAL(FLAT_USER_SS, 0xe02b),
    VAL(FIRST_RESERVED_GDT_PAGE, 14),
    VAL(FIRST_RESERVED_GDT_BYTE, 57344),
    VAL(FIRST_RESERVED_GDT_ENTRY, 7168),
    VAL(HYPERVISOR_VIRT_START, (long long)0xFFFF800000000000ULL),
    VAL(HYPERVISOR_VIRT_END, (long long)0xFFFF880000000000ULL),
    VAL(MACH2PHYS_VIRT_START, (long long)0xFFFF800000000000ULL),
    VAL(MACH2PHYS_VIRT_END, (long long)0xFFFF804000000000ULL),
    VAL(SEGBASE_FS, 0),
    VAL(SEGBASE_GS_USER, 1),
    VAL(SEGBASE_GS_KERNEL, 2),
    VAL(SEGBASE_GS_USER_SEL, 3),
    VAL(VGCF_in_syscall, 0x100),
    VAL(VGCF_i387_valid, 1),
    VAL(VGCF_in_kernel, 4),
    VAL(VGCF_failsafe_disables_events, 8),
    VAL(VGCF_syscall_disables_events, 16),
    VAL(VGCF_online, 32),
    VAL(TRAP_INFO_DPL_MASK, 3),
    VAL(TRAP_INFO_MASK_EVENTS, 4),
    VAL(XEN_PAGE_SIZE, 4096),
    VAL(XEN_PTE_PRESENT, 1),
    VAL(XEN_PTE_RW, 2),
    VAL(XEN_PTE_USER, 4),
    VAL(XEN_PTE_ACCESSED, 0x20),
    VAL(XEN_PTE_DIRTY, 0x40),
    VAL(XEN_PTE_PSE, 0x80),
    VAL(XEN_PTE_GLOBAL, 0x100),

    /* event channels */
    VAL(EVTCHNOP_bind_interdomain, 0),
    VAL(EVTCHNOP_bind_virq, 1),
    VAL(EVTCHNOP_bind_pirq, 2),
    VAL(EVTCHNOP_close, 3),
    VAL(EVTCHNOP_send, 4),
    VAL(EVTCHNOP_status, 5),
    VAL(EVTCHNOP_alloc_unbound, 6),
    VAL(EVTCHNOP_bind_ipi, 7),
    VAL(EVTCHNOP_bind_vcpu, 8),
    VAL(EVTCHNOP_unmask, 9),
    VAL(EVTCHNOP_reset, 10),
    VAL(EVTCHNOP_init_control, 11),
    VAL(EVTCHNOP_expand_array, 12),
    VAL(EVTCHNOP_set_priority, 13),
    VAL(EVTCHNSTAT_closed, 0),
    VAL(EVTCHNSTAT_unbound, 1),
    VAL(EVTCHNSTAT_interdomain, 2),
    VAL(EVTCHNSTAT_pirq, 3),
    VAL(EVTCHNSTAT_virq, 4),
    VAL(EVTCHNSTAT_ipi, 5),
    VAL(EVTCHN_2L_NR_CHANNELS, 4096),
    VAL(BIND_PIRQ__WILL_SHARE, 1),

    /* grants */
    VAL(GTF_invalid, 0),
    VAL(GTF_permit_access, 1),
    VAL(GTF_accept_transfer, 2),
    VAL(GTF_transitive, 3),
    VAL(GTF_type_mask, 3),
    VAL(GTF_readonly, 4),
    VAL(GTF_reading, 8),
    VAL(GTF_writing, 16),
    VAL(GTF_PWT, 32),
    VAL(GTF_PCD, 64),
    VAL(GTF_PAT, 128),
    VAL(GTF_sub_page, 256),
    VAL(GTF_transfer_committed, 4),
    VAL(GTF_transfer_completed, 8),
    VAL(GNTTAB_NR_RESERVED_ENTRIES, 8),
    VAL(GNTTAB_RESERVED_CONSOLE, 0),
    VAL(GNTTAB_RESERVED_XENSTORE, 1),
    VAL(GNTTABOP_map_grant_ref, 0),
    VAL(GNTTABOP_unmap_grant_ref, 1),
    VAL(GNTTABOP_setup_table, 2),
    VAL(GNTTABOP_dump_table, 3),
    VAL(GNTTABOP_transfer, 4),
    VAL(GNTTABOP_copy, 5),
    VAL(GNTTABOP_query_size, 6),
    VAL(GNTTABOP_unmap_and_replace, 7),
    VAL(GNTTABOP_set_version, 8),
    VAL(GNTTABOP_get_status_frames, 9),
    VAL(GNTTABOP_get_version, 10),
    VAL(GNTTABOP_swap_grant_ref, 11),
    VAL(GNTTABOP_cache_flush, 12),
    VAL(GNTMAP_device_map, 1),
    VAL(GNTMAP_host_map, 2),
    VAL(GNTMAP_readonly, 4),
    VAL(GNTMAP_application_map, 8),
    VAL(GNTMAP_contains_pte, 16),
    VAL(GNTMAP_can_fail, 32),
    VAL(GNTCOPY_source_gref, 1),
    VAL(GNTCOPY_dest_gref, 2),
    VAL(GNTST_okay, 0),
    VAL(GNTST_general_error, -1),
    VAL(GNTST_bad_domain, -2),
    VAL(GNTST_bad_gntref, -3),
    VAL(GNTST_bad_handle, -4),
    VAL(GNTST_bad_virt_addr, -5),
    VAL(GNTST_bad_dev_addr, -6),
    VAL(GNTST_no_device_space, -7),
    VAL(GNTST_permission_denied, -8),
    VAL(GNTST_bad_page, -9),
    VAL(GNTST_bad_copy_arg, -10),
    VAL(GNTST_address_too_big, -11),
    VAL(GNTST_eagain, -12),

    /* memory_op */
    VAL(XENMEM_increase_reservation, 0),
    VAL(XENMEM_decrease_reservation, 1),
    VAL(XENMEM_maximum_ram_page, 2),
    VAL(XENMEM_current_reservation, 3),
    VAL(XENMEM_maximum_reservation, 4),
    VAL(XENMEM_machphys_mfn_list, 5),
    VAL(XENMEM_populate_physmap, 6),
    VAL(XENMEM_add_to_physmap, 7),
    VAL(XENMEM_memory_map, 9),
    VAL(XENMEM_machine_memory_map, 10),
    VAL(XENMEM_exchange, 11),
    VAL(XENMEM_machphys_mapping, 12),
    VAL(XENMEM_set_memory_map, 13),
    VAL(XENMEM_maximum_gpfn, 14),
    VAL(XENMEM_remove_from_physmap, 15),
    VAL(XENMEMF_node(0), 0x100),
    VAL(XENMEMF_populate_on_demand, 0x10000),
    VAL(XENMEMF_exact_node_request, 0x20000),
    VAL(XENMAPSPACE_shared_info, 0),
    VAL(XENMAPSPACE_grant_table, 1),
    VAL(XENMAPSPACE_gmfn, 2),

    /* sched_op */
    VAL(SCHEDOP_yield, 0),
    VAL(SCHEDOP_block, 1),
    VAL(SCHEDOP_shutdown, 2),
    VAL(SCHEDOP_poll, 3),
    VAL(SCHEDOP_remote_shutdown, 4),
    VAL(SCHEDOP_shutdown_code, 5),
    VAL(SCHEDOP_watchdog, 6),
    VAL(SCHEDOP_pin_override, 7),
    VAL(SHUTDOWN_poweroff, 0),
    VAL(SHUTDOWN_reboot, 1),
    VAL(SHUTDOWN_suspend, 2),
    VAL(SHUTDOWN_crash, 3),
    VAL(SHUTDOWN_watchdog, 4),
    VAL(SHUTDOWN_soft_reset, 5),

    /* vcpu_op */
    VAL(VCPUOP_initialise, 0),
    VAL(VCPUOP_up, 1),
    VAL(VCPUOP_down, 2),
    VAL(VCPUOP_is_up, 3),
    VAL(VCPUOP_get_runstate_info, 4),
    VAL(VCPUOP_register_runstate_memory_area, 5),
    VAL(VCPUOP_set_periodic_timer, 6),
    VAL(VCPUOP_stop_periodic_timer, 7),
    VAL(VCPUOP_set_singleshot_timer, 8),
    VAL(VCPUOP_stop_singleshot_timer, 9),
    VAL(VCPUOP_register_vcpu_info, 10),
    VAL(VCPUOP_send_nmi, 11),
    VAL(VCPUOP_get_physid, 12),
    VAL(VCPUOP_register_vcpu_time_memory_area, 13),
    VAL(VCPU_SSHOTTMR_future, 1),
    VAL(RUNSTATE_running, 0),
    VAL(RUNSTATE_runnable, 1),
    VAL(RUNSTATE_blocked, 2),
    VAL(RUNSTATE_offline, 3),

    /* callback_op */
    VAL(CALLBACKTYPE_event, 0),
    VAL(CALLBACKTYPE_failsafe, 1),
    VAL(CALLBACKTYPE_syscall, 2),
    VAL(CALLBACKTYPE_sysenter_deprecated, 3),
    VAL(CALLBACKTYPE_nmi, 4),
    VAL(CALLBACKTYPE_sysenter, 5),
    VAL(CALLBACKTYPE_syscall32, 7),
    VAL(CALLBACKF_mask_events, 1),
    VAL(CALLBACKOP_register, 0),
    VAL(CALLBACKOP_unregister, 1),

    /* physdev_op */
    VAL(PHYSDEVOP_irq_status_query, 5),
    VAL(PHYSDEVOP_set_iopl, 6),
    VAL(PHYSDEVOP_set_iobitmap, 7),
    VAL(PHYSDEVOP_apic_read, 8),
    VAL(PHYSDEVOP_apic_write, 9),
    VAL(PHYSDEVOP_alloc_irq_vector, 10),
    VAL(PHYSDEVOP_free_irq_vector, 11),
    VAL(PHYSDEVOP_eoi, 12),
    VAL(PHYSDEVOP_map_pirq, 13),
    VAL(PHYSDEVOP_unmap_pirq, 14),
    VAL(PHYSDEVOP_pirq_eoi_gmfn_v1, 17),
    VAL(PHYSDEVOP_setup_gsi, 21),
    VAL(PHYSDEVOP_get_free_pirq, 23),
    VAL(PHYSDEVOP_pci_device_add, 25),
    VAL(PHYSDEVOP_pirq_eoi_gmfn_v2, 28),
    VAL(PHYSDEVOP_release_msix, 31),

    /* nmi_op */
    VAL(XENNMI_register_callback, 0),
    VAL(XENNMI_unregister_callback, 1),
    VAL(XEN_NMIREASON_io_error, 1),
    VAL(XEN_NMIREASON_pci_serr, 2),
    VAL(XEN_NMIREASON_unknown, 4),

    /* xen_version and features */
    VAL(XENVER_version, 0),
    VAL(XENVER_extraversion, 1),
    VAL(XENVER_compile_info, 2),
    VAL(XENVER_capabilities, 3),
    VAL(XENVER_changeset, 4),
    VAL(XENVER_platform_parameters, 5),
    VAL(XENVER_get_features, 6),
    VAL(XENVER_pagesize, 7),
    VAL(XENVER_guest_handle, 8),
    VAL(XENVER_commandline, 9),
    VAL(XENVER_build_id, 10),
    VAL(XENFEAT_writable_page_tables, 0),
    VAL(XENFEAT_writable_descriptor_tables, 1),
    VAL(XENFEAT_auto_translated_physmap, 2),
    VAL(XENFEAT_supervisor_mode_kernel, 3),
    VAL(XENFEAT_pae_pgdir_above_4gb, 4),
    VAL(XENFEAT_mmu_pt_update_preserve_ad, 5),
    VAL(XENFEAT_highmem_assist, 6),
    VAL(XENFEAT_gnttab_map_avail_bits, 7),
    VAL(XENFEAT_hvm_callback_vector, 8),
    VAL(XENFEAT_hvm_safe_pvclock, 9),
    VAL(XENFEAT_hvm_pirqs, 10),
    VAL(XENFEAT_dom0, 11),
    VAL(XENFEAT_memory_op_vnode_supported, 13),
    VAL(XENFEAT_ARM_SMCCC_supported, 14),
    VAL(XENFEAT_linux_rsdp_unrestricted, 15),
    VAL(XENFEAT_not_direct_mapped, 16),
    VAL(XENFEAT_direct_mapped, 17),
    VAL(XENFEAT_NR_SUBMAPS, 1),

    /* ELF notes */
    VAL(XEN_ELFNOTE_INFO, 0),
    VAL(XEN_ELFNOTE_ENTRY, 1),
    VAL(XEN_ELFNOTE_HYPERCALL_PAGE, 2),
    VAL(XEN_ELFNOTE_VIRT_BASE, 3),
    VAL(XEN_ELFNOTE_PADDR_OFFSET, 4),
    VAL(XEN_ELFNOTE_XEN_VERSION, 5),
    VAL(XEN_ELFNOTE_GUEST_OS, 6),
    VAL(XEN_ELFNOTE_GUEST_VERSION, 7),
    VAL(XEN_ELFNOTE_LOADER, 8),
    VAL(XEN_ELFNOTE_PAE_MODE, 9),
    VAL(XEN_ELFNOTE_FEATURES, 10),
    VAL(XEN_ELFNOTE_BSD_SYMTAB, 11),
    VAL(XEN_ELFNOTE_HV_START_LOW, 12),
    VAL(XEN_ELFNOTE_L1_MFN_VALID, 13),
    VAL(XEN_ELFNOTE_SUSPEND_CANCEL, 14),
    VAL(XEN_ELFNOTE_INIT_P2M, 15),
    VAL(XEN_ELFNOTE_MOD_START_PFN, 16),
    VAL(XEN_ELFNOTE_SUPPORTED_FEATURES, 17),
    VAL(XEN_ELFNOTE_PHYS32_ENTRY, 18),
    VAL(XEN_ELFNOTE_PHYS32_RELOC, 19),
    VAL(XEN_ELFNOTE_MAX, 19),
    VAL(XEN_ELFNOTE_NAMESZ, 4),
};

/* Rows whose value differs from the specification, each named on stderr. */
static unsigned count_differences(const struct abi_row *rows, size_t n, bool report)
{
    unsigned bad = 0;

    for (size_t i = 0; i < n; i++) {
        if (rows[i].got == rows[i].want)
            continue;
        bad++;
        if (report)
            fprintf(stderr, "abi: %s is %lld, the ABI says %lld\n",
                    rows[i].what, rows[i].got, rows[i].want);
    }
    return bad;
}

START_TEST(abi_struct_layouts_match_the_table)
{
    unsigned bad = count_differences(layout_rows, sizeof(layout_rows) / sizeof(layout_rows[0]), true);
    ck_assert_msg(bad == 0, "%u layout number(s) differ from the ABI (listed on stderr)", bad);
}
END_TEST

START_TEST(abi_constants_match_the_table)
{
    unsigned bad = count_differences(constant_rows, sizeof(constant_rows) / sizeof(constant_rows[0]),
                                     true);
    ck_assert_msg(bad == 0, "%u constant(s) differ from the ABI (listed on stderr)", bad);
}
END_TEST

/* The comparison itself works: wrong expectations are counted, right ones not. */
START_TEST(abi_table_check_counts_differences)
{
    const struct abi_row rows[] = {
        SIZE(struct start_info, 1152),          /* the size before first_p2m_pfn */
        OFF(struct vcpu_info, time, 32),
        VAL(__HYPERVISOR_iret, 22),
    };
    ck_assert_uint_eq(count_differences(rows, 3, false), 2);
    ck_assert_uint_eq(count_differences(rows + 1, 1, false), 0);
}
END_TEST

static bool selector_is_reserved_ring3(unsigned sel)
{
    return (sel & 3) == 3 && (sel & 4) == 0 && (sel >> 3) >= FIRST_RESERVED_GDT_ENTRY &&
           (sel >> 3) < 8192;
}

START_TEST(abi_flat_selectors_are_hypervisor_gdt_ring3)
{
    ck_assert(selector_is_reserved_ring3(FLAT_KERNEL_CS));
    ck_assert(selector_is_reserved_ring3(FLAT_KERNEL_SS));
    ck_assert(selector_is_reserved_ring3(FLAT_USER_CS32));
    ck_assert(selector_is_reserved_ring3(FLAT_USER_SS32));
    ck_assert_uint_eq(FLAT_KERNEL_CS, FLAT_USER_CS);       /* same flat segment */
    ck_assert_uint_ne(FLAT_KERNEL_CS >> 3, FLAT_USER_CS32 >> 3);
    ck_assert_uint_eq(FLAT_KERNEL_DS, 0);
}
END_TEST

START_TEST(abi_hypervisor_hole_is_l4_slots_256_to_271)
{
    ck_assert_uint_eq((HYPERVISOR_VIRT_START >> 39) & 511, 256);
    ck_assert_uint_eq(((HYPERVISOR_VIRT_END - 1) >> 39) & 511, 271);
    ck_assert(MACH2PHYS_VIRT_START >= HYPERVISOR_VIRT_START);
    ck_assert(MACH2PHYS_VIRT_END <= HYPERVISOR_VIRT_END);
    ck_assert_uint_eq(MACH2PHYS_NR_ENTRIES, 1ULL << 35);
}
END_TEST

START_TEST(abi_shared_pages_fit_and_bitmaps_cover_all_ports)
{
    ck_assert_uint_le(sizeof(struct shared_info), XEN_PAGE_SIZE);
    ck_assert_uint_le(sizeof(struct start_info), XEN_PAGE_SIZE);
    ck_assert_uint_eq(sizeof(((struct shared_info *)0)->evtchn_pending) * 8,
                      EVTCHN_2L_NR_CHANNELS);
    ck_assert_uint_eq(sizeof(((struct vcpu_info *)0)->evtchn_pending_sel) * 8,
                      XEN_EVTCHN_2L_WORDS);
    ck_assert_uint_eq(XEN_HYPERCALL_PAGE_STUBS * XEN_HYPERCALL_STUB_SIZE, XEN_PAGE_SIZE);
    ck_assert_uint_lt(strlen(XEN_START_INFO_MAGIC_X86_64), sizeof(((struct start_info *)0)->magic));
    ck_assert_str_eq(XEN_START_INFO_MAGIC_X86_64, "xen-3.0-x86_64");
}
END_TEST

START_TEST(abi_flag_sets_do_not_overlap)
{
    ck_assert_uint_eq(GTF_type_mask & (GTF_readonly | GTF_reading | GTF_writing), 0);
    ck_assert_uint_eq(GTF_readonly & GTF_reading, 0);
    ck_assert_uint_eq(GTF_reading & GTF_writing, 0);
    ck_assert_uint_eq(GNTMAP_host_map & GNTMAP_readonly, 0);
    ck_assert_uint_eq(GNTMAP_readonly & GNTMAP_contains_pte, 0);
    ck_assert_uint_eq(UVMF_FLUSHTYPE_MASK & UVMF_ALL, 0);
    ck_assert_uint_eq(TRAP_INFO_DPL_MASK & TRAP_INFO_MASK_EVENTS, 0);
    ck_assert_uint_eq(SIF_PM_MASK & (SIF_PRIVILEGED | SIF_INITDOMAIN | SIF_MULTIBOOT_MOD |
                                     SIF_MOD_START_PFN | SIF_VIRT_P2M_4TOOLS), 0);
    ck_assert_uint_eq(XEN_PTE_ADDR_MASK & (XEN_PTE_NX | 0xFFFULL), 0);
}
END_TEST

/* Unions overlay as the ABI says: a guest filling one name fills the slot. */
START_TEST(abi_unions_overlay_their_slots)
{
    struct mmuext_op op;
    memset(&op, 0, sizeof(op));
    op.arg1.mfn = 0x1234;
    ck_assert_uint_eq(op.arg1.linear_addr, 0x1234);
    op.arg2.vcpumask = 0xAABBCCDD00112233ULL;
    ck_assert_uint_eq(op.arg2.nr_ents, 0x00112233);

    struct start_info si;
    memset(&si, 0, sizeof(si));
    si.console.dom0.info_off = 0x11;
    si.console.dom0.info_size = 0x22;
    ck_assert_uint_eq(si.console.domU.mfn, 0x2200000011ULL);

    struct gnttab_copy_ptr cp;
    memset(&cp, 0, sizeof(cp));
    cp.u.gmfn = 0x500000007ULL;
    ck_assert_uint_eq(cp.u.ref, 7);
}
END_TEST

START_TEST(abi_guest_address_handle_round_trips)
{
    static uint64_t frames[4];
    struct xen_memory_reservation r = { .extent_start = xen_gaddr(frames) };
    ck_assert_ptr_eq((void *)(uintptr_t)r.extent_start, (void *)frames);
    ck_assert_uint_eq(xen_pfn_to_cr3(0x1234), 0x1234000ULL);
    ck_assert_uint_eq(xen_cr3_to_pfn(0x1234fffULL), 0x1234);
}
END_TEST

Suite *abi_suite(void);

Suite *abi_suite(void)
{
    Suite *s = suite_create("abi");
    TCase *tc = tcase_create("tables");
    tcase_add_test(tc, abi_struct_layouts_match_the_table);
    tcase_add_test(tc, abi_constants_match_the_table);
    tcase_add_test(tc, abi_table_check_counts_differences);
    suite_add_tcase(s, tc);

    tc = tcase_create("relations");
    tcase_add_test(tc, abi_flat_selectors_are_hypervisor_gdt_ring3);
    tcase_add_test(tc, abi_hypervisor_hole_is_l4_slots_256_to_271);
    tcase_add_test(tc, abi_shared_pages_fit_and_bitmaps_cover_all_ports);
    tcase_add_test(tc, abi_flag_sets_do_not_overlap);
    tcase_add_test(tc, abi_unions_overlay_their_slots);
    tcase_add_test(tc, abi_guest_address_handle_round_trips);
    suite_add_tcase(s, tc);
    return s;
}
