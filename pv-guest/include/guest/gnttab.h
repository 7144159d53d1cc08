/*
 * Grant tables (v1), both sides.
 *
 * Granter: gnttab_init() asks for the table frames (GNTTABOP_setup_table)
 * and maps them at GNTTAB_VA_BASE. gnttab_grant_access() takes a free
 * reference (never one of the GNTTAB_NR_RESERVED_ENTRIES reserved for the
 * toolstack), writes domid and frame, then - after a write barrier - the
 * flags, as the ABI requires. gnttab_end_access() revokes with a
 * compare-and-swap of the flags to 0 that refuses (-EBUSY) while the
 * hypervisor has GTF_reading or GTF_writing set, i.e. while the grantee
 * still maps the frame; only a successful revoke frees the reference.
 *
 * Grantee: gnttab_map() maps another domain's grant at a free slot of the
 * GNTMAP window (GNTTABOP_map_grant_ref with GNTMAP_host_map; the L1 under
 * the slot exists before the call, as the hypervisor writes the PTE into
 * it); gnttab_unmap() undoes it and frees the slot.
 *
 * Errors: map/unmap return 0, the hypercall's -errno (then m->status is
 * GNTST_okay), or -XEN_EIO with the op's GNTST_* code in m->status.
 * Threads only, never event handlers.
 */
#ifndef PVG_GUEST_GNTTAB_H
#define PVG_GUEST_GNTTAB_H

#include <stdbool.h>
#include <stdint.h>

#include "public/grant_table.h"

/* 0, or -errno / GNTST_* if the table cannot be set up. */
int gnttab_init(void);
bool gnttab_ready(void);
unsigned gnttab_nr_entries(void);

/* A reference granting `mfn` to `domid`, or -XEN_ENOSPC / -XEN_ENODEV. */
long gnttab_grant_access(domid_t domid, uint64_t mfn, bool readonly);
/* 0, -XEN_EBUSY while mapped (the entry stays granted), -XEN_EINVAL. */
int gnttab_end_access(grant_ref_t ref);
/* The entry's flags as the hypervisor sees them (tests). */
uint16_t gnttab_entry_flags(grant_ref_t ref);

struct gnttab_mapping {
    void *va;                   /* where the frame is mapped */
    grant_handle_t handle;
    int16_t status;             /* GNTST_* of the last map/unmap */
    unsigned slot;
};
int gnttab_map(domid_t granter, grant_ref_t ref, bool readonly, struct gnttab_mapping *m);
int gnttab_unmap(struct gnttab_mapping *m);
/*
 * GNTTABOP_copy between a foreign grant and our own memory (neither range
 * may cross a page): copy_in reads granter's ref at offset into buf,
 * copy_out writes buf there. Same errors as gnttab_map, status in *status.
 */
int gnttab_copy_in(domid_t granter, grant_ref_t ref, unsigned offset, void *buf, unsigned len,
                   int16_t *status);
int gnttab_copy_out(domid_t granter, grant_ref_t ref, unsigned offset, const void *buf,
                    unsigned len, int16_t *status);
const char *gnttab_status_name(int st);

#endif /* PVG_GUEST_GNTTAB_H */
