/* Handlers of the hypercall table (do_<name>), with the arguments each uses. */
#ifndef XENIA_HYPERCALLS_H
#define XENIA_HYPERCALLS_H

#include <stdint.h>

/* common/hypercall.c */
long do_multicall(uint64_t list, uint64_t count, uint64_t a3, uint64_t a4, uint64_t a5);
/* arch/x86_64/pv_mm.c */
long do_mmu_update(uint64_t reqs, uint64_t count, uint64_t pdone, uint64_t foreigndom);
long do_mmuext_op(uint64_t ops, uint64_t count, uint64_t pdone, uint64_t foreigndom);
long do_update_va_mapping(uint64_t va, uint64_t val, uint64_t flags);
/* common/memory.c */
long do_memory_op(uint64_t cmd, uint64_t arg);
/* common/sched.c */
long do_set_timer_op(uint64_t deadline);
long do_sched_op(uint64_t cmd, uint64_t arg);
long do_vcpu_op(uint64_t cmd, uint64_t vcpuid, uint64_t arg);
/* common/kernel.c */
long do_xen_version(uint64_t cmd, uint64_t arg);
long do_console_io(uint64_t cmd, uint64_t count, uint64_t buf);
long do_vm_assist(uint64_t cmd, uint64_t type);
long do_physdev_op(uint64_t cmd, uint64_t arg);
/* common/domctl.c */
long do_domctl(uint64_t arg);

#endif
