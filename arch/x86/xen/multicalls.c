// SPDX-License-Identifier: GPL-2.0
/*
 * multicalls.c - batching hypercalls, one batch per CPU.
 *
 * Each trip into Xen costs a ring switch, so the MMU code (and a few CPU
 * operations) queue their hypercalls here and hand them to Xen together
 * with one __HYPERVISOR_multicall.  Xen runs the entries in order and
 * writes each one's return value into its result field.
 *
 * The protocol, as driven by the inlines in xen-ops.h:
 *
 *   xen_mc_batch()          interrupts off, the old flags kept in the
 *                           per-CPU xen_mc_irq_flags
 *   __xen_mc_entry(n)       one more entry, plus n bytes of argument
 *                           space its args[] may point into (structures
 *                           such as mmu_update or mmuext_op lists)
 *   xen_mc_extend_args()    grow the argument space of the last entry,
 *                           if it is the same op: so one MMU_UPDATE
 *                           entry can carry many updates
 *   xen_mc_callback()       run a function once the batch has been issued
 *                           (e.g. drop a page-table lock)
 *   xen_mc_issue(mode)      flush unless the CPU is in that lazy mode,
 *                           then restore the saved interrupt flags
 *
 * Interrupts stay off from xen_mc_batch() to xen_mc_issue(), so nothing
 * on this CPU can slip its own entries in between an entry's allocation
 * and the filling of its fields.  A batch also goes to Xen early when it
 * has no room left for an entry, its argument bytes or a callback; the
 * callers cannot tell, which is fine, because Xen runs entries in the
 * order they were queued either way.
 *
 * A batch of one entry is made as a plain hypercall: cheaper for Xen, and
 * the common case outside lazy mode.
 *
 * No caller can be told that an entry failed: the results are looked at
 * here.  A failure is a bug in the guest (a page-table update Xen refused,
 * say), so it is always reported, with the op number, Xen's result, the
 * first argument and the code that queued it, in full the first time an
 * op fails and in one rate-limited line after that.
 */

#define pr_fmt(fmt) "xen-mc: " fmt

#include <linux/bitops.h>
#include <linux/bug.h>
#include <linux/panic.h>
#include <linux/percpu.h>
#include <linux/preempt.h>
#include <linux/printk.h>
#include <linux/smp.h>

#include <asm/xen/hypercall.h>

#include "xen-ops.h"

/* Entries per batch, and argument bytes per batch (16 per entry). */
#define MC_SLOTS	32
#define MC_ARG_BYTES	(MC_SLOTS * 16)

struct mc_deferred {
	void (*fn)(void *data);
	void *data;
};

struct mc_batch {
	unsigned int used;		/* entries queued */
	unsigned int arg_used;		/* bytes of arg[] handed out */
	unsigned int deferred;		/* callbacks queued */
	struct multicall_entry entry[MC_SLOTS];
	void *queued_by[MC_SLOTS];	/* for the failure report */
	u64 arg[MC_ARG_BYTES / sizeof(u64)];
	struct mc_deferred after[MC_SLOTS];
};

static DEFINE_PER_CPU(struct mc_batch, mc_batch);
DEFINE_PER_CPU(unsigned long, xen_mc_irq_flags);

/* Which op numbers have already been reported in full (op & 63). */
static unsigned long mc_op_reported;

static void mc_report(const struct multicall_entry *e, void *who)
{
	if (!test_and_set_bit(e->op & (BITS_PER_LONG - 1), &mc_op_reported)) {
		pr_err("cpu %d: hypercall %lu failed with %ld (arg0 %#lx arg1 %#lx), queued by %pS\n",
		       smp_processor_id(), (unsigned long)e->op,
		       (long)e->result, (unsigned long)e->args[0],
		       (unsigned long)e->args[1], who);
		WARN(1, "xen multicall entry failed\n");
		return;
	}
	pr_err_ratelimited("hypercall %lu failed again with %ld, queued by %pS\n",
			   (unsigned long)e->op, (long)e->result, who);
}

/**
 * xen_mc_flush() - issue this CPU's queued hypercalls now
 *
 * Hands every queued entry to Xen, reports any that failed, empties the
 * batch and then runs the callbacks queued with xen_mc_callback().  Must
 * be called with preemption off; interrupts may be in either state.
 */
void xen_mc_flush(void)
{
	struct mc_batch *b = this_cpu_ptr(&mc_batch);
	struct multicall_entry *e = b->entry;
	unsigned int n, i, ncb;
	unsigned long flags;

	WARN_ON_ONCE(preemptible());
	local_irq_save(flags);

	n = b->used;
	if (n == 1) {
		e->result = xen_single_call(e->op, e->args[0], e->args[1],
					    e->args[2], e->args[3],
					    e->args[4]);
	} else if (n > 1) {
		/*
		 * A non-zero return means Xen did not run the list (a bad
		 * pointer or count): there is no telling what state the
		 * page tables are in, so there is no way on.
		 */
		int rc = HYPERVISOR_multicall(e, n);

		if (rc)
			panic("xen-mc: Xen refused a batch of %u: %d\n", n, rc);
	}
	for (i = 0; i < n; i++)
		if (unlikely((long)e[i].result < 0))
			mc_report(&e[i], b->queued_by[i]);

	b->used = 0;
	b->arg_used = 0;

	/* The batch is empty before the callbacks run, in case they queue. */
	ncb = b->deferred;
	b->deferred = 0;
	for (i = 0; i < ncb; i++)
		b->after[i].fn(b->after[i].data);

	local_irq_restore(flags);
}

/**
 * __xen_mc_entry() - queue one hypercall in this CPU's batch
 * @args: bytes of argument space the entry needs (0 if none)
 *
 * Call between xen_mc_batch() and xen_mc_issue().  Flushes first if the
 * batch has no room.  The argument space is 8-byte aligned and stays valid
 * until the batch is flushed.
 *
 * Return: the entry to fill in (.mc) and its argument space (.args).
 */
struct multicall_space __xen_mc_entry(size_t args)
{
	struct mc_batch *b = this_cpu_ptr(&mc_batch);
	struct multicall_space space;
	unsigned int start;

	WARN_ON_ONCE(preemptible());
	if (args > MC_ARG_BYTES)
		panic("xen-mc: %zu argument bytes asked for, %u fit\n",
		      args, MC_ARG_BYTES);

	start = ALIGN(b->arg_used, sizeof(u64));
	if (b->used == MC_SLOTS || start + args > MC_ARG_BYTES) {
		xen_mc_flush();
		start = 0;
	}

	b->queued_by[b->used] = __builtin_return_address(0);
	space.mc = &b->entry[b->used++];
	space.args = (u8 *)b->arg + start;
	b->arg_used = start + args;
	return space;
}

/**
 * xen_mc_extend_args() - grow the argument space of the last queued entry
 * @op: the hypercall the last entry must be
 * @size: bytes to add
 *
 * Lets a caller append one more element (an mmu_update, an mmuext_op) to
 * the list the last entry already carries, instead of queuing an entry.
 *
 * Return: the last entry (.mc) and the new bytes (.args), right after the
 * ones it had; or .mc NULL if the last entry is not @op or there is no room,
 * and the caller must queue a new entry.
 */
struct multicall_space xen_mc_extend_args(unsigned long op, size_t size)
{
	struct mc_batch *b = this_cpu_ptr(&mc_batch);
	struct multicall_space space = { NULL, NULL };

	WARN_ON_ONCE(preemptible());

	if (!b->used || b->entry[b->used - 1].op != op ||
	    b->arg_used + size > MC_ARG_BYTES)
		return space;

	space.mc = &b->entry[b->used - 1];
	space.args = (u8 *)b->arg + b->arg_used;
	b->arg_used += size;
	return space;
}

/**
 * xen_mc_callback() - run a function after the current batch is issued
 * @fn: the function
 * @data: its argument
 *
 * Callbacks run in the order queued, on this CPU, with interrupts off,
 * once every entry queued before them has been made.
 */
void xen_mc_callback(void (*fn)(void *), void *data)
{
	struct mc_batch *b = this_cpu_ptr(&mc_batch);

	if (b->deferred == MC_SLOTS)
		xen_mc_flush();

	b->after[b->deferred].fn = fn;
	b->after[b->deferred].data = data;
	b->deferred++;
}
