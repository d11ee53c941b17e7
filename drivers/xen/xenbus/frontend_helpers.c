// SPDX-License-Identifier: GPL-2.0
/*
 * What a frontend driver needs to talk to its backend.
 *
 * A split driver connects in three kinds of step, and this file has one
 * helper for each:
 *
 *  - the handshake: each end publishes its progress as <dir>/state.  We
 *    write ours in a transaction that first checks the device node is
 *    still there, because a xenstore write re-creates missing parents and
 *    would bring back a device the toolstack has just removed;
 *  - sharing memory: a ring is a few zeroed, physically contiguous pages,
 *    each granted to the backend's domain.  The pages come from
 *    alloc_pages_exact(), so each is a page of its own: the grant table
 *    frees each one once the backend no longer maps it, which may be long
 *    after the ring is torn down if the backend is slow or hostile;
 *  - notification: an unbound event channel the backend binds to.
 *
 * Failures are reported where the toolstack looks for them:
 * error/<nodename>/error in our own xenstore directory holds
 * "<errno> <message>".  A fatal error also moves the device to Closing so
 * the backend lets go.  Watches on arbitrary paths for a device round the
 * set off.
 */

#define pr_fmt(fmt) "xen-xenbus: " fmt

#include <linux/device.h>
#include <linux/err.h>
#include <linux/gfp.h>
#include <linux/kernel.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/stdarg.h>

#include <asm/xen/hypercall.h>
#include <asm/xen/page.h>

#include <xen/grant_table.h>
#include <xen/page.h>
#include <xen/xenbus.h>
#include <xen/interface/event_channel.h>

/* Longest "<errno> <message>" we put in xenstore, with its NUL. */
#define XB_ERROR_MAX		192

/* How often a state change retries a transaction that conflicted. */
#define XB_STATE_RETRIES	64

/* ---- Watches -------------------------------------------------------------- */

/**
 * xenbus_watch_path - watch a xenstore path on behalf of a device
 * @dev: the device, to report failure on
 * @path: the path; stays the caller's, and must live until the watch is
 *	  unregistered
 * @watch: the watch to fill in and register
 * @filter: optional will_handle filter (see struct xenbus_watch)
 * @handler: called for each event
 *
 * On failure the device gets a fatal error and watch->node is NULL.
 *
 * Return: 0 or -errno.
 */
int xenbus_watch_path(struct xenbus_device *dev, const char *path,
		      struct xenbus_watch *watch,
		      bool (*filter)(struct xenbus_watch *, const char *, const char *),
		      void (*handler)(struct xenbus_watch *, const char *, const char *))
{
	int err;

	*watch = (struct xenbus_watch) {
		.node = path,
		.will_handle = filter,
		.callback = handler,
	};
	err = register_xenbus_watch(watch);
	if (!err)
		return 0;
	watch->node = NULL;
	xenbus_dev_fatal(dev, err, "cannot watch %s", path);
	return err;
}
EXPORT_SYMBOL_GPL(xenbus_watch_path);

/**
 * xenbus_watch_pathfmt - watch a formatted xenstore path for a device
 * @dev: the device, to report failure on
 * @watch: the watch to fill in and register
 * @filter: optional will_handle filter (see struct xenbus_watch)
 * @handler: called for each event
 * @pathfmt: printf format of the path, then its arguments
 *
 * The path is allocated here and hangs off watch->node; whoever
 * unregisters the watch kfree()s it.  On failure it is freed here, the
 * device gets a fatal error and watch->node is NULL.
 *
 * Return: 0 or -errno.
 */
int xenbus_watch_pathfmt(struct xenbus_device *dev, struct xenbus_watch *watch,
			 bool (*filter)(struct xenbus_watch *, const char *, const char *),
			 void (*handler)(struct xenbus_watch *, const char *, const char *),
			 const char *pathfmt, ...)
{
	va_list ap;
	char *path;
	int err;

	va_start(ap, pathfmt);
	path = kvasprintf(GFP_NOIO | __GFP_HIGH, pathfmt, ap);
	va_end(ap);
	if (!path) {
		watch->node = NULL;
		xenbus_dev_fatal(dev, -ENOMEM, "allocating a watch path");
		return -ENOMEM;
	}
	err = xenbus_watch_path(dev, path, watch, filter, handler);
	if (err)
		kfree(path);
	return err;
}
EXPORT_SYMBOL_GPL(xenbus_watch_pathfmt);

/* ---- Errors --------------------------------------------------------------- */

/* "<errno> <message>", errno positive; never overflows buf. */
static void xb_format_error(char *buf, size_t size, int err,
			    struct va_format *msg)
{
	scnprintf(buf, size, "%d %pV", err < 0 ? -err : err, msg);
}

/* Log an error and leave it in error/<nodename>/error for the toolstack. */
static void xb_report(struct xenbus_device *dev, int err, struct va_format *msg)
{
	char text[XB_ERROR_MAX];
	char *dir;

	xb_format_error(text, sizeof(text), err, msg);
	dev_err(&dev->dev, "error %s\n", text);

	dir = kasprintf(GFP_NOIO | __GFP_HIGH, "error/%s", dev->nodename);
	if (!dir || xenbus_write(XBT_NIL, dir, "error", text))
		dev_err(&dev->dev, "cannot write error/%s/error\n", dev->nodename);
	kfree(dir);
}

/**
 * xenbus_dev_error - report an error on a device
 * @dev: the device
 * @err: the error, -errno (a positive value is taken as it is)
 * @fmt: printf format of the message, then its arguments
 *
 * Logs the message and writes "<errno> <message>" to
 * error/<nodename>/error in our xenstore directory.
 */
void xenbus_dev_error(struct xenbus_device *dev, int err, const char *fmt, ...)
{
	struct va_format msg = { .fmt = fmt };
	va_list ap;

	va_start(ap, fmt);
	msg.va = &ap;
	xb_report(dev, err, &msg);
	va_end(ap);
}
EXPORT_SYMBOL_GPL(xenbus_dev_error);

/**
 * xenbus_dev_fatal - report an error the device cannot go on after
 * @dev: the device
 * @err: the error, -errno (a positive value is taken as it is)
 * @fmt: printf format of the message, then its arguments
 *
 * As xenbus_dev_error(), then switches the device to Closing, which asks
 * the backend to shut its end down.
 */
void xenbus_dev_fatal(struct xenbus_device *dev, int err, const char *fmt, ...)
{
	struct va_format msg = { .fmt = fmt };
	va_list ap;

	va_start(ap, fmt);
	msg.va = &ap;
	xb_report(dev, err, &msg);
	va_end(ap);
	xenbus_switch_state(dev, XenbusStateClosing);
}
EXPORT_SYMBOL_GPL(xenbus_dev_fatal);

/* ---- State ---------------------------------------------------------------- */

/**
 * xenbus_switch_state - publish a new state of our end of a device
 * @dev: the device
 * @state: the state to publish
 *
 * Writes <nodename>/state and records it in dev->state; does nothing if
 * dev->state is already @state.  Refuses (with a log line) when the device
 * node has been removed from xenstore, so as not to re-create it.
 *
 * Return: 0, -ENOENT for a removed device, or another -errno.
 */
int xenbus_switch_state(struct xenbus_device *dev, enum xenbus_state state)
{
	struct xenbus_transaction xbt;
	unsigned int tries = 0;
	char *cur;
	int err;

	if (state == dev->state)
		return 0;
	do {
		err = xenbus_transaction_start(&xbt);
		if (err)
			break;
		cur = xenbus_read(xbt, dev->nodename, "state", NULL);
		if (IS_ERR(cur)) {
			xenbus_transaction_end(xbt, 1);
			err = PTR_ERR(cur);
			if (err == -ENOENT) {
				dev_warn(&dev->dev, "%s is gone; not switching to %s\n",
					 dev->nodename, xenbus_strstate(state));
				return err;
			}
			break;
		}
		kfree(cur);
		err = xenbus_printf(xbt, dev->nodename, "state", "%d", state);
		if (err) {
			xenbus_transaction_end(xbt, 1);
			break;
		}
		err = xenbus_transaction_end(xbt, 0);
	} while (err == -EAGAIN && ++tries < XB_STATE_RETRIES);

	if (err) {
		/* Not xenbus_dev_fatal(): that would come back here. */
		xenbus_dev_error(dev, err, "switching to %s", xenbus_strstate(state));
		return err;
	}
	dev_dbg(&dev->dev, "%s -> %s\n", xenbus_strstate(dev->state),
		xenbus_strstate(state));
	WRITE_ONCE(dev->state, state);
	return 0;
}
EXPORT_SYMBOL_GPL(xenbus_switch_state);

/**
 * xenbus_frontend_closed - say our end of a device is closed
 * @dev: the device
 *
 * For a frontend that has let go of its rings: switches to Closed, so the
 * backend can finish closing and the toolstack remove the device.  Nothing
 * waits on this; the bus's remove path only closes devices still open.
 *
 * Return: 0 or -errno, as xenbus_switch_state().
 */
int xenbus_frontend_closed(struct xenbus_device *dev)
{
	return xenbus_switch_state(dev, XenbusStateClosed);
}
EXPORT_SYMBOL_GPL(xenbus_frontend_closed);

/* ---- Rings ---------------------------------------------------------------- */

static bool xb_ring_size_ok(unsigned int nr_pages)
{
	return nr_pages && nr_pages <= XENBUS_MAX_RING_GRANTS;
}

/**
 * xenbus_setup_ring - allocate a shared ring and grant it to the backend
 * @dev: the device; its otherend_id gets read-write access
 * @gfp: allocation flags
 * @vaddr: set to the ring's address (NULL on failure)
 * @nr_pages: pages in the ring, 1 to XENBUS_MAX_RING_GRANTS
 * @grefs: set to the grant reference of each page (INVALID_GRANT_REF on
 *	   failure)
 *
 * The pages are zeroed and contiguous.  On failure nothing is left
 * allocated or granted and the device gets a fatal error.  Undo with
 * xenbus_teardown_ring().
 *
 * Return: 0 or -errno.
 */
int xenbus_setup_ring(struct xenbus_device *dev, gfp_t gfp, void **vaddr,
		      unsigned int nr_pages, grant_ref_t *grefs)
{
	unsigned int i;
	char *ring;
	int ref;

	BUILD_BUG_ON(XEN_PAGE_SIZE != PAGE_SIZE);
	BUILD_BUG_ON(BIT(XENBUS_MAX_RING_GRANT_ORDER) != XENBUS_MAX_RING_GRANTS);
	*vaddr = NULL;
	if (!xb_ring_size_ok(nr_pages)) {
		xenbus_dev_fatal(dev, -EINVAL, "a ring of %u pages", nr_pages);
		return -EINVAL;
	}
	for (i = 0; i < nr_pages; i++)
		grefs[i] = INVALID_GRANT_REF;

	/* Order-0 pages each, so each can be freed when its grant ends. */
	ring = alloc_pages_exact(nr_pages * PAGE_SIZE, (gfp & ~__GFP_COMP) | __GFP_ZERO);
	if (!ring) {
		xenbus_dev_fatal(dev, -ENOMEM, "allocating a ring of %u pages", nr_pages);
		return -ENOMEM;
	}
	*vaddr = ring;

	for (i = 0; i < nr_pages; i++) {
		ref = gnttab_grant_foreign_access(dev->otherend_id,
						  virt_to_gfn(ring + i * PAGE_SIZE), 0);
		if (ref < 0) {
			xenbus_teardown_ring(vaddr, nr_pages, grefs);
			xenbus_dev_fatal(dev, ref, "granting ring page %u of %u",
					 i, nr_pages);
			return ref;
		}
		grefs[i] = ref;
	}
	return 0;
}
EXPORT_SYMBOL_GPL(xenbus_setup_ring);

/**
 * xenbus_teardown_ring - end the sharing of a ring and free it
 * @vaddr: the ring's address, from xenbus_setup_ring(); set to NULL
 * @nr_pages: pages in the ring
 * @grefs: its grant references; each set to INVALID_GRANT_REF
 *
 * Each granted page is handed to gnttab_end_foreign_access(), which frees
 * it at once, or later if the backend still maps it; a page never granted
 * is freed here.  Safe on a ring that was never set up (*vaddr NULL and
 * invalid references).
 */
void xenbus_teardown_ring(void **vaddr, unsigned int nr_pages,
			  grant_ref_t *grefs)
{
	char *ring = *vaddr;
	struct page *page;
	unsigned int i;

	for (i = 0; i < nr_pages; i++) {
		page = ring ? virt_to_page(ring + i * PAGE_SIZE) : NULL;
		if (grefs[i] != INVALID_GRANT_REF) {
			gnttab_end_foreign_access(grefs[i], page);
			grefs[i] = INVALID_GRANT_REF;
		} else if (page) {
			__free_page(page);
		}
	}
	*vaddr = NULL;
}
EXPORT_SYMBOL_GPL(xenbus_teardown_ring);

/* ---- Event channels ------------------------------------------------------- */

/**
 * xenbus_alloc_evtchn - allocate an event channel for the backend to bind
 * @dev: the device; its otherend_id is the remote domain
 * @port: set to our end's port
 *
 * On failure the device gets a fatal error.
 *
 * Return: 0 or -errno.
 */
int xenbus_alloc_evtchn(struct xenbus_device *dev, evtchn_port_t *port)
{
	struct evtchn_alloc_unbound op = {
		.dom = DOMID_SELF,
		.remote_dom = dev->otherend_id,
	};
	int err;

	err = HYPERVISOR_event_channel_op(EVTCHNOP_alloc_unbound, &op);
	if (err) {
		xenbus_dev_fatal(dev, err, "allocating an event channel");
		return err;
	}
	*port = op.port;
	return 0;
}
EXPORT_SYMBOL_GPL(xenbus_alloc_evtchn);

/**
 * xenbus_free_evtchn - close an event channel of a device
 * @dev: the device, to report failure on
 * @port: the port, from xenbus_alloc_evtchn()
 *
 * Only for a port not bound to an irq (unbinding closes those).  A failure
 * is reported as an error, not a fatal one: it happens on teardown paths,
 * where closing the device would get in the way of reconnecting it.
 *
 * Return: 0 or -errno.
 */
int xenbus_free_evtchn(struct xenbus_device *dev, evtchn_port_t port)
{
	struct evtchn_close op = { .port = port };
	int err;

	err = HYPERVISOR_event_channel_op(EVTCHNOP_close, &op);
	if (err)
		xenbus_dev_error(dev, err, "closing event channel %u", port);
	return err;
}
EXPORT_SYMBOL_GPL(xenbus_free_evtchn);

/* ---- Tests ---------------------------------------------------------------- */

#if IS_REACHABLE(CONFIG_KUNIT)
#include <kunit/test.h>

static __printf(4, 5) void xb_test_format(char *buf, size_t size, int err,
					  const char *fmt, ...)
{
	struct va_format msg = { .fmt = fmt };
	va_list ap;

	va_start(ap, fmt);
	msg.va = &ap;
	xb_format_error(buf, size, err, &msg);
	va_end(ap);
}

static void xb_test_error_text(struct kunit *test)
{
	char buf[XB_ERROR_MAX];

	xb_test_format(buf, sizeof(buf), -ENOENT, "reading %s", "device/vbd/1/mac");
	KUNIT_EXPECT_STREQ(test, buf, "2 reading device/vbd/1/mac");
	xb_test_format(buf, sizeof(buf), EIO, "backend misbehaved");
	KUNIT_EXPECT_STREQ(test, buf, "5 backend misbehaved");
	xb_test_format(buf, 8, -ENOMEM, "%s", "a long message");
	KUNIT_EXPECT_STREQ(test, buf, "12 a lo");
	xb_test_format(buf, 3, -ENOMEM, "%s", "x");
	KUNIT_EXPECT_STREQ(test, buf, "12");
}

static void xb_test_ring_size(struct kunit *test)
{
	KUNIT_EXPECT_FALSE(test, xb_ring_size_ok(0));
	KUNIT_EXPECT_TRUE(test, xb_ring_size_ok(1));
	KUNIT_EXPECT_TRUE(test, xb_ring_size_ok(XENBUS_MAX_RING_GRANTS));
	KUNIT_EXPECT_FALSE(test, xb_ring_size_ok(XENBUS_MAX_RING_GRANTS + 1));
	KUNIT_EXPECT_EQ(test, XENBUS_MAX_RING_GRANTS, 16U);
}

static struct kunit_case xb_helpers_cases[] = {
	KUNIT_CASE(xb_test_error_text),
	KUNIT_CASE(xb_test_ring_size),
	{}
};

static struct kunit_suite xb_helpers_suite = {
	.name = "xen-xenbus-helpers",
	.test_cases = xb_helpers_cases,
};

kunit_test_suite(xb_helpers_suite);
#endif /* IS_REACHABLE(CONFIG_KUNIT) */
