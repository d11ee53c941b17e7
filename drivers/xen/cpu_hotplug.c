// SPDX-License-Identifier: GPL-2.0
/*
 * cpu_hotplug.c - vCPUs that come and go at the toolstack's word.
 *
 * "xl vcpu-set DOMAIN N" never touches a running guest's CPUs itself.  For
 * each vCPU the domain may have (0 up to maxvcpus - 1) it writes
 *
 *	cpu/<n>/availability = "online" | "offline"
 *
 * in the domain's own xenstore directory (the toolstack also writes them
 * all when it builds the domain) and leaves the guest to follow.  We watch
 * the "cpu" subtree and do, for vCPU n:
 *
 *   offline   take it down through the driver core (device_offline(), as a
 *             write of 0 to its sysfs "online" file would), then drop its
 *             CPU device and clear it from cpu_present_mask: while the
 *             toolstack says no, nobody can bring it back by hand;
 *   online    if we had dropped it: register its CPU device again, mark
 *             it present and bring it up (device_online()).  A vCPU that
 *             is present but offline was taken down through sysfs by
 *             someone else; that stays their call and we leave it.
 *
 * CPUs the driver core cannot hot-unplug (the boot CPU) are never taken
 * down.  All of it runs under lock_device_hotplug(), the lock sysfs takes
 * for the same operations, so a watch event and a sysfs write never cross.
 * A key that is missing is no instruction (a vCPU the toolstack says
 * nothing about keeps its state); a value that is neither word is
 * reported and ignored.
 *
 * When: a late initcall registers a xenstore notifier; once xenstore is
 * up, the watch is set and every possible vCPU's key is read once, so a
 * domain started with maxvcpus above vcpus boots every vCPU and sheds the
 * extra ones there.  Watches survive save/restore and migration (xenbus
 * re-registers them), and the firing each registration brings names the
 * "cpu" node itself, which names no vCPU.
 *
 * PV guests only: that is the only guest type this port runs as.
 */

#define pr_fmt(fmt) "xen-vcpu: " fmt

#include <linux/cpu.h>
#include <linux/cpumask.h>
#include <linux/device.h>
#include <linux/init.h>
#include <linux/kernel.h>
#include <linux/notifier.h>
#include <linux/slab.h>
#include <linux/string.h>

#include <asm/xen/hypervisor.h>

#include <xen/xen.h>
#include <xen/xenbus.h>

enum vcpu_word { VCPU_NO_WORD, VCPU_ONLINE, VCPU_OFFLINE };

/* What the toolstack wants for @cpu, from cpu/<cpu>/availability. */
static enum vcpu_word vcpu_wanted(unsigned int cpu)
{
	enum vcpu_word word = VCPU_NO_WORD;
	char dir[24];
	char *val;

	snprintf(dir, sizeof(dir), "cpu/%u", cpu);
	val = xenbus_read(XBT_NIL, dir, "availability", NULL);
	if (IS_ERR(val))
		return VCPU_NO_WORD;	/* no key: nothing asked */

	if (!strcmp(val, "online"))
		word = VCPU_ONLINE;
	else if (!strcmp(val, "offline"))
		word = VCPU_OFFLINE;
	else
		pr_warn("cpu %u: availability \"%.16s\" is neither online nor offline\n",
			cpu, val);
	kfree(val);
	return word;
}

/* Called with the device hotplug lock held. */
static void vcpu_take_down(unsigned int cpu)
{
	int err;

	if (!cpu_present(cpu) || !cpu_is_hotpluggable(cpu))
		return;
	if (cpu_online(cpu)) {
		err = device_offline(get_cpu_device(cpu));
		if (err < 0) {
			pr_warn("cpu %u: cannot take it offline (%d)\n", cpu, err);
			return;
		}
	}
	if (cpu_online(cpu))
		return;
	arch_unregister_cpu(cpu);
	set_cpu_present(cpu, false);
	pr_info("cpu %u removed at the toolstack's request\n", cpu);
}

/* Called with the device hotplug lock held. */
static void vcpu_bring_back(unsigned int cpu)
{
	struct device *dev;
	int err;

	if (cpu_present(cpu))
		return;		/* ours to keep, or someone's sysfs choice */
	arch_register_cpu(cpu);
	set_cpu_present(cpu, true);

	dev = get_cpu_device(cpu);
	err = dev ? device_online(dev) : -ENODEV;
	if (err < 0)
		pr_warn("cpu %u: present again, but cannot bring it online (%d)\n",
			cpu, err);
	else
		pr_info("cpu %u back at the toolstack's request\n", cpu);
}

static void vcpu_follow(unsigned int cpu)
{
	enum vcpu_word word;

	if (cpu >= nr_cpu_ids || !cpu_possible(cpu))
		return;		/* beyond what this kernel can run */

	word = vcpu_wanted(cpu);
	if (word == VCPU_NO_WORD)
		return;

	lock_device_hotplug();
	if (word == VCPU_OFFLINE)
		vcpu_take_down(cpu);
	else
		vcpu_bring_back(cpu);
	unlock_device_hotplug();
}

/* Paths look like "cpu/3/availability" (or "cpu/3"); "cpu" alone is none. */
static void vcpu_watch_fired(struct xenbus_watch *watch, const char *path,
			     const char *token)
{
	char num[12];
	unsigned int cpu;
	size_t len;

	if (!str_has_prefix(path, "cpu/"))
		return;
	path += strlen("cpu/");
	len = strcspn(path, "/");
	if (!len || len >= sizeof(num))
		return;
	memcpy(num, path, len);
	num[len] = '\0';
	if (kstrtouint(num, 10, &cpu))
		return;
	vcpu_follow(cpu);
}

static struct xenbus_watch vcpu_watch = {
	.node = "cpu",
	.callback = vcpu_watch_fired,
};

static int vcpu_xenstore_up(struct notifier_block *nb, unsigned long event,
			    void *data)
{
	unsigned int cpu;
	int err;

	err = register_xenbus_watch(&vcpu_watch);
	if (err)
		pr_err("cannot watch cpu/ in xenstore (%d): xl vcpu-set will go unheard\n",
		       err);

	for_each_possible_cpu(cpu)
		vcpu_follow(cpu);
	return NOTIFY_DONE;
}

static struct notifier_block vcpu_xenstore_nb = {
	.notifier_call = vcpu_xenstore_up,
};

static int __init xen_vcpu_hotplug_init(void)
{
	if (!xen_pv_domain())
		return -ENODEV;
	register_xenstore_notifier(&vcpu_xenstore_nb);
	return 0;
}
late_initcall(xen_vcpu_hotplug_init);
