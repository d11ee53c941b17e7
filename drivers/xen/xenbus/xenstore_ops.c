// SPDX-License-Identifier: GPL-2.0
/*
 * xenstore_ops.c - the xenstore calls drivers make: read, write, list,
 * remove, formatted reads and writes, and transactions.
 *
 * Each is one request and one reply through xs_call() (xenstore.c), with
 * the payloads the protocol gives them:
 *
 *	XS_READ		"path\0"		-> the value, not terminated
 *	XS_WRITE	"path\0" value		-> "OK\0"
 *	XS_MKDIR, XS_RM	"path\0"		-> "OK\0"
 *	XS_DIRECTORY	"path\0"		-> "name\0name\0..."
 *	XS_TRANSACTION_START "\0"		-> "id\0"
 *	XS_TRANSACTION_END   "T\0" (commit) or "F\0" (abort) -> "OK\0"
 *
 * and any of them may be answered by XS_ERROR "ENOENT\0" and the like,
 * which xs_call() turns into -ENOENT.  A node is named by a directory and
 * a name under it, joined with a '/'; an empty name means the directory
 * itself (privcmd reads ("target", ""), the bus ("device", "")).  A path
 * not starting with '/' is relative to the domain's own home,
 * /local/domain/<domid>; xenstored resolves that.
 *
 * Requests made inside a transaction carry its id; a commit that collides
 * with another writer fails with -EAGAIN and the caller starts over.  An
 * open kernel transaction holds xenstore's suspend gate (see xenstore.h)
 * from start to end, so a suspend waits for it to finish.
 *
 * Writes inside a transaction do not wait for their replies.  xenstored
 * answers one connection's requests in the order they come, so a later
 * read in the transaction sees the write, and the commit is answered after
 * every write before it.  xenbus_transaction_end() first waits for the
 * transaction's writes and, if one of them failed, aborts and returns that
 * error.  A frontend's handshake writes a dozen keys in one transaction:
 * they now cost one round trip to dom0's xenstored instead of a dozen,
 * which is most of a device's connect time at boot.
 */

#define pr_fmt(fmt) "xen-xenstore: " fmt

#include <linux/atomic.h>
#include <linux/err.h>
#include <linux/kernel.h>
#include <linux/list.h>
#include <linux/kstrtox.h>
#include <linux/printk.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/string.h>
#include <linux/wait.h>

#include <xen/xen.h>
#include <xen/xenbus.h>

#include "xenstore.h"

/**
 * xs_join_path - the path of node @node in directory @dir
 * @dir: the directory
 * @node: the name in it, or "" for @dir itself
 *
 * Return: "dir/node" (or a copy of @dir), kmalloc'ed; NULL without memory.
 */
char *xs_join_path(const char *dir, const char *node)
{
	if (!node[0])
		return kstrdup(dir, GFP_KERNEL);
	return kasprintf(GFP_KERNEL, "%s/%s", dir, node);
}

static unsigned int xs_txn_flags(struct xenbus_transaction t)
{
	return t.id ? XSQ_HELD : 0;
}

/* One request on the node dir/node, with @data appended after its path. */
static int xs_node_call(struct xenbus_transaction t,
			enum xsd_sockmsg_type type, const char *dir,
			const char *node, const char *data, unsigned int dlen,
			char **reply, unsigned int *rlen)
{
	struct kvec vec[2];
	char *path;
	int err;

	path = xs_join_path(dir, node);
	if (!path)
		return -ENOMEM;
	vec[0].iov_base = path;
	vec[0].iov_len = strlen(path) + 1;
	vec[1].iov_base = (void *)data;
	vec[1].iov_len = dlen;
	err = xs_call(t.id, type, vec, data ? 2 : 1, xs_txn_flags(t),
		      reply, rlen);
	kfree(path);
	return err;
}

/**
 * xenbus_read - read a node's value
 * @t: transaction, or XBT_NIL
 * @dir: directory
 * @node: name in @dir, or ""
 * @len: if not NULL, set to the value's length
 *
 * Return: the value, NUL-terminated, kmalloc'ed (kfree it); or an
 * ERR_PTR(-errno), -ENOENT for a node that does not exist.
 */
void *xenbus_read(struct xenbus_transaction t, const char *dir,
		  const char *node, unsigned int *len)
{
	unsigned int n;
	char *val;
	int err;

	err = xs_node_call(t, XS_READ, dir, node, NULL, 0, &val, &n);
	if (err)
		return ERR_PTR(err);
	if (len)
		*len = n;
	return val;
}
EXPORT_SYMBOL_GPL(xenbus_read);

/* ---- Writes inside a transaction: sent, not waited for ---- */

/* The writes of one open transaction that have not been answered yet. */
struct xs_txn_writes {
	struct list_head list;
	u32 id;
	unsigned int pending;
	int err;		/* the first failure, or 0 */
};

struct xs_write_req {
	struct xs_req req;
	struct xs_txn_writes *txn;
	char payload[];		/* "path\0" value */
};

static DEFINE_SPINLOCK(xs_txn_lock);
static LIST_HEAD(xs_txn_list);
static DECLARE_WAIT_QUEUE_HEAD(xs_txn_wq);

/* Called with xs_txn_lock held. */
static struct xs_txn_writes *xs_txn_find(u32 id)
{
	struct xs_txn_writes *txn;

	list_for_each_entry(txn, &xs_txn_list, list)
		if (txn->id == id)
			return txn;
	return NULL;
}

/* The I/O thread's callback: note the outcome, wake the committer. */
static void xs_write_done(struct xs_req *req)
{
	struct xs_write_req *w = container_of(req, struct xs_write_req, req);
	struct xs_txn_writes *txn = w->txn;
	int err = req->err ?: xs_reply_errno(XS_WRITE, &req->reply, req->body);

	spin_lock(&xs_txn_lock);
	if (err && !txn->err)
		txn->err = err;
	txn->pending--;
	spin_unlock(&xs_txn_lock);
	wake_up_all(&xs_txn_wq);
	kfree(req->body);
	kfree(w);
}

/*
 * The record of transaction @id, made on its first write (allocated outside
 * the lock; a racing writer of the same transaction may have made it first).
 */
static struct xs_txn_writes *xs_txn_get(u32 id)
{
	struct xs_txn_writes *txn, *fresh;

	spin_lock(&xs_txn_lock);
	txn = xs_txn_find(id);
	spin_unlock(&xs_txn_lock);
	if (txn)
		return txn;
	fresh = kzalloc(sizeof(*fresh), GFP_KERNEL);
	if (!fresh)
		return NULL;
	fresh->id = id;
	spin_lock(&xs_txn_lock);
	txn = xs_txn_find(id);
	if (!txn) {
		list_add(&fresh->list, &xs_txn_list);
		txn = fresh;
		fresh = NULL;
	}
	spin_unlock(&xs_txn_lock);
	kfree(fresh);
	return txn;
}

/* Queue an XS_WRITE of "path\0" + @len bytes of @val in transaction @t. */
static int xs_write_deferred(struct xenbus_transaction t, const char *path,
			     const char *val, size_t len)
{
	size_t plen = strlen(path) + 1;
	struct xs_txn_writes *txn;
	struct xs_write_req *w;
	int err;

	if (plen + len > XENSTORE_PAYLOAD_MAX)
		return -E2BIG;
	w = kmalloc(struct_size(w, payload, plen + len), GFP_KERNEL);
	if (!w)
		return -ENOMEM;
	txn = xs_txn_get(t.id);
	if (!txn) {
		kfree(w);
		return -ENOMEM;
	}
	memcpy(w->payload, path, plen);
	memcpy(w->payload + plen, val, len);
	w->req.hdr.type = XS_WRITE;
	w->req.hdr.tx_id = t.id;
	w->req.hdr.len = plen + len;
	w->req.payload = w->payload;
	w->req.done = xs_write_done;
	w->txn = txn;

	spin_lock(&xs_txn_lock);
	txn->pending++;
	spin_unlock(&xs_txn_lock);

	err = xs_queue(&w->req, xs_txn_flags(t));
	if (err) {
		spin_lock(&xs_txn_lock);
		txn->pending--;
		spin_unlock(&xs_txn_lock);
		kfree(w);
	}
	return err;
}

/*
 * Wait until every write of transaction @id has its answer; forget the
 * transaction's record.  Return: the first write's error, or 0.
 */
static int xs_txn_writes_done(u32 id)
{
	struct xs_txn_writes *txn;
	int err;

	spin_lock(&xs_txn_lock);
	txn = xs_txn_find(id);
	spin_unlock(&xs_txn_lock);
	if (!txn)
		return 0;
	wait_event(xs_txn_wq, !READ_ONCE(txn->pending));
	spin_lock(&xs_txn_lock);
	list_del(&txn->list);
	err = txn->err;
	spin_unlock(&xs_txn_lock);
	kfree(txn);
	return err;
}

/**
 * xenbus_write - write a node's value, creating the node if need be
 * @t: transaction, or XBT_NIL
 * @dir: directory
 * @node: name in @dir, or ""
 * @string: the value
 *
 * Inside a transaction the write is only sent: xenstored's answer is
 * collected by xenbus_transaction_end(), which fails if the write did.
 *
 * Return: 0 or -errno.
 */
int xenbus_write(struct xenbus_transaction t, const char *dir,
		 const char *node, const char *string)
{
	char *path;
	int err;

	if (!t.id)
		return xs_node_call(t, XS_WRITE, dir, node, string,
				    strlen(string), NULL, NULL);
	path = xs_join_path(dir, node);
	if (!path)
		return -ENOMEM;
	err = xs_write_deferred(t, path, string, strlen(string));
	kfree(path);
	return err;
}
EXPORT_SYMBOL_GPL(xenbus_write);

/**
 * xenbus_mkdir - create a node with an empty value
 * @t: transaction, or XBT_NIL
 * @dir: directory
 * @node: name in @dir, or ""
 *
 * Return: 0 (also if it existed) or -errno.
 */
int xenbus_mkdir(struct xenbus_transaction t, const char *dir,
		 const char *node)
{
	return xs_node_call(t, XS_MKDIR, dir, node, NULL, 0, NULL, NULL);
}
EXPORT_SYMBOL_GPL(xenbus_mkdir);

/**
 * xenbus_rm - remove a node and everything below it
 * @t: transaction, or XBT_NIL
 * @dir: directory
 * @node: name in @dir, or ""
 *
 * Return: 0 or -errno.
 */
int xenbus_rm(struct xenbus_transaction t, const char *dir, const char *node)
{
	return xs_node_call(t, XS_RM, dir, node, NULL, 0, NULL, NULL);
}
EXPORT_SYMBOL_GPL(xenbus_rm);

/**
 * xenbus_directory - list the names under a node
 * @t: transaction, or XBT_NIL
 * @dir: directory
 * @node: name in @dir, or ""
 * @num: set to the number of names
 *
 * Return: an array of @num strings in one kmalloc'ed block (one kfree()
 * frees it all), or an ERR_PTR(-errno).
 */
char **xenbus_directory(struct xenbus_transaction t, const char *dir,
			const char *node, unsigned int *num)
{
	unsigned int len, n, i;
	char *buf, *names, *p;
	char **res;
	int err;

	err = xs_node_call(t, XS_DIRECTORY, dir, node, NULL, 0, &buf, &len);
	if (err)
		return ERR_PTR(err);
	n = xs_count_strings(buf, len);
	res = kmalloc(n * sizeof(*res) + len + 1, GFP_KERNEL);
	if (!res) {
		kfree(buf);
		return ERR_PTR(-ENOMEM);
	}
	names = (char *)(res + n);
	memcpy(names, buf, len + 1);
	kfree(buf);

	/* Same walk as xs_count_strings(): names[len] ends the last one. */
	for (p = names, i = 0; i < n; p += strlen(p) + 1)
		if (*p)
			res[i++] = p;
	*num = n;
	return res;
}
EXPORT_SYMBOL_GPL(xenbus_directory);

/**
 * xenbus_exists - does a node exist
 * @t: transaction, or XBT_NIL
 * @dir: directory
 * @node: name in @dir, or ""
 *
 * Return: 1 if it can be listed, 0 if not (missing, or any other error).
 */
int xenbus_exists(struct xenbus_transaction t, const char *dir,
		  const char *node)
{
	unsigned int n;
	char **names;

	names = xenbus_directory(t, dir, node, &n);
	if (IS_ERR(names))
		return 0;
	kfree(names);
	return 1;
}
EXPORT_SYMBOL_GPL(xenbus_exists);

/**
 * xenbus_scanf - read a node and parse its value
 * @t: transaction, or XBT_NIL
 * @dir: directory
 * @node: name in @dir, or ""
 * @fmt: sscanf() format
 *
 * Return: the number of items converted, or -errno: the read's error, or
 * -ERANGE if nothing converted.
 */
int xenbus_scanf(struct xenbus_transaction t, const char *dir,
		 const char *node, const char *fmt, ...)
{
	char *value = xenbus_read(t, dir, node, NULL);
	va_list ap;
	int items;

	if (IS_ERR(value))
		return PTR_ERR(value);
	va_start(ap, fmt);
	items = vsscanf(value, fmt, ap);
	va_end(ap);
	kfree(value);
	return items > 0 ? items : -ERANGE;
}
EXPORT_SYMBOL_GPL(xenbus_scanf);

/**
 * xenbus_read_unsigned - read an optional unsigned decimal value
 * @dir: directory
 * @node: name in @dir, or ""
 * @default_val: what to return if the node is missing or not a number
 *
 * Return: the value, or @default_val.
 */
unsigned int xenbus_read_unsigned(const char *dir, const char *node,
				  unsigned int default_val)
{
	unsigned int val;
	char *str;

	str = xenbus_read(XBT_NIL, dir, node, NULL);
	if (IS_ERR(str))
		return default_val;
	if (kstrtouint(str, 10, &val))
		val = default_val;
	kfree(str);
	return val;
}
EXPORT_SYMBOL_GPL(xenbus_read_unsigned);

/*
 * The reads of one xenbus_read_unsigned_many() call.  The last answer
 * wakes the caller through a shared queue: once pending is 0 the caller
 * may return, and the batch (on its stack) is gone.
 */
static DECLARE_WAIT_QUEUE_HEAD(xs_batch_wq);

struct xs_read_req {
	struct xs_req req;
	atomic_t *pending;
	bool queued;
};

static void xs_read_done(struct xs_req *req)
{
	atomic_dec(container_of(req, struct xs_read_req, req)->pending);
	wake_up_all(&xs_batch_wq);
}

/**
 * xenbus_read_unsigned_many - read several decimal values of one directory
 * @dir: the directory
 * @keys: the nodes, by name; each one's val is set
 * @n: how many
 *
 * As xenbus_read_unsigned() for each key (a missing or malformed value
 * gives the key's default), but the reads go to xenstored together and
 * their answers come back together: one round trip instead of @n.
 */
void xenbus_read_unsigned_many(const char *dir, struct xenbus_unsigned_key *keys,
			       unsigned int n)
{
	atomic_t pending = ATOMIC_INIT(0);
	struct xs_read_req *r;
	unsigned int i;

	for (i = 0; i < n; i++)
		keys[i].val = keys[i].def;
	r = kcalloc(n, sizeof(*r), GFP_KERNEL);
	if (!r)
		return;
	for (i = 0; i < n; i++) {
		char *path = xs_join_path(dir, keys[i].name);

		if (!path)
			continue;
		r[i].pending = &pending;
		r[i].req.hdr.type = XS_READ;
		r[i].req.hdr.len = strlen(path) + 1;
		r[i].req.payload = path;
		r[i].req.done = xs_read_done;
		atomic_inc(&pending);
		r[i].queued = !xs_queue(&r[i].req, 0);
		if (!r[i].queued)
			atomic_dec(&pending);
	}
	wait_event(xs_batch_wq, !atomic_read(&pending));
	for (i = 0; i < n; i++) {
		struct xs_req *req = &r[i].req;
		unsigned int val;

		if (r[i].queued && !req->err &&
		    !xs_reply_errno(XS_READ, &req->reply, req->body) &&
		    !kstrtouint(req->body, 10, &val))
			keys[i].val = val;
		kfree(req->body);
		kfree(req->payload);
	}
	kfree(r);
}
EXPORT_SYMBOL_GPL(xenbus_read_unsigned_many);

/**
 * xenbus_printf - write a node's value, formatted
 * @t: transaction, or XBT_NIL
 * @dir: directory
 * @node: name in @dir, or ""
 * @fmt: printf() format
 *
 * Return: 0 or -errno.
 */
int xenbus_printf(struct xenbus_transaction t, const char *dir,
		  const char *node, const char *fmt, ...)
{
	va_list ap;
	char *val;
	int err;

	va_start(ap, fmt);
	val = kvasprintf(GFP_KERNEL, fmt, ap);
	va_end(ap);
	if (!val)
		return -ENOMEM;
	err = xenbus_write(t, dir, node, val);
	kfree(val);
	return err;
}
EXPORT_SYMBOL_GPL(xenbus_printf);

/**
 * xenbus_gather - read several nodes of one directory
 * @t: transaction, or XBT_NIL
 * @dir: directory
 *
 * Followed by triples (name, sscanf() format, pointer) ended by a NULL
 * name.  A NULL format stores the kmalloc'ed value itself in the
 * (char **) pointer.  Stops at the first failure; values already stored
 * stay stored.
 *
 * Return: 0, or -errno: the read's error, or -EINVAL for a value the
 * format does not match.
 */
int xenbus_gather(struct xenbus_transaction t, const char *dir, ...)
{
	const char *name, *fmt;
	void *result;
	va_list ap;
	char *val;
	int err = 0;

	va_start(ap, dir);
	while (!err && (name = va_arg(ap, const char *))) {
		fmt = va_arg(ap, const char *);
		result = va_arg(ap, void *);
		val = xenbus_read(t, dir, name, NULL);
		if (IS_ERR(val)) {
			err = PTR_ERR(val);
		} else if (!fmt) {
			*(char **)result = val;
		} else {
			if (sscanf(val, fmt, result) != 1)
				err = -EINVAL;
			kfree(val);
		}
	}
	va_end(ap);
	return err;
}
EXPORT_SYMBOL_GPL(xenbus_gather);

/**
 * xenbus_transaction_start - open a transaction
 * @t: set to the transaction
 *
 * Waits while a suspend is under way.  Every successful start must be
 * followed by xenbus_transaction_end(), which a suspend waits for.
 *
 * Return: 0 or -errno.
 */
int xenbus_transaction_start(struct xenbus_transaction *t)
{
	struct kvec vec = { .iov_base = "", .iov_len = 1 };
	char *id;
	int err;

	xs_txn_hold();
	err = xs_call(0, XS_TRANSACTION_START, &vec, 1, XSQ_HELD, &id, NULL);
	if (!err) {
		if (kstrtou32(id, 10, &t->id) || !t->id) {
			pr_warn_ratelimited("bad transaction id \"%.16s\"\n",
					    id);
			err = -EIO;
		}
		kfree(id);
	}
	if (err)
		xs_txn_release();
	return err;
}
EXPORT_SYMBOL_GPL(xenbus_transaction_start);

/**
 * xenbus_transaction_end - commit or abort a transaction
 * @t: the transaction
 * @abort: nonzero to abort, 0 to commit
 *
 * Waits first for the answers to the transaction's writes; if one of them
 * failed, the transaction is aborted instead of committed.  The
 * transaction is over whatever this returns.
 *
 * Return: 0; -EAGAIN if the commit collided with another change (start
 * again); the error of a failed write (when committing); another -errno.
 */
int xenbus_transaction_end(struct xenbus_transaction t, int abort)
{
	int werr = t.id ? xs_txn_writes_done(t.id) : 0;
	struct kvec vec = { .iov_base = abort || werr ? "F" : "T", .iov_len = 2 };
	int err;

	err = xs_call(t.id, XS_TRANSACTION_END, &vec, 1, xs_txn_flags(t),
		      NULL, NULL);
	if (t.id)
		xs_txn_release();
	if (werr && !abort) {
		pr_warn_ratelimited("a write in transaction %u failed (%d): aborted\n",
				    t.id, werr);
		return werr;
	}
	return err;
}
EXPORT_SYMBOL_GPL(xenbus_transaction_end);

/* ---- Tests ---- */

#if IS_REACHABLE(CONFIG_KUNIT)
#include <kunit/test.h>

/*
 * These talk to the real xenstored (KUnit runs them at the end of boot,
 * when the connection is up), in the domain's own "data" directory, which
 * the toolstack makes writable by the domain, and in dom0's home, which it
 * does not.
 */
static void xs_ops_need_xenstore(struct kunit *test)
{
	if (!xen_domain() || !xenstored_ready)
		kunit_skip(test, "no xenstore");
}

static bool xs_ops_exists(const char *node)
{
	char *v = xenbus_read(XBT_NIL, "data", node, NULL);

	if (IS_ERR(v))
		return false;
	kfree(v);
	return true;
}

/* A deferred write is seen by a later read in its transaction; abort drops it. */
static void xs_ops_test_write_then_read(struct kunit *test)
{
	struct xenbus_transaction t;
	char *v;

	xs_ops_need_xenstore(test);
	KUNIT_ASSERT_EQ(test, xenbus_transaction_start(&t), 0);
	KUNIT_EXPECT_EQ(test, xenbus_write(t, "data", "kunit-a", "17"), 0);
	v = xenbus_read(t, "data", "kunit-a", NULL);
	KUNIT_EXPECT_FALSE(test, IS_ERR(v));
	if (!IS_ERR(v)) {
		KUNIT_EXPECT_STREQ(test, v, "17");
		kfree(v);
	}
	KUNIT_EXPECT_EQ(test, xenbus_transaction_end(t, 1), 0);
	KUNIT_EXPECT_FALSE(test, xs_ops_exists("kunit-a"));
}

/* A refused deferred write fails the commit, and nothing of it lands. */
static void xs_ops_test_refused_write(struct kunit *test)
{
	struct xenbus_transaction t;

	xs_ops_need_xenstore(test);
	KUNIT_ASSERT_EQ(test, xenbus_transaction_start(&t), 0);
	KUNIT_EXPECT_EQ(test, xenbus_write(t, "data", "kunit-b", "1"), 0);
	KUNIT_EXPECT_EQ(test, xenbus_write(t, "/local/domain/0", "kunit-denied", "1"), 0);
	KUNIT_EXPECT_EQ(test, xenbus_transaction_end(t, 0), -EACCES);
	KUNIT_EXPECT_FALSE(test, xs_ops_exists("kunit-b"));
}

/* Values, defaults for a missing node and for a malformed one. */
static void xs_ops_test_read_many(struct kunit *test)
{
	struct xenbus_unsigned_key k[] = {
		{ "kunit-n", 7 }, { "kunit-missing", 9 }, { "kunit-x", 5 },
	};

	xs_ops_need_xenstore(test);
	KUNIT_ASSERT_EQ(test, xenbus_write(XBT_NIL, "data", "kunit-n", "42"), 0);
	KUNIT_ASSERT_EQ(test, xenbus_write(XBT_NIL, "data", "kunit-x", "x1"), 0);
	xenbus_read_unsigned_many("data", k, ARRAY_SIZE(k));
	KUNIT_EXPECT_EQ(test, k[0].val, 42U);
	KUNIT_EXPECT_EQ(test, k[1].val, 9U);
	KUNIT_EXPECT_EQ(test, k[2].val, 5U);
	xenbus_rm(XBT_NIL, "data", "kunit-n");
	xenbus_rm(XBT_NIL, "data", "kunit-x");
}

static struct kunit_case xs_ops_test_cases[] = {
	KUNIT_CASE(xs_ops_test_write_then_read),
	KUNIT_CASE(xs_ops_test_refused_write),
	KUNIT_CASE(xs_ops_test_read_many),
	{}
};

static struct kunit_suite xs_ops_test_suite = {
	.name = "xen-xenstore-ops",
	.test_cases = xs_ops_test_cases,
};

kunit_test_suite(xs_ops_test_suite);
#endif /* IS_REACHABLE(CONFIG_KUNIT) */
