/* Local APIC: periodic hypervisor tick, calibrated against the PIT. */
#ifndef XENIA_APIC_H
#define XENIA_APIC_H

#include <stdint.h>

#define TICK_HZ 100

void apic_init(void);                /* mask the 8259s, enable the LAPIC, calibrate, start ticking */
void apic_eoi(void);
uint64_t apic_ticks(void);           /* timer interrupts taken since apic_init */
uint64_t tsc_khz(void);              /* TSC frequency measured during calibration */

#endif
