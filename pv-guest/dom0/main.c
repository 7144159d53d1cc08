/*
 * dom0's main program: report what the domain builder handed us, exercise
 * threads, newlib and user mode, start the domUs of the ramdisk's
 * /etc/xen/auto and reap them as they shut down. With `poweroff` on the
 * command line dom0 waits for its domUs (at most DOMU_WAIT_NS), then powers
 * off; otherwise it idles, still reaping. Later issues start xenstored, the
 * backends and the xl shell here.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dom0.h"
#include "arch/hypercall.h"
#include "arch/pgtable.h"
#include "guest/console.h"
#include "guest/events.h"
#include "guest/gnttab.h"
#include "guest/kernel.h"
#include "guest/mm.h"
#include "guest/thread.h"
#include "guest/time.h"
#include "guest/user.h"

#define DOMU_WAIT_NS (60 * NSEC_PER_SEC)

static void banner(void)
{
    const struct start_info *si = &start_info;
    long ver = HYPERVISOR_xen_version(XENVER_version, NULL);
    uint64_t sec = 0;
    uint32_t nsec = 0;

    printk("dom0: Xenia dom0 kernel on hypervisor %ld.%ld\n", ver >> 16, ver & 0xffff);
    printk("dom0: start_info %p: magic \"%s\" flags %#x%s%s\n", (void *)start_info_page,
           si->magic, si->flags, (si->flags & SIF_PRIVILEGED) ? " privileged" : "",
           (si->flags & SIF_INITDOMAIN) ? " initdomain" : "");
    printk("dom0:   nr_pages %lu, shared_info %#lx, pt_base %#lx (%lu frames), "
           "mfn_list %#lx\n",
           (unsigned long)si->nr_pages, (unsigned long)si->shared_info,
           (unsigned long)si->pt_base, (unsigned long)si->nr_pt_frames,
           (unsigned long)si->mfn_list);
    printk("dom0:   module %#lx (%lu bytes), store mfn %#lx evtchn %u, "
           "console info @%u (%u bytes)\n",
           (unsigned long)si->mod_start, (unsigned long)si->mod_len,
           (unsigned long)si->store_mfn, si->store_evtchn, si->console.dom0.info_off,
           si->console.dom0.info_size);
    printk("dom0:   cmdline \"%s\"\n", (const char *)si->cmd_line);
    time_wallclock(&sec, &nsec);
    printk("dom0: system time %lu ns, wall clock %lu.%09u\n",
           (unsigned long)time_now_ns(), (unsigned long)sec, nsec);
}

struct worker {
    int id;
    double sum;            /* computed with SSE, checked after switches */
};

static void worker_main(void *arg)
{
    struct worker *w = arg;

    for (int round = 0; round < 3; round++) {
        for (int i = 1; i <= 100; i++)
            w->sum += (double)(w->id * i) / 4.0;
        printk("dom0: thread %s round %d sum %ld\n", thread_name(thread_current()), round,
               (long)w->sum);
        if (round == 1)
            thread_sleep_ns(2 * NSEC_PER_MSEC);
        else
            thread_yield();
    }
}

static void thread_demo(void)
{
    static struct worker workers[3];
    static const char *const names[] = { "worker-a", "worker-b", "worker-c" };

    for (int i = 0; i < 3; i++) {
        workers[i].id = i + 1;
        if (thread_create(names[i], worker_main, &workers[i]) == NULL)
            guest_crash("dom0: cannot create a thread");
    }
    thread_join_all();
    for (int i = 0; i < 3; i++) {
        /* 3 rounds of sum(id * i / 4, i = 1..100) = 3 * id * 5050 / 4 */
        double want = 3.0 * workers[i].id * 5050.0 / 4.0;
        if (workers[i].sum != want)
            guest_crash("dom0: a thread's FPU state was lost");
    }
    printk("dom0: threads done after %lu switches, FPU state intact\n",
           (unsigned long)thread_switches());
}

static void newlib_demo(void)
{
    char *p = malloc(1000);
    if (p == NULL)
        guest_crash("dom0: malloc failed");
    snprintf(p, 1000, "%s-%d", "newlib", 33);
    printf("dom0: newlib printf works: %s %5.2f %#llx\n", p, 3.14159,
           (unsigned long long)0xdeadbeefcafeULL);
    free(p);
    fflush(stdout);
}

static void user_demo(void)
{
    struct user_result res;
    int rc = user_run(user_prog_start, (size_t)(user_prog_end - user_prog_start), 0, &res);

    if (rc < 0 || res.killed || res.status != USER_PROG_OK) {
        printk("dom0: user program failed: rc %d killed %d status %d\n", rc, res.killed,
               res.status);
        guest_crash("dom0: user mode does not work");
    }
    printk("dom0: user program exited with %d after %u syscalls, %u demand faults\n",
           res.status, res.syscalls, res.demand_faults);
}

static void start_domains(void)
{
    const struct start_info *si = &start_info;

    if (si->mod_len == 0 || si->mod_start == 0) {
        printk("dom0: no ramdisk: no domains to start\n");
        return;
    }
    /* The builder mapped the ramdisk at mod_start (a virtual address). */
    if (si->flags & SIF_MOD_START_PFN) {
        printk("dom0: the ramdisk is given by pfn: not supported, no domains started\n");
        return;
    }
    domains_init();
    /* `bench-create=N` (make bench): creation cost instead of autostart;
       `cycles=N`: N create/boot/destroy cycles (a leak test). */
    const char *b = strstr((const char *)si->cmd_line, "bench-create=");
    if (b != NULL) {
        domains_bench_create((const void *)(uintptr_t)si->mod_start, si->mod_len,
                             (unsigned)strtoul(b + 13, NULL, 10));
        return;
    }
    const char *c = strstr((const char *)si->cmd_line, "cycles=");
    if (c != NULL) {
        domains_cycles((const void *)(uintptr_t)si->mod_start, si->mod_len,
                       (unsigned)strtoul(c + 7, NULL, 10));
        return;
    }
    domains_autostart((const void *)(uintptr_t)si->mod_start, si->mod_len);
}

static uint64_t free_host_pages(void)
{
    struct xenia_domctl_physinfo pi;
    return domctl_physinfo(&pi) == 0 ? pi.free_pages : 0;
}

/* Old hypervisors without event channels: block a second at a time. */
static __noreturn void idle_without_events(void)
{
    for (;;) {
        (void)HYPERVISOR_set_timer_op(time_now_ns() + 1000000000ull);
        (void)HYPERVISOR_sched_op(SCHEDOP_block, NULL);
    }
}

void kernel_main(void)
{
    struct pt_stats st;
    bool poweroff = strstr((const char *)start_info.cmd_line, "poweroff") != NULL;

    banner();
    pt_get_stats(&st);
    printk("dom0: %lu free pages; %lu mmu_update calls for %lu entries, %lu new tables\n",
           (unsigned long)mm_free_count(), (unsigned long)st.mmu_update_calls,
           (unsigned long)st.mmu_update_entries, (unsigned long)st.tables_created);
    thread_demo();
    newlib_demo();
    user_demo();
    int grc = gnttab_init();
    if (grc < 0)
        printk("dom0: no grant table (%d)\n", grc);
    uint64_t free_before = free_host_pages();
    int xrc = xenstore_start();
    if (xrc < 0)
        printk("dom0: xenstored not started: %d\n", xrc);
    struct xenstore_counts xs_before, xs_after;
    xenstore_counts(&xs_before);
    start_domains();
    /* `measure=N`: let the domUs compete for N seconds and report their
       shares (the scheduler scenario), then destroy them. */
    const char *m = strstr((const char *)start_info.cmd_line, "measure=");
    if (m) {
        unsigned n = domains_measure(strtoul(m + 8, NULL, 10));
        printk("dom0: measured %u domains\n", n);
    }
    /* `poweroff` on the command line ends the run (tests) once the domUs
       are gone; otherwise dom0 idles: it blocks until an event. */
    if (poweroff) {
        bool started = domains_running() != 0;
        unsigned left = domains_wait_all(time_now_ns() + DOMU_WAIT_NS);
        if (left != 0)
            printk("dom0: %u domains still running after %lu s\n", left,
                   (unsigned long)(DOMU_WAIT_NS / NSEC_PER_SEC));
        else if (started) {
            xenstore_counts(&xs_after);
            printk("dom0: all domains reaped; hypervisor free pages %lu before them, %lu "
                   "after\n", (unsigned long)free_before, (unsigned long)free_host_pages());
            printk("dom0: xenstore nodes %lu before them, %lu after; watches %lu, %lu; "
                   "connections %lu, %lu\n", (unsigned long)xs_before.nodes,
                   (unsigned long)xs_after.nodes, (unsigned long)xs_before.watches,
                   (unsigned long)xs_after.watches, (unsigned long)xs_before.connections,
                   (unsigned long)xs_after.connections);
        }
        printk("dom0: done\n");
        return;
    }
    printk("dom0: done\n");
    printk("dom0: idle\n");
    if (domains_running() == 0 && !time_timer_bound())
        idle_without_events();
    domains_serve();
}