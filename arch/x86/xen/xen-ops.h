/* SPDX-License-Identifier: GPL-2.0 */
/*
 * xen-ops.h - what the files of arch/x86/xen (and a few of drivers/xen)
 * tell each other.  Nothing here is Xen's ABI (that is in
 * include/xen/interface/) or the kernel's view of a Xen guest (that is in
 * include/xen/ and asm/xen/): this is the port's own wiring, grouped by
 * the file that defines each thing, in boot order.
 *
 * A few of these names are fixed from outside: entry_64.S, head_64.S and
 * asm-offsets.c reach into the port by name, and drivers/xen calls the
 * suspend, time and vCPU helpers.  Those keep the names the rest of
 * Linux 6.12 expects; see shared/docs/linux-6.12-xen-contract.md.
 */
#ifndef _XEN_PORT_OPS_H
#define _XEN_PORT_OPS_H

#include <linux/init.h>
#include <linux/irqflags.h>
#include <linux/linkage.h>
#include <linux/percpu.h>
#include <linux/types.h>

#include <xen/xen-ops.h>

#include <asm/page.h>
#include <asm/pgtable_types.h>
#include <asm/xen/hypervisor.h>

struct start_info;
struct shared_info;
struct vcpu_info;
struct trap_info;
struct multicall_entry;

/* ---- enlighten.c: state every part of the port shares ---- */

extern struct start_info *xen_start_info;
/* Until the real page is mapped, shared_info points at this stand-in. */
extern struct shared_info xen_dummy_shared_info;
extern struct shared_info *HYPERVISOR_shared_info;
/* Each vCPU's own vcpu_info, once registered with Xen. */
DECLARE_PER_CPU_ALIGNED(struct vcpu_info, xen_vcpu_info);

void xen_vcpu_info_reset(int cpu);
void xen_vcpu_setup(int cpu);
void xen_vcpu_restore(void);
void __init xen_banner(void);
void __init xen_add_preferred_consoles(void);
void xen_reboot(int reason);
void xen_emergency_restart(void);
int xen_panic_handler_init(void);
void xen_pin_vcpu(int cpu);
int xen_cpuhp_setup(int (*prepare)(unsigned int), int (*dead)(unsigned int));
void xen_add_extra_mem(unsigned long start_pfn, unsigned long n_pfns);

/* ---- xen-head.S and xen-asm.S: entry points, not C functions ---- */

void xen_hypercall_pv(void);
__visible void xen_iret(void);
void xen_entry_SYSCALL_64(void);
void xen_entry_SYSCALL_compat(void);
void xen_entry_SYSENTER_compat(void);
/* Defined in core entry_64.S: where Xen bounces a bad segment reload. */
extern const char xen_failsafe_callback[];
/* entry_64.S too: a jmp that xen_start_kernel() points at xen_iret. */
void early_xen_iret_patch(void);
/* The direct (per-CPU vcpu_info) forms of the irq and cr2 pv_ops. */
__visible void xen_irq_enable_direct(void);
__visible void xen_irq_disable_direct(void);
__visible unsigned long xen_save_fl_direct(void);
__visible unsigned long xen_read_cr2(void);
__visible unsigned long xen_read_cr2_direct(void);

/* ---- enlighten_pv.c, cpu_pv.c, traps_pv.c: the PV CPU ---- */

asmlinkage __visible void __init xen_start_kernel(struct start_info *si);
void __init xen_init_cpu_ops(void);
void __init xen_init_capabilities(void);
void __init xen_setup_gdt(int cpu);
void xen_setup_vcpu_info_placement(void);
struct pv_cpu_ops;
void __init xen_init_trap_ops(struct pv_cpu_ops *cpu);
/* Fill a full 256-entry trap table from this CPU's IDT (for a new vCPU). */
void xen_copy_trap_info(struct trap_info *traps);
/* The GDT page of CPU 0 at boot (made writable again when it is freed). */
extern void *xen_initial_gdt;

/* ---- setup.c: memory map, callbacks, syscall entry ---- */

/* No more than this many times the boot memory can be added later. */
#define EXTRA_MEM_RATIO		10

/* x86_init.resources.memory_setup and x86_init.oem.arch_setup */
char * __init xen_memory_setup(void);
void __init xen_arch_setup(void);
void xen_enable_syscall(void);
void xen_enable_sysenter(void);
/* the memory map: what Xen gave, what is usable, what is extra */
void __init xen_chk_is_e820_usable(phys_addr_t start, phys_addr_t size,
				   const char *component);
void __init xen_pt_check_e820(void);
phys_addr_t __init xen_find_free_area(phys_addr_t size);
void __init xen_remap_memory(void);
void __init xen_add_remap_nonram(phys_addr_t maddr, phys_addr_t paddr,
				 unsigned long size);
void __init xen_do_remap_nonram(void);
void __init xen_inv_extra_mem(void);
unsigned long __ref xen_chk_extra_mem(unsigned long pfn);

/* ---- p2m.c, mmu_pv*.c: the MMU ---- */

/* Page-table levels, as the pin/unpin walks name them. */
enum pt_level { PT_PGD, PT_P4D, PT_PUD, PT_PMD, PT_PTE };

DECLARE_PER_CPU(unsigned long, xen_cr3);

void __init xen_build_dynamic_phys_to_machine(void);
void __init xen_vmalloc_p2m_tree(void);
void __init xen_relocate_p2m(void);
void xen_build_mfn_list_list(void);
void xen_setup_mfn_list_list(void);
bool __set_phys_to_machine(unsigned long pfn, unsigned long mfn);
void xen_setup_machphys_mapping(void);
void xen_setup_kernel_pagetable(pgd_t *pgd, unsigned long max_pfn);
void __init xen_reserve_special_pages(void);
void xen_init_mmu_ops(void);
void set_pte_mfn(unsigned long vaddr, unsigned long pfn, pgprot_t flags);
void xen_mm_pin_all(void);
void xen_mm_unpin_all(void);

/* ---- irq.c, time.c, spinlock.c ---- */

void xen_init_irq_ops(void);
void xen_force_evtchn_callback(void);

void xen_init_time_ops(void);
void xen_setup_timer(int cpu);
void xen_teardown_timer(int cpu);
void xen_setup_runstate_info(int cpu);
void xen_setup_cpu_clockevents(void);
void xen_save_time_memory_area(void);
void xen_restore_time_memory_area(void);
bool xen_vcpu_stolen(int vcpu);

#ifdef CONFIG_PARAVIRT_SPINLOCKS
void __init xen_init_spinlocks(void);
void xen_init_lock_cpu(int cpu);
void xen_uninit_lock_cpu(int cpu);
#else
static inline void xen_init_spinlocks(void) { }
static inline void xen_init_lock_cpu(int cpu) { }
static inline void xen_uninit_lock_cpu(int cpu) { }
#endif

/* ---- apic.c, pmu.c ---- */

void __init xen_init_apic(void);

/* the PMU: no virtual PMU is offered, these keep the native paths (pmu.c) */
bool pmu_msr_read(unsigned int msr, u64 *val, int *err);
bool pmu_msr_write(unsigned int msr, u32 low, u32 high, int *err);
unsigned long long xen_read_pmc(int counter);
int pmu_apic_update(u32 reg);
#ifndef CONFIG_XEN_HAVE_VPMU
static inline void xen_pmu_init(int cpu) { }
static inline void xen_pmu_finish(int cpu) { }
#else
void xen_pmu_init(int cpu);
void xen_pmu_finish(int cpu);
#endif

/* ---- smp.c, smp_pv.c ---- */

#ifdef CONFIG_SMP
extern cpumask_var_t xen_cpu_initialized_map;

void xen_smp_init(void);
void xen_smp_count_cpus(void);
void xen_cpus_up_done(unsigned int max_cpus);
int xen_smp_intr_init(unsigned int cpu);
void xen_smp_intr_free(unsigned int cpu);
int xen_smp_intr_init_pv(unsigned int cpu);
void xen_smp_intr_free_pv(unsigned int cpu);
void xen_ipi_resched(int cpu);
void xen_ipi_call_many(const struct cpumask *mask);
void xen_ipi_call_one(int cpu);
void xen_apic_ipi_mask(const struct cpumask *mask, int vector);
void xen_apic_ipi_mask_others(const struct cpumask *mask, int vector);
void xen_apic_ipi_others(int vector);
void xen_apic_ipi_all(int vector);
void xen_apic_ipi_self(int vector);

/* xen-head.S: a new or returning vCPU starts here, on its idle stack. */
void asm_cpu_bringup_and_idle(void);
asmlinkage void cpu_bringup_and_idle(void);
void __noreturn xen_cpu_bringup_again(unsigned long stack);
#else
static inline void xen_smp_init(void) { }
static inline void xen_smp_count_cpus(void) { }
static inline int xen_smp_intr_init(unsigned int cpu) { return 0; }
static inline void xen_smp_intr_free(unsigned int cpu) { }
static inline int xen_smp_intr_init_pv(unsigned int cpu) { return 0; }
static inline void xen_smp_intr_free_pv(unsigned int cpu) { }
#endif

/* ---- suspend_pv.c ---- */

void xen_pv_pre_suspend(void);
void xen_pv_post_suspend(int suspend_cancelled);

/* ---- multicalls.c: batching hypercalls (see its header) ---- */

struct multicall_space {
	struct multicall_entry *mc;	/* the entry to fill */
	void *args;			/* its argument bytes, if asked for */
};

DECLARE_PER_CPU(unsigned long, xen_mc_irq_flags);

struct multicall_space __xen_mc_entry(size_t args);
struct multicall_space xen_mc_extend_args(unsigned long op, size_t arg_size);
void xen_mc_flush(void);
void xen_mc_callback(void (*fn)(void *), void *data);

/* Open a batch: interrupts stay off until xen_mc_issue(). */
static inline void xen_mc_batch(void)
{
	unsigned long flags;

	local_irq_save(flags);
	__this_cpu_write(xen_mc_irq_flags, flags);
}

static inline struct multicall_space xen_mc_entry(size_t args)
{
	xen_mc_batch();
	return __xen_mc_entry(args);
}

/* Close a batch: send it now unless this CPU is in lazy @mode. */
static inline void xen_mc_issue(unsigned int mode)
{
	if (!(xen_get_lazy_mode() & mode))
		xen_mc_flush();
	local_irq_restore(this_cpu_read(xen_mc_irq_flags));
}

#endif /* _XEN_PORT_OPS_H */
