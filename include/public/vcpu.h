/*
 * Xenia guest ABI: vCPU control, vcpu_op(cmd, vcpuid, arg) (#24).
 *
 *  initialise   load a vcpu_guest_context into a vCPU that was never
 *               initialised; it stays down until VCPUOP_up.
 *  up / down    make runnable / stop (down may return before the vCPU stops
 *               unless a vCPU downs itself).
 *  is_up        returns 1 or 0.
 *  set/stop_singleshot_timer   one-shot timer at an absolute system time;
 *               with VCPU_SSHOTTMR_future a time already past gets -XEN_ETIME.
 *  set/stop_periodic_timer     VIRQ_TIMER every period_ns.
 *  register_vcpu_info  move this vCPU's vcpu_info out of shared_info into a
 *               guest frame (mfn, offset); the 64 bytes must not cross the
 *               page. Once per vCPU.
 *  register_runstate_memory_area / register_vcpu_time_memory_area: guest
 *               virtual address of a copy the hypervisor keeps up to date.
 */
#ifndef XENIA_PUBLIC_VCPU_H
#define XENIA_PUBLIC_VCPU_H

#include <stdint.h>

#include "xen.h"

#define VCPUOP_initialise                      0
#define VCPUOP_up                              1
#define VCPUOP_down                            2
#define VCPUOP_is_up                           3
#define VCPUOP_get_runstate_info               4
#define VCPUOP_register_runstate_memory_area   5
#define VCPUOP_set_periodic_timer              6
#define VCPUOP_stop_periodic_timer             7
#define VCPUOP_set_singleshot_timer            8
#define VCPUOP_stop_singleshot_timer           9
#define VCPUOP_register_vcpu_info             10
#define VCPUOP_send_nmi                       11
#define VCPUOP_get_physid                     12
#define VCPUOP_register_vcpu_time_memory_area 13

#define RUNSTATE_running  0
#define RUNSTATE_runnable 1
#define RUNSTATE_blocked  2
#define RUNSTATE_offline  3

struct vcpu_runstate_info {
    int32_t  state;             /* RUNSTATE_* */
    uint32_t pad0;
    uint64_t state_entry_time;  /* system time the state was entered */
    uint64_t time[4];           /* ns spent in each state */
};
XENIA_ABI_SIZE(struct vcpu_runstate_info, 48);
XENIA_ABI_OFFSET(struct vcpu_runstate_info, state_entry_time, 8);
XENIA_ABI_OFFSET(struct vcpu_runstate_info, time, 16);

struct vcpu_register_runstate_memory_area {
    uint64_t addr;              /* guest virtual address */
};
XENIA_ABI_SIZE(struct vcpu_register_runstate_memory_area, 8);

struct vcpu_set_periodic_timer {
    uint64_t period_ns;
};
XENIA_ABI_SIZE(struct vcpu_set_periodic_timer, 8);

#define _VCPU_SSHOTTMR_future 0
#define VCPU_SSHOTTMR_future  (1U << _VCPU_SSHOTTMR_future)

struct vcpu_set_singleshot_timer {
    uint64_t timeout_abs_ns;
    uint32_t flags;             /* VCPU_SSHOTTMR_* */
    uint32_t pad0;
};
XENIA_ABI_SIZE(struct vcpu_set_singleshot_timer, 16);
XENIA_ABI_OFFSET(struct vcpu_set_singleshot_timer, timeout_abs_ns, 0);
XENIA_ABI_OFFSET(struct vcpu_set_singleshot_timer, flags, 8);

struct vcpu_register_vcpu_info {
    uint64_t mfn;
    uint32_t offset;
    uint32_t rsvd;
};
XENIA_ABI_SIZE(struct vcpu_register_vcpu_info, 16);
XENIA_ABI_OFFSET(struct vcpu_register_vcpu_info, mfn, 0);
XENIA_ABI_OFFSET(struct vcpu_register_vcpu_info, offset, 8);
XENIA_ABI_OFFSET(struct vcpu_register_vcpu_info, rsvd, 12);

struct vcpu_get_physid {
    uint64_t phys_id;           /* bits 31:0 APIC id, 63:32 ACPI id */
};
XENIA_ABI_SIZE(struct vcpu_get_physid, 8);

struct vcpu_register_time_memory_area {
    uint64_t addr;              /* guest virtual address */
};
XENIA_ABI_SIZE(struct vcpu_register_time_memory_area, 8);

#endif /* XENIA_PUBLIC_VCPU_H */
