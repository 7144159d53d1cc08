/*
 * Event channels from the guest side: a loopback interdomain channel
 * (alloc_unbound + bind_interdomain to ourselves) starts with the bound
 * end pending (as Xen does) and carries notifications both ways to the
 * right handlers; a masked port keeps its event pending
 * until unmask delivers it; events raised under irq_save() arrive once, at
 * irq_restore(); an IPI port notifies us; status reports every state;
 * VIRQ_TIMER wakes a sleep. Hostile: ports 0, unallocated, out of range,
 * a second bind of the same VIRQ, binding a port that is not unbound or of
 * a domain that does not exist, closing twice; allocating until the table
 * is full ends in -ENOSPC and closing them all gives every port back.
 * Without event channels (-ENOSYS) the test is SKIP.
 */
#include "test.h"
#include "arch/hypercall.h"
#include "guest/events.h"
#include "guest/kernel.h"
#include "guest/thread.h"
#include "guest/time.h"

const char test_title[] = "evtchn: loopback, masking, IPI, status, hostile ports";

static unsigned hits[EVTCHN_MAX_PORTS];
static evtchn_port_t last_port;

static void count(evtchn_port_t port, struct trap_frame *f, void *arg)
{
    (void)f, (void)arg;
    hits[port]++;
    last_port = port;
}

static void settle(void)
{
    /* Events are delivered on the way back from any hypercall. */
    events_force_callback();
}

static long op(unsigned cmd, void *arg)
{
    return HYPERVISOR_event_channel_op(cmd, arg);
}

static void hostile(evtchn_port_t unbound)
{
    struct evtchn_send send = { .port = 0 };
    struct evtchn_close cl = { .port = 0 };
    struct evtchn_unmask um = { .port = EVTCHN_2L_NR_CHANNELS };
    struct evtchn_bind_virq bv = { .virq = VIRQ_TIMER, .vcpu = 0 };
    struct evtchn_bind_virq bad_virq = { .virq = NR_VIRQS, .vcpu = 0 };
    struct evtchn_bind_virq bad_vcpu = { .virq = VIRQ_DEBUG, .vcpu = 4096 };
    struct evtchn_bind_interdomain bi = { .remote_dom = DOMID_SELF, .remote_port = 0 };
    struct evtchn_bind_interdomain nodom = { .remote_dom = 0x7000, .remote_port = 1 };
    struct evtchn_alloc_unbound foreign = { .dom = 0x7000, .remote_dom = 0 };

    test_check(op(EVTCHNOP_send, &send) == -XEN_EINVAL, "send on port 0");
    send.port = 4000;
    test_check(op(EVTCHNOP_send, &send) == -XEN_EINVAL, "send on an unallocated port");
    send.port = 1u << 20;
    test_check(op(EVTCHNOP_send, &send) == -XEN_EINVAL, "send beyond the table");
    test_check(op(EVTCHNOP_close, &cl) == -XEN_EINVAL, "close port 0");
    cl.port = 4000;
    test_check(op(EVTCHNOP_close, &cl) == -XEN_EINVAL, "close an unallocated port");
    test_check(op(EVTCHNOP_unmask, &um) == -XEN_EINVAL, "unmask beyond the table");
    test_check(op(EVTCHNOP_bind_virq, &bv) == -XEN_EEXIST, "VIRQ_TIMER bound twice");
    test_check(op(EVTCHNOP_bind_virq, &bad_virq) == -XEN_EINVAL, "VIRQ out of range");
    test_check(op(EVTCHNOP_bind_virq, &bad_vcpu) != 0, "VIRQ on a vCPU that does not exist");
    test_check(op(EVTCHNOP_bind_interdomain, &bi) == -XEN_EINVAL, "bind_interdomain to port 0");
    bi.remote_port = 4000;
    test_check(op(EVTCHNOP_bind_interdomain, &bi) == -XEN_EINVAL,
               "bind_interdomain to an unallocated port");
    test_check(op(EVTCHNOP_bind_interdomain, &nodom) == -XEN_ESRCH,
               "bind_interdomain to a domain that does not exist");
    test_check(op(EVTCHNOP_alloc_unbound, &foreign) == -XEN_ESRCH,
               "alloc_unbound in a domain that does not exist");
    (void)unbound;
}

/* Fill the table with unbound ports, then give them all back. */
static void exhaust(void)
{
    static evtchn_port_t ports[EVTCHN_2L_NR_CHANNELS];
    unsigned n = 0;
    long rc;

    while (n < EVTCHN_2L_NR_CHANNELS && (rc = evtchn_alloc_unbound_for(DOMID_SELF, 0)) >= 0)
        ports[n++] = (evtchn_port_t)rc;
    test_check(n < EVTCHN_2L_NR_CHANNELS && rc == -XEN_ENOSPC,
               "allocating %u ports ended with %ld, not -ENOSPC", n, rc);
    unsigned closed = 0;
    for (unsigned i = 0; i < n; i++) {
        struct evtchn_close cl = { .port = ports[i] };
        closed += op(EVTCHNOP_close, &cl) == 0;
    }
    test_check(closed == n, "closed %u of %u ports", closed, n);
    rc = evtchn_alloc_unbound_for(DOMID_SELF, 0);
    test_check(rc > 0, "a port after giving them back: %ld", rc);
    if (rc > 0) {
        struct evtchn_close cl = { .port = (evtchn_port_t)rc };
        (void)op(EVTCHNOP_close, &cl);
    }
    test_note("%u ports until the table was full", n);
}

enum test_result test_main(void)
{
    struct evtchn_status st;

    long a = evtchn_alloc_unbound(DOMID_SELF, count, NULL);
    if (a == -XEN_ENOSYS) {
        test_note("event channels are not implemented (-ENOSYS)");
        return TEST_SKIP;
    }
    if (!test_check(a > 0, "alloc_unbound: %ld", a))
        return TEST_FAILURE;
    test_check(evtchn_status((evtchn_port_t)a, &st) == 0 && st.status == EVTCHNSTAT_unbound,
               "status of a fresh unbound port: %u", st.status);
    long b = evtchn_bind_interdomain(DOMID_SELF, (evtchn_port_t)a, count, NULL);
    if (!test_check(b > 0 && b != a, "bind_interdomain: %ld", b))
        return TEST_FAILURE;
    test_check(evtchn_status((evtchn_port_t)b, &st) == 0 &&
                   st.status == EVTCHNSTAT_interdomain && st.u.interdomain.port == (uint32_t)a,
               "status of the bound end: %u peer %u", st.status, st.u.interdomain.port);
    test_check(evtchn_status((evtchn_port_t)a, &st) == 0 &&
                   st.status == EVTCHNSTAT_interdomain && st.u.interdomain.port == (uint32_t)b,
               "status of the offered end: %u peer %u", st.status, st.u.interdomain.port);

    /* As in Xen, the freshly bound end starts pending (an event the peer
       sent before the bind is not lost): one event on b, none on a. */
    settle();
    test_check(hits[b] == 1 && hits[a] == 0, "after the bind: a %u, b %u events", hits[a],
               hits[b]);

    /* Both ways, to the right handler. */
    test_check(evtchn_notify((evtchn_port_t)b) == 0, "notify b");
    settle();
    test_check(hits[a] == 1 && last_port == a, "notify on b reached a: %u", hits[a]);
    test_check(evtchn_notify((evtchn_port_t)a) == 0, "notify a");
    settle();
    test_check(hits[b] == 2 && last_port == b, "notify on a reached b: %u", hits[b] - 1);

    /* Repeated sends while masked collapse into one pending event. */
    evtchn_mask((evtchn_port_t)a);
    for (int i = 0; i < 3; i++)
        (void)evtchn_notify((evtchn_port_t)b);
    settle();
    test_check(hits[a] == 1, "a masked port's handler ran");
    test_check(shared_info->evtchn_pending[a / 64] & (1ULL << (a % 64)),
               "the masked port is not pending");
    test_check(evtchn_unmask((evtchn_port_t)a) == 0, "unmask");
    settle();
    test_check(hits[a] == 2, "unmask delivered %u events, not 1", hits[a] - 1);

    /* The upcall mask holds delivery back until irq_restore. */
    unsigned flags = irq_save();
    (void)evtchn_notify((evtchn_port_t)b);
    settle();
    unsigned held = hits[a];
    irq_restore(flags);
    test_check(held == 2 && hits[a] == 3, "under irq_save: %u, after: %u", held, hits[a]);

    long ipi = evtchn_bind_ipi(0, count, NULL);
    test_check(ipi > 0, "bind_ipi: %ld", ipi);
    if (ipi > 0) {
        test_check(evtchn_status((evtchn_port_t)ipi, &st) == 0 && st.status == EVTCHNSTAT_ipi,
                   "status of the IPI port: %u", st.status);
        (void)evtchn_notify((evtchn_port_t)ipi);
        settle();
        test_check(hits[ipi] == 1, "IPI delivered %u times", hits[ipi]);
        test_check(evtchn_close((evtchn_port_t)ipi) == 0, "close the IPI port");
    }

    /* Closing one end leaves the other unbound, as in Xen. */
    test_check(evtchn_close((evtchn_port_t)b) == 0, "close b");
    test_check(evtchn_status((evtchn_port_t)a, &st) == 0 && st.status == EVTCHNSTAT_unbound,
               "a after its peer closed: %u", st.status);
    test_check(evtchn_status((evtchn_port_t)b, &st) == 0 && st.status == EVTCHNSTAT_closed,
               "b after close: %u", st.status);
    test_check(evtchn_notify((evtchn_port_t)b) == -XEN_EINVAL, "send on a closed port");
    test_check(evtchn_close((evtchn_port_t)b) == -XEN_EINVAL, "close twice");
    test_check(evtchn_close((evtchn_port_t)a) == 0, "close a");

    hostile((evtchn_port_t)a);
    exhaust();

    uint64_t ev = time_timer_events();
    thread_sleep_ns(10 * NSEC_PER_MSEC);
    test_check(time_timer_bound() && time_timer_events() > ev, "VIRQ_TIMER did not wake the sleep");
    test_note("loopback %ld <-> %ld, ipi %ld, %lu events seen, %lu without a handler", a, b, ipi,
              (unsigned long)events_seen(), (unsigned long)events_unhandled());
    return test_failures() ? TEST_FAILURE : TEST_SUCCESS;
}
