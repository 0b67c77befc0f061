/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Software hardening per compartment: the table the build generates.
 *
 * Each compartment's libraries are compiled with the hardening chosen for
 * it in menuconfig (stack protector, undefined-behaviour checks in trap
 * mode, indirect-branch landing pads).  The build generates, from
 * templates/hardening.S.j2, one entry per compartment (entry 0 the core,
 * never hardened): its flags, the address of its stack-protector canary
 * (in the compartment's own data) and of its failure entry (a UD2 in
 * .ukc.gates that the compartment's __stack_chk_fail references were
 * renamed to).  An image linked without the table has no hardening.
 */

#ifndef __UK_COMPART_HARDENING_H__
#define __UK_COMPART_HARDENING_H__

#include <uk/arch/types.h>

/* struct ukc_comp_hardening.flags */
#define UKC_HARDEN_STACKPROT	(1U << 0)
#define UKC_HARDEN_UBSAN	(1U << 1)
#define UKC_HARDEN_CFPROT	(1U << 2)

#ifndef __ASSEMBLY__

struct ukc_comp_hardening {
	__u32 flags;			/* UKC_HARDEN_* */
	__u32 reserved;
	__u64 canary;			/* address of the canary, or 0 */
	__u64 chk_fail;			/* address of the failure entry, or 0 */
};

struct ukc_hardening {
	__u32 count;			/* entries, the core included */
	__u32 reserved;
	struct ukc_comp_hardening comp[];
};

_Static_assert(sizeof(struct ukc_comp_hardening) == 24,
	       "ukc_comp_hardening layout");

#endif /* !__ASSEMBLY__ */

#endif /* __UK_COMPART_HARDENING_H__ */
