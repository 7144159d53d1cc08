/*
 * start_xenia: the boot CPU's path from the 64-bit entry to the idle loop.
 *
 * Order matters: boot information is copied out (struct mb_info) before any
 * memory is allocated, so nothing the boot loader left can be overwritten;
 * the console comes up with the command line's settings before anything is
 * printed to the serial line (everything is in the console ring anyway);
 * descriptors and the IDT come before the first fault could happen; memory
 * before the APIC (its registers are reached through the direct map).
 */
#include <asm/desc.h>
#include <asm/x86.h>
#include <xenia/apic.h>
#include <xenia/console.h>
#include <xenia/dom0.h>
#include <xenia/domain.h>
#include <xenia/mm.h>
#include <xenia/params.h>
#include <xenia/serial.h>
#include <xenia/pv.h>
#include <xenia/shutdown.h>
#include <xenia/time.h>
#include <xenia/version.h>
#include "core/multiboot.h"

/* Ticks the idle loop waits before it reports the timer alive (and, with
   testexit, ends the run). */
#define IDLE_REPORT_TICKS 20

static struct mb_info boot_info;

/* Boot information is read through the early map of [0, 4 GiB). */
static const void *early_phys(void *ctx, uint64_t pa, uint64_t len)
{
    (void)ctx;
    if (pa + len < pa || pa + len > ((uint64_t)HV_EARLY_MAP_GIB << 30))
        return NULL;
    return phys_to_virt(pa);
}

/*
 * Loaders other than GRUB (QEMU's -kernel, for one) put the image's file
 * name first in a Multiboot1 command line; like Xen, drop that word.
 */
static const char *hypervisor_cmdline(const struct mb_info *mb)
{
    const char *s = mb->cmdline;
    if (mb->proto != 1 || !strncmp(mb->loader, "GRUB", 4))
        return s;
    while (*s == ' ')
        s++;
    while (*s && *s != ' ')
        s++;
    while (*s == ' ')
        s++;
    return s;
}

static bool module_is_elf(const struct mb_module *m)
{
    return m->end - m->start >= 4 && !memcmp(phys_to_virt(m->start), "\177ELF", 4);
}

static const char *region_type_name(uint32_t type)
{
    switch (type) {
    case 1: return "usable";
    case 2: return "reserved";
    case 3: return "ACPI data";
    case 4: return "ACPI NVS";
    case 5: return "bad memory";
    default: return "unknown";
    }
}

static void print_boot_info(const struct mb_info *mb)
{
    printk("Boot loader: %s (Multiboot%s)\n", mb->loader[0] ? mb->loader : "unknown",
           mb->proto == 2 ? "2" : "1");
    printk("Command line: %s\n", hypervisor_cmdline(mb));
    printk("Memory map:\n");
    for (unsigned i = 0; i < mb->nr_regions; i++) {
        const struct mb_region *r = &mb->regions[i];
        printk(" %016lx - %016lx (%s)\n", r->base, r->base + r->len, region_type_name(r->type));
    }
    printk("Modules: %u\n", mb->nr_modules);
    for (unsigned i = 0; i < mb->nr_modules; i++) {
        const struct mb_module *m = &mb->modules[i];
        printk(" module %u: %#010lx - %#010lx (%lu KiB) '%s'\n", i, m->start, m->end,
               (m->end - m->start + 1023) >> 10, m->cmdline);
    }
    if (mb->truncated)
        pr_warn("Boot information: %u entries or strings did not fit and were cut\n",
                mb->truncated);
}

static void console_setup(void)
{
    struct serial_config sc = { opt_com1.baud, opt_com1.data_bits, opt_com1.parity,
                                opt_com1.stop_bits, opt_com1.io_base };
    if (opt_console & CMDLINE_CONSOLE_COM1)
        serial_init(&sc);
}

/* testfault=<ud|gp|pf|de>: a deliberate exception, for the boot tests. */
static void raise_test_fault(const char *which)
{
    if (!which[0])
        return;
    printk("testfault: raising %s\n", which);
    if (!strcmp(which, "ud"))
        __asm__ volatile("ud2");
    else if (!strcmp(which, "gp"))
        __asm__ volatile("movq (%0), %%rax" ::"r"(0x8000000000000000ull) : "rax");
    else if (!strcmp(which, "pf"))
        __asm__ volatile("movq (%0), %%rax" ::"r"(0x1000ull) : "rax");
    else if (!strcmp(which, "de"))
        __asm__ volatile("xor %%edx, %%edx; xor %%ecx, %%ecx; div %%ecx" ::: "rax", "rcx", "rdx");
    else
        pr_warn("testfault: unknown fault '%s' (ud, gp, pf, de)\n", which);
}

/*
 * dom0 is module 0 (its command line: the module's, less QEMU's file name
 * word), with module 1 as its ramdisk. Without a module, the hypervisor
 * just idles (the foundation boot tests run that way).
 */
static void start_dom0(const struct mb_info *mb)
{
    if (mb->nr_modules == 0 || !module_is_elf(&mb->modules[0])) {
        printk("dom0: no kernel module, nothing to start\n");
        return;
    }
    const char *cmdline = mb->modules[0].cmdline;
    if (mb->proto == 1 && strncmp(mb->loader, "GRUB", 4)) {
        while (*cmdline && *cmdline != ' ')
            cmdline++;
        while (*cmdline == ' ')
            cmdline++;
    }
    int rc = dom0_build(&mb->modules[0], mb->nr_modules > 1 ? &mb->modules[1] : NULL, cmdline);
    if (rc)
        panic("could not build dom0 (%d)", rc);
    sched_start();
}

static __noreturn void idle_loop(void)
{
    bool reported = false;

    printk("Idle loop: halting until the next interrupt\n");
    for (;;) {
        safe_halt();
        if (!reported && apic_ticks() >= IDLE_REPORT_TICKS) {
            reported = true;
            printk("Timer: %lu ticks taken in idle at %u Hz\n", apic_ticks(), TICK_HZ);
            if (opt_testexit) {
                printk("testexit: boot complete, leaving QEMU\n");
                machine_finish(true);
            }
        }
    }
}

__noreturn void start_xenia(uint32_t magic, uint64_t info_pa);
__noreturn void start_xenia(uint32_t magic, uint64_t info_pa)
{
    const char *err = NULL;
    int rc;

    console_init();
    if (magic == MB2_BOOTLOADER_MAGIC)
        rc = mb2_parse((uint32_t)info_pa, early_phys, NULL, &boot_info, &err);
    else if (magic == MB1_BOOTLOADER_MAGIC)
        rc = mb1_parse((uint32_t)info_pa, early_phys, NULL, &boot_info, &err);
    else {
        rc = -1;
        err = "not started by a Multiboot loader (bad magic)";
    }
    if (rc == 0)
        params_parse(hypervisor_cmdline(&boot_info));
    console_setup();

    printk("Xenia %s (x86_64 PV hypervisor), built %s\n", XENIA_VERSION_STRING,
           XENIA_BUILD_DATE);
    if (rc != 0)
        panic("Multiboot information rejected: %s (magic %#x)", err, magic);
    params_report();
    print_boot_info(&boot_info);

    desc_init();
    idt_init();
    mm_init(&boot_info);
    rc = xmalloc_selftest();
    if (rc)
        panic("heap self-check failed (%d)", rc);
    printk("Heap: self-check passed, %lu frames free\n", mm_free_frames());
    apic_init();
    time_init();
    pv_cpu_init();
    sched_init();
    raise_test_fault(opt_testfault);
    start_dom0(&boot_info);
    idle_loop();
}
