/* SPDX-License-Identifier: GPL-2.0 */
/*
 * irq-pv.h - the early C forms of the interrupt-flag operations (irq.c).
 *
 * Only the callee-save thunks that PV_CALLEE_SAVE_REGS_THUNK() writes in
 * assembly call these, by name.  So they are global and __visible, which
 * keeps the compiler from renaming, cloning or dropping them, and a global
 * function wants a prototype the compiler has seen (W=1).  They belong in
 * xen-ops.h, which we cannot edit while it is borrowed; once it is ours,
 * these three lines move there and this header goes.
 */
#ifndef _XEN_IRQ_PV_H
#define _XEN_IRQ_PV_H

unsigned long xen_save_fl(void);
void xen_irq_disable(void);
void xen_irq_enable(void);

#endif /* _XEN_IRQ_PV_H */
