// SPDX-License-Identifier: GPL-2.0
/*
 * xen-balloon.c - how the toolstack and the administrator reach the balloon.
 *
 * The toolstack says how much memory the domain should have by writing
 * memory/target in the domain's xenstore directory, in KiB as a decimal
 * number (xl mem-set; xl create writes it first, equal to the domain's
 * memory=).  We watch that key once xenstore is up; the watch fires at once
 * and on every change.  The value comes from outside the guest, so it is
 * parsed strictly: anything but a plain decimal that fits is logged (once
 * until a good value comes) and ignored.  balloon.c clamps what is left to
 * what the domain can hold.  memory/static-max (the toolstack's maxmem) is
 * not needed: for a PV domain the extra pfn space the setup code reserved
 * already is that limit, and Xen enforces its own.
 *
 * The sysfs tree tools and people look at lives under
 * /sys/devices/system/xen_memory/xen_memory0/:
 *   target_kb, target        the target, in KiB / in bytes (writable by
 *                            root; target takes K/M/G suffixes)
 *   schedule_delay,          the current back-off in seconds, and its cap
 *   max_schedule_delay
 *   retry_count,             refusals in a row, and how many before the
 *   max_retry_count          balloon waits for a new target (0: never)
 *   scrub_pages              zero pages before they go back to Xen
 *   info/current_kb          what the domain holds now
 *   info/low_kb, high_kb     what the balloon holds empty
 */

#define pr_fmt(fmt) "xen-balloon: " fmt

#include <linux/capability.h>
#include <linux/device.h>
#include <linux/init.h>
#include <linux/kernel.h>
#include <linux/kstrtox.h>
#include <linux/slab.h>
#include <linux/string.h>

#include <xen/balloon.h>
#include <xen/mem-reservation.h>
#include <xen/xenbus.h>

#define XB_PAGES_TO_KB(p)	((unsigned long long)(p) << (PAGE_SHIFT - 10))

/*
 * A memory/target value, KiB in decimal (a trailing newline is allowed),
 * to pages.  0, or -EINVAL / -ERANGE for anything else.
 */
static int xb_parse_target(const char *val, unsigned long *pages)
{
	unsigned long long kib;
	int err = kstrtoull(val, 10, &kib);

	if (err)
		return err;
	*pages = kib >> (PAGE_SHIFT - 10);
	return 0;
}

static void xb_target_changed(struct xenbus_watch *watch, const char *path,
			      const char *token)
{
	static bool complained;
	unsigned long pages;
	unsigned int len;
	char *val;

	val = xenbus_read(XBT_NIL, "memory", "target", &len);
	if (IS_ERR(val))
		return;	/* no target (yet): nothing to do */
	if (xb_parse_target(val, &pages)) {
		if (!complained)
			pr_warn("ignoring memory/target \"%*pE\": not KiB\n",
				(int)min(len, 40U), val);
		complained = true;
	} else {
		complained = false;
		balloon_set_new_target(pages);
	}
	kfree(val);
}

static struct xenbus_watch xb_target_watch = {
	.node = "memory/target",
	.callback = xb_target_changed,
};

static int xb_xenstore_up(struct notifier_block *nb, unsigned long event,
			  void *data)
{
	int err = register_xenbus_watch(&xb_target_watch);

	if (err)
		pr_err("cannot watch memory/target: %d\n", err);
	return NOTIFY_DONE;
}

static struct notifier_block xb_xenstore_nb = {
	.notifier_call = xb_xenstore_up,
};

/* --- sysfs --- */

static ssize_t target_kb_show(struct device *dev,
			      struct device_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%llu\n", XB_PAGES_TO_KB(balloon_stats.target_pages));
}

static ssize_t target_kb_store(struct device *dev,
			       struct device_attribute *attr,
			       const char *buf, size_t count)
{
	unsigned long pages;
	int err;

	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
	err = xb_parse_target(buf, &pages);
	if (err)
		return err;
	balloon_set_new_target(pages);
	return count;
}
static DEVICE_ATTR_RW(target_kb);

static ssize_t target_show(struct device *dev, struct device_attribute *attr,
			   char *buf)
{
	return sysfs_emit(buf, "%llu\n",
			  (unsigned long long)balloon_stats.target_pages << PAGE_SHIFT);
}

static ssize_t target_store(struct device *dev, struct device_attribute *attr,
			    const char *buf, size_t count)
{
	unsigned long long bytes;
	char *end;

	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
	bytes = memparse(buf, &end);
	if (end == buf || (*end && strcmp(end, "\n")))
		return -EINVAL;
	balloon_set_new_target(bytes >> PAGE_SHIFT);
	return count;
}
static DEVICE_ATTR_RW(target);

static ssize_t current_kb_show(struct device *dev,
			       struct device_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%llu\n", XB_PAGES_TO_KB(balloon_stats.current_pages));
}
static DEVICE_ATTR_RO(current_kb);

static ssize_t low_kb_show(struct device *dev, struct device_attribute *attr,
			   char *buf)
{
	return sysfs_emit(buf, "%llu\n", XB_PAGES_TO_KB(balloon_stats.balloon_low));
}
static DEVICE_ATTR_RO(low_kb);

static ssize_t high_kb_show(struct device *dev, struct device_attribute *attr,
			    char *buf)
{
	return sysfs_emit(buf, "%llu\n", XB_PAGES_TO_KB(balloon_stats.balloon_high));
}
static DEVICE_ATTR_RO(high_kb);

static DEVICE_ULONG_ATTR(schedule_delay, 0444, balloon_stats.schedule_delay);
static DEVICE_ULONG_ATTR(max_schedule_delay, 0644,
			 balloon_stats.max_schedule_delay);
static DEVICE_ULONG_ATTR(retry_count, 0444, balloon_stats.retry_count);
static DEVICE_ULONG_ATTR(max_retry_count, 0644, balloon_stats.max_retry_count);
static DEVICE_BOOL_ATTR(scrub_pages, 0644, xen_scrub_pages);

static struct attribute *xb_attrs[] = {
	&dev_attr_target_kb.attr,
	&dev_attr_target.attr,
	&dev_attr_scrub_pages.attr.attr,
	&dev_attr_retry_count.attr.attr,
	&dev_attr_max_retry_count.attr.attr,
	&dev_attr_schedule_delay.attr.attr,
	&dev_attr_max_schedule_delay.attr.attr,
	NULL
};

static struct attribute *xb_info_attrs[] = {
	&dev_attr_current_kb.attr,
	&dev_attr_low_kb.attr,
	&dev_attr_high_kb.attr,
	NULL
};

static const struct attribute_group xb_group = { .attrs = xb_attrs };

static const struct attribute_group xb_info_group = {
	.name = "info",
	.attrs = xb_info_attrs,
};

static const struct attribute_group *xb_groups[] = {
	&xb_group, &xb_info_group, NULL
};

static const struct bus_type xb_subsys = {
	.name = "xen_memory",
	.dev_name = "xen_memory",
};

static struct device xb_dev = {
	.id = 0,
	.bus = &xb_subsys,
	.groups = xb_groups,
};

/**
 * xen_balloon_init - publish the balloon in sysfs and follow memory/target
 *
 * Called once by balloon.c when the balloon is ready for targets.
 */
void xen_balloon_init(void)
{
	int err = subsys_system_register(&xb_subsys, NULL);

	if (!err) {
		err = device_register(&xb_dev);
		if (err)
			bus_unregister(&xb_subsys);
	}
	if (err)
		pr_err("no sysfs tree: %d\n", err);
	register_xenstore_notifier(&xb_xenstore_nb);
}
EXPORT_SYMBOL_GPL(xen_balloon_init);

#if IS_REACHABLE(CONFIG_KUNIT)
#include <kunit/test.h>

static void xb_test_parse(struct kunit *test)
{
	unsigned long pages = 7;

	KUNIT_EXPECT_EQ(test, xb_parse_target("524288", &pages), 0);
	KUNIT_EXPECT_EQ(test, pages, 524288UL >> (PAGE_SHIFT - 10));
	KUNIT_EXPECT_EQ(test, xb_parse_target("1023\n", &pages), 0);
	KUNIT_EXPECT_EQ(test, pages, 1023UL >> (PAGE_SHIFT - 10));
	KUNIT_EXPECT_EQ(test, xb_parse_target("0", &pages), 0);
	KUNIT_EXPECT_EQ(test, pages, 0UL);

	/* Garbage is refused and leaves the result alone. */
	pages = 7;
	KUNIT_EXPECT_EQ(test, xb_parse_target("", &pages), -EINVAL);
	KUNIT_EXPECT_EQ(test, xb_parse_target("12abc", &pages), -EINVAL);
	KUNIT_EXPECT_EQ(test, xb_parse_target("-4096", &pages), -EINVAL);
	KUNIT_EXPECT_EQ(test, xb_parse_target(" 4096", &pages), -EINVAL);
	KUNIT_EXPECT_EQ(test, xb_parse_target("4096 4096", &pages), -EINVAL);
	KUNIT_EXPECT_EQ(test, xb_parse_target("0x1000", &pages), -EINVAL);
	KUNIT_EXPECT_EQ(test, xb_parse_target("99999999999999999999999", &pages),
			-ERANGE);
	KUNIT_EXPECT_EQ(test, pages, 7UL);
}

static struct kunit_case xb_test_cases[] = {
	KUNIT_CASE(xb_test_parse),
	{}
};

static struct kunit_suite xb_test_suite = {
	.name = "xen-balloon-target",
	.test_cases = xb_test_cases,
};

kunit_test_suite(xb_test_suite);
#endif /* CONFIG_KUNIT */
