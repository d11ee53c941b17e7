/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The x86-64 half of Xen's guest ABI.
 *
 * Restates, for 64-bit PV and HVM guests only, what Linux uses from Xen's
 * public arch-x86/xen.h and arch-x86/xen-x86_64.h (Xen 4.17,
 * /usr/include/xen/arch-x86/): the word types every other interface
 * header builds on, guest handles, the fixed virtual-address layout Xen
 * reserves in a PV guest, the flat segment selectors, the per-vCPU and
 * shared-info architecture parts, the virtual IDT entry, the register
 * frame and boot context of a vCPU (VCPUOP_initialise), and the PMU
 * sample area shared with Xen's vPMU.  The "emulate prefix" that makes Xen
 * trap and emulate the next instruction (used for a PV-visible CPUID)
 * also lives here.
 *
 * On x86-64 a guest handle is an ordinary pointer, so interface structs
 * hold plain pointers and set_xen_guest_handle() is an assignment.
 *
 * Struct member order and widths are Xen's; the static_assert()s check
 * them against the sizes and offsets that Xen's own headers produce.
 */

#ifndef _ASM_X86_XEN_INTERFACE_H
#define _ASM_X86_XEN_INTERFACE_H

/*
 * Fixed layout of a 64-bit PV guest's address space: Xen owns
 * [HYPERVISOR_VIRT_START, HYPERVISOR_VIRT_END) and maps the read-only
 * machine-to-physical table (8 bytes per machine frame) at its start.
 */
#define __HYPERVISOR_VIRT_START	0xFFFF800000000000
#define __HYPERVISOR_VIRT_END	0xFFFF880000000000
#define __MACH2PHYS_VIRT_START	0xFFFF800000000000
#define __MACH2PHYS_VIRT_END	0xFFFF804000000000

/* User code selector of the flat 64-bit segment Xen provides (GDT 261). */
#define FLAT_USER_CS64		0xe033

/* Virtual CPUs whose vcpu_info lives inside the shared-info page. */
#define MAX_VIRT_CPUS		32

/* HYPERVISOR_set_segment_base's first argument. */
#define SEGBASE_FS		0
#define SEGBASE_GS_USER		1
#define SEGBASE_GS_KERNEL	2
#define SEGBASE_GS_USER_SEL	3	/* load user %gs selector from base */

#ifndef __ASSEMBLY__
/*
 * Without __KERNEL__ this is scripts/xen-hypercalls.sh, which only wants
 * the __HYPERVISOR_* numbers from a bare preprocessor run.
 */
#ifdef __KERNEL__
#include <linux/build_bug.h>
#include <linux/stddef.h>
#include <linux/types.h>
#include <asm/asm.h>
#include <asm/emulate_prefix.h>
#include <asm/pvclock-abi.h>
#endif

/* Both are unsigned long (u_long) on x86-64. */
typedef u_long xen_pfn_t;	/* a (machine or guest) frame number */
typedef u_long xen_ulong_t;

#define set_xen_guest_handle(hnd, val)	((hnd) = (val))

#define MACH2PHYS_VIRT_START	((unsigned long)__MACH2PHYS_VIRT_START)
#define MACH2PHYS_VIRT_END	((unsigned long)__MACH2PHYS_VIRT_END)
#define MACH2PHYS_NR_ENTRIES						\
	((MACH2PHYS_VIRT_END - MACH2PHYS_VIRT_START) / sizeof(unsigned long))

/* A cr3 value (as in vcpu_guest_context.ctrlreg[3]) from a frame. */
#define xen_pfn_to_cr3(pfn)	((unsigned long)(pfn) << 12)

/* A callback address as callback_register wants it (no selector). */
#define XEN_CALLBACK(cs, rip)	((void)(cs), (unsigned long)(rip))

/*
 * One virtual IDT entry for HYPERVISOR_set_trap_table (an array ended by
 * an all-zero entry): flags bits 0-1 are the DPL allowed to raise the
 * vector with INT, bit 2 set means "mask events on entry".
 */
struct trap_info {
	u8 vector;
	u8 flags;
	u16 cs;
	unsigned long address;
};

/* Architecture part of struct vcpu_info. */
struct arch_vcpu_info {
	unsigned long cr2;	/* faulting address of the last #PF */
	unsigned long pad;
};

/*
 * Architecture part of struct shared_info: where tools and dom0 find this
 * guest's physical-to-machine table.  p2m_cr3/p2m_vaddr describe the
 * linear list; p2m_generation is odd while the guest changes it.
 */
struct arch_shared_info {
	unsigned long max_pfn;
	xen_pfn_t pfn_to_mfn_frame_list_list;
	unsigned long nmi_reason;	/* _XEN_NMIREASON_* bits */
	unsigned long p2m_cr3;
	unsigned long p2m_vaddr;
	unsigned long p2m_generation;
};

/*
 * Register frame of a vCPU.  Where Linux names a register in its 32-bit
 * spelling (eip, esp, eflags) the 64-bit field is reachable under both.
 */
struct cpu_user_regs {
	u64 r15, r14, r13, r12;
	u64 rbp, rbx;
	u64 r11, r10, r9, r8;
	u64 rax, rcx, rdx, rsi, rdi;
	u32 error_code;
	u32 entry_vector;
	union { u64 rip, eip; };
	u16 cs, _pad0[1];
	u8 saved_upcall_mask;
	u8 _pad1[3];
	union { u64 rflags, eflags; };
	union { u64 rsp, esp; };
	u16 ss, _pad2[3];
	u16 es, _pad3[3];
	u16 ds, _pad4[3];
	u16 fs, _pad5[3];
	u16 gs, _pad6[3];
};

/* Initial state of a PV vCPU, for VCPUOP_initialise. */
#define VGCF_IN_KERNEL		0x4

struct vcpu_guest_context {
	struct { char x[512]; } fpu_ctxt;	/* FXSAVE image */
	unsigned long flags;			/* VGCF_* */
	struct cpu_user_regs user_regs;
	struct trap_info trap_ctxt[256];
	unsigned long ldt_base, ldt_ents;
	unsigned long gdt_frames[16], gdt_ents;	/* machine frames of GDT */
	unsigned long kernel_ss, kernel_sp;	/* stack for ring-0 entry */
	unsigned long ctrlreg[8];		/* cr3 in [3], user cr3 in [1] */
	unsigned long debugreg[8];
	unsigned long event_callback_eip;
	unsigned long failsafe_callback_eip;
	unsigned long syscall_callback_eip;
	unsigned long vm_assist;		/* VMASST_TYPE_* bits */
	u64 fs_base;
	u64 gs_base_kernel;
	u64 gs_base_user;
};

/*
 * The vPMU sample area (struct xen_pmu_data.pmu): the interrupted
 * context, the guest's LVTPC value, and the vendor counter state that
 * Xen caches for the guest while PMU_CACHED is set.
 */
#define PMU_SAMPLE_USER		0x2	/* sample taken in user mode */
#define PMU_SAMPLE_PV		0x8	/* sample is of a PV guest */

struct xen_pmu_regs {
	u64 ip;
	u64 sp;
	u64 flags;
	u16 cs;
	u16 ss;
	u8 cpl;
	u8 pad[3];
};

/* AMD: counters and ctrls are byte offsets of two u64 arrays in regs. */
struct xen_pmu_amd_ctxt {
	u32 counters;
	u32 ctrls;
	u64 regs[];
};

struct xen_pmu_cntr_pair {
	u64 counter;
	u64 control;
};

/*
 * Intel: fixed_counters (u64 values) and arch_counters (xen_pmu_cntr_pair)
 * are byte offsets into regs.
 */
struct xen_pmu_intel_ctxt {
	u32 fixed_counters;
	u32 arch_counters;
	u64 global_ctrl;
	u64 global_ovf_ctrl;
	u64 global_status;
	u64 fixed_ctrl;
	u64 ds_area;
	u64 pebs_enable;
	u64 debugctl;
	u64 regs[];
};

struct xen_pmu_arch {
	union {
		struct xen_pmu_regs regs;
		u8 pad[64];
	} r;
	u64 pmu_flags;			/* PMU_* */
	union {
		u32 lapic_lvtpc;
		u64 pad;
	} l;
	union {
		struct xen_pmu_amd_ctxt amd;
		struct xen_pmu_intel_ctxt intel;
		u8 pad[128];
	} c;
};

/* Prefix making Xen emulate the following instruction (ud2; .ascii "xen"). */
#define XEN_EMULATE_PREFIX	__ASM_FORM(.byte __XEN_EMULATE_PREFIX ;)

static_assert(sizeof(struct trap_info) == 16);
static_assert(offsetof(struct trap_info, cs) == 2);
static_assert(offsetof(struct trap_info, address) == 8);
static_assert(sizeof(struct arch_vcpu_info) == 16);
static_assert(sizeof(struct arch_shared_info) == 48);
static_assert(offsetof(struct arch_shared_info, pfn_to_mfn_frame_list_list) == 8);
static_assert(offsetof(struct arch_shared_info, p2m_cr3) == 24);
static_assert(offsetof(struct arch_shared_info, p2m_generation) == 40);
static_assert(sizeof(struct cpu_user_regs) == 200);
static_assert(offsetof(struct cpu_user_regs, rip) == 128);
static_assert(offsetof(struct cpu_user_regs, cs) == 136);
static_assert(offsetof(struct cpu_user_regs, rflags) == 144);
static_assert(offsetof(struct cpu_user_regs, rsp) == 152);
static_assert(offsetof(struct cpu_user_regs, ss) == 160);
static_assert(offsetof(struct cpu_user_regs, gs) == 192);
static_assert(sizeof(struct vcpu_guest_context) == 5168);
static_assert(offsetof(struct vcpu_guest_context, flags) == 512);
static_assert(offsetof(struct vcpu_guest_context, user_regs) == 520);
static_assert(offsetof(struct vcpu_guest_context, trap_ctxt) == 720);
static_assert(offsetof(struct vcpu_guest_context, ldt_base) == 4816);
static_assert(offsetof(struct vcpu_guest_context, gdt_frames) == 4832);
static_assert(offsetof(struct vcpu_guest_context, kernel_ss) == 4968);
static_assert(offsetof(struct vcpu_guest_context, ctrlreg) == 4984);
static_assert(offsetof(struct vcpu_guest_context, debugreg) == 5048);
static_assert(offsetof(struct vcpu_guest_context, event_callback_eip) == 5112);
static_assert(offsetof(struct vcpu_guest_context, vm_assist) == 5136);
static_assert(offsetof(struct vcpu_guest_context, fs_base) == 5144);
static_assert(offsetof(struct vcpu_guest_context, gs_base_user) == 5160);
static_assert(sizeof(struct xen_pmu_regs) == 32);
static_assert(sizeof(struct xen_pmu_amd_ctxt) == 8);
static_assert(sizeof(struct xen_pmu_intel_ctxt) == 64);
static_assert(sizeof(struct xen_pmu_cntr_pair) == 16);
static_assert(sizeof(struct xen_pmu_arch) == 208);
static_assert(offsetof(struct xen_pmu_arch, pmu_flags) == 64);
static_assert(offsetof(struct xen_pmu_arch, l) == 72);
static_assert(offsetof(struct xen_pmu_arch, c) == 80);

#endif /* !__ASSEMBLY__ */

#endif /* _ASM_X86_XEN_INTERFACE_H */
