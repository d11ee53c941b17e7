// SPDX-License-Identifier: GPL-2.0
/*
 * smp_pv.c - secondary vCPUs of a PV guest: start, stop, hotplug.
 *
 * A PV guest has no INIT/SIPI.  Its vCPUs exist from domain creation (as
 * many as the domain's maximum, which xen_smp_count_cpus() finds with
 * VCPUOP_is_up) and all but vCPU 0 start down.  To start one, the kernel
 * hands Xen the vCPU's whole register state with VCPUOP_initialise - the
 * entry point and idle stack, this CPU's GDT frame, the virtual IDT, the
 * event and failsafe callbacks, the kernel stack for entries from user
 * mode, the per-CPU GS base and swapper_pg_dir as cr3 - and then calls
 * VCPUOP_up.  The vCPU starts in asm_cpu_bringup_and_idle (xen-head.S),
 * which calls cpu_bringup_and_idle() here.
 *
 * Offlining: the dying CPU reports dead to the hotplug core and calls
 * VCPUOP_down on itself; the control CPU waits until VCPUOP_is_up says the
 * vCPU really stopped before it frees the CPU's channels and timer.  Xen
 * keeps a downed vCPU's state, so onlining it again needs only VCPUOP_up:
 * the vCPU returns from its VCPUOP_down and starts over through
 * xen_cpu_bringup_again() on a fresh idle stack.  xen_cpu_initialized_map
 * says which vCPUs hold a context from us; after a restore only the online
 * ones do (suspend_pv.c), so the others get VCPUOP_initialise again.
 *
 * There is no topology to tell: each vCPU is a package of its own, with
 * APIC ID = CPU number.  IPIs are event channels (smp.c); this file adds
 * the irq_work one.
 */

#define pr_fmt(fmt) "xen-smp: " fmt

#include <linux/cpu.h>
#include <linux/cpuhotplug.h>
#include <linux/cpumask.h>
#include <linux/delay.h>
#include <linux/interrupt.h>
#include <linux/irq_work.h>
#include <linux/jiffies.h>
#include <linux/mm.h>
#include <linux/nmi.h>
#include <linux/percpu.h>
#include <linux/sched.h>
#include <linux/sched/task_stack.h>
#include <linux/slab.h>
#include <linux/smp.h>
#include <linux/string.h>
#include <linux/vmalloc.h>

#include <asm/apic.h>
#include <asm/cpu.h>
#include <asm/desc.h>
#include <asm/fpu/api.h>
#include <asm/hardirq.h>
#include <asm/idtentry.h>
#include <asm/processor.h>
#include <asm/smp.h>
#include <asm/spec-ctrl.h>
#include <asm/topology.h>
#include <asm/xen/hypercall.h>
#include <asm/xen/page.h>

#include <xen/events.h>
#include <xen/features.h>
#include <xen/interface/sched.h>
#include <xen/interface/vcpu.h>
#include <xen/interface/xen.h>
#include <xen/xen-ops.h>
#include <xen/xen.h>

#include "xen-ops.h"

/* vCPUs whose register state we have given Xen (VCPUOP_initialise). */
cpumask_var_t xen_cpu_initialized_map;

/* ---- the irq_work IPI (the only PV-only one) ---- */

struct xen_irq_work_ipi {
	int irq;		/* -1: not bound */
	char name[16];		/* "irqwork<cpu>", kept for request_irq() */
};

static DEFINE_PER_CPU(struct xen_irq_work_ipi, xen_irq_work_ipi) = {
	.irq = -1,
};

static irqreturn_t xen_irq_work_interrupt(int irq, void *dev_id)
{
	irq_work_run();
	inc_irq_stat(apic_irq_work_irqs);
	return IRQ_HANDLED;
}

/**
 * xen_smp_intr_init_pv() - bind a CPU's irq_work IPI channel
 * @cpu: the CPU, not yet running (or the boot CPU)
 *
 * No PMU VIRQ is bound: this port offers no virtual PMU (see pmu.c).
 *
 * Return: 0 or a negative errno.
 */
int xen_smp_intr_init_pv(unsigned int cpu)
{
	struct xen_irq_work_ipi *w = per_cpu_ptr(&xen_irq_work_ipi, cpu);
	int irq;

	if (w->irq >= 0)
		return 0;
	snprintf(w->name, sizeof(w->name), "irqwork%u", cpu);
	irq = bind_ipi_to_irqhandler(XEN_IRQ_WORK_VECTOR, cpu,
				     xen_irq_work_interrupt,
				     IRQF_PERCPU | IRQF_NOBALANCING, w->name,
				     NULL);
	if (irq < 0) {
		pr_err("CPU%u: cannot bind irqwork: %d\n", cpu, irq);
		return irq;
	}
	w->irq = irq;
	return 0;
}

/**
 * xen_smp_intr_free_pv() - close a dead CPU's irq_work IPI channel
 * @cpu: the CPU
 *
 * Safe to call again, or if it was never bound.
 */
void xen_smp_intr_free_pv(unsigned int cpu)
{
	struct xen_irq_work_ipi *w = per_cpu_ptr(&xen_irq_work_ipi, cpu);

	if (w->irq < 0)
		return;
	unbind_from_irqhandler(w->irq, NULL);
	w->irq = -1;
}

/* ---- on the new CPU ---- */

/*
 * The PV counterpart of the native start_secondary(), minus what Xen does
 * for us: the IDT, TSS stack and GDT were in the context Xen loaded, and
 * there is no local APIC, microcode or TSC synchronisation to do.
 */
static void xen_pv_secondary_start(void)
{
	int cpu;

	cr4_init();
	/* The control CPU lets us go on from here. */
	cpuhp_ap_sync_alive();

	cpu_init();
	fpu__init_cpu();
	/* System calls enter through Xen: tell it where, for this vCPU. */
	xen_enable_syscall();
	xen_enable_sysenter();

	cpu = smp_processor_id();
	smp_store_cpu_info(cpu);
	set_cpu_sibling_map(cpu);
	speculative_store_bypass_ht_init();
	/* Its soft lockup detector counts from now, not from its last life. */
	touch_softlockup_watchdog();

	/* xen_setup_timer() bound the timer VIRQ before we were started. */
	xen_setup_cpu_clockevents();

	notify_cpu_starting(cpu);
	set_cpu_online(cpu, true);
	/* Online before the first interrupt can find us. */
	smp_mb();
}

/*
 * Entered from xen-head.S, on the idle task's stack, with events masked;
 * does not return.
 */
asmlinkage __visible void cpu_bringup_and_idle(void)
{
	xen_pv_secondary_start();
	local_irq_enable();
	cpu_startup_entry(CPUHP_AP_ONLINE_IDLE);
}

/* ---- on the control CPU ---- */

/*
 * Xen maps a GDT only from frames that no writable mapping reaches: write
 * protect this CPU's GDT page, through its per-CPU address and, if that
 * is not the direct map, through the direct map too.
 */
static int xen_pv_protect_gdt(unsigned int cpu, unsigned long *mfn)
{
	struct desc_struct *gdt = get_cpu_gdt_rw(cpu);

	if (!PAGE_ALIGNED(gdt)) {
		pr_err("CPU%u: GDT is not page aligned\n", cpu);
		return -EINVAL;
	}
	*mfn = arbitrary_virt_to_mfn(gdt);
	make_lowmem_page_readonly(gdt);
	if (is_vmalloc_addr(gdt))
		make_lowmem_page_readonly(page_address(vmalloc_to_page(gdt)));
	return 0;
}

/* VCPUOP_initialise: the state @cpu starts in, on @idle's stack. */
static int xen_pv_load_context(unsigned int cpu, struct task_struct *idle)
{
	struct vcpu_guest_context *ctx;
	unsigned long gdt_mfn;
	int rc;

	if (cpumask_test_cpu(cpu, xen_cpu_initialized_map))
		return 0;	/* Xen still has the state it was downed in */

	rc = xen_pv_protect_gdt(cpu, &gdt_mfn);
	if (rc)
		return rc;
	ctx = kzalloc(sizeof(*ctx), GFP_KERNEL);
	if (!ctx)
		return -ENOMEM;

	/* Kernel mode, virtual IOPL 1 as on the boot vCPU, events masked. */
	ctx->flags = VGCF_IN_KERNEL;
	ctx->user_regs.rflags = 1UL << X86_EFLAGS_IOPL_BIT;
	ctx->user_regs.rip = (unsigned long)asm_cpu_bringup_and_idle;
	/* Where pt_regs would sit on a kernel entry: the top of the stack. */
	ctx->user_regs.rsp = (unsigned long)task_pt_regs(idle);
	ctx->user_regs.cs = __KERNEL_CS;
	ctx->user_regs.ss = __KERNEL_DS;
	ctx->user_regs.ds = __USER_DS;
	ctx->user_regs.es = __USER_DS;

	xen_copy_trap_info(ctx->trap_ctxt);
	ctx->gdt_frames[0] = gdt_mfn;
	ctx->gdt_ents = GDT_ENTRIES;

	/* The stack Xen switches to on an entry from user mode. */
	ctx->kernel_ss = __KERNEL_DS;
	ctx->kernel_sp = task_top_of_stack(idle);

	ctx->event_callback_eip =
		(unsigned long)xen_asm_exc_xen_hypervisor_callback;
	ctx->failsafe_callback_eip = (unsigned long)xen_failsafe_callback;
	ctx->gs_base_kernel = per_cpu_offset(cpu);

	per_cpu(xen_cr3, cpu) = __pa(swapper_pg_dir);
	ctx->ctrlreg[3] = xen_pfn_to_cr3(virt_to_gfn(swapper_pg_dir));

	rc = HYPERVISOR_vcpu_op(VCPUOP_initialise, xen_vcpu_nr(cpu), ctx);
	kfree(ctx);
	if (rc) {
		pr_err("CPU%u: Xen refused its initial state: %d\n", cpu, rc);
		return rc;
	}
	cpumask_set_cpu(cpu, xen_cpu_initialized_map);
	return 0;
}

/* smp_ops.kick_ap_alive: start @cpu's vCPU; it then syncs with the core. */
static int xen_pv_start_vcpu(unsigned int cpu, struct task_struct *idle)
{
	struct vcpu_info *vcpu = per_cpu(xen_vcpu, cpu);
	int rc;

	if (!vcpu) {
		pr_err("CPU%u: no vcpu_info, cannot start it\n", cpu);
		return -ENODEV;
	}
	rc = common_cpu_up(cpu, idle);
	if (rc)
		return rc;

	xen_setup_runstate_info(cpu);
	/* Its first instructions run with events masked. */
	vcpu->evtchn_upcall_mask = 1;

	rc = xen_pv_load_context(cpu, idle);
	if (rc)
		return rc;
	xen_pmu_init(cpu);

	rc = HYPERVISOR_vcpu_op(VCPUOP_up, xen_vcpu_nr(cpu), NULL);
	if (rc) {
		pr_err("CPU%u: VCPUOP_up failed: %d\n", cpu, rc);
		xen_pmu_finish(cpu);
		return rc;
	}
	return 0;
}

/* While we wait for the new vCPU, let Xen run it. */
static void xen_pv_yield_to_ap(void)
{
	HYPERVISOR_sched_op(SCHEDOP_yield, NULL);
}

/* smp_ops.cpu_disable, on the CPU going away. */
static int xen_pv_going_offline(void)
{
	if (smp_processor_id() == 0)
		return -EBUSY;

	cpu_disable_common();
	/* Hold no user page table while down: it may be freed meanwhile. */
	load_cr3(swapper_pg_dir);
	return 0;
}

/* smp_ops.play_dead: report dead, stop; VCPUOP_up starts us over. */
static void __noreturn xen_pv_stop_this_vcpu(void)
{
	unsigned int cpu = smp_processor_id();
	int rc;

	play_dead_common();
	/* Returns only once VCPUOP_up has started the vCPU again. */
	while ((rc = HYPERVISOR_vcpu_op(VCPUOP_down, xen_vcpu_nr(cpu), NULL))) {
		pr_err_once("CPU%u: VCPUOP_down failed: %d\n", cpu, rc);
		HYPERVISOR_sched_op(SCHEDOP_yield, NULL);
	}
	xen_cpu_bringup_again((unsigned long)task_pt_regs(current));
}

/*
 * smp_ops.cpu_die: the dying CPU reported dead just before its own
 * VCPUOP_down; wait for that, since its channels and timer go next.
 */
static void xen_pv_wait_vcpu_down(unsigned int cpu)
{
	unsigned long deadline = jiffies + 10 * HZ;
	bool warned = false;
	int rc;

	while ((rc = HYPERVISOR_vcpu_op(VCPUOP_is_up, xen_vcpu_nr(cpu),
					NULL)) > 0) {
		if (!warned && time_after(jiffies, deadline)) {
			pr_warn("CPU%u: vCPU still up 10 s after going offline\n",
				cpu);
			warned = true;
		}
		schedule_timeout_uninterruptible(1);
	}
	if (rc < 0)
		pr_err("CPU%u: VCPUOP_is_up failed: %d\n", cpu, rc);
}

/* smp_ops.cleanup_dead_cpu: what only a running CPU needed. */
static void xen_pv_free_dead_cpu(unsigned int cpu)
{
	xen_smp_intr_free(cpu);
	xen_uninit_lock_cpu(cpu);
	xen_teardown_timer(cpu);
	xen_pmu_finish(cpu);
}

/* For reboot and panic: each other CPU takes itself down for good. */
static void xen_pv_stop_self(void *unused)
{
	unsigned int cpu = smp_processor_id();

	load_cr3(swapper_pg_dir);
	set_cpu_online(cpu, false);
	for (;;)
		HYPERVISOR_vcpu_op(VCPUOP_down, xen_vcpu_nr(cpu), NULL);
}

static void xen_pv_halt_others(int wait)
{
	unsigned int ms;

	/* Not waited for as a call: xen_pv_stop_self() never returns. */
	smp_call_function(xen_pv_stop_self, NULL, 0);
	for (ms = 0; wait && num_online_cpus() > 1 && ms < 1000; ms++)
		mdelay(1);
}

/* ---- boot ---- */

/**
 * xen_smp_count_cpus() - limit nr_cpu_ids to the domain's vCPUs
 *
 * VCPUOP_is_up fails (-ENOENT) for a vCPU number the domain does not have.
 * Called early in xen_start_kernel(), before the CPUs are enumerated and
 * before the per-CPU areas (and so xen_vcpu_nr()) exist: a PV guest's
 * vCPU numbers are its CPU numbers.
 */
void __init xen_smp_count_cpus(void)
{
	unsigned int n;

	for (n = 0; n < nr_cpu_ids; n++)
		if (HYPERVISOR_vcpu_op(VCPUOP_is_up, n, NULL) < 0)
			break;
	if (!n) {
		pr_err("VCPUOP_is_up fails even for vCPU 0; keeping %u CPUs\n",
		       nr_cpu_ids);
		return;
	}
	if (n == nr_cpu_ids &&
	    HYPERVISOR_vcpu_op(VCPUOP_is_up, n, NULL) >= 0)
		pr_warn("the domain has more vCPUs than this kernel's %u\n", n);
	pr_info("%u vCPUs\n", n);
	if (n < nr_cpu_ids)
		set_nr_cpu_ids(n);
}

/* x86_init.mpparse.parse_smp_cfg: one APIC ID per vCPU, 0 the boot one. */
static void __init xen_pv_register_apics(void)
{
	unsigned int cpu;

	/*
	 * The boot vCPU is enumerated too, and first: the topology code takes
	 * any other first entry for firmware that lists CPUs out of order.
	 */
	topology_register_boot_apic(0);
	for (cpu = 0; cpu < nr_cpu_ids; cpu++)
		topology_register_apic(cpu, CPU_ACPIID_INVALID, true);
	smp_found_config = 1;
}

static void __init xen_pv_boot_cpu_prepare(void)
{
	WARN_ON(smp_processor_id() != 0);
	native_smp_prepare_boot_cpu();

	/*
	 * The boot CPU now runs on its per-CPU GDT; the one it started on
	 * was handed to Xen read-only and is ordinary memory again.
	 */
	if (xen_initial_gdt && !xen_feature(XENFEAT_writable_page_tables))
		make_lowmem_page_readwrite(xen_initial_gdt);

	xen_setup_vcpu_info_placement();
	/* Before the alternatives are patched: see xen_init_spinlocks(). */
	xen_init_spinlocks();
}

/*
 * Every possible CPU (every vCPU of the domain) is present; "maxcpus="
 * only limits how many the kernel brings up at boot, and the rest can be
 * onlined later.
 */
static void __init xen_pv_cpus_prepare(unsigned int max_cpus)
{
	unsigned int cpu;
	int rc;

	xen_init_lock_cpu(0);
	smp_prepare_cpus_common();
	speculative_store_bypass_ht_init();
	xen_pmu_init(0);

	rc = xen_smp_intr_init(0);
	if (!rc)
		rc = xen_smp_intr_init_pv(0);
	if (rc)
		panic("xen: cannot bind the boot CPU's IPIs: %d\n", rc);

	if (!zalloc_cpumask_var(&xen_cpu_initialized_map, GFP_KERNEL))
		panic("xen: no memory for xen_cpu_initialized_map\n");
	cpumask_set_cpu(0, xen_cpu_initialized_map);

	for_each_possible_cpu(cpu)
		set_cpu_present(cpu, true);
}

/**
 * xen_smp_init() - install the PV smp_ops and CPU enumeration
 *
 * Called from xen_start_kernel().  The vCPUs are enumerated by
 * xen_pv_register_apics(); there are no MP tables to look for.  Every
 * smp_ops hook is ours or empty: none of the native ones (INIT/SIPI, APIC
 * IPIs, NMI shootdown) means anything to a PV vCPU.
 */
void __init xen_smp_init(void)
{
	struct x86_init_mpparse *mp = &x86_init.mpparse;
	struct smp_ops *ops = &smp_ops;

	mp->find_mptable = x86_init_noop;
	mp->early_parse_smp_cfg = x86_init_noop;
	mp->parse_smp_cfg = xen_pv_register_apics;

	memset(ops, 0, sizeof(*ops));
	/* boot */
	ops->smp_prepare_boot_cpu = xen_pv_boot_cpu_prepare;
	ops->smp_prepare_cpus = xen_pv_cpus_prepare;
	ops->smp_cpus_done = xen_cpus_up_done;
	/* a CPU coming up */
	ops->kick_ap_alive = xen_pv_start_vcpu;
	ops->poll_sync_state = xen_pv_yield_to_ap;
	/* a CPU going down: on it, then on the control CPU */
	ops->cpu_disable = xen_pv_going_offline;
	ops->play_dead = xen_pv_stop_this_vcpu;
	ops->cpu_die = xen_pv_wait_vcpu_down;
	ops->cleanup_dead_cpu = xen_pv_free_dead_cpu;
	/* IPIs, as events (smp.c) */
	ops->smp_send_reschedule = xen_ipi_resched;
	ops->send_call_func_ipi = xen_ipi_call_many;
	ops->send_call_func_single_ipi = xen_ipi_call_one;
	/* reboot and panic */
	ops->stop_other_cpus = xen_pv_halt_others;
}
