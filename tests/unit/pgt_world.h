/*
 * A small machine for the PV MMU tests: up to W_MAX frames of 512 entries,
 * the pgt_env hooks (flush and hypervisor-slot counters), references the
 * test holds itself (ext_*), and a from-scratch recomputation of every
 * accounting invariant of core/pgt.h.
 */
#ifndef XENIA_TESTS_PGT_WORLD_H
#define XENIA_TESTS_PGT_WORLD_H

#include "core/pgt.h"

#define W_MAX 64u
#define W_D0 0u        /* dom0 */
#define W_D1 1u
#define W_D2 2u
#define W_HV_FIRST 256u
#define W_HV_LAST 271u
/* What install_hv_slots writes in hypervisor slot i (never referenced). */
#define W_HV_PATTERN(i) (0xF000000000000003ull | ((uint64_t)(i) << 12))

#define W_P PGT_PTE_P
#define W_RW PGT_PTE_RW

struct pgt_world {
    struct pgt_frame frames[W_MAX];
    uint64_t page[W_MAX][PGT_ENTRIES];
    struct pgt_env env;
    unsigned flushes;             /* env->flush calls */
    uint64_t last_flush;
    unsigned installs;            /* env->install_hv_slots calls */
    unsigned long table_calls;    /* env->table calls: entries looked at */
    int seg_desc_rc;              /* what check_seg_desc answers */
    uint32_t ext_general[W_MAX];  /* general refs the test holds (get_page) */
    uint32_t ext_typed[W_MAX];    /* general+type refs the test holds */
};

/* A zeroed world of nr frames (<= W_MAX), all free. Free with w_free(). */
struct pgt_world *w_new(uint64_t nr);
void w_free(struct pgt_world *w);
/* Run an operation's result to completion through its cont. */
int w_finish(struct pgt_world *w, struct pgt_cont *c, int rc);
/* One-shot helpers with a fresh default cont; they return the final result. */
int w_pin(struct pgt_world *w, uint64_t mfn, unsigned level, uint16_t dom);
int w_unpin(struct pgt_world *w, uint64_t mfn, uint16_t dom);
int w_mod(struct pgt_world *w, uint64_t table, unsigned index, uint64_t pte,
          uint16_t dom, uint16_t pg_owner);
int w_get_type(struct pgt_world *w, uint64_t mfn, enum pgt_type t, uint16_t dom);
int w_put_type(struct pgt_world *w, uint64_t mfn, uint16_t dom);
/* Assign frames [first, first + n) to dom. */
void w_assign(struct pgt_world *w, uint64_t first, uint64_t n, uint16_t dom);
/* A write the guest could do itself through a writable mapping: only to a
 * frame that is WRITABLE or untyped (type_count 0, not busy). */
bool w_guest_write(struct pgt_world *w, uint64_t mfn, unsigned i, uint64_t v);
/* Recompute every reference from the tables, pins and ext_* and compare
 * with the frame table. Needs every cont idle. NULL if all is well, else a
 * description of the first violation (static buffer). */
const char *w_check(const struct pgt_world *w);
/* True if no frame holds any reference (after a full teardown). */
bool w_all_zero(const struct pgt_world *w);
/* Copy and compare the counters of every frame (type excluded: it is sticky). */
void w_snapshot(const struct pgt_world *w, struct pgt_frame *out);
bool w_same_counts(const struct pgt_world *w, const struct pgt_frame *snap);

#endif /* XENIA_TESTS_PGT_WORLD_H */
