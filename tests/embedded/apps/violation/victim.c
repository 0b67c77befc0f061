/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The victim library: a secret in its own data, and a function that
 * (wrongly) hands out its address.
 */

#include <uk/essentials.h>

static int victim_secret = 42;

int *victim_secret_address(void)
{
	return &victim_secret;
}

int victim_secret_value(void)
{
	return victim_secret;
}
