/* SPDX-License-Identifier: GPL-2.0 */
/*
 * HYPERVISOR_sched_op: giving up the CPU, waiting for events, shutting
 * the domain down.
 *
 * Restates what Linux uses from Xen's public sched.h (Xen 4.17,
 * /usr/include/xen/sched.h).  SCHEDOP_block sleeps until an event is
 * pending for this vCPU (events must be unmasked); SCHEDOP_poll sleeps
 * until one of a list of ports is pending, even with events masked, or a
 * timeout passes.  SCHEDOP_shutdown with SHUTDOWN_suspend is the PV
 * save/restore entry (see HYPERVISOR_suspend).
 */

#ifndef __XEN_INTERFACE_SCHED_H__
#define __XEN_INTERFACE_SCHED_H__

#include <linux/build_bug.h>
#include <linux/stddef.h>
#include <xen/interface/event_channel.h>

#define SCHEDOP_yield		0	/* arg unused */
#define SCHEDOP_block		1	/* arg unused */
#define SCHEDOP_shutdown	2	/* struct sched_shutdown */
#define SCHEDOP_poll		3	/* struct sched_poll */
#define SCHEDOP_pin_override	7	/* struct sched_pin_override (dom0) */

/* struct sched_shutdown.reason */
#define SHUTDOWN_poweroff	0
#define SHUTDOWN_reboot		1
#define SHUTDOWN_suspend	2
#define SHUTDOWN_crash		3
#define SHUTDOWN_soft_reset	5

struct sched_shutdown {
	unsigned int reason;
};

/* timeout: absolute system time in ns, 0 for none. */
struct sched_poll {
	evtchn_port_t *ports;
	unsigned int nr_ports;
	u64 timeout;
};

/* Pin the calling vCPU to physical CPU pcpu; -1 undoes it. */
struct sched_pin_override {
	s32 pcpu;
};

static_assert(sizeof(struct sched_shutdown) == 4);
static_assert(sizeof(struct sched_poll) == 24);
static_assert(offsetof(struct sched_poll, nr_ports) == 8);
static_assert(offsetof(struct sched_poll, timeout) == 16);
static_assert(sizeof(struct sched_pin_override) == 4);

#endif /* __XEN_INTERFACE_SCHED_H__ */
