/*
 * Time from the hypervisor: system time (ns since the hypervisor started,
 * from vcpu_info.time scaled by the TSC) and wall-clock time (shared_info's
 * wc_* base plus system time). The timer VIRQ wakes a blocked vCPU at a
 * deadline set with set_timer_op; time_init() binds it.
 */
#ifndef PVG_GUEST_TIME_H
#define PVG_GUEST_TIME_H

#include <stdbool.h>
#include <stdint.h>

#define NSEC_PER_SEC  1000000000ULL
#define NSEC_PER_MSEC 1000000ULL

void time_init(void);
uint64_t time_now_ns(void);
/* Wall-clock time now; false if the hypervisor's record never settled. */
bool time_wallclock(uint64_t *sec, uint32_t *nsec);
/* True if VIRQ_TIMER is bound (blocking with a deadline works). */
bool time_timer_bound(void);
/* Block the vCPU until an event or the deadline (system time, ns). */
void time_block_until(uint64_t deadline_ns);
/*
 * The same for a caller that has masked events (irq_save) and checked its
 * condition: returns with events masked again, after any pending upcall
 * ran. deadline UINT64_MAX: no timer, only an event wakes the vCPU.
 */
void time_block_masked(uint64_t deadline_ns);
uint64_t time_timer_events(void);

#endif /* PVG_GUEST_TIME_H */
