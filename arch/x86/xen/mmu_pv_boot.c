// SPDX-License-Identifier: GPL-2.0
/*
 * The PV MMU at start of day: moving from Xen's page tables to our own.
 *
 * A PV guest never runs with paging off.  Before its first instruction the
 * domain builder has loaded the kernel at virt_base (__START_KERNEL_map),
 * and behind the image, page-aligned and in this order, it put the initrd,
 * the p2m list (pfn -> mfn, one word per page of the guest), start_info,
 * the xenstore and console rings, a set of 4-level page tables (pt_base,
 * nr_pt_frames: an L4, an L3, an L2 and the L1s) mapping all of it, and a
 * boot stack.  Pseudo-physical frame n is simply the n-th page of that
 * region.  Because the kernel asks for it with an ELF note, the builder
 * maps the p2m list in a top-level slot of its own (INIT_P2M, slot 1),
 * with its own tables, in frames first_p2m_pfn..+nr_p2m_frames.  Every
 * table is pinned by Xen and mapped read-only: a guest can only change a
 * pinned table through Xen, which checks that no page it maps writable is
 * a page table and that nothing maps pages the guest does not own.
 *
 * xen_setup_kernel_pagetable() moves into the tables head_64.S compiled
 * into the image (init_top_pgt, level3_ident/kernel_pgt, level2_*,
 * level1_fixmap_pgt), so that from then on the kernel's idea of its page
 * tables is the truth:
 *   - head_64.S wrote pfns into them; Xen reads machine frames, so every
 *     present entry is translated through the p2m, and the identity slot
 *     the native boot path needs is dropped;
 *   - Xen's L2 for the image is copied twice: as level2_kernel_pgt (the
 *     image map, __ka) and as level2_ident_pgt (the first GiB of the direct
 *     map, __va), so both views share Xen's L1s and __va() works for every
 *     page Xen mapped.  The direct-map copy loses execute permission;
 *   - the p2m slot is copied as is, since the p2m code keeps reading the
 *     list where Xen put it until the allocator can hold a new one;
 *   - our tables are made read-only, the L4 is pinned, cr3 is switched
 *     (through pv_ops, which records it), and Xen's L4, L3 and L2, now
 *     unused, are made writable and given to memblock.  The L1s stay in
 *     use; the rest of the table frames stay reserved.
 * The kernel then maps all RAM its own way (init_mem_mapping(), with the
 * runtime half's *_init ops, which turn pfns into mfns as entries are made).
 *
 * xen_pagetable_init() is x86_init.paging.pagetable_init.  Around
 * paging_init() it switches pv_ops.mmu to the runtime operations, which
 * need struct pages; then the p2m code moves the list into vmalloc space,
 * and the boot copy and its tables are given back, as is every __ka
 * mapping outside the image that Xen made.
 *
 * xen_relocate_p2m() is for the memory map code: when the host's E820 map
 * wants the frames the p2m list sits in, the list moves to free RAM and is
 * mapped at top-level slot 2 with tables built here (L3s, L2s and L1s in
 * front of the list, in the same new area).
 *
 * Whatever Xen handed over is checked before it is used: a layout no
 * builder produces stops the boot with a message on Xen's console
 * (xen_raw_printk(), which works before any console), instead of a fault
 * that says nothing.
 */

#define pr_fmt(fmt) "xen/mmu: " fmt

#include <linux/init.h>
#include <linux/memblock.h>
#include <linux/mm.h>
#include <linux/pgtable.h>

#include <asm/io.h>
#include <asm/pgtable.h>
#include <asm/sections.h>
#include <asm/setup.h>
#include <asm/tlbflush.h>

#include <asm/xen/hypercall.h>
#include <asm/xen/hypervisor.h>
#include <asm/xen/page.h>

#include <xen/hvc-console.h>
#include <xen/interface/memory.h>
#include <xen/interface/xen.h>
#include <xen/xen.h>

#include "xen-ops.h"
#include "mmu_pv.h"

/* Where xen_relocate_p2m() maps the list: a user-half slot nobody uses. */
#define XEN_P2M_SLOT		2
#define XEN_P2M_VADDR		(XEN_P2M_SLOT * PGDIR_SIZE)

/* The frames of Xen's boot tables we keep (all but its L4, L3 and L2). */
static phys_addr_t xen_pt_base __initdata, xen_pt_size __initdata;

/* Nothing sensible is left to do: tell Xen's console why, and crash. */
static void __init __noreturn xen_boot_stop(void)
{
	struct sched_shutdown crash = { .reason = SHUTDOWN_crash };

	for (;;)
		HYPERVISOR_sched_op(SCHEDOP_shutdown, &crash);
}

#define xen_boot_fail(fmt, ...)						\
	do {								\
		xen_raw_printk("xen/mmu: " fmt "\n", ##__VA_ARGS__);	\
		xen_boot_stop();					\
	} while (0)

static void * __init xen_ka(phys_addr_t paddr)
{
	return (void *)(paddr + __START_KERNEL_map);
}

/*
 * Is the start-of-day layout that @si describes one we can take over?
 * @image_end is the first pfn past the kernel image.  Returns NULL, or what
 * is wrong.  Only arithmetic: nothing here dereferences what Xen sent.
 */
static const char * __init xen_layout_problem(const struct start_info *si,
					      unsigned long image_end)
{
	unsigned long max_pages = 1UL << (MAX_PHYSMEM_BITS - PAGE_SHIFT);
	unsigned long one_gib = PUD_SIZE >> PAGE_SHIFT;
	unsigned long pt_pfn, pt_end, list_pages, slot;

	if (!si->nr_pages || si->nr_pages > max_pages)
		return "nr_pages";
	list_pages = PFN_UP(si->nr_pages * sizeof(unsigned long));

	if (si->pt_base < __START_KERNEL_map || offset_in_page(si->pt_base))
		return "pt_base is not a page of the kernel map";
	pt_pfn = (si->pt_base - __START_KERNEL_map) >> PAGE_SHIFT;
	if (si->nr_pt_frames < 4 || si->nr_pt_frames > one_gib)
		return "nr_pt_frames";
	pt_end = pt_pfn + si->nr_pt_frames;
	if (pt_pfn < image_end)
		return "page tables inside the kernel image";
	if (pt_end > one_gib || pt_end > si->nr_pages)
		return "page tables beyond the first GiB or beyond memory";

	if (si->mfn_list >= __START_KERNEL_map) {
		unsigned long pfn = (si->mfn_list - __START_KERNEL_map) >> PAGE_SHIFT;

		if (offset_in_page(si->mfn_list) || pfn < image_end ||
		    pfn + list_pages > one_gib ||
		    (pfn < pt_end && pfn + list_pages > pt_pfn))
			return "p2m list in the kernel map overlaps something";
		return NULL;
	}

	slot = si->mfn_list >> PGDIR_SHIFT;
	if (!slot || slot >= PTRS_PER_PGD / 2 || slot == XEN_P2M_SLOT ||
	    offset_in_page(si->mfn_list) ||
	    (si->mfn_list + PFN_PHYS(list_pages) - 1) >> PGDIR_SHIFT != slot)
		return "p2m list is not in one user-half top-level slot";
	if (si->nr_p2m_frames < list_pages || si->first_p2m_pfn < pt_end ||
	    si->first_p2m_pfn + si->nr_p2m_frames > si->nr_pages ||
	    si->first_p2m_pfn + si->nr_p2m_frames < si->first_p2m_pfn)
		return "first_p2m_pfn/nr_p2m_frames";
	return NULL;
}

/* The page among Xen's boot tables that a table entry points to. */
static void * __init xen_boot_table_at(pteval_t entry, unsigned long pt_pfn,
				       unsigned long nr)
{
	unsigned long mfn = (entry & XEN_PTE_MFN_MASK) >> PAGE_SHIFT;
	unsigned long i;

	if (!(entry & _PAGE_PRESENT))
		return NULL;
	for (i = 0; i < nr; i++)
		if (pfn_to_mfn(pt_pfn + i) == mfn)
			return xen_ka(PFN_PHYS(pt_pfn + i));
	return NULL;
}

/* head_64.S filled its tables with pfns; Xen wants machine frames. */
static void __init xen_table_to_mfns(void *table)
{
	pteval_t *e = table;
	unsigned long mfn;
	unsigned int i;

	for (i = 0; i < PTRS_PER_PTE; i++) {
		if (!(e[i] & _PAGE_PRESENT))
			continue;
		mfn = pfn_to_mfn((e[i] & PTE_PFN_MASK) >> PAGE_SHIFT);
		if (mfn == INVALID_P2M_ENTRY)
			xen_boot_fail("no machine frame behind table entry %#lx",
				      (unsigned long)e[i]);
		e[i] = (e[i] & ~PTE_PFN_MASK) | PFN_PHYS(mfn);
	}
}

/* Remap one page of ours (kernel map or direct map) with @prot. */
static void __init xen_boot_set_prot(void *va, pgprot_t prot,
				     unsigned long flags)
{
	unsigned long mfn = pfn_to_mfn(PFN_DOWN(__pa(va)));
	int rc;

	rc = HYPERVISOR_update_va_mapping((unsigned long)va,
					  mfn_pte(mfn, prot), flags);
	if (rc)
		xen_boot_fail("Xen refused to remap %#lx (%d)",
			      (unsigned long)va, rc);
}

static void __init xen_boot_mmuext(unsigned int cmd, unsigned long pfn)
{
	struct mmuext_op op = { .cmd = cmd, .arg1.mfn = pfn_to_mfn(pfn) };
	int rc;

	rc = HYPERVISOR_mmuext_op(&op, 1, NULL, DOMID_SELF);
	if (rc)
		xen_boot_fail("Xen refused mmuext op %u on pfn %#lx (%d)",
			      cmd, pfn, rc);
}

/**
 * xen_setup_kernel_pagetable - leave Xen's boot page tables for the kernel's
 * @pgd: Xen's top-level table (start_info's pt_base)
 * @max_pfn: the number of pages Xen gave the domain (start_info has it too)
 *
 * Called once from xen_start_kernel() with interrupts off, after the p2m
 * list is readable and pv_ops.mmu holds the early operations.  On return
 * the CPU runs on init_top_pgt, xen_start_info points into the direct map
 * and the frames of Xen's tables still in use are reserved.
 */
void __init xen_setup_kernel_pagetable(pgd_t *pgd, unsigned long max_pfn)
{
	struct start_info *si = xen_start_info;
	unsigned long pt_pfn = PFN_DOWN(si->pt_base - __START_KERNEL_map);
	void *ours[] = { init_top_pgt, level3_ident_pgt, level3_kernel_pgt,
			 level2_ident_pgt, level2_kernel_pgt, level2_fixmap_pgt };
	void *xen_tables[3] = { pgd };
	pud_t *xen_l3;
	pmd_t *xen_l2;
	const char *bad;
	unsigned int i;
	pteval_t e;

	bad = xen_layout_problem(si, PFN_UP(__pa_symbol(_end)));
	if (!bad && (unsigned long)pgd != si->pt_base)
		bad = "pgd is not pt_base";
	if (bad)
		xen_boot_fail("bad boot layout: %s (pt %#lx, %lu frames; p2m %#lx; %lu pages)",
			      bad, si->pt_base, si->nr_pt_frames,
			      si->mfn_list, si->nr_pages);

	e = native_pgd_val(pgd[pgd_index(__START_KERNEL_map)]);
	xen_l3 = xen_boot_table_at(e, pt_pfn, si->nr_pt_frames);
	e = xen_l3 ? native_pud_val(xen_l3[pud_index(__START_KERNEL_map)]) : 0;
	xen_l2 = xen_boot_table_at(e, pt_pfn, si->nr_pt_frames);
	if (!xen_l2)
		xen_boot_fail("Xen's tables do not map the kernel as expected");

	/* The last pfn mapped that is plain RAM, as cleanup_highmap() wants. */
	if (si->mfn_list >= __START_KERNEL_map)
		max_pfn_mapped = PFN_DOWN(__pa(si->mfn_list));
	else
		max_pfn_mapped = si->first_p2m_pfn;

	init_top_pgt[0] = native_make_pgd(0);
	xen_table_to_mfns(init_top_pgt);
	xen_table_to_mfns(level3_ident_pgt);
	xen_table_to_mfns(level3_kernel_pgt);
	xen_table_to_mfns(level2_fixmap_pgt);

	copy_page(level2_kernel_pgt, xen_l2);
	copy_page(level2_ident_pgt, xen_l2);
	for (i = 0; i < PTRS_PER_PMD; i++) {
		e = native_pmd_val(level2_ident_pgt[i]);
		if (e)
			e |= __supported_pte_mask & _PAGE_NX;
		level2_ident_pgt[i] = native_make_pmd(e);
	}

	if (si->mfn_list < __START_KERNEL_map)
		init_top_pgt[pgd_index(si->mfn_list)] = pgd[pgd_index(si->mfn_list)];

	for (i = 0; i < ARRAY_SIZE(ours); i++)
		xen_boot_set_prot(ours[i], PAGE_KERNEL_RO, UVMF_NONE);
	for (i = 0; i < FIXMAP_PMD_NUM; i++)
		xen_boot_set_prot(level1_fixmap_pgt + i * PTRS_PER_PTE,
				  PAGE_KERNEL_RO, UVMF_NONE);
#ifdef CONFIG_X86_VSYSCALL_EMULATION
	xen_boot_set_prot(level3_user_vsyscall, PAGE_KERNEL_RO, UVMF_NONE);
	xen_boot_mmuext(MMUEXT_PIN_L3_TABLE,
			PFN_DOWN(__pa_symbol(level3_user_vsyscall)));
#endif

	xen_boot_mmuext(MMUEXT_PIN_L4_TABLE, PFN_DOWN(__pa_symbol(init_top_pgt)));
	xen_boot_mmuext(MMUEXT_UNPIN_TABLE, PFN_DOWN(__pa(pgd)));
	write_cr3(__pa_symbol(init_top_pgt));

	/* Xen's L4, L3 and L2 are unreferenced now: back to memblock. */
	xen_pt_base = PFN_PHYS(pt_pfn);
	xen_pt_size = PFN_PHYS(si->nr_pt_frames);
	memblock_reserve(xen_pt_base, xen_pt_size);
	xen_tables[1] = xen_l3;
	xen_tables[2] = xen_l2;
	for (i = 0; i < ARRAY_SIZE(xen_tables); i++) {
		xen_boot_set_prot(xen_tables[i], PAGE_KERNEL, UVMF_INVLPG);
		memblock_phys_free(__pa(xen_tables[i]), PAGE_SIZE);
	}

	xen_start_info = __va(__pa(si));
}

static void __init xen_reserve_frame(unsigned long mfn, const char *what)
{
	unsigned long pfn;

	if (!mfn)
		return;
	pfn = mfn_to_pfn(mfn);
	if (pfn >= xen_start_info->nr_pages) {
		xen_raw_printk("xen/mmu: %s frame %#lx is not in our memory, not reserved\n",
			       what, mfn);
		return;
	}
	memblock_reserve(PFN_PHYS(pfn), PAGE_SIZE);
}

/**
 * xen_reserve_special_pages - keep memblock off the pages Xen shares with us
 *
 * start_info, the xenstore ring and (in a domU) the console ring.
 */
void __init xen_reserve_special_pages(void)
{
	memblock_reserve(__pa(xen_start_info), PAGE_SIZE);
	xen_reserve_frame(xen_start_info->store_mfn, "xenstore");
	/* a domU's console ring: the first member of start_info's console */
	if (!xen_initial_domain())
		xen_reserve_frame(*(xen_pfn_t *)&xen_start_info->console, "console");
}

/**
 * xen_pt_check_e820 - stop if the host's E820 map claims Xen's table frames
 */
void __init xen_pt_check_e820(void)
{
	xen_chk_is_e820_usable(xen_pt_base, xen_pt_size, "page table");
}

/* How many entries of the M2P Xen describes we may read; 0 if impossible. */
static unsigned long __init xen_m2p_entries(const struct xen_machphys_mapping *m)
{
	unsigned long room;

	if (m->v_start < __HYPERVISOR_VIRT_START || m->v_end > __HYPERVISOR_VIRT_END ||
	    m->v_start >= m->v_end || m->v_start % sizeof(unsigned long))
		return 0;
	room = (m->v_end - m->v_start) / sizeof(unsigned long);
	return min(m->max_mfn, room - 1) + 1;
}

/**
 * xen_setup_machphys_mapping - find Xen's machine-to-phys table (the M2P)
 *
 * Asks XENMEM_machphys_mapping; a hypervisor that does not know the call
 * keeps the M2P at its fixed ABI address and size.
 */
void __init xen_setup_machphys_mapping(void)
{
	struct xen_machphys_mapping m;
	unsigned long nr;

	if (HYPERVISOR_memory_op(XENMEM_machphys_mapping, &m)) {
		xen_m2p_size = MACH2PHYS_NR_ENTRIES;
		return;
	}
	nr = xen_m2p_entries(&m);
	if (!nr)
		xen_boot_fail("Xen's M2P at %#lx-%#lx (max_mfn %#lx) is outside Xen's area",
			      (unsigned long)m.v_start, (unsigned long)m.v_end,
			      (unsigned long)m.max_mfn);
	xen_m2p = (unsigned long *)m.v_start;
	xen_m2p_size = nr;
}

/*
 * Frames needed to map @pages pages from a top-level slot: n[0] = @pages,
 * n[1] L1s, n[2] L2s, n[3] L3s.  Returns the total.
 */
static unsigned long __init xen_p2m_map_frames(unsigned long pages,
					       unsigned long n[4])
{
	unsigned int lvl;

	n[0] = pages;
	for (lvl = 1; lvl < 4; lvl++)
		n[lvl] = DIV_ROUND_UP(n[lvl - 1], PTRS_PER_PTE);
	return n[0] + n[1] + n[2] + n[3];
}

/*
 * Fill the @nr_tables table frames from pfn @table with entries for the
 * @nr children from pfn @child, in order, then make the tables read-only
 * where they are mapped, so that Xen accepts them.
 */
static void __init xen_fill_tables(unsigned long table, unsigned long nr_tables,
				   unsigned long child, unsigned long nr,
				   pteval_t flags)
{
	unsigned long t, i, c;
	pteval_t *e;

	for (t = 0; t < nr_tables; t++) {
		e = early_memremap(PFN_PHYS(table + t), PAGE_SIZE);
		if (!e)
			xen_boot_fail("no early mapping for the new p2m tables");
		for (i = 0; i < PTRS_PER_PTE; i++) {
			c = t * PTRS_PER_PTE + i;
			e[i] = c < nr ? PFN_PHYS(pfn_to_mfn(child + c)) | flags : 0;
		}
		early_memunmap(e, PAGE_SIZE);
		make_lowmem_page_readonly(__va(PFN_PHYS(table + t)));
	}
}

/* Make Xen's former table frames writable where mapped, then free them. */
static void __init xen_give_back(unsigned long pfn, unsigned long nr)
{
	struct multicall_space mc;
	unsigned int level;
	unsigned long i, va;
	pte_t *ptep;

	xen_mc_batch();
	for (i = 0; i < nr; i++) {
		va = (unsigned long)__va(PFN_PHYS(pfn + i));
		ptep = lookup_address(va, &level);
		if (!ptep || level != PG_LEVEL_4K || !pte_present(*ptep) ||
		    pte_write(*ptep))
			continue;
		mc = __xen_mc_entry(0);
		MULTI_update_va_mapping(mc.mc, va, pte_mkwrite_novma(*ptep),
					UVMF_INVLPG);
	}
	xen_mc_issue(0);
	memblock_phys_free(PFN_PHYS(pfn), PFN_PHYS(nr));
}

/* Unhook the p2m list's own top-level slot(s) and give all its frames back. */
static void __init xen_drop_p2m_slot(void)
{
	struct start_info *si = xen_start_info;
	unsigned long va, end = si->mfn_list + si->nr_pages * sizeof(unsigned long);

	for (va = si->mfn_list & PGDIR_MASK; va < end; va += PGDIR_SIZE)
		set_pgd(pgd_offset_k(va), native_make_pgd(0));
	xen_give_back(si->first_p2m_pfn, si->nr_p2m_frames);
}

/**
 * xen_relocate_p2m - move the p2m list out of frames the E820 map wants
 *
 * Called by the memory map code before any allocator exists.  The new
 * area holds the list and the tables mapping it at XEN_P2M_VADDR; the old
 * frames go back to memblock.  start_info is updated to describe the new
 * list, as if Xen had put it there.
 */
void __init xen_relocate_p2m(void)
{
	struct start_info *si = xen_start_info;
	unsigned long n[4], total, l3, l2, l1, list, i;
	unsigned long *moved = (unsigned long *)XEN_P2M_VADDR;
	phys_addr_t area;

	total = xen_p2m_map_frames(PFN_UP(si->nr_pages * sizeof(unsigned long)), n);
	area = xen_find_free_area(PFN_PHYS(total));
	if (!area)
		xen_boot_fail("no free RAM (%lu pages) to move the p2m list to",
			      total);

	l3 = PFN_DOWN(area);
	l2 = l3 + n[3];
	l1 = l2 + n[2];
	list = l1 + n[1];
	xen_fill_tables(l1, n[1], list, n[0],
			pgprot_val(PAGE_KERNEL) & __supported_pte_mask);
	xen_fill_tables(l2, n[2], l1, n[1], _KERNPG_TABLE);
	xen_fill_tables(l3, n[3], l2, n[2], _KERNPG_TABLE);
	for (i = 0; i < n[3]; i++)
		set_pgd(pgd_offset_k(XEN_P2M_VADDR + i * PGDIR_SIZE),
			__pgd(_KERNPG_TABLE | PFN_PHYS(l3 + i)));

	memcpy(moved, xen_p2m_array, PFN_PHYS(n[0]));
	xen_p2m_array = moved;

	if (si->mfn_list < __START_KERNEL_map)
		xen_drop_p2m_slot();
	else
		memblock_phys_free(__pa(si->mfn_list), PFN_PHYS(n[0]));

	si->mfn_list = (unsigned long)moved;
	si->first_p2m_pfn = l3;
	si->nr_p2m_frames = total;
}

/* Drop the image-map (__ka) mappings Xen made outside the kernel image. */
static void __init xen_unmap_boot_extras(void)
{
	unsigned long text = (unsigned long)_text;
	unsigned long end = roundup((unsigned long)_brk_end, PMD_SIZE);
	unsigned long va;
	unsigned int i;

	arch_enter_lazy_mmu_mode();
	for (i = 0; i < PTRS_PER_PMD; i++) {
		va = __START_KERNEL_map + i * PMD_SIZE;
		if (pmd_none(level2_kernel_pgt[i]) ||
		    (va + PMD_SIZE > text && va < end))
			continue;
		set_pmd(&level2_kernel_pgt[i], native_make_pmd(0));
	}
	arch_leave_lazy_mmu_mode();
}

/**
 * xen_pagetable_init - x86_init.paging.pagetable_init for a PV guest
 *
 * paging_init() with the right operations on either side of it, then the
 * p2m list moves to its final home and what Xen lent us for booting goes
 * back: the boot copy of the list with its tables, and the image-map
 * aliases of Xen's boot region.
 */
void __init xen_pagetable_init(void)
{
	struct start_info *si = xen_start_info;

	xen_mmu_ops_pre_paging();
	paging_init();
	xen_mmu_ops_post_allocator();

	xen_vmalloc_p2m_tree();
	if (xen_p2m_array != (unsigned long *)si->mfn_list) {
		if (si->mfn_list >= __START_KERNEL_map)
			memblock_phys_free(__pa(si->mfn_list),
					   PFN_ALIGN(si->nr_pages * sizeof(unsigned long)));
		else
			xen_drop_p2m_slot();
		si->mfn_list = (unsigned long)xen_p2m_array;
	}
	xen_unmap_boot_extras();
	si->pt_base = (unsigned long)__va(__pa(si->pt_base));

	xen_build_mfn_list_list();
	xen_remap_memory();
	xen_setup_mfn_list_list();
}

#if IS_REACHABLE(CONFIG_KUNIT)
#include <kunit/test.h>

/* A layout as the toolstack builds it: 8 MiB image, p2m in slot 1, 1 GiB. */
static void __init xen_test_layout_base(struct start_info *si)
{
	memset(si, 0, sizeof(*si));
	si->nr_pages = 0x40000;
	si->pt_base = __START_KERNEL_map + PFN_PHYS(0x3000);
	si->nr_pt_frames = 8;
	si->mfn_list = PGDIR_SIZE;
	si->first_p2m_pfn = 0x3400;
	si->nr_p2m_frames = 0x200 + 3;
}

/* start_info is too big for a test's stack */
static struct start_info * __init xen_test_si(struct kunit *test)
{
	struct start_info *si = kunit_kzalloc(test, sizeof(*si), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, si);
	xen_test_layout_base(si);
	return si;
}

static void __init xen_test_layout(struct kunit *test)
{
	struct start_info *si = xen_test_si(test);

	KUNIT_EXPECT_NULL(test, xen_layout_problem(si, 0x2000));
	/* p2m in the kernel map, between the image and the tables */
	si->mfn_list = __START_KERNEL_map + PFN_PHYS(0x2800);
	KUNIT_EXPECT_NULL(test, xen_layout_problem(si, 0x2000));
	si->mfn_list = __START_KERNEL_map + PFN_PHYS(0x2f00);	/* runs into pts */
	KUNIT_EXPECT_NOT_NULL(test, xen_layout_problem(si, 0x2000));
	si->mfn_list = __START_KERNEL_map + PFN_PHYS(0x1f00);	/* in the image */
	KUNIT_EXPECT_NOT_NULL(test, xen_layout_problem(si, 0x2000));
}

static void __init xen_test_layout_bad(struct kunit *test)
{
	struct start_info *si = xen_test_si(test);

	KUNIT_EXPECT_NOT_NULL(test, xen_layout_problem(si, 0x3001));
	si->pt_base += 8;
	KUNIT_EXPECT_NOT_NULL(test, xen_layout_problem(si, 0x2000));
	xen_test_layout_base(si);
	si->nr_pt_frames = 3;
	KUNIT_EXPECT_NOT_NULL(test, xen_layout_problem(si, 0x2000));
	xen_test_layout_base(si);
	si->pt_base = __START_KERNEL_map + PUD_SIZE - PAGE_SIZE;
	KUNIT_EXPECT_NOT_NULL(test, xen_layout_problem(si, 0x2000));
	xen_test_layout_base(si);
	si->nr_pages = 0;
	KUNIT_EXPECT_NOT_NULL(test, xen_layout_problem(si, 0x2000));
	xen_test_layout_base(si);
	si->nr_pages = ~0UL / 4;
	KUNIT_EXPECT_NOT_NULL(test, xen_layout_problem(si, 0x2000));

	/* the p2m slot: not 0, not the relocation slot, not kernel half */
	xen_test_layout_base(si);
	si->mfn_list = PUD_SIZE;
	KUNIT_EXPECT_NOT_NULL(test, xen_layout_problem(si, 0x2000));
	si->mfn_list = XEN_P2M_VADDR;
	KUNIT_EXPECT_NOT_NULL(test, xen_layout_problem(si, 0x2000));
	si->mfn_list = PTRS_PER_PGD / 2 * PGDIR_SIZE;
	KUNIT_EXPECT_NOT_NULL(test, xen_layout_problem(si, 0x2000));
	si->mfn_list = 2 * PGDIR_SIZE - PAGE_SIZE;	/* crosses into slot 2 */
	KUNIT_EXPECT_NOT_NULL(test, xen_layout_problem(si, 0x2000));

	xen_test_layout_base(si);
	si->nr_p2m_frames = 0x1ff;			/* smaller than the list */
	KUNIT_EXPECT_NOT_NULL(test, xen_layout_problem(si, 0x2000));
	xen_test_layout_base(si);
	si->first_p2m_pfn = 0x3004;			/* over the tables */
	KUNIT_EXPECT_NOT_NULL(test, xen_layout_problem(si, 0x2000));
	xen_test_layout_base(si);
	si->first_p2m_pfn = si->nr_pages - 0x100;		/* past the end */
	KUNIT_EXPECT_NOT_NULL(test, xen_layout_problem(si, 0x2000));
}

static void __init xen_test_m2p(struct kunit *test)
{
	struct xen_machphys_mapping m = {
		.v_start = __MACH2PHYS_VIRT_START,
		.v_end = __MACH2PHYS_VIRT_END,
		.max_mfn = MACH2PHYS_NR_ENTRIES - 1,
	};

	KUNIT_EXPECT_EQ(test, xen_m2p_entries(&m), MACH2PHYS_NR_ENTRIES);
	m.max_mfn = 0xfffff;
	KUNIT_EXPECT_EQ(test, xen_m2p_entries(&m), 0x100000UL);
	m.max_mfn = ~0UL;				/* clamped to the area */
	KUNIT_EXPECT_EQ(test, xen_m2p_entries(&m), MACH2PHYS_NR_ENTRIES);
	m.v_start = __HYPERVISOR_VIRT_START - PAGE_SIZE;	/* not Xen's */
	KUNIT_EXPECT_EQ(test, xen_m2p_entries(&m), 0UL);
	m.v_start = __MACH2PHYS_VIRT_END;		/* empty */
	KUNIT_EXPECT_EQ(test, xen_m2p_entries(&m), 0UL);
	m.v_start = __MACH2PHYS_VIRT_START;
	m.v_end = __HYPERVISOR_VIRT_END + PAGE_SIZE;
	KUNIT_EXPECT_EQ(test, xen_m2p_entries(&m), 0UL);
}

static void __init xen_test_p2m_frames(struct kunit *test)
{
	unsigned long n[4];

	KUNIT_EXPECT_EQ(test, xen_p2m_map_frames(1, n), 4UL);
	KUNIT_EXPECT_EQ(test, xen_p2m_map_frames(512, n), 515UL);
	KUNIT_EXPECT_EQ(test, n[1], 1UL);
	KUNIT_EXPECT_EQ(test, xen_p2m_map_frames(513, n), 517UL);
	KUNIT_EXPECT_EQ(test, n[1], 2UL);
	/* 64 GiB of guest: a 128 MiB list, 64 L1s, one L2, one L3 */
	KUNIT_EXPECT_EQ(test, xen_p2m_map_frames(0x8000, n), 0x8000UL + 64 + 2);
	KUNIT_EXPECT_EQ(test, xen_p2m_map_frames(512 * 512 + 1, n),
			512UL * 512 + 1 + 513 + 2 + 1);
	KUNIT_EXPECT_EQ(test, n[3], 1UL);
}

static struct kunit_case __refdata xen_mmu_boot_test_cases[] = {
	KUNIT_CASE(xen_test_layout),
	KUNIT_CASE(xen_test_layout_bad),
	KUNIT_CASE(xen_test_m2p),
	KUNIT_CASE(xen_test_p2m_frames),
	{}
};

static struct kunit_suite xen_mmu_boot_test_suite = {
	.name = "xen-mmu-boot",
	.test_cases = xen_mmu_boot_test_cases,
};

kunit_test_init_section_suites(&xen_mmu_boot_test_suite);
#endif /* CONFIG_KUNIT */
