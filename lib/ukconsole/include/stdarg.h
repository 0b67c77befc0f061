/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * <stdarg.h> for freestanding builds with -nostdinc: the compiler's
 * built-ins, which know the x86_64 calling convention.
 */

#ifndef __STDARG_H__
#define __STDARG_H__

typedef __builtin_va_list	va_list;

#define va_start(ap, last)	__builtin_va_start(ap, last)
#define va_arg(ap, type)	__builtin_va_arg(ap, type)
#define va_copy(dst, src)	__builtin_va_copy(dst, src)
#define va_end(ap)		__builtin_va_end(ap)

#endif /* __STDARG_H__ */
