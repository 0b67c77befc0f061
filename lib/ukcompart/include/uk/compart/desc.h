/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The compartment descriptor table and the fault-report symbol table.
 *
 * The build generates both in assembly (docs/image-layout.md): the table in
 * .ukc.desc at __ukc_desc_start, the symbols in .ukc.symtab.  The image
 * verifier reads the same bytes back from the ELF, so this layout is fixed:
 * change it only together with the generator and the verifier, and bump
 * UKC_DESC_VERSION.
 */

#ifndef __UK_COMPART_DESC_H__
#define __UK_COMPART_DESC_H__

#include <uk/arch/types.h>

#define UKC_DESC_MAGIC		0x44434b55	/* "UKCD" little endian */
#define UKC_DESC_VERSION	2
#define UKC_NAME_MAX		32

/* struct ukc_desc_table.mechanism */
#define UKC_MECH_MPK		1
#define UKC_MECH_FCALL		2

/*
 * struct ukc_desc_table.flags
 *
 * UKC_DESC_XCR0_NO_PKRU: the runtime clears the PKRU state component
 * (XCR0 bit 9) at boot, so XRSTOR and XRSTORS outside the gates cannot
 * load PKRU (Intel SDM vol. 1, 13.3: they restore only components
 * enabled in XCR0).  Set when embedded in a Unikraft tree, whose context
 * switch uses XRSTOR; the standalone platform has no XRSTOR outside the
 * gates and leaves it clear.
 */
#define UKC_DESC_XCR0_NO_PKRU	(1U << 0)

/* Protection keys with a fixed meaning. */
#define UKC_KEY_CORE		0
#define UKC_KEY_SHARED		15

/* Sizes, for code that walks the table by hand. */
#define UKC_DESC_HEADER_SIZE	56
#define UKC_COMP_DESC_SIZE	144
#define UKC_SYM_SIZE		24

#ifndef __ASSEMBLY__

/* An address range [start, end); start == end is empty. */
struct ukc_range {
	__u64 start;
	__u64 end;
};

struct ukc_comp_desc {
	char name[UKC_NAME_MAX];	/* NUL padded */
	__u32 key;
	__u32 pkru;			/* PKRU while this compartment runs */
	struct ukc_range text;
	struct ukc_range rodata;
	struct ukc_range data;
	struct ukc_range bss;
	struct ukc_range guard;		/* unmapped page below the stack */
	struct ukc_range stack;		/* stack.end is the initial top */
	__u64 sp_slot;			/* its saved-stack-pointer slot */
};

struct ukc_desc_table {
	__u32 magic;
	__u32 version;
	__u32 count;			/* entries in comp[], core included */
	__u32 entry_size;		/* sizeof(struct ukc_comp_desc) */
	__u32 mechanism;		/* UKC_MECH_* */
	__u32 flags;			/* UKC_DESC_* */
	struct ukc_range gates;		/* .ukc.gates */
	struct ukc_range shared;	/* .ukc.shared */
	struct ukc_comp_desc comp[];	/* comp[0] is the core */
};

/* The table, at __ukc_desc_start. */
extern const struct ukc_desc_table ukc_desc;

struct ukc_sym {
	__u64 addr;
	__u64 size;
	__u64 name;			/* address of a NUL-terminated name */
};

/* .ukc.symtab: count, then count entries sorted by addr. */
struct ukc_symtab {
	__u64 count;
	struct ukc_sym sym[];
};

extern const struct ukc_symtab ukc_symtab;

_Static_assert(sizeof(struct ukc_range) == 16, "ukc_range layout");
_Static_assert(sizeof(struct ukc_comp_desc) == UKC_COMP_DESC_SIZE,
	       "ukc_comp_desc layout");
_Static_assert(sizeof(struct ukc_desc_table) == UKC_DESC_HEADER_SIZE,
	       "ukc_desc_table layout");
_Static_assert(sizeof(struct ukc_sym) == UKC_SYM_SIZE, "ukc_sym layout");

#endif /* !__ASSEMBLY__ */

#endif /* __UK_COMPART_DESC_H__ */
