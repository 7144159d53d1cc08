/*
 * Xenia guest ABI: guest entry points, callback_op(cmd, arg) (#30).
 *
 * The hypervisor enters the guest kernel at these addresses (which must be
 * canonical):
 *  event     pending events (upcall); events are always masked on entry.
 *  failsafe  the hypervisor could not load the guest's segments on return.
 *  syscall   `syscall` executed by 64-bit guest user space.
 *  nmi       NMI delivery; events are always masked on entry.
 *  sysenter, syscall32: 32-bit user space entry points.
 * CALLBACKF_mask_events asks for events masked on entry to the others.
 * set_callbacks (#4) takes (event, failsafe, syscall) addresses directly.
 */
#ifndef XENIA_PUBLIC_CALLBACK_H
#define XENIA_PUBLIC_CALLBACK_H

#include <stdint.h>

#include "xen.h"

#define CALLBACKTYPE_event               0
#define CALLBACKTYPE_failsafe            1
#define CALLBACKTYPE_syscall             2
#define CALLBACKTYPE_sysenter_deprecated 3
#define CALLBACKTYPE_nmi                 4
#define CALLBACKTYPE_sysenter            5
#define CALLBACKTYPE_syscall32           7

#define _CALLBACKF_mask_events 0
#define CALLBACKF_mask_events  (1U << _CALLBACKF_mask_events)

#define CALLBACKOP_register   0
#define CALLBACKOP_unregister 1

struct callback_register {
    uint16_t type;              /* CALLBACKTYPE_* */
    uint16_t flags;             /* CALLBACKF_* */
    uint32_t pad0;
    xen_callback_t address;
};
XENIA_ABI_SIZE(struct callback_register, 16);
XENIA_ABI_OFFSET(struct callback_register, type, 0);
XENIA_ABI_OFFSET(struct callback_register, flags, 2);
XENIA_ABI_OFFSET(struct callback_register, address, 8);

/* Some types (e.g. event) cannot be unregistered: -XEN_EINVAL. */
struct callback_unregister {
    uint16_t type;
    uint16_t pad0;
};
XENIA_ABI_SIZE(struct callback_unregister, 4);

#endif /* XENIA_PUBLIC_CALLBACK_H */
