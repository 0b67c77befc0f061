/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Console on the first serial port (COM1), an NS16550-compatible UART.
 *
 * Output is polled and unbuffered: the console must work from exception
 * handlers and before anything else is set up, and a line written just
 * before the image stops must not be lost.
 */

#include <uk/arch/types.h>
#include <uk/plat/console.h>

#include "qemuplat.h"

#define COM1			0x3f8
#define UART_THR		0	/* transmit holding (DLAB = 0) */
#define UART_DLL		0	/* divisor latch, low (DLAB = 1) */
#define UART_IER		1	/* interrupt enable (DLAB = 0) */
#define UART_DLM		1	/* divisor latch, high (DLAB = 1) */
#define UART_FCR		2
#define UART_LCR		3
#define UART_MCR		4
#define UART_LSR		5

#define UART_LCR_8N1		0x03
#define UART_LCR_DLAB		0x80
#define UART_FCR_ENABLE_CLEAR	0x07
#define UART_MCR_DTR_RTS	0x03
#define UART_LSR_THRE		0x20

/* 115200 baud: the UART clock is 1.8432 MHz / 16. */
#define UART_DIVISOR_115200	1

void qemuplat_console_init(void)
{
	/* Polled output only: no interrupts, so no OUT2 either. */
	outb(COM1 + UART_IER, 0x00);
	outb(COM1 + UART_LCR, UART_LCR_DLAB);
	outb(COM1 + UART_DLL, UART_DIVISOR_115200);
	outb(COM1 + UART_DLM, 0x00);
	outb(COM1 + UART_LCR, UART_LCR_8N1);
	outb(COM1 + UART_FCR, UART_FCR_ENABLE_CLEAR);
	outb(COM1 + UART_MCR, UART_MCR_DTR_RTS);
}

static void console_putc(char c)
{
	while (!(inb(COM1 + UART_LSR) & UART_LSR_THRE))
		;
	outb(COM1 + UART_THR, (__u8)c);
}

void ukplat_console_write(const char *buf, __sz len)
{
	__sz i;

	for (i = 0; i < len; i++) {
		if (buf[i] == '\n')
			console_putc('\r');
		console_putc(buf[i]);
	}
}

void qemuplat_print(const char *s)
{
	__sz len = 0;

	while (s[len])
		len++;
	ukplat_console_write(s, len);
}

/* Lowercase hex with a 0x prefix and no padding, as the reports use it. */
void qemuplat_print_hex(__u64 v)
{
	char buf[2 + 16];
	int i = sizeof(buf);

	do {
		buf[--i] = "0123456789abcdef"[v & 0xf];
		v >>= 4;
	} while (v);
	buf[--i] = 'x';
	buf[--i] = '0';
	ukplat_console_write(&buf[i], sizeof(buf) - i);
}

void qemuplat_print_dec(long v)
{
	char buf[1 + 20];
	int i = sizeof(buf);
	/* Negate in unsigned arithmetic so that LONG_MIN works too. */
	unsigned long u = v < 0 ? -(unsigned long)v : (unsigned long)v;

	do {
		buf[--i] = (char)('0' + u % 10);
		u /= 10;
	} while (u);
	if (v < 0)
		buf[--i] = '-';
	ukplat_console_write(&buf[i], sizeof(buf) - i);
}
