/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Gate benchmark: the time-stamp counter around many calls to a function
 * in another compartment (through its gate) and to one in this
 * compartment (a direct call).  Under QEMU's software emulation the
 * counter advances with emulated time, so only the ratio is meaningful.
 */

#include <stdio.h>

#define ROUNDS 20000

long bench_far(long x);

__attribute__((noinline)) static long bench_near(long x)
{
	__asm__ __volatile__("" : : : "memory");
	return x + 1;
}

static inline unsigned long rdtsc(void)
{
	unsigned int lo, hi;

	__asm__ __volatile__("lfence; rdtsc" : "=a"(lo), "=d"(hi));
	return ((unsigned long)hi << 32) | lo;
}

int main(int argc __attribute__((unused)),
	 char *argv[] __attribute__((unused)))
{
	unsigned long start, near, far;
	long x = 0;
	int i;

	start = rdtsc();
	for (i = 0; i < ROUNDS; i++)
		x = bench_near(x);
	near = rdtsc() - start;

	start = rdtsc();
	for (i = 0; i < ROUNDS; i++)
		x = bench_far(x);
	far = rdtsc() - start;

	printf("rounds=%d direct=%lu gate=%lu check=%ld\n",
	       ROUNDS, near / ROUNDS, far / ROUNDS, x);
	return 0;
}
