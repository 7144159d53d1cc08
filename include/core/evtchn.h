/*
 * Event channels: the per-domain port table and 2-level delivery (pure core).
 *
 * A domain owns one struct evtchn_table: EVTCHN_NR_PORTS ports, each in one
 * of the states below, plus a map (vCPU, VIRQ) -> port. This module is the
 * state machine of EVTCHNOP_* (public/event_channel.h) without hypercall
 * decoding, locking or scheduling; the hypervisor glue and the host unit
 * tests both link it. It allocates nothing and finds other domains' tables
 * only through a struct evtchn_env that the caller provides.
 *
 * States of a port (struct evtchn_chan):
 *   FREE         not in use. Port 0 is reserved: always FREE, never
 *                allocated, and refused (-EINVAL) by every operation.
 *   UNBOUND      waiting for domain `domid` to bind to it.
 *   INTERDOMAIN  connected to port `port` of domain `domid`.
 *   VIRQ         receives VIRQ `virq`; per-vCPU VIRQs on vCPU `vcpu`,
 *                global ones bound through vCPU 0 (evtchn_virq_is_global).
 *   IPI          a domain-internal doorbell notifying vCPU `vcpu`.
 * `vcpu` is, in every bound state, the vCPU notified (bind_vcpu moves it
 * for UNBOUND, INTERDOMAIN and global-VIRQ ports); a freed port goes back
 * to vCPU 0.
 *
 *           alloc_unbound           bind_interdomain (by `domid`)
 *   FREE ------------------> UNBOUND ----------------> INTERDOMAIN
 *    ^  \  bind_virq/bind_ipi   |  ^   peer closes its end    |
 *    |   `-> VIRQ / IPI         |  `--------------------------'
 *    |          | close         | close                       | close
 *    `----------+---------------+-----------------------------'
 * (bind_interdomain also takes the binder's new port from FREE straight
 * to INTERDOMAIN; closing either end of a channel frees that end and
 * sends the other back to UNBOUND, waiting for the closer.)
 *
 * Invariants (tests/unit/evtchn_model_test.c recomputes them after every
 * operation):
 *   1. INTERDOMAIN port p of domain A names (B, q) iff port q of B is
 *      INTERDOMAIN naming (A, p); both tables exist (lookup finds them).
 *   2. virq_port[v][virq] == p != 0 iff port p is VIRQ with that virq, and
 *      v is 0 for a global VIRQ, the port's `vcpu` for a per-vCPU one.
 *   3. nr_used is the number of ports not FREE; a FREE port is all zeros.
 *   4. No port below free_hint (and above 0) is FREE.
 *   5. A dying table gains no port: allocation in it fails (-EINVAL) and
 *      binding to it fails (-ESRCH), so evtchn_destroy() terminates.
 *
 * Errors (validation first: on any error nothing has changed):
 *   -XEN_EINVAL  port 0, port >= EVTCHN_NR_PORTS, port in the wrong state,
 *                remote port not UNBOUND for the caller, VIRQ out of range
 *                or global on a vCPU other than 0, table dying
 *   -XEN_ENOENT  vCPU out of range
 *   -XEN_ESRCH   remote domain unknown or dying
 *   -XEN_EEXIST  VIRQ already bound on that vCPU
 *   -XEN_ENOSPC  no free port
 *   -XEN_ERESTART evtchn_destroy() ran out of budget: call it again
 * Nothing a guest or a peer controls reaches BUG_ON; BUG_ON guards only the
 * invariants above and the arguments the glue itself computes (nr_vcpus,
 * the domid of a new table, ports passed to the 2-level functions).
 *
 * Locking (the glue's job): every function below reads or writes only the
 * table it is given and, for bind_interdomain/close/send/reset/destroy, the
 * table of the peer domain found through env->lookup. The caller must hold
 * what serializes both (one global event lock, or per-table locks taken in
 * domid order; evtchn_peer() tells which peer a port involves before the
 * operation). The 2-level functions touch only guest-shared words, with
 * atomic operations, and need no lock.
 *
 * Glue duties:
 *   - resolve DOMID_SELF before calling; check privilege for a foreign
 *     `dom` (alloc_unbound, status, reset);
 *   - after bind_interdomain: mark the new local port pending (on its
 *     notify vCPU, 0), as Xen does: notifications sent to the remote port
 *     while it was UNBOUND were dropped;
 *   - deliver a struct evtchn_target with evtchn_2l_set_pending() on the
 *     target table's shared_info and the target vCPU's vcpu_info; kick the
 *     vCPU on EVTCHN_2L_KICK (the upcall itself is bounced at the next exit
 *     to the guest, only while evtchn_upcall_mask is clear); wake pollers
 *     of the port on EVTCHN_2L_NEWLY_PENDING; throttle senders;
 *   - env->port_freed (optional) clears the pending bit of a freed port
 *     (evtchn_2l_clear_pending), so a rebound port starts clean;
 *   - domain destruction: call evtchn_destroy() until it returns 0 (it is
 *     preemptible), and only then remove the table from env->lookup and
 *     free it. A table for a reused domain id starts from evtchn_table_init
 *     and inherits nothing. (Ports of other domains left UNBOUND for the old
 *     id stay so, as in Xen: a new domain with that id may bind them.)
 */
#ifndef XENIA_CORE_EVTCHN_H
#define XENIA_CORE_EVTCHN_H

#include "core/env.h"
#include "public/event_channel.h"
#include "public/xen.h"

#define EVTCHN_NR_PORTS EVTCHN_2L_NR_CHANNELS   /* 4096 */
#define EVTCHN_MAX_VCPUS XEN_LEGACY_MAX_VCPUS   /* 32: vcpu_info in shared_info */

enum evtchn_state {
    EVTCHN_FREE = 0,
    EVTCHN_UNBOUND,
    EVTCHN_INTERDOMAIN,
    EVTCHN_VIRQ,
    EVTCHN_IPI,
};

/* One port: 8 bytes, the table holds 4096 of them (32 KiB per domain). */
struct evtchn_chan {
    uint8_t state;       /* enum evtchn_state */
    uint8_t vcpu;        /* vCPU notified */
    uint16_t domid;      /* UNBOUND: who may bind; INTERDOMAIN: the peer */
    uint16_t port;       /* INTERDOMAIN: the peer's port */
    uint8_t virq;        /* VIRQ: which */
    uint8_t pad;
};
_Static_assert(sizeof(struct evtchn_chan) == 8, "evtchn_chan stays small");

struct evtchn_table {
    uint16_t domid;
    uint16_t nr_vcpus;       /* valid vCPU ids: 0 .. nr_vcpus - 1 */
    uint16_t nr_used;        /* ports not FREE */
    uint16_t free_hint;      /* no FREE port in 1 .. free_hint - 1 */
    uint16_t destroy_next;   /* evtchn_destroy(): next port to close */
    bool dying;              /* evtchn_destroy() started */
    uint16_t virq_port[EVTCHN_MAX_VCPUS][NR_VIRQS];   /* 0: not bound */
    struct evtchn_chan chan[EVTCHN_NR_PORTS];
};

/* How the core reaches other domains. */
struct evtchn_env {
    /* The table of domain `domid`, NULL if there is none. Must keep
     * returning a dying table until evtchn_destroy() has returned 0. */
    struct evtchn_table *(*lookup)(void *ctx, uint16_t domid);
    /* Optional: port `port` of `t` has just become FREE. */
    void (*port_freed)(void *ctx, struct evtchn_table *t, evtchn_port_t port);
    void *ctx;
};

/* Where a notification goes: mark `port` pending in `table`'s domain and
 * notify its vCPU `vcpu`. table == NULL: nothing to deliver. */
struct evtchn_target {
    struct evtchn_table *table;
    evtchn_port_t port;
    uint32_t vcpu;
};

/* ---- Table ---- */

/* Every port FREE, no VIRQ bound. domid < DOMID_FIRST_RESERVED and
 * 1 <= nr_vcpus <= EVTCHN_MAX_VCPUS (glue bugs otherwise: BUG_ON). */
void evtchn_table_init(struct evtchn_table *t, uint16_t domid, unsigned nr_vcpus);

/* Per-vCPU VIRQs (TIMER, DEBUG, XENOPROF, XENPMU) are false; every other
 * VIRQ below NR_VIRQS is global (x86: VIRQ_ARCH_* too). */
bool evtchn_virq_is_global(uint32_t virq);

/* The domain an operation on `port` would also touch: the peer of an
 * INTERDOMAIN port, else t->domid (also for invalid ports). For locking. */
uint16_t evtchn_peer(const struct evtchn_table *t, evtchn_port_t port);

/* ---- Operations: a port number (>= 1), 0 or a negative errno ---- */

/* A new UNBOUND port that `remote_domid` may bind (-EINVAL for a reserved
 * id, e.g. an unresolved DOMID_SELF). */
int evtchn_alloc_unbound(struct evtchn_table *t, uint16_t remote_domid);

/* Connect a new local port to `remote_port` of `remote_domid`, which must be
 * UNBOUND for t->domid (binding to oneself is allowed). Both ends change
 * together. The glue then marks the returned port pending (see above). */
int evtchn_bind_interdomain(const struct evtchn_env *env, struct evtchn_table *t,
                            uint16_t remote_domid, evtchn_port_t remote_port);

/* A new VIRQ port for `virq` on `vcpu` (global VIRQs: vcpu must be 0). */
int evtchn_bind_virq(struct evtchn_table *t, uint32_t virq, uint32_t vcpu);

/* A new IPI port notifying `vcpu`. */
int evtchn_bind_ipi(struct evtchn_table *t, uint32_t vcpu);

/* Free `port`. INTERDOMAIN: the peer's end goes back to UNBOUND for
 * t->domid, keeping its vCPU. VIRQ: unbound from the VIRQ map. */
int evtchn_close(const struct evtchn_env *env, struct evtchn_table *t, evtchn_port_t port);

/* Fill the OUT fields of *st (status, vcpu, u) for `port` (FREE ports:
 * EVTCHNSTAT_closed). The IN fields dom/port are left as they are. */
int evtchn_status(const struct evtchn_table *t, evtchn_port_t port, struct evtchn_status *st);

/* Where a send on `port` goes: INTERDOMAIN -> the peer's port and vCPU
 * (nothing if the peer is dying); IPI -> this port, its vCPU; UNBOUND ->
 * dropped (0, out->table NULL). FREE and VIRQ: -EINVAL, as in Xen. O(1). */
int evtchn_send(const struct evtchn_env *env, struct evtchn_table *t, evtchn_port_t port,
                struct evtchn_target *out);

/* Notify `vcpu` for `port` from now on: UNBOUND, INTERDOMAIN and global
 * VIRQ ports; IPI and per-vCPU VIRQ ports: -EINVAL. */
int evtchn_bind_vcpu(struct evtchn_table *t, evtchn_port_t port, uint32_t vcpu);

/* Check an unmask of `port` (any state but FREE) and say which vCPU's
 * vcpu_info evtchn_2l_unmask() must use. */
int evtchn_unmask(struct evtchn_table *t, evtchn_port_t port, struct evtchn_target *out);

/* Where VIRQ `virq` raised for `vcpu` goes (for a global VIRQ `vcpu` is
 * ignored: vCPU 0's binding, delivered to the port's vCPU). -ENOENT when
 * nothing is bound (drop it), -EINVAL for a VIRQ or vCPU out of range. */
int evtchn_virq_target(struct evtchn_table *t, uint32_t virq, uint32_t vcpu,
                       struct evtchn_target *out);

/* EVTCHNOP_reset: close every port (at most 4095 closes; not preemptible,
 * the table stays usable). */
void evtchn_reset(const struct evtchn_env *env, struct evtchn_table *t);

/* Domain destruction: mark the table dying, then close ports, examining at
 * most `budget` (>= 1 used) per call. -XEN_ERESTART: call again (other
 * operations may run in between; peers stay consistent); 0: every port is
 * FREE and no other table refers to this one. */
int evtchn_destroy(const struct evtchn_env *env, struct evtchn_table *t, unsigned budget);

/* ---- 2-level delivery on the guest-shared words ----
 * The guest writes these words at any time: each is read once, with an
 * atomic operation, and decisions use only the value that operation saw.
 * `vi` is the vcpu_info of the vCPU to notify (wherever the guest
 * registered it); `port` must be < EVTCHN_NR_PORTS (BUG_ON). */

#define EVTCHN_2L_NEWLY_PENDING 1u   /* pending bit went 0 -> 1: wake pollers */
#define EVTCHN_2L_KICK 2u            /* upcall_pending went 0 -> 1: kick the vCPU */

/* Set the pending bit; if it was clear and the port is not masked, set the
 * selector bit port/64 of `vi`; if that was clear, set upcall_pending.
 * Returns EVTCHN_2L_* flags. */
unsigned evtchn_2l_set_pending(struct shared_info *si, struct vcpu_info *vi, evtchn_port_t port);

/* Clear the mask bit; if it was set and the port is pending, run the
 * selector step as above. Returns 0 or EVTCHN_2L_KICK. */
unsigned evtchn_2l_unmask(struct shared_info *si, struct vcpu_info *vi, evtchn_port_t port);

void evtchn_2l_clear_pending(struct shared_info *si, evtchn_port_t port);
bool evtchn_2l_is_pending(struct shared_info *si, evtchn_port_t port);
bool evtchn_2l_is_masked(struct shared_info *si, evtchn_port_t port);

#endif /* XENIA_CORE_EVTCHN_H */
