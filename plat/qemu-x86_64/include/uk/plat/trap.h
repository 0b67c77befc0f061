/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Exceptions: hooks for page faults and invalid opcodes.
 *
 * Every exception (vectors 0..31) is fatal unless a hook handles it: the
 * platform prints one line with the vector, the error code, RIP and CR2,
 * then exits with UKPLAT_EXIT_FATAL.  For a page fault (vector 14) and an
 * invalid opcode (#UD, vector 6: UD2 is how compiler-inserted checks trap)
 * the hook registered here runs first.
 */

#ifndef __UK_PLAT_TRAP_H__
#define __UK_PLAT_TRAP_H__

#include <uk/arch/types.h>

/* Page-fault error code bits (Intel SDM vol. 3A, 4.7). */
#define UKPLAT_PF_ERR_PRESENT	(1UL << 0)	/* protection, not absence */
#define UKPLAT_PF_ERR_WRITE	(1UL << 1)
#define UKPLAT_PF_ERR_USER	(1UL << 2)
#define UKPLAT_PF_ERR_RSVD	(1UL << 3)
#define UKPLAT_PF_ERR_FETCH	(1UL << 4)
#define UKPLAT_PF_ERR_PK	(1UL << 5)	/* protection-key violation */

#ifndef __ASSEMBLY__

struct ukplat_pf {
	__u64 error_code;
	__u64 addr;		/* CR2: the address that faulted */
	__u64 rip;
	/*
	 * PKRU at exception entry (0 when keys are off).  A hook that handles
	 * the fault may change it: it is the value restored on return.
	 */
	__u32 pkru;
};

/*
 * Return non-zero when the fault was handled: the faulting instruction is
 * then retried.  Return 0 to have the platform report the fault and stop.
 * The hook runs on an exception stack with PKRU 0 (all keys allowed).
 */
typedef int (*ukplat_pf_hook_t)(struct ukplat_pf *pf);

/* Install hook (NULL removes it); there is one hook at a time. */
void ukplat_pf_hook_set(ukplat_pf_hook_t hook);

struct ukplat_ud {
	__u64 rip;		/* the instruction that raised #UD */
	__u64 rsp;		/* the interrupted stack pointer */
	__u32 pkru;		/* PKRU at entry, restored on return */
};

/*
 * Like the page-fault hook: non-zero when handled (execution resumes at
 * ud->rip, which the hook may have moved), 0 to have the platform report
 * the exception and stop.  Runs on an exception stack with PKRU 0.
 */
typedef int (*ukplat_ud_hook_t)(struct ukplat_ud *ud);

void ukplat_ud_hook_set(ukplat_ud_hook_t hook);

#endif /* !__ASSEMBLY__ */

#endif /* __UK_PLAT_TRAP_H__ */
