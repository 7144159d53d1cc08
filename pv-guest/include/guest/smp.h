/*
 * Secondary vCPUs: bring-up, identity, IPIs.
 *
 * vCPU 0 runs the kernel: boot, the thread scheduler and every thread. A
 * secondary vCPU (1 .. SMP_MAX_VCPUS - 1, as many as the domain was given)
 * runs one function at a time, handed to it by smp_start(): the first time,
 * smp_start() allocates its kernel stack, binds its VIRQ_TIMER, loads a
 * context (VCPUOP_initialise: the kernel's L4, flat selectors, the same
 * trap table and callbacks as vCPU 0, its kernel GS base on its struct
 * percpu) and brings it up (VCPUOP_up); later calls only bring it up again.
 * The function runs on the vCPU's own stack with events enabled; it may
 * block (time_block_until) and handle events of ports bound to its vCPU,
 * but must not use threads, allocate memory, or call smp_start(). When it
 * returns, the vCPU downs itself (VCPUOP_down) and waits for the next
 * smp_start().
 *
 * States of a secondary vCPU, as smp_start() sees them:
 *   never initialised --smp_start--> up, running fn --fn returns--> down
 *   down --smp_start--> up, running the new fn
 * smp_start() refuses (-EBUSY) while the vCPU is up or its function has not
 * returned (it was downed from outside: VCPUOP_up resumes it where it
 * stopped). All smp_* calls are for threads on vCPU 0, except
 * smp_processor_id(), which any code may call.
 */
#ifndef PVG_GUEST_SMP_H
#define PVG_GUEST_SMP_H

#include <stdbool.h>
#include <stdint.h>

#include "arch/percpu.h"
#include "guest/events.h"

#define SMP_MAX_VCPUS 8          /* the hypervisor's MAX_VCPUS_PER_DOMAIN */
#define SMP_STACK_PAGES 4

typedef void (*smp_fn)(void *arg);

/* Boot, first thing: vCPU 0's struct percpu becomes its kernel GS base. */
void smp_init_boot(void);

/* The id of the vCPU running this code. */
static inline unsigned smp_processor_id(void)
{
    return percpu_vcpu_id();
}

/* vCPUs the domain has: is_up answered for 0 .. n - 1 (1..SMP_MAX_VCPUS). */
unsigned smp_nr_vcpus(void);

/* Run fn(arg) on `vcpu` (see above): 0, -EINVAL (vCPU 0 or out of our
 * range), -ENOENT (the domain has no such vCPU), -EBUSY, -ENOMEM, or the
 * hypervisor's error for the context. */
int smp_start(unsigned vcpu, smp_fn fn, void *arg);
/* Yield until `vcpu` is down or the deadline (system time) passes; true if
 * it is down. */
bool smp_wait_down(unsigned vcpu, uint64_t deadline_ns);
/* Functions that returned on `vcpu` since boot. */
uint64_t smp_runs(unsigned vcpu);
/* VIRQ_TIMER events handled on `vcpu` (secondary vCPUs; vCPU 0's are
 * time_timer_events()). */
uint64_t smp_timer_events(unsigned vcpu);

/* vcpu_op wrappers: VCPUOP_is_up (1, 0 or -errno), up, down. */
long smp_vcpu_is_up(unsigned vcpu);
long smp_vcpu_up(unsigned vcpu);
long smp_vcpu_down(unsigned vcpu);

/*
 * The context smp_start() loads for `vcpu`'s first run (tests start from
 * it to build hostile ones). Only for a vCPU whose stack smp_start() has
 * not allocated yet, it allocates the stack: -ENOMEM, or 0.
 */
struct vcpu_guest_context;
int smp_build_context(struct vcpu_guest_context *c, unsigned vcpu);

/* IPIs: a port that runs fn on `vcpu` when sent (EVTCHNOP_bind_ipi), and
 * the send. */
long smp_bind_ipi(unsigned vcpu, evtchn_handler_fn fn, void *arg);
long smp_send_ipi(evtchn_port_t port);

#endif /* PVG_GUEST_SMP_H */
