/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The virtual block device (vbd) ring, frontend's view.
 *
 * Restates the parts of Xen's public io/blkif.h (Xen 4.17,
 * /usr/include/xen/io/blkif.h) that our blkfront speaks: the request and
 * response slot layouts of the "x86_64-abi" protocol, the operation and
 * status codes, and the virtual-disk info bits and legacy major numbers
 * that the backend publishes in xenstore.
 *
 * A request names its data by grant references: up to
 * BLKIF_MAX_SEGMENTS_PER_REQUEST segments inline, each a granted frame and
 * the first and last 512-byte sectors used in it; or, for
 * BLKIF_OP_INDIRECT, up to BLKIF_MAX_INDIRECT_PAGES_PER_REQUEST granted
 * pages that are themselves arrays of segments.  Every variant keeps the
 * 64-bit id at byte 8 of the slot, and the backend echoes it in the
 * response.  The layouts are packed: the slot is exactly 112 bytes.
 */

#ifndef __XEN_INTERFACE_IO_BLKIF_H__
#define __XEN_INTERFACE_IO_BLKIF_H__

#include <linux/build_bug.h>
#include <linux/types.h>
#include <xen/interface/grant_table.h>
#include <xen/interface/io/ring.h>

/* Operations (blkif_request.operation). */
#define BLKIF_OP_READ			0
#define BLKIF_OP_WRITE			1
#define BLKIF_OP_WRITE_BARRIER		2	/* "feature-barrier" */
#define BLKIF_OP_FLUSH_DISKCACHE	3	/* "feature-flush-cache" */
#define BLKIF_OP_DISCARD		5	/* "feature-discard" */
#define BLKIF_OP_INDIRECT		6	/* "feature-max-indirect-segments" */

/* Response status (blkif_response.status). */
#define BLKIF_RSP_OKAY			0
#define BLKIF_RSP_ERROR			(-1)
#define BLKIF_RSP_EOPNOTSUPP		(-2)

#define BLKIF_MAX_SEGMENTS_PER_REQUEST		11
#define BLKIF_MAX_INDIRECT_PAGES_PER_REQUEST	8

/* u.discard.flag: the backend must make the old data unreadable. */
#define BLKIF_DISCARD_SECURE		0x1

/* Bits of the backend's "info" node. */
#define VDISK_REMOVABLE			0x2
#define VDISK_READONLY			0x4

/* Legacy Linux majors a "virtual-device" number may be expressed in. */
#define XEN_IDE0_MAJOR			3
#define XEN_IDE1_MAJOR			22
#define XEN_SCSI_DISK0_MAJOR		8
#define XEN_SCSI_DISK1_MAJOR		65
#define XEN_SCSI_DISK7_MAJOR		71
#define XEN_SCSI_DISK8_MAJOR		128
#define XEN_SCSI_DISK15_MAJOR		135

typedef u16 blkif_vdev_t;
typedef u64 blkif_sector_t;

/* One granted frame and the sectors (0..7) of it that the I/O covers. */
struct blkif_request_segment {
	grant_ref_t gref;
	u8 first_sect;
	u8 last_sect;
};

/* READ, WRITE, WRITE_BARRIER, FLUSH_DISKCACHE */
struct blkif_request_rw {
	u8 nr_segments;
	blkif_vdev_t handle;
	u32 _pad1;
	u64 id;
	blkif_sector_t sector_number;
	struct blkif_request_segment seg[BLKIF_MAX_SEGMENTS_PER_REQUEST];
} __packed;

/* DISCARD: nr_sectors from sector_number on. */
struct blkif_request_discard {
	u8 flag;
	blkif_vdev_t _pad1;
	u32 _pad2;
	u64 id;
	blkif_sector_t sector_number;
	u64 nr_sectors;
	u8 _pad3;
} __packed;

/* INDIRECT: indirect_op is the real operation (READ or WRITE). */
struct blkif_request_indirect {
	u8 indirect_op;
	u16 nr_segments;
	u32 _pad1;
	u64 id;
	blkif_sector_t sector_number;
	blkif_vdev_t handle;
	u16 _pad2;
	grant_ref_t indirect_grefs[BLKIF_MAX_INDIRECT_PAGES_PER_REQUEST];
	u32 _pad3;
} __packed;

struct blkif_request {
	u8 operation;
	union {
		struct blkif_request_rw rw;
		struct blkif_request_discard discard;
		struct blkif_request_indirect indirect;
	} u;
} __packed;

struct blkif_response {
	u64 id;
	u8 operation;
	s16 status;
};

DEFINE_RING_TYPES(blkif, struct blkif_request, struct blkif_response);

/* Slot layout of the x86_64 protocol, as Xen's headers compile it. */
static_assert(sizeof(struct blkif_request_segment) == 8);
static_assert(sizeof(struct blkif_request) == 112);
static_assert(offsetof(struct blkif_request, u.rw.handle) == 2);
static_assert(offsetof(struct blkif_request, u.rw.id) == 8);
static_assert(offsetof(struct blkif_request, u.rw.sector_number) == 16);
static_assert(offsetof(struct blkif_request, u.rw.seg) == 24);
static_assert(offsetof(struct blkif_request, u.discard.id) == 8);
static_assert(offsetof(struct blkif_request, u.discard.sector_number) == 16);
static_assert(offsetof(struct blkif_request, u.discard.nr_sectors) == 24);
static_assert(sizeof(struct blkif_request_indirect) == 63);
static_assert(offsetof(struct blkif_request, u.indirect.nr_segments) == 2);
static_assert(offsetof(struct blkif_request, u.indirect.id) == 8);
static_assert(offsetof(struct blkif_request, u.indirect.sector_number) == 16);
static_assert(offsetof(struct blkif_request, u.indirect.handle) == 24);
static_assert(offsetof(struct blkif_request, u.indirect.indirect_grefs) == 28);
static_assert(sizeof(struct blkif_response) == 16);
static_assert(offsetof(struct blkif_response, operation) == 8);
static_assert(offsetof(struct blkif_response, status) == 10);

#endif /* __XEN_INTERFACE_IO_BLKIF_H__ */
