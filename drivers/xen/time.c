// SPDX-License-Identifier: GPL-2.0
/*
 * time.c - how much time each vCPU lost to other guests ("steal time").
 *
 * Xen accounts each vCPU's life in four states: running, runnable (it
 * wants a physical CPU but another guest has it), blocked (idle by its own
 * choice) and offline (neither: paused, down, or held inside Xen).  A guest
 * may give Xen one vcpu_runstate_info area per vCPU
 * (VCPUOP_register_runstate_memory_area); Xen rewrites it whenever that vCPU
 * is scheduled in or out.  Time spent runnable or offline is stolen: the
 * scheduler's steal clock (pv_steal_clock) reads it here, and /proc/stat
 * reports it.  The state itself tells spinning code whether a vCPU is
 * preempted (xen_vcpu_stolen()).
 *
 * Reading an area while Xen may be rewriting it: with the assist
 * VMASST_TYPE_runstate_update_flag on, Xen sets XEN_RUNSTATE_UPDATE in
 * state_entry_time for the length of each rewrite.  A reader takes
 * state_entry_time, copies the area, and takes state_entry_time again; the
 * copy stands if both agree and neither carries the flag.  Without the
 * assist that test is sound only for the reader's own vCPU (Xen writes an
 * area while its vCPU is not running), so other vCPUs are then asked with
 * VCPUOP_get_runstate_info, which also serves when a copy keeps failing.
 *
 * The totals must never run backwards, or the scheduler would bill whole
 * ticks as stolen.  Xen's counters belong to a vCPU of one domain: they
 * start again in the new domain after save/restore or migration, and a
 * freshly registered area (the boot CPU once the per-CPU areas have moved,
 * a CPU brought up, every CPU after a restore) may show time we do not want
 * to bill, such as the minutes a vCPU spent down.  So each CPU keeps a
 * carry that is added to Xen's counters, and whenever an area is registered,
 * or the domain comes back from a save, the carry is chosen so that the
 * totals go on from where the guest last saw them.  Time the domain spent
 * saved, or a CPU spent down, is thus not steal; the clock of
 * arch/x86/xen/time.c likewise stands still while the domain is saved.
 *
 * Xen's numbers are not trusted.  Each CPU's steal clock only ever rises,
 * and never by more than the time that has passed since its last rise
 * (measured with sched_clock(), a little slack allowed): a vCPU cannot lose
 * more time than there was.  Without that bound one absurd value from Xen
 * would stick for good, and the scheduler would bill every tick as stolen
 * until the real counters caught up with it.
 */

#define pr_fmt(fmt) "xen-runstate: " fmt

#include <linux/cpumask.h>
#include <linux/init.h>
#include <linux/jump_label.h>
#include <linux/kernel.h>
#include <linux/percpu.h>
#include <linux/printk.h>
#include <linux/processor.h>
#include <linux/sched/clock.h>
#include <linux/smp.h>
#include <linux/spinlock.h>
#include <linux/static_call.h>
#include <linux/string.h>
#include <linux/time64.h>

#include <asm/paravirt.h>
#include <asm/xen/hypercall.h>

#include <xen/interface/vcpu.h>
#include <xen/interface/xen.h>
#include <xen/xen-ops.h>

#define XEN_NR_RUNSTATES	4

/* Attempts at a consistent copy of an area before asking Xen instead. */
#define XEN_RUNSTATE_TRIES	1000

/*
 * How far Xen's accounting clock and our sched_clock() may disagree over
 * one interval between steal readings before we call Xen's rise absurd.
 */
#define XEN_STEAL_SLACK_NS	NSEC_PER_MSEC

/*
 * The levels of our printk_deferred_once() messages (see xen_steal_clock()):
 * a vCPU without runstate is a fault; steal held back is expected now and
 * then (the two clocks are read at different moments).
 */
#define XEN_RS_FAULT_LEVEL	KERN_WARNING
#define XEN_RS_NOTE_LEVEL	KERN_INFO

struct xen_runstate_offsets {
	u64 carry[XEN_NR_RUNSTATES];	/* added to Xen's counters */
	u64 saved[XEN_NR_RUNSTATES];	/* the totals at the last save */
};

/* Where a CPU's steal clock stands: what it last said, and as of when. */
struct xen_steal_mark {
	u64 steal;	/* the highest value it has given */
	u64 stamp;	/* sched_clock() before the counters behind it were read */
};

/* The tick and other CPUs' run queue updates may read one steal clock. */
struct xen_steal_guard {
	raw_spinlock_t lock;
	struct xen_steal_mark mark;
};

/* The areas Xen writes: one cache line each, so none crosses a page. */
static DEFINE_PER_CPU_ALIGNED(struct vcpu_runstate_info, xen_runstate);
static DEFINE_PER_CPU(struct xen_runstate_offsets, xen_runstate_offsets);
static DEFINE_PER_CPU(struct xen_steal_guard, xen_steal_guard) = {
	.lock = __RAW_SPIN_LOCK_UNLOCKED(xen_steal_guard.lock),
};

/* Xen marks its rewrites (VMASST_TYPE_runstate_update_flag is on). */
static bool xen_runstate_flagged;

/* A consistent copy of @area into @res within @tries attempts, or false. */
static bool xen_runstate_copy(const struct vcpu_runstate_info *area,
			      struct vcpu_runstate_info *res,
			      unsigned int tries)
{
	u64 entry;

	while (tries--) {
		entry = READ_ONCE(area->state_entry_time);
		virt_rmb();	/* the mark before the copy */
		*res = *area;
		virt_rmb();	/* the copy before the mark again */
		if (!(entry & XEN_RUNSTATE_UPDATE) &&
		    READ_ONCE(area->state_entry_time) == entry)
			return true;
		cpu_relax();
	}
	return false;
}

/* Xen's counters for @cpu, fresh from the hypervisor or else its area. */
static bool xen_runstate_fetch(int cpu, struct vcpu_runstate_info *res)
{
	int vcpu = xen_vcpu_nr(cpu);

	if (!HYPERVISOR_vcpu_op(VCPUOP_get_runstate_info, vcpu, res))
		return true;
	return xen_runstate_copy(&per_cpu(xen_runstate, cpu), res,
				 XEN_RUNSTATE_TRIES);
}

/* Xen's counters for @cpu on the fast path; preemption is off. */
static bool xen_runstate_read(int cpu, struct vcpu_runstate_info *res)
{
	if ((cpu == smp_processor_id() || READ_ONCE(xen_runstate_flagged)) &&
	    xen_runstate_copy(&per_cpu(xen_runstate, cpu), res,
			      XEN_RUNSTATE_TRIES))
		return true;
	return !HYPERVISOR_vcpu_op(VCPUOP_get_runstate_info, xen_vcpu_nr(cpu),
				   res);
}

/* The carry that makes Xen's counter @raw read as @want (modulo 2^64). */
static u64 xen_runstate_carry_for(u64 want, u64 raw)
{
	return want - raw;
}

/* Time stolen from a vCPU, from its totals. */
static u64 xen_runstate_steal(const u64 *total)
{
	return total[RUNSTATE_runnable] + total[RUNSTATE_offline];
}

/* A vCPU that wants to run but is not running. */
static bool xen_runstate_is_stolen(int state)
{
	return state == RUNSTATE_runnable || state == RUNSTATE_offline;
}

/*
 * The next value of the steal clock at @m, given the total @steal that
 * Xen's counters show, read between the sched_clock() values @before and
 * @after.  It never falls.  It rises by at most the time from @m's stamp
 * (taken before the counters behind @m were read) to @after, plus the
 * slack: more than that cannot have been stolen.  A cut-down value is
 * still a true lower bound, so the clock catches up with honest counters
 * later.  *@cut tells whether Xen's total was cut down.
 */
static u64 xen_steal_next(struct xen_steal_mark *m, u64 steal, u64 before,
			  u64 after, bool *cut)
{
	u64 room = XEN_STEAL_SLACK_NS;

	*cut = false;
	if (steal <= m->steal)
		return m->steal;
	/* Another reader may have stored a stamp later than our @after. */
	if (after > m->stamp)
		room += after - m->stamp;
	if (steal - m->steal > room) {
		steal = m->steal + room;
		*cut = true;
	}
	m->steal = steal;
	m->stamp = before;
	return steal;
}

/* Add @cpu's carry to Xen's counters in @rs: the guest's totals. */
static void xen_runstate_add_carry(int cpu, struct vcpu_runstate_info *rs)
{
	const u64 *carry = per_cpu(xen_runstate_offsets, cpu).carry;
	unsigned int i;

	for (i = 0; i < XEN_NR_RUNSTATES; i++)
		rs->time[i] += READ_ONCE(carry[i]);
}

/* Choose @cpu's carry so that its totals read @want from now on. */
static void xen_runstate_rebase(int cpu, const u64 *want)
{
	struct xen_runstate_offsets *o = &per_cpu(xen_runstate_offsets, cpu);
	struct vcpu_runstate_info now;
	unsigned int i;

	if (!xen_runstate_fetch(cpu, &now)) {
		pr_warn_once("CPU%d: no runstate to rebase on\n", cpu);
		return;
	}
	for (i = 0; i < XEN_NR_RUNSTATES; i++)
		WRITE_ONCE(o->carry[i],
			   xen_runstate_carry_for(want[i], now.time[i]));
}

/**
 * xen_setup_runstate_info() - give Xen a CPU's runstate area
 * @cpu: the CPU, whose vCPU is down or is the caller
 *
 * Registers (again) @cpu's per-CPU area and keeps its totals going from
 * what the area last showed.  Called for the boot CPU from
 * xen_start_kernel() and again by the time code once the per-CPU areas
 * have moved, for each CPU before it is brought up, and for every CPU by
 * xen_vcpu_restore() after a restore.
 */
void xen_setup_runstate_info(int cpu)
{
	struct vcpu_runstate_info *area = &per_cpu(xen_runstate, cpu);
	struct vcpu_register_runstate_memory_area reg = { .addr.v = area };
	struct vcpu_runstate_info old;
	u64 want[XEN_NR_RUNSTATES];
	unsigned int i;
	int rc;

	BUILD_BUG_ON(ARRAY_SIZE(old.time) != XEN_NR_RUNSTATES);
	/*
	 * Nobody writes the area now: its vCPU is down, the domain is just
	 * restored, or Xen still writes the old copy the area moved from.
	 * Zero (never registered) makes the totals start at zero.
	 */
	if (!xen_runstate_copy(area, &old, XEN_RUNSTATE_TRIES))
		memset(&old, 0, sizeof(old));
	xen_runstate_add_carry(cpu, &old);
	for (i = 0; i < XEN_NR_RUNSTATES; i++)
		want[i] = old.time[i];

	rc = HYPERVISOR_vcpu_op(VCPUOP_register_runstate_memory_area,
				xen_vcpu_nr(cpu), &reg);
	if (rc) {
		pr_warn("CPU%d: runstate area refused: %d\n", cpu, rc);
		return;
	}
	xen_runstate_rebase(cpu, want);
}

/**
 * xen_manage_runstate_time() - keep the totals across a save
 * @action: -1 before the domain is saved; 0 after it was restored in a new
 *	    domain; 1 after the save was cancelled (or was a checkpoint)
 *
 * Called by manage.c on CPU 0 inside stop_machine(), so no CPU is being
 * brought up or down.  Either way back, the totals go on from their value
 * at the save, as the clock does: the time the domain spent saved or paused
 * is nobody's steal.
 */
void xen_manage_runstate_time(int action)
{
	static bool saved;
	struct xen_runstate_offsets *o;
	struct vcpu_runstate_info now;
	int cpu;

	switch (action) {
	case -1:
		for_each_online_cpu(cpu) {
			if (!xen_runstate_fetch(cpu, &now)) {
				pr_warn("CPU%d: no runstate at save\n", cpu);
				memset(&now, 0, sizeof(now));
			}
			xen_runstate_add_carry(cpu, &now);
			o = &per_cpu(xen_runstate_offsets, cpu);
			memcpy(o->saved, now.time, sizeof(o->saved));
		}
		saved = true;
		return;
	case 0:
		/* A new domain: ask for the update flag again. */
		if (xen_runstate_flagged &&
		    HYPERVISOR_vm_assist(VMASST_CMD_enable,
					 VMASST_TYPE_runstate_update_flag))
			WRITE_ONCE(xen_runstate_flagged, false);
		fallthrough;
	case 1:
		if (!saved) {
			pr_warn_once("resume without a save\n");
			return;
		}
		for_each_online_cpu(cpu) {
			o = &per_cpu(xen_runstate_offsets, cpu);
			xen_runstate_rebase(cpu, o->saved);
		}
		saved = false;
		return;
	default:
		pr_warn_once("unknown action %d\n", action);
	}
}

/**
 * xen_steal_clock() - the steal clock (pv_steal_clock) of a CPU
 * @cpu: the CPU; called with preemption off
 *
 * The scheduler may call this with a run queue lock held, so messages go
 * out deferred: a console wake-up could need that same lock.
 *
 * Return: nanoseconds @cpu's vCPU was runnable or offline since it first
 * ran this kernel, without the time the domain spent saved; never less
 * than a previous return for the same CPU, and never more than it by the
 * time that has passed since (see xen_steal_next()).
 */
u64 xen_steal_clock(int cpu)
{
	struct xen_steal_guard *g;
	struct vcpu_runstate_info rs;
	unsigned long flags;
	u64 before, after, steal;
	bool cut;

	if (WARN_ON_ONCE((unsigned int)cpu >= nr_cpu_ids))
		return 0;
	g = per_cpu_ptr(&xen_steal_guard, cpu);

	before = sched_clock();
	if (!xen_runstate_read(cpu, &rs)) {
		printk_deferred_once(XEN_RS_FAULT_LEVEL
				     pr_fmt("CPU%d: no runstate\n"), cpu);
		return READ_ONCE(g->mark.steal);
	}
	after = sched_clock();
	xen_runstate_add_carry(cpu, &rs);

	raw_spin_lock_irqsave(&g->lock, flags);
	steal = xen_steal_next(&g->mark, xen_runstate_steal(rs.time), before,
			       after, &cut);
	raw_spin_unlock_irqrestore(&g->lock, flags);

	if (cut)
		printk_deferred_once(XEN_RS_NOTE_LEVEL
				     pr_fmt("CPU%d: Xen's steal outran the clock, held back\n"),
				     cpu);
	return steal;
}

/**
 * xen_vcpu_stolen() - is a CPU's vCPU kept from running?
 * @vcpu: the CPU (Linux's number)
 *
 * Return: true if Xen last recorded the vCPU as runnable or offline.  Used
 * as vcpu_is_preempted() and by the IPI code to decide whether to yield.
 */
bool xen_vcpu_stolen(int vcpu)
{
	int state;

	if ((unsigned int)vcpu >= nr_cpu_ids)
		return false;
	state = READ_ONCE(per_cpu(xen_runstate, vcpu).state);
	return xen_runstate_is_stolen(state);
}

/**
 * xen_time_setup_guest() - start reporting steal time
 *
 * Called once the boot CPU's area is registered for good.  Other CPUs'
 * steal (the run queue clocks read it) is offered only when Xen can flag
 * its rewrites; without the flag those reads would need a hypercall each.
 */
void __init xen_time_setup_guest(void)
{
	xen_runstate_flagged =
		!HYPERVISOR_vm_assist(VMASST_CMD_enable,
				      VMASST_TYPE_runstate_update_flag);

	static_call_update(pv_steal_clock, xen_steal_clock);
	static_key_slow_inc(&paravirt_steal_enabled);
	if (xen_runstate_flagged)
		static_key_slow_inc(&paravirt_steal_rq_enabled);
	pr_info("steal time from the runstate areas%s\n",
		xen_runstate_flagged ? "" : " (no update flag)");
}

#if IS_REACHABLE(CONFIG_KUNIT)
#include <kunit/test.h>

static const struct vcpu_runstate_info xen_rs_test_area = {
	.state = RUNSTATE_running,
	.state_entry_time = 5000,
	.time = { 4000, 300, 600, 100 },
};

static void xen_rs_test_copy(struct kunit *test)
{
	struct vcpu_runstate_info res;

	memset(&res, 0xa5, sizeof(res));
	KUNIT_ASSERT_TRUE(test, xen_runstate_copy(&xen_rs_test_area, &res, 1));
	KUNIT_EXPECT_EQ(test, res.state, RUNSTATE_running);
	KUNIT_EXPECT_EQ(test, res.state_entry_time, 5000ULL);
	KUNIT_EXPECT_EQ(test, res.time[RUNSTATE_offline], 100ULL);
	KUNIT_EXPECT_EQ(test, xen_runstate_steal(res.time), 400ULL);
}

static void xen_rs_test_copy_busy(struct kunit *test)
{
	struct vcpu_runstate_info area = xen_rs_test_area;
	struct vcpu_runstate_info res;

	/* Xen is (forever) in the middle of a rewrite: give up. */
	area.state_entry_time |= XEN_RUNSTATE_UPDATE;
	KUNIT_EXPECT_FALSE(test, xen_runstate_copy(&area, &res, 3));
	KUNIT_EXPECT_FALSE(test, xen_runstate_copy(&area, &res, 0));
	area.state_entry_time &= ~XEN_RUNSTATE_UPDATE;
	KUNIT_EXPECT_TRUE(test, xen_runstate_copy(&area, &res, 3));
}

static void xen_rs_test_carry(struct kunit *test)
{
	u64 carry;

	/* A new domain counts from little: the totals go on from 400. */
	carry = xen_runstate_carry_for(400, 25);
	KUNIT_EXPECT_EQ(test, 25 + carry, 400ULL);
	KUNIT_EXPECT_EQ(test, 125 + carry, 500ULL);
	/* Xen's counter ahead of what we want: the carry wraps, still exact. */
	carry = xen_runstate_carry_for(400, 1000000);
	KUNIT_EXPECT_EQ(test, 1000000 + carry, 400ULL);
	KUNIT_EXPECT_EQ(test, 1000010 + carry, 410ULL);
	KUNIT_EXPECT_EQ(test, xen_runstate_carry_for(7, 7), 0ULL);
}

static void xen_rs_test_states(struct kunit *test)
{
	KUNIT_EXPECT_FALSE(test, xen_runstate_is_stolen(RUNSTATE_running));
	KUNIT_EXPECT_TRUE(test, xen_runstate_is_stolen(RUNSTATE_runnable));
	KUNIT_EXPECT_FALSE(test, xen_runstate_is_stolen(RUNSTATE_blocked));
	KUNIT_EXPECT_TRUE(test, xen_runstate_is_stolen(RUNSTATE_offline));
	KUNIT_EXPECT_FALSE(test, xen_runstate_is_stolen(4));
	KUNIT_EXPECT_FALSE(test, xen_runstate_is_stolen(-1));
}

static void xen_rs_test_steal_next(struct kunit *test)
{
	struct xen_steal_mark m = { };
	bool cut;

	/* Less than the time passed: taken as it is. */
	KUNIT_EXPECT_EQ(test, xen_steal_next(&m, 100, 0, 5000000, &cut),
			100ULL);
	KUNIT_EXPECT_FALSE(test, cut);
	KUNIT_EXPECT_EQ(test, m.stamp, 0ULL);

	/* Backwards: the clock stays, and so does its stamp. */
	KUNIT_EXPECT_EQ(test, xen_steal_next(&m, 50, 6000000, 6000010, &cut),
			100ULL);
	KUNIT_EXPECT_FALSE(test, cut);
	KUNIT_EXPECT_EQ(test, m.stamp, 0ULL);

	/* An absurd leap: cut to the 8 ms since the stamp, plus 1 ms slack. */
	KUNIT_EXPECT_EQ(test, xen_steal_next(&m, 1ULL << 62, 7000000, 8000000,
					     &cut), 9000100ULL);
	KUNIT_EXPECT_TRUE(test, cut);
	KUNIT_EXPECT_EQ(test, m.stamp, 7000000ULL);

	/* Xen sane again, behind the cut value: held until it passes it. */
	KUNIT_EXPECT_EQ(test, xen_steal_next(&m, 9000050, 9000000, 9000010,
					     &cut), 9000100ULL);
	KUNIT_EXPECT_FALSE(test, cut);
	KUNIT_EXPECT_EQ(test, xen_steal_next(&m, 9000200, 9000000, 9000010,
					     &cut), 9000200ULL);
	KUNIT_EXPECT_FALSE(test, cut);
	KUNIT_EXPECT_EQ(test, m.stamp, 9000000ULL);

	/* A clock reading behind the stamp leaves only the slack. */
	KUNIT_EXPECT_EQ(test, xen_steal_next(&m, 20000000, 8000000, 8000000,
					     &cut), 10000200ULL);
	KUNIT_EXPECT_TRUE(test, cut);
}

static struct kunit_case xen_rs_test_cases[] = {
	KUNIT_CASE(xen_rs_test_copy),
	KUNIT_CASE(xen_rs_test_copy_busy),
	KUNIT_CASE(xen_rs_test_carry),
	KUNIT_CASE(xen_rs_test_states),
	KUNIT_CASE(xen_rs_test_steal_next),
	{}
};

static struct kunit_suite xen_rs_test_suite = {
	.name = "xen-runstate",
	.test_cases = xen_rs_test_cases,
};

kunit_test_suite(xen_rs_test_suite);
#endif /* CONFIG_KUNIT */
