/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The buffer list of HYPERVISOR_dm_op.
 *
 * Restates struct xen_dm_op_buf from Xen's public hvm/dm_op.h (Xen 4.17,
 * /usr/include/xen/hvm/dm_op.h).  privcmd passes a device model's
 * dm_op request through to Xen as an array of (user pointer, length)
 * buffers without interpreting them; the first buffer holds the
 * operation itself.
 */

#ifndef __XEN_INTERFACE_HVM_DM_OP_H__
#define __XEN_INTERFACE_HVM_DM_OP_H__

#include <linux/build_bug.h>
#include <xen/interface/xen.h>

struct xen_dm_op_buf {
	void *h;		/* user buffer */
	xen_ulong_t size;
};

static_assert(sizeof(struct xen_dm_op_buf) == 16);

#endif /* __XEN_INTERFACE_HVM_DM_OP_H__ */
