/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Formatted console output.
 *
 * Not a libc: there are no streams, and everything goes to the platform
 * console.  Conversions: %d %i %u %x %X %p %s %c %%, with the length
 * modifiers hh, h, l, ll, z and j, the flags '-' and '0', a field width and,
 * for %s and the integers, a precision (both may be '*').
 */

#ifndef __STDIO_H__
#define __STDIO_H__

#include <stdarg.h>
#include <stddef.h>

#define EOF	(-1)

int printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int vprintf(const char *fmt, va_list ap)
	__attribute__((format(printf, 1, 0)));
int snprintf(char *buf, size_t size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
	__attribute__((format(printf, 3, 0)));
int puts(const char *s);
int putchar(int c);

#endif /* __STDIO_H__ */
