/*
 * pvclock: versioned reads of the hypervisor's time records.
 * Invariant: a value is returned only if it was copied between two reads
 * of the same even version, with an acquire fence on each side so neither
 * the compiler nor the CPU moves the field reads out of the window.
 */
#include "guest/pvclock.h"

#define NSEC_PER_SEC 1000000000ull

uint64_t pvclock_scale(uint64_t delta, uint32_t mul, int8_t shift)
{
    if (shift < 0)
        delta >>= -shift;
    else
        delta <<= shift;
    return (uint64_t)(((unsigned __int128)delta * mul) >> 32);
}

static uint32_t version_load(const volatile uint32_t *v)
{
    uint32_t x = *v;
    __atomic_thread_fence(__ATOMIC_ACQUIRE);
    return x;
}

static bool version_same(const volatile uint32_t *v, uint32_t before)
{
    __atomic_thread_fence(__ATOMIC_ACQUIRE);
    return *v == before;
}

bool pvclock_system_time(const volatile struct vcpu_time_info *t,
                         uint64_t (*read_tsc)(void *ctx), void *ctx, uint64_t *ns)
{
    for (uint32_t tries = 0; tries < PVCLOCK_MAX_TRIES; tries++) {
        uint32_t v = version_load(&t->version);
        if (v & 1)
            continue;
        uint64_t stamp = t->tsc_timestamp;
        uint64_t base = t->system_time;
        uint32_t mul = t->tsc_to_system_mul;
        int8_t shift = t->tsc_shift;
        uint64_t tsc = read_tsc(ctx);
        if (!version_same(&t->version, v))
            continue;
        uint64_t delta = tsc > stamp ? tsc - stamp : 0;
        *ns = base + pvclock_scale(delta, mul, shift);
        return true;
    }
    return false;
}

bool pvclock_wallclock_base(const volatile struct shared_info *s,
                            uint64_t *sec, uint32_t *nsec)
{
    for (uint32_t tries = 0; tries < PVCLOCK_MAX_TRIES; tries++) {
        uint32_t v = version_load(&s->wc_version);
        if (v & 1)
            continue;
        uint64_t lo = s->wc_sec, hi = s->wc_sec_hi;
        uint32_t n = s->wc_nsec;
        if (!version_same(&s->wc_version, v))
            continue;
        *sec = (hi << 32) | lo;
        *nsec = n;
        return true;
    }
    return false;
}

void pvclock_add_ns(uint64_t base_sec, uint32_t base_nsec, uint64_t ns,
                    uint64_t *sec, uint32_t *nsec)
{
    uint64_t total = (uint64_t)base_nsec % NSEC_PER_SEC + ns % NSEC_PER_SEC;
    *sec = base_sec + (uint64_t)base_nsec / NSEC_PER_SEC + ns / NSEC_PER_SEC +
           total / NSEC_PER_SEC;
    *nsec = (uint32_t)(total % NSEC_PER_SEC);
}
