// SPDX-License-Identifier: GPL-2.0
/*
 * evtchn-bind.c - the bind_*() calls: an event channel becomes an IRQ.
 *
 * Drivers meet event channels in one of three ways, and each has its call
 * here; all of them end in the core (evtchn-core.c), which owns bindings:
 *
 *  - a port the caller has already: allocated unbound for a backend to
 *    connect to, or handed over by the toolstack (xenstore, the console).
 *    bind_evtchn_to_irq*() give it an IRQ; a failure leaves the port open,
 *    since it is the caller's to close;
 *  - a port we make by connecting to a backend's unbound port
 *    (EVTCHNOP_bind_interdomain); if binding then fails we close it again;
 *  - a virtual IRQ or an IPI channel of one vCPU, which Xen allocates for
 *    us (bind_virq_to_irq*(), bind_ipi_to_irqhandler()); Xen's port is
 *    closed again when the binding fails or goes.
 *
 * The *handler variants also request_irq() and undo the bind if that
 * fails; unbind_from_irqhandler() (in the core) undoes any of them.  The
 * *_lateeoi variants make each event keep the port masked until the driver
 * calls xen_irq_lateeoi().  IPIs stay enabled across suspend, because
 * stop_machine() needs them.
 */

#define pr_fmt(fmt) "xen-evtchn: " fmt

#include <linux/export.h>
#include <linux/instruction_pointer.h>
#include <linux/interrupt.h>

#include <asm/xen/hypercall.h>

#include <xen/events.h>
#include <xen/interface/event_channel.h>
#include <xen/interface/xen.h>
#include <xen/xenbus.h>

#include "evtchn-abi.h"

/**
 * bind_evtchn_to_irq - give a port we own a Linux IRQ
 * @evtchn: the port (allocated unbound, or bound interdomain, by the caller)
 *
 * No handler is installed; the IRQ stays masked until request_irq().  A
 * port bound already in the same way returns the same IRQ.
 *
 * Return: the IRQ, or a negative errno (the port is then left open).
 */
int bind_evtchn_to_irq(evtchn_port_t evtchn)
{
	return xen_evt_bind_port(evtchn, false, _RET_IP_);
}
EXPORT_SYMBOL_GPL(bind_evtchn_to_irq);

/**
 * bind_evtchn_to_irq_lateeoi - bind_evtchn_to_irq() with late EOI
 * @evtchn: the port
 *
 * Each event then keeps the port masked until xen_irq_lateeoi().
 *
 * Return: the IRQ, or a negative errno (the port is then left open).
 */
int bind_evtchn_to_irq_lateeoi(evtchn_port_t evtchn)
{
	return xen_evt_bind_port(evtchn, true, _RET_IP_);
}
EXPORT_SYMBOL_GPL(bind_evtchn_to_irq_lateeoi);

/**
 * bind_evtchn_to_irqhandler - bind a port we own and install a handler
 * @evtchn: the port
 * @handler: the handler
 * @irqflags: for request_irq()
 * @devname: the name /proc/interrupts shows ("xen-evtchn" if NULL)
 * @dev_id: the handler's cookie
 *
 * Return: the IRQ, or a negative errno (the port is then left open).
 */
int bind_evtchn_to_irqhandler(evtchn_port_t evtchn, irq_handler_t handler,
			      unsigned long irqflags, const char *devname,
			      void *dev_id)
{
	int irq = xen_evt_bind_port(evtchn, false, _RET_IP_);

	return xen_evt_request(irq, handler, irqflags, devname, dev_id, false);
}
EXPORT_SYMBOL_GPL(bind_evtchn_to_irqhandler);

/**
 * bind_evtchn_to_irqhandler_lateeoi - the same, with late EOI
 * @evtchn: the port
 * @handler: the handler, which ends each event with xen_irq_lateeoi()
 * @irqflags: for request_irq()
 * @devname: the name /proc/interrupts shows ("xen-evtchn" if NULL)
 * @dev_id: the handler's cookie
 *
 * Return: the IRQ, or a negative errno (the port is then left open).
 */
int bind_evtchn_to_irqhandler_lateeoi(evtchn_port_t evtchn,
				      irq_handler_t handler,
				      unsigned long irqflags,
				      const char *devname, void *dev_id)
{
	int irq = xen_evt_bind_port(evtchn, true, _RET_IP_);

	return xen_evt_request(irq, handler, irqflags, devname, dev_id, false);
}
EXPORT_SYMBOL_GPL(bind_evtchn_to_irqhandler_lateeoi);

/**
 * bind_interdomain_evtchn_to_irq_lateeoi - connect to a remote port
 * @xdev: the xenbus device whose other end offers @remote
 * @remote: the other end's unbound port
 *
 * Return: the IRQ (late EOI), or a negative errno.  The new port is
 * closed again on failure, unless Xen's number was out of range or bound
 * already (-EIO): such a number is not ours to close.
 */
int bind_interdomain_evtchn_to_irq_lateeoi(struct xenbus_device *xdev,
					   evtchn_port_t remote)
{
	struct evtchn_bind_interdomain op = {
		.remote_dom = xdev->otherend_id,
		.remote_port = remote,
	};
	int rc;

	rc = HYPERVISOR_event_channel_op(EVTCHNOP_bind_interdomain, &op);
	if (rc)
		return rc;
	/* ip 0: a port fresh from Xen, checked and closed as such. */
	return xen_evt_bind_port(op.local_port, true, 0);
}
EXPORT_SYMBOL_GPL(bind_interdomain_evtchn_to_irq_lateeoi);

/**
 * bind_interdomain_evtchn_to_irqhandler_lateeoi - connect and install
 * @xdev: the xenbus device whose other end offers @remote
 * @remote: the other end's unbound port
 * @handler: the handler, which ends each event with xen_irq_lateeoi()
 * @irqflags: for request_irq()
 * @devname: the name /proc/interrupts shows ("xen-evtchn" if NULL)
 * @dev_id: the handler's cookie
 *
 * Return: the IRQ, or a negative errno (nothing is left bound or open).
 */
int bind_interdomain_evtchn_to_irqhandler_lateeoi(struct xenbus_device *xdev,
						  evtchn_port_t remote,
						  irq_handler_t handler,
						  unsigned long irqflags,
						  const char *devname,
						  void *dev_id)
{
	int irq = bind_interdomain_evtchn_to_irq_lateeoi(xdev, remote);

	return xen_evt_request(irq, handler, irqflags, devname, dev_id, true);
}
EXPORT_SYMBOL_GPL(bind_interdomain_evtchn_to_irqhandler_lateeoi);

/**
 * bind_virq_to_irq - bind a virtual IRQ of a vCPU
 * @virq: VIRQ_*
 * @cpu: the CPU whose vCPU receives it
 * @percpu: handle it as a per-CPU interrupt
 *
 * Return: the IRQ (the same one if bound already with the same @percpu;
 * -EEXIST if with the other), or a negative errno.
 */
int bind_virq_to_irq(unsigned int virq, unsigned int cpu, bool percpu)
{
	if (virq >= NR_VIRQS)
		return -EINVAL;
	return xen_evt_bind_local(EVT_VIRQ, virq, cpu, percpu);
}

/**
 * bind_virq_to_irqhandler - bind a virtual IRQ and install a handler
 * @virq: VIRQ_*
 * @cpu: the CPU whose vCPU receives it
 * @handler: the handler
 * @irqflags: for request_irq(); IRQF_PERCPU makes it a per-CPU interrupt
 * @devname: the name /proc/interrupts shows ("xen-evtchn" if NULL)
 * @dev_id: the handler's cookie
 *
 * Return: the IRQ, or a negative errno.
 */
int bind_virq_to_irqhandler(unsigned int virq, unsigned int cpu,
			    irq_handler_t handler, unsigned long irqflags,
			    const char *devname, void *dev_id)
{
	int irq = bind_virq_to_irq(virq, cpu, irqflags & IRQF_PERCPU);

	return xen_evt_request(irq, handler, irqflags, devname, dev_id, true);
}
EXPORT_SYMBOL_GPL(bind_virq_to_irqhandler);

/**
 * bind_ipi_to_irqhandler - bind an IPI channel of a vCPU
 * @ipi: which IPI
 * @cpu: the CPU that receives it
 * @handler: the handler
 * @irqflags: for request_irq()
 * @devname: the name /proc/interrupts shows ("xen-evtchn" if NULL)
 * @dev_id: the handler's cookie
 *
 * IPIs stay enabled across system suspend: stop_machine() needs them.
 *
 * Return: the IRQ, or a negative errno.
 */
int bind_ipi_to_irqhandler(enum ipi_vector ipi, unsigned int cpu,
			   irq_handler_t handler, unsigned long irqflags,
			   const char *devname, void *dev_id)
{
	int irq;

	if ((unsigned int)ipi >= XEN_NR_IPIS || ipi == XEN_NMI_VECTOR)
		return -EINVAL;
	irq = xen_evt_bind_local(EVT_IPI, ipi, cpu, true);
	return xen_evt_request(irq, handler, irqflags | IRQF_NO_SUSPEND,
			       devname, dev_id, true);
}
