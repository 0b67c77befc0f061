/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The compartment runtime's platform interface on Unikraft (kvm, x86_64).
 *
 * Unikraft maps memory through the boot page tables of plat/kvm/x86
 * (identity, supervisor pages, 2 MiB pages above the first 2 MiB), and
 * with HAVE_X86PKU it sets CR4.PKE and adds PKRU to the XSAVE state at
 * boot.  This file tags compartment pages: it splits the 2 MiB mapping
 * where needed into 4 KiB tables of its own, sets the U/S bit at every
 * level (protection keys apply to user pages only, Intel SDM vol. 3A,
 * 4.6.2) and the key in PTE bits 62:59.  The core stays in supervisor
 * pages, which PKRU does not restrict.  Page faults reach the runtime's
 * hook as a handler of Unikraft's UKARCH_TRAP_PAGE_FAULT event.
 *
 * It also takes PKRU back out of the XSAVE state (XCR0 bit 9) before
 * Unikraft creates its first thread: Unikraft's context switch restores
 * threads with XRSTOR, which loads every component XCR0 enables (Intel
 * SDM vol. 1, 13.3 and 13.8), so with PKRU among them any XRSTOR of a
 * crafted save area would be a WRPKRU outside the gates.  RDPKRU and
 * WRPKRU depend on CR4.PKE alone (vol. 3A, 2.5 and 4.6.2), and a thread
 * switch now keeps the current PKRU.  The descriptor table promises this
 * with UKC_DESC_XCR0_NO_PKRU, and the runtime checks it at init.
 *
 * Only identity-mapped boot page tables are supported: with
 * CONFIG_PAGING, Unikraft's own page-table code owns the tables and
 * ukc_plat_pages_set_key() returns -ENOTSUP.
 */

#include <errno.h>
#include <uk/arch/types.h>
#include <uk/essentials.h>
#include <uk/ctors.h>
#include <uk/event.h>
#include <uk/arch/ctx.h>
#include <uk/arch/traps.h>
#include <uk/plat/bootstrap.h>
#include <uk/console.h>
#include <uk/compart/plat.h>

/* Paging-structure entries (Intel SDM vol. 3A, 4.5, tables 4-14 to 4-20). */
#define UKC_PTE_PRESENT		(1UL << 0)
#define UKC_PTE_US		(1UL << 2)
#define UKC_PTE_PS		(1UL << 7)
#define UKC_PTE_PKEY_SHIFT	59
#define UKC_PTE_PKEY_MASK	(0xfUL << UKC_PTE_PKEY_SHIFT)
#define UKC_PTE_ADDR_MASK	0x000ffffffffff000UL
/* A 2 MiB entry keeps its frame address in bits 51:21; bit 12 is PAT. */
#define UKC_PDE_2M_ADDR_MASK	0x000fffffffe00000UL
#define UKC_PDE_2M_PAT		(1UL << 12)

#define UKC_PAGE_SIZE		0x1000UL
#define UKC_LARGE_SIZE		0x200000UL
#define UKC_ENTRIES		512

#define UKC_CR4_PKE		(1UL << 22)
#define UKC_CR4_OSXSAVE		(1UL << 18)
#define UKC_CPUID7_ECX_PKU	(1U << 3)
#define UKC_XCR0_PKRU		(1UL << 9)
#define UKC_CPUID_XSAVE_LEAF	0xd

/* Secondary CPUs would enable PKRU in XCR0 again (lcpu_start.S). */
#if CONFIG_UKPLAT_LCPU_MAXCOUNT > 1
#error "ukcompart: UKPLAT_LCPU_MAXCOUNT must be 1 (PKRU leaves XCR0 on one CPU)"
#endif

/* Port of QEMU's isa-debug-exit device (docs/image-layout.md). */
#define UKC_DEBUG_EXIT_PORT	0xf4

/*
 * 4 KiB page tables for the 2 MiB regions that compartments share with
 * the core: one per region.  Core bss, so supervisor pages.
 */
#define UKC_PT_POOL		16

static __u64 ukc_pt_pool[UKC_PT_POOL][UKC_ENTRIES] __align(UKC_PAGE_SIZE);
static unsigned int ukc_pt_used;

static int (*ukc_pf_hook)(struct ukc_fault *f);
static int (*ukc_ud_hook)(struct ukc_trap *t);

/* Gates and ukc_call_ptr() test this before using RDPKRU or WRPKRU. */
__u8 ukc_pku_on;

void ukc_plat_puts(const char *s, __sz len)
{
	uk_console_out(s, len);
}

int ukc_plat_cpu_has_pku(void)
{
	__u32 eax, ebx, ecx, edx;

	__asm__ __volatile__("cpuid"
			     : "=a"(eax), "=b"(ebx), "=c"(ecx), "=d"(edx)
			     : "a"(7), "c"(0));
	return !!(ecx & UKC_CPUID7_ECX_PKU);
}

static unsigned long ukc_cr3(void)
{
	unsigned long cr3;

	__asm__ __volatile__("mov %%cr3, %0" : "=r"(cr3));
	return cr3;
}

void ukc_plat_pku_enable(void)
{
	unsigned long cr4;

	/* Unikraft sets CR4.PKE at boot with HAVE_X86PKU; make sure. */
	__asm__ __volatile__("mov %%cr4, %0" : "=r"(cr4));
	if (!(cr4 & UKC_CR4_PKE)) {
		cr4 |= UKC_CR4_PKE;
		__asm__ __volatile__("mov %0, %%cr4" :: "r"(cr4) : "memory");
	}
	ukc_pku_on = 1;
}

static unsigned long ukc_cr4(void)
{
	unsigned long cr4;

	__asm__ __volatile__("mov %%cr4, %0" : "=r"(cr4));
	return cr4;
}

/* XCR0; XGETBV raises #UD unless CR4.OSXSAVE is set. */
static __u64 ukc_xcr0(void)
{
	__u32 lo, hi;

	__asm__ __volatile__("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
	return ((__u64)hi << 32) | lo;
}

/*
 * A constructor: Unikraft runs its constructor table before it creates
 * the idle thread, so no XSAVE area made later records PKRU, whose
 * XSTATE_BV bit would make XRSTOR fault once XCR0 lacks it (vol. 1,
 * 13.8.1).  Fewer components only shrink the area Unikraft sizes from
 * CPUID.(EAX=0DH,ECX=0):EBX; ukc_plat_xsave_pkru_off() checks both.
 */
static void ukc_xcr0_pkru_clear(void)
{
	__u64 xcr0;

	if (!(ukc_cr4() & UKC_CR4_OSXSAVE))
		return;
	xcr0 = ukc_xcr0();
	if (!(xcr0 & UKC_XCR0_PKRU))
		return;
	xcr0 &= ~UKC_XCR0_PKRU;
	__asm__ __volatile__("xsetbv"
			     :: "a"((__u32)xcr0), "d"((__u32)(xcr0 >> 32)),
			        "c"(0)
			     : "memory");
}

UK_CTOR_PRIO(ukc_xcr0_pkru_clear, UK_PRIO_EARLIEST);

int ukc_plat_xsave_pkru_off(void)
{
	__u32 eax, ebx, ecx, edx;

	if (!(ukc_cr4() & UKC_CR4_OSXSAVE))
		return 0;	/* no XSAVE state at all */
	if (ukc_xcr0() & UKC_XCR0_PKRU)
		return -EPERM;

	/* EBX: bytes the components enabled in XCR0 need. */
	__asm__ __volatile__("cpuid"
			     : "=a"(eax), "=b"(ebx), "=c"(ecx), "=d"(edx)
			     : "a"(UKC_CPUID_XSAVE_LEAF), "c"(0));
	if (ebx > ukarch_ectx_size())
		return -ENOSPC;
	return 0;
}

static __u64 *ukc_table(__u64 entry)
{
	return (__u64 *)(__uptr)(entry & UKC_PTE_ADDR_MASK);
}

/*
 * The 4 KiB entry mapping va, splitting a 2 MiB mapping into a table of
 * its own first; U/S is set on the way down, so the leaf alone decides.
 */
static __u64 *ukc_leaf(__uptr va)
{
	__u64 *table = ukc_table(ukc_cr3());
	__u64 *entry, large, *pt;
	unsigned int level, i;

	for (level = 4; level > 1; level--) {
		entry = &table[(va >> (12 + 9 * (level - 1))) & 0x1ff];
		if (!(*entry & UKC_PTE_PRESENT))
			return NULL;
		if (level == 3 && (*entry & UKC_PTE_PS))
			return NULL;	/* 1 GiB pages: not used at boot */
		if (level == 2 && (*entry & UKC_PTE_PS)) {
			if (ukc_pt_used == UKC_PT_POOL)
				return NULL;
			pt = ukc_pt_pool[ukc_pt_used++];
			large = *entry & ~(UKC_PTE_PS | UKC_PDE_2M_PAT);
			for (i = 0; i < UKC_ENTRIES; i++)
				pt[i] = ((large & UKC_PDE_2M_ADDR_MASK)
					 + i * UKC_PAGE_SIZE)
					| (large & ~UKC_PTE_ADDR_MASK);
			*entry = (__u64)(__uptr)pt | UKC_PTE_PRESENT
				 | (*entry & 0x1fUL) | UKC_PTE_US;
		}
		*entry |= UKC_PTE_US;
		table = ukc_table(*entry);
	}
	return &table[(va >> 12) & 0x1ff];
}

static void ukc_flush(void)
{
	unsigned long cr3 = ukc_cr3();

	__asm__ __volatile__("mov %0, %%cr3" :: "r"(cr3) : "memory");
}

int ukc_plat_pages_set_key(__uptr start, __uptr end, int pkey)
{
	__u64 *pte;
	__uptr va;

#if CONFIG_PAGING
	return -ENOTSUP;
#endif
	for (va = start; va < end; va += UKC_PAGE_SIZE) {
		pte = ukc_leaf(va);
		if (!pte)
			return -ENOMEM;
		*pte = (*pte & ~UKC_PTE_PKEY_MASK) | UKC_PTE_US
		       | ((__u64)pkey << UKC_PTE_PKEY_SHIFT);
	}
	ukc_flush();
	return 0;
}

int ukc_plat_pages_unmap(__uptr start, __uptr end)
{
	__u64 *pte;
	__uptr va;

#if CONFIG_PAGING
	return -ENOTSUP;
#endif
	for (va = start; va < end; va += UKC_PAGE_SIZE) {
		pte = ukc_leaf(va);
		if (!pte)
			return -ENOMEM;
		*pte &= ~UKC_PTE_PRESENT;
	}
	ukc_flush();
	return 0;
}

static __u32 ukc_rdpkru(void)
{
	__u32 pkru, edx;

	if (!ukc_pku_on)
		return 0;
	__asm__ __volatile__("rdpkru" : "=a"(pkru), "=d"(edx) : "c"(0));
	return pkru;
}

/*
 * Unikraft's page-fault event.  The core's pages are supervisor pages, so
 * this handler reads the descriptor table and the symbol table whatever
 * the PKRU of the interrupted compartment; it never writes PKRU.
 */
static int ukc_plat_pf_event(void *data)
{
	struct ukarch_trap_ctx *ctx = (struct ukarch_trap_ctx *)data;
	struct ukc_fault f;

	if (!ukc_pf_hook)
		return UK_EVENT_NOT_HANDLED;
	f.error_code = (__u64)(__u32)ctx->error_code;
	f.addr = ctx->fault_address;
	f.rip = ctx->regs->rip;
	f.pkru = ukc_rdpkru();
	return ukc_pf_hook(&f) ? UK_EVENT_HANDLED : UK_EVENT_NOT_HANDLED;
}

UK_EVENT_HANDLER_PRIO(UKARCH_TRAP_PAGE_FAULT, ukc_plat_pf_event,
		      UK_PRIO_EARLIEST);

void ukc_plat_pf_hook_set(int (*hook)(struct ukc_fault *f))
{
	ukc_pf_hook = hook;
}

/* Unikraft's invalid-opcode event: UD2 of compiler-inserted checks. */
static int ukc_plat_ud_event(void *data)
{
	struct ukarch_trap_ctx *ctx = (struct ukarch_trap_ctx *)data;
	struct ukc_trap t;

	if (!ukc_ud_hook)
		return UK_EVENT_NOT_HANDLED;
	t.rip = ctx->regs->rip;
	t.rsp = ctx->regs->rsp;
	t.pkru = ukc_rdpkru();
	return ukc_ud_hook(&t) ? UK_EVENT_HANDLED : UK_EVENT_NOT_HANDLED;
}

UK_EVENT_HANDLER_PRIO(UKARCH_TRAP_INVALID_OP, ukc_plat_ud_event,
		      UK_PRIO_EARLIEST);

void ukc_plat_ud_hook_set(int (*hook)(struct ukc_trap *t))
{
	ukc_ud_hook = hook;
}

void __noreturn ukc_plat_exit(int status)
{
	/* QEMU exits with status * 2 + 1; elsewhere the port is unused. */
	__asm__ __volatile__("outb %b0, %w1"
			     :: "a"((__u8)status), "Nd"(UKC_DEBUG_EXIT_PORT));
	ukplat_terminate(UKPLAT_CRASH);
}
