/*
 * Entry points the hypervisor bounces to, and the way back (iret).
 *
 * Every entry finds a bounce frame on the kernel stack (the current one if
 * the vCPU was in kernel mode, the stack_switch one if it came from user
 * mode): {rcx, r11, [error code], rip, cs, rflags, rsp, ss}. The real %rcx
 * and %r11 were clobbered on the way in and are popped back first; then a
 * zero error code (if the vector has none) and the vector are pushed and
 * every general register is saved: a struct trap_frame (arch/traps.h),
 * 16-byte aligned because the hypervisor aligns the frame.
 *
 * The way back is the iret hypercall. Its frame is {rax, r11, rcx, flags,
 * rip, cs, rflags, rsp, ss}: with the registers restored and the vector and
 * error code dropped, the stack holds rip..ss; HYPERVISOR_IRET pushes the
 * flags word and enters stub 23 of the hypercall page with a jump (the
 * stub pushes rcx, r11 and rax itself and never returns), or, in a kernel
 * built with PVG_HYPERCALL_DIRECT, pushes those three and runs `syscall`.
 * flags = VGCF_in_syscall returns from a user syscall: only rax, rip,
 * rflags and rsp are restored, as with sysret. The upcall mask becomes
 * !rflags.IF, which restores the mask saved in the bounce frame.
 */
#include "asm-offsets.h"

.macro HYPERVISOR_IRET flags:req
        pushq   $\flags
#ifdef PVG_HYPERCALL_DIRECT
        pushq   %rcx
        pushq   %r11
        pushq   %rax
        movl    $HC_NR_IRET, %eax
        syscall
#else
        jmp     hypercall_page + HC_OFF_IRET
#endif
        ud2                             /* iret does not come back */
.endm

.macro SAVE_ALL
        pushq   %rdi
        pushq   %rsi
        pushq   %rdx
        pushq   %rcx
        pushq   %rax
        pushq   %r8
        pushq   %r9
        pushq   %r10
        pushq   %r11
        pushq   %rbx
        pushq   %rbp
        pushq   %r12
        pushq   %r13
        pushq   %r14
        pushq   %r15
.endm

.macro RESTORE_ALL
        popq    %r15
        popq    %r14
        popq    %r13
        popq    %r12
        popq    %rbp
        popq    %rbx
        popq    %r11
        popq    %r10
        popq    %r9
        popq    %r8
        popq    %rax
        popq    %rcx
        popq    %rdx
        popq    %rsi
        popq    %rdi
.endm

/* An exception without an error code. */
.macro TRAP_NOERR name:req, vec:req
        .globl  \name
        .type   \name, @function
\name:
        popq    %rcx
        popq    %r11
        pushq   $0
        pushq   $\vec
        jmp     trap_common
.endm

/* An exception with an error code (already in the frame). */
.macro TRAP_ERR name:req, vec:req
        .globl  \name
        .type   \name, @function
\name:
        popq    %rcx
        popq    %r11
        pushq   $\vec
        jmp     trap_common
.endm

        .text
        TRAP_NOERR trap_divide_error, 0
        TRAP_NOERR trap_debug, 1
        TRAP_NOERR trap_int3, 3
        TRAP_NOERR trap_overflow, 4
        TRAP_NOERR trap_bounds, 5
        TRAP_NOERR trap_invalid_op, 6
        TRAP_NOERR trap_device_not_available, 7
        TRAP_NOERR trap_coproc_seg_overrun, 9
        TRAP_ERR   trap_invalid_tss, 10
        TRAP_ERR   trap_segment_not_present, 11
        TRAP_ERR   trap_stack_segment, 12
        TRAP_ERR   trap_general_protection, 13
        TRAP_ERR   trap_page_fault, 14
        TRAP_NOERR trap_spurious_interrupt, 15
        TRAP_NOERR trap_coproc_error, 16
        TRAP_ERR   trap_alignment_check, 17
        TRAP_NOERR trap_machine_check, 18
        TRAP_NOERR trap_simd_error, 19

trap_common:
        SAVE_ALL
        movq    %rsp, %rdi
        call    trap_dispatch
trap_return:
        RESTORE_ALL
        addq    $16, %rsp               /* vector, error code */
        HYPERVISOR_IRET 0

/* Event upcall: events are masked on entry; the iret unmasks them again
 * (the saved mask was 0, so rflags.IF is set in the frame). */
        .globl  hypervisor_callback
        .type   hypervisor_callback, @function
hypervisor_callback:
        popq    %rcx
        popq    %r11
        pushq   $0
        pushq   $TRAP_VEC_EVENT
        SAVE_ALL
        movq    %rsp, %rdi
        call    event_upcall
        jmp     trap_return

/* `syscall` from guest user mode; we are now in kernel mode on the
 * stack_switch stack, %rcx = user rip and %r11 = user rflags after the pops. */
        .globl  syscall_callback
        .type   syscall_callback, @function
syscall_callback:
        popq    %rcx
        popq    %r11
        pushq   $0
        pushq   $TRAP_VEC_SYSCALL
        SAVE_ALL
        movq    %rsp, %rdi
        call    syscall_dispatch
        RESTORE_ALL
        addq    $16, %rsp
        HYPERVISOR_IRET VGCF_IN_SYSCALL

/* The hypervisor could not load our segment registers on a return.
 * Frame: rcx, r11, ds, es, fs, gs, rip, cs, rflags, rsp, ss. Fatal. */
        .globl  failsafe_callback
        .type   failsafe_callback, @function
failsafe_callback:
        movq    %rsp, %rdi
        andq    $~0xf, %rsp
        call    failsafe_dispatch
        ud2

/* arch_enter_user(rip, rsp, arg): iret to user mode (cs RPL 3 makes the
 * hypervisor switch to the user L4) with events enabled and every other
 * register cleared, so nothing of the kernel leaks into user space. */
        .globl  arch_enter_user
        .type   arch_enter_user, @function
arch_enter_user:
        pushq   $USER_SS
        pushq   %rsi
        pushq   $0x202                  /* IF: events on in user mode */
        pushq   $USER_CS
        pushq   %rdi
        movq    %rdx, %rdi
        xorl    %eax, %eax
        xorl    %ebx, %ebx
        xorl    %ecx, %ecx
        xorl    %edx, %edx
        xorl    %esi, %esi
        xorl    %ebp, %ebp
        xorl    %r8d, %r8d
        xorl    %r9d, %r9d
        xorl    %r10d, %r10d
        xorl    %r11d, %r11d
        xorl    %r12d, %r12d
        xorl    %r13d, %r13d
        xorl    %r14d, %r14d
        xorl    %r15d, %r15d
        HYPERVISOR_IRET 0

        .section .note.GNU-stack, "", @progbits
