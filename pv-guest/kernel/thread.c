/*
 * Cooperative threads: a fixed table, round-robin order by slot.
 *
 * States: FREE (slot unused) -> RUNNABLE <-> SLEEPING | WAITING -> DEAD ->
 * FREE. SLEEPING ends at wake_ns; WAITING ends at wake_ns or earlier by
 * thread_wake(), which event handlers call. `current` is always RUNNABLE
 * or, inside schedule(), the thread that is giving up the CPU.
 * schedule() runs with events masked from its first look at the states to
 * the switch, so a handler's thread_wake() either comes before the look or
 * makes the vCPU's block return at once; each thread's own mask state is
 * saved by its schedule() call and restored when it runs again (a new
 * thread starts with events enabled). A DEAD thread's stack is still in use until the
 * switch away from it completes, so only another thread frees it (reap()).
 * FPU/SSE state: schedule() saves the outgoing thread's with fxsave before
 * the switch; the incoming thread restores its own after the switch (in
 * schedule() or, the first time, in thread_start()).
 */
#include "guest/thread.h"
#include "arch/cpu.h"
#include "arch/layout.h"
#include "arch/traps.h"
#include "guest/console.h"
#include "guest/events.h"
#include "guest/kernel.h"
#include "guest/mm.h"
#include "guest/time.h"

enum thread_state { T_FREE, T_RUNNABLE, T_SLEEPING, T_WAITING, T_DEAD };

struct thread {
    struct fpu_state fpu;
    uint64_t sp;                 /* saved %rsp while switched out */
    void *stack;                 /* NULL for main (the boot stack) */
    enum thread_state state;
    uint64_t wake_ns;            /* SLEEPING, WAITING: when to become RUNNABLE */
    bool woken;                  /* WAITING ended by thread_wake() */
    char name[THREAD_NAME_LEN];
};

static struct thread threads[THREAD_MAX];
static struct thread *current;
static struct fpu_state clean_fpu;
static uint64_t switches;

void threads_init(void)
{
    fpu_init();
    fpu_save(&clean_fpu);
    current = &threads[0];
    current->state = T_RUNNABLE;
    memcpy(current->name, "main", 5);
}

struct thread *thread_current(void)
{
    return current;
}

const char *thread_name(const struct thread *t)
{
    return t->name;
}

uint64_t thread_switches(void)
{
    return switches;
}

static void reap(void)
{
    for (unsigned i = 0; i < THREAD_MAX; i++) {
        struct thread *t = &threads[i];
        if (t->state == T_DEAD && t != current) {
            mm_free_pages(t->stack, THREAD_STACK_PAGES);
            t->stack = NULL;
            t->state = T_FREE;
        }
    }
}

struct thread *thread_create(const char *name, thread_fn fn, void *arg)
{
    struct thread *t = NULL;

    reap();
    for (unsigned i = 1; i < THREAD_MAX && t == NULL; i++)
        if (threads[i].state == T_FREE)
            t = &threads[i];
    if (t == NULL)
        return NULL;
    t->stack = mm_alloc_pages(THREAD_STACK_PAGES);
    if (t->stack == NULL)
        return NULL;

    /* Initial frame for arch_switch: r15 r14 r13 r12 rbx rbp, then the
     * return address; placed so the stack is ABI-aligned at the call in
     * arch_thread_entry. */
    uint64_t top = (uint64_t)(uintptr_t)t->stack + THREAD_STACK_PAGES * PAGE_SIZE;
    uint64_t *sp = (uint64_t *)(uintptr_t)(top - 72);
    sp[0] = 0;                                   /* r15 */
    sp[1] = 0;                                   /* r14 */
    sp[2] = (uint64_t)(uintptr_t)arg;            /* r13 */
    sp[3] = (uint64_t)(uintptr_t)fn;             /* r12 */
    sp[4] = 0;                                   /* rbx */
    sp[5] = 0;                                   /* rbp */
    sp[6] = (uint64_t)(uintptr_t)arch_thread_entry;
    t->sp = (uint64_t)(uintptr_t)sp;
    t->fpu = clean_fpu;
    size_t n = strnlen(name, THREAD_NAME_LEN - 1);
    memcpy(t->name, name, n);
    t->name[n] = '\0';
    t->state = T_RUNNABLE;
    return t;
}

/* Next RUNNABLE thread after `from` in slot order, `from` itself last. */
static struct thread *pick(struct thread *from, uint64_t now, uint64_t *earliest)
{
    unsigned base = (unsigned)(from - threads);

    *earliest = UINT64_MAX;
    for (unsigned i = 0; i < THREAD_MAX; i++) {
        struct thread *t = &threads[i];
        if (t->state == T_SLEEPING || t->state == T_WAITING) {
            if (t->wake_ns <= now)
                t->state = T_RUNNABLE;
            else if (t->wake_ns < *earliest)
                *earliest = t->wake_ns;
        }
    }
    for (unsigned i = 1; i <= THREAD_MAX; i++) {
        struct thread *t = &threads[(base + i) % THREAD_MAX];
        if (t->state == T_RUNNABLE)
            return t;
    }
    return NULL;
}

static bool any_waiting(void)
{
    for (unsigned i = 0; i < THREAD_MAX; i++)
        if (threads[i].state == T_WAITING)
            return true;
    return false;
}

static void schedule(void)
{
    struct thread *prev = current, *next;
    uint64_t earliest;
    unsigned flags = irq_save();

    for (;;) {
        next = pick(prev, time_now_ns(), &earliest);
        if (next != NULL)
            break;
        if (earliest == UINT64_MAX && !any_waiting())
            guest_crash("thread: every thread is dead");
        time_block_masked(earliest);
    }
    if (next != prev) {
        switches++;
        fpu_save(&prev->fpu);
        current = next;
        arch_switch(&prev->sp, next->sp);
        /* Running as prev again. */
        fpu_restore(&current->fpu);
    }
    irq_restore(flags);
    reap();
}

void thread_start(thread_fn fn, void *arg)
{
    fpu_restore(&current->fpu);
    irq_enable();
    reap();
    fn(arg);
    thread_exit();
}

void thread_yield(void)
{
    schedule();
}

void thread_sleep_ns(uint64_t ns)
{
    current->wake_ns = time_now_ns() + ns;
    current->state = T_SLEEPING;
    schedule();
}

bool thread_wait(uint64_t deadline_ns)
{
    current->woken = false;
    current->wake_ns = deadline_ns;
    current->state = T_WAITING;
    schedule();
    return current->woken;
}

void thread_wake(struct thread *t)
{
    if (t != NULL && t->state == T_WAITING) {
        t->woken = true;
        t->state = T_RUNNABLE;
    }
}

void thread_exit(void)
{
    if (current == &threads[0])
        guest_crash("thread: main cannot exit");
    current->state = T_DEAD;
    schedule();
    guest_crash("thread: a dead thread was scheduled");
}

void thread_join_all(void)
{
    for (;;) {
        bool others = false;
        for (unsigned i = 0; i < THREAD_MAX; i++)
            if (&threads[i] != current && threads[i].state != T_FREE &&
                threads[i].state != T_DEAD)
                others = true;
        if (!others)
            break;
        schedule();
    }
    reap();
}
