/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The caller side of the gate tests: one line per call shape, printed for
 * the tests to compare with the exact expected values.
 */

#include <stdio.h>
#include <callee.h>

static long triple(long x)
{
	return 3 * x;
}

int main(int argc __attribute__((unused)),
	 char *argv[] __attribute__((unused)))
{
	struct callee_pair pair;
	volatile long here = 0;
	long there;

	printf("zero=%ld\n", callee_zero());
	printf("three=%ld\n", callee_three(1, 2, 3));
	printf("six=%ld\n", callee_six(1, 2, 3, 4, 5, 6));
	printf("seven=%ld\n", callee_seven(1, 2, 3, 4, 5, 6, 7));
	printf("nine=%ld\n", callee_nine(1, 2, 3, 4, 5, 6, 7, 8, 9));
	printf("variadic=%ld\n",
	       callee_sum(10, 1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L, 10L));
	pair = callee_pair(6, 7);
	printf("pair=%ld,%ld\n", pair.sum, pair.product);
	printf("callback=%ld\n", callee_callback(triple, 5));
	printf("printf=%d %d %d %d %d %d %d %d %d %d %s\n",
	       1, 2, 3, 4, 5, 6, 7, 8, 9, 10, "end");
	there = callee_stack_depth();
	printf("stacks=%s\n",
	       (there > (long)&here + 65536 || there < (long)&here - 65536)
	       ? "separate" : "shared");
	return 0;
}
