// SPDX-License-Identifier: GPL-2.0
/*
 * xenbus_dev.c - /dev/xen/xenbus: xenstore for userspace in a domU.
 *
 * A domU has one connection to xenstored, the kernel's.  Userspace tools
 * (libxenstore: xenstore-read, -write, -ls, -watch) open this device and
 * speak the wire protocol through it, as they would to xenstored's socket
 * in dom0: they write whole messages (a struct xsd_sockmsg header and its
 * payload, in as many write() calls as they like) and read back replies
 * and watch events.  The same file operations serve /proc/xen/xenbus
 * (xenfs).
 *
 * Each complete message becomes a kernel request (xs_queue()) with the
 * user's type, transaction id and payload, and a req_id of the kernel's
 * own; its reply is queued to the file with the user's req_id put back.
 * write() does not wait for the reply.  When the request fails on our
 * side (the ring broke) the user gets an XS_ERROR reply naming the errno.
 *
 * Watches are the exception.  xenstored's events go to the kernel, so an
 * XS_WATCH(path, token) from the file registers a kernel watch on the
 * user's behalf, whose callback queues XS_WATCH_EVENT "path\0token\0"
 * messages carrying the user's token; the XS_WATCH is answered "OK\0" by
 * us once registered.  The event xenstored fires at registration may be
 * read before that "OK": libxenstore sorts events from replies.  XS_UNWATCH
 * removes it again.  XS_RESET_WATCHES, which would drop the kernel's own
 * watches too, is refused with EACCES, and XS_WATCH_EVENT and XS_ERROR,
 * which are no requests, with EINVAL.
 *
 * Transactions the file opened are remembered (from the replies to its
 * XS_TRANSACTION_START) and aborted when the file is closed without having
 * ended them; its watches are removed then too.
 *
 * Limits, so that one process cannot pin unbounded kernel memory: at most
 * XBD_MAX_OUTSTANDING requests in flight plus replies not yet read (write()
 * then waits, or fails with -EAGAIN under O_NONBLOCK); at most
 * XBD_MAX_EVENT_BYTES of unread watch events (further events are dropped,
 * with a log line; replies never are); XBD_MAX_WATCHES watches and
 * XBD_MAX_TXNS open transactions per file.
 */

#define pr_fmt(fmt) "xen-xenbus-dev: " fmt

#include <linux/fs.h>
#include <linux/init.h>
#include <linux/kref.h>
#include <linux/kstrtox.h>
#include <linux/minmax.h>
#include <linux/miscdevice.h>
#include <linux/mutex.h>
#include <linux/overflow.h>
#include <linux/poll.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include <linux/wait.h>

#include <xen/xen.h>
#include <xen/xenbus.h>

#include "xenstore.h"

#define XBD_HDR_LEN		((unsigned int)sizeof(struct xsd_sockmsg))
#define XBD_MAX_OUTSTANDING	16
#define XBD_MAX_EVENT_BYTES	(64 * 1024)
#define XBD_MAX_WATCHES		128
#define XBD_MAX_TXNS		32

/* A message waiting to be read. */
struct xbd_msg {
	struct list_head list;
	struct xsd_sockmsg hdr;
	const char *body;		/* hdr.len bytes */
	unsigned int off;		/* bytes of header + body already read */
	bool is_event;
	void *owned;			/* freed with the message */
	void *container;		/* freed with the message */
};

struct xbd_file {
	struct kref ref;		/* the open file + requests in flight */
	spinlock_t lock;		/* queue, counters, txns */
	struct list_head queue;		/* xbd_msg, for read() */
	struct list_head txns;		/* xbd_txn */
	unsigned int outstanding;	/* in flight + unread replies */
	unsigned int inflight;
	unsigned int event_bytes;
	unsigned int nr_txns;
	wait_queue_head_t read_wq;
	wait_queue_head_t write_wq;	/* outstanding went down */
	wait_queue_head_t idle_wq;	/* inflight went down */

	struct mutex rlock;		/* one reader at a time */
	struct mutex wlock;		/* one writer: wbuf, watches */
	struct list_head watches;	/* xbd_watch */
	unsigned int nr_watches;
	unsigned int wlen;		/* bytes of the message in wbuf */
	char *wbuf;			/* header + XENSTORE_PAYLOAD_MAX */
};

struct xbd_req {
	struct xs_req req;
	struct xbd_file *file;
	u32 user_id;
	struct xbd_txn *txn;		/* for an XS_TRANSACTION_START */
	struct xbd_msg msg;		/* the reply, when it comes */
	char payload[];
};

struct xbd_watch {
	struct xenbus_watch kw;
	struct list_head list;
	struct xbd_file *file;
	const char *token;
	char strings[];			/* node and token */
};

struct xbd_txn {
	struct list_head list;
	u32 id;
};

static void xbd_msg_free(struct xbd_msg *msg)
{
	kfree(msg->owned);
	kfree(msg->container);
}

static void xbd_file_free(struct kref *ref)
{
	struct xbd_file *f = container_of(ref, struct xbd_file, ref);
	struct xbd_msg *msg, *tmp;

	list_for_each_entry_safe(msg, tmp, &f->queue, list)
		xbd_msg_free(msg);
	kfree(f->wbuf);
	kfree(f);
}

/* Queue a message for read(); events count against the event budget. */
static void xbd_push(struct xbd_file *f, struct xbd_msg *msg)
{
	unsigned int size = XBD_HDR_LEN + msg->hdr.len, unread;
	bool dropped = false;

	spin_lock(&f->lock);
	unread = f->event_bytes;
	if (msg->is_event && unread + size > XBD_MAX_EVENT_BYTES) {
		dropped = true;
	} else {
		list_add_tail(&msg->list, &f->queue);
		if (msg->is_event)
			f->event_bytes += size;
	}
	spin_unlock(&f->lock);

	if (dropped) {
		pr_warn_ratelimited("a reader left %u bytes of watch events unread: event dropped\n",
				    unread);
		xbd_msg_free(msg);
		return;
	}
	wake_up_interruptible(&f->read_wq);
}

/* Answer a request ourselves: type @type, payload @body of @len bytes. */
static int xbd_reply(struct xbd_file *f, const struct xsd_sockmsg *req,
		     u32 type, const char *body, unsigned int len)
{
	struct xbd_msg *msg;
	char *copy;

	msg = kzalloc(sizeof(*msg) + len, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	copy = (char *)(msg + 1);
	memcpy(copy, body, len);
	msg->hdr.type = type;
	msg->hdr.req_id = req->req_id;
	msg->hdr.tx_id = req->tx_id;
	msg->hdr.len = len;
	msg->body = copy;
	msg->container = msg;
	spin_lock(&f->lock);
	f->outstanding++;
	spin_unlock(&f->lock);
	xbd_push(f, msg);
	return 0;
}

static int xbd_error(struct xbd_file *f, const struct xsd_sockmsg *req,
		     int err)
{
	const char *name = xs_errno_name(err);

	return xbd_reply(f, req, XS_ERROR, name, strlen(name) + 1);
}

/* ---- requests forwarded to xenstored ---- */

/* The reply has come (I/O thread, no lock held): queue it for read(). */
static void xbd_req_done(struct xs_req *req)
{
	struct xbd_req *dr = container_of(req, struct xbd_req, req);
	struct xbd_file *f = dr->file;
	struct xbd_msg *msg = &dr->msg;
	struct xbd_txn *txn, *ended = NULL;
	const char *name;
	u32 id;

	msg->container = dr;
	if (req->err) {
		name = xs_errno_name(req->err);
		msg->hdr.type = XS_ERROR;
		msg->hdr.tx_id = req->hdr.tx_id;
		msg->hdr.len = strlen(name) + 1;
		msg->body = name;
	} else {
		msg->hdr = req->reply;
		msg->body = req->body;
		msg->owned = req->body;
	}
	msg->hdr.req_id = dr->user_id;

	spin_lock(&f->lock);
	if (!req->err && req->hdr.type == XS_TRANSACTION_START &&
	    req->reply.type == XS_TRANSACTION_START &&
	    !kstrtou32(req->body, 10, &id) && id) {
		dr->txn->id = id;
		list_add(&dr->txn->list, &f->txns);
		f->nr_txns++;
		dr->txn = NULL;
	}
	if (!req->err && req->hdr.type == XS_TRANSACTION_END) {
		/* Over whatever xenstored answered. */
		list_for_each_entry(txn, &f->txns, list) {
			if (txn->id == req->hdr.tx_id) {
				list_del(&txn->list);
				f->nr_txns--;
				ended = txn;
				break;
			}
		}
	}
	f->inflight--;
	spin_unlock(&f->lock);

	kfree(ended);
	kfree(dr->txn);
	dr->txn = NULL;
	xbd_push(f, msg);
	wake_up(&f->idle_wq);
	kref_put(&f->ref, xbd_file_free);
}

/* Whether transaction @id is one this file started and has not ended. */
static bool xbd_owns_txn(struct xbd_file *f, u32 id)
{
	struct xbd_txn *txn;
	bool owned = false;

	spin_lock(&f->lock);
	list_for_each_entry(txn, &f->txns, list) {
		if (txn->id == id) {
			owned = true;
			break;
		}
	}
	spin_unlock(&f->lock);
	return owned;
}

static int xbd_forward(struct xbd_file *f, const struct xsd_sockmsg *hdr,
		       const char *body)
{
	struct xbd_req *dr;
	unsigned int nr_txns;
	int err;

	/*
	 * The kernel and every open file share one connection, and so one
	 * space of transaction ids: a file may only use its own.
	 */
	if (hdr->tx_id && !xbd_owns_txn(f, hdr->tx_id))
		return xbd_error(f, hdr, ENOENT);

	dr = kzalloc(struct_size(dr, payload, hdr->len), GFP_KERNEL);
	if (!dr)
		return -ENOMEM;
	if (hdr->type == XS_TRANSACTION_START) {
		spin_lock(&f->lock);
		nr_txns = f->nr_txns;
		spin_unlock(&f->lock);
		if (nr_txns >= XBD_MAX_TXNS) {
			kfree(dr);
			return xbd_error(f, hdr, ENOSPC);
		}
		dr->txn = kzalloc(sizeof(*dr->txn), GFP_KERNEL);
		if (!dr->txn) {
			kfree(dr);
			return -ENOMEM;
		}
	}
	memcpy(dr->payload, body, hdr->len);
	dr->req.hdr.type = hdr->type;
	dr->req.hdr.tx_id = hdr->tx_id;
	dr->req.hdr.len = hdr->len;
	dr->req.payload = dr->payload;
	dr->req.done = xbd_req_done;
	dr->file = f;
	dr->user_id = hdr->req_id;

	kref_get(&f->ref);
	spin_lock(&f->lock);
	f->outstanding++;
	f->inflight++;
	spin_unlock(&f->lock);

	err = xs_queue(&dr->req, 0);
	if (err) {
		spin_lock(&f->lock);
		f->outstanding--;
		f->inflight--;
		spin_unlock(&f->lock);
		kfree(dr->txn);
		kfree(dr);
		kref_put(&f->ref, xbd_file_free);
	}
	return err;
}

/* ---- watches on the file's behalf ---- */

/* xenwatch thread: turn a kernel watch event into one for the user. */
static void xbd_watch_fired(struct xenbus_watch *kw, const char *path,
			    const char *token)
{
	struct xbd_watch *w = container_of(kw, struct xbd_watch, kw);
	size_t plen = strlen(path) + 1, tlen = strlen(w->token) + 1;
	struct xbd_msg *msg;
	char *body;

	if (plen + tlen > XENSTORE_PAYLOAD_MAX) {
		pr_warn_ratelimited("watch event on %.64s too long, dropped\n",
				    path);
		return;
	}
	msg = kzalloc(sizeof(*msg) + plen + tlen, GFP_KERNEL);
	if (!msg)
		return;
	body = (char *)(msg + 1);
	memcpy(body, path, plen);
	memcpy(body + plen, w->token, tlen);
	msg->hdr.type = XS_WATCH_EVENT;
	msg->hdr.len = plen + tlen;
	msg->body = body;
	msg->is_event = true;
	msg->container = msg;
	xbd_push(w->file, msg);
}

static struct xbd_watch *xbd_watch_find(struct xbd_file *f, const char *node,
					const char *token)
{
	struct xbd_watch *w;

	list_for_each_entry(w, &f->watches, list)
		if (!strcmp(w->kw.node, node) && !strcmp(w->token, token))
			return w;
	return NULL;
}

static int xbd_watch(struct xbd_file *f, const struct xsd_sockmsg *hdr,
		     const char *body)
{
	const char *node, *token;
	struct xbd_watch *w;
	size_t nlen, tlen;
	int err;

	if (xs_split_pair(body, hdr->len, &node, &token))
		return xbd_error(f, hdr, EINVAL);
	if (xbd_watch_find(f, node, token))
		return xbd_error(f, hdr, EEXIST);
	if (f->nr_watches >= XBD_MAX_WATCHES)
		return xbd_error(f, hdr, ENOSPC);

	nlen = strlen(node) + 1;
	tlen = strlen(token) + 1;
	w = kzalloc(struct_size(w, strings, nlen + tlen), GFP_KERNEL);
	if (!w)
		return -ENOMEM;
	memcpy(w->strings, node, nlen);
	memcpy(w->strings + nlen, token, tlen);
	w->kw.node = w->strings;
	w->kw.callback = xbd_watch_fired;
	w->token = w->strings + nlen;
	w->file = f;

	err = register_xenbus_watch(&w->kw);
	if (err) {
		kfree(w);
		return xbd_error(f, hdr, err);
	}
	list_add(&w->list, &f->watches);
	f->nr_watches++;
	return xbd_reply(f, hdr, XS_WATCH, "OK", 3);
}

static int xbd_unwatch(struct xbd_file *f, const struct xsd_sockmsg *hdr,
		       const char *body)
{
	const char *node, *token;
	struct xbd_watch *w;

	if (xs_split_pair(body, hdr->len, &node, &token))
		return xbd_error(f, hdr, EINVAL);
	w = xbd_watch_find(f, node, token);
	if (!w)
		return xbd_error(f, hdr, ENOENT);
	unregister_xenbus_watch(&w->kw);
	list_del(&w->list);
	f->nr_watches--;
	kfree(w);
	return xbd_reply(f, hdr, XS_UNWATCH, "OK", 3);
}

/* ---- file operations ---- */

/* A whole message is in f->wbuf. */
static int xbd_handle(struct xbd_file *f)
{
	const struct xsd_sockmsg *hdr = (const struct xsd_sockmsg *)f->wbuf;
	const char *body = f->wbuf + XBD_HDR_LEN;

	switch (hdr->type) {
	case XS_WATCH:
		return xbd_watch(f, hdr, body);
	case XS_UNWATCH:
		return xbd_unwatch(f, hdr, body);
	case XS_RESET_WATCHES:
		return xbd_error(f, hdr, EACCES);
	case XS_WATCH_EVENT:
	case XS_ERROR:
		return xbd_error(f, hdr, EINVAL);	/* not requests */
	default:
		return xbd_forward(f, hdr, body);
	}
}

static bool xbd_has_room(struct xbd_file *f)
{
	bool room;

	spin_lock(&f->lock);
	room = f->outstanding < XBD_MAX_OUTSTANDING;
	spin_unlock(&f->lock);
	return room;
}

static ssize_t xbd_write(struct file *filp, const char __user *ubuf,
			 size_t count, loff_t *ppos)
{
	struct xbd_file *f = filp->private_data;
	const struct xsd_sockmsg *hdr = (const struct xsd_sockmsg *)f->wbuf;
	size_t done = 0, n;
	ssize_t ret;

	if (mutex_lock_interruptible(&f->wlock))
		return -ERESTARTSYS;
	while (done < count) {
		if (!f->wlen && !xbd_has_room(f)) {
			if (done)
				break;
			ret = -EAGAIN;
			if (filp->f_flags & O_NONBLOCK)
				goto out;
			ret = wait_event_interruptible(f->write_wq,
						       xbd_has_room(f));
			if (ret)
				goto out;
		}
		if (f->wlen < XBD_HDR_LEN)
			n = XBD_HDR_LEN - f->wlen;
		else
			n = XBD_HDR_LEN + hdr->len - f->wlen;
		n = min(n, count - done);
		if (copy_from_user(f->wbuf + f->wlen, ubuf + done, n)) {
			ret = -EFAULT;
			goto out;
		}
		done += n;
		f->wlen += n;
		if (f->wlen == XBD_HDR_LEN && !xs_msg_len_ok(hdr)) {
			f->wlen = 0;
			ret = -EINVAL;
			goto out;
		}
		if (f->wlen >= XBD_HDR_LEN && f->wlen == XBD_HDR_LEN + hdr->len) {
			ret = xbd_handle(f);
			f->wlen = 0;
			if (ret)
				goto out;
		}
	}
	ret = done;
out:
	mutex_unlock(&f->wlock);
	return ret;
}

static ssize_t xbd_read(struct file *filp, char __user *ubuf, size_t count,
			loff_t *ppos)
{
	struct xbd_file *f = filp->private_data;
	struct xbd_msg *msg;
	unsigned int total, n;
	const char *src;
	size_t done = 0;
	ssize_t ret = 0;

	if (mutex_lock_interruptible(&f->rlock))
		return -ERESTARTSYS;
	while (done < count) {
		spin_lock(&f->lock);
		msg = list_first_entry_or_null(&f->queue, struct xbd_msg, list);
		spin_unlock(&f->lock);
		if (!msg) {
			if (done)
				break;
			ret = -EAGAIN;
			if (filp->f_flags & O_NONBLOCK)
				goto out;
			ret = wait_event_interruptible(f->read_wq,
						       !list_empty(&f->queue));
			if (ret)
				goto out;
			continue;
		}

		/* Only we take messages off the queue: msg stays put. */
		total = XBD_HDR_LEN + msg->hdr.len;
		if (msg->off < XBD_HDR_LEN) {
			src = (const char *)&msg->hdr + msg->off;
			n = XBD_HDR_LEN - msg->off;
		} else {
			src = msg->body + (msg->off - XBD_HDR_LEN);
			n = total - msg->off;
		}
		n = min_t(size_t, n, count - done);
		if (copy_to_user(ubuf + done, src, n)) {
			ret = -EFAULT;
			goto out;
		}
		done += n;
		msg->off += n;
		if (msg->off < total)
			continue;

		spin_lock(&f->lock);
		list_del(&msg->list);
		if (msg->is_event)
			f->event_bytes -= total;
		else
			f->outstanding--;
		spin_unlock(&f->lock);
		xbd_msg_free(msg);
		wake_up_interruptible(&f->write_wq);
	}
	ret = done;
out:
	mutex_unlock(&f->rlock);
	return done ? done : ret;
}

static __poll_t xbd_poll(struct file *filp, poll_table *wait)
{
	struct xbd_file *f = filp->private_data;
	__poll_t mask = EPOLLOUT | EPOLLWRNORM;

	poll_wait(filp, &f->read_wq, wait);
	if (!list_empty(&f->queue))
		mask |= EPOLLIN | EPOLLRDNORM;
	return mask;
}

static int xbd_open(struct inode *inode, struct file *filp)
{
	struct xbd_file *f;

	if (!xenstored_ready)
		return -ENODEV;
	f = kzalloc(sizeof(*f), GFP_KERNEL);
	if (!f)
		return -ENOMEM;
	f->wbuf = kmalloc(XBD_HDR_LEN + XENSTORE_PAYLOAD_MAX, GFP_KERNEL);
	if (!f->wbuf) {
		kfree(f);
		return -ENOMEM;
	}
	kref_init(&f->ref);
	spin_lock_init(&f->lock);
	INIT_LIST_HEAD(&f->queue);
	INIT_LIST_HEAD(&f->txns);
	INIT_LIST_HEAD(&f->watches);
	init_waitqueue_head(&f->read_wq);
	init_waitqueue_head(&f->write_wq);
	init_waitqueue_head(&f->idle_wq);
	mutex_init(&f->rlock);
	mutex_init(&f->wlock);
	filp->private_data = f;
	return stream_open(inode, filp);
}

static bool xbd_idle(struct xbd_file *f)
{
	bool idle;

	spin_lock(&f->lock);
	idle = !f->inflight;
	spin_unlock(&f->lock);
	return idle;
}

static int xbd_release(struct inode *inode, struct file *filp)
{
	struct xbd_file *f = filp->private_data;
	struct kvec abort = { .iov_base = "F", .iov_len = 2 };
	struct xbd_watch *w, *wtmp;
	struct xbd_txn *txn;
	int err;

	/* Let every reply come in, so that every transaction is known. */
	wait_event(f->idle_wq, xbd_idle(f));

	list_for_each_entry_safe(w, wtmp, &f->watches, list) {
		unregister_xenbus_watch(&w->kw);
		list_del(&w->list);
		kfree(w);
	}
	for (;;) {
		spin_lock(&f->lock);
		txn = list_first_entry_or_null(&f->txns, struct xbd_txn, list);
		if (txn)
			list_del(&txn->list);
		spin_unlock(&f->lock);
		if (!txn)
			break;
		err = xs_call(txn->id, XS_TRANSACTION_END, &abort, 1, 0,
			      NULL, NULL);
		if (err && err != -ENOENT)
			pr_warn_ratelimited("abort of transaction %u: %d\n",
					    txn->id, err);
		kfree(txn);
	}
	kref_put(&f->ref, xbd_file_free);
	return 0;
}

const struct file_operations xen_xenbus_fops = {
	.owner = THIS_MODULE,
	.open = xbd_open,
	.release = xbd_release,
	.read = xbd_read,
	.write = xbd_write,
	.poll = xbd_poll,
};
EXPORT_SYMBOL_GPL(xen_xenbus_fops);

static struct miscdevice xbd_miscdev = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = "xenbus",
	.nodename = "xen/xenbus",
	.fops = &xen_xenbus_fops,
};

static int __init xbd_init(void)
{
	int err;

	if (!xen_domain() || !xenstored_ready)
		return -ENODEV;
	err = misc_register(&xbd_miscdev);
	if (err)
		pr_err("cannot register /dev/xen/xenbus: %d\n", err);
	return err;
}
device_initcall(xbd_init);
