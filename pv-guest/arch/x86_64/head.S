/*
 * The PV kernel's ELF notes, entry point and hypercall page.
 *
 * The domain builder (pv-abi.md, "Entry to a new PV domain") loads the
 * image at VIRT_BASE + p_paddr (PADDR_OFFSET is 0 and the linker script sets
 * p_paddr = vaddr - VIRT_BASE, so pfn N holds the image's bytes at
 * VIRT_BASE + N * 4096), writes the hypercall stubs into hypercall_page and
 * starts us at _start in ring 3 with %rsi = start_info (virtual) and %rsp
 * on a boot stack above the initial page tables, events masked.
 *
 * FEATURES: we require nothing. "!writable_page_tables" would ask the
 * hypervisor to let us write page tables directly, which a PV MMU that
 * validates every update does not offer; this kernel keeps its tables
 * read-only and changes them with mmu_update. "dom0" says the kernel can
 * run as the initial domain (only consulted with a SUPPORTED_FEATURES note,
 * which we do not emit).
 */
#include "asm-offsets.h"


/* note type, then the descriptor as assembler directives. */
.macro xen_note type:req, desc:vararg
        .pushsection .note.Xen, "a", @note
        .balign 4
        .long   4                       /* namesz: "Xen" and its NUL */
        .long   2f - 1f                 /* descsz */
        .long   \type
        .asciz  "Xen"
        .balign 4
1:      \desc
2:      .balign 4
        .popsection
.endm

        xen_note ELFNOTE_GUEST_OS,       .asciz "Xenia"
        xen_note ELFNOTE_GUEST_VERSION,  .asciz "0.1"
        xen_note ELFNOTE_XEN_VERSION,    .asciz "xen-3.0"
        xen_note ELFNOTE_LOADER,         .asciz "generic"
        xen_note ELFNOTE_VIRT_BASE,      .quad A_KERNEL_VIRT_BASE
        xen_note ELFNOTE_PADDR_OFFSET,   .quad 0
        xen_note ELFNOTE_ENTRY,          .quad _start
        xen_note ELFNOTE_HYPERCALL_PAGE, .quad hypercall_page
        xen_note ELFNOTE_FEATURES,       .asciz "dom0"

        .section .text.head, "ax"
        .code64
        .globl  _start
_start:
        cld
        movq    %rsi, %r12              /* start_info, kept across the clear */
        /* bss: the builder zeroes it as part of the segment, but do not rely on it. */
        leaq    __bss_start(%rip), %rdi
        leaq    __bss_end(%rip), %rcx
        subq    %rdi, %rcx
        xorl    %eax, %eax
        rep stosb
        leaq    boot_stack_top(%rip), %rsp
        xorl    %ebp, %ebp
        movq    %r12, %rdi
        call    start_kernel
1:      ud2
        jmp     1b

/*
 * The hypervisor fills this page with 128 stubs of 32 bytes. Until then it
 * holds int3 so that a call into an unfilled page traps at once.
 */
        .section .text.hypercall_page, "ax"
        .balign 4096
        .globl  hypercall_page
hypercall_page:
        .fill   4096, 1, 0xcc

        .section .bss.boot_stack, "aw", @nobits
        .balign 16
boot_stack:
        .skip   16384
        .globl  boot_stack_top
boot_stack_top:

        .section .note.GNU-stack, "", @progbits
