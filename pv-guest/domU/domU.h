/*
 * The domU program's modes besides main.c's own (see main.c for the list).
 * Each runs in the boot thread and returns to power the domain off, or
 * crashes the domain on a failed check.
 */
#ifndef PVG_DOMU_DOMU_H
#define PVG_DOMU_DOMU_H

#include <stdbool.h>
#include <stdint.h>

#include "guest/events.h"

/* peer_wait.c: wait for a word a peer writes, woken by its events. Bind the
   port with peer_wait_event as handler and the struct as its argument. */
struct peer_wait {
    volatile unsigned events;   /* notifications seen */
    struct thread *thread;      /* the waiter, if one waits */
};
void peer_wait_event(evtchn_port_t port, struct trap_frame *f, void *arg);
/* true once *word == want; false if the deadline (system time) passed first. */
bool peer_wait_for(struct peer_wait *w, const volatile uint32_t *word, uint32_t want,
                   uint64_t deadline_ns);

/* pingpong.c: meet the peer through xenstore, then 10,000 checked messages. */
void pingpong_ping(void);
void pingpong_pong(void);

/* hostile.c: security cases played by one domU against another. */
void hostile_victim(void);
void hostile_attack(void);
void hostile_canary(void);

#endif /* PVG_DOMU_DOMU_H */
