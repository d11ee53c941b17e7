// SPDX-License-Identifier: GPL-2.0
/*
 * evtchn-ipi.c - IPIs, and waiting on a port without taking its interrupt.
 *
 * Each CPU has an event channel per kind of inter-processor interrupt
 * (enum ipi_vector), bound by the core with bind_ipi_to_irqhandler(); the
 * core keeps the port numbers in the per-CPU table xen_evtchn_ipi_port,
 * current across CPU hotplug and save/restore.  Sending an IPI is then
 * EVTCHNOP_send on the target's port, found in that table; an NMI has no
 * channel and goes with VCPUOP_send_nmi.
 *
 * Some callers do not want the interrupt at all, only to sleep in Xen
 * until a port is pending: SCHEDOP_poll blocks the vCPU until one of the
 * ports named becomes pending, whether it is masked or not.  The PV
 * spinlock code keeps its kicker IPI masked and, to wait for a lock,
 * clears the port, checks the lock, and polls; the kicker sends the IPI.
 * Those calls run inside lock slow paths, so xen_ipi_clear_pending() and
 * xen_ipi_poll() use the per-CPU table only: no IRQ descriptor lookup, no
 * logging.  The older calls by IRQ number (xen_clear_irq_pending() and
 * friends; pcifront uses them) look the binding up and stay as they were.
 */

#define pr_fmt(fmt) "xen-evtchn: " fmt

#include <linux/cpumask.h>
#include <linux/export.h>
#include <linux/instruction_pointer.h>
#include <linux/percpu.h>
#include <linux/printk.h>

#include <asm/xen/events.h>
#include <asm/xen/hypercall.h>

#include <xen/events.h>
#include <xen/interface/event_channel.h>
#include <xen/interface/sched.h>
#include <xen/interface/vcpu.h>
#include <xen/interface/xen.h>
#include <xen/xen-ops.h>

#include "evtchn-abi.h"

/**
 * xen_send_IPI_one - interrupt another CPU
 * @cpu: the target
 * @vector: which IPI; XEN_NMI_VECTOR sends an NMI
 *
 * An unbound XEN_SPIN_UNLOCK_VECTOR is skipped quietly: a lock kicker may
 * race with the target's kicker going away, inside an unlock slow path.
 */
void xen_send_IPI_one(unsigned int cpu, enum ipi_vector vector)
{
	struct evtchn_send send = { .port = 0 };
	evtchn_port_t *ports;

	if (cpu < nr_cpu_ids && (unsigned int)vector < XEN_NR_IPIS) {
		ports = per_cpu(xen_evtchn_ipi_port, cpu);
		send.port = READ_ONCE(ports[vector]);
	}
	if (vector == XEN_NMI_VECTOR && cpu < nr_cpu_ids)
		HYPERVISOR_vcpu_op(VCPUOP_send_nmi, xen_vcpu_nr(cpu), NULL);
	else if (send.port)
		(void)HYPERVISOR_event_channel_op(EVTCHNOP_send, &send);
	else if (vector != XEN_SPIN_UNLOCK_VECTOR)
		pr_warn_once("IPI %d to CPU %u is not bound\n", vector, cpu);
}

/* This CPU's port for IPI @vector, or 0.  Preemption off. */
static evtchn_port_t evt_own_ipi_port(enum ipi_vector vector)
{
	if ((unsigned int)vector >= XEN_NR_IPIS)
		return 0;
	return __this_cpu_read(xen_evtchn_ipi_port[vector]);
}

/**
 * xen_ipi_clear_pending - forget a pending event on this CPU's IPI port
 * @vector: the IPI (XEN_SPIN_UNLOCK_VECTOR for PV spinlocks)
 *
 * Looks the port up in the per-CPU IPI table, which xen_irq_resume() keeps
 * current: no IRQ lookup, no logging, so it is fit for lock slow paths.
 * Nothing happens if the IPI is not bound.  Call with preemption off.
 */
void xen_ipi_clear_pending(enum ipi_vector vector)
{
	evtchn_port_t port = evt_own_ipi_port(vector);

	if (port)
		xen_evtchn_abi->clear_pending(port);
}

/**
 * xen_ipi_poll - block in Xen until this CPU's IPI port is pending
 * @vector: the IPI (XEN_SPIN_UNLOCK_VECTOR for PV spinlocks)
 *
 * SCHEDOP_poll on the port, whether masked or not, without a timeout.
 * Returns at once if the IPI is not bound.  No IRQ lookup, no logging.
 * Call with preemption off.
 */
void xen_ipi_poll(enum ipi_vector vector)
{
	evtchn_port_t port = evt_own_ipi_port(vector);
	struct sched_poll poll = { .nr_ports = 1, .timeout = 0 };

	if (!port)
		return;
	set_xen_guest_handle(poll.ports, &port);
	(void)HYPERVISOR_sched_op(SCHEDOP_poll, &poll);
}

/**
 * xen_clear_irq_pending - forget an event on a binding's port
 * @irq: the IRQ
 *
 * For pcifront (and the borrowed PV spinlocks, until they move to
 * xen_ipi_clear_pending()).
 */
void xen_clear_irq_pending(int irq)
{
	evtchn_port_t port = xen_evt_port_of_irq(irq, _RET_IP_);

	if (port)
		xen_evtchn_abi->clear_pending(port);
}
EXPORT_SYMBOL_GPL(xen_clear_irq_pending);

/**
 * xen_test_irq_pending - whether a binding's port is pending
 * @irq: the IRQ
 *
 * Return: true if pending.
 */
bool xen_test_irq_pending(int irq)
{
	evtchn_port_t port = xen_evt_port_of_irq(irq, _RET_IP_);

	return port && xen_evtchn_abi->is_pending(port);
}

static void evt_poll(int irq, u64 timeout, unsigned long ip)
{
	evtchn_port_t port = xen_evt_port_of_irq(irq, ip);
	struct sched_poll poll = { .nr_ports = 1, .timeout = timeout };
	int rc;

	if (!port)
		return;
	set_xen_guest_handle(poll.ports, &port);
	rc = HYPERVISOR_sched_op(SCHEDOP_poll, &poll);
	if (rc)
		pr_warn_once("SCHEDOP_poll on port %u failed: %d\n", port, rc);
}

/**
 * xen_poll_irq_timeout - block until a binding's port is pending
 * @irq: the IRQ (normally disabled, so no handler runs)
 * @timeout: SCHEDOP_poll's timeout (Xen system time, ns); 0 for none
 */
void xen_poll_irq_timeout(int irq, u64 timeout)
{
	evt_poll(irq, timeout, _RET_IP_);
}
EXPORT_SYMBOL_GPL(xen_poll_irq_timeout);

/**
 * xen_poll_irq - xen_poll_irq_timeout() without a timeout
 * @irq: the IRQ
 */
void xen_poll_irq(int irq)
{
	evt_poll(irq, 0, _RET_IP_);
}
