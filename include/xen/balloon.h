/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The balloon's public face.  drivers/xen/balloon.c keeps the domain's
 * memory at the size the toolstack asks for, and lends "empty" page frames
 * (struct pages with no machine frame behind them) to code that maps other
 * domains' grants into them.  drivers/xen/xen-balloon.c is the front door:
 * the xenstore watch and the sysfs tree under xen_memory0.
 *
 * xen/xen.h includes this header, so it must stand on its own.
 */
#ifndef _XEN_BALLOON_H
#define _XEN_BALLOON_H

struct page;

/* max_retry_count == RETRY_UNLIMITED: never give up on a refused step. */
#define RETRY_UNLIMITED	0

/*
 * All counts are in pages.  The balloon works to make current_pages equal
 * target_pages; balloon_low/high count the frames it holds empty (x86_64
 * has no highmem, so high stays 0).  total_pages is the most the domain
 * can hold: its memory at boot plus the extra pfn space the setup code
 * set aside.  schedule_delay is the back-off in seconds before retrying a
 * step Xen or the allocator refused, doubling up to max_schedule_delay;
 * retry_count counts refusals in a row, and after max_retry_count of them
 * the balloon waits for a new target (0: it keeps trying).
 * target_unpopulated counts frames lent out by xen_alloc_ballooned_pages().
 */
struct balloon_stats {
	/* the domain's size: now, wanted, at most */
	unsigned long current_pages;
	unsigned long target_pages;
	unsigned long total_pages;
	/* back-off after a refused step */
	unsigned long retry_count;
	unsigned long max_retry_count;
	unsigned long schedule_delay;
	unsigned long max_schedule_delay;
	/* frames held empty, and frames lent out */
	unsigned long balloon_low;
	unsigned long balloon_high;
	unsigned long target_unpopulated;
};

/* The one instance, in balloon.c; xen-balloon.c shows it in sysfs. */
extern struct balloon_stats balloon_stats;

#ifdef CONFIG_XEN_BALLOON
void xen_balloon_init(void);	/* sysfs and the watch, from balloon.c */
#else
static inline void xen_balloon_init(void) { }
#endif

/* A new target in pages, from the watch or sysfs; clamped, then pursued. */
void balloon_set_new_target(unsigned long target);

/* Lend and take back empty frames (grant mappings, privcmd). */
int xen_alloc_ballooned_pages(unsigned int nr_pages, struct page **pages);
void xen_free_ballooned_pages(unsigned int nr_pages, struct page **pages);

#endif /* _XEN_BALLOON_H */
