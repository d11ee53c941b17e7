// SPDX-License-Identifier: GPL-2.0
/*
 * traps_pv.c - exceptions and event upcalls of a Xen PV vCPU.
 *
 * A PV guest has no IDT of its own.  It gives Xen a trap table instead
 * (HYPERVISOR_set_trap_table): for each vector, the handler's address,
 * its code segment, the privilege level that may raise it with int, and
 * whether events are to be masked on entry (Xen's interrupt gate).  The
 * kernel still builds its IDT as on bare hardware; load_idt and
 * write_idt_entry translate it into that table.
 *
 * Xen enters a handler with %rcx and %r11 pushed on top of the hardware
 * frame (it needed them for its own return); the xen_asm_* stubs in
 * xen-asm.S pop them and jump to the native entry, so each IDT handler
 * is replaced by its stub, matched by address.  Handlers that would run
 * on an IST stack natively (#DB, #NMI, #DF, #MC) cannot here: Xen has no
 * IST for guests, so their stubs lead to the xenpv_exc_* entries below,
 * which call the right C handler for the context.  The early handlers of
 * boot map to xen_early_idt_handler_array entry for entry; anything
 * unknown goes to exc_xen_unknown_trap.
 *
 * Events arrive through the hypervisor callback (registered in setup.c):
 * core entry code calls xen_pv_evtchn_do_upcall().
 */

#define pr_fmt(fmt) "xen-traps: " fmt

#include <linux/array_size.h>
#include <linux/entry-common.h>
#include <linux/hardirq.h>
#include <linux/irq.h>
#include <linux/percpu.h>
#include <linux/spinlock.h>
#include <linux/string.h>

#include <asm/desc.h>
#include <asm/idtentry.h>
#include <asm/irq_stack.h>
#include <asm/paravirt.h>
#include <asm/traps.h>
#include <asm/xen/hypercall.h>

#include <xen/events.h>
#include <xen/interface/xen.h>

#include "xen-ops.h"

/* ---- the IST handlers, called without IST ---- */

DEFINE_IDTENTRY_RAW_ERRORCODE(xenpv_exc_double_fault)
{
	exc_double_fault(regs, error_code);
}

DEFINE_IDTENTRY_RAW(xenpv_exc_nmi)
{
	exc_nmi(regs);
}

/*
 * #DB and #MC from user mode take the handler's no-IST flavour (traps.c's
 * DEFINE_IDTENTRY_DEBUG defines noist_exc_debug but declares it nowhere).
 */
void noist_exc_debug(struct pt_regs *regs);

DEFINE_IDTENTRY_RAW(xenpv_exc_debug)
{
	if (!user_mode(regs)) {
		exc_debug(regs);
		return;
	}
	noist_exc_debug(regs);
}

#ifdef CONFIG_X86_MCE
DEFINE_IDTENTRY_RAW(xenpv_exc_machine_check)
{
	if (!user_mode(regs)) {
		exc_machine_check(regs);
		return;
	}
	noist_exc_machine_check(regs);
}
#endif

/* A vector the kernel never set up: there is nothing sane to do. */
DEFINE_IDTENTRY_RAW(exc_xen_unknown_trap)
{
	instrumentation_begin();
	panic("xen: trap through a vector with no handler, at %pS\n",
	      (void *)regs->ip);
	instrumentation_end();
}

/* ---- events ---- */

static void xen_upcall_on_stack(struct pt_regs *regs)
{
	struct pt_regs *old = set_irq_regs(regs);

	inc_irq_stat(irq_hv_callback_count);
	xen_evtchn_do_upcall();
	set_irq_regs(old);
}

/**
 * xen_pv_evtchn_do_upcall() - Xen's event callback, from entry_64.S
 * @regs: the interrupted context
 */
__visible noinstr void xen_pv_evtchn_do_upcall(struct pt_regs *regs)
{
	irqentry_state_t state = irqentry_enter(regs);

	instrumentation_begin();
	run_sysvec_on_irqstack_cond(xen_upcall_on_stack, regs);
	instrumentation_end();
	irqentry_exit(regs, state);
}

/* ---- IDT to trap table ---- */

struct xen_trap_stub {
	void (*native)(void);
	void (*xen)(void);
	bool ist;		/* natively on an IST stack: allowed */
};

#define STUB(name)	{ asm_##name, xen_asm_##name, false }
#define IST_STUB(name)	{ asm_##name, xen_asm_xenpv_##name, true }

/* The xen_asm_* stubs of xen-asm.S. */
#define XEN_STUB_DECL(name) void xen_asm_##name(void)
XEN_STUB_DECL(exc_alignment_check);
XEN_STUB_DECL(exc_bounds);
XEN_STUB_DECL(exc_control_protection);
XEN_STUB_DECL(exc_coproc_segment_overrun);
XEN_STUB_DECL(exc_coprocessor_error);
XEN_STUB_DECL(exc_device_not_available);
XEN_STUB_DECL(exc_divide_error);
XEN_STUB_DECL(exc_general_protection);
XEN_STUB_DECL(exc_int3);
XEN_STUB_DECL(exc_invalid_op);
XEN_STUB_DECL(exc_invalid_tss);
XEN_STUB_DECL(exc_overflow);
XEN_STUB_DECL(exc_page_fault);
XEN_STUB_DECL(exc_segment_not_present);
XEN_STUB_DECL(exc_simd_coprocessor_error);
XEN_STUB_DECL(exc_spurious_interrupt_bug);
XEN_STUB_DECL(exc_stack_segment);
XEN_STUB_DECL(exc_xen_unknown_trap);
XEN_STUB_DECL(int80_emulation);
XEN_STUB_DECL(xenpv_exc_debug);
XEN_STUB_DECL(xenpv_exc_double_fault);
XEN_STUB_DECL(xenpv_exc_machine_check);
XEN_STUB_DECL(xenpv_exc_nmi);

static const struct xen_trap_stub xen_trap_stubs[] = {
	IST_STUB(exc_debug),
	IST_STUB(exc_nmi),
	IST_STUB(exc_double_fault),
#ifdef CONFIG_X86_MCE
	IST_STUB(exc_machine_check),
#endif
	STUB(exc_page_fault),
	STUB(exc_general_protection),
	STUB(exc_int3),
	STUB(exc_invalid_op),
	STUB(exc_divide_error),
	STUB(exc_overflow),
	STUB(exc_bounds),
	STUB(exc_device_not_available),
	STUB(exc_coproc_segment_overrun),
	STUB(exc_invalid_tss),
	STUB(exc_segment_not_present),
	STUB(exc_stack_segment),
	STUB(exc_spurious_interrupt_bug),
	STUB(exc_coprocessor_error),
	STUB(exc_alignment_check),
	STUB(exc_simd_coprocessor_error),
#ifdef CONFIG_X86_CET
	STUB(exc_control_protection),
#endif
#ifdef CONFIG_IA32_EMULATION
	STUB(int80_emulation),
#endif
};

/*
 * The Xen entry for a native handler address; false if the gate asks
 * for an IST stack its handler cannot do without.
 */
static bool __ref xen_stub_for(unsigned long *addr, unsigned int ist)
{
	unsigned long early = (unsigned long)early_idt_handler_array;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(xen_trap_stubs); i++) {
		if (*addr == (unsigned long)xen_trap_stubs[i].native) {
			*addr = (unsigned long)xen_trap_stubs[i].xen;
			return !WARN_ON(ist && !xen_trap_stubs[i].ist);
		}
	}
	if (*addr - early < NUM_EXCEPTION_VECTORS * EARLY_IDT_HANDLER_SIZE) {
		i = (*addr - early) / EARLY_IDT_HANDLER_SIZE;
		*addr = (unsigned long)xen_early_idt_handler_array[i];
		return !WARN_ON(ist);
	}
	*addr = (unsigned long)xen_asm_exc_xen_unknown_trap;
	return true;
}

/* One IDT gate as a trap_info; false if it is not a gate to install. */
static bool xen_gate_to_trap(unsigned int vector, const gate_desc *g,
			     struct trap_info *t)
{
	unsigned long addr = gate_offset(g);

	if (g->bits.type != GATE_TRAP && g->bits.type != GATE_INTERRUPT)
		return false;
	if (!xen_stub_for(&addr, g->bits.ist))
		return false;
	t->vector = vector;
	t->cs = gate_segment(g);
	t->address = addr;
	/* privilege in bits 0-1; bit 2: mask events (interrupt gate) */
	t->flags = g->bits.dpl | (g->bits.type == GATE_INTERRUPT ? 4 : 0);
	return true;
}

/*
 * Translate @n gates.  With @dense every vector gets a slot (the
 * vCPU-initialise context wants the table indexed by vector); otherwise
 * only installable gates are listed, as set_trap_table wants.
 */
static unsigned int xen_idt_to_traps(const gate_desc *idt, unsigned int n,
				     struct trap_info *t, bool dense)
{
	unsigned int v, out = 0;

	for (v = 0; v < n; v++) {
		if (xen_gate_to_trap(v, &idt[v], &t[out]))
			out++;
		else if (dense)
			memset(&t[out++], 0, sizeof(*t));
	}
	return out;
}

/* Where each CPU's IDT is, for write_idt_entry and new vCPUs. */
static DEFINE_PER_CPU(struct desc_ptr, xen_idt);

void xen_copy_trap_info(struct trap_info *traps)
{
	const struct desc_ptr *d = this_cpu_ptr(&xen_idt);

	xen_idt_to_traps((const gate_desc *)d->address,
			 (d->size + 1) / sizeof(gate_desc), traps, true);
}

static void xen_load_idt(const struct desc_ptr *d)
{
	/* One table for all CPUs (it is only read by the hypercall). */
	static struct trap_info traps[IDT_ENTRIES + 1];
	static DEFINE_SPINLOCK(traps_lock);
	unsigned int n = (d->size + 1) / sizeof(gate_desc);

	int rc;

	n = min_t(unsigned int, n, IDT_ENTRIES);
	spin_lock(&traps_lock);
	*this_cpu_ptr(&xen_idt) = *d;
	n = xen_idt_to_traps((const gate_desc *)d->address, n, traps, false);
	memset(&traps[n], 0, sizeof(traps[n]));	/* the end marker */
	xen_mc_flush();
	rc = HYPERVISOR_set_trap_table(traps);
	spin_unlock(&traps_lock);
	if (rc)
		panic("xen: Xen refused the trap table (%d)\n", rc);
}

static void xen_write_idt_entry(gate_desc *idt, int vector, const gate_desc *g)
{
	unsigned long entry = (unsigned long)&idt[vector];
	unsigned long base, limit;
	struct trap_info one[2] = { };
	int rc = 0;

	preempt_disable();
	base = __this_cpu_read(xen_idt.address);
	limit = base + __this_cpu_read(xen_idt.size);
	xen_mc_flush();
	native_write_idt_entry(idt, vector, g);
	/* Only a change to the loaded IDT concerns Xen. */
	if (entry >= base && entry + sizeof(*g) - 1 <= limit &&
	    xen_gate_to_trap(vector, g, &one[0]))
		rc = HYPERVISOR_set_trap_table(one);
	preempt_enable();
	if (rc)
		panic("xen: Xen refused vector %d's handler (%d)\n", vector, rc);
}

/**
 * xen_init_trap_ops() - the IDT half of the CPU pv_ops
 * @cpu: pv_ops.cpu
 */
void __init xen_init_trap_ops(struct pv_cpu_ops *cpu)
{
	cpu->load_idt = xen_load_idt;
	cpu->write_idt_entry = xen_write_idt_entry;
}
