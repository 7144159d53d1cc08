/*
 * PV MMU: page types, reference counts and PTE rules (the frame table).
 *
 * A PV guest builds its own x86_64 page tables in its own frames; the
 * hypervisor lets the CPU use them only after it has validated them, and
 * from then on the guest changes them only through hypercalls. This module
 * is the pure logic behind that: one struct pgt_frame per machine frame,
 * the type state machine, the PTE checks and the reference accounting.
 * The hypervisor (mm glue, hypercalls) and the host unit tests both link it.
 *
 * Per frame:
 *   owner       domain id, PGT_OWNER_XEN (hypervisor) or PGT_OWNER_NONE (free)
 *   count       general references: each present PTE that maps or points to
 *               the frame (except an L4's read-only map of itself), each pin,
 *               each reference a caller took (a cr3, a grant mapping, ...)
 *   type        what the frame is used as; ONE type at a time
 *   type_count  references that need that type; the type may change only
 *               while type_count == 0 (it stays "sticky" at 0: see flush)
 *   state       INVALID / VALIDATING / VALID / RELEASING, below
 *
 * Invariants (a test recomputes them from scratch after every operation):
 *   1. type_count <= count: every type reference comes with a general one.
 *   2. A frame of a table type L1..L4 with type_count > 0 is never mapped
 *      writable: an RW L1 entry holds a PGT_WRITABLE type reference on the
 *      frame it maps, and a frame has one type at a time.
 *   3. A VALID table holds, for each present entry (hypervisor L4 slots and
 *      an L4's self map excluded), exactly: L1 entry -> a general reference
 *      on the mapped frame, plus a PGT_WRITABLE type reference if RW;
 *      Ln entry (n = 2..4) -> a general and a PGT_L(n-1) type reference
 *      ("linear" L4 -> L4 entries: a general and a PGT_L4 type reference).
 *   4. Frames only reference frames of the same owner, except L1 entries:
 *      read-only maps of hypervisor frames marked guest-readable (the M2P),
 *      and, through pgt_mod_entry only, frames of one foreign domain.
 *   5. An L4 may map another L4 only read-only ("linear page table"), the
 *      target must already be VALID, and an L4 is either a user of linear
 *      entries or the target of some, never both (linear > 0 / < 0): no
 *      chains, so no cycles and release recursion stays bounded.
 *   6. A frame with count > 0 is never given back to the allocator.
 *
 * States of a frame (for WRITABLE and SEG_DESC only INVALID and VALID occur):
 *   INVALID     type_count == 0; the frame holds no references.
 *   VALIDATING  a walk is validating it: entries [0, progress) hold their
 *               references; type_count == 1, held by the walk.
 *   VALID       type_count > 0; a table holds the references of every entry.
 *   RELEASING   type_count == 0; a walk is dropping its entries' references:
 *               entries [0, progress) still hold them.
 * VALIDATING and RELEASING frames are "busy": their type is frozen and their
 * entries are not written; every frame on a walk holds one general reference
 * for the walk, so it cannot be freed under it.
 *
 * Preemption. Validating an L4 may mean validating 512 L3s, 512*512 L2s...
 * and releasing one may cost as much. Every operation that can validate or
 * release tables therefore runs through a continuation (struct pgt_cont, one
 * per vCPU): it examines at most `budget` entries per call and then returns
 * -ERESTART, keeping an explicit stack of the busy frames (at most 5: an
 * L4, the L4 it maps linearly, L3, L2, L1; the array has room for 8).
 * The caller then calls pgt_cont_resume() (typically from the hypercall
 * continuation, before doing anything else for that vCPU) until the result
 * is not -ERESTART; that result is the result of the operation. Nothing is
 * lost in between: the partial state lives in the frames (state, progress)
 * and in the cont, and it is consistent at every return.
 * An operation that asks for a table type on a frame another cont is
 * validating or releasing as that same type returns -ERESTART too (retry
 * later: a walk only waits on frames one level below its deepest one, so it
 * never waits on itself and two conts never wait on each other); asked for
 * any other type, a busy frame is a type conflict (-EINVAL). Table types
 * are only asked for on the caller's own frames: no domain can make another
 * one wait.
 * A domain being destroyed calls pgt_cont_abort() on each of its vCPUs' conts
 * (unwinding a half-done validation), then pgt_relinquish().
 *
 * Error taxonomy: -EINVAL malformed entry or argument, type conflict,
 * counter overflow; -EPERM frame of the wrong owner (another domain, the
 * hypervisor, nobody); -EBUSY frame still referenced (pgt_free), owned
 * (pgt_assign) or cont already in use;
 * -ERESTART call pgt_cont_resume() again. Nothing a guest controls reaches
 * BUG_ON; BUG_ON guards only this module's own accounting.
 *
 * Hypervisor frames: a guest PTE may name a PGT_OWNER_XEN frame only in an
 * L1 entry, only read-only, and only if the frame was marked guest-readable
 * with pgt_share_ro() (the M2P table). Never as a table, never writable.
 *
 * Locking: none here. The caller serialises every call that touches a given
 * frame table (one lock for the frame table, or per-domain locks plus the
 * rule that only dom0's foreign mappings cross domains).
 */
#ifndef XENIA_CORE_PGT_H
#define XENIA_CORE_PGT_H

#include "core/env.h"

/* Negative errno values returned by this module (Linux/Xen numbers). */
#ifndef EPERM
#define EPERM 1
#endif
#ifndef EBUSY
#define EBUSY 16
#endif
#ifndef EINVAL
#define EINVAL 22
#endif
#ifndef ERESTART
#define ERESTART 85
#endif

#define PGT_ENTRIES 512u                 /* entries per table */
#define PGT_OWNER_XEN 0x7FF2u            /* DOMID_XEN */
#define PGT_OWNER_NONE 0x7FF4u           /* DOMID_INVALID: free frame */
#define PGT_BUDGET_DEFAULT 1024u         /* entries examined per call */
#define PGT_WALK_DEPTH 8u

/* x86_64 PTE bits (Intel SDM vol. 3 4.5). */
#define PGT_PTE_P (1ull << 0)
#define PGT_PTE_RW (1ull << 1)
#define PGT_PTE_US (1ull << 2)
#define PGT_PTE_PWT (1ull << 3)
#define PGT_PTE_PCD (1ull << 4)
#define PGT_PTE_A (1ull << 5)
#define PGT_PTE_D (1ull << 6)
#define PGT_PTE_PSE (1ull << 7)          /* in an L2/L3 entry: superpage */
#define PGT_PTE_PAT (1ull << 7)          /* in an L1 entry */
#define PGT_PTE_G (1ull << 8)
#define PGT_PTE_AVAIL (7ull << 9)        /* ignored by the CPU, the guest's */
#define PGT_PTE_ADDR 0x000FFFFFFFFFF000ull
#define PGT_PTE_AVAIL_HIGH (0x7FFull << 52)
#define PGT_PTE_GNTTAB (1ull << 62)      /* L1: reserved for grant mappings */
#define PGT_PTE_NX (1ull << 63)

static inline uint64_t pgt_pte_mfn(uint64_t pte)
{
    return (pte & PGT_PTE_ADDR) >> 12;
}

static inline uint64_t pgt_pte_make(uint64_t mfn, uint64_t flags)
{
    return ((mfn << 12) & PGT_PTE_ADDR) | flags;
}

/* PGT_L1 + n - 1 is the type of a level-n table. */
enum pgt_type {
    PGT_NONE,        /* never typed since the frame table was set up */
    PGT_L1,
    PGT_L2,
    PGT_L3,
    PGT_L4,
    PGT_WRITABLE,    /* mapped writable by some L1 entry (or a caller) */
    PGT_SEG_DESC,    /* a GDT/LDT frame */
    PGT_NR_TYPES
};

enum pgt_state { PGT_INVALID, PGT_VALIDATING, PGT_VALID, PGT_RELEASING };

struct pgt_frame {
    uint32_t count;          /* general references */
    uint32_t type_count;     /* references of the current type */
    uint16_t owner;          /* domain id, PGT_OWNER_XEN or PGT_OWNER_NONE */
    uint16_t progress;       /* VALIDATING/RELEASING: entries holding refs */
    int16_t linear;          /* L4: > 0 linear entries in it, < 0 targeted */
    uint8_t type;            /* enum pgt_type, sticky while type_count == 0 */
    uint8_t state : 2;       /* enum pgt_state */
    uint8_t pinned : 1;      /* a pin holds one general + one type ref */
    uint8_t guest_ro : 1;    /* PGT_OWNER_XEN frame guests may map read-only */
};
_Static_assert(sizeof(struct pgt_frame) == 16, "frame table entry is 16 bytes");

/*
 * How core code sees the world. `table` returns the 512 entries of a frame
 * (the direct map in the hypervisor). `flush` is called when a frame whose
 * type was not PGT_NONE changes type: before the frame is used under the new
 * type, every TLB and paging-structure cache that may still hold it under the
 * old one (a stale writable mapping, a stale table walk) must be flushed; the
 * caller may filter with a timestamp. `install_hv_slots` fills the
 * hypervisor's L4 slots [hv_slot_first, hv_slot_last] of an L4 that just
 * became VALID (guest values there are ignored, never referenced); pgt zeroes
 * them again when the L4 stops being VALID.
 * `check_seg_desc` validates a frame that becomes PGT_SEG_DESC (0 or -EINVAL).
 * The three hooks may be NULL.
 */
struct pgt_env {
    struct pgt_frame *frames;
    uint64_t nr_frames;              /* must be <= 2^(MAXPHYADDR - 12) */
    uint64_t *(*table)(void *ctx, uint64_t mfn);
    void (*flush)(void *ctx, uint64_t mfn);
    void (*install_hv_slots)(void *ctx, uint64_t mfn, uint64_t *l4);
    int (*check_seg_desc)(void *ctx, uint64_t mfn);
    void *ctx;
    uint16_t hv_slot_first, hv_slot_last;   /* 256, 271; first > last: none */
};

/* A continuation: per-vCPU state of one preemptible operation. */
struct pgt_cont {
    uint32_t budget;         /* set by pgt_cont_init; entries per call */
    /* Private to pgt. */
    uint32_t left;           /* budget left in the current call */
    uint8_t op;              /* pending operation, 0 = idle */
    uint8_t phase;           /* start / acquire walk / release walk */
    uint8_t depth;           /* frames on stack[] */
    uint8_t type;            /* get_type / pin: the type asked for */
    bool holding;            /* mod_entry: holds a type ref on the table */
    int result;              /* what the operation returns when done */
    uint16_t dom;            /* acting domain: owner of the frames walked */
    uint16_t pg_owner;       /* mod_entry: owner of frames an L1 may map */
    uint32_t index;          /* mod_entry: entry index */
    uint64_t mfn;            /* root frame, or the table of mod_entry */
    uint64_t pte;            /* mod_entry: new entry */
    uint64_t stack[PGT_WALK_DEPTH];
};

/* --- PTE rules (pgt_pte.c), pure functions of the bits -------------------- */

/* 0 if a present entry of a level-`level` table has only allowed bits. */
int pgt_pte_check(uint64_t pte, unsigned level);
/* True if old -> new may skip validation: both present, same frame, only
 * Accessed, Dirty or available bits differ. */
bool pgt_pte_fast_ok(uint64_t old_pte, uint64_t new_pte);
/* True if entry `index` of an L4 belongs to the hypervisor. */
bool pgt_hv_slot(const struct pgt_env *env, unsigned level, unsigned index);

/* --- Frame lifecycle (pgt_frame.c), O(1), no continuation ----------------- */

void pgt_frames_init(const struct pgt_env *env);
/* Give a free frame to `dom` (a domain id or PGT_OWNER_XEN). -EBUSY if owned. */
int pgt_assign(const struct pgt_env *env, uint64_t mfn, uint16_t dom);
/* Mark a PGT_OWNER_XEN frame guest-readable (M2P). */
int pgt_share_ro(const struct pgt_env *env, uint64_t mfn);
/* 0 if the frame may go back to the allocator, -EBUSY while referenced. */
int pgt_can_free(const struct pgt_env *env, uint64_t mfn);
/* Take the frame back from `dom`: pgt_can_free() then owner := NONE. The type
 * stays sticky, so a later type change still asks for a flush; the allocator
 * must still flush stale mappings before giving the frame to another owner. */
int pgt_free(const struct pgt_env *env, uint64_t mfn, uint16_t dom);
/* General references, for callers (grant mappings, ...): owner must be dom. */
int pgt_get_page(const struct pgt_env *env, uint64_t mfn, uint16_t dom);
int pgt_put_page(const struct pgt_env *env, uint64_t mfn);

/* --- Operations that may walk tables (pgt_ops.c) --------------------------
 * Each takes an idle cont (else -EBUSY) and returns 0, a negative errno, or
 * -ERESTART: then call pgt_cont_resume(c) until it returns something else. */

void pgt_cont_init(struct pgt_cont *c, uint32_t budget);
bool pgt_cont_idle(const struct pgt_cont *c);
int pgt_cont_resume(const struct pgt_env *env, struct pgt_cont *c);
/* Give up a pending operation: unwind a validation in progress, finish a
 * release in progress. 0 when the cont is idle again, or -ERESTART. */
int pgt_cont_abort(const struct pgt_env *env, struct pgt_cont *c);

/* A general plus a type reference on a frame owned by `dom`; a first
 * reference to a table type validates the table (and what it points to). */
int pgt_get_type(const struct pgt_env *env, struct pgt_cont *c, uint64_t mfn,
                 enum pgt_type type, uint16_t dom);
/* Drop both; the last type reference of a table releases its entries. A pin's
 * own reference cannot be dropped this way (-EINVAL). */
int pgt_put_type(const struct pgt_env *env, struct pgt_cont *c, uint64_t mfn,
                 uint16_t dom);
/* MMUEXT_PIN_Ln: a reference of type Ln owned by the pin; pinned twice
 * -EINVAL. MMUEXT_UNPIN: -EINVAL if not pinned. */
int pgt_pin(const struct pgt_env *env, struct pgt_cont *c, uint64_t mfn,
            unsigned level, uint16_t dom);
int pgt_unpin(const struct pgt_env *env, struct pgt_cont *c, uint64_t mfn,
              uint16_t dom);
/*
 * One PTE update (mmu_update): entry `index` of `table`, a VALID table owned
 * by `dom` whose level is its type, becomes `pte`. The new entry is checked
 * and its references taken before the old entry's are dropped. L1 entries
 * may map frames of `pg_owner` (dom itself, or the foreign domain of a dom0
 * mapping); entries of higher levels only frames of `dom`. A frame that is
 * not a table in use is not this function's business (-EINVAL): the caller
 * writes it as plain memory under a PGT_WRITABLE reference.
 */
int pgt_mod_entry(const struct pgt_env *env, struct pgt_cont *c, uint64_t table,
                  unsigned index, uint64_t pte, uint16_t dom, uint16_t pg_owner);
/* Domain teardown: unpin every frame `dom` pinned, resuming at *cursor (start
 * at 0). Returns 0 when done, -ERESTART to be called again. */
int pgt_relinquish(const struct pgt_env *env, struct pgt_cont *c, uint16_t dom,
                   uint64_t *cursor);

#endif /* XENIA_CORE_PGT_H */
