/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The standalone platform's registration macro on Unikraft's init table.
 *
 * The compartment runtime registers `int fn(void)` with
 * UK_INIT_REGISTER(fn, prio), as this tree's plat/ defines it.  Unikraft's
 * init table (include/uk/init.h) holds `int fn(struct uk_init_ctx *)` in
 * classes 1 (early) to 6; the runtime must run before any compartment
 * code, so it goes first of the early class.  Forced into the runtime's
 * compilation units by the top-level Makefile.uk (-include).
 */

#ifndef __UKCOMPART_UNIKRAFT_COMPAT_H__
#define __UKCOMPART_UNIKRAFT_COMPAT_H__

#include <stddef.h>
#include <uk/init.h>

#define UK_INIT_REGISTER(fn, prio)					\
	static int fn ## _uk_init(struct uk_init_ctx *ictx __unused)	\
	{								\
		return fn();						\
	}								\
	uk_early_initcall_prio(fn ## _uk_init, 0x0, prio)

#endif /* __UKCOMPART_UNIKRAFT_COMPAT_H__ */
