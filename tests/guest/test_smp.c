/*
 * Several vCPUs in one PV guest (booted as dom0 with dom0_max_vcpus=4).
 *
 * Functional: vCPU 0 is up and 1 down at boot; hostile contexts leave vCPU
 * 3 uninitialised; vCPUs 1-3 are initialised, brought up and each reports
 * its id, its vcpu_info and the time; 1000 IPI round trips between vCPUs 0
 * and 1, every one counted on the right vCPU; vCPU 1 sleeps on its own
 * VIRQ_TIMER; a loopback port moved to vCPU 2 with bind_vcpu is handled
 * there (and not on vCPU 0, even when raised while vCPU 2 is down); vCPU 1
 * downed from outside stops, an IPI to it stays pending, and VCPUOP_up
 * resumes it where it was, IPI delivered; vCPU 1 downs and ups vCPU 0;
 * runstates. Hostile: contexts with an unpinned L4, non-canonical or
 * hypervisor addresses, bad selectors, flags, debug registers, LDT, a GDT
 * frame that is not a descriptor page, a bad MXCSR, an unreadable context
 * (each refused with nothing changed; one failing after its L4 and first
 * GDT references were taken gives them all back); initialise twice
 * (-EEXIST), up of a never-initialised vCPU (-EINVAL), every vcpu_op on
 * ids 4, 8, 1000 and 2^32-1 (-ENOENT), bind_ipi/bind_virq/bind_vcpu to a
 * vCPU the domain does not have, bind_vcpu of an IPI or per-vCPU VIRQ port
 * (-EINVAL); grant map and unmap at a PTE of an L1 that vCPU 0's preempted
 * pin is validating, from vCPU 1 (GNTST_eagain, not a hypervisor waiting
 * for ever for a walk that cannot move); 100 up/self-down cycles and an
 * IPI storm; the toolstack creates and destroys 8-vCPU domains (free
 * memory back) and is refused 0 or 9 vCPUs. The hypervisor must stay up
 * (the boot scenario also checks dom0's clean poweroff).
 */
#include "test.h"
#include "arch/hypercall.h"
#include "arch/pgtable.h"
#include "guest/events.h"
#include "guest/gnttab.h"
#include "guest/kernel.h"
#include "guest/mm.h"
#include "guest/smp.h"
#include "guest/time.h"

const char test_title[] =
    "smp: bring-up, IPIs, per-vCPU timers, bind_vcpu, down/up, hostile vcpu_op";

#define NR_VCPUS 4
#define ROUND_TRIPS 1000
#define STORM 10000
#define NONCANONICAL 0x8000000000000000ULL
#define HV_ADDR 0xFFFF800000001000ULL

static uint64_t pings1, pongs0, wrong_cpu;
static evtchn_port_t port_to0, port_to1;

static uint64_t load(const uint64_t *p)
{
    return __atomic_load_n(p, __ATOMIC_ACQUIRE);
}

static void bump(uint64_t *p)
{
    __atomic_fetch_add(p, 1, __ATOMIC_RELEASE);
}

static uint64_t ms_from_now(uint64_t ms)
{
    return time_now_ns() + ms * NSEC_PER_MSEC;
}

static long vop(unsigned cmd, unsigned vcpu, void *arg)
{
    return HYPERVISOR_vcpu_op(cmd, vcpu, arg);
}

/* Block this vCPU until *counter >= want (raised by a handler of this
 * vCPU) or the deadline. */
static bool wait_event(const uint64_t *counter, uint64_t want, uint64_t until)
{
    unsigned flags = irq_save();
    while (load(counter) < want && time_now_ns() < until)
        time_block_masked(until);
    bool ok = load(counter) >= want;
    irq_restore(flags);
    return ok;
}

/* Poll for *counter >= want, raised on another vCPU, sleeping 1 ms between
 * looks so the other vCPUs run. */
static bool poll_for(const uint64_t *counter, uint64_t want, uint64_t until)
{
    while (load(counter) < want && time_now_ns() < until)
        time_block_until(ms_from_now(1));
    return load(counter) >= want;
}

static void ping_on_1(evtchn_port_t port, struct trap_frame *f, void *arg)
{
    (void)port, (void)f, (void)arg;
    if (smp_processor_id() != 1)
        bump(&wrong_cpu);
    bump(&pings1);
}

static void pong_on_0(evtchn_port_t port, struct trap_frame *f, void *arg)
{
    (void)port, (void)f, (void)arg;
    if (smp_processor_id() != 0)
        bump(&wrong_cpu);
    bump(&pongs0);
}

/* ---- bring-up: each secondary reports ---- */

static struct report {
    unsigned id;
    const volatile struct vcpu_info *vi;
    uint64_t now;
    uint8_t mask;
} reports[NR_VCPUS];

static void report(void *arg)
{
    struct report *r = arg;
    r->id = smp_processor_id();
    r->vi = this_vcpu_info();
    r->mask = this_vcpu_info()->evtchn_upcall_mask;
    r->now = time_now_ns();
    printk("test: vCPU %u running, time %lu ns\n", r->id, (unsigned long)r->now);
}

static void bring_up(void)
{
    for (unsigned v = 1; v < NR_VCPUS; v++) {
        test_check(smp_start(v, report, &reports[v]) == 0, "smp_start(%u)", v);
        test_check(smp_wait_down(v, ms_from_now(2000)), "vCPU %u did not finish", v);
        test_check(reports[v].id == v, "vCPU %u reports id %u", v, reports[v].id);
        test_check(reports[v].vi == &shared_info->vcpu_info[v], "vCPU %u vcpu_info", v);
        test_check(reports[v].mask == 0, "vCPU %u runs with events masked", v);
        test_check(reports[v].now > 0, "vCPU %u reads no time", v);
        test_check(smp_runs(v) == 1, "vCPU %u ran %lu functions", v, (unsigned long)smp_runs(v));
    }
}

/* ---- IPI ping-pong between vCPUs 0 and 1 ---- */

static uint64_t pong_failed_at;

static void pong_loop(void *arg)
{
    uint64_t base = *(const uint64_t *)arg;
    for (uint64_t i = 1; i <= ROUND_TRIPS; i++) {
        if (!wait_event(&pings1, base + i, ms_from_now(2000)) || load(&pings1) != base + i) {
            pong_failed_at = i;
            return;
        }
        smp_send_ipi(port_to0);
    }
}

static void ping_pong(void)
{
    static uint64_t base1;
    base1 = load(&pings1);
    uint64_t base0 = load(&pongs0), done = 0;
    test_check(smp_start(1, pong_loop, &base1) == 0, "start the ponger");
    test_check(smp_vcpu_is_up(1) == 1, "vCPU 1 is up while it runs");
    for (uint64_t i = 1; i <= ROUND_TRIPS; i++) {
        if (smp_send_ipi(port_to1) != 0 || !wait_event(&pongs0, base0 + i, ms_from_now(2000)) ||
            load(&pongs0) != base0 + i)
            break;
        done = i;
    }
    test_check(done == ROUND_TRIPS, "IPI round trips: %lu of %u (vCPU 1 failed at %lu)",
               (unsigned long)done, ROUND_TRIPS, (unsigned long)pong_failed_at);
    test_check(smp_wait_down(1, ms_from_now(2000)), "the ponger did not finish");
    test_check(load(&pings1) == base1 + ROUND_TRIPS, "pings on vCPU 1");
    test_note("%lu IPI round trips between vCPU 0 and vCPU 1", (unsigned long)done);
}

/* ---- vCPU 1 sleeps on its own VIRQ_TIMER ---- */

static struct {
    uint64_t slept_ns, events;
} sleep_result;

static void sleep_10ms(void *arg)
{
    (void)arg;
    uint64_t ev = smp_timer_events(1), t0 = time_now_ns(), until = t0 + 10 * NSEC_PER_MSEC;
    while (time_now_ns() < until)
        time_block_until(until);
    sleep_result.slept_ns = time_now_ns() - t0;
    sleep_result.events = smp_timer_events(1) - ev;
}

static void timer_on_1(void)
{
    test_check(smp_start(1, sleep_10ms, NULL) == 0, "start the sleeper");
    test_check(smp_wait_down(1, ms_from_now(2000)), "the sleeper did not finish");
    test_check(sleep_result.slept_ns >= 10 * NSEC_PER_MSEC, "vCPU 1 slept %lu ns",
               (unsigned long)sleep_result.slept_ns);
    test_check(sleep_result.events >= 1, "no VIRQ_TIMER on vCPU 1");
    struct evtchn_bind_virq again = { .virq = VIRQ_TIMER, .vcpu = 1 };
    test_check(HYPERVISOR_event_channel_op(EVTCHNOP_bind_virq, &again) == -XEN_EEXIST,
               "vCPU 1's VIRQ_TIMER is bound");
    test_note("vCPU 1 slept %lu us on its own timer, %lu timer events",
              (unsigned long)(sleep_result.slept_ns / 1000), (unsigned long)sleep_result.events);
}

/* ---- bind_vcpu: a loopback port moves from vCPU 0 to vCPU 2 ---- */

static uint64_t a_hits, a_last_cpu;

static void count_a(evtchn_port_t port, struct trap_frame *f, void *arg)
{
    (void)port, (void)f, (void)arg;
    __atomic_store_n(&a_last_cpu, smp_processor_id(), __ATOMIC_RELAXED);
    bump(&a_hits);
}

static void ignore(evtchn_port_t port, struct trap_frame *f, void *arg)
{
    (void)port, (void)f, (void)arg;
}

static void wait_a(void *arg)
{
    (void)wait_event(&a_hits, *(const uint64_t *)arg, ms_from_now(2000));
}

static void move_port(void)
{
    static uint64_t want;
    long a = evtchn_alloc_unbound(DOMID_SELF, count_a, NULL);
    long b = a < 0 ? a : evtchn_bind_interdomain(DOMID_SELF, (evtchn_port_t)a, ignore, NULL);
    if (!test_check(a > 0 && b > 0, "loopback channel: %ld %ld", a, b))
        return;
    events_force_callback();
    uint64_t base = load(&a_hits);
    test_check(evtchn_notify((evtchn_port_t)b) == 0, "send before the move");
    events_force_callback();
    test_check(load(&a_hits) == base + 1 && a_last_cpu == 0, "before the move: on vCPU 0");

    test_check(evtchn_bind_vcpu((evtchn_port_t)a, 2) == 0, "bind_vcpu to vCPU 2");
    struct evtchn_status st;
    test_check(evtchn_status((evtchn_port_t)a, &st) == 0 && st.vcpu == 2, "status: vCPU %u",
               st.vcpu);
    test_check(evtchn_vcpu_of((evtchn_port_t)a) == 2, "routed to vCPU 2");
    /* Raised while vCPU 2 is down: pending for vCPU 2, never handled here. */
    test_check(evtchn_notify((evtchn_port_t)b) == 0, "send after the move");
    events_force_callback();
    test_check(load(&a_hits) == base + 1, "vCPU 0 handled a port of vCPU 2");
    test_check(shared_info->vcpu_info[2].evtchn_upcall_pending, "vCPU 2 not notified");
    want = base + 2;
    test_check(smp_start(2, wait_a, &want) == 0, "start vCPU 2");
    test_check(smp_wait_down(2, ms_from_now(2000)), "vCPU 2 did not finish");
    test_check(load(&a_hits) == base + 2 && a_last_cpu == 2, "pending event on vCPU 2: %lu %lu",
               (unsigned long)(load(&a_hits) - base), (unsigned long)a_last_cpu);
    /* And while vCPU 2 waits for it. */
    want = base + 3;
    test_check(smp_start(2, wait_a, &want) == 0, "restart vCPU 2");
    test_check(evtchn_notify((evtchn_port_t)b) == 0, "send to a running vCPU 2");
    test_check(smp_wait_down(2, ms_from_now(2000)), "vCPU 2 did not finish");
    test_check(load(&a_hits) == base + 3 && a_last_cpu == 2, "event on a running vCPU 2");

    /* Hostile moves. */
    struct evtchn_bind_vcpu bv = { .port = port_to1, .vcpu = 0 };
    test_check(HYPERVISOR_event_channel_op(EVTCHNOP_bind_vcpu, &bv) == -XEN_EINVAL,
               "bind_vcpu of an IPI port");
    struct evtchn_bind_virq dbg = { .virq = VIRQ_DEBUG, .vcpu = 0 };
    if (test_check(HYPERVISOR_event_channel_op(EVTCHNOP_bind_virq, &dbg) == 0, "bind VIRQ_DEBUG")) {
        bv.port = dbg.port, bv.vcpu = 1;
        test_check(HYPERVISOR_event_channel_op(EVTCHNOP_bind_vcpu, &bv) == -XEN_EINVAL,
                   "bind_vcpu of a per-vCPU VIRQ port");
        evtchn_close(dbg.port);
    }
    bv.port = (evtchn_port_t)a;
    for (unsigned v = NR_VCPUS; v <= 8; v += 4) {
        bv.vcpu = v;
        test_check(HYPERVISOR_event_channel_op(EVTCHNOP_bind_vcpu, &bv) == -XEN_ENOENT,
                   "bind_vcpu to vCPU %u", v);
    }
    test_check(evtchn_bind_vcpu((evtchn_port_t)a, 0) == 0, "back to vCPU 0");
    evtchn_close((evtchn_port_t)b);
    evtchn_close((evtchn_port_t)a);
    test_note("bind_vcpu: port %ld handled on vCPU 2", a);
}

/* ---- down from outside, pending IPI, up resumes ---- */

static uint64_t spins, stop_spinning;

static void spin(void *arg)
{
    (void)arg;
    while (!load(&stop_spinning)) {
        bump(&spins);
        time_block_until(ms_from_now(1));
    }
}

static bool port_pending(evtchn_port_t p)
{
    return shared_info->evtchn_pending[p / 64] & (1ULL << (p % 64));
}

static void down_up(void)
{
    struct vcpu_runstate_info rs;
    stop_spinning = 0;
    test_check(smp_start(1, spin, NULL) == 0, "start the spinner");
    test_check(poll_for(&spins, load(&spins) + 3, ms_from_now(2000)), "vCPU 1 does not spin");
    test_check(smp_vcpu_down(1) == 0, "VCPUOP_down(1)");
    test_check(smp_vcpu_is_up(1) == 0, "vCPU 1 still up after down");
    test_check(vop(VCPUOP_get_runstate_info, 1, &rs) == 0 && rs.state == RUNSTATE_offline,
               "runstate of a down vCPU: %d", rs.state);
    uint64_t s0 = load(&spins), p0 = load(&pings1);
    test_check(smp_send_ipi(port_to1) == 0, "IPI to a down vCPU");
    time_block_until(ms_from_now(20));
    test_check(load(&spins) == s0, "a down vCPU ran");
    test_check(load(&pings1) == p0, "a down vCPU handled an IPI");
    test_check(port_pending(port_to1), "the IPI is not pending");
    test_check(shared_info->vcpu_info[1].evtchn_upcall_pending, "vCPU 1 not notified");
    test_check(smp_start(1, spin, NULL) == -XEN_EBUSY, "smp_start over a stopped function");
    test_check(smp_vcpu_up(1) == 0, "VCPUOP_up(1)");
    test_check(poll_for(&pings1, p0 + 1, ms_from_now(2000)), "IPI not delivered after up");
    test_check(poll_for(&spins, s0 + 1, ms_from_now(2000)), "vCPU 1 did not resume");
    test_check(load(&pings1) == p0 + 1, "one IPI, %lu deliveries",
               (unsigned long)(load(&pings1) - p0));
    __atomic_store_n(&stop_spinning, 1, __ATOMIC_RELEASE);
    test_check(smp_wait_down(1, ms_from_now(2000)), "the spinner did not finish");
}

/* ---- vCPU 1 downs vCPU 0 and brings it back ---- */

static struct {
    long down, seen_up, up;
} zero_result;

static void down_zero(void *arg)
{
    (void)arg;
    zero_result.down = vop(VCPUOP_down, 0, NULL);
    zero_result.seen_up = vop(VCPUOP_is_up, 0, NULL);
    time_block_until(ms_from_now(5));         /* vCPU 1 alone now */
    zero_result.up = vop(VCPUOP_up, 0, NULL);
}

static void down_vcpu0(void)
{
    zero_result.seen_up = -1;
    test_check(smp_start(1, down_zero, NULL) == 0, "start vCPU 1 to down vCPU 0");
    test_check(smp_wait_down(1, ms_from_now(2000)), "vCPU 1 did not finish");
    test_check(zero_result.down == 0 && zero_result.seen_up == 0 && zero_result.up == 0,
               "down(0) %ld, is_up(0) %ld, up(0) %ld", zero_result.down, zero_result.seen_up,
               zero_result.up);
    test_check(smp_vcpu_is_up(0) == 1, "vCPU 0 is not up");
}

/* ---- hostile ---- */

static void nothing(void *arg)
{
    (void)arg;
}

static void hold(void *arg)
{
    (void)wait_event(&pings1, *(const uint64_t *)arg, ms_from_now(2000));
}

static struct vcpu_guest_context good, bad;

/* Start from the good context for vCPU 3, break one thing, expect err. */
#define BAD_CONTEXT(err, what, ...)                                                       \
    do {                                                                                  \
        bad = good;                                                                       \
        __VA_ARGS__;                                                                      \
        long rc_ = vop(VCPUOP_initialise, 3, &bad);                                       \
        test_check(rc_ == (err), "initialise with %s: %ld, expected %d", what, rc_, err); \
    } while (0)

static void hostile_contexts(void)
{
    if (!test_check(smp_build_context(&good, 3) == 0, "context for vCPU 3"))
        return;
    uint64_t *page = mm_alloc_pages(1);
    if (!test_check(page != NULL, "scratch page"))
        return;
    uint64_t plain_mfn = virt_to_mfn(page);

    BAD_CONTEXT(-XEN_EINVAL, "an unpinned L4", bad.ctrlreg[3] = xen_pfn_to_cr3(plain_mfn));
    BAD_CONTEXT(-XEN_EINVAL, "no L4", bad.ctrlreg[3] = 0);
    BAD_CONTEXT(-XEN_EINVAL, "an L4 beyond memory", bad.ctrlreg[3] = xen_pfn_to_cr3(1ULL << 36));
    BAD_CONTEXT(-XEN_EINVAL, "an unpinned user L4", bad.ctrlreg[1] = xen_pfn_to_cr3(plain_mfn));
    BAD_CONTEXT(-XEN_EINVAL, "a non-canonical rip", bad.user_regs.rip = NONCANONICAL);
    BAD_CONTEXT(-XEN_EINVAL, "rip in the hypervisor", bad.user_regs.rip = HV_ADDR);
    BAD_CONTEXT(-XEN_EINVAL, "a non-canonical rsp", bad.user_regs.rsp = NONCANONICAL + 64);
    BAD_CONTEXT(-XEN_EINVAL, "the hypervisor's cs", bad.user_regs.cs = 0xe008);
    BAD_CONTEXT(-XEN_EINVAL, "the 32-bit cs", bad.user_regs.cs = FLAT_KERNEL_CS32);
    BAD_CONTEXT(-XEN_EINVAL, "a null ss", bad.user_regs.ss = 0);
    BAD_CONTEXT(-XEN_EINVAL, "an RPL-0 ds", bad.user_regs.ds = 0xe010);
    BAD_CONTEXT(-XEN_EINVAL, "an LDT fs", bad.user_regs.fs = 0x000f);
    BAD_CONTEXT(-XEN_EINVAL, "no VGCF_in_kernel", bad.flags = 0);
    BAD_CONTEXT(-XEN_EINVAL, "an unknown flag", bad.flags |= 1ULL << 40);
    BAD_CONTEXT(-XEN_EINVAL, "a #PF handler in the hypervisor",
                bad.trap_ctxt[14].address = HV_ADDR);
    BAD_CONTEXT(-XEN_EINVAL, "a non-canonical handler",
                bad.trap_ctxt[200].address = NONCANONICAL);
    BAD_CONTEXT(-XEN_EINVAL, "a non-canonical event callback",
                bad.event_callback_eip = NONCANONICAL);
    BAD_CONTEXT(-XEN_EINVAL, "a syscall callback in the hypervisor",
                bad.syscall_callback_eip = HV_ADDR);
    BAD_CONTEXT(-XEN_EINVAL, "a non-canonical fs_base", bad.fs_base = NONCANONICAL);
    BAD_CONTEXT(-XEN_EINVAL, "gs_base_kernel in the hypervisor", bad.gs_base_kernel = HV_ADDR);
    BAD_CONTEXT(-XEN_EINVAL, "a non-canonical gs_base_user", bad.gs_base_user = NONCANONICAL);
    BAD_CONTEXT(-XEN_EINVAL, "kernel_sp in the hypervisor", bad.kernel_sp = HV_ADDR);
    BAD_CONTEXT(-XEN_EINVAL, "a debug register", bad.debugreg[7] = 0x400);
    BAD_CONTEXT(-XEN_EINVAL, "an LDT", bad.ldt_base = 0xffffffff80000000ULL; bad.ldt_ents = 1);
    BAD_CONTEXT(-XEN_EINVAL, "a GDT past 7168 entries", bad.gdt_ents = 8192);
    BAD_CONTEXT(-XEN_EINVAL, "a writable page as GDT", bad.gdt_ents = 16;
                bad.gdt_frames[0] = plain_mfn);
    BAD_CONTEXT(-XEN_EINVAL, "GDT frame 0", bad.gdt_ents = 16);
    BAD_CONTEXT(-XEN_EINVAL, "a reserved MXCSR bit", bad.flags |= VGCF_i387_valid;
                memset(bad.fpu_ctxt + 24, 0xff, 4));
    long rc = vop(VCPUOP_initialise, 3, (void *)(uintptr_t)NONCANONICAL);
    test_check(rc == -XEN_EFAULT, "initialise from a non-canonical context: %ld", rc);
    rc = vop(VCPUOP_initialise, 3, (void *)(uintptr_t)HV_ADDR);
    test_check(rc == -XEN_EFAULT, "initialise from hypervisor memory: %ld", rc);

    /* Failing half way: the L4 references and those of the first GDT
       frames are taken before a later GDT frame is refused; all of them
       must be given back. A pinned empty L4 as both base pointers and an
       empty descriptor page twice, then a writable page: afterwards the L4,
       unpinned, and the descriptor page map writable (nothing holds them). */
    uint64_t *l4 = mm_alloc_zeroed(1), *desc = mm_alloc_zeroed(1);
    if (test_check(l4 != NULL && desc != NULL, "pages for an L4 and a GDT")) {
        uint64_t l4_mfn = virt_to_mfn(l4), desc_mfn = virt_to_mfn(desc);
        test_check(pt_set_flags((uint64_t)(uintptr_t)l4, PTE_KERNEL_RO) == 0 &&
                       pt_set_flags((uint64_t)(uintptr_t)desc, PTE_KERNEL_RO) == 0 &&
                       pt_pin(l4_mfn, 4) == 0, "pin an empty L4");
        for (unsigned i = 0; i < 3; i++)
            BAD_CONTEXT(-XEN_EINVAL, "good L4s and GDT frames, then a writable one",
                        bad.ctrlreg[3] = bad.ctrlreg[1] = xen_pfn_to_cr3(l4_mfn);
                        bad.gdt_ents = 512 * 3; bad.gdt_frames[0] = bad.gdt_frames[1] = desc_mfn;
                        bad.gdt_frames[2] = plain_mfn);
        test_check(pt_unpin(l4_mfn) == 0, "unpin the L4");
        test_check(pt_set_flags((uint64_t)(uintptr_t)l4, PTE_KERNEL_RW) == 0,
                   "the L4 is still referenced after failed initialises");
        test_check(pt_set_flags((uint64_t)(uintptr_t)desc, PTE_KERNEL_RW) == 0,
                   "the GDT frame is still referenced after failed initialises");
    }
    if (l4 != NULL)
        mm_free_pages(l4, 1);
    if (desc != NULL)
        mm_free_pages(desc, 1);

    /* None of them left anything: vCPU 3 is still uninitialised and down. */
    test_check(vop(VCPUOP_is_up, 3, NULL) == 0, "vCPU 3 up after bad contexts");
    test_check(vop(VCPUOP_up, 3, NULL) == -XEN_EINVAL, "up of a never-initialised vCPU");
    test_check(vop(VCPUOP_is_up, 3, NULL) == 0, "vCPU 3 came up uninitialised");
    mm_free_pages(page, 1);
}

static void hostile_ids(void)
{
    static const unsigned ids[] = { NR_VCPUS, 7, 8, 1000, 0xFFFFFFFFu };
    struct vcpu_set_singleshot_timer st = { .timeout_abs_ns = 1, .flags = 0 };
    struct vcpu_runstate_info rs;

    for (unsigned i = 0; i < ARRAY_SIZE(ids); i++) {
        unsigned id = ids[i];
        test_check(vop(VCPUOP_is_up, id, NULL) == -XEN_ENOENT, "is_up(%u)", id);
        test_check(vop(VCPUOP_up, id, NULL) == -XEN_ENOENT, "up(%u)", id);
        test_check(vop(VCPUOP_down, id, NULL) == -XEN_ENOENT, "down(%u)", id);
        test_check(vop(VCPUOP_initialise, id, &good) == -XEN_ENOENT, "initialise(%u)", id);
        test_check(vop(VCPUOP_get_runstate_info, id, &rs) == -XEN_ENOENT, "runstate(%u)", id);
        test_check(vop(VCPUOP_set_singleshot_timer, id, &st) == -XEN_ENOENT, "timer(%u)", id);
    }
    test_check(vop(VCPUOP_initialise, 1, &good) == -XEN_EEXIST, "initialise vCPU 1 twice");
    test_check(vop(VCPUOP_initialise, 1, &bad) == -XEN_EEXIST, "initialise vCPU 1 with garbage");
    test_check(vop(VCPUOP_initialise, 0, &good) == -XEN_EEXIST, "initialise vCPU 0");
    test_check(vop(VCPUOP_set_singleshot_timer, 1, &st) == -XEN_EINVAL, "timer of another vCPU");
    struct vcpu_register_vcpu_info rvi = { 0, 0, 0 };
    test_check(vop(VCPUOP_register_vcpu_info, 0, &rvi) == -XEN_ENOSYS, "register_vcpu_info");
    test_check(vop(VCPUOP_get_runstate_info, 0, (void *)(uintptr_t)HV_ADDR) == -XEN_EFAULT,
               "runstate into hypervisor memory");

    struct evtchn_bind_ipi bi = { .vcpu = NR_VCPUS };
    test_check(HYPERVISOR_event_channel_op(EVTCHNOP_bind_ipi, &bi) == -XEN_ENOENT,
               "bind_ipi to vCPU %u", NR_VCPUS);
    struct evtchn_bind_virq bv = { .virq = VIRQ_TIMER, .vcpu = NR_VCPUS };
    test_check(HYPERVISOR_event_channel_op(EVTCHNOP_bind_virq, &bv) == -XEN_ENOENT,
               "bind_virq to vCPU %u", NR_VCPUS);
    test_check(smp_start(0, nothing, NULL) == -XEN_EINVAL, "smp_start on vCPU 0");
    test_check(smp_start(NR_VCPUS, nothing, NULL) == -XEN_ENOENT, "smp_start on vCPU %u",
               NR_VCPUS);
}

/*
 * ---- another vCPU's page-table walk in progress ----
 *
 * vCPU 0 pins a fresh L2 over BUSY_L1S empty L1s: more entries than the
 * hypervisor validates per call, so the pin is preempted (a continuation)
 * with one L1 VALIDATING. An event pending for vCPU 0 is delivered right
 * there, and its handler lets vCPU 1 run `busy_attack` against the L1s
 * while vCPU 0's walk is stopped. Grant map and unmap name a PTE by its
 * machine address (GNTMAP_contains_pte): on a VALIDATING L1 they must fail
 * (GNTST_eagain), not wait in the hypervisor for a walk that cannot move
 * while they wait (the whole machine would hang). Before, the L1s' slot 0
 * already holds a grant mapped there while they were valid (the unmap
 * case); afterwards every grant is unmapped and nothing stays referenced.
 */
#define BUSY_L1S 8

static struct {
    uint64_t *l2, *l1[BUSY_L1S];
    grant_ref_t ref;
    grant_handle_t handle[BUSY_L1S];
    bool mapped[BUSY_L1S];
    bool unmap;                 /* the attack unmaps (else it maps) */
    int16_t status[BUSY_L1S];
    uint64_t armed, go, done;
} busy;

static uint64_t l1_pte_addr(unsigned i)
{
    return virt_to_mfn(busy.l1[i]) << PAGE_SHIFT;       /* slot 0 */
}

static int16_t grant_map_pte(unsigned i, grant_handle_t *h)
{
    struct gnttab_map_grant_ref op = {
        .host_addr = l1_pte_addr(i),
        .flags = GNTMAP_host_map | GNTMAP_contains_pte | GNTMAP_readonly,
        .ref = busy.ref,
        .dom = DOMID_SELF,
    };
    if (HYPERVISOR_grant_table_op(GNTTABOP_map_grant_ref, &op, 1) != 0)
        return GNTST_general_error;
    *h = op.handle;
    return op.status;
}

static int16_t grant_unmap_pte(unsigned i)
{
    struct gnttab_unmap_grant_ref op = { .host_addr = l1_pte_addr(i), .handle = busy.handle[i] };
    if (HYPERVISOR_grant_table_op(GNTTABOP_unmap_grant_ref, &op, 1) != 0)
        return GNTST_general_error;
    return op.status;
}

/* vCPU 1: wait for vCPU 0's handler, then map or unmap at every L1. */
static void busy_attack(void *arg)
{
    (void)arg;
    uint64_t until = ms_from_now(2000);
    while (!load(&busy.go) && time_now_ns() < until)
        time_block_until(ms_from_now(1));
    for (unsigned i = 0; i < BUSY_L1S && load(&busy.go); i++) {
        if (busy.unmap) {
            busy.status[i] = busy.mapped[i] ? grant_unmap_pte(i) : GNTST_okay;
            if (busy.status[i] == GNTST_okay)
                busy.mapped[i] = false;
        } else {
            busy.status[i] = grant_map_pte(i, &busy.handle[i]);
            busy.mapped[i] = busy.status[i] == GNTST_okay;
        }
    }
    __atomic_store_n(&busy.done, 1, __ATOMIC_RELEASE);
}

/* vCPU 0's event handler, run while its pin is preempted. */
static void busy_stop(evtchn_port_t port, struct trap_frame *f, void *arg)
{
    (void)port, (void)f, (void)arg;
    if (!__atomic_exchange_n(&busy.armed, 0, __ATOMIC_ACQ_REL))
        return;
    __atomic_store_n(&busy.go, 1, __ATOMIC_RELEASE);
    uint64_t until = ms_from_now(2000);
    while (!load(&busy.done) && time_now_ns() < until)
        (void)HYPERVISOR_sched_op(SCHEDOP_yield, NULL);
}

/*
 * Pin the L2 with the attack run from inside the pin; the pin's result.
 * *busy_seen: some L1 answered GNTST_eagain (it was VALIDATING).
 */
static long pin_attacked(evtchn_port_t stop_port, bool unmap, bool *busy_seen)
{
    struct mmuext_op op = { .cmd = MMUEXT_PIN_L2_TABLE };
    unsigned done = 0;
    op.arg1.mfn = virt_to_mfn(busy.l2);
    busy.unmap = unmap;
    busy.go = busy.done = 0;
    for (unsigned i = 0; i < BUSY_L1S; i++)
        busy.status[i] = 1;                     /* not tried */
    if (smp_start(1, busy_attack, NULL) != 0)
        return -XEN_EBUSY;
    unsigned flags = irq_save();
    __atomic_store_n(&busy.armed, 1, __ATOMIC_RELEASE);
    long rc = smp_send_ipi(stop_port);          /* pending, masked for now */
    /* Events on without delivering: the next return to us takes the
       upcall, and that is the pin's first continuation. */
    this_vcpu_info()->evtchn_upcall_mask = 0;
    barrier();
    if (rc == 0)
        rc = HYPERVISOR_mmuext_op(&op, 1, &done, DOMID_SELF);
    irq_restore(flags);
    (void)smp_wait_down(1, ms_from_now(2000));
    *busy_seen = false;
    for (unsigned i = 0; i < BUSY_L1S; i++)
        *busy_seen |= busy.status[i] == GNTST_eagain;
    return rc;
}

static void busy_tables(void)
{
    bool ok = gnttab_ready() || gnttab_init() == 0;
    uint32_t *granted = mm_alloc_zeroed(1);
    busy.l2 = mm_alloc_zeroed(1);
    for (unsigned i = 0; i < BUSY_L1S; i++)
        busy.l1[i] = mm_alloc_zeroed(1);
    long ref = ok && granted ? gnttab_grant_access(0, virt_to_mfn(granted), true) : -1;
    long stop = smp_bind_ipi(0, busy_stop, NULL);
    if (!test_check(ok && busy.l2 && busy.l1[BUSY_L1S - 1] && ref >= 0 && stop > 0,
                    "setup: grant table, pages, grant %ld, port %ld", ref, stop))
        return;
    busy.ref = (grant_ref_t)ref;
    for (unsigned i = 0; i < BUSY_L1S; i++) {
        busy.l2[i] = (virt_to_mfn(busy.l1[i]) << PAGE_SHIFT) | PTE_TABLE;
        test_check(pt_set_flags((uint64_t)(uintptr_t)busy.l1[i], PTE_KERNEL_RO) == 0,
                   "L1 %u read-only", i);
    }
    test_check(pt_set_flags((uint64_t)(uintptr_t)busy.l2, PTE_KERNEL_RO) == 0, "L2 read-only");

    /* Map: into each L1 while the pin validates them; retried if the
       event came at another moment than the pin's first continuation. */
    bool seen = false;
    long rc = 0;
    for (unsigned tries = 0; tries < 3 && !seen; tries++) {
        for (unsigned i = 0; i < BUSY_L1S; i++)
            if (busy.mapped[i] && test_check(grant_unmap_pte(i) == GNTST_okay, "unmap %u", i))
                busy.mapped[i] = false;
        if (tries)
            test_check(pt_unpin(virt_to_mfn(busy.l2)) == 0, "unpin for another try");
        rc = pin_attacked((evtchn_port_t)stop, false, &seen);
        test_check(rc == 0, "pin under attack: %ld", rc);
    }
    test_check(seen, "no map met a VALIDATING L1: %d %d %d %d %d %d %d %d", busy.status[0],
               busy.status[1], busy.status[2], busy.status[3], busy.status[4], busy.status[5],
               busy.status[6], busy.status[7]);
    test_note("busy tables: map during the pin: %d %d %d %d %d %d %d %d", busy.status[0],
              busy.status[1], busy.status[2], busy.status[3], busy.status[4], busy.status[5],
              busy.status[6], busy.status[7]);

    /* Unmap: every L1 holds a mapping in slot 0 while valid; unpin (the
       L1s are released with the entries left in them), then the attack
       unmaps while the next pin validates them again. */
    for (unsigned i = 0; i < BUSY_L1S; i++)
        if (!busy.mapped[i]) {
            int16_t st = grant_map_pte(i, &busy.handle[i]);
            busy.mapped[i] = test_check(st == GNTST_okay, "map into valid L1 %u: %d", i, st);
        }
    seen = false;
    for (unsigned tries = 0; tries < 3 && !seen; tries++) {
        test_check(pt_unpin(virt_to_mfn(busy.l2)) == 0, "unpin before the unmap attack");
        rc = pin_attacked((evtchn_port_t)stop, true, &seen);
        test_check(rc == 0, "pin under the unmap attack: %ld", rc);
    }
    test_check(seen, "no unmap met a VALIDATING L1: %d %d %d %d %d %d %d %d", busy.status[0],
               busy.status[1], busy.status[2], busy.status[3], busy.status[4], busy.status[5],
               busy.status[6], busy.status[7]);
    test_note("busy tables: unmap during the pin: %d %d %d %d %d %d %d %d", busy.status[0],
              busy.status[1], busy.status[2], busy.status[3], busy.status[4], busy.status[5],
              busy.status[6], busy.status[7]);

    /* Clean up: what is still mapped goes now that nothing is busy; the
       grant is then free, the tables unpinned and writable again. */
    for (unsigned i = 0; i < BUSY_L1S; i++)
        if (busy.mapped[i])
            test_check(grant_unmap_pte(i) == GNTST_okay, "unmap %u at the end", i);
    test_check(gnttab_end_access(busy.ref) == 0, "grant still mapped somewhere");
    test_check(pt_unpin(virt_to_mfn(busy.l2)) == 0, "final unpin");
    for (unsigned i = 0; i < BUSY_L1S; i++) {
        test_check(pt_set_flags((uint64_t)(uintptr_t)busy.l1[i], PTE_KERNEL_RW) == 0,
                   "L1 %u writable again (nothing holds it)", i);
    }
    test_check(pt_set_flags((uint64_t)(uintptr_t)busy.l2, PTE_KERNEL_RW) == 0, "L2 writable again");
    evtchn_close((evtchn_port_t)stop);
    for (unsigned i = 0; i < BUSY_L1S; i++)
        mm_free_pages(busy.l1[i], 1);
    mm_free_pages(busy.l2, 1);
    mm_free_pages(granted, 1);
}

/*
 * NEW_BASEPTR from vCPU 1 naming an L4 that vCPU 0's preempted pin is
 * still validating: refused (-EINVAL) with nothing left behind. It used to
 * leave vCPU 1's page-table continuation half done; vCPU 1's next mmuext_op
 * then finished it instead of its own request and kept a type reference on
 * the L4 that nothing would ever drop (the domain could not be destroyed).
 */
static uint64_t *nb_l4;
static long nb_rc, nb_flush_rc;
static unsigned nb_flush_done;

static void baseptr_attack(void *arg)
{
    (void)arg;
    uint64_t until = ms_from_now(2000);
    while (!load(&busy.go) && time_now_ns() < until)
        time_block_until(ms_from_now(1));
    struct mmuext_op op = { .cmd = MMUEXT_NEW_BASEPTR };
    unsigned done = 0;
    op.arg1.mfn = virt_to_mfn(nb_l4);
    nb_rc = load(&busy.go) ? HYPERVISOR_mmuext_op(&op, 1, &done, DOMID_SELF) : 1;
    __atomic_store_n(&busy.done, 1, __ATOMIC_RELEASE);
}

static void flush_on_1(void *arg)
{
    (void)arg;
    struct mmuext_op op = { .cmd = MMUEXT_TLB_FLUSH_LOCAL };
    nb_flush_done = 0;
    nb_flush_rc = HYPERVISOR_mmuext_op(&op, 1, &nb_flush_done, DOMID_SELF);
}

static void baseptr_busy(void)
{
    uint64_t *l3 = mm_alloc_zeroed(1), *l2 = mm_alloc_zeroed(1), *l1[BUSY_L1S];
    nb_l4 = mm_alloc_zeroed(1);
    for (unsigned i = 0; i < BUSY_L1S; i++)
        l1[i] = mm_alloc_zeroed(1);
    long stop = smp_bind_ipi(0, busy_stop, NULL);
    if (!test_check(nb_l4 && l3 && l2 && l1[BUSY_L1S - 1] && stop > 0, "setup: %ld", stop))
        return;
    for (unsigned i = 0; i < BUSY_L1S; i++) {
        l2[i] = (virt_to_mfn(l1[i]) << PAGE_SHIFT) | PTE_TABLE;
        test_check(pt_set_flags((uint64_t)(uintptr_t)l1[i], PTE_KERNEL_RO) == 0, "L1 RO");
    }
    l3[0] = (virt_to_mfn(l2) << PAGE_SHIFT) | PTE_TABLE;
    nb_l4[0] = (virt_to_mfn(l3) << PAGE_SHIFT) | PTE_TABLE;
    test_check(pt_set_flags((uint64_t)(uintptr_t)l2, PTE_KERNEL_RO) == 0 &&
                   pt_set_flags((uint64_t)(uintptr_t)l3, PTE_KERNEL_RO) == 0 &&
                   pt_set_flags((uint64_t)(uintptr_t)nb_l4, PTE_KERNEL_RO) == 0,
               "tables read-only");

    struct mmuext_op op = { .cmd = MMUEXT_PIN_L4_TABLE };
    unsigned done = 0;
    op.arg1.mfn = virt_to_mfn(nb_l4);
    busy.go = busy.done = 0;
    nb_rc = 1;
    test_check(smp_start(1, baseptr_attack, NULL) == 0, "start vCPU 1");
    unsigned flags = irq_save();
    __atomic_store_n(&busy.armed, 1, __ATOMIC_RELEASE);
    long rc = smp_send_ipi((evtchn_port_t)stop);
    this_vcpu_info()->evtchn_upcall_mask = 0;   /* delivered at the pin's continuation */
    barrier();
    if (rc == 0)
        rc = HYPERVISOR_mmuext_op(&op, 1, &done, DOMID_SELF);
    irq_restore(flags);
    test_check(smp_wait_down(1, ms_from_now(2000)), "vCPU 1 did not finish");
    test_check(rc == 0 && done == 1, "pin the L4: %ld, %u done", rc, done);
    test_check(nb_rc == -XEN_EINVAL, "NEW_BASEPTR to an L4 being validated: %ld", nb_rc);
    /* vCPU 1's next request is its own, and runs. */
    test_check(smp_start(1, flush_on_1, NULL) == 0 && smp_wait_down(1, ms_from_now(2000)) &&
                   nb_flush_rc == 0 && nb_flush_done == 1,
               "vCPU 1's next mmuext_op: %ld, %u done", nb_flush_rc, nb_flush_done);
    /* *pdone is an unsigned int (Xen's ABI): the word after it stays. */
    struct {
        unsigned done, canary;
    } d = { 0, 0xdeadbeef };
    struct mmuext_op flush = { .cmd = MMUEXT_TLB_FLUSH_LOCAL };
    long frc = HYPERVISOR_mmuext_op(&flush, 1, &d.done, DOMID_SELF);
    test_check(frc == 0 && d.done == 1 && d.canary == 0xdeadbeef,
               "mmuext_op: %ld, done %u, the word after *pdone %#x", frc, d.done, d.canary);
    /* Unpinned, the L4 has no reference left: it maps writable. */
    test_check(pt_unpin(virt_to_mfn(nb_l4)) == 0, "unpin the L4");
    test_check(pt_set_flags((uint64_t)(uintptr_t)nb_l4, PTE_KERNEL_RW) == 0,
               "the L4 is still referenced after the refused NEW_BASEPTR");
    test_check(pt_set_flags((uint64_t)(uintptr_t)l3, PTE_KERNEL_RW) == 0 &&
                   pt_set_flags((uint64_t)(uintptr_t)l2, PTE_KERNEL_RW) == 0, "L3, L2 writable");
    for (unsigned i = 0; i < BUSY_L1S; i++) {
        test_check(pt_set_flags((uint64_t)(uintptr_t)l1[i], PTE_KERNEL_RW) == 0, "L1 writable");
        mm_free_pages(l1[i], 1);
    }
    evtchn_close((evtchn_port_t)stop);
    mm_free_pages(l2, 1);
    mm_free_pages(l3, 1);
    mm_free_pages(nb_l4, 1);
}

/* The toolstack side: a domain of 8 vCPUs is created and destroyed with
 * nothing left behind; 0 or 9 vCPUs are refused. */
static long domctl(uint32_t cmd, domid_t dom, struct xenia_domctl *op)
{
    op->cmd = cmd;
    op->version = XENIA_DOMCTL_VERSION;
    op->domain = dom;
    return HYPERVISOR_domctl(op);
}

static void domctl_vcpus(void)
{
    struct xenia_domctl op = { 0 };
    if (!test_check(domctl(XENIA_DOMCTL_PHYSINFO, 0, &op) == 0, "physinfo"))
        return;
    uint64_t free0 = op.u.physinfo.free_pages;
    static const uint32_t refused[] = { 0, 9, 0xFFFFFFFFu };
    for (unsigned i = 0; i < ARRAY_SIZE(refused); i++) {
        memset(&op, 0, sizeof(op));
        op.u.create.max_vcpus = refused[i];
        test_check(domctl(XENIA_DOMCTL_CREATE, 0, &op) == -XEN_EINVAL, "create with %u vCPUs",
                   refused[i]);
    }
    for (unsigned round = 0; round < 3; round++) {
        memset(&op, 0, sizeof(op));
        op.u.create.max_vcpus = SMP_MAX_VCPUS;
        if (!test_check(domctl(XENIA_DOMCTL_CREATE, 0, &op) == 0, "create with 8 vCPUs"))
            return;
        domid_t d = op.domain;
        memset(&op, 0, sizeof(op));
        test_check(domctl(XENIA_DOMCTL_GET_INFO, d, &op) == 0 && op.domain == d &&
                       op.u.info.nr_vcpus == SMP_MAX_VCPUS &&
                       !(op.u.info.flags & XENIA_DOMINF_BLOCKED),
                   "info of the 8-vCPU domain: %u vCPUs", op.u.info.nr_vcpus);
        memset(&op, 0, sizeof(op));
        test_check(domctl(XENIA_DOMCTL_DESTROY, d, &op) == 0, "destroy the 8-vCPU domain");
    }
    memset(&op, 0, sizeof(op));
    test_check(domctl(XENIA_DOMCTL_PHYSINFO, 0, &op) == 0 && op.u.physinfo.free_pages == free0,
               "free pages %lu after 3 create/destroy, %lu before",
               (unsigned long)op.u.physinfo.free_pages, (unsigned long)free0);
}

/* 100 up / self-down cycles, then an IPI storm at a waiting vCPU 1. */
static void cycles_and_storm(void)
{
    static uint64_t want;
    uint64_t runs = smp_runs(1);
    unsigned cycles = 0;
    for (unsigned i = 0; i < 100; i++) {
        if (smp_start(1, nothing, NULL) != 0 || !smp_wait_down(1, ms_from_now(2000)))
            break;
        cycles++;
    }
    test_check(cycles == 100 && smp_runs(1) == runs + 100, "up/down cycles: %u, runs %lu",
               cycles, (unsigned long)(smp_runs(1) - runs));

    uint64_t p0 = load(&pings1), q0 = load(&pongs0);
    want = p0 + 1;
    test_check(smp_start(1, hold, &want) == 0, "start vCPU 1 for the storm");
    unsigned sent = 0;
    for (unsigned i = 0; i < STORM; i++) {
        sent += smp_send_ipi(port_to1) == 0;
        sent += smp_send_ipi(port_to0) == 0;
    }
    test_check(sent == 2 * STORM, "storm sends: %u", sent);
    test_check(smp_wait_down(1, ms_from_now(2000)), "vCPU 1 did not finish after the storm");
    events_force_callback();
    uint64_t p = load(&pings1) - p0, q = load(&pongs0) - q0;
    test_check(p >= 1 && p <= STORM && q >= 1 && q <= STORM, "storm deliveries: %lu, %lu",
               (unsigned long)p, (unsigned long)q);
    test_note("100 up/down cycles; IPI storm of %u each way: %lu and %lu deliveries", STORM,
              (unsigned long)p, (unsigned long)q);
}

enum test_result test_main(void)
{
    unsigned n = smp_nr_vcpus();
    test_note("%u vCPUs", n);
    if (n != NR_VCPUS) {
        test_note("needs dom0_max_vcpus=%u on the hypervisor command line", NR_VCPUS);
        return TEST_ERROR;
    }
    struct vcpu_runstate_info rs;
    test_check(smp_vcpu_is_up(0) == 1 && smp_vcpu_is_up(1) == 0, "is_up at boot: %ld %ld",
               smp_vcpu_is_up(0), smp_vcpu_is_up(1));
    long rc = vop(VCPUOP_get_runstate_info, 0, &rs);
    test_check(rc == 0 && rs.state == RUNSTATE_running && rs.time[RUNSTATE_running] > 0,
               "runstate of vCPU 0: %ld, state %d, %lu ns running", rc, rs.state,
               (unsigned long)rs.time[RUNSTATE_running]);
    test_check(vop(VCPUOP_get_runstate_info, 3, &rs) == 0 && rs.state == RUNSTATE_offline,
               "runstate of vCPU 3: %d", rs.state);

    long p1 = smp_bind_ipi(1, ping_on_1, NULL), p0 = smp_bind_ipi(0, pong_on_0, NULL);
    if (!test_check(p1 > 0 && p0 > 0, "bind IPIs: %ld %ld", p1, p0))
        return TEST_ERROR;
    port_to1 = (evtchn_port_t)p1;
    port_to0 = (evtchn_port_t)p0;

    hostile_contexts();
    bring_up();
    test_check(smp_vcpu_is_up(1) == 0, "vCPU 1 up after its function returned");
    ping_pong();
    timer_on_1();
    move_port();
    down_up();
    down_vcpu0();
    hostile_ids();
    busy_tables();
    baseptr_busy();
    domctl_vcpus();
    cycles_and_storm();
    test_check(load(&wrong_cpu) == 0, "%lu IPIs handled on the wrong vCPU",
               (unsigned long)load(&wrong_cpu));
    return TEST_SUCCESS;
}
