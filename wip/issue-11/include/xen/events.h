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

unsigned int xen_evtchn_nr_channels(void);

/* Bind a port we already have (allocated, or bound interdomain). */
int bind_evtchn_to_irq(evtchn_port_t evtchn);
int bind_evtchn_to_irq_lateeoi(evtchn_port_t evtchn);
int bind_evtchn_to_irqhandler(evtchn_port_t evtchn, irq_handler_t handler,
			      unsigned long irqflags, const char *devname,
			      void *dev_id);
int bind_evtchn_to_irqhandler_lateeoi(evtchn_port_t evtchn,
				      irq_handler_t handler,
				      unsigned long irqflags,
				      const char *devname, void *dev_id);

/* Ask Xen for a new port: a virtual IRQ, an IPI, an interdomain channel. */
int bind_virq_to_irq(unsigned int virq, unsigned int cpu, bool percpu);
int bind_virq_to_irqhandler(unsigned int virq, unsigned int cpu,
			    irq_handler_t handler, unsigned long irqflags,
			    const char *devname, void *dev_id);
int bind_ipi_to_irqhandler(enum ipi_vector ipi, unsigned int cpu,
			   irq_handler_t handler, unsigned long irqflags,
			   const char *devname, void *dev_id);
int bind_interdomain_evtchn_to_irq_lateeoi(struct xenbus_device *dev,
					   evtchn_port_t remote_port);
int bind_interdomain_evtchn_to_irqhandler_lateeoi(struct xenbus_device *dev,
						  evtchn_port_t remote_port,
						  irq_handler_t handler,
						  unsigned long irqflags,
						  const char *devname,
						  void *dev_id);

/* Undo any bind above: frees the handler and closes the port. */
void unbind_from_irqhandler(unsigned int irq, void *dev_id);

/* End an event on a *_lateeoi binding. */
void xen_irq_lateeoi(unsigned int irq, unsigned int eoi_flags);
#define XEN_EOI_FLAG_SPURIOUS	0x00000001	/* the event brought no work */

/* Only the FIFO ABI has priorities; 0 is the highest. */
#define XEN_IRQ_PRIORITY_MAX     EVTCHN_FIFO_PRIORITY_MAX
#define XEN_IRQ_PRIORITY_DEFAULT EVTCHN_FIFO_PRIORITY_DEFAULT
#define XEN_IRQ_PRIORITY_MIN     EVTCHN_FIFO_PRIORITY_MIN
int xen_set_irq_priority(unsigned int irq, unsigned int priority);

/* Extra references to a port that user space (evtchn.c) handed out. */
int evtchn_make_refcounted(evtchn_port_t evtchn, bool is_static);
int evtchn_get(evtchn_port_t evtchn);
void evtchn_put(evtchn_port_t evtchn);

void xen_send_IPI_one(unsigned int cpu, enum ipi_vector vector);

/* After save/restore: move a bound IRQ onto the port we were given. */
void rebind_evtchn_irq(evtchn_port_t evtchn, int irq);

void notify_remote_via_evtchn(evtchn_port_t port);
void notify_remote_via_irq(int irq);
void xen_evtchn_close(evtchn_port_t port);

/* Re-establish VIRQs and IPIs in the new domain (drivers/xen/manage.c). */
void xen_irq_resume(void);

/* For PV spinlocks: poll a (masked) port instead of taking its IRQ. */
void xen_clear_irq_pending(int irq);
bool xen_test_irq_pending(int irq);
void xen_poll_irq(int irq);
void xen_poll_irq_timeout(int irq, u64 timeout);

/* The IRQ bound to a port, or (unsigned int)-1. */
unsigned int irq_from_evtchn(evtchn_port_t evtchn);

/* HVM: how Xen delivers upcalls; defined in drivers/xen/xenbus. */
int xen_set_callback_via(uint64_t via);

/* The upcall: handle every pending event of this CPU. */
int xen_evtchn_do_upcall(void);

void xen_init_IRQ(void);
irqreturn_t xen_debug_interrupt(int irq, void *dev_id);

/* Whether the FIFO ABI is in use ("xen.fifo_events=0" turns it off). */
extern bool xen_fifo_events;

#endif /* _XEN_EVENTS_H */
