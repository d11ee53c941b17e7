// SPDX-License-Identifier: GPL-2.0
/*
 * The "xen" bus: where a Xen guest's paravirtual devices meet their drivers.
 *
 * The toolstack describes each device we are given in our own xenstore
 * directory, as device/<type>/<id> (device/vbd/51712 for a disk,
 * device/vif/0 for a network card).  That node holds the frontend's keys,
 * among them "backend" (the absolute path of the backend's directory, in
 * the domain that serves the device), "backend-id" (that domain's id) and
 * "state", our half of the handshake.  The backend's directory has a
 * "state" of its own.  The two sides read each other's state through
 * watches and step through Initialising, InitWait, Initialised, Connected
 * and, at the end, Closing and Closed.
 *
 * This file turns that tree into driver-model devices:
 *
 *  - once xenstore is up, every device/<type>/<id> whose backend details
 *    are sound becomes a struct xenbus_device named "<type>-<id>" on the
 *    bus; a watch on "device" then adds devices that appear later and
 *    unregisters those whose node the toolstack removes (hot-unplug);
 *  - a driver claims a device by <type>.  Probing reads the backend
 *    details afresh, calls the driver's probe, then watches
 *    <backend>/state and hands every value read there to the driver's
 *    otherend_changed().  Removing drops the watch, calls the driver's
 *    remove and leaves our state Closed;
 *  - save/restore and migration reach the devices through the bus's
 *    dev_pm_ops (see "Power management" below);
 *  - late in boot we wait, for a bounded time, until every device with a
 *    driver has connected, so that the root disk is there before init
 *    looks for it.
 *
 * Everything read from xenstore was written by the toolstack or the
 * backend, and is checked before use: path components, the backend path
 * and domain id, and every state value.
 */

#define pr_fmt(fmt) "xen-bus: " fmt

#include <linux/ctype.h>
#include <linux/device.h>
#include <linux/err.h>
#include <linux/init.h>
#include <linux/jiffies.h>
#include <linux/kernel.h>
#include <linux/kstrtox.h>
#include <linux/mutex.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/wait.h>

#include <xen/xen.h>
#include <xen/xenbus.h>
#include <xen/interface/xen.h>
#include <xen/interface/io/xs_wire.h>

/* The longest <type> or <id> we accept, with its NUL. */
#define XB_NAME_MAX	32

/* How long boot waits for devices to connect, and how often it reports. */
#define XB_BOOT_WAIT_SECS	30
#define XB_BOOT_REPORT_SECS	5

/* Serialises adding and removing devices (notifier against watch). */
static DEFINE_MUTEX(xb_devices_lock);

/* Bumped, and the queue woken, whenever a backend state reaches a driver. */
static DECLARE_WAIT_QUEUE_HEAD(xb_state_wq);
static unsigned int xb_state_events;

/* ---- States --------------------------------------------------------------- */

static const char *const xb_state_names[] = {
	[XenbusStateUnknown]		= "Unknown",
	[XenbusStateInitialising]	= "Initialising",
	[XenbusStateInitWait]		= "InitWait",
	[XenbusStateInitialised]	= "Initialised",
	[XenbusStateConnected]		= "Connected",
	[XenbusStateClosing]		= "Closing",
	[XenbusStateClosed]		= "Closed",
	[XenbusStateReconfiguring]	= "Reconfiguring",
	[XenbusStateReconfigured]	= "Reconfigured",
};

/**
 * xenbus_strstate - name of a xenbus state
 * @state: the state
 *
 * Return: a constant string such as "Connected", or "INVALID" for a value
 * outside enum xenbus_state.
 */
const char *xenbus_strstate(enum xenbus_state state)
{
	if ((unsigned int)state < ARRAY_SIZE(xb_state_names))
		return xb_state_names[state];
	return "INVALID";
}
EXPORT_SYMBOL_GPL(xenbus_strstate);

/* A "state" value as written to xenstore: a decimal enum xenbus_state. */
static int xb_parse_state(const char *val, enum xenbus_state *state)
{
	unsigned int v;

	if (kstrtouint(val, 10, &v) || v >= ARRAY_SIZE(xb_state_names))
		return -EINVAL;
	*state = v;
	return 0;
}

/* Read <dir>/state: 0, -ENOENT (or another read error), or -EINVAL. */
static int xb_read_state(const char *dir, enum xenbus_state *state)
{
	char *val;
	int err;

	val = xenbus_read(XBT_NIL, dir, "state", NULL);
	if (IS_ERR(val))
		return PTR_ERR(val);
	err = xb_parse_state(val, state);
	kfree(val);
	return err;
}

/**
 * xenbus_read_driver_state - read the state a driver published
 * @path: the xenstore directory holding a "state" key (either end's)
 *
 * Return: the state, or XenbusStateUnknown if the key is missing or does
 * not hold a valid state.
 */
enum xenbus_state xenbus_read_driver_state(const char *path)
{
	enum xenbus_state state;

	if (xb_read_state(path, &state))
		return XenbusStateUnknown;
	return state;
}
EXPORT_SYMBOL_GPL(xenbus_read_driver_state);

/* ---- Paths and backend details -------------------------------------------- */

/* One component of device/<type>/<id>: non-empty, short, plain characters. */
static bool xb_valid_name(const char *s, size_t len)
{
	size_t i;

	if (!len || len >= XB_NAME_MAX)
		return false;
	for (i = 0; i < len; i++)
		if (!isalnum(s[i]) && !strchr("-_.@", s[i]))
			return false;
	return true;
}

/* Where a xenstore path lies relative to device/<type>/<id>. */
struct xb_node {
	char type[XB_NAME_MAX];
	char id[XB_NAME_MAX];
	unsigned int depth;	/* 0: "device", 1: <type>, 2: <id>, 3: below */
};

/*
 * Split a path under "device" (as watch events report it) into <type> and
 * <id>.  Components below <id> only raise depth to 3.  -EINVAL for a path
 * outside "device" or with a malformed <type> or <id>.
 */
static int xb_parse_path(const char *path, struct xb_node *node)
{
	const char *p, *end;
	size_t len;

	memset(node, 0, sizeof(*node));
	if (!str_has_prefix(path, "device"))
		return -EINVAL;
	for (p = path + strlen("device"); *p && node->depth < 3; p = end) {
		if (*p != '/')
			return -EINVAL;
		p++;
		end = strchrnul(p, '/');
		len = end - p;
		if (node->depth < 2) {
			char *dst = node->depth ? node->id : node->type;

			if (!xb_valid_name(p, len))
				return -EINVAL;
			memcpy(dst, p, len);
			dst[len] = '\0';
		}
		node->depth++;
	}
	return 0;
}

/*
 * Check the "backend" and "backend-id" values of a device: an absolute
 * xenstore path of sane length and a domain id below the reserved range.
 */
static int xb_check_otherend(const char *path, const char *id, int *domid)
{
	size_t len = strnlen(path, XENSTORE_ABS_PATH_MAX + 1);
	unsigned int v;

	if (len < 2 || len > XENSTORE_ABS_PATH_MAX || path[0] != '/')
		return -EINVAL;
	if (kstrtouint(id, 10, &v) || v >= DOMID_FIRST_RESERVED)
		return -EINVAL;
	*domid = v;
	return 0;
}

/* 1 if the node exists, 0 if it does not, -errno if we cannot tell. */
static int xb_node_exists(const char *path)
{
	char *val = xenbus_read(XBT_NIL, path, "", NULL);

	if (IS_ERR(val))
		return PTR_ERR(val) == -ENOENT ? 0 : PTR_ERR(val);
	kfree(val);
	return 1;
}

/* Read and check a device's backend details; *path is kmalloc'ed. */
static int xb_read_otherend(const char *nodename, char **path, int *domid)
{
	char *be, *id;
	int err;

	be = xenbus_read(XBT_NIL, nodename, "backend", NULL);
	if (IS_ERR(be))
		return PTR_ERR(be);
	id = xenbus_read(XBT_NIL, nodename, "backend-id", NULL);
	if (IS_ERR(id)) {
		kfree(be);
		return PTR_ERR(id);
	}
	err = xb_check_otherend(be, id, domid);
	kfree(id);
	if (!err) {
		/* The backend's directory must be there already. */
		err = xb_node_exists(be);
		if (err == 0)
			err = -ENOENT;
		else if (err > 0)
			err = 0;
	}
	if (err)
		kfree(be);
	else
		*path = be;
	return err;
}

static void xb_free_superseded(void *path)
{
	kfree(path);
}

/*
 * Re-read the backend details of a device we have (probe, restore).  A
 * driver's work item or the boot wait may still hold the old path, so a
 * superseded one is freed only when the driver lets go of the device
 * (devres), never here; if that cannot be arranged it is leaked instead.
 */
static int xb_refresh_otherend(struct xenbus_device *xdev)
{
	const char *old = xdev->otherend;
	char *path;
	int err, domid;

	err = xb_read_otherend(xdev->nodename, &path, &domid);
	if (err)
		return err;
	xdev->otherend_id = domid;
	if (old && !strcmp(old, path)) {
		kfree(path);
		return 0;
	}
	xdev->otherend = path;
	if (old)
		devm_add_action(&xdev->dev, xb_free_superseded, (void *)old);
	return 0;
}

/* ---- The backend's state -------------------------------------------------- */

static void xb_otherend_event(struct xenbus_watch *watch, const char *path,
			      const char *token)
{
	struct xenbus_device *xdev = container_of(watch, struct xenbus_device,
						  otherend_watch);
	struct device_driver *drv = xdev->dev.driver;
	enum xenbus_state state;
	int err;

	err = xb_read_state(xdev->otherend, &state);
	if (err == -EINVAL) {
		dev_warn_ratelimited(&xdev->dev, "%s/state is not a xenbus state; ignored\n",
				     xdev->otherend);
		return;
	}
	if (err)
		state = XenbusStateUnknown;	/* the backend has gone */
	dev_dbg(&xdev->dev, "backend %s\n", xenbus_strstate(state));
	if (drv && to_xenbus_driver(drv)->otherend_changed)
		to_xenbus_driver(drv)->otherend_changed(xdev, state);

	WRITE_ONCE(xb_state_events, xb_state_events + 1);
	wake_up_all(&xb_state_wq);
}

static void xb_unwatch_otherend(struct xenbus_device *xdev)
{
	if (!xdev->otherend_watch.node)
		return;
	unregister_xenbus_watch(&xdev->otherend_watch);
	kfree(xdev->otherend_watch.node);
	xdev->otherend_watch.node = NULL;
}

/* The watch fires once at once, so the driver learns the current state. */
static int xb_watch_otherend(struct xenbus_device *xdev)
{
	xb_unwatch_otherend(xdev);	/* never two registrations */
	return xenbus_watch_pathfmt(xdev, &xdev->otherend_watch, NULL,
				    xb_otherend_event, "%s/state", xdev->otherend);
}

/* ---- The bus -------------------------------------------------------------- */

static const struct xenbus_device_id *
xb_match_id(const struct xenbus_device_id *ids, const char *type)
{
	for (; ids && ids->devicetype[0]; ids++)
		if (!strcmp(ids->devicetype, type))
			return ids;
	return NULL;
}

static int xb_match(struct device *dev, const struct device_driver *drv)
{
	return !!xb_match_id(to_xenbus_driver(drv)->ids,
			     to_xenbus_device(dev)->devicetype);
}

static int xb_uevent(const struct device *dev, struct kobj_uevent_env *env)
{
	const struct xenbus_device *xdev = to_xenbus_device(dev);
	const struct device_driver *drv = dev->driver;

	if (add_uevent_var(env, "XENBUS_TYPE=%s", xdev->devicetype) ||
	    add_uevent_var(env, "XENBUS_PATH=%s", xdev->nodename) ||
	    add_uevent_var(env, "MODALIAS=xen:%s", xdev->devicetype))
		return -ENOMEM;
	if (drv && to_xenbus_driver(drv)->uevent)
		return to_xenbus_driver(drv)->uevent(xdev, env);
	return 0;
}

static int xb_probe(struct device *dev)
{
	struct xenbus_device *xdev = to_xenbus_device(dev);
	struct xenbus_driver *xdrv = to_xenbus_driver(dev->driver);
	const struct xenbus_device_id *id;
	int err;

	id = xb_match_id(xdrv->ids, xdev->devicetype);
	if (!id || !xdrv->probe)
		return -ENODEV;

	/* The backend may have moved since the device was found. */
	err = xb_refresh_otherend(xdev);
	if (err) {
		xenbus_dev_fatal(xdev, err, "reading backend details of %s",
				 xdev->nodename);
		return err;
	}
	/*
	 * A fresh handshake starts from Initialising; after an earlier
	 * driver left the device Closed this also tells the backend so.
	 */
	err = xenbus_switch_state(xdev, XenbusStateInitialising);
	if (err)
		return err;

	err = xdrv->probe(xdev, id);
	if (err) {
		/* Keep the driver's own report if it made one. */
		if (err != -EPROBE_DEFER && xdev->state != XenbusStateClosing)
			xenbus_dev_fatal(xdev, err, "probe by %s failed",
					 dev->driver->name);
		return err;
	}

	err = xb_watch_otherend(xdev);
	if (err) {
		if (xdrv->remove)
			xdrv->remove(xdev);
		return err;
	}
	return 0;
}

static void xb_remove(struct device *dev)
{
	struct xenbus_device *xdev = to_xenbus_device(dev);
	struct xenbus_driver *xdrv = to_xenbus_driver(dev->driver);

	xb_unwatch_otherend(xdev);
	if (xdrv->remove)
		xdrv->remove(xdev);
	/* Say we are done, unless the toolstack removed the device itself. */
	if (xdev->state != XenbusStateClosed && xb_node_exists(xdev->nodename) > 0)
		xenbus_switch_state(xdev, XenbusStateClosed);
}

/* ---- Power management ----------------------------------------------------- */

/*
 * drivers/xen/manage.c suspends with dpm_suspend_start(PMSG_FREEZE) while
 * xenstore still works, then resumes with dpm_resume_end(): PMSG_RESTORE
 * after a real save/restore or migration (xenstore already reconnected),
 * PMSG_THAW when the suspend was cancelled and we carry on where we were.
 *
 * freeze:  drop the otherend watch (so no event reaches a frozen driver,
 *          and none fires for a path that may mean nothing after restore),
 *          then the driver's suspend().
 * thaw:    watch the same backend again.  Its first event tells the driver
 *          the backend's current state; the driver's resume() is NOT
 *          called, because the connection never broke and our frontends'
 *          resume() tears the rings down for a new backend.
 * restore: we are in a new domain (maybe on a new host) whose toolstack
 *          wrote our device nodes afresh: make our state Initialising,
 *          re-read the backend details, call the driver's resume(), and
 *          watch the new backend, whose InitWait restarts the handshake.
 *
 * Devices without a driver have no watch and nothing to do.
 */
static int xb_pm_freeze(struct device *dev)
{
	struct xenbus_device *xdev = to_xenbus_device(dev);
	struct xenbus_driver *xdrv;
	int err;

	if (!dev->driver)
		return 0;
	xdrv = to_xenbus_driver(dev->driver);
	xb_unwatch_otherend(xdev);
	if (!xdrv->suspend)
		return 0;
	err = xdrv->suspend(xdev);
	if (err) {
		dev_warn(dev, "suspend failed: %d\n", err);
		xb_watch_otherend(xdev);
	}
	return err;
}

static int xb_pm_thaw(struct device *dev)
{
	if (!dev->driver)
		return 0;
	return xb_watch_otherend(to_xenbus_device(dev));
}

static int xb_pm_restore(struct device *dev)
{
	struct xenbus_device *xdev = to_xenbus_device(dev);
	struct xenbus_driver *xdrv;
	int err;

	if (!dev->driver)
		return 0;
	xdrv = to_xenbus_driver(dev->driver);

	xdev->state = xenbus_read_driver_state(xdev->nodename);
	err = xenbus_switch_state(xdev, XenbusStateInitialising);
	if (err)
		return err;
	err = xb_refresh_otherend(xdev);
	if (err) {
		xenbus_dev_fatal(xdev, err, "reading backend details after restore");
		return err;
	}
	if (xdrv->resume) {
		err = xdrv->resume(xdev);
		if (err) {
			xenbus_dev_fatal(xdev, err, "resuming");
			return err;
		}
	}
	return xb_watch_otherend(xdev);
}

static const struct dev_pm_ops xb_pm_ops = {
	.freeze		= xb_pm_freeze,
	.thaw		= xb_pm_thaw,
	.restore	= xb_pm_restore,
};

/* ---- sysfs ---------------------------------------------------------------- */

static ssize_t nodename_show(struct device *dev, struct device_attribute *attr,
			     char *buf)
{
	return sysfs_emit(buf, "%s\n", to_xenbus_device(dev)->nodename);
}
static DEVICE_ATTR_RO(nodename);

static ssize_t devtype_show(struct device *dev, struct device_attribute *attr,
			    char *buf)
{
	return sysfs_emit(buf, "%s\n", to_xenbus_device(dev)->devicetype);
}
static DEVICE_ATTR_RO(devtype);

static ssize_t modalias_show(struct device *dev, struct device_attribute *attr,
			     char *buf)
{
	return sysfs_emit(buf, "xen:%s\n", to_xenbus_device(dev)->devicetype);
}
static DEVICE_ATTR_RO(modalias);

static ssize_t state_show(struct device *dev, struct device_attribute *attr,
			  char *buf)
{
	return sysfs_emit(buf, "%s\n",
			  xenbus_strstate(READ_ONCE(to_xenbus_device(dev)->state)));
}
static DEVICE_ATTR_RO(state);

static struct attribute *xb_dev_attrs[] = {
	&dev_attr_nodename.attr,
	&dev_attr_devtype.attr,
	&dev_attr_modalias.attr,
	&dev_attr_state.attr,
	NULL,
};
ATTRIBUTE_GROUPS(xb_dev);

static const struct bus_type xen_frontend_bus = {
	.name		= "xen",
	.match		= xb_match,
	.uevent		= xb_uevent,
	.probe		= xb_probe,
	.remove		= xb_remove,
	.dev_groups	= xb_dev_groups,
	.pm		= &xb_pm_ops,
};

/**
 * __xenbus_register_frontend - register a frontend driver
 * @drv: the driver; ids must end with an entry whose devicetype is empty
 * @owner: the module it lives in
 * @mod_name: that module's name
 *
 * Use the xenbus_register_frontend() macro.  Devices of the driver's types
 * that are already known are probed now.
 *
 * Return: 0 or -errno.
 */
int __xenbus_register_frontend(struct xenbus_driver *drv, struct module *owner,
			       const char *mod_name)
{
	if (!drv->ids || !drv->ids[0].devicetype[0])
		return -EINVAL;
	drv->driver.name = drv->name ?: drv->ids[0].devicetype;
	drv->driver.bus = &xen_frontend_bus;
	drv->driver.owner = owner;
	drv->driver.mod_name = mod_name;
	return driver_register(&drv->driver);
}
EXPORT_SYMBOL_GPL(__xenbus_register_frontend);

/**
 * xenbus_unregister_driver - unregister a frontend driver
 * @drv: the driver; each of its devices is removed from it first
 */
void xenbus_unregister_driver(struct xenbus_driver *drv)
{
	driver_unregister(&drv->driver);
}
EXPORT_SYMBOL_GPL(xenbus_unregister_driver);

/* ---- Finding devices ------------------------------------------------------ */

static void xb_release(struct device *dev)
{
	struct xenbus_device *xdev = to_xenbus_device(dev);

	kfree(xdev->devicetype);
	kfree(xdev->nodename);
	kfree(xdev->otherend);
	kfree(xdev);
}

static int xb_same_node(struct device *dev, const void *nodename)
{
	return !strcmp(to_xenbus_device(dev)->nodename, nodename);
}

/* A device below prefix whose node has been removed from xenstore. */
static int xb_node_vanished(struct device *dev, const void *prefix)
{
	const char *node = to_xenbus_device(dev)->nodename;
	size_t len = strlen(prefix);

	if (strncmp(node, prefix, len) || node[len] != '/')
		return 0;
	return xb_node_exists(node) == 0;
}

/* Register device/<type>/<id>; takes over nodename. */
static void xb_add_device(const char *type, const char *id, char *nodename,
			  bool quiet)
{
	struct xenbus_device *xdev;
	char *otherend;
	int err, domid;

	err = xb_read_otherend(nodename, &otherend, &domid);
	if (err) {
		/*
		 * A device being written out non-atomically, or a bad one.
		 * A node with no backend key at all is no device (libxl's
		 * device/suspend/event-channel, say): not worth a warning.
		 */
		if (quiet || err == -ENOENT)
			pr_debug("%s: no usable backend yet (%d)\n", nodename, err);
		else
			pr_warn("%s: ignored, no usable backend (%d)\n", nodename, err);
		kfree(nodename);
		return;
	}

	xdev = kzalloc(sizeof(*xdev), GFP_KERNEL);
	if (!xdev) {
		kfree(otherend);
		kfree(nodename);
		return;
	}
	xdev->nodename = nodename;
	xdev->otherend = otherend;
	xdev->otherend_id = domid;
	xdev->state = xenbus_read_driver_state(nodename);
	xdev->dev.bus = &xen_frontend_bus;
	xdev->dev.release = xb_release;
	device_initialize(&xdev->dev);
	/* From here on put_device() frees everything. */
	xdev->devicetype = kstrdup(type, GFP_KERNEL);
	err = xdev->devicetype ? dev_set_name(&xdev->dev, "%s-%s", type, id) : -ENOMEM;
	if (!err)
		err = device_add(&xdev->dev);
	if (err) {
		pr_warn_ratelimited("%s: cannot add device: %d\n", nodename, err);
		put_device(&xdev->dev);
	}
}

/*
 * Bring the bus in line with device/<type>/<id>: add it if it is new,
 * unregister it if an event on the node itself (below == false) finds it
 * gone.  Caller holds xb_devices_lock.
 */
static void xb_sync_device(const char *type, const char *id, bool below,
			   bool quiet)
{
	struct device *dev;
	char *nodename;

	nodename = kasprintf(GFP_KERNEL, "device/%s/%s", type, id);
	if (!nodename)
		return;
	dev = bus_find_device(&xen_frontend_bus, NULL, nodename, xb_same_node);
	if (dev) {
		if (!below && xb_node_exists(nodename) == 0) {
			dev_info(dev, "removed from xenstore\n");
			device_unregister(dev);
		}
		put_device(dev);
		kfree(nodename);
	} else if (xb_node_exists(nodename) > 0) {
		xb_add_device(type, id, nodename, quiet);
	} else {
		kfree(nodename);
	}
}

/* Add every device of one type, or of all types when type is NULL. */
static void xb_scan(const char *type, bool quiet)
{
	unsigned int i, n;
	char **names;

	names = xenbus_directory(XBT_NIL, "device", type ?: "", &n);
	if (IS_ERR(names))
		return;
	for (i = 0; i < n; i++) {
		if (!xb_valid_name(names[i], strlen(names[i]))) {
			pr_warn_ratelimited("ignoring malformed name under device/%s\n",
					    type ?: "");
			continue;
		}
		if (type)
			xb_sync_device(type, names[i], false, quiet);
		else
			xb_scan(names[i], quiet);
	}
	kfree(names);
}

/* Unregister every device below prefix whose node has gone. */
static void xb_sweep(const char *prefix)
{
	struct device *dev;

	while ((dev = bus_find_device(&xen_frontend_bus, NULL, prefix,
				      xb_node_vanished))) {
		dev_info(dev, "removed from xenstore\n");
		device_unregister(dev);
		put_device(dev);
	}
}

static void xb_device_event(struct xenbus_watch *watch, const char *path,
			    const char *token)
{
	struct xb_node node;

	if (xb_parse_path(path, &node))
		return;
	mutex_lock(&xb_devices_lock);
	switch (node.depth) {
	case 0:
	case 1:
		/* A whole type (or everything) came or went. */
		xb_sweep(path);
		xb_scan(node.depth ? node.type : NULL, true);
		break;
	default:
		xb_sync_device(node.type, node.id, node.depth > 2, true);
		break;
	}
	mutex_unlock(&xb_devices_lock);
}

static struct xenbus_watch xb_device_watch = {
	.node		= "device",
	.callback	= xb_device_event,
};

static int xb_xenstore_ready(struct notifier_block *nb, unsigned long event,
			     void *data)
{
	static bool watching;
	int err;

	mutex_lock(&xb_devices_lock);
	xb_scan(NULL, false);
	mutex_unlock(&xb_devices_lock);

	if (watching)
		return NOTIFY_DONE;
	err = register_xenbus_watch(&xb_device_watch);
	if (err)
		pr_err("cannot watch \"device\" (%d): no hotplug\n", err);
	watching = !err;
	return NOTIFY_DONE;
}

static struct notifier_block xb_xenstore_nb = {
	.notifier_call = xb_xenstore_ready,
};

static int __init xb_init(void)
{
	int err;

	if (!xen_domain())
		return -ENODEV;
	err = bus_register(&xen_frontend_bus);
	if (err) {
		pr_err("cannot register the bus: %d\n", err);
		return err;
	}
	register_xenstore_notifier(&xb_xenstore_nb);
	return 0;
}
subsys_initcall(xb_init);

/* ---- Waiting for devices at boot ------------------------------------------ */

struct xb_wait {
	unsigned int pending;
	unsigned int elapsed;	/* seconds, for the report */
	bool report;		/* name each device still waited for */
	bool final;		/* ... and say we give up on it */
};

static int xb_check_device(struct device *dev, void *data)
{
	struct xenbus_device *xdev = to_xenbus_device(dev);
	struct device_driver *drv = READ_ONCE(dev->driver);
	enum xenbus_state ours = READ_ONCE(xdev->state), theirs;
	struct xb_wait *w = data;

	if (!drv || to_xenbus_driver(drv)->not_essential)
		return 0;
	if (ours == XenbusStateConnected || ours == XenbusStateClosed)
		return 0;
	theirs = xenbus_read_driver_state(xdev->otherend);
	if (theirs == XenbusStateClosed || theirs == XenbusStateUnknown)
		return 0;
	w->pending++;
	if (w->final)
		dev_warn(dev, "not connected after %us (we are %s, backend %s is %s); going on\n",
			 w->elapsed, xenbus_strstate(ours), xdev->otherend,
			 xenbus_strstate(theirs));
	else if (w->report)
		dev_info(dev, "waiting for it to connect (we are %s, backend is %s)\n",
			 xenbus_strstate(ours), xenbus_strstate(theirs));
	return 0;
}

/*
 * Boot must not go on to mount a root on a disk that is still connecting:
 * wait until each device with a driver (other than not_essential ones)
 * is Connected, or its backend is Closed or gone, or we gave up ourselves
 * (Closed).  Wake on every backend state delivered, re-check once a second
 * anyway, name the laggards every XB_BOOT_REPORT_SECS, and give up after
 * XB_BOOT_WAIT_SECS.
 */
static int __init xb_wait_for_devices(void)
{
	unsigned long start = jiffies, next_report = start + XB_BOOT_REPORT_SECS * HZ;
	unsigned long deadline = start + XB_BOOT_WAIT_SECS * HZ;
	struct xb_wait w = {};
	unsigned int seen;

	if (!xen_domain() || !xenstored_ready)
		return 0;
	/* A driver that probes asynchronously has no device bound until then. */
	wait_for_device_probe();
	for (;;) {
		seen = READ_ONCE(xb_state_events);
		w.pending = 0;
		w.elapsed = jiffies_to_msecs(jiffies - start) / MSEC_PER_SEC;
		w.final = time_after_eq(jiffies, deadline);
		w.report = w.final || time_after_eq(jiffies, next_report);
		bus_for_each_dev(&xen_frontend_bus, NULL, &w, xb_check_device);
		if (!w.pending || w.final)
			break;
		if (w.report) {
			pr_info("%u device(s) not yet connected after %us\n",
				w.pending, w.elapsed);
			next_report += XB_BOOT_REPORT_SECS * HZ;
		}
		wait_event_timeout(xb_state_wq, READ_ONCE(xb_state_events) != seen, HZ);
	}
	if (w.pending)
		pr_warn("gave up waiting for %u device(s)\n", w.pending);
	return 0;
}
late_initcall(xb_wait_for_devices);

/* ---- Tests ---------------------------------------------------------------- */

#if IS_REACHABLE(CONFIG_KUNIT)
#include <kunit/test.h>

static void xb_test_parse_state(struct kunit *test)
{
	enum xenbus_state s = XenbusStateUnknown;

	KUNIT_EXPECT_EQ(test, xb_parse_state("4", &s), 0);
	KUNIT_EXPECT_EQ(test, s, XenbusStateConnected);
	KUNIT_EXPECT_EQ(test, xb_parse_state("0", &s), 0);
	KUNIT_EXPECT_EQ(test, s, XenbusStateUnknown);
	KUNIT_EXPECT_EQ(test, xb_parse_state("8\n", &s), 0);
	KUNIT_EXPECT_EQ(test, s, XenbusStateReconfigured);
	KUNIT_EXPECT_EQ(test, xb_parse_state("9", &s), -EINVAL);
	KUNIT_EXPECT_EQ(test, xb_parse_state("-1", &s), -EINVAL);
	KUNIT_EXPECT_EQ(test, xb_parse_state("", &s), -EINVAL);
	KUNIT_EXPECT_EQ(test, xb_parse_state("4x", &s), -EINVAL);
	KUNIT_EXPECT_EQ(test, xb_parse_state(" 4", &s), -EINVAL);
	KUNIT_EXPECT_EQ(test, xb_parse_state("4294967300", &s), -EINVAL);
	KUNIT_EXPECT_EQ(test, s, XenbusStateReconfigured);	/* untouched */
}

static void xb_test_strstate(struct kunit *test)
{
	KUNIT_EXPECT_STREQ(test, xenbus_strstate(XenbusStateInitWait), "InitWait");
	KUNIT_EXPECT_STREQ(test, xenbus_strstate(XenbusStateClosed), "Closed");
	KUNIT_EXPECT_STREQ(test, xenbus_strstate(XenbusStateReconfigured),
			   "Reconfigured");
	KUNIT_EXPECT_STREQ(test, xenbus_strstate((enum xenbus_state)9), "INVALID");
	KUNIT_EXPECT_STREQ(test, xenbus_strstate((enum xenbus_state)-1), "INVALID");
}

static void xb_test_parse_path(struct kunit *test)
{
	struct xb_node n;

	KUNIT_ASSERT_EQ(test, xb_parse_path("device/vbd/51712", &n), 0);
	KUNIT_EXPECT_STREQ(test, n.type, "vbd");
	KUNIT_EXPECT_STREQ(test, n.id, "51712");
	KUNIT_EXPECT_EQ(test, n.depth, 2U);

	KUNIT_ASSERT_EQ(test, xb_parse_path("device/vif/0/queue-1/tx-ring-ref", &n), 0);
	KUNIT_EXPECT_STREQ(test, n.type, "vif");
	KUNIT_EXPECT_STREQ(test, n.id, "0");
	KUNIT_EXPECT_EQ(test, n.depth, 3U);

	KUNIT_ASSERT_EQ(test, xb_parse_path("device/vbd", &n), 0);
	KUNIT_EXPECT_STREQ(test, n.type, "vbd");
	KUNIT_EXPECT_EQ(test, n.depth, 1U);
	KUNIT_ASSERT_EQ(test, xb_parse_path("device", &n), 0);
	KUNIT_EXPECT_EQ(test, n.depth, 0U);

	KUNIT_EXPECT_EQ(test, xb_parse_path("devices/vbd", &n), -EINVAL);
	KUNIT_EXPECT_EQ(test, xb_parse_path("control/shutdown", &n), -EINVAL);
	KUNIT_EXPECT_EQ(test, xb_parse_path("/local/domain/1/device/vbd/1", &n), -EINVAL);
	KUNIT_EXPECT_EQ(test, xb_parse_path("device/", &n), -EINVAL);
	KUNIT_EXPECT_EQ(test, xb_parse_path("device//1", &n), -EINVAL);
	KUNIT_EXPECT_EQ(test, xb_parse_path("device/vbd/5 1", &n), -EINVAL);
	KUNIT_EXPECT_EQ(test, xb_parse_path("device/0123456789abcdef0123456789abcdef/1",
					    &n), -EINVAL);
}

static void xb_test_device_name(struct kunit *test)
{
	struct xb_node n;
	char name[2 * XB_NAME_MAX];

	KUNIT_ASSERT_EQ(test, xb_parse_path("device/vbd/51712/state", &n), 0);
	snprintf(name, sizeof(name), "%s-%s", n.type, n.id);
	KUNIT_EXPECT_STREQ(test, name, "vbd-51712");
	KUNIT_ASSERT_EQ(test, xb_parse_path("device/vif/0", &n), 0);
	snprintf(name, sizeof(name), "%s-%s", n.type, n.id);
	KUNIT_EXPECT_STREQ(test, name, "vif-0");

	KUNIT_EXPECT_TRUE(test, xb_valid_name("a_b-c.d@e", 9));
	KUNIT_EXPECT_FALSE(test, xb_valid_name("a/b", 3));
	KUNIT_EXPECT_FALSE(test, xb_valid_name("", 0));
}

static void xb_test_otherend(struct kunit *test)
{
	int id = -1;

	KUNIT_EXPECT_EQ(test, xb_check_otherend("/local/domain/0/backend/vbd/3/51712",
						"0", &id), 0);
	KUNIT_EXPECT_EQ(test, id, 0);
	KUNIT_EXPECT_EQ(test, xb_check_otherend("/b", "32751", &id), 0);
	KUNIT_EXPECT_EQ(test, id, 32751);
	KUNIT_EXPECT_EQ(test, xb_check_otherend("/b", "32752", &id), -EINVAL);
	KUNIT_EXPECT_EQ(test, xb_check_otherend("/b", "-1", &id), -EINVAL);
	KUNIT_EXPECT_EQ(test, xb_check_otherend("/b", "", &id), -EINVAL);
	KUNIT_EXPECT_EQ(test, xb_check_otherend("/b", "0x1", &id), -EINVAL);
	KUNIT_EXPECT_EQ(test, xb_check_otherend("", "0", &id), -EINVAL);
	KUNIT_EXPECT_EQ(test, xb_check_otherend("/", "0", &id), -EINVAL);
	KUNIT_EXPECT_EQ(test, xb_check_otherend("backend/vbd", "0", &id), -EINVAL);
	KUNIT_EXPECT_EQ(test, id, 32751);	/* untouched by failures */
}

static void xb_test_match(struct kunit *test)
{
	static const struct xenbus_device_id ids[] = { { "vbd" }, { "vif" }, { "" } };

	KUNIT_EXPECT_PTR_EQ(test, xb_match_id(ids, "vif"), &ids[1]);
	KUNIT_EXPECT_PTR_EQ(test, xb_match_id(ids, "vbd"), &ids[0]);
	KUNIT_EXPECT_NULL(test, xb_match_id(ids, "vb"));
	KUNIT_EXPECT_NULL(test, xb_match_id(ids, ""));
	KUNIT_EXPECT_NULL(test, xb_match_id(NULL, "vbd"));
}

static void xb_test_uevent(struct kunit *test)
{
	struct kobj_uevent_env *env = kunit_kzalloc(test, sizeof(*env), GFP_KERNEL);
	struct xenbus_device *xdev = kunit_kzalloc(test, sizeof(*xdev), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, env);
	KUNIT_ASSERT_NOT_NULL(test, xdev);
	xdev->devicetype = "vbd";
	xdev->nodename = "device/vbd/51712";
	KUNIT_ASSERT_EQ(test, xb_uevent(&xdev->dev, env), 0);
	KUNIT_ASSERT_EQ(test, env->envp_idx, 3);
	KUNIT_EXPECT_STREQ(test, env->envp[0], "XENBUS_TYPE=vbd");
	KUNIT_EXPECT_STREQ(test, env->envp[1], "XENBUS_PATH=device/vbd/51712");
	KUNIT_EXPECT_STREQ(test, env->envp[2], "MODALIAS=xen:vbd");
}

static struct kunit_case xb_bus_cases[] = {
	KUNIT_CASE(xb_test_parse_state),
	KUNIT_CASE(xb_test_strstate),
	KUNIT_CASE(xb_test_parse_path),
	KUNIT_CASE(xb_test_device_name),
	KUNIT_CASE(xb_test_otherend),
	KUNIT_CASE(xb_test_match),
	KUNIT_CASE(xb_test_uevent),
	{}
};

static struct kunit_suite xb_bus_suite = {
	.name = "xen-xenbus-bus",
	.test_cases = xb_bus_cases,
};

kunit_test_suite(xb_bus_suite);
#endif /* IS_REACHABLE(CONFIG_KUNIT) */
