/* SPDX-License-Identifier: GPL-2.0 */
/*
 * HYPERVISOR_xenpmu_op: the virtual PMU of PV guests.
 *
 * Restates what Linux uses from Xen's public pmu.h (Xen 4.17,
 * /usr/include/xen/pmu.h).  A vCPU registers one page (XENPMU_init with
 * the page's frame in val) that Xen fills with a struct xen_pmu_data on
 * each PMU interrupt (VIRQ_XENPMU): which vCPU and domain were sampled,
 * and the architecture part (<asm/xen/interface.h>) with the registers
 * and cached counter state.  The guest edits the cached state and hands
 * it back with XENPMU_flush.
 */

#ifndef __XEN_INTERFACE_XENPMU_H__
#define __XEN_INTERFACE_XENPMU_H__

#ifdef __KERNEL__	/* see asm/xen/interface.h */
#include <linux/build_bug.h>
#include <linux/stddef.h>
#endif
#include <xen/interface/xen.h>

/* The interface version the guest asks for. */
#define XENPMU_VER_MAJ		0
#define XENPMU_VER_MIN		1

#define XENPMU_init		4	/* map the shared page */
#define XENPMU_finish		5	/* unmap it */
#define XENPMU_lvtpc_set	6	/* new LVTPC value (val) */
#define XENPMU_flush		7	/* write back cached state */

struct xen_pmu_params {
	struct {
		u32 maj;
		u32 min;
	} version;
	u64 val;
	u32 vcpu;
	u32 pad;
};

struct xen_pmu_data {
	u32 vcpu_id;
	u32 pcpu_id;
	domid_t domain_id;
	u8 pad[6];
	struct xen_pmu_arch pmu;
};

static_assert(sizeof(struct xen_pmu_params) == 24);
static_assert(offsetof(struct xen_pmu_params, val) == 8);
static_assert(offsetof(struct xen_pmu_params, vcpu) == 16);
static_assert(sizeof(struct xen_pmu_data) == 224);
static_assert(offsetof(struct xen_pmu_data, domain_id) == 8);
static_assert(offsetof(struct xen_pmu_data, pmu) == 16);

#endif /* __XEN_INTERFACE_XENPMU_H__ */
