/* SPDX-License-Identifier: GPL-2.0 */
/*
 * xen.h - "are we running on Xen, and as what?"
 *
 * The one port header that core code includes everywhere (block/, the x86
 * boot, APIC, topology and DMA code, many drivers), so it has to compile
 * with CONFIG_XEN off, where every question below folds to a constant "no"
 * and the compiler drops the Xen branches.
 *
 * With CONFIG_XEN the answer lives in xen_domain_type, which the boot code
 * of arch/x86/xen sets once, before anything else asks: XEN_PV_DOMAIN for a
 * paravirtualised guest entered through startup_xen, XEN_HVM_DOMAIN for a
 * guest the hardware virtualises (HVM or PVH), XEN_NATIVE otherwise.  The
 * few other things here are shared between the port and core: the bio
 * merge test of block/, the PVH entry point of arch/x86/platform/pvh, and
 * the frame lending used by the grant-mapping drivers.
 */
#ifndef _XEN_XEN_H
#define _XEN_XEN_H

#include <linux/types.h>

enum xen_domain_type {
	XEN_NATIVE,		/* not a Xen guest at all */
	XEN_PV_DOMAIN,		/* paravirtualised: Xen owns the page tables */
	XEN_HVM_DOMAIN,		/* hardware virtualised (HVM and PVH) */
};

#ifdef CONFIG_XEN
extern enum xen_domain_type xen_domain_type;

/* Start-of-day flags from Xen (SIF_*, xen/interface/xen.h). */
extern u32 xen_start_flags;
#else
#define xen_domain_type		XEN_NATIVE
#endif

#define xen_domain()		(xen_domain_type != XEN_NATIVE)
#define xen_pv_domain()		(xen_domain_type == XEN_PV_DOMAIN)
#define xen_hvm_domain()	(xen_domain_type == XEN_HVM_DOMAIN)

/* A PVH guest is an HVM one that booted without firmware. */
#ifdef CONFIG_XEN_PVH
extern bool xen_pvh;
#define xen_pvh_domain()	(xen_pvh)
#else
#define xen_pvh_domain()	0
#endif

/*
 * The control domain.  Only a dom0 kernel can be one; a domU build says
 * no at compile time.
 */
#ifdef CONFIG_XEN_DOM0
#include <xen/interface/xen.h>
#define xen_initial_domain()	\
	(xen_domain() && (xen_start_flags & SIF_INITDOMAIN))
#else
#define xen_initial_domain()	0
#endif

/*
 * Set by the PV memory setup when Xen's memory map has reserved (device)
 * ranges, so the guest may see PCI devices (dom0, or PCI passed through);
 * the x86 DMA setup reads it to decide on swiotlb-xen.
 */
#ifdef CONFIG_XEN_PV
extern bool xen_pv_pci_possible;

/* The PV event upcall, entered from the entry code's callback stub. */
struct pt_regs;
void xen_pv_evtchn_do_upcall(struct pt_regs *regs);
#else
#define xen_pv_pci_possible	0
#endif

/* The memory size the balloon may grow to with memory hotplug. */
#if defined(CONFIG_MEMORY_HOTPLUG) && defined(CONFIG_XEN_BALLOON)
extern u64 xen_saved_max_mem_size;
#endif

/*
 * block/ asks this before merging two bio segments: contiguous pseudo-
 * physical pages need not be contiguous machine frames on Xen.  Declared
 * whatever the config, since blk.h names it behind IS_ENABLED(CONFIG_XEN).
 */
struct bio_vec;
struct page;
bool xen_biovec_phys_mergeable(const struct bio_vec *vec1,
			       const struct page *page);

/*
 * The PVH boot entry (arch/x86/platform/pvh) is core code and can be built
 * without Xen: it fills pvh_start_info from its entry registers and then
 * calls xen_prepare_pvh().
 */
#ifdef CONFIG_PVH
#include <xen/interface/hvm/start_info.h>
extern struct hvm_start_info pvh_start_info;
void xen_prepare_pvh(void);
#endif

/*
 * Frames with no memory behind them, into which grant and privcmd users
 * map other domains' pages.  With unpopulated-alloc they come from unused
 * physical address space; without it, the balloon lends them.
 */
#ifdef CONFIG_XEN_UNPOPULATED_ALLOC
#include <linux/ioport.h>
/* The arch code hands over its unused ranges, counted here. */
int arch_xen_unpopulated_init(struct resource **res);
extern unsigned long xen_unpopulated_pages;

int xen_alloc_unpopulated_pages(unsigned int count, struct page **out);
void xen_free_unpopulated_pages(unsigned int count, struct page **in);
#else
#include <xen/balloon.h>
/* Without it, the balloon's empty frames serve. */
static inline int
xen_alloc_unpopulated_pages(unsigned int count, struct page **out)
{
	return xen_alloc_ballooned_pages(count, out);
}

static inline void
xen_free_unpopulated_pages(unsigned int count, struct page **in)
{
	xen_free_ballooned_pages(count, in);
}
#endif

/*
 * ACPI's processor driver asks dom0 whether Xen knows a CPU it cannot see
 * itself.  Only reached behind xen_initial_domain(), so elsewhere the
 * answer is a constant that is never used.
 */
#if defined(CONFIG_XEN_DOM0) && defined(CONFIG_ACPI) && defined(CONFIG_X86)
bool xen_processor_present(u32 acpi_id);
#else
static inline bool xen_processor_present(u32 acpi_id)
{
	return false;
}
#endif

#endif /* _XEN_XEN_H */
