/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The smallest ukcompart app: one line on the console, exit status 0.
 */

#include <stdio.h>

int main(int argc __attribute__((unused)),
	 char *argv[] __attribute__((unused)))
{
	printf("Hello from ukcompart\n");
	return 0;
}
