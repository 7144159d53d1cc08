/*
 * Waiting for a word a peer domain writes in a shared page, woken by the
 * peer's notifications (see domU.h). The handler counts events and wakes
 * the waiting thread; the waiter re-tests the word with events masked
 * before it sleeps, so a notification between the test and the sleep is
 * not lost (the count moved: no sleep).
 */
#include "domU.h"
#include "guest/events.h"
#include "guest/thread.h"
#include "guest/time.h"

void peer_wait_event(evtchn_port_t port, struct trap_frame *f, void *arg)
{
    struct peer_wait *w = arg;
    (void)port, (void)f;
    w->events++;
    if (w->thread)
        thread_wake(w->thread);
}

bool peer_wait_for(struct peer_wait *w, const volatile uint32_t *word, uint32_t want,
                   uint64_t deadline_ns)
{
    while (*word != want) {
        unsigned flags = irq_save();
        unsigned seen = w->events;
        w->thread = thread_current();
        if (*word != want && seen == w->events)
            (void)thread_wait(deadline_ns);
        w->thread = NULL;
        irq_restore(flags);
        if (time_now_ns() >= deadline_ns)
            return *word == want;
    }
    return true;
}
