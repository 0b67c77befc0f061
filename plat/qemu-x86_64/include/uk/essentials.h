/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Compiler attributes and small helpers under the names Unikraft gives them,
 * so that the libraries of this tree read the same in a Unikraft build.
 */

#ifndef __UK_ESSENTIALS_H__
#define __UK_ESSENTIALS_H__

#ifndef __ASSEMBLY__

#ifndef __noreturn
#define __noreturn		__attribute__((noreturn))
#endif
#ifndef __used
#define __used			__attribute__((used))
#endif
#ifndef __unused
#define __unused		__attribute__((unused))
#endif
#ifndef __maybe_unused
#define __maybe_unused		__attribute__((unused))
#endif
#ifndef __weak
#define __weak			__attribute__((weak))
#endif
#ifndef __packed
#define __packed		__attribute__((packed))
#endif
#ifndef __align
#define __align(x)		__attribute__((aligned(x)))
#endif
#ifndef __section
#define __section(s)		__attribute__((section(s)))
#endif
#ifndef __printf
#define __printf(f, a)		__attribute__((format(printf, f, a)))
#endif

#ifndef likely
#define likely(x)		(__builtin_expect(!!(x), 1))
#endif
#ifndef unlikely
#define unlikely(x)		(__builtin_expect(!!(x), 0))
#endif

#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a)		(sizeof(a) / sizeof((a)[0]))
#endif

#ifndef NULL
#define NULL			((void *)0)
#endif

#define STRINGIFY_(x)		#x
#ifndef STRINGIFY
#define STRINGIFY(x)		STRINGIFY_(x)
#endif

#endif /* !__ASSEMBLY__ */

#endif /* __UK_ESSENTIALS_H__ */
