// SPDX-License-Identifier: GPL-2.0
/*
 * vif.c - the netif backend of `hostile`, and its vif scenarios.
 *
 * This file owns the network side: the netif xenbus handshake, the TX and
 * RX rings of every queue, a tiny "host" at the other end of the cable, and
 * the ways in which that backend lies.
 *
 * Handshake.  The frontend dir gets a MAC and a handle at creation.  At
 * InitWait we offer receive-by-copy, scatter-gather, no GSO and one shared
 * event channel per queue (and, unless a scenario says otherwise, no
 * multi-queue).  The frontend then publishes, at its top level for one
 * queue or under queue-N/ for several, tx-ring-ref, rx-ring-ref and
 * event-channel (or event-channel-tx and -rx), plus request-rx-copy,
 * feature-rx-notify, feature-sg and multi-queue-num-queues.  We check each
 * value, map both rings of each queue, bind the channels and say Connected.
 *
 * TX (frontend to us).  A packet is a chain of requests: the first names
 * the whole frame's size, NETTXF_more_data links the next slot,
 * NETTXF_extra_info means the slot after the first holds a netif_extra_info.
 * Every data slot is answered OKAY (or ERROR for a bad packet), every
 * extra slot NETIF_RSP_NULL right after the packet's first answer.  Each
 * slot's page is mapped read-only only while we copy the frame out.
 *
 * RX (us to frontend).  The frontend posts empty pages; a frame goes into
 * the next one at offset 0 and is answered in the same ring slot with its
 * length.  Frames that find no posted page wait in a short queue.
 *
 * The host at 10.99.0.1 (MAC fe:ff:ff:99:00:01) answers ARP requests for
 * its address and ICMP echo requests sent to it.  Both rings notify the
 * other side the way the ring.h hold-off rules say (req_event, rsp_event).
 *
 * Everything in the shared pages is copied once before it is looked at:
 * a weird frontend gets ERROR answers or a log line, never a crash.
 */
#define __XEN_TOOLS__ 1
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "hostile.h"
#include <xen/io/netif.h>

#define VIF_PAGE	4096u
#define VIF_RING	256u			/* entries of a one-page TX or RX ring */
#define VIF_MAX_QUEUES	64u
#define VIF_MAX_SLOTS	XEN_NETIF_NR_SLOTS_MIN	/* data slots of one TX packet */
#define VIF_MAX_FRAME	(XEN_NETIF_MAX_TX_SIZE + 14)
#define VIF_RX_WAITING	8u			/* frames waiting for an RX page */
#define VIF_HELD	16u			/* slots of keep-mapped, write-ro */
#define VIF_RX_FRAGS	21u			/* MAX_SKB_FRAGS + 4 */
#define MAX_QUEUES_HUGE	4294967295ul

static const uint8_t our_mac[6] = { 0xfe, 0xff, 0xff, 0x99, 0x00, 0x01 };
static const uint8_t our_ip[4] = { 10, 99, 0, 1 };

/* Each lie acts once armed (SIGUSR1 or --after), unless "from start". */
const struct scenario vif_scenarios[] = {
	/* 1: RX data that runs past the end of the posted page */
	{ "vif-rx-overrun",
	  "deliver an echo reply at RX offset 3000 so that offset+size runs past the page" },
	/* 2: an RX answer of zero bytes */
	{ "vif-rx-size-zero", "answer a posted RX request with status 0" },
	/* 3: a legal RX drop, which the frontend should just count */
	{ "vif-rx-error", "answer an RX request with NETIF_RSP_ERROR (a legal drop), then go on" },
	/* 4: more RX fragments than an skb holds */
	{ "vif-rx-too-many-frags", "spread one echo reply over 21 RX slots (MAX_SKB_FRAGS + 4)" },
	/* 5: an RX packet that never ends */
	{ "vif-rx-endless",
	  "answer every posted RX request with more_data set, never ending the packet" },
	/* 6: an extra-info slot of no known type */
	{ "vif-gso-unknown-type", "an RX packet whose extra-info slot has type 0xee" },
	/* 7: GSO with a segment size of zero */
	{ "vif-gso-bad-size", "an RX packet with a TCPv4 GSO extra of gso.size 0" },
	/* 8: a TX answer for a request never made */
	{ "vif-tx-id-unknown", "a TX response with an id that is not in flight" },
	/* 9: one TX request answered twice */
	{ "vif-tx-id-twice", "answer a TX slot, then the same id again" },
	/* 10: an RX answer for a request never made */
	{ "vif-rx-id-unknown", "an RX response with id 0xfff0, never posted" },
	/* 11: a TX producer index beyond anything requested */
	{ "vif-prod-past-ring", "TX rsp_prod set to ours + ring size + 3, then notify" },
	/* 12: a TX producer index that goes backwards */
	{ "vif-prod-backwards", "after answering, move TX rsp_prod back by 2, then notify" },
	/* 13: an event storm with no work behind it */
	{ "vif-storm",
	  "100,000 event notifications a second for 10 s with no new work, still serving" },
	/* 14: a backend that stops answering */
	{ "vif-silent", "answer nothing and send no events until SIGTERM" },
	/* 15: an absurd queue limit */
	{ "vif-limits", "(from start) multi-queue-max-queues=4294967295; serve up to 64 queues" },
	/* 16: feature keys that are not numbers */
	{ "vif-feature-garbage",
	  "(from start) garbage in every feature key; serve what the frontend does" },
	/* 17: Closed without Closing, rings still mapped */
	{ "vif-closed-midio", "write backend state Closed (no Closing) while traffic flows" },
	/* 18: the backend's xenstore dir vanishes, rings still mapped */
	{ "vif-nodes-removed", "remove the whole backend dir while traffic flows" },
	/* 19: answered TX pages that stay mapped */
	{ "vif-keep-mapped", "answer 16 TX slots but keep their pages mapped for 5 s" },
	/* 20: writable maps of read-only TX grants */
	{ "vif-write-ro", "try to map 16 read-only TX grants writable (Xen must refuse)" },
	/* 21: answers after the frontend has closed */
	{ "vif-after-close",
	  "(from start) keep writing TX and RX responses for 3 s after the frontend closed" },
	{ NULL, NULL }
};

/* In the order of vif_scenarios[]. */
enum {
	SC_RX_OVERRUN, SC_RX_SIZE_ZERO, SC_RX_ERROR, SC_RX_TOO_MANY_FRAGS, SC_RX_ENDLESS,
	SC_GSO_UNKNOWN, SC_GSO_BAD_SIZE, SC_TX_ID_UNKNOWN, SC_TX_ID_TWICE, SC_RX_ID_UNKNOWN,
	SC_PROD_PAST_RING, SC_PROD_BACKWARDS, SC_STORM, SC_SILENT, SC_LIMITS,
	SC_FEATURE_GARBAGE, SC_CLOSED_MIDIO, SC_NODES_REMOVED, SC_KEEP_MAPPED, SC_WRITE_RO,
	SC_AFTER_CLOSE, SC_NONE
};

struct vif_frame {
	unsigned int len;
	bool echo;			/* an ICMP echo reply: what RX lies dress up */
	uint8_t data[VIF_PAGE];
};

struct vif_queue {
	unsigned int id;
	netif_tx_sring_t *tx;
	netif_rx_sring_t *rx;
	RING_IDX tx_cons, tx_prod;	/* our private request consumer, response producer */
	RING_IDX rx_cons, rx_prod;
	evtchn_port_t tx_port, rx_port;	/* equal with one shared channel */
	uint16_t last_id;		/* of the last TX packet answered */
	bool dead;			/* the frontend broke this queue's rings */
	unsigned int nwait;
	struct vif_frame wait[VIF_RX_WAITING];
};

struct vif {
	struct hb *b;
	int sc;
	bool armed, done, broken, silent, connected;
	bool state_closed, dir_gone;
	unsigned int nq;
	struct vif_queue *q;
	uint8_t *buf;			/* a TX frame being gathered */

	unsigned long tx_frames, tx_bytes, tx_slots, tx_errors;
	unsigned long rx_frames, rx_bytes, rx_dropped, arp_replies, echo_replies;

	/* scenario state */
	void *held[VIF_HELD];
	unsigned int nheld, ro_tried, ro_refused, ro_allowed;
	double held_since, storm_start, endless_start, ro_since;
	bool twice_set;
	uint16_t twice_id;
	unsigned long storm_sent, endless_rsps;
};

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static RING_IDX ld(const RING_IDX *p)
{
	return __atomic_load_n(p, __ATOMIC_ACQUIRE);
}

static void st(RING_IDX *p, RING_IDX v)
{
	__atomic_store_n(p, v, __ATOMIC_RELEASE);
}

static void full_barrier(void)
{
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
}

static bool is_sc(struct vif *v, int sc)
{
	return v->sc == sc;
}

/* One-shot lies end the service: the backend stays, mute, until SIGTERM. */
static void attacked_final(struct vif *v)
{
	v->done = true;
	v->broken = true;
}

/*
 * ---- Notifications ------------------------------------------------------
 */

static void kick(struct vif *v, evtchn_port_t port)
{
	if (!v->silent)
		hb_notify_port(v->b, port);
}

/* Publish our TX responses; notify if the frontend asked (rsp_event). */
static void tx_push(struct vif *v, struct vif_queue *q)
{
	RING_IDX old = ld(&q->tx->rsp_prod), new = q->tx_prod;

	st(&q->tx->rsp_prod, new);
	full_barrier();
	if ((RING_IDX)(new - ld(&q->tx->rsp_event)) < (RING_IDX)(new - old))
		kick(v, q->tx_port);
}

static void rx_push(struct vif *v, struct vif_queue *q)
{
	RING_IDX old = ld(&q->rx->rsp_prod), new = q->rx_prod;

	st(&q->rx->rsp_prod, new);
	full_barrier();
	if ((RING_IDX)(new - ld(&q->rx->rsp_event)) < (RING_IDX)(new - old))
		kick(v, q->rx_port);
}

/*
 * ---- The host at 10.99.0.1 ----------------------------------------------
 */

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static void put16(uint8_t *p, uint16_t x)
{
	p[0] = x >> 8;
	p[1] = x & 0xff;
}

/* The Internet checksum of len bytes, ready to store big-endian. */
static uint16_t inet_csum(const uint8_t *p, unsigned int len)
{
	uint32_t sum = 0;
	unsigned int i;

	for (i = 0; i + 1 < len; i += 2)
		sum += get16(p + i);
	if (len & 1)
		sum += p[len - 1] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

static void rx_send(struct vif *v, struct vif_queue *q, const uint8_t *f, unsigned int len,
		    bool echo);

/* An ARP request for our address: answer with our MAC. */
static void host_arp(struct vif *v, struct vif_queue *q, const uint8_t *f, unsigned int len)
{
	uint8_t r[42];

	if (len < 42 || get16(f + 14) != 1 || get16(f + 16) != 0x0800 || f[18] != 6 ||
	    f[19] != 4 || get16(f + 20) != 1 || memcmp(f + 38, our_ip, 4))
		return;
	memcpy(r, f + 6, 6);			/* to the asker */
	memcpy(r + 6, our_mac, 6);
	put16(r + 12, 0x0806);
	put16(r + 14, 1);
	put16(r + 16, 0x0800);
	r[18] = 6;
	r[19] = 4;
	put16(r + 20, 2);			/* reply */
	memcpy(r + 22, our_mac, 6);
	memcpy(r + 28, our_ip, 4);
	memcpy(r + 32, f + 22, 10);		/* its MAC and IP */
	v->arp_replies++;
	rx_send(v, q, r, sizeof(r), false);
}

/* An ICMP echo request to our address: the same id, seq and payload back. */
static void host_ip(struct vif *v, struct vif_queue *q, const uint8_t *f, unsigned int len)
{
	const uint8_t *ip = f + 14;
	unsigned int ihl, tot, icmp_len;
	uint8_t *r, *rip, *icmp;

	if (len < 14 + 20 || (ip[0] >> 4) != 4)
		return;
	ihl = (ip[0] & 15) * 4;
	tot = get16(ip + 2);
	if (ihl < 20 || tot < ihl + 8 || 14 + tot > len || ip[9] != 1 || memcmp(ip + 16, our_ip, 4))
		return;
	if (get16(ip + 6) & 0x3fff)		/* a fragment: not for this little host */
		return;
	icmp_len = tot - ihl;
	if (ip[ihl] != 8 || ip[ihl + 1] != 0)
		return;
	if (14 + tot > VIF_PAGE) {
		v->rx_dropped++;
		return;
	}
	r = malloc(14 + tot);
	if (!r)
		return;
	memcpy(r, f + 6, 6);
	memcpy(r + 6, our_mac, 6);
	put16(r + 12, 0x0800);
	rip = r + 14;
	memcpy(rip, ip, tot);
	memcpy(rip + 12, our_ip, 4);
	memcpy(rip + 16, ip + 12, 4);
	rip[8] = 64;
	put16(rip + 10, 0);
	put16(rip + 10, inet_csum(rip, ihl));
	icmp = rip + ihl;
	icmp[0] = 0;				/* echo reply */
	put16(icmp + 2, 0);
	put16(icmp + 2, inet_csum(icmp, icmp_len));
	v->echo_replies++;
	rx_send(v, q, r, 14 + tot, true);
	free(r);
}

static void host_frame(struct vif *v, struct vif_queue *q, const uint8_t *f, unsigned int len)
{
	static const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };

	if (len < 14 || (memcmp(f, our_mac, 6) && memcmp(f, bcast, 6)))
		return;
	if (get16(f + 12) == 0x0806)
		host_arp(v, q, f, len);
	else if (get16(f + 12) == 0x0800)
		host_ip(v, q, f, len);
}

/*
 * ---- RX: frames to the frontend -----------------------------------------
 */

/* Posted RX requests we have not taken yet; 0 and the queue marked dead if
 * the frontend's producer is not believable.
 */
static unsigned int rx_posted(struct vif_queue *q)
{
	RING_IDX prod = ld(&q->rx->req_prod);

	if ((RING_IDX)(prod - q->rx_cons) > VIF_RING) {
		hb_log("frontend's RX req_prod %u is %u past our consumer %u: queue %u ignored",
		       prod, prod - q->rx_cons, q->rx_cons, q->id);
		q->dead = true;
		return 0;
	}
	return prod - q->rx_cons;
}

static netif_rx_request_t rx_take(struct vif_queue *q)
{
	netif_rx_request_t req;

	memcpy(&req, &q->rx->ring[q->rx_cons++ % VIF_RING].req, sizeof(req));
	return req;
}

static netif_rx_response_t *rx_slot(struct vif_queue *q)
{
	return &q->rx->ring[q->rx_prod++ % VIF_RING].rsp;
}

/* Copy len bytes into the page of gref at off (clipped to the page). */
static int rx_fill(struct vif *v, uint32_t gref, unsigned int off, const uint8_t *f,
		   unsigned int len)
{
	uint8_t *page = hb_map(v->b, &gref, 1, 1);

	if (!page)
		return -1;
	if (off < VIF_PAGE)
		memcpy(page + off, f, len < VIF_PAGE - off ? len : VIF_PAGE - off);
	hb_unmap(v->b, page, 1);
	return 0;
}

static void rx_answer(struct vif_queue *q, uint16_t id, uint16_t off, uint16_t flags,
		      int16_t status)
{
	netif_rx_response_t *rsp = rx_slot(q);

	rsp->id = id;
	rsp->offset = off;
	rsp->flags = flags;
	rsp->status = status;
}

/* The honest delivery of one frame into one posted page. */
static void rx_one(struct vif *v, struct vif_queue *q, const struct vif_frame *fr)
{
	netif_rx_request_t req = rx_take(q);

	if (rx_fill(v, req.gref, 0, fr->data, fr->len)) {
		hb_log("RX: could not map gref %u of request %u", req.gref, req.id);
		rx_answer(q, req.id, 0, 0, NETIF_RSP_ERROR);
		v->rx_dropped++;
		return;
	}
	rx_answer(q, req.id, 0, NETRXF_data_validated, (int16_t)fr->len);
	v->rx_frames++;
	v->rx_bytes += fr->len;
}

/* How many posted requests the lie about frame fr needs (1: no lie). */
static unsigned int rx_lie_slots(struct vif *v, const struct vif_frame *fr)
{
	if (!v->armed || v->done || !fr->echo)
		return 1;
	switch (v->sc) {
	case SC_RX_TOO_MANY_FRAGS:
		return VIF_RX_FRAGS;
	case SC_GSO_UNKNOWN:
	case SC_GSO_BAD_SIZE:
	case SC_RX_ERROR:
		return 2;
	default:
		return 1;
	}
}

/* A packet with one extra-info slot after the data (the GSO lies). */
static void rx_extra_lie(struct vif *v, struct vif_queue *q, const struct vif_frame *fr)
{
	netif_rx_request_t req = rx_take(q);
	netif_extra_info_t *ex;

	rx_fill(v, req.gref, 0, fr->data, fr->len);
	rx_answer(q, req.id, 0, NETRXF_data_validated | NETRXF_extra_info, (int16_t)fr->len);
	rx_take(q);				/* the extra overlays this slot */
	ex = (netif_extra_info_t *)rx_slot(q);
	memset(ex, 0, sizeof(*ex));
	if (is_sc(v, SC_GSO_UNKNOWN)) {
		ex->type = 0xee;
		hb_log("attacked vif-gso-unknown-type: %u-byte echo reply with an extra-info slot "
		       "of type 0xee",
		       fr->len);
	} else {
		ex->type = XEN_NETIF_EXTRA_TYPE_GSO;
		ex->u.gso.type = XEN_NETIF_GSO_TYPE_TCPV4;
		ex->u.gso.size = 0;
		hb_log("attacked vif-gso-bad-size: %u-byte echo reply with a TCPv4 GSO extra of "
		       "gso.size 0",
		       fr->len);
	}
}

/* One echo reply over VIF_RX_FRAGS slots, more_data on all but the last. */
static void rx_frags_lie(struct vif *v, struct vif_queue *q, const struct vif_frame *fr)
{
	unsigned int i, part = fr->len / VIF_RX_FRAGS, off = 0;

	for (i = 0; i < VIF_RX_FRAGS; i++) {
		netif_rx_request_t req = rx_take(q);
		unsigned int n = i == VIF_RX_FRAGS - 1 ? fr->len - off : part;
		uint16_t flags = i == VIF_RX_FRAGS - 1 ? 0 : NETRXF_more_data;

		if (!i)
			flags |= NETRXF_data_validated;
		rx_fill(v, req.gref, 0, fr->data + off, n);
		rx_answer(q, req.id, 0, flags, (int16_t)n);
		off += n;
	}
	hb_log("attacked vif-rx-too-many-frags: %u-byte echo reply spread over %u RX slots of ~%u "
	       "bytes",
	       fr->len, VIF_RX_FRAGS, part);
}

/* Deliver frame fr the way the armed scenario lies about it. */
static void rx_lie(struct vif *v, struct vif_queue *q, const struct vif_frame *fr)
{
	netif_rx_request_t req;
	unsigned int off;

	switch (v->sc) {
	case SC_RX_OVERRUN:
		req = rx_take(q);
		off = 3000 + fr->len > VIF_PAGE ? 3000 : VIF_PAGE - fr->len / 2;
		rx_fill(v, req.gref, off, fr->data, fr->len);
		rx_answer(q, req.id, (uint16_t)off, NETRXF_data_validated, (int16_t)fr->len);
		hb_log("attacked vif-rx-overrun: RX response id %u offset %u status %u (ends at "
		       "%u, past the page)",
		       req.id, off, fr->len, off + fr->len);
		attacked_final(v);
		return;
	case SC_RX_SIZE_ZERO:
		req = rx_take(q);
		rx_answer(q, req.id, 0, NETRXF_data_validated, 0);
		hb_log("attacked vif-rx-size-zero: RX response id %u with status 0", req.id);
		attacked_final(v);
		return;
	case SC_RX_ERROR:
		req = rx_take(q);
		rx_answer(q, req.id, 0, 0, NETIF_RSP_ERROR);
		hb_log("attacked vif-rx-error: RX response id %u with status NETIF_RSP_ERROR, then "
		       "the %u-byte frame in the next slot",
		       req.id, fr->len);
		v->done = true;
		rx_one(v, q, fr);
		return;
	case SC_RX_TOO_MANY_FRAGS:
		rx_frags_lie(v, q, fr);
		attacked_final(v);
		return;
	case SC_GSO_UNKNOWN:
	case SC_GSO_BAD_SIZE:
		rx_extra_lie(v, q, fr);
		attacked_final(v);
		return;
	case SC_RX_ID_UNKNOWN:
		req = rx_take(q);
		rx_fill(v, req.gref, 0, fr->data, fr->len);
		rx_answer(q, 0xfff0, 0, NETRXF_data_validated, (int16_t)fr->len);
		hb_log("attacked vif-rx-id-unknown: answered RX request id %u (gref %u) as id "
		       "0xfff0, never posted",
		       req.id, req.gref);
		attacked_final(v);
		return;
	default:
		rx_one(v, q, fr);
	}
}

static bool rx_lies_now(struct vif *v, const struct vif_frame *fr)
{
	if (!v->armed || v->done || !fr->echo)
		return false;
	switch (v->sc) {
	case SC_RX_OVERRUN: case SC_RX_SIZE_ZERO: case SC_RX_ERROR: case SC_RX_TOO_MANY_FRAGS:
	case SC_GSO_UNKNOWN: case SC_GSO_BAD_SIZE: case SC_RX_ID_UNKNOWN:
		return true;
	default:
		return false;
	}
}

/* Deliver waiting frames while pages are posted; ask for an event if some
 * still wait.
 */
static void rx_flush(struct vif *v, struct vif_queue *q)
{
	bool pushed = false;

	while (q->nwait && !q->dead && !v->broken) {
		struct vif_frame *fr = &q->wait[0];
		unsigned int need = rx_lie_slots(v, fr);

		if (rx_posted(q) < need) {
			st(&q->rx->req_event, q->rx_cons + need);
			full_barrier();
			if (rx_posted(q) < need)
				break;
			continue;
		}
		if (rx_lies_now(v, fr))
			rx_lie(v, q, fr);
		else
			rx_one(v, q, fr);
		pushed = true;
		q->nwait--;
		memmove(&q->wait[0], &q->wait[1], q->nwait * sizeof(q->wait[0]));
	}
	if (pushed)
		rx_push(v, q);
}

static void rx_send(struct vif *v, struct vif_queue *q, const uint8_t *f, unsigned int len,
		    bool echo)
{
	struct vif_frame *fr;

	if (q->nwait == VIF_RX_WAITING || len > VIF_PAGE || v->broken) {
		v->rx_dropped++;
		return;
	}
	fr = &q->wait[q->nwait++];
	memcpy(fr->data, f, len);
	fr->len = len;
	fr->echo = echo;
	rx_flush(v, q);
}

/* vif-rx-endless: every posted request answered with more_data. */
static void rx_endless(struct vif *v, struct vif_queue *q)
{
	unsigned int n = rx_posted(q);

	if (!n)
		return;
	while (n--) {
		netif_rx_request_t req = rx_take(q);

		rx_answer(q, req.id, 0, NETRXF_more_data, 64);
		v->endless_rsps++;
	}
	rx_push(v, q);
	st(&q->rx->req_event, q->rx_cons + 1);
}

/*
 * ---- TX: frames from the frontend ---------------------------------------
 */

static void tx_answer(struct vif_queue *q, uint16_t id, int16_t status)
{
	netif_tx_response_t *rsp = &q->tx->ring[q->tx_prod++ % VIF_RING].rsp;

	rsp->id = id;
	rsp->status = status;
}

/* vif-write-ro: what Xen made of our writable maps (16, or fewer by then). */
static void ro_report(struct vif *v)
{
	if (v->ro_allowed)
		hb_log("attacked vif-write-ro: Xen ALLOWED %u of %u writable maps of read-only "
		       "TX grants (nothing written)", v->ro_allowed, v->ro_tried);
	else
		hb_log("attacked vif-write-ro: Xen refused %u writable maps", v->ro_refused);
	v->done = true;
}

/* Map one TX slot's page for reading; the write-ro and keep-mapped lies
 * act here.  NULL if Xen would not map it.
 */
static const uint8_t *tx_map(struct vif *v, uint32_t gref, bool *held)
{
	uint8_t *page;

	*held = false;
	if (v->armed && is_sc(v, SC_WRITE_RO) && !v->done) {
		page = hb_map(v->b, &gref, 1, 1);
		if (!v->ro_tried++)
			v->ro_since = now();
		if (page) {
			v->ro_allowed++;	/* never written to */
			hb_unmap(v->b, page, 1);
		} else {
			v->ro_refused++;
		}
		if (v->ro_tried == VIF_HELD)
			ro_report(v);
	}
	page = hb_map(v->b, &gref, 1, 0);
	if (page && v->armed && is_sc(v, SC_KEEP_MAPPED) && !v->done && v->nheld < VIF_HELD) {
		if (!v->nheld)
			v->held_since = now();
		v->held[v->nheld++] = page;
		*held = true;
	}
	return page;
}

/*
 * The id to answer a packet's first slot with: its own, or, for the id
 * lies, one the frontend cannot match.  The lie replaces a true answer, so
 * the count of answers stays right and only the id tells.  ids: the
 * packet's own n ids (all still in flight).
 */
static uint16_t tx_lie_id(struct vif *v, struct vif_queue *q, const uint16_t *ids,
			  unsigned int n)
{
	bool busy[VIF_RING] = { false };
	RING_IDX i, prod;
	int id;

	switch (v->sc) {
	case SC_TX_ID_TWICE:
		/* Remember one answered id, then answer the next packet with it. */
		if (!v->twice_set || ids[0] == v->twice_id) {
			v->twice_set = true;
			v->twice_id = ids[0];
			return ids[0];
		}
		hb_log("attacked vif-tx-id-twice: answered TX id %u again in place of id %u",
		       v->twice_id, ids[0]);
		attacked_final(v);
		return v->twice_id;
	case SC_TX_ID_UNKNOWN:
		/* An id in range that is neither this packet's nor still waiting. */
		prod = ld(&q->tx->req_prod);
		for (i = 0; i < n; i++)
			busy[ids[i] % VIF_RING] = true;
		for (i = q->tx_cons; i != prod && (RING_IDX)(i - q->tx_cons) < VIF_RING; i++)
			busy[q->tx->ring[i % VIF_RING].req.id % VIF_RING] = true;
		for (id = VIF_RING - 1; id > 0 && busy[id]; id--)
			;
		hb_log("attacked vif-tx-id-unknown: answered TX id %u as id %d, never issued",
		       ids[0], id);
		attacked_final(v);
		return (uint16_t)id;
	default:
		return ids[0];
	}
}

/* TX lies about the producer index, after the honest push. */
static void tx_lie_pushed(struct vif *v, struct vif_queue *q)
{
	unsigned int i;
	RING_IDX bad;

	if (is_sc(v, SC_PROD_PAST_RING))
		bad = q->tx_prod + VIF_RING + 3;
	else if (is_sc(v, SC_PROD_BACKWARDS))
		bad = q->tx_prod - 2;
	else
		return;
	/* Going back only hurts once the frontend has taken our answers:
	 * give it up to a second to ask for the next one (rsp_event).
	 */
	for (i = 0; is_sc(v, SC_PROD_BACKWARDS) && i < 1000; i++) {
		if ((int32_t)(ld(&q->tx->rsp_event) - q->tx_prod) > 0)
			break;
		nanosleep(&(struct timespec){ .tv_nsec = 1000000 }, NULL);
	}
	st(&q->tx->rsp_prod, bad);
	full_barrier();
	hb_notify_port(v->b, q->tx_port);
	hb_log("attacked %s: TX rsp_prod set to %u (ours %u) and notified",
	       vif_scenarios[v->sc].name, bad, q->tx_prod);
	attacked_final(v);
}

/*
 * Take one packet off the TX ring of q, all of whose requests lie before
 * prod.  Answer it, hand its frame to the host.  0 when the packet is not
 * complete yet (nothing taken), 1 otherwise.
 */
static int tx_packet(struct vif *v, struct vif_queue *q, RING_IDX prod)
{
	netif_tx_request_t req[VIF_MAX_SLOTS];
	uint16_t ids[VIF_RING];
	netif_extra_info_t ex;
	unsigned int nslots = 0, nextra = 0, i, rest = 0, len, off;
	RING_IDX idx = q->tx_cons, avail = prod - q->tx_cons;
	bool bad = false, more, held;
	const char *why = NULL;

	/* Walk the chain first: is it all there? */
	memcpy(&req[0], &q->tx->ring[idx++ % VIF_RING].req, sizeof(req[0]));
	ids[nslots++] = req[0].id;
	if (req[0].flags & NETTXF_extra_info) {
		do {
			if (idx == prod)
				goto incomplete;
			memcpy(&ex, &q->tx->ring[idx++ % VIF_RING], sizeof(ex));
			nextra++;
			if (ex.type == XEN_NETIF_EXTRA_TYPE_NONE ||
			    ex.type >= XEN_NETIF_EXTRA_TYPE_MAX) {
				bad = true;
				why = "unknown extra-info type";
			}
		} while ((ex.flags & XEN_NETIF_EXTRA_FLAG_MORE) && nextra < 4);
		if (ex.flags & XEN_NETIF_EXTRA_FLAG_MORE) {
			bad = true;
			why = "more than 4 extra-info slots";
		}
	}
	more = req[0].flags & NETTXF_more_data;
	while (more) {
		netif_tx_request_t r;

		if (idx == prod)
			goto incomplete;
		memcpy(&r, &q->tx->ring[idx++ % VIF_RING].req, sizeof(r));
		more = r.flags & NETTXF_more_data;
		if (nslots < VIF_MAX_SLOTS)
			req[nslots] = r;
		ids[nslots++] = r.id;
		if (nslots > VIF_MAX_SLOTS && !bad) {
			bad = true;
			why = "more than 18 slots";
		}
	}
	q->tx_cons = idx;
	v->tx_slots += nslots;

	for (i = 0; !bad && i < nslots; i++) {
		unsigned int sz = i ? req[i].size : 0;

		rest += sz;
		if (req[i].offset + (i ? sz : 0) > VIF_PAGE) {
			bad = true;
			why = "slot runs past its page";
		}
	}
	if (!bad && (rest >= req[0].size || req[0].size - rest < 14 ||
		     req[0].offset + req[0].size - rest > VIF_PAGE)) {
		bad = true;
		why = "first slot's size does not add up";
	}

	/* Gather the frame. */
	len = 0;
	for (i = 0; !bad && i < nslots; i++) {
		unsigned int n = i ? req[i].size : req[0].size - rest;
		const uint8_t *page = tx_map(v, req[i].gref, &held);

		off = req[i].offset;
		if (!page) {
			bad = true;
			why = "grant would not map";
			break;
		}
		memcpy(v->buf + len, page + off, n);
		len += n;
		if (!held)
			hb_unmap(v->b, (void *)page, 1);
	}

	/* Answer: the first slot, the extras, then the other data slots. */
	q->last_id = ids[0];
	tx_answer(q, v->armed && !v->done && !bad ? tx_lie_id(v, q, ids, nslots) : ids[0],
		  bad ? NETIF_RSP_ERROR : NETIF_RSP_OKAY);
	for (i = 0; i < nextra; i++)
		tx_answer(q, 0, NETIF_RSP_NULL);
	for (i = 1; i < nslots; i++)
		tx_answer(q, ids[i], bad ? NETIF_RSP_ERROR : NETIF_RSP_OKAY);
	if (bad) {
		v->tx_errors++;
		hb_log("TX: packet of %u slots (first id %u) refused: %s", nslots, ids[0], why);
	} else {
		v->tx_frames++;
		v->tx_bytes += len;
	}
	if (!bad)
		host_frame(v, q, v->buf, len);
	return 1;

incomplete:
	if (avail >= VIF_RING) {
		/* A full ring and still no end: answer it all as an error. */
		hb_log("TX: a chain of %u requests never ends; all answered ERROR", VIF_RING);
		for (i = 0; i < VIF_RING; i++) {
			tx_answer(q, q->tx->ring[q->tx_cons % VIF_RING].req.id, NETIF_RSP_ERROR);
			q->tx_cons++;
		}
		v->tx_errors++;
		return 1;
	}
	return 0;
}

static void tx_serve(struct vif *v, struct vif_queue *q)
{
	RING_IDX prod;
	bool answered = false;

	for (;;) {
		prod = ld(&q->tx->req_prod);
		if ((RING_IDX)(prod - q->tx_cons) > VIF_RING) {
			hb_log("frontend's TX req_prod %u is %u past our consumer %u: queue %u "
			       "ignored",
			       prod, prod - q->tx_cons, q->tx_cons, q->id);
			q->dead = true;
			return;
		}
		/* vif-tx-id-twice needs two packets in flight at once. */
		if (v->armed && !v->done && is_sc(v, SC_TX_ID_TWICE) &&
		    (RING_IDX)(prod - q->tx_cons) < 2) {
			st(&q->tx->req_event, prod + 1);
			full_barrier();
			if (ld(&q->tx->req_prod) == prod)
				break;
			continue;
		}
		while (q->tx_cons != prod && !v->broken) {
			if (!tx_packet(v, q, prod))
				break;
			answered = true;
		}
		if (v->broken)
			break;
		/* Wake us for the next request past what we have seen. */
		st(&q->tx->req_event, q->tx_cons == prod ? q->tx_cons + 1 : prod + 1);
		full_barrier();
		if (ld(&q->tx->req_prod) == prod)
			break;
	}
	if (answered) {
		tx_push(v, q);
		if (v->armed && !v->done)
			tx_lie_pushed(v, q);
	}
}

/*
 * ---- Handshake ----------------------------------------------------------
 */

/* A plain decimal number in the frontend's KEY (under queue-N/ if qdir). */
static int fe_num(struct vif *v, const char *qdir, const char *key, unsigned long max,
		  unsigned long *val)
{
	char path[64];

	snprintf(path, sizeof(path), "%s%s", qdir, key);
	if (hb_feread_ulong(v->b, path, val) || *val > max) {
		char *s = hb_feread(v->b, path);

		hb_log("frontend's %s is %s%s%s", path, s ? "\"" : "", s ? s : "missing",
		       s ? "\", not a number we take" : "");
		free(s);
		return -1;
	}
	return 0;
}

static void advertise(struct vif *v)
{
	struct hb *b = v->b;

	if (is_sc(v, SC_FEATURE_GARBAGE)) {
		hb_bewrite(b, "feature-rx-copy", "1junk");
		hb_bewrite(b, "feature-rx-flip", "0");
		hb_bewrite(b, "feature-sg", "maybe");
		hb_bewrite(b, "feature-gso-tcpv4", "-7");
		hb_bewrite(b, "multi-queue-max-queues", "0x10");
		hb_bewrite(b, "feature-split-event-channels", "yes");
		hb_log("attacked vif-feature-garbage: feature-sg=maybe feature-rx-copy=1junk "
		       "feature-gso-tcpv4=-7 multi-queue-max-queues=0x10 "
		       "feature-split-event-channels=yes");
	} else {
		hb_bewrite(b, "feature-rx-copy", "1");
		hb_bewrite(b, "feature-rx-flip", "0");
		hb_bewrite(b, "feature-sg", "1");
		hb_bewrite(b, "feature-gso-tcpv4", "0");
		hb_bewrite(b, "feature-split-event-channels", "0");
	}
	if (is_sc(v, SC_LIMITS)) {
		hb_bewrite(b, "multi-queue-max-queues", "%lu", MAX_QUEUES_HUGE);
		hb_log("attacked vif-limits: advertised "
		       "multi-queue-max-queues=%lu", MAX_QUEUES_HUGE);
	}
}

/* Map and bind queue n; its keys are under qdir ("" or "queue-N/"). */
static int connect_queue(struct vif *v, unsigned int n, const char *qdir)
{
	struct vif_queue *q = &v->q[n];
	unsigned long txref, rxref, port, txport, rxport;
	char key[64], *s;
	uint32_t ref;

	q->id = n;
	if (fe_num(v, qdir, "tx-ring-ref", UINT32_MAX, &txref) ||
	    fe_num(v, qdir, "rx-ring-ref", UINT32_MAX, &rxref))
		return -1;
	snprintf(key, sizeof(key), "%sevent-channel-tx", qdir);
	s = hb_feread(v->b, key);
	if (s) {
		free(s);
		if (fe_num(v, qdir, "event-channel-tx", UINT32_MAX, &txport) ||
		    fe_num(v, qdir, "event-channel-rx", UINT32_MAX, &rxport))
			return -1;
	} else {
		if (fe_num(v, qdir, "event-channel", UINT32_MAX, &port))
			return -1;
		txport = rxport = port;
	}
	ref = (uint32_t)txref;
	q->tx = hb_map(v->b, &ref, 1, 1);
	ref = (uint32_t)rxref;
	q->rx = hb_map(v->b, &ref, 1, 1);
	if (!q->tx || !q->rx) {
		hb_log("queue %u: could not map the rings (tx-ring-ref %lu, rx-ring-ref %lu)", n,
		       txref, rxref);
		return -1;
	}
	/* The frontend initialised both rings; start where it says. */
	q->tx_cons = q->tx_prod = ld(&q->tx->rsp_prod);
	q->rx_cons = q->rx_prod = ld(&q->rx->rsp_prod);
	q->tx_port = hb_bind(v->b, (unsigned int)txport);
	q->rx_port = txport == rxport ? q->tx_port : hb_bind(v->b, (unsigned int)rxport);
	return 0;
}

static int handshake(struct vif *v)
{
	struct hb *b = v->b;
	unsigned long nq = 1, rxcopy, notify = 0, sg = 0, maxq = 1;
	char devid[16], *s;
	const char *fe_kv[] = { "mac", "00:16:3e:99:00:02", "handle", devid, NULL };
	bool split = false;
	unsigned int i;
	int state;

	snprintf(devid, sizeof(devid), "%u", b->devid);
	hb_create(b, fe_kv);
	advertise(v);
	hb_set_state(b, XenbusStateInitWait);

	state = hb_wait_fe(b, 1u << XenbusStateConnected | 1u << XenbusStateInitialised |
			   1u << XenbusStateClosing | 1u << XenbusStateClosed, 120000);
	if (state != XenbusStateConnected && state != XenbusStateInitialised) {
		hb_log("frontend never connected (state %d)", state);
		return -1;
	}

	if (is_sc(v, SC_LIMITS))
		maxq = VIF_MAX_QUEUES;
	s = hb_feread(b, "multi-queue-num-queues");
	if (s) {
		free(s);
		if (fe_num(v, "", "multi-queue-num-queues", ULONG_MAX, &nq))
			return -1;
		if (is_sc(v, SC_LIMITS))
			hb_log("attacked vif-limits: frontend chose %lu queue(s)", nq);
		if (!nq || nq > maxq) {
			hb_log("frontend asked for %lu queues; we serve 1..%lu: refused", nq, maxq);
			return -1;
		}
	} else if (is_sc(v, SC_LIMITS)) {
		hb_log("attacked vif-limits: frontend wrote no multi-queue-num-queues (1 queue)");
	}
	if (fe_num(v, "", "request-rx-copy", 1, &rxcopy) || rxcopy != 1) {
		hb_log("frontend does not request rx-copy: refused");
		return -1;
	}
	s = hb_feread(b, "feature-rx-notify");
	if (s) {
		free(s);
		if (fe_num(v, "", "feature-rx-notify", 1, &notify))
			return -1;
	}
	if (!notify)
		hb_log("frontend lacks feature-rx-notify (taken anyway)");
	s = hb_feread(b, "feature-sg");
	if (s) {
		free(s);
		if (fe_num(v, "", "feature-sg", 1, &sg))
			return -1;
	}

	v->nq = (unsigned int)nq;
	v->q = calloc(v->nq, sizeof(*v->q));
	if (!v->q)
		hb_die("out of memory");
	for (i = 0; i < v->nq; i++) {
		char qdir[32] = "";

		if (v->nq > 1)
			snprintf(qdir, sizeof(qdir), "queue-%u/", i);
		if (connect_queue(v, i, qdir))
			return -1;
		split |= v->q[i].tx_port != v->q[i].rx_port;
	}
	hb_set_state(b, XenbusStateConnected);
	v->connected = true;
	hb_log("connected vif %u (%u queue(s), %s event channels, one-page rings, rx-notify %lu, "
	       "sg %lu)",
	       b->devid, v->nq, split ? "split" : "shared", notify, sg);
	return 0;
}

/*
 * ---- Serving, and the lies that run on a clock --------------------------
 */

static void serve(struct vif *v)
{
	unsigned int i;

	for (i = 0; i < v->nq && !v->broken; i++) {
		struct vif_queue *q = &v->q[i];

		if (q->dead)
			continue;
		if (v->armed && is_sc(v, SC_RX_ENDLESS) && !v->done)
			rx_endless(v, q);
		tx_serve(v, q);
		if (!q->dead && !v->broken)
			rx_flush(v, q);
	}
}

static void release_held(struct vif *v)
{
	unsigned int i;

	for (i = 0; i < v->nheld; i++)
		hb_unmap(v->b, v->held[i], 1);
	v->nheld = 0;
}

/* The lies that act as soon as they are armed, and those on a clock. */
static void tick(struct vif *v)
{
	double t = now();
	unsigned int i;

	if (!v->armed && (hb_armed || v->tx_frames >= v->b->after)) {
		v->armed = true;
		hb_log("armed %s (after %lu TX packets)", vif_scenarios[v->sc].name, v->tx_frames);
		switch (v->sc) {
		case SC_SILENT:
			v->silent = true;
			v->broken = true;
			hb_log("attacked vif-silent: answering nothing and sending no events from "
			       "now on");
			break;
		case SC_CLOSED_MIDIO:
			hb_set_state(v->b, XenbusStateClosed);
			v->state_closed = true;
			hb_log("attacked vif-closed-midio: backend state Closed with rings still "
			       "mapped");
			attacked_final(v);
			break;
		case SC_NODES_REMOVED:
			xs_rm(v->b->xs, XBT_NULL, v->b->be);
			v->dir_gone = true;
			hb_log("attacked vif-nodes-removed: removed %s with rings still mapped",
			       v->b->be);
			attacked_final(v);
			break;
		case SC_STORM:
			v->storm_start = t;
			break;
		case SC_RX_ENDLESS:
			v->endless_start = t;
			break;
		}
	}
	if (v->storm_start && !v->done) {
		/* Catch up with 100,000 a second, a bounded burst at a time. */
		unsigned long due = (unsigned long)((t - v->storm_start) * 100000.0);
		unsigned int burst = 0;

		while (v->storm_sent < due && burst++ < 2000)
			for (i = 0; i < v->nq; i++, v->storm_sent++)
				hb_notify_port(v->b, v->q[i].tx_port);
		if (t - v->storm_start >= 10.0) {
			hb_log("attacked vif-storm: %lu event notifications in %.1f s (%.0f/s) "
			       "with no new work",
			       v->storm_sent, t - v->storm_start,
			       v->storm_sent / (t - v->storm_start));
			v->done = true;
		}
	}
	if (v->endless_start && !v->done && t - v->endless_start >= 3.0) {
		hb_log("attacked vif-rx-endless: %lu RX responses with more_data over %.1f s, the "
		       "packet never ended",
		       v->endless_rsps, t - v->endless_start);
		attacked_final(v);
	}
	if (v->ro_tried && !v->done && t - v->ro_since >= 5.0)
		ro_report(v);
	if (v->nheld && t - v->held_since >= 5.0) {
		unsigned int n = v->nheld;

		release_held(v);
		hb_log("attacked vif-keep-mapped: answered %u TX slots with their pages mapped; "
		       "unmapped them %.1f s after the first answer",
		       n, t - v->held_since);
		v->done = true;
	}
}

/*
 * ---- Close --------------------------------------------------------------
 */

/* vif-after-close: plausible answers into rings the frontend has closed. */
static void after_close(struct vif *v)
{
	static const uint8_t arp[42] = {
		0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfe, 0xff, 0xff, 0x99, 0x00, 0x01,
		0x08, 0x06, 0, 1, 0x08, 0, 6, 4, 0, 1,
		0xfe, 0xff, 0xff, 0x99, 0x00, 0x01, 10, 99, 0, 1,
		0, 0, 0, 0, 0, 0, 10, 99, 0, 2,
	};
	unsigned long ntx = 0, nrx = 0;
	double t0 = now();
	unsigned int i;

	while (now() - t0 < 3.0) {
		for (i = 0; i < v->nq; i++) {
			struct vif_queue *q = &v->q[i];
			netif_rx_request_t req;

			tx_answer(q, q->last_id, NETIF_RSP_OKAY);
			st(&q->tx->rsp_prod, q->tx_prod);
			ntx++;
			if (rx_posted(q)) {
				req = rx_take(q);
				rx_fill(v, req.gref, 0, arp, sizeof(arp));
				rx_answer(q, req.id, 0, NETRXF_data_validated, sizeof(arp));
				st(&q->rx->rsp_prod, q->rx_prod);
				nrx++;
			}
			hb_notify_port(v->b, q->tx_port);
			if (q->rx_port != q->tx_port)
				hb_notify_port(v->b, q->rx_port);
		}
		nanosleep(&(struct timespec){ .tv_nsec = 10000000 }, NULL);
	}
	hb_log("attacked vif-after-close: wrote %lu TX and %lu RX responses and notified for 3 s "
	       "after the frontend closed",
	       ntx, nrx);
}

static void vif_close(struct vif *v)
{
	struct hb *b = v->b;
	unsigned int i;
	int s = -1, waited;

	if (!v->dir_gone && !v->state_closed) {
		hb_set_state(b, XenbusStateClosing);
		for (waited = 0; waited < 10000; waited += 20) {
			s = hb_fe_state(b);
			if (s < 0 || s == XenbusStateClosed)
				break;
			nanosleep(&(struct timespec){ .tv_nsec = 20000000 }, NULL);
		}
		hb_log("frontend state %d after our Closing", s);
	}
	if (v->connected && is_sc(v, SC_AFTER_CLOSE))
		after_close(v);
	if (v->ro_tried && !v->done)
		ro_report(v);
	if (!v->dir_gone)
		hb_set_state(b, XenbusStateClosed);
	release_held(v);
	for (i = 0; v->q && i < v->nq; i++) {
		hb_unmap(b, v->q[i].tx, 1);
		hb_unmap(b, v->q[i].rx, 1);
	}
	hb_unbind_all(b);
	hb_remove(b);
	hb_log("served %lu requests (TX packets, %lu bytes, %lu slots, %lu refused); delivered %lu "
	       "RX frames (%lu bytes), dropped %lu; %lu ARP and %lu echo replies",
	       v->tx_frames, v->tx_bytes, v->tx_slots, v->tx_errors, v->rx_frames, v->rx_bytes,
	       v->rx_dropped, v->arp_replies, v->echo_replies);
	hb_log("closed");
}

int vif_run(struct hb *b)
{
	struct vif v = { .b = b, .sc = SC_NONE };
	int ret = 0, r;

	if (b->sc)
		v.sc = (int)(b->sc - vif_scenarios);
	v.buf = malloc(VIF_MAX_FRAME + VIF_PAGE);
	if (!v.buf)
		hb_die("out of memory");

	if (is_sc(&v, SC_LIMITS) || is_sc(&v, SC_FEATURE_GARBAGE) || is_sc(&v, SC_AFTER_CLOSE)) {
		v.armed = true;
		hb_log("armed %s (from start)", b->sc->name);
	}
	if (handshake(&v)) {
		ret = 1;
		if (!hb_stop)
			hb_set_state(b, XenbusStateClosing);
		goto out;
	}
	while (!hb_stop) {
		int timeout = 100;

		if (b->sc)
			tick(&v);
		if ((v.storm_start && !v.done) || (v.endless_start && !v.done))
			timeout = 0;
		r = hb_wait_event(b, timeout);
		if (r < 0)
			break;
		if (v.silent || v.broken)
			continue;
		if (r > 0 || (v.storm_start && !v.done) || (v.endless_start && !v.done))
			serve(&v);
	}
out:
	vif_close(&v);
	free(v.q);
	free(v.buf);
	return ret;
}
