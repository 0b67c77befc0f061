/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef __BUGGY_H__
#define __BUGGY_H__

/* Fill a 16-byte local buffer with n bytes 'A': n > 16 smashes the stack.
 * Returns the buffer's first byte.
 */
int buggy_smash(int n);

/* a + b in int: undefined when it overflows. */
int buggy_add(int a, int b);

/* a << b in int: undefined when b is 32 or more. */
int buggy_shift(int a, int b);

#endif /* __BUGGY_H__ */
