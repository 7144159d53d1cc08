/*
 * Scheduling of vCPUs, blocking, timers, and the sched_op / set_timer_op /
 * vcpu_op hypercalls.
 *
 * The policy is core/sched_credit (proportional share by domain weight,
 * caps, boost on wake); this file is its glue. Every change of whether a
 * vCPU may run (block, wake, pause, shutdown, down) goes through
 * sched_vcpu_set_state()/sched_vcpu_update(), which tell the policy. Every
 * return to a guest goes through pv_exit_prepare(): after a timer tick it
 * wakes vCPUs whose timer expired and lets the policy charge the running
 * vCPU (accounting every period); when the policy asks for it, or the
 * current vCPU may not run on, it picks the next vCPU and switches, idling
 * with interrupts on until there is one. The common path (a hypercall
 * return with nothing pending) only checks the current vCPU and its frame.
 * One CPU for now; the policy keeps per-run-queue state only. A domain's
 * vCPUs are scheduled like any others (the policy shares the domain's
 * weight among its active vCPUs); each has its own state, timer, vcpu_info
 * and runstate, and vcpu_op brings them up and down.
 */
#include <asm/current.h>
#include <asm/x86.h>
#include <xenia/console.h>
#include <xenia/domain.h>
#include <xenia/errno.h>
#include <xenia/event.h>
#include <xenia/guest_access.h>
#include <xenia/hypercalls.h>
#include <xenia/mm.h>
#include <xenia/shutdown.h>
#include <xenia/pv.h>
#include <xenia/time.h>
#include <xenia/apic.h>
#include <public/sched.h>
#include <public/vcpu.h>
#include <public/event_channel.h>

static uint64_t last_switch_ns;
static struct sched_credit runq;            /* this CPU's run queue (credit policy) */
static bool need_resched;
static unsigned ticks_since_account;

static bool vcpu_can_run(const struct vcpu *v)
{
    return v && v->state == VCPU_RUNNABLE && v->domain->state == DOMAIN_RUNNING &&
           !v->domain->paused;
}

static struct vcpu *vcpu_of(struct sched_credit_vcpu *sv)
{
    return sv ? (struct vcpu *)((char *)sv - offsetof(struct vcpu, sched)) : NULL;
}

void sched_init(void)
{
    struct sched_credit_params p = SCHED_CREDIT_PARAMS_DEFAULT;
    p.tick_ns = 1000000000ull / TICK_HZ;
    BUG_ON(sched_credit_init(&runq, &p));
}

void sched_domain_init(struct domain *d)
{
    BUG_ON(sched_credit_dom_init(&d->sched, d->max_vcpus, SCHED_CREDIT_WEIGHT_DEFAULT, 0));
}

void sched_vcpu_init(struct vcpu *v)
{
    sched_credit_vcpu_init(&v->sched, &v->domain->sched);
}

/*
 * Runstate (VCPUOP_get_runstate_info): running while it is this CPU's
 * vCPU, blocked while BLOCKED, runnable while it may run, offline
 * otherwise (DOWN, paused, its domain shut down). Every place that can
 * change one of those calls this afterwards; time[] accumulates the time
 * spent in each state up to state_entry_time.
 */
static void runstate_sync(struct vcpu *v, uint64_t now)
{
    int rs = get_cpu_info()->curr == v    ? RUNSTATE_running
             : v->state == VCPU_BLOCKED   ? RUNSTATE_blocked
             : vcpu_can_run(v)            ? RUNSTATE_runnable
                                          : RUNSTATE_offline;
    struct vcpu_runstate_info *r = &v->runstate;
    if (rs == r->state)
        return;
    r->time[r->state] += now - r->state_entry_time;
    r->state = rs;
    r->state_entry_time = now;
}

/*
 * Tell the policy whether v may run now. Every change of a vCPU's state, of
 * its domain's state or of its domain's pause flag ends here.
 */
void sched_vcpu_update(struct vcpu *v)
{
    uint64_t now = now_ns();
    runstate_sync(v, now);
    if (vcpu_can_run(v)) {
        if (sched_credit_wake(&runq, &v->sched, now))
            need_resched = true;
    } else if (v->sched.state == SCHED_CREDIT_QUEUED || v->sched.state == SCHED_CREDIT_RUNNING) {
        if (v->sched.state == SCHED_CREDIT_RUNNING)
            need_resched = true;
        sched_credit_sleep(&runq, &v->sched, now);
    }
}

void sched_vcpu_remove(struct vcpu *v)
{
    if (v->sched.state == SCHED_CREDIT_RUNNING)
        need_resched = true;
    sched_credit_remove(&runq, &v->sched, now_ns());
}

void sched_vcpu_set_state(struct vcpu *v, enum vcpu_state state)
{
    v->state = state;
    sched_vcpu_update(v);
}

int sched_set_params(struct domain *d, uint32_t weight, uint32_t cap)
{
    return sched_credit_set_params(&d->sched, weight, cap) ? -EINVAL : 0;
}

static void wake_expired_timers(void)
{
    uint64_t now = now_ns();
    for (unsigned i = 0; i < MAX_DOMAINS; i++) {
        struct domain *d = domains[i];
        if (!d || d->state != DOMAIN_RUNNING)
            continue;
        for (unsigned j = 0; j < MAX_VCPUS_PER_DOMAIN; j++) {
            struct vcpu *v = d->vcpus[j];
            if (v && v->timer_deadline && v->timer_deadline <= now) {
                v->timer_deadline = 0;
                send_guest_virq(d, VIRQ_TIMER, v->id);
                if (v->state == VCPU_BLOCKED)   /* a timer wakes a blocked vCPU even unbound */
                    sched_vcpu_set_state(v, VCPU_RUNNABLE);
            }
        }
    }
}

/* A frame the CPU can return to without faulting in ring 0. */
static bool frame_ok(const struct cpu_regs *r)
{
    return (r->cs == FLAT_RING3_CS64 || r->cs == FLAT_RING3_CS32) && r->ss == FLAT_RING3_SS64 &&
           guest_range_ok(r->rip, 1) && (guest_range_ok(r->rsp, 1) || r->rsp == 0);
}

/* Set by the timer tick: timers may have expired, scheduling may change. */
volatile bool sched_tick_pending;

/* Switch the CPU from its current vCPU (if any) to next (if any). */
static void context_switch(struct cpu_info *ci, struct cpu_regs *regs, struct vcpu *next)
{
    struct vcpu *v = ci->curr;
    uint64_t now = now_ns();
    if (v) {
        v->cpu_time_ns += now - last_switch_ns;
        v->regs = *regs;
        pv_save_vcpu(v);
    }
    last_switch_ns = now;
    ci->curr = next;
    if (v)
        runstate_sync(v, now);
    if (next) {
        runstate_sync(next, now);
        *regs = next->regs;
        pv_load_vcpu(next, regs);
    }
}

void pv_exit_prepare(struct cpu_regs *regs);
void pv_exit_prepare(struct cpu_regs *regs)
{
    struct cpu_info *ci = get_cpu_info();

    for (;;) {
        if (sched_tick_pending) {
            sched_tick_pending = false;
            wake_expired_timers();
            uint64_t now = now_ns();
            if (sched_credit_tick(&runq, now))
                need_resched = true;
            if (++ticks_since_account * (1000000000ull / TICK_HZ) >= runq.p.period_ns) {
                ticks_since_account = 0;
                if (sched_credit_account(&runq, now))
                    need_resched = true;
            }
        }
        struct vcpu *v = ci->curr;
        if (v && v->yield) {
            v->yield = false;
            sched_credit_yield(&runq);
            need_resched = true;
        }
        if (v && !vcpu_can_run(v))
            sched_vcpu_update(v);           /* it blocked, went down or its domain stopped */
        if (need_resched || !v || !vcpu_can_run(v)) {
            need_resched = false;
            uint64_t slice;
            struct vcpu *next = vcpu_of(sched_credit_pick(&runq, now_ns(), &slice));
            if (next != v)
                context_switch(ci, regs, next);
            if (!next) {
                write_cr3(paging_idle_cr3());
                safe_halt();                /* an interrupt (the tick) wakes us */
                local_irq_disable();
                sched_tick_pending = true;
                continue;
            }
            v = next;
        }
        regs->rflags = (regs->rflags | X86_EFLAGS_IF) &
                       ~(uint64_t)(X86_EFLAGS_IOPL | X86_EFLAGS_NT | X86_EFLAGS_VM);
        /* Event upcall: pending and not masked -> enter the event callback
           with events masked (the guest unmasks on its way out). */
        const volatile struct vcpu_info *vi = v->vcpu_info;
        if (vi->evtchn_upcall_pending && !vi->evtchn_upcall_mask && v->event_cb &&
            frame_ok(regs)) {
            pv_bounce(v, regs, v->event_cb, false, 0, true);
            continue;
        }
        if (frame_ok(regs))
            return;
        /* The CPU would fault in ring 0 returning there: the guest kernel
           gets a #GP instead (XSA-7), or the domain dies if it cannot. */
        pr_debug("d%u: bad frame cs %#lx ss %#lx rip %#lx rsp %#lx: #GP to the guest\n",
                 v->domain->id, regs->cs, regs->ss, regs->rip, regs->rsp);
        pv_inject_exception(v, regs, VEC_GP, true, 0);
    }
}

/* Start scheduling: the boot CPU becomes the first runnable vCPU's. */
__noreturn void sched_start(void)
{
    local_irq_disable();
    get_cpu_info()->curr = NULL;
    uint64_t slice;
    struct vcpu *first = vcpu_of(sched_credit_pick(&runq, now_ns(), &slice));
    if (!first)
        panic("no runnable vCPU to start");
    *guest_regs() = first->regs;
    get_cpu_info()->curr = first;
    last_switch_ns = now_ns();
    runstate_sync(first, last_switch_ns);
    pv_load_vcpu(first, guest_regs());
    enter_guest();
}

long do_sched_op(uint64_t cmd, uint64_t arg)
{
    struct vcpu *v = current;

    switch (cmd) {
    case SCHEDOP_yield:
        v->yield = true;                    /* the exit path runs another vCPU if any */
        return 0;
    case SCHEDOP_block:
        /* Block until an event or the timer; events are enabled, as in Xen. */
        v->vcpu_info->evtchn_upcall_mask = 0;
        if (!v->vcpu_info->evtchn_upcall_pending)
            sched_vcpu_set_state(v, VCPU_BLOCKED);
        return 0;
    case SCHEDOP_shutdown: {
        struct sched_shutdown s;
        if (copy_from_guest(&s, arg, sizeof(s)))
            return -EFAULT;
        if (s.reason > SHUTDOWN_MAX)
            return -EINVAL;
        domain_shutdown(v->domain, s.reason);
        return 0;
    }
    case SCHEDOP_poll: {
        struct sched_poll p;
        if (copy_from_guest(&p, arg, sizeof(p)))
            return -EFAULT;
        if (p.nr_ports > 128)
            return -EINVAL;
        /* No event channels yet: wait for the timeout only. */
        if (p.timeout) {
            v->timer_deadline = p.timeout;
            sched_vcpu_set_state(v, VCPU_BLOCKED);
        }
        return 0;
    }
    default:
        return -ENOSYS;
    }
}

long do_set_timer_op(uint64_t deadline)
{
    current->timer_deadline = deadline;
    return 0;
}

/* VCPUOP_initialise: the context is copied in whole, once; Xen's order of
   checks (copy, then -EEXIST, then the context itself). */
static long vcpu_initialise(struct vcpu *t, uint64_t arg)
{
    struct vcpu_guest_context *c = xmalloc(sizeof(*c));
    if (!c)
        return -ENOMEM;
    long rc = copy_from_guest(c, arg, sizeof(*c)) ? -EFAULT
              : t->initialised                    ? -EEXIST
                                                  : pv_vcpu_initialise(t, c);
    xfree(c);
    return rc;
}

/*
 * vcpu_op on vCPU `vcpuid` of the caller's own domain (-ENOENT past
 * max_vcpus, as Xen). up/down/is_up/initialise/get_runstate_info work on
 * any of them; the timers only on the caller itself. A vCPU that downs
 * itself stops on the way out of this hypercall and, once up again, resumes
 * after it with 0. Downing the last vCPU that is up shuts the domain down
 * with reason poweroff, as Xen does (dom0 then reaps it).
 */
long do_vcpu_op(uint64_t cmd, uint64_t vcpuid, uint64_t arg)
{
    struct vcpu *v = current;

    if (vcpuid >= v->domain->max_vcpus)
        return -ENOENT;
    struct vcpu *t = v->domain->vcpus[vcpuid];
    switch (cmd) {
    case VCPUOP_initialise:
        return vcpu_initialise(t, arg);
    case VCPUOP_up:
        if (!t->initialised)
            return -EINVAL;
        if (t->state == VCPU_DOWN)
            sched_vcpu_set_state(t, VCPU_RUNNABLE);
        return 0;
    case VCPUOP_down: {
        /* As Xen: the last vCPU going down powers the domain off. */
        struct domain *d = v->domain;
        bool others_up = false;
        for (unsigned i = 0; i < d->max_vcpus; i++)
            others_up |= i != vcpuid && d->vcpus[i]->state != VCPU_DOWN;
        if (!others_up) {
            domain_shutdown(d, SHUTDOWN_poweroff);
            return 0;
        }
        if (t->state != VCPU_DOWN)
            sched_vcpu_set_state(t, VCPU_DOWN);
        return 0;
    }
    case VCPUOP_is_up:
        return t->state != VCPU_DOWN;
    case VCPUOP_get_runstate_info: {
        uint64_t now = now_ns();
        struct vcpu_runstate_info r = t->runstate;
        r.time[r.state] += now - r.state_entry_time;    /* the current state, up to now */
        return copy_to_guest(arg, &r, sizeof(r));
    }
    case VCPUOP_set_singleshot_timer: {
        struct vcpu_set_singleshot_timer st;
        if (t != v)
            return -EINVAL;
        if (copy_from_guest(&st, arg, sizeof(st)))
            return -EFAULT;
        if ((st.flags & VCPU_SSHOTTMR_future) && st.timeout_abs_ns < now_ns())
            return -ETIME;
        t->timer_deadline = st.timeout_abs_ns;
        return 0;
    }
    case VCPUOP_stop_singleshot_timer:
        if (t != v)
            return -EINVAL;
        t->timer_deadline = 0;
        return 0;
    case VCPUOP_stop_periodic_timer:
        return 0;                           /* no periodic timer is ever running */
    default:
        return -ENOSYS;                     /* register_vcpu_info etc.: guests fall back */
    }
}
