/*
 * PV MMU: the references one PTE implies, and the preemptible walk that
 * validates or releases whole tables.
 *
 * pgt_entry_get() checks one present entry of a level-`level` table and
 * takes what it implies (invariant 3 of core/pgt.h); pgt_entry_put() drops
 * exactly that again, recomputed from the entry and the frames' current
 * types (an entry's target keeps its type while the entry holds it, so the
 * answer cannot have changed). Entries of busy or VALID tables are only
 * ever written by pgt_mod_entry, which keeps the two in step.
 *
 * The walk processes the frame on top of the cont's stack one entry at a
 * time, one unit of budget per entry:
 *   acquire: entry `progress` is taken; a target needing validation is
 *     pushed and the parent's `progress` moves on only once it is VALID;
 *     a frame whose 512 entries are done becomes VALID and is popped.
 *   release: entry `progress - 1` is dropped; a target losing its last type
 *     reference is pushed; a frame at progress 0 becomes INVALID, is popped
 *     and loses the general reference the walk held on it.
 * A failed acquire leaves its VALIDATING frames on the stack and the caller
 * switches to the release phase, which converts each of them in turn, so
 * exactly what was taken is dropped, preemptibly too.
 * Depth: acquiring goes at most L4 > L3 > L2 > L1 (a linear target is
 * already VALID and never pushed for validation). Releasing a frame pushes
 * frames of lower levels only, except that an L4 may push the L4 it maps
 * linearly, which has no linear entries itself: at most 5 frames. A table
 * held by pgt_mod_entry is let go only once the stack is empty.
 */
#include "pgt_priv.h"

void pgt_push(struct pgt_cont *c, uint64_t mfn)
{
    BUG_ON(c->depth >= PGT_WALK_DEPTH);
    c->stack[c->depth++] = mfn;
}

/* An L1 entry maps a frame: read-only needs a general reference, writable
 * needs a PGT_WRITABLE type as well, so never a table's frame. */
static int get_mapped(const struct pgt_env *env, struct pgt_cont *c,
                      uint64_t mfn, bool rw, uint16_t pg_owner)
{
    struct pgt_frame *f = &env->frames[mfn];

    if (f->owner == PGT_OWNER_XEN) {
        if (!f->guest_ro || rw)
            return -EPERM;
        return pgt_frame_ref(f);
    }
    if (f->owner == PGT_OWNER_NONE || f->owner != pg_owner)
        return -EPERM;
    if (!rw)
        return pgt_frame_ref(f);
    return pgt_frame_get_type(env, c, mfn, PGT_WRITABLE);
}

/* An L4 entry naming another L4 that is in use: a "linear" page table, only
 * read-only, only to a VALID L4 that has no linear entries itself, only from
 * an L4 no one maps linearly [XSA-185, XSA-240]. */
static int get_linear(struct pgt_frame *t, struct pgt_frame *f, uint64_t pte)
{
    if (pte & PGT_PTE_RW)
        return -EINVAL;
    if (f->state != PGT_VALID || t->linear < 0 || f->linear > 0)
        return -EINVAL;
    if (t->linear == INT16_MAX || f->linear == INT16_MIN ||
        f->count == UINT32_MAX)
        return -EINVAL;
    t->linear++;
    f->linear--;
    f->count++;
    f->type_count++;
    return 0;
}

int pgt_entry_get(const struct pgt_env *env, struct pgt_cont *c, uint64_t table,
                  unsigned level, uint64_t pte, uint16_t pg_owner)
{
    struct pgt_frame *t = pgt_frame(env, table), *f;
    uint64_t mfn;
    int rc;

    if (!(pte & PGT_PTE_P))
        return 0;
    rc = pgt_pte_check(pte, level);
    if (rc)
        return rc;
    mfn = pgt_pte_mfn(pte);
    if (mfn >= env->nr_frames)
        return -EINVAL;
    f = &env->frames[mfn];
    if (level == 1)
        return get_mapped(env, c, mfn, pte & PGT_PTE_RW, pg_owner);
    if (level == 4 && mfn == table)      /* self map: no reference at all */
        return (pte & PGT_PTE_RW) ? -EINVAL : 0;
    if (f->owner != t->owner)
        return -EPERM;
    if (level == 4 && f->type == PGT_L4 && f->type_count > 0)
        return get_linear(t, f, pte);
    return pgt_frame_get_type(env, c, mfn, PGT_L1 + level - 2);
}

void pgt_entry_put(const struct pgt_env *env, struct pgt_cont *c,
                   uint64_t table, unsigned level, uint64_t pte)
{
    struct pgt_frame *t = pgt_frame(env, table), *f;
    uint64_t mfn;

    if (!(pte & PGT_PTE_P))
        return;
    mfn = pgt_pte_mfn(pte);
    if (level == 4 && mfn == table)
        return;
    f = pgt_frame(env, mfn);
    if (level == 1) {
        if (!(pte & PGT_PTE_RW)) {
            pgt_frame_unref(f);
            return;
        }
        BUG_ON(f->type != PGT_WRITABLE);
    } else if (level == 4 && f->type == PGT_L4) {
        BUG_ON(t->linear <= 0 || f->linear >= 0);
        t->linear--;
        f->linear++;
    } else {
        BUG_ON(f->type != PGT_L1 + level - 2);
    }
    pgt_frame_put_type(env, c, mfn);
}

static int acquire_step(const struct pgt_env *env, struct pgt_cont *c,
                        uint64_t mfn, struct pgt_frame *f)
{
    unsigned i = f->progress;
    int rc;

    BUG_ON(f->state != PGT_VALIDATING);
    if (i == PGT_ENTRIES) {
        f->state = PGT_VALID;
        f->progress = 0;
        if (f->type == PGT_L4 && env->install_hv_slots)
            env->install_hv_slots(env->ctx, mfn, env->table(env->ctx, mfn));
        c->depth--;
        if (c->depth > 0)
            pgt_frame(env, c->stack[c->depth - 1])->progress++;
        return 0;
    }
    if (c->left == 0)
        return -ERESTART;
    c->left--;
    if (!pgt_hv_slot(env, f->type, i)) {
        rc = pgt_entry_get(env, c, mfn, f->type, env->table(env->ctx, mfn)[i],
                           f->owner);
        if (rc == PGT_PUSHED)
            return 0;
        if (rc < 0)
            return rc;   /* -ERESTART (target busy) or a real error */
    }
    f->progress++;
    return 0;
}

static int release_step(const struct pgt_env *env, struct pgt_cont *c,
                        uint64_t mfn, struct pgt_frame *f)
{
    unsigned i;

    if (f->state == PGT_VALIDATING) {    /* unwinding a failed acquire */
        BUG_ON(f->type_count != 1);
        f->type_count = 0;
        f->state = PGT_RELEASING;
    }
    BUG_ON(f->state != PGT_RELEASING);
    if (f->progress == 0) {
        f->state = PGT_INVALID;
        c->depth--;
        pgt_frame_unref(f);
        return 0;
    }
    if (c->left == 0)
        return -ERESTART;
    c->left--;
    i = --f->progress;
    if (!pgt_hv_slot(env, f->type, i))
        pgt_entry_put(env, c, mfn, f->type, env->table(env->ctx, mfn)[i]);
    return 0;
}

/* Run the walk until the stack is empty (0), the budget is spent or a busy
 * frame is met (-ERESTART), or an entry is refused (its error; acquire only). */
int pgt_walk(const struct pgt_env *env, struct pgt_cont *c)
{
    while (c->depth > 0) {
        uint64_t mfn = c->stack[c->depth - 1];
        struct pgt_frame *f = pgt_frame(env, mfn);
        int rc = c->phase == PGT_PH_ACQUIRE ? acquire_step(env, c, mfn, f)
                                            : release_step(env, c, mfn, f);
        if (rc)
            return rc;
    }
    return 0;
}
