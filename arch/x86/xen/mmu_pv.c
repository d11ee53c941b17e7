// SPDX-License-Identifier: GPL-2.0
/*
 * The page tables of a running Xen PV guest (pv_ops.mmu).
 *
 * A PV guest walks its own page tables, but Xen has to be sure that no
 * entry maps a frame the guest does not own, and that no page which is a
 * page table can be written behind its back.  Xen therefore keeps a type for
 * every frame: a frame that is a page table (L1 to L4) may only be mapped
 * read-only, and Xen checks every entry when it gives the frame that type
 * ("validation").  A "pinned" table keeps its type, and so stays validated,
 * until it is unpinned; loading a top-level table into cr3 needs it
 * validated.
 *
 * The protocol, as this file speaks it:
 *
 *  - Entries hold machine frame numbers.  pte_val() and friends turn them
 *    back into pseudo-physical frames through the M2P, and __pte() and
 *    friends turn pfns into mfns through the p2m (the callee-save thunks
 *    below are what pv_ops calls).  A frame with no machine frame gives a
 *    non-present entry; a machine frame that is not ours reads back as a
 *    non-present entry too.
 *
 *  - Late pinning.  A new mm's tree is built as ordinary writable memory
 *    and every write to it is a plain store.  When the mm is first
 *    activated (the end of fork's dup_mmap, through the enter_mmap hook, or
 *    for exec once the new stack is in place, through
 *    arch_setup_arg_pages_done() of patches/0004) the whole tree below the
 *    user limit is made read-only and pinned in one go: one multicall per
 *    32 table pages, each holding one MMU_UPDATE with every read-only remap
 *    and one MMUEXT_OP with the pins, the L4 (and the user L4) pinned last,
 *    which validates the whole tree.  Leaf (L1) pages are also pinned one
 *    by one, under their split page-table lock, so that a rmap walker that
 *    writes them with a locked instruction always finds a validated L1 that
 *    Xen emulates, and so that an L1 can be unpinned and freed by itself.
 *
 *  - While pinned (PagePinned on every page of the tree), entries are
 *    written through Xen: MMU_UPDATE, queued in the per-CPU multicall while
 *    lazy MMU mode is on and issued when the outermost lazy section ends or
 *    the batch fills.  Two core patches widen what is lazy: fault-around
 *    maps its pages in one section (patches/0001), and ptep_get_and_clear
 *    and ptep_set_wrprotect are ours (patches/0002), so munmap's clears and
 *    fork's write-protects join the batch instead of each trapping into
 *    Xen's write emulation.  A page added to a pinned
 *    tree is made read-only (and, for an L1, pinned) before the entry that
 *    links it is written; a page taken out is unpinned and made writable
 *    again before it goes back to the allocator.
 *
 *  - Early unpinning.  exit_mmap first makes every vCPU that still has the
 *    tree loaded (a lazy-TLB user, or a cr3 switch still queued) load
 *    another one, then unpins the tree and makes it writable, so that the
 *    teardown that follows is plain stores again.  A page-table page is
 *    never freed or reused while pinned.
 *
 *  - 64-bit PV runs user mode in a separate top-level table, which holds
 *    only the user half (and the vsyscall slot).  Its page hangs off the
 *    kernel top-level page's ->private; every write to a user slot of the
 *    kernel table is mirrored into it, and write_cr3 loads both
 *    (MMUEXT_NEW_BASEPTR and MMUEXT_NEW_USER_BASEPTR).
 *
 *  - TLB flushes, local and remote, are MMUEXT_TLB_FLUSH_* and
 *    MMUEXT_INVLPG_* (Xen flushes the other vCPUs; no IPIs).
 *
 *  - Before the kernel's own tables are in place, the *_init ops run (Xen's
 *    tables, then the ones mmu_pv_boot.c builds): every table counts as
 *    pinned until struct pages exist and carry the Pinned bit, which the
 *    after-bootmem hook sets on the whole of init_mm's tree.
 *
 * mmu_pv_boot.c (the start of day) and mmu_pv_remap.c (machine frame
 * exchange and foreign mappings) are the other two thirds; mmu_pv.h is
 * what they need from here.
 */

#define pr_fmt(fmt) "xen-mmu: " fmt

#include <linux/binfmts.h>
#include <linux/cpumask.h>
#include <linux/export.h>
#include <linux/gfp.h>
#include <linux/init.h>
#include <linux/log2.h>
#include <linux/mm.h>
#include <linux/percpu.h>
#include <linux/pgtable.h>
#include <linux/sched.h>
#include <linux/sched/mm.h>
#include <linux/sizes.h>
#include <linux/smp.h>
#include <linux/spinlock.h>
#include <linux/string.h>

#include <asm/fixmap.h>
#include <asm/io.h>
#include <asm/mmu_context.h>
#include <asm/paravirt.h>
#include <asm/pgalloc.h>
#include <asm/tlb.h>
#include <asm/tlbflush.h>
#include <asm/xen/hypercall.h>
#include <asm/xen/hypervisor.h>
#include <asm/xen/page.h>

#include <xen/interface/xen.h>
#include <xen/page.h>
#include <xen/xen.h>

#include "mmu_pv.h"
#include "xen-ops.h"

/*
 * cr3 as the kernel sees it (the last value written, maybe still queued in
 * a lazy batch), and cr3 as Xen has it (set once the batch that switched it
 * has run).  Another CPU's view of this CPU must use the second.
 */
DEFINE_PER_CPU(unsigned long, xen_cr3);
static DEFINE_PER_CPU(unsigned long, xen_loaded_cr3);

/* Set once init_mm's table pages carry PG_pinned (see xen_after_bootmem). */
static DEFINE_STATIC_KEY_FALSE(xen_pinned_bits_valid);

#ifdef CONFIG_X86_VSYSCALL_EMULATION
pud_t level3_user_vsyscall[PTRS_PER_PUD] __page_aligned_bss;
#endif

/* What the fixmap slots of hardware we do not have (APICs) point at. */
static u8 xen_void_page[PAGE_SIZE] __page_aligned_bss;

/* The user half of the address space, whole top-level slots. */
#define XEN_USER_END	ALIGN(STACK_TOP_MAX, PGDIR_SIZE)

static bool xen_table_pinned(const void *table)
{
	/* Before the bits are set, every table is one of init_mm's: pinned. */
	if (!static_branch_likely(&xen_pinned_bits_valid))
		return true;
	return PagePinned(virt_to_page(table));
}

/* ---- Queuing page-table requests in the per-CPU multicall ---- */

/*
 * Room for one more request of an MMU_UPDATE or MMUEXT_OP call: the last
 * queued call grows when it is the same hypercall, else a new call is
 * queued.  Both hypercalls take (requests, count, done, domid).  Call
 * between xen_mc_batch() and xen_mc_issue().
 */
static void *xen_mc_grow(unsigned int op, size_t size)
{
	struct multicall_space room = xen_mc_extend_args(op, size);

	if (!room.mc) {
		room = __xen_mc_entry(size);
		room.mc->op = op;
		room.mc->args[0] = (unsigned long)room.args;
		room.mc->args[1] = 0;
		room.mc->args[2] = 0;
		room.mc->args[3] = DOMID_SELF;
	}
	room.mc->args[1]++;
	return room.args;
}

static void xen_queue_update(u64 ptr, u64 val)
{
	struct mmu_update *req = xen_mc_grow(__HYPERVISOR_mmu_update,
					     sizeof(*req));

	req->ptr = ptr;
	req->val = val;
}

static void xen_queue_mmuext(unsigned int cmd, unsigned long arg)
{
	struct mmuext_op *req = xen_mc_grow(__HYPERVISOR_mmuext_op,
					    sizeof(*req));

	req->cmd = cmd;
	req->arg1.mfn = arg;
}

/*
 * Write one entry of a (maybe) validated table through Xen: queued while
 * lazy MMU mode is on, else one hypercall.
 */
static void xen_update_entry(u64 maddr, u64 val, unsigned int how)
{
	struct mmu_update req = { .ptr = maddr | how, .val = val };

	if (xen_get_lazy_mode() == XEN_LAZY_MMU) {
		xen_mc_batch();
		xen_queue_update(req.ptr, req.val);
		xen_mc_issue(XEN_LAZY_MMU);
		return;
	}
	if (HYPERVISOR_mmu_update(&req, 1, NULL, DOMID_SELF))
		pr_err_ratelimited("Xen refused entry %#llx at %#llx\n",
				   val, maddr);
}

static void xen_update_entry_va(void *entry, u64 val)
{
	xen_update_entry(arbitrary_virt_to_machine(entry).maddr, val,
			 MMU_NORMAL_PT_UPDATE);
}

/* ---- Entry values: pfn <-> mfn ---- */

static pteval_t xen_entry_to_pfn(pteval_t val)
{
	unsigned long pfn;

	if (!(val & _PAGE_PRESENT))
		return val;
	pfn = mfn_to_pfn((val & XEN_PTE_MFN_MASK) >> PAGE_SHIFT);
	/* A frame that is not ours reads back as "not present". */
	if (pfn == ~0UL)
		return val & PTE_FLAGS_MASK & ~_PAGE_PRESENT;
	return ((pteval_t)pfn << PAGE_SHIFT) | (val & PTE_FLAGS_MASK);
}

static pteval_t xen_entry_to_mfn(pteval_t val)
{
	unsigned long mfn;

	if (!(val & _PAGE_PRESENT))
		return val;
	mfn = __pfn_to_mfn((val & PTE_PFN_MASK) >> PAGE_SHIFT);
	/* No machine frame behind the pfn (ballooned out): an empty entry. */
	if (mfn == INVALID_P2M_ENTRY)
		return 0;
	mfn &= ~(P2M_FOREIGN_BIT | P2M_IDENTITY_BIT);
	return ((pteval_t)mfn << PAGE_SHIFT) | (val & PTE_FLAGS_MASK);
}

/*
 * For each level, what pv_ops calls to read an entry (machine frame back
 * to pfn) and to build one (pfn to machine frame), each with the
 * callee-save thunk the paravirt patching wants.
 */
#define XEN_ENTRY_CONVERSIONS(level)					\
__visible level##val_t xen_##level##_val(level##_t entry)		\
{									\
	return xen_entry_to_pfn(entry.level);				\
}									\
PV_CALLEE_SAVE_REGS_THUNK(xen_##level##_val);				\
__visible level##_t xen_make_##level(level##val_t val)			\
{									\
	return native_make_##level(xen_entry_to_mfn(val));		\
}									\
PV_CALLEE_SAVE_REGS_THUNK(xen_make_##level)

XEN_ENTRY_CONVERSIONS(pte);
XEN_ENTRY_CONVERSIONS(pmd);
XEN_ENTRY_CONVERSIONS(pud);
XEN_ENTRY_CONVERSIONS(p4d);
XEN_ENTRY_CONVERSIONS(pgd);

/*
 * make_pte while the kernel maps memory on the tables it got from Xen: the
 * frames of the initial p2m list, when Xen put it outside the kernel
 * mapping, hold page tables too (those mapping the list), and a page table
 * may only ever be mapped read-only.
 */
__visible pte_t xen_make_pte_init(pteval_t val)
{
	unsigned long first = xen_start_info->first_p2m_pfn;
	unsigned long pfn = (val & PTE_PFN_MASK) >> PAGE_SHIFT;

	if (xen_start_info->mfn_list < __START_KERNEL_map &&
	    pfn - first < xen_start_info->nr_p2m_frames)
		val &= ~_PAGE_RW;
	return native_make_pte(xen_entry_to_mfn(val));
}

PV_CALLEE_SAVE_REGS_THUNK(xen_make_pte_init);

/* ---- The user top-level table ---- */

/* The slot of the user table that mirrors @slot, a user slot of a kernel top. */
static pgd_t *xen_user_slot(pgd_t *slot)
{
	pgd_t *top = (pgd_t *)((unsigned long)slot & PAGE_MASK);
	unsigned int index = slot - top;
	pgd_t *user;

	if (index >= pgd_index(XEN_USER_END))
		return NULL;
	user = (pgd_t *)virt_to_page(top)->private;
	return user ? user + index : NULL;
}

static pgd_t *xen_user_top(pgd_t *top)
{
	return xen_user_slot(top);
}

static int xen_pgd_alloc(struct mm_struct *mm)
{
	struct page *top = virt_to_page(mm->pgd);
	pgd_t *user;

	WARN_ON(PagePinned(top) || top->private);
	user = (pgd_t *)get_zeroed_page(GFP_PGTABLE_USER);
	if (!user)
		return -ENOMEM;
#ifdef CONFIG_X86_VSYSCALL_EMULATION
	user[pgd_index(VSYSCALL_ADDR)] =
		__pgd(__pa_symbol(level3_user_vsyscall) | _PAGE_TABLE);
#endif
	top->private = (unsigned long)user;
	return 0;
}

static void xen_pgd_free(struct mm_struct *mm, pgd_t *pgd)
{
	struct page *top = virt_to_page(pgd);
	pgd_t *user = (pgd_t *)top->private;

	if (!user)
		return;
	WARN_ON(PagePinned(top) || PagePinned(virt_to_page(user)));
	top->private = 0;
	free_page((unsigned long)user);
}

/* ---- Writing entries ---- */

static void xen_set_pte(pte_t *ptep, pte_t pte)
{
	if (!xen_table_pinned(ptep)) {
		native_set_pte(ptep, pte);
		return;
	}
	xen_update_entry(virt_to_machine(ptep).maddr, pte.pte,
			 MMU_NORMAL_PT_UPDATE);
}

/* Until the kernel's tables are in place: Xen's tables trap and emulate. */
static void __init xen_set_pte_init(pte_t *ptep, pte_t pte)
{
	if (is_early_ioremap_ptep(ptep))
		xen_update_entry(virt_to_machine(ptep).maddr, pte.pte,
				 MMU_NORMAL_PT_UPDATE);
	else
		native_set_pte(ptep, pte);
}

static void xen_set_pmd(pmd_t *pmdp, pmd_t pmd)
{
	if (xen_table_pinned(pmdp)) {
		preempt_disable();
		xen_update_entry_va(pmdp, pmd.pmd);
		preempt_enable();
	} else {
		native_set_pmd(pmdp, pmd);
	}
}

static void xen_set_pmd_hyper(pmd_t *pmdp, pmd_t pmd)
{
	preempt_disable();
	xen_update_entry_va(pmdp, pmd.pmd);
	preempt_enable();
}

static void xen_set_pud(pud_t *pudp, pud_t pud)
{
	if (xen_table_pinned(pudp)) {
		preempt_disable();
		xen_update_entry_va(pudp, pud.pud);
		preempt_enable();
	} else {
		native_set_pud(pudp, pud);
	}
}

static void xen_set_pud_hyper(pud_t *pudp, pud_t pud)
{
	preempt_disable();
	xen_update_entry_va(pudp, pud.pud);
	preempt_enable();
}

/*
 * A top-level slot (p4d is folded into the pgd on PV, which runs 4-level).
 * A user slot is written to the user table as well.
 */
static void xen_set_p4d(p4d_t *p4dp, p4d_t p4d)
{
	pgd_t *mirror = xen_user_slot((pgd_t *)p4dp);

	if (!xen_table_pinned(p4dp)) {
		WRITE_ONCE(p4dp->p4d, p4d.p4d);
		if (mirror) {
			WARN_ON_ONCE(xen_table_pinned(mirror));
			WRITE_ONCE(mirror->pgd, p4d.p4d);
		}
		return;
	}
	xen_mc_batch();
	xen_queue_update(virt_to_machine(p4dp).maddr | MMU_NORMAL_PT_UPDATE,
			 p4d.p4d);
	if (mirror)
		xen_queue_update(virt_to_machine(mirror).maddr |
				 MMU_NORMAL_PT_UPDATE, p4d.p4d);
	xen_mc_issue(XEN_LAZY_MMU);
}

/* Start of day: only init_mm exists, it is pinned and has no user table. */
static void __init xen_set_p4d_hyper(p4d_t *p4dp, p4d_t p4d)
{
	preempt_disable();
	xen_update_entry_va(p4dp, p4d.p4d);
	preempt_enable();
}

static pte_t xen_ptep_modify_prot_start(struct vm_area_struct *vma,
					unsigned long addr, pte_t *ptep)
{
	/* Nothing to clear: the commit keeps the A/D bits Xen's copy has. */
	return ptep_get(ptep);
}

static void xen_ptep_modify_prot_commit(struct vm_area_struct *vma,
					unsigned long addr, pte_t *ptep,
					pte_t pte)
{
	if (!xen_table_pinned(ptep)) {
		/* Not loaded anywhere, so no CPU sets A/D bits behind us. */
		native_set_pte(ptep, pte);
		return;
	}
	xen_update_entry(virt_to_machine(ptep).maddr, pte.pte,
			 MMU_PT_UPDATE_PRESERVE_AD);
}

/*
 * May clearing @old wait in a batch?  Between reading the entry and Xen
 * writing the zero, another vCPU's walker may still set Accessed or Dirty in
 * it.  A lost Accessed bit only ages the page wrongly; a lost Dirty bit
 * would lose a write to a file page.  Dirty can only appear on a present,
 * writable entry that does not have it yet: clear those with a locked xchg,
 * which Xen emulates and which sees the final bits.
 */
static bool xen_clear_can_wait(pteval_t old)
{
	return !(old & _PAGE_PRESENT) || !(old & _PAGE_RW) ||
	       (old & _PAGE_DIRTY);
}

/*
 * ptep_get_and_clear() on a user entry (pv_ops.mmu.ptep_get_and_clear,
 * from patches/0002).  On a pinned table a locked xchg traps into Xen,
 * which decodes and emulates it.  When the clear may wait (above), it goes
 * to Xen as one MMU_UPDATE request instead: queued in lazy MMU mode
 * (munmap's zap, mremap, madvise), whose batch is issued before the zap
 * lets go of the PTE lock and before any TLB flush, so nothing frees the
 * page while the entry is still there; else one hypercall at once (the
 * copy-on-write break's ptep_clear_flush() of a read-only entry).  Kernel
 * entries are cleared with the xchg: their callers free what was mapped
 * right after.
 */
static pte_t xen_ptep_get_and_clear(struct mm_struct *mm, unsigned long addr,
				    pte_t *ptep)
{
	pte_t old;

	if (mm == &init_mm || !xen_table_pinned(ptep))
		return native_ptep_get_and_clear(ptep);
	old = ptep_get(ptep);
	if (!xen_clear_can_wait(old.pte))
		return native_ptep_get_and_clear(ptep);
	preempt_disable();
	xen_update_entry(virt_to_machine(ptep).maddr, 0, MMU_NORMAL_PT_UPDATE);
	preempt_enable();
	return old;
}

/*
 * ptep_set_wrprotect() (pv_ops.mmu.ptep_set_wrprotect, patches/0002): fork
 * write-protects every writable page of the parent inside lazy MMU mode.
 * On a pinned table the new value goes to Xen as MMU_PT_UPDATE_PRESERVE_AD,
 * which merges in whatever Accessed and Dirty bits the entry has when Xen
 * writes it, so nothing a walker sets meanwhile is lost; queued while lazy,
 * else one hypercall, either way cheaper than an emulated cmpxchg.
 */
static void xen_ptep_set_wrprotect(struct mm_struct *mm, unsigned long addr,
				   pte_t *ptep)
{
	pte_t old;

	if (mm == &init_mm || !xen_table_pinned(ptep)) {
		native_ptep_set_wrprotect(ptep);
		return;
	}
	old = ptep_get(ptep);
	if (!(old.pte & _PAGE_RW))
		return;
	preempt_disable();
	xen_update_entry(virt_to_machine(ptep).maddr, old.pte & ~_PAGE_RW,
			 MMU_PT_UPDATE_PRESERVE_AD);
	preempt_enable();
}

#ifdef CONFIG_TRANSPARENT_HUGEPAGE
/*
 * Anonymous memory in 64 KiB folios.  The first touch of an anonymous page
 * costs a PV guest three trips into Xen: the page fault, the MMU_UPDATE
 * that maps the page and the iret back.  A 64 KiB folio is zeroed and
 * mapped whole on its first fault, its 16 entries in one batched
 * MMU_UPDATE.  PMD-sized THP stays off (Xen gives a PV guest no PSE); the
 * core's PTE-mapped sizes need nothing from the hardware once
 * patches/0003 lets them work without it.  This is only a default: an
 * admin's thp_anon= or any size below PMD already set is left alone, and
 * transparent_hugepage/hugepages-64kB/enabled turns it off at run time.
 */
static int __init xen_thp_default(void)
{
	const unsigned long below_pmd = BIT(PMD_ORDER) - 1;

	if (!xen_pv_domain() || !thp_disabled_by_hw() ||
	    strstr(boot_command_line, "thp_anon="))
		return 0;
	if ((huge_anon_orders_always | huge_anon_orders_madvise |
	     huge_anon_orders_inherit) & below_pmd)
		return 0;
	set_bit(ilog2(SZ_64K >> PAGE_SHIFT), &huge_anon_orders_always);
	pr_info("anonymous memory in 64 KiB folios (transparent_hugepage/hugepages-64kB)\n");
	return 0;
}
late_initcall(xen_thp_default);
#endif

/**
 * set_pte_mfn - map a machine frame at a kernel address
 * @vaddr: the kernel virtual address (its page table must exist)
 * @mfn: the machine frame
 * @flags: the protection
 *
 * For frames that are not the guest's own RAM (shared_info and the like).
 */
void __init set_pte_mfn(unsigned long vaddr, unsigned long mfn, pgprot_t flags)
{
	int rc = HYPERVISOR_update_va_mapping(vaddr, mfn_pte(mfn, flags),
					     UVMF_INVLPG);

	WARN(rc, "mapping mfn %#lx at %#lx: %d\n", mfn, vaddr, rc);
}

static void xen_change_lowmem_prot(void *vaddr, bool writable)
{
	unsigned long addr = (unsigned long)vaddr;
	unsigned int level;
	pte_t *ptep = lookup_address(addr, &level);
	pte_t pte;
	int rc;

	if (!ptep)
		return;
	pte = writable ? pte_mkwrite_novma(*ptep) : pte_wrprotect(*ptep);
	rc = HYPERVISOR_update_va_mapping(addr, pte, 0);
	WARN(rc, "making %#lx %s: %d\n", addr, writable ? "writable" : "read-only",
	     rc);
}

/**
 * make_lowmem_page_readonly - map a kernel page read-only
 * @vaddr: its address in the kernel's direct map (or image)
 *
 * Xen takes a page as a descriptor table or page table only while no
 * writable mapping of it exists.  Does nothing when @vaddr is not mapped.
 */
void make_lowmem_page_readonly(void *vaddr)
{
	xen_change_lowmem_prot(vaddr, false);
}

/**
 * make_lowmem_page_readwrite - map a kernel page writable again
 * @vaddr: its address in the kernel's direct map (or image)
 *
 * The page must no longer be a page table or descriptor table to Xen.
 */
void make_lowmem_page_readwrite(void *vaddr)
{
	xen_change_lowmem_prot(vaddr, true);
}

/*
 * The MMU_UPDATE address of the direct-map entry of @pfn (a table page is
 * read-only or writable through that one mapping; PV has no large pages).
 */
static u64 xen_direct_map_entry(unsigned long pfn)
{
	unsigned int level;
	pte_t *ptep = lookup_address((unsigned long)__va(PFN_PHYS(pfn)),
				     &level);

	if (!ptep || level != PG_LEVEL_4K)
		panic("no 4k direct-map entry for pfn %#lx\n", pfn);
	return virt_to_machine(ptep).maddr | MMU_NORMAL_PT_UPDATE;
}

/* ---- Walking a tree ---- */

typedef void (*xen_visit_fn)(void *ctx, struct page *page,
			     enum pt_level level);

static struct page *xen_table_page(unsigned long pfn)
{
	return pfn_valid(pfn) ? pfn_to_page(pfn) : NULL;
}

static void xen_walk_pmds(pmd_t *pmds, xen_visit_fn visit, void *ctx)
{
	struct page *page;
	unsigned int i;

	for (i = 0; i < PTRS_PER_PMD; i++) {
		if (pmd_none(pmds[i]) || pmd_leaf(pmds[i]))
			continue;
		page = xen_table_page(pmd_pfn(pmds[i]));
		if (page)
			visit(ctx, page, PT_PTE);
	}
}

static void xen_walk_puds(pud_t *puds, xen_visit_fn visit, void *ctx)
{
	unsigned int i;
	pmd_t *pmds;

	for (i = 0; i < PTRS_PER_PUD; i++) {
		if (pud_none(puds[i]) || pud_leaf(puds[i]))
			continue;
		pmds = pmd_offset(&puds[i], 0);
		visit(ctx, virt_to_page(pmds), PT_PMD);
		xen_walk_pmds(pmds, visit, ctx);
	}
}

/*
 * Call @visit on every table page below the top-level slots [0, @end) of
 * @top, each after the pages it points at, leaving out Xen's own slots.
 * The top-level page itself is the caller's.
 */
static void xen_walk_tree(pgd_t *top, unsigned int end, xen_visit_fn visit,
			  void *ctx)
{
	unsigned int xen_first = pgd_index(GUARD_HOLE_BASE_ADDR);
	unsigned int xen_last = pgd_index(GUARD_HOLE_END_ADDR);
	unsigned int i;
	p4d_t *p4d;
	pud_t *puds;

	for (i = 0; i < end; i++) {
		if ((i >= xen_first && i < xen_last) || pgd_none(top[i]))
			continue;
		p4d = p4d_offset(&top[i], 0);
		if (p4d_none(*p4d) || p4d_leaf(*p4d))
			continue;
		puds = pud_offset(p4d, 0);
		xen_walk_puds(puds, visit, ctx);
		visit(ctx, virt_to_page(puds), PT_PUD);
	}
}

/* ---- Pinning and unpinning a whole tree ---- */

/*
 * Pinning or unpinning a tree collects up to XEN_PIN_BATCH table pages and
 * issues them as one multicall: an MMU_UPDATE with the remaps of their
 * direct-map entries (read-only to pin, writable after unpinning) and an
 * MMUEXT_OP with the pins or unpins.  Pinning remaps before it pins;
 * unpinning unpins before it remaps.  The split locks of the leaf pages in
 * the batch are held until it has run.  The batch is small enough for
 * lockdep's limit of held locks.
 */
#define XEN_PIN_BATCH	32

struct xen_pin_batch {
	struct mm_struct *mm;
	bool pin;
	unsigned int nr_remaps;
	unsigned int nr_ops;
	unsigned int nr_locks;
	struct mmu_update remaps[XEN_PIN_BATCH + 2];
	struct mmuext_op ops[XEN_PIN_BATCH + 2];
	struct page *pages[XEN_PIN_BATCH + 2];
	spinlock_t *locks[XEN_PIN_BATCH];	/* leaf pages' split locks, held */
};

/* Used with the mm's page_table_lock held (or in stop_machine). */
static DEFINE_PER_CPU(struct xen_pin_batch, xen_pin_batch);

static void xen_batch_remap(struct xen_pin_batch *b, struct page *page,
			    pgprot_t prot)
{
	struct mmu_update *req = &b->remaps[b->nr_remaps];

	req->ptr = xen_direct_map_entry(page_to_pfn(page));
	req->val = pte_val_ma(pfn_pte(page_to_pfn(page), prot));
	b->pages[b->nr_remaps++] = page;
}

static void xen_batch_op(struct xen_pin_batch *b, unsigned int cmd,
			 struct page *page)
{
	struct mmuext_op *op = &b->ops[b->nr_ops++];

	op->cmd = cmd;
	op->arg1.mfn = pfn_to_mfn(page_to_pfn(page));
}

static void xen_batch_issue(struct xen_pin_batch *b)
{
	struct multicall_space mc;
	unsigned int i;

	xen_mc_batch();
	if (!b->pin && b->nr_ops) {
		mc = __xen_mc_entry(0);
		MULTI_mmuext_op(mc.mc, b->ops, b->nr_ops, NULL, DOMID_SELF);
	}
	if (b->nr_remaps) {
		mc = __xen_mc_entry(0);
		MULTI_mmu_update(mc.mc, b->remaps, b->nr_remaps, NULL,
				 DOMID_SELF);
	}
	if (b->pin && b->nr_ops) {
		mc = __xen_mc_entry(0);
		MULTI_mmuext_op(mc.mc, b->ops, b->nr_ops, NULL, DOMID_SELF);
	}
	xen_mc_issue(0);

	/* An unpinned page becomes writable only now: then drop the bit. */
	if (!b->pin)
		for (i = 0; i < b->nr_remaps; i++)
			ClearPagePinned(b->pages[i]);
	for (i = 0; i < b->nr_locks; i++) {
		__acquire(b->locks[i]);	/* sparse: taken in xen_batch_lock() */
		spin_unlock(b->locks[i]);
	}
	b->nr_remaps = 0;
	b->nr_ops = 0;
	b->nr_locks = 0;
}

static void xen_batch_lock(struct xen_pin_batch *b, struct page *page)
{
#if IS_ENABLED(CONFIG_SPLIT_PTE_PTLOCKS)
	spinlock_t *ptl = ptlock_ptr(page_ptdesc(page));

	spin_lock_nest_lock(ptl, &b->mm->page_table_lock);
	__release(ptl);		/* sparse: dropped in xen_batch_issue() */
	b->locks[b->nr_locks++] = ptl;
#endif
}

static void xen_pin_visit(void *ctx, struct page *page, enum pt_level level)
{
	struct xen_pin_batch *b = ctx;

	if (b->pin) {
		if (TestSetPagePinned(page))
			return;
		if (level == PT_PTE)
			xen_batch_lock(b, page);
		xen_batch_remap(b, page, PAGE_KERNEL_RO);
		if (level == PT_PTE)
			xen_batch_op(b, MMUEXT_PIN_L1_TABLE, page);
	} else {
		if (!PagePinned(page))
			return;
		if (level == PT_PTE) {
			xen_batch_lock(b, page);
			xen_batch_op(b, MMUEXT_UNPIN_TABLE, page);
		}
		xen_batch_remap(b, page, PAGE_KERNEL);
	}
	if (b->nr_remaps >= XEN_PIN_BATCH)
		xen_batch_issue(b);
}

static struct xen_pin_batch *xen_batch_start(struct mm_struct *mm, bool pin)
{
	struct xen_pin_batch *b = this_cpu_ptr(&xen_pin_batch);

	b->mm = mm;
	b->pin = pin;
	b->nr_remaps = 0;
	b->nr_ops = 0;
	b->nr_locks = 0;
	return b;
}

/* Make the tree of @top read-only and pinned.  @mm's page_table_lock held. */
static void xen_pin_tree(struct mm_struct *mm, pgd_t *top)
{
	struct xen_pin_batch *b = xen_batch_start(mm, true);
	pgd_t *user = xen_user_top(top);

	xen_walk_tree(top, pgd_index(XEN_USER_END), xen_pin_visit, b);

	/* The top levels last: pinning them validates what is below. */
	SetPagePinned(virt_to_page(top));
	xen_batch_remap(b, virt_to_page(top), PAGE_KERNEL_RO);
	xen_batch_op(b, MMUEXT_PIN_L4_TABLE, virt_to_page(top));
	if (user) {
		SetPagePinned(virt_to_page(user));
		xen_batch_remap(b, virt_to_page(user), PAGE_KERNEL_RO);
		xen_batch_op(b, MMUEXT_PIN_L4_TABLE, virt_to_page(user));
	}
	xen_batch_issue(b);
}

/* The converse; no vCPU may still have @top loaded. */
static void xen_unpin_tree(struct mm_struct *mm, pgd_t *top)
{
	struct xen_pin_batch *b = xen_batch_start(mm, false);
	pgd_t *user = xen_user_top(top);

	/* Unpinning the tops first lets go of the types of what is below. */
	xen_batch_op(b, MMUEXT_UNPIN_TABLE, virt_to_page(top));
	if (user)
		xen_batch_op(b, MMUEXT_UNPIN_TABLE, virt_to_page(user));

	xen_walk_tree(top, pgd_index(XEN_USER_END), xen_pin_visit, b);

	xen_batch_remap(b, virt_to_page(top), PAGE_KERNEL);
	if (user)
		xen_batch_remap(b, virt_to_page(user), PAGE_KERNEL);
	xen_batch_issue(b);
}

/**
 * xen_mm_pin_all - pin every top-level table before a save
 *
 * Xen rewrites the machine frames in pinned tables when the domain is
 * restored elsewhere, so every table must be pinned across the save.  Runs
 * in stop_machine; the tables it pins are marked SavePinned.
 */
void xen_mm_pin_all(void)
{
	struct page *page;

	spin_lock(&init_mm.page_table_lock);
	spin_lock(&pgd_lock);
	list_for_each_entry(page, &pgd_list, lru) {
		if (PagePinned(page))
			continue;
		xen_pin_tree(&init_mm, page_address(page));
		SetPageSavePinned(page);
	}
	spin_unlock(&pgd_lock);
	spin_unlock(&init_mm.page_table_lock);
}

/**
 * xen_mm_unpin_all - undo xen_mm_pin_all() after the save or restore
 */
void xen_mm_unpin_all(void)
{
	struct page *page;

	spin_lock(&init_mm.page_table_lock);
	spin_lock(&pgd_lock);
	list_for_each_entry(page, &pgd_list, lru) {
		if (!PageSavePinned(page))
			continue;
		WARN_ON(!PagePinned(page));
		xen_unpin_tree(&init_mm, page_address(page));
		ClearPageSavePinned(page);
	}
	spin_unlock(&pgd_lock);
	spin_unlock(&init_mm.page_table_lock);
}

static void xen_pin_mm(struct mm_struct *mm)
{
	spinlock_t *ptl = &mm->page_table_lock;

	spin_lock(ptl);
	if (!PagePinned(virt_to_page(mm->pgd)))
		xen_pin_tree(mm, mm->pgd);
	spin_unlock(ptl);
}

/*
 * First activation: the end of fork's dup_mmap, or exec's activate_mm.
 * exec's tree is left unpinned for now: setup_arg_pages() is about to move
 * the argument stack to its randomized place, which on a pinned tree would
 * link in two new tables and free two old ones, each a TLB flush that Xen
 * sends to every other physical CPU.  Until arch_setup_arg_pages_done(),
 * xen_write_cr3() has Xen run the kernel on init_mm's table; nothing in
 * that stretch of exec touches user memory.
 */
static void xen_enter_mmap(struct mm_struct *mm)
{
	if (current->in_execve && mm == current->mm)
		return;
	xen_pin_mm(mm);
}

/**
 * arch_setup_arg_pages_done - pin an exec'd tree once its stack is in place
 * @mm: the new mm, current's
 *
 * Called by setup_arg_pages() (patches/0004) before the binfmt first
 * writes to user memory: the tree is pinned and this CPU loads it.
 */
void arch_setup_arg_pages_done(struct mm_struct *mm)
{
	if (!xen_pv_domain())
		return;
	xen_pin_mm(mm);
	preempt_disable();
	if (this_cpu_read(cpu_tlbstate.loaded_mm) == mm)
		write_cr3(__pa(mm->pgd));
	preempt_enable();
}

/*
 * Make this CPU stop using @info's tree, now, in Xen's view too: a kernel
 * that still has it loaded (lazy TLB) switches to init_mm, and the switch,
 * or an earlier one still queued in this CPU's lazy batch, is issued.
 */
static void xen_forget_mm(void *info)
{
	struct mm_struct *mm = info;
	bool in_use = this_cpu_read(cpu_tlbstate.loaded_mm) == mm;

	if (in_use)
		leave_mm();
	if (in_use || this_cpu_read(xen_loaded_cr3) == __pa(mm->pgd))
		xen_mc_flush();
}

static void xen_evict_mm(struct mm_struct *mm)
{
	unsigned long cr3 = __pa(mm->pgd);
	cpumask_var_t users;
	unsigned int cpu;

	preempt_disable();
	xen_forget_mm(mm);
	if (!zalloc_cpumask_var(&users, GFP_ATOMIC)) {
		for_each_online_cpu(cpu)
			if (cpu != smp_processor_id() &&
			    per_cpu(xen_loaded_cr3, cpu) == cr3)
				smp_call_function_single(cpu, xen_forget_mm,
							 mm, 1);
		preempt_enable();
		return;
	}
	for_each_online_cpu(cpu)
		if (cpu != smp_processor_id() &&
		    per_cpu(xen_loaded_cr3, cpu) == cr3)
			cpumask_set_cpu(cpu, users);
	if (!cpumask_empty(users))
		smp_call_function_many(users, xen_forget_mm, mm, 1);
	preempt_enable();
	free_cpumask_var(users);
}

static void xen_exit_mmap(struct mm_struct *mm)
{
	xen_evict_mm(mm);

	spin_lock(&mm->page_table_lock);
	/* A failed exec tears down an mm that was never activated. */
	if (PagePinned(virt_to_page(mm->pgd)))
		xen_unpin_tree(mm, mm->pgd);
	spin_unlock(&mm->page_table_lock);
}

/* ---- Table pages coming and going ---- */

/*
 * A page about to be linked into @mm's tree: when the tree is pinned, the
 * page must be read-only (and an L1 pinned by itself) before the entry that
 * links it is written, which may be queued right behind this.
 */
static void xen_alloc_table(struct mm_struct *mm, unsigned long pfn,
			    enum pt_level level)
{
	struct page *page = pfn_to_page(pfn);

	if (!xen_table_pinned(mm->pgd))
		return;
	if (static_branch_likely(&xen_pinned_bits_valid) &&
	    TestSetPagePinned(page))
		return;

	xen_mc_batch();
	xen_queue_update(xen_direct_map_entry(pfn),
			 pte_val_ma(pfn_pte(pfn, PAGE_KERNEL_RO)));
	if (level == PT_PTE)
		xen_queue_mmuext(MMUEXT_PIN_L1_TABLE, pfn_to_mfn(pfn));
	xen_mc_issue(XEN_LAZY_MMU);
}

/* The converse, once the page has been unlinked. */
static void xen_release_table(unsigned long pfn, enum pt_level level)
{
	struct page *page = pfn_to_page(pfn);

	if (!PagePinned(page))
		return;

	xen_mc_batch();
	if (level == PT_PTE)
		xen_queue_mmuext(MMUEXT_UNPIN_TABLE, pfn_to_mfn(pfn));
	xen_queue_update(xen_direct_map_entry(pfn),
			 pte_val_ma(pfn_pte(pfn, PAGE_KERNEL)));
	xen_mc_issue(XEN_LAZY_MMU);
	ClearPagePinned(page);
}

static void xen_alloc_pte(struct mm_struct *mm, unsigned long pfn)
{
	xen_alloc_table(mm, pfn, PT_PTE);
}

static void xen_alloc_pmd(struct mm_struct *mm, unsigned long pfn)
{
	xen_alloc_table(mm, pfn, PT_PMD);
}

static void xen_alloc_pud(struct mm_struct *mm, unsigned long pfn)
{
	xen_alloc_table(mm, pfn, PT_PUD);
}

static void xen_release_pte(unsigned long pfn)
{
	xen_release_table(pfn, PT_PTE);
}

static void xen_release_pmd(unsigned long pfn)
{
	xen_release_table(pfn, PT_PMD);
}

static void xen_release_pud(unsigned long pfn)
{
	xen_release_table(pfn, PT_PUD);
}

/* Start of day: everything hangs off init_mm, which is pinned. */
static void __init xen_early_mmuext(unsigned int cmd, unsigned long pfn)
{
	struct mmuext_op op = { .cmd = cmd, .arg1.mfn = pfn_to_mfn(pfn) };
	int rc = HYPERVISOR_mmuext_op(&op, 1, NULL, DOMID_SELF);

	if (rc)
		panic("Xen refused mmuext %u on pfn %#lx: %d\n", cmd, pfn, rc);
}

static void __init xen_alloc_pte_init(struct mm_struct *mm, unsigned long pfn)
{
	make_lowmem_page_readonly(__va(PFN_PHYS(pfn)));
	xen_early_mmuext(MMUEXT_PIN_L1_TABLE, pfn);
}

static void __init xen_alloc_upper_init(struct mm_struct *mm,
					unsigned long pfn)
{
	make_lowmem_page_readonly(__va(PFN_PHYS(pfn)));
}

static void __init xen_release_pte_init(unsigned long pfn)
{
	xen_early_mmuext(MMUEXT_UNPIN_TABLE, pfn);
	make_lowmem_page_readwrite(__va(PFN_PHYS(pfn)));
}

static void __init xen_release_upper_init(unsigned long pfn)
{
	make_lowmem_page_readwrite(__va(PFN_PHYS(pfn)));
}

/* ---- cr3 ---- */

static unsigned long xen_read_cr3(void)
{
	return this_cpu_read(xen_cr3);
}

static void xen_note_loaded_cr3(void *cr3)
{
	this_cpu_write(xen_loaded_cr3, (unsigned long)cr3);
}

/*
 * Queue the switch of the kernel table; call inside a batch.  @cr3 is what
 * the kernel asked for (read_cr3() gives it back), @load what Xen loads.
 */
static void xen_queue_kernel_cr3(unsigned long cr3, unsigned long load)
{
	this_cpu_write(xen_cr3, cr3);
	xen_queue_mmuext(MMUEXT_NEW_BASEPTR, pfn_to_mfn(PFN_DOWN(load)));
	xen_mc_callback(xen_note_loaded_cr3, (void *)load);
}

static void xen_write_cr3(unsigned long cr3)
{
	unsigned long load = cr3;
	pgd_t *user;

	lockdep_assert_preemption_disabled();
	/* An exec'd tree before its stack is in place: see xen_enter_mmap(). */
	if (!xen_table_pinned(__va(cr3)))
		load = __pa(swapper_pg_dir);
	user = xen_user_top(__va(load));
	xen_mc_batch();
	xen_queue_kernel_cr3(cr3, load);
	/* One MMUEXT_OP for both: the user table, or none for init_mm. */
	xen_queue_mmuext(MMUEXT_NEW_USER_BASEPTR,
			 user ? pfn_to_mfn(PFN_DOWN(__pa(user))) : 0);
	xen_mc_issue(XEN_LAZY_CPU);
}

/* Before any user table exists (and before struct pages do). */
static void __init xen_write_cr3_init(unsigned long cr3)
{
	lockdep_assert_preemption_disabled();
	xen_mc_batch();
	xen_queue_kernel_cr3(cr3, cr3);
	xen_mc_issue(XEN_LAZY_CPU);
}

static noinstr void xen_write_cr2(unsigned long cr2)
{
	this_cpu_read(xen_vcpu)->arch.cr2 = cr2;
}

/* ---- TLB ---- */

static void xen_tlb_op(unsigned int cmd, unsigned long addr)
{
	struct mmuext_op *op;

	preempt_disable();
	xen_mc_batch();
	op = xen_mc_grow(__HYPERVISOR_mmuext_op, sizeof(*op));
	op->cmd = cmd;
	op->arg1.linear_addr = addr;
	xen_mc_issue(XEN_LAZY_MMU);
	preempt_enable();
}

static void xen_flush_tlb_local(void)
{
	xen_tlb_op(MMUEXT_TLB_FLUSH_LOCAL, 0);
}

static void xen_flush_tlb_one_user(unsigned long addr)
{
	xen_tlb_op(MMUEXT_INVLPG_LOCAL, addr & PAGE_MASK);
}

/* One page is one INVLPG on each vCPU; anything more flushes everything. */
static bool xen_flush_is_one_page(unsigned long start, unsigned long end)
{
	return end != TLB_FLUSH_ALL && end - start <= PAGE_SIZE;
}

static void xen_flush_tlb_multi(const struct cpumask *cpus,
				const struct flush_tlb_info *info)
{
	struct multicall_space mc;
	struct mmuext_op *op;
	struct cpumask *mask;

	if (cpumask_empty(cpus))
		return;

	mc = xen_mc_entry(sizeof(*op) + cpumask_size());
	op = mc.args;
	mask = (struct cpumask *)(op + 1);
	cpumask_and(mask, cpus, cpu_online_mask);
	op->arg2.vcpumask = cpumask_bits(mask);
	if (xen_flush_is_one_page(info->start, info->end)) {
		op->cmd = MMUEXT_INVLPG_MULTI;
		op->arg1.linear_addr = info->start & PAGE_MASK;
	} else {
		op->cmd = MMUEXT_TLB_FLUSH_MULTI;
	}
	MULTI_mmuext_op(mc.mc, op, 1, NULL, DOMID_SELF);
	xen_mc_issue(XEN_LAZY_MMU);
}

/* ---- Lazy MMU mode ---- */

static void xen_enter_lazy_mmu(void)
{
	enter_lazy(XEN_LAZY_MMU);
}

/*
 * Only the outermost leave issues the batch: set_ptes() enters and leaves
 * by itself inside the loops that are already lazy (fork's copy, munmap's
 * zap, fault-around), and those loops never read back what they wrote.
 */
static void xen_leave_lazy_mmu(void)
{
	preempt_disable();
	if (!this_cpu_read(xen_lazy_nesting))
		xen_mc_flush();
	leave_lazy(XEN_LAZY_MMU);
	preempt_enable();
}

static void xen_flush_lazy_mmu(void)
{
	preempt_disable();
	if (xen_get_lazy_mode() == XEN_LAZY_MMU)
		xen_mc_flush();
	preempt_enable();
}

/* ---- Fixmap ---- */

static void xen_set_fixmap(unsigned int idx, phys_addr_t phys, pgprot_t prot)
{
	unsigned long vaddr = __fix_to_virt(idx);
	pte_t pte;
	int rc;

	switch (idx) {
	case FIX_BTMAP_END ... FIX_BTMAP_BEGIN:
#ifdef CONFIG_X86_VSYSCALL_EMULATION
	case VSYSCALL_PAGE:
#endif
		/* Guest memory, by pfn. */
		pte = pfn_pte(PFN_DOWN(phys), prot);
		break;
#ifdef CONFIG_X86_LOCAL_APIC
	case FIX_APIC_BASE:
#endif
#ifdef CONFIG_X86_IO_APIC
	case FIX_IO_APIC_BASE_0 ... FIX_IO_APIC_BASE_END:
#endif
#if defined(CONFIG_X86_LOCAL_APIC) || defined(CONFIG_X86_IO_APIC)
		/* No APIC to map: reads see all ones, writes go nowhere. */
		pte = pfn_pte(PFN_DOWN(__pa_symbol(xen_void_page)),
			      PAGE_KERNEL);
		break;
#endif
	default:
		/* Everything else (and FIX_PARAVIRT_BOOTMAP) is a machine frame. */
		pte = mfn_pte(PFN_DOWN(phys), prot);
		break;
	}

	rc = HYPERVISOR_update_va_mapping(vaddr, pte, UVMF_INVLPG);
	WARN(rc, "fixmap slot %u: %d\n", idx, rc);

#ifdef CONFIG_X86_VSYSCALL_EMULATION
	/* The user table sees the vsyscall page through its own L3. */
	if (idx == VSYSCALL_PAGE)
		set_pte_vaddr_pud(level3_user_vsyscall, vaddr, pte);
#endif
}

/* ---- Switching from the start-of-day ops ---- */

/* Called back by mmu_pv_boot.c; see mmu_pv.h. */
void __init xen_mmu_ops_pre_paging(void)
{
	pv_ops.mmu.set_pte = xen_set_pte;
}

void __init xen_mmu_ops_post_allocator(void)
{
	struct pv_mmu_ops *ops = &pv_ops.mmu;

	/* Level by level: linking a table page in, writing, taking it out. */
	ops->alloc_pte = xen_alloc_pte;
	ops->set_pte = xen_set_pte;
	ops->release_pte = xen_release_pte;
	ops->alloc_pmd = xen_alloc_pmd;
	ops->set_pmd = xen_set_pmd;
	ops->release_pmd = xen_release_pmd;
	ops->alloc_pud = xen_alloc_pud;
	ops->set_pud = xen_set_pud;
	ops->release_pud = xen_release_pud;
	ops->set_p4d = xen_set_p4d;
	ops->make_pte = PV_CALLEE_SAVE(xen_make_pte);
	ops->write_cr3 = xen_write_cr3;
}

static void __init xen_mark_pinned(void *ctx, struct page *page,
				   enum pt_level level)
{
	SetPagePinned(page);
}

/*
 * struct pages exist and are initialised: give every page of init_mm's
 * tree (pinned since the start of day) its Pinned bit, then let the ops
 * look at the bits.
 */
static void __init xen_after_bootmem(void)
{
#ifdef CONFIG_X86_VSYSCALL_EMULATION
	/* Pinned by itself, with the tables map_vsyscall() hung below it. */
	xen_walk_puds(level3_user_vsyscall, xen_mark_pinned, NULL);
	SetPagePinned(virt_to_page(level3_user_vsyscall));
#endif
	xen_walk_tree(init_mm.pgd, PTRS_PER_PGD, xen_mark_pinned, NULL);
	SetPagePinned(virt_to_page(init_mm.pgd));
	static_branch_enable(&xen_pinned_bits_valid);
}

/**
 * xen_init_mmu_ops - install the PV MMU's pv_ops
 *
 * Called from the PV entry before anything maps memory.  The start-of-day
 * variants stay in place until mmu_pv_boot.c switches them.
 */
void __init xen_init_mmu_ops(void)
{
	struct pv_mmu_ops *ops = &pv_ops.mmu;

	x86_init.paging.pagetable_init = xen_pagetable_init;
	x86_init.hyper.init_after_bootmem = xen_after_bootmem;

	ops->read_cr2 = __PV_IS_CALLEE_SAVE(xen_read_cr2);
	ops->write_cr2 = xen_write_cr2;
	ops->read_cr3 = xen_read_cr3;
	ops->write_cr3 = xen_write_cr3_init;

	ops->flush_tlb_user = xen_flush_tlb_local;
	ops->flush_tlb_kernel = xen_flush_tlb_local;
	ops->flush_tlb_one_user = xen_flush_tlb_one_user;
	ops->flush_tlb_multi = xen_flush_tlb_multi;
	ops->tlb_remove_table = tlb_remove_table;

	ops->pgd_alloc = xen_pgd_alloc;
	ops->pgd_free = xen_pgd_free;
	ops->enter_mmap = xen_enter_mmap;
	ops->exit_mmap = xen_exit_mmap;

	ops->alloc_pte = xen_alloc_pte_init;
	ops->alloc_pmd = xen_alloc_upper_init;
	ops->alloc_pud = xen_alloc_upper_init;
	ops->release_pte = xen_release_pte_init;
	ops->release_pmd = xen_release_upper_init;
	ops->release_pud = xen_release_upper_init;

	ops->set_pte = xen_set_pte_init;
	ops->set_pmd = xen_set_pmd_hyper;
	ops->set_pud = xen_set_pud_hyper;
	ops->set_p4d = xen_set_p4d_hyper;
	ops->ptep_modify_prot_start = xen_ptep_modify_prot_start;
	ops->ptep_modify_prot_commit = xen_ptep_modify_prot_commit;
	ops->ptep_get_and_clear = xen_ptep_get_and_clear;
	ops->ptep_set_wrprotect = xen_ptep_set_wrprotect;

	ops->pte_val = PV_CALLEE_SAVE(xen_pte_val);
	ops->pmd_val = PV_CALLEE_SAVE(xen_pmd_val);
	ops->pud_val = PV_CALLEE_SAVE(xen_pud_val);
	ops->pgd_val = PV_CALLEE_SAVE(xen_pgd_val);
	ops->make_pte = PV_CALLEE_SAVE(xen_make_pte_init);
	ops->make_pmd = PV_CALLEE_SAVE(xen_make_pmd);
	ops->make_pud = PV_CALLEE_SAVE(xen_make_pud);
	ops->make_pgd = PV_CALLEE_SAVE(xen_make_pgd);
#if CONFIG_PGTABLE_LEVELS >= 5
	ops->p4d_val = PV_CALLEE_SAVE(xen_p4d_val);
	ops->make_p4d = PV_CALLEE_SAVE(xen_make_p4d);
#endif

	ops->lazy_mode.enter = xen_enter_lazy_mmu;
	ops->lazy_mode.leave = xen_leave_lazy_mmu;
	ops->lazy_mode.flush = xen_flush_lazy_mmu;
	ops->set_fixmap = xen_set_fixmap;

	memset(xen_void_page, 0xff, PAGE_SIZE);
}

#if IS_REACHABLE(CONFIG_KUNIT)
#include <kunit/test.h>

/*
 * The conversions run on a real frame of this guest; the user-table lookup
 * on a page standing in for a top-level table (only its ->private is read).
 */
static void xen_mmu_test_flush_choice(struct kunit *test)
{
	KUNIT_EXPECT_TRUE(test, xen_flush_is_one_page(0x1000, 0x2000));
	KUNIT_EXPECT_TRUE(test, xen_flush_is_one_page(0x1000, 0x1000));
	KUNIT_EXPECT_FALSE(test, xen_flush_is_one_page(0x1000, 0x3000));
	KUNIT_EXPECT_FALSE(test, xen_flush_is_one_page(0, TLB_FLUSH_ALL));
}

static void xen_mmu_test_clear_can_wait(struct kunit *test)
{
	pteval_t rw = _PAGE_PRESENT | _PAGE_RW;

	KUNIT_EXPECT_TRUE(test, xen_clear_can_wait(0));
	KUNIT_EXPECT_TRUE(test, xen_clear_can_wait(_PAGE_PROTNONE | 0x5000));
	KUNIT_EXPECT_TRUE(test, xen_clear_can_wait(_PAGE_PRESENT | 0x5000));
	KUNIT_EXPECT_TRUE(test, xen_clear_can_wait(rw | _PAGE_DIRTY | 0x5000));
	/* Writable and clean: a walker may still dirty it, so no waiting. */
	KUNIT_EXPECT_FALSE(test, xen_clear_can_wait(rw | 0x5000));
	KUNIT_EXPECT_FALSE(test, xen_clear_can_wait(rw | _PAGE_ACCESSED));
}

static void xen_mmu_test_entry_roundtrip(struct kunit *test)
{
	pteval_t flags = _PAGE_PRESENT | _PAGE_RW | _PAGE_NX;
	struct page *page;
	unsigned long pfn;
	pteval_t ours, machine;

	if (!xen_pv_domain())
		kunit_skip(test, "not a Xen PV guest");
	page = alloc_page(GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, page);
	pfn = page_to_pfn(page);
	ours = ((pteval_t)pfn << PAGE_SHIFT) | flags;

	machine = xen_entry_to_mfn(ours);
	KUNIT_EXPECT_EQ(test, (machine & XEN_PTE_MFN_MASK) >> PAGE_SHIFT,
			(pteval_t)pfn_to_mfn(pfn));
	KUNIT_EXPECT_EQ(test, machine & PTE_FLAGS_MASK, flags);
	KUNIT_EXPECT_EQ(test, xen_entry_to_pfn(machine), ours);
	__free_page(page);
}

static void xen_mmu_test_not_present(struct kunit *test)
{
	/* A swap entry or PROT_NONE entry is not a frame: left alone. */
	pteval_t swap = 0x123456789000ULL | _PAGE_ACCESSED;

	KUNIT_EXPECT_EQ(test, xen_entry_to_mfn(swap), swap);
	KUNIT_EXPECT_EQ(test, xen_entry_to_pfn(swap), swap);
	KUNIT_EXPECT_EQ(test, xen_entry_to_mfn(0), (pteval_t)0);
}

static void xen_mmu_test_user_slot(struct kunit *test)
{
	unsigned int user_end = pgd_index(XEN_USER_END);
	struct page *top_page, *user_page;
	pgd_t *top, *user;

	top_page = alloc_page(GFP_KERNEL | __GFP_ZERO);
	KUNIT_ASSERT_NOT_NULL(test, top_page);
	user_page = alloc_page(GFP_KERNEL | __GFP_ZERO);
	if (!user_page)
		__free_page(top_page);
	KUNIT_ASSERT_NOT_NULL(test, user_page);
	top = page_address(top_page);
	user = page_address(user_page);

	KUNIT_EXPECT_NULL(test, xen_user_top(top));
	top_page->private = (unsigned long)user;
	KUNIT_EXPECT_PTR_EQ(test, xen_user_top(top), user);
	KUNIT_EXPECT_PTR_EQ(test, xen_user_slot(top + 7), user + 7);
	KUNIT_EXPECT_PTR_EQ(test, xen_user_slot(top + user_end - 1),
			    user + user_end - 1);
	KUNIT_EXPECT_NULL(test, xen_user_slot(top + user_end));
	KUNIT_EXPECT_NULL(test, xen_user_slot(top + PTRS_PER_PGD - 1));
	top_page->private = 0;

	__free_page(user_page);
	__free_page(top_page);
}

static void xen_mmu_test_kernel_pinned(struct kunit *test)
{
	unsigned int level;
	pte_t *ptep;

	/* After boot every page of init_mm's tree carries the Pinned bit. */
	if (!xen_pv_domain())
		kunit_skip(test, "not a Xen PV guest");
	KUNIT_EXPECT_TRUE(test, PagePinned(virt_to_page(init_mm.pgd)));
	ptep = lookup_address((unsigned long)init_mm.pgd, &level);
	KUNIT_ASSERT_NOT_NULL(test, ptep);
	KUNIT_EXPECT_TRUE(test, xen_table_pinned(ptep));
}

static struct kunit_case xen_mmu_test_cases[] = {
	KUNIT_CASE(xen_mmu_test_flush_choice),
	KUNIT_CASE(xen_mmu_test_clear_can_wait),
	KUNIT_CASE(xen_mmu_test_entry_roundtrip),
	KUNIT_CASE(xen_mmu_test_not_present),
	KUNIT_CASE(xen_mmu_test_user_slot),
	KUNIT_CASE(xen_mmu_test_kernel_pinned),
	{}
};

static struct kunit_suite xen_mmu_test_suite = {
	.name = "xen_mmu_pv",
	.test_cases = xen_mmu_test_cases,
};

kunit_test_suite(xen_mmu_test_suite);
#endif /* CONFIG_KUNIT */
