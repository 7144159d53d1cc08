#ifndef PVTEST_H
#define PVTEST_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <public/xen.h>
#include <public/sched.h>
#include <public/version.h>
#include <public/callback.h>
#include "hypercall.h"

struct trap_frame {
    uint64_t r15, r14, r13, r12, r11, r10, r9, r8, rbp, rdi, rsi, rdx, rcx, rbx, rax;
    uint64_t vector, error_code, rip, cs, rflags, rsp, ss;
};

enum result { RESULT_SUCCESS, RESULT_FAILURE, RESULT_ERROR, RESULT_SKIP };

struct pvtest_case {
    const char *name;
    enum result (*run)(void);
};
extern const struct pvtest_case pvtest_cases[];     /* ends with { NULL } */
extern const struct start_info *pvtest_si;

__attribute__((noreturn)) void pvtest_finish(enum result r);
int printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
size_t str_len(const char *s);
int str_starts(const char *s, const char *prefix);

/* Expect an exact value; on mismatch print and count a failure. */
extern unsigned pvtest_failures;
#define EXPECT_EQ(what, got, want)                                                  \
    do {                                                                            \
        long __g = (long)(got), __w = (long)(want);                                 \
        if (__g != __w) {                                                           \
            printf("FAIL %s: got %ld, expected %ld\n", what, __g, __w);             \
            pvtest_failures++;                                                      \
        } else {                                                                    \
            printf("ok   %s = %ld\n", what, __g);                                   \
        }                                                                           \
    } while (0)
#define VERDICT() (pvtest_failures ? RESULT_FAILURE : RESULT_SUCCESS)


#define PTE_P  1ull
#define PTE_RW 2ull
#define PTE_US 4ull
#define PTE_PSE 0x80ull
#define PTE_FLAGS (PTE_P | PTE_RW | PTE_US)

uint64_t pfn_to_mfn(uint64_t pfn);
uint64_t va_to_mfn(uint64_t va);
uint64_t mfn_to_va(uint64_t mfn);
uint64_t pte_maddr(uint64_t va, unsigned level);
uint64_t pte_read(uint64_t va, unsigned level);
uint64_t spare_page(unsigned n);
long update_va(uint64_t va, uint64_t pte, uint64_t flags);
long mmu_update1(uint64_t ptr, uint64_t val, uint64_t *done);
long mmuext1(unsigned cmd, uint64_t arg1, uint64_t arg2);
extern volatile struct shared_info *shared_info;
void map_shared_info(void);

/* Traps: the last one seen, and what the handler does about it. */
struct trap_record {
    unsigned count;
    uint64_t vector, error_code, rip, cs, rflags, cr2;
};
extern volatile struct trap_record last_trap;
/* Called for each trap; returns how many bytes to advance rip (0: retry). */
extern uint64_t (*trap_hook)(struct trap_frame *f);
void install_traps(void);

#endif
