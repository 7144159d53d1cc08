/*
 * The hypercall page: 128 stubs of 32 bytes that a PV kernel calls (or, for
 * iret, jumps to). Stub N: push %rcx; push %r11; mov $N, %eax; syscall;
 * pop %r11; pop %rcx; ret. Stub 23 (iret): push %rcx; push %r11; push %rax;
 * mov $23, %eax; syscall -- it never returns. The rest of the page is int3.
 */
#include <xenia/domain.h>
#include <xenia/mm.h>

void hypercall_page_fill(uint8_t *page)
{
    memset(page, 0xcc, PAGE_SIZE);                     /* int3 between stubs */
    for (unsigned i = 0; i < XEN_HYPERCALL_PAGE_STUBS; i++) {
        uint8_t *p = page + i * XEN_HYPERCALL_STUB_SIZE;
        if (i == __HYPERVISOR_iret) {
            /* push rcx; push r11; push rax; mov $23, eax; syscall (jumped to) */
            static const uint8_t iret_stub[] = { 0x51, 0x41, 0x53, 0x50, 0xb8, 23, 0, 0, 0,
                                                 0x0f, 0x05 };
            memcpy(p, iret_stub, sizeof(iret_stub));
            continue;
        }
        /* push rcx; push r11; mov $i, eax; syscall; pop r11; pop rcx; ret */
        uint8_t stub[] = { 0x51, 0x41, 0x53, 0xb8, (uint8_t)i, 0, 0, 0, 0x0f, 0x05,
                           0x41, 0x5b, 0x59, 0xc3 };
        memcpy(p, stub, sizeof(stub));
    }
}

