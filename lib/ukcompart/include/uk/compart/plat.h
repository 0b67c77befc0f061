/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What the compartment runtime needs from a platform.
 *
 * One implementation per platform (plat_qemu.c for this tree's QEMU
 * platform); supporting another platform means writing one more.  All
 * addresses are virtual and identity-mapped; ranges are [start, end) and
 * page-aligned.
 */

#ifndef __UK_COMPART_PLAT_H__
#define __UK_COMPART_PLAT_H__

#include <uk/arch/types.h>
#include <uk/essentials.h>

#ifndef __ASSEMBLY__

/* A page fault, as the platform saw it on exception entry. */
struct ukc_fault {
	__u64 error_code;	/* x86 #PF error code: bit 1 write, 5 PK */
	__u64 addr;		/* CR2 */
	__u64 rip;
	/* PKRU at entry; a hook that handles the fault may change it. */
	__u32 pkru;
};

#define UKC_FAULT_WRITE		(1UL << 1)
#define UKC_FAULT_PK		(1UL << 5)

/* An invalid-opcode exception (#UD), as the platform saw it on entry. */
struct ukc_trap {
	__u64 rip;		/* the instruction that raised it */
	__u64 rsp;		/* the interrupted stack pointer */
	__u32 pkru;		/* PKRU at entry */
};

/* Console output; usable from the page-fault hook. */
void ukc_plat_puts(const char *s, __sz len);

/* Non-zero when the CPU has protection keys (CPUID.7.0:ECX bit 3). */
int ukc_plat_cpu_has_pku(void);

/*
 * Set CR4.PKE.  From then on the platform's exception entry saves PKRU,
 * runs handlers with PKRU 0 and restores it on return.
 */
void ukc_plat_pku_enable(void);

/* Tag [start, end) with protection key pkey; 0 or a negative errno. */
int ukc_plat_pages_set_key(__uptr start, __uptr end, int pkey);

/* Unmap [start, end), so that any access faults; 0 or a negative errno. */
int ukc_plat_pages_unmap(__uptr start, __uptr end);

/*
 * 0 when no XSAVE-family instruction can load PKRU: XCR0 lacks the PKRU
 * component (bit 9), or XSAVE is not enabled at all, and the platform's
 * save areas still fit the state XCR0 enables; a negative errno
 * otherwise.  UKC_DESC_XCR0_NO_PKRU in the descriptor table promises 0.
 */
int ukc_plat_xsave_pkru_off(void);

/*
 * Install the page-fault hook.  It runs with PKRU 0 on an exception stack;
 * it returns non-zero when it handled the fault (the access is retried with
 * f->pkru), 0 to let the platform report the fault and stop.
 */
void ukc_plat_pf_hook_set(int (*hook)(struct ukc_fault *f));

/*
 * Install the invalid-opcode hook, run like the page-fault hook: with
 * PKRU 0 on an exception stack; non-zero when it handled the trap, 0 to
 * let the platform report it and stop.
 */
void ukc_plat_ud_hook_set(int (*hook)(struct ukc_trap *t));

/* Stop the image with the given exit status. */
void __noreturn ukc_plat_exit(int status);

#endif /* !__ASSEMBLY__ */

#endif /* __UK_COMPART_PLAT_H__ */
