/* SPDX-License-Identifier: GPL-2.0 */
/*
 * evtchn-abi.h - what the event channel core says to the two ABIs.
 *
 * Xen offers two ways to learn which event channels are pending.  The
 * 2-level ABI keeps a pending and a mask bit per port in the shared info
 * page, plus a per-vCPU selector word saying which pending words to look
 * at; it has 4096 ports on x86-64.  The FIFO ABI keeps a 32-bit word per
 * port in pages the guest gives Xen (the event array), and per vCPU a
 * control block holding 16 priority queues that Xen links pending ports
 * onto; it has up to 2^17 ports.
 *
 * evtchn-core.c, which turns channels into Linux interrupts, does not care
 * which one is in use: it calls the ABI through struct evtchn_abi below,
 * and the ABI calls back xen_evtchn_handle_port() for every port it finds
 * pending on the current CPU.
 *
 * Locking, as far as the ABIs are concerned: mask, unmask, set_pending,
 * clear_pending and bind_to_cpu run with interrupts off (unmask may look
 * at the current CPU); setup and cpu_prepare run under the core's bind
 * mutex or, during resume, alone on CPU 0; handle_events runs in the
 * upcall; cpu_dead runs in process context on a CPU still up.
 *
 * The end of this header is what the core shares with the files that
 * carry the rest of the exported interface: evtchn-bind.c (the bind_*()
 * calls), evtchn-ipi.c (IPIs, and waiting on a port without its IRQ) and
 * evtchn-lateeoi.c (pacing the unmask of late-EOI channels).
 */
#ifndef _XEN_EVTCHN_ABI_H
#define _XEN_EVTCHN_ABI_H

#include <linux/gfp_types.h>
#include <linux/interrupt.h>
#include <linux/list.h>
#include <linux/percpu.h>
#include <linux/types.h>

#include <xen/interface/event_channel.h>
#include <asm/xen/events.h>

/**
 * struct evtchn_abi - one way of finding and masking pending ports
 * @name: for the boot log
 * @max_channels: ports this ABI can ever address; larger ones are bad
 * @nr_channels: ports usable now (the FIFO event array grows)
 * @setup: make @port usable before it is bound (FIFO: grow the array)
 * @bind_to_cpu: the port now notifies @cpu
 * @unbind_from_cpu: the port no longer notifies @cpu
 * @mask: set the port's mask bit
 * @unmask: clear it, and make Xen notify again if the port is pending
 * @set_pending: mark the port pending (used to replay an event)
 * @clear_pending: acknowledge an event
 * @is_pending: whether the port is pending
 * @is_masked: whether the port is masked
 * @set_priority: FIFO only (NULL otherwise): queue the port at @priority
 * @handle_events: consume what is pending for the current CPU
 * @cpu_prepare: per-CPU set-up before @cpu first binds a port or comes
 *	online; called again for a CPU that has it already (may be NULL)
 * @cpu_dead: @cpu has gone down: hand back what is still queued for it
 *	(may be NULL)
 * @resume: after save/restore: reset everything Xen forgot or we must
 *	forget; no port is bound when this is called.  Return: 0, or an
 *	error if this ABI cannot be used in the new domain at all, which
 *	is then as Xen leaves it for the 2-level ABI
 */
struct evtchn_abi {
	const char *name;
	unsigned int (*max_channels)(void);
	unsigned int (*nr_channels)(void);
	int (*setup)(evtchn_port_t port, gfp_t gfp);
	void (*bind_to_cpu)(evtchn_port_t port, unsigned int cpu);
	void (*unbind_from_cpu)(evtchn_port_t port, unsigned int cpu);
	void (*mask)(evtchn_port_t port);
	void (*unmask)(evtchn_port_t port);
	void (*set_pending)(evtchn_port_t port);
	void (*clear_pending)(evtchn_port_t port);
	bool (*is_pending)(evtchn_port_t port);
	bool (*is_masked)(evtchn_port_t port);
	int (*set_priority)(evtchn_port_t port, unsigned int priority);
	void (*handle_events)(unsigned int cpu);
	int (*cpu_prepare)(unsigned int cpu);
	void (*cpu_dead)(unsigned int cpu);
	int (*resume)(void);
};

/* In evtchn-core.c: hand one pending port to its interrupt. */
void xen_evtchn_handle_port(evtchn_port_t port);

/*
 * In evtchn-core.c: have Xen queue @port's pending event again, on the
 * CPU its binding is on now, unless that is still @gone, or the binding
 * is masked.  For a port taken off the queues of the dead CPU @gone, by
 * the cpuhp teardown that runs after @gone's smp_ops.cleanup_dead_cpu
 * closed most of its VIRQs and IPIs, and before CPUHP_XEN_PREPARE's
 * teardown closes the rest (its irq_work IPI and PMU VIRQ).
 */
void xen_evtchn_requeue(evtchn_port_t port, unsigned int gone);

/*
 * The ABIs; the FIFO one returns NULL when Xen does not offer it.  The
 * 2-level one also serves as the fallback when a restored domain has no
 * FIFO ABI, so it is not __init.
 */
const struct evtchn_abi *xen_evtchn_2l_init(void);
const struct evtchn_abi *xen_evtchn_fifo_init(void);

/* ---- evtchn-core.c, for its other files ---- */

/* The ABI in use: set at boot, switched only inside xen_irq_resume(). */
extern const struct evtchn_abi *xen_evtchn_abi;

/* Each CPU's IPI ports, kept current by the core; 0 while not bound. */
DECLARE_PER_CPU(evtchn_port_t [XEN_NR_IPIS], xen_evtchn_ipi_port);

enum evt_kind { EVT_PORT, EVT_VIRQ, EVT_IPI };

/* The port behind one of our IRQs, or 0 (a foreign IRQ is logged once). */
evtchn_port_t xen_evt_port_of_irq(unsigned int irq, unsigned long ip);

/*
 * Binding, with the rules the bind_*() kernel-doc states: a port the
 * caller owns (the same IRQ again if bound already the same way), or a
 * VIRQ or IPI of @cpu (EVT_VIRQ or EVT_IPI; -EEXIST if bound already with
 * the other @percpu).  @ip 0 means Xen has just made the port for us
 * (interdomain): one our map has already is refused with -EIO, neither
 * shared nor closed, and any other failure closes it.  Return: the IRQ or
 * -errno.
 */
int xen_evt_bind_port(evtchn_port_t port, bool lateeoi, unsigned long ip);
int xen_evt_bind_local(enum evt_kind kind, unsigned int index,
		       unsigned int cpu, bool percpu);
/*
 * request_irq() on what one of the two above returned (passed on if
 * negative); on failure the binding's user is dropped and, if @close,
 * the port closed with the last one.  Return: the IRQ or -errno.
 */
int xen_evt_request(int irq, irq_handler_t handler, unsigned long flags,
		    const char *devname, void *dev_id, bool close);

/**
 * struct evt_eoi - a late-EOI binding's account (evtchn-lateeoi.c)
 * @node: on the list of put-off unmasks
 * @due: jiffies at which the put-off unmask is due
 * @spurious: spurious EOIs in a row
 * @dying: the binding is going; no unmask any more
 *
 * Guarded by the lock in evtchn-lateeoi.c.  Zeroed memory with @node
 * initialised is a fresh account.
 */
struct evt_eoi {
	struct list_head node;
	unsigned long due;
	unsigned int spurious;
	bool dying;
};

/* End a late-EOI event: unmask now, or later after too many spurious. */
void xen_evt_eoi_end(struct evt_eoi *e, bool spurious);
/* The binding goes: forget any put-off unmask and refuse later EOIs. */
void xen_evt_eoi_forget(struct evt_eoi *e);
/* In evtchn-core.c: lift the EOI mask; called with that lock held. */
void xen_evtchn_eoi_unmask(struct evt_eoi *e);

#endif /* _XEN_EVTCHN_ABI_H */
