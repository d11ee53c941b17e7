/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The xenbus interface of a Xen PV guest.
 *
 * Xenstore is a small tree of keys that the toolstack and every domain
 * share; a split driver's two halves (our frontend, a backend in another
 * domain) find each other through it.  A device appears in our own part of
 * the tree as device/<type>/<id>: its keys say where the backend's directory
 * is ("backend") and which domain runs it ("backend-id").  Each side keeps
 * its progress in a "state" key (enum xenbus_state: Initialising, InitWait,
 * Initialised, Connected, Closing, Closed) and watches the other's, and the
 * two step each other through that handshake; rings and event channels are
 * advertised as further keys.
 *
 * This header is what frontends and the rest of the port see:
 *
 *  - the xenstore operations (read, write, transactions, watches), carried
 *    out by the xenstore client in drivers/xen/xenbus/;
 *  - the "xen" bus on which every device/<type>/<id> becomes a struct
 *    xenbus_device, and the struct xenbus_driver a frontend registers;
 *  - the helpers a frontend needs for the handshake: switching its state,
 *    sharing ring pages, allocating event channels, reporting errors.
 *
 * Only frontend support is declared here; a guest of this port never runs
 * backends.
 */

#ifndef _XEN_XENBUS_H
#define _XEN_XENBUS_H

#include <linux/device.h>
#include <linux/err.h>
#include <linux/notifier.h>
#include <linux/slab.h>
#include <xen/interface/xen.h>
#include <xen/interface/grant_table.h>
#include <xen/interface/event_channel.h>
#include <xen/interface/io/xenbus.h>
#include <xen/interface/io/xs_wire.h>

/* A shared ring may span up to 2^XENBUS_MAX_RING_GRANT_ORDER pages. */
#define XENBUS_MAX_RING_GRANT_ORDER	4
#define XENBUS_MAX_RING_GRANTS		16U	/* 2^XENBUS_MAX_RING_GRANT_ORDER */

/*
 * A watch on a xenstore node and everything below it.  The xenstore client
 * owns list and nr_pending; the user fills in the rest.
 */
struct xenbus_watch {
	struct list_head list;

	/* The path watched. */
	const char *node;

	/* Events queued but not yet delivered. */
	unsigned int nr_pending;

	/*
	 * Optional filter, called with a spinlock held when an event
	 * arrives; returning false drops the event.
	 */
	bool (*will_handle)(struct xenbus_watch *watch,
			    const char *path, const char *token);

	/* Called for each event from the watch thread, no locks held. */
	void (*callback)(struct xenbus_watch *watch,
			 const char *path, const char *token);
};

/* One device/<type>/<id> of our xenstore directory. */
struct xenbus_device {
	const char *devicetype;		/* <type>, e.g. "vbd" */
	const char *nodename;		/* "device/<type>/<id>" */
	const char *otherend;		/* the backend's directory */
	int otherend_id;		/* the backend's domain */
	struct xenbus_watch otherend_watch;	/* on <otherend>/state */
	struct device dev;
	enum xenbus_state state;	/* our own state, as last written */

	/*
	 * Kept by the event channel code for the device's late-EOI channels:
	 * how many are bound, events seen, events that brought no work, the
	 * delay put on the EOI of a noisy channel (jiffies, in total), and the
	 * number of spurious events before that delay starts (0: default).
	 */
	unsigned int spurious_threshold;
	atomic_t events, spurious_events;
	atomic_t jiffies_eoi_delayed;
	atomic_t event_channels;
};

#define to_xenbus_device(__dev)	container_of_const(__dev, struct xenbus_device, dev)

struct xenbus_device_id {
	char devicetype[32];		/* the <type> of device/<type>/<id> */
};

/* A frontend driver for one or more device types. */
struct xenbus_driver {
	const char *name;		/* defaults to ids[0].devicetype */
	const struct xenbus_device_id *ids;	/* ends with an empty entry */
	struct device_driver driver;
	bool not_essential;		/* boot need not wait for it */

	/* Called by the bus, in process context. */
	int (*probe)(struct xenbus_device *dev,
		     const struct xenbus_device_id *id);
	void (*remove)(struct xenbus_device *dev);
	int (*uevent)(const struct xenbus_device *dev,
		      struct kobj_uevent_env *env);
	/* The backend's state node changed; the new value. */
	void (*otherend_changed)(struct xenbus_device *dev,
				 enum xenbus_state backend_state);
	/* Before a save (freeze) and after a restore or migration. */
	int (*suspend)(struct xenbus_device *dev);
	int (*resume)(struct xenbus_device *dev);
};

#define to_xenbus_driver(__drv)	container_of_const(__drv, struct xenbus_driver, driver)

int __must_check __xenbus_register_frontend(struct xenbus_driver *drv,
					    struct module *owner,
					    const char *mod_name);
#define xenbus_register_frontend(drv) \
	__xenbus_register_frontend(drv, THIS_MODULE, KBUILD_MODNAME)
void xenbus_unregister_driver(struct xenbus_driver *drv);

/*
 * Xenstore access (drivers/xen/xenbus/xenstore*.c).  A path is dir/node,
 * or dir alone when node is "".  A relative path is taken within our own
 * domain's directory.  Every call may sleep.
 */

struct xenbus_transaction {
	u32 id;
};

/* No transaction: each operation stands alone. */
#define XBT_NIL ((struct xenbus_transaction) { 0 })

/* Open a transaction; close it with abort = 0 to commit (-EAGAIN: retry). */
int xenbus_transaction_start(struct xenbus_transaction *xbt);
int xenbus_transaction_end(struct xenbus_transaction xbt, int abort);

/* The names of a node's children: one kfree()able block, or ERR_PTR. */
char **xenbus_directory(struct xenbus_transaction xbt, const char *dir,
			const char *node, unsigned int *num);

/* A node's value, NUL-terminated, kmalloc'ed (len: without the NUL). */
void *xenbus_read(struct xenbus_transaction xbt, const char *dir,
		  const char *node, unsigned int *len);

/* Read a value and sscanf() it: the count of items converted, or -errno. */
__scanf(4, 5) int xenbus_scanf(struct xenbus_transaction xbt, const char *dir,
			       const char *node, const char *fmt, ...);

/* Whether a node exists. */
int xenbus_exists(struct xenbus_transaction xbt, const char *dir,
		  const char *node);

/* A decimal value, or default_val when it is missing or malformed. */
unsigned int xenbus_read_unsigned(const char *dir, const char *node,
				  unsigned int default_val);

/* One node of xenbus_read_unsigned_many(): name and default in, value out. */
struct xenbus_unsigned_key {
	const char *name;
	unsigned int def;
	unsigned int val;
};

/* xenbus_read_unsigned() of each key, all in one round trip. */
void xenbus_read_unsigned_many(const char *dir, struct xenbus_unsigned_key *keys,
			       unsigned int n);

/*
 * Several values at once: triples of node name, sscanf() format (NULL for
 * the kmalloc'ed string itself) and destination, then a NULL.  0 or -errno.
 */
int xenbus_gather(struct xenbus_transaction xbt, const char *dir, ...);

/* Writing creates missing parents.  All return 0 or -errno. */
int xenbus_write(struct xenbus_transaction xbt, const char *dir,
		 const char *node, const char *string);
__printf(4, 5) int xenbus_printf(struct xenbus_transaction xbt, const char *dir,
				 const char *node, const char *fmt, ...);
int xenbus_mkdir(struct xenbus_transaction xbt, const char *dir,
		 const char *node);
int xenbus_rm(struct xenbus_transaction xbt, const char *dir, const char *node);

/*
 * Called once xenstore is usable; a notifier registered after that is
 * called at once.
 */
int register_xenstore_notifier(struct notifier_block *nb);
void unregister_xenstore_notifier(struct notifier_block *nb);
extern int xenstored_ready;	/* 1 once the connection is up */

/*
 * A new watch fires once at once.  Callbacks run one at a time in the
 * watch thread.  Unregistering also works from a callback (the bus drops
 * device watches from the watch thread); elsewhere it waits for a running
 * callback to finish.  Either way no queued event is delivered afterwards.
 */
int register_xenbus_watch(struct xenbus_watch *watch);
void unregister_xenbus_watch(struct xenbus_watch *watch);

/* Save/restore of the xenstore connection (drivers/xen/manage.c). */
void xs_suspend(void);
void xs_suspend_cancel(void);	/* the same connection goes on */
void xs_resume(void);		/* a new one, after restore or migration */

int xen_set_callback_via(uint64_t via);

/* /dev/xen/xenbus and xenfs's "xenbus" file. */
extern const struct file_operations xen_xenbus_fops;
extern struct xenstore_domain_interface *xen_store_interface;
extern int xen_store_evtchn;

/*
 * For a string just read: an empty value counts as an error (-ERANGE, and
 * the string is freed).  True if str is (now) an error.
 */
static inline bool __xenbus_is_err_read(char **str)
{
	if (!IS_ERR(*str) && !**str) {
		kfree(*str);
		*str = ERR_PTR(-ERANGE);
	}
	return IS_ERR(*str);
}

#define XENBUS_IS_ERR_READ(str)	__xenbus_is_err_read(&(str))

/*
 * Frontend helpers: drivers/xen/xenbus/frontend_helpers.c, and
 * frontend_bus.c for the states.
 */

/* Watch a path for a device; the fmt variant kmallocs watch->node. */
int xenbus_watch_path(struct xenbus_device *dev, const char *path,
		      struct xenbus_watch *watch,
		      bool (*filter)(struct xenbus_watch *, const char *, const char *),
		      void (*handler)(struct xenbus_watch *, const char *, const char *));
__printf(5, 6)
int xenbus_watch_pathfmt(struct xenbus_device *dev, struct xenbus_watch *watch,
			 bool (*filter)(struct xenbus_watch *, const char *, const char *),
			 void (*handler)(struct xenbus_watch *, const char *, const char *),
			 const char *pathfmt, ...);

int xenbus_switch_state(struct xenbus_device *dev, enum xenbus_state new_state);
int xenbus_frontend_closed(struct xenbus_device *dev);
enum xenbus_state xenbus_read_driver_state(const char *path);
const char *xenbus_strstate(enum xenbus_state state);

int xenbus_setup_ring(struct xenbus_device *dev, gfp_t gfp, void **vaddr,
		      unsigned int nr_pages, grant_ref_t *grefs);
void xenbus_teardown_ring(void **vaddr, unsigned int nr_pages,
			  grant_ref_t *grefs);

int xenbus_alloc_evtchn(struct xenbus_device *dev, evtchn_port_t *port);
int xenbus_free_evtchn(struct xenbus_device *dev, evtchn_port_t port);

__printf(3, 4)
void xenbus_dev_error(struct xenbus_device *dev, int err, const char *fmt, ...);
__printf(3, 4)
void xenbus_dev_fatal(struct xenbus_device *dev, int err, const char *fmt, ...);

#endif /* _XEN_XENBUS_H */
