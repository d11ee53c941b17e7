/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Machine-check handling through Xen (HYPERVISOR_mca).
 *
 * A PV domU never calls HYPERVISOR_mca and nothing this port compiles
 * needs an identifier from Xen's public arch-x86/xen-mca.h; this header
 * exists because arch/x86/xen/xen-head.S includes it.  It keeps only the
 * interface version from Xen 4.17 (/usr/include/xen/arch-x86/xen-mca.h),
 * usable from assembly.
 */

#ifndef __XEN_INTERFACE_XEN_MCA_H__
#define __XEN_INTERFACE_XEN_MCA_H__

#define XEN_MCA_INTERFACE_VERSION	0x01ecc003

#endif /* __XEN_INTERFACE_XEN_MCA_H__ */
