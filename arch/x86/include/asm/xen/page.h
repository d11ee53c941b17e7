/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Frame numbers of a Xen PV guest, and the conversions between them.
 *
 * A PV guest sees three kinds of frame number.  A pfn indexes the guest's
 * own idea of its RAM (the pseudo-physical space, what struct page covers).
 * An mfn names a real frame of the host; page tables, grant entries and
 * most hypercalls speak mfns.  A gfn is what the hypervisor wants in a
 * given interface: the mfn for a PV guest, the pfn for an auto-translated
 * one.
 *
 * pfn -> mfn is the guest's own table, the p2m (arch/x86/xen/p2m.c).  It
 * is a linear array at xen_p2m_array, so the common lookup below is one
 * load;
 * entries that read INVALID_P2M_ENTRY may stand for a shared "identity"
 * leaf, so those (and pfns past the array) go to get_phys_to_machine().
 * Two high bits tag special entries: P2M_FOREIGN marks another domain's
 * frame mapped through a grant, P2M_IDENTITY a non-RAM pfn whose mfn
 * is the pfn itself (I/O holes).
 *
 * mfn -> pfn is Xen's machine-to-phys table (the M2P), read-only and mapped
 * by Xen at xen_m2p (xen_m2p_size entries).  It holds whatever the owner
 * of each frame last wrote, and parts of it may not be mapped at all, so
 * it is read with a fault-tolerant load and believed only if our p2m maps
 * the answer back to the same mfn.
 */
#ifndef _ASM_X86_XEN_PAGE_H
#define _ASM_X86_XEN_PAGE_H

#include <linux/types.h>
#include <linux/kernel.h>
#include <linux/pfn.h>
#include <linux/mm.h>
#include <linux/spinlock.h>
#include <linux/device.h>

#include <asm/page.h>
#include <asm/extable.h>

#include <xen/features.h>
#include <xen/interface/xen.h>
#include <xen/interface/grant_table.h>

/*
 * A machine address, and a pseudo-physical one: distinct types on purpose,
 * so one is never passed for the other.  The _t names are the structs.
 */
struct xmaddr {
	phys_addr_t maddr;
};

struct xpaddr {
	phys_addr_t paddr;
};

#define xmaddr_t struct xmaddr
#define xpaddr_t struct xpaddr

#define XMADDR(x)	((xmaddr_t) { .maddr = (x) })
#define XPADDR(x)	((xpaddr_t) { .paddr = (x) })

/* A PV pte holds machine address bits 12..51. */
#define XEN_PHYSICAL_MASK	__sme_clr(BIT_ULL(52) - 1)
#define XEN_PTE_MFN_MASK	((pteval_t)(PAGE_MASK & XEN_PHYSICAL_MASK))

/*
 * A p2m entry is an mfn, INVALID_P2M_ENTRY (no frame), or an mfn tagged in
 * its top bit as foreign or in the next one as identity; a leaf page of
 * the p2m holds P2M_LEAF_ENTRIES of them.
 */
#define INVALID_P2M_ENTRY	(~0UL)
#define P2M_FOREIGN_BIT		BIT(BITS_PER_LONG - 1)
#define P2M_IDENTITY_BIT	BIT(BITS_PER_LONG - 2)
#define P2M_FOREIGN(mfn)	((mfn) | P2M_FOREIGN_BIT)
#define P2M_IDENTITY(pfn)	((pfn) | P2M_IDENTITY_BIT)
#define P2M_LEAF_ENTRIES	(PAGE_SIZE / sizeof(unsigned long))

/*
 * The p2m array: xen_p2m_entries entries are mapped at xen_p2m_array; pfns
 * below xen_p2m_identity_pfn may exist but have no entry yet, and every
 * pfn from it on is identity.  Then Xen's M2P.
 */
extern unsigned long *xen_p2m_array;
extern unsigned long xen_p2m_entries, xen_p2m_identity_pfn;
extern unsigned long *xen_m2p;
extern unsigned long xen_m2p_size;

unsigned long get_phys_to_machine(unsigned long pfn);
bool __set_phys_to_machine(unsigned long pfn, unsigned long mfn);
bool set_phys_to_machine(unsigned long pfn, unsigned long mfn);
int xen_alloc_p2m_entry(unsigned long pfn);
unsigned long __init set_phys_range_identity(unsigned long pfn_s,
					     unsigned long pfn_e);

#ifdef CONFIG_XEN_PV
int set_foreign_p2m_mapping(struct gnttab_map_grant_ref *map_ops,
			    struct gnttab_map_grant_ref *kmap_ops,
			    struct page **pages, unsigned int count);
int clear_foreign_p2m_mapping(struct gnttab_unmap_grant_ref *unmap_ops,
			      struct gnttab_unmap_grant_ref *kunmap_ops,
			      struct page **pages, unsigned int count);
#else
static inline int set_foreign_p2m_mapping(struct gnttab_map_grant_ref *map_ops,
					  struct gnttab_map_grant_ref *kmap_ops,
					  struct page **pages, unsigned int count)
{
	return 0;
}

static inline int clear_foreign_p2m_mapping(struct gnttab_unmap_grant_ref *unmap_ops,
					    struct gnttab_unmap_grant_ref *kunmap_ops,
					    struct page **pages, unsigned int count)
{
	return 0;
}
#endif

/*
 * Loads and stores that may fault (an unmapped part of the M2P, a p2m
 * page mapped read-only): 0 on success, -EFAULT if the access faulted.
 * A fault resumes after the instruction that clears the error.
 */
static inline int xen_safe_write_ulong(unsigned long *addr, unsigned long val)
{
	int err = -EFAULT;

	asm volatile("1:	mov %[v], %[p]\n"
		     "	movl $0, %[e]\n"
		     "2:\n"
		     _ASM_EXTABLE(1b, 2b)
		     : [e] "+r" (err), [p] "=m" (*addr)
		     : [v] "r" (val));
	return err;
}

/* On a fault *@val is ~0, which is also what the M2P says of no frame. */
static inline int xen_safe_read_ulong(const unsigned long *addr,
				      unsigned long *val)
{
	unsigned long v = ~0UL;
	int err = -EFAULT;

	asm volatile("1:	mov %[p], %[v]\n"
		     "	movl $0, %[e]\n"
		     "2:\n"
		     _ASM_EXTABLE(1b, 2b)
		     : [e] "+r" (err), [v] "+r" (v)
		     : [p] "m" (*addr));
	*val = v;
	return err;
}

/*
 * The raw p2m entry of @pfn, tag bits included.  pfn_to_mfn() strips the
 * tags; only the p2m and the page-table code want them.
 */
#ifdef CONFIG_XEN_PV
static inline unsigned long __pfn_to_mfn(unsigned long pfn)
{
	if (likely(pfn < xen_p2m_entries)) {
		unsigned long entry = xen_p2m_array[pfn];

		if (likely(entry != INVALID_P2M_ENTRY))
			return entry;
	} else if (pfn >= xen_p2m_identity_pfn) {
		return P2M_IDENTITY(pfn);
	}
	return get_phys_to_machine(pfn);
}
#else
/* Without PV every pfn is its own frame. */
static inline unsigned long __pfn_to_mfn(unsigned long pfn) { return pfn; }
#endif

/* The mfn behind @pfn, its tag bits cleared, or INVALID_P2M_ENTRY. */
static inline unsigned long pfn_to_mfn(unsigned long pfn)
{
	unsigned long entry = xen_feature(XENFEAT_auto_translated_physmap) ?
			      pfn : __pfn_to_mfn(pfn);

	if (entry == INVALID_P2M_ENTRY)
		return entry;
	return entry & ~(P2M_FOREIGN_BIT | P2M_IDENTITY_BIT);
}

static inline int phys_to_machine_mapping_valid(unsigned long pfn)
{
	return xen_feature(XENFEAT_auto_translated_physmap) ||
	       __pfn_to_mfn(pfn) != INVALID_P2M_ENTRY;
}

/* What the M2P says of @mfn, unchecked; ~0 if that slot is out of reach. */
static inline unsigned long mfn_to_pfn_no_overrides(unsigned long mfn)
{
	unsigned long pfn;

	if (unlikely(mfn >= xen_m2p_size) ||
	    xen_safe_read_ulong(&xen_m2p[mfn], &pfn))
		return ~0UL;
	return pfn;
}

/*
 * The pfn of @mfn if it is one of ours (or an identity-mapped frame), else
 * ~0: the M2P is trusted only when our p2m agrees with it.
 */
static inline unsigned long mfn_to_pfn(unsigned long mfn)
{
	unsigned long pfn = mfn;

	if (!xen_feature(XENFEAT_auto_translated_physmap)) {
		pfn = mfn_to_pfn_no_overrides(mfn);
		if (__pfn_to_mfn(pfn) != mfn)
			pfn = __pfn_to_mfn(mfn) == P2M_IDENTITY(mfn) ? mfn : ~0UL;
	}
	return pfn;
}

static inline xmaddr_t phys_to_machine(xpaddr_t phys)
{
	return XMADDR(PFN_PHYS(pfn_to_mfn(PFN_DOWN(phys.paddr))) |
		      offset_in_page(phys.paddr));
}

static inline xpaddr_t machine_to_phys(xmaddr_t machine)
{
	return XPADDR(PFN_PHYS(mfn_to_pfn(PFN_DOWN(machine.maddr))) |
		      offset_in_page(machine.maddr));
}

/* gfns: for a PV guest these are mfns (the feature test covers HVM). */
static inline unsigned long pfn_to_gfn(unsigned long pfn)
{
	return xen_feature(XENFEAT_auto_translated_physmap) ? pfn :
	       pfn_to_mfn(pfn);
}

static inline unsigned long gfn_to_pfn(unsigned long gfn)
{
	return xen_feature(XENFEAT_auto_translated_physmap) ? gfn :
	       mfn_to_pfn(gfn);
}

/* The frame a device DMAs to (biomerge.c): on x86 the gfn itself. */
static inline unsigned long pfn_to_bfn(unsigned long pfn)
{
	return pfn_to_gfn(pfn);
}

static inline unsigned long virt_to_pfn(const void *v)
{
	return PFN_DOWN(__pa(v));
}

#define virt_to_machine(v)	phys_to_machine(XPADDR(__pa(v)))
#define virt_to_mfn(v)		pfn_to_mfn(virt_to_pfn(v))
#define mfn_to_virt(m)		__va(PFN_PHYS(mfn_to_pfn(m)))
#define virt_to_gfn(v)		pfn_to_gfn(virt_to_pfn(v))
#define gfn_to_virt(g)		__va(PFN_PHYS(gfn_to_pfn(g)))

/* Page-table entries holding machine frames, built and read raw. */
static inline unsigned long pte_mfn(pte_t pte)
{
	return (pte.pte & XEN_PTE_MFN_MASK) >> PAGE_SHIFT;
}

static inline pte_t mfn_pte(unsigned long mfn, pgprot_t prot)
{
	return (pte_t) { .pte = PFN_PHYS((phys_addr_t)mfn) | massage_pgprot(prot) };
}

static inline pteval_t pte_val_ma(pte_t pte)
{
	return pte.pte;
}

static inline pte_t __pte_ma(pteval_t val)
{
	return (pte_t) { .pte = val };
}

/* Upper levels, read raw: the value is a machine address. */
#ifndef __PAGETABLE_P4D_FOLDED
#define p4d_val_ma(v)	((v).p4d)
#else
#define p4d_val_ma(v)	((v).pgd.pgd)
#endif
#ifndef __PAGETABLE_PUD_FOLDED
#define pud_val_ma(v)	((v).pud)
#else
#define pud_val_ma(v)	((v).p4d.pgd.pgd)
#endif
#define pmd_val_ma(v)	((v).pmd)
#define __pmd_ma(x)	((pmd_t) { (x) })

/* In the MMU code: addresses outside the direct map, and page protection. */
xmaddr_t arbitrary_virt_to_machine(void *address);
unsigned long arbitrary_virt_to_mfn(void *vaddr);
void make_lowmem_page_readonly(void *vaddr);
void make_lowmem_page_readwrite(void *vaddr);

/* x86 never needs swiotlb-xen's bounce for coherency. */
static inline bool xen_arch_need_swiotlb(struct device *dev, phys_addr_t phys,
					 dma_addr_t dev_addr)
{
	return false;
}

#endif /* _ASM_X86_XEN_PAGE_H */
