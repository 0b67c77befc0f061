/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef __VAULT_H__
#define __VAULT_H__

/* The token whose check succeeds: the secret's FNV-1a hash. */
#define VAULT_DEMO_TOKEN 0xafcb73bcd97e3e2aUL

/* Returns 0 when token matches the secret, -1 otherwise. */
int vault_check(unsigned long token);

/* A deliberate bug for the demo: the address of the secret itself.
 * Holding it gives nothing; dereferencing it from another compartment
 * is what the protection keys stop.
 */
unsigned long vault_leaked_address(void);

#endif /* __VAULT_H__ */
