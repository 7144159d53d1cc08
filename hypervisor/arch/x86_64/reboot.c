/* Platform reset and the QEMU isa-debug-exit port (iobase 0xf4). */
#include <asm/x86.h>
#include <xenia/shutdown.h>

#define DEBUG_EXIT_PORT 0xf4

void arch_qemu_exit(unsigned code)
{
    outl(DEBUG_EXIT_PORT, code);
}

__noreturn void arch_reset(void)
{
    struct {
        uint16_t limit;
        uint64_t base;
    } __attribute__((packed)) null_idt = { 0, 0 };

    outb(0xcf9, 0x02);                      /* PCI reset control: hard reset */
    outb(0xcf9, 0x06);
    for (int i = 0; i < 100000; i++)
        if (!(inb(0x64) & 0x02))
            break;
    outb(0x64, 0xfe);                       /* keyboard controller reset line */
    /* Last resort: a triple fault. */
    __asm__ volatile("lidt %0; int3" ::"m"(null_idt));
    for (;;)
        halt();
}
