/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The compartment runtime's platform interface on this tree's QEMU x86_64
 * platform (plat/qemu-x86_64): a thin adapter onto its ukplat_ functions.
 */

#include <errno.h>
#include <uk/arch/types.h>
#include <uk/essentials.h>
#include <uk/compart/plat.h>
#include <uk/plat/bootstrap.h>
#include <uk/plat/console.h>
#include <uk/plat/paging.h>
#include <uk/plat/pku.h>
#include <uk/plat/trap.h>

static int (*ukc_pf_hook)(struct ukc_fault *f);
static int (*ukc_ud_hook)(struct ukc_trap *t);

void ukc_plat_puts(const char *s, __sz len)
{
	ukplat_console_write(s, len);
}

int ukc_plat_cpu_has_pku(void)
{
	return ukplat_cpu_has_pku();
}

void ukc_plat_pku_enable(void)
{
	ukplat_pku_enable();
}

int ukc_plat_pages_set_key(__uptr start, __uptr end, int pkey)
{
	return ukplat_pages_set_key(start, end, pkey);
}

int ukc_plat_pages_unmap(__uptr start, __uptr end)
{
	return ukplat_pages_unmap(start, end);
}

static int ukc_plat_pf_forward(struct ukplat_pf *pf)
{
	struct ukc_fault f = {
		.error_code = pf->error_code,
		.addr = pf->addr,
		.rip = pf->rip,
		.pkru = pf->pkru,
	};
	int handled;

	handled = ukc_pf_hook(&f);
	pf->pkru = f.pkru;
	return handled;
}

void ukc_plat_pf_hook_set(int (*hook)(struct ukc_fault *f))
{
	ukc_pf_hook = hook;
	ukplat_pf_hook_set(hook ? ukc_plat_pf_forward : NULL);
}

static int ukc_plat_ud_forward(struct ukplat_ud *ud)
{
	struct ukc_trap t = {
		.rip = ud->rip,
		.rsp = ud->rsp,
		.pkru = ud->pkru,
	};

	return ukc_ud_hook(&t);
}

void ukc_plat_ud_hook_set(int (*hook)(struct ukc_trap *t))
{
	ukc_ud_hook = hook;
	ukplat_ud_hook_set(hook ? ukc_plat_ud_forward : NULL);
}

int ukc_plat_xsave_pkru_off(void)
{
	unsigned long cr4;

	/* plat/qemu-x86_64 never sets CR4.OSXSAVE: XRSTOR raises #UD. */
	__asm__ __volatile__("mov %%cr4, %0" : "=r"(cr4));
	return (cr4 & (1UL << 18)) ? -ENOTSUP : 0;
}

void __noreturn ukc_plat_exit(int status)
{
	ukplat_exit(status);
}
