/*
 * PV MMU operations: get/put a type, pin/unpin, update one entry, relinquish
 * a domain's pins, all through a continuation (core/pgt.h, "Preemption").
 *
 * Every operation runs in three phases:
 *   start    check the arguments with no side effect, then take the first
 *            references (O(1)); may stop here (done, refused, or -ERESTART
 *            with nothing held when a frame is busy);
 *   acquire  the walk validates what start pushed; then commit: the step
 *            that cannot fail (set the pin, write the entry);
 *   release  the walk drops what the commit replaced, or on failure exactly
 *            what start and acquire took; then a held table is let go.
 * The result of the operation is decided before the release phase starts
 * and returned when it ends. Nothing is held between calls except what the
 * cont records (stack, `holding`), so pgt_cont_abort() can always unwind.
 */
#include "pgt_priv.h"

/* Positive return of a start step: the operation is complete (with maybe
 * some release work pushed), nothing to commit. */
#define PGT_DONE 2

void pgt_cont_init(struct pgt_cont *c, uint32_t budget)
{
    memset(c, 0, sizeof(*c));
    c->budget = budget ? budget : PGT_BUDGET_DEFAULT;
}

bool pgt_cont_idle(const struct pgt_cont *c)
{
    return c->op == PGT_OP_IDLE;
}

/* Checks shared by every start step: the frame exists and is dom's. */
static int own_frame(const struct pgt_env *env, const struct pgt_cont *c)
{
    if (c->mfn >= env->nr_frames)
        return -EINVAL;
    if (env->frames[c->mfn].owner != c->dom || c->dom == PGT_OWNER_NONE)
        return -EPERM;
    return 0;
}

static int start_get_type(const struct pgt_env *env, struct pgt_cont *c)
{
    int rc = own_frame(env, c);

    if (rc)
        return rc;
    if (!pgt_is_table(c->type) && c->type != PGT_WRITABLE &&
        c->type != PGT_SEG_DESC)
        return -EINVAL;
    return pgt_frame_get_type(env, c, c->mfn, c->type);
}

static int start_put_type(const struct pgt_env *env, struct pgt_cont *c)
{
    struct pgt_frame *f;
    int rc = own_frame(env, c);

    if (rc)
        return rc;
    f = &env->frames[c->mfn];
    if (f->state != PGT_VALID || f->type_count == 0)
        return -EINVAL;
    if (f->pinned && f->type_count == 1)     /* that one is the pin's */
        return -EINVAL;
    pgt_frame_put_type(env, c, c->mfn);
    return PGT_DONE;
}

static int start_pin(const struct pgt_env *env, struct pgt_cont *c)
{
    int rc = own_frame(env, c);

    if (rc)
        return rc;
    if (!pgt_is_table(c->type))
        return -EINVAL;
    if (env->frames[c->mfn].pinned)
        return -EINVAL;
    return pgt_frame_get_type(env, c, c->mfn, c->type);
}

static int commit_pin(const struct pgt_env *env, struct pgt_cont *c)
{
    struct pgt_frame *f = &env->frames[c->mfn];

    if (f->pinned) {          /* pinned meanwhile: give the reference back */
        pgt_frame_put_type(env, c, c->mfn);
        return -EINVAL;
    }
    f->pinned = 1;
    return 0;
}

static int start_unpin(const struct pgt_env *env, struct pgt_cont *c)
{
    struct pgt_frame *f;
    int rc = own_frame(env, c);

    if (rc)
        return rc;
    f = &env->frames[c->mfn];
    if (!f->pinned)
        return -EINVAL;
    f->pinned = 0;
    pgt_frame_put_type(env, c, c->mfn);
    return PGT_DONE;
}

static int start_mod_entry(const struct pgt_env *env, struct pgt_cont *c)
{
    struct pgt_frame *t;
    uint64_t *tab, old;
    unsigned level;
    int rc = own_frame(env, c);

    if (rc)
        return rc;
    if (c->index >= PGT_ENTRIES)
        return -EINVAL;
    t = &env->frames[c->mfn];
    if (pgt_busy(t))
        return -ERESTART;
    level = t->type;
    if (!pgt_is_table(level) || t->type_count == 0)
        return -EINVAL;
    if (pgt_hv_slot(env, level, c->index))
        return -EINVAL;
    tab = env->table(env->ctx, c->mfn);
    old = tab[c->index];
    if (!(c->pte & PGT_PTE_P)) {      /* not present: any content, no refs */
        tab[c->index] = c->pte;
        pgt_entry_put(env, c, c->mfn, level, old);
        return PGT_DONE;
    }
    rc = pgt_pte_check(c->pte, level);
    if (rc)
        return rc;
    if (pgt_pte_fast_ok(old, c->pte)) {
        tab[c->index] = c->pte;
        return PGT_DONE;
    }
    /* Hold the table while the new entry's references are taken, which may
     * take a preempted walk; the table is VALID, so this is O(1). */
    rc = pgt_frame_get_type(env, c, c->mfn, level);
    if (rc)
        return rc;
    c->holding = true;
    rc = pgt_entry_get(env, c, c->mfn, level, c->pte, c->pg_owner);
    if (rc == -ERESTART) {          /* retry from scratch, holding nothing */
        BUG_ON(c->depth != 0);
        c->holding = false;
        pgt_frame_put_type(env, c, c->mfn);
        BUG_ON(c->depth != 0);
    }
    return rc;
}

/* The new entry's references are held: write it, drop the old one's. */
static int commit_mod_entry(const struct pgt_env *env, struct pgt_cont *c)
{
    struct pgt_frame *t = &env->frames[c->mfn];
    uint64_t *tab = env->table(env->ctx, c->mfn);
    uint64_t old = tab[c->index];

    BUG_ON(!c->holding || t->state != PGT_VALID);
    tab[c->index] = c->pte;
    pgt_entry_put(env, c, c->mfn, t->type, old);
    return 0;
}

static int op_start(const struct pgt_env *env, struct pgt_cont *c)
{
    switch (c->op) {
    case PGT_OP_GET_TYPE:
        return start_get_type(env, c);
    case PGT_OP_PUT_TYPE:
        return start_put_type(env, c);
    case PGT_OP_PIN:
        return start_pin(env, c);
    case PGT_OP_UNPIN:
        return start_unpin(env, c);
    case PGT_OP_MOD_ENTRY:
        return start_mod_entry(env, c);
    }
    BUG_ON(1);
    return -EINVAL;
}

static int op_commit(const struct pgt_env *env, struct pgt_cont *c)
{
    switch (c->op) {
    case PGT_OP_PIN:
        return commit_pin(env, c);
    case PGT_OP_MOD_ENTRY:
        return commit_mod_entry(env, c);
    default:
        return 0;
    }
}

/* Run the pending operation with what is left of the budget. */
static int run(const struct pgt_env *env, struct pgt_cont *c)
{
    int rc;

    for (;;) {
        switch (c->phase) {
        case PGT_PH_START:
            rc = op_start(env, c);
            if (rc == -ERESTART)
                return rc;
            if (rc == PGT_PUSHED) {
                c->phase = PGT_PH_ACQUIRE;
                break;
            }
            c->result = rc == 0 ? op_commit(env, c) : rc == PGT_DONE ? 0 : rc;
            c->phase = PGT_PH_RELEASE;
            break;
        case PGT_PH_ACQUIRE:
            rc = pgt_walk(env, c);
            if (rc == -ERESTART)
                return rc;
            c->result = rc == 0 ? op_commit(env, c) : rc;
            c->phase = PGT_PH_RELEASE;
            break;
        default:
            rc = pgt_walk(env, c);
            if (rc == -ERESTART)
                return rc;
            BUG_ON(rc != 0);
            if (c->holding) {
                c->holding = false;
                pgt_frame_put_type(env, c, c->mfn);
                break;
            }
            c->op = PGT_OP_IDLE;
            c->phase = PGT_PH_START;
            return c->result;
        }
    }
}

int pgt_cont_resume(const struct pgt_env *env, struct pgt_cont *c)
{
    if (c->op == PGT_OP_IDLE)
        return -EINVAL;
    c->left = c->budget;
    return run(env, c);
}

/* Turn a pending operation into one that only finishes releasing. */
static void abandon(struct pgt_cont *c)
{
    if (c->phase == PGT_PH_START) {
        BUG_ON(c->depth != 0 || c->holding);
        c->op = PGT_OP_IDLE;
    } else if (c->phase == PGT_PH_ACQUIRE) {
        c->phase = PGT_PH_RELEASE;
        c->result = -EINVAL;
    }
}

int pgt_cont_abort(const struct pgt_env *env, struct pgt_cont *c)
{
    int rc;

    abandon(c);
    if (c->op == PGT_OP_IDLE)
        return 0;
    rc = pgt_cont_resume(env, c);
    return rc == -ERESTART ? rc : 0;
}

static int begin(struct pgt_cont *c, uint8_t op, uint64_t mfn, uint16_t dom)
{
    if (c->op != PGT_OP_IDLE)
        return -EBUSY;
    c->op = op;
    c->phase = PGT_PH_START;
    c->depth = 0;
    c->holding = false;
    c->result = 0;
    c->mfn = mfn;
    c->dom = dom;
    return 0;
}

static int go(const struct pgt_env *env, struct pgt_cont *c)
{
    c->left = c->budget;
    return run(env, c);
}

int pgt_get_type(const struct pgt_env *env, struct pgt_cont *c, uint64_t mfn,
                 enum pgt_type type, uint16_t dom)
{
    int rc = begin(c, PGT_OP_GET_TYPE, mfn, dom);

    if (rc)
        return rc;
    c->type = (unsigned)type < PGT_NR_TYPES ? (uint8_t)type : PGT_NONE;
    return go(env, c);
}

int pgt_put_type(const struct pgt_env *env, struct pgt_cont *c, uint64_t mfn,
                 uint16_t dom)
{
    int rc = begin(c, PGT_OP_PUT_TYPE, mfn, dom);

    return rc ? rc : go(env, c);
}

int pgt_pin(const struct pgt_env *env, struct pgt_cont *c, uint64_t mfn,
            unsigned level, uint16_t dom)
{
    int rc = begin(c, PGT_OP_PIN, mfn, dom);

    if (rc)
        return rc;
    c->type = level >= 1 && level <= 4 ? (uint8_t)(PGT_L1 + level - 1) : PGT_NONE;
    return go(env, c);
}

int pgt_unpin(const struct pgt_env *env, struct pgt_cont *c, uint64_t mfn,
              uint16_t dom)
{
    int rc = begin(c, PGT_OP_UNPIN, mfn, dom);

    return rc ? rc : go(env, c);
}

int pgt_mod_entry(const struct pgt_env *env, struct pgt_cont *c, uint64_t table,
                  unsigned index, uint64_t pte, uint16_t dom, uint16_t pg_owner)
{
    int rc = begin(c, PGT_OP_MOD_ENTRY, table, dom);

    if (rc)
        return rc;
    c->index = index;
    c->pte = pte;
    c->pg_owner = pg_owner;
    return go(env, c);
}

/*
 * Domain teardown. Frames are scanned from *cursor, one unit of budget per
 * frame, and each pinned frame of dom is unpinned with what is left; a
 * pending operation of the cont is abandoned first.
 */
int pgt_relinquish(const struct pgt_env *env, struct pgt_cont *c, uint16_t dom,
                   uint64_t *cursor)
{
    int rc;

    c->left = c->budget;
    abandon(c);
    if (c->op != PGT_OP_IDLE) {
        rc = run(env, c);
        if (rc == -ERESTART)
            return rc;
    }
    while (*cursor < env->nr_frames) {
        uint64_t mfn = *cursor;
        const struct pgt_frame *f = &env->frames[mfn];

        if (c->left == 0)
            return -ERESTART;
        c->left--;
        (*cursor)++;
        if (f->owner != dom || !f->pinned)
            continue;
        rc = begin(c, PGT_OP_UNPIN, mfn, dom);
        BUG_ON(rc != 0);
        rc = run(env, c);
        if (rc == -ERESTART)
            return rc;
        BUG_ON(rc != 0);
    }
    return 0;
}
