/*
 * pvclock: reading the hypervisor's time records (vcpu_time_info and the
 * wall clock in shared_info), following the protocol in public/xen.h.
 *
 * The hypervisor updates a record by making `version` odd, writing the
 * fields, then making it even again. A reader copies the fields between two
 * reads of an even, unchanged version and retries otherwise. The loops here
 * are bounded (PVCLOCK_MAX_TRIES): a record that never settles makes the
 * read fail instead of hanging the kernel.
 *
 * Portable core code: the TSC is read through a callback so host tests can
 * drive it (and change the record in the middle of a read).
 */
#ifndef PVG_GUEST_PVCLOCK_H
#define PVG_GUEST_PVCLOCK_H

#include "core/env.h"
#include "public/xen.h"

#define PVCLOCK_MAX_TRIES 1000000u

/* tsc ticks -> ns: ((delta << shift), or >> -shift, * mul) >> 32. */
uint64_t pvclock_scale(uint64_t delta, uint32_t mul, int8_t shift);

/*
 * System time in ns: system_time + scale(tsc - tsc_timestamp), with the TSC
 * sampled inside the version window. A TSC behind the stamp counts as 0
 * ticks. Returns false if the record never settled.
 */
bool pvclock_system_time(const volatile struct vcpu_time_info *t,
                         uint64_t (*read_tsc)(void *ctx), void *ctx, uint64_t *ns);

/* Wall-clock time at system time 0 (wc_sec_hi:wc_sec, wc_nsec). */
bool pvclock_wallclock_base(const volatile struct shared_info *s,
                            uint64_t *sec, uint32_t *nsec);

/* base + system_ns as (sec, nsec), nsec < 1e9. */
void pvclock_add_ns(uint64_t base_sec, uint32_t base_nsec, uint64_t ns,
                    uint64_t *sec, uint32_t *nsec);

#endif /* PVG_GUEST_PVCLOCK_H */
