/* SPDX-License-Identifier: GPL-2.0 */
/*
 * asm/xen/hypervisor.h - the x86 Xen guest's basic state.
 *
 * Core x86 code includes this header whatever the config (through
 * asm/hypervisor.h, asm/acpi.h and process_64.c, and KVM's Xen emulation
 * for the CPUID signature), so everything below compiles without Xen.
 *
 * It holds the two pages Xen gives a PV guest at boot, start_info and
 * shared_info; the CPUID leaf that says "Xen is here"; and the per-CPU
 * lazy mode.  Lazy mode is how the PV code batches: between entering and
 * leaving it, page table updates (XEN_LAZY_MMU) or context-switch work
 * (XEN_LAZY_CPU) are queued as multicalls and issued together.  Entering
 * the mode a CPU is already in only nests; entering a different one is a
 * bug (see below).  The remaining declarations are hooks shared with core
 * code for CPU hotplug, PVH boot, and dom0's MSI and ACPI handling.
 */
#ifndef _ASM_X86_XEN_HYPERVISOR_H
#define _ASM_X86_XEN_HYPERVISOR_H

#include <linux/types.h>
#include <asm/bug.h>
#include <asm/percpu.h>
#include <asm/processor.h>

/* Set up by the PV boot code; start_info stays valid for the whole run. */
extern struct start_info *xen_start_info;
extern struct shared_info *HYPERVISOR_shared_info;

/* Xen's CPUID signature, and the base leaf it sits at (0 if not on Xen). */
#define XEN_SIGNATURE	"XenVMMXenVMM"

static inline u32 xen_cpuid_base(void)
{
	return hypervisor_cpuid_base(XEN_SIGNATURE, 2);
}

enum xen_lazy_mode {
	XEN_LAZY_NONE,
	XEN_LAZY_MMU,
	XEN_LAZY_CPU,
};

/* The mode in force, as the multicall code should see it. */
enum xen_lazy_mode xen_get_lazy_mode(void);

/* How many extra enters of this CPU's mode are outstanding, and the mode. */
DECLARE_PER_CPU(unsigned int, xen_lazy_nesting);
DECLARE_PER_CPU(enum xen_lazy_mode, xen_lazy_mode);

/*
 * A CPU is in at most one mode.  A mismatched enter or leave is a bug in
 * the caller; it is reported once and ignored, so the section it guards
 * runs unbatched and the pairs around it stay matched.
 */
static inline void enter_lazy(enum xen_lazy_mode mode)
{
	enum xen_lazy_mode cur = this_cpu_read(xen_lazy_mode);

	if (cur == mode)
		this_cpu_inc(xen_lazy_nesting);
	else if (!WARN_ON_ONCE(cur != XEN_LAZY_NONE))
		this_cpu_write(xen_lazy_mode, mode);
}

static inline void leave_lazy(enum xen_lazy_mode mode)
{
	if (WARN_ON_ONCE(this_cpu_read(xen_lazy_mode) != mode))
		return;

	if (this_cpu_read(xen_lazy_nesting))
		this_cpu_dec(xen_lazy_nesting);
	else
		this_cpu_write(xen_lazy_mode, XEN_LAZY_NONE);
}

#ifdef CONFIG_PVH
/*
 * Overrides of the weak PVH boot helpers (arch/x86/platform/pvh) for a
 * Xen PVH guest: its hypercall setup and its memory map.
 */
struct boot_params;
void xen_pvh_init(struct boot_params *boot_params);
void mem_map_via_hcall(struct boot_params *boot_params_p);
#endif

/* x86's MSI restore asks this; only a PV dom0 must leave it to Xen. */
struct pci_dev;
#ifdef CONFIG_XEN_PV_DOM0
bool xen_initdom_restore_msi(struct pci_dev *dev);
#else
static inline bool xen_initdom_restore_msi(struct pci_dev *dev)
{
	return true;
}
#endif

/* ACPI processor capability bits Xen wants masked, for dom0. */
#if defined(CONFIG_XEN_DOM0) && defined(CONFIG_ACPI)
void xen_sanitize_proc_cap_bits(u32 *buf);
#else
static inline void xen_sanitize_proc_cap_bits(u32 *buf)
{
}
#endif

#endif /* _ASM_X86_XEN_HYPERVISOR_H */
