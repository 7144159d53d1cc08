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
 * freed), restart / rename-restart (destroyed, then built again from the
 * same config in the same slot, at most MAX_RESTARTS times), anything else
 * (coredump-*) is not supported yet and treated as destroy. If
 * VIRQ_DOM_EXC cannot be bound, the watcher polls every POLL_NS instead.
 */
#include <stdio.h>
#include <string.h>

#include "dom0.h"
#include "arch/hypercall.h"
#include "guest/console.h"
#include "guest/events.h"
#include "guest/thread.h"
#include "guest/time.h"
#include "guest/ustar.h"

#define MAX_DOMAINS 64
#define MAX_RESTARTS 10                 /* per slot, over dom0's life */
#define POLL_NS (100 * NSEC_PER_MSEC)
#define AUTO_DIR "etc/xen/auto"

struct started {
    bool used;
    domid_t id;
    struct xlcfg cfg;
    char from[100];             /* the config's path in the ramdisk */
    unsigned restarts;
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

/* The ramdisk domains are built from (kernels are looked up there again
   when a domain restarts). */
static const void *boot_rd;
static size_t boot_rd_len;

/*
 * Build and start the domain of slot s from its parsed config (kernel and
 * ramdisk looked up in the boot ramdisk); the slot is used on success.
 * `from` names the config in messages.
 */
static int build_slot(struct started *s, const char *from)
{
    struct ustar_entry kernel, ramdisk;
    struct domu_image img = { 0 };
    int rc = ustar_find(boot_rd, boot_rd_len, s->cfg.kernel, &kernel);

    if (rc < 0) {
        printk("dom0: /%s: kernel %s not in the ramdisk\n", from, s->cfg.kernel);
        return rc;
    }
    img.kernel = kernel.data;
    img.kernel_len = kernel.size;
    if (s->cfg.ramdisk[0] != '\0') {
        rc = ustar_find(boot_rd, boot_rd_len, s->cfg.ramdisk, &ramdisk);
        if (rc < 0) {
            printk("dom0: /%s: ramdisk %s not in the ramdisk\n", from, s->cfg.ramdisk);
            return rc;
        }
        img.ramdisk = ramdisk.data;
        img.ramdisk_len = ramdisk.size;
    }
    struct domu_built built;
    rc = domu_build(&s->cfg, &img, &built);
    if (rc < 0)
        return rc;
    s->id = built.domid;
    s->used = true;
    if (xenstore_running()) {
        rc = xenstore_domain_add(s->id, s->cfg.name, built.store_mfn, built.store_port);
        if (rc < 0)
            printk("dom0: domain %u (%s): no xenstore connection: %d\n", s->id, s->cfg.name,
                   rc);
    }
    if (s->cfg.weight != 256 || s->cfg.cap != 0) {
        rc = domctl_sched_set(s->id, s->cfg.weight, s->cfg.cap);
        if (rc < 0)
            printk("dom0: domain %u (%s): cpu_weight %u cap %u refused: %d\n", s->id,
                   s->cfg.name, s->cfg.weight, s->cfg.cap, rc);
    }
    printk("dom0: started domain %u (%s) from /%s\n", s->id, s->cfg.name, from);
    return 0;
}

/* Parse a config of the ramdisk into a new slot and start it; `name`
   overrides the config's name (NULL: keep it). */
static int start_one(const void *rd, size_t rd_len, const struct ustar_entry *cfg_file,
                     const char *name)
{
    struct started *s = slot_new();
    struct xlcfg_error err;

    boot_rd = rd;
    boot_rd_len = rd_len;
    if (s == NULL) {
        printk("dom0: /%s: no room for another domain\n", cfg_file->path);
        return -XEN_ENOSPC;
    }
    int rc = xlcfg_parse((const char *)cfg_file->data, cfg_file->size, &s->cfg, &err);
    if (rc < 0) {
        if (err.line != 0)
            printk("dom0: /%s:%u: %s\n", cfg_file->path, err.line, err.msg);
        else
            printk("dom0: /%s: %s\n", cfg_file->path, err.msg);
        return rc;
    }
    if (name != NULL)
        snprintf(s->cfg.name, sizeof(s->cfg.name), "%s", name);
    s->restarts = 0;
    snprintf(s->from, sizeof(s->from), "%s", cfg_file->path);
    return build_slot(s, s->from);
}

/*
 * `peer=NAME` in a domain's extra: tell it NAME's domain id through
 * /local/domain/<id>/peer-domid (owner dom0, readable by the domain), the
 * way a toolstack connects the two ends of a device. The domains then meet
 * through their own /local/domain/<id>/data nodes.
 */
static void pair_peers(void)
{
    for (unsigned i = 0; i < MAX_DOMAINS; i++) {
        const char *p = doms[i].used ? strstr(doms[i].cfg.extra, "peer=") : NULL;
        if (p == NULL)
            continue;
        p += 5;
        size_t len = strcspn(p, " ");
        const struct started *peer = NULL;
        for (unsigned j = 0; j < MAX_DOMAINS && peer == NULL; j++)
            if (doms[j].used && j != i && strlen(doms[j].cfg.name) == len &&
                strncmp(doms[j].cfg.name, p, len) == 0)
                peer = &doms[j];
        if (peer == NULL) {
            printk("dom0: domain %u (%s): peer %.*s is not running\n", doms[i].id,
                   doms[i].cfg.name, (int)len, p);
            continue;
        }
        char path[64], val[8];
        snprintf(path, sizeof(path), "/local/domain/%u/peer-domid", doms[i].id);
        snprintf(val, sizeof(val), "%u", peer->id);
        int rc = xenstore_write(path, val);
        if (rc < 0)
            printk("dom0: domain %u (%s): cannot write %s: %d\n", doms[i].id, doms[i].cfg.name,
                   path, rc);
    }
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
        if (start_one(ramdisk, len, &e, NULL) == 0)
            started++;
    }
    printk("dom0: %u of %u autostart domains running\n", started, found);
    pair_peers();
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
        s->used = false;
        return;
    }
    bool restart = act == XLCFG_RESTART || act == XLCFG_RENAME_RESTART;
    if (act != XLCFG_DESTROY && !restart)
        printk("dom0: domain %u (%s): action %s not supported yet, destroying\n", s->id,
               s->cfg.name, xlcfg_action_name(act));
    xenstore_domain_remove(s->id);
    int rc = domctl_destroy(s->id);
    if (rc < 0) {
        printk("dom0: destroying domain %u (%s) failed: %d\n", s->id, s->cfg.name, rc);
        return;                         /* tried again on the next scan */
    }
    printk("dom0: domain %u (%s) destroyed\n", s->id, s->cfg.name);
    s->used = false;
    if (!restart)
        return;
    /* A domain that keeps rebooting is stopped after MAX_RESTARTS. */
    if (++s->restarts > MAX_RESTARTS) {
        printk("dom0: domain %s restarted %u times: not restarting it again\n", s->cfg.name,
               MAX_RESTARTS);
        return;
    }
    domid_t old = s->id;
    if (build_slot(s, s->from) == 0)
        printk("dom0: domain %u (%s) restarted as domain %u\n", old, s->cfg.name, s->id);
    else
        printk("dom0: restarting %s failed\n", s->cfg.name);
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
        xenstore_domain_remove(doms[i].id);
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

/*
 * Start copy `k` of /etc/xen/bench.cfg, named "<stem><k>", and wait until it
 * has written to its console and gone idle (all vCPUs blocked). The slot,
 * or NULL (said why); *info is the domain's last GET_INFO.
 */
static struct started *start_copy(const void *ramdisk, size_t len, const struct ustar_entry *cfg,
                                  const char *stem, unsigned k, struct xenia_domctl_info *info)
{
    char name[16];
    struct started *s = NULL;

    snprintf(name, sizeof(name), "%s%u", stem, k);
    if (start_one(ramdisk, len, cfg, name) < 0)
        return NULL;
    for (unsigned i = 0; i < MAX_DOMAINS && s == NULL; i++)
        if (doms[i].used && strcmp(doms[i].cfg.name, name) == 0)
            s = &doms[i];
    memset(info, 0, sizeof(*info));
    uint64_t deadline = time_now_ns() + 10 * NSEC_PER_SEC;
    while (s != NULL && time_now_ns() < deadline &&
           (domctl_get_info(s->id, info) < 0 || info->first_output_tsc == 0 ||
            !(info->flags & XENIA_DOMINF_BLOCKED)))
        thread_sleep_ns(NSEC_PER_MSEC);
    if (s != NULL && info->first_output_tsc == 0) {
        printk("dom0: %s never wrote to its console\n", name);
        return NULL;
    }
    return s;
}

static void destroy_slot(struct started *s)
{
    xenstore_domain_remove(s->id);
    int rc = domctl_destroy(s->id);
    if (rc == 0)
        s->used = false;
    else
        printk("dom0: destroying domain %u (%s) failed: %d\n", s->id, s->cfg.name, rc);
}

static bool find_bench_cfg(const void *ramdisk, size_t len, struct ustar_entry *cfg)
{
    if (ustar_check(ramdisk, len) < 0 || ustar_find(ramdisk, len, "etc/xen/bench.cfg", cfg) < 0) {
        printk("dom0: no /etc/xen/bench.cfg in the ramdisk\n");
        return false;
    }
    return true;
}

/*
 * Domain creation cost: start n copies of /etc/xen/bench.cfg one after the
 * other, each once the previous one has written its first console line and
 * gone idle, so the k-th is built while k-1 others exist. Prints, for the
 * first and the last, the hypervisor's TSC from CREATE to the domain's
 * first console output (instructions under QEMU -icount shift=0), then
 * destroys them all.
 */
unsigned domains_bench_create(const void *ramdisk, size_t len, unsigned n)
{
    struct ustar_entry cfg;
    struct xenia_domctl_info info;
    unsigned started = 0;

    if (!find_bench_cfg(ramdisk, len, &cfg))
        return 0;
    for (unsigned k = 1; k <= n; k++) {
        if (start_copy(ramdisk, len, &cfg, "bench", k, &info) == NULL)
            break;
        started++;
        if (k == 1 || k == n)
            printk("dom0: bench: domain creation, domU %u of %u concurrent: %lu instructions "
                   "from create to its first console line\n", k, n,
                   (unsigned long)(info.first_output_tsc - info.created_tsc));
    }
    printk("dom0: bench: %u domains running\n", domains_running());
    for (unsigned i = 0; i < MAX_DOMAINS; i++)
        if (doms[i].used)
            destroy_slot(&doms[i]);
    printk("dom0: bench: %u domains left after destroying them\n", domains_running());
    return started;
}

/* Our own ports in use (EVTCHNOP_status of each). */
static unsigned dom0_ports_in_use(void)
{
    unsigned n = 0;
    struct evtchn_status st;
    for (evtchn_port_t p = 1; p < 4096; p++)
        if (evtchn_status(p, &st) == 0 && st.status != EVTCHNSTAT_closed)
            n++;
    return n;
}

static void print_counts(const char *when)
{
    struct xenia_domctl_physinfo pi;
    struct xenstore_counts xs;
    xenstore_counts(&xs);
    printk("dom0: cycles: %s: free pages %lu, dom0 ports %u, xenstore nodes %lu, "
           "connections %lu\n", when,
           domctl_physinfo(&pi) == 0 ? (unsigned long)pi.free_pages : 0ul, dom0_ports_in_use(),
           (unsigned long)xs.nodes, (unsigned long)xs.connections);
}

/*
 * n create/destroy cycles of /etc/xen/bench.cfg through the whole toolstack
 * path (builder, xenstore connection, destroy): each domain boots to idle,
 * then goes. The counts before and after must be equal (the test compares).
 */
unsigned domains_cycles(const void *ramdisk, size_t len, unsigned n)
{
    struct ustar_entry cfg;
    struct xenia_domctl_info info;
    unsigned done = 0;

    if (!find_bench_cfg(ramdisk, len, &cfg))
        return 0;
    print_counts("before");
    for (unsigned k = 1; k <= n; k++) {
        struct started *s = start_copy(ramdisk, len, &cfg, "cycle", k, &info);
        if (s == NULL)
            break;
        destroy_slot(s);
        if (s->used)
            break;
        done++;
    }
    print_counts("after");
    printk("dom0: cycles: %u of %u domains created, booted and destroyed\n", done, n);
    return done;
}
