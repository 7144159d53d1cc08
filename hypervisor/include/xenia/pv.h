/*
 * The PV guest machine: entry from and exit to ring 3, bounces of
 * exceptions and callbacks onto the guest kernel stack, guest mode switches.
 */
#ifndef XENIA_PV_H
#define XENIA_PV_H

#include <asm/traps.h>
#include <xenia/domain.h>

#define X86_EFLAGS_TF   (1u << 8)
#define X86_EFLAGS_IF   (1u << 9)
#define X86_EFLAGS_DF   (1u << 10)
#define X86_EFLAGS_IOPL (3u << 12)
#define X86_EFLAGS_NT   (1u << 14)
#define X86_EFLAGS_RF   (1u << 16)
#define X86_EFLAGS_VM   (1u << 17)
#define X86_EFLAGS_AC   (1u << 18)

/* Bounce a hardware exception to the current vCPU's trap handler, or crash
   the domain if it has none. */
void pv_inject_exception(struct vcpu *v, struct cpu_regs *regs, unsigned vector,
                         bool has_error, uint64_t error);
/* Build a bounce frame and enter `handler` in guest kernel mode. */
int pv_bounce(struct vcpu *v, struct cpu_regs *regs, uint64_t handler, bool has_error,
              uint64_t error, bool mask_events);
void pv_toggle_mode(struct vcpu *v);
/* A handler or callback address a guest may register: 0 (none), or
   canonical and outside the hypervisor's range. */
bool pv_code_addr_ok(uint64_t va);
/* VCPUOP_initialise on a vCPU with no context yet (pv_vcpu.c documents the
   checks): 0, or -EINVAL / -EPERM with nothing changed. */
int pv_vcpu_initialise(struct vcpu *v, const struct vcpu_guest_context *c);
void pv_guest_exception(struct cpu_regs *regs);     /* from trap_dispatch */
int pv_emulate_privileged(struct vcpu *v, struct cpu_regs *regs);  /* 1 handled, 0 not */
void pv_cpu_init(void);                             /* syscall MSRs */
/* Switch the CPU to v (page tables, GDT, selectors, bases, FPU, time);
   a failing selector becomes a failsafe bounce on regs. */
void pv_load_vcpu(struct vcpu *v, struct cpu_regs *regs);
void pv_save_vcpu(struct vcpu *v);                  /* selectors, FPU */
__noreturn void enter_guest(void);
__noreturn void sched_start(void);       /* run the first runnable vCPU */
extern volatile bool sched_tick_pending;  /* the tick asks the exit path to look at timers */

long do_set_trap_table(uint64_t traps);
long do_set_callbacks(uint64_t event, uint64_t failsafe, uint64_t syscall);
long do_callback_op(uint64_t cmd, uint64_t arg);
long do_stack_switch(uint64_t ss, uint64_t sp);
long do_set_segment_base(uint64_t which, uint64_t base);
long do_fpu_taskswitch(uint64_t set);
long do_iret(void);
long do_set_gdt(uint64_t frame_list, uint64_t entries);
long do_update_descriptor(uint64_t maddr, uint64_t desc);
bool desc_check(uint64_t desc);
void gdt_area_init(void);
void gdt_load_vcpu(const struct vcpu *v);

#endif
