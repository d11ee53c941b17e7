/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the two halves of the PV MMU tell each other.  mmu_pv.c owns the
 * pv_ops.mmu hooks of a running guest (pinning, page-table writes, TLB
 * flushes); mmu_pv_boot.c takes over the tables Xen built and mmu_pv_remap.c
 * exchanges and maps machine frames.  Everything another part of the port
 * calls stays declared in xen-ops.h and the public headers under its
 * upstream name.
 */
#ifndef _XEN_MMU_PV_H
#define _XEN_MMU_PV_H

#include <linux/init.h>
#include <linux/pgtable.h>

/* ---- Runtime half (mmu_pv.c) ---- */

/* Entry value conversions; pv_ops calls them through callee-save thunks. */
__visible pteval_t xen_pte_val(pte_t pte);
__visible pmdval_t xen_pmd_val(pmd_t pmd);
__visible pudval_t xen_pud_val(pud_t pud);
__visible p4dval_t xen_p4d_val(p4d_t p4d);
__visible pgdval_t xen_pgd_val(pgd_t pgd);
__visible pte_t xen_make_pte(pteval_t val);
__visible pmd_t xen_make_pmd(pmdval_t val);
__visible pud_t xen_make_pud(pudval_t val);
__visible p4d_t xen_make_p4d(p4dval_t val);
__visible pgd_t xen_make_pgd(pgdval_t val);
/* make_pte while the start-of-day tables are in use (see mmu_pv.c). */
__visible pte_t xen_make_pte_init(pteval_t val);

#ifdef CONFIG_X86_VSYSCALL_EMULATION
/*
 * The L3 every user top-level table points at for the vsyscall slot.  The
 * boot half makes it read-only and pins it as an L3 before the first user
 * table exists; set_fixmap(VSYSCALL_PAGE) fills it.
 */
extern pud_t level3_user_vsyscall[PTRS_PER_PUD];
#endif

/*
 * The op switches xen_pagetable_init() makes, in this order:
 *  - xen_mmu_ops_pre_paging(): before paging_init(); set_pte goes through
 *    Xen whenever the table may be pinned (until the kernel's struct pages
 *    carry the Pinned bit, every table counts as pinned).
 *  - xen_mmu_ops_post_allocator(): after paging_init(); the runtime
 *    set_pte/pmd/pud/p4d, alloc/release of table pages, make_pte without
 *    the start-of-day read-only rule, and write_cr3 with the user table.
 */
void __init xen_mmu_ops_pre_paging(void);
void __init xen_mmu_ops_post_allocator(void);

/* ---- Boot half (mmu_pv_boot.c, mmu_pv_remap.c) ---- */

/* x86_init.paging.pagetable_init, installed by xen_init_mmu_ops(). */
void __init xen_pagetable_init(void);

#endif /* _XEN_MMU_PV_H */
