/*
 * Local APIC timer and the legacy PIT used once to calibrate it.
 *
 * Calibration: PIT channel 2 counts down 10 ms in mode 0 (its gate and
 * output are on port 0x61) while the APIC timer counts down from its maximum
 * with divide-by-16; the APIC and TSC counts elapsed give their rates. The
 * timer then runs periodic at TICK_HZ on vector VEC_TIMER. The 8259 PICs are
 * remapped away from the exception vectors and fully masked.
 */
#include <asm/traps.h>
#include <asm/x86.h>
#include <xenia/apic.h>
#include <xenia/console.h>
#include <xenia/layout.h>
#include <xenia/mm.h>
#include <xenia/pv.h>

#define APIC_ID        0x020
#define APIC_VERSION   0x030
#define APIC_EOI       0x0b0
#define APIC_SVR       0x0f0
#define APIC_LVT_TIMER 0x320
#define APIC_TIMER_ICR 0x380
#define APIC_TIMER_CCR 0x390
#define APIC_TIMER_DCR 0x3e0
#define APIC_LVT_MASKED   (1u << 16)
#define APIC_LVT_PERIODIC (1u << 17)

#define PIT_HZ        1193182
#define CALIBRATE_MS  10

static volatile uint32_t *apic_regs;
static volatile uint64_t ticks;
static uint64_t tsc_rate_khz;

static uint32_t apic_read(unsigned reg) { return apic_regs[reg / 4]; }
static void apic_write(unsigned reg, uint32_t v) { apic_regs[reg / 4] = v; }

void apic_eoi(void)
{
    apic_write(APIC_EOI, 0);
}

uint64_t apic_ticks(void)
{
    return ticks;
}

uint64_t tsc_khz(void)
{
    return tsc_rate_khz;
}

static void pic_disable(void)
{
    outb(0x20, 0x11); outb(0xa0, 0x11);     /* ICW1: init, ICW4 follows */
    outb(0x21, 0x20); outb(0xa1, 0x28);     /* ICW2: vectors 0x20.., 0x28.. */
    outb(0x21, 0x04); outb(0xa1, 0x02);     /* ICW3: cascade on IRQ2 */
    outb(0x21, 0x01); outb(0xa1, 0x01);     /* ICW4: 8086 mode */
    outb(0x21, 0xff); outb(0xa1, 0xff);     /* mask everything */
}

static void timer_interrupt(struct cpu_regs *regs)
{
    (void)regs;
    ticks++;
    sched_tick_pending = true;
    apic_eoi();
}

/* Returns APIC timer counts per CALIBRATE_MS, and measures the TSC too. */
static uint32_t calibrate(void)
{
    uint16_t count = (uint16_t)(PIT_HZ * CALIBRATE_MS / 1000);
    uint8_t gate = inb(0x61);

    outb(0x61, (uint8_t)((gate & ~0x02) | 0x01));   /* speaker off, gate on */
    outb(0x43, 0xb0);                               /* channel 2, lo/hi, mode 0 */
    outb(0x42, count & 0xff);
    outb(0x42, count >> 8);

    apic_write(APIC_TIMER_DCR, 0x3);                /* divide by 16 */
    apic_write(APIC_LVT_TIMER, APIC_LVT_MASKED);
    apic_write(APIC_TIMER_ICR, 0xffffffff);
    uint64_t tsc0 = rdtsc();
    while (!(inb(0x61) & 0x20))
        cpu_relax();
    uint32_t elapsed = 0xffffffff - apic_read(APIC_TIMER_CCR);
    uint64_t tsc1 = rdtsc();
    apic_write(APIC_TIMER_ICR, 0);
    outb(0x61, gate);
    tsc_rate_khz = (tsc1 - tsc0) / CALIBRATE_MS;
    return elapsed;
}

void apic_init(void)
{
    uint64_t base = rdmsr(MSR_APIC_BASE);

    pic_disable();
    wrmsr(MSR_APIC_BASE, base | (1u << 11));        /* global enable, xAPIC mode */
    apic_regs = (volatile uint32_t *)phys_to_virt(base & 0xfffff000);
    apic_write(APIC_SVR, 0x100 | VEC_SPURIOUS);     /* software enable */

    uint32_t per_10ms = calibrate();
    uint32_t initial = (uint32_t)((uint64_t)per_10ms * (1000 / CALIBRATE_MS) / TICK_HZ);
    if (initial == 0)
        initial = 1;
    printk("APIC: id %u, version %#x, timer %u counts/ms (div 16), TSC %lu kHz\n",
           apic_read(APIC_ID) >> 24, apic_read(APIC_VERSION) & 0xff, per_10ms / CALIBRATE_MS,
           tsc_rate_khz);

    irq_register(VEC_TIMER, timer_interrupt);
    apic_write(APIC_TIMER_DCR, 0x3);
    apic_write(APIC_LVT_TIMER, APIC_LVT_PERIODIC | VEC_TIMER);
    apic_write(APIC_TIMER_ICR, initial);
    printk("APIC: periodic tick at %u Hz (initial count %u)\n", TICK_HZ, initial);
}
