/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Reporting protection-key violations and stack overflows.
 *
 * A key violation is a page fault with error-code bit 5 (PK) set and the
 * address in CR2 (Intel SDM vol. 3A, 4.7); an overflow of a compartment
 * stack is a page fault on the unmapped guard page below it.  Either way we
 * print one line naming the compartments involved and stop the image: a
 * compartment that strays has a bug, and carrying on would hide it.
 *
 * The hook runs with PKRU 0, so it may read every descriptor and every
 * symbol name; both tables are in supervisor pages anyway.
 */

#include <uk/arch/types.h>
#include <uk/essentials.h>
#include <uk/compart/desc.h>
#include <uk/compart/plat.h>

#include "ukcompart.h"

/* Owners of an address besides compartments 1..count-1. */
#define UKC_OWNER_CORE		0
#define UKC_OWNER_SHARED	(-1)

/* An image linked without a symbol table still gets its reports. */
extern const struct ukc_symtab ukc_symtab __weak;

static int ukc_comp_holds(const struct ukc_comp_desc *c, __u64 addr)
{
	return ukc_range_holds(&c->text, addr) ||
	       ukc_range_holds(&c->rodata, addr) ||
	       ukc_range_holds(&c->data, addr) ||
	       ukc_range_holds(&c->bss, addr) ||
	       ukc_range_holds(&c->stack, addr) ||
	       ukc_range_holds(&c->guard, addr);
}

/*
 * The compartment (1..count-1) whose memory holds addr, else
 * UKC_OWNER_SHARED for the shared section, else UKC_OWNER_CORE.
 */
static int ukc_owner_of(const struct ukc_desc_table *t, __u64 addr)
{
	__u32 i;

	for (i = 1; i < t->count; i++) {
		if (ukc_comp_holds(&t->comp[i], addr))
			return (int)i;
	}
	if (ukc_range_holds(&t->shared, addr))
		return UKC_OWNER_SHARED;
	return UKC_OWNER_CORE;
}

static void ukc_line_owner(struct ukc_line *l,
			   const struct ukc_desc_table *t, int owner)
{
	if (owner == UKC_OWNER_SHARED)
		ukc_line_str(l, "shared");
	else if (owner == UKC_OWNER_CORE)
		ukc_line_str(l, "core");
	else
		ukc_line_strn(l, t->comp[owner].name, UKC_NAME_MAX);
}

/*
 * The running compartment: the one whose PKRU was live when the fault hit,
 * else (if several share a PKRU, the first) the one whose code faulted.
 */
static const struct ukc_comp_desc *
ukc_running(const struct ukc_desc_table *t, const struct ukc_fault *f)
{
	__u32 i;

	for (i = 0; i < t->count; i++) {
		if (t->comp[i].pkru == f->pkru)
			return &t->comp[i];
	}
	for (i = 0; i < t->count; i++) {
		if (ukc_range_holds(&t->comp[i].text, f->rip))
			return &t->comp[i];
	}
	return NULL;
}

/*
 * The range of the descriptor table (a compartment's text, rodata, data,
 * bss or stack, or the shared section) that holds addr, NULL if none does.
 */
static const struct ukc_range *
ukc_region_of(const struct ukc_desc_table *t, __u64 addr)
{
	const struct ukc_comp_desc *c;
	__u32 i;

	for (i = 0; i < t->count; i++) {
		c = &t->comp[i];
		if (ukc_range_holds(&c->text, addr))
			return &c->text;
		if (ukc_range_holds(&c->rodata, addr))
			return &c->rodata;
		if (ukc_range_holds(&c->data, addr))
			return &c->data;
		if (ukc_range_holds(&c->bss, addr))
			return &c->bss;
		if (ukc_range_holds(&c->stack, addr))
			return &c->stack;
	}
	if (ukc_range_holds(&t->shared, addr))
		return &t->shared;
	return NULL;
}

/*
 * The symbol that holds addr, else the nearest one below addr in the same
 * range (a stack has no symbols, and the bss object below its guard page
 * is not what was touched); NULL if there is neither.
 */
const struct ukc_sym *ukc_sym_find(const struct ukc_desc_table *t,
				   __u64 addr, int owner)
{
	const struct ukc_symtab *st = &ukc_symtab;
	const struct ukc_range *region;
	const struct ukc_sym *s;
	__u64 lo = 0, hi, mid;

	if (!st || !st->count)
		return NULL;

	/* lo: the number of symbols with s->addr <= addr (sorted table). */
	hi = st->count;
	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (st->sym[mid].addr <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}

	for (s = &st->sym[lo]; s > st->sym; ) {
		s--;
		if (addr - s->addr < s->size)
			return s;
	}
	region = ukc_region_of(t, addr);
	for (s = &st->sym[lo]; s > st->sym; ) {
		s--;
		if (region ? ukc_range_holds(region, s->addr)
			   : ukc_owner_of(t, s->addr) == owner)
			return s;
	}
	return NULL;
}

static void __noreturn ukc_violation_report(const struct ukc_desc_table *t,
					    const struct ukc_fault *f)
{
	const struct ukc_comp_desc *running = ukc_running(t, f);
	int owner = ukc_owner_of(t, f->addr);
	const struct ukc_sym *sym = ukc_sym_find(t, f->addr, owner);
	struct ukc_line l;

	ukc_line_init(&l, "ukcompart: violation: comp=");
	if (running)
		ukc_line_strn(&l, running->name, UKC_NAME_MAX);
	else
		ukc_line_str(&l, "?");
	ukc_line_str(&l, " access=");
	ukc_line_str(&l, (f->error_code & UKC_FAULT_WRITE) ? "write" : "read");
	ukc_line_str(&l, " addr=");
	ukc_line_hex(&l, f->addr);
	ukc_line_str(&l, " owner=");
	ukc_line_owner(&l, t, owner);
	ukc_line_str(&l, " symbol=");
	if (sym)
		ukc_line_strn(&l, (const char *)sym->name, UKC_SYM_NAME_MAX);
	else
		ukc_line_str(&l, "?");
	ukc_line_emit(&l);

	ukc_plat_exit(UKC_EXIT_VIOLATION);
}

static void __noreturn ukc_overflow_report(const struct ukc_comp_desc *c,
					   const struct ukc_fault *f)
{
	struct ukc_line l;

	ukc_line_init(&l, "ukcompart: stack overflow: comp=");
	ukc_line_strn(&l, c->name, UKC_NAME_MAX);
	ukc_line_str(&l, " addr=");
	ukc_line_hex(&l, f->addr);
	ukc_line_emit(&l);

	ukc_plat_exit(UKC_EXIT_VIOLATION);
}

int ukc_fault_report(struct ukc_fault *f)
{
	const struct ukc_desc_table *t = &ukc_desc;
	__u32 i;

	if (f->error_code & UKC_FAULT_PK)
		ukc_violation_report(t, f);

	for (i = 1; i < t->count; i++) {
		if (ukc_range_holds(&t->comp[i].guard, f->addr))
			ukc_overflow_report(&t->comp[i], f);
	}

	/* Not ours: the platform reports it as an ordinary page fault. */
	return 0;
}
