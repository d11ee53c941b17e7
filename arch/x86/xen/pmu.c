// SPDX-License-Identifier: GPL-2.0
/*
 * pmu.c - performance counters in a PV guest: no virtual PMU offered.
 *
 * Xen can give a PV guest a virtual PMU (XENPMU_init, a shared page per
 * vCPU and VIRQ_XENPMU for overflows), but only when the host enables it
 * with "vpmu=", and Xen 4.17 leaves it off by default.  This port does not
 * use it: perf in the domU counts software events (and, on AMD, whatever
 * the core PMU code finds), and Xen answers PV reads and writes of the
 * counter MSRs itself - reads as zero, writes dropped, while the host's
 * vPMU is off.
 *
 * What the CPU pv_ops and the rest of the port still call is here, as the
 * plain version: MSR accesses are left to the caller's native path, RDPMC
 * becomes a read of the counter's MSR, the perf LVT has nowhere to go, and
 * there is no per-vCPU PMU state to set up or tear down.
 */

#include <linux/bits.h>
#include <linux/types.h>

#include <asm/cpufeature.h>
#include <asm/msr.h>
#include <asm/msr-index.h>
#include <asm/processor.h>

#include "xen-ops.h"

/* Bit 30 of an Intel RDPMC index selects the fixed-function counters. */
#define XEN_RDPMC_FIXED		BIT(30)

/**
 * pmu_msr_read() - a PMU MSR read we emulate: none
 * @msr: the MSR
 * @val: unused
 * @err: unused
 *
 * Return: false, so the caller reads @msr itself (through Xen).
 */
bool pmu_msr_read(unsigned int msr, uint64_t *val, int *err)
{
	return false;
}

/**
 * pmu_msr_write() - a PMU MSR write we emulate: none
 * @msr: the MSR
 * @low: unused
 * @high: unused
 * @err: unused
 *
 * Return: false, so the caller writes @msr itself (through Xen).
 */
bool pmu_msr_write(unsigned int msr, uint32_t low, uint32_t high, int *err)
{
	return false;
}

/**
 * xen_read_pmc() - pv_ops.cpu.read_pmc: RDPMC as an MSR read
 * @counter: the RDPMC index
 *
 * Return: the counter, or 0 if Xen refuses the read.
 */
unsigned long long xen_read_pmc(int counter)
{
	unsigned int idx = counter;
	unsigned int msr;
	int err;
	u64 val;

	switch (boot_cpu_data.x86_vendor) {
	case X86_VENDOR_AMD:
	case X86_VENDOR_HYGON:
		if (boot_cpu_has(X86_FEATURE_PERFCTR_CORE))
			msr = MSR_F15H_PERF_CTR + 2 * idx;
		else
			msr = MSR_K7_PERFCTR0 + idx;
		break;
	default:
		if (idx & XEN_RDPMC_FIXED)
			msr = MSR_CORE_PERF_FIXED_CTR0 + (idx & 0xffff);
		else
			msr = MSR_IA32_PERFCTR0 + idx;
		break;
	}
	val = native_read_msr_safe(msr, &err);
	return err ? 0 : val;
}

/**
 * pmu_apic_update() - the perf LVT entry was written
 * @val: its new value
 *
 * Without a virtual PMU no overflow interrupt is ever raised.
 *
 * Return: 0.
 */
int pmu_apic_update(uint32_t val)
{
	return 0;
}

#ifdef CONFIG_XEN_HAVE_VPMU
/* Otherwise xen-ops.h has these as empty inlines. */

/**
 * xen_pmu_init() - a vCPU's PMU state: none to set up
 * @cpu: the CPU
 */
void xen_pmu_init(int cpu)
{
}

/**
 * xen_pmu_finish() - a vCPU's PMU state: none to tear down
 * @cpu: the CPU
 */
void xen_pmu_finish(int cpu)
{
}
#endif /* CONFIG_XEN_HAVE_VPMU */
