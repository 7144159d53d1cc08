/*
 * The demo user program, copied to a user page by user_run(). It must be
 * position-independent and self-contained (RIP-relative data only).
 *
 * %rdi = 0: the normal run. Each check that fails exits with its own
 * status: 2 write's return value, 3 a callee-saved register changed across
 * a syscall, 4 getpid, 5 unknown syscall not -ENOSYS, 6 write of a kernel
 * pointer not -EFAULT, 7 demand page does not keep what was written,
 * 8 sched_yield. All passed: exit(USER_PROG_OK).
 * %rdi = 1: read kernel memory, which the user L4 does not map: the kernel
 * must kill the program (exit status 9 means the read worked).
 */
#include "asm-offsets.h"

#define ENOSYS 38
#define EFAULT 14

.macro check_or_exit status:req
        jne     1f
        jmp     2f
1:      movl    $\status, %edi
        jmp     .Lexit
2:
.endm

        .section .rodata.user_prog, "a"
        .balign 16
        .globl  user_prog_start
user_prog_start:
        cmpq    $1, %rdi
        je      .Ltouch_kernel

        movabs  $0x1111111111111111, %rbx
        movabs  $0x2222222222222222, %rbp
        movabs  $0x3333333333333333, %r12
        movabs  $0x4444444444444444, %r13
        movabs  $0x5555555555555555, %r14
        leaq    .Lhello(%rip), %rsi
        movl    $(.Lhello_end - .Lhello), %edx
        movl    $1, %edi
        movl    $A_SYS_WRITE, %eax
        syscall
        cmpq    $(.Lhello_end - .Lhello), %rax
        check_or_exit 2
        movabs  $0x1111111111111111, %rax
        cmpq    %rax, %rbx
        check_or_exit 3
        movabs  $0x2222222222222222, %rax
        cmpq    %rax, %rbp
        check_or_exit 3
        movabs  $0x3333333333333333, %rax
        cmpq    %rax, %r12
        check_or_exit 3
        movabs  $0x4444444444444444, %rax
        cmpq    %rax, %r13
        check_or_exit 3
        movabs  $0x5555555555555555, %rax
        cmpq    %rax, %r14
        check_or_exit 3

        movl    $A_SYS_GETPID, %eax
        syscall
        cmpq    $1, %rax
        check_or_exit 4

        movl    $9999, %eax
        syscall
        cmpq    $-ENOSYS, %rax
        check_or_exit 5

        movabs  $A_KERNEL_VIRT_BASE, %rsi
        movl    $8, %edx
        movl    $1, %edi
        movl    $A_SYS_WRITE, %eax
        syscall
        cmpq    $-EFAULT, %rax
        check_or_exit 6

        /* Two demand-zero pages: fresh ones read as zero, then keep data. */
        movabs  $A_USER_DEMAND_BASE, %r12
        cmpq    $0, 8(%r12)
        check_or_exit 7
        movabs  $0x5a5a5a5a12345678, %rax
        movq    %rax, (%r12)
        movq    %rax, 4096(%r12)
        cmpq    %rax, (%r12)
        check_or_exit 7
        cmpq    %rax, 4096(%r12)
        check_or_exit 7

        movl    $A_SYS_SCHED_YIELD, %eax
        syscall
        testq   %rax, %rax
        check_or_exit 8

        leaq    .Ldone(%rip), %rsi
        movl    $(.Ldone_end - .Ldone), %edx
        movl    $1, %edi
        movl    $A_SYS_WRITE, %eax
        syscall
        movl    $A_USER_PROG_OK, %edi
.Lexit:
        movl    $A_SYS_EXIT, %eax
        syscall
        ud2

.Ltouch_kernel:
        movabs  $A_KERNEL_VIRT_BASE, %rax
        movq    (%rax), %rax
        movl    $9, %edi
        jmp     .Lexit

.Lhello:
        .ascii  "user: hello from ring 3 through the syscall instruction\n"
.Lhello_end:
.Ldone:
        .ascii  "user: demand-zero pages mapped, all user checks passed\n"
.Ldone_end:
        .globl  user_prog_end
user_prog_end:

        .section .note.GNU-stack, "", @progbits
