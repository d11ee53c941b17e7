/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The PV console page.
 *
 * Restates struct xencons_interface from Xen's public io/console.h
 * (Xen 4.17, /usr/include/xen/io/console.h).  The page holds two byte
 * rings: "in" (backend to guest) and "out" (guest to backend), each with
 * free-running 32-bit producer and consumer indexes; a byte's position in
 * its ring is the index modulo the ring's size.  The event channel
 * announced in start_info (or xenstore) signals new data either way.
 */

#ifndef __XEN_INTERFACE_IO_CONSOLE_H__
#define __XEN_INTERFACE_IO_CONSOLE_H__

#include <linux/build_bug.h>
#include <linux/stddef.h>
#include <linux/types.h>

typedef u32 XENCONS_RING_IDX;

struct xencons_interface {
	char in[1024];
	char out[2048];
	XENCONS_RING_IDX in_cons, in_prod;
	XENCONS_RING_IDX out_cons, out_prod;
};

static_assert(sizeof(struct xencons_interface) == 3088);
static_assert(offsetof(struct xencons_interface, out) == 1024);
static_assert(offsetof(struct xencons_interface, in_cons) == 3072);
static_assert(offsetof(struct xencons_interface, out_cons) == 3080);

#endif /* __XEN_INTERFACE_IO_CONSOLE_H__ */
