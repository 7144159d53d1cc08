/*
 * Link map of the PV guest kernel. Virtual addresses start at VIRT_BASE
 * (A_KERNEL_VIRT_BASE, from arch/layout.h through asm-offsets.h); physical
 * addresses (p_paddr) are the offsets from it, which with PADDR_OFFSET 0
 * makes the builder load the byte at VIRT_BASE + x into pseudo-physical
 * address x. Text and read-only data form one R+X segment (the Xen notes
 * sit inside it and also get their own PT_NOTE header), data and bss one
 * R+W segment starting on a fresh page. _end is page-aligned.
 */
#include "asm-offsets.h"

OUTPUT_FORMAT("elf64-x86-64")
OUTPUT_ARCH(i386:x86-64)
ENTRY(_start)

PHDRS
{
    text PT_LOAD FLAGS(5);
    data PT_LOAD FLAGS(6);
    note PT_NOTE FLAGS(4);
}

SECTIONS
{
    . = A_KERNEL_VIRT_BASE;
    _text = .;
    .text : AT(ADDR(.text) - A_KERNEL_VIRT_BASE) {
        *(.text.head)
        *(.text.hypercall_page)
        *(.text .text.*)
    } :text
    .note.Xen : AT(ADDR(.note.Xen) - A_KERNEL_VIRT_BASE) {
        *(.note.Xen)
    } :text :note
    .rodata : AT(ADDR(.rodata) - A_KERNEL_VIRT_BASE) {
        *(.rodata .rodata.*)
    } :text
    _etext = .;

    . = ALIGN(4096);
    .data : AT(ADDR(.data) - A_KERNEL_VIRT_BASE) {
        *(.data .data.*)
        *(.init_array .init_array.* .fini_array .fini_array.*)
    } :data
    .bss : AT(ADDR(.bss) - A_KERNEL_VIRT_BASE) {
        __bss_start = .;
        *(.bss .bss.*)
        *(COMMON)
        . = ALIGN(16);
        __bss_end = .;
    } :data
    . = ALIGN(4096);
    _end = .;

    /DISCARD/ : {
        *(.comment)
        *(.note.GNU-stack)
        *(.note.gnu.*)
        *(.eh_frame .eh_frame_hdr)
    }
}
