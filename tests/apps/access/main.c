/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The intruder: `<read|write> <data|bss|rodata|stack> [owner]` on the
 * command line, or `init` to ask whether the victim's init entry ran.
 * Without `owner` it touches the victim's object itself and must fault
 * under MPK; with `owner` it asks the victim to, which must not.
 */

#include <stdio.h>
#include <string.h>
#include <victim.h>

static const char *const kinds[] = { "data", "bss", "rodata", "stack" };

static int kind_of(const char *name)
{
	unsigned int i;

	for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (strcmp(name, kinds[i]) == 0)
			return (int)i;
	return -1;
}

int main(int argc, char *argv[])
{
	volatile char *object;
	int kind, write;
	long byte;

	if (argc == 2 && strcmp(argv[1], "init") == 0) {
		printf("init ran: %s\n", victim_initialised() ? "yes" : "no");
		return 0;
	}
	if (argc < 3 || (kind = kind_of(argv[2])) < 0) {
		printf("usage: <read|write> <data|bss|rodata|stack> [owner]\n");
		return 1;
	}
	write = strcmp(argv[1], "write") == 0;

	if (argc > 3 && strcmp(argv[3], "owner") == 0) {
		byte = victim_access(kind, write);
	} else {
		object = (volatile char *)victim_address(kind);
		if (write)
			object[0] = 'w';
		byte = object[0];
	}
	printf("access ok: %c\n", (int)byte);
	return 0;
}
