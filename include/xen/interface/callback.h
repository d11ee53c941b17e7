/* SPDX-License-Identifier: GPL-2.0 */
/*
 * HYPERVISOR_callback_op: the entry points Xen calls in a PV kernel.
 *
 * Restates what Linux uses from Xen's public callback.h (Xen 4.17,
 * /usr/include/xen/callback.h).  A 64-bit PV kernel registers its event
 * upcall, the failsafe handler (for a bad segment on return to the
 * guest) and its syscall/sysenter entries; Xen enters them with the
 * frame Xen's iret hypercall later unwinds.
 */

#ifndef __XEN_INTERFACE_CALLBACK_H__
#define __XEN_INTERFACE_CALLBACK_H__

#include <linux/build_bug.h>
#include <linux/stddef.h>
#include <xen/interface/xen.h>

#define CALLBACKOP_register	0

#define CALLBACKTYPE_event	0
#define CALLBACKTYPE_failsafe	1
#define CALLBACKTYPE_syscall	2	/* 64-bit syscall */
#define CALLBACKTYPE_sysenter	5	/* 32-bit sysenter */
#define CALLBACKTYPE_syscall32	7	/* 32-bit syscall */

/* Mask events while the callback runs. */
#define CALLBACKF_mask_events	0x1U

struct callback_register {
	u16 type;		/* CALLBACKTYPE_* */
	u16 flags;		/* CALLBACKF_* */
	unsigned long address;	/* XEN_CALLBACK(cs, rip) */
};

static_assert(sizeof(struct callback_register) == 16);
static_assert(offsetof(struct callback_register, address) == 8);

#endif /* __XEN_INTERFACE_CALLBACK_H__ */
