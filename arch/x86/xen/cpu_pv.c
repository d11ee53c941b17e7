// SPDX-License-Identifier: GPL-2.0
/*
 * cpu_pv.c - the privileged CPU state of a Xen PV vCPU: pv_ops.cpu.
 *
 * A PV kernel runs in ring 3 next to its user space, so every instruction
 * that touches privileged state would fault and be emulated by Xen (if Xen
 * emulates it at all).  Instead the kernel asks:
 *
 *   descriptor tables  the GDT frames are handed over with set_gdt and
 *                      must be mapped read-only everywhere; single
 *                      entries change with update_descriptor (by machine
 *                      address); the LDT is MMUEXT_SET_LDT and its pages
 *                      are read-only too.  The IDT becomes a trap table
 *                      (traps_pv.c).
 *   kernel stack       stack_switch tells Xen where to put the frame of
 *                      the next trap from user mode (the TSS sp0 here)
 *   segment bases      set_segment_base for FS, the user GS, the kernel GS
 *                      and the user GS selector; the syscall MSRs are
 *                      Xen's business and writes to them are dropped
 *   cr0                only TS means anything (fpu_taskswitch); cr4 is
 *                      written with the bits Xen owns masked off
 *   debug registers    set_debugreg / get_debugreg
 *   I/O permissions    physdev set_iobitmap
 *
 * The context switch brackets its updates in lazy CPU mode: the TLS
 * descriptors, the LDT and the kernel stack of the next task are queued
 * as one multicall, sent when the switch ends.
 *
 * cpuid goes through Xen's forced-emulation prefix, so the kernel sees
 * the policy Xen set for the domain, and a few features are then taken
 * away that a PV guest cannot use.  One more is taken away for speed:
 * FSGSBASE.  With it, each context switch would read the user GS base
 * with an rdmsr that Xen has to emulate; without it the kernel tracks the
 * bases itself and writes them only when they change.
 */

#define pr_fmt(fmt) "xen-cpu: " fmt

#include <linux/bug.h>
#include <linux/kstrtox.h>
#include <linux/mm.h>
#include <linux/percpu.h>
#include <linux/sched.h>
#include <linux/string.h>
#include <linux/uaccess.h>

#include <asm/cpufeature.h>
#include <asm/desc.h>
#include <asm/io_bitmap.h>
#include <asm/msr.h>
#include <asm/paravirt.h>
#include <asm/pgtable.h>
#include <asm/processor.h>
#include <asm/apicdef.h>
#include <asm/mwait.h>
#include <asm/xen/hypercall.h>
#include <asm/xen/hypervisor.h>
#include <asm/xen/page.h>

#include <xen/interface/physdev.h>
#include <xen/interface/xen.h>
#include <xen/page.h>

#include "xen-ops.h"

/*
 * Xen refusing one of these updates leaves the vCPU without a working
 * descriptor table or stack: say which, and stop.
 */
static void __noreturn __cold xen_cpu_refused(const char *what, long rc)
{
	panic("xen: Xen refused %s (%ld)\n", what, rc);
}

/* ---- lazy modes (asm/xen/hypervisor.h has enter_lazy()/leave_lazy()) ---- */

DEFINE_PER_CPU(enum xen_lazy_mode, xen_lazy_mode) = XEN_LAZY_NONE;
DEFINE_PER_CPU(unsigned int, xen_lazy_nesting);

/**
 * xen_get_lazy_mode() - the batching mode this CPU is in
 *
 * Interrupt handlers never batch: whatever they queue must reach Xen
 * before they return.
 *
 * Return: XEN_LAZY_NONE, XEN_LAZY_CPU or XEN_LAZY_MMU.
 */
enum xen_lazy_mode xen_get_lazy_mode(void)
{
	return in_interrupt() ? XEN_LAZY_NONE : this_cpu_read(xen_lazy_mode);
}

static void xen_start_context_switch(struct task_struct *prev)
{
	WARN_ON_ONCE(preemptible());
	/* A task switched out in lazy MMU mode gets it back later. */
	if (this_cpu_read(xen_lazy_mode) == XEN_LAZY_MMU) {
		set_ti_thread_flag(task_thread_info(prev), TIF_LAZY_MMU_UPDATES);
		arch_leave_lazy_mmu_mode();
	}
	enter_lazy(XEN_LAZY_CPU);
}

static void xen_end_context_switch(struct task_struct *next)
{
	WARN_ON_ONCE(preemptible());
	xen_mc_flush();
	leave_lazy(XEN_LAZY_CPU);
	if (test_and_clear_ti_thread_flag(task_thread_info(next),
					  TIF_LAZY_MMU_UPDATES))
		arch_enter_lazy_mmu_mode();
}

/* ---- cpuid and the feature set ---- */

static void xen_cpuid(unsigned int *ax, unsigned int *bx,
		      unsigned int *cx, unsigned int *dx)
{
	unsigned int leaf = *ax;

	if (leaf == CPUID_MWAIT_LEAF) {		/* no MWAIT in a domU */
		*ax = *bx = *cx = *dx = 0;
		return;
	}
	asm(XEN_EMULATE_PREFIX "cpuid"
	    : "=a" (*ax), "=b" (*bx), "=c" (*cx), "=d" (*dx)
	    : "0" (*ax), "2" (*cx));
	if (leaf == 1)		/* initial APIC id: our CPU number */
		*bx = (*bx & 0x00ffffff) | (smp_processor_id() << 24);
	else if (leaf == 0xb)	/* no extended topology */
		*bx = 0;
}

/* Features the kernel must not use, or need not, as a PV guest. */
static const u16 xen_pv_hidden_caps[] __initconst = {
	X86_FEATURE_DCA, X86_FEATURE_APERFMPERF, X86_FEATURE_MTRR,
	X86_FEATURE_ACC, X86_FEATURE_X2APIC, X86_FEATURE_SME,
	X86_FEATURE_LKGS, X86_FEATURE_ACPI, X86_FEATURE_MWAIT,
	/* cr3 is Xen's: no process-context ids */
	X86_FEATURE_PCID,
	/* see the top of this file */
	X86_FEATURE_FSGSBASE,
};

void __init xen_init_capabilities(void)
{
	unsigned int i, need = BIT(X86_FEATURE_XSAVE % 32) |
			       BIT(X86_FEATURE_OSXSAVE % 32);

	setup_force_cpu_cap(X86_FEATURE_XENPV);
	for (i = 0; i < ARRAY_SIZE(xen_pv_hidden_caps); i++)
		setup_clear_cpu_cap(xen_pv_hidden_caps[i]);
	/* Xen sets OSXSAVE when it lets the guest use XSAVE. */
	if ((cpuid_ecx(1) & need) != need) {
		setup_clear_cpu_cap(X86_FEATURE_XSAVE);
		setup_clear_cpu_cap(X86_FEATURE_OSXSAVE);
	}
}

/* ---- control and debug registers ---- */

/* Debug registers are Xen's: it keeps each vCPU's and loads them. */
static noinstr unsigned long xen_dr_read(int reg)
{
	return HYPERVISOR_get_debugreg(reg);
}

static noinstr void xen_dr_write(int reg, unsigned long val)
{
	HYPERVISOR_set_debugreg(reg, val);
}

/* cr0 as the kernel last wrote it (0: not read yet) */
static DEFINE_PER_CPU(unsigned long, xen_cr0);

static unsigned long xen_read_cr0(void)
{
	unsigned long cr0 = this_cpu_read(xen_cr0);

	if (!cr0) {
		cr0 = native_read_cr0();
		this_cpu_write(xen_cr0, cr0);
	}
	return cr0;
}

static void xen_write_cr0(unsigned long cr0)
{
	struct multicall_space mc;
	bool ts_changed = (xen_read_cr0() ^ cr0) & X86_CR0_TS;

	this_cpu_write(xen_cr0, cr0);
	if (!ts_changed)	/* the rest of cr0 is Xen's */
		return;
	mc = xen_mc_entry(0);
	MULTI_fpu_taskswitch(mc.mc, !!(cr0 & X86_CR0_TS));
	xen_mc_issue(XEN_LAZY_CPU);
}

static void xen_write_cr4(unsigned long cr4)
{
	native_write_cr4(cr4 & ~(X86_CR4_PGE | X86_CR4_PSE | X86_CR4_PCE));
}

/* ---- MSRs ---- */

/*
 * With xen_msr_safe=1 (or XEN_PV_MSR_SAFE) a plain rdmsr/wrmsr that Xen
 * refuses returns 0 or is dropped instead of oopsing.
 */
static bool xen_msr_safe __read_mostly = IS_ENABLED(CONFIG_XEN_PV_MSR_SAFE);

static int __init xen_parse_msr_safe(char *arg)
{
	return arg ? kstrtobool(arg, &xen_msr_safe) : -EINVAL;
}
early_param("xen_msr_safe", xen_parse_msr_safe);

static u64 xen_msr_read(unsigned int msr, int *err)
{
	u64 val = 0;

	if (pmu_msr_read(msr, &val, err))
		return val;
	val = err ? native_read_msr_safe(msr, err) : native_read_msr(msr);
	if (msr == MSR_IA32_APICBASE) {
		/* xAPIC only; only CPU 0 is the boot processor */
		val &= ~(X2APIC_ENABLE | MSR_IA32_APICBASE_BSP);
		if (!smp_processor_id())
			val |= MSR_IA32_APICBASE_BSP;
	}
	return val;
}

/* Which set_segment_base slot an MSR write goes to, or -1. */
static int xen_segbase_of(unsigned int msr)
{
	switch (msr) {
	case MSR_FS_BASE:		return SEGBASE_FS;
	case MSR_KERNEL_GS_BASE:	return SEGBASE_GS_USER;
	case MSR_GS_BASE:		return SEGBASE_GS_KERNEL;
	}
	return -1;
}

static void xen_msr_write(unsigned int msr, u32 low, u32 high, int *err)
{
	u64 val = (u64)high << 32 | low;
	int seg = xen_segbase_of(msr);

	if (seg >= 0) {
		if (!HYPERVISOR_set_segment_base(seg, val))
			return;
		if (err)
			*err = -EIO;
		else
			WARN_ONCE(1, "Xen refused base %#llx for MSR %#x\n",
				  val, msr);
		return;
	}
	switch (msr) {
	case MSR_STAR: case MSR_LSTAR: case MSR_CSTAR:
	case MSR_SYSCALL_MASK: case MSR_IA32_SYSENTER_CS:
	case MSR_IA32_SYSENTER_ESP: case MSR_IA32_SYSENTER_EIP:
		return;		/* Xen routes system calls (setup.c) */
	}
	if (pmu_msr_write(msr, low, high, err))
		return;
	if (err)
		*err = native_write_msr_safe(msr, low, high);
	else
		native_write_msr(msr, low, high);
}

/* The safe write reports a refusal instead of oopsing. */
static int xen_write_msr_safe(unsigned int msr, unsigned int low,
			      unsigned int high)
{
	int refused = 0;

	xen_msr_write(msr, low, high, &refused);
	return refused;
}

static u64 xen_read_msr(unsigned int msr)
{
	int err;

	return xen_msr_read(msr, xen_msr_safe ? &err : NULL);
}

static void xen_write_msr(unsigned int msr, unsigned int low,
			  unsigned int high)
{
	int err = 0;

	xen_msr_write(msr, low, high, xen_msr_safe ? &err : NULL);
}

/* ---- GDT, LDT and TLS ---- */

/*
 * Map the page at @v read-only or writable again, and its direct-map
 * alias too if @v is a vmalloc or per-CPU address.  The page is touched
 * first so that a lazily synced kernel mapping exists to update.
 */
static void xen_set_page_prot(void *v, pgprot_t prot)
{
	unsigned int level;
	pte_t *ptep = lookup_address((unsigned long)v, &level);
	unsigned long pfn;
	void *alias;
	char byte;
	int rc;

	if (WARN_ON_ONCE(!ptep))
		return;
	pfn = pte_pfn(*ptep);
	alias = __va(PFN_PHYS(pfn));
	preempt_disable();
	copy_from_kernel_nofault(&byte, v, 1);
	rc = HYPERVISOR_update_va_mapping((unsigned long)v, pfn_pte(pfn, prot), 0);
	if (!rc && alias != v)
		rc = HYPERVISOR_update_va_mapping((unsigned long)alias,
						  pfn_pte(pfn, prot), 0);
	if (rc)
		xen_cpu_refused("an LDT page protection change", rc);
	preempt_enable();
}

/* Xen checks LDT pages only when a descriptor is loaded from them. */
static void xen_alloc_ldt(struct desc_struct *ldt, unsigned int entries)
{
	unsigned int i, per_page = PAGE_SIZE / LDT_ENTRY_SIZE;

	for (i = 0; i < entries; i += per_page)
		xen_set_page_prot(ldt + i, PAGE_KERNEL_RO);
}

static void xen_free_ldt(struct desc_struct *ldt, unsigned int entries)
{
	unsigned int i, per_page = PAGE_SIZE / LDT_ENTRY_SIZE;

	for (i = 0; i < entries; i += per_page)
		xen_set_page_prot(ldt + i, PAGE_KERNEL);
}

static void xen_set_ldt(const void *addr, unsigned int entries)
{
	struct multicall_space mc = xen_mc_entry(sizeof(struct mmuext_op));
	struct mmuext_op *op = mc.args;

	op->cmd = MMUEXT_SET_LDT;
	op->arg1.linear_addr = (unsigned long)addr;
	op->arg2.nr_ents = entries;
	MULTI_mmuext_op(mc.mc, op, 1, NULL, DOMID_SELF);
	xen_mc_issue(XEN_LAZY_CPU);
}

static void xen_write_ldt_entry(struct desc_struct *ldt, int idx,
				const void *desc)
{
	u64 maddr = arbitrary_virt_to_machine(&ldt[idx]).maddr;
	int rc;

	preempt_disable();
	xen_mc_flush();
	rc = HYPERVISOR_update_descriptor(maddr, *(const u64 *)desc);
	preempt_enable();
	/* A bad descriptor from modify_ldt() is refused; the entry stays. */
	WARN_ONCE(rc, "Xen refused LDT entry %d (%d)\n", idx, rc);
}

/* The GDT is at most one page: hand Xen its frame. */
static void xen_give_gdt(unsigned long va, unsigned int bytes, bool boot)
{
	unsigned long pfn, mfn;
	unsigned int level;
	int rc;

	if (bytes > PAGE_SIZE || offset_in_page(va))
		xen_cpu_refused("a GDT not in one page", -EINVAL);
	if (boot) {	/* one mapping only, no page tables to walk yet */
		pfn = virt_to_pfn((void *)va);
		rc = HYPERVISOR_update_va_mapping(va, pfn_pte(pfn, PAGE_KERNEL_RO), 0);
		if (rc)
			xen_cpu_refused("the boot GDT read-only", rc);
	} else {
		pte_t *ptep = lookup_address(va, &level);

		if (!ptep)
			xen_cpu_refused("a GDT with no mapping", -EFAULT);
		pfn = pte_pfn(*ptep);
		make_lowmem_page_readonly((void *)va);
		make_lowmem_page_readonly(__va(PFN_PHYS(pfn)));
	}
	mfn = pfn_to_mfn(pfn);
	rc = HYPERVISOR_set_gdt(&mfn, bytes / sizeof(struct desc_struct));
	if (rc)
		xen_cpu_refused("set_gdt", rc);
}

static void xen_load_gdt(const struct desc_ptr *dtr)
{
	xen_give_gdt(dtr->address, dtr->size + 1, false);
}

static void __init xen_load_gdt_boot(const struct desc_ptr *dtr)
{
	xen_give_gdt(dtr->address, dtr->size + 1, true);
}

/* LDT and TSS descriptors are Xen's to manage: they are not written. */
static void xen_write_gdt_entry(struct desc_struct *gdt, int idx,
				const void *desc, int type)
{
	u64 maddr = arbitrary_virt_to_machine(&gdt[idx]).maddr;
	int rc;

	if (type == DESC_LDT || type == DESC_TSS)
		return;
	preempt_disable();
	xen_mc_flush();
	rc = HYPERVISOR_update_descriptor(maddr, *(const u64 *)desc);
	if (rc)
		xen_cpu_refused("a GDT entry", rc);
	preempt_enable();
}

/* Before the GDT is Xen's, a refused update is written directly. */
static void __init xen_write_gdt_entry_boot(struct desc_struct *gdt, int idx,
					    const void *desc, int type)
{
	if (type == DESC_LDT || type == DESC_TSS)
		return;
	if (HYPERVISOR_update_descriptor(virt_to_machine(&gdt[idx]).maddr,
					 *(const u64 *)desc))
		gdt[idx] = *(const struct desc_struct *)desc;
}

/**
 * xen_setup_gdt() - move @cpu onto its per-CPU GDT and %gs base, at boot
 * @cpu: the CPU (0)
 *
 * Until this runs, stack-protected code cannot: the canary is read
 * through %gs.  The boot forms of the GDT ops are used for the switch.
 */
void __init xen_setup_gdt(int cpu)
{
	pv_ops.cpu.write_gdt_entry = xen_write_gdt_entry_boot;
	pv_ops.cpu.load_gdt = xen_load_gdt_boot;
	switch_gdt_and_percpu_base(cpu);
	pv_ops.cpu.write_gdt_entry = xen_write_gdt_entry;
	pv_ops.cpu.load_gdt = xen_load_gdt;
}

/*
 * Xen stores the TLS descriptors its own way, so a copy of what was last
 * asked for tells whether a switch needs to change them at all (most
 * 64-bit tasks have none).
 */
struct xen_tls_copy {
	struct desc_struct d[GDT_ENTRY_TLS_ENTRIES];
};

static DEFINE_PER_CPU(struct xen_tls_copy, xen_tls_loaded);

static void xen_load_tls(struct thread_struct *t, unsigned int cpu)
{
	struct desc_struct *loaded = per_cpu(xen_tls_loaded, cpu).d;
	struct desc_struct *gdt = get_cpu_gdt_rw(cpu);
	unsigned int i;

	/*
	 * In a context switch %fs is reloaded only later: clear it now, so
	 * that no fault can find a selector whose descriptor just changed.
	 */
	if (xen_get_lazy_mode() == XEN_LAZY_CPU)
		loadsegment(fs, 0);
	xen_mc_batch();
	for (i = 0; i < GDT_ENTRY_TLS_ENTRIES; i++) {
		struct multicall_space mc;
		u64 maddr;

		if (!memcmp(&loaded[i], &t->tls_array[i], sizeof(loaded[i])))
			continue;
		loaded[i] = t->tls_array[i];
		maddr = arbitrary_virt_to_machine(&gdt[GDT_ENTRY_TLS_MIN + i]).maddr;
		mc = __xen_mc_entry(0);
		MULTI_update_descriptor(mc.mc, maddr, t->tls_array[i]);
	}
	xen_mc_issue(XEN_LAZY_CPU);
}

static void xen_load_gs_index(unsigned int sel)
{
	int rc = HYPERVISOR_set_segment_base(SEGBASE_GS_USER_SEL, sel);

	if (rc)
		xen_cpu_refused("a user %gs selector", rc);
}

/* ---- the kernel stack, I/O ---- */

static void xen_load_sp0(unsigned long sp0)
{
	struct multicall_space mc = xen_mc_entry(0);

	MULTI_stack_switch(mc.mc, __KERNEL_DS, sp0);
	xen_mc_issue(XEN_LAZY_CPU);
	this_cpu_write(cpu_tss_rw.x86_tss.sp0, sp0);
}

#ifdef CONFIG_X86_IOPL_IOPERM
/* Tell Xen the bitmap the TSS now holds (or that there is none). */
static void xen_sync_io_bitmap(void)
{
	struct tss_struct *tss = this_cpu_ptr(&cpu_tss_rw);
	u16 base = tss->x86_tss.io_bitmap_base;
	struct physdev_set_iobitmap iob = { };

	if (base != IO_BITMAP_OFFSET_INVALID) {
		iob.bitmap = (u8 *)&tss->x86_tss + base;
		iob.nr_ports = IO_BITMAP_BITS;
	}
	HYPERVISOR_physdev_op(PHYSDEVOP_set_iobitmap, &iob);
}

static void xen_invalidate_io_bitmap(void)
{
	native_tss_invalidate_io_bitmap();
	xen_sync_io_bitmap();
}

static void xen_update_io_bitmap(void)
{
	native_tss_update_io_bitmap();
	xen_sync_io_bitmap();
}
#endif

static unsigned long xen_store_tr(void)
{
	return 0;
}

static void xen_io_delay(void)
{
}

/**
 * xen_init_cpu_ops() - install the CPU pv_ops, first thing at boot
 */
void __init xen_init_cpu_ops(void)
{
	struct pv_cpu_ops *cpu = &pv_ops.cpu;

	cpu->cpuid = xen_cpuid;
	cpu->set_debugreg = xen_dr_write;
	cpu->get_debugreg = xen_dr_read;
	cpu->read_cr0 = xen_read_cr0;
	cpu->write_cr0 = xen_write_cr0;
	cpu->write_cr4 = xen_write_cr4;
	cpu->wbinvd = pv_native_wbinvd;
	cpu->read_msr = xen_read_msr;
	cpu->write_msr = xen_write_msr;
	cpu->read_msr_safe = xen_msr_read;
	cpu->write_msr_safe = xen_write_msr_safe;
	cpu->read_pmc = xen_read_pmc;
	cpu->load_tr_desc = paravirt_nop;
	cpu->set_ldt = xen_set_ldt;
	cpu->load_gdt = xen_load_gdt;
	cpu->load_tls = xen_load_tls;
	cpu->load_gs_index = xen_load_gs_index;
	cpu->alloc_ldt = xen_alloc_ldt;
	cpu->free_ldt = xen_free_ldt;
	cpu->store_tr = xen_store_tr;
	cpu->write_ldt_entry = xen_write_ldt_entry;
	cpu->write_gdt_entry = xen_write_gdt_entry;
	cpu->load_sp0 = xen_load_sp0;
#ifdef CONFIG_X86_IOPL_IOPERM
	cpu->invalidate_io_bitmap = xen_invalidate_io_bitmap;
	cpu->update_io_bitmap = xen_update_io_bitmap;
#endif
	cpu->io_delay = xen_io_delay;
	cpu->start_context_switch = xen_start_context_switch;
	cpu->end_context_switch = xen_end_context_switch;
	xen_init_trap_ops(cpu);
}
