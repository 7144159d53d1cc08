/*
 * Interrupt and exception entry. One 16-byte stub per vector pushes a zero
 * error code where the CPU does not push one, then the vector number, and
 * joins the common path, which saves every GPR into a struct cpu_regs (see
 * asm/traps.h: r15 at the lowest address) and calls trap_dispatch(regs).
 * The stack is 16-byte aligned at that call. An entry from ring 3 (a guest)
 * lands at TSS.rsp0, so its frame is the CPU's guest frame, and it leaves
 * through ret_to_guest like a hypercall does.
 */
#include <asm/desc.h>
#include <asm/regs.h>
#include <asm/entry_macros.h>

/* Vectors for which the CPU pushes an error code. */
#define HAS_ERRCODE(v) ((v) == 8 || ((v) >= 10 && (v) <= 14) || (v) == 17 || (v) == 21 || (v) == 29 || (v) == 30)

        .text
        .balign 16
        .global trap_stubs
trap_stubs:
        .Lvec = 0
        .rept 256
        .balign 16
        .if !HAS_ERRCODE(.Lvec)
        pushq   $0
        .endif
        pushq   $.Lvec
        jmp     trap_common
        .Lvec = .Lvec + 1
        .endr

trap_common:
        SAVE_GPRS
        cld
        movq    %rsp, %rdi
        call    trap_dispatch
        testb   $3, REGS_CS(%rsp)               /* back to a guest: full exit path, */
        jnz     enter_guest                     /* from the CPU's guest frame */
        RESTORE_GPRS
        addq    $16, %rsp               /* vector, error code */
        iretq
