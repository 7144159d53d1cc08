/*
 * System time: nanoseconds since boot, from the TSC scaled by a 32.32
 * multiplier and a shift (the same pair guests get in vcpu_time_info, so
 * guest and hypervisor agree exactly). Wall clock from the CMOS RTC at boot.
 */
#ifndef XENIA_TIME_H
#define XENIA_TIME_H

#include <xenia/domain.h>

void time_init(void);                       /* after the TSC is calibrated */
uint64_t now_ns(void);
void time_update_vcpu(struct vcpu *v);      /* vcpu_info.time */
void time_update_wallclock(struct domain *d);
uint64_t time_boot_epoch(void);             /* wall-clock seconds at system time 0 */

#endif
