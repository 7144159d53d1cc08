/*
 * Domain creation, shutdown and crash.
 *
 * A domain that shuts down or crashes stops running at once: its vCPUs go
 * DOWN, and the exit path never returns to them. For dom0 the whole run
 * ends (dom0_shutdown_action); other domains wait for the toolstack to
 * reap them (a later issue).
 */
#include <asm/current.h>
#include <asm/x86.h>
#include <xenia/console.h>
#include <xenia/domain.h>
#include <xenia/errno.h>
#include <xenia/event.h>
#include <xenia/grant.h>
#include <xenia/mm.h>
#include <xenia/params.h>
#include <xenia/shutdown.h>
#include <xenia/time.h>
#include <public/sched.h>
#include <public/event_channel.h>
#include "core/fmt.h"

struct domain *domains[MAX_DOMAINS];
struct domain *dom0;

static void fpu_init_state(uint8_t *area)
{
    /* A clean x87/SSE state: default control words, empty registers. The
       CPU holds the running guest's state (a domctl from dom0 lands here):
       it is saved around the fninit and put back, CR0.TS included. */
    uint8_t live[512] __attribute__((aligned(16)));
    uint64_t cr0;
    __asm__ volatile("mov %%cr0, %0" : "=r"(cr0));
    __asm__ volatile("clts; fxsave (%0); fninit; fxsave (%1); fxrstor (%0)"
                     ::"r"(live), "r"(area) : "memory");
    if (cr0 & 8)
        __asm__ volatile("mov %0, %%cr0" ::"r"(cr0) : "memory");
    *(uint32_t *)(area + 24) = 0x1f80;      /* MXCSR: all exceptions masked */
}

/* A vCPU of d, DOWN with no context; its events masked until it unmasks them. */
static struct vcpu *vcpu_create(struct domain *d, unsigned id)
{
    struct vcpu *v = xzalloc(sizeof(*v));
    if (!v)
        return NULL;
    pgt_cont_init(&v->pgt_cont, PGT_BUDGET_DEFAULT);
    v->domain = d;
    v->id = id;
    v->state = VCPU_DOWN;
    v->initialised = id == 0;           /* the builder gives vCPU 0 its context */
    v->vcpu_info = &d->shared_info->vcpu_info[id];
    v->vcpu_info->evtchn_upcall_mask = 1;
    v->runstate.state = RUNSTATE_offline;
    v->runstate.state_entry_time = now_ns();
    fpu_init_state(v->fpu);
    return v;
}

static void domain_free_vcpus(struct domain *d)
{
    for (unsigned i = 0; i < MAX_VCPUS_PER_DOMAIN; i++) {
        xfree(d->vcpus[i]);
        d->vcpus[i] = NULL;
    }
}

struct domain *domain_create_vcpus(uint16_t id, bool privileged, unsigned max_vcpus)
{
    if (id >= MAX_DOMAINS || domains[id] || max_vcpus == 0 || max_vcpus > MAX_VCPUS_PER_DOMAIN)
        return NULL;
    struct domain *d = xzalloc(sizeof(*d));
    void *si = alloc_page();
    if (!d || !si) {
        xfree(d);
        if (si)
            free_page(si);
        return NULL;
    }
    d->shared_info = si;
    d->max_vcpus = max_vcpus;
    for (unsigned i = 0; i < max_vcpus; i++) {
        d->vcpus[i] = vcpu_create(d, i);
        if (!d->vcpus[i]) {
            domain_free_vcpus(d);
            free_page(si);
            xfree(d);
            return NULL;
        }
    }
    struct vcpu *v = d->vcpus[0];
    d->id = id;
    d->privileged = privileged;
    d->io_privileged = privileged;
    d->state = DOMAIN_RUNNING;
    d->shared_info_mfn = virt_to_phys(si) >> PAGE_SHIFT;
    /* The guest maps shared_info writable and the hypervisor writes it at
       any time: a permanent PGT_WRITABLE reference keeps it from ever being
       typed as a page table or descriptor frame. */
    BUG_ON(pgt_assign(&pgt_env_hv, d->shared_info_mfn, id));
    BUG_ON(pgt_get_type(&pgt_env_hv, &v->pgt_cont, d->shared_info_mfn, PGT_WRITABLE, id));
    d->console_at_line_start = true;
    d->created_tsc = rdtsc();
    fmt_snprintf(d->console_prefix, sizeof(d->console_prefix), "(d%u) ", id);

    sched_domain_init(d);
    for (unsigned i = 0; i < max_vcpus; i++)
        sched_vcpu_init(d->vcpus[i]);
    for (unsigned i = 0; i < XEN_EVTCHN_2L_WORDS; i++)
        d->shared_info->evtchn_mask[i] = ~0ull;     /* every port masked until bound */
    time_update_wallclock(d);
    if (evtchn_domain_init(d) || grant_domain_init(d)) {
        xfree(d->evtchn);
        /* The shared_info frame goes back untyped and unowned: the frame
           table must not keep it as ours once the allocator has it. */
        pgt_put_type(&pgt_env_hv, &v->pgt_cont, d->shared_info_mfn, id);
        BUG_ON(pgt_free(&pgt_env_hv, d->shared_info_mfn, id));
        free_page(si);
        domain_free_vcpus(d);
        xfree(d);
        return NULL;
    }
    domains[id] = d;
    if (id == 0)
        dom0 = d;
    if (max_vcpus > 1)
        printk("Domain %u: %u vCPUs, vCPU 0 first, the others down until the guest brings "
               "them up\n", id, max_vcpus);
    return d;
}

struct domain *domain_create(uint16_t id, bool privileged)
{
    return domain_create_vcpus(id, privileged, id == 0 ? opt_dom0_max_vcpus : 1);
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
            sched_vcpu_set_state(d->vcpus[i], VCPU_DOWN);
    printk("Domain %u shut down: reason %s (%u)\n", d->id, shutdown_reason_name(reason), reason);
    if (d == dom0)
        dom0_shutdown_action(reason);
    send_guest_virq(dom0, VIRQ_DOM_EXC, 0);       /* the toolstack reaps it */
}

void domain_crash(struct domain *d, const char *why)
{
    if (d->state != DOMAIN_RUNNING)
        return;
    pr_err("Domain %u crashed: %s\n", d->id, why);
    domain_shutdown(d, SHUTDOWN_crash);
}

int domain_add_page(struct domain *d, uint64_t pfn, uint64_t *mfn_out)
{
    uint64_t mfn;
    if (d->nr_pages >= d->max_pages)
        return -ENOMEM;
    if (alloc_frame(&mfn))
        return -ENOMEM;
    memset(phys_to_virt(mfn << PAGE_SHIFT), 0, PAGE_SIZE);
    BUG_ON(pgt_assign(&pgt_env_hv, mfn, d->id));
    m2p_set(mfn, pfn);
    d->nr_pages++;
    *mfn_out = mfn;
    return 0;
}

#define TEARDOWN_BUDGET 4096        /* frames scanned per call */
/* Phase 1 items per vCPU: kernel L4, user L4, then its GDT frames. */
#define TEARDOWN_VCPU_ITEMS (2 + ARRAY_SIZE(((struct vcpu *)0)->gdt_frames))

/* Phase 1 item `item`: the frame whose reference it drops (0: none). */
static uint64_t teardown_item_mfn(const struct vcpu *v, uint64_t item)
{
    if (item == 0)
        return v->kernel_l4_mfn;
    if (item == 1)
        return v->user_l4_mfn;
    return item - 2 < v->gdt_nr_frames ? v->gdt_frames[item - 2] : 0;
}

/*
 * Teardown, in phases that each survive preemption (every call does bounded
 * work and returns -ERESTART until the next phase):
 *  0  stop every vCPU, abort each one's pending page-table walk
 *  1  drop the base-pointer and GDT references of every vCPU, one per call
 *     (dropping the last reference of an L4 starts a release walk that may
 *     be preempted; all of them run on vCPU 0's continuation)
 *  2  unpin every table the domain pinned (pgt_relinquish)
 *  3  scan the frame table: every frame the domain owns goes back to the
 *     allocator unless something else still references it (a dom0 mapping);
 *     such frames keep the domain dying (-EBUSY) until a later call
 *  4  free the shared_info page, the vCPUs and the domain
 */
int domain_destroy(struct domain *d)
{
    struct pgt_cont *c = &d->vcpus[0]->pgt_cont;
    int rc;

    switch (d->teardown_phase) {
    case 0:
        if (d->state == DOMAIN_RUNNING && d->context_set && !d->paused)
            domain_shutdown(d, SHUTDOWN_poweroff);
        d->state = DOMAIN_DYING;
        for (unsigned i = 0; i < d->max_vcpus; i++) {
            struct vcpu *v = d->vcpus[i];
            v->state = VCPU_DOWN;
            sched_vcpu_remove(v);
            rc = pgt_cont_abort(&pgt_env_hv, &v->pgt_cont);
            if (rc)
                return rc;                  /* phase 0 again: the rest is idempotent */
        }
        d->teardown_phase = 1;
        d->teardown_cursor = 0;
        return -ERESTART;
    case 1: {
        if (!pgt_cont_idle(c) && pgt_cont_resume(&pgt_env_hv, c) == -ERESTART)
            return -ERESTART;
        /* Empty items cost nothing: skip to the next reference to drop. */
        while (d->teardown_cursor < (uint64_t)d->max_vcpus * TEARDOWN_VCPU_ITEMS) {
            uint64_t item = d->teardown_cursor++;
            uint64_t mfn = teardown_item_mfn(d->vcpus[item / TEARDOWN_VCPU_ITEMS],
                                             item % TEARDOWN_VCPU_ITEMS);
            if (mfn) {
                pgt_put_type(&pgt_env_hv, c, mfn, d->id);
                return -ERESTART;
            }
        }
        for (unsigned i = 0; i < d->max_vcpus; i++) {
            d->vcpus[i]->kernel_l4_mfn = d->vcpus[i]->user_l4_mfn = 0;
            d->vcpus[i]->gdt_nr_frames = 0;
        }
        d->teardown_phase = 2;
        d->teardown_cursor = 0;
        return -ERESTART;
    }
    case 2:
        rc = evtchn_domain_destroy(d);      /* peers see their ports unbound */
        if (rc)
            return rc;
        rc = pgt_relinquish(&pgt_env_hv, c, d->id, &d->teardown_cursor);
        if (rc == -ERESTART)
            return rc;
        rc = grant_domain_release_maps(d);  /* its page tables no longer map them */
        if (rc)
            return rc;
        d->teardown_phase = 3;
        d->teardown_cursor = 0;
        d->pages_held = 0;
        return -ERESTART;
    case 3: {
        uint64_t end = MIN(d->teardown_cursor + TEARDOWN_BUDGET, mm_max_pfn);
        for (uint64_t mfn = d->teardown_cursor; mfn < end; mfn++) {
            struct pgt_frame *f = &frame_table[mfn];
            if (f->owner != d->id || mfn == d->shared_info_mfn || grant_is_table_frame(d, mfn))
                continue;                   /* freed with the domain, in the last phase */
            if (pgt_free(&pgt_env_hv, mfn, d->id)) {
                d->pages_held++;
                continue;
            }
            m2p_set(mfn, M2P_INVALID);
            free_frame(mfn);
            d->nr_pages--;
        }
        d->teardown_cursor = end;
        if (end < mm_max_pfn)
            return -ERESTART;
        if (d->pages_held || !grant_domain_idle(d)) {
            d->teardown_cursor = 0;     /* try again on the next call */
            d->pages_held = 0;
            return -EBUSY;
        }
        d->teardown_phase = 4;
        return -ERESTART;
    }
    default:
        grant_domain_free(d);
        pgt_put_type(&pgt_env_hv, c, d->shared_info_mfn, d->id);
        if (pgt_free(&pgt_env_hv, d->shared_info_mfn, d->id) == 0)
            free_frame(d->shared_info_mfn);
        domains[d->id] = NULL;
        domain_free_vcpus(d);
        xfree(d);
        return 0;
    }
}
