/* SPDX-License-Identifier: BSD-3-Clause */
/* The callee of the gate benchmark: as little work as a call can do. */

__attribute__((noinline)) long bench_far(long x)
{
	return x + 1;
}
