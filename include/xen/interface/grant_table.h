/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Grant tables: sharing our pages with other domains, and mapping theirs.
 *
 * Restates what Linux uses from Xen's public grant_table.h (Xen 4.17,
 * /usr/include/xen/grant_table.h), version 1 entries only.  A domain
 * grants access to one of its frames by filling a grant_entry_v1 in its
 * grant table (frames it shares with Xen, set up with
 * GNTTABOP_setup_table) and passing the entry's index, the grant
 * reference, to the other side.  The flags word is written last: setting
 * GTF_permit_access publishes the entry.  While the other domain has the
 * frame mapped, Xen sets GTF_reading/GTF_writing, and the granter must
 * not reuse the entry until both are clear.  The receiving side maps a
 * reference with GNTTABOP_map_grant_ref and gets a handle for the unmap.
 */

#ifndef __XEN_INTERFACE_GRANT_TABLE_H__
#define __XEN_INTERFACE_GRANT_TABLE_H__

#include <linux/build_bug.h>
#include <linux/stddef.h>
#include <xen/interface/xen.h>

typedef u32 grant_ref_t;
typedef u32 grant_handle_t;

/* The first entries are reserved for the toolstack (xenstore, console). */
#define GNTTAB_NR_RESERVED_ENTRIES	8

struct grant_entry_v1 {
	u16 flags;	/* GTF_*, written last */
	domid_t domid;	/* the domain allowed in */
	u32 frame;	/* the granted frame */
};

/* grant_entry_v1.flags */
#define GTF_permit_access	0x01U		/* type: access grant */
#define GTF_readonly		0x04U		/* grantee may only read */
#define GTF_reading		0x08U		/* set by Xen: mapped for read */
#define GTF_writing		0x10U		/* set by Xen: mapped for write */

/* HYPERVISOR_grant_table_op commands. */
#define GNTTABOP_map_grant_ref		0
#define GNTTABOP_unmap_grant_ref	1
#define GNTTABOP_setup_table		2
#define GNTTABOP_query_size		6

/* gnttab_map_grant_ref.flags */
#define GNTMAP_device_map	0x01	/* also map for device DMA */
#define GNTMAP_contains_pte	0x10	/* host_addr is a PTE's address */

/* Status codes of the ops (the "status" fields). */
#define GNTST_okay		0
#define GNTST_general_error	(-1)
#define GNTST_eagain		(-12)	/* frame paged out, retry */

/*
 * Map grant ref of domain dom at host_addr (a virtual address, or with
 * GNTMAP_contains_pte the machine address of the PTE to write).
 */
struct gnttab_map_grant_ref {
	u64 host_addr;
	u32 flags;
	grant_ref_t ref;
	domid_t dom;
	s16 status;			/* out */
	grant_handle_t handle;		/* out */
	u64 dev_bus_addr;		/* out */
};

struct gnttab_unmap_grant_ref {
	u64 host_addr;
	u64 dev_bus_addr;
	grant_handle_t handle;
	s16 status;			/* out */
};

/* Grow our grant table to nr_frames; frame_list gets their frames. */
struct gnttab_setup_table {
	domid_t dom;
	u32 nr_frames;
	s16 status;			/* out */
	xen_pfn_t *frame_list;
};

struct gnttab_query_size {
	domid_t dom;
	u32 nr_frames;			/* out: current size */
	u32 max_nr_frames;		/* out: the limit */
	s16 status;			/* out */
};

static_assert(sizeof(struct grant_entry_v1) == 8);
static_assert(offsetof(struct grant_entry_v1, domid) == 2);
static_assert(offsetof(struct grant_entry_v1, frame) == 4);
static_assert(sizeof(struct gnttab_map_grant_ref) == 32);
static_assert(offsetof(struct gnttab_map_grant_ref, ref) == 12);
static_assert(offsetof(struct gnttab_map_grant_ref, dom) == 16);
static_assert(offsetof(struct gnttab_map_grant_ref, status) == 18);
static_assert(offsetof(struct gnttab_map_grant_ref, handle) == 20);
static_assert(offsetof(struct gnttab_map_grant_ref, dev_bus_addr) == 24);
static_assert(sizeof(struct gnttab_unmap_grant_ref) == 24);
static_assert(offsetof(struct gnttab_unmap_grant_ref, handle) == 16);
static_assert(offsetof(struct gnttab_unmap_grant_ref, status) == 20);
static_assert(sizeof(struct gnttab_setup_table) == 24);
static_assert(offsetof(struct gnttab_setup_table, nr_frames) == 4);
static_assert(offsetof(struct gnttab_setup_table, status) == 8);
static_assert(offsetof(struct gnttab_setup_table, frame_list) == 16);
static_assert(sizeof(struct gnttab_query_size) == 16);
static_assert(offsetof(struct gnttab_query_size, max_nr_frames) == 8);
static_assert(offsetof(struct gnttab_query_size, status) == 12);

#endif /* __XEN_INTERFACE_GRANT_TABLE_H__ */
