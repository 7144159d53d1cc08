/*
 * PV MMU: one frame's owner, counters and type (the frame-table entry).
 *
 * Lifecycle: free (owner NONE, count 0) -> pgt_assign() -> owned, counted
 * -> pgt_free() only when count == 0 -> free. The type is orthogonal and
 * changes only while type_count == 0 and the frame is not busy; it stays
 * "sticky" when type_count drops to 0 so that the next change of type can
 * ask the caller for a TLB flush (env->flush): a frame leaving WRITABLE may
 * still be writable through stale TLB entries, a frame leaving L1..L4 may
 * still be walked through stale paging-structure caches [XSA-241, XSA-286].
 *
 * A busy frame (another walk is validating or releasing it) asked for its
 * own type makes the caller wait (-ERESTART); asked for another type it is a
 * type conflict (-EINVAL), as it would be once VALID. Waiting only for the
 * same type is what keeps walks free of deadlock: a walk whose deepest frame
 * is a level-n table waits only on a level n-1 frame, never on one of its
 * own (levels n..4), and two walks cannot wait on each other. Table types
 * are only ever asked for on frames of the caller's own domain, so no
 * domain can make another one wait.
 *
 * Every function here is O(1). Getting a table type on a frame that is not
 * VALID only marks it VALIDATING and pushes it on the cont: the walk
 * (pgt_walk.c) validates it. Dropping the last type reference of a table
 * likewise marks it RELEASING and pushes it. Counter overflow is an error
 * (-EINVAL), never a wrap.
 */
#include "pgt_priv.h"

void pgt_frames_init(const struct pgt_env *env)
{
    for (uint64_t i = 0; i < env->nr_frames; i++) {
        memset(&env->frames[i], 0, sizeof(env->frames[i]));
        env->frames[i].owner = PGT_OWNER_NONE;
    }
}

int pgt_assign(const struct pgt_env *env, uint64_t mfn, uint16_t dom)
{
    struct pgt_frame *f;

    if (mfn >= env->nr_frames || dom == PGT_OWNER_NONE)
        return -EINVAL;
    f = &env->frames[mfn];
    if (f->owner != PGT_OWNER_NONE)
        return -EBUSY;
    BUG_ON(f->count != 0 || f->type_count != 0 || f->state != PGT_INVALID);
    f->owner = dom;
    return 0;
}

int pgt_share_ro(const struct pgt_env *env, uint64_t mfn)
{
    if (mfn >= env->nr_frames)
        return -EINVAL;
    if (env->frames[mfn].owner != PGT_OWNER_XEN)
        return -EPERM;
    env->frames[mfn].guest_ro = 1;
    return 0;
}

int pgt_can_free(const struct pgt_env *env, uint64_t mfn)
{
    if (mfn >= env->nr_frames)
        return -EINVAL;
    return env->frames[mfn].count != 0 ? -EBUSY : 0;
}

int pgt_free(const struct pgt_env *env, uint64_t mfn, uint16_t dom)
{
    struct pgt_frame *f;
    int rc = pgt_can_free(env, mfn);

    if (rc)
        return rc;
    f = &env->frames[mfn];
    if (f->owner != dom || dom == PGT_OWNER_NONE)
        return -EPERM;
    /* count == 0 implies no type reference, no pin, no walk, no linear use. */
    BUG_ON(f->type_count != 0 || f->pinned || f->state != PGT_INVALID ||
           f->linear != 0);
    f->owner = PGT_OWNER_NONE;
    f->guest_ro = 0;
    return 0;
}

int pgt_frame_ref(struct pgt_frame *f)
{
    if (f->count == UINT32_MAX)
        return -EINVAL;
    f->count++;
    return 0;
}

void pgt_frame_unref(struct pgt_frame *f)
{
    BUG_ON(f->count == 0 || f->count <= f->type_count);
    f->count--;
}

int pgt_get_page(const struct pgt_env *env, uint64_t mfn, uint16_t dom)
{
    if (mfn >= env->nr_frames)
        return -EINVAL;
    if (env->frames[mfn].owner != dom || dom == PGT_OWNER_NONE)
        return -EPERM;
    return pgt_frame_ref(&env->frames[mfn]);
}

int pgt_put_page(const struct pgt_env *env, uint64_t mfn)
{
    struct pgt_frame *f;

    if (mfn >= env->nr_frames)
        return -EINVAL;
    f = &env->frames[mfn];
    /* The general references under type references are not the caller's. */
    if (f->count <= f->type_count)
        return -EINVAL;
    f->count--;
    return 0;
}

/*
 * A general and a type reference. Returns 0 (taken), PGT_PUSHED (taken, the
 * frame is VALIDATING on the cont's stack), or an error with nothing taken.
 */
int pgt_frame_get_type(const struct pgt_env *env, struct pgt_cont *c,
                       uint64_t mfn, unsigned type)
{
    struct pgt_frame *f = pgt_frame(env, mfn);
    int rc;

    if (pgt_busy(f))
        return f->type == type ? -ERESTART : -EINVAL;
    if (f->count == UINT32_MAX)
        return -EINVAL;
    if (f->type_count > 0) {
        if (f->type != type)
            return -EINVAL;
        f->count++;
        f->type_count++;
        return 0;
    }
    if (f->type != type && f->type != PGT_NONE && env->flush)
        env->flush(env->ctx, mfn);
    f->type = type;
    if (type == PGT_SEG_DESC && env->check_seg_desc) {
        rc = env->check_seg_desc(env->ctx, mfn);
        if (rc)
            return rc < 0 ? rc : -EINVAL;
    }
    f->count++;
    f->type_count = 1;
    if (!pgt_is_table(type)) {
        f->state = PGT_VALID;
        return 0;
    }
    BUG_ON(f->linear != 0);
    f->state = PGT_VALIDATING;
    f->progress = 0;
    pgt_push(c, mfn);
    return PGT_PUSHED;
}

/* The hypervisor's L4 entries exist only while the L4 is VALID: no guest
 * ever sees them through a later writable mapping or as another type. */
static void clear_hv_slots(const struct pgt_env *env, uint64_t mfn)
{
    uint64_t *l4 = env->table(env->ctx, mfn);

    for (unsigned i = 0; i < PGT_ENTRIES; i++)
        if (pgt_hv_slot(env, PGT_L4, i))
            l4[i] = 0;
}

/* Drop a general and a type reference; a table losing its last type
 * reference is pushed RELEASING and keeps the general one until popped. */
void pgt_frame_put_type(const struct pgt_env *env, struct pgt_cont *c,
                        uint64_t mfn)
{
    struct pgt_frame *f = pgt_frame(env, mfn);

    BUG_ON(f->state != PGT_VALID || f->type_count == 0 ||
           f->count < f->type_count);
    f->type_count--;
    if (f->type_count == 0 && pgt_is_table(f->type)) {
        if (f->type == PGT_L4)
            clear_hv_slots(env, mfn);
        f->state = PGT_RELEASING;
        f->progress = PGT_ENTRIES;
        pgt_push(c, mfn);
        return;
    }
    if (f->type_count == 0)
        f->state = PGT_INVALID;
    f->count--;
}
