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
 * at the current CPU); setup runs under the core's bind mutex or, during
 * resume, alone on CPU 0; handle_events runs in the upcall.
 */
#ifndef _XEN_EVTCHN_ABI_H
#define _XEN_EVTCHN_ABI_H

#include <linux/gfp_types.h>
#include <linux/types.h>

#include <xen/interface/event_channel.h>

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
 * @cpu_prepare: per-CPU set-up before @cpu comes online (may be NULL)
 * @resume: after save/restore: reset everything Xen forgot or we must
 *	forget; no port is bound when this is called
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
	void (*resume)(void);
};

/* In evtchn-core.c: hand one pending port to its interrupt. */
void xen_evtchn_handle_port(evtchn_port_t port);

/* The ABIs; the FIFO one returns NULL when Xen does not offer it. */
const struct evtchn_abi *xen_evtchn_2l_init(void);
const struct evtchn_abi *xen_evtchn_fifo_init(void);

/* In evtchn-hvm.c: how an HVM guest gets its upcalls. */
#ifdef CONFIG_XEN_PVHVM
void xen_evtchn_hvm_init(void);
#else
static inline void xen_evtchn_hvm_init(void) { }
#endif

#endif /* _XEN_EVTCHN_ABI_H */
