/* SPDX-License-Identifier: GPL-2.0 */
/*
 * HYPERVISOR_vcpu_op: bringing vCPUs up and down, their timers, and
 * where Xen writes their shared state.
 *
 * Restates what Linux uses from Xen's public vcpu.h (Xen 4.17,
 * /usr/include/xen/vcpu.h).  A PV vCPU other than 0 starts from a
 * struct vcpu_guest_context given to VCPUOP_initialise and runs after
 * VCPUOP_up.  VCPUOP_register_vcpu_info moves a vCPU's struct vcpu_info
 * out of the shared-info page to a guest-chosen place (needed beyond
 * MAX_VIRT_CPUS vCPUs); VCPUOP_register_runstate_memory_area makes Xen
 * keep a vcpu_runstate_info (time spent running, runnable, blocked,
 * offline) up to date in guest memory, the source of steal time.
 */

#ifndef __XEN_INTERFACE_VCPU_H__
#define __XEN_INTERFACE_VCPU_H__

#include <linux/build_bug.h>
#include <linux/stddef.h>
#include <xen/interface/xen.h>

#define VCPUOP_initialise			0	/* vcpu_guest_context */
#define VCPUOP_up				1
#define VCPUOP_down				2
#define VCPUOP_is_up				3
#define VCPUOP_get_runstate_info		4	/* vcpu_runstate_info */
#define VCPUOP_register_runstate_memory_area	5
#define VCPUOP_stop_periodic_timer		7
#define VCPUOP_set_singleshot_timer		8
#define VCPUOP_stop_singleshot_timer		9
#define VCPUOP_register_vcpu_info		10
#define VCPUOP_send_nmi				11

/* vcpu_runstate_info.state, and the index into time[]. */
#define RUNSTATE_running	0
#define RUNSTATE_runnable	1	/* wants to run, not scheduled */
#define RUNSTATE_blocked	2	/* waiting for an event */
#define RUNSTATE_offline	3	/* down, or preempted by Xen */

/*
 * Set in state_entry_time while Xen rewrites the record (when the guest
 * enabled VMASST_TYPE_runstate_update_flag); a reader retries.
 */
#define XEN_RUNSTATE_UPDATE	0x8000000000000000ULL

struct vcpu_runstate_info {
	int state;
	u64 state_entry_time;	/* system time of the last state change */
	u64 time[4];		/* ns spent in each RUNSTATE_* */
};

struct vcpu_register_runstate_memory_area {
	union {
		struct vcpu_runstate_info *v;
		u64 p;
	} addr;
};

/* Fire VIRQ_TIMER at absolute system time timeout_abs_ns. */
#define VCPU_SSHOTTMR_future	0x1U	/* fail if already past */

struct vcpu_set_singleshot_timer {
	u64 timeout_abs_ns;
	u32 flags;
};

/* Put this vCPU's vcpu_info at byte offset in guest frame mfn. */
struct vcpu_register_vcpu_info {
	u64 mfn;
	u32 offset;
	u32 rsvd;
};

static_assert(sizeof(struct vcpu_runstate_info) == 48);
static_assert(offsetof(struct vcpu_runstate_info, state_entry_time) == 8);
static_assert(offsetof(struct vcpu_runstate_info, time) == 16);
static_assert(sizeof(struct vcpu_register_runstate_memory_area) == 8);
static_assert(sizeof(struct vcpu_set_singleshot_timer) == 16);
static_assert(offsetof(struct vcpu_set_singleshot_timer, flags) == 8);
static_assert(sizeof(struct vcpu_register_vcpu_info) == 16);
static_assert(offsetof(struct vcpu_register_vcpu_info, offset) == 8);

#endif /* __XEN_INTERFACE_VCPU_H__ */
