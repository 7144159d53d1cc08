/*
 * Guest entry through `syscall` and every return to a guest.
 *
 * syscall_entry: the CPU leaves rip in rcx, rflags in r11, does not switch
 * stacks and clears IF/TF/DF/AC/NT (SFMASK). The stub switches to the CPU's
 * stack with absolute addresses (no register is free yet; the hypervisor
 * does not use %gs), parking the guest's rax in the ss slot, and builds the
 * same struct cpu_regs frame that an exception from ring 3 builds at
 * TSS.rsp0: struct cpu_info.guest_regs at the top of the stack.
 * One CPU for now: the stub names CPU 0's stack; SMP copies it per CPU.
 *
 * ret_to_guest: entered with %rsp at that frame and interrupts off.
 * pv_exit_prepare() delivers pending work (events, bounces, scheduling: it
 * may replace the frame's contents with another vCPU's); then the frame is
 * restored, by sysretq when rcx/r11 already equal rip/rflags, rip is
 * canonical (never sysret to a non-canonical rip: XSA-7) and TF/RF are clear
 * (sysret with TF traps before the next instruction), else by iretq.
 */
#include <asm/desc.h>
#include <asm/regs.h>
#include <asm/entry_macros.h>


#define CPU0_RSP0 (boot_stack_top - CPU_INFO_SIZE + REGS_SIZE)

        .text
        .global syscall_entry
syscall_entry:
        movabs  %rax, CPU0_RSP0 - 8             /* guest rax -> ss slot */
        movq    %rsp, %rax
        movabs  $(CPU0_RSP0 - 8), %rsp
        pushq   %rax                            /* rsp */
        pushq   %r11                            /* rflags */
        pushq   $SEL_GUEST_CS64                /* cs */
        pushq   %rcx                            /* rip */
        pushq   $0                              /* error code */
        pushq   $VEC_SYSCALL                    /* vector */
        movq    6 * 8(%rsp), %rax               /* guest rax back */
        movq    $SEL_GUEST_DS, 6 * 8(%rsp)   /* ss */
syscall_save_gprs:
        SAVE_GPRS
        cld
        movq    %rsp, %rdi
        sti
        cmpq    $SEL_GUEST_CS32, REGS_CS(%rsp)
        je      1f
        call    pv_syscall
        jmp     ret_to_guest
1:      call    pv_syscall32
        jmp     ret_to_guest

/* A 32-bit `syscall` (compat mode) is not supported: the guest gets #UD. */
        .global syscall32_entry
syscall32_entry:
        movabs  %rax, CPU0_RSP0 - 8
        movq    %rsp, %rax
        movabs  $(CPU0_RSP0 - 8), %rsp
        pushq   %rax
        pushq   %r11
        pushq   $SEL_GUEST_CS32
        pushq   %rcx
        pushq   $0
        pushq   $VEC_SYSCALL
        movq    6 * 8(%rsp), %rax
        movq    $SEL_GUEST_DS, 6 * 8(%rsp)
        jmp     syscall_save_gprs


        .global ret_to_guest
ret_to_guest:
        cli
        movq    %rsp, %rdi
        call    pv_exit_prepare
        RESTORE_GPRS
        addq    $16, %rsp                       /* vector, error code */
        /* sysret iff rcx == rip, r11 == rflags, rip canonical, flat 64-bit cs */
        cmpq    (%rsp), %rcx
        jne     1f
        cmpq    16(%rsp), %r11
        jne     1f
        testl   $0x10100, %r11d                 /* TF or RF: sysret would trap at once */
        jnz     1f
        cmpq    $SEL_GUEST_CS64, 8(%rsp)
        jne     1f
        cmpq    $SEL_GUEST_DS, 32(%rsp)
        jne     1f
        pushq   %rcx
        sarq    $47, %rcx                       /* canonical: bits 63..47 all equal */
        incq    %rcx
        cmpq    $1, %rcx
        popq    %rcx
        ja      1f
        movq    24(%rsp), %rsp                  /* guest rsp; IF comes back from r11 */
        sysretq
1:
        .global ret_to_guest_iret
ret_to_guest_iret:
        iretq

/* Start running the current vCPU: the frame at the top of the stack is set. */
        .global enter_guest
enter_guest:
        movabs  $(CPU0_RSP0 - REGS_SIZE), %rsp
        jmp     ret_to_guest
