// SPDX-License-Identifier: GPL-2.0
/*
 * manage.c - how the toolstack in dom0 tells this domain to stop, restart,
 * suspend or take a magic SysRq key.
 *
 * A Xen guest has no power button.  The toolstack (xl) writes a word into
 * the xenstore node control/shutdown of our domain instead: "poweroff",
 * "halt", "reboot" or "suspend".  We watch that node; each time it changes
 * we read it, and if it holds a request we take it by writing the empty
 * string back in the same transaction (if the transaction collides with
 * another writer we start again), so that a request is acted on once.
 * Only then do we act:
 *
 *   poweroff, halt   orderly_poweroff(): user space shuts down, and the
 *                    kernel's last step, machine_power_off(), is the PV
 *                    arch code's SCHEDOP_shutdown(poweroff) hypercall
 *   reboot           orderly_reboot(), ending in SCHEDOP_shutdown(reboot)
 *   suspend          xl save or migrate: the sequence of xen_do_suspend()
 *
 * control/sysrq works the same way with one character, handed to
 * handle_sysrq(), which honours the kernel.sysrq mask like a keyboard.
 *
 * Our domain's control/feature-poweroff, feature-reboot, feature-suspend
 * and feature-sysrq nodes are set to "1" to tell the toolstack what we
 * understand, at boot and again after a resume (a restored or migrated
 * domain gets a fresh xenstore directory).  libxl creates the first three
 * for us to write; a toolstack that did not create a node refuses the
 * write, which is fine and only noted at debug level.
 *
 * Suspending: the domain's memory is saved (and perhaps loaded on another
 * host) while it is stopped inside the SCHEDOP_shutdown(suspend) hypercall.
 * The hypercall returns 0 when we run again in a new domain, where every
 * event channel, the grant table frames, the xenstore and console rings
 * and the vCPU timers are new, or 1 when the save was cancelled or was a
 * checkpoint and we go on in the same domain.  Around it, everything that
 * talks to Xen is quiesced in layers and brought back in reverse order;
 * xen_do_suspend() and xen_suspend_on_cpu0() explain each step.  A step
 * that fails before the hypercall undoes the layers already taken and the
 * domain simply carries on where it was.
 *
 * All requests are handled in the xenbus watch thread, one at a time.
 */

#define pr_fmt(fmt) "xen-manage: " fmt

#include <linux/cpu.h>
#include <linux/cpumask.h>
#include <linux/delay.h>
#include <linux/export.h>
#include <linux/freezer.h>
#include <linux/init.h>
#include <linux/jiffies.h>
#include <linux/minmax.h>
#include <linux/mutex.h>
#include <linux/notifier.h>
#include <linux/pm.h>
#include <linux/reboot.h>
#include <linux/slab.h>
#include <linux/smp.h>
#include <linux/stop_machine.h>
#include <linux/string.h>
#include <linux/suspend.h>
#include <linux/syscore_ops.h>
#include <linux/sysrq.h>
#include <linux/tick.h>

#include <asm/xen/hypercall.h>
#include <asm/xen/hypervisor.h>

#include <xen/events.h>
#include <xen/grant_table.h>
#include <xen/hvc-console.h>
#include <xen/page.h>
#include <xen/xen-ops.h>
#include <xen/xen.h>
#include <xen/xenbus.h>

/* How often one request may collide with other xenstore writers. */
#define XEN_MANAGE_TRIES	64

enum xen_shutdown_action {
	XEN_SHUTDOWN_NONE,	/* empty: nothing asked, or our own reply */
	XEN_SHUTDOWN_POWEROFF,
	XEN_SHUTDOWN_HALT,
	XEN_SHUTDOWN_REBOOT,
	XEN_SHUTDOWN_SUSPEND,
	XEN_SHUTDOWN_UNKNOWN,
};

static const char *const xen_shutdown_words[] = {
	[XEN_SHUTDOWN_POWEROFF]	= "poweroff",
	[XEN_SHUTDOWN_HALT]	= "halt",
	[XEN_SHUTDOWN_REBOOT]	= "reboot",
	[XEN_SHUTDOWN_SUSPEND]	= "suspend",
};

/*
 * The value of control/shutdown as an action.  @len is the length xenstore
 * gave: the whole value must be the word, so "reboot\0x" or "rebootx" is
 * nothing we know.
 */
static enum xen_shutdown_action xen_shutdown_parse(const char *val,
						   unsigned int len)
{
	enum xen_shutdown_action a;

	if (!len)
		return XEN_SHUTDOWN_NONE;
	for (a = XEN_SHUTDOWN_POWEROFF; a < XEN_SHUTDOWN_UNKNOWN; a++)
		if (len == strlen(xen_shutdown_words[a]) &&
		    !memcmp(val, xen_shutdown_words[a], len))
			return a;
	return XEN_SHUTDOWN_UNKNOWN;
}

/*
 * The value of control/sysrq as a key: 0 for empty, -EINVAL unless it is
 * exactly one printable, non-blank ASCII character.
 */
static int xen_sysrq_parse(const char *val, unsigned int len)
{
	unsigned char key = len ? val[0] : 0;

	if (!len)
		return 0;
	if (len != 1 || key <= ' ' || key > '~')
		return -EINVAL;
	return key;
}

/*
 * Read control/<node> and, when it is not empty, clear it in the same
 * transaction.  Returns the value (kfree it; *len its length), NULL when
 * there is nothing to do, or an ERR_PTR when xenstore failed.
 */
static char *xen_control_take(const char *node, unsigned int *len)
{
	struct xenbus_transaction xbt;
	unsigned int tries;
	char *val;
	int err;

	for (tries = 0; tries < XEN_MANAGE_TRIES; tries++) {
		err = xenbus_transaction_start(&xbt);
		if (err)
			return ERR_PTR(err);

		val = xenbus_read(xbt, "control", node, len);
		if (IS_ERR(val) || !*len) {
			xenbus_transaction_end(xbt, 1);
			if (!IS_ERR(val)) {
				kfree(val);
				return NULL;
			}
			/* No node: this toolstack sends no such requests. */
			return PTR_ERR(val) == -ENOENT ? NULL : val;
		}

		err = xenbus_write(xbt, "control", node, "");
		if (err) {
			kfree(val);
			xenbus_transaction_end(xbt, 1);
			return ERR_PTR(err);
		}

		err = xenbus_transaction_end(xbt, 0);
		if (!err)
			return val;
		kfree(val);
		if (err != -EAGAIN)
			return ERR_PTR(err);
	}
	return ERR_PTR(-EBUSY);
}

/* Tell the toolstack what we can do; see the comment at the top. */
static void xen_advertise(void)
{
	static const char *const keys[] = {
		"feature-poweroff",
		"feature-reboot",
#ifdef CONFIG_XEN_SAVE_RESTORE
		"feature-suspend",
#endif
#ifdef CONFIG_MAGIC_SYSRQ
		"feature-sysrq",
#endif
	};
	unsigned int i;
	int err;

	for (i = 0; i < ARRAY_SIZE(keys); i++) {
		err = xenbus_write(XBT_NIL, "control", keys[i], "1");
		if (err == -EACCES)
			pr_debug("control/%s not offered by the toolstack\n",
				 keys[i]);
		else if (err)
			pr_warn("cannot write control/%s: %d\n", keys[i], err);
	}
}

#ifdef CONFIG_XEN_SAVE_RESTORE
struct xen_suspend_state {
	int hypercall;		/* what SCHEDOP_shutdown(suspend) returned */
	bool cancelled;		/* we are still the same domain */
};

/*
 * The innermost layer, run by stop_machine() on CPU 0 with interrupts off
 * and every other CPU spinning with its interrupts off too, so nothing can
 * touch an event channel, a grant or the shared info page meanwhile.  It
 * has to be CPU 0: the arch code resumes the other CPUs' ticks itself and
 * leaves CPU 0's to timekeeping's syscore resume, which runs here.
 */
static int xen_suspend_on_cpu0(void *data)
{
	struct xen_suspend_state *st = data;
	int err;

	/* As the PM core does around syscore callbacks. */
	system_state = SYSTEM_SUSPEND;

	err = syscore_suspend();
	if (err) {
		pr_err("suspend: system core suspend failed: %d\n", err);
		/*
		 * xen_arch_suspend() stopped this CPU's tick; the syscore
		 * unwinding restarts it only if timekeeping was reached.
		 */
		tick_resume_local();
		goto out;
	}

	err = gnttab_suspend();
	if (err) {
		pr_err("suspend: grant table suspend failed: %d\n", err);
		syscore_resume();
		goto out;
	}

	/* Keep the vCPU run times: a new domain counts from zero. */
	xen_manage_runstate_time(-1);
	/* Pin page tables, turn the start_info MFNs into PFNs, drop shinfo. */
	xen_arch_pre_suspend();

	st->hypercall = HYPERVISOR_suspend(xen_pv_domain() ?
					   virt_to_gfn(xen_start_info) : 0);
	/* A failed hypercall left us where we were, like a cancel. */
	st->cancelled = st->hypercall != 0;

	/* Shared info, P2M list, vCPUs and time area back, for either case. */
	xen_arch_post_suspend(st->cancelled);
	xen_manage_runstate_time(st->cancelled ? 1 : 0);

	/*
	 * The grant frames were unmapped above; without them any grant
	 * access faults, so there is no sensible way on.
	 */
	err = gnttab_resume();
	if (err)
		panic("xen-manage: grant table lost across suspend: %d\n", err);

	if (!st->cancelled) {
		/* New domain: bind every VIRQ and IPI to new channels ... */
		xen_irq_resume();
		/* ... and stop the periodic timers Xen gives a new vCPU. */
		xen_timer_resume();
	}

	/* Timekeeping, this CPU's tick and the early-resume IRQs. */
	syscore_resume();
out:
	system_state = SYSTEM_RUNNING;
	return err;
}

/*
 * xen_arch_suspend() shuts down every CPU's tick device with a cross-CPU
 * call, and only the resume starts them again.  A CPU that sat idle with
 * its tick stopped (NO_HZ) and leaves idle in between, as every CPU does
 * when stop_machine() wakes it, restarts its tick on the shut-down device,
 * which the clockevents core rightly warns about.  So, around the suspend,
 * idle CPUs poll instead of stopping their tick: hold_ticks() kicks them
 * and waits (a second at most) until no CPU's tick is stopped any more.
 */
static void xen_suspend_hold_ticks(bool hold)
{
	unsigned long give_up = jiffies + HZ;
	unsigned int cpu;
	bool stopped;

	cpu_idle_poll_ctrl(hold);
	if (!hold)
		return;
	do {
		wake_up_all_idle_cpus();
		usleep_range(100, 200);
		stopped = false;
		for_each_online_cpu(cpu)
			stopped |= tick_nohz_tick_stopped_cpu(cpu);
	} while (stopped && time_before(jiffies, give_up));
	if (stopped)
		pr_warn("suspend: a CPU still has its tick stopped\n");
}

/*
 * The whole suspend, in the xenbus watch thread.  The layers, outermost
 * first, and why each sits where it does:
 *
 *  1. lock_system_sleep(): no system sleep started from /sys/power meanwhile.
 *  2. Freeze user space, then freezable kernel threads, so nothing new is
 *     submitted to the devices.  The xenbus threads are not freezable,
 *     which is what lets xenstore keep working down to step 4.
 *  3. dpm_suspend_start(PMSG_FREEZE): the frontends quiesce their rings;
 *     they may still use xenstore to do so.
 *  4. xs_suspend(): wait for the last xenstore transaction to finish and
 *     hold off new requests.  It must come before step 5, which masks the
 *     xenbus interrupt that carries xenstore's replies.
 *  5. dpm_suspend_end(PMSG_FREEZE): late and noirq phases; device
 *     interrupts are off from here on.
 *  6. xen_arch_suspend(): stop the PMU and the ticks of all CPUs; it uses
 *     cross-CPU calls, so it cannot run inside stop_machine().  Idle CPUs
 *     poll meanwhile (xen_suspend_hold_ticks()).
 *  7. stop_machine(): xen_suspend_on_cpu0().
 *
 * and back, innermost first:
 *
 *  7'. xen_arch_resume(): the other CPUs' ticks and PMUs (cross-CPU calls
 *      again, so only once stop_machine() is over).  Always, as it pairs
 *      with step 6.
 *      After a real resume: xen_console_resume() (hvc0 onto its new ring
 *      and channel), so what follows is seen.
 *  5'. dpm_resume_start(): noirq and early phases; device interrupts, the
 *      xenbus one among them, are unmasked.
 *  4'. xs_resume() after a real resume: new ring and channel, and every
 *      watch registered again (which needs the interrupt of step 5'); or
 *      xs_suspend_cancel() when we stayed in the same domain.
 *  3'. dpm_resume_end(): frontends reconnect (through xenstore, hence
 *      after step 4').  PMSG_RESTORE after a real resume, PMSG_THAW after
 *      a cancelled one, PMSG_RECOVER when we never got as far.
 *  2'. thaw_processes(): user space and kernel threads run again.
 *  1'. unlock_system_sleep(); then, after a real resume, advertise our
 *      features in the new xenstore directory.
 */
static void xen_do_suspend(void)
{
	struct xen_suspend_state st = { .cancelled = true };
	pm_message_t msg = PMSG_RECOVER;
	unsigned int sleep_flags;
	bool resumed = false;
	int err;

	sleep_flags = lock_system_sleep();

	err = freeze_processes();
	if (err) {
		pr_err("suspend: freezing user space failed: %d\n", err);
		goto out_unlock;
	}
	err = freeze_kernel_threads();
	if (err) {
		pr_err("suspend: freezing kernel threads failed: %d\n", err);
		goto out_thaw;
	}

	err = dpm_suspend_start(PMSG_FREEZE);
	if (err) {
		pr_err("suspend: device freeze failed: %d\n", err);
		goto out_devices;
	}

	xs_suspend();

	err = dpm_suspend_end(PMSG_FREEZE);
	if (err) {
		pr_err("suspend: late device freeze failed: %d\n", err);
		xs_suspend_cancel();
		goto out_devices;
	}

	/* The set of online CPUs must not change from here to 7'. */
	cpus_read_lock();
	xen_suspend_hold_ticks(true);
	xen_arch_suspend();
	err = stop_machine_cpuslocked(xen_suspend_on_cpu0, &st,
				      cpumask_of(0));
	xen_arch_resume();
	xen_suspend_hold_ticks(false);
	cpus_read_unlock();

	/* On err, xen_suspend_on_cpu0() said which step failed. */
	if (!err && !st.cancelled) {
		msg = PMSG_RESTORE;
		resumed = true;
		xen_console_resume();
	} else if (!err) {
		msg = PMSG_THAW;
		if (st.hypercall < 0)
			pr_err("suspend: hypercall failed: %d\n", st.hypercall);
		else
			pr_info("suspend cancelled; running on\n");
	}

	dpm_resume_start(msg);
	if (resumed)
		xs_resume();
	else
		xs_suspend_cancel();
out_devices:
	dpm_resume_end(msg);
out_thaw:
	thaw_processes();
out_unlock:
	unlock_system_sleep(sleep_flags);

	if (resumed) {
		pr_info("resumed\n");
		xen_advertise();
	}
}
#else
static void xen_do_suspend(void)
{
	pr_warn("suspend requested, but this kernel cannot save/restore\n");
}
#endif /* CONFIG_XEN_SAVE_RESTORE */

/* Set once a poweroff or reboot is under way; a suspend then makes no sense. */
static bool xen_stopping;

static void xen_shutdown_changed(struct xenbus_watch *watch,
				 const char *path, const char *token)
{
	enum xen_shutdown_action action;
	unsigned int len;
	char *val;

	val = xen_control_take("shutdown", &len);
	if (IS_ERR(val)) {
		pr_warn_ratelimited("cannot take control/shutdown: %ld\n",
				    PTR_ERR(val));
		return;
	}
	if (!val)
		return;
	action = xen_shutdown_parse(val, len);
	if (action == XEN_SHUTDOWN_UNKNOWN)
		pr_warn_ratelimited("ignoring shutdown request \"%*pE\"\n",
				    (int)min(len, 32U), val);
	kfree(val);

	switch (action) {
	case XEN_SHUTDOWN_POWEROFF:
	case XEN_SHUTDOWN_HALT:
		pr_info("powering off at the toolstack's request\n");
		xen_stopping = true;
		orderly_poweroff(false);
		break;
	case XEN_SHUTDOWN_REBOOT:
		pr_info("rebooting at the toolstack's request\n");
		xen_stopping = true;
		orderly_reboot();
		break;
	case XEN_SHUTDOWN_SUSPEND:
		if (xen_stopping)
			pr_warn("suspend refused: already shutting down\n");
		else
			xen_do_suspend();
		break;
	default:
		break;
	}
}

static struct xenbus_watch xen_shutdown_watch = {
	.node = "control/shutdown",
	.callback = xen_shutdown_changed,
};

#ifdef CONFIG_MAGIC_SYSRQ
static void xen_sysrq_changed(struct xenbus_watch *watch,
			      const char *path, const char *token)
{
	unsigned int len;
	char *val;
	int key;

	val = xen_control_take("sysrq", &len);
	if (IS_ERR(val)) {
		pr_warn_ratelimited("cannot take control/sysrq: %ld\n",
				    PTR_ERR(val));
		return;
	}
	if (!val)
		return;
	key = xen_sysrq_parse(val, len);
	kfree(val);
	if (key < 0)
		pr_warn_ratelimited("ignoring malformed sysrq request\n");
	else if (key)
		handle_sysrq(key);
}

static struct xenbus_watch xen_sysrq_watch = {
	.node = "control/sysrq",
	.callback = xen_sysrq_changed,
};
#endif

static void xen_manage_watch(struct xenbus_watch *watch)
{
	int err = register_xenbus_watch(watch);

	if (err)
		pr_err("cannot watch %s: %d\n", watch->node, err);
}

static int xen_manage_xenstore_up(struct notifier_block *nb,
				  unsigned long event, void *data)
{
	xen_manage_watch(&xen_shutdown_watch);
#ifdef CONFIG_MAGIC_SYSRQ
	xen_manage_watch(&xen_sysrq_watch);
#endif
	xen_advertise();
	return NOTIFY_DONE;
}

static struct notifier_block xen_manage_xenstore_nb = {
	.notifier_call = xen_manage_xenstore_up,
};

/**
 * xen_setup_shutdown_event() - start taking requests from the toolstack
 *
 * Watches control/shutdown and control/sysrq as soon as xenstore is up and
 * advertises our control features.  PV domains get this from an initcall;
 * an HVM platform driver may call it once it has found xenstore.  Calls
 * after the first do nothing.
 *
 * Return: 0, or -ENODEV when not running on Xen.
 */
int xen_setup_shutdown_event(void)
{
	static DEFINE_MUTEX(lock);
	static bool done;

	if (!xen_domain())
		return -ENODEV;
	mutex_lock(&lock);
	if (!done) {
		done = true;
		register_xenstore_notifier(&xen_manage_xenstore_nb);
	}
	mutex_unlock(&lock);
	return 0;
}
EXPORT_SYMBOL_GPL(xen_setup_shutdown_event);

static int __init xen_manage_init(void)
{
	if (!xen_pv_domain())
		return -ENODEV;
	return xen_setup_shutdown_event();
}
device_initcall(xen_manage_init);

#if IS_REACHABLE(CONFIG_KUNIT)
#include <kunit/test.h>

#define XEN_TEST_SHUTDOWN(s) xen_shutdown_parse(s, sizeof(s) - 1)

static void xen_manage_test_shutdown_words(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, XEN_TEST_SHUTDOWN(""), XEN_SHUTDOWN_NONE);
	KUNIT_EXPECT_EQ(test, XEN_TEST_SHUTDOWN("poweroff"),
			XEN_SHUTDOWN_POWEROFF);
	KUNIT_EXPECT_EQ(test, XEN_TEST_SHUTDOWN("halt"), XEN_SHUTDOWN_HALT);
	KUNIT_EXPECT_EQ(test, XEN_TEST_SHUTDOWN("reboot"), XEN_SHUTDOWN_REBOOT);
	KUNIT_EXPECT_EQ(test, XEN_TEST_SHUTDOWN("suspend"),
			XEN_SHUTDOWN_SUSPEND);
}

static void xen_manage_test_shutdown_junk(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, XEN_TEST_SHUTDOWN("crash"), XEN_SHUTDOWN_UNKNOWN);
	KUNIT_EXPECT_EQ(test, XEN_TEST_SHUTDOWN("Reboot"),
			XEN_SHUTDOWN_UNKNOWN);
	KUNIT_EXPECT_EQ(test, XEN_TEST_SHUTDOWN("rebootx"),
			XEN_SHUTDOWN_UNKNOWN);
	KUNIT_EXPECT_EQ(test, XEN_TEST_SHUTDOWN("reboo"), XEN_SHUTDOWN_UNKNOWN);
	KUNIT_EXPECT_EQ(test, XEN_TEST_SHUTDOWN("reboot\0x"),
			XEN_SHUTDOWN_UNKNOWN);
	KUNIT_EXPECT_EQ(test, XEN_TEST_SHUTDOWN("halt\n"),
			XEN_SHUTDOWN_UNKNOWN);
	KUNIT_EXPECT_EQ(test, XEN_TEST_SHUTDOWN("\0"), XEN_SHUTDOWN_UNKNOWN);
}

static void xen_manage_test_sysrq(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, xen_sysrq_parse("", 0), 0);
	KUNIT_EXPECT_EQ(test, xen_sysrq_parse("b", 1), 'b');
	KUNIT_EXPECT_EQ(test, xen_sysrq_parse("!", 1), '!');
	KUNIT_EXPECT_EQ(test, xen_sysrq_parse("~", 1), '~');
	KUNIT_EXPECT_EQ(test, xen_sysrq_parse("bs", 2), -EINVAL);
	KUNIT_EXPECT_EQ(test, xen_sysrq_parse("b\0", 2), -EINVAL);
	KUNIT_EXPECT_EQ(test, xen_sysrq_parse(" ", 1), -EINVAL);
	KUNIT_EXPECT_EQ(test, xen_sysrq_parse("\n", 1), -EINVAL);
	KUNIT_EXPECT_EQ(test, xen_sysrq_parse("\0", 1), -EINVAL);
	KUNIT_EXPECT_EQ(test, xen_sysrq_parse("\x7f", 1), -EINVAL);
	KUNIT_EXPECT_EQ(test, xen_sysrq_parse("\xe9", 1), -EINVAL);
}

static struct kunit_case xen_manage_test_cases[] = {
	KUNIT_CASE(xen_manage_test_shutdown_words),
	KUNIT_CASE(xen_manage_test_shutdown_junk),
	KUNIT_CASE(xen_manage_test_sysrq),
	{}
};

static struct kunit_suite xen_manage_test_suite = {
	.name = "xen-manage",
	.test_cases = xen_manage_test_cases,
};

kunit_test_suite(xen_manage_test_suite);
#endif /* IS_REACHABLE(CONFIG_KUNIT) */
