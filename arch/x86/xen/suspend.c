// SPDX-License-Identifier: GPL-2.0
/*
 * suspend.c - the x86 steps of a Xen save, migration or cancelled save.
 *
 * drivers/xen/manage.c runs the suspend: it freezes devices, stops the
 * other CPUs (stop_machine) and makes SCHEDOP_shutdown(SHUTDOWN_suspend)
 * on CPU 0.  Around that it calls, in this order:
 *
 *   xen_arch_suspend()       every CPU, before stop_machine: stop the
 *                            local tick, park the speculation-control MSR
 *   xen_arch_pre_suspend()   CPU 0, interrupts off: time area out of
 *                            use, then the PV steps (suspend_pv.c:
 *                            pin everything, canonicalise start_info,
 *                            unmap shared_info)
 *      ... the hypercall returns, in the same domain (cancelled) or in
 *      a new one on this or another host ...
 *   xen_arch_post_suspend()  CPU 0: the PV steps back, then the time area
 *   xen_arch_resume()        every CPU again: tick and MSR back
 *
 * The speculation-control MSR is zeroed across the suspend because the
 * host we resume on may offer different controls; each CPU restores its
 * own value afterwards.
 */

#include <linux/percpu.h>
#include <linux/smp.h>
#include <linux/tick.h>

#include <asm/cpufeature.h>
#include <asm/msr.h>

#include <xen/xen-ops.h>

#include "xen-ops.h"

static DEFINE_PER_CPU(u64, xen_saved_spec_ctrl);

static void xen_cpu_suspend(void *unused)
{
	tick_suspend_local();
	if (boot_cpu_has(X86_FEATURE_SPEC_CTRL)) {
		this_cpu_write(xen_saved_spec_ctrl,
			       native_read_msr(MSR_IA32_SPEC_CTRL));
		wrmsrl(MSR_IA32_SPEC_CTRL, 0);
	}
}

static void xen_cpu_resume(void *unused)
{
	if (boot_cpu_has(X86_FEATURE_SPEC_CTRL))
		wrmsrl(MSR_IA32_SPEC_CTRL, this_cpu_read(xen_saved_spec_ctrl));
	/* CPU 0's tick comes back through timekeeping_resume(). */
	if (smp_processor_id())
		tick_resume_local();
}

/**
 * xen_arch_suspend() - quiesce every CPU before a suspend
 */
void xen_arch_suspend(void)
{
	int cpu;

	for_each_online_cpu(cpu)
		xen_pmu_finish(cpu);
	on_each_cpu(xen_cpu_suspend, NULL, 1);
}

/**
 * xen_arch_pre_suspend() - last steps on CPU 0 before the suspend hypercall
 */
void xen_arch_pre_suspend(void)
{
	xen_save_time_memory_area();
	xen_pv_pre_suspend();
}

/**
 * xen_arch_post_suspend() - first steps on CPU 0 after it
 * @cancelled: nonzero when the suspend was cancelled and this is the same
 *             domain on the same host
 */
void xen_arch_post_suspend(int cancelled)
{
	xen_pv_post_suspend(cancelled);
	xen_restore_time_memory_area();
}

/**
 * xen_arch_resume() - bring every CPU's local state back
 */
void xen_arch_resume(void)
{
	int cpu;

	on_each_cpu(xen_cpu_resume, NULL, 1);
	for_each_online_cpu(cpu)
		xen_pmu_init(cpu);
}
