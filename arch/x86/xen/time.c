// SPDX-License-Identifier: GPL-2.0
/*
 * time.c - the clock, the per-CPU timers and the time of day of a Xen
 * guest, all taken from what Xen publishes in shared memory.
 *
 * The clock.  Xen keeps one "system time" for the whole host: nanoseconds
 * since the host booted.  Rather than rewrite it every nanosecond, it gives
 * each vCPU a vcpu_time_info record in its vcpu_info (the pvclock protocol):
 * at TSC value tsc_timestamp the system time was system_time, and it moves
 * on by tsc_to_system_mul / 2^32 ns per TSC tick, after a shift by
 * tsc_shift.  Xen rewrites the record when the vCPU changes physical CPU or
 * the scale drifts, making version odd before and even again after; a
 * reader retries until it saw one even version on both sides.  The kernel's
 * pvclock helpers do exactly that, and keep the readings of all vCPUs
 * monotonic.
 *
 * Our clocksource ("xen") is that system time plus an offset, and our
 * sched_clock is the clocksource less its value at boot.  The offset is
 * zero until the domain is first saved.  A saved domain stops; restored,
 * perhaps on another host whose system time is that host's uptime, it would
 * see system time leap either way.  So just before the save we note the
 * clocksource's value, and just after it we pick the offset that makes the
 * clocksource read exactly that again: both clocks stand still while the
 * domain is saved, then go on, never backwards.  The timekeeping core adds
 * the saved interval to the time of day from the persistent clock (below),
 * as after any suspend.
 *
 * The timers.  Each vCPU has a one-shot timer, set in absolute system time
 * by VCPUOP_set_singleshot_timer, that raises VIRQ_TIMER on that vCPU when
 * it expires.  Each CPU gets a clock_event_device on it, so that an idle
 * CPU stops its tick (NO_HZ).  Xen starts every vCPU with a periodic timer
 * on the same VIRQ as well; we stop it (VCPUOP_stop_periodic_timer) when a
 * CPU's device is set up, and for all vCPUs after a restore, when they are
 * new.  We ask for deadlines in the future (VCPU_SSHOTTMR_future): one
 * already past fails with -ETIME, which the clockevents core takes as its
 * cue to retry a little later.
 *
 * The time of day.  shared_info holds the wall-clock time at which system
 * time was zero (wc_sec_hi:wc_sec seconds and wc_nsec, under a version in
 * wc.version like the vCPU records); adding the system time gives the time
 * of day.  It is this platform's persistent clock, read at boot and after
 * each resume.  A guest cannot set it.
 */

#define pr_fmt(fmt) "xen-time: " fmt

#include <linux/clockchips.h>
#include <linux/clocksource.h>
#include <linux/cpumask.h>
#include <linux/init.h>
#include <linux/interrupt.h>
#include <linux/kernel.h>
#include <linux/math64.h>
#include <linux/overflow.h>
#include <linux/percpu.h>
#include <linux/preempt.h>
#include <linux/smp.h>
#include <linux/time64.h>

#include <asm/paravirt.h>
#include <asm/pvclock.h>
#include <asm/x86_init.h>
#include <asm/xen/hypercall.h>
#include <asm/xen/hypervisor.h>

#include <xen/events.h>
#include <xen/features.h>
#include <xen/interface/vcpu.h>
#include <xen/interface/xen.h>
#include <xen/xen-ops.h>
#include <xen/xen.h>

#include "xen-ops.h"

/* Attempts at a consistent read of a record Xen may be rewriting. */
#define XEN_TIME_TRIES		1000

/* The shortest and longest delays we program, in ns (one tick is 1 ns). */
#define XEN_TIMER_MIN_NS	(10 * NSEC_PER_USEC)
#define XEN_TIMER_MAX_NS	0xffffffffULL

struct xen_timer {
	struct clock_event_device evt;
	char name[16];			/* of its interrupt: "timer<cpu>" */
};

static DEFINE_PER_CPU(struct xen_timer, xen_timers) = { .evt.irq = -1 };

/* Added to Xen's system time to make our clock; changes at restore only. */
static u64 xen_clock_offset __read_mostly;
/* Our clock's value when the domain was last saved. */
static u64 xen_clock_at_save;
/* Our clock's value when sched_clock started counting from zero. */
static u64 xen_sched_clock_zero __read_mostly;
/* Xen's clock and timers are in use (set once the clock is set up). */
static bool xen_clock_used __read_mostly;

/* Xen's system time on this vCPU, in ns. */
static u64 xen_system_time(void)
{
	u64 ns;

	preempt_disable_notrace();
	ns = pvclock_clocksource_read(&this_cpu_read(xen_vcpu)->time);
	preempt_enable_notrace();
	return ns;
}

/* Our clock reads Xen's system time @raw as this (modulo 2^64). */
static u64 xen_clock_value(u64 raw, u64 offset)
{
	return raw + offset;
}

/* The offset that makes Xen's system time @raw read as @value. */
static u64 xen_clock_offset_for(u64 value, u64 raw)
{
	return value - raw;
}

static u64 xen_clocksource_read(struct clocksource *cs)
{
	return xen_clock_value(xen_system_time(), READ_ONCE(xen_clock_offset));
}

static noinstr u64 xen_sched_clock(void)
{
	u64 ns;

	preempt_disable_notrace();
	ns = pvclock_clocksource_read_nowd(&this_cpu_read(xen_vcpu)->time);
	preempt_enable_notrace();
	return ns + READ_ONCE(xen_clock_offset) - xen_sched_clock_zero;
}

static struct clocksource xen_clocksource __read_mostly = {
	.name	= "xen",
	.rating	= 400,
	.read	= xen_clocksource_read,
	.mask	= CLOCKSOURCE_MASK(64),
	.flags	= CLOCK_SOURCE_IS_CONTINUOUS,
};

/**
 * xen_save_time_memory_area() - note the clock before the domain is saved
 *
 * Called by xen_arch_pre_suspend() with interrupts off, on the CPU that
 * makes the suspend hypercall.
 */
void xen_save_time_memory_area(void)
{
	if (xen_clock_used)
		xen_clock_at_save = xen_clocksource_read(&xen_clocksource);
}

/**
 * xen_restore_time_memory_area() - go on with the clock after a save
 *
 * Called by xen_arch_post_suspend(), after the vCPUs' vcpu_info areas are
 * back, whether the save was completed or cancelled: the clock continues
 * from its value at xen_save_time_memory_area().
 *
 * A reader in NMI context (perf, a printk time stamp) can get one wrong
 * value here: from Xen's first new time record until the new offset is
 * stored, it reads the new host's time plus the old offset.  Storing the
 * offset before pvclock_resume() would not close that window: until the
 * reset, readings are floored at the old host's highest one, which with
 * the new offset is wrong the other way.  Timekeeping is suspended and
 * every other CPU sits in stop_machine() with interrupts off, so nothing
 * but such a one-off NMI sample is affected; from the store on the clock
 * is right.
 */
void xen_restore_time_memory_area(void)
{
	u64 raw;

	if (!xen_clock_used)
		return;
	/* pvclock's highest reading so far may be the old host's. */
	pvclock_resume();
	raw = xen_system_time();
	WRITE_ONCE(xen_clock_offset,
		   xen_clock_offset_for(xen_clock_at_save, raw));
}

/* Our own copy of a time record, read under its version, or false. */
static bool xen_time_info_copy(const struct pvclock_vcpu_time_info *src,
			       struct pvclock_vcpu_time_info *dst)
{
	unsigned int tries = XEN_TIME_TRIES;
	unsigned int version;

	do {
		version = pvclock_read_begin(src);
		*dst = *src;
		if (!pvclock_read_retry(src, version))
			return true;
	} while (--tries);
	return false;
}

static unsigned long xen_tsc_khz(void)
{
	struct pvclock_vcpu_time_info t;

	if (!xen_time_info_copy(&this_cpu_read(xen_vcpu)->time, &t) ||
	    !t.tsc_to_system_mul || t.tsc_shift < -32 || t.tsc_shift > 32) {
		pr_warn_once("no usable TSC scale from Xen\n");
		return 0;
	}
	return pvclock_tsc_khz(&t);
}

/*
 * The time of day from Xen's wall clock at system time zero (@sec_hi:@sec
 * seconds, @nsec) and the system time now (@now_ns).  False if that is no
 * time: @nsec out of range, or more seconds than a timespec64 holds.
 */
static bool xen_wallclock_make(u32 sec_hi, u32 sec, u32 nsec, u64 now_ns,
			       struct timespec64 *ts)
{
	u64 secs = ((u64)sec_hi << 32) | sec;
	u32 rem;
	u64 add = div_u64_rem(now_ns, NSEC_PER_SEC, &rem);

	if (nsec >= NSEC_PER_SEC)
		return false;
	nsec += rem;
	if (nsec >= NSEC_PER_SEC) {
		nsec -= NSEC_PER_SEC;
		add++;
	}
	if (check_add_overflow(secs, add, &secs) || secs > (u64)TIME64_MAX)
		return false;
	ts->tv_sec = secs;
	ts->tv_nsec = nsec;
	return true;
}

static void xen_get_wallclock(struct timespec64 *ts)
{
	const struct shared_info *s = HYPERVISOR_shared_info;
	unsigned int tries = XEN_TIME_TRIES;
	u32 version, sec, nsec, sec_hi;

	do {
		version = READ_ONCE(s->wc.version);
		virt_rmb();	/* the version before the values */
		sec = READ_ONCE(s->wc.sec);
		nsec = READ_ONCE(s->wc.nsec);
		sec_hi = READ_ONCE(s->wc_sec_hi);
		virt_rmb();	/* the values before the version again */
		if (!(version & 1) && version == READ_ONCE(s->wc.version))
			break;
	} while (--tries);

	if (!tries ||
	    !xen_wallclock_make(sec_hi, sec, nsec, xen_system_time(), ts)) {
		pr_warn_once("no usable wall clock from Xen\n");
		ts->tv_sec = 0;
		ts->tv_nsec = 0;
	}
}

static int xen_set_wallclock(const struct timespec64 *ts)
{
	return -ENODEV;		/* the wall clock is the toolstack's */
}

static void xen_timer_stop_periodic(int cpu)
{
	int rc = HYPERVISOR_vcpu_op(VCPUOP_stop_periodic_timer,
				    xen_vcpu_nr(cpu), NULL);

	if (rc)
		pr_warn("CPU%d: Xen's periodic timer did not stop: %d\n",
			cpu, rc);
}

static int xen_timer_shutdown(struct clock_event_device *evt)
{
	int cpu = smp_processor_id();
	int rc = HYPERVISOR_vcpu_op(VCPUOP_stop_singleshot_timer,
				    xen_vcpu_nr(cpu), NULL);

	/* At worst one spurious tick follows; the core copes with that. */
	if (rc)
		pr_warn_once("CPU%d: one-shot timer did not stop: %d\n",
			     cpu, rc);
	return 0;
}

static int xen_timer_next_event(unsigned long delta,
				struct clock_event_device *evt)
{
	struct vcpu_set_singleshot_timer single = {
		.timeout_abs_ns = xen_system_time() + delta,
		.flags = VCPU_SSHOTTMR_future,
	};
	int cpu = smp_processor_id();
	int rc;

	rc = HYPERVISOR_vcpu_op(VCPUOP_set_singleshot_timer, xen_vcpu_nr(cpu),
				&single);
	/* -ETIME: the deadline passed meanwhile; the core retries. */
	if (rc && rc != -ETIME)
		pr_warn_once("CPU%d: one-shot timer refused: %d\n", cpu, rc);
	return rc;
}

static irqreturn_t xen_timer_interrupt(int irq, void *dev_id)
{
	struct clock_event_device *evt = dev_id;

	if (!evt->event_handler)	/* bound, not yet registered */
		return IRQ_NONE;
	evt->event_handler(evt);
	return IRQ_HANDLED;
}

/*
 * What every CPU's timer starts from: a one-shot device counting in
 * nanoseconds (mult 1, shift 0), rated to win over any other clockevent
 * device; its IRQ is bound per CPU.
 */
static const struct clock_event_device xen_timer_template = {
	.name			= "xen",
	.rating			= 500,
	.irq			= -1,
	.features		= CLOCK_EVT_FEAT_ONESHOT,
	.set_next_event		= xen_timer_next_event,
	.set_state_shutdown	= xen_timer_shutdown,
	.set_state_oneshot_stopped = xen_timer_shutdown,
	.mult			= 1,
	.shift			= 0,
	.min_delta_ns		= XEN_TIMER_MIN_NS,
	.max_delta_ns		= XEN_TIMER_MAX_NS,
	.min_delta_ticks	= XEN_TIMER_MIN_NS,
	.max_delta_ticks	= XEN_TIMER_MAX_NS,
};

/**
 * xen_teardown_timer() - unbind a CPU's timer interrupt
 * @cpu: a CPU that is dead, or never came up
 *
 * Safe to call again, or for a CPU that has no timer interrupt.
 */
void xen_teardown_timer(int cpu)
{
	struct clock_event_device *evt = &per_cpu(xen_timers, cpu).evt;

	if (evt->irq < 0)
		return;
	unbind_from_irqhandler(evt->irq, evt);
	evt->irq = -1;
}

/**
 * xen_setup_timer() - prepare a CPU's timer before the CPU comes up
 * @cpu: the CPU
 *
 * Fills in @cpu's clock_event_device and binds its vCPU's VIRQ_TIMER to an
 * interrupt that drives it, at the highest event priority;
 * xen_setup_cpu_clockevents(), later on @cpu itself, registers the device.
 * On failure @cpu will run without a tick.
 */
void xen_setup_timer(int cpu)
{
	struct xen_timer *t = &per_cpu(xen_timers, cpu);
	int irq, rc;

	/* An earlier offlining of @cpu may not have got this far. */
	xen_teardown_timer(cpu);

	t->evt = xen_timer_template;
	t->evt.cpumask = cpumask_of(cpu);
	snprintf(t->name, sizeof(t->name), "timer%d", cpu);
	irq = bind_virq_to_irqhandler(VIRQ_TIMER, cpu, xen_timer_interrupt,
				      IRQF_PERCPU | IRQF_NOBALANCING |
				      IRQF_TIMER | IRQF_FORCE_RESUME |
				      IRQF_EARLY_RESUME, t->name, &t->evt);
	if (irq < 0) {
		pr_err("CPU%d: no timer interrupt: %d\n", cpu, irq);
		return;
	}
	t->evt.irq = irq;

	/*
	 * With the FIFO ABI the tick must not queue behind device events.
	 * The events core keeps the priority with the binding and gives it
	 * to the new port after a restore.  2-level has no priorities.
	 */
	rc = xen_set_irq_priority(irq, XEN_IRQ_PRIORITY_MAX);
	if (rc && rc != -EOPNOTSUPP)
		pr_warn("CPU%d: timer interrupt at normal priority: %d\n",
			cpu, rc);
}

/**
 * xen_setup_cpu_clockevents() - start this CPU's tick
 *
 * Runs on the CPU itself, as it comes up, after xen_setup_timer().
 */
void xen_setup_cpu_clockevents(void)
{
	struct clock_event_device *evt = this_cpu_ptr(&xen_timers.evt);
	int cpu = smp_processor_id();

	xen_timer_stop_periodic(cpu);
	if (evt->irq < 0) {
		pr_err("CPU%d: no timer interrupt, no tick\n", cpu);
		return;
	}
	clockevents_register_device(evt);
}

/**
 * xen_timer_resume() - stop the periodic timers of a restored domain
 *
 * After a restore every vCPU is new, and has Xen's periodic timer running.
 * manage.c calls this on CPU 0 before the CPUs' ticks resume.
 */
void xen_timer_resume(void)
{
	int cpu;

	if (!xen_clock_used)
		return;
	for_each_online_cpu(cpu)
		xen_timer_stop_periodic(cpu);
}

/* The boot CPU's clock and tick, late in boot: interrupts work now. */
static void __init xen_time_init(void)
{
	int cpu = raw_smp_processor_id();	/* only one CPU runs yet */

	/* The per-CPU areas moved since the boot CPU's area was registered. */
	xen_setup_runstate_info(cpu);

	clocksource_register_hz(&xen_clocksource, NSEC_PER_SEC);

	xen_setup_timer(cpu);
	if (per_cpu(xen_timers, cpu).evt.irq < 0)
		panic("xen-time: the boot CPU has no timer interrupt\n");
	preempt_disable();
	xen_setup_cpu_clockevents();
	preempt_enable();

	xen_time_setup_guest();
}

/* Clock, sched_clock, TSC rate and wall clock. */
static void __init xen_clock_init(void)
{
	xen_sched_clock_zero = xen_clocksource_read(&xen_clocksource);
	paravirt_set_sched_clock(xen_sched_clock);

	/*
	 * The CPU runs at its TSC's rate as far as we can tell, and the
	 * native way to find that would probe the PIT, which a PV guest
	 * cannot reach.
	 */
	x86_platform.calibrate_tsc = xen_tsc_khz;
	x86_platform.calibrate_cpu = xen_tsc_khz;
	x86_platform.get_wallclock = xen_get_wallclock;
	x86_platform.set_wallclock = xen_set_wallclock;
	xen_clock_used = true;
}

/**
 * xen_init_time_ops() - make a PV guest's time Xen's
 *
 * Called while the platform is set up, once shared_info is mapped and the
 * boot CPU's xen_vcpu points into it.  The boot CPU's timer comes in
 * xen_time_init(); the other CPUs' in their bring-up (smp_pv.c), so the
 * x86 per-CPU timer hooks have nothing to do.
 */
void __init xen_init_time_ops(void)
{
	xen_clock_init();

	x86_init.timers.timer_init = xen_time_init;
	x86_init.timers.setup_percpu_clockev = x86_init_noop;
	x86_cpuinit.setup_percpu_clockev = x86_init_noop;
}

#if IS_REACHABLE(CONFIG_KUNIT)
#include <kunit/test.h>

static void xen_time_test_wallclock(struct kunit *test)
{
	struct timespec64 ts;

	KUNIT_ASSERT_TRUE(test, xen_wallclock_make(0, 1700000000, 500000000,
						   1600000000ULL, &ts));
	KUNIT_EXPECT_EQ(test, ts.tv_sec, 1700000002LL);
	KUNIT_EXPECT_EQ(test, ts.tv_nsec, 100000000L);

	/* The high word: seconds past 2106. */
	KUNIT_ASSERT_TRUE(test, xen_wallclock_make(1, 5, 0, 0, &ts));
	KUNIT_EXPECT_EQ(test, ts.tv_sec, (1LL << 32) + 5);
	KUNIT_EXPECT_EQ(test, ts.tv_nsec, 0L);

	/* Nanoseconds carry exactly to the next second. */
	KUNIT_ASSERT_TRUE(test, xen_wallclock_make(0, 9, 999999999, 1, &ts));
	KUNIT_EXPECT_EQ(test, ts.tv_sec, 10LL);
	KUNIT_EXPECT_EQ(test, ts.tv_nsec, 0L);
}

static void xen_time_test_wallclock_bad(struct kunit *test)
{
	struct timespec64 ts = { .tv_sec = 42 };

	KUNIT_EXPECT_FALSE(test, xen_wallclock_make(0, 1, NSEC_PER_SEC, 0,
						    &ts));
	KUNIT_EXPECT_FALSE(test, xen_wallclock_make(0, 1, U32_MAX, 0, &ts));
	/* Beyond what a timespec64 holds. */
	KUNIT_EXPECT_FALSE(test, xen_wallclock_make(0x80000000, 0, 0, 0, &ts));
	KUNIT_EXPECT_FALSE(test, xen_wallclock_make(0x7fffffff, U32_MAX, 0,
						    U64_MAX, &ts));
	KUNIT_EXPECT_EQ(test, ts.tv_sec, 42LL);
}

static void xen_time_test_restore(struct kunit *test)
{
	u64 offset = 0, saved;

	/* Saved on a host up for 5 s, restored on one up for 1 s. */
	saved = xen_clock_value(5000000000ULL, offset);
	offset = xen_clock_offset_for(saved, 1000000000ULL);
	KUNIT_EXPECT_EQ(test, xen_clock_value(1000000000ULL, offset), saved);
	KUNIT_EXPECT_EQ(test, xen_clock_value(1000000010ULL, offset),
			saved + 10);

	/* Then migrated to a host up for years: the offset wraps. */
	saved = xen_clock_value(1000000500ULL, offset);
	offset = xen_clock_offset_for(saved, 90000000000000000ULL);
	KUNIT_EXPECT_EQ(test, xen_clock_value(90000000000000000ULL, offset),
			saved);
	KUNIT_EXPECT_EQ(test, xen_clock_value(90000000000000007ULL, offset),
			saved + 7);
	KUNIT_EXPECT_EQ(test, saved, 5000000500ULL);
}

static struct kunit_case xen_time_test_cases[] = {
	KUNIT_CASE(xen_time_test_wallclock),
	KUNIT_CASE(xen_time_test_wallclock_bad),
	KUNIT_CASE(xen_time_test_restore),
	{}
};

static struct kunit_suite xen_time_test_suite = {
	.name = "xen-time",
	.test_cases = xen_time_test_cases,
};

kunit_test_suite(xen_time_test_suite);
#endif /* CONFIG_KUNIT */
