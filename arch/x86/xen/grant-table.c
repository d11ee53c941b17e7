// SPDX-License-Identifier: GPL-2.0
/*
 * grant-table.c (x86) - where a PV guest sees its grant table.
 *
 * The grant table is memory of Xen's, lent to us: GNTTABOP_setup_table
 * answers with the machine frames (MFNs) that hold it.  A PV guest reaches
 * a machine frame only through a page table entry naming it, so this file
 * keeps one range of kernel virtual addresses, reserved once at boot for
 * the largest table we will use, and writes into its PTEs the frames the
 * generic half (drivers/xen/grant-table.c) got from Xen.  Those PTEs are
 * built with mfn_pte(), which skips the pseudo-physical to machine
 * translation, and written with set_pte_at() on init_mm, which the PV MMU
 * turns into a page table update Xen checks: a PV domain may map the
 * frames of its own grant table, writable, as it maps its own memory.
 *
 * Calls, all from the generic half:
 *  - xen_gnttab_reserve_area() at boot (may sleep): gets the range and
 *    walks it once so every page table page under it exists; from then on
 *    mapping and unmapping allocate nothing and may run with interrupts
 *    off, under a spinlock, or in the suspend path.
 *  - xen_gnttab_map_frames() (re)writes the PTEs of frames 0..n-1: after
 *    setup, after the table grew and after a resume, when the frames may
 *    be new ones.  Rewriting a PTE with the value it has is harmless.
 *  - xen_gnttab_unmap_frames() clears them before the suspend hypercall:
 *    the save code must not find Xen's frames in our page tables.  No TLB
 *    flush follows, and none is needed: nothing touches the table until
 *    xen_gnttab_map_frames() maps the same frames again (a cancelled
 *    suspend) or the domain starts again elsewhere with empty TLBs.
 *  - xen_gnttab_release_area() if setting up failed.
 */

#define pr_fmt(fmt) "xen-grant: " fmt

#include <linux/mm.h>
#include <linux/printk.h>
#include <linux/vmalloc.h>
#include <asm/pgtable.h>
#include <asm/xen/page.h>
#include <xen/grant_table.h>

static struct vm_struct *gnttab_area;
static unsigned int gnttab_area_frames;

struct gnttab_pte_walk {
	const xen_pfn_t *frames;
	unsigned int next;
};

static int gnttab_pte_touch(pte_t *pte, unsigned long addr, void *data)
{
	return 0;
}

static int gnttab_pte_set(pte_t *pte, unsigned long addr, void *data)
{
	struct gnttab_pte_walk *walk = data;

	set_pte_at(&init_mm, addr, pte,
		   mfn_pte(walk->frames[walk->next++], PAGE_KERNEL));
	return 0;
}

static int gnttab_pte_clear(pte_t *pte, unsigned long addr, void *data)
{
	pte_clear(&init_mm, addr, pte);
	return 0;
}

/**
 * xen_gnttab_reserve_area() - reserve kernel addresses for the grant table
 * @max_frames: the most frames the table may ever have
 *
 * Process context, once.  The page tables under the range are made here so
 * that later mapping never allocates.
 *
 * Return: the start of the range, or NULL if out of memory.
 */
void *xen_gnttab_reserve_area(unsigned int max_frames)
{
	struct vm_struct *area;
	unsigned long size = (unsigned long)max_frames << PAGE_SHIFT;

	if (WARN_ON(gnttab_area || !max_frames))
		return NULL;
	area = get_vm_area(size, VM_IOREMAP);
	if (!area)
		return NULL;
	if (apply_to_page_range(&init_mm, (unsigned long)area->addr, size,
				gnttab_pte_touch, NULL)) {
		free_vm_area(area);
		return NULL;
	}
	gnttab_area = area;
	gnttab_area_frames = max_frames;
	return area->addr;
}

/**
 * xen_gnttab_release_area() - give back the range (failed setup only)
 *
 * Process context.  Any PTEs still set are cleared by the vmalloc code.
 */
void xen_gnttab_release_area(void)
{
	if (!gnttab_area)
		return;
	free_vm_area(gnttab_area);
	gnttab_area = NULL;
	gnttab_area_frames = 0;
}

/**
 * xen_gnttab_map_frames() - point the range at the table's machine frames
 * @frames: MFNs of frames 0..@nr_frames-1, as GNTTABOP_setup_table gave them
 * @nr_frames: how many
 *
 * Any context: nothing is allocated.  The PV MMU reports a PTE Xen refused
 * on its own; the caller checks the mapping by reading through it.
 *
 * Return: 0, or a negative errno if the range was never reserved or the
 * page tables under it are missing.
 */
int xen_gnttab_map_frames(const xen_pfn_t *frames, unsigned int nr_frames)
{
	struct gnttab_pte_walk walk = { .frames = frames };

	if (WARN_ON(!gnttab_area || nr_frames > gnttab_area_frames))
		return -EINVAL;
	if (!nr_frames)
		return 0;
	return apply_to_page_range(&init_mm, (unsigned long)gnttab_area->addr,
				   (unsigned long)nr_frames << PAGE_SHIFT,
				   gnttab_pte_set, &walk);
}

/**
 * xen_gnttab_unmap_frames() - clear the range's first @nr_frames PTEs
 * @nr_frames: how many frames are mapped
 *
 * Any context; used before the suspend hypercall.  See the top of the file
 * for why no TLB flush is done.
 *
 * Return: 0, or a negative errno as for xen_gnttab_map_frames().
 */
int xen_gnttab_unmap_frames(unsigned int nr_frames)
{
	if (WARN_ON(!gnttab_area || nr_frames > gnttab_area_frames))
		return -EINVAL;
	if (!nr_frames)
		return 0;
	return apply_to_page_range(&init_mm, (unsigned long)gnttab_area->addr,
				   (unsigned long)nr_frames << PAGE_SHIFT,
				   gnttab_pte_clear, NULL);
}
