// SPDX-License-Identifier: GPL-2.0
/*
 * evtchn-lateeoi.c - pacing the unmask of late-EOI event channels.
 *
 * A frontend that binds with one of the *_lateeoi calls handles each event
 * with its port masked and ends it with xen_irq_lateeoi(), saying whether
 * the event brought any work.  A backend that rings the bell again and
 * again with nothing to do would otherwise keep one of our vCPUs in that
 * handler.  So each binding keeps an account (struct evt_eoi): the number
 * of spurious ends in a row.  The first EVT_SPURIOUS_FREE of them cost
 * nothing; after that the unmask is put off, by 1 ms and then twice as long
 * for each further one, up to EVT_EOI_DELAY_MAX_MS.  A single useful event
 * clears the account and unmasks at once.
 *
 * Put-off unmasks wait on one list, served by one delayed work on system_wq
 * that is armed for the earliest one due.  The unmask itself belongs to the
 * core (xen_evtchn_eoi_unmask(), which lifts the EOI mask reason) and is
 * always called with eoi_lock held, so that it cannot race with the
 * binding going away: xen_evt_eoi_forget() marks the account dying under
 * the same lock, and a dying account is never unmasked or queued again.
 *
 * Lock order: eoi_lock (spinlock_t), then the binding's raw lock inside
 * the core.  No raw lock is ever held while eoi_lock is taken.
 */

#define pr_fmt(fmt) "xen-evtchn-eoi: " fmt

#include <linux/jiffies.h>
#include <linux/limits.h>
#include <linux/list.h>
#include <linux/minmax.h>
#include <linux/printk.h>
#include <linux/spinlock.h>
#include <linux/workqueue.h>

#include "evtchn-abi.h"

/* Spurious EOIs in a row that cost nothing, and the longest delay. */
#define EVT_SPURIOUS_FREE	2
#define EVT_EOI_DELAY_MAX_MS	10U

static DEFINE_SPINLOCK(eoi_lock);
static LIST_HEAD(eoi_delayed);
static bool eoi_armed;		/* eoi_work is queued for eoi_next */
static unsigned long eoi_next;
static void evt_eoi_worker(struct work_struct *work);
static DECLARE_DELAYED_WORK(eoi_work, evt_eoi_worker);

/*
 * evt_eoi_delay - account one late EOI (pure; KUnit below)
 * @spurious: spurious EOIs in a row so far; updated
 * @was_spurious: this one brought no work
 *
 * Return: how many milliseconds to keep the port masked (0: unmask now).
 */
static unsigned int evt_eoi_delay(unsigned int *spurious, bool was_spurious)
{
	unsigned int n;

	if (!was_spurious) {
		*spurious = 0;
		return 0;
	}
	n = *spurious;
	if (n < UINT_MAX)
		*spurious = ++n;
	if (n <= EVT_SPURIOUS_FREE)
		return 0;
	n -= EVT_SPURIOUS_FREE + 1;
	return n < 31 ? min(1U << n, EVT_EOI_DELAY_MAX_MS) :
			EVT_EOI_DELAY_MAX_MS;
}

/**
 * xen_evt_eoi_end - a late-EOI event is over
 * @e: the binding's account
 * @spurious: the event brought no work
 *
 * Has the core unmask the port now, or queues that for later when the
 * spurious events pile up.  Nothing happens once xen_evt_eoi_forget() ran.
 */
void xen_evt_eoi_end(struct evt_eoi *e, bool spurious)
{
	unsigned long flags, delay;
	unsigned int ms;
	bool late;

	spin_lock_irqsave(&eoi_lock, flags);
	late = e->dying;
	if (late)
		goto out;
	ms = evt_eoi_delay(&e->spurious, spurious);
	if (!ms) {
		list_del_init(&e->node);
		xen_evtchn_eoi_unmask(e);
		goto out;
	}
	delay = msecs_to_jiffies(ms);
	e->due = jiffies + delay;
	list_move_tail(&e->node, &eoi_delayed);
	if (!eoi_armed || time_before(e->due, eoi_next)) {
		eoi_armed = true;
		eoi_next = e->due;
		mod_delayed_work(system_wq, &eoi_work, delay);
	}
out:
	spin_unlock_irqrestore(&eoi_lock, flags);
	if (late)
		pr_warn_once("late EOI on a channel already unbound\n");
}

/**
 * xen_evt_eoi_forget - the binding is going away
 * @e: its account
 *
 * Drops a put-off unmask; from now on xen_evt_eoi_end() does nothing.
 */
void xen_evt_eoi_forget(struct evt_eoi *e)
{
	unsigned long flags;

	spin_lock_irqsave(&eoi_lock, flags);
	e->dying = true;
	list_del_init(&e->node);
	spin_unlock_irqrestore(&eoi_lock, flags);
}

/* Unmask the channels whose delay is over; wait again for the rest. */
static void evt_eoi_worker(struct work_struct *work)
{
	unsigned long now = jiffies, flags;
	struct evt_eoi *e, *tmp;

	spin_lock_irqsave(&eoi_lock, flags);
	eoi_armed = false;
	list_for_each_entry_safe(e, tmp, &eoi_delayed, node) {
		if (time_before(now, e->due)) {
			if (!eoi_armed || time_before(e->due, eoi_next))
				eoi_next = e->due;
			eoi_armed = true;
			continue;
		}
		list_del_init(&e->node);
		xen_evtchn_eoi_unmask(e);
	}
	if (eoi_armed)
		mod_delayed_work(system_wq, &eoi_work, eoi_next - now);
	spin_unlock_irqrestore(&eoi_lock, flags);
}

#if IS_REACHABLE(CONFIG_KUNIT)
#include <kunit/test.h>

static void evt_test_eoi_useful(struct kunit *test)
{
	unsigned int n = 7;

	KUNIT_EXPECT_EQ(test, evt_eoi_delay(&n, false), 0);
	KUNIT_EXPECT_EQ(test, n, 0);
}

static void evt_test_eoi_growing(struct kunit *test)
{
	unsigned int n = 0, i;

	for (i = 0; i < EVT_SPURIOUS_FREE; i++)
		KUNIT_EXPECT_EQ(test, evt_eoi_delay(&n, true), 0);
	KUNIT_EXPECT_EQ(test, evt_eoi_delay(&n, true), 1);
	KUNIT_EXPECT_EQ(test, evt_eoi_delay(&n, true), 2);
	KUNIT_EXPECT_EQ(test, evt_eoi_delay(&n, true), 4);
	KUNIT_EXPECT_EQ(test, evt_eoi_delay(&n, true), 8);
	KUNIT_EXPECT_EQ(test, evt_eoi_delay(&n, true), EVT_EOI_DELAY_MAX_MS);
	KUNIT_EXPECT_EQ(test, evt_eoi_delay(&n, true), EVT_EOI_DELAY_MAX_MS);
	/* One useful event and the next spurious ones are free again. */
	KUNIT_EXPECT_EQ(test, evt_eoi_delay(&n, false), 0);
	KUNIT_EXPECT_EQ(test, evt_eoi_delay(&n, true), 0);
}

static void evt_test_eoi_saturates(struct kunit *test)
{
	unsigned int n = UINT_MAX - 1;

	KUNIT_EXPECT_EQ(test, evt_eoi_delay(&n, true), EVT_EOI_DELAY_MAX_MS);
	KUNIT_EXPECT_EQ(test, n, UINT_MAX);
	KUNIT_EXPECT_EQ(test, evt_eoi_delay(&n, true), EVT_EOI_DELAY_MAX_MS);
	KUNIT_EXPECT_EQ(test, n, UINT_MAX);
	n = EVT_SPURIOUS_FREE + 31;
	KUNIT_EXPECT_EQ(test, evt_eoi_delay(&n, true), EVT_EOI_DELAY_MAX_MS);
}

static struct kunit_case evt_eoi_test_cases[] = {
	KUNIT_CASE(evt_test_eoi_useful),
	KUNIT_CASE(evt_test_eoi_growing),
	KUNIT_CASE(evt_test_eoi_saturates),
	{}
};

static struct kunit_suite evt_eoi_test_suite = {
	.name = "xen-evtchn-eoi",
	.test_cases = evt_eoi_test_cases,
};

kunit_test_suite(evt_eoi_test_suite);
#endif /* IS_REACHABLE(CONFIG_KUNIT) */
