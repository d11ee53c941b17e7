// SPDX-License-Identifier: GPL-2.0
/*
 * grant-table.c - our grant table: lending pages to backends.
 *
 * A frontend shares a page with its backend by writing an entry in our
 * grant table, which Xen reads when the backend asks to map "reference N of
 * domain D".  The table is a few pages of Xen's memory, mapped into our
 * address space (arch/x86/xen/grant-table.c holds the mapping), and holds
 * version 1 entries: { flags, domid, frame }, eight bytes, so 512 to a
 * page.  We write domid and frame, then (after a write barrier, so Xen never
 * sees the flags before them) flags = GTF_permit_access, plus GTF_readonly
 * when the backend may only read.  While the backend has the page mapped,
 * Xen sets GTF_reading or GTF_writing in the same 16-bit flags word.  To
 * take the page back we swap the flags to 0 with cmpxchg, and only if
 * neither bit is set: then Xen will refuse any new mapping, and the page is
 * ours again.  If a bit is set, the backend still has the page and we must
 * neither reuse the page nor hand the reference out again.
 *
 * References.  References 0-7 are the toolstack's (console and xenstore
 * rings, GNTTAB_NR_RESERVED_ENTRIES) and never handed out.  The others are
 * kept on a free list threaded through an array of 32-bit links, one per
 * reference, in one chunk of links per table frame: taking or giving back
 * one is O(1) under a spinlock.  A reference not on the free list has the
 * link GNT_LINK_BUSY, which turns a double free into a warning instead of
 * a loop in the list.  gnttab_alloc_grant_references() moves a batch off
 * the free list onto a private chain, threaded through the same links,
 * from which its owner claims and releases references without the lock.
 *
 * Growth.  We start with the frames Xen has already set up (at least one)
 * and, when the free list runs short, grow the table with
 * GNTTABOP_setup_table for more frames: at least double, or more if one
 * request needs it, up to the limit GNTTABOP_query_size gave us.  Growth
 * may happen in any context (a transmit path with its lock held), so it
 * allocates atomically and maps into page tables made at boot.  At the
 * limit an allocation fails with -ENOSPC, and the caller may ask to be
 * called back (gnttab_request_free_callback()) when enough references are
 * free again; the callback runs from a work item, with no lock held.
 *
 * Deferred release.  gnttab_end_foreign_access(ref, page) is for letting
 * go of a page for good.  If the backend still has it mapped, the
 * reference and the page go on a deferred list that a delayed work item
 * retries, first after 100 ms and then twice as long each time, up to every
 * 10 s, for as long as it takes.  A backend often unmaps a moment after
 * we end access (it is tearing down too), so the first deferral of a
 * reference is only noted; a warning that names it comes once it has been
 * held over GNT_DEFER_WARN_AFTER retries (about 3 s), and then every
 * GNT_DEFER_LOG_EVERY-th retry; the release is noted too.  All those lines
 * share one rate limit.  With page NULL the caller still
 * frees the page itself, so we take a reference on the page the entry names
 * to keep it from being reused until the backend lets go.
 *
 * Suspend and resume.  Before the suspend hypercall the table is unmapped:
 * the save code turns every frame in our page tables into one of our PFNs,
 * and the table's frames are Xen's.  After it, GNTTABOP_setup_table for
 * as many frames as before gives the table back: the same frames after a
 * cancelled suspend; after a restore or migration new ones, every entry
 * zero but the toolstack's.  The free list is kept as it is: a reference a
 * frontend holds stays its own, and the frontend ends and re-grants it as
 * it reconnects (ending a zeroed entry succeeds at once); a deferred
 * reference is released at its next retry.
 *
 * /sys/kernel/debug/xen-grants shows the counts: frames, free references,
 * those handed out and those deferred.
 *
 * Left out, as a PV domU frontend never needs it: version 2 entries,
 * sub-page, transitive and copy-only grants, and page transfer; mapping
 * other domains' grants is only gnttab_batch_map(), for xenbus_client.
 */

#define pr_fmt(fmt) "xen-grant: " fmt

#include <linux/debugfs.h>
#include <linux/delay.h>
#include <linux/export.h>
#include <linux/init.h>
#include <linux/jiffies.h>
#include <linux/list.h>
#include <linux/minmax.h>
#include <linux/mm.h>
#include <linux/printk.h>
#include <linux/ratelimit.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/uaccess.h>
#include <linux/workqueue.h>
#include <asm/xen/hypercall.h>
#include <xen/grant_table.h>
#include <xen/page.h>
#include <xen/xen.h>

#define GNT_PER_FRAME	((unsigned int)(XEN_PAGE_SIZE / sizeof(struct grant_entry_v1)))
#define GNT_FIRST_FREE		GNTTAB_NR_RESERVED_ENTRIES
/* We map at most this many frames (4 MiB), whatever Xen allows. */
#define GNT_MAX_FRAMES		1024U

/* Link values: end of a list, and "not on any list" (allocated). */
#define GNT_LINK_END		INVALID_GRANT_REF
#define GNT_LINK_BUSY		(INVALID_GRANT_REF - 1)

/* Deferred release: retry after 100 ms, doubling, at most every 10 s. */
#define GNT_DEFER_FIRST_MS	100U
#define GNT_DEFER_MAX_MS	10000U
/* Warn after 5 retries (3.1 s), then every 60th (every 10 min at the cap). */
#define GNT_DEFER_WARN_AFTER	5U
#define GNT_DEFER_LOG_EVERY	60U

/* gnttab_batch_map(): retry GNTST_eagain for up to 30 s, 1 ms doubling to 256. */
#define GNT_EAGAIN_MAX_MS	30000U
#define GNT_EAGAIN_STEP_MS	256U

struct gnt_table;

struct gnt_ops {
	/* Make frames 0..nr-1 exist and be mapped at ->entries. */
	int (*resize)(struct gnt_table *t, unsigned int nr_frames);
	/* The page a granted frame number names, or NULL. */
	struct page *(*frame_page)(unsigned long frame);
};

struct gnt_deferred {
	struct list_head node;
	struct page *page;	/* ours to put when released, or NULL */
	unsigned long due;	/* jiffies of the next try */
	grant_ref_t ref;
	unsigned int tries;	/* retries so far */
};

struct gnt_table {
	spinlock_t lock;		/* free list, growth, waiters, deferred */
	struct grant_entry_v1 *entries;	/* the table, as mapped */
	unsigned int nr_frames;		/* frames set up and with links */
	unsigned int max_frames;	/* growth limit */
	bool live;			/* entries mapped (not while suspended) */
	bool quiet;			/* KUnit's tables log nothing */
	u32 **links;			/* [frame][ref % GNT_PER_FRAME] */
	grant_ref_t free_head;
	unsigned int nr_free;
	struct gnttab_free_callback *waiters;	/* FIFO */
	struct work_struct waiter_work;
	struct list_head deferred;
	unsigned int nr_deferred;
	bool defer_armed;		/* defer_work queued for defer_next */
	unsigned long defer_next;
	struct delayed_work defer_work;
	struct workqueue_struct *wq;	/* NULL: nothing is scheduled */
	const struct gnt_ops *ops;
};

static DEFINE_RATELIMIT_STATE(gnt_defer_rs, 5 * HZ, 10);

/* ---- Pure helpers ---- */

static inline u16 gnt_grant_flags(bool readonly)
{
	return GTF_permit_access | (readonly ? GTF_readonly : 0);
}

static inline bool gnt_flags_in_use(u16 flags)
{
	return flags & (GTF_reading | GTF_writing);
}

/*
 * Clear a granted entry's flags unless the backend has the frame mapped.
 * Xen may set GTF_reading/GTF_writing under us at any time; cmpxchg makes
 * "not mapped" and "cleared" one step.
 */
static bool gnt_try_clear(u16 *flags)
{
	u16 old = READ_ONCE(*flags);

	do {
		if (gnt_flags_in_use(old))
			return false;
	} while (!try_cmpxchg(flags, &old, 0));
	return true;
}

/*
 * How many frames to grow a table of @cur frames (limit @max) to, when
 * @shortfall more references are wanted than are free: at least double,
 * at least enough, at most @max.  @cur when it cannot grow.
 */
static unsigned int gnt_grow_target(unsigned int cur, unsigned int max,
				    unsigned int shortfall)
{
	unsigned int need = DIV_ROUND_UP(shortfall, GNT_PER_FRAME);

	if (cur >= max || !shortfall)
		return cur;
	return min(max(cur + need, 2 * cur), max);
}

/* Delay before deferred retry number @tries (0: the first one). */
static unsigned int gnt_defer_delay_ms(unsigned int tries)
{
	return min(GNT_DEFER_FIRST_MS << min(tries, 16U), GNT_DEFER_MAX_MS);
}

/* Whether retry number @tries of one reference is worth a log line. */
static bool gnt_defer_should_log(unsigned int tries)
{
	return tries == GNT_DEFER_WARN_AFTER || tries % GNT_DEFER_LOG_EVERY == 0;
}

/* Waiter list: FIFO of gnttab_free_callback through ->next. */
static bool gnt_waiter_add(struct gnttab_free_callback **list,
			   struct gnttab_free_callback *cb)
{
	struct gnttab_free_callback **pp;

	for (pp = list; *pp; pp = &(*pp)->next)
		if (*pp == cb)
			return false;
	cb->next = NULL;
	*pp = cb;
	return true;
}

static bool gnt_waiter_del(struct gnttab_free_callback **list,
			   struct gnttab_free_callback *cb)
{
	struct gnttab_free_callback **pp;

	for (pp = list; *pp; pp = &(*pp)->next) {
		if (*pp == cb) {
			*pp = cb->next;
			cb->next = NULL;
			return true;
		}
	}
	return false;
}

/* A waiter asking for 0 references still wants one. */
static unsigned int gnt_waiter_need(const struct gnttab_free_callback *cb)
{
	return max_t(unsigned int, cb->count, 1);
}

/* ---- References ---- */

/* A reference we may hand out, in a frame that exists. */
static bool gnt_ref_ok(struct gnt_table *t, grant_ref_t ref)
{
	unsigned int frames;

	/* Pairs with gnt_extend(): a frame counted has its links. */
	frames = smp_load_acquire(&t->nr_frames);
	return ref >= GNT_FIRST_FREE && ref < frames * GNT_PER_FRAME;
}

static u32 *gnt_link(struct gnt_table *t, grant_ref_t ref)
{
	return &t->links[ref / GNT_PER_FRAME][ref % GNT_PER_FRAME];
}

/* The entry of @ref, or NULL if there is none to touch now. */
static struct grant_entry_v1 *gnt_entry(struct gnt_table *t, grant_ref_t ref)
{
	if (!READ_ONCE(t->live) || !gnt_ref_ok(t, ref))
		return NULL;
	return &t->entries[ref];
}

/* Lock held for all that touch the free list. */
static void gnt_push(struct gnt_table *t, grant_ref_t ref)
{
	*gnt_link(t, ref) = t->free_head;
	t->free_head = ref;
	t->nr_free++;
}

/* Detach @count references from the free list as a chain. */
static bool gnt_take(struct gnt_table *t, unsigned int count,
		     grant_ref_t *chain)
{
	grant_ref_t last;
	unsigned int i;

	if (!count) {
		*chain = GNT_LINK_END;
		return true;
	}
	if (t->nr_free < count)
		return false;
	*chain = last = t->free_head;
	for (i = 1; i < count; i++)
		last = *gnt_link(t, last);
	t->free_head = *gnt_link(t, last);
	*gnt_link(t, last) = GNT_LINK_END;
	t->nr_free -= count;
	return true;
}

/* Put back one allocated reference; false if it is not one. */
static bool gnt_give_one(struct gnt_table *t, grant_ref_t ref)
{
	if (!gnt_ref_ok(t, ref) || *gnt_link(t, ref) != GNT_LINK_BUSY)
		return false;
	gnt_push(t, ref);
	return true;
}

/*
 * Put back a whole private chain: how many, or -EINVAL (and nothing put
 * back) if it holds something that is not a reference of ours or loops.
 */
static int gnt_give_chain(struct gnt_table *t, grant_ref_t chain)
{
	unsigned int n = 0, limit = t->nr_frames * GNT_PER_FRAME;
	grant_ref_t ref, last = GNT_LINK_END;

	for (ref = chain; ref != GNT_LINK_END; ref = *gnt_link(t, ref)) {
		if (!gnt_ref_ok(t, ref) || ++n > limit)
			return -EINVAL;
		last = ref;
	}
	if (!n)
		return 0;
	*gnt_link(t, last) = t->free_head;
	t->free_head = chain;
	t->nr_free += n;
	return n;
}

/* Private chains belong to their caller: no lock. */
static int gnt_chain_claim(struct gnt_table *t, grant_ref_t *chain)
{
	grant_ref_t ref = *chain;

	if (ref == GNT_LINK_END)
		return -ENOSPC;
	if (!gnt_ref_ok(t, ref))
		return -EINVAL;
	*chain = *gnt_link(t, ref);
	*gnt_link(t, ref) = GNT_LINK_BUSY;
	return ref;
}

static bool gnt_chain_release(struct gnt_table *t, grant_ref_t *chain,
			      grant_ref_t ref)
{
	if (!gnt_ref_ok(t, ref) || *gnt_link(t, ref) != GNT_LINK_BUSY)
		return false;
	*gnt_link(t, ref) = *chain;
	*chain = ref;
	return true;
}

/*
 * Make the table @target frames long: links for the new frames, then the
 * frames themselves, then their references onto the free list.  Lock held,
 * or boot (nobody else yet).
 */
static int gnt_extend(struct gnt_table *t, unsigned int target, gfp_t gfp)
{
	unsigned int cur = t->nr_frames, f;
	grant_ref_t ref, first;
	int err;

	for (f = cur; f < target; f++) {
		if (t->links[f])
			continue;
		t->links[f] = kmalloc_array(GNT_PER_FRAME, sizeof(u32), gfp);
		if (!t->links[f])
			break;
	}
	target = f;
	if (target <= cur)
		return -ENOMEM;
	err = t->ops->resize(t, target);
	if (err)
		return err;
	WRITE_ONCE(t->live, true);
	first = max_t(grant_ref_t, cur * GNT_PER_FRAME, GNT_FIRST_FREE);
	for (ref = target * GNT_PER_FRAME; ref-- > first; )
		gnt_push(t, ref);
	/* Links and entries before the frame count that covers them. */
	smp_store_release(&t->nr_frames, target);
	if (!t->quiet && cur)
		pr_info("table grown to %u frames (%u references)\n", target,
			target * GNT_PER_FRAME);
	return 0;
}

/* Lock held: grow for @shortfall more references; true if it grew. */
static bool gnt_grow(struct gnt_table *t, unsigned int shortfall)
{
	unsigned int target = gnt_grow_target(t->nr_frames, t->max_frames,
					      shortfall);

	if (target <= t->nr_frames)
		return false;
	return !gnt_extend(t, target, GFP_ATOMIC | __GFP_NOWARN);
}

/*
 * Lock held: let the waiter work run if the first waiter can be served, or
 * (@grow, for a new waiter) if the table may still grow for it.
 */
static void gnt_kick_waiters(struct gnt_table *t, bool grow)
{
	if (t->waiters && t->wq &&
	    (t->nr_free >= gnt_waiter_need(t->waiters) ||
	     (grow && t->nr_frames < t->max_frames)))
		queue_work(t->wq, &t->waiter_work);
}

static int gnt_get_chain(struct gnt_table *t, unsigned int count,
			 grant_ref_t *chain)
{
	unsigned long flags;
	bool ok;

	spin_lock_irqsave(&t->lock, flags);
	ok = gnt_take(t, count, chain);
	if (!ok && gnt_grow(t, count - t->nr_free))
		ok = gnt_take(t, count, chain);
	spin_unlock_irqrestore(&t->lock, flags);
	return ok ? 0 : -ENOSPC;
}

static int gnt_get_one(struct gnt_table *t)
{
	grant_ref_t ref;
	int err = gnt_get_chain(t, 1, &ref);

	if (err)
		return err;
	*gnt_link(t, ref) = GNT_LINK_BUSY;
	return ref;
}

static bool gnt_put_one(struct gnt_table *t, grant_ref_t ref)
{
	unsigned long flags;
	bool ok;

	spin_lock_irqsave(&t->lock, flags);
	ok = gnt_give_one(t, ref);
	if (ok)
		gnt_kick_waiters(t, false);
	spin_unlock_irqrestore(&t->lock, flags);
	return ok;
}

static int gnt_put_chain(struct gnt_table *t, grant_ref_t chain)
{
	unsigned long flags;
	int n;

	spin_lock_irqsave(&t->lock, flags);
	n = gnt_give_chain(t, chain);
	if (n > 0)
		gnt_kick_waiters(t, false);
	spin_unlock_irqrestore(&t->lock, flags);
	return n;
}

/* ---- Waiting for free references ---- */

static void gnt_request_waiter(struct gnt_table *t,
			       struct gnttab_free_callback *cb,
			       void (*fn)(void *arg), void *arg, u16 count)
{
	unsigned long flags;

	spin_lock_irqsave(&t->lock, flags);
	/* One already pending is kept as it is. */
	if (gnt_waiter_add(&t->waiters, cb)) {
		cb->fn = fn;
		cb->arg = arg;
		cb->count = count;
		gnt_kick_waiters(t, true);
	}
	spin_unlock_irqrestore(&t->lock, flags);
}

static void gnt_cancel_waiter(struct gnt_table *t,
			      struct gnttab_free_callback *cb)
{
	unsigned long flags;

	spin_lock_irqsave(&t->lock, flags);
	gnt_waiter_del(&t->waiters, cb);
	spin_unlock_irqrestore(&t->lock, flags);
}

/*
 * Call the waiters that can be served, first come first served: each is
 * counted against what was free so that one release does not wake more
 * waiters than it can satisfy.  The table grows first if it still may.
 */
static void gnt_run_waiters(struct gnt_table *t)
{
	unsigned int budget = UINT_MAX;

	for (;;) {
		struct gnttab_free_callback *cb;
		void (*fn)(void *arg);
		unsigned long flags;
		void *arg;

		spin_lock_irqsave(&t->lock, flags);
		cb = t->waiters;
		if (cb && gnt_waiter_need(cb) > t->nr_free)
			gnt_grow(t, gnt_waiter_need(cb) - t->nr_free);
		budget = min(budget, t->nr_free);
		if (!cb || gnt_waiter_need(cb) > budget) {
			spin_unlock_irqrestore(&t->lock, flags);
			return;
		}
		budget -= gnt_waiter_need(cb);
		t->waiters = cb->next;
		cb->next = NULL;
		fn = cb->fn;
		arg = cb->arg;
		spin_unlock_irqrestore(&t->lock, flags);
		fn(arg);
	}
}

static void gnt_waiter_work(struct work_struct *work)
{
	gnt_run_waiters(container_of(work, struct gnt_table, waiter_work));
}

/* ---- Granting and ending access ---- */

static int gnt_grant(struct gnt_table *t, grant_ref_t ref, domid_t domid,
		     unsigned long frame, bool readonly)
{
	struct grant_entry_v1 *e = gnt_entry(t, ref);

	if (!e || *gnt_link(t, ref) != GNT_LINK_BUSY)
		return -EINVAL;
	if (frame > U32_MAX)	/* a v1 entry names 32-bit frames only */
		return -ERANGE;
	WRITE_ONCE(e->domid, domid);
	WRITE_ONCE(e->frame, frame);
	virt_wmb();		/* Xen must see domid and frame before flags */
	WRITE_ONCE(e->flags, gnt_grant_flags(readonly));
	return 0;
}

/* 1: access ended; 0: the backend still maps it; -EINVAL: no such entry. */
static int gnt_end(struct gnt_table *t, grant_ref_t ref)
{
	struct grant_entry_v1 *e = gnt_entry(t, ref);

	if (!e)
		return -EINVAL;
	return gnt_try_clear(&e->flags);
}

/* Lock held: have the deferred work run by @due at the latest. */
static void gnt_defer_arm(struct gnt_table *t, unsigned long due)
{
	unsigned long now = jiffies;

	if (!t->wq || (t->defer_armed && !time_before(due, t->defer_next)))
		return;
	t->defer_armed = true;
	t->defer_next = due;
	mod_delayed_work(t->wq, &t->defer_work,
			 time_after(due, now) ? due - now : 0);
}

static void gnt_defer(struct gnt_table *t, grant_ref_t ref, struct page *page,
		      unsigned long now)
{
	struct grant_entry_v1 *e = gnt_entry(t, ref);
	struct gnt_deferred *d;
	unsigned long flags;

	if (!page && e) {
		struct page *p = t->ops->frame_page(READ_ONCE(e->frame));

		if (p && get_page_unless_zero(p))
			page = p;
	}
	d = kmalloc(sizeof(*d), GFP_ATOMIC | __GFP_NOWARN);
	if (!d) {
		/* Never to be reused then: both stay out of circulation. */
		if (!t->quiet)
			pr_warn_ratelimited("grant ref %u still in use by the backend, no memory to track it: ref and page leaked\n",
					    ref);
		return;
	}
	d->ref = ref;
	d->page = page;
	d->tries = 0;
	d->due = now + msecs_to_jiffies(gnt_defer_delay_ms(0));
	spin_lock_irqsave(&t->lock, flags);
	list_add_tail(&d->node, &t->deferred);
	t->nr_deferred++;
	gnt_defer_arm(t, d->due);
	spin_unlock_irqrestore(&t->lock, flags);
	if (!t->quiet && __ratelimit(&gnt_defer_rs))
		pr_info("grant ref %u: the backend still maps its page, kept until it lets go\n",
			ref);
}

/*
 * Retry the deferred references due by @now: release those the backend
 * has let go, push the others' next try back.  Returns how many remain.
 */
static unsigned int gnt_defer_scan(struct gnt_table *t, unsigned long now)
{
	struct gnt_deferred *d, *next;
	unsigned long flags, first = now;
	bool any = false;
	LIST_HEAD(done);
	unsigned int left;

	spin_lock_irqsave(&t->lock, flags);
	t->defer_armed = false;
	list_for_each_entry_safe(d, next, &t->deferred, node) {
		if (!time_before(now, d->due)) {
			if (gnt_end(t, d->ref) == 1) {
				list_move_tail(&d->node, &done);
				t->nr_deferred--;
				/* BUSY since it was granted: cannot fail */
				gnt_give_one(t, d->ref);
				continue;
			}
			d->tries++;
			d->due = now + msecs_to_jiffies(gnt_defer_delay_ms(d->tries));
			if (!t->quiet && gnt_defer_should_log(d->tries) &&
			    __ratelimit(&gnt_defer_rs))
				pr_warn("grant ref %u still in use by the backend after %u retries, page kept\n",
					d->ref, d->tries);
		}
		if (!any || time_before(d->due, first))
			first = d->due;
		any = true;
	}
	if (!list_empty(&done))
		gnt_kick_waiters(t, false);
	left = t->nr_deferred;
	if (left)
		gnt_defer_arm(t, first);
	spin_unlock_irqrestore(&t->lock, flags);

	list_for_each_entry_safe(d, next, &done, node) {
		if (!t->quiet && __ratelimit(&gnt_defer_rs))
			pr_info("grant ref %u released after %u retries\n",
				d->ref, d->tries);
		if (d->page)
			put_page(d->page);
		kfree(d);
	}
	return left;
}

static void gnt_defer_work(struct work_struct *work)
{
	struct gnt_table *t = container_of(to_delayed_work(work),
					   struct gnt_table, defer_work);

	gnt_defer_scan(t, jiffies);
}

/* ---- The table Xen gives us ---- */

static xen_pfn_t *gnt_xen_frames;	/* setup_table's answer; under lock */

static int gnt_xen_resize(struct gnt_table *t, unsigned int nr_frames)
{
	struct gnttab_setup_table setup = {
		.dom = DOMID_SELF,
		.nr_frames = nr_frames,
		.status = GNTST_general_error,
	};
	unsigned int f;
	u16 probe;
	int rc;

	if (!gnt_xen_frames || nr_frames > t->max_frames)
		return -ENODEV;
	set_xen_guest_handle(setup.frame_list, gnt_xen_frames);
	rc = HYPERVISOR_grant_table_op(GNTTABOP_setup_table, &setup, 1);
	if (rc || setup.status != GNTST_okay) {
		pr_warn_ratelimited("GNTTABOP_setup_table for %u frames failed: %d, status %d\n",
				    nr_frames, rc, setup.status);
		return -ENOSPC;
	}
	rc = xen_gnttab_map_frames(gnt_xen_frames, nr_frames);
	if (rc) {
		pr_err("cannot map %u grant frames: %d\n", nr_frames, rc);
		return rc;
	}
	/* A PTE Xen refused leaves a hole: look through every one. */
	for (f = 0; f < nr_frames; f++) {
		if (copy_from_kernel_nofault(&probe,
					     &t->entries[f * GNT_PER_FRAME].flags,
					     sizeof(probe))) {
			pr_err("grant frame %u (mfn %#lx) could not be mapped\n",
			       f, (unsigned long)gnt_xen_frames[f]);
			return -EFAULT;
		}
	}
	return 0;
}

static struct page *gnt_xen_frame_page(unsigned long frame)
{
	unsigned long pfn = gfn_to_pfn(frame);

	if (pfn == ~0UL || !pfn_valid(pfn) || pfn_to_gfn(pfn) != frame)
		return NULL;
	return pfn_to_page(pfn);
}

static const struct gnt_ops gnt_xen_ops = {
	.resize = gnt_xen_resize,
	.frame_page = gnt_xen_frame_page,
};

static struct gnt_table gnt_main = {
	.lock = __SPIN_LOCK_UNLOCKED(gnt_main.lock),
	.free_head = GNT_LINK_END,
	.waiter_work = __WORK_INITIALIZER(gnt_main.waiter_work, gnt_waiter_work),
	.deferred = LIST_HEAD_INIT(gnt_main.deferred),
	.defer_work = __DELAYED_WORK_INITIALIZER(gnt_main.defer_work,
						 gnt_defer_work, 0),
	.ops = &gnt_xen_ops,
};

static int __init gnttab_setup(void)
{
	struct gnt_table *t = &gnt_main;
	struct gnttab_query_size query = {
		.dom = DOMID_SELF,
		.status = GNTST_general_error,
	};
	unsigned int start, max;
	int rc;

	/* We never set a version: a domain's table starts as version 1. */
	if (!xen_pv_domain())
		return -ENODEV;
	rc = HYPERVISOR_grant_table_op(GNTTABOP_query_size, &query, 1);
	if (rc || query.status != GNTST_okay || !query.max_nr_frames) {
		pr_err("GNTTABOP_query_size failed: %d, status %d, max %u\n",
		       rc, query.status, query.max_nr_frames);
		return -ENODEV;
	}
	max = min(query.max_nr_frames, GNT_MAX_FRAMES);
	start = clamp(query.nr_frames, 1U, max);

	gnt_xen_frames = kcalloc(max, sizeof(*gnt_xen_frames), GFP_KERNEL);
	t->links = kcalloc(max, sizeof(*t->links), GFP_KERNEL);
	t->entries = xen_gnttab_reserve_area(max);
	t->max_frames = max;
	t->wq = system_percpu_wq;
	rc = -ENOMEM;
	if (gnt_xen_frames && t->links && t->entries)
		rc = gnt_extend(t, start, GFP_KERNEL);
	if (rc) {
		/* As if never set up: nothing may be granted. */
		pr_err("cannot set up the grant table: %d\n", rc);
		t->max_frames = 0;
		t->entries = NULL;
		xen_gnttab_release_area();
		while (t->links && max--)
			kfree(t->links[max]);
		kfree(t->links);
		t->links = NULL;
		kfree(gnt_xen_frames);
		gnt_xen_frames = NULL;
		return rc;
	}
	pr_info("version 1 table of %u frames (%u references), may grow to %u frames (Xen's limit %u)\n",
		start, start * GNT_PER_FRAME, max, query.max_nr_frames);
	return 0;
}

/* Before xenbus (postcore) and any frontend. */
core_initcall(gnttab_setup);

/*
 * /sys/kernel/debug/xen-grants: the table's frames and how many of its
 * references are free, handed out (the reserved ones aside), and waiting
 * on the deferred list for a backend to unmap.  The hostile-backend tests
 * compare it before and after each attack.
 */
static int gnt_debugfs_show(struct seq_file *m, void *unused)
{
	struct gnt_table *t = &gnt_main;
	unsigned int frames, nr_free, deferred;

	spin_lock_irq(&t->lock);
	frames = t->nr_frames;
	nr_free = t->nr_free;
	deferred = t->nr_deferred;
	spin_unlock_irq(&t->lock);
	seq_printf(m, "frames %u\nfree %u\nin_use %u\ndeferred %u\n", frames, nr_free,
		   frames * GNT_PER_FRAME - GNT_FIRST_FREE - nr_free, deferred);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(gnt_debugfs);

static int __init gnttab_debugfs_init(void)
{
	if (gnt_main.max_frames)
		debugfs_create_file("xen-grants", 0444, NULL, NULL, &gnt_debugfs_fops);
	return 0;
}
late_initcall(gnttab_debugfs_init);

/* ---- Suspend and resume ---- */

/**
 * gnttab_suspend() - unmap the grant table before the suspend hypercall
 *
 * Called with interrupts off and every other CPU stopped.  Until
 * gnttab_resume() no entry is touched.
 *
 * Return: 0, or a negative errno if the frames could not be unmapped (the
 * table is then mapped again, if it can be, and the suspend must not go on).
 */
int gnttab_suspend(void)
{
	struct gnt_table *t = &gnt_main;
	unsigned long flags;
	int err;

	if (!t->entries)
		return 0;
	spin_lock_irqsave(&t->lock, flags);
	WRITE_ONCE(t->live, false);
	err = xen_gnttab_unmap_frames(t->nr_frames);
	if (err && !t->ops->resize(t, t->nr_frames))
		WRITE_ONCE(t->live, true);	/* as we were: no suspend */
	spin_unlock_irqrestore(&t->lock, flags);
	return err;
}
EXPORT_SYMBOL_GPL(gnttab_suspend);

/**
 * gnttab_resume() - get the grant table back after the suspend hypercall
 *
 * Called with interrupts off, after a cancelled suspend (the same frames)
 * or a restore (new frames, entries zero but the toolstack's).  Sets up as
 * many frames as before and maps them.
 *
 * Return: 0, or a negative errno if Xen would not give the frames back;
 * the table then stays unmapped and every grant operation fails.
 */
int gnttab_resume(void)
{
	struct gnt_table *t = &gnt_main;
	unsigned long flags;
	int err;

	if (!t->entries)
		return 0;
	spin_lock_irqsave(&t->lock, flags);
	err = t->ops->resize(t, t->nr_frames);
	if (!err)
		WRITE_ONCE(t->live, true);
	spin_unlock_irqrestore(&t->lock, flags);
	if (err)
		pr_err("grant table not restored (%u frames): %d\n",
		       t->nr_frames, err);
	return err;
}
EXPORT_SYMBOL_GPL(gnttab_resume);

/* ---- The interface ---- */

/**
 * gnttab_grant_foreign_access() - grant a domain access to a frame
 * @domid: the domain that may map it
 * @frame: its GFN (xen_page_to_gfn())
 * @readonly: non-zero to allow reading only
 *
 * Any context.
 *
 * Return: the new reference, -ENOSPC if none is free (register a callback
 * with gnttab_request_free_callback() to wait), -ERANGE if @frame does not
 * fit in a version 1 entry.
 */
int gnttab_grant_foreign_access(domid_t domid, unsigned long frame,
				int readonly)
{
	struct gnt_table *t = &gnt_main;
	int ref, err;

	if (frame > U32_MAX) {
		pr_warn_once("frame %#lx does not fit a version 1 grant\n", frame);
		return -ERANGE;
	}
	ref = gnt_get_one(t);
	if (ref < 0)
		return ref;
	err = gnt_grant(t, ref, domid, frame, readonly);
	if (err) {	/* only if the table is gone (failed resume) */
		gnt_put_one(t, ref);
		return err;
	}
	return ref;
}
EXPORT_SYMBOL_GPL(gnttab_grant_foreign_access);

/**
 * gnttab_grant_foreign_access_ref() - grant access through a reference
 * @ref: a reference the caller holds (claimed, or ended and kept)
 * @domid: the domain that may map it
 * @frame: its GFN (xen_page_to_gfn())
 * @readonly: non-zero to allow reading only
 *
 * Any context.  A reference the caller does not hold, or a frame that does
 * not fit, is refused with a warning and the entry left as it was.
 */
void gnttab_grant_foreign_access_ref(grant_ref_t ref, domid_t domid,
				     unsigned long frame, int readonly)
{
	int err = gnt_grant(&gnt_main, ref, domid, frame, readonly);

	WARN_ONCE(err, "xen-grant: grant of ref %u (frame %#lx) refused: %d\n",
		  ref, frame, err);
}
EXPORT_SYMBOL_GPL(gnttab_grant_foreign_access_ref);

/**
 * gnttab_end_foreign_access_ref() - end access, keeping the reference
 * @ref: a granted reference
 *
 * Any context.  On success the entry is clear and the caller may grant the
 * reference again or free it with gnttab_free_grant_reference().
 *
 * Return: 1 if access ended, 0 if the backend still maps the frame.
 */
int gnttab_end_foreign_access_ref(grant_ref_t ref)
{
	int ended = gnt_end(&gnt_main, ref);

	WARN_ONCE(ended < 0, "xen-grant: end of invalid ref %u\n", ref);
	return ended == 1;
}
EXPORT_SYMBOL_GPL(gnttab_end_foreign_access_ref);

/**
 * gnttab_try_end_foreign_access() - end access and free the reference
 * @ref: a granted reference
 *
 * Any context.  If the backend still maps the frame, nothing changes: the
 * caller keeps the reference (and must not reuse the page).
 *
 * Return: 1 if access ended and @ref was freed, 0 otherwise.
 */
int gnttab_try_end_foreign_access(grant_ref_t ref)
{
	struct gnt_table *t = &gnt_main;

	if (!gnttab_end_foreign_access_ref(ref))
		return 0;
	WARN_ON_ONCE(!gnt_put_one(t, ref));
	return 1;
}
EXPORT_SYMBOL_GPL(gnttab_try_end_foreign_access);

/**
 * gnttab_end_foreign_access() - let go of a granted page for good
 * @ref: a granted reference, which the caller gives up
 * @page: the page, whose reference the caller gives up too; or NULL
 *
 * Any context.  If access ends now, @ref is freed and @page put at once.
 * Otherwise both are kept on the deferred list until the backend unmaps
 * the frame.  With @page NULL the caller may free its page on return: we
 * then hold a reference on the page the entry names while we wait.
 */
void gnttab_end_foreign_access(grant_ref_t ref, struct page *page)
{
	struct gnt_table *t = &gnt_main;
	int ended = gnt_end(t, ref);

	if (ended == 1) {
		WARN_ON_ONCE(!gnt_put_one(t, ref));
		if (page)
			put_page(page);
		return;
	}
	if (WARN_ONCE(ended < 0, "xen-grant: end of invalid ref %u\n", ref))
		return;		/* keep the page: we cannot tell who maps it */
	gnt_defer(t, ref, page, jiffies);
}
EXPORT_SYMBOL_GPL(gnttab_end_foreign_access);

/**
 * gnttab_alloc_grant_references() - reserve a private batch of references
 * @count: how many
 * @pprivate_head: set to the batch, for gnttab_claim_grant_reference()
 *
 * Any context.  The batch is the caller's until given back with
 * gnttab_free_grant_references().
 *
 * Return: 0, or -ENOSPC if the table is full and cannot grow.
 */
int gnttab_alloc_grant_references(u16 count, grant_ref_t *pprivate_head)
{
	return gnt_get_chain(&gnt_main, count, pprivate_head);
}
EXPORT_SYMBOL_GPL(gnttab_alloc_grant_references);

/**
 * gnttab_free_grant_reference() - free one reference
 * @ref: a reference not granted (or whose access has ended)
 *
 * Any context.
 */
void gnttab_free_grant_reference(grant_ref_t ref)
{
	WARN_ONCE(!gnt_put_one(&gnt_main, ref),
		  "xen-grant: free of ref %u that is not allocated\n", ref);
}
EXPORT_SYMBOL_GPL(gnttab_free_grant_reference);

/**
 * gnttab_free_grant_references() - give back what is left of a batch
 * @head: the batch's head (INVALID_GRANT_REF when empty)
 *
 * Any context.
 */
void gnttab_free_grant_references(grant_ref_t head)
{
	WARN_ONCE(gnt_put_chain(&gnt_main, head) < 0,
		  "xen-grant: bad reference batch at %u, not freed\n", head);
}
EXPORT_SYMBOL_GPL(gnttab_free_grant_references);

/**
 * gnttab_claim_grant_reference() - take a reference from a batch
 * @pprivate_head: the batch
 *
 * Return: the reference, or -ENOSPC when the batch is used up.
 */
int gnttab_claim_grant_reference(grant_ref_t *pprivate_head)
{
	int ref = gnt_chain_claim(&gnt_main, pprivate_head);

	WARN_ONCE(ref == -EINVAL, "xen-grant: bad reference batch\n");
	return ref == -EINVAL ? -ENOSPC : ref;
}
EXPORT_SYMBOL_GPL(gnttab_claim_grant_reference);

/**
 * gnttab_release_grant_reference() - put a claimed reference back in a batch
 * @private_head: the batch
 * @release: a reference claimed from it and not granted (or ended)
 */
void gnttab_release_grant_reference(grant_ref_t *private_head,
				    grant_ref_t release)
{
	WARN_ONCE(!gnt_chain_release(&gnt_main, private_head, release),
		  "xen-grant: release of ref %u that is not allocated\n",
		  release);
}
EXPORT_SYMBOL_GPL(gnttab_release_grant_reference);

/**
 * gnttab_request_free_callback() - be called when references are free
 * @callback: the caller's request block
 * @fn: what to call, from a work item (process context, no lock held)
 * @arg: its argument
 * @count: how many references should be free by then
 *
 * Any context.  @fn is called once, when @count references are free (and
 * earlier waiters served); allocate again then.  A request already pending
 * is left as it is.
 */
void gnttab_request_free_callback(struct gnttab_free_callback *callback,
				  void (*fn)(void *arg), void *arg, u16 count)
{
	gnt_request_waiter(&gnt_main, callback, fn, arg, count);
}
EXPORT_SYMBOL_GPL(gnttab_request_free_callback);

/**
 * gnttab_cancel_free_callback() - withdraw a pending request
 * @callback: the request block
 *
 * Any context.  A call of its fn already under way is not waited for.
 */
void gnttab_cancel_free_callback(struct gnttab_free_callback *callback)
{
	gnt_cancel_waiter(&gnt_main, callback);
}
EXPORT_SYMBOL_GPL(gnttab_cancel_free_callback);

/**
 * gnttab_foreach_grant_in_range() - walk a byte range grant by grant
 * @page: the first page
 * @offset: where the range starts, from the start of @page
 * @len: its length
 * @fn: called for each grant the range touches
 * @data: passed to @fn
 */
void gnttab_foreach_grant_in_range(struct page *page, unsigned int offset,
				   unsigned int len, xen_grant_fn_t fn,
				   void *data)
{
	unsigned long xen_pfn = page_to_xen_pfn(page);

	while (len) {
		unsigned int chunk = min_t(unsigned int, len,
					   XEN_PAGE_SIZE - xen_offset_in_page(offset));

		fn(pfn_to_gfn(xen_pfn + XEN_PFN_DOWN(offset)),
		   xen_offset_in_page(offset), chunk, data);
		offset += chunk;
		len -= chunk;
	}
}
EXPORT_SYMBOL_GPL(gnttab_foreach_grant_in_range);

/**
 * gnttab_foreach_grant() - call @fn for each whole grant of some pages
 * @pages: the pages
 * @nr_grefs: how many grants (XEN_PFN_PER_PAGE to a page)
 * @fn: called with each grant's GFN, offset 0 and XEN_PAGE_SIZE
 * @data: passed to @fn
 */
void gnttab_foreach_grant(struct page **pages, unsigned int nr_grefs,
			  xen_grant_fn_t fn, void *data)
{
	unsigned int i;

	for (i = 0; i < nr_grefs; i++)
		fn(pfn_to_gfn(page_to_xen_pfn(pages[i / XEN_PFN_PER_PAGE]) +
			      i % XEN_PFN_PER_PAGE),
		   0, XEN_PAGE_SIZE, data);
}
EXPORT_SYMBOL_GPL(gnttab_foreach_grant);

/**
 * gnttab_batch_map() - map other domains' grants
 * @batch: the operations, set up with gnttab_set_map_op()
 * @count: how many
 *
 * Process context (it sleeps).  An operation Xen answers GNTST_eagain (the
 * granting domain's page is paged out) is retried on its own for up to
 * 30 s; one still refused then keeps GNTST_eagain.  If the hypercall
 * itself fails, the operations it did not reach get GNTST_general_error.
 */
void gnttab_batch_map(struct gnttab_map_grant_ref *batch, unsigned int count)
{
	unsigned int i;

	might_sleep();
	if (!count)
		return;
	if (HYPERVISOR_grant_table_op(GNTTABOP_map_grant_ref, batch, count)) {
		for (i = 0; i < count; i++)
			if (batch[i].status > 0)
				batch[i].status = GNTST_general_error;
	}
	for (i = 0; i < count; i++) {
		unsigned int step = 1, waited = 0;

		while (batch[i].status == GNTST_eagain &&
		       waited < GNT_EAGAIN_MAX_MS) {
			msleep(step);
			waited += step;
			step = min(2 * step, GNT_EAGAIN_STEP_MS);
			if (HYPERVISOR_grant_table_op(GNTTABOP_map_grant_ref,
						      &batch[i], 1))
				batch[i].status = GNTST_general_error;
		}
	}
}
EXPORT_SYMBOL_GPL(gnttab_batch_map);

#if IS_REACHABLE(CONFIG_KUNIT)
#include <kunit/test.h>

/*
 * The tests run the real code on tables in ordinary memory: growing only
 * lets a table reach ->max_frames, and a frame number is a PFN.  Nothing
 * is scheduled (->wq NULL) unless a test says so, and nothing is logged.
 */
static int gnt_test_resize(struct gnt_table *t, unsigned int nr_frames)
{
	return nr_frames <= t->max_frames ? 0 : -ENOSPC;
}

static struct page *gnt_test_frame_page(unsigned long frame)
{
	return pfn_valid(frame) ? pfn_to_page(frame) : NULL;
}

static const struct gnt_ops gnt_test_ops = {
	.resize = gnt_test_resize,
	.frame_page = gnt_test_frame_page,
};

static void gnt_test_free(void *data)
{
	struct gnt_table *t = data;
	struct gnt_deferred *d, *next;
	unsigned int f;

	cancel_work_sync(&t->waiter_work);
	cancel_delayed_work_sync(&t->defer_work);
	list_for_each_entry_safe(d, next, &t->deferred, node) {
		if (d->page)
			put_page(d->page);
		kfree(d);
	}
	for (f = 0; f < t->max_frames; f++)
		kfree(t->links[f]);
}

static struct gnt_table *gnt_test_table(struct kunit *test,
					unsigned int frames, unsigned int max)
{
	struct gnt_table *t = kunit_kzalloc(test, sizeof(*t), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, t);
	t->entries = kunit_kcalloc(test, max * GNT_PER_FRAME,
				   sizeof(*t->entries), GFP_KERNEL);
	t->links = kunit_kcalloc(test, max, sizeof(*t->links), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, t->entries);
	KUNIT_ASSERT_NOT_NULL(test, t->links);
	spin_lock_init(&t->lock);
	INIT_WORK(&t->waiter_work, gnt_waiter_work);
	INIT_LIST_HEAD(&t->deferred);
	INIT_DELAYED_WORK(&t->defer_work, gnt_defer_work);
	t->free_head = GNT_LINK_END;
	t->max_frames = max;
	t->quiet = true;
	t->ops = &gnt_test_ops;
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, gnt_test_free, t), 0);
	KUNIT_ASSERT_EQ(test, gnt_extend(t, frames, GFP_KERNEL), 0);
	return t;
}

/* References a one-frame table can hand out. */
#define GNT_TEST_N	(GNT_PER_FRAME - GNT_FIRST_FREE)

static void gnt_test_flags(struct kunit *test)
{
	static const u16 busy[] = {
		GTF_permit_access | GTF_reading,
		GTF_permit_access | GTF_readonly | GTF_reading,
		GTF_permit_access | GTF_writing,
		GTF_permit_access | GTF_reading | GTF_writing,
	};
	unsigned int i;
	u16 f;

	KUNIT_EXPECT_EQ(test, gnt_grant_flags(false), (u16)GTF_permit_access);
	KUNIT_EXPECT_EQ(test, gnt_grant_flags(true),
			(u16)(GTF_permit_access | GTF_readonly));
	/* Mapped by the backend: neither cleared nor changed. */
	for (i = 0; i < ARRAY_SIZE(busy); i++) {
		f = busy[i];
		KUNIT_EXPECT_TRUE(test, gnt_flags_in_use(f));
		KUNIT_EXPECT_FALSE(test, gnt_try_clear(&f));
		KUNIT_EXPECT_EQ(test, f, busy[i]);
	}
	/* Granted but not mapped, or clear already: cleared. */
	f = GTF_permit_access | GTF_readonly;
	KUNIT_EXPECT_FALSE(test, gnt_flags_in_use(f));
	KUNIT_EXPECT_TRUE(test, gnt_try_clear(&f));
	KUNIT_EXPECT_EQ(test, f, (u16)0);
	KUNIT_EXPECT_TRUE(test, gnt_try_clear(&f));
	KUNIT_EXPECT_EQ(test, f, (u16)0);
}

static void gnt_test_alloc_free(struct kunit *test)
{
	struct gnt_table *t = gnt_test_table(test, 1, 1);
	DECLARE_BITMAP(seen, GNT_PER_FRAME) = {};
	unsigned int i;
	int ref;

	KUNIT_EXPECT_EQ(test, t->nr_free, GNT_TEST_N);
	for (i = 0; i < GNT_TEST_N; i++) {
		ref = gnt_get_one(t);
		KUNIT_ASSERT_GE(test, ref, (int)GNT_FIRST_FREE);
		KUNIT_ASSERT_LT(test, ref, (int)GNT_PER_FRAME);
		KUNIT_EXPECT_FALSE(test, test_and_set_bit(ref, seen));
	}
	KUNIT_EXPECT_EQ(test, gnt_get_one(t), -ENOSPC);
	KUNIT_EXPECT_EQ(test, t->nr_free, 0U);

	/* A freed reference is the next one out; a second free is refused. */
	KUNIT_EXPECT_TRUE(test, gnt_put_one(t, 100));
	KUNIT_EXPECT_FALSE(test, gnt_put_one(t, 100));
	KUNIT_EXPECT_EQ(test, gnt_get_one(t), 100);

	/* Reserved, beyond the table, or a list marker: refused. */
	for (i = 0; i < GNT_FIRST_FREE; i++)
		KUNIT_EXPECT_FALSE(test, gnt_put_one(t, i));
	KUNIT_EXPECT_FALSE(test, gnt_put_one(t, GNT_PER_FRAME));
	KUNIT_EXPECT_FALSE(test, gnt_put_one(t, GNT_LINK_BUSY));
	KUNIT_EXPECT_FALSE(test, gnt_put_one(t, GNT_LINK_END));
	KUNIT_EXPECT_EQ(test, t->nr_free, 0U);
}

static void gnt_test_batch(struct kunit *test)
{
	struct gnt_table *t = gnt_test_table(test, 1, 1);
	grant_ref_t head, first, second;
	unsigned int i;
	int refs[10];

	KUNIT_ASSERT_EQ(test, gnt_get_chain(t, 10, &head), 0);
	KUNIT_EXPECT_EQ(test, t->nr_free, GNT_TEST_N - 10);
	for (i = 0; i < 10; i++)
		refs[i] = gnt_chain_claim(t, &head);
	KUNIT_EXPECT_GE(test, refs[9], (int)GNT_FIRST_FREE);
	KUNIT_EXPECT_EQ(test, head, GNT_LINK_END);
	KUNIT_EXPECT_EQ(test, gnt_chain_claim(t, &head), -ENOSPC);

	/* Back into the batch, not twice; the last back is the next out. */
	KUNIT_EXPECT_TRUE(test, gnt_chain_release(t, &head, refs[3]));
	KUNIT_EXPECT_TRUE(test, gnt_chain_release(t, &head, refs[7]));
	KUNIT_EXPECT_FALSE(test, gnt_chain_release(t, &head, refs[7]));
	KUNIT_EXPECT_EQ(test, gnt_chain_claim(t, &head), refs[7]);
	KUNIT_EXPECT_TRUE(test, gnt_chain_release(t, &head, refs[7]));

	/* What is left of the batch goes back whole, the rest one by one. */
	KUNIT_EXPECT_EQ(test, gnt_put_chain(t, head), 2);
	for (i = 0; i < 10; i++)
		if (i != 3 && i != 7)
			KUNIT_EXPECT_TRUE(test, gnt_put_one(t, refs[i]));
	KUNIT_EXPECT_EQ(test, t->nr_free, GNT_TEST_N);

	/* More than there is: nothing taken.  None: an empty batch. */
	KUNIT_EXPECT_EQ(test, gnt_get_chain(t, GNT_TEST_N + 1, &head), -ENOSPC);
	KUNIT_EXPECT_EQ(test, t->nr_free, GNT_TEST_N);
	KUNIT_EXPECT_EQ(test, gnt_get_chain(t, 0, &head), 0);
	KUNIT_EXPECT_EQ(test, head, GNT_LINK_END);
	KUNIT_EXPECT_EQ(test, gnt_put_chain(t, head), 0);

	/* A batch with a bad link, or a loop, is refused whole. */
	KUNIT_ASSERT_EQ(test, gnt_get_chain(t, 3, &head), 0);
	first = head;
	second = *gnt_link(t, first);
	*gnt_link(t, second) = 3;
	KUNIT_EXPECT_EQ(test, gnt_put_chain(t, head), -EINVAL);
	*gnt_link(t, second) = first;
	KUNIT_EXPECT_EQ(test, gnt_put_chain(t, head), -EINVAL);
	KUNIT_EXPECT_EQ(test, t->nr_free, GNT_TEST_N - 3);
}

static void gnt_test_grow(struct kunit *test)
{
	struct gnt_table *t = gnt_test_table(test, 1, 4);
	grant_ref_t head;
	int ref;

	/* The policy: double, or more if asked, never past the limit. */
	KUNIT_EXPECT_EQ(test, gnt_grow_target(4, 64, 1), 8U);
	KUNIT_EXPECT_EQ(test, gnt_grow_target(4, 64, 10 * GNT_PER_FRAME + 1), 15U);
	KUNIT_EXPECT_EQ(test, gnt_grow_target(40, 64, 1), 64U);
	KUNIT_EXPECT_EQ(test, gnt_grow_target(64, 64, 1), 64U);
	KUNIT_EXPECT_EQ(test, gnt_grow_target(4, 64, 0), 4U);
	KUNIT_EXPECT_EQ(test, gnt_grow_target(0, 0, 5), 0U);

	KUNIT_ASSERT_EQ(test, gnt_get_chain(t, GNT_TEST_N, &head), 0);
	KUNIT_EXPECT_EQ(test, t->nr_frames, 1U);

	/* Out of references: the table doubles. */
	ref = gnt_get_one(t);
	KUNIT_EXPECT_EQ(test, t->nr_frames, 2U);
	KUNIT_EXPECT_GE(test, ref, (int)GNT_PER_FRAME);
	KUNIT_EXPECT_LT(test, ref, (int)(2 * GNT_PER_FRAME));
	KUNIT_EXPECT_EQ(test, t->nr_free, GNT_PER_FRAME - 1);

	/* A request for more than doubling gives: what it needs. */
	KUNIT_ASSERT_EQ(test, gnt_get_chain(t, 2 * GNT_PER_FRAME, &head), 0);
	KUNIT_EXPECT_EQ(test, t->nr_frames, 4U);
	KUNIT_EXPECT_EQ(test, t->nr_free, GNT_PER_FRAME - 1);

	/* At the limit: -ENOSPC, nothing taken. */
	KUNIT_EXPECT_EQ(test, gnt_get_chain(t, GNT_PER_FRAME, &head), -ENOSPC);
	KUNIT_EXPECT_EQ(test, t->nr_frames, 4U);
	KUNIT_EXPECT_EQ(test, t->nr_free, GNT_PER_FRAME - 1);
	KUNIT_EXPECT_TRUE(test, gnt_ref_ok(t, 4 * GNT_PER_FRAME - 1));
	KUNIT_EXPECT_FALSE(test, gnt_ref_ok(t, 4 * GNT_PER_FRAME));
}

/* A waiter that, called back, takes the references it waited for. */
struct gnt_test_waiter {
	struct gnttab_free_callback cb;
	struct gnt_table *t;
	unsigned int calls;
	int got;
	grant_ref_t head;
};

static void gnt_test_wake(void *arg)
{
	struct gnt_test_waiter *w = arg;

	w->calls++;
	w->got = gnt_get_chain(w->t, w->cb.count, &w->head);
}

static void gnt_test_waiters(struct kunit *test)
{
	struct gnt_table *t = gnt_test_table(test, 1, 1);
	struct gnt_test_waiter a = { .t = t }, b = { .t = t }, c = { .t = t };
	grant_ref_t head;
	unsigned int i;
	int r[5];

	/* Exhausted: a waits for 3, then b for 2; asking again changes nothing. */
	KUNIT_ASSERT_EQ(test, gnt_get_chain(t, GNT_TEST_N, &head), 0);
	for (i = 0; i < ARRAY_SIZE(r); i++)
		r[i] = gnt_chain_claim(t, &head);
	gnt_request_waiter(t, &a.cb, gnt_test_wake, &a, 3);
	gnt_request_waiter(t, &b.cb, gnt_test_wake, &b, 2);
	gnt_request_waiter(t, &a.cb, gnt_test_wake, &b, 9);
	KUNIT_EXPECT_EQ(test, a.cb.count, 3);
	KUNIT_EXPECT_PTR_EQ(test, a.cb.arg, (void *)&a);
	KUNIT_EXPECT_PTR_EQ(test, t->waiters, &a.cb);
	KUNIT_EXPECT_PTR_EQ(test, a.cb.next, &b.cb);
	gnt_run_waiters(t);
	KUNIT_EXPECT_EQ(test, a.calls + b.calls, 0U);

	/* Two free: not enough for a, and b waits behind a. */
	gnt_put_one(t, r[0]);
	gnt_put_one(t, r[1]);
	gnt_run_waiters(t);
	KUNIT_EXPECT_EQ(test, a.calls + b.calls, 0U);

	/* Three: a is called and takes them; b still waits. */
	gnt_put_one(t, r[2]);
	gnt_run_waiters(t);
	KUNIT_EXPECT_EQ(test, a.calls, 1U);
	KUNIT_EXPECT_EQ(test, a.got, 0);
	KUNIT_EXPECT_EQ(test, b.calls, 0U);
	KUNIT_EXPECT_PTR_EQ(test, t->waiters, &b.cb);

	/* Two more: b; and nobody is called twice. */
	gnt_put_one(t, r[3]);
	gnt_put_one(t, r[4]);
	gnt_run_waiters(t);
	gnt_run_waiters(t);
	KUNIT_EXPECT_EQ(test, a.calls, 1U);
	KUNIT_EXPECT_EQ(test, b.calls, 1U);
	KUNIT_EXPECT_EQ(test, b.got, 0);
	KUNIT_EXPECT_NULL(test, t->waiters);

	/* A cancelled request is not called. */
	gnt_request_waiter(t, &c.cb, gnt_test_wake, &c, 1);
	gnt_cancel_waiter(t, &c.cb);
	KUNIT_EXPECT_NULL(test, t->waiters);
	KUNIT_EXPECT_EQ(test, gnt_put_chain(t, a.head), 3);
	gnt_run_waiters(t);
	KUNIT_EXPECT_EQ(test, c.calls, 0U);

	/* As in use: a release queues the work item, which calls back. */
	KUNIT_ASSERT_EQ(test, gnt_get_chain(t, 3, &head), 0);
	t->wq = system_percpu_wq;
	gnt_request_waiter(t, &c.cb, gnt_test_wake, &c, 0);	/* 0 means 1 */
	flush_work(&t->waiter_work);
	KUNIT_EXPECT_EQ(test, c.calls, 0U);
	KUNIT_EXPECT_EQ(test, gnt_put_chain(t, b.head), 2);
	flush_work(&t->waiter_work);
	KUNIT_EXPECT_EQ(test, c.calls, 1U);
	KUNIT_EXPECT_EQ(test, c.got, 0);
}

static void gnt_test_grant_end(struct kunit *test)
{
	struct gnt_table *t = gnt_test_table(test, 1, 1);
	struct grant_entry_v1 *e;
	int ref = gnt_get_one(t);

	KUNIT_ASSERT_GE(test, ref, (int)GNT_FIRST_FREE);
	e = &t->entries[ref];
	KUNIT_EXPECT_EQ(test, gnt_grant(t, ref, 7, 0x12345, true), 0);
	KUNIT_EXPECT_EQ(test, e->domid, (domid_t)7);
	KUNIT_EXPECT_EQ(test, e->frame, 0x12345U);
	KUNIT_EXPECT_EQ(test, e->flags, (u16)(GTF_permit_access | GTF_readonly));

	/* A frame v1 cannot name; a reserved or a free reference. */
	KUNIT_EXPECT_EQ(test, gnt_grant(t, ref, 7, 1UL << 32, false), -ERANGE);
	KUNIT_EXPECT_EQ(test, e->frame, 0x12345U);
	KUNIT_EXPECT_EQ(test, gnt_grant(t, 1, 0, 5, false), -EINVAL);
	KUNIT_EXPECT_EQ(test, t->entries[1].flags, (u16)0);
	KUNIT_EXPECT_EQ(test, gnt_grant(t, t->free_head, 0, 5, false), -EINVAL);

	/* Mapped: not ended.  Unmapped: ended, entry clear. */
	e->flags |= GTF_reading;
	KUNIT_EXPECT_EQ(test, gnt_end(t, ref), 0);
	KUNIT_EXPECT_TRUE(test, e->flags & GTF_permit_access);
	e->flags &= ~GTF_reading;
	KUNIT_EXPECT_EQ(test, gnt_end(t, ref), 1);
	KUNIT_EXPECT_EQ(test, e->flags, (u16)0);
	KUNIT_EXPECT_EQ(test, gnt_end(t, 3), -EINVAL);
	KUNIT_EXPECT_EQ(test, gnt_end(t, GNT_PER_FRAME), -EINVAL);

	/* While suspended nothing is touched. */
	t->live = false;
	KUNIT_EXPECT_EQ(test, gnt_grant(t, ref, 7, 1, false), -EINVAL);
	KUNIT_EXPECT_EQ(test, gnt_end(t, ref), -EINVAL);
	KUNIT_EXPECT_EQ(test, e->flags, (u16)0);
}

static void gnt_test_deferred(struct kunit *test)
{
	struct gnt_table *t = gnt_test_table(test, 1, 1);
	struct page *page = alloc_page(GFP_KERNEL);
	unsigned long now = jiffies, due;
	struct gnt_deferred *d;
	unsigned int nr_free, i, ms = 0;
	int ref;

	/* The policy: 100 ms doubling to 10 s; warn at 5, then every 60th. */
	KUNIT_EXPECT_EQ(test, gnt_defer_delay_ms(0), 100U);
	KUNIT_EXPECT_EQ(test, gnt_defer_delay_ms(6), 6400U);
	KUNIT_EXPECT_EQ(test, gnt_defer_delay_ms(7), 10000U);
	KUNIT_EXPECT_EQ(test, gnt_defer_delay_ms(UINT_MAX), 10000U);
	KUNIT_EXPECT_TRUE(test, gnt_defer_should_log(0));
	KUNIT_EXPECT_FALSE(test, gnt_defer_should_log(4));
	KUNIT_EXPECT_TRUE(test, gnt_defer_should_log(5));
	KUNIT_EXPECT_FALSE(test, gnt_defer_should_log(59));
	KUNIT_EXPECT_TRUE(test, gnt_defer_should_log(60));
	for (i = 61; i <= 120; i++)
		ms += gnt_defer_delay_ms(i);
	KUNIT_EXPECT_EQ(test, ms, 600000U);	/* 10 min between lines */

	KUNIT_ASSERT_NOT_NULL(test, page);
	get_page(page);		/* ours, to watch the count; one goes below */
	ref = gnt_get_one(t);
	KUNIT_ASSERT_EQ(test, gnt_grant(t, ref, 0, page_to_pfn(page), false), 0);
	t->entries[ref].flags |= GTF_writing;
	nr_free = t->nr_free;

	gnt_defer(t, ref, page, now);
	KUNIT_EXPECT_EQ(test, t->nr_deferred, 1U);
	KUNIT_EXPECT_EQ(test, page_count(page), 2);
	d = list_first_entry(&t->deferred, struct gnt_deferred, node);
	KUNIT_EXPECT_EQ(test, d->due, now + msecs_to_jiffies(GNT_DEFER_FIRST_MS));

	/* Not due: not tried.  Due but still mapped: kept, tried later. */
	KUNIT_EXPECT_EQ(test, gnt_defer_scan(t, now), 1U);
	KUNIT_EXPECT_EQ(test, d->tries, 0U);
	due = d->due;
	KUNIT_EXPECT_EQ(test, gnt_defer_scan(t, due), 1U);
	KUNIT_EXPECT_EQ(test, d->tries, 1U);
	KUNIT_EXPECT_EQ(test, d->due, due + msecs_to_jiffies(gnt_defer_delay_ms(1)));
	KUNIT_EXPECT_EQ(test, t->nr_free, nr_free);
	KUNIT_EXPECT_EQ(test, page_count(page), 2);

	/* Let go: at the next try the reference and the page are released. */
	t->entries[ref].flags &= ~GTF_writing;
	KUNIT_EXPECT_EQ(test, gnt_defer_scan(t, d->due), 0U);
	KUNIT_EXPECT_EQ(test, t->nr_deferred, 0U);
	KUNIT_EXPECT_EQ(test, t->nr_free, nr_free + 1);
	KUNIT_EXPECT_EQ(test, t->entries[ref].flags, (u16)0);
	KUNIT_EXPECT_EQ(test, page_count(page), 1);

	/* No page given: the page the entry names is held meanwhile. */
	ref = gnt_get_one(t);
	KUNIT_ASSERT_EQ(test, gnt_grant(t, ref, 0, page_to_pfn(page), true), 0);
	t->entries[ref].flags |= GTF_reading;
	gnt_defer(t, ref, NULL, now);
	KUNIT_EXPECT_EQ(test, page_count(page), 2);
	t->entries[ref].flags &= ~GTF_reading;
	KUNIT_EXPECT_EQ(test, gnt_defer_scan(t, now + 3600 * HZ), 0U);
	KUNIT_EXPECT_EQ(test, page_count(page), 1);
	KUNIT_EXPECT_EQ(test, t->nr_free, nr_free + 1);
	put_page(page);
}

static struct kunit_case gnt_test_cases[] = {
	KUNIT_CASE(gnt_test_flags),
	KUNIT_CASE(gnt_test_alloc_free),
	KUNIT_CASE(gnt_test_batch),
	KUNIT_CASE(gnt_test_grow),
	KUNIT_CASE(gnt_test_waiters),
	KUNIT_CASE(gnt_test_grant_end),
	KUNIT_CASE(gnt_test_deferred),
	{}
};

static struct kunit_suite gnt_test_suite = {
	.name = "xen-grant-table",
	.test_cases = gnt_test_cases,
};

kunit_test_suite(gnt_test_suite);
#endif /* CONFIG_KUNIT */
