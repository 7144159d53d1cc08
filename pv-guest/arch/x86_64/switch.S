/*
 * Kernel thread switch. A switched-out thread's stack holds, from its saved
 * %rsp upwards: r15, r14, r13, r12, rbx, rbp, return address. The FPU/SSE
 * state is saved and restored by the C caller (kernel/thread.c).
 */
        .text
/* void arch_switch(uint64_t *prev_sp, uint64_t next_sp) */
        .globl  arch_switch
        .type   arch_switch, @function
arch_switch:
        pushq   %rbp
        pushq   %rbx
        pushq   %r12
        pushq   %r13
        pushq   %r14
        pushq   %r15
        movq    %rsp, (%rdi)
        movq    %rsi, %rsp
        popq    %r15
        popq    %r14
        popq    %r13
        popq    %r12
        popq    %rbx
        popq    %rbp
        ret

/* First "return" of a new thread: thread_start(fn = %r12, arg = %r13). */
        .globl  arch_thread_entry
        .type   arch_thread_entry, @function
arch_thread_entry:
        movq    %r12, %rdi
        movq    %r13, %rsi
        call    thread_start
        ud2

        .section .note.GNU-stack, "", @progbits
