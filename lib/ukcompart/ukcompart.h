/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Internal interfaces of the compartment runtime.
 */

#ifndef __UKCOMPART_H__
#define __UKCOMPART_H__

#include <uk/arch/types.h>
#include <uk/compart/desc.h>
#include <uk/compart/plat.h>

/* Exit statuses (docs/image-layout.md, "Exit statuses"). */
#define UKC_EXIT_VIOLATION	3
#define UKC_EXIT_NO_PKU		4
#define UKC_EXIT_STACK_SMASHING	5
#define UKC_EXIT_UB_TRAP	6

#define UKC_PAGE_SIZE		0x1000UL

/*
 * One console line, built in place and written with one call.  The report
 * paths run in exception context and use no libc: the runtime must not
 * depend on a library that may sit in another compartment.
 */
#define UKC_LINE_MAX		320

struct ukc_line {
	char buf[UKC_LINE_MAX];
	__sz len;
};

void ukc_line_init(struct ukc_line *l, const char *prefix);
void ukc_line_str(struct ukc_line *l, const char *s);
void ukc_line_strn(struct ukc_line *l, const char *s, __sz max);
void ukc_line_hex(struct ukc_line *l, __u64 v);
void ukc_line_dec(struct ukc_line *l, long v);
/* Append '\n' and write the line (truncated to fit). */
void ukc_line_emit(struct ukc_line *l);

static inline int ukc_range_holds(const struct ukc_range *r, __u64 addr)
{
	return r->start <= addr && addr < r->end;
}

/* Longest symbol name printed in full. */
#define UKC_SYM_NAME_MAX	128

/* fault.c: the page-fault hook, and symbol lookup for all reports */
int ukc_fault_report(struct ukc_fault *f);
const struct ukc_sym *ukc_sym_find(const struct ukc_desc_table *t,
				   __u64 addr, int owner);

/* hardening.c: per-compartment canaries and the invalid-opcode hook */
void ukc_canaries_init(void);
int ukc_ud_report(struct ukc_trap *t);

#endif /* __UKCOMPART_H__ */
