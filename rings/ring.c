/*
 * Slot rings: the generic core behind rings/ring.h (protocol and page
 * layout: public/io/ring.h).
 *
 * Memory ordering. Every access to a shared index goes through one of the
 * two helpers below, and each use says what it orders. Slot contents are
 * plain memory: their visibility is carried by the index accesses around
 * them (release when publishing, acquire when reading the peer's producer
 * index). The Dekker-style pair that prevents lost wake-ups
 *
 *     producer: store prod;  load event      consumer: store event;  load prod
 *
 * uses sequentially consistent accesses on both sides: in the single total
 * order of seq_cst operations one of the two stores comes first, so at
 * least one side's load sees the other side's store. A peer in another
 * domain that uses "store; mfence; load" (Xen's macros) gives the same
 * guarantee on x86, where a seq_cst store is a fenced store (mov + mfence,
 * or xchg) and a seq_cst load a plain mov. We use no standalone fences, so ThreadSanitizer models every
 * ordering we rely on.
 *
 * Peer checks. The only value the peer controls that decides where we read
 * is its producer index; it is loaded once per call, checked against the
 * window a correct peer can reach, and only then used. Slot contents are
 * copied out exactly once and never interpreted here.
 */
#include "core/env.h"
#include "public/io/ring.h"
#include "ring.h"

/*
 * Instrumentation hooks, empty in every real build. The fuzz harness
 * (tests/fuzz) defines them with ASan's manual poisoning: a slot becomes
 * unreadable the moment it has been copied out, and readable again only when
 * one side writes it anew, so any second read of a consumed slot (a double
 * fetch) is reported where it happens.
 */
#ifndef RING_HOOK_SLOT_CONSUMED
#define RING_HOOK_SLOT_CONSUMED(slot, size) ((void)(slot), (void)(size))
#endif
#ifndef RING_HOOK_SLOT_REWRITE
#define RING_HOOK_SLOT_REWRITE(slot, size) ((void)(slot), (void)(size))
#endif

/*
 * Either load of the Dekker pair; also an acquire, which every load of the
 * peer's producer index needs (slot reads after it see the entries it covers).
 */
static inline ring_idx_t idx_load_sc(const ring_idx_t *p)
{
    return __atomic_load_n(p, __ATOMIC_SEQ_CST);
}

/* Either store of the Dekker pair. Also a release. */
static inline void idx_store_sc(ring_idx_t *p, ring_idx_t v)
{
    __atomic_store_n(p, v, __ATOMIC_SEQ_CST);
}

static inline uint8_t *slot_at(const struct ring_geom *g, ring_idx_t idx)
{
    return g->slots + (size_t)(idx & (g->nr_slots - 1)) * g->slot_size;
}

/*
 * Copy entry idx out of the shared page into private memory. After the
 * compiler barrier the copy is complete: the compiler can neither defer part
 * of it nor answer a later read of dst by reading the slot again.
 */
static void copy_from_slot(const struct ring_geom *g, void *dst, ring_idx_t idx, size_t len)
{
    const uint8_t *slot = slot_at(g, idx);

    BUG_ON(len > g->slot_size); /* caller passed the wrong type */
    memcpy(dst, slot, len);
    __asm__ __volatile__("" ::: "memory");
    RING_HOOK_SLOT_CONSUMED(slot, g->slot_size);
}

static void copy_to_slot(const struct ring_geom *g, ring_idx_t idx, const void *src, size_t len)
{
    uint8_t *slot = slot_at(g, idx);

    BUG_ON(len > g->slot_size); /* caller passed the wrong type */
    RING_HOOK_SLOT_REWRITE(slot, g->slot_size);
    memcpy(slot, src, len);
}

uint32_t ring_slots_for(size_t bytes, size_t slot_size)
{
    if (slot_size == 0 || bytes < RING_HEADER_SIZE || bytes - RING_HEADER_SIZE < slot_size)
        return 0;
    size_t fit = (bytes - RING_HEADER_SIZE) / slot_size;
    uint32_t n = 1;
    while ((size_t)n * 2 <= fit && n < (1u << 30))
        n *= 2;
    return n;
}

/* Before the page is shared: plain stores, ordered by whatever shares it. */
void ring_shared_init(struct ring_shared *sh, ring_idx_t start)
{
    sh->req_prod = start;
    sh->rsp_prod = start;
    sh->req_event = start + 1;
    sh->rsp_event = start + 1;
    memset(sh->reserved, 0, sizeof(sh->reserved));
}

static int geom_init(struct ring_geom *g, void *page, size_t bytes, size_t slot_size)
{
    if (!page || ((uintptr_t)page & (sizeof(ring_idx_t) - 1)) != 0 || slot_size > UINT32_MAX)
        return RING_ERR_INVAL;
    uint32_t n = ring_slots_for(bytes, slot_size);
    if (n == 0)
        return RING_ERR_INVAL;
    g->sh = page;
    g->slots = (uint8_t *)page + RING_HEADER_SIZE;
    g->slot_size = (uint32_t)slot_size;
    g->nr_slots = n;
    return 0;
}

int ring_front_attach(struct ring_front *f, void *page, size_t bytes, size_t slot_size,
                      ring_idx_t start)
{
    memset(f, 0, sizeof(*f));
    int rc = geom_init(&f->g, page, bytes, slot_size);
    f->req_prod_pvt = start;
    f->req_published = start;
    f->rsp_cons = start;
    f->broken = rc != 0;
    return rc;
}

int ring_back_attach(struct ring_back *b, void *page, size_t bytes, size_t slot_size,
                     ring_idx_t start)
{
    memset(b, 0, sizeof(*b));
    int rc = geom_init(&b->g, page, bytes, slot_size);
    b->req_cons = start;
    b->rsp_prod_pvt = start;
    b->rsp_published = start;
    b->broken = rc != 0;
    return rc;
}

/* ---- front: requests ---- */

uint32_t ring_front_free(const struct ring_front *f)
{
    return f->g.nr_slots - (f->req_prod_pvt - f->rsp_cons);
}

int ring_front_put(struct ring_front *f, const void *req, size_t len)
{
    if (f->broken)
        return RING_ERR_BROKEN;
    if (ring_front_free(f) == 0)
        return RING_ERR_FULL;
    copy_to_slot(&f->g, f->req_prod_pvt, req, len);
    f->req_prod_pvt++;
    return 0;
}

ring_idx_t ring_front_publish(struct ring_front *f)
{
    ring_idx_t old = f->req_published;

    if (f->broken || old == f->req_prod_pvt)
        return old;
    /* Release: the back sees the slots written by put before the new index. */
    idx_store_sc(&f->g.sh->req_prod, f->req_prod_pvt);
    f->req_published = f->req_prod_pvt;
    return old;
}

bool ring_front_notify_check(struct ring_front *f, ring_idx_t old)
{
    if (f->broken)
        return false;
    /* Second half of the Dekker pair: ordered after the req_prod store. */
    ring_idx_t event = idx_load_sc(&f->g.sh->req_event);
    return ring_need_notify(old, f->req_published, event);
}

bool ring_front_push(struct ring_front *f)
{
    ring_idx_t old = ring_front_publish(f);
    return ring_front_notify_check(f, old);
}

/* ---- front: responses ---- */

int ring_front_unconsumed(struct ring_front *f)
{
    if (f->broken)
        return RING_ERR_BROKEN;
    /*
     * Acquire: slot reads below see the responses published up to prod.
     * Seq_cst: in final_check this is the reload that follows the arm.
     */
    ring_idx_t prod = idx_load_sc(&f->g.sh->rsp_prod);
    ring_idx_t pending = prod - f->rsp_cons;
    /* A correct back answers only requests we published. */
    if (pending > (ring_idx_t)(f->req_published - f->rsp_cons)) {
        f->broken = true;
        return RING_ERR_BROKEN;
    }
    return (int)pending;
}

int ring_front_take(struct ring_front *f, void *rsp, size_t len)
{
    int n = ring_front_unconsumed(f);
    if (n <= 0)
        return n;
    copy_from_slot(&f->g, rsp, f->rsp_cons, len);
    f->rsp_cons++;
    return 1;
}

void ring_front_arm(struct ring_front *f)
{
    if (f->broken)
        return;
    /* First half of the Dekker pair: ordered before the rsp_prod reload. */
    idx_store_sc(&f->g.sh->rsp_event, f->rsp_cons + 1);
}

int ring_front_final_check(struct ring_front *f)
{
    int n = ring_front_unconsumed(f);
    if (n != 0)
        return n > 0 ? 1 : n;
    ring_front_arm(f);
    n = ring_front_unconsumed(f);
    return n > 0 ? 1 : n;
}

/* ---- back: requests ---- */

int ring_back_unconsumed(struct ring_back *b)
{
    if (b->broken)
        return RING_ERR_BROKEN;
    /*
     * Acquire: slot reads below see the requests published up to prod.
     * Seq_cst: in final_check this is the reload that follows the arm.
     */
    ring_idx_t prod = idx_load_sc(&b->g.sh->req_prod);
    ring_idx_t pending = prod - b->req_cons;
    /*
     * The front may reuse a slot only after consuming the response in it,
     * so it can be at most nr_slots ahead of the responses we published.
     * An index behind req_cons makes pending huge and fails the same test.
     */
    ring_idx_t room = b->g.nr_slots - (ring_idx_t)(b->req_cons - b->rsp_published);
    if (pending > room) {
        b->broken = true;
        return RING_ERR_BROKEN;
    }
    return (int)pending;
}

int ring_back_take(struct ring_back *b, void *req, size_t len)
{
    int n = ring_back_unconsumed(b);
    if (n <= 0)
        return n;
    copy_from_slot(&b->g, req, b->req_cons, len);
    b->req_cons++;
    return 1;
}

void ring_back_arm(struct ring_back *b)
{
    if (b->broken)
        return;
    /* First half of the Dekker pair: ordered before the req_prod reload. */
    idx_store_sc(&b->g.sh->req_event, b->req_cons + 1);
}

int ring_back_final_check(struct ring_back *b)
{
    int n = ring_back_unconsumed(b);
    if (n != 0)
        return n > 0 ? 1 : n;
    ring_back_arm(b);
    n = ring_back_unconsumed(b);
    return n > 0 ? 1 : n;
}

/* ---- back: responses ---- */

uint32_t ring_back_unanswered(const struct ring_back *b)
{
    return b->req_cons - b->rsp_prod_pvt;
}

int ring_back_put(struct ring_back *b, const void *rsp, size_t len)
{
    if (b->broken)
        return RING_ERR_BROKEN;
    /* A response goes into the slot of a request we consumed. */
    if (ring_back_unanswered(b) == 0)
        return RING_ERR_FULL;
    copy_to_slot(&b->g, b->rsp_prod_pvt, rsp, len);
    b->rsp_prod_pvt++;
    return 0;
}

ring_idx_t ring_back_publish(struct ring_back *b)
{
    ring_idx_t old = b->rsp_published;

    if (b->broken || old == b->rsp_prod_pvt)
        return old;
    /* Release: the front sees the slots written by put before the new index. */
    idx_store_sc(&b->g.sh->rsp_prod, b->rsp_prod_pvt);
    b->rsp_published = b->rsp_prod_pvt;
    return old;
}

bool ring_back_notify_check(struct ring_back *b, ring_idx_t old)
{
    if (b->broken)
        return false;
    /* Second half of the Dekker pair: ordered after the rsp_prod store. */
    ring_idx_t event = idx_load_sc(&b->g.sh->rsp_event);
    return ring_need_notify(old, b->rsp_published, event);
}

bool ring_back_push(struct ring_back *b)
{
    ring_idx_t old = ring_back_publish(b);
    return ring_back_notify_check(b, old);
}
