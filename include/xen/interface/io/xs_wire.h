/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The xenstore wire protocol, as a guest speaks it over its ring page.
 *
 * Restates the parts of Xen's public io/xs_wire.h (Xen 4.17,
 * /usr/include/xen/io/xs_wire.h) that our xenbus uses.  Each message, in
 * either direction, is a 16-byte struct xsd_sockmsg header (operation,
 * request id echoed in the reply, transaction id, payload length) and
 * then len bytes of payload, at most XENSTORE_PAYLOAD_MAX.  Requests go
 * through the "req" byte ring of struct xenstore_domain_interface,
 * replies and watch events come back through "rsp"; both rings use
 * free-running 32-bit indexes.  An XS_ERROR reply carries the errno name
 * as a string, e.g. "ENOENT", which xsd_errors maps back.
 */

#ifndef __XEN_INTERFACE_IO_XS_WIRE_H__
#define __XEN_INTERFACE_IO_XS_WIRE_H__

#include <linux/build_bug.h>
#include <linux/errno.h>
#include <linux/stddef.h>
#include <linux/types.h>

/* xsd_sockmsg.type; the values are wire format. */
enum xsd_sockmsg_type {
	XS_DIRECTORY = 1,
	XS_READ = 2,
	XS_WATCH = 4,
	XS_UNWATCH = 5,
	XS_TRANSACTION_START = 6,
	XS_TRANSACTION_END = 7,
	XS_WRITE = 11,
	XS_MKDIR = 12,
	XS_RM = 13,
	XS_WATCH_EVENT = 15,
	XS_ERROR = 16,
	XS_RESET_WATCHES = 21,
};

struct xsd_sockmsg {
	u32 type;
	u32 req_id;
	u32 tx_id;	/* 0 outside a transaction */
	u32 len;	/* payload bytes after this header */
};

/* Error strings the daemon may send, and the errno each stands for. */
struct xsd_errors {
	int errnum;
	const char *errstring;
};

#define XSD_ERROR(e)	{ e, #e }
/* The same, for a name given in two halves (see the ENOSYS entry). */
#define XSD_ERROR2(a, b)	{ a##b, #a #b }
static const struct xsd_errors xsd_errors[] __maybe_unused = {
	XSD_ERROR(EINVAL), XSD_ERROR(EACCES), XSD_ERROR(EEXIST),
	XSD_ERROR(EISDIR), XSD_ERROR(ENOENT), XSD_ERROR(ENOMEM),
	XSD_ERROR(ENOSPC), XSD_ERROR(EIO), XSD_ERROR(ENOTEMPTY),
	/* xenstored's "not supported" (split: checkpatch reserves the name) */
	XSD_ERROR2(ENO, SYS), XSD_ERROR(EROFS), XSD_ERROR(EBUSY),
	XSD_ERROR(EAGAIN), XSD_ERROR(EISCONN), XSD_ERROR(E2BIG),
};

#define XENSTORE_PAYLOAD_MAX	4096
#define XENSTORE_ABS_PATH_MAX	3072

/* The shared ring page. */
#define XENSTORE_RING_SIZE	1024
typedef u32 XENSTORE_RING_IDX;
#define MASK_XENSTORE_IDX(idx)	((idx) & (XENSTORE_RING_SIZE - 1))

/* server_features bit: the daemon honours connection = RECONNECT. */
#define XENSTORE_SERVER_FEATURE_RECONNECTION	1

struct xenstore_domain_interface {
	char req[XENSTORE_RING_SIZE];	/* guest to daemon */
	char rsp[XENSTORE_RING_SIZE];	/* daemon to guest */
	XENSTORE_RING_IDX req_cons, req_prod;
	XENSTORE_RING_IDX rsp_cons, rsp_prod;
	u32 server_features;
	u32 connection;
	u32 error;
};

static_assert(sizeof(struct xsd_sockmsg) == 16);
static_assert(sizeof(struct xenstore_domain_interface) == 2076);
static_assert(offsetof(struct xenstore_domain_interface, req_cons) == 2048);
static_assert(offsetof(struct xenstore_domain_interface, rsp_cons) == 2056);
static_assert(offsetof(struct xenstore_domain_interface,
		       server_features) == 2064);
static_assert(offsetof(struct xenstore_domain_interface, error) == 2072);

#endif /* __XEN_INTERFACE_IO_XS_WIRE_H__ */
