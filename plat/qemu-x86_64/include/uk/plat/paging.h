/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Changing the mapping of the image at run time.
 *
 * The platform maps the image [__image_start, __image_end) with 4 KiB pages
 * and the rest of the first GiB with 2 MiB pages.  Only the 4 KiB pages can
 * be changed: ranges must be page-aligned and lie inside the image.  Both
 * functions flush the TLB entries of the pages they change.
 */

#ifndef __UK_PLAT_PAGING_H__
#define __UK_PLAT_PAGING_H__

#include <uk/arch/types.h>

#define UKPLAT_PAGE_SIZE	0x1000UL
#define UKPLAT_PKEY_MAX		15

#ifndef __ASSEMBLY__

/*
 * Tag the user pages of [start, end) with protection key pkey (0..15).
 * Returns 0, or -EINVAL when the range is not page-aligned, leaves the
 * image, or holds a page that is unmapped or a supervisor page (protection
 * keys do not apply to supervisor pages, so tagging one is a mistake).
 */
int ukplat_pages_set_key(__uptr start, __uptr end, int pkey);

/*
 * Remove the pages of [start, end) from the page tables, so that any access
 * faults.  Returns 0, or -EINVAL when the range is not page-aligned or
 * leaves the image.
 */
int ukplat_pages_unmap(__uptr start, __uptr end);

#endif /* !__ASSEMBLY__ */

#endif /* __UK_PLAT_PAGING_H__ */
