/*
 * The reference model of evtchn_ref.h. Ports are found by plain scans
 * (lowest FREE first, as the module promises); nothing here calls the
 * module except evtchn_2l_is_pending() to read a shared_info bit.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "evtchn_ref.h"

#define NPORTS EVTCHN_NR_PORTS

bool ref_global(unsigned virq)
{
    switch (virq) {
    case 0: case 1: case 7: case 13: return false;   /* TIMER DEBUG XENOPROF XENPMU */
    default: return true;
    }
}

struct mdom *ref_find(struct mref *m, unsigned domid)
{
    for (unsigned i = 0; i < REF_NDOM; i++)
        if (m->dom[i].present && m->dom[i].domid == domid)
            return &m->dom[i];
    return NULL;
}

static int ref_free_port(const struct mdom *d)
{
    if (d->dying)
        return -EINVAL;
    for (unsigned p = 1; p < NPORTS; p++)
        if (d->port[p].state == M_FREE)
            return (int)p;
    return -ENOSPC;
}

bool ref_used(const struct mdom *d, uint32_t p)
{
    return p >= 1 && p < NPORTS && d->port[p].state != M_FREE;
}

static void ref_free(struct mref *m, struct mdom *d, unsigned p)
{
    struct mport *c = &d->port[p];
    if (c->state == M_VIRQ)
        d->virq[ref_global(c->virq) ? 0 : c->vcpu][c->virq] = 0;
    if (c->state == M_INTER) {
        struct mport *r = &ref_find(m, c->dom)->port[c->rport];
        r->state = M_UNBOUND;
        r->dom = d->domid;
        r->rport = 0;
    }
    memset(c, 0, sizeof(*c));
}

int ref_alloc_unbound(struct mdom *d, unsigned rdom)
{
    if (rdom >= DOMID_FIRST_RESERVED)
        return -EINVAL;
    int p = ref_free_port(d);
    if (p > 0)
        d->port[p] = (struct mport){.state = M_UNBOUND, .dom = rdom};
    return p;
}

int ref_bind_interdomain(struct mref *m, struct mdom *d, unsigned rdom, uint32_t rport)
{
    struct mdom *r = ref_find(m, rdom);
    if (!r || r->dying)
        return -ESRCH;
    int p = ref_free_port(d);
    if (p < 0)
        return p;
    if (!ref_used(r, rport) || r->port[rport].state != M_UNBOUND || r->port[rport].dom != d->domid)
        return -EINVAL;
    d->port[p] = (struct mport){.state = M_INTER, .dom = rdom, .rport = rport};
    r->port[rport].state = M_INTER;
    r->port[rport].dom = d->domid;
    r->port[rport].rport = (unsigned)p;
    return p;
}

int ref_bind_virq(struct mdom *d, uint32_t virq, uint32_t vcpu)
{
    if (virq >= NR_VIRQS || (ref_global(virq) && vcpu != 0))
        return -EINVAL;
    if (vcpu >= d->nr_vcpus)
        return -ENOENT;
    if (d->virq[vcpu][virq])
        return -EEXIST;
    int p = ref_free_port(d);
    if (p > 0) {
        d->port[p] = (struct mport){.state = M_VIRQ, .vcpu = vcpu, .virq = virq};
        d->virq[vcpu][virq] = (unsigned)p;
    }
    return p;
}

int ref_bind_ipi(struct mdom *d, uint32_t vcpu)
{
    if (vcpu >= d->nr_vcpus)
        return -ENOENT;
    int p = ref_free_port(d);
    if (p > 0)
        d->port[p] = (struct mport){.state = M_IPI, .vcpu = vcpu};
    return p;
}

int ref_close(struct mref *m, struct mdom *d, uint32_t p)
{
    if (!ref_used(d, p))
        return -EINVAL;
    ref_free(m, d, p);
    return 0;
}

int ref_send(struct mref *m, struct mdom *d, uint32_t p, int *tdom, unsigned *tport,
             unsigned *tvcpu)
{
    if (!ref_used(d, p))
        return -EINVAL;
    const struct mport *c = &d->port[p];
    *tdom = -1;
    switch (c->state) {
    case M_UNBOUND:
        return 0;
    case M_IPI:
        *tdom = d->domid;
        *tport = p;
        *tvcpu = c->vcpu;
        return 0;
    case M_INTER: {
        struct mdom *r = ref_find(m, c->dom);
        if (!r->dying) {
            *tdom = r->domid;
            *tport = c->rport;
            *tvcpu = r->port[c->rport].vcpu;
        }
        return 0;
    }
    default:
        return -EINVAL;
    }
}

int ref_bind_vcpu(struct mdom *d, uint32_t p, uint32_t vcpu)
{
    if (vcpu >= d->nr_vcpus)
        return -ENOENT;
    if (!ref_used(d, p))
        return -EINVAL;
    struct mport *c = &d->port[p];
    if (c->state == M_IPI || (c->state == M_VIRQ && !ref_global(c->virq)))
        return -EINVAL;
    c->vcpu = vcpu;
    return 0;
}

void ref_reset(struct mref *m, struct mdom *d)
{
    for (unsigned p = 1; p < NPORTS; p++)
        if (d->port[p].state != M_FREE)
            ref_free(m, d, p);
}

int ref_destroy(struct mref *m, struct mdom *d, unsigned budget)
{
    d->dying = true;
    if (d->cursor == 0)
        d->cursor = 1;
    for (unsigned n = 0; d->cursor < NPORTS && n < budget; n++, d->cursor++)
        if (d->port[d->cursor].state != M_FREE)
            ref_free(m, d, d->cursor);
    return d->cursor < NPORTS ? -ERESTART : 0;
}

static const unsigned state_of[] = {
    [M_FREE] = EVTCHN_FREE, [M_UNBOUND] = EVTCHN_UNBOUND, [M_INTER] = EVTCHN_INTERDOMAIN,
    [M_VIRQ] = EVTCHN_VIRQ, [M_IPI] = EVTCHN_IPI,
};

const char *ref_differs(const struct mref *m, struct ew *w)
{
    static char msg[200];
    for (unsigned i = 0; i < REF_NDOM; i++) {
        const struct mdom *d = &m->dom[i];
        const struct evtchn_table *t = ew_get(w, d->domid);
        if (!d->present) {
            if (t)
                return "a destroyed domain is still found";
            continue;
        }
        if (!t)
            return "a live domain is missing";
        if (t->nr_vcpus != d->nr_vcpus || t->dying != d->dying)
            return "nr_vcpus or dying differs";
        unsigned used = 0;
        struct shared_info *si = ew_si(w, d->domid);
        for (unsigned p = 1; p < NPORTS; p++) {
            const struct mport *mp = &d->port[p];
            const struct evtchn_chan *c = &t->chan[p];
            unsigned want_dom = mp->state == M_UNBOUND || mp->state == M_INTER ? mp->dom : 0;
            unsigned want_port = mp->state == M_INTER ? mp->rport : 0;
            used += mp->state != M_FREE;
            if (c->state != state_of[mp->state] || c->vcpu != mp->vcpu || c->virq != mp->virq ||
                c->domid != want_dom || c->port != want_port) {
                snprintf(msg, sizeof(msg), "d%u p%u: state %u vcpu %u dom %u port %u virq %u; "
                         "model state %d vcpu %u dom %u port %u virq %u", d->domid, p, c->state,
                         c->vcpu, c->domid, c->port, c->virq, mp->state, mp->vcpu, want_dom,
                         want_port, mp->virq);
                return msg;
            }
            if (mp->state == M_FREE && evtchn_2l_is_pending(si, p)) {
                snprintf(msg, sizeof(msg), "d%u: FREE port %u still pending", d->domid, p);
                return msg;
            }
        }
        if (t->nr_used != used)
            return "nr_used differs from the model's count";
        for (unsigned v = 0; v < EVTCHN_MAX_VCPUS; v++)
            for (unsigned q = 0; q < NR_VIRQS; q++)
                if (t->virq_port[v][q] != d->virq[v][q])
                    return "VIRQ map differs";
    }
    return NULL;
}
