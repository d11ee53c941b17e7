// SPDX-License-Identifier: GPL-2.0
/*
 * suspend_pv.c - what a PV guest changes around SCHEDOP_shutdown(suspend).
 *
 * Called by suspend.c inside stop_machine, with interrupts off, on CPU 0.
 * The toolstack saves a PV domain page by page and rewrites every machine
 * frame it finds in the places it knows (pinned page tables, the p2m, the
 * start_info fields) into the new domain's frames.  So before the save:
 *
 *  - every page table is pinned (xen_mm_pin_all()), so that the toolstack
 *    knows it for one and translates its entries;
 *  - start_info's xenstore and console frames are written as pfns, which
 *    is what the toolstack expects to find there and turns back into the
 *    new domain's machine frames;
 *  - the shared_info page is unmapped: it is Xen's, not part of the
 *    domain's memory, and a restored domain gets a new one, whose machine
 *    address start_info then holds.
 *
 * After it: shared_info is mapped again, from start_info, and the p2m's
 * frame lists are rebuilt and published in it.  If the suspend was
 * cancelled (xl save -c, or a failed save) the domain is the same one and
 * the start_info frames go back to machine frames; if not, every vCPU
 * state and vcpu_info registration is new, so xen_vcpu_restore() runs,
 * and offline vCPUs will need a fresh VCPUOP_initialise (smp_pv.c).
 * Every frame found in start_info is checked against the p2m.
 */

#define pr_fmt(fmt) "xen-suspend: " fmt

#include <linux/cpumask.h>
#include <linux/irqflags.h>
#include <linux/kernel.h>
#include <linux/mm.h>
#include <linux/printk.h>

#include <asm/fixmap.h>
#include <asm/xen/hypercall.h>
#include <asm/xen/page.h>

#include <xen/interface/xen.h>

#include "xen-ops.h"

/*
 * start_info.console's frame for a domU: the first word of that union
 * (restated, so that Xen's CamelCase member name stays out of this file).
 */
static xen_pfn_t *xen_console_frame(void)
{
	return (xen_pfn_t *)&xen_start_info->console;
}

/* Turn start_info's machine frame @*frame into its pfn, if it has one. */
static void xen_frame_to_pfn(unsigned long *frame, const char *what)
{
	unsigned long pfn = mfn_to_pfn(*frame);

	if (pfn == ~0UL || pfn_to_mfn(pfn) != *frame) {
		pr_err("%s frame %#lx is not ours: a restore cannot find it\n",
		       what, *frame);
		return;
	}
	*frame = pfn;
}

/* The reverse, after a cancelled suspend. */
static void xen_pfn_to_frame(unsigned long *frame, const char *what)
{
	unsigned long mfn = pfn_to_mfn(*frame);

	if (mfn == INVALID_P2M_ENTRY) {
		pr_err("%s pfn %#lx has no machine frame\n", what, *frame);
		return;
	}
	*frame = mfn;
}

/* After a restore: the frame the toolstack wrote must be one of ours. */
static void xen_check_frame(unsigned long frame, const char *what)
{
	unsigned long pfn = mfn_to_pfn(frame);

	if (pfn == ~0UL || pfn_to_mfn(pfn) != frame)
		pr_err("restored %s frame %#lx is not in our p2m\n", what, frame);
}

/**
 * xen_pv_pre_suspend() - get a PV domain ready to be saved
 */
void xen_pv_pre_suspend(void)
{
	int rc;

	WARN_ON_ONCE(!irqs_disabled());
	xen_mm_pin_all();

	xen_frame_to_pfn(&xen_start_info->store_mfn, "xenstore");
	xen_frame_to_pfn(xen_console_frame(), "console");

	HYPERVISOR_shared_info = &xen_dummy_shared_info;
	rc = HYPERVISOR_update_va_mapping(fix_to_virt(FIX_PARAVIRT_BOOTMAP),
					  __pte_ma(0), 0);
	/* The save will then fail, and come back to us as cancelled. */
	WARN(rc, "cannot unmap shared_info: %d\n", rc);
}

/**
 * xen_pv_post_suspend() - take up the domain after a save or a cancel
 * @suspend_cancelled: nonzero if the domain is the one that suspended
 */
void xen_pv_post_suspend(int suspend_cancelled)
{
	unsigned long maddr = xen_start_info->shared_info;

	if (!maddr || offset_in_page(maddr))
		panic("xen: start_info gives no usable shared_info (%#lx)\n",
		      maddr);
	set_fixmap(FIX_PARAVIRT_BOOTMAP, maddr);
	HYPERVISOR_shared_info = (void *)fix_to_virt(FIX_PARAVIRT_BOOTMAP);

	xen_build_mfn_list_list();
	xen_setup_mfn_list_list();

	if (suspend_cancelled) {
		xen_pfn_to_frame(&xen_start_info->store_mfn, "xenstore");
		xen_pfn_to_frame(xen_console_frame(), "console");
	} else {
		xen_check_frame(xen_start_info->store_mfn, "xenstore");
		xen_check_frame(*xen_console_frame(), "console");
#ifdef CONFIG_SMP
		/* Only the vCPUs that were up had their state saved. */
		if (!WARN_ON(!cpumask_available(xen_cpu_initialized_map)))
			cpumask_copy(xen_cpu_initialized_map, cpu_online_mask);
#endif
		xen_vcpu_restore();
	}

	xen_mm_unpin_all();
}
