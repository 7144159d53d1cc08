/*
 * Xenia guest ABI: grant tables, grant_table_op(cmd, ops, count) (#20).
 *
 * A domain (the granter) lets another domain (the grantee) map or copy one
 * of its frames by filling an entry of its own grant table; the entry's index
 * is the grant reference it passes to the grantee (e.g. through xenstore).
 * The table is an array of 8-byte v1 entries in frames shared with the
 * hypervisor (GNTTABOP_setup_table returns them; the guest maps them).
 *
 * Granter protocol:
 *  offer:   write domid and frame, then a write barrier, then flags
 *           (GTF_permit_access, plus GTF_readonly to forbid writes). The
 *           hypervisor trusts none of it until it sees the flags.
 *  revoke:  read flags; only if neither GTF_reading nor GTF_writing is set,
 *           compare-and-swap flags to 0. An entry in use cannot be revoked.
 *  make read-only: compare-and-swap GTF_readonly in while GTF_writing is
 *           clear.
 * The hypervisor sets and clears GTF_reading / GTF_writing as mappings of
 * the entry come and go; the granter must treat them as read-only.
 *
 * Entries 0..GNTTAB_NR_RESERVED_ENTRIES-1 are reserved for the toolstack:
 * 0 grants the console page and 1 the xenstore page to the backends.
 */
#ifndef XENIA_PUBLIC_GRANT_TABLE_H
#define XENIA_PUBLIC_GRANT_TABLE_H

#include <stdint.h>

#include "xen.h"

typedef uint32_t grant_ref_t;
typedef uint32_t grant_handle_t;   /* names one mapping made by map_grant_ref */

#define GNTTAB_NR_RESERVED_ENTRIES 8
#define GNTTAB_RESERVED_CONSOLE    0
#define GNTTAB_RESERVED_XENSTORE   1

struct grant_entry_v1 {
    uint16_t flags;     /* GTF_*: type and status */
    domid_t  domid;     /* the grantee */
    uint32_t frame;     /* the granted frame (accept_transfer: filled in) */
};
XENIA_ABI_SIZE(struct grant_entry_v1, 8);
XENIA_ABI_OFFSET(struct grant_entry_v1, flags, 0);
XENIA_ABI_OFFSET(struct grant_entry_v1, domid, 2);
XENIA_ABI_OFFSET(struct grant_entry_v1, frame, 4);

/* Entry type, flags bits 1:0. */
#define GTF_invalid          0x0U
#define GTF_permit_access    0x1U
#define GTF_accept_transfer  0x2U
#define GTF_transitive       0x3U
#define GTF_type_mask        0x3U

/* GTF_permit_access modifiers and status. */
#define _GTF_readonly        2
#define GTF_readonly         (1U << _GTF_readonly)      /* granter: no writes */
#define _GTF_reading         3
#define GTF_reading          (1U << _GTF_reading)       /* hypervisor: mapped */
#define _GTF_writing         4
#define GTF_writing          (1U << _GTF_writing)       /* hypervisor: mapped rw */
#define _GTF_PWT             5
#define GTF_PWT              (1U << _GTF_PWT)
#define _GTF_PCD             6
#define GTF_PCD              (1U << _GTF_PCD)
#define _GTF_PAT             7
#define GTF_PAT              (1U << _GTF_PAT)
#define _GTF_sub_page        8
#define GTF_sub_page         (1U << _GTF_sub_page)

/* GTF_accept_transfer status. */
#define _GTF_transfer_committed 2
#define GTF_transfer_committed  (1U << _GTF_transfer_committed)
#define _GTF_transfer_completed 3
#define GTF_transfer_completed  (1U << _GTF_transfer_completed)

#define GNTTABOP_map_grant_ref        0
#define GNTTABOP_unmap_grant_ref      1
#define GNTTABOP_setup_table          2
#define GNTTABOP_dump_table           3
#define GNTTABOP_transfer             4
#define GNTTABOP_copy                 5
#define GNTTABOP_query_size           6
#define GNTTABOP_unmap_and_replace    7
#define GNTTABOP_set_version          8
#define GNTTABOP_get_status_frames    9
#define GNTTABOP_get_version         10
#define GNTTABOP_swap_grant_ref      11
#define GNTTABOP_cache_flush         12

/*
 * Status codes, returned in each op's `status` field (the hypercall itself
 * returns 0 unless the batch as a whole was malformed).
 */
#define GNTST_okay               0
#define GNTST_general_error    (-1)
#define GNTST_bad_domain       (-2)
#define GNTST_bad_gntref       (-3)
#define GNTST_bad_handle       (-4)
#define GNTST_bad_virt_addr    (-5)
#define GNTST_bad_dev_addr     (-6)
#define GNTST_no_device_space  (-7)
#define GNTST_permission_denied (-8)
#define GNTST_bad_page         (-9)
#define GNTST_bad_copy_arg    (-10)
#define GNTST_address_too_big (-11)
#define GNTST_eagain          (-12)

/*
 * map_grant_ref flags. With GNTMAP_host_map, host_addr is a virtual address
 * of the caller, or (GNTMAP_contains_pte) the machine address of the PTE to
 * write. With GNTMAP_device_map, dev_bus_addr returns the address devices use.
 */
#define _GNTMAP_device_map      0
#define GNTMAP_device_map       (1U << _GNTMAP_device_map)
#define _GNTMAP_host_map        1
#define GNTMAP_host_map         (1U << _GNTMAP_host_map)
#define _GNTMAP_readonly        2
#define GNTMAP_readonly         (1U << _GNTMAP_readonly)
#define _GNTMAP_application_map 3
#define GNTMAP_application_map  (1U << _GNTMAP_application_map)
#define _GNTMAP_contains_pte    4
#define GNTMAP_contains_pte     (1U << _GNTMAP_contains_pte)
#define _GNTMAP_can_fail        5
#define GNTMAP_can_fail         (1U << _GNTMAP_can_fail)
#define _GNTMAP_guest_avail0    16
#define GNTMAP_guest_avail_mask (~0U << _GNTMAP_guest_avail0)

struct gnttab_map_grant_ref {
    uint64_t host_addr;        /* IN */
    uint32_t flags;            /* IN: GNTMAP_* */
    grant_ref_t ref;           /* IN */
    domid_t  dom;              /* IN: the granter */
    int16_t  status;           /* OUT: GNTST_* */
    grant_handle_t handle;     /* OUT */
    uint64_t dev_bus_addr;     /* OUT */
};
XENIA_ABI_SIZE(struct gnttab_map_grant_ref, 32);
XENIA_ABI_OFFSET(struct gnttab_map_grant_ref, host_addr, 0);
XENIA_ABI_OFFSET(struct gnttab_map_grant_ref, flags, 8);
XENIA_ABI_OFFSET(struct gnttab_map_grant_ref, ref, 12);
XENIA_ABI_OFFSET(struct gnttab_map_grant_ref, dom, 16);
XENIA_ABI_OFFSET(struct gnttab_map_grant_ref, status, 18);
XENIA_ABI_OFFSET(struct gnttab_map_grant_ref, handle, 20);
XENIA_ABI_OFFSET(struct gnttab_map_grant_ref, dev_bus_addr, 24);

/* Zero host_addr / dev_bus_addr: that half of the mapping is left alone. */
struct gnttab_unmap_grant_ref {
    uint64_t host_addr;        /* IN */
    uint64_t dev_bus_addr;     /* IN */
    grant_handle_t handle;     /* IN */
    int16_t  status;           /* OUT */
    uint16_t pad0;
};
XENIA_ABI_SIZE(struct gnttab_unmap_grant_ref, 24);
XENIA_ABI_OFFSET(struct gnttab_unmap_grant_ref, host_addr, 0);
XENIA_ABI_OFFSET(struct gnttab_unmap_grant_ref, dev_bus_addr, 8);
XENIA_ABI_OFFSET(struct gnttab_unmap_grant_ref, handle, 16);
XENIA_ABI_OFFSET(struct gnttab_unmap_grant_ref, status, 20);

/* Grow the table to at least nr_frames and return the first nr_frames mfns. */
struct gnttab_setup_table {
    domid_t  dom;              /* IN */
    uint16_t pad0;
    uint32_t nr_frames;        /* IN */
    int16_t  status;           /* OUT */
    uint16_t pad1[3];
    uint64_t frame_list;       /* IN: guest address of xen_pfn_t[nr_frames] */
};
XENIA_ABI_SIZE(struct gnttab_setup_table, 24);
XENIA_ABI_OFFSET(struct gnttab_setup_table, dom, 0);
XENIA_ABI_OFFSET(struct gnttab_setup_table, nr_frames, 4);
XENIA_ABI_OFFSET(struct gnttab_setup_table, status, 8);
XENIA_ABI_OFFSET(struct gnttab_setup_table, frame_list, 16);

struct gnttab_dump_table {
    domid_t dom;               /* IN */
    int16_t status;            /* OUT */
};
XENIA_ABI_SIZE(struct gnttab_dump_table, 4);

struct gnttab_transfer {
    xen_pfn_t mfn;             /* IN: frame given away */
    domid_t  domid;            /* IN */
    uint16_t pad0;
    grant_ref_t ref;           /* IN: receiver's accept_transfer entry */
    int16_t  status;           /* OUT */
    uint16_t pad1[3];
};
XENIA_ABI_SIZE(struct gnttab_transfer, 24);
XENIA_ABI_OFFSET(struct gnttab_transfer, domid, 8);
XENIA_ABI_OFFSET(struct gnttab_transfer, ref, 12);
XENIA_ABI_OFFSET(struct gnttab_transfer, status, 16);

/*
 * Hypervisor copy between two (domain, frame-or-grant, offset) places;
 * GNTCOPY_*_gref says whether source / dest name a grant reference of
 * `domid` or a frame of the caller. The range must not cross a page.
 */
#define _GNTCOPY_source_gref 0
#define GNTCOPY_source_gref  (1U << _GNTCOPY_source_gref)
#define _GNTCOPY_dest_gref   1
#define GNTCOPY_dest_gref    (1U << _GNTCOPY_dest_gref)

struct gnttab_copy_ptr {
    union {
        grant_ref_t ref;
        xen_pfn_t   gmfn;
    } u;
    domid_t  domid;
    uint16_t offset;
    uint32_t pad0;
};
XENIA_ABI_SIZE(struct gnttab_copy_ptr, 16);
XENIA_ABI_OFFSET(struct gnttab_copy_ptr, domid, 8);
XENIA_ABI_OFFSET(struct gnttab_copy_ptr, offset, 10);

struct gnttab_copy {
    struct gnttab_copy_ptr source;   /* IN */
    struct gnttab_copy_ptr dest;     /* IN */
    uint16_t len;                    /* IN: bytes */
    uint16_t flags;                  /* IN: GNTCOPY_* */
    int16_t  status;                 /* OUT */
    uint16_t pad0;
};
XENIA_ABI_SIZE(struct gnttab_copy, 40);
XENIA_ABI_OFFSET(struct gnttab_copy, source, 0);
XENIA_ABI_OFFSET(struct gnttab_copy, dest, 16);
XENIA_ABI_OFFSET(struct gnttab_copy, len, 32);
XENIA_ABI_OFFSET(struct gnttab_copy, flags, 34);
XENIA_ABI_OFFSET(struct gnttab_copy, status, 36);

struct gnttab_query_size {
    domid_t  dom;              /* IN */
    uint16_t pad0;
    uint32_t nr_frames;        /* OUT */
    uint32_t max_nr_frames;    /* OUT */
    int16_t  status;           /* OUT */
    uint16_t pad1;
};
XENIA_ABI_SIZE(struct gnttab_query_size, 16);
XENIA_ABI_OFFSET(struct gnttab_query_size, dom, 0);
XENIA_ABI_OFFSET(struct gnttab_query_size, nr_frames, 4);
XENIA_ABI_OFFSET(struct gnttab_query_size, max_nr_frames, 8);
XENIA_ABI_OFFSET(struct gnttab_query_size, status, 12);

struct gnttab_unmap_and_replace {
    uint64_t host_addr;        /* IN */
    uint64_t new_addr;         /* IN */
    grant_handle_t handle;     /* IN */
    int16_t  status;           /* OUT */
    uint16_t pad0;
};
XENIA_ABI_SIZE(struct gnttab_unmap_and_replace, 24);
XENIA_ABI_OFFSET(struct gnttab_unmap_and_replace, handle, 16);
XENIA_ABI_OFFSET(struct gnttab_unmap_and_replace, status, 20);

/* Must come before any grant is in use; only v1 entries are described here. */
struct gnttab_set_version {
    uint32_t version;          /* IN: wanted; OUT: in force */
};
XENIA_ABI_SIZE(struct gnttab_set_version, 4);

struct gnttab_get_version {
    domid_t  dom;              /* IN */
    uint16_t pad0;
    uint32_t version;          /* OUT */
};
XENIA_ABI_SIZE(struct gnttab_get_version, 8);
XENIA_ABI_OFFSET(struct gnttab_get_version, version, 4);

struct gnttab_get_status_frames {
    uint32_t nr_frames;        /* IN */
    domid_t  dom;              /* IN */
    int16_t  status;           /* OUT */
    uint64_t frame_list;       /* IN: guest address of uint64_t[nr_frames] */
};
XENIA_ABI_SIZE(struct gnttab_get_status_frames, 16);
XENIA_ABI_OFFSET(struct gnttab_get_status_frames, dom, 4);
XENIA_ABI_OFFSET(struct gnttab_get_status_frames, status, 6);
XENIA_ABI_OFFSET(struct gnttab_get_status_frames, frame_list, 8);

#endif /* XENIA_PUBLIC_GRANT_TABLE_H */
