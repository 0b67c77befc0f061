/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Protection keys: feature check and enabling (Intel SDM vol. 3A, 4.6.2).
 */

#include <uk/arch/types.h>
#include <uk/essentials.h>
#include <uk/plat/pku.h>

#include "qemuplat.h"

#define CPUID_LEAF_EXT_FEATURES	7
#define CPUID_7_ECX_PKU		(1U << 3)

__u8 ukc_pku_on __section(".ukplat.sup.flags");

int ukplat_cpu_has_pku(void)
{
	__u32 eax, ebx, ecx, edx;

	cpuid(0, 0, &eax, &ebx, &ecx, &edx);
	if (eax < CPUID_LEAF_EXT_FEATURES)
		return 0;

	cpuid(CPUID_LEAF_EXT_FEATURES, 0, &eax, &ebx, &ecx, &edx);
	return !!(ecx & CPUID_7_ECX_PKU);
}

void ukplat_pku_enable(void)
{
	write_cr4(read_cr4() | X86_CR4_PKE);

	/*
	 * Only now may the exception path execute RDPKRU: with the flag set
	 * earlier, an exception would raise #UD on its own entry path.
	 */
	__asm__ __volatile__("" : : : "memory");
	ukc_pku_on = 1;
}
