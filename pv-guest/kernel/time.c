/*
 * Time: reads through pvclock (core), the timer VIRQ and blocking.
 *
 * Blocking: set_timer_op(deadline) arms a one-shot timer that raises
 * VIRQ_TIMER; SCHEDOP_block sleeps until an event is pending, unmasking
 * events atomically with the check, and the upcall runs as soon as it
 * returns. Callers mask events, check their wake-up condition, then block:
 * an event that arrives after the check keeps SCHEDOP_block from sleeping,
 * so no wake-up is lost. Without a bound timer VIRQ (a hypervisor without
 * event channels) SCHEDOP_block would never wake up: SCHEDOP_poll with a
 * timeout and no ports sleeps instead, and the caller polls the clock.
 */
#include "guest/time.h"
#include "arch/cpu.h"
#include "arch/hypercall.h"
#include "guest/console.h"
#include "guest/events.h"
#include "guest/kernel.h"
#include "guest/pvclock.h"

static bool timer_bound;
static uint64_t timer_events;

static uint64_t read_tsc(void *ctx)
{
    (void)ctx;
    return rdtsc();
}

uint64_t time_now_ns(void)
{
    uint64_t ns;
    if (!pvclock_system_time(&this_vcpu_info()->time, read_tsc, NULL, &ns))
        guest_crash("time: vcpu_time_info never settled");
    return ns;
}

bool time_wallclock(uint64_t *sec, uint32_t *nsec)
{
    uint64_t base_sec;
    uint32_t base_nsec;

    if (!pvclock_wallclock_base(shared_info, &base_sec, &base_nsec))
        return false;
    pvclock_add_ns(base_sec, base_nsec, time_now_ns(), sec, nsec);
    return true;
}

static void timer_event(evtchn_port_t port, struct trap_frame *f, void *arg)
{
    (void)port;
    (void)f;
    (void)arg;
    timer_events++;
}

uint64_t time_timer_events(void)
{
    return timer_events;
}

bool time_timer_bound(void)
{
    return timer_bound;
}

void time_init(void)
{
    long port = evtchn_bind_virq(VIRQ_TIMER, timer_event, NULL);
    timer_bound = port >= 0;
    if (!timer_bound)
        printk("time: cannot bind VIRQ_TIMER (%ld): idle loops poll\n", port);
}

void time_block_masked(uint64_t deadline_ns)
{
    if (!timer_bound) {
        /* SCHEDOP_poll on no ports with a timeout sleeps until the timeout
           whether or not events work (Xen's poll timer wakes the vCPU
           itself), so other domains run meanwhile. */
        struct sched_poll p = { .ports = 0, .nr_ports = 0, .timeout = deadline_ns };
        if (deadline_ns == UINT64_MAX || HYPERVISOR_sched_op(SCHEDOP_poll, &p) < 0)
            (void)HYPERVISOR_sched_op(SCHEDOP_yield, NULL);
        return;
    }
    /* 0 cancels the timer: with no deadline only an event wakes us. */
    uint64_t when = deadline_ns == UINT64_MAX ? 0 : deadline_ns;
    if (HYPERVISOR_set_timer_op(when) < 0 || (when != 0 && time_now_ns() >= deadline_ns))
        return;
    (void)HYPERVISOR_sched_op(SCHEDOP_block, NULL);
    /* block cleared the mask; pending events were delivered on return.
       Mask again for the caller. */
    (void)irq_save();
}

void time_block_until(uint64_t deadline_ns)
{
    unsigned old = irq_save();
    time_block_masked(deadline_ns);
    irq_restore(old);
}
