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
        /* rsi = start_info, rsp = the builder's boot stack */
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
        .skip   16384
boot_stack_top:
