/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Ending the image.
 */

#ifndef __UK_PLAT_BOOTSTRAP_H__
#define __UK_PLAT_BOOTSTRAP_H__

#ifndef __ASSEMBLY__

#include <uk/essentials.h>

/* Exit status of an image stopped by a fatal exception or a failed init. */
#define UKPLAT_EXIT_FATAL	125

/*
 * Stop the image with the given status.  The status goes to QEMU's
 * isa-debug-exit device (port 0xf4), which makes QEMU exit with
 * status * 2 + 1; without that device the CPU halts for good.
 */
void __noreturn ukplat_exit(int status);

#endif /* !__ASSEMBLY__ */

#endif /* __UK_PLAT_BOOTSTRAP_H__ */
