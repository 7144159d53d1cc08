/*
 * First instructions: Multiboot2 and Multiboot1 headers, the 32-bit entry
 * that both boot protocols jump to, early page tables and the switch to long
 * mode.
 *
 * Everything in the .boot sections runs before paging and is linked at its
 * physical address; from start64 on, code runs at its link address in the
 * hypervisor image slot (see xenia/layout.h).
 *
 * Register contract on entry (both protocols): eax = boot loader magic,
 * ebx = physical address of the boot information, protected mode with flat
 * segments, paging off, interrupts off. start_xenia(magic, info_pa) receives
 * them unchanged; it tells the protocols apart by the magic.
 */
#include <xenia/layout.h>
#include <asm/regs.h>

#define MB2_HEADER_MAGIC    0xE85250D6
#define MB2_ARCH_I386       0
#define MB1_HEADER_MAGIC    0x1BADB002
/* page-align modules | want memory info | header carries load addresses */
#define MB1_HEADER_FLAGS    ((1 << 0) | (1 << 1) | (1 << 16))

#define PHYS(sym)           ((sym) - HV_IMAGE_BASE)
#define PTE_P               0x001
#define PTE_RW              0x002
#define PTE_PS              0x080

#define COM1                0x3f8

        .section .boot.header, "a"
        .balign 8
mb2_header:
        .long   MB2_HEADER_MAGIC
        .long   MB2_ARCH_I386
        .long   mb2_header_end - mb2_header
        .long   0x100000000 - (MB2_HEADER_MAGIC + MB2_ARCH_I386 + (mb2_header_end - mb2_header))
        .balign 8
        .short  6, 0                    /* module alignment: page-align modules */
        .long   8
        .balign 8
        .short  0, 0                    /* end tag */
        .long   8
mb2_header_end:

        .balign 4
mb1_header:
        .long   MB1_HEADER_MAGIC
        .long   MB1_HEADER_FLAGS
        .long   0x100000000 - (MB1_HEADER_MAGIC + MB1_HEADER_FLAGS)
        .long   mb1_header              /* header_addr */
        .long   __load_start            /* load_addr */
        .long   PHYS(__load_end)        /* load_end_addr */
        .long   PHYS(__bss_end)         /* bss_end_addr */
        .long   start32                 /* entry_addr */

        .section .boot.text, "ax"
        .code32
        .global start32
start32:
        cli
        cld
        /*
         * Zero bss: the early page tables and the boot stack live there, so
         * the magic waits in esp (no stack in use yet) and the info pointer
         * in esi; both reach start_xenia in edi/esi.
         */
        mov     %eax, %esp
        mov     %ebx, %esi
        mov     $PHYS(__bss_start), %edi
        mov     $PHYS(__bss_end), %ecx
        sub     %edi, %ecx
        xor     %eax, %eax
        rep stosb
        mov     %esp, %edi
        mov     $PHYS(boot_stack_top), %esp

        /* Long mode is required. */
        mov     $0x80000000, %eax
        cpuid
        cmp     $0x80000001, %eax
        jb      no_long_mode
        mov     $0x80000001, %eax
        cpuid
        bt      $29, %edx
        jnc     no_long_mode
        mov     %edx, %ebp              /* bit 20: NX available */

        /*
         * Early page tables: [0, 4 GiB) with 2 MiB pages, reachable at 0
         * (identity, for this stub), at HV_IMAGE_BASE (slot 260, the image)
         * and at HV_DIRECTMAP_BASE (slot 262).
         */
        mov     $PHYS(early_l2), %ebx
        xor     %ecx, %ecx
1:      mov     %ecx, %eax
        shl     $21, %eax
        or      $(PTE_P | PTE_RW | PTE_PS), %eax
        mov     %eax, (%ebx, %ecx, 8)
        mov     %ecx, %eax
        shr     $11, %eax               /* high dword: bits 32+ of ecx << 21 */
        mov     %eax, 4(%ebx, %ecx, 8)
        inc     %ecx
        cmp     $(512 * HV_EARLY_MAP_GIB), %ecx
        jb      1b

        mov     $PHYS(early_l3), %ebx
        xor     %ecx, %ecx
2:      mov     %ecx, %eax
        shl     $12, %eax
        add     $(PHYS(early_l2) + PTE_P + PTE_RW), %eax
        mov     %eax, (%ebx, %ecx, 8)
        inc     %ecx
        cmp     $HV_EARLY_MAP_GIB, %ecx
        jb      2b

        mov     $PHYS(early_l4), %ebx
        mov     $(PHYS(early_l3) + PTE_P + PTE_RW), %eax
        mov     %eax, (%ebx)
        mov     %eax, (HV_SLOT_IMAGE * 8)(%ebx)
        mov     %eax, (HV_SLOT_DIRECTMAP * 8)(%ebx)

        mov     %cr4, %eax
        or      $(1 << 5), %eax         /* PAE */
        mov     %eax, %cr4
        mov     %ebx, %cr3
        mov     $0xC0000080, %ecx       /* EFER */
        rdmsr
        or      $(1 << 8), %eax         /* LME */
        bt      $20, %ebp
        jnc     3f
        or      $(1 << 11), %eax        /* NXE */
3:      wrmsr
        mov     %cr0, %eax
        or      $((1 << 31) | (1 << 16) | 1), %eax     /* PG | WP | PE */
        mov     %eax, %cr0

        lgdt    boot_gdt_desc
        ljmp    $0x08, $start64_low

no_long_mode:
        mov     $msg_no_lm, %ebx
4:      movzbl  (%ebx), %eax
        test    %al, %al
        jz      5f
        mov     $(COM1 + 5), %dx        /* wait for the transmitter */
6:      push    %eax
        in      %dx, %al
        test    $0x20, %al
        pop     %eax
        jz      6b
        mov     $COM1, %dx
        out     %al, %dx
        inc     %ebx
        jmp     4b
5:      hlt
        jmp     5b

        .code64
start64_low:
        movabs  $start64, %rax
        jmp     *%rax

        .section .boot.data, "a"
        .balign 8
boot_gdt:
        .quad   0
        .quad   0x00AF9A000000FFFF      /* 0x08: 64-bit code, ring 0 */
        .quad   0x00CF92000000FFFF      /* 0x10: data, ring 0 */
boot_gdt_end:
boot_gdt_desc:
        .short  boot_gdt_end - boot_gdt - 1
        .long   boot_gdt
msg_no_lm:
        .asciz  "Xenia: this CPU has no long mode; halting.\r\n"

        .text
        .global start64
start64:
        mov     $0x10, %eax
        mov     %eax, %ds
        mov     %eax, %es
        mov     %eax, %ss
        xor     %eax, %eax
        mov     %eax, %fs
        mov     %eax, %gs
        /* The stack starts below struct cpu_info, which tops the block. */
        lea     boot_stack_top - CPU_INFO_SIZE(%rip), %rsp
        xor     %ebp, %ebp
        /* edi = magic, esi = info physical address (zero-extended) */
        mov     %esi, %esi
        call    start_xenia
7:      cli
        hlt
        jmp     7b

        .bss
        .balign PAGE_SIZE
        .global early_l4
early_l4:
        .skip   PAGE_SIZE
early_l3:
        .skip   PAGE_SIZE
early_l2:
        .skip   PAGE_SIZE * HV_EARLY_MAP_GIB
        .balign STACK_SIZE              /* struct cpu_info is found from %rsp */
        .global boot_stack
boot_stack:
        .skip   STACK_SIZE
        .global boot_stack_top
boot_stack_top:
