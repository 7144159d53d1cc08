/*
 * Domain creation, shutdown and crash.
 *
 * A domain that shuts down or crashes stops running at once: its vCPUs go
 * DOWN, and the exit path never returns to them. For dom0 the whole run
 * ends (dom0_shutdown_action); other domains wait for the toolstack to
 * reap them (a later issue).
 */
#include <asm/current.h>
#include <xenia/console.h>
#include <xenia/domain.h>
#include <xenia/mm.h>
#include <xenia/shutdown.h>
#include <xenia/time.h>
#include <public/sched.h>
#include "core/fmt.h"

struct domain *domains[MAX_DOMAINS];
struct domain *dom0;

static void fpu_init_state(uint8_t *area)
{
    /* A clean x87/SSE state: default control words, empty registers. */
    __asm__ volatile("clts; fninit; fxsave (%0)" ::"r"(area) : "memory");
    *(uint32_t *)(area + 24) = 0x1f80;      /* MXCSR: all exceptions masked */
}

struct domain *domain_create(uint16_t id, bool privileged)
{
    if (id >= MAX_DOMAINS || domains[id])
        return NULL;
    struct domain *d = xzalloc(sizeof(*d));
    struct vcpu *v = xzalloc(sizeof(*v));
    void *si = alloc_page();
    if (!d || !v || !si) {
        xfree(d);
        xfree(v);
        if (si)
            free_page(si);
        return NULL;
    }
    pgt_cont_init(&v->pgt_cont, PGT_BUDGET_DEFAULT);
    d->id = id;
    d->privileged = privileged;
    d->io_privileged = privileged;
    d->state = DOMAIN_RUNNING;
    d->shared_info = si;
    d->shared_info_mfn = virt_to_phys(si) >> PAGE_SHIFT;
    /* The guest maps shared_info writable and the hypervisor writes it at
       any time: a permanent PGT_WRITABLE reference keeps it from ever being
       typed as a page table or descriptor frame. */
    BUG_ON(pgt_assign(&pgt_env_hv, d->shared_info_mfn, id));
    BUG_ON(pgt_get_type(&pgt_env_hv, &v->pgt_cont, d->shared_info_mfn, PGT_WRITABLE, id));
    d->console_at_line_start = true;
    fmt_snprintf(d->console_prefix, sizeof(d->console_prefix), "(d%u) ", id);

    v->domain = d;
    v->id = 0;
    v->state = VCPU_DOWN;
    v->vcpu_info = &d->shared_info->vcpu_info[0];
    v->vcpu_info->evtchn_upcall_mask = 1;
    fpu_init_state(v->fpu);
    d->vcpus[0] = v;
    for (unsigned i = 0; i < XEN_EVTCHN_2L_WORDS; i++)
        d->shared_info->evtchn_mask[i] = ~0ull;     /* every port masked until bound */
    time_update_wallclock(d);
    domains[id] = d;
    if (id == 0)
        dom0 = d;
    return d;
}

struct domain *domain_lookup(uint16_t id)
{
    return id < MAX_DOMAINS ? domains[id] : NULL;
}

static const char *shutdown_reason_name(unsigned reason)
{
    switch (reason) {
    case SHUTDOWN_poweroff: return "poweroff";
    case SHUTDOWN_reboot: return "reboot";
    case SHUTDOWN_suspend: return "suspend";
    case SHUTDOWN_crash: return "crash";
    case SHUTDOWN_watchdog: return "watchdog";
    default: return "unknown";
    }
}

void domain_shutdown(struct domain *d, unsigned reason)
{
    if (d->state != DOMAIN_RUNNING)
        return;
    d->state = DOMAIN_SHUTDOWN;
    d->shutdown_reason = reason;
    for (unsigned i = 0; i < MAX_VCPUS_PER_DOMAIN; i++)
        if (d->vcpus[i])
            d->vcpus[i]->state = VCPU_DOWN;
    printk("Domain %u shut down: reason %s (%u)\n", d->id, shutdown_reason_name(reason), reason);
    if (d == dom0)
        dom0_shutdown_action(reason);
}

void domain_crash(struct domain *d, const char *why)
{
    if (d->state != DOMAIN_RUNNING)
        return;
    pr_err("Domain %u crashed: %s\n", d->id, why);
    domain_shutdown(d, SHUTDOWN_crash);
}
