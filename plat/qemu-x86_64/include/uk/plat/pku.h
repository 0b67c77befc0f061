/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Protection keys for user-mode pages (Intel SDM vol. 3A, 4.6.2).
 */

#ifndef __UK_PLAT_PKU_H__
#define __UK_PLAT_PKU_H__

#include <uk/arch/types.h>

#ifndef __ASSEMBLY__

/* Non-zero when the CPU has protection keys: CPUID.(EAX=7,ECX=0):ECX[3]. */
int ukplat_cpu_has_pku(void);

/*
 * Set CR4.PKE, which makes RDPKRU and WRPKRU usable and the keys in the
 * page tables effective, then set ukc_pku_on.  Call only when
 * ukplat_cpu_has_pku() is non-zero.
 */
void ukplat_pku_enable(void);

/*
 * Non-zero once CR4.PKE is set.  With CONFIG_UKCOMPART_MPK the exception
 * entry path reads it to decide whether to save PKRU and clear it for the
 * handler.  It lives in a supervisor page, which PKRU never guards, so the
 * entry path can read it whatever compartment was running.
 */
extern __u8 ukc_pku_on;

#endif /* !__ASSEMBLY__ */

#endif /* __UK_PLAT_PKU_H__ */
