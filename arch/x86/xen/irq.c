// SPDX-License-Identifier: GPL-2.0
/*
 * irq.c - the interrupt flag and halting, for a Xen PV vCPU.
 *
 * A PV kernel does not run in ring 0, so cli, sti and hlt are not its to
 * use.  The interrupt flag's stand-in is the vCPU's event mask,
 * evtchn_upcall_mask in its vcpu_info: while it is set Xen makes no event
 * upcall to the vCPU, and just sets evtchn_upcall_pending.  So:
 *
 *   disable   set the mask
 *   save      the mask, in the sense of X86_EFLAGS_IF (which is opposite)
 *   enable    clear the mask; then, if an event came in while it was set,
 *             make any hypercall (xen_force_evtchn_callback()): on its way
 *             back to the guest Xen delivers the pending upcall
 *
 * The kernel has no "restore" operation to fill: local_irq_restore() is an
 * enable or nothing, depending on the saved flags.
 *
 * For most of its life the kernel uses the assembly forms in xen-asm.S,
 * which find the vcpu_info in the per-CPU copy that Xen was asked to use
 * (VCPUOP_register_vcpu_info); xen_setup_vcpu_info_placement() installs
 * them.  Before that, early in boot, the vcpu_info is wherever the per-CPU
 * pointer xen_vcpu says (its slot in shared_info), and the C forms here go
 * through that pointer.
 *
 * Halting is SCHEDOP_block: Xen deschedules the vCPU until an event is
 * pending for it, and first clears the mask and looks for pending events
 * in one step, so that an event arriving just before cannot be slept
 * through.  That is "sti; hlt", the safe halt.
 */

#define pr_fmt(fmt) "xen-irq: " fmt

#include <linux/array_size.h>
#include <linux/compiler.h>
#include <linux/cpumask.h>
#include <linux/init.h>
#include <linux/irqflags.h>
#include <linux/percpu.h>
#include <linux/preempt.h>
#include <linux/smp.h>

#include <asm/paravirt.h>
#include <asm/processor-flags.h>
#include <asm/x86_init.h>
#include <asm/xen/hypercall.h>

#include <xen/events.h>
#include <xen/interface/sched.h>
#include <xen/interface/vcpu.h>
#include <xen/interface/version.h>
#include <xen/interface/xen.h>
#include <xen/xen-ops.h>

#include "irq-pv.h"
#include "xen-ops.h"

/**
 * xen_force_evtchn_callback() - have Xen deliver pending events now
 *
 * Every hypercall returns through Xen's check for pending, unmasked
 * events, so the cheapest one will do.  Called by check_events in
 * xen-asm.S when an enable finds an event pending.
 */
void xen_force_evtchn_callback(void)
{
	(void)HYPERVISOR_xen_version(XENVER_version, NULL);
}

/*
 * The early C forms, called only through the callee-save thunks below,
 * from assembly: hence global, __visible and declared in irq-pv.h.
 * Preemption is held off so that the vcpu_info looked up is the one of
 * the CPU we run on.
 */
__visible unsigned long xen_save_fl(void)
{
	unsigned long flags;

	preempt_disable_notrace();
	flags = READ_ONCE(this_cpu_read(xen_vcpu)->evtchn_upcall_mask) ?
		0 : X86_EFLAGS_IF;
	preempt_enable_notrace();
	return flags;
}

PV_CALLEE_SAVE_REGS_THUNK(xen_save_fl);

__visible void xen_irq_disable(void)
{
	preempt_disable_notrace();
	WRITE_ONCE(this_cpu_read(xen_vcpu)->evtchn_upcall_mask, 1);
	preempt_enable_notrace();
}

PV_CALLEE_SAVE_REGS_THUNK(xen_irq_disable);

__visible void xen_irq_enable(void)
{
	struct vcpu_info *vcpu;

	preempt_disable_notrace();
	vcpu = this_cpu_read(xen_vcpu);
	/* Unmask, then look: an event that came meanwhile is still pending. */
	WRITE_ONCE(vcpu->evtchn_upcall_mask, 0);
	if (unlikely(READ_ONCE(vcpu->evtchn_upcall_pending)))
		xen_force_evtchn_callback();
	preempt_enable_notrace();
}

PV_CALLEE_SAVE_REGS_THUNK(xen_irq_enable);

/* Wait for an event with events enabled, and return with them enabled. */
static noinstr void xen_safe_halt(void)
{
	if (HYPERVISOR_sched_op(SCHEDOP_block, NULL))
		raw_local_irq_enable();	/* did not block: keep the promise */
}

/*
 * hlt.  A CPU on its way out stops for good (until brought up again).
 * Any other blocks until an event.  Xen cannot wake a vCPU that blocked
 * with its events masked, so SCHEDOP_block unmasks them, and the pending
 * event's handlers run before the hypercall returns - even when the
 * caller had interrupts off, as the crash and early-exception paths do.
 * What we can keep of hlt's contract is the interrupt state on return:
 * if the caller had events masked, they are masked again.
 */
static noinstr void xen_halt(void)
{
	unsigned int cpu = raw_smp_processor_id();
	bool masked;

	if (!cpu_online(cpu)) {
		HYPERVISOR_vcpu_op(VCPUOP_down, xen_vcpu_nr(cpu), NULL);
		return;
	}
	masked = raw_irqs_disabled();
	xen_safe_halt();
	if (masked)
		raw_local_irq_disable();
}

/*
 * A whole pv_ops image of which only .irq is filled in: objtool reads the
 * table of this name with pv_ops' layout, to know which slot each entry is.
 */
static const typeof(pv_ops) xen_irq_ops __initconst = {
	.irq = {
		.save_fl	= PV_CALLEE_SAVE(xen_save_fl),
		.irq_disable	= PV_CALLEE_SAVE(xen_irq_disable),
		.irq_enable	= PV_CALLEE_SAVE(xen_irq_enable),
		.safe_halt	= xen_safe_halt,
		.halt		= xen_halt,
	},
};

/**
 * xen_init_irq_ops() - install a PV guest's interrupt operations
 *
 * Called at the very start of xen_start_kernel(), just before the boot
 * CPU's xen_vcpu is pointed at shared_info (the stand-in until the real
 * one is mapped).  Interrupts are masked then and stay so until the kernel
 * enables them.  Interrupt set-up becomes the
 * event channels' (xen_init_IRQ()).
 */
void __init xen_init_irq_ops(void)
{
	unsigned int i;

	/*
	 * Until shared_info is mapped, xen_vcpu points into the zeroed
	 * stand-in xen_dummy_shared_info, whose mask 0 would read as
	 * "enabled" while events are in fact masked (the domain builder
	 * starts every vCPU masked).  Say what is true, for lockdep's
	 * sake too: it checks the flag against its own count at boot.
	 */
	for (i = 0; i < ARRAY_SIZE(xen_dummy_shared_info.vcpu_info); i++)
		xen_dummy_shared_info.vcpu_info[i].evtchn_upcall_mask = 1;
	pv_ops.irq = xen_irq_ops.irq;
	x86_init.irqs.intr_init = xen_init_IRQ;
}
