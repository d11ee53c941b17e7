/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Types of the "Xen" ELF notes a guest kernel carries.
 *
 * Restates the XEN_ELFNOTE_* numbers that our PV kernel image emits
 * (arch/x86/xen/xen-head.S), from Xen's public elfnote.h (Xen 4.17,
 * /usr/include/xen/elfnote.h).  The domain builder reads these notes to
 * learn where to enter the kernel, where it is linked, what features it
 * needs and how it wants its initial memory laid out.  Included from
 * assembly.
 */

#ifndef __XEN_INTERFACE_ELFNOTE_H__
#define __XEN_INTERFACE_ELFNOTE_H__

#define XEN_ELFNOTE_ENTRY		1	/* virtual entry point */
#define XEN_ELFNOTE_VIRT_BASE		3	/* virtual link base */
#define XEN_ELFNOTE_PADDR_OFFSET	4	/* virtual minus physical */
#define XEN_ELFNOTE_XEN_VERSION		5	/* string, e.g. "xen-3.0" */
#define XEN_ELFNOTE_GUEST_OS		6	/* string, e.g. "linux" */
#define XEN_ELFNOTE_GUEST_VERSION	7	/* string */
#define XEN_ELFNOTE_LOADER		8	/* string, "generic" */
#define XEN_ELFNOTE_PAE_MODE		9	/* string, "yes" */
#define XEN_ELFNOTE_FEATURES		10	/* string of feature names */
#define XEN_ELFNOTE_L1_MFN_VALID	13	/* mask and value of valid PTEs */
#define XEN_ELFNOTE_SUSPEND_CANCEL	14	/* suspend may return 1 */
#define XEN_ELFNOTE_INIT_P2M		15	/* virtual address for the p2m */
#define XEN_ELFNOTE_MOD_START_PFN	16	/* mod_start may be a pfn */
#define XEN_ELFNOTE_SUPPORTED_FEATURES	17	/* XENFEAT_* bitmap */

#endif /* __XEN_INTERFACE_ELFNOTE_H__ */
