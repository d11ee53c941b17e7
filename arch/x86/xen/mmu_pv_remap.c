// SPDX-License-Identifier: GPL-2.0
/*
 * PV mappings of frames the p2m does not describe simply: machine-contiguous
 * regions for DMA, and foreign frames for privcmd.
 *
 * A PV guest's pseudo-physical pages are backed by machine frames in no
 * particular order, which is fine for the CPU but not for a device that
 * does DMA to a buffer longer than a page, or below some address limit.
 * swiotlb-xen asks for such a buffer with xen_create_contiguous_region():
 * the pages of the region are unmapped and their frames traded to Xen with
 * XENMEM_exchange for one extent of 2^order frames, contiguous, aligned and
 * below 2^address_bits; the region's direct-map entries and its p2m entries
 * are then pointed at the new extent.  Xen wants the frames it takes back
 * unreferenced, hence the unmapping first.  If Xen cannot supply such an
 * extent, the old frames are mapped back and the caller is told -ENOMEM.
 * xen_destroy_contiguous_region() trades the extent back for single frames
 * (contiguity is scarce host-wide).  Both zero the region first: the frames
 * leave the domain.  The list of frames given up travels in a static array
 * for regions up to 2 MiB (which works before the allocator does) and in a
 * bigger one, allocated on demand, beyond; one lock covers array and trade.
 *
 * xen_remap_pfn() is what privcmd's foreign mappings come down to: put
 * another domain's frames (or, for a device model, raw machine frames:
 * no_translate) into a user VMA.  The PTEs are written by Xen with
 * MMU_UPDATE on behalf of @domid, which checks our right to map each
 * frame; apply_to_page_range() only allocates the tables and says where
 * each PTE is.  With an error array each frame succeeds or fails on its
 * own and the array says which (it may share storage with the frame
 * array: a batch's frames are read before its errors are written);
 * without one the first failure ends the call.
 */

#define pr_fmt(fmt) "xen/mmu: " fmt

#include <linux/export.h>
#include <linux/io.h>
#include <linux/mm.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/spinlock.h>

#include <asm/xen/hypercall.h>
#include <asm/xen/page.h>
#include <asm/xen/swiotlb-xen.h>

#include <xen/interface/memory.h>
#include <xen/interface/xen.h>
#include <xen/xen-ops.h>

#include "xen-ops.h"

#define XEN_CONTIG_STATIC_ORDER	9

static unsigned long xen_contig_static[1UL << XEN_CONTIG_STATIC_ORDER];
static unsigned long *xen_contig_frames = xen_contig_static;
static unsigned int xen_contig_order = XEN_CONTIG_STATIC_ORDER;
static DEFINE_SPINLOCK(xen_contig_lock);

/* Make the frame array hold 2^@order entries (callers may sleep). */
static int xen_contig_grow(unsigned int order)
{
	unsigned long *bigger;
	unsigned long flags;

	if (!slab_is_available())
		return -ENOMEM;
	bigger = kvmalloc_array(1UL << order, sizeof(*bigger), GFP_KERNEL);
	if (!bigger)
		return -ENOMEM;

	/* Another caller may have grown it meanwhile: keep the larger. */
	spin_lock_irqsave(&xen_contig_lock, flags);
	if (xen_contig_order < order) {
		swap(xen_contig_frames, bigger);
		xen_contig_order = order;
	}
	spin_unlock_irqrestore(&xen_contig_lock, flags);

	/* @bigger now holds whichever array lost. */
	if (bigger != xen_contig_static)
		kvfree(bigger);
	return 0;
}

/*
 * Unmap the 2^@order pages at @va and forget their frames in the p2m,
 * noting each frame's mfn in @mfns (if set) or its pfn in @pfns (if set).
 */
static void xen_contig_unmap(unsigned long va, unsigned int order,
			     unsigned long *mfns, unsigned long *pfns)
{
	struct multicall_space mc;
	unsigned long i, pfn;

	xen_mc_batch();
	for (i = 0; i < 1UL << order; i++, va += PAGE_SIZE) {
		pfn = virt_to_pfn((void *)va);
		if (mfns)
			mfns[i] = pfn_to_mfn(pfn);
		if (pfns)
			pfns[i] = pfn;
		mc = __xen_mc_entry(0);
		MULTI_update_va_mapping(mc.mc, va, native_make_pte(0), 0);
		__set_phys_to_machine(pfn, INVALID_P2M_ENTRY);
	}
	xen_mc_issue(0);
}

/*
 * Map the 2^@order pages at @va to @mfns[i], or to @first + i if @mfns is
 * NULL, in the direct map and the p2m; flush every vCPU's TLB at the end.
 */
static void xen_contig_map(unsigned long va, unsigned int order,
			   const unsigned long *mfns, unsigned long first)
{
	unsigned long i, n = 1UL << order, mfn, flags;
	struct multicall_space mc;

	xen_mc_batch();
	for (i = 0; i < n; i++, va += PAGE_SIZE) {
		mfn = mfns ? mfns[i] : first + i;
		flags = i < n - 1 ? 0 :
			UVMF_ALL | (order ? UVMF_TLB_FLUSH : UVMF_INVLPG);
		mc = __xen_mc_entry(0);
		MULTI_update_va_mapping(mc.mc, va, mfn_pte(mfn, PAGE_KERNEL),
					flags);
		set_phys_to_machine(virt_to_pfn((void *)va), mfn);
	}
	xen_mc_issue(0);
}

/*
 * Trade @n_in extents of order @order_in (frames in @in) for @n_out of
 * order @order_out (frames written to @out).  Xen trades all or, for the
 * extents we use here, nothing; anything else loses frames for good.
 */
static bool xen_trade(unsigned long n_in, unsigned int order_in,
		      unsigned long *in, unsigned long n_out,
		      unsigned int order_out, unsigned long *out,
		      unsigned int address_bits)
{
	struct xen_memory_exchange x = {
		.in = { .nr_extents = n_in, .extent_order = order_in,
			.domid = DOMID_SELF },
		.out = { .nr_extents = n_out, .extent_order = order_out,
			 .address_bits = address_bits, .domid = DOMID_SELF },
	};
	long rc;

	set_xen_guest_handle(x.in.extent_start, in);
	set_xen_guest_handle(x.out.extent_start, out);
	rc = HYPERVISOR_memory_op(XENMEM_exchange, &x);
	if (x.nr_exchanged == n_in)
		return true;
	if (x.nr_exchanged)
		panic("xen: XENMEM_exchange traded %lu of %lu extents (rc %ld)\n",
		      (unsigned long)x.nr_exchanged, n_in, rc);
	return false;
}

/* Is the extent Xen gave us what we asked for? */
static bool xen_contig_extent_ok(unsigned long mfn, unsigned int order,
				 unsigned int address_bits)
{
	unsigned int frame_bits = address_bits - PAGE_SHIFT;

	if (mfn & ((1UL << order) - 1))
		return false;
	if (address_bits <= PAGE_SHIFT || frame_bits >= BITS_PER_LONG)
		return true;
	return mfn < (1UL << frame_bits) &&
	       (1UL << order) <= (1UL << frame_bits) - mfn;
}

/**
 * xen_create_contiguous_region - back a region with machine-contiguous frames
 * @pstart: pseudo-physical start of the region (direct-mapped, 2^@order pages)
 * @order: log2 of its size in pages
 * @address_bits: the frames must lie below 2^@address_bits (0: anywhere)
 * @dma_handle: set to the machine address of the region
 *
 * The contents are lost (the region is zeroed).  Returns 0, or -ENOMEM if
 * Xen had no such extent (the region is then backed as before) or the
 * frame list could not grow to @order.
 */
int xen_create_contiguous_region(phys_addr_t pstart, unsigned int order,
				 unsigned int address_bits,
				 dma_addr_t *dma_handle)
{
	unsigned long va = (unsigned long)phys_to_virt(pstart);
	unsigned long flags, extent;
	bool traded, ok = false;

	if (order > xen_contig_order && xen_contig_grow(order))
		return -ENOMEM;

	memset((void *)va, 0, PAGE_SIZE << order);
	spin_lock_irqsave(&xen_contig_lock, flags);
	xen_contig_unmap(va, order, xen_contig_frames, NULL);
	extent = virt_to_pfn((void *)va);
	traded = xen_trade(1UL << order, 0, xen_contig_frames, 1, order,
			   &extent, address_bits);
	if (traded) {
		xen_contig_map(va, order, NULL, extent);
		ok = xen_contig_extent_ok(extent, order, address_bits);
	} else {
		xen_contig_map(va, order, xen_contig_frames, 0);
	}
	spin_unlock_irqrestore(&xen_contig_lock, flags);

	if (traded && !ok)
		pr_warn_ratelimited("Xen's extent %#lx (order %u) is not below %u bits\n",
				    extent, order, address_bits);
	*dma_handle = virt_to_machine((void *)va).maddr;
	return ok ? 0 : -ENOMEM;
}

/**
 * xen_destroy_contiguous_region - give a contiguous extent back to Xen
 * @pstart: pseudo-physical start of the region
 * @order: log2 of its size in pages, as given to the create call
 *
 * The region stays mapped, now by ordinary frames; its contents are lost.
 */
void xen_destroy_contiguous_region(phys_addr_t pstart, unsigned int order)
{
	unsigned long va = (unsigned long)phys_to_virt(pstart);
	unsigned long flags, extent;

	if (WARN_ON_ONCE(order > xen_contig_order))
		return;

	memset((void *)va, 0, PAGE_SIZE << order);
	spin_lock_irqsave(&xen_contig_lock, flags);
	extent = virt_to_mfn((void *)va);
	xen_contig_unmap(va, order, NULL, xen_contig_frames);
	if (xen_trade(1, order, &extent, 1UL << order, 0, xen_contig_frames, 0))
		xen_contig_map(va, order, xen_contig_frames, 0);
	else
		xen_contig_map(va, order, NULL, extent);
	spin_unlock_irqrestore(&xen_contig_lock, flags);
}

#define XEN_REMAP_BATCH		16

struct xen_remap {
	struct mmu_update req[XEN_REMAP_BATCH];
	unsigned int n;
	xen_pfn_t *frame;	/* the next frame to map */
	bool array;		/* an array of frames, or a first frame */
	u64 how;		/* MMU_NORMAL_PT_UPDATE or ..._NO_TRANSLATE */
	pgprot_t prot;
};

static int xen_remap_one(pte_t *ptep, unsigned long addr, void *data)
{
	struct xen_remap *r = data;
	struct mmu_update *u = &r->req[r->n++];

	u->ptr = virt_to_machine(ptep).maddr | r->how;
	u->val = pte_val_ma(pte_mkspecial(mfn_pte(*r->frame, r->prot)));
	if (r->array)
		r->frame++;
	else
		(*r->frame)++;
	return 0;
}

/**
 * xen_remap_pfn - map foreign frames into a VM_PFNMAP|VM_IO user VMA
 * @vma: the VMA
 * @addr: user address of the first page
 * @pfn: the frames: an array of @nr if @err_ptr is set, else the first of
 *	@nr consecutive ones (advanced past the last one mapped)
 * @nr: number of pages
 * @err_ptr: per-frame result (0 or -errno), or NULL to stop at the first error
 * @prot: protection of the new PTEs
 * @domid: domain owning the frames
 * @no_translate: @pfn holds machine frames, not @domid's guest frames
 *
 * Returns the number of frames mapped, or a negative error: that of the
 * first failure without @err_ptr, or with it that of the last frame if the
 * last frame failed (privcmd's V1 batch reports a paged-out frame so).
 */
int xen_remap_pfn(struct vm_area_struct *vma, unsigned long addr,
		  xen_pfn_t *pfn, int nr, int *err_ptr, pgprot_t prot,
		  unsigned int domid, bool no_translate)
{
	struct xen_remap r = {
		.frame = pfn, .array = !!err_ptr, .prot = prot,
		.how = no_translate ? MMU_PT_UPDATE_NO_TRANSLATE :
				      MMU_NORMAL_PT_UPDATE,
	};
	struct mmuext_op flush = { .cmd = MMUEXT_TLB_FLUSH_ALL };
	int mapped = 0, rc = 0, chunk, first, done, i;

	if (WARN_ON((vma->vm_flags & (VM_PFNMAP | VM_IO)) != (VM_PFNMAP | VM_IO)))
		return -EINVAL;

	for (; nr > 0; nr -= chunk, addr += (unsigned long)chunk << PAGE_SHIFT) {
		chunk = min(nr, XEN_REMAP_BATCH);
		r.n = 0;
		rc = apply_to_page_range(vma->vm_mm, addr,
					 (unsigned long)chunk << PAGE_SHIFT,
					 xen_remap_one, &r);
		if (rc)
			break;
		for (first = 0; first < chunk; ) {
			done = 0;
			rc = HYPERVISOR_mmu_update(r.req + first, chunk - first,
						   &done, domid);
			if (done < 0 || done > chunk - first)
				done = 0;
			if (!rc && done != chunk - first)
				rc = -EIO;
			for (i = 0; err_ptr && i < done; i++)
				err_ptr[first + i] = 0;
			mapped += done;
			first += done;
			if (rc < 0) {
				if (!err_ptr)
					goto out;
				err_ptr[first++] = rc;
			}
		}
		if (err_ptr)
			err_ptr += chunk;
		cond_resched();
	}
out:
	if (HYPERVISOR_mmuext_op(&flush, 1, NULL, DOMID_SELF))
		pr_warn_ratelimited("TLB flush after a foreign mapping failed\n");
	return rc < 0 ? rc : mapped;
}
EXPORT_SYMBOL_GPL(xen_remap_pfn);

#if IS_REACHABLE(CONFIG_KUNIT)
#include <kunit/test.h>

static void xen_test_extent_ok(struct kunit *test)
{
	/* alignment to the order */
	KUNIT_EXPECT_TRUE(test, xen_contig_extent_ok(0x200, 9, 0));
	KUNIT_EXPECT_FALSE(test, xen_contig_extent_ok(0x201, 9, 0));
	KUNIT_EXPECT_TRUE(test, xen_contig_extent_ok(0x12345, 0, 0));
	/* below 4 GiB: frames up to 0xfffff */
	KUNIT_EXPECT_TRUE(test, xen_contig_extent_ok(0xffe00, 9, 32));
	KUNIT_EXPECT_FALSE(test, xen_contig_extent_ok(0x100000, 9, 32));
	KUNIT_EXPECT_TRUE(test, xen_contig_extent_ok(0xfffff, 0, 32));
	KUNIT_EXPECT_FALSE(test, xen_contig_extent_ok(0x100000, 0, 32));
	/* an extent as big as the whole range, and one bigger */
	KUNIT_EXPECT_TRUE(test, xen_contig_extent_ok(0, 20, 32));
	KUNIT_EXPECT_FALSE(test, xen_contig_extent_ok(0, 21, 32));
	/* 64 bits: any real frame; fewer than a page: no limit */
	KUNIT_EXPECT_TRUE(test, xen_contig_extent_ok(1UL << 40, 9, 64));
	KUNIT_EXPECT_TRUE(test, xen_contig_extent_ok(1UL << 40, 0, 12));
}

static struct kunit_case xen_mmu_remap_test_cases[] = {
	KUNIT_CASE(xen_test_extent_ok),
	{}
};

static struct kunit_suite xen_mmu_remap_test_suite = {
	.name = "xen-mmu-remap",
	.test_cases = xen_mmu_remap_test_cases,
};

kunit_test_suite(xen_mmu_remap_test_suite);
#endif /* CONFIG_KUNIT */
