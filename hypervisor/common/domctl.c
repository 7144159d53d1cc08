/*
 * The toolstack hypercall (#36): Xenia's own versioned interface
 * (include/public/domctl.h), for dom0 only. The argument struct is copied
 * in once, checked, acted on, and copied back; long operations (POPULATE,
 * DESTROY) make progress in bounded steps through continuations.
 */
#include <asm/current.h>
#include <xenia/apic.h>
#include <xenia/console.h>
#include <xenia/domain.h>
#include <xenia/errno.h>
#include <xenia/guest_access.h>
#include <xenia/hypercall.h>
#include <xenia/mm.h>
#include <xenia/pv.h>
#include <xenia/version.h>
#include <xenia/hypercalls.h>
#include <public/domctl.h>
#include <public/sched.h>

#define POPULATE_CHUNK 512

static struct domain *domu(domid_t id)
{
    struct domain *d = domain_lookup(id);
    return d && d != dom0 ? d : NULL;
}

/*
 * Domain ids are handed out round robin, as Xen's rover does: the next free
 * id after the last one given, wrapping to 1. A destroyed domain's id is
 * reused as late as possible, so nothing that still names it (a stale
 * xenstore watch, a toolstack's record, a restarting config) meets a new
 * domain under the old number right away.
 */
static int do_create(struct xenia_domctl *op)
{
    static uint16_t rover;

    if (op->u.create.max_vcpus == 0 || op->u.create.max_vcpus > MAX_VCPUS_PER_DOMAIN ||
        op->u.create.flags)
        return -EINVAL;
    for (unsigned n = 1; n < MAX_DOMAINS; n++) {
        uint16_t id = (uint16_t)((rover + n - 1) % (MAX_DOMAINS - 1) + 1);
        if (domains[id])
            continue;
        struct domain *d = domain_create_vcpus(id, false, op->u.create.max_vcpus);
        if (!d)
            return -ENOMEM;
        d->paused = true;
        op->domain = id;
        rover = id;
        return 0;
    }
    return -ENOSPC;
}

/* As Xen: running if one of its vCPUs is on the CPU, blocked if it has
   vCPUs up and every one of them is blocked; CPU time of all its vCPUs. */
static void fill_info(const struct domain *d, struct xenia_domctl_info *info)
{
    unsigned up = 0, blocked = 0;
    memset(info, 0, sizeof(*info));
    info->domain = d->id;
    info->created_tsc = d->created_tsc;
    info->first_output_tsc = d->first_output_tsc;
    for (unsigned i = 0; i < d->max_vcpus; i++) {
        const struct vcpu *v = d->vcpus[i];
        if (get_cpu_info()->curr == v)
            info->flags |= XENIA_DOMINF_RUNNING;
        up += v->state != VCPU_DOWN;
        blocked += v->state == VCPU_BLOCKED;
        info->cpu_time_ns += v->cpu_time_ns;
    }
    if (up && blocked == up)
        info->flags |= XENIA_DOMINF_BLOCKED;
    if (d->paused)
        info->flags |= XENIA_DOMINF_PAUSED;
    if (d->state != DOMAIN_RUNNING) {
        info->flags |= XENIA_DOMINF_SHUTDOWN;
        info->shutdown_reason = d->shutdown_reason;
        if (d->shutdown_reason == SHUTDOWN_crash)
            info->flags |= XENIA_DOMINF_CRASHED;
    }
    if (d->state == DOMAIN_DYING)
        info->flags |= XENIA_DOMINF_DYING;
    info->nr_vcpus = d->max_vcpus;
    info->nr_pages = d->nr_pages;
    info->max_pages = d->max_pages;
    info->shared_info_mfn = d->shared_info_mfn;
}

static int do_populate(uint64_t arg, struct xenia_domctl *op, struct domain *d)
{
    struct xenia_domctl_populate *p = &op->u.populate;
    if (p->done > p->nr_pages || p->nr_pages > d->max_pages ||
        !guest_range_ok(p->mfns, p->nr_pages * 8) || p->nr_pages > (1ull << 32))
        return -EINVAL;
    uint64_t end = MIN(p->nr_pages, p->done + POPULATE_CHUNK);
    for (; p->done < end; p->done++) {
        uint64_t mfn;
        int rc = domain_add_page(d, p->done, &mfn);
        if (!rc)
            rc = copy_to_guest(p->mfns + p->done * 8, &mfn, 8);
        if (rc)
            return rc;
    }
    if (copy_to_guest(arg, op, sizeof(*op)))
        return -EFAULT;
    if (p->done < p->nr_pages)
        return hypercall_continuation(__HYPERVISOR_domctl, arg, 0, 0, 0, 0);
    return 0;
}

static bool owned_by(uint64_t mfn, const struct domain *d)
{
    return mfn < mm_max_pfn && frame_table[mfn].owner == d->id;
}

static int do_vcpu_context(struct xenia_domctl *op, struct domain *d)
{
    struct xenia_domctl_vcpu_context *c = &op->u.vcpu_context;
    struct vcpu *v = d->vcpus[0];
    const struct pgt_frame *f = c->kernel_l4_mfn < mm_max_pfn ? &frame_table[c->kernel_l4_mfn] : NULL;

    if (c->vcpu != 0 || d->context_set || !d->paused)
        return -EINVAL;
    if (!guest_range_ok(c->rip, 1) || !guest_range_ok(c->rsp - 1, 1) || !owned_by(c->kernel_l4_mfn, d) ||
        !f || f->type != PGT_L4 || f->type_count == 0 || f->state != PGT_VALID)
        return -EINVAL;                     /* a validated L4, no walk on it in progress */
    int rc = pgt_get_type(&pgt_env_hv, &v->pgt_cont, c->kernel_l4_mfn, PGT_L4, d->id);
    if (rc == -ERESTART)
        (void)pgt_cont_abort(&pgt_env_hv, &v->pgt_cont);   /* never for a VALID L4 */
    if (rc)
        return rc == -ERESTART ? -EINVAL : rc;
    memset(&v->regs, 0, sizeof(v->regs));
    v->regs.rip = c->rip;
    v->regs.rsp = c->rsp;
    v->regs.rsi = c->rsi;
    v->regs.rflags = X86_EFLAGS_IF | 2;
    v->regs.cs = FLAT_KERNEL_CS;
    v->regs.ss = FLAT_KERNEL_SS;
    v->kernel_mode = true;
    v->kernel_l4_mfn = c->kernel_l4_mfn;
    d->context_set = true;
    return 0;
}

long do_domctl(uint64_t arg)
{
    struct xenia_domctl op;
    struct domain *d = NULL;
    int rc;

    if (!current->domain->privileged)
        return -EPERM;
    if (copy_from_guest(&op, arg, sizeof(op)))
        return -EFAULT;
    if (op.version != XENIA_DOMCTL_VERSION)
        return -EACCES;

    switch (op.cmd) {
    case XENIA_DOMCTL_CREATE:
        rc = do_create(&op);
        break;
    case XENIA_DOMCTL_GET_INFO:
        rc = -ESRCH;
        for (unsigned id = op.domain; id < MAX_DOMAINS; id++) {
            if (domains[id]) {
                fill_info(domains[id], &op.u.info);
                op.domain = (domid_t)id;
                rc = 0;
                break;
            }
        }
        break;
    case XENIA_DOMCTL_READ_CONSOLE: {
        char buf[512];
        struct xenia_domctl_console *c = &op.u.console;
        uint32_t want = c->size, got = 0;
        while (got < want) {
            size_t n = console_ring_read(buf, MIN(sizeof(buf), (size_t)(want - got)), &c->index);
            if (!n)
                break;
            if (copy_to_guest(c->buffer + got, buf, n))
                return -EFAULT;
            got += (uint32_t)n;
        }
        c->size = got;
        rc = 0;
        break;
    }
    case XENIA_DOMCTL_PHYSINFO: {
        struct xenia_domctl_physinfo *p = &op.u.physinfo;
        memset(p, 0, sizeof(*p));
        p->nr_cpus = 1;
        p->cpu_khz = (uint32_t)tsc_khz();
        p->total_pages = mm_max_pfn;
        p->free_pages = mm_free_frames();
        p->version_major = XENIA_VERSION_MAJOR;
        p->version_minor = XENIA_VERSION_MINOR;
        memcpy(p->version, "Xenia " XENIA_VERSION_STRING, sizeof("Xenia " XENIA_VERSION_STRING));
        rc = 0;
        break;
    }
    default:
        d = domu(op.domain);
        if (!d)
            return domain_lookup(op.domain) ? -EPERM : -ESRCH;  /* dom0 itself: not here */
        if (d->state == DOMAIN_DYING && op.cmd != XENIA_DOMCTL_DESTROY &&
            op.cmd != XENIA_DOMCTL_SCHED_GET)
            return -EINVAL;
        switch (op.cmd) {
        case XENIA_DOMCTL_DESTROY:
            rc = domain_destroy(d);
            if (rc == -ERESTART)
                return hypercall_continuation(__HYPERVISOR_domctl, arg, 0, 0, 0, 0);
            return rc;
        case XENIA_DOMCTL_PAUSE:
            d->paused = true;
            for (unsigned i = 0; i < d->max_vcpus; i++)
                sched_vcpu_update(d->vcpus[i]);
            return 0;
        case XENIA_DOMCTL_UNPAUSE:
            if (!d->context_set)
                return -EINVAL;
            d->paused = false;
            /* The first unpause brings vCPU 0 up; the guest brings up the
               others, and a vCPU it took down stays down. */
            if (!d->started && d->state == DOMAIN_RUNNING) {
                d->started = true;
                d->vcpus[0]->state = VCPU_RUNNABLE;
            }
            for (unsigned i = 0; i < d->max_vcpus; i++)
                sched_vcpu_update(d->vcpus[i]);
            return 0;
        case XENIA_DOMCTL_SET_MAX_MEM:
            if (op.u.max_mem.max_pages < d->nr_pages || op.u.max_mem.max_pages > mm_max_pfn)
                return -EINVAL;
            d->max_pages = op.u.max_mem.max_pages;
            return 0;
        case XENIA_DOMCTL_POPULATE:
            return do_populate(arg, &op, d);
        case XENIA_DOMCTL_HYPERCALL_PAGE:
            if (!owned_by(op.u.hypercall_page.mfn, d) ||
                (frame_table[op.u.hypercall_page.mfn].type_count != 0 &&
                 frame_table[op.u.hypercall_page.mfn].type != PGT_WRITABLE))
                return -EINVAL;             /* not a table, not a descriptor page */
            hypercall_page_fill(phys_to_virt(op.u.hypercall_page.mfn << PAGE_SHIFT));
            return 0;
        case XENIA_DOMCTL_SET_VCPU_CONTEXT:
            return do_vcpu_context(&op, d);
        case XENIA_DOMCTL_SCHED_SET:
            return sched_set_params(d, op.u.sched.weight, op.u.sched.cap);
        case XENIA_DOMCTL_SCHED_GET:
            op.u.sched.weight = d->sched.weight;
            op.u.sched.cap = d->sched.cap;
            rc = 0;
            break;
        default:
            return -ENOSYS;
        }
    }
    if (rc)
        return rc;
    return copy_to_guest(arg, &op, sizeof(op));
}
