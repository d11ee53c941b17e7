// SPDX-License-Identifier: GPL-2.0
/*
 * evtchn-hvm.c - how an HVM guest gets its event upcalls.
 *
 * A PV guest is entered at the callback address it registered; an HVM
 * guest has a real (virtual) APIC and takes its upcalls as an interrupt.
 * The best way is a vector of its own: either one for the whole domain,
 * named in HVM_PARAM_CALLBACK_IRQ (type 2, "vector"), or, where Xen offers
 * it, one per vCPU set with HVMOP_set_evtchn_upcall_vector.  Both end in
 * sysvec_xen_hvm_callback (arch/x86/xen/enlighten_hvm.c), which calls
 * xen_evtchn_do_upcall().  Without either, the platform PCI device's
 * interrupt carries the upcall (drivers/xen/platform-pci.c), and then
 * only to vCPU 0, so channels cannot be moved (xen_support_evtchn_rebind).
 *
 * This port is a PV domU; the HVM code is built because CONFIG_XEN_PVHVM
 * cannot be turned off, and is kept small and straightforward.
 */

#define pr_fmt(fmt) "xen-evtchn-hvm: " fmt

#include <linux/init.h>
#include <linux/printk.h>

#include <asm/idtentry.h>
#include <asm/irq.h>
#include <asm/irq_vectors.h>
#include <asm/xen/events.h>
#include <asm/xen/hypercall.h>

#include <xen/events.h>
#include <xen/hvm.h>
#include <xen/interface/hvm/hvm_op.h>
#include <xen/xen-ops.h>

#include "evtchn-abi.h"

/**
 * xen_setup_callback_vector - deliver upcalls on HYPERVISOR_CALLBACK_VECTOR
 *
 * At boot and after a restore.  If Xen refuses, the guest falls back to
 * the platform PCI interrupt.
 */
void xen_setup_callback_vector(void)
{
	u64 via = HVM_CALLBACK_VECTOR(HYPERVISOR_CALLBACK_VECTOR);

	if (!xen_have_vector_callback)
		return;
	if (xen_set_callback_via(via)) {
		pr_err("no callback vector; using the platform interrupt\n");
		xen_have_vector_callback = false;
	}
}

/**
 * xen_set_upcall_vector - give one vCPU its own upcall vector
 * @cpu: the CPU
 *
 * Return: 0, or Xen's error.
 */
int xen_set_upcall_vector(unsigned int cpu)
{
	struct xen_hvm_evtchn_upcall_vector op = {
		.vcpu = xen_vcpu_nr(cpu),
		.vector = HYPERVISOR_CALLBACK_VECTOR,
	};

	return (int)HYPERVISOR_hvm_op(HVMOP_set_evtchn_upcall_vector, &op);
}

/* From xen_init_IRQ(), in place of the native x86_init.irqs.intr_init. */
void __init xen_evtchn_hvm_init(void)
{
	native_init_IRQ();
	if (xen_percpu_upcall) {
		if (xen_set_upcall_vector(0))
			pr_err("no upcall vector for CPU 0\n");
	} else {
		xen_setup_callback_vector();
	}
	if (xen_have_vector_callback)
		sysvec_install(HYPERVISOR_CALLBACK_VECTOR,
			       sysvec_xen_hvm_callback);
}
