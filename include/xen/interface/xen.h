/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The core of Xen's guest ABI: hypercall numbers, virtual IRQs, the
 * page-table update and MMU extended operations of PV guests, multicalls,
 * and the two pages Xen hands every PV guest at boot, start_info and
 * shared_info (with the per-vCPU vcpu_info inside it).
 *
 * Restates what Linux uses from Xen's public xen.h (Xen 4.17,
 * /usr/include/xen/xen.h); the x86-64 parts it builds on are in
 * <asm/xen/interface.h>.  A hypercall takes its number in %rax and up to
 * five arguments in %rdi, %rsi, %rdx, %r10, %r8 (<asm/xen/hypercall.h>).
 *
 * The hypercall numbers are also read by scripts/xen-hypercalls.sh, which
 * the x86 build runs over include/xen/interface/xen*.h, so they stay
 * plain "#define __HYPERVISOR_name number" lines usable from assembly.
 */

#ifndef __XEN_INTERFACE_XEN_H__
#define __XEN_INTERFACE_XEN_H__

#include <asm/xen/interface.h>

/* Hypercall numbers. */
#define __HYPERVISOR_set_trap_table	0
#define __HYPERVISOR_mmu_update		1
#define __HYPERVISOR_set_gdt		2
#define __HYPERVISOR_stack_switch	3
#define __HYPERVISOR_fpu_taskswitch	5
#define __HYPERVISOR_platform_op	7
#define __HYPERVISOR_set_debugreg	8
#define __HYPERVISOR_get_debugreg	9
#define __HYPERVISOR_update_descriptor	10
#define __HYPERVISOR_memory_op		12
#define __HYPERVISOR_multicall		13
#define __HYPERVISOR_update_va_mapping	14
#define __HYPERVISOR_xen_version	17
#define __HYPERVISOR_console_io		18
#define __HYPERVISOR_grant_table_op	20
#define __HYPERVISOR_vm_assist		21
#define __HYPERVISOR_iret		23
#define __HYPERVISOR_vcpu_op		24
#define __HYPERVISOR_set_segment_base	25
#define __HYPERVISOR_mmuext_op		26
#define __HYPERVISOR_sched_op		29
#define __HYPERVISOR_callback_op	30
#define __HYPERVISOR_event_channel_op	32
#define __HYPERVISOR_physdev_op		33
#define __HYPERVISOR_hvm_op		34
#define __HYPERVISOR_xenpmu_op		40
#define __HYPERVISOR_dm_op		41

/*
 * Virtual IRQs, bound with EVTCHNOP_bind_virq.  TIMER, DEBUG and XENPMU
 * are per vCPU; the others are global.
 */
#define VIRQ_TIMER		0	/* singleshot timer fired */
#define VIRQ_DEBUG		1	/* "dump your state" ('q' key) */
#define VIRQ_CONSOLE		2	/* dom0: emergency console input */
#define VIRQ_XENOPROF		7
#define VIRQ_ENOMEM		12	/* dom0: Xen low on heap */
#define VIRQ_XENPMU		13	/* vPMU sample ready */
#define VIRQ_ARCH_0		16	/* first architecture-specific one */
#define NR_VIRQS		24

/*
 * HYPERVISOR_mmu_update: each struct mmu_update names its command in the
 * low two bits of ptr (entries are 8-byte aligned, so the bits are free).
 */
#define MMU_NORMAL_PT_UPDATE		0	/* *ptr = val, checked */
#define MMU_MACHPHYS_UPDATE		1	/* m2p[ptr >> 12] = val */
#define MMU_PT_UPDATE_PRESERVE_AD	2	/* keep the A/D bits of *ptr */
#define MMU_PT_UPDATE_NO_TRANSLATE	3	/* val's frame is not translated */

/* HYPERVISOR_mmuext_op commands (struct mmuext_op.cmd). */
#define MMUEXT_PIN_L1_TABLE	0	/* arg1.mfn: validate and pin */
#define MMUEXT_PIN_L3_TABLE	2
#define MMUEXT_PIN_L4_TABLE	3
#define MMUEXT_UNPIN_TABLE	4
#define MMUEXT_NEW_BASEPTR	5	/* arg1.mfn: kernel cr3 */
#define MMUEXT_TLB_FLUSH_LOCAL	6
#define MMUEXT_INVLPG_LOCAL	7	/* arg1.linear_addr */
#define MMUEXT_TLB_FLUSH_MULTI	8	/* arg2.vcpumask */
#define MMUEXT_INVLPG_MULTI	9	/* arg1.linear_addr, arg2.vcpumask */
#define MMUEXT_TLB_FLUSH_ALL	10
#define MMUEXT_SET_LDT		13	/* arg1.linear_addr, arg2.nr_ents */
#define MMUEXT_NEW_USER_BASEPTR	15	/* arg1.mfn: user cr3 */

/* HYPERVISOR_update_va_mapping flags: which TLBs to flush afterwards. */
#define UVMF_NONE		0x0UL
#define UVMF_TLB_FLUSH		0x1UL
#define UVMF_INVLPG		0x2UL
#define UVMF_ALL		0x4UL	/* all vCPUs, else local */

/* HYPERVISOR_console_io commands. */
#define CONSOLEIO_write		0

/* HYPERVISOR_vm_assist. */
#define VMASST_CMD_enable			0
#define VMASST_TYPE_writable_pagetables		2
#define VMASST_TYPE_runstate_update_flag	5

/* start_info.flags */
#define SIF_INITDOMAIN		0x02	/* we are dom0 */
#define SIF_MOD_START_PFN	0x08	/* mod_start is a frame number */
#define SIF_VIRT_P2M_4TOOLS	0x10	/* tools read the linear p2m */

#define MAX_GUEST_CMDLINE	1024

#ifndef __ASSEMBLY__

typedef u16 domid_t;

/* Domain ids above the real ones, with special meanings. */
#define DOMID_FIRST_RESERVED	0x7FF0U
#define DOMID_SELF		0x7FF0U
#define DOMID_INVALID		0x7FF4U
#define DOMID_IDLE		0x7FFFU

/* One entry of HYPERVISOR_mmu_update's list. */
struct mmu_update {
	u64 ptr;	/* machine address of the entry, | MMU_* command */
	u64 val;
};

/* One entry of HYPERVISOR_mmuext_op's list. */
struct mmuext_op {
	unsigned int cmd;		/* MMUEXT_* */
	union {
		xen_pfn_t mfn;
		unsigned long linear_addr;
	} arg1;
	union {
		unsigned int nr_ents;
		void *vcpumask;		/* bitmap of vCPUs */
	} arg2;
};

/*
 * One call of a HYPERVISOR_multicall batch: Xen runs the calls in order
 * and stores each return value in result.
 */
struct multicall_entry {
	xen_ulong_t op;
	long result;
	xen_ulong_t args[6];
};

/*
 * Per-vCPU shared state.  Xen sets evtchn_upcall_pending and a bit in
 * evtchn_pending_sel (one per word of shared_info.evtchn_pending) when an
 * event arrives, and upcalls unless evtchn_upcall_mask is set; the mask
 * is the PV guest's interrupt flag.  time is the vCPU's pvclock record.
 */
struct vcpu_info {
	u8 evtchn_upcall_pending;
	u8 evtchn_upcall_mask;
	xen_ulong_t evtchn_pending_sel;
	struct arch_vcpu_info arch;
	struct pvclock_vcpu_time_info time;
};

/*
 * The shared-info page: the first MAX_VIRT_CPUS vcpu_infos, the 2-level
 * event channel bitmaps (pending and masked, one bit per port), the wall
 * clock at system time 0 (wc, plus the seconds' top half) and the
 * architecture part.
 */
struct shared_info {
	struct vcpu_info vcpu_info[MAX_VIRT_CPUS];
	xen_ulong_t evtchn_pending[sizeof(xen_ulong_t) * 8];
	xen_ulong_t evtchn_mask[sizeof(xen_ulong_t) * 8];
	struct pvclock_wall_clock wc;
	u32 wc_sec_hi;
	struct arch_shared_info arch;
};

/*
 * The start-of-day page of a PV guest (%rsi at the ELF entry point).
 * The first block is refilled on resume after save/restore; the rest is
 * only valid at first boot.  Addresses marked virtual are in the initial
 * mapping Xen built; the others are machine frames or addresses.
 */
struct start_info {
	char magic[32];			/* "xen-<version>-<platform>" */
	unsigned long nr_pages;
	unsigned long shared_info;	/* machine address */
	u32 flags;			/* SIF_* */
	xen_pfn_t store_mfn;		/* xenstore ring */
	u32 store_evtchn;
	union {
		struct {
			xen_pfn_t mfn;	/* console ring */
			u32 evtchn;
		} domU;
		struct {
			u32 info_off;	/* dom0_vga_console_info, from here */
			u32 info_size;
		} dom0;
	} console;
	unsigned long pt_base;		/* virtual: top-level page table */
	unsigned long nr_pt_frames;
	unsigned long mfn_list;		/* virtual: initial p2m array */
	unsigned long mod_start;	/* virtual (or pfn): initrd */
	unsigned long mod_len;
	s8 cmd_line[MAX_GUEST_CMDLINE];
	unsigned long first_p2m_pfn;	/* frames of the virtual p2m */
	unsigned long nr_p2m_frames;
};

/* dom0's VGA description (start_info.console.dom0); only passed along. */
struct dom0_vga_console_info;

typedef u8 xen_domain_handle_t[16];	/* a domain's UUID */

static_assert(sizeof(struct mmu_update) == 16);
static_assert(sizeof(struct mmuext_op) == 24);
static_assert(offsetof(struct mmuext_op, arg1) == 8);
static_assert(offsetof(struct mmuext_op, arg2) == 16);
static_assert(sizeof(struct multicall_entry) == 64);
static_assert(offsetof(struct multicall_entry, result) == 8);
static_assert(offsetof(struct multicall_entry, args) == 16);
static_assert(sizeof(struct pvclock_vcpu_time_info) == 32);
static_assert(sizeof(struct vcpu_info) == 64);
static_assert(offsetof(struct vcpu_info, evtchn_upcall_mask) == 1);
static_assert(offsetof(struct vcpu_info, evtchn_pending_sel) == 8);
static_assert(offsetof(struct vcpu_info, arch) == 16);
static_assert(offsetof(struct vcpu_info, time) == 32);
static_assert(sizeof(struct shared_info) == 3136);
static_assert(offsetof(struct shared_info, evtchn_pending) == 2048);
static_assert(offsetof(struct shared_info, evtchn_mask) == 2560);
static_assert(offsetof(struct shared_info, wc) == 3072);
static_assert(offsetof(struct shared_info, wc_sec_hi) == 3084);
static_assert(offsetof(struct shared_info, arch) == 3088);
static_assert(sizeof(struct start_info) == 1168);
static_assert(offsetof(struct start_info, nr_pages) == 32);
static_assert(offsetof(struct start_info, flags) == 48);
static_assert(offsetof(struct start_info, store_mfn) == 56);
static_assert(offsetof(struct start_info, store_evtchn) == 64);
static_assert(offsetof(struct start_info, console) == 72);
static_assert(offsetof(struct start_info, pt_base) == 88);
static_assert(offsetof(struct start_info, mfn_list) == 104);
static_assert(offsetof(struct start_info, mod_start) == 112);
static_assert(offsetof(struct start_info, cmd_line) == 128);
static_assert(offsetof(struct start_info, first_p2m_pfn) == 1152);
static_assert(offsetof(struct start_info, nr_p2m_frames) == 1160);

#endif /* !__ASSEMBLY__ */

#endif /* __XEN_INTERFACE_XEN_H__ */
