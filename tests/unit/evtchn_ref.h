/*
 * Reference model of the event channel tables for the randomized test:
 * plain arrays and the rules of core/evtchn.h written again, independently
 * of the module (no shared helper, its own list of global VIRQs). Each
 * ref_* operation returns what the module must return and applies the
 * same change to the model; ref_differs() compares the model with a world.
 */
#ifndef XENIA_TESTS_EVTCHN_REF_H
#define XENIA_TESTS_EVTCHN_REF_H

#include "evtchn_world.h"

#define REF_NDOM 4

enum { M_FREE, M_UNBOUND, M_INTER, M_VIRQ, M_IPI };

struct mport {
    int state;
    unsigned vcpu;
    unsigned dom;       /* UNBOUND: allowed binder; INTER: peer */
    unsigned rport;     /* INTER */
    unsigned virq;      /* VIRQ */
};

struct mdom {
    bool present, dying;
    uint16_t domid;
    unsigned nr_vcpus;
    unsigned cursor;                  /* destruction: next port to close */
    struct mport port[EVTCHN_NR_PORTS];
    unsigned virq[EVTCHN_MAX_VCPUS][NR_VIRQS];
};

struct mref {
    struct mdom dom[REF_NDOM];
};

bool ref_global(unsigned virq);
struct mdom *ref_find(struct mref *m, unsigned domid);
bool ref_used(const struct mdom *d, uint32_t port);
int ref_alloc_unbound(struct mdom *d, unsigned rdom);
int ref_bind_interdomain(struct mref *m, struct mdom *d, unsigned rdom, uint32_t rport);
int ref_bind_virq(struct mdom *d, uint32_t virq, uint32_t vcpu);
int ref_bind_ipi(struct mdom *d, uint32_t vcpu);
int ref_close(struct mref *m, struct mdom *d, uint32_t port);
/* 0 with *tdom = -1: dropped; else the target. */
int ref_send(struct mref *m, struct mdom *d, uint32_t port, int *tdom, unsigned *tport,
             unsigned *tvcpu);
int ref_bind_vcpu(struct mdom *d, uint32_t port, uint32_t vcpu);
void ref_reset(struct mref *m, struct mdom *d);
/* One evtchn_destroy() call with `budget`: 0 when done, else -ERESTART. */
int ref_destroy(struct mref *m, struct mdom *d, unsigned budget);
/* NULL if `w` matches the model port by port, else what differs. */
const char *ref_differs(const struct mref *m, struct ew *w);

#endif
