/*
 * Event channels (2-level ABI) and the upcall mask.
 *
 * The upcall mask (vcpu_info.evtchn_upcall_mask) is this kernel's
 * "interrupt flag". The kernel runs with events enabled (mask 0) once setup
 * is done; the hypervisor masks them on entry to every callback and trap
 * handler, and the iret that ends the handler restores the mask. Code that
 * must not be interrupted by an upcall uses irq_save() / irq_restore();
 * restoring an unmasked state with an upcall pending forces its delivery
 * with a harmless hypercall (the hypervisor delivers pending events on its
 * way back to the guest).
 *
 * Upcall (event_upcall): clear upcall_pending, take pending_sel with xchg,
 * and for each selected word handle the pending and unmasked ports, clearing
 * each pending bit before calling the port's handler; repeat while
 * upcall_pending was set again meanwhile. Handlers run with events masked,
 * on the stack of whatever was interrupted: they must be short, must not
 * block or yield, and may wake threads (thread_wake).
 *
 * Binding: a port's handler is installed (events masked) before the port
 * is unmasked, and removed after it is masked and closed, so the upcall
 * never sees a half-bound port. The functions that bind return the local
 * port (>= 0) or a negative errno from the hypervisor; they are called by
 * threads, never by handlers.
 *
 * vCPUs: the upcall mask, upcall_pending and the selector are per vCPU
 * (this_vcpu_info(): the vcpu_info of the vCPU running the code), the
 * pending and mask words are shared. Each port is handled on the vCPU the
 * hypervisor notifies for it: vCPU 0 unless bound to another (an IPI or a
 * per-vCPU VIRQ bound for that vCPU, or moved with evtchn_bind_vcpu); an
 * upcall handles only its own vCPU's ports. Handlers of ports on another
 * vCPU run there, concurrently with vCPU 0's threads: what they share
 * needs atomics.
 */
#ifndef PVG_GUEST_EVENTS_H
#define PVG_GUEST_EVENTS_H

#include <stdint.h>

#include "arch/cpu.h"
#include "arch/percpu.h"
#include "arch/traps.h"
#include "guest/kernel.h"
#include "public/event_channel.h"

#define EVTCHN_MAX_PORTS (XEN_EVTCHN_2L_WORDS * 64)

typedef void (*evtchn_handler_fn)(evtchn_port_t port, struct trap_frame *f, void *arg);

/* The vcpu_info of the vCPU running this code. */
static inline volatile struct vcpu_info *this_vcpu_info(void)
{
    return &shared_info->vcpu_info[percpu_vcpu_id()];
}

void events_init(void);

/* A VIRQ of vCPU 0 (a global VIRQ, or vCPU 0's per-vCPU one). */
long evtchn_bind_virq(uint32_t virq, evtchn_handler_fn fn, void *arg);
/* A per-vCPU VIRQ (VIRQ_TIMER) of `vcpu`, handled there. */
long evtchn_bind_virq_vcpu(uint32_t virq, uint32_t vcpu, evtchn_handler_fn fn, void *arg);
/* An IPI port notifying `vcpu` of this domain, its handler run there. */
long evtchn_bind_ipi(uint32_t vcpu, evtchn_handler_fn fn, void *arg);
/* Notify and handle `port` (interdomain, unbound, global VIRQ) on `vcpu`
   from now on (EVTCHNOP_bind_vcpu); an event pending meanwhile follows it. */
long evtchn_bind_vcpu(evtchn_port_t port, uint32_t vcpu);
/* The vCPU that handles `port`. */
unsigned evtchn_vcpu_of(evtchn_port_t port);
/* A fresh unbound port of ours that domain `remote` may bind to. */
long evtchn_alloc_unbound(domid_t remote, evtchn_handler_fn fn, void *arg);
/* Connect to remote's unbound port `remote_port` (offered to us). */
long evtchn_bind_interdomain(domid_t remote, evtchn_port_t remote_port, evtchn_handler_fn fn,
                             void *arg);
/*
 * dom0 only: an unbound port in domain `dom` for `remote` to bind (the
 * toolstack allocates a new domU's console and xenstore ports this way).
 * No handler: the port is not ours.
 */
long evtchn_alloc_unbound_for(domid_t dom, domid_t remote);

/* Handle a port bound for us by the builder (start_info's store and
   console ports): install fn, unmask; the port or -errno. */
long evtchn_attach(evtchn_port_t port, evtchn_handler_fn fn, void *arg);
/* Raise the event at the other end (EVTCHNOP_send). */
long evtchn_notify(evtchn_port_t port);
/* Mask locally; unmask through the hypervisor (re-delivers a pending event). */
void evtchn_mask(evtchn_port_t port);
long evtchn_unmask(evtchn_port_t port);
/* Mask, close and forget the handler. */
long evtchn_close(evtchn_port_t port);
/* EVTCHNOP_status of one of our ports (st->status etc.). */
long evtchn_status(evtchn_port_t port, struct evtchn_status *st);

/* Ports seen since boot (handled or not), and those without a handler. */
uint64_t events_seen(void);
uint64_t events_unhandled(void);

/* Called from entry.S. */
void event_upcall(struct trap_frame *f);
void events_force_callback(void);

static inline unsigned irq_save(void)
{
    volatile struct vcpu_info *v = this_vcpu_info();
    unsigned old = v->evtchn_upcall_mask;
    v->evtchn_upcall_mask = 1;
    barrier();
    return old;
}

static inline void irq_restore(unsigned old)
{
    volatile struct vcpu_info *v = this_vcpu_info();
    barrier();
    v->evtchn_upcall_mask = (uint8_t)old;
    barrier();
    if (old == 0 && v->evtchn_upcall_pending)
        events_force_callback();
}

static inline void irq_enable(void)
{
    irq_restore(0);
}

static inline bool irq_disabled(void)
{
    return this_vcpu_info()->evtchn_upcall_mask != 0;
}

#endif /* PVG_GUEST_EVENTS_H */
