/*
 * Event channel delivery (2-level). See guest/events.h for the protocol.
 * The handler table is written only by threads (binding) and read by the
 * upcall, which runs with events masked; a port's handler is set before
 * the port is unmasked, so the upcall never sees a half-bound port.
 */
#include "guest/events.h"
#include "arch/hypercall.h"
#include "guest/console.h"

static struct {
    evtchn_handler_fn fn;
    void *arg;
} handlers[EVTCHN_MAX_PORTS];
static uint64_t seen;

uint64_t events_seen(void)
{
    return seen;
}

void events_force_callback(void)
{
    (void)HYPERVISOR_xen_version(XENVER_version, NULL);
}

long evtchn_unmask(evtchn_port_t port)
{
    struct evtchn_unmask op = { .port = port };
    return HYPERVISOR_event_channel_op(EVTCHNOP_unmask, &op);
}

long evtchn_bind_virq(uint32_t virq, evtchn_handler_fn fn, void *arg)
{
    struct evtchn_bind_virq op = { .virq = virq, .vcpu = 0 };
    long rc = HYPERVISOR_event_channel_op(EVTCHNOP_bind_virq, &op);

    if (rc < 0)
        return rc;
    if (op.port >= EVTCHN_MAX_PORTS)
        return -XEN_EINVAL;
    handlers[op.port].fn = fn;
    handlers[op.port].arg = arg;
    rc = evtchn_unmask(op.port);
    return rc < 0 ? rc : (long)op.port;
}

void event_upcall(struct trap_frame *f)
{
    volatile struct vcpu_info *v = vcpu_info0();
    volatile struct shared_info *s = shared_info;

    v->evtchn_upcall_pending = 0;
    /* xchg is a full barrier: the pending flag is clear before we look. */
    uint64_t sel = xchg64(&v->evtchn_pending_sel, 0);
    while (sel != 0) {
        unsigned w = (unsigned)__builtin_ctzll(sel);
        sel &= sel - 1;
        uint64_t pend;
        while ((pend = s->evtchn_pending[w] & ~s->evtchn_mask[w]) != 0) {
            unsigned b = (unsigned)__builtin_ctzll(pend);
            evtchn_port_t port = w * 64 + b;
            clear_bit64(&s->evtchn_pending[w], b);
            seen++;
            if (handlers[port].fn != NULL)
                handlers[port].fn(port, f, handlers[port].arg);
        }
    }
}

void events_init(void)
{
    /* Every port starts masked in a fresh domain; nothing to undo here. */
    for (unsigned i = 0; i < EVTCHN_MAX_PORTS; i++)
        handlers[i].fn = NULL;
}
