/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Exception handling: the page-fault and invalid-opcode hooks, then a
 * one-line report and exit.
 *
 * Nothing here allocates or takes locks, and the console writes straight to
 * the UART, so a report comes out whatever state the image is in.
 */

#include <uk/essentials.h>
#include <uk/plat/bootstrap.h>
#include <uk/plat/trap.h>

#include "qemuplat.h"

#define TRAP_INVALID_OPCODE	6
#define TRAP_PAGE_FAULT		14

static ukplat_pf_hook_t qemuplat_pf_hook;
static ukplat_ud_hook_t qemuplat_ud_hook;

/* Mnemonics and names from Intel SDM vol. 3A, table 6-1. */
static const char *const trap_names[QEMUPLAT_TRAP_VECTORS] = {
	[0]  = "#DE (divide error)",
	[1]  = "#DB (debug)",
	[2]  = "NMI (non-maskable interrupt)",
	[3]  = "#BP (breakpoint)",
	[4]  = "#OF (overflow)",
	[5]  = "#BR (bound range exceeded)",
	[6]  = "#UD (invalid opcode)",
	[7]  = "#NM (device not available)",
	[8]  = "#DF (double fault)",
	[9]  = "coprocessor segment overrun",
	[10] = "#TS (invalid TSS)",
	[11] = "#NP (segment not present)",
	[12] = "#SS (stack-segment fault)",
	[13] = "#GP (general protection)",
	[14] = "#PF (page fault)",
	[16] = "#MF (x87 floating-point error)",
	[17] = "#AC (alignment check)",
	[18] = "#MC (machine check)",
	[19] = "#XM (SIMD floating-point exception)",
	[20] = "#VE (virtualization exception)",
	[21] = "#CP (control protection)",
	[28] = "#HV (hypervisor injection)",
	[29] = "#VC (VMM communication)",
	[30] = "#SX (security exception)",
};

void ukplat_pf_hook_set(ukplat_pf_hook_t hook)
{
	qemuplat_pf_hook = hook;
}

void ukplat_ud_hook_set(ukplat_ud_hook_t hook)
{
	qemuplat_ud_hook = hook;
}

static int trap_ud_hook_run(struct qemuplat_trap_frame *frame)
{
	struct ukplat_ud ud;

	if (!qemuplat_ud_hook)
		return 0;

	ud.rip = frame->rip;
	ud.rsp = frame->rsp;
	ud.pkru = (__u32)frame->pkru;
	if (!qemuplat_ud_hook(&ud))
		return 0;

	frame->rip = ud.rip;
	frame->pkru = ud.pkru;
	return 1;
}

static int trap_pf_hook_run(struct qemuplat_trap_frame *frame, __u64 cr2)
{
	struct ukplat_pf pf;

	if (!qemuplat_pf_hook)
		return 0;

	pf.error_code = frame->error_code;
	pf.addr = cr2;
	pf.rip = frame->rip;
	pf.pkru = (__u32)frame->pkru;
	if (!qemuplat_pf_hook(&pf))
		return 0;

	frame->pkru = pf.pkru;
	return 1;
}

void qemuplat_trap_handler(struct qemuplat_trap_frame *frame)
{
	/* Read CR2 first: a fault inside the hook would overwrite it. */
	__u64 cr2 = read_cr2();
	const char *name = NULL;

	if (frame->vector == TRAP_PAGE_FAULT && trap_pf_hook_run(frame, cr2))
		return;
	if (frame->vector == TRAP_INVALID_OPCODE && trap_ud_hook_run(frame))
		return;

	if (frame->vector < QEMUPLAT_TRAP_VECTORS)
		name = trap_names[frame->vector];
	qemuplat_print("ukplat: fatal exception: vector=");
	qemuplat_print_dec((long)frame->vector);
	qemuplat_print(" ");
	qemuplat_print(name ? name : "(reserved)");
	qemuplat_print(" error=");
	qemuplat_print_hex(frame->error_code);
	qemuplat_print(" rip=");
	qemuplat_print_hex(frame->rip);
	qemuplat_print(" cr2=");
	qemuplat_print_hex(cr2);
	qemuplat_print("\n");

	ukplat_exit(UKPLAT_EXIT_FATAL);
}
