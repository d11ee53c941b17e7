/* SPDX-License-Identifier: GPL-2.0 */
/*
 * events.h - Xen event channels, as the rest of the kernel sees them.
 *
 * An event channel is Xen's doorbell: a numbered port that the other end
 * (another domain, Xen itself for a virtual IRQ, or another vCPU of ours
 * for an IPI) can make pending.  drivers/xen/events/ turns every bound
 * port into a Linux interrupt: the bind_*() calls return an IRQ number,
 * unbind_from_irqhandler() undoes any of them and closes the port, and
 * notify_remote_via_*() rings the other end's bell.
 *
 * A frontend whose backend may flood it binds with the *_lateeoi
 * variants: its handler then ends every event with xen_irq_lateeoi(),
 * saying XEN_EOI_FLAG_SPURIOUS when the event brought no work, and the
 * channel stays masked until then (longer, if the spurious ones pile up).
 *
 * The x86 half (enum ipi_vector, and the PV spinlock calls that wait on
 * this CPU's IPI port) is in asm/xen/events.h, included below.
 */
#ifndef _XEN_EVENTS_H
#define _XEN_EVENTS_H

#include <linux/interrupt.h>
#include <linux/irq.h>
#include <linux/types.h>

#include <xen/interface/event_channel.h>
#include <asm/xen/hypercall.h>
#include <asm/xen/events.h>

struct xenbus_device;

/*
 * Set-up, in the order the kernel needs them: the ABI and the hotplug
 * state at boot (x86_init.irqs.intr_init), the upcall for every event,
 * the VIRQ_DEBUG dump, and the rebuild after save/restore (manage.c).
 */
void xen_init_IRQ(void);
int xen_evtchn_do_upcall(void);
irqreturn_t xen_debug_interrupt(int irq, void *dev_id);
void xen_irq_resume(void);

/* The FIFO ABI is used unless Xen lacks it or "xen.fifo_events=0". */
extern bool xen_fifo_events;
unsigned int xen_evtchn_nr_channels(void);

/* HVM: how Xen delivers upcalls; defined in drivers/xen/xenbus. */
int xen_set_callback_via(uint64_t via);

/*
 * Ports that Xen allocates for us, on one vCPU: a virtual IRQ or an IPI
 * channel; and a connection to a backend's unbound port (late EOI).
 * Each returns the IRQ, or a negative errno with nothing left open.
 */
int bind_virq_to_irq(unsigned int virq, unsigned int cpu, bool percpu);
int bind_virq_to_irqhandler(unsigned int virq, unsigned int cpu,
			    irq_handler_t handler, unsigned long irqflags,
			    const char *devname, void *dev_id);
int bind_ipi_to_irqhandler(enum ipi_vector ipi, unsigned int cpu,
			   irq_handler_t handler, unsigned long irqflags,
			   const char *devname, void *dev_id);
int bind_interdomain_evtchn_to_irqhandler_lateeoi(struct xenbus_device *xdev,
						  evtchn_port_t remote,
						  irq_handler_t handler,
						  unsigned long irqflags,
						  const char *devname,
						  void *dev_id);
int bind_interdomain_evtchn_to_irq_lateeoi(struct xenbus_device *xdev,
					   evtchn_port_t remote);

/*
 * Ports the caller has already (allocated unbound, or given by the
 * toolstack).  On failure the port is left open: it is the caller's.
 */
int bind_evtchn_to_irqhandler(evtchn_port_t evtchn, irq_handler_t handler,
			      unsigned long irqflags, const char *devname,
			      void *dev_id);
int bind_evtchn_to_irqhandler_lateeoi(evtchn_port_t evtchn,
				      irq_handler_t handler,
				      unsigned long irqflags,
				      const char *devname, void *dev_id);
int bind_evtchn_to_irq(evtchn_port_t evtchn);
int bind_evtchn_to_irq_lateeoi(evtchn_port_t evtchn);

/* After save/restore: move a bound IRQ onto the port we were given. */
void rebind_evtchn_irq(evtchn_port_t evtchn, int irq);

/* Undo any bind above: frees the handler and closes the port. */
void unbind_from_irqhandler(unsigned int irq, void *dev_id);

/* End an event on a *_lateeoi binding. */
void xen_irq_lateeoi(unsigned int irq, unsigned int eoi_flags);
#define XEN_EOI_FLAG_SPURIOUS	0x00000001	/* the event brought no work */

/* Ringing the other end, and closing a port that has no IRQ. */
void notify_remote_via_irq(int irq);
void notify_remote_via_evtchn(evtchn_port_t port);
void xen_evtchn_close(evtchn_port_t port);
void xen_send_IPI_one(unsigned int cpu, enum ipi_vector vector);

/* Only the FIFO ABI has priorities; 0 is the highest. */
#define XEN_IRQ_PRIORITY_MAX     EVTCHN_FIFO_PRIORITY_MAX
#define XEN_IRQ_PRIORITY_DEFAULT EVTCHN_FIFO_PRIORITY_DEFAULT
#define XEN_IRQ_PRIORITY_MIN     EVTCHN_FIFO_PRIORITY_MIN
int xen_set_irq_priority(unsigned int irq, unsigned int priority);

/*
 * User space's ports (/dev/xen/evtchn, the grant devices): extra
 * references, and the IRQ behind a port number, or (unsigned int)-1.
 */
int evtchn_make_refcounted(evtchn_port_t evtchn, bool is_static);
int evtchn_get(evtchn_port_t evtchn);
void evtchn_put(evtchn_port_t evtchn);
unsigned int irq_from_evtchn(evtchn_port_t evtchn);

/*
 * Waiting in Xen for a bound IRQ's port to become pending, without taking
 * the interrupt (pcifront; PV spinlocks use the IPI calls instead).
 */
void xen_poll_irq_timeout(int irq, u64 timeout);
void xen_poll_irq(int irq);
bool xen_test_irq_pending(int irq);
void xen_clear_irq_pending(int irq);

#endif /* _XEN_EVENTS_H */
