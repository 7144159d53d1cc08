/*
 * The few CPU instructions a PV guest kernel may use directly (it runs in
 * ring 3: no cli/sti, no control registers, no invlpg), plus barriers.
 */
#ifndef PVG_ARCH_CPU_H
#define PVG_ARCH_CPU_H

#include <stdint.h>

#define barrier() __asm__ volatile("" ::: "memory")
#define mb() __asm__ volatile("mfence" ::: "memory")
#define rmb() barrier()   /* x86: loads are not reordered with loads */
#define wmb() barrier()   /* x86: stores are not reordered with stores */

static inline uint64_t rdtsc(void)
{
    uint32_t lo, hi;
    __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
    return ((uint64_t)hi << 32) | lo;
}

static inline void cpu_relax(void)
{
    __asm__ volatile("pause" ::: "memory");
}

/* FXSAVE image: 512 bytes, 16-byte aligned. */
struct fpu_state {
    uint8_t image[512];
} __attribute__((aligned(16)));

static inline void fpu_save(struct fpu_state *s)
{
    __asm__ volatile("fxsave64 %0" : "=m"(*s));
}

static inline void fpu_restore(const struct fpu_state *s)
{
    __asm__ volatile("fxrstor64 %0" : : "m"(*s));
}

/* A clean x87/SSE state: default control word, MXCSR 0x1f80. */
static inline void fpu_init(void)
{
    uint32_t mxcsr = 0x1f80;
    __asm__ volatile("fninit; ldmxcsr %0" : : "m"(mxcsr));
}

static inline uint64_t xchg64(volatile uint64_t *p, uint64_t v)
{
    __asm__ volatile("xchgq %0, %1" : "+r"(v), "+m"(*p) : : "memory");
    return v;
}

static inline void clear_bit64(volatile uint64_t *p, unsigned bit)
{
    __asm__ volatile("lock btrq %1, %0" : "+m"(*p) : "Ir"((uint64_t)bit) : "memory");
}

static inline void set_bit64(volatile uint64_t *p, unsigned bit)
{
    __asm__ volatile("lock btsq %1, %0" : "+m"(*p) : "Ir"((uint64_t)bit) : "memory");
}

#endif /* PVG_ARCH_CPU_H */
