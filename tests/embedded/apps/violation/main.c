/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Writes to another compartment's data through a pointer it was given.
 * Calls into the victim go through generated gates; the write does not,
 * and with MPK it faults: ukcompart reports the violation and the image
 * exits with status 3.
 */

#include <stdio.h>

int *victim_secret_address(void);
int victim_secret_value(void);

int main(int argc __attribute__((unused)),
	 char *argv[] __attribute__((unused)))
{
	int *secret = victim_secret_address();

	printf("victim's secret is %d, at %p\n", victim_secret_value(),
	       (void *)secret);
	printf("writing to it from the app compartment\n");
	*secret = 0;
	printf("the write went through: no isolation\n");
	return 1;
}
