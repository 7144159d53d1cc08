/* Event channels: per-domain tables and delivery (common/event_channel.c). */
#ifndef XENIA_EVENT_H
#define XENIA_EVENT_H

#include <xenia/domain.h>

int evtchn_domain_init(struct domain *d);
/* 0 when the table is gone, -ERESTART to be called again. */
int evtchn_domain_destroy(struct domain *d);
/* Raise VIRQ `virq` for vCPU `vcpu` of d (global VIRQs: any vCPU id). */
void send_guest_virq(struct domain *d, uint32_t virq, uint32_t vcpu);
long do_event_channel_op(uint64_t cmd, uint64_t arg);

#endif
