// SPDX-License-Identifier: GPL-2.0
/*
 * evtchn-fifo.c - the FIFO event channel ABI.
 *
 * Xen 4.4 and later offer this ABI for up to 2^17 ports, with priorities.
 * Each port has a 32-bit event word, in pages of words (the event array)
 * that we allocate and register one at a time with EVTCHNOP_expand_array,
 * as bound ports need them.  The word holds four flags and a link:
 *
 *	bit 31 PENDING, 30 MASKED, 29 LINKED, 28 BUSY, bits 16..0 LINK
 *
 * Each vCPU has a control block (a page we give Xen with
 * EVTCHNOP_init_control): a READY word with a bit per priority queue, and
 * the HEAD port of each of the 16 queues (priority 0 is the highest).
 * When a port becomes pending and is not masked, Xen sets PENDING, links
 * the port at the tail of its priority's queue on the vCPU it is bound to
 * (setting LINKED, and the old tail's LINK to it; or, if the queue was
 * empty, HEAD to it and the queue's READY bit), and raises the upcall.
 *
 * Consuming.  We take READY with an atomic exchange (leaving 0) into our
 * own per-CPU copy, serve the highest-priority queue first, and keep per
 * queue the port we are to take next, reading HEAD only when we start a
 * new list.  Taking a port means clearing LINKED and LINK in one atomic
 * step, which also tells us the next port: if there is none we have
 * emptied the queue, and Xen, finding the tail no longer LINKED, starts a
 * new list at HEAD and sets READY again.  A port taken that is not pending
 * or is masked is dropped; otherwise it goes to the core, whose ack clears
 * PENDING.  READY is fetched again after each port, so a higher-priority
 * event (the timer) is served next.
 *
 * Masking is setting MASKED.  Unmasking a port that is neither pending nor
 * BUSY is clearing MASKED (atomically, so that Xen's own updates are not
 * lost); otherwise EVTCHNOP_unmask, so that Xen links the pending port.
 *
 * Trust.  HEAD and LINK values come from pages Xen writes: a port beyond
 * the event array ends the queue (with a ratelimited warning), and a port
 * we take is unlinked before we look at its successor, so even a circular
 * list ends.
 *
 * CPU hotplug: a CPU gets its control block before its first port is
 * bound or it first comes up (CPUHP_XEN_EVTCHN_PREPARE), and keeps it when
 * it goes down, since Xen cannot take one back.  What is still queued for
 * a CPU that went down is taken off its queues and handed back to the
 * core (fifo_cpu_dead()): a port moved to another vCPU while it was
 * linked there would otherwise never be queued again.
 *
 * Save/restore: the new domain knows none of our pages, so every control
 * block is cleared and registered again, and every event array page reset
 * to all-masked and registered again.  A new host whose Xen refuses the
 * first control block has no FIFO ABI: the core then goes 2-level.
 */

#define pr_fmt(fmt) "xen-evtchn-fifo: " fmt

#include <linux/bitops.h>
#include <linux/compiler.h>
#include <linux/cpumask.h>
#include <linux/gfp.h>
#include <linux/init.h>
#include <linux/minmax.h>
#include <linux/panic.h>
#include <linux/percpu.h>
#include <linux/printk.h>
#include <linux/string.h>

#include <asm/barrier.h>
#include <asm/page.h>
#include <asm/xen/hypercall.h>
#include <asm/xen/page.h>

#include <xen/interface/event_channel.h>
#include <xen/xen-ops.h>

#include "evtchn-abi.h"

#define FIFO_WORDS_PER_PAGE	(PAGE_SIZE / sizeof(event_word_t))
#define FIFO_MAX_PAGES		(EVTCHN_FIFO_NR_CHANNELS / FIFO_WORDS_PER_PAGE)
#define FIFO_QUEUES_MASK	(BIT(EVTCHN_FIFO_MAX_QUEUES) - 1)

#define FIFO_PENDING		BIT(EVTCHN_FIFO_PENDING)
#define FIFO_MASKED		BIT(EVTCHN_FIFO_MASKED)
#define FIFO_LINKED		BIT(EVTCHN_FIFO_LINKED)
#define FIFO_BUSY		BIT(EVTCHN_FIFO_BUSY)

/**
 * struct fifo_cpu - one CPU's view of its queues
 * @cb: the control block page Xen writes
 * @ready: queues we know to be non-empty (our copy of READY)
 * @head: per queue, the port to take next (0: read HEAD)
 */
struct fifo_cpu {
	struct evtchn_fifo_control_block *cb;
	unsigned long ready;
	evtchn_port_t head[EVTCHN_FIFO_MAX_QUEUES];
};

static DEFINE_PER_CPU(struct fifo_cpu, fifo_cpu);

/*
 * The event array.  Pages are added under the core's bind mutex (or in
 * resume); fifo_nr_pages is published after the page pointer, so the
 * upcall reads it with acquire semantics and then any page below it.
 */
static event_word_t *fifo_pages[FIFO_MAX_PAGES];
static unsigned int fifo_nr_pages;
static unsigned int fifo_max_ports = EVTCHN_FIFO_NR_CHANNELS;

/* ---- event words (pure; KUnit below) ---- */

static event_word_t *fifo_word(event_word_t *const *pages,
			       unsigned int nr_pages, evtchn_port_t port)
{
	unsigned int page = port / FIFO_WORDS_PER_PAGE;

	if (page >= nr_pages)
		return NULL;
	return &pages[page][port % FIFO_WORDS_PER_PAGE];
}

static void fifo_set_bits(event_word_t *word, event_word_t bits)
{
	event_word_t old = READ_ONCE(*word);

	while (!try_cmpxchg(word, &old, old | bits))
		;
}

static void fifo_clear_bits(event_word_t *word, event_word_t bits)
{
	event_word_t old = READ_ONCE(*word);

	while (!try_cmpxchg(word, &old, old & ~bits))
		;
}

/* Clear MASKED unless the port is pending or busy.  Return: done. */
static bool fifo_try_clear_mask(event_word_t *word)
{
	event_word_t old = READ_ONCE(*word);

	do {
		if (old & (FIFO_PENDING | FIFO_BUSY))
			return false;
	} while (!try_cmpxchg(word, &old, old & ~FIFO_MASKED));
	return true;
}

/* Take the port off its queue.  Return: the next port, 0 at the tail. */
static evtchn_port_t fifo_unlink(event_word_t *word)
{
	event_word_t old = READ_ONCE(*word);

	while (!try_cmpxchg(word, &old,
			    old & ~(FIFO_LINKED | EVTCHN_FIFO_LINK_MASK)))
		;
	return old & FIFO_LINKED ? old & EVTCHN_FIFO_LINK_MASK : 0;
}

/*
 * fifo_consume - take the port at the head of queue @q
 * @fc: the CPU's state; @fc->ready has bit @q set
 * @q: the queue
 * @pages: the event array
 * @nr_pages: its length
 *
 * Return: the port if it is to be handled (pending and not masked), else 0.
 */
static evtchn_port_t fifo_consume(struct fifo_cpu *fc, unsigned int q,
				  event_word_t *const *pages,
				  unsigned int nr_pages)
{
	evtchn_port_t port = fc->head[q], next;
	event_word_t *word;
	event_word_t w;

	if (!port) {
		/* READY was seen set before HEAD is read. */
		virt_rmb();
		port = READ_ONCE(fc->cb->head[q]);
	}
	word = fifo_word(pages, nr_pages, port);
	if (!port || !word) {
		if (port)
			pr_warn_ratelimited("queue %u: port %u beyond the array\n",
					    q, port);
		fc->head[q] = 0;
		__clear_bit(q, &fc->ready);
		return 0;
	}
	next = fifo_unlink(word);
	if (next && !fifo_word(pages, nr_pages, next)) {
		pr_warn_ratelimited("queue %u: link %u beyond the array\n", q,
				    next);
		next = 0;
	}
	fc->head[q] = next;
	if (!next)
		__clear_bit(q, &fc->ready);
	w = READ_ONCE(*word);
	return (w & FIFO_PENDING) && !(w & FIFO_MASKED) ? port : 0;
}

/* ---- the ABI ---- */

static event_word_t *fifo_port_word(evtchn_port_t port)
{
	/* Pairs with the release in fifo_setup(): the page is there. */
	return fifo_word(fifo_pages, smp_load_acquire(&fifo_nr_pages), port);
}

static unsigned int fifo_max_channels(void)
{
	return READ_ONCE(fifo_max_ports);
}

static unsigned int fifo_nr_channels(void)
{
	/* Pairs with the release in fifo_setup(). */
	return smp_load_acquire(&fifo_nr_pages) * FIFO_WORDS_PER_PAGE;
}

static void fifo_init_page(event_word_t *page)
{
	unsigned int i;

	for (i = 0; i < FIFO_WORDS_PER_PAGE; i++)
		WRITE_ONCE(page[i], FIFO_MASKED);
}

static int fifo_expand(event_word_t *page)
{
	struct evtchn_expand_array op = { .array_gfn = virt_to_gfn(page) };

	return HYPERVISOR_event_channel_op(EVTCHNOP_expand_array, &op);
}

static int fifo_setup(evtchn_port_t port, gfp_t gfp)
{
	unsigned int n;
	event_word_t *page;
	int rc;

	if (port >= fifo_max_channels())
		return -EINVAL;
	for (n = fifo_nr_pages; port >= n * FIFO_WORDS_PER_PAGE; n++) {
		/* A page registered before a failed resume is reused. */
		page = fifo_pages[n];
		if (!page)
			page = (event_word_t *)__get_free_page(gfp);
		if (!page)
			return -ENOMEM;
		fifo_init_page(page);
		rc = fifo_expand(page);
		if (rc) {
			pr_err("cannot add event array page %u: %d\n", n, rc);
			if (!fifo_pages[n])
				free_page((unsigned long)page);
			return rc;
		}
		fifo_pages[n] = page;
		/* The page pointer before the count that covers it. */
		smp_store_release(&fifo_nr_pages, n + 1);
	}
	return 0;
}

/* Xen queues a port on the vCPU it is bound to: nothing to track. */
static void fifo_cpu_noop(evtchn_port_t port, unsigned int cpu)
{
}

static void fifo_mask(evtchn_port_t port)
{
	event_word_t *word = fifo_port_word(port);

	if (word)
		fifo_set_bits(word, FIFO_MASKED);
}

static void fifo_unmask(evtchn_port_t port)
{
	event_word_t *word = fifo_port_word(port);
	struct evtchn_unmask op = { .port = port };

	if (word && !fifo_try_clear_mask(word))
		(void)HYPERVISOR_event_channel_op(EVTCHNOP_unmask, &op);
}

static void fifo_set_pending(evtchn_port_t port)
{
	event_word_t *word = fifo_port_word(port);

	if (word)
		fifo_set_bits(word, FIFO_PENDING);
}

static void fifo_clear_pending(evtchn_port_t port)
{
	event_word_t *word = fifo_port_word(port);

	if (word)
		fifo_clear_bits(word, FIFO_PENDING);
}

static bool fifo_is_pending(evtchn_port_t port)
{
	event_word_t *word = fifo_port_word(port);

	return word && (READ_ONCE(*word) & FIFO_PENDING);
}

static bool fifo_is_masked(evtchn_port_t port)
{
	event_word_t *word = fifo_port_word(port);

	return !word || (READ_ONCE(*word) & FIFO_MASKED);
}

static int fifo_set_priority(evtchn_port_t port, unsigned int priority)
{
	struct evtchn_set_priority op = { .port = port, .priority = priority };

	return HYPERVISOR_event_channel_op(EVTCHNOP_set_priority, &op);
}

static void fifo_handle_events(unsigned int cpu)
{
	struct fifo_cpu *fc = this_cpu_ptr(&fifo_cpu);
	evtchn_port_t port;
	unsigned int nr;

	if (unlikely(!fc->cb))
		return;
	for (;;) {
		fc->ready |= xchg(&fc->cb->ready, 0) & FIFO_QUEUES_MASK;
		if (!fc->ready)
			break;
		/*
		 * Afresh each time: a port on a page added meanwhile can
		 * only be queued once it was bound, after the page counted.
		 */
		nr = smp_load_acquire(&fifo_nr_pages);
		port = fifo_consume(fc, __ffs(fc->ready), fifo_pages, nr);
		if (port)
			xen_evtchn_handle_port(port);
	}
}

static int fifo_init_control(unsigned int cpu, void *cb)
{
	struct evtchn_init_control op = {
		.control_gfn = virt_to_gfn(cb),
		.offset = 0,
		.vcpu = xen_vcpu_nr(cpu),
	};
	unsigned int bits;
	int rc;

	rc = HYPERVISOR_event_channel_op(EVTCHNOP_init_control, &op);
	if (rc)
		return rc;
	bits = op.link_bits;
	if (bits < 10 || bits > EVTCHN_FIFO_LINK_BITS)
		pr_warn_once("Xen says %u link bits; using %u\n", bits,
			     EVTCHN_FIFO_LINK_BITS);
	else
		WRITE_ONCE(fifo_max_ports, min(fifo_max_ports, 1U << bits));
	return 0;
}

static int fifo_cpu_prepare(unsigned int cpu)
{
	struct fifo_cpu *fc = per_cpu_ptr(&fifo_cpu, cpu);
	void *cb;
	int rc;

	/* Registered already (an earlier bind or time up): Xen still has it. */
	if (fc->cb)
		return 0;
	cb = (void *)get_zeroed_page(GFP_KERNEL);
	if (!cb)
		return -ENOMEM;
	rc = fifo_init_control(cpu, cb);
	if (rc) {
		free_page((unsigned long)cb);
		return rc;
	}
	fc->ready = 0;
	memset(fc->head, 0, sizeof(fc->head));
	fc->cb = cb;
	return 0;
}

/*
 * After @cpu went down, from a CPU still up.  While it was going, Xen
 * kept linking its pending ports onto its queues; fixup_irqs() then moved
 * their IRQs away, but a port stays LINKED here, and Xen links a port
 * only when it is not, so those events would wait for this CPU to come
 * back, perhaps for ever.  Take every port off (as the upcall would) and
 * let the core have Xen queue it again where it is bound now.  Nobody
 * else touches this CPU's queues now.  Most of the CPU's own VIRQs and
 * IPIs were closed before us (smp_ops' cleanup_dead_cpu, at
 * CPUHP_TEARDOWN_CPU), but its irq_work IPI and PMU VIRQ are closed only
 * after us (CPUHP_XEN_PREPARE), and Xen may still append those: so the
 * walk is bounded.  Stopping early leaves fc's state as a later upcall on
 * this CPU expects it.
 */
static void fifo_cpu_dead(unsigned int cpu)
{
	struct fifo_cpu *fc = per_cpu_ptr(&fifo_cpu, cpu);
	unsigned int budget = fifo_nr_channels() + EVTCHN_FIFO_MAX_QUEUES;
	evtchn_port_t port;
	unsigned int nr;

	if (!fc->cb)
		return;
	for (;;) {
		fc->ready |= xchg(&fc->cb->ready, 0) & FIFO_QUEUES_MASK;
		if (!fc->ready)
			return;
		if (!budget--)
			break;
		/* Pairs with the release in fifo_setup(). */
		nr = smp_load_acquire(&fifo_nr_pages);
		port = fifo_consume(fc, __ffs(fc->ready), fifo_pages, nr);
		if (port)
			xen_evtchn_requeue(port, cpu);
	}
	pr_warn_ratelimited("CPU %u: queues not drained\n", cpu);
}

/* Register @cpu's control block again, if it has one, as new. */
static int fifo_reinit_control(unsigned int cpu)
{
	struct fifo_cpu *fc = per_cpu_ptr(&fifo_cpu, cpu);

	if (!fc->cb)
		return 0;
	clear_page(fc->cb);
	fc->ready = 0;
	memset(fc->head, 0, sizeof(fc->head));
	return fifo_init_control(cpu, fc->cb);
}

/*
 * The control block of this CPU (CPU 0, in stop_machine()) goes first: if
 * Xen refuses it, nothing of ours is registered, the domain is as Xen
 * leaves it for the 2-level ABI, and the core switches to that.  Once it
 * is accepted the domain uses FIFO for good, so an online CPU whose block
 * is then refused would never see an event again: we stop with a clear
 * message rather than run on with a dead vCPU.  An offline CPU's block is
 * dropped and registered afresh when that CPU comes up.
 */
static int fifo_resume(void)
{
	unsigned int self = smp_processor_id(), cpu, i, n = fifo_nr_pages;
	int rc;

	rc = fifo_reinit_control(self);
	if (rc)
		return rc;
	for_each_possible_cpu(cpu) {
		struct fifo_cpu *fc = per_cpu_ptr(&fifo_cpu, cpu);

		if (cpu == self)
			continue;
		rc = fifo_reinit_control(cpu);
		if (!rc)
			continue;
		if (cpu_online(cpu))
			panic("xen-evtchn-fifo: CPU %u lost its event queues on restore (%d)\n",
			      cpu, rc);
		pr_warn("CPU %u (offline): control block not restored: %d\n",
			cpu, rc);
		free_page((unsigned long)fc->cb);
		fc->cb = NULL;
	}
	WRITE_ONCE(fifo_nr_pages, 0);
	for (i = 0; i < n; i++) {
		fifo_init_page(fifo_pages[i]);
		rc = fifo_expand(fifo_pages[i]);
		if (rc) {
			pr_err("event array page %u not restored: %d\n", i, rc);
			break;
		}
		/* As in fifo_setup(). */
		smp_store_release(&fifo_nr_pages, i + 1);
	}
	return 0;
}

static const struct evtchn_abi fifo_abi = {
	.name			= "FIFO",
	.max_channels		= fifo_max_channels,
	.nr_channels		= fifo_nr_channels,
	.setup			= fifo_setup,
	.bind_to_cpu		= fifo_cpu_noop,
	.unbind_from_cpu	= fifo_cpu_noop,
	.mask			= fifo_mask,
	.unmask			= fifo_unmask,
	.set_pending		= fifo_set_pending,
	.clear_pending		= fifo_clear_pending,
	.is_pending		= fifo_is_pending,
	.is_masked		= fifo_is_masked,
	.set_priority		= fifo_set_priority,
	.handle_events		= fifo_handle_events,
	.cpu_prepare		= fifo_cpu_prepare,
	.cpu_dead		= fifo_cpu_dead,
	.resume			= fifo_resume,
};

const struct evtchn_abi * __init xen_evtchn_fifo_init(void)
{
	int rc = fifo_cpu_prepare(smp_processor_id());

	if (rc) {
		pr_info("not offered by Xen (%d)\n", rc);
		return NULL;
	}
	return &fifo_abi;
}

#if IS_REACHABLE(CONFIG_KUNIT)
#include <kunit/test.h>

struct fifo_test {
	event_word_t *pages[2];
	struct evtchn_fifo_control_block cb;
	struct fifo_cpu fc;
};

static struct fifo_test *fifo_test_new(struct kunit *test)
{
	struct fifo_test *t = kunit_kzalloc(test, sizeof(*t), GFP_KERNEL);
	unsigned int i;

	KUNIT_ASSERT_NOT_NULL(test, t);
	for (i = 0; i < ARRAY_SIZE(t->pages); i++) {
		t->pages[i] = kunit_kzalloc(test, PAGE_SIZE, GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, t->pages[i]);
		fifo_init_page(t->pages[i]);
	}
	t->fc.cb = &t->cb;
	return t;
}

/* Make @port pending and linked to @next (0: the tail). */
static void fifo_test_link(struct fifo_test *t, evtchn_port_t port,
			   evtchn_port_t next)
{
	*fifo_word(t->pages, 2, port) = FIFO_PENDING | FIFO_LINKED | next;
}

static void fifo_test_words(struct kunit *test)
{
	event_word_t w = FIFO_PENDING | FIFO_MASKED | FIFO_LINKED | 77;

	KUNIT_EXPECT_EQ(test, fifo_unlink(&w), 77);
	KUNIT_EXPECT_EQ(test, w, FIFO_PENDING | FIFO_MASKED);
	/* Not linked: its stale link means nothing. */
	w = FIFO_PENDING | 5;
	KUNIT_EXPECT_EQ(test, fifo_unlink(&w), 0);
	KUNIT_EXPECT_EQ(test, w, FIFO_PENDING);

	w = FIFO_MASKED | FIFO_LINKED;
	KUNIT_EXPECT_TRUE(test, fifo_try_clear_mask(&w));
	KUNIT_EXPECT_EQ(test, w, FIFO_LINKED);
	w = FIFO_MASKED | FIFO_PENDING;
	KUNIT_EXPECT_FALSE(test, fifo_try_clear_mask(&w));
	KUNIT_EXPECT_EQ(test, w, FIFO_MASKED | FIFO_PENDING);
	w = FIFO_MASKED | FIFO_BUSY;
	KUNIT_EXPECT_FALSE(test, fifo_try_clear_mask(&w));

	fifo_set_bits(&w, FIFO_PENDING);
	fifo_clear_bits(&w, FIFO_BUSY);
	KUNIT_EXPECT_EQ(test, w, FIFO_MASKED | FIFO_PENDING);
}

static void fifo_test_word_lookup(struct kunit *test)
{
	struct fifo_test *t = fifo_test_new(test);

	KUNIT_EXPECT_PTR_EQ(test, fifo_word(t->pages, 2, 3), &t->pages[0][3]);
	KUNIT_EXPECT_PTR_EQ(test, fifo_word(t->pages, 2, FIFO_WORDS_PER_PAGE),
			    &t->pages[1][0]);
	KUNIT_EXPECT_NULL(test, fifo_word(t->pages, 2,
					  2 * FIFO_WORDS_PER_PAGE));
	KUNIT_EXPECT_NULL(test, fifo_word(t->pages, 1, FIFO_WORDS_PER_PAGE));
	KUNIT_EXPECT_EQ(test, *fifo_word(t->pages, 2, 9), FIFO_MASKED);
}

static void fifo_test_queue_order(struct kunit *test)
{
	struct fifo_test *t = fifo_test_new(test);
	evtchn_port_t far = FIFO_WORDS_PER_PAGE + 6;

	/* Queue 3: 5 -> 9 -> far (on the second page). */
	fifo_test_link(t, 5, 9);
	fifo_test_link(t, 9, far);
	fifo_test_link(t, far, 0);
	t->cb.head[3] = 5;
	t->fc.ready = BIT(3);

	KUNIT_EXPECT_EQ(test, fifo_consume(&t->fc, 3, t->pages, 2), 5);
	KUNIT_EXPECT_EQ(test, t->fc.head[3], 9);
	KUNIT_EXPECT_EQ(test, fifo_consume(&t->fc, 3, t->pages, 2), 9);
	KUNIT_EXPECT_EQ(test, t->fc.ready, BIT(3));
	KUNIT_EXPECT_EQ(test, fifo_consume(&t->fc, 3, t->pages, 2), far);
	KUNIT_EXPECT_EQ(test, t->fc.head[3], 0);
	KUNIT_EXPECT_EQ(test, t->fc.ready, 0);
	KUNIT_EXPECT_EQ(test, *fifo_word(t->pages, 2, 9), FIFO_PENDING);

	/* A new list: taken from HEAD again. */
	fifo_test_link(t, 12, 0);
	t->cb.head[3] = 12;
	t->fc.ready = BIT(3);
	KUNIT_EXPECT_EQ(test, fifo_consume(&t->fc, 3, t->pages, 2), 12);
	KUNIT_EXPECT_EQ(test, t->fc.ready, 0);
}

static void fifo_test_dropped(struct kunit *test)
{
	struct fifo_test *t = fifo_test_new(test);

	/* 5 masked, 6 no longer pending: both taken, neither handled. */
	fifo_test_link(t, 5, 6);
	*fifo_word(t->pages, 2, 5) |= FIFO_MASKED;
	fifo_test_link(t, 6, 7);
	*fifo_word(t->pages, 2, 6) &= ~FIFO_PENDING;
	fifo_test_link(t, 7, 0);
	t->cb.head[0] = 5;
	t->fc.ready = BIT(0);
	KUNIT_EXPECT_EQ(test, fifo_consume(&t->fc, 0, t->pages, 2), 0);
	KUNIT_EXPECT_EQ(test, fifo_consume(&t->fc, 0, t->pages, 2), 0);
	KUNIT_EXPECT_EQ(test, fifo_consume(&t->fc, 0, t->pages, 2), 7);
	KUNIT_EXPECT_EQ(test, t->fc.ready, 0);
}

static void fifo_test_hostile(struct kunit *test)
{
	struct fifo_test *t = fifo_test_new(test);

	/* A link beyond the array ends the queue after the port. */
	fifo_test_link(t, 5, EVTCHN_FIFO_LINK_MASK);
	t->cb.head[1] = 5;
	t->fc.ready = BIT(1);
	KUNIT_EXPECT_EQ(test, fifo_consume(&t->fc, 1, t->pages, 2), 5);
	KUNIT_EXPECT_EQ(test, t->fc.ready, 0);

	/* So does a HEAD beyond it, or an empty one. */
	t->cb.head[1] = 3 * FIFO_WORDS_PER_PAGE;
	t->fc.ready = BIT(1);
	KUNIT_EXPECT_EQ(test, fifo_consume(&t->fc, 1, t->pages, 2), 0);
	KUNIT_EXPECT_EQ(test, t->fc.ready, 0);
	t->cb.head[1] = 0;
	t->fc.ready = BIT(1);
	KUNIT_EXPECT_EQ(test, fifo_consume(&t->fc, 1, t->pages, 2), 0);
	KUNIT_EXPECT_EQ(test, t->fc.ready, 0);

	/* A circle 20 -> 21 -> 20: 20 comes round once more, then it ends. */
	fifo_test_link(t, 20, 21);
	fifo_test_link(t, 21, 20);
	t->cb.head[2] = 20;
	t->fc.ready = BIT(2);
	KUNIT_EXPECT_EQ(test, fifo_consume(&t->fc, 2, t->pages, 2), 20);
	KUNIT_EXPECT_EQ(test, fifo_consume(&t->fc, 2, t->pages, 2), 21);
	KUNIT_EXPECT_EQ(test, fifo_consume(&t->fc, 2, t->pages, 2), 20);
	KUNIT_EXPECT_EQ(test, t->fc.ready, 0);
}

static struct kunit_case fifo_test_cases[] = {
	KUNIT_CASE(fifo_test_words),
	KUNIT_CASE(fifo_test_word_lookup),
	KUNIT_CASE(fifo_test_queue_order),
	KUNIT_CASE(fifo_test_dropped),
	KUNIT_CASE(fifo_test_hostile),
	{}
};

static struct kunit_suite fifo_test_suite = {
	.name = "xen-evtchn-fifo",
	.test_cases = fifo_test_cases,
};

kunit_test_suite(fifo_test_suite);
#endif /* IS_REACHABLE(CONFIG_KUNIT) */
