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
 * Install the page-fault hook.  It runs with PKRU 0 on an exception stack;
 * it returns non-zero when it handled the fault (the access is retried with
 * f->pkru), 0 to let the platform report the fault and stop.
 */
void ukc_plat_pf_hook_set(int (*hook)(struct ukc_fault *f));

/* Stop the image with the given exit status. */
void __noreturn ukc_plat_exit(int status);

#endif /* !__ASSEMBLY__ */

#endif /* __UK_COMPART_PLAT_H__ */
