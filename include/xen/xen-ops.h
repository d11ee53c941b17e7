/* SPDX-License-Identifier: GPL-2.0 */
/*
 * xen-ops.h - what arch/x86/xen offers the drivers in drivers/xen.
 *
 * The arch half of the port owns the per-vCPU state Xen shares with us
 * (vcpu_info, and each CPU's vCPU number in Xen's eyes), the arch steps of
 * save/restore, the runstate-based steal clock's setup, and the mapping of
 * foreign frames.  drivers/xen (events, manage, time, privcmd) reaches them
 * through the declarations below.  Nothing here is Xen ABI; the structures
 * named are defined in xen/interface/.
 */
#ifndef INCLUDE_XEN_OPS_H
#define INCLUDE_XEN_OPS_H

#include <linux/bug.h>
#include <linux/errno.h>
#include <linux/percpu.h>
#include <linux/types.h>
#include <asm/pgtable_types.h>
#include <xen/features.h>
#include <xen/interface/xen.h>
/* Not used here; the arch files that include this header rely on it. */
#include <xen/interface/vcpu.h>

struct vcpu_info;
struct vm_area_struct;
struct page;
/* arch/x86/xen/xen-ops.h names it in a prototype without declaring it. */
struct screen_info;

/*
 * Where each CPU's vcpu_info lives: in shared_info at boot, then wherever
 * the CPU registered it.  Event delivery reads the pending and mask bytes
 * there.
 */
DECLARE_PER_CPU(struct vcpu_info *, xen_vcpu);

/*
 * Xen numbers vCPUs on its own; hypercalls that name a vCPU want Xen's
 * number, which may differ from the Linux CPU number.
 */
DECLARE_PER_CPU(u32, xen_vcpu_id);
#define XEN_VCPU_ID_INVALID	U32_MAX

static inline u32 xen_vcpu_nr(int cpu)
{
	return per_cpu(xen_vcpu_id, cpu);
}

/*
 * Save/restore and migration, called by drivers/xen/manage.c around the
 * suspend hypercall, in this order: suspend, pre_suspend, (Xen saves us),
 * post_suspend(cancelled), resume; the timer is resumed in between.
 */
void xen_arch_suspend(void);
void xen_arch_pre_suspend(void);
void xen_arch_post_suspend(int suspend_cancelled);
void xen_arch_resume(void);
void xen_timer_resume(void);

/* Ask Xen to end this domain with SHUTDOWN_* reason @reason. */
void xen_reboot(int reason);

/* Is the shutdown watch ready?  0, or -ENODEV before xenstore is up. */
int xen_setup_shutdown_event(void);

/* True if Xen has the given version or a newer one. */
bool xen_running_on_version_or_later(unsigned int major, unsigned int minor);

/*
 * Steal time, from each vCPU's runstate area (drivers/xen/time.c): the
 * arch code registers the area per CPU and turns the clock on once.
 */
void xen_setup_runstate_info(int cpu);
void xen_time_setup_guest(void);
void xen_manage_runstate_time(int action);
u64 xen_steal_clock(int cpu);
bool xen_vcpu_stolen(int vcpu);

/*
 * Mapping other domains' frames into a user VMA (privcmd, for the
 * toolstack).  A PV guest writes the page table entries through Xen
 * (arch/x86/xen/mmu_pv_remap.c); an auto-translated guest adds the frames
 * to its physmap instead (drivers/xen/xlate_mmu.c).  In both, @frames[i]
 * goes to @va + i pages, and its result (0 or -errno) to @errs[i], which
 * may alias @frames; the return is the number mapped, or -errno.
 * @no_translate: the frames are machine frames, not the guest's.
 */
#ifdef CONFIG_XEN_PV
int xen_remap_pfn(struct vm_area_struct *vma, unsigned long va,
		  xen_pfn_t *frames, int count, int *errs, pgprot_t prot,
		  unsigned int domid, bool no_translate);
#else
static inline int
xen_remap_pfn(struct vm_area_struct *vma, unsigned long va, xen_pfn_t *frames,
	      int count, int *errs, pgprot_t prot, unsigned int domid,
	      bool no_translate)
{
	return -EOPNOTSUPP;
}
#endif

#ifdef CONFIG_XEN_AUTO_XLATE
int xen_xlate_remap_gfn_array(struct vm_area_struct *vma, unsigned long va,
			      xen_pfn_t *frames, int count, int *errs,
			      pgprot_t prot, unsigned int domid,
			      struct page **pages);
int xen_xlate_unmap_gfn_range(struct vm_area_struct *vma, int count,
			      struct page **pages);
int xen_xlate_map_ballooned_pages(xen_pfn_t **gfns, void **virt,
				  unsigned long nr_grant_frames);
int xen_remap_vma_range(struct vm_area_struct *vma, unsigned long va,
			unsigned long len);
#else
/*
 * No auto-translated guests in this build: the calls stay compiled
 * behind xen_feature() tests, and fail.
 */
static inline int
xen_xlate_remap_gfn_array(struct vm_area_struct *vma, unsigned long va,
			  xen_pfn_t *frames, int count, int *errs,
			  pgprot_t prot, unsigned int domid, struct page **pages)
{
	return -EOPNOTSUPP;
}

static inline int
xen_xlate_unmap_gfn_range(struct vm_area_struct *vma, int count,
			  struct page **pages)
{
	return -EOPNOTSUPP;
}

static inline int
xen_remap_vma_range(struct vm_area_struct *vma, unsigned long va,
		    unsigned long len)
{
	return -EOPNOTSUPP;
}
#endif

/* Undo a remap of @count frames (for PV, zapping the VMA is enough). */
int xen_unmap_domain_gfn_range(struct vm_area_struct *vma, int count,
			       struct page **pages);

static inline bool xen_remap_by_physmap(void)
{
	return xen_feature(XENFEAT_auto_translated_physmap);
}

/* Map guest frames; @pages backs them in an auto-translated guest. */
static inline int
xen_remap_domain_gfn_array(struct vm_area_struct *vma, unsigned long va,
			   xen_pfn_t *frames, int count, int *errs,
			   pgprot_t prot, unsigned int domid,
			   struct page **pages)
{
	if (!xen_remap_by_physmap()) {
		/* Without @errs a failed frame would go unnoticed. */
		if (WARN_ON_ONCE(!errs))
			return -EINVAL;
		return xen_remap_pfn(vma, va, frames, count, errs, prot,
				     domid, false);
	}
	return xen_xlate_remap_gfn_array(vma, va, frames, count, errs, prot,
					 domid, pages);
}

/* Map machine frames, which only a PV guest can name. */
static inline int
xen_remap_domain_mfn_array(struct vm_area_struct *vma, unsigned long va,
			   xen_pfn_t *frames, int count, int *errs,
			   pgprot_t prot, unsigned int domid)
{
	return xen_remap_by_physmap() ? -EOPNOTSUPP :
		xen_remap_pfn(vma, va, frames, count, errs, prot, domid, true);
}

/* Map @count consecutive guest frames from @first, all or nothing. */
static inline int
xen_remap_domain_gfn_range(struct vm_area_struct *vma, unsigned long va,
			   xen_pfn_t first, int count, pgprot_t prot,
			   unsigned int domid, struct page **pages)
{
	return xen_remap_by_physmap() ? -EOPNOTSUPP :
		xen_remap_pfn(vma, va, &first, count, NULL, prot, domid,
			      false);
}

#ifdef CONFIG_XEN_EFI
void xen_efi_runtime_setup(void);
#endif

/*
 * Virtio over grants: the PV boot code installs this as virtio's memory
 * access test when CONFIG_XEN_VIRTIO is on, so it is named either way.
 */
struct virtio_device;
#ifdef CONFIG_XEN_GRANT_DMA_OPS
bool xen_virtio_restricted_mem_acc(struct virtio_device *dev);
#else
static inline bool xen_virtio_restricted_mem_acc(struct virtio_device *dev)
{
	return false;
}
#endif

#endif /* INCLUDE_XEN_OPS_H */
