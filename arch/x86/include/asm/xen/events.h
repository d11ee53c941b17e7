/* SPDX-License-Identifier: GPL-2.0 */
/*
 * x86 side of the event channel interface.
 *
 * The SMP code sends its inter-processor interrupts as events on per-CPU
 * IPI channels, one channel per kind listed in enum ipi_vector (an NMI is
 * sent with VCPUOP_send_nmi instead, so it has a number but no channel).
 * The numbers are ours alone (they index per-CPU tables; Xen never sees
 * them), so the order below is free.  An HVM guest gets its upcalls on
 * HYPERVISOR_CALLBACK_VECTOR when Xen supports that, else through the
 * platform PCI device's interrupt, which only ever reaches vCPU 0.
 */
#ifndef _ASM_X86_XEN_EVENTS_H
#define _ASM_X86_XEN_EVENTS_H

#include <linux/types.h>

#include <xen/xen.h>

enum ipi_vector {
	/* The scheduler's kick, and smp_call_function*(). */
	XEN_RESCHEDULE_VECTOR,
	XEN_CALL_FUNCTION_SINGLE_VECTOR,
	XEN_CALL_FUNCTION_VECTOR,
	/* irq_work_queue_on(). */
	XEN_IRQ_WORK_VECTOR,
	/* Wakes a vCPU waiting for a lock; only ever polled, never taken. */
	XEN_SPIN_UNLOCK_VECTOR,
	/* No channel: sent with VCPUOP_send_nmi. */
	XEN_NMI_VECTOR,

	XEN_NR_IPIS	/* how many */
};

/*
 * For PV spinlocks: this CPU's port for @vector, found in the per-CPU IPI
 * table (no IRQ lookup, no logging); both do nothing if it is not bound.
 * Call with preemption off.
 */
void xen_ipi_clear_pending(enum ipi_vector vector);
void xen_ipi_poll(enum ipi_vector vector);

extern bool xen_have_vector_callback;
extern bool xen_percpu_upcall;

/* Whether a channel may be moved to another vCPU (EVTCHNOP_bind_vcpu). */
static inline bool xen_support_evtchn_rebind(void)
{
	return !xen_hvm_domain() || xen_have_vector_callback;
}

#endif /* _ASM_X86_XEN_EVENTS_H */
