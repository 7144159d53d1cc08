/*
 * event_channel_op and event delivery: the glue around core/evtchn (port
 * state machine, 2-level pending/mask words).
 *
 * Delivery: a send finds its target (domain table, port, vCPU) through the
 * core; the 2-level step sets the pending bit in the target's shared_info
 * and, when it raised upcall_pending, the target vCPU is kicked: woken if it
 * was blocked. The upcall itself (a bounce to the event callback) happens
 * on that vCPU's next exit to the guest (pv_exit_prepare). Guests use only
 * the FIFO-less 2-level ABI: init_control answers -ENOSYS so they fall back.
 *
 * vCPUs: the table knows the domain's max_vcpus (-ENOENT beyond). A port
 * notifies one vCPU: its selector and upcall flag are that vCPU's
 * vcpu_info, and only that vCPU is woken. bind_ipi binds to the vCPU named
 * in the request (Xen's rule), bind_virq of a per-vCPU VIRQ (VIRQ_TIMER) to
 * the vCPU named, and bind_vcpu moves UNBOUND, INTERDOMAIN and global VIRQ
 * ports (-EINVAL for IPI and per-vCPU VIRQ ports). An event for a vCPU
 * that is down stays pending in its vcpu_info and is delivered once it is
 * up again.
 */
#include <asm/current.h>
#include <xenia/console.h>
#include <xenia/domain.h>
#include <xenia/errno.h>
#include <xenia/event.h>
#include <xenia/guest_access.h>
#include <xenia/mm.h>
#include "core/evtchn.h"

static struct evtchn_table *lookup(void *ctx, uint16_t domid)
{
    (void)ctx;
    struct domain *d = domain_lookup(domid);
    return d ? d->evtchn : NULL;
}

static const struct evtchn_env env = { .lookup = lookup };

int evtchn_domain_init(struct domain *d)
{
    d->evtchn = xmalloc(sizeof(*d->evtchn));
    if (!d->evtchn)
        return -ENOMEM;
    evtchn_table_init(d->evtchn, d->id, d->max_vcpus);
    return 0;
}

int evtchn_domain_destroy(struct domain *d)
{
    if (!d->evtchn)
        return 0;
    int rc = evtchn_destroy(&env, d->evtchn, 512);
    if (rc)
        return rc;
    xfree(d->evtchn);
    d->evtchn = NULL;
    return 0;
}

static void kick(struct vcpu *v)
{
    if (v->state == VCPU_BLOCKED)
        sched_vcpu_set_state(v, VCPU_RUNNABLE);
}

static void deliver(const struct evtchn_target *t)
{
    if (!t->table)
        return;
    struct domain *d = domain_lookup(t->table->domid);
    if (!d || t->vcpu >= MAX_VCPUS_PER_DOMAIN || !d->vcpus[t->vcpu])
        return;
    struct vcpu *v = d->vcpus[t->vcpu];
    unsigned r = evtchn_2l_set_pending(d->shared_info, v->vcpu_info, t->port);
    if (r)                                   /* newly pending: pollers and blockers wake */
        kick(v);
}

void send_guest_virq(struct domain *d, uint32_t virq, uint32_t vcpu)
{
    struct evtchn_target t;
    if (d && d->evtchn && evtchn_virq_target(d->evtchn, virq, vcpu, &t) == 0)
        deliver(&t);
}

/* The domain an op names: DOMID_SELF or our own id, or any for dom0. */
static struct domain *target(domid_t id, int *err)
{
    struct domain *self = current->domain;
    if (id == DOMID_SELF || id == self->id)
        return self;
    struct domain *d = domain_lookup(id);
    *err = !d ? -ESRCH : -EPERM;
    return d && self->privileged ? d : NULL;
}

long do_event_channel_op(uint64_t cmd, uint64_t arg)
{
    struct domain *self = current->domain;
    struct evtchn_table *t = self->evtchn;
    struct evtchn_target tg;
    int rc = 0, err = -ESRCH;

    union {
        struct evtchn_alloc_unbound alloc;
        struct evtchn_bind_interdomain inter;
        struct evtchn_bind_virq virq;
        struct evtchn_bind_ipi ipi;
        struct evtchn_close close;
        struct evtchn_send send;
        struct evtchn_status status;
        struct evtchn_bind_vcpu bvcpu;
        struct evtchn_unmask unmask;
        struct evtchn_reset reset;
    } u;
    size_t size;

    switch (cmd) {
    case EVTCHNOP_alloc_unbound: size = sizeof(u.alloc); break;
    case EVTCHNOP_bind_interdomain: size = sizeof(u.inter); break;
    case EVTCHNOP_bind_virq: size = sizeof(u.virq); break;
    case EVTCHNOP_bind_ipi: size = sizeof(u.ipi); break;
    case EVTCHNOP_close: size = sizeof(u.close); break;
    case EVTCHNOP_send: size = sizeof(u.send); break;
    case EVTCHNOP_status: size = sizeof(u.status); break;
    case EVTCHNOP_bind_vcpu: size = sizeof(u.bvcpu); break;
    case EVTCHNOP_unmask: size = sizeof(u.unmask); break;
    case EVTCHNOP_reset: size = sizeof(u.reset); break;
    default:
        return -ENOSYS;                     /* pirq, FIFO (init_control), ...: not offered */
    }
    if (copy_from_guest(&u, arg, size))
        return -EFAULT;

    switch (cmd) {
    case EVTCHNOP_alloc_unbound: {
        struct domain *d = target(u.alloc.dom, &err);
        if (!d)
            return err;
        domid_t remote = u.alloc.remote_dom == DOMID_SELF ? self->id : u.alloc.remote_dom;
        rc = evtchn_alloc_unbound(d->evtchn, remote);
        if (rc < 0)
            return rc;
        u.alloc.port = (evtchn_port_t)rc;
        break;
    }
    case EVTCHNOP_bind_interdomain: {
        domid_t remote = u.inter.remote_dom == DOMID_SELF ? self->id : u.inter.remote_dom;
        rc = evtchn_bind_interdomain(&env, t, remote, u.inter.remote_port);
        if (rc < 0)
            return rc;
        u.inter.local_port = (evtchn_port_t)rc;
        /* As Xen: the new local port starts pending, so no event is lost. */
        tg = (struct evtchn_target){ t, u.inter.local_port, t->chan[rc].vcpu };
        deliver(&tg);
        break;
    }
    case EVTCHNOP_bind_virq:
        rc = evtchn_bind_virq(t, u.virq.virq, u.virq.vcpu);
        if (rc < 0)
            return rc;
        u.virq.port = (evtchn_port_t)rc;
        break;
    case EVTCHNOP_bind_ipi:
        rc = evtchn_bind_ipi(t, u.ipi.vcpu);
        if (rc < 0)
            return rc;
        u.ipi.port = (evtchn_port_t)rc;
        break;
    case EVTCHNOP_close:
        return evtchn_close(&env, t, u.close.port);
    case EVTCHNOP_send:
        rc = evtchn_send(&env, t, u.send.port, &tg);
        if (rc < 0)
            return rc;
        deliver(&tg);
        return 0;
    case EVTCHNOP_status: {
        struct domain *d = target(u.status.dom, &err);
        if (!d)
            return err;
        rc = evtchn_status(d->evtchn, u.status.port, &u.status);
        if (rc < 0)
            return rc;
        break;
    }
    case EVTCHNOP_bind_vcpu:
        return evtchn_bind_vcpu(t, u.bvcpu.port, u.bvcpu.vcpu);
    case EVTCHNOP_unmask: {
        rc = evtchn_unmask(t, u.unmask.port, &tg);
        if (rc < 0)
            return rc;
        struct vcpu *v = tg.vcpu < MAX_VCPUS_PER_DOMAIN ? self->vcpus[tg.vcpu] : NULL;
        if (v && evtchn_2l_unmask(self->shared_info, v->vcpu_info, u.unmask.port))
            kick(v);
        return 0;
    }
    case EVTCHNOP_reset: {
        struct domain *d = target(u.reset.dom, &err);
        if (!d)
            return err;
        evtchn_reset(&env, d->evtchn);
        return 0;
    }
    }
    return copy_to_guest(arg, &u, size);
}
