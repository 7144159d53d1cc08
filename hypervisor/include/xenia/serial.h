/* 16550 UART driver for the hypervisor console (COM1 by default). */
#ifndef XENIA_SERIAL_H
#define XENIA_SERIAL_H

#include <stdint.h>

struct serial_config {
    uint32_t baud;
    uint8_t data_bits;      /* 5..8 */
    char parity;            /* 'n', 'o', 'e', 'm', 's' */
    uint8_t stop_bits;      /* 1 or 2 */
    uint16_t io_base;
};

void serial_init(const struct serial_config *cfg);
void serial_putc(char c);

#endif
