/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The callee side of the gate tests: each function's result depends on
 * every argument and its position, so a dropped or shifted argument shows.
 */

#include <stdarg.h>
#include <callee.h>
#include <uk/compart/gate.h>

long callee_zero(void)
{
	return 42;
}

long callee_three(long a, long b, long c)
{
	return a * 100 + b * 10 + c;
}

long callee_six(long a, long b, long c, long d, long e, long f)
{
	return a + 2 * b + 3 * c + 4 * d + 5 * e + 6 * f;
}

long callee_seven(long a, long b, long c, long d, long e, long f, long g)
{
	return callee_six(a, b, c, d, e, f) + 7 * g;
}

long callee_nine(long a, long b, long c, long d, long e, long f, long g,
		 long h, long i)
{
	return callee_seven(a, b, c, d, e, f, g) + 8 * h + 9 * i;
}

long callee_sum(int count, ...)
{
	va_list ap;
	long sum = 0;
	int i;

	va_start(ap, count);
	for (i = 0; i < count; i++)
		sum += (i + 1) * va_arg(ap, long);
	va_end(ap);
	return sum;
}

struct callee_pair callee_pair(long a, long b)
{
	struct callee_pair pair = { a + b, a * b };

	return pair;
}

long callee_callback(long (*fn)(long), long x)
{
	return UKCOMPART_CALL(fn, x) + 1;
}

/* Where this compartment's stack is: the tests check it is not the
 * caller's.
 */
long callee_stack_depth(void)
{
	volatile long here = 0;

	return (long)&here;
}
