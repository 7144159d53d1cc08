/*
 * Xenia guest ABI: event channels, event_channel_op(cmd, arg) (#32).
 *
 * A port is one pending bit plus one mask bit in the domain's 2-level
 * bitmaps (shared_info.evtchn_pending / evtchn_mask, 4096 ports). A channel
 * is in one of the EVTCHNSTAT_* states. Port 0 is reserved and never
 * bound.
 *
 * Operation summary (IN fields are read, OUT fields written on success):
 *  alloc_unbound    new port in `dom` (DOMID_SELF unless privileged) that
 *                   `remote_dom` may bind to.
 *  bind_interdomain connect a fresh local port to an unbound port of
 *                   remote_dom that accepts the caller.
 *  bind_virq        fresh port for VIRQ `virq` on vCPU `vcpu`.
 *  bind_pirq        fresh port for a physical IRQ (privileged).
 *  bind_ipi         fresh port that notifies `vcpu` of this domain.
 *  close            free the port; an interdomain peer falls back to unbound.
 *  send             raise the event at the other end of `port`.
 *  status           describe <dom, port>.
 *  bind_vcpu        move notifications of `port` to `vcpu` (not for IPIs
 *                   and per-vCPU VIRQs).
 *  unmask           clear the mask bit and deliver if pending.
 *  reset            close every port of `dom`.
 *  init_control,    FIFO event ABI; a hypervisor may refuse them and the
 *  expand_array,    guest falls back to the 2-level ABI.
 *  set_priority
 */
#ifndef XENIA_PUBLIC_EVENT_CHANNEL_H
#define XENIA_PUBLIC_EVENT_CHANNEL_H

#include <stdint.h>

#include "xen.h"

typedef uint32_t evtchn_port_t;

#define EVTCHN_2L_NR_CHANNELS 4096

#define EVTCHNOP_bind_interdomain  0
#define EVTCHNOP_bind_virq         1
#define EVTCHNOP_bind_pirq         2
#define EVTCHNOP_close             3
#define EVTCHNOP_send              4
#define EVTCHNOP_status            5
#define EVTCHNOP_alloc_unbound     6
#define EVTCHNOP_bind_ipi          7
#define EVTCHNOP_bind_vcpu         8
#define EVTCHNOP_unmask            9
#define EVTCHNOP_reset            10
#define EVTCHNOP_init_control     11
#define EVTCHNOP_expand_array     12
#define EVTCHNOP_set_priority     13

#define EVTCHNSTAT_closed       0
#define EVTCHNSTAT_unbound      1
#define EVTCHNSTAT_interdomain  2
#define EVTCHNSTAT_pirq         3
#define EVTCHNSTAT_virq         4
#define EVTCHNSTAT_ipi          5

struct evtchn_alloc_unbound {
    domid_t dom;                /* IN */
    domid_t remote_dom;         /* IN */
    evtchn_port_t port;         /* OUT */
};
XENIA_ABI_SIZE(struct evtchn_alloc_unbound, 8);
XENIA_ABI_OFFSET(struct evtchn_alloc_unbound, dom, 0);
XENIA_ABI_OFFSET(struct evtchn_alloc_unbound, remote_dom, 2);
XENIA_ABI_OFFSET(struct evtchn_alloc_unbound, port, 4);

struct evtchn_bind_interdomain {
    domid_t remote_dom;         /* IN */
    uint16_t pad0;
    evtchn_port_t remote_port;  /* IN */
    evtchn_port_t local_port;   /* OUT */
};
XENIA_ABI_SIZE(struct evtchn_bind_interdomain, 12);
XENIA_ABI_OFFSET(struct evtchn_bind_interdomain, remote_dom, 0);
XENIA_ABI_OFFSET(struct evtchn_bind_interdomain, remote_port, 4);
XENIA_ABI_OFFSET(struct evtchn_bind_interdomain, local_port, 8);

struct evtchn_bind_virq {
    uint32_t virq;              /* IN: VIRQ_* */
    uint32_t vcpu;              /* IN */
    evtchn_port_t port;         /* OUT */
};
XENIA_ABI_SIZE(struct evtchn_bind_virq, 12);
XENIA_ABI_OFFSET(struct evtchn_bind_virq, virq, 0);
XENIA_ABI_OFFSET(struct evtchn_bind_virq, vcpu, 4);
XENIA_ABI_OFFSET(struct evtchn_bind_virq, port, 8);

#define BIND_PIRQ__WILL_SHARE 1

struct evtchn_bind_pirq {
    uint32_t pirq;              /* IN */
    uint32_t flags;             /* IN: BIND_PIRQ__* */
    evtchn_port_t port;         /* OUT */
};
XENIA_ABI_SIZE(struct evtchn_bind_pirq, 12);
XENIA_ABI_OFFSET(struct evtchn_bind_pirq, pirq, 0);
XENIA_ABI_OFFSET(struct evtchn_bind_pirq, flags, 4);
XENIA_ABI_OFFSET(struct evtchn_bind_pirq, port, 8);

struct evtchn_bind_ipi {
    uint32_t vcpu;              /* IN */
    evtchn_port_t port;         /* OUT */
};
XENIA_ABI_SIZE(struct evtchn_bind_ipi, 8);
XENIA_ABI_OFFSET(struct evtchn_bind_ipi, vcpu, 0);
XENIA_ABI_OFFSET(struct evtchn_bind_ipi, port, 4);

struct evtchn_close {
    evtchn_port_t port;         /* IN */
};
XENIA_ABI_SIZE(struct evtchn_close, 4);

struct evtchn_send {
    evtchn_port_t port;         /* IN */
};
XENIA_ABI_SIZE(struct evtchn_send, 4);

struct evtchn_status {
    domid_t dom;                /* IN */
    uint16_t pad0;
    evtchn_port_t port;         /* IN */
    uint32_t status;            /* OUT: EVTCHNSTAT_* */
    uint32_t vcpu;              /* OUT: vCPU notified */
    union {                     /* OUT, by status: */
        struct {
            domid_t dom;
        } unbound;              /* who may bind */
        struct {
            domid_t dom;
            uint16_t pad0;
            evtchn_port_t port;
        } interdomain;          /* the peer */
        uint32_t pirq;
        uint32_t virq;
    } u;
};
XENIA_ABI_SIZE(struct evtchn_status, 24);
XENIA_ABI_OFFSET(struct evtchn_status, dom, 0);
XENIA_ABI_OFFSET(struct evtchn_status, port, 4);
XENIA_ABI_OFFSET(struct evtchn_status, status, 8);
XENIA_ABI_OFFSET(struct evtchn_status, vcpu, 12);
XENIA_ABI_OFFSET(struct evtchn_status, u, 16);
XENIA_ABI_OFFSET(struct evtchn_status, u.interdomain.dom, 16);
XENIA_ABI_OFFSET(struct evtchn_status, u.interdomain.port, 20);

struct evtchn_bind_vcpu {
    evtchn_port_t port;         /* IN */
    uint32_t vcpu;              /* IN */
};
XENIA_ABI_SIZE(struct evtchn_bind_vcpu, 8);
XENIA_ABI_OFFSET(struct evtchn_bind_vcpu, port, 0);
XENIA_ABI_OFFSET(struct evtchn_bind_vcpu, vcpu, 4);

struct evtchn_unmask {
    evtchn_port_t port;         /* IN */
};
XENIA_ABI_SIZE(struct evtchn_unmask, 4);

struct evtchn_reset {
    domid_t dom;                /* IN */
};
XENIA_ABI_SIZE(struct evtchn_reset, 2);

struct evtchn_init_control {
    uint64_t control_gfn;       /* IN: frame holding the control block */
    uint32_t offset;            /* IN: its offset in that frame */
    uint32_t vcpu;              /* IN */
    uint8_t  link_bits;         /* OUT */
    uint8_t  pad0[7];
};
XENIA_ABI_SIZE(struct evtchn_init_control, 24);
XENIA_ABI_OFFSET(struct evtchn_init_control, control_gfn, 0);
XENIA_ABI_OFFSET(struct evtchn_init_control, offset, 8);
XENIA_ABI_OFFSET(struct evtchn_init_control, vcpu, 12);
XENIA_ABI_OFFSET(struct evtchn_init_control, link_bits, 16);

struct evtchn_expand_array {
    uint64_t array_gfn;         /* IN */
};
XENIA_ABI_SIZE(struct evtchn_expand_array, 8);

struct evtchn_set_priority {
    evtchn_port_t port;         /* IN */
    uint32_t priority;          /* IN */
};
XENIA_ABI_SIZE(struct evtchn_set_priority, 8);
XENIA_ABI_OFFSET(struct evtchn_set_priority, priority, 4);

#endif /* XENIA_PUBLIC_EVENT_CHANNEL_H */
