/*
 * Xenia guest ABI: memory reservation and layout, memory_op(cmd, arg) (#12).
 *
 * Reservation operations work on extents of 2^extent_order frames. They
 * return the number of extents processed (a short count means the rest
 * failed) and may be continued after preemption, so a guest must not
 * assume the whole list was handled in one go.
 *   increase_reservation  allocate; writes the new machine frames out.
 *   decrease_reservation  give back the listed frames.
 *   populate_physmap      allocate behind the listed pseudo-physical
 *                         frames; writes the machine frames back.
 *   exchange              swap `in` frames for freshly allocated `out` ones
 *                         of the same total size (see xen_memory_exchange).
 * Queries: maximum_ram_page (highest machine frame of RAM), current/maximum
 * _reservation (arg: guest address of a domid_t; returns pages),
 * memory_map (the guest's E820 map), machphys_mapping (where the M2P is).
 */
#ifndef XENIA_PUBLIC_MEMORY_H
#define XENIA_PUBLIC_MEMORY_H

#include <stdint.h>

#include "xen.h"

#define XENMEM_increase_reservation  0
#define XENMEM_decrease_reservation  1
#define XENMEM_maximum_ram_page      2
#define XENMEM_current_reservation   3
#define XENMEM_maximum_reservation   4
#define XENMEM_machphys_mfn_list     5
#define XENMEM_populate_physmap      6
#define XENMEM_add_to_physmap        7
#define XENMEM_memory_map            9
#define XENMEM_machine_memory_map   10
#define XENMEM_exchange             11
#define XENMEM_machphys_mapping     12
#define XENMEM_set_memory_map       13
#define XENMEM_maximum_gpfn         14
#define XENMEM_remove_from_physmap  15

/*
 * mem_flags: bits 7:0 limit the machine address width of what is allocated
 * (0: no limit); bits 15:8 hold 1 + a NUMA node (0: any node).
 */
#define XENMEMF_address_bits(x)     (x)
#define XENMEMF_get_address_bits(x) ((x) & 0xffU)
#define XENMEMF_node(x)             (((x) + 1) << 8)
#define XENMEMF_get_node(x)         ((((x) >> 8) - 1) & 0xffU)
#define XENMEMF_populate_on_demand  (1U << 16)
#define XENMEMF_exact_node_request  (1U << 17)
#define XENMEMF_exact_node(n)       (XENMEMF_node(n) | XENMEMF_exact_node_request)
#define XENMEMF_vnode               (1U << 18)

struct xen_memory_reservation {
    uint64_t extent_start;      /* guest address of xen_pfn_t[nr_extents] */
    uint64_t nr_extents;
    uint32_t extent_order;
    uint32_t mem_flags;         /* XENMEMF_* */
    domid_t  domid;             /* DOMID_SELF unless privileged */
    uint16_t pad0[3];
};
XENIA_ABI_SIZE(struct xen_memory_reservation, 32);
XENIA_ABI_OFFSET(struct xen_memory_reservation, extent_start, 0);
XENIA_ABI_OFFSET(struct xen_memory_reservation, nr_extents, 8);
XENIA_ABI_OFFSET(struct xen_memory_reservation, extent_order, 16);
XENIA_ABI_OFFSET(struct xen_memory_reservation, mem_flags, 20);
XENIA_ABI_OFFSET(struct xen_memory_reservation, domid, 24);

/*
 * Requirements: in.domid == out.domid; in.nr_extents << in.extent_order ==
 * out.nr_extents << out.extent_order; the two lists do not overlap.
 * out.extent_start lists the pseudo-physical frames to fill and receives
 * the machine frames. nr_exchanged (zeroed by the caller) counts the input
 * extents done; anything short of all of them comes with an error return.
 */
struct xen_memory_exchange {
    struct xen_memory_reservation in;
    struct xen_memory_reservation out;
    uint64_t nr_exchanged;
};
XENIA_ABI_SIZE(struct xen_memory_exchange, 72);
XENIA_ABI_OFFSET(struct xen_memory_exchange, in, 0);
XENIA_ABI_OFFSET(struct xen_memory_exchange, out, 32);
XENIA_ABI_OFFSET(struct xen_memory_exchange, nr_exchanged, 64);

/* Machine frames of the 2 MiB chunks backing the M2P table. */
struct xen_machphys_mfn_list {
    uint32_t max_extents;       /* IN */
    uint32_t pad0;
    uint64_t extent_start;      /* IN: guest address of xen_pfn_t[max_extents] */
    uint32_t nr_extents;        /* OUT */
    uint32_t pad1;
};
XENIA_ABI_SIZE(struct xen_machphys_mfn_list, 24);
XENIA_ABI_OFFSET(struct xen_machphys_mfn_list, extent_start, 8);
XENIA_ABI_OFFSET(struct xen_machphys_mfn_list, nr_extents, 16);

struct xen_machphys_mapping {
    uint64_t v_start;           /* virtual range of the M2P table */
    uint64_t v_end;
    uint64_t max_mfn;           /* highest frame the table covers */
};
XENIA_ABI_SIZE(struct xen_machphys_mapping, 24);
XENIA_ABI_OFFSET(struct xen_machphys_mapping, v_start, 0);
XENIA_ABI_OFFSET(struct xen_machphys_mapping, v_end, 8);
XENIA_ABI_OFFSET(struct xen_machphys_mapping, max_mfn, 16);

/* Places add_to_physmap can take a frame from. */
#define XENMAPSPACE_shared_info  0
#define XENMAPSPACE_grant_table  1
#define XENMAPSPACE_gmfn         2
#define XENMAPSPACE_gmfn_range   3
#define XENMAPSPACE_gmfn_foreign 4
#define XENMAPSPACE_dev_mmio     5
#define XENMAPIDX_grant_table_status 0x80000000U

struct xen_add_to_physmap {
    domid_t  domid;
    uint16_t size;              /* frames, for gmfn_range */
    uint32_t space;             /* XENMAPSPACE_* */
    uint64_t idx;
    xen_pfn_t gpfn;
};
XENIA_ABI_SIZE(struct xen_add_to_physmap, 24);
XENIA_ABI_OFFSET(struct xen_add_to_physmap, size, 2);
XENIA_ABI_OFFSET(struct xen_add_to_physmap, space, 4);
XENIA_ABI_OFFSET(struct xen_add_to_physmap, idx, 8);
XENIA_ABI_OFFSET(struct xen_add_to_physmap, gpfn, 16);

struct xen_remove_from_physmap {
    domid_t  domid;
    uint16_t pad0[3];
    xen_pfn_t gpfn;
};
XENIA_ABI_SIZE(struct xen_remove_from_physmap, 16);
XENIA_ABI_OFFSET(struct xen_remove_from_physmap, gpfn, 8);

/*
 * The buffer holds E820 entries (struct xen_e820_entry, 20 bytes each, no
 * padding). nr_entries: IN capacity of the buffer, OUT entries written.
 */
struct xen_memory_map {
    uint32_t nr_entries;
    uint32_t pad0;
    uint64_t buffer;            /* guest address */
};
XENIA_ABI_SIZE(struct xen_memory_map, 16);
XENIA_ABI_OFFSET(struct xen_memory_map, nr_entries, 0);
XENIA_ABI_OFFSET(struct xen_memory_map, buffer, 8);

struct xen_foreign_memory_map {
    domid_t  domid;
    uint16_t pad0[3];
    struct xen_memory_map map;
};
XENIA_ABI_SIZE(struct xen_foreign_memory_map, 24);
XENIA_ABI_OFFSET(struct xen_foreign_memory_map, map, 8);

#define XEN_E820_RAM        1
#define XEN_E820_RESERVED   2
#define XEN_E820_ACPI       3
#define XEN_E820_NVS        4
#define XEN_E820_UNUSABLE   5

struct xen_e820_entry {
    uint64_t addr;
    uint64_t size;
    uint32_t type;              /* XEN_E820_* */
} __attribute__((packed));
XENIA_ABI_SIZE(struct xen_e820_entry, 20);
XENIA_ABI_OFFSET(struct xen_e820_entry, size, 8);
XENIA_ABI_OFFSET(struct xen_e820_entry, type, 16);

#endif /* XENIA_PUBLIC_MEMORY_H */
