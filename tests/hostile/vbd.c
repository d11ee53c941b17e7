// SPDX-License-Identifier: GPL-2.0
/*
 * vbd.c - a blkif backend over a RAM disk, honest until told to lie.
 *
 * The protocol is the Xen block interface (xen/io/blkif.h) with the xenbus
 * handshake every Linux frontend expects:
 *
 *  1. We write what we offer (feature-flush-cache, feature-discard and its
 *     granularity, feature-max-indirect-segments, max-ring-page-order,
 *     multi-queue-max-queues, feature-persistent=0) and go to InitWait.
 *  2. The frontend grants its ring pages, allocates an event channel per
 *     ring and goes to Initialised.  With one queue the keys sit in its own
 *     directory, with several in queue-N/; "ring-ref" names a one-page
 *     ring, "ring-refI" (I < 1 << ring-page-order) the pages of a bigger
 *     one.  protocol must be x86_64-abi (or missing, meaning native).
 *  3. We check every value against what we offered, map each ring, bind
 *     each channel, describe the disk (sectors, info, sector-size,
 *     physical-sector-size) and go to Connected.
 *  4. Requests are served in ring order: READ, WRITE (up to 11 segments in
 *     the request, or up to our indirect limit through INDIRECT, whose
 *     pages hold arrays of blkif_request_segment), FLUSH_DISKCACHE and
 *     DISCARD.  A read maps the frontend's data pages writable, a write
 *     read-only; anything out of range is answered BLKIF_RSP_ERROR.  The
 *     response index and the notification follow the req_event/rsp_event
 *     rules of xen/io/ring.h, with a final check for requests that raced
 *     our going to sleep.
 *  5. On SIGTERM: Closing, keep serving until the frontend is Closed (at
 *     most 10 s), unmap everything, Closed, remove both directories.
 *
 * The frontend is no more trusted than it trusts us: its indexes, counts,
 * sectors and grant references are all checked before use.
 *
 * The scenarios (vbd_scenarios[] below) are the lies, one per run.
 */
#define __XEN_TOOLS__ 1		/* the current interface: xen_mb() and friends are ours */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define xen_mb()	__sync_synchronize()
#define xen_rmb()	__asm__ __volatile__("" ::: "memory")
#define xen_wmb()	__asm__ __volatile__("" ::: "memory")

#include "hostile.h"
#include <xen/io/blkif.h>
#include <xen/io/protocols.h>

#define PAGE_SZ		4096u
#define SECT_SZ		512u
#define SECTS_PER_PAGE	(PAGE_SZ / SECT_SZ)
#define DISK_SECTORS	32768ull		/* 16 MiB */
#define SEGS_PER_IND	(PAGE_SZ / sizeof(struct blkif_request_segment))
#define MAX_IND_SEGS	(SEGS_PER_IND * BLKIF_MAX_INDIRECT_PAGES_PER_REQUEST)
#define MAX_QUEUES	64
#define MAX_ORDER	4
#define NKEEP		16

enum sc_id {
	SC_ID_UNKNOWN, SC_ID_TWICE, SC_OP_UNKNOWN, SC_STATUS_UNKNOWN, SC_PROD_PAST,
	SC_PROD_BACK, SC_AFTER_CLOSE, SC_STORM, SC_SILENT, SC_LIMITS, SC_SS_ZERO,
	SC_SS_ODD, SC_SECTORS_OVF, SC_FEAT_GARBAGE, SC_CLOSED_MIDIO, SC_CONNECTED_TWICE,
	SC_INITWAIT_AGAIN, SC_NODES_REMOVED, SC_KEEP_MAPPED, SC_WRITE_RO, SC_FE_READONLY,
	SC_NONE
};

const struct scenario vbd_scenarios[] = {
	[SC_ID_UNKNOWN] = { "vbd-id-unknown", "the next response carries an id never issued" },
	[SC_ID_TWICE] = { "vbd-id-twice", "a request is answered twice, with the same id" },
	[SC_OP_UNKNOWN] = { "vbd-op-unknown", "a response with operation 0xee" },
	[SC_STATUS_UNKNOWN] = { "vbd-status-unknown", "a response with status 7" },
	[SC_PROD_PAST] = { "vbd-prod-past-ring", "rsp_prod set a ring and 3 past our responses" },
	[SC_PROD_BACK] = { "vbd-prod-backwards", "rsp_prod moved back by 2 after an answer" },
	[SC_AFTER_CLOSE] = { "vbd-after-close",
			     "on close, 3 s of responses and events after the frontend's Closed" },
	[SC_STORM] = { "vbd-storm", "100,000 empty events a second for 10 s, while serving" },
	[SC_SILENT] = { "vbd-silent", "answers nothing, sends no event, until SIGTERM" },
	[SC_LIMITS] = { "vbd-limits", "advertises ring order 4096 and 2^32-1 queues and segments" },
	[SC_SS_ZERO] = { "vbd-sector-size-zero", "sector-size=0 at connect" },
	[SC_SS_ODD] = { "vbd-sector-size-odd", "sector-size=1000 at connect" },
	[SC_SECTORS_OVF] = { "vbd-sectors-overflow", "sectors=2^64-1 at connect" },
	[SC_FEAT_GARBAGE] = { "vbd-feature-garbage", "every feature key holds garbage" },
	[SC_CLOSED_MIDIO] = { "vbd-closed-midio", "state Closed (no Closing) with requests in flight" },
	[SC_CONNECTED_TWICE] = { "vbd-connected-twice",
				 "state Connected again, sectors halved, keeps serving" },
	[SC_INITWAIT_AGAIN] = { "vbd-initwait-again", "state InitWait while Connected" },
	[SC_NODES_REMOVED] = { "vbd-nodes-removed", "the whole backend directory removed" },
	[SC_KEEP_MAPPED] = { "vbd-keep-mapped",
			     "16 reads answered with their pages kept mapped 5 s and scribbled on" },
	[SC_WRITE_RO] = { "vbd-write-ro", "16 writes' read-only data pages mapped writable" },
	[SC_FE_READONLY] = { "vbd-fe-readonly",
			     "the frontend's directory read-only for the domU before InitWait" },
	[SC_NONE] = { NULL, NULL },
};

/* One ring with its event channel. */
struct vq {
	unsigned int idx;
	void *mem;			/* the mapped shared ring */
	blkif_back_ring_t ring;
	evtchn_port_t port;
	bool broken;			/* a one-shot lie was told on it: no more service */
};

/* A read whose data pages we keep after answering (vbd-keep-mapped). */
struct kept {
	void *p;
	unsigned int n;
	double at, junked;
};

static struct vbd {
	struct hb *b;
	enum sc_id sc;
	uint8_t *disk;
	/* what we accept: the limits we advertised, or what we can serve */
	unsigned int max_order, max_queues, max_ind;
	unsigned int nq, order;
	struct vq q[MAX_QUEUES];
	bool connected, armed, done, holding, nodes_gone;
	bool disconnected, be_closed;	/* after the frontend closed by itself */
	unsigned long served, errors, max_segs_seen;
	int fe_last;
	double next_fe_check;
	/* vbd-storm */
	double storm_t0;
	unsigned long storm_sent;
	/* vbd-closed-midio */
	double hold_t0;
	/* vbd-keep-mapped */
	struct kept kept[NKEEP];
	unsigned int nkept, kept_reqs, kept_pages;
	/* vbd-write-ro */
	unsigned int ro_tries, ro_refused, ro_allowed;
	uint32_t refs[MAX_IND_SEGS];
	struct blkif_request_segment segs[MAX_IND_SEGS];
} V;

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static bool sc_is(enum sc_id s)
{
	return V.sc == s;
}

/* The scenarios whose lie is told by the handshake or by the close path. */
static bool sc_from_start(void)
{
	return sc_is(SC_AFTER_CLOSE) || sc_is(SC_LIMITS) || sc_is(SC_SS_ZERO) ||
	       sc_is(SC_SS_ODD) || sc_is(SC_SECTORS_OVF) || sc_is(SC_FEAT_GARBAGE);
}

static const char *sc_name(void)
{
	return vbd_scenarios[V.sc].name;
}

/* What xenbus_dev_fatal() in the domU left for us, if anything. */
static void log_fe_error(void)
{
	struct hb *b = V.b;
	char path[192], *s;
	unsigned int len;

	snprintf(path, sizeof(path), "/local/domain/%u/error/device/%s/%u/error", b->domid,
		 b->kind, b->devid);
	s = xs_read(b->xs, XBT_NULL, path, &len);
	if (s) {
		hb_log("frontend's error node: %s", s);
		free(s);
	}
}

/*
 * Handshake
 */

static void advertise(void)
{
	struct hb *b = V.b;

	V.max_order = 2;
	V.max_queues = 2;
	V.max_ind = 64;
	if (sc_is(SC_FEAT_GARBAGE)) {
		hb_bewrite(b, "feature-flush-cache", "yes please");
		hb_bewrite(b, "feature-discard", "-1");
		hb_bewrite(b, "discard-granularity", "0x");
		hb_bewrite(b, "discard-alignment", "0");
		hb_bewrite(b, "feature-max-indirect-segments", "99999999999999999999999");
		hb_bewrite(b, "feature-persistent", "2");
		hb_bewrite(b, "max-ring-page-order", "banana");
		hb_bewrite(b, "multi-queue-max-queues", "%s", "");
		hb_log("attacked vbd-feature-garbage: garbage in every feature key at InitWait");
		V.max_order = MAX_ORDER;
		V.max_queues = MAX_QUEUES;
		V.max_ind = MAX_IND_SEGS;
		return;
	}
	hb_bewrite(b, "feature-flush-cache", "1");
	hb_bewrite(b, "feature-discard", "1");
	hb_bewrite(b, "discard-granularity", "4096");
	hb_bewrite(b, "discard-alignment", "0");
	hb_bewrite(b, "feature-persistent", "0");
	if (sc_is(SC_LIMITS)) {
		hb_bewrite(b, "max-ring-page-order", "4096");
		hb_bewrite(b, "multi-queue-max-queues", "4294967295");
		hb_bewrite(b, "feature-max-indirect-segments", "4294967295");
		hb_log("attacked vbd-limits: ring order 4096, 2^32-1 queues and segments at InitWait");
		V.max_order = MAX_ORDER;
		V.max_queues = MAX_QUEUES;
		V.max_ind = MAX_IND_SEGS;
		return;
	}
	hb_bewrite(b, "feature-max-indirect-segments", "%u", V.max_ind);
	hb_bewrite(b, "max-ring-page-order", "%u", V.max_order);
	hb_bewrite(b, "multi-queue-max-queues", "%u", V.max_queues);
}

/*
 * vbd-fe-readonly: dom0 owns the frontend's directory from now on and the
 * domU may only read it.  The nodes already in it stay the domU's (state
 * among them), but every key its handshake adds is refused.
 */
static void fe_dir_readonly(void)
{
	struct hb *b = V.b;
	struct xs_permissions perms[2] = {
		{ .id = 0, .perms = XS_PERM_NONE },
		{ .id = b->domid, .perms = XS_PERM_READ },
	};

	if (!xs_set_permissions(b->xs, XBT_NULL, b->fe, perms, 2))
		hb_die("setting %s read-only: %s", b->fe, strerror(errno));
	V.armed = V.done = true;
	hb_log("attacked vbd-fe-readonly: %s read-only for the domU before InitWait", b->fe);
}

static void unmap_rings(void)
{
	unsigned int i;

	for (i = 0; i < V.nq; i++) {
		hb_unmap(V.b, V.q[i].mem, 1u << V.order);
		V.q[i].mem = NULL;
	}
	hb_unbind_all(V.b);
	V.nq = 0;
}

/* Read, check and map what the frontend published; false (logged) if bad. */
static bool read_rings(void)
{
	struct hb *b = V.b;
	unsigned long nq = 1, order = 0, v;
	uint32_t refs[1 << MAX_ORDER];
	char key[64], *s;
	unsigned int i, j;

	s = hb_feread(b, "protocol");
	if (s && strcmp(s, XEN_IO_PROTO_ABI_X86_64)) {
		hb_log("refused: frontend protocol \"%s\"", s);
		free(s);
		return false;
	}
	free(s);
	s = hb_feread(b, "multi-queue-num-queues");
	if (s && (hb_feread_ulong(b, "multi-queue-num-queues", &nq) || !nq ||
		  nq > V.max_queues)) {
		hb_log("refused: multi-queue-num-queues \"%s\" (we accept 1..%u)", s, V.max_queues);
		free(s);
		return false;
	}
	free(s);
	s = hb_feread(b, "ring-page-order");
	if (s && (hb_feread_ulong(b, "ring-page-order", &order) || order > V.max_order)) {
		hb_log("refused: ring-page-order \"%s\" (we accept 0..%u)", s, V.max_order);
		free(s);
		return false;
	}
	V.order = order;
	for (i = 0; i < nq; i++) {
		struct vq *q = &V.q[i];
		char dir[16] = "";

		if (nq > 1)
			snprintf(dir, sizeof(dir), "queue-%u/", i);
		for (j = 0; j < 1u << order; j++) {
			if (s)
				snprintf(key, sizeof(key), "%sring-ref%u", dir, j);
			else
				snprintf(key, sizeof(key), "%sring-ref", dir);
			if (hb_feread_ulong(b, key, &v) || v > UINT32_MAX) {
				hb_log("refused: %s missing or not a grant reference", key);
				goto bad;
			}
			refs[j] = v;
		}
		snprintf(key, sizeof(key), "%sevent-channel", dir);
		if (hb_feread_ulong(b, key, &v) || v > UINT32_MAX) {
			hb_log("refused: %s missing or not a port", key);
			goto bad;
		}
		memset(q, 0, sizeof(*q));
		q->idx = i;
		q->mem = hb_map(b, refs, 1u << order, 1);
		if (!q->mem) {
			hb_log("refused: cannot map queue %u's %u ring pages: %s", i, 1u << order,
			       strerror(errno));
			goto bad;
		}
		V.nq = i + 1;
		BACK_RING_INIT(&q->ring, (blkif_sring_t *)q->mem, PAGE_SZ << order);
		q->port = hb_bind(b, v);
	}
	free(s);
	return true;
bad:
	free(s);
	unmap_rings();
	return false;
}

/* Describe the disk and go to Connected. */
static void describe_and_connect(void)
{
	struct hb *b = V.b;

	if (sc_is(SC_SECTORS_OVF))
		hb_bewrite(b, "sectors", "18446744073709551615");
	else
		hb_bewrite(b, "sectors", "%llu", DISK_SECTORS);
	hb_bewrite(b, "info", "0");
	if (sc_is(SC_SS_ZERO))
		hb_bewrite(b, "sector-size", "0");
	else if (sc_is(SC_SS_ODD))
		hb_bewrite(b, "sector-size", "1000");
	else
		hb_bewrite(b, "sector-size", "%u", SECT_SZ);
	hb_bewrite(b, "physical-sector-size", "%u", SECT_SZ);
	hb_set_state(b, XenbusStateConnected);
	if (sc_is(SC_SS_ZERO) || sc_is(SC_SS_ODD) || sc_is(SC_SECTORS_OVF))
		hb_log("attacked %s: wrote it at connect", sc_name());
}

static bool connect_rings(void)
{
	if (!read_rings())
		return false;
	describe_and_connect();
	V.connected = true;
	hb_log("connected vbd %u (%u queue(s), ring order %u = %u page(s) of %u slots, "
	       "indirect segments up to %u)", V.b->devid, V.nq, V.order, 1u << V.order,
	       RING_SIZE(&V.q[0].ring), V.max_ind);
	return true;
}

/*
 * Requests
 */

/* Put one response on @q's ring (not yet visible). */
static void put_rsp(struct vq *q, uint64_t id, uint8_t op, int16_t st)
{
	blkif_response_t *r = RING_GET_RESPONSE(&q->ring, q->ring.rsp_prod_pvt);

	r->id = id;
	r->operation = op;
	r->status = st;
	q->ring.rsp_prod_pvt++;
}

static void push(struct vq *q, bool force)
{
	int notify;

	RING_PUSH_RESPONSES_AND_CHECK_NOTIFY(&q->ring, notify);
	if (notify || force)
		hb_notify_port(V.b, q->port);
}

static void err_req(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* A request we answer BLKIF_RSP_ERROR; the first 20 are logged. */
static void err_req(const char *fmt, ...)
{
	char buf[160];
	va_list ap;

	if (++V.errors > 20)
		return;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	hb_log("bad request from the frontend: %s (answered BLKIF_RSP_ERROR)", buf);
}

/* vbd-write-ro: the summary, after 16 writes or at close */
static void write_ro_summary(void)
{
	hb_log("vbd-write-ro: of %u writes' read-only data pages, Xen refused %u writable maps "
	       "and allowed %u", V.ro_tries, V.ro_refused, V.ro_allowed);
	V.done = true;
}

/* vbd-write-ro: try the writable map Xen must refuse; never write through it. */
static void try_write_ro(unsigned int n)
{
	void *p = hb_map(V.b, V.refs, n, 1);

	V.ro_tries++;
	if (p) {
		V.ro_allowed++;
		hb_log("Xen ALLOWED writable map of %u read-only granted page(s)", n);
		hb_unmap(V.b, p, n);
	} else {
		V.ro_refused++;
	}
	if (V.ro_tries == 1)
		hb_log("attacked vbd-write-ro: Xen refused %u writable maps (a write's %u "
		       "read-only data pages as one map)", V.ro_refused, n);
	if (V.ro_tries == NKEEP)
		write_ro_summary();
}

/* Copy between the disk and the n segments in V.segs; a BLKIF_RSP_ status. */
static int16_t do_rw(bool write, uint64_t sector, unsigned int n)
{
	uint64_t total = 0, pos;
	unsigned int i, len;
	uint8_t *p, *pg;

	if (n > V.max_segs_seen)
		V.max_segs_seen = n;
	for (i = 0; i < n; i++) {
		const struct blkif_request_segment *s = &V.segs[i];

		if (s->first_sect > s->last_sect || s->last_sect >= SECTS_PER_PAGE) {
			err_req("segment with sectors %u..%u of a page", s->first_sect, s->last_sect);
			return BLKIF_RSP_ERROR;
		}
		total += s->last_sect - s->first_sect + 1;
		V.refs[i] = s->gref;
	}
	if (sector >= DISK_SECTORS || total > DISK_SECTORS - sector) {
		err_req("sectors %llu+%llu past the disk", (unsigned long long)sector,
			(unsigned long long)total);
		return BLKIF_RSP_ERROR;
	}
	if (write && V.armed && sc_is(SC_WRITE_RO) && V.ro_tries < NKEEP)
		try_write_ro(n);
	p = hb_map(V.b, V.refs, n, !write);
	if (!p) {
		err_req("%u data pages not mappable: %s", n, strerror(errno));
		return BLKIF_RSP_ERROR;
	}
	pos = sector * SECT_SZ;
	for (i = 0; i < n; i++) {
		pg = p + (size_t)i * PAGE_SZ + V.segs[i].first_sect * SECT_SZ;
		len = (V.segs[i].last_sect - V.segs[i].first_sect + 1) * SECT_SZ;
		if (write)
			memcpy(V.disk + pos, pg, len);
		else
			memcpy(pg, V.disk + pos, len);
		pos += len;
	}
	if (!write && V.armed && sc_is(SC_KEEP_MAPPED) && V.kept_reqs < NKEEP &&
	    V.nkept < NKEEP) {
		struct kept *k = &V.kept[V.nkept++];

		k->p = p;
		k->n = n;
		k->at = k->junked = now();
		V.kept_reqs++;
		V.kept_pages += n;
		if (V.kept_reqs == 1)
			hb_log("attacked vbd-keep-mapped: answered a read of %u page(s) and kept "
			       "them mapped; 0xdb junk follows twice a second for 5 s", n);
		return BLKIF_RSP_OKAY;
	}
	hb_unmap(V.b, p, n);
	return BLKIF_RSP_OKAY;
}

static int16_t do_direct(const blkif_request_t *req)
{
	unsigned int n = req->nr_segments;

	if (!n || n > BLKIF_MAX_SEGMENTS_PER_REQUEST) {
		err_req("%u segments (max %u)", n, BLKIF_MAX_SEGMENTS_PER_REQUEST);
		return BLKIF_RSP_ERROR;
	}
	memcpy(V.segs, (const void *)req->seg, n * sizeof(V.segs[0]));
	return do_rw(req->operation == BLKIF_OP_WRITE, req->sector_number, n);
}

static int16_t do_indirect(const blkif_request_indirect_t *req)
{
	unsigned int n = req->nr_segments, pages, i;
	uint32_t grefs[BLKIF_MAX_INDIRECT_PAGES_PER_REQUEST];
	void *p;

	if (req->indirect_op != BLKIF_OP_READ && req->indirect_op != BLKIF_OP_WRITE) {
		err_req("indirect operation %u", req->indirect_op);
		return BLKIF_RSP_ERROR;
	}
	if (!n || n > V.max_ind) {
		err_req("%u indirect segments (max %u)", n, V.max_ind);
		return BLKIF_RSP_ERROR;
	}
	pages = (n + SEGS_PER_IND - 1) / SEGS_PER_IND;
	for (i = 0; i < pages; i++)
		grefs[i] = req->indirect_grefs[i];
	p = hb_map(V.b, grefs, pages, 0);
	if (!p) {
		err_req("%u indirect pages not mappable", pages);
		return BLKIF_RSP_ERROR;
	}
	memcpy(V.segs, p, n * sizeof(V.segs[0]));
	hb_unmap(V.b, p, pages);
	return do_rw(req->indirect_op == BLKIF_OP_WRITE, req->sector_number, n);
}

static int16_t do_discard(const blkif_request_discard_t *req)
{
	uint64_t s = req->sector_number, n = req->nr_sectors;

	if (s >= DISK_SECTORS || n > DISK_SECTORS - s) {
		err_req("discard of %llu+%llu past the disk", (unsigned long long)s,
			(unsigned long long)n);
		return BLKIF_RSP_ERROR;
	}
	memset(V.disk + s * SECT_SZ, 0, n * SECT_SZ);
	return BLKIF_RSP_OKAY;
}

/* The one-shot lies told in a response; true when the ring is now broken. */
static bool lie_in_response(struct vq *q, uint64_t id, uint8_t op, int16_t st)
{
	uint64_t bogus = 0xbad0000000000000ull | (V.served & 0xffff);

	switch (V.sc) {
	case SC_ID_UNKNOWN:
		put_rsp(q, bogus, op, st);
		push(q, true);
		hb_log("attacked vbd-id-unknown: wrote response id %#llx never issued (for request "
		       "id %llu) on queue %u", (unsigned long long)bogus,
		       (unsigned long long)id, q->idx);
		break;
	case SC_ID_TWICE:
		put_rsp(q, id, op, st);
		push(q, true);
		put_rsp(q, id, op, st);
		push(q, true);
		hb_log("attacked vbd-id-twice: answered request id %llu twice on queue %u",
		       (unsigned long long)id, q->idx);
		break;
	case SC_OP_UNKNOWN:
		put_rsp(q, id, 0xee, st);
		push(q, true);
		hb_log("attacked vbd-op-unknown: answered request id %llu (operation %u) with "
		       "operation 0xee on queue %u", (unsigned long long)id, op, q->idx);
		break;
	case SC_STATUS_UNKNOWN:
		put_rsp(q, id, op, 7);
		push(q, true);
		hb_log("attacked vbd-status-unknown: answered request id %llu with status 7 on "
		       "queue %u", (unsigned long long)id, q->idx);
		break;
	case SC_PROD_BACK:
		put_rsp(q, id, op, st);
		push(q, true);
		xen_wmb();
		q->ring.sring->rsp_prod = q->ring.rsp_prod_pvt - 2;
		xen_mb();
		hb_notify_port(V.b, q->port);
		hb_log("attacked vbd-prod-backwards: answered id %llu, then moved rsp_prod back "
		       "from %u to %u on queue %u", (unsigned long long)id, q->ring.rsp_prod_pvt,
		       q->ring.rsp_prod_pvt - 2, q->idx);
		break;
	default:
		return false;
	}
	V.done = true;
	q->broken = true;
	return true;
}

static void handle(struct vq *q, const blkif_request_t *req)
{
	uint8_t op = req->operation, rop = op;
	int16_t st;

	switch (op) {
	case BLKIF_OP_READ:
	case BLKIF_OP_WRITE:
		st = do_direct(req);
		break;
	case BLKIF_OP_INDIRECT:
		rop = ((const blkif_request_indirect_t *)req)->indirect_op;
		st = do_indirect((const blkif_request_indirect_t *)req);
		break;
	case BLKIF_OP_FLUSH_DISKCACHE:
		st = BLKIF_RSP_OKAY;	/* a RAM disk has no volatile cache */
		break;
	case BLKIF_OP_DISCARD:
		st = do_discard((const blkif_request_discard_t *)req);
		break;
	default:
		err_req("operation %u not supported", op);
		st = BLKIF_RSP_EOPNOTSUPP;
		break;
	}
	V.served++;
	if (V.armed && !V.done && lie_in_response(q, req->id, rop, st))
		return;
	put_rsp(q, req->id, rop, st);
}

/* Serve every request on @q; the ring's final check ends the batch. */
static void serve_queue(struct vq *q)
{
	blkif_back_ring_t *r = &q->ring;
	blkif_request_t req;
	RING_IDX rp;
	int more;

	if (!q->mem || q->broken || V.holding)
		return;
	do {
		rp = r->sring->req_prod;
		xen_rmb();
		if (RING_REQUEST_PROD_OVERFLOW(r, rp)) {
			hb_log("frontend's req_prod %u is more than a ring past our responses (%u) "
			       "on queue %u: queue no longer served", rp, r->rsp_prod_pvt, q->idx);
			q->broken = true;
			return;
		}
		while (r->req_cons != rp && !RING_REQUEST_CONS_OVERFLOW(r, r->req_cons)) {
			RING_COPY_REQUEST(r, r->req_cons, &req);
			r->req_cons++;
			handle(q, &req);
			if (q->broken)
				return;
		}
		push(q, false);
		RING_FINAL_CHECK_FOR_REQUESTS(r, more);
	} while (more);
}

static void serve_all(void)
{
	unsigned int i;

	for (i = 0; i < V.nq; i++)
		serve_queue(&V.q[i]);
}

static unsigned int pending_requests(void)
{
	unsigned int i, n = 0;

	for (i = 0; i < V.nq; i++)
		if (V.q[i].mem)
			n += V.q[i].ring.sring->req_prod - V.q[i].ring.req_cons;
	return n;
}

/*
 * The lies that are not in a response
 */

static void release_kept(bool all)
{
	bool released = false;
	double t = now();
	unsigned int i;

	for (i = 0; i < V.nkept; i++) {
		struct kept *k = &V.kept[i];

		if (!all && t - k->at < 5.0) {
			if (t - k->junked >= 0.5) {
				memset(k->p, 0xdb, (size_t)k->n * PAGE_SZ);
				k->junked = t;
			}
			continue;
		}
		hb_unmap(V.b, k->p, k->n);
		released = true;
		hb_log("vbd-keep-mapped: released %u page(s) after %.1f s", k->n, t - k->at);
		V.kept[i--] = V.kept[--V.nkept];
	}
	if (released && V.kept_reqs && !V.nkept && !V.done) {
		hb_log("vbd-keep-mapped: kept %u pages of %u reads mapped so far, all released",
		       V.kept_pages, V.kept_reqs);
		if (V.kept_reqs >= NKEEP || all)
			V.done = true;
	}
}

static void break_all(void)
{
	unsigned int i;

	for (i = 0; i < V.nq; i++)
		V.q[i].broken = true;
}

static void arm(void)
{
	struct vq *q = &V.q[0];

	V.armed = true;
	hb_log("armed %s (%s, %lu requests served)", sc_name(),
	       hb_armed ? "SIGUSR1" : "--after", V.served);
	switch (V.sc) {
	case SC_PROD_PAST: {
		RING_IDX bad = q->ring.rsp_prod_pvt + RING_SIZE(&q->ring) + 3;

		xen_wmb();
		q->ring.sring->rsp_prod = bad;
		xen_mb();
		hb_notify_port(V.b, q->port);
		hb_log("attacked vbd-prod-past-ring: rsp_prod set to %u (our responses end at %u, "
		       "ring of %u) on queue 0", bad, q->ring.rsp_prod_pvt, RING_SIZE(&q->ring));
		q->broken = true;
		V.done = true;
		break;
	}
	case SC_STORM:
		V.storm_t0 = now();
		break;
	case SC_SILENT:
		V.holding = true;
		hb_log("attacked vbd-silent: answering nothing and sending no event from now on");
		V.done = true;
		break;
	case SC_CLOSED_MIDIO:
		V.holding = true;
		V.hold_t0 = now();
		break;
	case SC_CONNECTED_TWICE:
		hb_bewrite(V.b, "sectors", "%llu", DISK_SECTORS / 2);
		hb_set_state(V.b, XenbusStateConnected);
		hb_log("attacked vbd-connected-twice: sectors %llu, state Connected written again",
		       DISK_SECTORS / 2);
		V.done = true;
		break;
	case SC_INITWAIT_AGAIN:
		hb_set_state(V.b, XenbusStateInitWait);
		hb_log("attacked vbd-initwait-again: state InitWait written while Connected");
		V.done = true;
		break;
	case SC_NODES_REMOVED:
		xs_rm(V.b->xs, XBT_NULL, V.b->be);
		V.nodes_gone = true;
		break_all();
		hb_log("attacked vbd-nodes-removed: removed %s, rings stay mapped", V.b->be);
		V.done = true;
		break;
	default:
		break;
	}
}

/* vbd-storm: events at 100,000/s for 10 s, in bursts between services. */
static void storm_tick(void)
{
	double t = now() - V.storm_t0;
	unsigned long want = t * 100000, n;
	unsigned int i;

	if (t >= 10.0) {
		hb_log("attacked vbd-storm: sent %lu empty events in %.1f s (%.0f/s) while serving",
		       V.storm_sent, t, V.storm_sent / t);
		V.done = true;
		return;
	}
	for (n = 0; V.storm_sent < want && n < 2000; n++, V.storm_sent++)
		for (i = 0; i < V.nq; i++)
			hb_notify_port(V.b, V.q[i].port);
}

static void closed_midio_tick(void)
{
	unsigned int n = pending_requests();

	if (!n && now() - V.hold_t0 < 5.0)
		return;
	hb_set_state(V.b, XenbusStateClosed);
	hb_log("attacked vbd-closed-midio: wrote state Closed (no Closing) with %u request(s) "
	       "unanswered; rings stay mapped", n);
	break_all();
	V.done = true;
}

static const char *state_name(int s)
{
	static const char *const names[] = { "Unknown", "Initialising", "InitWait",
		"Initialised", "Connected", "Closing", "Closed", "Reconfiguring",
		"Reconfigured" };

	return s >= 0 && s < 9 ? names[s] : "unreadable";
}

/* Follow the frontend's state; reconnect if it publishes new rings. */
static void fe_check(void)
{
	int s = hb_fe_state(V.b);

	if (s == V.fe_last)
		return;
	hb_log("frontend state %s (%d), was %s", state_name(s), s, state_name(V.fe_last));
	if (s == XenbusStateClosing || s == XenbusStateClosed)
		log_fe_error();
	V.fe_last = s;
	if (V.nodes_gone)
		return;
	/*
	 * The frontend gave up on us (or unplugs): disconnect as a backend
	 * does, unless the scenario wants the rings held until SIGTERM.
	 */
	if ((s == XenbusStateClosing || s == XenbusStateClosed) && V.nq &&
	    !sc_is(SC_AFTER_CLOSE) && !sc_is(SC_CLOSED_MIDIO)) {
		hb_log("frontend is closing: unmapping %u ring(s), state Closing", V.nq);
		unmap_rings();
		V.disconnected = true;
		hb_set_state(V.b, XenbusStateClosing);
	}
	if (s == XenbusStateClosed && V.disconnected && !V.be_closed) {
		hb_set_state(V.b, XenbusStateClosed);
		V.be_closed = true;
	}
	if (s == XenbusStateInitialising && V.disconnected) {
		hb_log("frontend starts over: state InitWait");
		V.disconnected = V.be_closed = false;
		hb_set_state(V.b, XenbusStateInitWait);
	}
	if (s == XenbusStateInitialised) {
		hb_log("frontend published new rings: reconnecting");
		release_kept(true);
		unmap_rings();
		if (!connect_rings()) {
			hb_set_state(V.b, XenbusStateClosing);
			return;
		}
		V.holding = false;
	}
}

/*
 * Close
 */

/* vbd-after-close: plausible responses on rings the frontend has let go. */
static void after_close(void)
{
	struct timespec ts = { 0, 10000000 };
	double t0 = now();
	unsigned long n = 0;
	unsigned int i;

	hb_log("vbd-after-close: 3 s of responses and events now that the frontend closed");
	while (now() - t0 < 3.0) {
		for (i = 0; i < V.nq; i++) {
			struct vq *q = &V.q[i];

			if (!q->mem)
				continue;
			put_rsp(q, n % RING_SIZE(&q->ring), BLKIF_OP_READ, BLKIF_RSP_OKAY);
			push(q, true);
			n++;
		}
		nanosleep(&ts, NULL);
	}
	hb_log("attacked vbd-after-close: wrote %lu responses and as many events after the "
	       "frontend's Closed", n);
}

static int close_device(void)
{
	struct hb *b = V.b;
	double t0;
	int s = -1;

	hb_log("closing: served %lu requests (%lu bad), largest request %lu segments",
	       V.served, V.errors, V.max_segs_seen);
	if (V.holding)
		hb_log("%u request(s) left unanswered on the rings", pending_requests());
	hb_stop = 0;	/* a second signal cuts the wait short */
	if (!V.nodes_gone && !V.be_closed)
		hb_set_state(b, XenbusStateClosing);
	t0 = now();
	while (!hb_stop && now() - t0 < 10.0) {
		s = hb_fe_state(b);
		if (s == XenbusStateClosed || s < 0)
			break;
		if (V.connected)
			serve_all();
		hb_wait_event(b, 20);
	}
	hb_log("frontend state %s after %.1f s of Closing", state_name(s), now() - t0);
	if (sc_is(SC_AFTER_CLOSE) && V.nq)
		after_close();
	release_kept(true);
	if (sc_is(SC_WRITE_RO) && V.ro_tries && !V.done)
		write_ro_summary();
	unmap_rings();
	if (!V.nodes_gone && !V.be_closed)
		hb_set_state(b, XenbusStateClosed);
	hb_remove(b);
	hb_log("served %lu requests", V.served);
	hb_log("closed");
	/* vbd-fe-readonly's frontend cannot connect: that is its lie's end */
	return V.connected || sc_is(SC_FE_READONLY) ? 0 : 1;
}

int vbd_run(struct hb *b)
{
	static const char *const fe_kv[] = { "virtual-device", NULL, "device-type", "disk",
					      NULL };
	const char *kv[5];
	char vdev[16];
	bool ok;
	int s;

	V.b = b;
	V.sc = b->sc ? (enum sc_id)(b->sc - vbd_scenarios) : SC_NONE;
	V.fe_last = -2;
	V.disk = calloc(DISK_SECTORS, SECT_SZ);
	if (!V.disk)
		hb_die("no memory for the RAM disk");
	snprintf(vdev, sizeof(vdev), "%u", b->devid);
	memcpy(kv, fe_kv, sizeof(kv));
	kv[1] = vdev;
	hb_create(b, kv);
	if (sc_is(SC_FE_READONLY))
		fe_dir_readonly();
	if (b->sc && sc_from_start()) {
		V.armed = true;
		hb_log("armed %s (from start)", sc_name());
	}
	advertise();
	hb_set_state(b, XenbusStateInitWait);

	s = hb_wait_fe(b, 1u << XenbusStateInitialised | 1u << XenbusStateConnected |
			  1u << XenbusStateClosing | 1u << XenbusStateClosed, 120000);
	if (s == XenbusStateInitialised || s == XenbusStateConnected) {
		ok = connect_rings();
		if (sc_is(SC_LIMITS) || sc_is(SC_FEAT_GARBAGE))
			hb_log("%s: frontend picked %u queue(s), ring order %u", sc_name(), V.nq,
			       V.order);
		if (!ok)
			hb_set_state(b, XenbusStateClosing);
	} else if (s >= 0) {
		hb_log("frontend went to %s before connecting", state_name(s));
		log_fe_error();
	} else if (!hb_stop) {
		hb_log("frontend never published its rings");
	}
	V.fe_last = s;

	while (!hb_stop) {
		evtchn_port_t port;
		int timeout = V.storm_t0 && !V.done ? 0 : 50;
		double t;

		if (hb_wait_event_port(b, timeout, &port) > 0)
			while (hb_wait_event_port(b, 0, &port) > 0)
				;
		if (V.nq && b->sc && !V.armed &&
		    (hb_armed || V.served >= b->after))
			arm();
		if (V.connected)
			serve_all();
		if (V.armed && !V.done) {
			if (sc_is(SC_STORM))
				storm_tick();
			else if (sc_is(SC_CLOSED_MIDIO))
				closed_midio_tick();
		}
		if (V.nkept)
			release_kept(false);
		t = now();
		if (t >= V.next_fe_check) {
			V.next_fe_check = t + 0.2;
			fe_check();
		}
	}
	return close_device();
}
