// SPDX-License-Identifier: GPL-2.0
/*
 * evtchn-core.c - Xen event channels as Linux interrupts.
 *
 * A Xen guest has no interrupt controller to speak of.  Everything that
 * interrupts it - its timer, the other vCPUs, the backends of its disk and
 * network, the console, xenstore - is an event channel: a port number in
 * this domain that the other end makes pending.  Xen then sets the vCPU's
 * evtchn_upcall_pending flag and, unless the vCPU has events masked
 * (interrupts off), enters the guest at its callback.  Which ports are
 * pending, and how they are masked, is the business of the ABI in use
 * (evtchn-2l.c or evtchn-fifo.c, reached through struct evtchn_abi); this
 * file owns everything above that:
 *
 *  - the binding of a port to a Linux IRQ, one IRQ (irq_desc) per port,
 *    with our own irq_chips, so that drivers request_irq() as anywhere
 *    else and /proc/interrupts names each channel after its user;
 *  - the kinds of binding: a virtual IRQ of a vCPU (EVTCHNOP_bind_virq), an
 *    IPI channel of a vCPU (EVTCHNOP_bind_ipi), and a "plain" port that the
 *    caller already owns (allocated unbound, or bound interdomain);
 *  - the upcall: clear evtchn_upcall_pending, let the ABI find and
 *    dispatch the pending ports, and go round again as long as Xen set the
 *    flag anew meanwhile - that is how the vcpu_info protocol avoids losing
 *    an event that arrives while we scan;
 *  - CPU hotplug (the ABI's per-CPU set-up and teardown) and save/restore.
 *
 * Masking.  A port may be masked for several reasons at once: the IRQ core
 * asked (disable_irq, a flow handler), or a late-EOI event is still with
 * its driver.  Each binding keeps the set of reasons; the port's mask bit
 * is set while any reason remains, and unmasking with the last reason gone
 * also makes Xen notify us again if the port became pending meanwhile.
 * When the EOI reason is lifted, and how late, is decided in
 * evtchn-lateeoi.c.
 *
 * Save/restore.  A restored or migrated domain has no event channels at
 * all.  xen_irq_resume() lets the ABI reset its state, forgets every port
 * number (it may now be another channel's: we never close an old one,
 * but user space may still notify one), and binds every VIRQ and IPI
 * again on its vCPU.
 * Plain ports stay unbound; their owners get new ones through xenbus and
 * either rebind_evtchn_irq() or unbind and bind afresh.  User space's
 * ports (/dev/xen/evtchn, whose bindings are the refcounted ones) are not
 * rebound by anyone: such a binding stays findable under its old number
 * until its owner unbinds it (see bind_for_user()).
 *
 * Locking.  evtchn_mutex orders binding and unbinding (process context).
 * evtchn_lock, a raw spinlock, guards the port-to-IRQ map, the list of
 * bindings and the per-CPU VIRQ and IPI tables; each binding's own raw
 * lock guards its port, CPU and mask reasons, and is taken inside
 * evtchn_lock or inside the IRQ core's descriptor lock.  The upcall reads
 * the map without a lock; a binding's memory and IRQ number are given back
 * only after an RCU grace period, so an upcall that just looked a port up
 * never meets a freed or reused IRQ.  xen_irq_resume() runs in
 * stop_machine() with interrupts off and takes only the spinlocks.
 *
 * Trust.  Port numbers come from callers and from Xen (hypercall results,
 * the ABI's shared pages); any outside the ABI's range is refused and
 * logged once, naming the caller.  Physical IRQs (PIRQs), dom0 and PCI
 * passthrough are left out: this is a domU's event layer.
 */

#define pr_fmt(fmt) "xen-evtchn: " fmt

#include <linux/cpuhotplug.h>
#include <linux/cpumask.h>
#include <linux/export.h>
#include <linux/gfp.h>
#include <linux/init.h>
#include <linux/instruction_pointer.h>
#include <linux/interrupt.h>
#include <linux/irq.h>
#include <linux/irqdesc.h>
#include <linux/irqnr.h>
#include <linux/list.h>
#include <linux/moduleparam.h>
#include <linux/mutex.h>
#include <linux/percpu.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/workqueue.h>

#include <asm/barrier.h>
#include <asm/irq_vectors.h>
#include <asm/xen/hypercall.h>
#include <asm/xen/hypervisor.h>

#include <xen/events.h>
#include <xen/interface/event_channel.h>
#include <xen/interface/sched.h>
#include <xen/interface/vcpu.h>
#include <xen/interface/xen.h>
#include <xen/xen.h>
#include <xen/xen-ops.h>
#include <xen/xenbus.h>

#include "evtchn-abi.h"

/* Which of the two ABIs; FIFO unless Xen lacks it or "xen.fifo_events=0". */
bool xen_fifo_events = true;
#undef MODULE_PARAM_PREFIX
#define MODULE_PARAM_PREFIX "xen."
module_param_named(fifo_events, xen_fifo_events, bool, 0);

/* The ABI in use; switched only by xen_irq_resume(), in stop_machine(). */
const struct evtchn_abi *xen_evtchn_abi __read_mostly;

/* Why a port is masked; it is unmasked when none is left. */
#define EVT_MASK_CORE	BIT(0)	/* the IRQ core masked or disabled it */
#define EVT_MASK_EOI	BIT(1)	/* an event is with its driver (late EOI) */

/**
 * struct evt_bind - one Linux IRQ and the port behind it
 * @node: in evt_all
 * @eoi: late-EOI account (evtchn-lateeoi.c)
 * @free_work: gives back the IRQ and this after a grace period
 * @lock: guards @port, @cpu and @masked
 * @irq: the Linux IRQ
 * @port: the port, 0 while there is none (not yet, or since a restore)
 * @stale: the port a refcounted binding had before a restore, or 0
 * @kind: EVT_PORT, EVT_VIRQ or EVT_IPI
 * @index: the VIRQ or IPI number
 * @home: the CPU whose VIRQ or IPI table holds this binding
 * @cpu: the CPU the port notifies (a global VIRQ may move off @home)
 * @users: binds plus evtchn_get() references; at 0 the binding goes
 * @priority: FIFO priority, applied again when the port changes
 * @masked: EVT_MASK_* reasons
 * @lateeoi: a *_lateeoi binding
 * @refcounted: evtchn_get() and evtchn_put() are allowed (user space's)
 * @keep_open: the port is not ours to close (a "static" one)
 */
struct evt_bind {
	struct list_head node;
	struct evt_eoi eoi;
	struct rcu_work free_work;
	raw_spinlock_t lock;
	unsigned int irq;
	evtchn_port_t port;
	evtchn_port_t stale;
	enum evt_kind kind;
	unsigned int index;
	unsigned int home;
	unsigned int cpu;
	unsigned int users;
	unsigned int priority;
	u8 masked;
	bool lateeoi;
	bool refcounted;
	bool keep_open;
};

static DEFINE_MUTEX(evtchn_mutex);
static DEFINE_RAW_SPINLOCK(evtchn_lock);
static LIST_HEAD(evt_all);
static unsigned int evt_nr_stale;	/* bindings with @stale set */

/*
 * Port to IRQ: rows of a page, allocated as ports are first bound and
 * never freed, so the upcall can read them without a lock.  0 = no IRQ
 * (we never use the legacy IRQ numbers, and so never 0).
 */
#define MAP_PER_ROW	(PAGE_SIZE / sizeof(unsigned int))
#define MAP_ROWS	(EVTCHN_FIFO_NR_CHANNELS / MAP_PER_ROW)
static unsigned int *port_map[MAP_ROWS];

static DEFINE_PER_CPU(unsigned int [NR_VIRQS], virq_irq);
static DEFINE_PER_CPU(unsigned int [XEN_NR_IPIS], ipi_irq);
DEFINE_PER_CPU(evtchn_port_t [XEN_NR_IPIS], xen_evtchn_ipi_port);

/* ---- pure helpers (KUnit below) ---- */

static bool evt_port_in_range(evtchn_port_t port, unsigned int max)
{
	/* Xen never hands out port 0. */
	return port && port < max;
}

/* The VIRQs xen.h marks per-vCPU ("V"); every other one is global. */
static bool evt_virq_percpu(unsigned int virq)
{
	return virq == VIRQ_TIMER || virq == VIRQ_DEBUG ||
	       virq == VIRQ_XENOPROF || virq == VIRQ_XENPMU;
}

/* ---- ports, IRQs and the map ---- */

/* In range?  Else log once, naming @ip, or Xen when @ip is 0. */
static bool xen_evt_port_ok(evtchn_port_t port, unsigned long ip)
{
	const struct evtchn_abi *abi = READ_ONCE(xen_evtchn_abi);
	unsigned int max = abi ? abi->max_channels() : EVTCHN_FIFO_NR_CHANNELS;

	if (likely(evt_port_in_range(port, max)))
		return true;
	if (ip)
		pr_warn_once("refusing port %u from %pS\n", port, (void *)ip);
	else
		pr_warn_once("Xen returned port %u, out of range\n", port);
	return false;
}

static unsigned int port_to_irq(evtchn_port_t port)
{
	unsigned int *row;

	if (port >= MAP_ROWS * MAP_PER_ROW)
		return 0;
	row = READ_ONCE(port_map[port / MAP_PER_ROW]);
	return row ? READ_ONCE(row[port % MAP_PER_ROW]) : 0;
}

/* Make sure @port's row exists; before taking any spinlock. */
static int port_map_reserve(evtchn_port_t port, gfp_t gfp)
{
	unsigned int **slot = &port_map[port / MAP_PER_ROW];
	unsigned int *row;

	if (port >= MAP_ROWS * MAP_PER_ROW)
		return -EINVAL;
	if (READ_ONCE(*slot))
		return 0;
	row = (unsigned int *)get_zeroed_page(gfp);
	if (!row)
		return -ENOMEM;
	if (cmpxchg(slot, NULL, row))
		free_page((unsigned long)row);
	return 0;
}

/* evtchn_lock held; the row exists. */
static void port_map_set(evtchn_port_t port, unsigned int irq)
{
	WRITE_ONCE(port_map[port / MAP_PER_ROW][port % MAP_PER_ROW], irq);
}

/* The hypercalls behind notify and close, for ports already checked. */
static void evt_notify(evtchn_port_t port)
{
	struct evtchn_send op = { .port = port };

	(void)HYPERVISOR_event_channel_op(EVTCHNOP_send, &op);
}

static void xen_evt_close(evtchn_port_t port)
{
	struct evtchn_close op = { .port = port };
	int rc;

	rc = HYPERVISOR_event_channel_op(EVTCHNOP_close, &op);
	if (rc)
		pr_warn_once("closing port %u failed: %d\n", port, rc);
}

/* ---- masking, and the irq_chips ---- */

static void evt_mask(struct evt_bind *b, u8 why)
{
	unsigned long flags;

	raw_spin_lock_irqsave(&b->lock, flags);
	if (!b->masked && b->port)
		xen_evtchn_abi->mask(b->port);
	b->masked |= why;
	raw_spin_unlock_irqrestore(&b->lock, flags);
}

static void evt_unmask(struct evt_bind *b, u8 why)
{
	unsigned long flags;

	raw_spin_lock_irqsave(&b->lock, flags);
	if (b->masked & why) {
		b->masked &= ~why;
		if (!b->masked && b->port)
			xen_evtchn_abi->unmask(b->port);
	}
	raw_spin_unlock_irqrestore(&b->lock, flags);
}

static void evt_chip_mask(struct irq_data *d)
{
	evt_mask(irq_data_get_irq_chip_data(d), EVT_MASK_CORE);
}

static void evt_chip_unmask(struct irq_data *d)
{
	evt_unmask(irq_data_get_irq_chip_data(d), EVT_MASK_CORE);
}

static void evt_chip_ack(struct irq_data *d)
{
	struct evt_bind *b = irq_data_get_irq_chip_data(d);

	raw_spin_lock(&b->lock);
	if (b->port)
		xen_evtchn_abi->clear_pending(b->port);
	raw_spin_unlock(&b->lock);
}

/* The flow handler drops the event: no late EOI will follow. */
static void evt_chip_mask_ack(struct irq_data *d)
{
	evt_chip_mask(d);
	evt_chip_ack(d);
}

/* A late-EOI event goes to its driver: masked until xen_irq_lateeoi(). */
static void evt_chip_ack_lateeoi(struct irq_data *d)
{
	evt_mask(irq_data_get_irq_chip_data(d), EVT_MASK_EOI);
	evt_chip_ack(d);
}

/* Replay an event the IRQ core held back while the IRQ was disabled. */
static int evt_chip_retrigger(struct irq_data *d)
{
	struct evt_bind *b = irq_data_get_irq_chip_data(d);
	unsigned long flags;

	raw_spin_lock_irqsave(&b->lock, flags);
	if (b->port) {
		if (!b->masked)
			xen_evtchn_abi->mask(b->port);
		xen_evtchn_abi->set_pending(b->port);
		if (!b->masked)
			xen_evtchn_abi->unmask(b->port);
	}
	raw_spin_unlock_irqrestore(&b->lock, flags);
	return 1;
}

/* Make the port notify @cpu.  Masked meanwhile, so no event is lost. */
static int evt_move(struct evt_bind *b, unsigned int cpu)
{
	struct evtchn_bind_vcpu op = { .vcpu = xen_vcpu_nr(cpu) };
	unsigned long flags;
	int rc = 0;

	raw_spin_lock_irqsave(&b->lock, flags);
	op.port = b->port;
	if (op.port && cpu != b->cpu) {
		if (!b->masked)
			xen_evtchn_abi->mask(op.port);
		rc = HYPERVISOR_event_channel_op(EVTCHNOP_bind_vcpu, &op);
		if (!rc) {
			xen_evtchn_abi->bind_to_cpu(op.port, cpu);
			xen_evtchn_abi->unbind_from_cpu(op.port, b->cpu);
			b->cpu = cpu;
		}
		if (!b->masked)
			xen_evtchn_abi->unmask(op.port);
	}
	raw_spin_unlock_irqrestore(&b->lock, flags);
	return rc;
}

static int evt_chip_set_affinity(struct irq_data *d,
				 const struct cpumask *dest, bool force)
{
	unsigned int cpu = force ? cpumask_first(dest) :
				   cpumask_first_and(dest, cpu_online_mask);
	int rc;

	if (cpu >= nr_cpu_ids || !xen_support_evtchn_rebind())
		return -EINVAL;
	rc = evt_move(irq_data_get_irq_chip_data(d), cpu);
	if (rc)
		return rc;
	irq_data_update_effective_affinity(d, cpumask_of(cpu));
	return IRQ_SET_MASK_OK;
}

/*
 * The chips of ports a caller owns, which move between vCPUs.  They differ
 * only in the ack: at once, or when the driver calls xen_irq_lateeoi().
 * irqbalance moves the IRQs whose chip name holds "xen-dyn".
 */
#define EVT_MOVABLE_CHIP(chip_name, ack)				\
	{								\
		.name = chip_name, .irq_ack = ack,			\
		.irq_enable = evt_chip_unmask,				\
		.irq_unmask = evt_chip_unmask,				\
		.irq_disable = evt_chip_mask,				\
		.irq_mask = evt_chip_mask,				\
		.irq_mask_ack = evt_chip_mask_ack,			\
		.irq_set_affinity = evt_chip_set_affinity,		\
		.irq_retrigger = evt_chip_retrigger,			\
	}
static const struct irq_chip evt_chip_dyn = EVT_MOVABLE_CHIP("xen-dyn", evt_chip_ack);
static const struct irq_chip evt_chip_lateeoi =
	EVT_MOVABLE_CHIP("xen-dyn-lateeoi", evt_chip_ack_lateeoi);

/*
 * A VIRQ or IPI of one vCPU.  handle_percpu_irq() ignores the disabled
 * state, so disabling must mask the port at once (the PV spinlock code
 * disables its IPI and only ever polls it).
 */
static const struct irq_chip evt_chip_percpu = {
	.name			= "xen-percpu",
	.irq_enable		= evt_chip_unmask,
	.irq_disable		= evt_chip_mask,
	.irq_mask		= evt_chip_mask,
	.irq_unmask		= evt_chip_unmask,
	.irq_ack		= evt_chip_ack,
	.irq_retrigger		= evt_chip_retrigger,
};

/*
 * The binding behind @irq, or NULL if it is not ours: logged once, naming
 * @ip, the exported function's caller.
 */
static struct evt_bind *bind_of(unsigned int irq, unsigned long ip)
{
	struct irq_data *d = irq_get_irq_data(irq);

	if (likely(d && (d->chip == &evt_chip_dyn ||
			 d->chip == &evt_chip_lateeoi ||
			 d->chip == &evt_chip_percpu) && d->chip_data))
		return d->chip_data;
	pr_warn_once("IRQ %u is not an event channel (from %pS)\n", irq,
		     (void *)ip);
	return NULL;
}

evtchn_port_t xen_evt_port_of_irq(unsigned int irq, unsigned long ip)
{
	struct evt_bind *b = bind_of(irq, ip);

	return b ? READ_ONCE(b->port) : 0;
}

/* The binding of a port, or NULL.  evtchn_mutex or evtchn_lock held. */
static struct evt_bind *bind_at(evtchn_port_t port)
{
	unsigned int irq = port_to_irq(port);

	return irq ? irq_get_chip_data(irq) : NULL;
}

/*
 * The binding user space means by @port.  /dev/xen/evtchn (borrowed
 * evtchn.c) and the grant devices name their channels by port number, and
 * keep the numbers they had before a restore, when every port was
 * forgotten; evtchn.c BUG()s if such a number finds no IRQ at unbind.  So
 * a refcounted (user space's) binding that has @port now wins; failing
 * that, one that had @port before a restore; failing that, whatever has
 * @port now.  evtchn_lock held.
 */
static struct evt_bind *bind_for_user(evtchn_port_t port)
{
	struct evt_bind *b = bind_at(port), *old;

	if ((b && b->refcounted) || !evt_nr_stale)
		return b;
	list_for_each_entry(old, &evt_all, node)
		if (old->stale == port)
			return old;
	return b;
}

/* ---- creating and dropping bindings ---- */

static void evt_free_work(struct work_struct *work)
{
	struct evt_bind *b = container_of(to_rcu_work(work), struct evt_bind,
					  free_work);

	irq_free_desc(b->irq);
	kfree(b);
}

/* A new IRQ, masked, with no port yet.  evtchn_mutex held. */
static struct evt_bind *evt_new(enum evt_kind kind, unsigned int index,
				bool lateeoi, bool percpu)
{
	const struct irq_chip *chip;
	struct evt_bind *b;
	int irq;

	b = kzalloc(sizeof(*b), GFP_KERNEL);
	if (!b)
		return ERR_PTR(-ENOMEM);
	/* Above the legacy ISA numbers, which drivers may still ask for. */
	irq = irq_alloc_desc_from(NR_IRQS_LEGACY, -1);
	if (irq < 0) {
		kfree(b);
		return ERR_PTR(irq);
	}
	INIT_LIST_HEAD(&b->node);
	INIT_LIST_HEAD(&b->eoi.node);
	INIT_RCU_WORK(&b->free_work, evt_free_work);
	raw_spin_lock_init(&b->lock);
	b->irq = irq;
	b->kind = kind;
	b->index = index;
	b->lateeoi = lateeoi;
	b->priority = XEN_IRQ_PRIORITY_DEFAULT;
	b->masked = EVT_MASK_CORE;	/* as the IRQ core starts it */

	irq_set_chip_data(irq, b);
	if (percpu) {
		irq_set_chip_and_handler_name(irq, &evt_chip_percpu,
					      handle_percpu_irq, "percpu");
		irq_set_status_flags(irq, IRQ_NOPROBE);
	} else {
		chip = lateeoi ? &evt_chip_lateeoi : &evt_chip_dyn;
		irq_set_chip_and_handler_name(irq, chip, handle_edge_irq,
					      "edge");
		/* Moving is a hypercall: fine from any context. */
		irq_set_status_flags(irq, IRQ_NOPROBE | IRQ_MOVE_PCNTXT);
	}
	return b;
}

/* Never published: give it back at once. */
static void evt_discard(struct evt_bind *b)
{
	irq_free_desc(b->irq);
	kfree(b);
}

/*
 * Attach @port, on @cpu, to binding @b and publish it.  The port is
 * masked first and stays so while @b has a mask reason.
 */
static int evt_attach(struct evt_bind *b, evtchn_port_t port,
		      unsigned int cpu, gfp_t gfp)
{
	const struct evtchn_abi *abi = xen_evtchn_abi;
	struct irq_data *d;
	unsigned long flags;
	int rc;

	rc = abi->setup(port, gfp);
	if (!rc)
		rc = port_map_reserve(port, gfp);
	if (rc)
		return rc;

	raw_spin_lock_irqsave(&evtchn_lock, flags);
	/* Look before masking: a port bound already is not ours to mask. */
	if (port_to_irq(port)) {
		raw_spin_unlock_irqrestore(&evtchn_lock, flags);
		pr_warn_ratelimited("port %u is bound already\n", port);
		return -EEXIST;
	}
	abi->mask(port);
	raw_spin_lock(&b->lock);
	WRITE_ONCE(b->port, port);
	b->cpu = cpu;
	if (b->stale) {
		b->stale = 0;
		evt_nr_stale--;
	}
	abi->bind_to_cpu(port, cpu);
	port_map_set(port, b->irq);
	if (b->kind == EVT_VIRQ) {
		per_cpu(virq_irq, b->home)[b->index] = b->irq;
	} else if (b->kind == EVT_IPI) {
		per_cpu(ipi_irq, b->home)[b->index] = b->irq;
		WRITE_ONCE(per_cpu(xen_evtchn_ipi_port, b->home)[b->index],
			   port);
	}
	if (list_empty(&b->node))
		list_add_tail(&b->node, &evt_all);
	if (b->priority != XEN_IRQ_PRIORITY_DEFAULT && abi->set_priority)
		abi->set_priority(port, b->priority);
	if (!b->masked)
		abi->unmask(port);
	raw_spin_unlock(&b->lock);
	raw_spin_unlock_irqrestore(&evtchn_lock, flags);

	d = irq_get_irq_data(b->irq);
	if (b->kind != EVT_PORT)
		irq_data_update_affinity(d, cpumask_of(cpu));
	irq_data_update_effective_affinity(d, cpumask_of(cpu));
	return 0;
}

/*
 * Take the port off @b.  Return: the port, or 0.  The port stays open;
 * @closing says the caller is about to close it.
 */
static evtchn_port_t evt_detach(struct evt_bind *b, bool closing)
{
	struct evtchn_bind_vcpu op = { .vcpu = xen_vcpu_nr(0) };
	unsigned long flags;
	evtchn_port_t port;

	raw_spin_lock_irqsave(&evtchn_lock, flags);
	raw_spin_lock(&b->lock);
	port = b->port;
	if (port) {
		xen_evtchn_abi->mask(port);
		port_map_set(port, 0);
		xen_evtchn_abi->unbind_from_cpu(port, b->cpu);
		WRITE_ONCE(b->port, 0);
		/*
		 * A port left open keeps the vCPU it was moved to, but the
		 * next bind of it, like every new port, starts on CPU 0: on
		 * the 2-level ABI its events would then go unseen.  So an
		 * open port goes back to vCPU 0 now, while it is masked.
		 */
		op.port = port;
		if (!closing && b->kind == EVT_PORT && b->cpu &&
		    HYPERVISOR_event_channel_op(EVTCHNOP_bind_vcpu, &op))
			pr_warn_once("port %u not moved back to CPU 0\n", port);
	}
	if (b->kind == EVT_IPI)
		WRITE_ONCE(per_cpu(xen_evtchn_ipi_port, b->home)[b->index], 0);
	raw_spin_unlock(&b->lock);
	raw_spin_unlock_irqrestore(&evtchn_lock, flags);
	return port;
}

/* Last user gone: unbind, close the port if asked, free after RCU. */
static void evt_release(struct evt_bind *b, bool close)
{
	bool closing = close && !b->keep_open;
	evtchn_port_t port = evt_detach(b, closing);
	unsigned long flags;

	raw_spin_lock_irqsave(&evtchn_lock, flags);
	list_del_init(&b->node);
	if (b->stale) {
		b->stale = 0;
		evt_nr_stale--;
	}
	if (b->kind == EVT_VIRQ)
		per_cpu(virq_irq, b->home)[b->index] = 0;
	else if (b->kind == EVT_IPI)
		per_cpu(ipi_irq, b->home)[b->index] = 0;
	raw_spin_unlock_irqrestore(&evtchn_lock, flags);

	xen_evt_eoi_forget(&b->eoi);
	if (port && closing)
		xen_evt_close(port);
	queue_rcu_work(system_wq, &b->free_work);
}

/* Drop one user.  evtchn_mutex held. */
static void evt_put(struct evt_bind *b, bool close)
{
	if (!b->users) {
		pr_warn_once("IRQ %u unbound once too often\n", b->irq);
		return;
	}
	/* Never free an IRQ that still has a handler installed. */
	if (b->users == 1 && irq_has_action(b->irq)) {
		pr_warn_once("IRQ %u: last unbind with a handler left; kept\n",
			     b->irq);
		return;
	}
	if (!--b->users)
		evt_release(b, close);
}

/*
 * Ask Xen for a new port for VIRQ or IPI binding @b, to notify @cpu.  A
 * global VIRQ can only be bound on vCPU 0, and is moved to @cpu after.
 */
static int evt_connect(struct evt_bind *b, unsigned int cpu, gfp_t gfp)
{
	bool global = b->kind == EVT_VIRQ && !evt_virq_percpu(b->index);
	unsigned int first = global ? 0 : cpu;
	struct irq_data *d;
	evtchn_port_t port;
	int rc;

	if (b->kind == EVT_VIRQ) {
		struct evtchn_bind_virq op = {
			.virq = b->index,
			.vcpu = xen_vcpu_nr(first),
		};

		rc = HYPERVISOR_event_channel_op(EVTCHNOP_bind_virq, &op);
		port = op.port;
	} else {
		struct evtchn_bind_ipi op = { .vcpu = xen_vcpu_nr(first) };

		rc = HYPERVISOR_event_channel_op(EVTCHNOP_bind_ipi, &op);
		port = op.port;
	}
	if (rc)
		return rc;
	if (!xen_evt_port_ok(port, 0))
		return -EIO;
	rc = evt_attach(b, port, first, gfp);
	if (rc) {
		/* -EEXIST: the number is another binding's; leave it be. */
		if (rc != -EEXIST)
			xen_evt_close(port);
		return rc;
	}
	if (first != cpu && xen_support_evtchn_rebind() && !evt_move(b, cpu)) {
		d = irq_get_irq_data(b->irq);
		irq_data_update_affinity(d, cpumask_of(cpu));
		irq_data_update_effective_affinity(d, cpumask_of(cpu));
	}
	return 0;
}

int xen_evt_bind_port(evtchn_port_t port, bool lateeoi, unsigned long ip)
{
	bool fresh = !ip;	/* Xen has just made @port for us */
	struct evt_bind *b;
	int rc;

	if (!xen_evt_port_ok(port, ip))
		return fresh ? -EIO : -EINVAL;
	mutex_lock(&evtchn_mutex);
	b = bind_at(port);
	if (b) {
		/* Shared if bound the same way; a fresh one is Xen's error. */
		rc = -EEXIST;
		if (!fresh && b->kind == EVT_PORT && b->lateeoi == lateeoi) {
			b->users++;
			rc = b->irq;
		}
		goto out;
	}
	b = evt_new(EVT_PORT, 0, lateeoi, false);
	if (IS_ERR(b)) {
		rc = PTR_ERR(b);
		goto out;
	}
	/* On vCPU 0, where Xen puts a new port and evt_detach() an old one. */
	rc = evt_attach(b, port, 0, GFP_KERNEL);
	if (rc) {
		evt_discard(b);
		goto out;
	}
	b->users = 1;
	rc = b->irq;
out:
	mutex_unlock(&evtchn_mutex);
	/* Xen's number of another binding is neither shared nor closed. */
	if (fresh && rc == -EEXIST) {
		pr_warn_once("Xen returned port %u, bound already\n", port);
		rc = -EIO;
	} else if (fresh && rc < 0) {
		xen_evt_close(port);	/* ours alone: nothing has it */
	}
	return rc;
}

int xen_evt_bind_local(enum evt_kind kind, unsigned int index,
		       unsigned int cpu, bool percpu)
{
	struct evt_bind *b;
	unsigned int irq;
	int rc;

	if (cpu >= nr_cpu_ids || !cpu_possible(cpu))
		return -EINVAL;
	mutex_lock(&evtchn_mutex);
	irq = kind == EVT_VIRQ ? per_cpu(virq_irq, cpu)[index] :
				 per_cpu(ipi_irq, cpu)[index];
	if (irq) {
		/* Shared only with a caller that asked for the same handling. */
		rc = -EEXIST;
		if ((irq_get_chip(irq) == &evt_chip_percpu) == percpu) {
			b = irq_get_chip_data(irq);
			b->users++;
			rc = irq;
		}
		goto out;
	}
	/*
	 * The ABI's per-CPU state before the CPU's first port: the FIFO
	 * control block must exist before Xen queues anything for it, and
	 * the CPU's VIRQs and IPIs are bound before our cpuhp state runs.
	 */
	if (xen_evtchn_abi->cpu_prepare) {
		rc = xen_evtchn_abi->cpu_prepare(cpu);
		if (rc)
			goto out;
	}
	b = evt_new(kind, index, false, percpu);
	if (IS_ERR(b)) {
		rc = PTR_ERR(b);
		goto out;
	}
	b->home = cpu;
	rc = evt_connect(b, cpu, GFP_KERNEL);
	if (rc) {
		evt_discard(b);
		goto out;
	}
	b->users = 1;
	rc = b->irq;
out:
	mutex_unlock(&evtchn_mutex);
	return rc;
}

/* request_irq() on a fresh binding; on failure drop it (and close?). */
int xen_evt_request(int irq, irq_handler_t handler, unsigned long flags,
		    const char *devname, void *dev_id, bool close)
{
	int rc;

	if (irq < 0)
		return irq;
	/* The default name is only for /proc/interrupts. */
	rc = request_irq(irq, handler, flags, devname ?: "xen-evtchn", dev_id);
	if (!rc)
		return irq;
	mutex_lock(&evtchn_mutex);
	evt_put(irq_get_chip_data(irq), close);
	mutex_unlock(&evtchn_mutex);
	return rc;
}

/* ---- unbinding, rebinding, user space's references ---- */

/*
 * Whether @irq has a handler with @dev_id.  The IRQ core has no call for
 * it, so read the list under the lock its changes are made under.
 */
static bool evt_has_handler(unsigned int irq, void *dev_id)
{
	struct irq_desc *desc = irq_to_desc(irq);
	struct irqaction *act;
	unsigned long flags;
	bool found = false;

	if (!desc)
		return false;
	raw_spin_lock_irqsave(&desc->lock, flags);
	for (act = desc->action; act && !found; act = act->next)
		found = act->dev_id == dev_id;
	raw_spin_unlock_irqrestore(&desc->lock, flags);
	return found;
}

/**
 * unbind_from_irqhandler - undo any bind_*() call
 * @irq: the IRQ it returned
 * @dev_id: the cookie the handler was installed with
 *
 * Frees the handler, if any; when the last user is gone the IRQ goes and
 * the port is closed (unless it is not ours, or has gone with a restore).
 * If the IRQ has handlers but none with @dev_id, nothing is dropped: the
 * caller named an IRQ that is not its own.
 */
void unbind_from_irqhandler(unsigned int irq, void *dev_id)
{
	struct evt_bind *b = bind_of(irq, _RET_IP_);

	if (!b)
		return;
	/*
	 * Look first: free_irq() WARNs at a stale or wrong @dev_id.  Only its
	 * owner, racing with itself, could free the handler in between.
	 */
	if (irq_has_action(irq)) {
		if (!evt_has_handler(irq, dev_id)) {
			pr_warn_once("IRQ %u: %pS unbinds a handler it does not have\n",
				     irq, (void *)_RET_IP_);
			return;
		}
		free_irq(irq, dev_id);
	}
	mutex_lock(&evtchn_mutex);
	evt_put(b, true);
	mutex_unlock(&evtchn_mutex);
}
EXPORT_SYMBOL_GPL(unbind_from_irqhandler);

/**
 * rebind_evtchn_irq - move a bound IRQ onto another port
 * @evtchn: the new port (after save/restore, from start_info)
 * @irq: an IRQ from bind_evtchn_to_irq*()
 *
 * The handler and mask state stay; the old port, if any, is not closed.
 */
void rebind_evtchn_irq(evtchn_port_t evtchn, int irq)
{
	struct evt_bind *b = bind_of(irq, _RET_IP_);
	int rc;

	if (!b || !xen_evt_port_ok(evtchn, _RET_IP_))
		return;
	if (b->kind != EVT_PORT) {
		pr_warn("IRQ %d is not a plain port; not rebound\n", irq);
		return;
	}
	mutex_lock(&evtchn_mutex);
	if (b->port != evtchn) {
		evt_detach(b, false);
		rc = evt_attach(b, evtchn, 0, GFP_KERNEL);
		if (rc)
			pr_err("IRQ %d: cannot rebind to port %u: %d\n", irq,
			       evtchn, rc);
		else
			irq_data_update_affinity(irq_get_irq_data(irq),
						 cpumask_of(0));
	}
	mutex_unlock(&evtchn_mutex);
}

/**
 * evtchn_make_refcounted - let evtchn_get() and evtchn_put() hold a port
 * @evtchn: a bound port
 * @is_static: the port is not ours to close
 *
 * Marks the binding as user space's (see bind_for_user()).
 *
 * Return: 0, or -ENOENT if @evtchn is not bound.
 */
int evtchn_make_refcounted(evtchn_port_t evtchn, bool is_static)
{
	struct evt_bind *b;
	int rc = -ENOENT;

	if (!xen_evt_port_ok(evtchn, _RET_IP_))
		return -EINVAL;
	mutex_lock(&evtchn_mutex);
	b = bind_at(evtchn);
	if (b && b->kind == EVT_PORT) {
		b->refcounted = true;
		b->keep_open = is_static;
		rc = 0;
	}
	mutex_unlock(&evtchn_mutex);
	return rc;
}
EXPORT_SYMBOL_GPL(evtchn_make_refcounted);

/* The refcounted binding user space means by @port.  evtchn_mutex held. */
static struct evt_bind *bind_refcounted(evtchn_port_t port)
{
	struct evt_bind *b;
	unsigned long flags;

	raw_spin_lock_irqsave(&evtchn_lock, flags);
	b = bind_for_user(port);
	raw_spin_unlock_irqrestore(&evtchn_lock, flags);
	return b && b->refcounted && b->users ? b : NULL;
}

/**
 * evtchn_get - keep a refcounted port bound
 * @evtchn: the port
 *
 * Return: 0, -ENOENT if it is not bound, -EINVAL if not refcounted or
 * out of range.
 */
int evtchn_get(evtchn_port_t evtchn)
{
	struct evt_bind *b;
	int rc = -ENOENT;

	/* Look first, as evtchn_put() does: a stale number may be large. */
	mutex_lock(&evtchn_mutex);
	b = bind_refcounted(evtchn);
	if (b) {
		b->users++;
		rc = 0;
	} else if (bind_at(evtchn)) {
		rc = -EINVAL;
	}
	mutex_unlock(&evtchn_mutex);
	if (rc == -ENOENT && !xen_evt_port_ok(evtchn, _RET_IP_))
		rc = -EINVAL;
	return rc;
}
EXPORT_SYMBOL_GPL(evtchn_get);

/**
 * evtchn_put - drop an evtchn_get() reference
 * @evtchn: the port
 *
 * Ports that are not refcounted are left alone (their binder's user is
 * not ours to drop).
 */
void evtchn_put(evtchn_port_t evtchn)
{
	struct evt_bind *b;

	/* No range check first, as in irq_from_evtchn(). */
	mutex_lock(&evtchn_mutex);
	b = bind_refcounted(evtchn);
	if (b)
		evt_put(b, true);
	mutex_unlock(&evtchn_mutex);
	if (!b && xen_evt_port_ok(evtchn, _RET_IP_))
		pr_warn_once("%s(%u) from %pS: not refcounted\n", __func__,
			     evtchn, (void *)_RET_IP_);
}
EXPORT_SYMBOL_GPL(evtchn_put);

/* ---- using a binding ---- */

/**
 * irq_from_evtchn - the IRQ a port is bound to
 * @evtchn: the port
 *
 * After a restore, a port number user space still holds from before finds
 * its old (port-less) IRQ, unless user space has bound that number anew.
 *
 * Return: the IRQ, or (unsigned int)-1 if the port has none.
 */
unsigned int irq_from_evtchn(evtchn_port_t evtchn)
{
	struct evt_bind *b;
	unsigned long flags;
	unsigned int irq;

	/*
	 * Look first: the map takes any number, and a stale one may lie
	 * beyond the range of the ABI a restore fell back to.
	 */
	raw_spin_lock_irqsave(&evtchn_lock, flags);
	b = bind_for_user(evtchn);
	irq = b ? b->irq : 0;
	raw_spin_unlock_irqrestore(&evtchn_lock, flags);
	if (irq)
		return irq;
	xen_evt_port_ok(evtchn, _RET_IP_);	/* logs a bad number once */
	return -1;
}
EXPORT_SYMBOL_GPL(irq_from_evtchn);

/**
 * xen_evtchn_nr_channels - how many ports are usable now
 *
 * Return: one more than the largest usable port number.
 */
unsigned int xen_evtchn_nr_channels(void)
{
	const struct evtchn_abi *abi = READ_ONCE(xen_evtchn_abi);

	return abi ? abi->nr_channels() : 0;
}
EXPORT_SYMBOL_GPL(xen_evtchn_nr_channels);

/**
 * notify_remote_via_evtchn - make the other end of a port pending
 * @port: our end
 *
 * Safe before xen_init_IRQ() (the early console uses it): the port is then
 * checked against the largest ABI's range.
 */
void notify_remote_via_evtchn(evtchn_port_t port)
{
	if (xen_evt_port_ok(port, _RET_IP_))
		evt_notify(port);
}
EXPORT_SYMBOL_GPL(notify_remote_via_evtchn);

/**
 * notify_remote_via_irq - notify_remote_via_evtchn() by IRQ
 * @irq: a bound IRQ; one without a port (since a restore) is skipped
 */
void notify_remote_via_irq(int irq)
{
	evtchn_port_t port = xen_evt_port_of_irq(irq, _RET_IP_);

	if (port)
		evt_notify(port);
}
EXPORT_SYMBOL_GPL(notify_remote_via_irq);

/**
 * xen_evtchn_close - close a port that has no IRQ
 * @port: the port
 */
void xen_evtchn_close(evtchn_port_t port)
{
	if (xen_evt_port_ok(port, _RET_IP_))
		xen_evt_close(port);
}
EXPORT_SYMBOL_GPL(xen_evtchn_close);

/**
 * xen_irq_lateeoi - end an event of a late-EOI binding
 * @irq: the IRQ
 * @eoi_flags: XEN_EOI_FLAG_SPURIOUS if the event brought no work
 *
 * Unmasks the port now or, after several spurious events in a row, later
 * (evtchn-lateeoi.c).  A call after the last unbind does nothing.
 */
void xen_irq_lateeoi(unsigned int irq, unsigned int eoi_flags)
{
	struct evt_bind *b = bind_of(irq, _RET_IP_);

	if (b && b->lateeoi)
		xen_evt_eoi_end(&b->eoi, eoi_flags & XEN_EOI_FLAG_SPURIOUS);
}
EXPORT_SYMBOL_GPL(xen_irq_lateeoi);

void xen_evtchn_eoi_unmask(struct evt_eoi *e)
{
	evt_unmask(container_of(e, struct evt_bind, eoi), EVT_MASK_EOI);
}

/**
 * xen_set_irq_priority - FIFO priority of a binding
 * @irq: the IRQ
 * @priority: XEN_IRQ_PRIORITY_MAX (0, highest) to XEN_IRQ_PRIORITY_MIN
 *
 * Return: 0, -EINVAL, -EOPNOTSUPP without the FIFO ABI, or Xen's error.
 */
int xen_set_irq_priority(unsigned int irq, unsigned int priority)
{
	struct evt_bind *b = bind_of(irq, _RET_IP_);
	unsigned long flags;
	int rc = 0;

	if (!b || priority > XEN_IRQ_PRIORITY_MIN)
		return -EINVAL;
	if (!xen_evtchn_abi->set_priority)
		return -EOPNOTSUPP;
	raw_spin_lock_irqsave(&b->lock, flags);
	b->priority = priority;
	if (b->port)
		rc = xen_evtchn_abi->set_priority(b->port, priority);
	raw_spin_unlock_irqrestore(&b->lock, flags);
	return rc;
}
EXPORT_SYMBOL_GPL(xen_set_irq_priority);

/* ---- the upcall ---- */

/*
 * Called by the ABI for each pending port it finds, interrupts off.  A
 * port with no IRQ is masked (and left pending, for a binder racing with
 * us: it unmasks once it has published the IRQ, under evtchn_lock).
 */
void xen_evtchn_handle_port(evtchn_port_t port)
{
	unsigned int irq = port_to_irq(port);

	if (likely(irq) && !generic_handle_irq(irq))
		return;
	raw_spin_lock(&evtchn_lock);
	irq = port_to_irq(port);
	if (!irq)
		xen_evtchn_abi->mask(port);
	raw_spin_unlock(&evtchn_lock);
	/*
	 * Mapped but without a descriptor should not happen (descriptors
	 * outlive their mapping by a grace period), but a port left pending
	 * and unmasked would be found again and again: mask it.
	 */
	if (irq && generic_handle_irq(irq)) {
		pr_warn_once("port %u: IRQ %u has no descriptor; masked\n",
			     port, irq);
		xen_evtchn_abi->mask(port);
	}
}

/**
 * xen_evtchn_requeue - have Xen queue a pending port again (FIFO teardown)
 * @port: a port the ABI took off the queues of a dead CPU
 * @gone: that CPU
 *
 * Masking and unmasking a pending port makes Xen link it on the queue of
 * the vCPU it is bound to now.  Not done if that is still @gone (an IRQ
 * that could not move, or @gone's irq_work IPI and PMU VIRQ, closed after
 * us; its other VIRQs and IPIs were closed before us, so their numbers
 * find no binding, or a new owner's), or if the binding has a mask reason
 * (its own unmask will do it).  A port with no binding is masked, as in
 * the upcall.
 */
void xen_evtchn_requeue(evtchn_port_t port, unsigned int gone)
{
	struct evt_bind *b;
	unsigned long flags;

	raw_spin_lock_irqsave(&evtchn_lock, flags);
	b = bind_at(port);
	if (!b) {
		xen_evtchn_abi->mask(port);
	} else {
		raw_spin_lock(&b->lock);
		if (b->port == port && !b->masked && b->cpu != gone) {
			xen_evtchn_abi->mask(port);
			xen_evtchn_abi->unmask(port);
		}
		raw_spin_unlock(&b->lock);
	}
	raw_spin_unlock_irqrestore(&evtchn_lock, flags);
}

/**
 * xen_evtchn_do_upcall - handle every pending event of this CPU
 *
 * Called from Xen's callback, in interrupt context with interrupts off.
 * The flag is cleared before the scan, and the scan repeated while Xen
 * set it again meanwhile, so no event slips between the two.
 *
 * Return: IRQ_HANDLED, or IRQ_NONE before the event layer is set up.
 */
int xen_evtchn_do_upcall(void)
{
	struct vcpu_info *vcpu = __this_cpu_read(xen_vcpu);
	const struct evtchn_abi *abi = READ_ONCE(xen_evtchn_abi);
	unsigned int cpu = smp_processor_id();

	if (unlikely(!vcpu))
		return IRQ_NONE;
	if (unlikely(!abi)) {
		/* Too early: nothing is bound, so nothing to lose. */
		WRITE_ONCE(vcpu->evtchn_upcall_pending, 0);
		return IRQ_NONE;
	}
	do {
		WRITE_ONCE(vcpu->evtchn_upcall_pending, 0);
		/* The flag is clear before we look at what is pending. */
		virt_mb();
		abi->handle_events(cpu);
	} while (READ_ONCE(vcpu->evtchn_upcall_pending));
	return IRQ_HANDLED;
}
EXPORT_SYMBOL_GPL(xen_evtchn_do_upcall);

/* What xen_debug_interrupt() prints of one binding. */
struct evt_dump {
	unsigned int irq, index, port, cpu;
	u8 kind, masked;
	bool lateeoi, pending, hw_masked;
};

#define EVT_DUMP_BATCH	16

/**
 * xen_debug_interrupt - VIRQ_DEBUG handler: print our event state
 * @irq: the IRQ
 * @dev_id: unused
 *
 * The bindings are copied EVT_DUMP_BATCH at a time under evtchn_lock and
 * printed after it is dropped.  A batch finds its place by position, so
 * a bind or unbind meanwhile may make the dump skip or repeat a line.
 *
 * Return: IRQ_HANDLED.
 */
irqreturn_t xen_debug_interrupt(int irq, void *dev_id)
{
	static const char * const kinds[] = { "port", "virq", "ipi" };
	const struct evtchn_abi *abi = xen_evtchn_abi;
	struct vcpu_info *vcpu = __this_cpu_read(xen_vcpu);
	struct evt_dump snap[EVT_DUMP_BATCH], *s;
	unsigned int done = 0, seen, n, i;
	unsigned long flags;
	struct evt_bind *b;

	pr_info("CPU %u: upcall pending %u, mask %u (%s ABI)\n",
		smp_processor_id(), vcpu ? vcpu->evtchn_upcall_pending : 0,
		vcpu ? vcpu->evtchn_upcall_mask : 0, abi->name);
	do {
		n = 0;
		seen = 0;
		raw_spin_lock_irqsave(&evtchn_lock, flags);
		list_for_each_entry(b, &evt_all, node) {
			if (seen++ < done)
				continue;
			if (n == EVT_DUMP_BATCH)
				break;
			s = &snap[n++];
			raw_spin_lock(&b->lock);
			s->irq = b->irq;
			s->kind = b->kind;
			s->index = b->index;
			s->port = b->port;
			s->cpu = b->cpu;
			s->masked = b->masked;
			s->lateeoi = b->lateeoi;
			s->pending = s->port && abi->is_pending(s->port);
			s->hw_masked = s->port && abi->is_masked(s->port);
			raw_spin_unlock(&b->lock);
		}
		raw_spin_unlock_irqrestore(&evtchn_lock, flags);
		for (i = 0; i < n; i++) {
			s = &snap[i];
			pr_info("  IRQ %u: %s %u port %u CPU %u masked %#x%s%s%s\n",
				s->irq, kinds[s->kind], s->index, s->port,
				s->cpu, s->masked, s->lateeoi ? " lateeoi" : "",
				s->pending ? " pending" : "",
				s->hw_masked ? " hw-masked" : "");
		}
		done += n;
	} while (n == EVT_DUMP_BATCH);
	return IRQ_HANDLED;
}

/* ---- save/restore ---- */

/**
 * xen_irq_resume - rebuild the event layer in a restored domain
 *
 * Called by drivers/xen/manage.c on CPU 0 in stop_machine(), interrupts
 * off, after the domain came back as a new one.  Every old port number is
 * forgotten (user space's are remembered as stale, see bind_for_user());
 * VIRQs and IPIs get new ports on their vCPUs; plain ports are left for
 * their owners to rebind.  If the FIFO ABI cannot be set up again (the
 * new host's Xen lacks it), we fall back to the 2-level ABI, which every
 * Xen has and which any binding can use.
 */
void xen_irq_resume(void)
{
	struct evt_bind *b;
	unsigned long flags;
	unsigned int cpu, i;
	int rc;

	rc = xen_evtchn_abi->resume();
	if (rc) {
		pr_warn("%s ABI lost in the restore (%d); going 2-level\n",
			xen_evtchn_abi->name, rc);
		xen_fifo_events = false;
		/* Masks every port and forgets every CPU's ports. */
		WRITE_ONCE(xen_evtchn_abi, xen_evtchn_2l_init());
	}

	raw_spin_lock_irqsave(&evtchn_lock, flags);
	for (i = 0; i < MAP_ROWS; i++)
		if (port_map[i])
			memset(port_map[i], 0, PAGE_SIZE);
	for_each_possible_cpu(cpu)
		for (i = 0; i < XEN_NR_IPIS; i++)
			WRITE_ONCE(per_cpu(xen_evtchn_ipi_port, cpu)[i], 0);
	list_for_each_entry(b, &evt_all, node) {
		raw_spin_lock(&b->lock);
		if (b->kind == EVT_PORT && b->refcounted && b->port &&
		    !b->stale) {
			b->stale = b->port;
			evt_nr_stale++;
		}
		WRITE_ONCE(b->port, 0);
		raw_spin_unlock(&b->lock);
	}
	raw_spin_unlock_irqrestore(&evtchn_lock, flags);

	/*
	 * evt_attach() leaves the list alone.  A binder asleep inside
	 * evtchn_mutex would publish an old port after this; none is today
	 * (NOTES-events, "Resume": why, and what a new one would need).
	 */
	list_for_each_entry(b, &evt_all, node) {
		const char *what = b->kind == EVT_VIRQ ? "VIRQ" : "IPI";

		if (b->kind == EVT_PORT)
			continue;
		rc = evt_connect(b, b->cpu, GFP_ATOMIC);
		if (!rc)
			continue;
		/* Else hung cross-calls and RCU stalls, far from the cause. */
		if (cpu_online(b->home) &&
		    (b->kind == EVT_IPI || b->index == VIRQ_TIMER))
			panic("xen-evtchn: CPU %u lost its %s on restore: %s %u not rebound (%d)\n",
			      b->home, b->kind == EVT_IPI ? "IPIs" : "timer",
			      what, b->index, rc);
		pr_err("%s %u of CPU %u not restored: %d\n", what, b->index,
		       b->home, rc);
	}
}

/* cpuhp: the ABI's per-CPU state, before the CPU comes up ... */
static int evtchn_cpu_prepare(unsigned int cpu)
{
	int rc = 0;

	mutex_lock(&evtchn_mutex);
	if (xen_evtchn_abi->cpu_prepare)
		rc = xen_evtchn_abi->cpu_prepare(cpu);
	mutex_unlock(&evtchn_mutex);
	return rc;
}

/* ... and after it went down (on a CPU still up). */
static int evtchn_cpu_dead(unsigned int cpu)
{
	if (xen_evtchn_abi->cpu_dead)
		xen_evtchn_abi->cpu_dead(cpu);
	return 0;
}

/**
 * xen_init_IRQ - choose the ABI and get ready to bind (x86_init.irqs.intr_init)
 */
void __init xen_init_IRQ(void)
{
	const struct evtchn_abi *abi = NULL;
	int rc;

	if (xen_fifo_events)
		abi = xen_evtchn_fifo_init();
	if (!abi) {
		xen_fifo_events = false;
		abi = xen_evtchn_2l_init();
	}
	WRITE_ONCE(xen_evtchn_abi, abi);
	pr_info("using the %s ABI, %u ports\n", abi->name,
		abi->max_channels());

	rc = cpuhp_setup_state_nocalls(CPUHP_XEN_EVTCHN_PREPARE,
				       "xen/evtchn:prepare",
				       evtchn_cpu_prepare, evtchn_cpu_dead);
	if (rc < 0)
		pr_err("no CPU hotplug callback: %d\n", rc);
}

#if IS_REACHABLE(CONFIG_KUNIT)
#include <kunit/test.h>

static void evt_test_port_range(struct kunit *test)
{
	KUNIT_EXPECT_FALSE(test, evt_port_in_range(0, 4096));
	KUNIT_EXPECT_TRUE(test, evt_port_in_range(1, 4096));
	KUNIT_EXPECT_TRUE(test, evt_port_in_range(4095, 4096));
	KUNIT_EXPECT_FALSE(test, evt_port_in_range(4096, 4096));
}

static void evt_test_virq_kinds(struct kunit *test)
{
	KUNIT_EXPECT_TRUE(test, evt_virq_percpu(VIRQ_TIMER));
	KUNIT_EXPECT_TRUE(test, evt_virq_percpu(VIRQ_DEBUG));
	KUNIT_EXPECT_TRUE(test, evt_virq_percpu(VIRQ_XENPMU));
	KUNIT_EXPECT_FALSE(test, evt_virq_percpu(VIRQ_CONSOLE));
	KUNIT_EXPECT_FALSE(test, evt_virq_percpu(VIRQ_ENOMEM));
	KUNIT_EXPECT_FALSE(test, evt_virq_percpu(VIRQ_ARCH_0));
}

static struct kunit_case evt_test_cases[] = {
	KUNIT_CASE(evt_test_port_range),
	KUNIT_CASE(evt_test_virq_kinds),
	{}
};

static struct kunit_suite evt_test_suite = {
	.name = "xen-evtchn",
	.test_cases = evt_test_cases,
};

kunit_test_suite(evt_test_suite);
#endif /* IS_REACHABLE(CONFIG_KUNIT) */
