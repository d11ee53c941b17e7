/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Making hypercalls from Linux on x86-64.
 *
 * Xen's x86-64 calling convention (Xen 4.17 public headers,
 * /usr/include/xen/arch-x86/xen-x86_64.h): the hypercall number goes in
 * %rax, up to five arguments in %rdi, %rsi, %rdx, %r10 and %r8, and the
 * result comes back in %rax.  Xen may change every argument register;
 * everything else survives.  The instruction that enters Xen differs
 * (syscall for PV, vmcall on Intel, vmmcall on AMD), so we do not emit it
 * here: every hypercall is a call through the "xen_hypercall" static
 * call.  Its target starts as xen_hypercall_hvm (xen-head.S), which picks
 * the right stub on first use through __xen_hypercall_setfunc(); a PV
 * guest points it at xen_hypercall_pv early in boot (enlighten.c).  The
 * stubs preserve every register except %rax and the argument registers,
 * which is what the asm below tells the compiler.
 *
 * On top of that: _hypercallN(type, name, args...) for a call to
 * __HYPERVISOR_name with N arguments, xen_single_call() for a number
 * known only at run time, privcmd_call() for one whose arguments point
 * into user memory (made with SMAP's AC flag set), one HYPERVISOR_name()
 * inline per hypercall Linux makes, and MULTI_name() helpers that fill
 * a struct multicall_entry for batching through HYPERVISOR_multicall.
 */

#ifndef _ASM_X86_XEN_HYPERCALL_H
#define _ASM_X86_XEN_HYPERCALL_H

#include <linux/build_bug.h>
#include <linux/compiler.h>
#include <linux/pgtable.h>
#include <linux/static_call_types.h>
#include <linux/string.h>
#include <linux/stringify.h>
#include <linux/types.h>

#include <trace/events/xen.h>

#include <asm/alternative.h>
#include <asm/asm.h>
#include <asm/desc_defs.h>
#include <asm/smap.h>

#include <xen/interface/xen.h>
#include <xen/interface/physdev.h>
#include <xen/interface/platform.h>
#include <xen/interface/sched.h>

/*
 * Every hypercall is "call" to the trampoline of this static call, whose
 * target enlighten.c and xen-head.S manage.  objtool records each call
 * site against the static call's key, so built-in code must reference the
 * key's symbol even though it only calls the trampoline; a module sees
 * only the exported trampoline, and objtool handles its sites without
 * the key.
 */
#ifndef MODULE
#define __XEN_HYPERCALL_KEY_REF	".global " STATIC_CALL_KEY_STR(xen_hypercall) "\n\t"
#else
#define __XEN_HYPERCALL_KEY_REF
#endif

#define __XEN_HYPERCALL_CALL						\
	__XEN_HYPERCALL_KEY_REF "call " STATIC_CALL_TRAMP_STR(xen_hypercall)

void xen_hypercall_func(void);
DECLARE_STATIC_CALL(xen_hypercall, xen_hypercall_func);

/*
 * The one hypercall primitive.  The arguments are evaluated into
 * ordinary locals first, so that no function call in an argument
 * expression can run after the fixed registers are loaded.  All five
 * argument registers are in/out operands: Xen may scribble on any of
 * them, whether or not the call uses it (unused ones are passed as 0).
 */
#define __xen_hypercall(type, nr, a1, a2, a3, a4, a5)			\
({									\
	unsigned long __v1 = (unsigned long)(a1);			\
	unsigned long __v2 = (unsigned long)(a2);			\
	unsigned long __v3 = (unsigned long)(a3);			\
	unsigned long __v4 = (unsigned long)(a4);			\
	unsigned long __v5 = (unsigned long)(a5);			\
	register unsigned long __rax asm("rax") = (nr);			\
	register unsigned long __rdi asm("rdi") = __v1;			\
	register unsigned long __rsi asm("rsi") = __v2;			\
	register unsigned long __rdx asm("rdx") = __v3;			\
	register unsigned long __r10 asm("r10") = __v4;			\
	register unsigned long __r8 asm("r8") = __v5;			\
									\
	asm volatile(__XEN_HYPERCALL_CALL				\
		     : "+r" (__rax), "+r" (__rdi), "+r" (__rsi),	\
		       "+r" (__rdx), "+r" (__r10), "+r" (__r8),		\
		       ASM_CALL_CONSTRAINT				\
		     : : "memory");					\
	(type)__rax;							\
})

#define _hypercall0(type, name)						\
	__xen_hypercall(type, __HYPERVISOR_##name, 0, 0, 0, 0, 0)
#define _hypercall1(type, name, a1)					\
	__xen_hypercall(type, __HYPERVISOR_##name, a1, 0, 0, 0, 0)
#define _hypercall2(type, name, a1, a2)					\
	__xen_hypercall(type, __HYPERVISOR_##name, a1, a2, 0, 0, 0)
#define _hypercall3(type, name, a1, a2, a3)				\
	__xen_hypercall(type, __HYPERVISOR_##name, a1, a2, a3, 0, 0)
#define _hypercall4(type, name, a1, a2, a3, a4)				\
	__xen_hypercall(type, __HYPERVISOR_##name, a1, a2, a3, a4, 0)

/* A hypercall whose number is a run-time value (multicall fallback). */
static inline long xen_single_call(unsigned int call, unsigned long a1,
				   unsigned long a2, unsigned long a3,
				   unsigned long a4, unsigned long a5)
{
	return __xen_hypercall(long, call, a1, a2, a3, a4, a5);
}

/*
 * Open or close the user-access window around a hypercall whose buffers
 * are user memory.  The alternative is hidden from objtool: it would
 * otherwise object to calling the hypercall stub with AC set.
 */
static __always_inline void __xen_user_access_begin(void)
{
	asm volatile(ANNOTATE_IGNORE_ALTERNATIVE ASM_STAC
		     : : : "memory", "flags");
}

static __always_inline void __xen_user_access_end(void)
{
	asm volatile(ANNOTATE_IGNORE_ALTERNATIVE ASM_CLAC
		     : : : "memory", "flags");
}

/* privcmd's IOCTL_PRIVCMD_HYPERCALL: any hypercall, user buffers. */
static inline long privcmd_call(unsigned int call, unsigned long a1,
				unsigned long a2, unsigned long a3,
				unsigned long a4, unsigned long a5)
{
	long ret;

	__xen_user_access_begin();
	ret = xen_single_call(call, a1, a2, a3, a4, a5);
	__xen_user_access_end();
	return ret;
}

/* Hypercalls of every guest type. */

static __always_inline int HYPERVISOR_sched_op(int cmd, void *arg)
{
	return _hypercall2(int, sched_op, cmd, arg);
}

static __always_inline int HYPERVISOR_xen_version(int cmd, void *arg)
{
	return _hypercall2(int, xen_version, cmd, arg);
}

static inline int HYPERVISOR_platform_op(struct xen_platform_op *op)
{
	op->interface_version = XENPF_INTERFACE_VERSION;
	return _hypercall1(int, platform_op, op);
}

static inline long HYPERVISOR_memory_op(unsigned int cmd, void *arg)
{
	return _hypercall2(long, memory_op, cmd, arg);
}

static inline int HYPERVISOR_multicall(void *call_list, u32 nr_calls)
{
	return _hypercall2(int, multicall, call_list, nr_calls);
}

static inline int HYPERVISOR_event_channel_op(int cmd, void *arg)
{
	return _hypercall2(int, event_channel_op, cmd, arg);
}

static inline int HYPERVISOR_console_io(int cmd, int count, char *str)
{
	return _hypercall3(int, console_io, cmd, count, str);
}

static inline int HYPERVISOR_physdev_op(int cmd, void *arg)
{
	return _hypercall2(int, physdev_op, cmd, arg);
}

static inline int HYPERVISOR_grant_table_op(unsigned int cmd, void *uop,
					    unsigned int count)
{
	return _hypercall3(int, grant_table_op, cmd, uop, count);
}

static inline int HYPERVISOR_vm_assist(unsigned int cmd, unsigned int type)
{
	return _hypercall2(int, vm_assist, cmd, type);
}

static inline int HYPERVISOR_vcpu_op(int cmd, int vcpuid, void *extra_args)
{
	return _hypercall3(int, vcpu_op, cmd, vcpuid, extra_args);
}

/*
 * SCHEDOP_shutdown(SHUTDOWN_suspend).  The toolstack finds the start_info
 * frame in the third argument register, so it is passed although the
 * sched_op itself takes only two arguments.
 */
static inline int HYPERVISOR_suspend(unsigned long start_info_mfn)
{
	struct sched_shutdown r = { .reason = SHUTDOWN_suspend };

	return _hypercall3(int, sched_op, SCHEDOP_shutdown, &r, start_info_mfn);
}

static inline unsigned long __must_check HYPERVISOR_hvm_op(int op, void *arg)
{
	return _hypercall2(unsigned long, hvm_op, op, arg);
}

static inline int HYPERVISOR_xenpmu_op(unsigned int op, void *arg)
{
	return _hypercall2(int, xenpmu_op, op, arg);
}

struct xen_dm_op_buf;

/* A device model's request: its buffers are user memory. */
static inline int HYPERVISOR_dm_op(domid_t dom, unsigned int nr_bufs,
				   struct xen_dm_op_buf *bufs)
{
	int ret;

	__xen_user_access_begin();
	ret = _hypercall3(int, dm_op, dom, nr_bufs, bufs);
	__xen_user_access_end();
	return ret;
}

#ifdef CONFIG_XEN_PV
/* Hypercalls only a PV guest makes. */

static inline int HYPERVISOR_set_trap_table(struct trap_info *table)
{
	return _hypercall1(int, set_trap_table, table);
}

static inline int HYPERVISOR_mmu_update(struct mmu_update *req, int count,
					int *success_count, domid_t domid)
{
	return _hypercall4(int, mmu_update, req, count, success_count, domid);
}

static inline int HYPERVISOR_mmuext_op(struct mmuext_op *op, int count,
				       int *success_count, domid_t domid)
{
	return _hypercall4(int, mmuext_op, op, count, success_count, domid);
}

static inline int HYPERVISOR_set_gdt(unsigned long *frame_list, int entries)
{
	return _hypercall2(int, set_gdt, frame_list, entries);
}

static inline int HYPERVISOR_callback_op(int cmd, void *arg)
{
	return _hypercall2(int, callback_op, cmd, arg);
}

static __always_inline int HYPERVISOR_set_debugreg(int reg,
						   unsigned long value)
{
	return _hypercall2(int, set_debugreg, reg, value);
}

static __always_inline unsigned long HYPERVISOR_get_debugreg(int reg)
{
	return _hypercall1(unsigned long, get_debugreg, reg);
}

static inline int HYPERVISOR_update_descriptor(u64 ma, u64 desc)
{
	return _hypercall2(int, update_descriptor, ma, desc);
}

static inline int HYPERVISOR_update_va_mapping(unsigned long va,
					       pte_t new_val,
					       unsigned long flags)
{
	return _hypercall3(int, update_va_mapping, va, new_val.pte, flags);
}

static inline int HYPERVISOR_set_segment_base(int reg, unsigned long value)
{
	return _hypercall2(int, set_segment_base, reg, value);
}

/*
 * Multicall entries.  Each helper overwrites *mcl with the hypercall
 * number and its arguments (the unused ones and the result zeroed) and
 * reports the entry to the xen:xen_mc_entry tracepoint with the number of
 * arguments used.
 */
#define __XEN_MC_SET(mcl, nr, nargs, ...) do {				\
	struct multicall_entry *__mc = (mcl);				\
									\
	*__mc = (struct multicall_entry){				\
		.op = (nr),						\
		.args = { __VA_ARGS__ },				\
	};								\
	trace_xen_mc_entry(__mc, nargs);				\
} while (0)

static inline void MULTI_fpu_taskswitch(struct multicall_entry *mcl, int set)
{
	__XEN_MC_SET(mcl, __HYPERVISOR_fpu_taskswitch, 1, set);
}

static inline void MULTI_update_va_mapping(struct multicall_entry *mcl,
					   unsigned long va, pte_t new_val,
					   unsigned long flags)
{
	__XEN_MC_SET(mcl, __HYPERVISOR_update_va_mapping, 3,
		     va, new_val.pte, flags);
}

static inline void MULTI_update_descriptor(struct multicall_entry *mcl,
					   u64 maddr, struct desc_struct desc)
{
	u64 raw;

	BUILD_BUG_ON(sizeof(desc) != sizeof(raw));
	memcpy(&raw, &desc, sizeof(raw));
	__XEN_MC_SET(mcl, __HYPERVISOR_update_descriptor, 2, maddr, raw);
}

static inline void MULTI_mmu_update(struct multicall_entry *mcl,
				    struct mmu_update *req, int count,
				    int *success_count, domid_t domid)
{
	__XEN_MC_SET(mcl, __HYPERVISOR_mmu_update, 4, (unsigned long)req,
		     count, (unsigned long)success_count, domid);
}

static inline void MULTI_mmuext_op(struct multicall_entry *mcl,
				   struct mmuext_op *op, int count,
				   int *success_count, domid_t domid)
{
	__XEN_MC_SET(mcl, __HYPERVISOR_mmuext_op, 4, (unsigned long)op,
		     count, (unsigned long)success_count, domid);
}

static inline void MULTI_stack_switch(struct multicall_entry *mcl,
				      unsigned long ss, unsigned long esp)
{
	__XEN_MC_SET(mcl, __HYPERVISOR_stack_switch, 2, ss, esp);
}
#endif /* CONFIG_XEN_PV */

#endif /* _ASM_X86_XEN_HYPERCALL_H */
