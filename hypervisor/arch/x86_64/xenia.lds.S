/*
 * Hypervisor link map. The .boot sections (Multiboot headers, 32-bit stub)
 * are linked at their physical load address; the rest is linked at
 * HV_IMAGE_BASE + physical address and loaded right after them.
 */
#include <xenia/layout.h>

OUTPUT_FORMAT("elf64-x86-64")
OUTPUT_ARCH(i386:x86-64)
ENTRY(start32)

PHDRS
{
    boot PT_LOAD FLAGS(5);
    text PT_LOAD FLAGS(5);
    rodata PT_LOAD FLAGS(4);
    data PT_LOAD FLAGS(6);
}

SECTIONS
{
    . = HV_LOAD_PHYS;
    __load_start = .;
    .boot : {
        KEEP(*(.boot.header))
        *(.boot.text)
        *(.boot.data)
    } :boot

    /* The first loaded byte, as seen from the image slot (its address only). */
    __load_start_hv = __load_start + HV_IMAGE_BASE;

    . = ALIGN(PAGE_SIZE) + HV_IMAGE_BASE;
    __image_start = .;
    .text : AT(ADDR(.text) - HV_IMAGE_BASE) {
        *(.text .text.*)
        *(.fixup)
    } :text
    __text_end = .;

    . = ALIGN(PAGE_SIZE);
    .rodata : AT(ADDR(.rodata) - HV_IMAGE_BASE) {
        *(.rodata .rodata.*)
        . = ALIGN(8);
        __ex_table_start = .;
        KEEP(*(.ex_table))
        __ex_table_end = .;
    } :rodata

    . = ALIGN(PAGE_SIZE);
    __rodata_end = .;
    .data : AT(ADDR(.data) - HV_IMAGE_BASE) {
        *(.data .data.*)
    } :data
    __load_end = .;

    . = ALIGN(PAGE_SIZE);
    .bss (NOLOAD) : AT(ADDR(.bss) - HV_IMAGE_BASE) {
        __bss_start = .;
        *(.bss .bss.*)
        *(COMMON)
        . = ALIGN(PAGE_SIZE);
        __bss_end = .;
    } :data
    __image_end = .;

    /DISCARD/ : {
        *(.comment) *(.note.*) *(.eh_frame) *(.interp) *(.dynamic) *(.dynsym) *(.dynstr) *(.hash) *(.gnu.hash)
    }
}
