/*
 * Event channels (2-level ABI) and the upcall mask.
 *
 * The kernel runs with events enabled (vcpu_info.evtchn_upcall_mask = 0)
 * once setup is done; the hypervisor masks them on entry to every callback
 * and trap handler, and the iret that ends the handler restores the mask.
 * Code that must not be interrupted by an upcall uses irq_save() /
 * irq_restore(); restoring an unmasked state with an upcall pending forces
 * its delivery with a harmless hypercall (the hypervisor delivers pending
 * events on its way back to the guest).
 *
 * Upcall handling: clear upcall_pending, take pending_sel with xchg, then
 * for each selected word handle the pending and unmasked ports, clearing
 * each pending bit before calling the port's handler.
 */
#ifndef PVG_GUEST_EVENTS_H
#define PVG_GUEST_EVENTS_H

#include <stdint.h>

#include "arch/cpu.h"
#include "arch/traps.h"
#include "guest/kernel.h"
#include "public/event_channel.h"

#define EVTCHN_MAX_PORTS (XEN_EVTCHN_2L_WORDS * 64)

typedef void (*evtchn_handler_fn)(evtchn_port_t port, struct trap_frame *f, void *arg);

void events_init(void);
/* Bind a VIRQ on vCPU 0 to a handler and unmask it; the port or -errno. */
long evtchn_bind_virq(uint32_t virq, evtchn_handler_fn fn, void *arg);
long evtchn_unmask(evtchn_port_t port);
/* Ports seen since boot (handled or not). */
uint64_t events_seen(void);
/* Called from entry.S. */
void event_upcall(struct trap_frame *f);
void events_force_callback(void);

static inline unsigned irq_save(void)
{
    volatile struct vcpu_info *v = vcpu_info0();
    unsigned old = v->evtchn_upcall_mask;
    v->evtchn_upcall_mask = 1;
    barrier();
    return old;
}

static inline void irq_restore(unsigned old)
{
    volatile struct vcpu_info *v = vcpu_info0();
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

#endif /* PVG_GUEST_EVENTS_H */
