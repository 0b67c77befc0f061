/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The final page tables (docs/image-layout.md, "Memory and keys").
 *
 * The first GiB is identity-mapped.  Every 2 MiB region that holds part of
 * the image [__image_start, __image_end) gets a page table of 4 KiB pages,
 * so that each section, and later each compartment, can have its own
 * permissions and protection key; the rest of the first GiB uses 2 MiB
 * pages, supervisor, read/write, no-execute.  Page 0 stays unmapped so that
 * a NULL dereference faults.
 *
 * Inside the image every page is a user page with key 0 except the
 * supervisor sections (.ukplat.sup, .ukc.desc, .ukc.symtab).  Protection
 * keys only apply to user pages, and a page is a user page only if U/S is
 * set at every level (Intel SDM vol. 3A, 4.6.1), so the upper levels always
 * carry U/S and leave the decision to the last level.  The unikernel runs
 * in ring 0; SMEP and SMAP are off, or it could neither run code from nor
 * touch data in user pages, and CR0.WP is on so that read-only pages and
 * write-disabled keys bind ring 0 too.
 */

#include <errno.h>
#include <uk/arch/types.h>
#include <uk/essentials.h>
#include <uk/plat/paging.h>
#include <uk/plat/bootstrap.h>
#ifdef CONFIG_UKCOMPART
#include <uk/compart/desc.h>
#endif

#include "qemuplat.h"

#define PTE_P			(1UL << 0)
#define PTE_RW			(1UL << 1)
#define PTE_US			(1UL << 2)
#define PTE_PS			(1UL << 7)
#define PTE_NX			(1UL << 63)
#define PTE_PKEY_SHIFT		59
#define PTE_PKEY_MASK		(0xfUL << PTE_PKEY_SHIFT)
#define PTE_ADDR_MASK		0x000ffffffffff000UL

#define PT_ENTRIES		512
#define PAGE_SIZE		UKPLAT_PAGE_SIZE
#define LARGE_PAGE_SIZE		0x200000UL
#define MAPPED_SIZE		0x40000000UL	/* the first GiB */

/* Leaf permissions of the image's sections. */
#define PROT_USER_RX		(PTE_P | PTE_US)
#define PROT_USER_RO		(PTE_P | PTE_US | PTE_NX)
#define PROT_USER_RW		(PTE_P | PTE_US | PTE_RW | PTE_NX)
#define PROT_SUP_RO		(PTE_P | PTE_NX)
#define PROT_SUP_RW		(PTE_P | PTE_RW | PTE_NX)
/* Upper levels: everything allowed, the leaf decides. */
#define PROT_TABLE		(PTE_P | PTE_RW | PTE_US)

/*
 * Pool: PML4, PDPT and PD, plus one page table per 2 MiB region of an image
 * up to 128 MiB, one more for an image that does not start on a 2 MiB
 * boundary.
 */
#define IMAGE_SIZE_MAX		(128UL << 20)
#define PT_POOL_PAGES		(3 + IMAGE_SIZE_MAX / LARGE_PAGE_SIZE + 1)

static __u64 pt_pool[PT_POOL_PAGES][PT_ENTRIES]
	__section(".ukplat.sup.pagetables") __align(PAGE_SIZE);
static unsigned int pt_pool_used;

extern char __image_start[], __image_end[];
extern char __boot_start[], __boot_end[];
extern char __text_start[], __text_end[];
extern char __rodata_start[], __rodata_end[];
extern char __ukplat_sup_start[], __ukplat_sup_end[];
/* Sections that exist only in images with compartments. */
extern char __ukc_gates_start[] __weak, __ukc_gates_end[] __weak;
extern char __ukc_desc_start[] __weak, __ukc_desc_end[] __weak;
extern char __ukc_symtab_start[] __weak, __ukc_symtab_end[] __weak;

static __u64 *pt_alloc(void)
{
	/* The pool is in .ukplat.sup, which boot.S has zeroed. */
	return pt_pool[pt_pool_used++];
}

static __uptr align_down(__uptr v, __uptr a)
{
	return v & ~(a - 1);
}

static __uptr align_up(__uptr v, __uptr a)
{
	return (v + a - 1) & ~(a - 1);
}

static __u64 *pml4(void)
{
	return pt_pool[0];
}

/*
 * The last-level entry of addr, or NULL when addr is not in a 4 KiB page
 * of the first GiB.  Tables are identity-mapped, so their physical
 * addresses are usable as pointers.
 */
static __u64 *pte_of(__uptr addr)
{
	__u64 *pdpt, *pd, *pt;
	__u64 pde;

	if (addr >= MAPPED_SIZE)
		return NULL;
	pdpt = (__u64 *)(pml4()[0] & PTE_ADDR_MASK);
	pd = (__u64 *)(pdpt[0] & PTE_ADDR_MASK);
	pde = pd[addr / LARGE_PAGE_SIZE];
	if (!(pde & PTE_P) || (pde & PTE_PS))
		return NULL;
	pt = (__u64 *)(pde & PTE_ADDR_MASK);
	return &pt[(addr / PAGE_SIZE) % PT_ENTRIES];
}

/* Set the leaf permissions of the image pages that [start, end) touches. */
static void pt_protect(__uptr start, __uptr end, __u64 prot)
{
	__uptr addr;
	__u64 *pte;

	for (addr = align_down(start, PAGE_SIZE); addr < end;
	     addr += PAGE_SIZE) {
		pte = pte_of(addr);
		if (pte)
			*pte = addr | prot;
	}
}

static void pt_protect_opt(const char *start, const char *end, __u64 prot)
{
	/* An undefined weak section symbol reads as address 0. */
	if (start && end && start < end)
		pt_protect((__uptr)start, (__uptr)end, prot);
}

#ifdef CONFIG_UKCOMPART
/*
 * Compartment code and read-only data: the descriptor table is the only
 * place that lists them.  A table that fails this check leaves them
 * read/write, no-execute; the compartment runtime then reports the table
 * before any compartment runs.
 */
static void pt_protect_compartments(void)
{
	const struct ukc_desc_table *t = &ukc_desc;
	__u32 i;

	if (t->magic != UKC_DESC_MAGIC || t->version != UKC_DESC_VERSION ||
	    t->entry_size != sizeof(struct ukc_comp_desc))
		return;

	for (i = 1; i < t->count; i++) {
		const struct ukc_comp_desc *c = &t->comp[i];

		pt_protect_opt((const char *)c->text.start,
			       (const char *)c->text.end, PROT_USER_RX);
		pt_protect_opt((const char *)c->rodata.start,
			       (const char *)c->rodata.end, PROT_USER_RO);
	}
}
#endif

static void pt_build(__uptr image_start, __uptr image_end)
{
	__u64 *pdpt, *pd, *pt;
	__uptr region, addr;
	unsigned int i, j;

	pdpt = pt_alloc();
	pd = pt_alloc();
	pml4()[0] = (__uptr)pdpt | PROT_TABLE;
	pdpt[0] = (__uptr)pd | PROT_TABLE;

	for (i = 0; i < PT_ENTRIES; i++) {
		region = (__uptr)i * LARGE_PAGE_SIZE;
		if (region + LARGE_PAGE_SIZE <= image_start ||
		    region >= image_end) {
			pd[i] = region | PROT_SUP_RW | PTE_PS;
			continue;
		}

		pt = pt_alloc();
		pd[i] = (__uptr)pt | PROT_TABLE;
		for (j = 0; j < PT_ENTRIES; j++) {
			addr = region + (__uptr)j * PAGE_SIZE;
			if (addr == 0)
				pt[j] = 0;
			else if (addr >= image_start && addr < image_end)
				pt[j] = addr | PROT_USER_RW;
			else
				pt[j] = addr | PROT_SUP_RW;
		}
	}
}

void qemuplat_paging_init(void)
{
	__uptr image_start = (__uptr)__image_start;
	__uptr image_end = align_up((__uptr)__image_end, PAGE_SIZE);
	__uptr span;

	span = align_up(image_end, LARGE_PAGE_SIZE)
		- align_down(image_start, LARGE_PAGE_SIZE);
	if (image_end > MAPPED_SIZE ||
	    span / LARGE_PAGE_SIZE > PT_POOL_PAGES - 3) {
		qemuplat_print("ukplat: error: the image [");
		qemuplat_print_hex(image_start);
		qemuplat_print(", ");
		qemuplat_print_hex(image_end);
		qemuplat_print(") does not fit the 128 MiB that the page-table"
			       " pool maps\n");
		ukplat_exit(UKPLAT_EXIT_FATAL);
	}

	/* Page 0 of the pool is the PML4. */
	pt_pool_used = 1;
	pt_build(image_start, image_end);

	pt_protect((__uptr)__boot_start, (__uptr)__boot_end, PROT_USER_RX);
	pt_protect((__uptr)__text_start, (__uptr)__text_end, PROT_USER_RX);
	pt_protect_opt(__ukc_gates_start, __ukc_gates_end, PROT_USER_RX);
	pt_protect((__uptr)__rodata_start, (__uptr)__rodata_end,
		   PROT_USER_RO);
#ifdef CONFIG_UKCOMPART
	pt_protect_compartments();
#endif
	pt_protect_opt(__ukc_desc_start, __ukc_desc_end, PROT_SUP_RO);
	pt_protect_opt(__ukc_symtab_start, __ukc_symtab_end, PROT_SUP_RO);
	pt_protect((__uptr)__ukplat_sup_start, (__uptr)__ukplat_sup_end,
		   PROT_SUP_RW);

	write_cr4(read_cr4() & ~(X86_CR4_SMEP | X86_CR4_SMAP));
	write_cr0(read_cr0() | X86_CR0_WP);
	write_cr3((__uptr)pml4());
}

static int range_check(__uptr start, __uptr end)
{
	if ((start | end) & (PAGE_SIZE - 1) || start > end)
		return -EINVAL;
	if (start < (__uptr)__image_start ||
	    end > align_up((__uptr)__image_end, PAGE_SIZE))
		return -EINVAL;
	return 0;
}

int ukplat_pages_set_key(__uptr start, __uptr end, int pkey)
{
	__uptr addr;
	__u64 *pte;
	int ret;

	ret = range_check(start, end);
	if (ret < 0)
		return ret;
	if (pkey < 0 || pkey > UKPLAT_PKEY_MAX)
		return -EINVAL;

	/* Check the whole range first so that a failure changes nothing. */
	for (addr = start; addr < end; addr += PAGE_SIZE) {
		pte = pte_of(addr);
		if (!pte || !(*pte & PTE_P) || !(*pte & PTE_US))
			return -EINVAL;
	}

	for (addr = start; addr < end; addr += PAGE_SIZE) {
		pte = pte_of(addr);
		*pte = (*pte & ~PTE_PKEY_MASK)
			| ((__u64)pkey << PTE_PKEY_SHIFT);
		invlpg(addr);
	}
	return 0;
}

int ukplat_pages_unmap(__uptr start, __uptr end)
{
	__uptr addr;
	__u64 *pte;
	int ret;

	ret = range_check(start, end);
	if (ret < 0)
		return ret;

	for (addr = start; addr < end; addr += PAGE_SIZE) {
		pte = pte_of(addr);
		*pte = 0;
		invlpg(addr);
	}
	return 0;
}
