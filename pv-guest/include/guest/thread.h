/*
 * Cooperative kernel threads on one vCPU.
 *
 * A thread runs until it yields, sleeps or exits; nothing preempts it, so
 * data shared only between threads needs no lock (event handlers are a
 * different matter: see guest/events.h). Each thread has its own stack
 * (THREAD_STACK_PAGES) and its own FPU/SSE state, saved with fxsave and
 * restored with fxrstor on every switch. The boot context becomes the
 * thread "main". An exited thread's stack is freed by the next thread that
 * runs. When nothing is runnable the vCPU blocks until the earliest sleeper
 * is due.
 */
#ifndef PVG_GUEST_THREAD_H
#define PVG_GUEST_THREAD_H

#include <stdbool.h>
#include <stdint.h>

#define THREAD_STACK_PAGES 4
#define THREAD_MAX 32
#define THREAD_NAME_LEN 16

struct thread;
typedef void (*thread_fn)(void *arg);

void threads_init(void);
/* NULL if no slot or no memory for the stack. */
struct thread *thread_create(const char *name, thread_fn fn, void *arg);
void thread_yield(void);
void thread_sleep_ns(uint64_t ns);
/*
 * Wait until thread_wake() or the deadline (system time; UINT64_MAX for
 * none); true if woken. To wait for a condition an event handler sets,
 * mask events (irq_save), test it, call thread_wait, test again, and
 * restore: a wake between the test and the wait is then not lost.
 */
bool thread_wait(uint64_t deadline_ns);
/* End t's wait, if it waits; safe in event handlers. */
void thread_wake(struct thread *t);
__attribute__((noreturn)) void thread_exit(void);
/* Run the other threads until all of them have exited. */
void thread_join_all(void);
const char *thread_name(const struct thread *t);
struct thread *thread_current(void);
uint64_t thread_switches(void);

/* C side of arch_thread_entry. */
__attribute__((noreturn)) void thread_start(thread_fn fn, void *arg);

#endif /* PVG_GUEST_THREAD_H */
