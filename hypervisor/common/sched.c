/*
 * Scheduling of vCPUs, blocking, timers, and the sched_op / set_timer_op /
 * vcpu_op hypercalls.
 *
 * The policy here is round robin over runnable vCPUs (the credit scheduler
 * of a later issue replaces pick_next()). Every return to a guest goes
 * through pv_exit_prepare(): after a timer tick it wakes vCPUs whose timer
 * expired (the common path, a hypercall return, does no more than check
 * the current vCPU and its frame), and if the
 * current vCPU may not run on (blocked, down, its domain shut down) it saves
 * its frame and loads the next runnable one, idling with interrupts on until
 * there is one. One CPU; all state lives in the domain and vCPU structs.
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
#include <public/sched.h>
#include <public/vcpu.h>
#include <public/event_channel.h>

static uint64_t last_switch_ns;

static bool vcpu_can_run(const struct vcpu *v)
{
    return v && v->state == VCPU_RUNNABLE && v->domain->state == DOMAIN_RUNNING &&
           !v->domain->paused;
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
                if (v->state == VCPU_BLOCKED)
                    v->state = VCPU_RUNNABLE;   /* a timer wakes a blocked vCPU even unbound */
            }
        }
    }
}

static struct vcpu *pick_next(struct vcpu *prev)
{
    unsigned start = prev ? prev->domain->id + 1u : 0;
    for (unsigned k = 0; k < MAX_DOMAINS; k++) {
        struct domain *d = domains[(start + k) % MAX_DOMAINS];
        if (d && vcpu_can_run(d->vcpus[0]))
            return d->vcpus[0];
    }
    return prev && vcpu_can_run(prev) ? prev : NULL;
}

/* A frame the CPU can return to without faulting in ring 0. */
static bool frame_ok(const struct cpu_regs *r)
{
    return (r->cs == FLAT_RING3_CS64 || r->cs == FLAT_RING3_CS32) && r->ss == FLAT_RING3_SS64 &&
           guest_range_ok(r->rip, 1) && (guest_range_ok(r->rsp, 1) || r->rsp == 0);
}

/* Set by the timer tick: timers may have expired, scheduling may change. */
volatile bool sched_tick_pending;

void pv_exit_prepare(struct cpu_regs *regs);
void pv_exit_prepare(struct cpu_regs *regs)
{
    struct cpu_info *ci = get_cpu_info();

    for (;;) {
        bool resched = false;
        if (sched_tick_pending) {
            sched_tick_pending = false;
            wake_expired_timers();
            resched = true;                 /* time slice over: let others run */
        }
        struct vcpu *v = ci->curr;
        if (v && v->yield) {
            v->yield = false;
            resched = true;
        }
        if (resched && vcpu_can_run(v) && pick_next(v) != v) {
            v->regs = *regs;                /* preempted: round robin to the next */
            pv_save_vcpu(v);
            uint64_t now = now_ns();
            v->cpu_time_ns += now - last_switch_ns;
            struct vcpu *next = pick_next(v);
            *regs = next->regs;
            ci->curr = next;
            last_switch_ns = now;
            pv_load_vcpu(next, regs);
            continue;
        }
        if (vcpu_can_run(v)) {
            regs->rflags = (regs->rflags | X86_EFLAGS_IF) &
                           ~(uint64_t)(X86_EFLAGS_IOPL | X86_EFLAGS_NT | X86_EFLAGS_VM);
            /* Event upcall: pending and not masked -> enter the event
               callback with events masked (the guest unmasks on its way out). */
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
            continue;
        }
        struct vcpu *next = pick_next(v);
        if (v) {
            uint64_t now = now_ns();
            v->cpu_time_ns += now - last_switch_ns;
            last_switch_ns = now;
            v->regs = *regs;
            pv_save_vcpu(v);
        }
        if (!next) {
            ci->curr = NULL;
            write_cr3(paging_idle_cr3());
            safe_halt();                    /* an interrupt (the tick) wakes us */
            local_irq_disable();
            sched_tick_pending = true;
            continue;
        }
        *regs = next->regs;
        ci->curr = next;
        last_switch_ns = now_ns();
        pv_load_vcpu(next, regs);
    }
}

/* Start scheduling: the boot CPU becomes the first runnable vCPU's. */
__noreturn void sched_start(void)
{
    local_irq_disable();
    get_cpu_info()->curr = NULL;
    struct vcpu *first = pick_next(NULL);
    if (!first)
        panic("no runnable vCPU to start");
    *guest_regs() = first->regs;
    get_cpu_info()->curr = first;
    last_switch_ns = now_ns();
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
            v->state = VCPU_BLOCKED;
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
        if (p.timeout)
            v->timer_deadline = p.timeout;
        v->state = p.timeout ? VCPU_BLOCKED : v->state;
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

long do_vcpu_op(uint64_t cmd, uint64_t vcpuid, uint64_t arg)
{
    struct vcpu *v = current;

    if (vcpuid >= MAX_VCPUS_PER_DOMAIN || !v->domain->vcpus[vcpuid])
        return -ENOENT;
    struct vcpu *t = v->domain->vcpus[vcpuid];
    switch (cmd) {
    case VCPUOP_is_up:
        return t->state != VCPU_DOWN;
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
        return -ENOSYS;
    }
}
