/*
 * pvtest: a minimal PV kernel that exercises the hypervisor's PV paths on
 * its own (independent of pv-guest). Entry, Xen ELF notes, hypercall page.
 */
#define NOTE(type, kind, value)                 \
        .pushsection .note.Xen, "a";            \
        .balign 4;                              \
        .long 4, 2f - 1f, type;                 \
        .asciz "Xen";                           \
1:      kind value;                             \
2:      .balign 4;                              \
        .popsection

        NOTE(6, .asciz, "pvtest")                       /* GUEST_OS */
        NOTE(7, .asciz, "0.1")                          /* GUEST_VERSION */
        NOTE(5, .asciz, "xen-3.0")                      /* XEN_VERSION */
        NOTE(8, .asciz, "generic")                      /* LOADER */
        NOTE(3, .quad, 0xffffffff80000000)              /* VIRT_BASE */
        NOTE(4, .quad, 0)                               /* PADDR_OFFSET */
        NOTE(1, .quad, _start)                          /* ENTRY */
        NOTE(2, .quad, hypercall_page)                  /* HYPERCALL_PAGE */
        NOTE(9, .asciz, "yes")                          /* PAE_MODE */

        .text
        .global _start
_start:
        /* rsi = start_info, rsp = the builder's boot stack; record every
           register as the hypervisor handed it over (case entry_regs) */
        movq    %rax, entry_regs + 0(%rip)
        movq    %rbx, entry_regs + 8(%rip)
        movq    %rcx, entry_regs + 16(%rip)
        movq    %rdx, entry_regs + 24(%rip)
        movq    %rsi, entry_regs + 32(%rip)
        movq    %rdi, entry_regs + 40(%rip)
        movq    %rbp, entry_regs + 48(%rip)
        movq    %rsp, entry_regs + 56(%rip)
        movq    %r8, entry_regs + 64(%rip)
        movq    %r9, entry_regs + 72(%rip)
        movq    %r10, entry_regs + 80(%rip)
        movq    %r11, entry_regs + 88(%rip)
        movq    %r12, entry_regs + 96(%rip)
        movq    %r13, entry_regs + 104(%rip)
        movq    %r14, entry_regs + 112(%rip)
        movq    %r15, entry_regs + 120(%rip)
        pushfq
        popq    entry_regs + 128(%rip)
        movw    %cs, entry_regs + 136(%rip)
        movw    %ss, entry_regs + 144(%rip)
        lea     boot_stack_top(%rip), %rsp
        movq    %rsi, %rdi
        call    pvtest_main
1:      ud2
        jmp     1b

        .balign 4096
        .global hypercall_page
hypercall_page:
        .skip   4096

        .bss
        .balign 16
        .global entry_regs
entry_regs:
        .skip   19 * 8
        .balign 16
        .skip   16384
boot_stack_top:

/*
 * Trap entry. The hypervisor's bounce frame at %rsp: rcx, r11, [error code],
 * rip, cs, rflags, rsp, ss. The stub restores rcx/r11, pushes a zero error
 * code where the CPU has none, the vector and the GPRs (struct trap_frame in
 * pvtest.h), calls pvtest_trap(frame), and returns with HYPERVISOR_iret:
 * the iret stub of the hypercall page expects rip..ss with the flags word
 * pushed below them.
 */
        .macro TRAP vec, has_err
        .global trap_\vec
trap_\vec:
        popq    %rcx
        popq    %r11
        .if !\has_err
        pushq   $0
        .endif
        pushq   $\vec
        jmp     trap_common
        .endm

        .text
        TRAP 0, 0
        TRAP 1, 0
        TRAP 3, 0
        TRAP 6, 0
        TRAP 7, 0
        TRAP 13, 1
        TRAP 14, 1
        TRAP 128, 0

trap_common:
        pushq   %rax
        pushq   %rbx
        pushq   %rcx
        pushq   %rdx
        pushq   %rsi
        pushq   %rdi
        pushq   %rbp
        pushq   %r8
        pushq   %r9
        pushq   %r10
        pushq   %r11
        pushq   %r12
        pushq   %r13
        pushq   %r14
        pushq   %r15
        movq    %rsp, %rdi
        call    pvtest_trap
        popq    %r15
        popq    %r14
        popq    %r13
        popq    %r12
        popq    %r11
        popq    %r10
        popq    %r9
        popq    %r8
        popq    %rbp
        popq    %rdi
        popq    %rsi
        popq    %rdx
        popq    %rcx
        popq    %rbx
        popq    %rax
        addq    $16, %rsp                       /* vector, error code */
        pushq   $0                              /* iret flags */
        jmp     hypercall_page + 23 * 32

/*
 * Syscall callback: a user-mode `syscall` arrives here in kernel mode with
 * the frame rcx, r11, rip, cs, rflags, rsp, ss (no error code) on the kernel
 * stack from stack_switch. rax = number, rdi = argument. Returns to user
 * with HYPERVISOR_iret and VGCF_in_syscall.
 */
        .global syscall_entry
syscall_entry:
        popq    %rcx
        popq    %r11
        pushq   %rax
        pushq   %rdi
        movq    %rsp, %rsi                      /* -> rip, cs, ... above the two */
        addq    $16, %rsi
        movq    %rax, %rdi
        movq    (%rsp), %rdx
        call    pvtest_syscall                  /* (nr, frame, arg) -> rax */
        addq    $16, %rsp
        pushq   $(1 << 8)                       /* VGCF_in_syscall */
        jmp     hypercall_page + 23 * 32

/* User-mode program: write a message, touch its stack, then exit(42). */
        .balign 4096
        .global user_code
user_code:
        movq    $1, %rax                        /* "write" */
        leaq    user_msg(%rip), %rdi
        syscall
        movq    $0x1234, -8(%rsp)               /* touches the user stack page */
        movq    $2, %rax                        /* "exit" */
        movq    $42, %rdi
        syscall
1:      jmp     1b
user_msg:
        .asciz  "hello from user mode"
        .balign 4096
        .global user_code_end
user_code_end:

/* Benchmark user program: 1000 null syscalls timed with rdtsc, report the
   total with syscall 5 (which ends the run). */
        .text
        .balign 4096
        .global user_bench
user_bench:
        rdtsc
        shlq    $32, %rdx
        orq     %rdx, %rax
        movq    %rax, %r12
        movq    $1000, %r13
1:      movl    $4, %eax
        syscall
        decq    %r13
        jnz     1b
        rdtsc
        shlq    $32, %rdx
        orq     %rdx, %rax
        subq    %r12, %rax
        movq    %rax, %rdi
        movl    $5, %eax
        syscall
2:      jmp     2b
        .balign 4096

/* Failsafe callback: frame rcx, r11, ds, es, fs, gs, rip, cs, rflags, rsp, ss.
   Records the selector that failed (ds) and returns with iret. */
        .text
        .global failsafe_entry
failsafe_entry:
        pushq   %rax
        movq    24(%rsp), %rax
        movq    %rax, failsafe_ds(%rip)
        incq    failsafe_count(%rip)
        popq    %rax
        popq    %rcx
        popq    %r11
        addq    $32, %rsp
        pushq   $0
        jmp     hypercall_page + 23 * 32

        .data
        .global failsafe_ds, failsafe_count
failsafe_ds:    .quad 0
failsafe_count: .quad 0

/* Event callback: frame rcx, r11, rip, cs, rflags, rsp, ss; events are
   masked on entry; pvtest_event() scans the 2-level bitmaps. */
        .text
        .global event_entry
event_entry:
        popq    %rcx
        popq    %r11
        pushq   $0
        pushq   $0x200                  /* "vector" 512: an upcall */
        jmp     trap_common             /* pvtest_trap() hands it to pvtest_event() */
