/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Internal interfaces of the QEMU x86_64 platform: processor access and the
 * set-up steps, in the order setup.c runs them.  Not for other libraries;
 * they use the headers under include/uk/plat/.
 */

#ifndef __QEMUPLAT_H__
#define __QEMUPLAT_H__

/* Segment selectors of the final GDT (segments.c) and the boot GDT. */
#define QEMUPLAT_SEL_CODE	0x08
#define QEMUPLAT_SEL_DATA	0x10
#define QEMUPLAT_SEL_TSS	0x18

/* Control register and MSR bits (Intel SDM vol. 3A, 2.5 and 2.2.1). */
#define X86_CR0_PE		(1UL << 0)
#define X86_CR0_WP		(1UL << 16)
#define X86_CR0_PG		(1UL << 31)
#define X86_CR4_PAE		(1UL << 5)
#define X86_CR4_SMEP		(1UL << 20)
#define X86_CR4_SMAP		(1UL << 21)
#define X86_CR4_PKE		(1UL << 22)
#define X86_MSR_EFER		0xc0000080
#define X86_EFER_LME		(1UL << 8)
#define X86_EFER_NXE		(1UL << 11)

/* Number of exception vectors with an IDT entry. */
#define QEMUPLAT_TRAP_VECTORS	32

#ifndef __ASSEMBLY__

#include <uk/arch/types.h>
#include <uk/essentials.h>

static inline void outb(__u16 port, __u8 v)
{
	__asm__ __volatile__("outb %0, %1" : : "a"(v), "Nd"(port));
}

static inline void outl(__u16 port, __u32 v)
{
	__asm__ __volatile__("outl %0, %1" : : "a"(v), "Nd"(port));
}

static inline __u8 inb(__u16 port)
{
	__u8 v;

	__asm__ __volatile__("inb %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

#define QEMUPLAT_CR_ACCESSORS(n)					\
static inline __u64 read_cr##n(void)					\
{									\
	__u64 v;							\
									\
	__asm__ __volatile__("mov %%cr" #n ", %0" : "=r"(v));		\
	return v;							\
}									\
static inline void write_cr##n(__u64 v)				\
{									\
	__asm__ __volatile__("mov %0, %%cr" #n : : "r"(v) : "memory");	\
}

QEMUPLAT_CR_ACCESSORS(0)
QEMUPLAT_CR_ACCESSORS(2)
QEMUPLAT_CR_ACCESSORS(3)
QEMUPLAT_CR_ACCESSORS(4)

static inline void invlpg(__uptr addr)
{
	__asm__ __volatile__("invlpg (%0)" : : "r"(addr) : "memory");
}

static inline void cpuid(__u32 leaf, __u32 subleaf, __u32 *eax, __u32 *ebx,
			 __u32 *ecx, __u32 *edx)
{
	__asm__ __volatile__("cpuid"
			     : "=a"(*eax), "=b"(*ebx), "=c"(*ecx), "=d"(*edx)
			     : "a"(leaf), "c"(subleaf));
}

static inline void __noreturn halt_forever(void)
{
	for (;;)
		__asm__ __volatile__("cli; hlt");
}

/* Registers as traps.S saves them, lowest address first. */
struct qemuplat_trap_frame {
	__u64 pkru;		/* 0 unless keys are on (ukc_pku_on) */
	__u64 rax, rbx, rcx, rdx, rsi, rdi, rbp;
	__u64 r8, r9, r10, r11, r12, r13, r14, r15;
	__u64 vector;
	__u64 error_code;	/* 0 for vectors without one */
	/* Pushed by the CPU. */
	__u64 rip, cs, rflags, rsp, ss;
};

/* console.c */
void qemuplat_console_init(void);
void qemuplat_print(const char *s);
void qemuplat_print_hex(__u64 v);
void qemuplat_print_dec(long v);

/* segments.c: GDT with a TSS, IST stacks, IDT */
void qemuplat_segments_init(void);

/* paging.c: the final page tables */
void qemuplat_paging_init(void);

/* traps.S: one entry stub per vector */
extern const __u64 qemuplat_trap_stubs[QEMUPLAT_TRAP_VECTORS];

/* traps.c: called by traps.S with the saved registers */
void qemuplat_trap_handler(struct qemuplat_trap_frame *frame);

#endif /* !__ASSEMBLY__ */

#endif /* __QEMUPLAT_H__ */
