/*
 * The domains dom0 started, and what happens when they stop.
 *
 * A slot per started domain (FREE -> RUNNING -> FREE). The hypervisor
 * raises VIRQ_DOM_EXC when a domain shuts down or crashes; its handler only
 * wakes the watcher thread, which then asks GET_INFO about every RUNNING
 * slot and, for each that has shut down, prints
 *   dom0: domain N (name) shut down: <reason>
 * and applies the config's on_poweroff / on_reboot / on_crash / on_watchdog
 * action: destroy (DESTROY, slot freed), preserve (left as it is, slot
 * freed), anything else is not supported yet and treated as destroy. If
 * VIRQ_DOM_EXC cannot be bound, the watcher polls every POLL_NS instead.
 */
#include "dom0.h"
#include "arch/hypercall.h"
#include "guest/console.h"
#include "guest/events.h"
#include "guest/thread.h"
#include "guest/time.h"
#include "guest/ustar.h"

#define MAX_DOMAINS 16
#define POLL_NS (100 * NSEC_PER_MSEC)
#define AUTO_DIR "etc/xen/auto"

struct started {
    bool used;
    domid_t id;
    struct xlcfg cfg;
};

static struct started doms[MAX_DOMAINS];
static volatile bool dom_exc;           /* set by the handler, cleared by the watcher */
static struct thread *watcher;
static bool virq_bound;

static void dom_exc_event(evtchn_port_t port, struct trap_frame *f, void *arg)
{
    (void)port, (void)f, (void)arg;
    dom_exc = true;
    thread_wake(watcher);
}

void domains_init(void)
{
    long port = evtchn_bind_virq(VIRQ_DOM_EXC, dom_exc_event, NULL);

    virq_bound = port >= 0;
    if (!virq_bound)
        printk("dom0: cannot bind VIRQ_DOM_EXC (%ld): polling for shutdowns\n", port);
}

unsigned domains_running(void)
{
    unsigned n = 0;
    for (unsigned i = 0; i < MAX_DOMAINS; i++)
        n += doms[i].used;
    return n;
}

static struct started *slot_new(void)
{
    for (unsigned i = 0; i < MAX_DOMAINS; i++)
        if (!doms[i].used)
            return &doms[i];
    return NULL;
}

static int start_one(const void *rd, size_t rd_len, const struct ustar_entry *cfg_file)
{
    struct started *s = slot_new();
    struct xlcfg_error err;
    struct ustar_entry kernel, ramdisk;
    struct domu_image img = { 0 };
    int rc;

    if (s == NULL) {
        printk("dom0: /%s: no room for another domain\n", cfg_file->path);
        return -XEN_ENOSPC;
    }
    rc = xlcfg_parse((const char *)cfg_file->data, cfg_file->size, &s->cfg, &err);
    if (rc < 0) {
        if (err.line != 0)
            printk("dom0: /%s:%u: %s\n", cfg_file->path, err.line, err.msg);
        else
            printk("dom0: /%s: %s\n", cfg_file->path, err.msg);
        return rc;
    }
    rc = ustar_find(rd, rd_len, s->cfg.kernel, &kernel);
    if (rc < 0) {
        printk("dom0: /%s: kernel %s not in the ramdisk\n", cfg_file->path, s->cfg.kernel);
        return rc;
    }
    img.kernel = kernel.data;
    img.kernel_len = kernel.size;
    if (s->cfg.ramdisk[0] != '\0') {
        rc = ustar_find(rd, rd_len, s->cfg.ramdisk, &ramdisk);
        if (rc < 0) {
            printk("dom0: /%s: ramdisk %s not in the ramdisk\n", cfg_file->path,
                   s->cfg.ramdisk);
            return rc;
        }
        img.ramdisk = ramdisk.data;
        img.ramdisk_len = ramdisk.size;
    }
    rc = domu_build(&s->cfg, &img, &s->id);
    if (rc < 0)
        return rc;
    s->used = true;
    if (s->cfg.weight != 256 || s->cfg.cap != 0) {
        rc = domctl_sched_set(s->id, s->cfg.weight, s->cfg.cap);
        if (rc < 0)
            printk("dom0: domain %u (%s): cpu_weight %u cap %u refused: %d\n", s->id,
                   s->cfg.name, s->cfg.weight, s->cfg.cap, rc);
    }
    printk("dom0: started domain %u (%s) from /%s\n", s->id, s->cfg.name, cfg_file->path);
    return 0;
}

unsigned domains_autostart(const void *ramdisk, size_t len)
{
    struct ustar_iter it;
    struct ustar_entry e;
    unsigned started = 0, found = 0;
    int rc;

    if (ustar_check(ramdisk, len) < 0) {
        printk("dom0: the ramdisk (%lu bytes) is not a ustar archive: no domains to start\n",
               (unsigned long)len);
        return 0;
    }
    ustar_iter_init(&it, ramdisk, len);
    while ((rc = ustar_next(&it, &e)) > 0) {
        if (!ustar_in_dir(&e, AUTO_DIR, ".cfg"))
            continue;
        found++;
        if (start_one(ramdisk, len, &e) == 0)
            started++;
    }
    printk("dom0: %u of %u autostart domains running\n", started, found);
    return started;
}

static enum xlcfg_action action_for(const struct xlcfg *cfg, uint32_t reason)
{
    switch (reason) {
    case SHUTDOWN_poweroff: return cfg->on_poweroff;
    case SHUTDOWN_reboot: return cfg->on_reboot;
    case SHUTDOWN_watchdog: return cfg->on_watchdog;
    default: return cfg->on_crash;
    }
}

static void reap(struct started *s, const struct xenia_domctl_info *info)
{
    uint32_t reason = (info->flags & XENIA_DOMINF_SHUTDOWN) ? info->shutdown_reason
                                                             : SHUTDOWN_crash;
    enum xlcfg_action act = action_for(&s->cfg, reason);

    printk("dom0: domain %u (%s) shut down: %s\n", s->id, s->cfg.name,
           domctl_shutdown_reason(reason));
    if (act == XLCFG_PRESERVE) {
        printk("dom0: domain %u (%s) preserved\n", s->id, s->cfg.name);
    } else {
        if (act != XLCFG_DESTROY)
            printk("dom0: domain %u (%s): action %s not supported yet, destroying\n", s->id,
                   s->cfg.name, xlcfg_action_name(act));
        int rc = domctl_destroy(s->id);
        if (rc < 0) {
            printk("dom0: destroying domain %u (%s) failed: %d\n", s->id, s->cfg.name, rc);
            return;                     /* tried again on the next scan */
        }
        printk("dom0: domain %u (%s) destroyed\n", s->id, s->cfg.name);
    }
    s->used = false;
}

/* One look at every running domain. */
static void scan(void)
{
    for (unsigned i = 0; i < MAX_DOMAINS; i++) {
        struct started *s = &doms[i];
        struct xenia_domctl_info info;
        if (!s->used)
            continue;
        int rc = domctl_get_info(s->id, &info);
        if (rc < 0 || info.domain != s->id) {
            printk("dom0: domain %u (%s) has gone (%d)\n", s->id, s->cfg.name, rc);
            s->used = false;
            continue;
        }
        if (info.flags & (XENIA_DOMINF_SHUTDOWN | XENIA_DOMINF_CRASHED))
            reap(s, &info);
    }
}

/* Wait for VIRQ_DOM_EXC (or a poll period) with no lost wake-up. */
static void wait_event(uint64_t deadline_ns)
{
    if (!virq_bound) {
        uint64_t now = time_now_ns();
        if (deadline_ns > now)
            thread_sleep_ns(MIN(POLL_NS, deadline_ns - now));
        return;
    }
    unsigned flags = irq_save();
    watcher = thread_current();
    if (!dom_exc)
        (void)thread_wait(deadline_ns);
    dom_exc = false;
    watcher = NULL;
    irq_restore(flags);
}

unsigned domains_wait_all(uint64_t deadline_ns)
{
    scan();
    while (domains_running() != 0 && time_now_ns() < deadline_ns) {
        wait_event(deadline_ns);
        scan();
    }
    return domains_running();
}

void domains_serve(void)
{
    for (;;) {
        wait_event(UINT64_MAX);
        scan();
    }
}

unsigned domains_measure(uint64_t seconds)
{
    uint64_t start[MAX_DOMAINS] = { 0 }, total = 0, used[MAX_DOMAINS] = { 0 };
    unsigned n = 0;
    struct xenia_domctl_info info;

    for (unsigned i = 0; i < MAX_DOMAINS; i++)
        if (doms[i].used && domctl_get_info(doms[i].id, &info) == 0)
            start[i] = info.cpu_time_ns;
    uint64_t t0 = time_now_ns();
    thread_sleep_ns(seconds * NSEC_PER_SEC);
    uint64_t elapsed = time_now_ns() - t0;
    for (unsigned i = 0; i < MAX_DOMAINS; i++) {
        if (!doms[i].used || domctl_get_info(doms[i].id, &info) < 0)
            continue;
        used[i] = info.cpu_time_ns - start[i];
        total += used[i];
    }
    uint64_t weights = 0;
    bool fair = total > 0, capped = false, caps_ok = true;
    for (unsigned i = 0; i < MAX_DOMAINS; i++)
        if (doms[i].used)
            weights += doms[i].cfg.weight;
    for (unsigned i = 0; i < MAX_DOMAINS; i++) {
        if (!doms[i].used)
            continue;
        /* share / weight share within 10%: |used * W - w * total| <= w * total / 10 */
        uint64_t lhs = used[i] * weights, rhs = doms[i].cfg.weight * total;
        if ((lhs > rhs ? lhs - rhs : rhs - lhs) * 10 > rhs)
            fair = false;
        if (doms[i].cfg.cap) {
            /* A cap is cap% of each 30 ms accounting window; an interval of
               `elapsed` overlaps at most elapsed/30ms + 1 windows (it need
               not start on a window boundary), plus one 10 ms tick of
               charging granularity. */
            capped = true;
            if (used[i] * 100 > doms[i].cfg.cap * (elapsed + 30000000ull) + 100 * 10000000ull)
                caps_ok = false;
            printk("dom0: measure: domain %u (%s) cap %u%%: %lu.%lu%% of %lu ms\n", doms[i].id,
                   doms[i].cfg.name, doms[i].cfg.cap, (unsigned long)(used[i] * 100 / elapsed),
                   (unsigned long)(used[i] * 1000 / elapsed % 10),
                   (unsigned long)(elapsed / 1000000));
        }
        printk("dom0: measure: domain %u (%s) cpu_weight %u: %lu ms of CPU, %lu.%lu%%\n",
               doms[i].id, doms[i].cfg.name, doms[i].cfg.weight,
               (unsigned long)(used[i] / 1000000),
               (unsigned long)(total ? used[i] * 100 / total : 0),
               (unsigned long)(total ? used[i] * 1000 / total % 10 : 0));
        n++;
        domctl_pause(doms[i].id);
        if (domctl_destroy(doms[i].id) == 0)
            doms[i].used = false;
    }
    if (n && !capped)
        printk("dom0: measure: CPU shares %s within 10%% of the weight shares\n",
               fair ? "are" : "are NOT");
    if (n && capped)
        printk("dom0: measure: caps %s\n", caps_ok ? "respected" : "EXCEEDED");
    if (n)
        printk("dom0: measure: domains used %lu ms of %lu ms\n", (unsigned long)(total / 1000000),
               (unsigned long)(elapsed / 1000000));
    return n;
}
