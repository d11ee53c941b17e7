// SPDX-License-Identifier: GPL-2.0
/*
 * smp.c - inter-processor interrupts as Xen event channels.
 *
 * A Xen guest has no usable local APIC, so every IPI is an event: each
 * CPU owns one IPI channel per kind it can be sent (EVTCHNOP_bind_ipi,
 * through bind_ipi_to_irqhandler()), and a sender makes the target's
 * channel pending with xen_send_IPI_one().  The kinds are ours (enum
 * ipi_vector); the kernel's x86 vector numbers are translated at the
 * sending end, below.
 *
 * This file keeps the channels every SMP guest needs - reschedule, the two
 * smp_call_function() kinds - plus the CPU's VIRQ_DEBUG (Xen's 'q' debug
 * key makes every vCPU print its event state).  xen_smp_intr_init() binds
 * them as a CPU is prepared and xen_smp_intr_free() closes them once it is
 * dead, both safe to repeat.  The smp_ops senders and the PV "APIC" IPI
 * methods (apic.c) are here too.  The PV bring-up, and the irq_work
 * channel that only PV needs, are in smp_pv.c.
 */

#define pr_fmt(fmt) "xen-smp: " fmt

#include <linux/cpumask.h>
#include <linux/interrupt.h>
#include <linux/irq.h>
#include <linux/percpu.h>
#include <linux/printk.h>
#include <linux/sched.h>
#include <linux/smp.h>

#include <asm/apicdef.h>
#include <asm/hardirq.h>
#include <asm/irq_vectors.h>
#include <asm/smp.h>
#include <asm/xen/hypercall.h>

#include <xen/events.h>
#include <xen/interface/sched.h>
#include <xen/interface/xen.h>
#include <xen/xen.h>

#include "xen-ops.h"

static irqreturn_t xen_resched_ipi(int irq, void *dev_id)
{
	inc_irq_stat(irq_resched_count);
	scheduler_ipi();
	return IRQ_HANDLED;
}

static irqreturn_t xen_callfunc_ipi(int irq, void *dev_id)
{
	generic_smp_call_function_interrupt();
	inc_irq_stat(irq_call_count);
	return IRQ_HANDLED;
}

static irqreturn_t xen_callfunc_single_ipi(int irq, void *dev_id)
{
	generic_smp_call_function_single_interrupt();
	inc_irq_stat(irq_call_count);
	return IRQ_HANDLED;
}

/*
 * What each CPU binds.  The names (with the CPU number after them) are the
 * ones /proc/interrupts has always shown for a Xen guest.
 */
struct xen_cpu_irq_kind {
	const char *name;
	irq_handler_t handler;
	bool virq;			/* a VIRQ rather than an IPI channel */
	unsigned int nr;		/* the enum ipi_vector, or the VIRQ */
};

static const struct xen_cpu_irq_kind xen_cpu_irq_kinds[] = {
	{ "resched", xen_resched_ipi, false, XEN_RESCHEDULE_VECTOR },
	{ "callfunc", xen_callfunc_ipi, false, XEN_CALL_FUNCTION_VECTOR },
	{ "callfuncsingle", xen_callfunc_single_ipi, false,
	  XEN_CALL_FUNCTION_SINGLE_VECTOR },
	{ "debug", xen_debug_interrupt, true, VIRQ_DEBUG },
};

#define XEN_CPU_NR_IRQS	ARRAY_SIZE(xen_cpu_irq_kinds)

struct xen_cpu_irqs {
	int irq[XEN_CPU_NR_IRQS];		/* -1: not bound */
	char name[XEN_CPU_NR_IRQS][24];		/* request_irq() keeps these */
};

static DEFINE_PER_CPU(struct xen_cpu_irqs, xen_cpu_irq_state) = {
	.irq = { [0 ... XEN_CPU_NR_IRQS - 1] = -1 },
};

/**
 * xen_smp_intr_free() - close a CPU's IPI channels and its debug VIRQ
 * @cpu: the CPU, dead or never started
 *
 * Safe to call again, and for kinds that were never bound.
 */
void xen_smp_intr_free(unsigned int cpu)
{
	struct xen_cpu_irqs *s = per_cpu_ptr(&xen_cpu_irq_state, cpu);
	unsigned int i;

	for (i = 0; i < XEN_CPU_NR_IRQS; i++) {
		if (s->irq[i] < 0)
			continue;
		unbind_from_irqhandler(s->irq[i], NULL);
		s->irq[i] = -1;
	}
}

/**
 * xen_smp_intr_init() - bind a CPU's IPI channels and its debug VIRQ
 * @cpu: the CPU, not yet running (or the boot CPU)
 *
 * Return: 0, or a negative errno with none of them left bound.
 */
int xen_smp_intr_init(unsigned int cpu)
{
	struct xen_cpu_irqs *s = per_cpu_ptr(&xen_cpu_irq_state, cpu);
	const unsigned long flags = IRQF_PERCPU | IRQF_NOBALANCING;
	const struct xen_cpu_irq_kind *k;
	unsigned int i;
	int irq;

	for (i = 0; i < XEN_CPU_NR_IRQS; i++) {
		k = &xen_cpu_irq_kinds[i];
		if (s->irq[i] >= 0)
			continue;
		snprintf(s->name[i], sizeof(s->name[i]), "%s%u", k->name, cpu);
		if (k->virq)
			irq = bind_virq_to_irqhandler(k->nr, cpu, k->handler,
						      flags, s->name[i], NULL);
		else
			irq = bind_ipi_to_irqhandler(k->nr, cpu, k->handler,
						     flags, s->name[i], NULL);
		if (irq < 0) {
			pr_err("CPU%u: cannot bind %s: %d\n", cpu, k->name, irq);
			xen_smp_intr_free(cpu);
			return irq;
		}
		s->irq[i] = irq;
	}
	return 0;
}

/* smp_ops.smp_cpus_done: the native one only for an HVM guest. */
void __init xen_cpus_up_done(unsigned int max_cpus)
{
	if (xen_hvm_domain())
		native_smp_cpus_done(max_cpus);
}

/* Raise @ipi on every online CPU of @mask, @self included or not. */
static void xen_ipi_to_mask(const struct cpumask *mask, enum ipi_vector ipi,
			    bool self)
{
	unsigned int skip = self ? nr_cpu_ids : smp_processor_id();
	unsigned int cpu;

	for_each_cpu_and(cpu, mask, cpu_online_mask)
		if (cpu != skip)
			xen_send_IPI_one(cpu, ipi);
}

void xen_ipi_resched(int cpu)
{
	xen_send_IPI_one(cpu, XEN_RESCHEDULE_VECTOR);
}

/*
 * A call-function IPI is waited for.  If one of its targets has been
 * preempted by Xen, give our time slice away once, so that its vCPU may
 * run the function sooner.
 */
void xen_ipi_call_many(const struct cpumask *mask)
{
	unsigned int cpu;

	xen_ipi_to_mask(mask, XEN_CALL_FUNCTION_VECTOR, true);
	for_each_cpu(cpu, mask) {
		if (xen_vcpu_stolen(cpu)) {
			HYPERVISOR_sched_op(SCHEDOP_yield, NULL);
			return;
		}
	}
}

void xen_ipi_call_one(int cpu)
{
	if (cpu_online(cpu))
		xen_send_IPI_one(cpu, XEN_CALL_FUNCTION_SINGLE_VECTOR);
}

/*
 * The PV "APIC" methods get the kernel's x86 vectors.  Only those that
 * have an event kind can be sent; anything else is a bug in the caller,
 * reported (rate limited) and dropped.
 */
static int xen_ipi_of_vector(int vector)
{
	switch (vector) {
	case RESCHEDULE_VECTOR:
		return XEN_RESCHEDULE_VECTOR;
	case CALL_FUNCTION_VECTOR:
		return XEN_CALL_FUNCTION_VECTOR;
	case CALL_FUNCTION_SINGLE_VECTOR:
		return XEN_CALL_FUNCTION_SINGLE_VECTOR;
	case IRQ_WORK_VECTOR:
		return XEN_IRQ_WORK_VECTOR;
	case NMI_VECTOR:
	case APIC_DM_NMI:	/* what the NMI senders pass as "vector" */
		return XEN_NMI_VECTOR;
	}
	pr_err_ratelimited("no event for IPI vector %#x, not sent\n", vector);
	return -1;
}

void xen_apic_ipi_mask(const struct cpumask *mask, int vector)
{
	int ipi = xen_ipi_of_vector(vector);

	if (ipi >= 0)
		xen_ipi_to_mask(mask, ipi, true);
}

void xen_apic_ipi_mask_others(const struct cpumask *mask, int vector)
{
	int ipi = xen_ipi_of_vector(vector);

	if (ipi >= 0)
		xen_ipi_to_mask(mask, ipi, false);
}

void xen_apic_ipi_others(int vector)
{
	xen_apic_ipi_mask_others(cpu_online_mask, vector);
}

void xen_apic_ipi_all(int vector)
{
	xen_apic_ipi_mask(cpu_online_mask, vector);
}

void xen_apic_ipi_self(int vector)
{
	int ipi = xen_ipi_of_vector(vector);

	if (ipi >= 0)
		xen_send_IPI_one(smp_processor_id(), ipi);
}
