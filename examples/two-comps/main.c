/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The app of the two-compartment example.  It runs in compartment "app"
 * and may only ask the vault, in compartment "vault", through a function
 * call; the call goes through a gate the build generated.
 */

#include <stdio.h>
#include <vault.h>

#define STOLEN_MAX 64

#if CONFIG_EXAMPLE_STEAL
/* Read the vault's memory with the app's own rights: with MPK the very
 * first byte faults, with UKCOMPART_FCALL nothing stops it.
 */
static void steal(void)
{
	const volatile char *secret =
		(const volatile char *)vault_leaked_address();
	char stolen[STOLEN_MAX];
	int i;

	for (i = 0; i < STOLEN_MAX - 1 && secret[i]; i++)
		stolen[i] = secret[i];
	stolen[i] = '\0';
	printf("stolen secret: %s\n", stolen);
}
#endif /* CONFIG_EXAMPLE_STEAL */

int main(int argc __attribute__((unused)),
	 char *argv[] __attribute__((unused)))
{
	if (vault_check(VAULT_DEMO_TOKEN) == 0)
		printf("vault says: ok\n");
	else
		printf("vault says: denied\n");

#if CONFIG_EXAMPLE_STEAL
	steal();
#endif /* CONFIG_EXAMPLE_STEAL */
	return 0;
}
