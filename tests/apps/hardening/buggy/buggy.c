/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * One bug per function, each triggered by its arguments.  noipa keeps GCC
 * from folding the arguments in, so the bug happens at run time.
 */

#include <buggy.h>

#define BUGGY_BUF_SIZE	16

/* Through a pointer whose target GCC cannot see here, so that only the
 * stack protector (not a bounds check) can notice the overflow.
 */
static __attribute__((noipa)) void fill(char *dst, int n)
{
	int i;

	for (i = 0; i < n; i++)
		dst[i] = 'A';
}

__attribute__((noipa)) int buggy_smash(int n)
{
	char buf[BUGGY_BUF_SIZE];

	fill(buf, n);
	return buf[0];
}

__attribute__((noipa)) int buggy_add(int a, int b)
{
	return a + b;
}

__attribute__((noipa)) int buggy_shift(int a, int b)
{
	return a << b;
}
