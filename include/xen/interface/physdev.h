/* SPDX-License-Identifier: GPL-2.0 */
/*
 * HYPERVISOR_physdev_op: the few physical-device operations a PV kernel
 * without PCI passthrough makes.
 *
 * Restates what Linux uses from Xen's public physdev.h (Xen 4.17,
 * /usr/include/xen/physdev.h): the I/O privilege level and I/O-port
 * bitmap of the current user task (ioperm/iopl emulation), and reading
 * an I/O APIC register (dom0).
 */

#ifndef __XEN_INTERFACE_PHYSDEV_H__
#define __XEN_INTERFACE_PHYSDEV_H__

#include <linux/build_bug.h>
#include <linux/stddef.h>
#include <linux/types.h>

#define PHYSDEVOP_set_iopl	6	/* struct physdev_set_iopl */
#define PHYSDEVOP_set_iobitmap	7	/* struct physdev_set_iobitmap */
#define PHYSDEVOP_apic_read	8	/* struct physdev_apic */

/* IOPL (0-3) that guest user mode runs with. */
struct physdev_set_iopl {
	u32 iopl;
};

/* One bit per port, a set bit denies access; NULL bitmap denies all. */
struct physdev_set_iobitmap {
	u8 *bitmap;
	u32 nr_ports;
};

/* Register reg of the I/O APIC at apic_physbase (out: value). */
struct physdev_apic {
	unsigned long apic_physbase;
	u32 reg;
	u32 value;
};

static_assert(sizeof(struct physdev_set_iopl) == 4);
static_assert(sizeof(struct physdev_set_iobitmap) == 16);
static_assert(offsetof(struct physdev_set_iobitmap, nr_ports) == 8);
static_assert(sizeof(struct physdev_apic) == 16);
static_assert(offsetof(struct physdev_apic, value) == 12);

#endif /* __XEN_INTERFACE_PHYSDEV_H__ */
