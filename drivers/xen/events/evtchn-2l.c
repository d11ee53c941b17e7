// SPDX-License-Identifier: GPL-2.0
/*
 * evtchn-2l.c - the 2-level event channel ABI.
 *
 * The original ABI, which every Xen offers: the shared info page holds a
 * pending bitmap and a mask bitmap, a bit per port, 64 words of 64 bits on
 * x86-64, so 4096 ports.  When Xen makes a port pending it sets its pending
 * bit and, unless the port is masked, the bit for the port's word in the
 * evtchn_pending_sel "selector" of the vCPU the port is bound to, and
 * then that vCPU's evtchn_upcall_pending.
 *
 * The bitmaps are shared by all vCPUs, so a vCPU scanning them would also
 * see ports bound to the others.  We keep, for each CPU, the set of ports
 * bound to it, and a vCPU handles a port only if it is pending, unmasked
 * and its own.
 *
 * Fairness.  An upcall takes the selector (atomically, leaving 0), then
 * walks the selected words from where the previous upcall on this CPU
 * stopped, port by port, going round to the start: so a busy port low in
 * the bitmap cannot starve one above it.  Every port handed to the core is
 * acknowledged (pending bit cleared) or masked by it before we look again.
 *
 * Unmasking.  Clearing a mask bit does not make Xen notify us of a port
 * that became pending while masked.  For a port of our own vCPU we clear
 * the bit and, if the port is pending, raise the selector bit and upcall
 * flag ourselves (the interrupt-enable path then enters the upcall); for
 * a port of another vCPU, or in an HVM guest, EVTCHNOP_unmask asks Xen to
 * do it.
 *
 * Save/restore: the new domain's bitmaps owe us nothing; we mask every
 * port and forget every CPU's set, and the core binds what it needs anew.
 * The same reset starts this ABI when a restored domain turns out to have
 * no FIFO ABI any more.
 */

#define pr_fmt(fmt) "xen-evtchn-2l: " fmt

#include <linux/bitops.h>
#include <linux/compiler.h>
#include <linux/cpumask.h>
#include <linux/init.h>
#include <linux/percpu.h>
#include <linux/smp.h>

#include <asm/sync_bitops.h>
#include <asm/xen/hypercall.h>
#include <asm/xen/hypervisor.h>

#include <xen/interface/event_channel.h>
#include <xen/interface/xen.h>
#include <xen/xen.h>
#include <xen/xen-ops.h>

#include "evtchn-abi.h"

#define L2_WORD_BITS	(sizeof(xen_ulong_t) * BITS_PER_BYTE)
#define L2_WORDS	(EVTCHN_2L_NR_CHANNELS / L2_WORD_BITS)

/* The ports bound to each CPU. */
static DEFINE_PER_CPU(xen_ulong_t [L2_WORDS], l2_mine);
/* Where the next scan on each CPU starts (a port number). */
static DEFINE_PER_CPU(unsigned int, l2_resume_at);

/**
 * struct l2_view - the three bitmaps a scan combines
 * @pending: the shared pending bits
 * @mask: the shared mask bits
 * @mine: the ports bound to the scanning CPU
 */
struct l2_view {
	const xen_ulong_t *pending;
	const xen_ulong_t *mask;
	const xen_ulong_t *mine;
};

/* ---- pure helpers (KUnit below) ---- */

static xen_ulong_t l2_active(const struct l2_view *v, unsigned int w)
{
	return READ_ONCE(v->pending[w]) & ~READ_ONCE(v->mask[w]) &
	       READ_ONCE(v->mine[w]);
}

/*
 * l2_next - find the next port to handle
 * @v: the bitmaps
 * @sel: the words still to look at, a bit per word; updated
 * @pos: the port to start at; updated to the port found
 *
 * Goes round the words once, starting at @pos's word and bit; the first
 * word is looked at again from bit 0 at the end of the round.  A selected
 * word found empty from bit 0 is dropped from @sel.
 *
 * Return: true if a port was found.
 */
static bool l2_next(const struct l2_view *v, xen_ulong_t *sel,
		    unsigned int *pos)
{
	unsigned int w = (*pos / L2_WORD_BITS) % L2_WORDS;
	unsigned int b = *pos % L2_WORD_BITS;
	xen_ulong_t bits;
	unsigned int i;

	for (i = 0; i <= L2_WORDS; i++) {
		if (*sel & BIT(w)) {
			bits = l2_active(v, w) & (~0UL << b);
			if (bits) {
				*pos = w * L2_WORD_BITS + __ffs(bits);
				return true;
			}
			if (!b)
				*sel &= ~BIT(w);
		}
		w = (w + 1) % L2_WORDS;
		b = 0;
	}
	return false;
}

/* The port after @port, going round. */
static unsigned int l2_after(unsigned int port)
{
	return (port + 1) % EVTCHN_2L_NR_CHANNELS;
}

/* ---- the ABI ---- */

static unsigned int l2_max_channels(void)
{
	return EVTCHN_2L_NR_CHANNELS;
}

static int l2_setup(evtchn_port_t port, gfp_t gfp)
{
	return port < EVTCHN_2L_NR_CHANNELS ? 0 : -EINVAL;
}

static void l2_bind_to_cpu(evtchn_port_t port, unsigned int cpu)
{
	if (port < EVTCHN_2L_NR_CHANNELS)
		set_bit(port, per_cpu(l2_mine, cpu));
}

static void l2_unbind_from_cpu(evtchn_port_t port, unsigned int cpu)
{
	if (port < EVTCHN_2L_NR_CHANNELS)
		clear_bit(port, per_cpu(l2_mine, cpu));
}

static void l2_mask(evtchn_port_t port)
{
	if (port < EVTCHN_2L_NR_CHANNELS)
		sync_set_bit(port, HYPERVISOR_shared_info->evtchn_mask);
}

static void l2_unmask(evtchn_port_t port)
{
	struct shared_info *s = HYPERVISOR_shared_info;
	unsigned int cpu = smp_processor_id();
	struct evtchn_unmask op = { .port = port };
	struct vcpu_info *vcpu;

	if (port >= EVTCHN_2L_NR_CHANNELS)
		return;
	if (xen_hvm_domain() || !test_bit(port, per_cpu(l2_mine, cpu)) ||
	    sync_test_bit(port, s->evtchn_pending)) {
		(void)HYPERVISOR_event_channel_op(EVTCHNOP_unmask, &op);
		return;
	}
	sync_clear_bit(port, s->evtchn_mask);
	if (likely(!sync_test_bit(port, s->evtchn_pending)))
		return;
	/* It became pending while masked: Xen did not tell us, so we do. */
	vcpu = __this_cpu_read(xen_vcpu);
	if (!sync_test_and_set_bit(port / L2_WORD_BITS,
				   &vcpu->evtchn_pending_sel))
		WRITE_ONCE(vcpu->evtchn_upcall_pending, 1);
}

static void l2_set_pending(evtchn_port_t port)
{
	if (port < EVTCHN_2L_NR_CHANNELS)
		sync_set_bit(port, HYPERVISOR_shared_info->evtchn_pending);
}

static void l2_clear_pending(evtchn_port_t port)
{
	if (port < EVTCHN_2L_NR_CHANNELS)
		sync_clear_bit(port, HYPERVISOR_shared_info->evtchn_pending);
}

static bool l2_is_pending(evtchn_port_t port)
{
	return port < EVTCHN_2L_NR_CHANNELS &&
	       sync_test_bit(port, HYPERVISOR_shared_info->evtchn_pending);
}

static bool l2_is_masked(evtchn_port_t port)
{
	return port >= EVTCHN_2L_NR_CHANNELS ||
	       sync_test_bit(port, HYPERVISOR_shared_info->evtchn_mask);
}

static void l2_handle_events(unsigned int cpu)
{
	struct shared_info *s = HYPERVISOR_shared_info;
	struct vcpu_info *vcpu = __this_cpu_read(xen_vcpu);
	unsigned int *resume_at = this_cpu_ptr(&l2_resume_at);
	struct l2_view v = {
		.pending = s->evtchn_pending,
		.mask = s->evtchn_mask,
		.mine = per_cpu(l2_mine, cpu),
	};
	xen_ulong_t sel = xchg(&vcpu->evtchn_pending_sel, 0);
	unsigned int port = *resume_at;

	while (l2_next(&v, &sel, &port)) {
		*resume_at = l2_after(port);
		xen_evtchn_handle_port(port);
		port = *resume_at;
	}
}

/* Every port masked, no CPU owning any. */
static void l2_reset(void)
{
	struct shared_info *s = HYPERVISOR_shared_info;
	unsigned int cpu, i;

	for (i = 0; i < L2_WORDS; i++)
		WRITE_ONCE(s->evtchn_mask[i], ~0UL);
	for_each_possible_cpu(cpu) {
		for (i = 0; i < L2_WORDS; i++)
			WRITE_ONCE(per_cpu(l2_mine, cpu)[i], 0);
		per_cpu(l2_resume_at, cpu) = 0;
	}
}

static int l2_resume(void)
{
	l2_reset();
	return 0;
}

static const struct evtchn_abi l2_abi = {
	.name			= "2-level",
	.max_channels		= l2_max_channels,
	.nr_channels		= l2_max_channels,
	.setup			= l2_setup,
	.bind_to_cpu		= l2_bind_to_cpu,
	.unbind_from_cpu	= l2_unbind_from_cpu,
	.mask			= l2_mask,
	.unmask			= l2_unmask,
	.set_pending		= l2_set_pending,
	.clear_pending		= l2_clear_pending,
	.is_pending		= l2_is_pending,
	.is_masked		= l2_is_masked,
	.handle_events		= l2_handle_events,
	.resume			= l2_resume,
};

/* At boot, and on a restore that lost the FIFO ABI: not __init. */
const struct evtchn_abi *xen_evtchn_2l_init(void)
{
	l2_reset();
	return &l2_abi;
}

#if IS_REACHABLE(CONFIG_KUNIT)
#include <kunit/test.h>

struct l2_test {
	xen_ulong_t pending[L2_WORDS];
	xen_ulong_t mask[L2_WORDS];
	xen_ulong_t mine[L2_WORDS];
	struct l2_view v;
};

static struct l2_test *l2_test_new(struct kunit *test)
{
	struct l2_test *t = kunit_kzalloc(test, sizeof(*t), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, t);
	memset(t->mine, 0xff, sizeof(t->mine));
	t->v.pending = t->pending;
	t->v.mask = t->mask;
	t->v.mine = t->mine;
	return t;
}

static void l2_test_raise(struct l2_test *t, unsigned int port,
			  xen_ulong_t *sel)
{
	__set_bit(port, t->pending);
	*sel |= BIT(port / L2_WORD_BITS);
}

/* Scan like l2_handle_events(), acknowledging each port found. */
static unsigned int l2_test_scan(struct l2_test *t, xen_ulong_t *sel,
				 unsigned int *pos, unsigned int *out,
				 unsigned int max)
{
	unsigned int n = 0, port = *pos;

	while (n < max && l2_next(&t->v, sel, &port)) {
		out[n++] = port;
		__clear_bit(port, t->pending);
		*pos = l2_after(port);
		port = *pos;
	}
	return n;
}

static void l2_test_round_robin(struct kunit *test)
{
	struct l2_test *t = l2_test_new(test);
	unsigned int out[8], pos = 71;
	xen_ulong_t sel = 0;

	l2_test_raise(t, 3, &sel);
	l2_test_raise(t, 70, &sel);
	l2_test_raise(t, 200, &sel);
	KUNIT_ASSERT_EQ(test, l2_test_scan(t, &sel, &pos, out, 8), 3);
	/* From port 71 on: 200, then round to 3 and 70. */
	KUNIT_EXPECT_EQ(test, out[0], 200);
	KUNIT_EXPECT_EQ(test, out[1], 3);
	KUNIT_EXPECT_EQ(test, out[2], 70);
	KUNIT_EXPECT_EQ(test, pos, 71);
	KUNIT_EXPECT_EQ(test, sel, 0);
}

static void l2_test_same_word_wraps(struct kunit *test)
{
	struct l2_test *t = l2_test_new(test);
	unsigned int out[8], pos = 10;
	xen_ulong_t sel = 0;

	l2_test_raise(t, 5, &sel);
	l2_test_raise(t, 12, &sel);
	KUNIT_ASSERT_EQ(test, l2_test_scan(t, &sel, &pos, out, 8), 2);
	KUNIT_EXPECT_EQ(test, out[0], 12);
	KUNIT_EXPECT_EQ(test, out[1], 5);
	KUNIT_EXPECT_EQ(test, sel, 0);
}

static void l2_test_skips(struct kunit *test)
{
	struct l2_test *t = l2_test_new(test);
	unsigned int out[8], pos = 0;
	xen_ulong_t sel = 0;

	l2_test_raise(t, 1, &sel);	/* masked */
	__set_bit(1, t->mask);
	l2_test_raise(t, 2, &sel);	/* another CPU's */
	__clear_bit(2, t->mine);
	l2_test_raise(t, 4095, &sel);
	__set_bit(130, t->pending);	/* pending, but word not selected */
	KUNIT_ASSERT_EQ(test, l2_test_scan(t, &sel, &pos, out, 8), 1);
	KUNIT_EXPECT_EQ(test, out[0], 4095);
	KUNIT_EXPECT_EQ(test, pos, 0);
	KUNIT_EXPECT_EQ(test, sel, 0);
}

static void l2_test_fair(struct kunit *test)
{
	struct l2_test *t = l2_test_new(test);
	unsigned int out[4], pos = 0, i;
	xen_ulong_t sel = 0;

	/* Port 7 fires again after every event: 900 still gets its turn. */
	l2_test_raise(t, 7, &sel);
	l2_test_raise(t, 900, &sel);
	for (i = 0; i < 4; i++) {
		KUNIT_ASSERT_EQ(test, l2_test_scan(t, &sel, &pos, &out[i], 1),
				1);
		l2_test_raise(t, 7, &sel);
	}
	KUNIT_EXPECT_EQ(test, out[0], 7);
	KUNIT_EXPECT_EQ(test, out[1], 900);
	KUNIT_EXPECT_EQ(test, out[2], 7);
	KUNIT_EXPECT_EQ(test, out[3], 7);
}

static void l2_test_empty(struct kunit *test)
{
	struct l2_test *t = l2_test_new(test);
	unsigned int pos = 4000;
	xen_ulong_t sel = ~0UL;

	KUNIT_EXPECT_FALSE(test, l2_next(&t->v, &sel, &pos));
	KUNIT_EXPECT_EQ(test, sel, 0);
	KUNIT_EXPECT_EQ(test, pos, 4000);
	KUNIT_EXPECT_EQ(test, l2_after(EVTCHN_2L_NR_CHANNELS - 1), 0);
}

static struct kunit_case l2_test_cases[] = {
	KUNIT_CASE(l2_test_round_robin),
	KUNIT_CASE(l2_test_same_word_wraps),
	KUNIT_CASE(l2_test_skips),
	KUNIT_CASE(l2_test_fair),
	KUNIT_CASE(l2_test_empty),
	{}
};

static struct kunit_suite l2_test_suite = {
	.name = "xen-evtchn-2l",
	.test_cases = l2_test_cases,
};

kunit_test_suite(l2_test_suite);
#endif /* IS_REACHABLE(CONFIG_KUNIT) */
