/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Console lines for the runtime's messages and fault reports.
 */

#include <uk/arch/types.h>
#include <uk/compart/plat.h>

#include "ukcompart.h"

void ukc_line_init(struct ukc_line *l, const char *prefix)
{
	l->len = 0;
	ukc_line_str(l, prefix);
}

static void ukc_line_putc(struct ukc_line *l, char c)
{
	/* Keep the last byte for the '\n' of ukc_line_emit(). */
	if (l->len < UKC_LINE_MAX - 1)
		l->buf[l->len++] = c;
}

void ukc_line_strn(struct ukc_line *l, const char *s, __sz max)
{
	__sz i;

	for (i = 0; i < max && s[i]; i++)
		ukc_line_putc(l, s[i]);
}

void ukc_line_str(struct ukc_line *l, const char *s)
{
	ukc_line_strn(l, s, UKC_LINE_MAX);
}

/* Lowercase hex, no padding, 0x prefix. */
void ukc_line_hex(struct ukc_line *l, __u64 v)
{
	int shift = 60;

	ukc_line_str(l, "0x");
	while (shift > 0 && !(v >> shift))
		shift -= 4;
	for (; shift >= 0; shift -= 4)
		ukc_line_putc(l, "0123456789abcdef"[(v >> shift) & 0xf]);
}

void ukc_line_dec(struct ukc_line *l, long v)
{
	char digits[20];
	int n = 0;
	/* Negate in unsigned arithmetic so that LONG_MIN works too. */
	unsigned long u = v < 0 ? -(unsigned long)v : (unsigned long)v;

	if (v < 0)
		ukc_line_putc(l, '-');
	do {
		digits[n++] = (char)('0' + u % 10);
		u /= 10;
	} while (u);
	while (n)
		ukc_line_putc(l, digits[--n]);
}

void ukc_line_emit(struct ukc_line *l)
{
	l->buf[l->len++] = '\n';
	ukc_plat_puts(l->buf, l->len);
}
