/*
 * Xenia guest ABI: physical device access, physdev_op(cmd, arg) (#33).
 *
 * Xenia implements set_iopl (the I/O privilege level a vCPU's kernel runs
 * with, for a domain allowed to touch I/O ports) and set_iobitmap; the other
 * numbers are listed so that guests probing them get a clean -XEN_ENOSYS
 * and so tests can name them.
 */
#ifndef XENIA_PUBLIC_PHYSDEV_H
#define XENIA_PUBLIC_PHYSDEV_H

#include <stdint.h>

#include "xen.h"

#define PHYSDEVOP_IRQ_UNMASK_NOTIFY    4   /* obsolete */
#define PHYSDEVOP_irq_status_query     5
#define PHYSDEVOP_set_iopl             6
#define PHYSDEVOP_set_iobitmap         7
#define PHYSDEVOP_apic_read            8
#define PHYSDEVOP_apic_write           9
#define PHYSDEVOP_alloc_irq_vector    10
#define PHYSDEVOP_free_irq_vector     11
#define PHYSDEVOP_eoi                 12
#define PHYSDEVOP_map_pirq            13
#define PHYSDEVOP_unmap_pirq          14
#define PHYSDEVOP_manage_pci_add      15
#define PHYSDEVOP_manage_pci_remove   16
#define PHYSDEVOP_pirq_eoi_gmfn_v1    17
#define PHYSDEVOP_restore_msi         19
#define PHYSDEVOP_manage_pci_add_ext  20
#define PHYSDEVOP_setup_gsi           21
#define PHYSDEVOP_get_free_pirq       23
#define PHYSDEVOP_pci_mmcfg_reserved  24
#define PHYSDEVOP_pci_device_add      25
#define PHYSDEVOP_pci_device_remove   26
#define PHYSDEVOP_restore_msi_ext     27
#define PHYSDEVOP_pirq_eoi_gmfn_v2    28
#define PHYSDEVOP_dbgp_op             29
#define PHYSDEVOP_prepare_msix        30
#define PHYSDEVOP_release_msix        31

struct physdev_set_iopl {
    uint32_t iopl;              /* IN: 0..3 */
};
XENIA_ABI_SIZE(struct physdev_set_iopl, 4);

struct physdev_set_iobitmap {
    uint64_t bitmap;            /* IN: guest address of the port bitmap */
    uint32_t nr_ports;          /* IN */
    uint32_t pad0;
};
XENIA_ABI_SIZE(struct physdev_set_iobitmap, 16);
XENIA_ABI_OFFSET(struct physdev_set_iobitmap, nr_ports, 8);

#endif /* XENIA_PUBLIC_PHYSDEV_H */
