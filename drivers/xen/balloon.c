// SPDX-License-Identifier: GPL-2.0
/*
 * balloon.c - keeping the domain at the size the toolstack asks for.
 *
 * The toolstack sets a target (xl mem-set writes memory/target in
 * xenstore; xen-balloon.c watches it and calls balloon_set_new_target()).
 * This file moves the domain towards it one batch at a time:
 *
 *  - shrinking: take free pages from the page allocator, zero them if
 *    xen_scrub_pages says so, clear their direct-map PTEs and p2m entries,
 *    and hand their frames to Xen (XENMEM_decrease_reservation).  The
 *    struct pages stay behind, empty, on the balloon list;
 *  - growing: take empty pages off the balloon list, ask Xen to populate
 *    their pfns (XENMEM_populate_physmap), record the new machine frames
 *    in the p2m and the direct map, and free the pages to the allocator.
 *
 * The balloon list starts with the extra pfn space the setup code set aside
 * for a domain whose maxmem is above its memory (xen_extra_mem): pfns that
 * have struct pages but no frames yet.  That, not memory hotplug (off in
 * our config), is how such a domain grows past its boot size, and it also
 * bounds the target from above.  From below, a target under
 * BALLOON_FLOOR_KB is refused as absurd and clamped.
 *
 * The work runs in a freezable delayed work item, one batch (at most a
 * page's worth of frame numbers) per run under balloon_lock, re-queued at
 * once while there is progress to make.  When Xen or the allocator refuses
 * a whole step (Xen out of memory or at max_pages; the guest out of free
 * pages) the balloon says so once and backs off, doubling its delay up to
 * max_schedule_delay seconds; after max_retry_count refusals in a row
 * (0: never) it waits for the next target instead.  Progress or a new
 * target starts it afresh.
 *
 * The list also lends empty pages to code that maps other domains' grants
 * (xen_alloc_ballooned_pages()); when it runs dry, the balloon shrinks the
 * domain by what is missing.  A lent page is not on the list; the pages
 * lent are counted in target_unpopulated, and a shortfall that lent pages
 * explain is not a failure to grow.  Given back, they rejoin the list and
 * the domain grows to its target again.
 */

#define pr_fmt(fmt) "xen-balloon: " fmt

#include <linux/gfp.h>
#include <linux/init.h>
#include <linux/list.h>
#include <linux/minmax.h>
#include <linux/mm.h>
#include <linux/mutex.h>
#include <linux/workqueue.h>

#include <asm/xen/hypervisor.h>

#include <xen/balloon.h>
#include <xen/mem-reservation.h>
#include <xen/page.h>
#include <xen/xen.h>

/* One batch: as many frame numbers as fit in a page. */
#define BALLOON_BATCH		(PAGE_SIZE / sizeof(xen_pfn_t))
/* No target below this is taken literally: no Linux guest lives on less. */
#define BALLOON_FLOOR_KB	(32UL * 1024)
#define BALLOON_MAX_DELAY	32	/* seconds */

/* Shrinking for the target must not push the guest into reclaim or OOM. */
#define BALLOON_GFP	(GFP_HIGHUSER | __GFP_NOWARN | __GFP_NORETRY | \
			 __GFP_NOMEMALLOC)

struct balloon_stats balloon_stats;
EXPORT_SYMBOL_GPL(balloon_stats);

static DEFINE_MUTEX(balloon_lock);	/* the list, the stats, the batch */
static LIST_HEAD(balloon_list);		/* empty pages, via page->lru */
static unsigned long balloon_floor;	/* lowest target taken, pages */
static bool balloon_stalled;		/* we said we are stuck */
static bool balloon_clamp_said;		/* we said a target was clamped */

static struct page *batch_pages[BALLOON_BATCH];
static xen_pfn_t batch_frames[BALLOON_BATCH];

static void balloon_work_fn(struct work_struct *work);
static DECLARE_DELAYED_WORK(balloon_work, balloon_work_fn);

/* --- pure policy (KUnit cases at the end) --- */

/* The target actually pursued: @want kept within [@floor, @ceiling]. */
static unsigned long balloon_clamp(unsigned long want, unsigned long floor,
				   unsigned long ceiling)
{
	return clamp(want, min(floor, ceiling), ceiling);
}

/*
 * How many pages the next step moves: @credit is target minus current
 * (positive: grow), @held the empty pages on the list, @avail what the
 * allocator could spare without pain.
 */
static unsigned long balloon_step(long credit, unsigned long held,
				  unsigned long avail)
{
	if (credit > 0)
		return min3((unsigned long)credit, held, BALLOON_BATCH);
	if (credit < 0)
		return min3((unsigned long)-credit, avail, BALLOON_BATCH);
	return 0;
}

/* The next back-off in seconds: double, within [1, @max]. */
static unsigned long balloon_backoff(unsigned long delay, unsigned long max)
{
	return clamp(delay * 2, 1UL, max(max, 1UL));
}

/* After @refusals in a row, does the balloon wait for a new target? */
static bool balloon_give_up(unsigned long refusals, unsigned long max)
{
	return max != RETRY_UNLIMITED && refusals >= max;
}

/* --- the list --- */

static void balloon_hold(struct page *page)
{
	__folio_set_offline(page_folio(page));
	list_add(&page->lru, &balloon_list);
	balloon_stats.balloon_low++;
}

static void balloon_release(struct page *page)
{
	list_del(&page->lru);
	balloon_stats.balloon_low--;
	__folio_clear_offline(page_folio(page));
}

/* Room in the p2m for @page's entry (PV only; may allocate a leaf). */
static bool balloon_p2m_room(struct page *page)
{
	return !xenmem_guest_keeps_p2m() ||
	       xen_alloc_p2m_entry(page_to_pfn(page)) == 0;
}

/* Did the last remap leave @page with a machine frame (PV), or not? */
static bool balloon_backed(struct page *page)
{
	return !xenmem_guest_keeps_p2m() ||
	       phys_to_machine_mapping_valid(page_to_pfn(page));
}

/* --- moving frames; all under balloon_lock --- */

/* Populate up to @nr pages from the list.  Returns how many came back. */
static unsigned long balloon_grow(unsigned long nr)
{
	unsigned long i = 0, got = 0, lost = 0, k;
	struct page *page;
	int done;

	list_for_each_entry(page, &balloon_list, lru) {
		if (i == nr || !balloon_p2m_room(page))
			break;
		batch_pages[i] = page;
		batch_frames[i++] = page_to_xen_pfn(page);
	}
	done = xenmem_reservation_increase(i, batch_frames);
	if (done <= 0)
		return 0;

	xenmem_reservation_va_mapping_update(done, batch_pages, batch_frames);
	for (k = 0; k < done; k++) {
		page = batch_pages[k];
		if (!balloon_backed(page)) {
			/* Unusable here: give the frame back, keep the pfn. */
			batch_frames[lost++] = batch_frames[k];
			continue;
		}
		balloon_release(page);
		free_reserved_page(page);
		got++;
	}
	if (lost && xenmem_reservation_decrease(lost, batch_frames) != lost)
		pr_err("%lu frames we could not map are lost\n", lost);
	balloon_stats.current_pages += got;
	return got;
}

/*
 * Give up to @nr free pages to Xen, allocated with @gfp; they join the
 * list.  Returns how many left.
 */
static unsigned long balloon_shrink(unsigned long nr, gfp_t gfp)
{
	unsigned long n = 0, kept = 0, k;
	struct page *page;
	int done;

	while (n < nr) {
		page = alloc_page(gfp);
		if (!page)
			break;
		xenmem_reservation_scrub_page(page);
		batch_frames[n] = xen_page_to_gfn(page);
		batch_pages[n++] = page;
	}
	if (!n)
		return 0;

	xenmem_reservation_va_mapping_reset(n, batch_pages);
	for (k = 0; k < n; k++) {
		page = batch_pages[k];
		if (xenmem_guest_keeps_p2m() &&
		    phys_to_machine_mapping_valid(page_to_pfn(page))) {
			/* Still mapped: it must not leave.  Keep it. */
			__free_page(page);
			continue;
		}
		batch_pages[kept] = page;
		batch_frames[kept++] = batch_frames[k];
	}
	done = xenmem_reservation_decrease(kept, batch_frames);
	if (done < 0)
		done = 0;
	if (done < kept) {
		/* Xen kept the rest: map them again and free them. */
		pr_warn_once("Xen took %d of %lu frames\n", done, kept);
		xenmem_reservation_va_mapping_update(kept - done,
						     batch_pages + done,
						     batch_frames + done);
		for (k = done; k < kept; k++) {
			if (balloon_backed(batch_pages[k]))
				__free_page(batch_pages[k]);
			else
				pr_err("pfn %#lx lost its frame\n",
				       page_to_pfn(batch_pages[k]));
		}
	}
	for (k = 0; k < done; k++) {
		adjust_managed_page_count(batch_pages[k], -1);
		balloon_hold(batch_pages[k]);
	}
	balloon_stats.current_pages -= done;
	return done;
}

static void balloon_kick(unsigned long delay)
{
	mod_delayed_work(system_freezable_wq, &balloon_work, delay);
}

/* A step moved nothing although @credit pages remain to move. */
static void balloon_refused(long credit)
{
	struct balloon_stats *s = &balloon_stats;

	/* Nothing left to populate, and not for lending: the target's top. */
	if (credit > 0 && !s->balloon_low) {
		if ((unsigned long)credit > s->target_unpopulated)
			pr_info("%lu KiB is as high as this domain goes\n",
				s->current_pages << (PAGE_SHIFT - 10));
		return;
	}
	if (!balloon_stalled)
		pr_warn("%s refused to %s by %ld KiB; will retry\n",
			credit > 0 ? "Xen" : "the guest",
			credit > 0 ? "grow" : "shrink",
			abs(credit) << (PAGE_SHIFT - 10));
	balloon_stalled = true;
	s->retry_count++;
	if (balloon_give_up(s->retry_count, s->max_retry_count)) {
		pr_warn("gave up after %lu tries; waiting for a new target\n",
			s->retry_count);
		return;
	}
	balloon_kick(s->schedule_delay * HZ);
	s->schedule_delay = balloon_backoff(s->schedule_delay,
					    s->max_schedule_delay);
}

static void balloon_work_fn(struct work_struct *work)
{
	struct balloon_stats *s = &balloon_stats;
	unsigned long nr, moved = 0;
	long credit;

	mutex_lock(&balloon_lock);
	credit = s->target_pages - s->current_pages;
	nr = balloon_step(credit, s->balloon_low, si_mem_available());
	if (credit > 0)
		moved = balloon_grow(nr);
	else if (credit < 0)
		moved = balloon_shrink(nr, BALLOON_GFP);

	if (moved) {
		if (balloon_stalled)
			pr_info("moving again\n");
		balloon_stalled = false;
		s->retry_count = 0;
		s->schedule_delay = 1;
		if (s->target_pages != s->current_pages)
			balloon_kick(0);
	} else if (credit) {
		balloon_refused(credit);
	}
	mutex_unlock(&balloon_lock);
}

/**
 * balloon_set_new_target - set the number of pages the domain should hold
 * @target: pages wanted; clamped to what the domain can hold (its boot
 *	size plus the extra pfn space) and to a sane floor
 *
 * Starts the balloon towards the new target, with a fresh retry budget.
 */
void balloon_set_new_target(unsigned long target)
{
	struct balloon_stats *s = &balloon_stats;
	unsigned long pages;

	mutex_lock(&balloon_lock);
	pages = balloon_clamp(target, balloon_floor, s->total_pages);
	if (pages != target && !balloon_clamp_said)
		pr_warn("target %lu KiB is out of reach, using %lu KiB\n",
			target << (PAGE_SHIFT - 10), pages << (PAGE_SHIFT - 10));
	balloon_clamp_said = pages != target;
	s->target_pages = pages;
	s->retry_count = 0;
	s->schedule_delay = 1;
	balloon_kick(0);
	mutex_unlock(&balloon_lock);
}
EXPORT_SYMBOL_GPL(balloon_set_new_target);

/**
 * xen_alloc_ballooned_pages - borrow pages with no frame behind them
 * @nr_pages: how many
 * @pages: filled with the pages
 *
 * For mapping foreign frames (grants, privcmd).  When the balloon holds
 * too few, the domain gives that many more frames back to Xen first.
 *
 * Return: 0, or -ENOMEM with nothing borrowed.
 */
int xen_alloc_ballooned_pages(unsigned int nr_pages, struct page **pages)
{
	unsigned int got = 0;
	struct page *page;
	unsigned long want;

	mutex_lock(&balloon_lock);
	while (got < nr_pages) {
		if (list_empty(&balloon_list)) {
			want = min_t(unsigned long, nr_pages - got,
				     BALLOON_BATCH);
			if (si_mem_available() < want ||
			    !balloon_shrink(want, GFP_USER))
				break;
			continue;
		}
		page = list_first_entry(&balloon_list, struct page, lru);
		if (!balloon_p2m_room(page))
			break;
		balloon_release(page);
		pages[got++] = page;
		balloon_stats.target_unpopulated++;
	}
	mutex_unlock(&balloon_lock);
	if (got == nr_pages)
		return 0;
	xen_free_ballooned_pages(got, pages);
	return -ENOMEM;
}
EXPORT_SYMBOL(xen_alloc_ballooned_pages);

/**
 * xen_free_ballooned_pages - give back pages from xen_alloc_ballooned_pages()
 * @nr_pages: how many
 * @pages: the pages (NULL entries are skipped); nothing may map them now
 */
void xen_free_ballooned_pages(unsigned int nr_pages, struct page **pages)
{
	unsigned int i;

	mutex_lock(&balloon_lock);
	for (i = 0; i < nr_pages; i++) {
		if (!pages[i])
			continue;
		balloon_hold(pages[i]);
		if (!WARN_ON_ONCE(!balloon_stats.target_unpopulated))
			balloon_stats.target_unpopulated--;
	}
	if (balloon_stats.target_pages != balloon_stats.current_pages)
		balloon_kick(0);
	mutex_unlock(&balloon_lock);
}
EXPORT_SYMBOL(xen_free_ballooned_pages);

/*
 * Put the extra pfn space on the list: pfns with struct pages and no
 * frames.  A pfn that has a frame already is not ours to count.
 */
static unsigned long __init balloon_take_extra(void)
{
	unsigned long pfn, end, held = 0, skipped = 0;
	unsigned int i;

	for (i = 0; i < XEN_EXTRA_MEM_MAX_REGIONS; i++) {
		pfn = xen_extra_mem[i].start_pfn;
		if (check_add_overflow(pfn, xen_extra_mem[i].n_pfns, &end))
			end = ULONG_MAX;
		for (end = min(end, max_pfn); pfn < end; pfn++) {
			if (!pfn_valid(pfn) ||
			    (xenmem_guest_keeps_p2m() &&
			     phys_to_machine_mapping_valid(pfn))) {
				skipped++;
				continue;
			}
			balloon_hold(pfn_to_page(pfn));
			held++;
		}
	}
	if (skipped)
		pr_notice("%lu extra pfns are not empty; left alone\n",
			  skipped);
	return held;
}

static int __init balloon_init(void)
{
	struct balloon_stats *s = &balloon_stats;
	unsigned long boot;

	if (!xen_pv_domain())
		return -ENODEV;
	if (xen_released_pages >= xen_start_info->nr_pages) {
		pr_err("released %lu of %lu pages?  Not ballooning\n",
		       xen_released_pages, xen_start_info->nr_pages);
		return -EINVAL;
	}
	boot = min(xen_start_info->nr_pages - xen_released_pages, max_pfn);

	mutex_lock(&balloon_lock);
	s->current_pages = boot;
	s->target_pages = boot;
	s->total_pages = boot + balloon_take_extra();
	s->schedule_delay = 1;
	s->max_schedule_delay = BALLOON_MAX_DELAY;
	s->max_retry_count = RETRY_UNLIMITED;
	balloon_floor = BALLOON_FLOOR_KB >> (PAGE_SHIFT - 10);
	mutex_unlock(&balloon_lock);

	pr_info("%lu KiB now, up to %lu KiB\n", boot << (PAGE_SHIFT - 10),
		s->total_pages << (PAGE_SHIFT - 10));
	xen_balloon_init();
	return 0;
}
subsys_initcall(balloon_init);

#if IS_REACHABLE(CONFIG_KUNIT)
#include <kunit/test.h>

static void balloon_test_clamp(struct kunit *test)
{
	/* Within range: as asked. */
	KUNIT_EXPECT_EQ(test, balloon_clamp(1000, 100, 5000), 1000UL);
	/* Absurdly low (0 included) goes to the floor, too high to the top. */
	KUNIT_EXPECT_EQ(test, balloon_clamp(0, 100, 5000), 100UL);
	KUNIT_EXPECT_EQ(test, balloon_clamp(99, 100, 5000), 100UL);
	KUNIT_EXPECT_EQ(test, balloon_clamp(ULONG_MAX, 100, 5000), 5000UL);
	KUNIT_EXPECT_EQ(test, balloon_clamp(5001, 100, 5000), 5000UL);
	/* A domain smaller than the floor stays where it can be. */
	KUNIT_EXPECT_EQ(test, balloon_clamp(10, 100, 50), 50UL);
	KUNIT_EXPECT_EQ(test, balloon_clamp(60, 100, 50), 50UL);
}

static void balloon_test_step(struct kunit *test)
{
	/* Growing: limited by the credit, the empty pages and the batch. */
	KUNIT_EXPECT_EQ(test, balloon_step(10, 100, 0), 10UL);
	KUNIT_EXPECT_EQ(test, balloon_step(10, 3, 0), 3UL);
	KUNIT_EXPECT_EQ(test, balloon_step(LONG_MAX, ULONG_MAX, 0),
			BALLOON_BATCH);
	KUNIT_EXPECT_EQ(test, balloon_step(10, 0, 100), 0UL);
	/* Shrinking: by the credit, what the allocator spares, the batch. */
	KUNIT_EXPECT_EQ(test, balloon_step(-10, 0, 100), 10UL);
	KUNIT_EXPECT_EQ(test, balloon_step(-10, 0, 4), 4UL);
	KUNIT_EXPECT_EQ(test, balloon_step(LONG_MIN + 1, 0, ULONG_MAX),
			BALLOON_BATCH);
	KUNIT_EXPECT_EQ(test, balloon_step(0, 100, 100), 0UL);
}

static void balloon_test_backoff(struct kunit *test)
{
	unsigned long d = 1, waited = 0, i;

	KUNIT_EXPECT_EQ(test, balloon_backoff(1, 32), 2UL);
	KUNIT_EXPECT_EQ(test, balloon_backoff(16, 32), 32UL);
	KUNIT_EXPECT_EQ(test, balloon_backoff(32, 32), 32UL);
	KUNIT_EXPECT_EQ(test, balloon_backoff(0, 32), 1UL);
	KUNIT_EXPECT_EQ(test, balloon_backoff(4, 0), 1UL);
	/* An hour of refusals costs at most a try every max seconds. */
	for (i = 0; i < 120; i++) {
		waited += d;
		d = balloon_backoff(d, 32);
	}
	KUNIT_EXPECT_LE(test, waited, 120UL * 32);
	KUNIT_EXPECT_GE(test, waited, 110UL * 32);

	KUNIT_EXPECT_FALSE(test, balloon_give_up(1000, RETRY_UNLIMITED));
	KUNIT_EXPECT_FALSE(test, balloon_give_up(3, 4));
	KUNIT_EXPECT_TRUE(test, balloon_give_up(4, 4));
}

static struct kunit_case balloon_test_cases[] = {
	KUNIT_CASE(balloon_test_clamp),
	KUNIT_CASE(balloon_test_step),
	KUNIT_CASE(balloon_test_backoff),
	{}
};

static struct kunit_suite balloon_test_suite = {
	.name = "xen-balloon",
	.test_cases = balloon_test_cases,
};

kunit_test_suite(balloon_test_suite);
#endif /* CONFIG_KUNIT */
