/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Objects of each kind in the victim's compartment: only its own code may
 * touch them.
 */

#include <uk/init.h>
#include <victim.h>

char victim_data[64] = "victim data";
char victim_bss[64];
const char victim_rodata[64] = "victim rodata";

/* A byte on the victim's own stack: the address stays in the victim's
 * stack pages after the call returns, which is all the tests need.
 */
static unsigned long stack_address(void)
{
	volatile char on_stack[16];

	on_stack[0] = 's';
	return (unsigned long)&on_stack[0];
}

unsigned long victim_address(int kind)
{
	switch (kind) {
	case VICTIM_DATA:
		return (unsigned long)victim_data;
	case VICTIM_BSS:
		return (unsigned long)victim_bss;
	case VICTIM_RODATA:
		return (unsigned long)victim_rodata;
	default:
		return stack_address();
	}
}

long victim_access(int kind, int write)
{
	volatile char *object = (volatile char *)victim_address(kind);

	if (write)
		object[0] = 'w';
	return object[0];
}

/* Registered in the init table, which the core walks before main: the
 * write below only succeeds with the victim's own rights, so seeing it
 * proves the core entered this compartment properly.
 */
static int victim_init(void)
{
	victim_bss[1] = 'i';
	return 0;
}
UK_INIT_REGISTER(victim_init, 5);

int victim_initialised(void)
{
	return victim_bss[1] == 'i';
}
