/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Ring protocol names.
 *
 * A frontend writes its ring ABI name to its "protocol" node so a backend
 * built for another word size can translate.  The name is the one in
 * Xen's public io/protocols.h (Xen 4.17, /usr/include/xen/io/protocols.h);
 * this port is x86_64 only.
 */

#ifndef __XEN_INTERFACE_IO_PROTOCOLS_H__
#define __XEN_INTERFACE_IO_PROTOCOLS_H__

#define XEN_IO_PROTO_ABI_NATIVE		"x86_64-abi"

#endif /* __XEN_INTERFACE_IO_PROTOCOLS_H__ */
