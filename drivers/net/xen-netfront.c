// SPDX-License-Identifier: GPL-2.0
/*
 * xen-netfront.c - the network card of a Xen guest.
 *
 * A Xen guest has no NIC.  For each "vif" the toolstack gives it, there is
 * a xenstore directory (device/vif/N) and a backend driver in another
 * domain, usually dom0's netback, which owns the other end of the cable.
 * This file makes each vif an Ethernet net_device.  It talks to the backend
 * over three channels:
 *
 *   xenstore  each end publishes a state and its features.  The backend
 *             offers feature-sg, feature-gso-tcpv4/v6, checksum offloads,
 *             multi-queue-max-queues and feature-split-event-channels; we
 *             ask for receive-by-copy and say where our rings and event
 *             channels are.  Backend state changes arrive in
 *             xnf_backend_changed().
 *
 *   rings     page-sized rings shared by grant, a TX and an RX ring per
 *             queue, one queue per vCPU as far as the backend allows.  A TX
 *             request names a granted piece (within one 4 KiB page) of an
 *             outgoing packet and is answered with a status; an RX request
 *             offers an empty granted page, which the backend fills and
 *             answers in the same ring slot.  Longer packets span slots
 *             chained by a "more data" flag, and an "extra info" slot carries
 *             GSO parameters.
 *
 *   events    one event channel per queue, or a TX/RX pair.  They are bound
 *             "late EOI": an event is acknowledged only once NAPI has done
 *             its work, and one that brought no work is reported spurious,
 *             so the event core throttles a backend that kicks for nothing.
 *
 * The backend may be buggy or hostile.  Each response is copied out of the
 * ring once and only the copy is used; ids, sizes, offsets, slot chains,
 * extra-info types and producer indexes are checked against what we asked
 * for.  A bad packet is dropped and counted; a backend that breaks the
 * protocol itself, or keeps a granted page mapped, gets the device marked
 * broken and ignored until it reconnects, and such a page is never reused.
 * A TX answer of RSP_NULL is taken only for the extra-info slots a packet
 * really carried; one for a data slot would strand that slot's id.
 *
 * No backend reads memory it has no business with.  Every RX page is
 * zeroed before it is first granted, and an untrusted backend (module
 * parameter or xenstore key "trusted" = 0) only ever sees copies of
 * outgoing packets in fresh zeroed pages.  Netback drops a packet whose
 * first slot is shorter than an Ethernet header, so a packet whose data
 * starts that close to a page end is copied the same way.
 *
 * Transmitting is allowed from the moment the rings are published until
 * the backend starts closing, the guest resumes on another backend, or the
 * device is found broken (xnf_info.tx_on, broken); nothing reopens a queue
 * outside that window, and carrier is on only inside it.  After
 * save/restore the new backend's InitWait replaces the rings, under the
 * same net_device.  This port is for x86: 4 KiB pages only.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/cpumask.h>
#include <linux/delay.h>
#include <linux/etherdevice.h>
#include <linux/ethtool.h>
#include <linux/if_vlan.h>
#include <linux/kmemleak.h>
#include <linux/module.h>
#include <linux/netdevice.h>
#include <linux/rtnetlink.h>
#include <linux/skbuff.h>
#include <linux/slab.h>
#include <linux/u64_stats_sync.h>

#include <xen/events.h>
#include <xen/grant_table.h>
#include <xen/interface/io/netif.h>
#include <xen/page.h>
#include <xen/platform_pci.h>
#include <xen/xen.h>
#include <xen/xenbus.h>

static unsigned int xnf_max_queues = 8;
module_param_named(max_queues, xnf_max_queues, uint, 0644);
MODULE_PARM_DESC(max_queues, "Most queue pairs a vif uses (also bounded by vCPUs and backend)");

static bool xnf_trust_backends = true;
module_param_named(trusted, xnf_trust_backends, bool, 0644);
MODULE_PARM_DESC(trusted, "Grant backends our own packet memory; 0 bounces TX data through zeroed pages (read at each connect)");

#define XNF_TX_RING_SIZE	__CONST_RING_SIZE(xen_netif_tx, XEN_PAGE_SIZE)
#define XNF_RX_RING_SIZE	__CONST_RING_SIZE(xen_netif_rx, XEN_PAGE_SIZE)
/* Data slots a backend must accept in one packet; one more for GSO info. */
#define XNF_TX_MAX_SLOTS	XEN_NETIF_NR_SLOTS_MIN
#define XNF_TX_ROOM		(XNF_TX_MAX_SLOTS + 1)
/* Received packets up to this size are copied whole; larger ones get their
 * headers copied and the rest attached as page fragments.
 */
#define XNF_RX_COPY_LEN		256
#define XNF_REFILL_RETRY	(HZ / 10)

/* Offloads that need the backend's consent; it may revoke them on reconnect. */
#define XNF_BACKEND_OFFLOADS	(NETIF_F_SG | NETIF_F_IP_CSUM | NETIF_F_IPV6_CSUM | \
				 NETIF_F_TSO | NETIF_F_TSO6)

enum xnf_rx_stat {
	XNF_RX_PACKETS,		/* must stay 0: a verdict of 0 means "good" */
	XNF_RX_BYTES,
	XNF_RX_GSO,
	XNF_RX_BACKEND_ERRORS,	/* the backend flagged the packet bad */
	XNF_RX_MALFORMED,	/* responses that broke the slot rules */
	XNF_RX_NO_MEMORY,
	XNF_RX_NR_STATS
};

enum xnf_tx_stat {
	XNF_TX_PACKETS,
	XNF_TX_BYTES,
	XNF_TX_GSO,
	XNF_TX_BOUNCED,		/* copied into fresh pages before granting */
	XNF_TX_DROPPED,
	XNF_TX_BACKEND_ERRORS,
	XNF_TX_NR_STATS
};

static const char * const xnf_rx_stat_names[XNF_RX_NR_STATS] = {
	"rx_packets", "rx_bytes", "rx_gso", "rx_backend_errors",
	"rx_malformed", "rx_no_memory",
};

static const char * const xnf_tx_stat_names[XNF_TX_NR_STATS] = {
	"tx_packets", "tx_bytes", "tx_gso", "tx_bounced", "tx_dropped",
	"tx_backend_errors",
};

/* One TX ring slot we have posted; indexed by the request id. */
struct xnf_tx_slot {
	struct sk_buff *skb;	/* one reference per slot; NULL if bounced */
	struct page *bounce;	/* our private copy of the data, or NULL */
	grant_ref_t gref;	/* INVALID_GRANT_REF while the slot is free */
	unsigned int pkt_bytes;	/* skb->len on a packet's first slot, for BQL */
	u8 nr_extras;		/* extra-info slots posted after this one */
};

enum { XNF_EOI_RX, XNF_EOI_TX };	/* bits of xnf_queue.eoi_pending */

struct xnf_queue {
	struct xnf_info *info;
	unsigned int id;
	struct napi_struct napi;

	/* Equal when one event channel serves both rings. */
	int tx_irq, rx_irq;
	evtchn_port_t tx_port, rx_port;
	unsigned long eoi_pending;	/* events whose late EOI awaits NAPI */
	char tx_irq_name[IFNAMSIZ + 8], rx_irq_name[IFNAMSIZ + 8];

	/* TX: xmit and completion both run under tx_lock. */
	spinlock_t tx_lock;
	struct xen_netif_tx_front_ring tx;
	grant_ref_t tx_ring_gref;
	unsigned int tx_nr_free_ids;
	unsigned int tx_nulls_owed;	/* RSP_NULLs due for extra-info slots */
	u16 tx_free_ids[XNF_TX_RING_SIZE];
	struct xnf_tx_slot tx_slots[XNF_TX_RING_SIZE];
	struct u64_stats_sync tx_syncp;
	u64_stats_t tx_stats[XNF_TX_NR_STATS];

	/* RX: only the NAPI poll (or connect, before NAPI runs) touches it.
	 * Request and response for slot i share ring index i (mod size).
	 */
	struct xen_netif_rx_front_ring rx;
	grant_ref_t rx_ring_gref;
	struct page *rx_pages[XNF_RX_RING_SIZE];
	grant_ref_t rx_grefs[XNF_RX_RING_SIZE];
	struct timer_list rx_refill_timer;
	struct u64_stats_sync rx_syncp;
	u64_stats_t rx_stats[XNF_RX_NR_STATS];
};

struct xnf_info {
	struct net_device *netdev;
	struct xenbus_device *xbdev;
	struct xnf_queue *queues;	/* netdev->num_tx_queues of them */
	unsigned int nr_queues;		/* connected ones; 0 when disconnected */
	domid_t backend_id;
	bool split_events;
	bool bounce_tx;			/* backend not trusted */
	bool tx_on;			/* rings published, backend not closing */
	bool broken;			/* backend broke the protocol */
	bool rx_fault_logged;		/* a malformed RX packet was reported */
	netdev_features_t backend_offloads;
	/* TX skbs whose pages a broken backend kept mapped (xnf_hold_skb()) */
	spinlock_t held_lock;
	struct list_head held;
	struct delayed_work held_work;
};

/* One such skb, with the grant the backend still maps. */
struct xnf_held {
	struct list_head node;
	struct sk_buff *skb;
	grant_ref_t gref;
};

/* ---- Pure helpers (KUnit-tested at the end of the file) ------------------ */

/* Ring slots that @len bytes starting at byte @offset of a page span. */
static unsigned int xnf_region_slots(unsigned long offset, unsigned int len)
{
	return len ? gnttab_count_grant(offset, len) : 0;
}

/* TX slots an skb needs when its own pages are granted. */
static unsigned int xnf_skb_slots(const struct sk_buff *skb)
{
	const struct skb_shared_info *shinfo = skb_shinfo(skb);
	unsigned int i, slots;

	slots = xnf_region_slots(offset_in_page(skb->data), skb_headlen(skb));
	for (i = 0; i < shinfo->nr_frags; i++)
		slots += xnf_region_slots(skb_frag_off(&shinfo->frags[i]),
					  skb_frag_size(&shinfo->frags[i]));
	return slots;
}

/* Bytes of the first ring slot when @len bytes at byte @offset of a page
 * (or of a compound page) are granted where they lie.
 */
static unsigned int xnf_first_chunk(unsigned long offset, unsigned int len)
{
	return min_t(unsigned long, len, XEN_PAGE_SIZE - (offset & (XEN_PAGE_SIZE - 1)));
}

/* The first ring slot's bytes when an skb's own pages are granted: the head,
 * or the first fragment if the head is empty.
 */
static unsigned int xnf_skb_first_chunk(const struct sk_buff *skb)
{
	const struct skb_shared_info *shinfo = skb_shinfo(skb);
	unsigned int i;

	if (skb_headlen(skb))
		return xnf_first_chunk(offset_in_page(skb->data), skb_headlen(skb));
	for (i = 0; i < shinfo->nr_frags; i++)
		if (skb_frag_size(&shinfo->frags[i]))
			return xnf_first_chunk(skb_frag_off(&shinfo->frags[i]),
					       skb_frag_size(&shinfo->frags[i]));
	return 0;
}

/* How a packet goes onto the TX ring. */
struct xnf_tx_plan {
	unsigned int slots;	/* data slots */
	unsigned int first;	/* bytes in the first of them */
	bool bounce;		/* copied into fresh pages, one per slot */
};

/*
 * Plan the TX slots of a packet of @len bytes which, granted where it lies,
 * needs @slots slots, the first holding @first bytes.  It is copied instead
 * when the backend is @untrusted, when it needs more than @max_slots, or
 * when its first slot would be shorter than an Ethernet header, which
 * netback takes for a malformed packet.  A copy starts at a page's start,
 * so its first slot holds min(len, page) bytes.  False if the packet cannot
 * be sent at all.
 */
static bool xnf_tx_plan(unsigned int len, unsigned int first, unsigned int slots,
			unsigned int max_slots, bool untrusted, struct xnf_tx_plan *plan)
{
	if (len < ETH_HLEN || len > XEN_NETIF_MAX_TX_SIZE)
		return false;
	plan->bounce = untrusted || first < ETH_HLEN || slots > max_slots;
	if (plan->bounce) {
		plan->slots = DIV_ROUND_UP(len, XEN_PAGE_SIZE);
		plan->first = min_t(unsigned int, len, XEN_PAGE_SIZE);
	} else {
		plan->slots = slots;
		plan->first = first;
	}
	return plan->slots <= max_slots;
}

enum xnf_tx_rsp { XNF_TX_RSP_DATA, XNF_TX_RSP_EXTRA, XNF_TX_RSP_BAD };

/*
 * What a TX response answers.  @posted: its id names a slot we posted and
 * have had no answer for.  @nulls_owed: extra-info slots of the packet
 * answered last that are still unanswered; the backend answers them with
 * RSP_NULL right after the packet's first slot.  RSP_NULL anywhere else
 * would leave a data slot, and its id, unanswered for ever.
 */
static enum xnf_tx_rsp xnf_tx_rsp_kind(s16 status, bool posted, unsigned int nulls_owed)
{
	if (nulls_owed)
		return status == XEN_NETIF_RSP_NULL ? XNF_TX_RSP_EXTRA : XNF_TX_RSP_BAD;
	if (status == XEN_NETIF_RSP_NULL || !posted)
		return XNF_TX_RSP_BAD;
	return XNF_TX_RSP_DATA;
}

/* May a stopped TX queue with @ring_free free requests be woken? */
static bool xnf_tx_may_wake(bool tx_on, bool broken, unsigned int ring_free)
{
	return tx_on && !broken && ring_free >= XNF_TX_ROOM;
}

/* The wire's GSO type for an skb's gso_type; NONE if the wire has none. */
static u8 xnf_gso_to_wire(unsigned int gso_type)
{
	if (gso_type & SKB_GSO_TCPV4)
		return XEN_NETIF_GSO_TYPE_TCPV4;
	if (gso_type & SKB_GSO_TCPV6)
		return XEN_NETIF_GSO_TYPE_TCPV6;
	return XEN_NETIF_GSO_TYPE_NONE;
}

/* The skb gso_type for a received GSO type; 0 if it is not one we know. */
static unsigned int xnf_gso_from_wire(u8 wire_type)
{
	switch (wire_type) {
	case XEN_NETIF_GSO_TYPE_TCPV4:
		return SKB_GSO_TCPV4;
	case XEN_NETIF_GSO_TYPE_TCPV6:
		return SKB_GSO_TCPV6;
	default:
		return 0;
	}
}

static u16 xnf_tx_csum_flags(u8 ip_summed)
{
	if (ip_summed == CHECKSUM_PARTIAL)	/* checksum left for the backend */
		return XEN_NETTXF_csum_blank | XEN_NETTXF_data_validated;
	if (ip_summed == CHECKSUM_UNNECESSARY)
		return XEN_NETTXF_data_validated;
	return 0;
}

enum xnf_rx_csum { XNF_CSUM_NONE, XNF_CSUM_VALID, XNF_CSUM_PARTIAL };

static enum xnf_rx_csum xnf_rx_csum_state(u16 rx_flags, bool is_gso, bool rxcsum)
{
	/* A blank checksum must be completed by whoever forwards the packet. */
	if ((rx_flags & XEN_NETRXF_csum_blank) || is_gso)
		return XNF_CSUM_PARTIAL;
	if ((rx_flags & XEN_NETRXF_data_validated) && rxcsum)
		return XNF_CSUM_VALID;
	return XNF_CSUM_NONE;
}

/* What breaks the slot rules in a data response (status > 0) for ring slot
 * @slot, or NULL if nothing does.
 */
static const char *xnf_rx_fault(const struct xen_netif_rx_response *rsp, unsigned int slot)
{
	if (rsp->id != slot)
		return "response id is not its slot's";
	if (rsp->status == 0)
		return "response of zero bytes";
	/* A GSO prefix slot is never asked for, so never expected. */
	if (rsp->flags & XEN_NETRXF_gso_prefix)
		return "GSO prefix slot";
	if (rsp->offset + rsp->status > XEN_PAGE_SIZE)
		return "response runs past its page";
	return NULL;
}

/* Check a data response for ring slot @slot: 0 if usable, else the counter
 * to charge.
 */
static enum xnf_rx_stat xnf_rx_check(const struct xen_netif_rx_response *rsp,
				     unsigned int slot)
{
	if (rsp->status < 0)
		return XNF_RX_BACKEND_ERRORS;
	return xnf_rx_fault(rsp, slot) ? XNF_RX_MALFORMED : XNF_RX_PACKETS;
}

/* May the backend have produced up to @prod when @cons is ours and
 * @outstanding requests are posted?
 */
static bool xnf_prod_plausible(RING_IDX prod, RING_IDX cons, unsigned int outstanding)
{
	return (RING_IDX)(prod - cons) <= outstanding;
}

/* ---- Small utilities ------------------------------------------------------ */

static void xnf_mark_broken(struct xnf_info *info, const char *why)
{
	if (xchg(&info->broken, true))
		return;
	netdev_err(info->netdev, "backend broke the protocol (%s); ignoring it until it reconnects\n",
		   why);
	netif_carrier_off(info->netdev);
}

/* Carrier on, unless the device may not transmit.  xnf_mark_broken() sets
 * broken before it turns carrier off, and we turn it on before we look at
 * broken, so whichever of the two runs second leaves carrier right.
 */
static void xnf_carrier_on(struct xnf_info *info)
{
	if (!READ_ONCE(info->tx_on) || READ_ONCE(info->broken))
		return;
	netif_carrier_on(info->netdev);
	smp_mb();	/* carrier on before looking at broken again */
	if (!READ_ONCE(info->tx_on) || READ_ONCE(info->broken))
		netif_carrier_off(info->netdev);
}

/* Stop transmitting for good, until the next connect.  After the pass over
 * the queue locks no TX completion can still act on tx_on being set, so
 * none reopens a queue that netif_tx_disable() has stopped.
 */
static void xnf_stop_tx(struct xnf_info *info)
{
	unsigned int i;

	WRITE_ONCE(info->tx_on, false);
	for (i = 0; i < info->netdev->num_tx_queues; i++) {
		spin_lock_bh(&info->queues[i].tx_lock);
		spin_unlock_bh(&info->queues[i].tx_lock);
	}
	netif_carrier_off(info->netdev);
	netif_tx_disable(info->netdev);
}

/*
 * End the backend's access to a page we granted.  If it still has the page
 * mapped, the page must never be reused: @page (ours alone, or NULL when it is
 * someone else's) goes to the grant table's deferred list, which frees it
 * once the backend lets go, and the device is marked broken.
 */
static bool xnf_end_access(struct xnf_info *info, grant_ref_t gref, struct page *page)
{
	if (likely(gnttab_try_end_foreign_access(gref)))
		return true;
	gnttab_end_foreign_access(gref, page);
	xnf_mark_broken(info, "granted page still in use");
	return false;
}

static void xnf_rx_count(struct xnf_queue *q, enum xnf_rx_stat stat, u64 n)
{
	u64_stats_update_begin(&q->rx_syncp);
	u64_stats_add(&q->rx_stats[stat], n);
	u64_stats_update_end(&q->rx_syncp);
}

/* Caller holds tx_lock. */
static void xnf_tx_count(struct xnf_queue *q, enum xnf_tx_stat stat, u64 n)
{
	u64_stats_update_begin(&q->tx_syncp);
	u64_stats_add(&q->tx_stats[stat], n);
	u64_stats_update_end(&q->tx_syncp);
}

/* ---- Transmit ------------------------------------------------------------- */

/* A packet being laid onto the TX ring. */
struct xnf_tx_build {
	struct sk_buff *skb;		/* NULL when bounced */
	unsigned int len;		/* of the whole packet */
	u16 first_flags;
	u8 gso_wire_type;
	u16 gso_size;
	bool bounced;			/* data copied into bounce pages */
	unsigned int slots;		/* data slots it needs */
	grant_ref_t grefs;		/* reserved for this packet */
	unsigned int nr_slots;		/* posted so far */
	struct xen_netif_tx_request req;	/* last request, not yet in the ring */
	RING_IDX req_idx;
};

static void xnf_tx_put(struct xnf_queue *q, struct xnf_tx_build *b, struct page *page,
		       unsigned int offset, unsigned int len, struct page *bounce)
{
	u16 id = q->tx_free_ids[--q->tx_nr_free_ids];
	struct xnf_tx_slot *slot = &q->tx_slots[id];
	grant_ref_t gref = gnttab_claim_grant_reference(&b->grefs);

	gnttab_grant_foreign_access_ref(gref, q->info->backend_id, xen_page_to_gfn(page), 1);
	slot->gref = gref;
	slot->bounce = bounce;
	/* The first slot takes over the caller's reference. */
	slot->skb = !b->skb ? NULL : b->nr_slots ? skb_get(b->skb) : b->skb;
	slot->pkt_bytes = b->nr_slots ? 0 : b->len;
	slot->nr_extras = 0;

	if (b->nr_slots) {
		b->req.flags |= XEN_NETTXF_more_data;
		*RING_GET_REQUEST(&q->tx, b->req_idx) = b->req;
	}
	b->req = (struct xen_netif_tx_request) {
		.gref = gref, .offset = offset, .id = id, .size = len,
	};
	b->req_idx = q->tx.req_prod_pvt++;

	if (!b->nr_slots) {
		/* The first request carries the size of the whole packet. */
		b->req.size = b->len;
		b->req.flags = b->first_flags;
		if (b->gso_wire_type != XEN_NETIF_GSO_TYPE_NONE) {
			struct xen_netif_extra_info *extra;

			b->req.flags |= XEN_NETTXF_extra_info;
			slot->nr_extras = 1;
			extra = (void *)RING_GET_REQUEST(&q->tx, q->tx.req_prod_pvt++);
			*extra = (struct xen_netif_extra_info) {
				.type = XEN_NETIF_EXTRA_TYPE_GSO,
				.u.gso.size = b->gso_size,
				.u.gso.type = b->gso_wire_type,
			};
		}
	}
	b->nr_slots++;
}

/* Post @len bytes at @offset of @page (which may be compound), a slot per
 * Xen page touched.
 */
static void xnf_tx_put_region(struct xnf_queue *q, struct xnf_tx_build *b,
			      struct page *page, unsigned int offset, unsigned int len)
{
	page = nth_page(page, offset >> PAGE_SHIFT);
	offset &= ~PAGE_MASK;
	while (len) {
		unsigned int chunk = min_t(unsigned int, len, XEN_PAGE_SIZE - offset);

		xnf_tx_put(q, b, page, offset, chunk, NULL);
		page = nth_page(page, 1);
		offset = 0;
		len -= chunk;
	}
}

/* Copy the packet into fresh zeroed pages, one per slot. */
static bool xnf_tx_bounce(struct sk_buff *skb, struct page **pages, unsigned int nr)
{
	unsigned int i;

	for (i = 0; i < nr; i++) {
		unsigned int offset = i * XEN_PAGE_SIZE;

		pages[i] = alloc_page(GFP_ATOMIC | __GFP_ZERO | __GFP_NOWARN);
		if (!pages[i])
			goto fail;
		if (skb_copy_bits(skb, offset, page_address(pages[i]),
				  min_t(unsigned int, skb->len - offset, XEN_PAGE_SIZE))) {
			i++;
			goto fail;
		}
	}
	return true;
fail:
	while (i--)
		__free_page(pages[i]);
	return false;
}

static void xnf_tx_push(struct xnf_queue *q)
{
	int notify;

	RING_PUSH_REQUESTS_AND_CHECK_NOTIFY(&q->tx, notify);
	if (notify)
		notify_remote_via_irq(q->tx_irq);
}

/* Count the slots @skb needs, plan its layout and, if the plan says so,
 * copy it into bounce pages.  False if it must be dropped.
 */
static bool xnf_tx_prepare(struct xnf_info *info, struct sk_buff *skb,
			   struct xnf_tx_build *b, struct page **bounce)
{
	/* Without scatter-gather the backend takes single-slot packets only. */
	unsigned int max_slots = (info->backend_offloads & NETIF_F_SG) ? XNF_TX_MAX_SLOTS : 1;
	struct xnf_tx_plan plan;

	*b = (struct xnf_tx_build) {
		.len = skb->len,
		.first_flags = xnf_tx_csum_flags(skb->ip_summed),
		.gso_wire_type = XEN_NETIF_GSO_TYPE_NONE,
	};
	if (skb_is_gso(skb)) {
		b->gso_wire_type = xnf_gso_to_wire(skb_shinfo(skb)->gso_type);
		b->gso_size = skb_shinfo(skb)->gso_size;
		if (b->gso_wire_type == XEN_NETIF_GSO_TYPE_NONE)
			return false;
	}
	if (!xnf_tx_plan(skb->len, xnf_skb_first_chunk(skb), xnf_skb_slots(skb), max_slots,
			 info->bounce_tx, &plan))
		return false;
	b->slots = plan.slots;
	b->bounced = plan.bounce;
	return !b->bounced || xnf_tx_bounce(skb, bounce, b->slots);
}

static void xnf_tx_free_bounce(struct xnf_tx_build *b, struct page **bounce)
{
	unsigned int i;

	for (i = 0; b->bounced && i < b->slots; i++)
		__free_page(bounce[i]);
}

/* Lay a prepared packet onto the ring.  Caller holds tx_lock and has made
 * sure of b->slots free ids and one more free request.
 */
static void xnf_tx_post(struct xnf_queue *q, struct sk_buff *skb, struct xnf_tx_build *b,
			struct page **bounce)
{
	const struct skb_shared_info *shinfo = skb_shinfo(skb);
	unsigned int i;

	if (b->bounced) {
		for (i = 0; i < b->slots; i++)
			xnf_tx_put(q, b, bounce[i], 0,
				   min_t(unsigned int, b->len - i * XEN_PAGE_SIZE, XEN_PAGE_SIZE),
				   bounce[i]);
	} else {
		b->skb = skb;
		xnf_tx_put_region(q, b, virt_to_page(skb->data), offset_in_page(skb->data),
				  skb_headlen(skb));
		for (i = 0; i < shinfo->nr_frags; i++)
			xnf_tx_put_region(q, b, skb_frag_page(&shinfo->frags[i]),
					  skb_frag_off(&shinfo->frags[i]),
					  skb_frag_size(&shinfo->frags[i]));
	}
	*RING_GET_REQUEST(&q->tx, b->req_idx) = b->req;

	xnf_tx_count(q, XNF_TX_PACKETS, 1);
	xnf_tx_count(q, XNF_TX_BYTES, b->len);
	if (b->gso_wire_type != XEN_NETIF_GSO_TYPE_NONE)
		xnf_tx_count(q, XNF_TX_GSO, 1);
	if (b->bounced)
		xnf_tx_count(q, XNF_TX_BOUNCED, 1);
}

static netdev_tx_t xnf_start_xmit(struct sk_buff *skb, struct net_device *dev)
{
	struct xnf_info *info = netdev_priv(dev);
	unsigned int qid = skb_get_queue_mapping(skb);
	struct netdev_queue *txq = netdev_get_tx_queue(dev, qid);
	struct page *bounce[XNF_TX_MAX_SLOTS];
	struct xnf_tx_build b;
	struct xnf_queue *q;
	bool kick;

	if (unlikely(qid >= READ_ONCE(info->nr_queues) || !READ_ONCE(info->tx_on) ||
		     READ_ONCE(info->broken))) {
		dev_core_stats_tx_dropped_inc(dev);
		dev_kfree_skb_any(skb);
		return NETDEV_TX_OK;
	}
	q = &info->queues[qid];

	if (!xnf_tx_prepare(info, skb, &b, bounce))
		goto drop;
	if (gnttab_alloc_grant_references(b.slots, &b.grefs))
		goto drop_bounce;

	spin_lock(&q->tx_lock);
	if (unlikely(RING_FREE_REQUESTS(&q->tx) < b.slots + 1 || q->tx_nr_free_ids < b.slots)) {
		/* The queue is stopped before this can happen; be safe anyway. */
		netif_tx_stop_queue(txq);
		spin_unlock(&q->tx_lock);
		gnttab_free_grant_references(b.grefs);
		goto drop_bounce;
	}
	skb_tx_timestamp(skb);
	xnf_tx_post(q, skb, &b, bounce);

	kick = __netdev_tx_sent_queue(txq, b.len, netdev_xmit_more());
	if (RING_FREE_REQUESTS(&q->tx) < XNF_TX_ROOM) {
		netif_tx_stop_queue(txq);
		kick = true;
	}
	if (kick)
		xnf_tx_push(q);
	spin_unlock(&q->tx_lock);

	if (b.bounced)
		dev_consume_skb_any(skb);
	return NETDEV_TX_OK;

drop_bounce:
	xnf_tx_free_bounce(&b, bounce);
drop:
	spin_lock(&q->tx_lock);
	xnf_tx_count(q, XNF_TX_DROPPED, 1);
	xnf_tx_push(q);		/* earlier packets of a batch may wait for it */
	spin_unlock(&q->tx_lock);
	dev_kfree_skb_any(skb);
	return NETDEV_TX_OK;
}

/*
 * A TX slot's skb whose page the backend still maps after answering: the
 * skb may be freed only once it lets go, or its memory (a slab object, it
 * may be) would be reused under the backend's eyes.  Its socket is let go
 * at once; the skb waits on info->held, retried every second.  Any
 * context.
 */
static void xnf_hold_skb(struct xnf_info *info, struct sk_buff *skb, grant_ref_t gref)
{
	struct xnf_held *h = kmalloc(sizeof(*h), GFP_ATOMIC);
	unsigned long flags;

	skb_orphan(skb);
	if (!h) {
		/* Nothing to wait with: the skb is kept for good. */
		gnttab_end_foreign_access(gref, NULL);
		kmemleak_not_leak(skb);
		return;
	}
	h->skb = skb;
	h->gref = gref;
	spin_lock_irqsave(&info->held_lock, flags);
	list_add_tail(&h->node, &info->held);
	spin_unlock_irqrestore(&info->held_lock, flags);
	schedule_delayed_work(&info->held_work, HZ);
}

/* Free the held skbs the backend has let go of; @last: give up on the rest
 * (the device goes): their grants go to the grant table's deferred list
 * and the skbs are never freed.
 */
static void xnf_release_held(struct xnf_info *info, bool last)
{
	struct xnf_held *h, *next;
	LIST_HEAD(done);
	bool more;

	spin_lock_irq(&info->held_lock);
	list_for_each_entry_safe(h, next, &info->held, node) {
		if (gnttab_try_end_foreign_access(h->gref)) {
			list_move(&h->node, &done);
		} else if (last) {
			list_del(&h->node);
			gnttab_end_foreign_access(h->gref, NULL);
			kmemleak_not_leak(h->skb);
			kfree(h);
		}
	}
	more = !list_empty(&info->held);
	spin_unlock_irq(&info->held_lock);
	list_for_each_entry_safe(h, next, &done, node) {
		consume_skb(h->skb);
		kfree(h);
	}
	if (more && !last)
		schedule_delayed_work(&info->held_work, HZ);
}

static void xnf_held_work(struct work_struct *work)
{
	xnf_release_held(container_of(to_delayed_work(work), struct xnf_info, held_work), false);
}

/* Give a completed (or abandoned) TX slot back.  Caller holds tx_lock or
 * owns the queue outright.
 */
static void xnf_tx_release(struct xnf_queue *q, u16 id, int budget)
{
	struct xnf_tx_slot *slot = &q->tx_slots[id];

	if (slot->bounce) {
		/* our private copy: the grant table frees it when it may */
		if (xnf_end_access(q->info, slot->gref, slot->bounce))
			__free_page(slot->bounce);
	} else if (gnttab_try_end_foreign_access(slot->gref)) {
		if (slot->skb)
			napi_consume_skb(slot->skb, budget);
	} else {
		xnf_mark_broken(q->info, "granted page still in use");
		if (slot->skb)
			xnf_hold_skb(q->info, slot->skb, slot->gref);
		else
			gnttab_end_foreign_access(slot->gref, NULL);
	}
	*slot = (struct xnf_tx_slot) { .gref = INVALID_GRANT_REF };
	q->tx_free_ids[q->tx_nr_free_ids++] = id;
}

static void xnf_tx_complete(struct xnf_queue *q, int budget)
{
	struct netdev_queue *txq = netdev_get_tx_queue(q->info->netdev, q->id);
	unsigned int packets = 0, bytes = 0;
	RING_IDX prod, cons;

	spin_lock(&q->tx_lock);
	prod = READ_ONCE(q->tx.sring->rsp_prod);
	virt_rmb();	/* read responses only after the index */
	if (!xnf_prod_plausible(prod, q->tx.rsp_cons, q->tx.req_prod_pvt - q->tx.rsp_cons)) {
		xnf_mark_broken(q->info, "TX response index out of range");
		goto out;
	}

	for (cons = q->tx.rsp_cons; cons != prod; cons++) {
		struct xen_netif_tx_response rsp;
		bool posted;

		RING_COPY_RESPONSE(&q->tx, cons, &rsp);
		posted = rsp.id < XNF_TX_RING_SIZE &&
			 q->tx_slots[rsp.id].gref != INVALID_GRANT_REF;
		switch (xnf_tx_rsp_kind(rsp.status, posted, q->tx_nulls_owed)) {
		case XNF_TX_RSP_EXTRA:
			q->tx_nulls_owed--;
			continue;
		case XNF_TX_RSP_BAD:
			xnf_mark_broken(q->info, "TX response that answers no request of ours");
			goto done;
		case XNF_TX_RSP_DATA:
			break;
		}
		if (rsp.status != XEN_NETIF_RSP_OKAY)
			xnf_tx_count(q, XNF_TX_BACKEND_ERRORS, 1);
		if (q->tx_slots[rsp.id].pkt_bytes) {
			packets++;
			bytes += q->tx_slots[rsp.id].pkt_bytes;
		}
		q->tx_nulls_owed = q->tx_slots[rsp.id].nr_extras;
		xnf_tx_release(q, rsp.id, budget);
	}
done:
	q->tx.rsp_cons = cons;
	netdev_tx_completed_queue(txq, packets, bytes);

	if (netif_tx_queue_stopped(txq) &&
	    xnf_tx_may_wake(READ_ONCE(q->info->tx_on), READ_ONCE(q->info->broken),
			    RING_FREE_REQUESTS(&q->tx)))
		netif_tx_wake_queue(txq);
out:
	spin_unlock(&q->tx_lock);
}

/* ---- Receive -------------------------------------------------------------- */

/* Post an empty granted page in every free RX slot. */
static void xnf_rx_refill(struct xnf_queue *q)
{
	/* Zeroed: the backend must not read what the page held before. */
	gfp_t gfp = GFP_ATOMIC | __GFP_NOWARN | __GFP_ZERO;
	RING_IDX prod = q->rx.req_prod_pvt;
	int notify;

	while (prod - q->rx.rsp_cons < XNF_RX_RING_SIZE) {
		unsigned int slot = prod & (XNF_RX_RING_SIZE - 1);
		int gref;

		if (!q->rx_pages[slot]) {
			q->rx_pages[slot] = alloc_page(gfp);
			if (!q->rx_pages[slot])
				break;
		}
		gref = gnttab_grant_foreign_access(q->info->backend_id,
						   xen_page_to_gfn(q->rx_pages[slot]), 0);
		if (gref < 0)
			break;
		q->rx_grefs[slot] = gref;
		*RING_GET_REQUEST(&q->rx, prod) = (struct xen_netif_rx_request) {
			.id = slot, .gref = gref,
		};
		prod++;
	}
	if (prod - q->rx.rsp_cons < XNF_RX_RING_SIZE)
		mod_timer(&q->rx_refill_timer, jiffies + XNF_REFILL_RETRY);

	q->rx.req_prod_pvt = prod;
	RING_PUSH_REQUESTS_AND_CHECK_NOTIFY(&q->rx, notify);
	if (notify)
		notify_remote_via_irq(q->rx_irq);
}

static void xnf_rx_refill_timeout(struct timer_list *t)
{
	struct xnf_queue *q = from_timer(q, t, rx_refill_timer);

	napi_schedule(&q->napi);
}

/* Take back the page of the slot at ring index @idx.  NULL when the backend
 * would not let go of it (the page is then no longer ours).
 */
static struct page *xnf_rx_reclaim(struct xnf_queue *q, RING_IDX idx)
{
	unsigned int slot = idx & (XNF_RX_RING_SIZE - 1);
	struct page *page = q->rx_pages[slot];

	if (!xnf_end_access(q->info, q->rx_grefs[slot], page))
		q->rx_pages[slot] = NULL;
	q->rx_grefs[slot] = INVALID_GRANT_REF;
	return q->rx_pages[slot];
}

/* Add the data of one response to the packet being assembled in *@skbp.
 * Returns 0, or the counter to charge once the packet is dropped (and, for
 * a malformed one, *@why says what is wrong); a packet already found bad
 * (@verdict) only has its slot reclaimed.
 */
static enum xnf_rx_stat xnf_rx_data(struct xnf_queue *q, RING_IDX idx,
				    const struct xen_netif_rx_response *rsp,
				    struct sk_buff **skbp, enum xnf_rx_stat verdict,
				    const char **why)
{
	unsigned int slot = idx & (XNF_RX_RING_SIZE - 1);
	struct page *page = xnf_rx_reclaim(q, idx);
	struct sk_buff *skb = *skbp;
	unsigned int len, copy;
	void *data;

	if (!page) {
		*why = *why ?: "page still mapped by the backend";
		return XNF_RX_MALFORMED;
	}
	if (verdict)
		return verdict;
	verdict = xnf_rx_check(rsp, slot);
	if (verdict == XNF_RX_MALFORMED)
		*why = xnf_rx_fault(rsp, slot);
	if (verdict)
		return verdict;

	len = rsp->status;
	data = page_address(page) + rsp->offset;
	if (skb) {
		if (skb_shinfo(skb)->nr_frags >= MAX_SKB_FRAGS) {
			*why = "more fragments than a packet may have";
			return XNF_RX_MALFORMED;
		}
		skb_add_rx_frag(skb, skb_shinfo(skb)->nr_frags, page, rsp->offset, len,
				PAGE_SIZE);
		q->rx_pages[slot] = NULL;
		return 0;
	}

	skb = napi_alloc_skb(&q->napi, XNF_RX_COPY_LEN);
	if (!skb)
		return XNF_RX_NO_MEMORY;
	*skbp = skb;
	/* Small packets are copied and the page posted again; otherwise the
	 * headers are copied and the rest stays in the page.
	 */
	if (len <= XNF_RX_COPY_LEN && !(rsp->flags & XEN_NETRXF_more_data))
		copy = len;
	else
		copy = eth_get_headlen(q->info->netdev, data,
				       min_t(unsigned int, len, XNF_RX_COPY_LEN));
	skb_put_data(skb, data, copy);
	if (copy < len) {
		skb_add_rx_frag(skb, 0, page, rsp->offset + copy, len - copy, PAGE_SIZE);
		q->rx_pages[slot] = NULL;
	}
	return 0;
}

static int xnf_rx_offloads(struct sk_buff *skb, u16 flags,
			   const struct xen_netif_extra_info *gso, bool rxcsum)
{
	bool is_gso = gso->type == XEN_NETIF_EXTRA_TYPE_GSO;

	if (is_gso) {
		unsigned int type = xnf_gso_from_wire(gso->u.gso.type);

		if (!type || !gso->u.gso.size ||
		    skb->protocol != htons(type == SKB_GSO_TCPV4 ? ETH_P_IP : ETH_P_IPV6))
			return -EINVAL;
		skb_shinfo(skb)->gso_size = gso->u.gso.size;
		skb_shinfo(skb)->gso_type = type | SKB_GSO_DODGY;
		skb_shinfo(skb)->gso_segs = 0;	/* the stack recounts them */
	}
	switch (xnf_rx_csum_state(flags, is_gso, rxcsum)) {
	case XNF_CSUM_PARTIAL:
		/* Locate the checksum field; compute the pseudo-header sum only
		 * when the backend did not leave it there.
		 */
		return skb_checksum_setup(skb, !(flags & XEN_NETRXF_csum_blank));
	case XNF_CSUM_VALID:
		skb->ip_summed = CHECKSUM_UNNECESSARY;
		return 0;
	default:
		return 0;
	}
}

/* Consume the responses of one packet, starting at rx.rsp_cons and all
 * before @prod.  Returns the packet, ready for the stack, or NULL when it
 * was dropped.
 */
static struct sk_buff *xnf_rx_packet(struct xnf_queue *q, RING_IDX prod)
{
	struct xen_netif_extra_info gso = { .type = XEN_NETIF_EXTRA_TYPE_NONE };
	struct net_device *dev = q->info->netdev;
	RING_IDX cons = q->rx.rsp_cons;
	struct xen_netif_rx_response rsp;
	enum xnf_rx_stat verdict;
	struct sk_buff *skb = NULL;
	const char *why = NULL;
	u16 first_flags;
	bool more;

	RING_COPY_RESPONSE(&q->rx, cons, &rsp);
	first_flags = rsp.flags;
	more = rsp.flags & XEN_NETRXF_more_data;
	verdict = xnf_rx_data(q, cons++, &rsp, &skb, 0, &why);

	if (first_flags & XEN_NETRXF_extra_info) {
		struct xen_netif_extra_info extra;

		BUILD_BUG_ON(sizeof(extra) != sizeof(rsp));
		do {
			if (cons == prod) {
				verdict = XNF_RX_MALFORMED;
				why = "extra info past the responses";
				more = false;
				break;
			}
			/* An extra overlays the response in its slot. */
			RING_COPY_RESPONSE(&q->rx, cons, &rsp);
			memcpy(&extra, &rsp, sizeof(extra));
			if (!xnf_rx_reclaim(q, cons++) ||
			    extra.type == XEN_NETIF_EXTRA_TYPE_NONE ||
			    extra.type >= XEN_NETIF_EXTRA_TYPE_MAX) {
				if (!verdict)
					why = "extra info of an unknown type";
				verdict = verdict ?: XNF_RX_MALFORMED;
			} else if (extra.type == XEN_NETIF_EXTRA_TYPE_GSO) {
				gso = extra;
			}
		} while (extra.flags & XEN_NETIF_EXTRA_FLAG_MORE);
	}

	while (more) {
		if (cons == prod) {
			if (!verdict)
				why = "fragments run past the responses";
			verdict = XNF_RX_MALFORMED;
			break;
		}
		RING_COPY_RESPONSE(&q->rx, cons, &rsp);
		more = rsp.flags & XEN_NETRXF_more_data;
		verdict = xnf_rx_data(q, cons++, &rsp, &skb, verdict, &why);
	}
	q->rx.rsp_cons = cons;

	if (!verdict && !pskb_may_pull(skb, ETH_HLEN)) {
		verdict = XNF_RX_MALFORMED;
		why = "packet shorter than an Ethernet header";
	} else if (!verdict) {
		skb->protocol = eth_type_trans(skb, dev);
		skb_reset_network_header(skb);
		if (xnf_rx_offloads(skb, first_flags, &gso, dev->features & NETIF_F_RXCSUM)) {
			verdict = XNF_RX_MALFORMED;
			why = "GSO or checksum offload it cannot have";
		}
	}
	if (verdict) {
		/* Dropped and counted; the first malformed one is also named. */
		if (verdict == XNF_RX_MALFORMED && !xchg(&q->info->rx_fault_logged, true))
			netdev_warn(dev, "backend sent a malformed RX packet (%s); dropping such packets\n",
				    why ?: "unknown fault");
		xnf_rx_count(q, verdict, 1);
		kfree_skb(skb);
		return NULL;
	}
	return skb;
}

static int xnf_rx_poll(struct xnf_queue *q, int budget)
{
	RING_IDX prod;
	int done = 0;

	prod = READ_ONCE(q->rx.sring->rsp_prod);
	virt_rmb();	/* read responses only after the index */
	if (!xnf_prod_plausible(prod, q->rx.rsp_cons, q->rx.req_prod_pvt - q->rx.rsp_cons)) {
		xnf_mark_broken(q->info, "RX response index out of range");
		return 0;
	}

	/* Dropped packets count against the budget too: a backend flooding
	 * us with junk gets no more of our time than one sending data.
	 */
	while (done < budget && q->rx.rsp_cons != prod) {
		struct sk_buff *skb = xnf_rx_packet(q, prod);

		done++;
		if (!skb)
			continue;
		xnf_rx_count(q, XNF_RX_PACKETS, 1);
		xnf_rx_count(q, XNF_RX_BYTES, skb->len + ETH_HLEN);
		if (skb_is_gso(skb))
			xnf_rx_count(q, XNF_RX_GSO, 1);
		skb_record_rx_queue(skb, q->id);
		napi_gro_receive(&q->napi, skb);
	}
	return done;
}

/* ---- Events and NAPI ------------------------------------------------------ */

/*
 * Both rings' events land here.  Real work is left to NAPI together with
 * the event's EOI, which keeps the channel masked meanwhile; an event with
 * nothing to do is acknowledged at once as spurious.
 */
static irqreturn_t xnf_interrupt(int irq, void *dev_id)
{
	struct xnf_queue *q = dev_id;
	bool for_tx = irq == q->tx_irq, for_rx = irq == q->rx_irq;
	bool work;

	work = (for_tx && q->tx.sring && RING_HAS_UNCONSUMED_RESPONSES(&q->tx)) ||
	       (for_rx && q->rx.sring && RING_HAS_UNCONSUMED_RESPONSES(&q->rx));
	if (!work || READ_ONCE(q->info->broken)) {
		xen_irq_lateeoi(irq, XEN_EOI_FLAG_SPURIOUS);
		return IRQ_HANDLED;
	}
	set_bit(for_rx ? XNF_EOI_RX : XNF_EOI_TX, &q->eoi_pending);
	napi_schedule(&q->napi);
	return IRQ_HANDLED;
}

static int xnf_poll(struct napi_struct *napi, int budget)
{
	struct xnf_queue *q = container_of(napi, struct xnf_queue, napi);
	int done = 0, more_rx, more_tx;

	if (!READ_ONCE(q->info->broken)) {
		xnf_tx_complete(q, budget);
		done = xnf_rx_poll(q, budget);
		xnf_rx_refill(q);
	}
	if (done == budget || !napi_complete_done(napi, done))
		return done;
	if (READ_ONCE(q->info->broken))
		return done;	/* leave its events masked */

	/* Ask for an event on the next response, look once more, then
	 * unmask the channels whose events we have now dealt with.
	 */
	RING_FINAL_CHECK_FOR_RESPONSES(&q->rx, more_rx);
	RING_FINAL_CHECK_FOR_RESPONSES(&q->tx, more_tx);
	if (more_rx || more_tx)
		napi_schedule(napi);
	if (test_and_clear_bit(XNF_EOI_RX, &q->eoi_pending))
		xen_irq_lateeoi(q->rx_irq, 0);
	if (test_and_clear_bit(XNF_EOI_TX, &q->eoi_pending))
		xen_irq_lateeoi(q->tx_irq, 0);
	return done;
}

/* ---- net_device operations ------------------------------------------------ */

static int xnf_open(struct net_device *dev)
{
	struct xnf_info *info = netdev_priv(dev);
	unsigned int i;

	for (i = 0; i < info->nr_queues; i++) {
		napi_enable(&info->queues[i].napi);
		napi_schedule(&info->queues[i].napi);	/* owed EOIs, refill */
	}
	if (READ_ONCE(info->tx_on))
		netif_tx_start_all_queues(dev);
	return 0;
}

static int xnf_close(struct net_device *dev)
{
	struct xnf_info *info = netdev_priv(dev);
	unsigned int i;

	netif_tx_disable(dev);
	for (i = 0; i < info->nr_queues; i++)
		napi_disable(&info->queues[i].napi);
	return 0;
}

static int xnf_change_mtu(struct net_device *dev, int mtu)
{
	/* Frames longer than a page need several slots: scatter-gather. */
	if (mtu > ETH_DATA_LEN && !(dev->features & NETIF_F_SG))
		return -EINVAL;
	WRITE_ONCE(dev->mtu, mtu);
	return 0;
}

static netdev_features_t xnf_fix_features(struct net_device *dev,
					  netdev_features_t features)
{
	struct xnf_info *info = netdev_priv(dev);

	features &= info->backend_offloads | ~XNF_BACKEND_OFFLOADS;
	/* Jumbo frames cannot be sent without scatter-gather. */
	if (dev->mtu > ETH_DATA_LEN && (info->backend_offloads & NETIF_F_SG))
		features |= NETIF_F_SG;
	return features;
}

static netdev_features_t xnf_features_check(struct sk_buff *skb, struct net_device *dev,
					    netdev_features_t features)
{
	/* The wire's size field is 16 bits: segment bigger GSO packets here. */
	if (skb_is_gso(skb) && skb->len > XEN_NETIF_MAX_TX_SIZE)
		features &= ~NETIF_F_GSO_MASK;
	return vlan_features_check(skb, features);
}

/* A consistent snapshot of a queue's counters, RX ones then TX ones. */
static void xnf_read_stats(struct xnf_queue *q, u64 *rx, u64 *tx)
{
	unsigned int s, start;

	do {
		start = u64_stats_fetch_begin(&q->rx_syncp);
		for (s = 0; s < XNF_RX_NR_STATS; s++)
			rx[s] = u64_stats_read(&q->rx_stats[s]);
	} while (u64_stats_fetch_retry(&q->rx_syncp, start));
	do {
		start = u64_stats_fetch_begin(&q->tx_syncp);
		for (s = 0; s < XNF_TX_NR_STATS; s++)
			tx[s] = u64_stats_read(&q->tx_stats[s]);
	} while (u64_stats_fetch_retry(&q->tx_syncp, start));
}

static void xnf_get_stats64(struct net_device *dev, struct rtnl_link_stats64 *tot)
{
	struct xnf_info *info = netdev_priv(dev);
	unsigned int i;

	for (i = 0; i < dev->num_tx_queues; i++) {
		u64 rx[XNF_RX_NR_STATS], tx[XNF_TX_NR_STATS];

		xnf_read_stats(&info->queues[i], rx, tx);

		tot->rx_packets += rx[XNF_RX_PACKETS];
		tot->rx_bytes += rx[XNF_RX_BYTES];
		tot->rx_errors += rx[XNF_RX_BACKEND_ERRORS] + rx[XNF_RX_MALFORMED];
		tot->rx_dropped += rx[XNF_RX_NO_MEMORY];
		tot->tx_packets += tx[XNF_TX_PACKETS];
		tot->tx_bytes += tx[XNF_TX_BYTES];
		tot->tx_errors += tx[XNF_TX_BACKEND_ERRORS];
		tot->tx_dropped += tx[XNF_TX_DROPPED];
	}
}

static const struct net_device_ops xnf_netdev_ops = {
	.ndo_open		= xnf_open,
	.ndo_stop		= xnf_close,
	.ndo_start_xmit		= xnf_start_xmit,
	.ndo_change_mtu		= xnf_change_mtu,
	.ndo_fix_features	= xnf_fix_features,
	.ndo_features_check	= xnf_features_check,
	.ndo_get_stats64	= xnf_get_stats64,
	.ndo_set_mac_address	= eth_mac_addr,
	.ndo_validate_addr	= eth_validate_addr,
};

/* ---- ethtool -------------------------------------------------------------- */

static void xnf_get_drvinfo(struct net_device *dev, struct ethtool_drvinfo *drvinfo)
{
	struct xnf_info *info = netdev_priv(dev);

	strscpy(drvinfo->driver, KBUILD_MODNAME, sizeof(drvinfo->driver));
	strscpy(drvinfo->bus_info, dev_name(&info->xbdev->dev), sizeof(drvinfo->bus_info));
}

static void xnf_get_channels(struct net_device *dev, struct ethtool_channels *ch)
{
	ch->max_combined = dev->num_tx_queues;
	ch->combined_count = dev->real_num_tx_queues;
}

/* ethtool -S: every counter of every queue in use, "q<N>_<counter>". */
static int xnf_get_sset_count(struct net_device *dev, int sset)
{
	if (sset != ETH_SS_STATS)
		return -EOPNOTSUPP;
	return dev->real_num_tx_queues * (XNF_RX_NR_STATS + XNF_TX_NR_STATS);
}

static void xnf_get_strings(struct net_device *dev, u32 sset, u8 *data)
{
	unsigned int i, s;

	if (sset != ETH_SS_STATS)
		return;
	for (i = 0; i < dev->real_num_tx_queues; i++) {
		for (s = 0; s < XNF_RX_NR_STATS; s++)
			ethtool_sprintf(&data, "q%u_%s", i, xnf_rx_stat_names[s]);
		for (s = 0; s < XNF_TX_NR_STATS; s++)
			ethtool_sprintf(&data, "q%u_%s", i, xnf_tx_stat_names[s]);
	}
}

static void xnf_get_ethtool_stats(struct net_device *dev, struct ethtool_stats *stats,
				  u64 *data)
{
	struct xnf_info *info = netdev_priv(dev);
	unsigned int i;

	for (i = 0; i < dev->real_num_tx_queues; i++) {
		xnf_read_stats(&info->queues[i], data, data + XNF_RX_NR_STATS);
		data += XNF_RX_NR_STATS + XNF_TX_NR_STATS;
	}
}

static const struct ethtool_ops xnf_ethtool_ops = {
	.get_drvinfo		= xnf_get_drvinfo,
	.get_link		= ethtool_op_get_link,
	.get_channels		= xnf_get_channels,
	.get_sset_count		= xnf_get_sset_count,
	.get_strings		= xnf_get_strings,
	.get_ethtool_stats	= xnf_get_ethtool_stats,
};

/* ---- Queue set-up and tear-down ------------------------------------------- */

static void xnf_queue_reset_ids(struct xnf_queue *q)
{
	unsigned int id;

	for (id = 0; id < XNF_TX_RING_SIZE; id++) {
		q->tx_slots[id] = (struct xnf_tx_slot) { .gref = INVALID_GRANT_REF };
		q->tx_free_ids[id] = XNF_TX_RING_SIZE - 1 - id;
	}
	q->tx_nr_free_ids = XNF_TX_RING_SIZE;
	q->tx_nulls_owed = 0;
}

/* Undo xnf_queue_setup(), in whatever state it left the queue.  NAPI and the
 * transmit queue are stopped.
 */
static void xnf_queue_teardown(struct xnf_queue *q)
{
	unsigned int i;
	void *ring;

	timer_delete_sync(&q->rx_refill_timer);
	/* Unbinding also closes the event channel. */
	if (q->tx_irq > 0 && q->tx_irq != q->rx_irq)
		unbind_from_irqhandler(q->tx_irq, q);
	if (q->rx_irq > 0)
		unbind_from_irqhandler(q->rx_irq, q);
	q->tx_irq = 0;
	q->rx_irq = 0;
	q->tx_port = 0;
	q->rx_port = 0;
	q->eoi_pending = 0;

	for (i = 0; i < XNF_TX_RING_SIZE; i++)
		if (q->tx_slots[i].gref != INVALID_GRANT_REF)
			xnf_tx_release(q, i, 0);
	xnf_queue_reset_ids(q);
	netdev_tx_reset_queue(netdev_get_tx_queue(q->info->netdev, q->id));

	for (i = 0; i < XNF_RX_RING_SIZE; i++) {
		if (q->rx_grefs[i] != INVALID_GRANT_REF &&
		    !xnf_end_access(q->info, q->rx_grefs[i], q->rx_pages[i]))
			q->rx_pages[i] = NULL;
		q->rx_grefs[i] = INVALID_GRANT_REF;
		if (q->rx_pages[i])
			__free_page(q->rx_pages[i]);
		q->rx_pages[i] = NULL;
	}

	ring = q->tx.sring;
	xenbus_teardown_ring(&ring, 1, &q->tx_ring_gref);
	q->tx.sring = NULL;
	ring = q->rx.sring;
	xenbus_teardown_ring(&ring, 1, &q->rx_ring_gref);
	q->rx.sring = NULL;
}

static int xnf_queue_bind(struct xnf_queue *q, evtchn_port_t *port, char *name,
			  const char *suffix)
{
	struct xenbus_device *xb = q->info->xbdev;
	int err;

	err = xenbus_alloc_evtchn(xb, port);
	if (err)
		return err;
	snprintf(name, IFNAMSIZ + 8, "%s-q%u%s", q->info->netdev->name, q->id, suffix);
	err = bind_evtchn_to_irqhandler_lateeoi(*port, xnf_interrupt, 0, name, q);
	if (err < 0) {
		/* A failed bind leaves the port open: it is still ours to close. */
		xenbus_free_evtchn(xb, *port);
		*port = 0;
	}
	return err;
}

static int xnf_queue_setup(struct xnf_queue *q)
{
	struct xenbus_device *xb = q->info->xbdev;
	void *ring;
	int err;

	err = xenbus_setup_ring(xb, GFP_NOIO | __GFP_HIGH, &ring, 1, &q->tx_ring_gref);
	if (err)
		return err;
	XEN_FRONT_RING_INIT(&q->tx, (struct xen_netif_tx_sring *)ring, XEN_PAGE_SIZE);
	err = xenbus_setup_ring(xb, GFP_NOIO | __GFP_HIGH, &ring, 1, &q->rx_ring_gref);
	if (err)
		goto fail;
	XEN_FRONT_RING_INIT(&q->rx, (struct xen_netif_rx_sring *)ring, XEN_PAGE_SIZE);

	if (q->info->split_events) {
		err = xnf_queue_bind(q, &q->tx_port, q->tx_irq_name, "-tx");
		if (err < 0)
			goto fail;
		q->tx_irq = err;
		err = xnf_queue_bind(q, &q->rx_port, q->rx_irq_name, "-rx");
		if (err < 0)
			goto fail;
		q->rx_irq = err;
	} else {
		err = xnf_queue_bind(q, &q->rx_port, q->rx_irq_name, "");
		if (err < 0)
			goto fail;
		q->rx_irq = err;
		q->tx_irq = err;
		q->tx_port = q->rx_port;
	}
	/* Spread the queues' events, and so their NAPI polls, over the CPUs. */
	irq_set_affinity(q->rx_irq, cpumask_of(cpumask_local_spread(q->id, NUMA_NO_NODE)));
	irq_set_affinity(q->tx_irq, cpumask_of(cpumask_local_spread(q->id, NUMA_NO_NODE)));
	return 0;

fail:
	xenbus_dev_fatal(xb, err, "setting up queue %u", q->id);
	xnf_queue_teardown(q);
	return err;
}

/* ---- Talking to the backend ----------------------------------------------- */

static int xnf_write_queue_key(struct xenbus_transaction xbt, struct xnf_queue *q,
			       bool multi, const char *key, unsigned int value)
{
	char node[48];

	if (multi)
		snprintf(node, sizeof(node), "queue-%u/%s", q->id, key);
	else
		strscpy(node, key, sizeof(node));
	return xenbus_printf(xbt, q->info->xbdev->nodename, node, "%u", value);
}

/* What we can take from the backend, all written as "1". */
static const char * const xnf_frontend_features[] = {
	"request-rx-copy", "feature-rx-notify", "feature-sg",
	"feature-gso-tcpv4", "feature-gso-tcpv6", "feature-ipv6-csum-offload",
};

static int xnf_publish(struct xnf_info *info, unsigned int nr_queues, bool multi_queue_key)
{
	struct xenbus_device *xb = info->xbdev;
	struct xenbus_transaction xbt;
	unsigned int i;
	int err;

again:
	err = xenbus_transaction_start(&xbt);
	if (err) {
		xenbus_dev_fatal(xb, err, "starting transaction");
		return err;
	}
	if (multi_queue_key)
		err = xenbus_printf(xbt, xb->nodename, "multi-queue-num-queues", "%u", nr_queues);
	for (i = 0; !err && i < nr_queues; i++) {
		struct xnf_queue *q = &info->queues[i];
		bool multi = nr_queues > 1;

		err = xnf_write_queue_key(xbt, q, multi, "tx-ring-ref", q->tx_ring_gref) ?:
		      xnf_write_queue_key(xbt, q, multi, "rx-ring-ref", q->rx_ring_gref);
		if (err)
			break;
		if (info->split_events)
			err = xnf_write_queue_key(xbt, q, multi, "event-channel-tx", q->tx_port) ?:
			      xnf_write_queue_key(xbt, q, multi, "event-channel-rx", q->rx_port);
		else
			err = xnf_write_queue_key(xbt, q, multi, "event-channel", q->rx_port);
	}
	for (i = 0; !err && i < ARRAY_SIZE(xnf_frontend_features); i++)
		err = xenbus_write(xbt, xb->nodename, xnf_frontend_features[i], "1");
	if (err) {
		xenbus_transaction_end(xbt, 1);
		xenbus_dev_fatal(xb, err, "writing ring and feature keys");
		return err;
	}
	err = xenbus_transaction_end(xbt, 0);
	if (err == -EAGAIN)
		goto again;
	if (err)
		xenbus_dev_fatal(xb, err, "completing transaction");
	return err;
}

/* The backend's keys xnf_connect() reads, in one round trip to xenstored. */
enum {
	XNF_K_MAX_QUEUES, XNF_K_SPLIT, XNF_K_NO_CSUM, XNF_K_IPV6_CSUM, XNF_K_SG,
	XNF_K_TSO4, XNF_K_TSO6,
};

static netdev_features_t xnf_backend_offloads(const struct xenbus_unsigned_key *k)
{
	netdev_features_t offloads = 0;

	if (!k[XNF_K_NO_CSUM].val)
		offloads |= NETIF_F_IP_CSUM;
	if (k[XNF_K_IPV6_CSUM].val)
		offloads |= NETIF_F_IPV6_CSUM;
	if (k[XNF_K_SG].val)
		offloads |= NETIF_F_SG;
	if (k[XNF_K_TSO4].val)
		offloads |= NETIF_F_TSO;
	if (k[XNF_K_TSO6].val)
		offloads |= NETIF_F_TSO6;
	return offloads;
}

/* Steer each CPU's transmissions to "its" queue. */
static void xnf_set_xps(struct net_device *dev, unsigned int nr_queues)
{
	cpumask_var_t mask;
	unsigned int i, cpu;

	if (!zalloc_cpumask_var(&mask, GFP_KERNEL))
		return;
	for (i = 0; i < nr_queues; i++) {
		cpumask_clear(mask);
		for_each_online_cpu(cpu)
			if (cpu % nr_queues == i)
				cpumask_set_cpu(cpu, mask);
		netif_set_xps_queue(dev, mask, i);
	}
	free_cpumask_var(mask);
}

static void xnf_release_queues(struct xnf_info *info)
{
	unsigned int i, nr_queues = info->nr_queues;

	WRITE_ONCE(info->nr_queues, 0);
	for (i = 0; i < nr_queues; i++)
		xnf_queue_teardown(&info->queues[i]);
}

/* Stop the device and tear the rings down (under RTNL).  Safe to call when
 * not connected.
 */
static void xnf_disconnect(struct xnf_info *info)
{
	struct net_device *dev = info->netdev;
	unsigned int i;

	if (!info->nr_queues)
		return;
	xnf_stop_tx(info);
	if (netif_running(dev))
		for (i = 0; i < info->nr_queues; i++)
			napi_disable(&info->queues[i].napi);
	xnf_release_queues(info);
}

/* Build the rings and tell the backend where they are (under RTNL). */
static int xnf_connect(struct xnf_info *info)
{
	struct xenbus_device *xb = info->xbdev;
	struct net_device *dev = info->netdev;
	struct xenbus_unsigned_key k[] = {
		[XNF_K_MAX_QUEUES]	= { "multi-queue-max-queues" },
		[XNF_K_SPLIT]		= { "feature-split-event-channels" },
		[XNF_K_NO_CSUM]		= { "feature-no-csum-offload" },
		[XNF_K_IPV6_CSUM]	= { "feature-ipv6-csum-offload" },
		[XNF_K_SG]		= { "feature-sg" },
		[XNF_K_TSO4]		= { "feature-gso-tcpv4" },
		[XNF_K_TSO6]		= { "feature-gso-tcpv6" },
	};
	unsigned int i, nr_queues;
	int err;

	xenbus_read_unsigned_many(xb->otherend, k, ARRAY_SIZE(k));
	nr_queues = min3(dev->num_tx_queues, num_online_cpus(),
			 max(k[XNF_K_MAX_QUEUES].val, 1U));
	info->backend_id = xb->otherend_id;
	info->split_events = k[XNF_K_SPLIT].val;
	info->bounce_tx = !READ_ONCE(xnf_trust_backends) ||
			  !xenbus_read_unsigned(xb->nodename, "trusted", 1);
	info->backend_offloads = xnf_backend_offloads(k);

	for (i = 0; i < nr_queues; i++) {
		err = xnf_queue_setup(&info->queues[i]);
		if (err)
			goto fail;
	}
	err = xnf_publish(info, nr_queues, k[XNF_K_MAX_QUEUES].val > 0);
	if (err)
		goto fail;
	err = netif_set_real_num_queues(dev, nr_queues, nr_queues);
	if (err)
		goto fail;
	xnf_set_xps(dev, nr_queues);

	WRITE_ONCE(info->broken, false);
	WRITE_ONCE(info->rx_fault_logged, false);
	netdev_update_features(dev);
	if (dev->mtu > ETH_DATA_LEN && !(dev->features & NETIF_F_SG)) {
		netdev_warn(dev, "backend has no scatter-gather: MTU %u -> %u\n",
			    dev->mtu, ETH_DATA_LEN);
		dev_set_mtu(dev, ETH_DATA_LEN);
	}
	for (i = 0; i < nr_queues; i++)
		xnf_rx_refill(&info->queues[i]);
	WRITE_ONCE(info->nr_queues, nr_queues);
	if (netif_running(dev))
		for (i = 0; i < nr_queues; i++) {
			napi_enable(&info->queues[i].napi);
			napi_schedule(&info->queues[i].napi);
		}
	WRITE_ONCE(info->tx_on, true);
	netif_tx_wake_all_queues(dev);
	netdev_info(dev, "connected to domain %u: %u queue(s), %s event channels%s\n",
		    info->backend_id, nr_queues, info->split_events ? "split" : "shared",
		    info->bounce_tx ? ", TX bounced (backend not trusted)" : "");
	return 0;

fail:
	while (i--)
		xnf_queue_teardown(&info->queues[i]);
	return err;
}

/* May a backend that has just reached InitWait be connected to? */
static bool xnf_may_connect(enum xenbus_state our_state)
{
	switch (our_state) {
	case XenbusStateInitialising:	/* first contact, or after resume */
	case XenbusStateClosed:		/* the backend restarted after a close */
		return true;
	default:
		return false;
	}
}

/* Has the backend let go of everything we granted it? */
static bool xnf_backend_gone(enum xenbus_state backend_state)
{
	switch (backend_state) {
	case XenbusStateClosed:
	case XenbusStateUnknown:	/* its directory has been removed */
		return true;
	default:
		return false;
	}
}

static void xnf_backend_changed(struct xenbus_device *xb, enum xenbus_state backend_state)
{
	struct xnf_info *info = dev_get_drvdata(&xb->dev);
	struct net_device *dev = info->netdev;
	int err;

	dev_dbg(&xb->dev, "backend is %s, we are %s\n", xenbus_strstate(backend_state),
		xenbus_strstate(xb->state));
	switch (backend_state) {
	case XenbusStateInitWait:
		if (!xnf_may_connect(xb->state))
			break;
		rtnl_lock();
		xnf_disconnect(info);
		err = xnf_connect(info);
		rtnl_unlock();
		if (!err)
			xenbus_switch_state(xb, XenbusStateConnected);
		break;
	case XenbusStateConnected:
		if (!READ_ONCE(info->nr_queues))	/* our connect failed */
			break;
		xnf_carrier_on(info);
		if (netif_carrier_ok(dev))
			netdev_notify_peers(dev);	/* we may have moved host */
		break;
	case XenbusStateClosing:
	case XenbusStateClosed:
	case XenbusStateUnknown:	/* its directory has been removed */
		/* The orderly way out passes through Closing first. */
		if (backend_state != XenbusStateClosing && xb->state == XenbusStateConnected)
			netdev_warn(dev, "backend %s while connected; disconnecting\n",
				    backend_state == XenbusStateClosed ?
				    "closed without closing first" : "vanished from xenstore");
		else if (backend_state == XenbusStateUnknown)
			break;		/* not connected: nothing to take down */
		/* Stop using the rings, but keep them until the backend has
		 * let go of our pages (remove, or its next InitWait).
		 */
		rtnl_lock();
		xnf_stop_tx(info);
		rtnl_unlock();
		xenbus_frontend_closed(xb);
		break;
	default:
		break;
	}
}

/* ---- xenbus device life cycle --------------------------------------------- */

static int xnf_read_mac(struct xenbus_device *xb, struct net_device *dev)
{
	u8 addr[ETH_ALEN];
	char *mac;
	int err = 0;

	mac = xenbus_read(XBT_NIL, xb->nodename, "mac", NULL);
	if (IS_ERR(mac))
		return PTR_ERR(mac);
	if (mac_pton(mac, addr) && is_valid_ether_addr(addr))
		eth_hw_addr_set(dev, addr);
	else
		err = -EINVAL;
	kfree(mac);
	return err;
}

static void xnf_free(struct xnf_info *info)
{
	unsigned int i;

	for (i = 0; i < info->netdev->num_tx_queues; i++)
		netif_napi_del(&info->queues[i].napi);
	kfree(info->queues);
	free_netdev(info->netdev);
}

static int xnf_probe(struct xenbus_device *xb, const struct xenbus_device_id *id)
{
	unsigned int i, max_queues = clamp(xnf_max_queues, 1U, num_possible_cpus());
	struct net_device *dev;
	struct xnf_info *info;
	int err;

	dev = alloc_etherdev_mq(sizeof(*info), max_queues);
	if (!dev)
		return -ENOMEM;
	info = netdev_priv(dev);
	info->netdev = dev;
	info->xbdev = xb;
	spin_lock_init(&info->held_lock);
	INIT_LIST_HEAD(&info->held);
	INIT_DELAYED_WORK(&info->held_work, xnf_held_work);
	info->queues = kcalloc(max_queues, sizeof(*info->queues), GFP_KERNEL);
	if (!info->queues) {
		free_netdev(dev);
		return -ENOMEM;
	}
	for (i = 0; i < max_queues; i++) {
		struct xnf_queue *q = &info->queues[i];

		q->info = info;
		q->id = i;
		q->tx_ring_gref = INVALID_GRANT_REF;
		q->rx_ring_gref = INVALID_GRANT_REF;
		spin_lock_init(&q->tx_lock);
		u64_stats_init(&q->tx_syncp);
		u64_stats_init(&q->rx_syncp);
		xnf_queue_reset_ids(q);
		memset(q->rx_grefs, 0xff, sizeof(q->rx_grefs));	/* INVALID_GRANT_REF */
		timer_setup(&q->rx_refill_timer, xnf_rx_refill_timeout, 0);
		netif_napi_add(dev, &q->napi, xnf_poll);
	}

	err = xnf_read_mac(xb, dev);
	if (err) {
		xenbus_dev_fatal(xb, err, "reading %s/mac", xb->nodename);
		goto fail;
	}
	dev->netdev_ops = &xnf_netdev_ops;
	dev->ethtool_ops = &xnf_ethtool_ops;
	dev->hw_features = XNF_BACKEND_OFFLOADS | NETIF_F_RXCSUM;
	dev->features = dev->hw_features;	/* wanted; the backend decides */
	dev->min_mtu = ETH_MIN_MTU;
	dev->max_mtu = XEN_NETIF_MAX_TX_SIZE - ETH_HLEN;
	netif_set_tso_max_size(dev, XEN_NETIF_MAX_TX_SIZE);
	SET_NETDEV_DEV(dev, &xb->dev);
	netif_carrier_off(dev);
	dev_set_drvdata(&xb->dev, info);

	err = register_netdev(dev);
	if (err) {
		xenbus_dev_fatal(xb, err, "registering net device");
		goto fail;
	}
	return 0;

fail:
	dev_set_drvdata(&xb->dev, NULL);
	xnf_free(info);
	return err;
}

static void xnf_remove(struct xenbus_device *xb)
{
	struct xnf_info *info = dev_get_drvdata(&xb->dev);
	unsigned int tries;

	unregister_netdev(info->netdev);
	/* Unless the backend has gone already (hot-unplug), close and give it
	 * up to 5 s to unmap our pages before we free them.
	 */
	if (!xnf_backend_gone(xenbus_read_driver_state(xb->otherend))) {
		xenbus_frontend_closed(xb);
		for (tries = 0; tries < 100; tries++) {
			if (xnf_backend_gone(xenbus_read_driver_state(xb->otherend)))
				break;
			msleep(50);
		}
	}
	xnf_release_queues(info);
	cancel_delayed_work_sync(&info->held_work);
	xnf_release_held(info, true);
	dev_set_drvdata(&xb->dev, NULL);
	xnf_free(info);
}

/* After save/restore or migration the backend behind our rings is gone.
 * Stop sending; the new backend's InitWait replaces the rings.  (This runs
 * while tasks are frozen, so it takes no RTNL.)
 */
static int xnf_resume(struct xenbus_device *xb)
{
	struct xnf_info *info = dev_get_drvdata(&xb->dev);

	xnf_stop_tx(info);
	return 0;
}

static const struct xenbus_device_id xnf_ids[] = {
	{ "vif" },
	{ "" }
};

static struct xenbus_driver xnf_driver = {
	.ids			= xnf_ids,
	.probe			= xnf_probe,
	.remove			= xnf_remove,
	.resume			= xnf_resume,
	.otherend_changed	= xnf_backend_changed,
};

/* Early, as blkfront: the backend's handshake overlaps the later initcalls. */
static int __init xnf_init(void)
{
	if (!xen_domain() || !xen_has_pv_nic_devices())
		return -ENODEV;
	pr_info("Xen virtual network interface frontend\n");
	return xenbus_register_frontend(&xnf_driver);
}
subsys_initcall_sync(xnf_init);

static void __exit xnf_exit(void)
{
	xenbus_unregister_driver(&xnf_driver);
}
module_exit(xnf_exit);

MODULE_DESCRIPTION("Xen virtual network interface frontend");
MODULE_LICENSE("GPL");
MODULE_ALIAS("xen:vif");
MODULE_ALIAS("xennet");

#if IS_ENABLED(CONFIG_KUNIT)
#include <kunit/test.h>

static void xnf_test_region_slots(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, xnf_region_slots(0, 0), 0U);
	KUNIT_EXPECT_EQ(test, xnf_region_slots(100, 0), 0U);
	KUNIT_EXPECT_EQ(test, xnf_region_slots(0, 1), 1U);
	KUNIT_EXPECT_EQ(test, xnf_region_slots(0, XEN_PAGE_SIZE), 1U);
	KUNIT_EXPECT_EQ(test, xnf_region_slots(1, XEN_PAGE_SIZE), 2U);
	KUNIT_EXPECT_EQ(test, xnf_region_slots(XEN_PAGE_SIZE - 1, 2), 2U);
	/* offsets past the first page of a compound page */
	KUNIT_EXPECT_EQ(test, xnf_region_slots(3 * XEN_PAGE_SIZE + 10, 100), 1U);
	KUNIT_EXPECT_EQ(test, xnf_region_slots(3 * XEN_PAGE_SIZE + 4000, 100), 2U);
	/* the largest packet: 16 pages when aligned, 17 when not */
	KUNIT_EXPECT_EQ(test, xnf_region_slots(0, XEN_NETIF_MAX_TX_SIZE), 16U);
	KUNIT_EXPECT_EQ(test, xnf_region_slots(200, XEN_NETIF_MAX_TX_SIZE), 17U);
}

static void xnf_test_skb_slots(struct kunit *test)
{
	struct sk_buff *skb = alloc_skb(128, GFP_KERNEL);
	struct page *page = alloc_pages(GFP_KERNEL | __GFP_COMP, 2);
	unsigned int head;

	if (!skb || !page) {
		kfree_skb(skb);
		if (page)
			__free_pages(page, 2);
		kunit_skip(test, "out of memory");
	}
	KUNIT_EXPECT_EQ(test, xnf_skb_slots(skb), 0U);	/* empty head: no slot */
	skb_put(skb, 100);
	head = offset_in_page(skb->data) + 100 > XEN_PAGE_SIZE ? 2 : 1;
	KUNIT_EXPECT_EQ(test, xnf_skb_slots(skb), head);

	/* A whole page; 20 bytes across a page boundary; 8187 bytes from
	 * offset 5 of the compound page's third page.
	 */
	get_page(page);
	skb_add_rx_frag(skb, 0, page, 0, PAGE_SIZE, PAGE_SIZE);
	get_page(page);
	skb_add_rx_frag(skb, 1, page, PAGE_SIZE - 10, 20, PAGE_SIZE);
	get_page(page);
	skb_add_rx_frag(skb, 2, page, 2 * PAGE_SIZE + 5, 2 * PAGE_SIZE - 5, PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, xnf_skb_slots(skb), head + 1 + 2 + 2);

	kfree_skb(skb);
	put_page(page);
}

/* Is the plan for a packet that is one head of @len bytes at @off of its
 * page a good one?  Only a packet too big for one slot without SG may be
 * refused.
 */
static bool xnf_head_plan_ok(unsigned int off, unsigned int len, unsigned int max_slots)
{
	unsigned int first = xnf_first_chunk(off, len), slots = xnf_region_slots(off, len);
	struct xnf_tx_plan plan;

	if (!xnf_tx_plan(len, first, slots, max_slots, false, &plan))
		return len > XEN_PAGE_SIZE && max_slots == 1;
	return plan.first >= ETH_HLEN && plan.slots <= max_slots &&
	       plan.bounce == (first < ETH_HLEN || slots > max_slots) &&
	       (plan.bounce || plan.first == first);
}

/* Whatever the head's place in its page, no plan starts with a slot shorter
 * than an Ethernet header, none exceeds the slot limit, and a packet laid
 * out as it lies keeps its first slot.  (Bad plans are counted, and the
 * first one named, rather than reported one by one.)
 */
static void xnf_test_tx_plan_first_slot(struct kunit *test)
{
	unsigned int off, len, max_slots, bad = 0;
	struct xnf_tx_plan plan;

	for (max_slots = 1; max_slots <= XNF_TX_MAX_SLOTS; max_slots += XNF_TX_MAX_SLOTS - 1)
		for (off = XEN_PAGE_SIZE - 64; off < XEN_PAGE_SIZE; off++)
			for (len = ETH_HLEN; len <= 3 * XEN_PAGE_SIZE; len += 97) {
				if (xnf_head_plan_ok(off, len, max_slots))
					continue;
				if (!bad++)
					kunit_info(test, "bad plan: head of %u bytes at %u, %u slots at most\n",
						   len, off, max_slots);
			}
	KUNIT_EXPECT_EQ(test, bad, 0U);

	/* 100 bytes starting 6 bytes before a page end: copied */
	KUNIT_EXPECT_EQ(test, xnf_first_chunk(XEN_PAGE_SIZE - 6, 100), 6U);
	KUNIT_ASSERT_TRUE(test, xnf_tx_plan(100, 6, 2, XNF_TX_MAX_SLOTS, false, &plan));
	KUNIT_EXPECT_TRUE(test, plan.bounce);
	KUNIT_EXPECT_EQ(test, plan.slots, 1U);
	KUNIT_EXPECT_EQ(test, plan.first, 100U);
	/* exactly an Ethernet header in the first slot: as it lies */
	KUNIT_ASSERT_TRUE(test, xnf_tx_plan(100, ETH_HLEN, 2, XNF_TX_MAX_SLOTS, false, &plan));
	KUNIT_EXPECT_FALSE(test, plan.bounce);
	/* an untrusted backend always gets a copy */
	KUNIT_ASSERT_TRUE(test, xnf_tx_plan(1514, 1514, 1, XNF_TX_MAX_SLOTS, true, &plan));
	KUNIT_EXPECT_TRUE(test, plan.bounce);
	/* a compound-page offset counts within its 4 KiB page */
	KUNIT_EXPECT_EQ(test, xnf_first_chunk(3 * XEN_PAGE_SIZE - 2, 100), 2U);
	/* runts and giants are refused */
	KUNIT_EXPECT_FALSE(test, xnf_tx_plan(ETH_HLEN - 1, ETH_HLEN - 1, 1, 18, false, &plan));
	KUNIT_EXPECT_FALSE(test, xnf_tx_plan(XEN_NETIF_MAX_TX_SIZE + 1, 100, 17, 18, false, &plan));
	KUNIT_EXPECT_TRUE(test, xnf_tx_plan(XEN_NETIF_MAX_TX_SIZE, 100, 18, 18, false, &plan));
}

/* The same through real skbs: a head 6 bytes before a page end, and an empty
 * head with a fragment 6 bytes before a page end.
 */
static void xnf_test_skb_first_chunk(struct kunit *test)
{
	struct sk_buff *skb = alloc_skb(2 * PAGE_SIZE, GFP_KERNEL);
	struct page *page = alloc_page(GFP_KERNEL);
	struct xnf_tx_plan plan;
	unsigned int room;

	if (!skb || !page) {
		kfree_skb(skb);
		if (page)
			__free_page(page);
		kunit_skip(test, "out of memory");
	}
	room = PAGE_SIZE - offset_in_page(skb->data);
	if (room < 6)
		room += PAGE_SIZE;
	skb_reserve(skb, room - 6);
	skb_put(skb, 100);
	KUNIT_EXPECT_EQ(test, xnf_skb_first_chunk(skb), 6U);
	KUNIT_ASSERT_TRUE(test, xnf_tx_plan(skb->len, xnf_skb_first_chunk(skb),
					    xnf_skb_slots(skb), XNF_TX_MAX_SLOTS, false, &plan));
	KUNIT_EXPECT_TRUE(test, plan.bounce);
	KUNIT_EXPECT_GE(test, plan.first, ETH_HLEN);
	kfree_skb(skb);

	skb = alloc_skb(0, GFP_KERNEL);
	if (!skb) {
		__free_page(page);
		kunit_skip(test, "out of memory");
	}
	skb_add_rx_frag(skb, 0, page, PAGE_SIZE - 6, 6, PAGE_SIZE);
	get_page(page);
	skb_add_rx_frag(skb, 1, page, 0, 200, PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, skb_headlen(skb), 0U);
	KUNIT_EXPECT_EQ(test, xnf_skb_first_chunk(skb), 6U);
	KUNIT_ASSERT_TRUE(test, xnf_tx_plan(skb->len, xnf_skb_first_chunk(skb),
					    xnf_skb_slots(skb), XNF_TX_MAX_SLOTS, false, &plan));
	KUNIT_EXPECT_TRUE(test, plan.bounce);
	KUNIT_EXPECT_EQ(test, plan.first, 206U);
	kfree_skb(skb);
}

static void xnf_test_tx_rsp_kind(struct kunit *test)
{
	/* data slots: any status but RSP_NULL, for a slot we posted */
	KUNIT_EXPECT_EQ(test, xnf_tx_rsp_kind(XEN_NETIF_RSP_OKAY, true, 0), XNF_TX_RSP_DATA);
	KUNIT_EXPECT_EQ(test, xnf_tx_rsp_kind(XEN_NETIF_RSP_ERROR, true, 0), XNF_TX_RSP_DATA);
	KUNIT_EXPECT_EQ(test, xnf_tx_rsp_kind(XEN_NETIF_RSP_DROPPED, true, 0), XNF_TX_RSP_DATA);
	KUNIT_EXPECT_EQ(test, xnf_tx_rsp_kind(XEN_NETIF_RSP_OKAY, false, 0), XNF_TX_RSP_BAD);
	/* RSP_NULL answers an extra-info slot only, never a data slot */
	KUNIT_EXPECT_EQ(test, xnf_tx_rsp_kind(XEN_NETIF_RSP_NULL, true, 0), XNF_TX_RSP_BAD);
	KUNIT_EXPECT_EQ(test, xnf_tx_rsp_kind(XEN_NETIF_RSP_NULL, false, 0), XNF_TX_RSP_BAD);
	KUNIT_EXPECT_EQ(test, xnf_tx_rsp_kind(XEN_NETIF_RSP_NULL, false, 1), XNF_TX_RSP_EXTRA);
	KUNIT_EXPECT_EQ(test, xnf_tx_rsp_kind(XEN_NETIF_RSP_NULL, true, 2), XNF_TX_RSP_EXTRA);
	/* an extra-info slot answered as data */
	KUNIT_EXPECT_EQ(test, xnf_tx_rsp_kind(XEN_NETIF_RSP_OKAY, true, 1), XNF_TX_RSP_BAD);
}

static void xnf_test_tx_may_wake(struct kunit *test)
{
	unsigned int room = XNF_TX_ROOM, all = XNF_TX_RING_SIZE;

	KUNIT_EXPECT_TRUE(test, xnf_tx_may_wake(true, false, room));
	KUNIT_EXPECT_FALSE(test, xnf_tx_may_wake(true, false, room - 1));
	/* closing, or resumed on another backend: never reopened */
	KUNIT_EXPECT_FALSE(test, xnf_tx_may_wake(false, false, all));
	KUNIT_EXPECT_FALSE(test, xnf_tx_may_wake(true, true, all));
}

static void xnf_test_gso_mapping(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, xnf_gso_to_wire(SKB_GSO_TCPV4), XEN_NETIF_GSO_TYPE_TCPV4);
	KUNIT_EXPECT_EQ(test, xnf_gso_to_wire(SKB_GSO_TCPV6 | SKB_GSO_DODGY),
			XEN_NETIF_GSO_TYPE_TCPV6);
	KUNIT_EXPECT_EQ(test, xnf_gso_to_wire(SKB_GSO_TCPV4 | SKB_GSO_TCP_ECN),
			XEN_NETIF_GSO_TYPE_TCPV4);
	KUNIT_EXPECT_EQ(test, xnf_gso_to_wire(SKB_GSO_UDP_L4), XEN_NETIF_GSO_TYPE_NONE);
	KUNIT_EXPECT_EQ(test, xnf_gso_to_wire(0), XEN_NETIF_GSO_TYPE_NONE);

	KUNIT_EXPECT_EQ(test, xnf_gso_from_wire(XEN_NETIF_GSO_TYPE_TCPV4), SKB_GSO_TCPV4);
	KUNIT_EXPECT_EQ(test, xnf_gso_from_wire(XEN_NETIF_GSO_TYPE_TCPV6), SKB_GSO_TCPV6);
	KUNIT_EXPECT_EQ(test, xnf_gso_from_wire(XEN_NETIF_GSO_TYPE_NONE), 0U);
	KUNIT_EXPECT_EQ(test, xnf_gso_from_wire(3), 0U);
	KUNIT_EXPECT_EQ(test, xnf_gso_from_wire(0xff), 0U);
}

static void xnf_test_csum_mapping(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, xnf_tx_csum_flags(CHECKSUM_PARTIAL),
			XEN_NETTXF_csum_blank | XEN_NETTXF_data_validated);
	KUNIT_EXPECT_EQ(test, xnf_tx_csum_flags(CHECKSUM_UNNECESSARY), XEN_NETTXF_data_validated);
	KUNIT_EXPECT_EQ(test, xnf_tx_csum_flags(CHECKSUM_NONE), 0);
	KUNIT_EXPECT_EQ(test, xnf_tx_csum_flags(CHECKSUM_COMPLETE), 0);

	/* A blank checksum is completed later, even with RX checksum off. */
	KUNIT_EXPECT_EQ(test, xnf_rx_csum_state(XEN_NETRXF_csum_blank | XEN_NETRXF_data_validated,
						false, true), XNF_CSUM_PARTIAL);
	KUNIT_EXPECT_EQ(test, xnf_rx_csum_state(XEN_NETRXF_csum_blank, false, false),
			XNF_CSUM_PARTIAL);
	KUNIT_EXPECT_EQ(test, xnf_rx_csum_state(0, true, true), XNF_CSUM_PARTIAL);
	KUNIT_EXPECT_EQ(test, xnf_rx_csum_state(XEN_NETRXF_data_validated, false, true),
			XNF_CSUM_VALID);
	KUNIT_EXPECT_EQ(test, xnf_rx_csum_state(XEN_NETRXF_data_validated, false, false),
			XNF_CSUM_NONE);
	KUNIT_EXPECT_EQ(test, xnf_rx_csum_state(0, false, true), XNF_CSUM_NONE);
}

static void xnf_test_rx_check(struct kunit *test)
{
	struct xen_netif_rx_response rsp = { .id = 7, .offset = 0, .status = 1514 };

	KUNIT_EXPECT_EQ(test, xnf_rx_check(&rsp, 7), XNF_RX_PACKETS);
	KUNIT_EXPECT_EQ(test, xnf_rx_check(&rsp, 8), XNF_RX_MALFORMED);
	rsp.offset = XEN_PAGE_SIZE - 1514;
	KUNIT_EXPECT_EQ(test, xnf_rx_check(&rsp, 7), XNF_RX_PACKETS);
	rsp.offset++;
	KUNIT_EXPECT_EQ(test, xnf_rx_check(&rsp, 7), XNF_RX_MALFORMED);
	rsp = (struct xen_netif_rx_response) { .id = 1, .offset = 0xffff, .status = 0x7fff };
	KUNIT_EXPECT_EQ(test, xnf_rx_check(&rsp, 1), XNF_RX_MALFORMED);
	rsp = (struct xen_netif_rx_response) { .id = 1, .status = 0 };
	KUNIT_EXPECT_EQ(test, xnf_rx_check(&rsp, 1), XNF_RX_MALFORMED);
	rsp = (struct xen_netif_rx_response) { .id = 1, .status = 60,
					       .flags = XEN_NETRXF_gso_prefix };
	KUNIT_EXPECT_EQ(test, xnf_rx_check(&rsp, 1), XNF_RX_MALFORMED);
	rsp.status = XEN_NETIF_RSP_ERROR;
	KUNIT_EXPECT_EQ(test, xnf_rx_check(&rsp, 1), XNF_RX_BACKEND_ERRORS);
	rsp.status = XEN_NETIF_RSP_DROPPED;
	KUNIT_EXPECT_EQ(test, xnf_rx_check(&rsp, 1), XNF_RX_BACKEND_ERRORS);
}

/* Each broken slot rule is named for the log, and a good slot is not. */
static void xnf_test_rx_fault(struct kunit *test)
{
	struct xen_netif_rx_response rsp = { .id = 3, .offset = 0, .status = 1514 };

	KUNIT_EXPECT_NULL(test, xnf_rx_fault(&rsp, 3));
	KUNIT_EXPECT_STREQ(test, xnf_rx_fault(&rsp, 4), "response id is not its slot's");
	rsp.status = 0;
	KUNIT_EXPECT_STREQ(test, xnf_rx_fault(&rsp, 3), "response of zero bytes");
	rsp.status = 60;
	rsp.flags = XEN_NETRXF_gso_prefix;
	KUNIT_EXPECT_STREQ(test, xnf_rx_fault(&rsp, 3), "GSO prefix slot");
	rsp.flags = 0;
	rsp.offset = XEN_PAGE_SIZE - 59;
	KUNIT_EXPECT_STREQ(test, xnf_rx_fault(&rsp, 3), "response runs past its page");
}

static void xnf_test_prod_plausible(struct kunit *test)
{
	KUNIT_EXPECT_TRUE(test, xnf_prod_plausible(10, 10, 0));
	KUNIT_EXPECT_FALSE(test, xnf_prod_plausible(11, 10, 0));
	KUNIT_EXPECT_TRUE(test, xnf_prod_plausible(266, 10, XNF_RX_RING_SIZE));
	KUNIT_EXPECT_FALSE(test, xnf_prod_plausible(267, 10, XNF_RX_RING_SIZE));
	/* behind our consumer: a huge count, not a negative one */
	KUNIT_EXPECT_FALSE(test, xnf_prod_plausible(9, 10, XNF_RX_RING_SIZE));
	/* across the index wrap */
	KUNIT_EXPECT_TRUE(test, xnf_prod_plausible(5, 0xfffffff0U, XNF_RX_RING_SIZE));
	KUNIT_EXPECT_FALSE(test, xnf_prod_plausible(0x200, 0xfffffff0U, XNF_RX_RING_SIZE));
}

static struct kunit_case xnf_test_cases[] = {
	KUNIT_CASE(xnf_test_region_slots),
	KUNIT_CASE(xnf_test_skb_slots),
	KUNIT_CASE(xnf_test_tx_plan_first_slot),
	KUNIT_CASE(xnf_test_skb_first_chunk),
	KUNIT_CASE(xnf_test_tx_rsp_kind),
	KUNIT_CASE(xnf_test_tx_may_wake),
	KUNIT_CASE(xnf_test_gso_mapping),
	KUNIT_CASE(xnf_test_csum_mapping),
	KUNIT_CASE(xnf_test_rx_check),
	KUNIT_CASE(xnf_test_rx_fault),
	KUNIT_CASE(xnf_test_prod_plausible),
	{}
};

static struct kunit_suite xnf_test_suite = {
	.name = "xen-netfront",
	.test_cases = xnf_test_cases,
};

kunit_test_suite(xnf_test_suite);
#endif /* CONFIG_KUNIT */
