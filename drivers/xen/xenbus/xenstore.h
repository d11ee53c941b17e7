/* SPDX-License-Identifier: GPL-2.0 */
/*
 * xenstore.h - what the three files of our xenstore client share.
 *
 * The client is split three ways: xenstore.c owns the connection to
 * xenstored (the shared ring page, the event channel, the thread that
 * moves bytes, watches, suspend/resume); xenstore_ops.c is the helper API
 * drivers call (xenbus_read(), xenbus_printf(), transactions ...); and
 * xenbus_dev.c is /dev/xen/xenbus, through which userspace speaks the same
 * protocol.  Nothing outside these three files includes this header;
 * everyone else uses include/xen/xenbus.h.
 *
 * Internal interface
 * ------------------
 * Requests.  A request is a struct xs_req: the caller fills in hdr.type,
 * hdr.tx_id, hdr.len, payload and done(), and hands it to xs_queue(),
 * which gives it a fresh hdr.req_id and queues it for the I/O thread.
 * When xs_queue() returns 0, done() is called exactly once, from the I/O
 * thread with no lock held, when the reply has come (err 0, reply and
 * body filled in; done() owns body) or when the request failed on our
 * side (err -EIO: the ring went bad; -ENOMEM: no memory for the reply,
 * whose bytes were skipped).  The payload must stay valid until then.
 * When xs_queue() returns an error, done() is never called.
 *
 * xs_call() is the synchronous form the helper API is built on: it sends
 * the concatenation of a kvec array and waits for the reply, turning an
 * XS_ERROR reply into -errno; the reply's payload, NUL-terminated, is
 * handed back in *body (kfree() it) if body is not NULL.
 *
 * The suspend gate.  Requests pass a gate that xs_suspend() closes and
 * xs_resume()/xs_suspend_cancel() open again.  Every request holds the
 * gate from xs_queue() until its reply (or failure) is in.  A kernel
 * transaction holds it from xs_txn_hold() (in xenbus_transaction_start())
 * to xs_txn_release() (in xenbus_transaction_end()), and the requests made
 * inside it pass XSQ_HELD so that they go through while xs_suspend() waits
 * for open transactions to end.  xs_suspend() returns once nothing holds
 * the gate.  Transactions opened through /dev/xen/xenbus do not hold it:
 * their owners are frozen userspace processes that would never end them.
 *
 * Pure helpers.  The ring copy routines, the message reader and writer,
 * the error-name table and the payload parsers below touch no global
 * state, so that the KUnit suite in xenstore.c can test them on a ring
 * page of its own.
 */
#ifndef _XEN_XENBUS_XENSTORE_H
#define _XEN_XENBUS_XENSTORE_H

#include <linux/bits.h>
#include <linux/list.h>
#include <linux/types.h>
#include <linux/uio.h>

#include <xen/interface/io/xs_wire.h>

/* Flags for xs_queue() and xs_call(). */
#define XSQ_HELD	BIT(0)	/* inside an open kernel transaction */
#define XSQ_BYPASS	BIT(1)	/* xs_resume()'s own requests: no gate */

struct xs_req {
	/* Filled in by the caller (hdr.req_id by xs_queue()). */
	struct xsd_sockmsg hdr;
	const void *payload;			/* hdr.len bytes */
	void (*done)(struct xs_req *req);

	/* Filled in before done() is called. */
	int err;				/* 0, -EIO or -ENOMEM */
	struct xsd_sockmsg reply;		/* the reply's header */
	char *body;				/* reply.len + 1 bytes, or NULL */

	/* Private to xenstore.c. */
	struct list_head list;
	unsigned int flags;
	unsigned int sent;			/* bytes written to the ring */
};

int xs_queue(struct xs_req *req, unsigned int flags);
int xs_call(u32 tx_id, enum xsd_sockmsg_type type,
	    const struct kvec *vec, unsigned int nvec, unsigned int flags,
	    char **body, unsigned int *len);
void xs_txn_hold(void);
void xs_txn_release(void);

/* Our view of the ring page: the two indexes we own are kept here. */
struct xs_ring {
	struct xenstore_domain_interface *intf;
	XENSTORE_RING_IDX req_prod;		/* we produce requests */
	XENSTORE_RING_IDX rsp_cons;		/* we consume responses */
};

/* Incoming message being assembled from the response ring. */
struct xs_reader {
	struct xsd_sockmsg hdr;
	unsigned int got;			/* bytes of header + payload */
	bool sized;				/* header checked, body allocated */
	char *body;				/* hdr.len + 1 bytes, or NULL */
};

unsigned int xs_ring_attach(struct xs_ring *r,
			    struct xenstore_domain_interface *intf);
int xs_ring_write(struct xs_ring *r, const void *data, unsigned int len);
int xs_ring_read(struct xs_ring *r, void *data, unsigned int len);
int xs_writer_step(struct xs_ring *r, struct xs_req *req);
int xs_reader_step(struct xs_reader *rd, struct xs_ring *r);
void xs_reader_reset(struct xs_reader *rd);

bool xs_msg_len_ok(const struct xsd_sockmsg *hdr);
int xs_errno_from_name(const char *name);
const char *xs_errno_name(int err);
int xs_reply_errno(u32 type, const struct xsd_sockmsg *reply,
		   const char *body);
int xs_split_pair(const char *buf, unsigned int len,
		  const char **first, const char **second);
unsigned int xs_count_strings(const char *buf, unsigned int len);
char *xs_join_path(const char *dir, const char *node);

#endif /* _XEN_XENBUS_XENSTORE_H */
