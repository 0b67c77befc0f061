/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The vault: a secret that only this library's code may read.  The
 * secret is writable data so that it lives in the compartment's .data,
 * tagged with the vault's protection key.
 */

#include <vault.h>

static char vault_secret[] = "correct horse battery staple";

/* FNV-1a, 64 bit: enough to compare without handing out the secret. */
static unsigned long fnv1a(const char *s)
{
	unsigned long hash = 0xcbf29ce484222325UL;

	while (*s) {
		hash ^= (unsigned char)*s++;
		hash *= 0x100000001b3UL;
	}
	return hash;
}

int vault_check(unsigned long token)
{
	return fnv1a(vault_secret) == token ? 0 : -1;
}

unsigned long vault_leaked_address(void)
{
	return (unsigned long)vault_secret;
}
