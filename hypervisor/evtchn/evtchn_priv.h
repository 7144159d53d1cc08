/*
 * Event channel internals shared by evtchn_table.c (queries, send, vCPU
 * moves) and evtchn_bind.c (allocation, binding, closing).
 */
#ifndef XENIA_EVTCHN_PRIV_H
#define XENIA_EVTCHN_PRIV_H

#include "core/evtchn.h"

/* The port `port` of `t` if it is in range, not port 0 and not FREE; NULL
 * otherwise (every such case is -EINVAL for the guest). */
static inline struct evtchn_chan *evtchn_bound_chan(struct evtchn_table *t, evtchn_port_t port)
{
    if (port == 0 || port >= EVTCHN_NR_PORTS)
        return NULL;
    struct evtchn_chan *c = &t->chan[port];
    return c->state == EVTCHN_FREE ? NULL : c;
}

/* The vCPU whose VIRQ map holds a VIRQ port (invariant 2). */
static inline unsigned evtchn_virq_map_vcpu(const struct evtchn_chan *c)
{
    return evtchn_virq_is_global(c->virq) ? 0 : c->vcpu;
}

#endif /* XENIA_EVTCHN_PRIV_H */
