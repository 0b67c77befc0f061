/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * <stdbool.h> for freestanding builds with -nostdinc.
 */

#ifndef __STDBOOL_H__
#define __STDBOOL_H__

#define bool	_Bool
#define true	1
#define false	0
#define __bool_true_false_are_defined	1

#endif /* __STDBOOL_H__ */
