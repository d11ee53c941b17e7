/* SPDX-License-Identifier: GPL-2.0 */
/*
 * xen-head.S - what Xen's domain builder reads and where it starts us.
 *
 * arch/x86/kernel/head_64.S includes this file, so it is assembled into
 * head_64.o, inside the kernel's own head code.  It holds:
 *
 *  - the ELF notes (.note.Xen) that tell the builder how to load a PV
 *    kernel: where it is linked (VIRT_BASE, PADDR_OFFSET), where to enter
 *    it (ENTRY), that it wants 64-bit paging (PAE_MODE) and read-only
 *    page tables (FEATURES: "!writable_page_tables" means the guest must
 *    not be given writable ones), where to put the p2m list (INIT_P2M: a
 *    virtual address above all guest memory, at 512 GiB), that the initrd
 *    is to be given as a pfn (MOD_START_PFN), which Xen-visible features
 *    the kernel can use (SUPPORTED_FEATURES) and that a cancelled suspend
 *    may resume in place (SUSPEND_CANCEL).  L1_MFN_VALID says which bits
 *    of an L1 entry make its frame number meaningful (present).
 *  - startup_xen, the entry point: Xen enters it in 64-bit mode with
 *    events masked, %rsi pointing at start_info and a stack of its own
 *    inside the boot tables.  It moves to the kernel's boot stack, points
 *    the kernel %gs base at the boot CPU's per-CPU data (the stack
 *    protector reads its canary through %gs) and calls xen_start_kernel().
 *  - with SMP, where a secondary vCPU starts (VCPUOP_initialise points its
 *    rip here) and where a vCPU brought back online restarts.
 */

#ifdef CONFIG_XEN

#include <linux/elfnote.h>
#include <linux/init.h>
#include <linux/linkage.h>

#include <asm/asm.h>
#include <asm/page_types.h>
#include <asm/percpu.h>
#include <asm/pgtable_types.h>
#include <asm/unwind_hints.h>

#include <asm/xen/interface.h>
#include <xen/interface/xen.h>
#include <xen/interface/features.h>
#include <xen/interface/elfnote.h>

#ifdef CONFIG_XEN_PV

	__INIT
SYM_CODE_START(startup_xen)
	ANNOTATE_NOENDBR
	UNWIND_HINT_END_OF_STACK
	leaq	__top_init_kernel_stack(%rip), %rsp
	movq	%rsi, %r12			/* start_info, kept across the call */
	cld

	/* %gs base for the kernel: a hypercall, not an emulated wrmsr */
	movl	$__HYPERVISOR_set_segment_base, %eax
	movl	$SEGBASE_GS_KERNEL, %edi
	leaq	INIT_PER_CPU_VAR(fixed_percpu_data)(%rip), %rsi
	syscall
	UNWIND_HINT_END_OF_STACK	/* (objtool: execution goes on here) */

	movq	%r12, %rdi
	call	xen_start_kernel
SYM_CODE_END(startup_xen)
	__FINIT

#ifdef CONFIG_XEN_PV_SMP
	.pushsection .text
/* A vCPU onlined again, %rdi the top of its idle stack. */
SYM_CODE_START(xen_cpu_bringup_again)
	UNWIND_HINT_FUNC
	movq	%rdi, %rsp
	UNWIND_HINT_REGS
	call	cpu_bringup_and_idle
SYM_CODE_END(xen_cpu_bringup_again)

/* A new vCPU: Xen loaded the stack, %gs and the rest from its context. */
SYM_CODE_START(asm_cpu_bringup_and_idle)
	UNWIND_HINT_END_OF_STACK
	ENDBR
	call	cpu_bringup_and_idle
SYM_CODE_END(asm_cpu_bringup_and_idle)
	.popsection
#endif /* CONFIG_XEN_PV_SMP */

#define XEN_NOTE(what, ...)	ELFNOTE(Xen, XEN_ELFNOTE_##what, __VA_ARGS__)

	XEN_NOTE(ENTRY,			_ASM_PTR startup_xen)
	XEN_NOTE(VIRT_BASE,		_ASM_PTR __START_KERNEL_map)
	XEN_NOTE(PADDR_OFFSET,		_ASM_PTR 0)
	XEN_NOTE(INIT_P2M,		.quad PTRS_PER_PUD * PUD_SIZE)
	XEN_NOTE(PAE_MODE,		.asciz "yes")
	XEN_NOTE(FEATURES,		.ascii "!writable_page_tables")
	XEN_NOTE(SUPPORTED_FEATURES,	.long 1 << XENFEAT_writable_page_tables)
	XEN_NOTE(L1_MFN_VALID,		.quad _PAGE_PRESENT; .quad _PAGE_PRESENT)
	XEN_NOTE(MOD_START_PFN,		.long 1)
	XEN_NOTE(SUSPEND_CANCEL,	.long 1)
	XEN_NOTE(LOADER,		.asciz "generic")
	XEN_NOTE(GUEST_OS,		.asciz "linux")
	XEN_NOTE(GUEST_VERSION,		.asciz "2.6")
	XEN_NOTE(XEN_VERSION,		.asciz "xen-3.0")

#endif /* CONFIG_XEN_PV */
#endif /* CONFIG_XEN */
