/*
 * PV MMU internals shared by pgt_frame.c (one frame's counters and type),
 * pgt_walk.c (entries and the preemptible walk) and pgt_ops.c (operations).
 *
 * Conventions for a cont's stack (see the walk in pgt_walk.c):
 *   acquire phase: every frame on the stack is VALIDATING and holds one
 *     general and one type reference (type_count == 1) for whoever is
 *     acquiring it: the entry at its parent's `progress`, or the operation
 *     itself for stack[0];
 *   release phase: every RELEASING frame on the stack holds one general
 *     reference, dropped when it is popped; VALIDATING frames left below
 *     by a failed acquire are turned into RELEASING ones when they reach
 *     the top.
 */
#ifndef XENIA_MM_PGT_PRIV_H
#define XENIA_MM_PGT_PRIV_H

#include "core/pgt.h"

/* Positive return of pgt_frame_get_type()/pgt_entry_get(): the frame became
 * VALIDATING and was pushed; the walk will finish the acquisition. */
#define PGT_PUSHED 1

enum pgt_phase { PGT_PH_START, PGT_PH_ACQUIRE, PGT_PH_RELEASE };

enum pgt_op {
    PGT_OP_IDLE,
    PGT_OP_GET_TYPE,
    PGT_OP_PUT_TYPE,
    PGT_OP_PIN,
    PGT_OP_UNPIN,
    PGT_OP_MOD_ENTRY,
};

static inline bool pgt_is_table(unsigned type)
{
    return type >= PGT_L1 && type <= PGT_L4;
}

static inline bool pgt_busy(const struct pgt_frame *f)
{
    return f->state == PGT_VALIDATING || f->state == PGT_RELEASING;
}

static inline struct pgt_frame *pgt_frame(const struct pgt_env *env, uint64_t mfn)
{
    BUG_ON(mfn >= env->nr_frames);
    return &env->frames[mfn];
}

void pgt_push(struct pgt_cont *c, uint64_t mfn);

/* pgt_frame.c */
int pgt_frame_ref(struct pgt_frame *f);
void pgt_frame_unref(struct pgt_frame *f);
int pgt_frame_get_type(const struct pgt_env *env, struct pgt_cont *c,
                       uint64_t mfn, unsigned type);
void pgt_frame_put_type(const struct pgt_env *env, struct pgt_cont *c,
                        uint64_t mfn);

/* pgt_walk.c */
int pgt_entry_get(const struct pgt_env *env, struct pgt_cont *c, uint64_t table,
                  unsigned level, uint64_t pte, uint16_t pg_owner);
void pgt_entry_put(const struct pgt_env *env, struct pgt_cont *c,
                   uint64_t table, unsigned level, uint64_t pte);
int pgt_walk(const struct pgt_env *env, struct pgt_cont *c);

#endif /* XENIA_MM_PGT_PRIV_H */
