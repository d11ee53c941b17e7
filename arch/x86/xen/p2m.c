// SPDX-License-Identifier: GPL-2.0
/*
 * The p2m: which machine frame backs each pseudo-physical frame of a PV guest.
 *
 * A PV guest runs on real machine frames, but the kernel wants RAM to start
 * at 0 and be contiguous.  Xen hands us, in start_info->mfn_list, a flat
 * array saying which mfn backs each of our pfns; the guest owns that table
 * from then on.  Every page-table write translates through it (pfn_to_mfn()
 * in asm/xen/page.h), and the way back, mfn_to_pfn(), reads Xen's M2P and
 * checks the answer against it.
 *
 * Shape.  Once the kernel can allocate (xen_vmalloc_p2m_tree(), called by
 * the MMU setup) the table moves to a linear virtual array, xen_p2m_array,
 * large enough for every pfn the guest may ever have (xen_p2m_identity_pfn).  A
 * lookup stays a single load, but the array's pages form a tree: its page
 * tables are the inner nodes and each 4 KiB page of entries (a "leaf",
 * P2M_LEAF_ENTRIES pfns) is one of
 *   - the shared missing leaf: every entry INVALID_P2M_ENTRY;
 *   - the shared identity leaf: also all INVALID_P2M_ENTRY (the only
 *     non-frame value the toolstack understands), but a lookup that finds
 *     a pfn there answers P2M_IDENTITY(pfn): non-RAM holes map 1:1;
 *   - a private leaf of real entries.
 * The shared leaves are mapped read-only, many times over, so the memory
 * cost follows the RAM, not the address space.  Writing an entry is a
 * store that faults on a shared leaf; then set_phys_to_machine() gives
 * that stretch a private leaf (seeded with what the shared one meant) and
 * stores again.  Leaves are only ever added, never taken away, so a
 * reader never sees one vanish.
 *
 * The tree logic is written against struct p2m_tree, whose ops find and
 * replace a leaf: the live instance does it through the array's page
 * tables, the KUnit cases at the end on a private array of pointers.
 *
 * What the toolstack reads.  To save, restore or migrate us, the tools walk
 * a three-level list of machine frames: shared_info's
 * arch.pfn_to_mfn_frame_list_list names a "top" frame of mid-frame mfns,
 * each mid frame holds the mfns of P2M_LEAF_ENTRIES leaves, and
 * arch.max_pfn says how many entries count.  Mfns change across a restore
 * or a migration, so xen_build_mfn_list_list() refills the list from the
 * array's page tables and xen_setup_mfn_list_list() publishes it again.
 * Installing a leaf bumps arch.p2m_generation around the change (odd while
 * in flight) and records the leaf's mfn in its mid frame, so a live
 * migration sees a consistent list.  A guest started with
 * SIF_VIRT_P2M_4TOOLS is read through the linear array (p2m_vaddr and
 * p2m_cr3) and gets no list.
 *
 * Boot order: xen_build_dynamic_phys_to_machine() adopts Xen's flat list
 * first thing; the memory setup then marks holes identity and notes
 * non-RAM it must move (xen_add_remap_nonram()); xen_vmalloc_p2m_tree()
 * builds the tree, xen_build_mfn_list_list() the frame lists, the memory
 * setup remaps (xen_do_remap_nonram() among it), and
 * xen_setup_mfn_list_list() publishes.  After every resume the last two
 * run again.
 */

#define pr_fmt(fmt) "xen:p2m: " fmt

#include <linux/acpi.h>
#include <linux/export.h>
#include <linux/init.h>
#include <linux/memblock.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/vmalloc.h>

#include <asm/pgalloc.h>
#include <asm/xen/hypercall.h>
#include <asm/xen/hypervisor.h>
#include <asm/xen/page.h>

#include <xen/grant_table.h>
#include <xen/hvc-console.h>
#include <xen/page.h>
#include <xen/xen.h>

#include "xen-ops.h"

/* pfns one mid frame covers, and what the whole frame list can reach */
#define P2M_MID_PFNS	(P2M_LEAF_ENTRIES * P2M_LEAF_ENTRIES)
#define P2M_LIST_PFNS	(P2M_MID_PFNS * P2M_LEAF_ENTRIES)

#ifdef CONFIG_XEN_MEMORY_HOTPLUG_LIMIT
#define P2M_HOTPLUG_PFNS ((unsigned long)CONFIG_XEN_MEMORY_HOTPLUG_LIMIT << (30 - PAGE_SHIFT))
#else
#define P2M_HOTPLUG_PFNS 0UL
#endif

/* What the inline lookups in asm/xen/page.h read: the array, */
unsigned long *xen_p2m_array __read_mostly;
EXPORT_SYMBOL_GPL(xen_p2m_array);

/* how many entries it has, */
unsigned long xen_p2m_entries __read_mostly;
EXPORT_SYMBOL_GPL(xen_p2m_entries);

/* and the first pfn that is identity whatever happens. */
unsigned long xen_p2m_identity_pfn __read_mostly;
EXPORT_SYMBOL_GPL(xen_p2m_identity_pfn);

struct p2m_tree;

/**
 * struct p2m_ops - how one p2m instance stores its leaves
 * @leaf: the leaf page holding @pfn's entry now
 * @map: give the stretch of @pfn its first leaf (building, no concurrency)
 * @replace: swap @old for @leaf if @old is still there: 0, or -EAGAIN
 */
struct p2m_ops {
	unsigned long *(*leaf)(struct p2m_tree *t, unsigned long pfn);
	void (*map)(struct p2m_tree *t, unsigned long pfn, unsigned long *leaf);
	int (*replace)(struct p2m_tree *t, unsigned long pfn, unsigned long *old,
		       unsigned long *leaf);
};

/**
 * struct p2m_tree - a p2m: @nr pfns in leaves, some of them shared
 * @ops: leaf storage
 * @nr: pfns covered; every pfn above is identity
 * @missing: the shared leaf of pfns with no frame
 * @identity: the shared leaf of pfns mapped 1:1
 */
struct p2m_tree {
	const struct p2m_ops *ops;
	unsigned long nr;
	unsigned long *missing;
	unsigned long *identity;
};

static void * __ref p2m_alloc_page(void)
{
	void *page;

	if (slab_is_available())
		return (void *)__get_free_page(GFP_KERNEL);
	page = memblock_alloc(PAGE_SIZE, PAGE_SIZE);
	if (!page)
		panic("xen: no memory for a p2m page\n");
	return page;
}

static void __ref p2m_free_page(void *page)
{
	if (slab_is_available())
		free_page((unsigned long)page);
	else
		memblock_free(page, PAGE_SIZE);
}

static bool p2m_is_shared(const struct p2m_tree *t, const unsigned long *leaf)
{
	return leaf == t->missing || leaf == t->identity;
}

/* The entry of @pfn, identity leaves and the space above resolved. */
static unsigned long p2m_read(struct p2m_tree *t, unsigned long pfn)
{
	unsigned long *leaf;

	if (pfn >= t->nr)
		return P2M_IDENTITY(pfn);
	leaf = t->ops->leaf(t, pfn);
	if (leaf == t->identity)
		return P2M_IDENTITY(pfn);
	return READ_ONCE(leaf[pfn % P2M_LEAF_ENTRIES]);
}

/*
 * Store @mfn for @pfn without allocating.  A shared leaf already "holds"
 * the one value it stands for; anything else needs a private leaf first.
 */
static bool p2m_write(struct p2m_tree *t, unsigned long pfn, unsigned long mfn)
{
	unsigned long *leaf;

	if (pfn >= t->nr)
		return mfn == INVALID_P2M_ENTRY;
	leaf = t->ops->leaf(t, pfn);
	if (leaf == t->missing)
		return mfn == INVALID_P2M_ENTRY;
	if (leaf == t->identity)
		return mfn == P2M_IDENTITY(pfn);
	WRITE_ONCE(leaf[pfn % P2M_LEAF_ENTRIES], mfn);
	return true;
}

/* Make sure @pfn's stretch has a private leaf; it keeps its meaning. */
static int p2m_grow(struct p2m_tree *t, unsigned long pfn)
{
	unsigned long first = round_down(pfn, P2M_LEAF_ENTRIES);
	unsigned long *old, *leaf;
	unsigned int i;

	if (pfn >= t->nr)
		return -EINVAL;
	old = t->ops->leaf(t, pfn);
	if (!p2m_is_shared(t, old))
		return 0;
	leaf = p2m_alloc_page();
	if (!leaf)
		return -ENOMEM;
	for (i = 0; i < P2M_LEAF_ENTRIES; i++)
		leaf[i] = old == t->identity ? P2M_IDENTITY(first + i) :
					       INVALID_P2M_ENTRY;
	/* Losing the race is fine: someone else's leaf means the same. */
	if (t->ops->replace(t, pfn, old, leaf))
		p2m_free_page(leaf);
	return 0;
}

/* An entry of a flat p2m list of @nr entries; the space above is identity. */
static unsigned long p2m_flat(const unsigned long *flat, unsigned long nr,
			      unsigned long pfn)
{
	return pfn < nr ? flat[pfn] : P2M_IDENTITY(pfn);
}

/* The shared leaf that can stand for @first's stretch of @flat, or NULL. */
static unsigned long *p2m_shared_for(struct p2m_tree *t, const unsigned long *flat,
				     unsigned long nr, unsigned long first)
{
	unsigned long e = p2m_flat(flat, nr, first);
	bool missing = e == INVALID_P2M_ENTRY;
	unsigned int i;

	if (!missing && e != P2M_IDENTITY(first))
		return NULL;
	for (i = 1; i < P2M_LEAF_ENTRIES; i++) {
		e = p2m_flat(flat, nr, first + i);
		if (e != (missing ? INVALID_P2M_ENTRY : P2M_IDENTITY(first + i)))
			return NULL;
	}
	return missing ? t->missing : t->identity;
}

/* Build @t (its shared leaves set up) from a flat list of @nr entries. */
static int p2m_fill(struct p2m_tree *t, const unsigned long *flat, unsigned long nr)
{
	unsigned long first, *leaf;
	unsigned int i;

	for (first = 0; first < t->nr; first += P2M_LEAF_ENTRIES) {
		leaf = p2m_shared_for(t, flat, nr, first);
		if (!leaf) {
			leaf = p2m_alloc_page();
			if (!leaf)
				return -ENOMEM;
			for (i = 0; i < P2M_LEAF_ENTRIES; i++)
				leaf[i] = p2m_flat(flat, nr, first + i);
		}
		t->ops->map(t, first, leaf);
	}
	return 0;
}

static unsigned long *p2m_new_shared_leaf(void)
{
	unsigned long *leaf = p2m_alloc_page();

	if (leaf)
		memset(leaf, 0xff, PAGE_SIZE);	/* INVALID_P2M_ENTRY each */
	return leaf;
}

/* ---- The live p2m: the tree is the linear array's page tables ---- */

static DEFINE_SPINLOCK(p2m_lock);	/* serialises leaf installs */
static unsigned long *p2m_area;		/* the array, also before it is live */
static bool p2m_tree_live __read_mostly;

/* The frame list the toolstack reads; see the top of the file. */
static unsigned long *p2m_fll;		/* mfns of the mid frames */
static unsigned long **p2m_mids;	/* the mid frames themselves */
static unsigned long *p2m_mid_missing;	/* mid frame beyond xen_p2m_identity_pfn */

/*
 * The highest populated pfn (rounded up to a leaf), published as
 * arch.max_pfn so the tools need not scan the whole array.
 */
static unsigned long xen_p2m_last_pfn;

/* The pte mapping @pfn's leaf; the array is mapped 4 KiB at a time. */
static pte_t *p2m_live_pte(unsigned long pfn)
{
	unsigned int level;
	pte_t *ptep = lookup_address((unsigned long)(p2m_area + pfn), &level);

	return ptep && level == PG_LEVEL_4K ? ptep : NULL;
}

static unsigned long *p2m_live_leaf(struct p2m_tree *t, unsigned long pfn)
{
	pte_t *ptep = p2m_live_pte(pfn);

	/* never: every page of the array is mapped from the start */
	if (WARN_ON_ONCE(!ptep))
		return t->missing;
	return __va(PFN_PHYS(pte_pfn(READ_ONCE(*ptep))));
}

/* __ref: maps only while building, at boot */
static void __ref p2m_live_map(struct p2m_tree *t, unsigned long pfn,
			       unsigned long *leaf)
{
	pgprot_t prot = p2m_is_shared(t, leaf) ? PAGE_KERNEL_RO : PAGE_KERNEL;

	set_pte(populate_extra_pte((unsigned long)(p2m_area + pfn)),
		pfn_pte(PFN_DOWN(__pa(leaf)), prot));
}

static int p2m_live_replace(struct p2m_tree *t, unsigned long pfn,
			    unsigned long *old, unsigned long *leaf)
{
	struct arch_shared_info *arch = &HYPERVISOR_shared_info->arch;
	pte_t *ptep = p2m_live_pte(pfn);
	unsigned long flags;
	int err = -EAGAIN;

	spin_lock_irqsave(&p2m_lock, flags);
	if (ptep && p2m_live_leaf(t, pfn) == old) {
		arch->p2m_generation++;
		wmb();	/* the tools see "in flight" before the change */
		set_pte(ptep, pfn_pte(PFN_DOWN(__pa(leaf)), PAGE_KERNEL));
		wmb();	/* and the change before "done" */
		arch->p2m_generation++;
		if (p2m_fll && pfn < P2M_LIST_PFNS)
			p2m_mids[pfn / P2M_MID_PFNS][pfn / P2M_LEAF_ENTRIES % P2M_LEAF_ENTRIES] =
				virt_to_mfn(leaf);
		err = 0;
	}
	spin_unlock_irqrestore(&p2m_lock, flags);
	return err;
}

static const struct p2m_ops p2m_live_ops = {
	.leaf = p2m_live_leaf,
	.map = p2m_live_map,
	.replace = p2m_live_replace,
};

static struct p2m_tree p2m_live = { .ops = &p2m_live_ops };

/**
 * xen_build_dynamic_phys_to_machine - adopt the p2m list Xen built for us
 *
 * Called first thing at boot; the list covers start_info->nr_pages, and
 * is padded with invalid entries to a whole leaf.
 */
void __init xen_build_dynamic_phys_to_machine(void)
{
	unsigned long nr = xen_start_info->nr_pages, pfn;

	xen_p2m_array = (unsigned long *)xen_start_info->mfn_list;
	xen_p2m_entries = ALIGN(nr, P2M_LEAF_ENTRIES);
	for (pfn = nr; pfn < xen_p2m_entries; pfn++)
		xen_p2m_array[pfn] = INVALID_P2M_ENTRY;
	xen_p2m_identity_pfn = xen_p2m_entries;
}

/**
 * xen_vmalloc_p2m_tree - move the p2m into its own linear virtual array
 *
 * Sizes the array for xen_p2m_identity_pfn (and any memory hotplug allowance),
 * shares leaves where a stretch is all missing or all identity, and makes
 * the result the live p2m.  Extra memory the setup code set aside is then
 * marked missing.
 */
void __init xen_vmalloc_p2m_tree(void)
{
	static struct vm_struct vm;

	xen_p2m_last_pfn = xen_p2m_identity_pfn;
	vm.flags = VM_ALLOC;
	vm.size = ALIGN(max(xen_p2m_identity_pfn, P2M_HOTPLUG_PFNS) * sizeof(unsigned long),
			PMD_SIZE);
	vm_area_register_early(&vm, PMD_SIZE);
	p2m_area = vm.addr;
	pr_notice("p2m array at %p, %lu KiB\n", vm.addr, vm.size >> 10);

	p2m_live.nr = vm.size / sizeof(unsigned long);
	p2m_live.missing = p2m_new_shared_leaf();
	p2m_live.identity = p2m_new_shared_leaf();
	if (p2m_fill(&p2m_live, xen_p2m_array, xen_p2m_entries))
		panic("xen: cannot build the p2m\n");

	xen_p2m_array = p2m_area;
	xen_p2m_identity_pfn = p2m_live.nr;
	xen_p2m_entries = p2m_live.nr;
	p2m_tree_live = true;

	xen_inv_extra_mem();
}

/**
 * get_phys_to_machine - the p2m entry of @pfn, the slow way
 * @pfn: pseudo-physical frame
 *
 * What __pfn_to_mfn() falls back to for entries that read invalid and
 * pfns outside the array.  Returns the entry with its tag bits:
 * P2M_IDENTITY(@pfn) for an identity pfn, INVALID_P2M_ENTRY for none.
 */
unsigned long get_phys_to_machine(unsigned long pfn)
{
	if (unlikely(pfn >= xen_p2m_entries))
		return pfn < xen_p2m_identity_pfn ?
		       xen_chk_extra_mem(pfn) : P2M_IDENTITY(pfn);
	if (!p2m_tree_live)
		return xen_p2m_array[pfn];
	return p2m_read(&p2m_live, pfn);
}
EXPORT_SYMBOL_GPL(get_phys_to_machine);

/**
 * xen_alloc_p2m_entry - give @pfn a private p2m leaf
 * @pfn: pseudo-physical frame
 *
 * Afterwards any mfn can be stored for @pfn.  The entries of the new leaf
 * mean what the shared one meant.  Returns 0, -ENOMEM, or -EINVAL for a
 * pfn beyond the array (or before the array exists).
 */
int xen_alloc_p2m_entry(unsigned long pfn)
{
	int err;

	if (!p2m_tree_live)
		return -EINVAL;
	err = p2m_grow(&p2m_live, pfn);
	if (err)
		return err;
	if (pfn >= xen_p2m_last_pfn) {
		xen_p2m_last_pfn = ALIGN(pfn + 1, P2M_LEAF_ENTRIES);
		HYPERVISOR_shared_info->arch.max_pfn = xen_p2m_last_pfn;
	}
	return 0;
}
EXPORT_SYMBOL(xen_alloc_p2m_entry);

/**
 * __set_phys_to_machine - store a p2m entry without allocating
 * @pfn: pseudo-physical frame
 * @mfn: the entry (an mfn, possibly tagged, or INVALID_P2M_ENTRY)
 *
 * The store is one atomic write.  Returns false if @pfn's stretch has no
 * private leaf and @mfn is not what its shared leaf already says.
 */
bool __set_phys_to_machine(unsigned long pfn, unsigned long mfn)
{
	if (unlikely(pfn >= xen_p2m_entries))
		return mfn == INVALID_P2M_ENTRY;
	/* A private leaf (or Xen's list) takes it; a shared leaf faults. */
	if (likely(!xen_safe_write_ulong(xen_p2m_array + pfn, mfn)))
		return true;
	return p2m_write(&p2m_live, pfn, mfn);
}

/**
 * set_phys_to_machine - store a p2m entry, allocating a leaf if needed
 * @pfn: pseudo-physical frame
 * @mfn: the entry
 *
 * Returns false only if no leaf could be allocated.
 */
bool set_phys_to_machine(unsigned long pfn, unsigned long mfn)
{
	if (likely(__set_phys_to_machine(pfn, mfn)))
		return true;
	return !xen_alloc_p2m_entry(pfn) && __set_phys_to_machine(pfn, mfn);
}

/**
 * set_phys_range_identity - map pfns [@pfn_s, @pfn_e) 1:1
 * @pfn_s: first pfn
 * @pfn_e: end, clipped to the p2m
 *
 * For the holes of the memory map at boot.  Returns how many were set.
 */
unsigned long __init set_phys_range_identity(unsigned long pfn_s,
					     unsigned long pfn_e)
{
	unsigned long pfn, done = 0;

	pfn_e = min(pfn_e, xen_p2m_entries);
	for (pfn = pfn_s; pfn < pfn_e; pfn++)
		done += set_phys_to_machine(pfn, P2M_IDENTITY(pfn));
	return done;
}

/* The mfn of the leaf page holding @pfn's entry, read from its pte. */
static unsigned long p2m_leaf_mfn(unsigned long pfn)
{
	pte_t *ptep = pfn < xen_p2m_entries ? p2m_live_pte(pfn) : NULL;

	return ptep ? pte_mfn(*ptep) : virt_to_mfn(p2m_live.missing);
}

/**
 * xen_build_mfn_list_list - (re)build the frame list the toolstack reads
 *
 * Allocates it on first use (at boot); afterwards, also from the resume
 * path inside stop_machine, only refills it, since every mfn may have
 * changed.
 */
void __ref xen_build_mfn_list_list(void)
{
	unsigned long nr = min(xen_p2m_identity_pfn, P2M_LIST_PFNS), first;
	unsigned int m, i;

	if (xen_start_info->flags & SIF_VIRT_P2M_4TOOLS)
		return;
	if (WARN_ON_ONCE(!p2m_tree_live))
		return;

	if (!p2m_fll) {	/* at boot: every mid frame below nr for good */
		p2m_mid_missing = p2m_alloc_page();
		p2m_mids = p2m_alloc_page();
		for (m = 0; m < P2M_LEAF_ENTRIES; m++)
			p2m_mids[m] = (unsigned long)m * P2M_MID_PFNS < nr ?
				      p2m_alloc_page() : p2m_mid_missing;
		p2m_fll = p2m_alloc_page();
	}

	for (i = 0; i < P2M_LEAF_ENTRIES; i++)
		p2m_mid_missing[i] = virt_to_mfn(p2m_live.missing);
	for (m = 0; m < P2M_LEAF_ENTRIES; m++) {
		first = (unsigned long)m * P2M_MID_PFNS;
		for (i = 0; p2m_mids[m] != p2m_mid_missing && i < P2M_LEAF_ENTRIES; i++)
			p2m_mids[m][i] = p2m_leaf_mfn(first + i * P2M_LEAF_ENTRIES);
		p2m_fll[m] = virt_to_mfn(p2m_mids[m]);
	}
}

/**
 * xen_setup_mfn_list_list - publish the p2m in shared_info
 *
 * At boot and after each resume, once shared_info is mapped.
 */
void xen_setup_mfn_list_list(void)
{
	struct arch_shared_info *arch = &HYPERVISOR_shared_info->arch;

	if (WARN_ON(HYPERVISOR_shared_info == &xen_dummy_shared_info))
		return;
	arch->pfn_to_mfn_frame_list_list =
		xen_start_info->flags & SIF_VIRT_P2M_4TOOLS ? ~0UL : virt_to_mfn(p2m_fll);
	arch->max_pfn = xen_p2m_last_pfn;
	arch->p2m_generation = 0;
	arch->p2m_vaddr = (unsigned long)xen_p2m_array;
	arch->p2m_cr3 = xen_pfn_to_cr3(virt_to_mfn(swapper_pg_dir));
}

/* ---- Grant mappings of other domains' frames ---- */

/* The frame a successful map operation mapped. */
static unsigned long p2m_granted_mfn(const struct gnttab_map_grant_ref *op)
{
	const pte_t *pte;

	if (!(op->flags & GNTMAP_contains_pte))
		return PFN_DOWN(op->dev_bus_addr);
	/* host_addr is the machine address of the pte Xen wrote */
	pte = (pte_t *)((unsigned long)mfn_to_virt(PFN_DOWN(op->host_addr)) +
			offset_in_page(op->host_addr));
	return pte_mfn(*pte);
}

/* Take back a mapping we could not enter in the p2m. */
static void p2m_unmap_failed(struct gnttab_map_grant_ref *op,
			     struct gnttab_map_grant_ref *kop)
{
	struct gnttab_map_grant_ref *ops[2] = { op, kop };
	struct gnttab_unmap_grant_ref unmap[2] = {};
	unsigned int n = kop ? 2 : 1, i;
	int rc;

	for (i = 0; i < n; i++) {
		unmap[i].host_addr = ops[i]->host_addr;
		unmap[i].handle = ops[i]->handle;
		if (ops[i]->flags & GNTMAP_device_map)
			unmap[i].dev_bus_addr = ops[i]->dev_bus_addr;
		unmap[i].status = 1;	/* shows if Xen never got to it */
		ops[i]->status = GNTST_general_error;
		ops[i]->handle = INVALID_GRANT_HANDLE;
	}
	rc = HYPERVISOR_grant_table_op(GNTTABOP_unmap_grant_ref, unmap, n);
	if (rc || unmap[0].status != GNTST_okay ||
	    (kop && unmap[1].status != GNTST_okay))
		pr_err_once("cannot undo a grant map: rc=%d status %d %d\n",
			    rc, unmap[0].status, unmap[1].status);
}

/**
 * set_foreign_p2m_mapping - enter granted frames in the p2m
 * @map_ops: the map operations done (user or device mappings)
 * @kmap_ops: kernel mappings to make first, or NULL
 * @pages: our ballooned pages the frames stand in for
 * @count: number of each
 *
 * Each mapped frame is entered as P2M_FOREIGN() at its page's pfn.  A
 * slot whose entry cannot be made is unmapped and its status set to
 * GNTST_general_error.  Returns the kernel map hypercall's error, or 0.
 */
int set_foreign_p2m_mapping(struct gnttab_map_grant_ref *map_ops,
			    struct gnttab_map_grant_ref *kmap_ops,
			    struct page **pages, unsigned int count)
{
	unsigned int i;
	int rc;

	if (xen_feature(XENFEAT_auto_translated_physmap))
		return 0;
	if (kmap_ops) {
		rc = HYPERVISOR_grant_table_op(GNTTABOP_map_grant_ref, kmap_ops, count);
		if (rc)
			return rc;
	}
	for (i = 0; i < count; i++) {
		struct gnttab_map_grant_ref *kop = kmap_ops ? &kmap_ops[i] : NULL;
		unsigned long pfn = page_to_pfn(pages[i]);

		if (map_ops[i].status != GNTST_okay ||
		    (kop && kop->status != GNTST_okay))
			continue;
		WARN(pfn_to_mfn(pfn) != INVALID_P2M_ENTRY,
		     "pfn %lx of a grant map is not ballooned out\n", pfn);
		if (!set_phys_to_machine(pfn, P2M_FOREIGN(p2m_granted_mfn(&map_ops[i]))))
			p2m_unmap_failed(&map_ops[i], kop);
	}
	return 0;
}

/**
 * clear_foreign_p2m_mapping - remove granted frames from the p2m
 * @unmap_ops: the unmap operations (done by the caller)
 * @kunmap_ops: kernel mappings to unmap here, or NULL
 * @pages: the pages the frames stood in for
 * @count: number of each
 *
 * Returns -EINVAL if a page held no foreign frame, else the kernel unmap
 * hypercall's error, or 0.
 */
int clear_foreign_p2m_mapping(struct gnttab_unmap_grant_ref *unmap_ops,
			      struct gnttab_unmap_grant_ref *kunmap_ops,
			      struct page **pages, unsigned int count)
{
	unsigned int i, not_foreign = 0;
	int rc = 0;

	if (xen_feature(XENFEAT_auto_translated_physmap))
		return 0;
	/* the kernel's own mappings of the frames go first */
	if (kunmap_ops)
		rc = HYPERVISOR_grant_table_op(GNTTABOP_unmap_grant_ref,
					       kunmap_ops, count);
	for (i = 0; i < count; i++) {
		unsigned long pfn = page_to_pfn(pages[i]);
		unsigned long entry = __pfn_to_mfn(pfn);

		/* INVALID_P2M_ENTRY has every bit set, the foreign one too */
		if (entry == INVALID_P2M_ENTRY || !(entry & P2M_FOREIGN_BIT)) {
			not_foreign++;
			continue;
		}
		set_phys_to_machine(pfn, INVALID_P2M_ENTRY);
	}
	if (rc)
		return rc;
	return not_foreign ? -EINVAL : 0;
}

/* ---- Non-RAM the memory setup moves out of the way of our RAM ---- */

#define P2M_NONRAM_MAX 4

/* Machine range [maddr, +size) appears at pseudo-physical paddr. */
static struct {
	phys_addr_t maddr;
	phys_addr_t paddr;
	size_t size;
} p2m_nonram[P2M_NONRAM_MAX] __ro_after_init;
static unsigned int p2m_nr_nonram __ro_after_init;

#ifdef CONFIG_ACPI
/* acpi_os_ioremap() that knows where ACPI tables were moved to. */
static void __iomem *p2m_acpi_os_ioremap(acpi_physical_address phys,
					 acpi_size size)
{
	unsigned int i;

	for (i = 0; i < p2m_nr_nonram; i++) {
		phys_addr_t lo = p2m_nonram[i].maddr;
		phys_addr_t hi = lo + p2m_nonram[i].size;

		if (phys >= hi || phys + size <= lo)
			continue;
		/* a mapping straddling the edge cannot be moved whole */
		WARN_ON(phys < lo || phys + size > hi);
		phys = phys - lo + p2m_nonram[i].paddr;
		break;
	}
	return x86_acpi_os_ioremap(phys, size);
}
#endif

/**
 * xen_add_remap_nonram - note a non-RAM range to map at another address
 * @maddr: where it is (machine address)
 * @paddr: where the guest will see it
 * @size: bytes
 *
 * Boot only; the p2m entries are made by xen_do_remap_nonram().
 */
void __init xen_add_remap_nonram(phys_addr_t maddr, phys_addr_t paddr,
				 unsigned long size)
{
	if (offset_in_page(maddr) != offset_in_page(paddr))
		panic("xen: non-RAM remap %pa -> %pa moves within a page\n",
		      &maddr, &paddr);
	if (p2m_nr_nonram == P2M_NONRAM_MAX) {
		xen_raw_console_write("xen: too many non-RAM areas to remap\n");
		panic("xen: too many non-RAM areas to remap\n");
	}
#ifdef CONFIG_ACPI
	if (!p2m_nr_nonram)
		acpi_os_ioremap = p2m_acpi_os_ioremap;
#endif
	p2m_nonram[p2m_nr_nonram].maddr = maddr;
	p2m_nonram[p2m_nr_nonram].paddr = paddr;
	p2m_nonram[p2m_nr_nonram].size = size;
	p2m_nr_nonram++;
}

/**
 * xen_do_remap_nonram - enter the ranges xen_add_remap_nonram() noted
 *
 * Panics if an entry cannot be made: the guest would use the wrong frames.
 */
void __init xen_do_remap_nonram(void)
{
	unsigned long pfn, end, mfn, count = 0;
	unsigned int i;

	for (i = 0; i < p2m_nr_nonram; i++) {
		mfn = PFN_DOWN(p2m_nonram[i].maddr);
		end = PFN_UP(p2m_nonram[i].paddr + p2m_nonram[i].size);
		for (pfn = PFN_DOWN(p2m_nonram[i].paddr); pfn < end; pfn++, mfn++, count++)
			if (!set_phys_to_machine(pfn, mfn))
				panic("xen: cannot map pfn %lx to mfn %lx\n", pfn, mfn);
	}
	pr_info("%lu non-RAM pages remapped\n", count);
}

#if IS_REACHABLE(CONFIG_KUNIT)
#include <kunit/test.h>

/*
 * The tree logic on a private instance: leaves hang off an array of
 * pointers, built from a flat list by the same p2m_fill() the boot uses.
 * Flat list (P2M_TEST_FLAT leaves; the rest of the tree lies above it):
 *   leaf 0: RAM, mfn 0x1000 + i; leaf 1: identity; leaf 2: missing;
 *   leaf 3: RAM in its first half, identity in the second.
 */
#define P2M_TEST_LEAVES	8
#define P2M_TEST_FLAT	4

struct p2m_test_tree {
	struct p2m_tree t;
	unsigned long *slot[P2M_TEST_LEAVES];
};

static unsigned long **p2m_test_slot(struct p2m_tree *t, unsigned long pfn)
{
	return &container_of(t, struct p2m_test_tree, t)->slot[pfn / P2M_LEAF_ENTRIES];
}

static unsigned long *p2m_test_leaf(struct p2m_tree *t, unsigned long pfn)
{
	return *p2m_test_slot(t, pfn);
}

static void p2m_test_map(struct p2m_tree *t, unsigned long pfn, unsigned long *leaf)
{
	*p2m_test_slot(t, pfn) = leaf;
}

static int p2m_test_replace(struct p2m_tree *t, unsigned long pfn,
			    unsigned long *old, unsigned long *leaf)
{
	return cmpxchg(p2m_test_slot(t, pfn), old, leaf) == old ? 0 : -EAGAIN;
}

static const struct p2m_ops p2m_test_ops = {
	.leaf = p2m_test_leaf,
	.map = p2m_test_map,
	.replace = p2m_test_replace,
};

static unsigned long p2m_test_ram(unsigned long pfn)
{
	return 0x1000 + pfn;
}

static int p2m_test_init(struct kunit *test)
{
	unsigned long nr = P2M_TEST_FLAT * P2M_LEAF_ENTRIES, pfn, *flat;
	struct p2m_test_tree *tt = kunit_kzalloc(test, sizeof(*tt), GFP_KERNEL);

	flat = kunit_kmalloc_array(test, nr, sizeof(*flat), GFP_KERNEL);
	if (!tt || !flat)
		return -ENOMEM;
	for (pfn = 0; pfn < nr; pfn++) {
		unsigned int leaf = pfn / P2M_LEAF_ENTRIES, i = pfn % P2M_LEAF_ENTRIES;

		if (leaf == 0 || (leaf == 3 && i < P2M_LEAF_ENTRIES / 2))
			flat[pfn] = p2m_test_ram(pfn);
		else if (leaf == 2)
			flat[pfn] = INVALID_P2M_ENTRY;
		else
			flat[pfn] = P2M_IDENTITY(pfn);
	}
	tt->t.ops = &p2m_test_ops;
	tt->t.nr = P2M_TEST_LEAVES * P2M_LEAF_ENTRIES;
	tt->t.missing = p2m_new_shared_leaf();
	tt->t.identity = p2m_new_shared_leaf();
	test->priv = tt;
	if (!tt->t.missing || !tt->t.identity)
		return -ENOMEM;
	return p2m_fill(&tt->t, flat, nr);
}

static void p2m_test_exit(struct kunit *test)
{
	struct p2m_test_tree *tt = test->priv;
	unsigned int i;

	if (!tt)
		return;
	for (i = 0; i < P2M_TEST_LEAVES; i++)
		if (tt->slot[i] && !p2m_is_shared(&tt->t, tt->slot[i]))
			free_page((unsigned long)tt->slot[i]);
	free_page((unsigned long)tt->t.missing);
	free_page((unsigned long)tt->t.identity);
}

/* Shapes chosen by the build, and what lookups answer. */
static void p2m_test_lookup(struct kunit *test)
{
	struct p2m_test_tree *tt = test->priv;
	struct p2m_tree *t = &tt->t;
	unsigned long pfn, half = 3 * P2M_LEAF_ENTRIES + P2M_LEAF_ENTRIES / 2;
	unsigned int i;

	KUNIT_EXPECT_FALSE(test, p2m_is_shared(t, tt->slot[0]));
	KUNIT_EXPECT_PTR_EQ(test, tt->slot[1], t->identity);
	KUNIT_EXPECT_PTR_EQ(test, tt->slot[2], t->missing);
	KUNIT_EXPECT_FALSE(test, p2m_is_shared(t, tt->slot[3]));
	for (i = P2M_TEST_FLAT; i < P2M_TEST_LEAVES; i++)
		KUNIT_EXPECT_PTR_EQ(test, tt->slot[i], t->identity);

	for (pfn = 0; pfn < P2M_LEAF_ENTRIES; pfn += 37)
		KUNIT_EXPECT_EQ(test, p2m_read(t, pfn), p2m_test_ram(pfn));
	KUNIT_EXPECT_EQ(test, p2m_read(t, half - 1), p2m_test_ram(half - 1));
	KUNIT_EXPECT_EQ(test, p2m_read(t, half), P2M_IDENTITY(half));
	/* a shared leaf's contents read invalid, for the toolstack */
	KUNIT_EXPECT_EQ(test, t->identity[5], INVALID_P2M_ENTRY);
}

/* Identity and missing stretches, inside the tree and above it. */
static void p2m_test_ranges(struct kunit *test)
{
	struct p2m_tree *t = &((struct p2m_test_tree *)test->priv)->t;
	unsigned long pfn;

	for (pfn = P2M_LEAF_ENTRIES; pfn < 2 * P2M_LEAF_ENTRIES; pfn += 51)
		KUNIT_EXPECT_EQ(test, p2m_read(t, pfn), P2M_IDENTITY(pfn));
	for (pfn = 2 * P2M_LEAF_ENTRIES; pfn < 3 * P2M_LEAF_ENTRIES; pfn += 51)
		KUNIT_EXPECT_EQ(test, p2m_read(t, pfn), INVALID_P2M_ENTRY);
	pfn = P2M_TEST_FLAT * P2M_LEAF_ENTRIES + 9;
	KUNIT_EXPECT_EQ(test, p2m_read(t, pfn), P2M_IDENTITY(pfn));
	pfn = t->nr + 12345;
	KUNIT_EXPECT_EQ(test, p2m_read(t, pfn), P2M_IDENTITY(pfn));
}

/* A shared leaf takes only its own value; nothing is allocated for it. */
static void p2m_test_write_shared(struct kunit *test)
{
	struct p2m_test_tree *tt = test->priv;
	struct p2m_tree *t = &tt->t;
	unsigned long id = P2M_LEAF_ENTRIES + 3, miss = 2 * P2M_LEAF_ENTRIES + 3;

	KUNIT_EXPECT_TRUE(test, p2m_write(t, miss, INVALID_P2M_ENTRY));
	KUNIT_EXPECT_TRUE(test, p2m_write(t, id, P2M_IDENTITY(id)));
	KUNIT_EXPECT_FALSE(test, p2m_write(t, miss, 0x42));
	KUNIT_EXPECT_FALSE(test, p2m_write(t, id, P2M_IDENTITY(id + 1)));
	KUNIT_EXPECT_FALSE(test, p2m_write(t, id, INVALID_P2M_ENTRY));
	KUNIT_EXPECT_PTR_EQ(test, tt->slot[1], t->identity);
	KUNIT_EXPECT_PTR_EQ(test, tt->slot[2], t->missing);
	KUNIT_EXPECT_EQ(test, t->missing[3], INVALID_P2M_ENTRY);
	/* above the tree only "missing" goes */
	KUNIT_EXPECT_TRUE(test, p2m_write(t, t->nr, INVALID_P2M_ENTRY));
	KUNIT_EXPECT_FALSE(test, p2m_write(t, t->nr, 0x42));
	/* a private leaf takes anything */
	KUNIT_EXPECT_TRUE(test, p2m_write(t, 7, P2M_FOREIGN(0x77)));
	KUNIT_EXPECT_EQ(test, p2m_read(t, 7), P2M_FOREIGN(0x77));
}

/* Growing gives a private leaf that still means what the shared one did. */
static void p2m_test_grow(struct kunit *test)
{
	struct p2m_test_tree *tt = test->priv;
	struct p2m_tree *t = &tt->t;
	unsigned long miss = 2 * P2M_LEAF_ENTRIES + 10, id = 5 * P2M_LEAF_ENTRIES + 10;
	unsigned long *ram = tt->slot[0];

	KUNIT_ASSERT_EQ(test, p2m_grow(t, miss), 0);
	KUNIT_EXPECT_FALSE(test, p2m_is_shared(t, tt->slot[2]));
	KUNIT_EXPECT_TRUE(test, p2m_write(t, miss, 0x99));
	KUNIT_EXPECT_EQ(test, p2m_read(t, miss), 0x99UL);
	KUNIT_EXPECT_EQ(test, p2m_read(t, miss + 1), INVALID_P2M_ENTRY);
	KUNIT_EXPECT_EQ(test, t->missing[10], INVALID_P2M_ENTRY);

	KUNIT_ASSERT_EQ(test, p2m_grow(t, id), 0);
	KUNIT_EXPECT_FALSE(test, p2m_is_shared(t, tt->slot[5]));
	KUNIT_EXPECT_EQ(test, p2m_read(t, id - 1), P2M_IDENTITY(id - 1));
	KUNIT_EXPECT_TRUE(test, p2m_write(t, id, INVALID_P2M_ENTRY));
	KUNIT_EXPECT_EQ(test, p2m_read(t, id), INVALID_P2M_ENTRY);
	KUNIT_EXPECT_EQ(test, p2m_read(t, id + 1), P2M_IDENTITY(id + 1));
	KUNIT_EXPECT_PTR_EQ(test, tt->slot[4], t->identity);

	/* a private leaf stays; outside the tree there is nothing to grow */
	KUNIT_EXPECT_EQ(test, p2m_grow(t, 3), 0);
	KUNIT_EXPECT_PTR_EQ(test, tt->slot[0], ram);
	KUNIT_EXPECT_EQ(test, p2m_grow(t, t->nr), -EINVAL);
}

/* A leaf installed by someone else first wins; ours is dropped. */
static void p2m_test_replace_race(struct kunit *test)
{
	struct p2m_test_tree *tt = test->priv;
	struct p2m_tree *t = &tt->t;
	unsigned long *leaf = p2m_alloc_page();

	KUNIT_ASSERT_NOT_NULL(test, leaf);
	KUNIT_EXPECT_EQ(test, t->ops->replace(t, 6 * P2M_LEAF_ENTRIES, t->missing, leaf),
			-EAGAIN);
	KUNIT_EXPECT_PTR_EQ(test, tt->slot[6], t->identity);
	KUNIT_EXPECT_EQ(test, t->ops->replace(t, 6 * P2M_LEAF_ENTRIES, t->identity, leaf), 0);
	KUNIT_EXPECT_PTR_EQ(test, tt->slot[6], leaf);
}

/* The live tables: round trips, and the M2P read where it has nothing. */
static void p2m_test_live(struct kunit *test)
{
	void *ram = test->priv;		/* kmalloc()ed: in the direct map */
	unsigned long pfn = virt_to_pfn(ram), mfn, bogus;

	if (!xen_pv_domain())
		kunit_skip(test, "not a Xen PV guest");
	mfn = pfn_to_mfn(pfn);
	KUNIT_EXPECT_NE(test, mfn, INVALID_P2M_ENTRY);
	KUNIT_EXPECT_EQ(test, mfn_to_pfn(mfn), pfn);
	KUNIT_EXPECT_EQ(test, virt_to_machine(ram).maddr,
			PFN_PHYS(mfn) | offset_in_page(ram));
	pfn = xen_p2m_identity_pfn + 77;
	KUNIT_EXPECT_EQ(test, pfn_to_mfn(pfn), pfn);
	/* frames past the M2P: no fault, and only identity comes back */
	bogus = xen_m2p_size + 5;
	KUNIT_EXPECT_EQ(test, mfn_to_pfn_no_overrides(bogus), ~0UL);
	mfn = mfn_to_pfn(bogus);
	KUNIT_EXPECT_TRUE(test, mfn == ~0UL ||
			  (mfn == bogus && __pfn_to_mfn(bogus) == P2M_IDENTITY(bogus)));
	/* the M2P's last slot: whatever it says, the check stands */
	mfn = mfn_to_pfn(xen_m2p_size - 1);
	KUNIT_EXPECT_TRUE(test, mfn == ~0UL || pfn_to_mfn(mfn) == xen_m2p_size - 1);
}

static struct kunit_case p2m_test_cases[] = {
	KUNIT_CASE(p2m_test_lookup),
	KUNIT_CASE(p2m_test_ranges),
	KUNIT_CASE(p2m_test_write_shared),
	KUNIT_CASE(p2m_test_grow),
	KUNIT_CASE(p2m_test_replace_race),
	KUNIT_CASE(p2m_test_live),
	{}
};

static struct kunit_suite p2m_test_suite = {
	.name = "xen-p2m",
	.init = p2m_test_init,
	.exit = p2m_test_exit,
	.test_cases = p2m_test_cases,
};

kunit_test_suite(p2m_test_suite);
#endif /* CONFIG_KUNIT */
