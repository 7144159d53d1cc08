/*
 * Event channel delivery (2-level) and binding. The protocol is in
 * guest/events.h. The handler table is written only by threads (vCPU 0)
 * with events masked, and only for a port that is masked: the upcall, on
 * any vCPU, reads the entry of a port only while the port is unmasked.
 *
 * Per-vCPU routing: each port is handled by one vCPU, the one the
 * hypervisor notifies for it (vCPU 0 unless bound otherwise). routed[c]
 * holds the ports of vCPU c; an upcall on vCPU c handles only those, so two
 * vCPUs never handle one port, even though they share the pending and mask
 * words. A port changes vCPU only while masked here (evtchn_bind_vcpu),
 * and the unmask that follows re-raises it on its new vCPU if it was
 * pending meanwhile.
 */
#include "guest/events.h"
#include "arch/hypercall.h"
#include "guest/console.h"
#include "guest/smp.h"

static struct {
    evtchn_handler_fn fn;
    void *arg;
} handlers[EVTCHN_MAX_PORTS];
static uint64_t routed[SMP_MAX_VCPUS][XEN_EVTCHN_2L_WORDS];
static uint64_t seen, unhandled;

uint64_t events_seen(void)
{
    return __atomic_load_n(&seen, __ATOMIC_RELAXED);
}

uint64_t events_unhandled(void)
{
    return __atomic_load_n(&unhandled, __ATOMIC_RELAXED);
}

/* From now on port is handled by vCPU `vcpu` (the caller has it masked). */
static void route(evtchn_port_t port, uint32_t vcpu)
{
    for (unsigned c = 0; c < SMP_MAX_VCPUS; c++)
        if (c != vcpu)
            clear_bit64(&routed[c][port / 64], port % 64);
    set_bit64(&routed[vcpu][port / 64], port % 64);
}

unsigned evtchn_vcpu_of(evtchn_port_t port)
{
    if (port >= EVTCHN_MAX_PORTS)
        return 0;
    for (unsigned c = 0; c < SMP_MAX_VCPUS; c++)
        if (routed[c][port / 64] & (1ULL << (port % 64)))
            return c;
    return 0;
}

void events_force_callback(void)
{
    (void)HYPERVISOR_xen_version(XENVER_version, NULL);
}

void evtchn_mask(evtchn_port_t port)
{
    if (port < EVTCHN_MAX_PORTS)
        set_bit64(&shared_info->evtchn_mask[port / 64], port % 64);
}

long evtchn_unmask(evtchn_port_t port)
{
    struct evtchn_unmask op = { .port = port };
    return HYPERVISOR_event_channel_op(EVTCHNOP_unmask, &op);
}

long evtchn_notify(evtchn_port_t port)
{
    struct evtchn_send op = { .port = port };
    return HYPERVISOR_event_channel_op(EVTCHNOP_send, &op);
}

long evtchn_status(evtchn_port_t port, struct evtchn_status *st)
{
    memset(st, 0, sizeof(*st));
    st->dom = DOMID_SELF;
    st->port = port;
    return HYPERVISOR_event_channel_op(EVTCHNOP_status, st);
}

/*
 * Second half of every bind: the hypervisor gave us `port` (masked, since
 * events_init masked them all) notifying `vcpu`; install the handler, route
 * the port to that vCPU, then unmask. A port number we cannot index is
 * closed again.
 */
static long install(long rc, evtchn_port_t port, uint32_t vcpu, evtchn_handler_fn fn, void *arg)
{
    if (rc < 0)
        return rc;
    if (port >= EVTCHN_MAX_PORTS) {
        struct evtchn_close cl = { .port = port };
        (void)HYPERVISOR_event_channel_op(EVTCHNOP_close, &cl);
        return -XEN_EINVAL;
    }
    unsigned flags = irq_save();
    handlers[port].fn = fn;
    handlers[port].arg = arg;
    route(port, vcpu < SMP_MAX_VCPUS ? vcpu : 0);
    irq_restore(flags);
    rc = evtchn_unmask(port);
    return rc < 0 ? rc : (long)port;
}

long evtchn_attach(evtchn_port_t port, evtchn_handler_fn fn, void *arg)
{
    return install(0, port, 0, fn, arg);
}

long evtchn_bind_virq(uint32_t virq, evtchn_handler_fn fn, void *arg)
{
    return evtchn_bind_virq_vcpu(virq, 0, fn, arg);
}

long evtchn_bind_virq_vcpu(uint32_t virq, uint32_t vcpu, evtchn_handler_fn fn, void *arg)
{
    struct evtchn_bind_virq op = { .virq = virq, .vcpu = vcpu };
    long rc = HYPERVISOR_event_channel_op(EVTCHNOP_bind_virq, &op);
    return install(rc, op.port, vcpu, fn, arg);
}

long evtchn_bind_ipi(uint32_t vcpu, evtchn_handler_fn fn, void *arg)
{
    struct evtchn_bind_ipi op = { .vcpu = vcpu };
    long rc = HYPERVISOR_event_channel_op(EVTCHNOP_bind_ipi, &op);
    return install(rc, op.port, vcpu, fn, arg);
}

long evtchn_bind_vcpu(evtchn_port_t port, uint32_t vcpu)
{
    if (port >= EVTCHN_MAX_PORTS || vcpu >= SMP_MAX_VCPUS)
        return -XEN_EINVAL;
    bool was_masked = shared_info->evtchn_mask[port / 64] & (1ULL << (port % 64));
    evtchn_mask(port);
    struct evtchn_bind_vcpu op = { .port = port, .vcpu = vcpu };
    long rc = HYPERVISOR_event_channel_op(EVTCHNOP_bind_vcpu, &op);
    if (rc == 0)
        route(port, vcpu);
    if (!was_masked) {
        long rc2 = evtchn_unmask(port);     /* re-raises a pending event on its vCPU */
        if (rc == 0)
            rc = rc2;
    }
    return rc;
}

long evtchn_alloc_unbound(domid_t remote, evtchn_handler_fn fn, void *arg)
{
    struct evtchn_alloc_unbound op = { .dom = DOMID_SELF, .remote_dom = remote };
    long rc = HYPERVISOR_event_channel_op(EVTCHNOP_alloc_unbound, &op);
    return install(rc, op.port, 0, fn, arg);
}

long evtchn_bind_interdomain(domid_t remote, evtchn_port_t remote_port, evtchn_handler_fn fn,
                             void *arg)
{
    struct evtchn_bind_interdomain op = { .remote_dom = remote, .remote_port = remote_port };
    long rc = HYPERVISOR_event_channel_op(EVTCHNOP_bind_interdomain, &op);
    return install(rc, op.local_port, 0, fn, arg);
}

long evtchn_alloc_unbound_for(domid_t dom, domid_t remote)
{
    struct evtchn_alloc_unbound op = { .dom = dom, .remote_dom = remote };
    long rc = HYPERVISOR_event_channel_op(EVTCHNOP_alloc_unbound, &op);
    return rc < 0 ? rc : (long)op.port;
}

long evtchn_close(evtchn_port_t port)
{
    struct evtchn_close op = { .port = port };

    evtchn_mask(port);
    long rc = HYPERVISOR_event_channel_op(EVTCHNOP_close, &op);
    if (port < EVTCHN_MAX_PORTS) {
        unsigned flags = irq_save();
        handlers[port].fn = NULL;
        handlers[port].arg = NULL;
        clear_bit64(&shared_info->evtchn_pending[port / 64], port % 64);
        route(port, 0);                     /* a freed port notifies vCPU 0 again */
        irq_restore(flags);
    }
    return rc;
}

void event_upcall(struct trap_frame *f)
{
    unsigned cpu = percpu_vcpu_id();
    volatile struct vcpu_info *v = this_vcpu_info();
    volatile struct shared_info *s = shared_info;
    const volatile uint64_t *mine = routed[cpu];

    do {
        v->evtchn_upcall_pending = 0;
        /* xchg is a full barrier: the flag is clear before we look, so an
           event raised from here on sets it again and we go round once more. */
        uint64_t sel = xchg64(&v->evtchn_pending_sel, 0);
        while (sel != 0) {
            unsigned w = (unsigned)__builtin_ctzll(sel);
            sel &= sel - 1;
            uint64_t pend;
            while ((pend = s->evtchn_pending[w] & ~s->evtchn_mask[w] & mine[w]) != 0) {
                unsigned b = (unsigned)__builtin_ctzll(pend);
                evtchn_port_t port = w * 64 + b;
                clear_bit64(&s->evtchn_pending[w], b);
                __atomic_fetch_add(&seen, 1, __ATOMIC_RELAXED);
                if (handlers[port].fn != NULL)
                    handlers[port].fn(port, f, handlers[port].arg);
                else
                    __atomic_fetch_add(&unhandled, 1, __ATOMIC_RELAXED);
            }
        }
    } while (v->evtchn_upcall_pending);
}

void events_init(void)
{
    /* Mask every port, as Mini-OS does: ports get unmasked one by one once
       their handler is in place, whatever state the builder left. Every
       port starts on vCPU 0, as the hypervisor's do. */
    for (unsigned w = 0; w < XEN_EVTCHN_2L_WORDS; w++) {
        shared_info->evtchn_mask[w] = ~0ULL;
        routed[0][w] = ~0ULL;
        for (unsigned c = 1; c < SMP_MAX_VCPUS; c++)
            routed[c][w] = 0;
    }
    for (unsigned i = 0; i < EVTCHN_MAX_PORTS; i++)
        handlers[i].fn = NULL;
}
