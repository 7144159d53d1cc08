/*
 * The kernel's entry points and global state.
 *
 * Boot order (kernel/setup.c): copy start_info, console, trap table and
 * callbacks, memory (direct map, allocator), shared_info, time, events,
 * threads; then kernel_main() runs as the first thread. kernel_main() is
 * what an image adds to the common kernel: pv-guest/dom0/main.c for dom0,
 * tests/guest/harness.c for the test kernels.
 */
#ifndef PVG_GUEST_KERNEL_H
#define PVG_GUEST_KERNEL_H

#include <stdint.h>

#include "core/env.h"
#include "public/xen.h"

/* A copy of the start_info page, taken at entry. */
extern struct start_info start_info;
/* The start_info page itself, in the initial mapping. */
extern struct start_info *start_info_page;
/* shared_info, mapped at FIXMAP_SHARED_INFO by setup. */
extern volatile struct shared_info *shared_info;

static inline volatile struct vcpu_info *vcpu_info0(void)
{
    return &shared_info->vcpu_info[0];
}

/* The image's main program. */
void kernel_main(void);

/* C entry from head.S. */
__noreturn void start_kernel(struct start_info *si);

/* SCHEDOP_shutdown; they never return. */
__noreturn void guest_poweroff(void);
__noreturn void guest_crash(const char *why);

/* Optional, defined by an image that wants to know: called once by
 * guest_crash() before it shuts down, at any time from the first
 * instruction on (the test harness prints its result line there). */
void kernel_on_crash(void) __attribute__((weak));

#endif /* PVG_GUEST_KERNEL_H */
