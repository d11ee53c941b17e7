// SPDX-License-Identifier: GPL-2.0
/*
 * mmu.c - machine addresses of kernel virtual addresses.
 *
 * A PV guest's "physical" addresses are its own numbering; the frames
 * Xen and other domains speak of are machine frames.  For an address in
 * the direct map the p2m gives the answer (virt_to_machine()).  Any other
 * kernel address (vmalloc, fixmap, a module) is looked up in the page
 * tables, whose entries hold machine frames already: pte_mfn() of the leaf,
 * plus the offset inside the page.  This is what xenbus uses to tell Xen
 * where a ring it vmalloc'ed lives.
 *
 * Also here: the x86 half of unmapping foreign frames from a privcmd
 * mapping, which for a PV guest has nothing to do (only auto-translated
 * guests have p2m entries to undo).
 */

#include <linux/bug.h>
#include <linux/panic.h>
#include <linux/export.h>
#include <linux/mm.h>
#include <linux/pfn.h>

#include <asm/pgtable.h>
#include <asm/xen/page.h>

#include <xen/features.h>
#include <xen/xen-ops.h>

#include "xen-ops.h"

/**
 * arbitrary_virt_to_machine() - machine address of a kernel virtual address
 * @vaddr: a mapped kernel address, direct map or not
 *
 * Return: the machine address @vaddr maps; panics if it is not mapped
 * (a caller about to hand Xen a frame must not hand it a wrong one).
 */
xmaddr_t arbitrary_virt_to_machine(void *vaddr)
{
	unsigned long va = (unsigned long)vaddr;
	unsigned int level;
	pte_t *leaf;

	if (virt_addr_valid(vaddr))
		return virt_to_machine(vaddr);

	leaf = lookup_address(va, &level);
	if (!leaf)
		panic("xen-mmu: %p is not mapped\n", vaddr);
	return XMADDR(PFN_PHYS(pte_mfn(*leaf)) | offset_in_page(va));
}
EXPORT_SYMBOL_GPL(arbitrary_virt_to_machine);

/**
 * arbitrary_virt_to_mfn() - machine frame of a kernel virtual address
 * @vaddr: as for arbitrary_virt_to_machine()
 *
 * Return: the machine frame number holding @vaddr.
 */
unsigned long arbitrary_virt_to_mfn(void *vaddr)
{
	return PFN_DOWN(arbitrary_virt_to_machine(vaddr).maddr);
}

/**
 * xen_unmap_domain_gfn_range() - undo a mapping of foreign guest frames
 * @vma: the user mapping
 * @nr: number of frames
 * @pages: the pages that backed them (auto-translated guests), or NULL
 *
 * Return: 0 on success; -EINVAL if a PV guest is handed pages, which it
 * never gives out for such mappings.
 */
int xen_unmap_domain_gfn_range(struct vm_area_struct *vma, int nr,
			       struct page **pages)
{
	if (xen_feature(XENFEAT_auto_translated_physmap))
		return xen_xlate_unmap_gfn_range(vma, nr, pages);
	return pages ? -EINVAL : 0;
}
EXPORT_SYMBOL_GPL(xen_unmap_domain_gfn_range);
