/*
 * 16550 UART, polled transmit. Before serial_init() runs nothing is sent
 * (io_base 0), so early printk output only reaches the console ring.
 * '\n' goes out as "\r\n".
 */
#include <asm/x86.h>
#include <xenia/serial.h>

#define UART_THR 0      /* transmit holding (DLAB 0) */
#define UART_DLL 0      /* divisor low (DLAB 1) */
#define UART_IER 1
#define UART_DLM 1
#define UART_FCR 2
#define UART_LCR 3
#define UART_MCR 4
#define UART_LSR 5
#define UART_LSR_THRE 0x20
#define UART_CLOCK_HZ 1843200

static uint16_t serial_base;

void serial_init(const struct serial_config *cfg)
{
    uint16_t base = cfg->io_base;
    uint32_t divisor = UART_CLOCK_HZ / 16 / (cfg->baud ? cfg->baud : 115200);
    uint8_t lcr = (uint8_t)((cfg->data_bits - 5) & 3);

    if (divisor == 0)
        divisor = 1;
    if (cfg->stop_bits == 2)
        lcr |= 1 << 2;
    switch (cfg->parity) {
    case 'o': lcr |= 0x08; break;
    case 'e': lcr |= 0x18; break;
    case 'm': lcr |= 0x28; break;
    case 's': lcr |= 0x38; break;
    default: break;
    }

    outb(base + UART_IER, 0);               /* polled: no interrupts */
    outb(base + UART_LCR, 0x80);            /* DLAB on */
    outb(base + UART_DLL, divisor & 0xff);
    outb(base + UART_DLM, (divisor >> 8) & 0xff);
    outb(base + UART_LCR, lcr);             /* DLAB off, line format */
    outb(base + UART_FCR, 0x07);            /* FIFOs on and cleared */
    outb(base + UART_MCR, 0x03);            /* DTR | RTS */
    serial_base = base;
}

static void serial_tx(char c)
{
    for (unsigned spin = 0; spin < 100000; spin++)
        if (inb(serial_base + UART_LSR) & UART_LSR_THRE)
            break;
    outb(serial_base + UART_THR, (uint8_t)c);
}

void serial_putc(char c)
{
    if (!serial_base)
        return;
    if (c == '\n')
        serial_tx('\r');
    serial_tx(c);
}
