/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The driver: `smash <n>`, `add <a> <b> <app|buggy>` or
 * `shift <a> <b> <app|buggy>` on the command line.  The bugs run in the
 * buggy compartment, or, for `app`, the same undefined behaviour runs
 * here, in a compartment that may be built without checks.
 */

#include <stdio.h>
#include <string.h>
#include <buggy.h>

static long parse(const char *s)
{
	long v = 0;
	int negative = *s == '-';

	if (negative)
		s++;
	while (*s >= '0' && *s <= '9')
		v = v * 10 + (*s++ - '0');
	return negative ? -v : v;
}

static __attribute__((noipa)) int app_add(int a, int b)
{
	return a + b;
}

static __attribute__((noipa)) int app_shift(int a, int b)
{
	return a << b;
}

int main(int argc, char *argv[])
{
	int in_app, a, b;

	if (argc == 3 && strcmp(argv[1], "smash") == 0) {
		printf("smash returned: %d\n",
		       buggy_smash((int)parse(argv[2])));
		return 0;
	}
	if (argc != 5) {
		printf("usage: smash <n> | <add|shift> <a> <b> <app|buggy>\n");
		return 1;
	}
	a = (int)parse(argv[2]);
	b = (int)parse(argv[3]);
	in_app = strcmp(argv[4], "app") == 0;
	if (strcmp(argv[1], "add") == 0)
		printf("add: %d\n", in_app ? app_add(a, b) : buggy_add(a, b));
	else
		printf("shift: %d\n",
		       in_app ? app_shift(a, b) : buggy_shift(a, b));
	return 0;
}
