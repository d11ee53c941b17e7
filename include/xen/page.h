/* SPDX-License-Identifier: GPL-2.0 */
/*
 * page.h - Xen's 4 KiB frames as seen from Linux pages.
 *
 * Every frame number that crosses the hypervisor interface (grant
 * references, ring pages, balloon and p2m entries) counts 4 KiB frames,
 * whatever PAGE_SIZE the kernel was built with.  The helpers below convert
 * between the two units; on x86 they are the same size, so the shifts are
 * by zero, but the frontends and drivers/xen are written against these
 * names so that the unit is always explicit.  The arch p2m helpers
 * (pfn_to_gfn() and friends) come from asm/xen/page.h, included here.
 *
 * Also here: the memory the PV setup code leaves unpopulated at boot, which
 * the balloon later fills (xen_extra_mem, xen_released_pages).
 */
#ifndef _XEN_PAGE_H
#define _XEN_PAGE_H

#include <asm/page.h>

#define XEN_PAGE_SHIFT		12
#define XEN_PAGE_SIZE		(_AC(1, UL) << XEN_PAGE_SHIFT)
#define XEN_PAGE_MASK		(~(XEN_PAGE_SIZE - 1))

/* Offset of @p within its Xen frame. */
#define xen_offset_in_page(p)	((unsigned long)(p) & ~XEN_PAGE_MASK)

/* Xen frames per Linux page, and byte counts to Xen frame counts. */
#define XEN_PFN_PER_PAGE	(PAGE_SIZE / XEN_PAGE_SIZE)
#define XEN_PFN_DOWN(x)		((x) >> XEN_PAGE_SHIFT)
#define XEN_PFN_UP(x)		(((x) + XEN_PAGE_SIZE - 1) >> XEN_PAGE_SHIFT)

/* The first Xen frame of a Linux page, as a pseudo-physical number. */
#define page_to_xen_pfn(page)	\
	(page_to_pfn(page) << (PAGE_SHIFT - XEN_PAGE_SHIFT))

#include <asm/xen/page.h>

/* The frame number to hand Xen for the start of @page. */
static inline unsigned long xen_page_to_gfn(struct page *page)
{
	return pfn_to_gfn(page_to_xen_pfn(page));
}

/*
 * Pseudo-physical ranges with no memory behind them at boot: room the
 * balloon may populate.  At most as many as a boot e820 map has entries.
 */
struct xen_memory_region {
	unsigned long start_pfn;
	unsigned long n_pfns;
};

#define XEN_EXTRA_MEM_MAX_REGIONS	128

extern __initdata
struct xen_memory_region xen_extra_mem[XEN_EXTRA_MEM_MAX_REGIONS];

/* Pages of the boot allocation handed back to Xen by the memory setup. */
extern unsigned long xen_released_pages;

#endif /* _XEN_PAGE_H */
