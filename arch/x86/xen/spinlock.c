// SPDX-License-Identifier: GPL-2.0
/*
 * spinlock.c - paravirtual queued spinlocks for Xen vCPUs.
 *
 * Spinning for a lock whose holder's vCPU Xen has descheduled burns a
 * whole time slice for nothing.  The kernel's paravirt qspinlock slow path
 * (kernel/locking/qspinlock_paravirt.h) therefore spins only a while, then
 * asks us to wait - pv_wait(ptr, val): sleep if *ptr still holds val - and
 * has the unlocker wake the waiter with pv_kick(cpu).  Waking may be
 * spurious; the slow path looks again and waits again.
 *
 * Each CPU gets a kicker: an event channel bound as the IPI
 * XEN_SPIN_UNLOCK_VECTOR, whose interrupt stays disabled, so that a kick
 * only marks the channel pending.  A waiter clears the pending mark, looks
 * at the lock byte, and if it must wait blocks in SCHEDOP_poll on that one
 * channel, which returns as soon as the channel is pending - kicked after
 * the look, or before the poll.  A kicker sends the IPI.  The waiter's
 * side goes straight to its own CPU's port (xen_ipi_clear_pending(),
 * xen_ipi_poll()): no interrupt lookup and no message inside a lock's slow
 * path.
 *
 * The poll keeps the caller's interrupt state: a waiter with interrupts on
 * must still answer, say, the IPI that its lock holder is waiting for.  An
 * interrupt handler may then take a lock and wait too, on the same CPU.
 * Clearing the channel there could swallow the kick the interrupted wait
 * is about to poll for, so a wait nested in another just returns, and the
 * slow path spins instead.  Waits in NMI context spin too.
 *
 * "nopvspin" or "xen_nopvspin" on the command line, or a single possible
 * CPU, leave the native queued spinlock in place.  Either way the scheduler
 * and the optimistic spinners learn from the runstate areas which vCPUs
 * are preempted (xen_vcpu_stolen()).
 */

#define pr_fmt(fmt) "xen-spinlock: " fmt

#include <linux/compiler.h>
#include <linux/cpumask.h>
#include <linux/init.h>
#include <linux/interrupt.h>
#include <linux/irq.h>
#include <linux/kernel.h>
#include <linux/percpu.h>
#include <linux/preempt.h>
#include <linux/spinlock.h>

#include <asm/paravirt.h>
#include <asm/qspinlock.h>

#include <xen/events.h>
#include <xen/xen-ops.h>

#include "xen-ops.h"

struct xen_kicker {
	int irq;		/* polled for kicks; -1 while there is none */
	bool waiting;		/* inside xen_qlock_wait() already */
	char name[16];		/* of the interrupt: "spinlock<cpu>" */
};

static DEFINE_PER_CPU(struct xen_kicker, xen_kickers) = { .irq = -1 };

/* The slow path is ours: kickers are wanted. */
static bool xen_pvspin __ro_after_init;

PV_CALLEE_SAVE_REGS_THUNK(xen_vcpu_stolen);

static void xen_qlock_kick(int cpu)
{
	/* A CPU without a kicker never blocks, so needs no waking. */
	if (READ_ONCE(per_cpu(xen_kickers, cpu).irq) < 0)
		return;
	xen_send_IPI_one(cpu, XEN_SPIN_UNLOCK_VECTOR);
}

/*
 * Called with preemption off, by the slow path, so "this CPU's port" in
 * the two calls below is the kicker of the CPU we wait on.  After a
 * restore and until the events core has bound the kicker again, that
 * port is unknown and the poll returns at once: we spin meanwhile.
 */
static void xen_qlock_wait(u8 *byte, u8 val)
{
	struct xen_kicker *k = this_cpu_ptr(&xen_kickers);

	if (READ_ONCE(k->irq) < 0 || in_nmi() || READ_ONCE(k->waiting))
		return;

	WRITE_ONCE(k->waiting, true);
	barrier();
	xen_ipi_clear_pending(XEN_SPIN_UNLOCK_VECTOR);
	/* The clear must be seen before we look, or a kick could be lost. */
	smp_mb();
	if (READ_ONCE(*byte) == val)
		xen_ipi_poll(XEN_SPIN_UNLOCK_VECTOR);
	barrier();
	WRITE_ONCE(k->waiting, false);
}

static irqreturn_t xen_kick_interrupt(int irq, void *dev_id)
{
	/* Not reached: the interrupt stays disabled, kicks are polled for. */
	return IRQ_HANDLED;
}

/**
 * xen_init_lock_cpu() - give a CPU its kicker
 * @cpu: the CPU, coming online
 *
 * Binds @cpu's XEN_SPIN_UNLOCK_VECTOR channel and disables its interrupt,
 * which must leave the channel masked.  Without a kicker (PV spinlocks off,
 * or the binding failed) the CPU spins for its locks.
 */
void xen_init_lock_cpu(int cpu)
{
	struct xen_kicker *k = &per_cpu(xen_kickers, cpu);
	int irq;

	if (!xen_pvspin || k->irq >= 0)
		return;

	snprintf(k->name, sizeof(k->name), "spinlock%d", cpu);
	irq = bind_ipi_to_irqhandler(XEN_SPIN_UNLOCK_VECTOR, cpu,
				     xen_kick_interrupt,
				     IRQF_PERCPU | IRQF_NOBALANCING,
				     k->name, NULL);
	if (irq < 0) {
		pr_err("CPU%d: no kicker (%d), its lock waits spin\n",
		       cpu, irq);
		return;
	}
	/* Mask at once on disable, whatever the interrupt chip prefers. */
	irq_set_status_flags(irq, IRQ_DISABLE_UNLAZY);
	disable_irq(irq);
	WRITE_ONCE(k->irq, irq);
}

/**
 * xen_uninit_lock_cpu() - take a dead CPU's kicker away
 * @cpu: the CPU
 *
 * Safe to call again, or for a CPU that never had a kicker.
 */
void xen_uninit_lock_cpu(int cpu)
{
	struct xen_kicker *k = &per_cpu(xen_kickers, cpu);
	int irq = k->irq;

	if (irq < 0)
		return;
	WRITE_ONCE(k->irq, -1);
	unbind_from_irqhandler(irq, NULL);
}

/*
 * Hand the lock slow path to the kernel's paravirt qspinlock code, with
 * our wait and kick under it.  Everything that slow path relies on goes
 * in first and the slow path itself last, so that no lock can ever be
 * queued by it without the matching unlock and wake-up in place.  (Only
 * the boot CPU runs yet, but the order costs nothing.)
 */
static void __init xen_pvlock_install(void)
{
	/* The table in which waiters park their locks for the unlocker. */
	__pv_init_lock_hash();

	/* How to sleep, and how to wake a sleeper: ours. */
	pv_ops.lock.kick = xen_qlock_kick;
	pv_ops.lock.wait = xen_qlock_wait;

	/* An unlock that wakes a parked waiter; the generic one does not. */
	pv_ops.lock.queued_spin_unlock =
		PV_CALLEE_SAVE(__pv_queued_spin_unlock);

	/* Last: contended locks now spin a while, then park and wait. */
	pv_ops.lock.queued_spin_lock_slowpath = __pv_queued_spin_lock_slowpath;
}

/**
 * xen_init_spinlocks() - choose the spinlock slow path
 *
 * Called while the boot CPU is prepared, before the alternatives are
 * patched, so that every lock site takes the choice made here.
 */
void __init xen_init_spinlocks(void)
{
	/* Whatever the choice, preempted vCPUs are known from Xen. */
	pv_ops.lock.vcpu_is_preempted = PV_CALLEE_SAVE(xen_vcpu_stolen);

	/* Not the unfair test-and-set lock of a guest without PV locks. */
	static_branch_disable(&virt_spin_lock_key);

	if (nopvspin || num_possible_cpus() == 1) {
		pr_info("PV spinlocks off\n");
		return;
	}

	xen_pvlock_install();
	xen_pvspin = true;
	pr_info("PV spinlocks on\n");
}

/* The old name of "nopvspin", kept working. */
static int __init xen_parse_nopvspin(char *arg)
{
	nopvspin = true;
	return 0;
}
early_param("xen_nopvspin", xen_parse_nopvspin);
