/* Hypercalls through the hypercall page the hypervisor filled in. */
#ifndef PVTEST_HYPERCALL_H
#define PVTEST_HYPERCALL_H

#include <stdint.h>

extern char hypercall_page[];

#define HYPERCALL5(nr, a1, a2, a3, a4, a5)                                          \
    ({                                                                              \
        long __ret;                                                                 \
        register uint64_t __a1 __asm__("rdi") = (uint64_t)(a1);                     \
        register uint64_t __a2 __asm__("rsi") = (uint64_t)(a2);                     \
        register uint64_t __a3 __asm__("rdx") = (uint64_t)(a3);                     \
        register uint64_t __a4 __asm__("r10") = (uint64_t)(a4);                     \
        register uint64_t __a5 __asm__("r8") = (uint64_t)(a5);                      \
        __asm__ volatile("call hypercall_page + %c[off]"                            \
                         : "=a"(__ret), "+r"(__a1), "+r"(__a2), "+r"(__a3),          \
                           "+r"(__a4), "+r"(__a5)                                   \
                         : [off] "i"((nr) * 32)                                     \
                         : "memory", "rcx", "r11", "r9");                           \
        __ret;                                                                      \
    })
#define HYPERCALL2(nr, a1, a2) HYPERCALL5(nr, a1, a2, 0, 0, 0)
#define HYPERCALL3(nr, a1, a2, a3) HYPERCALL5(nr, a1, a2, a3, 0, 0)
#define HYPERCALL4(nr, a1, a2, a3, a4) HYPERCALL5(nr, a1, a2, a3, a4, 0)

/* The same through a direct `syscall`, as modern Linux does. */
#define HYPERCALL_DIRECT3(nr, a1, a2, a3)                                           \
    ({                                                                              \
        long __ret;                                                                 \
        register uint64_t __a1 __asm__("rdi") = (uint64_t)(a1);                     \
        register uint64_t __a2 __asm__("rsi") = (uint64_t)(a2);                     \
        register uint64_t __a3 __asm__("rdx") = (uint64_t)(a3);                     \
        __asm__ volatile("syscall"                                                  \
                         : "=a"(__ret), "+r"(__a1), "+r"(__a2), "+r"(__a3)           \
                         : "a"((uint64_t)(nr))                                      \
                         : "memory", "rcx", "r11", "r8", "r9", "r10");              \
        __ret;                                                                      \
    })

#endif
