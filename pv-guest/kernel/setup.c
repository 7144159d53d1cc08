/*
 * Boot: from head.S's call to the image's kernel_main().
 *
 * Order matters: the console works from the first instruction (hypercall
 * page); vCPU 0's per-vCPU area (kernel GS base) before anything asks which
 * vCPU it runs on; the trap table goes in before anything can fault; memory before
 * anything allocates; shared_info before time and events read it. Events
 * stay masked (as the builder started us) until everything that handles
 * them is in place.
 */
#include "guest/kernel.h"
#include "arch/hypercall.h"
#include "arch/layout.h"
#include "arch/pgtable.h"
#include "arch/traps.h"
#include "guest/console.h"
#include "guest/events.h"
#include "guest/mm.h"
#include "guest/smp.h"
#include "guest/thread.h"
#include "guest/time.h"

struct start_info start_info;
struct start_info *start_info_page;
volatile struct shared_info *shared_info;

static void shutdown(unsigned reason)
{
    struct sched_shutdown s = { .reason = reason };
    (void)HYPERVISOR_sched_op(SCHEDOP_shutdown, &s);
}

void guest_poweroff(void)
{
    shutdown(SHUTDOWN_poweroff);
    for (;;)
        shutdown(SHUTDOWN_crash);
}

void guest_crash(const char *why)
{
    static bool crashing;

    printk("crash: %s\n", why);
    if (!crashing) {
        crashing = true;
        if (kernel_on_crash != NULL)
            kernel_on_crash();
    }
    for (;;)
        shutdown(SHUTDOWN_crash);
}

void core_bug(const char *file, int line, const char *cond)
{
    printk("BUG at %s:%d: %s\n", file, line, cond);
    guest_crash("BUG");
}

static void map_shared_info(void)
{
    uint64_t ma = start_info.shared_info & XEN_PTE_ADDR_MASK;
    long rc = pt_prepare(FIXMAP_SHARED_INFO);

    if (rc == 0)
        rc = HYPERVISOR_update_va_mapping(FIXMAP_SHARED_INFO, ma | PTE_KERNEL_RW, UVMF_INVLPG);
    if (rc < 0) {
        printk("setup: cannot map shared_info (machine address %#lx): %ld\n",
               (unsigned long)ma, rc);
        guest_crash("no shared_info");
    }
    shared_info = (volatile struct shared_info *)(uintptr_t)FIXMAP_SHARED_INFO;
}

void start_kernel(struct start_info *si)
{
    smp_init_boot();
    start_info_page = si;
    memcpy(&start_info, si, sizeof(start_info));
    start_info.magic[sizeof(start_info.magic) - 1] = '\0';
    start_info.cmd_line[MAX_GUEST_CMDLINE - 1] = '\0';
    printk("Xenia PV guest kernel: hypercalls through the %s\n", PVG_HYPERCALL_MODE);
    if (strncmp(start_info.magic, "xen-3.0-x86_64", 14) != 0)
        guest_crash("start_info magic is not xen-3.0-x86_64");

    traps_init();
    mm_init();
    map_shared_info();
    events_init();
    time_init();
    threads_init();
    irq_enable();

    kernel_main();
    guest_poweroff();
}
