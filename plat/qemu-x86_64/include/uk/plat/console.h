/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Console output of the QEMU x86_64 platform: the first serial port (COM1),
 * which QEMU connects to stdio under -nographic.
 */

#ifndef __UK_PLAT_CONSOLE_H__
#define __UK_PLAT_CONSOLE_H__

#include <uk/arch/types.h>

#ifndef __ASSEMBLY__

/*
 * Write len bytes of buf to the console.  Each '\n' goes out as "\r\n",
 * as a serial terminal expects.  Safe to call from exception handlers and
 * before the platform is fully set up.
 */
void ukplat_console_write(const char *buf, __sz len);

#endif /* !__ASSEMBLY__ */

#endif /* __UK_PLAT_CONSOLE_H__ */
