/* SPDX-License-Identifier: GPL-2.0 */
/*
 * xen-asm.S - the assembly a Xen PV kernel needs: how it calls Xen, how
 * Xen calls it, and how it leaves for user mode.
 *
 * Calling Xen.  A 64-bit PV kernel makes a hypercall with the syscall
 * instruction: number in %eax, arguments in %rdi, %rsi, %rdx, %r10 and %r8,
 * result in %rax.  syscall itself overwrites %rcx and %r11, which the
 * inline asm of the HYPERVISOR_*() wrappers expects to survive, so
 * xen_hypercall_pv keeps them on the stack.
 *
 * Being called.  Xen delivers exceptions, the event upcall and system
 * calls on the kernel stack with a hardware-style frame plus two extra
 * words on top: the %rcx and %r11 it clobbered.  Each entry below pops
 * them and continues at the native entry code.  A system call also has no
 * reliable CS and SS in that frame, so the entry writes the user values.
 *
 * Leaving.  iret is Xen's (a hypercall): its frame is the hardware one
 * with four words under it, lowest first: %rax, %r11, %rcx and a flags
 * word (0 here: not returning from a syscall).  Xen restores the three
 * registers itself.
 *
 * The direct interrupt-flag operations read this CPU's own vcpu_info
 * through %gs (enlighten.c registers it with Xen; irq.c explains the
 * protocol), and must keep every register but the result: pv_ops calls
 * them as callee-save functions.
 */

#include <linux/init.h>
#include <linux/linkage.h>
#include <linux/objtool.h>

#include <asm/asm.h>
#include <asm/asm-offsets.h>
#include <asm/errno.h>
#include <asm/frame.h>
#include <asm/percpu.h>
#include <asm/processor-flags.h>
#include <asm/segment.h>
#include <asm/thread_info.h>
#include <asm/unwind_hints.h>

#include <xen/interface/xen.h>

#include <../entry/calling.h>

/* this CPU's vcpu_info fields, through %gs */
#define VCPU_MASK	PER_CPU_VAR(xen_vcpu_info + XEN_vcpu_info_mask)
#define VCPU_PENDING	PER_CPU_VAR(xen_vcpu_info + XEN_vcpu_info_pending)
#define VCPU_CR2	PER_CPU_VAR(xen_vcpu_info + XEN_vcpu_info_arch_cr2)

	.pushsection .noinstr.text, "ax"

SYM_FUNC_START(xen_hypercall_pv)
	ANNOTATE_NOENDBR
	push	%r11
	push	%rcx
	UNWIND_HINT_SAVE
	syscall
	UNWIND_HINT_RESTORE
	pop	%rcx
	pop	%r11
	RET
SYM_FUNC_END(xen_hypercall_pv)

/* local_irq_disable(): mask events */
SYM_FUNC_START(xen_irq_disable_direct)
	movb	$1, VCPU_MASK
	RET
SYM_FUNC_END(xen_irq_disable_direct)

/*
 * local_irq_enable(): unmask; then, if an event came in while masked,
 * make a cheap hypercall (xen_version), on whose way out Xen delivers it.
 * Every register the hypercall may touch is kept: %rax (result), %rcx and
 * %r11 (syscall), and the argument registers (a debug Xen scribbles on
 * them).
 */
SYM_FUNC_START(xen_irq_enable_direct)
	movb	$0, VCPU_MASK
	cmpb	$0, VCPU_PENDING
	jne	.Ldeliver
	RET
.Ldeliver:
	FRAME_BEGIN
	subq	$64, %rsp
	movq	%rax, 56(%rsp)
	movq	%rcx, 48(%rsp)
	movq	%rdx, 40(%rsp)
	movq	%rsi, 32(%rsp)
	movq	%rdi, 24(%rsp)
	movq	%r8, 16(%rsp)
	movq	%r10, 8(%rsp)
	movq	%r11, 0(%rsp)
	movl	$__HYPERVISOR_xen_version, %eax
	xorl	%edi, %edi
	xorl	%esi, %esi
	UNWIND_HINT_SAVE
	syscall
	UNWIND_HINT_RESTORE
	movq	0(%rsp), %r11
	movq	8(%rsp), %r10
	movq	16(%rsp), %r8
	movq	24(%rsp), %rdi
	movq	32(%rsp), %rsi
	movq	40(%rsp), %rdx
	movq	48(%rsp), %rcx
	movq	56(%rsp), %rax
	addq	$64, %rsp
	FRAME_END
	RET
SYM_FUNC_END(xen_irq_enable_direct)

/* save_fl(): X86_EFLAGS_IF (bit 9, so bit 1 of %ah) set when unmasked */
SYM_FUNC_START(xen_save_fl_direct)
	cmpb	$0, VCPU_MASK
	sete	%ah
	shlb	$1, %ah
	RET
SYM_FUNC_END(xen_save_fl_direct)

/* read_cr2(): Xen stores the fault address in vcpu_info */
SYM_FUNC_START(xen_read_cr2)
	FRAME_BEGIN
	movq	PER_CPU_VAR(xen_vcpu), %rax
	movq	XEN_vcpu_info_arch_cr2(%rax), %rax
	FRAME_END
	RET
SYM_FUNC_END(xen_read_cr2)

SYM_FUNC_START(xen_read_cr2_direct)
	FRAME_BEGIN
	movq	VCPU_CR2, %rax
	FRAME_END
	RET
SYM_FUNC_END(xen_read_cr2_direct)

	.popsection

/*
 * Exception and upcall entries: drop Xen's %rcx/%r11 and go native.
 * (The two registers hold the interrupted context's values again once
 * popped, which is what the native entry saves.)
 */
.macro xen_entry_stub target
SYM_CODE_START(xen_\target)
	UNWIND_HINT_ENTRY
	ENDBR
	popq	%rcx
	popq	%r11
	jmp	\target
SYM_CODE_END(xen_\target)
_ASM_NOKPROBE(xen_\target)
.endm

	xen_entry_stub asm_exc_alignment_check
	xen_entry_stub asm_exc_bounds
	xen_entry_stub asm_exc_coproc_segment_overrun
	xen_entry_stub asm_exc_coprocessor_error
	xen_entry_stub asm_exc_device_not_available
	xen_entry_stub asm_exc_divide_error
	xen_entry_stub asm_exc_general_protection
	xen_entry_stub asm_exc_int3
	xen_entry_stub asm_exc_invalid_op
	xen_entry_stub asm_exc_invalid_tss
	xen_entry_stub asm_exc_overflow
	xen_entry_stub asm_exc_page_fault
	xen_entry_stub asm_exc_segment_not_present
	xen_entry_stub asm_exc_simd_coprocessor_error
	xen_entry_stub asm_exc_spurious_interrupt_bug
	xen_entry_stub asm_exc_stack_segment
	xen_entry_stub asm_exc_xen_hypervisor_callback
	xen_entry_stub asm_exc_xen_unknown_trap
	xen_entry_stub asm_xenpv_exc_debug
	xen_entry_stub asm_xenpv_exc_double_fault
	xen_entry_stub asm_xenpv_exc_nmi
#ifdef CONFIG_X86_CET
	xen_entry_stub asm_exc_control_protection
#endif
#ifdef CONFIG_X86_MCE
	xen_entry_stub asm_xenpv_exc_machine_check
#endif
#ifdef CONFIG_IA32_EMULATION
	xen_entry_stub asm_int80_emulation
#endif

/*
 * The early (boot) exception handlers, one fixed-size slot per vector,
 * so traps_pv.c can map early_idt_handler_array[n] to slot n.
 */
	__INIT
SYM_CODE_START(xen_early_idt_handler_array)
	vector = 0
	.rept NUM_EXCEPTION_VECTORS
	UNWIND_HINT_UNDEFINED
	ENDBR
	popq	%rcx
	popq	%r11
	jmp	early_idt_handler_array + vector * EARLY_IDT_HANDLER_SIZE
	vector = vector + 1
	.fill xen_early_idt_handler_array + vector * XEN_EARLY_IDT_HANDLER_SIZE - ., 1, 0xcc
	.endr
SYM_CODE_END(xen_early_idt_handler_array)
	__FINIT

/*
 * Core entry code jumps here instead of to its own return-to-user path,
 * which would move to the trampoline stack: a PV kernel has none (it is
 * entered on the task stack), and an iret frame left below %rsp there
 * could be overwritten by an NMI.
 */
SYM_CODE_START(xenpv_restore_regs_and_return_to_usermode)
	UNWIND_HINT_REGS
	POP_REGS
	STACKLEAK_ERASE_NOCLOBBER
	addq	$8, %rsp	/* orig_ax */
	jmp	xen_iret
SYM_CODE_END(xenpv_restore_regs_and_return_to_usermode)

/*
 * Return through Xen.  Entered with the hardware iret frame on top of
 * the stack; builds Xen's four extra words under it.
 */
SYM_CODE_START(xen_iret)
	UNWIND_HINT_UNDEFINED
	ANNOTATE_NOENDBR
	subq	$32, %rsp
	movq	%rax, 0(%rsp)
	movq	%r11, 8(%rsp)
	movq	%rcx, 16(%rsp)
	movq	$0, 24(%rsp)
	movl	$__HYPERVISOR_iret, %eax
	syscall
	int3	/* Xen's iret does not come back */
SYM_CODE_END(xen_iret)

/*
 * 64-bit system calls: Xen has put %rcx and %r11 (the user rip and
 * rflags) over an iret frame whose CS and SS are its guess; the kernel
 * wants the user selectors.
 */
SYM_CODE_START(xen_entry_SYSCALL_64)
	UNWIND_HINT_ENTRY
	ENDBR
	popq	%rcx
	popq	%r11
	movq	$__USER_CS, 8(%rsp)
	movq	$__USER_DS, 32(%rsp)
	jmp	entry_SYSCALL_64_after_hwframe
SYM_CODE_END(xen_entry_SYSCALL_64)

#ifdef CONFIG_IA32_EMULATION
.macro xen_compat_entry name, native
SYM_CODE_START(\name)
	UNWIND_HINT_ENTRY
	ENDBR
	popq	%rcx
	popq	%r11
	movq	$__USER32_CS, 8(%rsp)
	movq	$__USER_DS, 32(%rsp)
	jmp	\native
SYM_CODE_END(\name)
.endm
	xen_compat_entry xen_entry_SYSCALL_compat, entry_SYSCALL_compat_after_hwframe
	xen_compat_entry xen_entry_SYSENTER_compat, entry_SYSENTER_compat_after_hwframe
#else
/* No 32-bit user space: such a system call fails with -ENOSYS. */
SYM_CODE_START(xen_entry_SYSCALL_compat)
SYM_CODE_START(xen_entry_SYSENTER_compat)
	UNWIND_HINT_ENTRY
	ENDBR
	addq	$16, %rsp	/* Xen's %rcx and %r11: still in the regs */
	movq	$-ENOSYS, %rax
	jmp	xen_iret
SYM_CODE_END(xen_entry_SYSENTER_compat)
SYM_CODE_END(xen_entry_SYSCALL_compat)
#endif
