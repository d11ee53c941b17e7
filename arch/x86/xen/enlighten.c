// SPDX-License-Identifier: GPL-2.0
/*
 * enlighten.c - the state a Xen PV guest's parts share, and the few
 * services built on it that are not the CPU's or the MMU's.
 *
 * What lives here:
 *
 *  - the hypercall static call.  A 64-bit PV kernel enters Xen with the
 *    syscall instruction (xen_hypercall_pv in xen-asm.S); the static call
 *    targets it from the start, so no hypercall is ever made through an
 *    unset pointer, and nothing has to be patched at boot.  On bare
 *    hardware nothing calls it.
 *  - the start_info page Xen hands the kernel, the shared_info page (a
 *    zeroed stand-in until xen_start_kernel() maps the real one), and
 *    Xen's machine-to-physical table (read-only, at a fixed address).
 *  - each vCPU's vcpu_info.  Xen keeps one for each of the first 32
 *    vCPUs inside shared_info; VCPUOP_register_vcpu_info moves it into
 *    memory of the guest's choosing, here a per-CPU cache line, so that
 *    the irq pv_ops can reach it as %gs:offset.  That move can be made
 *    only once per vCPU and per boot (or restore): Xen has no call to
 *    undo it.  The per-CPU pointer xen_vcpu says where the current copy
 *    is; xen_vcpu_id maps Linux CPU numbers to Xen's vCPU ids (the same
 *    on PV).
 *  - banner, preferred consoles, reboot, panic and vCPU pinning.
 */

#define pr_fmt(fmt) "xen: " fmt

#include <linux/console.h>
#include <linux/cpu.h>
#include <linux/cpuhotplug.h>
#include <linux/export.h>
#include <linux/kexec.h>
#include <linux/notifier.h>
#include <linux/panic.h>
#include <linux/panic_notifier.h>
#include <linux/percpu.h>
#include <linux/static_call.h>

#include <asm/bootparam.h>
#include <asm/setup.h>
#include <asm/xen/events.h>
#include <asm/xen/hypercall.h>
#include <asm/xen/hypervisor.h>

#include <xen/features.h>
#include <xen/interface/sched.h>
#include <xen/interface/vcpu.h>
#include <xen/interface/version.h>
#include <xen/page.h>
#include <xen/xen.h>

#include "xen-ops.h"

DEFINE_STATIC_CALL(xen_hypercall, xen_hypercall_pv);
EXPORT_STATIC_CALL_TRAMP(xen_hypercall);

enum xen_domain_type xen_domain_type __ro_after_init = XEN_NATIVE;
EXPORT_SYMBOL_GPL(xen_domain_type);
u32 xen_start_flags __ro_after_init;
EXPORT_SYMBOL(xen_start_flags);

struct start_info *xen_start_info;
EXPORT_SYMBOL_GPL(xen_start_info);

struct shared_info xen_dummy_shared_info;
struct shared_info *HYPERVISOR_shared_info = &xen_dummy_shared_info;

unsigned long *xen_m2p = (void *)MACH2PHYS_VIRT_START;
EXPORT_SYMBOL(xen_m2p);
unsigned long xen_m2p_size;
EXPORT_SYMBOL(xen_m2p_size);

/* PV guests take events through the upcall, never an IDT vector. */
bool xen_have_vector_callback __read_mostly = true;
EXPORT_SYMBOL_GPL(xen_have_vector_callback);

DEFINE_PER_CPU(struct vcpu_info *, xen_vcpu);
/* One cache line (the struct is 64 bytes), so never across a page. */
DEFINE_PER_CPU_ALIGNED(struct vcpu_info, xen_vcpu_info);
DEFINE_PER_CPU(u32, xen_vcpu_id);
EXPORT_PER_CPU_SYMBOL(xen_vcpu_id);

/**
 * xen_vcpu_info_reset() - point a CPU's xen_vcpu at its shared_info slot
 * @cpu: the CPU
 *
 * Used at boot and after a restore, before the vcpu_info is registered
 * again.  vCPUs past the slots shared_info has get NULL: touching theirs
 * before registration is a bug, and faults at once.
 */
void xen_vcpu_info_reset(int cpu)
{
	u32 id = xen_vcpu_nr(cpu);

	per_cpu(xen_vcpu, cpu) = id < MAX_VIRT_CPUS ?
		&HYPERVISOR_shared_info->vcpu_info[id] : NULL;
}

/**
 * xen_vcpu_setup() - move a CPU's vcpu_info into its per-CPU copy
 * @cpu: the CPU
 *
 * Xen refuses a second registration for the same vCPU, and a guest that
 * cannot use its per-CPU copy has no working interrupt flag: failure is
 * fatal.
 */
void xen_vcpu_setup(int cpu)
{
	struct vcpu_info *mine = &per_cpu(xen_vcpu_info, cpu);
	struct vcpu_register_vcpu_info reg = {
		.mfn = arbitrary_virt_to_mfn(mine),
		.offset = offset_in_page(mine),
	};
	int rc;

	BUILD_BUG_ON(sizeof(*mine) > SMP_CACHE_BYTES);
	if (HYPERVISOR_shared_info == &xen_dummy_shared_info)
		panic("xen: vCPU %d: vcpu_info set up before shared_info\n", cpu);

	rc = HYPERVISOR_vcpu_op(VCPUOP_register_vcpu_info, xen_vcpu_nr(cpu),
				&reg);
	if (rc)
		panic("xen: vCPU %d: cannot register its vcpu_info (%d)\n",
		      cpu, rc);
	per_cpu(xen_vcpu, cpu) = mine;
}

/**
 * xen_vcpu_restore() - register every vCPU's vcpu_info again after a resume
 *
 * A restored domain starts with vcpu_info back in shared_info and every
 * vCPU but this one down.  Xen only takes the registration for a vCPU
 * that is not running, so each other vCPU that is up is briefly taken
 * down around it.
 */
void xen_vcpu_restore(void)
{
	int cpu, self = smp_processor_id();

	for_each_possible_cpu(cpu) {
		u32 id = xen_vcpu_nr(cpu);
		bool bounce;

		if (id == XEN_VCPU_ID_INVALID)
			continue;
		bounce = cpu != self &&
			 HYPERVISOR_vcpu_op(VCPUOP_is_up, id, NULL) > 0;
		if (bounce && HYPERVISOR_vcpu_op(VCPUOP_down, id, NULL))
			panic("xen: cannot stop vCPU %u to restore it\n", id);

		xen_setup_runstate_info(cpu);
		xen_vcpu_info_reset(cpu);
		xen_vcpu_setup(cpu);

		if (bounce && HYPERVISOR_vcpu_op(VCPUOP_up, id, NULL))
			panic("xen: cannot restart vCPU %u\n", id);
	}
}

/* x86_init.oem.banner */
void __init xen_banner(void)
{
	struct xen_extraversion extra = { };
	int v = HYPERVISOR_xen_version(XENVER_version, NULL);

	HYPERVISOR_xen_version(XENVER_extraversion, &extra);
	extra.extraversion[sizeof(extra.extraversion) - 1] = '\0';
	pr_info("Booting kernel on %s\n", pv_info.name);
	pr_info("Xen version: %d.%d%s%s\n", v >> 16, v & 0xffff,
		extra.extraversion,
		xen_feature(XENFEAT_mmu_pt_update_preserve_ad) ?
		" (preserve-AD)" : "");
}

/*
 * The consoles a domU wants: the early xenboot one, a tty if the config
 * has virtual terminals, and hvc0, which as the last one added becomes
 * /dev/console.  (Only dom0 could have a VGA text console to prefer.)
 */
void __init xen_add_preferred_consoles(void)
{
	add_preferred_console("xenboot", 0, NULL);
	add_preferred_console("tty", 0, NULL);
	add_preferred_console("hvc", 0, NULL);
}

/**
 * xen_reboot() - ask Xen to end this domain
 * @reason: SHUTDOWN_poweroff, _reboot or _crash; the toolstack decides
 *          what each means (on_poweroff= and friends in the domain config)
 */
void xen_reboot(int reason)
{
	struct sched_shutdown sd = { .reason = reason };
	int cpu, rc;

	for_each_online_cpu(cpu)
		xen_pmu_finish(cpu);
	rc = HYPERVISOR_sched_op(SCHEDOP_shutdown, &sd);
	/* Only a broken Xen gets here; the caller's fallback takes over. */
	pr_emerg("shutdown (reason %d) refused: %d\n", reason, rc);
}

/* What an emergency restart (and a panic, once noted) asks for. */
static int xen_restart_reason = SHUTDOWN_reboot;
static bool xen_crash_now;

void xen_emergency_restart(void)
{
	xen_reboot(xen_restart_reason);
}

/*
 * On a panic the domain should end as crashed, which lets the toolstack
 * keep a core or restart it per on_crash=.  With xen_legacy_crash on the
 * command line that happens at once, before panic() prints its last words
 * and runs its timeout; otherwise panic() ends as usual and the emergency
 * restart reports the crash.  A kdump kernel, if loaded, gets its turn.
 */
static int xen_on_panic(struct notifier_block *nb, unsigned long ev, void *p)
{
	if (kexec_crash_loaded())
		return NOTIFY_DONE;
	if (xen_crash_now)
		xen_reboot(SHUTDOWN_crash);
	xen_restart_reason = SHUTDOWN_crash;
	/* panic=0 means "wait forever": leave that to the toolstack. */
	if (!panic_timeout)
		panic_timeout = -1;
	return NOTIFY_DONE;
}

static int __init xen_parse_legacy_crash(char *arg)
{
	xen_crash_now = true;
	return 0;
}
early_param("xen_legacy_crash", xen_parse_legacy_crash);

static struct notifier_block xen_panic_nb = {
	.notifier_call = xen_on_panic,
	.priority = INT_MIN,	/* after everyone else has had their say */
};

int xen_panic_handler_init(void)
{
	atomic_notifier_chain_register(&panic_notifier_list, &xen_panic_nb);
	return 0;
}

/**
 * xen_pin_vcpu() - keep this vCPU on physical CPU @cpu for a while
 * @cpu: the physical CPU, or a negative number to end the pinning
 *
 * hypervisor_x86.runtime.pin_vcpu, for work that must run on a given
 * physical CPU (only dom0 has any).  An unprivileged domain is refused;
 * after the first refusal of that kind the call is not tried again.
 */
void xen_pin_vcpu(int cpu)
{
	static bool give_up;
	struct sched_pin_override pin = { .pcpu = cpu };
	int rc;

	if (give_up)
		return;
	rc = HYPERVISOR_sched_op(SCHEDOP_pin_override, &pin);
	if (cpu < 0 || !rc)
		return;
	if (rc == -EINVAL || rc == -EBUSY) {
		pr_warn("physical CPU %d cannot be pinned to now\n", cpu);
		return;
	}
	pr_warn("vCPU pinning unavailable (%d); not trying again\n", rc);
	give_up = true;
}

/*
 * CPU hotplug states every Xen guest wants: @prepare and @dead bracket
 * a vCPU's life (timers, IPIs), and once online the vCPU joins the PV
 * spinlock's kick channel.
 */
static int xen_cpu_online(unsigned int cpu)
{
	xen_init_lock_cpu(cpu);
	return 0;
}

int xen_cpuhp_setup(int (*prepare)(unsigned int), int (*dead)(unsigned int))
{
	int rc;

	rc = cpuhp_setup_state_nocalls(CPUHP_XEN_PREPARE,
				       "x86/xen/guest:prepare", prepare, dead);
	if (rc < 0)
		return rc;
	rc = cpuhp_setup_state_nocalls(CPUHP_AP_ONLINE_DYN,
				       "x86/xen/guest:online",
				       xen_cpu_online, NULL);
	if (rc < 0) {
		cpuhp_remove_state_nocalls(CPUHP_XEN_PREPARE);
		return rc;
	}
	return 0;
}
