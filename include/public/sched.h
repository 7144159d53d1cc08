/*
 * Xenia guest ABI: scheduler operations, sched_op(cmd, arg) (#29).
 *
 *  yield     give up the CPU, stay runnable (arg unused).
 *  block     sleep until an event is pending for this vCPU. The call clears
 *            the upcall mask and checks for pending events atomically with
 *            going to sleep, so an event that arrives in between is not lost.
 *  shutdown  stop the whole domain with a SHUTDOWN_* reason for the toolstack.
 *  poll      sleep until one of the listed ports is pending or the absolute
 *            timeout (system time ns, 0: none) passes.
 * The remote_shutdown, shutdown_code, watchdog and pin_override numbers are
 * reserved here for compatibility.
 */
#ifndef XENIA_PUBLIC_SCHED_H
#define XENIA_PUBLIC_SCHED_H

#include <stdint.h>

#include "xen.h"

#define SCHEDOP_yield           0
#define SCHEDOP_block           1
#define SCHEDOP_shutdown        2
#define SCHEDOP_poll            3
#define SCHEDOP_remote_shutdown 4
#define SCHEDOP_shutdown_code   5
#define SCHEDOP_watchdog        6
#define SCHEDOP_pin_override    7

#define SHUTDOWN_poweroff   0
#define SHUTDOWN_reboot     1
#define SHUTDOWN_suspend    2
#define SHUTDOWN_crash      3
#define SHUTDOWN_watchdog   4
#define SHUTDOWN_soft_reset 5
#define SHUTDOWN_MAX        5

struct sched_shutdown {
    uint32_t reason;            /* SHUTDOWN_* */
};
XENIA_ABI_SIZE(struct sched_shutdown, 4);

struct sched_poll {
    uint64_t ports;             /* guest address of evtchn_port_t[nr_ports] */
    uint32_t nr_ports;
    uint32_t pad0;
    uint64_t timeout;
};
XENIA_ABI_SIZE(struct sched_poll, 24);
XENIA_ABI_OFFSET(struct sched_poll, ports, 0);
XENIA_ABI_OFFSET(struct sched_poll, nr_ports, 8);
XENIA_ABI_OFFSET(struct sched_poll, timeout, 16);

struct sched_remote_shutdown {
    domid_t  domain_id;
    uint16_t pad0;
    uint32_t reason;
};
XENIA_ABI_SIZE(struct sched_remote_shutdown, 8);
XENIA_ABI_OFFSET(struct sched_remote_shutdown, reason, 4);

struct sched_watchdog {
    uint32_t id;
    uint32_t timeout;
};
XENIA_ABI_SIZE(struct sched_watchdog, 8);

#endif /* XENIA_PUBLIC_SCHED_H */
