/* SPDX-License-Identifier: GPL-2.0 */
/*
 * HYPERVISOR_memory_op: giving frames back, getting frames, and placing
 * special pages in the guest's physical address space.
 *
 * Restates what Linux uses from Xen's public memory.h (Xen 4.17,
 * /usr/include/xen/memory.h).  Reservations move whole extents of
 * 2^extent_order frames between the domain and Xen (balloon, contiguous
 * DMA buffers via XENMEM_exchange); add_to_physmap and its batched form
 * map the shared-info page, grant frames or another domain's frames at
 * a chosen guest frame (auto-translated guests and privcmd); the memory
 * map is the guest's E820 as the toolstack set it; machphys_mapping says
 * where the read-only m2p table is mapped.  XENMEM_acquire_resource maps
 * a resource (ioreq server pages, grant table) of another domain.
 */

#ifndef __XEN_INTERFACE_MEMORY_H__
#define __XEN_INTERFACE_MEMORY_H__

#include <linux/build_bug.h>
#include <linux/stddef.h>
#include <xen/interface/xen.h>

#define XENMEM_decrease_reservation	1	/* xen_memory_reservation */
#define XENMEM_populate_physmap		6	/* xen_memory_reservation */
#define XENMEM_add_to_physmap		7	/* xen_add_to_physmap */
#define XENMEM_memory_map		9	/* xen_memory_map */
#define XENMEM_exchange			11	/* xen_memory_exchange */
#define XENMEM_machphys_mapping		12	/* xen_machphys_mapping */
#define XENMEM_remove_from_physmap	15	/* xen_remove_from_physmap */
#define XENMEM_add_to_physmap_range	23	/* xen_add_to_physmap_range */
#define XENMEM_acquire_resource		28	/* xen_mem_acquire_resource */

/*
 * nr_extents extents of 2^extent_order frames each, listed (as frame
 * numbers) at extent_start; the return value is how many were done.
 * address_bits, when non-zero, caps the machine addresses Xen may hand
 * out.
 */
struct xen_memory_reservation {
	xen_pfn_t *extent_start;
	xen_ulong_t nr_extents;
	unsigned int extent_order;
	unsigned int address_bits;
	domid_t domid;
};

/* Trade the frames of "in" for new ones as "out" describes. */
struct xen_memory_exchange {
	struct xen_memory_reservation in;
	struct xen_memory_reservation out;
	xen_ulong_t nr_exchanged;	/* out: extents of "in" done */
};

struct xen_machphys_mapping {
	xen_ulong_t v_start, v_end;	/* virtual range of the m2p */
	xen_ulong_t max_mfn;
};

/* XENMEM_add_to_physmap spaces. */
#define XENMAPSPACE_shared_info		0
#define XENMAPSPACE_gmfn_foreign	4	/* a frame of domain "foreign" */

/* Map page idx of space at guest frame gpfn. */
struct xen_add_to_physmap {
	domid_t domid;
	u16 size;
	unsigned int space;	/* XENMAPSPACE_* */
	xen_ulong_t idx;
	xen_pfn_t gpfn;
};

/* The batched form: size pages, one error per page in errs. */
struct xen_add_to_physmap_range {
	domid_t domid;
	u16 space;
	u16 size;
	domid_t foreign_domid;
	xen_ulong_t *idxs;
	xen_pfn_t *gpfns;
	int *errs;
};

struct xen_remove_from_physmap {
	domid_t domid;
	xen_pfn_t gpfn;
};

/* nr_entries: in, room in buffer (E820 entries); out, entries written. */
struct xen_memory_map {
	unsigned int nr_entries;
	void *buffer;
};

/*
 * Map nr_frames frames of resource (type, id) of domain domid, starting
 * at frame "frame", at the guest frames in frame_list.  With a NULL
 * frame_list, nr_frames returns the resource's size.
 */
#define XENMEM_rsrc_acq_caller_owned	0x1U	/* flags, out */

struct xen_mem_acquire_resource {
	domid_t domid;
	u16 type;
	u32 id;
	u32 nr_frames;
	u32 flags;
	u64 frame;
	xen_pfn_t *frame_list;
};

static_assert(sizeof(struct xen_memory_reservation) == 32);
static_assert(offsetof(struct xen_memory_reservation, nr_extents) == 8);
static_assert(offsetof(struct xen_memory_reservation, extent_order) == 16);
static_assert(offsetof(struct xen_memory_reservation, address_bits) == 20);
static_assert(offsetof(struct xen_memory_reservation, domid) == 24);
static_assert(sizeof(struct xen_memory_exchange) == 72);
static_assert(offsetof(struct xen_memory_exchange, out) == 32);
static_assert(offsetof(struct xen_memory_exchange, nr_exchanged) == 64);
static_assert(sizeof(struct xen_machphys_mapping) == 24);
static_assert(sizeof(struct xen_add_to_physmap) == 24);
static_assert(offsetof(struct xen_add_to_physmap, size) == 2);
static_assert(offsetof(struct xen_add_to_physmap, space) == 4);
static_assert(offsetof(struct xen_add_to_physmap, idx) == 8);
static_assert(offsetof(struct xen_add_to_physmap, gpfn) == 16);
static_assert(sizeof(struct xen_add_to_physmap_range) == 32);
static_assert(offsetof(struct xen_add_to_physmap_range, space) == 2);
static_assert(offsetof(struct xen_add_to_physmap_range, size) == 4);
static_assert(offsetof(struct xen_add_to_physmap_range, foreign_domid) == 6);
static_assert(offsetof(struct xen_add_to_physmap_range, idxs) == 8);
static_assert(offsetof(struct xen_add_to_physmap_range, gpfns) == 16);
static_assert(offsetof(struct xen_add_to_physmap_range, errs) == 24);
static_assert(sizeof(struct xen_remove_from_physmap) == 16);
static_assert(sizeof(struct xen_memory_map) == 16);
static_assert(offsetof(struct xen_memory_map, buffer) == 8);
static_assert(sizeof(struct xen_mem_acquire_resource) == 32);
static_assert(offsetof(struct xen_mem_acquire_resource, id) == 4);
static_assert(offsetof(struct xen_mem_acquire_resource, nr_frames) == 8);
static_assert(offsetof(struct xen_mem_acquire_resource, flags) == 12);
static_assert(offsetof(struct xen_mem_acquire_resource, frame) == 16);
static_assert(offsetof(struct xen_mem_acquire_resource, frame_list) == 24);

#endif /* __XEN_INTERFACE_MEMORY_H__ */
