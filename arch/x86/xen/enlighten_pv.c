// SPDX-License-Identifier: GPL-2.0
/*
 * enlighten_pv.c - booting Linux as a Xen PV guest.
 *
 * Xen's domain builder loads the kernel as its ELF notes ask (xen-head.S),
 * builds the first page tables itself, and enters startup_xen in 64-bit
 * mode with %rsi pointing at struct start_info: memory size, the p2m
 * list, the page tables, the shared_info frame, the console and xenstore
 * rings, the initrd and the command line.  startup_xen sets up a stack and
 * %gs and calls xen_start_kernel(), which:
 *
 *  1. makes the kernel a PV guest: xen_domain_type, X86_FEATURE_XENPV,
 *     and the pv_ops (CPU here and in cpu_pv.c/traps_pv.c, interrupt
 *     flag in irq.c, MMU in mmu_pv.c), so that the same image keeps its
 *     native operations when it boots on bare hardware;
 *  2. takes over what Xen built: the p2m, the page tables (mmu_pv_boot.c),
 *     a per-CPU GDT;
 *  3. fills the x86_init and x86_platform hooks the generic boot calls
 *     later (memory map in setup.c, time in time.c, the APIC stand-in in
 *     apic.c, SMP in smp_pv.c), and the boot_params a boot loader would;
 *  4. joins the generic x86-64 boot at x86_64_start_reservations().
 *
 * Until shared_info is mapped (init_platform, below), the vCPU's event
 * mask is read from a zeroed stand-in that irq.c marks as masked.
 */

#define pr_fmt(fmt) "xen-pv: " fmt

#include <linux/bug.h>
#include <linux/init.h>
#include <linux/percpu.h>
#include <linux/reboot.h>
#include <linux/smp.h>

#include <asm/bootparam.h>
#include <asm/cpu.h>
#include <asm/desc.h>
#include <asm/apic.h>
#include <asm/fixmap.h>
#include <asm/hypervisor.h>
#include <asm/mach_traps.h>
#include <asm/mtrr.h>
#include <asm/nmi.h>
#include <asm/paravirt.h>
#include <asm/pgtable.h>
#include <asm/processor.h>
#include <asm/proto.h>
#include <asm/reboot.h>
#include <asm/sections.h>
#include <asm/setup.h>
#include <asm/text-patching.h>
#include <asm/x86_init.h>
#include <asm/xen/hypercall.h>
#include <asm/xen/hypervisor.h>

#include <xen/features.h>
#include <xen/hvc-console.h>
#include <xen/interface/nmi.h>
#include <xen/interface/physdev.h>
#include <xen/interface/version.h>
#include <xen/interface/xen.h>
#include <xen/xen.h>

#include "xen-ops.h"
#include "../kernel/cpu/cpu.h"	/* get_cpu_cap(), get_cpu_address_sizes() */

/* The oldest Xen this port is built and tested for. */
#define XEN_MIN_MAJOR	4
#define XEN_MIN_MINOR	6

void *xen_initial_gdt;

/* Refuse, in words a user can act on, a Xen too old for this kernel. */
static void __init xen_check_version(void)
{
	int v = HYPERVISOR_xen_version(XENVER_version, NULL);
	int major = v >> 16, minor = v & 0xffff;

	if (major > XEN_MIN_MAJOR ||
	    (major == XEN_MIN_MAJOR && minor >= XEN_MIN_MINOR))
		return;
	xen_raw_printk("This kernel needs Xen %d.%d or later; this is Xen %d.%d.\n",
		       XEN_MIN_MAJOR, XEN_MIN_MINOR, major, minor);
	panic("Xen %d.%d is older than %d.%d, the oldest this kernel supports\n",
	      major, minor, XEN_MIN_MAJOR, XEN_MIN_MINOR);
}

/**
 * xen_setup_vcpu_info_placement() - give every vCPU its per-CPU vcpu_info
 *
 * Called once the possible CPUs are known.  From here on the interrupt
 * flag and cr2 are read straight from this CPU's copy (xen-asm.S).
 */
void xen_setup_vcpu_info_placement(void)
{
	struct pv_irq_ops *irq = &pv_ops.irq;
	int cpu;

	for_each_possible_cpu(cpu) {
		/* on PV, Linux CPU n is Xen's vCPU n */
		per_cpu(xen_vcpu_id, cpu) = cpu;
		xen_vcpu_setup(cpu);
	}
	irq->irq_disable = __PV_IS_CALLEE_SAVE(xen_irq_disable_direct);
	irq->irq_enable = __PV_IS_CALLEE_SAVE(xen_irq_enable_direct);
	irq->save_fl = __PV_IS_CALLEE_SAVE(xen_save_fl_direct);
	pv_ops.mmu.read_cr2 = __PV_IS_CALLEE_SAVE(xen_read_cr2_direct);
}

/* ---- x86_init and x86_platform hooks ---- */

/* hyper.init_platform: the fixmap exists, so shared_info can be mapped. */
static void __init xen_pv_init_platform(void)
{
	unsigned long va = fix_to_virt(FIX_PARAVIRT_BOOTMAP);

	populate_extra_pte(va);
	set_fixmap(FIX_PARAVIRT_BOOTMAP, xen_start_info->shared_info);
	HYPERVISOR_shared_info = (struct shared_info *)va;
	xen_vcpu_info_reset(0);
	xen_init_time_ops();
	/* Xen owns the memory types: everything is write-back to us. */
	guest_force_mtrr_state(NULL, 0, MTRR_TYPE_WRBACK);
	xen_smp_count_cpus();
}

static void __init xen_pv_guest_late_init(void)
{
	/* With SMP, smp_pv.c does this when it prepares the boot CPU. */
	if (!IS_ENABLED(CONFIG_SMP))
		xen_setup_vcpu_info_placement();
}

/* An NMI's reason, as port 0x61 would give it, from shared_info. */
static unsigned char xen_get_nmi_reason(void)
{
	unsigned long *why = &HYPERVISOR_shared_info->arch.nmi_reason;
	unsigned char reason = 0;

	if (test_bit(_XEN_NMIREASON_io_error, why))
		reason |= NMI_REASON_IOCHK;
	if (test_bit(_XEN_NMIREASON_pci_serr, why))
		reason |= NMI_REASON_SERR;
	return reason;
}

/* A domU has no RTC to find. */
static void __init xen_set_legacy_features(void)
{
	x86_platform.legacy.rtc = 0;
}

/*
 * Reboot, halt and power-off all end the domain; what happens next is the
 * toolstack's (on_reboot=, on_poweroff=, on_crash=).
 */
static void xen_mo_reboot(char *cmd)
{
	xen_reboot(SHUTDOWN_reboot);
}

static void xen_mo_off(void)
{
	xen_reboot(SHUTDOWN_poweroff);
}

static void xen_mo_power_off(void)
{
	do_kernel_power_off();	/* the registered power-off handlers first */
	xen_mo_off();
}

static void xen_mo_crash(struct pt_regs *regs)
{
	xen_reboot(SHUTDOWN_crash);
}

static const struct machine_ops xen_machine_ops __initconst = {
	.emergency_restart = xen_emergency_restart,
	.crash_shutdown = xen_mo_crash,
	.power_off = xen_mo_power_off,
	.shutdown = xen_mo_off,
	.halt = xen_mo_off,
	.restart = xen_mo_reboot,
};

static void __init xen_install_hooks(void)
{
	struct x86_platform_ops *plat = &x86_platform;
	struct x86_init_ops *init = &x86_init;

	plat->get_nmi_reason = xen_get_nmi_reason;
	plat->set_legacy_features = xen_set_legacy_features;
	/* no real-mode trampoline: vCPUs start in long mode */
	plat->realmode_reserve = x86_init_noop;
	plat->realmode_init = x86_init_noop;

	init->hyper.init_platform = xen_pv_init_platform;
	init->hyper.guest_late_init = xen_pv_guest_late_init;
	init->resources.memory_setup = xen_memory_setup;
	init->oem.banner = xen_banner;
	init->oem.arch_setup = xen_arch_setup;
	/* no interrupt controller to pick: events come from Xen */
	init->irqs.intr_mode_select = x86_init_noop;
	init->irqs.intr_mode_init = x86_64_probe_apic;

	machine_ops = xen_machine_ops;
}

/* What a boot loader would have put in boot_params. */
static void __init xen_fill_boot_params(const struct start_info *si)
{
	struct setup_header *hdr = &boot_params.hdr;

	hdr->type_of_loader = 0x90;	/* "other", version 0 */
	hdr->hardware_subarch = X86_SUBARCH_XEN;
	hdr->cmd_line_ptr = __pa(si->cmd_line);
	if (si->mod_start) {
		hdr->ramdisk_image = si->flags & SIF_MOD_START_PFN ?
			PFN_PHYS(si->mod_start) : __pa(si->mod_start);
		hdr->ramdisk_size = si->mod_len;
	}
}

/* ---- a vCPU's life (CPUHP_XEN_PREPARE) ---- */

static int xen_pv_cpu_prepare(unsigned int cpu)
{
	int rc;

	if (!per_cpu(xen_vcpu, cpu))
		return -ENODEV;
	xen_setup_timer(cpu);
	rc = xen_smp_intr_init(cpu);
	if (!rc)
		rc = xen_smp_intr_init_pv(cpu);
	WARN(rc, "vCPU %u: no IPI channels (%d)\n", cpu, rc);
	return rc;
}

static int xen_pv_cpu_dead(unsigned int cpu)
{
	xen_smp_intr_free(cpu);
	xen_smp_intr_free_pv(cpu);
	xen_teardown_timer(cpu);
	return 0;
}

/**
 * xen_start_kernel() - the first C code of a PV guest (from xen-head.S)
 * @si: Xen's start_info
 *
 * Runs on the boot stack with no GDT of its own, no stack protector and
 * events masked; it never returns.
 */
asmlinkage __visible void __init xen_start_kernel(struct start_info *si)
{
	static const struct pv_info xen_pv_info __initconst = {
		.extra_user_64bit_cs = FLAT_USER_CS64,
		.name = "Xen",
	};
	struct physdev_set_iopl iopl = { .iopl = 1 };

	if (!si)
		return;
	clear_bss();
	xen_start_info = si;
	xen_start_flags = si->flags;
	xen_domain_type = XEN_PV_DOMAIN;
	early_boot_irqs_disabled = true;

	/* Returns to user mode leave through Xen's iret. */
	__text_gen_insn(&early_xen_iret_patch, JMP32_INSN_OPCODE,
			&early_xen_iret_patch, &xen_iret, JMP32_INSN_SIZE);

	xen_setup_features();
	xen_check_version();

	pv_info = xen_pv_info;
	xen_init_cpu_ops();
	xen_init_irq_ops();
	/* printk() may look at the interrupt flag from now on. */
	xen_vcpu_info_reset(0);
	xen_install_hooks();

	/* Xen owns global pages: none of ours may set _PAGE_GLOBAL. */
	__default_kernel_pte_mask &= ~_PAGE_GLOBAL;
	__supported_pte_mask &= ~_PAGE_GLOBAL;
	xen_setup_machphys_mapping();
	xen_init_mmu_ops();
	xen_build_dynamic_phys_to_machine();

	get_cpu_cap(&boot_cpu_data);
	x86_configure_nx();
	/* Stack-protected code may run after this. */
	xen_setup_gdt(0);
	get_cpu_address_sizes(&boot_cpu_data);
	/* (CPU 0 is vCPU 0: xen_vcpu_id starts zeroed) */
	idt_setup_early_handler();
	xen_init_capabilities();
	xen_init_apic();
	/* Remembered to make it writable again when the boot copy is freed. */
	xen_initial_gdt = &per_cpu(gdt_page, 0);

	xen_smp_init();
	WARN_ON(xen_cpuhp_setup(xen_pv_cpu_prepare, xen_pv_cpu_dead));

	local_irq_disable();
	xen_raw_console_write("taking over Xen's page tables\n");
	xen_setup_kernel_pagetable((pgd_t *)si->pt_base, si->nr_pages);
	xen_reserve_special_pages();

	/* Port I/O may be probed early (AMD's 0xcf8); let it fault cleanly. */
	if (HYPERVISOR_physdev_op(PHYSDEVOP_set_iopl, &iopl))
		xen_raw_printk("xen: set_iopl refused\n");

	xen_fill_boot_params(si);
	xen_add_preferred_consoles();
	/* printk times need the runstate area */
	xen_setup_runstate_info(0);

	cr4_init_shadow();
	x86_64_start_reservations((char *)__pa_symbol(&boot_params));
}

static u32 __init xen_pv_detect(void)
{
	return xen_pv_domain() ? xen_cpuid_base() : 0;
}

const __initconst struct hypervisor_x86 x86_hyper_xen_pv = {
	.name = "Xen PV",
	.detect = xen_pv_detect,
	.type = X86_HYPER_XEN_PV,
	.runtime.pin_vcpu = xen_pin_vcpu,
	.ignore_nopv = true,
};
