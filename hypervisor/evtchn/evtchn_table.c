/*
 * Event channel table: initialisation and the operations that change no
 * port's state (status, send, bind_vcpu, unmask, VIRQ lookup).
 *
 * Invariant relied on here (kept by evtchn_bind.c): an INTERDOMAIN port's
 * peer table exists and its peer port is INTERDOMAIN naming us back, so a
 * send reaches a valid (table, port) without re-validating the peer; a VIRQ
 * map entry names a VIRQ port of that VIRQ. Everything a guest passes in
 * (port, vCPU, VIRQ numbers) is range-checked before it indexes anything.
 */
#include "evtchn_priv.h"

void evtchn_table_init(struct evtchn_table *t, uint16_t domid, unsigned nr_vcpus)
{
    BUG_ON(domid >= DOMID_FIRST_RESERVED);
    BUG_ON(nr_vcpus == 0 || nr_vcpus > EVTCHN_MAX_VCPUS);
    memset(t, 0, sizeof(*t));
    t->domid = domid;
    t->nr_vcpus = (uint16_t)nr_vcpus;
    t->free_hint = 1;
    t->destroy_next = 1;
}

bool evtchn_virq_is_global(uint32_t virq)
{
    switch (virq) {
    case VIRQ_TIMER:
    case VIRQ_DEBUG:
    case VIRQ_XENOPROF:
    case VIRQ_XENPMU:
        return false;
    default:
        return true;
    }
}

uint16_t evtchn_peer(const struct evtchn_table *t, evtchn_port_t port)
{
    if (port == 0 || port >= EVTCHN_NR_PORTS || t->chan[port].state != EVTCHN_INTERDOMAIN)
        return t->domid;
    return t->chan[port].domid;
}

int evtchn_status(const struct evtchn_table *t, evtchn_port_t port, struct evtchn_status *st)
{
    if (port == 0 || port >= EVTCHN_NR_PORTS)
        return -XEN_EINVAL;
    const struct evtchn_chan *c = &t->chan[port];

    memset(&st->u, 0, sizeof(st->u));
    st->vcpu = c->vcpu;
    switch ((enum evtchn_state)c->state) {
    case EVTCHN_FREE:
        st->status = EVTCHNSTAT_closed;
        break;
    case EVTCHN_UNBOUND:
        st->status = EVTCHNSTAT_unbound;
        st->u.unbound.dom = c->domid;
        break;
    case EVTCHN_INTERDOMAIN:
        st->status = EVTCHNSTAT_interdomain;
        st->u.interdomain.dom = c->domid;
        st->u.interdomain.port = c->port;
        break;
    case EVTCHN_VIRQ:
        st->status = EVTCHNSTAT_virq;
        st->u.virq = c->virq;
        break;
    case EVTCHN_IPI:
        st->status = EVTCHNSTAT_ipi;
        break;
    default:
        BUG_ON(1);
    }
    return 0;
}

int evtchn_send(const struct evtchn_env *env, struct evtchn_table *t, evtchn_port_t port,
                struct evtchn_target *out)
{
    struct evtchn_chan *c = evtchn_bound_chan(t, port);
    if (!c)
        return -XEN_EINVAL;

    switch ((enum evtchn_state)c->state) {
    case EVTCHN_INTERDOMAIN: {
        struct evtchn_table *peer = env->lookup(env->ctx, c->domid);
        BUG_ON(!peer);
        BUG_ON(peer->chan[c->port].state != EVTCHN_INTERDOMAIN);
        out->table = peer->dying ? NULL : peer;
        out->port = c->port;
        out->vcpu = peer->chan[c->port].vcpu;
        return 0;
    }
    case EVTCHN_IPI:
        out->table = t;
        out->port = port;
        out->vcpu = c->vcpu;
        return 0;
    case EVTCHN_UNBOUND:
        out->table = NULL;    /* nobody listens yet: dropped, as in Xen */
        out->port = 0;
        out->vcpu = 0;
        return 0;
    default:
        return -XEN_EINVAL;   /* VIRQ: only the hypervisor raises those */
    }
}

int evtchn_bind_vcpu(struct evtchn_table *t, evtchn_port_t port, uint32_t vcpu)
{
    if (vcpu >= t->nr_vcpus)
        return -XEN_ENOENT;
    struct evtchn_chan *c = evtchn_bound_chan(t, port);
    if (!c)
        return -XEN_EINVAL;

    switch ((enum evtchn_state)c->state) {
    case EVTCHN_VIRQ:
        if (!evtchn_virq_is_global(c->virq))
            return -XEN_EINVAL;
        break;
    case EVTCHN_UNBOUND:
    case EVTCHN_INTERDOMAIN:
        break;
    default:
        return -XEN_EINVAL;   /* IPI: the vCPU is what the port means */
    }
    c->vcpu = (uint8_t)vcpu;
    return 0;
}

int evtchn_unmask(struct evtchn_table *t, evtchn_port_t port, struct evtchn_target *out)
{
    struct evtchn_chan *c = evtchn_bound_chan(t, port);
    if (!c)
        return -XEN_EINVAL;
    out->table = t;
    out->port = port;
    out->vcpu = c->vcpu;
    return 0;
}

int evtchn_virq_target(struct evtchn_table *t, uint32_t virq, uint32_t vcpu,
                       struct evtchn_target *out)
{
    if (virq >= NR_VIRQS)
        return -XEN_EINVAL;
    bool global = evtchn_virq_is_global(virq);
    if (!global && vcpu >= t->nr_vcpus)
        return -XEN_EINVAL;

    uint16_t port = t->virq_port[global ? 0 : vcpu][virq];
    if (port == 0)
        return -XEN_ENOENT;
    const struct evtchn_chan *c = &t->chan[port];
    BUG_ON(c->state != EVTCHN_VIRQ || c->virq != virq);
    out->table = t;
    out->port = port;
    out->vcpu = c->vcpu;
    return 0;
}
