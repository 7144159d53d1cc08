/*
 * Event channel table: the operations that change port states (allocate,
 * bind, close, reset, destroy).
 *
 * Each operation first validates everything -- arguments, states, that a
 * free port exists -- and only then writes, so an error leaves both tables
 * untouched. New ports are the lowest FREE one (as in Xen); free_hint keeps
 * the search from rescanning the used prefix. An interdomain channel is
 * created and torn down on both ends within one call (invariant 1 of
 * core/evtchn.h); the caller holds both tables' locks.
 *
 * Destruction is preemptible: t->dying stops any new port in t (allocation
 * fails with -EINVAL, binding from outside with -ESRCH), so the ports at or
 * after the cursor are the only ones left to close; a peer may only move
 * them from INTERDOMAIN to UNBOUND meanwhile, which the cursor then closes.
 */
#include "evtchn_priv.h"

/* The lowest FREE port, -ENOSPC if none, -EINVAL if the table is dying.
 * Writes nothing: callers may still fail after it. */
static int evtchn_find_free(const struct evtchn_table *t)
{
    if (t->dying)
        return -XEN_EINVAL;
    for (unsigned p = t->free_hint; p < EVTCHN_NR_PORTS; p++)
        if (t->chan[p].state == EVTCHN_FREE)
            return (int)p;
    return -XEN_ENOSPC;
}

/* Turn the FREE port `port` (from evtchn_find_free) into state `state`. */
static struct evtchn_chan *evtchn_take(struct evtchn_table *t, int port, enum evtchn_state state)
{
    struct evtchn_chan *c = &t->chan[port];
    BUG_ON(port <= 0 || c->state != EVTCHN_FREE);
    t->nr_used++;
    t->free_hint = (uint16_t)(port + 1);
    c->state = (uint8_t)state;
    return c;
}

/* Back to FREE (all zeros, vCPU 0), then tell the glue. */
static void evtchn_release(const struct evtchn_env *env, struct evtchn_table *t, evtchn_port_t port)
{
    BUG_ON(t->nr_used == 0);
    memset(&t->chan[port], 0, sizeof(t->chan[port]));
    t->nr_used--;
    if (port < t->free_hint)
        t->free_hint = (uint16_t)port;
    if (env->port_freed)
        env->port_freed(env->ctx, t, port);
}

int evtchn_alloc_unbound(struct evtchn_table *t, uint16_t remote_domid)
{
    if (remote_domid >= DOMID_FIRST_RESERVED)
        return -XEN_EINVAL;
    int port = evtchn_find_free(t);
    if (port < 0)
        return port;

    struct evtchn_chan *c = evtchn_take(t, port, EVTCHN_UNBOUND);
    c->domid = remote_domid;
    return port;
}

int evtchn_bind_interdomain(const struct evtchn_env *env, struct evtchn_table *t,
                            uint16_t remote_domid, evtchn_port_t remote_port)
{
    struct evtchn_table *rt = env->lookup(env->ctx, remote_domid);
    if (!rt || rt->dying)
        return -XEN_ESRCH;
    BUG_ON(rt->domid != remote_domid);
    int port = evtchn_find_free(t);
    if (port < 0)
        return port;
    if (remote_port == 0 || remote_port >= EVTCHN_NR_PORTS)
        return -XEN_EINVAL;
    struct evtchn_chan *rc = &rt->chan[remote_port];
    if (rc->state != EVTCHN_UNBOUND || rc->domid != t->domid)
        return -XEN_EINVAL;

    /* Validated: commit both ends. (rt may be t: remote_port is UNBOUND,
     * so it is not the FREE port just found.) */
    struct evtchn_chan *lc = evtchn_take(t, port, EVTCHN_INTERDOMAIN);
    lc->domid = remote_domid;
    lc->port = (uint16_t)remote_port;
    rc->state = EVTCHN_INTERDOMAIN;
    rc->domid = t->domid;
    rc->port = (uint16_t)port;
    return port;
}

int evtchn_bind_virq(struct evtchn_table *t, uint32_t virq, uint32_t vcpu)
{
    if (virq >= NR_VIRQS)
        return -XEN_EINVAL;
    if (evtchn_virq_is_global(virq) && vcpu != 0)
        return -XEN_EINVAL;
    if (vcpu >= t->nr_vcpus)
        return -XEN_ENOENT;
    if (t->virq_port[vcpu][virq] != 0)
        return -XEN_EEXIST;
    int port = evtchn_find_free(t);
    if (port < 0)
        return port;

    struct evtchn_chan *c = evtchn_take(t, port, EVTCHN_VIRQ);
    c->vcpu = (uint8_t)vcpu;
    c->virq = (uint8_t)virq;
    t->virq_port[vcpu][virq] = (uint16_t)port;
    return port;
}

int evtchn_bind_ipi(struct evtchn_table *t, uint32_t vcpu)
{
    if (vcpu >= t->nr_vcpus)
        return -XEN_ENOENT;
    int port = evtchn_find_free(t);
    if (port < 0)
        return port;

    struct evtchn_chan *c = evtchn_take(t, port, EVTCHN_IPI);
    c->vcpu = (uint8_t)vcpu;
    return port;
}

int evtchn_close(const struct evtchn_env *env, struct evtchn_table *t, evtchn_port_t port)
{
    struct evtchn_chan *c = evtchn_bound_chan(t, port);
    if (!c)
        return -XEN_EINVAL;

    switch ((enum evtchn_state)c->state) {
    case EVTCHN_UNBOUND:
    case EVTCHN_IPI:
        break;
    case EVTCHN_VIRQ: {
        uint16_t *slot = &t->virq_port[evtchn_virq_map_vcpu(c)][c->virq];
        BUG_ON(*slot != port);
        *slot = 0;
        break;
    }
    case EVTCHN_INTERDOMAIN: {
        struct evtchn_table *rt = env->lookup(env->ctx, c->domid);
        BUG_ON(!rt || c->port == 0 || c->port >= EVTCHN_NR_PORTS);
        struct evtchn_chan *rc = &rt->chan[c->port];
        BUG_ON(rc->state != EVTCHN_INTERDOMAIN || rc->domid != t->domid || rc->port != port);
        /* The peer's end waits for us again, on the vCPU it had. */
        rc->state = EVTCHN_UNBOUND;
        rc->port = 0;
        break;
    }
    default:
        BUG_ON(1);
    }
    evtchn_release(env, t, port);
    return 0;
}

void evtchn_reset(const struct evtchn_env *env, struct evtchn_table *t)
{
    for (evtchn_port_t p = 1; p < EVTCHN_NR_PORTS && t->nr_used > 0; p++)
        if (t->chan[p].state != EVTCHN_FREE)
            BUG_ON(evtchn_close(env, t, p) != 0);
    BUG_ON(t->nr_used != 0);
}

int evtchn_destroy(const struct evtchn_env *env, struct evtchn_table *t, unsigned budget)
{
    t->dying = true;
    if (budget == 0)
        budget = 1;
    while (t->destroy_next < EVTCHN_NR_PORTS) {
        if (budget-- == 0)
            return -XEN_ERESTART;
        evtchn_port_t p = t->destroy_next++;
        if (t->chan[p].state != EVTCHN_FREE)
            BUG_ON(evtchn_close(env, t, p) != 0);
    }
    BUG_ON(t->nr_used != 0);
    return 0;
}
