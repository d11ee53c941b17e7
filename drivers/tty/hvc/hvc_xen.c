// SPDX-License-Identifier: GPL-2.0
/*
 * hvc_xen.c - the console of a Xen PV guest: hvc0, the early "xenboot"
 * console (earlyprintk=xen) and the raw debug output the Xen boot code uses.
 *
 * The console is one page of memory shared with the backend, xenconsoled in
 * dom0, plus an event channel.  Xen's domain builder names both in
 * start_info (console.domU.mfn and .evtchn).  The page holds two byte rings
 * (struct xencons_interface): "out" carries what we print and "in" what is
 * typed at us.  Each ring has a producer and a consumer index that run
 * freely and wrap at 2^32; a byte's place in its ring is the index modulo
 * the ring's size.  We own out_prod and in_cons, the backend out_cons and
 * in_prod.  After writing output or taking input we kick the backend
 * through the event channel, and it kicks us when it has taken output or
 * written input.
 *
 * The backend is not trusted.  The indexes are read once per operation;
 * when the distance between producer and consumer cannot be right (more
 * than the ring holds, or the consumer ahead of the producer) the operation
 * reads or writes nothing, and says so once.  Events are bound "late EOI":
 * one after which neither of the backend's indexes moved is reported as
 * spurious, so the event core throttles a backend that kicks for nothing.
 *
 * Output that finds the ring full waits where it must not be lost: the boot
 * console and the hvc console hand the CPU to Xen (SCHEDOP_yield) so dom0
 * can drain the ring.  A backend that takes nothing over XHC_STALL_YIELDS
 * such waits is deemed stuck, and output is then dropped rather than
 * waited for, until the backend takes some again.
 *
 * Early output: xen_raw_console_write() and the xenboot console always go
 * through HYPERVISOR_console_io (a debug hypervisor prints it on its own
 * console), and in a PV domU also onto the ring once it may be touched,
 * which is from the xenboot console's setup (setup_arch, after the Xen
 * boot code built the direct map) or console_initcall, whichever is first.
 * hvc0 is instantiated at console_initcall, so console=hvc0 works from
 * then on, and gets its tty with an interrupt at device_initcall.
 *
 * After save/restore or migration the ring page and event channel may
 * have changed: xen_console_resume() reads them again from start_info and
 * moves our interrupt to the new channel.
 *
 * Left out: secondary consoles (device/console/N in xenstore; no xenbus
 * frontend is registered, whatever CONFIG_HVC_XEN_FRONTEND says), HVM and
 * PVH guests, and dom0 (whose console is HYPERVISOR_console_io itself).
 * Everywhere but a PV domU the initcalls return -ENODEV and xenboot's
 * setup fails unless Xen was already found (an HVM guest finds it after
 * parsing earlyprintk=); xen_raw_console_write() still reaches console_io
 * in any Xen guest, and does nothing on bare hardware.
 */

#define pr_fmt(fmt) "xen-hvc: " fmt

#include <linux/console.h>
#include <linux/init.h>
#include <linux/interrupt.h>
#include <linux/kernel.h>
#include <linux/minmax.h>
#include <linux/printk.h>
#include <linux/spinlock.h>
#include <linux/string.h>

#include <asm/xen/hypercall.h>
#include <asm/xen/hypervisor.h>
#include <asm/xen/page.h>

#include <xen/events.h>
#include <xen/hvc-console.h>
#include <xen/xen.h>
#include <xen/interface/sched.h>
#include <xen/interface/io/console.h>

#include "hvc_console.h"

#define XHC_IN_SIZE	sizeof_field(struct xencons_interface, in)
#define XHC_OUT_SIZE	sizeof_field(struct xencons_interface, out)
static_assert((XHC_IN_SIZE & (XHC_IN_SIZE - 1)) == 0);
static_assert((XHC_OUT_SIZE & (XHC_OUT_SIZE - 1)) == 0);

#define XHC_VTERMNO	0		/* our one hvc terminal */
#define XHC_STALL_YIELDS BIT(21)	/* waits without progress: stuck */

/*
 * Pure ring logic, kept apart so that KUnit can check it.
 */

/*
 * Bytes between @cons and @prod in a ring of @size bytes, or -EIO when no
 * pair of honest indexes is that far apart.
 */
static int xhc_ring_used(XENCONS_RING_IDX prod, XENCONS_RING_IDX cons, u32 size)
{
	XENCONS_RING_IDX used = prod - cons;

	if (used > size)
		return -EIO;
	return used;
}

/* Copy @len bytes to @ring (of @size bytes) from index @idx on, wrapping. */
static void xhc_copy_to_ring(char *ring, u32 size, XENCONS_RING_IDX idx,
			     const void *src, u32 len)
{
	u32 off = idx & (size - 1), first = min(len, size - off);

	memcpy(ring + off, src, first);
	memcpy(ring, src + first, len - first);
}

/* Copy @len bytes from @ring (of @size bytes) from index @idx on, wrapping. */
static void xhc_copy_from_ring(void *dst, const char *ring, u32 size,
			       XENCONS_RING_IDX idx, u32 len)
{
	u32 off = idx & (size - 1), first = min(len, size - off);

	memcpy(dst, ring + off, first);
	memcpy(dst + first, ring, len - first);
}

/* Append up to @len bytes to the out ring: how many went in, or -EIO. */
static int xhc_ring_put(struct xencons_interface *intf, const void *buf, size_t len)
{
	XENCONS_RING_IDX cons = READ_ONCE(intf->out_cons);
	XENCONS_RING_IDX prod = READ_ONCE(intf->out_prod);
	int used = xhc_ring_used(prod, cons, XHC_OUT_SIZE);
	u32 n;

	if (used < 0)
		return used;
	n = min_t(size_t, len, XHC_OUT_SIZE - used);
	if (!n)
		return 0;
	virt_mb();	/* the backend's reads of that space are done */
	xhc_copy_to_ring(intf->out, XHC_OUT_SIZE, prod, buf, n);
	virt_wmb();	/* the bytes are there before the index says so */
	WRITE_ONCE(intf->out_prod, prod + n);
	return n;
}

/* Take up to @len bytes off the in ring: how many came, or -EIO. */
static int xhc_ring_get(struct xencons_interface *intf, void *buf, size_t len)
{
	XENCONS_RING_IDX cons = READ_ONCE(intf->in_cons);
	XENCONS_RING_IDX prod = READ_ONCE(intf->in_prod);
	int used = xhc_ring_used(prod, cons, XHC_IN_SIZE);
	u32 n;

	if (used < 0)
		return used;
	n = min_t(size_t, len, used);
	if (!n)
		return 0;
	virt_rmb();	/* read the bytes only after the index that covers them */
	xhc_copy_from_ring(buf, intf->in, XHC_IN_SIZE, cons, n);
	virt_mb();	/* done reading before the backend may write there again */
	WRITE_ONCE(intf->in_cons, cons + n);
	return n;
}

/*
 * The console.  Everything in xhc is under xhc_lock, except that evtchn
 * and irq change only at init and resume, when nothing else runs.
 */
static DEFINE_RAW_SPINLOCK(xhc_lock);
static struct {
	struct xencons_interface *intf;	/* NULL until the ring may be touched */
	evtchn_port_t evtchn;
	int irq;			/* hvc0's interrupt; -1 when unbound */
	XENCONS_RING_IDX ev_in_prod;	/* the backend's indexes at the last */
	XENCONS_RING_IDX ev_out_cons;	/* event, to tell a spurious one */
	XENCONS_RING_IDX wait_cons;	/* out_cons at the last wait */
	unsigned int stalls;		/* waits since out_cons last moved */
	bool stuck;			/* drop output instead of waiting */
} xhc = { .irq = -1 };

/*
 * start_info.console as a domU reads it: the first member of that union,
 * restated so that Xen's CamelCase name for it stays out of this file.
 */
struct xhc_start_console {
	xen_pfn_t mfn;		/* machine frame of the ring page */
	u32 evtchn;
};

static_assert(sizeof(struct xhc_start_console) <= sizeof_field(struct start_info, console));

/*
 * Find the ring from start_info, at boot and again after resume.  The page
 * is one of our own, so its frame must map back to one of our pfns.
 */
static int xhc_ring_setup(void)
{
	const struct xhc_start_console *sc;
	struct xencons_interface *intf = NULL;
	evtchn_port_t evtchn = 0;
	unsigned long flags, pfn;

	if (!xen_pv_domain() || xen_initial_domain())
		return -ENODEV;
	sc = (const void *)&xen_start_info->console;
	if (sc->mfn && sc->evtchn) {
		pfn = mfn_to_pfn(sc->mfn);
		if (pfn != ~0UL) {
			intf = __va(PFN_PHYS(pfn));
			evtchn = sc->evtchn;
		}
	}

	raw_spin_lock_irqsave(&xhc_lock, flags);
	xhc.intf = intf;
	xhc.evtchn = evtchn;
	if (intf) {
		xhc.ev_in_prod = READ_ONCE(intf->in_prod);
		xhc.ev_out_cons = READ_ONCE(intf->out_cons);
		xhc.wait_cons = xhc.ev_out_cons;
	}
	xhc.stalls = 0;
	xhc.stuck = false;
	raw_spin_unlock_irqrestore(&xhc_lock, flags);
	return intf ? 0 : -ENODEV;
}

/* Under xhc_lock: >0 written, -EAGAIN full (wait), 0 full (stuck), <0 error. */
static int __xhc_write(const void *buf, size_t len)
{
	int n;

	if (!xhc.intf)
		return -ENODEV;
	if (!len)
		return 0;
	n = xhc_ring_put(xhc.intf, buf, len);
	if (n > 0) {
		xhc.stalls = 0;
		xhc.stuck = false;
	} else if (!n && !xhc.stuck) {
		n = -EAGAIN;
	}
	return n;
}

static int xhc_write(const void *buf, size_t len)
{
	unsigned long flags;
	int n;

	/* In an oops the lock's holder may never let go: do without it. */
	if (oops_in_progress) {
		n = __xhc_write(buf, len);
	} else {
		raw_spin_lock_irqsave(&xhc_lock, flags);
		n = __xhc_write(buf, len);
		raw_spin_unlock_irqrestore(&xhc_lock, flags);
	}
	if (n > 0)
		notify_remote_via_evtchn(READ_ONCE(xhc.evtchn));
	else if (n == -EIO)
		pr_warn_once("backend's output indexes are impossible; output dropped\n");
	return n;
}

/*
 * Under xhc_lock: 1 when the out ring is full and we may wait for room, 0
 * when there is room (or no ring), -1 when the backend has just been found
 * stuck.
 */
static int __xhc_must_wait(void)
{
	XENCONS_RING_IDX cons, prod;

	if (!xhc.intf || xhc.stuck)
		return 0;
	cons = READ_ONCE(xhc.intf->out_cons);
	prod = READ_ONCE(xhc.intf->out_prod);
	if (xhc_ring_used(prod, cons, XHC_OUT_SIZE) != XHC_OUT_SIZE)
		return 0;
	if (cons != xhc.wait_cons) {
		xhc.wait_cons = cons;
		xhc.stalls = 0;
	} else if (++xhc.stalls >= XHC_STALL_YIELDS) {
		xhc.stuck = true;
		return -1;
	}
	return 1;
}

/* The out ring may be full and we cannot sleep: let dom0 run to drain it. */
static void xhc_wait(void)
{
	unsigned long flags;
	int wait;

	if (oops_in_progress) {
		wait = __xhc_must_wait();
	} else {
		raw_spin_lock_irqsave(&xhc_lock, flags);
		wait = __xhc_must_wait();
		raw_spin_unlock_irqrestore(&xhc_lock, flags);
	}
	if (wait > 0)
		HYPERVISOR_sched_op(SCHEDOP_yield, NULL);
	else if (wait < 0)
		pr_warn("backend takes no output; dropping it until it does\n");
}

/* All of @len bytes onto the ring, waiting for room; "\n" goes as "\r\n". */
static void xhc_write_lines(const char *s, size_t len)
{
	const char *end = s + len;
	bool cr = false;	/* the "\r" for the "\n" at s is out */
	int n;

	while (s < end) {
		if (*s == '\n')
			n = xhc_write(cr ? "\n" : "\r", 1);
		else
			n = xhc_write(s, strnchrnul(s, end - s, '\n') - s);
		if (n == -EAGAIN) {
			xhc_wait();
			continue;
		}
		if (n <= 0)
			return;
		if (*s == '\n' && !cr) {
			cr = true;
		} else {
			s += n;
			cr = false;
		}
	}
}

/* Early output (also the xenboot console's write): console_io, then the ring. */
static void xhc_early_write(struct console *con, const char *s, unsigned int len)
{
	if (!xen_domain())
		return;
	(void)HYPERVISOR_console_io(CONSOLEIO_write, len, (char *)s);
	if (READ_ONCE(xhc.intf))
		xhc_write_lines(s, len);
}

/**
 * xen_raw_console_write() - write a string where a Xen guest's early output goes
 * @str: the NUL-terminated string
 *
 * For the Xen boot code, before any console is up.  The string goes to
 * HYPERVISOR_console_io, which a debug hypervisor prints, and in a PV domU
 * also onto the console ring once that may be touched.  Nothing on bare
 * hardware.  Any context; it may wait for ring space without sleeping.
 */
void xen_raw_console_write(const char *str)
{
	xhc_early_write(NULL, str, strlen(str));
}

/**
 * xen_raw_printk() - format a message and write it with xen_raw_console_write()
 * @fmt: printf format
 *
 * At most 511 characters are written.
 */
void xen_raw_printk(const char *fmt, ...)
{
	char buf[512];
	va_list ap;

	va_start(ap, fmt);
	vscnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	xen_raw_console_write(buf);
}

/* Not __init: a kept (earlyprintk=xen,keep) console outlives init memory. */
static int xhc_boot_setup(struct console *con, char *options)
{
	if (!xen_domain())
		return -ENODEV;
	xhc_ring_setup();	/* the ring too, in a PV domU */
	return 0;
}

/* earlyprintk=xen (arch/x86/kernel/early_printk.c) */
struct console xenboot_console = {
	.name	= "xenboot",
	.write	= xhc_early_write,
	.setup	= xhc_boot_setup,
	.flags	= CON_PRINTBUFFER,
	.index	= -1,
};

/*
 * hvc0.  hvc_console calls put_chars both from the tty (under its lock)
 * and from printk; a full ring answers -EAGAIN, which makes printk call
 * flush(false) and try again, and the tty try again later.
 */
static ssize_t xhc_put_chars(u32 vtermno, const u8 *buf, size_t count)
{
	return xhc_write(buf, count);
}

static int xhc_flush(u32 vtermno, bool wait)
{
	if (!wait)
		xhc_wait();
	return 0;
}

static ssize_t xhc_get_chars(u32 vtermno, u8 *buf, size_t count)
{
	unsigned long flags;
	int n = -ENODEV;

	raw_spin_lock_irqsave(&xhc_lock, flags);
	if (xhc.intf)
		n = xhc_ring_get(xhc.intf, buf, count);
	raw_spin_unlock_irqrestore(&xhc_lock, flags);
	if (n > 0)
		notify_remote_via_evtchn(READ_ONCE(xhc.evtchn));
	else if (n == -EIO)
		pr_warn_once("backend's input indexes are impossible; input ignored\n");
	return max(n, 0);
}

/* Did either of the backend's indexes move since the last event? */
static bool xhc_event_had_news(void)
{
	XENCONS_RING_IDX in_prod, out_cons;
	unsigned long flags;
	bool news = false;

	raw_spin_lock_irqsave(&xhc_lock, flags);
	if (xhc.intf) {
		in_prod = READ_ONCE(xhc.intf->in_prod);
		out_cons = READ_ONCE(xhc.intf->out_cons);
		news = in_prod != xhc.ev_in_prod || out_cons != xhc.ev_out_cons;
		xhc.ev_in_prod = in_prod;
		xhc.ev_out_cons = out_cons;
	}
	raw_spin_unlock_irqrestore(&xhc_lock, flags);
	return news;
}

/*
 * Our own handler rather than hvc_irq's, for the late EOI: exactly one per
 * event, after hvc_poll() has taken the input and pushed pending output.
 */
static irqreturn_t xhc_interrupt(int irq, void *dev_id)
{
	if (hvc_poll(dev_id))
		hvc_kick();
	xen_irq_lateeoi(irq, xhc_event_had_news() ? 0 : XEN_EOI_FLAG_SPURIOUS);
	return IRQ_HANDLED;
}

/* hvc0 opened.  Without a bound interrupt hvc_console polls instead. */
static int xhc_notifier_add(struct hvc_struct *hp, int irq)
{
	int err;

	hp->irq_requested = 0;
	if (xhc.irq < 0)
		return 0;
	err = request_irq(irq, xhc_interrupt, 0, "hvc_console", hp);
	if (err)
		return err;
	hp->irq_requested = 1;
	/* An event that came while nobody listened may still await its EOI. */
	xen_irq_lateeoi(irq, 0);
	return 0;
}

static const struct hv_ops xhc_ops = {
	.get_chars = xhc_get_chars,
	.put_chars = xhc_put_chars,
	.flush = xhc_flush,
	.notifier_add = xhc_notifier_add,
	.notifier_del = notifier_del_irq,	/* free_irq(irq, hp) */
	.notifier_hangup = notifier_hangup_irq,
};

/**
 * xen_console_resume() - reconnect the console after save/restore or migration
 *
 * Called by drivers/xen/manage.c once the domain runs again (not after a
 * cancelled suspend), after the event channels were reset.  start_info now
 * names this domain's console page and event channel, either of which may
 * differ from before: take them again and move hvc0's interrupt to the new
 * channel.  Process context.
 */
void xen_console_resume(void)
{
	if (xhc_ring_setup())
		return;
	if (xhc.irq >= 0)
		rebind_evtchn_irq(xhc.evtchn, xhc.irq);
	notify_remote_via_evtchn(xhc.evtchn);
}

static int __init xhc_console_init(void)
{
	if (!READ_ONCE(xhc.intf) && xhc_ring_setup())
		return -ENODEV;
	return hvc_instantiate(XHC_VTERMNO, 0, &xhc_ops) ? -EBUSY : 0;
}
console_initcall(xhc_console_init);

static int __init xhc_init(void)
{
	struct hvc_struct *hp;
	int irq;

	if (!READ_ONCE(xhc.intf) && xhc_ring_setup())
		return -ENODEV;
	irq = bind_evtchn_to_irq_lateeoi(xhc.evtchn);
	if (irq < 0)
		pr_warn("no interrupt for event channel %u (%d); polling\n",
			xhc.evtchn, irq);
	xhc.irq = irq < 0 ? -1 : irq;
	/* On failure the binding stays: it is harmless, and rare enough. */
	hp = hvc_alloc(XHC_VTERMNO, max(irq, 0), &xhc_ops, PAGE_SIZE);
	return PTR_ERR_OR_ZERO(hp);
}
device_initcall(xhc_init);

#if IS_REACHABLE(CONFIG_KUNIT)
#include <kunit/test.h>

static void xhc_test_used(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, xhc_ring_used(0, 0, 1024), 0);
	KUNIT_EXPECT_EQ(test, xhc_ring_used(5, 3, 1024), 2);
	KUNIT_EXPECT_EQ(test, xhc_ring_used(1024, 0, 1024), 1024);
	KUNIT_EXPECT_EQ(test, xhc_ring_used(1025, 0, 1024), -EIO);
	/* A consumer ahead of the producer is a huge distance, not a small one. */
	KUNIT_EXPECT_EQ(test, xhc_ring_used(3, 4, 1024), -EIO);
	/* Across the wrap of the 32-bit indexes. */
	KUNIT_EXPECT_EQ(test, xhc_ring_used(0x10, 0xfffffff0U, 1024), 0x20);
	KUNIT_EXPECT_EQ(test, xhc_ring_used(0x3f0, 0xfffffff0U, 1024), 1024);
	KUNIT_EXPECT_EQ(test, xhc_ring_used(0x3f1, 0xfffffff0U, 1024), -EIO);
}

static struct xencons_interface *xhc_test_intf(struct kunit *test)
{
	struct xencons_interface *intf = kunit_kzalloc(test, sizeof(*intf), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, intf);
	return intf;
}

/* Output across the end of the ring and the wrap of the index. */
static void xhc_test_put_wrap(struct kunit *test)
{
	struct xencons_interface *intf = xhc_test_intf(test);

	intf->out_prod = 0xfffffffeU;
	intf->out_cons = 0xfffffffeU;
	KUNIT_EXPECT_EQ(test, xhc_ring_put(intf, "abcdef", 6), 6);
	KUNIT_EXPECT_EQ(test, intf->out_prod, 4U);
	KUNIT_EXPECT_EQ(test, intf->out_cons, 0xfffffffeU);
	KUNIT_EXPECT_MEMEQ(test, intf->out + XHC_OUT_SIZE - 2, "ab", 2);
	KUNIT_EXPECT_MEMEQ(test, intf->out, "cdef", 4);
}

/* A nearly full ring takes what fits, a full one nothing. */
static void xhc_test_put_full(struct kunit *test)
{
	struct xencons_interface *intf = xhc_test_intf(test);
	XENCONS_RING_IDX full = 100 + XHC_OUT_SIZE;

	intf->out_cons = 100;
	intf->out_prod = full - 3;
	KUNIT_EXPECT_EQ(test, xhc_ring_put(intf, "0123456789", 10), 3);
	KUNIT_EXPECT_EQ(test, intf->out_prod, full);
	KUNIT_EXPECT_MEMEQ(test, intf->out + 97, "012", 3);
	KUNIT_EXPECT_EQ(test, intf->out[100], 0);	/* the unread byte */
	KUNIT_EXPECT_EQ(test, xhc_ring_put(intf, "x", 1), 0);
	KUNIT_EXPECT_EQ(test, intf->out_prod, full);
}

/* Impossible output indexes: nothing written, nothing moved. */
static void xhc_test_put_bad(struct kunit *test)
{
	static const XENCONS_RING_IDX bad[][2] = {	/* prod, cons */
		{ 5, 6 }, { XHC_OUT_SIZE + 1, 0 }, { 0, 0x80000000U },
	};
	struct xencons_interface *intf = xhc_test_intf(test);
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		intf->out_prod = bad[i][0];
		intf->out_cons = bad[i][1];
		KUNIT_EXPECT_EQ(test, xhc_ring_put(intf, "abc", 3), -EIO);
		KUNIT_EXPECT_EQ(test, intf->out_prod, bad[i][0]);
		KUNIT_EXPECT_EQ(test, intf->out_cons, bad[i][1]);
	}
	KUNIT_EXPECT_PTR_EQ(test, memchr_inv(intf->out, 0, XHC_OUT_SIZE), NULL);
}

/* Input across the end of the ring, taken in two goes. */
static void xhc_test_get_wrap(struct kunit *test)
{
	struct xencons_interface *intf = xhc_test_intf(test);
	XENCONS_RING_IDX start = 3 * XHC_IN_SIZE - 2;
	char buf[8] = {};

	intf->in_cons = start;
	intf->in_prod = start + 5;
	memcpy(intf->in + XHC_IN_SIZE - 2, "he", 2);
	memcpy(intf->in, "llo", 3);
	KUNIT_EXPECT_EQ(test, xhc_ring_get(intf, buf, 4), 4);
	KUNIT_EXPECT_MEMEQ(test, buf, "hell", 4);
	KUNIT_EXPECT_EQ(test, intf->in_cons, start + 4);
	KUNIT_EXPECT_EQ(test, xhc_ring_get(intf, buf, sizeof(buf)), 1);
	KUNIT_EXPECT_EQ(test, buf[0], 'o');
	KUNIT_EXPECT_EQ(test, xhc_ring_get(intf, buf, sizeof(buf)), 0);
	KUNIT_EXPECT_EQ(test, intf->in_cons, start + 5);
}

/* Impossible input indexes: nothing read, in_cons kept. */
static void xhc_test_get_bad(struct kunit *test)
{
	static const XENCONS_RING_IDX bad[][2] = {	/* prod, cons */
		{ 9, 10 }, { XHC_IN_SIZE + 1, 0 }, { 0xfffffff0U, 0x10 },
	};
	struct xencons_interface *intf = xhc_test_intf(test);
	char buf[8];
	unsigned int i;

	memset(intf->in, 'x', XHC_IN_SIZE);
	memset(buf, 0x55, sizeof(buf));
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		intf->in_prod = bad[i][0];
		intf->in_cons = bad[i][1];
		KUNIT_EXPECT_EQ(test, xhc_ring_get(intf, buf, sizeof(buf)), -EIO);
		KUNIT_EXPECT_EQ(test, intf->in_cons, bad[i][1]);
	}
	KUNIT_EXPECT_PTR_EQ(test, memchr_inv(buf, 0x55, sizeof(buf)), NULL);
}

static struct kunit_case xhc_test_cases[] = {
	KUNIT_CASE(xhc_test_used),
	KUNIT_CASE(xhc_test_put_wrap),
	KUNIT_CASE(xhc_test_put_full),
	KUNIT_CASE(xhc_test_put_bad),
	KUNIT_CASE(xhc_test_get_wrap),
	KUNIT_CASE(xhc_test_get_bad),
	{}
};

static struct kunit_suite xhc_test_suite = {
	.name = "xen-hvc",
	.test_cases = xhc_test_cases,
};

kunit_test_suite(xhc_test_suite);
#endif /* CONFIG_KUNIT */
