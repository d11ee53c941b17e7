// SPDX-License-Identifier: GPL-2.0
/*
 * xen-blkfront: the block devices (xvda, xvdb, ...) a Xen guest sees for
 * the virtual disks its toolstack gave it.
 *
 * The disk itself lives in another domain, the backend (usually blkback in
 * dom0).  We talk to it through a ring of request slots in pages we share
 * with it by grant reference, and an event channel each way that says "look
 * at the ring".  We put a blkif_request on the ring naming a start sector and
 * the granted pages that hold, or will receive, the data; the backend does
 * the I/O and puts back a blkif_response carrying the same id.  Xenstore
 * carries the rest: the backend's limits and features, our ring references
 * and event channels, and each side's xenbus state.
 *
 * The handshake.  The toolstack creates both xenstore directories.  The
 * backend publishes its ring limits and goes to InitWait.  We then set up
 * one ring per hardware queue (multi-queue-num-queues, with the keys under
 * queue-N/ when there is more than one), each of 2^ring-page-order pages,
 * publish them and go to Initialised.  The backend maps them, publishes the
 * disk's size and features and goes to Connected, and we build the gendisk
 * and go to Connected.  A Connected from a backend that is already connected
 * means its size changed; Closing means the disk is being unplugged.
 *
 * Data never travels in the guest's own pages.  A request's bytes are copied
 * through pages this driver owns, zeroed when they were allocated, so the
 * backend sees nothing of the guest but the I/O itself.  With
 * feature-persistent the grants on those pages stay in place from one
 * request to the next; without it each page is granted for one request and
 * its access ended when the response comes back.  Each ring keeps its idle
 * pages in a LIFO pool, and a delayed work gives back those unused for a
 * minute.
 *
 * A request holds one page per 4 KiB of data (a "segment").  Up to 11 fit in
 * a ring slot; with feature-max-indirect-segments a slot instead names
 * "indirect" pages holding the segment list.  A request with more segments
 * than one slot can carry, which happens when a request built for one
 * backend is reissued to a lesser one after migration, is split over
 * several slots, each with its own id, and completes when all have answered.
 *
 * The backend is not trusted.  Each response is copied out of the shared
 * ring before it is looked at.  A response whose id is not in flight, whose
 * operation does not match, whose status is unknown, or a producer index
 * that runs past the ring, marks the device broken: its I/O fails, it is
 * disconnected, and the rest of the guest carries on.
 *
 * Save/restore and migration: on resume the rings went away with the old
 * backend.  We take back the requests that were on them and, once the new
 * backend (whose features may differ) is connected, give them back to blk-mq
 * to be built afresh from their bios and issued again.  If the device cannot
 * reconnect, or breaks, those requests fail instead, and so does all later
 * I/O: nothing waits on a backend that may never answer.
 *
 * Durability.  blkif has no forced unit access: blkback carries out both
 * BLKIF_OP_FLUSH_DISKCACHE and BLKIF_OP_WRITE_BARRIER as a flush of its
 * disk's cache issued *before* the request's data (the barrier also drains
 * what is in flight first), so neither makes the data of its own request
 * durable.  We therefore tell the block layer the disk has a volatile cache
 * and no FUA; it then follows each FUA write with a flush request of its own,
 * which we send as the backend's flush operation with no data.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/blk-mq.h>
#include <linux/blkdev.h>
#include <linux/highmem.h>
#include <linux/idr.h>
#include <linux/interrupt.h>
#include <linux/list.h>
#include <linux/module.h>
#include <linux/workqueue.h>

#include <xen/events.h>
#include <xen/grant_table.h>
#include <xen/page.h>
#include <xen/platform_pci.h>
#include <xen/xen.h>
#include <xen/xenbus.h>
#include <xen/interface/io/blkif.h>
#include <xen/interface/io/protocols.h>

#define XENVBD_MAJOR		202
#define XBF_MINORS_PER_DISK	16
#define XBF_VDEV_EXTENDED	BIT(28)

/* One segment is one granted page, 8 sectors of 512 bytes. */
#define XBF_SECTORS_PER_SEG	(XEN_PAGE_SIZE >> SECTOR_SHIFT)
#define XBF_DIRECT_SEGS		BLKIF_MAX_SEGMENTS_PER_REQUEST
#define XBF_SEGS_PER_INDIRECT	(XEN_PAGE_SIZE / sizeof(struct blkif_request_segment))
/*
 * Our own cap on a request's segments, whatever the backend offers: low
 * enough that a request split into 11-segment slots still fits the smallest
 * ring, so a reissue after migration can always make progress.
 */
#define XBF_MAX_SEGS		256

static_assert(PAGE_SIZE == XEN_PAGE_SIZE);
static_assert(DIV_ROUND_UP(XBF_MAX_SEGS, XBF_DIRECT_SEGS) <=
	      __CONST_RING_SIZE(blkif, XEN_PAGE_SIZE));
static_assert(DIV_ROUND_UP(XBF_MAX_SEGS, XBF_SEGS_PER_INDIRECT) <=
	      BLKIF_MAX_INDIRECT_PAGES_PER_REQUEST);

/*
 * With persistent grants, how many pages one ring keeps lent at once.
 * blkback keeps this many grants of a ring mapped (its default
 * max_persistent_grants, sized for a one-page ring of 32-segment requests);
 * beyond it, it maps and unmaps each page per request, which costs far more
 * than waiting for a slot.  A single larger request still goes alone.
 */
#define XBF_RING_PGRANTS	1056

#define XBF_RECLAIM_PERIOD	(10 * HZ)
/* An unplug waits this long for the backend to answer what it holds. */
#define XBF_CLOSE_GRACE		(15 * HZ)
#define XBF_GRANT_IDLE		(60 * HZ)

static unsigned int xbf_max_queues = 4;
module_param_named(max_queues, xbf_max_queues, uint, 0444);
MODULE_PARM_DESC(max_queues, "Most rings (hardware queues) per disk");

static unsigned int xbf_max_ring_order = 2;
module_param_named(max_ring_page_order, xbf_max_ring_order, uint, 0644);
MODULE_PARM_DESC(max_ring_page_order,
		 "Log2 of the most pages per ring, from the next connection (up to 4)");

static unsigned int xbf_max_indirect = 128;
module_param_named(max_indirect_segments, xbf_max_indirect, uint, 0644);
MODULE_PARM_DESC(max_indirect_segments,
		 "Most segments per ring slot, from the next connection (up to 256)");

static bool xbf_use_persistent = true;
module_param_named(feature_persistent, xbf_use_persistent, bool, 0444);
MODULE_PARM_DESC(feature_persistent, "Offer persistent grants to the backend");

static DEFINE_IDA(xbf_minors);

/* A page of ours that we lend the backend. */
struct xbf_grant {
	struct list_head node;		/* in a ring's pool or a request */
	struct page *page;
	grant_ref_t gref;		/* INVALID_GRANT_REF when not lent */
	unsigned int gen;		/* ring->gen when it was granted */
	unsigned long last_used;	/* jiffies, for the idle reclaim */
};

/* What a ring slot id stands for while it is in flight. */
struct xbf_slot {
	struct request *rq;		/* NULL while the id is free */
	u8 op;				/* operation the response must echo */
	bool indirect;			/* ...or BLKIF_OP_INDIRECT */
};

struct xbf_dev;

struct xbf_ring {
	spinlock_t lock;		/* everything below */
	struct xbf_dev *dev;
	bool live;			/* connected and trusted */
	bool stalled;			/* a queue was stopped for want of room */
	unsigned int gen;		/* bumped whenever the ring goes down */
	unsigned int lent;		/* pages in requests on the ring */
	struct blkif_front_ring front;
	unsigned int nr_pages;
	grant_ref_t refs[XENBUS_MAX_RING_GRANTS];
	evtchn_port_t evtchn;
	unsigned int irq;
	struct xbf_slot *slots;		/* front.nr_ents of them */
	u16 *free_ids;			/* stack of free slot ids */
	unsigned int nr_free;
	struct list_head pool;		/* idle grants, most recent first */
	unsigned int pool_len;
	unsigned int reserve;		/* pool pages never reclaimed */
	char name[DISK_NAME_LEN + 12];	/* for the irq: "xvda-q0" */
};

enum { XBF_BROKEN, XBF_DISCONNECTED };

struct xbf_dev {
	struct xenbus_device *xbdev;
	struct mutex lock;		/* xenbus state changes, resume */
	/*
	 * Rings brought up or taken down, the requeue list and quiesced: held
	 * briefly, never across del_gendisk(), so that the broken work, which
	 * takes it, can always run and fail what del_gendisk() waits for.
	 */
	struct mutex ring_lock;
	unsigned long flags;
	char name[DISK_NAME_LEN];
	u16 handle;
	unsigned int first_minor, minors;

	struct gendisk *disk;
	struct blk_mq_tag_set tag_set;
	bool disk_added, disk_deleted;
	bool quiesced;			/* by resume, until reconnected */
	struct list_head requeue;	/* requests taken back at resume */

	struct xbf_ring *rings;
	unsigned int max_rings, nr_rings, ring_order;

	/* What the backend offers, as of the last connect. */
	u8 flush_op;			/* BLKIF_OP_*, or 0 for none */
	bool discard, secure_discard, persistent, readonly, removable;
	unsigned int max_indirect_segs;	/* 0 when not in use */
	unsigned int max_req_segs;	/* fixed when the disk is made */
	unsigned int sector_size, physical_sector_size;
	unsigned int discard_granularity, discard_alignment;

	struct work_struct broken_work, features_work;
	struct delayed_work reclaim_work, close_timeout;
};

/* The driver's part of each struct request. */
struct xbf_req {
	struct xbf_ring *ring;
	struct list_head data;		/* the request's bytes, in order */
	struct list_head indirect;	/* pages of segment lists */
	unsigned int parts_pending;	/* ring slots not yet answered */
	unsigned int lent, gen;		/* pages it holds, of ring->gen */
	blk_status_t status;
	u8 op;
};

/*
 * Pure arithmetic, kept apart so that KUnit can check it.
 */

/* Segments one ring slot may carry for @op. */
static unsigned int xbf_segs_per_part(unsigned int op, unsigned int max_indirect)
{
	if ((op == BLKIF_OP_READ || op == BLKIF_OP_WRITE) &&
	    max_indirect > XBF_DIRECT_SEGS)
		return max_indirect;
	return XBF_DIRECT_SEGS;
}

/* Ring slots ("parts") for a request of @nr_segs segments. */
static unsigned int xbf_nr_parts(unsigned int nr_segs, unsigned int per_part)
{
	return max(1U, DIV_ROUND_UP(nr_segs, per_part));
}

/* Segments in part @part. */
static unsigned int xbf_part_segs(unsigned int nr_segs, unsigned int per_part,
				  unsigned int part)
{
	return min(per_part, nr_segs - part * per_part);
}

/* Indirect pages a part of @segs segments needs: none if they fit the slot. */
static unsigned int xbf_part_indirect_pages(unsigned int segs)
{
	if (segs <= XBF_DIRECT_SEGS)
		return 0;
	return DIV_ROUND_UP(segs, XBF_SEGS_PER_INDIRECT);
}

/* Indirect pages for the whole request, over all its parts. */
static unsigned int xbf_indirect_pages(unsigned int nr_segs, unsigned int per_part)
{
	unsigned int part, pages = 0;

	for (part = 0; part < xbf_nr_parts(nr_segs, per_part); part++)
		pages += xbf_part_indirect_pages(xbf_part_segs(nr_segs, per_part, part));
	return pages;
}

/* Sectors in segment @seg of a request of @sectors: all full but the last. */
static unsigned int xbf_seg_sectors(unsigned int sectors, unsigned int seg)
{
	return min_t(unsigned int, sectors - seg * XBF_SECTORS_PER_SEG,
		     XBF_SECTORS_PER_SEG);
}

/* Can the backend have produced @prod responses when we consumed @cons? */
static bool xbf_rsp_window_ok(RING_IDX prod, RING_IDX cons, unsigned int size)
{
	return prod - cons <= size;
}

/* What is wrong with the backend's response @rsp, or NULL if nothing is. */
static const char *xbf_rsp_fault(const struct blkif_response *rsp,
				 const struct xbf_slot *slots, unsigned int nr_slots)
{
	const struct xbf_slot *slot;

	if (rsp->id >= nr_slots || !slots[rsp->id].rq)
		return "backend answered an id not in flight";
	slot = &slots[rsp->id];
	if (rsp->operation != slot->op &&
	    !(slot->indirect && rsp->operation == BLKIF_OP_INDIRECT))
		return "backend answered with the wrong operation";
	if (rsp->status != BLKIF_RSP_OKAY && rsp->status != BLKIF_RSP_ERROR &&
	    rsp->status != BLKIF_RSP_EOPNOTSUPP)
		return "backend answered with an unknown status";
	return NULL;
}

/*
 * The operation that empties the backend's volatile cache, from its
 * feature-flush-cache and feature-barrier keys, or 0 when it has neither.
 * Either serves a flush request with no data; flush-cache is preferred
 * because a barrier also stalls the backend until all in flight is done.
 */
static u8 xbf_flush_op(bool flush_cache, bool barrier)
{
	if (flush_cache)
		return BLKIF_OP_FLUSH_DISKCACHE;
	return barrier ? BLKIF_OP_WRITE_BARRIER : 0;
}

/*
 * The blkif operation for a request with flags @opf, given the backend's
 * flush operation and whether it discards (securely); -EOPNOTSUPP when it
 * cannot be done, 0 for a flush with nothing to flush.  A write is always a
 * plain write, REQ_FUA or not: our queue offers no FUA, so the block layer
 * sends a flush after it, and no blkif operation could make the write itself
 * durable (a barrier flushes before its data, not after).
 */
static int xbf_wire_op(blk_opf_t opf, u8 flush_op, bool discard, bool secure)
{
	switch (opf & REQ_OP_MASK) {
	case REQ_OP_READ:
		return BLKIF_OP_READ;
	case REQ_OP_WRITE:
		return BLKIF_OP_WRITE;
	case REQ_OP_FLUSH:
		return flush_op;
	case REQ_OP_DISCARD:
		return discard ? BLKIF_OP_DISCARD : -EOPNOTSUPP;
	case REQ_OP_SECURE_ERASE:
		return secure ? BLKIF_OP_DISCARD : -EOPNOTSUPP;
	default:
		return -EOPNOTSUPP;
	}
}

/*
 * How a request ends, from the backend's @status for it.  A flush the
 * backend refuses means its disk has no cache left to flush: the request is
 * done (the caller turns the feature off), rather than an error that would
 * fail, say, the journal commit waiting on it.
 */
static blk_status_t xbf_rsp_status(s16 status, bool flush)
{
	switch (status) {
	case BLKIF_RSP_OKAY:
		return BLK_STS_OK;
	case BLKIF_RSP_EOPNOTSUPP:
		return flush ? BLK_STS_OK : BLK_STS_NOTSUPP;
	default:
		return BLK_STS_IOERR;
	}
}

/*
 * Decode a virtual-device number (Xen's docs/misc/vbd-interface.txt) into
 * the index of the disk (xvda is 0) and a partition (0: the whole disk).
 */
static int xbf_parse_vdevice(u32 vdevice, unsigned int *index, unsigned int *part)
{
	unsigned int major = vdevice >> 8, minor = vdevice & 0xff;

	if (vdevice >> 29)
		return -EINVAL;		/* encodings reserved for the future */
	if (vdevice & XBF_VDEV_EXTENDED) {
		*index = (vdevice & ~XBF_VDEV_EXTENDED) >> 8;
		*part = minor;
	} else if (major == XENVBD_MAJOR || major == XEN_SCSI_DISK0_MAJOR) {
		*index = minor >> 4;
		*part = minor & 15;
	} else if (major == XEN_IDE0_MAJOR || major == XEN_IDE1_MAJOR) {
		*index = (minor >> 6) + (major == XEN_IDE1_MAJOR ? 2 : 0);
		*part = minor & 63;
	} else if (major >= XEN_SCSI_DISK1_MAJOR && major <= XEN_SCSI_DISK7_MAJOR) {
		*index = (major - XEN_SCSI_DISK1_MAJOR + 1) * 16 + (minor >> 4);
		*part = minor & 15;
	} else if (major >= XEN_SCSI_DISK8_MAJOR && major <= XEN_SCSI_DISK15_MAJOR) {
		*index = (major - XEN_SCSI_DISK8_MAJOR + 8) * 16 + (minor >> 4);
		*part = minor & 15;
	} else {
		return -ENODEV;
	}
	if (*part >= XBF_MINORS_PER_DISK ||
	    *index >= (MINORMASK + 1) / XBF_MINORS_PER_DISK)
		return -ERANGE;
	return 0;
}

/* xvda..xvdz, xvdaa..xvdzz, xvdaaa..: the naming sd disks use too. */
static void xbf_disk_name(char *buf, size_t size, unsigned int index,
			  unsigned int part)
{
	char letters[8];
	int i = sizeof(letters);

	letters[--i] = '\0';
	do {
		letters[--i] = 'a' + index % 26;
		index /= 26;
	} while (index-- > 0 && i > 0);
	if (part)
		snprintf(buf, size, "xvd%s%u", &letters[i], part);
	else
		snprintf(buf, size, "xvd%s", &letters[i]);
}

static const char *xbf_op_name(unsigned int op)
{
	switch (op) {
	case BLKIF_OP_FLUSH_DISKCACHE:
		return "flush-cache";
	case BLKIF_OP_WRITE_BARRIER:
		return "barrier";
	case BLKIF_OP_DISCARD:
		return "discard";
	default:
		return "none";
	}
}

/*
 * Pages and grants.
 */

static struct xbf_grant *xbf_alloc_grant(gfp_t gfp)
{
	struct xbf_grant *grant = kmalloc(sizeof(*grant), gfp);

	if (!grant)
		return NULL;
	grant->page = alloc_page(gfp | __GFP_ZERO);
	if (!grant->page) {
		kfree(grant);
		return NULL;
	}
	grant->gref = INVALID_GRANT_REF;
	grant->last_used = jiffies;
	return grant;
}

/*
 * Free grants for good.  A page the backend still maps is handed to the
 * grant table code, which frees it once the backend lets go.
 */
static void xbf_free_grants(struct list_head *grants)
{
	struct xbf_grant *grant, *next;

	list_for_each_entry_safe(grant, next, grants, node) {
		if (grant->gref != INVALID_GRANT_REF)
			gnttab_end_foreign_access(grant->gref, grant->page);
		else
			__free_page(grant->page);
		kfree(grant);
	}
	INIT_LIST_HEAD(grants);
}

static void xbf_mark_broken(struct xbf_dev *dev, const char *why);

/*
 * Take @n grants for a request from the pool (or fresh pages), lent to the
 * backend; read-only when it only reads them and grants are not persistent.
 * Called with ring->lock held; on failure the caller puts back what it got.
 */
static bool xbf_get_grants(struct xbf_ring *ring, struct list_head *list,
			   unsigned int n, bool readonly)
{
	struct xbf_dev *dev = ring->dev;
	struct xbf_grant *grant;
	int ref;

	while (n--) {
		grant = list_first_entry_or_null(&ring->pool, struct xbf_grant, node);
		if (grant) {
			list_del(&grant->node);
			ring->pool_len--;
		} else {
			grant = xbf_alloc_grant(GFP_NOWAIT | __GFP_NOWARN);
			if (!grant)
				return false;
		}
		list_add_tail(&grant->node, list);
		if (grant->gref != INVALID_GRANT_REF)
			continue;
		ref = gnttab_grant_foreign_access(dev->xbdev->otherend_id,
						  xen_page_to_gfn(grant->page),
						  readonly && !dev->persistent);
		if (ref < 0)
			return false;
		grant->gref = ref;
		grant->gen = ring->gen;
	}
	return true;
}

/*
 * Give a request's grants back to the pool.  Unless they are persistent (and
 * of this connection) the backend must have stopped mapping them: if it has
 * not, the page is abandoned to it and the device is broken.  Called with
 * ring->lock held; false if any grant was still mapped.
 */
static bool xbf_put_grants(struct xbf_ring *ring, struct list_head *grants)
{
	struct xbf_dev *dev = ring->dev;
	struct xbf_grant *grant, *next;
	bool ok = true;

	list_for_each_entry_safe(grant, next, grants, node) {
		list_del(&grant->node);
		if (grant->gref != INVALID_GRANT_REF &&
		    (!dev->persistent || grant->gen != ring->gen)) {
			if (!gnttab_try_end_foreign_access(grant->gref)) {
				gnttab_end_foreign_access(grant->gref, grant->page);
				kfree(grant);
				ok = false;
				continue;
			}
			grant->gref = INVALID_GRANT_REF;
		}
		grant->last_used = jiffies;
		list_add(&grant->node, &ring->pool);
		ring->pool_len++;
	}
	if (!ok)
		xbf_mark_broken(dev, "backend still maps a page it has answered for");
	if (ring->pool_len > ring->reserve)
		schedule_delayed_work(&dev->reclaim_work, XBF_RECLAIM_PERIOD);
	return ok;
}

/* Keep enough pages in the pool for one request of the largest size. */
static void xbf_fill_reserve(struct xbf_ring *ring, unsigned int n)
{
	struct xbf_grant *grant;

	spin_lock_irq(&ring->lock);
	ring->reserve = n;
	while (ring->pool_len < n) {
		spin_unlock_irq(&ring->lock);
		grant = xbf_alloc_grant(GFP_NOIO);
		spin_lock_irq(&ring->lock);
		if (!grant)
			break;
		list_add_tail(&grant->node, &ring->pool);
		ring->pool_len++;
	}
	spin_unlock_irq(&ring->lock);
}

/* Free pages nobody used for a while, beyond each ring's reserve. */
static void xbf_reclaim_work(struct work_struct *work)
{
	struct xbf_dev *dev = container_of(to_delayed_work(work), struct xbf_dev,
					   reclaim_work);
	struct xbf_grant *grant, *next;
	bool again = false;
	unsigned int i;

	for (i = 0; i < dev->max_rings; i++) {
		struct xbf_ring *ring = &dev->rings[i];
		LIST_HEAD(idle);

		spin_lock_irq(&ring->lock);
		list_for_each_entry_safe_reverse(grant, next, &ring->pool, node) {
			if (ring->pool_len <= ring->reserve ||
			    time_before(jiffies, grant->last_used + XBF_GRANT_IDLE))
				break;
			/* A persistent grant the backend still maps stays. */
			if (grant->gref != INVALID_GRANT_REF &&
			    !gnttab_try_end_foreign_access(grant->gref))
				continue;
			grant->gref = INVALID_GRANT_REF;
			list_move(&grant->node, &idle);
			ring->pool_len--;
		}
		again |= ring->pool_len > ring->reserve;
		spin_unlock_irq(&ring->lock);
		xbf_free_grants(&idle);
	}
	if (again)
		schedule_delayed_work(&dev->reclaim_work, XBF_RECLAIM_PERIOD);
}

/* Copy a request's bytes between its bios and its granted pages. */
static void xbf_copy_data(struct request *rq, struct list_head *grants,
			  bool into_grants)
{
	struct xbf_grant *grant = list_first_entry(grants, struct xbf_grant, node);
	unsigned int offset = 0, done, n;
	struct req_iterator iter;
	struct bio_vec bv;
	void *va;

	/* bv is the iterator's own: it advances by bv.bv_len afterwards. */
	rq_for_each_segment(bv, rq, iter) {
		for (done = 0; done < bv.bv_len; done += n) {
			n = min_t(unsigned int, bv.bv_len - done, XEN_PAGE_SIZE - offset);
			va = page_address(grant->page) + offset;
			if (into_grants)
				memcpy_from_page(va, bv.bv_page, bv.bv_offset + done, n);
			else
				memcpy_to_page(bv.bv_page, bv.bv_offset + done, va, n);
			offset += n;
			if (offset == XEN_PAGE_SIZE) {
				grant = list_next_entry(grant, node);
				offset = 0;
			}
		}
	}
}

/*
 * Issuing requests.
 */

/*
 * Has the ring room for @nr_parts more slots holding @pages pages?  Called
 * with ring->lock held.
 */
static blk_status_t xbf_ring_room(struct xbf_ring *ring, struct blk_mq_hw_ctx *hctx,
				  unsigned int nr_parts, unsigned int pages)
{
	if (!ring->live || nr_parts > ring->front.nr_ents)
		return BLK_STS_IOERR;
	if (ring->nr_free >= nr_parts &&
	    (!ring->dev->persistent || !ring->lent ||
	     ring->lent + pages <= XBF_RING_PGRANTS))
		return BLK_STS_OK;
	/* Restarted when responses free ids or requests give back pages. */
	blk_mq_stop_hw_queue(hctx);
	ring->stalled = true;
	return BLK_STS_DEV_RESOURCE;
}

/*
 * Put @rq on the ring as one slot per @per_part of its @nr_segs segments,
 * and tell the backend.  Called with ring->lock held and room checked.
 */
static void xbf_push(struct xbf_ring *ring, struct request *rq,
		     unsigned int nr_segs, unsigned int per_part)
{
	struct xbf_req *xr = blk_mq_rq_to_pdu(rq);
	struct xbf_grant *data = list_first_entry_or_null(&xr->data,
							  struct xbf_grant, node);
	struct xbf_grant *ind = list_first_entry_or_null(&xr->indirect,
							 struct xbf_grant, node);
	struct xbf_grant *ind_pages[BLKIF_MAX_INDIRECT_PAGES_PER_REQUEST];
	unsigned int nr_parts = xbf_nr_parts(nr_segs, per_part);
	unsigned int sectors = blk_rq_sectors(rq), seg = 0, part, s, k;
	struct blkif_request_segment *entry;
	struct blkif_request req;
	u16 handle = ring->dev->handle;
	bool indirect;
	int notify;
	u16 id;

	xr->parts_pending = nr_parts;
	for (part = 0; part < nr_parts; part++) {
		unsigned int segs = xbf_part_segs(nr_segs, per_part, part);
		sector_t sector = blk_rq_pos(rq) + seg * XBF_SECTORS_PER_SEG;

		indirect = segs > XBF_DIRECT_SEGS;
		id = ring->free_ids[--ring->nr_free];
		ring->slots[id] = (struct xbf_slot){ rq, xr->op, indirect };
		memset(&req, 0, sizeof(req));
		if (xr->op == BLKIF_OP_DISCARD) {
			req.operation = BLKIF_OP_DISCARD;
			if (req_op(rq) == REQ_OP_SECURE_ERASE)
				req.u.discard.flag = BLKIF_DISCARD_SECURE;
			req.u.discard.id = id;
			req.u.discard.sector_number = sector;
			req.u.discard.nr_sectors = sectors;
		} else if (!indirect) {
			req.operation = xr->op;
			req.u.rw.nr_segments = segs;
			req.u.rw.handle = handle;
			req.u.rw.id = id;
			req.u.rw.sector_number = sector;
		} else {
			req.operation = BLKIF_OP_INDIRECT;
			req.u.indirect.indirect_op = xr->op;
			req.u.indirect.nr_segments = segs;
			req.u.indirect.id = id;
			req.u.indirect.sector_number = sector;
			req.u.indirect.handle = handle;
			for (k = 0; k < xbf_part_indirect_pages(segs); k++) {
				ind_pages[k] = ind;
				req.u.indirect.indirect_grefs[k] = ind->gref;
				ind = list_next_entry(ind, node);
			}
		}
		for (s = 0; s < segs; s++, seg++) {
			if (indirect)
				entry = (struct blkif_request_segment *)
					page_address(ind_pages[s / XBF_SEGS_PER_INDIRECT]->page) +
					s % XBF_SEGS_PER_INDIRECT;
			else
				entry = &req.u.rw.seg[s];
			entry->gref = data->gref;
			entry->first_sect = 0;
			entry->last_sect = xbf_seg_sectors(sectors, seg) - 1;
			data = list_next_entry(data, node);
		}
		*RING_GET_REQUEST(&ring->front, ring->front.req_prod_pvt) = req;
		ring->front.req_prod_pvt++;
	}
	RING_PUSH_REQUESTS_AND_CHECK_NOTIFY(&ring->front, notify);
	if (notify)
		notify_remote_via_irq(ring->irq);
}

static blk_status_t xbf_queue_rq(struct blk_mq_hw_ctx *hctx,
				 const struct blk_mq_queue_data *bd)
{
	struct xbf_dev *dev = hctx->queue->queuedata;
	struct xbf_ring *ring = &dev->rings[hctx->queue_num % dev->nr_rings];
	struct request *rq = bd->rq;
	struct xbf_req *xr = blk_mq_rq_to_pdu(rq);
	unsigned int nr_segs = 0, per_part, nr_parts, nr_indirect;
	blk_status_t status;
	unsigned long flags;
	int op;

	blk_mq_start_request(rq);
	if (test_bit(XBF_BROKEN, &dev->flags))
		return BLK_STS_IOERR;
	op = xbf_wire_op(rq->cmd_flags, READ_ONCE(dev->flush_op),
			 READ_ONCE(dev->discard), READ_ONCE(dev->secure_discard));
	if (op < 0)
		return BLK_STS_NOTSUPP;
	if (req_op(rq) == REQ_OP_FLUSH && !op) {
		/* The backend lost its cache over a migration: nothing to do. */
		blk_mq_end_request(rq, BLK_STS_OK);
		return BLK_STS_OK;
	}
	if (req_op(rq) == REQ_OP_READ || req_op(rq) == REQ_OP_WRITE)
		nr_segs = DIV_ROUND_UP(blk_rq_bytes(rq), XEN_PAGE_SIZE);
	per_part = xbf_segs_per_part(op, READ_ONCE(dev->max_indirect_segs));
	nr_parts = xbf_nr_parts(nr_segs, per_part);
	nr_indirect = xbf_indirect_pages(nr_segs, per_part);
	xr->ring = ring;
	xr->op = op;
	xr->status = BLK_STS_OK;
	xr->lent = 0;
	INIT_LIST_HEAD(&xr->data);
	INIT_LIST_HEAD(&xr->indirect);

	/* Gather the pages under the lock, fill them outside it. */
	spin_lock_irqsave(&ring->lock, flags);
	status = xbf_ring_room(ring, hctx, nr_parts, nr_segs + nr_indirect);
	if (!status && (!xbf_get_grants(ring, &xr->data, nr_segs, op != BLKIF_OP_READ) ||
			!xbf_get_grants(ring, &xr->indirect, nr_indirect, true)))
		status = BLK_STS_RESOURCE;
	spin_unlock_irqrestore(&ring->lock, flags);
	if (!status && nr_segs && op != BLKIF_OP_READ)
		xbf_copy_data(rq, &xr->data, true);

	spin_lock_irqsave(&ring->lock, flags);
	if (!status)
		status = xbf_ring_room(ring, hctx, nr_parts, nr_segs + nr_indirect);
	if (!status) {
		xr->lent = nr_segs + nr_indirect;
		xr->gen = ring->gen;
		ring->lent += xr->lent;
		xbf_push(ring, rq, nr_segs, per_part);
	} else {
		xbf_put_grants(ring, &xr->data);
		xbf_put_grants(ring, &xr->indirect);
	}
	spin_unlock_irqrestore(&ring->lock, flags);
	return status;
}

/*
 * Completions.
 */

/* The backend answered @op with EOPNOTSUPP: stop asking. */
static void xbf_feature_refused(struct xbf_dev *dev, unsigned int op)
{
	bool was_on;

	switch (op) {
	case BLKIF_OP_WRITE_BARRIER:
	case BLKIF_OP_FLUSH_DISKCACHE:
		was_on = dev->flush_op;
		WRITE_ONCE(dev->flush_op, 0);
		break;
	case BLKIF_OP_DISCARD:
		was_on = dev->discard;
		WRITE_ONCE(dev->discard, false);
		WRITE_ONCE(dev->secure_discard, false);
		break;
	default:
		return;
	}
	if (was_on) {
		dev_warn(&dev->xbdev->dev, "backend refused %s; no longer used\n",
			 xbf_op_name(op));
		schedule_work(&dev->features_work);
	}
}

/*
 * The device can no longer be trusted (or used): say so once, stop the
 * rings, and leave the rest to the broken work.  Any context.
 */
static void xbf_mark_broken(struct xbf_dev *dev, const char *why)
{
	if (!test_and_set_bit(XBF_BROKEN, &dev->flags))
		dev_err(&dev->xbdev->dev, "%s; disconnecting\n", why);
	schedule_work(&dev->broken_work);
}

/*
 * The connection cannot be made: say so in xenstore, once, and break the
 * device so that its I/O, with any taken back at resume, fails.
 */
static void xbf_give_up(struct xbf_dev *dev, int err, const char *what)
{
	if (!test_and_set_bit(XBF_DISCONNECTED, &dev->flags))
		xenbus_dev_fatal(dev->xbdev, err, "%s", what);
	xbf_mark_broken(dev, what);
}

/* A response we cannot make sense of.  Called with ring->lock held. */
static int xbf_bad_response(struct xbf_ring *ring, const char *why)
{
	ring->live = false;
	xbf_mark_broken(ring->dev, why);
	return -EIO;
}

/*
 * Account for one response, a copy of the ring's.  A request whose parts
 * have all answered goes on @done.  Called with ring->lock held.
 */
static int xbf_complete_part(struct xbf_ring *ring, const struct blkif_response *rsp,
			     struct list_head *done)
{
	const char *fault = xbf_rsp_fault(rsp, ring->slots, ring->front.nr_ents);
	struct xbf_slot *slot;
	struct request *rq;
	struct xbf_req *xr;
	blk_status_t status;

	if (fault)
		return xbf_bad_response(ring, fault);
	slot = &ring->slots[rsp->id];
	rq = slot->rq;
	status = xbf_rsp_status(rsp->status, req_op(rq) == REQ_OP_FLUSH);
	if (rsp->status == BLKIF_RSP_EOPNOTSUPP)
		xbf_feature_refused(ring->dev, slot->op);

	slot->rq = NULL;
	ring->free_ids[ring->nr_free++] = rsp->id;
	xr = blk_mq_rq_to_pdu(rq);
	if (status) {
		xr->status = status;
		if (status == BLK_STS_IOERR)
			dev_err_ratelimited(&ring->dev->xbdev->dev,
					    "backend failed operation %u at sector %llu\n",
					    slot->op, (unsigned long long)blk_rq_pos(rq));
	}
	if (--xr->parts_pending)
		return 0;
	list_add_tail(&rq->queuelist, done);
	return 0;
}

/* Take every response the backend has produced.  Called with ring->lock held. */
static bool xbf_reap(struct xbf_ring *ring, struct list_head *done)
{
	struct blkif_front_ring *front = &ring->front;
	struct blkif_response rsp;
	bool handled = false;
	RING_IDX prod;
	int more;

	do {
		prod = READ_ONCE(front->sring->rsp_prod);
		virt_rmb();	/* the responses, only once we saw the index */
		if (!xbf_rsp_window_ok(prod, front->rsp_cons, front->nr_ents)) {
			xbf_bad_response(ring, "backend's response index is out of range");
			return handled;
		}
		for (; front->rsp_cons != prod; front->rsp_cons++) {
			RING_COPY_RESPONSE(front, front->rsp_cons, &rsp);
			if (xbf_complete_part(ring, &rsp, done))
				return handled;
			handled = true;
		}
		RING_FINAL_CHECK_FOR_RESPONSES(front, more);
	} while (more);
	return handled;
}

static irqreturn_t xbf_interrupt(int irq, void *data)
{
	struct xbf_ring *ring = data;
	struct xbf_dev *dev = ring->dev;
	struct request *rq, *next;
	bool handled = false, restart = false;
	unsigned long flags;
	LIST_HEAD(done);

	spin_lock_irqsave(&ring->lock, flags);
	if (ring->live) {
		handled = xbf_reap(ring, &done);
		restart = handled && ring->stalled;
		if (restart)
			ring->stalled = false;
	}
	spin_unlock_irqrestore(&ring->lock, flags);

	list_for_each_entry_safe(rq, next, &done, queuelist) {
		list_del_init(&rq->queuelist);
		blk_mq_complete_request(rq);
	}
	if (restart)
		blk_mq_start_stopped_hw_queues(dev->disk->queue, true);
	xen_irq_lateeoi(irq, handled ? 0 : XEN_EOI_FLAG_SPURIOUS);
	return IRQ_HANDLED;
}

/* blk-mq's completion, on the submitting CPU where it can be. */
static void xbf_complete_rq(struct request *rq)
{
	struct xbf_req *xr = blk_mq_rq_to_pdu(rq);
	struct xbf_ring *ring = xr->ring;
	blk_status_t status = xr->status;
	unsigned long flags;
	bool restart;

	if (!status && req_op(rq) == REQ_OP_READ)
		xbf_copy_data(rq, &xr->data, false);

	spin_lock_irqsave(&ring->lock, flags);
	if (!xbf_put_grants(ring, &xr->data))
		status = BLK_STS_IOERR;
	if (!xbf_put_grants(ring, &xr->indirect))
		status = BLK_STS_IOERR;
	if (xr->gen == ring->gen)
		ring->lent -= xr->lent;
	/* A queue stopped for want of pages may go on now. */
	restart = ring->stalled;
	ring->stalled = false;
	spin_unlock_irqrestore(&ring->lock, flags);
	if (restart)
		blk_mq_start_stopped_hw_queues(rq->q, true);

	blk_mq_end_request(rq, status);
}

static const struct blk_mq_ops xbf_mq_ops = {
	.queue_rq = xbf_queue_rq,
	.complete = xbf_complete_rq,
};

/*
 * Rings.
 */

/*
 * Take a ring down: no more interrupts, its pages and pool freed.  Requests
 * still on it go on @orphans for the caller to reissue or fail.  Safe to call
 * twice and concurrently, but never while xbf_queue_rq() may run.
 */
static void xbf_ring_teardown(struct xbf_ring *ring, struct list_head *orphans)
{
	struct blkif_sring *sring;
	struct xbf_slot *slots;
	unsigned int irq, i;
	struct xbf_req *xr;
	u16 *free_ids;
	LIST_HEAD(dead);

	spin_lock_irq(&ring->lock);
	ring->live = false;
	/* Nothing on this ring will restart a queue it stopped: callers do. */
	ring->stalled = false;
	ring->gen++;
	ring->lent = 0;
	irq = ring->irq;
	ring->irq = 0;
	spin_unlock_irq(&ring->lock);
	if (irq)
		unbind_from_irqhandler(irq, ring);

	spin_lock_irq(&ring->lock);
	slots = ring->slots;
	for (i = 0; slots && i < ring->front.nr_ents; i++) {
		if (!slots[i].rq)
			continue;
		xr = blk_mq_rq_to_pdu(slots[i].rq);
		if (--xr->parts_pending == 0) {
			list_splice_init(&xr->data, &dead);
			list_splice_init(&xr->indirect, &dead);
			list_add_tail(&slots[i].rq->queuelist, orphans);
		}
	}
	list_splice_init(&ring->pool, &dead);
	ring->pool_len = 0;
	sring = ring->front.sring;
	ring->front.sring = NULL;
	ring->slots = NULL;
	free_ids = ring->free_ids;
	ring->free_ids = NULL;
	spin_unlock_irq(&ring->lock);

	xbf_free_grants(&dead);
	kfree(slots);
	kfree(free_ids);
	if (sring)
		xenbus_teardown_ring((void **)&sring, ring->nr_pages, ring->refs);
}

static int xbf_ring_setup(struct xbf_dev *dev, struct xbf_ring *ring)
{
	struct blkif_sring *sring;
	LIST_HEAD(none);
	unsigned int i;
	int err;

	ring->nr_pages = 1U << dev->ring_order;
	err = xenbus_setup_ring(dev->xbdev, GFP_NOIO, (void **)&sring,
				ring->nr_pages, ring->refs);
	if (err)
		return err;
	XEN_FRONT_RING_INIT(&ring->front, sring, ring->nr_pages * XEN_PAGE_SIZE);
	ring->slots = kcalloc(ring->front.nr_ents, sizeof(*ring->slots), GFP_NOIO);
	ring->free_ids = kcalloc(ring->front.nr_ents, sizeof(u16), GFP_NOIO);
	err = -ENOMEM;
	if (!ring->slots || !ring->free_ids)
		goto fail;
	for (i = 0; i < ring->front.nr_ents; i++)
		ring->free_ids[i] = i;
	ring->nr_free = ring->front.nr_ents;

	err = xenbus_alloc_evtchn(dev->xbdev, &ring->evtchn);
	if (err)
		goto fail;
	err = bind_evtchn_to_irqhandler_lateeoi(ring->evtchn, xbf_interrupt, 0,
						ring->name, ring);
	if (err < 0) {
		xenbus_free_evtchn(dev->xbdev, ring->evtchn);
		goto fail;
	}
	spin_lock_irq(&ring->lock);
	ring->irq = err;
	ring->live = true;
	spin_unlock_irq(&ring->lock);
	return 0;

fail:
	xbf_ring_teardown(ring, &none);
	return err;
}

/* Write one ring's keys: in the device's directory, or in queue-N/. */
static int xbf_publish_ring(struct xenbus_transaction xbt, struct xbf_dev *dev,
			    unsigned int index)
{
	struct xbf_ring *ring = &dev->rings[index];
	const char *node = dev->xbdev->nodename;
	char key[16], *dir;
	unsigned int i;
	int err = 0;

	if (dev->nr_rings > 1)
		dir = kasprintf(GFP_KERNEL, "%s/queue-%u", node, index);
	else
		dir = kstrdup(node, GFP_KERNEL);
	if (!dir)
		return -ENOMEM;
	for (i = 0; !err && i < ring->nr_pages; i++) {
		if (dev->ring_order)
			snprintf(key, sizeof(key), "ring-ref%u", i);
		else
			strscpy(key, "ring-ref");
		err = xenbus_printf(xbt, dir, key, "%u", ring->refs[i]);
	}
	if (!err)
		err = xenbus_printf(xbt, dir, "event-channel", "%u", ring->evtchn);
	kfree(dir);
	return err;
}

static int xbf_publish(struct xbf_dev *dev)
{
	const char *node = dev->xbdev->nodename;
	struct xenbus_transaction xbt;
	unsigned int i;
	int err;

again:
	err = xenbus_transaction_start(&xbt);
	if (err)
		return err;
	if (dev->nr_rings > 1)
		err = xenbus_printf(xbt, node, "multi-queue-num-queues", "%u",
				    dev->nr_rings);
	if (!err && dev->ring_order)
		err = xenbus_printf(xbt, node, "ring-page-order", "%u", dev->ring_order);
	for (i = 0; !err && i < dev->nr_rings; i++)
		err = xbf_publish_ring(xbt, dev, i);
	if (!err)
		err = xenbus_printf(xbt, node, "protocol", "%s", XEN_IO_PROTO_ABI_NATIVE);
	if (!err)
		err = xenbus_printf(xbt, node, "feature-persistent", "%u",
				    xbf_use_persistent);
	if (err) {
		xenbus_transaction_end(xbt, 1);
		return err;
	}
	err = xenbus_transaction_end(xbt, 0);
	if (err == -EAGAIN)
		goto again;
	return err;
}

/* The backend is in InitWait: set up our rings and tell it about them. */
static void xbf_talk_to_backend(struct xbf_dev *dev)
{
	const char *be = dev->xbdev->otherend;
	unsigned int max_queues, order, i;
	LIST_HEAD(none);
	int err = 0;

	max_queues = xenbus_read_unsigned(be, "multi-queue-max-queues", 1);
	order = xenbus_read_unsigned(be, "max-ring-page-order", 0);
	/* Once the disk exists its number of hardware queues is fixed. */
	dev->nr_rings = clamp(max_queues, 1U,
			      dev->disk ? dev->tag_set.nr_hw_queues : dev->max_rings);
	dev->ring_order = min3(order, READ_ONCE(xbf_max_ring_order),
			       (unsigned int)XENBUS_MAX_RING_GRANT_ORDER);
	/* Not while the broken work takes rings down; not at all once broken. */
	mutex_lock(&dev->ring_lock);
	if (test_bit(XBF_BROKEN, &dev->flags))
		err = -EIO;
	for (i = 0; !err && i < dev->nr_rings; i++)
		err = xbf_ring_setup(dev, &dev->rings[i]);
	if (err) {
		for (i = 0; i < dev->nr_rings; i++)
			xbf_ring_teardown(&dev->rings[i], &none);
	}
	mutex_unlock(&dev->ring_lock);
	if (!err)
		err = xbf_publish(dev);
	if (!err)
		err = xenbus_switch_state(dev->xbdev, XenbusStateInitialised);
	if (err)
		xbf_give_up(dev, err, "setting up rings");
}

/*
 * The disk.
 */

/* Flush, FUA and discard as negotiated, into @lim. */
static void xbf_set_features(struct xbf_dev *dev, struct queue_limits *lim)
{
	/* Never FUA: see "Durability" at the top of this file. */
	lim->features &= ~(BLK_FEAT_WRITE_CACHE | BLK_FEAT_FUA);
	if (dev->flush_op)
		lim->features |= BLK_FEAT_WRITE_CACHE;
	lim->max_hw_discard_sectors = dev->discard ? UINT_MAX : 0;
	lim->max_secure_erase_sectors = dev->secure_discard ? UINT_MAX : 0;
	lim->discard_granularity = dev->discard_granularity;
	lim->discard_alignment = dev->discard_alignment;
}

static void xbf_update_limits(struct xbf_dev *dev)
{
	struct queue_limits lim = queue_limits_start_update(dev->disk->queue);

	xbf_set_features(dev, &lim);
	if (queue_limits_commit_update(dev->disk->queue, &lim))
		dev_warn(&dev->xbdev->dev, "could not update queue limits\n");
}

static void xbf_features_work(struct work_struct *work)
{
	xbf_update_limits(container_of(work, struct xbf_dev, features_work));
}

/*
 * What is wrong with a disk of @sectors (512-byte units, as blkback writes
 * them, whatever the sector size) and @size-byte sectors, or NULL if
 * nothing is.  Its byte count must fit in a loff_t, as the block layer
 * computes it.
 */
static const char *xbf_disk_fault(u64 sectors, unsigned int size)
{
	if (size < SECTOR_SIZE || size > PAGE_SIZE || !is_power_of_2(size))
		return "backend's sector-size is not a power of two from 512 to the page size";
	if (sectors > (u64)LLONG_MAX >> SECTOR_SHIFT)
		return "backend's disk size in sectors overflows";
	return NULL;
}

/* The backend's optional keys xbf_read_backend() reads together. */
enum {
	XBF_K_PHYS_SECTOR, XBF_K_FLUSH, XBF_K_BARRIER, XBF_K_DISCARD,
	XBF_K_SECURE, XBF_K_GRANULARITY, XBF_K_ALIGNMENT, XBF_K_PERSISTENT,
	XBF_K_INDIRECT,
};

/*
 * Read the backend's description of the disk and its features.  On a bad
 * one, *@why names the fault.
 */
static int xbf_read_backend(struct xbf_dev *dev, u64 *sectors, const char **why)
{
	const char *be = dev->xbdev->otherend;
	struct xenbus_unsigned_key k[] = {
		[XBF_K_PHYS_SECTOR]	= { "physical-sector-size" },
		[XBF_K_FLUSH]		= { "feature-flush-cache" },
		[XBF_K_BARRIER]		= { "feature-barrier" },
		[XBF_K_DISCARD]		= { "feature-discard" },
		[XBF_K_SECURE]		= { "discard-secure" },
		[XBF_K_GRANULARITY]	= { "discard-granularity" },
		[XBF_K_ALIGNMENT]	= { "discard-alignment" },
		[XBF_K_PERSISTENT]	= { "feature-persistent" },
		[XBF_K_INDIRECT]	= { "feature-max-indirect-segments" },
	};
	unsigned int info, size, indirect;
	char *mode;
	int err;

	*why = "backend's sectors, info or sector-size is missing";
	err = xenbus_gather(XBT_NIL, be, "sectors", "%llu", sectors,
			    "info", "%u", &info, "sector-size", "%u", &size, NULL);
	if (err)
		return err;
	*why = xbf_disk_fault(*sectors, size);
	if (*why)
		return -EINVAL;
	*why = "backend's sector-size changed under the disk";
	if (dev->disk && size != dev->sector_size)
		return -EINVAL;
	*why = NULL;
	dev->sector_size = size;

	/* The optional keys, in one round trip to xenstored. */
	k[XBF_K_PHYS_SECTOR].def = size;
	k[XBF_K_GRANULARITY].def = size;
	xenbus_read_unsigned_many(be, k, ARRAY_SIZE(k));

	dev->physical_sector_size = k[XBF_K_PHYS_SECTOR].val;
	if (dev->physical_sector_size < size || !is_power_of_2(dev->physical_sector_size))
		dev->physical_sector_size = size;

	mode = xenbus_read(XBT_NIL, be, "mode", NULL);
	dev->readonly = (info & VDISK_READONLY) || (!IS_ERR(mode) && mode[0] == 'r');
	if (!IS_ERR(mode))
		kfree(mode);
	dev->removable = info & VDISK_REMOVABLE;

	dev->flush_op = xbf_flush_op(k[XBF_K_FLUSH].val, k[XBF_K_BARRIER].val);
	dev->discard = k[XBF_K_DISCARD].val;
	dev->secure_discard = dev->discard && k[XBF_K_SECURE].val;
	dev->discard_granularity = k[XBF_K_GRANULARITY].val;
	if (!dev->discard_granularity || dev->discard_granularity % size)
		dev->discard_granularity = size;
	dev->discard_alignment = k[XBF_K_ALIGNMENT].val % dev->discard_granularity;

	dev->persistent = xbf_use_persistent && k[XBF_K_PERSISTENT].val;
	indirect = min3(k[XBF_K_INDIRECT].val, READ_ONCE(xbf_max_indirect), XBF_MAX_SEGS);
	dev->max_indirect_segs = indirect > XBF_DIRECT_SEGS ? indirect : 0;
	if (!dev->disk)
		dev->max_req_segs = max(dev->max_indirect_segs, XBF_DIRECT_SEGS);
	return 0;
}

static void xbf_free(struct xbf_dev *dev)
{
	unsigned int i;

	for (i = 0; i < dev->minors; i++)
		ida_free(&xbf_minors, dev->first_minor + i);
	kfree(dev->rings);
	kfree(dev);
}

static void xbf_free_disk(struct gendisk *disk)
{
	xbf_free(disk->private_data);
}

static const struct block_device_operations xbf_fops = {
	.owner = THIS_MODULE,
	.free_disk = xbf_free_disk,
};

/* /sys/block/xvd?/xen/: what this connection negotiated. */
#define XBF_ATTR(_name, _fmt, _value)					\
static ssize_t _name##_show(struct device *d, struct device_attribute *attr, \
			    char *buf)					\
{									\
	struct xbf_dev *dev = dev_to_disk(d)->private_data;		\
									\
	return sysfs_emit(buf, _fmt "\n", _value);			\
}									\
static DEVICE_ATTR_RO(_name)

XBF_ATTR(queues, "%u", dev->nr_rings);
XBF_ATTR(ring_pages, "%u", 1U << dev->ring_order);
XBF_ATTR(indirect_segments, "%u", dev->max_indirect_segs);
XBF_ATTR(max_request_segments, "%u", dev->max_req_segs);
XBF_ATTR(persistent_grants, "%d", dev->persistent);
XBF_ATTR(flush, "%s", xbf_op_name(READ_ONCE(dev->flush_op)));
XBF_ATTR(discard, "%s", READ_ONCE(dev->secure_discard) ? "secure" :
			 READ_ONCE(dev->discard) ? "yes" : "no");

static struct attribute *xbf_attrs[] = {
	&dev_attr_queues.attr,
	&dev_attr_ring_pages.attr,
	&dev_attr_indirect_segments.attr,
	&dev_attr_max_request_segments.attr,
	&dev_attr_persistent_grants.attr,
	&dev_attr_flush.attr,
	&dev_attr_discard.attr,
	NULL
};

static const struct attribute_group xbf_attr_group = {
	.name = "xen",
	.attrs = xbf_attrs,
};

static const struct attribute_group *xbf_attr_groups[] = {
	&xbf_attr_group,
	NULL
};

static int xbf_create_disk(struct xbf_dev *dev, u64 sectors)
{
	struct queue_limits lim = {
		.logical_block_size = dev->sector_size,
		.physical_block_size = dev->physical_sector_size,
		.max_hw_sectors = dev->max_req_segs * XBF_SECTORS_PER_SEG,
	};
	struct blk_mq_tag_set *set = &dev->tag_set;
	struct gendisk *disk;
	int err;

	xbf_set_features(dev, &lim);
	set->ops = &xbf_mq_ops;
	set->nr_hw_queues = dev->nr_rings;
	set->queue_depth = dev->rings[0].front.nr_ents;
	set->numa_node = NUMA_NO_NODE;
	/*
	 * No I/O scheduler unless the administrator picks one: dom0's block
	 * layer orders the real disk's I/O, and the disk may be made before
	 * mq-deadline has registered (xbf_init runs early), so "none" also
	 * keeps the choice the same on every boot.
	 */
	set->flags = BLK_MQ_F_SHOULD_MERGE | BLK_MQ_F_NO_SCHED_BY_DEFAULT;
	set->cmd_size = sizeof(struct xbf_req);
	err = blk_mq_alloc_tag_set(set);
	if (err)
		return err;
	disk = blk_mq_alloc_disk(set, &lim, dev);
	if (IS_ERR(disk)) {
		blk_mq_free_tag_set(set);
		return PTR_ERR(disk);
	}
	disk->major = XENVBD_MAJOR;
	disk->first_minor = dev->first_minor;
	disk->minors = dev->minors;
	disk->fops = &xbf_fops;
	disk->private_data = dev;
	if (dev->minors == 1)
		disk->flags |= GENHD_FL_NO_PART;
	if (dev->removable)
		disk->flags |= GENHD_FL_REMOVABLE;
	strscpy(disk->disk_name, dev->name);
	set_capacity(disk, sectors);
	set_disk_ro(disk, dev->readonly);
	mutex_lock(&dev->ring_lock);
	dev->disk = disk;
	mutex_unlock(&dev->ring_lock);
	return 0;
}

static bool xbf_disk_in_service(struct xbf_dev *dev)
{
	return dev->disk_added && !dev->disk_deleted;
}

/* The disk's queue while requests can still reach it.  With ring_lock held. */
static struct request_queue *xbf_queue(struct xbf_dev *dev)
{
	return dev->disk && !dev->disk_deleted ? dev->disk->queue : NULL;
}

/*
 * Let the queue run again after its rings went down: reissue the requests
 * taken back at resume (or fail them), end the quiesce resume began, and
 * start any hardware queue a ring stopped for want of room, since that
 * ring's completions, which would have started it, are gone.  With
 * ring_lock held.
 */
static void xbf_release_requeue(struct xbf_dev *dev, bool reissue)
{
	struct request_queue *q = xbf_queue(dev);
	struct request *rq, *next;

	list_for_each_entry_safe(rq, next, &dev->requeue, queuelist) {
		list_del_init(&rq->queuelist);
		if (reissue)
			blk_mq_requeue_request(rq, false);
		else
			blk_mq_end_request(rq, BLK_STS_IOERR);
	}
	if (dev->quiesced) {
		dev->quiesced = false;
		blk_mq_unquiesce_queue(dev->disk->queue);
	}
	if (q) {
		blk_mq_start_stopped_hw_queues(q, true);
		blk_mq_kick_requeue_list(q);
	}
}

/* The backend is Connected: make (or update) the disk and go live. */
static void xbf_connect(struct xbf_dev *dev)
{
	struct xenbus_device *xbdev = dev->xbdev;
	const char *why = NULL;
	unsigned int i, per_part;
	u64 sectors;
	int err;

	if (xbdev->state == XenbusStateConnected) {
		/* The backend rewrote its state: the disk may have grown. */
		if (!xbf_disk_in_service(dev) ||
		    xenbus_scanf(XBT_NIL, xbdev->otherend, "sectors", "%llu", &sectors) != 1)
			return;
		why = xbf_disk_fault(sectors, dev->sector_size);
		if (why)
			xbf_mark_broken(dev, why);
		else
			set_capacity_and_notify(dev->disk, sectors);
		return;
	}
	if (xbdev->state != XenbusStateInitialised || test_bit(XBF_BROKEN, &dev->flags))
		return;

	err = xbf_read_backend(dev, &sectors, &why);
	if (err)
		goto fatal;
	per_part = xbf_segs_per_part(BLKIF_OP_READ, dev->max_indirect_segs);
	for (i = 0; i < dev->nr_rings; i++)
		xbf_fill_reserve(&dev->rings[i], dev->max_req_segs +
				 xbf_indirect_pages(dev->max_req_segs, per_part));
	if (!dev->disk) {
		err = xbf_create_disk(dev, sectors);
		if (err)
			goto fatal;
	} else if (xbf_disk_in_service(dev)) {
		xbf_update_limits(dev);
		set_capacity_and_notify(dev->disk, sectors);
		set_disk_ro(dev->disk, dev->readonly);
	}
	xenbus_switch_state(xbdev, XenbusStateConnected);
	if (!dev->disk_added) {
		err = device_add_disk(&xbdev->dev, dev->disk, xbf_attr_groups);
		if (err)
			goto fatal;
		dev->disk_added = true;
	}
	mutex_lock(&dev->ring_lock);
	xbf_release_requeue(dev, true);
	mutex_unlock(&dev->ring_lock);
	dev_info(&xbdev->dev,
		 "%s: %llu sectors, %u/%u-byte blocks%s, %u queue(s) of %u ring page(s), indirect segments %u, persistent grants %d, flush %s, discard %s\n",
		 dev->name, sectors, dev->sector_size, dev->physical_sector_size,
		 dev->readonly ? ", read-only" : "", dev->nr_rings,
		 1U << dev->ring_order, dev->max_indirect_segs, dev->persistent,
		 xbf_op_name(dev->flush_op),
		 dev->secure_discard ? "secure" : dev->discard ? "yes" : "no");
	return;

fatal:
	/* The broken work fails what resume took back: no waiting for ever. */
	xbf_give_up(dev, err, why ?: "connecting to the backend");
}

/* Fail a list of requests taken off the rings. */
static void xbf_fail_requests(struct list_head *requests)
{
	struct request *rq, *next;

	list_for_each_entry_safe(rq, next, requests, queuelist) {
		list_del_init(&rq->queuelist);
		blk_mq_end_request(rq, BLK_STS_IOERR);
	}
}

/*
 * Disconnect a device we cannot trust, or that could not reconnect: every
 * request it holds fails, on its rings, taken back at resume, or parked in
 * a hardware queue a ring had stopped, and so does all later I/O (queue_rq
 * sees XBF_BROKEN).  Under ring_lock, so never while rings are being set up.
 */
static void xbf_broken_work(struct work_struct *work)
{
	struct xbf_dev *dev = container_of(work, struct xbf_dev, broken_work);
	struct request_queue *q;
	LIST_HEAD(orphans);
	unsigned int i;

	mutex_lock(&dev->ring_lock);
	q = xbf_queue(dev);
	if (q)
		blk_mq_quiesce_queue(q);
	for (i = 0; i < dev->max_rings; i++)
		xbf_ring_teardown(&dev->rings[i], &orphans);
	if (q)
		blk_mq_unquiesce_queue(q);
	xbf_fail_requests(&orphans);
	xbf_release_requeue(dev, false);
	mutex_unlock(&dev->ring_lock);
	if (!test_and_set_bit(XBF_DISCONNECTED, &dev->flags))
		xenbus_dev_fatal(dev->xbdev, -EIO, "backend misbehaved");
}

/*
 * A backend that asked to close (or whose device is being removed) but has
 * not answered what it holds within XBF_CLOSE_GRACE: fail it, so that the
 * unplug, and the xenbus thread it runs in, go on.  We are closing anyway,
 * so no error node is written.
 */
static void xbf_close_timeout(struct work_struct *work)
{
	struct xbf_dev *dev = container_of(to_delayed_work(work), struct xbf_dev,
					   close_timeout);

	set_bit(XBF_DISCONNECTED, &dev->flags);
	xbf_mark_broken(dev, "backend left requests unanswered at unplug");
}

/*
 * Unplug, first step: remove the disk; its I/O drains on the live rings (or
 * fails, through the broken work, on a broken device or one whose backend
 * answers nothing for XBF_CLOSE_GRACE).  The broken work is not cancelled
 * here: the rings' interrupts can still schedule it.
 */
static void xbf_close(struct xbf_dev *dev)
{
	mutex_lock(&dev->ring_lock);
	if (dev->quiesced)
		xbf_release_requeue(dev, false);
	mutex_unlock(&dev->ring_lock);
	if (xbf_disk_in_service(dev)) {
		schedule_delayed_work(&dev->close_timeout, XBF_CLOSE_GRACE);
		del_gendisk(dev->disk);
		cancel_delayed_work_sync(&dev->close_timeout);
		mutex_lock(&dev->ring_lock);
		dev->disk_deleted = true;
		mutex_unlock(&dev->ring_lock);
	}
	if (dev->disk_added && dev->tag_set.tags)
		blk_mq_free_tag_set(&dev->tag_set);
}

/*
 * Unplug, last step, once the backend has closed: by then it has unmapped
 * every page we lent it, so each is freed at once rather than left to the
 * grant table's slow retry of pages still mapped.
 */
static void xbf_drop_rings(struct xbf_dev *dev)
{
	LIST_HEAD(orphans);
	unsigned int i;

	mutex_lock(&dev->ring_lock);
	for (i = 0; i < dev->max_rings; i++)
		xbf_ring_teardown(&dev->rings[i], &orphans);
	mutex_unlock(&dev->ring_lock);
	xbf_fail_requests(&orphans);
}

/*
 * Xenbus.
 */

static void xbf_backend_changed(struct xenbus_device *xbdev,
				enum xenbus_state backend_state)
{
	struct xbf_dev *dev = dev_get_drvdata(&xbdev->dev);

	mutex_lock(&dev->lock);
	switch (backend_state) {
	case XenbusStateInitWait:
		if (xbdev->state == XenbusStateInitialising &&
		    !test_bit(XBF_BROKEN, &dev->flags))
			xbf_talk_to_backend(dev);
		break;
	case XenbusStateConnected:
		xbf_connect(dev);
		break;
	case XenbusStateClosing:
		xbf_close(dev);
		xenbus_frontend_closed(xbdev);
		break;
	case XenbusStateUnknown:	/* its directory has been removed */
		if (xbdev->state != XenbusStateConnected)
			break;
		fallthrough;
	case XenbusStateClosed:
		/*
		 * The orderly way out passes through Closing.  A backend that
		 * left while we were connected will answer nothing more: fail
		 * what it holds (through the broken work) before the disk goes,
		 * or removing the disk would wait for it for ever.  There is
		 * nobody left to read an error node.
		 */
		if (xbdev->state == XenbusStateConnected) {
			set_bit(XBF_DISCONNECTED, &dev->flags);
			xbf_mark_broken(dev, backend_state == XenbusStateClosed ?
					"backend closed without closing first" :
					"backend vanished from xenstore");
		}
		if (xbdev->state != XenbusStateClosed) {
			xbf_close(dev);
			xenbus_frontend_closed(xbdev);
		}
		xbf_drop_rings(dev);
		break;
	default:
		break;
	}
	mutex_unlock(&dev->lock);
}

static int xbf_probe(struct xenbus_device *xbdev, const struct xenbus_device_id *id)
{
	unsigned int vdevice, index, part, i;
	struct xbf_dev *dev;
	int err;

	err = xenbus_scanf(XBT_NIL, xbdev->nodename, "virtual-device", "%u", &vdevice);
	if (err != 1)
		err = xenbus_scanf(XBT_NIL, xbdev->nodename, "virtual-device-ext",
				   "%u", &vdevice);
	if (err != 1) {
		xenbus_dev_fatal(xbdev, err < 0 ? err : -EINVAL, "reading virtual-device");
		return err < 0 ? err : -EINVAL;
	}
	err = xbf_parse_vdevice(vdevice, &index, &part);
	if (err) {
		xenbus_dev_fatal(xbdev, err, "unusable virtual-device %#x", vdevice);
		return err;
	}

	dev = kzalloc(sizeof(*dev), GFP_KERNEL);
	if (!dev)
		return -ENOMEM;
	dev->max_rings = clamp(xbf_max_queues, 1U, num_online_cpus());
	dev->rings = kcalloc(dev->max_rings, sizeof(*dev->rings), GFP_KERNEL);
	if (!dev->rings) {
		kfree(dev);
		return -ENOMEM;
	}
	dev->first_minor = index * XBF_MINORS_PER_DISK + part;
	for (; dev->minors < (part ? 1 : XBF_MINORS_PER_DISK); dev->minors++) {
		i = dev->first_minor + dev->minors;
		if (ida_alloc_range(&xbf_minors, i, i, GFP_KERNEL) < 0) {
			xbf_free(dev);
			xenbus_dev_fatal(xbdev, -EBUSY, "minor %u is taken", i);
			return -EBUSY;
		}
	}
	xbf_disk_name(dev->name, sizeof(dev->name), index, part);
	dev->xbdev = xbdev;
	dev->handle = vdevice;
	mutex_init(&dev->lock);
	mutex_init(&dev->ring_lock);
	INIT_LIST_HEAD(&dev->requeue);
	INIT_WORK(&dev->broken_work, xbf_broken_work);
	INIT_WORK(&dev->features_work, xbf_features_work);
	INIT_DELAYED_WORK(&dev->close_timeout, xbf_close_timeout);
	INIT_DELAYED_WORK(&dev->reclaim_work, xbf_reclaim_work);
	for (i = 0; i < dev->max_rings; i++) {
		struct xbf_ring *ring = &dev->rings[i];

		spin_lock_init(&ring->lock);
		INIT_LIST_HEAD(&ring->pool);
		ring->dev = dev;
		snprintf(ring->name, sizeof(ring->name), "%s-q%u", dev->name, i);
	}
	dev_set_drvdata(&xbdev->dev, dev);
	return 0;
}

/*
 * Save/restore or migration: the old rings are gone.  Take back what was on
 * them; the new backend's InitWait and Connected bring up new rings and
 * reissue it.
 */
static int xbf_resume(struct xenbus_device *xbdev)
{
	struct xbf_dev *dev = dev_get_drvdata(&xbdev->dev);
	unsigned int i;

	mutex_lock(&dev->lock);
	mutex_lock(&dev->ring_lock);
	if (!test_bit(XBF_BROKEN, &dev->flags)) {
		if (xbf_disk_in_service(dev) && !dev->quiesced) {
			blk_mq_quiesce_queue(dev->disk->queue);
			dev->quiesced = true;
		}
		for (i = 0; i < dev->max_rings; i++)
			xbf_ring_teardown(&dev->rings[i], &dev->requeue);
		dev_info(&xbdev->dev, "resuming; %zu request(s) to reissue\n",
			 list_count_nodes(&dev->requeue));
	}
	mutex_unlock(&dev->ring_lock);
	mutex_unlock(&dev->lock);
	return 0;
}

static void xbf_remove(struct xenbus_device *xbdev)
{
	struct xbf_dev *dev = dev_get_drvdata(&xbdev->dev);

	mutex_lock(&dev->lock);
	xbf_close(dev);
	xbf_drop_rings(dev);
	mutex_unlock(&dev->lock);
	/*
	 * Only now that no ring has an interrupt left to schedule it can the
	 * broken work be cancelled for good, before dev is freed.
	 */
	cancel_work_sync(&dev->broken_work);
	cancel_work_sync(&dev->features_work);
	cancel_delayed_work_sync(&dev->reclaim_work);
	if (dev->disk_added) {
		put_disk(dev->disk);	/* xbf_free_disk() frees dev */
		return;
	}
	if (dev->disk)
		put_disk(dev->disk);
	if (dev->tag_set.tags)
		blk_mq_free_tag_set(&dev->tag_set);
	xbf_free(dev);
}

static const struct xenbus_device_id xbf_ids[] = {
	{ "vbd" },
	{ "" }
};

/*
 * Probed asynchronously: a probe waits on xenstore round trips, and a
 * disk's name comes from its virtual-device number, not from probe order.
 * The bus's boot wait waits for the probes too.
 */
static struct xenbus_driver xbf_driver = {
	.driver.probe_type = PROBE_PREFER_ASYNCHRONOUS,
	.ids = xbf_ids,
	.probe = xbf_probe,
	.remove = xbf_remove,
	.resume = xbf_resume,
	.otherend_changed = xbf_backend_changed,
};

/*
 * Early, at the end of the subsystem initcalls (the xen bus and the block
 * layer are up): a disk's handshake with its backend takes a few hundred
 * milliseconds of dom0's time at boot, which then overlaps the rest of
 * the kernel's initcalls instead of being waited for at their end.
 */
static int __init xbf_init(void)
{
	int err;

	if (!xen_domain() || (xen_hvm_domain() && !xen_has_pv_disk_devices()))
		return -ENODEV;
	err = register_blkdev(XENVBD_MAJOR, "xvd");
	if (err)
		return err;
	err = xenbus_register_frontend(&xbf_driver);
	if (err)
		unregister_blkdev(XENVBD_MAJOR, "xvd");
	return err;
}
subsys_initcall_sync(xbf_init);

static void __exit xbf_exit(void)
{
	xenbus_unregister_driver(&xbf_driver);
	unregister_blkdev(XENVBD_MAJOR, "xvd");
}
module_exit(xbf_exit);

MODULE_DESCRIPTION("Xen virtual block device frontend");
MODULE_LICENSE("GPL");
MODULE_ALIAS_BLOCKDEV_MAJOR(XENVBD_MAJOR);
MODULE_ALIAS("xen:vbd");

#if IS_REACHABLE(CONFIG_KUNIT)
#include <kunit/test.h>

static void xbf_test_vdevice(struct kunit *test)
{
	static const struct {
		u32 vdevice;
		int err;
		unsigned int index, part;
	} cases[] = {
		{ 202 << 8, 0, 0, 0 },			/* xvda */
		{ 202 << 8 | 17, 0, 1, 1 },		/* xvdb1 */
		{ 3 << 8, 0, 0, 0 },			/* hda */
		{ 22 << 8 | 64, 0, 3, 0 },		/* hdd */
		{ 8 << 8 | 16, 0, 1, 0 },		/* sdb */
		{ 65 << 8 | 32, 0, 18, 0 },		/* sds */
		{ 128 << 8, 0, 128, 0 },
		{ XBF_VDEV_EXTENDED | 26 << 8, 0, 26, 0 },	/* xvdaa */
		{ XBF_VDEV_EXTENDED | 5 << 8 | 3, 0, 5, 3 },
		{ XBF_VDEV_EXTENDED | 5 << 8 | 16, -ERANGE },
		{ XBF_VDEV_EXTENDED | 0x10000 << 8, -ERANGE },
		{ 3 << 8 | 20, -ERANGE },
		{ 2U << 28, -EINVAL },
		{ 7 << 8, -ENODEV },
	};
	unsigned int i, index, part;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		KUNIT_EXPECT_EQ_MSG(test, xbf_parse_vdevice(cases[i].vdevice, &index, &part),
				    cases[i].err, "vdevice %#x", cases[i].vdevice);
		if (cases[i].err)
			continue;
		KUNIT_EXPECT_EQ(test, index, cases[i].index);
		KUNIT_EXPECT_EQ(test, part, cases[i].part);
	}
}

static void xbf_test_disk_name(struct kunit *test)
{
	char name[DISK_NAME_LEN];

	xbf_disk_name(name, sizeof(name), 0, 0);
	KUNIT_EXPECT_STREQ(test, name, "xvda");
	xbf_disk_name(name, sizeof(name), 25, 0);
	KUNIT_EXPECT_STREQ(test, name, "xvdz");
	xbf_disk_name(name, sizeof(name), 26, 0);
	KUNIT_EXPECT_STREQ(test, name, "xvdaa");
	xbf_disk_name(name, sizeof(name), 701, 0);
	KUNIT_EXPECT_STREQ(test, name, "xvdzz");
	xbf_disk_name(name, sizeof(name), 702, 0);
	KUNIT_EXPECT_STREQ(test, name, "xvdaaa");
	xbf_disk_name(name, sizeof(name), 1, 3);
	KUNIT_EXPECT_STREQ(test, name, "xvdb3");
}

static void xbf_test_split(struct kunit *test)
{
	/* Indirect only for plain reads and writes, and only past 11. */
	KUNIT_EXPECT_EQ(test, xbf_segs_per_part(BLKIF_OP_READ, 0), 11U);
	KUNIT_EXPECT_EQ(test, xbf_segs_per_part(BLKIF_OP_READ, 8), 11U);
	KUNIT_EXPECT_EQ(test, xbf_segs_per_part(BLKIF_OP_WRITE, 32), 32U);
	KUNIT_EXPECT_EQ(test, xbf_segs_per_part(BLKIF_OP_WRITE_BARRIER, 32), 11U);
	KUNIT_EXPECT_EQ(test, xbf_segs_per_part(BLKIF_OP_DISCARD, 32), 11U);

	/* Flushes and discards still take one slot. */
	KUNIT_EXPECT_EQ(test, xbf_nr_parts(0, 11), 1U);
	KUNIT_EXPECT_EQ(test, xbf_nr_parts(11, 11), 1U);
	KUNIT_EXPECT_EQ(test, xbf_nr_parts(12, 11), 2U);
	KUNIT_EXPECT_EQ(test, xbf_nr_parts(XBF_MAX_SEGS, 11), 24U);
	KUNIT_EXPECT_EQ(test, xbf_nr_parts(32, 32), 1U);

	/* A 256-segment request reissued without indirect: 23 x 11 + 3. */
	KUNIT_EXPECT_EQ(test, xbf_part_segs(256, 11, 0), 11U);
	KUNIT_EXPECT_EQ(test, xbf_part_segs(256, 11, 23), 3U);
	KUNIT_EXPECT_EQ(test, xbf_part_segs(40, 32, 1), 8U);
}

static void xbf_test_indirect(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, XBF_SEGS_PER_INDIRECT, 512UL);
	KUNIT_EXPECT_EQ(test, xbf_part_indirect_pages(11), 0U);
	KUNIT_EXPECT_EQ(test, xbf_part_indirect_pages(12), 1U);
	KUNIT_EXPECT_EQ(test, xbf_part_indirect_pages(512), 1U);
	KUNIT_EXPECT_EQ(test, xbf_part_indirect_pages(513), 2U);
	KUNIT_EXPECT_EQ(test, xbf_part_indirect_pages(4096), 8U);

	KUNIT_EXPECT_EQ(test, xbf_indirect_pages(0, 32), 0U);
	KUNIT_EXPECT_EQ(test, xbf_indirect_pages(32, 32), 1U);
	/* 40 as 32 + 8: the short second part fits its slot directly. */
	KUNIT_EXPECT_EQ(test, xbf_indirect_pages(40, 32), 1U);
	KUNIT_EXPECT_EQ(test, xbf_indirect_pages(80, 32), 3U);
	KUNIT_EXPECT_EQ(test, xbf_indirect_pages(256, 11), 0U);
	KUNIT_EXPECT_EQ(test, xbf_indirect_pages(1030, 1024), 2U);
}

static void xbf_test_segments(struct kunit *test)
{
	/* 9 KiB: two full pages and a quarter one. */
	KUNIT_EXPECT_EQ(test, xbf_seg_sectors(18, 0), 8U);
	KUNIT_EXPECT_EQ(test, xbf_seg_sectors(18, 1), 8U);
	KUNIT_EXPECT_EQ(test, xbf_seg_sectors(18, 2), 2U);
	KUNIT_EXPECT_EQ(test, xbf_seg_sectors(1, 0), 1U);
	KUNIT_EXPECT_EQ(test, xbf_seg_sectors(256 * 8, 255), 8U);
}

static void xbf_test_rsp_window(struct kunit *test)
{
	KUNIT_EXPECT_TRUE(test, xbf_rsp_window_ok(5, 3, 32));
	KUNIT_EXPECT_TRUE(test, xbf_rsp_window_ok(3, 3, 32));
	KUNIT_EXPECT_TRUE(test, xbf_rsp_window_ok(35, 3, 32));
	KUNIT_EXPECT_FALSE(test, xbf_rsp_window_ok(36, 3, 32));
	/* A producer behind the consumer is a huge count, not a small one. */
	KUNIT_EXPECT_FALSE(test, xbf_rsp_window_ok(2, 3, 32));
	/* Across the wrap of the 32-bit indexes. */
	KUNIT_EXPECT_TRUE(test, xbf_rsp_window_ok(0x10, 0xfffffff0U, 32));
	KUNIT_EXPECT_FALSE(test, xbf_rsp_window_ok(0x11, 0xfffffff0U, 32));
}

static void xbf_test_rsp_fault(struct kunit *test)
{
	struct request *rq = kunit_kzalloc(test, sizeof(*rq), GFP_KERNEL);
	struct xbf_slot slots[4] = {
		[1] = { rq, BLKIF_OP_READ, false },
		[2] = { rq, BLKIF_OP_WRITE, true },
	};
	static const struct {
		u64 id;
		u8 op;
		s16 status;
		bool ok;
	} cases[] = {
		{ 1, BLKIF_OP_READ, BLKIF_RSP_OKAY, true },
		{ 1, BLKIF_OP_READ, BLKIF_RSP_ERROR, true },
		{ 2, BLKIF_OP_WRITE, BLKIF_RSP_EOPNOTSUPP, true },
		{ 2, BLKIF_OP_INDIRECT, BLKIF_RSP_OKAY, true },
		{ 1, BLKIF_OP_INDIRECT, BLKIF_RSP_OKAY, false },	/* was direct */
		{ 1, BLKIF_OP_WRITE, BLKIF_RSP_OKAY, false },
		{ 0, BLKIF_OP_READ, BLKIF_RSP_OKAY, false },		/* not in flight */
		{ 4, BLKIF_OP_READ, BLKIF_RSP_OKAY, false },		/* beyond the ring */
		{ 1ULL << 32 | 1, BLKIF_OP_READ, BLKIF_RSP_OKAY, false },
		{ 1, BLKIF_OP_READ, 1, false },
		{ 1, BLKIF_OP_READ, -3, false },
	};
	struct blkif_response rsp;
	unsigned int i;

	KUNIT_ASSERT_NOT_NULL(test, rq);
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		rsp.id = cases[i].id;
		rsp.operation = cases[i].op;
		rsp.status = cases[i].status;
		KUNIT_EXPECT_EQ_MSG(test, !xbf_rsp_fault(&rsp, slots, ARRAY_SIZE(slots)),
				    cases[i].ok, "case %u", i);
	}
}

static void xbf_test_flush_op(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, xbf_flush_op(true, true), BLKIF_OP_FLUSH_DISKCACHE);
	KUNIT_EXPECT_EQ(test, xbf_flush_op(true, false), BLKIF_OP_FLUSH_DISKCACHE);
	KUNIT_EXPECT_EQ(test, xbf_flush_op(false, true), BLKIF_OP_WRITE_BARRIER);
	KUNIT_EXPECT_EQ(test, xbf_flush_op(false, false), 0);
}

/* A FUA write is a plain write whatever the backend offers; never a barrier. */
static void xbf_test_wire_op(struct kunit *test)
{
	static const blk_opf_t writes[] = {
		REQ_OP_WRITE, REQ_OP_WRITE | REQ_FUA,
		REQ_OP_WRITE | REQ_FUA | REQ_PREFLUSH | REQ_SYNC,
	};
	static const bool offers[][2] = {
		{ true, true }, { false, true }, { true, false }, { false, false },
	};
	unsigned int i, j;
	u8 flush;

	for (i = 0; i < ARRAY_SIZE(offers); i++) {
		flush = xbf_flush_op(offers[i][0], offers[i][1]);
		for (j = 0; j < ARRAY_SIZE(writes); j++)
			KUNIT_EXPECT_EQ_MSG(test, xbf_wire_op(writes[j], flush, true, true),
					    BLKIF_OP_WRITE, "flush-cache %d barrier %d opf %#x",
					    offers[i][0], offers[i][1], writes[j]);
		KUNIT_EXPECT_EQ(test, xbf_wire_op(REQ_OP_FLUSH, flush, false, false), flush);
	}
	KUNIT_EXPECT_EQ(test, xbf_wire_op(REQ_OP_READ, 0, false, false), BLKIF_OP_READ);
	KUNIT_EXPECT_EQ(test, xbf_wire_op(REQ_OP_DISCARD, 0, true, false), BLKIF_OP_DISCARD);
	KUNIT_EXPECT_EQ(test, xbf_wire_op(REQ_OP_DISCARD, 0, false, false), -EOPNOTSUPP);
	KUNIT_EXPECT_EQ(test, xbf_wire_op(REQ_OP_SECURE_ERASE, 0, true, false), -EOPNOTSUPP);
	KUNIT_EXPECT_EQ(test, xbf_wire_op(REQ_OP_SECURE_ERASE, 0, true, true),
			BLKIF_OP_DISCARD);
	KUNIT_EXPECT_EQ(test, xbf_wire_op(REQ_OP_WRITE_ZEROES, 0, true, true), -EOPNOTSUPP);
}

/* The queue gets a write cache from either flush key, and FUA from neither. */
static void xbf_test_no_fua(struct kunit *test)
{
	struct xbf_dev *dev = kunit_kzalloc(test, sizeof(*dev), GFP_KERNEL);
	struct queue_limits lim = { .features = BLK_FEAT_FUA };

	KUNIT_ASSERT_NOT_NULL(test, dev);
	dev->flush_op = xbf_flush_op(true, true);
	xbf_set_features(dev, &lim);
	KUNIT_EXPECT_TRUE(test, lim.features & BLK_FEAT_WRITE_CACHE);
	KUNIT_EXPECT_FALSE(test, lim.features & BLK_FEAT_FUA);
	dev->flush_op = xbf_flush_op(false, true);
	xbf_set_features(dev, &lim);
	KUNIT_EXPECT_TRUE(test, lim.features & BLK_FEAT_WRITE_CACHE);
	KUNIT_EXPECT_FALSE(test, lim.features & BLK_FEAT_FUA);
	dev->flush_op = 0;
	xbf_set_features(dev, &lim);
	KUNIT_EXPECT_FALSE(test, lim.features & (BLK_FEAT_WRITE_CACHE | BLK_FEAT_FUA));
}

/* A refused flush completes; a refused anything else does not. */
static void xbf_test_rsp_status(struct kunit *test)
{
	static const struct {
		s16 status;
		bool flush;
		int err;
	} cases[] = {
		{ BLKIF_RSP_OKAY, false, 0 },
		{ BLKIF_RSP_OKAY, true, 0 },
		{ BLKIF_RSP_EOPNOTSUPP, true, 0 },
		{ BLKIF_RSP_EOPNOTSUPP, false, -EOPNOTSUPP },
		{ BLKIF_RSP_ERROR, true, -EIO },
		{ BLKIF_RSP_ERROR, false, -EIO },
	};
	unsigned int i;
	int err;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		err = blk_status_to_errno(xbf_rsp_status(cases[i].status, cases[i].flush));
		KUNIT_EXPECT_EQ_MSG(test, err, cases[i].err, "status %d, flush %d",
				    cases[i].status, cases[i].flush);
	}
}

/* The disk a backend describes: sane sector sizes and sizes only. */
static void xbf_test_disk_fault(struct kunit *test)
{
	static const struct {
		u64 sectors;
		unsigned int size;
		bool ok;
	} cases[] = {
		{ 32768, 512, true },
		{ 32768, 4096, true },
		{ 0, 512, true },
		{ 32768, 0, false },
		{ 32768, 256, false },
		{ 32768, 1000, false },
		{ 32768, 8192, false },
		{ (u64)LLONG_MAX >> SECTOR_SHIFT, 512, true },
		{ ((u64)LLONG_MAX >> SECTOR_SHIFT) + 1, 512, false },
		{ U64_MAX, 512, false },
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(cases); i++)
		KUNIT_EXPECT_EQ_MSG(test, !xbf_disk_fault(cases[i].sectors, cases[i].size),
				    cases[i].ok, "sectors %llu, size %u",
				    cases[i].sectors, cases[i].size);
}

static struct kunit_case xbf_test_cases[] = {
	KUNIT_CASE(xbf_test_disk_fault),
	KUNIT_CASE(xbf_test_vdevice),
	KUNIT_CASE(xbf_test_disk_name),
	KUNIT_CASE(xbf_test_split),
	KUNIT_CASE(xbf_test_indirect),
	KUNIT_CASE(xbf_test_segments),
	KUNIT_CASE(xbf_test_rsp_window),
	KUNIT_CASE(xbf_test_rsp_fault),
	KUNIT_CASE(xbf_test_flush_op),
	KUNIT_CASE(xbf_test_wire_op),
	KUNIT_CASE(xbf_test_no_fua),
	KUNIT_CASE(xbf_test_rsp_status),
	{}
};

static struct kunit_suite xbf_test_suite = {
	.name = "xen-blkfront",
	.test_cases = xbf_test_cases,
};

kunit_test_suite(xbf_test_suite);
#endif
