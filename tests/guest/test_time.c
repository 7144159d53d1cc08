/*
 * Time: system time from vcpu_info.time advances and never goes backwards;
 * a 10 ms sleep takes at least 10 ms (set_timer_op + SCHEDOP_block woken by
 * VIRQ_TIMER when event channels work, a polling yield loop otherwise: that
 * case is noted, not failed, as event channels are not part of this test);
 * the wall clock is after 2020 and before 2100 and moves with system time.
 */
#include "test.h"
#include "guest/kernel.h"
#include "guest/thread.h"
#include "guest/time.h"

const char test_title[] = "time: system time, timer wakeups, wall clock";

#define Y2020 1577836800ULL
#define Y2100 4102444800ULL

enum test_result test_main(void)
{
    uint64_t t0 = time_now_ns(), prev = t0, t;
    unsigned backwards = 0;

    test_note("tsc_to_system_mul %u tsc_shift %d version %u", vcpu_info0()->time.tsc_to_system_mul,
              vcpu_info0()->time.tsc_shift, vcpu_info0()->time.version);
    test_check(vcpu_info0()->time.tsc_to_system_mul != 0, "tsc_to_system_mul is 0");
    for (int i = 0; i < 100000; i++) {
        t = time_now_ns();
        if (t < prev)
            backwards++;
        prev = t;
    }
    test_check(backwards == 0, "system time went backwards %u times", backwards);
    test_check(prev > t0, "system time did not advance over 100000 reads (%lu)",
               (unsigned long)t0);

    uint64_t events = time_timer_events();
    uint64_t before = time_now_ns();
    thread_sleep_ns(10 * NSEC_PER_MSEC);
    uint64_t slept = time_now_ns() - before;
    test_check(slept >= 10 * NSEC_PER_MSEC, "a 10 ms sleep took %lu ns", (unsigned long)slept);
    test_check(slept < 5 * NSEC_PER_SEC, "a 10 ms sleep took %lu ns", (unsigned long)slept);
    if (time_timer_bound())
        test_check(time_timer_events() > events, "no VIRQ_TIMER event during the sleep");
    else
        test_note("VIRQ_TIMER is not bound: the sleep polled");
    test_note("slept %lu us, %lu timer events", (unsigned long)(slept / 1000),
              (unsigned long)(time_timer_events() - events));

    uint64_t s1, s2;
    uint32_t n1, n2;
    if (!test_check(time_wallclock(&s1, &n1), "wall clock record never settled"))
        return TEST_FAILURE;
    test_check(s1 > Y2020 && s1 < Y2100, "wall clock %lu is not between 2020 and 2100",
               (unsigned long)s1);
    test_check(n1 < 1000000000u, "wall clock nsec %u", n1);
    thread_sleep_ns(20 * NSEC_PER_MSEC);
    time_wallclock(&s2, &n2);
    uint64_t d = (s2 - s1) * NSEC_PER_SEC + n2 - n1;
    test_check(d >= 20 * NSEC_PER_MSEC && d < 5 * NSEC_PER_SEC,
               "wall clock moved %lu ns over a 20 ms sleep", (unsigned long)d);
    test_note("wall clock %lu.%09u", (unsigned long)s2, n2);
    return TEST_SUCCESS;
}
