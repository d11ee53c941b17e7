/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Bits of Xen's HVM CPUID leaf.
 *
 * Xen's hypervisor CPUID leaves start at 0x40000000 (or 0x40000100 when
 * Viridian is enabled; xen_cpuid_base() finds them).  Leaf base + 4
 * describes HVM features in EAX.  The two bits Linux tests are restated
 * from Xen's public arch-x86/cpuid.h (Xen 4.17,
 * /usr/include/xen/arch-x86/cpuid.h).
 */

#ifndef _ASM_X86_XEN_CPUID_H
#define _ASM_X86_XEN_CPUID_H

/* EBX of the leaf holds this vCPU's Xen vcpu id. */
#define XEN_HVM_CPUID_VCPU_ID_PRESENT	0x8U
/* MSI address bits 11:5 extend the destination APIC id to 15 bits. */
#define XEN_HVM_CPUID_EXT_DEST_ID	0x20U

#endif /* _ASM_X86_XEN_CPUID_H */
