/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * <stddef.h> for freestanding builds with -nostdinc.
 */

#ifndef __STDDEF_H__
#define __STDDEF_H__

typedef __SIZE_TYPE__		size_t;
typedef __PTRDIFF_TYPE__	ptrdiff_t;
typedef __WCHAR_TYPE__		wchar_t;

#ifndef NULL
#define NULL			((void *)0)
#endif

#define offsetof(type, member)	__builtin_offsetof(type, member)

#endif /* __STDDEF_H__ */
