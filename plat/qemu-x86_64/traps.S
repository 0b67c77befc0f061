/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Exception entry and exit.
 *
 * Every vector 0..31 arrives on an IST stack in a supervisor page (see
 * segments.c), so delivery never depends on the running compartment's
 * stack or PKRU.  Each stub pushes a zero error code where the CPU pushes
 * none, then the vector, and joins the common path, which saves the
 * general registers and calls qemuplat_trap_handler() with a pointer to
 * struct qemuplat_trap_frame.
 *
 * With CONFIG_UKCOMPART_MPK this path also saves PKRU and clears it for the
 * handler, which must read any compartment's memory to report a fault, and
 * restores it before IRETQ.  WRPKRU is allowed only in the gate section,
 * which the image verifier checks byte by byte, so this code lives there.
 */

#include "qemuplat.h"

#ifdef CONFIG_UKCOMPART_MPK
.section .ukc.gates.entry, "ax", @progbits
#else
.text
#endif

/* Vectors for which the CPU pushes an error code (Intel SDM vol. 3A, 6.15). */
.macro TRAP_ENTRY vec, has_error_code
.align 16
qemuplat_trap_\vec:
	.if \has_error_code == 0
	pushq	$0
	.endif
	pushq	$\vec
	jmp	qemuplat_trap_common
.endm

TRAP_ENTRY 0, 0		/* #DE */
TRAP_ENTRY 1, 0		/* #DB */
TRAP_ENTRY 2, 0		/* NMI */
TRAP_ENTRY 3, 0		/* #BP */
TRAP_ENTRY 4, 0		/* #OF */
TRAP_ENTRY 5, 0		/* #BR */
TRAP_ENTRY 6, 0		/* #UD */
TRAP_ENTRY 7, 0		/* #NM */
TRAP_ENTRY 8, 1		/* #DF */
TRAP_ENTRY 9, 0		/* coprocessor segment overrun */
TRAP_ENTRY 10, 1	/* #TS */
TRAP_ENTRY 11, 1	/* #NP */
TRAP_ENTRY 12, 1	/* #SS */
TRAP_ENTRY 13, 1	/* #GP */
TRAP_ENTRY 14, 1	/* #PF */
TRAP_ENTRY 15, 0	/* reserved */
TRAP_ENTRY 16, 0	/* #MF */
TRAP_ENTRY 17, 1	/* #AC */
TRAP_ENTRY 18, 0	/* #MC */
TRAP_ENTRY 19, 0	/* #XM */
TRAP_ENTRY 20, 0	/* #VE */
TRAP_ENTRY 21, 1	/* #CP */
TRAP_ENTRY 22, 0
TRAP_ENTRY 23, 0
TRAP_ENTRY 24, 0
TRAP_ENTRY 25, 0
TRAP_ENTRY 26, 0
TRAP_ENTRY 27, 0
TRAP_ENTRY 28, 0	/* #HV */
TRAP_ENTRY 29, 1	/* #VC */
TRAP_ENTRY 30, 1	/* #SX */
TRAP_ENTRY 31, 0

.type qemuplat_trap_common, @function
qemuplat_trap_common:
	cld
	pushq	%r15
	pushq	%r14
	pushq	%r13
	pushq	%r12
	pushq	%r11
	pushq	%r10
	pushq	%r9
	pushq	%r8
	pushq	%rbp
	pushq	%rdi
	pushq	%rsi
	pushq	%rdx
	pushq	%rcx
	pushq	%rbx
	pushq	%rax

#ifdef CONFIG_UKCOMPART_MPK
	/*
	 * RDPKRU and WRPKRU raise #UD until CR4.PKE is set; ukc_pku_on says
	 * it is.  WRPKRU needs ECX = EDX = 0 (Intel SDM vol. 2, WRPKRU).
	 */
	xorl	%eax, %eax
	cmpb	$0, ukc_pku_on(%rip)
	je	1f
	xorl	%ecx, %ecx
	rdpkru
	pushq	%rax
	xorl	%eax, %eax
	xorl	%ecx, %ecx
	xorl	%edx, %edx
	wrpkru
	jmp	2f
1:	pushq	%rax
2:
#else
	pushq	$0
#endif

	/* RBX is callee-saved: it keeps the frame across the call. */
	movq	%rsp, %rdi
	movq	%rsp, %rbx
	andq	$-16, %rsp
	call	qemuplat_trap_handler
	movq	%rbx, %rsp

#ifdef CONFIG_UKCOMPART_MPK
	/* The handler may have changed the saved PKRU: restore that value. */
	cmpb	$0, ukc_pku_on(%rip)
	je	3f
	movl	(%rsp), %eax
	xorl	%ecx, %ecx
	xorl	%edx, %edx
	wrpkru
3:
#endif
	addq	$8, %rsp		/* PKRU */
	popq	%rax
	popq	%rbx
	popq	%rcx
	popq	%rdx
	popq	%rsi
	popq	%rdi
	popq	%rbp
	popq	%r8
	popq	%r9
	popq	%r10
	popq	%r11
	popq	%r12
	popq	%r13
	popq	%r14
	popq	%r15
	addq	$16, %rsp		/* vector, error code */
	iretq
.size qemuplat_trap_common, . - qemuplat_trap_common

/* Entry addresses by vector, for the IDT (segments.c). */
.section .rodata
.align 8
.globl qemuplat_trap_stubs
qemuplat_trap_stubs:
	.irp	vec, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, \
		16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31
	.quad	qemuplat_trap_\vec
	.endr

/* No executable stack. */
.section .note.GNU-stack, "", @progbits
