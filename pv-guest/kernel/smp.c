/*
 * Secondary vCPUs (guest/smp.h has the model and the states).
 *
 * Ownership of struct smp_vcpu: vCPU 0 writes fn, arg and busy only while
 * the secondary is down and its previous function has returned (busy
 * clear), then brings it up with a hypercall (a full barrier); the
 * secondary reads fn/arg after it is up and clears busy, with a release
 * store, only once its function has returned. The counters are atomics:
 * vCPU 0 reads them while the secondary runs. The context buffer is vCPU
 * 0's alone (only it calls smp_start).
 */
#include "guest/smp.h"
#include "arch/hypercall.h"
#include "arch/pgtable.h"
#include "arch/traps.h"
#include "guest/console.h"
#include "guest/kernel.h"
#include "guest/mm.h"
#include "guest/time.h"

struct smp_vcpu {
    struct percpu pc;           /* its kernel GS base points here */
    smp_fn fn;
    void *arg;
    bool busy;                  /* fn handed over and not returned yet */
    bool initialised;           /* VCPUOP_initialise done */
    void *stack;
    long timer_port;            /* its VIRQ_TIMER, 0 until bound */
    uint64_t timer_events;
    uint64_t runs;
};

static struct smp_vcpu vcpus[SMP_MAX_VCPUS];
static struct vcpu_guest_context ctxt;     /* 5 KiB: not on a thread's stack */

void smp_init_boot(void)
{
    struct percpu *pc = &vcpus[0].pc;
    pc->self = pc;
    pc->vcpu_id = 0;
    long rc = HYPERVISOR_set_segment_base(SEGBASE_GS_KERNEL, (uint64_t)(uintptr_t)pc);
    if (rc < 0) {
        printk("smp: cannot set the kernel GS base: %ld\n", rc);
        guest_crash("no per-vCPU area");
    }
}

long smp_vcpu_is_up(unsigned vcpu)
{
    return HYPERVISOR_vcpu_op(VCPUOP_is_up, vcpu, NULL);
}

long smp_vcpu_up(unsigned vcpu)
{
    return HYPERVISOR_vcpu_op(VCPUOP_up, vcpu, NULL);
}

long smp_vcpu_down(unsigned vcpu)
{
    return HYPERVISOR_vcpu_op(VCPUOP_down, vcpu, NULL);
}

unsigned smp_nr_vcpus(void)
{
    unsigned n = 1;
    while (n < SMP_MAX_VCPUS && smp_vcpu_is_up(n) >= 0)
        n++;
    return n;
}

uint64_t smp_runs(unsigned vcpu)
{
    return vcpu < SMP_MAX_VCPUS ? __atomic_load_n(&vcpus[vcpu].runs, __ATOMIC_ACQUIRE) : 0;
}

uint64_t smp_timer_events(unsigned vcpu)
{
    return vcpu < SMP_MAX_VCPUS ? __atomic_load_n(&vcpus[vcpu].timer_events, __ATOMIC_RELAXED)
                                : 0;
}

/* Where a secondary vCPU starts (rdi = its struct, a zero return address
 * on the stack as if called), and where it comes back to after each
 * VCPUOP_up that follows its own VCPUOP_down. */
static __noreturn void secondary_main(struct smp_vcpu *sv)
{
    for (;;) {
        irq_enable();
        sv->fn(sv->arg);
        (void)irq_save();
        __atomic_fetch_add(&sv->runs, 1, __ATOMIC_RELEASE);
        __atomic_store_n(&sv->busy, false, __ATOMIC_RELEASE);
        (void)smp_vcpu_down(sv->pc.vcpu_id);
    }
}

static void timer_event(evtchn_port_t port, struct trap_frame *f, void *arg)
{
    struct smp_vcpu *sv = arg;
    (void)port;
    (void)f;
    __atomic_fetch_add(&sv->timer_events, 1, __ATOMIC_RELAXED);
}

int smp_build_context(struct vcpu_guest_context *c, unsigned vcpu)
{
    if (vcpu == 0 || vcpu >= SMP_MAX_VCPUS)
        return -XEN_EINVAL;
    struct smp_vcpu *sv = &vcpus[vcpu];
    if (sv->stack == NULL) {
        sv->stack = mm_alloc_pages(SMP_STACK_PAGES);
        if (sv->stack == NULL)
            return -XEN_ENOMEM;
    }
    sv->pc.self = &sv->pc;
    sv->pc.vcpu_id = vcpu;

    uint64_t top = (uint64_t)(uintptr_t)sv->stack + SMP_STACK_PAGES * PAGE_SIZE;
    *(uint64_t *)(uintptr_t)(top - 8) = 0;     /* secondary_main's return address */
    memset(c, 0, sizeof(*c));
    c->flags = VGCF_in_kernel;                  /* no i387_valid: a clean FPU */
    c->user_regs.rip = (uint64_t)(uintptr_t)secondary_main;
    c->user_regs.rsp = top - 8;
    c->user_regs.rdi = (uint64_t)(uintptr_t)sv;
    c->user_regs.cs = FLAT_KERNEL_CS;
    c->user_regs.ss = FLAT_KERNEL_SS;
    c->user_regs.rflags = 0x202;
    traps_fill_context(c);
    c->kernel_ss = FLAT_KERNEL_SS;
    c->kernel_sp = top;
    c->ctrlreg[3] = xen_pfn_to_cr3(pt_root_mfn());
    c->gs_base_kernel = (uint64_t)(uintptr_t)&sv->pc;
    return 0;
}

/* First start of `vcpu`: its timer VIRQ, then its context. */
static int first_start(unsigned vcpu)
{
    struct smp_vcpu *sv = &vcpus[vcpu];
    if (sv->timer_port == 0) {
        long port = evtchn_bind_virq_vcpu(VIRQ_TIMER, vcpu, timer_event, sv);
        if (port < 0)
            return (int)port;
        sv->timer_port = port;
    }
    int rc = smp_build_context(&ctxt, vcpu);
    if (rc == 0)
        rc = (int)HYPERVISOR_vcpu_op(VCPUOP_initialise, vcpu, &ctxt);
    if (rc < 0) {
        printk("smp: cannot initialise vCPU %u: %d\n", vcpu, rc);
        return rc;
    }
    sv->initialised = true;
    return 0;
}

int smp_start(unsigned vcpu, smp_fn fn, void *arg)
{
    if (vcpu == 0 || vcpu >= SMP_MAX_VCPUS || fn == NULL)
        return -XEN_EINVAL;
    struct smp_vcpu *sv = &vcpus[vcpu];
    long up = smp_vcpu_is_up(vcpu);
    if (up < 0)
        return (int)up;
    if (up > 0 || __atomic_load_n(&sv->busy, __ATOMIC_ACQUIRE))
        return -XEN_EBUSY;
    if (!sv->initialised) {
        int rc = first_start(vcpu);
        if (rc < 0)
            return rc;
    }
    sv->fn = fn;
    sv->arg = arg;
    sv->busy = true;
    long rc = smp_vcpu_up(vcpu);
    if (rc < 0)
        sv->busy = false;
    return (int)rc;
}

bool smp_wait_down(unsigned vcpu, uint64_t deadline_ns)
{
    for (;;) {
        long up = smp_vcpu_is_up(vcpu);
        if (up <= 0)
            return up == 0;
        if (time_now_ns() >= deadline_ns)
            return false;
        (void)HYPERVISOR_sched_op(SCHEDOP_yield, NULL);
    }
}

long smp_bind_ipi(unsigned vcpu, evtchn_handler_fn fn, void *arg)
{
    return evtchn_bind_ipi(vcpu, fn, arg);
}

long smp_send_ipi(evtchn_port_t port)
{
    return evtchn_notify(port);
}
