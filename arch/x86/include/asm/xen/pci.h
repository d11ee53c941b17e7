/* SPDX-License-Identifier: GPL-2.0 */
/*
 * asm/xen/pci.h - PCI for a Xen PV guest, as far as this port goes.
 *
 * A PV guest can only reach PCI through Xen: as dom0, or as a domU with
 * devices passed through by a PCI frontend (CONFIG_PCI_XEN, whose code is
 * arch/x86/pci/xen.c).  This port is a domU without PCI, so normally
 * pci_xen is 0 and the PV boot code leaves x86's PCI setup alone; with
 * CONFIG_PCI_XEN it installs pci_xen_init() as the PCI arch init.
 */
#ifndef _ASM_X86_XEN_PCI_H
#define _ASM_X86_XEN_PCI_H

#ifdef CONFIG_PCI_XEN
#define pci_xen			1
int __init pci_xen_init(void);
#else
#define pci_xen			0
#define pci_xen_init		NULL
#endif

#endif /* _ASM_X86_XEN_PCI_H */
