/*
 * Test machine for the PV MMU suites (see pgt_world.h). w_check() is the
 * oracle: it knows nothing of how pgt counts, only what invariant 3 of
 * core/pgt.h says each entry, pin and test-held reference implies.
 */
#include "pgt_world.h"

#include <stdarg.h>

static uint64_t *w_table(void *ctx, uint64_t mfn)
{
    struct pgt_world *w = ctx;

    w->table_calls++;
    return w->page[mfn];
}

static void w_flush(void *ctx, uint64_t mfn)
{
    struct pgt_world *w = ctx;

    w->flushes++;
    w->last_flush = mfn;
}

static void w_install(void *ctx, uint64_t mfn, uint64_t *l4)
{
    struct pgt_world *w = ctx;

    w->installs++;
    for (unsigned i = W_HV_FIRST; i <= W_HV_LAST; i++)
        l4[i] = W_HV_PATTERN(i);
}

static int w_seg_desc(void *ctx, uint64_t mfn)
{
    struct pgt_world *w = ctx;

    return w->seg_desc_rc;
}

struct pgt_world *w_new(uint64_t nr)
{
    struct pgt_world *w = calloc(1, sizeof(*w));

    BUG_ON(!w || nr > W_MAX);
    w->env = (struct pgt_env){
        .frames = w->frames,
        .nr_frames = nr,
        .table = w_table,
        .flush = w_flush,
        .install_hv_slots = w_install,
        .check_seg_desc = w_seg_desc,
        .ctx = w,
        .hv_slot_first = W_HV_FIRST,
        .hv_slot_last = W_HV_LAST,
    };
    pgt_frames_init(&w->env);
    return w;
}

void w_free(struct pgt_world *w)
{
    free(w);
}

int w_finish(struct pgt_world *w, struct pgt_cont *c, int rc)
{
    for (unsigned n = 0; rc == -ERESTART; n++) {
        BUG_ON(n > 1000000);
        rc = pgt_cont_resume(&w->env, c);
    }
    return rc;
}

int w_pin(struct pgt_world *w, uint64_t mfn, unsigned level, uint16_t dom)
{
    struct pgt_cont c;

    pgt_cont_init(&c, 0);
    return w_finish(w, &c, pgt_pin(&w->env, &c, mfn, level, dom));
}

int w_unpin(struct pgt_world *w, uint64_t mfn, uint16_t dom)
{
    struct pgt_cont c;

    pgt_cont_init(&c, 0);
    return w_finish(w, &c, pgt_unpin(&w->env, &c, mfn, dom));
}

int w_mod(struct pgt_world *w, uint64_t table, unsigned index, uint64_t pte,
          uint16_t dom, uint16_t pg_owner)
{
    struct pgt_cont c;

    pgt_cont_init(&c, 0);
    return w_finish(w, &c, pgt_mod_entry(&w->env, &c, table, index, pte, dom,
                                         pg_owner));
}

int w_get_type(struct pgt_world *w, uint64_t mfn, enum pgt_type t, uint16_t dom)
{
    struct pgt_cont c;
    int rc;

    pgt_cont_init(&c, 0);
    rc = w_finish(w, &c, pgt_get_type(&w->env, &c, mfn, t, dom));
    if (rc == 0)
        w->ext_typed[mfn]++;
    return rc;
}

int w_put_type(struct pgt_world *w, uint64_t mfn, uint16_t dom)
{
    struct pgt_cont c;
    int rc;

    pgt_cont_init(&c, 0);
    rc = w_finish(w, &c, pgt_put_type(&w->env, &c, mfn, dom));
    if (rc == 0)
        w->ext_typed[mfn]--;
    return rc;
}

void w_assign(struct pgt_world *w, uint64_t first, uint64_t n, uint16_t dom)
{
    for (uint64_t i = first; i < first + n; i++)
        BUG_ON(pgt_assign(&w->env, i, dom) != 0);
}

bool w_guest_write(struct pgt_world *w, uint64_t mfn, unsigned i, uint64_t v)
{
    const struct pgt_frame *f = &w->frames[mfn];

    if (f->type != PGT_WRITABLE &&
        (f->type_count != 0 || f->state != PGT_INVALID))
        return false;
    w->page[mfn][i] = v;
    return true;
}

static bool is_table(unsigned type)
{
    return type >= PGT_L1 && type <= PGT_L4;
}

static char w_msg[256];

static const char *fail(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(w_msg, sizeof(w_msg), fmt, ap);
    va_end(ap);
    return w_msg;
}

/* The references one present entry of VALID table `t` must hold. */
static const char *expect_entry(const struct pgt_world *w, uint64_t t,
                                unsigned i, uint64_t *count, uint64_t *tc,
                                int64_t *lin_entries, int64_t *lin_uses)
{
    const struct pgt_frame *ft = &w->frames[t];
    uint64_t e = w->page[t][i], m = pgt_pte_mfn(e);
    const struct pgt_frame *fm;
    unsigned level = ft->type;
    bool rw = e & W_RW;

    if (!(e & W_P))
        return NULL;
    if (m >= w->env.nr_frames)
        return fail("L%u %lu[%u] maps frame %lu out of range", level,
                    (unsigned long)t, i, (unsigned long)m);
    if (pgt_pte_check(e, level))
        return fail("L%u %lu[%u] has bad bits %#lx", level, (unsigned long)t, i,
                    (unsigned long)e);
    fm = &w->frames[m];
    if (level == 1) {
        if (fm->owner == PGT_OWNER_NONE)
            return fail("L1 %lu[%u] maps a free frame", (unsigned long)t, i);
        if (fm->owner == PGT_OWNER_XEN && (rw || !fm->guest_ro))
            return fail("L1 %lu[%u] maps a hypervisor frame", (unsigned long)t, i);
        count[m]++;
        if (rw) {
            if (fm->type != PGT_WRITABLE)
                return fail("L1 %lu[%u] maps frame %lu (type %u) writable",
                            (unsigned long)t, i, (unsigned long)m, fm->type);
            tc[m]++;
        }
        return NULL;
    }
    if (fm->owner != ft->owner)
        return fail("L%u %lu[%u] names frame %lu of another owner", level,
                    (unsigned long)t, i, (unsigned long)m);
    if (level == 4 && m == t)
        return rw ? fail("writable self map in L4 %lu", (unsigned long)t) : NULL;
    if (level == 4 && fm->type == PGT_L4) {
        if (rw)
            return fail("writable linear map %lu -> %lu", (unsigned long)t,
                        (unsigned long)m);
        lin_entries[t]++;
        lin_uses[m]++;
    } else if (fm->type != PGT_L1 + level - 2) {
        return fail("L%u %lu[%u] names frame %lu of type %u", level,
                    (unsigned long)t, i, (unsigned long)m, fm->type);
    }
    count[m]++;
    tc[m]++;
    return NULL;
}

const char *w_check(const struct pgt_world *w)
{
    uint64_t n = w->env.nr_frames;
    uint64_t count[W_MAX] = { 0 }, tc[W_MAX] = { 0 };
    int64_t lin_entries[W_MAX] = { 0 }, lin_uses[W_MAX] = { 0 };
    const char *err;

    for (uint64_t t = 0; t < n; t++) {
        const struct pgt_frame *f = &w->frames[t];

        if (f->state != PGT_INVALID && f->state != PGT_VALID)
            return fail("frame %lu busy while every cont is idle", (unsigned long)t);
        if ((f->state == PGT_VALID) != (f->type_count > 0))
            return fail("frame %lu: state %u with type_count %u", (unsigned long)t,
                        f->state, f->type_count);
        if (f->pinned) {
            if (!is_table(f->type))
                return fail("frame %lu pinned with type %u", (unsigned long)t, f->type);
            count[t]++;
            tc[t]++;
        }
        count[t] += w->ext_general[t] + w->ext_typed[t];
        tc[t] += w->ext_typed[t];
        if (f->state != PGT_VALID || !is_table(f->type))
            continue;
        for (unsigned i = 0; i < PGT_ENTRIES; i++) {
            if (pgt_hv_slot(&w->env, f->type, i)) {
                if (w->page[t][i] != W_HV_PATTERN(i))
                    return fail("L4 %lu hypervisor slot %u not installed",
                                (unsigned long)t, i);
                continue;
            }
            err = expect_entry(w, t, i, count, tc, lin_entries, lin_uses);
            if (err)
                return err;
        }
    }
    for (uint64_t m = 0; m < n; m++) {
        const struct pgt_frame *f = &w->frames[m];

        if (f->count != count[m] || f->type_count != tc[m])
            return fail("frame %lu: count %u/%lu type_count %u/%lu (have/expected)",
                        (unsigned long)m, f->count, (unsigned long)count[m],
                        f->type_count, (unsigned long)tc[m]);
        if (f->linear != lin_entries[m] - lin_uses[m])
            return fail("frame %lu: linear %d, expected %ld", (unsigned long)m,
                        f->linear, (long)(lin_entries[m] - lin_uses[m]));
        if (lin_entries[m] && lin_uses[m])
            return fail("L4 %lu both has and is a linear map", (unsigned long)m);
        if (f->owner == PGT_OWNER_NONE && f->count)
            return fail("free frame %lu has references", (unsigned long)m);
    }
    return NULL;
}

bool w_all_zero(const struct pgt_world *w)
{
    for (uint64_t m = 0; m < w->env.nr_frames; m++) {
        const struct pgt_frame *f = &w->frames[m];

        if (f->count || f->type_count || f->pinned || f->linear ||
            f->state != PGT_INVALID)
            return false;
    }
    return true;
}

void w_snapshot(const struct pgt_world *w, struct pgt_frame *out)
{
    memcpy(out, w->frames, sizeof(w->frames[0]) * w->env.nr_frames);
}

bool w_same_counts(const struct pgt_world *w, const struct pgt_frame *snap)
{
    for (uint64_t m = 0; m < w->env.nr_frames; m++) {
        const struct pgt_frame *a = &w->frames[m], *b = &snap[m];

        if (a->count != b->count || a->type_count != b->type_count ||
            a->state != b->state || a->pinned != b->pinned ||
            a->linear != b->linear || a->owner != b->owner)
            return false;
    }
    return true;
}
