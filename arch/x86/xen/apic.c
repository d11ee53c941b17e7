// SPDX-License-Identifier: GPL-2.0
/*
 * apic.c - the "APIC" a PV guest has: none, and an apic driver saying so.
 *
 * The x86 core still goes through the apic driver for APIC IDs, for a few
 * register reads and for IPIs, so a PV guest registers its own (picked by
 * its probe on a PV domain) whose methods answer without any hardware:
 *
 *  - APIC IDs are the CPU numbers smp_pv.c registered (APIC ID = CPU);
 *  - of the registers, only the ID and the version read as anything; a
 *    write, EOI or ICR access other than the perf LVT is a bug in the
 *    caller and warns once;
 *  - IPIs are sent as Xen events (smp.c).
 *
 * An IO-APIC register read, should core code make one, is asked of Xen
 * (PHYSDEVOP_apic_read, which only the hardware domain may use) and
 * otherwise answered with a plausible empty IO-APIC: version 0x20 with 24
 * pins, and the ID it was asked for.
 */

#define pr_fmt(fmt) "xen-apic: " fmt

#include <linux/bug.h>
#include <linux/cpumask.h>
#include <linux/init.h>
#include <linux/limits.h>
#include <linux/smp.h>

#include <asm/apic.h>
#include <asm/io_apic.h>
#include <asm/processor.h>
#include <asm/x86_init.h>
#include <asm/xen/hypercall.h>

#include <xen/interface/physdev.h>
#include <xen/xen.h>

#include "xen-ops.h"

/* What an IO-APIC answers without Xen's help. */
#define XEN_IOAPIC_REG_ID	0x00
#define XEN_IOAPIC_REG_VERSION	0x01
#define XEN_IOAPIC_VERSION	0x00170020	/* 24 pins (max index 23), v0x20 */
#define XEN_IOAPIC_OTHER	0xfd

/* The local APIC version register: an integrated APIC, version 0x14. */
#define XEN_LAPIC_VERSION	0x14

static unsigned int xen_io_apic_read(unsigned int apic, unsigned int reg)
{
	struct physdev_apic op = {
		.apic_physbase = mpc_ioapic_addr(apic),
		.reg = reg,
	};

	if (!HYPERVISOR_physdev_op(PHYSDEVOP_apic_read, &op))
		return op.value;

	switch (reg) {
	case XEN_IOAPIC_REG_ID:
		return apic << 24;
	case XEN_IOAPIC_REG_VERSION:
		return XEN_IOAPIC_VERSION;
	}
	return XEN_IOAPIC_OTHER;
}

/* The APIC ID sits in bits 24-31 of the ID register. */
static u32 xen_get_apic_id(u32 id_reg)
{
	return (id_reg >> 24) & 0xff;
}

static u32 xen_lapic_read(u32 reg)
{
	unsigned int cpu;

	switch (reg) {
	case APIC_LVR:
		return XEN_LAPIC_VERSION;
	case APIC_ID:
		cpu = smp_processor_id();
		return cpu ? cpuid_to_apicid[cpu] << 24 : 0;
	}
	return 0;
}

static void xen_lapic_write(u32 reg, u32 val)
{
	if (reg == APIC_LVTPC) {
		pmu_apic_update(val);
		return;
	}
	WARN_ONCE(1, "write of %#x to APIC register %#x\n", val, reg);
}

static void xen_lapic_eoi(void)
{
	WARN_ONCE(1, "APIC EOI\n");
}

static u64 xen_lapic_icr_read(void)
{
	return 0;
}

static void xen_lapic_icr_write(u32 low, u32 high)
{
	WARN_ONCE(1, "write of %#x:%#x to the APIC ICR\n", high, low);
}

static int xen_apic_probe(void)
{
	return xen_pv_domain();
}

static int xen_apic_madt_oem_check(char *oem_id, char *oem_table_id)
{
	return xen_pv_domain();
}

static u32 xen_cpu_present_to_apicid(int cpu)
{
	return cpu_present(cpu) ? cpu_data(cpu).topo.apicid : BAD_APICID;
}

#ifdef CONFIG_SMP
/* apic->send_IPI: one CPU, an x86 vector. */
static void xen_apic_send_IPI(int cpu, int vector)
{
	xen_apic_ipi_mask(cpumask_of(cpu), vector);
}
#endif

static struct apic xen_pv_apic __ro_after_init = {
	.name				= "Xen PV",
	.probe				= xen_apic_probe,
	.acpi_madt_oem_check		= xen_apic_madt_oem_check,

#ifdef CONFIG_SMP
	.send_IPI			= xen_apic_send_IPI,
	.send_IPI_self			= xen_apic_ipi_self,
	.send_IPI_all			= xen_apic_ipi_all,
	.send_IPI_allbutself		= xen_apic_ipi_others,
	.send_IPI_mask			= xen_apic_ipi_mask,
	.send_IPI_mask_allbutself	= xen_apic_ipi_mask_others,
#endif

	.read				= xen_lapic_read,
	.write				= xen_lapic_write,
	.eoi				= xen_lapic_eoi,
	.icr_read			= xen_lapic_icr_read,
	.icr_write			= xen_lapic_icr_write,

	.disable_esr			= 0,
	.max_apic_id			= UINT_MAX,
	.get_apic_id			= xen_get_apic_id,
	.cpu_present_to_apicid		= xen_cpu_present_to_apicid,
	.calc_dest_apicid		= apic_flat_calc_apicid,
};

apic_driver(xen_pv_apic);

/**
 * xen_init_apic() - route the IO-APIC register reads through Xen
 */
void __init xen_init_apic(void)
{
	x86_apic_ops.io_apic_read = xen_io_apic_read;
}
