/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The per-vCPU I/O request slot shared between Xen and a device model.
 *
 * Restates struct ioreq and the constants privcmd's ioeventfd support
 * reads, from Xen's public hvm/ioreq.h (Xen 4.17,
 * /usr/include/xen/hvm/ioreq.h).  Xen fills the slot of a vCPU that
 * touched emulated I/O, moves state to READY and signals the vCPU's event
 * channel; the device model handles it, marks it INPROCESS while working
 * and IORESP_READY when done.
 */

#ifndef __XEN_INTERFACE_HVM_IOREQ_H__
#define __XEN_INTERFACE_HVM_IOREQ_H__

#include <linux/build_bug.h>
#include <linux/types.h>

#define IOREQ_WRITE		0	/* dir */

#define STATE_IOREQ_READY	1
#define STATE_IOREQ_INPROCESS	2
#define STATE_IORESP_READY	3

#define IOREQ_TYPE_COPY		1	/* MMIO access */

struct ioreq {
	u64 addr;		/* guest physical address accessed */
	u64 data;		/* value, or guest address of it */
	u32 count;		/* repeat count (rep prefixes) */
	u32 size;		/* access width in bytes */
	u32 vp_eport;		/* event channel of the vCPU */
	u16 _pad0;
	u8 state:4;
	u8 dir:1;		/* 1 read, 0 write */
	u8 df:1;
	u8 _pad1:1;
	u8 type;		/* IOREQ_TYPE_* */
};

static_assert(sizeof(struct ioreq) == 32);

#endif /* __XEN_INTERFACE_HVM_IOREQ_H__ */
