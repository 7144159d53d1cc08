/*
 * 2-level event delivery on the words a guest shares with the hypervisor:
 * shared_info.evtchn_pending/evtchn_mask (one bit per port, 64 words) and,
 * per vCPU, vcpu_info.evtchn_pending_sel (bit w: word w may have work) and
 * evtchn_upcall_pending.
 *
 * The guest scans and clears these words concurrently, on other CPUs:
 * every word is touched by exactly one atomic operation per step, and each
 * decision uses only the value returned by that operation (never a second
 * read). The protocol makes lost wake-ups impossible because the guest
 * clears upcall_pending, then the selector, then pending bits, in that
 * order, while we set them in the opposite order:
 *   pending bit -> (if unmasked) selector bit -> upcall_pending
 * and each step runs only when the previous one changed 0 -> 1, so an
 * already-signalled level is never signalled twice. Sequentially consistent
 * atomics give the full barriers between steps (lock-prefixed on x86).
 */
#include "core/evtchn.h"

#define EVTCHN_2L_BITS 64u

static inline uint64_t evtchn_2l_bit(evtchn_port_t port)
{
    return 1ull << (port % EVTCHN_2L_BITS);
}

/* Selector and upcall steps for a pending, unmasked port. */
static unsigned evtchn_2l_select(struct vcpu_info *vi, evtchn_port_t port)
{
    uint64_t sel_bit = 1ull << (port / EVTCHN_2L_BITS);
    if (__atomic_fetch_or(&vi->evtchn_pending_sel, sel_bit, __ATOMIC_SEQ_CST) & sel_bit)
        return 0;
    /* Bit 0 is the flag, as in Xen: a guest storing odd values only costs
     * itself a spurious kick. */
    if (__atomic_fetch_or(&vi->evtchn_upcall_pending, 1, __ATOMIC_SEQ_CST) & 1)
        return 0;
    return EVTCHN_2L_KICK;
}

unsigned evtchn_2l_set_pending(struct shared_info *si, struct vcpu_info *vi, evtchn_port_t port)
{
    BUG_ON(port >= EVTCHN_NR_PORTS);
    unsigned w = port / EVTCHN_2L_BITS;
    uint64_t bit = evtchn_2l_bit(port);

    if (__atomic_fetch_or(&si->evtchn_pending[w], bit, __ATOMIC_SEQ_CST) & bit)
        return 0;
    if (__atomic_load_n(&si->evtchn_mask[w], __ATOMIC_SEQ_CST) & bit)
        return EVTCHN_2L_NEWLY_PENDING;
    return EVTCHN_2L_NEWLY_PENDING | evtchn_2l_select(vi, port);
}

unsigned evtchn_2l_unmask(struct shared_info *si, struct vcpu_info *vi, evtchn_port_t port)
{
    BUG_ON(port >= EVTCHN_NR_PORTS);
    unsigned w = port / EVTCHN_2L_BITS;
    uint64_t bit = evtchn_2l_bit(port);

    if (!(__atomic_fetch_and(&si->evtchn_mask[w], ~bit, __ATOMIC_SEQ_CST) & bit))
        return 0;
    if (!(__atomic_load_n(&si->evtchn_pending[w], __ATOMIC_SEQ_CST) & bit))
        return 0;
    return evtchn_2l_select(vi, port);
}

void evtchn_2l_clear_pending(struct shared_info *si, evtchn_port_t port)
{
    BUG_ON(port >= EVTCHN_NR_PORTS);
    __atomic_fetch_and(&si->evtchn_pending[port / EVTCHN_2L_BITS], ~evtchn_2l_bit(port),
                       __ATOMIC_SEQ_CST);
}

bool evtchn_2l_is_pending(struct shared_info *si, evtchn_port_t port)
{
    BUG_ON(port >= EVTCHN_NR_PORTS);
    return __atomic_load_n(&si->evtchn_pending[port / EVTCHN_2L_BITS], __ATOMIC_SEQ_CST) &
           evtchn_2l_bit(port);
}

bool evtchn_2l_is_masked(struct shared_info *si, evtchn_port_t port)
{
    BUG_ON(port >= EVTCHN_NR_PORTS);
    return __atomic_load_n(&si->evtchn_mask[port / EVTCHN_2L_BITS], __ATOMIC_SEQ_CST) &
           evtchn_2l_bit(port);
}
