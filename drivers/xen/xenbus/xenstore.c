// SPDX-License-Identifier: GPL-2.0
/*
 * xenstore.c - a PV domU's connection to xenstored.
 *
 * xenstore is the small tree of named values through which a domain
 * learns its configuration and meets its backends.  The daemon serving it,
 * xenstored, runs in dom0; a PV domU talks to it over one page of its own
 * memory, named in start_info (store_mfn), plus an event channel
 * (store_evtchn).  The page (struct xenstore_domain_interface) holds two
 * byte rings of XENSTORE_RING_SIZE: "req" carries our requests, "rsp" the
 * replies and watch events.  Each ring has a producer and a consumer index
 * that run freely and wrap at 2^32; we own req_prod and rsp_cons, xenstored
 * the other two.  After moving either index we kick xenstored through the
 * event channel, and it kicks us back.
 *
 * Every message, either way, is a struct xsd_sockmsg header followed by
 * hdr.len (at most XENSTORE_PAYLOAD_MAX) bytes of payload, usually
 * NUL-terminated strings.  A reply echoes its request's req_id, so many
 * requests may be in flight at once; a reply of type XS_ERROR carries an
 * error name ("ENOENT").  XS_WATCH_EVENT messages come unasked, carrying
 * "path\0token\0" for a watch we registered with XS_WATCH(path, token).
 *
 * Threads.  One kernel thread, "xenbus", does all ring I/O: it writes
 * queued requests as the request ring has room, reads whole messages off
 * the response ring, hands each reply to the request waiting for it (by
 * req_id) and each watch event to the watch queue.  The interrupt handler
 * only wakes it.  A thread rather than the interrupt handler plus a work
 * item: it owns the ring alone (no lock around the page, the half-read
 * message or the half-written request), it may allocate a 4 KiB reply
 * buffer, and xs_suspend() can stop it with kthread_park() and find it
 * between two steps.  Both threads allocate as if with GFP_NOIO
 * (memalloc_noio_save()): reclaim that waited for a disk write could wait
 * on a blkfront that needs xenstore, and so on these very threads.  A
 * second thread, "xenwatch", runs the watch callbacks, one at a time, in
 * process context with no lock held, so a callback may itself use
 * xenstore; the I/O thread never waits for it.
 *
 * The other end is not trusted.  We keep our own copies of the indexes we
 * own, read xenstored's once per step, and take a distance of more than a
 * ring, or a header announcing more than XENSTORE_PAYLOAD_MAX, to mean the
 * connection is broken: we say so once, fail every request with -EIO and
 * leave the ring alone until the next resume.  A reply nobody waits for
 * and an event for no watch of ours are dropped.
 *
 * Suspend.  xs_suspend() closes the gate described in xenstore.h, waits
 * until no request is in flight and no kernel transaction is open, and
 * parks the I/O thread.  After a real save/restore or migration, xenstored
 * is a new connection: xs_resume() reads the (new) event channel from
 * start_info, moves our interrupt to it, forgets anything half-read, sends
 * XS_WATCH again for every registered watch (xenstored fires each once, as
 * on registration), and opens the gate.  The ring page stays at the same
 * guest frame, so its address does not change.  xs_suspend_cancel() just
 * reopens the gate: the connection is the one we had.  So does
 * xs_resume() when the event channel layer still holds our binding, which
 * only happens if the domain was not suspended after all.
 *
 * Left out: HVM and PVH guests and dom0 (the initcall returns -ENODEV
 * there), the XENSTORE_SERVER_FEATURE_RECONNECTION protocol, and
 * XS_RESET_WATCHES at boot: it only matters for a kernel started by kexec
 * from one that left watches behind, and this port has no kexec.
 */

#define pr_fmt(fmt) "xen-xenstore: " fmt

#include <linux/completion.h>
#include <linux/init.h>
#include <linux/interrupt.h>
#include <linux/kernel.h>
#include <linux/kstrtox.h>
#include <linux/kthread.h>
#include <linux/minmax.h>
#include <linux/mutex.h>
#include <linux/notifier.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/string.h>
#include <linux/wait.h>

#include <asm/barrier.h>
#include <asm/xen/hypercall.h>
#include <asm/xen/hypervisor.h>
#include <asm/xen/page.h>

#include <xen/events.h>
#include <xen/xen.h>
#include <xen/xenbus.h>
#include <xen/interface/hvm/hvm_op.h>
#include <xen/interface/hvm/params.h>

#include "xenstore.h"

#define XS_HDR_LEN	((unsigned int)sizeof(struct xsd_sockmsg))
#define XS_TOKEN_LEN	(2 * sizeof(long) + 1)	/* a watch's address in hex */

static_assert((XENSTORE_RING_SIZE & (XENSTORE_RING_SIZE - 1)) == 0);

int xenstored_ready;
EXPORT_SYMBOL_GPL(xenstored_ready);
struct xenstore_domain_interface *xen_store_interface;
EXPORT_SYMBOL_GPL(xen_store_interface);
int xen_store_evtchn;
EXPORT_SYMBOL_GPL(xen_store_evtchn);

/*
 * xs_lock guards the gate, the two request lists, xs_broken and
 * xs_next_id.  The ring itself, xs_out and xs_in belong to the I/O thread
 * (and to xs_resume() while that thread is parked).
 */
enum xs_gate_state { XS_GATE_OPEN, XS_GATE_DRAINING, XS_GATE_CLOSED };

static DEFINE_SPINLOCK(xs_lock);
static enum xs_gate_state xs_gate;
static unsigned int xs_holds;		/* requests + kernel transactions */
static DECLARE_WAIT_QUEUE_HEAD(xs_gate_wq);
static LIST_HEAD(xs_send_queue);	/* not yet written */
static LIST_HEAD(xs_sent_list);		/* written, awaiting a reply */
static bool xs_connected;
static bool xs_broken;
static u32 xs_next_id;

static struct xs_ring xs_ring;
static struct xs_reader xs_in;
static struct xs_req *xs_out;		/* being written */
static struct task_struct *xs_io_task;
static DECLARE_WAIT_QUEUE_HEAD(xs_io_wq);
static int xs_irq;

/*
 * Watches.  xs_watch_lock guards the list of registered watches, the event
 * queue, every watch's nr_pending and xs_watch_running.  The list only
 * changes while the changer holds the gate, so xs_resume() (gate closed)
 * may walk it without the lock while it sends requests.
 */
struct xs_event {
	struct list_head list;
	struct xenbus_watch *watch;
	const char *path;
	const char *token;
	char *body;			/* holds path and token */
};

static DEFINE_SPINLOCK(xs_watch_lock);
static LIST_HEAD(xs_watches);
static LIST_HEAD(xs_events);
static struct xenbus_watch *xs_watch_running;
static DECLARE_WAIT_QUEUE_HEAD(xs_event_wq);
static DECLARE_WAIT_QUEUE_HEAD(xs_watch_idle_wq);
static struct task_struct *xs_watch_task;

static DEFINE_MUTEX(xs_notify_mutex);
static BLOCKING_NOTIFIER_HEAD(xs_notify_chain);

/* ---- pure helpers: ring copies, framing, error names, payloads ---- */

/**
 * xs_ring_attach - take up a ring page as it stands
 * @r: our view of the ring
 * @intf: the shared page
 *
 * Loads the indexes we own from the page and skips whatever unread bytes
 * the response ring holds: they belong to an earlier connection.
 *
 * Return: the number of bytes skipped.
 */
unsigned int xs_ring_attach(struct xs_ring *r,
			    struct xenstore_domain_interface *intf)
{
	XENSTORE_RING_IDX prod;
	unsigned int stale;

	r->intf = intf;
	r->req_prod = READ_ONCE(intf->req_prod);
	r->rsp_cons = READ_ONCE(intf->rsp_cons);
	prod = READ_ONCE(intf->rsp_prod);
	stale = prod - r->rsp_cons;
	if (stale) {
		r->rsp_cons = prod;
		WRITE_ONCE(intf->rsp_cons, prod);
	}
	return stale;
}

/**
 * xs_ring_write - copy bytes into the request ring, as many as fit
 * @r: our view of the ring
 * @data: the bytes
 * @len: how many
 *
 * Return: the number of bytes written (0 if the ring is full), or -EIO if
 * xenstored's consumer index is impossible.
 */
int xs_ring_write(struct xs_ring *r, const void *data, unsigned int len)
{
	XENSTORE_RING_IDX cons = READ_ONCE(r->intf->req_cons);
	XENSTORE_RING_IDX prod = r->req_prod;
	unsigned int used = prod - cons, off, n, first;

	if (used > XENSTORE_RING_SIZE)
		return -EIO;
	n = min(len, XENSTORE_RING_SIZE - used);
	if (!n)
		return 0;
	virt_mb();	/* read req_cons before reusing the space it freed */
	off = MASK_XENSTORE_IDX(prod);
	first = min(n, XENSTORE_RING_SIZE - off);
	memcpy(r->intf->req + off, data, first);
	memcpy(r->intf->req, data + first, n - first);
	virt_wmb();	/* the bytes before the index that publishes them */
	r->req_prod = prod + n;
	WRITE_ONCE(r->intf->req_prod, r->req_prod);
	return n;
}

/**
 * xs_ring_read - copy bytes out of the response ring, as many as are there
 * @r: our view of the ring
 * @data: where to put them
 * @len: at most this many
 *
 * Return: the number of bytes read (0 if the ring is empty), or -EIO if
 * xenstored's producer index is impossible.
 */
int xs_ring_read(struct xs_ring *r, void *data, unsigned int len)
{
	XENSTORE_RING_IDX prod = READ_ONCE(r->intf->rsp_prod);
	XENSTORE_RING_IDX cons = r->rsp_cons;
	unsigned int avail = prod - cons, off, n, first;

	if (avail > XENSTORE_RING_SIZE)
		return -EIO;
	n = min(len, avail);
	if (!n)
		return 0;
	virt_rmb();	/* read rsp_prod before the bytes it publishes */
	off = MASK_XENSTORE_IDX(cons);
	first = min(n, XENSTORE_RING_SIZE - off);
	memcpy(data, r->intf->rsp + off, first);
	memcpy(data + first, r->intf->rsp, n - first);
	virt_mb();	/* done reading before handing the space back */
	r->rsp_cons = cons + n;
	WRITE_ONCE(r->intf->rsp_cons, r->rsp_cons);
	return n;
}

/**
 * xs_writer_step - write as much of a request as the ring takes
 * @r: our view of the ring
 * @req: the request; req->sent counts the bytes already written
 *
 * Return: 1 when the whole message is written, 0 when the ring filled up
 * first, -EIO when the ring is broken.
 */
int xs_writer_step(struct xs_ring *r, struct xs_req *req)
{
	unsigned int total = XS_HDR_LEN + req->hdr.len;
	int n;

	while (req->sent < total) {
		if (req->sent < XS_HDR_LEN)
			n = xs_ring_write(r, (const char *)&req->hdr + req->sent,
					  XS_HDR_LEN - req->sent);
		else
			n = xs_ring_write(r, (const char *)req->payload +
					  (req->sent - XS_HDR_LEN),
					  total - req->sent);
		if (n <= 0)
			return n;
		req->sent += n;
	}
	return 1;
}

/**
 * xs_reader_step - read as much of the next message as the ring holds
 * @rd: the message being assembled
 * @r: our view of the ring
 *
 * Once the header is in, its length is checked and a buffer of len + 1
 * bytes allocated; if that fails the payload is read and thrown away,
 * leaving rd->body NULL.  A whole message's payload is NUL-terminated.
 *
 * Return: 1 when a whole message is in @rd (the caller takes rd->body and
 * calls xs_reader_reset()), 0 when the ring ran dry first, -EIO when the
 * ring is broken, -E2BIG when the header announces too long a payload.
 */
int xs_reader_step(struct xs_reader *rd, struct xs_ring *r)
{
	char scratch[64];
	unsigned int want;
	int n;

	while (rd->got < XS_HDR_LEN) {
		n = xs_ring_read(r, (char *)&rd->hdr + rd->got,
				 XS_HDR_LEN - rd->got);
		if (n <= 0)
			return n;
		rd->got += n;
	}
	if (!rd->sized) {
		if (!xs_msg_len_ok(&rd->hdr))
			return -E2BIG;
		rd->body = kmalloc(rd->hdr.len + 1, GFP_KERNEL);
		rd->sized = true;
	}
	while (rd->got < XS_HDR_LEN + rd->hdr.len) {
		want = XS_HDR_LEN + rd->hdr.len - rd->got;
		if (rd->body)
			n = xs_ring_read(r, rd->body + rd->got - XS_HDR_LEN,
					 want);
		else
			n = xs_ring_read(r, scratch, min_t(unsigned int, want,
							   sizeof(scratch)));
		if (n <= 0)
			return n;
		rd->got += n;
	}
	if (rd->body)
		rd->body[rd->hdr.len] = '\0';
	return 1;
}

/* Start on the next message; rd->body must have been taken or freed. */
void xs_reader_reset(struct xs_reader *rd)
{
	rd->got = 0;
	rd->sized = false;
	rd->body = NULL;
}

/* Is a header's payload length within the protocol's bound? */
bool xs_msg_len_ok(const struct xsd_sockmsg *hdr)
{
	return hdr->len <= XENSTORE_PAYLOAD_MAX;
}

/* xs_wire.h's table of error names lacks one that newer xenstoreds send. */
static const struct xsd_errors xs_more_errors[] = {
	{ EPERM, "EPERM" },
};

static const struct xsd_errors *xs_error_at(unsigned int i)
{
	if (i < ARRAY_SIZE(xsd_errors))
		return &xsd_errors[i];
	i -= ARRAY_SIZE(xsd_errors);
	return i < ARRAY_SIZE(xs_more_errors) ? &xs_more_errors[i] : NULL;
}

/**
 * xs_errno_from_name - the errno an XS_ERROR reply names
 * @name: the reply's payload, NUL-terminated
 *
 * Return: the (positive) errno, or 0 if the name is not one xenstored uses.
 */
int xs_errno_from_name(const char *name)
{
	const struct xsd_errors *e;
	unsigned int i;

	for (i = 0; (e = xs_error_at(i)); i++)
		if (!strcmp(name, e->errstring))
			return e->errnum;
	return 0;
}

/**
 * xs_errno_name - the name an XS_ERROR message uses for an errno
 * @err: the errno, positive or negative
 *
 * Return: its name, or "EINVAL" for one the protocol has no name for.
 */
const char *xs_errno_name(int err)
{
	const struct xsd_errors *e;
	unsigned int i;

	if (err < 0)
		err = -err;
	for (i = 0; (e = xs_error_at(i)); i++)
		if (e->errnum == err)
			return e->errstring;
	return "EINVAL";
}

/**
 * xs_reply_errno - judge a reply to a request of a given type
 * @type: the request's type
 * @reply: the reply's header
 * @body: the reply's payload, NUL-terminated
 *
 * Return: 0 for a reply of the request's own type; the errno an XS_ERROR
 * reply names, negated (-EINVAL for a name we do not know); -EIO for a
 * reply of any other type.
 */
int xs_reply_errno(u32 type, const struct xsd_sockmsg *reply,
		   const char *body)
{
	int err;

	if (reply->type == XS_ERROR) {
		err = xs_errno_from_name(body);
		return err ? -err : -EINVAL;
	}
	return reply->type == type ? 0 : -EIO;
}

/**
 * xs_split_pair - find two NUL-terminated strings at the start of a payload
 * @buf: the payload
 * @len: its length; nothing past it is looked at
 * @first: set to the first string
 * @second: set to the second string
 *
 * Used for watch events ("path\0token\0") and for XS_WATCH and XS_UNWATCH
 * requests from userspace, which have the same shape.  Bytes after the
 * second NUL are ignored.
 *
 * Return: 0, or -EINVAL if either string lacks its NUL within @len.
 */
int xs_split_pair(const char *buf, unsigned int len,
		  const char **first, const char **second)
{
	unsigned int n1, n2;

	n1 = strnlen(buf, len);
	if (n1 == len)
		return -EINVAL;
	n2 = strnlen(buf + n1 + 1, len - n1 - 1);
	if (n2 == len - n1 - 1)
		return -EINVAL;
	*first = buf;
	*second = buf + n1 + 1;
	return 0;
}

/**
 * xs_count_strings - count the names in an XS_DIRECTORY reply
 * @buf: the payload, with a NUL at buf[len] beyond it
 * @len: its length
 *
 * The names are NUL-separated; an unterminated last one counts (the NUL
 * at buf[len] ends it) and empty ones do not.
 *
 * Return: the number of non-empty names.
 */
unsigned int xs_count_strings(const char *buf, unsigned int len)
{
	unsigned int n = 0, i;

	for (i = 0; i < len; i++)
		if (buf[i] && (i + 1 == len || !buf[i + 1]))
			n++;
	return n;
}

/* ---- the gate ---- */

static bool xs_gate_try_enter(bool held)
{
	bool ok;

	spin_lock(&xs_lock);
	ok = xs_gate == XS_GATE_OPEN ||
	     (held && xs_gate == XS_GATE_DRAINING);
	if (ok)
		xs_holds++;
	spin_unlock(&xs_lock);
	return ok;
}

static void xs_gate_enter(bool held)
{
	wait_event(xs_gate_wq, xs_gate_try_enter(held));
}

static void xs_gate_leave(void)
{
	bool idle;

	spin_lock(&xs_lock);
	if (!WARN_ON_ONCE(!xs_holds))
		xs_holds--;
	idle = !xs_holds;
	spin_unlock(&xs_lock);
	if (idle)
		wake_up_all(&xs_gate_wq);
}

static bool xs_gate_try_close(void)
{
	bool ok;

	spin_lock(&xs_lock);
	ok = !xs_holds;
	if (ok)
		xs_gate = XS_GATE_CLOSED;
	spin_unlock(&xs_lock);
	return ok;
}

static void xs_gate_set(enum xs_gate_state state)
{
	spin_lock(&xs_lock);
	xs_gate = state;
	spin_unlock(&xs_lock);
	wake_up_all(&xs_gate_wq);
}

/* A kernel transaction holds the gate from its start to its end. */
void xs_txn_hold(void)
{
	xs_gate_enter(false);
}

void xs_txn_release(void)
{
	xs_gate_leave();
}

/* ---- requests ---- */

static void xs_finish(struct xs_req *req)
{
	if (!(req->flags & XSQ_BYPASS))
		xs_gate_leave();
	req->done(req);
}

/**
 * xs_queue - send a request to xenstored
 * @req: the request (see xenstore.h)
 * @flags: XSQ_HELD inside a kernel transaction, XSQ_BYPASS from resume
 *
 * Waits while a suspend is under way, unless @flags says otherwise.
 *
 * Return: 0 if @req is queued (req->done() will be called), -E2BIG if its
 * payload is too long, -ENODEV if there is no xenstore, -EIO if the
 * connection is broken.
 */
int xs_queue(struct xs_req *req, unsigned int flags)
{
	int err = 0;

	if (!xs_msg_len_ok(&req->hdr))
		return -E2BIG;
	if (!(flags & XSQ_BYPASS))
		xs_gate_enter(flags & XSQ_HELD);

	req->flags = flags;
	req->sent = 0;
	req->err = 0;
	req->body = NULL;
	spin_lock(&xs_lock);
	if (!xs_connected) {
		err = -ENODEV;
	} else if (xs_broken) {
		err = -EIO;
	} else {
		req->hdr.req_id = xs_next_id++;
		list_add_tail(&req->list, &xs_send_queue);
	}
	spin_unlock(&xs_lock);

	if (err) {
		if (!(flags & XSQ_BYPASS))
			xs_gate_leave();
		return err;
	}
	wake_up(&xs_io_wq);
	return 0;
}

struct xs_sync {
	struct xs_req req;
	struct completion done;
};

static void xs_sync_done(struct xs_req *req)
{
	complete(&container_of(req, struct xs_sync, req)->done);
}

/**
 * xs_call - send a request and wait for its reply
 * @tx_id: the transaction, or 0
 * @type: the request type
 * @vec: the pieces of the payload
 * @nvec: how many
 * @flags: as for xs_queue()
 * @body: if not NULL, set to the reply's payload (NUL-terminated; kfree it)
 * @len: if not NULL, set to the reply's length, without the added NUL
 *
 * Return: 0, or -errno: xenstored's error, or one of xs_queue()'s, or
 * -ENOMEM, or -EIO for a reply of the wrong type.
 */
int xs_call(u32 tx_id, enum xsd_sockmsg_type type,
	    const struct kvec *vec, unsigned int nvec, unsigned int flags,
	    char **body, unsigned int *len)
{
	struct xs_sync sync = {};
	size_t total = 0, off = 0;
	unsigned int i;
	char *buf;
	int err;

	for (i = 0; i < nvec; i++)
		total += vec[i].iov_len;
	if (total > XENSTORE_PAYLOAD_MAX)
		return -E2BIG;
	buf = kmalloc(total ?: 1, GFP_KERNEL);
	if (!buf)
		return -ENOMEM;
	for (i = 0; i < nvec; i++) {
		memcpy(buf + off, vec[i].iov_base, vec[i].iov_len);
		off += vec[i].iov_len;
	}

	sync.req.hdr.type = type;
	sync.req.hdr.tx_id = tx_id;
	sync.req.hdr.len = total;
	sync.req.payload = buf;
	sync.req.done = xs_sync_done;
	init_completion(&sync.done);
	err = xs_queue(&sync.req, flags);
	if (err)
		goto out;
	wait_for_completion(&sync.done);

	err = sync.req.err;
	if (!err) {
		u32 rtype = sync.req.reply.type;

		err = xs_reply_errno(type, &sync.req.reply, sync.req.body);
		if (rtype != XS_ERROR && rtype != type)
			pr_warn_ratelimited("reply of type %u to a request of type %u\n",
					    rtype, type);
		else if (rtype == XS_ERROR && !xs_errno_from_name(sync.req.body))
			pr_warn_ratelimited("unknown error \"%.16s\" taken as EINVAL\n",
					    sync.req.body);
	}
	if (!err && body) {
		*body = sync.req.body;
		if (len)
			*len = sync.req.reply.len;
	} else {
		kfree(sync.req.body);
	}
out:
	kfree(buf);
	return err;
}

/* ---- watches ---- */

static void xs_watch_token(const struct xenbus_watch *watch, char *token)
{
	snprintf(token, XS_TOKEN_LEN, "%lx", (unsigned long)watch);
}

static struct xenbus_watch *xs_find_watch(const char *token)
{
	struct xenbus_watch *watch;
	unsigned long key;

	if (kstrtoul(token, 16, &key))
		return NULL;
	list_for_each_entry(watch, &xs_watches, list)
		if ((unsigned long)watch == key)
			return watch;
	return NULL;
}

/*
 * Events queued for one watch beyond which more are dropped, so that a
 * backend rewriting its nodes in a loop cannot fill our memory while the
 * callback lags.  Callbacks read the node's current value when they run,
 * so one queued event stands for any number dropped after it.
 */
#define XS_WATCH_MAX_PENDING	1024U

/* An XS_WATCH_EVENT has come in: queue it for its watch's callback. */
static void xs_queue_event(char *body, unsigned int len)
{
	struct xenbus_watch *watch;
	struct xs_event *ev;
	const char *path, *token;
	bool queued = false, flooded = false;

	if (!body) {
		pr_warn_ratelimited("watch event lost: no memory\n");
		return;
	}
	if (xs_split_pair(body, len, &path, &token)) {
		pr_warn_ratelimited("malformed watch event dropped\n");
		goto drop;
	}
	ev = kmalloc(sizeof(*ev), GFP_KERNEL);
	if (!ev)
		goto drop;

	spin_lock(&xs_watch_lock);
	watch = xs_find_watch(token);
	if (watch && watch->nr_pending >= XS_WATCH_MAX_PENDING) {
		flooded = true;
	} else if (watch && (!watch->will_handle ||
			     watch->will_handle(watch, path, token))) {
		ev->watch = watch;
		ev->path = path;
		ev->token = token;
		ev->body = body;
		list_add_tail(&ev->list, &xs_events);
		watch->nr_pending++;
		queued = true;
	}
	spin_unlock(&xs_watch_lock);

	if (queued) {
		wake_up(&xs_event_wq);
		return;
	}
	if (!watch)
		pr_debug("event for unknown watch token %.32s dropped\n",
			 token);
	else if (flooded)
		pr_warn_ratelimited("%u events pending for one watch: event on %.64s dropped\n",
				    XS_WATCH_MAX_PENDING, path);
	kfree(ev);
drop:
	kfree(body);
}

static int xs_watch_thread(void *unused)
{
	struct xs_event *ev;

	memalloc_noio_save();
	while (!kthread_should_stop()) {
		wait_event_interruptible(xs_event_wq,
					 !list_empty(&xs_events) ||
					 kthread_should_stop());

		spin_lock(&xs_watch_lock);
		ev = list_first_entry_or_null(&xs_events, struct xs_event,
					      list);
		if (ev) {
			list_del(&ev->list);
			ev->watch->nr_pending--;
			xs_watch_running = ev->watch;
		}
		spin_unlock(&xs_watch_lock);
		if (!ev)
			continue;

		ev->watch->callback(ev->watch, ev->path, ev->token);

		spin_lock(&xs_watch_lock);
		xs_watch_running = NULL;
		spin_unlock(&xs_watch_lock);
		wake_up_all(&xs_watch_idle_wq);
		kfree(ev->body);
		kfree(ev);
	}
	return 0;
}

static int xs_watch_send(enum xsd_sockmsg_type type,
			 struct xenbus_watch *watch, unsigned int flags)
{
	char token[XS_TOKEN_LEN];
	struct kvec vec[2];

	xs_watch_token(watch, token);
	vec[0].iov_base = (void *)watch->node;
	vec[0].iov_len = strlen(watch->node) + 1;
	vec[1].iov_base = token;
	vec[1].iov_len = strlen(token) + 1;
	return xs_call(0, type, vec, ARRAY_SIZE(vec), flags, NULL, NULL);
}

/* Is @watch registered?  Called with xs_watch_lock held. */
static bool xs_watch_listed(struct xenbus_watch *watch)
{
	struct xenbus_watch *w;

	list_for_each_entry(w, &xs_watches, list)
		if (w == watch)
			return true;
	return false;
}

/*
 * Take @watch off the list, if it is there, and drop its queued events.
 * Called with the gate held.  Return: whether it was registered.
 */
static bool xs_watch_forget(struct xenbus_watch *watch)
{
	struct xs_event *ev, *tmp;
	LIST_HEAD(dropped);
	bool listed;

	spin_lock(&xs_watch_lock);
	listed = xs_watch_listed(watch);
	if (listed)
		list_del(&watch->list);
	list_for_each_entry_safe(ev, tmp, &xs_events, list) {
		if (ev->watch == watch) {
			list_move(&ev->list, &dropped);
			watch->nr_pending--;
		}
	}
	spin_unlock(&xs_watch_lock);

	list_for_each_entry_safe(ev, tmp, &dropped, list) {
		kfree(ev->body);
		kfree(ev);
	}
	return listed;
}

static bool xs_watch_idle(struct xenbus_watch *watch)
{
	bool idle;

	spin_lock(&xs_watch_lock);
	idle = xs_watch_running != watch;
	spin_unlock(&xs_watch_lock);
	return idle;
}

/* Wait until @watch's callback is not running, unless we are that call. */
static void xs_watch_wait_idle(struct xenbus_watch *watch)
{
	if (current != xs_watch_task)
		wait_event(xs_watch_idle_wq, xs_watch_idle(watch));
}

/**
 * register_xenbus_watch - watch a xenstore node and those below it
 * @watch: the watch: @node and @callback set, optionally @will_handle
 *
 * Sends XS_WATCH with a token naming @watch.  xenstored fires the watch
 * once at once, then whenever the node or one below it changes; each
 * event runs @callback in the xenwatch thread.  @will_handle, if set, is
 * asked first (under a spinlock) whether to queue an event at all.
 *
 * Return: 0, or -errno (the watch is then not registered).
 */
int register_xenbus_watch(struct xenbus_watch *watch)
{
	int err;

	if (!watch->node || !watch->callback)
		return -EINVAL;
	xs_gate_enter(false);
	spin_lock(&xs_watch_lock);
	if (xs_watch_listed(watch)) {
		spin_unlock(&xs_watch_lock);
		xs_gate_leave();
		return -EEXIST;
	}
	watch->nr_pending = 0;
	list_add_tail(&watch->list, &xs_watches);
	spin_unlock(&xs_watch_lock);

	err = xs_watch_send(XS_WATCH, watch, XSQ_HELD);
	if (err)
		xs_watch_forget(watch);
	xs_gate_leave();
	if (err) {
		xs_watch_wait_idle(watch);
		pr_warn_ratelimited("watch on %.64s failed: %d\n",
				    watch->node, err);
	}
	return err;
}
EXPORT_SYMBOL_GPL(register_xenbus_watch);

/**
 * unregister_xenbus_watch - stop watching
 * @watch: a watch given to register_xenbus_watch()
 *
 * Sends XS_UNWATCH and drops the watch's queued events.  Unless called
 * from a watch callback, returns only once @watch's callback is not
 * running, so the caller may then free @watch.
 */
void unregister_xenbus_watch(struct xenbus_watch *watch)
{
	int err = 0;

	xs_gate_enter(false);
	if (xs_watch_forget(watch))
		err = xs_watch_send(XS_UNWATCH, watch, XSQ_HELD);
	xs_gate_leave();
	if (err && err != -ENOENT)
		pr_warn_ratelimited("unwatch of %.64s failed: %d\n",
				    watch->node, err);
	xs_watch_wait_idle(watch);
}
EXPORT_SYMBOL_GPL(unregister_xenbus_watch);

/* ---- the I/O thread ---- */

static void xs_deliver(struct xsd_sockmsg *hdr, char *body)
{
	struct xs_req *req, *found = NULL;

	if (hdr->type == XS_WATCH_EVENT) {
		xs_queue_event(body, hdr->len);
		return;
	}
	spin_lock(&xs_lock);
	list_for_each_entry(req, &xs_sent_list, list) {
		if (req->hdr.req_id == hdr->req_id) {
			found = req;
			list_del(&req->list);
			break;
		}
	}
	spin_unlock(&xs_lock);

	if (!found) {
		pr_warn_ratelimited("reply with unknown id %u (type %u) dropped\n",
				    hdr->req_id, hdr->type);
		kfree(body);
		return;
	}
	found->reply = *hdr;
	found->body = body;
	found->err = body ? 0 : -ENOMEM;
	xs_finish(found);
}

/* The ring cannot be trusted any more: fail everything, until resume. */
static void xs_break(const char *why)
{
	struct xs_req *req, *tmp;
	LIST_HEAD(failed);

	pr_err("%s: connection unusable until resume, failing all requests\n",
	       why);
	spin_lock(&xs_lock);
	xs_broken = true;
	list_splice_tail_init(&xs_sent_list, &failed);
	list_splice_tail_init(&xs_send_queue, &failed);
	spin_unlock(&xs_lock);
	if (xs_out) {
		list_add(&xs_out->list, &failed);
		xs_out = NULL;
	}
	kfree(xs_in.body);
	xs_reader_reset(&xs_in);

	list_for_each_entry_safe(req, tmp, &failed, list) {
		list_del(&req->list);
		req->err = -EIO;
		req->body = NULL;
		xs_finish(req);
	}
}

static int xs_send_some(void)
{
	int rc;

	for (;;) {
		if (!xs_out) {
			spin_lock(&xs_lock);
			xs_out = list_first_entry_or_null(&xs_send_queue,
							  struct xs_req, list);
			if (xs_out)
				list_del(&xs_out->list);
			spin_unlock(&xs_lock);
			if (!xs_out)
				return 0;
		}
		rc = xs_writer_step(&xs_ring, xs_out);
		if (rc <= 0)
			return rc;
		/* Only a wholly written request may be answered. */
		spin_lock(&xs_lock);
		list_add_tail(&xs_out->list, &xs_sent_list);
		spin_unlock(&xs_lock);
		xs_out = NULL;
	}
}

static int xs_receive_some(void)
{
	int rc;

	for (;;) {
		rc = xs_reader_step(&xs_in, &xs_ring);
		if (rc <= 0)
			return rc;
		xs_deliver(&xs_in.hdr, xs_in.body);
		xs_reader_reset(&xs_in);
	}
}

/* One round of I/O.  Return: whether any byte moved. */
static bool xs_io_round(void)
{
	XENSTORE_RING_IDX prod = xs_ring.req_prod, cons = xs_ring.rsp_cons;
	bool moved;
	int rc;

	rc = xs_send_some();
	if (rc == -EIO) {
		xs_break("request ring indexes out of range");
		return false;
	}
	rc = xs_receive_some();
	moved = prod != xs_ring.req_prod || cons != xs_ring.rsp_cons;
	if (moved)
		notify_remote_via_evtchn(xen_store_evtchn);
	if (rc == -EIO)
		xs_break("response ring indexes out of range");
	else if (rc == -E2BIG)
		xs_break("message longer than XENSTORE_PAYLOAD_MAX");
	return moved && rc >= 0;
}

static bool xs_io_pending(void)
{
	struct xenstore_domain_interface *intf = xs_ring.intf;

	if (kthread_should_stop() || kthread_should_park())
		return true;
	if (READ_ONCE(xs_broken))
		return false;
	if (READ_ONCE(intf->rsp_prod) != xs_ring.rsp_cons)
		return true;
	return (xs_out || !list_empty(&xs_send_queue)) &&
	       xs_ring.req_prod - READ_ONCE(intf->req_cons) !=
	       XENSTORE_RING_SIZE;
}

static int xs_io_thread(void *unused)
{
	memalloc_noio_save();
	while (!kthread_should_stop()) {
		if (kthread_should_park()) {
			kthread_parkme();
			continue;
		}
		if (!READ_ONCE(xs_broken) && xs_io_round()) {
			cond_resched();
			continue;
		}
		wait_event_interruptible(xs_io_wq, xs_io_pending());
	}
	return 0;
}

static irqreturn_t xs_interrupt(int irq, void *dev_id)
{
	wake_up(&xs_io_wq);
	return IRQ_HANDLED;
}

/* Take up the ring afresh: at boot and on resume (I/O thread parked). */
static void xs_attach(void)
{
	unsigned int stale;

	kfree(xs_in.body);
	xs_reader_reset(&xs_in);
	WARN_ON_ONCE(xs_out);
	xs_out = NULL;
	stale = xs_ring_attach(&xs_ring, xen_store_interface);
	if (stale)
		pr_info("skipped %u unread bytes of an earlier connection\n",
			stale);
	spin_lock(&xs_lock);
	xs_broken = false;
	spin_unlock(&xs_lock);
}

/* ---- suspend and resume ---- */

/**
 * xs_suspend - quiesce xenstore before the domain is suspended
 *
 * New requests and transactions wait from now on; returns once every
 * request in flight is answered and every kernel transaction has ended.
 */
void xs_suspend(void)
{
	if (!xs_io_task)
		return;
	xs_gate_set(XS_GATE_DRAINING);
	wait_event(xs_gate_wq, xs_gate_try_close());
	kthread_park(xs_io_task);
}
EXPORT_SYMBOL_GPL(xs_suspend);

/**
 * xs_resume - reconnect to xenstored after save/restore or migration
 *
 * Moves our interrupt to the event channel start_info now names, forgets
 * what the old connection left in the ring, registers every watch again
 * and lets the requests waiting since xs_suspend() go.
 */
void xs_resume(void)
{
	struct xenbus_watch *watch;
	evtchn_port_t evtchn;
	int err;

	if (!xs_io_task)
		return;
	evtchn = READ_ONCE(xen_start_info->store_evtchn);
	if (evtchn && evtchn == xen_store_evtchn &&
	    (int)irq_from_evtchn(evtchn) == xs_irq) {
		/*
		 * The event channel layer still has our binding, so the
		 * domain was not suspended after all (the domain-control
		 * code resumes like this when the last suspend step of the
		 * devices failed): this is still the old connection.
		 */
		xs_suspend_cancel();
		return;
	}
	xen_store_evtchn = evtchn;
	xs_attach();
	if (evtchn)
		rebind_evtchn_irq(evtchn, xs_irq);
	else
		xs_break("no xenstore event channel after resume");
	kthread_unpark(xs_io_task);

	/* The gate is closed, so the watch list cannot change under us. */
	list_for_each_entry(watch, &xs_watches, list) {
		err = xs_watch_send(XS_WATCH, watch, XSQ_BYPASS);
		if (err && err != -EEXIST)
			pr_warn("watch on %.64s not restored: %d\n",
				watch->node, err);
	}
	xs_gate_set(XS_GATE_OPEN);
}
EXPORT_SYMBOL_GPL(xs_resume);

/**
 * xs_suspend_cancel - carry on after a suspend that did not happen
 *
 * The connection is the one we had; lets waiting requests go.
 */
void xs_suspend_cancel(void)
{
	if (!xs_io_task)
		return;
	kthread_unpark(xs_io_task);
	wake_up(&xs_io_wq);
	xs_gate_set(XS_GATE_OPEN);
}
EXPORT_SYMBOL_GPL(xs_suspend_cancel);

/* ---- readiness notifier ---- */

/**
 * register_xenstore_notifier - be told when xenstore is usable
 * @nb: called once, with action 0, when the connection is up; at once if
 *      it already is
 *
 * Return: 0.
 */
int register_xenstore_notifier(struct notifier_block *nb)
{
	int ret = 0;
	bool ready;

	mutex_lock(&xs_notify_mutex);
	ready = xenstored_ready > 0;
	if (!ready)
		ret = blocking_notifier_chain_register(&xs_notify_chain, nb);
	mutex_unlock(&xs_notify_mutex);
	if (ready)
		nb->notifier_call(nb, 0, NULL);
	return ret;
}
EXPORT_SYMBOL_GPL(register_xenstore_notifier);

/**
 * unregister_xenstore_notifier - undo register_xenstore_notifier()
 * @nb: the notifier
 */
void unregister_xenstore_notifier(struct notifier_block *nb)
{
	blocking_notifier_chain_unregister(&xs_notify_chain, nb);
}
EXPORT_SYMBOL_GPL(unregister_xenstore_notifier);

/**
 * xen_set_callback_via - tell Xen how to deliver event upcalls (HVM only)
 * @via: the HVM_PARAM_CALLBACK_IRQ value
 *
 * Used by the event channel code in HVM guests; a PV domU never calls it.
 *
 * Return: 0, or the hypercall's -errno.
 */
int xen_set_callback_via(uint64_t via)
{
	struct xen_hvm_param param = {
		.domid = DOMID_SELF,
		.index = HVM_PARAM_CALLBACK_IRQ,
		.value = via,
	};

	return HYPERVISOR_hvm_op(HVMOP_set_param, &param);
}
EXPORT_SYMBOL_GPL(xen_set_callback_via);

/* ---- start-up ---- */

static int __init xs_init(void)
{
	struct task_struct *task;
	evtchn_port_t evtchn;
	unsigned long mfn;
	int irq;

	if (!xen_pv_domain() || xen_initial_domain())
		return -ENODEV;
	mfn = READ_ONCE(xen_start_info->store_mfn);
	evtchn = READ_ONCE(xen_start_info->store_evtchn);
	if (!mfn || !evtchn) {
		pr_err("start_info names no xenstore ring (mfn %#lx, evtchn %u)\n",
		       mfn, evtchn);
		return -ENODEV;
	}
	xen_store_interface = mfn_to_virt(mfn);
	xen_store_evtchn = evtchn;
	xs_attach();

	task = kthread_run(xs_watch_thread, NULL, "xenwatch");
	if (IS_ERR(task))
		return PTR_ERR(task);
	xs_watch_task = task;
	task = kthread_run(xs_io_thread, NULL, "xenbus");
	if (IS_ERR(task))
		return PTR_ERR(task);
	xs_io_task = task;

	irq = bind_evtchn_to_irqhandler(evtchn, xs_interrupt, 0, "xenbus",
					&xs_io_wq);
	if (irq < 0) {
		pr_err("cannot bind event channel %u: %d\n", evtchn, irq);
		return irq;
	}
	xs_irq = irq;

	spin_lock(&xs_lock);
	xs_connected = true;
	spin_unlock(&xs_lock);

	mutex_lock(&xs_notify_mutex);
	xenstored_ready = 1;
	mutex_unlock(&xs_notify_mutex);
	blocking_notifier_call_chain(&xs_notify_chain, 0, NULL);
	pr_info("connected (event channel %u)\n", evtchn);
	return 0;
}
postcore_initcall(xs_init);

#if IS_REACHABLE(CONFIG_KUNIT)
#include <kunit/test.h>

static struct xs_ring *xs_test_ring(struct kunit *test, XENSTORE_RING_IDX req,
				    XENSTORE_RING_IDX rsp)
{
	struct xenstore_domain_interface *intf;
	struct xs_ring *r;

	intf = kunit_kzalloc(test, sizeof(*intf), GFP_KERNEL);
	r = kunit_kzalloc(test, sizeof(*r), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, intf);
	KUNIT_ASSERT_NOT_NULL(test, r);
	intf->req_prod = req;
	intf->req_cons = req;
	intf->rsp_prod = rsp;
	intf->rsp_cons = rsp;
	KUNIT_EXPECT_EQ(test, xs_ring_attach(r, intf), 0U);
	return r;
}

/* Play xenstored: put bytes on the response ring. */
static void xs_test_respond(struct xs_ring *r, const void *data,
			    unsigned int len)
{
	XENSTORE_RING_IDX prod = r->intf->rsp_prod;
	unsigned int i;

	for (i = 0; i < len; i++)
		r->intf->rsp[MASK_XENSTORE_IDX(prod + i)] =
			((const char *)data)[i];
	r->intf->rsp_prod = prod + len;
}

static void xs_test_ring_wrap(struct kunit *test)
{
	struct xs_ring *r = xs_test_ring(test, 0xfffffffeU, 0xfffffffdU);
	char buf[8] = {};

	KUNIT_EXPECT_EQ(test, xs_ring_write(r, "abcdef", 6), 6);
	KUNIT_EXPECT_EQ(test, r->intf->req_prod, 4U);
	KUNIT_EXPECT_MEMEQ(test, r->intf->req + XENSTORE_RING_SIZE - 2, "ab", 2);
	KUNIT_EXPECT_MEMEQ(test, r->intf->req, "cdef", 4);

	xs_test_respond(r, "hello", 5);
	KUNIT_EXPECT_EQ(test, xs_ring_read(r, buf, 4), 4);
	KUNIT_EXPECT_MEMEQ(test, buf, "hell", 4);
	KUNIT_EXPECT_EQ(test, xs_ring_read(r, buf, sizeof(buf)), 1);
	KUNIT_EXPECT_EQ(test, buf[0], 'o');
	KUNIT_EXPECT_EQ(test, xs_ring_read(r, buf, sizeof(buf)), 0);
	KUNIT_EXPECT_EQ(test, r->intf->rsp_cons, 2U);
}

static void xs_test_ring_full_and_bad(struct kunit *test)
{
	struct xs_ring *r = xs_test_ring(test, 10, 10);
	char *big = kunit_kzalloc(test, XENSTORE_RING_SIZE + 5, GFP_KERNEL);
	char buf[4];

	KUNIT_ASSERT_NOT_NULL(test, big);
	KUNIT_EXPECT_EQ(test, xs_ring_write(r, big, XENSTORE_RING_SIZE + 5),
			XENSTORE_RING_SIZE);
	KUNIT_EXPECT_EQ(test, xs_ring_write(r, "x", 1), 0);
	/* xenstored's consumer index behind by more than a ring */
	r->intf->req_cons = 9;
	KUNIT_EXPECT_EQ(test, xs_ring_write(r, "x", 1), -EIO);
	/* ... or ahead of what we produced */
	r->intf->req_cons = r->req_prod + 1;
	KUNIT_EXPECT_EQ(test, xs_ring_write(r, "x", 1), -EIO);
	KUNIT_EXPECT_EQ(test, r->intf->req_prod, 10U + XENSTORE_RING_SIZE);

	r->intf->rsp_prod = 10 + XENSTORE_RING_SIZE + 1;
	KUNIT_EXPECT_EQ(test, xs_ring_read(r, buf, sizeof(buf)), -EIO);
	r->intf->rsp_prod = 9;
	KUNIT_EXPECT_EQ(test, xs_ring_read(r, buf, sizeof(buf)), -EIO);
	KUNIT_EXPECT_EQ(test, r->intf->rsp_cons, 10U);

	/* attach skips what an earlier connection left unread */
	r->intf->rsp_prod = 30;
	KUNIT_EXPECT_EQ(test, xs_ring_attach(r, r->intf), 20U);
	KUNIT_EXPECT_EQ(test, r->intf->rsp_cons, 30U);
}

static void xs_test_reader(struct kunit *test)
{
	struct xs_ring *r = xs_test_ring(test, 0, XENSTORE_RING_SIZE - 7);
	struct xsd_sockmsg hdr = { .type = XS_READ, .req_id = 7, .len = 5 };
	struct xs_reader rd = {};

	xs_test_respond(r, &hdr, 10);
	KUNIT_EXPECT_EQ(test, xs_reader_step(&rd, r), 0);
	xs_test_respond(r, (char *)&hdr + 10, sizeof(hdr) - 10);
	xs_test_respond(r, "va", 2);
	KUNIT_EXPECT_EQ(test, xs_reader_step(&rd, r), 0);
	KUNIT_EXPECT_EQ(test, rd.hdr.req_id, 7U);
	xs_test_respond(r, "lue", 3);
	KUNIT_ASSERT_EQ(test, xs_reader_step(&rd, r), 1);
	KUNIT_ASSERT_NOT_NULL(test, rd.body);
	KUNIT_EXPECT_STREQ(test, rd.body, "value");
	kfree(rd.body);
	xs_reader_reset(&rd);

	/* an empty payload still comes with its terminating NUL */
	hdr.len = 0;
	xs_test_respond(r, &hdr, sizeof(hdr));
	KUNIT_ASSERT_EQ(test, xs_reader_step(&rd, r), 1);
	KUNIT_ASSERT_NOT_NULL(test, rd.body);
	KUNIT_EXPECT_EQ(test, rd.body[0], '\0');
	kfree(rd.body);
	xs_reader_reset(&rd);

	hdr.len = XENSTORE_PAYLOAD_MAX + 1;
	xs_test_respond(r, &hdr, sizeof(hdr));
	KUNIT_EXPECT_EQ(test, xs_reader_step(&rd, r), -E2BIG);
	KUNIT_EXPECT_NULL(test, rd.body);
}

static void xs_test_writer(struct kunit *test)
{
	const unsigned int len = XENSTORE_RING_SIZE + 100;
	struct xs_ring *r = xs_test_ring(test, 100, 0);
	char *payload = kunit_kzalloc(test, len, GFP_KERNEL);
	struct xs_req req = {
		.hdr = { .type = XS_WRITE, .req_id = 3, .len = len },
		.payload = payload,
	};
	struct xsd_sockmsg hdr;

	KUNIT_ASSERT_NOT_NULL(test, payload);
	memset(payload, 'p', len);
	KUNIT_EXPECT_EQ(test, xs_writer_step(r, &req), 0);
	KUNIT_EXPECT_EQ(test, req.sent, XENSTORE_RING_SIZE);
	memcpy(&hdr, r->intf->req + MASK_XENSTORE_IDX(100), sizeof(hdr));
	KUNIT_EXPECT_EQ(test, hdr.req_id, 3U);
	KUNIT_EXPECT_EQ(test, hdr.len, len);
	KUNIT_EXPECT_EQ(test, r->intf->req[MASK_XENSTORE_IDX(100 + 1023)], 'p');
	r->intf->req_cons = r->req_prod;	/* xenstored takes it all */
	KUNIT_EXPECT_EQ(test, xs_writer_step(r, &req), 1);
	KUNIT_EXPECT_EQ(test, req.sent, XS_HDR_LEN + len);
	KUNIT_EXPECT_EQ(test, r->intf->req_prod, 100U + XS_HDR_LEN + len);
}

static void xs_test_errors(struct kunit *test)
{
	struct xsd_sockmsg reply = { .type = XS_ERROR };

	KUNIT_EXPECT_EQ(test, xs_errno_from_name("ENOENT"), ENOENT);
	KUNIT_EXPECT_EQ(test, xs_errno_from_name("EAGAIN"), EAGAIN);
	KUNIT_EXPECT_EQ(test, xs_errno_from_name("EPERM"), EPERM);
	KUNIT_EXPECT_EQ(test, xs_errno_from_name("EINVAL"), EINVAL);
	KUNIT_EXPECT_EQ(test, xs_errno_from_name("E2BIG"), E2BIG);
	KUNIT_EXPECT_EQ(test, xs_errno_from_name("ENOENTX"), 0);
	KUNIT_EXPECT_EQ(test, xs_errno_from_name(""), 0);
	KUNIT_EXPECT_STREQ(test, xs_errno_name(-EACCES), "EACCES");
	KUNIT_EXPECT_STREQ(test, xs_errno_name(E2BIG), "E2BIG");
	KUNIT_EXPECT_STREQ(test, xs_errno_name(-ENOTTY), "EINVAL");

	KUNIT_EXPECT_EQ(test, xs_reply_errno(XS_READ, &reply, "EEXIST"),
			-EEXIST);
	KUNIT_EXPECT_EQ(test, xs_reply_errno(XS_READ, &reply, "EWHAT"),
			-EINVAL);
	reply.type = XS_READ;
	KUNIT_EXPECT_EQ(test, xs_reply_errno(XS_READ, &reply, "x"), 0);
	KUNIT_EXPECT_EQ(test, xs_reply_errno(XS_WRITE, &reply, "OK"), -EIO);
	reply.len = XENSTORE_PAYLOAD_MAX;
	KUNIT_EXPECT_TRUE(test, xs_msg_len_ok(&reply));
	reply.len = XENSTORE_PAYLOAD_MAX + 1;
	KUNIT_EXPECT_FALSE(test, xs_msg_len_ok(&reply));
}

static void xs_test_split_pair(struct kunit *test)
{
	const char *a = NULL, *b = NULL;

	KUNIT_ASSERT_EQ(test, xs_split_pair("dev/vif\0tok\0", 12, &a, &b), 0);
	KUNIT_EXPECT_STREQ(test, a, "dev/vif");
	KUNIT_EXPECT_STREQ(test, b, "tok");
	KUNIT_EXPECT_EQ(test, xs_split_pair("p\0t\0extra", 9, &a, &b), 0);
	KUNIT_EXPECT_EQ(test, xs_split_pair("\0\0", 2, &a, &b), 0);
	KUNIT_EXPECT_EQ(test, xs_split_pair("path\0tok", 8, &a, &b), -EINVAL);
	KUNIT_EXPECT_EQ(test, xs_split_pair("path\0", 5, &a, &b), -EINVAL);
	KUNIT_EXPECT_EQ(test, xs_split_pair("path", 4, &a, &b), -EINVAL);
	KUNIT_EXPECT_EQ(test, xs_split_pair("", 0, &a, &b), -EINVAL);
}

static void xs_test_strings_and_paths(struct kunit *test)
{
	char *p;

	KUNIT_EXPECT_EQ(test, xs_count_strings("a\0bc\0", 5), 2U);
	KUNIT_EXPECT_EQ(test, xs_count_strings("a\0bc", 4), 2U);
	KUNIT_EXPECT_EQ(test, xs_count_strings("", 0), 0U);
	KUNIT_EXPECT_EQ(test, xs_count_strings("\0\0x\0", 4), 1U);

	p = xs_join_path("device", "vbd");
	KUNIT_ASSERT_NOT_NULL(test, p);
	KUNIT_EXPECT_STREQ(test, p, "device/vbd");
	kfree(p);
	p = xs_join_path("target", "");
	KUNIT_ASSERT_NOT_NULL(test, p);
	KUNIT_EXPECT_STREQ(test, p, "target");
	kfree(p);
}

static struct kunit_case xs_test_cases[] = {
	KUNIT_CASE(xs_test_ring_wrap),
	KUNIT_CASE(xs_test_ring_full_and_bad),
	KUNIT_CASE(xs_test_reader),
	KUNIT_CASE(xs_test_writer),
	KUNIT_CASE(xs_test_errors),
	KUNIT_CASE(xs_test_split_pair),
	KUNIT_CASE(xs_test_strings_and_paths),
	{}
};

static struct kunit_suite xs_test_suite = {
	.name = "xen-xenstore",
	.test_cases = xs_test_cases,
};

kunit_test_suite(xs_test_suite);
#endif /* IS_REACHABLE(CONFIG_KUNIT) */
