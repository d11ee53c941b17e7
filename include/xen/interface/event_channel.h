/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Event channels: HYPERVISOR_event_channel_op and the FIFO event ABI.
 *
 * Restates what Linux uses from Xen's public event_channel.h (Xen 4.17,
 * /usr/include/xen/event_channel.h).  An event channel is a port number
 * local to a domain; binding attaches it to a virtual IRQ, an IPI target
 * vCPU or a port of another domain, and Xen marks it pending when the
 * source fires.  Two ABIs report pending ports: the 2-level bitmaps in
 * shared_info (EVTCHN_2L_NR_CHANNELS ports), and the FIFO ABI, where each
 * port is a 32-bit event word in guest-provided "event array" pages and
 * each vCPU has a control block of per-priority queue heads; the words
 * of pending ports are linked into those queues by Xen.
 */

#ifndef __XEN_INTERFACE_EVENT_CHANNEL_H__
#define __XEN_INTERFACE_EVENT_CHANNEL_H__

#include <linux/build_bug.h>
#include <linux/stddef.h>
#include <xen/interface/xen.h>

typedef u32 evtchn_port_t;

/* HYPERVISOR_event_channel_op commands; the argument struct follows. */
#define EVTCHNOP_bind_interdomain	0
#define EVTCHNOP_bind_virq		1
#define EVTCHNOP_close			3
#define EVTCHNOP_send			4
#define EVTCHNOP_alloc_unbound		6
#define EVTCHNOP_bind_ipi		7
#define EVTCHNOP_bind_vcpu		8
#define EVTCHNOP_unmask			9
#define EVTCHNOP_init_control		11
#define EVTCHNOP_expand_array		12
#define EVTCHNOP_set_priority		13

/* A fresh port that domain remote_dom may bind to (out: port). */
struct evtchn_alloc_unbound {
	domid_t dom, remote_dom;
	evtchn_port_t port;
};

/* Connect to another domain's unbound port (out: local_port). */
struct evtchn_bind_interdomain {
	domid_t remote_dom;
	evtchn_port_t remote_port;
	evtchn_port_t local_port;
};

/* A port for virtual IRQ virq on vCPU vcpu (out: port). */
struct evtchn_bind_virq {
	u32 virq;
	u32 vcpu;
	evtchn_port_t port;
};

/* A port that raises an IPI on vCPU vcpu (out: port). */
struct evtchn_bind_ipi {
	u32 vcpu;
	evtchn_port_t port;
};

struct evtchn_close {
	evtchn_port_t port;
};

struct evtchn_send {
	evtchn_port_t port;
};

/* Deliver port's events to vCPU vcpu from now on. */
struct evtchn_bind_vcpu {
	evtchn_port_t port;
	u32 vcpu;
};

/* Clear the mask bit, redelivering a pending event. */
struct evtchn_unmask {
	evtchn_port_t port;
};

/*
 * FIFO ABI: register vCPU vcpu's control block, which is at byte offset
 * in guest frame control_gfn.  link_bits (out) is EVTCHN_FIFO_LINK_BITS.
 */
struct evtchn_init_control {
	u64 control_gfn;
	u32 offset;
	u32 vcpu;
	u8 link_bits;
	u8 _pad[7];
};

/* FIFO ABI: add one more event-array page. */
struct evtchn_expand_array {
	u64 array_gfn;
};

/* FIFO ABI: queue a port at another priority. */
struct evtchn_set_priority {
	evtchn_port_t port;
	u32 priority;
};

/* Ports the 2-level ABI covers: one bit per port of the bitmaps. */
#define EVTCHN_2L_NR_CHANNELS	(sizeof(xen_ulong_t) * sizeof(xen_ulong_t) * 64)

/*
 * FIFO ABI.  An event word holds the status bits below and, in its low
 * EVTCHN_FIFO_LINK_BITS, the port that follows it in its queue.
 * Priority 0 is the highest.
 */
typedef u32 event_word_t;

#define EVTCHN_FIFO_PRIORITY_MAX	0
#define EVTCHN_FIFO_PRIORITY_DEFAULT	7
#define EVTCHN_FIFO_PRIORITY_MIN	15
#define EVTCHN_FIFO_MAX_QUEUES		(EVTCHN_FIFO_PRIORITY_MIN + 1)

#define EVTCHN_FIFO_PENDING		31
#define EVTCHN_FIFO_MASKED		30
#define EVTCHN_FIFO_LINKED		29
#define EVTCHN_FIFO_BUSY		28

#define EVTCHN_FIFO_LINK_BITS		17
#define EVTCHN_FIFO_LINK_MASK		(EVTCHN_FIFO_NR_CHANNELS - 1)
#define EVTCHN_FIFO_NR_CHANNELS		0x20000	/* 2^EVTCHN_FIFO_LINK_BITS */

/* Per-vCPU: a bit per non-empty queue, and each queue's head port. */
struct evtchn_fifo_control_block {
	u32 ready;
	u32 _rsvd;
	event_word_t head[EVTCHN_FIFO_MAX_QUEUES];
};

static_assert(sizeof(struct evtchn_alloc_unbound) == 8);
static_assert(sizeof(struct evtchn_bind_interdomain) == 12);
static_assert(offsetof(struct evtchn_bind_interdomain, local_port) == 8);
static_assert(sizeof(struct evtchn_bind_virq) == 12);
static_assert(offsetof(struct evtchn_bind_virq, port) == 8);
static_assert(sizeof(struct evtchn_bind_ipi) == 8);
static_assert(sizeof(struct evtchn_close) == 4);
static_assert(sizeof(struct evtchn_send) == 4);
static_assert(sizeof(struct evtchn_bind_vcpu) == 8);
static_assert(sizeof(struct evtchn_unmask) == 4);
static_assert(sizeof(struct evtchn_init_control) == 24);
static_assert(offsetof(struct evtchn_init_control, offset) == 8);
static_assert(offsetof(struct evtchn_init_control, vcpu) == 12);
static_assert(offsetof(struct evtchn_init_control, link_bits) == 16);
static_assert(sizeof(struct evtchn_expand_array) == 8);
static_assert(sizeof(struct evtchn_set_priority) == 8);
static_assert(sizeof(struct evtchn_fifo_control_block) == 72);
static_assert(offsetof(struct evtchn_fifo_control_block, head) == 8);

#endif /* __XEN_INTERFACE_EVENT_CHANNEL_H__ */
