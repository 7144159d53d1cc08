/*
 * Hypercall 36 (Xenia's domctl, public/domctl.h) for dom0's toolstack: one
 * wrapper per command. Every call carries XENIA_DOMCTL_VERSION; a
 * hypervisor of another revision answers -EACCES, which callers report.
 */
#include "dom0.h"
#include "arch/hypercall.h"

static int call(uint32_t cmd, domid_t domid, struct xenia_domctl *op)
{
    op->cmd = cmd;
    op->version = XENIA_DOMCTL_VERSION;
    op->domain = domid;
    return (int)HYPERVISOR_domctl(op);
}

int domctl_create(uint32_t max_vcpus, domid_t *domid)
{
    struct xenia_domctl op = { .u.create = { .max_vcpus = max_vcpus } };
    int rc = call(XENIA_DOMCTL_CREATE, 0, &op);

    if (rc == 0)
        *domid = op.domain;
    return rc;
}

int domctl_destroy(domid_t domid)
{
    struct xenia_domctl op = { 0 };
    return call(XENIA_DOMCTL_DESTROY, domid, &op);
}

int domctl_pause(domid_t domid)
{
    struct xenia_domctl op = { 0 };
    return call(XENIA_DOMCTL_PAUSE, domid, &op);
}

int domctl_sched_set(domid_t domid, uint32_t weight, uint32_t cap)
{
    struct xenia_domctl op = { 0 };
    op.u.sched.weight = weight;
    op.u.sched.cap = cap;
    return call(XENIA_DOMCTL_SCHED_SET, domid, &op);
}

int domctl_unpause(domid_t domid)
{
    struct xenia_domctl op = { 0 };
    return call(XENIA_DOMCTL_UNPAUSE, domid, &op);
}

int domctl_get_info(domid_t domid, struct xenia_domctl_info *info)
{
    struct xenia_domctl op = { 0 };
    int rc = call(XENIA_DOMCTL_GET_INFO, domid, &op);

    if (rc == 0)
        *info = op.u.info;
    return rc;
}

int domctl_set_max_mem(domid_t domid, uint64_t max_pages)
{
    struct xenia_domctl op = { .u.max_mem = { .max_pages = max_pages } };
    return call(XENIA_DOMCTL_SET_MAX_MEM, domid, &op);
}

/*
 * POPULATE is resumable: `done` says how many of nr_pages exist, and frame
 * i lands in mfns[i]. The hypervisor normally finishes through its own
 * continuations; if it returns early anyway, ask again from `done`. A call
 * that adds nothing ends the loop, so a stuck hypervisor cannot hang us.
 */
int domctl_populate(domid_t domid, uint64_t nr, uint64_t *mfns)
{
    struct xenia_domctl op = {
        .u.populate = { .nr_pages = nr, .mfns = (uint64_t)(uintptr_t)mfns, .done = 0 },
    };

    while (op.u.populate.done < nr) {
        uint64_t before = op.u.populate.done;
        int rc = call(XENIA_DOMCTL_POPULATE, domid, &op);
        if (rc < 0)
            return rc;
        if (op.u.populate.done <= before || op.u.populate.done > nr)
            return -XEN_ENOMEM;
    }
    return 0;
}

int domctl_hypercall_page(domid_t domid, uint64_t mfn)
{
    struct xenia_domctl op = { .u.hypercall_page = { .mfn = mfn } };
    return call(XENIA_DOMCTL_HYPERCALL_PAGE, domid, &op);
}

int domctl_set_vcpu_context(domid_t domid, const struct xenia_domctl_vcpu_context *ctx)
{
    struct xenia_domctl op = { .u.vcpu_context = *ctx };
    return call(XENIA_DOMCTL_SET_VCPU_CONTEXT, domid, &op);
}

int domctl_physinfo(struct xenia_domctl_physinfo *info)
{
    struct xenia_domctl op = { 0 };
    int rc = call(XENIA_DOMCTL_PHYSINFO, 0, &op);

    if (rc == 0)
        *info = op.u.physinfo;
    return rc;
}

const char *domctl_shutdown_reason(uint32_t reason)
{
    static const char *const names[] = {
        [SHUTDOWN_poweroff] = "poweroff", [SHUTDOWN_reboot] = "reboot",
        [SHUTDOWN_suspend] = "suspend",   [SHUTDOWN_crash] = "crash",
        [SHUTDOWN_watchdog] = "watchdog", [SHUTDOWN_soft_reset] = "soft_reset",
    };
    return reason < ARRAY_SIZE(names) && names[reason] != NULL ? names[reason] : "unknown";
}
