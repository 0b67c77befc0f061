/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef __CALLEE_H__
#define __CALLEE_H__

struct callee_pair {
	long sum;
	long product;
};

long callee_zero(void);
long callee_three(long a, long b, long c);
long callee_six(long a, long b, long c, long d, long e, long f);
long callee_seven(long a, long b, long c, long d, long e, long f, long g);
long callee_nine(long a, long b, long c, long d, long e, long f, long g,
		 long h, long i);
long callee_sum(int count, ...);
struct callee_pair callee_pair(long a, long b);
long callee_callback(long (*fn)(long), long x);
long callee_stack_depth(void);

#endif /* __CALLEE_H__ */
