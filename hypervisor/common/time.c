/*
 * System time and wall clock.
 *
 * tsc_to_system_mul and tsc_shift satisfy: ns = ((tsc_delta << shift) *
 * mul) >> 32 (a negative shift shifts right), with mul in [2^31, 2^32): the
 * vcpu_time_info formula, so guests compute exactly what now_ns() does.
 * Under QEMU -icount the TSC counts instructions, so time is deterministic.
 */
#include <asm/x86.h>
#include <xenia/apic.h>
#include <xenia/console.h>
#include <xenia/time.h>

static uint64_t tsc_at_boot;
static uint32_t tsc_mul;
static int8_t tsc_shift;
static uint64_t boot_epoch;

static uint64_t scale_delta(uint64_t delta)
{
    if (tsc_shift >= 0)
        delta <<= tsc_shift;
    else
        delta >>= -tsc_shift;
    return (uint64_t)(((unsigned __int128)delta * tsc_mul) >> 32);
}

uint64_t now_ns(void)
{
    return scale_delta(rdtsc() - tsc_at_boot);
}

static uint8_t cmos_read(uint8_t reg)
{
    outb(0x70, reg);
    return inb(0x71);
}

static unsigned bcd(uint8_t v, bool binary)
{
    return binary ? v : (v & 0xf) + (v >> 4) * 10;
}

/* Days from 1970-01-01 to y-m-d (proleptic Gregorian). */
static uint64_t days_since_epoch(unsigned y, unsigned m, unsigned d)
{
    y -= m <= 2;
    unsigned era = y / 400, yoe = y - era * 400;
    unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return (uint64_t)era * 146097 + doe - 719468;
}

static uint64_t rtc_read_epoch(void)
{
    for (unsigned spin = 0; spin < 1000000 && (cmos_read(0x0a) & 0x80); spin++)
        cpu_relax();                        /* wait out an update in progress */
    uint8_t status_b = cmos_read(0x0b);
    bool binary = status_b & 4;
    unsigned sec = bcd(cmos_read(0x00), binary);
    unsigned min = bcd(cmos_read(0x02), binary);
    uint8_t hraw = cmos_read(0x04);
    unsigned hour = bcd(hraw & 0x7f, binary);
    unsigned day = bcd(cmos_read(0x07), binary);
    unsigned mon = bcd(cmos_read(0x08), binary);
    unsigned year = bcd(cmos_read(0x09), binary) + 2000;
    if (!(status_b & 2) && (hraw & 0x80))
        hour = (hour % 12) + 12;            /* 12-hour mode, PM */
    if (mon < 1 || mon > 12 || day < 1 || day > 31 || hour > 23 || min > 59 || sec > 60)
        return 0;
    return days_since_epoch(year, mon, day) * 86400 + hour * 3600 + min * 60 + sec;
}

void time_init(void)
{
    uint64_t hz = tsc_khz() * 1000;
    int shift = 0;
    if (hz == 0)
        hz = 1000000000;
    while (hz > 2000000000ull) {
        hz >>= 1;
        shift--;
    }
    while (hz <= 1000000000ull) {
        hz <<= 1;
        shift++;
    }
    tsc_shift = (int8_t)shift;
    tsc_mul = (uint32_t)((1000000000ull << 32) / hz);
    tsc_at_boot = rdtsc();
    boot_epoch = rtc_read_epoch();
    printk("Time: TSC scale mul %#x shift %d; wall clock %lu s since the epoch\n", tsc_mul,
           tsc_shift, boot_epoch);
}

uint64_t time_boot_epoch(void)
{
    return boot_epoch;
}

void time_update_vcpu(struct vcpu *v)
{
    struct vcpu_time_info *t = &v->vcpu_info->time;
    uint64_t tsc = rdtsc();

    t->version++;                           /* odd: update in progress */
    __atomic_thread_fence(__ATOMIC_RELEASE);
    t->tsc_timestamp = tsc;
    t->system_time = scale_delta(tsc - tsc_at_boot);
    t->tsc_to_system_mul = tsc_mul;
    t->tsc_shift = tsc_shift;
    __atomic_thread_fence(__ATOMIC_RELEASE);
    t->version++;                           /* even: consistent */
}

void time_update_wallclock(struct domain *d)
{
    struct shared_info *s = d->shared_info;
    s->wc_version++;
    __atomic_thread_fence(__ATOMIC_RELEASE);
    s->wc_sec = (uint32_t)boot_epoch;
    s->wc_sec_hi = (uint32_t)(boot_epoch >> 32);
    s->wc_nsec = 0;
    __atomic_thread_fence(__ATOMIC_RELEASE);
    s->wc_version++;
}
