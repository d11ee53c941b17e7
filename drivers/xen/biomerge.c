// SPDX-License-Identifier: GPL-2.0
/*
 * biomerge.c - when the block layer may join two pieces of a bio.
 *
 * The block layer merges neighbouring bio_vecs into one segment when their
 * memory is contiguous in guest-physical addresses.  In a PV guest that is
 * not enough: the pseudo-physical frames are backed by machine frames in
 * any order, and what the frontend grants to its backend (and what the
 * backend's disk eventually DMAs to) are those machine frames.  So while
 * xen_domain(), block/blk.h and block/bio.c also ask this function, and
 * merge only when the bus frames line up too.
 *
 * The rule: the bus frame of the next page must be the one right after
 * the last bus frame the previous bio_vec's data covers.  A bio_vec that
 * spans several pages was itself built under this rule, so its frames run
 * on from its first page's.  Xen and Linux pages are both 4 KiB here.
 */

#include <linux/bio.h>
#include <linux/build_bug.h>

#include <xen/page.h>
#include <xen/xen.h>

/**
 * xen_biovec_phys_mergeable - may @page continue @prev's segment?
 * @prev: the bio_vec at the end of the segment so far
 * @page: the page the next bio_vec's data starts in
 *
 * Called only after the block layer found the two guest-physically
 * contiguous.
 *
 * Return: true when @page's bus frame follows @prev's data in bus frames.
 */
bool xen_biovec_phys_mergeable(const struct bio_vec *prev,
			       const struct page *page)
{
	unsigned long prev_first = pfn_to_bfn(page_to_pfn(prev->bv_page));
	unsigned long pages_done = (prev->bv_offset + prev->bv_len) >> PAGE_SHIFT;

	BUILD_BUG_ON(XEN_PAGE_SIZE != PAGE_SIZE);

	return pfn_to_bfn(page_to_pfn(page)) == prev_first + pages_done;
}
