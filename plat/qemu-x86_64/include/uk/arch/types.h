/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Fixed-width kernel types for x86_64, as Unikraft names them, so that code
 * written against this platform also compiles against Unikraft's headers.
 */

#ifndef __UK_ARCH_TYPES_H__
#define __UK_ARCH_TYPES_H__

#ifndef __ASSEMBLY__

typedef unsigned char		__u8;
typedef signed char		__s8;
typedef unsigned short		__u16;
typedef signed short		__s16;
typedef unsigned int		__u32;
typedef signed int		__s32;
typedef unsigned long		__u64;
typedef signed long		__s64;

typedef unsigned long		__uptr;
typedef signed long		__sptr;
typedef unsigned long		__sz;
typedef signed long		__ssz;

typedef __u64			__paddr;
typedef __u64			__vaddr;

#endif /* !__ASSEMBLY__ */

#endif /* __UK_ARCH_TYPES_H__ */
