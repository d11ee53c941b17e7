/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Giving page frames back to Xen and asking for them again
 * (drivers/xen/mem-reservation.c).
 *
 * xenmem_reservation_decrease() hands Xen a list of guest frames to free;
 * xenmem_reservation_increase() hands it a list of pfns and gets a machine
 * frame written over each entry it could populate.  Both return how many
 * entries Xen dealt with, which may be fewer than asked, or a negative
 * errno.  A PV guest also keeps its own books: before a frame leaves, its
 * direct-map PTE is cleared and its p2m entry invalidated (va_mapping_reset);
 * when a frame comes back, the p2m gets the new machine frame and the
 * direct map points at it again (va_mapping_update).  A guest whose p2m Xen
 * keeps (auto-translated) needs neither, so the inlines skip them.
 */
#ifndef _XEN_MEM_RESERVATION_H
#define _XEN_MEM_RESERVATION_H

#include <linux/highmem.h>

#include <xen/features.h>
#include <xen/page.h>

/* Clear pages before they go back to Xen (xen_scrub_pages=, sysfs). */
extern bool xen_scrub_pages;

static inline void xenmem_reservation_scrub_page(struct page *page)
{
	if (xen_scrub_pages)
		clear_highpage(page);
}

/* Does this guest keep the p2m and map machine frames itself (PV)? */
static inline bool xenmem_guest_keeps_p2m(void)
{
	return IS_ENABLED(CONFIG_XEN_HAVE_PVMMU) &&
	       !xen_feature(XENFEAT_auto_translated_physmap);
}

void __xenmem_reservation_va_mapping_update(unsigned long count,
					    struct page **pages,
					    xen_pfn_t *frames);
void __xenmem_reservation_va_mapping_reset(unsigned long count,
					   struct page **pages);

/* Frames came back: frames[i] is the new machine frame of pages[i]. */
static inline void xenmem_reservation_va_mapping_update(unsigned long count,
							struct page **pages,
							xen_pfn_t *frames)
{
	if (xenmem_guest_keeps_p2m())
		__xenmem_reservation_va_mapping_update(count, pages, frames);
}

/* Frames about to leave: unmap them and forget their machine frames. */
static inline void xenmem_reservation_va_mapping_reset(unsigned long count,
						       struct page **pages)
{
	if (xenmem_guest_keeps_p2m())
		__xenmem_reservation_va_mapping_reset(count, pages);
}

int xenmem_reservation_increase(int count, xen_pfn_t *frames);
int xenmem_reservation_decrease(int count, xen_pfn_t *frames);

#endif /* _XEN_MEM_RESERVATION_H */
