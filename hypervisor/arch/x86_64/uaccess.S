/*
 * Raw copies to and from guest virtual addresses. A fault inside the copy
 * (unmapped or read-only guest page) is caught through the exception table
 * (.ex_table: pairs of faulting address, fixup address) and the copy returns
 * the number of bytes NOT copied. Callers check the address range first
 * (guest_access.c): these never validate it.
 */
        .text
/* uint64_t uaccess_copy(void *dst, const void *src, uint64_t n) */
        .global uaccess_copy
uaccess_copy:
        movq    %rdx, %rcx
1:      rep movsb
        xorl    %eax, %eax
        ret
2:      movq    %rcx, %rax
        ret

        .section .ex_table, "a"
        .balign 8
        .quad   1b, 2b
