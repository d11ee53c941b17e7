// SPDX-License-Identifier: GPL-2.0
/*
 * mem-reservation.c - moving page frames between this domain and Xen.
 *
 * A domain's "reservation" is the set of machine frames Xen has given it.
 * XENMEM_decrease_reservation hands some back (the guest names them by
 * guest frame, which for a PV guest is the machine frame itself);
 * XENMEM_populate_physmap asks for new ones (the guest names the pfns it
 * wants filled and Xen writes a machine frame over each entry it managed).
 * Both take a list of single-page extents (order 0: a Linux page is a Xen
 * page on x86) and answer with how many they did, which can be fewer than
 * asked: Xen stops at the domain's max_pages or when it has no memory.
 *
 * A PV guest runs on machine frames directly, so around those calls it
 * keeps two books itself.  The p2m (set_phys_to_machine) says which
 * machine frame backs each pfn, and the kernel's direct map holds a PTE
 * for every pfn.  A frame that leaves must first lose its PTE (Xen will not
 * free a frame still mapped as writable memory of ours, and a stale TLB
 * entry would let us write to memory that is no longer ours) and its p2m
 * entry; a frame that comes back gets both again.  Those PTE writes go
 * through update_va_mapping, several to a multicall, and the last one of
 * each unmapping batch flushes every vCPU's TLB so that no CPU keeps a
 * translation to a departed frame.
 *
 * The two PV helpers cannot return an error (their callers treat them as
 * infallible), so they leave the evidence in the p2m instead: a page whose
 * PTE could not be cleared keeps its valid p2m entry, and a page that could
 * not be mapped again keeps an invalid one.  The balloon checks the p2m
 * afterwards and never gives away a page that is still mapped, nor frees
 * one it cannot reach.
 *
 * xen_scrub_pages (boot parameter xen_scrub_pages=, default from
 * CONFIG_XEN_SCRUB_PAGES_DEFAULT, also in sysfs) asks for pages to be
 * zeroed before they go, so the next domain to get them sees nothing.
 */

#define pr_fmt(fmt) "xen-memres: " fmt

#include <linux/mm.h>
#include <linux/moduleparam.h>

#include <asm/tlbflush.h>
#include <asm/xen/hypercall.h>

#include <xen/interface/memory.h>
#include <xen/mem-reservation.h>

bool __read_mostly xen_scrub_pages = IS_ENABLED(CONFIG_XEN_SCRUB_PAGES_DEFAULT);
core_param(xen_scrub_pages, xen_scrub_pages, bool, 0);

/* update_va_mapping calls per multicall (64 bytes each, on the stack). */
#define MEMRES_MC_BATCH	8

static int memres_op(unsigned int cmd, int count, xen_pfn_t *frames)
{
	struct xen_memory_reservation req = {
		.nr_extents = count,
		.extent_order = 0,
		.domid = DOMID_SELF,
	};
	long done;

	BUILD_BUG_ON(XEN_PAGE_SIZE != PAGE_SIZE);
	if (count <= 0)
		return count ? -EINVAL : 0;
	set_xen_guest_handle(req.extent_start, frames);
	done = HYPERVISOR_memory_op(cmd, &req);
	if (done > count) {
		pr_err_once("memory_op %u did %ld of %d extents\n", cmd, done, count);
		return -EIO;
	}
	return done;
}

/**
 * xenmem_reservation_increase - ask Xen to populate pfns
 * @count: number of entries in @frames
 * @frames: pfns to populate; Xen replaces each one it populated by its
 *	machine frame
 *
 * Return: how many leading entries were populated, or a negative errno.
 */
int xenmem_reservation_increase(int count, xen_pfn_t *frames)
{
	return memres_op(XENMEM_populate_physmap, count, frames);
}
EXPORT_SYMBOL_GPL(xenmem_reservation_increase);

/**
 * xenmem_reservation_decrease - give guest frames back to Xen
 * @count: number of entries in @frames
 * @frames: guest frame numbers (machine frames for PV), already unmapped
 *
 * Return: how many leading entries Xen took, or a negative errno.
 */
int xenmem_reservation_decrease(int count, xen_pfn_t *frames)
{
	return memres_op(XENMEM_decrease_reservation, count, frames);
}
EXPORT_SYMBOL_GPL(xenmem_reservation_decrease);

/*
 * Issue @nr queued direct-map PTE writes for @pages (@idx[k] is the page
 * of entry k) and note in @bad which pages' writes Xen refused.
 */
static void memres_issue(struct multicall_entry *mc, const unsigned int *idx,
			 unsigned int nr, bool *bad)
{
	int err;
	unsigned int k;

	if (!nr)
		return;
	err = HYPERVISOR_multicall(mc, nr);
	for (k = 0; k < nr; k++)
		if (err || mc[k].result)
			bad[idx[k]] = true;
}

/* A machine frame Xen gave us must fit in a PTE and not be the marker. */
static bool memres_frame_ok(xen_pfn_t mfn)
{
	return mfn != INVALID_P2M_ENTRY &&
	       mfn < BIT_ULL(__PHYSICAL_MASK_SHIFT - PAGE_SHIFT);
}

static unsigned long memres_va(struct page *page)
{
	return (unsigned long)page_address(page);
}

/**
 * __xenmem_reservation_va_mapping_update - map frames Xen gave back (PV)
 * @count: number of pages
 * @pages: pages whose pfns Xen just populated
 * @frames: the machine frame of each page, as Xen returned it
 *
 * Sets each page's p2m entry and its direct-map PTE.  A page whose frame
 * is bogus, or whose p2m or PTE could not be written, is left with an
 * invalid p2m entry (and a warning); the caller must check.
 */
void __xenmem_reservation_va_mapping_update(unsigned long count,
					    struct page **pages,
					    xen_pfn_t *frames)
{
	struct multicall_entry mc[MEMRES_MC_BATCH];
	unsigned int idx[MEMRES_MC_BATCH];
	bool bad[MEMRES_MC_BATCH];
	unsigned long done, pfn;
	unsigned int n, i, nr;

	for (done = 0; done < count; done += n) {
		n = min_t(unsigned long, count - done, MEMRES_MC_BATCH);
		nr = 0;
		for (i = 0; i < n; i++) {
			xen_pfn_t mfn = frames[done + i];

			pfn = page_to_pfn(pages[done + i]);
			bad[i] = !memres_frame_ok(mfn) ||
				 !set_phys_to_machine(pfn, mfn);
			if (bad[i])
				continue;
			MULTI_update_va_mapping(&mc[nr],
						memres_va(pages[done + i]),
						mfn_pte(mfn, PAGE_KERNEL), 0);
			idx[nr++] = i;
		}
		memres_issue(mc, idx, nr, bad);
		for (i = 0; i < n; i++) {
			if (!bad[i])
				continue;
			pfn = page_to_pfn(pages[done + i]);
			pr_warn_once("pfn %#lx: cannot map frame %#lx\n", pfn,
				     (unsigned long)frames[done + i]);
			__set_phys_to_machine(pfn, INVALID_P2M_ENTRY);
		}
	}
}
EXPORT_SYMBOL_GPL(__xenmem_reservation_va_mapping_update);

/**
 * __xenmem_reservation_va_mapping_reset - unmap frames about to leave (PV)
 * @count: number of pages
 * @pages: pages whose frames will be given back to Xen
 *
 * Clears each page's direct-map PTE, flushes all vCPUs' TLBs, and makes its
 * p2m entry invalid.  A page whose PTE Xen refused to clear keeps its p2m
 * entry (with a warning): the caller must not give that frame away.
 */
void __xenmem_reservation_va_mapping_reset(unsigned long count,
					   struct page **pages)
{
	struct multicall_entry mc[MEMRES_MC_BATCH];
	unsigned int idx[MEMRES_MC_BATCH];
	bool bad[MEMRES_MC_BATCH];
	unsigned long done, pfn;
	unsigned int n, i;

	for (done = 0; done < count; done += n) {
		n = min_t(unsigned long, count - done, MEMRES_MC_BATCH);
		for (i = 0; i < n; i++) {
			MULTI_update_va_mapping(&mc[i], memres_va(pages[done + i]),
						__pte_ma(0),
						i == n - 1 ? UVMF_TLB_FLUSH | UVMF_ALL : 0);
			idx[i] = i;
			bad[i] = false;
		}
		memres_issue(mc, idx, n, bad);
		/* The flush rode on the last write: if that failed, flush now. */
		if (bad[n - 1])
			flush_tlb_all();
		for (i = 0; i < n; i++) {
			pfn = page_to_pfn(pages[done + i]);
			if (bad[i])
				pr_warn_once("cannot unmap pfn %#lx\n", pfn);
			else
				__set_phys_to_machine(pfn, INVALID_P2M_ENTRY);
		}
	}
}
EXPORT_SYMBOL_GPL(__xenmem_reservation_va_mapping_reset);
