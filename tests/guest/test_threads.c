/*
 * Cooperative threads: round-robin order on yield, sleeps wake in deadline
 * order, each thread's SSE registers and x87/MXCSR state survive switches
 * (threads keep values live in xmm registers across yields and use
 * different rounding modes), exited threads' stacks are freed.
 */
#include "test.h"
#include "guest/mm.h"
#include "guest/thread.h"
#include "guest/time.h"

const char test_title[] = "threads: scheduling order, sleeps, FPU/SSE state per thread";

static char order[64];
static unsigned order_len;

static void mark(char c)
{
    if (order_len < sizeof(order) - 1)
        order[order_len++] = c;
}

static void yielder(void *arg)
{
    char c = (char)(uintptr_t)arg;
    for (int i = 0; i < 3; i++) {
        mark(c);
        thread_yield();
    }
}

static void sleeper(void *arg)
{
    uint64_t ms = (uint64_t)(uintptr_t)arg;
    thread_sleep_ns(ms * NSEC_PER_MSEC);
    mark((char)('0' + ms / 10));
}

static bool sse_ok[2];

/* Keep a value in xmm7 across yields; set MXCSR rounding per thread. */
static void sse_worker(void *arg)
{
    unsigned id = (unsigned)(uintptr_t)arg;
    uint32_t mxcsr = 0x1f80 | (id << 13);      /* rounding control */
    double seed = 1.5 + id, out = 0;
    uint32_t got = 0;

    __asm__ volatile("ldmxcsr %0" : : "m"(mxcsr));
    __asm__ volatile("movsd %0, %%xmm7" : : "m"(seed) : "xmm7");
    for (int i = 0; i < 5; i++)
        thread_yield();
    __asm__ volatile("movsd %%xmm7, %0" : "=m"(out));
    __asm__ volatile("stmxcsr %0" : "=m"(got));
    sse_ok[id] = out == seed && got == mxcsr;
}

enum test_result test_main(void)
{
    uint64_t free_before = mm_free_count();

    thread_create("a", yielder, (void *)(uintptr_t)'a');
    thread_create("b", yielder, (void *)(uintptr_t)'b');
    thread_create("c", yielder, (void *)(uintptr_t)'c');
    thread_join_all();
    order[order_len] = '\0';
    test_check(strcmp(order, "abcabcabc") == 0, "yield order \"%s\"", order);

    order_len = 0;
    thread_create("s30", sleeper, (void *)(uintptr_t)30);
    thread_create("s10", sleeper, (void *)(uintptr_t)10);
    thread_create("s20", sleeper, (void *)(uintptr_t)20);
    uint64_t t0 = time_now_ns();
    thread_join_all();
    order[order_len] = '\0';
    test_check(strcmp(order, "123") == 0, "wake order \"%s\"", order);
    test_check(time_now_ns() - t0 >= 30 * NSEC_PER_MSEC, "sleeps ended early");

    thread_create("sse0", sse_worker, (void *)(uintptr_t)0);
    thread_create("sse1", sse_worker, (void *)(uintptr_t)1);
    thread_join_all();
    test_check(sse_ok[0] && sse_ok[1], "SSE state lost: %d %d", sse_ok[0], sse_ok[1]);

    test_check(mm_free_count() == free_before, "pages leaked: %lu before, %lu after",
               (unsigned long)free_before, (unsigned long)mm_free_count());
    test_note("%lu switches", (unsigned long)thread_switches());
    return TEST_SUCCESS;
}
