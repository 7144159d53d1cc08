/*
 * Xenia guest ABI: NMI delivery, nmi_op(cmd, arg) (#28).
 *
 * The reason for a hardware NMI is published in shared_info.arch.nmi_reason
 * as XEN_NMIREASON_* bits. Only dom0's vCPU 0 may register a handler; the
 * same entry point can be registered with callback_op (CALLBACKTYPE_nmi).
 */
#ifndef XENIA_PUBLIC_NMI_H
#define XENIA_PUBLIC_NMI_H

#include <stdint.h>

#include "xen.h"

#define _XEN_NMIREASON_io_error     0
#define XEN_NMIREASON_io_error      (1ULL << _XEN_NMIREASON_io_error)
#define _XEN_NMIREASON_pci_serr     1
#define XEN_NMIREASON_pci_serr      (1ULL << _XEN_NMIREASON_pci_serr)
#define _XEN_NMIREASON_unknown      2
#define XEN_NMIREASON_unknown       (1ULL << _XEN_NMIREASON_unknown)

#define XENNMI_register_callback   0
#define XENNMI_unregister_callback 1

struct xennmi_callback {
    uint64_t handler_address;
    uint64_t pad;
};
XENIA_ABI_SIZE(struct xennmi_callback, 16);

#endif /* XENIA_PUBLIC_NMI_H */
