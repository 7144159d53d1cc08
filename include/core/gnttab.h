/*
 * Grant tables, v1: the hypervisor's side of page sharing between domains.
 *
 * A granter fills an entry of its own grant table (struct grant_entry_v1,
 * in frames it shares with the hypervisor, see public/grant_table.h) and
 * passes the entry's index, the grant reference, to a grantee. The grantee
 * asks the hypervisor to map the frame (map_grant_ref) or to copy to or from
 * it (copy). This module is the pure logic behind those hypercalls; the
 * hypervisor glue (decoding, domain lookup, page references, PTE writes,
 * TLB flushes) and the host unit tests both link it.
 *
 * State, all in hypervisor memory except the shared entries:
 *   struct gnttab_table     per granter: the shared frames (pointers given
 *                           by the caller), one struct gnttab_active per
 *                           grant reference, a total of pins, closed flag.
 *   struct gnttab_active    per reference: pin counts by kind (host map
 *                           read-only / read-write, copy read-only /
 *                           read-write in progress), and, recorded at the
 *                           first pin, the frame and the pinning domain.
 *   struct gnttab_maptrack  per mapping domain: handle -> struct
 *                           gnttab_mapping {granter's table, ref, flags,
 *                           frame, host_addr}, caller-provided storage, O(1)
 *                           handle allocation (never-used entries first,
 *                           then a FIFO free list, so a handle is reused as
 *                           late as possible).
 *
 * Invariants (the model test recomputes them after every step):
 *   1. For every table and ref: pin[MAP_RO] / pin[MAP_RW] equal the number
 *      of live maptrack handles (of any domain) naming that table, ref and
 *      readonly / read-write; copy pins are zero between hypercalls.
 *   2. While any pin of an entry is held, the shared entry has GTF_reading
 *      set, and GTF_writing while a read-write pin is held; the hypervisor
 *      clears each bit when the last pin needing it goes. (The granter must
 *      treat both as read-only; if it clears them anyway it only loses the
 *      protection they give it: the pins, grantee and frame stay.)
 *   3. A pinned entry belongs to one grantee, act->domid, and always
 *      resolves to act->frame, whatever the granter writes meanwhile.
 *   4. table->nr_pins is the sum of all pin counts: a table with
 *      nr_pins == 0 holds nothing for anybody and may be freed.
 *   5. Every live handle pins exactly one (table, ref, kind), released
 *      exactly once (unmap commit or maptrack release) [XSA-218].
 *
 * The shared entries are guest memory: the granter may rewrite them at any
 * time. The core reads the {flags, domid} word once, checks it, and sets
 * GTF_reading / GTF_writing with a compare-exchange of that same word, so a
 * granter's change between the check and the update makes the exchange
 * fail; the core then re-checks the new value (at most
 * GNTTAB_ENTRY_ATTEMPTS times in all, then GNTST_general_error: a granter
 * that rewrites the entry faster than we can update it is misbehaving).
 * The frame is read once, after GTF_reading is set. Bits are cleared with
 * one atomic AND that touches nothing else.
 *
 * Granter's side (guest code, not here): revoking or making an entry
 * read-only is only valid with a compare-exchange that sees GTF_reading /
 * GTF_writing clear. A granter that clears GTF_permit_access while the
 * entry is pinned has not revoked anything: the hypervisor keeps honouring
 * the pins it holds (same grantee, same frame) until they are released;
 * the granter must not reuse the frame before it sees both bits clear.
 *
 * Status codes are GNTST_* (public/grant_table.h). Every operation checks
 * everything it can with no side effects first; the only step that may
 * fail after that is the compare-exchange on the shared entry, which comes
 * before any change of hypervisor memory. GNTST_eagain is never returned
 * here (no paging); the glue may use it.
 *
 * Locking: none inside. The caller serialises every call that touches a
 * given table or maptrack. gnttab_map, gnttab_unmap_commit and
 * gnttab_maptrack_release touch the mapper's maptrack and the granter's
 * table together: hold both (one global grant lock, or the two per-domain
 * locks taken in a fixed order), and hold them from gnttab_unmap_check to
 * gnttab_unmap_commit. The shared entries need no lock: the granter races
 * us by design.
 *
 * Lifetime: a maptrack entry points at the granter's struct gnttab_table,
 * not at a domain id, so a mapping can never reach a newer domain that
 * reused the id. A dying granter calls gnttab_table_close() (no new pins:
 * GNTST_bad_domain) and keeps the table, its active array and its shared
 * frames until gnttab_table_idle(): the remaining pins belong to other
 * domains' handles and go when those domains unmap or die. Nothing else has
 * to be released per entry on the granter's side. A dying mapper calls
 * gnttab_maptrack_release(), preemptibly, to drop all its handles.
 */
#ifndef XENIA_CORE_GNTTAB_H
#define XENIA_CORE_GNTTAB_H

#include "core/env.h"
#include "public/grant_table.h"

#define GNTTAB_PAGE_SIZE 4096u
#define GNTTAB_PER_FRAME (GNTTAB_PAGE_SIZE / sizeof(struct grant_entry_v1)) /* 512 */
#define GNTTAB_MAX_FRAMES 32u             /* cap on any table's max_frames */
#define GNTTAB_DEFAULT_MAX_FRAMES 8u      /* 4096 refs; query_size reports it */
#define GNTTAB_MAPTRACK_DEFAULT 16384u    /* suggested handles per domain */
#define GNTTAB_MAPTRACK_MAX (1u << 24)    /* handles are indices below this */
#define GNTTAB_PIN_MAX 0xFFFFu            /* per kind per entry */
#define GNTTAB_ENTRY_ATTEMPTS 5u          /* compare-exchanges per pin */

/* Map flags a mapping records; device_map is refused (no IOMMU, no device
 * mappings), other bits (can_fail, guest-available ones) are ignored. */
#define GNTTAB_MAP_FLAGS_KEPT \
    (GNTMAP_host_map | GNTMAP_readonly | GNTMAP_application_map | GNTMAP_contains_pte)

enum gnttab_pin_kind {
    GNTTAB_PIN_MAP_RO,
    GNTTAB_PIN_MAP_RW,
    GNTTAB_PIN_COPY_RO,
    GNTTAB_PIN_COPY_RW,
    GNTTAB_PIN_KINDS
};

struct gnttab_active {
    uint64_t frame;                    /* recorded at the first pin */
    uint16_t pin[GNTTAB_PIN_KINDS];    /* by enum gnttab_pin_kind */
    domid_t domid;                     /* the pinning grantee, first pin */
};

struct gnttab_table {
    struct grant_entry_v1 *shared[GNTTAB_MAX_FRAMES]; /* hypervisor's view */
    uint64_t shared_mfn[GNTTAB_MAX_FRAMES];           /* for setup_table */
    struct gnttab_active *active;      /* caller's, max_frames * 512 */
    uint64_t nr_pins;                  /* sum of every pin count */
    uint32_t nr_frames, max_frames;
    domid_t owner;                     /* the granter */
    bool closed;                       /* dying: no new pins */
};

/* One mapping. Outside the core, read-only (copies handed to the glue). */
struct gnttab_mapping {
    struct gnttab_table *table;        /* granter's; NULL: handle free */
    uint64_t host_addr;                /* as passed to gnttab_map */
    uint64_t frame;                    /* what the mapping maps */
    grant_ref_t ref;
    uint32_t next;                     /* free list link (private) */
    domid_t granter;
    uint16_t flags;                    /* GNTMAP_* it was made with */
};

struct gnttab_maptrack {
    struct gnttab_mapping *map;        /* caller's storage, nr entries */
    uint32_t nr;
    uint32_t used;                     /* entries [0, used) were handed out */
    uint32_t free_head, free_tail;     /* FIFO of freed entries below used */
    uint32_t nr_live;
    domid_t owner;                     /* the mapping domain */
    bool closed;                       /* being released: no new maps */
};

/* Called by gnttab_maptrack_release() for each mapping it drops. */
typedef void (*gnttab_put_fn)(void *ctx, const struct gnttab_mapping *m);

/* --- Arch hook ------------------------------------------------------------
 * Atomically: old = *word; if (old == expected) *word = desired; return old.
 * A full barrier. `word` is guest-writable memory. The hypervisor links
 * gnttab_atomic.c; the unit tests link a version that can play a granter
 * writing at the worst moment. */
uint32_t gnttab_arch_cmpxchg(uint32_t *word, uint32_t expected, uint32_t desired);

/* --- Granter's table (gnttab_table.c) ------------------------------------ */

/* An empty table of `owner` that may grow to max_frames (1..GNTTAB_MAX_FRAMES)
 * frames; `active` has room for max_frames * GNTTAB_PER_FRAME entries. */
void gnttab_table_init(struct gnttab_table *gt, domid_t owner,
                       struct gnttab_active *active, uint32_t max_frames);
/* Append one shared frame: `va` is the hypervisor's mapping of frame `mfn`,
 * which the core zeroes and the glue then shares writable with the owner.
 * Refs [old size, new size) become valid. GNTST_general_error if full. */
int gnttab_table_add_frame(struct gnttab_table *gt, struct grant_entry_v1 *va,
                           uint64_t mfn);
uint32_t gnttab_nr_entries(const struct gnttab_table *gt);
/* setup_table: GNTST_okay if nr_frames is allowed; the glue then adds
 * frames until the table has nr_frames and returns gnttab_frame_mfn(0..). */
int gnttab_setup_check(const struct gnttab_table *gt, uint32_t nr_frames);
/* index < nr_frames (the glue stops at what it managed to add). */
uint64_t gnttab_frame_mfn(const struct gnttab_table *gt, uint32_t index);
void gnttab_query_size(const struct gnttab_table *gt, uint32_t *nr_frames,
                       uint32_t *max_frames);
/* set_version: 0 for 1; -XEN_ENOSYS for 2 (v1 only); -XEN_EINVAL else. */
int gnttab_set_version(const struct gnttab_table *gt, uint32_t version);
/* Hypervisor-side offer (the domain builder's console and xenstore refs):
 * writes domid and frame, a barrier, then the flags. */
int gnttab_seed(struct gnttab_table *gt, grant_ref_t ref, domid_t grantee,
                uint64_t frame, bool readonly);
/* The entry of ref, or NULL when out of range (tests, debug dumps). */
const struct gnttab_active *gnttab_active_of(const struct gnttab_table *gt,
                                             grant_ref_t ref);
void gnttab_table_close(struct gnttab_table *gt);
bool gnttab_table_idle(const struct gnttab_table *gt);

/* --- Mapping domain's maptrack (gnttab_maptrack.c) ----------------------- */

/* O(1): `map` needs no initialisation. nr <= GNTTAB_MAPTRACK_MAX. */
void gnttab_maptrack_init(struct gnttab_maptrack *mt, domid_t owner,
                          struct gnttab_mapping *map, uint32_t nr);
uint32_t gnttab_maptrack_live(const struct gnttab_maptrack *mt);
/*
 * Teardown of a dying mapper: closes the maptrack, then drops every live
 * handle in [*cursor, used): the pin it holds, then put(ctx, copy) so the
 * glue drops the page references of that mapping. Examines at most
 * `budget` (>= 1) entries per call: 0 when done, -XEN_ERESTART to call
 * again with the same cursor (start at 0). Before the first call the glue
 * makes sure the domain can no longer reach the frames (vCPUs stopped, its
 * page tables out of every CPU and TLB), since the granter may reuse a frame
 * as soon as its flags clear.
 */
int gnttab_maptrack_release(struct gnttab_maptrack *mt, uint32_t *cursor,
                            uint32_t budget, gnttab_put_fn put, void *ctx);

/* --- Map and unmap (gnttab_map.c) ---------------------------------------- */

/* GNTST_bad_virt_addr unless host_addr is usable for `flags`: with
 * GNTMAP_contains_pte the machine address of a PTE, 8-byte aligned [XSA-227];
 * else a page-aligned canonical virtual address. Range and ownership
 * (a guest L1 of the mapper, below the hypervisor slots) are the glue's. */
int gnttab_check_host_addr(uint32_t flags, uint64_t host_addr);
/*
 * map_grant_ref of `ref` of gt's owner by mt's owner. Checks, in order:
 * flags (no host_map: GNTST_bad_gntref, as Xen; GNTMAP_device_map:
 * GNTST_general_error),
 * host_addr (GNTST_bad_virt_addr), closed maptrack (general_error), closed
 * table (GNTST_bad_domain), maptrack full (GNTST_no_device_space), ref
 * range (GNTST_bad_gntref), an entry pinned by another domain
 * (GNTST_permission_denied), a pin count at its maximum (general_error),
 * then the shared entry: not GTF_permit_access for this domain, or a
 * writable map of a GTF_readonly entry (GNTST_permission_denied), unstable
 * (general_error). On GNTST_okay: pinned, flags set, a handle allocated;
 * *frame is the frame to map (dev_bus_addr = frame << 12).
 * The glue then takes the page references (general, plus PGT_WRITABLE
 * type if not readonly, owner = the granter) and writes the PTE; if either
 * fails it undoes the map with gnttab_unmap_commit(mt, *handle).
 */
int gnttab_map(struct gnttab_table *gt, struct gnttab_maptrack *mt, grant_ref_t ref,
               uint32_t flags, uint64_t host_addr, grant_handle_t *handle,
               uint64_t *frame);
/*
 * unmap_grant_ref, validation: GNTST_bad_handle for a handle that is out of
 * range or not live (bogus, double unmap), GNTST_bad_virt_addr if host_addr
 * is not the address the mapping was made at (never unmap a mapping that was
 * not asked for). No side effects; on GNTST_okay *out is a copy of the
 * mapping. The glue then clears the PTE (checking it maps out->frame),
 * flushes the TLBs of the mapper, and only then calls gnttab_unmap_commit()
 * and drops the page references: the granter may reuse the frame as soon as
 * its flags clear.
 */
int gnttab_unmap_check(const struct gnttab_maptrack *mt, grant_handle_t handle,
                       uint64_t host_addr, struct gnttab_mapping *out);
/* Drop the pin of a live handle (BUG if not live: the glue checked) and
 * free the handle. Cannot fail. */
void gnttab_unmap_commit(struct gnttab_maptrack *mt, grant_handle_t handle);

/* --- Copy (gnttab_copy.c) ------------------------------------------------- */

/*
 * One copy segment, arguments only: GNTST_bad_copy_arg for unknown flags or
 * a range leaving its page; GNTST_permission_denied for a side given by
 * frame (not grant) of another domain than DOMID_SELF. Then, per side
 * given by grant, the glue looks the domain up (GNTST_bad_domain) and pins
 * it with gnttab_copy_pin(write = dest side); per side given by frame it
 * checks the frame is the caller's own. It copies, then unpins.
 */
int gnttab_copy_check(const struct gnttab_copy *op);
/* Checks as gnttab_map (table closed, ref, grantee, readonly for write);
 * on GNTST_okay the entry is pinned for a copy and *frame is its frame. */
int gnttab_copy_pin(struct gnttab_table *gt, grant_ref_t ref, domid_t copier,
                    bool write, uint64_t *frame);
void gnttab_copy_unpin(struct gnttab_table *gt, grant_ref_t ref, bool write);

#endif /* XENIA_CORE_GNTTAB_H */
