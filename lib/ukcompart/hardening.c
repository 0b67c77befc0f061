/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Software hardening per compartment: canaries and trap reports.
 *
 * At boot, before any compartment code runs, every compartment built with
 * a stack protector gets a canary of its own, from RDRAND where the CPU has
 * it (CPUID.1:ECX bit 30), else from the time-stamp counter.  Its low byte
 * is zero, so an overflow by a C string copy cannot reproduce it.  The
 * canary lives in the compartment's data, tagged with its protection key:
 * no other compartment can read or reset it.
 *
 * Both kinds of failure end in UD2 (Intel SDM vol. 2, UD: raises #UD):
 * a compartment's failure entry, called by its code when a canary does
 * not match, and the checks -fsanitize-undefined-trap-on-error inserts.
 * The #UD hook tells them apart by address, prints one line naming the
 * compartment and the code, and stops the image: a compartment whose
 * stack was smashed, or that met undefined behaviour, cannot be trusted
 * to carry on.
 */

#include <uk/arch/types.h>
#include <uk/essentials.h>
#include <uk/compart/desc.h>
#include <uk/compart/hardening.h>
#include <uk/compart/plat.h>

#include "ukcompart.h"

#define UKC_CPUID1_ECX_RDRAND	(1U << 30)
#define UKC_RDRAND_RETRIES	10
/* E8 rel32: the call of a failure entry that left a return address. */
#define UKC_CALL_REL32_LEN	5
#define UKC_OPCODE_CALL_REL32	0xe8
#define UKC_OPCODE_UD2		0x0b0f	/* 0F 0B, read little endian */

/* Generated with the layout; an image without it has no hardening. */
extern const struct ukc_hardening ukc_hardening __weak;

static int ukc_cpu_has_rdrand(void)
{
	__u32 eax, ebx, ecx, edx;

	__asm__ __volatile__("cpuid"
			     : "=a"(eax), "=b"(ebx), "=c"(ecx), "=d"(edx)
			     : "a"(1), "c"(0));
	return !!(ecx & UKC_CPUID1_ECX_RDRAND);
}

static __u64 ukc_rdtsc(void)
{
	__u32 lo, hi;

	__asm__ __volatile__("rdtsc" : "=a"(lo), "=d"(hi));
	return ((__u64)hi << 32) | lo;
}

/* SplitMix64's finaliser: spreads the few changing bits of a TSC read. */
static __u64 ukc_mix64(__u64 x)
{
	x += 0x9e3779b97f4a7c15UL;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9UL;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebUL;
	return x ^ (x >> 31);
}

static __u64 ukc_random64(int has_rdrand)
{
	__u64 v;
	__u8 ok;
	int i;

	/* RDRAND may fail transiently (CF=0): Intel DRNG guide, 5.2.1. */
	for (i = 0; has_rdrand && i < UKC_RDRAND_RETRIES; i++) {
		__asm__ __volatile__("rdrand %0; setc %1"
				     : "=r"(v), "=qm"(ok) : : "cc");
		if (ok)
			return v;
	}
	return ukc_mix64(ukc_rdtsc() ^ ukc_mix64(ukc_rdtsc()));
}

void ukc_canaries_init(void)
{
	const struct ukc_hardening *h = &ukc_hardening;
	int has_rdrand;
	__u32 i;

	if (!h)
		return;
	has_rdrand = ukc_cpu_has_rdrand();
	for (i = 1; i < h->count; i++) {
		if (!h->comp[i].canary)
			continue;
		*(__u64 *)h->comp[i].canary =
			ukc_random64(has_rdrand) & ~0xffUL;
	}
}

static void ukc_line_code(struct ukc_line *l, const struct ukc_desc_table *t,
			  const struct ukc_comp_desc *c, __u64 rip)
{
	const struct ukc_sym *sym = ukc_sym_find(t, rip, (int)(c - t->comp));

	ukc_line_str(l, "comp=");
	ukc_line_strn(l, c->name, UKC_NAME_MAX);
	ukc_line_str(l, " rip=");
	ukc_line_hex(l, rip);
	ukc_line_str(l, " symbol=");
	if (sym)
		ukc_line_strn(l, (const char *)sym->name, UKC_SYM_NAME_MAX);
	else
		ukc_line_str(l, "?");
}

/*
 * The code that called compartment i's failure entry: the return address
 * on the interrupted stack, less the length of the direct call GCC emits.
 * The call often ends the function, so the return address itself may be
 * the first byte of the next one.
 */
static void __noreturn ukc_smashing_report(const struct ukc_desc_table *t,
					   __u32 i, const struct ukc_trap *tr)
{
	__u64 ret = *(const __u64 *)tr->rsp;
	__u64 call = ret - UKC_CALL_REL32_LEN;
	struct ukc_line l;

	if (!ukc_range_holds(&t->comp[i].text, call) ||
	    *(const __u8 *)call != UKC_OPCODE_CALL_REL32)
		call = ret;
	ukc_line_init(&l, "ukcompart: stack smashing detected: ");
	ukc_line_code(&l, t, &t->comp[i], call);
	ukc_line_emit(&l);

	ukc_plat_exit(UKC_EXIT_STACK_SMASHING);
}

static void __noreturn ukc_ub_report(const struct ukc_desc_table *t,
				     __u32 i, const struct ukc_trap *tr)
{
	struct ukc_line l;

	ukc_line_init(&l, "ukcompart: undefined behaviour trap: ");
	ukc_line_code(&l, t, &t->comp[i], tr->rip);
	ukc_line_emit(&l);

	ukc_plat_exit(UKC_EXIT_UB_TRAP);
}

int ukc_ud_report(struct ukc_trap *tr)
{
	const struct ukc_hardening *h = &ukc_hardening;
	const struct ukc_desc_table *t = &ukc_desc;
	__u32 i;

	if (!h)
		return 0;
	for (i = 1; i < h->count && i < t->count; i++) {
		if (h->comp[i].chk_fail && tr->rip == h->comp[i].chk_fail)
			ukc_smashing_report(t, i, tr);
		if ((h->comp[i].flags & UKC_HARDEN_UBSAN) &&
		    ukc_range_holds(&t->comp[i].text, tr->rip) &&
		    *(const __u16 *)tr->rip == UKC_OPCODE_UD2)
			ukc_ub_report(t, i, tr);
	}

	/* Not a check of ours: the platform reports an invalid opcode. */
	return 0;
}
