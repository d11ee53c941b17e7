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
 *  - late EOI with spurious-event accounting, and save/restore.
 *
 * Masking.  A port may be masked for several reasons at once: the IRQ core
 * asked (disable_irq, a flow handler), or a late-EOI event is still with
 * its driver.  Each binding keeps the set of reasons; the port's mask bit
 * is set while any reason remains, and unmasking with the last reason gone
 * also makes Xen notify us again if the port became pending meanwhile.
 *
 * Late EOI.  On a *_lateeoi binding, acknowledging an event masks the port
 * until the driver calls xen_irq_lateeoi().  A backend that keeps
 * signalling without giving us work would otherwise keep a vCPU in its
 * interrupt handler: so the EOIs flagged spurious are counted, and past a
 * few in a row the unmask is put off by a delay that doubles with each
 * further one, up to EVT_EOI_DELAY_MAX_MS; one useful event resets it.
 *
 * Save/restore.  A restored or migrated domain has no event channels at
 * all.  xen_irq_resume() lets the ABI reset its state, forgets every port
 * number (a number may now mean another channel: we must never close or
 * notify an old one), and binds every VIRQ and IPI again on its vCPU.
 * Plain ports stay unbound; their owners get new ones through xenbus and
 * either rebind_evtchn_irq() or unbind and bind afresh.
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
 * logged once.  Physical IRQs (PIRQs), dom0 and PCI passthrough are left
 * out: this is a domU's event layer.
 */

#define pr_fmt(fmt) "xen-evtchn: " fmt

#include <linux/cpuhotplug.h>
#include <linux/cpumask.h>
#include <linux/export.h>
#include <linux/gfp.h>
#include <linux/init.h>
#include <linux/interrupt.h>
#include <linux/irq.h>
#include <linux/irqdesc.h>
#include <linux/jiffies.h>
#include <linux/list.h>
#include <linux/minmax.h>
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

static const struct evtchn_abi *evtchn_abi __read_mostly;

enum evt_kind { EVT_PORT, EVT_VIRQ, EVT_IPI };

/* Why a port is masked; it is unmasked when none is left. */
#define EVT_MASK_CORE	BIT(0)	/* the IRQ core masked or disabled it */
#define EVT_MASK_EOI	BIT(1)	/* an event is with its driver (late EOI) */

/* Late EOI: spurious EOIs in a row that cost nothing, and the cap. */
#define EVT_SPURIOUS_FREE	2
#define EVT_EOI_DELAY_MAX_MS	10U

/**
 * struct evt_bind - one Linux IRQ and the port behind it
 * @node: in evt_all
 * @eoi_node: in eoi_delayed while an unmask is put off
 * @free_work: gives back the IRQ and this after a grace period
 * @lock: guards @port, @cpu and @masked
 * @irq: the Linux IRQ
 * @port: the port, 0 while there is none (not yet, or since a restore)
 * @kind: EVT_PORT, EVT_VIRQ or EVT_IPI
 * @index: the VIRQ or IPI number
 * @cpu: the CPU the port notifies
 * @users: binds plus evtchn_get() references; at 0 the binding goes
 * @priority: FIFO priority, applied again when the port changes
 * @spurious: spurious late EOIs in a row
 * @eoi_due: jiffies at which a put-off unmask is due
 * @masked: EVT_MASK_* reasons
 * @lateeoi: a *_lateeoi binding
 * @refcounted: evtchn_get() and evtchn_put() are allowed
 * @keep_open: the port is not ours to close (a "static" one)
 */
struct evt_bind {
	struct list_head node;
	struct list_head eoi_node;
	struct rcu_work free_work;
	raw_spinlock_t lock;
	unsigned int irq;
	evtchn_port_t port;
	enum evt_kind kind;
	unsigned int index;
	unsigned int cpu;
	unsigned int users;
	unsigned int priority;
	unsigned int spurious;
	unsigned long eoi_due;
	u8 masked;
	bool lateeoi;
	bool refcounted;
	bool keep_open;
};

static DEFINE_MUTEX(evtchn_mutex);
static DEFINE_RAW_SPINLOCK(evtchn_lock);
static LIST_HEAD(evt_all);

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
static DEFINE_PER_CPU(evtchn_port_t [XEN_NR_IPIS], ipi_port);

/* Bindings whose late-EOI unmask is put off, and the work that ends it. */
static DEFINE_SPINLOCK(eoi_lock);
static LIST_HEAD(eoi_delayed);
static bool eoi_armed;
static unsigned long eoi_next;
static void evt_eoi_worker(struct work_struct *work);
static DECLARE_DELAYED_WORK(eoi_work, evt_eoi_worker);

/* ---- pure helpers (KUnit below) ---- */

static bool evt_port_in_range(evtchn_port_t port, unsigned int max)
{
	/* Xen never hands out port 0. */
	return port && port < max;
}

/*
 * evt_eoi_delay - account one late EOI
 * @spurious: spurious EOIs in a row so far; updated
 * @was_spurious: this one brought no work
 *
 * Return: how many milliseconds to keep the port masked (0: unmask now).
 */
static unsigned int evt_eoi_delay(unsigned int *spurious, bool was_spurious)
{
	unsigned int n;

	if (!was_spurious) {
		*spurious = 0;
		return 0;
	}
	n = *spurious;
	if (n < UINT_MAX)
		*spurious = ++n;
	if (n <= EVT_SPURIOUS_FREE)
		return 0;
	n -= EVT_SPURIOUS_FREE + 1;
	return n < 31 ? min(1U << n, EVT_EOI_DELAY_MAX_MS) :
			EVT_EOI_DELAY_MAX_MS;
}

/* ---- ports, IRQs and the map ---- */

static noinline bool evt_port_ok(evtchn_port_t port)
{
	const struct evtchn_abi *abi = READ_ONCE(evtchn_abi);
	unsigned int max = abi ? abi->max_channels() : EVTCHN_FIFO_NR_CHANNELS;

	if (likely(evt_port_in_range(port, max)))
		return true;
	pr_warn_once("refusing port %u (from %pS)\n", port,
		     __builtin_return_address(0));
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

/* ---- masking, and the irq_chips ---- */

static void evt_mask(struct evt_bind *b, u8 why)
{
	unsigned long flags;

	raw_spin_lock_irqsave(&b->lock, flags);
	if (!b->masked && b->port)
		evtchn_abi->mask(b->port);
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
			evtchn_abi->unmask(b->port);
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
		evtchn_abi->clear_pending(b->port);
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
			evtchn_abi->mask(b->port);
		evtchn_abi->set_pending(b->port);
		if (!b->masked)
			evtchn_abi->unmask(b->port);
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
			evtchn_abi->mask(op.port);
		rc = HYPERVISOR_event_channel_op(EVTCHNOP_bind_vcpu, &op);
		if (!rc) {
			evtchn_abi->bind_to_cpu(op.port, cpu);
			evtchn_abi->unbind_from_cpu(op.port, b->cpu);
			b->cpu = cpu;
		}
		if (!b->masked)
			evtchn_abi->unmask(op.port);
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

/* A port the caller owns: movable between vCPUs. */
static const struct irq_chip evt_chip_dyn = {
	.name			= "xen-dyn",
	.irq_enable		= evt_chip_unmask,
	.irq_disable		= evt_chip_mask,
	.irq_mask		= evt_chip_mask,
	.irq_unmask		= evt_chip_unmask,
	.irq_ack		= evt_chip_ack,
	.irq_mask_ack		= evt_chip_mask_ack,
	.irq_set_affinity	= evt_chip_set_affinity,
	.irq_retrigger		= evt_chip_retrigger,
};

/* The same, its events ended by the driver's xen_irq_lateeoi(). */
static const struct irq_chip evt_chip_lateeoi = {
	.name			= "xen-dyn-lateeoi",
	.irq_enable		= evt_chip_unmask,
	.irq_disable		= evt_chip_mask,
	.irq_mask		= evt_chip_mask,
	.irq_unmask		= evt_chip_unmask,
	.irq_ack		= evt_chip_ack_lateeoi,
	.irq_mask_ack		= evt_chip_mask_ack,
	.irq_set_affinity	= evt_chip_set_affinity,
	.irq_retrigger		= evt_chip_retrigger,
};

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

/* The binding behind @irq, or NULL (logged once) if it is not ours. */
static noinline struct evt_bind *bind_of(unsigned int irq)
{
	struct irq_data *d = irq_get_irq_data(irq);

	if (likely(d && (d->chip == &evt_chip_dyn ||
			 d->chip == &evt_chip_lateeoi ||
			 d->chip == &evt_chip_percpu) && d->chip_data))
		return d->chip_data;
	pr_warn_once("IRQ %u is not an event channel (from %pS)\n", irq,
		     __builtin_return_address(0));
	return NULL;
}

static evtchn_port_t port_of_irq(unsigned int irq)
{
	struct evt_bind *b = bind_of(irq);

	return b ? READ_ONCE(b->port) : 0;
}

/* The binding of a port, or NULL.  evtchn_mutex held. */
static struct evt_bind *bind_at(evtchn_port_t port)
{
	unsigned int irq = port_to_irq(port);

	return irq ? irq_get_chip_data(irq) : NULL;
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
	INIT_LIST_HEAD(&b->eoi_node);
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
	const struct evtchn_abi *abi = evtchn_abi;
	struct irq_data *d;
	unsigned long flags;
	int rc;

	rc = abi->setup(port, gfp);
	if (!rc)
		rc = port_map_reserve(port, gfp);
	if (rc)
		return rc;
	abi->mask(port);

	raw_spin_lock_irqsave(&evtchn_lock, flags);
	if (port_to_irq(port)) {
		raw_spin_unlock_irqrestore(&evtchn_lock, flags);
		pr_warn("port %u is bound already\n", port);
		return -EEXIST;
	}
	raw_spin_lock(&b->lock);
	b->port = port;
	b->cpu = cpu;
	abi->bind_to_cpu(port, cpu);
	port_map_set(port, b->irq);
	if (b->kind == EVT_VIRQ) {
		per_cpu(virq_irq, cpu)[b->index] = b->irq;
	} else if (b->kind == EVT_IPI) {
		per_cpu(ipi_irq, cpu)[b->index] = b->irq;
		WRITE_ONCE(per_cpu(ipi_port, cpu)[b->index], port);
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

/* Take the port off @b (it stays open).  Return: the port, or 0. */
static evtchn_port_t evt_detach(struct evt_bind *b)
{
	unsigned long flags;
	evtchn_port_t port;

	raw_spin_lock_irqsave(&evtchn_lock, flags);
	raw_spin_lock(&b->lock);
	port = b->port;
	if (port) {
		evtchn_abi->mask(port);
		port_map_set(port, 0);
		evtchn_abi->unbind_from_cpu(port, b->cpu);
		b->port = 0;
	}
	if (b->kind == EVT_IPI)
		WRITE_ONCE(per_cpu(ipi_port, b->cpu)[b->index], 0);
	raw_spin_unlock(&b->lock);
	raw_spin_unlock_irqrestore(&evtchn_lock, flags);
	return port;
}

/* Last user gone: unbind, close the port if asked, free after RCU. */
static void evt_release(struct evt_bind *b, bool close)
{
	evtchn_port_t port = evt_detach(b);
	unsigned long flags;

	raw_spin_lock_irqsave(&evtchn_lock, flags);
	list_del_init(&b->node);
	if (b->kind == EVT_VIRQ)
		per_cpu(virq_irq, b->cpu)[b->index] = 0;
	else if (b->kind == EVT_IPI)
		per_cpu(ipi_irq, b->cpu)[b->index] = 0;
	raw_spin_unlock_irqrestore(&evtchn_lock, flags);

	spin_lock_irqsave(&eoi_lock, flags);
	list_del_init(&b->eoi_node);
	spin_unlock_irqrestore(&eoi_lock, flags);

	if (port && close && !b->keep_open)
		xen_evtchn_close(port);
	queue_rcu_work(system_wq, &b->free_work);
}

/* Drop one user.  evtchn_mutex held. */
static void evt_put(struct evt_bind *b, bool close)
{
	if (!b->users) {
		pr_warn_once("IRQ %u unbound once too often\n", b->irq);
		return;
	}
	if (!--b->users)
		evt_release(b, close);
}

/* Ask Xen for a new port for VIRQ or IPI binding @b on @cpu. */
static int evt_connect(struct evt_bind *b, unsigned int cpu, gfp_t gfp)
{
	evtchn_port_t port;
	int rc;

	if (b->kind == EVT_VIRQ) {
		struct evtchn_bind_virq op = {
			.virq = b->index,
			.vcpu = xen_vcpu_nr(cpu),
		};

		rc = HYPERVISOR_event_channel_op(EVTCHNOP_bind_virq, &op);
		port = op.port;
	} else {
		struct evtchn_bind_ipi op = { .vcpu = xen_vcpu_nr(cpu) };

		rc = HYPERVISOR_event_channel_op(EVTCHNOP_bind_ipi, &op);
		port = op.port;
	}
	if (rc)
		return rc;
	if (!evt_port_ok(port))
		return -EIO;
	rc = evt_attach(b, port, cpu, gfp);
	if (rc)
		xen_evtchn_close(port);
	return rc;
}

static int evt_bind_port(evtchn_port_t port, bool lateeoi)
{
	struct evt_bind *b;
	int rc;

	if (!evt_port_ok(port))
		return -EINVAL;
	mutex_lock(&evtchn_mutex);
	b = bind_at(port);
	if (b) {
		/* Bound already: share it if it is the same kind. */
		rc = -EEXIST;
		if (b->kind == EVT_PORT && b->lateeoi == lateeoi) {
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
	/* Xen binds a new port to vCPU 0. */
	rc = evt_attach(b, port, 0, GFP_KERNEL);
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

static int evt_bind_local(enum evt_kind kind, unsigned int index,
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
		b = irq_get_chip_data(irq);
		b->users++;
		rc = irq;
		goto out;
	}
	b = evt_new(kind, index, false, percpu);
	if (IS_ERR(b)) {
		rc = PTR_ERR(b);
		goto out;
	}
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
static int evt_request(int irq, irq_handler_t handler, unsigned long flags,
		       const char *devname, void *dev_id, bool close)
{
	int rc;

	if (irq < 0)
		return irq;
	rc = request_irq(irq, handler, flags, devname, dev_id);
	if (!rc)
		return irq;
	mutex_lock(&evtchn_mutex);
	evt_put(irq_get_chip_data(irq), close);
	mutex_unlock(&evtchn_mutex);
	return rc;
}

/* ---- binding API ---- */

/**
 * bind_evtchn_to_irq - give a port we own a Linux IRQ
 * @evtchn: the port (allocated unbound, or bound interdomain, by the caller)
 *
 * No handler is installed; the IRQ stays masked until request_irq().  A
 * port bound already in the same way returns the same IRQ.
 *
 * Return: the IRQ, or a negative errno (the port is then left open).
 */
int bind_evtchn_to_irq(evtchn_port_t evtchn)
{
	return evt_bind_port(evtchn, false);
}
EXPORT_SYMBOL_GPL(bind_evtchn_to_irq);

/**
 * bind_evtchn_to_irq_lateeoi - bind_evtchn_to_irq() with late EOI
 * @evtchn: the port
 *
 * Each event then keeps the port masked until xen_irq_lateeoi().
 *
 * Return: the IRQ, or a negative errno (the port is then left open).
 */
int bind_evtchn_to_irq_lateeoi(evtchn_port_t evtchn)
{
	return evt_bind_port(evtchn, true);
}
EXPORT_SYMBOL_GPL(bind_evtchn_to_irq_lateeoi);

/**
 * bind_evtchn_to_irqhandler - bind a port we own and install a handler
 * @evtchn: the port
 * @handler: the handler
 * @irqflags: for request_irq()
 * @devname: the name /proc/interrupts shows
 * @dev_id: the handler's cookie
 *
 * Return: the IRQ, or a negative errno (the port is then left open).
 */
int bind_evtchn_to_irqhandler(evtchn_port_t evtchn, irq_handler_t handler,
			      unsigned long irqflags, const char *devname,
			      void *dev_id)
{
	return evt_request(evt_bind_port(evtchn, false), handler, irqflags,
			   devname, dev_id, false);
}
EXPORT_SYMBOL_GPL(bind_evtchn_to_irqhandler);

/**
 * bind_evtchn_to_irqhandler_lateeoi - the same, with late EOI
 * @evtchn: the port
 * @handler: the handler, which ends each event with xen_irq_lateeoi()
 * @irqflags: for request_irq()
 * @devname: the name /proc/interrupts shows
 * @dev_id: the handler's cookie
 *
 * Return: the IRQ, or a negative errno (the port is then left open).
 */
int bind_evtchn_to_irqhandler_lateeoi(evtchn_port_t evtchn,
				      irq_handler_t handler,
				      unsigned long irqflags,
				      const char *devname, void *dev_id)
{
	return evt_request(evt_bind_port(evtchn, true), handler, irqflags,
			   devname, dev_id, false);
}
EXPORT_SYMBOL_GPL(bind_evtchn_to_irqhandler_lateeoi);

/**
 * bind_interdomain_evtchn_to_irq_lateeoi - connect to a remote port
 * @dev: the xenbus device whose other end offers @remote_port
 * @remote_port: the other end's unbound port
 *
 * Return: the IRQ (late EOI), or a negative errno.
 */
int bind_interdomain_evtchn_to_irq_lateeoi(struct xenbus_device *dev,
					   evtchn_port_t remote_port)
{
	struct evtchn_bind_interdomain op = {
		.remote_dom = dev->otherend_id,
		.remote_port = remote_port,
	};
	int irq;

	irq = HYPERVISOR_event_channel_op(EVTCHNOP_bind_interdomain, &op);
	if (irq)
		return irq;
	if (!evt_port_ok(op.local_port))
		return -EIO;
	irq = evt_bind_port(op.local_port, true);
	if (irq < 0)
		xen_evtchn_close(op.local_port);
	return irq;
}
EXPORT_SYMBOL_GPL(bind_interdomain_evtchn_to_irq_lateeoi);

/**
 * bind_interdomain_evtchn_to_irqhandler_lateeoi - connect and install
 * @dev: the xenbus device whose other end offers @remote_port
 * @remote_port: the other end's unbound port
 * @handler: the handler, which ends each event with xen_irq_lateeoi()
 * @irqflags: for request_irq()
 * @devname: the name /proc/interrupts shows
 * @dev_id: the handler's cookie
 *
 * Return: the IRQ, or a negative errno (nothing is left bound or open).
 */
int bind_interdomain_evtchn_to_irqhandler_lateeoi(struct xenbus_device *dev,
						  evtchn_port_t remote_port,
						  irq_handler_t handler,
						  unsigned long irqflags,
						  const char *devname,
						  void *dev_id)
{
	int irq = bind_interdomain_evtchn_to_irq_lateeoi(dev, remote_port);

	return evt_request(irq, handler, irqflags, devname, dev_id, true);
}
EXPORT_SYMBOL_GPL(bind_interdomain_evtchn_to_irqhandler_lateeoi);

/**
 * bind_virq_to_irq - bind a virtual IRQ of a vCPU
 * @virq: VIRQ_*
 * @cpu: the CPU whose vCPU receives it
 * @percpu: handle it as a per-CPU interrupt
 *
 * Return: the IRQ (the same one if bound already), or a negative errno.
 */
int bind_virq_to_irq(unsigned int virq, unsigned int cpu, bool percpu)
{
	if (virq >= NR_VIRQS)
		return -EINVAL;
	return evt_bind_local(EVT_VIRQ, virq, cpu, percpu);
}

/**
 * bind_virq_to_irqhandler - bind a virtual IRQ and install a handler
 * @virq: VIRQ_*
 * @cpu: the CPU whose vCPU receives it
 * @handler: the handler
 * @irqflags: for request_irq(); IRQF_PERCPU makes it a per-CPU interrupt
 * @devname: the name /proc/interrupts shows
 * @dev_id: the handler's cookie
 *
 * Return: the IRQ, or a negative errno.
 */
int bind_virq_to_irqhandler(unsigned int virq, unsigned int cpu,
			    irq_handler_t handler, unsigned long irqflags,
			    const char *devname, void *dev_id)
{
	int irq = bind_virq_to_irq(virq, cpu, irqflags & IRQF_PERCPU);

	return evt_request(irq, handler, irqflags, devname, dev_id, true);
}
EXPORT_SYMBOL_GPL(bind_virq_to_irqhandler);

/**
 * bind_ipi_to_irqhandler - bind an IPI channel of a vCPU
 * @ipi: which IPI
 * @cpu: the CPU that receives it
 * @handler: the handler
 * @irqflags: for request_irq()
 * @devname: the name /proc/interrupts shows
 * @dev_id: the handler's cookie
 *
 * IPIs stay enabled across system suspend: stop_machine() needs them.
 *
 * Return: the IRQ, or a negative errno.
 */
int bind_ipi_to_irqhandler(enum ipi_vector ipi, unsigned int cpu,
			   irq_handler_t handler, unsigned long irqflags,
			   const char *devname, void *dev_id)
{
	int irq;

	if ((unsigned int)ipi >= XEN_NR_IPIS || ipi == XEN_NMI_VECTOR)
		return -EINVAL;
	irq = evt_bind_local(EVT_IPI, ipi, cpu, true);
	return evt_request(irq, handler, irqflags | IRQF_NO_SUSPEND, devname,
			   dev_id, true);
}

/**
 * unbind_from_irqhandler - undo any bind_*() call
 * @irq: the IRQ it returned
 * @dev_id: the cookie the handler was installed with
 *
 * Frees the handler, if any; when the last user is gone the IRQ goes and
 * the port is closed (unless it is not ours, or has gone with a restore).
 */
void unbind_from_irqhandler(unsigned int irq, void *dev_id)
{
	struct evt_bind *b = bind_of(irq);

	if (!b)
		return;
	if (irq_has_action(irq))
		free_irq(irq, dev_id);
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
	struct evt_bind *b = bind_of(irq);
	int rc;

	if (!b || !evt_port_ok(evtchn))
		return;
	if (b->kind != EVT_PORT) {
		pr_warn("IRQ %d is not a plain port; not rebound\n", irq);
		return;
	}
	mutex_lock(&evtchn_mutex);
	if (b->port != evtchn) {
		evt_detach(b);
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
 * Return: 0, or -ENOENT if @evtchn is not bound.
 */
int evtchn_make_refcounted(evtchn_port_t evtchn, bool is_static)
{
	struct evt_bind *b;
	int rc = -ENOENT;

	if (!evt_port_ok(evtchn))
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

/**
 * evtchn_get - keep a refcounted port bound
 * @evtchn: the port
 *
 * Return: 0, -ENOENT if it is not bound, -EINVAL if not refcounted.
 */
int evtchn_get(evtchn_port_t evtchn)
{
	struct evt_bind *b;
	int rc = -ENOENT;

	if (!evt_port_ok(evtchn))
		return -EINVAL;
	mutex_lock(&evtchn_mutex);
	b = bind_at(evtchn);
	if (b && b->users)
		rc = b->refcounted ? 0 : -EINVAL;
	if (!rc)
		b->users++;
	mutex_unlock(&evtchn_mutex);
	return rc;
}
EXPORT_SYMBOL_GPL(evtchn_get);

/**
 * evtchn_put - drop an evtchn_get() reference
 * @evtchn: the port
 */
void evtchn_put(evtchn_port_t evtchn)
{
	struct evt_bind *b;

	if (!evt_port_ok(evtchn))
		return;
	mutex_lock(&evtchn_mutex);
	b = bind_at(evtchn);
	if (b)
		evt_put(b, true);
	mutex_unlock(&evtchn_mutex);
}
EXPORT_SYMBOL_GPL(evtchn_put);

/* ---- using a binding ---- */

/**
 * irq_from_evtchn - the IRQ a port is bound to
 * @evtchn: the port
 *
 * Return: the IRQ, or (unsigned int)-1 if the port has none.
 */
unsigned int irq_from_evtchn(evtchn_port_t evtchn)
{
	unsigned int irq;

	if (!evt_port_ok(evtchn))
		return -1;
	irq = port_to_irq(evtchn);
	return irq ? irq : -1;
}
EXPORT_SYMBOL_GPL(irq_from_evtchn);

/**
 * xen_evtchn_nr_channels - how many ports are usable now
 *
 * Return: one more than the largest usable port number.
 */
unsigned int xen_evtchn_nr_channels(void)
{
	const struct evtchn_abi *abi = READ_ONCE(evtchn_abi);

	return abi ? abi->nr_channels() : 0;
}
EXPORT_SYMBOL_GPL(xen_evtchn_nr_channels);

/**
 * notify_remote_via_evtchn - make the other end of a port pending
 * @port: our end
 */
void notify_remote_via_evtchn(evtchn_port_t port)
{
	struct evtchn_send op = { .port = port };

	if (evt_port_ok(port))
		(void)HYPERVISOR_event_channel_op(EVTCHNOP_send, &op);
}
EXPORT_SYMBOL_GPL(notify_remote_via_evtchn);

/**
 * notify_remote_via_irq - notify_remote_via_evtchn() by IRQ
 * @irq: a bound IRQ; one without a port (since a restore) is skipped
 */
void notify_remote_via_irq(int irq)
{
	evtchn_port_t port = port_of_irq(irq);

	if (port)
		notify_remote_via_evtchn(port);
}
EXPORT_SYMBOL_GPL(notify_remote_via_irq);

/**
 * xen_evtchn_close - close a port that has no IRQ
 * @port: the port
 */
void xen_evtchn_close(evtchn_port_t port)
{
	struct evtchn_close op = { .port = port };
	int rc;

	if (!evt_port_ok(port))
		return;
	rc = HYPERVISOR_event_channel_op(EVTCHNOP_close, &op);
	if (rc)
		pr_warn_once("closing port %u failed: %d\n", port, rc);
}
EXPORT_SYMBOL_GPL(xen_evtchn_close);

/**
 * xen_send_IPI_one - interrupt another CPU
 * @cpu: the target
 * @vector: which IPI; XEN_NMI_VECTOR sends an NMI
 */
void xen_send_IPI_one(unsigned int cpu, enum ipi_vector vector)
{
	evtchn_port_t port = 0;

	if (cpu < nr_cpu_ids && (unsigned int)vector < XEN_NR_IPIS)
		port = READ_ONCE(per_cpu(ipi_port, cpu)[vector]);
	if (vector == XEN_NMI_VECTOR && cpu < nr_cpu_ids)
		HYPERVISOR_vcpu_op(VCPUOP_send_nmi, xen_vcpu_nr(cpu), NULL);
	else if (port)
		notify_remote_via_evtchn(port);
	else
		pr_warn_once("IPI %d to CPU %u is not bound\n", vector, cpu);
}

/**
 * xen_irq_lateeoi - end an event of a late-EOI binding
 * @irq: the IRQ
 * @eoi_flags: XEN_EOI_FLAG_SPURIOUS if the event brought no work
 *
 * Unmasks the port now or, after several spurious events in a row, later.
 */
void xen_irq_lateeoi(unsigned int irq, unsigned int eoi_flags)
{
	struct evt_bind *b = bind_of(irq);
	unsigned long flags, delay;
	unsigned int ms;

	if (!b || !b->lateeoi)
		return;
	spin_lock_irqsave(&eoi_lock, flags);
	ms = evt_eoi_delay(&b->spurious, eoi_flags & XEN_EOI_FLAG_SPURIOUS);
	if (!ms) {
		list_del_init(&b->eoi_node);
		spin_unlock_irqrestore(&eoi_lock, flags);
		evt_unmask(b, EVT_MASK_EOI);
		return;
	}
	delay = msecs_to_jiffies(ms);
	b->eoi_due = jiffies + delay;
	list_move_tail(&b->eoi_node, &eoi_delayed);
	if (!eoi_armed || time_before(b->eoi_due, eoi_next)) {
		eoi_armed = true;
		eoi_next = b->eoi_due;
		mod_delayed_work(system_wq, &eoi_work, delay);
	}
	spin_unlock_irqrestore(&eoi_lock, flags);
}
EXPORT_SYMBOL_GPL(xen_irq_lateeoi);

/* Unmask the bindings whose delay is over; wait again for the rest. */
static void evt_eoi_worker(struct work_struct *work)
{
	unsigned long now = jiffies, flags;
	struct evt_bind *b, *tmp;

	spin_lock_irqsave(&eoi_lock, flags);
	eoi_armed = false;
	list_for_each_entry_safe(b, tmp, &eoi_delayed, eoi_node) {
		if (time_before(now, b->eoi_due)) {
			if (!eoi_armed || time_before(b->eoi_due, eoi_next))
				eoi_next = b->eoi_due;
			eoi_armed = true;
			continue;
		}
		list_del_init(&b->eoi_node);
		evt_unmask(b, EVT_MASK_EOI);
	}
	if (eoi_armed)
		mod_delayed_work(system_wq, &eoi_work, eoi_next - now);
	spin_unlock_irqrestore(&eoi_lock, flags);
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
	struct evt_bind *b = bind_of(irq);
	unsigned long flags;
	int rc = 0;

	if (!b || priority > XEN_IRQ_PRIORITY_MIN)
		return -EINVAL;
	if (!evtchn_abi->set_priority)
		return -EOPNOTSUPP;
	raw_spin_lock_irqsave(&b->lock, flags);
	b->priority = priority;
	if (b->port)
		rc = evtchn_abi->set_priority(b->port, priority);
	raw_spin_unlock_irqrestore(&b->lock, flags);
	return rc;
}
EXPORT_SYMBOL_GPL(xen_set_irq_priority);

/**
 * xen_clear_irq_pending - forget an event on a binding's port (PV spinlocks)
 * @irq: the IRQ
 */
void xen_clear_irq_pending(int irq)
{
	evtchn_port_t port = port_of_irq(irq);

	if (port)
		evtchn_abi->clear_pending(port);
}
EXPORT_SYMBOL_GPL(xen_clear_irq_pending);

/**
 * xen_test_irq_pending - whether a binding's port is pending
 * @irq: the IRQ
 *
 * Return: true if pending.
 */
bool xen_test_irq_pending(int irq)
{
	evtchn_port_t port = port_of_irq(irq);

	return port && evtchn_abi->is_pending(port);
}

/**
 * xen_poll_irq_timeout - block until a binding's port is pending
 * @irq: the IRQ (normally disabled, so no handler runs)
 * @timeout: SCHEDOP_poll's timeout (Xen system time, ns); 0 for none
 */
void xen_poll_irq_timeout(int irq, u64 timeout)
{
	evtchn_port_t port = port_of_irq(irq);
	struct sched_poll poll = { .nr_ports = 1, .timeout = timeout };
	int rc;

	if (!port)
		return;
	set_xen_guest_handle(poll.ports, &port);
	rc = HYPERVISOR_sched_op(SCHEDOP_poll, &poll);
	if (rc)
		pr_warn_once("SCHEDOP_poll on port %u failed: %d\n", port, rc);
}
EXPORT_SYMBOL_GPL(xen_poll_irq_timeout);

/**
 * xen_poll_irq - xen_poll_irq_timeout() without a timeout
 * @irq: the IRQ
 */
void xen_poll_irq(int irq)
{
	xen_poll_irq_timeout(irq, 0);
}

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
		evtchn_abi->mask(port);
	raw_spin_unlock(&evtchn_lock);
	if (irq)
		generic_handle_irq(irq);
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
	const struct evtchn_abi *abi = READ_ONCE(evtchn_abi);
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

/**
 * xen_debug_interrupt - VIRQ_DEBUG handler: print our event state
 * @irq: the IRQ
 * @dev_id: unused
 *
 * Return: IRQ_HANDLED.
 */
irqreturn_t xen_debug_interrupt(int irq, void *dev_id)
{
	struct vcpu_info *vcpu = __this_cpu_read(xen_vcpu);
	static const char * const kinds[] = { "port", "virq", "ipi" };
	struct evt_bind *b;
	unsigned long flags;

	pr_info("CPU %u: upcall pending %u, mask %u (%s ABI)\n",
		smp_processor_id(), vcpu ? vcpu->evtchn_upcall_pending : 0,
		vcpu ? vcpu->evtchn_upcall_mask : 0, evtchn_abi->name);
	raw_spin_lock_irqsave(&evtchn_lock, flags);
	list_for_each_entry(b, &evt_all, node) {
		evtchn_port_t port = READ_ONCE(b->port);

		pr_info("  IRQ %u: %s %u port %u CPU %u masked %#x%s%s%s\n",
			b->irq, kinds[b->kind], b->index, port, b->cpu,
			b->masked, b->lateeoi ? " lateeoi" : "",
			port && evtchn_abi->is_pending(port) ? " pending" : "",
			port && evtchn_abi->is_masked(port) ? " hw-masked" : "");
	}
	raw_spin_unlock_irqrestore(&evtchn_lock, flags);
	return IRQ_HANDLED;
}

/* ---- save/restore ---- */

/**
 * xen_irq_resume - rebuild the event layer in a restored domain
 *
 * Called by drivers/xen/manage.c on CPU 0 in stop_machine(), interrupts
 * off, after the domain came back as a new one.  Every old port number is
 * forgotten; VIRQs and IPIs get new ports on their vCPUs; plain ports are
 * left for their owners to rebind.
 */
void xen_irq_resume(void)
{
	struct evt_bind *b;
	unsigned long flags;
	unsigned int cpu, i;
	int rc;

	evtchn_abi->resume();

	raw_spin_lock_irqsave(&evtchn_lock, flags);
	for (i = 0; i < MAP_ROWS; i++)
		if (port_map[i])
			memset(port_map[i], 0, PAGE_SIZE);
	for_each_possible_cpu(cpu)
		for (i = 0; i < XEN_NR_IPIS; i++)
			WRITE_ONCE(per_cpu(ipi_port, cpu)[i], 0);
	list_for_each_entry(b, &evt_all, node) {
		raw_spin_lock(&b->lock);
		b->port = 0;
		raw_spin_unlock(&b->lock);
	}
	raw_spin_unlock_irqrestore(&evtchn_lock, flags);

	/* Nothing else runs now, and evt_attach() does not touch the list. */
	list_for_each_entry(b, &evt_all, node) {
		if (b->kind == EVT_PORT)
			continue;
		rc = evt_connect(b, b->cpu, GFP_ATOMIC);
		if (rc)
			pr_err("%s %u of CPU %u not restored: %d\n",
			       b->kind == EVT_VIRQ ? "VIRQ" : "IPI", b->index,
			       b->cpu, rc);
	}
}

static int evtchn_cpu_prepare(unsigned int cpu)
{
	return evtchn_abi->cpu_prepare ? evtchn_abi->cpu_prepare(cpu) : 0;
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
	WRITE_ONCE(evtchn_abi, abi);
	pr_info("using the %s ABI, %u ports\n", abi->name,
		abi->max_channels());

	rc = cpuhp_setup_state_nocalls(CPUHP_XEN_EVTCHN_PREPARE,
				       "xen/evtchn:prepare",
				       evtchn_cpu_prepare, NULL);
	if (rc < 0)
		pr_err("no CPU hotplug callback: %d\n", rc);
	if (IS_ENABLED(CONFIG_XEN_PVHVM) && xen_hvm_domain())
		xen_evtchn_hvm_init();
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

static void evt_test_eoi_useful(struct kunit *test)
{
	unsigned int n = 7;

	KUNIT_EXPECT_EQ(test, evt_eoi_delay(&n, false), 0);
	KUNIT_EXPECT_EQ(test, n, 0);
}

static void evt_test_eoi_growing(struct kunit *test)
{
	unsigned int n = 0, i;

	for (i = 0; i < EVT_SPURIOUS_FREE; i++)
		KUNIT_EXPECT_EQ(test, evt_eoi_delay(&n, true), 0);
	KUNIT_EXPECT_EQ(test, evt_eoi_delay(&n, true), 1);
	KUNIT_EXPECT_EQ(test, evt_eoi_delay(&n, true), 2);
	KUNIT_EXPECT_EQ(test, evt_eoi_delay(&n, true), 4);
	KUNIT_EXPECT_EQ(test, evt_eoi_delay(&n, true), 8);
	KUNIT_EXPECT_EQ(test, evt_eoi_delay(&n, true), EVT_EOI_DELAY_MAX_MS);
	KUNIT_EXPECT_EQ(test, evt_eoi_delay(&n, true), EVT_EOI_DELAY_MAX_MS);
	/* One useful event and the next spurious ones are free again. */
	KUNIT_EXPECT_EQ(test, evt_eoi_delay(&n, false), 0);
	KUNIT_EXPECT_EQ(test, evt_eoi_delay(&n, true), 0);
}

static void evt_test_eoi_saturates(struct kunit *test)
{
	unsigned int n = UINT_MAX - 1;

	KUNIT_EXPECT_EQ(test, evt_eoi_delay(&n, true), EVT_EOI_DELAY_MAX_MS);
	KUNIT_EXPECT_EQ(test, n, UINT_MAX);
	KUNIT_EXPECT_EQ(test, evt_eoi_delay(&n, true), EVT_EOI_DELAY_MAX_MS);
	KUNIT_EXPECT_EQ(test, n, UINT_MAX);
	n = EVT_SPURIOUS_FREE + 31;
	KUNIT_EXPECT_EQ(test, evt_eoi_delay(&n, true), EVT_EOI_DELAY_MAX_MS);
}

static struct kunit_case evt_test_cases[] = {
	KUNIT_CASE(evt_test_port_range),
	KUNIT_CASE(evt_test_eoi_useful),
	KUNIT_CASE(evt_test_eoi_growing),
	KUNIT_CASE(evt_test_eoi_saturates),
	{}
};

static struct kunit_suite evt_test_suite = {
	.name = "xen-evtchn",
	.test_cases = evt_test_cases,
};

kunit_test_suite(evt_test_suite);
#endif /* IS_REACHABLE(CONFIG_KUNIT) */
