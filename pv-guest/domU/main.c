/*
 * A domU's main program: the same kernel as dom0, started by dom0's
 * builder. The first word of the command line (the config's `extra`)
 * picks what it does:
 *   hello   print who we are, run a few checks (unprivileged start_info,
 *           console and xenstore pages and ports, xenstore (name, domid, our
 *           data/ subtree, what we may not touch), a timer wake-up, an event
 *           channel loopback, a grant of our own page mapped back, domctl
 *           refused), then power off; a failed check crashes the domain
 *   spin    burn the CPU forever (scheduler scenarios)
 *   crash   crash at once (on_crash scenarios)
 *   idle    print one line and block for good (creation cost in make bench)
 *   reboot  `until=N`: reboot while our domain id is below N (on_reboot),
 *           then take down our only vCPU (which powers the domain off)
 *   ping, pong   the two ends of the interdomain scenario (pingpong.c):
 *           `peer=NAME` on the same line names the other end
 *   hostile, victim, canary   security cases of one domU against another,
 *           a notification storm and a canary (hostile.c)
 * The hypervisor prefixes our console lines with "(dN) ".
 */
#include <stdlib.h>
#include <string.h>

#include "domU.h"
#include "arch/hypercall.h"
#include "guest/console.h"
#include "guest/events.h"
#include "guest/gnttab.h"
#include "guest/kernel.h"
#include "guest/mm.h"
#include "guest/smp.h"
#include "guest/thread.h"
#include "guest/time.h"
#include "guest/xenbus.h"

static unsigned failures;

static void check(bool ok, const char *what)
{
    if (!ok) {
        failures++;
        printk("domU: FAIL %s\n", what);
    }
}

static unsigned loop_a, loop_b;     /* events seen on each end */

static void loop_event(evtchn_port_t port, struct trap_frame *f, void *arg)
{
    (void)port, (void)f;
    (*(volatile unsigned *)arg)++;
}

/* Wait (with the timer) until *count reaches want or 1 s passes. */
static bool wait_count(const unsigned *count, unsigned want)
{
    const volatile unsigned *c = count;
    uint64_t deadline = time_now_ns() + NSEC_PER_SEC;
    while (*c < want && time_now_ns() < deadline)
        thread_sleep_ns(NSEC_PER_MSEC);
    return *c >= want;
}

/* Loopback channel; returns our domain id (from the channel's status). */
static long check_events(void)
{
    struct evtchn_status st;
    long a = evtchn_alloc_unbound(DOMID_SELF, loop_event, &loop_a);
    if (a < 0) {
        printk("domU: alloc_unbound: %ld\n", a);
        check(false, "event channel alloc_unbound");
        return a;
    }
    long b = evtchn_bind_interdomain(DOMID_SELF, (evtchn_port_t)a, loop_event, &loop_b);
    if (b < 0) {
        printk("domU: bind_interdomain: %ld\n", b);
        check(false, "event channel bind_interdomain");
        return b;
    }
    check(evtchn_notify((evtchn_port_t)b) == 0 && wait_count(&loop_a, 1),
          "notify through the loopback reaches the other port");
    check(evtchn_notify((evtchn_port_t)a) == 0 && wait_count(&loop_b, 1),
          "notify back");
    long rc = evtchn_status((evtchn_port_t)b, &st);
    check(rc == 0 && st.status == EVTCHNSTAT_interdomain && st.u.interdomain.port == (uint32_t)a,
          "status of the loopback port");
    long self = rc == 0 ? st.u.interdomain.dom : -1;
    check(evtchn_close((evtchn_port_t)b) == 0 && evtchn_close((evtchn_port_t)a) == 0,
          "close both ports");
    printk("domU: event channel loopback %ld <-> %ld: %u + %u events\n", a, b, loop_a, loop_b);
    return self;
}

static void check_grants(domid_t self)
{
    int rc = gnttab_init();
    if (rc < 0) {
        printk("domU: gnttab_init: %d\n", rc);
        check(false, "grant table setup");
        return;
    }
    uint32_t *page = mm_alloc_zeroed(1);
    check(page != NULL, "a page to grant");
    if (page == NULL)
        return;
    page[0] = 0x600df00d;
    long ref = gnttab_grant_access(self, virt_to_mfn(page), false);
    check(ref >= GNTTAB_NR_RESERVED_ENTRIES, "grant reference");
    if (ref < 0)
        return;
    struct gnttab_mapping m;
    rc = gnttab_map(self, (grant_ref_t)ref, false, &m);
    if (rc < 0)
        printk("domU: map_grant_ref: %d (%s)\n", rc, gnttab_status_name(m.status));
    check(rc == 0, "map our own grant");
    if (rc == 0) {
        volatile uint32_t *alias = m.va;
        check(alias[0] == 0x600df00d, "the mapping shows the granted page");
        alias[1] = 0xfeedface;
        check(page[1] == 0xfeedface, "a write through the mapping lands in the page");
        check(gnttab_end_access((grant_ref_t)ref) == -XEN_EBUSY, "revoke refused while mapped");
        check(gnttab_unmap(&m) == 0, "unmap");
    }
    check(gnttab_end_access((grant_ref_t)ref) == 0, "revoke once unmapped");
    mm_free_pages(page, 1);
    printk("domU: grant table: %u entries, ref %ld mapped back and revoked\n",
           gnttab_nr_entries(), ref);
}

static unsigned second_ran;          /* read through wait_count's volatile view */

/* On vCPU 1: say so, then block for good (it is still up at poweroff, so
   the destroy must release its references). */
static void second_vcpu(void *arg)
{
    (void)arg;
    *(volatile unsigned *)&second_ran = smp_processor_id();
    for (;;)
        (void)HYPERVISOR_sched_op(SCHEDOP_block, NULL);
}

/* With `vcpus = 2` or more: vCPU 1 comes up and runs. */
static void check_vcpus(void)
{
    unsigned n = smp_nr_vcpus();
    if (n < 2)
        return;
    int rc = smp_start(1, second_vcpu, NULL);
    check(rc == 0, "start vCPU 1");
    check(rc == 0 && wait_count(&second_ran, 1), "vCPU 1 runs");
    check(smp_vcpu_is_up(1) == 1, "vCPU 1 is up");
    printk("domU: %u vCPUs, vCPU 1 %s\n", n, second_ran == 1 ? "up and running" : "NOT running");
}

/* dom0's xenstored answers: our name and id, our own data/ subtree
   writable, another domain's nodes not readable. */
static void check_xenstore(void)
{
    char name[64], id[16], back[16];
    int rc = xenbus_init();
    if (rc < 0) {
        printk("domU: no xenstore (%d)\n", rc);
        check(false, "xenstore connection");
        return;
    }
    check(xenbus_read("name", name, sizeof(name)) > 0, "read our name");
    check(xenbus_read("domid", id, sizeof(id)) > 0, "read our domid");
    check(xenbus_write("data/hello", "world") == 0, "write into our data/ subtree");
    check(xenbus_read("data/hello", back, sizeof(back)) == 5 && strcmp(back, "world") == 0,
          "read it back");
    check(xenbus_rm("data/hello") == 0, "remove it");
    check(xenbus_write("name", "mallory") == -XEN_EACCES, "our name is read-only to us");
    check(xenbus_read("/local/domain", back, sizeof(back)) == -XEN_EACCES,
          "dom0's nodes are not readable");
    printk("domU: xenstore says we are %s, domain %s\n", name, id);
}

static void hello(void)
{
    const struct start_info *si = &start_info;
    long ver = HYPERVISOR_xen_version(XENVER_version, NULL);

    printk("domU: hello from a Xenia domU on hypervisor %ld.%ld: %lu pages, cmdline \"%s\"\n",
           ver >> 16, ver & 0xffff, (unsigned long)si->nr_pages, (const char *)si->cmd_line);
    printk("domU: console mfn %#lx port %u, xenstore mfn %#lx port %u\n",
           (unsigned long)si->console.domU.mfn, si->console.domU.evtchn,
           (unsigned long)si->store_mfn, si->store_evtchn);
    check(si->flags == 0, "start_info flags 0 for a domU");
    check(si->console.domU.mfn != 0 && si->store_mfn != 0, "console and xenstore pages");
    check(si->console.domU.evtchn != 0 && si->store_evtchn != 0, "console and xenstore ports");

    uint64_t t0 = time_now_ns(), ev = time_timer_events();
    thread_sleep_ns(10 * NSEC_PER_MSEC);
    uint64_t slept = time_now_ns() - t0;
    check(slept >= 10 * NSEC_PER_MSEC, "a 10 ms sleep lasts 10 ms");
    if (time_timer_bound())
        check(time_timer_events() > ev, "VIRQ_TIMER woke the sleep");
    printk("domU: slept %lu us (%s)\n", (unsigned long)(slept / 1000),
           time_timer_bound() ? "timer event" : "polled");

    check_vcpus();
    check_xenstore();
    long self = check_events();
    if (self >= 0)
        check_grants((domid_t)self);

    struct xenia_domctl op = { .cmd = XENIA_DOMCTL_GET_INFO, .version = XENIA_DOMCTL_VERSION };
    check(HYPERVISOR_domctl(&op) == -XEN_EPERM, "domctl refused to a domU");

    if (failures != 0) {
        printk("domU: %u checks failed\n", failures);
        guest_crash("domU: checks failed");
    }
    printk("domU: all checks passed, powering off\n");
}

static void spin(void)
{
    printk("domU: spinning\n");
    for (volatile uint64_t n = 0;; n++)
        cpu_relax();
}

/* Say so, then block for good (make bench's creation cost: many of these). */
static void idle(void)
{
    printk("domU: idle\n");
    for (;;)
        (void)HYPERVISOR_sched_op(SCHEDOP_block, NULL);
}

/* `reboot until=N`: reboot while our domain id is below N (dom0 restarts
   us as a new domain each time: on_reboot = "restart"), then power off. */
static void reboot(void)
{
    const char *u = strstr((const char *)start_info.cmd_line, "until=");
    unsigned long until = u ? strtoul(u + 6, NULL, 10) : 0;
    char id[16];
    int rc = xenbus_init();
    long len = rc < 0 ? rc : xenbus_read("domid", id, sizeof(id));
    if (len < 0) {
        printk("domU: no domain id from xenstore (%ld)\n", len);
        guest_crash("domU: reboot mode needs xenstore");
    }
    unsigned long self = strtoul(id, NULL, 10);
    if (self < until) {
        struct sched_shutdown sd = { .reason = SHUTDOWN_reboot };
        printk("domU: domain %lu rebooting\n", self);
        (void)HYPERVISOR_sched_op(SCHEDOP_shutdown, &sd);
        guest_crash("domU: still running after the reboot request");
    }
    /* Xen's rule: taking down the last vCPU powers the domain off. */
    printk("domU: domain %lu up, not rebooting again, taking down its only vCPU\n", self);
    (void)HYPERVISOR_vcpu_op(VCPUOP_down, 0, NULL);
    guest_crash("domU: still running after its last vCPU went down");
}

static void crash(void)
{
    guest_crash("domU: asked to crash");
}

static const struct {
    const char *name;
    void (*run)(void);
} modes[] = {
    { "hello", hello },
    { "spin", spin },
    { "crash", crash },
    { "idle", idle },
    { "reboot", reboot },
    { "ping", pingpong_ping },
    { "pong", pingpong_pong },
    { "hostile", hostile_attack },
    { "victim", hostile_victim },
    { "canary", hostile_canary },
};

void kernel_main(void)
{
    const char *cmd = (const char *)start_info.cmd_line;
    size_t len = strcspn(cmd, " ");

    for (size_t i = 0; i < ARRAY_SIZE(modes); i++)
        if (strlen(modes[i].name) == len && strncmp(cmd, modes[i].name, len) == 0) {
            modes[i].run();
            return;
        }
    printk("domU: unknown mode \"%.*s\", saying hello instead\n", (int)len, cmd);
    hello();
}
