/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Multiboot v1 entry: from 32-bit protected mode to 64-bit C.
 *
 * QEMU's -kernel loader reads the header below, loads the ELF32 segments of
 * the image and jumps to _start32 with paging off, EAX = the multiboot magic
 * and EBX = the physical address of the multiboot information (Multiboot
 * Specification 0.6.96, 3.2).  Long mode needs paging, so this file carries
 * static identity page tables for the first GiB in 2 MiB pages; they live in
 * .boot because .bss and .ukplat.sup are zeroed only once we run 64-bit
 * code on them.  The C entry replaces them with the final tables.
 */

#include "qemuplat.h"

#define MULTIBOOT_HEADER_MAGIC	0x1badb002
/*
 * No flags: in particular no AOUT_KLUDGE (bit 16), so the loader takes the
 * load addresses from the ELF program headers.
 */
#define MULTIBOOT_HEADER_FLAGS	0x00000000

#define BOOT_STACK_SIZE		0x10000

#define PTE_P			0x001
#define PTE_RW			0x002
#define PTE_PS			0x080

/* The header must sit in the first 8 KiB of the file, 4-byte aligned. */
.section .multiboot, "a"
.align 4
multiboot_header:
	.long	MULTIBOOT_HEADER_MAGIC
	.long	MULTIBOOT_HEADER_FLAGS
	.long	-(MULTIBOOT_HEADER_MAGIC + MULTIBOOT_HEADER_FLAGS)

.section .text.boot, "ax"
.code32
.globl _start32
.type _start32, @function
_start32:
	cli
	cld

	/* Keep the magic and the information pointer for qemuplat_entry(). */
	movl	%eax, %esi
	movl	%ebx, %edi

	lgdt	boot_gdt_ptr

	movl	%cr4, %eax
	orl	$X86_CR4_PAE, %eax
	movl	%eax, %cr4

	movl	$boot_pml4, %eax
	movl	%eax, %cr3

	/* NXE now, so that the final tables may use the NX bit. */
	movl	$X86_MSR_EFER, %ecx
	rdmsr
	orl	$(X86_EFER_LME | X86_EFER_NXE), %eax
	wrmsr

	movl	%cr0, %eax
	orl	$(X86_CR0_PG | X86_CR0_PE), %eax
	movl	%eax, %cr0

	ljmp	$QEMUPLAT_SEL_CODE, $_start64
.size _start32, . - _start32

.code64
.type _start64, @function
_start64:
	movl	$QEMUPLAT_SEL_DATA, %eax
	movl	%eax, %ds
	movl	%eax, %es
	movl	%eax, %ss
	xorl	%eax, %eax
	movl	%eax, %fs
	movl	%eax, %gs

	/*
	 * The upper halves of the registers are undefined after the switch
	 * to 64-bit mode (Intel SDM vol. 1, 3.4.1.1): zero-extend.
	 */
	movl	%esi, %esi
	movl	%edi, %edi

	/*
	 * The loader copies only file contents: zero .bss and .ukplat.sup
	 * here, before the boot stack (in .bss) and the C code use them.
	 */
	movq	%rdi, %rdx
	movq	$__bss_start, %rdi
	movq	$__bss_end, %rcx
	subq	%rdi, %rcx
	xorl	%eax, %eax
	rep stosb
	movq	$__ukplat_sup_start, %rdi
	movq	$__ukplat_sup_end, %rcx
	subq	%rdi, %rcx
	rep stosb

	movq	$boot_stack_top, %rsp
	xorl	%ebp, %ebp
	movl	%esi, %edi		/* multiboot magic */
	movl	%edx, %esi		/* multiboot information */
	call	qemuplat_entry

	/* qemuplat_entry() does not return; stop if it ever does. */
1:	cli
	hlt
	jmp	1b
.size _start64, . - _start64

/*
 * Boot GDT: just enough for the far jump into 64-bit mode.  The C entry
 * installs the final GDT with its TSS.
 */
.align 16
boot_gdt:
	.quad	0x0000000000000000
	.quad	0x00af9a000000ffff	/* 0x08: 64-bit code, DPL 0 */
	.quad	0x00cf92000000ffff	/* 0x10: data, DPL 0 */
boot_gdt_end:

boot_gdt_ptr:
	.word	boot_gdt_end - boot_gdt - 1
	.long	boot_gdt

/* Identity map of the first GiB, 2 MiB pages, supervisor, read/write. */
.align 0x1000
boot_pml4:
	.quad	boot_pdpt + (PTE_P | PTE_RW)
	.fill	511, 8, 0
boot_pdpt:
	.quad	boot_pd + (PTE_P | PTE_RW)
	.fill	511, 8, 0
boot_pd:
	.set	.Lpde, PTE_P | PTE_RW | PTE_PS
	.rept	512
	.quad	.Lpde
	.set	.Lpde, .Lpde + 0x200000
	.endr

.section .bss.qemuplat_boot_stack, "aw", @nobits
.align 16
boot_stack:
	.skip	BOOT_STACK_SIZE
boot_stack_top:

/* No executable stack. */
.section .note.GNU-stack, "", @progbits
