/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef __VICTIM_H__
#define __VICTIM_H__

/* Kinds of memory, as named on the test image's command line. */
enum victim_kind {
	VICTIM_DATA,
	VICTIM_BSS,
	VICTIM_RODATA,
	VICTIM_STACK,
};

/* The address of the victim's object of that kind. */
unsigned long victim_address(int kind);

/* The victim accessing its own object: returns the byte read (or written). */
long victim_access(int kind, int write);

/* Whether the victim's init-table entry has run. */
int victim_initialised(void);

#endif /* __VICTIM_H__ */
