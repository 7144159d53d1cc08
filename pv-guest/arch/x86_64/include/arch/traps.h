/*
 * Trap frames and trap hooks.
 *
 * The hypervisor delivers an exception, event or user syscall by pushing a
 * bounce frame {rcx, r11, [error code], rip, cs, rflags, rsp, ss} on the
 * kernel stack (16-byte aligned) and jumping to the registered address.
 * entry.S pops rcx/r11 back into their registers, pushes a zero error code
 * where the CPU has none, the vector, and every general register: the
 * result is a struct trap_frame. Frames from kernel mode carry cs with RPL
 * 0 (0xe030; the hypervisor clears the RPL to tell kernel from user), user
 * ones cs 0xe033; bits 32..39 of cs hold the upcall mask saved at entry.
 * Changes a handler makes to the frame are what the iret hypercall
 * restores.
 */
#ifndef PVG_ARCH_TRAPS_H
#define PVG_ARCH_TRAPS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TRAP_VEC_EVENT   0x100    /* event upcall, not a CPU vector */
#define TRAP_VEC_SYSCALL 0x101    /* `syscall` from guest user mode */

#define TRAP_DE  0
#define TRAP_DB  1
#define TRAP_BP  3
#define TRAP_OF  4
#define TRAP_BR  5
#define TRAP_UD  6
#define TRAP_NM  7
#define TRAP_GP  13
#define TRAP_PF  14
#define TRAP_NR  32

struct trap_frame {
    uint64_t r15, r14, r13, r12, rbp, rbx, r11, r10, r9, r8;
    uint64_t rax, rcx, rdx, rsi, rdi;
    uint64_t vector;
    uint64_t error_code;
    uint64_t rip, cs, rflags, rsp, ss;
};
_Static_assert(offsetof(struct trap_frame, vector) == 15 * 8, "entry.S pushes 15 registers");
_Static_assert(offsetof(struct trap_frame, rip) == 17 * 8, "hypervisor frame follows");
_Static_assert(sizeof(struct trap_frame) == 22 * 8, "frame size");

static inline bool trap_from_user(const struct trap_frame *f)
{
    return (f->cs & 3) == 3;
}

/*
 * A hook sees a trap before the default handling. It returns true if it
 * dealt with the trap (the frame, possibly changed, is then resumed) and
 * false to fall through: user-mode faults end the user program, kernel
 * faults crash the domain after a register dump. cr2 is the faulting
 * address for page faults (vcpu_info.arch.cr2), 0 otherwise.
 */
typedef bool (*trap_hook_fn)(struct trap_frame *f, uint64_t cr2);

/* Install the trap table and the callbacks; called once at boot. */
void traps_init(void);
/* The same trap table and callbacks (with the same event masking) into a
   context for another vCPU: trap_ctxt[], the three callbacks, flags. */
struct vcpu_guest_context;
void traps_fill_context(struct vcpu_guest_context *c);
/* Set the hook of one vector; returns the previous hook. */
trap_hook_fn trap_set_hook(unsigned vector, trap_hook_fn fn);
void trap_dump(const struct trap_frame *f, uint64_t cr2);
const char *trap_name(uint64_t vector);

/* Called by entry.S. */
void trap_dispatch(struct trap_frame *f);
void failsafe_dispatch(const uint64_t *frame);

/* Leave the kernel for user mode at rip/rsp with %rdi = arg (entry.S). */
__attribute__((noreturn)) void arch_enter_user(uint64_t rip, uint64_t rsp, uint64_t arg);

/* Switch kernel stacks: save callee-saved state on the current stack and
 * its %rsp in *prev_sp, continue on next_sp (switch.S). */
void arch_switch(uint64_t *prev_sp, uint64_t next_sp);
/* Where a new thread starts: calls thread_start(%r12, %r13). */
void arch_thread_entry(void);

#endif /* PVG_ARCH_TRAPS_H */
