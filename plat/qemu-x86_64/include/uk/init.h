/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Registration of initialization functions.
 *
 * UK_INIT_REGISTER(fn, prio) puts a pointer to `int fn(void)` into the input
 * section .uk_inittab.<prio>.  The linker script sorts these sections by name
 * and keeps them between __uk_inittab_start and __uk_inittab_end, so the
 * platform calls the functions in ascending priority (0 first) and, within a
 * priority, in link order, all before main().  A negative return value is
 * reported and stops the image.
 *
 *	static int mylib_init(void)
 *	{
 *		return 0;
 *	}
 *	UK_INIT_REGISTER(mylib_init, 5);
 */

#ifndef __UK_INIT_H__
#define __UK_INIT_H__

#ifndef __ASSEMBLY__

/* Priorities are single digits so that sorting by name sorts by value. */
#define UK_INIT_PRIO_FIRST	0
#define UK_INIT_PRIO_LAST	9

typedef int (*uk_init_func_t)(void);

#define __UK_INIT_STR(x)	#x
#define __UK_INIT_SECTION(prio)	".uk_inittab." __UK_INIT_STR(prio)
#define __UK_INIT_NAME(fn, prio) __uk_inittab_ ## prio ## _ ## fn
#define __UK_INIT_ENTRY(fn, prio) __UK_INIT_NAME(fn, prio)

#define UK_INIT_REGISTER(fn, prio)					\
	_Static_assert((prio) >= UK_INIT_PRIO_FIRST &&			\
		       (prio) <= UK_INIT_PRIO_LAST,			\
		       "UK_INIT_REGISTER: priority must be 0..9");	\
	static const uk_init_func_t __UK_INIT_ENTRY(fn, prio)		\
	__attribute__((used, aligned(8),				\
		       section(__UK_INIT_SECTION(prio)))) = (fn)

/* Bounds of the table, defined by the linker script. */
extern const uk_init_func_t __uk_inittab_start[];
extern const uk_init_func_t __uk_inittab_end[];

#endif /* !__ASSEMBLY__ */

#endif /* __UK_INIT_H__ */
