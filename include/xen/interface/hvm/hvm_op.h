/* SPDX-License-Identifier: GPL-2.0 */
/*
 * HYPERVISOR_hvm_op sub-operations that an HVM guest's kernel uses.
 *
 * Restates the parts of Xen's public hvm/hvm_op.h (Xen 4.17,
 * /usr/include/xen/hvm/hvm_op.h) that Linux calls: reading and writing
 * HVM parameters (hvm/params.h), the "page table dying" hint sent when an
 * address space is torn down, the memory-type query used to keep
 * /proc/vmcore away from emulated MMIO, and the per-vCPU upcall vector.
 */

#ifndef __XEN_INTERFACE_HVM_HVM_OP_H__
#define __XEN_INTERFACE_HVM_HVM_OP_H__

#include <linux/build_bug.h>
#include <linux/stddef.h>
#include <xen/interface/xen.h>

#define HVMOP_set_param			0
#define HVMOP_get_param			1
#define HVMOP_pagetable_dying		9
#define HVMOP_get_mem_type		15
#define HVMOP_set_evtchn_upcall_vector	23

/* HVMOP_set_param, HVMOP_get_param */
struct xen_hvm_param {
	domid_t domid;		/* DOMID_SELF */
	u32 index;		/* HVM_PARAM_* */
	u64 value;
};

/* HVMOP_pagetable_dying: gpa is the top-level page table's address. */
struct xen_hvm_pagetable_dying {
	domid_t domid;
	aligned_u64 gpa;
};

/* HVMOP_get_mem_type: what backs guest frame pfn. */
enum hvmmem_type_t {
	HVMMEM_ram_rw,
	HVMMEM_ram_ro,
	HVMMEM_mmio_dm,		/* emulated by a device model */
};

struct xen_hvm_get_mem_type {
	domid_t domid;
	u16 mem_type;		/* out: enum hvmmem_type_t */
	u16 pad[2];
	u64 pfn;
};

/* HVMOP_set_evtchn_upcall_vector: per-vCPU delivery by vector. */
struct xen_hvm_evtchn_upcall_vector {
	u32 vcpu;
	u8 vector;
};

static_assert(sizeof(struct xen_hvm_param) == 16);
static_assert(offsetof(struct xen_hvm_param, index) == 4);
static_assert(offsetof(struct xen_hvm_param, value) == 8);
static_assert(sizeof(struct xen_hvm_pagetable_dying) == 16);
static_assert(sizeof(struct xen_hvm_get_mem_type) == 16);
static_assert(offsetof(struct xen_hvm_get_mem_type, pfn) == 8);
static_assert(sizeof(struct xen_hvm_evtchn_upcall_vector) == 8);

#endif /* __XEN_INTERFACE_HVM_HVM_OP_H__ */
