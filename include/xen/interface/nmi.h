/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Why Xen forwarded an NMI to dom0.
 *
 * Restates the bit numbers of arch_shared_info.nmi_reason from Xen's
 * public nmi.h (Xen 4.17, /usr/include/xen/nmi.h).
 */

#ifndef __XEN_INTERFACE_NMI_H__
#define __XEN_INTERFACE_NMI_H__

#define _XEN_NMIREASON_io_error		0	/* I/O check error */
#define _XEN_NMIREASON_pci_serr		1	/* PCI SERR */

#endif /* __XEN_INTERFACE_NMI_H__ */
