/*
 * The event channel test world: see evtchn_world.h. ew_check() reads only
 * the tables, never the module's helpers, so it is an independent witness.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "evtchn_world.h"

static struct evtchn_table *ew_lookup(void *ctx, uint16_t domid)
{
    struct ew *w = ctx;
    w->lookups++;
    return ew_get(w, domid);
}

static void ew_port_freed(void *ctx, struct evtchn_table *t, evtchn_port_t port)
{
    struct ew *w = ctx;
    w->freed++;
    w->last_freed_table = t;
    w->last_freed_port = port;
    evtchn_2l_clear_pending(ew_si(w, t->domid), port);
}

struct ew *ew_new(void)
{
    struct ew *w = calloc(1, sizeof(*w));
    if (!w)
        abort();
    w->env.lookup = ew_lookup;
    w->env.port_freed = ew_port_freed;
    w->env.ctx = w;
    return w;
}

void ew_free(struct ew *w)
{
    for (unsigned i = 0; i < EW_MAX; i++)
        free(w->tab[i]);
    free(w);
}

static int ew_slot(const struct ew *w, uint16_t domid)
{
    for (unsigned i = 0; i < EW_MAX; i++)
        if (w->tab[i] && w->tab[i]->domid == domid)
            return (int)i;
    return -1;
}

struct evtchn_table *ew_add(struct ew *w, uint16_t domid, unsigned nr_vcpus)
{
    if (ew_slot(w, domid) >= 0)
        abort();
    for (unsigned i = 0; i < EW_MAX; i++) {
        if (w->tab[i])
            continue;
        struct evtchn_table *t = malloc(sizeof(*t));
        if (!t)
            abort();
        memset(t, 0xA5, sizeof(*t));
        evtchn_table_init(t, domid, nr_vcpus);
        w->tab[i] = t;
        memset(&w->si[i], 0, sizeof(w->si[i]));
        return t;
    }
    abort();
}

void ew_remove(struct ew *w, uint16_t domid)
{
    int i = ew_slot(w, domid);
    if (i < 0)
        abort();
    free(w->tab[i]);
    w->tab[i] = NULL;
}

struct evtchn_table *ew_get(const struct ew *w, uint16_t domid)
{
    int i = ew_slot(w, domid);
    return i < 0 ? NULL : w->tab[i];
}

struct shared_info *ew_si(struct ew *w, uint16_t domid)
{
    int i = ew_slot(w, domid);
    if (i < 0)
        abort();
    return &w->si[i];
}

static char ew_msg[256];

#define EW_FAIL(...)                                         \
    do {                                                     \
        snprintf(ew_msg, sizeof(ew_msg), __VA_ARGS__);       \
        return ew_msg;                                       \
    } while (0)

static bool ew_virq_global(unsigned virq)
{
    /* Written out independently of evtchn_virq_is_global(). */
    return !(virq == VIRQ_TIMER || virq == VIRQ_DEBUG || virq == VIRQ_XENOPROF ||
             virq == VIRQ_XENPMU);
}

static const char *ew_check_chan(const struct ew *w, const struct evtchn_table *t, unsigned p)
{
    const struct evtchn_chan *c = &t->chan[p];
    static const struct evtchn_chan zero;

    if (c->pad != 0)
        EW_FAIL("d%u p%u: pad %u", t->domid, p, c->pad);
    if (c->state != EVTCHN_FREE && c->vcpu >= t->nr_vcpus)
        EW_FAIL("d%u p%u: vcpu %u >= %u", t->domid, p, c->vcpu, t->nr_vcpus);
    switch (c->state) {
    case EVTCHN_FREE:
        if (memcmp(c, &zero, sizeof(zero)) != 0)
            EW_FAIL("d%u p%u: FREE but not zero", t->domid, p);
        break;
    case EVTCHN_UNBOUND:
        if (c->domid >= DOMID_FIRST_RESERVED || c->port != 0 || c->virq != 0)
            EW_FAIL("d%u p%u: bad UNBOUND dom %u port %u", t->domid, p, c->domid, c->port);
        break;
    case EVTCHN_INTERDOMAIN: {
        const struct evtchn_table *r = ew_get(w, c->domid);
        if (!r)
            EW_FAIL("d%u p%u: peer d%u missing", t->domid, p, c->domid);
        if (c->port == 0 || c->port >= EVTCHN_NR_PORTS || c->virq != 0)
            EW_FAIL("d%u p%u: bad peer port %u", t->domid, p, c->port);
        const struct evtchn_chan *rc = &r->chan[c->port];
        if (rc->state != EVTCHN_INTERDOMAIN || rc->domid != t->domid || rc->port != p)
            EW_FAIL("d%u p%u -> d%u p%u: peer disagrees (state %u dom %u port %u)", t->domid, p,
                    c->domid, c->port, rc->state, rc->domid, rc->port);
        break;
    }
    case EVTCHN_VIRQ: {
        if (c->virq >= NR_VIRQS || c->domid != 0 || c->port != 0)
            EW_FAIL("d%u p%u: bad VIRQ %u", t->domid, p, c->virq);
        unsigned v = ew_virq_global(c->virq) ? 0 : c->vcpu;
        if (t->virq_port[v][c->virq] != p)
            EW_FAIL("d%u p%u: VIRQ %u not in map of vcpu %u", t->domid, p, c->virq, v);
        break;
    }
    case EVTCHN_IPI:
        if (c->domid != 0 || c->port != 0 || c->virq != 0)
            EW_FAIL("d%u p%u: bad IPI", t->domid, p);
        break;
    default:
        EW_FAIL("d%u p%u: state %u", t->domid, p, c->state);
    }
    return NULL;
}

static const char *ew_check_table(const struct ew *w, const struct evtchn_table *t)
{
    static const struct evtchn_chan zero;
    unsigned used = 0;
    const char *err;

    if (t->nr_vcpus == 0 || t->nr_vcpus > EVTCHN_MAX_VCPUS)
        EW_FAIL("d%u: nr_vcpus %u", t->domid, t->nr_vcpus);
    if (memcmp(&t->chan[0], &zero, sizeof(zero)) != 0)
        EW_FAIL("d%u: port 0 used", t->domid);
    if (t->free_hint == 0 || t->free_hint > EVTCHN_NR_PORTS)
        EW_FAIL("d%u: free_hint %u", t->domid, t->free_hint);
    for (unsigned p = 1; p < EVTCHN_NR_PORTS; p++) {
        if ((err = ew_check_chan(w, t, p)))
            return err;
        if (t->chan[p].state != EVTCHN_FREE)
            used++;
        else if (p < t->free_hint)
            EW_FAIL("d%u: FREE port %u below free_hint %u", t->domid, p, t->free_hint);
    }
    if (used != t->nr_used)
        EW_FAIL("d%u: nr_used %u, counted %u", t->domid, t->nr_used, used);
    for (unsigned v = 0; v < EVTCHN_MAX_VCPUS; v++) {
        for (unsigned q = 0; q < NR_VIRQS; q++) {
            unsigned p = t->virq_port[v][q];
            if (p == 0)
                continue;
            if (v >= t->nr_vcpus || p >= EVTCHN_NR_PORTS)
                EW_FAIL("d%u: virq map [%u][%u] = %u out of range", t->domid, v, q, p);
            const struct evtchn_chan *c = &t->chan[p];
            if (c->state != EVTCHN_VIRQ || c->virq != q ||
                (ew_virq_global(q) ? v != 0 : c->vcpu != v))
                EW_FAIL("d%u: virq map [%u][%u] = %u, port disagrees", t->domid, v, q, p);
        }
    }
    return NULL;
}

const char *ew_check(const struct ew *w)
{
    for (unsigned i = 0; i < EW_MAX; i++) {
        if (!w->tab[i])
            continue;
        for (unsigned j = i + 1; j < EW_MAX; j++)
            if (w->tab[j] && w->tab[j]->domid == w->tab[i]->domid)
                EW_FAIL("two tables for d%u", w->tab[i]->domid);
        const char *err = ew_check_table(w, w->tab[i]);
        if (err)
            return err;
    }
    return NULL;
}

void ew_snap_take(const struct ew *w, struct ew_snap *s)
{
    memset(s, 0, sizeof(*s));
    for (unsigned i = 0; i < EW_MAX; i++)
        if (w->tab[i])
            memcpy(&s->tab[i], w->tab[i], sizeof(s->tab[i]));
}

bool ew_snap_same(const struct ew *w, const struct ew_snap *s)
{
    for (unsigned i = 0; i < EW_MAX; i++)
        if (w->tab[i] && memcmp(&s->tab[i], w->tab[i], sizeof(s->tab[i])) != 0)
            return false;
    return true;
}
