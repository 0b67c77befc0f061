/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * GDT, TSS and IDT.
 *
 * All of them, and the interrupt stacks, are in .ukplat.sup, which the page
 * tables map as supervisor pages.  Protection keys never apply to
 * supervisor pages (Intel SDM vol. 3A, 4.6.2), so the CPU can deliver an
 * exception whatever PKRU the running compartment has set, and whatever
 * state its own stack is in.  Every vector switches to an IST stack for the
 * same reason; double faults and NMI/#MC get stacks of their own so that
 * they do not overwrite the frame of an exception being handled.
 */

#include <uk/arch/types.h>
#include <uk/essentials.h>

#include "qemuplat.h"

#define IST_STACK_SIZE		0x4000
#define IST_TRAPS		1	/* every other vector */
#define IST_DOUBLE_FAULT	2
#define IST_NMI_MC		3
#define IST_COUNT		3

#define GDT_ENTRIES		5	/* null, code, data, TSS (two slots) */

/* System-segment and gate types (Intel SDM vol. 3A, table 3-2). */
#define DESC_TYPE_TSS64		0x9
#define DESC_TYPE_INTGATE64	0xe
#define DESC_PRESENT		0x80

#define TRAP_NMI		2
#define TRAP_DOUBLE_FAULT	8
#define TRAP_MACHINE_CHECK	18

struct tss64 {
	__u32 reserved0;
	__u64 rsp[3];
	__u64 reserved1;
	__u64 ist[7];		/* IST1..IST7 */
	__u64 reserved2;
	__u16 reserved3;
	__u16 iomap_base;
} __packed;

struct idt_gate {
	__u16 offset_low;
	__u16 selector;
	__u8 ist;
	__u8 type_attr;
	__u16 offset_mid;
	__u32 offset_high;
	__u32 reserved;
} __packed;

struct desc_ptr {
	__u16 limit;
	__u64 base;
} __packed;

_Static_assert(sizeof(struct tss64) == 104, "64-bit TSS is 104 bytes");
_Static_assert(sizeof(struct idt_gate) == 16, "64-bit gate is 16 bytes");

static __u64 gdt[GDT_ENTRIES] __section(".ukplat.sup.gdt") __align(16);
static struct tss64 tss __section(".ukplat.sup.gdt") __align(16);
static struct idt_gate idt[QEMUPLAT_TRAP_VECTORS]
	__section(".ukplat.sup.idt") __align(16);
static __u8 ist_stacks[IST_COUNT][IST_STACK_SIZE]
	__section(".ukplat.sup.stacks") __align(0x1000);

static void gdt_init(void)
{
	__uptr base = (__uptr)&tss;
	__u64 limit = sizeof(tss) - 1;
	int i;

	for (i = 0; i < IST_COUNT; i++)
		tss.ist[i] = (__uptr)&ist_stacks[i][IST_STACK_SIZE];
	/* No I/O bitmap: ring 0 does not consult it anyway. */
	tss.iomap_base = sizeof(tss);

	gdt[0] = 0;
	gdt[QEMUPLAT_SEL_CODE >> 3] = 0x00af9a000000ffffUL;
	gdt[QEMUPLAT_SEL_DATA >> 3] = 0x00cf92000000ffffUL;
	/* A 64-bit TSS descriptor takes two slots (Intel SDM vol. 3A 8.2.3). */
	gdt[QEMUPLAT_SEL_TSS >> 3] = (limit & 0xffff)
		| ((base & 0xffffffUL) << 16)
		| ((__u64)(DESC_PRESENT | DESC_TYPE_TSS64) << 40)
		| (((limit >> 16) & 0xf) << 48)
		| (((base >> 24) & 0xff) << 56);
	gdt[(QEMUPLAT_SEL_TSS >> 3) + 1] = base >> 32;
}

static void gdt_load(void)
{
	struct desc_ptr ptr = {
		.limit = sizeof(gdt) - 1,
		.base = (__uptr)gdt,
	};

	/* A far return is the way to reload CS in 64-bit mode. */
	__asm__ __volatile__(
		"lgdt	%0\n\t"
		"pushq	%1\n\t"
		"leaq	1f(%%rip), %%rax\n\t"
		"pushq	%%rax\n\t"
		"lretq\n"
		"1:\n\t"
		"movl	%2, %%eax\n\t"
		"movl	%%eax, %%ds\n\t"
		"movl	%%eax, %%es\n\t"
		"movl	%%eax, %%ss\n\t"
		"ltr	%w3\n\t"
		:
		: "m"(ptr), "i"(QEMUPLAT_SEL_CODE), "i"(QEMUPLAT_SEL_DATA),
		  "r"(QEMUPLAT_SEL_TSS)
		: "rax", "memory");
}

static int idt_ist_for(int vector)
{
	switch (vector) {
	case TRAP_DOUBLE_FAULT:
		return IST_DOUBLE_FAULT;
	case TRAP_NMI:
	case TRAP_MACHINE_CHECK:
		return IST_NMI_MC;
	default:
		return IST_TRAPS;
	}
}

static void idt_init(void)
{
	struct desc_ptr ptr = {
		.limit = sizeof(idt) - 1,
		.base = (__uptr)idt,
	};
	int i;

	for (i = 0; i < QEMUPLAT_TRAP_VECTORS; i++) {
		__u64 entry = qemuplat_trap_stubs[i];

		idt[i].offset_low = entry & 0xffff;
		idt[i].selector = QEMUPLAT_SEL_CODE;
		idt[i].ist = idt_ist_for(i);
		idt[i].type_attr = DESC_PRESENT | DESC_TYPE_INTGATE64;
		idt[i].offset_mid = (entry >> 16) & 0xffff;
		idt[i].offset_high = entry >> 32;
	}

	__asm__ __volatile__("lidt %0" : : "m"(ptr) : "memory");
}

void qemuplat_segments_init(void)
{
	gdt_init();
	gdt_load();
	idt_init();
}
